/*
 * test_date.c - calendar dates (common/date.h): real dates only, leap
 * years, and adding months that ends on the month's last day.
 */
#include "common/date.h"

#include "tests/test.h"

static void test_date_parse(void)
{
	int ymd[3];

	CHECK(date_parse("2024-02-29", ymd) == 0 && ymd[0] == 2024 &&
	      ymd[1] == 2 && ymd[2] == 29);
	CHECK(date_parse("2023-02-29", ymd) < 0);
	CHECK(date_parse("1900-02-29", ymd) < 0);
	CHECK(date_parse("2000-02-29", ymd) == 0);
	CHECK(date_parse("2024-13-01", ymd) < 0);
	CHECK(date_parse("2024-04-31", ymd) < 0);
	CHECK(date_parse("0000-01-01", ymd) < 0);
	CHECK(date_parse("2024-1-01", ymd) < 0);
	CHECK(date_parse("2024-01-011", ymd) < 0);
	CHECK(date_parse("", ymd) < 0);
	CHECK(date_parse(NULL, ymd) < 0);
	CHECK(date_days_in_month(2024, 2) == 29 &&
	      date_days_in_month(2100, 2) == 28 &&
	      date_days_in_month(2023, 12) == 31);
}

static void test_date_add_months(void)
{
	int jan31[3] = { 2024, 1, 31 }, feb29[3] = { 2024, 2, 29 };

	CHECK(date_add_months(jan31, 1) == 20240229);
	CHECK(date_add_months(jan31, 13) == 20250228);
	CHECK(date_add_months(feb29, 120) == 20340228);
	CHECK(date_add_months(feb29, 48) == 20280229);
	CHECK(date_add_months(jan31, 0) == 20240131);
}

int main(int argc, char **argv)
{
	static const struct test tests[] = {
		T(test_date_parse),
		T(test_date_add_months),
	};

	return test_run(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
