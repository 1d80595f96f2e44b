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

/* A field the record's collection does not declare here (one of the
 * next schema version, merge.h): its name and the id it has in this
 * record. */
struct unknown_field {
	char name[SCHEMA_NAME_MAX];
	uint16_t id; /* MERGE_UNKNOWN_FIRST and up */
};

struct merge_record {
	const struct schema_collection *coll;
	struct change *ch; /* owned, nch entries */
	size_t nch;
	size_t cap;
	struct unknown_field *unk; /* owned, nunk entries, in arrival order */
	size_t nunk;
};

/* The id of undeclared field `name` (a well-formed name) in r, given one
 * the first time: FNV-1a of the name in the upper half of the ids
 * (MERGE_UNKNOWN_FIRST up), then the next free one.  0 when out of memory
 * or of ids (merge_unknown.c). */
uint16_t merge_unknown_id(struct merge_record *r, const char *name);

/* Order of two values of MONOTONIC field f in its procedure (<0, 0, >0;
 * 0: the same step, the versions decide): declared values in their
 * order, after them values this build does not declare, by their text
 * (merge.h). */
int merge_state_cmp(const struct schema_field *f, const json_t *a,
		    const json_t *b);

/* 1 when v is a value of procedure or ENUM field f this build does not
 * declare (a string; null is a value every build knows). */
int merge_value_unknown(const struct schema_field *f, const json_t *v);

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
