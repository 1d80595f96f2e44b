/*
 * test_http.c - http/http.h over plain HTTP on 127.0.0.1, with libcurl as
 * the client: requests and answers (query, headers, bodies), plain HTTP
 * on loopback only, bounded bodies (413 by Content-Length and while
 * chunked), JSON error bodies, the response helpers, concurrent requests,
 * and a stop that waits for running handlers; the bounds that keep one
 * source from making the server unavailable (absolute deadlines against
 * slow clients, connections per address, the check of headers before a
 * body, the budget of body bytes).  TLS: test_http_tls.c.
 */
#include "tests/http/http_fixture.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <time.h>

#define NTHREADS 8  /* client threads */
#define NREQ     20 /* requests each */

/* ---- plain HTTP ---- */

static void test_http_plain_get_query_and_header(void)
{
	struct http_server *s = NULL;
	struct call c = { .path = "/echo?q=a%20b&r=1",
			  .header = "X-Test: hello" };
	json_t *o;
	int ok;

	CHECK_OK(start_plain(&s, MAX_BODY));
	CHECK(http_server_port(s) != 0);
	fetch(http_server_port(s), &c);
	http_server_stop(s);
	o = json_loadb(c.reply ? c.reply : "", c.reply_len, 0, NULL);
	ok = c.rc == CURLE_OK && c.status == 200 && c.no_store &&
	     !strcmp(c.ctype, "application/json") && o &&
	     !strcmp(json_string_value(json_object_get(o, "method")), "GET") &&
	     !strcmp(json_string_value(json_object_get(o, "path")), "/echo") &&
	     !strcmp(json_string_value(json_object_get(o, "q")), "a b") &&
	     !strcmp(json_string_value(json_object_get(o, "hdr")), "hello") &&
	     !strcmp(json_string_value(json_object_get(o, "remote")),
		     "127.0.0.1") &&
	     !strcmp(json_string_value(json_object_get(o, "body")), "");
	json_decref(o);
	call_release(&c);
	CHECK(ok);
}

static void test_http_plain_post_body_echoed(void)
{
	static const uint8_t body[] = { 'a', 0, 'b', 0xff, '\n', 'z' };
	struct http_server *s = NULL;
	struct call c = { .path = "/raw", .body = body,
			  .body_len = sizeof(body) };
	int ok;

	CHECK_OK(start_plain(&s, MAX_BODY));
	fetch(http_server_port(s), &c);
	http_server_stop(s);
	ok = c.rc == CURLE_OK && c.status == 201 && c.x_reply && c.no_store &&
	     !strcmp(c.ctype, "application/octet-stream") &&
	     c.reply_len == sizeof(body) &&
	     !memcmp(c.reply, body, sizeof(body));
	call_release(&c);
	CHECK(ok);
}

static void test_http_plain_refused_off_loopback(void)
{
	static const char *const refused[] = { "0.0.0.0", "::", "10.1.2.3",
					       "::ffff:127.0.0.1" };
	struct http_config cfg;
	struct http_server *s = NULL;
	struct err e;
	int rc;

	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		memset(&cfg, 0, sizeof(cfg));
		cfg.address = refused[i];
		cfg.plain_http = 1;
		err_init(&e);
		CHECK(http_server_start(&s, &cfg, handler, NULL, &e) ==
		      ERR_INVALID);
		CHECK(!s && strstr(e.msg, "loopback"));
	}
	/* Neither a certificate nor plain_http. */
	memset(&cfg, 0, sizeof(cfg));
	err_init(&e);
	CHECK(http_server_start(&s, &cfg, handler, NULL, &e) == ERR_INVALID);
	CHECK(!s && e.msg[0]);
	/* A name is not an address literal. */
	cfg.address = "localhost";
	cfg.plain_http = 1;
	CHECK(http_server_start(&s, &cfg, handler, NULL, NULL) ==
	      ERR_INVALID);
	/* Anywhere in 127.0.0.0/8 is loopback. */
	cfg.address = "127.0.0.2";
	CHECK_OK(http_server_start(&s, &cfg, handler, NULL, NULL));
	http_server_stop(s);
	/* ::1 too (ERR_IO where the host has no IPv6). */
	cfg.address = "::1";
	rc = http_server_start(&s, &cfg, handler, NULL, NULL);
	http_server_stop(s);
	CHECK(rc == 0 || rc == ERR_IO);
}

static void test_http_port_in_use_is_io_error(void)
{
	struct http_server *a = NULL, *b = NULL;
	struct http_config cfg;
	struct err e;
	int rc;

	CHECK_OK(start_plain(&a, MAX_BODY));
	memset(&cfg, 0, sizeof(cfg));
	cfg.plain_http = 1; /* address NULL = 127.0.0.1 */
	cfg.port = http_server_port(a);
	err_init(&e);
	rc = http_server_start(&b, &cfg, handler, NULL, &e);
	http_server_stop(a);
	http_server_stop(b);
	CHECK(rc == ERR_IO && strstr(e.msg, "127.0.0.1"));
}

/* ---- errors ---- */

static void test_http_no_status_is_500_json(void)
{
	struct http_server *s = NULL;
	struct call c = { .path = "/nostatus" };
	struct call nf = { .path = "/nowhere" };
	int ok;

	CHECK_OK(start_plain(&s, MAX_BODY));
	fetch(http_server_port(s), &c);
	fetch(http_server_port(s), &nf);
	http_server_stop(s);
	ok = c.rc == CURLE_OK && c.status == 500 && c.no_store &&
	     is_json_error(&c, "internal") && nf.status == 404 &&
	     is_json_error(&nf, "not_found");
	call_release(&c);
	call_release(&nf);
	CHECK(ok);
}

static void test_http_unknown_method_is_405_json(void)
{
	struct http_server *s = NULL;
	struct call c = { .method = "BREW", .path = "/echo" };
	int ok;

	CHECK_OK(start_plain(&s, MAX_BODY));
	fetch(http_server_port(s), &c);
	http_server_stop(s);
	ok = c.status == 405 && is_json_error(&c, "method_not_allowed") &&
	     atomic_load(&handled) == 0;
	call_release(&c);
	CHECK(ok);
}

/* Bodies for the size tests (zeros are fine). */
static uint8_t big[64 * MAX_BODY];

static void test_http_too_large_by_content_length_is_413(void)
{
	struct http_server *s = NULL;
	struct call over = { .path = "/raw", .body = big,
			     .body_len = MAX_BODY + 1 };
	/* A client that waits for 100 Continue never sends the body. */
	struct call expect = { .path = "/raw", .body = big,
			       .body_len = sizeof(big),
			       .header = "Expect: 100-continue" };
	struct call fits = { .path = "/raw", .body = big,
			     .body_len = MAX_BODY };
	int ok;

	CHECK_OK(start_plain(&s, MAX_BODY));
	fetch(http_server_port(s), &over);
	fetch(http_server_port(s), &expect);
	fetch(http_server_port(s), &fits);
	http_server_stop(s);
	ok = over.status == 413 && is_json_error(&over, "too_large") &&
	     over.no_store && expect.status == 413 &&
	     is_json_error(&expect, "too_large") && fits.status == 201 &&
	     fits.reply_len == MAX_BODY && atomic_load(&handled) == 1;
	call_release(&over);
	call_release(&expect);
	call_release(&fits);
	CHECK(ok);
}

static void test_http_too_large_chunked_is_413(void)
{
	struct http_server *s = NULL;
	struct call over = { .path = "/raw", .body = big,
			     .body_len = MAX_BODY + MAX_BODY / 2,
			     .chunked = 1 };
	struct call fits = { .path = "/raw", .body = big,
			     .body_len = MAX_BODY, .chunked = 1 };
	/* Past twice max_body the server stops reading: cut. */
	struct call huge = { .path = "/raw", .body = big,
			     .body_len = sizeof(big), .chunked = 1 };
	int ok;

	memset(big, 'y', MAX_BODY);
	CHECK_OK(start_plain(&s, MAX_BODY));
	fetch(http_server_port(s), &over);
	fetch(http_server_port(s), &fits);
	fetch(http_server_port(s), &huge);
	http_server_stop(s);
	ok = over.rc == CURLE_OK && over.status == 413 &&
	     is_json_error(&over, "too_large") && fits.status == 201 &&
	     fits.reply_len == MAX_BODY && !memcmp(fits.reply, big, MAX_BODY) &&
	     huge.status != 201 && atomic_load(&handled) == 1;
	call_release(&over);
	call_release(&fits);
	call_release(&huge);
	CHECK(ok);
}

/* ---- concurrency, stop ---- */

struct worker {
	uint16_t port;
	int id;
	int ok; /* requests answered correctly */
};

static void *worker_run(void *arg)
{
	struct worker *w = arg;

	for (int i = 0; i < NREQ; i++) {
		char body[64];
		struct call c = { .path = "/raw", .body = body };

		c.body_len = (size_t)snprintf(body, sizeof(body), "w%d-r%d",
					      w->id, i);
		fetch(w->port, &c);
		if (c.rc == CURLE_OK && c.status == 201 &&
		    c.reply_len == c.body_len &&
		    !memcmp(c.reply, body, c.body_len))
			w->ok++;
		call_release(&c);
	}
	return NULL;
}

static void test_http_concurrent_requests_all_answered(void)
{
	struct http_server *s = NULL;
	struct worker w[NTHREADS];
	pthread_t t[NTHREADS];
	int started = 0, total = 0;

	CHECK_OK(start_plain(&s, MAX_BODY));
	for (int i = 0; i < NTHREADS; i++) {
		w[i].port = http_server_port(s);
		w[i].id = i;
		w[i].ok = 0;
		if (pthread_create(&t[i], NULL, worker_run, &w[i]))
			break;
		started++;
	}
	for (int i = 0; i < started; i++) {
		pthread_join(t[i], NULL);
		total += w[i].ok;
	}
	http_server_stop(s);
	CHECK(started == NTHREADS);
	CHECK(total == NTHREADS * NREQ);
	CHECK(atomic_load(&handled) == NTHREADS * NREQ);
}

struct slow_client {
	uint16_t port;
	struct call c;
};

static void *slow_run(void *arg)
{
	struct slow_client *sc = arg;

	fetch(sc->port, &sc->c);
	return NULL;
}

static void test_http_stop_waits_for_handlers(void)
{
	struct http_server *s = NULL;
	struct slow_client sc = { .c = { .path = "/slow" } };
	pthread_t t;
	int finished;

	atomic_store(&slow_entered, 0);
	atomic_store(&slow_finished, 0);
	CHECK_OK(start_plain(&s, MAX_BODY));
	sc.port = http_server_port(s);
	if (pthread_create(&t, NULL, slow_run, &sc)) {
		http_server_stop(s);
		CHECK(0);
	}
	for (int i = 0; i < 500 && !atomic_load(&slow_entered); i++)
		usleep(10 * 1000);
	http_server_stop(s);
	finished = atomic_load(&slow_finished);
	pthread_join(t, NULL);
	call_release(&sc.c);
	CHECK(atomic_load(&slow_entered));
	CHECK(finished);
}

/* ---- one source must not make the server unavailable ---- */

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A TCP connection from src (a loopback address) to 127.0.0.1:port; -1
 * on failure. */
static int raw_connect(const char *src, uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	inet_pton(AF_INET, src, &a.sin_addr);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a))) {
		close(fd);
		return -1;
	}
	a.sin_port = htons(port);
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* 1 when the server closed fd within ms (what it sent first is read and
 * dropped). */
static int closed_within(int fd, int ms)
{
	long end = now_ms() + ms;
	char buf[4096];

	for (long left = ms; left > 0; left = end - now_ms()) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, (int)left) <= 0)
			continue;
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			return 1;
	}
	return 0;
}

static int send_text(int fd, const char *text)
{
	size_t n = strlen(text);

	return send(fd, text, n, MSG_NOSIGNAL) == (ssize_t)n ? 0 : -1;
}

/*
 * Send one byte every 200 ms on fd (after prefix) until the server closes
 * it or limit_ms pass.  The milliseconds the connection lived, or -1 when
 * it outlived limit_ms.
 */
static long drip(int fd, const char *prefix, int limit_ms)
{
	long start = now_ms();

	if (send_text(fd, prefix))
		return 0;
	while (now_ms() - start < limit_ms) {
		if (closed_within(fd, 200))
			return now_ms() - start;
		if (send(fd, "x", 1, MSG_NOSIGNAL) != 1)
			return now_ms() - start;
	}
	return -1;
}

/* The server's figures once the bodies it held are given back (the
 * answer reaches the client a moment before the request is done). */
static void stats_settled(struct http_server *s, struct http_stats *st)
{
	for (int i = 0; i < 200; i++) {
		http_server_stats(s, st);
		if (st->body_bytes == 0)
			return;
		usleep(10 * 1000);
	}
}

static int start_bounded(struct http_server **s, const struct http_config *c)
{
	atomic_store(&handled, 0);
	return http_server_start(s, c, handler, NULL, NULL);
}

/* A client sending its headers, then its body, a byte at a time, keeps
 * resetting libmicrohttpd's idle timeout: the absolute deadlines cut it,
 * and a well-behaved client is still served meanwhile. */
static void test_http_slow_drip_cut_at_absolute_deadline(void)
{
	struct http_server *s = NULL;
	struct http_config cfg;
	struct http_stats st;
	struct call ok = { .path = "/echo" };
	long head_life, body_life;
	int a, b;

	memset(&cfg, 0, sizeof(cfg));
	cfg.plain_http = 1;
	cfg.max_body = MAX_BODY;
	cfg.timeout_s = 30; /* idle: the drip never lets it fire */
	cfg.header_timeout_s = 1;
	cfg.body_timeout_s = 1;
	CHECK_OK(start_bounded(&s, &cfg));
	a = raw_connect("127.0.0.1", http_server_port(s));
	head_life = a < 0 ? 0
			  : drip(a, "GET /echo HTTP/1.1\r\nHost: x\r\nX-A: ",
				 4000);
	b = raw_connect("127.0.0.1", http_server_port(s));
	body_life = b < 0 ? 0
			  : drip(b, "POST /raw HTTP/1.1\r\nHost: x\r\n"
				    "Content-Length: 1000\r\n\r\n", 4000);
	fetch(http_server_port(s), &ok);
	http_server_stats(s, &st);
	http_server_stop(s);
	if (a >= 0)
		close(a);
	if (b >= 0)
		close(b);
	call_release(&ok);
	CHECK(a >= 0 && b >= 0);
	/* Cut at about one second, not at the 4 s the test waits. */
	CHECK(head_life >= 800 && head_life < 2500);
	CHECK(body_life >= 800 && body_life < 2500);
	CHECK(st.cut_deadline == 2);
	CHECK(ok.status == 200);
	CHECK(atomic_load(&handled) == 1);
}

/* More connections than max_per_ip from one address are closed at once;
 * those already open stay, and another address is served. */
static void test_http_connections_per_address_bounded(void)
{
	struct http_server *s = NULL;
	struct http_config cfg;
	struct call other = { .path = "/echo" };
	int fds[4], extra_closed = 0, first_open = 1;

	memset(&cfg, 0, sizeof(cfg));
	cfg.plain_http = 1;
	cfg.max_body = MAX_BODY;
	cfg.max_per_ip = 3;
	cfg.threads = 4; /* the bound holds over all pool threads */
	CHECK_OK(start_bounded(&s, &cfg));
	for (int i = 0; i < 4; i++) {
		fds[i] = raw_connect("127.0.0.2", http_server_port(s));
		usleep(50 * 1000);
	}
	if (fds[3] >= 0)
		extra_closed = closed_within(fds[3], 1000);
	for (int i = 0; i < 3; i++)
		if (fds[i] < 0 || closed_within(fds[i], 10))
			first_open = 0;
	fetch(http_server_port(s), &other); /* from 127.0.0.1 */
	http_server_stop(s);
	for (int i = 0; i < 4; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	call_release(&other);
	CHECK(fds[3] >= 0);
	CHECK(extra_closed);
	CHECK(first_open);
	CHECK(other.status == 200);
}

/* The headers check sees each request before its body. */
static atomic_int hook_calls;

static void key_check(void *ctx, const struct http_request *req,
		      size_t *max_body, struct http_response *res)
{
	const char *key = http_request_header(req, "X-Key");

	(void)ctx;
	atomic_fetch_add(&hook_calls, 1);
	if (req->body || req->body_len)
		http_response_error(res, 500, "bad", "body seen");
	else if (!strcmp(req->path, "/small"))
		*max_body = 100;
	else if (!key || strcmp(key, "good"))
		http_response_error(res, 401, "unauthenticated", "no key");
}

static uint8_t large[256 << 10];

/* A large body without the credential the hook wants is refused before
 * any of it is kept (no body byte ever held); with it, it is served; and
 * the hook may lower the bound for one request. */
static void test_http_headers_checked_before_body(void)
{
	struct http_server *s = NULL;
	struct http_config cfg;
	struct http_stats before, after;
	struct call waits = { .path = "/raw", .body = large,
			      .body_len = sizeof(large),
			      .header = "Expect: 100-continue" };
	struct call good = { .path = "/raw", .body = large,
			     .body_len = sizeof(large),
			     .header = "X-Key: good" };
	struct call small = { .path = "/small", .body = large,
			      .body_len = 200, .header = "X-Key: good" };
	char head[160];
	int fd, ok;

	memset(&cfg, 0, sizeof(cfg));
	cfg.plain_http = 1;
	cfg.max_body = sizeof(large);
	cfg.headers_fn = key_check;
	atomic_store(&hook_calls, 0);
	CHECK_OK(start_bounded(&s, &cfg));
	/* A client that sends its body at once, unasked. */
	fd = raw_connect("127.0.0.1", http_server_port(s));
	snprintf(head, sizeof(head),
		 "POST /raw HTTP/1.1\r\nHost: x\r\nContent-Length: %zu\r\n\r\n",
		 sizeof(large));
	if (fd >= 0 && !send_text(fd, head))
		(void)send(fd, large, sizeof(large), MSG_NOSIGNAL);
	if (fd >= 0)
		(void)closed_within(fd, 2000);
	fetch(http_server_port(s), &waits);
	stats_settled(s, &before);
	fetch(http_server_port(s), &good);
	fetch(http_server_port(s), &small);
	stats_settled(s, &after);
	http_server_stop(s);
	if (fd >= 0)
		close(fd);
	ok = waits.status == 401 && is_json_error(&waits, "unauthenticated");
	call_release(&waits);
	call_release(&good);
	call_release(&small);
	CHECK(fd >= 0);
	CHECK(ok);
	CHECK(before.body_peak == 0 && before.body_bytes == 0);
	CHECK(good.status == 201 && good.reply_len == sizeof(large));
	CHECK(after.body_peak >= sizeof(large) && after.body_bytes == 0);
	CHECK(small.status == 413);
	CHECK(atomic_load(&hook_calls) == 4);
	CHECK(atomic_load(&handled) == 1);
}

/* Open a connection from src and send a request announcing len bytes of
 * body, then sent of them (zeros).  The fd, or -1. */
static int announce(const char *src, uint16_t port, size_t len, size_t sent)
{
	static const uint8_t zeros[64 << 10];
	char head[160];
	int fd = raw_connect(src, port);

	if (fd < 0)
		return -1;
	snprintf(head, sizeof(head),
		 "POST /raw HTTP/1.1\r\nHost: x\r\nContent-Length: %zu\r\n"
		 "\r\n", len);
	if (send_text(fd, head) ||
	    (sent && send(fd, zeros, sent < sizeof(zeros) ? sent : sizeof(zeros),
			  MSG_NOSIGNAL) < 0)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Bodies held at once are bounded: one over what is left is refused 503
 * with Retry-After before it is read, and served once room is back. */
static void test_http_body_budget_refuses_503(void)
{
	struct http_server *s = NULL;
	struct http_config cfg;
	struct http_stats st;
	struct call over = { .path = "/raw", .body = large,
			     .body_len = 64 << 10 };
	struct call later = { .path = "/raw", .body = large,
			      .body_len = 64 << 10 };
	int fd, ok;

	memset(&cfg, 0, sizeof(cfg));
	cfg.plain_http = 1;
	cfg.max_body = 64 << 10;
	cfg.body_budget = 100 << 10;
	CHECK_OK(start_bounded(&s, &cfg));
	/* A client that sends most of a 64 KiB body and stops: it holds
	 * 64 KiB of the 100. */
	fd = announce("127.0.0.2", http_server_port(s), 64u << 10, 60u << 10);
	usleep(200 * 1000);
	fetch(http_server_port(s), &over);
	if (fd >= 0)
		close(fd);
	usleep(300 * 1000);
	fetch(http_server_port(s), &later);
	stats_settled(s, &st);
	http_server_stop(s);
	ok = over.status == 503 && is_json_error(&over, "busy");
	call_release(&over);
	call_release(&later);
	CHECK(fd >= 0);
	CHECK(ok);
	CHECK(later.status == 201);
	CHECK(st.over_budget == 1 && st.body_bytes == 0);
	CHECK(st.body_peak <= (100u << 10));
}

/* Connections that announce the largest body and send nothing hold no
 * budget: however many, from the client's own address, a real body is
 * still taken. */
static void test_http_announced_bodies_hold_no_budget(void)
{
	struct http_server *s = NULL;
	struct http_config cfg;
	struct http_stats held, st;
	struct call ok = { .path = "/raw", .body = large,
			   .body_len = 64 << 10 };
	int fds[6], opened = 1;

	memset(&cfg, 0, sizeof(cfg));
	cfg.plain_http = 1;
	cfg.max_body = 64 << 10; /* budget: 4 x 64 KiB */
	CHECK_OK(start_bounded(&s, &cfg));
	for (int i = 0; i < 6; i++)
		if ((fds[i] = announce("127.0.0.1", http_server_port(s),
				       64u << 10, 0)) < 0)
			opened = 0;
	usleep(200 * 1000);
	http_server_stats(s, &held);
	fetch(http_server_port(s), &ok);
	stats_settled(s, &st);
	http_server_stop(s);
	for (int i = 0; i < 6; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	call_release(&ok);
	CHECK(opened);
	CHECK(held.body_bytes == 0 && held.over_budget == 0);
	CHECK(ok.status == 201 && ok.reply_len == (64u << 10));
	CHECK(st.over_budget == 0);
}

/* One address holds at most one body's worth of the budget over all its
 * connections: four connections that send most of a large body each do
 * not take the budget from another address. */
static void test_http_body_share_per_address(void)
{
	struct http_server *s = NULL;
	struct http_config cfg;
	struct http_stats held, st;
	struct call ok = { .path = "/raw", .body = large,
			   .body_len = 64 << 10 };
	int fds[4], opened = 1;

	memset(&cfg, 0, sizeof(cfg));
	cfg.plain_http = 1;
	cfg.max_body = 64 << 10; /* budget: 4 x 64 KiB */
	CHECK_OK(start_bounded(&s, &cfg));
	for (int i = 0; i < 4; i++) {
		if ((fds[i] = announce("127.0.0.2", http_server_port(s),
				       64u << 10, 63u << 10)) < 0)
			opened = 0;
		usleep(100 * 1000);
	}
	http_server_stats(s, &held);
	fetch(http_server_port(s), &ok); /* from 127.0.0.1 */
	stats_settled(s, &st);
	http_server_stop(s);
	for (int i = 0; i < 4; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	call_release(&ok);
	CHECK(opened);
	CHECK(held.body_bytes <= (64u << 10));
	CHECK(ok.status == 201 && ok.reply_len == (64u << 10));
	CHECK(st.body_peak <= (128u << 10));
}

/* ---- the response helpers alone ---- */

static void test_http_response_helpers(void)
{
	struct http_response res;
	json_t *o, *err;
	int ok;

	memset(&res, 0, sizeof(res));
	CHECK(http_response_header(&res, "X-Bad", "a\r\nSet-Cookie: x") ==
	      ERR_INVALID);
	CHECK(http_response_header(&res, "X-Bad", "a\nb") == ERR_INVALID);
	CHECK(http_response_header(&res, "Bad Name", "v") == ERR_INVALID);
	CHECK(http_response_header(&res, "Bad:Name", "v") == ERR_INVALID);
	CHECK(http_response_header(&res, "", "v") == ERR_INVALID);
	CHECK(http_response_header(&res, "content-length", "1") ==
	      ERR_INVALID);
	for (int i = 0; i < HTTP_MAX_HEADERS; i++)
		CHECK_OK(http_response_header(&res, "X-Ok", "fine"));
	CHECK(http_response_header(&res, "X-One-More", "v") == ERR_INVALID);
	CHECK(res.nheaders == HTTP_MAX_HEADERS);

	http_response_error(&res, 409, "conflict", "record %d: \"%s\"", 7,
			    "q\\");
	o = json_loadb((const char *)res.body, res.body_len, 0, NULL);
	err = json_object_get(o, "error");
	ok = res.status == 409 &&
	     !strcmp(res.content_type, "application/json") &&
	     !strcmp(json_string_value(json_object_get(err, "code")),
		     "conflict") &&
	     !strcmp(json_string_value(json_object_get(err, "message")),
		     "record 7: \"q\\\"");
	json_decref(o);
	CHECK(ok);

	/* Not UTF-8: still a valid JSON body. */
	http_response_error(&res, 400, "bad", "%s", "caf\xe9");
	o = json_loadb((const char *)res.body, res.body_len, 0, NULL);
	ok = o != NULL;
	json_decref(o);
	CHECK(ok);

	o = json_pack("{s:i}", "n", 3);
	CHECK(o);
	ok = http_response_json(&res, 200, o) == 0 && res.status == 200 &&
	     res.body_len == 7 && !memcmp(res.body, "{\"n\":3}", 7);
	json_decref(o);
	CHECK(ok);

	http_response_take(&res, 200, "text/plain\r\nX-Evil: 1",
			   (uint8_t *)strdup("hi"), 2);
	CHECK(res.status == 500);
	http_response_release(&res);
}
HTTP_TEST_MAIN(T(test_http_plain_get_query_and_header),
	       T(test_http_plain_post_body_echoed),
	       T(test_http_plain_refused_off_loopback),
	       T(test_http_port_in_use_is_io_error),
	       T(test_http_no_status_is_500_json),
	       T(test_http_unknown_method_is_405_json),
	       T(test_http_too_large_by_content_length_is_413),
	       T(test_http_too_large_chunked_is_413),
	       T(test_http_concurrent_requests_all_answered),
	       T(test_http_stop_waits_for_handlers),
	       T(test_http_slow_drip_cut_at_absolute_deadline),
	       T(test_http_connections_per_address_bounded),
	       T(test_http_headers_checked_before_body),
	       T(test_http_body_budget_refuses_503),
	       T(test_http_announced_bodies_hold_no_budget),
	       T(test_http_body_share_per_address),
	       T(test_http_response_helpers))
