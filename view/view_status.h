/*
 * view_status.h - what a node is and holds, for `presidio status` and the
 * web interface's home page: name, id, role, operators, records per
 * collection, change log, open conflicts and refused changes, clock, key
 * generation, schema version, and its sync with the hub (enrolled where,
 * last good round, changes not yet sent, the hub's clock).  Read from
 * metadata only: the store need not be unlocked.
 *
 * Layer: above sync (sync state: pending changes, clock offset, last
 * round) and the store (commands and web UI -> views -> sync -> store);
 * reads only, prints nothing.  Holds no personal data: counts, names of
 * the node and of its hub, times.
 */
#ifndef PRESIDIO_VIEW_VIEW_STATUS_H
#define PRESIDIO_VIEW_VIEW_STATUS_H

#include <jansson.h>
#include <stdint.h>

#include "common/err.h"
#include "node/store.h"
#include "node/store_sync.h"

/* A node's status; lives on the caller's stack, owns nothing. */
struct view_status {
	struct store_status st;   /* the store's figures */
	int enrolled;             /* remote holds the hub */
	struct store_remote remote;
	uint64_t pending;         /* own changes the hub has not
				     acknowledged */
	uint64_t last_ok;         /* unix ms of the last good round, 0 never */
	char last[32];            /* the same as UTC ISO 8601, or "never" */
	int clock_known;          /* the hub's clock was learned by a sync */
	int64_t clock_offset_ms;  /* the hub's minus this computer's */
	char clock[128];          /* sync_clock_describe() */
	int stale;                /* enrolled, and no good round in the
				     last VIEW_SYNC_STALE_S (or ever) */
};

/* A node enrolled that has not completed a round with the hub for this
 * long is told so on its home page. */
#define VIEW_SYNC_STALE_S (24 * 3600)

/* Fill *out from s (open; unlocking not needed).  The store's errors. */
int view_status_load(struct store *s, struct view_status *out,
		     struct err *e) ERR_MUST_USE;

/* "hub" or "node". */
const char *view_status_role_name(enum store_role r);

/* Live and deleted counts of coll (0 when it has none). */
void view_status_counts(const struct view_status *v,
			const struct schema_collection *coll, uint64_t *live,
			uint64_t *deleted);

/*
 * {"name","id","role","operators","records","deleted","collections":
 * {NAME: {"live","deleted"}},"changes","last_seq","conflicted",
 * "rejected","clock","hlc","key_generation","rotating","schema_version"
 * (the declarations' version, schema.h),"database_version" (the store's
 * last migration), "sync": {"enrolled","hub","pending","last_sync","clock_offset_ms",
 * "stale"}}: a
 * new tree the caller json_decref()s, NULL when out of memory.
 */
json_t *view_status_json(const struct view_status *v);

#endif
