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
	struct registry_peer p;
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
	CHECK_OK(registry_peer_by_name(w.hub, "polo-b", &p, NULL));
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
	struct registry_peer p;
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
	CHECK_OK(registry_peer_by_name(w.hub, "polo-b", &p, NULL));
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
	struct registry_peer p;

	return registry_peer_by_name(w.hub, name, &p, NULL) ? -1
							    : p.rebootstrap;
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
	struct registry_peer p;
	uint64_t purged = 0, pending = 1;

	CHECK_OK(open_case(w.n[A], "Puglia", "", &person, &cs));
	CHECK_OK(open_case(w.n[A], "Puglia", "", &p2, &c2));
	CHECK(round_of(A) == 0 && w.st.pushed == 4);
	CHECK_OK(store_delete(w.hub, &cs, NULL));
	/* polo-a counts as away (horizon in the future): marked, purged. */
	CHECK_OK(registry_tombstone_sweep(w.hub, -10, &purged, NULL));
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
	CHECK_OK(registry_peer_by_name(w.hub, "polo-a", &p, NULL));
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

/* Same writes behind each field of two copies of a record: hlc and the
 * writing node (actor numbers are local to each store). */
static int same_versions(struct store *a, const struct store_record *ra,
			 struct store *b, const struct store_record *rb)
{
	if (ra->vers.n != rb->vers.n)
		return 0;
	for (size_t i = 0; i < ra->vers.n; i++) {
		const struct version_entry *x = &ra->vers.e[i];
		const struct version_entry *y = &rb->vers.e[i];
		struct id nx, ny;

		if (x->field != y->field || x->v.hlc != y->v.hlc ||
		    store_actor(a, x->v.actor, &nx, NULL, NULL) ||
		    store_actor(b, y->v.actor, &ny, NULL, NULL) ||
		    id_cmp(&nx, &ny) != 0)
			return 0;
	}
	return 1;
}

struct twin { struct store *self, *other; size_t n, differ, hist; };

static int count_entry(void *ctx, const struct store_change *c)
{
	(void)c;
	++*(size_t *)ctx;
	return 0;
}

/* Every record of self is on other with the same values, deletion,
 * versions and number of change-log entries. */
static int twin_one(void *ctx, const struct store_record *r)
{
	struct twin *k = ctx;
	struct store_record o;
	size_t mine = 0, theirs = 0;

	store_record_init(&o);
	k->n++;
	if (store_get(k->other, &r->id, &o, NULL) || o.deleted != r->deleted ||
	    !json_equal(o.fields, r->fields) ||
	    !same_versions(k->self, r, k->other, &o))
		k->differ++;
	if (store_history(k->self, &r->id, count_entry, &mine, NULL) ||
	    store_history(k->other, &r->id, count_entry, &theirs, NULL) ||
	    mine != theirs)
		k->hist++;
	store_record_release(&o);
	return 0;
}

/*
 * A node rebuilt from the hub gets its own changes back on every page,
 * not only the first: polo-b's six edits, its service and its own person
 * come after the hub's case in the log, so with pages of two they all
 * fall after the first page.  Hub and node end identical.
 */
WORLD_TEST(test_rebuild_pages_bring_own_changes)
{
	static const char *const prio[] = { "low", "high", "urgent" };
	struct id hp, hc, person, cs, svc, mine;
	struct twin fwd = { 0 }, back = { 0 };
	uint64_t purged = 0, pending = 1;

	CHECK_OK(open_case(w.hub, "Puglia", "[\"polo-b\"]", &hp, &hc));
	CHECK_OK(open_case(w.n[B], "Puglia", "", &person, &cs));
	CHECK(put(w.n[B], "service", NULL, &svc,
		  "{\"case_id\":\"%s\",\"service_type\":\"food_parcel\","
		  "\"date\":\"2024-05-03\"}", idtext(&cs)) == 0);
	for (int i = 0; i < 6; i++)
		CHECK(put(w.n[B], "case", &cs, NULL,
			  "{\"priority\":\"%s\",\"province\":\"B%c\"}",
			  prio[i % 3], 'A' + i) == 0);
	CHECK(put(w.n[B], "person", NULL, &mine, "%s", PERSON) == 0);
	CHECK(put(w.n[B], "person", &mine, NULL, "{\"phone\":\"7\"}") == 0);
	CHECK(round_of(B) == 0 && w.st.pushed == 11 && has(w.n[B], &hc) == 1);
	/* The hub deletes the service; polo-b stays away past the horizon
	 * and the tombstone is purged without it. */
	CHECK_OK(store_delete(w.hub, &svc, NULL));
	CHECK_OK(registry_tombstone_sweep(w.hub, -10, &purged, NULL));
	CHECK(purged == 1 && marked("polo-b") == 1);
	w.o.pull_limit = 2;
	CHECK(round_of(B) == 0 && w.st.rebootstrapped == 1);
	CHECK(round_of(B) == 0 && w.st.pulled == 0 && !w.st.rebootstrapped);
	w.o.pull_limit = 0;
	CHECK(marked("polo-b") == 0);
	CHECK_OK(sync_pending(w.n[B], &pending, NULL));
	CHECK(pending == 0);
	CHECK(has(w.n[B], &svc) == 0 && has(w.n[B], &mine) == 1 &&
	      has(w.n[B], &cs) == 1 && has(w.n[B], &hc) == 1);
	CHECK(strstr(fields_of(w.n[B], &cs), "\"BF\"") != NULL);
	CHECK(strstr(fields_of(w.n[B], &mine), "\"7\"") != NULL);
	/* Everything on the hub is polo-b's: the two copies are twins. */
	fwd.self = back.other = w.hub;
	fwd.other = back.self = w.n[B];
	CHECK_OK(store_list(w.hub, NULL, 1, twin_one, &fwd, NULL));
	CHECK_OK(store_list(w.n[B], NULL, 1, twin_one, &back, NULL));
	CHECK(fwd.n == 5 && back.n == 5);
	CHECK(fwd.differ == 0 && back.differ == 0);
	CHECK(fwd.hist == 0 && back.hist == 0);
	/* It goes on working: a new edit reaches the hub, once. */
	CHECK(put(w.n[B], "case", &cs, NULL, "{\"stage\":\"closed\"}") == 0);
	CHECK(round_of(B) == 0 && w.st.pushed == 1 && w.st.refused == 0);
	CHECK(strcmp(fields_of(w.n[B], &cs), fields_of(w.hub, &cs)) == 0);
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

/* ---- who hands a case over; what a reference may name ---- */

/* store_put of printf-style JSON on s: its code, the message in msg. */
static ERR_PRINTF(5, 6) int put_msg(struct store *s, const char *coll,
				    const struct id *at, char *msg,
				    const char *fmt, ...)
{
	char text[1024];
	struct err e;
	va_list ap;
	json_t *f;
	int rc;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	err_init(&e);
	f = json_loads(text, 0, NULL);
	rc = f ? store_put(s, coll, at, f, NULL, &e) : -100;
	json_decref(f);
	snprintf(msg, ERR_MSG_MAX, "%s", e.msg);
	return rc;
}

/*
 * A Polo assigned to a case may not take it from the other holders, nor
 * give it to new ones: its store refuses at once naming the field, and
 * the hub refuses the change when a node's own check was bypassed,
 * recorded on both sides; the other Polo keeps the case.
 */
WORLD_TEST(test_polo_cannot_hand_over)
{
	char msg[ERR_MSG_MAX];
	const char *was;
	struct registry_peer p;
	struct id person, cs;
	uint64_t before;

	CHECK_OK(open_case(w.hub, "Puglia", "[\"polo-a\",\"polo-b\"]",
			   &person, &cs));
	CHECK(round_of(A) == 0 && round_of(B) == 0);
	CHECK(has(w.n[A], &cs) == 1 && has(w.n[B], &cs) == 1);
	/* Locally: removing, adding, moving region: each names the field. */
	CHECK(put_msg(w.n[B], "case", &cs, msg, "{\"nodes\":[\"polo-b\"]}") ==
	      ERR_CONFLICT);
	CHECK(strstr(msg, "'nodes'") != NULL);
	CHECK(put_msg(w.n[B], "case", &cs, msg,
		      "{\"nodes\":[\"polo-a\",\"polo-b\",\"pda-sic\"]}") ==
	      ERR_CONFLICT);
	CHECK(strstr(msg, "'nodes'") != NULL);
	CHECK(put_msg(w.n[B], "case", &cs, msg, "{\"region\":\"Sicilia\"}") ==
	      ERR_CONFLICT);
	CHECK(strstr(msg, "'region'") != NULL);
	/* The same value, or other fields, are no hand-over. */
	CHECK(put(w.n[B], "case", &cs, NULL,
		  "{\"nodes\":[\"polo-a\",\"polo-b\"],\"priority\":\"low\"}") ==
	      0);
	/* A new case lists the Polo that opens it, or no one. */
	CHECK(put_msg(w.n[B], "case", NULL, msg,
		      "{\"person_id\":\"%s\",\"region\":\"Puglia\",\"stage\":"
		      "\"intake\",\"nodes\":[\"polo-a\"]}", idtext(&person)) ==
	      ERR_CONFLICT);
	CHECK(strstr(msg, "'nodes'") != NULL);
	CHECK(round_of(B) == 0 && w.st.refused == 0);
	/* Bypassed on the node: polo-b drops polo-a, then adds pda-sic. */
	CHECK_OK(pose_as(w.n[B], "pda", "Puglia"));
	CHECK(put(w.n[B], "case", &cs, NULL, "{\"nodes\":[\"polo-b\"]}") == 0);
	CHECK(put(w.n[B], "case", &cs, NULL,
		  "{\"nodes\":[\"polo-b\",\"pda-sic\"]}") == 0);
	CHECK_OK(pose_as(w.n[B], "polo", "Puglia"));
	was = fields_of(w.hub, &cs);
	before = changes();
	CHECK(round_of(B) == 0);
	CHECK(w.st.refused == 2);
	CHECK(changes() == before);
	CHECK(*was && strcmp(was, fields_of(w.hub, &cs)) == 0);
	CHECK_OK(registry_peer_by_name(w.hub, "polo-b", &p, NULL));
	CHECK(p.refused == 2);
	CHECK(reasons_with(w.hub, "refusal", "'nodes'") == 2);
	CHECK(reasons_with(w.n[B], "rejection", "'nodes'") == 2);
	/* polo-a keeps the case; pda-sic never got it. */
	CHECK(round_of(A) == 0 && w.st.purged == 0 && has(w.n[A], &cs) == 1);
	CHECK(round_of(SIC) == 0 && has(w.n[SIC], &cs) == 0);
}

/* The PdA of the case's region hands it over, and the hub does: both
 * accepted, the holders follow. */
WORLD_TEST(test_pda_of_region_and_hub_hand_over)
{
	struct id person, cs;

	CHECK_OK(open_case(w.hub, "Sicilia", "[\"polo-a\"]", &person, &cs));
	CHECK(round_of(A) == 0 && round_of(SIC) == 0);
	CHECK(has(w.n[A], &cs) == 1 && has(w.n[SIC], &cs) == 1);
	CHECK(put(w.n[SIC], "case", &cs, NULL, "{\"nodes\":[\"polo-b\"]}") ==
	      0);
	CHECK(round_of(SIC) == 0 && w.st.refused == 0 && w.st.pushed == 1);
	CHECK(round_of(A) == 0 && has(w.n[A], &cs) == 0);
	CHECK(round_of(B) == 0 && has(w.n[B], &cs) == 1);
	/* The hub hands it back. */
	CHECK(put(w.hub, "case", &cs, NULL, "{\"nodes\":[\"polo-a\"]}") == 0);
	CHECK(round_of(A) == 0 && has(w.n[A], &cs) == 1);
	CHECK(round_of(B) == 0 && has(w.n[B], &cs) == 0);
	/* A PdA holding a case of another region may not: the case moves
	 * to Puglia, still assigned to pda-sic, which (posing as Puglia's
	 * PdA past its own check) drops polo-a. */
	CHECK(put(w.hub, "case", &cs, NULL,
		  "{\"region\":\"Puglia\","
		  "\"nodes\":[\"polo-a\",\"pda-sic\"]}") ==
	      0);
	CHECK(round_of(SIC) == 0 && has(w.n[SIC], &cs) == 1);
	CHECK(put(w.n[SIC], "case", &cs, NULL, "{\"nodes\":[\"pda-sic\"]}") ==
	      ERR_CONFLICT);
	CHECK_OK(pose_as(w.n[SIC], "pda", "Puglia"));
	CHECK(put(w.n[SIC], "case", &cs, NULL, "{\"nodes\":[\"pda-sic\"]}") ==
	      0);
	CHECK_OK(pose_as(w.n[SIC], "pda", "Sicilia"));
	CHECK(round_of(SIC) == 0 && w.st.refused == 1);
	CHECK(round_of(A) == 0 && has(w.n[A], &cs) == 1);
}

/* A node not enrolled syncs with no one: it does not know its name at a
 * hub, and assigns freely (the hub judges its changes when it enrolls
 * and pushes them).  References it holds are checked all the same. */
static void test_unenrolled_node_assigns_freely(void)
{
	struct store *s = open_node("lone", STORE_ROLE_NODE);
	char msg[ERR_MSG_MAX];
	struct id person, cs;

	CHECK(s);
	CHECK(open_case(s, "Puglia", "[\"polo-x\"]", &person, &cs) == 0);
	CHECK(put(s, "case", &cs, NULL, "{\"nodes\":[],\"region\":"
		  "\"Sicilia\"}") == 0);
	CHECK(put_msg(s, "service", NULL, msg,
		      "{\"case_id\":\"%s\",\"service_type\":\"food_parcel\","
		      "\"date\":\"2024-05-03\"}", idtext(&person)) ==
	      ERR_INVALID);
	CHECK(strstr(msg, "'case_id'") != NULL);
	store_close(s);
}

/*
 * A reference names a live record of its declared collection: a service
 * under a person, a case of a case, of a missing or deleted person are
 * refused by store_put naming the field (a node may name a record it
 * does not hold: the hub judges), and by the hub when pushed, recorded
 * on both sides.
 */
WORLD_TEST(test_reference_names_live_record_of_its_collection)
{
	char msg[ERR_MSG_MAX], missing[ID_TEXT_LEN + 1];
	struct id p1, c1, p2, svc, gone, cs;
	struct registry_peer p;
	uint64_t n = 0, before;

	CHECK_OK(open_case(w.n[A], "Puglia", "", &p1, &c1));
	CHECK(round_of(A) == 0 && w.st.pushed == 2);
	/* On the node: a service under a person, a case of a case. */
	CHECK(put_msg(w.n[A], "service", NULL, msg,
		      "{\"case_id\":\"%s\",\"service_type\":\"food_parcel\","
		      "\"date\":\"2024-05-03\"}", idtext(&p1)) == ERR_INVALID);
	CHECK(strstr(msg, "'case_id'") != NULL);
	CHECK(put_msg(w.n[A], "case", &c1, msg, "{\"person_id\":\"%s\"}",
		      idtext(&c1)) == ERR_INVALID);
	CHECK(strstr(msg, "'person_id'") != NULL);
	/* A deleted person. */
	CHECK(put(w.n[A], "person", NULL, &p2, "%s", PERSON) == 0);
	CHECK_OK(store_delete(w.n[A], &p2, NULL));
	CHECK(put_msg(w.n[A], "case", NULL, msg,
		      "{\"person_id\":\"%s\",\"region\":\"Puglia\",\"stage\":"
		      "\"intake\"}", idtext(&p2)) == ERR_INVALID);
	CHECK(strstr(msg, "'person_id'") != NULL);
	/* On the hub, which holds everything: a missing person. */
	id_generate(&gone);
	snprintf(missing, sizeof(missing), "%s", idtext(&gone));
	CHECK(put_msg(w.hub, "case", NULL, msg,
		      "{\"person_id\":\"%s\",\"region\":\"Puglia\",\"stage\":"
		      "\"intake\"}", missing) == ERR_INVALID);
	CHECK(strstr(msg, "'person_id'") != NULL);
	CHECK(put_msg(w.hub, "service", NULL, msg,
		      "{\"case_id\":\"%s\",\"service_type\":\"food_parcel\","
		      "\"date\":\"2024-05-03\"}", idtext(&p1)) == ERR_INVALID);
	CHECK(strstr(msg, "'case_id'") != NULL);
	/* Pushed: the node no longer holds the person (evicted), so its
	 * own check lets both through; the hub does not. */
	CHECK(round_of(A) == 0);
	CHECK_OK(store_evict(w.n[A], &p1, &n, NULL));
	CHECK_OK(store_evict(w.n[A], &p2, &n, NULL));
	CHECK(put(w.n[A], "service", NULL, &svc,
		  "{\"case_id\":\"%s\",\"service_type\":\"food_parcel\","
		  "\"date\":\"2024-05-03\"}", idtext(&p1)) == 0);
	CHECK(put(w.n[A], "case", NULL, &cs,
		  "{\"person_id\":\"%s\",\"region\":\"Puglia\",\"stage\":"
		  "\"intake\"}", idtext(&p2)) == 0);
	before = changes();
	CHECK(round_of(A) == 0 && w.st.refused == 2);
	CHECK(changes() == before);
	CHECK(has(w.hub, &svc) == 0 && has(w.hub, &cs) == 0);
	CHECK_OK(registry_peer_by_name(w.hub, "polo-a", &p, NULL));
	CHECK(p.refused == 2);
	CHECK(reasons_with(w.hub, "refusal", "'case_id'") == 1);
	CHECK(reasons_with(w.hub, "refusal", "'person_id'") == 1);
	CHECK(reasons_with(w.n[A], "rejection", "'case_id'") == 1);
	CHECK(reasons_with(w.n[A], "rejection", "'person_id'") == 1);
	/* A live case of its own is fine. */
	CHECK(put(w.n[A], "service", NULL, &svc,
		  "{\"case_id\":\"%s\",\"service_type\":\"food_parcel\","
		  "\"date\":\"2024-05-04\"}", idtext(&c1)) == 0);
	CHECK(round_of(A) == 0 && w.st.refused == 0 && has(w.hub, &svc) == 1);
}

/*
 * Seed 303 of the simulator: a case enters polo-b's scope and leaves it
 * again before polo-b pulls, and the hub purges the case's tombstone
 * meanwhile.  The pull brings its service (the case's history is gone)
 * and then the purge of a case polo-b never held: the service must go
 * with it, found by its parent.
 */
WORLD_TEST(test_purge_takes_children_of_absent_case)
{
	struct id person, cs, svc;
	uint64_t purged = 0;

	CHECK_OK(open_case(w.hub, "Sicilia", "[]", &person, &cs));
	CHECK(put(w.hub, "service", NULL, &svc,
		  "{\"case_id\":\"%s\",\"service_type\":\"food_parcel\","
		  "\"date\":\"2024-05-03\"}", idtext(&cs)) == 0);
	CHECK(round_of(B) == 0 && has(w.n[B], &svc) == 0);
	CHECK(put(w.hub, "case", &cs, NULL, "{\"nodes\":[\"polo-b\"]}") == 0);
	CHECK(put(w.hub, "case", &cs, NULL,
		  "{\"nodes\":[],\"region\":\"Puglia\"}") == 0);
	CHECK(round_of(SIC) == 0);
	CHECK_OK(store_delete(w.hub, &cs, NULL));
	CHECK_OK(registry_tombstone_sweep(w.hub, -10, &purged, NULL));
	CHECK(purged == 1 && has(w.hub, &cs) == 0 && has(w.hub, &svc) == 1);
	CHECK(round_of(B) == 0);
	CHECK(has(w.n[B], &svc) == 0 && has(w.n[B], &cs) == 0);
	CHECK(round_of(B) == 0 && w.st.pulled == 0);
}

/*
 * Seed 754 of the simulator: polo-b edits a service pda-sic created on a
 * case handed to both, the case then leaves polo-b while it must start
 * over.  Rebuilding in small pages, the case's entering brings polo-b's
 * own later edit of the service; the service's creation comes after it
 * and is no longer in polo-b's scope.  The leaving case's purge must
 * still take the service: the edit comes with its creation (its parent).
 */
WORLD_TEST(test_rebuild_own_edit_of_later_record_purged)
{
	struct id person, cs, svc, gone;
	uint64_t purged = 0;

	for (int i = 0; i < 3; i++)
		CHECK(put(w.n[B], "person", NULL, NULL, "%s", PERSON) == 0);
	CHECK(put(w.n[B], "person", NULL, &gone, "%s", PERSON) == 0);
	CHECK(round_of(B) == 0 && w.st.pushed == 4);
	CHECK_OK(open_case(w.hub, "Sicilia", "[]", &person, &cs));
	CHECK(put(w.hub, "case", &cs, NULL, "{\"nodes\":[\"polo-b\"]}") == 0);
	CHECK(round_of(SIC) == 0);
	CHECK(put(w.n[SIC], "service", NULL, &svc,
		  "{\"case_id\":\"%s\",\"service_type\":\"food_parcel\","
		  "\"date\":\"2024-05-03\"}", idtext(&cs)) == 0);
	CHECK(round_of(SIC) == 0 && w.st.pushed == 1);
	CHECK(round_of(B) == 0 && has(w.n[B], &svc) == 1);
	CHECK(put(w.n[B], "service", &svc, NULL, "{\"note\":\"2\"}") == 0);
	/* Pages of the rebuild between the case's entering and leaving. */
	for (int i = 0; i < 4; i++)
		CHECK(put(w.n[B], "person", NULL, NULL, "%s", PERSON) == 0);
	CHECK(round_of(B) == 0 && w.st.pushed == 5 && w.st.refused == 0);
	/* polo-b must start over (a tombstone it did not see, purged), and
	 * the case leaves it. */
	CHECK_OK(store_delete(w.hub, &gone, NULL));
	CHECK_OK(registry_tombstone_sweep(w.hub, -10, &purged, NULL));
	CHECK(purged == 1);
	CHECK(put(w.hub, "case", &cs, NULL, "{\"nodes\":[]}") == 0);
	w.o.pull_limit = 2;
	CHECK(round_of(B) == 0 && w.st.rebootstrapped);
	CHECK(has(w.n[B], &cs) == 0 && has(w.n[B], &svc) == 0);
	CHECK(has(w.hub, &svc) == 1);
	CHECK(strstr(fields_of(w.hub, &svc), "\"note\":\"2\"") != NULL);
}

TEST_MAIN(T(test_out_of_scope_write_refused),
	  T(test_borrowed_reference_refused),
	  T(test_out_of_scope_read_withheld),
	  T(test_move_in_full_history_move_out_purge),
	  T(test_rebootstrap_confirmed_only_after_forgetting),
	  T(test_rebuild_pages_bring_own_changes),
	  T(test_pages_of_moves),
	  T(test_convergence_three_nodes),
	  T(test_polo_cannot_hand_over),
	  T(test_pda_of_region_and_hub_hand_over),
	  T(test_reference_names_live_record_of_its_collection),
	  T(test_unenrolled_node_assigns_freely),
	  T(test_purge_takes_children_of_absent_case),
	  T(test_rebuild_own_edit_of_later_record_purged))
