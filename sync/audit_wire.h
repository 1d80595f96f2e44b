/*
 * audit_wire.h - audit entries on the wire (sync/README.md, "Audit"):
 * a node sends its own entries (node/store_audit.h) to the hub after each
 * push, POST /v1/audit with {"entries":[ENTRY...]}, each
 *   {"n":NSEQ,"at":MS,"operator","role","action","coll":ID,
 *    "record":UUID|null,"count","purpose","glass":0|1,
 *    "prev":HEX64,"hash":HEX64}
 * the node being the one that signed the request.  The hub answers
 * {"audit_ack": the last number it holds}, which hello also says (a hub
 * that says nothing takes no entries: an older one).  Entries carry ids,
 * never values.  Shared by both sides (sync.c's push, hub_audit.c).
 */
#ifndef PRESIDIO_SYNC_AUDIT_WIRE_H
#define PRESIDIO_SYNC_AUDIT_WIRE_H

#include <jansson.h>

#include "common/err.h"
#include "node/store_audit.h"

#define AUDIT_WIRE_PAGE 500           /* entries a request carries */
#define AUDIT_WIRE_MAX_BODY (1u << 20) /* bytes the hub reads of one */

/* a as a new JSON object (NULL when out of memory). */
json_t *audit_wire_entry(const struct store_audit_entry *a);

/* Read one JSON entry into *a for node: ERR_INVALID naming the member
 * that is missing or malformed (the hash is checked by
 * store_audit_check()). */
int audit_wire_parse(const json_t *j, const struct id *node,
		     struct store_audit_entry *a, struct err *e) ERR_MUST_USE;

#endif
