/*
 * sync.h - a node's side of sync: enrolling with the hub, and one round of
 * push then pull over HTTPS (sync/client.h), resumable at any byte.
 *
 * Push sends this node's own change-log entries after the sequence the
 * hub acknowledged (GET /v1/hello says which), in signed, compressed
 * batches; each answer's ack moves the "sync.push" checkpoint, and
 * changes the hub refused are recorded here (store_reject_own()) so that
 * status shows them.  Pull asks for the changes of the node's scope after
 * the "sync.pull" checkpoint; a batch, signed by the hub, is applied in
 * one transaction together with the checkpoint and the purges it carries.
 * A connection cut anywhere costs at most the batch in flight: it is sent
 * or fetched again, and what arrives twice is recognised (store_apply()
 * deduplicates on origin and sequence).
 */
#ifndef PRESIDIO_SYNC_SYNC_H
#define PRESIDIO_SYNC_SYNC_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "node/store.h"

#define SYNC_CK_PUSH "sync.push"
#define SYNC_CK_PULL "sync.pull"
#define SYNC_CK_LAST_OK "sync.last_ok" /* unix ms of the last good round */
#define SYNC_PUSH_LIMIT 1000
#define SYNC_PULL_LIMIT 1000

struct sync_stats {
	uint64_t pushed, pulled;     /* changes sent, changes received */
	uint64_t refused, rejected;  /* refused whole, fields refused */
	uint64_t purged;             /* records purged (left the scope) */
	uint64_t batches_up, batches_down;
	uint64_t bytes_up, bytes_down; /* HTTP, as curl counts them */
	uint64_t retries;
	uint64_t started_ms;
	int rebootstrapped; /* the hub had this node start over */
};

/* Called after every batch; phase is "push" or "pull". */
typedef void (*sync_progress_fn)(void *ctx, const char *phase,
				 const struct sync_stats *st);

struct sync_options {
	size_t push_limit, pull_limit; /* changes per batch; 0 = defaults */
	int allow_plain;      /* http:// to a loopback hub (tests, proxies) */
	unsigned retries;     /* per request (sync_options_init: 5) */
	unsigned backoff_ms;  /* first retry delay bound (500); 0 = the
				 client's default */
	long low_speed_time_s; /* 0 = 30 */
	sync_progress_fn progress;
	void *progress_ctx;
};

void sync_options_init(struct sync_options *o);

/*
 * Enroll this node (unlocked store) with the hub at url using a one-time
 * token: makes the node's signing key if it has none, registers its
 * public key, and keeps the hub's identity and how to trust it (ca_file
 * or pin; either may be NULL, meaning the system store).
 * ERR_AUTH (bad token), ERR_CONFLICT (schema differs), ERR_IO.
 */
int sync_enroll(struct store *s, const char *url, const char *token,
		const char *ca_file, const char *pin,
		const struct sync_options *o, struct err *e) ERR_MUST_USE;

/*
 * One round: push everything pending, then pull until the hub has no
 * more.  0 when both completed (st->refused may still be non-zero: a
 * partial success the caller reports); ERR_IO when the hub could not be
 * reached or stayed unreachable through the retries; ERR_AUTH when it
 * refused this node; ERR_CONFLICT for a schema or clock problem.
 */
int sync_round(struct store *s, const struct sync_options *o,
	       struct sync_stats *st, struct err *e) ERR_MUST_USE;

/* Changes made here that the hub has not acknowledged yet. */
int sync_pending(struct store *s, uint64_t *n, struct err *e) ERR_MUST_USE;

#endif
