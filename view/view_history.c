/*
 * view_history.c - a record's history with old values, and change-log
 * entries, as JSON (view_history.h).
 */
#include "view/view_history.h"

#include <inttypes.h>
#include <stdio.h>

#include "node/store_audit.h"
#include "conflict/hlc.h"
#include "view/view_record.h"

struct view_history {
	struct store *s;
	json_t *seen; /* "field:hlc:node-id" -> value written */
	view_history_fn fn;
	void *ctx;
	struct err *e;
};

const char *view_change_kind_name(enum store_change_kind k)
{
	switch (k) {
	case STORE_CHANGE_CREATE: return "create";
	case STORE_CHANGE_UPDATE: return "update";
	case STORE_CHANGE_DELETE: return "delete";
	case STORE_CHANGE_RESOLVE: return "resolve";
	default: return "unknown";
	}
}

/* The value c wrote to field f (borrowed), JSON null if none. */
static json_t *written(const struct store_change *c, uint16_t f)
{
	char buf[16];
	json_t *v;

	v = c->fields ? json_object_get(c->fields,
					view_field_name(c->coll, f, buf))
		      : NULL;
	return v ? v : json_null();
}

const json_t *view_change_new(const struct store_change *c, size_t i)
{
	return written(c, c->vers.e[i].field);
}

#define VERSION_KEY_MAX 80 /* "field:hlc:node-id" */

static void version_key(char out[VERSION_KEY_MAX], uint16_t f, uint64_t hlc,
			const struct id *node)
{
	char nid[ID_TEXT_LEN + 1];

	id_format(node, nid);
	snprintf(out, VERSION_KEY_MAX, "%u:%" PRIu64 ":%s", (unsigned)f, hlc,
		 nid);
}

/* Common head of an entry. */
static json_t *entry_head(const struct store_change *c)
{
	char when[HLC_TEXT_LEN];

	hlc_format(c->hlc, when);
	return json_pack("{sIsssIss}", "seq", (json_int_t)c->seq, "time", when,
			 "hlc", (json_int_t)c->hlc, "kind",
			 view_change_kind_name(c->kind));
}

/* ---- history ---- */

/*
 * c->prev_ids holds c->prev with the actors' node ids.  A resolution
 * names every candidate it settles: of those the walk has seen, the
 * greatest version is the one that was in force (merge.h: the winner is
 * the greatest version of the frontier), so that is the old value.
 */
const json_t *view_history_old(const struct view_history *vh,
			       const struct store_change *c, size_t i)
{
	const struct merge_vid *best = NULL, *v;
	uint16_t f = c->vers.e[i].field;
	char key[VERSION_KEY_MAX];
	json_t *old = NULL, *x;
	size_t k;

	for (k = 0; k < c->nprev_ids && k < c->prev.n; k++) {
		v = &c->prev_ids[k].v;
		if (c->prev_ids[k].field != f || !c->prev.e[k].v.actor)
			continue;
		version_key(key, f, v->hlc, &v->node);
		x = json_object_get(vh->seen, key);
		if (x && (!best || merge_vid_cmp(v, best) > 0)) {
			best = v;
			old = x;
		}
	}
	return old;
}

json_t *view_history_json(const struct view_history *vh,
			  const struct store_change *c)
{
	char node[ID_TEXT_LEN + 1], buf[16];
	json_t *o = entry_head(c), *changes = json_array(), *one;
	const json_t *old;
	size_t i;
	int bad = 0;

	id_format(&c->origin, node);
	if (!o || !changes ||
	    json_object_set_new(o, "node", json_string(node)) ||
	    json_object_set_new(o, "operator", json_string(c->operator)))
		bad = 1;
	for (i = 0; i < c->vers.n && !bad; i++) {
		old = view_history_old(vh, c, i);
		/* "O" takes a reference: the trees stay the walker's and
		 * the change's. */
		one = json_pack("{sssOsO}", "field",
				view_field_name(c->coll, c->vers.e[i].field,
						buf),
				"old", old ? old : json_null(), "new",
				written(c, c->vers.e[i].field));
		if (json_array_append_new(changes, one) < 0)
			bad = 1;
	}
	if (!bad && json_object_set(o, "changes", changes) < 0)
		bad = 1;
	json_decref(changes);
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* Remember what c wrote, for the entries after it. */
static int remember(struct view_history *vh, const struct store_change *c)
{
	const struct version *v;
	char key[VERSION_KEY_MAX];
	struct id node;
	size_t i;
	int rc;

	for (i = 0; i < c->vers.n; i++) {
		v = &c->vers.e[i].v;
		rc = store_actor(vh->s, v->actor, &node, NULL, vh->e);
		if (rc < 0)
			return rc;
		version_key(key, c->vers.e[i].field, v->hlc, &node);
		if (json_object_set(vh->seen, key,
				    written(c, c->vers.e[i].field)) < 0)
			return err_set(vh->e, ERR_NOMEM, "out of memory");
	}
	return 0;
}

static int hist_one(void *ctx, const struct store_change *c)
{
	struct view_history *vh = ctx;
	int rc;

	rc = vh->fn(vh->ctx, vh, c);
	if (rc == 0)
		rc = remember(vh, c);
	return rc;
}

int view_history(struct store *s, const struct id *id, view_history_fn fn,
		 void *ctx, struct err *e)
{
	struct view_history vh = { s, json_object(), fn, ctx, e };
	int rc;

	rc = vh.seen ? 0 : err_set(e, ERR_NOMEM, "out of memory");
	/* A person's data handed out is in the audit trail first (a record
	 * of no personal collection is noted too: it is not known yet). */
	if (rc == 0)
		rc = store_audit_note(s, "history", NULL, id, 1,
				      STORE_AUDIT_CARE, e);
	if (rc == 0)
		rc = store_history(s, id, hist_one, &vh, e);
	json_decref(vh.seen);
	return rc;
}

/* ---- change log ---- */

/* The "fields" member: [names], or {name: value} with values. */
static json_t *log_fields(const struct store_change *c, int with_values)
{
	json_t *f = with_values ? json_object() : json_array();
	const char *name;
	char buf[16];
	size_t i;
	int bad = !f;

	for (i = 0; !bad && i < c->vers.n; i++) {
		name = view_field_name(c->coll, c->vers.e[i].field, buf);
		if (with_values)
			bad = json_object_set(f, name,
					      written(c, c->vers.e[i].field));
		else
			bad = json_array_append_new(f, json_string(name));
	}
	if (bad) {
		json_decref(f);
		return NULL;
	}
	return f;
}

json_t *view_log_json(const struct store_change *c, int with_values)
{
	char rec[ID_TEXT_LEN + 1], origin[ID_TEXT_LEN + 1];
	json_t *o = entry_head(c);

	id_format(&c->record, rec);
	id_format(&c->origin, origin);
	if (!o || json_object_set_new(o, "record", json_string(rec)) ||
	    json_object_set_new(o, "collection",
				json_string(c->coll->name)) ||
	    json_object_set_new(o, "origin", json_string(origin)) ||
	    json_object_set_new(o, "origin_seq",
				json_integer((json_int_t)c->origin_seq)) ||
	    json_object_set_new(o, "operator", json_string(c->operator)) ||
	    json_object_set_new(o, "fields", log_fields(c, with_values))) {
		json_decref(o);
		return NULL;
	}
	return o;
}
