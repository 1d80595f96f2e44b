/*
 * store_rekey.c - walking every sealed box of the store: re-sealing under a
 * new data key (rotation) and checking that each opens (verify).
 *
 * Both tables are walked in key order in batches; each re-sealing batch is
 * its own transaction, so a crash loses at most one batch of work, never
 * data: every box names its key generation and both generations stay
 * loadable until store_key_rotate() retires the old one.
 */
#include "node/store_int.h"

#include <stdlib.h>
#include <string.h>

#define REKEY_BATCH 500

/* What is walked: records (their bodies) or change entries. */
enum rekey_table { REKEY_RECORDS, REKEY_CHANGES, REKEY_REFUSED };

/* Rows: key, id, coll, vers, prev (NULL for records), body. */
static const char *const rekey_select[] = {
    [REKEY_RECORDS] = "SELECT rid, id, coll, vers, NULL, body FROM record "
		      "WHERE rid > ?1 ORDER BY rid LIMIT ?2",
    [REKEY_CHANGES] = "SELECT c.seq, r.id, r.coll, c.vers, c.prev, c.body "
		      "FROM change c JOIN record r ON r.rid = c.rid "
		      "WHERE c.seq > ?1 ORDER BY c.seq LIMIT ?2",
    /* Refused changes kept after their entry went (store_refused.c). */
    [REKEY_REFUSED] = "SELECT seq, record, coll, vers, prev, body FROM "
		      "refused WHERE seq > ?1 ORDER BY seq LIMIT ?2",
};

/* A row's MAC (store_mac.c) moves to the new generation only when it
 * passes under the old one: a row altered outside presidio keeps a MAC
 * that keeps failing once the old key is retired. */
#define REKEY_REMAC(t, cols)                                                   \
	"mac = CASE WHEN presidio_mac_ok(mac, '" t "', " cols ") THEN "        \
	"presidio_mac('" t "', " cols ") ELSE mac END"
static const char *const rekey_update[] = {
    [REKEY_RECORDS] = "UPDATE record SET body = ?2, " REKEY_REMAC(
	"record", STORE_MAC_COLS_RECORD) " WHERE rid = ?1",
    [REKEY_CHANGES] = "UPDATE change SET body = ?2, " REKEY_REMAC(
	"change", STORE_MAC_COLS_CHANGE) " WHERE seq = ?1",
    [REKEY_REFUSED] = "UPDATE refused SET body = ?2 WHERE seq = ?1",
};

/*
 * Open the box of the current row into *obj, leaving in *ad (malloc'd,
 * caller frees) the associated data it was sealed with, so that re-sealing
 * binds the same record, versions and previous versions.
 */
static int open_row(struct store *s, sqlite3_stmt *st, json_t **obj,
		    uint8_t **ad, size_t *adlen, struct err *e)
{
	struct id id;
	int rc;

	*obj = NULL;
	*ad = NULL;
	if (sqlite3_column_bytes(st, 1) != ID_BYTES)
		return err_set(e, ERR_CORRUPT, "record with a malformed id");
	memcpy(id.b, sqlite3_column_blob(st, 1), ID_BYTES);
	if (store_body_ad(&id, (uint16_t)sqlite3_column_int(st, 2),
			  sqlite3_column_blob(st, 3),
			  (size_t)sqlite3_column_bytes(st, 3),
			  sqlite3_column_blob(st, 4),
			  (size_t)sqlite3_column_bytes(st, 4), ad, adlen))
		return err_set(e, ERR_NOMEM, "out of memory");
	rc = store_open_json(s, &id, sqlite3_column_blob(st, 5),
			     (size_t)sqlite3_column_bytes(st, 5), *ad, *adlen,
			     obj, e);
	if (rc) {
		free(*ad);
		*ad = NULL;
	}
	return rc;
}

/* One batch of re-sealing after key *after; *last = last key seen, *rows
 * = rows in the batch. */
static int reseal_batch(struct store *s, enum rekey_table t, uint32_t gen,
			int64_t after, int64_t *last, size_t *rows,
			struct err *e)
{
	sqlite3_stmt *sel = NULL, *upd = NULL;
	int64_t keys[REKEY_BATCH];
	uint8_t *boxes[REKEY_BATCH];
	size_t lens[REKEY_BATCH];
	size_t n = 0, nnew = 0;
	int opened = 0;
	int rc;

	*rows = 0;
	rc = store_tx_begin(s, &opened, e);
	if (rc)
		return rc;
	/* Under the lock the node's required generation is loaded and is the
	 * one seal_box() uses; if it is not gen, another rotation moved on. */
	if (sealer_current(s->sealer) != gen) {
		rc = err_set(e, ERR_CONFLICT,
			     "another key rotation started meanwhile: run "
			     "'presidio key rotate' again");
		goto out;
	}
	rc = sqlite3_prepare_v2(s->db, rekey_select[t], -1, &sel, NULL);
	if (rc != SQLITE_OK)
		goto sqlfail;
	sqlite3_bind_int64(sel, 1, after);
	sqlite3_bind_int(sel, 2, REKEY_BATCH);
	while ((rc = sqlite3_step(sel)) == SQLITE_ROW) {
		const uint8_t *box = sqlite3_column_blob(sel, 5);
		size_t boxlen = (size_t)sqlite3_column_bytes(sel, 5);
		json_t *obj = NULL;
		uint8_t *ad = NULL;
		size_t adlen;

		*last = sqlite3_column_int64(sel, 0);
		n++;
		if (seal_box_gen(box, boxlen) == gen)
			continue;
		rc = open_row(s, sel, &obj, &ad, &adlen, e);
		if (!rc)
			rc = store_seal_json(s, obj, ad, adlen, &boxes[nnew],
					     &lens[nnew], e);
		json_decref(obj);
		free(ad);
		if (rc)
			goto out;
		keys[nnew++] = *last;
	}
	if (rc != SQLITE_DONE)
		goto sqlfail;
	sqlite3_finalize(sel);
	sel = NULL;
	rc = sqlite3_prepare_v2(s->db, rekey_update[t], -1, &upd, NULL);
	if (rc != SQLITE_OK)
		goto sqlfail;
	for (size_t i = 0; i < nnew; i++) {
		sqlite3_bind_int64(upd, 1, keys[i]);
		sqlite3_bind_blob(upd, 2, boxes[i], (int)lens[i],
				  SQLITE_STATIC);
		rc = sqlite3_step(upd);
		sqlite3_reset(upd);
		if (rc != SQLITE_DONE)
			goto sqlfail;
	}
	*rows = n;
	rc = 0;
	goto out;
sqlfail:
	rc = store_sql_err(s, rc, "re-sealing", e);
out:
	sqlite3_finalize(sel);
	sqlite3_finalize(upd);
	for (size_t i = 0; i < nnew; i++)
		free(boxes[i]);
	return store_tx_end(s, opened, rc, e);
}

static int count_rows(struct store *s, uint64_t *total, struct err *e)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(s->db,
				    "SELECT (SELECT count(*) FROM record) + "
				    "(SELECT count(*) FROM change) + "
				    "(SELECT count(*) FROM refused)",
				    -1, &st, NULL);

	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
		*total = (uint64_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : store_sql_err(s, rc, "counting rows", e);
}

int store_records_reseal(struct store *s, uint32_t gen,
			 store_progress_fn progress, void *ctx, struct err *e)
{
	uint64_t total = 0, done = 0;
	int rc = count_rows(s, &total, e);

	for (int t = REKEY_RECORDS; !rc && t <= REKEY_REFUSED; t++) {
		int64_t after = 0;
		size_t rows;

		do {
			rc = reseal_batch(s, (enum rekey_table)t, gen, after,
					  &after, &rows, e);
			done += rows;
			if (progress && !rc)
				progress(ctx, done, total);
		} while (!rc && rows == REKEY_BATCH);
	}
	return rc;
}

int store_records_verify(struct store *s, uint64_t *bad, struct err *e)
{
	struct err first;
	int rc = 0;

	err_init(&first);
	*bad = 0;
	for (int t = REKEY_RECORDS; !rc && t <= REKEY_REFUSED; t++) {
		sqlite3_stmt *st = NULL;

		rc = sqlite3_prepare_v2(s->db, rekey_select[t], -1, &st, NULL);
		if (rc != SQLITE_OK) {
			rc = store_sql_err(s, rc, "verifying", e);
			break;
		}
		sqlite3_bind_int64(st, 1, 0);
		sqlite3_bind_int64(st, 2, -1);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			struct err one;
			json_t *obj = NULL;
			uint8_t *ad = NULL;
			size_t adlen;

			err_init(&one);
			if (open_row(s, st, &obj, &ad, &adlen, &one)) {
				if (!*bad)
					first = one;
				(*bad)++;
			}
			json_decref(obj);
			free(ad);
		}
		sqlite3_finalize(st);
		rc = rc == SQLITE_DONE ? 0
				       : store_sql_err(s, rc, "verifying", e);
	}
	if (!rc && *bad)
		rc = err_set(e, first.code ? first.code : ERR_CORRUPT,
			     "%s (%llu damaged values in all)", first.msg,
			     (unsigned long long)*bad);
	return rc;
}
