/*
 * test_route.c - http/http_route.h: exact, parameter and prefix
 * patterns, first match wins, 404, 405 with Allow, HEAD only where a
 * route lists it, paths that walk up or hold control characters refused
 * 400, long ones 414, per-route body bounds (at the headers, before the
 * body, and at dispatch); then the same through a running server and
 * libcurl.
 */
#include "http/http_route.h"
#include "tests/http/http_fixture.h"

/* What the routes saw (one call at a time in the unit tests). */
static char seen[256];

static void note(const char *what, const struct http_request *req,
		 struct http_response *res)
{
	const char *id = http_route_param(req, "id");
	const char *rest = http_route_param(req, "*");
	json_t *o;

	snprintf(seen, sizeof(seen), "%s id=%s rest=%s", what,
		 id ? id : "-", rest ? rest : "-");
	o = json_pack("{s:s,s:s?,s:s?,s:s?}", "route", what, "id", id, "rest",
		      rest, "sub", http_route_param(req, "sub"));
	if (!o || http_response_json(res, 200, o))
		http_response_error(res, 500, "internal", "out of memory");
	json_decref(o);
}

static void r_list(void *ctx, const struct http_request *req,
		   struct http_response *res)
{
	(void)ctx;
	note("list", req, res);
}

static void r_item(void *ctx, const struct http_request *req,
		   struct http_response *res)
{
	(void)ctx;
	note("item", req, res);
}

static void r_item_put(void *ctx, const struct http_request *req,
		       struct http_response *res)
{
	(void)ctx;
	note("item_put", req, res);
}

static void r_sub(void *ctx, const struct http_request *req,
		  struct http_response *res)
{
	(void)ctx;
	note("sub", req, res);
}

static void r_static(void *ctx, const struct http_request *req,
		     struct http_response *res)
{
	(void)ctx;
	note("static", req, res);
}

static void r_upload(void *ctx, const struct http_request *req,
		     struct http_response *res)
{
	int *calls = ctx;

	if (calls)
		(*calls)++;
	note("upload", req, res);
}

/* Refuses a request whose {id} is "locked", before its body. */
static void upload_check(void *ctx, const struct http_request *req,
			 size_t *max_body, struct http_response *res)
{
	const char *id = http_route_param(req, "id");

	(void)ctx;
	if (id && !strcmp(id, "small"))
		*max_body = 10;
	if (id && !strcmp(id, "locked"))
		http_response_error(res, 423, "locked", "locked");
}

static const struct http_route routes[] = {
	{ HTTP_GET | HTTP_HEAD, "/items", r_list, NULL, 0, 0 },
	{ HTTP_GET | HTTP_HEAD, "/items/new", r_list, NULL, 0, 1 },
	{ HTTP_GET, "/items/{id}", r_item, NULL, 0, 0 },
	{ HTTP_PUT | HTTP_DELETE, "/items/{id}", r_item_put, NULL, 64, 0 },
	{ HTTP_GET, "/items/{id}/notes/{sub}", r_sub, NULL, 0, 0 },
	{ HTTP_GET, "/static/*", r_static, NULL, 0, 0 },
	{ HTTP_POST, "/upload/{id}", r_upload, upload_check, 1000, 0 },
	{ HTTP_GET, "/", r_list, NULL, 0, 2 },
};

static const struct http_router router = {
	routes, sizeof(routes) / sizeof(routes[0]),
};

/* Dispatch method path (no server): the status, the route in *rt. */
static int route(const char *method, const char *path,
		 const struct http_route **rt, struct http_response *res)
{
	struct http_request req;

	memset(&req, 0, sizeof(req));
	http_response_release(res);
	seen[0] = '\0';
	req.method = method;
	req.path = path;
	req.remote = "test";
	*rt = http_router_dispatch(&router, NULL, &req, res);
	return res->status;
}

/* The error code of res's JSON body ("" when none). */
static const char *code_of(const struct http_response *res)
{
	static char code[64];
	json_t *o = json_loadb((const char *)res->body, res->body_len, 0,
			       NULL);
	const char *c = json_string_value(
		json_object_get(json_object_get(o, "error"), "code"));

	snprintf(code, sizeof(code), "%s", c ? c : "");
	json_decref(o);
	return code;
}

static void test_route_exact_param_prefix(void)
{
	struct http_response res;
	const struct http_route *rt;

	memset(&res, 0, sizeof(res));
	CHECK(route("GET", "/items", &rt, &res) == 200 && rt == &routes[0]);
	CHECK(!strcmp(seen, "list id=- rest=-"));
	/* First match wins: the literal before the parameter. */
	CHECK(route("GET", "/items/new", &rt, &res) == 200 &&
	      rt == &routes[1]);
	CHECK(route("GET", "/items/42", &rt, &res) == 200 && rt == &routes[2]);
	CHECK(!strcmp(seen, "item id=42 rest=-"));
	CHECK(route("GET", "/items/42/notes/7", &rt, &res) == 200);
	CHECK(!strcmp(seen, "sub id=42 rest=-"));
	CHECK(route("GET", "/static/css/app.css", &rt, &res) == 200);
	CHECK(!strcmp(seen, "static id=- rest=css/app.css"));
	CHECK(route("GET", "/static/", &rt, &res) == 200);
	CHECK(!strcmp(seen, "static id=- rest="));
	CHECK(route("GET", "/", &rt, &res) == 200 && rt == &routes[7]);
	CHECK(!strcmp(res.content_type, "application/json"));
	http_response_release(&res);
}

static void test_route_unknown_is_404(void)
{
	struct http_response res;
	const struct http_route *rt;

	memset(&res, 0, sizeof(res));
	CHECK(route("GET", "/nothing", &rt, &res) == 404 && !rt);
	CHECK(!strcmp(code_of(&res), "not_found"));
	CHECK(!strcmp(res.content_type, "application/json"));
	/* No partial matches: a segment more or less is another path. */
	CHECK(route("GET", "/items/42/notes", &rt, &res) == 404);
	CHECK(route("GET", "/items/42/x/7", &rt, &res) == 404);
	CHECK(route("GET", "/itemsx", &rt, &res) == 404);
	CHECK(route("GET", "/items/", &rt, &res) == 404); /* no empty {id} */
	CHECK(route("GET", "/static", &rt, &res) == 404);
	CHECK(seen[0] == '\0'); /* no route ran */
	http_response_release(&res);
}

static void test_route_wrong_method_is_405_with_allow(void)
{
	struct http_response res;
	const struct http_route *rt;

	memset(&res, 0, sizeof(res));
	CHECK(route("POST", "/items", &rt, &res) == 405 && !rt);
	CHECK(!strcmp(code_of(&res), "method_not_allowed"));
	CHECK(!strcmp(http_response_header_get(&res, "Allow"), "GET, HEAD"));
	/* Allow lists every route of the path, in one order. */
	CHECK(route("PATCH", "/items/9", &rt, &res) == 405);
	CHECK(!strcmp(http_response_header_get(&res, "allow"),
		      "GET, PUT, DELETE"));
	CHECK(route("PUT", "/items/9", &rt, &res) == 200);
	CHECK(!strcmp(seen, "item_put id=9 rest=-"));
	CHECK(http_response_header_get(&res, "Allow") == NULL);
	/* A method the server does not know is no route's either. */
	CHECK(route("BREW", "/items", &rt, &res) == 405);
	http_response_release(&res);
}

static void test_route_head_only_where_listed(void)
{
	struct http_response res;
	const struct http_route *rt;

	memset(&res, 0, sizeof(res));
	CHECK(route("HEAD", "/items", &rt, &res) == 200 && rt == &routes[0]);
	/* A GET route does not answer HEAD unless it says so. */
	CHECK(route("HEAD", "/items/42", &rt, &res) == 405);
	CHECK(!strcmp(http_response_header_get(&res, "Allow"),
		      "GET, PUT, DELETE"));
	http_response_release(&res);
}

static void test_route_bad_paths_refused(void)
{
	static const char *const bad[] = {
		"", "items", "/items/../etc/passwd", "/..", "/.", "/items/.",
		"/static/../../x", "/static/./x", "//items", "/items//42",
		"/items/4\x01" "2", "/items/\x7f", "/static/a\tb",
	};
	struct http_response res;
	const struct http_route *rt;
	char longp[HTTP_PATH_MAX + 2];

	memset(&res, 0, sizeof(res));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK(route("GET", bad[i], &rt, &res) == 400 && !rt);
		CHECK(!strcmp(code_of(&res), "bad_path"));
	}
	CHECK(route("GET", NULL, &rt, &res) == 400);
	CHECK(seen[0] == '\0');
	/* Dots inside a segment are a name, not a step. */
	CHECK(route("GET", "/static/..a/b..c/.d", &rt, &res) == 200);
	CHECK(!strcmp(seen, "static id=- rest=..a/b..c/.d"));
	memset(longp, 'a', sizeof(longp));
	longp[0] = '/';
	longp[HTTP_PATH_MAX + 1] = '\0';
	CHECK(route("GET", longp, &rt, &res) == 414);
	CHECK(!strcmp(code_of(&res), "uri_too_long"));
	longp[HTTP_PATH_MAX] = '\0';
	CHECK(route("GET", longp, &rt, &res) == 404);
	http_response_release(&res);
}

static void test_route_body_bounds(void)
{
	struct http_request req;
	struct http_response res;
	const struct http_route *rt;
	size_t max;
	int calls = 0;
	uint8_t body[2000];

	memset(body, 'x', sizeof(body));
	memset(&req, 0, sizeof(req));
	memset(&res, 0, sizeof(res));
	req.method = "POST";
	req.path = "/upload/one";
	req.remote = "test";
	/* At the headers: the route's bound lowers the server's. */
	max = 1u << 20;
	rt = http_router_headers(&router, NULL, &req, &max, &res);
	CHECK(rt == &routes[6] && max == 1000 && res.status == 0);
	max = 500;
	CHECK(http_router_headers(&router, NULL, &req, &max, &res) && max == 500);
	/* The route's precheck sees the parameters, may lower or answer. */
	req.path = "/upload/small";
	max = 1u << 20;
	CHECK(http_router_headers(&router, NULL, &req, &max, &res) &&
	      max == 10);
	req.path = "/upload/locked";
	CHECK(http_router_headers(&router, NULL, &req, &max, &res) &&
	      res.status == 423);
	http_response_release(&res);
	/* Unknown paths are answered at the headers. */
	req.path = "/upload";
	max = 1u << 20;
	CHECK(!http_router_headers(&router, NULL, &req, &max, &res) &&
	      res.status == 404);
	http_response_release(&res);
	/* At dispatch: a body over the route's bound never reaches it. */
	req.path = "/upload/one";
	req.body = body;
	req.body_len = 1001;
	CHECK(!http_router_dispatch(&router, &calls, &req, &res));
	CHECK(res.status == 413 && !strcmp(code_of(&res), "too_large"));
	CHECK(calls == 0);
	req.body_len = 1000;
	CHECK(http_router_dispatch(&router, &calls, &req, &res) == &routes[6]);
	CHECK(res.status == 200 && calls == 1);
	/* A GET route takes no body at all. */
	req.method = "GET";
	req.path = "/items";
	req.body_len = 1;
	CHECK(!http_router_dispatch(&router, NULL, &req, &res));
	CHECK(res.status == 413);
	http_response_release(&res);
}

static void test_route_method_bits(void)
{
	CHECK(http_method_bit("GET") == HTTP_GET);
	CHECK(http_method_bit("OPTIONS") == HTTP_OPTIONS);
	CHECK(http_method_bit("get") == 0);
	CHECK(http_method_bit("") == 0);
	CHECK(http_method_bit(NULL) == 0);
}

/* ---- through a server ---- */

static void handle_routed(void *ctx, const struct http_request *req,
			  struct http_response *res)
{
	(void)http_router_dispatch(&router, ctx, req, res);
}

static void headers_routed(void *ctx, const struct http_request *req,
			   size_t *max_body, struct http_response *res)
{
	(void)http_router_headers(&router, ctx, req, max_body, res);
}

static int start_routed(struct http_server **s)
{
	struct http_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.address = "127.0.0.1";
	cfg.plain_http = 1;
	cfg.max_body = 1u << 20;
	cfg.max_per_ip = 64;
	cfg.headers_fn = headers_routed;
	return http_server_start(s, &cfg, handle_routed, NULL, NULL);
}

static void test_route_through_server(void)
{
	struct http_server *s = NULL;
	struct call c;
	uint16_t port;
	json_t *o;
	int ok;

	CHECK_OK(start_routed(&s));
	port = http_server_port(s);

	memset(&c, 0, sizeof(c));
	c.path = "/items/abc%20d";
	fetch(port, &c);
	o = json_loadb(c.reply ? c.reply : "", c.reply_len, 0, NULL);
	ok = c.status == 200 &&
	     !strcmp(json_string_value(json_object_get(o, "id")), "abc d");
	json_decref(o);
	call_release(&c);

	memset(&c, 0, sizeof(c));
	c.path = "/nothing";
	fetch(port, &c);
	ok = ok && c.status == 404 && is_json_error(&c, "not_found");
	call_release(&c);

	memset(&c, 0, sizeof(c));
	c.method = "DELETE";
	c.path = "/items";
	fetch(port, &c);
	ok = ok && c.status == 405 && is_json_error(&c, "method_not_allowed") &&
	     !strcmp(c.allow, "GET, HEAD");
	call_release(&c);

	/* HEAD: the status and headers of a GET, no body. */
	memset(&c, 0, sizeof(c));
	c.nobody = 1; /* curl sends HEAD */
	c.path = "/items";
	fetch(port, &c);
	ok = ok && c.rc == CURLE_OK && c.status == 200 && c.reply_len == 0 &&
	     !strcmp(c.ctype, "application/json");
	call_release(&c);

	/* Walking up, as sent and percent-encoded: refused, never routed
	 * to the prefix route. */
	memset(&c, 0, sizeof(c));
	c.path_as_is = 1;
	c.path = "/static/../../etc/passwd";
	fetch(port, &c);
	ok = ok && c.status == 400 && is_json_error(&c, "bad_path");
	call_release(&c);
	memset(&c, 0, sizeof(c));
	c.path = "/static/%2e%2e/%2E%2e/etc/passwd";
	fetch(port, &c);
	ok = ok && c.status == 400 && is_json_error(&c, "bad_path");
	call_release(&c);
	memset(&c, 0, sizeof(c));
	/* An encoded NUL does not cut the path short ("/static/a"). */
	c.path = "/static/a%00b";
	fetch(port, &c);
	ok = ok && c.status == 400 && is_json_error(&c, "bad_path");
	call_release(&c);

	/* A body over the route's bound: 413 at its headers. */
	{
		static char big[2000];

		memset(big, 'b', sizeof(big));
		memset(&c, 0, sizeof(c));
		c.path = "/upload/one";
		c.body = big;
		c.body_len = sizeof(big);
		fetch(port, &c);
		ok = ok && c.status == 413 && is_json_error(&c, "too_large");
		call_release(&c);
		memset(&c, 0, sizeof(c));
		c.path = "/upload/one";
		c.body = big;
		c.body_len = 100;
		fetch(port, &c);
		ok = ok && c.status == 200;
		call_release(&c);
	}
	http_server_stop(s);
	CHECK(ok);
}

HTTP_TEST_MAIN(T(test_route_exact_param_prefix),
	       T(test_route_unknown_is_404),
	       T(test_route_wrong_method_is_405_with_allow),
	       T(test_route_head_only_where_listed),
	       T(test_route_bad_paths_refused),
	       T(test_route_body_bounds),
	       T(test_route_method_bits),
	       T(test_route_through_server))
