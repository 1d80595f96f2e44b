/*
 * store_person.c - the queries of node/store_search.h over the person
 * index (store_search.c): find, duplicates, and merge / unmerge.
 *
 * find: every query token marks, in a bit per slot, the persons with a
 * token it matches (four key lookups: strict prefix, loose equal, stem
 * prefix of stem and of loose); the persons with every bit then need the
 * tokens paired one to one (namekey's rule: "m m" is two names), checked
 * on their own keys.  Duplicates: the candidates are those with the same
 * tax code or birth date, and those holding every loose key of one of the
 * new person's names (a name alike enough with no date to compare);
 * namekey_similarity() then scores them.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "node/store_int.h"
#include "node/store_search.h"
#include "schema/namekey.h"

/* Scratch of one query: a word of bits per slot, and the query. */
struct scan {
	struct store_search *x;
	uint16_t *bits;
	uint16_t bit;
};

static void mark(void *ctx, uint32_t slot)
{
	struct scan *sc = ctx;

	sc->bits[slot] |= sc->bit;
}

/* Mark the slots with a token that query token q matches. */
static void mark_token(struct scan *sc, const struct namekey_token *q)
{
	store_search_each(sc->x, STORE_SEARCH_STRICT, q->strict, 0, mark, sc);
	store_search_each(sc->x, STORE_SEARCH_LOOSE, q->loose, 1, mark, sc);
	store_search_each(sc->x, STORE_SEARCH_STEM, q->stem, 0, mark, sc);
	store_search_each(sc->x, STORE_SEARCH_LOOSE, q->stem, 0, mark, sc);
}

/* ---- pairing a query with a person's tokens (namekey's rule) ------- */

struct pairing {
	const struct namekey_set *q;
	const struct store_search_person *p;
	int owner[STORE_SEARCH_BAG_MAX];
	int seen[STORE_SEARCH_BAG_MAX];
};

static int tok_match(const struct pairing *pr, size_t i, size_t j)
{
	const char *strict = store_search_strict(pr->p, j);
	const char *loose = store_search_next(strict);

	return namekey_keys_match(&pr->q->tok[i], strict, loose,
				  store_search_next(loose));
}

static int augment(struct pairing *pr, size_t i)
{
	for (size_t j = 0; j < pr->p->ntok; j++) {
		if (pr->seen[j] || !tok_match(pr, i, j))
			continue;
		pr->seen[j] = 1;
		if (pr->owner[j] < 0 || augment(pr, (size_t)pr->owner[j])) {
			pr->owner[j] = (int)i;
			return 1;
		}
	}
	return 0;
}

/* 1 when every query token matches a distinct token of p. */
static int pairs_all(const struct namekey_set *q,
		     const struct store_search_person *p)
{
	struct pairing pr = { .q = q, .p = p };

	if (q->n > p->ntok)
		return 0;
	for (size_t j = 0; j < STORE_SEARCH_BAG_MAX; j++)
		pr.owner[j] = -1;
	for (size_t i = 0; i < q->n; i++) {
		memset(pr.seen, 0, sizeof(pr.seen));
		if (!augment(&pr, i))
			return 0;
	}
	return 1;
}

/* How well q matches p, in thousandths: per query token its best kind
 * of match (the same spelling 1000, the same loose key 900, a prefix of
 * the spelling 700, of the folded sound 500), averaged. */
static unsigned name_score(const struct namekey_set *q,
			   const struct store_search_person *p)
{
	unsigned sum = 0;

	for (size_t i = 0; i < q->n; i++) {
		const struct namekey_token *t = &q->tok[i];
		unsigned best = 0;

		for (size_t j = 0; j < p->ntok; j++) {
			const char *strict = store_search_strict(p, j);
			const char *loose = store_search_next(strict);
			unsigned v = 0;

			if (strcmp(t->strict, strict) == 0)
				v = 1000;
			else if (t->loose[0] && strcmp(t->loose, loose) == 0)
				v = 900;
			else if (strncmp(t->strict, strict,
					 strlen(t->strict)) == 0)
				v = 700;
			else if (namekey_keys_match(t, strict, loose,
						    store_search_next(loose)))
				v = 500;
			if (v > best)
				best = v;
		}
		sum += best;
	}
	return q->n ? sum / (unsigned)q->n : 1000;
}

/* ---- find ---------------------------------------------------------- */

static int filters_pass(const struct store_search_query *q,
			const struct store_search_person *p)
{
	if (q->born_year) {
		int32_t want = q->born_year * 10000 + q->born_month * 100 +
			       q->born_day;

		if (q->born_month ? p->born != want
				  : p->born / 10000 != q->born_year)
			return 0;
	}
	if (q->nationality && *q->nationality) {
		char nat[4] = { 0 };

		for (size_t i = 0; q->nationality[i] && i < 3; i++) {
			char c = q->nationality[i];

			nat[i] = (c >= 'a' && c <= 'z') ? (char)(c - 32) : c;
		}
		if (strcmp(nat, p->nat) != 0)
			return 0;
	}
	return 1;
}

struct found {
	struct store_search *x;
	struct store_search_hit *hit;
	size_t n, cap;
	uint32_t *at; /* slot -> index in hit + 1, 0: none */
};

/* Keep (or better) the hit for the end of slot's chain. */
static int found_add(struct found *f, const struct store_search_query *q,
		     uint32_t slot, unsigned score, struct err *e)
{
	int cycle;
	uint32_t end = store_search_resolve(f->x, slot, &cycle);
	struct store_search_hit *h;

	/* A duplicate is found through its record: the filters pass on
	 * either (one may lack the date the other has). */
	if (!filters_pass(q, &f->x->p[slot]) &&
	    !filters_pass(q, &f->x->p[end]))
		return 0;
	if (f->at[end]) {
		h = &f->hit[f->at[end] - 1];
		if (score > h->score)
			h->score = score;
		return 0;
	}
	if (f->n == f->cap) {
		size_t cap = f->cap ? 2 * f->cap : 64;
		void *nh = f->hit;

		/* Who matched a name: wiped, not left behind by realloc(). */
		if (store_search_grow(&nh, f->n * sizeof(*f->hit),
				      cap * sizeof(*f->hit), e))
			return ERR_NOMEM;
		f->hit = nh;
		f->cap = cap;
	}
	h = &f->hit[f->n++];
	memset(h, 0, sizeof(*h));
	h->id = f->x->p[end].id;
	h->score = score;
	h->cycle = cycle;
	f->at[end] = (uint32_t)f->n;
	return 0;
}

static int hit_cmp(const void *a, const void *b)
{
	const struct store_search_hit *ha = a, *hb = b;

	if (ha->score != hb->score)
		return ha->score > hb->score ? -1 : 1;
	return memcmp(ha->id.b, hb->id.b, ID_BYTES);
}

static int check_query(const struct store_search_query *q, struct err *e)
{
	if (q->born_year < 0 || q->born_year > 9999 || q->born_month < 0 ||
	    q->born_month > 12 || q->born_day < 0 || q->born_day > 31 ||
	    (q->born_month == 0) != (q->born_day == 0) ||
	    (q->born_month && !q->born_year))
		return err_set(e, ERR_INVALID, "birth date out of range");
	return 0;
}

int store_search_prepare(struct store *s, struct err *e)
{
	struct store_search *x;

	return store_search_index(s, &x, e);
}

int store_search_find(struct store *s, const struct store_search_query *q,
		      struct store_search_hit *hits, size_t cap, size_t *n,
		      struct err *e)
{
	struct namekey_set qs;
	struct found f = { 0 };
	struct scan sc = { 0 };
	size_t limit = q->limit ? q->limit : STORE_SEARCH_LIMIT;
	int rc;

	*n = 0;
	namekey_set_wipe(&qs);
	rc = check_query(q, e);
	if (!rc)
		rc = store_search_index(s, &f.x, e);
	if (!rc && q->name)
		rc = namekey_tokens(q->name, strlen(q->name), &qs, e);
	if (!rc && q->name && qs.n > 16)
		rc = err_set(e, ERR_INVALID, "name: too many parts");
	if (rc)
		goto out;
	sc.x = f.x;
	f.at = calloc(f.x->np + 1, sizeof(*f.at));
	sc.bits = calloc(f.x->np + 1, sizeof(*sc.bits));
	if (!f.at || !sc.bits) {
		rc = err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < qs.n; i++) {
		sc.bit = (uint16_t)(1u << i);
		mark_token(&sc, &qs.tok[i]);
	}
	for (size_t i = 0; !rc && i < f.x->np; i++) {
		const struct store_search_person *p = &f.x->p[i];
		unsigned score = 1000;

		if (!p->live)
			continue;
		if (q->name) {
			if (sc.bits[i] != (uint16_t)((1u << qs.n) - 1) ||
			    (qs.n > 1 && !pairs_all(&qs, p)))
				continue;
			score = name_score(&qs, p);
		}
		rc = found_add(&f, q, (uint32_t)i, score, e);
	}
	if (rc)
		goto out;
	/* How many duplicates each shown record stands for (before the
	 * sort: f.at numbers the hits as found). */
	for (size_t i = 0; i < f.x->np; i++) {
		int cycle;
		uint32_t end;

		if (!f.x->p[i].live || !f.x->p[i].has_into)
			continue;
		end = store_search_resolve(f.x, (uint32_t)i, &cycle);
		if (end != i && f.at[end])
			f.hit[f.at[end] - 1].merged++;
	}
	if (f.n)
		qsort(f.hit, f.n, sizeof(*f.hit), hit_cmp);
	for (size_t i = 0; i < f.n && i < limit && i < cap; i++)
		hits[(*n)++] = f.hit[i];
out:
	namekey_set_wipe(&qs);
	free(sc.bits);
	free(f.at);
	if (f.hit)
		sodium_memzero(f.hit, f.cap * sizeof(*f.hit));
	free(f.hit);
	return rc;
}

/* ---- duplicates ---------------------------------------------------- */

/* Variant v of p: its tokens [*from, *to). */
static void variant(const struct store_search_person *p, size_t v,
		    size_t *from, size_t *to)
{
	*from = v ? p->var_end[v - 1] : 0;
	*to = p->var_end[v];
}

/* set holds the loose keys of variant v of p (all namekey_similarity()
 * reads). */
static void fill_loose(struct namekey_set *set,
		       const struct store_search_person *p, size_t v)
{
	size_t from, to;

	variant(p, v, &from, &to);
	set->n = 0;
	for (size_t i = from; i < to && set->n < NAMEKEY_TOKENS_MAX; i++) {
		const char *loose = store_search_next(store_search_strict(p, i));

		snprintf(set->tok[set->n++].loose, NAMEKEY_KEY_SIZE, "%s",
			 loose);
	}
}

/* The best similarity over the name variants of a and b. */
static unsigned similar(const struct store_search_person *a,
			const struct store_search_person *b,
			struct namekey_set *sa, struct namekey_set *sb)
{
	unsigned best = 0;

	for (size_t i = 0; i < a->nvar; i++) {
		fill_loose(sa, a, i);
		for (size_t j = 0; j < b->nvar; j++) {
			unsigned v;

			fill_loose(sb, b, j);
			v = namekey_similarity(sa, sb);
			if (v > best)
				best = v;
		}
	}
	return best;
}

/* Score candidate c against the new person q (the rules of
 * store_search_duplicates()); 0 when not a likely duplicate. */
static unsigned dup_score(const struct store_search_person *q,
			  const struct store_search_person *c,
			  struct namekey_set *sa, struct namekey_set *sb,
			  struct store_search_dup *d)
{
	int nat_differs = q->nat[0] && c->nat[0] && strcmp(q->nat, c->nat);
	int score;

	memset(d, 0, sizeof(*d));
	d->similar = similar(q, c, sa, sb);
	if (d->similar >= 500)
		d->why |= STORE_DUP_NAME;
	if (q->nat[0] && strcmp(q->nat, c->nat) == 0)
		d->why |= STORE_DUP_NATIONALITY;
	if (q->tax && c->tax && strcmp(q->tax, c->tax) == 0) {
		d->why |= STORE_DUP_TAX;
		d->strong = 1;
		return d->score = 1000;
	}
	if (q->born && c->born && q->born != c->born)
		return 0;
	if (q->born && q->born == c->born) {
		d->why |= STORE_DUP_BIRTH;
		if (d->similar < 500)
			return 0;
		score = 400 + (int)d->similar * 6 / 10;
		d->strong = d->similar >= 800 && !nat_differs;
	} else {
		if (d->similar < 1000)
			return 0;
		score = 700;
	}
	if (nat_differs)
		score -= 100;
	if (score < 600) {
		d->strong = 0;
		return 0;
	}
	return d->score = (unsigned)score;
}

static int dup_cmp(const void *a, const void *b)
{
	const struct store_search_dup *da = a, *db = b;

	if (da->strong != db->strong)
		return da->strong ? -1 : 1;
	if (da->score != db->score)
		return da->score > db->score ? -1 : 1;
	return memcmp(da->id.b, db->id.b, ID_BYTES);
}

/* Flag in cand the persons holding every loose key of each of q's name
 * variants (sc->bits is the scratch). */
static void dup_by_names(struct scan *sc, const struct store_search_person *q,
			 uint8_t *cand)
{
	for (size_t v = 0; v < q->nvar; v++) {
		size_t from, to;
		uint16_t full;

		variant(q, v, &from, &to);
		if (to - from > 16 || to == from)
			continue;
		memset(sc->bits, 0, sc->x->np * sizeof(*sc->bits));
		for (size_t i = from; i < to; i++) {
			sc->bit = (uint16_t)(1u << (i - from));
			store_search_each(sc->x, STORE_SEARCH_LOOSE,
					  store_search_next(
						  store_search_strict(q, i)),
					  1, mark, sc);
		}
		full = (uint16_t)((1u << (to - from)) - 1);
		for (size_t i = 0; i < sc->x->np; i++)
			if (sc->bits[i] == full)
				cand[i] = 1;
	}
}

int store_search_duplicates(struct store *s, const json_t *fields,
			    const struct id *self,
			    struct store_search_dup *out, size_t cap,
			    size_t *n, struct err *e)
{
	struct store_search_person q;
	struct namekey_set *sets = NULL;
	struct store_search_dup *all = NULL;
	struct scan sc = { 0 };
	uint8_t *cand = NULL;
	uint32_t *at = NULL;
	size_t nall = 0, room = 0;
	uint32_t me = STORE_SEARCH_NONE;
	int rc;

	*n = 0;
	memset(&q, 0, sizeof(q));
	rc = store_search_index(s, &sc.x, e);
	if (!rc)
		rc = store_search_person_fill(&q, fields, e);
	if (rc)
		goto out;
	if (self)
		me = store_search_slot(sc.x, self);
	sc.bits = calloc(sc.x->np + 1, sizeof(*sc.bits));
	cand = calloc(sc.x->np + 1, 1);
	at = calloc(sc.x->np + 1, sizeof(*at));
	all = calloc(sc.x->np + 1, sizeof(*all));
	room = all ? sc.x->np + 1 : 0;
	sets = calloc(2, sizeof(*sets));
	if (!sc.bits || !cand || !at || !all || !sets) {
		rc = err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	dup_by_names(&sc, &q, cand);
	for (size_t i = 0; i < sc.x->np; i++) {
		const struct store_search_person *c = &sc.x->p[i];
		struct store_search_dup d;
		uint32_t end;
		int cycle;

		if (!c->live || i == me)
			continue;
		if (!cand[i] && !(q.born && c->born == q.born) &&
		    !(q.tax && c->tax && strcmp(q.tax, c->tax) == 0))
			continue;
		if (!dup_score(&q, c, &sets[0], &sets[1], &d))
			continue;
		/* A duplicate already merged is offered as its record. */
		end = store_search_resolve(sc.x, (uint32_t)i, &cycle);
		if (end == me)
			continue;
		d.id = sc.x->p[end].id;
		if (at[end]) {
			if (dup_cmp(&d, &all[at[end] - 1]) < 0)
				all[at[end] - 1] = d;
			continue;
		}
		all[nall++] = d;
		at[end] = (uint32_t)nall;
	}
	qsort(all, nall, sizeof(*all), dup_cmp);
	for (size_t i = 0; i < nall && i < cap; i++)
		out[(*n)++] = all[i];
out:
	store_search_person_release(&q);
	if (sets)
		sodium_memzero(sets, 2 * sizeof(*sets));
	free(sets);
	/* Who resembles the person, and why: wiped like the index. */
	if (all)
		sodium_memzero(all, room * sizeof(*all));
	free(all);
	free(at);
	free(cand);
	free(sc.bits);
	return rc;
}

/* ---- merge and unmerge -------------------------------------------- */

/* Read person id (live) into r. */
static int get_person(struct store *s, const struct id *id,
		      struct store_record *r, struct err *e)
{
	char text[ID_TEXT_LEN + 1];
	int rc = store_get(s, id, r, e);

	if (rc)
		return rc;
	id_format(id, text);
	if (r->coll != schema_search_collection())
		return err_set(e, ERR_INVALID, "record %s is not a person",
			       text);
	if (r->deleted)
		return err_set(e, ERR_NOTFOUND, "person %s is deleted", text);
	return 0;
}

/* The field that marks a merged record (schema_search.merged_into), or
 * NULL when the schema declares none. */
static const char *merged_field(void)
{
	const struct schema_collection *c = schema_search_collection();

	return c ? c->search->merged_into : NULL;
}

static int into_of(const struct store_record *r, struct id *into)
{
	const struct schema_search *k = r->coll->search;
	const char *t = k && k->merged_into
				? json_string_value(json_object_get(
					  r->fields, k->merged_into))
				: NULL;

	return t && id_parse(into, t) == 0;
}

int store_search_merge(struct store *s, const struct id *dup,
		       const struct id *into, struct id *end, struct err *e)
{
	char text[ID_TEXT_LEN + 1];
	struct store_record r;
	struct id cur = *into, next;
	json_t *fields = NULL;
	int rc, steps = 0;

	store_record_init(&r);
	rc = get_person(s, dup, &r, e);
	if (!rc && !merged_field())
		rc = err_set(e, ERR_INVALID, "the schema declares no merge "
			     "of records");
	if (!rc && into_of(&r, &next))
		rc = err_set(e, ERR_INVALID, "the duplicate is merged "
			     "already: unmerge it first");
	if (!rc && id_cmp(dup, into) == 0)
		rc = err_set(e, ERR_INVALID, "a record cannot be merged into "
			     "itself");
	/* Follow into's chain to its end: the duplicate joins the record
	 * that stands for all of them, and a chain back to dup would be a
	 * cycle.  Only as far as this node holds it (store_search.h,
	 * "Merged records"). */
	while (!rc) {
		rc = get_person(s, &cur, &r, e);
		if (rc || !into_of(&r, &next))
			break;
		if (id_cmp(&next, dup) == 0 || ++steps > 32) {
			rc = err_set(e, ERR_CONFLICT, "the merge would make a "
				     "cycle of merged records");
			break;
		}
		if (store_get(s, &next, &r, NULL) || r.deleted)
			break; /* its target is not held here: end */
		cur = next;
	}
	if (rc)
		goto out;
	id_format(&cur, text);
	fields = json_pack("{s:s}", merged_field(), text);
	if (!fields) {
		rc = err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	rc = store_put(s, schema_search_collection()->name, dup, fields,
		       NULL, e);
	if (!rc && end)
		*end = cur;
out:
	json_decref(fields);
	store_record_release(&r);
	return rc;
}

int store_search_unmerge(struct store *s, const struct id *dup,
			 struct err *e)
{
	struct store_record r;
	json_t *fields = NULL;
	struct id into;
	int rc;

	store_record_init(&r);
	rc = get_person(s, dup, &r, e);
	if (!rc && !merged_field())
		rc = err_set(e, ERR_INVALID, "the schema declares no merge "
			     "of records");
	if (!rc && !into_of(&r, &into))
		rc = err_set(e, ERR_INVALID, "the record is not merged");
	if (rc)
		goto out;
	fields = json_pack("{s:n}", merged_field());
	if (!fields) {
		rc = err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	rc = store_put(s, schema_search_collection()->name, dup, fields,
		       NULL, e);
out:
	json_decref(fields);
	store_record_release(&r);
	return rc;
}
