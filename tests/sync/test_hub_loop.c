/*
 * test_hub_loop.c - the hub serving until told to stop (sync/hub_loop.h):
 * it listens before the started hook hears its port, purges tombstones
 * at every interval the wait hook lets pass, stops when the wait hook
 * says so, and a failing started hook stops it with that error.
 */
#include "sync/hub_loop.h"
#include "tests/node/store_fixture.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

struct fake {
	int waits;          /* wait calls so far */
	int stop_at;        /* the wait call that says stop */
	uint64_t last_ms;   /* what the last wait asked */
	uint16_t port;      /* as the started hook heard */
	int connected;      /* a TCP connect to it succeeded then */
	int fail_start;     /* the started hook fails */
	int purges, purge_rc;
	uint64_t purged;    /* tombstones purged, all purges */
};

static int fake_wait(void *ctx, uint64_t ms)
{
	struct fake *f = ctx;

	f->last_ms = ms;
	return ++f->waits >= f->stop_at;
}

static int try_connect(uint16_t port)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM, 0), ok;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons(port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok = fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
	if (fd >= 0)
		close(fd);
	return ok;
}

static int fake_started(void *ctx, uint16_t port, struct err *e)
{
	struct fake *f = ctx;

	f->port = port;
	f->connected = try_connect(port);
	if (f->fail_start)
		return err_set(e, ERR_IO, "cannot write the port file");
	return 0;
}

static void fake_purged(void *ctx, int rc, uint64_t purged,
			const struct err *e)
{
	struct fake *f = ctx;

	(void)e;
	f->purges++;
	if (rc < 0)
		f->purge_rc = rc;
	f->purged += purged;
}

static struct hub_config plain_config(void)
{
	struct hub_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.http.address = "127.0.0.1";
	cfg.http.plain_http = 1;
	return cfg;
}

/* Three waits: two purges between them, then stop; the hub listened. */
static void test_hub_loop_serves_purges_and_stops(void)
{
	struct store *s = fixture_node("hub", STORE_ROLE_HUB, "op.test");
	struct hub_loop_hooks h = { fake_wait, fake_started, fake_purged,
				    NULL };
	struct hub_config cfg = plain_config();
	struct hub_loop_opts o;
	struct store_put_result r;
	struct fake f;
	struct err e;

	CHECK(s);
	memset(&f, 0, sizeof(f));
	f.stop_at = 3;
	h.ctx = &f;
	err_init(&e);
	/* A tombstone no node holds: the first purge takes it. */
	CHECK_OK(put_json(s, "test_item", NULL, "{\"title\":\"t\"}", &r));
	CHECK_OK(store_delete(s, &r.id, NULL));
	hub_loop_opts_init(&o);
	o.purge_every_s = 7;
	o.horizon_s = 0;
	CHECK_OK(hub_loop_run(s, &cfg, &o, &h, &e));
	CHECK(f.port != 0 && f.connected);
	CHECK(f.waits == 3 && f.last_ms == 7000);
	CHECK(f.purges == 2 && f.purge_rc == 0);
	CHECK(f.purged == 1);
	/* Stopped: nothing listens any more. */
	CHECK(!try_connect(f.port));
	store_close(s);
}

/* The started hook fails: its error comes back, the hub is stopped and
 * no purge ran. */
static void test_hub_loop_started_hook_failure_stops_it(void)
{
	struct store *s = fixture_node("hub", STORE_ROLE_HUB, "op.test");
	struct hub_loop_hooks h = { fake_wait, fake_started, fake_purged,
				    NULL };
	struct hub_config cfg = plain_config();
	struct hub_loop_opts o;
	struct fake f;
	struct err e;

	CHECK(s);
	memset(&f, 0, sizeof(f));
	f.stop_at = 100;
	f.fail_start = 1;
	h.ctx = &f;
	err_init(&e);
	hub_loop_opts_init(&o);
	CHECK(hub_loop_run(s, &cfg, &o, &h, &e) == ERR_IO);
	CHECK(strstr(e.msg, "port file") != NULL);
	CHECK(f.waits == 0 && f.purges == 0);
	CHECK(f.port != 0 && !try_connect(f.port));
	store_close(s);
}

/* A loop nobody can stop is refused before anything starts. */
static void test_hub_loop_needs_a_wait_hook(void)
{
	struct store *s = fixture_node("hub", STORE_ROLE_HUB, "op.test");
	struct hub_loop_hooks h = { NULL, fake_started, NULL, NULL };
	struct hub_config cfg = plain_config();
	struct hub_loop_opts o;
	struct fake f;
	struct err e;

	CHECK(s);
	memset(&f, 0, sizeof(f));
	h.ctx = &f;
	err_init(&e);
	hub_loop_opts_init(&o);
	CHECK(o.purge_every_s == 3600 && o.horizon_s == 30 * 86400);
	CHECK(hub_loop_run(s, &cfg, &o, &h, &e) == ERR_INVALID);
	CHECK(hub_loop_run(s, &cfg, &o, NULL, &e) == ERR_INVALID);
	CHECK(f.port == 0);
	store_close(s);
}

TEST_MAIN(T(test_hub_loop_serves_purges_and_stops),
	  T(test_hub_loop_started_hook_failure_stops_it),
	  T(test_hub_loop_needs_a_wait_hook))
