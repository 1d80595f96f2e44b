/*
 * http_route.h - routing by method and path, on top of the server of
 * http.h: a table of routes, each a set of methods, a path pattern, the
 * function that answers and the body it may carry.  The hub's endpoints
 * and the web interface are tables of routes.
 *
 * A pattern is a path of segments: a literal segment matches itself
 * (case-sensitive), "{name}" matches any one non-empty segment and makes
 * it a parameter (http_route_param()), and a last segment "*" matches
 * the rest of the path, empty or not (a prefix route; its parameter is
 * "*").  "/v1/push", "/records/{id}/history", "/static/ *" (no space).
 * The first route of the table whose pattern and method match is taken.
 *
 * What the router answers itself, each with a JSON error body:
 *   400 bad_path     a path that is not absolute, holds a control
 *                    character, an empty segment (a trailing '/' is
 *                    fine), a "." or ".." one (whatever its
 *                    percent-encoding was: libmicrohttpd decodes it
 *                    first), so no handler ever sees a path that walks up;
 *   414 uri_too_long a path over HTTP_PATH_MAX bytes;
 *   404 not_found    no pattern matches;
 *   405 method_not_allowed  patterns match but none with this method,
 *                    with an Allow header listing the methods that do;
 *   413 too_large    a body over the route's max_body (when the router
 *                    could not lower the server's bound before it was
 *                    read: http_router_headers() not installed).
 * HEAD is a method of its own: a route answers it only when it lists
 * HTTP_HEAD (the server then sends the headers of the answer without its
 * body), so that a signed GET cannot be replayed as a HEAD unnoticed.
 *
 * The router holds no state and allocates nothing: a table may be a
 * static const array, used by every pool thread at once.
 */
#ifndef PRESIDIO_HTTP_ROUTE_H
#define PRESIDIO_HTTP_ROUTE_H

#include <stddef.h>
#include <stdint.h>

#include "http/http.h"

#define HTTP_PATH_MAX 1024   /* bytes of a routed path, at most */
#define HTTP_PARAMS_MAX 8    /* parameters of one pattern, at most */
#define HTTP_BODY_ANY SIZE_MAX /* max_body: the server's bound only */

/* Methods, as bits of struct http_route.methods. */
enum http_method {
	HTTP_GET = 1u << 0,
	HTTP_HEAD = 1u << 1,
	HTTP_POST = 1u << 2,
	HTTP_PUT = 1u << 3,
	HTTP_DELETE = 1u << 4,
	HTTP_PATCH = 1u << 5,
	HTTP_OPTIONS = 1u << 6
};

/* The bit of a method name ("GET"...), 0 for one the server refuses. */
unsigned http_method_bit(const char *method);

/*
 * A route's answer: called on a pool thread with the ctx given to
 * http_router_dispatch(); req->params holds the pattern's parameters.
 */
typedef void (*http_route_fn)(void *ctx, const struct http_request *req,
			      struct http_response *res);

struct http_route {
	unsigned methods;      /* HTTP_GET | ...: what it answers */
	const char *pattern;   /* see above */
	http_route_fn fn;      /* the answer */
	/*
	 * Before the body is read (http_router_headers()): may answer at
	 * once or lower the bound further, as http_headers_fn does; called
	 * with req->params set.  NULL: none.
	 */
	http_headers_fn precheck;
	size_t max_body;       /* body bytes it takes: 0 none at all,
				  HTTP_BODY_ANY the server's bound */
	unsigned flags;        /* the caller's own (the router never reads
				  them), e.g. "answers are signed" */
};

/* A table of routes (not copied: it must outlive the server). */
struct http_router {
	const struct http_route *routes;
	size_t nroutes;
};

/*
 * The parameters of a matched route: names point into the pattern,
 * values into text (a copy of the path, NUL-terminated segments).
 * Filled by the router on the caller's stack; valid during the call.
 */
struct http_params {
	size_t n;
	struct {
		const char *name;  /* in the pattern, name_len bytes */
		size_t name_len;
		const char *value; /* NUL-terminated, in text */
	} p[HTTP_PARAMS_MAX + 1]; /* + 1: the "*" of a prefix route */
	char text[HTTP_PATH_MAX + 1];
};

/* The value of parameter name of req's route ("*" for the rest of a
 * prefix route), or NULL when it has none of that name. */
const char *http_route_param(const struct http_request *req,
			     const char *name);

/*
 * Check req->path (see above): 0, or the status the router answers
 * (400 or 414) with res filled in.
 */
int http_route_path_check(const char *path, struct http_response *res);

/*
 * Find req's route in r: the route, with *params filled in; NULL with
 * res answered (400, 414, 404, 405 with Allow).
 */
const struct http_route *http_router_match(const struct http_router *r,
					   const struct http_request *req,
					   struct http_params *params,
					   struct http_response *res);

/*
 * At a request's headers (from the server's headers_fn): match it, lower
 * *max_body to the route's, then run the route's precheck with ctx.
 * Unknown paths and methods are answered here, before any body is read.
 * Returns the route matched, or NULL when the router answered.
 */
const struct http_route *
http_router_headers(const struct http_router *r, void *ctx,
		    const struct http_request *req, size_t *max_body,
		    struct http_response *res);

/*
 * A whole request (from the server's handler): match it and call the
 * route's fn(ctx, req, res) with req->params set.  Returns the route
 * called, or NULL when the router answered itself.
 */
const struct http_route *
http_router_dispatch(const struct http_router *r, void *ctx,
		     const struct http_request *req,
		     struct http_response *res);

#endif
