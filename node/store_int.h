/*
 * store_int.h - internals shared by the store's source files; not part of
 * the API (node/store.h, node/store_sync.h), nor of what modules on the
 * store's database may use (node/store_ext.h, node/store_sql.h).
 *
 *   store.c        open/create, migrations, pragmas, clock
 *   store_tx.c     transactions: groups, savepoints, commit, rollback
 *   store_sql.c    the one way to run SQL: statements cached, bound,
 *                  stepped, errors translated (node/store_sql.h)
 *   store_node.c   nodes (with their role) and actors
 *   store_meta.c   checkpoints, status, verify
 *   store_record.c records: put, delete, get, list (each write appends its
 *                  change-log entry)
 *   store_log.c    reading the change log: log, history
 *   store_box.c    sealed boxes and their associated data
 *   store_merge.c  a record's merge state replayed from its log entries
 *   store_conflict.c received changes, conflicts, resolutions
 *   store_applied.c what a transaction's received changes wrote, kept
 *                  open for the next change of the same record
 *   store_tomb.c   purging settled tombstones
 *   store_keys.c   operators (key slots), loading data keys
 *   store_session.c operators signed in (node/store_session.h): unlock,
 *                  clone, several operators per process
 *   store_rotate.c data-key rotation, key-slot MACs
 *   store_refused.c refused changes kept sealed after their entry went
 *   store_mac.c    MACs of clear rows
 *   store_mark.c   the change log's high-water mark, next to the database
 *   store_check.c  the rules a written change keeps beyond its schema
 *   store_secret.c small secrets sealed under the data key
 *   store_rekey.c  re-sealing in batches (rotation), verifying boxes
 *   store_sync.c   a node's sync state (node/store_sync.h)
 *   store_search.c the person index: built, kept current, wiped
 *   store_person.c finding people, duplicates, merge (node/store_search.h)
 *   store_pkey.c   per-person keys, the keys file (node/store_pkey.h)
 */
#ifndef PRESIDIO_STORE_INT_H
#define PRESIDIO_STORE_INT_H

#include "conflict/hlc.h"
#include "conflict/merge.h"
#include "node/seal.h"
#include "node/store.h"
#include "node/store_ext.h"
#include "node/store_pkey.h"
#include "node/store_session.h"
#include "node/store_sql.h"
#include "node/store_sync.h"

/* The fixed statements of the hot paths (store_q_fixed()). */
enum store_stmt {
	STMT_META_GET,
	STMT_META_SET,
	STMT_MAX_SEQ,
	STMT_ACTOR_BY_IDX,
	STMT_RECORD_FIND,
	STMT_RECORD_EXISTS,
	STMT_RECORD_INSERT,
	STMT_RECORD_UPDATE,
	STMT_CHANGE_INSERT,
	STMT_NODE_FIND,
	STMT_NODE_INSERT,
	STMT_ACTOR_FIND,
	STMT_ACTOR_INSERT,
	STMT_KNOWN_LOCAL,
	STMT_KNOWN_REMOTE,
	STMT_HISTORY,
	STMT_PURGED,
	STMT_SAVEPOINT,
	STMT_RELEASE,
	STMT_ROLLBACK_TO,
	STMT_COUNT
};

/* Most actors (node, operator pairs) a store may know: far above any real
 * deployment, low enough that a damaged number cannot size an allocation. */
#define STORE_ACTORS_MAX (1u << 20)

struct store_actor {
	struct id node;
	char operator[KEYSLOT_OPERATOR_MAX]; /* "" when not known */
	int role;                            /* enum store_role, -1 unknown */
	int known; /* slot filled */
};

/* Collections a store indexes for group reads (struct store, kin); a
 * schema counting more is refused at open. */
#define STORE_KIN_MAX 64

/* Break-the-glass grants a handle keeps at most (store_glass.c). */
#define STORE_GLASS_HELD 16

struct store {
	struct sqlite3 *db;    /* the connection (store_sql.c) */
	struct store_sql *sql; /* statement cache (store_sql.c) */
	char *dir; /* node directory, owned */
	int lock_fd; /* the directory's lock file, held shared while open
			(store_lock.c); -1 when none */
	uint64_t instance; /* unique in the process (store_file_stamp()) */
	struct id node_id;
	char name[STORE_NAME_MAX];
	enum store_role role;
	int64_t self_node; /* node.idx of this node */

	/* Unlocked state: the operator signed in (store_session.c, one ref
	 * held) and this handle's own data keys opened with its secret. */
	struct store_session *sess; /* NULL while locked */
	struct sealer *sealer;	    /* NULL while locked */
	char signed_out[KEYSLOT_OPERATOR_MAX]; /* left on a lock: message */
	uint32_t self_actor;	     /* actor.idx of (this node, operator) */
	/* The operator's role, from the slot checked when the handle
	 * started acting for it (store_access.c); ACCESS_NONE locked. */
	enum access_role access;
	/* Its live break-the-glass grants (store_glass.c). */
	struct {
		struct id record;
		uint64_t expires; /* unix ms */
	} glass[STORE_GLASS_HELD];
	size_t nglass;
	/* This node's last audit entry, known inside the open write
	 * transaction (store_audit.c; cleared on rollback and commit), and
	 * whether the transaction wrote one: its mark is set at commit. */
	int audit_cached, audit_dirty;
	uint64_t audit_nseq;
	uint8_t audit_hash[32];
	uint8_t *dek[SEAL_MAX_KEYS]; /* data keys loaded, sodium_malloc */
	uint32_t dek_gen[SEAL_MAX_KEYS];
	size_t ndek;

	/* Write transaction state. */
	int in_tx;	 /* store_begin() called */
	int tx_whole;	 /* store_begin_whole(): writes take no savepoint */
	int tx_broken;	 /* a write failed in such a group: no commit */
	int tx_auto;	 /* opened by a single write */
	int clock_dirty; /* clock moved: save at commit */
	struct hlc clock;
	store_clock_fn clock_fn;
	void *clock_ctx;
	store_write_fn write_hook; /* store_set_write_hook(); NULL: none */
	void *write_hook_ctx;
	store_quota_fn quota_hook; /* store_set_quota_hook(); NULL: none */
	void *quota_hook_ctx;
	int holds_all; /* store_set_holds_all() */
	/* The collections rules read as a group (schema/rule.h
	 * rule_counted()), whose records have a row in table kin
	 * (node/store_require.h); set at open. */
	uint16_t kin[STORE_KIN_MAX];
	size_t nkin;
	uint64_t next_seq; /* next change seq, valid in a tx */
	int restored; /* a node restored from a backup that has not yet
			 recovered its later changes from the hub: own
			 writes are refused (store_backup.h); valid in a tx */

	/* The last node and actor looked up (store_node.c): a received
	 * batch names few.  Cleared on every rollback, which may undo the
	 * rows they name. */
	struct id cache_node;
	int64_t cache_node_idx; /* 0: empty */
	int64_t cache_actor_node;
	char cache_actor_op[KEYSLOT_OPERATOR_MAX];
	uint32_t cache_actor; /* 0: empty */

	/* Records store_apply() wrote in the open transaction, with their
	 * merge state (store_applied.c); NULL until first needed. */
	struct store_applied *applied;

	/* actor.idx -> (node, operator), filled on demand. */
	struct store_actor *actors;
	size_t nactors;

	/* Row MACs (store_mac.c): derived keys, sodium_malloc. */
	uint8_t *rowkey[SEAL_MAX_KEYS];
	uint32_t rowkey_gen[SEAL_MAX_KEYS];
	uint8_t *slotkey;   /* key slots' MAC key (store_slot_mac_dek) */
	uint64_t mark_high; /* high-water mark written or seen */

	/* The person index (store_search.c): derived personal data in
	 * memory only, freed with the keys; NULL until first needed. */
	struct store_search *search;

	/* Per-person keys (store_pkey.c): the keys file's connection and
	 * the keys opened; NULL until first needed. */
	struct store_pkeys *pkeys;
};

/* Apply migrations migs[0..nmigs) the database of s has not seen, one
 * transaction each (the database's or the keys file's). */
struct schema_migration;
int store_migrate(struct store *s, const struct schema_migration *migs,
		  size_t nmigs, struct err *e);

/* The pragmas every connection needs (store.c). */
int store_configure(struct store *s, struct err *e);

/* The record c's parent field names in fields: 1 and *parent, or 0. */
int store_parent_of(const struct schema_collection *c, const json_t *fields,
		    struct id *parent);

/* PRAGMA user_version: the schema migration the database is at. */
int store_user_version(struct store *s, int *v, struct err *e);
/* The newest migration this build carries (what user_version becomes). */
int store_migration_latest(void);

/* meta table access (values are integers, text or blobs). */
int store_meta_get_int(struct store *s, const char *key, int64_t *v,
		       struct err *e);
int store_meta_set_int(struct store *s, const char *key, int64_t v,
		       struct err *e);

/* 1 when a node of role may write authority fields (SCHEMA_HUB_ONLY): the
 * role is data the store keeps of every node (its own in meta, others' in
 * node rows), and this is the schema's one rule about it. */
static inline int store_role_authority(int role)
{
	return role == STORE_ROLE_HUB;
}

/* The bytes of a version set, malloc'd; caller frees.  0 or ERR_NOMEM. */
int store_encode_vers(const struct version_set *v, uint8_t **out, size_t *len);

/* A new timestamp for a local change (marks the clock for saving). */
uint64_t store_tick(struct store *s);

/* The cached (node, operator, role) of an actor.  ERR_CORRUPT when the
 * number is out of range or unknown. */
int store_actor_info(struct store *s, uint32_t actor,
		     const struct store_actor **out, struct err *e);

/* Forget the node and actor looked up last, and the records applied
 * (store_applied.c), after a rollback. */
void store_cache_clear(struct store *s);

/* Find or create the actor row for (node idx, operator). */
int store_actor_ensure(struct store *s, int64_t node, const char *operator,
		       uint32_t *idx, struct err *e);

/* In a transaction of store_init(): first data key and first slot. */
int store_keys_create(struct store *s, const struct store_secret *first,
		      struct err *e);

/* Key-slot rows: the columns read, in this order, and where the MAC is. */
#define SLOT_COLUMNS                                                           \
	"id, operator, kind, salt, opslimit, memlimit, pk, wrapped, mac, role"
#define SLOT_MAC_COLUMN 8

/* Fill slot from a SLOT_COLUMNS row; *id = keyslot.id. */
int store_slot_row(struct store_q *st, struct keyslot *slot, int64_t *id,
		   struct err *e);

/*
 * Walk the key slots' MACs (store_rotate.c).  check set: a slot whose MAC
 * fails under check counts in *bad and is skipped.  remac set: every
 * other slot gets its MAC made again under remac (a rotation: check
 * NULL; the upgrade from MACs under the data key itself: check = that
 * key).  remac NULL: checking only (verify), ERR_CORRUPT when *bad, the
 * first failure's message in e.
 */
int store_slots_mac(struct store *s, const uint8_t *check,
		    const uint8_t *remac, uint64_t *bad, struct err *e);

/* Seal dek (generation gen) to slot and store it in datakey. */
int store_datakey_insert(struct store *s, int64_t slot_id,
			 const struct keyslot *slot, uint32_t gen,
			 const uint8_t *dek, struct err *e);

/* The loaded data key of generation gen, or NULL. */
const uint8_t *store_dek_of(const struct store *s, uint32_t gen);

/* The data key slots are authenticated under (the generation in use). */
int store_slot_mac_dek(struct store *s, const uint8_t **dek, struct err *e);

/* Check every key slot's MAC under the data key in use; *bad counts the
 * slots that fail (ERR_CORRUPT, the first named in e). */
int store_slots_verify(struct store *s, uint64_t *bad, struct err *e);

/* store_entry_open() without parsing: the sealed JSON text into *text
 * (malloc'd, NUL-terminated; the caller wipes and frees it). */
int store_entry_open_text(struct store *s, const struct id *id, uint16_t coll,
			  const uint8_t *vers, size_t verslen,
			  const uint8_t *prev, size_t prevlen,
			  const uint8_t *box, size_t boxlen, const char **text,
			  size_t *len, struct err *e);

/* Remember the highest sequence number used before entries are removed
 * (store_sync.c), and count the removal (store_removals()). */
#define STORE_META_REMOVALS "removals"
int store_seq_floor_raise(struct store *s, struct err *e);

/* The node directory's lock file (store_lock.c, STORE_LOCK_FILE): every
 * handle holds it shared while open, a restore exclusive.  *fd is -1 on
 * failure; ERR_BUSY when the other kind is held (non-blocking). */
int store_dir_lock(const char *dir, int exclusive, int *fd, struct err *e);
void store_dir_unlock(int fd); /* accepts -1 */

/* Is the store marked restored (meta STORE_META_RESTORED, node role)?
 * Read at every transaction's start (store_backup.c). */
#define STORE_META_RESTORED "restored"
int store_restored_load(struct store *s, struct err *e);

/* Re-seal every secret under the data key in use (rotation). */
int store_secrets_reseal(struct store *s, struct err *e);

/* Drop every memo (store_memo.c): at a key rotation, since they are
 * caches a view builds again, and a retired key must leave nothing it
 * sealed behind. */
int store_memos_drop(struct store *s, struct err *e);

/* Wipe and free the unlocked state (and drop the session's ref). */
void store_keys_release(struct store *s);

/* ---- roles (store_access.c) ---- */

/* Leave out of fields (record id's values, of collection c) what the
 * unlocked role may not read, unless a live grant covers id. */
void store_withhold(struct store *s, const struct id *id,
		    const struct schema_collection *c, json_t *fields);

/* At commit: the mark of this node's last audit entry, when the
 * transaction wrote one (store_audit.c). */
int store_audit_flush(struct store *s, struct err *e);

/* store_audit_note() of a write made here, which made this node's change
 * chg (its seq): the entry keeps the number (store_audit_entry.chg). */
int store_audit_note_write(struct store *s, const char *action,
			   const struct schema_collection *c,
			   const struct id *record, uint64_t count,
			   const char *purpose, uint64_t chg, struct err *e);

/* Load the unlocked operator's live grants into s (store_glass.c). */
int store_glass_load(struct store *s, struct err *e);

/* A handle starts acting for its session's operator: check the slot's MAC
 * with its role (giving an older store's slots theirs first) and set
 * s->access.  ERR_CORRUPT when the slot was altered outside presidio. */
int store_access_unlocked(struct store *s, struct err *e);

/* 0 when the unlocked operator manages operators, else ERR_DENIED. */
int store_access_manage(struct store *s, struct err *e);

/* The stored name of the role named name for a new slot of kind (NULL:
 * servizio for a key file, ERR_INVALID for a passphrase); ERR_INVALID for
 * an unknown role. */
int store_access_role_of(const struct store *s, const char *name,
			 enum keyslot_kind kind, const char **role,
			 struct err *e);

/* The role that manages operators here: a store's first operator's. */
const char *store_access_top_role(const struct store *s);

/* 1 when a slot other than id manages operators. */
int store_access_other_manager(struct store *s, int64_t id, struct err *e);

/* ---- operators signed in (store_session.c) ---- */

/* The slot of operator, or the only slot when operator is NULL. */
int store_slot_find(struct store *s, const char *operator,
		    struct keyslot *slot, int64_t *id, struct err *e);

/* The signed-in operator's slot row id, and a copy of the slot (public
 * parts: passwd on another thread may replace them meanwhile). */
int64_t store_session_slot_id(const struct store_session *sess);
void store_session_slot(struct store_session *sess, struct keyslot *slot);

/* Open the data key sealed (generation gen) to the session's slot with
 * its secret, under the session's mutex.  ERR_AUTH once it is locked. */
int store_session_open_dek(struct store_session *sess, uint32_t gen,
			   const uint8_t *sealed, uint8_t **dek,
			   struct err *e);

/* The slot got a new key pair (store_operator_passwd()): the session
 * takes slot and sk (sodium_malloc'd; *sk set to NULL). */
void store_session_rekeyed(struct store_session *sess,
			   const struct keyslot *slot, uint8_t **sk);

/* Open a sealed JSON object into *out (caller json_decref()s).
 * ERR_CORRUPT names the record. */
int store_open_json(struct store *s, const struct id *id, const uint8_t *box,
		    size_t boxlen, const uint8_t *ad, size_t adlen,
		    json_t **out, struct err *e);

/* ---- record rows and change entries (store_record.c) ---- */

/* One change to append: what it writes, what its writer had, who. */
struct store_change_out {
	enum store_change_kind kind;
	uint64_t hlc;
	int64_t origin;          /* node.idx of the node that made it */
	uint64_t oseq;           /* its sequence there; 0 for a local one */
	uint32_t actor;          /* actor.idx of (origin, operator) */
	json_t *values;          /* owned: the fields it writes */
	struct version_set vers; /* their new version */
	struct version_set prev; /* versions named (merge.h: superseded on
				    written fields, seen on the others) */
};

void store_change_out_init(struct store_change_out *c,
			   enum store_change_kind kind);
void store_change_out_release(struct store_change_out *c);

/*
 * Write row l (insert or update) and append change c, sealing both; in
 * the caller's transaction.  Advances s->next_seq.  c NULL: the row
 * alone, re-derived from the log (store_schema_upgrade()): no entry, and
 * the write hook (store_set_write_hook(); the hub's scope index) is not
 * called.  That is right because the hook's inputs cannot change by
 * re-deriving: it reads a case's region, nodes and subject, fields every
 * schema version declares and the merge settles by version, never by
 * value, so the winners an older build chose are the winners again;
 * re-deriving changes only what that build could not rank (fields it did
 * not declare, the order of values it did not know in a MONOTONIC
 * field).  Nor would calling it be harmless: it records scope events at
 * a change's sequence number, and there is no change here.  (A version
 * that changed how a scope field merges would have to rebuild the index
 * at its upgrade.)  The person index needs no notice either: the
 * upgrade runs at unlock, before the index is built.
 */
int store_row_write(struct store *s, const struct id *id,
		    const struct schema_collection *coll, struct store_row *l,
		    struct store_change_out *c, struct err *e);
/* The same, handing the sealed body written to *box (caller frees). */
int store_row_write_box(struct store *s, const struct id *id,
			const struct schema_collection *coll,
			struct store_row *l, struct store_change_out *c,
			uint8_t **box, size_t *boxlen, struct err *e);

/*
 * Open a change entry's sealed values (the associated data binds its
 * encoded versions and previous versions).  *values: caller decrefs.
 */
int store_entry_open(struct store *s, const struct id *id, uint16_t coll,
		     const uint8_t *vers, size_t verslen, const uint8_t *prev,
		     size_t prevlen, const uint8_t *box, size_t boxlen,
		     json_t **values, struct err *e);

/* ---- merge state of a record (store_merge.c) ---- */

struct store_mstate;

/* Replay record rid's entries through the merge (rid <= 0: empty). */
int store_mstate_load(struct store *s, int64_t rid,
		      const struct schema_collection *coll,
		      struct store_mstate **out, struct err *e);
void store_mstate_free(struct store_mstate *m);

/*
 * A local change c (kind, hlc, actor, values set) writing the fields in
 * written: name what it supersedes and saw (merge_prev_for, resolve as
 * there), fill c->vers and c->prev, apply it, and update row to the
 * merge's result.
 */
int store_mstate_local(struct store *s, struct store_mstate *m,
		       struct store_row *row, struct store_change_out *c,
		       const uint16_t *written, size_t nwritten, int resolve,
		       struct err *e);

/* A received change c (kind, hlc, origin, oseq, actor, values set) with
 * its prev in merge form: fill c->vers and c->prev, apply, update row.
 * newer: it comes from a newer schema version (merge.h).  Replaying the
 * log (store_mstate_load()) keeps whatever a stored entry holds: only
 * what was accepted is stored. */
int store_mstate_incoming(struct store *s, struct store_mstate *m,
			  struct store_row *row, struct store_change_out *c,
			  const struct merge_prev *prev, size_t nprev,
			  int newer, struct merge_result *res, struct err *e);

const struct merge_record *store_mstate_record(const struct store_mstate *m);

/* ---- records applied in the open transaction (store_applied.c) ---- */

#define STORE_APPLIED_MAX 64 /* records kept open at once */

/*
 * The row and merge state store_apply() left for record id, when its row
 * is still as that write left it: moved to *row and *m (caller owns) and
 * *taken = 1.  Otherwise *taken = 0 and the record must be loaded.
 * Either way the entry is gone.
 */
int store_applied_take(struct store *s, const struct id *id,
		       struct store_row *row, struct store_mstate **m,
		       int *taken, struct err *e);
/* Keep record id's row, merge state and sealed body box, just written;
 * takes all three (row is left empty).  The oldest goes when full. */
void store_applied_keep(struct store *s, const struct id *id,
			struct store_row *row, struct store_mstate *m,
			uint8_t *box, size_t boxlen);
/* Forget them all (commit, rollback, the keys going); _free: and the
 * room for them (close). */
void store_applied_clear(struct store *s);
void store_applied_free(struct store *s);

/*
 * After an unlock: when this build's schema version
 * (schema_running_version()) is above the one the store last recorded
 * (checkpoint STORE_CK_SCHEMA), every record is re-derived from its log
 * so that fields and values an older build kept without declaring them
 * get their declared ids and rules (conflict/merge.h); then the version
 * is recorded.  A store that recorded none (made by the landed release,
 * which kept nothing undeclared, or new) only records it.
 * Records go STORE_UPGRADE_BATCH to a transaction (a hub's writers wait
 * for one batch, not for the whole store), each in a savepoint: one whose
 * log does not re-derive (ERR_CORRUPT and the like) is rolled back alone,
 * logged by row number and counted (checkpoint STORE_CK_SCHEMA_FAILED,
 * reported by store_verify()) instead of keeping the store locked for
 * ever.  The version is recorded only at the end: an upgrade cut short
 * (a crash, a database error, which stays fatal) starts over at the next
 * unlock, and re-deriving a record again changes nothing.
 */
int store_schema_upgrade(struct store *s, struct err *e);

/* Actor and entry of an applied change.  ERR_NOTFOUND. */
int store_mstate_who(const struct store_mstate *m, const struct merge_vid *v,
		     uint32_t *actor, uint64_t *seq);

/* Re-seal every box not of generation gen, in batches (rotation). */
int store_records_reseal(struct store *s, uint32_t gen,
			 store_progress_fn progress, void *ctx, struct err *e);

/* Open every box (verify); counts failures in *bad. */
int store_records_verify(struct store *s, uint64_t *bad, struct err *e);

/* ---- rules beyond the schema (store_check.c) ---- */

/* Both, for a write of this store's operator (store_put): ERR_INVALID
 * (a reference) or ERR_CONFLICT (a hand-over) naming the field. */
int store_check_local(struct store *s, const struct schema_collection *c,
		      const json_t *cur, const json_t *fields,
		      struct err *e) ERR_MUST_USE;

#define STORE_MAC_KEYBYTES 32
#define STORE_MAC_TAGBYTES 16
#define STORE_MAC_BYTES (1 + 4 + STORE_MAC_TAGBYTES)

/* Register presidio_mac() and presidio_mac_ok() on the connection. */
int store_mac_register(struct store *s, struct err *e);

/* ERR_CORRUPT when table (NULL: any) has triggers or generated columns
 * (presidio makes none). */
int store_mac_schema_check(struct store *s, const char *table,
			   struct err *e);

/* verify: every protected row; *bad counts failures, ERR_CORRUPT names
 * the tables (never values). */
int store_mac_verify(struct store *s, uint64_t *bad, struct err *e);

/* Rotation ends: move the rows that pass to the generation in use. */
int store_mac_rotate(struct store *s, struct err *e);

/* At store creation (store_init(), locked): authenticate the rows made so
 * far under data key dek of generation gen, held by s for this pass only. */
int store_mac_created(struct store *s, const uint8_t *dek, uint32_t gen,
		      struct err *e);

/* At unlock: upgrade a store from before row MACs (see store_mac.c); a
 * slot authenticated the old way in a store that has row MACs or a mark is
 * refused (ERR_CORRUPT). */
int store_mac_unlocked(struct store *s, struct err *e);

/* The key slots' MAC key derived from a data key. */
void store_mac_slot_key(const uint8_t *dek, uint8_t out[STORE_MAC_KEYBYTES]);

/* Wipe and free the derived keys. */
void store_mac_release(struct store *s);

/* The row key of generation gen (NULL while locked or unknown). */
const uint8_t *store_mac_row_key(struct store *s, uint32_t gen);

/* The highest change number the mark file vouches for (store_mark.c):
 * *found 0 (and 0 returned) when there is none to read; ERR_CORRUPT. */
int store_mac_mark_read(struct store *s, uint64_t *marked, int *found,
			struct err *e);

/* The change log's high-water mark: write after a commit, check in
 * verify against the highest change number now there (high). */
void store_mac_mark(struct store *s);
int store_mac_mark_check(struct store *s, uint64_t high, struct err *e);

/* ---- the person index (store_search.c, read by store_person.c) ---- */

#define STORE_SEARCH_BAG_MAX 32     /* name tokens of one person indexed */
#define STORE_SEARCH_VARIANTS_MAX 8 /* names: the main one + other_names */
#define STORE_SEARCH_NONE UINT32_MAX
#define STORE_SEARCH_STRICT 0 /* the key arrays */
#define STORE_SEARCH_LOOSE 1
#define STORE_SEARCH_STEM 2

/* One person as indexed.  tok[i] is the offset in blob of token i's
 * strict key; its loose and stem keys follow it, each NUL-terminated. */
struct store_search_person {
	struct id id;
	struct id into;  /* merged_into, when has_into */
	int has_into;
	int live;        /* 0: replaced or deleted since (its keys stay in
			    the arrays until the next compaction) */
	int32_t born;    /* YYYYMMDD, 0 unknown */
	char nat[4];     /* upper case, "" unknown */
	char *tax;       /* tax code, upper case without spaces, or NULL */
	char *blob;      /* keys, malloc'd, wiped before free */
	size_t bloblen;
	uint16_t tok[STORE_SEARCH_BAG_MAX];
	uint8_t ntok;
	uint8_t nvar;    /* name variants; variant v is tokens
			    [v ? var_end[v - 1] : 0, var_end[v]) */
	uint8_t var_end[STORE_SEARCH_VARIANTS_MAX];
};

/* A key of a token and the person slot it belongs to. */
struct store_search_key {
	const char *k;
	uint32_t p;
};

struct store_search {
	struct store_search_person *p; /* slots, append-only until compacted */
	size_t np, capp, ndead;
	uint32_t *map;                 /* id -> slot, open addressing */
	size_t mapcap;                 /* a power of 2, 0 when none */
	struct store_search_key *key[3]; /* sorted [0, sorted), then tail */
	size_t nkey[3], capkey[3], sorted[3];
	uint64_t seq;       /* the change log is reflected up to here */
	int64_t floor;      /* meta seq_floor then */
	int64_t evictions;  /* eviction rows then */
	int stale;          /* built inside a group: rebuild after it */
};

/* The index, current (built, or caught up with the change log).  Owned
 * by s: valid until the next call that may write or lock. */
int store_search_index(struct store *s, struct store_search **out,
		       struct err *e);

/* Wipe and free.  Accepts NULL. */
void store_search_free(struct store_search *x);

/*
 * Grow the block at *p (used bytes in use, may be 0 with *p NULL) to n
 * bytes: a new block, the used bytes copied, the old block wiped
 * (sodium_memzero) and freed.  realloc() would leave the old block in the
 * heap as it was (persons' dates, nationalities, merge links, matches),
 * which the index promises never to do.  0, or ERR_NOMEM with *p as it
 * was.
 */
int store_search_grow(void **p, size_t used, size_t n,
		      struct err *e) ERR_MUST_USE;

/* Fill *p from a person's fields (no id, not live); release with
 * store_search_person_release().  ERR_NOMEM only: a name that yields no
 * key (another script) is left out. */
int store_search_person_fill(struct store_search_person *p,
			     const json_t *fields, struct err *e);
void store_search_person_release(struct store_search_person *p);

/* Slot of id, or STORE_SEARCH_NONE. */
uint32_t store_search_slot(const struct store_search *x, const struct id *id);

/* The end of slot's merged_into chain: itself when not merged or its
 * target is not held here; for a cycle, the member with the smallest id
 * (*cycle set). */
uint32_t store_search_resolve(const struct store_search *x, uint32_t slot,
			      int *cycle);

typedef void (*store_search_fn)(void *ctx, uint32_t slot);

/* Call fn with the slot of every live key of array a (STORE_SEARCH_*)
 * that starts with prefix (equals it when exact): a binary search of the
 * sorted part, a scan of the tail.  Nothing for an empty prefix. */
void store_search_each(const struct store_search *x, int a,
		       const char *prefix, int exact, store_search_fn fn,
		       void *ctx);

/* Token i of p's keys. */
static inline const char *store_search_strict(
	const struct store_search_person *p, size_t i)
{
	return p->blob + p->tok[i];
}
const char *store_search_next(const char *key);

#endif
