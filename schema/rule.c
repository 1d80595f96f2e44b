/*
 * rule.c - see rule.h.
 *
 * Declarations are small constant tables (a procedure has a dozen steps),
 * so every question is a linear scan: nothing to build or free, safe from
 * any thread.  Values are compared as the constants of the declarations
 * (rule_value()), which is also what lets messages quote them: a string
 * from a record that is not a declared value is never echoed.
 */
#include "schema/rule.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

const char *rule_value(const struct schema_field *f, const json_t *v)
{
	const char *s = json_string_value(v);

	if (!f || !s || !f->values)
		return NULL;
	for (const char *const *p = f->values; *p; p++)
		if (strcmp(*p, s) == 0)
			return *p;
	return NULL;
}

int rule_is_procedure(const struct schema_field *f)
{
	return f && f->transitions && f->ntransitions > 0;
}

/* Two step ends (NULL: no value) are the same. */
static int same_end(const char *a, const char *b)
{
	return a && b ? strcmp(a, b) == 0 : a == b;
}

const struct schema_transition *rule_transition(const struct schema_field *f,
						const char *from,
						const char *to)
{
	if (!rule_is_procedure(f) || !to)
		return NULL;
	for (size_t i = 0; i < f->ntransitions; i++) {
		const struct schema_transition *t = &f->transitions[i];

		if (same_end(t->from, from) && same_end(t->to, to))
			return t;
	}
	return NULL;
}

int rule_role_ok(const struct schema_transition *t, const char *role)
{
	if (!t->roles)
		return 1;
	for (const char *const *r = t->roles; role && *r; r++)
		if (strcmp(*r, role) == 0)
			return 1;
	return 0;
}

/* The roles of t as "a, b" into buf. */
static void roles_text(const struct schema_transition *t, char *buf,
		       size_t n)
{
	size_t used = 0;

	buf[0] = '\0';
	for (const char *const *r = t->roles; *r && used < n; r++) {
		int w = snprintf(buf + used, n - used, "%s%s",
				 used ? ", " : "", *r);

		if (w < 0)
			return;
		used += (size_t)w;
	}
}

/* The label of f for a message (its name when it has none). */
/* A step's end for a message: "(nessuno)" for no value. */
static const char *end_text(const char *v)
{
	return v ? v : "(nessuno)";
}

/* The refusal of step from -> to of f (t the declared step, NULL if
 * none) by role.  Domain refusals are in Italian and name the field by
 * name and label (the domain contract, "Messages"). */
static int refuse_step(const struct schema_collection *c,
		       const struct schema_field *f, const char *from,
		       const char *to, const struct schema_transition *t,
		       const char *role, struct err *e)
{
	char roles[160];

	if (!to)
		return err_set(e, ERR_INVALID, "campo '%s' (%s) di '%s': e' "
			       "lo stato di una procedura, non si cancella",
			       f->name, schema_field_label(f), c->name);
	if (!t)
		return err_set(e, ERR_INVALID, "campo '%s' (%s) di '%s': il "
			       "passo '%s' -> '%s' non e' previsto dalla "
			       "procedura", f->name, schema_field_label(f), c->name,
			       end_text(from), to);
	roles_text(t, roles, sizeof(roles));
	return err_set(e, ERR_CONFLICT, "campo '%s' (%s) di '%s': il passo "
		       "'%s' -> '%s' spetta a: %s; non a: %s", f->name,
		       schema_field_label(f), c->name, end_text(from), to, roles,
		       role && schema_name_ok(role) ? role
						    : "un nodo senza ruolo");
}

int rule_check_step(const struct schema_collection *c,
		      const struct schema_field *f, const char *from,
		      const char *to, const char *role, struct err *e)
{
	const struct schema_transition *t = rule_transition(f, from, to);

	if (t && rule_role_ok(t, role))
		return 0;
	return refuse_step(c, f, from, to, t, role, e);
}

int rule_check_steps(const struct schema_collection *c, const json_t *cur,
		     const json_t *fields, const char *role, struct err *e)
{
	const char *key;
	json_t *val;
	int rc;

	json_object_foreach((json_t *)fields, key, val) {
		const struct schema_field *f = schema_field(c, key);
		const json_t *old = cur ? json_object_get(cur, key) : NULL;

		if (!rule_is_procedure(f))
			continue;
		/* Writing the value it has is no step. */
		if (old && json_equal(old, val))
			continue;
		rc = rule_check_step(c, f, rule_value(f, old),
				     rule_value(f, val), role, e);
		if (rc)
			return rc;
	}
	return 0;
}

int rule_check_settle(const struct schema_collection *c,
		      const struct schema_field *f, const json_t *const *cand,
		      size_t ncand, const json_t *to, const char *role,
		      struct err *e)
{
	const char *want = rule_value(f, to);
	const struct schema_transition *seen = NULL;

	if (!rule_is_procedure(f))
		return 0;
	for (size_t i = 0; want && i < ncand; i++) {
		const char *from = rule_value(f, cand[i]);
		const struct schema_transition *t =
			rule_transition(f, from, want);

		if (from == want || (t && rule_role_ok(t, role)))
			return 0;
		if (t)
			seen = t;
	}
	return refuse_step(c, f,
			   ncand ? rule_value(f, cand[0]) : NULL, want, seen,
			   role, e);
}

/* ---- aggregates ---- */

/* The collection c's parent field points to, or NULL. */
static const struct schema_collection *
parent_coll(const struct schema_collection *c)
{
	const struct schema_field *f = schema_field(c, c->parent);

	return f && f->type == SCHEMA_REF ? schema_collection(f->ref) : NULL;
}

const struct schema_aggregate *
rule_aggregate_over(const struct schema_collection *child, size_t i,
		    const struct schema_collection **parent)
{
	const struct schema_collection *p = child ? parent_coll(child) : NULL;

	*parent = p;
	for (size_t k = 0; p && k < p->naggregates; k++) {
		const struct schema_aggregate *a = &p->aggregates[k];

		if (strcmp(a->child, child->name) == 0 && i-- == 0)
			return a;
	}
	return NULL;
}

int rule_counted(const struct schema_collection *c)
{
	const struct schema_collection *o, *p;

	if (!c)
		return 0;
	if (c->quota || rule_aggregate_over(c, 0, &p))
		return 1;
	for (size_t i = 0; (o = schema_at(i)) != NULL; i++) {
		for (size_t j = 0; j < o->nfields; j++) {
			const struct schema_field *f = &o->fields[j];

			for (size_t k = 0; k < f->ntransitions; k++) {
				const struct schema_transition *t =
				    &f->transitions[k];

				for (size_t n = 0; n < t->nrequires; n++) {
					const struct schema_requirement *r =
					    &t->requires[n];

					if ((r->link == SCHEMA_LINK_CHILD ||
					     r->link == SCHEMA_LINK_SIBLING) &&
					    rule_requirement_target(o, r) == c)
						return 1;
				}
			}
		}
	}
	return 0;
}

int rule_sum_add(const struct schema_aggregate *a, const json_t *child,
		 long long *total)
{
	const json_t *v = json_object_get(child, a->sum);
	long long x = json_is_integer(v) ? (long long)json_integer_value(v)
					  : 0;

	if ((x > 0 && *total > LLONG_MAX - x) ||
	    (x < 0 && *total < LLONG_MIN - x))
		return ERR_INVALID;
	*total += x;
	return 0;
}

void rule_sum_init(struct rule_sum *t)
{
	memset(t, 0, sizeof(*t));
}

void rule_sum_take(const struct schema_aggregate *a, const json_t *child,
		   struct rule_sum *t)
{
	const json_t *v = json_object_get(child, a->sum);
	long long x = json_is_integer(v) ? (long long)json_integer_value(v)
					  : 0;

	if (x > 0 && t->pos > LLONG_MAX - x) {
		t->pos = LLONG_MAX;
		t->overflow = 1;
	} else if (x < 0 && t->neg < LLONG_MIN - x) {
		t->neg = LLONG_MIN;
		t->overflow = 1;
	} else if (x > 0) {
		t->pos += x;
	} else {
		t->neg += x;
	}
}

int rule_sum_total(const struct rule_sum *t, long long *total)
{
	/* pos <= LLONG_MAX and neg >= LLONG_MIN: pos + neg always fits. */
	*total = t->pos + t->neg;
	return t->overflow ? ERR_INVALID : 0;
}

int rule_sum_over(const struct rule_sum *t, long long cap)
{
	long long total;

	return rule_sum_total(t, &total) || rule_over_cap(total, cap);
}

long long rule_cap(const struct schema_aggregate *a, const json_t *parent)
{
	const json_t *v = a->cap_field && parent
				  ? json_object_get(parent, a->cap_field)
				  : NULL;

	return json_is_integer(v) ? (long long)json_integer_value(v) : a->cap;
}

int rule_over_cap(long long total, long long cap)
{
	return total > cap;
}

/* The label of field name of collection c (its name when either is not
 * declared or has no label). */
static const char *field_label(const struct schema_collection *c,
			       const char *name)
{
	const struct schema_field *f = c ? schema_field(c, name) : NULL;

	return f ? schema_field_label(f) : name;
}

/* " 'cap' (label)" naming a's cap field, into buf; "" when a's cap is a
 * constant. */
static void cap_text(const struct schema_collection *parent,
		     const struct schema_aggregate *a, char *buf, size_t n)
{
	buf[0] = '\0';
	if (a->cap_field)
		snprintf(buf, n, " '%s' (%s)", a->cap_field,
			 field_label(parent, a->cap_field));
}

int rule_check_cap(const struct schema_collection *parent,
		   const struct schema_aggregate *a, long long before,
		   long long after, long long cap, struct err *e)
{
	char capf[160];

	if (!rule_over_cap(after, cap) || after <= before)
		return 0;
	cap_text(parent, a, capf, sizeof(capf));
	return err_set(e, ERR_INVALID, "campo '%s' (%s) di '%s': la somma "
		       "sui record '%s' di una scheda '%s' supererebbe il "
		       "tetto%s",
		       a->sum, field_label(schema_collection(a->child), a->sum),
		       a->child, a->child, parent->name, capf);
}

void rule_cap_reason(const struct schema_collection *parent,
		     const struct schema_aggregate *a, char *buf, size_t n)
{
	char capf[160];

	cap_text(parent, a, capf, sizeof(capf));
	snprintf(buf, n, "campo '%s' (%s) dei record '%s': la somma supera "
		 "il tetto%s", a->sum,
		 field_label(schema_collection(a->child), a->sum), a->child,
		 capf);
}

/* ---- self-check ---- */

/* 1 when s is one of f's values. */
static int declared(const struct schema_field *f, const char *s)
{
	for (const char *const *p = f->values; s && *p; p++)
		if (strcmp(*p, s) == 0)
			return 1;
	return 0;
}

/* 1 when every one of values (NULL: none) is declared by field f when
 * f is an ENUM (other types take any text). */
static int values_declared(const struct schema_field *f,
			   const char *const *values)
{
	for (const char *const *p = values; p && *p; p++)
		if (f->type == SCHEMA_ENUM && (!f->values || !declared(f, *p)))
			return 0;
	return 1;
}

/* Requirement r of transition i of field f of c. */
static int check_require_decl(const struct schema_collection *c,
			      const struct schema_field *f, size_t i,
			      const struct schema_requirement *r,
			      struct err *e)
{
	const struct schema_collection *t = rule_requirement_target(c, r);
	const struct schema_collection *pc = parent_coll(c);
	const struct schema_field *rf = t && r->field
						? schema_field(t, r->field)
						: NULL;
	const char *bad = NULL;

	if (!t)
		bad = "reaches no collection";
	else if (r->link == SCHEMA_LINK_CHILD && parent_coll(t) != c)
		bad = "names a child collection whose parent is not this one";
	else if (r->link == SCHEMA_LINK_SIBLING &&
		 (!pc || parent_coll(t) != pc))
		bad = "names a sibling collection not under this one's parent";
	else if (!r->field && (r->link == SCHEMA_LINK_SELF ||
			       r->link == SCHEMA_LINK_PARENT || r->values))
		bad = "names no field";
	else if (r->field && !rf)
		bad = "names a field its collection does not declare";
	else if (rf && !values_declared(rf, r->values))
		bad = "names an undeclared value";
	else if (r->unset && !schema_field(t, r->unset))
		bad = "names an undeclared field to be unset";
	else if (!r->label || !r->label[0])
		bad = "has no label";
	for (const char *const *p = r->roles; !bad && p && *p; p++)
		if (!schema_name_ok(*p))
			bad = "has a malformed role";
	if (bad)
		return err_set(e, ERR_FAIL, "field '%s' of '%s': a requirement "
			       "of transition %zu %s", f->name, c->name, i,
			       bad);
	return 0;
}

static int check_quota_decl(const struct schema_collection *c,
			    struct err *e)
{
	const struct schema_quota *q = c->quota;
	const struct schema_field *g = q->group ? schema_field(c, q->group)
						: NULL;
	const struct schema_field *k = q->skip ? schema_field(c, q->skip)
					       : NULL;

	if (!g || (g->type != SCHEMA_ENUM && g->type != SCHEMA_STRING))
		return err_set(e, ERR_FAIL, "collection '%s': a quota groups "
			       "by no ENUM or STRING field", c->name);
	if ((q->skip && !k) || (k && !values_declared(k, q->skip_values)) ||
	    (!q->skip && q->skip_values))
		return err_set(e, ERR_FAIL, "collection '%s': a quota skips "
			       "by an undeclared field or value", c->name);
	if (!q->label || !q->label[0])
		return err_set(e, ERR_FAIL, "collection '%s': a quota has no "
			       "label", c->name);
	for (size_t i = 0; i < q->ndefaults; i++) {
		const char *one[] = { q->defaults[i].group, NULL };

		if (!q->defaults || !one[0] || q->defaults[i].allocated < 0 ||
		    (g->type == SCHEMA_ENUM && !values_declared(g, one)))
			return err_set(e, ERR_FAIL, "collection '%s': a "
				       "quota's default names an undeclared "
				       "group or a negative limit", c->name);
	}
	return 0;
}

static int check_steps_decl(const struct schema_collection *c,
			    const struct schema_field *f, struct err *e)
{
	if (f->type != SCHEMA_ENUM || !f->values)
		return err_set(e, ERR_FAIL, "field '%s' of '%s': transitions "
			       "need an ENUM", f->name, c->name);
	for (size_t i = 0; i < f->ntransitions; i++) {
		const struct schema_transition *t = &f->transitions[i];

		if (!declared(f, t->to) || (t->from && !declared(f, t->from)))
			return err_set(e, ERR_FAIL, "field '%s' of '%s': "
				       "transition %zu names an undeclared "
				       "value", f->name, c->name, i);
		for (const char *const *r = t->roles; r && *r; r++)
			if (!schema_name_ok(*r))
				return err_set(e, ERR_FAIL, "field '%s' of "
					       "'%s': transition %zu has a "
					       "malformed role", f->name,
					       c->name, i);
		if (rule_transition(f, t->from, t->to) != t)
			return err_set(e, ERR_FAIL, "field '%s' of '%s': "
				       "transition %zu declared twice",
				       f->name, c->name, i);
		if (!t->requires != !t->nrequires)
			return err_set(e, ERR_FAIL, "field '%s' of '%s': "
				       "transition %zu has requirements "
				       "without a count", f->name, c->name, i);
		for (size_t k = 0; k < t->nrequires; k++) {
			int rc = check_require_decl(c, f, i, &t->requires[k],
						    e);

			if (rc)
				return rc;
		}
	}
	return 0;
}

static int check_aggregate_decl(const struct schema_collection *c,
				const struct schema_aggregate *a,
				struct err *e)
{
	const struct schema_collection *child =
		a->child ? schema_collection(a->child) : NULL;
	const struct schema_field *sum = schema_field(child, a->sum);
	const struct schema_field *cap =
		a->cap_field ? schema_field(c, a->cap_field) : NULL;

	if (!child || parent_coll(child) != c)
		return err_set(e, ERR_FAIL, "collection '%s': an aggregate's "
			       "child is not a collection whose parent it is",
			       c->name);
	if (!sum || sum->type != SCHEMA_INT)
		return err_set(e, ERR_FAIL, "collection '%s': aggregate over "
			       "'%s' sums no INT field", c->name, child->name);
	if (a->cap_field && (!cap || cap->type != SCHEMA_INT))
		return err_set(e, ERR_FAIL, "collection '%s': aggregate over "
			       "'%s' has a cap field that is not INT",
			       c->name, child->name);
	return 0;
}

int rule_check_decl(const struct schema_collection *c, struct err *e)
{
	int rc;

	for (size_t i = 0; i < c->nfields; i++) {
		const struct schema_field *f = &c->fields[i];

		if (!f->transitions != !f->ntransitions)
			return err_set(e, ERR_FAIL, "field '%s' of '%s': "
				       "transitions without a count",
				       f->name, c->name);
		rc = rule_is_procedure(f) ? check_steps_decl(c, f, e) : 0;
		if (rc)
			return rc;
	}
	if (!c->aggregates != !c->naggregates)
		return err_set(e, ERR_FAIL, "collection '%s': aggregates "
			       "without a count", c->name);
	for (size_t i = 0; i < c->naggregates; i++) {
		rc = check_aggregate_decl(c, &c->aggregates[i], e);
		if (rc)
			return rc;
	}
	return c->quota ? check_quota_decl(c, e) : 0;
}

/* ---- requirements ---- */

int rule_requirement_applies(const struct schema_requirement *r,
			     const char *role)
{
	if (!r->roles)
		return 1;
	for (const char *const *p = r->roles; role && *p; p++)
		if (strcmp(*p, role) == 0)
			return 1;
	return 0;
}

const struct schema_collection *
rule_requirement_target(const struct schema_collection *c,
			const struct schema_requirement *r)
{
	switch (r->link) {
	case SCHEMA_LINK_SELF:
		return c;
	case SCHEMA_LINK_PARENT:
		return parent_coll(c);
	case SCHEMA_LINK_CHILD:
	case SCHEMA_LINK_SIBLING:
		return r->collection ? schema_collection(r->collection) : NULL;
	}
	return NULL;
}

/* 1 when the JSON string v is one of values. */
static int among(const char *const *values, const json_t *v)
{
	const char *s = json_string_value(v);

	for (const char *const *p = values; s && *p; p++)
		if (strcmp(*p, s) == 0)
			return 1;
	return 0;
}

/* 1 when v (a value of a record) is set: present, not null, and for a
 * string or a list not empty. */
static int is_set(const json_t *v)
{
	if (!v || json_is_null(v))
		return 0;
	if (json_is_string(v))
		return json_string_length(v) > 0;
	if (json_is_array(v))
		return json_array_size(v) > 0;
	return 1;
}

int rule_requirement_met(const struct schema_requirement *r,
			 const json_t *rec)
{
	const json_t *v;

	if (!rec)
		return 0;
	if (r->unset && is_set(json_object_get(rec, r->unset)))
		return 0;
	if (!r->field)
		return 1;
	v = json_object_get(rec, r->field);
	if (!r->values)
		return is_set(v);
	if (json_is_array(v)) {
		size_t i;
		json_t *item;

		json_array_foreach(v, i, item)
			if (among(r->values, item))
				return 1;
		return 0;
	}
	return among(r->values, v);
}

int rule_check_requires(const struct schema_collection *c,
			const struct schema_field *f,
			const struct schema_transition *t, const char *role,
			rule_requirement_fn fn, void *ctx, struct err *e)
{
	for (size_t i = 0; t && i < t->nrequires; i++) {
		const struct schema_requirement *r = &t->requires[i];
		int holds = 0, rc;

		if (!rule_requirement_applies(r, role))
			continue;
		rc = fn(ctx, r, &holds, e);
		if (rc)
			return rc;
		if (!holds)
			return err_set(e, ERR_CONFLICT, "campo '%s' (%s) di "
				       "'%s': il passo '%s' -> '%s' richiede: "
				       "%s", f->name, schema_field_label(f), c->name,
				       end_text(t->from), t->to,
				       r->label ? r->label : "?");
	}
	return 0;
}

/* ---- invariants, quotas ---- */

int rule_check_invariant(const struct schema_collection *c,
			 const json_t *cur, const json_t *after,
			 struct err *e)
{
	const char *why;

	if (!c->invariant || !c->invariant_refuses || !after)
		return 0;
	why = c->invariant(after);
	if (!why || (cur && c->invariant(cur)))
		return 0;
	return err_set(e, ERR_INVALID, "'%s': regola non rispettata: %s",
		       c->name, why);
}

int rule_quota_counts(const struct schema_quota *q, const json_t *rec,
		      const char **group)
{
	const char *g = json_string_value(json_object_get(rec, q->group));

	*group = g;
	if (!g)
		return 0;
	return !(q->skip && q->skip_values &&
		 among(q->skip_values, json_object_get(rec, q->skip)));
}

int rule_check_quota(const struct schema_collection *c, long long used,
		     long long limit, struct err *e)
{
	if (!c->quota || used < limit)
		return 0;
	return err_set(e, ERR_INVALID, "campo '%s' (%s) di '%s': raggiunto il "
		       "limite di %s", c->quota->group,
		       field_label(c, c->quota->group), c->name,
		       c->quota->label ? c->quota->label : "record");
}
