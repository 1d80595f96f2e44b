/*
 * http_int.h - internals shared by the HTTP server's source files; not
 * part of the API (http/http.h).
 *
 *   http.c           the server: listening, TLS, reading requests within
 *                    bounds, calling the handler, sending its answer
 *   http_request.c   reading a request: headers, query, JSON body, the
 *                    percent-decoding of paths and query arguments
 *   http_response.c  filling a struct http_response, JSON error bodies,
 *                    the check run on a handler's answer before sending
 *   http_pem.c       reading the certificate and key files
 *   libmhd.c         libmicrohttpd, opened when a server first starts
 *   http_guard.c     the bounds against one source making the server
 *                    unavailable: absolute deadlines (a watchdog thread),
 *                    the budget of request-body bytes held at once
 */
#ifndef PRESIDIO_HTTP_HTTP_INT_H
#define PRESIDIO_HTTP_HTTP_INT_H

#include "http/libmhd.h"
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "http/http.h"

#define HTTP_JSON_TYPE "application/json"

/* libmicrohttpd's unescape callback (MHD_OPTION_UNESCAPE_CALLBACK): "%HH"
 * decoded, "%00" into DEL rather than a NUL (http_request.c). */
size_t http_unescape(void *cls, struct MHD_Connection *conn, char *s);

/* Wipe len bytes at buf and free it (malloc'd).  Accepts NULL. */
void http_body_free(uint8_t *buf, size_t len);

/* Wipe and free res's extra headers (none left). */
void http_response_headers_clear(struct http_response *res);

/* Set status and content type (copied; must fit), wiping and freeing the
 * body set before. */
void http_response_reset(struct http_response *res, int status,
			 const char *type);

/*
 * Make what a handler left sendable: no status, a status outside
 * 200..599, a bad content type, a length without a body or a bad extra
 * header become a 500 JSON error (headers dropped); an answer of 400 or
 * more without a body gets a JSON error body naming its status.  After
 * it, res->body is NULL only when the body is empty or memory ran out
 * for an error body.
 */
void http_response_check(struct http_response *res);

/*
 * Read the PEM file at path (what names it in messages) into a
 * NUL-terminated buffer: sodium_malloc'd when secret (*size = bytes
 * allocated; the caller wipes and sodium_free()s), malloc'd otherwise.
 * ERR_IO, ERR_INVALID (not a regular file, empty, over HTTP_PEM_MAX),
 * ERR_NOMEM.
 */
int http_pem_read(const char *path, const char *what, int secret, char **out,
		  size_t *size, struct err *e) ERR_MUST_USE;

/*
 * The deadlines and the body budget of one server (http_guard.c).  The
 * lock guards the connections, the figures and the watchdog's stop flag.
 */
struct http_guard {
	uint64_t header_ms, body_ms; /* the two deadlines */
	size_t body_budget;          /* bytes of bodies held at once */
	size_t ip_budget;            /* of them from one address, at most */
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct conn_track *conns;    /* the connections open */
	struct http_stats stats;
	int stop;                    /* the watchdog must return */
	int ready, started;          /* lock made; watchdog running */
	pthread_t watch;
};

/* Set g up from cfg (0 fields: the defaults) and start its watchdog.
 * 0 or ERR_FAIL; http_guard_release() in any case. */
int http_guard_init(struct http_guard *g, const struct http_config *cfg,
		    size_t max_body, struct err *e) ERR_MUST_USE;

/* Stop the watchdog and free g; after libmicrohttpd stopped.  Accepts a
 * guard whose init failed or never ran (zeroed). */
void http_guard_release(struct http_guard *g);

/* libmicrohttpd's connection notices (MHD_OPTION_NOTIFY_CONNECTION, with
 * g as cls): a connection starts with its header deadline, and is
 * forgotten before libmicrohttpd closes its socket. */
void http_guard_on_connection(void *cls, struct MHD_Connection *conn,
			      void **socket_context,
			      enum MHD_ConnectionNotificationCode toe);

/* Conn's next deadline: ms from now, none when ms is 0. */
void http_guard_deadline(struct http_guard *g, struct MHD_Connection *conn,
			 uint64_t ms);

/*
 * The budget is taken as body bytes arrive, never for what a request only
 * announces: a client that sends nothing holds nothing.  Each address
 * holds at most ip_budget of it over all its connections.
 * http_guard_fits: 1 when n more bytes would fit now for conn (nothing
 * taken).  http_guard_take: take n bytes for conn, added to *reserved:
 * 0, or -1 when they do not fit (nothing taken).  give_back: give all
 * of *reserved back (then 0).
 */
int http_guard_fits(struct http_guard *g, struct MHD_Connection *conn,
		    size_t n);
int http_guard_take(struct http_guard *g, struct MHD_Connection *conn,
		    size_t *reserved, size_t n);
void http_guard_give_back(struct http_guard *g, struct MHD_Connection *conn,
			  size_t *reserved);

/* Count a request refused over the budget; copy the figures. */
void http_guard_over_budget(struct http_guard *g);
void http_guard_stats(struct http_guard *g, struct http_stats *out);

#endif
