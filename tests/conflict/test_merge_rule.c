/*
 * test_merge_rule.c - rule conflicts of procedure fields (merge_rule.c) on
 * test_case, whose stage declares its steps: open -> review -> done,
 * review -> open (sent back), cancelled by the hub; merged forward.
 */
#include "tests/conflict/merge_fixture.h"
#include "tests/schema/collections.h"

/* The rule conflicts of rec (at most 8) into out; their number. */
static size_t rules(const struct merge_record *rec, struct merge_conflict *out)
{
	struct merge_conflict all[16];
	size_t n = merge_conflicts(rec, all, 16), k = 0;

	for (size_t i = 0; i < n && i < 16; i++)
		if (all[i].kind == MERGE_CONFLICT_RULE && k < 8)
			out[k++] = all[i];
	return k;
}

static void test_declared_steps_leave_no_conflict(void)
{
	struct merge_conflict m[8];
	struct tch *a;

	reset("test_case");
	cr = mk(10, A, "{'title':'t','stage':'open'}");
	r = REC(cr);
	CHECK(r != NULL);
	a = write_at(r, 20, A, "{'stage':'review'}", 0);
	CHECK(a != NULL);
	CHECK(write_at(r, 30, A, "{'stage':'done'}", 0) != NULL);
	CHECK(rules(r, m) == 0);
	CHECK(merge_conflicts(r, NULL, 0) == 0);
}

static void test_undeclared_step_is_rule_conflict(void)
{
	struct merge_conflict m[8];

	reset("test_case");
	cr = mk(10, A, "{'title':'t','stage':'open'}");
	r = REC(cr);
	/* A node skipped review: received, kept, and flagged. */
	e1 = at(r, 20, B, "{'stage':'done'}", 0);
	CHECK(apply(r, e1) == 0);
	CHECK(rules(r, m) == 1);
	CHECK(m[0].field == fid("stage"));
	CHECK(strcmp(m[0].reason, MERGE_RULE_STEP) == 0);
	CHECK(m[0].from && strcmp(m[0].from, "open") == 0);
	CHECK(m[0].to && strcmp(m[0].to, "done") == 0);
	CHECK(merge_conflict_form(&m[0]) == MERGE_FORM_RULE);
	/* The value stands: nothing is dropped. */
	CHECK(st(r, "stage", e1) == MERGE_WINNER);
	CHECK(CONVERGES(r, cr, e1));
}

static void test_create_must_start_declared(void)
{
	struct merge_conflict m[8];

	reset("test_case");
	cr = mk(10, A, "{'title':'t','stage':'review'}");
	r = REC(cr);
	CHECK(rules(r, m) == 1);
	CHECK(m[0].from == NULL && strcmp(m[0].to, "review") == 0);
}

/*
 * Two nodes moved the stage differently offline: A finished the review,
 * B sent it back.  Forward merge keeps "done"; B's replica showed "open",
 * and open -> done is no declared step: a rule conflict, on every
 * replica, until a person settles the stage.
 */
static void test_concurrent_steps_are_rule_conflict(void)
{
	struct merge_conflict m[8];
	struct merge_record *other;
	struct tch *rv, *fix;

	reset("test_case");
	cr = mk(10, A, "{'title':'t','stage':'open'}");
	r = REC(cr);
	rv = write_at(r, 20, A, "{'stage':'review'}", 0);
	other = REC(cr, rv);
	CHECK(rv != NULL && other != NULL);
	e1 = write_at(r, 30, A, "{'stage':'done'}", 0);
	e2 = write_at(other, 31, B, "{'stage':'open'}", 0);
	CHECK(e1 && e2);
	CHECK(apply(r, e2) == 0);
	CHECK(apply(other, e1) == 0);
	CHECK(rules(r, m) == 1);
	CHECK(strcmp(m[0].reason, MERGE_RULE_MOVES) == 0);
	CHECK(strcmp(m[0].from, "open") == 0 && strcmp(m[0].to, "done") == 0);
	CHECK(same_hash(r, other));
	CHECK(CONVERGES(r, cr, rv, e1, e2));
	/* Both steps are kept; the furthest is in force. */
	CHECK(st(r, "stage", e1) == MERGE_WINNER);
	CHECK(st(r, "stage", e2) == MERGE_SETTLED);
	{
		const json_t *cand[4];

		CHECK(merge_frontier(r, fid("stage"), cand, 4) == 2);
		CHECK(strcmp(json_string_value(cand[0]), "done") == 0);
	}
	/* A resolution settling both closes it everywhere. */
	fix = write_at(r, 40, C, "{'stage':'review'}", 1);
	CHECK(fix != NULL);
	CHECK(rules(r, m) == 0);
	CHECK(apply(other, fix) == 0);
	CHECK(rules(other, m) == 0);
	CHECK(same_hash(r, other));
}

/* A step whose origin has not arrived is judged when it does, so the
 * result does not depend on the order changes come in. */
static void test_step_judged_when_origin_arrives(void)
{
	struct merge_conflict m[8];
	struct merge_record *late;

	reset("test_case");
	cr = mk(10, A, "{'title':'t','stage':'open'}");
	r = REC(cr);
	e1 = write_at(r, 20, B, "{'stage':'done'}", 0);
	CHECK(e1 != NULL);
	late = REC(e1);
	CHECK(late != NULL);
	CHECK(rules(late, m) == 0);
	CHECK(apply(late, cr) == 0);
	CHECK(rules(late, m) == 1);
	CHECK(same_hash(r, late));
}

/* ---- more distinct steps than any bounded table ---- */

#define MANY_VALUES 20
#define MANY_WRITES (2 * MANY_VALUES)

static const char *const many_values[MANY_VALUES + 1] = {
	"s00", "s01", "s02", "s03", "s04", "s05", "s06", "s07", "s08", "s09",
	"s10", "s11", "s12", "s13", "s14", "s15", "s16", "s17", "s18", "s19",
	NULL
};
static const char *const many_labels[MANY_VALUES + 1] = {
	"S00", "S01", "S02", "S03", "S04", "S05", "S06", "S07", "S08", "S09",
	"S10", "S11", "S12", "S13", "S14", "S15", "S16", "S17", "S18", "S19",
	NULL
};
static const struct schema_transition many_steps[] = {
	{ .from = NULL, .to = "s00" },
};
static const struct schema_field many_fields[] = {
	{ .name = "stage", .id = 1, .type = SCHEMA_ENUM,
	  .merge = SCHEMA_MERGE_MONOTONIC, .values = many_values,
	  .value_labels = many_labels, .label = "Fase", .help = "La fase.",
	  .transitions = many_steps, .ntransitions = 1,
	  .doc = "twenty stages, one declared step" },
};
static const struct schema_collection many_colls[] = {
	{ .name = "test_many_steps", .id = 9, .kind = SCHEMA_RECORDS,
	  .fields = many_fields, .nfields = 1,
	  .doc = "tests only: more distinct steps than 32",
	  .label = "Molti passaggi", .help = "Solo per i test." },
};
static const struct schema_set many_set = { many_colls, 1 };

static int text_cmp(const char *a, const char *b)
{
	if (!a || !b)
		return a == b ? 0 : (a ? 1 : -1);
	return strcmp(a, b);
}

/* Order of two rule conflicts by reason, from, to. */
static int step_order(const struct merge_conflict *a,
		      const struct merge_conflict *b)
{
	int c = text_cmp(a->reason, b->reason);

	if (!c)
		c = text_cmp(a->from, b->from);
	return c ? c : text_cmp(a->to, b->to);
}

/* The rule conflicts of a record holding the writes in the order given
 * by perm, into out (room for max); their number, 0 on error. */
static size_t many_conflicts(const size_t *perm, json_t *const *values,
			     struct merge_conflict *out, size_t max,
			     uint8_t hash[MERGE_HASHBYTES])
{
	struct merge_record *rec = NULL;
	size_t n = 0;

	if (merge_record_new(&rec, schema_collection("test_many_steps")))
		return 0;
	for (size_t i = 0; i < MANY_WRITES; i++) {
		struct merge_change c;

		memset(&c, 0, sizeof(c));
		/* Each value twice, by two nodes, none seeing another. */
		c.v = V(100 + perm[i], (uint8_t)(1 + perm[i] % 2));
		c.values = values[perm[i]];
		if (merge_apply(rec, &c, NULL, NULL))
			goto out;
	}
	n = merge_conflicts(rec, out, max);
	merge_hash(rec, hash);
out:
	merge_record_free(rec);
	return n;
}

/*
 * Forty concurrent writes of twenty stages, one declared step: 19
 * undeclared steps from no value, 19 moves to the furthest, each twice.
 * Listed once each, the same whatever order the writes are stored in.
 */
static void test_many_distinct_steps_same_in_any_order(void)
{
	const struct schema_set sets[3] = { schema_product, test_schema_set,
					    many_set };
	struct merge_conflict fwd[64], back[64];
	uint8_t hf[MERGE_HASHBYTES], hb[MERGE_HASHBYTES];
	json_t *values[MANY_WRITES];
	size_t pf[MANY_WRITES], pb[MANY_WRITES], nf, nb;

	CHECK_OK(schema_register(sets, 3, NULL));
	for (size_t i = 0; i < MANY_WRITES; i++) {
		values[i] = json_pack("{ss}", "stage",
				      many_values[i % MANY_VALUES]);
		pf[i] = i;
		pb[i] = (i * 17 + 5) % MANY_WRITES; /* 17 prime to 40 */
	}
	nf = many_conflicts(pf, values, fwd, 64, hf);
	nb = many_conflicts(pb, values, back, 64, hb);
	CHECK(nf == 2 * (MANY_VALUES - 1));
	CHECK(nb == nf);
	CHECK(memcmp(hf, hb, sizeof(hf)) == 0);
	for (size_t i = 0; i < nf && i < 64; i++) {
		CHECK(fwd[i].kind == MERGE_CONFLICT_RULE);
		CHECK(step_order(&fwd[i], &back[i]) == 0);
		CHECK(i == 0 || step_order(&fwd[i - 1], &fwd[i]) < 0);
	}
	for (size_t i = 0; i < MANY_WRITES; i++)
		json_decref(values[i]);
}

TEST_MAIN(T(test_declared_steps_leave_no_conflict),
	  T(test_undeclared_step_is_rule_conflict),
	  T(test_create_must_start_declared),
	  T(test_concurrent_steps_are_rule_conflict),
	  T(test_step_judged_when_origin_arrives),
	  T(test_many_distinct_steps_same_in_any_order))
