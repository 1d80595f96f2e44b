/*
 * hub_world.h - the world of the hub tests: a real hub on 127.0.0.1 with
 * three enrolled nodes (two Poli of Puglia, the PdA of Sicilia), one more
 * store not enrolled, and helpers to drive rounds, make records and send
 * hand-made signed requests (sync/client.h with our own header lines).
 * Included by test_hub.c (security of the protocol) and test_hub_scope.c
 * (scopes and convergence); everything here is static.
 */
#ifndef PRESIDIO_TESTS_SYNC_HUB_WORLD_H
#define PRESIDIO_TESTS_SYNC_HUB_WORLD_H

#include "sync/auth.h"
#include "sync/batch.h"
#include "sync/client.h"
#include "http/http.h"
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
	char token[NNODES][REGISTRY_TOKEN_LEN + 1];
	struct sync_options o;
	struct sync_stats st;   /* of the last round() */
	json_t *doc;            /* body of the last xfer(), when JSON */
	uint8_t *raw;           /* its body as it came */
	size_t nraw;
	char code[64];          /* its error code, "" when none */
	char answer[CLIENT_KEPT_MAX]; /* its X-Presidio-Answer, "" when none */
	void *bufs[NBUFS];
} w;

static inline void *keep(void *p)
{
	for (size_t i = 0; p && i < NBUFS; i++)
		if (!w.bufs[i])
			return w.bufs[i] = p;
	return p; /* a leak ASan will report: raise NBUFS */
}

static inline struct store *open_node(const char *name, enum store_role role)
{
	return fixture_node(name, role, "op.test");
}

/* The batch format the next world's hub offers (0: the newest): a test
 * of the upgrade sets it before world_up(). */
static int world_hub_format;

static inline int world_up(void)
{
	static int curl_ready;
	struct hub_config cfg = { .http = { .address = "127.0.0.1",
					    .plain_http = 1,
					    .max_body = MAX_BODY },
				  .batch_format = world_hub_format };
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
		if (registry_peer_add(w.hub, peers[i].name, peers[i].kind,
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

static inline void world_down(void)
{
	hub_stop(w.h);
	store_close(w.hub);
	for (int i = 0; i < NNODES; i++)
		store_close(w.n[i]);
	store_close(w.more);
	for (int i = 0; i < NBUFS; i++)
		free(w.bufs[i]);
	json_decref(w.doc);
	free(w.raw);
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
static inline uint64_t changes(void)
{
	struct store_status st;

	return store_status(w.hub, &st, NULL) ? UINT64_MAX : st.changes;
}

/* One round of node i: its rc, stats in w.st. */
static inline int round_of(int i)
{
	struct err e;
	int rc;

	err_init(&e);
	rc = sync_round(w.n[i], &w.o, &w.st, &e);
	if (rc)
		printf("(round %s: %d %s) ", peers[i].name, rc, e.msg);
	return rc;
}

static inline int has(struct store *s, const struct id *id)
{
	struct store_record r;
	int rc;

	store_record_init(&r);
	rc = store_get(s, id, &r, NULL);
	store_record_release(&r);
	return rc == 0 ? 1 : rc == ERR_NOTFOUND ? 0 : -1;
}

/* The hub still serves: node i's new person reaches it in a round. */
static inline int alive(int i)
{
	struct store_put_result r;

	return put_json(w.n[i], "person", NULL, PERSON, &r) == 0 &&
	       round_of(i) == 0 && w.st.pushed >= 1 && has(w.hub, &r.id) == 1;
}

/* Create a record of coll on s from printf-style JSON; its id in *id. */
static inline ERR_PRINTF(5, 6) int put(struct store *s, const char *coll,
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

static inline const char *idtext(const struct id *id)
{
	static char buf[4][ID_TEXT_LEN + 1];
	static int next;

	next = (next + 1) % 4;
	id_format(id, buf[next]);
	return buf[next];
}

typedef char lines_t[SYNC_AUTH_HEADERS][SYNC_AUTH_LINE_MAX];

static inline int add_lines(void *ctx, const char *method, const char *path,
		     const uint8_t *body, size_t len, struct client_headers *h,
		     struct err *e)
{
	const char(*lines)[SYNC_AUTH_LINE_MAX] = ctx;
	int rc = 0;

	(void)method, (void)body, (void)len, (void)e;
	for (int i = 0; lines && !rc && i < SYNC_AUTH_HEADERS; i++)
		rc = client_header_add(h, lines[i]);
	/* A signed hello says the schema, as every node of this build's
	 * does (sync.c): one without is the landed release, refused. */
	if (!rc && lines && strcmp(path, "/v1/hello") == 0) {
		char fp[33], line[128];

		hub_schema_fingerprint(fp);
		snprintf(line, sizeof(line), "%s: %d %s", HUB_SCHEMA_HEADER,
			 schema_running_version(), fp);
		rc = client_header_add(h, line);
	}
	return rc;
}

/* Send one request with exactly these header lines (NULL: unsigned): the
 * status (-1: none came), the JSON body in w.doc, its error code w.code. */
static inline long xfer(char (*lines)[SYNC_AUTH_LINE_MAX], const char *method,
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
	free(w.raw);
	w.raw = NULL;
	w.nraw = 0;
	w.code[0] = '\0';
	w.answer[0] = '\0';
	client_config_init(&cfg);
	cfg.keep_header = SYNC_ANSWER_HEADER;
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
		snprintf(w.answer, sizeof(w.answer), "%s", r.kept);
		w.raw = r.body;
		w.nraw = r.len;
		r.body = NULL;
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
static inline int sign_as(struct store *s, int64_t skew_ms, const char *method,
		   const char *path, const void *body, size_t len,
		   lines_t lines)
{
	struct sync_identity ident = { .sk = NULL };
	uint64_t at = (uint64_t)((int64_t)sync_now_ms() + skew_ms);
	int rc = sync_identity_load(s, 1, &ident, NULL);

	if (!rc)
		rc = sync_auth_sign(store_node_id(s), ident.sk, method, path,
				    body, len, at, lines, NULL, NULL);
	sync_identity_release(&ident);
	return rc;
}

/* A request of node s, signed as it should be: the status. */
static inline long req(struct store *s, const char *method, const char *path,
		const void *body, size_t len)
{
	lines_t lines;

	if (sign_as(s, 0, method, path, body, len, lines))
		return -2;
	return xfer(lines, method, path, body, len);
}

static inline int add_change(void *ctx, const struct store_change *c)
{
	return sync_batch_add(ctx, c);
}

/* from's own changes sealed by signer (sender: its id): kept. */
static inline uint8_t *batch_of(struct store *from, struct store *signer,
			 size_t *len)
{
	struct sync_identity ident = { .sk = NULL };
	struct sync_batch *b = NULL;
	uint8_t *env = NULL;
	int rc = sync_identity_load(signer, 1, &ident, NULL);

	if (!rc)
		rc = sync_batch_new(&b);
	if (!rc)
		rc = store_log_own(from, 0, 0, STORE_VALUES_TEXT, add_change,
				   b, NULL);
	if (!rc)
		rc = sync_batch_seal(b, store_node_id(signer), ident.sk, &env,
				     len, NULL, NULL);
	sync_batch_free(b);
	sync_identity_release(&ident);
	return rc ? NULL : keep(env);
}

/* An envelope made by hand around payload p (n bytes), signed by s's key
 * per the documented layout: kept. */
static inline uint8_t *wrap(struct store *s, const void *p, size_t n, size_t *len)
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

/* A person and a case for it in region on s (nodes: JSON list or ""). */
static inline int open_case(struct store *s, const char *region, const char *nodes,
		     struct id *person, struct id *cs)
{
	return put(s, "person", NULL, person, "%s", PERSON) ||
	       put(s, "case", NULL, cs,
		   "{\"person_id\":\"%s\",\"region\":\"%s\",\"stage\":"
		   "\"intake\"%s%s}",
		   idtext(person), region, *nodes ? ",\"nodes\":" : "", nodes);
}

/* The record's fields as canonical JSON text (kept), "" when none. */
static inline const char *fields_of(struct store *s, const struct id *id)
{
	struct store_record r;
	char *text = NULL;

	store_record_init(&r);
	if (store_get(s, id, &r, NULL) == 0)
		text = json_dumps(r.fields, JSON_COMPACT | JSON_SORT_KEYS);
	store_record_release(&r);
	return text ? keep(text) : "";
}

/* Make node s believe it is of kind in region (its enrollment row), as a
 * node whose own checks were bypassed would write. */
static inline int pose_as(struct store *s, const char *kind, const char *region)
{
	struct store_remote r;
	int rc = store_remote_get(s, &r, NULL);

	if (!rc) {
		snprintf(r.kind, sizeof(r.kind), "%s", kind);
		snprintf(r.region, sizeof(r.region), "%s", region);
		rc = store_remote_set(s, &r, NULL);
	}
	return rc;
}

/* Rows of table (rejection on a node, refusal on the hub) of store s
 * whose reason mentions needle: refusals are recorded on both sides. */
static inline long long reasons_with(struct store *s, const char *table,
			      const char *needle)
{
	char path[4300], sql[160];
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	long long v = -1;

	snprintf(path, sizeof(path), "%s/%s", store_dir(s), STORE_DB_FILE);
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM %s WHERE instr(reason, ?1) > 0", table);
	if (sqlite3_open(path, &db) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_bind_text(st, 1, needle, -1, SQLITE_STATIC) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

#endif
