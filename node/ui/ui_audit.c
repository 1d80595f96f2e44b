/*
 * ui_audit.c - the audit trail in the web interface: GET /api/audit, the
 * latest entries for the coordinatore (the Focal Point on the hub), and
 * POST /api/records/{id}/emergency, break-the-glass on one record
 * (node/store_audit.h).  Entries carry ids, never values.
 */
#include "node/ui/ui_int.h"

#include <string.h>

#include "node/store_audit.h"

#define UI_AUDIT_LIMIT 300 /* entries a page shows */

struct audit_json {
	json_t *list;
	struct err *e;
};

static int add_entry(void *ctx, const struct store_audit_entry *a)
{
	struct audit_json *x = ctx;
	const struct schema_collection *c =
		a->coll ? schema_collection_by_id(a->coll) : NULL;
	char node[ID_TEXT_LEN + 1], rec[ID_TEXT_LEN + 1];
	json_t *o;

	id_format(&a->node, node);
	if (a->has_record)
		id_format(&a->record, rec);
	o = json_pack("{ss sI sI ss ss ss s:s? s:s? s:s? sI ss sb}", "node",
		      node, "nseq", (json_int_t)a->nseq, "time",
		      (json_int_t)a->at, "operator", a->operator, "role",
		      a->role, "action", a->action, "collection",
		      c ? c->name : NULL, "collection_label",
		      c ? c->label : NULL, "record",
		      a->has_record ? rec : NULL, "count",
		      (json_int_t)a->count, "purpose", a->purpose,
		      "emergency", a->glass);
	if (!o || json_array_append_new(x->list, o))
		return err_set(x->e, ERR_NOMEM, "memoria esaurita");
	return 0;
}

void ui_audit_list(struct ui *u, struct store *s, const struct ui_who *who,
		   const struct http_request *req, struct http_response *res)
{
	struct store_audit_filter f = { NULL, NULL, 0, UI_AUDIT_LIMIT };
	struct audit_json x = { json_array(), NULL };
	const char *only = http_request_query(req, "emergenza");
	struct err e;
	int rc;

	(void)u;
	(void)who;
	err_init(&e);
	x.e = &e;
	f.glass_only = only && strcmp(only, "1") == 0;
	rc = x.list ? store_audit_list(s, &f, add_entry, &x, &e)
		    : err_set(&e, ERR_NOMEM, "memoria esaurita");
	if (rc) {
		json_decref(x.list);
		ui_store_error(res, rc, &e);
		return;
	}
	ui_answer_json(res, 200, json_pack("{so}", "entries", x.list));
}

void ui_record_emergency(struct ui *u, struct store *s,
			 const struct ui_who *who,
			 const struct http_request *req,
			 struct http_response *res)
{
	const json_t *reason, *minutes;
	json_t *body = NULL;
	json_int_t m = 30;
	uint64_t until = 0;
	struct id id;
	struct err e;
	int rc;

	(void)u;
	(void)who;
	err_init(&e);
	if (ui_route_id(req, &id, res) || ui_body_object(req, &body, res))
		goto out;
	reason = json_object_get(body, "reason");
	minutes = json_object_get(body, "minutes");
	if (!json_is_string(reason)) {
		http_response_error(res, 400, "invalid",
				    "campo 'reason': il motivo è obbligatorio");
		goto out;
	}
	if (minutes) {
		if (!json_is_integer(minutes) ||
		    json_integer_value(minutes) < 1 ||
		    json_integer_value(minutes) > STORE_GLASS_MINUTES_MAX) {
			http_response_error(res, 400, "invalid",
					    "campo 'minutes': da 1 a %d minuti",
					    STORE_GLASS_MINUTES_MAX);
			goto out;
		}
		m = json_integer_value(minutes);
	}
	rc = store_glass_open(s, &id, json_string_value(reason), (unsigned)m,
			      &until, &e);
	if (rc)
		ui_store_error(res, rc, &e);
	else
		ui_answer_json(res, 200,
			       json_pack("{sI}", "until", (json_int_t)until));
out:
	json_decref(body);
}
