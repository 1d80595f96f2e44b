/*
 * zflate.c - whole buffers through zlib (zflate.h).
 */
#include "common/zflate.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "common/buf.h"

int zflate_deflate(const void *in, size_t n, int level, uint8_t **out,
		   size_t *outlen, struct err *e)
{
	uLongf zlen;
	uint8_t *z;

	*out = NULL;
	*outlen = 0;
	if (n > ULONG_MAX / 2)
		return err_set(e, ERR_INVALID, "too large to compress");
	zlen = compressBound((uLong)n);
	z = malloc(zlen ? zlen : 1);
	if (!z)
		return err_set(e, ERR_NOMEM, "out of memory");
	if (compress2(z, &zlen, (const Bytef *)in, (uLong)n, level) != Z_OK) {
		free(z);
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	*out = z;
	*outlen = zlen;
	return 0;
}

int zflate_inflate(const uint8_t *in, size_t len, size_t max,
		   const char *what, char **out, size_t *outlen,
		   struct err *e)
{
	z_stream z;
	struct buf text;
	int zr = Z_OK, rc = 0;

	*out = NULL;
	*outlen = 0;
	if (len > UINT_MAX)
		return err_set(e, ERR_INVALID, "%s: too large", what);
	/* One byte over the bound tells a stream that reaches it from one
	 * that stops exactly at it; the NUL needs no more. */
	buf_init(&text, max + 1);
	text.start = len * 4 + 4096;
	memset(&z, 0, sizeof(z));
	if (inflateInit(&z) != Z_OK)
		return err_set(e, ERR_NOMEM, "out of memory");
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)len;
	while (zr != Z_STREAM_END) {
		if (!buf_room(&text)) {
			rc = buf_reserve(&text, 1);
			if (rc == ERR_INVALID) {
				rc = err_set(e, ERR_INVALID,
					     "%s inflates beyond %zu bytes",
					     what, max);
				goto out;
			}
			if (rc) {
				rc = err_set(e, ERR_NOMEM, "out of memory");
				goto out;
			}
		}
		z.next_out = (Bytef *)buf_tail(&text);
		z.avail_out = (uInt)buf_room(&text);
		zr = inflate(&z, Z_NO_FLUSH);
		buf_advance(&text, buf_room(&text) - z.avail_out);
		if (zr == Z_STREAM_END)
			break;
		if (zr != Z_OK || (z.avail_in == 0 && z.avail_out != 0)) {
			rc = err_set(e, ERR_INVALID, "%s: corrupt zlib stream",
				     what);
			goto out;
		}
	}
	if (z.avail_in != 0 || text.len > max) {
		rc = err_set(e, ERR_INVALID,
			     text.len > max ? "%s inflates beyond the limit"
					    : "%s: bytes after the zlib stream",
			     what);
		goto out;
	}
	/* Room for the NUL: within the bound, as len <= the bound - 1. */
	if (buf_append(&text, "", 1)) {
		rc = err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	*out = (char *)buf_steal(&text, outlen, NULL);
	(*outlen)--;
out:
	inflateEnd(&z);
	buf_release(&text);
	return rc;
}
