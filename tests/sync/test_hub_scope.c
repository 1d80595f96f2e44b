/*
 * test_hub_scope.c - scopes through a real hub in process: writes outside
 * a node's scope refused and recorded on both sides, references to
 * records a node does not see refused, reads withheld, move-in with the
 * whole history, move-out purged on the node, and three nodes converging
 * with the hub on the same records and the same conflicts.
 */
#include "tests/sync/hub_world.h"

WORLD_TEST(test_out_of_scope_write_refused)
{
	struct store_status st;
	struct store_peer p;
	struct id person, cs;
	const char *was;
	uint64_t before;

	CHECK_OK(open_case(w.n[A], "Puglia", "", &person, &cs));
	CHECK(round_of(A) == 0 && w.st.pushed == 2);
	CHECK(round_of(B) == 0 && has(w.n[B], &cs) == 0);
	/* polo-b writes a case of that id, claiming it for itself. */
	CHECK(put(w.n[B], "case", &cs, NULL,
		  "{\"person_id\":\"%s\",\"region\":\"Puglia\",\"stage\":"
		  "\"closed\",\"priority\":\"urgent\",\"nodes\":[\"polo-b\"]}",
		  idtext(&person)) == 0);
	was = fields_of(w.hub, &cs);
	before = changes();
	CHECK(round_of(B) == 0);
	CHECK(w.st.refused == 1);
	CHECK(*was && strcmp(was, fields_of(w.hub, &cs)) == 0);
	CHECK(changes() == before);
	CHECK_OK(store_status(w.n[B], &st, NULL));
	CHECK(st.rejected >= 1);
	CHECK_OK(store_peer_by_name(w.hub, "polo-b", &p, NULL));
	CHECK(p.refused == 1);
	CHECK(round_of(A) == 0 && w.st.pulled == 0);
	CHECK(round_of(B) == 0 && w.st.refused == 0);
	CHECK(alive(SIC));
}

/* A node that learnt another node's ids cannot draw that node's person
 * into its scope by naming it, nor move its own service under a case it
 * does not see. */
WORLD_TEST(test_borrowed_reference_refused)
{
	struct id p1, c1, p2, c2, own, svc;
	struct store_peer p;
	uint64_t before;

	CHECK_OK(open_case(w.n[A], "Puglia", "", &p1, &c1));
	CHECK(round_of(A) == 0 && w.st.pushed == 2);
	CHECK_OK(open_case(w.n[B], "Puglia", "", &p2, &c2));
	CHECK(put(w.n[B], "service", NULL, &svc,
		  "{\"case_id\":\"%s\",\"service_type\":\"food_parcel\","
		  "\"date\":\"2024-05-03\"}", idtext(&c2)) == 0);
	CHECK(round_of(B) == 0 && w.st.pushed == 3 && w.st.refused == 0);
	before = changes();
	/* A new case of polo-b's own naming polo-a's person. */
	CHECK(put(w.n[B], "case", NULL, &own,
		  "{\"person_id\":\"%s\",\"region\":\"Puglia\","
		  "\"stage\":\"intake\",\"nodes\":[\"polo-b\"]}",
		  idtext(&p1)) == 0);
	/* Its existing case pointed at that person. */
	CHECK(put(w.n[B], "case", &c2, NULL, "{\"person_id\":\"%s\"}",
		  idtext(&p1)) == 0);
	/* Its service moved under polo-a's case. */
	CHECK(put(w.n[B], "service", &svc, NULL, "{\"case_id\":\"%s\"}",
		  idtext(&c1)) == 0);
	CHECK(round_of(B) == 0);
	CHECK(w.st.pushed == 3 && w.st.refused == 3);
	CHECK(changes() == before);
	CHECK(has(w.hub, &own) == 0);
	CHECK(has(w.n[B], &p1) == 0 && has(w.n[B], &c1) == 0);
	CHECK_OK(store_peer_by_name(w.hub, "polo-b", &p, NULL));
	CHECK(p.refused == 3);
	/* A person polo-b does see may be named by a new case of its own. */
	CHECK(put(w.n[B], "case", NULL, &own,
		  "{\"person_id\":\"%s\",\"region\":\"Puglia\","
		  "\"stage\":\"intake\",\"nodes\":[\"polo-b\"]}",
		  idtext(&p2)) == 0);
	CHECK(round_of(B) == 0 && w.st.pushed == 1 && w.st.refused == 0);
	CHECK(has(w.hub, &own) == 1);
	CHECK(round_of(A) == 0 && has(w.n[A], &own) == 0);
	CHECK(alive(SIC));
}

WORLD_TEST(test_out_of_scope_read_withheld)
{
	struct id p1, c1, p2, c2;

	CHECK_OK(open_case(w.n[A], "Puglia", "", &p1, &c1));
	CHECK(round_of(A) == 0 && has(w.hub, &c1) == 1);
	CHECK(round_of(B) == 0 && round_of(SIC) == 0);
	CHECK(has(w.n[B], &c1) == 0 && has(w.n[B], &p1) == 0);
	CHECK(has(w.n[SIC], &c1) == 0 && has(w.n[SIC], &p1) == 0);
	CHECK_OK(open_case(w.hub, "Puglia", "[\"polo-b\"]", &p2, &c2));
	for (int i = 0; i < NNODES; i++)
		CHECK(round_of(i) == 0);
	CHECK(has(w.n[B], &c2) == 1 && has(w.n[B], &p2) == 1);
	CHECK(has(w.n[A], &c2) == 0 && has(w.n[A], &p2) == 0);
	CHECK(has(w.n[SIC], &c2) == 0 && has(w.n[SIC], &p2) == 0);
	CHECK(has(w.n[B], &c1) == 0 && has(w.n[SIC], &c1) == 0);
	CHECK(has(w.n[A], &c1) == 1);
}

struct hist { size_t n; struct id first_origin; int first_kind; };

static int count_change(void *ctx, const struct store_change *c)
{
	struct hist *h = ctx;

	if (h->n++ == 0)
		h->first_origin = c->origin, h->first_kind = (int)c->kind;
	return 0;
}

WORLD_TEST(test_move_in_full_history_move_out_purge)
{
	struct id person, cs, svc;
	struct hist on_sic = { 0 }, on_hub = { 0 };

	CHECK_OK(open_case(w.n[A], "Puglia", "", &person, &cs));
	CHECK(put(w.n[A], "service", NULL, &svc,
		  "{\"case_id\":\"%s\",\"service_type\":\"legal_advice\","
		  "\"date\":\"2024-05-02\"}", idtext(&cs)) == 0);
	CHECK(put(w.n[A], "case", &cs, NULL, "{\"priority\":\"high\"}") == 0);
	CHECK(round_of(A) == 0 && w.st.pushed == 4);
	CHECK(round_of(SIC) == 0 && has(w.n[SIC], &cs) == 0);
	CHECK(put(w.hub, "case", &cs, NULL,
		  "{\"nodes\":[\"pda-sic\"],\"region\":\"Sicilia\"}") == 0);
	CHECK(round_of(SIC) == 0);
	CHECK(has(w.n[SIC], &person) == 1 && has(w.n[SIC], &cs) == 1 &&
	      has(w.n[SIC], &svc) == 1);
	CHECK_OK(store_history(w.n[SIC], &cs, count_change, &on_sic, NULL));
	CHECK_OK(store_history(w.hub, &cs, count_change, &on_hub, NULL));
	CHECK(on_sic.n == 3 && on_sic.n == on_hub.n);
	CHECK(on_sic.first_kind == STORE_CHANGE_CREATE);
	CHECK(id_cmp(&on_sic.first_origin, store_node_id(w.n[A])) == 0);
	CHECK(round_of(A) == 0 && w.st.purged == 3);
	CHECK(has(w.n[A], &cs) == 0 && has(w.n[A], &person) == 0 &&
	      has(w.n[A], &svc) == 0);
	CHECK(has(w.n[B], &cs) == 0);
	CHECK(alive(A));
}

static int count_one(void *ctx, const struct store_incoming *in)
{
	(void)in;
	++*(size_t *)ctx;
	return 0;
}

/* Node i's pull after `after` of at most limit changes, asked by hand:
 * the changes in the batch, its cursor and more flag. */
static int pull_by_hand(int i, uint64_t after, unsigned limit, size_t *n,
			uint64_t *cursor, int *more)
{
	struct store_remote rem;
	json_t *meta = NULL;
	char path[96];
	int rc;

	*n = 0;
	snprintf(path, sizeof(path), "/v1/pull?after=%llu&limit=%u&ack=0",
		 (unsigned long long)after, limit);
	if (store_remote_get(w.n[i], &rem, NULL) ||
	    req(w.n[i], "GET", path, NULL, 0) != 200)
		return -1;
	rc = sync_batch_open_meta(w.raw, w.nraw, rem.hub_pk, &meta, count_one,
				  n, NULL);
	*cursor = (uint64_t)json_integer_value(json_object_get(meta,
							       "cursor"));
	*more = json_is_true(json_object_get(meta, "more"));
	json_decref(meta);
	return rc;
}

/*
 * Paging: more cases leave a node's scope at once than a page holds, and
 * a case entering the scope with its history starts a batch of its own
 * rather than overflowing one partly filled.
 */
WORLD_TEST(test_pages_of_moves)
{
	struct id person[5], cs[5], own, mine;
	uint64_t cursor = 0, after;
	size_t n = 0;
	int more = 0;

	for (int i = 0; i < 5; i++)
		CHECK_OK(open_case(w.n[A], "Puglia", "", &person[i], &cs[i]));
	CHECK(round_of(A) == 0 && w.st.pushed == 10);
	CHECK(round_of(B) == 0 && w.st.pulled == 0);
	/* A case of polo-b's (two entries), then the hub hands all five to
	 * polo-b, then writes elsewhere. */
	CHECK_OK(open_case(w.hub, "Puglia", "[\"polo-b\"]", &own, &mine));
	for (int i = 0; i < 5; i++)
		CHECK(put(w.hub, "case", &cs[i], NULL,
			  "{\"nodes\":[\"polo-b\"]}") == 0);
	CHECK_OK(open_case(w.hub, "Sicilia", "[\"pda-sic\"]", &own, &own));
	/* polo-a: five cases leave at once, pages of two. */
	w.o.pull_limit = 2;
	CHECK(round_of(A) == 0 && w.st.purged == 10);
	for (int i = 0; i < 5; i++)
		CHECK(has(w.n[A], &cs[i]) == 0 && has(w.n[A], &person[i]) == 0);
	/* polo-b, pages of four: its case's two entries; the first
	 * entering case's history (person, case, the move: three, and the
	 * move as an entry) would not fit after them: it comes alone. */
	CHECK_OK(store_checkpoint_get(w.n[B], SYNC_CK_PULL, &after, NULL));
	CHECK(pull_by_hand(B, after, 4, &n, &cursor, &more) == 0);
	CHECK(n == 2 && more == 1 && cursor == after + 2);
	after = cursor;
	CHECK(pull_by_hand(B, after, 4, &n, &cursor, &more) == 0);
	CHECK(n == 4 && more == 1 && cursor == after + 1);
	CHECK(round_of(B) == 0);
	CHECK(has(w.n[B], &mine) == 1);
	for (int i = 0; i < 5; i++)
		CHECK(has(w.n[B], &cs[i]) == 1 && has(w.n[B], &person[i]) == 1);
	w.o.pull_limit = 0;
	CHECK(alive(SIC));
}

static int marked(const char *name)
{
	struct store_peer p;

	return store_peer_by_name(w.hub, name, &p, NULL) ? -1 : p.rebootstrap;
}

/*
 * Tombstones purged while a node was away: it starts over, and the hub
 * lets go of the mark only when the node confirms it has forgotten its
 * records ("restart=1"), not on any request from 0: a node that holds a
 * change made during sync refuses to forget, and must be told again.
 */
WORLD_TEST(test_rebootstrap_confirmed_only_after_forgetting)
{
	struct id person, cs, p2, c2;
	struct store_peer p;
	uint64_t purged = 0, pending = 1;

	CHECK_OK(open_case(w.n[A], "Puglia", "", &person, &cs));
	CHECK_OK(open_case(w.n[A], "Puglia", "", &p2, &c2));
	CHECK(round_of(A) == 0 && w.st.pushed == 4);
	CHECK_OK(store_delete(w.hub, &cs, NULL));
	/* polo-a counts as away (horizon in the future): marked, purged. */
	CHECK_OK(store_tombstone_sweep(w.hub, -10, &purged, NULL));
	CHECK(purged == 1 && marked("polo-a") == 1);
	CHECK(req(w.n[A], "GET", "/v1/pull?after=4&limit=10&ack=4", NULL,
		  0) == 200);
	CHECK(marked("polo-a") == 1);
	CHECK(req(w.n[A], "GET", "/v1/pull?after=0&limit=10&ack=0", NULL,
		  0) == 200);
	CHECK(marked("polo-a") == 1);
	CHECK(req(w.n[A], "GET", "/v1/pull?after=4&limit=10&ack=0&restart=1",
		  NULL, 0) == 400);
	CHECK(req(w.n[A], "GET", "/v1/pull?after=0&limit=10&ack=0&restart=2",
		  NULL, 0) == 400);
	CHECK(marked("polo-a") == 1);
	/* An edit made while away is pushed first, then the node forgets
	 * and pulls its scope again, confirming. */
	CHECK(put(w.n[A], "person", &person, NULL, "{\"phone\":\"3\"}") == 0);
	CHECK(round_of(A) == 0 && w.st.rebootstrapped == 1);
	CHECK(w.st.pushed == 1 && w.st.pulled >= 3);
	CHECK(marked("polo-a") == 0);
	CHECK_OK(store_peer_by_name(w.hub, "polo-a", &p, NULL));
	CHECK(p.pull_ack > 0);
	CHECK(has(w.n[A], &cs) == 0 && has(w.n[A], &c2) == 1 &&
	      has(w.n[A], &person) == 1 && has(w.n[A], &p2) == 1);
	CHECK(strcmp(fields_of(w.n[A], &person), fields_of(w.hub, &person)) ==
	      0);
	CHECK(strstr(fields_of(w.n[A], &person), "\"3\"") != NULL);
	CHECK_OK(sync_pending(w.n[A], &pending, NULL));
	CHECK(pending == 0);
	CHECK(round_of(A) == 0 && w.st.pulled == 0 && !w.st.rebootstrapped);
}

struct cmp { struct store *other; size_t n, differ; };

static int cmp_one(void *ctx, const struct store_record *r)
{
	struct cmp *k = ctx;
	struct store_record o;

	store_record_init(&o);
	k->n++;
	k->differ += store_get(k->other, &r->id, &o, NULL) ||
		     o.deleted != r->deleted ||
		     !json_equal(o.fields, r->fields);
	store_record_release(&o);
	return 0;
}

static int conflict_row(void *ctx, const struct store_conflict *c)
{
	return json_array_append_new(
	    ctx, json_pack("[sisO?O?]", idtext(&c->record), (int)c->kind,
			   c->field ? c->field : "", c->current.value,
			   c->other.value));
}

WORLD_TEST(test_convergence_three_nodes)
{
	static const int order[3][NNODES] = {
		{ B, SIC, A }, { A, B, SIC }, { SIC, A, B }
	};
	struct id person, cs;
	struct store *all[] = { w.hub, w.n[A], w.n[B], w.n[SIC] };
	json_t *want = NULL;
	int quiet = 0, ok = 1;

	CHECK_OK(open_case(w.n[A], "Puglia", "", &person, &cs));
	CHECK(round_of(A) == 0);
	CHECK(put(w.hub, "case", &cs, NULL,
		  "{\"nodes\":[\"polo-a\",\"polo-b\",\"pda-sic\"]}") == 0);
	for (int i = 0; i < NNODES; i++)
		CHECK(round_of(i) == 0 && has(w.n[i], &cs) == 1);
	/* Offline edits: priority and phone concurrently on two nodes. */
	CHECK(put(w.n[A], "case", &cs, NULL,
		  "{\"priority\":\"high\",\"province\":\"BA\"}") == 0);
	CHECK(put(w.n[A], "person", &person, NULL, "{\"phone\":\"1\"}") == 0);
	CHECK(put(w.n[B], "case", &cs, NULL, "{\"priority\":\"low\"}") == 0);
	CHECK(put(w.n[B], "service", NULL, NULL,
		  "{\"case_id\":\"%s\",\"service_type\":\"food_parcel\","
		  "\"date\":\"2024-05-03\"}", idtext(&cs)) == 0);
	CHECK(put(w.n[SIC], "case", &cs, NULL,
		  "{\"stage\":\"assessment\",\"case_worker\":\"g.n\"}") == 0);
	CHECK(!put(w.n[SIC], "person", &person, NULL, "{\"phone\":\"2\"}"));
	CHECK(!put(w.hub, "case", &cs, NULL, "{\"assigned_org\":\"ente\"}"));
	for (int pass = 0; pass < 6 && !quiet; pass++) {
		quiet = 1;
		for (int j = 0; j < NNODES; j++) {
			CHECK(round_of(order[pass % 3][j]) == 0);
			quiet &= w.st.pushed == 0 && w.st.pulled == 0;
		}
	}
	CHECK(quiet);
	for (int i = 1; i <= NNODES; i++) {
		struct cmp fwd = { all[i], 0, 0 }, back = { w.hub, 0, 0 };

		CHECK_OK(store_list(w.hub, NULL, 1, cmp_one, &fwd, NULL));
		CHECK_OK(store_list(all[i], NULL, 1, cmp_one, &back, NULL));
		CHECK(fwd.n == 3 && back.n == 3);
		CHECK(fwd.differ == 0 && back.differ == 0);
	}
	for (int i = 0; i <= NNODES && ok; i++) {
		/* [[record, kind, field, current, other]], canonical */
		json_t *got = json_array();

		ok = got && !store_conflicts(all[i], NULL, conflict_row, got,
					     NULL);
		if (!want)
			want = json_incref(got);
		ok = ok && json_array_size(got) >= 2 && json_equal(got, want);
		if (!ok)
			printf("(conflicts on %d: %zu, hub %zu) ", i,
			       json_array_size(got), json_array_size(want));
		json_decref(got);
	}
	json_decref(want);
	CHECK(ok);
}

TEST_MAIN(T(test_out_of_scope_write_refused),
	  T(test_borrowed_reference_refused),
	  T(test_out_of_scope_read_withheld),
	  T(test_move_in_full_history_move_out_purge),
	  T(test_rebootstrap_confirmed_only_after_forgetting),
	  T(test_pages_of_moves),
	  T(test_convergence_three_nodes))
