/*
 * test_hub_rules.c - the hub judges a node's pushed changes on its own
 * data (node/store_ext.h store_rule_check_incoming(), sync/hub_push.c):
 * the dote quota per partner on a pushed create, undelete or change of
 * partner (and a node may not move a dote to another partner); a create
 * or a change naming no earlier value that takes a step nobody declared;
 * a pushed batch may not say it is of a newer schema (only a hub's pull
 * answer may); and a plan's parent planted in the hub's file widens no
 * node's scope (registry/registry_scope.c, registry_scope_log.c).
 */
#include "tests/sync/hub_world.h"

#include "node/store_ext.h"
#include "registry/registry.h"

static int used_of(void *ctx, const struct registry_allocation *a)
{
	int64_t *u = ctx;

	if (strcmp(a->group, "basilicata") == 0) {
		u[0] = a->used;
		u[1] = a->allocated;
	}
	return 0;
}

/* A case of node A the hub validated (eligible assessment). */
static int validated_case(struct id *cs)
{
	struct id person, check;

	return open_case(w.n[A], "Puglia", "", &person, cs) || round_of(A) ||
	       put(w.hub, "assessment", NULL, &check,
		   "{\"case_id\":\"%s\",\"decision\":\"eligible\"}",
		   idtext(cs)) ||
	       put(w.hub, "case", cs, NULL, "{\"bdi_stage\":\"submitted\"}") ||
	       put(w.hub, "case", cs, NULL, "{\"bdi_stage\":\"validated\"}");
}

WORLD_TEST(test_push_moving_a_dote_to_a_full_partner_refused)
{
	struct id cs, dote, other;
	struct err e;
	int64_t u[2] = { -1, -1 };

	err_init(&e);
	CHECK(validated_case(&cs) == 0);
	CHECK_OK(registry_allocation_set(w.hub, "dote", "basilicata", 0, &e));
	CHECK(put(w.hub, "dote", NULL, &dote,
		  "{\"case_id\":\"%s\",\"partner\":\"puglia\",\"status\":"
		  "\"assigned\"}", idtext(&cs)) == 0);
	/* The hub itself cannot move it to basilicata (allocation 0). */
	CHECK(put(w.hub, "dote", &dote, NULL, "{\"partner\":\"basilicata\"}") !=
	      0);
	CHECK(round_of(A) == 0 && has(w.n[A], &dote) == 1);
	/* Nor can a Polo's push. */
	CHECK(put(w.n[A], "dote", &dote, NULL,
		  "{\"partner\":\"basilicata\"}") == 0);
	CHECK(round_of(A) == 0);
	CHECK(w.st.refused == 1);
	CHECK_OK(registry_allocation_list(w.hub, "dote", used_of, u, &e));
	CHECK(u[0] == 0 && u[1] == 0);
	CHECK(strstr(fields_of(w.hub, &dote), "\"puglia\"") != NULL);
	/* With room, a node still may not move one: the hub's to decide. */
	CHECK_OK(registry_allocation_set(w.hub, "dote", "basilicata", 5, &e));
	CHECK(put(w.hub, "dote", NULL, &other,
		  "{\"case_id\":\"%s\",\"partner\":\"puglia\",\"status\":"
		  "\"assigned\"}", idtext(&cs)) == 0);
	CHECK(round_of(A) == 0 && has(w.n[A], &other) == 1);
	CHECK(put(w.n[A], "dote", &other, NULL,
		  "{\"partner\":\"basilicata\"}") == 0);
	CHECK(round_of(A) == 0);
	CHECK(w.st.refused == 1);
	CHECK(strstr(fields_of(w.hub, &other), "\"puglia\"") != NULL);
	/* The hub may. */
	CHECK(put(w.hub, "dote", &other, NULL,
		  "{\"partner\":\"basilicata\"}") == 0);
	CHECK(reasons_with(w.hub, "refusal", "solo l'hub") >= 1);
}

/* The hub's judgement of a pushed create of c with fields v by a polo. */
static int judge_create(const char *coll, json_t *v, char *why, size_t n)
{
	struct store_incoming in;
	struct store_pusher pw;
	struct err e;
	int rc;

	err_init(&e);
	memset(&in, 0, sizeof(in));
	id_generate(&in.record);
	in.collection = coll;
	in.kind = STORE_CHANGE_CREATE;
	in.fields = v;
	memset(&pw, 0, sizeof(pw));
	pw.role = "polo";
	rc = store_rule_check_incoming(w.hub, &pw, schema_collection(coll), &in,
				       why, n, &e);
	json_decref(v);
	return rc;
}

WORLD_TEST(test_push_create_at_an_undeclared_step_refused)
{
	struct id person, cs;
	char why[256], f[ID_TEXT_LEN + 1];

	CHECK_OK(open_case(w.n[A], "Puglia", "", &person, &cs));
	CHECK(round_of(A) == 0);
	id_format(&cs, f);
	/* A dote born active: no step leads there from nothing. */
	CHECK_OK(judge_create("dote", json_pack("{ssssss}", "case_id", f,
						"partner", "puglia", "status",
						"active"),
			      why, sizeof(why)));
	CHECK(why[0] != '\0' && strstr(why, "status") != NULL);
	id_format(&person, f);
	/* A case born in charge. */
	CHECK_OK(judge_create("case", json_pack("{ssssss}", "person_id", f,
						"region", "Puglia", "bdi_stage",
						"in_charge"),
			      why, sizeof(why)));
	CHECK(why[0] != '\0' && strstr(why, "bdi_stage") != NULL);
	/* Born identified: declared, open to any role. */
	CHECK_OK(judge_create("case", json_pack("{ssssss}", "person_id", f,
						"region", "Puglia", "bdi_stage",
						"identified"),
			      why, sizeof(why)));
	CHECK(why[0] == '\0');
	/* And through a real push: passed. */
	CHECK(put(w.n[A], "case", NULL, &cs,
		  "{\"person_id\":\"%s\",\"region\":\"Puglia\",\"stage\":"
		  "\"intake\",\"bdi_stage\":\"identified\"}",
		  idtext(&person)) == 0);
	CHECK(round_of(A) == 0 && w.st.refused == 0);
}

/* A create is judged against the allocation too, before its steps. */
WORLD_TEST(test_push_create_past_the_allocation_refused)
{
	struct id person, cs;
	char why[256], f[ID_TEXT_LEN + 1];
	struct err e;

	err_init(&e);
	CHECK_OK(open_case(w.n[A], "Puglia", "", &person, &cs));
	CHECK(round_of(A) == 0);
	CHECK_OK(registry_allocation_set(w.hub, "dote", "basilicata", 0, &e));
	id_format(&cs, f);
	CHECK_OK(judge_create("dote", json_pack("{ssssss}", "case_id", f,
						"partner", "basilicata",
						"status", "assigned"),
			      why, sizeof(why)));
	CHECK(strstr(why, "allocazione") != NULL);
	/* Room: then the step decides (a polo assigns no dote). */
	CHECK_OK(registry_allocation_set(w.hub, "dote", "basilicata", 1, &e));
	CHECK_OK(judge_create("dote", json_pack("{ssssss}", "case_id", f,
						"partner", "basilicata",
						"status", "assigned"),
			      why, sizeof(why)));
	CHECK(why[0] != '\0' && strstr(why, "allocazione") == NULL);
}

WORLD_TEST(test_push_meta_schema_version_refused)
{
	struct sync_identity ident = { .sk = NULL };
	struct sync_batch *b = NULL;
	struct id person, cs;
	uint64_t before = changes();
	uint8_t *env = NULL;
	size_t len = 0;
	json_t *meta;
	const char *m;

	CHECK_OK(open_case(w.n[A], "Puglia", "", &person, &cs));
	CHECK_OK(sync_identity_load(w.n[A], 1, &ident, NULL));
	CHECK_OK(sync_batch_new(&b));
	CHECK_OK(store_log_own(w.n[A], 0, 0, STORE_VALUES_PARSED,
			       add_change, b, NULL));
	meta = json_pack("{si}", "schema_version",
			 schema_running_version() + 1);
	CHECK(meta != NULL);
	CHECK_OK(sync_batch_set_meta(b, meta));
	CHECK_OK(sync_batch_seal(b, store_node_id(w.n[A]), ident.sk, &env,
				 &len, NULL, NULL));
	sync_batch_free(b);
	sync_identity_release(&ident);
	keep(env);
	CHECK(req(w.n[A], "POST", "/v1/push", env, len) == 400);
	m = json_string_value(json_object_get(json_object_get(w.doc, "error"),
					      "message"));
	CHECK(m && strstr(m, "schema_version") != NULL);
	/* Nothing applied, nothing acknowledged: a plain round sends it. */
	CHECK(changes() == before);
	CHECK(has(w.hub, &cs) == 0);
	CHECK(round_of(A) == 0 && has(w.hub, &cs) == 1);
}

/* An undelete pushed (a resolution writing "_deleted": false) brings a
 * record back into its partner's count: judged like a create. */
WORLD_TEST(test_push_undelete_past_the_allocation_refused)
{
	struct store_incoming in;
	struct store_pusher pw;
	struct id cs, d1, d2;
	char why[256];
	json_t *v;
	struct err e;

	err_init(&e);
	CHECK(validated_case(&cs) == 0);
	CHECK_OK(registry_allocation_set(w.hub, "dote", "basilicata", 1, &e));
	CHECK(put(w.hub, "dote", NULL, &d1,
		  "{\"case_id\":\"%s\",\"partner\":\"basilicata\","
		  "\"status\":\"assigned\"}", idtext(&cs)) == 0);
	CHECK_OK(store_delete(w.hub, &d1, &e));
	CHECK(put(w.hub, "dote", NULL, &d2,
		  "{\"case_id\":\"%s\",\"partner\":\"basilicata\","
		  "\"status\":\"assigned\"}", idtext(&cs)) == 0);
	v = json_pack("{sb}", "_deleted", 0);
	memset(&in, 0, sizeof(in));
	in.record = d1;
	in.collection = "dote";
	in.kind = STORE_CHANGE_RESOLVE;
	in.fields = v;
	memset(&pw, 0, sizeof(pw));
	pw.role = "pda";
	CHECK_OK(store_rule_check_incoming(w.hub, &pw, schema_collection("dote"),
					   &in, why, sizeof(why), &e));
	CHECK(strstr(why, "allocazione") != NULL);
	/* Kept deleted: counts nowhere, nothing to refuse. */
	json_decref(v);
	v = json_pack("{sb}", "_deleted", 1);
	in.fields = v;
	CHECK_OK(store_rule_check_incoming(w.hub, &pw, schema_collection("dote"),
					   &in, why, sizeof(why), &e));
	CHECK(why[0] == '\0');
	json_decref(v);
}

/* Run sql on s's database file, as someone who can write it but holds no
 * key would. */
static int tamper(struct store *s, const char *sql)
{
	char path[4300];
	sqlite3 *db = NULL;
	int rc;

	snprintf(path, sizeof(path), "%s/%s", store_dir(s), STORE_DB_FILE);
	rc = sqlite3_open(path, &db);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	sqlite3_close(db);
	return rc;
}

/* A case of s's in region with a plan and a goal (goal text: its
 * "goal" and "area"): 0 when all three were written. */
static int case_with_goal(struct store *s, const char *region,
			  const char *area, const char *text,
			  struct id *person, struct id *cs, struct id *plan,
			  struct id *goal)
{
	return open_case(s, region, "", person, cs) ||
	       put(s, "plan", NULL, plan, "{\"case_id\":\"%s\"}",
		   idtext(cs)) ||
	       put(s, "plan_goal", NULL, goal,
		   "{\"plan_id\":\"%s\",\"area\":\"%s\",\"goal\":\"%s\"}",
		   idtext(plan), area, text);
}

/*
 * A plan's parent planted in the hub's file (a case of another node's)
 * must not take its goals into that node's scope: the plan's row fails
 * its MAC, so the way through it is closed (registry_scope.c).
 */
WORLD_TEST(test_planted_parent_widens_no_scope)
{
	struct id p1, x, p2, y, z, plan, goal, plan2, goal2;
	char sql[256], hx[2 * ID_BYTES + 1], hy[2 * ID_BYTES + 1];

	CHECK_OK(case_with_goal(w.n[A], "Puglia", "labour", "Segreto", &p1,
				&x, &plan, &goal));
	CHECK(round_of(A) == 0 && w.st.refused == 0);
	/* A case of polo-b's own only. */
	CHECK_OK(open_case(w.hub, "Puglia", "[\"polo-b\"]", &p2, &y));
	sodium_bin2hex(hx, sizeof(hx), plan.b, ID_BYTES);
	sodium_bin2hex(hy, sizeof(hy), y.b, ID_BYTES);
	snprintf(sql, sizeof(sql),
		 "UPDATE record SET parent = X'%s' WHERE id = X'%s'", hy, hx);
	CHECK(tamper(w.hub, sql) == 0);
	CHECK(round_of(B) == 0);
	CHECK(has(w.n[B], &y) == 1);
	CHECK(has(w.n[B], &goal) == 0 && has(w.n[B], &plan) == 0);
	/* Nor when the case enters the node's scope later (the hub sends
	 * what the case holds then: registry_scope_log.c). */
	CHECK_OK(open_case(w.hub, "Sicilia", "", &p2, &z));
	CHECK(put(w.n[A], "plan", NULL, &plan2, "{\"case_id\":\"%s\"}",
		  idtext(&x)) == 0);
	CHECK(put(w.n[A], "plan_goal", NULL, &goal2,
		  "{\"plan_id\":\"%s\",\"area\":\"labour\",\"goal\":"
		  "\"Segreto\"}", idtext(&plan2)) == 0);
	CHECK(round_of(A) == 0 && w.st.refused == 0);
	CHECK(round_of(B) == 0 && has(w.n[B], &z) == 0);
	sodium_bin2hex(hx, sizeof(hx), plan2.b, ID_BYTES);
	sodium_bin2hex(hy, sizeof(hy), z.b, ID_BYTES);
	snprintf(sql, sizeof(sql),
		 "UPDATE record SET parent = X'%s' WHERE id = X'%s'", hy, hx);
	CHECK(tamper(w.hub, sql) == 0);
	CHECK(put(w.hub, "case", &z, NULL, "{\"nodes\":[\"polo-b\"]}") == 0);
	CHECK(round_of(B) == 0);
	CHECK(has(w.n[B], &z) == 1);
	CHECK(has(w.n[B], &goal2) == 0);
}

/*
 * The hub finds a case's records through its kin index when the case
 * enters a node's scope (registry_scope_log.c).  A kin row planted in its
 * file, naming another node's plan as a child of the entering case, brings
 * neither the plan nor its goal: the records' own columns, under their
 * MACs, decide.  The case's own plan and goal do come.
 */
WORLD_TEST(test_planted_kin_row_brings_nothing)
{
	struct id p1, x, p2, z, plan, goal, mine, my_goal;
	char sql[256], hx[2 * ID_BYTES + 1], hz[2 * ID_BYTES + 1];

	CHECK_OK(case_with_goal(w.n[A], "Puglia", "labour", "Segreto", &p1,
				&x, &plan, &goal));
	CHECK(round_of(A) == 0 && w.st.refused == 0);
	CHECK_OK(case_with_goal(w.hub, "Sicilia", "housing", "Casa", &p2, &z,
				&mine, &my_goal));
	CHECK(round_of(B) == 0 && has(w.n[B], &z) == 0);
	sodium_bin2hex(hx, sizeof(hx), plan.b, ID_BYTES);
	sodium_bin2hex(hz, sizeof(hz), z.b, ID_BYTES);
	snprintf(sql, sizeof(sql),
		 "UPDATE kin SET parent = X'%s' WHERE rid = (SELECT rid FROM "
		 "record WHERE id = X'%s')", hz, hx);
	CHECK(tamper(w.hub, sql) == 0);
	CHECK(put(w.hub, "case", &z, NULL, "{\"nodes\":[\"polo-b\"]}") == 0);
	CHECK(round_of(B) == 0);
	CHECK(has(w.n[B], &z) == 1 && has(w.n[B], &mine) == 1 &&
	      has(w.n[B], &my_goal) == 1);
	CHECK(has(w.n[B], &plan) == 0 && has(w.n[B], &goal) == 0);
}

TEST_MAIN(T(test_push_moving_a_dote_to_a_full_partner_refused),
	  T(test_push_create_past_the_allocation_refused),
	  T(test_push_create_at_an_undeclared_step_refused),
	  T(test_push_meta_schema_version_refused),
	  T(test_push_undelete_past_the_allocation_refused),
	  T(test_planted_parent_widens_no_scope),
	  T(test_planted_kin_row_brings_nothing))
