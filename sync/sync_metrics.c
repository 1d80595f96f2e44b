/* sync_metrics.c - see sync_metrics.h. */
#include "sync/sync_metrics.h"

#include <stdio.h>
#include <string.h>

static const double bounds[] = SYNC_METRICS_BOUNDS;

/* The checkpoints, in the order of struct sync_metrics' fields. */
static const char *const names[] = {
	"metrics.sync.ok",     "metrics.sync.failed", "metrics.sync.pushed",
	"metrics.sync.pulled", "metrics.sync.batches", "metrics.sync.refused",
	"metrics.sync.le0",    "metrics.sync.le1",    "metrics.sync.le2",
	"metrics.sync.le3",    "metrics.sync.le4",    "metrics.sync.le5",
	"metrics.sync.over",   "metrics.sync.sum_ms",
};

#define NNAMES (sizeof(names) / sizeof(names[0]))

/* struct sync_metrics as an array of its counters. */
static uint64_t *field(struct sync_metrics *m, size_t i)
{
	uint64_t *head[] = { &m->rounds_ok, &m->rounds_failed, &m->pushed,
			     &m->pulled,    &m->batches,       &m->refused };

	if (i < 6)
		return head[i];
	if (i < 6 + SYNC_METRICS_NBOUNDS)
		return &m->buckets[i - 6];
	return i == 6 + SYNC_METRICS_NBOUNDS ? &m->over : &m->sum_ms;
}

int sync_metrics_read(struct store *s, struct sync_metrics *out,
		      struct err *e)
{
	size_t i;
	int rc = 0;

	_Static_assert(NNAMES == 8 + SYNC_METRICS_NBOUNDS, "one name each");
	memset(out, 0, sizeof(*out));
	for (i = 0; i < NNAMES && rc == 0; i++) {
		struct err le;

		err_init(&le);
		rc = store_checkpoint_get(s, names[i], field(out, i), &le);
		if (rc == ERR_NOTFOUND) /* no round yet */
			rc = 0;
		else if (rc)
			rc = err_set(e, rc, "%s", le.msg);
	}
	return rc;
}

int sync_metrics_note(struct store *s, const struct sync_stats *st, int ok,
		      uint64_t now_ms, struct err *e)
{
	struct sync_metrics m;
	uint64_t ms = now_ms > st->started_ms ? now_ms - st->started_ms : 0;
	size_t i;
	int rc;

	rc = store_begin(s, e);
	if (rc)
		return rc;
	rc = sync_metrics_read(s, &m, e);
	if (rc)
		goto out;
	m.rounds_ok += ok != 0;
	m.rounds_failed += ok == 0;
	m.pushed += st->pushed;
	m.pulled += st->pulled;
	m.batches += st->batches_up + st->batches_down;
	m.refused += st->refused + st->rejected;
	for (i = 0; i < SYNC_METRICS_NBOUNDS && (double)ms / 1000.0 > bounds[i];
	     i++)
		;
	if (i < SYNC_METRICS_NBOUNDS)
		m.buckets[i]++;
	else
		m.over++;
	m.sum_ms += ms;
	for (i = 0; i < NNAMES && rc == 0; i++)
		rc = store_checkpoint_set(s, names[i], *field(&m, i), e);
out:
	if (rc) {
		store_rollback(s);
		return rc;
	}
	return store_commit(s, e);
}
