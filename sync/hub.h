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
 *   POST /v1/enroll   {"token","node_id","pk","name","schema",
 *                     "schema_version"} -> the hub's id and public key,
 *                     the node's name, kind and region, "schema_version".
 *                     The only unsigned request: the one-time token is
 *                     the credential.
 *   GET  /v1/hello    (header HUB_SCHEMA_HEADER) -> {"hub_id","schema",
 *                     "schema_version","push_ack","pull_ack","time"}:
 *                     where to resume, and the schema check
 *                     (hub_schema_compatible(): a node of the hub's
 *                     version or the one below; a version absent is 1).
 *   POST /v1/push     body: a batch (sync/batch.h) of the node's own
 *                     changes signed by it -> {"ack","applied","known",
 *                     "refused":[{"oseq","record","reason"}],
 *                     "rejected":[{"oseq","reason"}]}
 *   GET  /v1/pull?after=N&limit=M&ack=K -> a batch signed by the hub of
 *                     the changes in the node's scope after N, with meta
 *                     {"cursor","more","purge":[[index,id]...]}, and
 *                     "schema_version" for a node one version behind
 *                     (from version 2: batch.h); K is the cursor the
 *                     node has committed (K <= N).
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

#include "common/buf.h"
#include "common/err.h"
#include "node/store.h"
#include "http/http.h"
#include "registry/registry.h"

#define HUB_PULL_LIMIT 2000 /* changes per pull batch, by default */
#define HUB_CACHE_KIB 8192  /* page cache of all workers together */
#define HUB_ENROLL_MAX_BODY 4096 /* enroll is unsigned: a small body only */
#define HUB_TRIM_AFTER (1u << 20) /* body bytes after which memory is
				     handed back to the system */

/*
 * /metrics' figures from above the hub (the store's, which a view
 * computes and sync may not include): appended to b.  0, or an ERR_*.
 */
typedef int (*hub_metrics_fn)(void *ctx, struct store *s, struct buf *b,
			      struct err *e);

struct hub_config {
	struct http_config http; /* address, port, TLS, threads, limits */
	size_t pull_limit;       /* 0 = HUB_PULL_LIMIT */
	int batch_format;        /* the newest batch format offered and
				    taken (sync/batch.h); 0 = the newest
				    this build has.  1 speaks as a hub of
				    the previous build (tests of the
				    upgrade) */
	/* GET /metrics (Prometheus text): to clients on loopback, and to
	 * others sending "Authorization: Bearer " this token (NULL: none;
	 * copied).  The HTTP layer's figures, the hub's (batches and
	 * changes applied and sent, refused), then metrics_fn's. */
	const char *metrics_token;
	hub_metrics_fn metrics_fn; /* NULL: none */
	void *metrics_ctx;
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

/*
 * The node's schema version and fingerprint at hello, in a header the
 * request's signature does not cover ("V FINGERPRINT"; enroll carries
 * them in its body): a proxy that alters it can only get the node refused
 * or a wrong version recorded, never data sent or taken.  A node that
 * sends none is version 1 (the landed release).
 */
#define HUB_SCHEMA_HEADER "X-Presidio-Schema"

/* The first schema version that keeps the fields and values it does not
 * declare (sync/README.md "Schema versions"): a node below it is never
 * served by a newer hub. */
#define HUB_SCHEMA_KEEPS 2

/*
 * The fingerprint of schema version `version` as released, into out: 1,
 * or 0 when this build knows of no such release (sync/hub.c keeps the
 * table).
 */
int hub_schema_released(int version, char out[33]);

/*
 * Whether a node running schema version node_v (fingerprint node_fp,
 * NULL when it sent none) and a hub running hub_v (hub_fp, NULL likewise)
 * may sync: the same version with the same declarations, or the node one
 * version behind, at least HUB_SCHEMA_KEEPS (it keeps and relays what it
 * does not know), with that version's released fingerprint
 * (hub_schema_released()).  0, or ERR_CONFLICT with what to upgrade in
 * e: a node newer than its hub, below HUB_SCHEMA_KEEPS or more than one
 * version behind ("upgrade the node"), of the version behind but not as
 * released, or of the same version with other declarations.  Both sides
 * ask it: the hub at enroll and hello, the node on the hub's answer.
 */
int hub_schema_compatible(int node_v, const char *node_fp, int hub_v,
			  const char *hub_fp, struct err *e) ERR_MUST_USE;

#endif
