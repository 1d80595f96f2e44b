/*
 * view_input.c - euro amounts and dates typed by an operator.  See
 * view_input.h.
 */
#include "view/view_input.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define EURO_TEXT_MAX 64 /* longest amount text considered */

static const char euro_rule[] =
	"l'importo si scrive in euro con al massimo due decimali, per "
	"esempio 1250,50 o 1.250,50 o 1250.50";

static int is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

/* s without blanks and a "EUR" or euro sign around it, into out. */
static int euro_strip(const char *s, char *out, size_t cap)
{
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	if (strncmp(s, "EUR", 3) == 0 || strncmp(s, "eur", 3) == 0)
		s += 3;
	else if (strncmp(s, "\xe2\x82\xac", 3) == 0)
		s += 3;
	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	if (n >= cap)
		return -1;
	memcpy(out, s, n + 1);
	while (n && (out[n - 1] == ' ' || out[n - 1] == '\t'))
		out[--n] = '\0';
	if (n >= 3 && (strcmp(out + n - 3, "EUR") == 0 ||
		       strcmp(out + n - 3, "eur") == 0 ||
		       strcmp(out + n - 3, "\xe2\x82\xac") == 0))
		out[n -= 3] = '\0';
	while (n && (out[n - 1] == ' ' || out[n - 1] == '\t'))
		out[--n] = '\0';
	return n ? 0 : -1;
}

/* The integer part at s..end: digits, or groups of three digits after
 * the first separated by sep (0: no separator allowed).  -1 when bad or
 * too large. */
static int euro_units(const char *s, const char *end, char sep,
		      int64_t *out)
{
	int64_t v = 0;
	int run = 0, grouped = 0;

	if (s == end)
		return -1;
	for (; s < end; s++) {
		if (sep && *s == sep) {
			if (run == 0 || (grouped && run != 3) ||
			    (!grouped && run > 3))
				return -1;
			grouped = 1;
			run = 0;
			continue;
		}
		if (!is_digit(*s))
			return -1;
		if (v > VIEW_EURO_MAX_CENTS / 100)
			return -1;
		v = v * 10 + (*s - '0');
		run++;
	}
	if (grouped && run != 3)
		return -1;
	*out = v;
	return 0;
}

int view_euro_parse(const char *s, int64_t *cents, struct err *e)
{
	char t[EURO_TEXT_MAX];
	const char *dec = NULL, *end, *p;
	int64_t units = 0, frac = 0;
	char sep = 0;
	size_t nd = 0;

	if (!s || euro_strip(s, t, sizeof(t)) < 0)
		return err_set(e, ERR_INVALID, "%s", euro_rule);
	end = t + strlen(t);
	if ((p = strchr(t, ','))) {
		/* A decimal comma: dots before it separate thousands. */
		if (strchr(p + 1, ',') || strchr(p + 1, '.'))
			return err_set(e, ERR_INVALID, "%s", euro_rule);
		dec = p;
		sep = '.';
	} else if ((p = strrchr(t, '.'))) {
		/* Dots only: one followed by 1 or 2 digits is the decimal
		 * point, otherwise they separate thousands. */
		nd = (size_t)(end - p - 1);
		if (nd >= 1 && nd <= 2 && strchr(t, '.') == p)
			dec = p;
		else
			sep = '.';
	}
	if (euro_units(t, dec ? dec : end, sep, &units) < 0)
		return err_set(e, ERR_INVALID, "%s", euro_rule);
	if (dec) {
		nd = (size_t)(end - dec - 1);
		if (nd < 1 || nd > 2)
			return err_set(e, ERR_INVALID, "%s", euro_rule);
		for (p = dec + 1; p < end; p++) {
			if (!is_digit(*p))
				return err_set(e, ERR_INVALID, "%s",
					       euro_rule);
			frac = frac * 10 + (*p - '0');
		}
		if (nd == 1)
			frac *= 10;
	}
	if (units > VIEW_EURO_MAX_CENTS / 100 ||
	    units * 100 + frac > VIEW_EURO_MAX_CENTS)
		return err_set(e, ERR_INVALID, "l'importo è troppo grande");
	*cents = units * 100 + frac;
	return 0;
}

void view_euro_format(int64_t cents, char out[VIEW_EURO_TEXT])
{
	uint64_t a = cents < 0 ? (uint64_t)0 - (uint64_t)cents
			       : (uint64_t)cents;
	char digits[24];
	size_t n, i, o = 0;

	snprintf(digits, sizeof(digits), "%" PRIu64, a / 100);
	n = strlen(digits);
	if (cents < 0)
		out[o++] = '-';
	for (i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			out[o++] = '.';
		out[o++] = digits[i];
	}
	snprintf(out + o, VIEW_EURO_TEXT - o, ",%02" PRIu64, a % 100);
}

/* ---- dates ---- */

static const char date_rule[] =
	"la data si scrive gg/mm/aaaa (per esempio 31/12/2026) oppure "
	"aaaa-mm-gg";

static int month_days(int y, int m)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30,
				      31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : days[m - 1];
}

/* Up to max digits at *s into *v (at least one); advances *s. */
static int number(const char **s, int max, int *v)
{
	int n = 0;

	*v = 0;
	while (n < max && is_digit(**s)) {
		*v = *v * 10 + (**s - '0');
		(*s)++;
		n++;
	}
	return n;
}

int view_date_parse(const char *s, char out[VIEW_DATE_TEXT], struct err *e)
{
	int y = 0, m = 0, d = 0, n;
	char sep;

	if (!s)
		return err_set(e, ERR_INVALID, "%s", date_rule);
	if (strlen(s) == 10 && s[4] == '-' && s[7] == '-') {
		const char *p = s;

		if (number(&p, 4, &y) != 4 || *p++ != '-' ||
		    number(&p, 2, &m) != 2 || *p++ != '-' ||
		    number(&p, 2, &d) != 2 || *p)
			return err_set(e, ERR_INVALID, "%s", date_rule);
	} else {
		const char *p = s;

		n = number(&p, 2, &d);
		sep = *p;
		if (n < 1 || (sep != '/' && sep != '.' && sep != '-'))
			return err_set(e, ERR_INVALID, "%s", date_rule);
		p++;
		if (number(&p, 2, &m) < 1 || *p++ != sep ||
		    number(&p, 4, &y) != 4 || *p)
			return err_set(e, ERR_INVALID, "%s", date_rule);
	}
	if (y < 1900 || m < 1 || m > 12 || d < 1 || d > month_days(y, m))
		return err_set(e, ERR_INVALID, "la data non esiste: %s",
			       date_rule);
	/* y has 4 digits, m and d at most 2: the text fits. */
	out[0] = (char)('0' + y / 1000);
	out[1] = (char)('0' + y / 100 % 10);
	out[2] = (char)('0' + y / 10 % 10);
	out[3] = (char)('0' + y % 10);
	out[4] = '-';
	out[5] = (char)('0' + m / 10);
	out[6] = (char)('0' + m % 10);
	out[7] = '-';
	out[8] = (char)('0' + d / 10);
	out[9] = (char)('0' + d % 10);
	out[10] = '\0';
	return 0;
}

void view_date_format(const char *iso, char out[VIEW_DATE_TEXT])
{
	if (iso && strlen(iso) == 10 && iso[4] == '-' && iso[7] == '-') {
		snprintf(out, VIEW_DATE_TEXT, "%.2s/%.2s/%.4s", iso + 8,
			 iso + 5, iso);
		return;
	}
	snprintf(out, VIEW_DATE_TEXT, "%s", iso ? iso : "");
}

void view_date_today(char out[VIEW_DATE_TEXT])
{
	time_t now = time(NULL);
	struct tm tm;

	if (!localtime_r(&now, &tm)) {
		snprintf(out, VIEW_DATE_TEXT, "1970-01-01");
		return;
	}
	strftime(out, VIEW_DATE_TEXT, "%Y-%m-%d", &tm);
}
