/*
 * merge_int.h - the record's change set, shared by the files of the merge
 * (merge.c: versions, winners, conflicts, applying; merge_rule.c: rule
 * conflicts).  Internal to conflict/: everything outside goes through
 * merge.h.
 */
#ifndef PRESIDIO_MERGE_INT_H
#define PRESIDIO_MERGE_INT_H

#include "conflict/merge.h"

/* One field written by one change. */
struct write {
	uint16_t field;
	int rejected;  /* authority field from a non-hub change */
	json_t *value; /* owned */
};

struct change {
	struct merge_vid v;
	int from_hub;
	struct merge_prev *prev; /* owned, nprev entries */
	size_t nprev;
	struct write *w; /* owned, nw entries, sorted by field */
	size_t nw;
};

struct merge_record {
	const struct schema_collection *coll;
	struct change *ch; /* owned, nch entries */
	size_t nch;
	size_t cap;
};

/* Where merge_conflicts() collects: the first max into out, n in all. */
struct conflict_sink {
	struct merge_conflict *out;
	size_t max;
	size_t n;
};

void merge_sink_add(struct conflict_sink *k, const struct merge_conflict *c);

/* The applied change with version v, or NULL. */
const struct change *merge_find_change(const struct merge_record *r,
				       const struct merge_vid *v);

/* c's write of field (refused or not), or NULL. */
const struct write *merge_find_write(const struct change *c, uint16_t field);

/* c writes field (not refused) and no applied change supersedes it. */
int merge_in_frontier(const struct merge_record *r, const struct change *c,
		      uint16_t field);

/* The change whose write is the winner of field, or NULL. */
const struct change *merge_winner_of(const struct merge_record *r,
				     uint16_t field);

/* The rule conflicts of a record that is not deleted (merge_rule.c): the
 * collection's invariant on the winners, then the steps of its procedure
 * fields. */
void merge_rule_conflicts(const struct merge_record *r,
			  struct conflict_sink *k);

/* Canonical order of two rule conflicts of one field (merge_conflicts()). */
int merge_rule_cmp(const struct merge_conflict *a,
		   const struct merge_conflict *b);

#endif
