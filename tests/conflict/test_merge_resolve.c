/*
 * test_merge_resolve.c - resolutions of the deletion that meet: a keep-
 * deleted and an undelete made concurrently on two nodes, and what a
 * deleted record lists (issue 11, item 3).  Every listed conflict must be
 * admitted in the form it is listed with (merge_conflict_form(),
 * merge_resolvable()) and settled by it, the same in every order.
 * Changes are built by hand (tests/conflict/merge_fixture.h).
 */
#include "tests/conflict/merge_fixture.h"

/* Issue 11 item 3: after a delete-vs-edit conflict, one node keeps the
 * delete and another, a moment later, undeletes.  The two resolutions
 * are a conflict on the deletion marker itself: listed in the delete
 * form, admitted (keep or undelete) whichever of them stands, and
 * settled by either, the same in every order. */
static void test_merge_concurrent_keep_and_undelete(void)
{
	struct merge_conflict m[4];
	struct tch *keep, *undo, *fin;

	reset("test_item");
	CHECK(edit_and_delete());
	keep = at(x, 400, C, "{'_deleted':true}", 1);
	undo = at(x, 410, D, "{'_deleted':false}", 1);
	y = REC(cr, e1, e2, keep, undo);
	CHECK(y && CONVERGES(y, cr, e1, e2, keep, undo));
	/* the later undelete stands: the record is back with the edit */
	CHECK(!merge_deleted(y) && won(y, "_deleted", undo, "false"));
	CHECK(won(y, "title", e1, "'x'"));
	CHECK(merge_conflicts(y, m, 4) == 1);
	CHECK(m[0].kind == MERGE_CONFLICT_FIELD && m[0].field == 0);
	CHECK(vid_eq(m[0].winner, undo->c.v) && vid_eq(m[0].loser, keep->c.v));
	CHECK(value_is(m[0].loser_value, "true"));
	CHECK(merge_conflict_form(&m[0]) == MERGE_FORM_DELETE);
	CHECK(merge_resolvable(y, 0));
	CHECK(st(y, "_deleted", keep) == MERGE_OPEN &&
	      st(y, "_deleted", e2) == MERGE_SUPERSEDED);
	/* keeping the delete settles it */
	fin = at(y, 500, A, "{'_deleted':true}", 1);
	CHECK(fin && has_prev(fin, "_deleted", keep) &&
	      has_prev(fin, "_deleted", undo));
	CHECK(!apply(y, fin) && merge_deleted(y) && nconflicts(y) == 0);
	CHECK(CONVERGES(y, cr, e1, e2, keep, undo, fin));
	/* the keep later: the record stays deleted, the undelete is the
	 * other candidate, and undeleting settles it */
	reset("test_item");
	CHECK(edit_and_delete());
	undo = at(x, 400, C, "{'_deleted':false}", 1);
	keep = at(x, 410, D, "{'_deleted':true}", 1);
	y = REC(cr, e1, e2, undo, keep);
	CHECK(y && CONVERGES(y, cr, e1, e2, undo, keep));
	CHECK(merge_deleted(y) && merge_conflicts(y, m, 4) == 1);
	CHECK(m[0].kind == MERGE_CONFLICT_FIELD && m[0].field == 0 &&
	      value_is(m[0].loser_value, "false"));
	CHECK(merge_conflict_form(&m[0]) == MERGE_FORM_DELETE &&
	      merge_resolvable(y, 0));
	fin = write_at(y, 500, A, "{'_deleted':false}", 1);
	CHECK(fin && !merge_deleted(y) && nconflicts(y) == 0);
	CHECK(won(y, "title", e1, "'x'"));
}

/* A deleted record lists no conflict of its other fields: none can be
 * settled while it is deleted (a field resolution is refused there), and
 * keeping the delete leaves nothing open.  They come back with it. */
static void test_merge_deleted_record_shows_only_its_deletion(void)
{
	struct merge_conflict m[2];

	reset("test_item");
	CHECK(concurrent(300, "{'title':'x'}", 200, "{'title':'y'}"));
	CHECK(nconflicts(x) == 1 && merge_resolvable(x, fid("title")) &&
	      !merge_resolvable(x, 0));
	e3 = write_at(x, 400, C, "{'_deleted':true}", 0);
	CHECK(e3 && merge_deleted(x) && nconflicts(x) == 0);
	CHECK(!merge_resolvable(x, fid("title")) && merge_resolvable(x, 0));
	CHECK(st(x, "title", e2) == MERGE_SETTLED);
	CHECK(CONVERGES(x, cr, e1, e2, e3));
	CHECK(write_at(x, 500, D, "{'_deleted':false}", 1));
	CHECK(merge_conflicts(x, m, 2) == 1 && m[0].field == fid("title"));
	CHECK(st(x, "title", e2) == MERGE_OPEN);
}

TEST_MAIN(T(test_merge_concurrent_keep_and_undelete),
	  T(test_merge_deleted_record_shows_only_its_deletion))
