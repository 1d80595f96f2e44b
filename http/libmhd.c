/*
 * libmhd.c - libmicrohttpd opened when first needed (see libmhd.h).
 */
#include "http/libmhd.h"

#include "common/dlib.h"

struct libmhd_api libmhd;

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

static struct dlib lib =
	DLIB_INIT("libmicrohttpd.so.12", "libmicrohttpd12", fns);

int libmhd_load(struct err *e)
{
	return dlib_require(&lib, e);
}
