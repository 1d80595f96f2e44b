/*
 * dlib.c - shared libraries opened when first needed (dlib.h).
 */
#include "common/dlib.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

/* Open l and fill its table: 1, or -1 with l->why said. */
static int load(struct dlib *l)
{
	/* Kept open: its functions are called until exit. */
	void *h = dlopen(l->soname, RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		const char *err = dlerror();

		snprintf(l->why, sizeof(l->why), "cannot load %s (%s): install "
			 "the package %s", l->soname, err ? err : "not found",
			 l->package);
		return -1;
	}
	for (size_t i = 0; i < l->n; i++) {
		void *sym = dlsym(h, l->fns[i].name);

		if (!sym) {
			snprintf(l->why, sizeof(l->why), "%s has no %s: a "
				 "newer %s is needed", l->soname,
				 l->fns[i].name, l->package);
			return -1;
		}
		if (l->fns[i].size != sizeof(sym)) {
			snprintf(l->why, sizeof(l->why), "%s: %s is not a "
				 "function pointer", l->soname,
				 l->fns[i].name);
			return -1;
		}
		/* POSIX: a function's address comes as a void *. */
		memcpy(l->fns[i].slot, &sym, sizeof(sym));
	}
	return 1;
}

int dlib_require(struct dlib *l, struct err *e)
{
	/* Once it is known, no lock: a handler checks on every answer. */
	int state = atomic_load_explicit(&l->state, memory_order_acquire);

	if (!state) {
		pthread_mutex_lock(&l->lock);
		state = atomic_load_explicit(&l->state, memory_order_relaxed);
		if (!state) {
			state = load(l);
			atomic_store_explicit(&l->state, state,
					      memory_order_release);
		}
		pthread_mutex_unlock(&l->lock);
	}
	return state > 0 ? 0 : err_set(e, ERR_FAIL, "%s", l->why);
}
