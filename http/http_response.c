/*
 * http_response.c - filling a struct http_response (http/http.h): headers,
 * bodies, JSON error bodies, and the check the server runs on whatever a
 * handler left before sending it.  No libmicrohttpd state here beyond
 * its table of reason phrases.
 */
#include "http/http.h"
#include "http/http_int.h"

#include <microhttpd.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MSG_MAX 512 /* error messages, at most */

void http_body_free(uint8_t *buf, size_t len)
{
	if (!buf)
		return;
	sodium_memzero(buf, len);
	free(buf);
}

/* 1 when s holds no control character (nor DEL). */
static int text_clean(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f)
			return 0;
	return 1;
}

/* 1 when s is a non-empty HTTP token (RFC 9110 tchar). */
static int token_ok(const char *s)
{
	static const char punct[] = "!#$%&'*+-.^_`|~";

	if (!*s)
		return 0;
	for (; *s; s++) {
		char c = *s;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || strchr(punct, c)))
			return 0;
	}
	return 1;
}

/* Headers the server sets itself. */
static int header_reserved(const char *name)
{
	static const char *const names[] = {
		"Content-Type", "Content-Length", "Transfer-Encoding",
		"Connection", "Cache-Control", "X-Content-Type-Options",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcasecmp(name, names[i]))
			return 1;
	return 0;
}

static int header_ok(const char *name, const char *value)
{
	return name && value &&
	       strnlen(name, HTTP_HEADER_NAME_MAX) < HTTP_HEADER_NAME_MAX &&
	       strnlen(value, HTTP_HEADER_VALUE_MAX) < HTTP_HEADER_VALUE_MAX &&
	       token_ok(name) && !header_reserved(name) && text_clean(value);
}

/* Wipe and free one header's strings. */
static void header_free(struct http_header *h)
{
	if (h->value) {
		sodium_memzero(h->value, strlen(h->value));
		free(h->value);
	}
	free(h->name);
	h->name = h->value = NULL;
}

void http_response_headers_clear(struct http_response *res)
{
	for (size_t i = 0; i < res->nheaders && res->headers; i++)
		header_free(&res->headers[i]);
	free(res->headers);
	res->headers = NULL;
	res->nheaders = res->headers_cap = 0;
}

/* Room for one more header in res->headers (doubling). */
static int headers_grow(struct http_response *res)
{
	size_t cap = res->headers_cap ? res->headers_cap * 2 : 8;
	struct http_header *h;

	if (res->nheaders < res->headers_cap)
		return 0;
	if (cap > HTTP_MAX_HEADERS)
		cap = HTTP_MAX_HEADERS;
	/* Only pointers move: the strings stay where they are. */
	h = realloc(res->headers, cap * sizeof(*h));
	if (!h)
		return ERR_NOMEM;
	res->headers = h;
	res->headers_cap = cap;
	return 0;
}

int http_response_header(struct http_response *res, const char *name,
			 const char *value)
{
	struct http_header h = { NULL, NULL };

	if (!header_ok(name, value) || res->nheaders >= HTTP_MAX_HEADERS)
		return ERR_INVALID;
	if (headers_grow(res))
		return ERR_NOMEM;
	h.name = strdup(name);
	h.value = strdup(value);
	if (!h.name || !h.value) {
		header_free(&h);
		return ERR_NOMEM;
	}
	res->headers[res->nheaders++] = h;
	return 0;
}

const char *http_response_header_get(const struct http_response *res,
				     const char *name)
{
	for (size_t i = 0; i < res->nheaders; i++)
		if (!strcasecmp(res->headers[i].name, name))
			return res->headers[i].value;
	return NULL;
}

void http_response_release(struct http_response *res)
{
	if (!res)
		return;
	http_body_free(res->body, res->body_len);
	http_response_headers_clear(res);
	memset(res, 0, sizeof(*res));
}

/* Compact JSON of obj in plain malloc'd memory (libmicrohttpd frees with
 * free(); Jansson may use other allocators).  NULL on ENOMEM. */
static uint8_t *json_to_body(const json_t *obj, size_t *len)
{
	size_t flags = JSON_COMPACT | JSON_ENCODE_ANY;
	size_t n = json_dumpb(obj, NULL, 0, flags);
	uint8_t *buf;

	if (!n)
		return NULL;
	buf = malloc(n);
	if (!buf)
		return NULL;
	if (json_dumpb(obj, (char *)buf, n, flags) != n) {
		http_body_free(buf, n);
		return NULL;
	}
	*len = n;
	return buf;
}

void http_response_reset(struct http_response *res, int status,
			 const char *type)
{
	http_body_free(res->body, res->body_len);
	res->body = NULL;
	res->body_len = 0;
	res->status = status;
	snprintf(res->content_type, sizeof(res->content_type), "%s", type);
}

void http_response_take(struct http_response *res, int status,
			const char *content_type, uint8_t *body, size_t len)
{
	const char *type = content_type ? content_type : "";

	if (strlen(type) >= sizeof(res->content_type) || !text_clean(type)) {
		http_body_free(body, len);
		http_response_error(res, 500, "internal",
				    "the handler gave an invalid content type");
		return;
	}
	http_response_reset(res, status, type);
	res->body = body;
	res->body_len = body ? len : 0;
}

int http_response_copy(struct http_response *res, int status,
		       const char *content_type, const void *body,
		       size_t len)
{
	uint8_t *copy = malloc(len ? len : 1);

	if (!copy)
		return ERR_NOMEM;
	if (len)
		memcpy(copy, body, len);
	http_response_take(res, status, content_type, copy, len);
	return 0;
}

void http_response_status(struct http_response *res, int status)
{
	http_response_reset(res, status, "");
}

int http_response_json(struct http_response *res, int status,
		       const json_t *obj)
{
	size_t len = 0;
	uint8_t *body = json_to_body(obj, &len);

	if (!body)
		return ERR_NOMEM;
	http_response_reset(res, status, HTTP_JSON_TYPE);
	res->body = body;
	res->body_len = len;
	return 0;
}

/* {"error":{...}} as a malloc'd body; NULL on ENOMEM. */
static uint8_t *error_body(const char *code, char *msg, size_t *len)
{
	json_t *o = json_pack("{s:{s:s,s:s}}", "error", "code", code,
			      "message", msg);
	uint8_t *body = NULL;

	if (!o) {
		/* Not UTF-8 (or cut inside a character): keep ASCII. */
		for (char *p = msg; *p; p++)
			if ((unsigned char)*p >= 0x80)
				*p = '?';
		o = json_pack("{s:{s:s,s:s}}", "error", "code", code,
			      "message", msg);
	}
	if (o)
		body = json_to_body(o, len);
	json_decref(o);
	return body;
}

void http_response_error(struct http_response *res, int status,
			 const char *code, const char *fmt, ...)
{
	char msg[MSG_MAX];
	size_t len = 0;
	uint8_t *body;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	http_response_reset(res, status, HTTP_JSON_TYPE);
	body = error_body(code ? code : "error", msg, &len);
	if (!body)
		return; /* no body: send_response() falls back to oom_body */
	res->body = body;
	res->body_len = len;
}

/* Stable short name for an error status, for default error bodies. */
static const char *status_code_name(int status)
{
	switch (status) {
	case 400: return "bad_request";
	case 401: return "unauthorized";
	case 403: return "forbidden";
	case 404: return "not_found";
	case 405: return "method_not_allowed";
	case 408: return "timeout";
	case 409: return "conflict";
	case 411: return "length_required";
	case 413: return "too_large";
	case 415: return "unsupported_media_type";
	case 429: return "too_many_requests";
	case 500: return "internal";
	case 501: return "not_implemented";
	case 503: return "unavailable";
	default: return status < 500 ? "client_error" : "server_error";
	}
}

/* Whatever the handler left, make it something we can send. */
void http_response_check(struct http_response *res)
{
	const char *why = NULL;

	if (!res->status)
		why = "the handler gave no answer";
	else if (res->status < 200 || res->status > 599)
		why = "the handler gave an invalid status";
	else if (strnlen(res->content_type, sizeof(res->content_type)) ==
			 sizeof(res->content_type) ||
		 !text_clean(res->content_type))
		why = "the handler gave an invalid content type";
	else if (res->body_len && !res->body)
		why = "the handler gave a length without a body";
	else if (res->nheaders > HTTP_MAX_HEADERS ||
		 res->nheaders > res->headers_cap ||
		 (res->nheaders && !res->headers))
		why = "the handler gave too many headers";
	for (size_t i = 0; !why && i < res->nheaders; i++)
		if (!header_ok(res->headers[i].name, res->headers[i].value))
			why = "the handler gave an invalid header";
	if (why) {
		/* A list the handler broke is not ours to free. */
		if (res->nheaders > res->headers_cap ||
		    (res->nheaders && !res->headers))
			res->nheaders = 0;
		http_response_headers_clear(res);
		http_response_error(res, 500, "internal", "%s", why);
	}
	if (res->status >= 400 && !res->body_len) {
		/* Also reached with no server started (a handler tested
		 * alone): a library that cannot load gives no phrase. */
		const char *phrase = libmhd_load(NULL) ? NULL
			: libmhd.get_reason_phrase_for((unsigned)res->status);

		http_response_error(res, res->status,
				    status_code_name(res->status), "%s",
				    phrase && *phrase ? phrase : "error");
	}
}
