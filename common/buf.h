/*
 * buf.h - a growable byte buffer for bytes that must not linger: bodies
 * of requests and answers, batches inflated to their personal data.
 *
 * realloc() may move a block and leave the old one in the heap as it
 * was, values in clear; so growth here allocates a new block, copies
 * what is in use, and wipes the old block (sodium_memzero) before it
 * frees it.  Every release wipes too.  A buffer is bounded: it never
 * allocates more than its max bytes, and growth past them is refused
 * (ERR_INVALID), so a peer cannot make it take the process's memory.
 *
 * Growth doubles from a first allocation of start bytes (BUF_START
 * unless set), never past max, so a buffer filled a few bytes at a time
 * costs O(n) copies.  The buffer owns its block until buf_steal() hands
 * it over.  Not thread-safe: one owner at a time.
 *
 * The allocator can be replaced (struct buf_alloc), for tests that fail
 * allocations or check that a freed block was wiped.
 */
#ifndef PRESIDIO_BUF_H
#define PRESIDIO_BUF_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

#define BUF_START 256 /* first allocation, bytes, when start is 0 */

/* Where a buffer's blocks come from (tests); NULL in struct buf: malloc()
 * and free(). */
struct buf_alloc {
	void *(*alloc)(void *ctx, size_t size); /* NULL when none */
	/* Called with a block already wiped (size: what was allocated). */
	void (*free)(void *ctx, void *p, size_t size);
	void *ctx;                              /* their first argument */
};

struct buf {
	uint8_t *data; /* the block, NULL until the first growth */
	size_t len;    /* bytes in use, from data */
	size_t cap;    /* bytes allocated at data */
	size_t max;    /* cap never grows past it */
	size_t start;  /* first allocation; 0 = BUF_START (may be set
			  after buf_init(), before the first growth) */
	const struct buf_alloc *alloc; /* NULL = malloc/free; set before
					  the first growth, never after */
};

/* An empty buffer that will hold at most max bytes.  Allocates nothing,
 * cannot fail. */
void buf_init(struct buf *b, size_t max);

/*
 * The capacity buf_reserve(b, extra) would leave: b->cap when extra bytes
 * fit already, 0 when len + extra is over max.  Allocates nothing (for a
 * caller that must account for memory before it is taken).
 */
size_t buf_next_cap(const struct buf *b, size_t extra);

/*
 * Make room for extra more bytes after the len in use (growing to
 * buf_next_cap(b, extra)).  0; ERR_INVALID when len + extra is over max;
 * ERR_NOMEM.  On failure b is unchanged.
 */
int buf_reserve(struct buf *b, size_t extra) ERR_MUST_USE;

/* Append n bytes from p (may be NULL when n is 0): buf_reserve()'s
 * errors, b unchanged on failure. */
int buf_append(struct buf *b, const void *p, size_t n) ERR_MUST_USE;

/*
 * For a writer that fills the buffer in place (zlib): the first free
 * byte and how many follow it within cap; buf_advance() then counts n of
 * them (n at most buf_room()) as in use.
 */
uint8_t *buf_tail(struct buf *b);
size_t buf_room(const struct buf *b);
void buf_advance(struct buf *b, size_t n);

/* Wipe the bytes in use and make the buffer empty; the block is kept for
 * reuse. */
void buf_reset(struct buf *b);

/*
 * Hand the block over: returns b->data (NULL when none was allocated),
 * its length in *len and its allocated size in *cap (either may be
 * NULL).  The caller then owns it: wipe cap bytes and free it with
 * buf_block_free() (with free() of the allocator when one was set).  b is
 * left empty with no block, its max, start and allocator kept.
 */
uint8_t *buf_steal(struct buf *b, size_t *len, size_t *cap);

/* Wipe size bytes at p and free() it: a block stolen from a buffer with
 * no allocator of its own.  Accepts NULL. */
void buf_block_free(void *p, size_t size);

/* Wipe and free the block; b is left as after buf_init() with its max,
 * start and allocator.  Accepts NULL. */
void buf_release(struct buf *b);

#endif
