/*
 * libcurl.c - libcurl opened when first needed (see libcurl.h for why).
 */
#include "sync/libcurl.h"

#include "common/dlib.h"

struct libcurl_api libcurl;

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

static struct dlib lib = DLIB_INIT("libcurl.so.4", "libcurl4", fns);

int libcurl_load(struct err *e)
{
	return dlib_require(&lib, e);
}
