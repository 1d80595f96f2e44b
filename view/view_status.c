/*
 * view_status.c - a node's status from its metadata and its sync state
 * (view_status.h).
 */
#include "view/view_status.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "conflict/hlc.h"
#include "schema/schema.h"
#include "sync/sync.h"

const char *view_status_role_name(enum store_role r)
{
	return r == STORE_ROLE_HUB ? "hub" : "node";
}

void view_status_counts(const struct view_status *v,
			const struct schema_collection *coll, uint64_t *live,
			uint64_t *deleted)
{
	const struct store_status *st = &v->st;
	size_t i;

	*live = 0;
	*deleted = 0;
	for (i = 0; i < st->ncoll; i++) {
		if (st->coll[i].coll == coll) {
			*live = st->coll[i].live;
			*deleted = st->coll[i].deleted;
		}
	}
}

/* Sync's part: what the hub is, what waits to go, the hub's clock. */
static int sync_load(struct store *s, struct view_status *v, struct err *e)
{
	time_t t;
	struct tm tm;
	int rc;

	rc = store_remote_find(s, &v->remote, &v->enrolled, e);
	if (!rc)
		rc = sync_pending(s, &v->pending, e);
	if (!rc && store_checkpoint_get(s, SYNC_CK_LAST_OK, &v->last_ok,
					NULL))
		v->last_ok = 0;
	if (!rc && sync_clock_offset(s, &v->clock_offset_ms, NULL) == 0) {
		v->clock_known = 1;
		sync_clock_describe(v->clock_offset_ms, v->clock,
				    sizeof(v->clock));
	}
	v->stale = v->enrolled &&
		   (!v->last_ok || (uint64_t)time(NULL) - v->last_ok / 1000 >
					   VIEW_SYNC_STALE_S);
	t = (time_t)(v->last_ok / 1000);
	if (v->last_ok && gmtime_r(&t, &tm))
		strftime(v->last, sizeof(v->last), "%Y-%m-%dT%H:%M:%SZ", &tm);
	else
		snprintf(v->last, sizeof(v->last), "never");
	return rc;
}

int view_status_load(struct store *s, struct view_status *out,
		     struct err *e)
{
	int rc;

	memset(out, 0, sizeof(*out));
	rc = store_status(s, &out->st, e);
	if (!rc)
		rc = sync_load(s, out, e);
	return rc;
}

static json_t *coll_json(const struct view_status *v)
{
	const struct schema_collection *coll;
	uint64_t live, deleted;
	json_t *o = json_object();
	size_t i;

	for (i = 0; o && i < schema_count(); i++) {
		coll = schema_at(i);
		view_status_counts(v, coll, &live, &deleted);
		if (json_object_set_new(o, coll->name,
					json_pack("{sIsI}", "live",
						  (json_int_t)live, "deleted",
						  (json_int_t)deleted)) < 0) {
			json_decref(o);
			o = NULL;
		}
	}
	return o;
}

json_t *view_status_json(const struct view_status *v)
{
	const struct store_status *st = &v->st;
	char id[ID_TEXT_LEN + 1], clock[HLC_TEXT_LEN];
	json_t *o;

	id_format(&st->node_id, id);
	hlc_format(st->hlc, clock);
	o = json_pack("{sssssssIsIsIsosIsIsIsIsssIsIsbsisi}", "name", st->name,
		      "id", id, "role", view_status_role_name(st->role),
		      "operators", (json_int_t)st->operators, "records",
		      (json_int_t)st->records, "deleted",
		      (json_int_t)st->deleted, "collections", coll_json(v),
		      "changes", (json_int_t)st->changes, "last_seq",
		      (json_int_t)st->last_seq, "conflicted",
		      (json_int_t)st->conflicted, "rejected",
		      (json_int_t)st->rejected, "clock", clock, "hlc",
		      (json_int_t)st->hlc, "key_generation",
		      (json_int_t)st->key_gen, "rotating", st->rotating,
		      "schema_version", schema_running_version(),
		      "database_version", st->schema_version);
	if (o && json_object_set_new(
		     o, "sync",
		     json_pack("{sbsssIsssosb}", "enrolled", v->enrolled,
			       "hub", v->enrolled ? v->remote.url : "",
			       "pending", (json_int_t)v->pending, "last_sync",
			       v->last, "clock_offset_ms",
			       v->clock_known
				   ? json_integer(v->clock_offset_ms)
				   : json_null(),
			       "stale", v->stale))) {
		json_decref(o);
		o = NULL;
	}
	return o;
}
