/*
 * test_cookie.c - http/http_cookie.h: a cookie found among others,
 * quoted, with spaces; malformed headers refused whole; a cookie given
 * twice refused; Set-Cookie with every attribute, the deletion form,
 * names, values and paths refused; a long session value (beyond the old
 * 256-byte header bound); then through a running server: the cookie read
 * from the request, a malformed one answered 400 JSON, Set-Cookie sent.
 */
#include "http/http_cookie.h"
#include "tests/http/http_fixture.h"

/* http_cookie_find() into a NUL-terminated copy; the return code. */
static int find(const char *header, const char *name, char *out,
		size_t size)
{
	const char *v = NULL;
	size_t len = 0;
	int rc = http_cookie_find(header, name, &v, &len);

	out[0] = '\0';
	if (!rc && len < size) {
		memcpy(out, v, len);
		out[len] = '\0';
	}
	return rc;
}

static void test_cookie_parse(void)
{
	char v[128];

	CHECK_OK(find("sid=abc", "sid", v, sizeof(v)));
	CHECK(!strcmp(v, "abc"));
	CHECK_OK(find("a=1; sid=xyz; b=2", "sid", v, sizeof(v)));
	CHECK(!strcmp(v, "xyz"));
	/* A name that ends like the one asked is another cookie. */
	CHECK_OK(find("xsid=1; sid=2", "sid", v, sizeof(v)));
	CHECK(!strcmp(v, "2"));
	CHECK_OK(find("sid=\"q-v\"", "sid", v, sizeof(v)));
	CHECK(!strcmp(v, "q-v"));
	CHECK_OK(find("sid=", "sid", v, sizeof(v)));
	CHECK(!strcmp(v, ""));
	/* Spaces around pairs, a trailing ';': what clients send. */
	CHECK_OK(find("  a=1 ;sid=ok;  ", "sid", v, sizeof(v)));
	CHECK(!strcmp(v, "ok"));
	CHECK_OK(find("a=1;\tsid=t=b64==", "sid", v, sizeof(v)));
	CHECK(!strcmp(v, "t=b64=="));
	CHECK(find("a=1; b=2", "sid", v, sizeof(v)) == ERR_NOTFOUND);
	CHECK(find("", "sid", v, sizeof(v)) == ERR_NOTFOUND);
	CHECK(find("SID=1", "sid", v, sizeof(v)) == ERR_NOTFOUND);
}

static void test_cookie_malformed_refused(void)
{
	static const char *const bad[] = {
		"sid",              /* no '=' */
		"=abc",             /* no name */
		"sid=a b",          /* a space in the value */
		"sid=a,b",          /* a comma */
		"sid=a\\b",         /* a backslash */
		"sid=\"abc",        /* an open quote */
		"sid=\"a\"b",       /* text after the quotes */
		"sid=a\"b",         /* a quote inside */
		"a=1;; sid=2",      /* an empty pair */
		"a=1 sid=2",        /* two pairs without ';' */
		"s id=1",           /* a space in the name */
		"s(d=1",            /* not a token */
		"sid=a\x01",        /* a control character */
		"sid=caf\xc3\xa9",  /* not ASCII */
		"a=1; b=\x7f; sid=2", /* the bad one is not the one asked */
		";sid=1",           /* an empty first pair */
	};
	char v[64], *big;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(find(bad[i], "sid", v, sizeof(v)) == ERR_INVALID);
	/* Twice: which one is ours cannot be told. */
	CHECK(find("sid=1; sid=2", "sid", v, sizeof(v)) == ERR_INVALID);
	CHECK(find("sid=1; a=2; sid=1", "sid", v, sizeof(v)) == ERR_INVALID);
	/* Over HTTP_COOKIE_HEADER_MAX. */
	big = malloc(HTTP_COOKIE_HEADER_MAX + 16);
	CHECK(big);
	memcpy(big, "sid=", 4);
	memset(big + 4, 'a', HTTP_COOKIE_HEADER_MAX + 16 - 5);
	big[HTTP_COOKIE_HEADER_MAX + 15] = '\0';
	CHECK(find(big, "sid", v, sizeof(v)) == ERR_INVALID);
	big[HTTP_COOKIE_HEADER_MAX] = '\0';
	CHECK(find(big, "sid", v, sizeof(v)) == 0);
	free(big);
}

static void test_cookie_set_cookie_attributes(void)
{
	struct http_cookie c = { "sid", "tok123", NULL, 3600, 0 };
	char out[256];

	CHECK_OK(http_cookie_format(&c, out, sizeof(out)));
	CHECK(!strcmp(out, "sid=tok123; Path=/; Max-Age=3600; HttpOnly; "
			   "Secure; SameSite=Strict"));
	c.path = "/ui";
	c.max_age = 0;
	c.insecure = 1;
	CHECK_OK(http_cookie_format(&c, out, sizeof(out)));
	CHECK(!strcmp(out, "sid=tok123; Path=/ui; HttpOnly; SameSite=Strict"));
	c.max_age = HTTP_COOKIE_MAX_AGE;
	CHECK_OK(http_cookie_format(&c, out, sizeof(out)));
	/* Too small a buffer: refused, nothing half-written. */
	CHECK(http_cookie_format(&c, out, 20) == ERR_INVALID);
	CHECK(out[0] == '\0');
}

static void test_cookie_set_cookie_refused(void)
{
	struct http_cookie ok = { "sid", "v", NULL, 60, 0 };
	struct http_cookie c;
	char out[256];

	c = ok;
	c.name = "s id";
	CHECK(http_cookie_format(&c, out, sizeof(out)) == ERR_INVALID);
	c.name = "";
	CHECK(http_cookie_format(&c, out, sizeof(out)) == ERR_INVALID);
	c = ok;
	c.value = "a;b";
	CHECK(http_cookie_format(&c, out, sizeof(out)) == ERR_INVALID);
	c.value = "a\r\nSet-Cookie: x=1";
	CHECK(http_cookie_format(&c, out, sizeof(out)) == ERR_INVALID);
	c.value = NULL;
	CHECK(http_cookie_format(&c, out, sizeof(out)) == ERR_INVALID);
	c = ok;
	c.path = "ui";
	CHECK(http_cookie_format(&c, out, sizeof(out)) == ERR_INVALID);
	c.path = "/a;Domain=evil";
	CHECK(http_cookie_format(&c, out, sizeof(out)) == ERR_INVALID);
	c = ok;
	c.max_age = HTTP_COOKIE_MAX_AGE + 1;
	CHECK(http_cookie_format(&c, out, sizeof(out)) == ERR_INVALID);
	/* __Host-: Secure and Path=/ or browsers drop it. */
	c = ok;
	c.name = "__Host-sid";
	CHECK_OK(http_cookie_format(&c, out, sizeof(out)));
	c.insecure = 1;
	CHECK(http_cookie_format(&c, out, sizeof(out)) == ERR_INVALID);
	c.insecure = 0;
	c.path = "/ui";
	CHECK(http_cookie_format(&c, out, sizeof(out)) == ERR_INVALID);
}

static void test_cookie_response_headers(void)
{
	struct http_cookie c = { "sid", NULL, NULL, 600, 0 };
	struct http_response res;
	char *token = malloc(3001);
	int ok;

	CHECK(token);
	memset(token, 'k', 3000);
	token[3000] = '\0';
	c.value = token;
	memset(&res, 0, sizeof(res));
	ok = http_response_cookie(&res, &c) == 0 &&
	     http_response_cookie_delete(&res, "old", "/ui", 0) == 0 &&
	     res.nheaders == 2 && !strcmp(res.headers[0].name, "Set-Cookie") &&
	     strlen(res.headers[0].value) > 3000 &&
	     !strcmp(res.headers[1].value,
		     "old=; Path=/ui; Max-Age=0; HttpOnly; Secure; "
		     "SameSite=Strict");
	ok = ok && http_response_cookie_delete(&res, "b d", NULL, 0) ==
			   ERR_INVALID &&
	     res.nheaders == 2;
	http_response_release(&res);
	free(token);
	CHECK(ok);
	CHECK(res.nheaders == 0 && res.headers == NULL);
}

/* ---- through a server ---- */

/* /who answers the sid cookie, or 400 bad_cookie; /login sets it. */
static void cookie_handler(void *ctx, const struct http_request *req,
			   struct http_response *res)
{
	struct http_cookie c = { "sid", "s3cr3t", NULL, 60, 1 };
	char sid[64];
	json_t *o;
	int rc;

	(void)ctx;
	if (!strcmp(req->path, "/login")) {
		if (http_response_cookie(res, &c))
			http_response_error(res, 500, "internal", "cookie");
		else
			http_response_status(res, 204);
		return;
	}
	rc = http_request_cookie(req, "sid", sid, sizeof(sid));
	if (rc == ERR_INVALID) {
		http_response_error(res, 400, "bad_cookie",
				    "malformed Cookie header");
		return;
	}
	o = json_pack("{s:s?}", "sid", rc ? NULL : sid);
	if (!o || http_response_json(res, 200, o))
		http_response_error(res, 500, "internal", "out of memory");
	json_decref(o);
}

static void test_cookie_through_server(void)
{
	struct http_server *s = NULL;
	struct http_config cfg;
	struct call c;
	uint16_t port;
	int ok;

	memset(&cfg, 0, sizeof(cfg));
	cfg.address = "127.0.0.1";
	cfg.plain_http = 1;
	cfg.max_per_ip = 64;
	CHECK_OK(http_server_start(&s, &cfg, cookie_handler, NULL, NULL));
	port = http_server_port(s);

	memset(&c, 0, sizeof(c));
	c.path = "/login";
	fetch(port, &c);
	ok = c.status == 204 && c.set_cookies == 1 &&
	     !strcmp(c.set_cookie, "sid=s3cr3t; Path=/; Max-Age=60; "
				   "HttpOnly; SameSite=Strict");
	call_release(&c);

	memset(&c, 0, sizeof(c));
	c.path = "/who";
	c.header = "Cookie: theme=dark; sid=abc";
	fetch(port, &c);
	ok = ok && c.status == 200 && c.reply &&
	     !strcmp(c.reply, "{\"sid\":\"abc\"}");
	call_release(&c);

	memset(&c, 0, sizeof(c));
	c.path = "/who";
	fetch(port, &c);
	ok = ok && c.status == 200 && c.reply &&
	     !strcmp(c.reply, "{\"sid\":null}");
	call_release(&c);

	memset(&c, 0, sizeof(c));
	c.path = "/who";
	c.header = "Cookie: sid=a b";
	fetch(port, &c);
	ok = ok && c.status == 400 && is_json_error(&c, "bad_cookie");
	call_release(&c);

	/* Once in each of two headers: refused too. */
	memset(&c, 0, sizeof(c));
	c.path = "/who";
	c.header = "Cookie: sid=abc";
	c.header2 = "Cookie: sid=def";
	fetch(port, &c);
	ok = ok && c.status == 400 && is_json_error(&c, "bad_cookie");
	call_release(&c);

	/* A value longer than the handler's buffer. */
	memset(&c, 0, sizeof(c));
	c.path = "/who";
	c.header = "Cookie: sid=0123456789012345678901234567890123456789"
		   "0123456789012345678901234567890123456789";
	fetch(port, &c);
	ok = ok && c.status == 400 && is_json_error(&c, "bad_cookie");
	call_release(&c);
	http_server_stop(s);
	CHECK(ok);
}

HTTP_TEST_MAIN(T(test_cookie_parse), T(test_cookie_malformed_refused),
	       T(test_cookie_set_cookie_attributes),
	       T(test_cookie_set_cookie_refused),
	       T(test_cookie_response_headers),
	       T(test_cookie_through_server))
