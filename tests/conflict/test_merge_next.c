/*
 * test_merge_next.c - the merge of a build one schema version behind
 * (conflict/merge.h, "Fields and values of the next schema version"),
 * against the merge of the next version's declarations
 * (tests/schema/next.h) in the same process: a field the older build does
 * not declare is kept, merged by version and never a conflict there; a
 * MONOTONIC value it does not declare ranks above the declared ones, and
 * replicas of both versions settle on the same values whatever the order;
 * what cannot be kept is refused; local writes stay strict.
 */
#include "conflict/merge.h"
#include "tests/schema/next.h"
#include "tests/test.h"

#include <string.h>

static struct id A, B, HUB;

static json_t *js(const char *text)
{
	char buf[512];
	size_t i;

	/* Single quotes for readability. */
	for (i = 0; text[i] && i + 1 < sizeof(buf); i++)
		buf[i] = text[i] == '\'' ? '"' : text[i];
	buf[i] = '\0';
	return json_loads(buf, 0, NULL);
}

struct chg {
	struct merge_change c;
	json_t *values;
	struct merge_prev prev[4];
};

static struct chg *mk(struct chg *x, uint64_t hlc, const struct id *node,
		      const char *values)
{
	memset(x, 0, sizeof(*x));
	x->values = js(values);
	x->c.v.hlc = hlc;
	x->c.v.node = *node;
	x->c.from_hub = node == &HUB;
	x->c.values = x->values;
	x->c.prev = x->prev;
	x->c.newer_schema = 1; /* the hub runs the next version */
	return x;
}

/* x supersedes (field, y's version). */
static void names(struct chg *x, uint16_t field, const struct chg *y)
{
	x->prev[x->c.nprev].field = field;
	x->prev[x->c.nprev].v = y->c.v;
	x->c.nprev++;
}

static void drop(struct chg *x, size_t n)
{
	for (size_t i = 0; i < n; i++)
		json_decref(x[i].values);
}

/* Apply x[order[i]] in turn to a new record of c. */
static struct merge_record *replay(const struct schema_collection *c,
				   struct chg *x, const int *order, size_t n)
{
	struct merge_record *r = NULL;

	if (merge_record_new(&r, c))
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (merge_apply(r, &x[order[i]].c, NULL, NULL)) {
			merge_record_free(r);
			return NULL;
		}
	return r;
}

static int same_values(const struct merge_record *a,
		       const struct merge_record *b)
{
	json_t *va = merge_values(a), *vb = merge_values(b);
	int eq = va && vb && json_equal(va, vb);

	json_decref(va);
	json_decref(vb);
	return eq;
}

static const char *value_of(const struct merge_record *r, const char *name)
{
	json_t *v = merge_values(r);
	static char out[128];
	const char *s = json_string_value(json_object_get(v, name));

	snprintf(out, sizeof(out), "%s", s ? s : "(none)");
	json_decref(v);
	return out;
}

static void setup(void)
{
	memset(&A, 0, sizeof(A));
	memset(&B, 0, sizeof(B));
	memset(&HUB, 0, sizeof(HUB));
	A.b[0] = 1;
	B.b[0] = 2;
	HUB.b[0] = 3;
}

/* A field of the next version: kept, merged by version, no conflict here
 * (the next version's replica lists the concurrent writes as one). */
static void test_unknown_field_kept_and_merged(void)
{
	const struct schema_collection *old = schema_collection("person");
	const struct schema_collection *nxt = test_next_collection("person");
	const struct schema_field *nf = schema_field(nxt, "next_note");
	struct merge_record *ro[2] = { NULL, NULL }, *rn = NULL;
	static const int orders[2][4] = { { 0, 1, 2, 3 }, { 2, 1, 0, 3 } };
	static const int last_first[4] = { 3, 2, 1, 0 };
	struct chg x[4];
	int id;

	setup();
	CHECK(old && nxt && nf && !schema_field(old, "next_note"));
	if (!old || !nxt || !nf)
		return;
	mk(&x[0], 100, &HUB, "{'given_name':'A','family_name':'B',"
			     "'next_note':'one'}");
	/* Two concurrent edits of it, then one that settles both (it names
	 * the field by the id the next version gives it). */
	mk(&x[1], 200, &A, "{'next_note':'two'}");
	names(&x[1], nf->id, &x[0]);
	mk(&x[2], 210, &HUB, "{'next_note':'three'}");
	names(&x[2], nf->id, &x[0]);
	for (int i = 0; i < 2; i++) {
		ro[i] = replay(old, x, orders[i], 3);
		CHECK(ro[i] != NULL);
	}
	rn = replay(nxt, x, orders[0], 3);
	CHECK(rn && ro[0] && ro[1]);
	if (!rn || !ro[0] || !ro[1])
		goto out;
	id = merge_field_id(ro[0], "next_note");
	CHECK(id >= MERGE_UNKNOWN_FIRST);
	CHECK(id == merge_field_id(ro[1], "next_note"));
	CHECK(merge_field_id(rn, "next_note") == nf->id);
	CHECK(merge_field_id(ro[0], "nothing_here") == -1);
	CHECK(!strcmp(value_of(ro[0], "next_note"), "three"));
	CHECK(same_values(ro[0], ro[1]) && same_values(ro[0], rn));
	CHECK(merge_conflicts(ro[0], NULL, 0) == 0);
	CHECK(merge_conflicts(rn, NULL, 0) == 1);
	/* Settled on the newer replica: both agree, nothing open. */
	mk(&x[3], 300, &HUB, "{'next_note':'two'}");
	names(&x[3], nf->id, &x[1]);
	names(&x[3], nf->id, &x[2]);
	CHECK_OK(merge_apply(ro[0], &x[3].c, NULL, NULL));
	CHECK_OK(merge_apply(rn, &x[3].c, NULL, NULL));
	merge_record_free(ro[1]);
	ro[1] = replay(old, x, last_first, 4);
	CHECK(ro[1] && same_values(ro[0], ro[1]) && same_values(ro[0], rn));
	CHECK(!strcmp(value_of(rn, "next_note"), "two"));
	CHECK(merge_conflicts(rn, NULL, 0) == 0);
out:
	merge_record_free(ro[0]);
	merge_record_free(ro[1]);
	merge_record_free(rn);
	drop(x, 4);
}

/* A MONOTONIC value of the next version ranks above every declared one,
 * on both replicas, whatever the order. */
static void test_unknown_stage_ranks_above(void)
{
	const struct schema_collection *old = schema_collection("case");
	const struct schema_collection *nxt = test_next_collection("case");
	static const int orders[2][3] = { { 0, 1, 2 }, { 2, 1, 0 } };
	struct merge_record *r[4] = { NULL, NULL, NULL, NULL };
	const struct schema_field *stage;
	struct chg x[3];

	setup();
	CHECK(old && nxt);
	if (!old || !nxt)
		return;
	stage = schema_field(old, "stage");
	mk(&x[0], 100, &A, "{'person_id':'00000000000000000000000000000001',"
			   "'region':'Puglia','stage':'intake'}");
	/* Offline: a node closes it, the hub archives it (a newer value, and
	 * an older version than the node's close). */
	mk(&x[1], 300, &A, "{'stage':'closed'}");
	names(&x[1], stage->id, &x[0]);
	mk(&x[2], 200, &HUB, "{'stage':'next_archived'}");
	names(&x[2], stage->id, &x[0]);
	for (int i = 0; i < 4; i++) {
		r[i] = replay(i < 2 ? old : nxt, x, orders[i % 2], 3);
		CHECK(r[i] != NULL);
	}
	for (int i = 0; i < 4; i++)
		CHECK(r[i] && !strcmp(value_of(r[i], "stage"),
				      "next_archived"));
	for (int i = 0; i < 2; i++)
		CHECK(r[i] && merge_conflicts(r[i], NULL, 0) == 0);
	for (int i = 0; i < 4; i++)
		merge_record_free(r[i]);
	drop(x, 3);
}

/* Two values the older build does not know: by their text there. */
static void test_two_unknown_values_by_text(void)
{
	const struct schema_collection *old = schema_collection("case");
	struct merge_record *r = NULL;
	static const int order[3] = { 0, 2, 1 };
	struct chg x[3];

	setup();
	mk(&x[0], 100, &A, "{'person_id':'00000000000000000000000000000001',"
			   "'region':'Puglia','stage':'intake'}");
	mk(&x[1], 300, &HUB, "{'stage':'aaa_new'}");
	mk(&x[2], 200, &HUB, "{'stage':'zzz_new'}");
	r = replay(old, x, order, 3);
	CHECK(r && !strcmp(value_of(r, "stage"), "zzz_new"));
	merge_record_free(r);
	drop(x, 3);
}

/* What cannot be kept is refused; local writes stay strict. */
static void test_bounds_and_strict_local(void)
{
	const struct schema_collection *old = schema_collection("person");
	const struct schema_collection *svc = schema_collection("service");
	struct merge_record *r = NULL;
	struct chg x[4];
	json_t *f;

	setup();
	CHECK_OK(merge_record_new(&r, old));
	mk(&x[0], 100, &HUB, "{'given_name':'A','family_name':'B',"
			     "'next_x':{'a':1}}");
	mk(&x[1], 100, &HUB, "{'given_name':'A','family_name':'B',"
			     "'_next':1}");
	mk(&x[2], 100, &HUB, "{'given_name':'A','family_name':'B',"
			     "'next_list':[[1]]}");
	mk(&x[3], 100, &HUB, "{'given_name':'A','family_name':'B',"
			     "'next_list':['a',1,true],'next_n':2.5}");
	for (int i = 0; i < 3; i++)
		CHECK(merge_apply(r, &x[i].c, NULL, NULL) == ERR_INVALID);
	CHECK(merge_is_empty(r));
	/* Not said to come from a newer version: refused as before. */
	x[3].c.newer_schema = 0;
	CHECK(merge_apply(r, &x[3].c, NULL, NULL) == ERR_INVALID);
	x[3].c.newer_schema = 1;
	CHECK_OK(merge_apply(r, &x[3].c, NULL, NULL));
	/* A declared field keeps its type. */
	f = js("{'household_size':'many','next_a':1}");
	CHECK(schema_validate_received(old, f, 0, NULL) == ERR_INVALID);
	json_decref(f);
	/* The operator types only what this build declares. */
	f = js("{'next_note':'x'}");
	CHECK(schema_validate(old, f, 0, NULL) == ERR_INVALID);
	CHECK_OK(schema_validate_received(old, f, 0, NULL));
	json_decref(f);
	f = js("{'service_type':'next_service'}");
	CHECK(schema_validate(svc, f, 0, NULL) == ERR_INVALID);
	CHECK_OK(schema_validate_received(svc, f, 0, NULL));
	CHECK_OK(schema_validate(test_next_collection("service"), f, 0,
				 NULL));
	json_decref(f);
	merge_record_free(r);
	drop(x, 4);
}

TEST_MAIN(T(test_unknown_field_kept_and_merged),
	  T(test_unknown_stage_ranks_above), T(test_two_unknown_values_by_text),
	  T(test_bounds_and_strict_local))
