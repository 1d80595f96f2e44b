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
		rc = exec_on_rid(s, "DELETE FROM change WHERE rid = ?1",
				 row.rid, e);
	if (!rc)
		rc = exec_on_rid(s, "DELETE FROM record WHERE rid = ?1",
				 row.rid, e);
out:
	store_row_release(&row);
	return store_tx_end(s, opened, rc, e);
}
