/*
 * test_store_sync.c - what the store keeps for sync: sealed secrets, the
 * hub's registry of nodes (tokens, enrollment, revocation, nonces),
 * eviction without reusing sequence numbers, handles for other threads,
 * and the hub's scope index and scoped log.
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

static void test_peer_tokens_enroll_once(void)
{
	struct store *s = named("hub", STORE_ROLE_HUB);
	char token[STORE_TOKEN_LEN + 1], t2[STORE_TOKEN_LEN + 1];
	uint8_t pk[STORE_SIGN_PKBYTES];
	struct store_peer p;
	struct id node, other;

	CHECK(s);
	memset(pk, 9, sizeof(pk));
	id_generate(&node);
	id_generate(&other);
	CHECK_OK(store_peer_add(s, "polo-fg", "polo", "Puglia", 3600, token,
				NULL));
	CHECK(strlen(token) == STORE_TOKEN_LEN);
	CHECK(!test_file_contains(dir, token, STORE_TOKEN_LEN));
	CHECK(store_peer_add(s, "polo-fg", "polo", "Puglia", 3600, t2, NULL) ==
	      ERR_EXISTS);
	CHECK(store_peer_add(s, "x", "hub", "Puglia", 3600, t2, NULL) ==
	      ERR_INVALID);
	CHECK(store_peer_add(s, "x", "polo", "Lazio", 3600, t2, NULL) ==
	      ERR_INVALID);
	CHECK(store_peer_add(s, "Bad Name", "polo", "Puglia", 3600, t2,
			     NULL) == ERR_INVALID);
	CHECK(store_peer_enroll(s, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
				&node, pk, &p, NULL) == ERR_AUTH);
	/* Never under the hub's own id. */
	CHECK(store_peer_enroll(s, token, store_node_id(s), pk, &p, NULL) ==
	      ERR_EXISTS);
	CHECK_OK(store_peer_enroll(s, token, &node, pk, &p, NULL));
	CHECK(p.enrolled && strcmp(p.name, "polo-fg") == 0);
	/* Spent. */
	CHECK(store_peer_enroll(s, token, &other, pk, &p, NULL) == ERR_AUTH);
	CHECK_OK(store_peer_by_node(s, &node, &p, NULL));
	CHECK(strcmp(p.kind, "polo") == 0 && !p.revoked);
	/* An expired token does not enroll (expiring it in the file is an
	 * alteration: the row is refused as well). */
	CHECK_OK(store_peer_add(s, "pda-sic", "pda", "Sicilia", 3600, t2,
				NULL));
	CHECK(sql_exec("UPDATE peer SET token_expires = 1 WHERE name = "
		       "'pda-sic'") == 0);
	CHECK(store_peer_enroll(s, t2, &other, pk, &p, NULL) == ERR_AUTH);
	CHECK(store_peer_token(s, "pda-sic", 60, t2, NULL) == ERR_AUTH);
	CHECK(sql_exec("DELETE FROM peer WHERE name = 'pda-sic'") == 0);
	CHECK_OK(store_peer_add(s, "pda-sic", "pda", "Sicilia", 3600, t2,
				NULL));
	/* Nor under another node's id; its own again is fine. */
	CHECK_OK(store_peer_token(s, "pda-sic", 60, t2, NULL));
	CHECK(store_peer_enroll(s, t2, &node, pk, &p, NULL) == ERR_EXISTS);
	CHECK_OK(store_peer_token(s, "polo-fg", 60, token, NULL));
	CHECK_OK(store_peer_enroll(s, token, &node, pk, &p, NULL));
	CHECK_OK(store_peer_revoke(s, "polo-fg", NULL));
	CHECK_OK(store_peer_by_name(s, "polo-fg", &p, NULL));
	CHECK(p.revoked);
	CHECK(store_peer_revoke(s, "nobody", NULL) == ERR_NOTFOUND);
	store_close(s);
}

static void test_peer_nonce_replay(void)
{
	struct store *s = named("hub", STORE_ROLE_HUB);
	char token[STORE_TOKEN_LEN + 1];
	uint8_t n1[16], n2[16];
	int64_t now = 1790000000000;

	CHECK(s);
	memset(n1, 1, sizeof(n1));
	memset(n2, 2, sizeof(n2));
	CHECK_OK(store_peer_add(s, "p", "polo", "Puglia", 60, token, NULL));
	CHECK_OK(store_peer_nonce(s, 1, n1, now, 300000, NULL));
	CHECK(store_peer_nonce(s, 1, n1, now + 10, 300000, NULL) ==
	      ERR_CONFLICT);
	CHECK_OK(store_peer_nonce(s, 1, n2, now + 10, 300000, NULL));
	/* Old nonces are forgotten once outside twice the window. */
	CHECK_OK(store_peer_nonce(s, 1, n2, now + 700000, 300000, NULL) ==
		 ERR_CONFLICT ? -1 : 0);
	CHECK(sql_int("SELECT count(*) FROM nonce") == 1);
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

struct items {
	int changes, entered, left;
	uint64_t last;
	int ordered;
};

static int count_items(void *ctx, const struct store_scope_item *it)
{
	struct items *k = ctx;

	if (it->seq < k->last)
		k->ordered = 0;
	k->last = it->seq;
	if (it->change)
		k->changes++;
	else if (it->entered)
		k->entered++;
	else
		k->left++;
	return 0;
}

/*
 * More cases leave a peer's scope than one page holds, with nothing in
 * its scope between them: paging by the last item's seq, as a pull does,
 * every one of them is seen, and a page that stops early says so.
 */
static void test_hub_scope_log_pages_events(void)
{
	struct store *h = named("hub", STORE_ROLE_HUB);
	char token[STORE_TOKEN_LEN + 1], json[512];
	struct store_put_result kase[5];
	struct store_peer polo;
	struct items k;
	uint64_t after = 0;
	size_t left = 0, pages = 0;
	int more = 1;

	CHECK(h);
	CHECK_OK(store_peer_add(h, "polo-fg", "polo", "Puglia", 60, token,
				NULL));
	CHECK_OK(store_peer_by_name(h, "polo-fg", &polo, NULL));
	for (int i = 0; i < 5; i++) {
		struct store_put_result person;
		char pid[ID_TEXT_LEN + 1];

		CHECK_OK(put_json(h, "person", NULL, "{\"given_name\":\"A\","
				  "\"family_name\":\"B\"}", &person));
		id_format(&person.id, pid);
		snprintf(json, sizeof(json),
			 "{\"person_id\":\"%s\",\"region\":\"Puglia\","
			 "\"stage\":\"intake\",\"nodes\":[\"polo-fg\"]}",
			 pid);
		CHECK_OK(put_json(h, "case", NULL, json, &kase[i]));
	}
	memset(&k, 0, sizeof(k));
	CHECK_OK(store_scope_log(h, &polo, 0, 0, count_items, &k, &more, NULL));
	CHECK(k.changes == 10 && more == 0);
	after = k.last;
	for (int i = 0; i < 5; i++)
		CHECK_OK(put_json(h, "case", &kase[i].id,
				  "{\"region\":\"Sicilia\",\"nodes\":[]}",
				  NULL));
	snprintf(json, sizeof(json), "{\"given_name\":\"A\","
		 "\"family_name\":\"B\"}");
	CHECK_OK(put_json(h, "person", NULL, json, NULL));
	for (more = 1; more && pages < 10; pages++) {
		memset(&k, 0, sizeof(k));
		k.ordered = 1;
		CHECK_OK(store_scope_log(h, &polo, after, 2, count_items, &k,
					 &more, NULL));
		CHECK(k.changes == 0 && k.ordered && k.left <= 2);
		left += k.left;
		if (more) {
			CHECK(k.last > after);
			after = k.last;
		}
	}
	CHECK(left == 5 && pages == 3);
	store_close(h);
}

static void test_hub_scope_follows_assignment(void)
{
	struct store *h = named("hub", STORE_ROLE_HUB);
	char token[STORE_TOKEN_LEN + 1], json[512], pid[ID_TEXT_LEN + 1];
	char cid[ID_TEXT_LEN + 1];
	struct store_put_result person, kase;
	struct store_peer polo, pda;
	struct items k;
	int seen = 0, more = 1;

	CHECK(h);
	CHECK_OK(store_peer_add(h, "polo-fg", "polo", "Puglia", 60, token,
				NULL));
	CHECK_OK(store_peer_add(h, "pda-sic", "pda", "Sicilia", 60, token,
				NULL));
	CHECK_OK(store_peer_by_name(h, "polo-fg", &polo, NULL));
	CHECK_OK(store_peer_by_name(h, "pda-sic", &pda, NULL));
	CHECK_OK(put_json(h, "person", NULL, "{\"given_name\":\"A\",\"family_name\":\"B\"}",
			  &person));
	id_format(&person.id, pid);
	snprintf(json, sizeof(json),
		 "{\"person_id\":\"%s\",\"region\":\"Puglia\",\"stage\":"
		 "\"intake\",\"nodes\":[\"polo-fg\"]}",
		 pid);
	CHECK_OK(put_json(h, "case", NULL, json, &kase));
	id_format(&kase.id, cid);
	snprintf(json, sizeof(json),
		 "{\"case_id\":\"%s\",\"service_type\":\"legal_advice\","
		 "\"date\":\"2026-01-02\"}",
		 cid);
	CHECK_OK(put_json(h, "service", NULL, json, NULL));
	CHECK_OK(store_scope_sees(h, &polo, &kase.id, &seen, NULL));
	CHECK(seen);
	CHECK_OK(store_scope_sees(h, &polo, &person.id, &seen, NULL));
	CHECK(seen);
	CHECK_OK(store_scope_sees(h, &pda, &kase.id, &seen, NULL));
	CHECK(!seen);
	memset(&k, 0, sizeof(k));
	k.ordered = 1;
	CHECK_OK(store_scope_log(h, &polo, 0, 0, count_items, &k, &more, NULL));
	/* The case came as entries; its person (the hub's) entered the
	 * scope with it: an event, whose history (what the node passed
	 * before this pull: nothing) adds no entry. */
	CHECK(k.changes == 3 && k.entered == 1 && k.left == 0 && k.ordered);
	CHECK(more == 0);
	memset(&k, 0, sizeof(k));
	CHECK_OK(store_scope_log(h, &pda, 0, 0, count_items, &k, &more, NULL));
	CHECK(k.changes == 0);
	/* Handed over to Sicily: the PdA gets the whole case (3 entries
	 * before the move, then the move), the Polo a purge. */
	CHECK_OK(put_json(h, "case", &kase.id,
			  "{\"region\":\"Sicilia\",\"nodes\":[]}", NULL));
	memset(&k, 0, sizeof(k));
	k.ordered = 1;
	CHECK_OK(store_scope_log(h, &pda, 3, 0, count_items, &k, &more, NULL));
	CHECK(k.entered == 1 && k.changes == 5 && k.ordered);
	memset(&k, 0, sizeof(k));
	CHECK_OK(store_scope_log(h, &polo, 3, 0, count_items, &k, &more, NULL));
	CHECK(k.left == 1 && k.changes == 0 && more == 0);
	CHECK_OK(store_scope_sees(h, &polo, &person.id, &seen, NULL));
	CHECK(!seen);
	store_close(h);
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
	CHECK_OK(store_log_own(s, 0, 0, collect, &k, NULL));
	CHECK(k.n == 1 && k.c[0].has_seen && k.c[0].seen == 42);
	collected_release(&k);
	store_close(s);
	CHECK(sql_exec("UPDATE meta SET value = 3 WHERE key = "
		       "'checkpoint:" STORE_CK_SEEN "'") == SQLITE_OK);
	s = reopen(NULL);
	CHECK(s);
	CHECK(put_json(s, "person", NULL, "{\"given_name\":\"Bea\","
		       "\"family_name\":\"B\"}", NULL) == 0);
	CHECK_OK(store_log_own(s, 1, 0, collect, &k, NULL));
	CHECK(k.n == 1 && !k.c[0].has_seen);
	collected_release(&k);
	/* Set again by presidio: noted again. */
	CHECK_OK(store_checkpoint_set(s, STORE_CK_SEEN, 44, NULL));
	CHECK(put_json(s, "person", NULL, "{\"given_name\":\"Cleo\","
		       "\"family_name\":\"B\"}", NULL) == 0);
	CHECK_OK(store_log_own(s, 2, 0, collect, &k, NULL));
	CHECK(k.n == 1 && k.c[0].has_seen && k.c[0].seen == 44);
	collected_release(&k);
	store_close(s);
}

TEST_MAIN(T(test_secret_sealed_and_survives_rotation),
	  T(test_peer_tokens_enroll_once), T(test_peer_nonce_replay),
	  T(test_evict_keeps_sequence_numbers),
	  T(test_evict_waits_for_acknowledged_and_keeps_refusals),
	  T(test_own_changes_come_back_after_eviction),
	  T(test_rollback_forgets_cached_node), T(test_clone_shares_the_node),
	  T(test_hub_scope_follows_assignment),
	  T(test_hub_scope_log_pages_events),
	  T(test_read_group_lets_writers_in),
	  T(test_seen_only_from_authentic_cursor))
