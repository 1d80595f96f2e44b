/*
 * view_retention.h - retention (conservazione): which persons a
 * collection's retention rule (struct schema_retention: closed cases kept
 * N years after closing, or after the programme's end when later) says
 * must go, and when (`presidio retention`); and, on the hub, erasing
 * those due by key destruction (`presidio retention --apply`,
 * node/store_erase.h), which every node then applies at its next sync.
 *
 * A person is due when every live case about the person has ended (its
 * `ends` date set) and the latest of their due dates has come; one case
 * not ended keeps the person.  Persons erased already are left out.
 *
 * Layer: a view (commands -> views -> sync -> store).  It reads cases
 * through store_list() on an unlocked store (only ids and dates: the
 * rule's fields are not personal) and notes the reading in the audit
 * trail; --apply writes only through store_erase_decide().
 */
#ifndef PRESIDIO_VIEW_VIEW_RETENTION_H
#define PRESIDIO_VIEW_VIEW_RETENTION_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "common/id.h"
#include "node/store.h"

struct view_retention_opts {
	unsigned years;     /* 0: the rule's own */
	int end[3];         /* the programme's end (y, m, d); end[0] 0: none */
	long today;         /* yyyymmdd */
};

struct view_retention_person {
	struct id person;
	size_t cases;  /* live cases about the person */
	size_t open;   /* of them not ended */
	long due;      /* yyyymmdd from when the person goes; 0: never (a
			  case not ended) */
	int due_now;   /* due <= today */
};

typedef int (*view_retention_fn)(void *ctx,
				 const struct view_retention_person *p);

/*
 * The rule (its collection into *coll) and every person it covers, in the
 * order they fall due (never last), to fn.  ERR_NOTFOUND when the schema
 * declares no retention.
 */
int view_retention(struct store *s, const struct view_retention_opts *o,
		   const struct schema_collection **coll, view_retention_fn fn,
		   void *ctx, struct err *e) ERR_MUST_USE;

/* Hub: erase every person due now (reason termine_conservazione);
 * *erased persons.  As store_erase_decide() for who may. */
int view_retention_apply(struct store *s, const struct view_retention_opts *o,
			 uint64_t *erased, struct err *e) ERR_MUST_USE;

#endif
