/*
 * sim_world.h - the world of test_sync_sim.c, made once and reset per
 * seed: hub_world.h's hub and three enrolled nodes are made and enrolled
 * once (world_make()), their four stores kept as file images in memory;
 * each seed writes the images back, reopens the stores on the test's
 * clock and starts the hub again on the same port (the nodes know it by
 * its address).  Enrolling (key slots, identities, tokens) is most of a
 * world's cost; this leaves a few milliseconds per seed.
 * Included by test_sync_sim.c only; everything here is static.
 */
#ifndef PRESIDIO_TESTS_SYNC_SIM_WORLD_H
#define PRESIDIO_TESTS_SYNC_SIM_WORLD_H

#include "tests/sync/sim_check.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#define HUB NNODES
#define NACT (NNODES + 1)
#define FILES_MAX 8

/* ---- the world: made once, reset from file images per seed ---- */

static struct {
	int made;
	uint16_t port;
	char url[64];
	struct {
		char name[256];
		uint8_t *data;
		size_t len;
	} f[NACT][FILES_MAX];
	size_t nf[NACT];
} T;

static inline void store_path(int a, char *out, size_t n)
{
	snprintf(out, n, "%s/%s", test_tmpdir(), sim_name(a));
}

static inline int image_take(int a)
{
	char path[4300], file[4600];
	struct dirent *d;
	DIR *dp;

	store_path(a, path, sizeof(path));
	dp = opendir(path);
	if (!dp)
		return -1;
	while ((d = readdir(dp)) != NULL) {
		size_t k = T.nf[a];

		if (d->d_name[0] == '.' || k == FILES_MAX)
			continue;
		snprintf(file, sizeof(file), "%s/%s", path, d->d_name);
		snprintf(T.f[a][k].name, sizeof(T.f[a][k].name), "%s",
			 d->d_name);
		T.f[a][k].data = (uint8_t *)test_read_file(file,
							   &T.f[a][k].len);
		if (T.f[a][k].data)
			T.nf[a]++;
	}
	closedir(dp);
	return T.nf[a] ? 0 : -1;
}

static inline int image_put(int a)
{
	char path[4300], file[4600];
	struct dirent *d;
	DIR *dp;
	int rc = 0;

	store_path(a, path, sizeof(path));
	if (mkdir(path, 0700) && errno != EEXIST)
		return -1;
	dp = opendir(path);
	while (dp && (d = readdir(dp)) != NULL) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(file, sizeof(file), "%s/%s", path, d->d_name);
		unlink(file);
	}
	if (dp)
		closedir(dp);
	for (size_t k = 0; !rc && k < T.nf[a]; k++) {
		int fd;

		snprintf(file, sizeof(file), "%s/%s", path, T.f[a][k].name);
		fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd < 0 || write(fd, T.f[a][k].data, T.f[a][k].len) !=
				  (ssize_t)T.f[a][k].len)
			rc = -1;
		if (fd >= 0)
			close(fd);
	}
	return rc;
}

/* Enroll the nodes once and keep the four stores as file images. */
static inline int world_make(void)
{
	int rc = 0;

	if (T.made)
		return 0;
	if (!world_up()) {
		world_down();
		return -1;
	}
	T.port = hub_port(w.h);
	snprintf(T.url, sizeof(T.url), "%s", w.url);
	world_down();
	for (int a = 0; !rc && a < NACT; a++)
		rc = image_take(a);
	T.made = !rc;
	return rc;
}

static inline void world_free(void)
{
	for (int a = 0; a < NACT; a++)
		for (size_t k = 0; k < T.nf[a]; k++)
			free(T.f[a][k].data);
}

static inline void world_options(void)
{
	sync_options_init(&w.o);
	w.o.allow_plain = 1;
	w.o.retries = 1;
	w.o.backoff_ms = 10;
}

/* The hub on any free port, the nodes told (this seed only: the images
 * keep the first port, tried first every time). */
static inline int world_move_hub(struct err *e)
{
	struct hub_config cfg = { .http = { .address = "127.0.0.1",
					    .plain_http = 1, .threads = 1,
					    .max_body = MAX_BODY } };
	struct store_remote r;
	int rc = hub_start(&w.h, w.hub, &cfg, e);

	if (rc) {
		w.h = NULL;
		return rc;
	}
	snprintf(w.url, sizeof(w.url), "http://127.0.0.1:%u",
		 (unsigned)hub_port(w.h));
	for (int i = 0; !rc && i < NNODES; i++) {
		rc = store_remote_get(w.n[i], &r, e);
		if (!rc) {
			snprintf(r.url, sizeof(r.url), "%s", w.url);
			rc = store_remote_set(w.n[i], &r, e);
		}
	}
	world_options();
	return rc;
}

static inline int world_reset(store_clock_fn clock)
{
	struct store_secret sec = secret_of("op.test");
	struct hub_config cfg = { .http = { .address = "127.0.0.1",
					    .port = T.port,
					    .plain_http = 1,
					    /* one client at a time: fewer
					       store handles to open */
					    .threads = 1,
					    .max_body = MAX_BODY } };
	char path[4300];
	struct err e;

	err_init(&e);
	memset(&w, 0, sizeof(w));
	snprintf(w.url, sizeof(w.url), "%s", T.url);
	for (int a = 0; a < NACT; a++) {
		struct store *s = NULL;

		store_path(a, path, sizeof(path));
		if (image_put(a) || store_open(&s, path, &e) ||
		    store_unlock(s, &sec, &e)) {
			printf("(reopen %s: %s) ", sim_name(a), e.msg);
			store_close(s);
			return -1;
		}
		store_set_clock(s, clock, NULL);
		if (a == HUB)
			registry_attach(s);
		if (a == HUB)
			w.hub = s;
		else
			w.n[a] = s;
	}
	/* The nodes know the hub by its address: the same port again (a
	 * port just closed may take a moment to be free); when another
	 * program took it, any port, and the nodes are told. */
	for (int tries = 0; tries < 5 && !w.h; tries++)
		if (hub_start(&w.h, w.hub, &cfg, &e)) {
			w.h = NULL;
			usleep(10000);
		}
	if (!w.h && world_move_hub(&e)) {
		printf("(hub on port %u: %s) ", (unsigned)T.port, e.msg);
		return -1;
	}
	world_options();
	return 0;
}

#endif
