/*
 * hub_loop.h - the hub running until told to stop: `presidio hub serve`
 * (and the coming long-running `presidio serve` on the hub).
 *
 * hub_loop_run() starts the hub's sync endpoints (hub.h) on the caller's
 * store, then, every purge interval, purges the tombstones every node has
 * acknowledged (registry_tombstone_sweep(), as `presidio hub purge` does),
 * until the wait hook says stop; then it stops the hub.  A failed purge
 * is reported through the purge hook and the hub goes on serving: the
 * next interval tries again.
 *
 * The module owns the running hub (started and stopped here) and nothing
 * else: no global state, no signal handling (the caller's wait hook
 * decides when to stop, e.g. with sigtimedwait() on signals it blocked
 * before the call, which the hub's threads then inherit), no output (the
 * hooks hear of the start and of each purge).  The store stays the
 * caller's and must outlive the call.
 */
#ifndef PRESIDIO_SYNC_HUB_LOOP_H
#define PRESIDIO_SYNC_HUB_LOOP_H

#include <stdint.h>

#include "common/err.h"
#include "node/store.h"
#include "sync/hub.h"

#define HUB_LOOP_PURGE_EVERY_S 3600
#define HUB_LOOP_HORIZON_S (30 * 86400) /* a node silent longer does not
					   hold a purge back */

/* Hooks; any may be NULL but wait (see hub_loop_run()). */
struct hub_loop_hooks {
	/* Wait up to ms and return non-zero when the hub must stop (a
	 * yes/no, never an error code); 0 when the time ran out. */
	int (*wait)(void *ctx, uint64_t ms);
	/* The hub listens on port: 0 to go on, or a negative ERR_* (e
	 * filled) to stop it at once and return that code. */
	int (*started)(void *ctx, uint16_t port, struct err *e);
	/* After each purge: rc 0 and how many tombstones went, or the
	 * negative ERR_* of the sweep and its error. */
	void (*purged)(void *ctx, int rc, uint64_t purged,
		       const struct err *e);
	void *ctx;
};

struct hub_loop_opts {
	uint64_t purge_every_s; /* seconds between purges, > 0 */
	uint64_t horizon_s;     /* registry_tombstone_sweep()'s horizon */
};

/* HUB_LOOP_PURGE_EVERY_S and HUB_LOOP_HORIZON_S. */
void hub_loop_opts_init(struct hub_loop_opts *o);

/*
 * Serve the hub of s (unlocked, in the hub role) with cfg until h->wait
 * returns non-zero.  0 once stopped; the negative ERR_* of hub_start()
 * or of the started hook (e filled), the hub then stopped already.
 * ERR_INVALID when h or h->wait is NULL: a loop nobody can stop is a
 * caller's mistake.
 */
int hub_loop_run(struct store *s, const struct hub_config *cfg,
		 const struct hub_loop_opts *o, const struct hub_loop_hooks *h,
		 struct err *e) ERR_MUST_USE;

#endif
