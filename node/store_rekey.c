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
static int open_row(struct store *s, struct store_q *st, json_t **obj,
		    uint8_t **ad, size_t *adlen, struct err *e)
{
	struct id id;
	int rc;

	*obj = NULL;
	*ad = NULL;
	if (store_q_col_bytes(st, 1) != ID_BYTES)
		return err_set(e, ERR_CORRUPT, "record with a malformed id");
	memcpy(id.b, store_q_col_blob(st, 1), ID_BYTES);
	if (store_body_ad(&id, (uint16_t)store_q_col_int(st, 2),
			  store_q_col_blob(st, 3),
			  (size_t)store_q_col_bytes(st, 3),
			  store_q_col_blob(st, 4),
			  (size_t)store_q_col_bytes(st, 4), ad, adlen))
		return err_set(e, ERR_NOMEM, "out of memory");
	rc = store_open_json(s, &id, store_q_col_blob(st, 5),
			     (size_t)store_q_col_bytes(st, 5), *ad, *adlen,
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
	struct store_q *sel = NULL, *upd = NULL;
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
	sel = store_q(s, rekey_select[t], "re-sealing");
	store_q_bind_int(sel, 1, after);
	store_q_bind_int(sel, 2, REKEY_BATCH);
	while (store_q_row(sel)) {
		const uint8_t *box = store_q_col_blob(sel, 5);
		size_t boxlen = (size_t)store_q_col_bytes(sel, 5);
		json_t *obj = NULL;
		uint8_t *ad = NULL;
		size_t adlen;

		*last = store_q_col_i64(sel, 0);
		n++;
		if (seal_box_gen(box, boxlen) == gen)
			continue;
		/* A person's box is under that person's key, which
		 * store_pkey_reseal() moves to the new data key: the box
		 * stays, its row's MAC moves. */
		if (seal_box_kid(box, boxlen, NULL)) {
			boxes[nnew] = malloc(boxlen);
			if (!boxes[nnew]) {
				rc = err_set(e, ERR_NOMEM, "out of memory");
				goto out;
			}
			memcpy(boxes[nnew], box, boxlen);
			lens[nnew] = boxlen;
			keys[nnew++] = *last;
			continue;
		}
		rc = open_row(s, sel, &obj, &ad, &adlen, e);
		if (!rc)
			rc = store_seal_json(s, NULL, obj, ad, adlen, &boxes[nnew],
					     &lens[nnew], e);
		json_decref(obj);
		free(ad);
		if (rc)
			goto out;
		keys[nnew++] = *last;
	}
	rc = store_q_end(sel, e);
	sel = NULL;
	for (size_t i = 0; !rc && i < nnew; i++) {
		upd = store_q(s, rekey_update[t], "re-sealing");
		store_q_bind_int(upd, 1, keys[i]);
		store_q_bind_blob(upd, 2, boxes[i], lens[i]);
		rc = store_q_run(upd, e);
	}
	if (!rc)
		*rows = n;
out:
	rc = store_q_done(sel, rc, e);
	for (size_t i = 0; i < nnew; i++)
		free(boxes[i]);
	return store_tx_end(s, opened, rc, e);
}

static int count_rows(struct store *s, uint64_t *total, struct err *e)
{
	struct store_q *st = store_q(s,
				     "SELECT (SELECT count(*) FROM record) + "
				     "(SELECT count(*) FROM change) + "
				     "(SELECT count(*) FROM refused)",
				     "counting rows");

	if (store_q_row(st))
		*total = (uint64_t)store_q_col_i64(st, 0);
	return store_q_end(st, e);
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
		struct store_q *st = store_q(s, rekey_select[t], "verifying");

		store_q_bind_int(st, 1, 0);
		store_q_bind_int(st, 2, -1);
		while (store_q_row(st)) {
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
		rc = store_q_end(st, e);
	}
	if (!rc && *bad)
		rc = err_set(e, first.code ? first.code : ERR_CORRUPT,
			     "%s (%llu damaged values in all)", first.msg,
			     (unsigned long long)*bad);
	return rc;
}
