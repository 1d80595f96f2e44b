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
 *
 * A hub whose hello says "audit_format": 2 also takes the page deflated
 * (zlib), POST /v1/audit?format=2, with "prev" only in the first entry:
 * each later one's is the hash of the entry before it, which is what the
 * chain means.  An entry is a few hundred bytes of JSON, a third of them
 * the two hashes in hex, and every write makes one: sent as they were,
 * they weighed five times the records a push carries.
 *
 * Format 3 (POST /v1/audit?format=3, offered as "audit_format": 3) is
 * format 2 with "hash" only where it cannot be computed, an anchor's
 * (store_audit_is_anchor()), and on the page's last entry: the hub
 * computes each other hash from the entry and its prev, and the last
 * one given must be what it computed, so an entry of the page that
 * differs from the node's trail still fails.  A hash is 32 random
 * bytes that no compression shortens: half of what an entry weighs
 * deflated.
 */
#ifndef PRESIDIO_SYNC_AUDIT_WIRE_H
#define PRESIDIO_SYNC_AUDIT_WIRE_H

#include <jansson.h>
#include <stdint.h>

#include "common/err.h"
#include "node/store_audit.h"

#define AUDIT_WIRE_PAGE 500           /* entries a request carries */
#define AUDIT_WIRE_PAGE_3 2000 /* in format 3, whose entries weigh half:
				  a quarter of the requests, and of the
				  hub's commits, for a long trail */
#define AUDIT_WIRE_MAX_BODY (1u << 20) /* bytes the hub reads of one */
#define AUDIT_WIRE_FORMAT 3 /* the newest page format: deflated, hashes
			       only where they cannot be computed */

/* a as a new JSON object, with "prev" when with_prev, "hash" when
 * with_hash (NULL when out of memory). */
json_t *audit_wire_entry(const struct store_audit_entry *a, int with_prev,
			 int with_hash);

/* Read one JSON entry into *a for node: ERR_INVALID naming the member
 * that is missing or malformed (the hash is checked by
 * store_audit_check()).  prev, when not NULL, is the entry's "prev" if it
 * has none (format 2: the hash of the entry before it).  An entry
 * without "hash" that is no anchor has it computed when computed is set
 * (format 3), and is refused otherwise. */
int audit_wire_parse(const json_t *j, const struct id *node,
		     const uint8_t *prev, int computed,
		     struct store_audit_entry *a, struct err *e) ERR_MUST_USE;

#endif
