/*
 * ui_dashboard.c - the Helpdesk's national dashboard (ui_int.h): the
 * indicators of `presidio report` over everything the hub holds (small
 * counts hidden as the report hides them: view/view_report.h) and the
 * nodes it serves with their last contact and refusals
 * (view/view_nodes.h).  Only the hub has a national view: on a node the
 * route answers 404.  No personal data: counts, sums, durations, node
 * names and times.  The Helpdesk also changes the doti allocation here
 * (registry/registry.h: never below what a partner uses now).
 */
#include "node/ui/ui_int.h"

#include "registry/registry.h"
#include "schema/schema.h"
#include "view/view_nodes.h"
#include "view/view_report.h"

void ui_dashboard(struct ui *u, struct store *s, const struct ui_who *who,
		  const struct http_request *req, struct http_response *res)
{
	struct view_report_opts o = { 0, NULL, NULL };
	json_t *report = NULL, *nodes = NULL;
	struct err e;
	int rc;

	(void)u;
	(void)who;
	(void)req;
	err_init(&e);
	if (store_role(s) != STORE_ROLE_HUB) {
		http_response_error(res, 404, "not_found", "il cruscotto "
				    "nazionale e' solo sull'Helpdesk");
		return;
	}
	rc = view_report(s, &o, &report, &e);
	if (!rc)
		rc = view_nodes_json(s, &nodes, &e);
	if (rc) {
		json_decref(report);
		ui_store_error(res, rc, &e);
		return;
	}
	ui_answer_json(res, 200, json_pack("{s:o,s:o}", "report", report,
					    "nodes", nodes));
}

#define UI_ALLOCATION_MAX 1000000 /* as `presidio hub allocation set` */

void ui_allocation_set(struct ui *u, struct store *s, const struct ui_who *who,
		       const struct http_request *req,
		       struct http_response *res)
{
	const struct schema_collection *q = schema_quota_collection();
	json_t *body = NULL;
	const json_t *n;
	const char *partner;
	struct err e;
	int rc;

	(void)u;
	(void)who;
	err_init(&e);
	if (store_role(s) != STORE_ROLE_HUB || !q) {
		http_response_error(res, 404, "not_found", "l'assegnazione "
				    "delle doti e' solo sull'Helpdesk");
		return;
	}
	if (ui_body_object(req, &body, res))
		return;
	partner = json_string_value(json_object_get(body, "partner"));
	n = json_object_get(body, "allocated");
	if (!partner || !*partner) {
		http_response_error(res, 400, "invalid", "campo 'partner': il "
				    "partner a cui assegnare le doti");
		goto out;
	}
	if (!json_is_integer(n) || json_integer_value(n) < 0 ||
	    json_integer_value(n) > UI_ALLOCATION_MAX) {
		http_response_error(res, 400, "invalid", "campo 'allocated': "
				    "un numero intero di doti da 0 a %d",
				    UI_ALLOCATION_MAX);
		goto out;
	}
	rc = registry_allocation_set(s, q->name, partner,
				     (int64_t)json_integer_value(n), &e);
	/* The registry speaks to the administrator (English): the
	 * operator reads these. */
	if (rc == ERR_NOTFOUND || rc == ERR_INVALID)
		http_response_error(res, 400, "invalid", "campo 'partner': "
				    "non e' un partner del programma");
	else if (rc == ERR_CONFLICT)
		http_response_error(res, 409, "conflict", "campo 'allocated': "
				    "il partner ha gia' piu' doti attive di "
				    "cosi'");
	else if (rc)
		ui_store_error(res, rc, &e);
	else
		ui_answer_json(res, 200, json_pack("{s:b}", "saved", 1));
out:
	json_decref(body);
}
