/*
 * test_zflate.c - whole buffers through zlib (common/zflate.h): a round
 * trip, a stream that stops exactly at the bound and one past it, a
 * stream that is not zlib, bytes after the stream, and a truncated one.
 */
#include "common/zflate.h"

#include <stdlib.h>
#include <string.h>

#include "tests/test.h"

static void test_zflate_round_trip(void)
{
	const char *text = "{\"entries\":[{\"n\":1},{\"n\":2},{\"n\":3}]}";
	uint8_t *z = NULL;
	char *out = NULL;
	size_t zlen = 0, n = 0;
	struct err e;

	CHECK_OK(zflate_deflate(text, strlen(text), 6, &z, &zlen, &e));
	CHECK(z && zlen > 0);
	CHECK_OK(zflate_inflate(z, zlen, strlen(text), "page", &out, &n, &e));
	CHECK(out && n == strlen(text) && memcmp(out, text, n) == 0 &&
	      out[n] == '\0');
	free(out);
	out = NULL;
	/* One byte under what it inflates to: refused, naming the input. */
	err_init(&e);
	CHECK(zflate_inflate(z, zlen, strlen(text) - 1, "page", &out, &n,
			     &e) == ERR_INVALID);
	CHECK(!out && strstr(e.msg, "page inflates beyond"));
	free(z);
}

static void test_zflate_bad_streams(void)
{
	static char big[1u << 20];
	const char *plain = "{\"entries\":[]}";
	uint8_t *z = NULL, *more = NULL;
	char *out = NULL;
	size_t zlen = 0, n = 0;
	struct err e;

	err_init(&e);
	CHECK(zflate_inflate((const uint8_t *)plain, strlen(plain), 1024,
			     "audit", &out, &n, &e) == ERR_INVALID);
	CHECK(!out && strstr(e.msg, "audit: corrupt zlib stream"));
	/* A megabyte of spaces deflates to about a kilobyte. */
	memset(big, ' ', sizeof(big));
	CHECK_OK(zflate_deflate(big, sizeof(big), 9, &z, &zlen, &e));
	CHECK(zlen < 4096);
	err_init(&e);
	CHECK(zflate_inflate(z, zlen, 65536, "audit", &out, &n, &e) ==
	      ERR_INVALID);
	CHECK(!out && strstr(e.msg, "inflates beyond"));
	/* Bytes after the stream. */
	more = malloc(zlen + 1);
	CHECK(more != NULL);
	if (more) {
		memcpy(more, z, zlen);
		more[zlen] = 'x';
		err_init(&e);
		CHECK(zflate_inflate(more, zlen + 1, sizeof(big), "audit",
				     &out, &n, &e) == ERR_INVALID);
		CHECK(!out && strstr(e.msg, "bytes after the zlib stream"));
	}
	/* Cut short. */
	err_init(&e);
	CHECK(zflate_inflate(z, zlen / 2, sizeof(big), "audit", &out, &n,
			     &e) == ERR_INVALID);
	CHECK(!out);
	free(more);
	free(z);
}

TEST_MAIN(T(test_zflate_round_trip), T(test_zflate_bad_streams))
