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

#include <stdlib.h>
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
	int rc = store_exec(s,
			    "INSERT OR REPLACE INTO meta(key, value) VALUES "
			    "('seq_floor', max(coalesce((SELECT max(seq) FROM "
			    "change), 0), coalesce((SELECT value FROM meta "
			    "WHERE key = 'seq_floor'), 0)))",
			    e);

	return rc ? rc
		  : store_mac_reseal(s, STORE_MAC_META, 0, "seq_floor", -1, e);
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
				    "name, kind, region, enrolled, "
				    "presidio_mac_ok(mac, 'remote', "
				    STORE_MAC_COLS_REMOTE ") FROM remote",
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
	} else if (!sqlite3_column_int(st, 9)) {
		/* Address, key, CA or pin rewritten in the file: syncing
		 * would hand the change log to whoever they now name. */
		rc = err_set(e, ERR_AUTH,
			     "the hub's address and key fail authentication "
			     "(altered outside presidio): nothing is sent; "
			     "enroll again with the hub's operator");
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
	int rc = store_require_unlocked(s, e); /* the row gets a MAC */

	if (!rc)
		rc = store_tx_begin(s, &opened, e);
	if (rc)
		return rc;
	rc = sqlite3_prepare_v2(s->db,
				"INSERT OR REPLACE INTO remote(id, url, hub_id, "
				"hub_pk, ca_file, pin, name, kind, region, "
				"enrolled, mac) VALUES (1, ?1, ?2, ?3, ?4, ?5, "
				"?6, ?7, ?8, ?9, presidio_mac('remote', 1, ?1, "
				"?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9))",
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

/* Copy this node's refused entries (the rejections of its own changes,
 * narrowed by an AND clause) to refused, values sealed as they are. */
#define KEEP_REFUSED                                                           \
	"INSERT OR REPLACE INTO refused(seq, peer, oseq, record, coll, kind, " \
	"operator, hlc, vers, prev, body, reason, at) SELECT c.seq, NULL, "    \
	"c.seq, r.id, r.coll, c.kind, a.operator, c.hlc, c.vers, c.prev, "     \
	"c.body, j.reason, CAST(strftime('%s', 'now') AS INTEGER) FROM "       \
	"rejection j JOIN change c ON c.seq = j.seq JOIN record r ON r.rid = " \
	"c.rid JOIN actor a ON a.idx = c.actor WHERE c.oseq IS NULL "

/* The root and its descendants by parent, as a temporary table.  The
 * root itself may be absent: a case that entered and left within one pull
 * after the hub had purged its tombstone brings its services only. */
#define EVICT_SET                                                              \
	"WITH RECURSIVE sub(rid, id) AS (SELECT rid, id FROM record WHERE "    \
	"id = ?1 OR parent = ?1 UNION SELECT r.rid, r.id FROM record r JOIN "  \
	"sub ON r.parent = sub.id) "

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
	/* The record of a refusal outlives the purge: this node's refused
	 * changes are kept, sealed as they were (another node's rejected
	 * fields are recorded where it made them, and leave). */
	rc = exec_blob(s, KEEP_REFUSED "AND c.rid IN (SELECT rid FROM "
				       "temp.evict)",
		       NULL, e);
	if (!rc)
		rc = exec_blob(s,
			       "DELETE FROM rejection WHERE seq IN (SELECT seq "
			       "FROM change WHERE rid IN (SELECT rid FROM "
			       "temp.evict))",
			       NULL, e);
	if (!rc)
		rc = exec_blob(s,
			       "DELETE FROM evict_pending WHERE root = ?1",
			       root, e);
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

/* *n = the integer sql returns with root in ?1 and n2 in ?2. */
static int query_int(struct store *s, const char *sql, const struct id *root,
		     uint64_t n2, int64_t *n, struct err *e)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);

	if (rc == SQLITE_OK) {
		if (root)
			sqlite3_bind_blob(st, 1, root->b, ID_BYTES,
					  SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, (int64_t)n2);
		rc = sqlite3_step(st);
	}
	if (rc == SQLITE_ROW) {
		*n = sqlite3_column_int64(st, 0);
		rc = 0;
	} else {
		rc = store_sql_err(s, rc, "reading change log", e);
	}
	sqlite3_finalize(st);
	return rc;
}

int store_evict_after(struct store *s, const struct id *root, uint64_t pushed,
		      uint64_t *removed, int *deferred, struct err *e)
{
	int64_t unacked = 0;
	int opened = 0;
	int rc = store_tx_begin(s, &opened, e);

	*removed = 0;
	*deferred = 0;
	if (rc)
		return rc;
	/* An edit saved here that the hub does not have yet would go with
	 * the purge, and nowhere would anyone see it: the purge waits until
	 * the hub has acknowledged it (accepted, or refused and kept). */
	rc = query_int(s,
		       EVICT_SET "SELECT count(*) FROM change WHERE oseq IS "
				 "NULL AND seq > ?2 AND rid IN (SELECT rid "
				 "FROM sub)",
		       root, pushed, &unacked, e);
	if (!rc && unacked) {
		*deferred = 1;
		rc = exec_blob(s,
			       "INSERT OR IGNORE INTO evict_pending(root, at) "
			       "VALUES (?1, CAST(strftime('%s', 'now') AS "
			       "INTEGER))",
			       root, e);
	} else if (!rc) {
		rc = store_evict(s, root, removed, e);
	}
	return store_tx_end(s, opened, rc, e);
}

int store_evict_pending(struct store *s, uint64_t pushed, uint64_t *removed,
			struct err *e)
{
	sqlite3_stmt *st = NULL;
	struct id *roots = NULL;
	size_t n = 0, cap = 0;
	int opened = 0;
	int rc = store_tx_begin(s, &opened, e);

	*removed = 0;
	if (rc)
		return rc;
	rc = sqlite3_prepare_v2(s->db, "SELECT root FROM evict_pending", -1,
				&st, NULL);
	while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_bytes(st, 0) != ID_BYTES) {
			rc = err_set(e, ERR_CORRUPT, "malformed held-back "
				     "purge");
			goto out;
		}
		if (n == cap) {
			size_t ncap = cap ? 2 * cap : 8;
			void *p = realloc(roots, ncap * sizeof(*roots));

			if (!p) {
				rc = err_set(e, ERR_NOMEM, "out of memory");
				goto out;
			}
			roots = p;
			cap = ncap;
		}
		memcpy(roots[n++].b, sqlite3_column_blob(st, 0), ID_BYTES);
		rc = SQLITE_OK;
	}
	rc = rc == SQLITE_DONE ? 0
			       : store_sql_err(s, rc, "reading purges", e);
	for (size_t i = 0; !rc && i < n; i++) {
		uint64_t one = 0;
		int deferred = 0;

		rc = store_evict_after(s, &roots[i], pushed, &one, &deferred,
				       e);
		*removed += one;
	}
out:
	sqlite3_finalize(st);
	free(roots);
	return store_tx_end(s, opened, rc, e);
}

int store_evict_cancel(struct store *s, const struct id *id, struct err *e)
{
	return exec_blob(s,
			 "DELETE FROM evict_pending WHERE root = ?1 OR root = "
			 "(SELECT parent FROM record WHERE id = ?1)",
			 id, e);
}

int store_evict_pending_count(struct store *s, uint64_t *n, struct err *e)
{
	int64_t v = 0;
	int rc = query_int(s, "SELECT count(*) FROM evict_pending", NULL, 0,
			   &v, e);

	*n = (uint64_t)v;
	return rc;
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
		rc = store_exec(s, KEEP_REFUSED, e);
	if (!rc)
		rc = store_exec(s,
				"DELETE FROM rejection; DELETE FROM change; "
				"DELETE FROM record; DELETE FROM purged; "
				"DELETE FROM evict_pending",
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
