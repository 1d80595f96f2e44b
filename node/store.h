/*
 * store.h - the record store every node, the hub and the web interface
 * use: records, the change log, merge replay and conflicts, sealing of
 * values, operators and keys, checkpoints, the clock.  It owns the tables
 * of those (record, change, node, actor, keyslot, datakey, meta, secret,
 * purged, refused) and nothing else: a node's sync state is
 * node/store_sync.h's, the hub's registry of nodes and scopes is
 * registry/registry.h's (told of record writes through the write hook
 * below).  Only the store and the registry touch SQLite, through one
 * statement helper (node/store_sql.h); everything above (commands, sync,
 * the web interface) goes through these APIs, so the storage can change
 * (PostgreSQL for the hub) without touching them.
 *
 * Record model.  A record is a collection, a random 128-bit id, a JSON
 * object of field values, the version (conflict/version.h) that last wrote
 * each field, and a deletion marker that is versioned like a field.  Field
 * values are sealed together (node/seal.h) with the record id, collection
 * and version set as associated data; ids, collection, versions, the
 * deletion flag and the record's scope parent are routing metadata kept in
 * clear.  Nothing else about a person is ever written to disk.
 *
 * Change log.  Every write appends one entry in the SAME transaction that
 * updates the record: local sequence number, record, origin node and the
 * origin's sequence number (the pair sync deduplicates on), operator,
 * timestamp, the changed fields' new values (sealed) with their versions,
 * and the versions the writer had seen before (what the merge needs to
 * tell a fast-forward from a concurrent write).  Old values are not
 * stored twice: history finds them in the earlier entry that wrote the
 * previous version.
 *
 * Clock.  The hybrid logical clock's last value is saved in the same
 * transaction as the writes it stamped, so it never goes back across
 * restarts.
 *
 * Durability.  WAL journal with synchronous=FULL: a commit returns only
 * after the WAL is fsync'd, so a change reported as saved survives kill -9
 * and power loss (NORMAL would survive kill -9 but may lose the last
 * commits on power loss).  Other processes may use the node concurrently;
 * writers wait up to STORE_BUSY_MS for the lock.
 *
 * Opening is two steps: store_open() reads the database (enough for
 * status); store_unlock() opens an operator's key slot and loads the data
 * keys.  Everything touching values needs an unlocked store.
 *
 * Not thread-safe: one struct store per thread.
 */
#ifndef PRESIDIO_STORE_H
#define PRESIDIO_STORE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "common/id.h"
#include "conflict/merge.h"
#include "conflict/version.h"
#include "node/keyslot.h"
#include "schema/access.h"
#include "schema/schema.h"

#define STORE_DB_FILE "presidio.db"
#define STORE_LOG_FILE "presidio.log"
#define STORE_LOCK_FILE "presidio.lock" /* see node/store_backup.h */
#define STORE_BUSY_MS 10000
#define STORE_NAME_MAX 64
#define STORE_SIGN_PKBYTES 32 /* a node's Ed25519 public key */

struct store;

enum store_role {
	STORE_ROLE_NODE = 0, /* Polo, Punto di Accesso, soggetto attuatore */
	STORE_ROLE_HUB = 1   /* Helpdesk (Focal Point BdI) */
};

/* How to unlock: whose slot, and the passphrase or key-file bytes. */
struct store_secret {
	const char *operator;   /* slot owner; NULL = the only slot */
	enum keyslot_kind kind; /* passphrase or key file */
	const uint8_t *secret;  /* borrowed, not kept */
	size_t len;
	/* A new slot's role (schema/access.h name), for store_init() and
	 * store_operator_add() only; NULL: the default they state. */
	const char *role;
};

/* Wall clock in milliseconds; tests replace it to move time around. */
typedef uint64_t (*store_clock_fn)(void *ctx);

/*
 * Create a node in dir (created 0700 when missing; refused with ERR_EXISTS
 * when it already holds a database): schema, node id, first data key and
 * the first operator's slot.  name is the node's human name (for lists and
 * logs), role its role.  0 or a negative ERR_*.
 */
int store_init(const char *dir, const char *name, enum store_role role,
	       const struct store_secret *first, struct err *e) ERR_MUST_USE;

/*
 * Open the node in dir and bring its schema up to date.  The store is
 * locked: only metadata is available until store_unlock().  *out is freed
 * with store_close().  ERR_NOTFOUND when dir holds no node.
 */
int store_open(struct store **out, const char *dir,
	       struct err *e) ERR_MUST_USE;

/*
 * Unlock with an operator's slot: ERR_NOTFOUND (no such operator),
 * ERR_AUTH (wrong passphrase or key file; nothing is changed), or 0.  If a
 * key rotation was interrupted, the store finishes it later through
 * store_key_rotate(); reads and writes work meanwhile.  The same as
 * store_session_open() and store_session_use() (node/store_session.h) with
 * the session held by s alone; s is locked first.  A build whose schema
 * version is above the one the store recorded (STORE_CK_SCHEMA) re-derives
 * every record from its log first (once: a one-time cost of a replay per
 * record, in batches of their own transactions; a record that fails is
 * counted in STORE_CK_SCHEMA_FAILED, not fatal).
 */
int store_unlock(struct store *s, const struct store_secret *secret,
		 struct err *e) ERR_MUST_USE;

/*
 * A second handle on the same node, unlocked as s is (the same session, so
 * no key derivation, and signing it out locks both), for another thread: a
 * server keeps one per worker.  *out is closed with store_close().
 */
int store_clone(struct store *s, struct store **out,
		struct err *e) ERR_MUST_USE;

/* Close, wiping keys.  Accepts NULL. */
void store_close(struct store *s);

/* A record written, as a write hook sees it (store_set_write_hook()). */
struct store_write {
	const struct id *id;                  /* the record */
	const struct schema_collection *coll;
	const json_t *fields;                 /* its values now (borrowed) */
	int64_t origin;  /* node row of the node that made the change */
	uint64_t seq;    /* the change-log entry just written */
	int64_t rid;     /* the record's row (record.rid) */
};

/* Called after every record write, inside its transaction: a non-zero
 * return (an ERR_*, e filled) fails the write and undoes it. */
typedef int (*store_write_fn)(void *ctx, struct store *s,
			      const struct store_write *w, struct err *e);

/*
 * Watch every record written through s (local writes, received changes,
 * resolutions): fn runs in the same transaction as the write, so what it
 * keeps never disagrees with the records.  The hub's registry keeps its
 * scope index so (registry/registry.h).  One hook per handle, NULL for
 * none; store_clone() carries it.
 */
void store_set_write_hook(struct store *s, store_write_fn fn, void *ctx);

/*
 * Say that s holds every record there is (the hub's store; default 0: a
 * node holds its scope only).  Then a received change other than a create
 * to a record not held is refused (ERR_NOTFOUND, see store_apply()), a
 * local write's references must name records held here, and a local write
 * may move a case anywhere (the peers' moves are judged by the registry,
 * registry_check_incoming()).  store_clone() carries it.
 */
void store_set_holds_all(struct store *s, int on);

/*
 * The most memory s's page cache takes, in KiB (default 8192).  A server
 * with a handle per worker thread shares one budget among them: each
 * handle's cache fills to its bound under load, so memory would grow
 * with the workers busy.  0 or ERR_INVALID (below 256 KiB).
 */
int store_set_cache_kib(struct store *s, unsigned kib,
			struct err *e) ERR_MUST_USE;

/* Replace the wall clock (default: CLOCK_REALTIME). */
void store_set_clock(struct store *s, store_clock_fn fn, void *ctx);

/* This node's wall clock (the one store_set_clock() sets), in unix ms: sync
 * signs its requests with it.  Touches no database: any thread. */
uint64_t store_wall_ms(const struct store *s);

const struct id *store_node_id(const struct store *s);
const char *store_node_name(const struct store *s);
enum store_role store_role(const struct store *s);
/* The unlocked operator, or NULL while locked. */
const char *store_operator(const struct store *s);
/* The unlocked operator's role (schema/access.h), ACCESS_NONE while
 * locked.  Every read through this API leaves out the fields the role may
 * not read (access_withhold()), and every write refuses with ERR_DENIED a
 * field it may not write: store_get(), store_list(), store_log(),
 * store_history(), store_conflicts(), store_refused_list(), store_put(),
 * store_delete(), store_resolve().  Merge, sync and rules read everything
 * (node/store_access.c). */
enum access_role store_operator_role(const struct store *s);
/* The directory the store lives in. */
const char *store_dir(const struct store *s);

/*
 * Group writes in one transaction (an import batch).  Outside
 * store_begin()/store_commit(), each write is its own durable transaction.
 * store_rollback() undoes the open transaction, including the clock.
 */
int store_begin(struct store *s, struct err *e) ERR_MUST_USE;
/*
 * A group that stands or falls whole: its writes take no savepoint each
 * (in store_begin()'s group, a write that fails is undone alone and the
 * group goes on).  A write that fails here leaves what it had done, so
 * the group can no longer commit: store_commit() refuses it with
 * ERR_FAIL and rolls it back, and store_broken() says so.  For a batch
 * that is applied whole or not at all (a pulled page), or redone in
 * store_begin()'s group when one of its writes fails (a pushed batch):
 * a savepoint copies every page a write touches, about a tenth of what
 * a received change costs.
 */
int store_begin_whole(struct store *s, struct err *e) ERR_MUST_USE;
/* 1 when a write failed in the open store_begin_whole() group. */
int store_broken(const struct store *s);
/* A group of reads on one snapshot, taking no write lock (writers go on
 * meanwhile); nothing may be written in it.  Ended by store_commit() or
 * store_rollback(). */
int store_begin_read(struct store *s, struct err *e) ERR_MUST_USE;
int store_commit(struct store *s, struct err *e) ERR_MUST_USE;
void store_rollback(struct store *s);

/* ---- checkpoints ---- */

#define STORE_CHECKPOINT_NAME_MAX 96

/*
 * Named progress markers kept with the data they describe: one set inside
 * a transaction commits or rolls back with it, so a marker never runs
 * ahead of what it covers.  Import keeps here how many lines of a file are
 * in; sync will keep its cursors here.  Names are 1..95 printable ASCII
 * bytes.  get: ERR_NOTFOUND when never set.  set: outside store_begin()
 * it is its own durable transaction.
 */
int store_checkpoint_get(struct store *s, const char *name, uint64_t *value,
			 struct err *e) ERR_MUST_USE;
int store_checkpoint_set(struct store *s, const char *name, uint64_t value,
			 struct err *e) ERR_MUST_USE;

/* ---- records ---- */

struct store_record {
	struct id id;
	const struct schema_collection *coll;
	json_t *fields;          /* owned: current values, decrypted */
	int deleted;             /* deletion marker set */
	struct version_set vers; /* owned: version of each field */
};

void store_record_init(struct store_record *r);
void store_record_release(struct store_record *r); /* accepts NULL */

struct store_put_result {
	struct id id;     /* the record written */
	int created;      /* 1 when the record was created */
	size_t changed;   /* fields whose value changed */
	uint64_t seq;     /* change-log entry, 0 when nothing changed */
};

/*
 * Create or update a record of collection from a JSON object of fields.
 * id NULL creates a record with a fresh id; an id that does not exist yet
 * creates a record with that id (imports); an existing id updates only the
 * fields given, and fields given with their current value are not
 * rewritten.  JSON null clears a field.  Validated against the schema
 * first: ERR_INVALID (unknown collection or field, wrong type, missing
 * required field, id of another collection, record deleted) with nothing
 * written.  res may be NULL.
 */
int store_put(struct store *s, const char *collection, const struct id *id,
	      const json_t *fields, struct store_put_result *res,
	      struct err *e) ERR_MUST_USE;

/*
 * Mark a record deleted.  Its values stay sealed in the record (a tombstone)
 * so a concurrent edit elsewhere can be reviewed, not lost.  ERR_NOTFOUND,
 * or ERR_INVALID when already deleted.
 */
int store_delete(struct store *s, const struct id *id,
		 struct err *e) ERR_MUST_USE;

/* Read one record into out (released by the caller).  ERR_NOTFOUND,
 * ERR_CORRUPT naming the record when its ciphertext fails to open. */
int store_get(struct store *s, const struct id *id, struct store_record *out,
	      struct err *e) ERR_MUST_USE;

/*
 * Walks.  Every listing of this store (store_list(), store_log(),
 * store_history(), store_log_own(), store_conflicts(),
 * store_refused_list(), store_operator_list(), and the hub's
 * registry_peer_list() and registry_scope_log()) calls fn per item, which
 * returns 0 to go on, a negative ERR_* to fail (the walk ends there and
 * returns it), or ERR_STOP to end the walk early: the walk then returns 0,
 * as one that reached the end (err_walk_end(), common/err.h).  A caller
 * that must tell the two apart notes it in ctx before returning ERR_STOP.
 */
typedef int (*store_record_fn)(void *ctx, const struct store_record *r);

/* Every record of collection (NULL = all), in storage order, deleted ones
 * only when with_deleted.  The record passed is valid during the call. */
int store_list(struct store *s, const char *collection, int with_deleted,
	       store_record_fn fn, void *ctx, struct err *e) ERR_MUST_USE;

/* ---- change log ---- */

enum store_change_kind {
	STORE_CHANGE_CREATE = 1,
	STORE_CHANGE_UPDATE = 2,
	STORE_CHANGE_DELETE = 3,
	STORE_CHANGE_RESOLVE = 4 /* closes conflicts: supersedes candidates */
};

struct store_change {
	uint64_t seq;                          /* local sequence number */
	struct id record;
	const struct schema_collection *coll;
	enum store_change_kind kind;
	struct id origin;                      /* node that made it */
	uint64_t origin_seq;                   /* its sequence there */
	char operator[KEYSLOT_OPERATOR_MAX];   /* who made it */
	uint64_t hlc;                          /* when (conflict/hlc.h) */
	json_t *fields;      /* new values of the changed fields, or NULL
				when values were not asked for (or asked
				as text) */
	const char *text;    /* STORE_VALUES_TEXT: the same as compact
				JSON text, as sealed, unparsed (in clear:
				valid during the callback only) */
	size_t text_len;
	struct version_set vers; /* new version of each changed field
				    (field 0 = the deletion marker) */
	struct version_set prev; /* versions its writer had: superseded on
				    the fields it writes (several for a
				    resolution), seen on the others (the
				    deletion marker, or all for a delete) */
	struct merge_prev *prev_ids; /* the same with node ids, as another
					node needs them (store_apply) */
	size_t nprev_ids;
	uint64_t seen;       /* an own change: the hub cursor (checkpoint
				STORE_CK_SEEN) applied when it was made */
	int has_seen;        /* 0: received, or made before that was kept */
};

/* The checkpoint an own change notes as its "seen" when written: sync
 * keeps its pull cursor there (sync.h SYNC_CK_PULL). */
#define STORE_CK_SEEN "sync.pull"

/* The checkpoint holding the schema version (schema.h) of the newest
 * build that opened the store: a newer one re-derives its records at
 * unlock (store_unlock()), so that fields and values an older build kept
 * without declaring them get their declared rules. */
#define STORE_CK_SCHEMA "schema.version"

/* The number of records that upgrade could not re-derive from their log
 * (a sealed value that does not open, a malformed entry): they keep the
 * row the older build derived, and store_verify() reports them until the
 * next upgrade finds none. */
#define STORE_CK_SCHEMA_FAILED "schema.failed"

/* The checkpoint holding which collections the kin table indexes (a hash
 * of their ids, node/store_require.h): another set rebuilds it at unlock. */
#define STORE_CK_KIN "kin.colls"

/* Records re-derived per transaction by that upgrade. */
#define STORE_UPGRADE_BATCH 500

typedef int (*store_change_fn)(void *ctx, const struct store_change *c);

/* with_values for the log readers: none, parsed (fields), or as the JSON
 * text they were sealed as (text: what a relay passes on unparsed). */
#define STORE_VALUES_NONE 0
#define STORE_VALUES_PARSED 1
#define STORE_VALUES_TEXT 2

/* Entries with seq > after, at most limit (0 = all), in order; values are
 * decrypted only when with_values. */
int store_log(struct store *s, uint64_t after, size_t limit, int with_values,
	      store_change_fn fn, void *ctx, struct err *e) ERR_MUST_USE;

/* Every entry of one record, in order, with values.  ERR_NOTFOUND when the
 * record does not exist. */
int store_history(struct store *s, const struct id *id, store_change_fn fn,
		  void *ctx, struct err *e) ERR_MUST_USE;

/*
 * Record what is known of another node: its name (NULL keeps the old one)
 * and role.  Only changes from a node in the hub role may write authority
 * fields (schema SCHEMA_HUB_ONLY).
 */
int store_node_set(struct store *s, const struct id *node, const char *name,
		   enum store_role role, struct err *e) ERR_MUST_USE;

/* Node id and operator name of a version's actor.  ERR_NOTFOUND. */
int store_actor(struct store *s, uint32_t actor, struct id *node,
		const char **operator, struct err *e) ERR_MUST_USE;

/* ---- merge: received changes, conflicts, resolutions (store_conflict.c) ---- */

#define STORE_SKEW_WINDOW_MS (60u * 60 * 1000) /* see store_apply() */

/* A change made on another node, as sync receives it. */
struct store_incoming {
	struct id record;
	const char *collection;
	enum store_change_kind kind;
	struct id origin;               /* node that made it */
	uint64_t origin_seq;            /* its sequence number there, >= 1 */
	const char *operator;           /* who, there */
	uint64_t hlc;                   /* its version's time */
	const json_t *fields;           /* values; "_deleted" for the marker */
	const struct merge_prev *prev;  /* versions its writer had */
	size_t nprev;
	int newer_schema;               /* from a newer schema version: keep
					   the fields and ENUM values this
					   build does not declare (merge.h) */
};

struct store_apply_result {
	int known;        /* already here: nothing done */
	size_t applied;   /* fields applied */
	size_t rejected;  /* fields refused (authority), recorded */
	char reason[160]; /* why, when rejected */
	uint64_t seq;     /* its local sequence number, 0 when known */
	int kept;         /* merged on the state an earlier change of the
			     same record left in this transaction, not
			     replayed from its log (node/store_applied.c) */
};

/*
 * Merge a change from another node into the record, in one transaction
 * with its log entry (or in the caller's store_begin() group).  A change
 * already here (same origin and sequence) changes nothing.  A change
 * whose time is more than STORE_SKEW_WINDOW_MS ahead of this node's clock
 * is refused (ERR_CONFLICT, nothing stored): a node whose clock runs days
 * ahead would otherwise win every later conflict; it is accepted once
 * this clock gets there, and the clock moves past every change accepted.
 * Fields only the hub may write, in a change from another node, are
 * refused and recorded (res->rejected); the rest is applied.
 * In a group, the record's row and merge state stay open for its next
 * change (node/store_applied.c): a batch holding several changes of a
 * record merges them on, not each over its whole log again.
 * On the hub, a change other than a create to a record it does not hold
 * is refused (ERR_NOTFOUND, nothing stored): its create was refused (or
 * never came), and applying it would make a record missing its required
 * fields.  A node applies it: a pull walks the records of its scope as
 * they are now, so an entry of a record entering the scope may come
 * before the move-in that brings its history, later in the same pull.
 */
int store_apply(struct store *s, const struct store_incoming *in,
		struct store_apply_result *res, struct err *e) ERR_MUST_USE;

/* One open conflict, as store_conflicts() reports it. */
struct store_conflict {
	struct id record;
	const struct schema_collection *coll;
	enum merge_conflict_kind kind;
	const char *field;         /* NULL for a rule conflict */
	const char *reason;        /* rule conflicts: the rule's message
				      (a step's or a cap's: valid during
				      the callback only) */
	struct store_candidate {
		const json_t *value;  /* borrowed */
		uint64_t hlc;         /* when */
		struct id node;       /* where */
		const char *operator; /* who ("" when not known) */
	} current, other;          /* field: the value in force and the other
				      candidate; delete: the delete and the
				      concurrent edit */
	enum merge_form form;      /* how it is settled: a field (--pick or a
				      value), keep-deleted or undelete (also
				      a field conflict on "_deleted", two
				      nodes having settled a delete
				      differently), a value for the rule, or
				      for a cap its children pass: a
				      reversal entry or a higher cap */
};

typedef int (*store_conflict_fn)(void *ctx, const struct store_conflict *c);

/* The open conflicts of one record (id) or of all (id NULL), record by
 * record in a canonical order. */
int store_conflicts(struct store *s, const struct id *id,
		    store_conflict_fn fn, void *ctx,
		    struct err *e) ERR_MUST_USE;

/*
 * Settle a field: value (one of the candidates, or a new one) becomes the
 * field's value, superseding every candidate; the resolution is a change
 * like any other and closes the conflict wherever it arrives.  Refused
 * (ERR_INVALID) while the record is deleted: its deletion is settled
 * first (store_resolve_delete()).
 */
int store_resolve(struct store *s, const struct id *id, const char *field,
		  const json_t *value, struct store_put_result *res,
		  struct err *e) ERR_MUST_USE;

/* Settle a delete-vs-edit conflict, or the conflict on the deletion
 * marker that concurrent keep-deleted and undelete leave: keep the record
 * deleted (having seen the edits), or undelete it with the edits.
 * ERR_INVALID when the record is neither deleted nor in such a
 * conflict (merge_resolvable()). */
int store_resolve_delete(struct store *s, const struct id *id,
			 int keep_deleted, struct err *e) ERR_MUST_USE;

/*
 * Purge a settled tombstone (deleted, no open conflict): its values and
 * history are removed and only its id is kept, so that a change arriving
 * later for it (from a node that never saw the delete) is refused rather
 * than bringing it back.  Sync calls it once every node of the record's
 * scope has acknowledged the delete.  ERR_NOTFOUND, ERR_INVALID.
 */
int store_purge(struct store *s, const struct id *id,
		struct err *e) ERR_MUST_USE;

/* *purged = 1 when id is a purged tombstone. */
int store_purged(struct store *s, const struct id *id, int *purged,
		 struct err *e) ERR_MUST_USE;

/* ---- secrets (store_secret.c) ---- */

#define STORE_SECRET_MAX 256     /* bytes of one secret */
#define STORE_SECRET_NAME_MAX 32

/*
 * Keep a small secret (the node's signing seed) sealed under the data key,
 * replacing one of the same name; key rotation re-seals it.  get copies at
 * most max bytes into out (the caller wipes it) and sets *len; both need
 * an unlocked store.  ERR_NOTFOUND, ERR_CORRUPT.
 */
int store_secret_put(struct store *s, const char *name, const uint8_t *data,
		     size_t len, struct err *e) ERR_MUST_USE;
int store_secret_get(struct store *s, const char *name, uint8_t *out,
		     size_t max, size_t *len, struct err *e) ERR_MUST_USE;

/*
 * Memos: what a view derives from every record (the web interface's home
 * figures), kept sealed under the data key, bound to name ([a-z0-9_],
 * at most STORE_MEMO_NAME_MAX), so that the view reads it and the changes
 * made since instead of every record.  The view puts the change-log
 * position it reflects inside the memo.  A memo is a cache: key rotation
 * drops every memo, and one that does not open (a retired key, an altered
 * row) is ERR_NOTFOUND like a missing one.  get returns a malloc'd copy
 * (NUL-terminated after len bytes) that the caller releases with
 * store_memo_free(), which wipes it: memos may hold personal data.
 * Both need an unlocked store.  ERR_INVALID (name, size), ERR_NOMEM.
 */
#define STORE_MEMO_NAME_MAX 32
#define STORE_MEMO_MAX (64u << 20)
int store_memo_put(struct store *s, const char *name, const uint8_t *data,
		   size_t len, struct err *e) ERR_MUST_USE;
int store_memo_get(struct store *s, const char *name, uint8_t **data,
		   size_t *len, struct err *e) ERR_MUST_USE;
void store_memo_free(uint8_t *data, size_t len);

/* A change refused whole or in part, kept after its log entry went (a
 * node: its own, purged with its case; the hub: a peer's, refused whole)
 * or still in the log (a node's rejection). */
struct store_refused {
	uint64_t seq;                         /* node: its log number */
	const char *peer;                     /* hub: the peer's name, or
						 NULL */
	uint64_t oseq;                        /* number where it was made */
	struct id record;
	const struct schema_collection *coll;
	enum store_change_kind kind;
	char operator[KEYSLOT_OPERATOR_MAX];
	uint64_t hlc;                         /* when it was made */
	const char *reason;
	int64_t at;                           /* unix s kept (0: in log) */
	json_t *fields;                       /* with values only */
};

typedef int (*store_refused_fn)(void *ctx, const struct store_refused *r);

/* Every refused change: the rejections of the log, then the kept ones, in
 * order.  with_values: the values opened (unlocked store). */
int store_refused_list(struct store *s, int with_values, store_refused_fn fn,
		       void *ctx, struct err *e) ERR_MUST_USE;

/* The highest change-log sequence number (0 when empty). */
int store_last_seq(struct store *s, uint64_t *seq, struct err *e) ERR_MUST_USE;

/* The highest sequence number this node ever gave, including entries
 * evicted or forgotten since (its own changes are numbered by it). */
int store_seq_high(struct store *s, uint64_t *seq, struct err *e) ERR_MUST_USE;

/* ---- status and checks ---- */

#define STORE_STATUS_COLLECTIONS 32

struct store_status {
	struct id node_id;
	char name[STORE_NAME_MAX];
	enum store_role role;
	uint64_t records;          /* live records */
	uint64_t deleted;          /* tombstones */
	uint64_t changes;          /* change-log entries */
	uint64_t last_seq;         /* highest local sequence number */
	uint64_t hlc;              /* clock's last value */
	uint32_t key_gen;          /* data key in use */
	int rotating;              /* a key rotation is unfinished */
	uint64_t operators;        /* key slots */
	uint64_t conflicted;       /* records with open conflicts */
	uint64_t rejected;         /* changes refused, whole or in part */
	int schema_version;        /* PRAGMA user_version */
	size_t ncoll;
	struct {
		const struct schema_collection *coll;
		uint64_t live, deleted;
	} coll[STORE_STATUS_COLLECTIONS];
};

/* How many times records left this store without a change of their own
 * (an eviction, a purged tombstone, a start-over): a view that keeps what
 * it derived (a memo) builds it again when this moved. */
int store_removals(struct store *s, uint64_t *n, struct err *e) ERR_MUST_USE;

int store_status(struct store *s, struct store_status *out,
		 struct err *e) ERR_MUST_USE;

/*
 * Check the database (PRAGMA integrity_check) and, when unlocked, that every
 * sealed value opens, and that the last schema upgrade re-derived every
 * record (STORE_CK_SCHEMA_FAILED).  ERR_CORRUPT with the first problem
 * (naming the record); *bad, when not NULL, counts the records that
 * failed.
 */
int store_verify(struct store *s, uint64_t *bad, struct err *e) ERR_MUST_USE;

/* ---- operators and keys (store_keys.c) ---- */

/* Several operators signed in to one process at once, each handle acting
 * as one of them, and signing one out: node/store_session.h. */

/*
 * Operators are managed by a role that manages them (coordinatore on a
 * node, focal_point on the hub: access_manages_operators()); others get
 * ERR_DENIED.  A store made by store_init() gives its first operator
 * secret->role, by default that role (focal_point on a hub, else
 * coordinatore).  A store made before roles gives every slot that role at
 * its first unlock, which changes nothing of what they could do; the
 * coordinatore then sets each one's (store_operator_set_role()).
 */

/* Add a slot for secret->operator (unlocked store) with role
 * secret->role: required for a passphrase; a key file's default is
 * servizio.  ERR_EXISTS, ERR_INVALID (unknown role), ERR_DENIED. */
int store_operator_add(struct store *s, const struct store_secret *secret,
		       struct err *e) ERR_MUST_USE;

/* Remove an operator's slot.  Refuses to remove the last slot.
 * ERR_NOTFOUND, ERR_DENIED. */
int store_operator_remove(struct store *s, const char *operator,
			  struct err *e) ERR_MUST_USE;

/* The role of operator (its key slot's, checked under the slot's MAC)
 * into role (KEYSLOT_ROLE_MAX bytes).  ERR_NOTFOUND (no such operator),
 * ERR_CORRUPT (the slot fails), ERR_AUTH while locked. */
int store_operator_role_of(struct store *s, const char *operator,
			   char *role, struct err *e) ERR_MUST_USE;

/* Give operator the role named role.  Refuses to take the last role that
 * manages operators away (ERR_CONFLICT).  ERR_NOTFOUND, ERR_INVALID,
 * ERR_DENIED.  A handle acting for operator keeps the role it had until
 * it unlocks again. */
int store_operator_set_role(struct store *s, const char *operator,
			    const char *role, struct err *e) ERR_MUST_USE;

/* Change the unlocked operator's passphrase (or key file bytes). */
int store_operator_passwd(struct store *s, const uint8_t *secret, size_t len,
			  struct err *e) ERR_MUST_USE;

/* role: the stored name, "" for a slot not yet given one. */
typedef int (*store_operator_fn)(void *ctx, const char *operator,
				 enum keyslot_kind kind, const char *role);

int store_operator_list(struct store *s, store_operator_fn fn, void *ctx,
			struct err *e) ERR_MUST_USE;

typedef void (*store_progress_fn)(void *ctx, uint64_t done, uint64_t total);

/*
 * Re-encrypt everything under a new data key (unlocked store).  Works in
 * batches of committed transactions: a crash leaves a mix of old and new
 * boxes, all readable, and the next call resumes.  The old key is
 * destroyed only when nothing uses it.  progress may be NULL.
 */
int store_key_rotate(struct store *s, store_progress_fn progress, void *ctx,
		     struct err *e) ERR_MUST_USE;

#endif
