/*
 * registry.h - the hub's registry of the nodes it serves, kept in the
 * hub's store next to its records: peers (name, kind, region, node id and
 * public key, revocation, record cap), enrollment tokens (only their
 * hashes), request nonces (replay protection), the cursors each peer
 * acknowledged, the scope index (which peer sees which case, and the
 * scope events when that changes), the log as one peer may see it, the
 * hand-over check for a change made while its node still held a case, the
 * changes refused whole, and the tombstone sweep.
 *
 * Layered between sync/ and the record store (node/store.h): every
 * function takes the hub's store handle and runs in its transactions
 * (store_begin() groups them with record writes).  The registry learns of
 * record writes through the store's write hook, which registry_attach()
 * installs: a hub's handle is attached when it is opened, and its clones
 * inherit the hook.  Which records are scope roots, subjects and parents
 * comes from the schema's declarations (schema/schema.h), never from a
 * collection's name.
 *
 * Owns the tables peer, nonce, refusal, peer_rebuild, scope_case,
 * scope_member, scope_event, scope_key, allocation and the hub's rows of
 * refused;
 * the records, the log, keys and checkpoints are the store's.  The
 * allocation gives the limits of the collections that declare a quota
 * (struct schema_quota: dotes per partner) through the store's quota
 * hook, which registry_attach() installs too.
 */
#ifndef PRESIDIO_REGISTRY_H
#define PRESIDIO_REGISTRY_H

#include "node/store.h"

/*
 * Install the registry's write hook on s (a hub's store): every record
 * written through s from now on keeps the scope index in the same
 * transaction; its quota hook (registry_quota_limit()), so that local
 * writes keep the allocation; and mark s as holding every record
 * (store_set_holds_all()).
 * Call after store_open() on the hub (again is harmless: hub_start()
 * attaches the handle it serves from); store_clone() carries both.
 * Cannot fail.
 */
void registry_attach(struct store *s);

/*
 * Index the whole log by who may see it (table scope_key) when it is not
 * yet, or was for a schema that classed collections otherwise: a hub
 * upgraded from a build without the table, or to a new schema.  Until it
 * ran, pulls judge every entry after their cursor, as that build did;
 * afterwards the write hook keeps the table.  One transaction; s
 * unlocked.  hub_start() calls it, and every command that unlocks a hub.
 */
int registry_scope_key_sync(struct store *s, struct err *e) ERR_MUST_USE;

/*
 * Count the log's entries missing their row of scope_key (a pull would
 * not send them) into *missing: ERR_CORRUPT naming the table when any is.
 * `presidio verify` calls it on the hub.
 */
int registry_scope_key_verify(struct store *s, uint64_t *missing,
			      struct err *e) ERR_MUST_USE;

/* ---- the nodes the hub serves (registry_peer.c) ---- */

#define REGISTRY_TOKEN_LEN 40 /* enrollment token: base32 text */

struct registry_peer {
	int64_t idx;
	char name[STORE_NAME_MAX];
	char kind[16];
	char region[32];
	int enrolled;                 /* node_id and pk are set */
	struct id node_id;
	uint8_t pk[STORE_SIGN_PKBYTES];
	int revoked;
	int64_t token_expires;        /* unix seconds; 0 when used */
	int64_t created, last_contact; /* unix seconds; 0 never */
	uint64_t push_ack;            /* its highest change the hub has */
	uint64_t pull_ack;            /* hub change seq it has acknowledged */
	uint64_t record_cap;          /* records it may hold; 0 no cap */
	uint64_t refused;             /* its changes refused whole */
	int rebootstrap;              /* must start over (see sweep) */
	int schema_version;           /* its schema at its last hello or
					 enroll (sync/hub.h); 0 never said */
};

/*
 * Register a node to serve: name ([a-z0-9_-], 1..63), kind (polo, pda,
 * attuatore), region.  token receives a one-time enrollment token
 * (REGISTRY_TOKEN_LEN chars + NUL) valid ttl_s seconds; only its hash is
 * kept.  ERR_EXISTS, ERR_INVALID.
 */
int registry_peer_add(struct store *s, const char *name, const char *kind,
		      const char *region, int64_t ttl_s,
		      char token[REGISTRY_TOKEN_LEN + 1],
		      struct err *e) ERR_MUST_USE;

/* A new token for a node (lost or expired one), which must re-enroll. */
int registry_peer_token(struct store *s, const char *name, int64_t ttl_s,
			char token[REGISTRY_TOKEN_LEN + 1],
			struct err *e) ERR_MUST_USE;

/*
 * Bind the node that presents token to its id and Ed25519 public key; the
 * token is spent.  ERR_AUTH (unknown, spent or expired token, revoked
 * node), ERR_EXISTS (another peer has that node id).
 */
int registry_peer_enroll(struct store *s, const char *token,
			 const struct id *node, const uint8_t *pk,
			 struct registry_peer *out, struct err *e) ERR_MUST_USE;

int registry_peer_by_node(struct store *s, const struct id *node,
			  struct registry_peer *out,
			  struct err *e) ERR_MUST_USE;
int registry_peer_by_name(struct store *s, const char *name,
			  struct registry_peer *out,
			  struct err *e) ERR_MUST_USE;

/* Refuse every later request of the node. */
int registry_peer_revoke(struct store *s, const char *name,
			 struct err *e) ERR_MUST_USE;
int registry_peer_set_cap(struct store *s, const char *name, uint64_t cap,
			  struct err *e) ERR_MUST_USE;

typedef int (*registry_peer_fn)(void *ctx, const struct registry_peer *p);
int registry_peer_list(struct store *s, registry_peer_fn fn, void *ctx,
		       struct err *e) ERR_MUST_USE;

/*
 * A signed request of a peer arrived with time ms and a 16-byte nonce:
 * ERR_CONFLICT when that nonce was seen in the last window_ms (a replay);
 * else it is remembered (nonces older than the window are forgotten) and
 * last contact updated.  The caller has already refused times outside
 * the window.
 */
int registry_peer_nonce(struct store *s, int64_t peer, const uint8_t *nonce,
			int64_t ms, int64_t window_ms,
			struct err *e) ERR_MUST_USE;

/* Record the schema version peer said it runs (enroll, hello). */
int registry_peer_schema(struct store *s, int64_t peer, int version,
			 struct err *e) ERR_MUST_USE;

/* Move a peer's acknowledged cursors forward (never back). */
int registry_peer_ack(struct store *s, int64_t peer, uint64_t push_ack,
		      uint64_t pull_ack, struct err *e) ERR_MUST_USE;

/* Clear a peer's re-bootstrap flag (it is pulling from the start), and
 * have its pulls bring its own entries back up to the log's end now. */
int registry_peer_rebootstrapped(struct store *s, int64_t peer,
				 struct err *e) ERR_MUST_USE;

/* The peer was restored from a backup and holds what it acknowledged up
 * to ack: its pulls bring its own entries back up to the log's end now
 * (peer_rebuild), and its pull_ack goes down to ack. */
int registry_peer_restored(struct store *s, int64_t peer, uint64_t ack,
			   struct err *e) ERR_MUST_USE;

/*
 * A hub restored from a backup (node/store_backup.h, its mark): every
 * enrolled, unrevoked node is marked to start over (*marked counts them)
 * and the mark cleared, in one transaction; nothing when not marked.
 * `hub serve` calls it at start.
 */
int registry_restored_recover(struct store *s, uint64_t *marked,
			      struct err *e) ERR_MUST_USE;

/*
 * Tombstone purge (hub): purge every settled tombstone whose last change
 * every enrolled, unrevoked peer that sees it has acknowledged (pull_ack).
 * A peer silent for more than horizon_s seconds does not hold a purge
 * back: it is marked to re-bootstrap instead (its next pull starts over,
 * after its own changes were pushed), so nothing deleted comes back
 * through it.  *purged counts the records purged.
 */
int registry_tombstone_sweep(struct store *s, int64_t horizon_s,
			     uint64_t *purged, struct err *e) ERR_MUST_USE;

/* Record a change of a peer refused whole (reason: a constant phrase). */
int registry_peer_refuse(struct store *s, int64_t peer, uint64_t oseq,
			 const struct id *record, const char *reason,
			 struct err *e) ERR_MUST_USE;

/* ---- scopes (registry_scope.c, registry_scope_log.c) ---- */

/*
 * A batch's scope decisions taken together: whether the peer sees a case
 * is asked once for all the batch's changes of the case and under it (a
 * pushed case brings its services), until the membership of any case
 * changes (a case written: the answers are asked again).  One a batch
 * and peer, zeroed by registry_scope_memo_init(); caller-owned, holds
 * no pointer.
 */
#define REGISTRY_SCOPE_MEMO 32 /* cases remembered at once */
struct registry_scope_memo {
	uint64_t gen; /* of the case memberships the answers were read at */
	size_t n, next;
	size_t asked, answered; /* questions, and those answered here */
	struct {
		struct id id;
		int visible;
	} e[REGISTRY_SCOPE_MEMO];
};

void registry_scope_memo_init(struct registry_scope_memo *m);

/* 1 in *ok when the peer may write the incoming change: the record is in
 * its scope, or it creates a record that will be; and the subject or
 * parent it names, if any, is one the peer already sees.  memo: the
 * batch's (NULL: every question asked of the database). */
int registry_scope_allows(struct store *s, const struct registry_peer *p,
			  struct registry_scope_memo *memo,
			  const struct store_incoming *in, int *ok,
			  struct err *e) ERR_MUST_USE;

/*
 * The rules a peer's change keeps beyond its scope (node/store_check.c):
 * every reference it sets names a live record of the declared collection
 * held here, and it changes where a case lives (region, assigned nodes)
 * only as conflict/scope.h allows the peer (a new case lists the peer or
 * no one; afterwards only the Punto di Accesso of the case's region), and
 * it takes only procedure steps open to the peer's kind
 * (node/store_ext.h).
 * why (n bytes) is "" when the change passes, else the reason naming the
 * field (no value), for registry_peer_refuse().  0 or an ERR_* of the store.
 */
int registry_check_incoming(struct store *s, const struct registry_peer *p,
			    const struct store_incoming *in, char *why,
			    size_t n, struct err *e) ERR_MUST_USE;

/*
 * 1 in *ok when a change registry_scope_allows() refused was made while the
 * peer still held its case: seen is the hub sequence number the peer had
 * pulled up to when it wrote the change, and the case's next scope event
 * for the peer after seen is its leaving (the change is concurrent with
 * the hand-over, not after it).  The case is the record itself, its
 * parent (the hub's: a change moving it to another case is never taken
 * so), or for a person a case naming it; what the change names must
 * still be seen by the peer.
 */
int registry_scope_held(struct store *s, const struct registry_peer *p,
			const struct store_incoming *in, uint64_t seen, int *ok,
			struct err *e) ERR_MUST_USE;

/* What a pull walks, in the hub's log order. */
struct registry_scope_item {
	uint64_t seq;                     /* hub sequence it belongs to */
	const struct store_change *change; /* an entry, or NULL for: */
	struct id root;                   /* a case that entered (entered
					     1) or left (0) the scope */
	int entered;
	struct id subject;                /* left: the case's subject */
	int has_subject;
	int backfill;                     /* change is history an entering
					     case brings (all at one seq) */
};
typedef int (*registry_scope_fn)(void *ctx,
				 const struct registry_scope_item *it);

/*
 * The peer's view of the log after seq after: its entries in scope (not
 * the ones it made itself), and the moments cases entered or left its
 * scope, in order, up to about limit entries and limit scope events
 * (0: no limit on entries, 10,000 events).  An entering case comes with
 * every earlier entry of its records and its subject (the history the
 * peer has not seen); a leaving one as an item with entered 0.  *more is
 * 1 when the page stopped before the end of the log: the caller resumes
 * after the last item's seq; 0 when everything after after was seen.
 * fn ends the walk with ERR_STOP as every walk's callback may (store.h):
 * the page ends there, 0 is returned and *more is then meaningless (the
 * caller knows where it stopped).
 */
int registry_scope_log(struct store *s, const struct registry_peer *p,
		       uint64_t after, size_t limit, registry_scope_fn fn,
		       void *ctx, int *more, struct err *e) ERR_MUST_USE;

/* 1 in *visible when the peer still sees record id (after a case left,
 * its subject may still be seen through another case). */
int registry_scope_sees(struct store *s, const struct registry_peer *p,
			const struct id *id, int *visible,
			struct err *e) ERR_MUST_USE;

/* Records in the peer's scope now. */
int registry_scope_count(struct store *s, const struct registry_peer *p,
			 uint64_t *n, struct err *e) ERR_MUST_USE;

/* ---- the allocation (registry_alloc.c) ---- */

struct registry_allocation {
	char group[64];    /* a value of the quota's group field */
	int64_t allocated; /* the limit */
	int64_t used;      /* live records counted in it now */
};
typedef int (*registry_allocation_fn)(void *ctx,
				      const struct registry_allocation *a);

/* The allocation of collection coll, group by group in the order they
 * were first set (the programme's defaults first, written by
 * registry_alloc.c at the first use), with the records used (0 when coll
 * declares no quota here).  A row failing its MAC: ERR_AUTH.  Opens
 * records: the store must be unlocked. */
int registry_allocation_list(struct store *s, const char *coll,
			     registry_allocation_fn fn, void *ctx,
			     struct err *e) ERR_MUST_USE;

/*
 * Set the allocation of group of collection coll to n.  The group must be
 * a value of the quota's group field (or, coll not declared here, one
 * the table holds): ERR_NOTFOUND naming it otherwise; ERR_CONFLICT naming
 * it when n is below the records it uses now.  Unlocked store.
 */
int registry_allocation_set(struct store *s, const char *coll,
			    const char *group, int64_t n,
			    struct err *e) ERR_MUST_USE;

/* The store's quota hook (node/store_ext.h, store_quota_fn): the
 * allocation of c's group; 0 when the table has no row for a group the
 * quota's field declares (none for another); ERR_AUTH when its row fails
 * its MAC. */
int registry_quota_limit(void *ctx, struct store *s,
			 const struct schema_collection *c, const char *group,
			 int64_t *limit, int *has, struct err *e);

/* ---- refusals ---- */

/* Hub: keep change in of peer, refused whole for reason, with its values
 * sealed under the data key (a refusal is recorded by registry_peer_refuse()
 * too: counts and `hub node list`). */
int registry_refused_keep(struct store *s, int64_t peer,
			  const struct store_incoming *in, const char *reason,
			  struct err *e) ERR_MUST_USE;

/*
 * Hub: what became of change oseq of peer (node: its id) when it was
 * pushed, for a push sent again (its answer was lost): *whole 1 when it
 * was refused whole (registry_peer_refuse()), 0 when the merge refused
 * fields of it (the rejection of its entry); reason (n bytes) "" when
 * neither.
 */
int registry_refusal_of(struct store *s, int64_t peer, const struct id *node,
			uint64_t oseq, int *whole, char *reason, size_t n,
			struct err *e) ERR_MUST_USE;

#endif
