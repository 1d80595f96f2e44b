/*
 * test_rule.c - schema/rule.c: procedure steps and roles, what steps
 * require (struct schema_requirement), caps over a parent's children,
 * invariants and quotas on local writes, the self-check of those
 * declarations, and the
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
	CHECK(schema_count() ==
	      schema_product.n + test_schema_set.n + test_rules_set.n);
}

static void test_rule_register_refuses_bad_sets(void)
{
	static const char *const vals[] = { "a", "b", NULL };
	static const char *const val_labels[] = { "A", "B", NULL };
	static const struct schema_transition bad_steps[] = {
		{ .from = "a", .to = "zzz" },
	};
	static const struct schema_field bad_fields[] = {
		{ .name = "s", .id = 1, .type = SCHEMA_ENUM, .values = vals,
		  .value_labels = val_labels, .label = "Stato",
		  .help = "Uno stato.", .transitions = bad_steps,
		  .ntransitions = 1 },
	};
	static const struct schema_collection bad[] = {
		{ .name = "test_bad", .id = 99, .fields = bad_fields,
		  .nfields = 1, .label = "Prova", .help = "Solo per i test." },
	};
	struct schema_set sets[4] = { schema_product, test_schema_set,
				      test_rules_set, { bad, 1 } };
	size_t before = schema_count();
	struct err e;

	err_init(&e);
	CHECK(schema_register(sets, 0, &e) == ERR_INVALID);
	err_init(&e);
	CHECK(schema_register(sets, 4, &e) == ERR_FAIL);
	CHECK(strstr(e.msg, "undeclared value") != NULL);
	/* Nothing changed. */
	CHECK(schema_count() == before);
	CHECK(schema_collection("test_bad") == NULL);
	CHECK(schema_collection("test_case") != NULL);
	/* Registering the same sets again is fine. */
	CHECK_OK(schema_register(sets, 3, &e));
	CHECK(schema_count() == before);
}

/* The collections rules read as a group: an aggregate's children, a
 * quota's records, a CHILD or SIBLING requirement's targets; no other
 * (the store indexes only those, node/store_require.h). */
static void test_rule_counted(void)
{
	const struct schema_collection *c;
	int n = 0;

	CHECK(rule_counted(schema_collection("ledger")));   /* aggregate */
	CHECK(rule_counted(schema_collection("dote")));     /* quota */
	CHECK(rule_counted(schema_collection("test_entry")));
	CHECK(!rule_counted(schema_collection("test_budget")));
	CHECK(!rule_counted(schema_collection("person")));
	CHECK(!rule_counted(schema_collection("case")));
	CHECK(!rule_counted(schema_collection("service")));
	CHECK(!rule_counted(NULL));
	/* Every requirement's CHILD or SIBLING target is counted. */
	for (size_t i = 0; (c = schema_at(i)) != NULL; i++)
		for (size_t j = 0; j < c->nfields; j++)
			for (size_t k = 0; k < c->fields[j].ntransitions; k++) {
				const struct schema_transition *t =
				    &c->fields[j].transitions[k];

				for (size_t r = 0; r < t->nrequires; r++) {
					const struct schema_requirement *q =
					    &t->requires[r];

					if (q->link != SCHEMA_LINK_CHILD &&
					    q->link != SCHEMA_LINK_SIBLING)
						continue;
					CHECK(rule_counted(
					    rule_requirement_target(c, q)));
					n++;
				}
			}
	CHECK(n > 0);
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
	CHECK(strstr(e.msg, "'(nessuno)' -> 'review'") != NULL);
	CHECK_OK(steps("{\"stage\":\"open\"}", "{\"stage\":\"review\"}",
		       "polo", &e));
	CHECK(steps("{\"stage\":\"open\"}", "{\"stage\":\"done\"}", "hub",
		    &e) == ERR_INVALID);
	/* In Italian, the field by name and label, the step, no record
	 * value (the domain contract, "Messages"). */
	CHECK(strcmp(e.msg, "campo 'stage' (Fase) di 'test_case': il passo "
		     "'open' -> 'done' non e' previsto dalla procedura") == 0);
	/* The same value is no step; other fields are not procedures. */
	CHECK_OK(steps("{\"stage\":\"done\"}",
		       "{\"stage\":\"done\",\"note\":\"x\"}", NULL, &e));
	/* A procedure is never cleared. */
	CHECK(steps("{\"stage\":\"open\"}", "{\"stage\":null}", "hub", &e) ==
	      ERR_INVALID);
	CHECK(strcmp(e.msg, "campo 'stage' (Fase) di 'test_case': e' lo "
		     "stato di una procedura, non si cancella") == 0);
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
	CHECK(strcmp(e.msg, "campo 'stage' (Fase) di 'test_case': il passo "
		     "'review' -> 'done' spetta a: hub, pda; non a: polo") ==
	      0);
	CHECK(steps("{\"stage\":\"open\"}", "{\"stage\":\"cancelled\"}",
		    NULL, &e) == ERR_CONFLICT);
	CHECK(strstr(e.msg, "; non a: un nodo senza ruolo") != NULL);
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
	char why[256];
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
	CHECK(strcmp(e.msg, "campo 'amount' (Importo) di 'test_entry': la "
		     "somma sui record 'test_entry' di una scheda "
		     "'test_budget' supererebbe il tetto 'cap' (Tetto)") == 0);
	/* A reversal is taken while the cap is passed. */
	CHECK_OK(rule_check_cap(parent, a, 140, 120, 100, &e));
	/* The reason of the rule conflict a passed cap leaves, alike. */
	rule_cap_reason(parent, a, why, sizeof(why));
	CHECK(strcmp(why, "campo 'amount' (Importo) dei record 'test_entry': "
		     "la somma supera il tetto 'cap' (Tetto)") == 0);
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

/* ---- requirements, invariants, quotas (test_rules_set) ---- */

static const struct schema_transition *file_step(const char *from,
						 const char *to)
{
	return rule_transition(schema_field(schema_collection("test_file"),
					    "stage"),
			       from, to);
}

static void test_rule_requirement_met(void)
{
	const struct schema_transition *m = file_step("validated", "matched");
	const struct schema_transition *v = file_step("submitted", "validated");
	const struct schema_requirement *consent =
		&rule_transition(schema_field(schema_collection("test_grant"),
					      "status"),
				 "assigned", "active")->requires[0];
	json_t *rec = json_pack("{ssss}", "attuatore", "x", "matching", "hub");
	json_t *empty = json_pack("{ss}", "attuatore", "");
	json_t *list = json_pack("{s[ss]}", "decision", "no", "eligible");
	json_t *ok = json_pack("{ss}", "purpose", "referral");
	json_t *gone = json_pack("{ssss}", "purpose", "referral",
				 "revoked_on", "2026-01-02");

	CHECK(m && v && m->nrequires == 3 && v->nrequires == 1);
	/* Set: present, not null, not empty. */
	CHECK(rule_requirement_met(&m->requires[0], rec));
	CHECK(!rule_requirement_met(&m->requires[0], empty));
	CHECK(!rule_requirement_met(&m->requires[0], NULL));
	/* Values: one of them; a list holds one of them. */
	CHECK(!rule_requirement_met(&m->requires[1], rec));
	CHECK(rule_requirement_met(&v->requires[0], list));
	/* unset: the found record's field must be unset. */
	CHECK(rule_requirement_met(consent, ok));
	CHECK(!rule_requirement_met(consent, gone));
	/* Roles. */
	CHECK(rule_requirement_applies(&m->requires[0], "polo"));
	CHECK(rule_requirement_applies(&m->requires[1], "pda"));
	CHECK(!rule_requirement_applies(&m->requires[1], "hub"));
	CHECK(!rule_requirement_applies(&m->requires[1], NULL));
	/* What each reads. */
	CHECK(rule_requirement_target(schema_collection("test_file"),
				      &v->requires[0]) ==
	      schema_collection("test_check"));
	CHECK(rule_requirement_target(schema_collection("test_grant"),
				      &rule_transition(schema_field(
					       schema_collection("test_grant"),
					       "status"), NULL, "assigned")
					       ->requires[0]) ==
	      schema_collection("test_file"));
	json_decref(rec);
	json_decref(empty);
	json_decref(list);
	json_decref(ok);
	json_decref(gone);
}

struct asked {
	int n, holds, rc;
	const struct schema_requirement *last;
};

static int ask(void *ctx, const struct schema_requirement *r, int *holds,
	       struct err *e)
{
	struct asked *a = ctx;

	a->n++;
	a->last = r;
	*holds = a->holds;
	return a->rc ? err_set(e, a->rc, "database") : 0;
}

static void test_rule_check_requires_names_step_and_label(void)
{
	const struct schema_collection *c = schema_collection("test_file");
	const struct schema_field *f = schema_field(c, "stage");
	struct asked a = { 0, 0, 0, NULL };
	struct err e;

	err_init(&e);
	CHECK(rule_check_requires(c, f, file_step("submitted", "validated"),
				  "hub", ask, &a, &e) == ERR_CONFLICT);
	CHECK(strcmp(e.msg, "campo 'stage' (Prova) di 'test_file': il passo "
		     "'submitted' -> 'validated' richiede: una verifica con "
		     "esito positivo") == 0);
	a.holds = 1;
	CHECK_OK(rule_check_requires(c, f, file_step("submitted", "validated"),
				     "hub", ask, &a, &e));
	/* Only the requirements of the writer's role are asked. */
	a.n = 0;
	CHECK_OK(rule_check_requires(c, f, file_step("validated", "matched"),
				     "hub", ask, &a, &e));
	CHECK(a.n == 1);
	a.n = 0;
	CHECK_OK(rule_check_requires(c, f, file_step("validated", "matched"),
				     "pda", ask, &a, &e));
	CHECK(a.n == 3);
	/* A step with none asks nothing; the loader's error is returned. */
	a.n = 0;
	CHECK_OK(rule_check_requires(c, f, file_step("new", "submitted"),
				     NULL, ask, &a, &e));
	CHECK(a.n == 0);
	a.rc = ERR_AUTH;
	CHECK(rule_check_requires(c, f, file_step("matched", "closed"), NULL,
				  ask, &a, &e) == ERR_AUTH);
}

static void test_rule_invariant_and_quota(void)
{
	const struct schema_collection *g = schema_collection("test_grant");
	json_t *fine = json_pack("{si}", "months", 6);
	json_t *bad = json_pack("{si}", "months", 12);
	json_t *why = json_pack("{siss}", "months", 12, "justification", "x");
	json_t *rev = json_pack("{ssss}", "partner", "north", "status",
				"revoked");
	json_t *act = json_pack("{ssss}", "partner", "north", "status",
				"active");
	const char *group = NULL;
	struct err e;

	err_init(&e);
	CHECK_OK(rule_check_invariant(g, NULL, fine, &e));
	CHECK(rule_check_invariant(g, NULL, bad, &e) == ERR_INVALID);
	CHECK(strstr(e.msg, "'test_grant'") &&
	      strstr(e.msg, "campo 'months' fuori da 2..9"));
	CHECK(rule_check_invariant(g, fine, bad, &e) == ERR_INVALID);
	/* Broken before: a write that leaves it broken is taken. */
	CHECK_OK(rule_check_invariant(g, bad, bad, &e));
	CHECK_OK(rule_check_invariant(g, bad, why, &e));
	/* Without invariant_refuses, a local write is judged as a received
	 * one: a rule conflict, no refusal. */
	{
		json_t *over = json_pack("{sisi}", "cap", 1, "spent", 2);

		CHECK_OK(rule_check_invariant(schema_collection("test_item"),
					      NULL, over, &e));
		json_decref(over);
	}
	CHECK(!rule_quota_counts(g->quota, rev, &group));
	CHECK(rule_quota_counts(g->quota, act, &group) &&
	      strcmp(group, "north") == 0);
	CHECK_OK(rule_check_quota(g, 1, 2, &e));
	CHECK(rule_check_quota(g, 2, 2, &e) == ERR_INVALID);
	CHECK(strcmp(e.msg, "campo 'partner' (Prova) di 'test_grant': "
		     "raggiunto il limite di sovvenzioni per partner") == 0);
	json_decref(fine);
	json_decref(bad);
	json_decref(why);
	json_decref(rev);
	json_decref(act);
}

/* One declaration of a requirement (or quota) that schema_check()
 * refuses, with what its message says. */
static const char *const bad_vals[] = { "a", "b", NULL };
static const char *const bad_val_labels[] = { "A", "B", NULL };
static const char *const bad_nope[] = { "nope", NULL };
static const char *const bad_yes[] = { "eligible", NULL };
static const struct schema_requirement bad_reqs[] = {
	/* 0: a CHILD collection whose parent is not test_bad */
	{ .link = SCHEMA_LINK_CHILD, .collection = "test_check",
	  .label = "x" },
	/* 1: an undeclared field */
	{ .link = SCHEMA_LINK_SELF, .field = "zzz", .label = "x" },
	/* 2: an undeclared ENUM value */
	{ .link = SCHEMA_LINK_SELF, .field = "s", .values = bad_nope,
	  .label = "x" },
	/* 3: no label */
	{ .link = SCHEMA_LINK_SELF, .field = "s" },
	/* 4: a SIBLING not under test_bad's parent (it has none) */
	{ .link = SCHEMA_LINK_SIBLING, .collection = "test_check",
	  .label = "x" },
	/* 5: a PARENT of a collection with no parent */
	{ .link = SCHEMA_LINK_PARENT, .field = "stage", .label = "x" },
	/* 6: fine */
	{ .link = SCHEMA_LINK_SELF, .field = "s", .values = bad_vals,
	  .label = "x" },
	/* 7: a child's field value */
	{ .link = SCHEMA_LINK_CHILD, .collection = "test_check",
	  .field = "decision", .values = bad_yes, .label = "x" },
};

static int bad_decl(size_t k, const struct schema_quota *q, struct err *e)
{
	struct schema_transition step = { .from = "a", .to = "b",
					  .requires = &bad_reqs[k],
					  .nrequires = 1 };
	struct schema_field fields[1] = {
		{ .name = "s", .id = 1, .type = SCHEMA_ENUM, .values = bad_vals,
		  .value_labels = bad_val_labels, .label = "Stato",
		  .help = "Uno stato.", .transitions = &step,
		  .ntransitions = 1 },
	};
	struct schema_collection bad[1] = {
		{ .name = "test_bad", .id = 99, .fields = fields,
		  .nfields = 1, .quota = q, .label = "Prova",
		  .help = "Solo per i test." },
	};
	struct schema_set sets[4] = { schema_product, test_schema_set,
				      test_rules_set, { bad, 1 } };
	int rc;

	err_init(e);
	rc = schema_register(sets, 4, e);
	/* Back to what the binary started with. */
	if (schema_register(sets, 3, NULL))
		return -1;
	return rc;
}

static void test_rule_requirement_decl_checked(void)
{
	static const char *const skip_bad[] = { "zzz", NULL };
	const struct schema_quota q_bad = { .group = "nope", .label = "x" };
	const struct schema_quota q_skip = { .group = "s", .skip = "s",
					     .skip_values = skip_bad,
					     .label = "x" };
	const struct schema_quota q_ok = { .group = "s", .label = "x" };
	static const struct schema_quota_default def_bad[] = { { "zzz", 3 } };
	static const struct schema_quota_default def_neg[] = { { "a", -1 } };
	const struct schema_quota q_def_bad = { .group = "s", .label = "x",
						.defaults = def_bad,
						.ndefaults = 1 };
	const struct schema_quota q_def_neg = { .group = "s", .label = "x",
						.defaults = def_neg,
						.ndefaults = 1 };
	struct err e;

	CHECK(bad_decl(0, NULL, &e) == ERR_FAIL);
	CHECK(strstr(e.msg, "child collection whose parent is not"));
	CHECK(bad_decl(1, NULL, &e) == ERR_FAIL);
	CHECK(strstr(e.msg, "a field its collection does not declare"));
	CHECK(bad_decl(2, NULL, &e) == ERR_FAIL);
	CHECK(strstr(e.msg, "an undeclared value"));
	CHECK(bad_decl(3, NULL, &e) == ERR_FAIL);
	CHECK(strstr(e.msg, "has no label"));
	CHECK(bad_decl(4, NULL, &e) == ERR_FAIL);
	CHECK(strstr(e.msg, "sibling collection"));
	CHECK(bad_decl(5, NULL, &e) == ERR_FAIL);
	CHECK(strstr(e.msg, "reaches no collection"));
	CHECK(bad_decl(7, NULL, &e) == ERR_FAIL); /* not its parent */
	CHECK_OK(bad_decl(6, NULL, &e));
	CHECK(bad_decl(6, &q_bad, &e) == ERR_FAIL);
	CHECK(strstr(e.msg, "a quota groups by no ENUM or STRING field"));
	CHECK(bad_decl(6, &q_skip, &e) == ERR_FAIL);
	CHECK(strstr(e.msg, "a quota skips"));
	CHECK_OK(bad_decl(6, &q_ok, &e));
	CHECK(bad_decl(6, &q_def_bad, &e) == ERR_FAIL);
	CHECK(strstr(e.msg, "a quota's default names an undeclared group"));
	CHECK(bad_decl(6, &q_def_neg, &e) == ERR_FAIL);
	CHECK(strstr(e.msg, "a negative limit"));
	CHECK(schema_collection("test_bad") == NULL);
	CHECK(schema_collection("test_grant") != NULL);
}

TEST_MAIN(T(test_rule_product_knows_no_test_collection),
	  T(test_rule_register_refuses_bad_sets),
	  T(test_rule_transition_lookup), T(test_rule_counted),
	  T(test_rule_steps_refused_naming_field_and_values),
	  T(test_rule_steps_refused_by_role),
	  T(test_rule_settle_on_a_candidate_or_a_step), T(test_rule_caps),
	  T(test_rule_sum_saturates_in_any_order),
	  T(test_rule_requirement_met),
	  T(test_rule_check_requires_names_step_and_label),
	  T(test_rule_invariant_and_quota),
	  T(test_rule_requirement_decl_checked))
