/*
 * merge_sim.h - the world of the merge simulator (test_merge_sim.c):
 * replicas holding records, each with a skewed and jumping clock, the log
 * of every change made, and delivery of changes to replicas (in random
 * order, with duplicates), all from one seeded splitmix64 stream.  Only
 * test_merge_sim.c includes it: its state is that binary's.
 */
#ifndef PRESIDIO_TESTS_MERGE_SIM_H
#define PRESIDIO_TESTS_MERGE_SIM_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <sodium.h>

#include "conflict/hlc.h"
#include "conflict/merge.h"
#include "tests/test.h"

#define NREP_MAX 7
#define NREC_MAX 6
#define NCH_MAX 256 /* operations: 10 to 30, a few changes each, and the
			settling at the end */
#define NCONF_MAX 64
#define BASE_MS UINT64_C(1767225600000) /* 2026-01-01 */
#define SKEW_MS 600000                  /* wall clocks within +/- 10 min */
#define AHEAD_MS 3600000                /* hlc_receive window */
#define BLOCK 1000                      /* seeds per test */
#define WHY 600                         /* failure text */

/* The fields operations write. */
static const char *const names[] = { "title", "count", "color", "stage",
				     "cap", "spent", "approved_by" };
#define NFIELDS 7
enum { F_TITLE, F_COUNT, F_COLOR, F_STAGE, F_CAP, F_SPENT, F_APPROVED };
static uint16_t fids[NFIELDS]; /* their ids in test_item */
static const struct schema_collection *coll;

static const char *const titles[] = { "a", "b", "c" };
static const char *const colors[] = { "red", "green", "blue" };
static const char *const stages[] = { "draft", "review", "approved",
				      "published" };
static const char *const approvers[] = { "ann", "bob" };

/* One change of the log, owning its values and prev. */
struct change {
	int rec;          /* record index */
	int origin;       /* replica that made it */
	const char *what; /* create, edit, delete, resolve... */
	struct merge_change c;
	json_t *values;
	struct merge_prev *prev;
};

struct replica {
	struct merge_record *rec[NREC_MAX]; /* NULL: never heard of */
	struct hlc clock;
	int64_t skew;                       /* wall = now + skew, ms */
	struct id node;
	int hub;
};

struct sim {
	uint64_t rng;   /* splitmix64 state */
	int verbose;
	int nrep, maxrec, nrec, nops;
	int coarse;     /* whole-second clocks: equal HLCs on two nodes */
	uint64_t now;   /* simulated ms since BASE_MS */
	struct replica rep[NREP_MAX];
	struct change ch[NCH_MAX];
	size_t nch;
	unsigned char has[NREP_MAX][NCH_MAX]; /* replica holds change */
	char why[WHY];  /* the first failure, "" if none */
};

/* One replica's record after the full exchange. */
struct view {
	uint8_t hash[MERGE_HASHBYTES];
	struct merge_conflict m[NCONF_MAX];
	size_t n;
};

static struct view views[NREP_MAX][NREC_MAX]; /* of the running scenario */

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* In [0, n), n >= 1; the modulo bias does not matter here. */
static int rnd(struct sim *s, int n)
{
	return (int)(splitmix64(&s->rng) % (uint64_t)n);
}

/* Record the first failure of the scenario. */
static ERR_PRINTF(2, 3) void fail(struct sim *s, const char *fmt, ...)
{
	va_list ap;

	if (s->why[0])
		return;
	va_start(ap, fmt);
	vsnprintf(s->why, sizeof(s->why), fmt, ap);
	va_end(ap);
}

/* "ms+counter@node": ms since BASE_MS, the node id's last byte. */
static const char *vid_text(const struct merge_vid *v, char out[40])
{
	snprintf(out, 40, "%" PRId64 "+%u@%02x",
		 (int64_t)(hlc_ms(v->hlc) - BASE_MS),
		 (unsigned)hlc_counter(v->hlc), v->node.b[ID_BYTES - 1]);
	return out;
}

static const char *json_text(const json_t *v, char *out, size_t n)
{
	char *s = v ? json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS |
					    JSON_ENCODE_ANY)
		    : NULL;

	snprintf(out, n, "%s", s ? s : "-");
	free(s);
	return out;
}

static const char *field_name(uint16_t id)
{
	const struct schema_field *f = schema_field_by_id(coll, id);

	return id == 0 ? SCHEMA_FIELD_DELETED_NAME : f ? f->name : "?";
}

static uint16_t field_id(const char *name)
{
	return strcmp(name, SCHEMA_FIELD_DELETED_NAME) ?
		       schema_field(coll, name)->id : 0;
}

static uint64_t wall(const struct sim *s, int r)
{
	return (uint64_t)((int64_t)(BASE_MS + s->now) + s->rep[r].skew);
}

static int64_t clamp_skew(const struct sim *s, int64_t skew)
{
	skew = skew < -SKEW_MS ? -SKEW_MS : skew > SKEW_MS ? SKEW_MS : skew;
	return s->coarse ? skew / 1000 * 1000 : skew;
}

/* Time passes; now and then a wall clock jumps, mostly backwards. */
static void tick(struct sim *s)
{
	int r = rnd(s, s->nrep);
	int64_t old = s->rep[r].skew;

	s->now += (uint64_t)(s->coarse ? 1000 * rnd(s, 3) : rnd(s, 1500));
	if (rnd(s, 12))
		return;
	s->rep[r].skew = clamp_skew(s, rnd(s, 3) ? old - 1 - rnd(s, 300000)
				: rnd(s, 2 * SKEW_MS + 1) - SKEW_MS);
	if (s->verbose)
		printf("  clock of r%d jumps %+" PRId64 " ms\n", r,
		       s->rep[r].skew - old);
}

/* Replica r's record k, created empty when r never heard of it. */
static struct merge_record *record(struct sim *s, int r, int k)
{
	struct replica *p = &s->rep[r];

	if (!p->rec[k] && merge_record_new(&p->rec[k], coll))
		fail(s, "out of memory");
	return p->rec[k];
}

/* Deliver change i to replica r: the clock first, then the merge. */
static void deliver(struct sim *s, int r, size_t i)
{
	const struct change *c = &s->ch[i];
	struct merge_record *rec = record(s, r, c->rec);
	struct err e;

	err_init(&e);
	if (!rec)
		return;
	if (hlc_receive(&s->rep[r].clock, c->c.v.hlc, wall(s, r), AHEAD_MS,
			&e))
		fail(s, "r%d refused #%zu's clock: %s", r, i, e.msg);
	else if (merge_apply(rec, &c->c, NULL, &e))
		fail(s, "r%d: merge_apply of #%zu: %s", r, i, e.msg);
	else
		s->has[r][i] = 1;
}

/* Deliver list[0..n) to replica r in a random order. */
static void deliver_shuffled(struct sim *s, int r, size_t *list, size_t n)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)rnd(s, (int)i), t = list[i - 1];

		list[i - 1] = list[j];
		list[j] = t;
	}
	if (s->verbose && n)
		printf("  deliver to r%d:", r);
	for (size_t i = 0; i < n && !s->why[0]; i++) {
		deliver(s, r, list[i]);
		if (s->verbose)
			printf(" #%zu%s", list[i], i + 1 < n ? "" : "\n");
	}
}

/* A round: a random subset of the log, some twice, to a random replica. */
static void exchange(struct sim *s)
{
	size_t list[2 * NCH_MAX], n = 0;
	int r = rnd(s, s->nrep), p = 1 + rnd(s, 3);

	for (size_t i = 0; i < s->nch; i++) {
		if (rnd(s, 4) < p)
			list[n++] = i;
		if (rnd(s, 10) == 0)
			list[n++] = i;
	}
	deliver_shuffled(s, r, list, n);
}

#endif
