/*
 * sync_pace.c - page sizing (see sync_int.h): pages, on push and pull
 * alike, sized by what the link carries, under the count asked; the size
 * reached kept for the next round on the same link.
 */
#include "sync/sync_int.h"

#include <string.h>

/* Start at what the link carried last time, under the options' limit
 * (asked: an explicit one, 0 for the default). */
void sync_pace_init(struct store *s, struct sync_pace *p, const char *ck,
		    size_t asked, size_t def, int down)
{
	size_t max = asked ? asked : def;
	uint64_t v = 0;

	memset(p, 0, sizeof(*p));
	/* A size the operator chose is for this round only: it is not
	 * what the link carries. */
	p->ck = asked ? NULL : ck;
	p->max = max;
	p->down = down;
	if (store_checkpoint_get(s, ck, &v, NULL) == 0)
		p->saved = v;
	p->limit = v && v < max ? (size_t)v : max;
}

/* Keep the size reached for the next round (when it changed): what
 * last crossed, not the larger size it would have tried next. */
int sync_pace_save(struct store *s, const struct sync_pace *p,
		   struct err *e)
{
	size_t v = p->passed && p->passed < p->limit ? p->passed : p->limit;

	if (!p->ck || v == p->saved)
		return 0;
	return store_checkpoint_set(s, p->ck, v, e);
}

int sync_pace_shrink(struct conn *k, struct sync_pace *p, size_t asked,
		     size_t body)
{
	uint64_t moved = p->down ? p->at.received : p->at.sent;
	uint64_t whole = p->down ? (p->at.expected > 0
					    ? (uint64_t)p->at.expected
					    : 0)
				 : body;
	size_t next = asked / 2;

	if (!p->cut || asked <= 1)
		return 0;
	p->cut = 0;
	/* What one connection delivered, halved for the cut's chance of
	 * landing anywhere: the share of the page that fits. */
	if (whole > moved && moved > 0) {
		uint64_t fit = (uint64_t)asked * moved / (2 * whole);

		if (fit < next)
			next = (size_t)fit;
	}
	p->limit = next ? next : 1;
	p->passed = 0;
	pthread_mutex_lock(&k->lock);
	k->st->retries++;
	pthread_mutex_unlock(&k->lock);
	return 1;
}

void sync_pace_grow(struct sync_pace *p, size_t asked)
{
	size_t next = asked + asked / 2 + 1;

	p->passed = asked;
	if (next > p->limit)
		p->limit = next < p->max ? next : p->max;
}
