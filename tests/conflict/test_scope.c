/* test_scope.c - the access rule (conflict/scope.h). */
#include "conflict/scope.h"

#include "tests/test.h"

static json_t *names(const char *a, const char *b)
{
	json_t *j = json_array();

	if (a)
		json_array_append_new(j, json_string(a));
	if (b)
		json_array_append_new(j, json_string(b));
	return j;
}

static void test_assigned_nodes_see_the_case(void)
{
	struct scope_peer polo = { "polo-fg", SCOPE_KIND_POLO, "Puglia" };
	struct scope_peer att = { "att-1", SCOPE_KIND_ATTUATORE, "Puglia" };
	json_t *n = names("polo-fg", NULL);
	struct scope_case c = { "Puglia", n, 0 };

	CHECK(scope_case_visible(&polo, &c));
	CHECK(!scope_case_visible(&att, &c));
	json_decref(n);
}

static void test_unassigned_case_belongs_to_its_creator(void)
{
	struct scope_peer polo = { "polo-fg", SCOPE_KIND_POLO, "Puglia" };
	json_t *empty = json_array();
	struct scope_case mine = { "Puglia", NULL, 1 };
	struct scope_case other = { "Puglia", NULL, 0 };
	struct scope_case mine_empty = { "Puglia", empty, 1 };

	CHECK(scope_case_visible(&polo, &mine));
	CHECK(!scope_case_visible(&polo, &other));
	CHECK(scope_case_visible(&polo, &mine_empty));
	json_decref(empty);
}

static void test_handing_over_takes_the_case_from_its_creator(void)
{
	struct scope_peer polo = { "polo-fg", SCOPE_KIND_POLO, "Puglia" };
	json_t *n = names("pda-sic", NULL);
	struct scope_case c = { "Sicilia", n, 1 };

	CHECK(!scope_case_visible(&polo, &c));
	json_decref(n);
}

static void test_pda_sees_its_region_only(void)
{
	struct scope_peer pda = { "pda-sic", SCOPE_KIND_PDA, "Sicilia" };
	json_t *n = names("att-1", "polo-x");
	struct scope_case in_region = { "Sicilia", n, 0 };
	struct scope_case elsewhere = { "Calabria", n, 0 };
	struct scope_case unknown = { NULL, NULL, 0 };

	CHECK(scope_case_visible(&pda, &in_region));
	CHECK(!scope_case_visible(&pda, &elsewhere));
	CHECK(!scope_case_visible(&pda, &unknown));
	json_decref(n);
}

static void test_odd_inputs_see_nothing(void)
{
	struct scope_peer bad = { NULL, SCOPE_KIND_POLO, "Puglia" };
	struct scope_peer polo = { "polo-fg", SCOPE_KIND_POLO, "Puglia" };
	json_t *junk = json_pack("[i,n,s]", 3, "");
	struct scope_case c = { "Puglia", junk, 0 };

	CHECK(!scope_case_visible(&bad, &c));
	CHECK(!scope_case_visible(&polo, NULL));
	/* Non-string entries are not names, and no name matches. */
	CHECK(!scope_case_visible(&polo, &c));
	CHECK(scope_kind_ok("pda") && scope_kind_ok("polo") &&
	      scope_kind_ok("attuatore"));
	CHECK(!scope_kind_ok("hub") && !scope_kind_ok(NULL) &&
	      !scope_kind_ok("Polo"));
	json_decref(junk);
}

/* A node opening a case keeps it: it lists no one, or itself among
 * those it shares it with; a list without it would give the case away. */
static void test_open_case_lists_its_creator_or_no_one(void)
{
	struct scope_peer polo = { "polo-fg", SCOPE_KIND_POLO, "Puglia" };
	json_t *self = names("polo-fg", NULL);
	json_t *shared = names("polo-ba", "polo-fg");
	json_t *other = names("polo-ba", NULL);
	json_t *empty = json_array();
	json_t *junk = json_pack("[i,s]", 3, "");
	json_t *null = json_null();
	json_t *str = json_string("polo-fg");

	CHECK(scope_may_open(&polo, "Puglia", NULL));
	CHECK(scope_may_open(&polo, "Puglia", null));
	CHECK(scope_may_open(&polo, "Puglia", empty));
	CHECK(scope_may_open(&polo, "Puglia", self));
	CHECK(scope_may_open(&polo, "Puglia", shared));
	CHECK(scope_may_open(&polo, "Puglia", junk));
	CHECK(!scope_may_open(&polo, "Puglia", other));
	/* Not a list: not a shape the schema lets through, refused. */
	CHECK(!scope_may_open(&polo, "Puglia", str));
	CHECK(!scope_may_open(NULL, "Puglia", self));
	json_decref(self);
	json_decref(shared);
	json_decref(other);
	json_decref(empty);
	json_decref(junk);
	json_decref(str);
}

/* The PdA of a region opens a case of its region for anyone. */
static void test_pda_opens_for_others_in_its_region_only(void)
{
	struct scope_peer pda = { "pda-sic", SCOPE_KIND_PDA, "Sicilia" };
	json_t *other = names("att-1", NULL);

	CHECK(scope_may_open(&pda, "Sicilia", other));
	CHECK(!scope_may_open(&pda, "Calabria", other));
	CHECK(!scope_may_open(&pda, NULL, other));
	json_decref(other);
}

/* Afterwards only the PdA of the case's region hands it over: not a
 * Polo assigned to it, not a PdA of another region, not an attuatore. */
static void test_hand_over_by_pda_of_region_only(void)
{
	struct scope_peer polo = { "polo-fg", SCOPE_KIND_POLO, "Puglia" };
	struct scope_peer att = { "att-1", SCOPE_KIND_ATTUATORE, "Puglia" };
	struct scope_peer pda = { "pda-pug", SCOPE_KIND_PDA, "Puglia" };
	struct scope_peer far = { "pda-sic", SCOPE_KIND_PDA, "Sicilia" };
	struct scope_peer odd = { "pda-x", NULL, "Puglia" };

	CHECK(scope_may_hand_over(&pda, "Puglia"));
	CHECK(!scope_may_hand_over(&polo, "Puglia"));
	CHECK(!scope_may_hand_over(&att, "Puglia"));
	CHECK(!scope_may_hand_over(&far, "Puglia"));
	CHECK(!scope_may_hand_over(&pda, NULL));
	CHECK(!scope_may_hand_over(&odd, "Puglia"));
	CHECK(!scope_may_hand_over(NULL, "Puglia"));
}

TEST_MAIN(T(test_assigned_nodes_see_the_case),
	  T(test_unassigned_case_belongs_to_its_creator),
	  T(test_handing_over_takes_the_case_from_its_creator),
	  T(test_pda_sees_its_region_only), T(test_odd_inputs_see_nothing),
	  T(test_open_case_lists_its_creator_or_no_one),
	  T(test_pda_opens_for_others_in_its_region_only),
	  T(test_hand_over_by_pda_of_region_only))
