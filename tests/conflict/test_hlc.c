/*
 * test_hlc.c - the hybrid logical clock: strictly increasing under any wall
 * clock, restart from the persisted value, the skew window on receive,
 * counter overflow, and the text form.  The wall clock is passed in, so
 * every case is exact.
 */
#include <stdio.h>

#include "conflict/hlc.h"
#include "tests/test.h"

static void test_hlc_pack_unpack(void)
{
	uint64_t ts = hlc_make(1700000000123ull, 42);

	CHECK(hlc_ms(ts) == 1700000000123ull);
	CHECK(hlc_counter(ts) == 42);
	CHECK(hlc_counter(hlc_make(7, HLC_COUNTER_MAX)) == HLC_COUNTER_MAX);
	/* the counter cannot spill into the milliseconds */
	CHECK(hlc_make(7, HLC_COUNTER_MAX + 1) == hlc_make(7, 0));
	/* timestamps order as integers: ms first, then counter */
	CHECK(hlc_make(5, HLC_COUNTER_MAX) < hlc_make(6, 0));
	CHECK(hlc_make(5, 1) < hlc_make(5, 2));
}

static void test_hlc_monotonic_under_fixed_wall(void)
{
	struct hlc c;
	uint64_t prev;

	hlc_init(&c, 0);
	prev = hlc_now(&c, 1000);
	CHECK(prev == hlc_make(1000, 0));
	for (uint32_t i = 1; i < 10000; i++) {
		uint64_t ts = hlc_now(&c, 1000);

		CHECK(ts > prev);
		CHECK(hlc_ms(ts) == 1000);
		CHECK(hlc_counter(ts) == i);
		CHECK(c.last == ts);
		prev = ts;
	}
	/* the wall clock moving on takes over again, counter reset */
	CHECK(hlc_now(&c, 1001) == hlc_make(1001, 0));
}

static void test_hlc_wall_clock_going_back(void)
{
	static const uint64_t walls[] = { 5000, 4000, 1, 4999, 5000, 0, 3000 };
	struct hlc c;
	uint64_t prev, ts;

	hlc_init(&c, 0);
	prev = hlc_now(&c, 5000);
	for (size_t i = 0; i < sizeof(walls) / sizeof(walls[0]); i++) {
		ts = hlc_now(&c, walls[i]);
		CHECK(ts > prev);
		CHECK(hlc_ms(ts) == 5000); /* stays above, not ahead */
		prev = ts;
	}
	ts = hlc_now(&c, 6000);
	CHECK(ts == hlc_make(6000, 0));
	CHECK(ts > prev);
}

static void test_hlc_restart_from_persisted_last(void)
{
	uint64_t last = hlc_make(10000, 7);
	struct hlc c;
	uint64_t ts;

	/* persisted value ahead of the wall clock (clock reset, or it was
	 * pushed forward by a peer): continue above it */
	hlc_init(&c, last);
	CHECK(c.last == last);
	ts = hlc_now(&c, 9000);
	CHECK(ts > last);
	CHECK(ts == hlc_make(10000, 8));
	CHECK(hlc_now(&c, 0) > ts);

	/* persisted value behind the wall clock: the wall clock wins */
	hlc_init(&c, last);
	CHECK(hlc_now(&c, 20000) == hlc_make(20000, 0));

	/* a new node */
	hlc_init(&c, 0);
	CHECK(hlc_now(&c, 0) == 1);
}

static void test_hlc_receive_within_window(void)
{
	uint64_t remote = hlc_make(1500, 3), older = hlc_make(900, 9);
	struct hlc c;
	struct err e;

	hlc_init(&c, 0);
	CHECK(hlc_now(&c, 1000) == hlc_make(1000, 0));
	err_init(&e);
	CHECK_OK(hlc_receive(&c, remote, 1000, 1000, &e));
	CHECK(e.code == 0);
	CHECK(c.last == remote);
	CHECK(hlc_now(&c, 1000) > remote);
	CHECK(hlc_now(&c, 2000) == hlc_make(2000, 0));

	/* an older timestamp never moves the clock back */
	CHECK_OK(hlc_receive(&c, older, 2000, 1000, &e));
	CHECK(c.last == hlc_make(2000, 0));

	/* exactly at the edge of the window is still accepted */
	hlc_init(&c, 0);
	CHECK_OK(hlc_receive(&c, hlc_make(3000, HLC_COUNTER_MAX), 2000, 1000,
			     NULL));
	CHECK(c.last == hlc_make(3000, HLC_COUNTER_MAX));
	CHECK(hlc_now(&c, 2000) == hlc_make(3001, 0));
}

static void test_hlc_receive_beyond_window_refused(void)
{
	uint64_t before, far = hlc_make(2001, 0);
	struct hlc c;
	struct err e;

	hlc_init(&c, 0);
	before = hlc_now(&c, 1000);
	err_init(&e);
	CHECK(hlc_receive(&c, far, 1000, 1000, &e) == ERR_CONFLICT);
	CHECK(e.code == ERR_CONFLICT);
	CHECK(e.msg[0] != '\0');
	CHECK(c.last == before);
	CHECK(hlc_receive(&c, hlc_make(1000ull * 3600 * 24 * 365 * 10, 0),
			  1000, 1000, NULL) == ERR_CONFLICT);
	CHECK(c.last == before);
	/* the clock was not dragged forward */
	CHECK(hlc_now(&c, 1000) == hlc_make(1000, 1));
	/* a window of 0 accepts nothing ahead of our wall clock */
	CHECK(hlc_receive(&c, hlc_make(1001, 0), 1000, 0, NULL) ==
	      ERR_CONFLICT);
	CHECK_OK(hlc_receive(&c, hlc_make(1000, 5), 1000, 0, NULL));
	CHECK(c.last == hlc_make(1000, 5));
}

static void test_hlc_counter_overflow_carries(void)
{
	uint64_t full = hlc_make(1000, HLC_COUNTER_MAX);
	struct hlc c;
	uint64_t prev, ts;
	int increasing = 1;

	hlc_init(&c, full);
	ts = hlc_now(&c, 1000);
	CHECK(ts > full);
	CHECK(ts == hlc_make(1001, 0));

	/* 3 full counters' worth of events within one wall millisecond */
	hlc_init(&c, 0);
	prev = hlc_now(&c, 1000);
	for (uint32_t i = 0; i < 3 * (HLC_COUNTER_MAX + 1); i++) {
		ts = hlc_now(&c, 1000);
		if (ts <= prev)
			increasing = 0;
		prev = ts;
	}
	CHECK(increasing);
	CHECK(hlc_ms(prev) == 1003);
	CHECK(hlc_counter(prev) == 0);
	/* the wall clock catching up but still behind: keep counting */
	CHECK(hlc_now(&c, 1002) == hlc_make(1003, 1));
	CHECK(hlc_now(&c, 1004) == hlc_make(1004, 0));
}

static void test_hlc_format_shape(void)
{
	char out[HLC_TEXT_LEN];
	uint64_t max_ms = (1ull << (64 - HLC_COUNTER_BITS)) - 1;

	hlc_format(hlc_make(0, 0), out);
	CHECK(strcmp(out, "1970-01-01T00:00:00.000Z") == 0);
	hlc_format(hlc_make(1700000000123ull, 0), out);
	CHECK(strcmp(out, "2023-11-14T22:13:20.123Z") == 0);
	hlc_format(hlc_make(1700000000005ull, 5), out);
	CHECK(strcmp(out, "2023-11-14T22:13:20.005Z+5") == 0);
	hlc_format(hlc_make(1709164800000ull, HLC_COUNTER_MAX), out);
	CHECK(strcmp(out, "2024-02-29T00:00:00.000Z+65535") == 0);
	/* the largest timestamp still fits, with a five-digit year */
	hlc_format(hlc_make(max_ms, HLC_COUNTER_MAX), out);
	CHECK(strlen(out) < HLC_TEXT_LEN);
	CHECK(strstr(out, "Z+65535") != NULL);
	CHECK(out[5] == '-' && out[11] == 'T' && out[20] == '.');
}

TEST_MAIN(T(test_hlc_pack_unpack), T(test_hlc_monotonic_under_fixed_wall),
	  T(test_hlc_wall_clock_going_back),
	  T(test_hlc_restart_from_persisted_last),
	  T(test_hlc_receive_within_window),
	  T(test_hlc_receive_beyond_window_refused),
	  T(test_hlc_counter_overflow_carries), T(test_hlc_format_shape))
