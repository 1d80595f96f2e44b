/*
 * libmhd.h - libmicrohttpd, loaded when the program first serves HTTP.
 *
 * libmicrohttpd brings GnuTLS and its own libraries: linked in, the
 * dynamic loader mapped and relocated them at every start of presidio,
 * 3.7 of the 10 ms a command took to start on the reference machine, for
 * commands that serve nothing (only the hub and the web interface do).
 * So the program is not linked with it: libmhd_load() opens it
 * (libmicrohttpd.so.12, its soname) when a server starts or a handler's
 * answer is checked, and the HTTP layer calls it through the table
 * below (common/dlib.h).  The Debian package depends on libmicrohttpd12
 * by name.
 *
 * Owns the table (filled once, read only after libmhd_load() returned
 * 0).  Thread-safe.
 */
#ifndef PRESIDIO_HTTP_LIBMHD_H
#define PRESIDIO_HTTP_LIBMHD_H

#include <microhttpd.h>

#include "common/err.h"

/* libmicrohttpd's functions the HTTP layer uses, with their own types. */
struct libmhd_api {
	__typeof__(&MHD_start_daemon) start_daemon;
	__typeof__(&MHD_stop_daemon) stop_daemon;
	__typeof__(&MHD_create_response_from_buffer) create_response_from_buffer;
	__typeof__(&MHD_create_response_from_buffer_with_free_callback_cls)
		create_response_from_buffer_with_free_callback_cls;
	__typeof__(&MHD_add_response_header) add_response_header;
	__typeof__(&MHD_queue_response) queue_response;
	__typeof__(&MHD_destroy_response) destroy_response;
	__typeof__(&MHD_get_connection_info) get_connection_info;
	__typeof__(&MHD_lookup_connection_value) lookup_connection_value;
	__typeof__(&MHD_get_connection_values) get_connection_values;
	__typeof__(&MHD_http_unescape) http_unescape;
	__typeof__(&MHD_get_reason_phrase_for) get_reason_phrase_for;
};

extern struct libmhd_api libmhd;

/* Open libmicrohttpd and fill the table, once: 0, or ERR_FAIL saying
 * what is missing. */
int libmhd_load(struct err *e) ERR_MUST_USE;

#endif
