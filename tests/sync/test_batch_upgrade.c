/*
 * test_batch_upgrade.c - batch formats during an upgrade (sync/batch.h):
 * a hub offers format 2 at hello and nodes then push and pull in it,
 * fewer bytes for the same changes; a node of the previous build (format
 * 1, never asking for 2) syncs with this hub and converges with a new
 * node; a node of this build syncs with a hub of the previous one, which
 * takes format 1 only; a format the hub did not offer is refused with
 * 400, and a pull asks for format 2 only as "format=2".
 */
#include "tests/sync/hub_world.h"
#include "tests/test.h"

#include <inttypes.h>

/* The hub's counter name (GET /metrics), or -1. */
static long long metric(const char *name)
{
	char key[128];
	const char *at;

	if (xfer(NULL, "GET", "/metrics", NULL, 0) != 200 || !w.raw)
		return -1;
	snprintf(key, sizeof(key), "\n%s ", name);
	w.raw = realloc(w.raw, w.nraw + 1);
	w.raw[w.nraw] = '\0';
	at = strstr((const char *)w.raw, key);
	return at ? strtoll(at + strlen(key), NULL, 10) : -1;
}

#define PUSHED_ROWS "presidio_hub_push_batches_format1_total"
#define SENT_ROWS "presidio_hub_pull_batches_format1_total"
#define SHARED "[\"polo-a\",\"polo-b\"]" /* the case's nodes */

/* n persons made on node i. */
static int persons(int i, int n)
{
	for (int k = 0; k < n; k++)
		if (put(w.n[i], "person", NULL, NULL,
			"{\"given_name\":\"Amina %d\",\"family_name\":"
			"\"Diallo\"}", k))
			return -1;
	return 0;
}

WORLD_TEST(test_new_nodes_speak_format_2)
{
	struct id pa, ca;
	uint64_t up2, down2;

	CHECK(req(w.n[A], "GET", "/v1/hello", NULL, 0) == 200);
	CHECK(json_integer_value(json_object_get(w.doc, "batch_format")) ==
	      SYNC_BATCH_FORMAT_MAX);
	CHECK_OK(open_case(w.n[A], "Puglia", SHARED, &pa, &ca));
	CHECK(persons(A, 40) == 0);
	CHECK(round_of(A) == 0 && w.st.pushed == 42);
	up2 = w.st.bytes_up;
	CHECK(round_of(B) == 0 && w.st.pulled >= 2);
	down2 = w.st.bytes_down;
	CHECK(has(w.n[B], &ca) == 1);
	/* Neither the push nor the pull went in format 1. */
	CHECK(metric(PUSHED_ROWS) == 0 && metric(SENT_ROWS) == 0);
	/* The same work by a node speaking format 1 weighs more. */
	w.o.batch_format = 1;
	CHECK_OK(open_case(w.n[SIC], "Sicilia", "", &pa, &ca));
	CHECK(persons(SIC, 40) == 0);
	CHECK(round_of(SIC) == 0 && w.st.pushed == 42);
	printf("(push %" PRIu64 " vs %" PRIu64 " bytes in format 1) ", up2,
	       w.st.bytes_up);
	CHECK(up2 < w.st.bytes_up);
	CHECK(metric(PUSHED_ROWS) >= 1);
	(void)down2;
}

WORLD_TEST(test_old_node_syncs_with_new_hub)
{
	struct id pa, ca, pb, cb;
	long long sent;

	/* A and B share Puglia: A of the previous build, B of this one. */
	CHECK_OK(open_case(w.n[A], "Puglia", SHARED, &pa, &ca));
	CHECK(persons(A, 5) == 0);
	w.o.batch_format = 1;
	CHECK(round_of(A) == 0 && w.st.pushed == 7);
	CHECK(metric(PUSHED_ROWS) >= 1);
	w.o.batch_format = 0;
	sent = metric(SENT_ROWS);
	CHECK(sent >= 1); /* A's pull */
	CHECK_OK(open_case(w.n[B], "Puglia", SHARED, &pb, &cb));
	CHECK(round_of(B) == 0 && has(w.n[B], &ca) == 1);
	CHECK(metric(SENT_ROWS) == sent);
	CHECK(put(w.n[B], "case", &ca, NULL, "{\"priority\":\"high\"}") == 0);
	CHECK(round_of(B) == 0);
	w.o.batch_format = 1;
	CHECK(round_of(A) == 0 && has(w.n[A], &cb) == 1);
	CHECK(metric(SENT_ROWS) > sent);
	CHECK(strcmp(fields_of(w.n[A], &ca), fields_of(w.n[B], &ca)) == 0);
	CHECK(strcmp(fields_of(w.n[A], &ca), fields_of(w.hub, &ca)) == 0);
	/* Pull pages by hand: format 1 unless asked, 2 when asked. */
	CHECK(req(w.n[A], "GET", "/v1/pull?after=0&limit=10&ack=0", NULL,
		  0) == 200 && w.nraw > 5 && w.raw[4] == 1);
	CHECK(req(w.n[A], "GET", "/v1/pull?after=0&limit=10&ack=0&format=2",
		  NULL, 0) == 200 && w.nraw > 5 && w.raw[4] == 2);
	CHECK(req(w.n[A], "GET", "/v1/pull?after=0&limit=10&ack=0&format=3",
		  NULL, 0) == 400);
	CHECK(req(w.n[A], "GET", "/v1/pull?after=0&limit=10&ack=0&format=1",
		  NULL, 0) == 400);
}

/* A hub of the previous build: offers nothing, takes format 1 only. */
static void test_new_node_syncs_with_old_hub(void)
{
	struct id pa, ca;
	size_t len = 0;
	uint8_t *env;

	world_hub_format = 1;
	if (!world_up()) {
		test_fail(__FILE__, __LINE__, "world_up");
		goto out;
	}
	CHECK(req(w.n[A], "GET", "/v1/hello", NULL, 0) == 200);
	CHECK(json_integer_value(json_object_get(w.doc, "batch_format")) ==
	      1);
	CHECK_OK(open_case(w.n[A], "Puglia", SHARED, &pa, &ca));
	CHECK(round_of(A) == 0 && w.st.pushed == 2);
	CHECK(round_of(B) == 0 && has(w.n[B], &ca) == 1);
	CHECK(metric(PUSHED_ROWS) >= 1 && metric(SENT_ROWS) >= 1);
	/* What it did not offer, it refuses. */
	CHECK(req(w.n[A], "GET", "/v1/pull?after=0&limit=10&ack=0&format=2",
		  NULL, 0) == 400);
	CHECK(put(w.n[A], "case", &ca, NULL, "{\"priority\":\"high\"}") == 0);
	{
		struct sync_identity ident = { .sk = NULL };
		struct sync_batch *b = NULL;

		CHECK_OK(sync_identity_load(w.n[A], 1, &ident, NULL));
		CHECK_OK(sync_batch_new(&b));
		CHECK_OK(sync_batch_set_format(b, 2));
		CHECK_OK(store_log_own(w.n[A], 0, 0, STORE_VALUES_TEXT,
				       add_change, b, NULL));
		CHECK_OK(sync_batch_seal(b, store_node_id(w.n[A]), ident.sk,
					 &env, &len, NULL, NULL));
		sync_batch_free(b);
		sync_identity_release(&ident);
		keep(env);
	}
	CHECK(req(w.n[A], "POST", "/v1/push", env, len) == 400);
	CHECK(strstr(w.answer, "format") || w.code[0]);
out:
	world_down();
	world_hub_format = 0;
}

TEST_MAIN(T(test_new_nodes_speak_format_2),
	  T(test_old_node_syncs_with_new_hub),
	  T(test_new_node_syncs_with_old_hub))
