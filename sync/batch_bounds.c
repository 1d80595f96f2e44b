/*
 * batch_bounds.c - the bounds a batch's inflated JSON must keep before it
 * is parsed, and how many values a change adds (see batch_int.h).  They
 * follow from the schema: a change of a valid record always fits, so a
 * receiver can refuse anything larger without building its tree.  And
 * the checks of a change that format 1 (batch.c) and format 2
 * (batch_col.c) both make once it is read: its values against the
 * schema, the batch's lists of nodes and operators.
 */
#include "sync/batch.h"
#include "sync/batch_int.h"

#include <stdlib.h>
#include <string.h>

#include "node/keyslot.h"
#include "schema/access.h"

/*
 * The value bounds of schema.h (SCHEMA_STRING, SCHEMA_TEXT,
 * SCHEMA_STRING_LIST and SCHEMA_ENUM_SET), and what the rest of a change can take as text:
 * they bound a change's size on the wire (change_bounds()).
 */
#define STRING_BYTES 1024
#define TEXT_BYTES (64u << 10)
#define LIST_ITEMS 64
#define NUMBER_BYTES 32  /* an integer or a real as Jansson writes it */
#define UUID_TEXT 36     /* a REF: an id as text */
#define DATETIME_TEXT 30 /* "YYYY-MM-DDTHH:MM:SS.fffffffffZ" */
#define ESCAPED(n) (2 + 6 * (size_t)(n)) /* a string of n bytes, each
					    written as \u00XX at worst */
#define ROW_HEAD 256     /* a row without its values and versions */
#define PREV_ITEM 64     /* one [field,hlc,node] of the versions */

/* Values in j, itself and object keys included. */
size_t sync_batch_values_of(const json_t *j)
{
	size_t n = 1, i;
	const char *key;
	json_t *v;

	if (json_is_array(j))
		json_array_foreach(j, i, v)
			n += sync_batch_values_of(v);
	else if (json_is_object(j))
		json_object_foreach((json_t *)j, key, v)
			n += 1 + sync_batch_values_of(v);
	return n;
}

/* The longest of an ENUM's or ENUM_SET's values, escaped at worst. */
static size_t longest_value(const struct schema_field *f)
{
	size_t v = 0;

	for (size_t k = 0; f->values && f->values[k]; k++) {
		size_t e = ESCAPED(strlen(f->values[k]));

		v = e > v ? e : v;
	}
	return v;
}

/*
 * What the largest change the schema allows takes on the wire: its JSON
 * values (keys count) and bytes, every string escaped at worst.  A
 * change of a valid record is always within them, so the receiver can
 * refuse anything beyond before parsing it.
 */
static void change_bounds(size_t *values, size_t *bytes)
{
	*values = 0;
	*bytes = 0;
	for (size_t i = 0; i < schema_count(); i++) {
		const struct schema_collection *c = schema_at(i);
		/* the row, its 7 plain items, {fields}, [versions]; the
		 * deletion marker; every version */
		size_t nv = 1 + 7 + 1 + 1 + 2 + 4 * (size_t)VERSION_SET_MAX;
		size_t nb = ROW_HEAD + 2 + ESCAPED(SCHEMA_NAME_MAX) + 8 +
			    2 + (size_t)VERSION_SET_MAX * PREV_ITEM;

		for (size_t j = 0; j < c->nfields; j++) {
			const struct schema_field *f = &c->fields[j];
			size_t v = NUMBER_BYTES;

			nv += 2;
			switch (f->type) {
			case SCHEMA_STRING:
				v = ESCAPED(STRING_BYTES);
				break;
			case SCHEMA_TEXT:
				v = ESCAPED(TEXT_BYTES);
				break;
			case SCHEMA_STRING_LIST:
				nv += LIST_ITEMS;
				v = 2 + LIST_ITEMS *
					    (ESCAPED(STRING_BYTES) + 1);
				break;
			case SCHEMA_DATE:
			case SCHEMA_DATETIME:
				v = ESCAPED(DATETIME_TEXT);
				break;
			case SCHEMA_REF:
				v = ESCAPED(UUID_TEXT);
				break;
			case SCHEMA_ENUM:
				v = longest_value(f);
				break;
			case SCHEMA_ENUM_SET:
				nv += LIST_ITEMS;
				v = 2 + LIST_ITEMS * (longest_value(f) + 1);
				break;
			default:
				break;
			}
			if (v < NUMBER_BYTES)
				v = NUMBER_BYTES; /* null, a boolean */
			nb += ESCAPED(strlen(f->name)) + 2 + v;
		}
		if (nv > *values)
			*values = nv;
		if (nb > *bytes)
			*bytes = nb;
	}
}

void sync_batch_text_limits(struct jscan_limits *lim)
{
	memset(lim, 0, sizeof(*lim));
	lim->max_values = SYNC_BATCH_MAX_VALUES;
	lim->max_depth = SYNC_BATCH_MAX_DEPTH;
	lim->max_string = ESCAPED(TEXT_BYTES);
	lim->max_number = NUMBER_BYTES;
	/* Each element of "changes", "nodes" and "ops". */
	lim->elem_depth = 2;
	change_bounds(&lim->elem_values, &lim->elem_bytes);
}

/* ERR_INVALID (what: which object) when o has a member not in known. */
static int members_in(const json_t *o, const char *const *known, size_t n,
		      const char *what, struct err *e)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)o, key, v) {
		size_t i = 0;

		while (i < n && strcmp(key, known[i]))
			i++;
		if (i == n)
			return err_set(e, ERR_INVALID, "batch: unknown %s",
				       what);
	}
	return 0;
}

int sync_batch_members_known(const json_t *doc, struct err *e)
{
	static const char *const known[] = { "v", "nodes", "ops", "meta",
					     "changes" };

	return members_in(doc, known, sizeof(known) / sizeof(known[0]),
			  "member", e);
}

int sync_batch_meta_known(const json_t *meta, struct err *e)
{
	static const char *const known[] = { "seen", "cursor", "more",
					     "purge", "rebootstrap",
					     "schema_version", "roles" };
	const json_t *roles = json_object_get(meta, "roles");
	const char *op;
	json_t *v;
	int rc = members_in(meta, known, sizeof(known) / sizeof(known[0]),
			    "meta member", e);

	/* roles (a push, batch.h): each operator of the batch's its role. */
	if (rc || !roles)
		return rc;
	if (!json_is_object(roles) ||
	    json_object_size(roles) > SYNC_BATCH_MAX_CHANGES)
		return err_set(e, ERR_INVALID, "batch: bad meta roles");
	json_object_foreach((json_t *)roles, op, v)
		if (keyslot_check_operator(op, NULL) || !json_is_string(v) ||
		    access_role_parse(json_string_value(v)) == ACCESS_NONE)
			return err_set(e, ERR_INVALID,
				       "batch: bad meta roles");
	return 0;
}

/* ---- the values of a batch, from its change count ---- */

#define FIXED_VALUES 64 /* the object, its members, meta's scalars */

/* The first "changes" member's elements (jscan_members() passes over
 * nothing: a key written with escapes ends the walk, and the bound is
 * then the tighter). */
static int count_changes(void *ctx, const char *key, size_t klen,
			 const char *val, size_t vlen)
{
	if (klen != 7 || memcmp(key, "changes", 7))
		return 0;
	if (jscan_count(val, vlen, ctx))
		*(size_t *)ctx = 0;
	return ERR_STOP;
}

/* Elements of the top object's "changes" array as written. */
static size_t changes_count(const char *t, size_t len)
{
	size_t n = 0;
	int rc = jscan_members(t, len, count_changes, &n);

	(void)rc; /* a walk that ends early leaves n as it found it */
	return n;
}

int sync_batch_values_fit(const char *text, size_t len, size_t values,
			  struct err *e)
{
	struct jscan_limits lim;
	size_t n = changes_count(text, len), allowed;

	sync_batch_text_limits(&lim);
	if (n > SYNC_BATCH_MAX_CHANGES)
		return err_set(e, ERR_INVALID, "batch: bad change list");
	/* Each change: its own values, its author and the authors of its
	 * versions in "nodes", its operator in "ops" and in meta "roles"
	 * (name and role), its "seen". */
	allowed = FIXED_VALUES + 1 + 3 * (size_t)SYNC_BATCH_MAX_PURGE +
		  n * (lim.elem_values + 2 + (size_t)VERSION_SET_MAX + 1 + 2 +
		       1);
	if (values > allowed)
		return err_set(e, ERR_INVALID,
			       "batch: more JSON values than its %zu changes "
			       "can hold", n);
	return 0;
}

/* ---- checks both formats make of a change ---- */

/* The values of change k against its collection's schema: types, known
 * fields, required fields of a create; "_deleted" a boolean.  In a batch
 * of a newer schema version (newer), fields and ENUM values this build
 * does not declare are kept within bounds (schema_validate_received()). */
int sync_batch_check_values(size_t k, const struct schema_collection *coll,
			    const json_t *fields, int creating, int newer,
			    struct err *e)
{
	int (*check)(const struct schema_collection *, const json_t *, int,
		     struct err *) =
		newer ? schema_validate_received : schema_validate;
	const json_t *marker = json_object_get(fields, SCHEMA_FIELD_DELETED_NAME);
	json_t *plain = NULL;
	const char *key;
	json_t *val;
	int rc;

	if (!marker)
		rc = check(coll, fields, creating, e);
	else if (!json_is_boolean(marker))
		rc = err_set(e, ERR_INVALID, "deletion marker not a boolean");
	else {
		/* schema_validate() refuses "_" names: check the rest. */
		plain = json_object();
		if (!plain)
			return err_set(e, ERR_NOMEM, "out of memory");
		json_object_foreach((json_t *)fields, key, val)
			if (strcmp(key, SCHEMA_FIELD_DELETED_NAME) &&
			    json_object_set(plain, key, val)) {
				json_decref(plain);
				return err_set(e, ERR_NOMEM, "out of memory");
			}
		rc = check(coll, plain, creating, e);
		json_decref(plain);
	}
	if (rc)
		err_prefix(e, "change %zu", k);
	return rc;
}

int sync_batch_check_opaque(size_t k, const json_t *fields, struct err *e)
{
	const char *key;
	json_t *val;

	json_object_foreach((json_t *)fields, key, val)
		if (!schema_name_ok(key) || !schema_opaque_ok(val))
			return err_set(e, ERR_INVALID, "change %zu: malformed",
				       k);
	return 0;
}

/* The node ids and operator names listed once for the batch. */
int sync_batch_lists(const json_t *doc, struct id **nodes, size_t *nnodes,
		     struct err *e)
{
	const json_t *jn = json_object_get(doc, "nodes");
	const json_t *jo = json_object_get(doc, "ops");
	size_t i;
	json_t *v;

	*nodes = NULL;
	*nnodes = 0;
	if (!json_is_array(jn) || !json_is_array(jo) ||
	    json_array_size(jn) > SYNC_BATCH_MAX_CHANGES * 2 ||
	    json_array_size(jo) > SYNC_BATCH_MAX_CHANGES)
		return err_set(e, ERR_INVALID, "batch: bad node or operator "
					       "list");
	json_array_foreach(jo, i, v)
		if (!json_is_string(v) ||
		    keyslot_check_operator(json_string_value(v), NULL))
			return err_set(e, ERR_INVALID,
				       "batch: bad operator name");
	*nodes = calloc(json_array_size(jn) + 1, sizeof(**nodes));
	if (!*nodes)
		return err_set(e, ERR_NOMEM, "out of memory");
	json_array_foreach(jn, i, v)
	{
		if (!json_is_string(v) ||
		    strlen(json_string_value(v)) != 2 * ID_BYTES ||
		    id_parse(&(*nodes)[i], json_string_value(v)))
			return err_set(e, ERR_INVALID, "batch: bad node id");
	}
	*nnodes = json_array_size(jn);
	return 0;
}

/* 1 when the batch's signed meta says it is of a schema version newer
 * than this build's (a hub one version ahead: batch.h). */
int sync_batch_newer(const json_t *meta)
{
	const json_t *v = json_object_get(meta, "schema_version");

	return json_is_integer(v) &&
	       json_integer_value(v) > schema_running_version();
}
