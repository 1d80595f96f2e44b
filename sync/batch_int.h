/*
 * batch_int.h - internals of sync/batch.h shared by its source files (not
 * an API):
 *   batch.c         building, sealing and opening batches
 *   batch_bounds.c  the bounds on a batch's JSON before it is parsed
 */
#ifndef PRESIDIO_SYNC_BATCH_INT_H
#define PRESIDIO_SYNC_BATCH_INT_H

#include <jansson.h>
#include <stddef.h>

#include "common/err.h"
#include "common/jscan.h"

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
