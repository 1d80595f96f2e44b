/*
 * schema_check.c - the self-check of the declarations (schema_check(),
 * schema.h): names, ids, types, labels, values, parents, scopes and the
 * rules' declarations (schema/rule.h), run by the tests and at start-up.
 * Split from schema.c, which keeps the lookups and the validation.
 */
#include "schema/schema_int.h"

#include <string.h>

#include "schema/rule.h"

/* ---- self-check ---- */

/* 1 when s is a non-empty text (a label, a help line). */
static int text_ok(const char *s)
{
	return s && s[0];
}

/* Values present and distinct, each with a label (value_labels parallel
 * to values, as long). */
static int check_values(const struct schema_collection *c,
			const struct schema_field *f, struct err *e)
{
	size_t i, nv = 0, nl = 0;

	if (!f->values || !f->values[0])
		return err_set(e, ERR_FAIL, "field '%s' of '%s' has no values",
			       f->name, c->name);
	while (f->values[nv])
		nv++;
	while (f->value_labels && f->value_labels[nl]) {
		if (!text_ok(f->value_labels[nl]))
			return err_set(e, ERR_FAIL, "field '%s' of '%s': label "
				       "%zu is empty", f->name, c->name, nl);
		nl++;
	}
	if (nl < nv)
		return err_set(e, ERR_FAIL, "field '%s' of '%s': value '%s' "
			       "has no label", f->name, c->name,
			       f->values[nl]);
	if (nl > nv)
		return err_set(e, ERR_FAIL, "field '%s' of '%s': %zu value "
			       "labels for %zu values", f->name, c->name, nl,
			       nv);
	for (i = 0; f->values[i]; i++) {
		size_t len = strlen(f->values[i]);

		if (len == 0 || len > STRING_MAX)
			return err_set(e, ERR_FAIL,
				       "field '%s' of '%s': value %zu is empty "
				       "or too long", f->name, c->name, i);
		for (size_t j = 0; j < i; j++)
			if (strcmp(f->values[i], f->values[j]) == 0)
				return err_set(e, ERR_FAIL,
					       "field '%s' of '%s': value "
					       "'%s' declared twice", f->name,
					       c->name, f->values[i]);
	}
	return 0;
}

static int check_field(const struct schema_collection *c, size_t i,
		       struct err *e)
{
	const struct schema_field *f = &c->fields[i];

	if (!schema_name_ok(f->name) || f->name[0] == '_')
		return err_set(e, ERR_FAIL,
			       "field %zu of '%s': name must be [a-z0-9_], "
			       "1 to %d characters, not starting with '_'",
			       i, c->name, SCHEMA_NAME_MAX - 1);
	if (f->id == SCHEMA_FIELD_DELETED)
		return err_set(e, ERR_FAIL, "field '%s' of '%s': id 0 is "
			       "reserved", f->name, c->name);
	if (f->type < SCHEMA_STRING || f->type > SCHEMA_ENUM_SET ||
	    (f->flags & ~(unsigned)KNOWN_FLAGS) ||
	    (f->merge != SCHEMA_MERGE_FIELD &&
	     f->merge != SCHEMA_MERGE_MONOTONIC))
		return err_set(e, ERR_FAIL, "field '%s' of '%s': unknown type, "
			       "flag or merge rule", f->name, c->name);
	for (size_t j = 0; j < i; j++) {
		if (strcmp(c->fields[j].name, f->name) == 0)
			return err_set(e, ERR_FAIL, "field '%s' of '%s' "
				       "declared twice", f->name, c->name);
		if (c->fields[j].id == f->id)
			return err_set(e, ERR_FAIL, "field '%s' of '%s': id %u "
				       "already used by '%s'", f->name,
				       c->name, (unsigned)f->id,
				       c->fields[j].name);
	}
	if (!text_ok(f->label) || !text_ok(f->help))
		return err_set(e, ERR_FAIL, "field '%s' of '%s' has no label "
			       "or no help", f->name, c->name);
	if (f->merge == SCHEMA_MERGE_MONOTONIC && f->type != SCHEMA_ENUM)
		return err_set(e, ERR_FAIL, "field '%s' of '%s': MONOTONIC "
			       "needs an ENUM", f->name, c->name);
	if (f->type == SCHEMA_ENUM || f->type == SCHEMA_ENUM_SET)
		return check_values(c, f, e);
	if (f->values || f->value_labels)
		return err_set(e, ERR_FAIL, "field '%s' of '%s': values on a "
			       "field that is neither ENUM nor ENUM_SET",
			       f->name, c->name);
	if (f->type != SCHEMA_REF && f->ref)
		return err_set(e, ERR_FAIL, "field '%s' of '%s': ref on a "
			       "non-REF field", f->name, c->name);
	if (f->type == SCHEMA_REF && !schema_collection(f->ref))
		return err_set(e, ERR_FAIL, "field '%s' of '%s': REF target "
			       "'%s' is not a collection", f->name, c->name,
			       f->ref ? f->ref : "(none)");
	return 0;
}


/*
 * The parent field must be a REQUIRED REF: scope follows it, so a record
 * without one would have no scope.  Following parents from c must end at a
 * root within schema_count() steps, or they loop.
 */
static int check_parent(const struct schema_collection *c, struct err *e)
{
	const struct schema_field *f = schema_field(c, c->parent);
	const struct schema_collection *p = c;

	if (!c->parent)
		return 0;
	if (!f || f->type != SCHEMA_REF || !(f->flags & SCHEMA_REQUIRED))
		return err_set(e, ERR_FAIL, "collection '%s': parent '%s' is "
			       "not a REQUIRED REF field", c->name, c->parent);
	for (size_t steps = 0; p; steps++) {
		if (steps > schema_count())
			return err_set(e, ERR_FAIL, "collection '%s': parents "
				       "form a cycle", c->name);
		p = schema_parent_of(p);
	}
	/* A parent that is itself a child may not move: the hub records no
	 * scope event for its children, so they would stay behind with the
	 * holders of its former case (sync/README.md, "Scopes"). */
	for (size_t i = 0; i < schema_count(); i++)
		if (schema_at(i)->parent && schema_parent_of(schema_at(i)) == c &&
		    !(f->flags & SCHEMA_FIXED))
			return err_set(e, ERR_FAIL, "collection '%s': parent "
				       "'%s' must be FIXED, '%s' follows it",
				       c->name, c->parent, schema_at(i)->name);
	return 0;
}

static int check_collection(size_t i, struct err *e)
{
	const struct schema_collection *c = schema_at(i);
	int rc;

	if (!schema_name_ok(c->name))
		return err_set(e, ERR_FAIL, "collection %zu: name must be "
			       "[a-z0-9_], 1 to %d characters", i,
			       SCHEMA_NAME_MAX - 1);
	if (c->id == 0)
		return err_set(e, ERR_FAIL, "collection '%s': id 0", c->name);
	if (c->kind != SCHEMA_RECORDS && c->kind != SCHEMA_APPEND_ONLY)
		return err_set(e, ERR_FAIL, "collection '%s': unknown kind",
			       c->name);
	if (!text_ok(c->label) || !text_ok(c->help))
		return err_set(e, ERR_FAIL, "collection '%s' has no label or "
			       "no help", c->name);
	if (c->nfields > FIELDS_MAX || (c->nfields && !c->fields))
		return err_set(e, ERR_FAIL, "collection '%s': %zu fields "
			       "(at most %d)", c->name, c->nfields,
			       FIELDS_MAX);
	for (size_t j = 0; j < i; j++) {
		const struct schema_collection *o = schema_at(j);

		if (strcmp(o->name, c->name) == 0)
			return err_set(e, ERR_FAIL, "collection '%s' declared "
				       "twice", c->name);
		if (o->id == c->id)
			return err_set(e, ERR_FAIL, "collection '%s': id %u "
				       "already used by '%s'", c->name,
				       (unsigned)c->id, o->name);
	}
	for (size_t j = 0; j < c->nfields; j++) {
		rc = check_field(c, j, e);
		if (rc)
			return rc;
	}
	return 0;
}

/*
 * A scope root names a REQUIRED ENUM or STRING region field and a
 * STRING_LIST nodes field, has no parent, and its subject (if any) is a
 * REQUIRED REF to a collection that is not itself scoped otherwise.
 */
static int check_scope(const struct schema_collection *c, struct err *e)
{
	const struct schema_field *r, *n, *sub;

	if (!c->scope_region && !c->scope_nodes && !c->scope_subject)
		return 0;
	r = schema_field(c, c->scope_region);
	n = schema_field(c, c->scope_nodes);
	if (!r || !(r->flags & SCHEMA_REQUIRED) ||
	    (r->type != SCHEMA_ENUM && r->type != SCHEMA_STRING))
		return err_set(e, ERR_FAIL, "collection '%s': scope region is "
			       "not a REQUIRED ENUM or STRING field", c->name);
	if (!n || n->type != SCHEMA_STRING_LIST)
		return err_set(e, ERR_FAIL, "collection '%s': scope nodes is "
			       "not a STRING_LIST field", c->name);
	if (c->parent)
		return err_set(e, ERR_FAIL, "collection '%s': a scope root "
			       "has no parent", c->name);
	if (!c->scope_subject)
		return 0;
	sub = schema_field(c, c->scope_subject);
	if (!sub || sub->type != SCHEMA_REF || !(sub->flags & SCHEMA_REQUIRED))
		return err_set(e, ERR_FAIL, "collection '%s': scope subject "
			       "is not a REQUIRED REF field", c->name);
	if (schema_scope_of(schema_collection(sub->ref)) != SCHEMA_SCOPE_SUBJECT)
		return err_set(e, ERR_FAIL, "collection '%s': scope subject "
			       "'%s' is scoped otherwise", c->name, sub->ref);
	return 0;
}

/* Retention (struct schema_retention): on a scope root naming its
 * subject (a person is what goes), over one of its DATE fields. */
static int check_retention(const struct schema_collection *c, struct err *e)
{
	const struct schema_retention *r = c->retention;
	const struct schema_field *f = r ? schema_field(c, r->ends) : NULL;

	if (!r)
		return 0;
	if (!c->scope_region || !c->scope_subject)
		return err_set(e, ERR_FAIL, "collection '%s': retention on a "
			       "collection that is no root naming a subject",
			       c->name);
	if (!f || f->type != SCHEMA_DATE || r->years < 1 || r->years > 99 ||
	    !r->label)
		return err_set(e, ERR_FAIL, "collection '%s': retention needs "
			       "a DATE field, 1 to 99 years and a label",
			       c->name);
	return 0;
}

/* The search declaration (struct schema_search): on one collection at
 * most, naming its own fields, merged_into a REF to itself. */
static int check_search(struct err *e)
{
	const struct schema_collection *c = NULL;

	for (size_t i = 0; i < schema_count(); i++) {
		const struct schema_collection *o = schema_at(i);
		const struct schema_search *k = o->search;
		const char *names[7];

		if (!k)
			continue;
		if (c)
			return err_set(e, ERR_FAIL, "collections '%s' and '%s' "
				       "both declare search", c->name, o->name);
		c = o;
		names[0] = k->given;
		names[1] = k->family;
		names[2] = k->others;
		names[3] = k->birth_date;
		names[4] = k->nationality;
		names[5] = k->tax_code;
		names[6] = k->merged_into;
		for (size_t j = 0; j < 7; j++)
			if (names[j] && !schema_field(o, names[j]))
				return err_set(e, ERR_FAIL, "collection '%s': "
					       "search names an undeclared "
					       "field", o->name);
		if (k->merged_into &&
		    (schema_field(o, k->merged_into)->type != SCHEMA_REF ||
		     strcmp(schema_field(o, k->merged_into)->ref, o->name)))
			return err_set(e, ERR_FAIL, "collection '%s': search's "
				       "merged_into is not a REF to '%s'",
				       o->name, o->name);
	}
	return 0;
}

int schema_check(struct err *e)
{
	int rc;

	/* Collections and fields first: following parents assumes every
	 * collection name is unique and every REF target exists. */
	for (size_t i = 0; i < schema_count(); i++) {
		rc = check_collection(i, e);
		if (rc)
			return rc;
	}
	for (size_t i = 0; i < schema_count(); i++) {
		rc = check_parent(schema_at(i), e);
		if (!rc)
			rc = check_scope(schema_at(i), e);
		if (!rc)
			rc = rule_check_decl(schema_at(i), e);
		if (!rc)
			rc = check_retention(schema_at(i), e);
		if (rc)
			return rc;
	}
	return check_search(e);
}
