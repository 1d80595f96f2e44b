/*
 * dlib.h - a shared library opened when first needed, its functions
 * copied into a caller's table (sync/libcurl.h, http/libmhd.h say why:
 * a library linked in is mapped and relocated at every start of the
 * program, with every library it needs in turn).
 *
 * A struct dlib names the library (its soname, as the dynamic loader
 * would find it, and the Debian package that ships it) and the table to
 * fill.  dlib_require() opens it the first time, on whichever thread,
 * and keeps it open until exit; later calls, and calls on other threads,
 * only read what the first one found.
 */
#ifndef PRESIDIO_COMMON_DLIB_H
#define PRESIDIO_COMMON_DLIB_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

#include "common/err.h"

/* One function: its name, and where its address goes (a function
 * pointer of size bytes). */
struct dlib_fn {
	const char *name;
	void *slot;
	size_t size;
};

/* Of a table api's member field: DLIB_FN(libcurl, easy_init,
 * "curl_easy_init"). */
#define DLIB_FN(api, field, fname) \
	{ fname, (void *)&(api).field, sizeof((api).field) }

struct dlib {
	const char *soname;
	const char *package;
	const struct dlib_fn *fns;
	size_t n;
	pthread_mutex_t lock;
	atomic_int state; /* 0 not tried, 1 loaded, -1 failed (why) */
	char why[256];
};

/* A struct dlib for soname, shipped by package, filling the array fns. */
#define DLIB_INIT(soname, package, fns)                                 \
	{ soname, package, fns, sizeof(fns) / sizeof((fns)[0]),         \
	  PTHREAD_MUTEX_INITIALIZER, 0, "" }

/* 0 once every function of l is in its table; ERR_FAIL with a sentence
 * naming the library and its package when it is not installed, or
 * lacks a function (too old), and on every later call. */
int dlib_require(struct dlib *l, struct err *e) ERR_MUST_USE;

#endif
