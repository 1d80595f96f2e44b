/*
 * merge_fixture.h - changes and records built by hand for the merge unit
 * tests (test_merge.c, test_merge_resolve.c), on test_item and test_note
 * (' stands for ").  A change made "at" a replica takes its prev from
 * merge_prev_for() on its record, as a real replica would.  Node ids
 * 0...0N: A < B < C < D, and H is the hub.  Changes and records live in a
 * pool that the next test (or exit) frees, so a failing CHECK leaks
 * nothing.  Included by one test file each: state is per test binary.
 */
#ifndef PRESIDIO_TESTS_MERGE_FIXTURE_H
#define PRESIDIO_TESTS_MERGE_FIXTURE_H

#include <stdlib.h>

#include "conflict/merge.h"
#include "tests/test.h"

enum { A = 1, B = 2, C = 3, D = 4, H = 9 };

#define POOL 16

/* One change with the values and prev it owns. */
struct tch {
	struct merge_change c;
	json_t *values;
	struct merge_prev *prev;
};

static const struct schema_collection *coll;
static struct tch pool[POOL];
static size_t npool;
static struct merge_record *recs[POOL];
static size_t nrecs;

/* The running test's records (r: where changes are made; x, y: other
 * replicas) and changes (cr: the create), all in the pool. */
static struct merge_record *r, *x, *y;
static struct tch *cr, *e1, *e2, *e3;

static inline void pool_free(void)
{
	for (size_t i = 0; i < npool; i++) {
		json_decref(pool[i].values);
		free(pool[i].prev);
	}
	for (size_t i = 0; i < nrecs; i++)
		merge_record_free(recs[i]);
	memset(pool, 0, sizeof(pool));
	npool = nrecs = 0;
	r = x = y = NULL;
	cr = e1 = e2 = e3 = NULL;
}

/* Start a test on collection name: free what the last one left. */
static inline void reset(const char *name)
{
	static int registered;

	if (!registered)
		registered = !atexit(pool_free);
	pool_free();
	coll = schema_collection(name);
}

static inline struct merge_vid V(uint64_t hlc, uint8_t node)
{
	struct merge_vid v = { hlc, { { 0 } } };

	v.node.b[ID_BYTES - 1] = node;
	return v;
}

static inline int vid_eq(struct merge_vid a, struct merge_vid b)
{
	return merge_vid_cmp(&a, &b) == 0;
}

static inline uint16_t fid(const char *name)
{
	if (strcmp(name, SCHEMA_FIELD_DELETED_NAME) == 0)
		return SCHEMA_FIELD_DELETED;
	return schema_field(coll, name)->id;
}

/* JSON text with ' for ", parsed (any type); NULL when malformed. */
static inline json_t *J(const char *text)
{
	char buf[512];
	size_t n = strlen(text);

	if (n >= sizeof(buf))
		return NULL;
	for (size_t i = 0; i <= n; i++)
		buf[i] = text[i] == '\'' ? '"' : text[i];
	return json_loads(buf, JSON_DECODE_ANY, NULL);
}

/* A change with no prev (a create), from the hub when node is H. */
static inline struct tch *mk(uint64_t hlc, uint8_t node, const char *json)
{
	struct tch *t;

	if (npool == POOL)
		return NULL;
	t = &pool[npool++];
	t->values = J(json);
	t->c.v = V(hlc, node);
	t->c.from_hub = node == H;
	t->c.values = t->values;
	return t->values ? t : NULL;
}

/* A change made at the replica holding rec: prev from merge_prev_for()
 * over the fields it writes.  Not applied. */
static inline struct tch *at(const struct merge_record *rec, uint64_t hlc,
			     uint8_t node, const char *json, int resolve)
{
	struct tch *t = rec ? mk(hlc, node, json) : NULL;
	uint16_t written[32];
	size_t n = 0;
	const char *key;
	json_t *val;

	if (!t)
		return NULL;
	json_object_foreach(t->values, key, val)
		written[n++] = fid(key);
	if (merge_prev_for(rec, written, n, resolve, &t->prev, &t->c.nprev))
		return NULL;
	t->c.prev = t->prev;
	return t;
}

static inline int apply(struct merge_record *rec, const struct tch *t)
{
	return rec && t ? merge_apply(rec, &t->c, NULL, NULL) : ERR_FAIL;
}

/* A local write: made at rec and applied there. */
static inline struct tch *write_at(struct merge_record *rec, uint64_t hlc,
				   uint8_t node, const char *json, int resolve)
{
	struct tch *t = at(rec, hlc, node, json, resolve);

	return apply(rec, t) ? NULL : t;
}

/* A fresh record with the changes applied in the order given; NULL on
 * any error. */
static inline struct merge_record *rec_of(struct tch *const *list, size_t n)
{
	struct merge_record *rec = NULL;

	if (nrecs == POOL || merge_record_new(&rec, coll))
		return NULL;
	recs[nrecs++] = rec;
	for (size_t i = 0; i < n; i++)
		if (apply(rec, list[i]))
			return NULL;
	return rec;
}

#define LIST(...) (struct tch *const[]){ __VA_ARGS__ }
#define NLIST(...) (sizeof(LIST(__VA_ARGS__)) / sizeof(struct tch *))
#define REC(...) rec_of(LIST(__VA_ARGS__), NLIST(__VA_ARGS__))

static inline int same_hash(const struct merge_record *a,
			    const struct merge_record *b)
{
	uint8_t ha[MERGE_HASHBYTES], hb[MERGE_HASHBYTES];

	if (!a || !b)
		return 0;
	merge_hash(a, ha);
	merge_hash(b, hb);
	return memcmp(ha, hb, sizeof(ha)) == 0;
}

/* rec has the state of the list applied backwards and applied twice. */
static inline int converges(const struct merge_record *rec,
			    struct tch *const *list, size_t n)
{
	struct merge_record *back = rec_of(NULL, 0), *twice = rec_of(NULL, 0);

	for (size_t i = 0; i < n; i++)
		if (apply(back, list[n - 1 - i]) || apply(twice, list[i]) ||
		    apply(twice, list[(i * 7 + 3) % n]))
			return 0;
	return same_hash(rec, back) && same_hash(rec, twice);
}

#define CONVERGES(rec, ...)                                                    \
	converges(rec, LIST(__VA_ARGS__), NLIST(__VA_ARGS__))

static inline enum merge_status st(const struct merge_record *rec,
				   const char *field, const struct tch *t)
{
	return merge_status_of(rec, fid(field), &t->c.v);
}

static inline int value_is(const json_t *value, const char *json)
{
	json_t *want = J(json);
	int ok = want && value && json_equal(want, value);

	json_decref(want);
	return ok;
}

/* merge_values(rec) is json. */
static inline int values_are(const struct merge_record *rec, const char *json)
{
	json_t *values = merge_values(rec);
	int ok = value_is(values, json);

	json_decref(values);
	return ok;
}

/* 1 when field's winner is t's write, with value json. */
static inline int won(const struct merge_record *rec, const char *field,
		      const struct tch *t, const char *json)
{
	struct merge_vid v;
	const json_t *value = NULL;

	return t && !merge_winner(rec, fid(field), &v, &value) &&
	       vid_eq(v, t->c.v) && value_is(value, json);
}

static inline int has_prev(const struct tch *t, const char *field,
			   const struct tch *of)
{
	for (size_t i = 0; t && of && i < t->c.nprev; i++)
		if (t->prev[i].field == fid(field) &&
		    vid_eq(t->prev[i].v, of->c.v))
			return 1;
	return 0;
}

static inline size_t nconflicts(const struct merge_record *rec)
{
	struct merge_conflict k[1];

	return merge_conflicts(rec, k, 0);
}

/* A create, then edits e1 at h1 by A and e2 at h2 by B, both from the
 * create; x holds all three. */
static inline int concurrent(uint64_t h1, const char *j1, uint64_t h2,
			     const char *j2)
{
	cr = mk(100, A, "{'title':'a','count':1,'cap':10,'spent':5}");
	r = REC(cr);
	e1 = at(r, h1, A, j1, 0);
	e2 = at(r, h2, B, j2, 0);
	x = REC(cr, e1, e2);
	return x && CONVERGES(x, cr, e1, e2);
}

/* A create, an edit e1 of title by A (300) and a delete e2 by B (200),
 * both made from the create; x holds all three. */
static inline int edit_and_delete(void)
{
	cr = mk(100, A, "{'title':'a','count':1}");
	r = REC(cr);
	e1 = at(r, 300, A, "{'title':'x'}", 0);
	e2 = at(r, 200, B, "{'_deleted':true}", 0);
	x = REC(cr, e1, e2);
	return x && CONVERGES(x, cr, e1, e2);
}

#endif
