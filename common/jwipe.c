/*
 * jwipe.c - Jansson's memory wiped on free (see jwipe.h).
 */
#include "common/jwipe.h"

#include <jansson.h>
#include <sodium.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

/* Each block carries its size in front, aligned for any object, because
 * Jansson's free function is not told the size. */
union jwipe_head {
	size_t size;
	max_align_t align;
};

void *jwipe_malloc(size_t size)
{
	union jwipe_head *h;

	if (size > SIZE_MAX - sizeof(*h))
		return NULL;
	h = malloc(sizeof(*h) + size);
	if (!h)
		return NULL;
	h->size = size;
	return h + 1;
}

void jwipe_free(void *p)
{
	union jwipe_head *h;

	if (!p)
		return;
	h = (union jwipe_head *)p - 1;
	sodium_memzero(h, sizeof(*h) + h->size);
	free(h);
}

void jwipe_install(void)
{
	json_set_alloc_funcs(jwipe_malloc, jwipe_free);
}
