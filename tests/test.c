/* test.c - see test.h. */
#include "tests/test.h"

#include <arpa/inet.h>
#include <ftw.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

static int current_failed;
static char tmpdir[4096];

void test_fail(const char *file, int line, const char *what)
{
	if (!current_failed)
		printf("FAIL\n");
	printf("    %s:%d: %s\n", file, line, what);
	current_failed = 1;
}

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

const char *test_tmpdir(void)
{
	const char *base = getenv("TMPDIR");

	if (tmpdir[0])
		return tmpdir;
	snprintf(tmpdir, sizeof(tmpdir), "%s/presidio-test-XXXXXX",
		 base && *base ? base : "/tmp");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		exit(2);
	}
	return tmpdir;
}

void test_rmtree(const char *path)
{
	nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void tmpdir_cleanup(void)
{
	if (!tmpdir[0])
		return;
	test_rmtree(tmpdir);
	tmpdir[0] = '\0';
}

char *test_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	if (!f)
		return NULL;
	for (;;) {
		size_t got;

		if (n + 4096 + 1 > cap) {
			char *grown;

			cap = cap ? cap * 2 : 65536;
			grown = realloc(buf, cap);
			if (!grown) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = grown;
		}
		got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
		if (got == 0)
			break;
	}
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

int test_file_contains(const char *path, const void *needle, size_t len)
{
	size_t n;
	char *buf = test_read_file(path, &n);
	int found;

	if (!buf)
		return 0;
	found = memmem(buf, n, needle, len) != NULL;
	free(buf);
	return found;
}

int test_run(const struct test *tests, size_t n, int argc, char **argv)
{
	unsigned passed = 0, failed = 0;

	if (sodium_init() < 0) {
		fprintf(stderr, "sodium_init failed\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (size_t i = 0; i < n; i++) {
		if (argc > 1 && !strstr(tests[i].name, argv[1]))
			continue;
		printf("  %-60s ", tests[i].name);
		current_failed = 0;
		tests[i].fn();
		tmpdir_cleanup();
		if (current_failed) {
			failed++;
		} else {
			passed++;
			printf("ok\n");
		}
	}
	printf("%u passed, %u failed\n", passed, failed);
	return failed || passed == 0 ? 1 : 0;
}

int test_listen_loopback(int *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t al = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    listen(fd, 16) || getsockname(fd, (struct sockaddr *)&a, &al)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*port = ntohs(a.sin_port);
	return fd;
}

int test_has_line(const void *text, size_t len, const char *line)
{
	const char *t = text;
	size_t n = strlen(line);

	for (size_t i = 0; i + n <= len; i++)
		if (memcmp(t + i, line, n) == 0 && (i == 0 || t[i - 1] == '\n') &&
		    (i + n == len || t[i + n] == '\n'))
			return 1;
	return 0;
}
