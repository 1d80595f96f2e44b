/* hub.c - see hub.h. */
#include "sync/hub_int.h"

#include <inttypes.h>
#include <malloc.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/jscan.h"
#include "sync/audit_wire.h"
#include "node/store_erase.h"
#include "common/log.h"
#include "http/http_metrics.h"
#include "http/http_route.h"
#include "sync/auth.h"
#include "sync/batch.h"

/*
 * What two nodes must agree on to exchange records: names, ids, kinds,
 * parents, types, flags, merge rules and declared values (ENUM and
 * ENUM_SET alike), in order.  Labels, help and doc are what people read,
 * not the contract: they are left out, so that rewording a form changes
 * no fingerprint (tests/sync/test_hub_fingerprint.c).
 */
static void fingerprint_coll(crypto_generichash_state *st,
			     const struct schema_collection *c)
{
	char line[256];

	snprintf(line, sizeof(line), "c %s %u %d %s;", c->name, (unsigned)c->id,
		 (int)c->kind, c->parent ? c->parent : "");
	crypto_generichash_update(st, (const uint8_t *)line, strlen(line));
	for (size_t j = 0; j < c->nfields; j++) {
		const struct schema_field *f = &c->fields[j];

		snprintf(line, sizeof(line), "f %s %u %d %u %d;", f->name,
			 (unsigned)f->id, (int)f->type, f->flags,
			 (int)f->merge);
		crypto_generichash_update(st, (const uint8_t *)line,
					  strlen(line));
		for (size_t k = 0; f->values && f->values[k]; k++)
			crypto_generichash_update(
			    st, (const uint8_t *)f->values[k],
			    strlen(f->values[k]) + 1);
	}
}

static void fingerprint_end(crypto_generichash_state *st, char out[33])
{
	uint8_t h[16];

	crypto_generichash_final(st, h, sizeof(h));
	sodium_bin2hex(out, 33, h, sizeof(h));
}

void hub_schema_fingerprint(char out[33])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, 16);
	for (size_t i = 0; i < schema_count(); i++)
		fingerprint_coll(&st, schema_at(i));
	fingerprint_end(&st, out);
}

/*
 * The released fingerprints, the one place that knows them: a hub serves
 * a node one version behind only with the declarations that version was
 * released with.  Version 1 (the landed release) has none here: it cannot
 * keep the fields a newer hub sends, so it is never served one behind.
 * A row without a fingerprint is a version this build declares itself:
 * the running declarations at that version, or those registered as the
 * version below (schema_set_previous(), the tests' next schema).  When a
 * version 3 is released, version 2's row gets its fingerprint as text.
 */
static const struct {
	int version;
	const char *fp; /* NULL: computed, see above */
} released[] = {
	{ 2, NULL },
};

int hub_schema_released(int version, char out[33])
{
	const struct schema_set *prev;
	crypto_generichash_state st;
	size_t n;

	for (size_t i = 0; i < sizeof(released) / sizeof(released[0]); i++) {
		if (released[i].version != version)
			continue;
		if (released[i].fp) {
			snprintf(out, 33, "%s", released[i].fp);
			return 1;
		}
		if (version == schema_running_version()) {
			hub_schema_fingerprint(out);
			return 1;
		}
		prev = schema_previous(&n);
		if (!prev || version != schema_running_version() - 1)
			return 0;
		crypto_generichash_init(&st, NULL, 0, 16);
		for (size_t k = 0; k < n; k++)
			for (size_t j = 0; j < prev[k].n; j++)
				fingerprint_coll(&st, &prev[k].colls[j]);
		fingerprint_end(&st, out);
		return 1;
	}
	return 0;
}

int hub_schema_compatible(int node_v, const char *node_fp, int hub_v,
			  const char *hub_fp, struct err *e)
{
	char fp[33];

	if (node_v > hub_v)
		return err_set(e, ERR_CONFLICT, "the node's schema is version "
			       "%d, the hub's %d: upgrade the hub first",
			       node_v, hub_v);
	if (node_v < hub_v && node_v < HUB_SCHEMA_KEEPS)
		return err_set(e, ERR_CONFLICT, "the node's schema is version "
			       "%d, which cannot keep the fields of the hub's "
			       "version %d: upgrade the node", node_v, hub_v);
	if (node_v < hub_v - 1)
		return err_set(e, ERR_CONFLICT, "the node's schema is version "
			       "%d, more than one behind the hub's %d: "
			       "upgrade the node", node_v, hub_v);
	if (node_v == hub_v && node_fp && hub_fp && strcmp(node_fp, hub_fp))
		return err_set(e, ERR_CONFLICT, "the node's schema differs "
			       "from the hub's at the same version %d: install "
			       "the same Presidio version", hub_v);
	if (node_v < hub_v &&
	    (!hub_schema_released(node_v, fp) ||
	     (node_fp && strcmp(node_fp, fp))))
		return err_set(e, ERR_CONFLICT, "the node's schema is not "
			       "version %d as released: install a released "
			       "Presidio version on the node", node_v);
	return 0;
}

/* A schema version from the wire: an integer 1..65535, or absent (the
 * landed release, which sent none: 1); -1 when malformed. */
static int version_of(const json_t *v)
{
	if (!v)
		return 1;
	if (!json_is_integer(v) || json_integer_value(v) < 1 ||
	    json_integer_value(v) > 65535)
		return -1;
	return (int)json_integer_value(v);
}

/* The node's schema at hello (HUB_SCHEMA_HEADER "V FP"): *version (1
 * when absent) and fp (empty when absent).  -1 when malformed. */
static int hello_schema(const struct http_request *req, int *version,
			char fp[33])
{
	const char *h = http_request_header(req, HUB_SCHEMA_HEADER);
	long v = 0;
	size_t i = 0;

	*version = 1;
	fp[0] = '\0';
	if (!h)
		return 0;
	while (h[i] >= '0' && h[i] <= '9' && v <= 65535)
		v = v * 10 + (h[i++] - '0');
	if (i == 0 || v < 1 || v > 65535 || h[i] != ' ' ||
	    strspn(h + i + 1, "0123456789abcdef") != 32 || h[i + 33] != '\0')
		return -1;
	*version = (int)v;
	memcpy(fp, h + i + 1, 33);
	return 0;
}

/* ---- the pool of store handles ---- */

static struct store *pool_get(struct hub *h)
{
	struct store *s;

	pthread_mutex_lock(&h->lock);
	while (h->npool == 0)
		pthread_cond_wait(&h->freed, &h->lock);
	s = h->pool[--h->npool];
	pthread_mutex_unlock(&h->lock);
	return s;
}

static void pool_put(struct hub *h, struct store *s)
{
	pthread_mutex_lock(&h->lock);
	h->pool[h->npool++] = s;
	pthread_cond_signal(&h->freed);
	pthread_mutex_unlock(&h->lock);
}

/* ---- helpers ---- */

void hub_store_error(struct http_response *res, int rc,
			const struct err *e)
{
	switch (rc) {
	case ERR_BUSY:
		http_response_error(res, 503, "busy", "database busy, retry");
		break;
	case ERR_INVALID:
		http_response_error(res, 400, "invalid", "%s", e->msg);
		break;
	case ERR_AUTH:
		http_response_error(res, 401, "auth", "%s", e->msg);
		break;
	case ERR_NOTFOUND:
		http_response_error(res, 404, "not_found", "%s", e->msg);
		break;
	case ERR_CONFLICT:
	case ERR_EXISTS:
		http_response_error(res, 409, "conflict", "%s", e->msg);
		break;
	default:
		http_response_error(res, 500, "internal", "%s", e->msg);
		break;
	}
}

void hub_hex_id(const struct id *id, char out[2 * ID_BYTES + 1])
{
	sodium_bin2hex(out, 2 * ID_BYTES + 1, id->b, ID_BYTES);
}

/*
 * A signed request whose time is out of the window: the hub's time comes
 * with the refusal ("hub_time", auth.h), and sign_answer() signs it over
 * the request's signature, so the node can set its clock offset from it
 * and no one can replay it to move another request's offset.
 */
static void stale_refusal(struct http_response *res, uint64_t now,
			  const char *msg)
{
	json_t *o = json_pack("{s:{s:s,s:s,s:I}}", "error", "code",
			      SYNC_STALE_CODE, "message", msg, "hub_time",
			      (json_int_t)now);

	if (!o || http_response_json(res, 409, o))
		http_response_error(res, 409, SYNC_STALE_CODE, "%s", msg);
	json_decref(o);
}

/* The answer is the refusal of a stale request (stale_refusal()). */
static int is_stale_refusal(const struct http_response *res)
{
	json_t *doc;
	const char *code;
	int is;

	if (res->status != 409 || !res->body)
		return 0;
	doc = json_loadb((const char *)res->body, res->body_len, 0, NULL);
	code = json_string_value(
	    json_object_get(json_object_get(doc, "error"), "code"));
	is = code && strcmp(code, SYNC_STALE_CODE) == 0;
	json_decref(doc);
	return is;
}

/* The one answer to an unknown node, a bad signature, and (before the
 * signature could be checked) a revoked node. */
static void answer_unauthenticated(struct http_response *res)
{
	http_response_error(res, 401, "unauthenticated",
			    "request not authenticated: this node is not "
			    "enrolled here, or its signature does not verify");
}

int hub_authenticate(struct store *s, const struct http_request *req,
		     const char *path, struct registry_peer *p,
		     struct http_response *res)
{
	struct sync_auth_req ar;
	uint64_t now = sync_now_ms();
	struct err e;
	int rc;

	err_init(&e);
	rc = sync_auth_parse(http_request_header(req, "X-Presidio-Node"),
			     http_request_header(req, "X-Presidio-Time"),
			     http_request_header(req, "X-Presidio-Nonce"),
			     http_request_header(req, "X-Presidio-Signature"),
			     &ar, &e);
	if (rc) {
		http_response_error(res, 401, "auth", "%s", e.msg);
		return rc;
	}
	/* ERR_AUTH: its row or scope fails authentication (altered
	 * outside presidio): refused like an unknown node. */
	rc = registry_peer_by_node(s, &ar.node, p, &e);
	if (rc && rc != ERR_NOTFOUND && rc != ERR_AUTH) {
		hub_store_error(res, rc, &e);
		return rc;
	}
	/* The hub's operator must learn of it; the caller learns nothing. */
	if (rc == ERR_AUTH)
		log_warn("hub.tampered", "request refused: %s (presidio verify)", e.msg);
	/* An unknown node and a bad signature get the same answer, and a
	 * revoked node is named only to itself: whoever asks learns
	 * nothing of which nodes are enrolled. */
	if (!rc)
		rc = sync_auth_verify(&ar, p->pk, req->method, path,
				      req->body, req->body_len, now, &e);
	if (rc == ERR_NOTFOUND || rc == ERR_AUTH) {
		answer_unauthenticated(res);
		return ERR_AUTH;
	}
	if (p->revoked) {
		http_response_error(res, 403, "revoked",
				    "node '%s' has been revoked", p->name);
		return ERR_AUTH;
	}
	if (rc) {
		stale_refusal(res, now, e.msg);
		return rc;
	}
	rc = registry_peer_nonce(s, p->idx, ar.nonce, (int64_t)ar.time_ms,
				 SYNC_AUTH_WINDOW_MS, &e);
	if (rc == ERR_CONFLICT) {
		http_response_error(res, 409, "replay", "request replayed");
		return rc;
	}
	if (rc) {
		hub_store_error(res, rc, &e);
		return rc;
	}
	return 0;
}

/* ---- enroll ---- */

/* An enrollment: a flat object of a few strings (its body is bounded to
 * HUB_ENROLL_MAX_BODY bytes already; nesting is refused). */
static const struct jscan_limits enroll_limits = {
	.max_values = 64, .max_depth = 1, .max_string = 1024,
	.max_number = 32,
};

static void handle_enroll(struct hub *h, struct store *s,
			  const struct http_request *req,
			  struct http_response *res)
{
	char hub_pk[2 * crypto_sign_PUBLICKEYBYTES + 1], hub_id[33], fp[33];
	uint8_t pk[crypto_sign_PUBLICKEYBYTES];
	const char *token, *node_text, *pk_text, *schema;
	struct registry_peer p;
	struct id node;
	json_t *doc, *out = NULL;
	size_t got = 0;
	struct err e;
	int rc, version;

	err_init(&e);
	doc = jscan_load((const char *)req->body, req->body_len,
			 JSON_REJECT_DUPLICATES, &enroll_limits, "enrollment",
			 NULL);
	token = json_string_value(json_object_get(doc, "token"));
	node_text = json_string_value(json_object_get(doc, "node_id"));
	pk_text = json_string_value(json_object_get(doc, "pk"));
	schema = json_string_value(json_object_get(doc, "schema"));
	version = version_of(json_object_get(doc, "schema_version"));
	if (version < 0 || !token || !node_text || !pk_text ||
	    strlen(node_text) != 2 * ID_BYTES || id_parse(&node, node_text) ||
	    strlen(pk_text) != 2 * sizeof(pk) ||
	    sodium_hex2bin(pk, sizeof(pk), pk_text, strlen(pk_text), NULL,
			   &got, NULL) ||
	    got != sizeof(pk)) {
		http_response_error(res, 400, "invalid",
				    "enrollment needs token, node_id, pk");
		goto out;
	}
	hub_schema_fingerprint(fp);
	/* The landed release sends its fingerprint and no version: it is
	 * version 1, judged as one. */
	if (!schema || hub_schema_compatible(version, schema,
					     schema_running_version(), fp,
					     &e)) {
		http_response_error(res, 409, "schema", "%s",
				    schema ? e.msg : "the node sent no schema");
		goto out;
	}
	rc = registry_peer_enroll(s, token, &node, pk, &p, &e);
	if (!rc)
		rc = registry_peer_schema(s, p.idx, version, &e);
	if (rc) {
		hub_store_error(res, rc, &e);
		goto out;
	}
	sodium_bin2hex(hub_pk, sizeof(hub_pk), h->ident.pk, sizeof(h->ident.pk));
	hub_hex_id(&h->hub_id, hub_id);
	out = json_pack("{sssssssssssi}", "hub_id", hub_id, "hub_pk", hub_pk,
			"name", p.name, "kind", p.kind, "region", p.region,
			"schema_version", schema_running_version());
	if (!out || http_response_json(res, 200, out))
		http_response_error(res, 500, "internal", "out of memory");
out:
	json_decref(out);
	json_decref(doc);
}

/* ---- hello ---- */

static void handle_hello(struct hub *h, struct store *s,
			 const struct http_request *req,
			 struct http_response *res)
{
	struct registry_peer p;
	char hub_id[33], fp[33], node_fp[33];
	uint8_t audit_hash[STORE_AUDIT_HASHBYTES];
	char audit_hex[2 * STORE_AUDIT_HASHBYTES + 1];
	uint64_t audit_ack = 0, erased = 0;
	json_t *out;
	struct err e;
	int version;

	err_init(&e);
	if (hub_authenticate(s, req, "/v1/hello", &p, res))
		return;
	hub_hex_id(&h->hub_id, hub_id);
	hub_schema_fingerprint(fp);
	/* A node of another schema is told so before anything moves; a
	 * node that sends none (the landed release) checks the fingerprint
	 * answered below itself, as it always did. */
	if (hello_schema(req, &version, node_fp)) {
		http_response_error(res, 400, "invalid", "malformed "
				    HUB_SCHEMA_HEADER " header");
		return;
	}
	if (hub_schema_compatible(version, node_fp[0] ? node_fp : NULL,
				  schema_running_version(), fp, &e)) {
		log_warn("hub.schema_refused", "node '%s': %s", p.name, e.msg);
		http_response_error(res, 409, "schema", "%s", e.msg);
		return;
	}
	if (version != p.schema_version &&
	    registry_peer_schema(s, p.idx, version, &e)) {
		hub_store_error(res, ERR_FAIL, &e);
		return;
	}
	if (hub_audit_ack(s, &p, &audit_ack, audit_hash, &e) ||
	    store_erasure_last(s, &erased, &e)) {
		hub_store_error(res, ERR_FAIL, &e);
		return;
	}
	sodium_bin2hex(audit_hex, sizeof(audit_hex), audit_hash,
		       sizeof(audit_hash));
	/* erasures: the last of the hub's erasure list, which the node
	 * fetches up to (GET /v1/erasures) before it pushes. */
	out = json_pack("{sssssIsIsIsisIsssbsIsisi}", "hub_id", hub_id, "schema",
			fp, "push_ack", (json_int_t)p.push_ack, "pull_ack",
			(json_int_t)p.pull_ack, "time",
			(json_int_t)sync_now_ms(), "schema_version",
			schema_running_version(), "audit_ack",
			(json_int_t)audit_ack, "audit_hash", audit_hex,
			"roles", 1, "erasures", (json_int_t)erased,
			"audit_format", AUDIT_WIRE_FORMAT, "batch_format",
			h->batch_format);
	if (!out || http_response_json(res, 200, out))
		http_response_error(res, 500, "internal", "out of memory");
	json_decref(out);
}


/* ---- dispatch ---- */

/* Route flags (struct http_route.flags): the answer is signed. */
#define ROUTE_SIGNED 1u

/*
 * A push's signature headers before its body is read: present and well
 * formed, an enrolled node, a time in the window.  The signature itself
 * covers the body, so it is checked once the body is in
 * (hub_authenticate()); what is refused here never gets a byte of its
 * body held.  A revoked node goes on to that check, which alone may name
 * the revocation (to the node itself, once its signature verifies): to
 * refuse it here would tell anyone who knows its id; the server's body
 * budget bounds what such requests can hold meanwhile.
 */
static void push_precheck(void *ctx, const struct http_request *req,
			  size_t *max_body, struct http_response *res)
{
	struct hub *h = ctx;
	struct sync_auth_req ar;
	struct registry_peer p;
	struct store *s;
	uint64_t now = sync_now_ms();
	struct err e;
	int rc;

	(void)max_body; /* the server's: a batch may be that large */
	err_init(&e);
	rc = sync_auth_parse(http_request_header(req, "X-Presidio-Node"),
			     http_request_header(req, "X-Presidio-Time"),
			     http_request_header(req, "X-Presidio-Nonce"),
			     http_request_header(req, "X-Presidio-Signature"),
			     &ar, &e);
	if (rc) {
		http_response_error(res, 401, "auth", "%s", e.msg);
		return;
	}
	s = pool_get(h);
	rc = registry_peer_by_node(s, &ar.node, &p, &e);
	pool_put(h, s);
	/* A row failing its MAC (altered outside presidio) is refused as an
	 * unknown node, as hub_authenticate() does: the operator learns of
	 * it, the caller, not authenticated, learns nothing. */
	if (rc == ERR_AUTH)
		log_warn("hub.tampered", "request refused: %s (presidio verify)", e.msg);
	if (rc == ERR_NOTFOUND || rc == ERR_AUTH) {
		answer_unauthenticated(res);
		return;
	}
	if (rc) {
		hub_store_error(res, rc, &e);
		return;
	}
	/* The signature is not checked yet (it covers the body): the
	 * refusal is neither signed nor carries the hub's time, which the
	 * node learns at hello (first in every round) or from the full
	 * check's signed refusal.  Signing here would sign for a request
	 * whose signature no one verified. */
	if (ar.time_ms + SYNC_AUTH_WINDOW_MS < now ||
	    ar.time_ms > now + SYNC_AUTH_WINDOW_MS)
		http_response_error(res, 409, SYNC_STALE_CODE,
				    "request time is more than %d minutes "
				    "off the hub's clock",
				    SYNC_AUTH_WINDOW_MS / 60000);
}

/*
 * Sign a 200 answer to a signed request (auth.h): the node takes the
 * answer only with this signature, bound to the request it sent.  The
 * refusal of a stale time is signed too: the node learns the hub's clock
 * from it.  It comes only after the request's signature verified.
 */
static void sign_answer(struct hub *h, const struct http_request *req,
			struct http_response *res)
{
	struct sync_auth_req ar;
	char sig[SYNC_SIG_HEX];

	if ((res->status != 200 && !is_stale_refusal(res)) ||
	    sync_auth_parse(http_request_header(req, "X-Presidio-Node"),
			    http_request_header(req, "X-Presidio-Time"),
			    http_request_header(req, "X-Presidio-Nonce"),
			    http_request_header(req, "X-Presidio-Signature"),
			    &ar, NULL))
		return;
	sync_auth_answer_sign(h->ident.sk, ar.sig, res->status, res->body,
			      res->body_len, sig);
	if (http_response_header(res, SYNC_ANSWER_HEADER, sig))
		http_response_error(res, 500, "internal",
				    "cannot sign the answer");
}

/* One of the hub's handlers with a store handle of the pool. */
typedef void (*hub_handler_fn)(struct hub *h, struct store *s,
			       const struct http_request *req,
			       struct http_response *res);

static void with_store(void *ctx, const struct http_request *req,
		       struct http_response *res, hub_handler_fn fn)
{
	struct hub *h = ctx;
	struct store *s = pool_get(h);

	fn(h, s, req, res);
	pool_put(h, s);
}

static void route_enroll(void *ctx, const struct http_request *req,
			 struct http_response *res)
{
	with_store(ctx, req, res, handle_enroll);
}

static void route_hello(void *ctx, const struct http_request *req,
			struct http_response *res)
{
	with_store(ctx, req, res, handle_hello);
}

static void route_push(void *ctx, const struct http_request *req,
		       struct http_response *res)
{
	with_store(ctx, req, res, hub_handle_push);
}

static void route_pull(void *ctx, const struct http_request *req,
		       struct http_response *res)
{
	with_store(ctx, req, res, hub_handle_pull);
}

static void route_audit(void *ctx, const struct http_request *req,
			struct http_response *res)
{
	with_store(ctx, req, res, hub_handle_audit);
}

static void route_erasures(void *ctx, const struct http_request *req,
			   struct http_response *res)
{
	with_store(ctx, req, res, hub_handle_erasures);
}

static void route_metrics(void *ctx, const struct http_request *req,
			  struct http_response *res)
{
	with_store(ctx, req, res, hub_handle_metrics);
}

/*
 * The endpoints (hub.h).  The router answers unknown paths and methods
 * at the headers, before any body is read; enroll (unsigned) may carry
 * only a small body, hello and pull none, and a push must pass
 * push_precheck().  So whoever has not enrolled cannot make the hub hold
 * request bodies.
 */
static const struct http_route hub_routes[] = {
	{ HTTP_POST, "/v1/enroll", route_enroll, NULL, HUB_ENROLL_MAX_BODY,
	  0 },
	{ HTTP_GET, "/v1/hello", route_hello, NULL, 0, ROUTE_SIGNED },
	{ HTTP_POST, "/v1/push", route_push, push_precheck, HTTP_BODY_ANY,
	  ROUTE_SIGNED },
	{ HTTP_GET, "/v1/pull", route_pull, NULL, 0, ROUTE_SIGNED },
	{ HTTP_POST, "/v1/audit", route_audit, push_precheck,
	  AUDIT_WIRE_MAX_BODY, ROUTE_SIGNED },
	{ HTTP_GET, "/v1/erasures", route_erasures, NULL, 0, ROUTE_SIGNED },
	{ HTTP_GET, "/metrics", route_metrics, NULL, 0, 0 },
};

static const struct http_router hub_router = {
	hub_routes, sizeof(hub_routes) / sizeof(hub_routes[0]),
};

/* The server's look at a request before its body (http/http.h
 * headers_fn). */
static void precheck(void *ctx, const struct http_request *req,
		     size_t *max_body, struct http_response *res)
{
	(void)http_router_headers(&hub_router, ctx, req, max_body, res);
}

/* A monotonic clock in microseconds: how long an answer took. */
static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void handle(void *ctx, const struct http_request *req,
		   struct http_response *res)
{
	struct hub *h = ctx;
	const struct http_route *rt;
	uint64_t t0 = now_us();

	rt = http_router_dispatch(&hub_router, h, req, res);
	if (rt && (rt->flags & ROUTE_SIGNED))
		sign_answer(h, req, res);
	http_metrics_observe(h->metrics, rt, req->method,
			     res->status ? res->status : 500,
			     now_us() - t0);
	/* A large batch leaves its parsed tree's memory in malloc's free
	 * lists; hand it back to the system rather than keep the peak. */
	if (req->body_len >= HUB_TRIM_AFTER)
		malloc_trim(0);
}

/* ---- life ---- */

int hub_start(struct hub **out, struct store *s, const struct hub_config *cfg,
	      struct err *e)
{
	struct hub *h = calloc(1, sizeof(*h));
	unsigned threads = cfg->http.threads ? cfg->http.threads : 4;
	unsigned cache_kib;
	struct http_config hc = cfg->http;
	int rc = 0;

	*out = NULL;
	if (!h)
		return err_set(e, ERR_NOMEM, "out of memory");
	pthread_mutex_init(&h->lock, NULL);
	pthread_cond_init(&h->freed, NULL);
	if (store_role(s) != STORE_ROLE_HUB) {
		rc = err_set(e, ERR_INVALID, "this node is not a hub (presidio "
			     "init --hub)");
		goto out;
	}
	/* Whoever opened s, the workers' clones keep the scope index: the
	 * registry's hook is on s before it is cloned (attaching twice is
	 * the same as once). */
	registry_attach(s);
	/* A hub upgraded from a build without the scope index of its log
	 * builds it once, before it serves. */
	rc = registry_scope_key_sync(s, e);
	if (rc)
		goto out;
	h->hub_id = *store_node_id(s);
	h->pull_limit = cfg->pull_limit ? cfg->pull_limit : HUB_PULL_LIMIT;
	h->batch_format = cfg->batch_format > 0 &&
					  cfg->batch_format < SYNC_BATCH_FORMAT_MAX
				  ? cfg->batch_format
				  : SYNC_BATCH_FORMAT_MAX;
	if (h->pull_limit > SYNC_BATCH_MAX_CHANGES / 2)
		h->pull_limit = SYNC_BATCH_MAX_CHANGES / 2;
	rc = sync_identity_load(s, 1, &h->ident, e);
	if (!rc)
		rc = http_metrics_new(&h->metrics, &hub_router, e);
	if (!rc && cfg->metrics_token &&
	    !(h->metrics_token = strdup(cfg->metrics_token)))
		rc = err_set(e, ERR_NOMEM, "out of memory");
	if (rc)
		goto out;
	h->metrics_fn = cfg->metrics_fn;
	h->metrics_ctx = cfg->metrics_ctx;
	h->cap = threads;
	h->pool = calloc(h->cap, sizeof(*h->pool));
	h->all = calloc(h->cap, sizeof(*h->all));
	if (!h->pool || !h->all) {
		rc = err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	cache_kib = HUB_CACHE_KIB / threads < 256 ? 256
						   : HUB_CACHE_KIB / threads;
	for (size_t i = 0; i < h->cap; i++) {
		rc = store_clone(s, &h->all[i], e);
		if (rc)
			goto out;
		/* One node's page cache shared among the workers: with
		 * every worker busy (many nodes at once) the hub's memory
		 * stays what one pull takes. */
		rc = store_set_cache_kib(h->all[i], cache_kib, e);
		if (rc) {
			store_close(h->all[i]);
			h->all[i] = NULL;
			goto out;
		}
		h->nall++;
		h->pool[h->npool++] = h->all[i];
	}
	hc.headers_fn = precheck;
	hc.headers_ctx = h;
	rc = http_server_start(&h->http, &hc, handle, h, e);
out:
	if (rc) {
		hub_stop(h);
		return rc;
	}
	*out = h;
	return 0;
}

uint16_t hub_port(const struct hub *h)
{
	return http_server_port(h->http);
}

void hub_http_stats(struct hub *h, struct http_stats *out)
{
	http_server_stats(h->http, out);
}

void hub_stop(struct hub *h)
{
	if (!h)
		return;
	http_server_stop(h->http);
	for (size_t i = 0; i < h->nall; i++)
		store_close(h->all[i]);
	free(h->all);
	free(h->pool);
	http_metrics_free(h->metrics);
	if (h->metrics_token) {
		sodium_memzero(h->metrics_token, strlen(h->metrics_token));
		free(h->metrics_token);
	}
	sync_identity_release(&h->ident);
	pthread_cond_destroy(&h->freed);
	pthread_mutex_destroy(&h->lock);
	free(h);
}
