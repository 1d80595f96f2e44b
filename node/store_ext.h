/*
 * store_ext.h - what the store offers the modules built on its database
 * (the hub's registry, registry/): transactions and savepoints, the
 * unlocked state, node rows, record rows as read for writing, the change
 * log's walker, sealing, the rules a written change keeps (references,
 * scope, procedure steps), and row MACs.
 * Not for sync/ or the commands: they use node/store.h.  Statements are
 * run through node/store_sql.h.
 *
 * Defined in the store's files (node/store_int.h maps them); a module
 * using these runs inside the store's transactions and must keep the
 * store's rules: a protected row is checked before it is changed and
 * authenticated again after (the MAC section below).
 */
#ifndef PRESIDIO_STORE_EXT_H
#define PRESIDIO_STORE_EXT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "common/id.h"
#include "conflict/version.h"
#include "node/store.h"
#include "node/store_sql.h"

/*
 * Start a write: a transaction (BEGIN IMMEDIATE) when none is open,
 * refreshing what another process may have changed (clock, next sequence
 * number, data keys after a rotation); inside a group opened by
 * store_begin(), a savepoint, so that a failed write leaves nothing of
 * itself in the group; inside a group opened by store_begin_whole(),
 * nothing (the group stands or falls whole: a failed write marks it, and
 * it cannot commit).  *opened says which (TX_OPENED, TX_SAVEPOINT,
 * TX_WHOLE); the caller ends it with store_tx_end(), which commits or
 * releases on rc 0 and rolls back otherwise.
 */
#define TX_OPENED    1
#define TX_SAVEPOINT 2
#define TX_WHOLE     3
int store_tx_begin(struct store *s, int *opened, struct err *e);
int store_tx_end(struct store *s, int opened, int rc, struct err *e);

/* 0 when unlocked, else ERR_AUTH with a message. */
int store_require_unlocked(struct store *s, struct err *e);

/* Find or create the node row of a node id. */
int store_node_ensure(struct store *s, const struct id *node, int64_t *idx,
		      struct err *e);

/* Load the data keys of the unlocked slot that are not loaded yet. */
int store_keys_refresh(struct store *s, struct err *e);

/* The data key generation writes seal under; 0 while locked. */
uint32_t store_key_gen(const struct store *s);

/* 1 inside a transaction or group of this handle (store_begin(),
 * store_tx_begin()). */
int store_in_tx(const struct store *s);

/*
 * What this handle last saw of the file: *instance, a number no other
 * handle of this process has (a handle closed and another opened at its
 * address differ), and *stamp, which changes whenever another connection
 * commits to the file (another process, or another handle of this one:
 * PRAGMA data_version) and never for this handle's own writes.  A module
 * that checked rows on this handle (their MACs) need not check them again
 * while both are the same: nothing but its own writes, MAC'd, touched
 * the file since.  0 or ERR_IO.
 */
int store_file_stamp(struct store *s, uint64_t *instance, uint64_t *stamp,
		     struct err *e) ERR_MUST_USE;

/* Columns of a change-log row as store_walk_changes() reads them. */
#define STORE_CHANGE_COLUMNS                                                   \
	STORE_CHANGE_COLUMNS_OSEQ("coalesce(c.oseq, c.seq)")
/* The same with the origin sequence number as the expression oseq, for a
 * query that knows which it is: a walk ordered by it then reads an index
 * in order instead of sorting every row after the cursor. */
#define STORE_CHANGE_COLUMNS_OSEQ(oseq)                                        \
	"SELECT c.seq, r.id, r.coll, c.kind, n.id, " oseq ", "                 \
	"c.actor, c.hlc, c.vers, c.prev, c.body, c.seen FROM change c "        \
	"JOIN record r ON r.rid = c.rid JOIN node n ON n.idx = c.origin "

/* Step st (STORE_CHANGE_COLUMNS rows) calling fn for each entry, then
 * end it (store_q_end()).  A building block of walks: ERR_STOP from fn
 * is returned as it is, for the walk that called it to turn into 0
 * (err_walk_end()) once every level it nests has stopped. */
int store_walk_changes(struct store *s, struct store_q *st, int with_values,
		       store_change_fn fn, void *ctx, size_t *rows,
		       struct err *e);

/* Associated data of a sealed body: domain, record id, collection, the
 * encoded version set, and the encoded previous versions (NULL, or an
 * empty set, binds none: records, and creates, whose box they share).
 * Caller frees *ad. */
int store_body_ad(const struct id *id, uint16_t coll, const uint8_t *vers,
		  size_t verslen, const uint8_t *prev, size_t prevlen,
		  uint8_t **ad, size_t *adlen);

/* Seal a JSON object under owner's key (node/store_pkey.h; made when
 * missing, ERR_GONE for an erased person) or, owner NULL, under the
 * data key; *box is malloc'd, caller frees.  The serialised plaintext is
 * wiped before it is freed.  Opening tells the two apart by the box. */
int store_seal_json(struct store *s, const struct id *owner, const json_t *obj,
		    const uint8_t *ad, size_t adlen, uint8_t **box,
		    size_t *boxlen, struct err *e);

/* The 16 bytes a refusal kept on the hub is bound by (its box's
 * associated data, instead of versions): peer and origin sequence. */
void store_refused_binding(int64_t peer, uint64_t oseq, uint8_t out[16]);

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

void store_row_release(struct store_row *l);

/* Read and open record id; l->exists = 0 when there is none. */
int store_row_load(struct store *s, const struct id *id, struct store_row *l,
		   struct err *e);
/* Whether record id has a row, without opening it (*exists 0 or 1). */
int store_row_exists(struct store *s, const struct id *id, int *exists,
		     struct err *e);

struct scope_peer;

/*
 * The references fields sets (those that differ from cur, the record's
 * current values, NULL for a create) must name a live record of their
 * declared collection; one not held here passes unless must_hold; and a
 * SCHEMA_FIXED field of an existing record may not differ from cur.  why
 * (n bytes) is "" when they do, else the reason naming the field.
 * Returns 0 or an ERR_* of the database.
 */
int store_check_refs(struct store *s, const struct schema_collection *c,
		     const json_t *cur, const json_t *fields, int must_hold,
		     char *why, size_t n, struct err *e) ERR_MUST_USE;

/* 1 when fields sets a reference, writes a SCHEMA_FIXED field or a scope
 * field of c: a change that writes none needs no check of
 * store_check_refs() or store_check_scope(). */
int store_check_writes(const struct schema_collection *c,
		       const json_t *fields);

/* The scope fields of a case (conflict/scope.h) written by node w: why is
 * "" when allowed, else the reason naming the field. */
void store_check_scope(const struct schema_collection *c,
		       const struct scope_peer *w, const json_t *cur,
		       const json_t *fields, char *why, size_t n);

/* ---- the rules over more than one record (node/store_rule.h) ---- */

/* Room for a role name: "hub" or a node's kind (SCOPE_KIND_*). */
#define STORE_ROLE_TEXT_MAX 16

/* The node that pushed a change the hub judges
 * (store_rule_check_incoming()). */
struct store_pusher {
	const char *role; /* its kind (SCOPE_KIND_*) */
	struct id node;   /* its node id */
	/* *refused 1 when the hub refused whole the change the node made
	 * with version time hlc (the registry's record of refusals); NULL:
	 * none ever is. */
	int (*refused)(void *ctx, struct store *s, uint64_t hlc, int *refused,
		       struct err *e);
	void *ctx;
};

/*
 * Hub: a change pushed by node w, judged for the steps of its procedure
 * fields (schema/rule.h) and what they require (struct
 * schema_requirement, on the hub's records).  The hub receives a node's
 * changes in order, so every earlier version of the node's own that a
 * change names is here, or was refused whole; refused (why gets the
 * reason, for registry_peer_refuse()):
 *   - a create naming earlier versions of a procedure field (a new
 *     record has none);
 *   - a change naming, for a procedure field, an earlier version of the
 *     pushing node's own that the hub neither holds nor refused, or one
 *     of the hub's own it does not hold (a forged origin would let any
 *     step pass).  An earlier version the hub does not hold otherwise
 *     (the node's that the hub refused whole, another node's) tells no
 *     step: the step is judged from the hub's current value;
 *   - a step declared but not open to w's role, or whose requirements do
 *     not hold, from any earlier value named (for a resolution, from
 *     every one: it settles on one of them).  Every named value, not the
 *     hub's winner: the winner may hold a concurrent step the node never
 *     saw, which the merge judges.
 *   - a step nobody declared taken by a create, or by a change naming no
 *     earlier value of the field when the hub holds none either: nothing
 *     concurrent there for the merge to weigh;
 *   - before its steps, a change the collection's quota refuses on the
 *     hub's data (store_require_incoming_quota(), node/store_require.h:
 *     a create, undelete or change of the group or skip field past the
 *     allocation; a change of the group field by a node).
 * An undeclared step from a value the node saw, or from none while the
 * hub holds a value the change did not see (concurrent), is not refused
 * here: the merge makes it a rule conflict.  why (n bytes) is "" when
 * the change passes.  Returns 0 or an ERR_* of the database.
 */
int store_rule_check_incoming(struct store *s, const struct store_pusher *w,
			      const struct schema_collection *c,
			      const struct store_incoming *in, char *why,
			      size_t n, struct err *e) ERR_MUST_USE;

/* ---- quotas (struct schema_quota, node/store_require.h) ---- */

/*
 * The limit of group (a value of c->quota->group) of collection c, as the
 * one who configures it (the hub's registry) keeps it: *has 0 when the
 * group has none (then there is no limit), else *limit.  Runs inside the
 * write's transaction, on the store s it judges.  0 or an ERR_*.
 */
typedef int (*store_quota_fn)(void *ctx, struct store *s,
			      const struct schema_collection *c,
			      const char *group, int64_t *limit, int *has,
			      struct err *e);

/* Have local writes of s (and its clones) keep the quotas of the
 * collections that declare one, with the limits fn gives; NULL: no limit
 * (the default, and every node's: only the hub counts). */
void store_set_quota_hook(struct store *s, store_quota_fn fn, void *ctx);

/* How many live records of c count in group of c's quota (skip: a record
 * not counted, or NULL), each opened and its row checked under its MAC
 * (ERR_AUTH when one fails).  0 or an ERR_*. */
int store_quota_used(struct store *s, const struct schema_collection *c,
		     const char *group, const struct id *skip, int64_t *used,
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
	STORE_MAC_ALLOCATION,
	STORE_MAC_AUDIT,
	STORE_MAC_GLASS,
	STORE_MAC_TABLES
};

/* The columns each MAC covers, in order (last_contact of a peer is not:
 * it changes with every request and decides nothing). */
#define STORE_MAC_COLS_PEER                                                    \
	"idx, name, kind, region, node_id, pk, token_hash, token_expires, "    \
	"revoked, record_cap, created, push_ack, pull_ack, rebootstrap"
#define STORE_MAC_COLS_ALLOCATION "coll, grp, allocated"
/* An audit entry's hash covers the rest of it (node/store_audit.c). */
#define STORE_MAC_COLS_AUDIT "node, nseq, hash"
#define STORE_MAC_COLS_GLASS "id, operator, record, reason, granted, expires"
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

/* Re-authenticate one row of t: key k (?1), kb/kblen (?2 blob, or ?3 text
 * for meta).  No-op while locked. */
int store_mac_reseal(struct store *s, enum store_mac_table t, int64_t k,
		     const void *kb, int kblen, struct err *e);

/* 0 when the row passes or does not exist (or the store is locked),
 * ERR_AUTH naming the table when it fails. */
int store_mac_check(struct store *s, enum store_mac_table t, int64_t k,
		    const void *kb, int kblen, struct err *e);

#endif
