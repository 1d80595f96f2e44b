/*
 * test_http_metrics.c - /metrics' counters by endpoint (http/http_metrics.h)
 * and who may read them: loopback, or the bearer token.
 */
#include "http/http_metrics.h"

#include <stdio.h>
#include <string.h>

#include "tests/test.h"

static void noop(void *ctx, const struct http_request *req,
		 struct http_response *res)
{
	(void)ctx;
	(void)req;
	(void)res;
}

static const struct http_route routes[] = {
	{ HTTP_POST, "/v1/push", noop, NULL, 0, 0 },
	{ HTTP_GET, "/records/{id}", noop, NULL, 0, 0 },
};

static const struct http_router router = { routes, 2 };

static int has(const struct buf *b, const char *line)
{
	return test_has_line(b->data, b->len, line);
}

static void test_http_metrics_counts_by_endpoint_method_status(void)
{
	struct http_metrics *m = NULL;
	struct buf b;
	struct err e;

	err_init(&e);
	buf_init(&b, 1 << 16);
	CHECK_OK(http_metrics_new(&m, &router, &e));
	http_metrics_observe(m, &routes[0], "POST", 200, 3000);
	http_metrics_observe(m, &routes[0], "POST", 200, 40000);
	http_metrics_observe(m, &routes[0], "POST", 409, 20000000);
	http_metrics_observe(m, &routes[1], "GET", 200, 1);
	http_metrics_observe(m, NULL, "BREW", 404, 1);
	http_metrics_observe(NULL, &routes[0], "POST", 200, 1); /* no-op */
	CHECK_OK(http_metrics_write(m, &b));
	CHECK(has(&b, "# TYPE presidio_http_requests_total counter"));
	CHECK(has(&b, "presidio_http_requests_total{endpoint=\"/v1/push\","
		      "method=\"POST\",code=\"200\"} 2"));
	CHECK(has(&b, "presidio_http_requests_total{endpoint=\"/v1/push\","
		      "method=\"POST\",code=\"409\"} 1"));
	/* The pattern, never the path with its id. */
	CHECK(has(&b, "presidio_http_requests_total{endpoint=\"/records/"
		      "{id}\",method=\"GET\",code=\"200\"} 1"));
	CHECK(has(&b, "presidio_http_requests_total{endpoint=\"other\","
		      "method=\"other\",code=\"404\"} 1"));
	/* Cumulative buckets: 3 ms in the first, 40 ms by 0.05, 20 s over
	 * every bound. */
	CHECK(has(&b, "presidio_http_request_duration_seconds_bucket{"
		      "endpoint=\"/v1/push\",le=\"0.005\"} 1"));
	CHECK(has(&b, "presidio_http_request_duration_seconds_bucket{"
		      "endpoint=\"/v1/push\",le=\"0.05\"} 2"));
	CHECK(has(&b, "presidio_http_request_duration_seconds_bucket{"
		      "endpoint=\"/v1/push\",le=\"10\"} 2"));
	CHECK(has(&b, "presidio_http_request_duration_seconds_bucket{"
		      "endpoint=\"/v1/push\",le=\"+Inf\"} 3"));
	CHECK(has(&b, "presidio_http_request_duration_seconds_count{"
		      "endpoint=\"/v1/push\"} 3"));
	CHECK(has(&b, "presidio_http_request_duration_seconds_sum{"
		      "endpoint=\"/v1/push\"} 20.043"));
	buf_release(&b);
	http_metrics_free(m);
	http_metrics_free(NULL);
}

static void test_http_metrics_permit_loopback_or_token(void)
{
	const char *tok = "0123456789abcdef0123";

	CHECK(http_metrics_permit("127.0.0.1", NULL, NULL));
	CHECK(http_metrics_permit("127.8.9.10", NULL, NULL));
	CHECK(http_metrics_permit("::1", NULL, NULL));
	CHECK(http_metrics_permit("::ffff:127.0.0.1", NULL, NULL));
	CHECK(!http_metrics_permit("10.0.0.5", NULL, NULL));
	CHECK(!http_metrics_permit("10.0.0.5", NULL, tok));
	CHECK(!http_metrics_permit("::ffff:10.0.0.5", NULL, NULL));
	CHECK(!http_metrics_permit("2001:db8::1", NULL, NULL));
	CHECK(!http_metrics_permit(NULL, NULL, NULL));
	CHECK(http_metrics_permit("10.0.0.5", "Bearer 0123456789abcdef0123",
				  tok));
	CHECK(!http_metrics_permit("10.0.0.5", "Bearer 0123456789abcdef012",
				   tok));
	CHECK(!http_metrics_permit("10.0.0.5", "Bearer 0123456789abcdef01234",
				   tok));
	CHECK(!http_metrics_permit("10.0.0.5", "Basic 0123456789abcdef0123",
				   tok));
	CHECK(!http_metrics_permit("10.0.0.5", "Bearer ", ""));
	CHECK(!http_metrics_permit("10.0.0.5", "Bearer x", NULL));
}

TEST_MAIN(T(test_http_metrics_counts_by_endpoint_method_status),
	  T(test_http_metrics_permit_loopback_or_token))
