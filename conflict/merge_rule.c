/*
 * merge_rule.c - the rule conflicts of a record (see merge.h): its
 * collection's invariant on the winners, and the steps of its procedure
 * fields (schema/rule.h) on their frontiers.
 *
 * Like the rest of the merge, the result is a function of the set of
 * changes applied: a step is judged from the writes it names as
 * superseded that are here, so a step whose origin has not arrived yet is
 * judged when it does.  Only frontier writes are judged: a step that a
 * later change (which saw it) replaced no longer stands, so someone
 * moving the stage on settles it as a resolution would.  The collections
 * with no procedure field pay one scan of their field table.
 */
#include "conflict/merge_int.h"

#include <stdlib.h>
#include <string.h>

#include "schema/rule.h"

/* The steps of one field found so far: each distinct one is listed once,
 * after sorting, so which are listed does not depend on the order the
 * changes are stored in (it differs between replicas). */
struct steps_seen {
	struct merge_conflict *step; /* malloc'd, room for max */
	size_t n, max;
};

static void add_step(struct conflict_sink *k, struct steps_seen *seen,
		     uint16_t field, const char *reason, const char *from,
		     const char *to)
{
	struct merge_conflict m;

	memset(&m, 0, sizeof(m));
	m.kind = MERGE_CONFLICT_RULE;
	m.field = field;
	m.reason = reason;
	m.from = from;
	m.to = to;
	/* Out of memory: listed as found, a step perhaps twice (never one
	 * left out). */
	if (!seen->step)
		merge_sink_add(k, &m);
	else if (seen->n < seen->max)
		seen->step[seen->n++] = m;
}

static int step_cmp(const void *pa, const void *pb)
{
	return merge_rule_cmp(pa, pb);
}

/* Sort the steps found, and list each distinct one once. */
static void steps_flush(struct conflict_sink *k, struct steps_seen *seen)
{
	if (!seen->step)
		return;
	if (seen->n > 1)
		qsort(seen->step, seen->n, sizeof(*seen->step), step_cmp);
	for (size_t i = 0; i < seen->n; i++)
		if (i == 0 ||
		    merge_rule_cmp(&seen->step[i - 1], &seen->step[i]) != 0)
			merge_sink_add(k, &seen->step[i]);
	free(seen->step);
	seen->step = NULL;
}

/*
 * 1 when c's write of procedure field f takes a declared step: from one of
 * the writes of f it supersedes that are here (any one, for a resolution
 * settling several), or from no value when it supersedes none.  A step
 * whose superseded writes are all still to come is not judged yet: a
 * replica may get them later.  That one never comes (a forged origin) is
 * kept out by the hub, which refuses a change naming an earlier value it
 * does not hold (node/store_ext.h, store_rule_check_incoming()).  *from
 * gets the first known origin, for the message.
 */
static int step_ok(const struct merge_record *r, const struct schema_field *f,
		   const struct change *c, const char **from)
{
	const json_t *tv = merge_find_write(c, f->id)->value;
	const char *to = rule_value(f, tv);
	size_t named = 0, known = 0;

	*from = NULL;
	/* A value of the next schema version: its steps are that version's
	 * to judge (the hub does), not this build's. */
	if (merge_value_unknown(f, tv))
		return 1;
	for (size_t i = 0; i < c->nprev; i++) {
		const struct change *pc;
		const struct write *w;
		const char *was;

		if (c->prev[i].field != f->id)
			continue;
		named++;
		pc = merge_find_change(r, &c->prev[i].v);
		w = pc ? merge_find_write(pc, f->id) : NULL;
		if (!w || w->rejected)
			continue;
		if (merge_value_unknown(f, w->value))
			return 1;
		was = rule_value(f, w->value);
		if (known++ == 0)
			*from = was;
		if ((to && was == to) || rule_transition(f, was, to))
			return 1;
	}
	if (named == 0)
		return rule_transition(f, NULL, to) != NULL;
	return known == 0;
}

static void field_steps(const struct merge_record *r,
			const struct schema_field *f, struct conflict_sink *k)
{
	const struct change *win = merge_winner_of(r, f->id);
	const char *to_win;
	struct steps_seen seen;
	int unknown_win;

	if (!win)
		return;
	unknown_win = merge_value_unknown(f, merge_find_write(win, f->id)->value);
	/* Each frontier change adds at most two steps. */
	seen.n = 0;
	seen.max = 2 * r->nch;
	seen.step = malloc(seen.max * sizeof(*seen.step));
	to_win = rule_value(f, merge_find_write(win, f->id)->value);
	for (size_t i = 0; i < r->nch; i++) {
		const struct change *c = &r->ch[i];
		const char *from, *to;

		if (!merge_in_frontier(r, c, f->id))
			continue;
		to = rule_value(f, merge_find_write(c, f->id)->value);
		if (!step_ok(r, f, c, &from))
			add_step(k, &seen, f->id, MERGE_RULE_STEP, from, to);
		/* A replica that showed `to` now shows the winner: for a
		 * field merged forward, that is a step too.  (A field merged
		 * by version lists the pair as a field conflict already.) */
		if (c != win && f->merge == SCHEMA_MERGE_MONOTONIC &&
		    !unknown_win &&
		    !merge_value_unknown(f, merge_find_write(c, f->id)->value) &&
		    to != to_win && !rule_transition(f, to, to_win))
			add_step(k, &seen, f->id, MERGE_RULE_MOVES, to, to_win);
	}
	steps_flush(k, &seen);
}

void merge_rule_conflicts(const struct merge_record *r,
			  struct conflict_sink *k)
{
	const struct schema_collection *coll = r->coll;

	if (coll->invariant) {
		json_t *values = merge_values(r);
		const char *why = values ? coll->invariant(values) : NULL;
		struct merge_conflict m;

		json_decref(values);
		if (why) {
			memset(&m, 0, sizeof(m));
			m.kind = MERGE_CONFLICT_RULE;
			m.reason = why;
			merge_sink_add(k, &m);
		}
	}
	for (size_t i = 0; i < coll->nfields; i++)
		if (rule_is_procedure(&coll->fields[i]))
			field_steps(r, &coll->fields[i], k);
}

/* NULL-safe strcmp: NULL (no value) first. */
static int end_cmp(const char *a, const char *b)
{
	if (!a || !b)
		return a == b ? 0 : (a ? 1 : -1);
	return strcmp(a, b);
}

int merge_rule_cmp(const struct merge_conflict *a,
		   const struct merge_conflict *b)
{
	int c = end_cmp(a->reason, b->reason);

	if (!c)
		c = end_cmp(a->from, b->from);
	if (!c)
		c = end_cmp(a->to, b->to);
	return c;
}

size_t merge_frontier(const struct merge_record *r, uint16_t field,
		      const json_t **out, size_t max)
{
	const struct change *win = merge_winner_of(r, field);
	size_t n = 0;

	if (!win)
		return 0;
	if (n < max)
		out[n] = merge_find_write(win, field)->value;
	n++;
	for (size_t i = 0; i < r->nch; i++) {
		const struct change *c = &r->ch[i];

		if (c == win || !merge_in_frontier(r, c, field))
			continue;
		if (n < max)
			out[n] = merge_find_write(c, field)->value;
		n++;
	}
	return n;
}

const json_t *merge_write_value(const struct merge_record *r, uint16_t field,
				const struct merge_vid *v)
{
	const struct change *c = merge_find_change(r, v);
	const struct write *w = c ? merge_find_write(c, field) : NULL;

	return w ? w->value : NULL;
}
