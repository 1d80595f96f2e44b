/*
 * test_enumset.c - the one order of an ENUM_SET (schema/enumset.h): the
 * field's declaration order, items it does not declare after the declared
 * ones in byte order, other fields untouched, the input left as it was.
 */
#include <jansson.h>
#include <stdio.h>

#include "schema/enumset.h"
#include "tests/test.h"

/* The items of set, comma-separated, into a static buffer. */
static const char *joined(const json_t *set)
{
	static char out[256];
	size_t n = 0, i;
	json_t *x;

	out[0] = '\0';
	json_array_foreach(set, i, x) {
		int w = snprintf(out + n, sizeof(out) - n, "%s%s",
				 i ? "," : "", json_string_value(x));

		if (w < 0 || (size_t)w >= sizeof(out) - n)
			break;
		n += (size_t)w;
	}
	return out;
}

/* test_item.marks declares urgent, checked, shared, archived. */
static void test_enumset_declaration_order(void)
{
	const struct schema_field *f =
		schema_field(schema_collection("test_item"), "marks");
	json_t *in = json_loads("[\"archived\",\"zz_next\",\"urgent\","
				"\"a_next\",\"shared\"]", 0, NULL);
	json_t *empty = json_array();
	json_t *out = NULL, *none = NULL;

	CHECK(f && in && empty);
	if (!f || !in || !empty)
		goto out;
	out = enumset_sorted(f, in);
	CHECK(out && !strcmp(joined(out),
			     "urgent,shared,archived,a_next,zz_next"));
	/* The input is left as it was. */
	CHECK(!strcmp(joined(in), "archived,zz_next,urgent,a_next,shared"));
	none = enumset_sorted(f, empty);
	CHECK(none && json_array_size(none) == 0);
	CHECK(enumset_sorted(f, json_object_get(in, "x")) == NULL);
out:
	json_decref(in);
	json_decref(empty);
	json_decref(out);
	json_decref(none);
}

/* Only the ENUM_SET values of a write are sorted; the rest is shared. */
static void test_enumset_canonical_write(void)
{
	const struct schema_collection *c = schema_collection("test_item");
	json_t *in = json_loads("{\"marks\":[\"shared\",\"urgent\"],"
				"\"tags\":[\"b\",\"a\"],\"title\":\"t\"}", 0,
				NULL);
	json_t *out = in ? enumset_canonical(c, in) : NULL;

	CHECK(out != NULL);
	if (out) {
		CHECK(!strcmp(joined(json_object_get(out, "marks")),
			      "urgent,shared"));
		/* A STRING_LIST keeps its order: it is a list, not a set. */
		CHECK(!strcmp(joined(json_object_get(out, "tags")), "b,a"));
		CHECK(json_object_get(out, "title") ==
		      json_object_get(in, "title"));
		CHECK(!strcmp(joined(json_object_get(in, "marks")),
			      "shared,urgent"));
	}
	json_decref(in);
	json_decref(out);
}

TEST_MAIN(T(test_enumset_declaration_order), T(test_enumset_canonical_write))
