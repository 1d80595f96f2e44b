/*
 * view_person.h - persons as search shows them: a hit of
 * store_search_find() or a likely duplicate of store_search_duplicates()
 * as JSON with the fields that identify a person (those the schema's
 * search declaration names, struct schema_search), for the command line
 * and the web interface alike; and a birth date or year as an operator
 * types it, for a query.
 *
 * These answers carry personal data: the web interface sends them only to
 * a signed-in session, in a response body, never in a URL.
 */
#ifndef PRESIDIO_VIEW_PERSON_H
#define PRESIDIO_VIEW_PERSON_H

#include <jansson.h>

#include "common/err.h"
#include "node/store.h"
#include "node/store_search.h"

/*
 * {"id","score","given_name","family_name","birth_date","nationality",
 * "other_names","merged","cycle"} of hit h (the names are the person
 * collection's own fields; an unset one is "" or null): a new object into
 * *out.  The store's errors reading the person.
 */
int view_person_hit(struct store *s, const struct store_search_hit *h,
		    json_t **out, struct err *e) ERR_MUST_USE;

/*
 * The same fields for likely duplicate d, with "score", "similar",
 * "strong" and "why": the reasons in Italian ("stesso codice fiscale",
 * "nomi simili", "stessa data di nascita", "stessa cittadinanza").
 */
int view_person_dup(struct store *s, const struct store_search_dup *d,
		    json_t **out, struct err *e) ERR_MUST_USE;

/*
 * A birth date or year as typed (31/12/1990, 1990-12-31 or 1990) into
 * q's born_year, born_month and born_day.  0, or ERR_INVALID naming the
 * forms accepted.
 */
int view_person_born(const char *text, struct store_search_query *q,
		     struct err *e) ERR_MUST_USE;

#endif
