/*
 * sync_loop.c - rounds of sync one after another, backing off while the
 * hub cannot be reached (sync_loop.h).
 */
#include "sync/sync_loop.h"

#include <errno.h>
#include <sodium.h>
#include <string.h>
#include <time.h>

void sync_loop_opts_init(struct sync_loop_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->interval_ms = 60 * 1000;
	o->backoff_cap_ms = SYNC_LOOP_BACKOFF_CAP_MS;
	sync_options_init(&o->sync);
}

uint64_t sync_loop_backoff(uint64_t prev, uint64_t interval_ms,
			   uint64_t cap_ms)
{
	uint64_t next;

	if (cap_ms == 0)
		cap_ms = SYNC_LOOP_BACKOFF_CAP_MS;
	next = prev ? (prev > UINT64_MAX / 2 ? UINT64_MAX : prev * 2)
		    : interval_ms;
	return next > cap_ms ? cap_ms : next;
}

static int wait_ms(const struct sync_loop_hooks *h, uint64_t ms)
{
	struct timespec ts;

	if (h && h->wait)
		return h->wait(h->ctx, ms);
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (ms && nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
	return 0;
}

/* A pause in [backoff / 2, backoff]. */
static uint64_t jittered(const struct sync_loop_hooks *h, uint64_t backoff)
{
	uint64_t half = backoff / 2, r;

	if (h && h->jitter)
		r = h->jitter(h->ctx, half);
	else
		r = randombytes_uniform(half >= UINT32_MAX ? UINT32_MAX
							    : (uint32_t)(half + 1));
	return half + (r > half ? half : r);
}

static int run_round(const struct sync_loop_hooks *h, struct store *s,
		     const struct sync_options *o, struct sync_stats *st,
		     struct err *e)
{
	if (h && h->run)
		return h->run(h->ctx, s, o, st, e);
	return sync_round(s, o, st, e);
}

int sync_loop_run(struct store *s, const struct sync_loop_opts *o,
		  const struct sync_loop_hooks *h, struct err *e)
{
	struct sync_loop_round r;
	struct sync_stats st;
	uint64_t backoff = 0, done = 0;
	struct err re;
	int rc = 0;

	while (!wait_ms(h, 0) && (!o->rounds || done < o->rounds)) {
		err_init(&re);
		memset(&st, 0, sizeof(st));
		memset(&r, 0, sizeof(r));
		r.rc = run_round(h, s, &o->sync, &st, &re);
		r.n = ++done;
		r.e = &re;
		r.st = &st;
		r.retrying = backoff > 0;
		if (r.rc == ERR_IO) {
			/* Rounds back to back online (interval 0) still pause
			 * while offline when more follow: a caller must not
			 * hammer a hub it cannot reach. */
			uint64_t first = o->interval_ms;

			if (!first && (!o->rounds || done < o->rounds))
				first = SYNC_LOOP_OFFLINE_MIN_MS;
			backoff = sync_loop_backoff(backoff, first,
						    o->backoff_cap_ms);
			r.wait_ms = jittered(h, backoff);
		} else {
			backoff = 0;
			if (r.rc == 0 && (!o->rounds || done < o->rounds))
				r.wait_ms = o->interval_ms;
		}
		if (h && h->round)
			h->round(h->ctx, &r);
		if (r.rc < 0 && r.rc != ERR_IO) {
			rc = err_set(e, r.rc, "%s", re.msg);
			break;
		}
		if (r.wait_ms && wait_ms(h, r.wait_ms))
			break;
	}
	return rc;
}
