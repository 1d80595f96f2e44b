/*
 * view_input.h - amounts in euro and dates as an Italian operator types
 * and reads them: "1.250,50" or "1250.50" for EUR 1,250.50 (kept in the
 * store as cents), "31/12/2026" or "2026-12-31" for a date (kept as
 * YYYY-MM-DD).
 *
 * Layer: the views (commands and web UI -> views -> ...); pure functions
 * over strings, no store, no allocation.  Parsing refuses what it cannot
 * read unambiguously (ERR_INVALID with a sentence in Italian naming what
 * is expected), never guesses: "1.250" is one thousand two hundred and
 * fifty euro (a dot followed by groups of three digits separates
 * thousands), "1.25" is one euro and 25 cents.
 */
#ifndef PRESIDIO_VIEW_VIEW_INPUT_H
#define PRESIDIO_VIEW_VIEW_INPUT_H

#include <stdint.h>

#include "common/err.h"

#define VIEW_EURO_TEXT 32 /* bytes of view_euro_format()'s text */
#define VIEW_DATE_TEXT 11 /* "YYYY-MM-DD" or "dd/mm/yyyy" and a NUL */
/* The largest amount accepted, in cents: EUR 1 billion, far above any
 * dote, so that sums of entries never come near overflow. */
#define VIEW_EURO_MAX_CENTS 100000000000LL

/*
 * Parse a non-negative amount in euro into *cents: digits with at most
 * two decimals after a comma or a dot; dots (with a decimal comma) or
 * dots between groups of three digits (without one) separate thousands;
 * an optional "EUR" or "€" before or after, blanks around.  0, or
 * ERR_INVALID (e filled) for anything else, a sign included.
 */
int view_euro_parse(const char *s, int64_t *cents,
		    struct err *e) ERR_MUST_USE;

/* cents as "1.250,50" (thousands dot, decimal comma, a leading "-" when
 * negative) into out. */
void view_euro_format(int64_t cents, char out[VIEW_EURO_TEXT]);

/*
 * Parse a date "dd/mm/yyyy" (also d/m/yyyy, or with '.' or '-' between
 * day, month and year) or "YYYY-MM-DD" into out as "YYYY-MM-DD".  The
 * day must exist (30/02 does not).  0, or ERR_INVALID (e filled).
 */
int view_date_parse(const char *s, char out[VIEW_DATE_TEXT],
		    struct err *e) ERR_MUST_USE;

/* A "YYYY-MM-DD" date as "dd/mm/yyyy" into out; any other text is
 * copied as it is (truncated to fit). */
void view_date_format(const char *iso, char out[VIEW_DATE_TEXT]);

/* Today's date (local time) as "YYYY-MM-DD". */
void view_date_today(char out[VIEW_DATE_TEXT]);

#endif
