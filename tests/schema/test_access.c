/*
 * test_access.c - schema/access.h: role names, the table of who reads
 * and writes which group, and the two checks the store applies.
 */
#include "schema/access.h"

#include <string.h>

#include "tests/test.h"

static void test_access_role_names(void)
{
	for (int r = ACCESS_NONE + 1; r < ACCESS_ROLES; r++) {
		const char *n = access_role_name((enum access_role)r);

		CHECK(n[0] && strlen(n) < ACCESS_ROLE_NAME_MAX);
		CHECK(access_role_parse(n) == (enum access_role)r);
		CHECK(access_role_label((enum access_role)r)[0]);
	}
	CHECK(access_role_parse("Coordinatore") == ACCESS_NONE);
	CHECK(access_role_parse("") == ACCESS_NONE);
	CHECK(access_role_parse(NULL) == ACCESS_NONE);
	CHECK(!strcmp(access_role_name((enum access_role)99), ""));
}

static void test_access_table(void)
{
	/* The example: health only to psicologo and coordinatore. */
	for (int r = ACCESS_NONE; r < ACCESS_ROLES; r++) {
		int health = r == ACCESS_COORDINATOR || r == ACCESS_PSYCHOLOGIST;

		CHECK(access_group_read((enum access_role)r,
					SCHEMA_GROUP_HEALTH) == health);
		CHECK(access_group_write((enum access_role)r,
					 SCHEMA_GROUP_HEALTH) == health);
		CHECK(access_group_read((enum access_role)r,
					SCHEMA_GROUP_GENERAL) ==
		      (r != ACCESS_NONE));
	}
	CHECK(access_group_read(ACCESS_LAWYER, SCHEMA_GROUP_RESTRICTED));
	CHECK(!access_group_read(ACCESS_MEDIATOR, SCHEMA_GROUP_RESTRICTED));
	CHECK(access_group_read(ACCESS_MEDIATOR, SCHEMA_GROUP_INTERVIEW));
	CHECK(!access_group_read(ACCESS_CLERK, SCHEMA_GROUP_INTERVIEW));
	CHECK(!access_group_read(ACCESS_SERVICE, SCHEMA_GROUP_INTERVIEW));
	CHECK(access_reads_all(ACCESS_COORDINATOR));
	CHECK(access_reads_all(ACCESS_PSYCHOLOGIST));
	CHECK(!access_reads_all(ACCESS_FOCAL_POINT));
	CHECK(access_manages_operators(ACCESS_COORDINATOR));
	CHECK(access_manages_operators(ACCESS_FOCAL_POINT));
	CHECK(!access_manages_operators(ACCESS_PSYCHOLOGIST));
	CHECK(!access_manages_operators(ACCESS_NONE));
}

static void test_access_product_groups(void)
{
	const struct schema_collection *p = schema_collection("person");

	CHECK(p != NULL);
	if (!p)
		return;
	CHECK(schema_field(p, "special_notes")->group ==
	      SCHEMA_GROUP_RESTRICTED);
	CHECK(schema_field(p, "vulnerabilities")->group == SCHEMA_GROUP_HEALTH);
	CHECK(schema_field(p, "notes")->group == SCHEMA_GROUP_INTERVIEW);
	CHECK(schema_field(p, "given_name")->group == SCHEMA_GROUP_GENERAL);
	CHECK(access_field_read(ACCESS_MEDIATOR, p, "given_name"));
	CHECK(access_field_read(ACCESS_MEDIATOR, p, SCHEMA_FIELD_DELETED_NAME));
	CHECK(!access_field_read(ACCESS_MEDIATOR, p, "special_notes"));
	/* A field this build does not declare (a newer version's): only a
	 * role that reads everything. */
	CHECK(!access_field_read(ACCESS_MEDIATOR, p, "future_field"));
	CHECK(access_field_read(ACCESS_COORDINATOR, p, "future_field"));
}

static void test_access_withhold_and_check(void)
{
	const struct schema_collection *p = schema_collection("person");
	json_t *f = json_pack("{s:s,s:s,s:[s],s:s}", "given_name", "Amina",
			      "special_notes", "x", "vulnerabilities", "y",
			      "notes", "z");
	struct err e;

	CHECK(p && f);
	if (!p || !f)
		return;
	CHECK(access_withhold(ACCESS_COORDINATOR, p, f) == 0);
	CHECK(json_object_size(f) == 4);
	CHECK(access_withhold(ACCESS_MEDIATOR, p, f) == 2);
	CHECK(json_object_get(f, "given_name") && json_object_get(f, "notes"));
	CHECK(!json_object_get(f, "special_notes"));
	CHECK(access_withhold(ACCESS_CLERK, p, f) == 1);
	CHECK(json_object_size(f) == 1);
	json_decref(f);

	f = json_pack("{s:s,s:s}", "phone", "1", "special_notes", "x");
	err_init(&e);
	CHECK(access_check_write(ACCESS_MEDIATOR, p, f, &e) == ERR_DENIED);
	CHECK(strstr(e.msg, "special_notes") && strstr(e.msg, "mediatore"));
	/* Messages name fields and roles, never values. */
	CHECK(!strstr(e.msg, "\"x\""));
	CHECK_OK(access_check_write(ACCESS_LAWYER, p, f, NULL));
	err_init(&e);
	CHECK(access_check_write(ACCESS_NONE, p, f, &e) == ERR_DENIED);
	json_decref(f);
}

TEST_MAIN(T(test_access_role_names), T(test_access_table),
	  T(test_access_product_groups), T(test_access_withhold_and_check))
