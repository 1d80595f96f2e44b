/*
 * view_conflict.h - the open conflicts as a person reviews them: grouped
 * by record and field, the candidates of a field numbered (1 is the value
 * in force, 2.. the others in the store's canonical order), each conflict
 * with the command that settles it; and the candidate a number names, for
 * settling by number (`presidio resolve --pick N`, one click in the web
 * interface).  The numbering is computed from the store each time, never
 * remembered between a listing and a resolution.
 *
 * Layer: above sync and the store (commands and web UI -> views -> sync
 * -> store); reads only, prints nothing.
 *
 * Personal data: candidates' values are decrypted.  view_conflict_json()
 * returns a tree the caller owns (json_decref(); values wiped on free
 * only under a wiping Jansson allocator, as main.c installs); the struct
 * view_conflict passed to a callback and what it points to are valid
 * during the call only.  Errors never carry a value.
 */
#ifndef PRESIDIO_VIEW_VIEW_CONFLICT_H
#define PRESIDIO_VIEW_VIEW_CONFLICT_H

#include <jansson.h>
#include <stdint.h>

#include "common/err.h"
#include "node/store.h"

#define VIEW_SETTLE_MAX (ID_TEXT_LEN + SCHEMA_NAME_MAX + 48)

/* One conflict as listed. */
struct view_conflict {
	const struct store_conflict *c; /* the store's report (borrowed) */
	int first;      /* first of its group (record, kind, field): a
			   listing shows the group's head before it */
	uint64_t pick;  /* field conflicts: the number of c->other (c->current
			   is 1); 0 for the others */
	const char *settle; /* the command that settles it */
};

/* Called per conflict: 0 to go on, a negative ERR_* that ends the
 * listing and is returned, or ERR_STOP to end it early (0 returned). */
typedef int (*view_conflict_fn)(void *ctx, const struct view_conflict *vc);

/*
 * The open conflicts of record id (NULL: every record) in the store's
 * canonical order.  ERR_NOTFOUND when id is given and the record does
 * not exist.
 */
int view_conflicts(struct store *s, const struct id *id, view_conflict_fn fn,
		   void *ctx, struct err *e) ERR_MUST_USE;

/* "field", "delete", "rule" ("unknown" otherwise). */
const char *view_conflict_kind_name(enum merge_conflict_kind k);

/* 1 for a field conflict on the deletion marker: two nodes settled a
 * delete differently (or one undid it while another deleted). */
int view_conflict_on_marker(const struct store_conflict *c);

/*
 * {"record","collection","kind","field","reason","pick","current",
 * "other","settle"}; current and other are {"value","time","hlc","node",
 * "operator"} (null for a rule conflict), pick is null but for field
 * conflicts.  A new tree the caller json_decref()s; NULL when out of
 * memory.
 */
json_t *view_conflict_json(const struct view_conflict *vc);

/*
 * Candidate n of field of record id, numbered as view_conflicts() numbers
 * them, into *out (a copy the caller json_decref()s).  ERR_INVALID (with
 * the message a person needs: no conflict on the field, numbering starts
 * at 1, the range) when there is no candidate n.
 */
int view_conflict_pick(struct store *s, const struct id *id,
		       const char *field, uint64_t n, json_t **out,
		       struct err *e) ERR_MUST_USE;

#endif
