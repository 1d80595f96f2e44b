/*
 * store_sync.h - a node's sync state, kept in its store: the hub it is
 * enrolled with (address, identity, pinned key), its own entries as push
 * sends them, the refusals of them the hub reported, and what leaves the
 * node when a case leaves its scope (evictions, held back while the hub
 * lacks an edit of the node's; a re-bootstrap forgetting everything).
 * Used by sync/ (and the commands that enroll and report); the records
 * themselves are node/store.h's.  Written in the same transactions as the
 * records they describe, so a cursor never runs ahead of the data.
 *
 * Owns the tables remote, rejection, eviction and evict_pending; nothing
 * of the hub's registry (registry/registry.h).
 */
#ifndef PRESIDIO_STORE_SYNC_H
#define PRESIDIO_STORE_SYNC_H

#include "node/store.h"

#define STORE_URL_MAX 512
#define STORE_PATH_MAX 512

/* The hub this node is enrolled with. */
struct store_remote {
	char url[STORE_URL_MAX];       /* https://host:port */
	struct id hub_id;              /* the hub's node id */
	uint8_t hub_pk[STORE_SIGN_PKBYTES]; /* its Ed25519 public key */
	char ca_file[STORE_PATH_MAX];  /* CA bundle, "" for none */
	char pin[128];                 /* pinned key "sha256//...", or "" */
	char name[STORE_NAME_MAX];     /* this node's name at the hub */
	char kind[16];                 /* polo, pda, attuatore */
	char region[32];
	int64_t enrolled;              /* unix seconds */
};

/* ERR_NOTFOUND when the node is not enrolled. */
int store_remote_get(struct store *s, struct store_remote *out,
		     struct err *e) ERR_MUST_USE;

/* The same for callers to whom "not enrolled" is no failure: 0 with
 * *found 0 then (out zeroed). */
int store_remote_find(struct store *s, struct store_remote *out, int *found,
		      struct err *e) ERR_MUST_USE;
int store_remote_set(struct store *s, const struct store_remote *r,
		     struct err *e) ERR_MUST_USE;

/* This node's own entries with own number > after, in that order, at
 * most limit, with values parsed or as text (with_values, store.h; push
 * sends the text as it was sealed, with no parse and dump between): what
 * push sends.  Own: made here (their number is seq), or made here and
 * come back from the hub after a restore, a rebuild or a move-in (their
 * number is origin_seq), so that a hub restored from an older backup
 * gets them again. */
int store_log_own(struct store *s, uint64_t after, size_t limit,
		  int with_values, store_change_fn fn, void *ctx,
		  struct err *e) ERR_MUST_USE;

/* How many own entries have an own number > after. */
int store_log_own_count(struct store *s, uint64_t after, uint64_t *n,
			struct err *e) ERR_MUST_USE;

/* Record that change seq of this log was refused, whole or in part
 * (the merge refused fields of a received one).  Shown by status. */
int store_reject_own(struct store *s, uint64_t seq, const char *reason,
		     struct err *e) ERR_MUST_USE;

/* The same for this node's own change with own number number, as the
 * hub names it in a push's answer: its seq when made here, its origin
 * sequence when it came back from the hub (store_log_own()). */
int store_reject_own_number(struct store *s, uint64_t number,
			    const char *reason, struct err *e) ERR_MUST_USE;

/*
 * Remove a record and every record that follows it (its children by
 * parent) from this node: the case left the node's scope.  Not a delete:
 * nothing is logged as a change, the records simply are no longer held;
 * the eviction itself is logged (table eviction).  Sequence numbers are
 * never reused afterwards.  *removed counts the records (0 when none was
 * here).
 */
int store_evict(struct store *s, const struct id *root, uint64_t *removed,
		struct err *e) ERR_MUST_USE;

/*
 * store_evict() unless the records hold own changes after pushed (the
 * sequence number the hub acknowledged): those are not on the hub yet, so
 * the purge is held back (*deferred = 1, kept in evict_pending) and done by
 * store_evict_pending() once the hub has them.  A refusal never leaves
 * with a purge: store_evict() keeps each refused change (store_refused_*).
 */
int store_evict_after(struct store *s, const struct id *root, uint64_t pushed,
		      uint64_t *removed, int *deferred,
		      struct err *e) ERR_MUST_USE;

/* Do the held-back purges whose records hold no own change after pushed
 * any more; *removed counts the records. */
int store_evict_pending(struct store *s, uint64_t pushed, uint64_t *removed,
			struct err *e) ERR_MUST_USE;

/* A change for record id arrived from the hub after a held-back purge of
 * it or of its parent: the case is in scope again, the purge is off. */
int store_evict_cancel(struct store *s, const struct id *id,
		       struct err *e) ERR_MUST_USE;

/* Held-back purges (0 when none: the pull skips store_evict_cancel()). */
int store_evict_pending_count(struct store *s, uint64_t *n,
			      struct err *e) ERR_MUST_USE;

/* Forget every record, change and conflict (a re-bootstrap: the hub has
 * all this node made, which was pushed first).  Refused (ERR_CONFLICT,
 * nothing forgotten) when a change of this node after pushed, its own
 * sequence number the hub acknowledged, exists: it was made meanwhile and
 * is not on the hub yet.  Keys, operators, the enrollment and sequence
 * numbers stay. */
int store_forget_all(struct store *s, uint64_t pushed,
		     struct err *e) ERR_MUST_USE;

#endif
