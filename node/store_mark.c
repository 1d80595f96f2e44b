/*
 * store_mark.c - the change log's high-water mark: after each commit the
 * highest change number goes, MAC'd under the row key (store_mac.c), to a
 * small file next to the database (presidio.db.mark), so that verify can
 * tell a database that lost commits (a damaged -wal, an older copy of the
 * files) from an intact one: the database must never be behind its mark.
 */
#include "node/store_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/le.h"

/* The rows' MAC domain: the mark's tag is made the same way. */
#define MARK_DOMAIN "presidio.row.mac.v1"
#define MARK_MAGIC "PRSM"
#define MARK_BYTES (4 + 1 + 4 + ID_BYTES + 8 + STORE_MAC_TAGBYTES)


static char *mark_path(const struct store *s)
{
	size_t n = strlen(s->dir) + sizeof(STORE_DB_FILE) + 8;
	char *p = malloc(n);

	if (p)
		snprintf(p, n, "%s/%s.mark", s->dir, STORE_DB_FILE);
	return p;
}

static void mark_tag(const uint8_t *key, const uint8_t *body, size_t n,
		     uint8_t *tag)
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, key, STORE_MAC_KEYBYTES,
				STORE_MAC_TAGBYTES);
	crypto_generichash_update(&st, (const uint8_t *)MARK_DOMAIN,
				  sizeof(MARK_DOMAIN));
	crypto_generichash_update(&st, body, n);
	crypto_generichash_final(&st, tag, STORE_MAC_TAGBYTES);
	sodium_memzero(&st, sizeof(st));
}

/*
 * After a commit (synchronous=FULL: it is on disk): the highest change
 * number now in the database (store_seq_high()) goes to the mark file,
 * overwritten in place with one small write (a rename over it costs a
 * flush on ext4, milliseconds per edit).  Best effort and not synced: a
 * mark that lags (lost in a crash, or overtaken by another process's
 * older one) only checks less; it is never ahead of what was committed.
 * The record is far below a disk sector, so a crash does not tear it.
 */
void store_mac_mark(struct store *s)
{
	uint8_t buf[MARK_BYTES];
	uint32_t gen = s->sealer ? sealer_current(s->sealer) : 0;
	const uint8_t *key = store_mac_row_key(s, gen);
	char *path = NULL;
	struct stat sb;
	uint64_t high = 0;
	int fd = -1;
	size_t o = 0;

	if (!key || store_seq_high(s, &high, NULL) || high <= s->mark_high)
		return;
	memcpy(buf, MARK_MAGIC, 4);
	o = 4;
	buf[o++] = 1;
	le_put32(buf + o, gen);
	o += 4;
	memcpy(buf + o, s->node_id.b, ID_BYTES);
	o += ID_BYTES;
	le_put64(buf + o, high);
	o += 8;
	mark_tag(key, buf, o, buf + o);
	path = mark_path(s);
	/* Never through a link or into anything but a regular file: the
	 * directory's content is the attacker's (a link there would have
	 * this process overwrite another file; a FIFO would block). */
	if (path)
		fd = open(path,
			  O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK |
			      O_CLOEXEC,
			  0600);
	if (fd >= 0 && fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    pwrite(fd, buf, sizeof(buf), 0) == (ssize_t)sizeof(buf))
		s->mark_high = high;
	if (fd >= 0)
		close(fd);
	free(path);
}

/* The mark: 0, with *found 1 and *marked when it authenticates for this
 * node, *found 0 when there is none (or it is of a generation no longer
 * loaded); ERR_CORRUPT when it is damaged, fails authentication or is
 * not a regular file (never followed: a link planted there reads
 * nothing). */
int store_mac_mark_read(struct store *s, uint64_t *marked, int *found,
			struct err *e)
{
	uint8_t buf[MARK_BYTES + 1], tag[STORE_MAC_TAGBYTES];
	const uint8_t *key;
	char *path = mark_path(s);
	struct stat sb;
	ssize_t n = -1;
	int fd, regular;

	*found = 0;
	if (!path)
		return err_set(e, ERR_NOMEM, "out of memory");
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		free(path);
		return 0; /* none yet: an older store, or nothing committed */
	}
	free(path);
	regular = fd >= 0 && fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode);
	if (regular)
		n = read(fd, buf, sizeof(buf));
	if (fd >= 0)
		close(fd);
	if (!regular)
		return err_set(e, ERR_CORRUPT,
			       "the change log's high-water mark (%s.mark) is "
			       "not a regular file",
			       STORE_DB_FILE);
	if (n != MARK_BYTES || memcmp(buf, MARK_MAGIC, 4) || buf[4] != 1)
		return err_set(e, ERR_CORRUPT,
			       "the change log's high-water mark (%s.mark) is "
			       "damaged",
			       STORE_DB_FILE);
	key = store_mac_row_key(s, le_get32(buf + 5));
	if (!key)
		return 0; /* written before a key rotation: the next commit
			     writes a new one */
	mark_tag(key, buf, MARK_BYTES - STORE_MAC_TAGBYTES, tag);
	if (sodium_memcmp(tag, buf + MARK_BYTES - STORE_MAC_TAGBYTES,
			  STORE_MAC_TAGBYTES) ||
	    memcmp(buf + 9, s->node_id.b, ID_BYTES))
		return err_set(e, ERR_CORRUPT,
			       "the change log's high-water mark (%s.mark) "
			       "fails authentication",
			       STORE_DB_FILE);
	*marked = le_get64(buf + 9 + ID_BYTES);
	*found = 1;
	return 0;
}

int store_mac_mark_check(struct store *s, uint64_t high, struct err *e)
{
	uint64_t marked = 0;
	int found = 0;
	int rc = store_mac_mark_read(s, &marked, &found, e);

	if (rc || !found)
		return rc;
	if (marked > high)
		return err_set(e, ERR_CORRUPT,
			       "the change log ends at %llu but this node had "
			       "committed up to %llu: committed changes are "
			       "missing (a damaged -wal file, or an older "
			       "copy of the database)",
			       (unsigned long long)high,
			       (unsigned long long)marked);
	if (s->mark_high < marked)
		s->mark_high = marked;
	return 0;
}
