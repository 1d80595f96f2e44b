/*
 * test_jwipe.c - Jansson's wiping allocator: installed, it is the one
 * Jansson uses; blocks keep their contents until freed, sizes that cannot
 * carry the header are refused, and JSON made and freed through it works.
 */
#include "common/jwipe.h"
#include "tests/test.h"

#include <jansson.h>
#include <stdint.h>

static void test_jwipe_installed(void)
{
	json_malloc_t m = NULL;
	json_free_t f = NULL;

	jwipe_install();
	json_get_alloc_funcs(&m, &f);
	CHECK(m == jwipe_malloc);
	CHECK(f == jwipe_free);
}

static void test_jwipe_block_usable_and_aligned(void)
{
	uint8_t *p = jwipe_malloc(100);

	CHECK(p != NULL);
	CHECK((uintptr_t)p % _Alignof(max_align_t) == 0);
	memset(p, 0xab, 100);
	CHECK(p[0] == 0xab && p[99] == 0xab);
	jwipe_free(p);
	jwipe_free(NULL);
}

static void test_jwipe_refuses_overflow(void)
{
	CHECK(jwipe_malloc(SIZE_MAX) == NULL);
	CHECK(jwipe_malloc(SIZE_MAX - 4) == NULL);
}

static void test_jwipe_json_round_trip(void)
{
	json_t *j;
	char *text;

	jwipe_install();
	j = json_pack("{s:s, s:i}", "name", "Amadou", "n", 3);
	CHECK(j != NULL);
	text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(j);
	CHECK(text != NULL);
	CHECK(strcmp(text, "{\"n\":3,\"name\":\"Amadou\"}") == 0);
	jwipe_free(text);
}

TEST_MAIN(T(test_jwipe_installed), T(test_jwipe_block_usable_and_aligned),
	  T(test_jwipe_refuses_overflow), T(test_jwipe_json_round_trip))
