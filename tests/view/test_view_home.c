/*
 * test_view_home.c - the home page's figures (view/view_home.c): cases
 * counted by stage in the order the schema declares the values, with
 * their Italian labels; deadlines within the window only (30 days back,
 * flagged late, to the days asked ahead), by date, with the person's
 * name beside a permit; a goal met no longer a deadline; bad arguments
 * refused.
 */
#include "tests/view/view_fixture.h"

#include "node/store_sync.h"
#include "view/view_home.h"

static struct id put_text(struct store *s, const char *coll, const char *json)
{
	struct store_put_result r;

	memset(&r, 0, sizeof(r));
	if (put_json(s, coll, NULL, json, &r))
		test_fail(__FILE__, __LINE__, json);
	return r.id;
}

/* A record of coll whose field ref names parent, with the rest of its
 * fields (JSON members after the reference). */
static struct id child_of(struct store *s, const char *coll, const char *ref,
			  const struct id *parent, const char *rest)
{
	char json[256], idtext[ID_TEXT_LEN + 1];

	id_format(parent, idtext);
	snprintf(json, sizeof(json), "{\"%s\":\"%s\",%s}", ref, idtext, rest);
	return put_text(s, coll, json);
}

#define CASE_REST "\"region\":\"Puglia\",\"stage\":\"intake\""
#define PLAN_REST "\"status\":\"agreed\",\"review_due\":\"2026-12-20\""
#define GOAL_REST(st)                                                          \
	"\"area\":\"labour\",\"goal\":\"g\",\"status\":\"" st "\","              \
	"\"deadline\":\"2026-12-10\""

static void test_view_home_cases_and_deadlines(void)
{
	struct store *s = fresh();
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
	c = child_of(s, "case", "person_id", &p, CASE_REST);
	child_of(s, "case", "person_id", &p, CASE_REST);
	plan = child_of(s, "plan", "case_id", &c, PLAN_REST);
	child_of(s, "plan_goal", "plan_id", &plan, GOAL_REST("achieved"));

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

/* The home as computed now (its memo used and kept). */
static json_t *home_now(struct store *s)
{
	json_t *o = NULL;

	if (view_home_json(s, "2026-12-05", 60, &o, NULL))
		return NULL;
	return o;
}

/* The same figures once the memo is gone: built from every record. */
static json_t *home_rebuilt(struct store **s)
{
	*s = fixture_tamper(*s, "DELETE FROM memo", "m.rossi");
	return *s ? home_now(*s) : NULL;
}

/* The memo caught up with changes gives what a rebuild from the records
 * gives: stages moved, a case deleted, a permit set and one emptied, a
 * name changed, a goal met, a new case; a memo altered in the file, or
 * one of a retired key, is rebuilt; an eviction (records gone without a
 * change) rebuilds it too. */
static void test_view_home_memo_equals_rebuild(void)
{
	struct store *s = fresh();
	char json[256], idtext[ID_TEXT_LEN + 1];
	struct id p, q, c1, c2, plan, goal;
	json_t *a = NULL, *b = NULL;
	uint64_t removed = 0;

	CHECK(s);
	if (!s)
		return;
	p = put_text(s, "person", "{\"given_name\":\"Musa\",\"family_name\":"
				  "\"Camara\",\"residence_permit_expiry\":"
				  "\"2027-01-10\"}");
	q = put_text(s, "person", "{\"given_name\":\"Awa\",\"family_name\":"
				  "\"Diop\",\"residence_permit_expiry\":"
				  "\"2026-12-20\"}");
	c1 = child_of(s, "case", "person_id", &p, CASE_REST);
	c2 = child_of(s, "case", "person_id", &p, CASE_REST);
	plan = child_of(s, "plan", "case_id", &c1, PLAN_REST);
	goal = child_of(s, "plan_goal", "plan_id", &plan, GOAL_REST("open"));
	a = home_now(s); /* builds and keeps the memo */
	CHECK(a && jint(json_object_get(a, "cases"), "total") == 2);
	CHECK(json_array_size(json_object_get(a, "deadlines")) == 4);
	CHECK(sql_int("SELECT count(*) FROM memo") == 1);
	json_decref(a);

	CHECK_OK(put_json(s, "case", &c1, "{\"stage\":\"assessment\"}", NULL));
	CHECK_OK(store_delete(s, &c2, NULL));
	CHECK_OK(put_json(s, "person", &p, "{\"given_name\":\"Moussa\"}",
			  NULL));
	CHECK_OK(put_json(s, "person", &q,
			  "{\"residence_permit_expiry\":null}", NULL));
	CHECK_OK(put_json(s, "plan_goal", &goal, "{\"status\":\"achieved\"}",
			  NULL));
	id_format(&p, idtext);
	snprintf(json, sizeof(json), "{\"person_id\":\"%s\",\"region\":"
		 "\"Sicilia\",\"stage\":\"intake\"}", idtext);
	put_text(s, "case", json);
	a = home_now(s); /* caught up */
	b = home_rebuilt(&s);
	CHECK(a && b && json_equal(a, b));
	CHECK(jint(json_object_get(a, "cases"), "total") == 2);
	/* The permit (renamed) and the plan's review; not the emptied
	 * permit, not the goal met. */
	CHECK(json_array_size(json_object_get(a, "deadlines")) == 2);
	json_decref(a);
	json_decref(b);
	a = b = NULL;
	if (!s)
		return;

	/* A memo altered in the file does not open: built again. */
	a = home_now(s);
	s = fixture_tamper(s, "UPDATE memo SET body = zeroblob(length(body))",
			   "m.rossi");
	CHECK(s);
	if (!s)
		goto out;
	b = home_now(s);
	CHECK(a && b && json_equal(a, b));
	json_decref(b);
	b = NULL;

	/* Records gone without a change of their own: built again. */
	CHECK_OK(store_evict(s, &c1, &removed, NULL));
	CHECK(removed >= 2);
	b = home_now(s);
	CHECK(b && jint(json_object_get(b, "cases"), "total") == 1);
	json_decref(a);
	a = home_rebuilt(&s);
	CHECK(a && b && json_equal(a, b));
out:
	json_decref(a);
	json_decref(b);
	store_close(s);
}

TEST_MAIN(T(test_view_home_cases_and_deadlines),
	  T(test_view_home_memo_equals_rebuild))
