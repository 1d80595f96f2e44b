/* http_metrics.c - see http_metrics.h. */
#include "http/http_metrics.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/prom.h"

/* Distinct (method, status) pairs counted per endpoint; more are added
 * to the last one's (a router answers a handful of statuses). */
#define PAIRS_MAX 24

static const double bounds[] = { 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
				 0.5,   1,    2.5,   5,    10 };
#define NBOUNDS (sizeof(bounds) / sizeof(bounds[0]))

static const char *const methods[] = { "GET",   "HEAD",    "POST",
				       "PUT",   "DELETE", "PATCH",
				       "OPTIONS", "other" };
#define NMETHODS (sizeof(methods) / sizeof(methods[0]))

struct pair {
	unsigned method; /* index in methods[] */
	int status;
	uint64_t n;
};

struct endpoint {
	struct pair pairs[PAIRS_MAX];
	size_t npairs;
	uint64_t buckets[NBOUNDS]; /* answers within bounds[i] (and above
				      bounds[i - 1]) */
	uint64_t over;             /* above the last bound */
	double sum;                /* seconds */
};

struct http_metrics {
	pthread_mutex_t lock;
	const struct http_router *r;
	struct endpoint *ep; /* r->nroutes + 1: the last is "other" */
};

int http_metrics_new(struct http_metrics **out, const struct http_router *r,
		     struct err *e)
{
	struct http_metrics *m = calloc(1, sizeof(*m));

	*out = NULL;
	if (!m || !(m->ep = calloc(r->nroutes + 1, sizeof(*m->ep)))) {
		free(m);
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	pthread_mutex_init(&m->lock, NULL);
	m->r = r;
	*out = m;
	return 0;
}

void http_metrics_free(struct http_metrics *m)
{
	if (!m)
		return;
	pthread_mutex_destroy(&m->lock);
	free(m->ep);
	free(m);
}

static unsigned method_index(const char *method)
{
	unsigned i;

	for (i = 0; method && i + 1 < NMETHODS; i++)
		if (strcmp(methods[i], method) == 0)
			return i;
	return NMETHODS - 1;
}

void http_metrics_observe(struct http_metrics *m, const struct http_route *rt,
			  const char *method, int status, uint64_t usec)
{
	struct endpoint *ep;
	unsigned mi = method_index(method);
	double s = (double)usec / 1e6;
	size_t i, idx = m ? m->r->nroutes : 0;

	if (!m)
		return;
	if (rt && rt >= m->r->routes && rt < m->r->routes + m->r->nroutes)
		idx = (size_t)(rt - m->r->routes);
	pthread_mutex_lock(&m->lock);
	ep = &m->ep[idx];
	for (i = 0; i < ep->npairs; i++)
		if (ep->pairs[i].method == mi && ep->pairs[i].status == status)
			break;
	if (i == ep->npairs && ep->npairs < PAIRS_MAX) {
		ep->pairs[i].method = mi;
		ep->pairs[i].status = status;
		ep->npairs++;
	}
	ep->pairs[i < PAIRS_MAX ? i : PAIRS_MAX - 1].n++;
	for (i = 0; i < NBOUNDS && s > bounds[i]; i++)
		;
	if (i < NBOUNDS)
		ep->buckets[i]++;
	else
		ep->over++;
	ep->sum += s;
	pthread_mutex_unlock(&m->lock);
}

static const char *pattern_of(const struct http_metrics *m, size_t i)
{
	return i < m->r->nroutes ? m->r->routes[i].pattern : "other";
}

int http_metrics_write(struct http_metrics *m, struct buf *b)
{
	struct prom_labels l;
	char code[16];
	size_t i, j;
	int rc;

	pthread_mutex_lock(&m->lock);
	rc = prom_family(b, "presidio_http_requests_total", "counter",
			 "Requests answered, by endpoint (the route's "
			 "pattern), method and status.");
	for (i = 0; i <= m->r->nroutes && rc == 0; i++)
		for (j = 0; j < m->ep[i].npairs && rc == 0; j++) {
			snprintf(code, sizeof(code), "%d",
				 m->ep[i].pairs[j].status);
			l.n = 3;
			l.names[0] = "endpoint";
			l.values[0] = pattern_of(m, i);
			l.names[1] = "method";
			l.values[1] = methods[m->ep[i].pairs[j].method];
			l.names[2] = "code";
			l.values[2] = code;
			rc = prom_sample(b, "presidio_http_requests_total", &l,
					 (double)m->ep[i].pairs[j].n);
		}
	if (!rc)
		rc = prom_family(b, "presidio_http_request_duration_seconds",
				 "histogram", "Time to answer a request, by "
				 "endpoint.");
	for (i = 0; i <= m->r->nroutes && rc == 0; i++) {
		if (!m->ep[i].npairs)
			continue;
		l.n = 1;
		l.names[0] = "endpoint";
		l.values[0] = pattern_of(m, i);
		rc = prom_histogram(b, "presidio_http_request_duration_seconds",
				    &l, bounds, m->ep[i].buckets, NBOUNDS,
				    m->ep[i].over, m->ep[i].sum);
	}
	pthread_mutex_unlock(&m->lock);
	return rc;
}

static int is_loopback(const char *addr)
{
	unsigned char a[16];

	if (!addr)
		return 0;
	if (inet_pton(AF_INET, addr, a) == 1)
		return a[0] == 127;
	if (inet_pton(AF_INET6, addr, a) != 1)
		return 0;
	/* ::1, or ::ffff:127.x.y.z (an IPv4 client of an IPv6 socket). */
	static const unsigned char one[16] = { [15] = 1 };
	static const unsigned char mapped[12] = { [10] = 0xff, [11] = 0xff };

	return memcmp(a, one, 16) == 0 ||
	       (memcmp(a, mapped, 12) == 0 && a[12] == 127);
}

int http_metrics_permit(const char *remote, const char *authorization,
			const char *token)
{
	size_t n;

	if (is_loopback(remote))
		return 1;
	if (!token || !*token || !authorization ||
	    strncmp(authorization, "Bearer ", 7) != 0)
		return 0;
	authorization += 7;
	n = strlen(token);
	return strlen(authorization) == n &&
	       sodium_memcmp(authorization, token, n) == 0;
}

int http_metrics_allowed(const struct http_request *req, const char *token)
{
	return http_metrics_permit(req->remote,
				   http_request_header(req, "Authorization"),
				   token);
}
