/*
 * next.h - the "next" schema of the tests: the product's collections as
 * this build declares them, copied at run time, plus what a next release
 * could add without a flag day (schema.h, "Schema versions"), one schema
 * version above the product's:
 *   person      a new field, next_note (TEXT, the next free id)
 *   case        a value appended to the MONOTONIC stage: next_archived
 *   service     a value appended to service_type: next_service
 *   assessment  a value appended to the ENUM_SET indicators:
 *               next_indicator
 *   next_visit  a new collection, child of case (case_id), with a date
 *               and a note
 * Built by copying whatever the product declares, so that it follows the
 * product's declarations as they change.  A test binary (and
 * build/tests/presidio-test) runs on it instead of the product's when the
 * environment has PRESIDIO_TEST_SCHEMA_NEXT=1 (tests/schema/collections.c);
 * unit tests may also build it without registering it, to merge with the
 * declarations of both versions in one process.
 */
#ifndef PRESIDIO_TESTS_SCHEMA_NEXT_H
#define PRESIDIO_TESTS_SCHEMA_NEXT_H

#include "schema/schema.h"

#define TEST_NEXT_ENV "PRESIDIO_TEST_SCHEMA_NEXT"

/* The next schema's collections (built once, kept for the process's life;
 * NULL when out of memory).  *n gets their number. */
const struct schema_collection *test_next_collections(size_t *n);

/* One of them by name, or NULL. */
const struct schema_collection *test_next_collection(const char *name);

#endif
