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
	struct store_q *st = store_q(s, sql, "removing");

	if (id)
		store_q_bind_blob(st, 1, id->b, ID_BYTES);
	return store_q_run(st, e);
}

int store_seq_floor_raise(struct store *s, struct err *e)
{
	int64_t removals = 0;
	int rc = store_exec(s,
			    "INSERT OR REPLACE INTO meta(key, value) VALUES "
			    "('seq_floor', max(coalesce((SELECT max(seq) FROM "
			    "change), 0), coalesce((SELECT value FROM meta "
			    "WHERE key = 'seq_floor'), 0)))",
			    e);

	if (!rc)
		rc = store_mac_reseal(s, STORE_MAC_META, 0, "seq_floor", -1, e);
	/* Every removal without a change passes here (an eviction, a
	 * purged tombstone, a start-over): counted for store_removals(). */
	if (!rc && store_meta_get_int(s, STORE_META_REMOVALS, &removals,
				      NULL) != 0)
		removals = 0;
	if (!rc)
		rc = store_meta_set_int(s, STORE_META_REMOVALS, removals + 1, e);
	return rc;
}

int store_removals(struct store *s, uint64_t *n, struct err *e)
{
	int64_t v = 0;
	int rc = store_meta_get_int(s, STORE_META_REMOVALS, &v, e);

	if (rc == ERR_NOTFOUND) {
		v = 0;
		rc = 0;
	}
	*n = rc ? 0 : (uint64_t)v;
	return rc;
}

static void text_col(char *dst, size_t n, struct store_q *st, int col)
{
	const char *t = store_q_col_text(st, col);

	snprintf(dst, n, "%s", t ? t : "");
}

int store_remote_get(struct store *s, struct store_remote *out, struct err *e)
{
	struct store_q *st = store_q(
	    s,
	    "SELECT url, hub_id, hub_pk, ca_file, pin, name, kind, region, "
	    "enrolled, presidio_mac_ok(mac, 'remote', " STORE_MAC_COLS_REMOTE
	    ") FROM remote",
	    "reading the hub's address");
	int rc;

	memset(out, 0, sizeof(*out));
	if (!store_q_row(st)) {
		rc = store_q_end(st, e);
		return rc ? rc
			  : err_set(e, ERR_NOTFOUND,
				    "this node is not enrolled with a hub "
				    "(presidio enroll)");
	}
	if (store_q_col_bytes(st, 1) != ID_BYTES ||
	    store_q_col_bytes(st, 2) != STORE_SIGN_PKBYTES) {
		rc = err_set(e, ERR_CORRUPT, "malformed hub identity");
	} else if (!store_q_col_int(st, 9)) {
		/* Address, key, CA or pin rewritten in the file: syncing
		 * would hand the change log to whoever they now name. */
		rc = err_set(e, ERR_AUTH,
			     "the hub's address and key fail authentication "
			     "(altered outside presidio): nothing is sent; "
			     "enroll again with the hub's operator");
	} else {
		text_col(out->url, sizeof(out->url), st, 0);
		memcpy(out->hub_id.b, store_q_col_blob(st, 1), ID_BYTES);
		memcpy(out->hub_pk, store_q_col_blob(st, 2),
		       STORE_SIGN_PKBYTES);
		text_col(out->ca_file, sizeof(out->ca_file), st, 3);
		text_col(out->pin, sizeof(out->pin), st, 4);
		text_col(out->name, sizeof(out->name), st, 5);
		text_col(out->kind, sizeof(out->kind), st, 6);
		text_col(out->region, sizeof(out->region), st, 7);
		out->enrolled = store_q_col_i64(st, 8);
		rc = 0;
	}
	return store_q_done(st, rc, e);
}

int store_remote_find(struct store *s, struct store_remote *out, int *found,
		      struct err *e)
{
	int rc = store_remote_get(s, out, e);

	*found = rc == 0;
	if (rc != ERR_NOTFOUND)
		return rc;
	if (e)
		err_init(e);
	return 0;
}

int store_remote_set(struct store *s, const struct store_remote *r,
		     struct err *e)
{
	struct store_q *st = NULL;
	int opened = 0;
	int rc = store_require_unlocked(s, e); /* the row gets a MAC */

	if (!rc)
		rc = store_tx_begin(s, &opened, e);
	if (rc)
		return rc;
	st = store_q(s,
		     "INSERT OR REPLACE INTO remote(id, url, hub_id, hub_pk, "
		     "ca_file, pin, name, kind, region, enrolled, mac) VALUES "
		     "(1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, presidio_mac("
		     "'remote', 1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9))",
		     "saving the hub");
	store_q_bind_text(st, 1, r->url);
	store_q_bind_blob(st, 2, r->hub_id.b, ID_BYTES);
	store_q_bind_blob(st, 3, r->hub_pk, STORE_SIGN_PKBYTES);
	store_q_bind_text(st, 4, r->ca_file);
	store_q_bind_text(st, 5, r->pin);
	store_q_bind_text(st, 6, r->name);
	store_q_bind_text(st, 7, r->kind);
	store_q_bind_text(st, 8, r->region);
	store_q_bind_int(st, 9, r->enrolled);
	rc = store_q_run(st, e);
	/* The hub is the authority for hub-only fields. */
	if (!rc)
		rc = store_node_set(s, &r->hub_id, "hub", STORE_ROLE_HUB, e);
	return store_tx_end(s, opened, rc, e);
}

int store_reject_own(struct store *s, uint64_t seq, const char *reason,
		     struct err *e)
{
	struct store_q *st = store_q(s,
				     "INSERT OR REPLACE INTO rejection(seq, "
				     "reason) SELECT seq, ?2 FROM change "
				     "WHERE seq = ?1",
				     "recording refusal");

	store_q_bind_int(st, 1, (int64_t)seq);
	store_q_bind_text(st, 2, reason);
	return store_q_run(st, e);
}

int store_reject_own_number(struct store *s, uint64_t number,
			    const char *reason, struct err *e)
{
	/* Its seq when made here, its oseq when it came back from the hub
	 * (store_log_own()). */
	struct store_q *st = store_q(s,
				     "INSERT OR REPLACE INTO rejection(seq, "
				     "reason) SELECT seq, ?2 FROM change "
				     "WHERE (seq = ?1 AND oseq IS NULL) OR "
				     "(origin = ?3 AND oseq = ?1)",
				     "recording refusal");

	store_q_bind_int(st, 1, (int64_t)number);
	store_q_bind_text(st, 2, reason);
	store_q_bind_int(st, 3, s->self_node);
	return store_q_run(st, e);
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
	struct store_q *st = NULL;
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
	st = store_q(s, "SELECT count(*) FROM temp.evict", "counting");
	if (store_q_row(st))
		*removed = (uint64_t)store_q_col_i64(st, 0);
	(void)store_q_end(st, NULL);
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
		st = store_q(s,
			     "INSERT INTO eviction(root, records, at) "
			     "VALUES (?1, ?2, ?3)",
			     "logging");
		store_q_bind_blob(st, 1, root->b, ID_BYTES);
		store_q_bind_int(st, 2, (int64_t)*removed);
		store_q_bind_int(st, 3, (int64_t)time(NULL));
		rc = store_q_run(st, e);
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
	struct store_q *st = store_q(s, sql, "reading change log");

	if (root)
		store_q_bind_blob(st, 1, root->b, ID_BYTES);
	store_q_bind_int(st, 2, (int64_t)n2);
	if (store_q_row(st))
		*n = store_q_col_i64(st, 0);
	return store_q_end(st, e);
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
	struct store_q *st = NULL;
	struct id *roots = NULL;
	size_t n = 0, cap = 0;
	int opened = 0;
	int rc = store_tx_begin(s, &opened, e);

	*removed = 0;
	if (rc)
		return rc;
	st = store_q(s, "SELECT root FROM evict_pending", "reading purges");
	while (store_q_row(st)) {
		if (store_q_col_bytes(st, 0) != ID_BYTES) {
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
		memcpy(roots[n++].b, store_q_col_blob(st, 0), ID_BYTES);
	}
	rc = store_q_end(st, e);
	st = NULL;
	for (size_t i = 0; !rc && i < n; i++) {
		uint64_t one = 0;
		int deferred = 0;

		rc = store_evict_after(s, &roots[i], pushed, &one, &deferred,
				       e);
		*removed += one;
	}
out:
	rc = store_q_done(st, rc, e);
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
	struct store_q *st = NULL;
	int opened = 0;
	int rc = store_tx_begin(s, &opened, e);

	if (rc)
		return rc;
	int64_t later = 0;

	st = store_q(s, "SELECT count(*) FROM change WHERE oseq IS NULL "
			"AND seq > ?1",
		     "reading change log");
	store_q_bind_int(st, 1, (int64_t)pushed);
	if (store_q_row(st))
		later = store_q_col_i64(st, 0);
	rc = store_q_end(st, e);
	if (!rc && later)
		rc = err_set(e, ERR_CONFLICT, "changes were made during "
			     "sync: sync again before starting over");
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
	struct store_q *st = store_q(s,
				     "SELECT coalesce(max(seq), 0) FROM change",
				     "reading change log");

	if (store_q_row(st))
		*seq = (uint64_t)store_q_col_i64(st, 0);
	return store_q_end(st, e);
}

int store_seq_high(struct store *s, uint64_t *seq, struct err *e)
{
	struct store_q *st = store_q_fixed(s, STMT_MAX_SEQ,
					   "reading change log");

	if (store_q_row(st))
		*seq = (uint64_t)store_q_col_i64(st, 0);
	return store_q_end(st, e);
}
