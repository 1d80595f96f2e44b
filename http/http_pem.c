/*
 * http_pem.c - reading the server's files: its PEM files (see
 * http_int.h) and the static files it serves from the system
 * (http_file_read(), http.h): bounded, regular files only, the key
 * straight into guarded memory.
 */
#include "http/http_int.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * Read the regular file at path, at most max bytes, into a NUL-terminated
 * buffer: sodium_malloc'd when secret (*size = bytes allocated), malloc'd
 * otherwise; *len the bytes read.
 */
static int file_read(const char *path, const char *what, uint64_t max,
		     int secret, char **out, size_t *len, size_t *size,
		     struct err *e)
{
	struct stat sb;
	char *buf = NULL;
	size_t n = 0, cap = 0;
	int fd = -1, rc = 0;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &sb) < 0) {
		rc = err_set(e, ERR_IO, "cannot read %s file %s: %s", what,
			     path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(sb.st_mode) || sb.st_size <= 0) {
		rc = err_set(e, ERR_INVALID, "%s file %s: %s", what, path,
			     S_ISREG(sb.st_mode) ? "empty"
						 : "not a regular file");
		goto out;
	}
	if ((uint64_t)sb.st_size > max) {
		rc = err_set(e, ERR_INVALID, "%s file %s: larger than %llu "
			     "bytes", what, path, (unsigned long long)max);
		goto out;
	}
	cap = (size_t)sb.st_size + 1;
	buf = secret ? sodium_malloc(cap) : malloc(cap);
	if (!buf) {
		rc = err_set(e, ERR_NOMEM, "out of memory reading %s", path);
		goto out;
	}
	while (n < cap - 1) {
		ssize_t got = read(fd, buf + n, cap - 1 - n);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			rc = err_set(e, ERR_IO, "cannot read %s file %s: %s",
				     what, path, strerror(errno));
			goto out;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	*size = cap;
	buf = NULL;
out:
	if (buf && secret) {
		sodium_memzero(buf, cap);
		sodium_free(buf);
	} else if (buf) {
		free(buf);
	}
	if (fd >= 0)
		close(fd);
	return rc;
}

int http_pem_read(const char *path, const char *what, int secret,
		  char **out, size_t *size, struct err *e)
{
	size_t len;

	return file_read(path, what, HTTP_PEM_MAX, secret, out, &len, size, e);
}

int http_file_read(const char *path, const char *what, size_t max,
		   char **out, size_t *len, struct err *e)
{
	size_t size;

	return file_read(path, what, max, 0, out, len, &size, e);
}
