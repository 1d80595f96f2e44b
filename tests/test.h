/*
 * test.h - the small test runner every unit-test binary uses.
 *
 * A test is a void function; CHECK() records a failure and returns from it.
 * TEST_MAIN lists the tests; the binary runs them all (or those whose name
 * contains argv[1]), prints one line per test and closes with
 * "N passed, N failed"; it exits non-zero on any failure or when no test
 * ran.  Helpers give each test a fresh temporary directory.
 */
#ifndef PRESIDIO_TEST_H
#define PRESIDIO_TEST_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct test {
	const char *name;
	void (*fn)(void);
};

void test_fail(const char *file, int line, const char *what);
int test_run(const struct test *tests, size_t n, int argc, char **argv);

/* A fresh empty directory for this test, removed after it (path valid
 * until the test returns). */
const char *test_tmpdir(void);

/* Read a whole file into a malloc'd buffer (NUL-terminated); NULL on error. */
char *test_read_file(const char *path, size_t *len);

/* Remove path and everything below it (errors ignored). */
void test_rmtree(const char *path);

/* A listening TCP socket on 127.0.0.1 at a free port (in *port); -1 on
 * failure.  Servers in tests bind to loopback only. */
int test_listen_loopback(int *port);

/* 1 when text (len bytes) holds line as a whole line. */
int test_has_line(const void *text, size_t len, const char *line);

/* 1 when needle (len bytes) occurs in the file at path. */
int test_file_contains(const char *path, const void *needle, size_t len);

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			test_fail(__FILE__, __LINE__, #cond);                  \
			return;                                                \
		}                                                              \
	} while (0)

/* CHECK for functions returning 0 / ERR_*: reports the code on failure. */
#define CHECK_OK(expr)                                                         \
	do {                                                                   \
		int check_rc_ = (expr);                                        \
		if (check_rc_ != 0) {                                          \
			test_fail(__FILE__, __LINE__, #expr " != 0");          \
			return;                                                \
		}                                                              \
	} while (0)

#define T(fn) { #fn, fn }

#define TEST_MAIN(...)                                                         \
	int main(int argc, char **argv)                                        \
	{                                                                      \
		static const struct test tests_[] = { __VA_ARGS__ };           \
		return test_run(tests_, sizeof(tests_) / sizeof(tests_[0]),    \
				argc, argv);                                   \
	}

#endif
