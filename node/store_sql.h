/*
 * store_sql.h - the store's one way to run SQL: prepare (once per handle),
 * bind, step, read columns, reset, and SQLite's errors translated into
 * ERR_* naming what failed.  Internal to the store and the hub's registry
 * (registry/); nothing above them sees a statement.
 *
 * A statement is a few lines:
 *
 *	struct store_q *q = store_q(s, "SELECT x FROM t WHERE k = ?1",
 *				    "reading t");
 *	store_q_bind_int(q, 1, k);
 *	if (store_q_row(q))
 *		x = store_q_col_i64(q, 0);
 *	rc = store_q_end(q, e);
 *
 * store_q() never returns NULL: a statement that failed to prepare or to
 * bind keeps its error, steps no row, and store_q_end() reports it, so the
 * caller checks once, at the end.  Every store_q() is ended by exactly one
 * store_q_end() (or store_q_run(), which steps and ends), on every path:
 * the end resets the statement, which releases its read snapshot, and
 * clears its bindings, which may point at the caller's buffers.
 *
 * Statements are cached per handle, keyed by their SQL text (store_q()) or
 * by a number for the fixed set of the hot paths (store_q_fixed()), each
 * prepared on its first use and kept: after that, the write and apply
 * paths never prepare.  A
 * statement asked for while the same one is still running (a callback
 * reading the same thing) gets a fresh one for that use, finalized at its
 * end.  This module owns the cache and the connection's error text; it
 * does not own transactions (store.c) or the SQL (its callers).
 *
 * Bound text and blobs are not copied: they must stay valid until the
 * statement is ended.
 */
#ifndef PRESIDIO_STORE_SQL_H
#define PRESIDIO_STORE_SQL_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

struct store;
struct store_q;

/*
 * Open the database file path (created when create) on s, waiting up to
 * STORE_BUSY_MS for another process's lock, with the fixed statements
 * sql[0..n) (kept, not copied; each prepared on its first use).  0 or an
 * ERR_*; on failure store_sql_close() still releases what was made.
 */
int store_sql_open(struct store *s, const char *path, int create,
		   const char *const *sql, size_t n,
		   struct err *e) ERR_MUST_USE;

/* Finalize every statement, roll back a transaction left open and close
 * the connection.  Accepts a store never opened. */
void store_sql_close(struct store *s);

/* ROLLBACK, its failure ignored: the caller is already failing, or
 * SQLite ended the transaction by itself. */
void store_sql_abort(struct store *s);

/* Run SQL without results (no parameters): transactions, pragmas,
 * migrations.  Not cached. */
int store_exec(struct store *s, const char *sql, struct err *e) ERR_MUST_USE;

/* The statement of sql, cached by its text; what names it in errors (a
 * constant phrase: "reading nodes"). */
struct store_q *store_q(struct store *s, const char *sql, const char *what);

/* Fixed statement number id (see store_sql_open()). */
struct store_q *store_q_fixed(struct store *s, int id, const char *what);

/* Bind parameter i (from 1).  NULL text or blob binds SQL NULL; a
 * parameter the statement does not use is ignored. */
void store_q_bind_int(struct store_q *q, int i, int64_t v);
void store_q_bind_text(struct store_q *q, int i, const char *v);
void store_q_bind_blob(struct store_q *q, int i, const void *v, size_t n);
void store_q_bind_null(struct store_q *q, int i);

/* Step: 1 when a row is there to read, 0 when the statement is done or
 * failed (store_q_end() tells which). */
int store_q_row(struct store_q *q);

/* Columns of the current row (from 0), as sqlite3_column_*(). */
int store_q_col_int(struct store_q *q, int c);
int64_t store_q_col_i64(struct store_q *q, int c);
const char *store_q_col_text(struct store_q *q, int c); /* NULL for NULL */
const void *store_q_col_blob(struct store_q *q, int c);
int store_q_col_bytes(struct store_q *q, int c);
int store_q_col_null(struct store_q *q, int c); /* 1 when SQL NULL */
int store_q_col_isint(struct store_q *q, int c); /* 1 when an integer */
int store_q_cols(struct store_q *q);             /* columns of a row */

/* 1 when the last step failed on a constraint (a UNIQUE key taken): the
 * caller may say so better than store_q_end() would. */
int store_q_constraint(const struct store_q *q);

/* Reset the statement; 0, or the ERR_* of its failure naming what. */
int store_q_end(struct store_q *q, struct err *e);

/* End q at a cleanup label: rc when the caller failed already (q's own
 * error, if any, is dropped), else what store_q_end() says.  NULL q: rc. */
int store_q_done(struct store_q *q, int rc, struct err *e);

/* Step to the end (a write; rows, if any, are skipped), then end. */
int store_q_run(struct store_q *q, struct err *e);

/* Fold the WAL into the database and truncate it (best effort: a reader
 * may hold it, and the next checkpoint finishes the job). */
void store_sql_checkpoint(struct store *s);

/* Rows the last write changed; the rowid the last insert made. */
int64_t store_sql_changes(struct store *s);
int64_t store_sql_last_id(struct store *s);

/* 1 when no transaction is open on the connection (SQLite ended one by
 * itself after an error, or none was begun). */
int store_sql_autocommit(struct store *s);

#endif
