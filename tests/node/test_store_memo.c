/*
 * test_store_memo.c - memos (node/store_memo.c): kept sealed and read
 * back the same; a memo of another name, a missing one, one altered in
 * the file and one left from before a key rotation are all "not found"
 * (a view builds it again); a locked store neither reads nor writes
 * them; a bad name is refused.  And store_removals(): it moves when
 * records leave without a change of their own (an eviction).
 */
#include "tests/node/store_fixture.h"

#include "node/store_sync.h"

static void test_store_memo_round_trip(void)
{
	struct store *s = fresh();
	const char text[] = "Camara Musa 2027-01-10";
	uint8_t *got = NULL;
	size_t len = 0;

	CHECK(s);
	if (!s)
		return;
	CHECK(store_memo_get(s, "home", &got, &len, NULL) == ERR_NOTFOUND);
	CHECK_OK(store_memo_put(s, "home", (const uint8_t *)text,
				sizeof(text) - 1, NULL));
	CHECK_OK(store_memo_get(s, "home", &got, &len, NULL));
	CHECK(got && len == sizeof(text) - 1 && !memcmp(got, text, len));
	CHECK(got && got[len] == 0);
	store_memo_free(got, len);
	CHECK(store_memo_get(s, "other", &got, &len, NULL) == ERR_NOTFOUND);
	CHECK(store_memo_put(s, "Bad Name", (const uint8_t *)"x", 1, NULL) ==
	      ERR_INVALID);
	/* Sealed: the name's text is not in the file. */
	CHECK(sql_int("SELECT count(*) FROM memo WHERE instr(body, "
		      "CAST('Camara' AS BLOB)) > 0") == 0);
	/* A box moved under another name does not open. */
	CHECK(sql_exec("INSERT INTO memo(name, body) SELECT 'copy', body "
		       "FROM memo WHERE name = 'home'") == 0);
	CHECK(store_memo_get(s, "copy", &got, &len, NULL) == ERR_NOTFOUND);
	store_close(s);
	/* Opened, not unlocked: no memo read. */
	s = NULL;
	CHECK_OK(store_open(&s, dir, NULL));
	CHECK(s && store_memo_get(s, "home", &got, &len, NULL) != 0 && !got);
	store_close(s);
}

static void test_store_memo_altered_or_rotated(void)
{
	struct store *s = fresh();
	uint8_t *got = NULL;
	size_t len = 0;

	CHECK(s);
	if (!s)
		return;
	CHECK_OK(store_memo_put(s, "home", (const uint8_t *)"abc", 3, NULL));
	s = fixture_tamper(s, "UPDATE memo SET body = zeroblob(length(body))",
			   "m.rossi");
	CHECK(s);
	if (!s)
		return;
	CHECK(store_memo_get(s, "home", &got, &len, NULL) == ERR_NOTFOUND);
	CHECK_OK(store_memo_put(s, "home", (const uint8_t *)"abc", 3, NULL));
	CHECK_OK(store_key_rotate(s, NULL, NULL, NULL));
	CHECK(store_memo_get(s, "home", &got, &len, NULL) == ERR_NOTFOUND);
	CHECK(sql_int("SELECT count(*) FROM memo") == 0);
	store_close(s);
}

static void test_store_removals_move_on_eviction(void)
{
	struct store *s = fresh();
	struct store_put_result r;
	uint64_t before = 9, after = 9, removed = 0;

	CHECK(s);
	if (!s)
		return;
	CHECK_OK(put_json(s, "test_item", NULL, "{\"title\":\"t\"}", &r));
	CHECK_OK(store_removals(s, &before, NULL));
	CHECK(before == 0);
	CHECK_OK(put_json(s, "test_item", &r.id, "{\"title\":\"u\"}", NULL));
	CHECK_OK(store_removals(s, &after, NULL));
	CHECK(after == before); /* a change is no removal */
	CHECK_OK(store_evict(s, &r.id, &removed, NULL));
	CHECK(removed == 1);
	CHECK_OK(store_removals(s, &after, NULL));
	CHECK(after == before + 1);
	store_close(s);
}

TEST_MAIN(T(test_store_memo_round_trip), T(test_store_memo_altered_or_rotated),
	  T(test_store_removals_move_on_eviction))
