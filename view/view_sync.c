/*
 * view_sync.c - see view_sync.h.
 *
 * Three readings of the store, joined per field name: the record's
 * history (who wrote each field last: this node, under which log number,
 * or another), its refusals, and its open conflicts.  The per-field map
 * is a JSON object name -> {"state", "label", "seq", "own"}; "seq" and
 * "own" are dropped before it is handed out.
 */
#include "view/view_sync.h"

#include <string.h>

#include "sync/sync.h"
#include "view/view_conflict.h"
#include "view/view_history.h"
#include "view/view_json.h"
#include "view/view_record.h"

const char *view_sync_state_name(enum view_sync_state st)
{
	switch (st) {
	case VIEW_SYNC_LOCAL: return "local";
	case VIEW_SYNC_REFUSED: return "refused";
	case VIEW_SYNC_CONFLICT: return "conflict";
	default: return "hub";
	}
}

const char *view_sync_state_label(enum view_sync_state st)
{
	switch (st) {
	case VIEW_SYNC_LOCAL: return "salvato solo qui";
	case VIEW_SYNC_REFUSED: return "rifiutato dall'Helpdesk";
	case VIEW_SYNC_CONFLICT: return "in conflitto";
	default: return "ricevuto dall'Helpdesk";
	}
}

struct walk {
	struct store *s;
	const struct id *id;
	uint64_t pushed;     /* the push checkpoint: own seqs above it wait */
	int on_hub;          /* the store is the hub */
	json_t *fields;      /* name -> {"state","label","seq","own"} */
	json_t *reason;      /* a whole-record refusal's reason, or NULL */
	json_t *record_conflict; /* a rule or delete conflict: true */
	json_int_t pending;  /* own changes after the checkpoint */
	int bad;
};

static void set_state(struct walk *w, json_t *f, enum view_sync_state st)
{
	view_json_put(f, "state", json_string(view_sync_state_name(st)),
		      &w->bad);
	view_json_put(f, "label", json_string(view_sync_state_label(st)),
		      &w->bad);
}

static int history_one(void *ctx, const struct view_history *vh,
		       const struct store_change *c)
{
	struct walk *w = ctx;
	int own = !w->on_hub && id_cmp(&c->origin, store_node_id(w->s)) == 0;
	enum view_sync_state st =
		own && c->seq > w->pushed ? VIEW_SYNC_LOCAL : VIEW_SYNC_HUB;

	(void)vh;
	if (st == VIEW_SYNC_LOCAL)
		w->pending++;
	for (size_t i = 0; i < c->vers.n; i++) {
		char buf[16];
		const char *name =
			view_field_name(c->coll, c->vers.e[i].field, buf);
		json_t *f = json_object();

		set_state(w, f, st);
		view_json_put(f, "seq", json_integer((json_int_t)c->seq),
			      &w->bad);
		view_json_put(f, "own", json_boolean(own), &w->bad);
		view_json_put(w->fields, name, f, &w->bad);
	}
	return w->bad ? ERR_NOMEM : 0;
}

/* A refusal of this record: the fields it wrote are refused where it is
 * still their latest write; one kept after its log entry went (at != 0)
 * refuses the record. */
static int refused_one(void *ctx, const struct store_refused *r)
{
	struct walk *w = ctx;
	const char *name;
	json_t *v;

	if (id_cmp(&r->record, w->id) != 0)
		return 0;
	if (r->at) {
		json_decref(w->reason);
		w->reason = json_string(r->reason ? r->reason : "");
		return w->reason ? 0 : ERR_NOMEM;
	}
	json_object_foreach(r->fields, name, v) {
		json_t *f = json_object_get(w->fields, name);

		(void)v;
		if (!f || !json_is_true(json_object_get(f, "own")) ||
		    (uint64_t)json_integer_value(json_object_get(f, "seq")) !=
			    r->seq)
			continue;
		set_state(w, f, VIEW_SYNC_REFUSED);
		view_json_put(f, "reason",
			      json_string(r->reason ? r->reason : ""), &w->bad);
	}
	return w->bad ? ERR_NOMEM : 0;
}

static int conflict_one(void *ctx, const struct view_conflict *vc)
{
	struct walk *w = ctx;
	const struct store_conflict *c = vc->c;
	json_t *f;

	if (c->kind != MERGE_CONFLICT_FIELD || !c->field) {
		w->record_conflict = json_true();
		return 0;
	}
	f = json_object_get(w->fields, c->field);
	if (!f) {
		f = json_object();
		view_json_put(w->fields, c->field, f, &w->bad);
	}
	set_state(w, f, VIEW_SYNC_CONFLICT);
	return w->bad ? ERR_NOMEM : 0;
}

static enum view_sync_state state_of(const json_t *f)
{
	const char *t = json_string_value(json_object_get(f, "state"));

	for (int st = VIEW_SYNC_CONFLICT; st > VIEW_SYNC_HUB; st--)
		if (t && strcmp(t, view_sync_state_name(st)) == 0)
			return st;
	return VIEW_SYNC_HUB;
}

int view_sync_record_json(struct store *s, const struct id *id,
			  json_t **out, struct err *e)
{
	struct walk w;
	enum view_sync_state worst = VIEW_SYNC_HUB;
	const char *name;
	json_t *f, *o = NULL;
	int rc;

	*out = NULL;
	memset(&w, 0, sizeof(w));
	w.s = s;
	w.id = id;
	w.on_hub = store_role(s) == STORE_ROLE_HUB;
	w.fields = json_object();
	if (!w.fields)
		return err_set(e, ERR_NOMEM, "out of memory");
	rc = store_checkpoint_get(s, SYNC_CK_PUSH, &w.pushed, NULL);
	if (rc == ERR_NOTFOUND) {
		w.pushed = 0;
		rc = 0;
	} else if (rc) {
		rc = err_set(e, rc, "cannot read the push checkpoint");
	}
	if (!rc)
		rc = view_history(s, id, history_one, &w, e);
	if (!rc && !w.on_hub)
		rc = store_refused_list(s, 1, refused_one, &w, e);
	if (!rc)
		rc = view_conflicts(s, id, conflict_one, &w, e);
	if (rc)
		goto out;
	json_object_foreach(w.fields, name, f) {
		enum view_sync_state st = state_of(f);

		if (st > worst)
			worst = st;
		json_object_del(f, "seq");
		json_object_del(f, "own");
	}
	if (w.reason && worst < VIEW_SYNC_REFUSED)
		worst = VIEW_SYNC_REFUSED;
	if (w.record_conflict)
		worst = VIEW_SYNC_CONFLICT;
	o = json_object();
	view_json_put(o, "state", json_string(view_sync_state_name(worst)),
		      &w.bad);
	view_json_put(o, "label", json_string(view_sync_state_label(worst)),
		      &w.bad);
	if (w.reason) {
		view_json_put(o, "reason", w.reason, &w.bad);
		w.reason = NULL;
	}
	view_json_put(o, "pending", json_integer(w.pending), &w.bad);
	view_json_put(o, "fields", w.fields, &w.bad);
	w.fields = NULL;
	if (w.bad) {
		rc = err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	*out = o;
	o = NULL;
out:
	json_decref(o);
	json_decref(w.fields);
	json_decref(w.reason);
	return rc;
}
