/*
 * batch.h - a batch of change-log entries on the wire, between a node and
 * the hub: encoding, compression, signature, and the strict decoding of
 * what arrives.
 *
 * A batch carries changes with their provenance (origin node and sequence,
 * operator, time, values, the versions their writer had), so that history
 * and conflicts look the same on every replica: the receiver hands each
 * one to store_apply().  The payload is compact JSON, row by row, with
 * node ids and operator names listed once per batch:
 *   {"v":1,"nodes":[hex32...],"ops":[name...],
 *    "changes":[[oseq,"record-hex32","collection",kind,node,op,hlc,
 *                {fields},[[field,hlc,node]...]], ...]}
 * deflated with zlib, and wrapped in an envelope signed with the sender's
 * Ed25519 key:
 *   "PRSB" | u8 format (1 or 2) | sender node id (16) |
 *   u32le payload length | payload | Ed25519 signature (64) over
 *   everything before it.
 *
 * Format 2 carries the same changes in columns, which zlib packs a third
 * tighter (sync/README.md, "Wire format"): a head, uvarint length then
 *   {"v":2,"n":N,"nodes":[...],"ops":[...],"colls":[name...],
 *    "keys":[field...],"meta":{...}}
 * then, for the N changes in order, one column after the other: origin
 * sequence (zigzag varint, the difference from the change before), record
 * id (16 bytes), collection, kind, node, operator (uvarint indexes into the
 * head's lists; kind a byte), time (zigzag, the difference from the change
 * before), how many values, their keys (uvarints into "keys"), how many
 * versions, the versions (field, zigzag time against the change's, node);
 * then a column per key of "keys", in its order: the values of that key,
 * change after change, each a uvarint length and the value as JSON text.
 * A hub offers format 2 at hello ("batch_format"); a node then pushes it
 * and asks its pulls in it (?format=2).  Either side of an older build
 * speaks format 1, which every receiver still reads.
 * The signature is checked before anything else is looked at; inflating
 * is bounded (a small batch cannot expand into gigabytes); the inflated
 * text is then bounded before it is parsed (common/jscan.h): JSON values
 * in all (SYNC_BATCH_MAX_VALUES), nesting, the length of a string or a
 * number, and each change's values and bytes (what the largest change
 * the schema allows can take), and the values of the whole batch by its
 * change count (each change the largest, with its nodes, operator and
 * meta "seen", plus fixed members and a purge list of
 * SYNC_BATCH_MAX_PURGE entries), so that a few kilobytes of zlib cannot
 * make the receiver build a tree of millions of values; members other
 * than v, nodes, ops, meta and changes, and meta members other than
 * seen, cursor, more, purge, rebootstrap, schema_version and roles, are
 * refused (roles: in a push to a hub that takes it, each operator's role,
 * {"name":"role"}, schema/access.h); and every
 * field of every change is validated before the callback sees it.
 *
 * Values travel inside TLS (sync/client, sync/hub); they are never
 * logged, and errors never quote them.
 */
#ifndef PRESIDIO_SYNC_BATCH_H
#define PRESIDIO_SYNC_BATCH_H

#include <jansson.h>
#include <sodium.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "common/id.h"
#include "node/store.h"

#define SYNC_BATCH_VERSION 1     /* format 1: JSON rows */
#define SYNC_BATCH_FORMAT_MAX 2  /* the newest: columns */
#define SYNC_SIGN_PKBYTES crypto_sign_PUBLICKEYBYTES
#define SYNC_SIGN_SKBYTES crypto_sign_SECRETKEYBYTES
#define SYNC_BATCH_MAX_CHANGES 10000        /* per batch, either side */
#define SYNC_BATCH_MAX_INFLATED (32u << 20) /* bytes of JSON, at most */
#define SYNC_BATCH_MAX_VALUES 1000000 /* JSON values (keys count), at most */
#define SYNC_BATCH_MAX_DEPTH 8        /* nesting, at most (5 used) */
#define SYNC_BATCH_MAX_PURGE 10000 /* entries of a pull's meta "purge" */
#define SYNC_BATCH_VALUE_BYTES 8      /* what one value weighs for senders */

struct sync_batch;

/* An empty batch.  0 or ERR_NOMEM; free with sync_batch_free(). */
int sync_batch_new(struct sync_batch **out) ERR_MUST_USE;
void sync_batch_free(struct sync_batch *b); /* accepts NULL */

/*
 * Add one change as store_log() reports it (with values: c->fields must
 * be set).  0, ERR_INVALID (no values, an operator name open would
 * refuse, or the batch is full: SYNC_BATCH_MAX_CHANGES changes or
 * SYNC_BATCH_MAX_VALUES JSON values), ERR_NOMEM.
 */
int sync_batch_add(struct sync_batch *b,
		   const struct store_change *c) ERR_MUST_USE;

/*
 * Attach a JSON object of protocol data that is not a change (a pull's
 * cursor, the cases to purge), signed with the batch; meta is stolen.
 * It must hold no personal data.  0 or ERR_INVALID (not an object).
 */
int sync_batch_set_meta(struct sync_batch *b, json_t *meta) ERR_MUST_USE;

/* Build b in format (1 or 2; a new batch is format 1), before the
 * first change is added.  0 or ERR_INVALID. */
int sync_batch_set_format(struct sync_batch *b, int format) ERR_MUST_USE;

/* The format an envelope says it is in (not yet verified), 0 when it is
 * not an envelope: a receiver refuses one newer than it offered. */
int sync_batch_format(const uint8_t *in, size_t len);

/* Changes added so far. */
size_t sync_batch_count(const struct sync_batch *b);

/* The operator names of the changes added, each once (borrowed). */
const json_t *sync_batch_operators(const struct sync_batch *b);

/* The meta object set on b (borrowed; NULL when none). */
json_t *sync_batch_meta(struct sync_batch *b);

/* About how many bytes of JSON they make (values included), counting
 * each JSON value as SYNC_BATCH_VALUE_BYTES at least (receivers bound
 * values as well as bytes): senders stop adding at
 * SYNC_BATCH_TARGET_BYTES, well below what a receiver takes. */
#define SYNC_BATCH_TARGET_BYTES (4u << 20)
size_t sync_batch_bytes(const struct sync_batch *b);

/* Origin sequence numbers of the first and last change added (0 when
 * empty): the cursor a sender moves when the batch is acknowledged. */
uint64_t sync_batch_first(const struct sync_batch *b);
uint64_t sync_batch_last(const struct sync_batch *b);

/*
 * Serialise, deflate and sign: *out (malloc'd, caller frees) is the
 * envelope.  A batch whose JSON would exceed SYNC_BATCH_MAX_INFLATED is
 * refused (ERR_INVALID): the receiver would refuse it.  sender is the signing node's id, sk its Ed25519 secret key
 * (SYNC_SIGN_SKBYTES).  *json_bytes, when not NULL, receives the size of
 * the JSON before compression (for figures).
 */
int sync_batch_seal(const struct sync_batch *b, const struct id *sender,
		    const uint8_t *sk, uint8_t **out, size_t *outlen,
		    size_t *json_bytes, struct err *e) ERR_MUST_USE;

/* The sender an envelope claims (not yet verified): to look its key up.
 * ERR_INVALID when it is not an envelope. */
int sync_batch_sender(const uint8_t *in, size_t len, struct id *sender,
		      struct err *e) ERR_MUST_USE;

/* Called for each change of an opened batch; non-zero stops (and is
 * returned).  The incoming change and everything it points to are valid
 * during the call only. */
typedef int (*sync_change_fn)(void *ctx, const struct store_incoming *in);

/*
 * Verify the envelope with the sender's public key pk (SYNC_SIGN_PKBYTES),
 * inflate (at most SYNC_BATCH_MAX_INFLATED bytes), parse and validate it,
 * then call fn for each change in order.  Checked first: the envelope,
 * the lists, and every change's numbers, ids, collection, operator and
 * values against the schema (types, known fields, required fields of a
 * create).  A batch whose signed meta says "schema_version" above this
 * build's (a hub one version ahead, sync/README.md "Schema versions")
 * is checked leniently: fields and ENUM values this build does not
 * declare are kept within bounds (schema_validate_received()) and handed
 * on with in->newer_schema set; a change of a collection this build does
 * not declare is passed over (not handed to fn: the older node keeps no
 * record of it; its hub does, and the node pulls it again once upgraded:
 * sync_batch_open_passed()).  ERR_AUTH: bad signature, or
 * signed by another node; ERR_INVALID: not an envelope, corrupt zlib
 * stream, too large, malformed JSON or change (the message says which
 * change, never a value).  Nothing is passed to fn unless the whole batch
 * is valid.
 */
int sync_batch_open(const uint8_t *in, size_t len, const uint8_t *pk,
		    sync_change_fn fn, void *ctx, struct err *e) ERR_MUST_USE;

/* Wipe and free an envelope of len bytes (compressed, its values are
 * still personal data); NULL ok. */
void sync_batch_env_free(uint8_t *env, size_t len);

/*
 * sync_batch_open() that also hands back the batch's meta object (an
 * empty one when it has none) in *meta, which the caller decrefs; set
 * before fn is called so that the caller can interleave it, NULL on
 * failure.  The caller validates meta's contents.
 */
int sync_batch_open_meta(const uint8_t *in, size_t len, const uint8_t *pk,
			 json_t **meta, sync_change_fn fn, void *ctx,
			 struct err *e) ERR_MUST_USE;

/*
 * sync_batch_open_meta() that also counts, in *passed (when not NULL; 0
 * on failure), the changes passed over because this build does not
 * declare their collection: a node that passes some over notes where, to
 * pull them again once upgraded (sync_pull.c, sync/README.md "Schema
 * versions").
 */
int sync_batch_open_passed(const uint8_t *in, size_t len, const uint8_t *pk,
			   json_t **meta, size_t *passed, sync_change_fn fn,
			   void *ctx, struct err *e) ERR_MUST_USE;

/*
 * sync_batch_open_meta() of a batch a node pushed: its meta must not say
 * "schema_version" (only a hub's pull answer does, from a hub one version
 * ahead): ERR_INVALID naming the member, before fn is called.
 */
int sync_batch_open_pushed(const uint8_t *in, size_t len, const uint8_t *pk,
			   json_t **meta, sync_change_fn fn, void *ctx,
			   struct err *e) ERR_MUST_USE;

#endif
