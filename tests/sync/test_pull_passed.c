/*
 * test_pull_passed.c - a node one schema version behind its hub passes
 * over the changes of a collection it does not declare; once upgraded it
 * pulls them again from where it did (sync/sync_pull.c, sync/README.md
 * "Schema versions"), and gets every record, once, with its values; the
 * hub takes nothing new; scope still holds (what left the node meanwhile
 * stays gone, and a case leaving later takes them along).
 *
 * This process runs the tests' next schema (tests/schema/next.h: the
 * collection next_visit, one version up): the hub and the upgraded node.
 * The older node is polo-a's store opened by a forked child that has put
 * the product's declarations back in force before touching anything
 * (single-threaded there: schema_register()'s rule holds), running its
 * rounds against this process's hub over loopback.
 */
#include "tests/schema/collections.h"
#include "tests/schema/next.h"
#include "tests/sync/hub_world.h"

#include <sys/wait.h>

#define VISIT "{\"case_id\":\"%s\",\"date\":\"%s\",\"note\":\"%s\"}"

/* The child's work: polo-a's rounds on the product's declarations.  Its
 * exit status: 0, or the step that failed.  n_rounds rounds; holds, when
 * not NULL, a record it must hold after them; gone, one it must not. */
static int older_rounds(int n_rounds, const struct id *holds,
			const struct id *gone)
{
	struct store_secret sec = secret_of("op.test");
	struct schema_set sets[3] = { schema_product, test_schema_set,
				      test_rules_set };
	struct sync_stats st;
	struct store *s = NULL;
	char path[4200];
	struct err e;
	int rc = 0;

	err_init(&e);
	schema_set_version(0);
	if (schema_register(sets, 3, &e) || schema_collection("next_visit"))
		return 10;
	snprintf(path, sizeof(path), "%s/%s", test_tmpdir(), peers[A].name);
	if (store_open(&s, path, &e) || store_unlock(s, &sec, &e))
		rc = 11;
	for (int i = 0; !rc && i < n_rounds; i++)
		if (sync_round(s, &w.o, &st, &e))
			rc = 12 + i;
	if (!rc && holds && has(s, holds) != 1)
		rc = 20;
	if (!rc && gone && has(s, gone) != 0)
		rc = 21;
	if (rc)
		printf("(older node: step %d: %s) ", rc, e.msg);
	fflush(stdout);
	store_close(s);
	return rc;
}

/* polo-a closed here, its rounds run by an older build in a child, then
 * reopened here (this build): 0 when the child succeeded. */
static int as_older(int n_rounds, const struct id *holds,
		    const struct id *gone)
{
	struct store_secret sec = secret_of("op.test");
	char path[4200];
	int status = -1;
	pid_t pid;

	store_close(w.n[A]);
	w.n[A] = NULL;
	fflush(stdout);
	pid = fork();
	if (pid == 0)
		_exit(older_rounds(n_rounds, holds, gone));
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		status = -1;
	snprintf(path, sizeof(path), "%s/%s", test_tmpdir(), peers[A].name);
	if (store_open(&w.n[A], path, NULL) ||
	    store_unlock(w.n[A], &sec, NULL))
		return -2;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static uint64_t node_changes(struct store *s)
{
	struct store_status st;

	return store_status(s, &st, NULL) ? UINT64_MAX : st.changes;
}

static uint64_t passed_schema(struct store *s)
{
	uint64_t v = 0;

	return store_checkpoint_get(s, SYNC_CK_PASSED_SCHEMA, &v, NULL) ? 99
								       : v;
}

/*
 * The hub writes visits of polo-a's case over two of the older node's
 * rounds (two cursors), and a service it does declare; the older node
 * keeps working and has no visit; upgraded, one round brings both, with
 * the hub's values; its log grows by them alone; a second round brings
 * nothing; the case handed to another Polo takes its visits along.
 */
WORLD_TEST(test_upgraded_node_gets_what_it_passed_over)
{
	struct id person, cs, v1, v2, svc;
	uint64_t hub_before, node_before;

	CHECK(schema_collection("next_visit") != NULL);
	CHECK(open_case(w.n[A], "Puglia", "[\"polo-a\"]", &person, &cs) == 0);
	CHECK(round_of(A) == 0);
	CHECK(put(w.hub, "next_visit", NULL, &v1, VISIT, idtext(&cs),
		  "2026-11-21", "visita") == 0);
	CHECK(as_older(1, &cs, NULL) == 0);
	CHECK(passed_schema(w.n[A]) == (uint64_t)schema_running_version());
	CHECK(put(w.hub, "next_visit", NULL, &v2, VISIT, idtext(&cs),
		  "2026-11-22", "seconda visita") == 0);
	CHECK(put(w.hub, "service", NULL, &svc,
		  "{\"case_id\":\"%s\",\"service_type\":\"orientation\","
		  "\"date\":\"2026-11-23\"}",
		  idtext(&cs)) == 0);
	CHECK(as_older(2, &svc, NULL) == 0);
	CHECK(has(w.n[A], &v1) == 0 && has(w.n[A], &v2) == 0);
	CHECK(has(w.n[A], &svc) == 1);

	hub_before = changes();
	node_before = node_changes(w.n[A]);
	CHECK(round_of(A) == 0);
	CHECK(has(w.n[A], &v1) == 1 && has(w.n[A], &v2) == 1);
	CHECK(strcmp(fields_of(w.n[A], &v1), fields_of(w.hub, &v1)) == 0);
	CHECK(strcmp(fields_of(w.n[A], &v2), fields_of(w.hub, &v2)) == 0);
	CHECK(strstr(fields_of(w.n[A], &v2), "seconda visita") != NULL);
	CHECK(node_changes(w.n[A]) == node_before + 2);
	CHECK(changes() == hub_before);
	CHECK(passed_schema(w.n[A]) == 0);
	CHECK(round_of(A) == 0);
	CHECK(node_changes(w.n[A]) == node_before + 2);
	CHECK(changes() == hub_before);

	/* The case goes to polo-b: its visits leave polo-a with it. */
	CHECK(put(w.hub, "case", &cs, NULL, "{\"nodes\":[\"polo-b\"]}") == 0);
	CHECK(round_of(A) == 0);
	CHECK(has(w.n[A], &cs) == 0);
	CHECK(has(w.n[A], &v1) == 0 && has(w.n[A], &v2) == 0);
	CHECK(round_of(B) == 0);
	CHECK(has(w.n[B], &v1) == 1 && has(w.n[B], &v2) == 1);
}

/*
 * The case leaves the older node after it passed a visit over: pulled
 * again once upgraded, the stretch brings the visit and then the case's
 * purge, as the hub decides: nothing of the case is back on the node.
 */
WORLD_TEST(test_repull_keeps_scope)
{
	struct id person, cs, v1;

	CHECK(open_case(w.n[A], "Puglia", "[\"polo-a\"]", &person, &cs) == 0);
	CHECK(round_of(A) == 0);
	CHECK(put(w.hub, "next_visit", NULL, &v1, VISIT, idtext(&cs),
		  "2026-11-21", "visita") == 0);
	CHECK(as_older(1, &cs, NULL) == 0);
	CHECK(put(w.hub, "case", &cs, NULL, "{\"nodes\":[\"polo-b\"]}") == 0);
	CHECK(as_older(1, NULL, &cs) == 0);
	CHECK(passed_schema(w.n[A]) == (uint64_t)schema_running_version());
	CHECK(round_of(A) == 0);
	CHECK(passed_schema(w.n[A]) == 0);
	CHECK(has(w.n[A], &cs) == 0 && has(w.n[A], &v1) == 0);
	CHECK(has(w.n[A], &person) == 0);
}

int main(int argc, char **argv)
{
	static const struct test tests[] = {
		T(test_upgraded_node_gets_what_it_passed_over),
		T(test_repull_keeps_scope),
	};
	struct schema_set sets[3] = { { NULL, 0 }, test_schema_set,
				      test_rules_set };
	/* The version below as released: the older node's declarations. */
	static struct schema_set prev[3];

	prev[0] = schema_product;
	prev[1] = test_schema_set;
	prev[2] = test_rules_set;
	schema_set_previous(prev, 3);
	/* The next schema in force before anything looks a name up. */
	sets[0].colls = test_next_collections(&sets[0].n);
	if (!sets[0].colls || schema_register(sets, 3, NULL))
		return 1;
	schema_set_version(schema_version() + 1);
	return test_run(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
