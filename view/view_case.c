/*
 * view_case.c - see view_case.h.
 *
 * The records under a case are found by reading each child collection
 * whole (store_list()) and keeping those whose parent field names the
 * case, then the same one level down (a plan's goals and reviews, a
 * dote's ledger).  A case has a few dozen records; the collections read
 * are those of cases, never the persons.
 */
#include "view/view_case.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "node/store_audit.h"
#include "conflict/hlc.h"
#include "node/store_step.h"
#include "schema/rule.h"
#include "view/view_history.h"
#include "view/view_json.h"

static const struct schema_field *bdi_field(struct err *e)
{
	const struct schema_collection *c = schema_collection("case");
	const struct schema_field *f = c ? schema_field(c, "bdi_stage") : NULL;
	size_t n = 0;

	if (!f || f->type != SCHEMA_ENUM || !f->values) {
		err_set(e, ERR_FAIL, "view: no case.bdi_stage");
		return NULL;
	}
	while (f->values[n])
		n++;
	if (n > VIEW_CASE_STEPS) {
		err_set(e, ERR_FAIL, "view: case.bdi_stage has too many "
			"values");
		return NULL;
	}
	return f;
}

/* Position of value s among f's values, -1 if none (or s NULL). */
static int value_ix_str(const struct schema_field *f, const char *s)
{
	for (int i = 0; s && f->values[i]; i++)
		if (strcmp(s, f->values[i]) == 0)
			return i;
	return -1;
}

/* The same for a JSON string. */
static int value_ix(const struct schema_field *f, const json_t *v)
{
	return value_ix_str(f, json_string_value(v));
}

static const char *value_label(const struct schema_field *f, int i)
{
	return f->value_labels && f->value_labels[i] ? f->value_labels[i]
						     : f->values[i];
}

/* ---- times ---- */

struct times_ctx {
	const struct schema_field *f;
	struct view_case_times *t;
};

/* A change of the case: its time, and the BdI value it sets. */
static int times_one(void *ctx, const struct store_change *ch)
{
	struct times_ctx *tc = ctx;
	uint64_t ms = hlc_ms(ch->hlc);
	int k;

	if (!tc->t->first || ms < tc->t->first)
		tc->t->first = ms;
	for (size_t i = 0; i < ch->vers.n; i++) {
		if (ch->vers.e[i].field != tc->f->id)
			continue;
		k = value_ix(tc->f, view_change_new(ch, i));
		if (k >= 0 && (!tc->t->step[k] || ms < tc->t->step[k]))
			tc->t->step[k] = ms;
	}
	return 0;
}

int view_case_times(struct store *s, const struct id *id,
		    struct view_case_times *out, struct err *e)
{
	struct times_ctx tc = { bdi_field(e), out };

	memset(out, 0, sizeof(*out));
	if (!tc.f)
		return e ? e->code : ERR_FAIL;
	return store_history(s, id, times_one, &tc, e);
}

/* ---- the case as JSON ---- */

/* ms as "YYYY-MM-DDTHH:MM:SSZ" in buf (n bytes). */
static const char *iso_of(uint64_t ms, char *buf, size_t n)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, n, "?");
	return buf;
}

static json_t *timeline(const struct schema_field *f,
			const struct view_case_times *t, int *bad)
{
	json_t *a = json_array();
	uint64_t last = 0, next;
	char at[32];
	int k;

	/* In time order: the values are few, pick the next one each time. */
	for (;;) {
		next = UINT64_MAX;
		k = -1;
		for (int i = 0; f->values[i]; i++)
			if (t->step[i] > last && t->step[i] < next) {
				next = t->step[i];
				k = i;
			}
		if (k < 0)
			break;
		for (int i = 0; f->values[i]; i++) {
			json_t *o;

			if (t->step[i] != next)
				continue;
			o = json_object();
			view_json_put(o, "stage", json_string(f->values[i]), bad);
			view_json_put(o, "label", json_string(value_label(f, i)), bad);
			view_json_put(o, "at", json_string(iso_of(next, at, sizeof(at))),
			    bad);
			view_json_add(a, o, bad);
		}
		last = next;
	}
	return a;
}

static json_t *strings(const char *const *v, int *bad)
{
	json_t *a;

	if (!v)
		return json_null();
	a = json_array();
	for (; *v; v++)
		view_json_add(a, json_string(*v), bad);
	return a;
}

static int next_steps(struct store *s, const struct schema_collection *c,
		      const struct id *id, const json_t *rec,
		      const struct schema_field *f, const char *role,
		      json_t *a, int *bad, struct err *e)
{
	struct store_step st[STORE_STEP_MAX];
	size_t n = 0;
	int rc;

	rc = store_step_next(s, c, id, rec, f, role, st, STORE_STEP_MAX, &n,
			     e);
	for (size_t i = 0; !rc && i < n; i++) {
		json_t *o = json_object(), *miss = json_array();
		int k = value_ix_str(f, st[i].t->to);

		for (size_t j = 0; j < st[i].nmissing; j++)
			view_json_add(miss, json_string(st[i].missing[j]->label), bad);
		view_json_put(o, "to", json_string(st[i].t->to), bad);
		view_json_put(o, "label", json_string(k >= 0 ? value_label(f, k)
						   : st[i].t->to), bad);
		view_json_put(o, "roles", strings(st[i].t->roles, bad), bad);
		view_json_put(o, "allowed", json_boolean(st[i].ok), bad);
		view_json_put(o, "role_ok", json_boolean(st[i].role_ok), bad);
		view_json_put(o, "missing", miss, bad);
		view_json_add(a, o, bad);
	}
	return rc;
}

/* 1 when field f may appear in a summary: no personal data, and no
 * free text but the hub's own words (a rejection's reason and the
 * orientation go back to whoever sent the case: they are for reading). */
static int summary_field(const struct schema_field *f)
{
	if (f->flags & SCHEMA_PERSONAL)
		return 0;
	if (f->flags & SCHEMA_HUB_ONLY)
		return 1;
	return f->type == SCHEMA_ENUM || f->type == SCHEMA_ENUM_SET ||
	       f->type == SCHEMA_DATE || f->type == SCHEMA_DATETIME ||
	       f->type == SCHEMA_BOOL || f->type == SCHEMA_INT;
}

struct kids {
	json_t *out;       /* the array of children */
	json_t *parents;   /* ids (text) whose children are looked for */
	const char *coll_parent; /* the parent field of the collection read */
	int bad;
};

static int kid_one(void *ctx, const struct store_record *r)
{
	struct kids *k = ctx;
	const char *p = json_string_value(json_object_get(r->fields,
							  k->coll_parent));
	char idtext[ID_TEXT_LEN + 1];
	json_t *o, *sum;
	size_t i, n = json_array_size(k->parents);

	for (i = 0; p && i < n; i++)
		if (strcmp(p, json_string_value(json_array_get(k->parents,
							       i))) == 0)
			break;
	if (!p || i == n)
		return 0;
	id_format(&r->id, idtext);
	o = json_object();
	sum = json_object();
	for (size_t j = 0; j < r->coll->nfields; j++) {
		const struct schema_field *f = &r->coll->fields[j];
		json_t *v = json_object_get(r->fields, f->name);

		if (v && !json_is_null(v) && summary_field(f))
			view_json_put(sum, f->name, json_deep_copy(v), &k->bad);
	}
	view_json_put(o, "collection", json_string(r->coll->name), &k->bad);
	view_json_put(o, "label", json_string(r->coll->label ? r->coll->label
						   : r->coll->name), &k->bad);
	view_json_put(o, "id", json_string(idtext), &k->bad);
	view_json_put(o, "parent", json_string(p), &k->bad);
	view_json_put(o, "summary", sum, &k->bad);
	view_json_add(k->out, o, &k->bad);
	return k->bad ? ERR_NOMEM : 0;
}

/* The children of the collections named `of`, whose ids are in
 * k->parents, appended to k->out. */
static int kids_of(struct store *s, const char *of, struct kids *k,
		   struct err *e)
{
	int rc = 0;

	for (size_t i = 0; !rc && i < schema_count(); i++) {
		const struct schema_collection *c = schema_at(i);
		const struct schema_field *pf =
			c && c->parent ? schema_field(c, c->parent) : NULL;

		if (!pf || !pf->ref || strcmp(pf->ref, of) != 0)
			continue;
		k->coll_parent = c->parent;
		rc = store_list(s, c->name, 0, kid_one, k, e);
	}
	return rc;
}

static int children(struct store *s, const char *idtext, json_t *out,
		    int *bad, struct err *e)
{
	struct kids k = { out, json_array(), NULL, 0 };
	size_t first = 0, end;
	int rc;

	view_json_add(k.parents, json_string(idtext), &k.bad);
	rc = k.bad ? err_set(e, ERR_NOMEM, "out of memory")
		   : kids_of(s, "case", &k, e);
	/* One level down: the children of each child collection. */
	end = json_array_size(out);
	for (size_t i = 0; !rc && i < schema_count(); i++) {
		const struct schema_collection *c = schema_at(i);

		json_array_clear(k.parents);
		for (size_t j = first; j < end; j++) {
			json_t *o = json_array_get(out, j);

			if (strcmp(json_string_value(json_object_get(
					   o, "collection")), c->name) == 0)
				view_json_add(k.parents,
				    json_deep_copy(json_object_get(o, "id")),
				    &k.bad);
		}
		if (json_array_size(k.parents))
			rc = kids_of(s, c->name, &k, e);
	}
	if (k.bad)
		*bad = 1;
	json_decref(k.parents);
	return rc;
}

/* What child o (a record with caps: a dote) has used of each cap, from
 * the summaries of its own children in kids (their summed fields are
 * numbers, never personal: schema_check). */
static json_t *budgets_of(const struct schema_collection *c, const json_t *o,
			  const json_t *kids, int *bad)
{
	const char *id = json_string_value(json_object_get(o, "id"));
	json_t *out = json_array();

	for (size_t i = 0; i < c->naggregates; i++) {
		const struct schema_aggregate *a = &c->aggregates[i];
		long long cap = rule_cap(a, json_object_get(o, "summary"));
		long long used = 0;
		struct rule_sum t;
		json_t *b = json_object(), *k;
		size_t j;

		rule_sum_init(&t);
		json_array_foreach(kids, j, k)
			if (!strcmp(json_string_value(json_object_get(
					    k, "collection")), a->child) &&
			    !strcmp(json_string_value(json_object_get(
					    k, "parent")), id))
				rule_sum_take(a, json_object_get(k, "summary"),
					      &t);
		view_json_put(b, "child", json_string(a->child), bad);
		view_json_put(b, "field", json_string(a->sum), bad);
		view_json_put(b, "cap", json_integer(cap), bad);
		/* A total that does not fit, or whose distance to the cap
		 * would not, has no figure: it is over the cap anyway. */
		if (rule_sum_total(&t, &used) ||
		    (used < 0 && cap > LLONG_MAX + used)) {
			view_json_put(b, "used", json_null(), bad);
			view_json_put(b, "remaining", json_null(), bad);
		} else {
			view_json_put(b, "used", json_integer(used), bad);
			view_json_put(b, "remaining", json_integer(cap - used),
				      bad);
		}
		view_json_put(b, "over", json_boolean(rule_sum_over(&t, cap)),
			      bad);
		view_json_add(out, b, bad);
	}
	return out;
}

/* Each child with caps gets its "budgets" (budgets_of()). */
static void add_budgets(json_t *kids, int *bad)
{
	json_t *o;
	size_t i;

	json_array_foreach(kids, i, o) {
		const struct schema_collection *c = schema_collection(
			json_string_value(json_object_get(o, "collection")));

		if (c && c->naggregates)
			view_json_put(o, "budgets", budgets_of(c, o, kids, bad),
				      bad);
	}
}

int view_case_json(struct store *s, const struct id *id, json_t **out,
		   struct err *e)
{
	const struct schema_field *f = bdi_field(e);
	struct view_case_times t;
	struct store_record r;
	char idtext[ID_TEXT_LEN + 1], rolebuf[STORE_STEP_ROLE_MAX];
	const char *role = NULL;
	json_t *o = NULL, *bdi, *next, *kids;
	int bad = 0, k, rc;

	*out = NULL;
	store_record_init(&r);
	if (!f) {
		rc = e ? e->code : ERR_FAIL;
		goto out;
	}
	rc = store_get(s, id, &r, e);
	if (!rc && (r.deleted || !r.coll || strcmp(r.coll->name, "case")))
		rc = err_set(e, ERR_NOTFOUND, "no such case");
	/* A person's data handed out is in the audit trail first. */
	if (!rc)
		rc = store_audit_note(s, "read", r.coll, id, 1,
				      STORE_AUDIT_CARE, e);
	if (!rc)
		rc = view_case_times(s, id, &t, e);
	if (!rc)
		rc = store_step_role(s, rolebuf, &role, e);
	if (rc)
		goto out;
	id_format(id, idtext);
	o = json_object();
	bdi = json_object();
	next = json_array();
	kids = json_array();
	k = value_ix(f, json_object_get(r.fields, f->name));
	view_json_put(o, "id", json_string(idtext), &bad);
	view_json_put(o, "label", json_string(r.coll->label ? r.coll->label : "case"),
	    &bad);
	view_json_put(o, "fields", json_deep_copy(r.fields), &bad);
	view_json_put(o, "role", role ? json_string(role) : json_null(), &bad);
	view_json_put(bdi, "stage", k >= 0 ? json_string(f->values[k]) : json_null(),
	    &bad);
	view_json_put(bdi, "stage_label",
	    k >= 0 ? json_string(value_label(f, k)) : json_null(), &bad);
	view_json_put(bdi, "timeline", timeline(f, &t, &bad), &bad);
	rc = next_steps(s, r.coll, id, r.fields, f, role, next, &bad, e);
	view_json_put(bdi, "next", next, &bad);
	view_json_put(o, "bdi", bdi, &bad);
	if (!rc)
		rc = children(s, idtext, kids, &bad, e);
	if (!rc)
		add_budgets(kids, &bad);
	view_json_put(o, "children", kids, &bad);
	if (!rc && bad)
		rc = err_set(e, ERR_NOMEM, "out of memory");
	if (!rc) {
		*out = o;
		o = NULL;
	}
out:
	json_decref(o);
	store_record_release(&r);
	return rc;
}
