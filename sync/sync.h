/*
 * sync.h - a node's side of sync: enrolling with the hub, and one round of
 * push then pull over HTTPS (sync/client.h), resumable at any byte.
 *
 * Push sends this node's own change-log entries after the "sync.push"
 * checkpoint (or after what the hub has, GET /v1/hello's push_ack, when
 * less), in signed, compressed batches; each answer's ack moves the
 * checkpoint, and changes the hub refused are recorded here
 * (store_reject_own()) so that status shows them.  The checkpoint moves
 * only with an answer received: changes the hub has whose answer was
 * lost are sent again, and the hub answers them as before.  Pull asks
 * for the changes of the node's scope after the "sync.pull" checkpoint;
 * a batch, signed by the hub, is applied in one transaction together
 * with the checkpoint and the purges it carries.
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
#include "node/store_sync.h"

#define SYNC_CK_PUSH "sync.push"
#define SYNC_CK_PULL STORE_CK_SEEN /* "sync.pull": own changes note it */
#define SYNC_CK_LAST_OK "sync.last_ok" /* unix ms of the last good round */
/* The hub's clock minus this node's, in ms, as last learned (auth.h): an
 * int64 kept in two's complement.  Only request times use it. */
#define SYNC_CK_CLOCK "sync.clock_offset"
#define SYNC_CLOCK_NOTE_MS (60 * 1000) /* an offset worth telling */
/* Changes per page the link carried lately (see sync_round()). */
/* Changes of a collection this build does not declare, passed over in a
 * pull (sync/README.md "Schema versions"): the lowest hub cursor after
 * which a page held some, and the highest schema version of those pages
 * (0: none pending).  A build of that version or newer pulls again from
 * that cursor at its next round, so that it gets them. */
#define SYNC_CK_PASSED "sync.passed"
#define SYNC_CK_PASSED_SCHEMA "sync.passed_schema"
#define SYNC_CK_PUSH_PAGE "sync.push_page"
#define SYNC_CK_PULL_PAGE "sync.pull_page"
#define SYNC_CK_AUDIT_PAGE "sync.audit_page" /* audit entries a page */
#define SYNC_CK_AUDIT_ACKED "sync.audit_acked" /* the hub holds them to */
#define SYNC_CK_ERASED "sync.erased" /* the hub's erasure list applied to */
#define SYNC_PUSH_LIMIT 1000
#define SYNC_PULL_LIMIT 1000

struct sync_stats {
	uint64_t pushed, pulled;     /* changes sent (new to the hub),
					changes received */
	uint64_t refused, rejected;  /* refused whole, fields refused */
	uint64_t purged;             /* records purged (left the scope) */
	uint64_t erased;             /* persons erased (the hub's list) */
	uint64_t batches_up, batches_down;
	uint64_t bytes_up, bytes_down; /* HTTP, as curl counts them */
	uint64_t retries;
	uint64_t started_ms;
	int rebootstrapped; /* the hub had this node start over */
	int clock_known;    /* clock_offset_ms holds something learned */
	int clock_corrected; /* the hub refused this node's time this round
			      * and the node went on with the hub's */
	int64_t clock_offset_ms; /* the hub's clock minus this node's */
};

/* Called after every batch; phase is "push" or "pull". */
typedef void (*sync_progress_fn)(void *ctx, const char *phase,
				 const struct sync_stats *st);

struct sync_options {
	size_t push_limit, pull_limit; /* changes per batch at most; 0 =
					  defaults (pages are sized by the
					  link under this) */
	int allow_plain;      /* http:// to a loopback hub (tests, proxies) */
	unsigned retries;     /* per request (sync_options_init: 5) */
	unsigned backoff_ms;  /* first retry delay bound (500); 0 = the
				 client's default */
	long low_speed_time_s; /* 0 = 30 */
	int batch_format;     /* the newest batch format to use
				 (sync/batch.h), when the hub offers it;
				 0 = the newest this build has.  1 speaks
				 as a node of the previous build (tests of
				 the upgrade) */
	int audit_format;     /* the same for audit pages (audit_wire.h):
				 0 = the newest; 3 speaks as the previous
				 build */
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
 *
 * Pages (batches up and down) are sized by what the link delivers: a
 * page that a whole new connection could not carry is asked again at
 * the size the cut suggests (at most half), and each full page that
 * passes lets the next grow by half, up to the limit of the options.
 * The sizes reached are kept (SYNC_CK_*_PAGE), even when the round
 * fails, so the next round on a bad link does not start at full size;
 * an explicit limit in the options caps them for its round and is not
 * kept.
 *
 * Changes of a collection this build does not declare (from a hub one
 * schema version ahead) are passed over and noted (SYNC_CK_PASSED); the
 * first round of a build that declares them pulls again from the cursor
 * noted, so that it gets them (sync/README.md "Schema versions").
 */
int sync_round(struct store *s, const struct sync_options *o,
	       struct sync_stats *st, struct err *e) ERR_MUST_USE;

/*
 * The offset between the hub's clock and this node's last learned (a
 * signed time from the hub, auth.h): ERR_NOTFOUND when never learned.
 */
int sync_clock_offset(struct store *s, int64_t *offset_ms,
		      struct err *e) ERR_MUST_USE;

/*
 * For the operator: "the clock of this computer is 2 h 03 min behind the
 * Helpdesk's" (ahead, or "in step with" within SYNC_CLOCK_NOTE_MS).
 */
void sync_clock_describe(int64_t offset_ms, char *out, size_t n);

/* Changes made here that the hub has not acknowledged yet. */
int sync_pending(struct store *s, uint64_t *n, struct err *e) ERR_MUST_USE;

#endif
