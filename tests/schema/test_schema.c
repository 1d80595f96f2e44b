/*
 * test_schema.c - lookups, the self-check and value validation of
 * schema/schema.c, mostly on the test_item collection, which has a field of
 * every type.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "schema/schema.h"
#include "tests/test.h"

/* Validate {field: v} against test_item as an update (so that only the
 * field itself matters).  Steals v. */
static int check_value(const char *field, json_t *v, struct err *e)
{
	json_t *o = json_object();
	int rc;

	json_object_set_new(o, field, v);
	err_init(e);
	rc = schema_validate(schema_collection("test_item"), o, 0, e);
	json_decref(o);
	return rc;
}

/* Same with the value written as JSON text ("\"2024-02-29\"", "12"). */
static int check_json(const char *field, const char *json, struct err *e)
{
	json_t *v = json_loads(json, JSON_DECODE_ANY, NULL);

	if (!v)
		return 1; /* neither 0 nor an ERR_* code: the test is wrong */
	return check_value(field, v, e);
}

/* Validate a whole object given as JSON text against collection coll. */
static int check_fields(const char *coll, const char *json, int creating,
			struct err *e)
{
	json_t *o = json_loads(json, 0, NULL);
	int rc;

	if (!o)
		return 1;
	err_init(e);
	rc = schema_validate(schema_collection(coll), o, creating, e);
	json_decref(o);
	return rc;
}

/* A string of n copies of unit. */
static json_t *repeat(const char *unit, size_t n)
{
	size_t len = strlen(unit);
	char *buf = malloc(n * len + 1);
	json_t *v;

	if (!buf)
		return NULL;
	for (size_t i = 0; i < n; i++)
		memcpy(buf + i * len, unit, len);
	buf[n * len] = '\0';
	v = json_string(buf);
	free(buf);
	return v;
}

/* An array of n strings "s". */
static json_t *list_of(size_t n, size_t len)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, repeat("s", len));
	return a;
}

static void test_lookup_by_name_and_id(void)
{
	static const struct {
		const char *name;
		uint16_t id;
	} known[] = {
		{ "test_item", 1 }, { "test_note", 2 }, { "person", 10 },
		{ "case", 11 }, { "service", 12 },
	};

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		const struct schema_collection *c =
			schema_collection(known[i].name);

		CHECK(c != NULL);
		CHECK(c->id == known[i].id);
		CHECK(strcmp(c->name, known[i].name) == 0);
		CHECK(schema_collection_by_id(known[i].id) == c);
	}
	CHECK(schema_count() >= 5);
	for (size_t i = 0; i < schema_count(); i++) {
		const struct schema_collection *c = schema_at(i);

		CHECK(c != NULL);
		CHECK(schema_collection(c->name) == c);
		CHECK(schema_collection_by_id(c->id) == c);
	}
	CHECK(schema_at(schema_count()) == NULL);
}

static void test_lookup_unknown_is_null(void)
{
	const struct schema_collection *c = schema_collection("test_item");

	CHECK(schema_collection("nope") == NULL);
	CHECK(schema_collection("") == NULL);
	CHECK(schema_collection("Person") == NULL);
	CHECK(schema_collection(NULL) == NULL);
	CHECK(schema_collection_by_id(0) == NULL);
	CHECK(schema_collection_by_id(9999) == NULL);
	CHECK(c != NULL);
	CHECK(schema_field(c, "nope") == NULL);
	CHECK(schema_field(c, NULL) == NULL);
	CHECK(schema_field(NULL, "title") == NULL);
	CHECK(schema_field(c, SCHEMA_FIELD_DELETED_NAME) == NULL);
	CHECK(schema_field_by_id(c, SCHEMA_FIELD_DELETED) == NULL);
	CHECK(schema_field_by_id(c, 9999) == NULL);
}

static void test_field_lookup(void)
{
	const struct schema_collection *p = schema_collection("person");
	const struct schema_collection *k = schema_collection("case");
	const struct schema_collection *s = schema_collection("service");
	const struct schema_collection *n = schema_collection("test_note");
	const struct schema_field *f;

	CHECK(p && k && s && n);
	f = schema_field(p, "given_name");
	CHECK(f != NULL);
	CHECK(f->id == 1);
	CHECK(f->flags & SCHEMA_REQUIRED);
	CHECK(f->flags & SCHEMA_PERSONAL);
	CHECK(schema_field_by_id(p, f->id) == f);
	for (size_t i = 0; i < p->nfields; i++)
		CHECK(schema_field_by_id(p, p->fields[i].id) == &p->fields[i]);

	f = schema_field(k, "stage");
	CHECK(f && f->type == SCHEMA_ENUM);
	CHECK(f->merge == SCHEMA_MERGE_MONOTONIC);
	CHECK(strcmp(f->values[0], "intake") == 0);
	CHECK(strcmp(f->values[5], "closed") == 0);
	CHECK(f->values[6] == NULL);
	f = schema_field(k, "person_id");
	CHECK(f && f->type == SCHEMA_REF && strcmp(f->ref, "person") == 0);
	CHECK(k->parent == NULL);
	CHECK(p->parent == NULL);
	CHECK(s->parent && strcmp(s->parent, "case_id") == 0);
	CHECK(n->kind == SCHEMA_APPEND_ONLY);
	CHECK(n->parent && strcmp(n->parent, "item") == 0);
	f = schema_field(schema_collection("test_item"), "approved_by");
	CHECK(f && (f->flags & SCHEMA_HUB_ONLY));
}

/* schema_field answers from its table what a scan of the declarations
 * answers: every field of every collection in force by its name, nothing
 * for another name, and a collection outside the sets in force (a copy,
 * as a previous version's) by the scan. */
static void test_field_lookup_every_field(void)
{
	const struct schema_collection *c;
	struct schema_collection copy;
	size_t total = 0;

	for (size_t i = 0; (c = schema_at(i)) != NULL; i++) {
		for (size_t j = 0; j < c->nfields; j++) {
			CHECK(schema_field(c, c->fields[j].name) ==
			      &c->fields[j]);
			total++;
		}
		CHECK(schema_field(c, "no_such_field") == NULL);
		CHECK(schema_field(c, "") == NULL);
	}
	CHECK(total > 100);
	c = schema_collection("person");
	CHECK(c != NULL);
	if (!c)
		return;
	copy = *c;
	CHECK(schema_field(&copy, "given_name") == schema_field(c, "given_name"));
	CHECK(schema_field(&copy, "no_such_field") == NULL);
	/* A name of one collection is not another's. */
	CHECK(schema_field(schema_collection("service"), "given_name") == NULL);
}

static void test_schema_check_passes(void)
{
	struct err e;

	err_init(&e);
	CHECK_OK(schema_check(&e));
	CHECK(e.msg[0] == '\0');
}

static void test_string_length_in_bytes(void)
{
	struct err e;

	CHECK_OK(check_json("title", "\"Una cosa\"", &e));
	CHECK_OK(check_json("title", "\"\"", &e));
	CHECK_OK(check_value("title", repeat("x", 1024), &e));
	CHECK(check_value("title", repeat("x", 1025), &e) == ERR_INVALID);
	/* 512 two-byte characters fill 1024 bytes; one more does not fit */
	CHECK_OK(check_value("title", repeat("\xc3\xa8", 512), &e));
	CHECK(check_value("title", repeat("\xc3\xa8", 513), &e) ==
	      ERR_INVALID);
	CHECK(check_json("title", "12", &e) == ERR_INVALID);
	CHECK(check_json("title", "[\"a\"]", &e) == ERR_INVALID);
	CHECK(strcmp(e.msg, "campo 'title' (Titolo) di 'test_item': deve essere "
		     "un testo di al massimo 1024 byte") == 0);
}

static void test_text_limit(void)
{
	struct err e;

	CHECK_OK(check_value("body", repeat("y", 65536), &e));
	CHECK(check_value("body", repeat("y", 65537), &e) == ERR_INVALID);
	CHECK(check_json("body", "true", &e) == ERR_INVALID);
}

static void test_int_and_number(void)
{
	struct err e;

	CHECK_OK(check_json("count", "0", &e));
	CHECK_OK(check_json("count", "-5", &e));
	CHECK_OK(check_json("count", "9007199254740993", &e));
	CHECK(check_json("count", "1.5", &e) == ERR_INVALID);
	CHECK(check_json("count", "1.0", &e) == ERR_INVALID);
	CHECK(check_json("count", "\"3\"", &e) == ERR_INVALID);
	CHECK(check_json("count", "true", &e) == ERR_INVALID);
	CHECK(strstr(e.msg, "deve essere un numero intero") != NULL);

	CHECK_OK(check_json("score", "3", &e));
	CHECK_OK(check_json("score", "1.5", &e));
	CHECK_OK(check_json("score", "-2e10", &e));
	CHECK(check_json("score", "\"1\"", &e) == ERR_INVALID);
	CHECK(check_json("score", "false", &e) == ERR_INVALID);
	CHECK(check_json("score", "{}", &e) == ERR_INVALID);
}

static void test_bool(void)
{
	struct err e;

	CHECK_OK(check_json("done", "true", &e));
	CHECK_OK(check_json("done", "false", &e));
	CHECK(check_json("done", "0", &e) == ERR_INVALID);
	CHECK(check_json("done", "\"true\"", &e) == ERR_INVALID);
}

static void test_date_calendar(void)
{
	static const char *const good[] = {
		"2024-02-29", /* leap year */
		"2000-02-29", /* divisible by 400: leap */
		"2023-12-31", "2023-01-01", "2023-04-30", "0001-01-01",
		"9999-12-31",
	};
	static const char *const bad[] = {
		"2023-02-29", /* not a leap year */
		"1900-02-29", /* divisible by 100, not by 400 */
		"2024-02-30", "2023-13-01", "2023-00-10", "2023-04-31",
		"2023-06-31", "2023-01-00", "2023-01-32", "0000-01-01",
		"2023-1-01", "2023-01-1", "23-01-01", "2023/01/01",
		"2023-01-01T00:00:00Z", " 2023-01-01", "2023-01-01 ",
		"2023-01-1a", "2023-0a-01", "-123-01-01", "", "yesterday",
	};
	struct err e;
	char json[64];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(json, sizeof(json), "\"%s\"", good[i]);
		CHECK_OK(check_json("due", json, &e));
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(json, sizeof(json), "\"%s\"", bad[i]);
		CHECK(check_json("due", json, &e) == ERR_INVALID);
		CHECK(strcmp(e.msg, "campo 'due' (Scadenza) di 'test_item': "
			     "deve essere una data (AAAA-MM-GG)") == 0);
	}
	CHECK(check_json("due", "20230101", &e) == ERR_INVALID);
}

static void test_datetime_forms(void)
{
	static const char *const good[] = {
		"2023-04-08T18:12:08Z", "2023-04-08T00:00:00Z",
		"2023-04-08T23:59:59Z", "2023-04-08T18:12:08.1Z",
		"2023-04-08T18:12:08.123Z", "2023-04-08T18:12:08.123456789Z",
		"2024-02-29T12:00:00Z",
	};
	static const char *const bad[] = {
		"2023-04-08T18:12:08",            /* no zone */
		"2023-04-08T18:12:08+01:00",      /* offsets are not UTC */
		"2023-04-08 18:12:08Z",           /* space for T */
		"2023-04-08t18:12:08Z", "2023-04-08T18:12:08z",
		"2023-04-08T18:12:08.Z",          /* empty fraction */
		"2023-04-08T18:12:08.1234567890Z", /* 10 digits */
		"2023-04-08T18:12:08,1Z", "2023-04-08T18:12:08.1",
		"2023-04-08T24:00:00Z", "2023-04-08T23:60:00Z",
		"2023-04-08T23:59:60Z",           /* no leap seconds */
		"2023-02-29T12:00:00Z",           /* no such day */
		"2023-04-08T18:12Z", "2023-04-08T1:12:08Z", "2023-04-08",
		"2023-04-08T18:12:08ZZ", "2023-04-08T18:12:08Z ", "",
	};
	struct err e;
	char json[64];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(json, sizeof(json), "\"%s\"", good[i]);
		CHECK_OK(check_json("at", json, &e));
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(json, sizeof(json), "\"%s\"", bad[i]);
		CHECK(check_json("at", json, &e) == ERR_INVALID);
		CHECK(strstr(e.msg, "campo 'at' (Momento) di 'test_item': deve "
			     "essere una data e ora UTC") != NULL);
	}
	CHECK(check_json("at", "1680977528", &e) == ERR_INVALID);
}

static void test_string_list(void)
{
	struct err e;

	CHECK_OK(check_json("tags", "[]", &e));
	CHECK_OK(check_json("tags", "[\"a\", \"b\", \"a\"]", &e));
	CHECK_OK(check_value("tags", list_of(64, 1024), &e));
	CHECK(check_value("tags", list_of(65, 1), &e) == ERR_INVALID);
	CHECK(check_value("tags", list_of(3, 1025), &e) == ERR_INVALID);
	CHECK(check_json("tags", "[1]", &e) == ERR_INVALID);
	CHECK(check_json("tags", "[\"a\", null]", &e) == ERR_INVALID);
	CHECK(check_json("tags", "[[\"a\"]]", &e) == ERR_INVALID);
	CHECK(check_json("tags", "\"a\"", &e) == ERR_INVALID);
	CHECK(check_json("tags", "{\"a\": \"b\"}", &e) == ERR_INVALID);
}

static void test_enum_values(void)
{
	struct err e;

	CHECK_OK(check_json("color", "\"red\"", &e));
	CHECK_OK(check_json("color", "\"blue\"", &e));
	CHECK_OK(check_json("stage", "\"draft\"", &e));
	CHECK_OK(check_json("stage", "\"published\"", &e));
	CHECK(check_json("color", "\"RED\"", &e) == ERR_INVALID);
	CHECK(check_json("color", "\"red \"", &e) == ERR_INVALID);
	CHECK(check_json("color", "\"\"", &e) == ERR_INVALID);
	CHECK(check_json("color", "1", &e) == ERR_INVALID);
	CHECK(check_json("stage", "\"red\"", &e) == ERR_INVALID);
	CHECK(check_json("color", "\"purple\"", &e) == ERR_INVALID);
	/* the declared values are constants, safe and useful to show */
	CHECK(strcmp(e.msg, "campo 'color' (Colore) di 'test_item': deve "
		     "essere uno tra: red, green, blue") == 0);
	CHECK_OK(check_fields("case", "{\"region\": \"Sicilia\"}", 0, &e));
	CHECK(check_fields("case", "{\"region\": \"Lazio\"}", 0, &e) ==
	      ERR_INVALID);
	/* a long list is cut, not overflowed */
	CHECK(check_fields("service", "{\"service_type\": \"x\"}", 0, &e) ==
	      ERR_INVALID);
	CHECK(strstr(e.msg, "legal_advice, cultural_mediation") != NULL);
	CHECK(strlen(e.msg) < ERR_MSG_MAX);
}

/* An ENUM_SET is a list of distinct declared values; its errors name the
 * field and list the declared values, never the value written. */
static void test_enum_set(void)
{
	json_t *big = json_array();
	struct err e;

	CHECK_OK(check_json("marks", "[]", &e));
	CHECK_OK(check_json("marks", "[\"urgent\"]", &e));
	CHECK_OK(check_json("marks", "[\"shared\", \"urgent\", \"archived\","
			    " \"checked\"]", &e));
	CHECK(check_json("marks", "[\"urgent\", \"Mohamed\"]", &e) ==
	      ERR_INVALID);
	CHECK(strstr(e.msg, "campo 'marks' (") != NULL);
	CHECK(strstr(e.msg, "nessuno ripetuto") != NULL);
	CHECK(strstr(e.msg, "urgent, checked, shared, archived") != NULL);
	CHECK(strstr(e.msg, "Mohamed") == NULL);
	CHECK(check_json("marks", "[\"urgent\", \"urgent\"]", &e) ==
	      ERR_INVALID);
	CHECK(strstr(e.msg, "campo 'marks'") != NULL);
	CHECK(check_json("marks", "\"urgent\"", &e) == ERR_INVALID);
	CHECK(check_json("marks", "[1]", &e) == ERR_INVALID);
	CHECK(check_json("marks", "[null]", &e) == ERR_INVALID);
	CHECK(check_json("marks", "[[\"urgent\"]]", &e) == ERR_INVALID);
	CHECK(check_json("marks", "{\"urgent\": true}", &e) == ERR_INVALID);
	/* null clears it, like any optional field */
	CHECK_OK(check_json("marks", "null", &e));
	/* more than 64 elements: refused before anything else */
	for (int i = 0; i < 65; i++)
		json_array_append_new(big, json_string("urgent"));
	CHECK(check_value("marks", big, &e) == ERR_INVALID);
	CHECK(strstr(e.msg, "al massimo 64") != NULL);
}

/* {marks: v} (JSON text) of test_item as received from another node,
 * which may run the next schema version. */
static int received_marks(const char *json, struct err *e)
{
	json_t *o = json_object();
	json_t *v = json_loads(json, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	int rc = 1; /* neither 0 nor an ERR_* code: the test is wrong */

	if (o && v && !json_object_set_new(o, "marks", v)) {
		err_init(e);
		rc = schema_validate_received(schema_collection("test_item"), o,
					      0, e);
	}
	json_decref(o);
	return rc;
}

/* An item the next version appended to an ENUM_SET is kept when
 * received, as an ENUM's value is (sync/README.md, "Schema versions"):
 * a bounded string, the set still distinct and at most 64 items; a local
 * write stays strict. */
static void test_enum_set_received_unknown_item(void)
{
	json_t *big = repeat("x", 1025);
	char *text = NULL;
	struct err e;

	CHECK_OK(received_marks("[\"urgent\", \"next_mark\"]", &e));
	CHECK_OK(received_marks("[\"next_mark\"]", &e));
	CHECK(check_json("marks", "[\"urgent\", \"next_mark\"]", &e) ==
	      ERR_INVALID);
	CHECK(received_marks("[\"next_mark\", \"next_mark\"]", &e) ==
	      ERR_INVALID);
	CHECK(strstr(e.msg, "campo 'marks' (") != NULL);
	CHECK(strstr(e.msg, "next_mark") == NULL);
	CHECK(received_marks("[\"urgent\", 1]", &e) == ERR_INVALID);
	CHECK(received_marks("[\"urgent\", \"a\\u0000b\"]", &e) ==
	      ERR_INVALID);
	/* An item longer than a STRING is not kept. */
	CHECK(big != NULL);
	if (big) {
		json_t *arr = json_pack("[o]", big);

		text = arr ? json_dumps(arr, 0) : NULL;
		json_decref(arr);
	}
	CHECK(text && received_marks(text, &e) == ERR_INVALID);
	free(text);
}

static void test_ref_uuid(void)
{
	struct err e;

	CHECK_OK(check_json("link", "\"90381a45-49f9-47a8-8183-baa5f80c7e3c\"",
			    &e));
	CHECK_OK(check_json("link", "\"90381A45-49F9-47A8-8183-BAA5F80C7E3C\"",
			    &e));
	CHECK_OK(check_json("link", "\"90381a4549f947a88183baa5f80c7e3c\"",
			    &e));
	CHECK(check_json("link", "\"not-a-uuid\"", &e) == ERR_INVALID);
	CHECK(strcmp(e.msg, "campo 'link' (Collegamento) di 'test_item': "
		     "deve essere l'identificativo di una scheda (UUID)") == 0);
	CHECK(check_json("link", "\"90381a45-49f9-47a8-8183-baa5f80c7e3\"",
			 &e) == ERR_INVALID);
	CHECK(check_json("link", "\"90381a45-49f9-47a8-8183-baa5f80c7e3cc\"",
			 &e) == ERR_INVALID);
	CHECK(check_json("link", "\"90381a45_49f9_47a8_8183_baa5f80c7e3c\"",
			 &e) == ERR_INVALID);
	CHECK(check_json("link", "\"g0381a45-49f9-47a8-8183-baa5f80c7e3c\"",
			 &e) == ERR_INVALID);
	/* the zero id means "none": clearing a reference is null */
	CHECK(check_json("link", "\"00000000-0000-0000-0000-000000000000\"",
			 &e) == ERR_INVALID);
	CHECK(check_json("link", "42", &e) == ERR_INVALID);
	CHECK_OK(check_json("link", "null", &e));
}

static void test_nul_bytes_rejected(void)
{
	static const char ref[] = "90381a45-49f9-47a8-8183-baa5f80c7e3c\0x";
	json_t *list = json_array();
	struct err e;

	CHECK(check_value("title", json_stringn("a\0b", 3), &e) ==
	      ERR_INVALID);
	CHECK(strstr(e.msg, "NUL") != NULL);
	CHECK(check_value("body", json_stringn("a\0b", 3), &e) == ERR_INVALID);
	CHECK(check_value("link", json_stringn(ref, sizeof(ref) - 1), &e) ==
	      ERR_INVALID);
	CHECK(check_value("due", json_stringn("2024-01-01\0", 11), &e) ==
	      ERR_INVALID);
	json_array_append_new(list, json_stringn("a\0b", 3));
	CHECK(check_value("tags", list, &e) == ERR_INVALID);
}

static void test_null_clears_optional_only(void)
{
	struct err e;

	CHECK_OK(check_json("count", "null", &e));
	CHECK_OK(check_json("color", "null", &e));
	CHECK(check_json("title", "null", &e) == ERR_INVALID);
	CHECK(strcmp(e.msg, "campo 'title' (Titolo) di 'test_item': "
		     "obbligatorio, non puo' essere vuoto") == 0);
	CHECK(check_fields("test_item", "{\"title\": null}", 1, &e) ==
	      ERR_INVALID);
	CHECK(check_fields("case", "{\"stage\": null}", 0, &e) ==
	      ERR_INVALID);
}

static void test_required_on_create_only(void)
{
	struct err e;

	CHECK(check_fields("test_item", "{}", 1, &e) == ERR_INVALID);
	CHECK(strcmp(e.msg, "campo 'title' (Titolo) di 'test_item': "
		     "obbligatorio") == 0);
	CHECK(check_fields("test_item", "{\"count\": 3}", 1, &e) ==
	      ERR_INVALID);
	CHECK_OK(check_fields("test_item", "{\"count\": 3}", 0, &e));
	CHECK_OK(check_fields("test_item", "{}", 0, &e));
	CHECK_OK(check_fields("test_item", "{\"title\": \"t\"}", 1, &e));

	CHECK(check_fields("person", "{\"given_name\": \"A\"}", 1, &e) ==
	      ERR_INVALID);
	CHECK(strstr(e.msg, "'family_name'") != NULL);
	CHECK_OK(check_fields("person", "{\"given_name\": \"A\", "
			      "\"family_name\": \"B\"}", 1, &e));
	CHECK(check_fields("service",
			   "{\"case_id\": \"90381a45-49f9-47a8-8183-"
			   "baa5f80c7e3c\", \"service_type\": \"food_parcel\"}",
			   1, &e) == ERR_INVALID);
	CHECK(strstr(e.msg, "'date'") != NULL);
	CHECK(check_fields("test_note", "{\"text\": \"t\"}", 1, &e) ==
	      ERR_INVALID);
	CHECK(strstr(e.msg, "'item'") != NULL);
}

static void test_unknown_and_reserved_fields(void)
{
	char key[SCHEMA_NAME_MAX + 8];
	struct err e;

	CHECK(check_json("colour", "\"red\"", &e) == ERR_INVALID);
	CHECK(strcmp(e.msg, "campo 'colour' sconosciuto nella raccolta "
		     "'test_item'") == 0);
	CHECK(check_json(SCHEMA_FIELD_DELETED_NAME, "true", &e) ==
	      ERR_INVALID);
	CHECK(strcmp(e.msg, "campo '_deleted' riservato nella raccolta "
		     "'test_item'") == 0);
	CHECK(check_json("_deleted", "null", &e) == ERR_INVALID);
	CHECK(check_json("_title", "\"t\"", &e) == ERR_INVALID);
	CHECK(check_json("_", "1", &e) == ERR_INVALID);
	CHECK(check_json("", "1", &e) == ERR_INVALID);
	/* a field of another collection is unknown here */
	CHECK(check_json("given_name", "\"A\"", &e) == ERR_INVALID);
	/* a key that is not a name may be data in the wrong place: not
	 * echoed */
	CHECK(check_json("Mario Rossi", "1", &e) == ERR_INVALID);
	CHECK(strstr(e.msg, "campo sconosciuto") != NULL);
	CHECK(strstr(e.msg, "Mario") == NULL);
	CHECK(check_value("x", json_true(), &e) == ERR_INVALID);
	CHECK(strstr(e.msg, "'x'") != NULL);
	/* too long to be a name: not echoed either */
	memset(key, 'a', sizeof(key) - 1);
	key[sizeof(key) - 1] = '\0';
	CHECK(check_value(key, json_true(), &e) == ERR_INVALID);
	CHECK(strstr(e.msg, "aaaaaaaaaaaaaaaaaaaaaaaa") == NULL);
}

static void test_non_object_rejected(void)
{
	const struct schema_collection *c = schema_collection("test_item");
	static const char *const inputs[] = {
		"[]", "[{\"title\": \"t\"}]", "\"t\"", "1", "null", "true",
	};
	struct err e;

	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		json_t *v = json_loads(inputs[i], JSON_DECODE_ANY, NULL);
		int rc;

		CHECK(v != NULL);
		err_init(&e);
		rc = schema_validate(c, v, 0, &e);
		json_decref(v);
		CHECK(rc == ERR_INVALID);
		CHECK(strstr(e.msg, "devono essere un oggetto JSON") != NULL);
	}
	err_init(&e);
	CHECK(schema_validate(c, NULL, 1, &e) == ERR_INVALID);
	CHECK(schema_validate(NULL, NULL, 1, NULL) == ERR_INVALID);
}

/* Every refusal names the field, never the value: values are personal. */
static void test_messages_never_contain_value(void)
{
	static const struct {
		const char *field, *json, *secret;
	} cases[] = {
		{ "title", "[\"Mario Rossi\"]", "Mario" },
		{ "count", "\"Mario Rossi\"", "Mario" },
		{ "score", "\"Mario Rossi\"", "Mario" },
		{ "done", "\"Mario Rossi\"", "Mario" },
		{ "due", "\"1984-02-30\"", "1984" },
		{ "at", "\"1984-02-03T10:00:00+01:00\"", "1984" },
		{ "tags", "[\"HIV\", 3]", "HIV" },
		{ "color", "\"pregnant\"", "pregnant" },
		{ "stage", "\"RSSMRA84B03F839X\"", "RSSMRA" },
		{ "link", "\"RSSMRA84B03F839X\"", "RSSMRA" },
	};
	struct err e;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK(check_json(cases[i].field, cases[i].json, &e) ==
		      ERR_INVALID);
		CHECK(strstr(e.msg, cases[i].field) != NULL);
		CHECK(strstr(e.msg, cases[i].secret) == NULL);
	}
	CHECK(check_value("title", repeat("Rossi", 300), &e) == ERR_INVALID);
	CHECK(strstr(e.msg, "Rossi") == NULL);
}

/* Lines as the workload generator writes them (gen.js --seed 42). */
static void test_workload_records_validate(void)
{
	struct err e;

	CHECK_OK(check_fields("person",
		"{\"given_name\":\"Marco\",\"family_name\":\"Caruso\","
		"\"sex\":\"M\",\"birth_date\":\"1940-09-18\","
		"\"birth_country\":\"IT\",\"nationality\":\"IT\","
		"\"languages\":[\"it\"],\"tax_code\":\"CRSMRC40P18Z338Z\","
		"\"residence_permit_type\":null,"
		"\"residence_permit_expiry\":null,\"phone\":null,"
		"\"email\":\"marco.caruso70@example.org\","
		"\"residence_municipality\":\"Vittoria\","
		"\"residence_province\":\"RG\",\"household_size\":2,"
		"\"vulnerabilities\":[],\"privacy_consent\":true,"
		"\"consent_date\":\"2023-04-08\",\"notes\":\"\","
		"\"created_at\":\"2023-04-08T18:12:08Z\","
		"\"updated_at\":\"2023-04-08T18:12:08Z\","
		"\"created_by\":\"node-sic-04\"}", 1, &e));
	CHECK_OK(check_fields("case",
		"{\"person_id\":\"90381a45-49f9-47a8-8183-baa5f80c7e3c\","
		"\"region\":\"Sicilia\",\"province\":\"RG\","
		"\"stage\":\"follow_up\",\"access_channel\":\"outreach_unit\","
		"\"assigned_org\":\"Comune di Palermo - Servizi Sociali\","
		"\"case_worker\":\"a.ferri@sic\",\"priority\":\"high\","
		"\"opened_at\":\"2023-04-16\",\"closed_at\":null,"
		"\"updated_at\":\"2023-04-16T20:59:52Z\","
		"\"created_by\":\"node-sic-04\"}", 1, &e));
	CHECK_OK(check_fields("service",
		"{\"case_id\":\"ce137980-b3f6-46ff-a584-e7b461d00901\","
		"\"service_type\":\"housing_support\",\"date\":\"2024-02-11\","
		"\"operator\":\"c.greco@sic\",\"duration_min\":60,"
		"\"outcome\":\"completed\",\"note\":\"Accompagnato.\","
		"\"created_by\":\"node-sic-06\"}", 1, &e));
	CHECK_OK(check_fields("service",
		"{\"outcome\":\"completed\",\"duration_min\":90,"
		"\"updated_at\":\"2025-07-12T13:42:59Z\"}", 0, &e));
	CHECK_OK(check_fields("case",
		"{\"stage\":\"closed\",\"closed_at\":\"2025-07-01\","
		"\"updated_at\":\"2025-07-12T14:59:01Z\"}", 0, &e));
}

TEST_MAIN(T(test_lookup_by_name_and_id), T(test_lookup_unknown_is_null),
	  T(test_field_lookup), T(test_field_lookup_every_field),
	  T(test_schema_check_passes),
	  T(test_string_length_in_bytes), T(test_text_limit),
	  T(test_int_and_number), T(test_bool), T(test_date_calendar),
	  T(test_datetime_forms), T(test_string_list), T(test_enum_values),
	  T(test_enum_set), T(test_enum_set_received_unknown_item),
	  T(test_ref_uuid), T(test_nul_bytes_rejected),
	  T(test_null_clears_optional_only), T(test_required_on_create_only),
	  T(test_unknown_and_reserved_fields), T(test_non_object_rejected),
	  T(test_messages_never_contain_value),
	  T(test_workload_records_validate))
