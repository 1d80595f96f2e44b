/*
 * sync_int.h - internals shared by the node's sync files (not an API):
 *   sync.c       enroll, the connection, push, the round
 *   sync_pull.c  pull: fetching and applying overlap
 */
#ifndef PRESIDIO_SYNC_SYNC_INT_H
#define PRESIDIO_SYNC_SYNC_INT_H

#include <jansson.h>
#include <pthread.h>

#include "sync/auth.h"
#include "sync/client.h"
#include "sync/sync.h"

/* One round's connection to the hub. */
struct conn {
	struct store *s;             /* used by the applying thread only */
	struct sync_identity ident;  /* this node's key (read-only) */
	struct store_remote remote;  /* the hub (read-only) */
	struct client *c;            /* used by one thread at a time */
	uint8_t req_sig[crypto_sign_BYTES]; /* of the last request sent:
					     * its answer must be signed
					     * over it (auth.h); by the
					     * thread using c */
	struct sync_stats *st;       /* under lock */
	pthread_mutex_t lock;
};

/* A signed request, asked again with a fresh signature when the hub saw
 * its nonce (libcurl re-sends on a dead kept-alive connection).  A 200
 * answer not signed by the hub for this request is ERR_AUTH. */
int sync_request(struct conn *k, const char *method, const char *path,
		 const uint8_t *body, size_t len, struct client_response *r,
		 struct err *e);

/* A non-2xx answer as an ERR_* with the hub's message. */
int sync_hub_refused(const struct client_response *r, const char *what,
		     struct err *e);

/* Add an answer's bytes to the statistics. */
void sync_count(struct conn *k, const struct client_response *r);

/* A non-negative integer member; -1 when missing or not one. */
int sync_json_u64(const json_t *o, const char *key, uint64_t *v);

/* Pull until the hub has nothing more (sync_pull.c). */
int sync_pull_all(struct conn *k, size_t limit, const struct sync_options *o,
		  struct err *e);

#endif
