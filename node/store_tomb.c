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
	struct store_q *st = store_q_fixed(s, STMT_PURGED,
					   "reading purged records");

	store_q_bind_blob(st, 1, id->b, ID_BYTES);
	*purged = store_q_row(st);
	return store_q_end(st, e);
}

static int exec_on_rid(struct store *s, const char *sql, int64_t rid,
		       struct err *e)
{
	struct store_q *st = store_q(s, sql, "purging");

	store_q_bind_int(st, 1, rid);
	return store_q_run(st, e);
}

int store_purge(struct store *s, const struct id *id, struct err *e)
{
	char idtext[ID_TEXT_LEN + 1];
	const struct version *dv;
	struct store_row row;
	struct store_q *st = NULL;
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
	st = store_q(s,
		     "INSERT INTO purged(id, coll, hlc, at) "
		     "VALUES (?1, ?2, ?3, ?4)",
		     "purging");
	store_q_bind_blob(st, 1, id->b, ID_BYTES);
	store_q_bind_int(st, 2, row.coll);
	store_q_bind_int(st, 3, dv ? (int64_t)dv->hlc : 0);
	store_q_bind_int(st, 4, (int64_t)time(NULL));
	rc = store_q_run(st, e);
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
