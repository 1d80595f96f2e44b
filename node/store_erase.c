/*
 * store_erase.c - erasure by key destruction (node/store_erase.h).
 *
 * The records to erase are found by their boxes: a person's record names
 * the person's key in its box's clear header (node/seal.h), so one scan of
 * the record table by the header's first 17 bytes finds them all, the
 * children of a case included, with no walk of parents.
 */
#include "node/store_int.h"
#include "node/store_audit.h"
#include "node/store_erase.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

int store_erase_reason_ok(const char *reason)
{
	return reason && (strcmp(reason, STORE_ERASE_REQUEST) == 0 ||
			  strcmp(reason, STORE_ERASE_RETENTION) == 0 ||
			  strcmp(reason, STORE_ERASE_KEY_GONE) == 0);
}

static int run_blob(struct store *s, const char *sql, const uint8_t *blob,
		    size_t n, struct err *e)
{
	struct store_q *q = store_q(s, sql, "erasing");

	if (blob)
		store_q_bind_blob(q, 1, blob, n);
	return store_q_run(q, e);
}

/* Only the values of fields not marked personal, and the deletion
 * marker; values of fields this build does not know go too. */
static json_t *residue_of(const struct schema_collection *c,
			  const json_t *values)
{
	json_t *out = json_object();
	const char *name;
	json_t *v;

	if (!out)
		return NULL;
	json_object_foreach((json_t *)values, name, v) {
		const struct schema_field *f = c ? schema_field(c, name) : NULL;
		int keep = strcmp(name, SCHEMA_FIELD_DELETED_NAME) == 0 ||
			   (f && !(f->flags & SCHEMA_PERSONAL));

		if (keep && json_object_set(out, name, v)) {
			json_decref(out);
			return NULL;
		}
	}
	return out;
}

/*
 * The record of the current row of q (rid, id, coll, vers, body): its
 * values cut to their residue and sealed under the data key, marked
 * erased.  Values that no longer open (the key is gone): the row goes.
 */
static int erase_row(struct store *s, struct store_q *q, struct err *e)
{
	const struct schema_collection *c =
	    schema_collection_by_id((uint16_t)store_q_col_int(q, 2));
	int64_t rid = store_q_col_i64(q, 0);
	json_t *values = NULL, *rest = NULL;
	uint8_t *ad = NULL, *box = NULL;
	size_t adlen = 0, boxlen = 0;
	struct store_q *u;
	struct err one;
	struct id id;
	int rc;

	if (store_q_col_bytes(q, 1) != ID_BYTES)
		return err_set(e, ERR_CORRUPT, "record with a malformed id");
	memcpy(id.b, store_q_col_blob(q, 1), ID_BYTES);
	err_init(&one);
	rc = store_entry_open(s, &id, (uint16_t)store_q_col_int(q, 2),
			      store_q_col_blob(q, 3),
			      (size_t)store_q_col_bytes(q, 3), NULL, 0,
			      store_q_col_blob(q, 4),
			      (size_t)store_q_col_bytes(q, 4), &values, &one);
	if (rc == ERR_NOTFOUND) {
		/* Nothing left to keep a count with. */
		u = store_q(s, "DELETE FROM record WHERE rid = ?1", "erasing");
		store_q_bind_int(u, 1, rid);
		return store_q_run(u, e);
	}
	if (rc) {
		*e = one;
		return rc;
	}
	rest = residue_of(c, values);
	json_decref(values);
	if (!rest ||
	    store_body_ad(&id, (uint16_t)store_q_col_int(q, 2),
			  store_q_col_blob(q, 3),
			  (size_t)store_q_col_bytes(q, 3), NULL, 0, &ad,
			  &adlen)) {
		rc = err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	rc = store_seal_json(s, NULL, rest, ad, adlen, &box, &boxlen, e);
	if (rc)
		goto out;
	/* Its open conflicts go with its history; the row's MAC follows. */
	u = store_q(s, "UPDATE record SET body = ?2, erased = 1, conflicts = 0 "
		       "WHERE rid = ?1",
		    "erasing");
	store_q_bind_int(u, 1, rid);
	store_q_bind_blob(u, 2, box, boxlen);
	rc = store_q_run(u, e);
	if (!rc)
		rc = store_mac_reseal(s, STORE_MAC_RECORD, rid, NULL, -1, e);
out:
	json_decref(rest);
	free(ad);
	free(box);
	return rc;
}

/* Erase person here, in the open transaction: *records made unreadable. */
static int erase(struct store *s, const struct id *person,
		 const char *reason, const char *operator, uint64_t *records,
		 struct err *e)
{
	uint8_t head[1 + SEAL_KIDBYTES];
	struct store_q *q = NULL;
	int64_t after = 0;
	int had = 0, more = 1, rc;

	*records = 0;
	head[0] = SEAL_FORMAT_OWNED;
	memcpy(head + 1, person->b, SEAL_KIDBYTES);
	rc = store_seq_floor_raise(s, e);
	if (!rc)
		rc = run_blob(s, "DROP TABLE IF EXISTS temp.erase", NULL, 0, e);
	if (!rc)
		rc = run_blob(s,
			      "CREATE TEMP TABLE erase AS SELECT rid, id FROM "
			      "record WHERE substr(body, 1, 17) = ?1",
			      head, sizeof(head), e);
	if (!rc)
		rc = run_blob(s,
			      "DELETE FROM rejection WHERE seq IN (SELECT seq "
			      "FROM change WHERE rid IN (SELECT rid FROM "
			      "temp.erase))",
			      NULL, 0, e);
	if (!rc)
		rc = run_blob(s,
			      "DELETE FROM refused WHERE record IN (SELECT id "
			      "FROM temp.erase)",
			      NULL, 0, e);
	if (!rc)
		rc = run_blob(s,
			      "DELETE FROM change WHERE rid IN (SELECT rid "
			      "FROM temp.erase)",
			      NULL, 0, e);
	/* One row at a time: each is rewritten or removed as it is read. */
	while (!rc && more) {
		q = store_q(s,
			    "SELECT rid, id, coll, vers, body FROM record "
			    "WHERE rid IN (SELECT rid FROM temp.erase) AND "
			    "erased = 0 AND rid > ?1 ORDER BY rid LIMIT 1",
			    "erasing");
		store_q_bind_int(q, 1, after);
		more = store_q_row(q);
		if (more) {
			after = store_q_col_i64(q, 0);
			rc = erase_row(s, q, e);
			(*records)++;
		}
		rc = store_q_done(q, rc, e);
	}
	if (!rc)
		rc = run_blob(s, "DROP TABLE temp.erase", NULL, 0, e);
	if (!rc)
		rc = store_pkey_destroy(s, person, &had, e);
	if (!rc) {
		q = store_q(s,
			    "INSERT INTO erasure(person, records, reason, "
			    "operator, at) VALUES (?1, ?2, ?3, ?4, ?5)",
			    "recording the erasure");
		store_q_bind_blob(q, 1, person->b, ID_BYTES);
		store_q_bind_int(q, 2, (int64_t)*records);
		store_q_bind_text(q, 3, reason);
		store_q_bind_text(q, 4, operator);
		store_q_bind_int(q, 5, (int64_t)time(NULL));
		rc = store_q_run(q, e);
	}
	/* Views' memos may hold the person's name: built again. */
	if (!rc)
		rc = store_memos_drop(s, e);
	if (!rc)
		rc = store_audit_note(s, "erase", schema_search_collection(),
				      person, *records, reason, e);
	return rc;
}

int store_erased(struct store *s, const struct id *person, int *yes,
		 struct err *e)
{
	struct store_q *q = store_q(s, "SELECT 1 FROM erasure WHERE person "
				       "= ?1",
				    "reading erasures");

	store_q_bind_blob(q, 1, person->b, ID_BYTES);
	*yes = store_q_row(q);
	return store_q_end(q, e);
}

/* After the commit: the destroyed key's and values' old pages leave the
 * WAL files too (best effort: a reader may hold them a while). */
static void fold_wal(struct store *s)
{
	store_pkey_checkpoint(s);
	store_sql_checkpoint(s);
}

static int last_of(struct store *s, struct store_erasure *out, struct err *e)
{
	struct store_q *q = store_q(s,
				    "SELECT seq, person, records, reason, "
				    "operator, at FROM erasure ORDER BY seq "
				    "DESC LIMIT 1",
				    "reading erasures");

	if (store_q_row(q) && store_q_col_bytes(q, 1) == ID_BYTES) {
		out->seq = (uint64_t)store_q_col_i64(q, 0);
		memcpy(out->person.b, store_q_col_blob(q, 1), ID_BYTES);
		out->records = (uint64_t)store_q_col_i64(q, 2);
		snprintf(out->reason, sizeof(out->reason), "%s",
			 store_q_col_text(q, 3) ? store_q_col_text(q, 3) : "");
		snprintf(out->operator, sizeof(out->operator), "%s",
			 store_q_col_text(q, 4) ? store_q_col_text(q, 4) : "");
		out->at = store_q_col_i64(q, 5);
	}
	return store_q_end(q, e);
}

int store_erase_decide(struct store *s, const struct id *person,
		       const char *reason, struct store_erasure *out,
		       struct err *e)
{
	char idtext[ID_TEXT_LEN + 1];
	uint64_t records = 0;
	int opened = 0, gone = 0, rc;

	rc = store_require_unlocked(s, e);
	if (rc)
		return rc;
	if (store_role(s) != STORE_ROLE_HUB)
		return err_set(e, ERR_INVALID, "erasures are decided on the "
			       "hub: each node applies them at its next sync");
	if (!access_manages_operators(store_operator_role(s)))
		return err_set(e, ERR_DENIED, "only the focal_point or the "
			       "coordinatore of the hub may erase a person");
	if (!store_erase_reason_ok(reason) ||
	    strcmp(reason, STORE_ERASE_KEY_GONE) == 0)
		return err_set(e, ERR_INVALID, "reason: '%s' is not %s or %s",
			       reason ? reason : "", STORE_ERASE_REQUEST,
			       STORE_ERASE_RETENTION);
	id_format(person, idtext);
	rc = store_tx_begin(s, &opened, e);
	if (!rc)
		rc = store_erased(s, person, &gone, e);
	if (!rc && gone)
		rc = err_set(e, ERR_EXISTS, "person %s is erased already",
			     idtext);
	if (!rc)
		rc = erase(s, person, reason,
			   store_session_operator(s->sess), &records, e);
	if (!rc && out)
		rc = last_of(s, out, e);
	rc = store_tx_end(s, opened, rc, e);
	if (!rc)
		fold_wal(s);
	return rc;
}

int store_erase_apply(struct store *s, const struct store_erasure *d,
		      uint64_t *records, struct err *e)
{
	int opened = 0, gone = 0, rc;

	*records = 0;
	rc = store_require_unlocked(s, e);
	if (rc)
		return rc;
	if (!store_erase_reason_ok(d->reason))
		return err_set(e, ERR_INVALID, "an erasure with a malformed "
			       "reason");
	rc = keyslot_check_operator(d->operator, e);
	if (rc)
		return rc;
	rc = store_tx_begin(s, &opened, e);
	if (!rc)
		rc = store_erased(s, &d->person, &gone, e);
	if (!rc && !gone)
		rc = erase(s, &d->person, d->reason, d->operator, records, e);
	rc = store_tx_end(s, opened, rc, e);
	if (!rc && !gone)
		fold_wal(s);
	return rc;
}

int store_erase_orphans(struct store *s, uint64_t *persons, struct err *e)
{
	const unsigned char *key = NULL;
	struct store_q *q = NULL;
	uint8_t after[SEAL_KIDBYTES] = { 0 };
	const uint8_t owned_format = SEAL_FORMAT_OWNED;
	int more = 1, opened = 0, rc;

	*persons = 0;
	rc = store_require_unlocked(s, e);
	if (!rc)
		rc = store_tx_begin(s, &opened, e);
	/* One owner at a time, in order: each erasure rewrites rows. */
	while (!rc && more) {
		struct id person;
		uint64_t records = 0;
		struct err one;
		int gone = 0;

		q = store_q(s,
			    "SELECT min(substr(body, 2, 16)) FROM record WHERE "
			    "substr(body, 1, 1) = ?2 AND substr(body, 2, "
			    "16) > ?1",
			    "finding persons' records");
		store_q_bind_blob(q, 1, after, sizeof(after));
		store_q_bind_blob(q, 2, &owned_format, 1);
		more = store_q_row(q) &&
		       store_q_col_bytes(q, 0) == SEAL_KIDBYTES;
		if (more)
			memcpy(person.b, store_q_col_blob(q, 0), ID_BYTES);
		rc = store_q_end(q, e);
		if (rc || !more)
			break;
		memcpy(after, person.b, sizeof(after));
		err_init(&one);
		rc = store_pkey_get(s, &person, 0, &key, &one);
		if (rc != ERR_NOTFOUND) {
			if (rc)
				*e = one;
			continue;
		}
		rc = store_erased(s, &person, &gone, e);
		if (!rc && !gone)
			rc = erase(s, &person, STORE_ERASE_KEY_GONE,
				   store_session_operator(s->sess), &records, e);
		if (!rc && !gone)
			(*persons)++;
	}
	rc = store_tx_end(s, opened, rc, e);
	if (!rc && *persons)
		fold_wal(s);
	return rc;
}

int store_erasure_list(struct store *s, uint64_t after, size_t max,
		       store_erasure_fn fn, void *ctx, struct err *e)
{
	struct store_q *q = store_q(s,
				    "SELECT seq, person, records, reason, "
				    "operator, at FROM erasure WHERE seq > ?1 "
				    "ORDER BY seq LIMIT ?2",
				    "reading erasures");
	int rc = 0;

	store_q_bind_int(q, 1, (int64_t)after);
	store_q_bind_int(q, 2, max ? (int64_t)max : -1);
	while (!rc && store_q_row(q)) {
		struct store_erasure d;
		const char *t;

		memset(&d, 0, sizeof(d));
		if (store_q_col_bytes(q, 1) != ID_BYTES) {
			rc = err_set(e, ERR_CORRUPT, "an erasure with a "
				     "malformed id");
			break;
		}
		d.seq = (uint64_t)store_q_col_i64(q, 0);
		memcpy(d.person.b, store_q_col_blob(q, 1), ID_BYTES);
		d.records = (uint64_t)store_q_col_i64(q, 2);
		t = store_q_col_text(q, 3);
		snprintf(d.reason, sizeof(d.reason), "%s", t ? t : "");
		t = store_q_col_text(q, 4);
		snprintf(d.operator, sizeof(d.operator), "%s", t ? t : "");
		d.at = store_q_col_i64(q, 5);
		rc = fn(ctx, &d);
	}
	rc = store_q_done(q, rc, e);
	return err_walk_end(rc);
}

int store_erasure_last(struct store *s, uint64_t *seq, struct err *e)
{
	struct store_q *q = store_q(s, "SELECT coalesce(max(seq), 0) FROM "
				       "erasure",
				    "reading erasures");

	*seq = 0;
	if (store_q_row(q))
		*seq = (uint64_t)store_q_col_i64(q, 0);
	return store_q_end(q, e);
}
