/*
 * view_sync.h - where a record and each of its fields stand with the
 * Helpdesk, as the web interface shows them next to the values:
 *
 *   "local"     saved here only: written on this node, not yet
 *               acknowledged by the hub (after the push checkpoint);
 *   "hub"       received by the hub: an own write the hub acknowledged,
 *               or a write that came from the hub;
 *   "refused"   refused by the hub, with its reason: the latest own write
 *               of the field is one the hub refused (store_refused_list());
 *   "conflict"  in conflict: the field has an open conflict, or (for the
 *               record) a rule conflict is open on it.
 *
 * A record's state is the most pressing of its fields' (conflict, then
 * refused, then local, then hub).  On the hub itself everything is
 * "hub".  A refusal of the whole record, kept after its log entries went,
 * gives the record the state "refused" and its reason.
 *
 * Layer: above sync (the push checkpoint) and the store (commands and web
 * UI -> views -> sync -> store); reads only.  Holds no personal data:
 * field names, states, the hub's reason (which names fields and rules,
 * never values), and log numbers.
 */
#ifndef PRESIDIO_VIEW_VIEW_SYNC_H
#define PRESIDIO_VIEW_VIEW_SYNC_H

#include <jansson.h>

#include "common/err.h"
#include "node/store.h"

enum view_sync_state {
	VIEW_SYNC_HUB = 0,
	VIEW_SYNC_LOCAL,
	VIEW_SYNC_REFUSED,
	VIEW_SYNC_CONFLICT,
};

/* "hub", "local", "refused", "conflict". */
const char *view_sync_state_name(enum view_sync_state st);

/* The Italian words for st ("ricevuto dall'Helpdesk", ...). */
const char *view_sync_state_label(enum view_sync_state st);

/*
 * The sync state of record id (an unlocked store: refusals are read with
 * their fields) into *out, a new tree the caller json_decref()s:
 *   {"state", "label", "reason" (when refused whole), "pending" (own
 *    changes of the record the hub has not acknowledged),
 *    "fields": {name: {"state", "label"[, "reason"]}}}
 * with one entry per field the record's history wrote.  ERR_NOTFOUND when
 * the record does not exist, the store's errors, ERR_NOMEM.
 */
int view_sync_record_json(struct store *s, const struct id *id,
			  json_t **out, struct err *e) ERR_MUST_USE;

#endif
