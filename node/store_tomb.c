/*
 * store_tomb.c - tombstones: purging a deleted record once it is safe, and
 * remembering that it was, so that nothing deleted comes back.
 *
 * When it is safe is for sync to say (every node of the record's scope has
 * acknowledged the delete, issue 4); this file only does it, in one
 * transaction: the record's log entries and row go, a row in `purged`
 * stays.  store_apply() and store_put() refuse the id afterwards.
 */
#include "node/store_int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

int store_purged(struct store *s, const struct id *id, int *purged,
		 struct err *e)
{
	/* Asked on every create: a persistent statement. */
	sqlite3_stmt *st = s->stmt[STMT_PURGED];
	int rc;

	sqlite3_bind_blob(st, 1, id->b, ID_BYTES, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_sql_err(s, rc, "reading purged records", e);
	*purged = rc == SQLITE_ROW;
	return 0;
}

static int exec_on_rid(struct store *s, const char *sql, int64_t rid,
		       struct err *e)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);

	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, rid);
		rc = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_sql_err(s, rc, "purging", e);
}

int store_purge(struct store *s, const struct id *id, struct err *e)
{
	char idtext[ID_TEXT_LEN + 1];
	const struct version *dv;
	struct store_row row;
	sqlite3_stmt *st = NULL;
	int opened = 0;
	int rc;

	memset(&row, 0, sizeof(row));
	version_set_init(&row.vers);
	id_format(id, idtext);
	rc = store_require_unlocked(s, e);
	if (!rc)
		rc = store_tx_begin(s, &opened, e);
	if (rc)
		goto out;
	rc = store_row_load(s, id, &row, e);
	if (rc)
		goto out;
	if (!row.exists) {
		rc = err_set(e, ERR_NOTFOUND, "no record %s", idtext);
		goto out;
	}
	/* Only a settled tombstone: deleted, nothing left to decide. */
	if (!row.deleted || row.conflicts) {
		rc = err_set(e, ERR_INVALID,
			     "record %s is not a settled tombstone", idtext);
		goto out;
	}
	dv = version_set_get(&row.vers, SCHEMA_FIELD_DELETED);
	rc = sqlite3_prepare_v2(s->db,
				"INSERT INTO purged(id, coll, hlc, at) "
				"VALUES (?1, ?2, ?3, ?4)",
				-1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_blob(st, 1, id->b, ID_BYTES, SQLITE_STATIC);
		sqlite3_bind_int(st, 2, row.coll);
		sqlite3_bind_int64(st, 3, dv ? (int64_t)dv->hlc : 0);
		sqlite3_bind_int64(st, 4, (int64_t)time(NULL));
		rc = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	rc = rc == SQLITE_DONE ? 0 : store_sql_err(s, rc, "purging", e);
	if (!rc)
		rc = exec_on_rid(s,
				 "DELETE FROM rejection WHERE seq IN (SELECT "
				 "seq FROM change WHERE rid = ?1)",
				 row.rid, e);
	if (!rc)
		rc = store_seq_floor_raise(s, e);
	if (!rc)
		rc = exec_on_rid(s, "DELETE FROM change WHERE rid = ?1",
				 row.rid, e);
	if (!rc)
		rc = exec_on_rid(s, "DELETE FROM record WHERE rid = ?1",
				 row.rid, e);
out:
	store_row_release(&row);
	return store_tx_end(s, opened, rc, e);
}

/* ---- the hub's sweep ---- */

struct tomb {
	struct id id;
	uint64_t last; /* the record's last change here */
};

static int mark_rebootstrap(struct store *s, int64_t peer, struct err *e)
{
	return store_peer_write(s, peer,
				"UPDATE peer SET rebootstrap = 1 WHERE "
				"idx = ?1",
				0, 0, "updating node", e);
}

struct sweep {
	struct store *s;
	struct store_peer *peers;
	size_t n, cap;
	int64_t stale_before; /* unix seconds */
	struct err *e;
};

static int keep_peer(void *ctx, const struct store_peer *p)
{
	struct sweep *w = ctx;

	if (!p->enrolled || p->revoked)
		return 0;
	if (w->n == w->cap) {
		size_t ncap = w->cap ? 2 * w->cap : 16;
		void *np = realloc(w->peers, ncap * sizeof(*w->peers));

		if (!np)
			return err_set(w->e, ERR_NOMEM, "out of memory");
		w->peers = np;
		w->cap = ncap;
	}
	w->peers[w->n++] = *p;
	return 0;
}

/* Purge t unless a peer in touch has not acknowledged it; peers out of
 * touch that have not are marked to start over. */
static int sweep_one(struct sweep *w, const struct tomb *t, uint64_t *purged)
{
	int blocked = 0, sees = 0;
	int rc = 0;

	for (size_t i = 0; !rc && i < w->n && !blocked; i++) {
		const struct store_peer *p = &w->peers[i];

		if (p->pull_ack >= t->last)
			continue;
		rc = store_scope_sees(w->s, p, &t->id, &sees, w->e);
		if (!rc && sees && p->last_contact >= w->stale_before)
			blocked = 1;
	}
	if (rc || blocked)
		return rc;
	for (size_t i = 0; !rc && i < w->n; i++) {
		const struct store_peer *p = &w->peers[i];

		if (p->pull_ack >= t->last)
			continue;
		rc = store_scope_sees(w->s, p, &t->id, &sees, w->e);
		if (!rc && sees)
			rc = mark_rebootstrap(w->s, p->idx, w->e);
	}
	if (!rc)
		rc = store_purge(w->s, &t->id, w->e);
	if (!rc)
		(*purged)++;
	return rc;
}

int store_tombstone_sweep(struct store *s, int64_t horizon_s,
			  uint64_t *purged, struct err *e)
{
	struct sweep w = { s, NULL, 0, 0, (int64_t)time(NULL) - horizon_s, e };
	struct tomb *t = NULL;
	size_t nt = 0, cap = 0;
	sqlite3_stmt *st = NULL;
	int rc = store_require_unlocked(s, e);

	*purged = 0;
	if (rc)
		return rc;
	rc = store_peer_list(s, keep_peer, &w, e);
	if (rc)
		goto out;
	rc = sqlite3_prepare_v2(s->db,
				"SELECT r.id, (SELECT max(seq) FROM change c "
				"WHERE c.rid = r.rid) FROM record r WHERE "
				"r.deleted = 1 AND r.conflicts = 0",
				-1, &st, NULL);
	while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_bytes(st, 0) != ID_BYTES) {
			rc = SQLITE_CORRUPT;
			break;
		}
		if (nt == cap) {
			size_t ncap = cap ? 2 * cap : 64;
			void *np = realloc(t, ncap * sizeof(*t));

			if (!np) {
				rc = SQLITE_NOMEM;
				break;
			}
			t = np;
			cap = ncap;
		}
		memcpy(t[nt].id.b, sqlite3_column_blob(st, 0), ID_BYTES);
		t[nt].last = (uint64_t)sqlite3_column_int64(st, 1);
		nt++;
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	rc = rc == SQLITE_DONE ? 0 : store_sql_err(s, rc, "reading records", e);
	/* One transaction per tombstone: a long sweep does not hold the
	 * nodes' pushes back. */
	for (size_t i = 0; !rc && i < nt; i++) {
		int opened = 0;

		rc = store_tx_begin(s, &opened, e);
		if (!rc)
			rc = sweep_one(&w, &t[i], purged);
		rc = store_tx_end(s, opened, rc, e);
	}
out:
	free(t);
	free(w.peers);
	return rc;
}
