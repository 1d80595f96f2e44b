/*
 * view_nodes.h - the nodes a hub serves, as `presidio hub node list` and
 * the web interface's national dashboard show them: name, kind, region,
 * enrolment state (with its Italian words), last contact, what the hub
 * has of it and it of the hub, its changes refused whole, its record cap
 * and its schema version.
 *
 * Layer: a view above the hub's registry (commands and web UI -> views
 * -> sync -> store and registry); reads only, prints nothing.  Holds no
 * personal data: node names, counts and times.
 */
#ifndef PRESIDIO_VIEW_VIEW_NODES_H
#define PRESIDIO_VIEW_VIEW_NODES_H

#include <jansson.h>
#include <stdint.h>

#include "common/err.h"
#include "registry/registry.h"

/* "enrolled", "revoked", "token expired" or "awaiting enrollment", for
 * p at unix time now_s. */
const char *view_node_state(const struct registry_peer *p, int64_t now_s);

/*
 * {"name","kind","region","state","state_label","last_contact" (UTC ISO
 * 8601, or "never"),"last_contact_s" (unix s, or null),"push_ack",
 * "pull_ack","record_cap","refused","schema_version"} of p: a new tree
 * the caller json_decref()s, NULL when out of memory.
 */
json_t *view_node_json(const struct registry_peer *p, int64_t now_s);

/* Every node of hub store s, as view_node_json(), into *out (the
 * caller's).  The registry's errors, ERR_NOMEM. */
int view_nodes_json(struct store *s, json_t **out, struct err *e) ERR_MUST_USE;

#endif
