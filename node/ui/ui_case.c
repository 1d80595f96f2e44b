/*
 * ui_case.c - the API over cases and edits (ui_int.h): the cases of a
 * person, a case with its BdI timeline and next steps (view/view_case.h:
 * each step with whether this node's role may take it and what is
 * missing), a new record under a case (a service, the PAI, a ledger
 * entry...), and the edit of a record's fields, by which a step is taken:
 * the store judges it as it judges every write (roles, requirements,
 * caps), and its refusal, in Italian, comes back as the answer.
 */
#include "node/ui/ui_int.h"

#include <string.h>

#include "schema/schema.h"
#include "view/view_case.h"
#include "view/view_home.h"
#include "view/view_input.h"
#include "view/view_record.h"
#include "view/view_sync.h"

void ui_answer_record(struct store *s, const struct id *id, json_t *o,
		      int rc, struct err *e, struct http_response *res)
{
	json_t *sync = NULL;

	if (!rc)
		rc = view_sync_record_json(s, id, &sync, e);
	if (!rc && json_object_set_new(o, "sync", sync))
		rc = err_set(e, ERR_NOMEM, "out of memory");
	if (rc) {
		json_decref(o);
		ui_store_error(res, rc, e);
	} else {
		ui_answer_json(res, 200, o);
	}
}

/* The fields a write sends: a non-empty object, or NULL with res
 * answered 400. */
static const json_t *fields_of(const json_t *body, struct http_response *res)
{
	const json_t *f = json_object_get(body, "fields");

	if (json_is_object(f) && json_object_size(f) > 0)
		return f;
	http_response_error(res, 400, "invalid", "campo 'fields': i campi da "
			    "scrivere (un oggetto)");
	return NULL;
}

void ui_case_get(struct ui *u, struct store *s, const struct ui_who *who,
		 const struct http_request *req, struct http_response *res)
{
	json_t *o = NULL;
	struct id id;
	struct err e;
	int rc;

	(void)u;
	(void)who;
	err_init(&e);
	if (ui_route_id(req, &id, res))
		return;
	rc = view_case_json(s, &id, &o, &e);
	ui_answer_record(s, &id, o, rc, &e, res);
}

/* The collection whose records name a person as their subject (a case:
 * struct schema_collection.scope_subject, a REF to the person's). */
static const struct schema_collection *subject_root(void)
{
	const struct schema_collection *p = schema_search_collection();
	const struct schema_collection *c;

	for (size_t i = 0; p && (c = schema_at(i)) != NULL; i++) {
		const struct schema_field *f =
			c->scope_subject ? schema_field(c, c->scope_subject)
					 : NULL;

		if (f && f->ref && strcmp(f->ref, p->name) == 0)
			return c;
	}
	return NULL;
}

/* A copy: the listing's JSON shares the record's decrypted values, which
 * it releases after the call. */
static int add_one(void *ctx, json_t *record)
{
	return json_array_append_new(ctx, json_deep_copy(record)) ? ERR_NOMEM
								 : 0;
}

void ui_case_of_person(struct ui *u, struct store *s, const struct ui_who *who,
		       const struct http_request *req,
		       struct http_response *res)
{
	const struct schema_collection *c = subject_root();
	struct view_list_opts o;
	struct view_where w;
	const json_t *person;
	json_t *body = NULL, *list = NULL;
	struct id id;
	struct err e;
	int rc;

	(void)u;
	(void)who;
	err_init(&e);
	if (ui_body_object(req, &body, res))
		return;
	if (ui_body_id(body, "person", "l'identificativo della persona", &id,
		       res))
		goto out;
	person = json_object_get(body, "person");
	if (!c) {
		http_response_error(res, 404, "not_found", "nessun caso");
		goto out;
	}
	memset(&o, 0, sizeof(o));
	memset(&w, 0, sizeof(w));
	w.field = schema_field(c, c->scope_subject);
	w.value = json_string_value(person);
	o.where = &w;
	o.nwhere = 1;
	list = json_array();
	rc = list ? view_record_list(s, c->name, &o, add_one, list, NULL, &e)
		  : err_set(&e, ERR_NOMEM, "out of memory");
	if (rc)
		ui_store_error(res, rc, &e);
	else
		ui_answer_json(res, 200, json_pack("{s:O}", "cases", list));
out:
	json_decref(list);
	json_decref(body);
}

void ui_record_edit(struct ui *u, struct store *s, const struct ui_who *who,
		    const struct http_request *req, struct http_response *res)
{
	struct store_record r;
	const json_t *fields;
	json_t *body = NULL;
	struct id id;
	struct err e;
	int rc;

	(void)u;
	(void)who;
	err_init(&e);
	store_record_init(&r);
	if (ui_route_id(req, &id, res) || ui_body_object(req, &body, res))
		goto out;
	if ((fields = fields_of(body, res)) == NULL)
		goto out;
	rc = store_get(s, &id, &r, &e);
	if (!rc && !r.coll)
		rc = err_set(&e, ERR_NOTFOUND, "scheda di una raccolta che "
			     "questo nodo non conosce");
	if (!rc)
		rc = store_put(s, r.coll->name, &id, fields, NULL, &e);
	if (rc)
		ui_store_error(res, rc, &e);
	else
		ui_answer_json(res, 200, json_pack("{s:b}", "saved", 1));
out:
	store_record_release(&r);
	json_decref(body);
}

void ui_record_add(struct ui *u, struct store *s, const struct ui_who *who,
		   const struct http_request *req, struct http_response *res)
{
	const struct schema_collection *c = NULL;
	struct store_put_result put;
	char idtext[ID_TEXT_LEN + 1];
	const json_t *fields;
	json_t *body = NULL;
	const char *name;
	struct err e;
	int rc;

	(void)u;
	(void)who;
	err_init(&e);
	if (ui_body_object(req, &body, res))
		goto out;
	name = json_string_value(json_object_get(body, "collection"));
	if (name)
		c = schema_collection(name);
	/* A person is registered through /api/persons, which looks for
	 * the same person first. */
	if (!c || c == schema_search_collection()) {
		http_response_error(res, 400, "invalid", "campo 'collection': "
				    "il tipo di scheda da creare");
		goto out;
	}
	if ((fields = fields_of(body, res)) == NULL)
		goto out;
	rc = store_put(s, c->name, NULL, fields, &put, &e);
	if (rc) {
		ui_store_error(res, rc, &e);
		goto out;
	}
	id_format(&put.id, idtext);
	ui_answer_json(res, 201, json_pack("{s:s}", "id", idtext));
out:
	json_decref(body);
}

void ui_home(struct ui *u, struct store *s, const struct ui_who *who,
	     const struct http_request *req, struct http_response *res)
{
	char today[VIEW_DATE_TEXT];
	json_t *o = NULL;
	struct err e;
	int rc;

	(void)u;
	(void)who;
	(void)req;
	err_init(&e);
	view_date_today(today);
	/* The figures come from the store's memo and the changes since
	 * (view/view_home.h), not from every record. */
	rc = view_home_json(s, today, UI_HOME_DAYS, &o, &e);
	if (rc)
		ui_store_error(res, rc, &e);
	else
		ui_answer_json(res, 200, o);
}
