/*
 * test_hub_clock.c - a node whose clock is far off the hub's (a field
 * laptop): the hub refuses its first request with its own time, signed for
 * that request; the node corrects its request times, syncs in the same
 * round, reports and keeps the offset, and learns again when refused.  A
 * refusal whose time is not signed by the hub for the request it answers
 * (unsigned, signed by another key, or signed for another request) moves
 * nothing.  Record times are not shifted (the HLC keeps its own rule).
 */
#include "tests/sync/hub_world.h"

#include "conflict/hlc.h"

#define HOUR_MS (60 * 60 * 1000)
#define SLACK_MS (10 * 1000) /* a round trip on loopback, generously */

/* A node's wall clock: the real one shifted by skew_ms. */
struct skewed {
	int64_t skew_ms;
};

static uint64_t skewed_clock(void *ctx)
{
	const struct skewed *k = ctx;

	return (uint64_t)((int64_t)sync_now_ms() + k->skew_ms);
}

static int near(int64_t got, int64_t want)
{
	return got > want - SLACK_MS && got < want + SLACK_MS;
}

static int64_t kept_offset(struct store *s)
{
	int64_t off = INT64_MIN;

	if (sync_clock_offset(s, &off, NULL))
		return INT64_MIN;
	return off;
}

static int round_rc(int i)
{
	struct err e;

	err_init(&e);
	return sync_round(w.n[i], &w.o, &w.st, &e);
}

WORLD_TEST(test_clock_two_hours_behind_syncs)
{
	struct skewed k = { .skew_ms = -2 * HOUR_MS };
	struct store_status st;
	struct id p;
	char text[128];

	store_set_clock(w.n[A], skewed_clock, &k);
	CHECK(put(w.n[A], "person", NULL, &p, "%s", PERSON) == 0);
	/* The first request is refused as stale; the node takes the hub's
	 * signed time and the round goes through. */
	CHECK(round_of(A) == 0);
	CHECK(w.st.clock_corrected == 1 && w.st.clock_known == 1);
	CHECK(near(w.st.clock_offset_ms, 2 * HOUR_MS));
	CHECK(w.st.pushed == 1 && has(w.hub, &p) == 1);
	CHECK(near(kept_offset(w.n[A]), 2 * HOUR_MS));
	sync_clock_describe(w.st.clock_offset_ms, text, sizeof(text));
	CHECK(strcmp(text, "the clock of this computer is 2 h 00 min behind "
			   "the Helpdesk's") == 0);
	/* Record times keep the node's own clock: not moved by the offset. */
	CHECK_OK(store_status(w.n[A], &st, NULL));
	CHECK(hlc_ms(st.hlc) < sync_now_ms() - HOUR_MS);
	/* The next round starts corrected: no refusal. */
	CHECK(put(w.n[A], "person", NULL, &p, "%s", PERSON) == 0);
	CHECK(round_of(A) == 0);
	CHECK(w.st.clock_corrected == 0 && w.st.clock_known == 1);
	CHECK(w.st.pushed == 1 && has(w.hub, &p) == 1);
	/* The operator sets the clock right: the kept offset is now wrong,
	 * the hub refuses again and the node learns again. */
	k.skew_ms = 0;
	CHECK(round_of(A) == 0);
	CHECK(w.st.clock_corrected == 1 && near(w.st.clock_offset_ms, 0));
	CHECK(near(kept_offset(w.n[A]), 0));
	CHECK(alive(B));
}

/* Two hours ahead: requests are corrected like above, but record times
 * keep their own rule: the hub defers changes stamped more than an hour
 * ahead of its clock (STORE_SKEW_WINDOW_MS) until the clock is set
 * right. */
WORLD_TEST(test_clock_two_hours_ahead_defers_records)
{
	struct skewed k = { .skew_ms = 2 * HOUR_MS };
	struct id p;

	store_set_clock(w.n[A], skewed_clock, &k);
	CHECK(put(w.n[A], "person", NULL, &p, "%s", PERSON) == 0);
	CHECK(round_rc(A) == ERR_CONFLICT);
	CHECK(w.st.clock_corrected == 1);
	CHECK(near(w.st.clock_offset_ms, -2 * HOUR_MS));
	CHECK(has(w.hub, &p) == 0);
	CHECK(near(kept_offset(w.n[A]), -2 * HOUR_MS));
	/* Set right, the clock is learned again; the change keeps its stamp
	 * and waits on the hub's clock (no shift either way). */
	k.skew_ms = 0;
	CHECK(round_rc(A) == ERR_CONFLICT);
	CHECK(w.st.clock_corrected == 1 && near(w.st.clock_offset_ms, 0));
	CHECK(has(w.hub, &p) == 0);
	CHECK(alive(B));
}

WORLD_TEST(test_clock_ahead_described)
{
	char text[128];

	sync_clock_describe(-(2 * HOUR_MS + 3 * 60 * 1000 + 10), text,
			    sizeof(text));
	CHECK(strcmp(text, "the clock of this computer is 2 h 03 min ahead of "
			   "the Helpdesk's") == 0);
	sync_clock_describe(2 * HOUR_MS + 3 * 60 * 1000, text, sizeof(text));
	CHECK(strcmp(text, "the clock of this computer is 2 h 03 min behind "
			   "the Helpdesk's") == 0);
	sync_clock_describe(-20 * 1000, text, sizeof(text));
	CHECK(strstr(text, "in step") != NULL);
	CHECK(round_of(A) == 0);
}

/*
 * A fake hub in front of node A: every request is refused as stale with a
 * time three hours ahead, signed per the mode.
 */
enum { FORGE_UNSIGNED, FORGE_OTHER_KEY, FORGE_OTHER_REQUEST, FORGE_HUB_SIGNED };

static struct forger {
	int mode;
	struct http_server *srv;
	uint8_t hub_sk[crypto_sign_SECRETKEYBYTES];
	uint8_t other_sk[crypto_sign_SECRETKEYBYTES];
	unsigned seen;
} f;

static void forge_handle(void *ctx, const struct http_request *req,
			 struct http_response *res)
{
	struct sync_auth_req ar;
	char sig[SYNC_SIG_HEX];
	json_t *o;

	(void)ctx;
	f.seen++;
	o = json_pack("{s:{s:s,s:s,s:I}}", "error", "code", "stale", "message",
		      "request time is more than 5 minutes off the hub's clock",
		      "hub_time", (json_int_t)(sync_now_ms() + 3 * HOUR_MS));
	if (!o || http_response_json(res, 409, o)) {
		json_decref(o);
		return;
	}
	json_decref(o);
	if (f.mode == FORGE_UNSIGNED ||
	    sync_auth_parse(http_request_header(req, "X-Presidio-Node"),
			    http_request_header(req, "X-Presidio-Time"),
			    http_request_header(req, "X-Presidio-Nonce"),
			    http_request_header(req, "X-Presidio-Signature"),
			    &ar, NULL))
		return;
	if (f.mode == FORGE_OTHER_REQUEST)
		ar.sig[0] ^= 1; /* a real refusal, of another request */
	sync_auth_answer_sign(f.mode == FORGE_OTHER_KEY ? f.other_sk
							: f.hub_sk,
			      ar.sig, 409, res->body, res->body_len, sig);
	if (http_response_header(res, SYNC_ANSWER_HEADER, sig))
		printf("(forger header) ");
}

static int forger_up(void)
{
	struct http_config cfg = { .address = "127.0.0.1", .plain_http = 1,
				   .threads = 1 };
	struct sync_identity hub = { .sk = NULL }, other = { .sk = NULL };
	struct store_remote rem;
	int rc;

	memset(&f, 0, sizeof(f));
	rc = sync_identity_load(w.hub, 0, &hub, NULL);
	if (!rc)
		rc = sync_identity_load(w.n[B], 1, &other, NULL);
	if (!rc) {
		memcpy(f.hub_sk, hub.sk, sizeof(f.hub_sk));
		memcpy(f.other_sk, other.sk, sizeof(f.other_sk));
	}
	sync_identity_release(&hub);
	sync_identity_release(&other);
	if (!rc)
		rc = http_server_start(&f.srv, &cfg, forge_handle, NULL, NULL);
	if (!rc)
		rc = store_remote_get(w.n[A], &rem, NULL);
	if (rc)
		return rc;
	snprintf(rem.url, sizeof(rem.url), "http://127.0.0.1:%u",
		 (unsigned)http_server_port(f.srv));
	return store_remote_set(w.n[A], &rem, NULL);
}

static void forger_down(void)
{
	http_server_stop(f.srv);
	sodium_memzero(&f, sizeof(f));
}

WORLD_TEST(test_forged_refusal_time_ignored)
{
	static const int modes[] = { FORGE_UNSIGNED, FORGE_OTHER_KEY,
				     FORGE_OTHER_REQUEST };
	int ok = 1;

	CHECK(forger_up() == 0);
	for (size_t i = 0; ok && i < sizeof(modes) / sizeof(modes[0]); i++) {
		f.mode = modes[i];
		f.seen = 0;
		ok = round_rc(A) == ERR_CONFLICT && f.seen >= 1 &&
		     !w.st.clock_corrected && !w.st.clock_known &&
		     kept_offset(w.n[A]) == INT64_MIN;
		if (!ok)
			printf("(mode %d) ", modes[i]);
	}
	/* The same refusal signed by the hub for this request is taken:
	 * the cases above failed for their signature, not by chance. */
	f.mode = FORGE_HUB_SIGNED;
	if (ok)
		ok = round_rc(A) == ERR_CONFLICT && w.st.clock_corrected &&
		     near(kept_offset(w.n[A]), 3 * HOUR_MS);
	forger_down();
	CHECK(ok);
}

TEST_MAIN(T(test_clock_two_hours_behind_syncs),
	  T(test_clock_two_hours_ahead_defers_records),
	  T(test_clock_ahead_described),
	  T(test_forged_refusal_time_ignored))
