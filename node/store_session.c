/*
 * store_session.c - operators signed in (node/store_session.h): opening a
 * key slot into a session, handles acting as a session's operator,
 * sign-out; store_unlock() and store_clone() on top of them.
 */
#include "node/store_int.h"
#include "node/store_require.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

struct store_session {
	atomic_int refs;
	atomic_int locked;  /* store_session_lock() ran */
	pthread_mutex_t mu; /* guards slot and sk (passwd, lock) */
	struct id node;     /* the node it was opened on */
	char operator[KEYSLOT_OPERATOR_MAX];
	int64_t slot_id;     /* keyslot.id */
	struct keyslot slot; /* public parts */
	uint8_t *sk;         /* slot secret key, sodium_malloc; NULL locked */
};

int store_slot_find(struct store *s, const char *operator,
		    struct keyslot *slot, int64_t *id, struct err *e)
{
	struct store_q *st = NULL;
	int rc = 0, rows = 0;

	st = store_q(s,
		     operator ? "SELECT " SLOT_COLUMNS " FROM keyslot "
				"WHERE operator = ?1"
			      : "SELECT " SLOT_COLUMNS " FROM keyslot LIMIT 2",
		     "reading key slots");
	if (operator)
		store_q_bind_text(st, 1, operator);
	while (!rc && store_q_row(st)) {
		if (++rows == 1)
			rc = store_slot_row(st, slot, id, e);
	}
	rc = store_q_done(st, rc, e);
	if (rc)
		return rc;
	if (rows == 0)
		return operator ? err_set(e, ERR_NOTFOUND,
					  "no operator '%s' on this node",
					  operator)
				: err_set(e, ERR_NOTFOUND,
					  "this node has no operators");
	if (rows > 1)
		return err_set(e, ERR_INVALID,
			       "this node has several operators: say which "
			       "with --operator");
	return 0;
}

/* ---- sessions ---- */

static void session_wipe(struct store_session *sess)
{
	if (sess->sk)
		sodium_free(sess->sk);
	sess->sk = NULL;
}

int store_session_open(struct store *s, const struct store_secret *secret,
		       struct store_session **out, struct err *e)
{
	struct store_session *sess = NULL;
	int rc;

	*out = NULL;
	/* Not yet a session when this fails: nothing for unref to undo. */
	sess = calloc(1, sizeof(*sess));
	if (!sess || pthread_mutex_init(&sess->mu, NULL)) {
		free(sess);
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	atomic_init(&sess->refs, 1);
	atomic_init(&sess->locked, 0);
	sess->node = s->node_id;
	rc = store_slot_find(s, secret->operator, &sess->slot, &sess->slot_id,
			     e);
	if (rc)
		goto out;
	if (sess->slot.kind != secret->kind) {
		rc = err_set(e, ERR_AUTH, "operator '%s' unlocks with %s",
			     sess->slot.operator,
			     sess->slot.kind == KEYSLOT_KEYFILE
				     ? "a key file"
				     : "a passphrase");
		goto out;
	}
	rc = keyslot_open(&sess->slot, secret->secret, secret->len, &sess->sk,
			  e);
	if (rc)
		goto out;
	snprintf(sess->operator, sizeof(sess->operator), "%s",
		 sess->slot.operator);
	*out = sess;
	sess = NULL;
out:
	store_session_unref(sess);
	return rc;
}

struct store_session *store_session_ref(struct store_session *sess)
{
	atomic_fetch_add(&sess->refs, 1);
	return sess;
}

void store_session_unref(struct store_session *sess)
{
	if (!sess || atomic_fetch_sub(&sess->refs, 1) != 1)
		return;
	session_wipe(sess);
	pthread_mutex_destroy(&sess->mu);
	sodium_memzero(sess, sizeof(*sess));
	free(sess);
}

void store_session_lock(struct store_session *sess)
{
	pthread_mutex_lock(&sess->mu);
	atomic_store(&sess->locked, 1);
	session_wipe(sess);
	pthread_mutex_unlock(&sess->mu);
}

int store_session_locked(const struct store_session *sess)
{
	return atomic_load(&sess->locked);
}

const char *store_session_operator(const struct store_session *sess)
{
	return sess->operator;
}

int64_t store_session_slot_id(const struct store_session *sess)
{
	return sess->slot_id;
}

/* A copy, under the mutex: passwd on another thread may replace it. */
void store_session_slot(struct store_session *sess, struct keyslot *slot)
{
	pthread_mutex_lock(&sess->mu);
	*slot = sess->slot;
	pthread_mutex_unlock(&sess->mu);
}

int store_session_open_dek(struct store_session *sess, uint32_t gen,
			   const uint8_t *sealed, uint8_t **dek,
			   struct err *e)
{
	int rc;

	*dek = NULL;
	pthread_mutex_lock(&sess->mu);
	if (!sess->sk)
		rc = err_set(e, ERR_AUTH,
			     "operator '%s' is signed out: unlock again",
			     sess->operator);
	else
		rc = keyslot_open_dek(&sess->slot, sess->sk, gen, sealed, dek,
				      e);
	pthread_mutex_unlock(&sess->mu);
	return rc;
}

void store_session_rekeyed(struct store_session *sess,
			   const struct keyslot *slot, uint8_t **sk)
{
	pthread_mutex_lock(&sess->mu);
	if (!atomic_load(&sess->locked)) {
		session_wipe(sess);
		sess->slot = *slot;
		sess->sk = *sk;
		*sk = NULL;
	}
	pthread_mutex_unlock(&sess->mu);
	if (*sk)
		sodium_free(*sk);
	*sk = NULL;
}

/* ---- handles acting as an operator ---- */

/* The actor of this node's unlocked operator, created when first seen. */
static int self_actor(struct store *s, struct err *e)
{
	const char *op = store_session_operator(s->sess);
	struct store_q *st = NULL;
	int rc, found;

	st = store_q(s,
		     "SELECT idx FROM actor WHERE node = ?1 AND "
		     "operator = ?2",
		     "reading actors");
	store_q_bind_int(st, 1, s->self_node);
	store_q_bind_text(st, 2, op);
	found = store_q_row(st);
	if (found)
		s->self_actor = (uint32_t)store_q_col_i64(st, 0);
	rc = store_q_end(st, e);
	if (rc || found)
		return rc;
	return store_actor_ensure(s, s->self_node, op, &s->self_actor, e);
}

int store_session_use(struct store *s, struct store_session *sess,
		      struct err *e)
{
	int rc = 0;

	/* The new ref before the old goes: sess may be the session s
	 * leaves, held by s alone. */
	if (sess)
		store_session_ref(sess);
	store_keys_release(s);
	s->signed_out[0] = '\0';
	if (!sess)
		return 0;
	s->sess = sess;
	if (id_cmp(&sess->node, &s->node_id) != 0)
		rc = err_set(e, ERR_INVALID,
			     "operator '%s' signed in to another node",
			     sess->operator);
	else if (store_session_locked(sess))
		rc = err_set(e, ERR_AUTH,
			     "operator '%s' is signed out: unlock again",
			     sess->operator);
	else if (sealer_new(&s->sealer))
		rc = err_set(e, ERR_NOMEM, "out of memory");
	if (!rc)
		rc = store_keys_refresh(s, e);
	if (!rc && s->ndek == 0)
		rc = err_set(e, ERR_CORRUPT, "no data key for operator '%s'",
			     sess->operator);
	if (!rc)
		rc = self_actor(s, e);
	if (!rc)
		rc = store_mac_unlocked(s, e);
	if (!rc)
		rc = store_access_unlocked(s, e);
	/* A build of a newer schema version re-derives what an older one
	 * kept without declaring it (store_int.h). */
	/* The group index first: the upgrade's writes keep it. */
	if (!rc)
		rc = store_require_kin_sync(s, e);
	if (!rc)
		rc = store_schema_upgrade(s, e);
	if (rc)
		store_keys_release(s);
	return rc;
}

struct store_session *store_session_of(const struct store *s)
{
	return s->sealer ? s->sess : NULL;
}

int store_unlock(struct store *s, const struct store_secret *secret,
		 struct err *e)
{
	struct store_session *sess = NULL;
	int rc;

	store_keys_release(s);
	rc = store_session_open(s, secret, &sess, e);
	if (!rc)
		rc = store_session_use(s, sess, e);
	store_session_unref(sess);
	return rc;
}

int store_clone(struct store *s, struct store **out, struct err *e)
{
	struct store *c = NULL;
	int rc = store_require_unlocked(s, e);

	*out = NULL;
	if (rc)
		return rc;
	rc = store_open(&c, s->dir, e);
	if (rc)
		return rc;
	/* The same session: no key derivation again, and signing it out
	 * locks the clone too. */
	rc = store_session_use(c, s->sess, e);
	if (!rc) {
		store_set_clock(c, s->clock_fn, s->clock_ctx);
		/* A worker's writes keep what watches them (the hub's
		 * registry) up to date as the first handle's do. */
		store_set_write_hook(c, s->write_hook, s->write_hook_ctx);
		store_set_quota_hook(c, s->quota_hook, s->quota_hook_ctx);
		store_set_holds_all(c, s->holds_all);
	}
	if (rc) {
		store_close(c);
		return rc;
	}
	*out = c;
	return 0;
}
