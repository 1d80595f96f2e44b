/*
 * client_int.h - internals of the HTTP client (not an API):
 *   client.c      the client: attempts, retries, responses
 *   client_url.c  the hub's base URL, checked and normalised
 */
#ifndef PRESIDIO_SYNC_CLIENT_INT_H
#define PRESIDIO_SYNC_CLIENT_INT_H

#include "common/err.h"

/*
 * Check url and set *out to its normalised form without trailing slashes
 * (malloc'd).  https only; http only with allow_plain and a loopback
 * host; no credentials, query or fragment (ERR_INVALID, ERR_NOMEM).  The
 * URL given to libcurl is built from what its own parser understood, so
 * the host checked here is the host reached.
 */
int client_parse_base(const char *url, int allow_plain, char **out,
		      struct err *e) ERR_MUST_USE;

#endif
