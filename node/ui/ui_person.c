/*
 * ui_person.c - the API over persons and records (ui_int.h): search,
 * the duplicate check before registering, registering, one record with
 * its fields' versions, and the schema the forms are drawn from.
 *
 * Queries travel in POST bodies, never in a URL: a name searched for is
 * personal data.  Record ids in paths are random and say nothing.
 */
#include "node/ui/ui_int.h"

#include <string.h>

#include "node/store_search.h"
#include "schema/schema.h"
#include "view/view_person.h"
#include "view/view_record.h"
#include "view/view_schema.h"

#define UI_DUPS_MAX 10

/* An optional string member of o, at most max bytes: 0 (*out NULL when
 * absent or null), or -1 with 400 answered naming it. */
static int opt_text(const json_t *o, const char *name, size_t max,
		    const char **out, struct http_response *res)
{
	const json_t *v = json_object_get(o, name);

	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v) || json_string_length(v) > max) {
		http_response_error(res, 400, "invalid", "campo '%s': un testo "
				    "di al massimo %zu caratteri", name, max);
		return -1;
	}
	*out = json_string_value(v);
	if (!**out)
		*out = NULL;
	return 0;
}

void ui_person_search(struct ui *u, struct store *s, const struct ui_who *who,
		      const struct http_request *req, struct http_response *res)
{
	struct store_search_hit hits[STORE_SEARCH_LIMIT_MAX];
	struct store_search_query q;
	const char *born = NULL;
	json_t *body = NULL, *list = NULL, *lim;
	size_t n = 0;
	struct err e;
	int rc = 0;

	(void)u;
	(void)who;
	memset(&q, 0, sizeof(q));
	err_init(&e);
	if (ui_body_object(req, &body, res))
		return;
	lim = json_object_get(body, "limit");
	if (opt_text(body, "name", 200, &q.name, res) ||
	    opt_text(body, "birth", 10, &born, res) ||
	    opt_text(body, "nationality", 2, &q.nationality, res))
		goto out;
	if (lim && (!json_is_integer(lim) || json_integer_value(lim) < 1 ||
		    json_integer_value(lim) > 100)) {
		http_response_error(res, 400, "invalid",
				    "campo 'limit': un numero da 1 a 100");
		goto out;
	}
	q.limit = lim ? (size_t)json_integer_value(lim) : STORE_SEARCH_LIMIT;
	if (!q.name && !born && !q.nationality) {
		http_response_error(res, 400, "invalid", "indica almeno un "
				    "criterio: nome, nascita o cittadinanza");
		goto out;
	}
	if (born)
		rc = view_person_born(born, &q, &e);
	if (!rc)
		rc = store_search_find(s, &q, hits, STORE_SEARCH_LIMIT_MAX, &n,
				       &e);
	list = json_array();
	if (!rc && !list)
		rc = err_set(&e, ERR_NOMEM, "out of memory");
	for (size_t i = 0; !rc && i < n; i++) {
		json_t *o = NULL;

		rc = view_person_hit(s, &hits[i], &o, &e);
		if (!rc && json_array_append_new(list, o))
			rc = err_set(&e, ERR_NOMEM, "out of memory");
	}
	if (rc)
		ui_store_error(res, rc, &e);
	else
		ui_answer_json(res, 200, json_pack("{s:O,s:I}", "hits", list,
						   "count", (json_int_t)n));
out:
	json_decref(list);
	json_decref(body);
}

/* The likely duplicates of fields (a person's), into a new array, and
 * whether one is strong. */
static int duplicates(struct store *s, const json_t *fields, json_t **out,
		      int *strong, struct err *e)
{
	struct store_search_dup d[UI_DUPS_MAX];
	size_t n = 0;
	int rc;

	*strong = 0;
	*out = json_array();
	if (!*out)
		return err_set(e, ERR_NOMEM, "out of memory");
	rc = store_search_duplicates(s, fields, NULL, d, UI_DUPS_MAX, &n, e);
	for (size_t i = 0; !rc && i < n; i++) {
		json_t *o = NULL;

		*strong |= d[i].strong;
		rc = view_person_dup(s, &d[i], &o, e);
		if (!rc && json_array_append_new(*out, o))
			rc = err_set(e, ERR_NOMEM, "out of memory");
	}
	return rc;
}

/* The "fields" member of body, validated as a new person's: 0, or -1
 * with 400 answered naming the field. */
static int person_fields(const json_t *body, const json_t **fields,
			 struct http_response *res)
{
	const struct schema_collection *c = schema_search_collection();
	struct err e;

	*fields = json_object_get(body, "fields");
	err_init(&e);
	if (!c) {
		http_response_error(res, 404, "not_found",
				    "nessuna raccolta di persone");
		return -1;
	}
	if (!json_is_object(*fields)) {
		http_response_error(res, 400, "invalid", "campo 'fields': i "
				    "dati della persona (un oggetto)");
		return -1;
	}
	if (schema_validate(c, *fields, 1, &e)) {
		http_response_error(res, 400, "invalid", "%s", e.msg);
		return -1;
	}
	return 0;
}

void ui_person_check(struct ui *u, struct store *s, const struct ui_who *who,
		     const struct http_request *req, struct http_response *res)
{
	const json_t *fields;
	json_t *body = NULL, *dups = NULL;
	struct err e;
	int strong, rc;

	(void)u;
	(void)who;
	err_init(&e);
	if (ui_body_object(req, &body, res) ||
	    person_fields(body, &fields, res))
		goto out;
	rc = duplicates(s, fields, &dups, &strong, &e);
	if (rc)
		ui_store_error(res, rc, &e);
	else
		ui_answer_json(res, 200, json_pack("{s:O,s:b}", "duplicates",
						   dups, "strong", strong));
out:
	json_decref(dups);
	json_decref(body);
}

void ui_person_add(struct ui *u, struct store *s, const struct ui_who *who,
		   const struct http_request *req, struct http_response *res)
{
	const struct schema_collection *c = schema_search_collection();
	struct store_put_result put;
	char idtext[ID_TEXT_LEN + 1];
	const json_t *fields, *force;
	json_t *body = NULL, *dups = NULL;
	struct err e;
	int strong, rc;

	(void)u;
	(void)who;
	err_init(&e);
	if (ui_body_object(req, &body, res) ||
	    person_fields(body, &fields, res))
		goto out;
	force = json_object_get(body, "force");
	if (force && !json_is_boolean(force)) {
		http_response_error(res, 400, "invalid",
				    "campo 'force': vero o falso");
		goto out;
	}
	rc = duplicates(s, fields, &dups, &strong, &e);
	if (!rc && strong && !json_is_true(force)) {
		/* Not written: a person looks at the likely duplicates and
		 * confirms that this is someone else. */
		ui_answer_json(res, 409, json_pack(
			"{s:{s:s,s:s},s:O}", "error", "code", "duplicate",
			"message", "persona NON registrata: una scheda molto "
			"simile esiste gia'. Controlla le schede indicate; se "
			"e' davvero un'altra persona, conferma la "
			"registrazione.", "duplicates", dups));
		goto out;
	}
	if (!rc)
		rc = store_put(s, c->name, NULL, fields, &put, &e);
	if (rc) {
		ui_store_error(res, rc, &e);
		goto out;
	}
	id_format(&put.id, idtext);
	ui_answer_json(res, 201, json_pack("{s:s,s:O}", "id", idtext,
					   "duplicates", dups));
out:
	json_decref(dups);
	json_decref(body);
}

void ui_record_get(struct ui *u, struct store *s, const struct ui_who *who,
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
	rc = view_record_get(s, &id, VIEW_RECORD_VERSIONS, &o, &e);
	ui_answer_record(s, &id, o, rc, &e, res);
}

void ui_person_prepare(struct ui *u, struct store *s, const struct ui_who *who,
		       const struct http_request *req,
		       struct http_response *res)
{
	struct err e;
	int rc;

	(void)u;
	(void)who;
	(void)req;
	err_init(&e);
	rc = store_search_prepare(s, &e);
	if (rc)
		ui_store_error(res, rc, &e);
	else
		ui_answer_json(res, 200, json_pack("{s:b}", "ready", 1));
}

void ui_schema_get(struct ui *u, struct store *s, const struct ui_who *who,
		   const struct http_request *req, struct http_response *res)
{
	(void)s;
	(void)u;
	(void)who;
	(void)req;
	ui_answer_json(res, 200, view_schema_json());
}
