/*
 * test_registry.c - the hub's registry (registry/registry.h): tokens,
 * enrollment, revocation, nonces; the scope index kept through the
 * store's write hook, on clones too; the scoped log.
 */
#include "tests/node/store_fixture.h"

#include <time.h>

static struct store *named(const char *name, enum store_role role)
{
	return fixture_node(name, role, "m.rossi");
}

static void test_peer_tokens_enroll_once(void)
{
	struct store *s = named("hub", STORE_ROLE_HUB);
	char token[REGISTRY_TOKEN_LEN + 1], t2[REGISTRY_TOKEN_LEN + 1];
	uint8_t pk[STORE_SIGN_PKBYTES];
	struct registry_peer p;
	struct id node, other;

	CHECK(s);
	memset(pk, 9, sizeof(pk));
	id_generate(&node);
	id_generate(&other);
	CHECK_OK(registry_peer_add(s, "polo-fg", "polo", "Puglia", 3600, token,
				   NULL));
	CHECK(strlen(token) == REGISTRY_TOKEN_LEN);
	CHECK(!test_file_contains(dir, token, REGISTRY_TOKEN_LEN));
	CHECK(registry_peer_add(s, "polo-fg", "polo", "Puglia", 3600, t2,
				NULL) == ERR_EXISTS);
	CHECK(registry_peer_add(s, "x", "hub", "Puglia", 3600, t2, NULL) ==
	      ERR_INVALID);
	CHECK(registry_peer_add(s, "x", "polo", "Lazio", 3600, t2, NULL) ==
	      ERR_INVALID);
	CHECK(registry_peer_add(s, "Bad Name", "polo", "Puglia", 3600, t2,
				NULL) == ERR_INVALID);
	CHECK(registry_peer_enroll(s,
				   "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
				   &node, pk, &p, NULL) == ERR_AUTH);
	/* Never under the hub's own id. */
	CHECK(registry_peer_enroll(s, token, store_node_id(s), pk, &p, NULL) ==
	      ERR_EXISTS);
	CHECK_OK(registry_peer_enroll(s, token, &node, pk, &p, NULL));
	CHECK(p.enrolled && strcmp(p.name, "polo-fg") == 0);
	/* Spent. */
	CHECK(registry_peer_enroll(s, token, &other, pk, &p, NULL) == ERR_AUTH);
	CHECK_OK(registry_peer_by_node(s, &node, &p, NULL));
	CHECK(strcmp(p.kind, "polo") == 0 && !p.revoked);
	/* An expired token does not enroll (expiring it in the file is an
	 * alteration: the row is refused as well). */
	CHECK_OK(
	    registry_peer_add(s, "pda-sic", "pda", "Sicilia", 3600, t2, NULL));
	CHECK(sql_exec("UPDATE peer SET token_expires = 1 WHERE name = "
		       "'pda-sic'") == 0);
	CHECK(registry_peer_enroll(s, t2, &other, pk, &p, NULL) == ERR_AUTH);
	CHECK(registry_peer_token(s, "pda-sic", 60, t2, NULL) == ERR_AUTH);
	CHECK(sql_exec("DELETE FROM peer WHERE name = 'pda-sic'") == 0);
	CHECK_OK(
	    registry_peer_add(s, "pda-sic", "pda", "Sicilia", 3600, t2, NULL));
	/* Nor under another node's id; its own again is fine. */
	CHECK_OK(registry_peer_token(s, "pda-sic", 60, t2, NULL));
	CHECK(registry_peer_enroll(s, t2, &node, pk, &p, NULL) == ERR_EXISTS);
	CHECK_OK(registry_peer_token(s, "polo-fg", 60, token, NULL));
	CHECK_OK(registry_peer_enroll(s, token, &node, pk, &p, NULL));
	CHECK_OK(registry_peer_revoke(s, "polo-fg", NULL));
	CHECK_OK(registry_peer_by_name(s, "polo-fg", &p, NULL));
	CHECK(p.revoked);
	CHECK(registry_peer_revoke(s, "nobody", NULL) == ERR_NOTFOUND);
	store_close(s);
}

static void test_peer_nonce_replay(void)
{
	struct store *s = named("hub", STORE_ROLE_HUB);
	char token[REGISTRY_TOKEN_LEN + 1];
	uint8_t n1[16], n2[16];
	int64_t now = 1790000000000;

	CHECK(s);
	memset(n1, 1, sizeof(n1));
	memset(n2, 2, sizeof(n2));
	CHECK_OK(registry_peer_add(s, "p", "polo", "Puglia", 60, token, NULL));
	CHECK_OK(registry_peer_nonce(s, 1, n1, now, 300000, NULL));
	CHECK(registry_peer_nonce(s, 1, n1, now + 10, 300000, NULL) ==
	      ERR_CONFLICT);
	CHECK_OK(registry_peer_nonce(s, 1, n2, now + 10, 300000, NULL));
	/* Old nonces are forgotten once outside twice the window. */
	CHECK_OK(registry_peer_nonce(s, 1, n2, now + 700000, 300000, NULL) ==
			 ERR_CONFLICT
		     ? -1
		     : 0);
	CHECK(sql_int("SELECT count(*) FROM nonce") == 1);
	store_close(s);
}

struct items {
	int changes, entered, left;
	uint64_t last;
	int ordered;
	int stop_at; /* ERR_STOP at this many items (0: never) */
};

static int count_items(void *ctx, const struct registry_scope_item *it)
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
	return k->changes + k->entered + k->left == k->stop_at ? ERR_STOP : 0;
}

/*
 * More cases leave a peer's scope than one page holds, with nothing in
 * its scope between them: paging by the last item's seq, as a pull does,
 * every one of them is seen, and a page that stops early says so.
 */
static void test_hub_scope_log_pages_events(void)
{
	struct store *h = named("hub", STORE_ROLE_HUB);
	char token[REGISTRY_TOKEN_LEN + 1], json[512];
	struct store_put_result kase[5];
	struct registry_peer polo;
	struct items k;
	uint64_t after = 0;
	size_t left = 0, pages = 0;
	int more = 1;

	CHECK(h);
	CHECK_OK(
	    registry_peer_add(h, "polo-fg", "polo", "Puglia", 60, token, NULL));
	CHECK_OK(registry_peer_by_name(h, "polo-fg", &polo, NULL));
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
	CHECK_OK(
	    registry_scope_log(h, &polo, 0, 0, count_items, &k, &more, NULL));
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
		CHECK_OK(registry_scope_log(h, &polo, after, 2, count_items, &k,
					    &more, NULL));
		CHECK(k.changes == 0 && k.ordered && k.left <= 2);
		left += k.left;
		if (more) {
			CHECK(k.last > after);
			after = k.last;
		}
	}
	CHECK(left == 5 && pages == 3);
	/* fn ends the walk (ERR_STOP): nothing more comes, not even the
	 * events still waiting (10 from the start: 5 cases in, 5 out), and
	 * the walk returns 0. */
	for (int stop = 1; stop < 10; stop += 4) {
		memset(&k, 0, sizeof(k));
		k.stop_at = stop;
		CHECK_OK(registry_scope_log(h, &polo, 0, 0, count_items, &k,
					    &more, NULL));
		CHECK(k.changes + k.entered + k.left == stop);
	}
	store_close(h);
}

/* A person, and a case of hers in region, assigned to nodes (a JSON
 * list), written on the hub. */
static int person_and_case(struct store *h, const char *region,
			   const char *nodes, struct store_put_result *person,
			   struct store_put_result *kase)
{
	char json[512], pid[ID_TEXT_LEN + 1];
	int rc = put_json(h, "person", NULL,
			  "{\"given_name\":\"A\",\"family_name\":\"B\"}",
			  person);

	if (rc)
		return rc;
	id_format(&person->id, pid);
	snprintf(json, sizeof(json),
		 "{\"person_id\":\"%s\",\"region\":\"%s\",\"stage\":"
		 "\"intake\",\"nodes\":%s}",
		 pid, region, nodes);
	return put_json(h, "case", NULL, json, kase);
}

/* A service's fields under case cs, in buf. */
static const char *service_json(const struct id *cs, char *buf, size_t n)
{
	char cid[ID_TEXT_LEN + 1];

	id_format(cs, cid);
	snprintf(buf, n,
		 "{\"case_id\":\"%s\",\"service_type\":\"legal_advice\","
		 "\"date\":\"2026-01-02\"}",
		 cid);
	return buf;
}

static void test_hub_scope_follows_assignment(void)
{
	struct store *h = named("hub", STORE_ROLE_HUB);
	char token[REGISTRY_TOKEN_LEN + 1], json[512];
	struct store_put_result person, kase;
	struct registry_peer polo, pda;
	struct items k;
	int seen = 0, more = 1;

	CHECK(h);
	CHECK_OK(
	    registry_peer_add(h, "polo-fg", "polo", "Puglia", 60, token, NULL));
	CHECK_OK(
	    registry_peer_add(h, "pda-sic", "pda", "Sicilia", 60, token, NULL));
	CHECK_OK(registry_peer_by_name(h, "polo-fg", &polo, NULL));
	CHECK_OK(registry_peer_by_name(h, "pda-sic", &pda, NULL));
	CHECK_OK(person_and_case(h, "Puglia", "[\"polo-fg\"]", &person,
				 &kase));
	CHECK_OK(put_json(h, "service", NULL, service_json(&kase.id, json,
							     sizeof(json)),
			  NULL));
	CHECK_OK(registry_scope_sees(h, &polo, &kase.id, &seen, NULL));
	CHECK(seen);
	CHECK_OK(registry_scope_sees(h, &polo, &person.id, &seen, NULL));
	CHECK(seen);
	CHECK_OK(registry_scope_sees(h, &pda, &kase.id, &seen, NULL));
	CHECK(!seen);
	memset(&k, 0, sizeof(k));
	k.ordered = 1;
	CHECK_OK(
	    registry_scope_log(h, &polo, 0, 0, count_items, &k, &more, NULL));
	/* The case came as entries; its person (the hub's) entered the
	 * scope with it: an event, whose history (what the node passed
	 * before this pull: nothing) adds no entry. */
	CHECK(k.changes == 3 && k.entered == 1 && k.left == 0 && k.ordered);
	CHECK(more == 0);
	memset(&k, 0, sizeof(k));
	CHECK_OK(
	    registry_scope_log(h, &pda, 0, 0, count_items, &k, &more, NULL));
	CHECK(k.changes == 0);
	/* Handed over to Sicily: the PdA gets the whole case (3 entries
	 * before the move, then the move), the Polo a purge. */
	CHECK_OK(put_json(h, "case", &kase.id,
			  "{\"region\":\"Sicilia\",\"nodes\":[]}", NULL));
	memset(&k, 0, sizeof(k));
	k.ordered = 1;
	CHECK_OK(
	    registry_scope_log(h, &pda, 3, 0, count_items, &k, &more, NULL));
	CHECK(k.entered == 1 && k.changes == 5 && k.ordered);
	memset(&k, 0, sizeof(k));
	CHECK_OK(
	    registry_scope_log(h, &polo, 3, 0, count_items, &k, &more, NULL));
	CHECK(k.left == 1 && k.changes == 0 && more == 0);
	CHECK_OK(registry_scope_sees(h, &polo, &person.id, &seen, NULL));
	CHECK(!seen);
	store_close(h);
}

/* A service as a node would push it, under case cid. */
static void service_in(struct store_incoming *in, json_t *fields,
		       const struct id *origin)
{
	memset(in, 0, sizeof(*in));
	id_generate(&in->record);
	in->collection = "service";
	in->kind = STORE_CHANGE_CREATE;
	in->origin = *origin;
	in->origin_seq = 1;
	in->operator = "m.rossi";
	in->fields = fields;
}

/* A batch's scope decisions taken together: the services under one case
 * ask the database once whether the peer sees the case; a case created,
 * moved or handed over in between is asked again. */
static void test_scope_memo_follows_membership(void)
{
	struct store *h = named("hub", STORE_ROLE_HUB);
	char token[REGISTRY_TOKEN_LEN + 1], json[512];
	struct registry_scope_memo memo;
	struct store_put_result kase, person;
	struct store_incoming in;
	struct registry_peer polo;
	struct id origin;
	json_t *fields;
	int ok = -1;

	CHECK(h);
	id_generate(&origin);
	CHECK_OK(
	    registry_peer_add(h, "polo-fg", "polo", "Puglia", 60, token, NULL));
	CHECK_OK(registry_peer_by_name(h, "polo-fg", &polo, NULL));
	/* A case of another region: not the peer's. */
	CHECK_OK(person_and_case(h, "Sicilia", "[]", &person, &kase));
	fields = json_loads(service_json(&kase.id, json, sizeof(json)), 0,
			    NULL);
	CHECK(fields);
	registry_scope_memo_init(&memo);
	service_in(&in, fields, &origin);
	CHECK_OK(registry_scope_allows(h, &polo, &memo, &in, &ok, NULL));
	CHECK(ok == 0);
	/* Handed to the peer: asked again, seen. */
	CHECK_OK(put_json(h, "case", &kase.id,
			  "{\"region\":\"Puglia\",\"nodes\":[\"polo-fg\"]}",
			  NULL));
	for (int i = 0; i < 4; i++) {
		service_in(&in, fields, &origin);
		CHECK_OK(registry_scope_allows(h, &polo, &memo, &in, &ok,
					       NULL));
		CHECK(ok == 1);
	}
	/* Five asked, three of them answered from the memo. */
	CHECK(memo.asked == 5 && memo.answered == 3);
	/* Handed back: asked again, no longer seen. */
	CHECK_OK(put_json(h, "case", &kase.id,
			  "{\"region\":\"Sicilia\",\"nodes\":[]}", NULL));
	service_in(&in, fields, &origin);
	CHECK_OK(registry_scope_allows(h, &polo, &memo, &in, &ok, NULL));
	CHECK(ok == 0);
	CHECK(memo.answered == 3);
	json_decref(fields);
	store_close(h);
}

/* The scope index is kept by the hook registry_attach() installs, not by
 * the store: a hub handle without it indexes nothing; one attached (and
 * its clones, which carry the hook) index every case written. */
static void test_index_kept_through_write_hook(void)
{
	struct store *h = named("hub", STORE_ROLE_HUB);
	struct store *bare = NULL, *clone = NULL;
	char token[REGISTRY_TOKEN_LEN + 1], json[256], pid[ID_TEXT_LEN + 1];
	struct store_put_result kase, person;
	struct registry_peer polo;
	int seen = 0;

	CHECK(h);
	CHECK_OK(
	    registry_peer_add(h, "polo-fg", "polo", "Puglia", 60, token, NULL));
	CHECK_OK(registry_peer_by_name(h, "polo-fg", &polo, NULL));
	/* A second handle opened as a plain store: no hook. */
	store_close(h);
	bare = reopen(NULL);
	CHECK(bare);
	store_set_write_hook(bare, NULL, NULL);
	CHECK_OK(put_json(bare, "person", NULL, "{\"given_name\":\"A\","
			  "\"family_name\":\"B\"}", &person));
	id_format(&person.id, pid);
	snprintf(json, sizeof(json),
		 "{\"person_id\":\"%s\",\"region\":\"Puglia\","
		 "\"stage\":\"intake\",\"nodes\":[]}",
		 pid);
	CHECK_OK(put_json(bare, "case", NULL, json, &kase));
	CHECK(sql_int("SELECT count(*) FROM scope_case") == 0);
	/* Attached, a clone's write indexes the case. */
	registry_attach(bare);
	CHECK_OK(store_clone(bare, &clone, NULL));
	CHECK_OK(put_json(clone, "case", &kase.id,
			  "{\"nodes\":[\"polo-fg\"]}", NULL));
	CHECK(sql_int("SELECT count(*) FROM scope_case") == 1);
	CHECK_OK(registry_scope_sees(clone, &polo, &kase.id, &seen, NULL));
	CHECK(seen);
	store_close(clone);
	store_close(bare);
}

/* A registry_peer_list() callback: counts, and ends the walk with
 * k->stop_rc at the k->stop_at-th node. */
struct peer_count {
	int n, stop_at, stop_rc;
};

static int count_peer(void *ctx, const struct registry_peer *p)
{
	struct peer_count *k = ctx;

	(void)p;
	return ++k->n == k->stop_at ? k->stop_rc : 0;
}

/* ERR_STOP ends the walk early and registry_peer_list() returns 0; any
 * other ERR_* ends it and is returned (common/err.h). */
static void test_peer_list_stops_early(void)
{
	struct store *s = named("hub", STORE_ROLE_HUB);
	char token[REGISTRY_TOKEN_LEN + 1];
	struct peer_count k;

	CHECK(s);
	CHECK_OK(registry_peer_add(s, "polo-fg", "polo", "Puglia", 60, token,
				   NULL));
	CHECK_OK(registry_peer_add(s, "polo-ba", "polo", "Puglia", 60, token,
				   NULL));
	CHECK_OK(registry_peer_add(s, "polo-le", "polo", "Puglia", 60, token,
				   NULL));
	k = (struct peer_count){ 0, 0, 0 };
	CHECK_OK(registry_peer_list(s, count_peer, &k, NULL));
	CHECK(k.n == 3);
	k = (struct peer_count){ 0, 2, ERR_STOP };
	CHECK_OK(registry_peer_list(s, count_peer, &k, NULL));
	CHECK(k.n == 2);
	k = (struct peer_count){ 0, 1, ERR_INVALID };
	CHECK(registry_peer_list(s, count_peer, &k, NULL) == ERR_INVALID);
	CHECK(k.n == 1);
	store_close(s);
}

TEST_MAIN(T(test_peer_tokens_enroll_once), T(test_peer_nonce_replay),
	  T(test_hub_scope_follows_assignment),
	  T(test_hub_scope_log_pages_events),
	  T(test_index_kept_through_write_hook),
	  T(test_peer_list_stops_early),
	  T(test_scope_memo_follows_membership))
