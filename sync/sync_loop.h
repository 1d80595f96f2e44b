/*
 * sync_loop.h - a node syncing with its hub again and again: the loop of
 * `presidio sync --watch` (and of the coming long-running `presidio
 * serve`), one sync_round() after another with a pause between them.
 *
 * While the hub cannot be reached (a round ending in ERR_IO) the pause
 * grows: the interval, then double the last pause each time, up to a cap
 * (an hour by default), and each pause is drawn at random in [half,
 * whole] so that nodes cut off together do not come back in step.  The
 * first round that reaches the hub again resets it.  Any other failure
 * of a round (refused by the hub, a schema or clock problem, the store)
 * ends the loop: retrying would not help.
 *
 * The module owns no global state and handles no signals: the caller
 * says when to stop through the wait hook (a flag its signal handler
 * sets, a condition of its own) and hears of every round through the
 * round hook, so that it prints or serves what it wants; the library
 * prints nothing.  The store stays the caller's.
 */
#ifndef PRESIDIO_SYNC_SYNC_LOOP_H
#define PRESIDIO_SYNC_SYNC_LOOP_H

#include <stdint.h>

#include "common/err.h"
#include "node/store.h"
#include "sync/sync.h"

#define SYNC_LOOP_BACKOFF_CAP_MS (3600u * 1000) /* an hour */
/* The first pause offline when the interval is 0 and more rounds follow. */
#define SYNC_LOOP_OFFLINE_MIN_MS 1000u

/* What the round hook hears after each round. */
struct sync_loop_round {
	uint64_t n;                  /* 1 for the first round */
	int rc;                      /* sync_round()'s result: 0, ERR_IO
					(offline) or another ERR_* */
	const struct err *e;         /* its error, when rc < 0 */
	const struct sync_stats *st; /* its figures (even when it failed) */
	int retrying;                /* the round before was offline too:
					the caller said so already */
	uint64_t wait_ms;            /* pause before the next round; 0 when
					the loop ends after this one */
};

/* Hooks; any may be NULL. */
struct sync_loop_hooks {
	/* Pause up to ms (0: just look) and return non-zero when the loop
	 * must stop now (a yes/no, never an error code).  Called before the
	 * first round and between rounds.  NULL: nanosleep, never stop
	 * early. */
	int (*wait)(void *ctx, uint64_t ms);
	/* After each round, before the pause. */
	void (*round)(void *ctx, const struct sync_loop_round *r);
	/* A random number in [0, upper] for the jitter (tests fix it).
	 * NULL: libsodium's randombytes_uniform(). */
	uint64_t (*jitter)(void *ctx, uint64_t upper);
	/* The round itself (tests replace it).  NULL: sync_round(). */
	int (*run)(void *ctx, struct store *s, const struct sync_options *o,
		   struct sync_stats *st, struct err *e);
	void *ctx;
};

struct sync_loop_opts {
	uint64_t interval_ms;    /* pause between good rounds (0: none) */
	uint64_t rounds;         /* stop after this many (0: until told,
				    then give an interval) */
	uint64_t backoff_cap_ms; /* longest pause offline (0: the default,
				    SYNC_LOOP_BACKOFF_CAP_MS) */
	struct sync_options sync; /* for each round */
};

/* Defaults: interval 60 s, no round limit, the default cap and
 * sync_options_init(). */
void sync_loop_opts_init(struct sync_loop_opts *o);

/*
 * Run rounds on s (unlocked, enrolled) until the wait hook says stop,
 * o->rounds are done or a round fails with something other than ERR_IO.
 * An offline round is followed by its pause even when it was the last
 * one (as the command line always did).  0 when the loop stopped or ran
 * its rounds (the last round may have been offline or partial: the round
 * hook told); the failing round's ERR_* (e filled) otherwise.
 */
int sync_loop_run(struct store *s, const struct sync_loop_opts *o,
		  const struct sync_loop_hooks *h, struct err *e) ERR_MUST_USE;

/* The pause after an offline round, before jitter: the interval after
 * the first, double the previous one after that, at most cap.  prev is
 * the previous pause (0: none). */
uint64_t sync_loop_backoff(uint64_t prev, uint64_t interval_ms,
			   uint64_t cap_ms);

#endif
