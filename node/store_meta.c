/*
 * store_meta.c - what the store says about itself: checkpoints (named
 * progress markers kept in meta with the data they cover), status counts,
 * the integrity check, what a handle saw of the file last
 * (store_file_stamp()) and the size of its page cache.
 */
#include "node/store_int.h"

#include "node/store_audit.h"
#include "node/store_require.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* "checkpoint:NAME" in meta, after checking NAME. */
static int checkpoint_key(const char *name, char *key, size_t size,
			  struct err *e)
{
	size_t n = name ? strlen(name) : 0;

	if (n == 0 || n >= STORE_CHECKPOINT_NAME_MAX)
		return err_set(e, ERR_INVALID, "bad checkpoint name");
	for (size_t i = 0; i < n; i++)
		if (name[i] < 0x21 || name[i] > 0x7e)
			return err_set(e, ERR_INVALID, "bad checkpoint name");
	snprintf(key, size, "checkpoint:%s", name);
	return 0;
}

int store_checkpoint_get(struct store *s, const char *name, uint64_t *value,
			 struct err *e)
{
	char key[STORE_CHECKPOINT_NAME_MAX + 16];
	int64_t v = 0;
	int rc = checkpoint_key(name, key, sizeof(key), e);

	if (!rc)
		rc = store_meta_get_int(s, key, &v, e);
	/* A cursor moved in the file would skip or repeat work silently. */
	if (!rc && store_mac_check(s, STORE_MAC_META, 0, key, -1, NULL))
		rc = err_set(e, ERR_AUTH,
			     "checkpoint '%s' fails authentication (altered "
			     "outside presidio)",
			     name);
	if (!rc)
		*value = (uint64_t)v;
	return rc;
}

int store_checkpoint_set(struct store *s, const char *name, uint64_t value,
			 struct err *e)
{
	char key[STORE_CHECKPOINT_NAME_MAX + 16];
	int opened = 0;
	int rc = checkpoint_key(name, key, sizeof(key), e);

	if (!rc)
		rc = store_tx_begin(s, &opened, e);
	if (rc)
		return rc;
	rc = store_meta_set_int(s, key, (int64_t)value, e);
	if (!rc)
		rc = store_mac_reseal(s, STORE_MAC_META, 0, key, -1, e);
	return store_tx_end(s, opened, rc, e);
}

static int count_query(struct store *s, const char *sql, uint64_t *out,
		       struct err *e)
{
	struct store_q *st = store_q(s, sql, "reading status");

	/* An aggregate: always one row. */
	if (store_q_row(st))
		*out = (uint64_t)store_q_col_i64(st, 0);
	return store_q_end(st, e);
}

int store_status(struct store *s, struct store_status *out, struct err *e)
{
	struct store_q *st = NULL;
	int64_t gen = 0, rotating = 0, hlc = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	out->node_id = s->node_id;
	snprintf(out->name, sizeof(out->name), "%s", s->name);
	out->role = s->role;
	rc = store_user_version(s, &out->schema_version, e);
	if (!rc)
		rc = store_meta_get_int(s, "key_gen", &gen, e);
	if (!rc)
		rc = store_meta_get_int(s, "hlc", &hlc, e);
	if (!rc && store_meta_get_int(s, "rotating", &rotating, NULL) == 0)
		out->rotating = 1;
	if (!rc)
		rc = count_query(s, "SELECT count(*) FROM change",
				 &out->changes, e);
	if (!rc)
		rc = count_query(s, "SELECT coalesce(max(seq), 0) FROM change",
				 &out->last_seq, e);
	if (!rc)
		rc = count_query(s, "SELECT count(*) FROM keyslot",
				 &out->operators, e);
	if (!rc)
		rc = count_query(s,
				 "SELECT count(*) FROM record WHERE "
				 "conflicts > 0",
				 &out->conflicted, e);
	if (!rc)
		rc = count_query(s, "SELECT (SELECT count(*) FROM rejection) + "
				 "(SELECT count(*) FROM refused WHERE peer IS "
				 "NULL)",
				 &out->rejected, e);
	if (rc)
		return rc;
	out->key_gen = (uint32_t)gen;
	out->hlc = (uint64_t)hlc;
	/* Per collection: all rows, then the tombstones, each counted from
	 * an index (0013_record_coll.sql), never from the table. */
	st = store_q(s,
		     "SELECT coll, count(*), (SELECT count(*) FROM record d "
		     "WHERE d.coll = r.coll AND d.deleted != 0) FROM record r "
		     "GROUP BY coll ORDER BY coll",
		     "reading status");
	while (store_q_row(st)) {
		const struct schema_collection *c = schema_collection_by_id(
		    (uint16_t)store_q_col_int(st, 0));
		uint64_t dead = (uint64_t)store_q_col_i64(st, 2);
		uint64_t live = (uint64_t)store_q_col_i64(st, 1) - dead;

		out->records += live;
		out->deleted += dead;
		if (c && out->ncoll < STORE_STATUS_COLLECTIONS) {
			out->coll[out->ncoll].coll = c;
			out->coll[out->ncoll].live = live;
			out->coll[out->ncoll].deleted = dead;
			out->ncoll++;
		}
	}
	return store_q_end(st, e);
}

int store_verify(struct store *s, uint64_t *bad, struct err *e)
{
	struct store_q *st = NULL;
	const char *first = NULL;
	uint64_t nbad = 0;
	int rc, row;

	if (bad)
		*bad = 0;
	st = store_q(s, "PRAGMA integrity_check", "integrity check");
	row = store_q_row(st);
	if (row)
		first = store_q_col_text(st, 0);
	if (row && first && strcmp(first, "ok")) {
		rc = err_set(e, ERR_CORRUPT, "database integrity check: %s",
			     first);
		(void)store_q_end(st, NULL);
		if (bad)
			*bad = 1;
		return rc;
	}
	rc = store_q_end(st, e);
	if (!rc && !row)
		rc = err_set(e, ERR_FAIL, "integrity check: no answer");
	if (rc)
		return rc;
	if (!s->sealer)
		return 0;
	/* Every check runs; the first failure names what failed, the count
	 * is of all.  Then the change log against its high-water mark. */
	{
		struct err one;
		uint64_t n = 0, high = 0;
		int r;

		rc = store_mac_schema_check(s, NULL, e);
		if (rc)
			nbad++;
		err_init(&one);
		r = store_slots_verify(s, &n, rc ? &one : e);
		nbad += n;
		rc = rc ? rc : r;
		n = 0;
		r = store_records_verify(s, &n, rc ? &one : e);
		nbad += n;
		rc = rc ? rc : r;
		n = 0;
		r = store_mac_verify(s, &n, rc ? &one : e);
		nbad += n;
		rc = rc ? rc : r;
		n = 0;
		r = store_require_kin_verify(s, &n, rc ? &one : e);
		nbad += n;
		rc = rc ? rc : r;
		r = store_seq_high(s, &high, rc ? &one : e);
		if (!r)
			r = store_mac_mark_check(s, high, rc ? &one : e);
		if (r == ERR_CORRUPT)
			nbad++;
		rc = rc ? rc : r;
		/* The audit trail's chains (node/store_audit.h). */
		r = store_audit_verify(s, &n, rc ? &one : e);
		if (r == ERR_CORRUPT)
			nbad++;
		rc = rc ? rc : r;
		/* Records the last schema upgrade could not re-derive
		 * (store_schema_upgrade()): they keep an older build's row. */
		n = 0;
		r = store_checkpoint_get(s, STORE_CK_SCHEMA_FAILED, &n, NULL);
		if (!r && n) {
			nbad += n;
			r = err_set(rc ? &one : e, ERR_CORRUPT,
				    "%" PRIu64 " records could not be "
				    "re-derived at the schema upgrade (their "
				    "log is damaged; see the log file)", n);
			rc = rc ? rc : r;
		}
	}
	if (bad)
		*bad = nbad;
	return rc;
}

int store_file_stamp(struct store *s, uint64_t *instance, uint64_t *stamp,
		     struct err *e)
{
	struct store_q *q = store_q(s, "PRAGMA data_version",
				    "reading the file's version");

	*instance = s->instance;
	*stamp = 0;
	if (store_q_row(q))
		*stamp = (uint64_t)store_q_col_i64(q, 0);
	return store_q_end(q, e);
}

int store_set_cache_kib(struct store *s, unsigned kib, struct err *e)
{
	char sql[48];

	if (kib < 256)
		return err_set(e, ERR_INVALID, "page cache below 256 KiB");
	snprintf(sql, sizeof(sql), "PRAGMA cache_size=-%u", kib);
	return store_exec(s, sql, e);
}
