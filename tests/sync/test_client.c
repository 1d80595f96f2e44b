/*
 * test_client.c - sync/client.h against a scripted HTTP server on raw
 * loopback sockets (a thread in this file: answers, errors, cut and
 * stalled connections, oversized answers; TLS is test_client_tls.c).
 * Bodies and statuses arrive; the sign callback runs once per attempt
 * and each attempt carries its own headers; transient failures are
 * retried with bounded, jittered delays and Retry-After; 4xx and
 * oversized answers are not; byte counts match the server's.  (Input
 * checks: test_client_config.c.)
 */
#include "sync/client.h"
#include "tests/test.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_STEPS 16
#define REQ_MAX   65536
#define SECRET    "Zq-sign-secret-41" /* a header no message may quote */

enum act {
	ACT_OK,          /* 200, text/plain, body arg or "hello" */
	ACT_503,         /* 503, with Retry-After: arg when arg is set */
	ACT_400,         /* 400 with a JSON body */
	ACT_CLOSE,       /* read the request, close without a word */
	ACT_HALF,        /* headers announce 100 bytes, 10 come, close */
	ACT_HALF_STATUS, /* half a status line, close */
	ACT_HUGE_LEN,    /* Content-Length far above any max_response */
	ACT_BIG_STREAM,  /* no Content-Length, 64 KiB until close */
	ACT_STALL        /* say nothing until the client gives up */
};

struct step {
	enum act act;
	const char *arg;
};

/* One request as the server read it. */
struct seen {
	char method[8], path[64], attempt[16], ctype[64];
	size_t body_len;
	uint8_t body[64];
};

/* The scripted server: one thread, one connection at a time. */
static struct {
	pthread_t thread;
	pthread_mutex_t mu;
	int lfd, port, started, stop;
	int keep_alive; /* answer with keep-alive and read the next request */
	struct step script[MAX_STEPS];
	size_t nscript, next;
	struct seen seen[MAX_STEPS];
	size_t nseen;
	unsigned conns;
	uint64_t bytes_in, bytes_out;
} srv = { .mu = PTHREAD_MUTEX_INITIALIZER };

/* Send n bytes, counted before they leave: the client may be done
 * before send() returns here. */
static void send_all(int fd, const char *p, size_t n)
{
	pthread_mutex_lock(&srv.mu);
	srv.bytes_out += n;
	pthread_mutex_unlock(&srv.mu);
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

/* Value of header name (lower case, with ':') in the head, into out. */
static void header_value(const char *head, const char *name, char *out,
			 size_t size)
{
	const char *p = head;
	size_t nl = strlen(name), n = 0;

	out[0] = '\0';
	while ((p = strstr(p, "\r\n")) != NULL) {
		p += 2;
		if (strncasecmp(p, name, nl))
			continue;
		p += nl;
		while (*p == ' ')
			p++;
		while (p[n] && p[n] != '\r' && n + 1 < size)
			n++;
		memcpy(out, p, n);
		out[n] = '\0';
		return;
	}
}

/* Read one request (head and Content-Length body); 0, or -1 at EOF. */
static int read_request(int fd, struct seen *s)
{
	static char buf[REQ_MAX + 1];
	size_t n = 0, head = 0, want;
	char cl[32];

	memset(s, 0, sizeof(*s));
	while (!head) {
		ssize_t r = recv(fd, buf + n, REQ_MAX - n, 0);
		char *end;

		if (r <= 0)
			return -1;
		n += (size_t)r;
		buf[n] = '\0';
		end = strstr(buf, "\r\n\r\n");
		if (end)
			head = (size_t)(end - buf) + 4;
		else if (n == REQ_MAX)
			return -1;
	}
	buf[head - 2] = '\0';
	header_value(buf, "content-length:", cl, sizeof(cl));
	want = head + strtoul(cl, NULL, 10);
	while (n < want && n < REQ_MAX) {
		ssize_t r = recv(fd, buf + n, REQ_MAX - n, 0);

		if (r <= 0)
			return -1;
		n += (size_t)r;
	}
	sscanf(buf, "%7s %63s", s->method, s->path);
	header_value(buf, "x-attempt:", s->attempt, sizeof(s->attempt));
	header_value(buf, "content-type:", s->ctype, sizeof(s->ctype));
	s->body_len = want - head;
	memcpy(s->body, buf + head,
	       s->body_len < sizeof(s->body) ? s->body_len : sizeof(s->body));
	pthread_mutex_lock(&srv.mu);
	srv.bytes_in += want;
	pthread_mutex_unlock(&srv.mu);
	return 0;
}

/* Answer one request per the script; 1 when the connection stays open. */
static int answer(int fd, const struct step *st, int keep)
{
	static char big[65536];
	const char *conn = keep ? "keep-alive" : "close";
	const char *json = "{\"error\":\"invalid\",\"message\":\"bad batch\"}";
	const char *body = st->arg ? st->arg : "hello";
	char out[1024];
	struct pollfd p = { .fd = fd, .events = POLLIN };

	switch (st->act) {
	case ACT_OK:
		snprintf(out, sizeof(out),
			 "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
			 "Content-Length: %zu\r\nConnection: %s\r\n\r\n%s",
			 strlen(body), conn, body);
		break;
	case ACT_503:
		snprintf(out, sizeof(out),
			 "HTTP/1.1 503 Busy\r\nContent-Length: 4\r\n"
			 "%s%s%sConnection: %s\r\n\r\nbusy",
			 st->arg ? "Retry-After: " : "",
			 st->arg ? st->arg : "", st->arg ? "\r\n" : "", conn);
		break;
	case ACT_400:
		snprintf(out, sizeof(out),
			 "HTTP/1.1 400 Bad Request\r\nContent-Type: "
			 "application/json\r\nContent-Length: %zu\r\n"
			 "Connection: %s\r\n\r\n%s",
			 strlen(json), conn, json);
		break;
	case ACT_HALF:
		snprintf(out, sizeof(out), "HTTP/1.1 200 OK\r\n"
					   "Content-Length: 100\r\n\r\n"
					   "0123456789");
		keep = 0;
		break;
	case ACT_HALF_STATUS:
		snprintf(out, sizeof(out), "HTTP/1.1 20");
		keep = 0;
		break;
	case ACT_HUGE_LEN:
		snprintf(out, sizeof(out), "HTTP/1.1 200 OK\r\n"
					   "Content-Length: 100000000\r\n\r\n"
					   "xxxx");
		keep = 0;
		break;
	case ACT_BIG_STREAM:
		send_all(fd, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n",
			 38);
		memset(big, 'x', sizeof(big));
		send_all(fd, big, sizeof(big));
		return 0;
	case ACT_STALL:
		poll(&p, 1, 8000); /* until the client closes */
		return 0;
	default: /* ACT_CLOSE */
		return 0;
	}
	send_all(fd, out, strlen(out));
	return keep;
}

static void serve(int fd)
{
	struct timeval tv = { .tv_sec = 3 };
	struct step st = { ACT_OK, "no script" };
	struct seen s;
	int keep;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	do {
		if (read_request(fd, &s))
			return;
		pthread_mutex_lock(&srv.mu);
		if (srv.nseen < MAX_STEPS)
			srv.seen[srv.nseen++] = s;
		if (srv.next < srv.nscript)
			st = srv.script[srv.next++];
		keep = srv.keep_alive;
		pthread_mutex_unlock(&srv.mu);
		keep = answer(fd, &st, keep);
	} while (keep);
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
		if (poll(&p, 1, 50) <= 0)
			continue;
		fd = accept(srv.lfd, NULL, NULL);
		if (fd < 0)
			continue;
		pthread_mutex_lock(&srv.mu);
		srv.conns++;
		pthread_mutex_unlock(&srv.mu);
		serve(fd);
		close(fd);
	}
}

static void srv_stop(void)
{
	pthread_mutex_lock(&srv.mu);
	srv.stop = 1;
	pthread_mutex_unlock(&srv.mu);
	pthread_join(srv.thread, NULL);
	close(srv.lfd);
	client_global_cleanup();
}

/* Start libcurl and the server once; they stop at exit. */
static int setup_once(void)
{
	if (srv.started)
		return 0;
	if (client_global_init(NULL))
		return -1;
	srv.lfd = test_listen_loopback(&srv.port);
	if (srv.lfd < 0 || pthread_create(&srv.thread, NULL, srv_main, NULL))
		return -1;
	srv.started = 1;
	atexit(srv_stop);
	return 0;
}

/* The next requests get these answers, in order (then 200 "no script"). */
static int srv_script(int keep_alive, const struct step *steps, size_t n)
{
	if (setup_once())
		return -1;
	pthread_mutex_lock(&srv.mu);
	memcpy(srv.script, steps, n * sizeof(*steps));
	srv.nscript = n;
	srv.next = srv.nseen = 0;
	srv.conns = 0;
	srv.bytes_in = srv.bytes_out = 0;
	srv.keep_alive = keep_alive;
	pthread_mutex_unlock(&srv.mu);
	return 0;
}

#define SCRIPT(keep, ...)                                                      \
	do {                                                                   \
		static const struct step s_[] = { __VA_ARGS__ };               \
		CHECK(srv_script(keep, s_, sizeof(s_) / sizeof(s_[0])) == 0);  \
	} while (0)

/* What the callbacks saw. */
static struct {
	unsigned calls, fail_at;
	size_t last_len;
	unsigned retries, attempt[MAX_STEPS], delay[MAX_STEPS];
	char why[MAX_STEPS][64];
} cb;

static int sign(void *ctx, const char *method, const char *path,
		const uint8_t *body, size_t len, struct client_headers *h,
		struct err *e)
{
	char line[64];

	(void)ctx;
	(void)method;
	(void)path;
	(void)body;
	cb.calls++;
	cb.last_len = len;
	if (cb.calls == cb.fail_at)
		return err_set(e, ERR_AUTH, "no signing key");
	snprintf(line, sizeof(line), "X-Attempt: %u", cb.calls);
	if (client_header_add(h, line) ||
	    client_header_add(h, "X-Sig: " SECRET))
		return ERR_NOMEM;
	return 0;
}

static void on_retry(void *ctx, unsigned attempt, unsigned delay_ms,
		     const char *why)
{
	(void)ctx;
	if (cb.retries < MAX_STEPS) {
		cb.attempt[cb.retries] = attempt;
		cb.delay[cb.retries] = delay_ms;
		snprintf(cb.why[cb.retries], sizeof(cb.why[0]), "%s", why);
	}
	cb.retries++;
}

/* A config for the scripted server: fast backoff, callbacks on. */
static void plain_config(struct client_config *cfg, char *url, size_t size)
{
	client_config_init(cfg);
	snprintf(url, size, "http://127.0.0.1:%d/", srv.port);
	cfg->base_url = url;
	cfg->allow_plain = 1;
	cfg->backoff_ms = 2;
	cfg->backoff_max_ms = 20;
	cfg->sign = sign;
	cfg->on_retry = on_retry;
	memset(&cb, 0, sizeof(cb));
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_client_get_returns_status_body_and_type(void)
{
	struct client_config cfg;
	struct client_response r;
	struct client *c = NULL;
	char url[64];

	SCRIPT(0, { ACT_OK, "hello hub" });
	plain_config(&cfg, url, sizeof(url));
	client_response_init(&r);
	CHECK_OK(client_new(&c, &cfg, NULL));
	CHECK_OK(client_request(c, "GET", "/v1/pull?after=3", NULL, 0, NULL,
				&r, NULL));
	CHECK(r.status == 200 && r.attempts == 1);
	CHECK(r.len == 9 && !memcmp(r.body, "hello hub", 10));
	CHECK(!strcmp(r.content_type, "text/plain"));
	CHECK(cb.calls == 1 && cb.retries == 0);
	CHECK(srv.nseen == 1 && !strcmp(srv.seen[0].method, "GET"));
	CHECK(!strcmp(srv.seen[0].path, "/v1/pull?after=3"));
	CHECK(!strcmp(srv.seen[0].attempt, "1"));
	CHECK(r.bytes_sent == srv.bytes_in);
	CHECK(r.bytes_received == srv.bytes_out);
	client_response_release(&r);
	client_free(c);
}

static void test_client_post_sends_body_and_content_type(void)
{
	static const uint8_t body[] = { 'a', 'b', 0, 'c', 0xff };
	struct client_config cfg;
	struct client_response r;
	struct client *c = NULL;
	char url[64];

	SCRIPT(0, { ACT_OK, NULL }, { ACT_OK, NULL });
	plain_config(&cfg, url, sizeof(url));
	client_response_init(&r);
	CHECK_OK(client_new(&c, &cfg, NULL));
	CHECK_OK(client_request(c, "POST", "/v1/push", body, sizeof(body),
				"application/octet-stream", &r, NULL));
	CHECK(r.status == 200 && cb.last_len == sizeof(body));
	CHECK(srv.seen[0].body_len == sizeof(body));
	CHECK(!memcmp(srv.seen[0].body, body, sizeof(body)));
	CHECK(!strcmp(srv.seen[0].ctype, "application/octet-stream"));
	/* No type given: none sent (not curl's form default). */
	CHECK_OK(client_request(c, "POST", "/v1/push", NULL, 0, NULL, &r,
				NULL));
	CHECK(srv.nseen == 2 && srv.seen[1].body_len == 0);
	CHECK(srv.seen[1].ctype[0] == '\0');
	CHECK(r.bytes_sent > 0 && r.bytes_received > 0);
	client_response_release(&r);
	client_free(c);
}

static void test_client_reuses_connection(void)
{
	struct client_config cfg;
	struct client_response r;
	struct client *c = NULL;
	char url[64];

	SCRIPT(1, { ACT_OK, NULL }, { ACT_OK, NULL }, { ACT_OK, NULL });
	plain_config(&cfg, url, sizeof(url));
	client_response_init(&r);
	CHECK_OK(client_new(&c, &cfg, NULL));
	for (int i = 0; i < 3; i++) {
		CHECK_OK(client_request(c, "GET", "/a", NULL, 0, NULL, &r,
					NULL));
		CHECK(r.status == 200);
	}
	CHECK(srv.conns == 1 && srv.nseen == 3);
	client_response_release(&r);
	client_free(c);
}

static void test_client_retries_503_signing_each_attempt(void)
{
	struct client_config cfg;
	struct client_response r;
	struct client *c = NULL;
	char url[64];

	SCRIPT(0, { ACT_503, NULL }, { ACT_503, NULL }, { ACT_OK, "done" });
	plain_config(&cfg, url, sizeof(url));
	client_response_init(&r);
	CHECK_OK(client_new(&c, &cfg, NULL));
	CHECK_OK(client_request(c, "POST", "/v1/push", (const uint8_t *)"b", 1,
				"text/plain", &r, NULL));
	CHECK(r.status == 200 && r.attempts == 3 && !strcmp(
		(char *)r.body, "done"));
	CHECK(cb.calls == 3 && srv.nseen == 3);
	CHECK(!strcmp(srv.seen[0].attempt, "1"));
	CHECK(!strcmp(srv.seen[1].attempt, "2"));
	CHECK(!strcmp(srv.seen[2].attempt, "3"));
	CHECK(cb.retries == 2 && cb.attempt[0] == 1 && cb.attempt[1] == 2);
	CHECK(!strcmp(cb.why[0], "HTTP 503"));
	/* Summed over the attempts, as the server counted them. */
	CHECK(r.bytes_sent == srv.bytes_in);
	CHECK(r.bytes_received == srv.bytes_out);
	client_response_release(&r);
	client_free(c);
}

static void test_client_retries_cut_connections(void)
{
	struct client_config cfg;
	struct client_response r;
	struct client *c = NULL;
	char url[64];

	SCRIPT(0, { ACT_CLOSE, NULL }, { ACT_HALF, NULL },
	       { ACT_HALF_STATUS, NULL }, { ACT_OK, NULL });
	plain_config(&cfg, url, sizeof(url));
	client_response_init(&r);
	CHECK_OK(client_new(&c, &cfg, NULL));
	CHECK_OK(client_request(c, "GET", "/x", NULL, 0, NULL, &r, NULL));
	CHECK(r.status == 200 && r.attempts == 4 && cb.calls == 4);
	CHECK(r.len == 5 && !strcmp((char *)r.body, "hello"));
	CHECK(cb.retries == 3);
	client_response_release(&r);
	client_free(c);
}

static void test_client_retries_stalled_response(void)
{
	struct client_config cfg;
	struct client_response r;
	struct client *c = NULL;
	char url[64];
	double t0;

	SCRIPT(0, { ACT_STALL, NULL }, { ACT_OK, NULL });
	plain_config(&cfg, url, sizeof(url));
	cfg.low_speed_time_s = 1;
	client_response_init(&r);
	CHECK_OK(client_new(&c, &cfg, NULL));
	t0 = now_s();
	CHECK_OK(client_request(c, "GET", "/slow", NULL, 0, NULL, &r, NULL));
	CHECK(now_s() - t0 < 5);
	CHECK(r.status == 200 && r.attempts == 2);
	client_response_release(&r);
	client_free(c);
}

static void test_client_400_returned_not_retried(void)
{
	struct client_config cfg;
	struct client_response r;
	struct client *c = NULL;
	char url[64];

	SCRIPT(0, { ACT_400, NULL }, { ACT_OK, NULL });
	plain_config(&cfg, url, sizeof(url));
	client_response_init(&r);
	CHECK_OK(client_new(&c, &cfg, NULL));
	CHECK_OK(client_request(c, "POST", "/v1/push", NULL, 0, NULL, &r,
				NULL));
	CHECK(r.status == 400 && r.attempts == 1 && cb.calls == 1);
	CHECK(!strcmp(r.content_type, "application/json"));
	CHECK(strstr((char *)r.body, "\"bad batch\"") != NULL);
	CHECK(srv.nseen == 1);
	client_response_release(&r);
	client_free(c);
}

static void test_client_gives_up_after_max_attempts(void)
{
	struct client_config cfg;
	struct client_response r;
	struct client *c = NULL;
	struct err e;
	char url[64];

	SCRIPT(0, { ACT_CLOSE, NULL }, { ACT_CLOSE, NULL }, { ACT_CLOSE, NULL },
	       { ACT_CLOSE, NULL }, { ACT_OK, NULL });
	plain_config(&cfg, url, sizeof(url));
	cfg.retries = 2;
	client_response_init(&r);
	err_init(&e);
	CHECK_OK(client_new(&c, &cfg, NULL));
	CHECK(client_request(c, "GET", "/x", NULL, 0, NULL, &r, &e) == ERR_IO);
	CHECK(e.code == ERR_IO && strstr(e.msg, "3 attempts") != NULL);
	CHECK(strstr(e.msg, SECRET) == NULL);
	CHECK(r.attempts == 3 && cb.calls == 3 && srv.nseen == 3);
	CHECK(r.body == NULL && r.bytes_sent == srv.bytes_in);
	client_response_release(&r);
	client_free(c);
}

static void test_client_exhausted_503_returns_last_answer(void)
{
	struct client_config cfg;
	struct client_response r;
	struct client *c = NULL;
	char url[64];

	SCRIPT(0, { ACT_503, NULL }, { ACT_503, NULL }, { ACT_OK, NULL });
	plain_config(&cfg, url, sizeof(url));
	cfg.retries = 1;
	client_response_init(&r);
	CHECK_OK(client_new(&c, &cfg, NULL));
	CHECK_OK(client_request(c, "GET", "/x", NULL, 0, NULL, &r, NULL));
	CHECK(r.status == 503 && r.attempts == 2 && srv.nseen == 2);
	CHECK(!strcmp((char *)r.body, "busy"));
	client_response_release(&r);
	client_free(c);
}

static void test_client_retry_after_honoured_and_capped(void)
{
	struct client_config cfg;
	struct client_response r;
	struct client *c = NULL;
	char url[64];
	double t0;

	SCRIPT(0, { ACT_503, "1" }, { ACT_OK, NULL }, { ACT_503, "120" },
	       { ACT_OK, NULL });
	plain_config(&cfg, url, sizeof(url));
	cfg.backoff_ms = 1;
	cfg.backoff_max_ms = 1500;
	client_response_init(&r);
	CHECK_OK(client_new(&c, &cfg, NULL));
	t0 = now_s();
	CHECK_OK(client_request(c, "GET", "/x", NULL, 0, NULL, &r, NULL));
	CHECK(now_s() - t0 >= 0.95);
	CHECK(r.status == 200 && cb.retries == 1 && cb.delay[0] == 1000);
	client_free(c);
	c = NULL;
	cfg.backoff_max_ms = 50; /* caps the server's two minutes */
	CHECK_OK(client_new(&c, &cfg, NULL));
	CHECK_OK(client_request(c, "GET", "/x", NULL, 0, NULL, &r, NULL));
	CHECK(r.status == 200 && cb.retries == 2 && cb.delay[1] == 50);
	client_response_release(&r);
	client_free(c);
}

static void test_client_backoff_jittered_under_cap(void)
{
	struct client_config cfg;
	struct client_response r;
	struct client *c = NULL;
	char url[64];

	SCRIPT(0, { ACT_CLOSE, NULL }, { ACT_CLOSE, NULL }, { ACT_CLOSE, NULL },
	       { ACT_CLOSE, NULL }, { ACT_CLOSE, NULL }, { ACT_OK, NULL });
	plain_config(&cfg, url, sizeof(url));
	cfg.backoff_ms = 3;
	cfg.backoff_max_ms = 10;
	client_response_init(&r);
	CHECK_OK(client_new(&c, &cfg, NULL));
	CHECK_OK(client_request(c, "GET", "/x", NULL, 0, NULL, &r, NULL));
	CHECK(r.attempts == 6 && cb.retries == 5);
	CHECK(cb.delay[0] <= 3 && cb.delay[1] <= 6);
	for (unsigned i = 2; i < 5; i++)
		CHECK(cb.delay[i] <= 10);
	client_response_release(&r);
	client_free(c);
}

static void test_client_response_size_enforced(void)
{
	struct client_config cfg;
	struct client_response r;
	struct client *c = NULL;
	struct err e;
	char url[64];

	SCRIPT(0, { ACT_HUGE_LEN, NULL }, { ACT_BIG_STREAM, NULL },
	       { ACT_OK, NULL });
	plain_config(&cfg, url, sizeof(url));
	cfg.max_response = 1000;
	client_response_init(&r);
	err_init(&e);
	CHECK_OK(client_new(&c, &cfg, NULL));
	CHECK(client_request(c, "GET", "/x", NULL, 0, NULL, &r, &e) ==
	      ERR_INVALID);
	CHECK(r.attempts == 1 && r.body == NULL);
	CHECK(strstr(e.msg, "larger than 1000") != NULL);
	CHECK(client_request(c, "GET", "/x", NULL, 0, NULL, &r, &e) ==
	      ERR_INVALID);
	CHECK(r.attempts == 1 && r.body == NULL && srv.nseen == 2);
	client_response_release(&r);
	client_free(c);
}

static int sign_bad_header(void *ctx, const char *method, const char *path,
			   const uint8_t *body, size_t len,
			   struct client_headers *h, struct err *e)
{
	int *rcs = ctx;

	(void)method;
	(void)path;
	(void)body;
	(void)len;
	(void)e;
	rcs[0] = client_header_add(h, "X-A: 1\r\nX-Evil: 2");
	rcs[1] = client_header_add(h, "No colon");
	rcs[2] = client_header_add(h, ": empty name");
	rcs[3] = client_header_add(h, "X-Fine: yes");
	rcs[4] = client_header_add(NULL, "X-Fine: yes");
	return 0;
}

static void test_client_sign_failure_aborts_and_headers_checked(void)
{
	struct client_config cfg;
	struct client_response r;
	struct client *c = NULL;
	struct err e;
	char url[64];
	int rcs[5] = { 1, 1, 1, 1, 1 };

	SCRIPT(0, { ACT_503, NULL }, { ACT_OK, NULL });
	plain_config(&cfg, url, sizeof(url));
	cb.fail_at = 2; /* the retry cannot be signed */
	client_response_init(&r);
	err_init(&e);
	CHECK_OK(client_new(&c, &cfg, NULL));
	CHECK(client_request(c, "GET", "/", NULL, 0, NULL, &r, &e) ==
	      ERR_AUTH);
	CHECK(!strcmp(e.msg, "no signing key"));
	CHECK(r.attempts == 1 && srv.nseen == 1 && r.body == NULL);
	client_free(c);
	c = NULL;

	SCRIPT(0, { ACT_OK, NULL });
	cfg.sign = sign_bad_header;
	cfg.sign_ctx = rcs;
	CHECK_OK(client_new(&c, &cfg, NULL));
	CHECK_OK(client_request(c, "GET", "/", NULL, 0, NULL, &r, NULL));
	CHECK(rcs[0] == ERR_INVALID && rcs[1] == ERR_INVALID);
	CHECK(rcs[2] == ERR_INVALID && rcs[3] == 0 && rcs[4] == ERR_INVALID);
	client_response_release(&r);
	client_free(c);
}

static void test_client_unreachable_is_io_after_retries(void)
{
	struct client_config cfg;
	struct client_response r;
	struct client *c = NULL;
	struct err e;
	char url[64];
	int port, fd;

	CHECK(setup_once() == 0);
	fd = test_listen_loopback(&port);
	CHECK(fd >= 0);
	close(fd); /* nothing listens there now */
	client_config_init(&cfg);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", port);
	cfg.base_url = url;
	cfg.allow_plain = 1;
	cfg.retries = 1;
	cfg.backoff_ms = 5;
	client_response_init(&r);
	err_init(&e);
	CHECK_OK(client_new(&c, &cfg, NULL));
	CHECK(client_request(c, "GET", "/", NULL, 0, NULL, &r, &e) == ERR_IO);
	CHECK(r.attempts == 2 && strstr(e.msg, "2 attempts") != NULL);
	client_free(c);
	c = NULL;

	cfg.base_url = "https://presidio-test.invalid";
	cfg.connect_timeout_s = 3;
	err_init(&e);
	CHECK_OK(client_new(&c, &cfg, NULL));
	CHECK(client_request(c, "GET", "/", NULL, 0, NULL, &r, &e) == ERR_IO);
	CHECK(r.attempts == 2 && r.status == 0);
	client_free(c);
}

TEST_MAIN(T(test_client_get_returns_status_body_and_type),
	  T(test_client_post_sends_body_and_content_type),
	  T(test_client_reuses_connection),
	  T(test_client_retries_503_signing_each_attempt),
	  T(test_client_retries_cut_connections),
	  T(test_client_retries_stalled_response),
	  T(test_client_400_returned_not_retried),
	  T(test_client_gives_up_after_max_attempts),
	  T(test_client_exhausted_503_returns_last_answer),
	  T(test_client_retry_after_honoured_and_capped),
	  T(test_client_backoff_jittered_under_cap),
	  T(test_client_response_size_enforced),
	  T(test_client_sign_failure_aborts_and_headers_checked),
	  T(test_client_unreachable_is_io_after_retries))
