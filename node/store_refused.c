/*
 * store_refused.c - refused changes the operator must be able to see and
 * export: a node's rejections (in the log) and the refused changes kept
 * after their entries went (table refused: a node's own, purged with their
 * case; on the hub, a peer's change refused whole).
 *
 * Values stay sealed as they were: a node's under the associated data of
 * its log entry (record, collection, versions, previous versions); the
 * hub's bound to the peer and the change's number there (vers holds
 * those), so a box cannot be passed off as another refusal's.  Only an
 * unlocked store opens them.
 */
#include "node/store_int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The bytes a hub refusal's box is bound by: peer and origin sequence. */
static void hub_binding(int64_t peer, uint64_t oseq, uint8_t out[16])
{
	for (int i = 0; i < 8; i++) {
		out[i] = (uint8_t)((uint64_t)peer >> (8 * i));
		out[8 + i] = (uint8_t)(oseq >> (8 * i));
	}
}

int store_refused_keep(struct store *s, int64_t peer,
		       const struct store_incoming *in, const char *reason,
		       struct err *e)
{
	const struct schema_collection *c = schema_collection(in->collection);
	sqlite3_stmt *st = NULL;
	uint8_t bind[16], *ad = NULL, *box = NULL;
	size_t adlen = 0, boxlen = 0;
	int rc = store_require_unlocked(s, e);

	if (rc)
		return rc;
	if (!c)
		return err_set(e, ERR_INVALID, "unknown collection");
	hub_binding(peer, in->origin_seq, bind);
	if (store_body_ad(&in->record, c->id, bind, sizeof(bind), NULL, 0, &ad,
			  &adlen))
		return err_set(e, ERR_NOMEM, "out of memory");
	rc = store_seal_json(s, in->fields, ad, adlen, &box, &boxlen, e);
	if (rc)
		goto out;
	rc = sqlite3_prepare_v2(s->db,
				"INSERT OR REPLACE INTO refused(peer, oseq, "
				"record, coll, kind, operator, hlc, vers, "
				"prev, body, reason, at) VALUES (?1, ?2, ?3, "
				"?4, ?5, ?6, ?7, ?8, zeroblob(0), ?9, ?10, "
				"?11)",
				-1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, peer);
		sqlite3_bind_int64(st, 2, (int64_t)in->origin_seq);
		sqlite3_bind_blob(st, 3, in->record.b, ID_BYTES,
				  SQLITE_STATIC);
		sqlite3_bind_int(st, 4, c->id);
		sqlite3_bind_int(st, 5, (int)in->kind);
		sqlite3_bind_text(st, 6, in->operator, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 7, (int64_t)in->hlc);
		sqlite3_bind_blob(st, 8, bind, sizeof(bind), SQLITE_STATIC);
		sqlite3_bind_blob(st, 9, box, (int)boxlen, SQLITE_STATIC);
		sqlite3_bind_text(st, 10, reason, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 11, (int64_t)time(NULL));
		rc = sqlite3_step(st);
	}
	rc = rc == SQLITE_DONE ? 0
			       : store_sql_err(s, rc, "keeping a refusal", e);
out:
	sqlite3_finalize(st);
	free(ad);
	free(box);
	return rc;
}

int store_refusal_of(struct store *s, int64_t peer, const struct id *node,
		     uint64_t oseq, int *whole, char *reason, size_t n,
		     struct err *e)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(s->db,
				    "SELECT 1, reason FROM refusal WHERE peer "
				    "= ?1 AND oseq = ?2 UNION ALL SELECT 0, "
				    "j.reason FROM change c JOIN node o ON "
				    "o.idx = c.origin JOIN rejection j ON "
				    "j.seq = c.seq WHERE o.id = ?3 AND c.oseq "
				    "= ?2 LIMIT 1",
				    -1, &st, NULL);

	*whole = 0;
	if (n)
		reason[0] = '\0';
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, peer);
		sqlite3_bind_int64(st, 2, (int64_t)oseq);
		sqlite3_bind_blob(st, 3, node->b, ID_BYTES, SQLITE_STATIC);
		rc = sqlite3_step(st);
	}
	if (rc == SQLITE_ROW) {
		const unsigned char *text = sqlite3_column_text(st, 1);

		*whole = sqlite3_column_int(st, 0);
		snprintf(reason, n, "%s", text ? (const char *)text : "");
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		rc = 0;
	} else {
		rc = store_sql_err(s, rc, "reading a refusal", e);
	}
	sqlite3_finalize(st);
	return rc;
}

/* Columns: seq, peer name, oseq, record, coll, kind, operator, hlc,
 * reason, at, vers, prev, body. */
static const char *const refused_sql[] = {
	"SELECT c.seq, NULL, coalesce(c.oseq, c.seq), r.id, r.coll, c.kind, "
	"a.operator, c.hlc, j.reason, 0, c.vers, c.prev, c.body FROM "
	"rejection j JOIN change c ON c.seq = j.seq JOIN record r ON r.rid = "
	"c.rid JOIN actor a ON a.idx = c.actor ORDER BY c.seq",
	"SELECT f.seq, p.name, f.oseq, f.record, f.coll, f.kind, f.operator, "
	"f.hlc, f.reason, f.at, f.vers, f.prev, f.body FROM refused f LEFT "
	"JOIN peer p ON p.idx = f.peer ORDER BY f.seq",
};

static int refused_row(struct store *s, sqlite3_stmt *st, int with_values,
		       store_refused_fn fn, void *ctx, struct err *e)
{
	struct store_refused r;
	const unsigned char *op = sqlite3_column_text(st, 6);
	int rc;

	memset(&r, 0, sizeof(r));
	if (sqlite3_column_bytes(st, 3) != ID_BYTES)
		return err_set(e, ERR_CORRUPT, "refusal with a malformed id");
	r.seq = (uint64_t)sqlite3_column_int64(st, 0);
	r.peer = (const char *)sqlite3_column_text(st, 1);
	r.oseq = (uint64_t)sqlite3_column_int64(st, 2);
	memcpy(r.record.b, sqlite3_column_blob(st, 3), ID_BYTES);
	r.coll = schema_collection_by_id((uint16_t)sqlite3_column_int(st, 4));
	r.kind = (enum store_change_kind)sqlite3_column_int(st, 5);
	snprintf(r.operator, sizeof(r.operator), "%s",
		 op ? (const char *)op : "");
	r.hlc = (uint64_t)sqlite3_column_int64(st, 7);
	r.reason = (const char *)sqlite3_column_text(st, 8);
	r.at = sqlite3_column_int64(st, 9);
	if (!r.coll || !r.reason)
		return err_set(e, ERR_CORRUPT, "malformed refusal");
	if (with_values) {
		rc = store_entry_open(
		    s, &r.record, (uint16_t)sqlite3_column_int(st, 4),
		    sqlite3_column_blob(st, 10),
		    (size_t)sqlite3_column_bytes(st, 10),
		    sqlite3_column_blob(st, 11),
		    (size_t)sqlite3_column_bytes(st, 11),
		    sqlite3_column_blob(st, 12),
		    (size_t)sqlite3_column_bytes(st, 12), &r.fields, e);
		if (rc)
			return rc;
	}
	rc = fn(ctx, &r);
	json_decref(r.fields);
	return rc;
}

int store_refused_list(struct store *s, int with_values, store_refused_fn fn,
		       void *ctx, struct err *e)
{
	int rc = with_values ? store_require_unlocked(s, e) : 0;

	for (size_t t = 0; !rc && t < sizeof(refused_sql) / sizeof(*refused_sql);
	     t++) {
		sqlite3_stmt *st = NULL;

		rc = sqlite3_prepare_v2(s->db, refused_sql[t], -1, &st, NULL);
		while (rc == SQLITE_OK &&
		       (rc = sqlite3_step(st)) == SQLITE_ROW) {
			rc = refused_row(s, st, with_values, fn, ctx, e);
			if (!rc)
				rc = SQLITE_OK;
		}
		if (rc == SQLITE_DONE)
			rc = 0;
		else if (rc > 0 && rc != SQLITE_OK)
			rc = store_sql_err(s, rc, "reading refusals", e);
		sqlite3_finalize(st);
	}
	return rc;
}
