/*
 * test_hub_deep.c - records two levels below their case through a real
 * hub in process (registry/registry_scope.c, registry_scope_log.c,
 * registry_handover.c): a plan's goal (plan_goal -> plan -> case) and a
 * dote's ledger entry (ledger -> dote -> case) reach the nodes that see
 * the case and no other, come along when the case moves in, leave with it,
 * are refused to a node that does not see the case, and an edit made
 * while the case was being handed over is judged like a service's.  A
 * plan or a dote never moves to another case (SCHEMA_FIXED): its
 * children would not follow it.
 */
#include "tests/sync/hub_world.h"

/* A case of polo-a's with a plan and a goal; the hub validates it and
 * assigns a dote (only the hub may, and only to a validated case), which
 * polo-a pulls and records a ledger entry under (not yet pushed). */
static int deep_case(struct id *person, struct id *cs, struct id *plan,
		     struct id *goal, struct id *dote, struct id *entry)
{
	struct id check;

	return open_case(w.n[A], "Puglia", "", person, cs) ||
	       put(w.n[A], "plan", NULL, plan, "{\"case_id\":\"%s\"}",
		   idtext(cs)) ||
	       put(w.n[A], "plan_goal", NULL, goal,
		   "{\"plan_id\":\"%s\",\"area\":\"labour\",\"goal\":"
		   "\"Tirocinio\"}", idtext(plan)) ||
	       round_of(A) || w.st.pushed != 4 || w.st.refused != 0 ||
	       put(w.hub, "assessment", NULL, &check,
		   "{\"case_id\":\"%s\",\"decision\":\"eligible\"}",
		   idtext(cs)) ||
	       put(w.hub, "case", cs, NULL, "{\"bdi_stage\":\"submitted\"}") ||
	       put(w.hub, "case", cs, NULL, "{\"bdi_stage\":\"validated\"}") ||
	       put(w.hub, "dote", NULL, dote,
		   "{\"case_id\":\"%s\",\"partner\":\"puglia\","
		   "\"status\":\"assigned\"}", idtext(cs)) ||
	       round_of(A) || has(w.n[A], dote) != 1 ||
	       put(w.n[A], "ledger", NULL, entry,
		   "{\"dote_id\":\"%s\",\"area\":\"housing\",\"amount_cents\":"
		   "45000,\"date\":\"2025-04-03\",\"kind\":\"commitment\"}",
		   idtext(dote));
}

WORLD_TEST(test_two_levels_follow_their_case)
{
	struct id person, cs, plan, goal, dote, entry, more;

	CHECK_OK(deep_case(&person, &cs, &plan, &goal, &dote, &entry));
	CHECK(round_of(A) == 0 && w.st.pushed == 1 && w.st.refused == 0);
	CHECK(has(w.hub, &goal) == 1 && has(w.hub, &entry) == 1);
	CHECK(round_of(B) == 0 && w.st.pulled == 0);
	/* The hub hands the case to polo-b: the whole tree moves. */
	CHECK(put(w.hub, "case", &cs, NULL, "{\"nodes\":[\"polo-b\"]}") == 0);
	CHECK(round_of(B) == 0);
	CHECK(has(w.n[B], &cs) == 1 && has(w.n[B], &plan) == 1);
	CHECK(has(w.n[B], &goal) == 1 && has(w.n[B], &entry) == 1);
	CHECK(round_of(A) == 0);
	CHECK(has(w.n[A], &goal) == 0 && has(w.n[A], &entry) == 0);
	/* polo-b's own goal under the plan goes through. */
	CHECK(put(w.n[B], "plan_goal", NULL, &more,
		  "{\"plan_id\":\"%s\",\"area\":\"housing\",\"goal\":"
		  "\"Casa\"}", idtext(&plan)) == 0);
	CHECK(round_of(B) == 0 && w.st.pushed == 1 && w.st.refused == 0);
	CHECK(has(w.hub, &more) == 1);
	CHECK(round_of(SIC) == 0);
	CHECK(has(w.n[SIC], &goal) == 0 && has(w.n[SIC], &more) == 0 &&
	      has(w.n[SIC], &entry) == 0);
}

/* A node that learnt a plan's id cannot write under it unless it sees
 * the plan's case. */
WORLD_TEST(test_two_levels_outside_scope_refused)
{
	struct id person, cs, plan, goal, dote, entry, mine;
	uint64_t before;

	CHECK_OK(deep_case(&person, &cs, &plan, &goal, &dote, &entry));
	CHECK(round_of(A) == 0 && w.st.refused == 0);
	before = changes();
	CHECK(put(w.n[B], "plan_goal", NULL, &mine,
		  "{\"plan_id\":\"%s\",\"area\":\"labour\",\"goal\":\"x\"}",
		  idtext(&plan)) == 0);
	CHECK(round_of(B) == 0 && w.st.refused == 1);
	CHECK(has(w.hub, &mine) == 0 && changes() == before);
	CHECK(round_of(A) == 0 && w.st.pulled == 0);
}

/* A goal written while the hub was handing the case away is kept, as a
 * service would be; then it leaves the node with the case. */
WORLD_TEST(test_two_levels_edit_during_handover_kept)
{
	struct id person, cs, plan, goal, dote, entry, late;

	CHECK_OK(deep_case(&person, &cs, &plan, &goal, &dote, &entry));
	CHECK(round_of(A) == 0 && w.st.refused == 0);
	CHECK(put(w.n[A], "plan_goal", NULL, &late,
		  "{\"plan_id\":\"%s\",\"area\":\"integration\",\"goal\":"
		  "\"Corso\"}", idtext(&plan)) == 0);
	CHECK(put(w.hub, "case", &cs, NULL, "{\"nodes\":[\"polo-b\"]}") == 0);
	CHECK(round_of(A) == 0 && w.st.pushed == 1 && w.st.refused == 0);
	CHECK(has(w.hub, &late) == 1);
	CHECK(has(w.n[A], &late) == 0 && has(w.n[A], &plan) == 0);
	CHECK(round_of(B) == 0 && has(w.n[B], &late) == 1);
}

/* store_put of printf-style JSON on s: its code, the message in msg. */
static ERR_PRINTF(5, 6) int put_msg(struct store *s, const char *coll,
				    const struct id *at, char *msg,
				    const char *fmt, ...)
{
	char text[1024];
	struct err e;
	va_list ap;
	json_t *f;
	int rc;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	err_init(&e);
	f = json_loads(text, 0, NULL);
	rc = f ? store_put(s, coll, at, f, NULL, &e) : -100;
	json_decref(f);
	snprintf(msg, ERR_MSG_MAX, "%s", e.msg);
	return rc;
}

/* The reviewer's scenario: polo-a moving its plan from its own case to
 * one it shares with polo-b would hand polo-b the plan without its goals
 * (no scope event brings them): refused at once, naming the field, and
 * so is a dote's move; polo-b never gets the plan. */
WORLD_TEST(test_plan_move_refused_locally)
{
	struct id person, cs, plan, goal, dote, entry, p2, shared;
	char msg[ERR_MSG_MAX];

	CHECK_OK(deep_case(&person, &cs, &plan, &goal, &dote, &entry));
	CHECK(round_of(A) == 0 && w.st.refused == 0);
	CHECK_OK(open_case(w.n[A], "Puglia", "[\"polo-a\",\"polo-b\"]", &p2,
			   &shared));
	CHECK(put_msg(w.n[A], "plan", &plan, msg, "{\"case_id\":\"%s\"}",
		      idtext(&shared)) == ERR_INVALID);
	CHECK(strstr(msg, "'case_id'") != NULL && strstr(msg, "'plan'"));
	CHECK(put_msg(w.hub, "dote", &dote, msg, "{\"case_id\":\"%s\"}",
		      idtext(&shared)) == ERR_INVALID);
	CHECK(strstr(msg, "'case_id'") != NULL && strstr(msg, "'dote'"));
	/* The same case again, or another field, is no move. */
	CHECK(put(w.n[A], "plan", &plan, NULL,
		  "{\"case_id\":\"%s\",\"status\":\"draft\"}",
		  idtext(&cs)) == 0);
	CHECK(round_of(A) == 0 && w.st.refused == 0);
	CHECK(round_of(B) == 0 && has(w.n[B], &shared) == 1);
	CHECK(has(w.n[B], &plan) == 0 && has(w.n[B], &goal) == 0);
}

/* The hub refuses the move too when the node's own check did not run:
 * polo-b, which sees the plan's case but has not pulled the plan yet,
 * writes it under its own case; the plan stays under its case and its
 * goal with it. */
WORLD_TEST(test_plan_move_refused_by_hub)
{
	struct id person, cs, plan, goal, p2, mine;
	uint64_t before;

	CHECK_OK(open_case(w.hub, "Puglia", "[\"polo-a\",\"polo-b\"]",
			   &person, &cs));
	CHECK(round_of(A) == 0 && round_of(B) == 0);
	CHECK_OK(open_case(w.n[B], "Puglia", "[\"polo-b\"]", &p2, &mine));
	CHECK(round_of(B) == 0 && w.st.refused == 0);
	CHECK(put(w.n[A], "plan", NULL, &plan, "{\"case_id\":\"%s\"}",
		  idtext(&cs)) == 0);
	CHECK(put(w.n[A], "plan_goal", NULL, &goal,
		  "{\"plan_id\":\"%s\",\"area\":\"labour\",\"goal\":"
		  "\"Tirocinio\"}", idtext(&plan)) == 0);
	CHECK(round_of(A) == 0 && w.st.pushed == 2 && w.st.refused == 0);
	before = changes();
	CHECK(put(w.n[B], "plan", &plan, NULL, "{\"case_id\":\"%s\"}",
		  idtext(&mine)) == 0);
	CHECK(round_of(B) == 0 && w.st.refused == 1);
	CHECK(changes() == before);
	CHECK(strstr(fields_of(w.hub, &plan), idtext(&cs)) != NULL);
	CHECK(reasons_with(w.hub, "refusal", "'case_id'") == 1);
	CHECK(round_of(B) == 0 && has(w.n[B], &goal) == 1);
}

TEST_MAIN(T(test_two_levels_follow_their_case),
	  T(test_two_levels_outside_scope_refused),
	  T(test_two_levels_edit_during_handover_kept),
	  T(test_plan_move_refused_locally),
	  T(test_plan_move_refused_by_hub))
