/*
 * fuzz_http.c - libFuzzer target for what the HTTP layer reads from the
 * network before a handler sees it: a request path through the router
 * (http/http_route.h) and a Cookie header (http/http_cookie.h).
 *
 * The input is one string (cut at its first NUL).  As a path: the router
 * answers it or routes it; a routed path never holds a "." or ".."
 * segment, a {param} never holds a '/', and a refusal is a 4xx with a
 * JSON body.  As a Cookie header: a cookie found lies inside the header
 * and holds cookie-octets only; anything else is ERR_NOTFOUND or
 * ERR_INVALID.
 */
#include <stdlib.h>
#include <string.h>

#include "http/http_cookie.h"
#include "http/http_route.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void route_fn(void *ctx, const struct http_request *req,
		     struct http_response *res)
{
	(void)ctx;
	(void)req;
	http_response_status(res, 204);
}

static const struct http_route routes[] = {
	{ HTTP_GET, "/a/{id}", route_fn, NULL, 0, 0 },
	{ HTTP_GET, "/a/{id}/b/{sub}", route_fn, NULL, 0, 0 },
	{ HTTP_GET | HTTP_HEAD, "/s/*", route_fn, NULL, 0, 0 },
	{ HTTP_POST, "/", route_fn, NULL, 0, 0 },
};

static const struct http_router router = {
	routes, sizeof(routes) / sizeof(routes[0]),
};

/* 1 when text holds a "." or ".." segment. */
static int walks_up(const char *text)
{
	const char *p = text;

	while (*p) {
		size_t n = strcspn(p, "/");

		if ((n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.'))
			return 1;
		p += n;
		if (*p)
			p++;
	}
	return 0;
}

static void check_route(const char *path)
{
	struct http_request req;
	struct http_response res;
	const struct http_route *rt;
	const char *id, *rest;

	memset(&req, 0, sizeof(req));
	memset(&res, 0, sizeof(res));
	req.method = "GET";
	req.path = path;
	rt = http_router_dispatch(&router, NULL, &req, &res);
	if (!rt && (res.status < 400 || res.status > 499 || !res.body))
		abort();
	if (rt && walks_up(path))
		abort();
	if (rt && res.status != 204)
		abort();
	http_response_release(&res);
	/* The parameters, through a match of their own. */
	if (rt) {
		struct http_params ps;

		req.params = &ps;
		if (http_router_match(&router, &req, &ps, &res) != rt)
			abort();
		id = http_route_param(&req, "id");
		rest = http_route_param(&req, "*");
		if (id && (!*id || strchr(id, '/')))
			abort();
		if (rest && walks_up(rest))
			abort();
	}
	http_response_release(&res);
}

static void check_cookie(const char *header)
{
	const char *v = NULL;
	size_t len = 0;
	int rc = http_cookie_find(header, "sid", &v, &len);

	if (rc && rc != ERR_NOTFOUND && rc != ERR_INVALID)
		abort();
	if (rc)
		return;
	if (v < header || v + len > header + strlen(header))
		abort();
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)v[i] <= 0x20 || (unsigned char)v[i] >= 0x7f ||
		    strchr("\";,\\", v[i]))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	check_route(text);
	check_cookie(text);
	free(text);
	return 0;
}
