/*
 * date.c - see date.h.
 */
#include "common/date.h"

#include <string.h>

int date_days_in_month(int y, int m)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30,
				      31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : days[m - 1];
}

/* n decimal digits of s into *out; 0 when one is not a digit. */
static int digits(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 1;
}

int date_parse(const char *s, int ymd[3])
{
	if (!s || strlen(s) != 10 || !digits(s, 4, &ymd[0]) || s[4] != '-' ||
	    !digits(s + 5, 2, &ymd[1]) || s[7] != '-' ||
	    !digits(s + 8, 2, &ymd[2]))
		return -1;
	if (ymd[0] < 1 || ymd[1] < 1 || ymd[1] > 12 || ymd[2] < 1 ||
	    ymd[2] > date_days_in_month(ymd[0], ymd[1]))
		return -1;
	return 0;
}

long date_add_months(const int ymd[3], int n)
{
	int m0 = ymd[1] - 1 + n;
	int y = ymd[0] + m0 / 12, m = m0 % 12 + 1;
	int last = date_days_in_month(y, m);
	int d = ymd[2] < last ? ymd[2] : last;

	return (long)y * 10000 + m * 100 + d;
}
