/*
 * store_audit.h - the audit trail: who read and wrote a person's data,
 * and the break-the-glass grants (node/store_audit.c, store_glass.c).
 *
 * An entry says which operator, with which role, on which node, when,
 * did what (read, history, export, create, update, delete, resolve,
 * glass) to which record or collection, and why (its purpose).  It
 * carries ids, never values.  The store writes an entry for every write
 * made here, in the write's own transaction; the views write one for every
 * read of a person's data they hand out (a record opened, a case, a
 * history, an export: view/), through store_audit_note().
 *
 * Entries are numbered per node from 1 and chained: each one's hash is
 * BLAKE2b-256 over the entry and the hash of the node's entry before it,
 * and its row carries a MAC (node/store_mac.c) over node, number and
 * hash.  So removing, altering or moving an entry breaks the chain, and
 * only someone who can unlock could write a new one
 * (store_audit_verify()).  A node sends its own entries to the hub after
 * each push (sync/README.md, "Audit"); the hub checks that each one
 * continues the chain it holds for that node and keeps them, never
 * purged.
 *
 * Reading the trail is for the coordinatore of a node and the Focal
 * Point on the hub (ERR_DENIED for others).
 *
 * Break-the-glass: an operator whose role may not read some of a
 * record's fields may open that record in full by stating a reason
 * (store_glass_open()), until a set time; the grant and every read under
 * it are flagged in the trail (glass), for the coordinator to see.
 */
#ifndef PRESIDIO_STORE_AUDIT_H
#define PRESIDIO_STORE_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "common/id.h"
#include "node/store.h"

#define STORE_AUDIT_HASHBYTES 32
#define STORE_AUDIT_WORD_MAX 24 /* action, purpose: [a-z_], 1..23 */

/* Purposes (why): the work on the person's path, reports and exports,
 * and the break-the-glass reasons (STORE_GLASS_REASONS). */
#define STORE_AUDIT_CARE "presa_in_carico"
#define STORE_AUDIT_REPORT "rendicontazione"

struct store_audit_entry {
	struct id node;           /* whose entry */
	uint64_t nseq;            /* its number there, from 1 */
	uint64_t at;              /* unix ms */
	char operator[KEYSLOT_OPERATOR_MAX];
	char role[KEYSLOT_ROLE_MAX];
	char action[STORE_AUDIT_WORD_MAX];
	uint16_t coll;            /* collection id, 0: none */
	int has_record;
	struct id record;         /* when has_record */
	uint64_t count;           /* records covered */
	uint64_t chg;             /* the change a write made, by its number
				     at the entry's node; 0: none or not
				     known.  Not hashed: where it is given,
				     it names the record again
				     (sync/audit_wire.h, format 4) */
	char purpose[STORE_AUDIT_WORD_MAX];
	int glass;                /* under break-the-glass */
	uint8_t prev[STORE_AUDIT_HASHBYTES]; /* zeros for the first */
	uint8_t hash[STORE_AUDIT_HASHBYTES];
};

/* The hash of a as chained (its prev included): into out. */
void store_audit_hash(const struct store_audit_entry *a,
		      uint8_t out[STORE_AUDIT_HASHBYTES]);

/* 1 when a is an anchor (store_audit_align()): the chain starts again
 * from it, its hash another entry's. */
int store_audit_is_anchor(const struct store_audit_entry *a);

/* 0 when a's words are well formed (action and purpose [a-z_], operator
 * a valid name, role "" or a known role) and its hash is its own, else
 * ERR_INVALID naming what: for entries from outside (the hub). */
int store_audit_check(const struct store_audit_entry *a,
		      struct err *e) ERR_MUST_USE;

/*
 * An entry by the unlocked operator: action on record (NULL: none) of
 * collection c (NULL: none), covering count records, for purpose.
 * Flagged glass when a live grant of the operator covers record.  In the
 * open transaction, else its own.  0, ERR_INVALID (a word), an ERR_* of
 * the store.  A view that hands out data whose reading cannot be noted
 * hands out nothing.
 */
int store_audit_note(struct store *s, const char *action,
		     const struct schema_collection *c, const struct id *record,
		     uint64_t count, const char *purpose,
		     struct err *e) ERR_MUST_USE;

typedef int (*store_audit_fn)(void *ctx, const struct store_audit_entry *a);

struct store_audit_filter {
	const struct id *record; /* only entries naming it; NULL: all */
	const char *operator;    /* only its entries; NULL: all */
	int glass_only;          /* only break-the-glass entries */
	size_t limit;            /* the latest limit (in order); 0: all */
};

/* Entries in order (node, then number), filtered; for a role that reads
 * the trail (coordinatore, focal_point), else ERR_DENIED. */
int store_audit_list(struct store *s, const struct store_audit_filter *f,
		     store_audit_fn fn, void *ctx, struct err *e) ERR_MUST_USE;

/*
 * Check every node's chain held here: numbers from 1 without a gap,
 * each prev the hash before, each hash its entry's, each row's MAC, and
 * this node's last entry the one its checkpoint names (a tail removed).
 * *entries counts them.  ERR_CORRUPT naming the node and the number.
 */
int store_audit_verify(struct store *s, uint64_t *entries,
		       struct err *e) ERR_MUST_USE;

/* ---- sync ---- */

/* This node's own entries numbered after after, at most limit, in
 * order (for the push to the hub; no role check: the node's own work).
 * An entry's chg is given only where this node holds the change it
 * names, made here and writing the entry's record: a number planted on
 * the disk names nothing. */
int store_audit_own(struct store *s, uint64_t after, size_t limit,
		    store_audit_fn fn, void *ctx, struct err *e) ERR_MUST_USE;

/* This node's last own entry number (0: none). */
int store_audit_own_last(struct store *s, uint64_t *nseq,
			 struct err *e) ERR_MUST_USE;

/* The hub: the last number held of node's entries (0: none), and its
 * hash (zeros: none; hash may be NULL). */
int store_audit_last(struct store *s, const struct id *node, uint64_t *nseq,
		     uint8_t *hash, struct err *e) ERR_MUST_USE;

/*
 * A node whose own trail is behind what the hub holds of it (restored
 * from a backup, its files copied back): the hub holds up to hub_last,
 * whose hash is hub_hash, and the hub had acknowledged up to acked
 * (the node's own record of it, as old as its files).  When the node's
 * entry hub_last is not the hub's (or it has none) and acked is below
 * hub_last, its entries after acked, which the hub never took, are moved
 * after hub_last: an "anchor" entry holding the hub's hash at hub_last
 * (the entries between acked and it are the hub's, not here), then
 * those entries numbered on and chained from it.  *moved says how many
 * moved (0: nothing to do).  Otherwise nothing changes: a trail that
 * differs from the hub's where it should not is for the hub to refuse.
 * store_audit_verify() takes an anchor's number and hash as the chain's
 * new start.
 */
int store_audit_align(struct store *s, uint64_t hub_last,
		      const uint8_t hub_hash[STORE_AUDIT_HASHBYTES],
		      uint64_t acked, uint64_t *moved,
		      struct err *e) ERR_MUST_USE;

/* The hub: the record that node's change numbered chg (its seq there)
 * wrote, as pushed here (an audit page of format 4 names it so).
 * ERR_NOTFOUND when this store holds no such change. */
int store_audit_change_record(struct store *s, const struct id *node,
			      uint64_t chg, struct id *record,
			      struct err *e) ERR_MUST_USE;

/* The hub: keep a (node's entry), which must continue node's chain held
 * here: its number the next, its prev the last hash (ERR_CONFLICT
 * otherwise, nothing kept); an entry held already with the same hash is
 * no change.  An anchor past the last number is kept as the chain's new
 * start: the entries between are lost on both sides (the caller logs
 * it).  store_audit_check() first (ERR_INVALID). */
int store_audit_receive(struct store *s, const struct store_audit_entry *a,
			struct err *e) ERR_MUST_USE;

/* store_audit_receive() of n entries of one node, in order, kept all or
 * none (ERR_INVALID when they are of several nodes).  *anchor (when not
 * NULL) is the number of the last anchor kept, 0 when none. */
int store_audit_receive_page(struct store *s,
			     const struct store_audit_entry *a, size_t n,
			     uint64_t *anchor, struct err *e) ERR_MUST_USE;

/* ---- break-the-glass (store_glass.c) ---- */

/* The reasons an operator may state, NULL-terminated, and their Italian
 * labels (parallel). */
extern const char *const store_glass_reasons[];
extern const char *const store_glass_reason_labels[];

#define STORE_GLASS_MINUTES_MAX 480

/*
 * The unlocked operator opens record in full for minutes (1 to
 * STORE_GLASS_MINUTES_MAX), for reason (one of store_glass_reasons):
 * reads of it by this operator leave nothing out until then, each one
 * flagged in the trail, as the grant is (action "glass", purpose the
 * reason).  Only for a role that may not read every group (ERR_INVALID
 * for one that does: nothing to open).  *expires (may be NULL): unix ms.
 */
int store_glass_open(struct store *s, const struct id *record,
		     const char *reason, unsigned minutes, uint64_t *expires,
		     struct err *e) ERR_MUST_USE;

/* 1 when a live grant of the unlocked operator covers record. */
int store_glass_covers(struct store *s, const struct id *record);

#endif
