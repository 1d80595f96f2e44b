/*
 * version.h - versions of fields and their compact encoding.
 *
 * A version says who wrote a field value and when: a hybrid-logical-clock
 * timestamp (conflict/hlc.h) and an actor, the store-local number of the
 * pair (node id, operator) that made the change.  Timestamps issued by one
 * node are unique, so (hlc, node) identifies a write everywhere; the store
 * translates actor numbers to node ids and operator names at its boundary
 * (and the sync layer does so on the wire).  Actor 0 means "never written".
 *
 * A version set maps each field id of a record to the version that last
 * wrote it.  Records carry one for their current values and change-log
 * entries one for the values they write and one for the versions the writer
 * had seen before: that pair is what the merge works from.
 *
 * The encoding is stored in clear next to the sealed values and is bound
 * into their associated data.  Most records are written by one change, so
 * the distinct versions are listed once and each field points at one:
 *   u8 format (1) | varint nver | nver x (u64le hlc, varint actor)
 *                 | varint nfield | nfield x (varint field, varint index)
 * with fields in increasing order, a field repeated only in sets built
 * with version_set_add().  Pure logic, no I/O.
 */
#ifndef PRESIDIO_VERSION_H
#define PRESIDIO_VERSION_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

/* Most entries in one set: a collection declares at most 255 fields, plus
 * the deletion marker. */
#define VERSION_SET_MAX 256

struct version {
	uint64_t hlc;   /* hybrid logical clock timestamp */
	uint32_t actor; /* store-local (node, operator) number, 0 = none */
};

struct version_entry {
	uint16_t field;    /* schema field id (0 = deletion marker) */
	struct version v;
};

/* Field id -> version, kept sorted by field id. */
struct version_set {
	struct version_entry *e; /* owned, NULL when empty */
	size_t n;                /* entries in use */
	size_t cap;              /* entries allocated */
};

/* 1 when a and b are the same write. */
int version_eq(const struct version *a, const struct version *b);

/* Empty set, no allocation, cannot fail. */
void version_set_init(struct version_set *s);

/* Free the entries; s is empty and reusable afterwards.  Accepts NULL. */
void version_set_release(struct version_set *s);

/* Drop all entries, keeping the allocation. */
void version_set_clear(struct version_set *s);

/* Set field's version (insert or replace).  0, ERR_NOMEM, or ERR_INVALID
 * when the set already holds VERSION_SET_MAX fields. */
int version_set_put(struct version_set *s, uint16_t field,
		    struct version v) ERR_MUST_USE;

/*
 * Add one more version for field, after those it already has (a no-op when
 * that very version is there).  Sets built this way may name several
 * versions of a field: the versions a resolution supersedes.  0,
 * ERR_NOMEM, or ERR_INVALID when full.
 */
int version_set_add(struct version_set *s, uint16_t field,
		    struct version v) ERR_MUST_USE;

/* The (first) version of field, or NULL when the set has none. */
const struct version *version_set_get(const struct version_set *s,
				      uint16_t field);

/* Copy src into dst (dst's old entries are dropped).  0 or ERR_NOMEM. */
int version_set_copy(struct version_set *dst,
		     const struct version_set *src) ERR_MUST_USE;

/* Upper bound of the encoded size of s. */
size_t version_set_encoded_max(const struct version_set *s);

/* Encode s into out (at least version_set_encoded_max(s) bytes); returns
 * the number of bytes written. */
size_t version_set_encode(const struct version_set *s, uint8_t *out);

/* 1 when in (len bytes) is the encoding of a set with no entries. */
int version_set_encoded_empty(const uint8_t *in, size_t len);

/*
 * Decode into s (its old entries are dropped).  Refuses truncated or
 * trailing bytes, unknown formats, bad indexes, unsorted fields, and any
 * form encode does not write (a version listed twice, unused, or out of
 * the order of first use) with ERR_CORRUPT; ERR_NOMEM when out of memory.
 */
int version_set_decode(struct version_set *s, const uint8_t *in, size_t len,
		       struct err *e) ERR_MUST_USE;

#endif
