/*
 * view_record.c - records as JSON, the where filter and filtered
 * listings (view_record.h).
 */
#include "view/view_record.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/store_audit.h"
#include "conflict/hlc.h"

const char *view_field_name(const struct schema_collection *coll, uint16_t f,
			    char buf[16])
{
	const struct schema_field *fd;

	if (f == SCHEMA_FIELD_DELETED)
		return SCHEMA_FIELD_DELETED_NAME;
	fd = coll ? schema_field_by_id(coll, f) : NULL;
	if (fd)
		return fd->name;
	snprintf(buf, 16, "field#%u", (unsigned)f);
	return buf;
}

/* Set o[k] = v (taking v); -1 when v is NULL or out of memory. */
static int jset(json_t *o, const char *k, json_t *v)
{
	return v ? json_object_set_new(o, k, v) : -1;
}

static json_t *version_json(struct store *s, const struct version *v,
			    struct err *e)
{
	char when[HLC_TEXT_LEN], node[ID_TEXT_LEN + 1];
	const char *op = NULL;
	struct id nid;
	json_t *o;

	if (store_actor(s, v->actor, &nid, &op, e) < 0)
		return NULL;
	hlc_format(v->hlc, when);
	id_format(&nid, node);
	o = json_object();
	if (!o || jset(o, "time", json_string(when)) ||
	    jset(o, "hlc", json_integer((json_int_t)v->hlc)) ||
	    jset(o, "node", json_string(node)) ||
	    jset(o, "operator", json_string(op ? op : ""))) {
		json_decref(o);
		err_set(e, ERR_NOMEM, "out of memory");
		return NULL;
	}
	return o;
}

static int add_versions(struct store *s, const struct store_record *r,
			json_t *out, struct err *e)
{
	json_t *vers = json_object(), *v;
	const char *name;
	struct err ve;
	char buf[16];
	size_t i;
	int rc = 0;

	if (!vers)
		return err_set(e, ERR_NOMEM, "out of memory");
	for (i = 0; i < r->vers.n && rc == 0; i++) {
		err_init(&ve);
		v = version_json(s, &r->vers.e[i].v, &ve);
		name = view_field_name(r->coll, r->vers.e[i].field, buf);
		if (!v)
			rc = err_set(e, ve.code ? ve.code : ERR_NOMEM, "%s",
				     ve.msg);
		else if (json_object_set_new(vers, name, v) < 0)
			rc = err_set(e, ERR_NOMEM, "out of memory");
	}
	if (rc == 0 && json_object_set_new(out, "versions", vers) < 0)
		return err_set(e, ERR_NOMEM, "out of memory");
	if (rc < 0)
		json_decref(vers);
	return rc;
}

int view_record_json(struct store *s, const struct store_record *r,
		     unsigned flags, json_t **out, struct err *e)
{
	char idtext[ID_TEXT_LEN + 1];
	json_t *o = json_object();
	int rc = 0;

	id_format(&r->id, idtext);
	if (!o || jset(o, "id", json_string(idtext)) ||
	    jset(o, "collection", json_string(r->coll->name)) ||
	    jset(o, "deleted", json_boolean(r->deleted)) ||
	    jset(o, "fields",
		 r->fields ? json_incref(r->fields) : json_object())) {
		rc = err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	if (flags & VIEW_RECORD_VERSIONS)
		rc = add_versions(s, r, o, e);
out:
	if (rc < 0) {
		json_decref(o);
		o = NULL;
	}
	*out = o;
	return rc;
}

int view_record_get(struct store *s, const struct id *id, unsigned flags,
		    json_t **out, struct err *e)
{
	struct store_record r;
	int rc;

	*out = NULL;
	store_record_init(&r);
	rc = store_get(s, id, &r, e);
	/* A person's data handed out is in the audit trail first. */
	if (rc == 0 && schema_personal(r.coll))
		rc = store_audit_note(s, "read", r.coll, id, 1,
				      STORE_AUDIT_CARE, e);
	if (rc == 0)
		rc = view_record_json(s, &r, flags, out, e);
	store_record_release(&r);
	return rc;
}

/* ---- the where filter ---- */

static int is_number_type(enum schema_type t)
{
	return t == SCHEMA_INT || t == SCHEMA_NUMBER;
}

int view_where_parse(const struct schema_collection *coll, const char *text,
		     struct view_where *w, enum view_where_error *why,
		     struct err *e)
{
	const char *eq = strchr(text, '=');
	char name[SCHEMA_NAME_MAX + 1];
	enum view_where_error dummy;
	char *end = NULL;
	size_t n;

	if (!why)
		why = &dummy;
	memset(w, 0, sizeof(*w));
	*why = VIEW_WHERE_SYNTAX;
	if (!eq || eq == text)
		return err_set(e, ERR_INVALID, "a condition is FIELD=VALUE");
	n = (size_t)(eq - text);
	if (n > SCHEMA_NAME_MAX)
		n = SCHEMA_NAME_MAX;
	memcpy(name, text, n);
	name[n] = '\0';
	w->value = eq + 1;
	w->field = schema_field(coll, name);
	*why = VIEW_WHERE_FIELD;
	if (!w->field)
		return err_set(e, ERR_INVALID,
			       "unknown field '%s' in collection %s", name,
			       coll->name);
	*why = VIEW_WHERE_VALUE;
	if (is_number_type(w->field->type)) {
		errno = 0;
		w->num = strtod(w->value, &end);
		if (!strchr("-0123456789", *w->value) || !*w->value || errno ||
		    *end || !isfinite(w->num))
			return err_set(e, ERR_INVALID, "%s wants a number",
				       name);
	}
	if (w->field->type == SCHEMA_BOOL && strcmp(w->value, "true") &&
	    strcmp(w->value, "false"))
		return err_set(e, ERR_INVALID, "%s wants true or false", name);
	*why = VIEW_WHERE_OK;
	return 0;
}

int view_where_match(const struct view_where *w, const json_t *fields)
{
	const json_t *v = json_object_get(fields, w->field->name), *x;
	size_t i;

	if (!v)
		return 0;
	if (w->field->type == SCHEMA_STRING_LIST ||
	    w->field->type == SCHEMA_ENUM_SET) {
		json_array_foreach(v, i, x)
			if (json_is_string(x) &&
			    strcmp(json_string_value(x), w->value) == 0)
				return 1;
		return 0;
	}
	if (is_number_type(w->field->type))
		return json_is_number(v) && json_number_value(v) == w->num;
	if (w->field->type == SCHEMA_BOOL)
		return json_is_boolean(v) &&
		       json_is_true(v) == (strcmp(w->value, "true") == 0);
	return json_is_string(v) && strcmp(json_string_value(v), w->value) == 0;
}

/* ---- listing ---- */

struct list_ctx {
	struct store *s;
	const struct view_list_opts *o;
	view_record_fn fn;
	void *ctx;
	uint64_t n; /* records matched */
	struct err *e;
};

/* store_list()'s callback: 0 to go on, a negative ERR_* to fail, and
 * ERR_STOP once the limit is reached (store_list() then returns 0). */
static int list_one(void *ctx, const struct store_record *r)
{
	struct list_ctx *l = ctx;
	json_t *o = NULL;
	size_t i;
	int rc = 0;

	for (i = 0; i < l->o->nwhere; i++)
		if (!r->fields || !view_where_match(&l->o->where[i], r->fields))
			return 0;
	l->n++;
	if (!l->o->count_only && l->fn) {
		rc = view_record_json(l->s, r, 0, &o, l->e);
		if (rc == 0)
			rc = l->fn(l->ctx, o);
		json_decref(o);
	}
	if (rc == 0 && l->o->limit && l->n >= l->o->limit)
		rc = ERR_STOP;
	return rc;
}

int view_record_list(struct store *s, const char *collection,
		     const struct view_list_opts *o, view_record_fn fn,
		     void *ctx, uint64_t *matched, struct err *e)
{
	struct list_ctx l = { s, o, fn, ctx, 0, e };
	int rc;

	rc = store_list(s, collection, o->with_deleted, list_one, &l, e);
	if (matched)
		*matched = l.n;
	return rc;
}
