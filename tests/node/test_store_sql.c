/*
 * test_store_sql.c - the store's statement helper (node/store_sql.h):
 * a statement is prepared once per handle and reused, a second use while
 * the first runs gets its own, bindings do not outlive a use, and
 * failures come back as ERR_* naming what failed, at the end.
 */
#include "tests/node/store_fixture.h"

#include "node/store_sql.h"

#define SQL_COUNT "SELECT count(*) FROM meta WHERE key = ?1"

static void test_cached_and_reused(void)
{
	struct store *s = fresh();
	struct store_q *a, *b;
	int64_t n = -1;

	CHECK(s);
	a = store_q(s, SQL_COUNT, "counting");
	store_q_bind_text(a, 1, "hlc");
	CHECK(store_q_row(a));
	n = store_q_col_i64(a, 0);
	CHECK(n == 1);
	CHECK(!store_q_row(a)); /* done, not started over */
	CHECK_OK(store_q_end(a, NULL));
	/* The same text: the same statement, its binding gone (NULL). */
	b = store_q(s, SQL_COUNT, "counting");
	CHECK(b == a);
	CHECK(store_q_row(b));
	CHECK(store_q_col_i64(b, 0) == 0);
	CHECK_OK(store_q_end(b, NULL));
	store_close(s);
}

static void test_nested_use_gets_its_own(void)
{
	struct store *s = fresh();
	struct store_q *outer, *inner;
	int rows = 0;

	CHECK(s);
	outer = store_q(s, "SELECT key FROM meta ORDER BY key", "outer");
	while (store_q_row(outer)) {
		inner = store_q(s, "SELECT key FROM meta ORDER BY key",
				"inner");
		CHECK(inner != outer);
		CHECK(store_q_row(inner));
		CHECK_OK(store_q_end(inner, NULL));
		rows++;
	}
	CHECK_OK(store_q_end(outer, NULL));
	CHECK(rows > 1);
	/* Ended, the cached one is handed out again. */
	inner = store_q(s, "SELECT key FROM meta ORDER BY key", "again");
	CHECK(inner == outer);
	CHECK_OK(store_q_end(inner, NULL));
	store_close(s);
}

static void test_errors_named_at_the_end(void)
{
	struct store *s = fresh();
	struct store_q *q;
	struct err e;

	CHECK(s);
	err_init(&e);
	q = store_q(s, "SELECT nothing FROM nowhere", "reading nowhere");
	store_q_bind_int(q, 1, 7); /* ignored: it failed already */
	CHECK(!store_q_row(q));
	CHECK(store_q_end(q, &e) == ERR_FAIL);
	CHECK(strstr(e.msg, "reading nowhere") != NULL);
	/* A constraint is told apart; the caller's failure wins at done. */
	q = store_q(s, "INSERT INTO meta(key, value) VALUES ('hlc', 1)",
		    "inserting");
	CHECK(!store_q_row(q));
	CHECK(store_q_constraint(q));
	CHECK(store_q_done(q, ERR_EXISTS, &e) == ERR_EXISTS);
	/* And the statement is usable again afterwards. */
	q = store_q(s, SQL_COUNT, "counting");
	store_q_bind_text(q, 1, "hlc");
	CHECK(store_q_row(q) && store_q_col_i64(q, 0) == 1);
	CHECK_OK(store_q_end(q, NULL));
	store_close(s);
}

TEST_MAIN(T(test_cached_and_reused), T(test_nested_use_gets_its_own),
	  T(test_errors_named_at_the_end))
