/*
 * test_view_status.c - a node's status (view/view_status.h): counts per
 * collection, live and deleted, the change log, open conflicts, the
 * clock; sync's part on a node never enrolled; the same as JSON; and it
 * needs no unlocking.
 */
#include "tests/view/view_fixture.h"

#include <time.h>
#include "sync/sync.h"
#include "view/view_status.h"

static void test_view_status_counts_and_sync(void)
{
	const struct schema_collection *c = schema_collection("test_item");
	struct store *s = fresh();
	struct store_put_result r[3];
	struct view_status v;
	uint64_t live = 9, del = 9;
	const json_t *j, *sy;
	json_t *o;
	struct err e;

	err_init(&e);
	CHECK(s && c);
	for (int i = 0; i < 3; i++)
		CHECK_OK(put_json(s, "test_item", NULL, "{\"title\":\"t\"}",
				  &r[i]));
	CHECK_OK(store_delete(s, &r[0].id, NULL));
	CHECK_OK(view_status_load(s, &v, &e));
	CHECK(!strcmp(v.st.name, "polo-test"));
	CHECK(v.st.records == 2 && v.st.deleted == 1);
	CHECK(v.st.changes == 4 && v.st.last_seq == 4);
	CHECK(v.st.operators == 1 && v.st.hlc > 0);
	view_status_counts(&v, c, &live, &del);
	CHECK(live == 2 && del == 1);
	view_status_counts(&v, schema_collection("test_note"), &live, &del);
	CHECK(live == 0 && del == 0);
	/* Never enrolled, never synced: every change is pending. */
	CHECK(!v.enrolled && !v.clock_known && v.last_ok == 0);
	CHECK(!strcmp(v.last, "never") && v.pending == 4);
	o = view_status_json(&v);
	CHECK(o);
	CHECK(!strcmp(jstr_of(o, "name"), "polo-test"));
	CHECK(!strcmp(jstr_of(o, "role"), "node"));
	CHECK(strlen(jstr_of(o, "id")) == ID_TEXT_LEN);
	CHECK(jint(o, "records") == 2 && jint(o, "deleted") == 1);
	CHECK(jint(o, "changes") == 4 && jint(o, "conflicted") == 0);
	CHECK(jint(o, "key_generation") == (json_int_t)v.st.key_gen);
	j = json_object_get(json_object_get(o, "collections"), "test_item");
	CHECK(jint(j, "live") == 2 && jint(j, "deleted") == 1);
	CHECK(json_object_size(json_object_get(o, "collections")) ==
	      schema_count());
	sy = json_object_get(o, "sync");
	CHECK(json_is_false(json_object_get(sy, "enrolled")));
	CHECK(!strcmp(jstr_of(sy, "hub"), "") && jint(sy, "pending") == 4);
	CHECK(!strcmp(jstr_of(sy, "last_sync"), "never"));
	CHECK(json_is_null(json_object_get(sy, "clock_offset_ms")));
	json_decref(o);
	store_close(s);
}

/* An enrolled node that has not synced for a day is stale; one that
 * never enrolled is not (it has no hub to reach). */
static void test_view_status_stale_sync(void)
{
	struct store *s = fresh();
	struct view_status v;
	uint64_t now_ms = (uint64_t)time(NULL) * 1000;
	json_t *o;

	CHECK(s);
	if (!s)
		return;
	CHECK_OK(view_status_load(s, &v, NULL));
	CHECK(!v.stale);
	CHECK_OK(fixture_enrol(s, "polo", "Puglia", NULL));
	CHECK_OK(view_status_load(s, &v, NULL));
	CHECK(v.stale); /* enrolled, never synced */
	CHECK_OK(store_checkpoint_set(s, SYNC_CK_LAST_OK,
				      now_ms - 3600 * 1000, NULL));
	CHECK_OK(view_status_load(s, &v, NULL));
	CHECK(!v.stale);
	CHECK_OK(store_checkpoint_set(s, SYNC_CK_LAST_OK,
				      now_ms - (VIEW_SYNC_STALE_S + 60) * 1000ull,
				      NULL));
	CHECK_OK(view_status_load(s, &v, NULL));
	CHECK(v.stale);
	o = view_status_json(&v);
	CHECK(json_is_true(json_object_get(json_object_get(o, "sync"),
					   "stale")));
	json_decref(o);
	store_close(s);
}

/* Metadata only: a store opened but not unlocked has a status. */
static void test_view_status_without_unlocking(void)
{
	struct store *s = fresh();
	struct view_status v;
	json_t *o;
	struct err e;

	err_init(&e);
	CHECK(s);
	CHECK_OK(put_json(s, "test_item", NULL, "{\"title\":\"t\"}", NULL));
	store_close(s);
	s = NULL;
	CHECK_OK(store_open(&s, dir, NULL));
	CHECK_OK(view_status_load(s, &v, &e));
	CHECK(v.st.records == 1);
	o = view_status_json(&v);
	CHECK(o && !strcmp(jstr_of(o, "role"), "node"));
	json_decref(o);
	CHECK(!strcmp(view_status_role_name(STORE_ROLE_HUB), "hub"));
	store_close(s);
}

TEST_MAIN(T(test_view_status_counts_and_sync),
	  T(test_view_status_stale_sync),
	  T(test_view_status_without_unlocking))
