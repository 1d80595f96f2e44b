/*
 * http_metrics.h - what a server's routes answered, for /metrics: the
 * requests by endpoint (the route's pattern, never the path itself, whose
 * segments may be ids), method and status, and how long each endpoint
 * took to answer (a histogram).  The hub and the web interface each keep
 * one for their router and add their own figures after these.
 *
 * Also who may read /metrics: a client on loopback, or one sending the
 * bearer token configured (metrics.token_file), compared in constant
 * time.  A server on loopback alone (the web interface by default) thus
 * needs no token; one on the network answers only with it.
 *
 * Counters live as long as the process (Prometheus expects a counter to
 * restart from zero with it).  Thread-safe: one mutex, held for a few
 * additions per request.
 */
#ifndef PRESIDIO_HTTP_METRICS_H
#define PRESIDIO_HTTP_METRICS_H

#include <stdint.h>

#include "common/buf.h"
#include "common/err.h"
#include "http/http_route.h"

struct http_metrics;

/* Counters for router r's routes (r must outlive them).  0, ERR_NOMEM. */
int http_metrics_new(struct http_metrics **out, const struct http_router *r,
		     struct err *e) ERR_MUST_USE;

/* Free m.  Accepts NULL. */
void http_metrics_free(struct http_metrics *m);

/* Count one answer: rt the route that answered (NULL: the router itself,
 * counted as endpoint "other"), status sent, usec it took.  Accepts a
 * NULL m. */
void http_metrics_observe(struct http_metrics *m, const struct http_route *rt,
			  const char *method, int status, uint64_t usec);

/* Append presidio_http_requests_total and
 * presidio_http_request_duration_seconds to b (common/prom.h). */
int http_metrics_write(struct http_metrics *m, struct buf *b) ERR_MUST_USE;

/* 1 when req may read /metrics: it comes from a loopback address, or
 * token is not NULL and req carries "Authorization: Bearer <token>". */
int http_metrics_allowed(const struct http_request *req, const char *token);

/* The same decision from the peer's address (text), its Authorization
 * header (NULL when absent) and the token (NULL: none). */
int http_metrics_permit(const char *remote, const char *authorization,
			const char *token);

#endif
