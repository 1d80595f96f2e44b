/*
 * libcurl.h - libcurl, loaded when the program first talks to a hub.
 *
 * libcurl brings some twenty libraries of its own (Kerberos, LDAP, SSH,
 * RTMP, OpenSSL...).  Linked in, the dynamic loader mapped and relocated
 * all of them at every start of presidio: 14 of the 23 ms that a
 * command took to start on the reference machine, for commands (put,
 * get, list, import, the web interface) that never use them.  So the
 * program is not linked with libcurl: libcurl_load() opens it
 * (libcurl.so.4, the library's soname, as the loader would) the first
 * time a sync client needs it, and the client calls it through the
 * table below.  The Debian package depends on libcurl4 by name
 * (dpkg-shlibdeps does not see a library opened so).
 *
 * Owns the table and the library handle (kept open until exit).
 * Thread-safe: the first caller loads, the others wait for it.
 */
#ifndef PRESIDIO_SYNC_LIBCURL_H
#define PRESIDIO_SYNC_LIBCURL_H

#include <curl/curl.h>

#include "common/err.h"

/* libcurl's functions the client uses, with their own types. */
struct libcurl_api {
	__typeof__(&curl_global_init) global_init;
	__typeof__(&curl_global_cleanup) global_cleanup;
	__typeof__(&curl_version_info) version_info;
	__typeof__(&curl_easy_init) easy_init;
	__typeof__(&curl_easy_cleanup) easy_cleanup;
	__typeof__(&curl_easy_reset) easy_reset;
	__typeof__(&curl_easy_setopt) easy_setopt;
	__typeof__(&curl_easy_getinfo) easy_getinfo;
	__typeof__(&curl_easy_perform) easy_perform;
	__typeof__(&curl_easy_strerror) easy_strerror;
	__typeof__(&curl_easy_header) easy_header;
	__typeof__(&curl_slist_append) slist_append;
	__typeof__(&curl_slist_free_all) slist_free_all;
	__typeof__(&curl_getdate) getdate;
	__typeof__(&curl_url) url;
	__typeof__(&curl_url_cleanup) url_cleanup;
	__typeof__(&curl_url_set) url_set;
	__typeof__(&curl_url_get) url_get;
	__typeof__(&curl_url_strerror) url_strerror;
	__typeof__(&curl_free) free;
};

/* Filled by libcurl_load(); read only after it returned 0. */
extern struct libcurl_api libcurl;

/* Open libcurl and fill the table, once: 0, or ERR_FAIL saying what is
 * missing (the library, or a function of it: too old a version). */
int libcurl_load(struct err *e) ERR_MUST_USE;

#endif
