/*
 * view_home.h - the home page of an operator: the cases this node holds
 * by stage of their path and of the BdI procedure, and the deadlines
 * around today (residence permits expiring, plan reviews and goals due,
 * follow-ups planned), each with the record to open.
 *
 * Deadlines carry personal data (the person's name beside an expiring
 * permit): the web interface sends them to a signed-in session only.
 * Each collection's records are read whole (a node holds its scope, a few
 * thousand; a hub's home would want an index by date).  Layer: views;
 * reads only.
 */
#ifndef PRESIDIO_VIEW_VIEW_HOME_H
#define PRESIDIO_VIEW_VIEW_HOME_H

#include <jansson.h>

#include "common/err.h"
#include "node/store.h"

#define VIEW_HOME_PAST_DAYS 30 /* deadlines this far back, flagged late */

/*
 * {"cases": {"total", "by_stage": [{"value","label","count"}],
 *            "by_bdi_stage": [...]},
 *  "deadlines": [{"kind","label","collection","id","date","late",
 *                 "person": {"id","name"} or null}]}
 * for today ("YYYY-MM-DD") and the days after it to look at (1..365):
 * deadlines from VIEW_HOME_PAST_DAYS before today to days after, by date.
 * A new tree into *out; ERR_INVALID for a bad today or days.
 */
int view_home_json(struct store *s, const char *today, int days,
		   json_t **out, struct err *e) ERR_MUST_USE;

#endif
