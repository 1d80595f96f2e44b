/*
 * test_merge_history.c - the merge on long histories: forty rounds of
 * concurrent edits each settled by a resolution, then a delete concurrent
 * with an edit.  The delete-vs-edit check walks the versions a change
 * superseded; with resolutions the number of paths doubles every round,
 * so a walk that does not remember where it has been never ends (this
 * test then hangs and is stopped by the runner's timeout).
 */
#include "conflict/merge.h"
#include "tests/test.h"

#include <stdlib.h>
#include <string.h>

static struct merge_vid vid(uint64_t hlc, uint8_t node)
{
	struct merge_vid v;

	memset(&v, 0, sizeof(v));
	v.hlc = hlc;
	v.node.b[15] = node;
	return v;
}

/* Apply values as a change of version v naming prev. */
static int apply(struct merge_record *r, struct merge_vid v, const char *json,
		 const struct merge_prev *prev, size_t nprev)
{
	struct merge_change c;
	json_t *values = json_loads(json, 0, NULL);
	int rc;

	memset(&c, 0, sizeof(c));
	c.v = v;
	c.values = values;
	c.prev = prev;
	c.nprev = nprev;
	rc = values ? merge_apply(r, &c, NULL, NULL) : -1;
	json_decref(values);
	return rc;
}

static void test_merge_long_resolution_history_stays_linear(void)
{
	const struct schema_collection *coll = schema_collection("test_item");
	const uint16_t title = schema_field(coll, "title")->id;
	const uint16_t marker = SCHEMA_FIELD_DELETED;
	struct merge_record *r = NULL;
	struct merge_conflict m[4];
	struct merge_prev *p = NULL, *pd = NULL, *pe = NULL;
	size_t np = 0, nd = 0, ne = 0;
	uint64_t h = 100;
	uint8_t hash[MERGE_HASHBYTES];

	CHECK_OK(merge_record_new(&r, coll));
	CHECK_OK(apply(r, vid(h++, 1), "{\"title\":\"a\"}", NULL, 0));
	for (int i = 0; i < 40; i++) {
		CHECK_OK(merge_prev_for(r, &title, 1, 0, &p, &np));
		CHECK_OK(apply(r, vid(h++, 1), "{\"title\":\"x\"}", p, np));
		CHECK_OK(apply(r, vid(h++, 2), "{\"title\":\"y\"}", p, np));
		free(p);
		CHECK(merge_conflicts(r, NULL, 0) == 1);
		CHECK_OK(merge_prev_for(r, &title, 1, 1, &p, &np));
		CHECK(np == 2 + 0); /* both candidates, no deletion marker */
		CHECK_OK(apply(r, vid(h++, 3), "{\"title\":\"z\"}", p, np));
		free(p);
		CHECK(merge_conflicts(r, NULL, 0) == 0);
	}
	/* A delete and an edit made from the same state, each unaware of
	 * the other. */
	CHECK_OK(merge_prev_for(r, &marker, 1, 0, &pd, &nd));
	CHECK_OK(merge_prev_for(r, &title, 1, 0, &pe, &ne));
	CHECK_OK(apply(r, vid(h + 10, 4), "{\"_deleted\":true}", pd, nd));
	CHECK_OK(apply(r, vid(h + 5, 5), "{\"title\":\"w\"}", pe, ne));
	free(pd);
	free(pe);
	CHECK(merge_conflicts(r, m, 4) == 1);
	CHECK(m[0].kind == MERGE_CONFLICT_DELETE && m[0].field == title);
	merge_hash(r, hash);
	merge_record_free(r);
}

TEST_MAIN(T(test_merge_long_resolution_history_stays_linear))
