/*
 * store_search.c - the person index of node/store_search.h: building it
 * from the live persons, keeping it current from the change log, the
 * sorted key arrays, the id map and merged_into chains.  The queries over
 * it (find, duplicates) and merge are store_person.c's.
 *
 * Slots are append-only: a person written again gets a new slot and the
 * old one is marked dead, its keys left in the arrays (queries skip dead
 * slots) until a compaction, which happens when the unsorted tails or
 * the dead slots grow past a fraction of the whole.  So a write costs a
 * few appends, not a memmove of the sorted arrays, and the arrays are
 * re-sorted once per many writes (qsort of 150,000 short keys: ~30 ms).
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "node/store_int.h"
#include "node/store_search.h"
#include "schema/namekey.h"

#define TAIL_MAX 2048 /* unsorted keys of an array before a compaction */
#define CHAIN_MAX 32  /* merged_into steps followed, at most */

/* ---- persons ------------------------------------------------------- */

int store_search_grow(void **p, size_t used, size_t n, struct err *e)
{
	void *nb = malloc(n);

	if (!nb)
		return err_set(e, ERR_NOMEM, "out of memory");
	if (*p) {
		memcpy(nb, *p, used);
		sodium_memzero(*p, used);
		free(*p);
	}
	*p = nb;
	return 0;
}

const char *store_search_next(const char *key)
{
	return key + strlen(key) + 1;
}

void store_search_person_release(struct store_search_person *p)
{
	if (!p)
		return;
	if (p->blob)
		sodium_memzero(p->blob, p->bloblen);
	free(p->blob);
	if (p->tax)
		sodium_memzero(p->tax, strlen(p->tax));
	free(p->tax);
	sodium_memzero(p, sizeof(*p));
}

/* Append the keys of name (len bytes) to p as one variant. */
static int add_variant(struct store_search_person *p, const char *name,
		       size_t len, struct err *e)
{
	struct namekey_set set;
	int rc = 0;

	if (p->nvar == STORE_SEARCH_VARIANTS_MAX)
		return 0;
	/* A name namekey refuses (another script, too long) is not
	 * searchable; the record is still written and shown. */
	if (namekey_tokens(name, len, &set, NULL))
		return 0;
	for (size_t i = 0; i < set.n && p->ntok < STORE_SEARCH_BAG_MAX; i++) {
		const struct namekey_token *t = &set.tok[i];
		size_t a = strlen(t->strict) + 1, b = strlen(t->loose) + 1,
		       c = strlen(t->stem) + 1;
		char *nb = malloc(p->bloblen + a + b + c);

		if (!nb || p->bloblen > UINT16_MAX - a - b - c) {
			free(nb);
			rc = err_set(e, ERR_NOMEM, "out of memory");
			goto out;
		}
		if (p->blob) {
			memcpy(nb, p->blob, p->bloblen);
			sodium_memzero(p->blob, p->bloblen);
			free(p->blob);
		}
		p->blob = nb;
		p->tok[p->ntok++] = (uint16_t)p->bloblen;
		memcpy(nb + p->bloblen, t->strict, a);
		memcpy(nb + p->bloblen + a, t->loose, b);
		memcpy(nb + p->bloblen + a + b, t->stem, c);
		p->bloblen += a + b + c;
	}
	if (p->nvar == 0 || p->var_end[p->nvar - 1] != p->ntok)
		p->var_end[p->nvar++] = p->ntok;
out:
	namekey_set_wipe(&set);
	return rc;
}

/* YYYY-MM-DD to YYYYMMDD, 0 when not a date. */
static int32_t parse_date(const char *s)
{
	int32_t v = 0;

	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (size_t i = 0; i < 10; i++) {
		if (i == 4 || i == 7)
			continue;
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* The tax code as compared: upper case, spaces out; NULL when none. */
static char *tax_of(const char *s)
{
	size_t n = 0;
	char *t;

	if (!s || !*s)
		return NULL;
	t = malloc(strlen(s) + 1);
	if (!t)
		return NULL;
	for (; *s; s++)
		if (*s != ' ')
			t[n++] = (*s >= 'a' && *s <= 'z') ? (char)(*s - 32) : *s;
	t[n] = '\0';
	if (n == 0) {
		free(t);
		return NULL;
	}
	return t;
}

/* The text of field name of fields (name NULL: not declared). */
static const char *search_text(const json_t *fields, const char *name)
{
	return name ? json_string_value(json_object_get(fields, name)) : NULL;
}

int store_search_person_fill(struct store_search_person *p,
			     const json_t *fields, struct err *e)
{
	const struct schema_collection *c = schema_search_collection();
	const struct schema_search *k = c ? c->search : NULL;
	const char *given = k ? search_text(fields, k->given) : NULL;
	const char *family = k ? search_text(fields, k->family) : NULL;
	const char *nat = k ? search_text(fields, k->nationality) : NULL;
	const char *tax = k ? search_text(fields, k->tax_code) : NULL;
	const char *into = k ? search_text(fields, k->merged_into) : NULL;
	const json_t *others =
		k && k->others ? json_object_get(fields, k->others) : NULL;
	char buf[2 * NAMEKEY_INPUT_MAX + 2];
	size_t i;
	int rc = 0;

	memset(p, 0, sizeof(*p));
	/* The main name is given and family name together: a query of
	 * both matches tokens of the two. */
	snprintf(buf, sizeof(buf), "%s %s", given ? given : "",
		 family ? family : "");
	rc = add_variant(p, buf, strlen(buf), e);
	sodium_memzero(buf, sizeof(buf));
	/* Together too long for namekey (or one of them unusable): each
	 * on its own, so that the other still finds the person. */
	if (!rc && p->nvar == 0) {
		if (given)
			rc = add_variant(p, given, strlen(given), e);
		if (!rc && family)
			rc = add_variant(p, family, strlen(family), e);
	}
	for (i = 0; !rc && i < json_array_size(others); i++) {
		const char *o = json_string_value(json_array_get(others, i));

		if (o)
			rc = add_variant(p, o, strlen(o), e);
	}
	if (rc)
		goto out;
	p->born = parse_date(k ? search_text(fields, k->birth_date) : NULL);
	for (i = 0; nat && nat[i] && i < sizeof(p->nat) - 1; i++)
		p->nat[i] = (nat[i] >= 'a' && nat[i] <= 'z')
				    ? (char)(nat[i] - 32)
				    : nat[i];
	p->nat[i] = '\0';
	if (tax && *tax) {
		p->tax = tax_of(tax);
		if (!p->tax && strspn(tax, " ") != strlen(tax))
			rc = err_set(e, ERR_NOMEM, "out of memory");
	}
	if (into && id_parse(&p->into, into) == 0)
		p->has_into = 1;
out:
	if (rc)
		store_search_person_release(p);
	return rc;
}

/* ---- the id map ---------------------------------------------------- */

static size_t id_hash(const struct id *id, size_t cap)
{
	uint64_t h;

	/* Ids are random: their first bytes are as good as a hash. */
	memcpy(&h, id->b, sizeof(h));
	return (size_t)(h & (cap - 1));
}

uint32_t store_search_slot(const struct store_search *x, const struct id *id)
{
	if (!x->mapcap)
		return STORE_SEARCH_NONE;
	for (size_t i = id_hash(id, x->mapcap);; i = (i + 1) & (x->mapcap - 1)) {
		uint32_t v = x->map[i];

		if (v == STORE_SEARCH_NONE)
			return v;
		if (memcmp(x->p[v].id.b, id->b, ID_BYTES) == 0)
			return v;
	}
}

/* Point id's entry at slot (added when missing); the map is at most
 * half full (map_grow() first). */
static void map_set(struct store_search *x, uint32_t slot)
{
	const struct id *id = &x->p[slot].id;
	size_t i = id_hash(id, x->mapcap);

	while (x->map[i] != STORE_SEARCH_NONE &&
	       memcmp(x->p[x->map[i]].id.b, id->b, ID_BYTES) != 0)
		i = (i + 1) & (x->mapcap - 1);
	x->map[i] = slot;
}

/* A map of room for n slots, filled with the live ones. */
static int map_build(struct store_search *x, size_t n, struct err *e)
{
	size_t cap = 64;

	while (cap < 2 * n)
		cap *= 2;
	free(x->map);
	x->map = malloc(cap * sizeof(*x->map));
	x->mapcap = x->map ? cap : 0;
	if (!x->map)
		return err_set(e, ERR_NOMEM, "out of memory");
	memset(x->map, 0xFF, cap * sizeof(*x->map));
	for (size_t i = 0; i < x->np; i++)
		if (x->p[i].live)
			map_set(x, (uint32_t)i);
	return 0;
}

/* ---- key arrays ---------------------------------------------------- */

static int key_cmp(const void *a, const void *b)
{
	const struct store_search_key *ka = a, *kb = b;
	int c = strcmp(ka->k, kb->k);

	if (c)
		return c;
	return ka->p < kb->p ? -1 : ka->p > kb->p;
}

static int key_add(struct store_search *x, int a, const char *k, uint32_t p,
		   struct err *e)
{
	if (x->nkey[a] == x->capkey[a]) {
		size_t cap = x->capkey[a] ? 2 * x->capkey[a] : 1024;
		void *nk = x->key[a];

		if (store_search_grow(&nk, x->capkey[a] * sizeof(*x->key[a]),
				      cap * sizeof(*x->key[a]), e))
			return ERR_NOMEM;
		x->key[a] = nk;
		x->capkey[a] = cap;
	}
	x->key[a][x->nkey[a]].k = k;
	x->key[a][x->nkey[a]].p = p;
	x->nkey[a]++;
	return 0;
}

static int keys_of(struct store_search *x, uint32_t slot, struct err *e)
{
	const struct store_search_person *p = &x->p[slot];
	int rc = 0;

	for (size_t i = 0; !rc && i < p->ntok; i++) {
		const char *strict = store_search_strict(p, i);
		const char *loose = store_search_next(strict);

		rc = key_add(x, STORE_SEARCH_STRICT, strict, slot, e);
		if (!rc)
			rc = key_add(x, STORE_SEARCH_LOOSE, loose, slot, e);
		if (!rc)
			rc = key_add(x, STORE_SEARCH_STEM,
				     store_search_next(loose), slot, e);
	}
	return rc;
}

/* 1 when key k passes (prefix, or equal when exact). */
static int key_ok(const char *k, const char *prefix, size_t n, int exact)
{
	return exact ? strcmp(k, prefix) == 0 : strncmp(k, prefix, n) == 0;
}

void store_search_each(const struct store_search *x, int a,
		       const char *prefix, int exact, store_search_fn fn,
		       void *ctx)
{
	const struct store_search_key *k = x->key[a];
	size_t n = strlen(prefix), l = 0, h = x->sorted[a];

	if (n == 0)
		return;
	while (l < h) {
		size_t m = l + (h - l) / 2;

		if (strcmp(k[m].k, prefix) < 0)
			l = m + 1;
		else
			h = m;
	}
	for (; l < x->sorted[a] && key_ok(k[l].k, prefix, n, exact); l++)
		if (x->p[k[l].p].live)
			fn(ctx, k[l].p);
	/* The tail: keys written since the last sort, at most TAIL_MAX. */
	for (l = x->sorted[a]; l < x->nkey[a]; l++)
		if (x->p[k[l].p].live && key_ok(k[l].k, prefix, n, exact))
			fn(ctx, k[l].p);
}

/* Drop dead slots, renumber, rebuild map and sorted arrays. */
static int compact(struct store_search *x, struct err *e)
{
	size_t n = 0;
	int rc = 0;

	for (size_t i = 0; i < x->np; i++) {
		if (!x->p[i].live) {
			store_search_person_release(&x->p[i]);
			continue;
		}
		if (n != i) {
			x->p[n] = x->p[i];
			memset(&x->p[i], 0, sizeof(x->p[i]));
		}
		n++;
	}
	x->np = n;
	x->ndead = 0;
	for (int a = 0; a < 3; a++)
		x->nkey[a] = x->sorted[a] = 0;
	for (size_t i = 0; !rc && i < n; i++)
		rc = keys_of(x, (uint32_t)i, e);
	if (!rc)
		rc = map_build(x, n, e);
	for (int a = 0; !rc && a < 3; a++) {
		if (x->nkey[a])
			qsort(x->key[a], x->nkey[a], sizeof(*x->key[a]),
			      key_cmp);
		x->sorted[a] = x->nkey[a];
	}
	return rc;
}

/* Index the record (fields NULL: it is gone). */
static int note(struct store_search *x, const struct id *id,
		const json_t *fields, struct err *e)
{
	uint32_t old = store_search_slot(x, id), slot;
	struct store_search_person *p;
	int rc;

	if (old != STORE_SEARCH_NONE && x->p[old].live) {
		x->p[old].live = 0;
		x->ndead++;
	}
	if (!fields)
		return 0;
	if (x->np == x->capp) {
		size_t cap = x->capp ? 2 * x->capp : 1024;
		void *np = x->p;

		/* Not realloc(): the old slots hold every person's birth
		 * date, nationality and merge link. */
		if (store_search_grow(&np, x->np * sizeof(*x->p),
				      cap * sizeof(*x->p), e))
			return ERR_NOMEM;
		x->p = np;
		x->capp = cap;
	}
	p = &x->p[x->np];
	rc = store_search_person_fill(p, fields, e);
	if (rc)
		return rc;
	p->id = *id;
	p->live = 1;
	slot = (uint32_t)x->np++;
	if (2 * x->np > x->mapcap)
		rc = map_build(x, x->np, e);
	else
		map_set(x, slot);
	if (!rc)
		rc = keys_of(x, slot, e);
	return rc;
}

/* ---- building and catching up ------------------------------------- */

void store_search_free(struct store_search *x)
{
	if (!x)
		return;
	for (size_t i = 0; i < x->np; i++)
		store_search_person_release(&x->p[i]);
	free(x->p);
	free(x->map);
	for (int a = 0; a < 3; a++) {
		if (x->key[a])
			sodium_memzero(x->key[a],
				       x->capkey[a] * sizeof(*x->key[a]));
		free(x->key[a]);
	}
	sodium_memzero(x, sizeof(*x));
	free(x);
}

/* What the index must agree with: the change log's last number, the
 * floor and the evictions (which remove records without entries). */
static int stamp(struct store *s, uint64_t *seq, int64_t *floor,
		 int64_t *evictions, struct err *e)
{
	struct store_q *st;
	int rc = store_last_seq(s, seq, e);

	*floor = *evictions = 0;
	if (rc)
		return rc;
	rc = store_meta_get_int(s, "seq_floor", floor, NULL);
	if (rc == ERR_NOTFOUND)
		rc = 0;
	if (rc)
		return err_set(e, rc, "reading the change log's floor");
	/* An erasure rewrites persons without a log entry too. */
	st = store_q(s, "SELECT coalesce((SELECT max(rowid) FROM eviction), "
			"0) + coalesce((SELECT max(seq) FROM erasure), 0)",
		     "reading evictions");
	if (store_q_row(st))
		*evictions = store_q_col_i64(st, 0);
	return store_q_end(st, e);
}

static int build_one(void *ctx, const struct store_record *r)
{
	struct store_search *x = ctx;

	return note(x, &r->id, r->fields, NULL) ? ERR_NOMEM : 0;
}

static int build(struct store *s, struct store_search *x, struct err *e)
{
	const struct schema_collection *c = schema_search_collection();
	int rc = c ? store_list(s, c->name, 0, build_one, x, e) : 0;

	if (rc == ERR_NOMEM)
		err_set(e, ERR_NOMEM, "out of memory");
	return rc ? rc : compact(x, e);
}

/* Re-index the persons written after x->seq. */
static int catch_up(struct store *s, struct store_search *x, struct err *e)
{
	const struct schema_collection *c = schema_search_collection();
	struct store_record r;
	struct id *ids = NULL;
	size_t n = 0, cap = 0;
	struct store_q *st;
	int rc = 0;

	/* CROSS JOIN: the entries after seq first (a few), never a scan of
	 * every record.  A record written twice is read twice: harmless. */
	st = store_q(s, "SELECT r.id FROM change c CROSS JOIN record r ON "
			"r.rid = c.rid WHERE c.seq > ?1 AND r.coll = ?2",
		     "reading the change log");
	store_q_bind_int(st, 1, (int64_t)x->seq);
	store_q_bind_int(st, 2, c ? c->id : 0); /* 0: no collection */
	while (!rc && store_q_row(st)) {
		if (n == cap) {
			void *ni = ids;

			cap = cap ? 2 * cap : 64;
			rc = store_search_grow(&ni, n * sizeof(*ids),
					       cap * sizeof(*ids), e);
			if (rc)
				break;
			ids = ni;
		}
		if (store_q_col_bytes(st, 0) == ID_BYTES)
			memcpy(ids[n++].b, store_q_col_blob(st, 0), ID_BYTES);
	}
	rc = store_q_done(st, rc, e);
	store_record_init(&r);
	for (size_t i = 0; !rc && i < n; i++) {
		rc = store_get(s, &ids[i], &r, e);
		if (rc == ERR_NOTFOUND)
			rc = note(x, &ids[i], NULL, e);
		else if (!rc)
			rc = note(x, &ids[i], r.deleted ? NULL : r.fields, e);
	}
	store_record_release(&r);
	free(ids);
	if (!rc && (x->nkey[0] - x->sorted[0] > TAIL_MAX ||
		    x->ndead > x->np / 4 + 64))
		rc = compact(x, e);
	return rc;
}

int store_search_index(struct store *s, struct store_search **out,
		       struct err *e)
{
	struct store_search *x = s->search;
	int64_t floor, evictions;
	uint64_t seq;
	int rc = store_require_unlocked(s, e);

	*out = NULL;
	if (rc)
		return rc;
	rc = stamp(s, &seq, &floor, &evictions, e);
	if (rc)
		return rc;
	if (x && (x->stale || floor != x->floor || evictions != x->evictions ||
		  seq < x->seq)) {
		store_search_free(x);
		x = s->search = NULL;
	}
	if (!x) {
		x = calloc(1, sizeof(*x));
		if (!x)
			return err_set(e, ERR_NOMEM, "out of memory");
		s->search = x;
		rc = build(s, x, e);
		x->stale = store_in_tx(s);
	} else if (seq > x->seq && !store_in_tx(s)) {
		rc = catch_up(s, x, e);
	} else {
		seq = x->seq; /* inside a group: as of the last commit */
	}
	if (rc) {
		store_search_free(x);
		s->search = NULL;
		return rc;
	}
	x->seq = seq;
	x->floor = floor;
	x->evictions = evictions;
	*out = x;
	return 0;
}

/* ---- merged_into chains ------------------------------------------- */

uint32_t store_search_resolve(const struct store_search *x, uint32_t slot,
			      int *cycle)
{
	uint32_t seen[CHAIN_MAX];
	size_t n = 0;
	uint32_t cur = slot;

	*cycle = 0;
	while (n < CHAIN_MAX) {
		const struct store_search_person *p = &x->p[cur];
		uint32_t next;

		seen[n++] = cur;
		if (!p->has_into)
			return cur;
		next = store_search_slot(x, &p->into);
		if (next == STORE_SEARCH_NONE || !x->p[next].live)
			return cur;
		for (size_t i = 0; i < n; i++) {
			uint32_t best = next;

			if (seen[i] != next)
				continue;
			/* A cycle: seen[i..n) are its members. */
			for (size_t j = i; j < n; j++)
				if (memcmp(x->p[seen[j]].id.b,
					   x->p[best].id.b, ID_BYTES) < 0)
					best = seen[j];
			*cycle = 1;
			return best;
		}
		cur = next;
	}
	return cur;
}
