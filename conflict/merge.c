/*
 * merge.c - see merge.h.
 *
 * A record keeps every change applied to it: its version, whether it came
 * from the hub, the versions it named (prev) and the fields it wrote.
 * Nothing is derived and stored: winners, conflicts and statuses are
 * computed from that set on demand, which is what makes the result
 * independent of arrival order and repetition.  Records see few changes
 * (a create and a handful of edits), so the linear scans stay short.
 */
#include "conflict/merge.h"
#include "conflict/merge_int.h"
#include "conflict/version.h"
#include "common/jtext.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

int merge_vid_cmp(const struct merge_vid *a, const struct merge_vid *b)
{
	if (a->hlc != b->hlc)
		return a->hlc < b->hlc ? -1 : 1;
	return id_cmp(&a->node, &b->node);
}

static int vid_eq(const struct merge_vid *a, const struct merge_vid *b)
{
	return merge_vid_cmp(a, b) == 0;
}

int merge_record_new(struct merge_record **out,
		     const struct schema_collection *c)
{
	*out = calloc(1, sizeof(**out));
	if (!*out)
		return ERR_NOMEM;
	(*out)->coll = c;
	return 0;
}

static void change_release(struct change *c)
{
	for (size_t i = 0; i < c->nw; i++)
		json_decref(c->w[i].value);
	free(c->w);
	free(c->prev);
}

void merge_record_free(struct merge_record *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nch; i++)
		change_release(&r->ch[i]);
	free(r->ch);
	free(r->unk);
	free(r);
}


int merge_is_empty(const struct merge_record *r)
{
	return r->nch == 0;
}

/* ---- what the set of changes says ---- */

const struct change *merge_find_change(const struct merge_record *r,
					const struct merge_vid *v)
{
	for (size_t i = 0; i < r->nch; i++)
		if (vid_eq(&r->ch[i].v, v))
			return &r->ch[i];
	return NULL;
}

const struct write *merge_find_write(const struct change *c, uint16_t field)
{
	for (size_t i = 0; i < c->nw; i++)
		if (c->w[i].field == field)
			return &c->w[i];
	return NULL;
}

/* c writes field (and the write was not refused). */
static int writes(const struct change *c, uint16_t field)
{
	const struct write *w = merge_find_write(c, field);

	return w && !w->rejected;
}

/* Some applied change writing field names v as superseded. */
static int superseded(const struct merge_record *r, uint16_t field,
		      const struct merge_vid *v)
{
	for (size_t i = 0; i < r->nch; i++) {
		const struct change *c = &r->ch[i];

		if (!writes(c, field))
			continue;
		for (size_t k = 0; k < c->nprev; k++)
			if (c->prev[k].field == field &&
			    vid_eq(&c->prev[k].v, v))
				return 1;
	}
	return 0;
}

/* The write of (field, c) is in the field's frontier. */
int merge_in_frontier(const struct merge_record *r, const struct change *c,
		       uint16_t field)
{
	return writes(c, field) && !superseded(r, field, &c->v);
}

/* >0 when write a (of change ca) beats b on field f. */
static int beats(const struct schema_field *f, const struct change *ca,
		 const struct change *cb, uint16_t field)
{
	if (f && f->merge == SCHEMA_MERGE_MONOTONIC) {
		int cmp = merge_state_cmp(f, merge_find_write(ca, field)->value,
					  merge_find_write(cb, field)->value);

		if (cmp)
			return cmp > 0;
	}
	return merge_vid_cmp(&ca->v, &cb->v) > 0;
}

static const struct schema_field *field_of(const struct merge_record *r,
					   uint16_t field)
{
	return field ? schema_field_by_id(r->coll, field) : NULL;
}

/* The change whose write is the winner of field, or NULL. */
const struct change *merge_winner_of(const struct merge_record *r,
				      uint16_t field)
{
	const struct schema_field *f = field_of(r, field);
	const struct change *best = NULL;

	for (size_t i = 0; i < r->nch; i++) {
		const struct change *c = &r->ch[i];

		if (!merge_in_frontier(r, c, field))
			continue;
		if (!best || beats(f, c, best, field))
			best = c;
	}
	return best;
}

int merge_winner(const struct merge_record *r, uint16_t field,
		 struct merge_vid *v, const json_t **value)
{
	const struct change *c = merge_winner_of(r, field);

	if (!c)
		return ERR_NOTFOUND;
	if (v)
		*v = c->v;
	if (value)
		*value = merge_find_write(c, field)->value;
	return 0;
}

int merge_deleted(const struct merge_record *r)
{
	const struct change *c = merge_winner_of(r, SCHEMA_FIELD_DELETED);

	return c && json_is_true(merge_find_write(c, SCHEMA_FIELD_DELETED)->value);
}

json_t *merge_values(const struct merge_record *r)
{
	json_t *out = json_object();

	if (!out)
		return NULL;
	for (size_t i = 0; i < r->coll->nfields; i++) {
		const struct schema_field *f = &r->coll->fields[i];
		const struct change *c = merge_winner_of(r, f->id);

		if (c && json_object_set(out, f->name,
					 merge_find_write(c, f->id)->value)) {
			json_decref(out);
			return NULL;
		}
	}
	for (size_t i = 0; i < r->nunk; i++) {
		const struct change *c = merge_winner_of(r, r->unk[i].id);

		if (c && json_object_set(out, r->unk[i].name,
					 merge_find_write(c, r->unk[i].id)
						 ->value)) {
			json_decref(out);
			return NULL;
		}
	}
	return out;
}

/* Index of the change with version v, or -1. */
static long change_index(const struct merge_record *r,
			 const struct merge_vid *v)
{
	for (size_t i = 0; i < r->nch; i++)
		if (vid_eq(&r->ch[i].v, v))
			return (long)i;
	return -1;
}

/*
 * x is a, or a is an ancestor of x, on field: following, from the change
 * that wrote x, the versions it superseded on that field.  Each change is
 * visited once: resolutions make histories whose paths double with every
 * round, which a plain recursion would walk one by one.  Out of memory
 * reads as "no" (the conflict then stays visible rather than hidden).
 */
static int descends(const struct merge_record *r, uint16_t field,
		    const struct merge_vid *x, const struct merge_vid *a)
{
	const struct merge_vid **stack = NULL;
	unsigned char *seen = NULL;
	size_t n = 0, cap = 0;
	int found = 0;

	if (vid_eq(x, a))
		return 1;
	seen = calloc(r->nch ? r->nch : 1, 1);
	if (!seen)
		return 0;
	cap = 16;
	stack = malloc(cap * sizeof(*stack));
	if (!stack)
		goto out;
	stack[n++] = x;
	while (n && !found) {
		const struct merge_vid *y = stack[--n];
		long i = change_index(r, y);
		const struct change *c;

		if (vid_eq(y, a)) {
			found = 1;
			break;
		}
		if (i < 0 || seen[i])
			continue;
		seen[i] = 1;
		c = &r->ch[i];
		if (!writes(c, field))
			continue;
		for (size_t k = 0; k < c->nprev; k++) {
			if (c->prev[k].field != field)
				continue;
			if (n == cap) {
				const struct merge_vid **grown = realloc(
					stack, 2 * cap * sizeof(*stack));

				if (!grown)
					goto out;
				stack = grown;
				cap *= 2;
			}
			stack[n++] = &c->prev[k].v;
		}
	}
out:
	free(stack);
	free(seen);
	return found;
}

/* Change c had seen the write of (field, v): it names v, or a later
 * version of that field, in its prev. */
static int saw(const struct merge_record *r, const struct change *c,
	       uint16_t field, const struct merge_vid *v)
{
	for (size_t k = 0; k < c->nprev; k++)
		if (c->prev[k].field == field &&
		    descends(r, field, &c->prev[k].v, v))
			return 1;
	return 0;
}

/* ---- conflicts ---- */

void merge_sink_add(struct conflict_sink *k, const struct merge_conflict *c)
{
	if (k->n < k->max)
		k->out[k->n] = *c;
	k->n++;
}

/* Open field conflicts of one field: frontier writes other than the
 * winner, with another value, on a field not settled by its rule. */
static void field_conflicts(const struct merge_record *r, uint16_t field,
			    struct conflict_sink *k)
{
	const struct schema_field *f = field_of(r, field);
	const struct change *win = merge_winner_of(r, field);
	const json_t *wv;

	if (!win || (f && f->merge == SCHEMA_MERGE_MONOTONIC))
		return;
	wv = merge_find_write(win, field)->value;
	for (size_t i = 0; i < r->nch; i++) {
		const struct change *c = &r->ch[i];
		const json_t *cv;
		struct merge_conflict m;

		if (c == win || !merge_in_frontier(r, c, field))
			continue;
		cv = merge_find_write(c, field)->value;
		if (json_equal(cv, wv))
			continue;
		memset(&m, 0, sizeof(m));
		m.kind = MERGE_CONFLICT_FIELD;
		m.field = field;
		m.winner = win->v;
		m.loser = c->v;
		m.loser_value = cv;
		merge_sink_add(k, &m);
	}
}

/* Edits concurrent with del, the delete that won the deletion marker. */
static void delete_conflicts(const struct merge_record *r, uint16_t field,
			     const struct change *del, struct conflict_sink *k)
{
	for (size_t i = 0; i < r->nch; i++) {
		const struct change *c = &r->ch[i];
		struct merge_conflict m;

		if (c == del || !merge_in_frontier(r, c, field) ||
		    saw(r, c, SCHEMA_FIELD_DELETED, &del->v) ||
		    saw(r, del, field, &c->v))
			continue;
		memset(&m, 0, sizeof(m));
		m.kind = MERGE_CONFLICT_DELETE;
		m.field = field;
		m.winner = del->v;
		m.loser = c->v;
		m.loser_value = merge_find_write(c, field)->value;
		merge_sink_add(k, &m);
	}
}

/* Field ids of the record's collection in id order, with 0 first. */
static size_t field_ids(const struct merge_record *r, uint16_t *ids)
{
	size_t n = 0;

	ids[n++] = SCHEMA_FIELD_DELETED;
	for (size_t i = 0; i < r->coll->nfields; i++)
		ids[n++] = r->coll->fields[i].id;
	/* Insertion sort: declarations are nearly always in id order. */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && ids[j - 1] > ids[j]; j--) {
			uint16_t t = ids[j];

			ids[j] = ids[j - 1];
			ids[j - 1] = t;
		}
	return n;
}

static int conflict_cmp(const void *pa, const void *pb)
{
	const struct merge_conflict *a = pa, *b = pb;

	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if (a->field != b->field)
		return a->field < b->field ? -1 : 1;
	if (a->kind == MERGE_CONFLICT_RULE)
		return merge_rule_cmp(a, b);
	return merge_vid_cmp(&a->loser, &b->loser);
}

size_t merge_conflicts(const struct merge_record *r,
		       struct merge_conflict *out, size_t max)
{
	uint16_t ids[VERSION_SET_MAX];
	struct conflict_sink k = { out, max, 0 };
	size_t n = field_ids(r, ids);
	/* Found once: every delete-vs-edit conflict is against it. */
	const struct change *del = merge_winner_of(r, SCHEMA_FIELD_DELETED);
	int deleted = del && json_is_true(merge_find_write(del,
						     SCHEMA_FIELD_DELETED)->value);

	/* A deleted record has nothing to decide but its deletion: the
	 * concurrent values of its other fields stay in it, and their
	 * conflicts come back if it is undeleted (ids[0] is the marker). */
	for (size_t i = 0; i < (deleted ? 1 : n); i++)
		field_conflicts(r, ids[i], &k);
	for (size_t i = 1; deleted && i < n; i++)
		delete_conflicts(r, ids[i], del, &k);
	if (r->nch && !deleted)
		merge_rule_conflicts(r, &k);
	/* Produced in kind, field order already except losers within a
	 * field, which follow storage order: sort what was kept. */
	if (out)
		qsort(out, k.n < max ? k.n : max, sizeof(*out), conflict_cmp);
	return k.n;
}

enum merge_form merge_conflict_form(const struct merge_conflict *c)
{
	if (c->kind == MERGE_CONFLICT_RULE)
		return MERGE_FORM_RULE;
	if (c->kind == MERGE_CONFLICT_DELETE ||
	    c->field == SCHEMA_FIELD_DELETED)
		return MERGE_FORM_DELETE;
	return MERGE_FORM_FIELD;
}

int merge_resolvable(const struct merge_record *r, uint16_t field)
{
	struct conflict_sink k = { NULL, 0, 0 };

	if (field != SCHEMA_FIELD_DELETED)
		return !merge_deleted(r);
	if (merge_deleted(r))
		return 1;
	/* Not deleted, yet a keep-deleted or a delete concurrent with the
	 * undelete in force is a candidate: settling it is keeping one. */
	field_conflicts(r, SCHEMA_FIELD_DELETED, &k);
	return k.n > 0;
}

/* Every open conflict in a malloc'd array (caller frees); their number.
 * Out of memory reads as none. */
static size_t conflicts_alloc(const struct merge_record *r,
			      struct merge_conflict **out)
{
	size_t n = merge_conflicts(r, NULL, 0);

	*out = n ? malloc(n * sizeof(**out)) : NULL;
	if (!*out)
		return 0;
	return merge_conflicts(r, *out, n);
}

#define CONFLICTS_BUF 16 /* most records have fewer open conflicts */
/* The same into buf (CONFLICTS_BUF entries) when they fit, computed once;
 * else as conflicts_alloc().  Free *out only when it is not buf. */
static size_t conflicts_buf(const struct merge_record *r,
			    struct merge_conflict *buf,
			    struct merge_conflict **out)
{
	size_t n = merge_conflicts(r, buf, CONFLICTS_BUF);

	*out = buf;
	return n <= CONFLICTS_BUF ? n : conflicts_alloc(r, out);
}

enum merge_status merge_status_of(const struct merge_record *r,
				  uint16_t field, const struct merge_vid *v)
{
	const struct change *c = merge_find_change(r, v);
	const struct write *w = c ? merge_find_write(c, field) : NULL;
	struct merge_conflict buf[CONFLICTS_BUF], *all = NULL;
	enum merge_status st = MERGE_SETTLED;
	size_t n;

	if (!w)
		return MERGE_UNKNOWN;
	if (w->rejected)
		return MERGE_REJECTED;
	if (superseded(r, field, v))
		return MERGE_SUPERSEDED;
	if (merge_winner_of(r, field) == c)
		return MERGE_WINNER;
	n = conflicts_buf(r, buf, &all);
	for (size_t i = 0; i < n; i++)
		if (all[i].kind != MERGE_CONFLICT_RULE &&
		    all[i].field == field && vid_eq(&all[i].loser, v))
			st = MERGE_OPEN;
	if (all != buf)
		free(all);
	return st;
}

/* ---- applying a change ---- */

/* Check the names and values of a change's fields; build its writes. */
static int build_writes(struct merge_record *r,
			const struct merge_change *in, struct change *c,
			struct merge_result *res, struct err *e)
{
	json_t *plain = NULL;
	const char *key;
	json_t *val;
	size_t n = json_object_size(in->values);
	int rc = 0;

	if (!json_is_object(in->values) || n == 0)
		return err_set(e, ERR_INVALID, "a change writes no field");
	c->w = calloc(n, sizeof(*c->w));
	plain = json_object();
	if (!c->w || !plain) {
		rc = err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	json_object_foreach((json_t *)in->values, key, val) {
		struct write *w = &c->w[c->nw];
		const struct schema_field *f = NULL;

		if (!strcmp(key, SCHEMA_FIELD_DELETED_NAME)) {
			if (!json_is_boolean(val)) {
				rc = err_set(e, ERR_INVALID,
					     "deletion marker is not a boolean");
				goto out;
			}
			w->field = SCHEMA_FIELD_DELETED;
		} else {
			f = schema_field(r->coll, key);
			/* Of the next schema version: kept under an id of
			 * its own (checked with the rest below). */
			w->field = f ? f->id
				     : (in->newer_schema &&
						    schema_name_ok(key) &&
						    key[0] != '_'
					    ? merge_unknown_id(r, key)
					    : 0);
			if (!w->field) {
				rc = err_set(e, ERR_INVALID,
					     "unknown field '%s' in '%s'",
					     schema_name_ok(key) ? key : "?",
					     r->coll->name);
				goto out;
			}
			if (json_object_set(plain, key, val)) {
				rc = err_set(e, ERR_NOMEM, "out of memory");
				goto out;
			}
		}
		w->value = json_deep_copy(val);
		if (!w->value) {
			rc = err_set(e, ERR_NOMEM, "out of memory");
			goto out;
		}
		c->nw++;
		/* Authority: only the hub writes these fields; a write from
		 * elsewhere is kept as refused, never applied. */
		if (f && (f->flags & SCHEMA_HUB_ONLY) && !in->from_hub) {
			w->rejected = 1;
			if (res && !res->rejected++)
				snprintf(res->reason, sizeof(res->reason),
					 "field '%s' of '%s' is written by the "
					 "hub only", f->name, r->coll->name);
		} else if (res) {
			res->applied++;
		}
	}
	rc = in->newer_schema ? schema_validate_received(r->coll, plain, 0, e)
			      : schema_validate(r->coll, plain, 0, e);
out:
	json_decref(plain);
	return rc;
}

static int write_cmp(const void *pa, const void *pb)
{
	const struct write *a = pa, *b = pb;

	return (a->field > b->field) - (a->field < b->field);
}

int merge_apply(struct merge_record *r, const struct merge_change *in,
		struct merge_result *res, struct err *e)
{
	struct change c;
	int rc;

	if (res)
		memset(res, 0, sizeof(*res));
	if (merge_find_change(r, &in->v)) {
		/* Already here: a change is identified by its version. */
		if (res)
			res->known = json_object_size(in->values);
		return 0;
	}
	memset(&c, 0, sizeof(c));
	c.v = in->v;
	c.from_hub = in->from_hub;
	rc = build_writes(r, in, &c, res, e);
	if (!rc && in->nprev) {
		c.prev = malloc(in->nprev * sizeof(*c.prev));
		if (!c.prev)
			rc = err_set(e, ERR_NOMEM, "out of memory");
		else
			memcpy(c.prev, in->prev, in->nprev * sizeof(*c.prev));
		c.nprev = in->nprev;
	}
	if (!rc && r->nch == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 4;
		struct change *grown = realloc(r->ch, cap * sizeof(*grown));

		if (!grown)
			rc = err_set(e, ERR_NOMEM, "out of memory");
		else {
			r->ch = grown;
			r->cap = cap;
		}
	}
	if (rc) {
		change_release(&c);
		if (res)
			memset(res, 0, sizeof(*res));
		return rc;
	}
	qsort(c.w, c.nw, sizeof(*c.w), write_cmp);
	r->ch[r->nch++] = c;
	return 0;
}

/* ---- what a new local change names ---- */

struct prev_list {
	struct merge_prev *p;
	size_t n, cap;
};

static int prev_add(struct prev_list *l, uint16_t field,
		    const struct merge_vid *v)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->p[i].field == field && vid_eq(&l->p[i].v, v))
			return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct merge_prev *grown = realloc(l->p, cap * sizeof(*grown));

		if (!grown)
			return ERR_NOMEM;
		l->p = grown;
		l->cap = cap;
	}
	l->p[l->n].field = field;
	l->p[l->n].v = *v;
	l->n++;
	return 0;
}

/* Name field's winner, or every frontier write of it when all. */
static int name_field(const struct merge_record *r, uint16_t field, int all,
		      struct prev_list *l)
{
	const struct change *win;

	if (!all) {
		win = merge_winner_of(r, field);
		return win ? prev_add(l, field, &win->v) : 0;
	}
	for (size_t i = 0; i < r->nch; i++)
		if (merge_in_frontier(r, &r->ch[i], field) &&
		    prev_add(l, field, &r->ch[i].v))
			return ERR_NOMEM;
	return 0;
}

int merge_prev_for(const struct merge_record *r, const uint16_t *written,
		   size_t nwritten, int resolve, struct merge_prev **out,
		   size_t *nout)
{
	struct prev_list l = { NULL, 0, 0 };
	uint16_t ids[VERSION_SET_MAX];
	int deleting = 0;
	int rc = 0;

	for (size_t i = 0; i < nwritten; i++)
		deleting |= written[i] == SCHEMA_FIELD_DELETED;
	if (deleting) {
		/* A delete or undelete has seen everything: every frontier
		 * write of every field, so no edit it knew of is left in a
		 * delete-vs-edit conflict. */
		size_t n = field_ids(r, ids);

		for (size_t i = 0; !rc && i < n; i++)
			rc = name_field(r, ids[i], 1, &l);
	} else {
		for (size_t i = 0; !rc && i < nwritten; i++)
			rc = name_field(r, written[i], resolve, &l);
		if (!rc)
			rc = name_field(r, SCHEMA_FIELD_DELETED, 0, &l);
	}
	if (rc) {
		free(l.p);
		return ERR_NOMEM;
	}
	*out = l.p;
	*nout = l.n;
	return 0;
}

/* ---- canonical hash ---- */

static void hash_vid(crypto_generichash_state *st, const struct merge_vid *v)
{
	uint8_t b[8];

	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v->hlc >> (8 * i));
	crypto_generichash_update(st, b, sizeof(b));
	crypto_generichash_update(st, v->node.b, ID_BYTES);
}

static void hash_json(crypto_generichash_state *st, const json_t *v)
{
	char *s = jtext_dump(v, JSON_COMPACT | JSON_SORT_KEYS |
				       JSON_ENCODE_ANY, NULL);

	if (s) {
		crypto_generichash_update(st, (const uint8_t *)s,
					  strlen(s) + 1);
		sodium_memzero(s, strlen(s));
		free(s);
	}
}

void merge_hash(const struct merge_record *r, uint8_t out[MERGE_HASHBYTES])
{
	crypto_generichash_state st;
	uint16_t ids[VERSION_SET_MAX];
	struct merge_conflict buf[CONFLICTS_BUF], *all = NULL;
	size_t n = field_ids(r, ids), nc;

	crypto_generichash_init(&st, NULL, 0, MERGE_HASHBYTES);
	crypto_generichash_update(&st, (const uint8_t *)r->coll->name,
				  strlen(r->coll->name) + 1);
	for (size_t i = 0; i < n; i++) {
		const struct change *c = merge_winner_of(r, ids[i]);
		uint8_t fid[2] = { (uint8_t)ids[i], (uint8_t)(ids[i] >> 8) };

		if (!c)
			continue;
		crypto_generichash_update(&st, fid, sizeof(fid));
		hash_vid(&st, &c->v);
		hash_json(&st, merge_find_write(c, ids[i])->value);
	}
	nc = conflicts_buf(r, buf, &all);
	for (size_t i = 0; i < nc; i++) {
		const struct merge_conflict *m = &all[i];
		uint8_t head[3];

		head[0] = (uint8_t)m->kind;
		head[1] = (uint8_t)m->field;
		head[2] = (uint8_t)(m->field >> 8);
		crypto_generichash_update(&st, head, sizeof(head));
		if (m->kind == MERGE_CONFLICT_RULE) {
			crypto_generichash_update(&st,
						  (const uint8_t *)m->reason,
						  strlen(m->reason) + 1);
			/* A step's ends (none for the invariant). */
			for (int j = 0; m->field && j < 2; j++) {
				const char *end = j ? m->to : m->from;

				crypto_generichash_update(
					&st, (const uint8_t *)(end ? end : ""),
					end ? strlen(end) + 1 : 1);
			}
			continue;
		}
		hash_vid(&st, &m->winner);
		hash_vid(&st, &m->loser);
		hash_json(&st, m->loser_value);
	}
	if (all != buf)
		free(all);
	crypto_generichash_final(&st, out, MERGE_HASHBYTES);
}
