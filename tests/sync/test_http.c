/*
 * test_http.c - sync/http.h over plain HTTP on 127.0.0.1, with libcurl as
 * the client: requests and answers (query, headers, bodies), plain HTTP
 * on loopback only, bounded bodies (413 by Content-Length and while
 * chunked), JSON error bodies, the response helpers, concurrent requests,
 * and a stop that waits for running handlers.  TLS: test_http_tls.c.
 */
#include "tests/sync/http_fixture.h"

#include <pthread.h>

#define NTHREADS 8  /* client threads */
#define NREQ     20 /* requests each */

/* ---- plain HTTP ---- */

static void test_http_plain_get_query_and_header(void)
{
	struct http_server *s = NULL;
	struct call c = { .path = "/echo?q=a%20b&r=1",
			  .header = "X-Test: hello" };
	json_t *o;
	int ok;

	CHECK_OK(start_plain(&s, MAX_BODY));
	CHECK(http_server_port(s) != 0);
	fetch(http_server_port(s), &c);
	http_server_stop(s);
	o = json_loadb(c.reply ? c.reply : "", c.reply_len, 0, NULL);
	ok = c.rc == CURLE_OK && c.status == 200 && c.no_store &&
	     !strcmp(c.ctype, "application/json") && o &&
	     !strcmp(json_string_value(json_object_get(o, "method")), "GET") &&
	     !strcmp(json_string_value(json_object_get(o, "path")), "/echo") &&
	     !strcmp(json_string_value(json_object_get(o, "q")), "a b") &&
	     !strcmp(json_string_value(json_object_get(o, "hdr")), "hello") &&
	     !strcmp(json_string_value(json_object_get(o, "remote")),
		     "127.0.0.1") &&
	     !strcmp(json_string_value(json_object_get(o, "body")), "");
	json_decref(o);
	call_release(&c);
	CHECK(ok);
}

static void test_http_plain_post_body_echoed(void)
{
	static const uint8_t body[] = { 'a', 0, 'b', 0xff, '\n', 'z' };
	struct http_server *s = NULL;
	struct call c = { .path = "/raw", .body = body,
			  .body_len = sizeof(body) };
	int ok;

	CHECK_OK(start_plain(&s, MAX_BODY));
	fetch(http_server_port(s), &c);
	http_server_stop(s);
	ok = c.rc == CURLE_OK && c.status == 201 && c.x_reply && c.no_store &&
	     !strcmp(c.ctype, "application/octet-stream") &&
	     c.reply_len == sizeof(body) &&
	     !memcmp(c.reply, body, sizeof(body));
	call_release(&c);
	CHECK(ok);
}

static void test_http_plain_refused_off_loopback(void)
{
	static const char *const refused[] = { "0.0.0.0", "::", "10.1.2.3",
					       "::ffff:127.0.0.1" };
	struct http_config cfg;
	struct http_server *s = NULL;
	struct err e;
	int rc;

	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		memset(&cfg, 0, sizeof(cfg));
		cfg.address = refused[i];
		cfg.plain_http = 1;
		err_init(&e);
		CHECK(http_server_start(&s, &cfg, handler, NULL, &e) ==
		      ERR_INVALID);
		CHECK(!s && strstr(e.msg, "loopback"));
	}
	/* Neither a certificate nor plain_http. */
	memset(&cfg, 0, sizeof(cfg));
	err_init(&e);
	CHECK(http_server_start(&s, &cfg, handler, NULL, &e) == ERR_INVALID);
	CHECK(!s && e.msg[0]);
	/* A name is not an address literal. */
	cfg.address = "localhost";
	cfg.plain_http = 1;
	CHECK(http_server_start(&s, &cfg, handler, NULL, NULL) ==
	      ERR_INVALID);
	/* Anywhere in 127.0.0.0/8 is loopback. */
	cfg.address = "127.0.0.2";
	CHECK_OK(http_server_start(&s, &cfg, handler, NULL, NULL));
	http_server_stop(s);
	/* ::1 too (ERR_IO where the host has no IPv6). */
	cfg.address = "::1";
	rc = http_server_start(&s, &cfg, handler, NULL, NULL);
	http_server_stop(s);
	CHECK(rc == 0 || rc == ERR_IO);
}

static void test_http_port_in_use_is_io_error(void)
{
	struct http_server *a = NULL, *b = NULL;
	struct http_config cfg;
	struct err e;
	int rc;

	CHECK_OK(start_plain(&a, MAX_BODY));
	memset(&cfg, 0, sizeof(cfg));
	cfg.plain_http = 1; /* address NULL = 127.0.0.1 */
	cfg.port = http_server_port(a);
	err_init(&e);
	rc = http_server_start(&b, &cfg, handler, NULL, &e);
	http_server_stop(a);
	http_server_stop(b);
	CHECK(rc == ERR_IO && strstr(e.msg, "127.0.0.1"));
}

/* ---- errors ---- */

static void test_http_no_status_is_500_json(void)
{
	struct http_server *s = NULL;
	struct call c = { .path = "/nostatus" };
	struct call nf = { .path = "/nowhere" };
	int ok;

	CHECK_OK(start_plain(&s, MAX_BODY));
	fetch(http_server_port(s), &c);
	fetch(http_server_port(s), &nf);
	http_server_stop(s);
	ok = c.rc == CURLE_OK && c.status == 500 && c.no_store &&
	     is_json_error(&c, "internal") && nf.status == 404 &&
	     is_json_error(&nf, "not_found");
	call_release(&c);
	call_release(&nf);
	CHECK(ok);
}

static void test_http_unknown_method_is_405_json(void)
{
	struct http_server *s = NULL;
	struct call c = { .method = "BREW", .path = "/echo" };
	int ok;

	CHECK_OK(start_plain(&s, MAX_BODY));
	fetch(http_server_port(s), &c);
	http_server_stop(s);
	ok = c.status == 405 && is_json_error(&c, "method_not_allowed") &&
	     atomic_load(&handled) == 0;
	call_release(&c);
	CHECK(ok);
}

/* Bodies for the size tests (zeros are fine). */
static uint8_t big[64 * MAX_BODY];

static void test_http_too_large_by_content_length_is_413(void)
{
	struct http_server *s = NULL;
	struct call over = { .path = "/raw", .body = big,
			     .body_len = MAX_BODY + 1 };
	/* A client that waits for 100 Continue never sends the body. */
	struct call expect = { .path = "/raw", .body = big,
			       .body_len = sizeof(big),
			       .header = "Expect: 100-continue" };
	struct call fits = { .path = "/raw", .body = big,
			     .body_len = MAX_BODY };
	int ok;

	CHECK_OK(start_plain(&s, MAX_BODY));
	fetch(http_server_port(s), &over);
	fetch(http_server_port(s), &expect);
	fetch(http_server_port(s), &fits);
	http_server_stop(s);
	ok = over.status == 413 && is_json_error(&over, "too_large") &&
	     over.no_store && expect.status == 413 &&
	     is_json_error(&expect, "too_large") && fits.status == 201 &&
	     fits.reply_len == MAX_BODY && atomic_load(&handled) == 1;
	call_release(&over);
	call_release(&expect);
	call_release(&fits);
	CHECK(ok);
}

static void test_http_too_large_chunked_is_413(void)
{
	struct http_server *s = NULL;
	struct call over = { .path = "/raw", .body = big,
			     .body_len = MAX_BODY + MAX_BODY / 2,
			     .chunked = 1 };
	struct call fits = { .path = "/raw", .body = big,
			     .body_len = MAX_BODY, .chunked = 1 };
	/* Past twice max_body the server stops reading: cut. */
	struct call huge = { .path = "/raw", .body = big,
			     .body_len = sizeof(big), .chunked = 1 };
	int ok;

	memset(big, 'y', MAX_BODY);
	CHECK_OK(start_plain(&s, MAX_BODY));
	fetch(http_server_port(s), &over);
	fetch(http_server_port(s), &fits);
	fetch(http_server_port(s), &huge);
	http_server_stop(s);
	ok = over.rc == CURLE_OK && over.status == 413 &&
	     is_json_error(&over, "too_large") && fits.status == 201 &&
	     fits.reply_len == MAX_BODY && !memcmp(fits.reply, big, MAX_BODY) &&
	     huge.status != 201 && atomic_load(&handled) == 1;
	call_release(&over);
	call_release(&fits);
	call_release(&huge);
	CHECK(ok);
}

/* ---- concurrency, stop ---- */

struct worker {
	uint16_t port;
	int id;
	int ok; /* requests answered correctly */
};

static void *worker_run(void *arg)
{
	struct worker *w = arg;

	for (int i = 0; i < NREQ; i++) {
		char body[64];
		struct call c = { .path = "/raw", .body = body };

		c.body_len = (size_t)snprintf(body, sizeof(body), "w%d-r%d",
					      w->id, i);
		fetch(w->port, &c);
		if (c.rc == CURLE_OK && c.status == 201 &&
		    c.reply_len == c.body_len &&
		    !memcmp(c.reply, body, c.body_len))
			w->ok++;
		call_release(&c);
	}
	return NULL;
}

static void test_http_concurrent_requests_all_answered(void)
{
	struct http_server *s = NULL;
	struct worker w[NTHREADS];
	pthread_t t[NTHREADS];
	int started = 0, total = 0;

	CHECK_OK(start_plain(&s, MAX_BODY));
	for (int i = 0; i < NTHREADS; i++) {
		w[i].port = http_server_port(s);
		w[i].id = i;
		w[i].ok = 0;
		if (pthread_create(&t[i], NULL, worker_run, &w[i]))
			break;
		started++;
	}
	for (int i = 0; i < started; i++) {
		pthread_join(t[i], NULL);
		total += w[i].ok;
	}
	http_server_stop(s);
	CHECK(started == NTHREADS);
	CHECK(total == NTHREADS * NREQ);
	CHECK(atomic_load(&handled) == NTHREADS * NREQ);
}

struct slow_client {
	uint16_t port;
	struct call c;
};

static void *slow_run(void *arg)
{
	struct slow_client *sc = arg;

	fetch(sc->port, &sc->c);
	return NULL;
}

static void test_http_stop_waits_for_handlers(void)
{
	struct http_server *s = NULL;
	struct slow_client sc = { .c = { .path = "/slow" } };
	pthread_t t;
	int finished;

	atomic_store(&slow_entered, 0);
	atomic_store(&slow_finished, 0);
	CHECK_OK(start_plain(&s, MAX_BODY));
	sc.port = http_server_port(s);
	if (pthread_create(&t, NULL, slow_run, &sc)) {
		http_server_stop(s);
		CHECK(0);
	}
	for (int i = 0; i < 500 && !atomic_load(&slow_entered); i++)
		usleep(10 * 1000);
	http_server_stop(s);
	finished = atomic_load(&slow_finished);
	pthread_join(t, NULL);
	call_release(&sc.c);
	CHECK(atomic_load(&slow_entered));
	CHECK(finished);
}

/* ---- the response helpers alone ---- */

static void test_http_response_helpers(void)
{
	struct http_response res;
	json_t *o, *err;
	int ok;

	memset(&res, 0, sizeof(res));
	CHECK(http_response_header(&res, "X-Bad", "a\r\nSet-Cookie: x") ==
	      ERR_INVALID);
	CHECK(http_response_header(&res, "X-Bad", "a\nb") == ERR_INVALID);
	CHECK(http_response_header(&res, "Bad Name", "v") == ERR_INVALID);
	CHECK(http_response_header(&res, "Bad:Name", "v") == ERR_INVALID);
	CHECK(http_response_header(&res, "", "v") == ERR_INVALID);
	CHECK(http_response_header(&res, "content-length", "1") ==
	      ERR_INVALID);
	for (int i = 0; i < HTTP_MAX_HEADERS; i++)
		CHECK_OK(http_response_header(&res, "X-Ok", "fine"));
	CHECK(http_response_header(&res, "X-One-More", "v") == ERR_INVALID);
	CHECK(res.nheaders == HTTP_MAX_HEADERS);

	http_response_error(&res, 409, "conflict", "record %d: \"%s\"", 7,
			    "q\\");
	o = json_loadb((const char *)res.body, res.body_len, 0, NULL);
	err = json_object_get(o, "error");
	ok = res.status == 409 &&
	     !strcmp(res.content_type, "application/json") &&
	     !strcmp(json_string_value(json_object_get(err, "code")),
		     "conflict") &&
	     !strcmp(json_string_value(json_object_get(err, "message")),
		     "record 7: \"q\\\"");
	json_decref(o);
	CHECK(ok);

	/* Not UTF-8: still a valid JSON body. */
	http_response_error(&res, 400, "bad", "%s", "caf\xe9");
	o = json_loadb((const char *)res.body, res.body_len, 0, NULL);
	ok = o != NULL;
	json_decref(o);
	CHECK(ok);

	o = json_pack("{s:i}", "n", 3);
	CHECK(o);
	ok = http_response_json(&res, 200, o) == 0 && res.status == 200 &&
	     res.body_len == 7 && !memcmp(res.body, "{\"n\":3}", 7);
	json_decref(o);
	CHECK(ok);

	http_response_take(&res, 200, "text/plain\r\nX-Evil: 1",
			   (uint8_t *)strdup("hi"), 2);
	CHECK(res.status == 500);
	free(res.body);
}
HTTP_TEST_MAIN(T(test_http_plain_get_query_and_header),
	       T(test_http_plain_post_body_echoed),
	       T(test_http_plain_refused_off_loopback),
	       T(test_http_port_in_use_is_io_error),
	       T(test_http_no_status_is_500_json),
	       T(test_http_unknown_method_is_405_json),
	       T(test_http_too_large_by_content_length_is_413),
	       T(test_http_too_large_chunked_is_413),
	       T(test_http_concurrent_requests_all_answered),
	       T(test_http_stop_waits_for_handlers),
	       T(test_http_response_helpers))
