/*
 * ui_review.c - the review queue ("Da rivedere") of the web interface
 * (ui_int.h): the open conflicts with their candidates side by side
 * (value, who, when, on which node), and their settling with one click
 * (a candidate by its number), a new value, or, for a deletion, keeping
 * it or undoing it.  Rule conflicts are listed with their reason and are
 * settled by writing the records they are about (a storno, a step).
 */
#include "node/ui/ui_int.h"

#include <string.h>

#include "view/view_conflict.h"

static int list_one(void *ctx, const struct view_conflict *vc)
{
	json_t *o = view_conflict_json(vc);

	if (!o || json_array_append_new(ctx, o))
		return ERR_NOMEM;
	return 0;
}

void ui_review_list(struct ui *u, struct store *s, const struct ui_who *who,
		    const struct http_request *req, struct http_response *res)
{
	json_t *list = json_array();
	struct err e;
	int rc;

	(void)u;
	(void)who;
	(void)req;
	err_init(&e);
	rc = list ? view_conflicts(s, NULL, list_one, list, &e)
		  : err_set(&e, ERR_NOMEM, "out of memory");
	if (rc == ERR_NOMEM && !e.msg[0])
		err_set(&e, ERR_NOMEM, "out of memory");
	if (rc)
		ui_store_error(res, rc, &e);
	else
		ui_answer_json(res, 200, json_pack("{s:O,s:I}", "conflicts",
						   list, "count",
						   (json_int_t)json_array_size(
							   list)));
	json_decref(list);
}

/* Settle one conflict of the body's record: 0 or an ERR_* (e filled), or
 * 1 with 400 answered naming the member at fault. */
static int settle(struct store *s, const json_t *body, const struct id *id,
		  struct http_response *res, struct err *e)
{
	const json_t *field = json_object_get(body, "field");
	const json_t *pick = json_object_get(body, "pick");
	const json_t *value = json_object_get(body, "value");
	const json_t *del = json_object_get(body, "deleted");
	json_t *chosen = NULL;
	int rc;

	if (del) {
		const char *how = json_string_value(del);

		if (!how || (strcmp(how, "keep") && strcmp(how, "undelete"))) {
			http_response_error(res, 400, "invalid", "campo "
					    "'deleted': \"keep\" o "
					    "\"undelete\"");
			return 1;
		}
		return store_resolve_delete(s, id, strcmp(how, "keep") == 0, e);
	}
	if (!json_is_string(field) || !json_string_length(field) ||
	    json_string_length(field) >= SCHEMA_NAME_MAX) {
		http_response_error(res, 400, "invalid",
				    "campo 'field': il nome del campo");
		return 1;
	}
	if (!pick == !value) {
		http_response_error(res, 400, "invalid", "indica 'pick' (il "
				    "numero del valore scelto) oppure 'value' "
				    "(un valore nuovo)");
		return 1;
	}
	if (pick && (!json_is_integer(pick) || json_integer_value(pick) < 1)) {
		http_response_error(res, 400, "invalid", "campo 'pick': un "
				    "numero da 1 in su");
		return 1;
	}
	if (pick) {
		rc = view_conflict_pick(s, id, json_string_value(field),
					(uint64_t)json_integer_value(pick),
					&chosen, e);
		if (rc)
			return rc;
		value = chosen;
	}
	rc = store_resolve(s, id, json_string_value(field), value, NULL, e);
	json_decref(chosen);
	return rc;
}

void ui_review_settle(struct ui *u, struct store *s, const struct ui_who *who,
		      const struct http_request *req,
		      struct http_response *res)
{
	json_t *body = NULL;
	struct id id;
	struct err e;
	int rc;

	(void)u;
	(void)who;
	err_init(&e);
	if (ui_body_object(req, &body, res))
		return;
	if (ui_body_id(body, "record", "l'identificativo della scheda", &id,
		       res))
		goto out;
	rc = settle(s, body, &id, res, &e);
	if (rc == 1)
		goto out;
	if (rc)
		ui_store_error(res, rc, &e);
	else
		ui_answer_json(res, 200, json_pack("{s:b}", "settled", 1));
out:
	json_decref(body);
}
