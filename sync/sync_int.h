/*
 * sync_int.h - internals shared by the node's sync files (not an API):
 *   sync.c       enroll, the connection, the round
 *   sync_push.c  push
 *   sync_pull.c  pull: fetching and applying overlap
 *   sync_pace.c  page sizing
 *   sync_clock.c the hub's clock as this node knows it
 */
#ifndef PRESIDIO_SYNC_SYNC_INT_H
#define PRESIDIO_SYNC_SYNC_INT_H

#include <jansson.h>
#include <pthread.h>

#include "sync/auth.h"
#include "sync/client.h"
#include "sync/sync.h"

/* Page sizing for one direction (sync.c): used by the thread that holds
 * the connection. */
struct sync_pace {
	const char *ck;     /* its checkpoint */
	size_t limit;       /* changes per page now */
	size_t max;         /* at most: the options' limit */
	uint64_t saved;     /* the checkpoint as read (0: none) */
	size_t passed;      /* the last full page that crossed (0: none) */
	int down;           /* the page is in the response (pull), else in
			       the request (push) */
	int cut;            /* the last request was stopped by a cut */
	struct client_cut at; /* that cut */
};

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
	uint64_t sent_ms;            /* this node's clock when it was
				      * signed (uncorrected); same thread */
	int64_t offset_ms;           /* hub's clock minus ours; under lock */
	int offset_learned;          /* learned this round; under lock */
	int offset_loaded;           /* loaded_ms was kept from before */
	int64_t loaded_ms;           /* the offset the round started with */
	struct sync_stats *st;       /* under lock */
	pthread_mutex_t lock;
	struct sync_pace push_pace, pull_pace;
	struct sync_pace *pacing;    /* of the request in flight, or NULL:
					by the thread using c */
	int hub_roles;               /* hello said the hub takes the
					operators' roles in a push's meta */
	int batch_format;            /* batches up and down: the newest
					both sides speak (sync/batch.h) */
	int restored;                /* restored from a backup: the first
					pull asks for its own changes back
					(node/store_backup.h) */
};

/* The request of `asked` changes (body: its length, for pushes) was
 * stopped by a cut: p->limit becomes the share of it that crossed, at
 * most half.  1, or 0 when it cannot shrink (no cut, a page of one). */
int sync_pace_shrink(struct conn *k, struct sync_pace *p, size_t asked,
		     size_t body);

/* A full page of `asked` changes passed: the next may be larger. */
void sync_pace_grow(struct sync_pace *p, size_t asked);

/* Start at what the link carried last time (checkpoint ck), under the
 * options' limit (asked: an explicit one, 0 for the default def); down:
 * the page is in the response. */
void sync_pace_init(struct store *s, struct sync_pace *p, const char *ck,
		    size_t asked, size_t def, int down);

/* Keep the size reached for the next round (when it changed). */
int sync_pace_save(struct store *s, const struct sync_pace *p,
		   struct err *e);

/* The offset this node knew before the round, into k (none: 0). */
void sync_clock_load(struct conn *k);

/* Keep what the round learned of the hub's clock; rc is the round's:
 * returned, unless it is 0 and keeping failed. */
int sync_clock_save(struct conn *k, int rc, struct err *e);

/* A signed request, asked again with a fresh signature when the hub saw
 * its nonce (libcurl re-sends on a dead kept-alive connection), and once
 * with a corrected time when the hub refused its time with its own,
 * signed for this request (auth.h).  A 200 answer not signed by the hub
 * for this request is ERR_AUTH. */
int sync_request(struct conn *k, const char *method, const char *path,
		 const uint8_t *body, size_t len, struct client_response *r,
		 struct err *e);

/* A non-2xx answer as an ERR_* with the hub's message. */
int sync_hub_refused(const struct client_response *r, const char *what,
		     struct err *e);

/* 1 when the answer's JSON error body carries code ("error"."code"). */
int sync_error_code_is(const struct client_response *r, const char *code);

/* Add an answer's bytes to the statistics. */
void sync_count(struct conn *k, const struct client_response *r);

/* An answer's JSON body, parsed within bounds (sync.c); NULL when not
 * JSON or over them. */
json_t *sync_json_load(const uint8_t *body, size_t len);

/* The same bounds checked on text (len bytes) without parsing it, for a
 * reader that parses its parts one at a time: 0, or ERR_INVALID with e
 * set. */
int sync_json_check(const char *text, size_t len, struct err *e);

/* A request whose answer must be 200 with a JSON object: *doc (caller
 * decrefs).  what names it in errors.  0, or the refusal's ERR_*. */
int sync_get_json(struct conn *k, const char *method, const char *path,
		  const uint8_t *body, size_t len, const char *what,
		  json_t **doc, struct err *e) ERR_MUST_USE;

/* Send this node's audit entries the hub does not hold yet (hello's
 * audit_ack; a hub that names none takes none), a page at a time, in the
 * newest format both sides have, at most format (0: no bound)
 * (sync_audit.c, sync/audit_wire.h). */
int sync_audit_push(struct conn *k, const json_t *hello, int format,
		    struct err *e);

/* Apply the hub's erasures this node has not (hello's "erasures"; a hub
 * that names none has none), before anything is pushed (sync_erase.c). */
int sync_erase_pull(struct conn *k, const json_t *hello, struct err *e);

/* A non-negative integer member; -1 when missing or not one. */
int sync_json_u64(const json_t *o, const char *key, uint64_t *v);

/*
 * One pull page as it came (body, len bytes: a batch signed with hub_pk
 * whose meta holds cursor, more, purge, rebootstrap), for the request
 * after the cursor after: verified, decoded and checked, nothing applied.
 * ERR_AUTH, ERR_INVALID (the message says what), ERR_FAIL (the cursor did
 * not move), ERR_NOMEM.  Free *out with sync_pull_page_free().  A
 * function of its own so that it can be fuzzed (tests/fuzz/fuzz_pull.c).
 */
struct fetched;
int sync_pull_decode(const uint8_t *body, size_t len, const uint8_t *hub_pk,
		     uint64_t after, struct fetched **out,
		     struct err *e) ERR_MUST_USE;
size_t sync_pull_page_count(const struct fetched *f); /* changes in it */
void sync_pull_page_free(struct fetched *f);          /* NULL ok */

/* Push this node's changes from where the hub has them (push_ack, hello's
 * answer, or the push checkpoint when that is less: sync_push.c). */
int sync_push_all(struct conn *k, uint64_t push_ack,
		  const struct sync_options *o, struct err *e) ERR_MUST_USE;

/* Purges held back for changes the hub did not have, done now that the
 * push checkpoint covers them. */
int sync_push_evict_held_back(struct conn *k, struct err *e) ERR_MUST_USE;

/* Pull until the hub has nothing more (sync_pull.c), in pages sized by
 * k->pull_pace; first from the cursor where an older build passed changes
 * over, when this build declares them (SYNC_CK_PASSED, sync.h). */
int sync_pull_all(struct conn *k, const struct sync_options *o,
		  struct err *e);

#endif
