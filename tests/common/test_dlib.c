/*
 * test_dlib.c - a library opened by soname when first needed, its
 * functions copied into a table (common/dlib.h): zlib opened so gives the
 * functions the program is linked with; a library that is not there, or
 * lacks a function, fails with a sentence naming it and its Debian
 * package, and keeps failing so.  sync/libcurl.c and http/libmhd.c load
 * through it.
 */
#include "common/dlib.h"

#include <string.h>
#include <zlib.h>

#include "tests/test.h"

static struct {
	__typeof__(&zlibVersion) version;
	__typeof__(&crc32) crc;
} z;

static const struct dlib_fn z_fns[] = {
	DLIB_FN(z, version, "zlibVersion"),
	DLIB_FN(z, crc, "crc32"),
};

static const struct dlib_fn lacking_fns[] = {
	DLIB_FN(z, version, "zlibVersion"),
	DLIB_FN(z, crc, "presidio_no_such_function"),
};

static void test_dlib_fills_the_table(void)
{
	static struct dlib zlib = DLIB_INIT("libz.so.1", "zlib1g", z_fns);
	const unsigned char text[] = "Presidio";

	memset(&z, 0, sizeof(z));
	CHECK_OK(dlib_require(&zlib, NULL));
	CHECK(z.version && strcmp(z.version(), zlibVersion()) == 0);
	CHECK(z.crc && z.crc(0, text, 8) == crc32(0, text, 8));
	/* Once loaded, a second call finds it so. */
	CHECK_OK(dlib_require(&zlib, NULL));
}

static void test_dlib_names_what_is_missing(void)
{
	static struct dlib none =
		DLIB_INIT("libpresidio-none.so.9", "presidio-none", z_fns);
	static struct dlib lacking =
		DLIB_INIT("libz.so.1", "zlib1g", lacking_fns);
	struct err e;

	err_init(&e);
	CHECK(dlib_require(&none, &e) == ERR_FAIL);
	CHECK(strstr(e.msg, "cannot load libpresidio-none.so.9"));
	CHECK(strstr(e.msg, "install the package presidio-none"));
	/* Said again at every call, not tried again. */
	err_init(&e);
	CHECK(dlib_require(&none, &e) == ERR_FAIL);
	CHECK(strstr(e.msg, "install the package presidio-none"));
	err_init(&e);
	CHECK(dlib_require(&lacking, &e) == ERR_FAIL);
	CHECK(strstr(e.msg, "libz.so.1 has no presidio_no_such_function"));
	CHECK(strstr(e.msg, "a newer zlib1g is needed"));
}

TEST_MAIN(T(test_dlib_fills_the_table), T(test_dlib_names_what_is_missing))
