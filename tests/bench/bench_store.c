/*
 * bench_store.c - how fast the store takes records, against plain SQLite
 * on the same machine in the same run, and how long one durable edit
 * takes.
 *
 *   bench_store WORKLOAD.jsonl...
 *
 * For each workload (shared/workload/gen.js output; tests/bench/run.sh
 * makes them) the create lines - the first line of each id - are loaded
 * twice, each time timed over the whole loop including the JSON parse:
 *
 *   plain  a fresh database in WAL mode with synchronous=FULL (as the
 *          store), a rowid table (rid, id BLOB UNIQUE, body TEXT), one
 *          INSERT of the 16-byte id and the fields' JSON text per line,
 *          1000 rows per transaction;
 *   store  store_init/open/unlock with a key-file secret (so Argon2 stays
 *          out of the figures), then store_put per line, store_begin /
 *          store_commit every 1000 lines.
 *
 * Then 500 single-field store_put updates of random records, each its own
 * durable transaction, give the p50 and p99 latency of one edit.
 * Figures go to stdout as aligned text; the exit status is 0 unless
 * something failed (a slow run is reported, not failed).
 */
#include <errno.h>
#include <ftw.h>
#include <jansson.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <time.h>

#ifndef TMPFS_MAGIC
#define TMPFS_MAGIC 0x01021994
#endif

#include "common/err.h"
#include "common/id.h"
#include "node/store.h"
#include "tests/test.h"

#define BENCH_TXN 1000    /* rows per transaction, both sides */
#define BENCH_ROUNDS 3 /* plain/store pairs; the median is kept */
#define BENCH_EDITS 500   /* single durable edits timed */
#define BENCH_COLL_MAX 32 /* longest collection name kept */
#define TARGET_SHARE 40.0 /* store as % of plain, at least */
#define TARGET_RATE 30000.0 /* store records/s, at least */

/* One create line of the workload. */
struct line {
	const char *text;          /* the JSON line, NUL-terminated */
	size_t len;                /* its length */
	struct id id;              /* the record's id */
	char coll[BENCH_COLL_MAX]; /* its collection */
};

/* The create lines of one workload file. */
struct workload {
	char *buf;          /* the file, lines cut at '\n' */
	struct line *lines; /* create lines, in file order */
	size_t n;           /* how many */
	size_t total;       /* lines in the file, updates included */
};

/* Open-addressing set of ids, to tell a create from a later update. */
struct idset {
	struct id *slots; /* zero id = empty */
	size_t cap;       /* power of two */
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int idset_init(struct idset *set, size_t n)
{
	set->cap = 1024;
	while (set->cap < n * 2)
		set->cap *= 2;
	set->slots = calloc(set->cap, sizeof(*set->slots));
	return set->slots ? 0 : -1;
}

/* 1 when id was added, 0 when it was there already. */
static int idset_add(struct idset *set, const struct id *id)
{
	uint64_t h;
	size_t i;

	memcpy(&h, id->b, sizeof(h));
	for (i = (size_t)h & (set->cap - 1);; i = (i + 1) & (set->cap - 1)) {
		if (id_is_zero(&set->slots[i])) {
			set->slots[i] = *id;
			return 1;
		}
		if (id_cmp(&set->slots[i], id) == 0)
			return 0;
	}
}

/* Read path and keep its create lines.  0 or -1 with a message printed. */
static int workload_load(struct workload *w, const char *path)
{
	struct idset set = { NULL, 0 };
	size_t len = 0, nl = 0, i;
	char *p, *end;
	int rc = -1;

	memset(w, 0, sizeof(*w));
	w->buf = test_read_file(path, &len);
	if (!w->buf) {
		fprintf(stderr, "bench_store: cannot read %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	for (i = 0; i < len; i++)
		nl += w->buf[i] == '\n';
	w->lines = calloc(nl + 1, sizeof(*w->lines));
	if (!w->lines || idset_init(&set, nl + 1) < 0) {
		fprintf(stderr, "bench_store: out of memory\n");
		goto out;
	}
	for (p = w->buf, end = w->buf + len; p < end;) {
		char *eol = memchr(p, '\n', (size_t)(end - p));
		struct line *l = &w->lines[w->n];
		json_error_t je;
		json_t *o;
		const char *ids, *coll;

		if (!eol)
			eol = end;
		*eol = '\0';
		l->text = p;
		l->len = (size_t)(eol - p);
		p = eol + 1;
		if (l->len == 0)
			continue;
		w->total++;
		o = json_loadb(l->text, l->len, 0, &je);
		ids = json_string_value(json_object_get(o, "id"));
		coll = json_string_value(json_object_get(o, "collection"));
		if (!o || !ids || !coll || strlen(coll) >= BENCH_COLL_MAX ||
		    id_parse(&l->id, ids) < 0) {
			fprintf(stderr, "bench_store: %s:%zu: not a workload "
				"line\n", path, w->total);
			json_decref(o);
			goto out;
		}
		memcpy(l->coll, coll, strlen(coll) + 1);
		json_decref(o);
		if (idset_add(&set, &l->id))
			w->n++;
	}
	rc = 0;
out:
	free(set.slots);
	return rc;
}

static void workload_release(struct workload *w)
{
	free(w->lines);
	free(w->buf);
}

static int on_tmpfs(const char *path)
{
	struct statfs fs;

	return statfs(path, &fs) == 0 && fs.f_type == TMPFS_MAGIC;
}

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* ---- plain SQLite ---- */

static int plain_exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "bench_store: plain: %s: %s\n", sql,
			msg ? msg : "?");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/* Load the create lines into a plain table; *secs is the loop's time. */
static int bench_plain(const struct workload *w, const char *dir,
		       double *secs)
{
	char path[4096];
	sqlite3 *db = NULL;
	sqlite3_stmt *ins = NULL;
	double t0;
	size_t i;
	int rc = -1;

	snprintf(path, sizeof(path), "%s/plain.db", dir);
	if (sqlite3_open(path, &db) != SQLITE_OK) {
		fprintf(stderr, "bench_store: plain: cannot open %s\n", path);
		goto out;
	}
	if (plain_exec(db, "PRAGMA journal_mode=WAL;"
			   "PRAGMA synchronous=FULL;"
			   "CREATE TABLE record (rid INTEGER PRIMARY KEY,"
			   " id BLOB UNIQUE, body TEXT);") < 0)
		goto out;
	if (sqlite3_prepare_v2(db, "INSERT INTO record (id, body) VALUES (?, ?)",
			       -1, &ins, NULL) != SQLITE_OK)
		goto out;

	t0 = now_s();
	for (i = 0; i < w->n; i++) {
		const struct line *l = &w->lines[i];
		json_error_t je;
		json_t *o;
		const char *ids;
		struct id id;
		char *body;

		if (i % BENCH_TXN == 0 && plain_exec(db, "BEGIN") < 0)
			goto out;
		o = json_loadb(l->text, l->len, 0, &je);
		ids = json_string_value(json_object_get(o, "id"));
		body = json_dumps(json_object_get(o, "fields"), JSON_COMPACT);
		if (!ids || !body || id_parse(&id, ids) < 0) {
			fprintf(stderr, "bench_store: plain: bad line\n");
			free(body);
			json_decref(o);
			goto out;
		}
		sqlite3_bind_blob(ins, 1, id.b, ID_BYTES, SQLITE_TRANSIENT);
		sqlite3_bind_text(ins, 2, body, -1, free);
		json_decref(o);
		if (sqlite3_step(ins) != SQLITE_DONE) {
			fprintf(stderr, "bench_store: plain: insert: %s\n",
				sqlite3_errmsg(db));
			goto out;
		}
		sqlite3_reset(ins);
		if ((i + 1) % BENCH_TXN == 0 || i + 1 == w->n)
			if (plain_exec(db, "COMMIT") < 0)
				goto out;
	}
	*secs = now_s() - t0;
	rc = 0;
out:
	sqlite3_finalize(ins);
	sqlite3_close(db);
	return rc;
}

/* ---- the store ---- */

/* Load the create lines with store_put; leaves the store open in *out. */
static int bench_store(const struct workload *w, const char *dir,
		       struct store **out, double *secs)
{
	uint8_t key[KEYSLOT_KEYFILEBYTES];
	struct store_secret sec = { "bench", KEYSLOT_KEYFILE, key,
				     sizeof(key), NULL };
	char path[4096];
	struct store *s = NULL;
	struct err e;
	double t0;
	size_t i;
	int rc;

	err_init(&e);
	randombytes_buf(key, sizeof(key));
	snprintf(path, sizeof(path), "%s/node", dir);
	rc = store_init(path, "bench", STORE_ROLE_NODE, &sec, &e);
	if (!rc)
		rc = store_open(&s, path, &e);
	if (!rc)
		rc = store_unlock(s, &sec, &e);
	sodium_memzero(key, sizeof(key));
	if (rc)
		goto out;

	t0 = now_s();
	for (i = 0; i < w->n && !rc; i++) {
		const struct line *l = &w->lines[i];
		json_error_t je;
		json_t *o;

		if (i % BENCH_TXN == 0)
			rc = store_begin(s, &e);
		if (rc)
			break;
		o = json_loadb(l->text, l->len, 0, &je);
		if (!o) {
			rc = err_set(&e, ERR_INVALID, "bad line");
			break;
		}
		rc = store_put(s, l->coll, &l->id, json_object_get(o, "fields"),
			       NULL, &e);
		json_decref(o);
		if (!rc && ((i + 1) % BENCH_TXN == 0 || i + 1 == w->n))
			rc = store_commit(s, &e);
	}
	if (rc)
		store_rollback(s);
	*secs = now_s() - t0;
out:
	if (rc) {
		fprintf(stderr, "bench_store: store: %s\n", e.msg);
		store_close(s);
		return -1;
	}
	*out = s;
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* BENCH_EDITS single-field updates, each its own transaction. */
static int bench_edits(struct store *s, const struct workload *w,
		       double *p50, double *p99, double *max)
{
	static double ms[BENCH_EDITS];
	struct err e;
	size_t i;

	err_init(&e);
	for (i = 0; i < BENCH_EDITS; i++) {
		const struct line *l =
			&w->lines[randombytes_uniform((uint32_t)w->n)];
		char value[64];
		json_t *fields;
		double t0;
		int rc;

		snprintf(value, sizeof(value), "bench-edit-%zu", i);
		fields = json_pack("{ss}", "created_by", value);
		if (!fields)
			return -1;
		t0 = now_s();
		rc = store_put(s, l->coll, &l->id, fields, NULL, &e);
		ms[i] = (now_s() - t0) * 1000.0;
		json_decref(fields);
		if (rc) {
			fprintf(stderr, "bench_store: edit: %s\n", e.msg);
			return -1;
		}
	}
	qsort(ms, BENCH_EDITS, sizeof(ms[0]), cmp_double);
	*p50 = ms[BENCH_EDITS / 2];
	*p99 = ms[BENCH_EDITS * 99 / 100];
	*max = ms[BENCH_EDITS - 1];
	return 0;
}

static int bench_file(const char *path)
{
	char dir[2048];
	const char *tmp = getenv("TMPDIR");
	struct workload w;
	struct store *s = NULL;
	double plain_s = 0, store_s = 0, p50 = 0, p99 = 0, max = 0;
	double plain_runs[BENCH_ROUNDS], store_runs[BENCH_ROUNDS];
	double plain_rate, store_rate, share;
	int rc = -1;

	if (workload_load(&w, path) < 0) {
		workload_release(&w);
		return -1;
	}
	snprintf(dir, sizeof(dir), "%s/bench-store-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		fprintf(stderr, "bench_store: mkdtemp: %s\n", strerror(errno));
		workload_release(&w);
		return -1;
	}
	printf("workload %s\n", path);
	printf("  databases in %s%s\n", dir,
	       on_tmpfs(dir) ? " (tmpfs: fsync costs nothing here)" : "");
	printf("  %zu lines, %zu creates loaded, %zu rows per transaction, "
	       "median of %d rounds\n",
	       w.total, w.n, (size_t)BENCH_TXN, BENCH_ROUNDS);
	if (w.n == 0) {
		fprintf(stderr, "bench_store: %s: no create lines\n", path);
		goto out;
	}
	fflush(stdout);
	/* Rounds alternate plain and store so that both see the same state of
	 * the machine; the median of each is reported. */
	for (int r = 0; r < BENCH_ROUNDS; r++) {
		char sub[2100];

		snprintf(sub, sizeof(sub), "%s/round%d", dir, r);
		store_close(s);
		s = NULL;
		if (mkdir(sub, 0700) < 0 ||
		    bench_plain(&w, sub, &plain_runs[r]) < 0 ||
		    bench_store(&w, sub, &s, &store_runs[r]) < 0)
			goto out;
	}
	qsort(plain_runs, BENCH_ROUNDS, sizeof(double), cmp_double);
	qsort(store_runs, BENCH_ROUNDS, sizeof(double), cmp_double);
	plain_s = plain_runs[BENCH_ROUNDS / 2];
	store_s = store_runs[BENCH_ROUNDS / 2];
	if (bench_edits(s, &w, &p50, &p99, &max) < 0)
		goto out;

	plain_rate = (double)w.n / plain_s;
	store_rate = (double)w.n / store_s;
	share = 100.0 * store_rate / plain_rate;
	printf("  %-42s %9.0f records/s %7.2f s\n",
	       "plain SQLite (WAL, synchronous=FULL)", plain_rate, plain_s);
	printf("  %-42s %9.0f records/s %7.2f s\n",
	       "store (sealed record + change log)", store_rate, store_s);
	printf("  %-42s %9.1f %%\n", "store / plain", share);
	printf("  %-42s %9s\n", "target >= 40% of plain, >= 30000 records/s",
	       share >= TARGET_SHARE && store_rate >= TARGET_RATE ? "met"
								  : "NOT MET");
	printf("  %-42s %9.2f ms\n", "single durable edit p50", p50);
	printf("  %-42s %9.2f ms\n", "single durable edit p99", p99);
	printf("  %-42s %9.2f ms\n", "single durable edit max", max);
	rc = 0;
out:
	store_close(s);
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	workload_release(&w);
	return rc;
}

int main(int argc, char **argv)
{
	int rc = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: bench_store WORKLOAD.jsonl...\n");
		return 2;
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "bench_store: sodium_init failed\n");
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = 1; i < argc; i++) {
		if (bench_file(argv[i]) < 0)
			rc = 1;
		if (i + 1 < argc)
			printf("\n");
	}
	return rc;
}
