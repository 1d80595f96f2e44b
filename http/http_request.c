/*
 * http_request.c - reading a request (http/http.h): its headers and query
 * arguments through libmicrohttpd, as the handler asks for them (no copy,
 * no bound on how many), its JSON body within bounds, and the decoding
 * of "%HH" in paths and query arguments.
 */
#include "http/http.h"
#include "http/http_int.h"

#include <microhttpd.h>

/* A request without a connection (built by hand, as tests do) has no
 * headers and no query. */
const char *http_request_header(const struct http_request *r,
				const char *name)
{
	if (!r->priv)
		return NULL;
	return libmhd.lookup_connection_value(r->priv, MHD_HEADER_KIND, name);
}

const char *http_request_query(const struct http_request *r, const char *key)
{
	if (!r->priv)
		return NULL;
	return libmhd.lookup_connection_value(r->priv, MHD_GET_ARGUMENT_KIND,
					   key);
}

/* Adapts libmicrohttpd's iterator to http_request_headers()'s. */
struct header_walk {
	int (*fn)(void *ctx, const char *name, const char *value);
	void *ctx;
	size_t seen;
	int stop;
};

static enum MHD_Result header_step(void *cls, enum MHD_ValueKind kind,
				   const char *key, const char *value)
{
	struct header_walk *w = cls;

	(void)kind;
	if (w->stop)
		return MHD_NO;
	w->seen++;
	if (w->fn(w->ctx, key, value ? value : ""))
		w->stop = 1;
	return w->stop ? MHD_NO : MHD_YES;
}

size_t http_request_headers(const struct http_request *r,
			    int (*fn)(void *ctx, const char *name,
				      const char *value),
			    void *ctx)
{
	struct header_walk w = { fn, ctx, 0, 0 };

	if (!r->priv)
		return 0;
	(void)libmhd.get_connection_values(r->priv, MHD_HEADER_KIND, header_step,
					&w);
	return w.seen;
}

/*
 * libmicrohttpd's own "%HH" decoding of paths and query arguments, but a
 * "%00" becomes DEL (0x7f) instead of a NUL: a NUL would cut the string
 * without a word ("/static/a%00.png" read as "/static/a"); a DEL is a
 * control character that the router refuses (400) and no query value of
 * a well-made client holds.
 */
size_t http_unescape(void *cls, struct MHD_Connection *conn, char *s)
{
	size_t len = libmhd.http_unescape(s);

	(void)cls;
	(void)conn;
	for (size_t i = 0; i < len; i++)
		if (!s[i])
			s[i] = 0x7f;
	return len;
}

json_t *http_request_json(const struct http_request *req,
			  const struct jscan_limits *lim, const char *what,
			  struct http_response *res)
{
	struct err e;
	json_t *doc;

	err_init(&e);
	if (!req->body_len) {
		http_response_error(res, 400, "invalid", "%s: no body", what);
		return NULL;
	}
	doc = jscan_load((const char *)req->body, req->body_len,
			 JSON_REJECT_DUPLICATES, lim, what, &e);
	/* jscan's messages name the bound, never quote the text. */
	if (!doc && e.code == ERR_NOMEM)
		http_response_error(res, 500, "internal", "out of memory");
	else if (!doc)
		http_response_error(res, 400, "invalid", "%s", e.msg);
	else if (!json_is_object(doc))
		http_response_error(res, 400, "invalid",
				    "%s: not a JSON object", what);
	if (!json_is_object(doc)) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}
