/*
 * dlib.c - shared libraries opened when first needed (dlib.h).
 */
#include "common/dlib.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

int dlib_load(const char *soname, const char *package,
	      const struct dlib_fn *fns, size_t n, char *why, size_t whylen)
{
	/* Kept open: its functions are called until exit. */
	void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		const char *err = dlerror();

		snprintf(why, whylen, "cannot load %s (%s): install the "
			 "package %s", soname, err ? err : "not found",
			 package);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		void *sym = dlsym(h, fns[i].name);

		if (!sym || fns[i].size != sizeof(sym)) {
			snprintf(why, whylen, "%s has no %s: a newer %s is "
				 "needed", soname, fns[i].name, package);
			return -1;
		}
		/* POSIX: a function's address comes as a void *. */
		memcpy(fns[i].slot, &sym, sizeof(sym));
	}
	return 0;
}
