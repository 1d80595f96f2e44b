/*
 * zflate.h - whole buffers deflated and inflated with zlib, the inflating
 * bounded: what a peer sends compressed (a batch, a page of the audit
 * trail) cannot expand into more than the receiver said it takes.
 *
 * Both directions work on bytes that may be personal data in clear: the
 * output grows through common/buf.h, which wipes every block it outgrows,
 * and the caller wipes what it is handed (its length + 1 bytes for
 * zflate_inflate(), whose output is NUL-terminated for parsing).
 */
#ifndef PRESIDIO_ZFLATE_H
#define PRESIDIO_ZFLATE_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

/*
 * The zlib stream of in[0..n) at level (0-9) into *out (malloc'd, the
 * caller frees), *outlen its length.  0 or ERR_NOMEM.
 */
int zflate_deflate(const void *in, size_t n, int level, uint8_t **out,
		   size_t *outlen, struct err *e) ERR_MUST_USE;

/*
 * Inflate the zlib stream in[0..len) into *out (malloc'd, NUL-terminated;
 * *outlen excludes the NUL), refusing early a stream that would give more
 * than max bytes.  what names the input in errors ("batch", "audit").
 * ERR_INVALID: a corrupt stream, bytes after it, or more than max;
 * ERR_NOMEM.
 */
int zflate_inflate(const uint8_t *in, size_t len, size_t max,
		   const char *what, char **out, size_t *outlen,
		   struct err *e) ERR_MUST_USE;

#endif
