/*
 * view_home.h - the home page of an operator: the cases this node holds
 * by stage of their path and of the BdI procedure, and the deadlines
 * around today (residence permits expiring, plan reviews and goals due,
 * follow-ups planned), each with the record to open.
 *
 * Deadlines carry personal data (the person's name beside an expiring
 * permit): the web interface sends them to a signed-in session only.
 *
 * Reading every case and every dated record takes over a second at
 * 50,000 persons, so what they give is kept in a memo (store.h, sealed
 * like the records: it holds names) with the change it reflects; a call
 * reads the memo and the records changed since, and writes the memo back
 * when it moved.  It is built again from every record when missing, not
 * openable, of another build or schema, after records left without a
 * change (an eviction, a start-over) or after more than a few thousand
 * changes.  Layer: views; writes nothing but its memo.
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
