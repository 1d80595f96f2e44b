/*
 * http_fixture.h - what the http/http.h tests share: a handler with a few
 * paths (/echo, /raw, /nostatus, /slow, anything else 404), a libcurl
 * easy-API client that records status, body and headers, a plain server
 * on 127.0.0.1 (any free port), and a main() with curl's global setup.
 * Header-only: static inline.
 */
#ifndef PRESIDIO_TEST_HTTP_FIXTURE_H
#define PRESIDIO_TEST_HTTP_FIXTURE_H

#include "http/http.h"
#include "tests/test.h"

#include <curl/curl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <unistd.h>

#define MAX_BODY 4096 /* the servers' max_body in these tests */

/* What the handler saw, shared with the test. */
static atomic_int handled;       /* handler calls */
static atomic_int slow_entered;  /* /slow has started */
static atomic_int slow_finished; /* /slow has returned */

/* ---- the handler ---- */

static inline void echo_json(const struct http_request *req,
			     struct http_response *res)
{
	const char *q = http_request_query(req, "q");
	const char *h = http_request_header(req, "x-test");
	json_t *o = json_pack("{s:s,s:s,s:s?,s:s?,s:s,s:s%}", "method",
			      req->method, "path", req->path, "q", q, "hdr", h,
			      "remote", req->remote, "body",
			      req->body ? (const char *)req->body : "",
			      req->body_len);

	if (!o || http_response_json(res, 200, o))
		http_response_error(res, 500, "internal", "out of memory");
	json_decref(o);
}

static inline void handler(void *ctx, const struct http_request *req,
		    struct http_response *res)
{
	(void)ctx;
	atomic_fetch_add(&handled, 1);
	if (!strcmp(req->path, "/echo")) {
		echo_json(req, res);
	} else if (!strcmp(req->path, "/raw")) {
		uint8_t *copy = malloc(req->body_len ? req->body_len : 1);

		if (!copy)
			return;
		if (req->body_len)
			memcpy(copy, req->body, req->body_len);
		http_response_take(res, 201, "application/octet-stream", copy,
				   req->body_len);
		if (http_response_header(res, "X-Reply", "yes"))
			res->status = 0;
	} else if (!strcmp(req->path, "/nostatus")) {
		/* leaves status 0 */
	} else if (!strcmp(req->path, "/slow")) {
		atomic_store(&slow_entered, 1);
		usleep(300 * 1000);
		http_response_take(res, 204, NULL, NULL, 0);
		atomic_store(&slow_finished, 1);
	} else {
		http_response_take(res, 404, NULL, NULL, 0);
	}
}

/* ---- the client ---- */

struct call {
	/* in */
	const char *method;   /* NULL = GET, or POST when body is set */
	const char *path;     /* with the query */
	const void *body;     /* request body */
	size_t body_len;
	int chunked;          /* send body with Transfer-Encoding: chunked */
	const char *header;   /* one extra request header line */
	const char *header2;  /* and a second one */
	int path_as_is;       /* send the path as written ("/a/../b") */
	int nobody;           /* no body expected (HEAD) */
	int https;            /* https:// instead of http:// */
	const char *cainfo;   /* CA file for https */
	long sslversion;      /* CURLOPT_SSLVERSION, 0 = default */
	const char *ciphers;  /* CURLOPT_SSL_CIPHER_LIST or NULL */
	/* out */
	CURLcode rc;
	long status;
	char *reply;          /* malloc'd, NUL-terminated */
	size_t reply_len;
	int no_store;         /* Cache-Control: no-store seen */
	int x_reply;          /* X-Reply: yes seen */
	char allow[128];      /* the Allow header's value, if any */
	int set_cookies;      /* Set-Cookie headers seen */
	char set_cookie[512]; /* the last one's value */
	char ctype[128];
	char errbuf[CURL_ERROR_SIZE];
	size_t sent;          /* chunked bytes sent so far */
};

static inline size_t on_data(char *p, size_t size, size_t n, void *cls)
{
	struct call *c = cls;
	char *grown = realloc(c->reply, c->reply_len + size * n + 1);

	if (!grown)
		return 0;
	c->reply = grown;
	memcpy(c->reply + c->reply_len, p, size * n);
	c->reply_len += size * n;
	c->reply[c->reply_len] = '\0';
	return size * n;
}

/* A header's value (n bytes at p, not NUL-terminated, CRLF at the end)
 * into out. */
static inline void header_value(const char *p, size_t n, char *out,
				size_t size)
{
	while (n && (p[n - 1] == '\r' || p[n - 1] == '\n'))
		n--;
	if (n >= size)
		n = size - 1;
	memcpy(out, p, n);
	out[n] = '\0';
}

static inline size_t on_header(char *p, size_t size, size_t n, void *cls)
{
	struct call *c = cls;
	size_t len = size * n;

	if (len >= 23 && !strncasecmp(p, "Cache-Control: no-store", 23))
		c->no_store = 1;
	if (len >= 12 && !strncasecmp(p, "X-Reply: yes", 12))
		c->x_reply = 1;
	if (len > 7 && !strncasecmp(p, "Allow: ", 7))
		header_value(p + 7, len - 7, c->allow, sizeof(c->allow));
	if (len > 12 && !strncasecmp(p, "Set-Cookie: ", 12)) {
		c->set_cookies++;
		header_value(p + 12, len - 12, c->set_cookie,
			     sizeof(c->set_cookie));
	}
	return len;
}

static inline size_t on_read(char *p, size_t size, size_t n, void *cls)
{
	struct call *c = cls;
	size_t left = c->body_len - c->sent;
	size_t k = size * n < left ? size * n : left;

	if (k > 1000)
		k = 1000; /* several chunks */

	memcpy(p, (const char *)c->body + c->sent, k);
	c->sent += k;
	return k;
}

/* Run one request against port; fills the out fields of c. */
static inline void fetch(uint16_t port, struct call *c)
{
	CURL *h = curl_easy_init();
	struct curl_slist *hdrs = NULL;
	char url[512];
	char *ct = NULL;

	c->rc = CURLE_FAILED_INIT;
	if (!h)
		return;
	snprintf(url, sizeof(url), "%s://127.0.0.1:%u%s",
		 c->https ? "https" : "http", (unsigned)port, c->path);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 20L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, c);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->errbuf);
	if (c->cainfo)
		curl_easy_setopt(h, CURLOPT_CAINFO, c->cainfo);
	if (c->sslversion)
		curl_easy_setopt(h, CURLOPT_SSLVERSION, c->sslversion);
	if (c->ciphers)
		curl_easy_setopt(h, CURLOPT_SSL_CIPHER_LIST, c->ciphers);
	if (c->header)
		hdrs = curl_slist_append(hdrs, c->header);
	if (c->header2)
		hdrs = curl_slist_append(hdrs, c->header2);
	if (c->path_as_is)
		curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L);
	if (c->nobody)
		curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	if (c->body && c->chunked) {
		hdrs = curl_slist_append(hdrs, "Transfer-Encoding: chunked");
		curl_easy_setopt(h, CURLOPT_POST, 1L);
		curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
		curl_easy_setopt(h, CURLOPT_READDATA, c);
	} else if (c->body) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, c->body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
				 (curl_off_t)c->body_len);
	}
	if (c->method)
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, c->method);
	if (hdrs)
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	c->rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &c->status);
	if (curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK && ct)
		snprintf(c->ctype, sizeof(c->ctype), "%s", ct);
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(h);
}

static inline void call_release(struct call *c)
{
	free(c->reply);
	c->reply = NULL;
}

/* 1 when c got a JSON error body whose code is code. */
static inline int is_json_error(const struct call *c, const char *code)
{
	json_t *o, *err;
	int ok;

	if (strcmp(c->ctype, "application/json") || !c->reply)
		return 0;
	o = json_loadb(c->reply, c->reply_len, 0, NULL);
	err = json_object_get(o, "error");
	ok = json_is_string(json_object_get(err, "message")) &&
	     json_is_string(json_object_get(err, "code")) &&
	     !strcmp(json_string_value(json_object_get(err, "code")), code);
	json_decref(o);
	return ok;
}

/* ---- servers ---- */

/* A plain HTTP server on 127.0.0.1, any free port; resets handled. */
static inline int start_plain(struct http_server **s, size_t max_body)
{
	struct http_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.address = "127.0.0.1";
	cfg.plain_http = 1;
	cfg.max_body = max_body;
	/* Every test client comes from 127.0.0.1, and closed connections
	 * count until the server has noticed them. */
	cfg.max_per_ip = 64;
	atomic_store(&handled, 0);
	return http_server_start(s, &cfg, handler, NULL, NULL);
}

/* main() of a test binary: curl's global state around the runner (so
 * that leak checkers see it released). */
#define HTTP_TEST_MAIN(...)                                                    \
	int main(int argc, char **argv)                                        \
	{                                                                      \
		static const struct test tests_[] = { __VA_ARGS__ };           \
		int rc_;                                                       \
                                                                               \
		if (curl_global_init(CURL_GLOBAL_DEFAULT)) {                   \
			fprintf(stderr, "curl_global_init failed\n");          \
			return 2;                                              \
		}                                                              \
		rc_ = test_run(tests_, sizeof(tests_) / sizeof(tests_[0]),     \
			       argc, argv);                                    \
		curl_global_cleanup();                                         \
		return rc_;                                                    \
	}

#endif
