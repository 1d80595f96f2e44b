/*
 * http_guard.c - what keeps one source from making the HTTP server
 * unavailable (see http.h): the absolute deadlines of every connection,
 * enforced by a watchdog thread, and the budget of request-body bytes
 * held at once.  libmicrohttpd's own timeout is an idle one, which a
 * client sending a byte now and then resets; and it cannot close a
 * connection from outside its callbacks, so the watchdog shuts the socket
 * down and lets libmicrohttpd see the client gone.
 */
#include "http/http_int.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define WATCH_TICK_MS 200 /* how often deadlines are checked */

/*
 * One connection, from libmicrohttpd's "started" notice to its "closed"
 * one (its socket context): the deadline the watchdog enforces.
 */
struct conn_track {
	struct conn_track *prev, *next; /* in http_guard.conns */
	MHD_socket fd;                  /* libmicrohttpd's; never closed here */
	uint64_t deadline_ms;           /* monotonic; 0 = none running */
	int cut;                        /* shut down by the watchdog */
	uint8_t addr[17];               /* family, then the address bytes */
	size_t held;                    /* body budget its request holds */
};

/* The peer's address as a key (family and address, never the port);
 * all zero when unknown. */
static void addr_key(struct MHD_Connection *conn, uint8_t out[17])
{
	const union MHD_ConnectionInfo *ci = libmhd.get_connection_info(
		conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	memset(out, 0, 17);
	if (sa && sa->sa_family == AF_INET) {
		out[0] = 4;
		memcpy(out + 1,
		       &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
		       4);
	} else if (sa && sa->sa_family == AF_INET6) {
		out[0] = 6;
		memcpy(out + 1,
		       &((const struct sockaddr_in6 *)(const void *)sa)
				->sin6_addr,
		       16);
	}
}

/* Conn's track (its socket context), or NULL when it has none. */
static struct conn_track *track_of(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci = libmhd.get_connection_info(
		conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci ? ci->socket_context : NULL;
}

/* Budget held now by t's address over all its connections (g->lock). */
static size_t addr_held(const struct http_guard *g,
			const struct conn_track *t)
{
	size_t sum = 0;

	for (const struct conn_track *o = g->conns; o; o = o->next)
		if (!memcmp(o->addr, t->addr, sizeof(t->addr)))
			sum += o->held;
	return sum;
}

/* n more bytes fit the budget and t's address's share of it (g->lock). */
static int fits(const struct http_guard *g, const struct conn_track *t,
		size_t n)
{
	if (n > g->body_budget - g->stats.body_bytes)
		return 0;
	if (t && t->addr[0]) {
		size_t held = addr_held(g, t);

		if (held > g->ip_budget || n > g->ip_budget - held)
			return 0;
	}
	return 1;
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/*
 * The watchdog: cuts every connection past its deadline.  Shutting the
 * socket down (not closing it: it stays libmicrohttpd's) makes the next
 * read fail, and libmicrohttpd closes the connection as if the client
 * had gone, TLS or not, whatever it was waiting for.
 */
static void *watchdog(void *arg)
{
	struct http_guard *g = arg;
	struct timespec until;

	pthread_mutex_lock(&g->lock);
	while (!g->stop) {
		uint64_t now = mono_ms();

		for (struct conn_track *t = g->conns; t; t = t->next) {
			if (t->cut || !t->deadline_ms || now < t->deadline_ms)
				continue;
			(void)shutdown(t->fd, SHUT_RDWR);
			t->cut = 1;
			g->stats.cut_deadline++;
		}
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += WATCH_TICK_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		(void)pthread_cond_timedwait(&g->wake, &g->lock, &until);
	}
	pthread_mutex_unlock(&g->lock);
	return NULL;
}

int http_guard_init(struct http_guard *g, const struct http_config *cfg,
		    size_t max_body, struct err *e)
{
	pthread_condattr_t ca;
	unsigned max_conns = cfg->max_conns ? cfg->max_conns
					    : HTTP_DEFAULT_MAX_CONNS;
	unsigned per_ip = cfg->max_per_ip ? cfg->max_per_ip
					  : HTTP_DEFAULT_MAX_PER_IP;

	memset(g, 0, sizeof(*g));
	g->body_budget = cfg->body_budget ? cfg->body_budget : 4 * max_body;
	if (g->body_budget < max_body)
		g->body_budget = max_body;
	/* One address holds at most one body's worth, so a few connections
	 * from one source cannot take the budget from everyone else; with
	 * no bound on connections per address (behind a proxy or a NAT, all
	 * clients share one) there is none on its share either. */
	g->ip_budget = per_ip >= max_conns ? g->body_budget : max_body;
	g->header_ms = cfg->header_timeout_s ? cfg->header_timeout_s
					     : HTTP_DEFAULT_HEADER_TIMEOUT_S;
	g->body_ms = cfg->body_timeout_s ? cfg->body_timeout_s
					 : HTTP_DEFAULT_BODY_TIMEOUT_S;
	g->header_ms *= 1000u;
	g->body_ms *= 1000u;
	if (pthread_mutex_init(&g->lock, NULL))
		return err_set(e, ERR_FAIL, "cannot create a mutex");
	/* The watchdog waits on the monotonic clock, as deadlines count. */
	if (pthread_condattr_init(&ca)) {
		pthread_mutex_destroy(&g->lock);
		return err_set(e, ERR_FAIL, "cannot create a condition");
	}
	if (pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) ||
	    pthread_cond_init(&g->wake, &ca)) {
		pthread_condattr_destroy(&ca);
		pthread_mutex_destroy(&g->lock);
		return err_set(e, ERR_FAIL, "cannot create a condition");
	}
	pthread_condattr_destroy(&ca);
	g->ready = 1;
	if (pthread_create(&g->watch, NULL, watchdog, g))
		return err_set(e, ERR_FAIL, "cannot start a thread");
	g->started = 1;
	return 0;
}

void http_guard_release(struct http_guard *g)
{
	if (!g->ready)
		return;
	if (g->started) {
		pthread_mutex_lock(&g->lock);
		g->stop = 1;
		pthread_cond_signal(&g->wake);
		pthread_mutex_unlock(&g->lock);
		pthread_join(g->watch, NULL);
	}
	/* libmicrohttpd has stopped: every connection was forgotten. */
	pthread_cond_destroy(&g->wake);
	pthread_mutex_destroy(&g->lock);
	g->ready = 0;
}

void http_guard_deadline(struct http_guard *g, struct MHD_Connection *conn,
			 uint64_t ms)
{
	const union MHD_ConnectionInfo *ci = libmhd.get_connection_info(
		conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct conn_track *t = ci ? ci->socket_context : NULL;

	if (!t)
		return;
	pthread_mutex_lock(&g->lock);
	t->deadline_ms = ms ? mono_ms() + ms : 0;
	pthread_mutex_unlock(&g->lock);
}

void http_guard_on_connection(void *cls, struct MHD_Connection *conn,
			      void **socket_context,
			      enum MHD_ConnectionNotificationCode toe)
{
	struct http_guard *g = cls;
	struct conn_track *t = *socket_context;
	const union MHD_ConnectionInfo *ci;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		ci = libmhd.get_connection_info(conn,
					     MHD_CONNECTION_INFO_CONNECTION_FD);
		t = ci ? calloc(1, sizeof(*t)) : NULL;
		*socket_context = t;
		if (!t)
			return; /* untracked: the idle timeout still holds */
		t->fd = ci->connect_fd;
		addr_key(conn, t->addr);
		pthread_mutex_lock(&g->lock);
		t->deadline_ms = mono_ms() + g->header_ms;
		t->next = g->conns;
		if (g->conns)
			g->conns->prev = t;
		g->conns = t;
		pthread_mutex_unlock(&g->lock);
		return;
	}
	if (!t)
		return;
	pthread_mutex_lock(&g->lock);
	if (t->prev)
		t->prev->next = t->next;
	else
		g->conns = t->next;
	if (t->next)
		t->next->prev = t->prev;
	pthread_mutex_unlock(&g->lock);
	free(t);
	*socket_context = NULL;
}

int http_guard_fits(struct http_guard *g, struct MHD_Connection *conn,
		    size_t n)
{
	struct conn_track *t = track_of(conn);
	int ok;

	pthread_mutex_lock(&g->lock);
	ok = fits(g, t, n);
	pthread_mutex_unlock(&g->lock);
	return ok;
}

int http_guard_take(struct http_guard *g, struct MHD_Connection *conn,
		    size_t *reserved, size_t n)
{
	struct conn_track *t = track_of(conn);
	int rc = -1;

	pthread_mutex_lock(&g->lock);
	if (fits(g, t, n)) {
		g->stats.body_bytes += n;
		if (g->stats.body_bytes > g->stats.body_peak)
			g->stats.body_peak = g->stats.body_bytes;
		if (t)
			t->held += n;
		*reserved += n;
		rc = 0;
	}
	pthread_mutex_unlock(&g->lock);
	return rc;
}

void http_guard_give_back(struct http_guard *g, struct MHD_Connection *conn,
			  size_t *reserved)
{
	struct conn_track *t = track_of(conn);

	pthread_mutex_lock(&g->lock);
	g->stats.body_bytes -= *reserved;
	if (t)
		t->held = *reserved > t->held ? 0 : t->held - *reserved;
	pthread_mutex_unlock(&g->lock);
	*reserved = 0;
}

void http_guard_over_budget(struct http_guard *g)
{
	pthread_mutex_lock(&g->lock);
	g->stats.over_budget++;
	pthread_mutex_unlock(&g->lock);
}

void http_guard_stats(struct http_guard *g, struct http_stats *out)
{
	pthread_mutex_lock(&g->lock);
	*out = g->stats;
	pthread_mutex_unlock(&g->lock);
}
