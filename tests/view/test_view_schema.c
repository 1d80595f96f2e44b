/*
 * test_view_schema.c - view/view_schema.c: the schema as JSON for the web
 * interface and `presidio schema --json`: collections, fields, types,
 * flags, labels, help, values with their labels, steps with their roles,
 * caps.
 */
#include <jansson.h>
#include <string.h>

#include "schema/schema.h"
#include "tests/test.h"
#include "view/view_schema.h"

/* The element of array a whose "name" is name, or NULL. */
static json_t *named(const json_t *a, const char *name)
{
	size_t i;
	json_t *x;

	json_array_foreach(a, i, x) {
		const char *n = json_string_value(json_object_get(x, "name"));

		if (n && strcmp(n, name) == 0)
			return x;
	}
	return NULL;
}

static const char *str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static void test_view_schema_type_names(void)
{
	CHECK(strcmp(view_schema_type_name(SCHEMA_STRING), "string") == 0);
	CHECK(strcmp(view_schema_type_name(SCHEMA_STRING_LIST),
		     "string_list") == 0);
	CHECK(strcmp(view_schema_type_name(SCHEMA_ENUM_SET), "enum_set") == 0);
	CHECK(strcmp(view_schema_type_name((enum schema_type)99), "?") == 0);
	CHECK(strcmp(view_schema_type_label(SCHEMA_ENUM_SET),
		     "scelta multipla") == 0);
	CHECK(strcmp(view_schema_type_label(SCHEMA_DATE), "data") == 0);
	for (int t = SCHEMA_STRING; t <= SCHEMA_ENUM_SET; t++) {
		CHECK(strcmp(view_schema_type_name((enum schema_type)t), "?"));
		CHECK(strcmp(view_schema_type_label((enum schema_type)t), "?"));
	}
}

static void test_view_schema_all_collections(void)
{
	json_t *o = view_schema_json(), *colls, *x;
	size_t i;

	CHECK(o != NULL);
	CHECK(json_integer_value(json_object_get(o, "version")) == 2);
	colls = json_object_get(o, "collections");
	CHECK(json_array_size(colls) == schema_count());
	json_array_foreach(colls, i, x) {
		CHECK(strcmp(str(x, "name"), schema_at(i)->name) == 0);
		CHECK(str(x, "label") && str(x, "help"));
		CHECK(json_array_size(json_object_get(x, "fields")) ==
		      schema_at(i)->nfields);
	}
	x = named(colls, "service_directory");
	CHECK(x && strcmp(str(x, "scope"), "shared") == 0);
	CHECK(strcmp(str(named(colls, "case"), "scope"), "root") == 0);
	CHECK(strcmp(str(named(colls, "ledger"), "kind"), "append_only") == 0);
	json_decref(o);
}

static void test_view_schema_fields_values_steps(void)
{
	json_t *c = view_schema_collection_json(schema_collection("case"));
	json_t *fields = json_object_get(c, "fields"), *f, *v, *t;
	json_t *a = view_schema_collection_json(
		schema_collection("assessment"));
	json_t *d = view_schema_collection_json(schema_collection("dote"));
	int hub_only_validates = 0;
	size_t i;

	CHECK(c && a && d);
	CHECK(strcmp(str(c, "label"), "Presa in carico") == 0);
	f = named(fields, "person_id");
	CHECK(strcmp(str(f, "type"), "ref") == 0);
	CHECK(strcmp(str(f, "ref"), "person") == 0);
	CHECK(json_is_true(json_object_get(f, "required")));
	CHECK(json_object_get(f, "values") == NULL);
	f = named(fields, "bdi_matching");
	CHECK(json_is_true(json_object_get(f, "hub_only")));
	f = named(fields, "bdi_stage");
	CHECK(strcmp(str(f, "merge"), "monotonic") == 0);
	v = json_array_get(json_object_get(f, "values"), 0);
	CHECK(strcmp(str(v, "value"), "identified") == 0);
	CHECK(strcmp(str(v, "label"), "Individuazione") == 0);
	json_array_foreach(json_object_get(f, "transitions"), i, t) {
		json_t *roles = json_object_get(t, "roles");

		if (json_is_null(json_object_get(t, "from")))
			CHECK(json_is_null(roles));
		if (str(t, "from") && strcmp(str(t, "from"), "submitted") == 0 &&
		    strcmp(str(t, "to"), "validated") == 0)
			hub_only_validates =
				json_array_size(roles) == 1 &&
				strcmp(json_string_value(json_array_get(
					       roles, 0)), "hub") == 0;
	}
	CHECK(hub_only_validates);
	CHECK(json_object_get(named(fields, "region"), "transitions") == NULL);
	f = named(json_object_get(a, "fields"), "indicators");
	CHECK(strcmp(str(f, "type"), "enum_set") == 0);
	CHECK(json_array_size(json_object_get(f, "values")) == 4);
	CHECK(json_is_true(json_object_get(
		named(json_object_get(a, "fields"), "situation"), "personal")));
	CHECK(json_is_true(json_object_get(d, "invariant")));
	v = json_array_get(json_object_get(d, "aggregates"), 0);
	CHECK(strcmp(str(v, "child"), "ledger") == 0);
	CHECK(json_integer_value(json_object_get(v, "cap")) == 1200000);
	CHECK(json_is_null(json_object_get(v, "cap_field")));
	json_decref(c);
	json_decref(a);
	json_decref(d);
}

TEST_MAIN(T(test_view_schema_type_names),
	  T(test_view_schema_all_collections),
	  T(test_view_schema_fields_values_steps))
