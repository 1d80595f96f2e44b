/*
 * collections.c - see collections.h.  Ids 1 to 9 are the tests' (the
 * product's start at 10); the ids of test_item and test_note are those
 * they had when they shipped, so stores made then (tests/fixtures) still
 * open.
 */
#include "tests/schema/collections.h"

#include <stdio.h>
#include <stdlib.h>

#define FIELDS(a) (a), sizeof(a) / sizeof((a)[0])

static const char *const test_colors[] = { "red", "green", "blue", NULL };

static const char *const test_stages[] = {
	"draft", "review", "approved", "published", NULL
};

static const struct schema_field test_item_fields[] = {
	{ .name = "title", .id = 1, .type = SCHEMA_STRING,
	  .flags = SCHEMA_REQUIRED, .doc = "short required text" },
	{ .name = "body", .id = 2, .type = SCHEMA_TEXT,
	  .flags = SCHEMA_PERSONAL, .doc = "free text marked personal" },
	{ .name = "count", .id = 3, .type = SCHEMA_INT,
	  .doc = "integer" },
	{ .name = "score", .id = 4, .type = SCHEMA_NUMBER,
	  .doc = "integer or real" },
	{ .name = "done", .id = 5, .type = SCHEMA_BOOL,
	  .doc = "boolean" },
	{ .name = "due", .id = 6, .type = SCHEMA_DATE,
	  .doc = "calendar date" },
	{ .name = "at", .id = 7, .type = SCHEMA_DATETIME,
	  .doc = "UTC date and time" },
	{ .name = "tags", .id = 8, .type = SCHEMA_STRING_LIST,
	  .doc = "list of short strings" },
	{ .name = "color", .id = 9, .type = SCHEMA_ENUM,
	  .values = test_colors, .doc = "plain enumeration" },
	{ .name = "stage", .id = 10, .type = SCHEMA_ENUM,
	  .merge = SCHEMA_MERGE_MONOTONIC, .values = test_stages,
	  .doc = "enumeration in procedure order, merged forward" },
	{ .name = "approved_by", .id = 11, .type = SCHEMA_STRING,
	  .flags = SCHEMA_HUB_ONLY, .doc = "authority field, hub only" },
	{ .name = "link", .id = 12, .type = SCHEMA_REF, .ref = "test_item",
	  .doc = "reference to another test_item" },
	{ .name = "cap", .id = 13, .type = SCHEMA_INT,
	  .doc = "upper bound of spent (a dote's cap, in the small)" },
	{ .name = "spent", .id = 14, .type = SCHEMA_INT,
	  .doc = "must not exceed cap: the invariant of test_item" },
};

/* test_item's invariant: spent never above cap, as a dote's ledger total
 * must not pass its EUR 12,000 cap. */
static const char *test_item_invariant(const json_t *fields)
{
	const json_t *cap = json_object_get(fields, "cap");
	const json_t *spent = json_object_get(fields, "spent");

	if (json_is_integer(cap) && json_is_integer(spent) &&
	    json_integer_value(spent) > json_integer_value(cap))
		return "spent is above cap";
	return NULL;
}

static const struct schema_field test_note_fields[] = {
	{ .name = "item", .id = 1, .type = SCHEMA_REF, .ref = "test_item",
	  .flags = SCHEMA_REQUIRED, .doc = "the item this note belongs to" },
	{ .name = "text", .id = 2, .type = SCHEMA_TEXT,
	  .flags = SCHEMA_REQUIRED | SCHEMA_PERSONAL, .doc = "note text" },
};

/* ---- test_case: a procedure with roles ---- */

/* Procedure order, merged forward (MONOTONIC): the furthest stage wins. */
static const char *const test_case_stages[] = {
	"open", "review", "done", "cancelled", NULL
};

static const char *const roles_hub_pda[] = { "hub", "pda", NULL };
static const char *const roles_hub[] = { "hub", NULL };

static const struct schema_transition test_case_steps[] = {
	{ .from = NULL, .to = "open" },
	{ .from = "open", .to = "review" },
	{ .from = "review", .to = "open" },     /* sent back */
	{ .from = "review", .to = "done", .roles = roles_hub_pda },
	{ .from = "open", .to = "cancelled", .roles = roles_hub },
	{ .from = "review", .to = "cancelled", .roles = roles_hub },
};

static const struct schema_field test_case_fields[] = {
	{ .name = "title", .id = 1, .type = SCHEMA_STRING,
	  .flags = SCHEMA_REQUIRED, .doc = "short required text" },
	{ .name = "stage", .id = 2, .type = SCHEMA_ENUM,
	  .flags = SCHEMA_REQUIRED, .merge = SCHEMA_MERGE_MONOTONIC,
	  .values = test_case_stages, .transitions = test_case_steps,
	  .ntransitions = sizeof(test_case_steps) / sizeof(test_case_steps[0]),
	  .doc = "a procedure: declared steps only, some by role" },
	{ .name = "note", .id = 3, .type = SCHEMA_TEXT,
	  .doc = "free text" },
};

/* ---- test_budget, test_entry: a cap on the sum of children ---- */

static const struct schema_field test_budget_fields[] = {
	{ .name = "title", .id = 1, .type = SCHEMA_STRING,
	  .flags = SCHEMA_REQUIRED, .doc = "short required text" },
	{ .name = "cap", .id = 2, .type = SCHEMA_INT,
	  .doc = "cap of the entries' amounts (default 100)" },
};

static const struct schema_aggregate test_budget_caps[] = {
	{ .child = "test_entry", .sum = "amount", .cap_field = "cap",
	  .cap = 100, .doc = "amounts of the entries within cap" },
};

static const struct schema_field test_entry_fields[] = {
	{ .name = "budget", .id = 1, .type = SCHEMA_REF, .ref = "test_budget",
	  .flags = SCHEMA_REQUIRED, .doc = "the budget it is booked on" },
	{ .name = "amount", .id = 2, .type = SCHEMA_INT,
	  .flags = SCHEMA_REQUIRED, .doc = "amount (negative: a reversal)" },
};

static const struct schema_collection test_colls[] = {
	{ .name = "test_item", .id = 1, .kind = SCHEMA_RECORDS,
	  .fields = FIELDS(test_item_fields),
	  .doc = "tests only: every type and flag",
	  .invariant = test_item_invariant },
	{ .name = "test_note", .id = 2, .kind = SCHEMA_APPEND_ONLY,
	  .parent = "item", .fields = FIELDS(test_note_fields),
	  .doc = "tests only: append-only entries under a test_item" },
	{ .name = "test_case", .id = 3, .kind = SCHEMA_RECORDS,
	  .fields = FIELDS(test_case_fields),
	  .doc = "tests only: a procedure field with transitions" },
	{ .name = "test_budget", .id = 4, .kind = SCHEMA_RECORDS,
	  .fields = FIELDS(test_budget_fields),
	  .aggregates = FIELDS(test_budget_caps),
	  .doc = "tests only: a parent with a cap on its entries" },
	{ .name = "test_entry", .id = 5, .kind = SCHEMA_APPEND_ONLY,
	  .parent = "budget", .fields = FIELDS(test_entry_fields),
	  .doc = "tests only: append-only entries summed under a budget" },
};

const struct schema_set test_schema_set = { FIELDS(test_colls) };

/* Before main(): the tests know the product's collections and theirs.  A
 * bad declaration stops the binary at once, before any test runs. */
__attribute__((constructor)) static void test_schema_register(void)
{
	struct schema_set sets[2];
	struct err e;

	sets[0] = schema_product;
	sets[1] = test_schema_set;
	err_init(&e);
	if (schema_register(sets, 2, &e)) {
		fprintf(stderr, "test schema: %s\n", e.msg);
		abort();
	}
}
