/*
 * view_conflict.c - open conflicts grouped, numbered and as JSON, and the
 * candidate a number names (view_conflict.h).
 */
#include "view/view_conflict.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "conflict/hlc.h"

const char *view_conflict_kind_name(enum merge_conflict_kind k)
{
	switch (k) {
	case MERGE_CONFLICT_FIELD: return "field";
	case MERGE_CONFLICT_DELETE: return "delete";
	case MERGE_CONFLICT_RULE: return "rule";
	default: return "unknown";
	}
}

int view_conflict_on_marker(const struct store_conflict *c)
{
	return c->kind == MERGE_CONFLICT_FIELD && c->field &&
	       strcmp(c->field, SCHEMA_FIELD_DELETED_NAME) == 0;
}

/* The command that settles c, into buf. */
static const char *settle_text(const struct store_conflict *c, char *buf,
			       size_t n)
{
	char rec[ID_TEXT_LEN + 1];

	id_format(&c->record, rec);
	switch (c->form) {
	case MERGE_FORM_FIELD:
		snprintf(buf, n, "presidio resolve %s %s --pick N", rec,
			 c->field ? c->field : "FIELD");
		break;
	case MERGE_FORM_DELETE:
		snprintf(buf, n, "presidio resolve %s --keep-deleted | "
			 "--undelete", rec);
		break;
	case MERGE_FORM_CAP:
		/* No resolution settles a sum: writes of the children or of
		 * the cap do. */
		snprintf(buf, n, "presidio put: a reversal entry under %s, "
			 "or a higher cap on it", rec);
		break;
	default:
		snprintf(buf, n, "presidio resolve %s FIELD < value.json", rec);
		break;
	}
	return buf;
}

/* ---- listing ---- */

struct walk_ctx {
	view_conflict_fn fn;
	void *ctx;
	int grouped;                     /* a field or delete group is open */
	struct id rec;                   /* its record */
	enum merge_conflict_kind kind;   /* its kind */
	char field[SCHEMA_NAME_MAX + 8]; /* its field */
	uint64_t pick;                   /* number of its last candidate */
};

/* Does c continue the group seen last?  (Opens a new one if not.) */
static int same_group(struct walk_ctx *w, const struct store_conflict *c)
{
	const char *field = c->field ? c->field : "";

	if (w->grouped && c->kind == w->kind &&
	    id_cmp(&c->record, &w->rec) == 0 && strcmp(field, w->field) == 0)
		return 1;
	w->grouped = c->kind != MERGE_CONFLICT_RULE;
	w->rec = c->record;
	w->kind = c->kind;
	snprintf(w->field, sizeof(w->field), "%s", field);
	w->pick = 1;
	return 0;
}

static int walk_one(void *ctx, const struct store_conflict *c)
{
	struct walk_ctx *w = ctx;
	char how[VIEW_SETTLE_MAX];
	struct view_conflict vc;

	vc.c = c;
	vc.first = !same_group(w, c);
	vc.pick = c->kind == MERGE_CONFLICT_FIELD ? ++w->pick : 0;
	vc.settle = settle_text(c, how, sizeof(how));
	return w->fn(w->ctx, &vc);
}

int view_conflicts(struct store *s, const struct id *id, view_conflict_fn fn,
		   void *ctx, struct err *e)
{
	struct walk_ctx w;
	struct store_record r;
	int rc = 0;

	memset(&w, 0, sizeof(w));
	w.fn = fn;
	w.ctx = ctx;
	if (id) {
		/* ERR_NOTFOUND for a record that does not exist, rather
		 * than an empty list. */
		store_record_init(&r);
		rc = store_get(s, id, &r, e);
		store_record_release(&r);
	}
	if (rc == 0)
		rc = store_conflicts(s, id, walk_one, &w, e);
	return rc;
}

/* ---- JSON ---- */

/* Set o[k] = v (taking v); -1 when v is NULL or out of memory. */
static int jset(json_t *o, const char *k, json_t *v)
{
	return v ? json_object_set_new(o, k, v) : -1;
}

/* A string, or JSON null for NULL. */
static json_t *jstr(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* {"value","time","hlc","node","operator"}, or NULL when out of memory. */
static json_t *candidate_json(const struct store_candidate *c)
{
	char when[HLC_TEXT_LEN], node[ID_TEXT_LEN + 1];
	json_t *o = json_object();

	hlc_format(c->hlc, when);
	id_format(&c->node, node);
	if (!o ||
	    jset(o, "value",
		 c->value ? json_deep_copy(c->value) : json_null()) ||
	    jset(o, "time", json_string(when)) ||
	    jset(o, "hlc", json_integer((json_int_t)c->hlc)) ||
	    jset(o, "node", json_string(node)) ||
	    jset(o, "operator", json_string(c->operator ? c->operator : ""))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *view_conflict_json(const struct view_conflict *vc)
{
	const struct store_conflict *c = vc->c;
	int rule = c->kind == MERGE_CONFLICT_RULE;
	char rec[ID_TEXT_LEN + 1];
	json_t *o = json_object();

	id_format(&c->record, rec);
	if (!o || jset(o, "record", json_string(rec)) ||
	    jset(o, "collection", json_string(c->coll->name)) ||
	    jset(o, "kind", json_string(view_conflict_kind_name(c->kind))) ||
	    jset(o, "field", jstr(c->field)) ||
	    jset(o, "reason", jstr(c->reason)) ||
	    jset(o, "pick",
		 c->kind == MERGE_CONFLICT_FIELD
			 ? json_integer((json_int_t)vc->pick)
			 : json_null()) ||
	    jset(o, "current",
		 rule ? json_null() : candidate_json(&c->current)) ||
	    jset(o, "other", rule ? json_null() : candidate_json(&c->other)) ||
	    jset(o, "settle", json_string(vc->settle))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* ---- a candidate by number ---- */

struct pick_ctx {
	const char *field;
	uint64_t want;  /* N asked for */
	uint64_t count; /* candidates numbered so far */
	json_t *value;  /* a copy of candidate `want`, once found */
	struct err *e;
};

/* Numbers every candidate of the field (a record has few conflicts: the
 * walk is not cut short once the one wanted is found). */
static int pick_one(void *ctx, const struct store_conflict *c)
{
	struct pick_ctx *p = ctx;
	const struct store_candidate *cand = NULL;

	if (c->kind != MERGE_CONFLICT_FIELD || !c->field ||
	    strcmp(c->field, p->field) != 0)
		return 0;
	if (p->count == 0) {
		p->count = 1;
		if (p->want == 1)
			cand = &c->current;
	}
	if (++p->count == p->want)
		cand = &c->other;
	if (!cand || p->value)
		return 0;
	p->value = cand->value ? json_deep_copy(cand->value) : json_null();
	if (!p->value)
		return err_set(p->e, ERR_NOMEM, "out of memory");
	return 0;
}

int view_conflict_pick(struct store *s, const struct id *id,
		       const char *field, uint64_t n, json_t **out,
		       struct err *e)
{
	struct pick_ctx p = { field, n, 0, NULL, e };
	char rec[ID_TEXT_LEN + 1];
	int rc = 0;

	*out = NULL;
	id_format(id, rec);
	if (n > 0)
		rc = store_conflicts(s, id, pick_one, &p, e);
	if (rc < 0) {
		json_decref(p.value);
		return rc;
	}
	if (p.value) {
		*out = p.value;
		return 0;
	}
	if (n > 0 && p.count == 0)
		return err_set(e, ERR_INVALID,
			       "no open conflict on field %s of record %s",
			       field, rec);
	if (p.count == 0)
		return err_set(e, ERR_INVALID,
			       "candidates are numbered from 1 (see "
			       "'presidio conflicts %s')", rec);
	return err_set(e, ERR_INVALID,
		       "field %s of record %s has %" PRIu64 " candidates: "
		       "pick 1 to %" PRIu64,
		       field, rec, p.count, p.count);
}
