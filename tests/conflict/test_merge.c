/*
 * test_merge.c - the per-record merge (conflict/merge.h), one behaviour per
 * test: fast-forward, duplicates and old changes, concurrent writes to
 * different fields and to one field, delete against edit, resolutions
 * (also concurrent ones, and undelete), the rule kinds of the schema
 * (monotonic, authority, invariant, append-only), order independence of
 * the hash, the status of each write, what a local change must name, and
 * the refusal of malformed changes.  Changes are built by hand
 * (tests/conflict/merge_fixture.h).
 */
#include "tests/conflict/merge_fixture.h"

static void test_merge_empty_record_then_create(void)
{
	struct merge_result res;
	struct merge_vid v;
	const json_t *value;

	reset("test_item");
	merge_record_free(NULL);
	r = rec_of(NULL, 0);
	CHECK(r && merge_is_empty(r) && !merge_deleted(r));
	CHECK(merge_winner(r, fid("title"), &v, &value) == ERR_NOTFOUND);
	CHECK(merge_winner(r, 0, &v, &value) == ERR_NOTFOUND && !nconflicts(r));
	CHECK(values_are(r, "{}"));
	/* a create: values without the deletion marker */
	cr = mk(100, A, "{'title':'a','count':1,'_deleted':false}");
	CHECK(cr);
	CHECK_OK(merge_apply(r, &cr->c, &res, NULL));
	CHECK(res.applied == 3 && res.known == 0 && res.rejected == 0 &&
	      res.reason[0] == '\0');
	CHECK(!merge_is_empty(r) && !merge_deleted(r));
	CHECK(values_are(r, "{'title':'a','count':1}"));
	CHECK(won(r, "_deleted", cr, "false"));
}

static void test_merge_fast_forward_replaces(void)
{
	struct merge_result res;

	reset("test_item");
	cr = mk(100, A, "{'title':'a','count':1}");
	r = REC(cr);
	e1 = at(r, 200, B, "{'title':'b'}", 0);
	CHECK(e1);
	CHECK_OK(merge_apply(r, &e1->c, &res, NULL));
	CHECK(res.applied == 1 && res.known == 0);
	CHECK(won(r, "title", e1, "'b'") && won(r, "count", cr, "1"));
	CHECK(st(r, "title", cr) == MERGE_SUPERSEDED && nconflicts(r) == 0);
	CHECK(st(r, "title", e1) == MERGE_WINNER && CONVERGES(r, cr, e1));
	/* causality, not the clock: having seen it, a lower HLC replaces */
	e2 = write_at(r, 150, C, "{'title':'c'}", 0);
	CHECK(won(r, "title", e2, "'c'") && nconflicts(r) == 0);
	CHECK(st(r, "title", e1) == MERGE_SUPERSEDED);
	CHECK(CONVERGES(r, cr, e1, e2));
}

static void test_merge_duplicate_changes_nothing(void)
{
	struct merge_result res;
	uint8_t before[MERGE_HASHBYTES], after[MERGE_HASHBYTES];

	reset("test_item");
	CHECK(concurrent(300, "{'title':'x','count':2}", 200, "{'title':'y'}"));
	merge_hash(x, before);
	CHECK_OK(merge_apply(x, &e1->c, &res, NULL));
	CHECK(res.applied == 0 && res.known == 2);
	CHECK_OK(merge_apply(x, &cr->c, &res, NULL));
	CHECK(res.applied == 0 && res.known == 4);
	merge_hash(x, after);
	CHECK(memcmp(before, after, sizeof(before)) == 0 && nconflicts(x) == 1);
}

static void test_merge_old_change_after_newer_changes_nothing(void)
{
	uint8_t before[MERGE_HASHBYTES], after[MERGE_HASHBYTES];

	reset("test_item");
	cr = mk(100, A, "{'title':'a','count':1}");
	r = REC(cr);
	e1 = write_at(r, 200, A, "{'title':'b','count':2}", 0);
	CHECK(e1);
	merge_hash(r, before);
	CHECK_OK(apply(r, cr));
	merge_hash(r, after);
	CHECK(memcmp(before, after, sizeof(before)) == 0);
	/* the old change arriving second, where it never was */
	x = REC(e1, cr);
	CHECK(same_hash(r, x) && won(x, "title", e1, "'b'"));
	CHECK(st(x, "count", cr) == MERGE_SUPERSEDED && nconflicts(x) == 0);
}

static void test_merge_different_fields_both_survive(void)
{
	reset("test_item");
	CHECK(concurrent(200, "{'title':'x'}", 210, "{'count':7}"));
	CHECK(won(x, "title", e1, "'x'") && won(x, "count", e2, "7"));
	CHECK(won(x, "cap", cr, "10") && nconflicts(x) == 0);
}

static void test_merge_same_field_higher_hlc_wins_loser_kept_open(void)
{
	struct merge_conflict k[2];

	reset("test_item");
	CHECK(concurrent(300, "{'title':'x'}", 200, "{'title':'y'}"));
	CHECK(won(x, "title", e1, "'x'"));
	CHECK(merge_conflicts(x, k, 2) == 1);
	CHECK(k[0].kind == MERGE_CONFLICT_FIELD && k[0].field == fid("title"));
	CHECK(vid_eq(k[0].winner, e1->c.v) && vid_eq(k[0].loser, e2->c.v));
	CHECK(value_is(k[0].loser_value, "'y'"));
	CHECK(st(x, "title", e1) == MERGE_WINNER);
	CHECK(st(x, "title", e2) == MERGE_OPEN);
	CHECK(st(x, "title", cr) == MERGE_SUPERSEDED);
	/* the hash sees the open conflict: same winners without the loser */
	y = REC(cr, e1);
	CHECK(y && won(y, "title", e1, "'x'") && !same_hash(x, y));
}

static void test_merge_same_field_tie_broken_by_node_id(void)
{
	struct merge_vid a = V(100, B), b = V(200, A), c = V(200, B);
	struct merge_conflict k[1];

	CHECK(merge_vid_cmp(&a, &b) < 0 && merge_vid_cmp(&b, &a) > 0);
	CHECK(merge_vid_cmp(&b, &c) < 0 && merge_vid_cmp(&c, &c) == 0);
	reset("test_item");
	CHECK(concurrent(300, "{'title':'x'}", 300, "{'title':'y'}"));
	CHECK(won(x, "title", e2, "'y'")); /* node B > node A */
	CHECK(merge_conflicts(x, k, 1) == 1);
	CHECK(vid_eq(k[0].loser, e1->c.v) && value_is(k[0].loser_value, "'x'"));
}

static void test_merge_equal_values_no_conflict(void)
{
	reset("test_item");
	CHECK(concurrent(300, "{'title':'same'}", 200, "{'title':'same'}"));
	CHECK(won(x, "title", e1, "'same'") && nconflicts(x) == 0);
	CHECK(st(x, "title", e2) == MERGE_SETTLED);
}

static void test_merge_delete_concurrent_with_edit_is_conflict(void)
{
	struct merge_conflict k[2];

	reset("test_item");
	CHECK(edit_and_delete());
	CHECK(merge_deleted(x) && merge_conflicts(x, k, 2) == 1);
	CHECK(k[0].kind == MERGE_CONFLICT_DELETE && k[0].field == fid("title"));
	CHECK(vid_eq(k[0].winner, e2->c.v) && vid_eq(k[0].loser, e1->c.v));
	CHECK(value_is(k[0].loser_value, "'x'"));
	CHECK(st(x, "_deleted", e2) == MERGE_WINNER);
	/* merge.h leaves open whether an edit in a delete conflict that is
	 * also its field's winner reads WINNER or OPEN: either keeps it */
	CHECK(st(x, "title", e1) == MERGE_OPEN ||
	      st(x, "title", e1) == MERGE_WINNER);
}

static void test_merge_delete_after_seen_edit_no_conflict(void)
{
	reset("test_item");
	cr = mk(100, A, "{'title':'a','count':1}");
	r = REC(cr);
	e1 = write_at(r, 200, A, "{'title':'x'}", 0);
	e2 = write_at(r, 300, B, "{'_deleted':true}", 0);
	CHECK(has_prev(e2, "title", e1) && merge_deleted(r));
	CHECK(nconflicts(r) == 0 && CONVERGES(r, cr, e1, e2));
}

static void test_merge_resolution_closes_conflict(void)
{
	reset("test_item");
	CHECK(concurrent(300, "{'title':'x'}", 200, "{'title':'y'}"));
	e3 = write_at(x, 400, C, "{'title':'y'}", 1); /* the loser's value */
	CHECK(e3 && nconflicts(x) == 0 && won(x, "title", e3, "'y'"));
	CHECK(st(x, "title", e1) == MERGE_SUPERSEDED);
	/* the resolution first: what it names is superseded on arrival */
	y = REC(e3, e2, cr, e1);
	CHECK(same_hash(x, y) && st(y, "title", e2) == MERGE_SUPERSEDED);
}

static void test_merge_concurrent_resolutions_converge(void)
{
	struct merge_conflict k[2];
	struct tch *rc, *rd, *rs;

	reset("test_item");
	CHECK(concurrent(300, "{'title':'x'}", 200, "{'title':'y'}"));
	rc = at(x, 400, C, "{'title':'x'}", 1);
	rd = at(x, 410, D, "{'title':'z'}", 1);
	rs = at(x, 420, B, "{'title':'x'}", 1);
	y = REC(cr, e1, e2, rc, rd);
	CHECK(y && rs && CONVERGES(y, cr, e1, e2, rc, rd));
	CHECK(won(y, "title", rd, "'z'") && merge_conflicts(y, k, 2) == 1);
	CHECK(vid_eq(k[0].winner, rd->c.v) && vid_eq(k[0].loser, rc->c.v));
	CHECK(st(y, "title", e1) == MERGE_SUPERSEDED &&
	      st(y, "title", e2) == MERGE_SUPERSEDED);
	/* two resolutions choosing the same value: nothing left to decide */
	y = REC(cr, e1, e2, rc, rs);
	CHECK(y && CONVERGES(y, cr, e1, e2, rc, rs));
	CHECK(nconflicts(y) == 0 && st(y, "title", rc) == MERGE_SETTLED);
}

static void test_merge_undelete_resolution_keeps_edits(void)
{
	reset("test_item");
	CHECK(edit_and_delete());
	e3 = write_at(x, 400, C, "{'_deleted':false}", 1);
	CHECK(e3 && !merge_deleted(x) && nconflicts(x) == 0);
	CHECK(won(x, "title", e1, "'x'") && won(x, "count", cr, "1"));
	CHECK(st(x, "_deleted", e2) == MERGE_SUPERSEDED);
	CHECK(CONVERGES(x, cr, e1, e2, e3));
}

static void test_merge_keep_delete_resolution_closes_conflict(void)
{
	struct merge_conflict m[4];
	enum merge_status s;

	reset("test_item");
	CHECK(edit_and_delete());
	e3 = write_at(x, 400, C, "{'_deleted':true}", 1);
	CHECK(has_prev(e3, "title", e1) && merge_deleted(x));
	CHECK(nconflicts(x) == 0);
	s = st(x, "title", e1); /* seen by the delete: in the history */
	CHECK(s != MERGE_UNKNOWN && s != MERGE_OPEN && s != MERGE_REJECTED);
	CHECK(CONVERGES(x, cr, e1, e2, e3));
	/* with a field conflict too: each candidate's delete conflict closes */
	reset("test_item");
	cr = mk(100, A, "{'title':'a'}");
	r = REC(cr);
	e1 = at(r, 300, A, "{'title':'x'}", 0);
	e2 = at(r, 310, B, "{'title':'y'}", 0);
	e3 = at(r, 200, C, "{'_deleted':true}", 0);
	CHECK(!apply(r, e1) && !apply(r, e2) && !apply(r, e3));
	/* two deletes; the field's own conflict waits for an undelete */
	CHECK(merge_conflicts(r, m, 4) == 2);
	CHECK(m[0].kind == MERGE_CONFLICT_DELETE &&
	      m[1].kind == MERGE_CONFLICT_DELETE);
	CHECK(write_at(r, 400, D, "{'_deleted':true}", 1));
	CHECK(merge_deleted(r) && nconflicts(r) == 0);
	CHECK(write_at(r, 500, A, "{'_deleted':false}", 1));
	CHECK(merge_conflicts(r, m, 4) == 1);
	CHECK(m[0].kind == MERGE_CONFLICT_FIELD && m[0].field == fid("title"));
	CHECK(merge_conflict_form(&m[0]) == MERGE_FORM_FIELD &&
	      merge_resolvable(r, fid("title")));
}

static void test_merge_monotonic_keeps_furthest(void)
{
	reset("test_item");
	CHECK(concurrent(200, "{'stage':'approved'}", 300,
			 "{'stage':'review'}"));
	CHECK(won(x, "stage", e1, "'approved'")); /* despite a lower HLC */
	CHECK(nconflicts(x) == 0 && st(x, "stage", e2) == MERGE_SETTLED);
}

static void test_merge_monotonic_explicit_back_transition(void)
{
	reset("test_item");
	cr = mk(100, A, "{'title':'a','stage':'approved'}");
	r = REC(cr);
	e1 = at(r, 150, B, "{'stage':'published'}", 0);
	e2 = write_at(r, 200, A, "{'stage':'review'}", 0);
	CHECK(e1 && won(r, "stage", e2, "'review'"));
	CHECK(st(r, "stage", cr) == MERGE_SUPERSEDED && nconflicts(r) == 0);
	/* a concurrent step forward still wins: the furthest state */
	CHECK_OK(apply(r, e1));
	CHECK(won(r, "stage", e1, "'published'"));
	CHECK(st(r, "stage", e2) == MERGE_SETTLED && nconflicts(r) == 0);
	CHECK(CONVERGES(r, cr, e1, e2));
}

static void test_merge_authority_field_rejected_from_node_with_reason(void)
{
	struct merge_result res;

	reset("test_item");
	cr = mk(100, A, "{'title':'a'}");
	r = REC(cr);
	e1 = write_at(r, 200, H, "{'approved_by':'ann'}", 0);
	CHECK(e1 && e1->c.from_hub);
	/* B saw the hub's value and tries to replace it */
	e2 = at(r, 300, B, "{'title':'b','approved_by':'bob'}", 0);
	CHECK(has_prev(e2, "approved_by", e1));
	CHECK_OK(merge_apply(r, &e2->c, &res, NULL));
	CHECK(res.applied == 1 && res.rejected == 1);
	CHECK(strstr(res.reason, "approved_by") != NULL);
	CHECK(st(r, "approved_by", e2) == MERGE_REJECTED &&
	      st(r, "title", e2) == MERGE_WINNER);
	CHECK(won(r, "approved_by", e1, "'ann'")); /* not superseded */
	CHECK(st(r, "approved_by", e1) == MERGE_WINNER && nconflicts(r) == 0);
	CHECK(values_are(r, "{'title':'b','approved_by':'ann'}"));
	/* a second delivery: still refused, still not applied */
	CHECK_OK(merge_apply(r, &e2->c, &res, NULL));
	CHECK(res.applied == 0 && st(r, "approved_by", e2) == MERGE_REJECTED);
	CHECK(won(r, "approved_by", e1, "'ann'") && CONVERGES(r, cr, e1, e2));
}

static void test_merge_authority_field_accepted_from_hub(void)
{
	struct merge_result res;

	reset("test_item");
	cr = mk(100, H, "{'title':'a','approved_by':'ann'}");
	r = rec_of(NULL, 0);
	CHECK(cr && r);
	CHECK_OK(merge_apply(r, &cr->c, &res, NULL));
	CHECK(res.applied == 2 && res.rejected == 0);
	CHECK(won(r, "approved_by", cr, "'ann'"));
	e1 = write_at(r, 200, H, "{'approved_by':'eve'}", 0);
	CHECK(won(r, "approved_by", e1, "'eve'"));
	CHECK(st(r, "approved_by", cr) == MERGE_SUPERSEDED);
}

/* cap 10, spent 5; then spent 8 by A and cap 6 by B, concurrently. */
static void test_merge_invariant_violation_is_rule_conflict(void)
{
	struct merge_conflict k[2];

	reset("test_item");
	CHECK(concurrent(200, "{'spent':8}", 210, "{'cap':6}"));
	CHECK(merge_conflicts(x, k, 2) == 1);
	CHECK(k[0].kind == MERGE_CONFLICT_RULE);
	CHECK(k[0].reason && strcmp(k[0].reason, "spent is above cap") == 0);
	/* nothing dropped: both writes are the current values */
	CHECK(won(x, "spent", e1, "8") && won(x, "cap", e2, "6"));
}

static void test_merge_invariant_fixed_closes_rule_conflict(void)
{
	uint8_t before[MERGE_HASHBYTES], after[MERGE_HASHBYTES];

	reset("test_item");
	CHECK(concurrent(200, "{'spent':8}", 210, "{'cap':6}"));
	merge_hash(x, before);
	e3 = write_at(x, 300, C, "{'spent':6}", 0);
	CHECK(e3 && nconflicts(x) == 0 && CONVERGES(x, cr, e1, e2, e3));
	CHECK(st(x, "spent", e1) == MERGE_SUPERSEDED);
	merge_hash(x, after);
	CHECK(memcmp(before, after, sizeof(before)) != 0);
}

static void test_merge_append_only_never_conflicts(void)
{
	struct merge_result res;

	reset("test_note");
	CHECK(coll && coll->kind == SCHEMA_APPEND_ONLY);
	/* two notes on one item, written offline at once: two records, each
	 * as written however often delivered */
	e1 = mk(200, A, "{'item':'6f1c1a40-4d2b-4c1e-9b7a-1b2c3d4e5f60',"
			"'text':'first'}");
	e2 = mk(200, B, "{'item':'6f1c1a40-4d2b-4c1e-9b7a-1b2c3d4e5f60',"
			"'text':'second'}");
	x = REC(e1, e1);
	y = REC(e2);
	CHECK(x && y);
	CHECK_OK(merge_apply(x, &e1->c, &res, NULL));
	CHECK(res.applied == 0 && res.known == 2);
	CHECK(nconflicts(x) == 0 && nconflicts(y) == 0);
	CHECK(st(x, "text", e1) == MERGE_WINNER &&
	      st(y, "text", e2) == MERGE_WINNER);
}

/* lexicographic next permutation of idx[0..n); 0 after the last */
static int next_perm(size_t *idx, size_t n)
{
	size_t i = n - 1, j = n - 1, t;

	while (i > 0 && idx[i - 1] > idx[i])
		i--;
	if (i == 0)
		return 0;
	while (idx[j] < idx[i - 1])
		j--;
	t = idx[i - 1], idx[i - 1] = idx[j], idx[j] = t;
	for (j = n - 1; i < j; i++, j--)
		t = idx[i], idx[i] = idx[j], idx[j] = t;
	return 1;
}

/* Six changes of every kind, applied in all 720 orders with repeats. */
static void test_merge_order_independent_hash(void)
{
	struct tch *ch[6];
	size_t idx[6] = { 0, 1, 2, 3, 4, 5 }, orders = 0;
	int same = 1;

	reset("test_item");
	ch[0] = mk(100, A, "{'title':'a','count':1,'stage':'draft','cap':9}");
	r = REC(ch[0]);
	ch[1] = at(r, 300, A, "{'title':'x','count':2}", 0);
	ch[2] = at(r, 200, B, "{'title':'y','stage':'review','spent':12}", 0);
	ch[3] = at(r, 250, C, "{'_deleted':true}", 0);
	ch[4] = at(r, 260, H, "{'approved_by':'h'}", 0);
	CHECK(!apply(r, ch[1]) && !apply(r, ch[2]));
	ch[5] = at(r, 400, D, "{'title':'z'}", 1);
	do {
		y = rec_of(NULL, 0);
		for (size_t i = 0; i < 6 + 2; i++) /* two repeated */
			CHECK_OK(apply(y, ch[idx[i % 6]]));
		same &= !x || same_hash(x, y);
		if (!x)
			x = y;
		else /* keep the pool small */
			merge_record_free(recs[--nrecs]);
		orders++;
	} while (next_perm(idx, 6));
	CHECK(same && orders == 720);
	/* deleted, conflicts: the delete vs each concurrent edit, the rule */
	CHECK(merge_deleted(x) && nconflicts(x) >= 2);
}

static void test_merge_status_of_each_write(void)
{
	struct merge_vid never = V(999, A);

	reset("test_item");
	CHECK(concurrent(300, "{'title':'x','color':'green'}", 200,
			 "{'title':'y','color':'green','approved_by':'bob'}"));
	CHECK(st(x, "title", e1) == MERGE_WINNER);
	CHECK(st(x, "title", cr) == MERGE_SUPERSEDED);
	CHECK(st(x, "title", e2) == MERGE_OPEN);
	CHECK(st(x, "color", e2) == MERGE_SETTLED);
	CHECK(st(x, "approved_by", e2) == MERGE_REJECTED);
	CHECK(merge_status_of(x, fid("title"), &never) == MERGE_UNKNOWN);
	CHECK(st(x, "count", e1) == MERGE_UNKNOWN); /* not written */
}

static void test_merge_prev_for_edit(void)
{
	reset("test_item");
	cr = mk(100, A, "{'title':'a','count':1}");
	r = REC(cr);
	e1 = at(r, 200, A, "{'title':'b','color':'red'}", 0);
	CHECK(e1 && e1->c.nprev == 1 && has_prev(e1, "title", cr));
	/* with a deletion marker: named as seen */
	cr = mk(100, A, "{'title':'a','count':1,'_deleted':false}");
	r = REC(cr);
	e1 = at(r, 200, A, "{'title':'b','count':2}", 0);
	CHECK(e1 && e1->c.nprev == 3);
	CHECK(has_prev(e1, "title", cr) && has_prev(e1, "count", cr) &&
	      has_prev(e1, "_deleted", cr));
}

static void test_merge_prev_for_resolve(void)
{
	reset("test_item");
	CHECK(concurrent(300, "{'title':'x'}", 200, "{'title':'y'}"));
	e3 = at(x, 400, C, "{'title':'z'}", 1);
	CHECK(e3 && e3->c.nprev == 2 && has_prev(e3, "title", e1) &&
	      has_prev(e3, "title", e2));
	/* and the deletion marker's winner */
	cr = mk(100, A, "{'title':'a','_deleted':false}");
	r = REC(cr);
	e3 = at(r, 200, A, "{'title':'z'}", 1);
	CHECK(e3 && e3->c.nprev == 2 && has_prev(e3, "_deleted", cr));
}

static void test_merge_prev_for_delete(void)
{
	struct tch *d;

	reset("test_item");
	cr = mk(100, A, "{'title':'a','count':1,'_deleted':false}");
	r = REC(cr);
	e1 = write_at(r, 200, A, "{'title':'b'}", 0);
	e2 = at(r, 300, A, "{'_deleted':true}", 0);
	e3 = at(r, 310, B, "{'_deleted':false}", 0);
	CHECK(!apply(r, e2) && !apply(r, e3)); /* two frontier markers */
	d = at(r, 400, C, "{'_deleted':true}", 0);
	CHECK(d && d->c.nprev == 4);
	CHECK(has_prev(d, "title", e1) && has_prev(d, "count", cr));
	CHECK(has_prev(d, "_deleted", e2) && has_prev(d, "_deleted", e3));
}

static void test_merge_rejects_unknown_field(void)
{
	static const char *const bad[] = {
		"{'title':'a','nope':1}", "{'count':'x'}",
		"{'title':'a','color':'purple'}", "{'_deleted':'yes'}",
		"{'_other':true}",
	};
	uint8_t before[MERGE_HASHBYTES], after[MERGE_HASHBYTES];
	struct err e;

	reset("test_item");
	r = rec_of(NULL, 0);
	CHECK(r);
	merge_hash(r, before);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		e1 = mk(100 + i, A, bad[i]);
		err_init(&e);
		CHECK(e1 && merge_apply(r, &e1->c, NULL, &e) == ERR_INVALID);
		CHECK(e.code == ERR_INVALID && e.msg[0]);
		CHECK(st(r, "title", e1) == MERGE_UNKNOWN);
	}
	merge_hash(r, after);
	CHECK(merge_is_empty(r) && !memcmp(before, after, sizeof(before)));
}

static void test_merge_conflicts_canonical_order_and_max(void)
{
	struct merge_conflict k[3];

	reset("test_item");
	CHECK(concurrent(300, "{'color':'blue','title':'x','spent':12}", 200,
			 "{'color':'green','title':'y'}"));
	memset(k, 0, sizeof(k));
	CHECK(merge_conflicts(x, k, 1) == 3 && k[1].kind == 0); /* max */
	CHECK(merge_conflicts(x, k, 3) == 3);
	CHECK(k[0].kind == MERGE_CONFLICT_FIELD && k[0].field == fid("title"));
	CHECK(k[1].kind == MERGE_CONFLICT_FIELD && k[1].field == fid("color"));
	CHECK(k[2].kind == MERGE_CONFLICT_RULE);
}

TEST_MAIN(T(test_merge_empty_record_then_create),
	  T(test_merge_fast_forward_replaces),
	  T(test_merge_duplicate_changes_nothing),
	  T(test_merge_old_change_after_newer_changes_nothing),
	  T(test_merge_different_fields_both_survive),
	  T(test_merge_same_field_higher_hlc_wins_loser_kept_open),
	  T(test_merge_same_field_tie_broken_by_node_id),
	  T(test_merge_equal_values_no_conflict),
	  T(test_merge_delete_concurrent_with_edit_is_conflict),
	  T(test_merge_delete_after_seen_edit_no_conflict),
	  T(test_merge_resolution_closes_conflict),
	  T(test_merge_concurrent_resolutions_converge),
	  T(test_merge_undelete_resolution_keeps_edits),
	  T(test_merge_keep_delete_resolution_closes_conflict),
	  T(test_merge_monotonic_keeps_furthest),
	  T(test_merge_monotonic_explicit_back_transition),
	  T(test_merge_authority_field_rejected_from_node_with_reason),
	  T(test_merge_authority_field_accepted_from_hub),
	  T(test_merge_invariant_violation_is_rule_conflict),
	  T(test_merge_invariant_fixed_closes_rule_conflict),
	  T(test_merge_append_only_never_conflicts),
	  T(test_merge_order_independent_hash),
	  T(test_merge_status_of_each_write), T(test_merge_prev_for_edit),
	  T(test_merge_prev_for_resolve), T(test_merge_prev_for_delete),
	  T(test_merge_rejects_unknown_field),
	  T(test_merge_conflicts_canonical_order_and_max))
