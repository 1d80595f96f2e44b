/* buf.c - see buf.h. */
#include "common/buf.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

void buf_init(struct buf *b, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->max = max;
}

static void *block_alloc(const struct buf *b, size_t size)
{
	if (b->alloc)
		return b->alloc->alloc ? b->alloc->alloc(b->alloc->ctx, size)
				       : NULL;
	return malloc(size);
}

/* Wipe the whole block, then free it the allocator's way. */
static void block_free(const struct buf *b, void *p, size_t size)
{
	if (!p)
		return;
	sodium_memzero(p, size);
	if (b->alloc && b->alloc->free)
		b->alloc->free(b->alloc->ctx, p, size);
	else if (!b->alloc)
		free(p);
}

size_t buf_next_cap(const struct buf *b, size_t extra)
{
	size_t need, cap;

	if (extra > b->max || b->len > b->max - extra)
		return 0;
	need = b->len + extra;
	if (need <= b->cap)
		return b->cap;
	cap = b->cap ? b->cap : (b->start ? b->start : BUF_START);
	/* Doubling, clamped to max: max / 2 keeps cap * 2 from wrapping. */
	while (cap < need)
		cap = cap > b->max / 2 ? b->max : cap * 2;
	return cap > b->max ? b->max : cap;
}

int buf_reserve(struct buf *b, size_t extra)
{
	size_t cap = buf_next_cap(b, extra);
	uint8_t *p;

	if (!cap && extra)
		return ERR_INVALID;
	if (cap <= b->cap)
		return 0;
	p = block_alloc(b, cap);
	if (!p)
		return ERR_NOMEM;
	if (b->len)
		memcpy(p, b->data, b->len);
	/* The old block held the same bytes: wiped before it goes back. */
	block_free(b, b->data, b->cap);
	b->data = p;
	b->cap = cap;
	return 0;
}

int buf_append(struct buf *b, const void *p, size_t n)
{
	int rc = buf_reserve(b, n);

	if (rc)
		return rc;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

uint8_t *buf_tail(struct buf *b)
{
	return b->data ? b->data + b->len : NULL;
}

size_t buf_room(const struct buf *b)
{
	return b->cap - b->len;
}

void buf_advance(struct buf *b, size_t n)
{
	b->len += n > b->cap - b->len ? b->cap - b->len : n;
}

void buf_reset(struct buf *b)
{
	if (b->data)
		sodium_memzero(b->data, b->len);
	b->len = 0;
}

uint8_t *buf_steal(struct buf *b, size_t *len, size_t *cap)
{
	uint8_t *p = b->data;

	if (len)
		*len = b->len;
	if (cap)
		*cap = b->cap;
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

void buf_block_free(void *p, size_t size)
{
	if (!p)
		return;
	sodium_memzero(p, size);
	free(p);
}

void buf_release(struct buf *b)
{
	if (!b)
		return;
	block_free(b, b->data, b->cap);
	b->data = NULL;
	b->len = b->cap = 0;
}
