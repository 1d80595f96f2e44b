/*
 * store_int.h - internals shared by the store's source files; not part of
 * the API (node/store.h).
 *
 *   store.c        open/create, migrations, pragmas, transactions, clock
 *   store_node.c   nodes (with their role) and actors
 *   store_meta.c   checkpoints, status, verify
 *   store_record.c records: put, delete, get, list (each write appends its
 *                  change-log entry)
 *   store_log.c    reading the change log: log, history
 *   store_box.c    sealed boxes and their associated data
 *   store_merge.c  a record's merge state replayed from its log entries
 *   store_conflict.c received changes, conflicts, resolutions
 *   store_tomb.c   purging settled tombstones
 *   store_keys.c   unlock, operators (key slots), loading data keys
 *   store_rotate.c data-key rotation, key-slot MACs
 *   store_refused.c refused changes kept sealed after their entry went
 *   store_handover.c hub: a refused change made while its node still
 *                  held the case being handed over
 *   store_mac.c    MACs of clear rows
 *   store_mark.c   the change log's high-water mark, next to the database
 *   store_scope_log.c hub: the log as one node may see it
 */
#ifndef PRESIDIO_STORE_INT_H
#define PRESIDIO_STORE_INT_H

#include <sqlite3.h>

#include "conflict/hlc.h"
#include "conflict/merge.h"
#include "node/seal.h"
#include "node/store.h"

/* Prepared statements kept for the life of the store. */
enum store_stmt {
	STMT_META_GET,
	STMT_META_SET,
	STMT_MAX_SEQ,
	STMT_ACTOR_BY_IDX,
	STMT_RECORD_FIND,
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

enum {
	SCOPE_Q_SEES,
	SCOPE_Q_COUNT_RECORDS,
	SCOPE_Q_LOG,
	SCOPE_Q_ROW,
	SCOPE_Q_MEMBER_ADD,
	SCOPE_Q_MEMBER_DEL,
	SCOPE_Q_EVENT,
	SCOPE_Q_PEERS,
	SCOPE_Q_UPSERT,
	SCOPE_Q_COUNT
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

struct store {
	sqlite3 *db;
	sqlite3_stmt *stmt[STMT_COUNT];
	char *dir; /* node directory, owned */
	struct id node_id;
	char name[STORE_NAME_MAX];
	enum store_role role;
	int64_t self_node; /* node.idx of this node */

	/* Unlocked state: slot key pair and data keys. */
	struct sealer *sealer; /* NULL while locked */
	char operator[KEYSLOT_OPERATOR_MAX];
	int64_t slot_id;	     /* keyslot.id unlocked */
	struct keyslot slot;	     /* that slot (public parts) */
	uint8_t *sk;		     /* slot secret key, sodium_malloc */
	uint32_t self_actor;	     /* actor.idx of (this node, operator) */
	uint8_t *dek[SEAL_MAX_KEYS]; /* data keys loaded, sodium_malloc */
	uint32_t dek_gen[SEAL_MAX_KEYS];
	size_t ndek;

	/* Write transaction state. */
	int in_tx;	 /* store_begin() called */
	int tx_auto;	 /* opened by a single write */
	int clock_dirty; /* clock moved: save at commit */
	struct hlc clock;
	store_clock_fn clock_fn;
	void *clock_ctx;
	uint64_t next_seq; /* next change seq, valid in a tx */

	/* The last node and actor looked up (store_node.c): a received
	 * batch names few.  Cleared on every rollback, which may undo the
	 * rows they name. */
	struct id cache_node;
	int64_t cache_node_idx; /* 0: empty */
	int64_t cache_actor_node;
	char cache_actor_op[KEYSLOT_OPERATOR_MAX];
	uint32_t cache_actor; /* 0: empty */

	/* Hub: scope queries, prepared on first use (store_scope.c). */
	sqlite3_stmt *scope_q[SCOPE_Q_COUNT];

	/* actor.idx -> (node, operator), filled on demand. */
	struct store_actor *actors;
	size_t nactors;

	/* Row MACs (store_mac.c): derived keys, sodium_malloc. */
	uint8_t *rowkey[SEAL_MAX_KEYS];
	uint32_t rowkey_gen[SEAL_MAX_KEYS];
	uint8_t *slotkey;   /* key slots' MAC key (store_slot_mac_dek) */
	uint64_t mark_high; /* high-water mark written or seen */
};

/* Translate a SQLite result into ERR_* with a message. */
int store_sql_err(struct store *s, int rc, const char *what, struct err *e);

/* PRAGMA user_version: the schema migration the database is at. */
int store_user_version(struct store *s, int *v, struct err *e);

/* Run SQL without results. */
int store_exec(struct store *s, const char *sql, struct err *e);

/* meta table access (values are integers, text or blobs). */
int store_meta_get_int(struct store *s, const char *key, int64_t *v,
		       struct err *e);
int store_meta_set_int(struct store *s, const char *key, int64_t v,
		       struct err *e);

/*
 * Start a write: a transaction (BEGIN IMMEDIATE) when none is open,
 * refreshing what another process may have changed (clock, next sequence
 * number, data keys after a rotation); inside a group opened by
 * store_begin(), a savepoint, so that a failed write leaves nothing of
 * itself in the group.  *opened says which (TX_OPENED, TX_SAVEPOINT); the
 * caller ends it with store_tx_end(), which commits or releases on rc 0
 * and rolls back otherwise.
 */
#define TX_OPENED    1
#define TX_SAVEPOINT 2
int store_tx_begin(struct store *s, int *opened, struct err *e);
int store_tx_end(struct store *s, int opened, int rc, struct err *e);

/* 0 when unlocked, else ERR_AUTH with a message. */
int store_require_unlocked(struct store *s, struct err *e);

/* The bytes of a version set, malloc'd; caller frees.  0 or ERR_NOMEM. */
int store_encode_vers(const struct version_set *v, uint8_t **out, size_t *len);

/* A new timestamp for a local change (marks the clock for saving). */
uint64_t store_tick(struct store *s);

/* The cached (node, operator, role) of an actor.  ERR_CORRUPT when the
 * number is out of range or unknown. */
int store_actor_info(struct store *s, uint32_t actor,
		     const struct store_actor **out, struct err *e);

/* Forget the node and actor looked up last (after a rollback). */
void store_cache_clear(struct store *s);

/* Find or create the node row of a node id. */
int store_node_ensure(struct store *s, const struct id *node, int64_t *idx,
		      struct err *e);

/* Find or create the actor row for (node idx, operator). */
int store_actor_ensure(struct store *s, int64_t node, const char *operator,
		       uint32_t *idx, struct err *e);

/* In a transaction of store_init(): first data key and first slot. */
int store_keys_create(struct store *s, const struct store_secret *first,
		      struct err *e);

/* Load the data keys of the unlocked slot that are not loaded yet. */
int store_keys_refresh(struct store *s, struct err *e);

/* Key-slot rows: the columns read, in this order, and where the MAC is. */
#define SLOT_COLUMNS                                                           \
	"id, operator, kind, salt, opslimit, memlimit, pk, wrapped, mac"
#define SLOT_MAC_COLUMN 8

/* Fill slot from a SLOT_COLUMNS row; *id = keyslot.id. */
int store_slot_row(sqlite3_stmt *st, struct keyslot *slot, int64_t *id,
		   struct err *e);

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

/* Columns of a change-log row as store_walk_changes() reads them. */
#define STORE_CHANGE_COLUMNS                                                   \
	"SELECT c.seq, r.id, r.coll, c.kind, n.id, coalesce(c.oseq, c.seq), "  \
	"c.actor, c.hlc, c.vers, c.prev, c.body, c.seen FROM change c "        \
	"JOIN record r ON r.rid = c.rid JOIN node n ON n.idx = c.origin "

/* Step st (STORE_CHANGE_COLUMNS rows) calling fn for each entry. */
int store_walk_changes(struct store *s, sqlite3_stmt *st, int with_values,
		       store_change_fn fn, void *ctx, size_t *rows,
		       struct err *e);

/* Hub: a root record (case) was written by change seq; keep the scope
 * index and the scope events up to date (store_scope.c). */
int store_scope_note(struct store *s, const struct id *id,
		     const struct schema_collection *coll, const json_t *fields,
		     int64_t origin, uint64_t seq, struct err *e);

/* Hub: who sees the persons a case's write concerns (the one it names
 * now, the one it named before; NULL: none), taken before the write, and
 * the scope events of the peers for whom that changed, after it (the
 * case's own events first: one that carries the person is not doubled).
 * node/store_subject.c. */
struct store_subject_seen {
	struct id person;
	int64_t *before; /* peer.idx of those that saw it before */
	size_t nbefore;
};

struct store_subjects {
	struct store_subject_seen sub[2];
	size_t n;
};

int store_subjects_before(struct store *s, const struct id *now,
			  const struct id *was, struct store_subjects *x,
			  struct err *e);
int store_subjects_after(struct store *s, const struct store_subjects *x,
			 const struct id *cs, const struct id *now,
			 uint64_t seq, struct err *e);
void store_subjects_release(struct store_subjects *x);

/* Hub: the last seq of the history an entering root's event (at seq) of
 * a pull walking after its cursor brings; purged: the walk purged
 * something before (node/store_subject.c). */
int store_subject_bound(struct store *s, const struct id *root, uint64_t seq,
			uint64_t after, int purged, uint64_t *bound,
			struct err *e);

/* Remember the highest sequence number used before entries are removed
 * (store_sync.c). */
int store_seq_floor_raise(struct store *s, struct err *e);

/* Hub: decide every case for one peer (added or enrolled). */
int store_scope_peer_init(struct store *s, int64_t peer, struct err *e);

/* Re-seal every secret under the data key in use (rotation). */
int store_secrets_reseal(struct store *s, struct err *e);

/* Wipe and free the unlocked state. */
void store_keys_release(struct store *s);

/* Associated data of a sealed body: domain, record id, collection, the
 * encoded version set, and the encoded previous versions (NULL, or an
 * empty set, binds none: records, and creates, whose box they share).
 * Caller frees *ad. */
int store_body_ad(const struct id *id, uint16_t coll, const uint8_t *vers,
		  size_t verslen, const uint8_t *prev, size_t prevlen,
		  uint8_t **ad, size_t *adlen);

/* Seal a JSON object; *box is malloc'd, caller frees.  The serialised
 * plaintext is wiped before it is freed. */
int store_seal_json(struct store *s, const json_t *obj, const uint8_t *ad,
		    size_t adlen, uint8_t **box, size_t *boxlen, struct err *e);

/* Open a sealed JSON object into *out (caller json_decref()s).
 * ERR_CORRUPT names the record. */
int store_open_json(struct store *s, const struct id *id, const uint8_t *box,
		    size_t boxlen, const uint8_t *ad, size_t adlen,
		    json_t **out, struct err *e);

/* ---- record rows and change entries (store_record.c) ---- */

/* A record row as read for writing: its current (winning) values. */
struct store_row {
	int exists;              /* a row is there */
	int64_t rid;             /* its rowid */
	uint16_t coll;           /* collection id */
	int deleted;             /* deletion marker set */
	int conflicts;           /* open conflicts (conflict/merge.h) */
	struct version_set vers; /* version of each field */
	json_t *fields;          /* owned: values, decrypted */
};

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

void store_row_release(struct store_row *l);
void store_change_out_init(struct store_change_out *c,
			   enum store_change_kind kind);
void store_change_out_release(struct store_change_out *c);

/* Read and open record id; l->exists = 0 when there is none. */
int store_row_load(struct store *s, const struct id *id, struct store_row *l,
		   struct err *e);

/* Write row l (insert or update) and append change c, sealing both; in
 * the caller's transaction.  Advances s->next_seq. */
int store_row_write(struct store *s, const struct id *id,
		    const struct schema_collection *coll, struct store_row *l,
		    struct store_change_out *c, struct err *e);

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
 * its prev in merge form: fill c->vers and c->prev, apply, update row. */
int store_mstate_incoming(struct store *s, struct store_mstate *m,
			  struct store_row *row, struct store_change_out *c,
			  const struct merge_prev *prev, size_t nprev,
			  struct merge_result *res, struct err *e);

const struct merge_record *store_mstate_record(const struct store_mstate *m);

/* Actor and entry of an applied change.  ERR_NOTFOUND. */
int store_mstate_who(const struct store_mstate *m, const struct merge_vid *v,
		     uint32_t *actor, uint64_t *seq);

/* Re-seal every box not of generation gen, in batches (rotation). */
int store_records_reseal(struct store *s, uint32_t gen,
			 store_progress_fn progress, void *ctx, struct err *e);

/* Open every box (verify); counts failures in *bad. */
int store_records_verify(struct store *s, uint64_t *bad, struct err *e);

/* ---- the hub's scope index, shared by store_scope.c and
 * store_scope_log.c ---- */

/* Collection ids of one scope class as an SQL list "(1,2)", "(0)" when
 * none; for parent-scoped ones, only those whose parent is a root. */
void store_scope_coll_list(enum schema_scope cls, int parent_root,
			   char *out, size_t n);

/* The WHERE condition "record r is in peer ?2's scope" (node.idx of the
 * peer in ?3, -1 when not enrolled), into out. */
void store_scope_condition(char *out, size_t n);

/* node.idx of an enrolled peer, -1 otherwise. */
int store_scope_peer_node(struct store *s, const struct store_peer *p,
			  int64_t *idx, struct err *e);

/* ---- rules beyond the schema (store_check.c) ---- */

struct scope_peer;

/*
 * The references fields sets (those that differ from cur, the record's
 * current values, NULL for a create) must name a live record of their
 * declared collection; one not held here passes unless must_hold.  why
 * (n bytes) is "" when they do, else the reason naming the field.
 * Returns 0 or an ERR_* of the database.
 */
int store_check_refs(struct store *s, const struct schema_collection *c,
		     const json_t *cur, const json_t *fields, int must_hold,
		     char *why, size_t n, struct err *e) ERR_MUST_USE;

/* The scope fields of a case (conflict/scope.h) written by node w: why is
 * "" when allowed, else the reason naming the field. */
void store_check_scope(const struct schema_collection *c,
		       const struct scope_peer *w, const json_t *cur,
		       const json_t *fields, char *why, size_t n);

/* Both, for a write of this store's operator (store_put): ERR_INVALID
 * (a reference) or ERR_CONFLICT (a hand-over) naming the field. */
int store_check_local(struct store *s, const struct schema_collection *c,
		      const json_t *cur, const json_t *fields,
		      struct err *e) ERR_MUST_USE;

/* ---- row MACs (store_mac.c) ----
 *
 * A writer of a protected row either computes the MAC in its statement,
 * mac = presidio_mac('<table>', <the columns below, as bound>), or calls
 * store_mac_reseal() after writing, having checked the row it changes
 * (store_mac_check(), or a read that checks) in the same transaction:
 * re-authenticating an unchecked row would bless what was planted in it.
 * A row is checked with presidio_mac_ok(mac, '<table>', <columns>).
 */
enum store_mac_table {
	STORE_MAC_PEER,
	STORE_MAC_SCOPE_CASE,
	STORE_MAC_SCOPE_MEMBER,
	STORE_MAC_SCOPE_EVENT,
	STORE_MAC_REMOTE,
	STORE_MAC_NODE,
	STORE_MAC_ACTOR,
	STORE_MAC_META,
	STORE_MAC_RECORD,
	STORE_MAC_CHANGE,
	STORE_MAC_TABLES
};

/* The columns each MAC covers, in order (last_contact of a peer is not:
 * it changes with every request and decides nothing). */
#define STORE_MAC_COLS_PEER                                                    \
	"idx, name, kind, region, node_id, pk, token_hash, token_expires, "    \
	"revoked, record_cap, created, push_ack, pull_ack, rebootstrap"
#define STORE_MAC_COLS_SCOPE_CASE "id, person, region, nodes, creator"
#define STORE_MAC_COLS_SCOPE_MEMBER "peer, case_id"
#define STORE_MAC_COLS_SCOPE_EVENT "seq, peer, case_id, entered"
#define STORE_MAC_COLS_REMOTE                                                  \
	"id, url, hub_id, hub_pk, ca_file, pin, name, kind, region, enrolled"
#define STORE_MAC_COLS_NODE "idx, id, name, role"
#define STORE_MAC_COLS_ACTOR "idx, node, operator"
#define STORE_MAC_COLS_META "key, value"
/* Records and the log: the clear columns (bodies are sealed boxes whose
 * associated data binds record, collection and versions already). */
#define STORE_MAC_COLS_RECORD "id, coll, parent, deleted, vers, conflicts"
#define STORE_MAC_COLS_CHANGE                                                  \
	"seq, rid, kind, origin, oseq, actor, hlc, vers, prev, seen"
/* The meta rows covered: cursors and checkpoints, the sequence floor,
 * the node's identity and role. */
#define STORE_MAC_META_FILTER                                                  \
	"key LIKE 'checkpoint:%' OR key IN ('seq_floor', 'node_id', 'role')"
/* A peer row passes (a column of PEER_COLUMNS). */
#define STORE_MAC_PEER_OK "presidio_mac_ok(mac, 'peer', " STORE_MAC_COLS_PEER ")"

#define STORE_MAC_KEYBYTES 32
#define STORE_MAC_TAGBYTES 16
#define STORE_MAC_BYTES (1 + 4 + STORE_MAC_TAGBYTES)

/* Register presidio_mac() and presidio_mac_ok() on the connection. */
int store_mac_register(struct store *s, struct err *e);

/* ERR_CORRUPT when table (NULL: any) has triggers or generated columns
 * (presidio makes none). */
int store_mac_schema_check(struct store *s, const char *table,
			   struct err *e);

/* Re-authenticate one row of t: key k (?1), kb/kblen (?2 blob, or ?3 text
 * for meta).  No-op while locked. */
int store_mac_reseal(struct store *s, enum store_mac_table t, int64_t k,
		     const void *kb, int kblen, struct err *e);

/* 0 when the row passes or does not exist (or the store is locked),
 * ERR_AUTH naming the table when it fails. */
int store_mac_check(struct store *s, enum store_mac_table t, int64_t k,
		    const void *kb, int kblen, struct err *e);

/* Hub: ERR_AUTH when a scope row of peer (membership, its cases' scope
 * rows, its events) fails. */
int store_mac_peer_scope(struct store *s, int64_t peer, struct err *e);

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

/* Hub: run sql (?1 = idx, ?2 = a, ?3 = b) on the row of peer idx,
 * checked before and authenticated again after (store_peer.c). */
int store_peer_write(struct store *s, int64_t idx, const char *sql,
		     int64_t a, int64_t b, const char *what, struct err *e);

/* Wipe and free the derived keys. */
void store_mac_release(struct store *s);

/* The row key of generation gen (NULL while locked or unknown). */
const uint8_t *store_mac_row_key(struct store *s, uint32_t gen);

/* The highest change number the mark file vouches for (store_mark.c):
 * ERR_NOTFOUND without a valid mark. */
int store_mac_mark_read(struct store *s, uint64_t *marked, struct err *e);

/* The change log's high-water mark: write after a commit, check in
 * verify against the highest change number now there (high). */
void store_mac_mark(struct store *s);
int store_mac_mark_check(struct store *s, uint64_t high, struct err *e);

#endif
