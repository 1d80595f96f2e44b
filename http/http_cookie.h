/*
 * http_cookie.h - cookies: reading one from a request's Cookie header,
 * strictly, and writing Set-Cookie headers that keep a session cookie
 * out of scripts and other sites' requests.
 *
 * Reading follows RFC 6265 (4.2.1): "name=value" pairs separated by ";"
 * (spaces around them allowed, a trailing ";" too), names HTTP tokens,
 * values cookie-octets, optionally in double quotes (which are not part
 * of the value).  A header that does not parse is refused as a whole,
 * never guessed at: a parser that skipped what it cannot read could be
 * led to take another cookie's bytes for the one asked.  A cookie given
 * twice (in one header or two) is refused as well: a sibling site can
 * set a second cookie of the same name for this host ("cookie tossing"),
 * and no rule tells which of the two is ours.
 *
 * Every cookie written is HttpOnly (no script reads it) and
 * SameSite=Strict (no other site's page sends it); Secure unless asked
 * otherwise (plain HTTP on loopback only).  The module keeps nothing;
 * Set-Cookie text is wiped from its buffers once it is in the response.
 */
#ifndef PRESIDIO_HTTP_COOKIE_H
#define PRESIDIO_HTTP_COOKIE_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "http/http.h"

#define HTTP_COOKIE_HEADER_MAX 8192 /* bytes of one Cookie header read */
#define HTTP_COOKIE_MAX 4096        /* bytes of a Set-Cookie value made */
#define HTTP_COOKIE_MAX_AGE (400u * 86400u) /* browsers cap it there */

/*
 * Find cookie name in the value of one Cookie header.  0 with *value and
 * *len set to the value inside header (not NUL-terminated, quotes
 * removed); ERR_NOTFOUND when the header holds no such cookie;
 * ERR_INVALID when the header does not parse (see above), is longer than
 * HTTP_COOKIE_HEADER_MAX, or names the cookie twice.
 */
int http_cookie_find(const char *header, const char *name,
		     const char **value, size_t *len) ERR_MUST_USE;

/*
 * The value of cookie name in req's Cookie headers (all of them), copied
 * into out (size bytes, NUL-terminated).  0; ERR_NOTFOUND when no header
 * holds it; ERR_INVALID when a Cookie header does not parse, the cookie
 * comes twice, or its value does not fit out.  On any failure out is "".
 * A caller answers ERR_INVALID with 400 (code "bad_cookie").
 */
int http_request_cookie(const struct http_request *req, const char *name,
			char *out, size_t size) ERR_MUST_USE;

/* A cookie to set. */
struct http_cookie {
	const char *name;  /* an HTTP token; "__Host-" names need secure
			      and path "/" (browsers refuse them else) */
	const char *value; /* cookie-octets only; "" allowed */
	const char *path;  /* NULL = "/"; printable, no ';' */
	uint32_t max_age;  /* seconds, at most HTTP_COOKIE_MAX_AGE; 0: no
			      Max-Age (gone when the browser closes) */
	int insecure;      /* 1: no Secure attribute (plain HTTP) */
};

/*
 * The Set-Cookie value of c into out (size bytes): "name=value;
 * Path=/; Max-Age=N; HttpOnly; Secure; SameSite=Strict".  0, or
 * ERR_INVALID (a bad name, value, path or max_age, or out too small).
 */
int http_cookie_format(const struct http_cookie *c, char *out,
		       size_t size) ERR_MUST_USE;

/* Add the Set-Cookie header of c to res.  0, ERR_INVALID (as above, or
 * http_response_header()'s), ERR_NOMEM. */
int http_response_cookie(struct http_response *res,
			 const struct http_cookie *c) ERR_MUST_USE;

/*
 * Add a Set-Cookie header that deletes cookie name set with path (NULL =
 * "/"): an empty value with Max-Age=0, the other attributes as set, so
 * the browser matches it.  0, ERR_INVALID, ERR_NOMEM.
 */
int http_response_cookie_delete(struct http_response *res, const char *name,
				const char *path, int insecure) ERR_MUST_USE;

#endif
