/*
 * test_client_cut.c - sync/client.h on a link that cuts responses: the
 * caller hears of each cut (bytes sent and received, the announced
 * length, whether the connection was new) and may stop the retries to
 * ask for less; a kept connection cut after it carried bytes is retried
 * at once on a new one.  A scripted HTTP server on loopback, in a thread.
 */
#include "sync/client.h"
#include "tests/test.h"

#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define STEPS 8

/* The server: answers in script order, "ok" (200, kept) or "half" (a
 * 100-byte body announced, 10 sent, then the connection closes). */
static struct {
	int lfd, port, stop;
	const char *script[STEPS];
	unsigned next, conns;
	pthread_t thread;
	pthread_mutex_t mu;
} srv = { .mu = PTHREAD_MUTEX_INITIALIZER };

static int read_head(int fd)
{
	char buf[8192];
	size_t n = 0;

	while (n < sizeof(buf) - 1) {
		ssize_t r = recv(fd, buf + n, sizeof(buf) - 1 - n, 0);

		if (r <= 0)
			return -1;
		n += (size_t)r;
		buf[n] = '\0';
		if (strstr(buf, "\r\n\r\n"))
			return 0;
	}
	return -1;
}

static void serve(int fd)
{
	static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"
				 "Connection: keep-alive\r\n\r\nok";
	static const char half[] = "HTTP/1.1 200 OK\r\nContent-Length: 100"
				   "\r\n\r\n0123456789";

	while (read_head(fd) == 0) {
		const char *act;

		pthread_mutex_lock(&srv.mu);
		act = srv.next < STEPS && srv.script[srv.next]
			      ? srv.script[srv.next++]
			      : "ok";
		pthread_mutex_unlock(&srv.mu);
		if (strcmp(act, "half") == 0) {
			(void)!send(fd, half, sizeof(half) - 1, MSG_NOSIGNAL);
			return;
		}
		if (send(fd, ok, sizeof(ok) - 1, MSG_NOSIGNAL) < 0)
			return;
	}
}

static void *srv_main(void *arg)
{
	(void)arg;
	for (;;) {
		struct pollfd p = { .fd = srv.lfd, .events = POLLIN };
		int fd, stop;

		pthread_mutex_lock(&srv.mu);
		stop = srv.stop;
		pthread_mutex_unlock(&srv.mu);
		if (stop)
			return NULL;
		if (poll(&p, 1, 50) <= 0 || (fd = accept(srv.lfd, NULL, NULL)) < 0)
			continue;
		pthread_mutex_lock(&srv.mu);
		srv.conns++;
		pthread_mutex_unlock(&srv.mu);
		serve(fd);
		close(fd);
	}
}

/* What the callbacks saw; on_cut stops the retries on a new connection. */
static struct {
	unsigned n, retries, delay[STEPS];
	struct client_cut at[STEPS];
} seen;

static int stop_on_fresh(void *ctx, const struct client_cut *cut)
{
	(void)ctx;
	if (seen.n < STEPS)
		seen.at[seen.n] = *cut;
	seen.n++;
	return cut->fresh;
}

static void on_retry(void *ctx, unsigned attempt, unsigned delay_ms,
		     const char *why)
{
	(void)ctx, (void)attempt, (void)why;
	if (seen.retries < STEPS)
		seen.delay[seen.retries] = delay_ms;
	seen.retries++;
}

static void cut_reported_and_stoppable(void)
{
	struct client_config cfg;
	struct client_response r;
	struct client *c = NULL;
	struct err e;
	char url[64];

	srv.script[0] = "ok";
	srv.script[1] = srv.script[2] = "half";
	client_config_init(&cfg);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", srv.port);
	cfg.base_url = url;
	cfg.allow_plain = 1;
	cfg.retries = 4;
	cfg.backoff_ms = cfg.backoff_max_ms = 300;
	cfg.on_cut = stop_on_fresh;
	cfg.on_retry = on_retry;
	client_response_init(&r);
	err_init(&e);
	CHECK_OK(client_new(&c, &cfg, NULL));
	CHECK_OK(client_request(c, "GET", "/a", NULL, 0, NULL, &r, NULL));
	CHECK(r.status == 200 && srv.conns == 1);
	/* Cut on the kept connection: again at once, on a new one; cut
	 * there too: the caller stops. */
	CHECK(client_request(c, "GET", "/b", NULL, 0, NULL, &r, &e) ==
	      ERR_IO);
	CHECK(r.attempts == 2 && srv.conns == 2 && srv.next == 3);
	CHECK(seen.n == 2 && !seen.at[0].fresh && seen.at[1].fresh);
	for (unsigned i = 0; i < 2 && i < seen.n; i++)
		CHECK(seen.at[i].expected == 100 &&
		      seen.at[i].received > 10 && seen.at[i].sent > 0);
	CHECK(seen.retries == 1 && seen.delay[0] == 0);
	/* Without the callback the same request is sent until it passes. */
	client_free(c);
	c = NULL;
	srv.next = 0;
	srv.script[0] = srv.script[1] = "half";
	srv.script[2] = "ok";
	cfg.on_cut = NULL;
	CHECK_OK(client_new(&c, &cfg, NULL));
	CHECK_OK(client_request(c, "GET", "/c", NULL, 0, NULL, &r, NULL));
	CHECK(r.status == 200 && r.attempts == 3);
	client_response_release(&r);
	client_free(c);
}

static void test_client_cut_reported_and_stoppable(void)
{
	if (client_global_init(NULL)) {
		test_fail(__FILE__, __LINE__, "client_global_init");
		return;
	}
	srv.lfd = test_listen_loopback(&srv.port);
	if (srv.lfd < 0 ||
	    pthread_create(&srv.thread, NULL, srv_main, NULL) != 0) {
		if (srv.lfd >= 0)
			close(srv.lfd);
		client_global_cleanup();
		test_fail(__FILE__, __LINE__, "loopback server");
		return;
	}
	cut_reported_and_stoppable();
	pthread_mutex_lock(&srv.mu);
	srv.stop = 1;
	pthread_mutex_unlock(&srv.mu);
	pthread_join(srv.thread, NULL);
	close(srv.lfd);
	client_global_cleanup();
}

TEST_MAIN(T(test_client_cut_reported_and_stoppable))
