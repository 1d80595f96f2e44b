/*
 * test_view_input.c - euro amounts and dates as operators type them
 * (view/view_input.h).
 */
#include "tests/test.h"

#include <stdint.h>
#include <string.h>

#include "view/view_input.h"

static int64_t euro(const char *s)
{
	struct err e;
	int64_t c = -1;

	err_init(&e);
	return view_euro_parse(s, &c, &e) == 0 ? c : -1;
}

static void test_euro_accepted(void)
{
	CHECK(euro("1.250,50") == 125050);
	CHECK(euro("1250.50") == 125050);
	CHECK(euro("1250,50") == 125050);
	CHECK(euro("1250,5") == 125050);
	CHECK(euro("1250") == 125000);
	CHECK(euro("1.250") == 125000);
	CHECK(euro("12.000") == 1200000);
	CHECK(euro("1.000.000,01") == 100000001);
	CHECK(euro("0,99") == 99);
	CHECK(euro("1.25") == 125);
	CHECK(euro(" 80 ") == 8000);
	CHECK(euro("EUR 80,10") == 8010);
	CHECK(euro("80,10 \xe2\x82\xac") == 8010);
}

static void test_euro_refused(void)
{
	struct err e;
	int64_t c = 7;

	CHECK(euro("") == -1);
	CHECK(euro("-5") == -1);
	CHECK(euro("+5") == -1);
	CHECK(euro("1,2,3") == -1);
	CHECK(euro("1,234") == -1);
	CHECK(euro("12.50,00") == -1);
	CHECK(euro("1.2345") == -1);
	CHECK(euro("1.250.5") == -1);
	CHECK(euro("abc") == -1);
	CHECK(euro("1e3") == -1);
	CHECK(euro(",50") == -1);
	CHECK(euro("99999999999999999999") == -1);
	err_init(&e);
	CHECK(view_euro_parse("x", &c, &e) == ERR_INVALID);
	CHECK(c == 7);
	CHECK(strstr(e.msg, "1.250,50") != NULL);
}

static void test_euro_format(void)
{
	char t[VIEW_EURO_TEXT];

	view_euro_format(125050, t);
	CHECK(strcmp(t, "1.250,50") == 0);
	view_euro_format(5, t);
	CHECK(strcmp(t, "0,05") == 0);
	view_euro_format(-1200000, t);
	CHECK(strcmp(t, "-12.000,00") == 0);
	view_euro_format(100000000001LL, t);
	CHECK(strcmp(t, "1.000.000.000,01") == 0);
	view_euro_format(99900, t);
	CHECK(strcmp(t, "999,00") == 0);
	view_euro_format(INT64_MIN, t);
	CHECK(t[0] == '-');
}

static void test_dates(void)
{
	char d[VIEW_DATE_TEXT];
	struct err e;

	err_init(&e);
	CHECK(view_date_parse("31/12/2026", d, &e) == 0);
	CHECK(strcmp(d, "2026-12-31") == 0);
	CHECK(view_date_parse("1/2/2026", d, &e) == 0);
	CHECK(strcmp(d, "2026-02-01") == 0);
	CHECK(view_date_parse("01.02.2026", d, &e) == 0);
	CHECK(strcmp(d, "2026-02-01") == 0);
	CHECK(view_date_parse("2024-02-29", d, &e) == 0);
	CHECK(strcmp(d, "2024-02-29") == 0);
	CHECK(view_date_parse("29/02/2024", d, &e) == 0);
	CHECK(view_date_parse("29/02/2026", d, &e) == ERR_INVALID);
	CHECK(strstr(e.msg, "gg/mm/aaaa") != NULL);
	CHECK(view_date_parse("2026-13-01", d, &e) == ERR_INVALID);
	CHECK(view_date_parse("31/04/2026", d, &e) == ERR_INVALID);
	CHECK(view_date_parse("12/31/26", d, &e) == ERR_INVALID);
	CHECK(view_date_parse("1/2-2026", d, &e) == ERR_INVALID);
	CHECK(view_date_parse("2026/12/31", d, &e) == ERR_INVALID);
	CHECK(view_date_parse("", d, &e) == ERR_INVALID);
	CHECK(view_date_parse("01/01/2026x", d, &e) == ERR_INVALID);
	view_date_format("2026-12-31", d);
	CHECK(strcmp(d, "31/12/2026") == 0);
	view_date_format("boh", d);
	CHECK(strcmp(d, "boh") == 0);
	view_date_today(d);
	CHECK(strlen(d) == 10 && d[4] == '-');
}

TEST_MAIN(T(test_euro_accepted), T(test_euro_refused),
	  T(test_euro_format), T(test_dates))
