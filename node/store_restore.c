/*
 * store_restore.c - putting a backup back in a node directory, and the
 * "restored" mark (node/store_backup.h says why and in what order).
 *
 * Order of the steps, each chosen so that a failure or a crash at any
 * point leaves the directory usable:
 *
 *   1. the file is checked whole (store_backup_check()) before the
 *      directory is touched: bad input changes nothing;
 *   2. the directory's lock is taken exclusive (refused while any
 *      process has the store open);
 *   3. a store already there is opened (without the lock, which this
 *      process holds) to compare its node and role with the backup's,
 *      and closed, which checkpoints its WAL into the database file and
 *      removes it: the old store is then one file;
 *   4. the database is inflated into a staging directory inside dir
 *      (same file system, so the final rename is atomic), fsync'd,
 *      opened there as a store (migrated by this build when older),
 *      marked restored, closed and fsync'd again;
 *   5. the old files are renamed into presidio.before-restore-STAMP/
 *      (database first, then any WAL and shared-memory file: a WAL must
 *      never stay next to another database; then the change log's
 *      high-water mark, presidio.db.mark, which is the old log's), the
 *      new database renamed in, the directory fsync'd.
 */
#include "node/store_int.h"
#include "node/store_backup.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "common/buf.h"
#include "node/store_ext.h"
#include "node/store_backup_int.h"
#include "schema/migrations.h"

#define CHUNK (64u * 1024u)

/* out = a + b (b starts with its own separator, if any): 0, or -1 when
 * it does not fit. */
static int path_cat(char *out, size_t n, const char *a, const char *b)
{
	int k = snprintf(out, n, "%s%s", a, b);

	return k < 0 || (size_t)k >= n ? -1 : 0;
}

/* Inflate file's payload (info says where and how long) into out_path,
 * a new file of mode 0600, fsync'd. */
static int inflate_to(const char *file, const struct store_backup_info *in,
		      const char *out_path, struct err *e)
{
	struct buf ib, ob;
	z_stream z;
	uint64_t left = in->payload_bytes, made = 0;
	int fd = -1, out = -1, zok = 0, zr = Z_OK;
	int rc = 0;

	buf_init(&ib, CHUNK);
	buf_init(&ob, CHUNK);
	memset(&z, 0, sizeof(z));
	if (buf_reserve(&ib, CHUNK) || buf_reserve(&ob, CHUNK) ||
	    inflateInit(&z) != Z_OK) {
		rc = err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	zok = 1;
	fd = open(file, O_RDONLY | O_CLOEXEC);
	out = open(out_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || out < 0 ||
	    lseek(fd, STORE_BACKUP_HEADER, SEEK_SET) < 0) {
		rc = err_set(e, ERR_IO, "cannot restore: %s", strerror(errno));
		goto out;
	}
	while (left && zr != Z_STREAM_END) {
		size_t want = left < CHUNK ? (size_t)left : CHUNK, got = 0;

		if (store_backup_read_full(fd, ib.data, want, &got) ||
		    got != want) {
			rc = err_set(e, ERR_IO, "cannot read %s", file);
			goto out;
		}
		left -= got;
		z.next_in = ib.data;
		z.avail_in = (uInt)got;
		do {
			size_t n;

			z.next_out = ob.data;
			z.avail_out = CHUNK;
			zr = inflate(&z, Z_NO_FLUSH);
			if (zr != Z_OK && zr != Z_STREAM_END) {
				rc = err_set(e, ERR_CORRUPT, "%s: the "
					     "compressed database is damaged",
					     file);
				goto out;
			}
			n = CHUNK - z.avail_out;
			made += n;
			if (made > in->db_bytes ||
			    store_backup_write_all(out, ob.data, n)) {
				rc = made > in->db_bytes
					 ? err_set(e, ERR_CORRUPT, "%s: more "
						   "data than its header "
						   "says", file)
					 : err_set(e, ERR_IO, "cannot write "
						   "%s: %s", out_path,
						   strerror(errno));
				goto out;
			}
		} while (z.avail_out == 0 && zr != Z_STREAM_END);
	}
	if (zr != Z_STREAM_END || left || z.avail_in || made != in->db_bytes) {
		rc = err_set(e, ERR_CORRUPT, "%s: the compressed database "
			     "does not end where its header says", file);
		goto out;
	}
	if (fsync(out) != 0)
		rc = err_set(e, ERR_IO, "cannot sync %s: %s", out_path,
			     strerror(errno));
out:
	if (zok)
		inflateEnd(&z);
	if (fd >= 0)
		close(fd);
	if (out >= 0)
		close(out);
	buf_release(&ib);
	buf_release(&ob);
	return rc;
}

static int fsync_path(const char *path, struct err *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int rc = 0;

	if (fd < 0 || fsync(fd) != 0)
		rc = err_set(e, ERR_IO, "cannot sync %s: %s", path,
			     strerror(errno));
	if (fd >= 0)
		close(fd);
	return rc;
}

/* Open the staged copy, check it is the node its header says, mark it
 * (an enrolled node or a hub: see store_backup.h), close it. */
static int stage_check(const char *stage, const struct store_backup_info *in,
		       int *marked, struct err *e)
{
	struct store *s = NULL;
	uint64_t high = 0;
	int rc = store_open(&s, stage, e);

	if (rc) {
		err_prefix(e, "the database in the backup does not open");
		goto out;
	}
	if (id_cmp(store_node_id(s), &in->node_id) != 0 ||
	    store_role(s) != in->role) {
		rc = err_set(e, ERR_CORRUPT, "the database in the backup is "
			     "not the node its header names");
		goto out;
	}
	*marked = in->role == STORE_ROLE_HUB || in->enrolled;
	if (*marked)
		rc = store_seq_high(s, &high, e);
	if (!rc && *marked)
		rc = store_meta_set_int(s, STORE_META_RESTORED,
					(int64_t)(high ? high : 1), e);
out:
	store_close(s);
	return rc;
}

/* Compare the store in dir (the lock held) with the backup's node. */
static int check_existing(const char *dir, const struct store_backup_info *in,
			  struct err *e)
{
	struct store *s = NULL;
	char have[ID_TEXT_LEN + 1], want[ID_TEXT_LEN + 1];
	int rc = store_open_nolock(&s, dir, e);

	if (rc) {
		/* Damaged beyond opening: --force moves it aside as it is. */
		err_init(e);
		rc = 0;
		goto out;
	}
	if (id_cmp(store_node_id(s), &in->node_id) != 0 ||
	    store_role(s) != in->role) {
		id_format(store_node_id(s), have);
		id_format(&in->node_id, want);
		rc = err_set(e, ERR_INVALID, "%s holds %s %.8s, the backup is "
			     "of %s %.8s: restore it into that node's own "
			     "directory (or an empty one)", dir,
			     store_role(s) == STORE_ROLE_HUB ? "hub" : "node",
			     have, in->role == STORE_ROLE_HUB ? "hub" : "node",
			     want);
	}
out:
	store_close(s); /* the last handle: its WAL goes into the file */
	return rc;
}

/* Rename dir/name (if present) into aside/name; *made is set when
 * aside had to be created first. */
static int move_aside(const char *dir, const char *name, const char *aside,
		      int *made, struct err *e)
{
	char from[PATH_MAX], to[PATH_MAX];

	if (path_cat(from, sizeof(from), dir, "/") ||
	    path_cat(from + strlen(from), sizeof(from) - strlen(from), name,
		     "") ||
	    path_cat(to, sizeof(to), aside, "/") ||
	    path_cat(to + strlen(to), sizeof(to) - strlen(to), name, ""))
		return err_set(e, ERR_INVALID, "path too long");
	if (access(from, F_OK) != 0)
		return 0;
	if (!*made) {
		if (mkdir(aside, 0700) != 0)
			return err_set(e, ERR_IO, "cannot create %s: %s",
				       aside, strerror(errno));
		*made = 1;
	}
	if (rename(from, to) != 0)
		return err_set(e, ERR_IO, "cannot move %s aside: %s", from,
			       strerror(errno));
	return 0;
}

/* The old files aside, the staged database in. */
static int swap_in(const char *dir, const char *staged,
		   const char *staged_keys, char *aside, size_t asidelen,
		   struct err *e)
{
	/* The high-water mark (store_mark.c) is the old log's: next to an
	 * older copy it would call it damaged; the next commit writes the
	 * restored store's own. */
	static const char *const old[] = { STORE_DB_FILE, STORE_DB_FILE "-wal",
					   STORE_DB_FILE "-shm",
					   STORE_DB_FILE "-journal",
					   STORE_DB_FILE ".mark" };
	/* The keys file moves only when a keys backup comes in: else the
	 * node's own, the newest there is, opens the restored values. */
	static const char *const old_keys[] = { STORE_PKEY_FILE,
						STORE_PKEY_FILE "-wal",
						STORE_PKEY_FILE "-shm" };
	char path[PATH_MAX], stamp[64];
	struct tm tm;
	time_t now = time(NULL);
	int made = 0, rc = 0;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "/" STORE_BACKUP_ASIDE "%Y%m%dT%H%M%SZ",
		 &tm);
	if (path_cat(path, sizeof(path), dir, stamp))
		return err_set(e, ERR_INVALID, "path too long");
	for (int i = 2; access(path, F_OK) == 0; i++) {
		char n[16];

		snprintf(n, sizeof(n), "-%d", i);
		if (path_cat(path, sizeof(path), dir, stamp) ||
		    path_cat(path + strlen(path), sizeof(path) - strlen(path),
			     n, ""))
			return err_set(e, ERR_INVALID, "path too long");
	}
	for (size_t i = 0; !rc && i < sizeof(old) / sizeof(old[0]); i++)
		rc = move_aside(dir, old[i], path, &made, e);
	for (size_t i = 0; !rc && staged_keys &&
			   i < sizeof(old_keys) / sizeof(old_keys[0]);
	     i++)
		rc = move_aside(dir, old_keys[i], path, &made, e);
	if (!rc && made)
		rc = fsync_path(path, e);
	snprintf(aside, asidelen, "%s", made ? path : "");
	if (rc)
		return rc;
	if (path_cat(path, sizeof(path), dir, "/" STORE_DB_FILE))
		return err_set(e, ERR_INVALID, "path too long");
	if (staged_keys) {
		char kpath[PATH_MAX];

		if (path_cat(kpath, sizeof(kpath), dir, "/" STORE_PKEY_FILE))
			return err_set(e, ERR_INVALID, "path too long");
		if (rename(staged_keys, kpath) != 0)
			return err_set(e, ERR_IO, "cannot move the restored "
				       "keys in: %s", strerror(errno));
	}
	if (rename(staged, path) != 0)
		return err_set(e, ERR_IO, "cannot move the restored database "
			       "in: %s", strerror(errno));
	return store_backup_fsync_dir(path, e);
}

/* Check the keys backup keys against the data backup's header in and
 * inflate it to staged_keys. */
static int stage_keys(const char *keys, const struct store_backup_info *in,
		      const char *staged_keys, struct err *e)
{
	struct store_backup_info k;
	int rc = store_backup_check(keys, &k, e);

	if (rc)
		return rc;
	if (!(k.flags & STORE_BACKUP_KEYS))
		return err_set(e, ERR_INVALID, "%s is a backup of the data, "
			       "not of the keys", keys);
	if (id_cmp(&k.node_id, &in->node_id) != 0)
		return err_set(e, ERR_INVALID, "%s holds the keys of another "
			       "node (%s)", keys, k.name);
	if (k.migration > (uint32_t)schema_key_migrations
				   [schema_nkey_migrations - 1].version)
		return err_set(e, ERR_INVALID, "%s was made by a newer "
			       "presidio: upgrade presidio first", keys);
	rc = inflate_to(keys, &k, staged_keys, e);
	if (!rc)
		rc = fsync_path(staged_keys, e);
	return rc;
}

int store_restore(const char *dir, const char *file, const char *keys,
		  int force, struct store_backup_info *info, char *aside,
		  size_t asidelen, int *marked, struct err *e)
{
	struct store_backup_info in;
	char db[PATH_MAX], stage[PATH_MAX], staged[PATH_MAX] = "";
	char staged_keys[PATH_MAX] = "";
	char lock[PATH_MAX];
	char aside_buf[PATH_MAX] = "";
	int lockfd = -1, staging = 0, existing;
	int rc = store_backup_check(file, &in, e);

	*marked = 0;
	if (rc)
		goto out;
	if (in.flags & STORE_BACKUP_KEYS) {
		rc = err_set(e, ERR_INVALID, "%s is a backup of the persons' "
			     "keys: restore a backup of the data and give "
			     "this one with --keys", file);
		goto out;
	}
	if (in.migration > (uint32_t)store_migration_latest()) {
		rc = err_set(e, ERR_INVALID, "%s was made by a newer presidio "
			     "(database schema %u, this one knows %d): "
			     "upgrade presidio first", file, in.migration,
			     store_migration_latest());
		goto out;
	}
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		rc = err_set(e, ERR_IO, "cannot create %s: %s", dir,
			     strerror(errno));
		goto out;
	}
	rc = store_dir_lock(dir, 1, &lockfd, e);
	if (rc)
		goto out;
	if (path_cat(db, sizeof(db), dir, "/" STORE_DB_FILE) ||
	    path_cat(stage, sizeof(stage), dir,
		     "/presidio.restore-XXXXXX")) {
		rc = err_set(e, ERR_INVALID, "%s: path too long", dir);
		goto out;
	}
	existing = access(db, F_OK) == 0;
	if (existing && !force) {
		rc = err_set(e, ERR_EXISTS, "%s holds a node already: give "
			     "--force to replace it (its files are kept "
			     "aside, in %s/" STORE_BACKUP_ASIDE "DATE)", dir,
			     dir);
		goto out;
	}
	if (existing)
		rc = check_existing(dir, &in, e);
	if (rc)
		goto out;
	if (!mkdtemp(stage)) {
		rc = err_set(e, ERR_IO, "cannot create a staging directory in "
			     "%s: %s", dir, strerror(errno));
		goto out;
	}
	staging = 1;
	rc = path_cat(staged, sizeof(staged), stage, "/" STORE_DB_FILE)
		 ? err_set(e, ERR_INVALID, "path too long")
		 : 0;
	if (!rc && keys &&
	    path_cat(staged_keys, sizeof(staged_keys), stage,
		     "/" STORE_PKEY_FILE))
		rc = err_set(e, ERR_INVALID, "path too long");
	if (!rc)
		rc = inflate_to(file, &in, staged, e);
	if (!rc && keys)
		rc = stage_keys(keys, &in, staged_keys, e);
	if (!rc)
		rc = stage_check(stage, &in, marked, e);
	if (!rc)
		rc = fsync_path(staged, e);
	if (!rc)
		rc = swap_in(dir, staged, keys ? staged_keys : NULL, aside_buf,
			     sizeof(aside_buf), e);
	if (!rc && info)
		*info = in;
out:
	if (staging) {
		static const char *const left[] = { "", "-wal", "-shm",
						    "-journal" };

		for (size_t i = 0; i < sizeof(left) / sizeof(left[0]); i++) {
			char p[PATH_MAX + 16];

			if (!path_cat(p, sizeof(p), staged, left[i]))
				unlink(p);
			if (staged_keys[0] &&
			    !path_cat(p, sizeof(p), staged_keys, left[i]))
				unlink(p);
		}
		if (!path_cat(lock, sizeof(lock), stage,
			      "/" STORE_LOCK_FILE))
			unlink(lock);
		rmdir(stage);
	}
	store_dir_unlock(lockfd);
	if (aside)
		snprintf(aside, asidelen, "%s", aside_buf);
	return rc;
}

/* ---- the mark ---- */

int store_restored_load(struct store *s, struct err *e)
{
	int64_t v = 0;
	int rc;

	s->restored = 0;
	if (s->role != STORE_ROLE_NODE)
		return 0;
	rc = store_meta_get_int(s, STORE_META_RESTORED, &v, NULL);
	if (rc == ERR_NOTFOUND)
		return 0;
	if (rc)
		return err_set(e, rc, "reading the restored mark");
	s->restored = v > 0;
	return 0;
}

int store_restored(struct store *s, uint64_t *mark, struct err *e)
{
	int64_t v = 0;
	int rc = store_meta_get_int(s, STORE_META_RESTORED, &v, NULL);

	*mark = 0;
	if (rc == ERR_NOTFOUND)
		return 0;
	if (rc)
		return err_set(e, rc, "reading the restored mark");
	*mark = v > 0 ? (uint64_t)v : 0;
	return 0;
}

int store_restored_floor(struct store *s, uint64_t hub_has, struct err *e)
{
	struct store_q *st = NULL;
	int opened = 0;
	int rc = store_require_unlocked(s, e);

	if (!rc)
		rc = store_tx_begin(s, &opened, e);
	if (rc)
		return rc;
	st = store_q(s,
		     "INSERT OR REPLACE INTO meta(key, value) VALUES "
		     "('seq_floor', max(?1, coalesce((SELECT max(seq) FROM "
		     "change), 0), coalesce((SELECT value FROM meta WHERE "
		     "key = 'seq_floor'), 0)))",
		     "raising the sequence floor");
	store_q_bind_int(st, 1, (int64_t)hub_has);
	rc = store_q_run(st, e);
	if (!rc)
		rc = store_mac_reseal(s, STORE_MAC_META, 0, "seq_floor", -1, e);
	return store_tx_end(s, opened, rc, e);
}

int store_restored_clear(struct store *s, struct err *e)
{
	struct store_q *st = store_q(s, "DELETE FROM meta WHERE key = ?1",
				     "clearing the restored mark");

	store_q_bind_text(st, 1, STORE_META_RESTORED);
	return store_q_run(st, e);
}
