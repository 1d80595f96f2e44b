/* prom.c - see prom.h. */
#include "common/prom.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static int is_name(const char *s)
{
	if (!s || !*s || (*s >= '0' && *s <= '9'))
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	return 1;
}

static int put(struct buf *b, const char *s)
{
	return buf_append(b, s, strlen(s));
}

/* A label value or help text, escaped as the format asks. */
static int put_escaped(struct buf *b, const char *s, int quote)
{
	int rc = 0;

	for (; *s && rc == 0; s++) {
		if (*s == '\\')
			rc = put(b, "\\\\");
		else if (*s == '\n')
			rc = put(b, "\\n");
		else if (*s == '"' && quote)
			rc = put(b, "\\\"");
		else
			rc = buf_append(b, s, 1);
	}
	return rc;
}

int prom_family(struct buf *b, const char *name, const char *type,
		const char *help)
{
	int rc;

	assert(is_name(name));
	rc = put(b, "# HELP ");
	if (!rc)
		rc = put(b, name);
	if (!rc)
		rc = put(b, " ");
	if (!rc)
		rc = put_escaped(b, help, 0);
	if (!rc)
		rc = put(b, "\n# TYPE ");
	if (!rc)
		rc = put(b, name);
	if (!rc)
		rc = put(b, " ");
	if (!rc)
		rc = put(b, type);
	if (!rc)
		rc = put(b, "\n");
	return rc;
}

static int put_value(struct buf *b, double v)
{
	char text[64];

	if (isnan(v))
		return put(b, "NaN");
	if (isinf(v))
		return put(b, v > 0 ? "+Inf" : "-Inf");
	if (v == floor(v) && fabs(v) < 1e15)
		snprintf(text, sizeof(text), "%.0f", v);
	else
		snprintf(text, sizeof(text), "%.9g", v);
	return put(b, text);
}

/* name{labels[,extra="value"]} value */
static int line(struct buf *b, const char *name, const char *suffix,
		const struct prom_labels *l, const char *extra,
		const char *extra_value, double v)
{
	size_t i, n = l ? l->n : 0;
	int rc, first = 1;

	assert(is_name(name) && n <= PROM_LABELS_MAX);
	rc = put(b, name);
	if (!rc && suffix)
		rc = put(b, suffix);
	if (!rc && (n || extra))
		rc = put(b, "{");
	for (i = 0; i < n + (extra ? 1 : 0) && rc == 0; i++) {
		const char *ln = i < n ? l->names[i] : extra;
		const char *lv = i < n ? l->values[i] : extra_value;

		assert(is_name(ln));
		if (!first)
			rc = put(b, ",");
		first = 0;
		if (!rc)
			rc = put(b, ln);
		if (!rc)
			rc = put(b, "=\"");
		if (!rc)
			rc = put_escaped(b, lv ? lv : "", 1);
		if (!rc)
			rc = put(b, "\"");
	}
	if (!rc && (n || extra))
		rc = put(b, "}");
	if (!rc)
		rc = put(b, " ");
	if (!rc)
		rc = put_value(b, v);
	if (!rc)
		rc = put(b, "\n");
	return rc;
}

int prom_sample(struct buf *b, const char *name, const struct prom_labels *l,
		double value)
{
	return line(b, name, NULL, l, NULL, NULL, value);
}

int prom_histogram(struct buf *b, const char *name,
		   const struct prom_labels *l, const double *bounds,
		   const uint64_t *counts, size_t n, uint64_t over,
		   double sum)
{
	char le[32];
	uint64_t total = 0;
	size_t i;
	int rc = 0;

	for (i = 0; i < n && rc == 0; i++) {
		total += counts[i];
		snprintf(le, sizeof(le), "%g", bounds[i]);
		rc = line(b, name, "_bucket", l, "le", le, (double)total);
	}
	total += over;
	if (!rc)
		rc = line(b, name, "_bucket", l, "le", "+Inf", (double)total);
	if (!rc)
		rc = line(b, name, "_sum", l, NULL, NULL, sum);
	if (!rc)
		rc = line(b, name, "_count", l, NULL, NULL, (double)total);
	return rc;
}
