/*
 * collections.h - the declaration table behind schema.h.  Internal to
 * schema/: everything outside goes through schema_count(), schema_at() and
 * the lookups, so that the table can change shape without touching callers.
 */
#ifndef PRESIDIO_SCHEMA_COLLECTIONS_H
#define PRESIDIO_SCHEMA_COLLECTIONS_H

#include <stddef.h>

#include "schema/schema.h"

/* Every declared collection (schema/collections.c), in no required order. */
extern const struct schema_collection schema_collections[];
extern const size_t schema_ncollections;

#endif
