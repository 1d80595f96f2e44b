/*
 * view_schema.c - see view_schema.h.
 *
 * The trees are built with json_pack's "s?" (a NULL text becomes null)
 * and "o" (steals a new tree, NULL failing the pack): a failure anywhere
 * leaves nothing allocated but what the caller receives, or NULL.
 */
#include "view/view_schema.h"

#include "schema/rule.h"

const char *view_schema_type_name(enum schema_type t)
{
	switch (t) {
	case SCHEMA_STRING: return "string";
	case SCHEMA_TEXT: return "text";
	case SCHEMA_INT: return "int";
	case SCHEMA_NUMBER: return "number";
	case SCHEMA_BOOL: return "bool";
	case SCHEMA_DATE: return "date";
	case SCHEMA_DATETIME: return "datetime";
	case SCHEMA_STRING_LIST: return "string_list";
	case SCHEMA_ENUM: return "enum";
	case SCHEMA_REF: return "ref";
	case SCHEMA_ENUM_SET: return "enum_set";
	}
	return "?";
}

const char *view_schema_type_label(enum schema_type t)
{
	switch (t) {
	case SCHEMA_STRING: return "testo breve";
	case SCHEMA_TEXT: return "testo";
	case SCHEMA_INT: return "numero intero";
	case SCHEMA_NUMBER: return "numero";
	case SCHEMA_BOOL: return "sì o no";
	case SCHEMA_DATE: return "data";
	case SCHEMA_DATETIME: return "data e ora";
	case SCHEMA_STRING_LIST: return "elenco di testi";
	case SCHEMA_ENUM: return "scelta";
	case SCHEMA_REF: return "riferimento";
	case SCHEMA_ENUM_SET: return "scelta multipla";
	}
	return "?";
}

static const char *scope_name(enum schema_scope s)
{
	switch (s) {
	case SCHEMA_SCOPE_SHARED: return "shared";
	case SCHEMA_SCOPE_ROOT: return "root";
	case SCHEMA_SCOPE_PARENT: return "parent";
	case SCHEMA_SCOPE_SUBJECT: return "subject";
	}
	return "?";
}

/* [strings] of a NULL-terminated list, or null when list is NULL. */
static json_t *strings(const char *const *list)
{
	json_t *a;

	if (!list)
		return json_null();
	a = json_array();
	for (size_t i = 0; a && list[i]; i++)
		if (json_array_append_new(a, json_string(list[i]))) {
			json_decref(a);
			return NULL;
		}
	return a;
}

/* [{"value","label"}] of an ENUM or ENUM_SET. */
static json_t *values(const struct schema_field *f)
{
	json_t *a = json_array();

	for (size_t i = 0; a && f->values && f->values[i]; i++) {
		const char *l = f->value_labels ? f->value_labels[i] : NULL;

		if (json_array_append_new(a, json_pack("{s:s,s:s?}", "value",
						       f->values[i], "label",
						       l))) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static json_t *transitions(const struct schema_field *f)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < f->ntransitions; i++) {
		const struct schema_transition *t = &f->transitions[i];

		if (json_array_append_new(a, json_pack("{s:s?,s:s,s:o}",
						       "from", t->from, "to",
						       t->to, "roles",
						       strings(t->roles)))) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static json_t *field_json(const struct schema_field *f)
{
	json_t *o = json_pack(
		"{s:s,s:i,s:s,s:s?,s:s?,s:s?,s:b,s:b,s:b,s:s,s:s}", "name",
		f->name, "id", (int)f->id, "type",
		view_schema_type_name(f->type), "label", f->label, "help",
		f->help, "doc", f->doc, "required",
		(f->flags & SCHEMA_REQUIRED) != 0, "personal",
		(f->flags & SCHEMA_PERSONAL) != 0, "hub_only",
		(f->flags & SCHEMA_HUB_ONLY) != 0, "merge",
		f->merge == SCHEMA_MERGE_MONOTONIC ? "monotonic" : "field",
		"group", access_group_name(f->group));

	int bad = !o;

	if (!bad && f->type == SCHEMA_REF)
		bad = json_object_set_new(o, "ref", json_string(f->ref));
	if (!bad && f->values)
		bad = json_object_set_new(o, "values", values(f));
	if (!bad && rule_is_procedure(f))
		bad = json_object_set_new(o, "transitions", transitions(f));
	if (bad) {
		json_decref(o);
		o = NULL;
	}
	return o;
}

static json_t *aggregates(const struct schema_collection *c)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < c->naggregates; i++) {
		const struct schema_aggregate *g = &c->aggregates[i];

		if (json_array_append_new(a, json_pack(
			    "{s:s,s:s,s:s?,s:I,s:s?}", "child", g->child,
			    "sum", g->sum, "cap_field", g->cap_field, "cap",
			    (json_int_t)g->cap, "doc", g->doc))) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

json_t *view_schema_collection_json(const struct schema_collection *c)
{
	json_t *fields = json_array(), *o = NULL;

	for (size_t i = 0; fields && i < c->nfields; i++)
		if (json_array_append_new(fields, field_json(&c->fields[i])))
			goto out;
	o = json_pack("{s:s,s:i,s:s?,s:s?,s:s?,s:s,s:s?,s:s,s:b,s:o,s:O}",
		      "name", c->name, "id", (int)c->id, "label", c->label,
		      "help", c->help, "doc", c->doc, "kind",
		      c->kind == SCHEMA_APPEND_ONLY ? "append_only"
						    : "records",
		      "parent", c->parent, "scope",
		      scope_name(schema_scope_of(c)), "invariant",
		      c->invariant != NULL, "aggregates", aggregates(c),
		      "fields", fields);
out:
	json_decref(fields);
	return o;
}

json_t *view_schema_access_json(enum access_role r)
{
	json_t *o = json_pack("{s:s,s:s,s:[],s:[],s:b}", "role",
			      access_role_name(r), "label",
			      access_role_label(r), "read", "write",
			      "manages_operators",
			      access_manages_operators(r));
	json_t *rd = o ? json_object_get(o, "read") : NULL;
	json_t *wr = o ? json_object_get(o, "write") : NULL;

	for (int g = 0; o && g < SCHEMA_GROUPS; g++) {
		json_t *name = json_string(access_group_name((enum schema_group)g));

		if (!name ||
		    (access_group_read(r, (enum schema_group)g) &&
		     json_array_append(rd, name)) ||
		    (access_group_write(r, (enum schema_group)g) &&
		     json_array_append(wr, name))) {
			json_decref(o);
			o = NULL;
		}
		json_decref(name);
	}
	return o;
}

json_t *view_schema_json(void)
{
	json_t *colls = json_array();
	const struct schema_collection *c;

	for (size_t i = 0; colls && (c = schema_at(i)) != NULL; i++)
		if (json_array_append_new(colls,
					  view_schema_collection_json(c))) {
			json_decref(colls);
			return NULL;
		}
	json_t *groups = json_array();

	for (int g = 0; groups && g < SCHEMA_GROUPS; g++)
		if (json_array_append_new(
			groups,
			json_pack("{s:s,s:s}", "name",
				  access_group_name((enum schema_group)g),
				  "label",
				  access_group_label((enum schema_group)g)))) {
			json_decref(groups);
			groups = NULL;
		}
	if (!colls || !groups) {
		json_decref(colls);
		json_decref(groups);
		return NULL;
	}
	return json_pack("{s:i,s:o,s:o}", "version", schema_version(),
			 "collections", colls, "groups", groups);
}
