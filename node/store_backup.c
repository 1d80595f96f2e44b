/*
 * store_backup.c - writing and checking backup files (the format is in
 * node/store_backup.h); restoring them is store_restore.c's.
 *
 * Writing: VACUUM INTO a private temporary file next to the backup (one
 * consistent read snapshot, no keys), deflated into a second temporary
 * file after a header whose lengths are filled in at the end, the
 * checksum computed by reading that file back (so it is over the bytes
 * on disk), fsync, then link() under the backup's name (which refuses an
 * existing name atomically, where rename() would replace it) and an
 * fsync of the directory.  The temporary files go on every path.
 */
#include "node/store_int.h"
#include "node/store_backup.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "common/buf.h"
#include "common/le.h"
#include "node/store_backup_int.h"

#define CHUNK (64u * 1024u)

int store_backup_write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Read up to n bytes (fewer only at the end of the file): *got. */
int store_backup_read_full(int fd, uint8_t *p, size_t n, size_t *got)
{
	*got = 0;
	while (*got < n) {
		ssize_t r = read(fd, p + *got, n - *got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		*got += (size_t)r;
	}
	return 0;
}

int store_backup_fsync_dir(const char *path, struct err *e)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd, rc = 0;

	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) != 0)
		rc = err_set(e, ERR_IO, "cannot sync directory %s: %s", dir,
			     strerror(errno));
	if (fd >= 0)
		close(fd);
	return rc;
}

void store_backup_header_put(uint8_t *h, const struct store_backup_info *in)
{
	memset(h, 0, STORE_BACKUP_HEADER);
	memcpy(h, STORE_BACKUP_MAGIC, STORE_BACKUP_MAGIC_LEN);
	le_put32(h + 16, in->format);
	le_put32(h + 20, in->flags);
	le_put32(h + 24, (uint32_t)in->role);
	le_put32(h + 28, in->migration);
	le_put32(h + 32, in->schema);
	le_put32(h + 36, in->enrolled ? 1 : 0);
	memcpy(h + 40, in->node_id.b, ID_BYTES);
	le_put64(h + 56, in->created_ms);
	le_put64(h + 64, in->seq_high);
	le_put64(h + 72, in->db_bytes);
	le_put64(h + 80, in->payload_bytes);
	memcpy(h + 88, in->name, strnlen(in->name, STORE_NAME_MAX - 1));
}

static void header_get(const uint8_t *h, struct store_backup_info *out)
{
	memset(out, 0, sizeof(*out));
	out->format = le_get32(h + 16);
	out->flags = le_get32(h + 20);
	out->role = le_get32(h + 24) == STORE_ROLE_HUB ? STORE_ROLE_HUB
						       : STORE_ROLE_NODE;
	out->migration = le_get32(h + 28);
	out->schema = le_get32(h + 32);
	out->enrolled = le_get32(h + 36) != 0;
	memcpy(out->node_id.b, h + 40, ID_BYTES);
	out->created_ms = le_get64(h + 56);
	out->seq_high = le_get64(h + 64);
	out->db_bytes = le_get64(h + 72);
	out->payload_bytes = le_get64(h + 80);
	memcpy(out->name, h + 88, STORE_NAME_MAX - 1);
	out->name[STORE_NAME_MAX - 1] = '\0';
}

/* What the header says of s, read before the copy starts. */
static int header_of(struct store *s, struct store *conn, uint32_t flags,
		     struct store_backup_info *in, struct err *e)
{
	struct store_q *st = NULL;
	struct timespec ts;
	int v = 0;
	int rc = store_user_version(conn, &v, e);

	memset(in, 0, sizeof(*in));
	in->format = STORE_BACKUP_FORMAT;
	in->flags = flags;
	in->role = store_role(s);
	in->migration = (uint32_t)v;
	in->schema = (uint32_t)schema_version();
	in->node_id = *store_node_id(s);
	snprintf(in->name, sizeof(in->name), "%s", store_node_name(s));
	clock_gettime(CLOCK_REALTIME, &ts);
	in->created_ms =
	    (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
	if (!rc)
		rc = store_seq_high(s, &in->seq_high, e);
	if (!rc) {
		st = store_q(s, "SELECT count(*) FROM remote", "reading hub");
		if (store_q_row(st))
			in->enrolled = store_q_col_int(st, 0) > 0;
		rc = store_q_end(st, e);
	}
	return rc;
}

/* Deflate the file at raw into fd (after the header), counting both
 * lengths into in. */
static int deflate_into(const char *raw, int fd,
			struct store_backup_info *in, struct err *e)
{
	struct buf ib, ob;
	z_stream z;
	int infd = -1, zok = 0, flush = Z_NO_FLUSH;
	int rc = 0;

	buf_init(&ib, CHUNK);
	buf_init(&ob, CHUNK);
	memset(&z, 0, sizeof(z));
	if (buf_reserve(&ib, CHUNK) || buf_reserve(&ob, CHUNK)) {
		rc = err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	if (deflateInit(&z, 6) != Z_OK) {
		rc = err_set(e, ERR_NOMEM, "cannot start compression");
		goto out;
	}
	zok = 1;
	infd = open(raw, O_RDONLY | O_CLOEXEC);
	if (infd < 0) {
		rc = err_set(e, ERR_IO, "cannot read the copy: %s",
			     strerror(errno));
		goto out;
	}
	while (flush != Z_FINISH) {
		size_t got = 0;

		if (store_backup_read_full(infd, ib.data, CHUNK, &got)) {
			rc = err_set(e, ERR_IO, "cannot read the copy: %s",
				     strerror(errno));
			goto out;
		}
		in->db_bytes += got;
		flush = got < CHUNK ? Z_FINISH : Z_NO_FLUSH;
		z.next_in = ib.data;
		z.avail_in = (uInt)got;
		do {
			size_t out_n;

			z.next_out = ob.data;
			z.avail_out = CHUNK;
			if (deflate(&z, flush) == Z_STREAM_ERROR) {
				rc = err_set(e, ERR_FAIL, "compression failed");
				goto out;
			}
			out_n = CHUNK - z.avail_out;
			in->payload_bytes += out_n;
			if (store_backup_write_all(fd, ob.data, out_n)) {
				rc = err_set(e, ERR_IO, "cannot write the "
					     "backup: %s", strerror(errno));
				goto out;
			}
		} while (z.avail_out == 0);
	}
out:
	if (zok)
		deflateEnd(&z);
	if (infd >= 0)
		close(infd);
	buf_release(&ib);
	buf_release(&ob);
	return rc;
}

/* Hash fd's first n bytes into sum. */
static int hash_fd(int fd, uint64_t n, uint8_t *sum, struct err *e)
{
	crypto_generichash_state h;
	struct buf b;
	int rc = 0;

	buf_init(&b, CHUNK);
	crypto_generichash_init(&h, NULL, 0, STORE_BACKUP_SUM);
	if (buf_reserve(&b, CHUNK)) {
		rc = err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	if (lseek(fd, 0, SEEK_SET) != 0) {
		rc = err_set(e, ERR_IO, "cannot read the backup: %s",
			     strerror(errno));
		goto out;
	}
	while (n) {
		size_t want = n < CHUNK ? (size_t)n : CHUNK, got = 0;

		if (store_backup_read_full(fd, b.data, want, &got) ||
		    got != want) {
			rc = err_set(e, ERR_IO, "cannot read the backup back");
			goto out;
		}
		crypto_generichash_update(&h, b.data, got);
		n -= got;
	}
	crypto_generichash_final(&h, sum, STORE_BACKUP_SUM);
out:
	buf_release(&b);
	return rc;
}

/* A private temporary name next to file: "FILE.TAG-XXXXXX", created. */
static int temp_next_to(const char *file, const char *tag, char **path,
			int *fd, struct err *e)
{
	size_t n = strlen(file) + strlen(tag) + 10;

	*path = malloc(n);
	if (!*path)
		return err_set(e, ERR_NOMEM, "out of memory");
	snprintf(*path, n, "%s.%s-XXXXXX", file, tag);
	*fd = mkstemp(*path);
	if (*fd < 0) {
		int rc = err_set(e, ERR_IO, "cannot create a file next to %s: "
				 "%s", file, strerror(errno));

		free(*path);
		*path = NULL;
		return rc;
	}
	(void)fchmod(*fd, 0600);
	return 0;
}

/* Back up the database of conn (s's, or its keys file's) with flags. */
static int backup_of(struct store *s, struct store *conn, uint32_t flags,
		     const char *file, struct store_backup_info *info,
		     struct err *e)
{
	struct store_backup_info in;
	uint8_t head[STORE_BACKUP_HEADER], sum[STORE_BACKUP_SUM];
	char *raw = NULL, *tmp = NULL;
	struct stat stb;
	struct store_q *st = NULL;
	int rawfd = -1, fd = -1;
	int rc = 0;

	if (lstat(file, &stb) == 0) {
		rc = err_set(e, ERR_EXISTS, "%s exists: a backup never "
			     "replaces a file, give a new name", file);
		goto out;
	}
	if (s->in_tx) {
		rc = err_set(e, ERR_FAIL, "backup inside a transaction");
		goto out;
	}
	rc = header_of(s, conn, flags, &in, e);
	if (!rc)
		rc = temp_next_to(file, "copy", &raw, &rawfd, e);
	if (rc)
		goto out;
	/* VACUUM INTO takes an empty file: mkstemp() made it private. */
	st = store_q(conn, "VACUUM INTO ?1", "copying the database");
	store_q_bind_text(st, 1, raw);
	rc = store_q_run(st, e);
	if (!rc)
		rc = temp_next_to(file, "tmp", &tmp, &fd, e);
	if (rc)
		goto out;
	store_backup_header_put(head, &in);
	if (store_backup_write_all(fd, head, sizeof(head))) {
		rc = err_set(e, ERR_IO, "cannot write %s: %s", tmp,
			     strerror(errno));
		goto out;
	}
	rc = deflate_into(raw, fd, &in, e);
	if (rc)
		goto out;
	store_backup_header_put(head, &in);
	if (pwrite(fd, head, sizeof(head), 0) != (ssize_t)sizeof(head) ||
	    fsync(fd) != 0) {
		rc = err_set(e, ERR_IO, "cannot write %s: %s", tmp,
			     strerror(errno));
		goto out;
	}
	rc = hash_fd(fd, STORE_BACKUP_HEADER + in.payload_bytes, sum, e);
	if (rc)
		goto out;
	if (lseek(fd, 0, SEEK_END) < 0 ||
	    store_backup_write_all(fd, sum, sizeof(sum)) || fsync(fd) != 0) {
		rc = err_set(e, ERR_IO, "cannot write %s: %s", tmp,
			     strerror(errno));
		goto out;
	}
	in.file_bytes = STORE_BACKUP_HEADER + in.payload_bytes +
			STORE_BACKUP_SUM;
	if (link(tmp, file) != 0) {
		rc = err_set(e, errno == EEXIST ? ERR_EXISTS : ERR_IO,
			     "cannot write %s: %s", file, strerror(errno));
		goto out;
	}
	rc = store_backup_fsync_dir(file, e);
	if (!rc && info)
		*info = in;
out:
	if (rawfd >= 0)
		close(rawfd);
	if (fd >= 0)
		close(fd);
	if (raw)
		unlink(raw);
	if (tmp)
		unlink(tmp);
	free(raw);
	free(tmp);
	return rc;
}

int store_backup(struct store *s, const char *file,
		 struct store_backup_info *info, struct err *e)
{
	return backup_of(s, s, STORE_BACKUP_ZLIB, file, info, e);
}

int store_backup_keys(struct store *s, const char *file,
		      struct store_backup_info *info, struct err *e)
{
	struct store *conn = NULL;
	int rc = store_pkey_conn(s, &conn, e);

	if (!rc)
		rc = backup_of(s, conn, STORE_BACKUP_ZLIB | STORE_BACKUP_KEYS,
			       file, info, e);
	return rc;
}

int store_backup_check(const char *file, struct store_backup_info *info,
		       struct err *e)
{
	struct store_backup_info in;
	uint8_t head[STORE_BACKUP_HEADER], sum[STORE_BACKUP_SUM];
	uint8_t want[STORE_BACKUP_SUM];
	struct stat stb;
	uint64_t expect = 0;
	size_t got = 0;
	int fd = open(file, O_RDONLY | O_CLOEXEC);
	int rc = 0;

	if (fd < 0 || fstat(fd, &stb) != 0) {
		rc = err_set(e, errno == ENOENT ? ERR_NOTFOUND : ERR_IO,
			     "cannot read %s: %s", file, strerror(errno));
		goto out;
	}
	if (!S_ISREG(stb.st_mode)) {
		rc = err_set(e, ERR_INVALID, "%s is not a regular file", file);
		goto out;
	}
	if (store_backup_read_full(fd, head, sizeof(head), &got)) {
		rc = err_set(e, ERR_IO, "cannot read %s: %s", file,
			     strerror(errno));
		goto out;
	}
	if (got < STORE_BACKUP_MAGIC_LEN ||
	    memcmp(head, STORE_BACKUP_MAGIC, STORE_BACKUP_MAGIC_LEN) != 0) {
		rc = err_set(e, ERR_INVALID, "%s is not a Presidio backup "
			     "(no PRESIDIO-BACKUP magic at its start)", file);
		goto out;
	}
	if (got < sizeof(head)) {
		rc = err_set(e, ERR_CORRUPT, "%s is truncated: %zu bytes, "
			     "shorter than the header (%d)", file, got,
			     STORE_BACKUP_HEADER);
		goto out;
	}
	header_get(head, &in);
	if (in.format != STORE_BACKUP_FORMAT) {
		rc = err_set(e, ERR_INVALID, "%s: backup format %u, this "
			     "presidio reads format %d", file, in.format,
			     STORE_BACKUP_FORMAT);
		goto out;
	}
	if (in.payload_bytes > (uint64_t)INT64_MAX - 1024) {
		rc = err_set(e, ERR_CORRUPT, "%s: damaged header (payload "
			     "length)", file);
		goto out;
	}
	expect = STORE_BACKUP_HEADER + in.payload_bytes + STORE_BACKUP_SUM;
	if ((uint64_t)stb.st_size < expect) {
		rc = err_set(e, ERR_CORRUPT, "%s is truncated: %llu bytes of "
			     "the %llu its header announces", file,
			     (unsigned long long)stb.st_size,
			     (unsigned long long)expect);
		goto out;
	}
	if ((uint64_t)stb.st_size > expect) {
		rc = err_set(e, ERR_CORRUPT, "%s has %llu bytes after its "
			     "checksum (%llu expected in all): not a backup "
			     "as written", file,
			     (unsigned long long)((uint64_t)stb.st_size -
						  expect),
			     (unsigned long long)expect);
		goto out;
	}
	rc = hash_fd(fd, expect - STORE_BACKUP_SUM, sum, e);
	if (rc)
		goto out;
	if (store_backup_read_full(fd, want, sizeof(want), &got) ||
	    got != sizeof(want)) {
		rc = err_set(e, ERR_IO, "cannot read %s's checksum", file);
		goto out;
	}
	if (sodium_memcmp(sum, want, sizeof(sum)) != 0) {
		rc = err_set(e, ERR_CORRUPT, "%s: checksum mismatch: the file "
			     "was altered or damaged after it was written",
			     file);
		goto out;
	}
	if (!(in.flags & STORE_BACKUP_ZLIB) ||
	    in.flags & ~(STORE_BACKUP_ZLIB | STORE_BACKUP_KEYS)) {
		rc = err_set(e, ERR_INVALID, "%s: unknown flags %#x", file,
			     in.flags);
		goto out;
	}
	in.file_bytes = expect;
	if (info)
		*info = in;
out:
	if (fd >= 0)
		close(fd);
	return rc;
}
