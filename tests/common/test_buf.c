/*
 * test_buf.c - the wipe-on-grow buffer: growth keeps the contents, the
 * bound is refused without a change, every block given back was wiped
 * first (seen through an allocator of the test's own), a failed
 * allocation leaves the buffer as it was, steal hands the block over.
 */
#include "common/buf.h"
#include "tests/test.h"

#include <stdlib.h>

/* A test allocator: counts, can fail the next allocation, and checks
 * that every block it is given back is all zero. */
struct spy {
	int allocs, frees;
	int fail_next;     /* the next allocation returns NULL */
	int dirty_frees;   /* blocks given back not wiped */
	size_t last_freed; /* size of the last block given back */
};

static void *spy_alloc(void *ctx, size_t size)
{
	struct spy *s = ctx;

	if (s->fail_next) {
		s->fail_next = 0;
		return NULL;
	}
	s->allocs++;
	return malloc(size);
}

static void spy_free(void *ctx, void *p, size_t size)
{
	struct spy *s = ctx;
	const uint8_t *b = p;

	for (size_t i = 0; i < size; i++)
		if (b[i]) {
			s->dirty_frees++;
			break;
		}
	s->frees++;
	s->last_freed = size;
	free(p);
}

static void spy_buf(struct buf *b, struct spy *s, struct buf_alloc *a,
		    size_t max)
{
	memset(s, 0, sizeof(*s));
	a->alloc = spy_alloc;
	a->free = spy_free;
	a->ctx = s;
	buf_init(b, max);
	b->alloc = a;
}

static void test_buf_grows_and_keeps_contents(void)
{
	struct buf b;
	uint8_t chunk[100];
	int ok = 1;

	buf_init(&b, 1 << 20);
	CHECK(b.data == NULL && b.len == 0 && b.cap == 0);
	for (int i = 0; i < 100; i++) {
		memset(chunk, i, sizeof(chunk));
		CHECK_OK(buf_append(&b, chunk, sizeof(chunk)));
	}
	CHECK(b.len == 10000);
	CHECK(b.cap >= b.len && b.cap <= 2 * b.len);
	for (size_t i = 0; i < b.len; i++)
		if (b.data[i] != (uint8_t)(i / 100))
			ok = 0;
	buf_release(&b);
	CHECK(ok);
	CHECK(b.data == NULL && b.len == 0 && b.max == (1u << 20));
}

static void test_buf_old_blocks_wiped_on_growth(void)
{
	struct buf b;
	struct buf_alloc a;
	struct spy s;
	uint8_t x[BUF_START];

	spy_buf(&b, &s, &a, 1 << 16);
	memset(x, 0xa5, sizeof(x));
	CHECK_OK(buf_append(&b, x, sizeof(x)));
	CHECK(s.allocs == 1 && s.frees == 0 && b.cap == BUF_START);
	/* One more byte: a new block, the old one wiped and given back. */
	CHECK_OK(buf_append(&b, x, 1));
	CHECK(s.allocs == 2 && s.frees == 1);
	CHECK(s.last_freed == BUF_START);
	CHECK(b.cap == 2 * BUF_START && b.len == BUF_START + 1);
	CHECK(b.data[0] == 0xa5 && b.data[BUF_START] == 0xa5);
	for (int i = 0; i < 10; i++)
		CHECK_OK(buf_append(&b, x, sizeof(x)));
	buf_release(&b);
	CHECK(s.frees == s.allocs);
	CHECK(s.dirty_frees == 0);
}

static void test_buf_bound_refused_unchanged(void)
{
	struct buf b;
	uint8_t x[300];

	memset(x, 7, sizeof(x));
	buf_init(&b, 1000);
	b.start = 100;
	CHECK_OK(buf_append(&b, x, 300));
	CHECK_OK(buf_append(&b, x, 300));
	CHECK_OK(buf_append(&b, x, 300));
	CHECK(b.cap == 1000); /* 100, 200, 400, 800 -> clamped to max */
	CHECK(buf_append(&b, x, 101) == ERR_INVALID);
	CHECK(b.len == 900 && b.cap == 1000 && b.data[899] == 7);
	CHECK(buf_next_cap(&b, 101) == 0);
	CHECK(buf_next_cap(&b, 100) == 1000);
	CHECK_OK(buf_append(&b, x, 100));
	CHECK(b.len == 1000);
	CHECK(buf_reserve(&b, 1) == ERR_INVALID);
	CHECK(buf_reserve(&b, SIZE_MAX) == ERR_INVALID);
	CHECK_OK(buf_reserve(&b, 0));
	buf_release(&b);

	/* A bound of zero holds nothing. */
	buf_init(&b, 0);
	CHECK(buf_append(&b, x, 1) == ERR_INVALID);
	CHECK_OK(buf_append(&b, NULL, 0));
	CHECK(b.data == NULL);
	buf_release(&b);
}

static void test_buf_next_cap_matches_reserve(void)
{
	struct buf b;
	size_t want;

	buf_init(&b, 100000);
	b.start = 16;
	want = buf_next_cap(&b, 1000);
	CHECK(want == 1024);
	CHECK(b.cap == 0); /* nothing allocated by asking */
	CHECK_OK(buf_reserve(&b, 1000));
	CHECK(b.cap == want);
	CHECK(buf_next_cap(&b, 1024) == 1024); /* fits already */
	CHECK(buf_next_cap(&b, 1025) == 2048);
	buf_release(&b);
}

static void test_buf_allocation_failure_unchanged(void)
{
	struct buf b;
	struct buf_alloc a;
	struct spy s;
	uint8_t x[BUF_START];

	memset(x, 1, sizeof(x));
	spy_buf(&b, &s, &a, 1 << 16);
	s.fail_next = 1;
	CHECK(buf_append(&b, x, 1) == ERR_NOMEM);
	CHECK(b.data == NULL && b.len == 0 && b.cap == 0);
	CHECK_OK(buf_append(&b, x, sizeof(x)));
	s.fail_next = 1;
	CHECK(buf_append(&b, x, 1) == ERR_NOMEM);
	CHECK(b.len == BUF_START && b.cap == BUF_START && b.data[0] == 1);
	CHECK(s.frees == 0);
	buf_release(&b);
	CHECK(s.frees == 1 && s.dirty_frees == 0);
}

static void test_buf_in_place_writes(void)
{
	struct buf b;

	buf_init(&b, 64);
	b.start = 8;
	CHECK(buf_tail(&b) == NULL && buf_room(&b) == 0);
	CHECK_OK(buf_reserve(&b, 5));
	CHECK(buf_room(&b) == 8);
	memcpy(buf_tail(&b), "hello", 5);
	buf_advance(&b, 5);
	CHECK(b.len == 5 && buf_room(&b) == 3);
	buf_advance(&b, 100); /* never past cap */
	CHECK(b.len == 8);
	buf_release(&b);
}

static void test_buf_reset_wipes_and_keeps_block(void)
{
	struct buf b;
	uint8_t *block;

	buf_init(&b, 1024);
	CHECK_OK(buf_append(&b, "secret", 6));
	block = b.data;
	buf_reset(&b);
	CHECK(b.len == 0 && b.data == block && b.cap == BUF_START);
	CHECK(memcmp(block, "\0\0\0\0\0\0", 6) == 0);
	CHECK_OK(buf_append(&b, "x", 1));
	CHECK(b.data == block);
	buf_release(&b);
	buf_release(NULL);
}

static void test_buf_steal_hands_block_over(void)
{
	struct buf b;
	struct buf_alloc a;
	struct spy s;
	size_t len = 0, cap = 0;
	uint8_t *p;

	spy_buf(&b, &s, &a, 4096);
	CHECK(buf_steal(&b, &len, &cap) == NULL && len == 0 && cap == 0);
	CHECK_OK(buf_append(&b, "abc", 3));
	p = buf_steal(&b, &len, &cap);
	CHECK(p && len == 3 && cap == BUF_START && !memcmp(p, "abc", 3));
	CHECK(b.data == NULL && b.len == 0 && b.cap == 0 && b.max == 4096);
	buf_release(&b); /* nothing left to free */
	CHECK(s.frees == 0);
	memset(p, 0, cap);
	spy_free(&s, p, cap);
	CHECK(s.dirty_frees == 0);

	buf_init(&b, 4096);
	CHECK_OK(buf_append(&b, "abc", 3));
	p = buf_steal(&b, &len, &cap);
	buf_block_free(p, cap);
	buf_block_free(NULL, 0);
}

TEST_MAIN(T(test_buf_grows_and_keeps_contents),
	  T(test_buf_old_blocks_wiped_on_growth),
	  T(test_buf_bound_refused_unchanged),
	  T(test_buf_next_cap_matches_reserve),
	  T(test_buf_allocation_failure_unchanged),
	  T(test_buf_in_place_writes),
	  T(test_buf_reset_wipes_and_keeps_block),
	  T(test_buf_steal_hands_block_over))
