/*
 * store_sql.c - prepared statements cached per handle, bound, stepped and
 * their errors translated (node/store_sql.h).
 *
 * The cache is a small chained hash table keyed by the SQL text: a store
 * runs a few dozen distinct statements, so it stays small; the text is
 * compared whole, since statements built at run time (lists of collection
 * ids, WHERE clauses) may come from the same buffer with other text.  The
 * fixed statements of the hot paths are an array indexed by number, so
 * those cost no hashing at all.
 */
#include "node/store_int.h"

#include <sqlite3.h>

#include <stdlib.h>
#include <string.h>

#define SQL_BUCKETS 128
/* Distinct statements kept: far above what the store runs; past it a
 * statement is prepared for its one use (a bug building SQL from data
 * would otherwise grow the cache without end). */
#define SQL_CACHE_MAX 1024
#define SQL_MSG_MAX 200

struct store_q {
	struct store *s;
	sqlite3_stmt *st;
	const char *what;      /* borrowed: names it in errors */
	char *sql;             /* owned cache key; NULL when fixed or own */
	int rc;                /* SQLITE_OK, ROW, DONE, or the failure */
	int busy;              /* handed out and not ended yet */
	int own;               /* one use: finalized and freed at its end */
	char msg[SQL_MSG_MAX]; /* SQLite's text of the failure */
	struct store_q *next;  /* hash chain */
};

struct store_sql {
	const char *const *fixed_sql;
	struct store_q *fixed; /* nfixed, prepared on first use */
	size_t nfixed;
	struct store_q *bucket[SQL_BUCKETS];
	size_t count;
	struct store_q failed; /* what a statement that failed to prepare
				  hands out: it keeps the error */
};

static int sql_err_msg(int rc, const char *what, const char *msg,
		       struct err *e)
{
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return err_set(e, ERR_BUSY,
			       "%s: the node is busy (another presidio process "
			       "holds it): %s",
			       what, msg);
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return err_set(e, ERR_CORRUPT, "%s: database is damaged: %s",
			       what, msg);
	case SQLITE_IOERR:
	case SQLITE_FULL:
	case SQLITE_CANTOPEN:
	case SQLITE_READONLY:
	case SQLITE_PERM:
		return err_set(e, ERR_IO, "%s: %s", what, msg);
	case SQLITE_NOMEM:
		return err_set(e, ERR_NOMEM, "%s: out of memory", what);
	default:
		return err_set(e, ERR_FAIL, "%s: %s", what, msg);
	}
}

/* A SQLite result as ERR_* with a message naming what failed. */
static int sql_err(struct store *s, int rc, const char *what, struct err *e)
{
	const char *msg =
	    s && s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc);

	return sql_err_msg(rc, what, msg, e);
}

int store_sql_open(struct store *s, const char *path, int create,
		   const char *const *sql, size_t n, struct err *e)
{
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
	struct store_sql *c = calloc(1, sizeof(*c));
	int rc;

	if (c)
		c->fixed = calloc(n ? n : 1, sizeof(*c->fixed));
	if (!c || !c->fixed) {
		free(c);
		return err_set(e, ERR_NOMEM, "out of memory");
	}
	c->fixed_sql = sql;
	c->nfixed = n;
	c->failed.s = s;
	c->failed.rc = SQLITE_NOMEM;
	s->sql = c;
	if (create)
		flags |= SQLITE_OPEN_CREATE;
	rc = sqlite3_open_v2(path, &s->db, flags, NULL);
	if (rc != SQLITE_OK)
		return sql_err(s, rc, "opening database", e);
	sqlite3_extended_result_codes(s->db, 1);
	rc = sqlite3_busy_timeout(s->db, STORE_BUSY_MS);
	if (rc != SQLITE_OK)
		return sql_err(s, rc, "configuring database", e);
	return 0;
}

void store_sql_abort(struct store *s)
{
	if (s->db)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

void store_sql_close(struct store *s)
{
	struct store_sql *c = s->sql;

	if (s->db && !sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	if (!c)
		goto out;
	for (size_t i = 0; i < c->nfixed; i++)
		sqlite3_finalize(c->fixed[i].st);
	for (size_t b = 0; b < SQL_BUCKETS; b++) {
		struct store_q *q = c->bucket[b];

		while (q) {
			struct store_q *next = q->next;

			sqlite3_finalize(q->st);
			free(q->sql);
			free(q);
			q = next;
		}
	}
	free(c->fixed);
	free(c);
	s->sql = NULL;
out:
	if (s->db)
		sqlite3_close_v2(s->db);
	s->db = NULL;
}

int store_exec(struct store *s, const char *sql, struct err *e)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : sql_err(s, rc, "database", e);
}

/* Keep failure rc (the first one) with SQLite's text of it. */
static void q_fail(struct store_q *q, int rc)
{
	if (q->rc != SQLITE_OK && q->rc != SQLITE_ROW && q->rc != SQLITE_DONE)
		return;
	q->rc = rc;
	snprintf(q->msg, sizeof(q->msg), "%s",
		 q->s->db ? sqlite3_errmsg(q->s->db) : sqlite3_errstr(rc));
}

static int q_failed(const struct store_q *q)
{
	return q->rc != SQLITE_OK && q->rc != SQLITE_ROW &&
	       q->rc != SQLITE_DONE;
}

/* The statement could not be had: the sentinel carries the error. */
static struct store_q *q_broken(struct store *s, int rc, const char *what)
{
	struct store_q *f = &s->sql->failed;

	f->rc = SQLITE_OK;
	f->what = what;
	q_fail(f, rc);
	return f;
}

/* Prepare sql into q (persistent when it is kept). */
static int q_prepare(struct store *s, struct store_q *q, const char *sql,
		     int keep)
{
	return sqlite3_prepare_v3(s->db, sql, -1,
				  keep ? SQLITE_PREPARE_PERSISTENT : 0, &q->st,
				  NULL);
}

/* A statement for one use, while the cached one is running. */
static struct store_q *q_once(struct store *s, const char *sql,
			      const char *what)
{
	struct store_q *q = calloc(1, sizeof(*q));
	int rc;

	if (!q)
		return q_broken(s, SQLITE_NOMEM, what);
	q->s = s;
	q->own = 1;
	rc = q_prepare(s, q, sql, 0);
	if (rc != SQLITE_OK) {
		sqlite3_finalize(q->st);
		free(q);
		return q_broken(s, rc, what);
	}
	q->busy = 1;
	q->what = what;
	return q;
}

static struct store_q *q_hand_out(struct store_q *q, const char *what)
{
	q->busy = 1;
	q->rc = SQLITE_OK;
	q->what = what;
	return q;
}

static size_t sql_hash(const char *sql)
{
	uint64_t h = 1469598103934665603u; /* FNV-1a */

	for (const unsigned char *p = (const unsigned char *)sql; *p; p++)
		h = (h ^ *p) * 1099511628211u;
	return (size_t)(h % SQL_BUCKETS);
}

struct store_q *store_q(struct store *s, const char *sql, const char *what)
{
	struct store_sql *c = s->sql;
	size_t b = sql_hash(sql);
	struct store_q *q;
	int rc;

	for (q = c->bucket[b]; q; q = q->next)
		if (strcmp(q->sql, sql) == 0)
			break;
	if (q)
		return q->busy ? q_once(s, sql, what) : q_hand_out(q, what);
	if (c->count >= SQL_CACHE_MAX)
		return q_once(s, sql, what);
	q = calloc(1, sizeof(*q));
	if (!q || !(q->sql = strdup(sql))) {
		free(q);
		return q_broken(s, SQLITE_NOMEM, what);
	}
	q->s = s;
	rc = q_prepare(s, q, sql, 1);
	if (rc != SQLITE_OK) {
		sqlite3_finalize(q->st);
		free(q->sql);
		free(q);
		return q_broken(s, rc, what);
	}
	q->next = c->bucket[b];
	c->bucket[b] = q;
	c->count++;
	return q_hand_out(q, what);
}

struct store_q *store_q_fixed(struct store *s, int id, const char *what)
{
	struct store_sql *c = s->sql;
	struct store_q *q = &c->fixed[id];
	int rc;

	if (q->busy)
		return q_once(s, c->fixed_sql[id], what);
	if (!q->st) {
		q->s = s;
		rc = q_prepare(s, q, c->fixed_sql[id], 1);
		if (rc != SQLITE_OK) {
			sqlite3_finalize(q->st);
			q->st = NULL;
			return q_broken(s, rc, what);
		}
	}
	return q_hand_out(q, what);
}

/* A parameter the statement does not have (SQLITE_RANGE) is no failure:
 * helpers bind the parameters of a family of statements, some of which
 * use fewer (store_evict_pending_count()). */
static void q_bound(struct store_q *q, int rc)
{
	if (rc != SQLITE_OK && rc != SQLITE_RANGE)
		q_fail(q, rc);
}

void store_q_bind_int(struct store_q *q, int i, int64_t v)
{
	if (!q_failed(q))
		q_bound(q, sqlite3_bind_int64(q->st, i, v));
}

void store_q_bind_text(struct store_q *q, int i, const char *v)
{
	if (!q_failed(q))
		q_bound(q, v ? sqlite3_bind_text(q->st, i, v, -1, SQLITE_STATIC)
			     : sqlite3_bind_null(q->st, i));
}

void store_q_bind_blob(struct store_q *q, int i, const void *v, size_t n)
{
	if (q_failed(q))
		return;
	if (n > INT32_MAX) {
		q_fail(q, SQLITE_TOOBIG);
		return;
	}
	q_bound(q, v ? sqlite3_bind_blob(q->st, i, v, (int)n, SQLITE_STATIC)
		     : sqlite3_bind_null(q->st, i));
}

void store_q_bind_null(struct store_q *q, int i)
{
	if (!q_failed(q))
		q_bound(q, sqlite3_bind_null(q->st, i));
}

int store_q_row(struct store_q *q)
{
	int rc;

	/* Never step past the end: SQLite would start the statement over. */
	if (q_failed(q) || q->rc == SQLITE_DONE)
		return 0;
	rc = sqlite3_step(q->st);
	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		q->rc = rc;
	else
		q_fail(q, rc);
	return rc == SQLITE_ROW;
}

int store_q_col_int(struct store_q *q, int c)
{
	return sqlite3_column_int(q->st, c);
}

int64_t store_q_col_i64(struct store_q *q, int c)
{
	return sqlite3_column_int64(q->st, c);
}

const char *store_q_col_text(struct store_q *q, int c)
{
	return (const char *)sqlite3_column_text(q->st, c);
}

const void *store_q_col_blob(struct store_q *q, int c)
{
	return sqlite3_column_blob(q->st, c);
}

int store_q_col_bytes(struct store_q *q, int c)
{
	return sqlite3_column_bytes(q->st, c);
}

int store_q_col_null(struct store_q *q, int c)
{
	return sqlite3_column_type(q->st, c) == SQLITE_NULL;
}

int store_q_col_isint(struct store_q *q, int c)
{
	return sqlite3_column_type(q->st, c) == SQLITE_INTEGER;
}

int store_q_cols(struct store_q *q)
{
	return sqlite3_column_count(q->st);
}

int store_q_constraint(const struct store_q *q)
{
	return (q->rc & 0xff) == SQLITE_CONSTRAINT;
}

int store_q_end(struct store_q *q, struct err *e)
{
	int rc = 0;

	if (!q)
		return 0;
	if (q_failed(q))
		rc = sql_err_msg(q->rc, q->what, q->msg, e);
	if (q == &q->s->sql->failed)
		return rc;
	if (q->own) {
		sqlite3_finalize(q->st);
		free(q);
		return rc;
	}
	sqlite3_reset(q->st);
	sqlite3_clear_bindings(q->st);
	q->busy = 0;
	q->rc = SQLITE_OK;
	return rc;
}

int store_q_done(struct store_q *q, int rc, struct err *e)
{
	int end = store_q_end(q, rc ? NULL : e);

	return rc ? rc : end;
}

int store_q_run(struct store_q *q, struct err *e)
{
	while (store_q_row(q))
		;
	return store_q_end(q, e);
}

void store_sql_checkpoint(struct store *s)
{
	sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_TRUNCATE,
				  NULL, NULL);
}

int64_t store_sql_changes(struct store *s)
{
	return sqlite3_changes64(s->db);
}

int64_t store_sql_last_id(struct store *s)
{
	return sqlite3_last_insert_rowid(s->db);
}

int store_sql_autocommit(struct store *s)
{
	return sqlite3_get_autocommit(s->db);
}
