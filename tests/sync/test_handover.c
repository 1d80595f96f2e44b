/*
 * test_handover.c - a case handed over while its former holder has edits
 * the hub does not have yet, through a real hub in process: an edit made
 * while the node still held the case is accepted and reaches the new
 * holder; one made after the node learnt of the move is refused and kept,
 * sealed, on both sides; the purge waits while the node has unacknowledged
 * edits of the case; the record of a refusal outlives the purge, also when
 * the answer carrying it was lost; a service is never moved out of a case
 * its node lost.
 */
#include "tests/sync/hub_world.h"

#define SHARED "[\"polo-a\",\"polo-b\"]"

/* A case of polo-a's shared with polo-b, on both. */
static int shared_case(struct id *person, struct id *cs)
{
	return open_case(w.n[A], "Puglia", SHARED, person, cs) == 0 &&
	       round_of(A) == 0 && round_of(B) == 0 && has(w.n[B], cs) == 1;
}

/* The hub hands the case to polo-a alone. */
static int hand_to_a(const struct id *cs)
{
	return put(w.hub, "case", cs, NULL, "{\"nodes\":[\"polo-a\"]}") == 0;
}

/* 1 when the record's fields on s hold "key":"value". */
static int holds(struct store *s, const struct id *id, const char *key,
		 const char *value)
{
	char want[128];

	snprintf(want, sizeof(want), "\"%s\":\"%s\"", key, value);
	return strstr(fields_of(s, id), want) != NULL;
}

WORLD_TEST(test_edit_concurrent_with_handover_accepted)
{
	struct id person, cs, svc;

	CHECK(shared_case(&person, &cs));
	/* polo-b records a visit and edits the case; meanwhile the hub
	 * hands the case to polo-a. */
	CHECK(put(w.n[B], "case", &cs, NULL, "{\"case_worker\":\"rossi\"}") ==
	      0);
	CHECK(put(w.n[B], "service", NULL, &svc,
		  "{\"case_id\":\"%s\",\"service_type\":\"legal_advice\","
		  "\"date\":\"2024-05-02\"}", idtext(&cs)) == 0);
	CHECK(hand_to_a(&cs));
	CHECK(round_of(B) == 0);
	CHECK(w.st.pushed == 2 && w.st.refused == 0);
	CHECK(holds(w.hub, &cs, "case_worker", "rossi"));
	CHECK(has(w.hub, &svc) == 1);
	/* Then the purge: the hub has both. */
	CHECK(has(w.n[B], &cs) == 0 && has(w.n[B], &svc) == 0);
	CHECK(round_of(A) == 0);
	CHECK(holds(w.n[A], &cs, "case_worker", "rossi"));
	CHECK(has(w.n[A], &svc) == 1);
	CHECK(alive(B));
}

/* Who holds the case is not for its former holder to say, even in an
 * edit made before it knew: its own store refuses it, and the hub too
 * when that check was bypassed. */
WORLD_TEST(test_concurrent_reassignment_refused)
{
	struct id person, cs;

	CHECK(shared_case(&person, &cs));
	CHECK(put(w.n[B], "case", &cs, NULL, "{\"nodes\":[\"polo-b\"]}") != 0);
	CHECK(pose_as(w.n[B], "pda", "Puglia") == 0);
	CHECK(put(w.n[B], "case", &cs, NULL, "{\"nodes\":[\"polo-b\"]}") == 0);
	CHECK(pose_as(w.n[B], "polo", "Puglia") == 0);
	CHECK(hand_to_a(&cs));
	CHECK(round_of(B) == 0 && w.st.refused == 1);
	CHECK(strstr(fields_of(w.hub, &cs), "\"nodes\":[\"polo-a\"]") != NULL);
	CHECK(has(w.n[B], &cs) == 0);
	CHECK(round_of(A) == 0 && has(w.n[A], &cs) == 1);
}

struct during {
	const struct id *cs;
	uint64_t moved;       /* the hub's sequence number of the move */
	int before, after;    /* edits made */
	int give_back;        /* the hub gives the case back meanwhile */
	int rc;
};

/*
 * Edits saved on polo-b while its round pulls (one page at a time): one
 * before the page that brings the purge is applied (the round's push is
 * over: the hub does not have it), one after.
 */
static void edit_during(void *ctx, const char *phase,
			const struct sync_stats *st)
{
	struct during *d = ctx;
	uint64_t cursor = 0;

	(void)st;
	if (strcmp(phase, "pull") ||
	    store_checkpoint_get(w.n[B], SYNC_CK_PULL, &cursor, NULL))
		return;
	if (cursor < d->moved && !d->before) {
		d->before = 1;
		d->rc |= put(w.n[B], "case", d->cs, NULL,
			     "{\"province\":\"Foggia\"}");
		if (d->give_back)
			d->rc |= put(w.hub, "case", d->cs, NULL,
				     "{\"nodes\":" SHARED "}");
	} else if (cursor >= d->moved && d->before && !d->give_back &&
		   !d->after) {
		d->after = 1;
		d->rc |= put(w.n[B], "case", d->cs, NULL,
			     "{\"assigned_org\":\"late\"}");
	}
}

/* Hand the case to polo-a after a case of polo-b's own (two entries, so
 * that a pull a page at a time has pages before the purge); polo-b's
 * next round makes edits as edit_during() says. */
static int handover_round(struct during *d)
{
	struct id p2, c2;
	int rc;

	if (open_case(w.hub, "Puglia", "[\"polo-b\"]", &p2, &c2) ||
	    !hand_to_a(d->cs) || store_last_seq(w.hub, &d->moved, NULL))
		return -1;
	w.o.progress = edit_during;
	w.o.progress_ctx = d;
	w.o.pull_limit = 1;
	rc = round_of(B);
	w.o.progress = NULL;
	w.o.pull_limit = 0;
	return rc ? rc : d->rc;
}

struct seen_refusal {
	size_t n;
	int late; /* its value opened: "assigned_org":"late" */
	struct id record;
};

static int one_refusal(void *ctx, const struct store_refused *r)
{
	struct seen_refusal *s = ctx;
	const char *v = json_string_value(json_object_get(r->fields,
							  "assigned_org"));

	s->n++;
	s->record = r->record;
	s->late = v && !strcmp(v, "late");
	return 0;
}

WORLD_TEST(test_edits_during_handover_never_vanish)
{
	struct id person, cs;
	struct during d = { &cs, 0, 0, 0, 0, 0 };
	struct seen_refusal on_b = { 0, 0, { { 0 } } },
			    on_hub = { 0, 0, { { 0 } } };
	struct store_status st;
	struct registry_peer p;

	CHECK(shared_case(&person, &cs));
	CHECK(put(w.n[B], "case", &cs, NULL, "{\"case_worker\":\"rossi\"}") ==
	      0);
	CHECK(handover_round(&d) == 0);
	CHECK(d.before == 1 && d.after == 1);
	CHECK(w.st.refused == 0 && holds(w.hub, &cs, "case_worker", "rossi"));
	/* Two edits the hub does not have: the purge waits. */
	CHECK(has(w.n[B], &cs) == 1);
	CHECK(holds(w.n[B], &cs, "province", "Foggia"));
	CHECK(holds(w.n[B], &cs, "assigned_org", "late"));
	/* Next round: the edit saved before the purge came was concurrent
	 * with the move, accepted; the one saved after polo-b had applied
	 * it is refused, and kept on both sides with its value sealed. */
	CHECK(round_of(B) == 0);
	CHECK(w.st.pushed == 2 && w.st.refused == 1);
	CHECK(holds(w.hub, &cs, "province", "Foggia"));
	CHECK(!holds(w.hub, &cs, "assigned_org", "late"));
	CHECK(has(w.n[B], &cs) == 0 && w.st.purged >= 1);
	CHECK_OK(store_status(w.n[B], &st, NULL));
	CHECK(st.rejected == 1);
	CHECK_OK(store_refused_list(w.n[B], 1, one_refusal, &on_b, NULL));
	CHECK(on_b.n == 1 && on_b.late && id_cmp(&on_b.record, &cs) == 0);
	CHECK_OK(store_refused_list(w.hub, 1, one_refusal, &on_hub, NULL));
	CHECK(on_hub.n == 1 && on_hub.late &&
	      id_cmp(&on_hub.record, &cs) == 0);
	CHECK_OK(registry_peer_by_name(w.hub, "polo-b", &p, NULL));
	CHECK(p.refused == 1);
	/* The new holder gets every accepted edit. */
	CHECK(round_of(A) == 0);
	CHECK(holds(w.n[A], &cs, "case_worker", "rossi"));
	CHECK(holds(w.n[A], &cs, "province", "Foggia"));
	CHECK(!holds(w.n[A], &cs, "assigned_org", "late"));
	/* And nothing comes back or goes on being refused. */
	CHECK(round_of(B) == 0 && w.st.refused == 0 && w.st.pushed == 0);
	CHECK(has(w.n[B], &cs) == 0);
	CHECK_OK(store_status(w.n[B], &st, NULL));
	CHECK(st.rejected == 1);
	/* The kept values follow a key rotation, and verify opens them. */
	CHECK_OK(store_key_rotate(w.n[B], NULL, NULL, NULL));
	CHECK_OK(store_key_rotate(w.hub, NULL, NULL, NULL));
	CHECK_OK(store_verify(w.n[B], NULL, NULL));
	CHECK_OK(store_verify(w.hub, NULL, NULL));
	on_b.n = on_hub.n = 0;
	CHECK_OK(store_refused_list(w.n[B], 1, one_refusal, &on_b, NULL));
	CHECK_OK(store_refused_list(w.hub, 1, one_refusal, &on_hub, NULL));
	CHECK(on_b.n == 1 && on_b.late && on_hub.n == 1 && on_hub.late);
}

/* A node that sends no "seen" (an older release) is judged by what it
 * had acknowledged pulling when it pushed. */
WORLD_TEST(test_node_without_seen_judged_by_its_pull_ack)
{
	struct id person, cs;
	struct registry_peer p;
	char path[128];
	uint8_t *env;
	size_t len = 0;
	uint64_t high = 0;

	CHECK(shared_case(&person, &cs));
	CHECK(put(w.n[B], "case", &cs, NULL, "{\"case_worker\":\"rossi\"}") ==
	      0);
	CHECK(hand_to_a(&cs));
	env = batch_of(w.n[B], w.n[B], &len);
	CHECK(env && req(w.n[B], "POST", "/v1/push", env, len) == 200);
	CHECK(json_array_size(json_object_get(w.doc, "refused")) == 0);
	CHECK(holds(w.hub, &cs, "case_worker", "rossi"));
	/* It acknowledges having pulled past the move; then edits. */
	CHECK_OK(store_last_seq(w.hub, &high, NULL));
	snprintf(path, sizeof(path), "/v1/pull?after=%llu&limit=10&ack=%llu",
		 (unsigned long long)high, (unsigned long long)high);
	CHECK(req(w.n[B], "GET", path, NULL, 0) == 200);
	CHECK(put(w.n[B], "case", &cs, NULL, "{\"province\":\"Bari\"}") ==
	      0);
	env = batch_of(w.n[B], w.n[B], &len);
	CHECK(env && req(w.n[B], "POST", "/v1/push", env, len) == 200);
	CHECK(json_array_size(json_object_get(w.doc, "refused")) == 1);
	CHECK(!holds(w.hub, &cs, "province", "Bari"));
	CHECK_OK(registry_peer_by_name(w.hub, "polo-b", &p, NULL));
	CHECK(p.refused == 1);
}

/* A purge held back for an unacknowledged edit is off when the case comes
 * back to the node before that edit is pushed. */
WORLD_TEST(test_held_back_purge_off_when_case_returns)
{
	struct id person, cs;
	struct during d = { &cs, 0, 0, 0, 1, 0 };
	uint64_t held = 1;

	CHECK(shared_case(&person, &cs));
	CHECK(handover_round(&d) == 0);
	CHECK(d.before == 1 && has(w.n[B], &cs) == 1);
	CHECK_OK(store_evict_pending_count(w.n[B], &held, NULL));
	CHECK(held == 0);
	CHECK(round_of(B) == 0 && w.st.refused == 0 && w.st.purged == 0);
	CHECK(has(w.n[B], &cs) == 1);
	CHECK(holds(w.hub, &cs, "province", "Foggia"));
	CHECK(round_of(A) == 0 && holds(w.n[A], &cs, "province", "Foggia"));
}

/* A node that lost a case does not move a service out of it, even in an
 * edit made before it knew and under a case it sees now: the service
 * would follow it into its scope.  The move is refused, and the new
 * holder keeps the service under the case. */
WORLD_TEST(test_concurrent_service_move_refused)
{
	struct id person, cs, p2, c2, svc;

	CHECK(shared_case(&person, &cs));
	CHECK(put(w.n[A], "service", NULL, &svc,
		  "{\"case_id\":\"%s\",\"service_type\":\"legal_advice\","
		  "\"date\":\"2024-05-02\"}", idtext(&cs)) == 0);
	CHECK(round_of(A) == 0);
	CHECK(open_case(w.n[B], "Puglia", "[\"polo-b\"]", &p2, &c2) == 0);
	CHECK(round_of(B) == 0 && has(w.n[B], &svc) == 1);
	CHECK(put(w.n[B], "service", &svc, NULL, "{\"case_id\":\"%s\"}",
		  idtext(&c2)) == 0);
	CHECK(hand_to_a(&cs));
	CHECK(round_of(B) == 0 && w.st.refused == 1);
	CHECK(holds(w.hub, &svc, "case_id", idtext(&cs)));
	CHECK(round_of(A) == 0 && holds(w.n[A], &svc, "case_id", idtext(&cs)));
}

/* A relay between polo-b and the hub that loses the hub's answers to
 * pushes (the hub applied them): `lose` of them, -1 for all. */
static struct relay {
	struct http_server *srv;
	int lose;
	unsigned lost;
} relay;

static void relay_handle(void *ctx, const struct http_request *req,
			 struct http_response *res)
{
	static const char *names[SYNC_AUTH_HEADERS] = {
		"X-Presidio-Node", "X-Presidio-Time", "X-Presidio-Nonce",
		"X-Presidio-Signature"
	};
	const char *restart = http_request_query(req, "restart");
	struct client_config cfg;
	struct client_response r;
	struct client *c = NULL;
	char path[200];
	lines_t lines;

	(void)ctx;
	for (int i = 0; i < SYNC_AUTH_HEADERS; i++)
		snprintf(lines[i], sizeof(lines[i]), "%s: %s", names[i],
			 http_request_header(req, names[i])
			     ? http_request_header(req, names[i])
			     : "");
	if (strcmp(req->path, "/v1/pull") == 0)
		snprintf(path, sizeof(path),
			 "/v1/pull?after=%s&limit=%s&ack=%s%s%s",
			 http_request_query(req, "after"),
			 http_request_query(req, "limit"),
			 http_request_query(req, "ack"),
			 restart ? "&restart=1" : "",
			 http_request_query(req, "format") ? "&format=2" : "");
	else if (http_request_query(req, "format"))
		snprintf(path, sizeof(path), "%s?format=%s", req->path,
			 http_request_query(req, "format"));
	else
		snprintf(path, sizeof(path), "%s", req->path);
	client_config_init(&cfg);
	cfg.base_url = w.url;
	cfg.allow_plain = 1;
	cfg.retries = 0;
	cfg.sign = add_lines;
	cfg.sign_ctx = lines;
	cfg.keep_header = SYNC_ANSWER_HEADER;
	client_response_init(&r);
	if (client_new(&c, &cfg, NULL) ||
	    client_request(c, req->method, path, req->body, req->body_len,
			   req->body ? "application/octet-stream" : NULL, &r,
			   NULL)) {
		http_response_error(res, 502, "upstream", "hub unreachable");
	} else if (relay.lose && strcmp(req->path, "/v1/push") == 0) {
		/* The hub applied it; its answer never arrives. */
		if (relay.lose > 0)
			relay.lose--;
		relay.lost++;
		http_response_error(res, 502, "upstream", "connection lost");
	} else {
		if (r.kept[0] &&
		    http_response_header(res, SYNC_ANSWER_HEADER, r.kept))
			printf("(relay header) ");
		http_response_take(res, (int)r.status, r.content_type, r.body,
				   r.len);
		r.body = NULL;
	}
	client_response_release(&r);
	client_free(c);
}

/* polo-b talks to the hub through the relay. */
static int via_relay(void)
{
	struct http_config cfg = { .address = "127.0.0.1", .plain_http = 1,
				   .threads = 1 };
	struct store_remote rem;

	memset(&relay, 0, sizeof(relay));
	if (http_server_start(&relay.srv, &cfg, relay_handle, NULL, NULL) ||
	    store_remote_get(w.n[B], &rem, NULL))
		return -1;
	snprintf(rem.url, sizeof(rem.url), "http://127.0.0.1:%u",
		 (unsigned)http_server_port(relay.srv));
	return store_remote_set(w.n[B], &rem, NULL);
}

/* polo-b's edit refused after its case was handed over, the answer of
 * the push carrying it lost (lose: answers lost, -1 for the whole
 * round): the refusal still reaches polo-b and outlives the purge. */
static void refusal_answer_lost(int lose)
{
	struct id person, cs;
	struct during d = { &cs, 0, 0, 0, 0, 0 };
	struct seen_refusal on_b = { 0, 0, { { 0 } } };
	struct store_status st;

	CHECK(shared_case(&person, &cs));
	CHECK(handover_round(&d) == 0);
	CHECK(d.before == 1 && d.after == 1 && has(w.n[B], &cs) == 1);
	CHECK(via_relay() == 0);
	relay.lose = lose;
	if (lose < 0) {
		/* The round fails; the hub has judged both edits. */
		CHECK(round_of(B) != 0 && relay.lost >= 1);
		CHECK(holds(w.hub, &cs, "province", "Foggia"));
		relay.lose = 0;
	}
	CHECK(round_of(B) == 0);
	CHECK(relay.lost >= 1);
	CHECK(w.st.refused == 1);
	CHECK(has(w.n[B], &cs) == 0);
	CHECK_OK(store_status(w.n[B], &st, NULL));
	CHECK(st.rejected == 1);
	CHECK_OK(store_refused_list(w.n[B], 1, one_refusal, &on_b, NULL));
	CHECK(on_b.n == 1 && on_b.late && id_cmp(&on_b.record, &cs) == 0);
	http_server_stop(relay.srv);
	memset(&relay, 0, sizeof(relay));
}

/* Lost and retried at once (libcurl): the hub finds the changes known
 * and reports the refusal again. */
WORLD_TEST(test_refusal_answer_lost_then_retried)
{
	refusal_answer_lost(1);
}

/* Lost for the whole round: the next round's hello says the hub has the
 * edit, which is sent again for its answer before any purge. */
WORLD_TEST(test_refusal_answer_lost_for_the_round)
{
	refusal_answer_lost(-1);
}

TEST_MAIN(T(test_edit_concurrent_with_handover_accepted),
	  T(test_concurrent_reassignment_refused),
	  T(test_edits_during_handover_never_vanish),
	  T(test_node_without_seen_judged_by_its_pull_ack),
	  T(test_held_back_purge_off_when_case_returns),
	  T(test_concurrent_service_move_refused),
	  T(test_refusal_answer_lost_then_retried),
	  T(test_refusal_answer_lost_for_the_round))
