/*
 * http.h - a small HTTP(S) server on libmicrohttpd: it listens, reads
 * whole requests within bounds, hands each to one handler function and
 * sends back what the handler filled in.  It knows nothing about sync:
 * the hub's handlers use it today, the node's localhost web UI and the
 * hub dashboard later.
 *
 * What the server owns and guarantees:
 * - TLS 1.2 or 1.3 only (GnuTLS priorities disable SSL 3, TLS 1.0 and
 *   1.1 and keep AEAD ciphers with forward secrecy).  Plain HTTP needs
 *   http_config.plain_http and a loopback address.
 * - Certificate and key are read from PEM files at start.  The key lives
 *   in sodium_malloc() memory until http_server_stop(), which wipes it
 *   (libmicrohttpd 0.9.75 hands it to GnuTLS during MHD_start_daemon()
 *   and keeps the pointer; GnuTLS holds its own parsed copy).
 * - A fixed thread pool; several handlers may run at once, each request
 *   on one pool thread.  Each pool thread poll()s many connections, so
 *   connections that wait (idle, slow, a TLS handshake) hold no thread
 *   and cost no CPU: max_conns may be far above the number of threads.
 * - Connections are bounded so that one source cannot make the server
 *   unavailable to others: at most max_conns at once, at most max_per_ip
 *   from one address (the rest are closed at once); idle ones are closed
 *   after timeout_s; and a request has ABSOLUTE deadlines, which a client
 *   sending a byte now and then cannot stretch (libmicrohttpd's own
 *   timeout is an idle one): its headers must be in within
 *   header_timeout_s of the connection (or of the end of the previous
 *   answer on a kept-alive connection), its body within body_timeout_s
 *   of its headers.  Past them the connection is cut without an answer.
 *   No deadline runs while the handler works or the answer is sent.
 * - Memory held for request bodies is bounded over all connections
 *   (body_budget), and one address holds at most max_body of it over all
 *   its connections (no share when max_per_ip does not bound addresses):
 *   a request whose body does not fit what is left is answered 503 with
 *   Retry-After (at once when its Content-Length does not fit at its
 *   headers, else at its end), so many large bodies from clients nobody
 *   has authenticated yet cannot take the process's memory.  The budget
 *   is taken as body bytes arrive, never for a length only announced:
 *   connections that announce large bodies and send nothing hold none
 *   of it, and a few sources that do send cannot hold it all.
 * - headers_fn, when given, sees each request's headers before any of
 *   its body is read: it may answer at once (the body is then never
 *   read nor kept) or lower the body bound for that request.  That is
 *   where a user of the server checks credentials carried in headers;
 *   the server itself knows nothing of them.
 * - Bodies are bounded: a Content-Length above max_body is answered 413
 *   before any of the body is read (and the connection closed: a client
 *   that does not wait for "100 Continue" may see its upload cut before
 *   it reads the 413; libcurl waits for bodies over 1 MiB, or when asked
 *   with "Expect: 100-continue").  A chunked body is counted as it
 *   arrives; past max_body the rest is read and dropped, not kept, and
 *   answered 413 at its end (libmicrohttpd 0.9.75 cannot answer in the
 *   middle of a body); past twice max_body the connection is cut.
 *   Request and response bodies are wiped before they are freed.
 * - Every error it produces, and every answer of status 400 or more that
 *   the handler left without a body, has a JSON body
 *   {"error":{"code":"...","message":"..."}} and Content-Type
 *   application/json.  Methods other than GET, HEAD, POST, PUT, DELETE,
 *   PATCH and OPTIONS are answered 405 (with Allow).  What libmicrohttpd
 *   rejects before the server sees a request gets its own short HTML
 *   answer: a malformed header line or Content-Length, a bad chunk
 *   (400), a Content-Length over 2^64 (413), headers over its 32 KiB
 *   connection buffer (431), an unknown HTTP version (505); a request
 *   line it cannot parse is closed without an answer.
 * - Every response carries "Cache-Control: no-store" and
 *   "X-Content-Type-Options: nosniff".
 * - Nothing is printed or logged: libmicrohttpd's messages are kept only
 *   while the server starts (to explain a failure in struct err) and
 *   dropped after; request bodies and headers never leave the handler.
 * - SIGPIPE: libmicrohttpd sends with MSG_NOSIGNAL and blocks SIGPIPE on
 *   the threads it starts, so a peer closing early cannot kill the
 *   process; callers need no signal handling for it.
 *
 * What it does not do: authentication, sessions, logging of requests
 * (the handler decides what to log; http_request.remote is there for it).
 * Routing by method and path is http_route.h, on top of this server;
 * cookies are http_cookie.h.
 */
#ifndef PRESIDIO_HTTP_HTTP_H
#define PRESIDIO_HTTP_HTTP_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "common/jscan.h"

#define HTTP_MAX_HEADERS 64 /* extra response headers a handler may set:
				a bound against a runaway handler, the list
				itself grows */
#define HTTP_HEADER_NAME_MAX 64     /* bytes of a response header name */
#define HTTP_HEADER_VALUE_MAX 4096  /* and of its value (a Set-Cookie) */
#define HTTP_DEFAULT_THREADS 4
#define HTTP_DEFAULT_MAX_BODY (16u << 20)
#define HTTP_DEFAULT_TIMEOUT_S 30
#define HTTP_DEFAULT_MAX_CONNS 256
#define HTTP_DEFAULT_MAX_PER_IP 32
#define HTTP_DEFAULT_HEADER_TIMEOUT_S 10
#define HTTP_DEFAULT_BODY_TIMEOUT_S 120
#define HTTP_RETRY_AFTER_S 5 /* Retry-After of a 503 over the body budget */
#define HTTP_PEM_MAX (1u << 20) /* certificate or key file, at most */

struct http_server; /* opaque */
struct http_params; /* a route's path parameters (http_route.h) */

/*
 * One complete request, valid during the handler call only.  Strings are
 * NUL-terminated; the path and query arguments are percent-decoded by
 * libmicrohttpd, "%00" into DEL (0x7f), never into a NUL that would cut
 * them short unseen.
 */
struct http_request {
	const char *method;   /* "GET", "POST", ... (one of those above) */
	const char *path;     /* URL path, without the query */
	const uint8_t *body;  /* whole request body (NULL when empty) */
	size_t body_len;      /* its length in bytes */
	const char *remote;   /* peer address as text, for logs */
	const struct http_params *params; /* path parameters of the route
					     (http_route.h), else NULL */
	void *priv;           /* internal (the MHD connection) */
};

/* Request header by name, case-insensitive; NULL when absent (always,
 * for a request with no connection behind it).  The first one when
 * repeated. */
const char *http_request_header(const struct http_request *r,
				const char *name);

/* Query-string argument (already URL-decoded); NULL when absent, "" when
 * given without a value.  The first one when repeated. */
const char *http_request_query(const struct http_request *r,
			       const char *key);

/*
 * Call fn(ctx, name, value) for every request header, in the order
 * received, repeated ones each time (there is no bound on how many a
 * request carries but libmicrohttpd's 32 KiB for all of them); fn returns
 * 0 to go on, anything else to stop.  Returns how many fn saw.
 */
size_t http_request_headers(const struct http_request *r,
			    int (*fn)(void *ctx, const char *name,
				      const char *value),
			    void *ctx);

/* One extra response header (http_response_header()). */
struct http_header {
	char *name;  /* malloc'd, an HTTP token */
	char *value; /* malloc'd; wiped before it is freed (a cookie) */
};

/*
 * What a handler fills in.  The server hands it over zeroed; it owns the
 * body and headers afterwards (sends them, then wipes and frees them).
 * Outside the server (tests, a caller's own response), release it with
 * http_response_release().
 */
struct http_response {
	int status;             /* 0 until the handler sets it */
	char content_type[64];  /* "" = none */
	uint8_t *body;          /* malloc'd (plain malloc); the server frees */
	size_t body_len;        /* its length in bytes */
	struct http_header *headers; /* extra headers, http_response_header();
					malloc'd, grows as they come */
	size_t nheaders;        /* headers[] in use */
	size_t headers_cap;     /* headers[] allocated */
};

/*
 * Add an extra response header (name and value copied; a name may come
 * more than once, as Set-Cookie does).  0; ERR_NOMEM; or ERR_INVALID when
 * HTTP_MAX_HEADERS are set already, name or value is too long
 * (HTTP_HEADER_NAME_MAX, HTTP_HEADER_VALUE_MAX, NUL included), the name
 * is not an HTTP token, the value holds CR, LF or another control
 * character, or the name is one the server sets itself (Content-Type,
 * Content-Length, Transfer-Encoding, Connection, Cache-Control,
 * X-Content-Type-Options; use content_type for the first).
 */
int http_response_header(struct http_response *res, const char *name,
			 const char *value) ERR_MUST_USE;

/* The value of the first extra header called name (case-insensitive), or
 * NULL. */
const char *http_response_header_get(const struct http_response *res,
				     const char *name);

/* Wipe and free body and headers, and zero res (status 0 again).  Accepts
 * NULL. */
void http_response_release(struct http_response *res);

/*
 * Take body (malloc'd, len bytes; may be NULL when len is 0) as the
 * response body with status and content type (NULL = none).  A body set
 * before is wiped and freed.  A content type too long for content_type or
 * holding control characters turns the response into a 500 JSON error.
 */
void http_response_take(struct http_response *res, int status,
			const char *content_type, uint8_t *body, size_t len);

/*
 * Status + compact JSON body of obj (obj not stolen; the caller keeps its
 * reference), Content-Type application/json.  0, or ERR_NOMEM with res
 * unchanged.
 */
int http_response_json(struct http_response *res, int status,
		       const json_t *obj) ERR_MUST_USE;

/*
 * Read a file the server sends as it is (a library the system installs,
 * for instance) into *out, malloc'd and NUL-terminated, the caller's
 * (free()), its length in *len: a regular file of at most max bytes.
 * ERR_IO (missing, unreadable), ERR_INVALID (not a regular file, empty,
 * too large), ERR_NOMEM; what names it in the message.
 */
int http_file_read(const char *path, const char *what, size_t max,
		   char **out, size_t *len, struct err *e) ERR_MUST_USE;

/*
 * Status + a copy of len bytes at body (may be NULL when len is 0) with
 * content type (NULL = none; checked as http_response_take() does).  0,
 * or ERR_NOMEM with res unchanged.
 */
int http_response_copy(struct http_response *res, int status,
		       const char *content_type, const void *body,
		       size_t len) ERR_MUST_USE;

/*
 * Status without a body (a body set before is wiped and freed): a 204, a
 * redirect with its Location header, or an error of 400 or more, to
 * which the server gives a JSON error body naming the status.
 */
void http_response_status(struct http_response *res, int status);

/*
 * The request body as a JSON object, checked against lim (common/jscan.h)
 * before it is parsed, duplicate keys refused; what names the body in
 * messages.  NULL, with res answered 400 (code "invalid", no part of the
 * body in the message), when it is empty, not JSON within the bounds, or
 * not an object.  The caller owns the reference.
 */
json_t *http_request_json(const struct http_request *req,
			  const struct jscan_limits *lim, const char *what,
			  struct http_response *res);

/*
 * Status + {"error":{"code":code,"message":msg}} ; msg printf-style (never
 * put a field value in it).  Never fails: when memory runs out the server
 * sends a fixed JSON body for that status instead.
 */
void http_response_error(struct http_response *res, int status,
			 const char *code, const char *fmt, ...)
	ERR_PRINTF(4, 5);

/*
 * Called on a pool thread for every complete request (several at once).
 * If it leaves res->status 0 (or outside 200..599) the server answers 500
 * with a JSON error.
 */
typedef void (*http_handler_fn)(void *ctx, const struct http_request *req,
				struct http_response *res);

/*
 * Called on a pool thread when a request's headers are in, before any of
 * its body is read (req->body is NULL, req->body_len 0; headers, query,
 * method and path are there).  *max_body holds the server's bound; the
 * hook may lower it for this request (0: no body at all).  Setting
 * res->status (200..599) answers the request at once: its body is never
 * read nor kept, the handler is not called, and the connection is
 * closed after the answer.  Leaving res->status 0 goes on as usual.
 */
typedef void (*http_headers_fn)(void *ctx, const struct http_request *req,
				size_t *max_body, struct http_response *res);

struct http_config {
	const char *address;   /* IPv4/IPv6 literal; NULL = "127.0.0.1" */
	uint16_t port;         /* 0 = any free port (http_server_port) */
	const char *cert_file; /* PEM certificate chain, server's first */
	const char *key_file;  /* PEM private key, not encrypted */
	int plain_http;        /* 1 = no TLS; address must be loopback */
	unsigned threads;      /* thread pool size; 0 = 4 */
	size_t max_body;       /* bigger bodies are refused 413; 0 = 16 MiB */
	unsigned timeout_s;    /* idle connection timeout; 0 = 30 */
	unsigned max_conns;    /* connections at once; 0 = 256 */
	unsigned max_per_ip;   /* of them from one address; 0 = 32.  Behind
				  a TLS-terminating proxy or a NAT every
				  client has the same address: then set it
				  to max_conns or more (no per-address
				  bound, on connections nor on the body
				  budget) and bound sources at the proxy */
	unsigned header_timeout_s; /* headers in within this; 0 = 10 */
	unsigned body_timeout_s;   /* body in within this after the headers;
				      0 = 120 */
	size_t body_budget;    /* request-body bytes held at once over all
				  connections; 0 = 4 x max_body (never less
				  than max_body) */
	http_headers_fn headers_fn; /* see above; NULL = none */
	void *headers_ctx;          /* its first argument */
};

/* What the server has done about its bounds, for tests and monitoring. */
struct http_stats {
	size_t body_bytes;     /* request-body bytes held now */
	size_t body_peak;      /* the most ever held at once */
	uint64_t cut_deadline; /* connections cut at a deadline */
	uint64_t over_budget;  /* requests refused 503 over body_budget */
};

/*
 * Bind cfg->address:cfg->port and serve, calling fn(ctx, ...) for every
 * request, until http_server_stop(*out).  TLS needs both cert_file and
 * key_file; without them plain_http must be 1 and the address loopback
 * (127.0.0.0/8 or ::1).  Returns 0, or:
 *   ERR_INVALID  bad address, TLS and plain_http both or neither asked,
 *                plain HTTP on a non-loopback address, a file that is not
 *                PEM, an encrypted key, a certificate and key GnuTLS
 *                refuses;
 *   ERR_IO       a file that cannot be read, an address that cannot be
 *                bound (in use, not local);
 *   ERR_NOMEM, ERR_FAIL (libmicrohttpd could not start).
 * Messages name the file or the address, never the key.
 */
int http_server_start(struct http_server **out, const struct http_config *cfg,
		      http_handler_fn fn, void *ctx,
		      struct err *e) ERR_MUST_USE;

/* The port the server listens on (the chosen one when cfg->port was 0). */
uint16_t http_server_port(const struct http_server *s);

/* A copy of the server's figures (consistent with one another). */
void http_server_stats(struct http_server *s, struct http_stats *out);

/* Stop listening, wait for running handlers to finish, close connections,
 * wipe the key and free everything.  Accepts NULL. */
void http_server_stop(struct http_server *s);

#endif
