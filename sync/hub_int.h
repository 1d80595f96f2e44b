/*
 * hub_int.h - internals shared by the hub's source files (not an API):
 *   hub.c       the server, the pool of store handles, enroll and hello,
 *               authentication of signed requests
 *   hub_push.c  POST /v1/push
 *   hub_pull.c  GET /v1/pull
 *   hub_metrics.c  GET /metrics
 */
#ifndef PRESIDIO_SYNC_HUB_INT_H
#define PRESIDIO_SYNC_HUB_INT_H

#include <pthread.h>
#include <stdint.h>

#include "sync/auth.h"
#include "sync/hub.h"

/* What the hub did since it started, for /metrics (atomic: every pool
 * thread adds to them). */
struct hub_counters {
	_Atomic uint64_t pushes;          /* batches applied */
	_Atomic uint64_t applied;         /* changes applied from them */
	_Atomic uint64_t known;           /* changes it had already */
	_Atomic uint64_t merged_on;       /* applied changes merged on what
					     an earlier change of their
					     record left in the batch */
	_Atomic uint64_t refused;         /* changes refused whole */
	_Atomic uint64_t rejected;        /* fields refused by the merge */
	_Atomic uint64_t pulls;           /* batches sent */
	_Atomic uint64_t sent;            /* changes sent in them */
	_Atomic uint64_t pushes_rows;     /* batches applied in format 1 */
	_Atomic uint64_t pulls_rows;      /* batches sent in format 1 */
	_Atomic uint64_t push_redone;     /* batches applied again with a
					     savepoint a change (hub_push.c) */
};

struct hub {
	struct http_server *http;
	struct http_metrics *metrics;     /* requests by endpoint */
	struct hub_counters count;
	char *metrics_token;              /* copied; wiped at stop */
	hub_metrics_fn metrics_fn;
	void *metrics_ctx;
	struct sync_identity ident; /* the hub's signing key */
	struct id hub_id;
	size_t pull_limit;
	int batch_format; /* hub_config's, resolved */
	pthread_mutex_t lock;
	pthread_cond_t freed;
	struct store **pool; /* handles not in use */
	size_t npool, cap;
	struct store **all; /* every handle, to close */
	size_t nall;
};

/* Answer with the HTTP status that fits store error rc. */
void hub_store_error(struct http_response *res, int rc, const struct err *e);

void hub_hex_id(const struct id *id, char out[2 * ID_BYTES + 1]);

/*
 * Authenticate a signed request for path (with its query, as signed):
 * the peer (filled in *p) must be enrolled and not revoked, the
 * signature good, the time in the window and the nonce new.  On failure
 * the response is set and non-zero returned.
 */
int hub_authenticate(struct store *s, const struct http_request *req,
		     const char *path, struct registry_peer *p,
		     struct http_response *res);

void hub_handle_metrics(struct hub *h, struct store *s,
			const struct http_request *req,
			struct http_response *res);
void hub_handle_push(struct hub *h, struct store *s,
		     const struct http_request *req, struct http_response *res);
void hub_handle_pull(struct hub *h, struct store *s,
		     const struct http_request *req, struct http_response *res);
/* POST /v1/audit (hub_audit.c), and the last audit entry held of p's
 * node for hello. */
void hub_handle_audit(struct hub *h, struct store *s,
		      const struct http_request *req,
		      struct http_response *res);
/* GET /v1/erasures (hub_erase.c). */
void hub_handle_erasures(struct hub *h, struct store *s,
			 const struct http_request *req,
			 struct http_response *res);
struct registry_peer;
int hub_audit_ack(struct store *s, const struct registry_peer *p,
		  uint64_t *ack, uint8_t *hash, struct err *e);

#endif
