/*
 * view_report_csv.c - the report as CSV (view_report_csv(), declared in
 * view_report.h), written from the report's JSON so that the two never
 * disagree: one line per entry, "tabella;titolo;riga;colonna;valore",
 * the long shape a spreadsheet's pivot table reads whatever the table's
 * dimensions.
 */
#include "view/view_report.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"

#define CSV_SEP ';'
#define CSV_HIDDEN "riservato"
#define CSV_TOTAL "Totale"
#define CSV_MAX (64u << 20) /* a report is a few KiB; this is a bound */

static int put(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

/* Text, quoted when it holds the separator, a quote or a line break. */
static int put_text(struct buf *b, const char *s)
{
	int rc = 0;

	if (!strpbrk(s, ";\"\r\n"))
		return put(b, s);
	rc |= put(b, "\"");
	for (; *s && rc == 0; s++)
		rc |= *s == '"' ? put(b, "\"\"") : buf_append(b, s, 1);
	rc |= put(b, "\"");
	return rc ? ERR_NOMEM : 0;
}

/* A value: hidden, a count, cents as euro or days, with a decimal
 * comma. */
static int put_value(struct buf *b, const json_t *v, int cents)
{
	char num[64];
	json_int_t n;
	uint64_t a;
	char *dot;

	if (json_is_null(v) || !v)
		return put(b, CSV_HIDDEN);
	if (json_is_real(v)) {
		snprintf(num, sizeof(num), "%.1f", json_real_value(v));
		dot = strchr(num, '.');
		if (dot)
			*dot = ',';
	} else if (cents) {
		n = json_integer_value(v);
		a = n < 0 ? (uint64_t)0 - (uint64_t)n : (uint64_t)n;
		snprintf(num, sizeof(num), "%s%" PRIu64 ",%02" PRIu64,
			 n < 0 ? "-" : "", a / 100, a % 100);
	} else {
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
			 json_integer_value(v));
	}
	return put(b, num);
}

static int line(struct buf *b, const json_t *t, const char *row,
		const char *col, const json_t *v)
{
	const char *unit = json_string_value(json_object_get(t, "unit"));
	char sep[2] = { CSV_SEP, 0 };
	int rc = 0;

	rc |= put_text(b, json_string_value(json_object_get(t, "name")));
	rc |= put(b, sep);
	rc |= put_text(b, json_string_value(json_object_get(t, "title")));
	rc |= put(b, sep);
	rc |= put_text(b, row);
	rc |= put(b, sep);
	rc |= put_text(b, col);
	rc |= put(b, sep);
	rc |= put_value(b, v, unit && strcmp(unit, "euro_cents") == 0);
	rc |= put(b, "\r\n");
	return rc ? ERR_NOMEM : 0;
}

static const char *label_at(const json_t *dim, size_t i)
{
	const char *s = json_string_value(
		json_array_get(json_object_get(dim, "labels"), i));

	return s ? s : "";
}

static int table(struct buf *b, const json_t *t, struct err *e)
{
	const json_t *rows = json_object_get(t, "rows"),
		     *cols = json_object_get(t, "columns"),
		     *cells = json_object_get(t, "cells"),
		     *rt = json_object_get(t, "row_totals"),
		     *ct = json_object_get(t, "column_totals"),
		     *tot = json_object_get(t, "total"), *row;
	size_t i, j, nc;
	int rc = 0;

	if (!json_is_string(json_object_get(t, "name")) ||
	    !json_is_string(json_object_get(t, "title")) ||
	    !json_is_object(rows) || !json_is_object(cols) ||
	    !json_is_array(cells))
		return err_set(e, ERR_INVALID, "not a report table");
	nc = json_array_size(json_object_get(cols, "keys"));
	json_array_foreach(cells, i, row)
		for (j = 0; j < json_array_size(row) && j < nc && rc == 0; j++)
			rc = line(b, t, label_at(rows, i), label_at(cols, j),
				  json_array_get(row, j));
	for (i = 0; rt && i < json_array_size(rt) && rc == 0; i++)
		rc = line(b, t, label_at(rows, i), CSV_TOTAL,
			  json_array_get(rt, i));
	for (j = 0; ct && j < json_array_size(ct) && rc == 0; j++)
		rc = line(b, t, CSV_TOTAL, label_at(cols, j),
			  json_array_get(ct, j));
	if (tot && rc == 0)
		rc = line(b, t, CSV_TOTAL,
			  nc > 1 ? CSV_TOTAL : label_at(cols, 0), tot);
	return rc ? err_set(e, ERR_NOMEM, "out of memory") : 0;
}

int view_report_csv(const json_t *report, char **out, struct err *e)
{
	const json_t *tables = json_object_get(report, "tables"), *t;
	struct buf b;
	size_t i, len, cap;
	int rc;

	*out = NULL;
	buf_init(&b, CSV_MAX);
	if (!json_is_array(tables))
		return err_set(e, ERR_INVALID, "not a report");
	rc = put(&b, "tabella;titolo;riga;colonna;valore\r\n");
	if (rc)
		rc = err_set(e, ERR_NOMEM, "out of memory");
	json_array_foreach(tables, i, t) {
		if (rc)
			break;
		rc = table(&b, t, e);
	}
	if (rc == 0 && buf_append(&b, "", 1))
		rc = err_set(e, ERR_NOMEM, "out of memory");
	if (rc == 0)
		*out = (char *)buf_steal(&b, &len, &cap);
	buf_release(&b);
	return rc;
}
