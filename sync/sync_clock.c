/*
 * sync_clock.c - what this node knows of the hub's clock (see sync.h,
 * sync_int.h): the offset kept between rounds, and how it is told.
 */
#include "sync/sync_int.h"

#include <inttypes.h>
#include <stdio.h>

int sync_clock_offset(struct store *s, int64_t *offset_ms, struct err *e)
{
	uint64_t v = 0;
	int rc = store_checkpoint_get(s, SYNC_CK_CLOCK, &v, e);

	*offset_ms = rc ? 0 : (int64_t)v;
	return rc;
}

void sync_clock_describe(int64_t offset_ms, char *out, size_t n)
{
	uint64_t mag = offset_ms < 0 ? 0 - (uint64_t)offset_ms
				     : (uint64_t)offset_ms;
	uint64_t min = (mag + 30000) / 60000;

	if (mag < SYNC_CLOCK_NOTE_MS)
		snprintf(out, n, "the clock of this computer is in step with "
			 "the Helpdesk's (within a minute)");
	else
		snprintf(out, n, "the clock of this computer is %" PRIu64
			 " h %02" PRIu64 " min %s the Helpdesk's", min / 60,
			 min % 60, offset_ms > 0 ? "behind" : "ahead of");
}

/* The offset this node knew before the round (0 when none). */
void sync_clock_load(struct conn *k)
{
	int64_t off = 0;

	if (sync_clock_offset(k->s, &off, NULL) == 0) {
		k->offset_ms = off;
		k->loaded_ms = off;
		k->offset_loaded = 1;
		k->st->clock_known = 1;
		k->st->clock_offset_ms = off;
	}
}

/* Keep what the round learned of the hub's clock, for the next rounds
 * and for status; its failure fails the round only when nothing else
 * did. */
int sync_clock_save(struct conn *k, int rc, struct err *e)
{
	struct err e2;
	int rc2;

	if (!k->offset_learned)
		return rc;
	k->st->clock_known = 1;
	k->st->clock_offset_ms = k->offset_ms;
	/* hello brings a fresh measure every round: a change within its
	 * noise is not worth a write. */
	if (k->offset_loaded &&
	    (k->offset_ms >= k->loaded_ms
		 ? (uint64_t)k->offset_ms - (uint64_t)k->loaded_ms
		 : (uint64_t)k->loaded_ms - (uint64_t)k->offset_ms) < 1000)
		return rc;
	err_init(&e2);
	rc2 = store_checkpoint_set(k->s, SYNC_CK_CLOCK,
				   (uint64_t)k->offset_ms, &e2);
	if (rc2 && !rc) {
		err_set(e, rc2, "%s", e2.msg);
		return rc2;
	}
	return rc;
}
