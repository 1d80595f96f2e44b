/*
 * store_search.h - finding people: search by part of a name, birth date or
 * nationality, the duplicate warning at registration, and merging two
 * records of one person (and undoing it).
 *
 * Why an in-memory index built at unlock, not a keyed blind index on disk.
 * A blind index stores HMACs of keys: it answers equality only, so prefix
 * search would need the HMAC of every prefix of every key (a few hundred
 * rows a person, each one a frequency signal an attacker with the file can
 * count: common surnames stand out), and the duplicate check's
 * similarity, which pairs tokens, cannot run on HMACs without loading them
 * all anyway.  A node holds its scope (thousands of persons, 50,000 on the
 * hub), which it can open in well under a second.  So the index lives in
 * this handle's memory only: nothing derived from a name, date or
 * nationality is ever written to disk (no table, no temp table: SQLite's
 * temp_store is MEMORY, store.c), and it dies with the keys.
 *
 * What it holds: per live person its id, merged_into, birth date,
 * nationality, tax code and the namekey (schema/namekey.h) keys of every
 * token of given_name + family_name and of each other_names entry; and
 * three sorted arrays of (key, person) for the strict, loose and stem keys,
 * binary-searched for a query token's prefix (a linear scan of 50,000
 * names takes 14-19 ms at p99; with the sorted arrays a search takes
 * about 0.5 ms at p50 and a few ms at p99, tests/bench/bench_search.c).
 * The price is the build: every person unsealed once, about 1.5 s for
 * 50,000 (the hub's size; a node's scope is a few thousand).
 * Writes since the sort go to an unsorted tail, re-sorted past a size.
 *
 * Kept current lazily, from the change log: the index notes the highest
 * change number it reflects, and every call first reads the persons
 * written after it (local writes, received changes, resolutions, from this
 * handle, another thread's or another process's) and re-indexes them.  An
 * eviction or a start-over (which remove records without a log entry) is
 * seen by the floor and eviction count and rebuilds the index.  Inside an
 * open group (store_begin()) the index answers as of the last commit: it
 * never indexes what a rollback may take back.
 *
 * Lifetime: built on the first call after unlock; wiped (sodium_memzero)
 * and freed whenever this handle's keys go (store_keys_release(): lock,
 * sign-out of its session, switching session, close).  One per handle:
 * handles are per thread (node/store.h), so no lock.
 *
 * Merged records.  A person with merged_into set is a duplicate: search
 * finds it through the record at the end of its merged_into chain (its
 * names count as that record's variants) and reports that record; the
 * duplicate check never offers it on its own.  A chain is followed to
 * its end; store_search_merge() refuses a merge that would close a cycle.
 * Two nodes offline can still make one (A into B here, B into A there):
 * then every member of the cycle is shown as the one with the smallest id,
 * flagged (hit.cycle), the same on every replica, until someone undoes one
 * of the merges.
 * A chain is followed only as far as this node holds it (its scope): a
 * merge stops at the last record held, and search shows the end this
 * node can see.  So two nodes that hold different parts of one chain can
 * merge the same duplicate onto different ends; both write merged_into
 * of that one record, concurrently, which the merge settles like any
 * field (a deterministic winner, the other kept as an open conflict for
 * a person to resolve), and each node shows the end it holds.  What a
 * merge may name is limited on the hub: a pushed merged_into naming a
 * person the pushing node does not see is refused
 * (registry/registry_scope.c), so a node cannot attach its record to a
 * person outside its scope; `presidio person merge` names only a person
 * the node holds.
 */
#ifndef PRESIDIO_STORE_SEARCH_H
#define PRESIDIO_STORE_SEARCH_H

#include <jansson.h>
#include <stddef.h>

#include "common/err.h"
#include "common/id.h"
#include "node/store.h"

#define STORE_SEARCH_LIMIT 20     /* hits when the query says 0 */
#define STORE_SEARCH_LIMIT_MAX 500

/* What to look for; every part set must match.  Zero it for "anything". */
struct store_search_query {
	const char *name;        /* part of a name: any token prefixes, in any
				    order, spelling variants; NULL: any */
	int born_year;           /* 0: any */
	int born_month;          /* with born_day: the exact date; 0: the */
	int born_day;            /* year alone */
	const char *nationality; /* ISO code, any case; NULL: any */
	size_t limit;            /* at most this many hits; 0: the default */
};

struct store_search_hit {
	struct id id;   /* the person (the end of a merged_into chain) */
	unsigned score; /* thousandths: how well the name matched (1000
			   without a name) */
	unsigned merged; /* records merged into it that are held here */
	int cycle;      /* the id stands for a merge cycle (see above) */
};

/*
 * Build this handle's person index now (or bring it up to date), so that
 * the next search does not wait for it: the web interface asks for it
 * once its first page is shown.  0; ERR_AUTH when locked; the store's.
 */
int store_search_prepare(struct store *s, struct err *e) ERR_MUST_USE;

/*
 * Persons matching q, best first (score, then id), at most
 * min(q->limit, cap) into hits, *n set.  0; ERR_AUTH when
 * locked; ERR_INVALID when q->name has no usable token (empty, another
 * script: the message names the rule, never the name) or a date part is
 * out of range.
 */
int store_search_find(struct store *s, const struct store_search_query *q,
		      struct store_search_hit *hits, size_t cap, size_t *n,
		      struct err *e) ERR_MUST_USE;

/* Why a duplicate was proposed (bits of store_search_dup.why). */
#define STORE_DUP_NAME 1u        /* names alike (similarity >= 500) */
#define STORE_DUP_BIRTH 2u       /* the same birth date */
#define STORE_DUP_TAX 4u         /* the same tax code */
#define STORE_DUP_NATIONALITY 8u /* the same nationality */

struct store_search_dup {
	struct id id;     /* the person it may be (end of its chain) */
	unsigned score;   /* thousandths */
	unsigned similar; /* namekey_similarity() of the names */
	unsigned why;     /* STORE_DUP_* */
	int strong;       /* the same tax code, or the same birth date with
			     names at similarity >= 800 and no differing
			     nationality: refuse to create without a person
			     confirming */
};

/*
 * Likely duplicates of a person described by fields (a JSON object with
 * person fields: given_name, family_name, other_names, birth_date,
 * nationality, tax_code; others ignored) among the persons held here (a
 * node holds its scope), best first, at most cap into out, *n set.  self,
 * when not NULL, is the record being checked (left out, as are the
 * records merged into it).  Scoring: the same tax code is 1000 and
 * strong; otherwise two known birth dates that differ exclude; the names'
 * similarity s (the best over the name variants of both) gives 400 +
 * 0.6 s with the same birth date (reported from s >= 500), 0.7 s when a
 * date is missing (reported at s = 1000 only); a known nationality that
 * differs takes 100 off.  Reported from 600.
 */
int store_search_duplicates(struct store *s, const json_t *fields,
			    const struct id *self,
			    struct store_search_dup *out, size_t cap,
			    size_t *n, struct err *e) ERR_MUST_USE;

/*
 * Merge person dup into person into: dup's merged_into is set to the end
 * of into's chain (*end, when not NULL, gets it), an ordinary field write
 * that syncs and converges like any other.  ERR_NOTFOUND (either missing
 * or deleted), ERR_INVALID (not persons, the same record, dup already
 * merged: unmerge it first), ERR_CONFLICT (the merge would close a
 * cycle).
 */
int store_search_merge(struct store *s, const struct id *dup,
		       const struct id *into, struct id *end,
		       struct err *e) ERR_MUST_USE;

/* Undo: clear dup's merged_into.  ERR_NOTFOUND, ERR_INVALID (not a
 * person, or not merged). */
int store_search_unmerge(struct store *s, const struct id *dup,
			 struct err *e) ERR_MUST_USE;

#endif
