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

void store_refused_binding(int64_t peer, uint64_t oseq, uint8_t out[16])
{
	for (int i = 0; i < 8; i++) {
		out[i] = (uint8_t)((uint64_t)peer >> (8 * i));
		out[8 + i] = (uint8_t)(oseq >> (8 * i));
	}
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

static int refused_row(struct store *s, struct store_q *st, int with_values,
		       store_refused_fn fn, void *ctx, struct err *e)
{
	struct store_refused r;
	const char *op = store_q_col_text(st, 6);
	int rc;

	memset(&r, 0, sizeof(r));
	if (store_q_col_bytes(st, 3) != ID_BYTES)
		return err_set(e, ERR_CORRUPT, "refusal with a malformed id");
	r.seq = (uint64_t)store_q_col_i64(st, 0);
	r.peer = store_q_col_text(st, 1);
	r.oseq = (uint64_t)store_q_col_i64(st, 2);
	memcpy(r.record.b, store_q_col_blob(st, 3), ID_BYTES);
	r.coll = schema_collection_by_id((uint16_t)store_q_col_int(st, 4));
	r.kind = (enum store_change_kind)store_q_col_int(st, 5);
	snprintf(r.operator, sizeof(r.operator), "%s",
		 op ? (const char *)op : "");
	r.hlc = (uint64_t)store_q_col_i64(st, 7);
	r.reason = store_q_col_text(st, 8);
	r.at = store_q_col_i64(st, 9);
	if (!r.coll || !r.reason)
		return err_set(e, ERR_CORRUPT, "malformed refusal");
	if (with_values) {
		rc = store_entry_open(
		    s, &r.record, (uint16_t)store_q_col_int(st, 4),
		    store_q_col_blob(st, 10),
		    (size_t)store_q_col_bytes(st, 10),
		    store_q_col_blob(st, 11),
		    (size_t)store_q_col_bytes(st, 11),
		    store_q_col_blob(st, 12),
		    (size_t)store_q_col_bytes(st, 12), &r.fields, e);
		if (rc)
			return rc;
		store_withhold(s, &r.record, r.coll, r.fields);
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
		struct store_q *st = store_q(s, refused_sql[t],
					     "reading refusals");

		while (!rc && store_q_row(st))
			rc = refused_row(s, st, with_values, fn, ctx, e);
		rc = store_q_done(st, rc, e);
	}
	return err_walk_end(rc);
}
