/*
 * bench_merge.c - incoming changes merged per second into a store holding
 * 100,000 records, next to the local write rate of the same store in the
 * same run.
 *
 * The store is filled with BENCH_RECORDS test_item records by local puts
 * (1,000 per transaction): that is the plain store write rate.  Then
 * changes "from another node" are merged with store_apply(), 1,000 per
 * transaction: half are edits that saw the record's current version
 * (fast-forward), half are concurrent edits of a field (they open a
 * conflict).  Each merge replays the record's history, so the rate is
 * also measured again after every record has three entries.
 *
 * Then the batches sync receives when a node comes back from days
 * offline: BENCH_HOT records edited BENCH_HOT_EDITS times each, their
 * changes interleaved in one whole group (store_begin_whole(), as a pull
 * page or a push is applied), three rounds, so that each record's
 * history grows by BENCH_HOT_EDITS a round.
 */
#include "node/store.h"

#include <ftw.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BENCH_RECORDS 100000
#define BENCH_TXN 1000
#define BENCH_MERGES 20000
#define BENCH_HOT 50
#define BENCH_HOT_EDITS 20
#define BENCH_HOT_ROUNDS 3

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static int fail(const char *what, const struct err *e)
{
	fprintf(stderr, "bench_merge: %s: %s\n", what, e->msg);
	return 1;
}

/* Local creates: the plain store write rate. */
static int fill(struct store *s, struct id *ids, double *secs, struct err *e)
{
	double t0 = now_s();

	for (size_t i = 0; i < BENCH_RECORDS; i++) {
		struct store_put_result r;
		json_t *f = json_pack("{ss si ss si si}", "title",
				      "caso di prova", "count", (int)i, "color",
				      "red", "cap", 12000, "spent", 100);

		if ((i % BENCH_TXN == 0 && store_begin(s, e)) || !f ||
		    store_put(s, "test_item", NULL, f, &r, e)) {
			json_decref(f);
			return -1;
		}
		json_decref(f);
		ids[i] = r.id;
		if ((i + 1) % BENCH_TXN == 0 && store_commit(s, e))
			return -1;
	}
	if (BENCH_RECORDS % BENCH_TXN && store_commit(s, e))
		return -1;
	*secs = now_s() - t0;
	return 0;
}

/* An update of test_item id from the other node (prev left to fill). */
static void update_of(struct store_incoming *in, const struct id *id,
		      const struct id *origin, uint64_t oseq, uint64_t hlc,
		      json_t *fields)
{
	memset(in, 0, sizeof(*in));
	in->record = *id;
	in->collection = "test_item";
	in->kind = STORE_CHANGE_UPDATE;
	in->origin = *origin;
	in->origin_seq = oseq;
	in->operator = "m.rossi";
	in->hlc = hlc;
	in->fields = fields;
}

/* One change from the other node on record id: a fast-forward of "count"
 * (it saw the current version) or, when concurrent, one that saw only the
 * create. */
static int merge_one(struct store *s, const struct id *id,
		     const struct id *origin, uint64_t oseq, uint64_t hlc,
		     int concurrent, struct err *e)
{
	const struct schema_field *f =
		schema_field(schema_collection("test_item"), "count");
	struct store_apply_result res;
	struct store_incoming in;
	struct store_record rec;
	struct merge_prev prev[2];
	const struct version *v;
	json_t *fields = json_pack("{si}", "count", (int)(oseq % 1000));
	int rc;

	store_record_init(&rec);
	rc = fields ? store_get(s, id, &rec, e) : ERR_NOMEM;
	if (rc)
		goto out;
	v = version_set_get(&rec.vers, f->id);
	update_of(&in, id, origin, oseq, hlc, fields);
	prev[0].field = f->id;
	prev[0].v.hlc = v->hlc;
	rc = store_actor(s, v->actor, &prev[0].v.node, NULL, e);
	if (rc)
		goto out;
	if (concurrent)
		prev[0].v.hlc -= 1; /* a version it never saw: concurrent */
	in.prev = prev;
	in.nprev = 1;
	rc = store_apply(s, &in, &res, e);
out:
	store_record_release(&rec);
	json_decref(fields);
	return rc;
}

static int merge_round(struct store *s, const struct id *ids,
		       const struct id *origin, uint64_t *oseq, double *secs,
		       struct err *e)
{
	uint64_t base = ((uint64_t)time(NULL) * 1000) << 16;
	double t0 = now_s();

	for (size_t i = 0; i < BENCH_MERGES; i++) {
		const struct id *id = &ids[rng() % BENCH_RECORDS];
		uint64_t seq = ++*oseq;

		if ((i % BENCH_TXN == 0 && store_begin(s, e)) ||
		    merge_one(s, id, origin, seq, base + seq, (int)(i & 1), e))
			return -1;
		if ((i + 1) % BENCH_TXN == 0 && store_commit(s, e))
			return -1;
	}
	*secs = now_s() - t0;
	return 0;
}

/* Version of "count" the other node last wrote on each hot record, so
 * that its next change names it (a fast-forward) without a read. */
struct hot {
	struct id id;
	struct merge_prev last;
};

static int hot_change(struct store *s, struct hot *h, const struct id *origin,
		      uint64_t oseq, uint64_t hlc, struct err *e)
{
	struct store_apply_result res;
	struct store_incoming in;
	json_t *fields = json_pack("{si}", "count", (int)(oseq % 1000));
	int rc;

	if (!fields)
		return err_set(e, ERR_NOMEM, "out of memory");
	update_of(&in, &h->id, origin, oseq, hlc, fields);
	in.prev = &h->last;
	in.nprev = 1;
	rc = store_apply(s, &in, &res, e);
	json_decref(fields);
	if (!rc && !res.applied)
		rc = err_set(e, ERR_FAIL, "a fast-forward was not applied");
	h->last.v.hlc = hlc;
	h->last.v.node = *origin;
	return rc;
}

/* BENCH_HOT records' changes, interleaved, BENCH_HOT * BENCH_HOT_EDITS to
 * a group. */
static int hot_round(struct store *s, struct hot *hot, const struct id *origin,
		     uint64_t *oseq, uint64_t *hlc, double *secs,
		     struct err *e)
{
	double t0 = now_s();

	if (store_begin_whole(s, e))
		return -1;
	for (size_t i = 0; i < BENCH_HOT * BENCH_HOT_EDITS; i++)
		if (hot_change(s, &hot[i % BENCH_HOT], origin, ++*oseq,
			       ++*hlc, e)) {
			store_rollback(s);
			return -1;
		}
	if (store_commit(s, e))
		return -1;
	*secs = now_s() - t0;
	return 0;
}

/* The hot records' current "count" versions, read once. */
static int hot_init(struct store *s, const struct id *ids, struct hot *hot,
		    struct err *e)
{
	const struct schema_field *f =
		schema_field(schema_collection("test_item"), "count");

	for (size_t i = 0; i < BENCH_HOT; i++) {
		struct store_record rec;
		const struct version *v;
		int rc;

		store_record_init(&rec);
		hot[i].id = ids[i * (BENCH_RECORDS / BENCH_HOT)];
		rc = store_get(s, &hot[i].id, &rec, e);
		v = rc ? NULL : version_set_get(&rec.vers, f->id);
		if (!rc && !v)
			rc = err_set(e, ERR_FAIL, "no version of count");
		if (!rc) {
			hot[i].last.field = f->id;
			hot[i].last.v.hlc = v->hlc;
			rc = store_actor(s, v->actor, &hot[i].last.v.node,
					 NULL, e);
		}
		store_record_release(&rec);
		if (rc)
			return rc;
	}
	return 0;
}

int main(void)
{
	uint8_t key[KEYSLOT_KEYFILEBYTES];
	struct store_secret sec = { "bench", KEYSLOT_KEYFILE, key,
				    sizeof(key), NULL };
	const char *tmp = getenv("TMPDIR");
	char dir[4096];
	char node[4200];
	struct store *s = NULL;
	struct store_status st;
	struct id *ids = calloc(BENCH_RECORDS, sizeof(*ids));
	struct hot hot[BENCH_HOT];
	struct id origin;
	uint64_t oseq = 0, hlc;
	double fill_s, m1, m2;
	struct err e;
	int rc = 1;

	err_init(&e);
	snprintf(dir, sizeof(dir), "%s/presidio-bench-merge-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (sodium_init() < 0 || !ids || !mkdtemp(dir))
		return 1;
	randombytes_buf(key, sizeof(key));
	id_generate(&origin);
	snprintf(node, sizeof(node), "%s/node", dir);
	if (store_init(node, "bench", STORE_ROLE_NODE, &sec, &e) ||
	    store_open(&s, node, &e) || store_unlock(s, &sec, &e)) {
		rc = fail("opening", &e);
		goto out;
	}
	printf("merge into a store of %d records (%d merges per round, "
	       "%d per transaction)\n",
	       BENCH_RECORDS, BENCH_MERGES, BENCH_TXN);
	fflush(stdout);
	if (fill(s, ids, &fill_s, &e)) {
		rc = fail("filling", &e);
		goto out;
	}
	printf("  %-44s %9.0f records/s\n", "local writes (create, sealed, logged)",
	       BENCH_RECORDS / fill_s);
	fflush(stdout);
	if (merge_round(s, ids, &origin, &oseq, &m1, &e) ||
	    merge_round(s, ids, &origin, &oseq, &m2, &e)) {
		rc = fail("merging", &e);
		goto out;
	}
	printf("  %-44s %9.0f changes/s\n",
	       "incoming changes merged (round 1)", BENCH_MERGES / m1);
	printf("  %-44s %9.0f changes/s\n",
	       "incoming changes merged (round 2, longer history)",
	       BENCH_MERGES / m2);
	printf("  %-44s %9.1f %%\n", "merge rate / local write rate",
	       100.0 * (BENCH_MERGES / m1) / (BENCH_RECORDS / fill_s));
	if (store_status(s, &st, &e)) {
		rc = fail("status", &e);
		goto out;
	}
	printf("  %-44s %9llu\n", "records with open conflicts",
	       (unsigned long long)st.conflicted);
	fflush(stdout);
	if (hot_init(s, ids, hot, &e)) {
		rc = fail("reading the hot records", &e);
		goto out;
	}
	hlc = ((uint64_t)time(NULL) * 1000 + 1000) << 16;
	for (int r = 0; r < BENCH_HOT_ROUNDS; r++) {
		char what[80];
		double secs;

		if (hot_round(s, hot, &origin, &oseq, &hlc, &secs, &e)) {
			rc = fail("merging a batch", &e);
			goto out;
		}
		snprintf(what, sizeof(what),
			 "batch, %d changes a record (round %d)",
			 BENCH_HOT_EDITS, r + 1);
		printf("  %-44s %9.0f changes/s\n", what,
		       BENCH_HOT * BENCH_HOT_EDITS / secs);
		fflush(stdout);
	}
	rc = 0;
out:
	store_close(s);
	free(ids);
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return rc;
}
