/*
 * store_tx.c - write transactions: a write's own transaction, the groups
 * of store_begin() (a savepoint a write, so a failed one leaves nothing)
 * and of store_begin_whole() (none: the group stands or falls whole),
 * read snapshots, commit and rollback; and what a transaction refreshes
 * first (clock, sequence numbers, keys, a signed-out session).
 */
#include "node/store_int.h"
#include "node/store_pkey.h"

int store_in_tx(const struct store *s)
{
	return s->in_tx;
}

/* 1 when s's session was signed out (store_session_lock(), maybe on
 * another thread): this handle's copies of the keys go now, and it
 * remembers whose they were to say why it is locked. */
static int signed_out(struct store *s)
{
	if (!s->sealer || !s->sess || !store_session_locked(s->sess))
		return 0;
	snprintf(s->signed_out, sizeof(s->signed_out), "%s",
		 store_session_operator(s->sess));
	store_keys_release(s);
	return 1;
}

int store_require_unlocked(struct store *s, struct err *e)
{
	(void)signed_out(s);
	if (!s->sealer && s->signed_out[0])
		return err_set(e, ERR_AUTH,
			       "operator '%s' is signed out (session "
			       "locked): unlock again",
			       s->signed_out);
	if (!s->sealer)
		return err_set(e, ERR_AUTH, "the node is locked: unlock first");
	return 0;
}

uint64_t store_tick(struct store *s)
{
	s->clock_dirty = 1;
	return hlc_now(&s->clock, s->clock_fn(s->clock_ctx));
}

/* Bring what other processes may have changed up to date, under the
 * write lock. */
static int tx_refresh(struct store *s, struct err *e)
{
	struct store_q *q = NULL;
	int64_t hlc = 0;
	int rc = store_meta_get_int(s, "hlc", &hlc, e);

	if (rc)
		return rc;
	if ((uint64_t)hlc > s->clock.last)
		s->clock.last = (uint64_t)hlc;
	q = store_q_fixed(s, STMT_MAX_SEQ, "reading change log");
	if (store_q_row(q))
		s->next_seq = (uint64_t)store_q_col_i64(q, 0) + 1;
	rc = store_q_end(q, e);
	if (!rc)
		rc = store_restored_load(s, e);
	if (rc)
		return rc;
	/* A transaction of a signed-out handle would write with keys it may
	 * no longer hold: refuse it (the handle is locked from now on). */
	if (signed_out(s))
		return err_set(e, ERR_AUTH,
			       "operator '%s' is signed out (session "
			       "locked): unlock again",
			       s->signed_out);
	rc = store_pkey_refresh(s, e);
	if (rc)
		return rc;
	return s->sealer && s->sess ? store_keys_refresh(s, e) : 0;
}

static int step_once(struct store *s, enum store_stmt which, struct err *e)
{
	return store_q_run(store_q_fixed(s, which, "database"), e);
}

/* SQLite rolls a transaction back by itself on some errors (disk full,
 * I/O, out of memory): then the group is gone and must not go on. */
static int tx_alive(struct store *s, struct err *e)
{
	if (!store_sql_autocommit(s))
		return 0;
	s->in_tx = 0;
	s->tx_whole = s->tx_broken = 0;
	s->clock_dirty = 0;
	store_cache_clear(s);
	return err_set(e, ERR_IO,
		       "the database rolled the transaction back "
		       "after an error: nothing of it was saved");
}

/* Open a transaction with begin and bring the handle up to date. */
static int tx_open(struct store *s, const char *begin, struct err *e)
{
	int rc = store_exec(s, begin, e);

	if (rc)
		return rc;
	s->in_tx = 1;
	s->tx_whole = s->tx_broken = 0;
	s->clock_dirty = 0;
	rc = tx_refresh(s, e);
	if (rc)
		store_rollback(s);
	return rc;
}

int store_tx_begin(struct store *s, int *opened, struct err *e)
{
	int rc;

	*opened = 0;
	if (s->in_tx) {
		rc = tx_alive(s, e);
		if (!rc && s->tx_whole) {
			*opened = TX_WHOLE;
			return 0;
		}
		if (!rc)
			rc = step_once(s, STMT_SAVEPOINT, e);
		if (!rc)
			*opened = TX_SAVEPOINT;
		return rc;
	}
	rc = tx_open(s, "BEGIN IMMEDIATE", e);
	if (!rc)
		*opened = TX_OPENED;
	return rc;
}

int store_tx_end(struct store *s, int opened, int rc, struct err *e)
{
	if (opened == TX_WHOLE) {
		/* What the write did so far stays: only a rollback of the
		 * whole group undoes it. */
		if (rc)
			s->tx_broken = 1;
		return rc;
	}
	if (opened == TX_SAVEPOINT) {
		if (rc && !store_sql_autocommit(s)) {
			/* Undo this write only; the group goes on. */
			(void)step_once(s, STMT_ROLLBACK_TO, NULL);
			(void)step_once(s, STMT_RELEASE, NULL);
			store_cache_clear(s);
		} else if (!rc) {
			rc = step_once(s, STMT_RELEASE, e);
		}
		return rc;
	}
	if (opened != TX_OPENED)
		return rc;
	if (rc) {
		store_rollback(s);
		return rc;
	}
	return store_commit(s, e);
}

int store_begin(struct store *s, struct err *e)
{
	int opened;
	int rc;

	if (s->in_tx)
		return err_set(e, ERR_FAIL, "a transaction is already open");
	rc = store_tx_begin(s, &opened, e);
	return rc;
}

int store_begin_whole(struct store *s, struct err *e)
{
	int rc = store_begin(s, e);

	if (!rc)
		s->tx_whole = 1;
	return rc;
}

int store_broken(const struct store *s)
{
	return s->in_tx && s->tx_broken;
}

int store_begin_read(struct store *s, struct err *e)
{
	if (s->in_tx)
		return err_set(e, ERR_FAIL, "a transaction is already open");
	/* Reads: the snapshot starts at the refresh. */
	return tx_open(s, "BEGIN DEFERRED", e);
}

int store_commit(struct store *s, struct err *e)
{
	int rc = 0;

	if (!s->in_tx)
		return err_set(e, ERR_FAIL, "no transaction is open");
	rc = tx_alive(s, e);
	if (rc)
		return rc;
	if (s->tx_broken) {
		store_rollback(s);
		return err_set(e, ERR_FAIL, "a write of the group failed: "
			       "nothing of the group was saved");
	}
	/* The clock is saved with the writes it stamped, so a restart
	 * continues above every timestamp that reached the disk. */
	if (s->clock_dirty)
		rc = store_meta_set_int(s, "hlc", (int64_t)s->clock.last, e);
	if (!rc && s->audit_dirty)
		rc = store_audit_flush(s, e);
	/* Keys first: a crash between the two commits leaves a key with
	 * nothing under it, never values without their key. */
	if (!rc)
		rc = store_pkey_commit(s, e);
	if (!rc)
		rc = store_exec(s, "COMMIT", e);
	if (rc) {
		store_rollback(s);
		return rc;
	}
	s->in_tx = 0;
	s->tx_whole = s->tx_broken = 0;
	s->clock_dirty = 0;
	s->audit_dirty = 0;
	s->audit_cached = 0;
	store_applied_clear(s);
	/* Committed (synchronous=FULL): the mark may follow, read from
	 * the database (a write undone inside a group used a number). */
	store_mac_mark(s);
	return 0;
}

void store_rollback(struct store *s)
{
	if (!s->in_tx)
		return;
	/* The in-memory clock stays ahead: timestamps are never reissued,
	 * and the saved value is rolled back with the writes. */
	store_sql_abort(s);
	store_pkey_rollback(s);
	s->in_tx = 0;
	s->tx_whole = s->tx_broken = 0;
	s->clock_dirty = 0;
	s->audit_dirty = 0;
	store_cache_clear(s);
}
