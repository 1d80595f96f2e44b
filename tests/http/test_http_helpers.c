/*
 * test_http_helpers.c - the request and response helpers of http/http.h
 * that the hub and the web interface share: response headers past the
 * old bound of 8 and long values (a session cookie), copying a body, a
 * bare status, a request's JSON body checked within bounds, every request
 * header walked (as many as a client sends), and through a server a
 * status without a body getting its JSON error body.
 */
#include "tests/http/http_fixture.h"

static void test_helpers_many_and_long_headers(void)
{
	struct http_response res;
	char name[32], *value = malloc(HTTP_HEADER_VALUE_MAX + 1);
	int ok = value != NULL;

	memset(&res, 0, sizeof(res));
	for (int i = 0; ok && i < 20; i++) {
		snprintf(name, sizeof(name), "X-H%d", i);
		ok = http_response_header(&res, name, "v") == 0;
	}
	ok = ok && res.nheaders == 20 &&
	     !strcmp(http_response_header_get(&res, "x-h19"), "v") &&
	     http_response_header_get(&res, "X-None") == NULL;
	if (value) {
		memset(value, 'c', HTTP_HEADER_VALUE_MAX);
		value[HTTP_HEADER_VALUE_MAX] = '\0';
		ok = ok && http_response_header(&res, "X-Long", value) ==
				   ERR_INVALID;
		value[HTTP_HEADER_VALUE_MAX - 1] = '\0';
		ok = ok && http_response_header(&res, "X-Long", value) == 0;
		/* The same name twice, as Set-Cookie comes. */
		ok = ok && http_response_header(&res, "X-Long", "2") == 0 &&
		     res.nheaders == 22;
	}
	http_response_release(&res);
	free(value);
	CHECK(ok);
	CHECK(res.headers == NULL && res.nheaders == 0 && res.status == 0);
	http_response_release(NULL);
}

static void test_helpers_copy_and_status(void)
{
	struct http_response res;
	int ok;

	memset(&res, 0, sizeof(res));
	ok = http_response_copy(&res, 200, "text/html; charset=utf-8", "<p>",
				3) == 0 &&
	     res.status == 200 && res.body_len == 3 &&
	     !memcmp(res.body, "<p>", 3) &&
	     !strcmp(res.content_type, "text/html; charset=utf-8");
	ok = ok && http_response_copy(&res, 200, NULL, NULL, 0) == 0 &&
	     res.body_len == 0 && res.content_type[0] == '\0';
	http_response_status(&res, 204);
	ok = ok && res.status == 204 && !res.body && !res.body_len;
	http_response_release(&res);
	CHECK(ok);
}

static void test_helpers_request_json(void)
{
	static const struct jscan_limits lim = {
		.max_values = 8, .max_depth = 2, .max_string = 64,
		.max_number = 16,
	};
	static const struct { const char *body; int status; } cases[] = {
		{ "{\"a\":\"b\"}", 0 },
		{ "", 400 },
		{ "not json", 400 },
		{ "[1,2]", 400 },
		{ "\"s\"", 400 },
		{ "{\"a\":1,\"a\":2}", 400 },                 /* duplicate */
		{ "{\"a\":[1,2,3,4,5,6,7,8,9]}", 400 },      /* values */
		{ "{\"a\":{\"b\":{\"c\":1}}}", 400 },         /* depth */
	};
	struct http_request req;
	struct http_response res;

	memset(&req, 0, sizeof(req));
	memset(&res, 0, sizeof(res));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *doc;

		req.body = (const uint8_t *)cases[i].body;
		req.body_len = strlen(cases[i].body);
		doc = http_request_json(&req, &lim, "form", &res);
		CHECK((doc != NULL) == (cases[i].status == 0));
		CHECK(res.status == cases[i].status);
		/* The message never quotes the body. */
		CHECK(!res.body || !req.body_len ||
		      !memmem(res.body, res.body_len, req.body, req.body_len));
		json_decref(doc);
		http_response_release(&res);
	}
}

/* Counts the X-N* headers a request carries; stops at "X-Stop". */
struct walk {
	int xn, seen_stop, after_stop;
};

static int walk_header(void *ctx, const char *name, const char *value)
{
	struct walk *w = ctx;

	(void)value;
	if (w->seen_stop)
		w->after_stop++;
	if (!strncasecmp(name, "X-N", 3))
		w->xn++;
	if (!strcasecmp(name, "X-Stop"))
		w->seen_stop = 1;
	return w->seen_stop;
}

static void walk_handler(void *ctx, const struct http_request *req,
			 struct http_response *res)
{
	struct walk w = { 0, 0, 0 };
	size_t n;
	json_t *o;

	(void)ctx;
	if (!strcmp(req->path, "/teapot")) {
		http_response_status(res, 418);
		return;
	}
	n = http_request_headers(req, walk_header, &w);
	o = json_pack("{s:i,s:i,s:i,s:I}", "xn", w.xn, "stop", w.seen_stop,
		      "after", w.after_stop, "n", (json_int_t)n);
	if (!o || http_response_json(res, 200, o))
		http_response_error(res, 500, "internal", "out of memory");
	json_decref(o);
}

static void test_helpers_request_headers_walked(void)
{
	struct http_server *s = NULL;
	struct http_config cfg;
	struct curl_slist *hdrs = NULL;
	struct call c;
	char url[64], line[32];
	CURL *h;
	json_t *o;
	int ok;

	memset(&cfg, 0, sizeof(cfg));
	cfg.address = "127.0.0.1";
	cfg.plain_http = 1;
	cfg.max_per_ip = 64;
	CHECK_OK(http_server_start(&s, &cfg, walk_handler, NULL, NULL));
	/* 40 headers of our own, then a stop, then one more. */
	for (int i = 0; i < 40; i++) {
		snprintf(line, sizeof(line), "X-N%d: %d", i, i);
		hdrs = curl_slist_append(hdrs, line);
	}
	hdrs = curl_slist_append(hdrs, "X-Stop: 1");
	hdrs = curl_slist_append(hdrs, "X-After: 1");
	memset(&c, 0, sizeof(c));
	h = curl_easy_init();
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/walk",
		 (unsigned)http_server_port(s));
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &c);
	c.rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &c.status);
	curl_easy_cleanup(h);
	curl_slist_free_all(hdrs);
	o = json_loadb(c.reply ? c.reply : "", c.reply_len, 0, NULL);
	ok = c.status == 200 &&
	     json_integer_value(json_object_get(o, "xn")) == 40 &&
	     json_integer_value(json_object_get(o, "stop")) == 1 &&
	     json_integer_value(json_object_get(o, "after")) == 0 &&
	     json_integer_value(json_object_get(o, "n")) >= 41;
	json_decref(o);
	call_release(&c);

	/* A bare error status gets its JSON body from the server. */
	memset(&c, 0, sizeof(c));
	c.path = "/teapot";
	fetch(http_server_port(s), &c);
	ok = ok && c.status == 418 && is_json_error(&c, "client_error");
	call_release(&c);
	http_server_stop(s);
	CHECK(ok);
}

HTTP_TEST_MAIN(T(test_helpers_many_and_long_headers),
	       T(test_helpers_copy_and_status),
	       T(test_helpers_request_json),
	       T(test_helpers_request_headers_walked))
