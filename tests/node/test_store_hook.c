/*
 * test_store_hook.c - the store's write hook (store_set_write_hook()): it
 * sees every record written, inside the write's transaction, and a
 * failure of it undoes the write.
 */
#include "tests/node/store_fixture.h"

struct seen {
	int calls;
	uint64_t seq;
	struct id id;
	int fail; /* return ERR_CONFLICT from the next call */
};

static int hook(void *ctx, struct store *s, const struct store_write *w,
		struct err *e)
{
	struct seen *k = ctx;

	(void)s;
	k->calls++;
	k->seq = w->seq;
	k->id = *w->id;
	if (k->fail)
		return err_set(e, ERR_CONFLICT, "refused by the hook");
	return 0;
}

static void test_hook_sees_each_write(void)
{
	struct store *s = fresh();
	struct store_put_result r;
	struct seen k;

	memset(&k, 0, sizeof(k));
	CHECK(s);
	store_set_write_hook(s, hook, &k);
	CHECK_OK(put_json(s, "test_item", NULL, "{\"title\":\"a\"}", &r));
	CHECK(k.calls == 1 && k.seq == r.seq && id_cmp(&k.id, &r.id) == 0);
	/* Nothing changed, nothing written, nothing seen. */
	CHECK_OK(put_json(s, "test_item", &r.id, "{\"title\":\"a\"}", NULL));
	CHECK(k.calls == 1);
	CHECK_OK(store_delete(s, &r.id, NULL));
	CHECK(k.calls == 2);
	store_close(s);
}

static void test_hook_failure_undoes_the_write(void)
{
	struct store *s = fresh();
	struct store_put_result r;
	struct store_record rec;
	struct seen k;
	uint64_t last = 0, after = 0;
	struct err e;

	memset(&k, 0, sizeof(k));
	err_init(&e);
	CHECK(s);
	store_set_write_hook(s, hook, &k);
	CHECK_OK(store_last_seq(s, &last, NULL));
	k.fail = 1;
	CHECK(put_json(s, "test_item", NULL, "{\"title\":\"b\"}", &r) ==
	      ERR_CONFLICT);
	CHECK(k.calls == 1);
	CHECK(store_get(s, &k.id, &rec, NULL) == ERR_NOTFOUND);
	CHECK_OK(store_last_seq(s, &after, NULL));
	CHECK(after == last);
	/* Removed, the hook is not called. */
	store_set_write_hook(s, NULL, NULL);
	CHECK_OK(put_json(s, "test_item", NULL, "{\"title\":\"c\"}", &r));
	CHECK(k.calls == 1);
	store_close(s);
}

TEST_MAIN(T(test_hook_sees_each_write), T(test_hook_failure_undoes_the_write))
