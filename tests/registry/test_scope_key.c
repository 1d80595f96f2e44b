/*
 * test_scope_key.c - the hub's log by who may see it
 * (registry/registry_scope_key.c): a pull reads the same items through
 * its peer's keys as through the whole log, for a service that moves to
 * another case and a plan's goal; the table is built once for a log
 * written without it; a planted row changes nothing; a removed one is
 * what verify reports.  (test_sync_sim.c compares both walks after
 * every seed, invariant 4.)
 */
#include "tests/node/store_fixture.h"

#include <inttypes.h>

#include "common/buf.h"
#include "registry/registry_int.h"

static const char *idtext(const struct id *id)
{
	static char buf[4][ID_TEXT_LEN + 1];
	static int next;

	next = (next + 1) % 4;
	id_format(id, buf[next]);
	return buf[next];
}

/* The id's 16 bytes in upper-case hex, as SQL's hex() writes them. */
static const char *idhex(const struct id *id)
{
	static char buf[2][2 * ID_BYTES + 1];
	static int next;

	next = (next + 1) % 2;
	for (size_t i = 0; i < ID_BYTES; i++)
		snprintf(buf[next] + 2 * i, 3, "%02X", id->b[i]);
	return buf[next];
}

struct walk_text {
	struct buf t;
	uint64_t last;
	int over;
};

static int item_text(void *ctx, const struct registry_scope_item *it)
{
	struct walk_text *k = ctx;
	char line[160];
	int n;

	k->last = it->seq;
	if (it->change)
		n = snprintf(line, sizeof(line), "%" PRIu64 ":%s:%" PRIu64
			     ":%d ", it->seq, idtext(&it->change->record),
			     it->change->seq, it->backfill);
	else
		n = snprintf(line, sizeof(line), "%" PRIu64 ":%s:%s ", it->seq,
			     idtext(&it->root), it->entered ? "in" : "out");
	if (n < 0 || (size_t)n >= sizeof(line) ||
	    buf_append(&k->t, line, (size_t)n))
		k->over = 1;
	return 0;
}

/* Peer p's walk after after, in pages of limit (0: one), read as mode
 * says; a malloc'd string ("" when nothing), NULL on failure. */
static char *walk(struct store *h, const struct registry_peer *p,
		  uint64_t after, size_t limit, const char *mode)
{
	struct walk_text k;
	int more = 1, pages = 0, rc = 0;

	memset(&k, 0, sizeof(k));
	buf_init(&k.t, 1 << 20);
	setenv("PRESIDIO_TEST_SCOPE_WALK", mode, 1);
	while (!rc && more && pages++ < 1000) {
		k.last = after;
		rc = registry_scope_log(h, p, after, limit, item_text, &k,
					&more, NULL);
		if (!rc && buf_append(&k.t, "| ", 2))
			k.over = 1;
		after = k.last;
	}
	unsetenv("PRESIDIO_TEST_SCOPE_WALK");
	if (rc || more || k.over || buf_append(&k.t, "", 1)) {
		buf_release(&k.t);
		return NULL;
	}
	return (char *)k.t.data;
}

/* Both walks of p from after by limit give the same text, not empty
 * from the start. */
static int same_walks(struct store *h, const struct registry_peer *p,
		      uint64_t after, size_t limit)
{
	char *all = walk(h, p, after, limit, "all");
	char *keys = walk(h, p, after, limit, "keys");
	int ok = all && keys && strcmp(all, keys) == 0 &&
		 (after || strlen(all) > 2);

	if (!ok)
		printf("\n    after %" PRIu64 " by %zu: all [%.600s] keys "
		       "[%.600s]\n", after, limit, all ? all : "(failed)",
		       keys ? keys : "(failed)");
	free(all);
	free(keys);
	return ok;
}

struct world {
	struct store *h;
	struct registry_peer a, b;
	struct store_put_result case_a, case_b, service, plan, goal;
};

static int open_case(struct store *h, const char *node,
		     struct store_put_result *out)
{
	struct store_put_result person;
	char json[256];

	if (put_json(h, "person", NULL,
		     "{\"given_name\":\"A\",\"family_name\":\"B\"}", &person))
		return -1;
	snprintf(json, sizeof(json),
		 "{\"person_id\":\"%s\",\"region\":\"Puglia\",\"stage\":"
		 "\"intake\",\"nodes\":[\"%s\"]}",
		 idtext(&person.id), node);
	return put_json(h, "case", NULL, json, out);
}

/* Two peers with a case each; a service of A's case and a plan with a
 * goal; then the service moves to B's case and is edited there.  built:
 * the table is built (a new hub) before anything is written. */
static int world_make(struct world *x, int built)
{
	char token[REGISTRY_TOKEN_LEN + 1], json[256];

	memset(x, 0, sizeof(*x));
	x->h = fixture_node("hub", STORE_ROLE_HUB, "m.rossi");
	if (!x->h || (built && registry_scope_key_sync(x->h, NULL)) ||
	    registry_peer_add(x->h, "polo-a", "polo", "Puglia", 60, token,
			      NULL) ||
	    registry_peer_add(x->h, "polo-b", "polo", "Puglia", 60, token,
			      NULL) ||
	    registry_peer_by_name(x->h, "polo-a", &x->a, NULL) ||
	    registry_peer_by_name(x->h, "polo-b", &x->b, NULL) ||
	    open_case(x->h, "polo-a", &x->case_a) ||
	    open_case(x->h, "polo-b", &x->case_b))
		return -1;
	snprintf(json, sizeof(json),
		 "{\"case_id\":\"%s\",\"service_type\":\"legal_advice\","
		 "\"date\":\"2026-01-02\"}", idtext(&x->case_a.id));
	if (put_json(x->h, "service", NULL, json, &x->service) ||
	    put_json(x->h, "service", &x->service.id,
		     "{\"date\":\"2026-01-03\"}", NULL))
		return -1;
	snprintf(json, sizeof(json), "{\"case_id\":\"%s\"}",
		 idtext(&x->case_a.id));
	if (put_json(x->h, "plan", NULL, json, &x->plan))
		return -1;
	snprintf(json, sizeof(json),
		 "{\"plan_id\":\"%s\",\"area\":\"labour\",\"goal\":"
		 "\"Tirocinio\"}", idtext(&x->plan.id));
	if (put_json(x->h, "plan_goal", NULL, json, &x->goal))
		return -1;
	snprintf(json, sizeof(json), "{\"case_id\":\"%s\"}",
		 idtext(&x->case_b.id));
	return put_json(x->h, "service", &x->service.id, json, NULL) ||
	       put_json(x->h, "service", &x->service.id,
			"{\"date\":\"2026-01-04\"}", NULL);
}

/* Every walk of both peers, from every cursor, whole and by pages of 1
 * and 2, reads the same both ways. */
static int all_walks_same(struct world *x)
{
	uint64_t end = 0;

	if (store_last_seq(x->h, &end, NULL))
		return 0;
	for (uint64_t after = 0; after < end; after++)
		for (size_t limit = 0; limit <= 2; limit++)
			if (!same_walks(x->h, &x->a, after, limit) ||
			    !same_walks(x->h, &x->b, after, limit))
				return 0;
	return 1;
}

static int scope_keys_of(struct store *h, const struct id *key)
{
	char sql[160];

	(void)h;
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM scope_key WHERE hex(key) = '%s'",
		 idhex(key));
	return (int)sql_int(sql);
}

/*
 * A log written before the table existed (the hub of the previous build)
 * is indexed by registry_scope_key_sync(), once; from then on the hook
 * keeps it, and the keys read what the whole log does: the moved
 * service's history goes to B's holder with its case, the goal to A's.
 */
static void test_scope_key_built_then_kept(void)
{
	struct world x;
	uint64_t missing = 9;
	int ready = 1;
	char json[256];

	CHECK_OK(world_make(&x, 0));
	CHECK_OK(registry_scope_key_ready(x.h, &ready, NULL));
	CHECK(!ready);
	/* As the previous build left it: no rows, no mark. */
	CHECK(sql_exec("DELETE FROM scope_key") == 0);
	CHECK_OK(registry_scope_key_verify(x.h, &missing, NULL));
	CHECK(missing == 0);
	CHECK_OK(registry_scope_key_sync(x.h, NULL));
	CHECK_OK(registry_scope_key_ready(x.h, &ready, NULL));
	CHECK(ready);
	CHECK_OK(registry_scope_key_verify(x.h, &missing, NULL));
	CHECK(missing == 0);
	/* Built by the current parent: all 4 service entries under B. */
	CHECK(scope_keys_of(x.h, &x.case_b.id) == 1 + 4);
	CHECK(all_walks_same(&x));
	/* Again: nothing to do, the rows stay as they are (one removed
	 * stays missing). */
	CHECK(sql_exec("DELETE FROM scope_key WHERE seq = 1") == 0);
	CHECK_OK(registry_scope_key_sync(x.h, NULL));
	CHECK(registry_scope_key_verify(x.h, &missing, NULL) == ERR_CORRUPT);
	CHECK(missing >= 1);
	CHECK(sql_exec("DELETE FROM meta WHERE key = 'checkpoint:scope.keys'") ==
	      0);
	CHECK_OK(registry_scope_key_sync(x.h, NULL));
	/* Kept by the hook: the service moves back to A. */
	snprintf(json, sizeof(json), "{\"case_id\":\"%s\"}",
		 idtext(&x.case_a.id));
	CHECK_OK(put_json(x.h, "service", &x.service.id, json, NULL));
	CHECK_OK(put_json(x.h, "plan_goal", &x.goal.id,
			  "{\"goal\":\"Tirocinio in azienda\"}", NULL));
	CHECK_OK(registry_scope_key_verify(x.h, &missing, NULL));
	CHECK(missing == 0);
	CHECK(all_walks_same(&x));
	store_close(x.h);
}

/*
 * Written with the table from the start (a new hub: the mark is set at
 * the first sync), a move brings the earlier entries of the record under
 * its new parent's key, and the walks agree from every cursor.
 */
static void test_scope_key_move_brings_history(void)
{
	struct world x;
	uint64_t missing = 9;

	CHECK_OK(world_make(&x, 1));
	CHECK_OK(registry_scope_key_verify(x.h, &missing, NULL));
	CHECK(missing == 0);
	/* Two entries before the move, the move and one after: all under
	 * B's key; the first two under A's too, where they were written. */
	CHECK(scope_keys_of(x.h, &x.case_b.id) == 1 + 4);
	CHECK(all_walks_same(&x));
	store_close(x.h);
}

/*
 * A planted row brings an entry the judgement refuses: nothing changes.
 * A removed row hides its entry from the keys: verify counts it, and the
 * rebuild puts it back.
 */
static void test_scope_key_planted_removed(void)
{
	struct world x;
	uint64_t missing = 0;
	char sql[256];

	CHECK_OK(world_make(&x, 1));
	snprintf(sql, sizeof(sql),
		 "INSERT OR IGNORE INTO scope_key(key, seq) SELECT x'%s', seq FROM "
		 "change", idhex(&x.case_a.id));
	CHECK(sql_exec(sql) == 0);
	CHECK(all_walks_same(&x));
	snprintf(sql, sizeof(sql),
		 "DELETE FROM scope_key WHERE key = x'%s' AND seq = (SELECT "
		 "max(seq) FROM change)", idhex(&x.case_b.id));
	CHECK(sql_exec(sql) == 0);
	CHECK(registry_scope_key_verify(x.h, &missing, NULL) == ERR_CORRUPT);
	CHECK(missing == 1);
	CHECK(!same_walks(x.h, &x.b, 0, 0));
	/* The mark dropped (a schema that classes otherwise): rebuilt. */
	CHECK(sql_exec("DELETE FROM meta WHERE key = 'checkpoint:scope.keys'") ==
	      0);
	CHECK_OK(registry_scope_key_sync(x.h, NULL));
	CHECK_OK(registry_scope_key_verify(x.h, &missing, NULL));
	CHECK(missing == 0);
	CHECK(all_walks_same(&x));
	store_close(x.h);
}

TEST_MAIN(T(test_scope_key_built_then_kept),
	  T(test_scope_key_move_brings_history),
	  T(test_scope_key_planted_removed))
