/*
 * test_sync_loop.c - the loop of `sync --watch` (sync/sync_loop.h) with
 * its rounds, pauses and jitter replaced by hooks: the pause grows while
 * the hub is unreachable, up to the cap, inside the jitter's bounds; it
 * resets on the first round that gets through; the loop stops when told,
 * after --rounds, and at the first failure that is not "offline".
 */
#include "sync/sync_loop.h"
#include "tests/test.h"

#include <sodium.h>

#define MAXR 32

struct fake {
	int script[MAXR];      /* rc of each round (past the end: 0) */
	int nscript;
	int runs;              /* rounds run */
	uint64_t waits[MAXR];  /* pauses asked (ms > 0 only) */
	int nwaits;
	int stop_after_waits;  /* the wait hook says stop at this pause
				  (0: never) */
	int stop_at_start;     /* say stop before any round */
	int jitter_mode;       /* 0: upper bound, 1: 0, -1: no hook */
	struct sync_loop_round rounds[MAXR]; /* as the round hook heard */
	uint64_t refused_on;   /* round whose stats say refused */
};

static int fake_run(void *ctx, struct store *s, const struct sync_options *o,
		    struct sync_stats *st, struct err *e)
{
	struct fake *f = ctx;
	int rc = f->runs < f->nscript ? f->script[f->runs] : 0;

	(void)s;
	(void)o;
	f->runs++;
	if ((uint64_t)f->runs == f->refused_on)
		st->refused = 1;
	if (rc < 0)
		return err_set(e, rc, "round %d failed", f->runs);
	return 0;
}

static int fake_wait(void *ctx, uint64_t ms)
{
	struct fake *f = ctx;

	if (ms == 0)
		return f->stop_at_start;
	if (f->nwaits < MAXR)
		f->waits[f->nwaits] = ms;
	f->nwaits++;
	return f->stop_after_waits && f->nwaits >= f->stop_after_waits;
}

static void fake_round(void *ctx, const struct sync_loop_round *r)
{
	struct fake *f = ctx;

	if (r->n >= 1 && r->n <= MAXR) {
		f->rounds[r->n - 1] = *r;
		f->rounds[r->n - 1].e = NULL; /* valid during the call only */
		f->rounds[r->n - 1].st = NULL;
	}
}

static uint64_t fake_jitter(void *ctx, uint64_t upper)
{
	struct fake *f = ctx;

	return f->jitter_mode == 0 ? upper : 0;
}

static int run_loop(struct fake *f, uint64_t rounds, struct err *e)
{
	struct sync_loop_hooks h = { fake_wait, fake_round, fake_jitter,
				     fake_run, f };
	struct sync_loop_opts o;

	if (f->jitter_mode < 0)
		h.jitter = NULL;
	sync_loop_opts_init(&o);
	o.interval_ms = 1000;
	o.backoff_cap_ms = 5000;
	o.rounds = rounds;
	return sync_loop_run(NULL, &o, &h, e);
}

static void test_sync_loop_backoff_doubles_up_to_the_cap(void)
{
	CHECK(sync_loop_backoff(0, 1000, 5000) == 1000);
	CHECK(sync_loop_backoff(1000, 1000, 5000) == 2000);
	CHECK(sync_loop_backoff(4000, 1000, 5000) == 5000);
	CHECK(sync_loop_backoff(5000, 1000, 5000) == 5000);
	CHECK(sync_loop_backoff(3000 * 1000, 1000, 0) ==
	      SYNC_LOOP_BACKOFF_CAP_MS);
}

/* Offline six times: pauses of 1, 2, 4, 5, 5, 5 s at the top of the
 * jitter, half that at its bottom; the error is said once. */
static void test_sync_loop_offline_backs_off_to_cap_with_jitter(void)
{
	static const uint64_t want[] = { 1000, 2000, 4000, 5000, 5000, 5000 };
	struct fake hi, lo;
	struct err e;
	int i;

	memset(&hi, 0, sizeof(hi));
	for (i = 0; i < 6; i++)
		hi.script[i] = ERR_IO;
	hi.nscript = 6;
	lo = hi;
	lo.jitter_mode = 1;
	err_init(&e);
	CHECK_OK(run_loop(&hi, 6, &e));
	CHECK_OK(run_loop(&lo, 6, &e));
	CHECK(hi.runs == 6 && lo.runs == 6);
	/* An offline round is followed by its pause, the last one too. */
	CHECK(hi.nwaits == 6 && lo.nwaits == 6);
	for (i = 0; i < 6; i++) {
		CHECK(hi.waits[i] == want[i]);
		CHECK(lo.waits[i] == want[i] / 2);
		CHECK(hi.rounds[i].rc == ERR_IO);
		CHECK(hi.rounds[i].retrying == (i > 0));
		CHECK(hi.rounds[i].wait_ms == want[i]);
	}
}

/* Without a jitter hook, libsodium draws: always in [half, whole]. */
static void test_sync_loop_default_jitter_stays_in_bounds(void)
{
	static const uint64_t want[] = { 1000, 2000, 4000, 5000, 5000, 5000,
					 5000, 5000 };
	struct fake f;
	struct err e;
	int i;

	CHECK(sodium_init() >= 0);
	memset(&f, 0, sizeof(f));
	for (i = 0; i < 8; i++)
		f.script[i] = ERR_IO;
	f.nscript = 8;
	f.jitter_mode = -1;
	err_init(&e);
	CHECK_OK(run_loop(&f, 8, &e));
	CHECK(f.nwaits == 8);
	for (i = 0; i < 8; i++)
		CHECK(f.waits[i] >= want[i] / 2 && f.waits[i] <= want[i]);
}

/* Back online: the interval again, and the next outage starts over. */
static void test_sync_loop_resets_when_online(void)
{
	struct fake f;
	struct err e;

	memset(&f, 0, sizeof(f));
	f.script[0] = ERR_IO;
	f.script[1] = ERR_IO;
	f.script[2] = 0;
	f.script[3] = ERR_IO;
	f.nscript = 4;
	err_init(&e);
	CHECK_OK(run_loop(&f, 4, &e));
	CHECK(f.runs == 4 && f.nwaits == 4);
	CHECK(f.waits[0] == 1000 && f.waits[1] == 2000);
	CHECK(f.waits[2] == 1000); /* the interval after a good round */
	CHECK(f.waits[3] == 1000); /* a new outage starts at the interval */
	CHECK(f.rounds[2].rc == 0 && f.rounds[2].retrying == 1);
	CHECK(f.rounds[3].retrying == 0); /* said again: a new outage */
}

/* --rounds N: N rounds, a pause between them and none after the last. */
static void test_sync_loop_runs_its_rounds(void)
{
	struct fake f;
	struct err e;

	memset(&f, 0, sizeof(f));
	f.refused_on = 2;
	err_init(&e);
	CHECK_OK(run_loop(&f, 3, &e));
	CHECK(f.runs == 3);
	CHECK(f.nwaits == 2 && f.waits[0] == 1000 && f.waits[1] == 1000);
	CHECK(f.rounds[2].wait_ms == 0);
	CHECK(f.rounds[0].n == 1 && f.rounds[2].n == 3);
}

/* One round without --watch (interval 0): no pause at all, offline or
 * not. */
static void test_sync_loop_single_round_never_pauses(void)
{
	struct sync_loop_hooks h = { fake_wait, fake_round, fake_jitter,
				     fake_run, NULL };
	struct sync_loop_opts o;
	struct fake f;
	struct err e;

	memset(&f, 0, sizeof(f));
	f.script[0] = ERR_IO;
	f.nscript = 1;
	h.ctx = &f;
	sync_loop_opts_init(&o);
	o.interval_ms = 0;
	o.rounds = 1;
	err_init(&e);
	CHECK_OK(sync_loop_run(NULL, &o, &h, &e));
	CHECK(f.runs == 1 && f.nwaits == 0);
	CHECK(f.rounds[0].rc == ERR_IO && f.rounds[0].wait_ms == 0);
}

/* Rounds back to back (interval 0) while the hub cannot be reached:
 * each offline round still pauses, from SYNC_LOOP_OFFLINE_MIN_MS up,
 * doubling; never a busy loop. */
static void test_sync_loop_offline_never_busy_with_interval_0(void)
{
	struct sync_loop_hooks h = { fake_wait, fake_round, fake_jitter,
				     fake_run, NULL };
	struct sync_loop_opts o;
	struct fake f;
	struct err e;

	memset(&f, 0, sizeof(f));
	for (int i = 0; i < 4; i++)
		f.script[i] = ERR_IO;
	f.nscript = 4;
	f.stop_after_waits = 3;
	h.ctx = &f;
	sync_loop_opts_init(&o);
	o.interval_ms = 0;
	o.rounds = 0;
	err_init(&e);
	CHECK_OK(sync_loop_run(NULL, &o, &h, &e));
	CHECK(f.nwaits == 3);
	CHECK(f.waits[0] == SYNC_LOOP_OFFLINE_MIN_MS);
	CHECK(f.waits[1] == 2 * SYNC_LOOP_OFFLINE_MIN_MS);
	CHECK(f.waits[2] == 4 * SYNC_LOOP_OFFLINE_MIN_MS);
	/* A cap too large for the random source's 32 bits is still a cap. */
	CHECK(sync_loop_backoff(UINT64_MAX / 2 + 1, 1000, UINT64_MAX) ==
	      UINT64_MAX);
}

/* The wait hook says stop: the loop ends at that pause; asked before
 * the first round, no round runs. */
static void test_sync_loop_stops_when_asked(void)
{
	struct fake f;
	struct err e;

	memset(&f, 0, sizeof(f));
	f.stop_after_waits = 3;
	err_init(&e);
	CHECK_OK(run_loop(&f, 0, &e)); /* 0: until told */
	CHECK(f.runs == 3 && f.nwaits == 3);

	memset(&f, 0, sizeof(f));
	f.stop_at_start = 1;
	CHECK_OK(run_loop(&f, 0, &e));
	CHECK(f.runs == 0);
}

/* A failure other than offline ends the loop with its code and
 * message. */
static void test_sync_loop_ends_on_other_failure(void)
{
	struct fake f;
	struct err e;

	memset(&f, 0, sizeof(f));
	f.script[0] = 0;
	f.script[1] = ERR_AUTH;
	f.nscript = 2;
	err_init(&e);
	CHECK(run_loop(&f, 0, &e) == ERR_AUTH);
	CHECK(e.code == ERR_AUTH && strstr(e.msg, "round 2 failed"));
	CHECK(f.runs == 2 && f.nwaits == 1);
	CHECK(f.rounds[1].wait_ms == 0);
}

TEST_MAIN(T(test_sync_loop_backoff_doubles_up_to_the_cap),
	  T(test_sync_loop_offline_backs_off_to_cap_with_jitter),
	  T(test_sync_loop_default_jitter_stays_in_bounds),
	  T(test_sync_loop_resets_when_online),
	  T(test_sync_loop_runs_its_rounds),
	  T(test_sync_loop_single_round_never_pauses),
	  T(test_sync_loop_offline_never_busy_with_interval_0),
	  T(test_sync_loop_stops_when_asked),
	  T(test_sync_loop_ends_on_other_failure))
