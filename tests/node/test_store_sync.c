/*
 * test_store_sync.c - what the store keeps for sync: sealed secrets,
 * eviction without reusing sequence numbers, handles for other threads.
 * The hub's registry is tested in tests/registry/.
 */
#include "tests/node/store_fixture.h"

#include <time.h>

static struct store *named(const char *name, enum store_role role)
{
	return fixture_node(name, role, "m.rossi");
}

static void test_secret_sealed_and_survives_rotation(void)
{
	struct store *s = named("n", STORE_ROLE_NODE);
	const uint8_t seed[32] = "0123456789abcdef0123456789abcde";
	uint8_t out[64];
	size_t len = 0;

	CHECK(s);
	CHECK_OK(store_secret_put(s, "sign_seed", seed, sizeof(seed), NULL));
	CHECK_OK(store_secret_get(s, "sign_seed", out, sizeof(out), &len,
				  NULL));
	CHECK(len == sizeof(seed) && memcmp(out, seed, len) == 0);
	CHECK(!test_file_contains(dir, seed, 16));
	CHECK(store_secret_get(s, "other", out, sizeof(out), &len, NULL) ==
	      ERR_NOTFOUND);
	CHECK_OK(store_key_rotate(s, NULL, NULL, NULL));
	CHECK(sql_int("SELECT count(*) FROM secret WHERE substr(body, 2, 1) "
		      "= x'02'") == 1);
	s = reopen(s);
	CHECK(s);
	CHECK_OK(store_secret_get(s, "sign_seed", out, sizeof(out), &len,
				  NULL));
	CHECK(len == sizeof(seed) && memcmp(out, seed, len) == 0);
	/* A box moved under another name does not open. */
	CHECK(sql_exec("INSERT INTO secret(name, body) SELECT 'moved', body "
		       "FROM secret WHERE name = 'sign_seed'") == 0);
	CHECK(store_secret_get(s, "moved", out, sizeof(out), &len, NULL) ==
	      ERR_CORRUPT);
	store_close(s);
}

static void test_evict_keeps_sequence_numbers(void)
{
	struct store *s = named("n", STORE_ROLE_NODE);
	struct store_put_result r1, r2, r3;
	char json[256], idt[ID_TEXT_LEN + 1];
	uint64_t removed = 0, last = 0;

	CHECK(s);
	CHECK_OK(put_json(s, "test_item", NULL, "{\"title\":\"a\"}", &r1));
	id_format(&r1.id, idt);
	snprintf(json, sizeof(json), "{\"item\":\"%s\",\"text\":\"x\"}", idt);
	CHECK_OK(put_json(s, "test_note", NULL, json, &r2));
	CHECK_OK(put_json(s, "test_item", NULL, "{\"title\":\"b\"}", &r3));
	CHECK_OK(store_evict(s, &r1.id, &removed, NULL));
	CHECK(removed == 2);
	CHECK(sql_int("SELECT count(*) FROM eviction") == 1);
	CHECK_OK(store_last_seq(s, &last, NULL));
	CHECK(last == r3.seq);
	/* Evicting the newest entries must not free their numbers. */
	CHECK_OK(store_evict(s, &r3.id, &removed, NULL));
	CHECK(removed == 1);
	CHECK_OK(put_json(s, "test_item", NULL, "{\"title\":\"c\"}", &r1));
	CHECK(r1.seq == r3.seq + 1);
	CHECK_OK(store_evict(s, &r3.id, &removed, NULL));
	CHECK(removed == 0);
	store_close(s);
}

static int count_refused(void *ctx, const struct store_refused *r)
{
	const char *t = json_string_value(json_object_get(r->fields, "title"));

	if (r->fields && (!t || strcmp(t, "kept-refused-value")))
		return ERR_FAIL;
	++*(int *)ctx;
	return 0;
}

/* A purge waits for the hub to have the node's own changes, and the
 * record of a refused one stays, sealed, after the purge or a restart. */
static void test_evict_waits_for_acknowledged_and_keeps_refusals(void)
{
	struct store *s = named("n", STORE_ROLE_NODE);
	struct store_put_result r1, r2;
	struct store_status st;
	uint64_t removed = 0, held = 0;
	int deferred = 0, n = 0;

	CHECK(s);
	CHECK_OK(put_json(s, "test_item", NULL, "{\"title\":\"a\"}", &r1));
	CHECK_OK(put_json(s, "test_item", &r1.id,
			  "{\"title\":\"kept-refused-value\"}", &r2));
	/* A change saved: its seen is the hub cursor applied then. */
	CHECK(sql_int("SELECT count(*) FROM change WHERE seen = 0") == 2);
	CHECK_OK(store_checkpoint_set(s, STORE_CK_SEEN, 7, NULL));
	CHECK_OK(put_json(s, "test_item", NULL, "{\"title\":\"b\"}", NULL));
	CHECK(sql_int("SELECT max(seen) FROM change") == 7);
	CHECK_OK(store_reject_own(s, r2.seq, "hub: refused", NULL));
	/* Only r1 acknowledged: the purge waits. */
	CHECK_OK(store_evict_after(s, &r1.id, r1.seq, &removed, &deferred,
				   NULL));
	CHECK(deferred == 1 && removed == 0);
	CHECK_OK(store_evict_pending_count(s, &held, NULL));
	CHECK(held == 1);
	CHECK_OK(store_evict_pending(s, r1.seq, &removed, NULL));
	CHECK(removed == 0 && sql_int("SELECT count(*) FROM record") == 2);
	/* Both acknowledged: gone, the refusal kept with its value. */
	CHECK_OK(store_evict_pending(s, r2.seq, &removed, NULL));
	CHECK(removed == 1 && sql_int("SELECT count(*) FROM record") == 1);
	CHECK_OK(store_evict_pending_count(s, &held, NULL));
	CHECK(held == 0);
	CHECK_OK(store_status(s, &st, NULL));
	CHECK(st.rejected == 1);
	CHECK_OK(store_refused_list(s, 1, count_refused, &n, NULL));
	CHECK(n == 1);
	CHECK(!test_file_contains(dir, "kept-refused-value", 18));
	/* A restart from the hub keeps it too. */
	CHECK_OK(store_forget_all(s, 1000, NULL));
	n = 0;
	CHECK_OK(store_refused_list(s, 0, count_refused, &n, NULL));
	CHECK(n == 1);
	store_close(s);
}

struct own {
	struct store *to;
	int applied, known;
};

static int reapply(void *ctx, const struct store_change *c)
{
	struct own *o = ctx;
	struct store_apply_result res;
	struct store_incoming in;

	incoming_of(c, &in);
	if (store_apply(o->to, &in, &res, NULL))
		return 1;
	o->applied += !res.known;
	o->known += res.known;
	return 0;
}

static void test_own_changes_come_back_after_eviction(void)
{
	struct store *a = named("a", STORE_ROLE_NODE);
	struct store *copy = named("copy", STORE_ROLE_NODE);
	struct store_put_result r;
	struct own o = { NULL, 0, 0 };
	uint64_t removed = 0, pending = 0;

	CHECK(a && copy);
	CHECK_OK(put_json(a, "test_item", NULL, "{\"title\":\"a\"}", &r));
	CHECK_OK(put_json(a, "test_item", &r.id, "{\"title\":\"b\"}", NULL));
	/* Keep a's entries aside, as the hub would. */
	o.to = copy;
	CHECK_OK(store_log(a, 0, 0, 1, reapply, &o, NULL));
	CHECK(o.applied == 2);
	CHECK_OK(store_evict(a, &r.id, &removed, NULL));
	/* They come back (a move-in): applied once, then known. */
	o.to = a;
	o.applied = o.known = 0;
	CHECK_OK(store_log(copy, 0, 0, 1, reapply, &o, NULL));
	CHECK(o.applied == 2 && o.known == 0);
	o.applied = 0;
	CHECK_OK(store_log(copy, 0, 0, 1, reapply, &o, NULL));
	CHECK(o.applied == 0 && o.known == 2);
	/* And they are not own pending changes to push again. */
	CHECK_OK(store_log_own_count(a, 2, &pending, NULL));
	CHECK(pending == 0);
	store_close(a);
	store_close(copy);
}

static int count_change(void *ctx, const struct store_change *c)
{
	(void)c;
	(*(int *)ctx)++;
	return 0;
}

/* The node and actor a rolled-back change created are not remembered:
 * the next change from that node must create them again. */
static void test_rollback_forgets_cached_node(void)
{
	struct store *a = named("a", STORE_ROLE_NODE);
	struct store *b = named("b", STORE_ROLE_NODE);
	struct own o = { NULL, 0, 0 };
	int n = 0;

	CHECK(a && b);
	CHECK_OK(put_json(a, "test_item", NULL, "{\"title\":\"a\"}", NULL));
	o.to = b;
	CHECK_OK(store_begin(b, NULL));
	CHECK_OK(store_log(a, 0, 0, 1, reapply, &o, NULL));
	store_rollback(b);
	CHECK(sql_int("SELECT count(*) FROM node") == 1);
	CHECK_OK(store_log(a, 0, 0, 1, reapply, &o, NULL));
	CHECK(o.applied == 2);
	CHECK_OK(store_log(b, 0, 0, 0, count_change, &n, NULL));
	CHECK(n == 1);
	store_close(a);
	store_close(b);
}

static void test_clone_shares_the_node(void)
{
	struct store *s = named("n", STORE_ROLE_NODE);
	struct store *c = NULL;
	struct store_record rec;
	struct store_put_result r;

	CHECK(s);
	CHECK_OK(store_clone(s, &c, NULL));
	CHECK_OK(put_json(c, "test_item", NULL, "{\"title\":\"x\"}", &r));
	store_record_init(&rec);
	CHECK_OK(store_get(s, &r.id, &rec, NULL));
	CHECK(strcmp(json_string_value(json_object_get(rec.fields, "title")),
		     "x") == 0);
	store_record_release(&rec);
	CHECK(strcmp(store_operator(c), store_operator(s)) == 0);
	store_close(c);
	store_close(s);
}

/* A read group holds one snapshot and no write lock: another handle
 * writes meanwhile (a push while a pull is built), unseen until it ends. */
static void test_read_group_lets_writers_in(void)
{
	struct store *s = named("n", STORE_ROLE_NODE);
	struct store *c = NULL;
	struct store_record rec;
	struct store_put_result r;
	struct err e;

	CHECK(s);
	err_init(&e);
	memset(&r, 0, sizeof(r));
	CHECK_OK(store_clone(s, &c, NULL));
	store_record_init(&rec);
	CHECK_OK(store_begin_read(s, NULL));
	CHECK(store_begin_read(s, NULL) == ERR_FAIL);
	CHECK(store_get(s, &r.id, &rec, NULL) == ERR_NOTFOUND);
	CHECK(put_json(c, "test_item", NULL, "{\"title\":\"x\"}", &r) == 0);
	CHECK(store_get(s, &r.id, &rec, NULL) == ERR_NOTFOUND);
	CHECK_OK(store_commit(s, &e));
	CHECK_OK(store_get(s, &r.id, &rec, NULL));
	store_record_release(&rec);
	store_close(c);
	store_close(s);
}

/* The hub cursor an own change notes (change.seen) is taken only from a
 * checkpoint row whose MAC holds: lowered in the file, it would make a
 * later edit look concurrent with a hand-over; the change then notes
 * nothing (the hub judges it by what the node acknowledged pulling). */
static void test_seen_only_from_authentic_cursor(void)
{
	struct store *s = named("n", STORE_ROLE_NODE);
	struct collected k;

	memset(&k, 0, sizeof(k));
	CHECK(s);
	CHECK_OK(store_checkpoint_set(s, STORE_CK_SEEN, 42, NULL));
	CHECK(put_json(s, "person", NULL, "{\"given_name\":\"Ada\","
		       "\"family_name\":\"B\"}", NULL) == 0);
	CHECK_OK(store_log_own(s, 0, 0, STORE_VALUES_PARSED, collect, &k,
			       NULL));
	CHECK(k.n == 1 && k.c[0].has_seen && k.c[0].seen == 42);
	collected_release(&k);
	store_close(s);
	CHECK(sql_exec("UPDATE meta SET value = 3 WHERE key = "
		       "'checkpoint:" STORE_CK_SEEN "'") == SQLITE_OK);
	s = reopen(NULL);
	CHECK(s);
	CHECK(put_json(s, "person", NULL, "{\"given_name\":\"Bea\","
		       "\"family_name\":\"B\"}", NULL) == 0);
	CHECK_OK(store_log_own(s, 1, 0, STORE_VALUES_PARSED, collect, &k,
			       NULL));
	CHECK(k.n == 1 && !k.c[0].has_seen);
	collected_release(&k);
	/* Set again by presidio: noted again. */
	CHECK_OK(store_checkpoint_set(s, STORE_CK_SEEN, 44, NULL));
	CHECK(put_json(s, "person", NULL, "{\"given_name\":\"Cleo\","
		       "\"family_name\":\"B\"}", NULL) == 0);
	CHECK_OK(store_log_own(s, 2, 0, STORE_VALUES_PARSED, collect, &k,
			       NULL));
	CHECK(k.n == 1 && k.c[0].has_seen && k.c[0].seen == 44);
	collected_release(&k);
	store_close(s);
}

TEST_MAIN(T(test_secret_sealed_and_survives_rotation),
	  T(test_evict_keeps_sequence_numbers),
	  T(test_evict_waits_for_acknowledged_and_keeps_refusals),
	  T(test_own_changes_come_back_after_eviction),
	  T(test_rollback_forgets_cached_node), T(test_clone_shares_the_node),
	  T(test_read_group_lets_writers_in),
	  T(test_seen_only_from_authentic_cursor))
