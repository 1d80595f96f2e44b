/*
 * view_history.h - changes as people read them: the history of one
 * record (every change with each field's old and new value) and the
 * entries of the node's change log, as JSON for the command line's
 * --json output and for the web interface.
 *
 * The change log stores only new values.  The history view finds each
 * old value in the earlier entry that wrote the version the change
 * replaced: walking the entries in order, it remembers the value written
 * for every (field, version), and looks the entry's previous version up
 * there.  Versions are matched by node id, not by the store's actor
 * number: one node may have several actors (one per operator, and one for
 * changes received without an operator), and (hlc, node) alone names a
 * write everywhere.  A resolution names several previous versions of a
 * field (every candidate it settles): its old value is the one that was
 * in force, the greatest of them found.  A previous version written
 * before this node saw the record (or none at all) is unknown: NULL from
 * view_history_old(), JSON null in the entry.
 *
 * Layer: above sync and the store (commands and web UI -> views -> sync
 * -> store); reads only, prints nothing.
 *
 * Personal data: old and new values are decrypted.  The walker holds
 * every value written so far in a tree of its own, released
 * (json_decref()) when view_history() returns, on every path; the JSON
 * built by view_history_json() / view_log_json() is the caller's
 * (json_decref()).  Values are wiped as they are freed only under a
 * wiping Jansson allocator (main.c installs one).  The change and the
 * walker passed to a callback are valid during the call only.
 */
#ifndef PRESIDIO_VIEW_VIEW_HISTORY_H
#define PRESIDIO_VIEW_VIEW_HISTORY_H

#include <jansson.h>
#include <stddef.h>

#include "common/err.h"
#include "node/store.h"

/* The walk of one record's history (opaque). */
struct view_history;

/* Called per change in order: 0 to go on, a negative ERR_* that ends
 * the walk and is returned, or ERR_STOP to end it early (0 returned). */
typedef int (*view_history_fn)(void *ctx, const struct view_history *vh,
			       const struct store_change *c);

/*
 * Every change of record id, in order, through fn.  ERR_NOTFOUND when the
 * record does not exist, ERR_NOMEM, the store's errors.
 */
int view_history(struct store *s, const struct id *id, view_history_fn fn,
		 void *ctx, struct err *e) ERR_MUST_USE;

/* The value field i of c (c->vers.e[i]) held before c (borrowed from the
 * walker), NULL when unknown. */
const json_t *view_history_old(const struct view_history *vh,
			       const struct store_change *c, size_t i);

/* The value c wrote to field i (borrowed from c), JSON null if none. */
const json_t *view_change_new(const struct store_change *c, size_t i);

/* "create", "update", "delete", "resolve" ("unknown" otherwise). */
const char *view_change_kind_name(enum store_change_kind k);

/*
 * {"seq","time","hlc","kind","node","operator","changes":[{"field","old",
 * "new"}]} of c; a new tree the caller json_decref()s, NULL when out of
 * memory.
 */
json_t *view_history_json(const struct view_history *vh,
			  const struct store_change *c);

/*
 * A change-log entry: {"seq","time","hlc","kind","record","collection",
 * "origin","origin_seq","operator","fields"}, fields being the names
 * written, or (with_values, c read with its values) {name: value}.  A new
 * tree the caller json_decref()s, NULL when out of memory.
 */
json_t *view_log_json(const struct store_change *c, int with_values);

#endif
