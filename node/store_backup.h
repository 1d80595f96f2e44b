/*
 * store_backup.h - backups of a node's store and their restore, and the
 * "restored" mark that has the next sync recover what the hub holds.
 *
 * What it owns: the backup file format, the directory lock file
 * (store_lock.c, presidio.lock), the meta row "restored".  What it does
 * not do: talk to the hub (sync/sync.c reads the mark and recovers), or
 * touch the registry (a hub's restore is finished by `hub serve`,
 * registry_restored_recover()).
 *
 * A backup is taken online: SQLite's VACUUM INTO copies the database on
 * one read snapshot, in WAL mode without holding back writers (hub serve,
 * sync --watch, ui and import go on), and what it copies is consistent
 * (a transaction is in it whole or not at all).  It needs no unlock:
 * everything in presidio.db is what is on disk already, values sealed
 * field by field under the data key, data keys sealed in key slots under
 * passphrases or key files, the node's signing key sealed as a store
 * secret, enrollment tokens kept as hashes.  The node directory's other
 * files are not in it: presidio.log (the log), presidio.lock, and
 * presidio.db.mark (the change log's high-water mark, node/store_mark.c,
 * derived from the database and written again at its next commit); nor are
 * files named on the command line (the hub's --cert and --key, the CA
 * file given at enroll).
 *
 * The file (all integers little-endian):
 *
 *   0    magic "PRESIDIO-BACKUP\n" (16 bytes)
 *   16   format version (u32, STORE_BACKUP_FORMAT)
 *   20   flags (u32: STORE_BACKUP_ZLIB, the payload is a zlib stream)
 *   24   role (u32, enum store_role)
 *   28   migration: the database's schema (PRAGMA user_version, u32)
 *   32   schema_version() of the build that made it (u32)
 *   36   enrolled with a hub (u32, 0 or 1)
 *   40   node id (16 bytes)
 *   56   creation time (u64, unix ms)
 *   64   the highest change sequence number when the copy began (u64:
 *        the copy holds at least those)
 *   72   the database's length (u64)
 *   80   the payload's length as stored (u64)
 *   88   node name (64 bytes, NUL-padded)
 *   152  reserved (8 zero bytes)
 *   160  payload
 *   then a BLAKE2b-256 checksum (crypto_generichash, no key) over every
 *   byte before it.
 *
 * The checksum finds a file truncated, damaged or altered by mistake;
 * it is not a signature (anyone can compute it): what authenticates the
 * contents is what authenticates the store itself, the seals and row
 * MACs under the data key, checked at unlock and by `presidio verify`.
 *
 * Restore verifies the whole file before it touches the node directory,
 * then takes the directory's lock exclusive (refused while any process
 * has the store open: store_lock.c), inflates the database into a
 * staging directory inside it, opens it there (migrating it when this
 * build is newer), marks it restored, and only then moves the old files
 * aside (renamed into DIR/presidio.before-restore-STAMP/, never deleted)
 * and renames the new database in, fsyncing the files and the directory.
 * A crash leaves either the old store in place or no store and the old
 * one aside; never a half file under the database's name.
 *
 * Restored mark.  A node's backup is older than its last sync: the hub
 * may hold changes of this node, numbered after the copy's last, that the
 * copy lacks.  Until the next sync has brought them back
 * (sync/README.md, "Restore"), the mark (meta "restored") refuses this
 * node's own writes (ERR_CONFLICT), so that no number the hub holds is
 * given to another change.  Only a node enrolled with a hub is marked;
 * on a hub the mark has `hub serve` send every node to start over.
 */
#ifndef PRESIDIO_STORE_BACKUP_H
#define PRESIDIO_STORE_BACKUP_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "common/id.h"
#include "node/store.h"

#define STORE_BACKUP_MAGIC "PRESIDIO-BACKUP\n"
#define STORE_BACKUP_MAGIC_LEN 16
#define STORE_BACKUP_FORMAT 1
#define STORE_BACKUP_HEADER 160
#define STORE_BACKUP_SUM 32 /* crypto_generichash_BYTES */
#define STORE_BACKUP_ZLIB 1u
#define STORE_BACKUP_KEYS 2u /* the payload is the keys file */
#define STORE_BACKUP_ASIDE "presidio.before-restore-"

/* What a backup's header says. */
struct store_backup_info {
	uint32_t format;         /* STORE_BACKUP_FORMAT */
	uint32_t flags;          /* STORE_BACKUP_ZLIB */
	enum store_role role;
	uint32_t migration;      /* database schema (user_version) */
	uint32_t schema;         /* schema_version() of the maker */
	int enrolled;            /* the node had a hub */
	struct id node_id;
	uint64_t created_ms;     /* unix ms */
	uint64_t seq_high;       /* highest sequence number at the start */
	uint64_t db_bytes;       /* database length */
	uint64_t payload_bytes;  /* payload length in the file */
	uint64_t file_bytes;     /* the file's length */
	char name[STORE_NAME_MAX];
};

/*
 * Write a backup of s's database to file (which must not exist:
 * ERR_EXISTS), mode 0600: through a temporary file in file's directory,
 * fsync'd and then linked under its name, so that file is whole or
 * absent.  s may be locked (no keys needed) but not in a transaction.
 * info (may be NULL) gets the header written.  ERR_IO, ERR_NOMEM.
 */
int store_backup(struct store *s, const char *file,
		 struct store_backup_info *info, struct err *e) ERR_MUST_USE;

/*
 * The same for s's keys file (node/store_pkey.h): the persons' keys, each
 * sealed under the data key, in a file of the same format whose flags
 * have STORE_BACKUP_KEYS and whose migration is the keys file's.  Kept
 * apart from the data's backups and for a short time (README, "Erasure"):
 * a person erased stays readable in a data backup only as long as a keys
 * backup made before the erasure is kept.
 */
int store_backup_keys(struct store *s, const char *file,
		      struct store_backup_info *info,
		      struct err *e) ERR_MUST_USE;

/*
 * Check file whole: magic, format, lengths, checksum.  ERR_INVALID (not
 * a backup, an unknown format, trailing data), ERR_CORRUPT (truncated,
 * checksum mismatch), ERR_IO, each with a message naming the problem.
 * info (may be NULL) gets the header.
 */
int store_backup_check(const char *file, struct store_backup_info *info,
		       struct err *e) ERR_MUST_USE;

/*
 * Restore file into dir (created 0700 when missing) as described above.
 * keys (may be NULL) is a keys backup of the same node put in with it
 * (the old keys file goes aside too); without one the keys file in dir,
 * if any, stays: it holds every key not destroyed since.
 * A node in dir already: ERR_EXISTS unless force, and even then refused
 * (ERR_INVALID) when it is another node or another role than the
 * backup's.  ERR_BUSY while another process has the store open.  On
 * success aside (size asidelen; may be NULL) names where the old files
 * went ("" when there were none), *marked whether the store was marked
 * restored.  On failure the node directory is as it was (but for an
 * empty staging directory a crash may leave).
 */
int store_restore(const char *dir, const char *file, const char *keys,
		  int force, struct store_backup_info *info, char *aside,
		  size_t asidelen, int *marked, struct err *e) ERR_MUST_USE;

/* *mark: the restored mark's value (the highest sequence number of the
 * copy), 0 when the store is not marked.  Any role. */
int store_restored(struct store *s, uint64_t *mark,
		   struct err *e) ERR_MUST_USE;

/*
 * The hub holds this node's changes up to hub_has: sequence numbers from
 * now on go after it (meta seq_floor raised, under its MAC; unlocked
 * store).  The mark stays until store_restored_clear().
 */
int store_restored_floor(struct store *s, uint64_t hub_has,
			 struct err *e) ERR_MUST_USE;

/* Remove the mark: what the hub held is back, own writes go on. */
int store_restored_clear(struct store *s, struct err *e) ERR_MUST_USE;

/* Open the store in dir without taking its lock file: for a caller that
 * holds it exclusive (store_restore()).  As store_open(). */
int store_open_nolock(struct store **out, const char *dir,
		      struct err *e) ERR_MUST_USE;

#endif
