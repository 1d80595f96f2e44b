/* http_route.c - see http_route.h. */
#include "http/http_route.h"

#include <stdio.h>
#include <string.h>

static const struct {
	const char *name;
	unsigned bit;
} methods[] = {
	{ "GET", HTTP_GET },       { "HEAD", HTTP_HEAD },
	{ "POST", HTTP_POST },     { "PUT", HTTP_PUT },
	{ "DELETE", HTTP_DELETE }, { "PATCH", HTTP_PATCH },
	{ "OPTIONS", HTTP_OPTIONS },
};

#define NMETHODS (sizeof(methods) / sizeof(methods[0]))

unsigned http_method_bit(const char *method)
{
	for (size_t i = 0; method && i < NMETHODS; i++)
		if (!strcmp(method, methods[i].name))
			return methods[i].bit;
	return 0;
}

const char *http_route_param(const struct http_request *req,
			     const char *name)
{
	const struct http_params *ps = req->params;
	size_t len = strlen(name);

	for (size_t i = 0; ps && i < ps->n; i++)
		if (ps->p[i].name_len == len &&
		    !memcmp(ps->p[i].name, name, len))
			return ps->p[i].value;
	return NULL;
}

int http_route_path_check(const char *path, struct http_response *res)
{
	size_t len = path ? strnlen(path, HTTP_PATH_MAX + 1) : 0;
	const char *seg;

	if (len > HTTP_PATH_MAX) {
		http_response_error(res, 414, "uri_too_long",
				    "path longer than %d bytes", HTTP_PATH_MAX);
		return 414;
	}
	if (!len || path[0] != '/')
		goto bad;
	for (const char *p = path; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p == 0x7f)
			goto bad;
	/* Every segment after a '/': none empty (but after a last '/'),
	 * none "." or "..".  A handler that maps paths to anything cannot
	 * be walked out of its tree. */
	for (seg = path + 1; len > 1; seg++) {
		size_t n = strcspn(seg, "/");

		if (!n && !*seg)
			break;
		if (!n || (n == 1 && seg[0] == '.') ||
		    (n == 2 && seg[0] == '.' && seg[1] == '.'))
			goto bad;
		seg += n;
		if (!*seg)
			break;
	}
	return 0;
bad:
	/* The path is not quoted: it came from the network. */
	http_response_error(res, 400, "bad_path", "malformed request path");
	return 400;
}

/*
 * Match path against pattern, filling ps (values copied to ps->text).
 * 1 when it matches.  Both are checked paths: absolute, no empty
 * segment.
 */
static int pattern_match(const char *pattern, const char *path,
			 struct http_params *ps)
{
	const char *pp = pattern, *sp = path;
	char *out = ps->text;

	ps->n = 0;
	while (*pp == '/' && *sp == '/') {
		size_t pn, sn;

		pp++;
		sp++;
		pn = strcspn(pp, "/");
		sn = strcspn(sp, "/");
		if (pn == 1 && *pp == '*' && !pp[1]) {
			/* The rest, as it is (slashes kept). */
			sn = strlen(sp);
			ps->p[ps->n].name = pp;
			ps->p[ps->n].name_len = 1;
			ps->p[ps->n].value = out;
			ps->n++;
			memcpy(out, sp, sn + 1);
			return 1;
		}
		if (pn >= 2 && *pp == '{' && pp[pn - 1] == '}') {
			if (!sn || ps->n >= HTTP_PARAMS_MAX)
				return 0;
			ps->p[ps->n].name = pp + 1;
			ps->p[ps->n].name_len = pn - 2;
			ps->p[ps->n].value = out;
			ps->n++;
			memcpy(out, sp, sn);
			out[sn] = '\0';
			out += sn + 1;
		} else if (pn != sn || memcmp(pp, sp, pn)) {
			return 0;
		}
		pp += pn;
		sp += sn;
	}
	return !*pp && !*sp;
}

/* "GET, HEAD" for the bits in allow, in the table's order. */
static void allow_text(unsigned allow, char *out, size_t size)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < NMETHODS; i++) {
		int w;

		if (!(allow & methods[i].bit))
			continue;
		w = snprintf(out + used, size - used, "%s%s",
			     used ? ", " : "", methods[i].name);
		if (w < 0 || (size_t)w >= size - used)
			return;
		used += (size_t)w;
	}
}

const struct http_route *http_router_match(const struct http_router *r,
					   const struct http_request *req,
					   struct http_params *params,
					   struct http_response *res)
{
	unsigned bit = http_method_bit(req->method), allow = 0;
	char allowed[64];

	if (http_route_path_check(req->path, res))
		return NULL;
	for (size_t i = 0; i < r->nroutes; i++) {
		const struct http_route *rt = &r->routes[i];

		if (!pattern_match(rt->pattern, req->path, params))
			continue;
		if (rt->methods & bit)
			return rt;
		allow |= rt->methods;
	}
	params->n = 0;
	if (!allow) {
		http_response_error(res, 404, "not_found", "no such path");
		return NULL;
	}
	allow_text(allow, allowed, sizeof(allowed));
	http_response_error(res, 405, "method_not_allowed",
			    "method not allowed");
	if (http_response_header(res, "Allow", allowed))
		http_response_error(res, 500, "internal", "out of memory");
	return NULL;
}

const struct http_route *
http_router_headers(const struct http_router *r, void *ctx,
		    const struct http_request *req, size_t *max_body,
		    struct http_response *res)
{
	struct http_params params;
	struct http_request with = *req;
	const struct http_route *rt = http_router_match(r, req, &params, res);

	if (!rt)
		return NULL;
	if (rt->max_body < *max_body)
		*max_body = rt->max_body;
	with.params = &params;
	if (rt->precheck)
		rt->precheck(ctx, &with, max_body, res);
	return rt;
}

const struct http_route *
http_router_dispatch(const struct http_router *r, void *ctx,
		     const struct http_request *req,
		     struct http_response *res)
{
	struct http_params params;
	struct http_request with = *req;
	const struct http_route *rt = http_router_match(r, req, &params, res);

	if (!rt)
		return NULL;
	/* Bounded at the headers already when the router saw them; this
	 * holds when it did not. */
	if (req->body_len > rt->max_body) {
		http_response_error(res, 413, "too_large",
				    "request body too large");
		return NULL;
	}
	with.params = &params;
	rt->fn(ctx, &with, res);
	return rt;
}
