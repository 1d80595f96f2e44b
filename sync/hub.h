/*
 * hub.h - the Helpdesk hub's side of sync: the HTTP handlers that enroll
 * nodes and take their pushes and pulls: a route table (http/http_route.h)
 * on the reusable server of http/http.h.
 *
 * The hub is a node in the hub role: same store, same merge.  Each worker
 * thread borrows one of a pool of store handles (store_clone()), so
 * requests of different nodes run at once and SQLite serialises only the
 * writes.  Endpoints (JSON errors {"error":{"code","message"}} on 4xx/5xx):
 *
 *   POST /v1/enroll   {"token","node_id","pk","name"} -> the hub's id and
 *                     public key, the node's name, kind and region.  The
 *                     only unsigned request: the one-time token is the
 *                     credential.
 *   GET  /v1/hello    -> {"hub_id","schema","push_ack","pull_ack","time"}:
 *                     where to resume, and the schema check.
 *   POST /v1/push     body: a batch (sync/batch.h) of the node's own
 *                     changes signed by it -> {"ack","applied","known",
 *                     "refused":[{"oseq","record","reason"}],
 *                     "rejected":[{"oseq","reason"}]}
 *   GET  /v1/pull?after=N&limit=M&ack=K -> a batch signed by the hub of
 *                     the changes in the node's scope after N, with meta
 *                     {"cursor","more","purge":[[index,id]...]}; K is
 *                     the cursor the node has committed (K <= N).
 *
 * Before any body is read, the hub looks at the headers (http/http.h
 * headers_fn, through the router): an unknown endpoint or method is
 * answered at once (404; 405 with Allow); enroll
 * may carry HUB_ENROLL_MAX_BODY bytes, hello and pull no body; a push
 * must carry well-formed signature headers of an enrolled node with a
 * time in the window (401, 409), or its body is never read.  The signature, which covers the body, is checked once it is in.
 *
 * Every request but enroll is signed by the node (sync/auth.h).  Status
 * codes: 400 malformed, 401 unknown node or bad signature, 403 revoked,
 * 404/405 unknown endpoint or method, 409 replayed or stale request,
 * schema mismatch, node over its record cap; 413 body too large (the
 * server); 503 database busy.
 */
#ifndef PRESIDIO_SYNC_HUB_H
#define PRESIDIO_SYNC_HUB_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "node/store.h"
#include "http/http.h"
#include "registry/registry.h"

#define HUB_PULL_LIMIT 2000 /* changes per pull batch, by default */
#define HUB_ENROLL_MAX_BODY 4096 /* enroll is unsigned: a small body only */
#define HUB_TRIM_AFTER (1u << 20) /* body bytes after which memory is
				     handed back to the system */

struct hub_config {
	struct http_config http; /* address, port, TLS, threads, limits */
	size_t pull_limit;       /* 0 = HUB_PULL_LIMIT */
};

struct hub;

/*
 * Serve the hub whose store s is open and unlocked (role hub).  s stays
 * the caller's; the hub clones its own handles.  Creates the hub's
 * signing key on first start.  Stop with hub_stop().
 */
int hub_start(struct hub **out, struct store *s, const struct hub_config *cfg,
	      struct err *e) ERR_MUST_USE;
uint16_t hub_port(const struct hub *h);
/* The HTTP server's figures (http/http.h): bodies held, deadlines. */
void hub_http_stats(struct hub *h, struct http_stats *out);
void hub_stop(struct hub *h); /* accepts NULL */

/* The schema fingerprint both sides compare (hex text of 16 bytes). */
void hub_schema_fingerprint(char out[33]);

#endif
