/*
 * hlc.h - hybrid logical clock.
 *
 * A timestamp packs wall-clock milliseconds since the Unix epoch in the high
 * 48 bits and a counter in the low 16, so timestamps compare as plain
 * integers and stay close to real time.  The clock never goes backwards:
 * every hlc_now() is above every timestamp issued or received before, even
 * when the wall clock jumps back, and a node restarting from the persisted
 * last value (the store keeps it in the same transaction as the writes it
 * stamped) continues above it.  hlc_receive() moves the clock past a
 * timestamp from another node but refuses one too far ahead of our wall
 * clock, so one node with a clock years ahead cannot drag every replica
 * into the future and win every later conflict.
 *
 * Pure logic: the caller passes the wall clock in; no I/O here.
 */
#ifndef PRESIDIO_HLC_H
#define PRESIDIO_HLC_H

#include <stdint.h>

#include "common/err.h"

#define HLC_COUNTER_BITS 16
#define HLC_COUNTER_MAX ((1u << HLC_COUNTER_BITS) - 1)
#define HLC_TEXT_LEN 48 /* buffer size for hlc_format() */

struct hlc {
	uint64_t last; /* highest timestamp issued or received */
};

/* Start from a persisted last value (0 for a new node).  Cannot fail. */
void hlc_init(struct hlc *c, uint64_t last);

/* Pack and unpack. */
uint64_t hlc_make(uint64_t ms, uint32_t counter);
uint64_t hlc_ms(uint64_t ts);
uint32_t hlc_counter(uint64_t ts);

/*
 * A new timestamp for a local event, strictly above c->last: the wall clock
 * when it is ahead, else last + 1 (counter overflow carries into the
 * millisecond, which is harmless: the clock is still monotonic).
 */
uint64_t hlc_now(struct hlc *c, uint64_t wall_ms);

/*
 * Account for a timestamp received from another node.  When its physical
 * part is more than max_ahead_ms ahead of wall_ms the clock is left alone
 * and ERR_CONFLICT is returned with a message; otherwise c->last becomes
 * max(c->last, remote) and 0 is returned.
 */
int hlc_receive(struct hlc *c, uint64_t remote, uint64_t wall_ms,
		uint64_t max_ahead_ms, struct err *e) ERR_MUST_USE;

/* "2026-11-23T10:15:02.123Z" plus "+N" when the counter is not zero. */
void hlc_format(uint64_t ts, char out[HLC_TEXT_LEN]);

#endif
