/*
 * date.h - calendar dates "YYYY-MM-DD" (proleptic Gregorian): checking
 * one, the days of a month, and adding months.  Shared by the schema's
 * value checks, the dote's rules, the configuration and retention, which
 * each need the same calendar and must never disagree on it.
 */
#ifndef PRESIDIO_DATE_H
#define PRESIDIO_DATE_H

/* Days in month m (1-12) of year y. */
int date_days_in_month(int y, int m);

/* 0 and ymd[0..2] = year, month, day when s is exactly a real date
 * "YYYY-MM-DD" with year >= 1; -1 otherwise. */
int date_parse(const char *s, int ymd[3]);

/* ymd plus n (>= 0) calendar months, as yyyymmdd: the same day of the
 * month, or the month's last day when it has fewer (31 January + 1 = 28
 * or 29 February). */
long date_add_months(const int ymd[3], int n);

#endif
