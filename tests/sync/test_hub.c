/*
 * test_hub.c - the hub's HTTP API in process: real nodes enrolled with a
 * real hub on 127.0.0.1, and hand-made requests (sync/client.h with our
 * own header lines) for every security property of the protocol.  Each
 * refused request is checked for its exact status, for nothing applied
 * on the hub, and for the hub serving a legitimate round afterwards.
 */
#include "sync/auth.h"
#include "sync/batch.h"
#include "sync/client.h"
#include "sync/hub.h"
#include "sync/sync.h"
#include "tests/node/store_fixture.h"

#include <stdarg.h>
#include <unistd.h>
#include <zlib.h>

#define NNODES 3
#define NBUFS 16
#define ENV_HEADER (4 + 1 + ID_BYTES + 4)
#define KIB 1024u
#define MAX_BODY (64 * KIB) /* the hub's, small: 413 is tested */
#define PERSON "{\"given_name\":\"Amina\",\"family_name\":\"Diallo\"}"

enum { A, B, SIC };

static const struct {
	const char *name, *kind, *region;
} peers[NNODES] = {
	{ "polo-a", "polo", "Puglia" },
	{ "polo-b", "polo", "Puglia" },
	{ "pda-sic", "pda", "Sicilia" },
};

/* The hub, its nodes, and what a test allocated (freed at the end). */
static struct world {
	struct store *hub;
	struct hub *h;
	char url[64];
	struct store *n[NNODES], *more; /* a node not enrolled */
	char token[NNODES][STORE_TOKEN_LEN + 1];
	struct sync_options o;
	struct sync_stats st;   /* of the last round() */
	json_t *doc;            /* body of the last xfer(), when JSON */
	char code[64];          /* its error code, "" when none */
	void *bufs[NBUFS];
} w;

static void *keep(void *p)
{
	for (size_t i = 0; p && i < NBUFS; i++)
		if (!w.bufs[i])
			return w.bufs[i] = p;
	return p; /* a leak ASan will report: raise NBUFS */
}

static struct store *open_node(const char *name, enum store_role role)
{
	struct store_secret sec = secret_of("op.test");
	struct store *s = NULL;
	char path[4300];

	memset(keyfile, 7, sizeof(keyfile));
	snprintf(path, sizeof(path), "%s/%s", test_tmpdir(), name);
	if (store_init(path, name, role, &sec, NULL) ||
	    store_open(&s, path, NULL) || store_unlock(s, &sec, NULL)) {
		store_close(s);
		return NULL;
	}
	return s;
}

static int world_up(void)
{
	static int curl_ready;
	struct hub_config cfg = { .http = { .address = "127.0.0.1",
					    .plain_http = 1,
					    .max_body = MAX_BODY } };
	struct err e;

	memset(&w, 0, sizeof(w));
	err_init(&e);
	if (!curl_ready) {
		if (client_global_init(&e))
			return 0;
		atexit(client_global_cleanup);
		curl_ready = 1;
	}
	w.hub = open_node("hub", STORE_ROLE_HUB);
	for (int i = 0; w.hub && i < NNODES; i++)
		if (store_peer_add(w.hub, peers[i].name, peers[i].kind,
				   peers[i].region, 3600, w.token[i], &e))
			return 0;
	if (!w.hub || hub_start(&w.h, w.hub, &cfg, &e))
		return 0;
	snprintf(w.url, sizeof(w.url), "http://127.0.0.1:%u",
		 (unsigned)hub_port(w.h));
	sync_options_init(&w.o);
	w.o.allow_plain = 1;
	w.o.retries = 1;
	w.o.backoff_ms = 10;
	for (int i = 0; i < NNODES; i++) {
		w.n[i] = open_node(peers[i].name, STORE_ROLE_NODE);
		if (!w.n[i] || sync_enroll(w.n[i], w.url, w.token[i], NULL,
					   NULL, &w.o, &e)) {
			printf("(enroll %s: %s) ", peers[i].name, e.msg);
			return 0;
		}
	}
	return 1;
}

static void world_down(void)
{
	hub_stop(w.h);
	store_close(w.hub);
	for (int i = 0; i < NNODES; i++)
		store_close(w.n[i]);
	store_close(w.more);
	for (int i = 0; i < NBUFS; i++)
		free(w.bufs[i]);
	json_decref(w.doc);
	memset(&w, 0, sizeof(w));
}

/* A test with the world set up before and torn down after, whatever the
 * body's CHECKs do. */
#define WORLD_TEST(name)                                                       \
	static void name##_body(void);                                         \
	static void name(void)                                                 \
	{                                                                      \
		if (world_up())                                                \
			name##_body();                                         \
		else                                                           \
			test_fail(__FILE__, __LINE__, "world_up");             \
		world_down();                                                  \
	}                                                                      \
	static void name##_body(void)

/* Entries in the hub's change log (every applied change adds one). */
static uint64_t changes(void)
{
	struct store_status st;

	return store_status(w.hub, &st, NULL) ? UINT64_MAX : st.changes;
}

/* One round of node i: its rc, stats in w.st. */
static int round_of(int i)
{
	struct err e;
	int rc;

	err_init(&e);
	rc = sync_round(w.n[i], &w.o, &w.st, &e);
	if (rc)
		printf("(round %s: %d %s) ", peers[i].name, rc, e.msg);
	return rc;
}

static int has(struct store *s, const struct id *id)
{
	struct store_record r;
	int rc;

	store_record_init(&r);
	rc = store_get(s, id, &r, NULL);
	store_record_release(&r);
	return rc == 0 ? 1 : rc == ERR_NOTFOUND ? 0 : -1;
}

/* The hub still serves: node i's new person reaches it in a round. */
static int alive(int i)
{
	struct store_put_result r;

	return put_json(w.n[i], "person", NULL, PERSON, &r) == 0 &&
	       round_of(i) == 0 && w.st.pushed >= 1 && has(w.hub, &r.id) == 1;
}

/* Create a record of coll on s from printf-style JSON; its id in *id. */
static ERR_PRINTF(5, 6) int put(struct store *s, const char *coll,
				 const struct id *at, struct id *id,
				 const char *fmt, ...)
{
	struct store_put_result r;
	char text[1024];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	rc = put_json(s, coll, at, text, &r);
	if (!rc && id)
		*id = r.id;
	return rc;
}

static const char *idtext(const struct id *id)
{
	static char buf[4][ID_TEXT_LEN + 1];
	static int next;

	next = (next + 1) % 4;
	id_format(id, buf[next]);
	return buf[next];
}

typedef char lines_t[SYNC_AUTH_HEADERS][SYNC_AUTH_LINE_MAX];

static int add_lines(void *ctx, const char *method, const char *path,
		     const uint8_t *body, size_t len, struct client_headers *h,
		     struct err *e)
{
	const char(*lines)[SYNC_AUTH_LINE_MAX] = ctx;
	int rc = 0;

	(void)method, (void)path, (void)body, (void)len, (void)e;
	for (int i = 0; lines && !rc && i < SYNC_AUTH_HEADERS; i++)
		rc = client_header_add(h, lines[i]);
	return rc;
}

/* Send one request with exactly these header lines (NULL: unsigned): the
 * status (-1: none came), the JSON body in w.doc, its error code w.code. */
static long xfer(char (*lines)[SYNC_AUTH_LINE_MAX], const char *method,
		 const char *path, const void *body, size_t len)
{
	struct client_config cfg;
	struct client_response r;
	struct client *c = NULL;
	const char *code;
	struct err e;
	long status = -1;

	err_init(&e);
	json_decref(w.doc);
	w.doc = NULL;
	w.code[0] = '\0';
	client_config_init(&cfg);
	cfg.base_url = w.url;
	cfg.allow_plain = 1;
	cfg.retries = 0;
	cfg.sign = add_lines;
	cfg.sign_ctx = (void *)lines;
	client_response_init(&r);
	if (client_new(&c, &cfg, &e) == 0 &&
	    client_request(c, method, path, body, len,
			   body ? "application/octet-stream" : NULL, &r,
			   &e) == 0) {
		status = r.status;
		if (strncmp(r.content_type, "application/json", 16) == 0)
			w.doc = json_loadb((const char *)r.body, r.len, 0,
					   NULL);
		code = json_string_value(json_object_get(
		    json_object_get(w.doc, "error"), "code"));
		snprintf(w.code, sizeof(w.code), "%s", code ? code : "");
	} else {
		printf("(send %s %s: %s) ", method, path, e.msg);
	}
	client_response_release(&r);
	client_free(c);
	return status;
}

/* Header lines of node s for a request made skew_ms from now. */
static int sign_as(struct store *s, int64_t skew_ms, const char *method,
		   const char *path, const void *body, size_t len,
		   lines_t lines)
{
	struct sync_identity ident = { .sk = NULL };
	uint64_t at = (uint64_t)((int64_t)sync_now_ms() + skew_ms);
	int rc = sync_identity_load(s, 1, &ident, NULL);

	if (!rc)
		rc = sync_auth_sign(store_node_id(s), ident.sk, method, path,
				    body, len, at, lines, NULL);
	sync_identity_release(&ident);
	return rc;
}

/* A request of node s, signed as it should be: the status. */
static long req(struct store *s, const char *method, const char *path,
		const void *body, size_t len)
{
	lines_t lines;

	if (sign_as(s, 0, method, path, body, len, lines))
		return -2;
	return xfer(lines, method, path, body, len);
}

static int add_change(void *ctx, const struct store_change *c)
{
	return sync_batch_add(ctx, c);
}

/* from's own changes sealed by signer (sender: its id): kept. */
static uint8_t *batch_of(struct store *from, struct store *signer,
			 size_t *len)
{
	struct sync_identity ident = { .sk = NULL };
	struct sync_batch *b = NULL;
	uint8_t *env = NULL;
	int rc = sync_identity_load(signer, 1, &ident, NULL);

	if (!rc)
		rc = sync_batch_new(&b);
	if (!rc)
		rc = store_log_own(from, 0, 0, add_change, b, NULL);
	if (!rc)
		rc = sync_batch_seal(b, store_node_id(signer), ident.sk, &env,
				     len, NULL, NULL);
	sync_batch_free(b);
	sync_identity_release(&ident);
	return rc ? NULL : keep(env);
}

/* An envelope made by hand around payload p (n bytes), signed by s's key
 * per the documented layout: kept. */
static uint8_t *wrap(struct store *s, const void *p, size_t n, size_t *len)
{
	struct sync_identity ident = { .sk = NULL };
	uint8_t *env = malloc(ENV_HEADER + n + crypto_sign_BYTES);

	if (!env || sync_identity_load(s, 0, &ident, NULL)) {
		free(env);
		return NULL;
	}
	memcpy(env, "PRSB", 4);
	env[4] = SYNC_BATCH_VERSION;
	memcpy(env + 5, store_node_id(s)->b, ID_BYTES);
	for (int i = 0; i < 4; i++)
		env[5 + ID_BYTES + i] = (uint8_t)(n >> (8 * i));
	memcpy(env + ENV_HEADER, p, n);
	crypto_sign_detached(env + ENV_HEADER + n, NULL, env, ENV_HEADER + n,
			     ident.sk);
	sync_identity_release(&ident);
	*len = ENV_HEADER + n + crypto_sign_BYTES;
	return keep(env);
}

WORLD_TEST(test_unenrolled_node_401)
{
	struct store *x = w.more = open_node("stranger", STORE_ROLE_NODE);
	uint64_t before;
	uint8_t *env;
	size_t len = 0;

	CHECK(x && put_json(x, "person", NULL, PERSON, NULL) == 0);
	CHECK((env = batch_of(x, x, &len)) != NULL);
	before = changes();
	CHECK(req(x, "GET", "/v1/hello", NULL, 0) == 401);
	CHECK(strcmp(w.code, "unknown_node") == 0);
	CHECK(req(x, "POST", "/v1/push", env, len) == 401);
	CHECK(req(x, "GET", "/v1/pull?after=0&limit=10&ack=0", NULL, 0) == 401);
	CHECK(changes() == before);
	CHECK(alive(A));
}

WORLD_TEST(test_revoked_node_403)
{
	uint64_t before;
	struct err e;
	uint8_t *env;
	size_t len = 0;

	CHECK(round_of(B) == 0);
	CHECK(put_json(w.n[B], "person", NULL, PERSON, NULL) == 0);
	CHECK((env = batch_of(w.n[B], w.n[B], &len)) != NULL);
	CHECK_OK(store_peer_revoke(w.hub, "polo-b", NULL));
	before = changes();
	err_init(&e);
	CHECK(sync_round(w.n[B], &w.o, &w.st, &e) == ERR_AUTH);
	CHECK(strstr(e.msg, "403") != NULL);
	CHECK(req(w.n[B], "GET", "/v1/hello", NULL, 0) == 403);
	CHECK(strcmp(w.code, "revoked") == 0);
	CHECK(req(w.n[B], "POST", "/v1/push", env, len) == 403);
	CHECK(req(w.n[B], "GET", "/v1/pull?after=0&limit=5&ack=0", NULL, 0) == 403);
	CHECK(changes() == before);
	CHECK(alive(A));
}

WORLD_TEST(test_replayed_or_stale_request_409)
{
	uint64_t before;
	lines_t lines, hello;
	uint8_t *env;
	size_t len = 0;

	CHECK(put_json(w.n[A], "person", NULL, PERSON, NULL) == 0);
	CHECK((env = batch_of(w.n[A], w.n[A], &len)) != NULL);
	CHECK_OK(sign_as(w.n[A], 0, "POST", "/v1/push", env, len, lines));
	before = changes();
	CHECK(xfer(lines, "POST", "/v1/push", env, len) == 200);
	CHECK(json_integer_value(json_object_get(w.doc, "applied")) == 1);
	CHECK(changes() == ++before);
	CHECK(xfer(lines, "POST", "/v1/push", env, len) == 409);
	CHECK(strcmp(w.code, "replay") == 0);
	CHECK(changes() == before);
	CHECK_OK(sign_as(w.n[A], 0, "GET", "/v1/hello", NULL, 0, hello));
	CHECK(xfer(hello, "GET", "/v1/hello", NULL, 0) == 200);
	CHECK(xfer(hello, "GET", "/v1/hello", NULL, 0) == 409);
	CHECK(alive(B));
	/* Stale: signed 10 minutes ago, or 10 minutes ahead. */
	CHECK(put_json(w.n[A], "person", NULL, PERSON, NULL) == 0);
	CHECK((env = batch_of(w.n[A], w.n[A], &len)) != NULL);
	before = changes();
	CHECK_OK(sign_as(w.n[A], -10 * 60 * 1000, "POST", "/v1/push", env, len,
			 lines));
	CHECK(xfer(lines, "POST", "/v1/push", env, len) == 409);
	CHECK(strcmp(w.code, "stale") == 0);
	CHECK_OK(sign_as(w.n[A], 10 * 60 * 1000, "POST", "/v1/push", env, len,
			 lines));
	CHECK(xfer(lines, "POST", "/v1/push", env, len) == 409);
	CHECK(changes() == before);
	CHECK(alive(A));
}

WORLD_TEST(test_bad_signature_or_batch_401)
{
	char hexa[2 * ID_BYTES + 1];
	uint64_t before;
	lines_t lines;
	uint8_t *env, *other;
	size_t len = 0, olen = 0, n;

	sodium_bin2hex(hexa, sizeof(hexa), store_node_id(w.n[A])->b, ID_BYTES);
	CHECK(put_json(w.n[A], "person", NULL, PERSON, NULL) == 0);
	CHECK((env = batch_of(w.n[A], w.n[A], &len)) != NULL);
	CHECK_OK(sign_as(w.n[A], 0, "POST", "/v1/push", env, len, lines));
	CHECK(strncmp(lines[3], "X-Presidio-Signature: ", 22) == 0);
	n = strlen(lines[3]);
	lines[3][n - 1] = lines[3][n - 1] == '0' ? '1' : '0';
	before = changes();
	CHECK(xfer(lines, "POST", "/v1/push", env, len) == 401);
	CHECK(strcmp(w.code, "bad_signature") == 0);
	/* A good signature over another body: the body was swapped. */
	CHECK_OK(sign_as(w.n[A], 0, "POST", "/v1/push", env, len - 1, lines));
	CHECK(xfer(lines, "POST", "/v1/push", env, len) == 401);
	/* Signed by another node's key in this node's name. */
	CHECK_OK(sign_as(w.n[B], 0, "POST", "/v1/push", env, len, lines));
	memcpy(lines[0] + 17, hexa, sizeof(hexa));
	CHECK(xfer(lines, "POST", "/v1/push", env, len) == 401);
	/* The request signed over a batch whose own signature breaks. */
	env[ENV_HEADER + 3] ^= 0x01;
	CHECK(req(w.n[A], "POST", "/v1/push", env, len) == 401);
	CHECK(strcmp(w.code, "bad_signature") == 0);
	/* polo-b's own batch, relayed by polo-a in its name. */
	CHECK(put_json(w.n[B], "person", NULL, PERSON, NULL) == 0);
	CHECK((other = batch_of(w.n[B], w.n[B], &olen)) != NULL);
	CHECK(req(w.n[A], "POST", "/v1/push", other, olen) == 401);
	CHECK(changes() == before);
	CHECK(alive(A) && alive(B));
}

/* text deflated (or not) in an envelope signed by polo-a: the status. */
static long push_text(const char *text, int deflate)
{
	uint8_t z[256], *env;
	uLongf zlen = sizeof(z);
	size_t len = 0;

	if (!deflate)
		env = wrap(w.n[A], text, strlen(text), &len);
	else if (compress2(z, &zlen, (const Bytef *)text, strlen(text), 9) ==
		 Z_OK)
		env = wrap(w.n[A], z, zlen, &len);
	else
		return -3;
	return env ? req(w.n[A], "POST", "/v1/push", env, len) : -3;
}

WORLD_TEST(test_malformed_400_oversized_413)
{
	uint8_t *big = keep(calloc(100, KIB));
	uint64_t before = changes();

	CHECK(push_text("this is not a zlib stream at all", 0) == 400);
	CHECK(w.doc != NULL && strcmp(w.code, "invalid") == 0);
	CHECK(push_text("{not json", 1) == 400);
	CHECK(strcmp(w.code, "invalid") == 0);
	/* The control: the same envelope around a valid empty batch. */
	CHECK(push_text("{\"v\":1,\"nodes\":[],\"ops\":[],\"changes\":[]}",
			1) == 200);
	CHECK(xfer(NULL, "POST", "/v1/enroll", "{\"token\":", 9) == 400);
	CHECK(strcmp(w.code, "invalid") == 0);
	CHECK(xfer(NULL, "POST", "/v1/enroll", "[1,2]", 5) == 400);
	/* Oversized: 100 KiB to a hub that takes 64. */
	CHECK(big && memset(big, 'x', 100 * KIB));
	CHECK(req(w.n[A], "POST", "/v1/push", big, 100 * KIB) == 413);
	CHECK(json_is_object(json_object_get(w.doc, "error")));
	CHECK(w.code[0] != '\0');
	CHECK(xfer(NULL, "POST", "/v1/enroll", big, 100 * KIB) == 413);
	CHECK(changes() == before);
	CHECK(alive(A));
}

/* A person and a case for it in region on s (nodes: JSON list or ""). */
static int open_case(struct store *s, const char *region, const char *nodes,
		     struct id *person, struct id *cs)
{
	return put(s, "person", NULL, person, "%s", PERSON) ||
	       put(s, "case", NULL, cs,
		   "{\"person_id\":\"%s\",\"region\":\"%s\",\"stage\":"
		   "\"intake\"%s%s}",
		   idtext(person), region, *nodes ? ",\"nodes\":" : "", nodes);
}

/* The record's fields as canonical JSON text (kept), "" when none. */
static const char *fields_of(struct store *s, const struct id *id)
{
	struct store_record r;
	char *text = NULL;

	store_record_init(&r);
	if (store_get(s, id, &r, NULL) == 0)
		text = json_dumps(r.fields, JSON_COMPACT | JSON_SORT_KEYS);
	store_record_release(&r);
	return text ? keep(text) : "";
}

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

/* An enroll body for node s with token (its real key and schema). */
static char *enroll_body(struct store *s, const char *token)
{
	struct sync_identity ident;
	char pk[2 * crypto_sign_PUBLICKEYBYTES + 1], id[2 * ID_BYTES + 1];
	char fp[33], *text = NULL;
	json_t *doc;

	if (sync_identity_load(s, 1, &ident, NULL))
		return NULL;
	sodium_bin2hex(pk, sizeof(pk), ident.pk, sizeof(ident.pk));
	sync_identity_release(&ident);
	sodium_bin2hex(id, sizeof(id), store_node_id(s)->b, ID_BYTES);
	hub_schema_fingerprint(fp);
	doc = json_pack("{ssssssssss}", "token", token, "node_id", id, "pk",
			pk, "name", store_node_name(s), "schema", fp);
	if (doc)
		text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	return keep(text);
}

WORLD_TEST(test_endpoints_and_tokens)
{
	char late[STORE_TOKEN_LEN + 1];
	struct store *x = w.more = open_node("newcomer", STORE_ROLE_NODE);
	struct store_peer p;
	uint64_t before = changes();
	struct err e;
	char *body;

	CHECK(xfer(NULL, "GET", "/v1/nothing", NULL, 0) == 404);
	CHECK(strcmp(w.code, "not_found") == 0);
	CHECK(req(w.n[A], "GET", "/v1/push", NULL, 0) == 405);
	CHECK(w.code[0] != '\0');
	CHECK(req(w.n[A], "POST", "/v1/hello", "{}", 2) == 405);
	CHECK(req(w.n[A], "GET", "/v1/pull", NULL, 0) == 400);
	CHECK(strcmp(w.code, "invalid") == 0);
	CHECK(req(w.n[A], "GET", "/v1/pull?after=0", NULL, 0) == 400);
	CHECK(req(w.n[A], "GET", "/v1/pull?after=x&limit=5", NULL, 0) == 400);
	CHECK(req(w.n[A], "GET", "/v1/pull?after=0&limit=0", NULL, 0) == 400);
	CHECK(xfer(NULL, "GET", "/v1/hello", NULL, 0) == 401);
	/* polo-a's token, spent by polo-a, presented by another node. */
	CHECK(x && (body = enroll_body(x, w.token[A])) != NULL);
	CHECK(xfer(NULL, "POST", "/v1/enroll", body, strlen(body)) == 401);
	CHECK_OK(store_peer_by_name(w.hub, "polo-a", &p, NULL));
	CHECK(id_cmp(&p.node_id, store_node_id(w.n[A])) == 0);
	CHECK_OK(store_peer_add(w.hub, "late", "polo", "Puglia", 1, late, &e));
	sleep(2);
	CHECK((body = enroll_body(x, late)) != NULL);
	CHECK(xfer(NULL, "POST", "/v1/enroll", body, strlen(body)) == 401);
	err_init(&e);
	CHECK(sync_enroll(x, w.url, late, NULL, NULL, &w.o, &e) == ERR_AUTH);
	CHECK_OK(store_peer_by_name(w.hub, "late", &p, NULL));
	CHECK(!p.enrolled);
	CHECK(changes() == before);
	CHECK(alive(SIC));
}

/* polo-b's changes sealed by polo-a: refused (not made by it), and they
 * must not acknowledge polo-a's own pending change, sequence 1 < 5. */
WORLD_TEST(test_foreign_changes_keep_own_ack)
{
	struct store_peer p;
	uint64_t before;
	uint8_t *env;
	size_t len = 0;

	for (int i = 0; i < 5; i++)
		CHECK(put_json(w.n[B], "person", NULL, PERSON, NULL) == 0);
	CHECK(put_json(w.n[A], "person", NULL, PERSON, NULL) == 0);
	CHECK((env = batch_of(w.n[B], w.n[A], &len)) != NULL);
	before = changes();
	/* A node pushes only what it made: another's changes in its batch
	 * refuse the whole batch, and move none of its cursors. */
	CHECK(req(w.n[A], "POST", "/v1/push", env, len) == 400);
	CHECK(changes() == before);
	CHECK_OK(store_peer_by_name(w.hub, "polo-a", &p, NULL));
	CHECK(round_of(A) == 0);
	CHECK(w.st.pushed == 1 && changes() == before + 1);
	CHECK(p.push_ack == 0);
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

TEST_MAIN(T(test_unenrolled_node_401), T(test_revoked_node_403),
	  T(test_replayed_or_stale_request_409),
	  T(test_bad_signature_or_batch_401),
	  T(test_malformed_400_oversized_413),
	  T(test_out_of_scope_write_refused),
	  T(test_borrowed_reference_refused),
	  T(test_out_of_scope_read_withheld),
	  T(test_move_in_full_history_move_out_purge),
	  T(test_endpoints_and_tokens), T(test_foreign_changes_keep_own_ack),
	  T(test_convergence_three_nodes))
