/*
 * test_client_config.c - sync/client.h before anything is sent: defaults,
 * the hub URL (https only; http only when allowed and for a loopback
 * literal; no credentials, query or fragment), the pin's form, the CA
 * file, the method, path and body of a request (refused before anything
 * is signed or sent), and the response helpers.  No network.
 */
#include "sync/client.h"
#include "tests/test.h"

#include <stdlib.h>

/* libcurl started once, stopped at exit. */
static void init(void)
{
	static int done;

	if (!done && client_global_init(NULL) == 0) {
		done = 1;
		atexit(client_global_cleanup);
	}
}

/* client_new() with this base URL and allow_plain: its return code. */
static int new_rc(const char *url, int allow_plain)
{
	struct client_config cfg;
	struct client *c = NULL;
	int rc;

	init();
	client_config_init(&cfg);
	cfg.base_url = url;
	cfg.allow_plain = allow_plain;
	rc = client_new(&c, &cfg, NULL);
	client_free(c);
	return rc;
}

static void test_client_config_defaults(void)
{
	struct client_config cfg;

	client_config_init(&cfg);
	CHECK(cfg.retries == 5 && cfg.backoff_ms == 500);
	CHECK(cfg.backoff_max_ms == 30000);
	CHECK(cfg.max_response == (size_t)64 << 20);
	CHECK(cfg.base_url == NULL && cfg.sign == NULL && !cfg.allow_plain);
}

static void test_client_new_plain_http_only_on_loopback(void)
{
	CHECK(new_rc("http://127.0.0.1:8080", 0) == ERR_INVALID);
	CHECK(new_rc("http://localhost:8080", 0) == ERR_INVALID);
	CHECK(new_rc("http://hub.example.org", 1) == ERR_INVALID);
	CHECK(new_rc("http://10.0.0.1", 1) == ERR_INVALID);
	CHECK(new_rc("http://127.0.0.1.example.org", 1) == ERR_INVALID);
	CHECK(new_rc("http://[::2]:1", 1) == ERR_INVALID);
	CHECK(new_rc("http://127.0.0.9:1", 1) == 0);
	CHECK(new_rc("http://[::1]:1", 1) == 0);
	CHECK(new_rc("http://LocalHost:1/", 1) == 0);
	CHECK(new_rc("https://hub.example.org:8443/", 0) == 0);
	CHECK(new_rc("https://hub.example.org/prefix", 0) == 0);
}

static void test_client_new_refuses_bad_urls(void)
{
	struct err e;
	struct client_config cfg;
	struct client *c = (struct client *)&cfg; /* must be reset */

	CHECK(new_rc("ftp://127.0.0.1", 1) == ERR_INVALID);
	CHECK(new_rc("file:///etc/passwd", 1) == ERR_INVALID);
	CHECK(new_rc("https://u:p@hub.example.org", 0) == ERR_INVALID);
	CHECK(new_rc("https://hub.example.org/?q=1", 0) == ERR_INVALID);
	CHECK(new_rc("https://hub.example.org/#f", 0) == ERR_INVALID);
	CHECK(new_rc("hub.example.org", 0) == ERR_INVALID);
	CHECK(new_rc("https://hub example.org", 0) == ERR_INVALID);
	CHECK(new_rc("https://hub.example.org\r\n", 0) == ERR_INVALID);
	CHECK(new_rc("https://hub.example.org/a\x01", 0) == ERR_INVALID);
	CHECK(new_rc("https://hub.example.org/\x7f", 0) == ERR_INVALID);
	CHECK(new_rc("", 0) == ERR_INVALID);
	CHECK(new_rc(NULL, 0) == ERR_INVALID);
	client_config_init(&cfg);
	err_init(&e);
	cfg.base_url = "https://u:secret-pw@hub.example.org";
	CHECK(client_new(&c, &cfg, &e) == ERR_INVALID && c == NULL);
	CHECK(strstr(e.msg, "secret-pw") == NULL);
}

static void test_client_new_refuses_bad_pin_and_ca(void)
{
	struct client_config cfg;
	struct client *c = NULL;
	struct err e;

	init();
	client_config_init(&cfg);
	cfg.base_url = "https://hub.example.org";
	cfg.pinned_key = "abc";
	CHECK(client_new(&c, &cfg, NULL) == ERR_INVALID && c == NULL);
	cfg.pinned_key = "sha256//abc\r\nX: y";
	CHECK(client_new(&c, &cfg, NULL) == ERR_INVALID && c == NULL);
	cfg.pinned_key = NULL;
	cfg.ca_file = "/nonexistent/ca.pem";
	err_init(&e);
	CHECK(client_new(&c, &cfg, &e) == ERR_INVALID && c == NULL);
	CHECK(strstr(e.msg, "CA file") != NULL);
	cfg.ca_file = NULL;
	cfg.pinned_key = "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
	CHECK_OK(client_new(&c, &cfg, NULL));
	client_free(c);
	client_free(NULL);
}

static int sign_count(void *ctx, const char *method, const char *path,
		      const uint8_t *body, size_t len, struct client_headers *h,
		      struct err *e)
{
	(void)method;
	(void)path;
	(void)body;
	(void)len;
	(void)h;
	(void)e;
	++*(unsigned *)ctx;
	return 0;
}

static void test_client_refuses_bad_request_input(void)
{
	struct client_config cfg;
	struct client_response r;
	struct client *c = NULL;
	unsigned signs = 0;

	init();
	client_config_init(&cfg);
	cfg.base_url = "http://127.0.0.1:1"; /* sending would be ERR_IO */
	cfg.allow_plain = 1;
	cfg.retries = 0;
	cfg.sign = sign_count;
	cfg.sign_ctx = &signs;
	client_response_init(&r);
	CHECK_OK(client_new(&c, &cfg, NULL));
	CHECK(client_request(c, "GET", "x", NULL, 0, NULL, &r, NULL) ==
	      ERR_INVALID);
	CHECK(client_request(c, "GET", "/a b", NULL, 0, NULL, &r, NULL) ==
	      ERR_INVALID);
	CHECK(client_request(c, "GET", "/\x7f", NULL, 0, NULL, &r, NULL) ==
	      ERR_INVALID);
	CHECK(client_request(c, "get", "/", NULL, 0, NULL, &r, NULL) ==
	      ERR_INVALID);
	CHECK(client_request(c, "GET", "/", (const uint8_t *)"x", 1, NULL, &r,
			     NULL) == ERR_INVALID);
	CHECK(client_request(c, "POST", "/", NULL, 3, NULL, &r, NULL) ==
	      ERR_INVALID);
	CHECK(client_request(c, "POST", "/", NULL, 0, "a\r\nX-Evil: 1", &r,
			     NULL) == ERR_INVALID);
	CHECK(signs == 0 && r.attempts == 0);
	client_free(c);
}

static void test_client_response_release_resets(void)
{
	struct client_response r;

	client_response_init(&r);
	r.body = malloc(4);
	CHECK(r.body != NULL);
	memcpy(r.body, "abc", 4);
	r.len = 3;
	r.status = 200;
	client_response_release(&r);
	CHECK(r.body == NULL && r.len == 0 && r.status == 0);
	client_response_release(&r);
	client_response_release(NULL);
}

TEST_MAIN(T(test_client_config_defaults),
	  T(test_client_new_plain_http_only_on_loopback),
	  T(test_client_new_refuses_bad_urls),
	  T(test_client_new_refuses_bad_pin_and_ca),
	  T(test_client_refuses_bad_request_input),
	  T(test_client_response_release_resets))
