/*
 * jwipe.h - Jansson's memory wiped on free.
 *
 * Jansson copies every string it parses or builds (decrypted field values
 * included) into blocks of its own.  Installed once at start-up, before
 * any JSON is made, these allocation functions wipe each block when
 * Jansson frees it, so that personal data does not linger in freed heap
 * memory.  Every program that handles decrypted values (the command line,
 * the servers) installs them; the tests that check wiping do too.
 */
#ifndef PRESIDIO_JWIPE_H
#define PRESIDIO_JWIPE_H

#include <stddef.h>

/* Make Jansson allocate through jwipe_malloc() and jwipe_free().  Call
 * before any JSON value exists: a block made by the previous allocator
 * must not be freed by this one. */
void jwipe_install(void);

/* malloc() with the block's size kept in front of it; NULL when out of
 * memory. */
void *jwipe_malloc(size_t size);

/* Wipe the whole block (size and contents), then free it.  Accepts NULL. */
void jwipe_free(void *p);

#endif
