/*
 * test_hub.c - the hub's HTTP API in process, for every security property
 * of the protocol: each refused request is checked for its exact status,
 * for nothing applied on the hub, and for the hub serving a legitimate
 * round afterwards; answers are bound to the request they answer.
 * Scopes and convergence: test_hub_scope.c.
 */
#include "tests/sync/hub_world.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

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
	CHECK(strcmp(w.code, "unauthenticated") == 0);
	CHECK(req(x, "POST", "/v1/push", env, len) == 401);
	CHECK(req(x, "GET", "/v1/pull?after=0&limit=10&ack=0", NULL, 0) == 401);
	CHECK(changes() == before);
	CHECK(alive(A));
}

WORLD_TEST(test_revoked_node_403)
{
	char hexb[2 * ID_BYTES + 1];
	lines_t lines;
	uint64_t before;
	struct err e;
	uint8_t *env;
	size_t len = 0;

	CHECK(round_of(B) == 0);
	CHECK(put_json(w.n[B], "person", NULL, PERSON, NULL) == 0);
	CHECK((env = batch_of(w.n[B], w.n[B], &len)) != NULL);
	CHECK_OK(registry_peer_revoke(w.hub, "polo-b", NULL));
	before = changes();
	err_init(&e);
	CHECK(sync_round(w.n[B], &w.o, &w.st, &e) == ERR_AUTH);
	CHECK(strstr(e.msg, "403") != NULL);
	CHECK(req(w.n[B], "GET", "/v1/hello", NULL, 0) == 403);
	CHECK(strcmp(w.code, "revoked") == 0);
	/* Signed by someone else in its name: nothing said of revocation,
	 * the same answer as for a node never enrolled. */
	sodium_bin2hex(hexb, sizeof(hexb), store_node_id(w.n[B])->b, ID_BYTES);
	CHECK_OK(sign_as(w.n[A], 0, "GET", "/v1/hello", NULL, 0, lines));
	memcpy(lines[0] + 17, hexb, sizeof(hexb) - 1);
	CHECK(xfer(lines, "GET", "/v1/hello", NULL, 0) == 401);
	CHECK(strcmp(w.code, "unauthenticated") == 0);
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

/* Sign envelope env (len bytes) again with s's key, as it now reads. */
static int resign(struct store *s, uint8_t *env, size_t len)
{
	struct sync_identity ident = { .sk = NULL };
	int rc = sync_identity_load(s, 0, &ident, NULL);

	if (!rc)
		crypto_sign_detached(env + len - crypto_sign_BYTES, NULL, env,
				     len - crypto_sign_BYTES, ident.sk);
	sync_identity_release(&ident);
	return rc;
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
	CHECK(strcmp(w.code, "unauthenticated") == 0);
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
	/* polo-b's own batch, relayed by polo-a in its name: it names
	 * polo-b as its sender, refused before its signature is tried. */
	CHECK(put_json(w.n[B], "person", NULL, PERSON, NULL) == 0);
	CHECK((other = batch_of(w.n[B], w.n[B], &olen)) != NULL);
	CHECK(req(w.n[A], "POST", "/v1/push", other, olen) == 400);
	CHECK(strcmp(w.code, "sender") == 0);
	CHECK(changes() == before);
	CHECK(alive(A) && alive(B));
}

/* An envelope signed with polo-a's key (its signature verifies with the
 * key of the node that signs the request) but naming polo-b as its
 * sender: the batch claims to be another node's, refused whole (400)
 * with a JSON error, nothing applied, no cursor moved. */
WORLD_TEST(test_envelope_naming_another_sender_400)
{
	struct registry_peer p;
	uint64_t before;
	uint8_t *env;
	size_t len = 0;

	CHECK(put_json(w.n[A], "person", NULL, PERSON, NULL) == 0);
	CHECK((env = batch_of(w.n[A], w.n[A], &len)) != NULL);
	memcpy(env + 5, store_node_id(w.n[B])->b, ID_BYTES);
	CHECK(resign(w.n[A], env, len) == 0);
	before = changes();
	CHECK(req(w.n[A], "POST", "/v1/push", env, len) == 400);
	CHECK(strcmp(w.code, "sender") == 0);
	CHECK(json_is_string(json_object_get(json_object_get(w.doc, "error"),
					     "message")));
	CHECK(changes() == before);
	CHECK_OK(registry_peer_by_name(w.hub, "polo-a", &p, NULL));
	CHECK(p.push_ack == 0 && p.refused == 0);
	CHECK(alive(A));
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

/* Whoever cannot authenticate never gets a byte of a body held: a push
 * unsigned, in the name of a node never enrolled or signed at a stale
 * time is refused from its headers; enroll takes a small body only; an
 * unknown method or endpoint is answered at once.  A node's own push is
 * then held and served. */
WORLD_TEST(test_refused_before_body_is_held)
{
	struct store *x = w.more = open_node("stranger", STORE_ROLE_NODE);
	uint8_t *body = keep(calloc(48, KIB)), *env;
	struct http_stats st;
	lines_t lines;
	size_t len = 0, enrolled;

	CHECK(x && body);
	/* The bodies held so far: the enrollments, a few hundred bytes. */
	hub_http_stats(w.h, &st);
	enrolled = st.body_peak;
	CHECK(enrolled < 1024);
	CHECK(xfer(NULL, "POST", "/v1/push", body, 48 * KIB) == 401);
	CHECK(req(x, "POST", "/v1/push", body, 48 * KIB) == 401);
	CHECK(strcmp(w.code, "unauthenticated") == 0);
	CHECK_OK(sign_as(w.n[A], -10 * 60 * 1000, "POST", "/v1/push", body,
			 48 * KIB, lines));
	CHECK(xfer(lines, "POST", "/v1/push", body, 48 * KIB) == 409);
	CHECK(strcmp(w.code, "stale") == 0);
	/* Its signature is not verified before the body: nothing signed
	 * for it, no hub time in it. */
	CHECK(w.answer[0] == '\0');
	CHECK(json_object_get(json_object_get(w.doc, "error"), "hub_time") ==
	      NULL);
	CHECK(xfer(NULL, "POST", "/v1/enroll", body, HUB_ENROLL_MAX_BODY + 1) ==
	      413);
	CHECK(xfer(NULL, "PUT", "/v1/push", body, 48 * KIB) == 405);
	CHECK(xfer(NULL, "POST", "/v1/nothing", body, 48 * KIB) == 404);
	hub_http_stats(w.h, &st);
	CHECK(st.body_peak == enrolled);
	CHECK(put_json(w.n[A], "person", NULL, PERSON, NULL) == 0);
	CHECK((env = batch_of(w.n[A], w.n[A], &len)) != NULL);
	CHECK(req(w.n[A], "POST", "/v1/push", env, len) == 200);
	CHECK(w.answer[0] != '\0');
	hub_http_stats(w.h, &st);
	CHECK(st.body_peak >= len);
}

/* A TCP connection to the hub sending the headers of a push signed as
 * lines, announcing len bytes of body and sending none.  The fd, or -1. */
static int push_announced(lines_t lines, size_t len)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	char head[1024];
	int fd = socket(AF_INET, SOCK_STREAM, 0), n;

	if (fd < 0)
		return -1;
	a.sin_port = htons(hub_port(w.h));
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	n = snprintf(head, sizeof(head),
		     "POST /v1/push HTTP/1.1\r\nHost: x\r\n%s\r\n%s\r\n"
		     "%s\r\n%s\r\nContent-Type: application/octet-stream\r\n"
		     "Content-Length: %zu\r\n\r\n",
		     lines[0], lines[1], lines[2], lines[3], len);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) || n < 0 ||
	    (size_t)n >= sizeof(head) ||
	    send(fd, head, (size_t)n, MSG_NOSIGNAL) != n) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Push headers that pass every check before the body (a real node id,
 * the current time: neither is secret) announcing the largest body and
 * sending nothing hold none of the hub's body budget: the node's own
 * push is still taken. */
WORLD_TEST(test_announced_push_bodies_hold_nothing)
{
	uint8_t *body = keep(calloc(1, MAX_BODY)), *env;
	lines_t lines;
	size_t len = 0;
	int fds[6], opened = 1;
	long status;

	CHECK(body != NULL);
	CHECK_OK(sign_as(w.n[A], 0, "POST", "/v1/push", body, MAX_BODY,
			 lines));
	for (int i = 0; i < 6; i++)
		if ((fds[i] = push_announced(lines, MAX_BODY)) < 0)
			opened = 0;
	usleep(200 * 1000);
	CHECK(put_json(w.n[A], "person", NULL, PERSON, NULL) == 0);
	env = batch_of(w.n[A], w.n[A], &len);
	status = env ? req(w.n[A], "POST", "/v1/push", env, len) : -3;
	for (int i = 0; i < 6; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	CHECK(opened);
	CHECK(status == 200);
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
		json_object_set_new(doc, "schema_version",
				    json_integer(schema_running_version()));
	if (doc)
		text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	return keep(text);
}

WORLD_TEST(test_endpoints_and_tokens)
{
	char late[REGISTRY_TOKEN_LEN + 1];
	struct store *x = w.more = open_node("newcomer", STORE_ROLE_NODE);
	struct registry_peer p;
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
	CHECK_OK(registry_peer_by_name(w.hub, "polo-a", &p, NULL));
	CHECK(id_cmp(&p.node_id, store_node_id(w.n[A])) == 0);
	CHECK_OK(
	    registry_peer_add(w.hub, "late", "polo", "Puglia", 1, late, &e));
	sleep(2);
	CHECK((body = enroll_body(x, late)) != NULL);
	CHECK(xfer(NULL, "POST", "/v1/enroll", body, strlen(body)) == 401);
	err_init(&e);
	CHECK(sync_enroll(x, w.url, late, NULL, NULL, &w.o, &e) == ERR_AUTH);
	CHECK_OK(registry_peer_by_name(w.hub, "late", &p, NULL));
	CHECK(!p.enrolled);
	CHECK(changes() == before);
	CHECK(alive(SIC));
}

/* polo-b's changes sealed by polo-a: refused (not made by it), and they
 * must not acknowledge polo-a's own pending change, sequence 1 < 5. */
WORLD_TEST(test_foreign_changes_keep_own_ack)
{
	struct registry_peer p;
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
	CHECK_OK(registry_peer_by_name(w.hub, "polo-a", &p, NULL));
	CHECK(round_of(A) == 0);
	CHECK(w.st.pushed == 1 && changes() == before + 1);
	CHECK(p.push_ack == 0);
}

/*
 * Something between the TLS end and the hub (a compromised reverse
 * proxy): it forwards each request with the node's own headers and then
 * passes, alters, strips or replays the answer.
 */
enum { MITM_PASS, MITM_TAMPER_HELLO, MITM_STRIP, MITM_RECORD_PULL,
       MITM_REPLAY_PULL, MITM_LOSE_PUSH };

static struct mitm {
	int mode;
	struct http_server *srv;
	uint8_t *saved; /* first pull answer seen in MITM_RECORD_PULL */
	size_t nsaved;
	char saved_sig[CLIENT_KEPT_MAX];
	unsigned replayed;
} m;

static void mitm_answer(struct http_response *res, struct client_response *r)
{
	json_t *doc = NULL;
	uint8_t *body = r->body;
	size_t len = r->len;
	char *text;

	if (m.mode == MITM_TAMPER_HELLO &&
	    (doc = json_loadb((char *)r->body, r->len, 0, NULL)) &&
	    json_object_get(doc, "push_ack")) {
		/* "the hub has it all already": the node would push nothing */
		json_object_set_new(doc, "push_ack", json_integer(1000000));
		text = json_dumps(doc, JSON_COMPACT);
		len = strlen(text);
		body = (uint8_t *)text;
		free(r->body);
		r->body = NULL;
	} else {
		r->body = NULL;
	}
	if (m.mode == MITM_TAMPER_HELLO)
		json_decref(doc);
	if (m.mode != MITM_STRIP && r->kept[0] &&
	    http_response_header(res, SYNC_ANSWER_HEADER, r->kept))
		printf("(mitm header) ");
	http_response_take(res, (int)r->status, r->content_type, body, len);
}

static void mitm_handle(void *ctx, const struct http_request *req,
			struct http_response *res)
{
	static const char *names[SYNC_AUTH_HEADERS] = {
		"X-Presidio-Node", "X-Presidio-Time", "X-Presidio-Nonce",
		"X-Presidio-Signature"
	};
	struct client_config cfg;
	struct client_response r;
	struct client *c = NULL;
	char path[160];
	lines_t lines;

	(void)ctx;
	for (int i = 0; i < SYNC_AUTH_HEADERS; i++)
		snprintf(lines[i], sizeof(lines[i]), "%s: %s", names[i],
			 http_request_header(req, names[i])
			     ? http_request_header(req, names[i])
			     : "");
	if (strcmp(req->path, "/v1/pull") == 0)
		snprintf(path, sizeof(path),
			 "/v1/pull?after=%s&limit=%s&ack=%s%s",
			 http_request_query(req, "after"),
			 http_request_query(req, "limit"),
			 http_request_query(req, "ack"),
			 http_request_query(req, "format") ? "&format=2" : "");
	else if (http_request_query(req, "format"))
		snprintf(path, sizeof(path), "%s?format=%s", req->path,
			 http_request_query(req, "format"));
	else
		snprintf(path, sizeof(path), "%s", req->path);
	if (m.mode == MITM_REPLAY_PULL && m.saved &&
	    strcmp(req->path, "/v1/pull") == 0) {
		uint8_t *copy = malloc(m.nsaved);

		memcpy(copy, m.saved, m.nsaved);
		if (http_response_header(res, SYNC_ANSWER_HEADER, m.saved_sig))
			printf("(mitm header) ");
		http_response_take(res, 200, "application/octet-stream", copy,
				   m.nsaved);
		m.replayed++;
		return;
	}
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
	} else if (m.mode == MITM_LOSE_PUSH &&
		   strcmp(req->path, "/v1/push") == 0) {
		/* The hub applied it; its answer never arrives. */
		http_response_error(res, 502, "upstream", "connection lost");
	} else {
		if (m.mode == MITM_RECORD_PULL && !m.saved && r.status == 200 &&
		    strcmp(req->path, "/v1/pull") == 0) {
			m.saved = malloc(r.len);
			memcpy(m.saved, r.body, r.len);
			m.nsaved = r.len;
			snprintf(m.saved_sig, sizeof(m.saved_sig), "%s", r.kept);
		}
		mitm_answer(res, &r);
	}
	client_response_release(&r);
	client_free(c);
}

/* Node i talks to the hub through the man in the middle. */
static int via_mitm(int i)
{
	struct http_config cfg = { .address = "127.0.0.1", .plain_http = 1,
				   .threads = 1 };
	struct store_remote rem;

	if (http_server_start(&m.srv, &cfg, mitm_handle, NULL, NULL) ||
	    store_remote_get(w.n[i], &rem, NULL))
		return -1;
	snprintf(rem.url, sizeof(rem.url), "http://127.0.0.1:%u",
		 (unsigned)http_server_port(m.srv));
	return store_remote_set(w.n[i], &rem, NULL);
}

/* A round of node i, its error code (0 when it went through). */
static int round_rc(int i)
{
	struct err e;

	err_init(&e);
	return sync_round(w.n[i], &w.o, &w.st, &e);
}

WORLD_TEST(test_answers_bound_to_request)
{
	uint64_t pending = 0, cursor = 0, cursor2 = 0;
	struct id p1, c1, p2, c2;

	memset(&m, 0, sizeof(m));
	CHECK(via_mitm(A) == 0);
	m.mode = MITM_PASS;
	CHECK_OK(open_case(w.n[A], "Puglia", "", &p1, &c1));
	CHECK(round_rc(A) == 0 && w.st.pushed == 2);
	/* A hello saying "the hub has it all": refused, nothing skipped. */
	CHECK(put(w.n[A], "case", &c1, NULL, "{\"priority\":\"high\"}") == 0);
	m.mode = MITM_TAMPER_HELLO;
	CHECK(round_rc(A) == ERR_AUTH);
	CHECK_OK(sync_pending(w.n[A], &pending, NULL));
	CHECK(pending == 1);
	/* An answer without the hub's signature. */
	m.mode = MITM_STRIP;
	CHECK(round_rc(A) == ERR_AUTH);
	m.mode = MITM_PASS;
	CHECK(round_rc(A) == 0 && w.st.pushed == 1);
	CHECK_OK(sync_pending(w.n[A], &pending, NULL));
	CHECK(pending == 0);
	/* An old pull answer, signed by the hub for an earlier request,
	 * handed back later: refused, the cursor stays. */
	m.mode = MITM_RECORD_PULL;
	CHECK(round_rc(A) == 0 && m.saved != NULL);
	m.mode = MITM_REPLAY_PULL;
	CHECK_OK(open_case(w.hub, "Puglia", "[\"polo-a\"]", &p2, &c2));
	CHECK_OK(store_checkpoint_get(w.n[A], SYNC_CK_PULL, &cursor, NULL));
	CHECK(round_rc(A) == ERR_AUTH && m.replayed >= 1);
	CHECK_OK(store_checkpoint_get(w.n[A], SYNC_CK_PULL, &cursor2, NULL));
	CHECK(cursor2 == cursor && has(w.n[A], &c2) == 0);
	m.mode = MITM_PASS;
	CHECK(round_rc(A) == 0 && has(w.n[A], &c2) == 1);
	http_server_stop(m.srv);
	free(m.saved);
	memset(&m, 0, sizeof(m));
	CHECK(alive(B));
}

/* A push the hub applied whose answer was lost: the next round sends it
 * again for its answer (the hub finds it known: nothing new pushed,
 * nothing applied twice) and records that the hub has it all. */
WORLD_TEST(test_lost_push_answer_recorded)
{
	uint64_t pending = 0, before;
	struct id p1, c1;

	memset(&m, 0, sizeof(m));
	CHECK(via_mitm(A) == 0);
	CHECK_OK(open_case(w.n[A], "Puglia", "", &p1, &c1));
	before = changes();
	m.mode = MITM_LOSE_PUSH;
	CHECK(round_rc(A) != 0);
	CHECK(changes() == before + 2 && has(w.hub, &c1) == 1);
	CHECK_OK(sync_pending(w.n[A], &pending, NULL));
	CHECK(pending == 2);
	m.mode = MITM_PASS;
	CHECK(round_rc(A) == 0 && w.st.pushed == 0);
	CHECK_OK(sync_pending(w.n[A], &pending, NULL));
	CHECK(pending == 0);
	CHECK(changes() == before + 2);
	http_server_stop(m.srv);
	memset(&m, 0, sizeof(m));
}

/* The hub holds more of a node's changes than the node ever made: the
 * node runs on an older copy of its files.  Its next changes would reuse
 * numbers the hub has (and be taken as known): it stops and says so. */
WORLD_TEST(test_node_restored_from_older_copy_stops)
{
	struct registry_peer p;
	struct err e;

	CHECK(put_json(w.n[A], "person", NULL, PERSON, NULL) == 0);
	CHECK(round_of(A) == 0 && w.st.pushed == 1);
	CHECK_OK(registry_peer_by_name(w.hub, "polo-a", &p, NULL));
	CHECK_OK(registry_peer_ack(w.hub, p.idx, 50, 0, NULL));
	CHECK(put_json(w.n[A], "person", NULL, PERSON, NULL) == 0);
	err_init(&e);
	CHECK(sync_round(w.n[A], &w.o, &w.st, &e) == ERR_CONFLICT);
	CHECK(strstr(e.msg, "older copy") != NULL);
	CHECK(alive(B));
}

TEST_MAIN(T(test_unenrolled_node_401), T(test_revoked_node_403),
	  T(test_replayed_or_stale_request_409),
	  T(test_bad_signature_or_batch_401),
	  T(test_envelope_naming_another_sender_400),
	  T(test_malformed_400_oversized_413),
	  T(test_refused_before_body_is_held),
	  T(test_announced_push_bodies_hold_nothing),
	  T(test_endpoints_and_tokens), T(test_foreign_changes_keep_own_ack),
	  T(test_answers_bound_to_request), T(test_lost_push_answer_recorded),
	  T(test_node_restored_from_older_copy_stops))
