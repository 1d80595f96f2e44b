/*
 * jtext.h - JSON to text in memory the caller owns.
 *
 * json_dumps() returns memory from Jansson's allocator, which the command
 * line replaces with a wiping one (node/cli/main.c): freeing that with
 * free() corrupts the heap.  jtext_dump() returns plain malloc() memory.
 */
#ifndef PRESIDIO_JTEXT_H
#define PRESIDIO_JTEXT_H

#include <jansson.h>
#include <stddef.h>

/* j serialised with flags, NUL-terminated, malloc'd (caller wipes if it
 * may hold personal data, then free()s); *len (may be NULL) excludes the
 * NUL.  NULL on ENOMEM. */
char *jtext_dump(const json_t *j, size_t flags, size_t *len);

#endif
