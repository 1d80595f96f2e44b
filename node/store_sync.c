/*
 * store_sync.c - what a node keeps for sync: the hub it is enrolled with,
 * refusals of its own changes, and removing records that left its scope
 * (eviction) or everything (re-bootstrap).
 *
 * Removing entries from the change log must not free their sequence
 * numbers: the hub deduplicates on (node, sequence), so a number handed
 * out again would make a new change look known and be dropped.  The
 * highest number ever used is kept as meta 'seq_floor' first.
 */
#include "node/store_int.h"

#include <string.h>
#include <time.h>

static int exec_blob(struct store *s, const char *sql, const struct id *id,
		     struct err *e)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);

	if (rc == SQLITE_OK) {
		if (id)
			sqlite3_bind_blob(st, 1, id->b, ID_BYTES,
					  SQLITE_STATIC);
		rc = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : store_sql_err(s, rc, "removing", e);
}

int store_seq_floor_raise(struct store *s, struct err *e)
{
	return store_exec(s,
			  "INSERT OR REPLACE INTO meta(key, value) VALUES "
			  "('seq_floor', max(coalesce((SELECT max(seq) FROM "
			  "change), 0), coalesce((SELECT value FROM meta "
			  "WHERE key = 'seq_floor'), 0)))",
			  e);
}

static void text_col(char *dst, size_t n, sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	snprintf(dst, n, "%s", t ? (const char *)t : "");
}

int store_remote_get(struct store *s, struct store_remote *out, struct err *e)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(s->db,
				    "SELECT url, hub_id, hub_pk, ca_file, pin, "
				    "name, kind, region, enrolled FROM remote",
				    -1, &st, NULL);

	memset(out, 0, sizeof(*out));
	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		rc = err_set(e, ERR_NOTFOUND, "this node is not enrolled with "
			     "a hub (presidio enroll)");
	} else if (rc != SQLITE_ROW) {
		rc = store_sql_err(s, rc, "reading the hub's address", e);
	} else if (sqlite3_column_bytes(st, 1) != ID_BYTES ||
		   sqlite3_column_bytes(st, 2) != STORE_SIGN_PKBYTES) {
		rc = err_set(e, ERR_CORRUPT, "malformed hub identity");
	} else {
		text_col(out->url, sizeof(out->url), st, 0);
		memcpy(out->hub_id.b, sqlite3_column_blob(st, 1), ID_BYTES);
		memcpy(out->hub_pk, sqlite3_column_blob(st, 2),
		       STORE_SIGN_PKBYTES);
		text_col(out->ca_file, sizeof(out->ca_file), st, 3);
		text_col(out->pin, sizeof(out->pin), st, 4);
		text_col(out->name, sizeof(out->name), st, 5);
		text_col(out->kind, sizeof(out->kind), st, 6);
		text_col(out->region, sizeof(out->region), st, 7);
		out->enrolled = sqlite3_column_int64(st, 8);
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

int store_remote_set(struct store *s, const struct store_remote *r,
		     struct err *e)
{
	sqlite3_stmt *st = NULL;
	int opened = 0;
	int rc = store_tx_begin(s, &opened, e);

	if (rc)
		return rc;
	rc = sqlite3_prepare_v2(s->db,
				"INSERT OR REPLACE INTO remote(id, url, hub_id, "
				"hub_pk, ca_file, pin, name, kind, region, "
				"enrolled) VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, "
				"?7, ?8, ?9)",
				-1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, r->url, -1, SQLITE_STATIC);
		sqlite3_bind_blob(st, 2, r->hub_id.b, ID_BYTES, SQLITE_STATIC);
		sqlite3_bind_blob(st, 3, r->hub_pk, STORE_SIGN_PKBYTES,
				  SQLITE_STATIC);
		sqlite3_bind_text(st, 4, r->ca_file, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, r->pin, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, r->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 7, r->kind, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 8, r->region, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 9, r->enrolled);
		rc = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	rc = rc == SQLITE_DONE ? 0
			       : store_sql_err(s, rc, "saving the hub", e);
	/* The hub is the authority for hub-only fields. */
	if (!rc)
		rc = store_node_set(s, &r->hub_id, "hub", STORE_ROLE_HUB, e);
	return store_tx_end(s, opened, rc, e);
}

int store_reject_own(struct store *s, uint64_t seq, const char *reason,
		     struct err *e)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(s->db,
				    "INSERT OR REPLACE INTO rejection(seq, "
				    "reason) SELECT seq, ?2 FROM change WHERE "
				    "seq = ?1",
				    -1, &st, NULL);

	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, (int64_t)seq);
		sqlite3_bind_text(st, 2, reason, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0
				 : store_sql_err(s, rc, "recording refusal", e);
}

/* The root and its descendants by parent, as a temporary table. */
#define EVICT_SET                                                              \
	"WITH RECURSIVE sub(rid, id) AS (SELECT rid, id FROM record WHERE "    \
	"id = ?1 UNION SELECT r.rid, r.id FROM record r JOIN sub ON "          \
	"r.parent = sub.id) "

int store_evict(struct store *s, const struct id *root, uint64_t *removed,
		struct err *e)
{
	sqlite3_stmt *st = NULL;
	int opened = 0;
	int rc = store_tx_begin(s, &opened, e);

	*removed = 0;
	if (rc)
		return rc;
	rc = store_seq_floor_raise(s, e);
	if (rc)
		goto out;
	rc = exec_blob(s, "DROP TABLE IF EXISTS temp.evict", NULL, e);
	if (!rc)
		rc = exec_blob(s,
			       "CREATE TEMP TABLE evict AS " EVICT_SET
			       "SELECT rid FROM sub",
			       root, e);
	if (rc)
		goto out;
	rc = sqlite3_prepare_v2(s->db, "SELECT count(*) FROM temp.evict", -1,
				&st, NULL);
	if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		*removed = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	rc = exec_blob(s,
		       "DELETE FROM rejection WHERE seq IN (SELECT seq FROM "
		       "change WHERE rid IN (SELECT rid FROM temp.evict))",
		       NULL, e);
	if (!rc)
		rc = exec_blob(s,
			       "DELETE FROM change WHERE rid IN (SELECT rid "
			       "FROM temp.evict)",
			       NULL, e);
	if (!rc)
		rc = exec_blob(s,
			       "DELETE FROM record WHERE rid IN (SELECT rid "
			       "FROM temp.evict)",
			       NULL, e);
	if (!rc && *removed) {
		rc = sqlite3_prepare_v2(s->db,
					"INSERT INTO eviction(root, records, "
					"at) VALUES (?1, ?2, ?3)",
					-1, &st, NULL);
		if (rc == SQLITE_OK) {
			sqlite3_bind_blob(st, 1, root->b, ID_BYTES,
					  SQLITE_STATIC);
			sqlite3_bind_int64(st, 2, (int64_t)*removed);
			sqlite3_bind_int64(st, 3, (int64_t)time(NULL));
			rc = sqlite3_step(st);
		}
		sqlite3_finalize(st);
		rc = rc == SQLITE_DONE ? 0
				       : store_sql_err(s, rc, "logging", e);
	}
	if (!rc)
		rc = exec_blob(s, "DROP TABLE temp.evict", NULL, e);
out:
	return store_tx_end(s, opened, rc, e);
}

int store_forget_all(struct store *s, uint64_t pushed, struct err *e)
{
	sqlite3_stmt *st = NULL;
	int opened = 0;
	int rc = store_tx_begin(s, &opened, e);

	if (rc)
		return rc;
	rc = sqlite3_prepare_v2(s->db,
				"SELECT count(*) FROM change WHERE oseq IS "
				"NULL AND seq > ?1",
				-1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, (int64_t)pushed);
		rc = sqlite3_step(st);
	}
	if (rc == SQLITE_ROW)
		rc = sqlite3_column_int64(st, 0) == 0
			 ? 0
			 : err_set(e, ERR_CONFLICT, "changes were made during "
				   "sync: sync again before starting over");
	else
		rc = store_sql_err(s, rc, "reading change log", e);
	sqlite3_finalize(st);
	if (!rc)
		rc = store_seq_floor_raise(s, e);
	if (!rc)
		rc = store_exec(s,
				"DELETE FROM rejection; DELETE FROM change; "
				"DELETE FROM record; DELETE FROM purged",
				e);
	return store_tx_end(s, opened, rc, e);
}

int store_last_seq(struct store *s, uint64_t *seq, struct err *e)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(s->db,
				    "SELECT coalesce(max(seq), 0) FROM change",
				    -1, &st, NULL);

	if (rc == SQLITE_OK)
		rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*seq = (uint64_t)sqlite3_column_int64(st, 0);
		rc = 0;
	} else {
		rc = store_sql_err(s, rc, "reading change log", e);
	}
	sqlite3_finalize(st);
	return rc;
}

int store_seq_high(struct store *s, uint64_t *seq, struct err *e)
{
	sqlite3_stmt *st = s->stmt[STMT_MAX_SEQ];
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW) {
		*seq = (uint64_t)sqlite3_column_int64(st, 0);
		rc = 0;
	} else {
		rc = store_sql_err(s, rc, "reading change log", e);
	}
	sqlite3_reset(st);
	return rc;
}
