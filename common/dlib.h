/*
 * dlib.h - a shared library opened when first needed, its functions
 * copied into a caller's table (sync/libcurl.h, http/libmhd.h say why:
 * a library linked in is mapped and relocated at every start of the
 * program, with every library it needs in turn).
 *
 * The library is opened by its soname, as the dynamic loader would find
 * it, and kept open until exit.  Not thread-safe by itself: callers load
 * under pthread_once().
 */
#ifndef PRESIDIO_COMMON_DLIB_H
#define PRESIDIO_COMMON_DLIB_H

#include <stddef.h>

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

/*
 * Open soname and fill every slot of fns[0..n-1]: 0, or -1 with why
 * (a sentence naming the library, and package, the Debian package that
 * ships it) filled.
 */
int dlib_load(const char *soname, const char *package,
	      const struct dlib_fn *fns, size_t n, char *why, size_t whylen);

#endif
