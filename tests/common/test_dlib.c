/*
 * test_dlib.c - a library opened by soname and its functions copied into
 * a table (common/dlib.h): zlib opened so gives the functions the
 * program is linked with; a library that is not there, or lacks a
 * function, fails with a sentence naming it and its Debian package.
 * sync/libcurl.c and http/libmhd.c load through it.
 */
#include "common/dlib.h"

#include <string.h>
#include <zlib.h>

#include "tests/test.h"

static struct {
	__typeof__(&zlibVersion) version;
	__typeof__(&crc32) crc;
} z;

static void test_dlib_fills_the_table(void)
{
	const struct dlib_fn fns[] = {
		DLIB_FN(z, version, "zlibVersion"),
		DLIB_FN(z, crc, "crc32"),
	};
	const unsigned char text[] = "Presidio";
	char why[256] = "";

	memset(&z, 0, sizeof(z));
	CHECK(dlib_load("libz.so.1", "zlib1g", fns, 2, why, sizeof(why)) ==
	      0);
	CHECK(why[0] == '\0');
	CHECK(z.version && strcmp(z.version(), zlibVersion()) == 0);
	CHECK(z.crc && z.crc(0, text, 8) == crc32(0, text, 8));
}

static void test_dlib_names_what_is_missing(void)
{
	const struct dlib_fn none[] = {
		DLIB_FN(z, version, "zlibVersion"),
	};
	const struct dlib_fn lacking[] = {
		DLIB_FN(z, version, "zlibVersion"),
		DLIB_FN(z, crc, "presidio_no_such_function"),
	};
	char why[256] = "";

	CHECK(dlib_load("libpresidio-none.so.9", "presidio-none", none, 1,
			why, sizeof(why)) == -1);
	CHECK(strstr(why, "cannot load libpresidio-none.so.9"));
	CHECK(strstr(why, "install the package presidio-none"));
	why[0] = '\0';
	CHECK(dlib_load("libz.so.1", "zlib1g", lacking, 2, why,
			sizeof(why)) == -1);
	CHECK(strstr(why, "libz.so.1 has no presidio_no_such_function"));
	CHECK(strstr(why, "a newer zlib1g is needed"));
}

TEST_MAIN(T(test_dlib_fills_the_table), T(test_dlib_names_what_is_missing))
