/* http_cookie.c - see http_cookie.h. */
#include "http/http_cookie.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define HOST_PREFIX "__Host-"

/* An HTTP token character (RFC 9110 tchar): what a cookie name holds. */
static int is_tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* RFC 6265 cookie-octet: visible ASCII but DQUOTE, ',', ';' and '\'. */
static int is_octet(char c)
{
	unsigned char u = (unsigned char)c;

	return u >= 0x21 && u <= 0x7e && u != '"' && u != ',' && u != ';' &&
	       u != '\\';
}

static const char *skip_ows(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/*
 * One pair at *pp: its name and value (quotes removed); *pp after it and
 * the spaces, ';' and spaces that follow.  0, or -1 when it does not
 * parse.
 */
static int pair_next(const char **pp, const char **name, size_t *nlen,
		     const char **value, size_t *vlen)
{
	const char *p = *pp;
	int quoted = 0;

	*name = p;
	while (is_tchar(*p))
		p++;
	*nlen = (size_t)(p - *name);
	if (!*nlen || *p != '=')
		return -1;
	p++;
	if (*p == '"') {
		quoted = 1;
		p++;
	}
	*value = p;
	while (is_octet(*p))
		p++;
	*vlen = (size_t)(p - *value);
	if (quoted && *p++ != '"')
		return -1;
	p = skip_ows(p);
	if (*p == ';')
		p = skip_ows(p + 1);
	else if (*p)
		return -1; /* two pairs without a ';' between */
	*pp = p;
	return 0;
}

int http_cookie_find(const char *header, const char *name,
		     const char **value, size_t *len)
{
	size_t want = strlen(name), found = 0;
	const char *p;

	*value = NULL;
	*len = 0;
	if (strnlen(header, HTTP_COOKIE_HEADER_MAX + 1) >
	    HTTP_COOKIE_HEADER_MAX)
		return ERR_INVALID;
	/* Every pair is read, whether the cookie came already or not: a
	 * header is taken whole or refused whole. */
	for (p = skip_ows(header); *p;) {
		const char *n, *v;
		size_t nl, vl;

		if (pair_next(&p, &n, &nl, &v, &vl))
			return ERR_INVALID;
		if (nl != want || memcmp(n, name, nl))
			continue;
		if (found++)
			return ERR_INVALID;
		*value = v;
		*len = vl;
	}
	if (!found) {
		*value = NULL;
		return ERR_NOTFOUND;
	}
	return 0;
}

/* What http_request_cookie() gathers over the Cookie headers. */
struct cookie_walk {
	const char *name;
	char *out;
	size_t size;
	int found;   /* times seen */
	int rc;      /* first failure */
};

static int cookie_header(void *ctx, const char *hname, const char *hvalue)
{
	struct cookie_walk *w = ctx;
	const char *v;
	size_t len;
	int rc;

	if (strcasecmp(hname, "Cookie"))
		return 0;
	rc = http_cookie_find(hvalue, w->name, &v, &len);
	if (rc == ERR_NOTFOUND)
		return 0;
	if (!rc && w->found++)
		rc = ERR_INVALID; /* once in each of two headers */
	if (!rc && len >= w->size)
		rc = ERR_INVALID;
	if (rc) {
		w->rc = rc;
		return 1;
	}
	memcpy(w->out, v, len);
	w->out[len] = '\0';
	return 0;
}

int http_request_cookie(const struct http_request *req, const char *name,
			char *out, size_t size)
{
	struct cookie_walk w = { name, out, size, 0, 0 };

	if (!size)
		return ERR_INVALID;
	out[0] = '\0';
	(void)http_request_headers(req, cookie_header, &w);
	if (w.rc) {
		sodium_memzero(out, size);
		out[0] = '\0';
		return w.rc;
	}
	return w.found ? 0 : ERR_NOTFOUND;
}

/* 1 when s is made of the characters ok() accepts (and not empty when
 * nonempty is set). */
static int all_of(const char *s, int (*ok)(char), int nonempty)
{
	if (nonempty && !*s)
		return 0;
	for (; *s; s++)
		if (!ok(*s))
			return 0;
	return 1;
}

/* A Path attribute's character: printable ASCII but ';'. */
static int is_path_char(char c)
{
	return (unsigned char)c >= 0x20 && (unsigned char)c < 0x7f && c != ';';
}

/* Format one Set-Cookie value; value NULL: the deletion form. */
static int format(const char *name, const char *value, const char *path,
		  uint32_t max_age, int insecure, char *out, size_t size)
{
	char age[32] = "";
	int w;

	if (!path)
		path = "/";
	if (!name || !all_of(name, is_tchar, 1) ||
	    (value && !all_of(value, is_octet, 0)) || path[0] != '/' ||
	    !all_of(path, is_path_char, 1) || max_age > HTTP_COOKIE_MAX_AGE)
		return ERR_INVALID;
	/* Browsers drop a __Host- cookie that is not Secure, has another
	 * path or a Domain: refuse it here rather than lose it there. */
	if (!strncmp(name, HOST_PREFIX, strlen(HOST_PREFIX)) &&
	    (insecure || strcmp(path, "/")))
		return ERR_INVALID;
	if (!value)
		snprintf(age, sizeof(age), "; Max-Age=0");
	else if (max_age)
		snprintf(age, sizeof(age), "; Max-Age=%u", (unsigned)max_age);
	w = snprintf(out, size, "%s=%s; Path=%s%s; HttpOnly%s; SameSite=Strict",
		     name, value ? value : "", path, age,
		     insecure ? "" : "; Secure");
	if (w < 0 || (size_t)w >= size) {
		sodium_memzero(out, size);
		return ERR_INVALID;
	}
	return 0;
}

int http_cookie_format(const struct http_cookie *c, char *out, size_t size)
{
	if (!size)
		return ERR_INVALID;
	out[0] = '\0';
	if (!c->value)
		return ERR_INVALID;
	return format(c->name, c->value, c->path, c->max_age, c->insecure,
		      out, size);
}

/* Add the formatted header, then wipe the text: it may hold a session. */
static int add_set_cookie(struct http_response *res, char *text,
			  size_t size, int rc)
{
	if (!rc)
		rc = http_response_header(res, "Set-Cookie", text);
	sodium_memzero(text, size);
	return rc;
}

int http_response_cookie(struct http_response *res,
			 const struct http_cookie *c)
{
	char text[HTTP_COOKIE_MAX];

	return add_set_cookie(res, text, sizeof(text),
			      http_cookie_format(c, text, sizeof(text)));
}

int http_response_cookie_delete(struct http_response *res, const char *name,
				const char *path, int insecure)
{
	char text[HTTP_COOKIE_MAX];

	return add_set_cookie(res, text, sizeof(text),
			      format(name, NULL, path, 0, insecure, text,
				     sizeof(text)));
}
