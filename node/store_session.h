/*
 * store_session.h - operators signed in to a running node, several at once.
 *
 * A session is one operator signed in: it owns the secret key of their key
 * slot, opened once from the passphrase or key file (the Argon2id step),
 * in sodium_malloc() memory.  A struct store handle acts as an operator by
 * using a session (store_session_use()); several handles, on several
 * threads, may use one session, and one process may hold sessions of
 * several operators, each handle acting as the one it uses.
 *
 * What is shared and what is not.  The session holds the slot's secret key
 * and the slot itself (public parts); each handle opens its own copies of
 * the data keys with that secret (its sealer, as before) and derives its
 * own row-MAC and slot-MAC keys.  Per-handle copies rather than one set
 * behind a mutex because a handle's operation (a write, a re-sealing pass,
 * presidio_mac() called by SQLite row by row) uses keys from many places
 * and must see one set from start to end: a key set that another thread
 * could refresh or wipe half-way through would need a lock held across
 * whole operations, making handles of one operator wait for each other.
 * So key refresh after another process rotated the keys is per handle and
 * needs no lock between threads; the session's mutex only guards its
 * secret key, which a handle reads when it opens a data key and which
 * store_operator_passwd() replaces (every handle of the session then opens
 * with the new one) and store_session_lock() wipes.
 *
 * Locking (sign-out).  store_session_lock() wipes the session's secret key
 * at once; from then on every handle using the session is locked: its next
 * store_require_unlocked() (every value read or write passes there) wipes
 * its own copies of the keys and fails with ERR_AUTH, and a handle cannot
 * start using a locked session.  An operation already under way on another
 * thread finishes with the keys it had.  Sessions of other operators are
 * unaffected.  A handle that serves several sessions in turn (a web
 * server's worker) should leave its session when a request ends
 * (store_session_use(s, NULL)), so that between requests only sessions
 * hold secrets and sign-out wipes all of them.
 *
 * Lifetime.  Sessions are reference-counted (atomically, so refs may be
 * taken and dropped on any thread): store_session_open() gives the caller
 * one ref, each handle using a session holds one, store_session_unref()
 * drops one and the last wipes and frees.  A session belongs to the node
 * it was opened on: another node's handle refuses it.
 */
#ifndef PRESIDIO_STORE_SESSION_H
#define PRESIDIO_STORE_SESSION_H

#include "common/err.h"
#include "node/store.h"

struct store_session;

/*
 * Sign secret->operator in (NULL operator: the only one): find the slot
 * on s's node and open it (Argon2id for a passphrase).  *out gets one ref.
 * ERR_NOTFOUND (no such operator), ERR_AUTH (wrong secret or kind), with
 * *out NULL.  s is not changed: it stays as it was (locked or acting as
 * its own session).
 */
int store_session_open(struct store *s, const struct store_secret *secret,
		       struct store_session **out, struct err *e) ERR_MUST_USE;

/* One more ref (returns sess). */
struct store_session *store_session_ref(struct store_session *sess);

/* Drop one ref; the last wipes and frees.  Accepts NULL. */
void store_session_unref(struct store_session *sess);

/*
 * Make s act as the operator of sess (takes its own ref), or leave s
 * locked when sess is NULL.  Whatever s used before is left first (its
 * keys wiped).  Loads the data keys s needs and the actor of (this node,
 * operator).  ERR_AUTH when sess is locked or the operator no longer holds
 * a key here, ERR_INVALID when sess is of another node; s is then locked.
 */
int store_session_use(struct store *s, struct store_session *sess,
		      struct err *e) ERR_MUST_USE;

/* The session s acts for (no ref taken), NULL when none; it may have been
 * signed out since (store_session_locked()). */
struct store_session *store_session_of(const struct store *s);

/* Sign out: wipe the session's secret now; every handle using it is
 * locked from its next use.  Idempotent; the refs stay. */
void store_session_lock(struct store_session *sess);

/* 1 once store_session_lock() ran. */
int store_session_locked(const struct store_session *sess);

/* The operator's name (kept after lock, for messages). */
const char *store_session_operator(const struct store_session *sess);

#endif
