/* hlc.c - see hlc.h. */
#include "conflict/hlc.h"

#include <inttypes.h>
#include <stdio.h>
#include <time.h>

void hlc_init(struct hlc *c, uint64_t last)
{
	c->last = last;
}

uint64_t hlc_make(uint64_t ms, uint32_t counter)
{
	return ms << HLC_COUNTER_BITS | (counter & HLC_COUNTER_MAX);
}

uint64_t hlc_ms(uint64_t ts)
{
	return ts >> HLC_COUNTER_BITS;
}

uint32_t hlc_counter(uint64_t ts)
{
	return (uint32_t)(ts & HLC_COUNTER_MAX);
}

uint64_t hlc_now(struct hlc *c, uint64_t wall_ms)
{
	uint64_t wall = hlc_make(wall_ms, 0);

	/* Ahead of everything seen: take the wall clock.  Otherwise tick the
	 * counter of the last timestamp; the +1 carries into the milliseconds
	 * when the counter is full, which keeps the order total. */
	c->last = wall > c->last ? wall : c->last + 1;
	return c->last;
}

int hlc_receive(struct hlc *c, uint64_t remote, uint64_t wall_ms,
		uint64_t max_ahead_ms, struct err *e)
{
	uint64_t rms = hlc_ms(remote);

	if (rms > wall_ms && rms - wall_ms > max_ahead_ms)
		return err_set(e, ERR_CONFLICT,
			       "timestamp %" PRIu64 " ms ahead of this node's "
			       "clock (limit %" PRIu64
			       " ms): check the sender's "
			       "clock",
			       rms - wall_ms, max_ahead_ms);
	if (remote > c->last)
		c->last = remote;
	return 0;
}

void hlc_format(uint64_t ts, char out[HLC_TEXT_LEN])
{
	uint64_t ms = hlc_ms(ts);
	uint32_t n = hlc_counter(ts);
	time_t sec = (time_t)(ms / 1000);
	struct tm tm;
	char day[24];

	gmtime_r(&sec, &tm);
	strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm);
	if (n)
		snprintf(out, HLC_TEXT_LEN, "%s.%03uZ+%u", day,
			 (unsigned)(ms % 1000), n);
	else
		snprintf(out, HLC_TEXT_LEN, "%s.%03uZ", day,
			 (unsigned)(ms % 1000));
}
