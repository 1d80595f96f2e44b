/*
 * ui_dashboard.c - the Helpdesk's national dashboard (ui_int.h): the
 * indicators of `presidio report` over everything the hub holds (small
 * counts hidden as the report hides them: view/view_report.h) and the
 * nodes it serves with their last contact and refusals
 * (view/view_nodes.h).  Only the hub has a national view: on a node the
 * route answers 404.  No personal data: counts, sums, durations, node
 * names and times.
 */
#include "node/ui/ui_int.h"

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
