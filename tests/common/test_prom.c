/*
 * test_prom.c - the Prometheus text format (common/prom.h): help and
 * label values escaped, values as Prometheus spells them, cumulative
 * histogram buckets, and a text too big for its buffer refused.
 */
#include "common/prom.h"

#include <math.h>
#include <string.h>

#include "tests/test.h"

static int has(const struct buf *b, const char *line)
{
	return test_has_line(b->data, b->len, line);
}

static void test_prom_text_escapes_and_values(void)
{
	struct prom_labels l = { { "node" }, { "a\"b\\c\nd" }, 1 };
	static const double bounds[] = { 1, 5 };
	static const uint64_t counts[] = { 2, 0 };
	struct buf b;

	buf_init(&b, 1 << 12);
	CHECK_OK(prom_family(&b, "x_age", "gauge", "Help with \\ and\nline."));
	CHECK_OK(prom_sample(&b, "x_age", &l, INFINITY));
	CHECK_OK(prom_sample(&b, "x_age", NULL, 0.25));
	CHECK_OK(prom_sample(&b, "x_age", NULL, 12345678));
	CHECK_OK(prom_histogram(&b, "x_d", NULL, bounds, counts, 2, 1, 7.5));
	CHECK(has(&b, "# HELP x_age Help with \\\\ and\\nline."));
	CHECK(has(&b, "x_age{node=\"a\\\"b\\\\c\\nd\"} +Inf"));
	CHECK(has(&b, "x_age 0.25"));
	CHECK(has(&b, "x_age 12345678"));
	CHECK(has(&b, "x_d_bucket{le=\"1\"} 2"));
	CHECK(has(&b, "x_d_bucket{le=\"5\"} 2"));
	CHECK(has(&b, "x_d_bucket{le=\"+Inf\"} 3"));
	CHECK(has(&b, "x_d_sum 7.5"));
	CHECK(has(&b, "x_d_count 3"));
	/* A buffer too small fails rather than serve half a text. */
	buf_release(&b);
	buf_init(&b, 16);
	CHECK(prom_family(&b, "x_age", "gauge", "a help longer than sixteen") !=
	      0);
	buf_release(&b);
}

TEST_MAIN(T(test_prom_text_escapes_and_values))
