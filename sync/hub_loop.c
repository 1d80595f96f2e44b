/*
 * hub_loop.c - the hub serving until told to stop, purging tombstones
 * on the way (hub_loop.h).
 */
#include "sync/hub_loop.h"

void hub_loop_opts_init(struct hub_loop_opts *o)
{
	o->purge_every_s = HUB_LOOP_PURGE_EVERY_S;
	o->horizon_s = HUB_LOOP_HORIZON_S;
}

static void purge_once(struct store *s, const struct hub_loop_opts *o,
		       const struct hub_loop_hooks *h)
{
	uint64_t purged = 0;
	struct err pe;
	int rc;

	err_init(&pe);
	rc = registry_tombstone_sweep(s, (int64_t)o->horizon_s, &purged, &pe);
	if (h->purged)
		h->purged(h->ctx, rc, purged, &pe);
}

int hub_loop_run(struct store *s, const struct hub_config *cfg,
		 const struct hub_loop_opts *o, const struct hub_loop_hooks *h,
		 struct err *e)
{
	struct hub *hub = NULL;
	int rc;

	if (!h || !h->wait)
		return err_set(e, ERR_INVALID,
			       "the hub loop needs a wait hook");
	rc = hub_start(&hub, s, cfg, e);
	if (!rc && h->started)
		rc = h->started(h->ctx, hub_port(hub), e);
	if (rc < 0)
		goto out;
	while (!h->wait(h->ctx, o->purge_every_s * 1000))
		purge_once(s, o, h);
out:
	hub_stop(hub);
	return rc;
}
