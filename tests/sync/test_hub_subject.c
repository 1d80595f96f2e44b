/*
 * test_hub_subject.c - a person follows the cases that name it, through a
 * real hub in process: a node that gains a case for a person it never saw
 * gets the person's history (even when its cursor is past it); a
 * creator that loses sight of its person has it purged; and a change to
 * a record the hub does not hold (its creation was refused) is refused
 * like its creation, never creating a record missing its fields; a
 * person may be merged only into one the node sees.
 */
#include "tests/sync/hub_world.h"

/* Seed 4 of the simulator: polo-b's person, a new case for it opened by
 * the hub for polo-a, whose cursor is already past the person. */
WORLD_TEST(test_new_case_brings_its_person)
{
	struct id person, cs, svc;

	CHECK(put(w.n[B], "person", NULL, &person, "%s", PERSON) == 0);
	CHECK(round_of(B) == 0 && w.st.pushed == 1);
	/* polo-a's cursor moves past the person (out of its scope). */
	CHECK(put(w.hub, "person", NULL, NULL, "%s", PERSON) == 0);
	CHECK(round_of(A) == 0 && has(w.n[A], &person) == 0);
	CHECK(put(w.n[B], "person", &person, NULL, "{\"notes\":\"x\"}") == 0);
	CHECK(round_of(B) == 0 && w.st.pushed == 1);
	CHECK(put(w.hub, "case", NULL, &cs,
		  "{\"person_id\":\"%s\",\"region\":\"Puglia\",\"stage\":"
		  "\"intake\",\"nodes\":[\"polo-a\"]}", idtext(&person)) == 0);
	CHECK(round_of(A) == 0);
	CHECK(has(w.n[A], &cs) == 1 && has(w.n[A], &person) == 1);
	CHECK(*fields_of(w.hub, &person) &&
	      strcmp(fields_of(w.hub, &person),
		     fields_of(w.n[A], &person)) == 0);
	/* Its node works on it as on its own. */
	CHECK(put(w.n[A], "service", NULL, &svc,
		  "{\"case_id\":\"%s\",\"service_type\":\"food_parcel\","
		  "\"date\":\"2024-05-03\"}", idtext(&cs)) == 0);
	CHECK(put(w.n[A], "person", &person, NULL, "{\"phone\":\"1\"}") == 0);
	CHECK(round_of(A) == 0 && w.st.refused == 0 && w.st.pushed == 2);
	CHECK(has(w.hub, &svc) == 1);
	CHECK(round_of(A) == 0 && w.st.pulled == 0);
}

/* A case whose subject changes to a person its node never saw brings
 * that person too. */
WORLD_TEST(test_subject_change_brings_the_person)
{
	struct id p1, cs, p2;

	CHECK_OK(open_case(w.hub, "Puglia", "[\"polo-a\"]", &p1, &cs));
	CHECK(round_of(A) == 0 && has(w.n[A], &p1) == 1);
	CHECK(put(w.n[B], "person", NULL, &p2, "%s", PERSON) == 0);
	CHECK(round_of(B) == 0 && w.st.pushed == 1);
	CHECK(put(w.hub, "person", NULL, NULL, "%s", PERSON) == 0);
	CHECK(round_of(A) == 0 && has(w.n[A], &p2) == 0);
	CHECK(put(w.hub, "case", &cs, NULL, "{\"person_id\":\"%s\"}",
		  idtext(&p2)) == 0);
	CHECK(round_of(A) == 0);
	CHECK(has(w.n[A], &p2) == 1);
	/* p1 is named by no case polo-a sees: out of its scope. */
	CHECK(has(w.n[A], &p1) == 0);
	/* polo-b lost its person to a case it does not see. */
	CHECK(round_of(B) == 0 && has(w.n[B], &p2) == 0);
}

/* Seed 27 of the simulator: the creator of a person loses sight of it
 * once a case it does not see names it, and its copy is purged. */
WORLD_TEST(test_creator_loses_person_to_a_case_it_does_not_see)
{
	struct id person, cs, kept;
	struct store_status st;

	CHECK(put(w.n[SIC], "person", NULL, &person, "%s", PERSON) == 0);
	CHECK(put(w.n[SIC], "person", NULL, &kept, "%s", PERSON) == 0);
	CHECK(round_of(SIC) == 0 && w.st.pushed == 2);
	CHECK(put(w.hub, "case", NULL, &cs,
		  "{\"person_id\":\"%s\",\"region\":\"Puglia\",\"stage\":"
		  "\"intake\",\"nodes\":[\"polo-a\"]}", idtext(&person)) == 0);
	CHECK(round_of(SIC) == 0 && w.st.purged == 1);
	CHECK(has(w.n[SIC], &person) == 0 && has(w.n[SIC], &cs) == 0);
	CHECK(has(w.n[SIC], &kept) == 1);
	CHECK(round_of(A) == 0 && has(w.n[A], &person) == 1);
	/* Nothing comes back, nothing is refused. */
	CHECK(round_of(SIC) == 0 && w.st.pulled == 0 && w.st.purged == 0);
	CHECK_OK(store_status(w.n[SIC], &st, NULL));
	CHECK(st.rejected == 0);
	CHECK(alive(SIC));
}

/* Seed 22 of the simulator: a record leaves a node's scope and comes
 * back while the node, offline, still edits it; its push is accepted
 * (in scope again), and the pull that purges the record and brings it
 * back must bring the node's own accepted edit back too. */
WORLD_TEST(test_own_edit_survives_leave_and_return)
{
	struct id person, cs, p2, c2;

	CHECK(put(w.n[A], "person", NULL, &person, "%s", PERSON) == 0);
	CHECK_OK(open_case(w.hub, "Puglia", "[\"polo-a\"]", &p2, &c2));
	CHECK(round_of(A) == 0 && w.st.pushed == 1);
	/* The person: named by a case polo-a does not see, then that case
	 * handed to polo-a. */
	CHECK(put(w.hub, "case", NULL, &cs,
		  "{\"person_id\":\"%s\",\"region\":\"Sicilia\",\"stage\":"
		  "\"intake\",\"nodes\":[\"pda-sic\"]}", idtext(&person)) == 0);
	CHECK(put(w.hub, "case", &cs, NULL, "{\"nodes\":[\"polo-a\"]}") == 0);
	/* The case: handed to polo-b and back. */
	CHECK(put(w.hub, "case", &c2, NULL, "{\"nodes\":[\"polo-b\"]}") == 0);
	CHECK(put(w.hub, "case", &c2, NULL, "{\"nodes\":[\"polo-a\"]}") == 0);
	CHECK(put(w.n[A], "person", &person, NULL, "{\"notes\":\"x\"}") == 0);
	CHECK(put(w.n[A], "case", &c2, NULL, "{\"priority\":\"high\"}") == 0);
	CHECK(round_of(A) == 0 && w.st.pushed == 2 && w.st.refused == 0);
	CHECK(strstr(fields_of(w.hub, &person), "\"notes\":\"x\"") != NULL);
	CHECK(strcmp(fields_of(w.hub, &person), fields_of(w.n[A], &person)) ==
	      0);
	CHECK(strstr(fields_of(w.hub, &c2), "\"priority\":\"high\"") != NULL);
	CHECK(strcmp(fields_of(w.hub, &c2), fields_of(w.n[A], &c2)) == 0);
	CHECK(has(w.n[A], &cs) == 1);
	CHECK(round_of(A) == 0 && w.st.pulled == 0 && w.st.purged == 0);
}

/* Seed 12 of the simulator: a case create the hub refused, then an edit
 * of that case: refused too, recorded on both sides; the hub never holds
 * a case missing its required fields. */
WORLD_TEST(test_change_to_refused_record_refused)
{
	struct id p1, c1, own, svc;
	struct registry_peer p;
	uint64_t before;

	CHECK_OK(open_case(w.n[A], "Puglia", "", &p1, &c1));
	CHECK(round_of(A) == 0 && w.st.pushed == 2);
	/* polo-b names a person it does not see: refused. */
	CHECK(put(w.n[B], "case", NULL, &own,
		  "{\"person_id\":\"%s\",\"region\":\"Puglia\","
		  "\"stage\":\"intake\",\"nodes\":[\"polo-b\"]}",
		  idtext(&p1)) == 0);
	CHECK(round_of(B) == 0 && w.st.refused == 1);
	before = changes();
	CHECK(put(w.n[B], "case", &own, NULL, "{\"priority\":\"high\"}") == 0);
	CHECK(put(w.n[B], "service", NULL, &svc,
		  "{\"case_id\":\"%s\",\"service_type\":\"food_parcel\","
		  "\"date\":\"2024-05-03\"}", idtext(&own)) == 0);
	CHECK(round_of(B) == 0);
	CHECK(w.st.refused == 2);
	CHECK(has(w.hub, &own) == 0 && has(w.hub, &svc) == 0);
	CHECK(changes() == before);
	CHECK_OK(registry_peer_by_name(w.hub, "polo-b", &p, NULL));
	CHECK(p.refused == 3);
	CHECK(reasons_with(w.hub, "refusal", "holds no such record") == 1);
	CHECK(reasons_with(w.n[B], "rejection", "holds no such record") == 1);
	CHECK(round_of(A) == 0 && w.st.pulled == 0);
	CHECK(alive(B));
}

/*
 * Seed 593 of the simulator: pda-sic edits its own person while the hub,
 * meanwhile, opens a case for it that pda-sic does not see.  The edit was
 * made while pda-sic still held the person (it is concurrent with the
 * move, not after it): the hub accepts it, as for a case handed over.
 */
WORLD_TEST(test_creator_edit_concurrent_with_case_accepted)
{
	struct id person, cs;
	struct store_status st;

	CHECK(put(w.n[SIC], "person", NULL, &person, "%s", PERSON) == 0);
	CHECK(round_of(SIC) == 0 && w.st.pushed == 1);
	CHECK(put(w.n[SIC], "person", &person, NULL, "{\"email\":\"1\"}") == 0);
	CHECK(put(w.hub, "case", NULL, &cs,
		  "{\"person_id\":\"%s\",\"region\":\"Puglia\",\"stage\":"
		  "\"intake\",\"nodes\":[]}", idtext(&person)) == 0);
	CHECK(round_of(SIC) == 0 && w.st.pushed == 1);
	CHECK(w.st.refused == 0);
	CHECK(strstr(fields_of(w.hub, &person), "\"email\":\"1\"") != NULL);
	CHECK_OK(store_status(w.n[SIC], &st, NULL));
	CHECK(st.rejected == 0);
	/* Its copy went with the person, nothing held back. */
	CHECK(round_of(SIC) == 0 && has(w.n[SIC], &person) == 0);
}

/* A node may not attach its person to one it does not see: a pushed
 * merged_into naming polo-a's person is refused, on an existing person
 * of polo-b's and on a new one; naming a person it sees goes through. */
WORLD_TEST(test_merge_into_unseen_person_refused)
{
	struct id p1, c1, mine, other, fresh;
	uint64_t before;

	CHECK_OK(open_case(w.n[A], "Puglia", "", &p1, &c1));
	CHECK(round_of(A) == 0 && w.st.pushed == 2);
	CHECK(put(w.n[B], "person", NULL, &mine, "%s", PERSON) == 0);
	CHECK(put(w.n[B], "person", NULL, &other, "%s", PERSON) == 0);
	CHECK(round_of(B) == 0 && w.st.pushed == 2 && w.st.refused == 0);
	before = changes();
	CHECK(put(w.n[B], "person", &mine, NULL, "{\"merged_into\":\"%s\"}",
		  idtext(&p1)) == 0);
	CHECK(put(w.n[B], "person", NULL, &fresh,
		  "{\"given_name\":\"A\",\"family_name\":\"B\","
		  "\"merged_into\":\"%s\"}", idtext(&p1)) == 0);
	CHECK(round_of(B) == 0 && w.st.refused == 2);
	CHECK(changes() == before);
	CHECK(strstr(fields_of(w.hub, &mine), "merged_into") == NULL);
	CHECK(has(w.hub, &fresh) == 0);
	/* Its own other person is one it sees. */
	CHECK(put(w.n[B], "person", &other, NULL, "{\"merged_into\":\"%s\"}",
		  idtext(&mine)) == 0);
	CHECK(round_of(B) == 0 && w.st.pushed == 1 && w.st.refused == 0);
	CHECK(strstr(fields_of(w.hub, &other), idtext(&mine)) != NULL);
}

TEST_MAIN(T(test_new_case_brings_its_person),
	  T(test_subject_change_brings_the_person),
	  T(test_creator_loses_person_to_a_case_it_does_not_see),
	  T(test_own_edit_survives_leave_and_return),
	  T(test_change_to_refused_record_refused),
	  T(test_creator_edit_concurrent_with_case_accepted),
	  T(test_merge_into_unseen_person_refused))
