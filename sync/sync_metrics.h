/*
 * sync_metrics.h - what a node's sync rounds did, kept in its store so
 * that /metrics of the node's web interface can tell it: the rounds that
 * ended well and badly, the changes pushed and pulled, the batches, the
 * changes refused, and how long rounds took (a histogram).
 *
 * Rounds run in another process than the web interface (the service
 * presidio-sync runs `sync --watch`), so the figures are checkpoints of
 * the store (authenticated like every checkpoint), added to after every
 * round by whoever ran it, and counters that survive restarts.  Only
 * counts and seconds: nothing personal.
 */
#ifndef PRESIDIO_SYNC_METRICS_H
#define PRESIDIO_SYNC_METRICS_H

#include <stdint.h>

#include "common/err.h"
#include "node/store.h"
#include "sync/sync.h"

/* The histogram's upper bounds, seconds. */
#define SYNC_METRICS_BOUNDS { 1, 5, 15, 60, 300, 1800 }
#define SYNC_METRICS_NBOUNDS 6

struct sync_metrics {
	uint64_t rounds_ok, rounds_failed;
	uint64_t pushed, pulled;     /* changes */
	uint64_t batches;            /* up and down */
	uint64_t refused;            /* changes refused whole or in part */
	uint64_t buckets[SYNC_METRICS_NBOUNDS]; /* rounds within bounds[i]
						   and above bounds[i - 1] */
	uint64_t over;               /* rounds above the last bound */
	uint64_t sum_ms;             /* time of every round */
};

/* Add one round (ok or not, st as the round left it, ended at now_ms)
 * to s's figures, in one transaction.  Needs s unlocked (checkpoints are
 * authenticated).  The store's errors; a caller may ignore them (the
 * round's outcome does not depend on its figures). */
int sync_metrics_note(struct store *s, const struct sync_stats *st, int ok,
		      uint64_t now_ms, struct err *e);

/* Read s's figures (zeros before the first round). */
int sync_metrics_read(struct store *s, struct sync_metrics *out,
		      struct err *e) ERR_MUST_USE;

#endif
