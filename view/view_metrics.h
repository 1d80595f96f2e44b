/*
 * view_metrics.h - the store's figures for /metrics (Prometheus text,
 * common/prom.h): on every node and hub, the records with open conflicts
 * and the changes refused; on a node, the changes the hub has not
 * acknowledged, the age of the last good sync round and what the rounds
 * did (sync/sync_metrics.h); on a hub, per node, the age of its last
 * contact and its changes refused whole.
 *
 * Layer: a view (commands and web interface -> views -> sync -> store);
 * reads only, needs no unlocking.  Nodes are named by their names, never
 * a person's data: counts, seconds, node names.
 */
#ifndef PRESIDIO_VIEW_VIEW_METRICS_H
#define PRESIDIO_VIEW_VIEW_METRICS_H

#include <stdint.h>

#include "common/buf.h"
#include "common/err.h"
#include "node/store.h"

/* Append s's figures at unix time now_ms to b.  The store's errors, or
 * the buf's. */
int view_metrics_write(struct store *s, struct buf *b, int64_t now_ms,
		       struct err *e) ERR_MUST_USE;

#endif
