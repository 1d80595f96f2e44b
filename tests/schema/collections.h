/*
 * collections.h - the collections only the tests know, and their
 * registration.
 *
 * tests/schema/collections.c declares them and registers them with the
 * product's (schema_register()) before main() runs, in every binary it is
 * linked into: each unit test, the benchmarks and the test build of the
 * command line (build/tests/presidio-test), which the end-to-end scripts
 * that write test collections run.  The shipped binary never links it.
 *
 *   test_item   every type, flag and merge rule, and an invariant
 *               (spent <= cap, a dote's ledger in the small)
 *   test_note   append-only entries under a test_item
 *   test_case   a procedure field with transitions and roles (stage)
 *   test_budget a parent whose test_entry children's amounts stay within
 *   test_entry  its cap (an aggregate rule), append-only like a ledger
 *
 * and, in tests/schema/collections_rules.c (test_rules_set), steps that
 * require the records around them, an invariant on local writes and a
 * quota: test_file, test_check, test_consent, test_grant.
 */
#ifndef PRESIDIO_TESTS_SCHEMA_COLLECTIONS_H
#define PRESIDIO_TESTS_SCHEMA_COLLECTIONS_H

#include "schema/schema.h"

/* The test collections alone (without the product's). */
extern const struct schema_set test_schema_set;

/* The rules' test collections (tests/schema/collections_rules.c). */
extern const struct schema_set test_rules_set;

#endif
