/*
 * view_case.h - a case as the people who follow it need it: its fields,
 * the BdI procedure as a timeline (each step taken, with when), the next
 * steps and, for each, whether this node may take it or what is missing
 * (the role, or each requirement not met, by its Italian label), and the
 * records under the case (assessment, plan and its goals, profiles,
 * services, dote, referrals, follow-ups) by id with a short summary.
 *
 * Step times come from the record's history: the change that first set
 * each value of case.bdi_stage (view_case_times(), which the report's
 * days between steps use too: one implementation).  The next steps are
 * judged by the store (node/store_step.h), with the rules a write is
 * judged by.
 *
 * Personal data: the case's own fields are not personal; the summaries
 * of its records carry only fields that are not PERSONAL, and of those
 * only enum values, dates, booleans and numbers, plus the hub's own
 * fields (HUB_ONLY: the reason of a rejection and the orientation, which
 * return to the node that sent the case).  The JSON built is the
 * caller's (json_decref()).  Layer: views (above the store); reads only.
 */
#ifndef PRESIDIO_VIEW_VIEW_CASE_H
#define PRESIDIO_VIEW_VIEW_CASE_H

#include <jansson.h>
#include <stdint.h>

#include "common/err.h"
#include "node/store.h"

#define VIEW_CASE_STEPS 16 /* values of case.bdi_stage, at most */

/* When a case's procedure moved. */
struct view_case_times {
	uint64_t first;                   /* first change, ms (0: unknown) */
	uint64_t step[VIEW_CASE_STEPS];   /* step[k]: when the k-th value of
					     case.bdi_stage was first set,
					     ms (0: never) */
};

/* The times of case id from its history into out.  0, ERR_NOTFOUND,
 * ERR_FAIL (no case.bdi_stage, or too many values), the store's. */
int view_case_times(struct store *s, const struct id *id,
		    struct view_case_times *out, struct err *e) ERR_MUST_USE;

/*
 * Case id as JSON into *out:
 *   {"id", "label", "fields": {...the case's values...},
 *    "role": this node's role or null,
 *    "bdi": {"stage", "stage_label" (null when outside the procedure),
 *            "timeline": [{"stage", "label", "at": "YYYY-MM-DDTHH:MM:SSZ"}]
 *              (in time order),
 *            "next": [{"to", "label", "roles": [...] or null (anyone),
 *                      "allowed", "role_ok",
 *                      "missing": [requirement labels]}]},
 *    "children": [{"collection", "label", "id", "parent",
 *                  "summary": {field: value},
 *                  "budgets": [{"child", "field", "cap", "used",
 *                               "remaining", "over"}] (a record with caps,
 *                    schema_aggregate: a dote's ledger against its EUR
 *                    12,000; used and remaining null when the sum does
 *                    not fit)}]}
 * ERR_NOTFOUND when id is no live case.
 */
int view_case_json(struct store *s, const struct id *id, json_t **out,
		   struct err *e) ERR_MUST_USE;

#endif
