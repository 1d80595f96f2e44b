/*
 * test_view_home.c - the home page's figures (view/view_home.c): cases
 * counted by stage in the order the schema declares the values, with
 * their Italian labels; deadlines within the window only (30 days back,
 * flagged late, to the days asked ahead), by date, with the person's
 * name beside a permit; a goal met no longer a deadline; bad arguments
 * refused.
 */
#include "tests/view/view_fixture.h"

#include "view/view_home.h"

static struct id put_text(struct store *s, const char *coll, const char *json)
{
	struct store_put_result r;

	memset(&r, 0, sizeof(r));
	if (put_json(s, coll, NULL, json, &r))
		test_fail(__FILE__, __LINE__, json);
	return r.id;
}

static void test_view_home_cases_and_deadlines(void)
{
	struct store *s = fresh();
	char json[256], idtext[ID_TEXT_LEN + 1];
	struct id p, c, plan;
	json_t *o = NULL, *d;
	struct err e;

	CHECK(s);
	if (!s)
		return;
	p = put_text(s, "person", "{\"given_name\":\"Musa\",\"family_name\":"
				  "\"Camara\",\"residence_permit_expiry\":"
				  "\"2027-01-10\"}");
	put_text(s, "person", "{\"given_name\":\"A\",\"family_name\":\"Late\","
			      "\"residence_permit_expiry\":\"2026-11-20\"}");
	put_text(s, "person", "{\"given_name\":\"B\",\"family_name\":\"Old\","
			      "\"residence_permit_expiry\":\"2026-10-01\"}");
	put_text(s, "person", "{\"given_name\":\"C\",\"family_name\":\"Far\","
			      "\"residence_permit_expiry\":\"2027-06-01\"}");
	id_format(&p, idtext);
	snprintf(json, sizeof(json), "{\"person_id\":\"%s\",\"region\":"
		 "\"Puglia\",\"stage\":\"intake\"}", idtext);
	c = put_text(s, "case", json);
	put_text(s, "case", json);
	id_format(&c, idtext);
	snprintf(json, sizeof(json), "{\"case_id\":\"%s\",\"status\":"
		 "\"agreed\",\"review_due\":\"2026-12-20\"}", idtext);
	plan = put_text(s, "plan", json);
	id_format(&plan, idtext);
	snprintf(json, sizeof(json), "{\"plan_id\":\"%s\",\"area\":\"labour\","
		 "\"goal\":\"g\",\"status\":\"achieved\",\"deadline\":"
		 "\"2026-12-10\"}", idtext);
	put_text(s, "plan_goal", json);

	err_init(&e);
	CHECK_OK(view_home_json(s, "2026-12-05", 60, &o, &e));
	CHECK(jint(json_object_get(o, "cases"), "total") == 2);
	d = json_array_get(json_object_get(json_object_get(o, "cases"),
					   "by_stage"), 0);
	CHECK(strcmp(jstr_of(d, "value"), "intake") == 0);
	CHECK(strcmp(jstr_of(d, "label"), "Accoglienza") == 0);
	CHECK(jint(d, "count") == 2);
	d = json_object_get(o, "deadlines");
	/* Late (15 days back), the plan's review, the permit; not the one
	 * 65 days back, not the one 178 days ahead, not the goal met. */
	CHECK(json_array_size(d) == 3);
	CHECK(strcmp(jstr_of(json_array_get(d, 0), "date"), "2026-11-20") == 0);
	CHECK(json_is_true(json_object_get(json_array_get(d, 0), "late")));
	CHECK(strcmp(jstr_of(json_array_get(d, 1), "kind"), "plan_review") == 0);
	CHECK(json_is_false(json_object_get(json_array_get(d, 1), "late")));
	CHECK(strcmp(jstr_of(json_object_get(json_array_get(d, 2), "person"),
			     "name"), "Camara Musa") == 0);
	json_decref(o);
	o = NULL;
	CHECK(view_home_json(s, "05/12/2026", 60, &o, &e) == ERR_INVALID);
	CHECK(view_home_json(s, "2026-12-05", 0, &o, &e) == ERR_INVALID);
	CHECK(o == NULL);
	store_close(s);
}

TEST_MAIN(T(test_view_home_cases_and_deadlines))
