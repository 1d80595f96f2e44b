/*
 * http_int.h - internals shared by the HTTP server's source files; not
 * part of the API (sync/http.h).
 *
 *   http.c           the server: listening, TLS, reading requests within
 *                    bounds, calling the handler, sending its answer
 *   http_response.c  filling a struct http_response, JSON error bodies,
 *                    the check run on a handler's answer before sending
 */
#ifndef PRESIDIO_SYNC_HTTP_INT_H
#define PRESIDIO_SYNC_HTTP_INT_H

#include <stddef.h>
#include <stdint.h>

#include "sync/http.h"

#define HTTP_JSON_TYPE "application/json"

/* Wipe len bytes at buf and free it (malloc'd).  Accepts NULL. */
void http_body_free(uint8_t *buf, size_t len);

/* Set status and content type (copied; must fit), wiping and freeing the
 * body set before. */
void http_response_reset(struct http_response *res, int status,
			 const char *type);

/*
 * Make what a handler left sendable: no status, a status outside
 * 200..599, a bad content type, a length without a body or a bad extra
 * header become a 500 JSON error (headers dropped); an answer of 400 or
 * more without a body gets a JSON error body naming its status.  After
 * it, res->body is NULL only when the body is empty or memory ran out
 * for an error body.
 */
void http_response_check(struct http_response *res);

#endif
