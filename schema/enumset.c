/*
 * enumset.c - see enumset.h.
 *
 * A set holds at most 64 items (schema.c), so an insertion sort over the
 * item pointers is enough and needs no comparison context (qsort() has
 * none in C17).
 */
#include "schema/enumset.h"

#include <stdlib.h>
#include <string.h>

/* Position of s among f's values; their count when f does not declare it
 * (after every declared one). */
static size_t rank(const struct schema_field *f, const char *s)
{
	size_t i = 0;

	for (; f->values && f->values[i]; i++)
		if (s && strcmp(f->values[i], s) == 0)
			return i;
	return i;
}

/* <0, 0, >0 as item a comes before, with, after item b. */
static int item_cmp(const struct schema_field *f, const json_t *a,
		    const json_t *b)
{
	const char *sa = json_string_value(a), *sb = json_string_value(b);
	size_t ra = rank(f, sa), rb = rank(f, sb);

	if (ra != rb)
		return ra < rb ? -1 : 1;
	/* Both undeclared here: by their bytes (strcmp() compares them as
	 * unsigned char), the same on every node. */
	return strcmp(sa ? sa : "", sb ? sb : "");
}

json_t *enumset_sorted(const struct schema_field *f, const json_t *set)
{
	size_t n = json_array_size(set);
	const json_t **item = NULL;
	json_t *out = NULL;
	int done = 0;

	if (!json_is_array(set))
		return NULL;
	item = calloc(n ? n : 1, sizeof(*item));
	out = json_array();
	if (!item || !out)
		goto out;
	for (size_t i = 0; i < n; i++) {
		const json_t *x = json_array_get(set, i);
		size_t j = i;

		for (; j > 0 && item_cmp(f, item[j - 1], x) > 0; j--)
			item[j] = item[j - 1];
		item[j] = x;
	}
	/* Jansson's append takes a non-const item; it only adds a
	 * reference. */
	for (size_t i = 0; i < n; i++)
		if (json_array_append(out, (json_t *)item[i]))
			goto out;
	done = 1;
out:
	free(item);
	if (!done) {
		json_decref(out);
		out = NULL;
	}
	return out;
}

/* 1 when fields holds a set value of c (the only values sorted). */
static int has_set(const struct schema_collection *c, const json_t *fields)
{
	const char *key;
	json_t *val;

	json_object_foreach((json_t *)fields, key, val) {
		const struct schema_field *f;

		if (!json_is_array(val))
			continue;
		f = schema_field(c, key);
		if (f && f->type == SCHEMA_ENUM_SET)
			return 1;
	}
	return 0;
}

json_t *enumset_canonical(const struct schema_collection *c,
			  const json_t *fields)
{
	json_t *out;
	const char *key;
	json_t *val;
	int done = 0;

	/* Most writes carry no set: they are kept as given, uncopied. */
	if (json_is_object(fields) && !has_set(c, fields))
		return json_incref((json_t *)fields);
	out = json_copy((json_t *)fields);
	if (!out || !json_is_object(out))
		goto out;
	json_object_foreach(out, key, val) {
		const struct schema_field *f = schema_field(c, key);
		json_t *sorted;

		if (!f || f->type != SCHEMA_ENUM_SET || !json_is_array(val))
			continue;
		sorted = enumset_sorted(f, val);
		/* Replacing the value of the key being visited is safe: the
		 * iteration keeps the key, not the value. */
		if (!sorted || json_object_set_new(out, key, sorted))
			goto out;
	}
	done = 1;
out:
	if (!done) {
		json_decref(out);
		out = NULL;
	}
	return out;
}
