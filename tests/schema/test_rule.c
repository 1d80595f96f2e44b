/*
 * test_rule.c - schema/rule.c: procedure steps and roles, caps over a
 * parent's children, the self-check of those declarations, and the
 * registration seam (schema_register()) that keeps the test collections
 * (tests/schema/collections.c) out of the product.
 */
#include <jansson.h>
#include <limits.h>
#include <string.h>

#include "schema/rule.h"
#include "schema/schema.h"
#include "tests/schema/collections.h"
#include "tests/test.h"

static const struct schema_collection *tc(void)
{
	return schema_collection("test_case");
}

static const struct schema_field *stage(void)
{
	return schema_field(tc(), "stage");
}

/* rule_check_steps() of JSON texts (cur may be NULL). */
static int steps(const char *cur, const char *fields, const char *role,
		 struct err *e)
{
	json_t *c = cur ? json_loads(cur, 0, NULL) : NULL;
	json_t *f = json_loads(fields, 0, NULL);
	int rc = 1;

	err_init(e);
	if (f && (c || !cur))
		rc = rule_check_steps(tc(), c, f, role, e);
	json_decref(c);
	json_decref(f);
	return rc;
}

static void test_rule_product_knows_no_test_collection(void)
{
	for (size_t i = 0; i < schema_product.n; i++)
		CHECK(strncmp(schema_product.colls[i].name, "test_", 5) != 0);
	/* The tests' binaries know both. */
	CHECK(schema_collection("test_item") != NULL);
	CHECK(schema_collection("person") != NULL);
	CHECK(schema_count() == schema_product.n + test_schema_set.n);
}

static void test_rule_register_refuses_bad_sets(void)
{
	static const char *const vals[] = { "a", "b", NULL };
	static const struct schema_transition bad_steps[] = {
		{ .from = "a", .to = "zzz" },
	};
	static const struct schema_field bad_fields[] = {
		{ .name = "s", .id = 1, .type = SCHEMA_ENUM, .values = vals,
		  .transitions = bad_steps, .ntransitions = 1 },
	};
	static const struct schema_collection bad[] = {
		{ .name = "test_bad", .id = 9, .fields = bad_fields,
		  .nfields = 1 },
	};
	struct schema_set sets[3] = { schema_product, test_schema_set,
				      { bad, 1 } };
	size_t before = schema_count();
	struct err e;

	err_init(&e);
	CHECK(schema_register(sets, 0, &e) == ERR_INVALID);
	err_init(&e);
	CHECK(schema_register(sets, 3, &e) == ERR_FAIL);
	CHECK(strstr(e.msg, "undeclared value") != NULL);
	/* Nothing changed. */
	CHECK(schema_count() == before);
	CHECK(schema_collection("test_bad") == NULL);
	CHECK(schema_collection("test_case") != NULL);
	/* Registering the same sets again is fine. */
	CHECK_OK(schema_register(sets, 2, &e));
	CHECK(schema_count() == before);
}

static void test_rule_transition_lookup(void)
{
	const struct schema_field *f = stage();

	CHECK(rule_is_procedure(f));
	CHECK(!rule_is_procedure(schema_field(tc(), "title")));
	CHECK(rule_transition(f, NULL, "open") != NULL);
	CHECK(rule_transition(f, "open", "review") != NULL);
	CHECK(rule_transition(f, "open", "done") == NULL);
	CHECK(rule_transition(f, NULL, "review") == NULL);
	CHECK(rule_transition(f, "open", NULL) == NULL);
	CHECK(rule_role_ok(rule_transition(f, "open", "review"), NULL));
	CHECK(rule_role_ok(rule_transition(f, "review", "done"), "pda"));
	CHECK(!rule_role_ok(rule_transition(f, "review", "done"), "polo"));
	CHECK(!rule_role_ok(rule_transition(f, "review", "done"), NULL));
}

static void test_rule_steps_refused_naming_field_and_values(void)
{
	struct err e;

	CHECK_OK(steps(NULL, "{\"title\":\"t\",\"stage\":\"open\"}", NULL,
		       &e));
	CHECK(steps(NULL, "{\"title\":\"t\",\"stage\":\"review\"}", NULL,
		    &e) == ERR_INVALID);
	CHECK(strstr(e.msg, "'(none)' -> 'review'") != NULL);
	CHECK_OK(steps("{\"stage\":\"open\"}", "{\"stage\":\"review\"}",
		       "polo", &e));
	CHECK(steps("{\"stage\":\"open\"}", "{\"stage\":\"done\"}", "hub",
		    &e) == ERR_INVALID);
	CHECK(strstr(e.msg, "field 'stage' of 'test_case'") != NULL);
	CHECK(strstr(e.msg, "'open' -> 'done' is not a declared") != NULL);
	/* The same value is no step; other fields are not procedures. */
	CHECK_OK(steps("{\"stage\":\"done\"}",
		       "{\"stage\":\"done\",\"note\":\"x\"}", NULL, &e));
	/* A procedure is never cleared. */
	CHECK(steps("{\"stage\":\"open\"}", "{\"stage\":null}", "hub", &e) ==
	      ERR_INVALID);
	CHECK(strstr(e.msg, "cannot be cleared") != NULL);
}

static void test_rule_steps_refused_by_role(void)
{
	struct err e;

	CHECK_OK(steps("{\"stage\":\"review\"}", "{\"stage\":\"done\"}",
		       "pda", &e));
	CHECK_OK(steps("{\"stage\":\"review\"}", "{\"stage\":\"done\"}",
		       "hub", &e));
	CHECK(steps("{\"stage\":\"review\"}", "{\"stage\":\"done\"}", "polo",
		    &e) == ERR_CONFLICT);
	CHECK(strstr(e.msg, "'review' -> 'done' is taken by hub, pda, not "
			    "by polo") != NULL);
	CHECK(steps("{\"stage\":\"open\"}", "{\"stage\":\"cancelled\"}",
		    NULL, &e) == ERR_CONFLICT);
	CHECK(strstr(e.msg, "not by a node with no role") != NULL);
}

static void test_rule_settle_on_a_candidate_or_a_step(void)
{
	json_t *done = json_string("done"), *open = json_string("open");
	json_t *review = json_string("review"), *canc = json_string("cancelled");
	const json_t *cand[2] = { done, open };
	struct err e;

	err_init(&e);
	CHECK_OK(rule_check_settle(tc(), stage(), cand, 2, open, NULL, &e));
	CHECK_OK(rule_check_settle(tc(), stage(), cand, 2, review, NULL, &e));
	CHECK(rule_check_settle(tc(), stage(), cand, 2, canc, "polo", &e) ==
	      ERR_CONFLICT);
	CHECK_OK(rule_check_settle(tc(), stage(), cand, 2, canc, "hub", &e));
	CHECK(rule_check_settle(tc(), stage(), cand, 1, review, "hub", &e) ==
	      ERR_INVALID);
	json_decref(done);
	json_decref(open);
	json_decref(review);
	json_decref(canc);
}

static void test_rule_caps(void)
{
	const struct schema_collection *entry = schema_collection("test_entry");
	const struct schema_collection *parent = NULL, *none = NULL;
	const struct schema_aggregate *a = rule_aggregate_over(entry, 0,
							       &parent);
	json_t *child = json_pack("{si}", "amount", 60);
	json_t *big = json_pack("{sI}", "amount", (json_int_t)LLONG_MAX);
	json_t *p = json_pack("{si}", "cap", 150);
	long long total = 0;
	struct err e;

	CHECK(a != NULL && parent == schema_collection("test_budget"));
	CHECK(rule_aggregate_over(entry, 1, &none) == NULL);
	CHECK(rule_aggregate_over(schema_collection("test_item"), 0,
				  &none) == NULL && none == NULL);
	CHECK(rule_sum_add(a, child, &total) == 0 && total == 60);
	CHECK(rule_sum_add(a, child, &total) == 0 && total == 120);
	CHECK(rule_sum_add(a, big, &total) == ERR_INVALID && total == 120);
	CHECK(rule_cap(a, p) == 150);
	CHECK(rule_cap(a, NULL) == 100);
	err_init(&e);
	CHECK_OK(rule_check_cap(parent, a, 60, 100, 100, &e));
	CHECK(rule_check_cap(parent, a, 60, 120, 100, &e) == ERR_INVALID);
	CHECK(strstr(e.msg, "'amount' of 'test_entry'") != NULL);
	CHECK(strstr(e.msg, "('cap')") != NULL);
	/* A reversal is taken while the cap is passed. */
	CHECK_OK(rule_check_cap(parent, a, 140, 120, 100, &e));
	json_decref(child);
	json_decref(big);
	json_decref(p);
}

/* The sum of many children: whether it fits, and so whether the cap is
 * passed, does not depend on the order they are read in. */
static void test_rule_sum_saturates_in_any_order(void)
{
	const struct schema_collection *entry = schema_collection("test_entry");
	const struct schema_collection *parent = NULL;
	const struct schema_aggregate *a = rule_aggregate_over(entry, 0,
							       &parent);
	json_t *big = json_pack("{sI}", "amount", (json_int_t)LLONG_MAX - 10);
	json_t *more = json_pack("{si}", "amount", 20);
	json_t *back = json_pack("{sI}", "amount", (json_int_t)-100);
	json_t *low = json_pack("{sI}", "amount", (json_int_t)LLONG_MIN);
	const json_t *order1[] = { big, more, back };
	const json_t *order2[] = { back, big, more };
	struct rule_sum s1, s2, fit;
	long long total = 0;

	CHECK(a != NULL);
	rule_sum_init(&s1);
	rule_sum_init(&s2);
	for (size_t i = 0; i < 3; i++) {
		rule_sum_take(a, order1[i], &s1);
		rule_sum_take(a, order2[i], &s2);
	}
	/* A running total would fit in order2 and not in order1. */
	CHECK(rule_sum_total(&s1, &total) == ERR_INVALID);
	CHECK(rule_sum_total(&s2, &total) == ERR_INVALID);
	CHECK(rule_sum_over(&s1, LLONG_MAX) && rule_sum_over(&s2, LLONG_MAX));
	/* One below LLONG_MIN overflows too, and counts as over. */
	rule_sum_init(&fit);
	rule_sum_take(a, low, &fit);
	CHECK(rule_sum_total(&fit, &total) == 0 && total == LLONG_MIN);
	CHECK(!rule_sum_over(&fit, 0));
	rule_sum_take(a, back, &fit);
	CHECK(rule_sum_over(&fit, 0));
	/* What fits adds as usual, whatever the mix of signs. */
	rule_sum_init(&fit);
	rule_sum_take(a, big, &fit);
	rule_sum_take(a, back, &fit);
	CHECK(rule_sum_total(&fit, &total) == 0 &&
	      total == LLONG_MAX - 110);
	CHECK(!rule_sum_over(&fit, LLONG_MAX - 110));
	CHECK(rule_sum_over(&fit, LLONG_MAX - 111));
	json_decref(big);
	json_decref(more);
	json_decref(back);
	json_decref(low);
}

TEST_MAIN(T(test_rule_product_knows_no_test_collection),
	  T(test_rule_register_refuses_bad_sets),
	  T(test_rule_transition_lookup),
	  T(test_rule_steps_refused_naming_field_and_values),
	  T(test_rule_steps_refused_by_role),
	  T(test_rule_settle_on_a_candidate_or_a_step), T(test_rule_caps),
	  T(test_rule_sum_saturates_in_any_order))
