/*
 * libcurl.c - libcurl opened when first needed (see libcurl.h for why).
 */
#include "sync/libcurl.h"

#include <pthread.h>

#include "common/dlib.h"

#define LIBCURL_SONAME "libcurl.so.4"

struct libcurl_api libcurl;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char failed[256]; /* why the load failed; "" when it did not */

#define FN(field, name) DLIB_FN(libcurl, field, name)
static const struct dlib_fn fns[] = {
	FN(global_init, "curl_global_init"),
	FN(global_cleanup, "curl_global_cleanup"),
	FN(version_info, "curl_version_info"),
	FN(easy_init, "curl_easy_init"),
	FN(easy_cleanup, "curl_easy_cleanup"),
	FN(easy_reset, "curl_easy_reset"),
	FN(easy_setopt, "curl_easy_setopt"),
	FN(easy_getinfo, "curl_easy_getinfo"),
	FN(easy_perform, "curl_easy_perform"),
	FN(easy_strerror, "curl_easy_strerror"),
	FN(easy_header, "curl_easy_header"),
	FN(slist_append, "curl_slist_append"),
	FN(slist_free_all, "curl_slist_free_all"),
	FN(getdate, "curl_getdate"),
	FN(url, "curl_url"),
	FN(url_cleanup, "curl_url_cleanup"),
	FN(url_set, "curl_url_set"),
	FN(url_get, "curl_url_get"),
	FN(url_strerror, "curl_url_strerror"),
	FN(free, "curl_free"),
};

static void load(void)
{
	(void)dlib_load(LIBCURL_SONAME, "libcurl4", fns,
			sizeof(fns) / sizeof(fns[0]), failed, sizeof(failed));
}

int libcurl_load(struct err *e)
{
	pthread_once(&once, load);
	if (failed[0])
		return err_set(e, ERR_FAIL, "%s", failed);
	return 0;
}
