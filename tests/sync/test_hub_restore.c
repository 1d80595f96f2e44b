/*
 * test_hub_restore.c - a node restored from a backup older than its last
 * sync, through a real hub in process (node/store_backup.h, sync.c
 * push_start(), the pull's "restored=1", registry_peer_restored()): its
 * next round brings back every own change the hub holds, each once, with
 * its original number; no own write goes before it; the next one is
 * numbered after them and reaches the hub.  The pull's flag is checked
 * like every parameter.
 */
#include "node/store_backup.h"
#include "tests/sync/hub_world.h"

/* Own changes in s's log (made here or come back), and the highest own
 * number: by walking the log. */
struct own {
	const struct id *self;
	uint64_t n, high;
};

static int count_own(void *ctx, const struct store_change *c)
{
	struct own *o = ctx;

	if (id_cmp(&c->origin, o->self) == 0) {
		o->n++;
		if (c->origin_seq > o->high)
			o->high = c->origin_seq;
	}
	return 0;
}

static int own_of(struct store *s, const struct id *self, struct own *o)
{
	memset(o, 0, sizeof(*o));
	o->self = self;
	return store_log(s, 0, 0, 0, count_own, o, NULL);
}

WORLD_TEST(test_restored_node_gets_own_changes_back)
{
	struct store_secret sec = secret_of("op.test");
	struct id p1, late[3], fresh_id;
	struct own before, after, hub_before, hub_after;
	struct id self;
	char file[4300], node_dir[4300];
	int marked = 0;

	CHECK(put(w.n[A], "person", NULL, &p1, PERSON) == 0);
	CHECK(round_of(A) == 0);
	snprintf(file, sizeof(file), "%s/a.pb", test_tmpdir());
	CHECK_OK(store_backup(w.n[A], file, NULL, NULL));
	for (int i = 0; i < 3; i++)
		CHECK(put(w.n[A], "person", NULL, &late[i], PERSON) == 0);
	CHECK(put(w.n[A], "person", &p1, NULL, "{\"phone\":\"333\"}") == 0);
	CHECK(round_of(A) == 0 && w.st.pushed == 4);
	self = *store_node_id(w.n[A]);
	CHECK_OK(own_of(w.n[A], &self, &before));
	CHECK_OK(own_of(w.hub, &self, &hub_before));
	CHECK(before.n == 5 && hub_before.n == 5 && before.high == 5);

	/* Restored: the later changes are gone from it, not from the hub. */
	snprintf(node_dir, sizeof(node_dir), "%s", store_dir(w.n[A]));
	store_close(w.n[A]);
	w.n[A] = NULL;
	CHECK_OK(store_restore(node_dir, file, NULL, 1, NULL, NULL, 0, &marked,
			       NULL));
	CHECK(marked);
	CHECK_OK(store_open(&w.n[A], node_dir, NULL));
	CHECK_OK(store_unlock(w.n[A], &sec, NULL));
	CHECK(has(w.n[A], &late[0]) == 0);
	CHECK(put(w.n[A], "person", NULL, NULL, PERSON) == ERR_CONFLICT);

	CHECK(round_of(A) == 0 && w.st.pushed == 0);
	for (int i = 0; i < 3; i++)
		CHECK(has(w.n[A], &late[i]) == 1);
	CHECK(strstr(fields_of(w.n[A], &p1), "333") != NULL);
	CHECK_OK(own_of(w.n[A], &self, &after));
	CHECK(after.n == before.n && after.high == before.high);
	CHECK_OK(own_of(w.hub, &self, &hub_after));
	CHECK(hub_after.n == hub_before.n);
	/* What push reads by own number holds the changes that came back
	 * too (a hub restored from an older backup gets them again), in
	 * that order, and counts them alike. */
	{
		struct own pushable;
		uint64_t n = 0;

		memset(&pushable, 0, sizeof(pushable));
		pushable.self = &self;
		CHECK_OK(store_log_own(w.n[A], 0, 0, STORE_VALUES_PARSED,
				       count_own, &pushable, NULL));
		CHECK(pushable.n == before.n && pushable.high == before.high);
		CHECK_OK(store_log_own_count(w.n[A], 0, &n, NULL));
		CHECK(n == before.n);
		CHECK_OK(store_log_own_count(w.n[A], 2, &n, NULL));
		CHECK(n == before.n - 2);
	}

	/* It goes on: numbered after what the hub holds, accepted. */
	CHECK(put(w.n[A], "person", NULL, &fresh_id, PERSON) == 0);
	CHECK(round_of(A) == 0 && w.st.pushed == 1 && w.st.refused == 0);
	CHECK(has(w.hub, &fresh_id) == 1);
	CHECK_OK(own_of(w.hub, &self, &hub_after));
	/* After: the numbers the recovered changes took here locally are
	 * skipped too (a gap, as after an eviction). */
	CHECK(hub_after.n == hub_before.n + 1 &&
	      hub_after.high > hub_before.high);
	/* And the other nodes are not disturbed. */
	CHECK(round_of(B) == 0);
}

WORLD_TEST(test_pull_restored_flag_checked)
{
	CHECK(req(w.n[A], "GET", "/v1/pull?after=0&limit=10&ack=0&restored=2",
		  NULL, 0) == 400);
	CHECK(req(w.n[A], "GET",
		  "/v1/pull?after=0&limit=10&ack=0&restart=1&restored=1",
		  NULL, 0) == 400);
	CHECK(req(w.n[A], "GET", "/v1/pull?after=0&limit=10&ack=0&restored=1",
		  NULL, 0) == 200);
	/* Signed over the path: the flag cannot be added on the way. */
	{
		lines_t lines;

		CHECK(sign_as(w.n[A], 0, "GET",
			      "/v1/pull?after=0&limit=10&ack=0", NULL, 0,
			      lines) == 0);
		CHECK(xfer(lines, "GET",
			   "/v1/pull?after=0&limit=10&ack=0&restored=1", NULL,
			   0) == 401);
	}
}

TEST_MAIN(T(test_restored_node_gets_own_changes_back),
	  T(test_pull_restored_flag_checked))
