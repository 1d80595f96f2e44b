/*
 * bench_search.c - finding people at scale: person search and the
 * duplicate check over 50,000 persons (node/store_search.h).
 *
 *   bench_search WORKLOAD.jsonl
 *
 * Loads the person create lines of a workload (shared/workload/gen.js
 * output, whose names, birth dates and nationalities follow the
 * generator's distribution; tests/bench/run.sh makes one of 50,000
 * persons) into a fresh store, then times, each over BENCH_Q queries
 * drawn from the persons loaded (seeded, so runs compare):
 *
 *   build     the first search after unlock (the index built)
 *   find      a name query as an operator types it: a person's family
 *             name and the first 3 letters of the given name, then the
 *             full name with the birth year, then a 4-letter prefix alone
 *             (limit 20)
 *   dupcheck  the duplicate check of a person's fields
 *   write+dup a new person written, then the duplicate check (the index
 *             catching up with the write first)
 *
 * p50 and p99 in ms; the target is p99 under 20 ms for find and dupcheck.
 * Exit 0 unless something failed (a slow run is reported, not failed).
 */
#include <jansson.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/err.h"
#include "node/store.h"
#include "node/store_search.h"
#include "tests/test.h"

#define BENCH_Q 1000        /* queries timed per figure */
#define BENCH_WRITES 200    /* write + duplicate check rounds */
#define BENCH_TXN 1000      /* persons per load transaction */
#define TARGET_P99_MS 20.0

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double pct(double *v, size_t n, double p)
{
	size_t i;

	qsort(v, n, sizeof(*v), dbl_cmp);
	i = (size_t)(p * (double)(n - 1) + 0.5);
	return v[i];
}

static uint64_t rng = 42;

static size_t pick(size_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (size_t)(rng % n);
}

/* The person fields of every person create line (json_decref each). */
static json_t **load_file(const char *path, size_t *n)
{
	FILE *f = fopen(path, "r");
	json_t **v = NULL;
	size_t cap = 0;
	char *line = NULL;
	size_t len = 0;

	*n = 0;
	if (!f)
		return NULL;
	while (getline(&line, &len, f) > 0) {
		json_t *o, *fields;

		if (!strstr(line, "\"collection\":\"person\""))
			continue;
		o = json_loads(line, 0, NULL);
		fields = json_object_get(o, "fields");
		if (!fields || !json_is_string(json_object_get(o, "id"))) {
			json_decref(o);
			continue;
		}
		if (*n == cap) {
			json_t **nv;

			cap = cap ? 2 * cap : 1024;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				json_decref(o);
				break;
			}
			v = nv;
		}
		v[(*n)++] = o;
	}
	free(line);
	fclose(f);
	return v;
}

static void report(const char *what, double *t, size_t n, int target)
{
	double p50 = pct(t, n, 0.50), p99 = pct(t, n, 0.99);

	printf("  %-10s p50 %7.3f ms  p99 %7.3f ms  (%zu)%s\n", what, p50,
	       p99, n,
	       !target ? "" : p99 < TARGET_P99_MS ? "  target met"
						    : "  TARGET MISSED");
}

/* A name query for person o, of kind k (see the header). */
static void query_of(const json_t *o, int k, char *buf, size_t cap,
		     struct store_search_query *q)
{
	const json_t *f = json_object_get(o, "fields");
	const char *g = json_string_value(json_object_get(f, "given_name"));
	const char *fam = json_string_value(json_object_get(f, "family_name"));
	const char *born = json_string_value(json_object_get(f, "birth_date"));

	memset(q, 0, sizeof(*q));
	g = g ? g : "";
	fam = fam ? fam : "";
	if (k == 0)
		snprintf(buf, cap, "%s %.3s", fam, g);
	else if (k == 1)
		snprintf(buf, cap, "%s %s", g, fam);
	else
		snprintf(buf, cap, "%.4s", fam);
	q->name = buf;
	if (k == 1 && born)
		q->born_year = (int)strtol(born, NULL, 10);
}

static int run(struct store *s, json_t **p, size_t n)
{
	struct store_search_hit hits[STORE_SEARCH_LIMIT];
	struct store_search_dup dups[8];
	static double t[BENCH_Q * 3];
	struct store_search_query q;
	size_t nt = 0, nh, nd;
	char buf[256];
	double t0, total_hits = 0;
	struct err e;

	err_init(&e);
	t0 = now_ms();
	query_of(p[0], 1, buf, sizeof(buf), &q);
	if (store_search_find(s, &q, hits, STORE_SEARCH_LIMIT, &nh, &e))
		goto fail;
	printf("  build      %7.1f ms (first search after unlock, %zu "
	       "persons)\n", now_ms() - t0, n);
	for (size_t i = 0; i < BENCH_Q * 3; i++) {
		query_of(p[pick(n)], (int)(i % 3), buf, sizeof(buf), &q);
		t0 = now_ms();
		if (store_search_find(s, &q, hits, STORE_SEARCH_LIMIT, &nh,
				      &e) && e.code != ERR_INVALID)
			goto fail;
		t[nt++] = now_ms() - t0;
		total_hits += (double)nh;
	}
	report("find", t, nt, 1);
	printf("  %-10s %.1f hits a query on average (limit %d)\n", "",
	       total_hits / (double)nt, STORE_SEARCH_LIMIT);
	nt = 0;
	total_hits = 0;
	for (size_t i = 0; i < BENCH_Q; i++) {
		const json_t *f = json_object_get(p[pick(n)], "fields");

		t0 = now_ms();
		if (store_search_duplicates(s, f, NULL, dups, 8, &nd, &e))
			goto fail;
		t[nt++] = now_ms() - t0;
		total_hits += (double)nd;
	}
	report("dupcheck", t, nt, 1);
	printf("  %-10s %.2f likely duplicates a check on average (the "
	       "person itself included)\n", "", total_hits / (double)nt);
	nt = 0;
	for (size_t i = 0; i < BENCH_WRITES; i++) {
		const json_t *f = json_object_get(p[pick(n)], "fields");

		t0 = now_ms();
		if (store_put(s, "person", NULL, f, NULL, &e) ||
		    store_search_duplicates(s, f, NULL, dups, 8, &nd, &e))
			goto fail;
		t[nt++] = now_ms() - t0;
	}
	report("write+dup", t, nt, 0);
	return 0;
fail:
	fprintf(stderr, "bench_search: %s\n", e.msg);
	return 1;
}

int main(int argc, char **argv)
{
	static uint8_t key[KEYSLOT_KEYFILEBYTES];
	struct store_secret sec = { "bench", KEYSLOT_KEYFILE, key,
				    sizeof(key), NULL };
	char dir[4096];
	const char *tmp = getenv("TMPDIR");
	struct store *s = NULL;
	json_t **p;
	size_t n = 0;
	struct err e;
	double t0;
	int rc = 1;

	if (argc != 2) {
		fprintf(stderr, "usage: bench_search WORKLOAD.jsonl\n");
		return 2;
	}
	if (sodium_init() < 0)
		return 1;
	p = load_file(argv[1], &n);
	if (!p || n == 0) {
		fprintf(stderr, "bench_search: no persons in %s\n", argv[1]);
		free(p);
		return 1;
	}
	err_init(&e);
	memset(key, 5, sizeof(key));
	snprintf(dir, sizeof(dir), "%s/bench-search-%d", tmp ? tmp : "/tmp",
		 (int)getpid());
	if (store_init(dir, "bench", STORE_ROLE_NODE, &sec, &e) ||
	    store_open(&s, dir, &e) || store_unlock(s, &sec, &e))
		goto out;
	t0 = now_ms();
	for (size_t i = 0; i < n; i++) {
		struct id id;
		const json_t *o = p[i];

		if (i % BENCH_TXN == 0 && store_begin(s, &e))
			goto out;
		if (id_parse(&id, json_string_value(json_object_get(o, "id"))) ||
		    store_put(s, "person", &id, json_object_get(o, "fields"),
			      NULL, &e))
			goto out;
		if ((i + 1) % BENCH_TXN == 0 || i + 1 == n)
			if (store_commit(s, &e))
				goto out;
	}
	printf("\nperson search (%zu persons of %s, loaded in %.1f s)\n", n,
	       strrchr(argv[1], '/') ? strrchr(argv[1], '/') + 1 : argv[1],
	       (now_ms() - t0) / 1e3);
	/* A fresh handle: the index is built by the first search. */
	store_close(s);
	s = NULL;
	if (store_open(&s, dir, &e) || store_unlock(s, &sec, &e))
		goto out;
	rc = run(s, p, n);
out:
	if (rc && e.msg[0])
		fprintf(stderr, "bench_search: %s\n", e.msg);
	store_close(s);
	test_rmtree(dir);
	for (size_t i = 0; i < n; i++)
		json_decref(p[i]);
	free(p);
	return rc;
}
