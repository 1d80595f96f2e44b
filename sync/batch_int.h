/*
 * batch_int.h - internals of sync/batch.h shared by its source files (not
 * an API):
 *   batch.c         building, sealing and opening batches
 *   batch_bounds.c  the bounds on a batch's JSON before it is parsed,
 *                   and the checks of what both formats read
 *   batch_col.c     the columns of format 2 (batch.h): built, then read
 */
#ifndef PRESIDIO_SYNC_BATCH_INT_H
#define PRESIDIO_SYNC_BATCH_INT_H

#include <jansson.h>
#include <stddef.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/id.h"
#include "common/jscan.h"
#include "node/store.h"

#define SYNC_BATCH_ROWS 1 /* format 1: JSON, a row a change */

/* One change read from a batch, checked, ready for store_apply(). */
struct sync_parsed {
	struct store_incoming in;
	struct merge_prev *prev; /* in.prev's array (owned) */
	json_t *fields;          /* in.fields when owned (format 2) */
	int skip; /* of a collection of a newer schema version (batch.h) */
};

/* Free what ps[0..n) own, then ps. */
void sync_parsed_free(struct sync_parsed *ps, size_t n);

/* The values of change k against its collection's schema: types, known
 * fields, required fields of a create; "_deleted" a boolean.  newer: a
 * batch of a newer schema version (batch.h), whose undeclared fields and
 * ENUM values are kept within bounds.  0 or ERR_INVALID naming change k. */
int sync_batch_check_values(size_t k, const struct schema_collection *coll,
			    const json_t *fields, int creating, int newer,
			    struct err *e) ERR_MUST_USE;

/* The values of a change of a collection this build does not declare
 * (passed over, batch.h): names and values within bounds.  0 or
 * ERR_INVALID naming change k. */
int sync_batch_check_opaque(size_t k, const json_t *fields,
			    struct err *e) ERR_MUST_USE;

/* The node ids ("nodes", hex) and operator names ("ops") of a batch's
 * document: *nodes (calloc'd, caller frees) and *nnodes.  0 or
 * ERR_INVALID, ERR_NOMEM. */
int sync_batch_lists(const json_t *doc, struct id **nodes, size_t *nnodes,
		     struct err *e) ERR_MUST_USE;

/* 1 when meta says the batch is of a schema version newer than this
 * build's (a hub one version ahead). */
int sync_batch_newer(const json_t *meta);

/* ---- format 2: columns (batch_col.c) ---- */

struct batch_cols;

int batch_cols_new(struct batch_cols **out) ERR_MUST_USE;
void batch_cols_free(struct batch_cols *c); /* wipes; NULL ok */

/* Add change ch, its node and operator at indexes node and op of the
 * batch's lists, and the node of each of its prev_ids at prev_node[i].
 * Nothing of a change refused stays.  0, ERR_INVALID (values that are
 * not a JSON object), ERR_NOMEM. */
int batch_cols_add(struct batch_cols *c, const struct store_change *ch,
		   size_t node, size_t op, const size_t *prev_node)
	ERR_MUST_USE;

/* Bytes the columns hold so far. */
size_t batch_cols_bytes(const struct batch_cols *c);

/* The names the columns refer to by index: collections and keys (JSON
 * arrays, borrowed), for the payload's head. */
json_t *batch_cols_colls(const struct batch_cols *c);
json_t *batch_cols_keys(const struct batch_cols *c);

/* The payload: head (JSON text, hlen bytes) with its length, then the
 * columns, appended to out. */
int batch_cols_payload(const struct batch_cols *c, const char *head,
		       size_t hlen, struct buf *out) ERR_MUST_USE;

/*
 * Read a format-2 payload (len bytes, inflated): *doc its head (caller
 * decrefs; collection and operator names point into it), and (*ps)[0..*n)
 * its changes, all checked as format 1's are (caller frees them with
 * sync_parsed_free(), then decrefs *doc).  0, ERR_INVALID naming what is
 * wrong (never a value), ERR_NOMEM; on failure nothing is left to free.
 */
int batch_cols_read(const uint8_t *p, size_t len, json_t **doc,
		    struct sync_parsed **ps, size_t *n, struct err *e)
	ERR_MUST_USE;

/* JSON values in j, itself and object keys included (as jscan counts). */
size_t sync_batch_values_of(const json_t *j);

/* The bounds on a batch's inflated text (batch.h): SYNC_BATCH_MAX_VALUES,
 * SYNC_BATCH_MAX_DEPTH, the longest string or number a field may take,
 * and each change's values and bytes as the schema's largest record
 * takes them, every string escaped at worst. */
void sync_batch_text_limits(struct jscan_limits *lim);

/* 0, or ERR_INVALID when doc has a member other than v, nodes, ops, meta
 * and changes: nothing unread is kept. */
int sync_batch_members_known(const json_t *doc, struct err *e) ERR_MUST_USE;

/*
 * The values of a whole batch follow from its change count: text (len
 * bytes, already within sync_batch_text_limits(), values counted by
 * jscan) may hold at most what its changes can take (each the schema's
 * largest, with its share of nodes, ops and meta "seen") plus a few
 * fixed members and a purge list of SYNC_BATCH_MAX_PURGE entries.  So a
 * meta or a list that no change accounts for cannot make the receiver
 * build a large tree.  Checked on the text, before it is parsed.  0, or
 * ERR_INVALID.
 */
int sync_batch_values_fit(const char *text, size_t len, size_t values,
			  struct err *e) ERR_MUST_USE;

/* 0, or ERR_INVALID when meta (an object, or NULL) has a member other
 * than those push and pull carry: seen, cursor, more, purge,
 * rebootstrap. */
int sync_batch_meta_known(const json_t *meta, struct err *e) ERR_MUST_USE;

#endif
