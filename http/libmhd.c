/*
 * libmhd.c - libmicrohttpd opened when first needed (see libmhd.h).
 */
#include "http/libmhd.h"

#include <pthread.h>

#include "common/dlib.h"

#define LIBMHD_SONAME "libmicrohttpd.so.12"

struct libmhd_api libmhd;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char failed[256]; /* why the load failed; "" when it did not */

#define FN(field) DLIB_FN(libmhd, field, "MHD_" #field)
static const struct dlib_fn fns[] = {
	FN(start_daemon),
	FN(stop_daemon),
	FN(create_response_from_buffer),
	FN(create_response_from_buffer_with_free_callback_cls),
	FN(add_response_header),
	FN(queue_response),
	FN(destroy_response),
	FN(get_connection_info),
	FN(lookup_connection_value),
	FN(get_connection_values),
	FN(http_unescape),
	FN(get_reason_phrase_for),
};

static void load(void)
{
	(void)dlib_load(LIBMHD_SONAME, "libmicrohttpd12", fns,
			sizeof(fns) / sizeof(fns[0]), failed, sizeof(failed));
}

int libmhd_load(struct err *e)
{
	pthread_once(&once, load);
	if (failed[0])
		return err_set(e, ERR_FAIL, "%s", failed);
	return 0;
}
