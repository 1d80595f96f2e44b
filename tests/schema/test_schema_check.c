/*
 * test_schema_check.c - the self-check of the declarations (schema_check())
 * on what a person reads: a label and a help text on every collection and
 * field, and one label per declared value of an ENUM or ENUM_SET.  Each
 * case registers a small bad set next to the product's and the tests'
 * (schema_register() runs schema_check() and changes nothing on failure).
 */
#include <string.h>

#include "schema/schema.h"
#include "tests/schema/collections.h"
#include "tests/test.h"

static const char *const vals[] = { "a", "b", NULL };
static const char *const two_labels[] = { "A", "B", NULL };
static const char *const one_label[] = { "A", NULL };
static const char *const three_labels[] = { "A", "B", "C", NULL };
static const char *const empty_label[] = { "A", "", NULL };

/* Register one collection (name test_bad, id 9) of the single field f,
 * with collection label and help as given; the check's result, its
 * message in e; 1 when a refused set changed the registration. */
static int try_field(const struct schema_field *f, const char *label,
		     const char *help, struct err *e)
{
	struct schema_collection c = {
		.name = "test_bad", .id = 9, .kind = SCHEMA_RECORDS,
		.fields = f, .nfields = 1, .doc = "tests only: one bad field",
		.label = label, .help = help,
	};
	struct schema_set sets[3] = { schema_product, test_schema_set,
				      { &c, 1 } };
	size_t before = schema_count();
	int rc;

	err_init(e);
	rc = schema_register(sets, 3, e);
	/* Back to the usual pair before c goes out of scope; a refused set
	 * must have changed nothing (1: neither 0 nor an ERR_* code). */
	if (rc == 0)
		return schema_register(sets, 2, NULL) ? 1 : 0;
	if (schema_count() != before || schema_collection("test_bad"))
		return 1;
	return rc;
}

static void test_check_good_field_passes(void)
{
	struct schema_field f = {
		.name = "s", .id = 1, .type = SCHEMA_ENUM, .values = vals,
		.value_labels = two_labels, .label = "Stato",
		.help = "Uno stato.",
	};
	struct err e;

	CHECK_OK(try_field(&f, "Prova", "Solo per i test.", &e));
	f.type = SCHEMA_ENUM_SET;
	CHECK_OK(try_field(&f, "Prova", "Solo per i test.", &e));
}

static void test_check_collection_label_and_help(void)
{
	struct schema_field f = {
		.name = "t", .id = 1, .type = SCHEMA_STRING, .label = "Testo",
		.help = "Un testo.",
	};
	struct err e;

	CHECK(try_field(&f, NULL, "Solo per i test.", &e) == ERR_FAIL);
	CHECK(strcmp(e.msg, "collection 'test_bad' has no label or no "
		     "help") == 0);
	CHECK(try_field(&f, "", "Solo per i test.", &e) == ERR_FAIL);
	CHECK(strstr(e.msg, "no label") != NULL);
	CHECK(try_field(&f, "Prova", NULL, &e) == ERR_FAIL);
	CHECK(strstr(e.msg, "no help") != NULL);
}

static void test_check_field_label_and_help(void)
{
	struct schema_field f = {
		.name = "t", .id = 1, .type = SCHEMA_STRING, .help = "Un testo.",
	};
	struct err e;

	CHECK(try_field(&f, "Prova", "Solo per i test.", &e) == ERR_FAIL);
	CHECK(strcmp(e.msg, "field 't' of 'test_bad' has no label or no "
		     "help") == 0);
	f.label = "Testo";
	f.help = "";
	CHECK(try_field(&f, "Prova", "Solo per i test.", &e) == ERR_FAIL);
	CHECK(strstr(e.msg, "field 't' of 'test_bad'") != NULL);
	f.help = "Un testo.";
	CHECK_OK(try_field(&f, "Prova", "Solo per i test.", &e));
}

/* ENUM and ENUM_SET alike: as many value labels as values, none empty. */
static void test_check_value_labels(void)
{
	static const enum schema_type types[] = { SCHEMA_ENUM,
						  SCHEMA_ENUM_SET };
	struct err e;

	for (size_t i = 0; i < 2; i++) {
		struct schema_field f = {
			.name = "s", .id = 1, .type = types[i],
			.values = vals, .label = "Stato",
			.help = "Uno stato.",
		};

		CHECK(try_field(&f, "Prova", "Aiuto.", &e) == ERR_FAIL);
		CHECK(strcmp(e.msg, "field 's' of 'test_bad': value 'a' has "
			     "no label") == 0);
		f.value_labels = one_label;
		CHECK(try_field(&f, "Prova", "Aiuto.", &e) == ERR_FAIL);
		CHECK(strcmp(e.msg, "field 's' of 'test_bad': value 'b' has "
			     "no label") == 0);
		f.value_labels = three_labels;
		CHECK(try_field(&f, "Prova", "Aiuto.", &e) == ERR_FAIL);
		CHECK(strcmp(e.msg, "field 's' of 'test_bad': 3 value labels "
			     "for 2 values") == 0);
		f.value_labels = empty_label;
		CHECK(try_field(&f, "Prova", "Aiuto.", &e) == ERR_FAIL);
		CHECK(strstr(e.msg, "label 1 is empty") != NULL);
		f.value_labels = two_labels;
		CHECK_OK(try_field(&f, "Prova", "Aiuto.", &e));
	}
}

/* Values and value labels belong to ENUM and ENUM_SET only; an ENUM_SET
 * is never MONOTONIC (a set has no procedure order). */
static void test_check_enum_set_decl(void)
{
	struct schema_field f = {
		.name = "s", .id = 1, .type = SCHEMA_STRING_LIST,
		.value_labels = two_labels, .label = "Stato",
		.help = "Uno stato.",
	};
	struct err e;

	CHECK(try_field(&f, "Prova", "Aiuto.", &e) == ERR_FAIL);
	CHECK(strstr(e.msg, "neither ENUM nor ENUM_SET") != NULL);
	f.type = SCHEMA_ENUM_SET;
	f.values = vals;
	f.merge = SCHEMA_MERGE_MONOTONIC;
	CHECK(try_field(&f, "Prova", "Aiuto.", &e) == ERR_FAIL);
	CHECK(strstr(e.msg, "MONOTONIC needs an ENUM") != NULL);
	f.merge = SCHEMA_MERGE_FIELD;
	f.values = NULL;
	CHECK(try_field(&f, "Prova", "Aiuto.", &e) == ERR_FAIL);
	CHECK(strstr(e.msg, "has no values") != NULL);
	f.type = (enum schema_type)(SCHEMA_ENUM_SET + 1);
	f.values = vals;
	CHECK(try_field(&f, "Prova", "Aiuto.", &e) == ERR_FAIL);
	CHECK(strstr(e.msg, "unknown type") != NULL);
}

/* A collection that has a parent and is the parent of another must keep
 * its parent field fixed: its children would not follow it to another
 * case (sync/README.md, "Scopes"). */
static int try_chain(unsigned mid_flags, struct err *e)
{
	struct schema_field mid_f = {
		.name = "item", .id = 1, .type = SCHEMA_REF, .ref = "test_item",
		.flags = mid_flags, .label = "Elemento", .help = "Il padre.",
	};
	struct schema_field leaf_f = {
		.name = "mid", .id = 1, .type = SCHEMA_REF, .ref = "test_mid",
		.flags = SCHEMA_REQUIRED, .label = "Medio", .help = "Il padre.",
	};
	struct schema_collection c[2] = {
		{ .name = "test_mid", .id = 8, .kind = SCHEMA_RECORDS,
		  .parent = "item", .fields = &mid_f, .nfields = 1,
		  .doc = "tests only", .label = "Medio", .help = "Prova." },
		{ .name = "test_leaf", .id = 9, .kind = SCHEMA_RECORDS,
		  .parent = "mid", .fields = &leaf_f, .nfields = 1,
		  .doc = "tests only", .label = "Foglia", .help = "Prova." },
	};
	struct schema_set sets[3] = { schema_product, test_schema_set,
				      { c, 2 } };
	int rc;

	err_init(e);
	rc = schema_register(sets, 3, e);
	if (rc == 0 && schema_register(sets, 2, NULL))
		return 1;
	return rc;
}

static void test_check_middle_parent_fixed(void)
{
	struct err e;

	CHECK(try_chain(SCHEMA_REQUIRED, &e) == ERR_FAIL);
	CHECK(strstr(e.msg, "test_mid") && strstr(e.msg, "FIXED"));
	CHECK_OK(try_chain(SCHEMA_REQUIRED | SCHEMA_FIXED, &e));
	CHECK(schema_field(schema_collection("plan"), "case_id")->flags &
	      SCHEMA_FIXED);
	CHECK(schema_field(schema_collection("dote"), "case_id")->flags &
	      SCHEMA_FIXED);
}

/* search (struct schema_search): one collection, its own fields. */
static int try_search(const struct schema_search *k, struct err *e)
{
	struct schema_field f = {
		.name = "name", .id = 1, .type = SCHEMA_STRING,
		.label = "Nome", .help = "Il nome.",
	};
	struct schema_collection c = {
		.name = "test_who", .id = 98, .kind = SCHEMA_RECORDS,
		.fields = &f, .nfields = 1, .doc = "tests only",
		.label = "Chi", .help = "Prova.", .search = k,
	};
	struct schema_set sets[4] = { schema_product, test_schema_set,
				      test_rules_set, { &c, 1 } };
	int rc;

	err_init(e);
	rc = schema_register(sets, 4, e);
	if (rc == 0 && schema_register(sets, 3, NULL))
		return 1;
	return rc;
}

static void test_check_search_decl(void)
{
	const struct schema_search missing = { .given = "nope" };
	const struct schema_search mine = { .given = "name" };
	struct err e;

	/* The product's persons declare it: a second one is refused. */
	CHECK(schema_search_collection() == schema_collection("person"));
	CHECK(try_search(&mine, &e) == ERR_FAIL);
	CHECK(strstr(e.msg, "both declare search") != NULL);
	CHECK(try_search(&missing, &e) == ERR_FAIL);
	CHECK(strstr(e.msg, "undeclared") || strstr(e.msg, "both"));
	CHECK_OK(try_search(NULL, &e));
}

TEST_MAIN(T(test_check_search_decl), T(test_check_good_field_passes),
	  T(test_check_collection_label_and_help),
	  T(test_check_field_label_and_help), T(test_check_value_labels),
	  T(test_check_enum_set_decl), T(test_check_middle_parent_fixed))
