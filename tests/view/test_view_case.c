/*
 * test_view_case.c - a case as view/view_case.c shows it: the BdI
 * timeline from the record's history (the first change setting each
 * value, in time order, as view_case_times() also gives the report), the
 * next steps judged for this node's role (allowed, the roles, every
 * requirement missing by its label), and the records under the case and
 * under its plan with summaries that carry no PERSONAL field and no
 * free text; a record that is no case is not found.
 */
#include "tests/view/view_fixture.h"

#include "node/store_ext.h"
#include "view/view_case.h"

static uint64_t now_ms;

static uint64_t clock_at(void *ctx)
{
	(void)ctx;
	return now_ms;
}

static int put_e(struct store *s, const char *coll, const struct id *id,
		 const char *json, struct id *made, struct err *e)
{
	struct store_put_result res;
	json_t *v = json_loads(json, 0, NULL);
	int rc;

	err_init(e);
	rc = v ? store_put(s, coll, id, v, &res, e) : ERR_FAIL;
	if (!rc && made)
		*made = res.id;
	json_decref(v);
	return rc;
}

/* {"PARENT": id, rest} into coll; its id into made. */
static int child(struct store *s, const char *coll, const char *parent,
		 const struct id *id, const char *rest, struct id *made,
		 struct err *e)
{
	char json[512], t[ID_TEXT_LEN + 1];

	id_format(id, t);
	snprintf(json, sizeof(json), "{\"%s\":\"%s\",%s}", parent, t, rest);
	return put_e(s, coll, NULL, json, made, e);
}

static int new_case(struct store *s, struct id *out, struct err *e)
{
	char json[256], t[ID_TEXT_LEN + 1];
	struct id p;
	int rc = put_e(s, "person", NULL, "{\"given_name\":\"Amina\","
		       "\"family_name\":\"Okafor\"}", &p, e);

	if (rc)
		return rc;
	id_format(&p, t);
	snprintf(json, sizeof(json), "{\"person_id\":\"%s\",\"region\":"
		 "\"Sicilia\",\"stage\":\"intake\",\"bdi_stage\":"
		 "\"identified\"}", t);
	return put_e(s, "case", NULL, json, out, e);
}

/* A case on the hub taken to validated at 1000, 2000 and 3000 s. */
static int validated(struct store *hub, struct id *c, struct err *e)
{
	int rc;

	now_ms = 1700000000000ull;
	rc = new_case(hub, c, e);
	now_ms += 1000000;
	if (!rc)
		rc = put_e(hub, "case", c, "{\"bdi_stage\":\"submitted\"}",
			   NULL, e);
	if (!rc)
		rc = child(hub, "assessment", "case_id", c,
			   "\"decision\":\"eligible\",\"criterion1\":true,"
			   "\"situation\":\"SEGRETO-SITUAZIONE\"", NULL, e);
	now_ms += 1000000;
	if (!rc)
		rc = put_e(hub, "case", c, "{\"bdi_stage\":\"validated\"}",
			   NULL, e);
	return rc;
}

static void test_view_case_timeline_in_time_order(void)
{
	struct store *hub = fixture_node("hub-t", STORE_ROLE_HUB, "op.v");
	struct view_case_times t;
	const json_t *tl;
	json_t *v = NULL;
	struct id c;
	struct err e;

	CHECK(hub != NULL);
	store_set_clock(hub, clock_at, NULL);
	CHECK_OK(validated(hub, &c, &e));
	CHECK_OK(view_case_times(hub, &c, &t, &e));
	CHECK(t.first == 1700000000000ull);
	CHECK(t.step[0] == 1700000000000ull); /* identified */
	CHECK(t.step[1] == 1700001000000ull); /* submitted */
	CHECK(t.step[2] == 0);                /* rejected: never */
	CHECK(t.step[3] == 1700002000000ull); /* validated */
	CHECK_OK(view_case_json(hub, &c, &v, &e));
	CHECK(strcmp(jstr_of(json_object_get(v, "bdi"), "stage"),
		     "validated") == 0);
	CHECK(strcmp(jstr_of(json_object_get(v, "bdi"), "stage_label"),
		     "Validato") == 0);
	tl = json_object_get(json_object_get(v, "bdi"), "timeline");
	CHECK(json_array_size(tl) == 3);
	CHECK(strcmp(jstr_of(json_array_get(tl, 0), "stage"),
		     "identified") == 0);
	CHECK(strcmp(jstr_of(json_array_get(tl, 0), "at"),
		     "2023-11-14T22:13:20Z") == 0);
	CHECK(strcmp(jstr_of(json_array_get(tl, 2), "label"),
		     "Validato") == 0);
	json_decref(v);
	store_close(hub);
}

static void test_view_case_next_steps_by_role(void)
{
	struct store *hub = fixture_node("hub-n", STORE_ROLE_HUB, "op.v");
	struct store *polo = fixture_node("polo-n", STORE_ROLE_NODE, "op.v");
	const json_t *next, *n0;
	struct store_remote r;
	json_t *v = NULL;
	struct id c;
	struct err e;

	CHECK(hub && polo);
	store_set_clock(hub, clock_at, NULL);
	CHECK_OK(validated(hub, &c, &e));
	CHECK_OK(view_case_json(hub, &c, &v, &e));
	CHECK(strcmp(jstr_of(v, "role"), "hub") == 0);
	next = json_object_get(json_object_get(v, "bdi"), "next");
	CHECK(json_array_size(next) == 1);
	n0 = json_array_get(next, 0);
	CHECK(strcmp(jstr_of(n0, "to"), "matched") == 0);
	CHECK(json_is_false(json_object_get(n0, "allowed")));
	CHECK(json_is_true(json_object_get(n0, "role_ok")));
	CHECK(json_array_size(json_object_get(n0, "missing")) == 1);
	CHECK(strstr(json_string_value(json_array_get(
			     json_object_get(n0, "missing"), 0)),
		     "soggetto attuatore") != NULL);
	json_decref(v);
	v = NULL;
	/* On a Polo: the step is the hub's or the PdA's. */
	memset(&r, 0, sizeof(r));
	snprintf(r.url, sizeof(r.url), "https://hub.example:8443");
	r.hub_id = *store_node_id(hub);
	snprintf(r.name, sizeof(r.name), "polo-1");
	snprintf(r.kind, sizeof(r.kind), "polo");
	snprintf(r.region, sizeof(r.region), "Sicilia");
	r.enrolled = 1700000000;
	CHECK(store_remote_set(polo, &r, NULL) == 0);
	CHECK(ship(hub, polo) > 0);
	CHECK_OK(view_case_json(polo, &c, &v, &e));
	n0 = json_array_get(json_object_get(json_object_get(v, "bdi"),
					    "next"), 0);
	CHECK(json_is_false(json_object_get(n0, "role_ok")));
	CHECK(json_array_size(json_object_get(n0, "roles")) == 2);
	CHECK(strcmp(json_string_value(json_array_get(
			     json_object_get(n0, "roles"), 1)), "pda") == 0);
	json_decref(v);
	store_close(hub);
	store_close(polo);
}

static void test_view_case_children_without_personal_data(void)
{
	struct store *hub = fixture_node("hub-k", STORE_ROLE_HUB, "op.v");
	const json_t *kids, *k;
	char *text = NULL;
	json_t *v = NULL;
	struct id c, other, plan, goal;
	char gtext[ID_TEXT_LEN + 1], ptext[ID_TEXT_LEN + 1];
	size_t i;
	int seen_goal = 0, seen_ass = 0;
	struct err e;

	CHECK(hub != NULL);
	store_set_clock(hub, clock_at, NULL);
	CHECK_OK(validated(hub, &c, &e));
	CHECK_OK(new_case(hub, &other, &e));
	CHECK_OK(child(hub, "profile", "case_id", &other,
		       "\"kind\":\"entry\"", NULL, &e));
	CHECK_OK(child(hub, "plan", "case_id", &c,
		       "\"status\":\"agreed\",\"notes\":\"SEGRETO-NOTE\"",
		       &plan, &e));
	CHECK_OK(child(hub, "plan_goal", "plan_id", &plan,
		       "\"area\":\"housing\",\"goal\":\"SEGRETO-GOAL\","
		       "\"deadline\":\"2026-06-30\"", &goal, &e));
	CHECK_OK(child(hub, "followup", "case_id", &c,
		       "\"area\":\"labour\",\"date\":\"2026-12-01\","
		       "\"outcome\":\"improved\",\"note\":\"SEGRETO-FU\"",
		       NULL, &e));
	CHECK_OK(view_case_json(hub, &c, &v, &e));
	kids = json_object_get(v, "children");
	/* assessment, plan, followup, and the plan's goal: not the other
	 * case's profile. */
	CHECK(json_array_size(kids) == 4);
	id_format(&goal, gtext);
	id_format(&plan, ptext);
	json_array_foreach(kids, i, k) {
		const json_t *sum = json_object_get(k, "summary");

		CHECK(strcmp(jstr_of(k, "collection"), "profile") != 0);
		if (strcmp(jstr_of(k, "id"), gtext) == 0) {
			seen_goal = 1;
			CHECK(strcmp(jstr_of(k, "parent"), ptext) == 0);
			CHECK(strcmp(jstr_of(sum, "deadline"),
				     "2026-06-30") == 0);
			CHECK(strcmp(jstr_of(k, "label"),
				     "Obiettivo del progetto") == 0);
		}
		if (strcmp(jstr_of(k, "collection"), "assessment") == 0) {
			seen_ass = 1;
			CHECK(strcmp(jstr_of(sum, "decision"), "eligible") ==
			      0);
			CHECK(json_is_true(json_object_get(sum,
							   "criterion1")));
		}
	}
	CHECK(seen_goal && seen_ass);
	text = json_dumps(kids, JSON_COMPACT);
	CHECK(text && !strstr(text, "SEGRETO"));
	free(text);
	json_decref(v);
	/* A person is no case. */
	{
		struct store_record r;
		char pid[ID_TEXT_LEN + 1];
		struct id p;

		store_record_init(&r);
		CHECK_OK(store_get(hub, &c, &r, &e));
		snprintf(pid, sizeof(pid), "%s",
			 jstr_of(r.fields, "person_id"));
		store_record_release(&r);
		CHECK(id_parse(&p, pid) == 0);
		v = NULL;
		CHECK(view_case_json(hub, &p, &v, &e) == ERR_NOTFOUND);
		CHECK(v == NULL);
	}
	store_close(hub);
}

/* A dote's ledger against its EUR 12,000: used is the signed sum of its
 * entries (a reversal subtracts), remaining what is left, from the
 * summaries alone. */
static void test_view_case_dote_budget(void)
{
	struct store *hub = fixture_node("hub-d", STORE_ROLE_HUB, "op.v");
	const json_t *kids, *k, *b = NULL;
	json_t *v = NULL;
	struct id c, d;
	size_t i;
	struct err e;

	CHECK(hub != NULL);
	if (!hub)
		return;
	store_set_clock(hub, clock_at, NULL);
	CHECK_OK(validated(hub, &c, &e));
	CHECK_OK(child(hub, "dote", "case_id", &c,
		       "\"partner\":\"puglia\",\"status\":\"assigned\","
		       "\"start_date\":\"2026-02-01\",\"planned_end\":"
		       "\"2026-06-01\"", &d, &e));
	CHECK_OK(child(hub, "ledger", "dote_id", &d,
		       "\"area\":\"housing\",\"amount_cents\":500000,"
		       "\"date\":\"2026-03-01\",\"kind\":\"commitment\"",
		       NULL, &e));
	CHECK_OK(child(hub, "ledger", "dote_id", &d,
		       "\"area\":\"labour\",\"amount_cents\":250000,"
		       "\"date\":\"2026-03-02\",\"kind\":\"expense\"",
		       NULL, &e));
	CHECK_OK(child(hub, "ledger", "dote_id", &d,
		       "\"area\":\"housing\",\"amount_cents\":-100000,"
		       "\"date\":\"2026-03-03\",\"kind\":\"reversal\"",
		       NULL, &e));
	CHECK_OK(view_case_json(hub, &c, &v, &e));
	kids = json_object_get(v, "children");
	json_array_foreach(kids, i, k) {
		if (strcmp(jstr_of(k, "collection"), "dote") == 0)
			b = json_array_get(json_object_get(k, "budgets"), 0);
		else
			CHECK(json_object_get(k, "budgets") == NULL);
	}
	CHECK(b != NULL);
	CHECK(strcmp(jstr_of(b, "child"), "ledger") == 0);
	CHECK(jint(b, "cap") == 1200000);
	CHECK(jint(b, "used") == 650000);
	CHECK(jint(b, "remaining") == 550000);
	CHECK(json_is_false(json_object_get(b, "over")));
	json_decref(v);
	store_close(hub);
}

TEST_MAIN(T(test_view_case_timeline_in_time_order),
	  T(test_view_case_dote_budget),
	  T(test_view_case_next_steps_by_role),
	  T(test_view_case_children_without_personal_data))
