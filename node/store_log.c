/*
 * store_log.c - reading the change log: store_log() and store_history(),
 * with each entry's clear metadata checked against its sealed versions.
 */
#include "node/store_int.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define CHANGE_COLUMNS STORE_CHANGE_COLUMNS

static void change_release(struct store_change *c)
{
	if (c->text) {
		sodium_memzero((char *)c->text, c->text_len);
		free((char *)c->text);
		c->text = NULL;
		c->text_len = 0;
	}
	free(c->prev_ids);
	c->prev_ids = NULL;
	c->nprev_ids = 0;
	json_decref(c->fields);
	c->fields = NULL;
	version_set_release(&c->vers);
	version_set_release(&c->prev);
}

/* Fill c from a CHANGE_COLUMNS row. */
/*
 * The clear columns of an entry (kind, time, actor) must say what its
 * sealed, authenticated version set says: one write stamps every field it
 * changes with the same version, and only a delete writes the deletion
 * marker.  Otherwise someone edited the log to rewrite who did what.
 */
static int check_metadata(const struct store_change *c, uint32_t actor,
			  struct err *e)
{
	int marker = version_set_get(&c->vers, SCHEMA_FIELD_DELETED) != NULL;
	/* Only a delete or a resolution (keep deleted, undelete) writes the
	 * deletion marker, and a delete always does. */
	int ok = c->vers.n > 0 && c->kind >= STORE_CHANGE_CREATE &&
		 c->kind <= STORE_CHANGE_RESOLVE &&
		 (c->kind != STORE_CHANGE_DELETE || marker) &&
		 (!marker || c->kind == STORE_CHANGE_DELETE ||
		  c->kind == STORE_CHANGE_RESOLVE) &&
		 (c->kind != STORE_CHANGE_CREATE || c->prev.n == 0);

	for (size_t i = 0; ok && i < c->vers.n; i++)
		ok = c->vers.e[i].v.hlc == c->hlc &&
		     c->vers.e[i].v.actor == actor;
	if (ok)
		return 0;
	return err_set(e, ERR_CORRUPT,
		       "change %" PRIu64 ": its time, author or kind does not "
		       "match its sealed versions",
		       c->seq);
}

/* The previous versions with node ids instead of actor numbers. */
static int prev_with_ids(struct store *s, struct store_change *c,
			 struct err *e)
{
	if (!c->prev.n)
		return 0;
	c->prev_ids = calloc(c->prev.n, sizeof(*c->prev_ids));
	if (!c->prev_ids)
		return err_set(e, ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < c->prev.n; i++) {
		const struct store_actor *a = NULL;
		int rc = store_actor_info(s, c->prev.e[i].v.actor, &a, e);

		if (rc)
			return rc;
		c->prev_ids[i].field = c->prev.e[i].field;
		c->prev_ids[i].v.hlc = c->prev.e[i].v.hlc;
		c->prev_ids[i].v.node = a->node;
	}
	c->nprev_ids = c->prev.n;
	return 0;
}

static int row_change(struct store *s, struct store_q *st,
		      struct store_change *c, int with_values, struct err *e)
{
	const char *op = NULL;
	const uint8_t *prev;
	size_t prevlen;
	int rc;

	change_release(c);
	if (store_q_col_bytes(st, 1) != ID_BYTES ||
	    store_q_col_bytes(st, 4) != ID_BYTES)
		return err_set(e, ERR_CORRUPT, "change with a malformed id");
	c->seq = (uint64_t)store_q_col_i64(st, 0);
	memcpy(c->record.b, store_q_col_blob(st, 1), ID_BYTES);
	c->coll = schema_collection_by_id((uint16_t)store_q_col_int(st, 2));
	c->kind = (enum store_change_kind)store_q_col_int(st, 3);
	memcpy(c->origin.b, store_q_col_blob(st, 4), ID_BYTES);
	c->origin_seq = (uint64_t)store_q_col_i64(st, 5);
	c->hlc = (uint64_t)store_q_col_i64(st, 7);
	c->has_seen = store_q_cols(st) > 11 && store_q_col_isint(st, 11);
	c->seen = c->has_seen ? (uint64_t)store_q_col_i64(st, 11) : 0;
	rc =
	    store_actor(s, (uint32_t)store_q_col_i64(st, 6), NULL, &op, e);
	if (rc)
		return rc;
	snprintf(c->operator, sizeof(c->operator), "%s", op);
	prev = store_q_col_blob(st, 9);
	prevlen = (size_t)store_q_col_bytes(st, 9);
	rc = version_set_decode(&c->vers, store_q_col_blob(st, 8),
				(size_t)store_q_col_bytes(st, 8), e);
	if (!rc)
		rc = version_set_decode(&c->prev, prev, prevlen, e);
	if (!rc)
		rc = prev_with_ids(s, c, e);
	if (rc || !with_values)
		return rc;
	if (with_values == STORE_VALUES_TEXT) {
		rc = store_entry_open_text(
		    s, &c->record, (uint16_t)store_q_col_int(st, 2),
		    store_q_col_blob(st, 8),
		    (size_t)store_q_col_bytes(st, 8), prev, prevlen,
		    store_q_col_blob(st, 10),
		    (size_t)store_q_col_bytes(st, 10), &c->text,
		    &c->text_len, e);
		return rc ? rc
			  : check_metadata(
				c, (uint32_t)store_q_col_i64(st, 6), e);
	}
	rc = store_entry_open(s, &c->record,
			      (uint16_t)store_q_col_int(st, 2),
			      store_q_col_blob(st, 8),
			      (size_t)store_q_col_bytes(st, 8), prev,
			      prevlen, store_q_col_blob(st, 10),
			      (size_t)store_q_col_bytes(st, 10), &c->fields,
			      e);
	if (!rc)
		rc =
		    check_metadata(c, (uint32_t)store_q_col_i64(st, 6), e);
	return rc;
}

int store_walk_changes(struct store *s, struct store_q *st, int with_values,
		       store_change_fn fn, void *ctx, size_t *rows,
		       struct err *e)
{
	struct store_change c;
	int rc;

	*rows = 0;
	memset(&c, 0, sizeof(c));
	version_set_init(&c.vers);
	version_set_init(&c.prev);
	rc = 0;
	while (!rc && store_q_row(st)) {
		(*rows)++;
		rc = row_change(s, st, &c, with_values, e);
		if (!rc && c.coll)
			rc = fn(ctx, &c);
	}
	rc = store_q_done(st, rc, e);
	change_release(&c);
	return rc;
}

/* A walk for a person: each entry's values without the fields the
 * operator's role may not read (schema/access.h). */
struct withheld_walk {
	store_change_fn fn;
	void *ctx;
	struct store *s;
};

static int withhold_one(void *ctx, const struct store_change *c)
{
	struct withheld_walk *w = ctx;

	store_withhold(w->s, &c->record, c->coll, c->fields);
	return w->fn(w->ctx, c);
}

/* Entries of a WHERE clause on seq > ?1, at most ?2, in order. */
static int log_where(struct store *s, const char *where, uint64_t after,
		     size_t limit, int with_values, store_change_fn fn,
		     void *ctx, struct err *e)
{
	char sql[1024];
	struct store_q *st = NULL;
	size_t rows;
	int rc;

	struct withheld_walk w = { fn, ctx, s };

	rc = with_values ? store_require_unlocked(s, e) : 0;
	if (rc)
		return rc;
	/* Text is handed over as sealed: only to a role that reads it all. */
	if (with_values == STORE_VALUES_TEXT && !access_reads_all(s->access))
		return err_set(e, ERR_DENIED,
			       "il ruolo %s non legge tutti i campi: i valori "
			       "come testo non sono disponibili",
			       access_role_name(s->access));
	snprintf(sql, sizeof(sql), "%sWHERE c.seq > ?1%s ORDER BY c.seq "
		 "LIMIT ?2", CHANGE_COLUMNS, where);
	st = store_q(s, sql, "reading change log");
	store_q_bind_int(st, 1, (int64_t)after);
	store_q_bind_int(st, 2, limit ? (int64_t)limit : -1);
	return err_walk_end(store_walk_changes(s, st, with_values,
					       withhold_one, &w, &rows, e));
}

int store_log(struct store *s, uint64_t after, size_t limit, int with_values,
	      store_change_fn fn, void *ctx, struct err *e)
{
	return log_where(s, "", after, limit, with_values, fn, ctx, e);
}

int store_history(struct store *s, const struct id *id, store_change_fn fn,
		  void *ctx, struct err *e)
{
	char idtext[ID_TEXT_LEN + 1];
	struct withheld_walk w = { fn, ctx, s };
	struct store_q *st = NULL;
	size_t rows = 0;
	int rc = store_require_unlocked(s, e);

	if (rc)
		return rc;
	st = store_q(s,
		     CHANGE_COLUMNS "WHERE c.rid = (SELECT rid FROM record "
				    "WHERE id = ?1) ORDER BY c.seq",
		     "reading history");
	store_q_bind_blob(st, 1, id->b, ID_BYTES);
	rc = err_walk_end(
	    store_walk_changes(s, st, 1, withhold_one, &w, &rows, e));
	/* Every record has at least its create entry, but for an erased
	 * person's, whose entries went with the key (node/store_erase.h). */
	if (!rc && rows == 0) {
		st = store_q(s, "SELECT erased FROM record WHERE id = ?1",
			     "reading history");
		store_q_bind_blob(st, 1, id->b, ID_BYTES);
		if (!store_q_row(st) || !store_q_col_int(st, 0))
			rows = (size_t)-1;
		rc = store_q_end(st, e);
	}
	if (!rc && rows == (size_t)-1) {
		id_format(id, idtext);
		rc = err_set(e, ERR_NOTFOUND, "no record %s", idtext);
	}
	return rc;
}

/*
 * Own entries by their own number: those made here (oseq NULL: their
 * number is seq) and those that came back from the hub after a restore,
 * a rebuild or a move-in (origin this node, oseq their number).  The
 * second kind is pushed too, so that a hub restored from a backup older
 * than them gets them again (the hub knows the rest: it answers them
 * "known").  Two indexed selects merged in number order (change_own,
 * change_origin), so a push page costs what it did.
 */
int store_log_own(struct store *s, uint64_t after, size_t limit,
		  int with_values, store_change_fn fn, void *ctx,
		  struct err *e)
{
	struct store_q *st = NULL;
	size_t rows;
	int rc = store_require_unlocked(s, e);

	if (rc)
		return rc;
	/* Each side names its own number as it is (not the coalesce() of
	 * both), so each reads its index in order and the two are merged:
	 * with the expression, every own change after the cursor was read
	 * and sorted for each page, and a push of n changes cost n^2 / page
	 * rows. */
	st = store_q(s,
		     STORE_CHANGE_COLUMNS_OSEQ("c.seq")
		     "WHERE c.seq > ?1 AND c.oseq IS NULL UNION ALL "
		     STORE_CHANGE_COLUMNS_OSEQ("c.oseq")
		     "WHERE c.origin = ?3 AND c.oseq > ?1 ORDER BY 6 LIMIT ?2",
		     "reading own changes");
	store_q_bind_int(st, 1, (int64_t)after);
	store_q_bind_int(st, 2, limit ? (int64_t)limit : -1);
	store_q_bind_int(st, 3, s->self_node);
	return err_walk_end(store_walk_changes(s, st, with_values, fn, ctx,
					       &rows, e));
}

int store_log_own_count(struct store *s, uint64_t after, uint64_t *n,
			struct err *e)
{
	/* By own number, as store_log_own() reads them. */
	struct store_q *st = store_q(s,
				     "SELECT (SELECT count(*) FROM change "
				     "WHERE seq > ?1 AND oseq IS NULL) + "
				     "(SELECT count(*) FROM change WHERE "
				     "origin = ?2 AND oseq > ?1)",
				     "counting changes");

	store_q_bind_int(st, 1, (int64_t)after);
	store_q_bind_int(st, 2, s->self_node);
	if (store_q_row(st))
		*n = (uint64_t)store_q_col_i64(st, 0);
	return store_q_end(st, e);
}
