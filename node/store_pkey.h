/*
 * store_pkey.h - per-person keys (chiavi della persona): each person's
 * records are sealed under a key of that person's own, itself sealed under
 * the data key and kept in a file apart from the data, presidio.keys.
 * Destroying the key (store_erase.h) makes every copy of the person's
 * values unreadable: the live database's change log, refusals and
 * conflicts, and every backup of presidio.db, which never holds the keys
 * (`presidio backup --keys` copies them on their own, README "Erasure").
 *
 * Whose records are a person's (store_owner_of()): the person's own record
 * (a collection that roots name as their subject), a root naming the person
 * as its subject (a case), and every record below such a root by parent
 * (plans, interviews, services, referrals, the dote).  Shared collections
 * stay under the data key.  A child finds its owner in its parent's box,
 * which names its key (node/seal.h, owned boxes); a child whose parent is
 * not held is sealed under the data key, and a write to a record of an
 * erased person is refused (ERR_GONE).
 *
 * What it owns: the keys file's connection (a second SQLite connection,
 * opened on first use, through the same statement helper), its
 * transaction, and a cache of opened keys in sodium_malloc() memory, wiped
 * with the data keys (store_keys_release()) and whenever another process
 * changed the file (PRAGMA data_version, checked as every transaction of
 * the database begins).
 *
 * Durability: the first key a write transaction makes begins a transaction
 * on the keys file, committed just before the database's (store_commit()):
 * a crash between the two leaves a key with nothing sealed under it, never
 * a value without its key.  A transaction rolled back leaves such a key too
 * (a few bytes; the next write of that person uses it).
 */
#ifndef PRESIDIO_STORE_PKEY_H
#define PRESIDIO_STORE_PKEY_H

#include <jansson.h>

#include "common/err.h"
#include "common/id.h"
#include "schema/schema.h"

#define STORE_PKEY_FILE "presidio.keys"

struct store;

/*
 * The person whose key seals record id of collection coll with values
 * fields: *owned = 1 and *owner set, or *owned = 0 (the data key).
 * ERR_GONE when the record belongs to an erased person, or an I/O
 * error.
 */
int store_owner_of(struct store *s, const struct id *id,
		   const struct schema_collection *coll, const json_t *fields,
		   struct id *owner, int *owned, struct err *e) ERR_MUST_USE;

/*
 * Person's key (SEAL_KEYBYTES) into *key, valid until the next call of
 * this module on s.  create: make it when missing (in a write transaction;
 * ERR_GONE for an erased person).  Else ERR_NOTFOUND when the key is
 * not held (erased, or a backup restored without its keys).
 */
int store_pkey_get(struct store *s, const struct id *person, int create,
		   const unsigned char **key, struct err *e) ERR_MUST_USE;

/* Commit the keys file's open transaction, if any (store_commit()). */
int store_pkey_commit(struct store *s, struct err *e) ERR_MUST_USE;

/* Roll it back (store_rollback()): the keys it made are forgotten. */
void store_pkey_rollback(struct store *s);

/* Forget cached keys when another process changed the file. */
int store_pkey_refresh(struct store *s, struct err *e) ERR_MUST_USE;

/* Wipe the cache (the data keys are going). */
void store_pkey_forget(struct store *s);

/* Close the keys file (store_close()). */
void store_pkey_close(struct store *s);

/* Delete person's key, in the keys file's transaction (committed with the
 * database's); *had = 1 when there was one. */
int store_pkey_destroy(struct store *s, const struct id *person, int *had,
		       struct err *e) ERR_MUST_USE;

/* Fold the keys file's WAL in and truncate it, so that a destroyed key's
 * old page leaves the WAL too (best effort, after an erasure). */
void store_pkey_checkpoint(struct store *s);

/* Re-seal every key under the current data key (rotation), in the keys
 * file's transaction.  *n = keys re-sealed. */
int store_pkey_reseal(struct store *s, uint64_t *n,
		      struct err *e) ERR_MUST_USE;

/* Keys held; 0 when the file does not exist yet. */
int store_pkey_count(struct store *s, uint64_t *n, struct err *e) ERR_MUST_USE;

/* The keys file's connection (opened when needed) into *conn, for
 * store_backup_keys(). */
int store_pkey_conn(struct store *s, struct store **conn,
		    struct err *e) ERR_MUST_USE;

/* The keys file's path for store directory dir (malloc'd; NULL: memory). */
char *store_pkey_path(const char *dir);

#endif
