/*
 * test_view_conflict.c - open conflicts as reviewed
 * (view/view_conflict.h): three nodes edit one field offline, so the node
 * receiving both others' edits lists one group of three candidates,
 * numbered 1 (current), 2, 3, with the command that settles it, as JSON
 * with who and where; --pick N finds the candidate the listing numbered;
 * a delete against an edit is a group of its own; a record that does not
 * exist is not found.
 */
#include "tests/view/view_fixture.h"
#include "view/view_conflict.h"

struct listed {
	int n;
	int first[8];
	uint64_t pick[8];
	enum merge_conflict_kind kind[8];
	char settle[8][VIEW_SETTLE_MAX];
	json_t *json[8];
};

static int list_one(void *ctx, const struct view_conflict *vc)
{
	struct listed *l = ctx;

	if (l->n >= 8)
		return ERR_FAIL;
	l->first[l->n] = vc->first;
	l->pick[l->n] = vc->pick;
	l->kind[l->n] = vc->c->kind;
	snprintf(l->settle[l->n], VIEW_SETTLE_MAX, "%s", vc->settle);
	l->json[l->n] = view_conflict_json(vc);
	l->n++;
	return 0;
}

static void listed_release(struct listed *l)
{
	for (int i = 0; i < l->n; i++)
		json_decref(l->json[i]);
	memset(l, 0, sizeof(*l));
}

/* a, b and c set count of one record to 4, 2 and 3 while apart; a then
 * receives the others.  The record id in *id. */
static struct store *three_way(struct store **b, struct store **c,
			       struct id *id)
{
	struct store *a = fixture_node("polo", STORE_ROLE_NODE, "op.a");
	struct store_put_result r;

	*b = fixture_node("pda", STORE_ROLE_NODE, "op.b");
	*c = fixture_node("polo2", STORE_ROLE_NODE, "op.c");
	if (!a || !*b || !*c ||
	    put_json(a, "test_item", NULL, "{\"title\":\"t\",\"count\":1}",
		     &r) ||
	    ship(a, *b) != 1 || ship(a, *c) != 1 ||
	    put_json(a, "test_item", &r.id, "{\"count\":4}", NULL) ||
	    put_json(*b, "test_item", &r.id, "{\"count\":2}", NULL) ||
	    put_json(*c, "test_item", &r.id, "{\"count\":3}", NULL) ||
	    ship(*b, a) != 1 || ship(*c, a) != 1)
		return NULL;
	*id = r.id;
	return a;
}

static void test_view_conflicts_group_numbered_with_settle(void)
{
	struct store *a, *b = NULL, *c = NULL;
	char rec[ID_TEXT_LEN + 1], want[VIEW_SETTLE_MAX];
	struct listed l;
	json_int_t seen = 0;
	struct id id;
	struct err e;

	memset(&l, 0, sizeof(l));
	err_init(&e);
	a = three_way(&b, &c, &id);
	CHECK(a);
	CHECK_OK(view_conflicts(a, &id, list_one, &l, &e));
	CHECK(l.n == 2);
	CHECK(l.first[0] == 1 && l.first[1] == 0);
	CHECK(l.pick[0] == 2 && l.pick[1] == 3);
	id_format(&id, rec);
	snprintf(want, sizeof(want), "presidio resolve %s count --pick N",
		 rec);
	CHECK(!strcmp(l.settle[0], want) && !strcmp(l.settle[1], want));
	/* The JSON of one entry. */
	CHECK(l.json[0] && l.json[1]);
	CHECK(!strcmp(jstr_of(l.json[0], "record"), rec));
	CHECK(!strcmp(jstr_of(l.json[0], "collection"), "test_item"));
	CHECK(!strcmp(jstr_of(l.json[0], "kind"), "field"));
	CHECK(!strcmp(jstr_of(l.json[0], "field"), "count"));
	CHECK(json_is_null(json_object_get(l.json[0], "reason")));
	CHECK(jint(l.json[0], "pick") == 2 && jint(l.json[1], "pick") == 3);
	CHECK(!strcmp(jstr_of(l.json[0], "settle"), want));
	/* The highest version is current; every value is someone's. */
	for (int i = 0; i < 2; i++) {
		const json_t *cur = json_object_get(l.json[i], "current");
		const json_t *oth = json_object_get(l.json[i], "other");

		CHECK(jint(cur, "hlc") > jint(oth, "hlc") ||
		      (jint(cur, "hlc") == jint(oth, "hlc")));
		CHECK(strlen(jstr_of(oth, "node")) == ID_TEXT_LEN);
		CHECK(strlen(jstr_of(oth, "time")) > 10);
		CHECK(!strcmp(jstr_of(oth, "operator"), "op.b") ||
		      !strcmp(jstr_of(oth, "operator"), "op.c") ||
		      !strcmp(jstr_of(oth, "operator"), "op.a"));
		seen += jint(oth, "value");
		if (i == 0)
			seen += jint(cur, "value");
	}
	CHECK(seen == 2 + 3 + 4);
	listed_release(&l);
	store_close(a);
	store_close(b);
	store_close(c);
}

/* --pick N is the candidate the listing numbered N. */
static void test_view_conflict_pick_follows_numbering(void)
{
	struct store *a, *b = NULL, *c = NULL;
	json_t *v = NULL;
	struct listed l;
	struct id id;
	struct err e;

	memset(&l, 0, sizeof(l));
	err_init(&e);
	a = three_way(&b, &c, &id);
	CHECK(a);
	CHECK_OK(view_conflicts(a, &id, list_one, &l, &e));
	CHECK(l.n == 2);
	CHECK_OK(view_conflict_pick(a, &id, "count", 1, &v, &e));
	CHECK(json_equal(v, json_object_get(json_object_get(l.json[0],
							    "current"),
					    "value")));
	json_decref(v);
	CHECK_OK(view_conflict_pick(a, &id, "count", 2, &v, &e));
	CHECK(json_equal(v, json_object_get(json_object_get(l.json[0],
							    "other"),
					    "value")));
	json_decref(v);
	CHECK_OK(view_conflict_pick(a, &id, "count", 3, &v, &e));
	CHECK(json_equal(v, json_object_get(json_object_get(l.json[1],
							    "other"),
					    "value")));
	json_decref(v);
	v = NULL;
	CHECK(view_conflict_pick(a, &id, "count", 4, &v, &e) == ERR_INVALID);
	CHECK(!v && strstr(e.msg, "has 3 candidates: pick 1 to 3"));
	CHECK(view_conflict_pick(a, &id, "count", 0, &v, &e) == ERR_INVALID);
	CHECK(strstr(e.msg, "numbered from 1"));
	CHECK(view_conflict_pick(a, &id, "title", 1, &v, &e) == ERR_INVALID);
	CHECK(strstr(e.msg, "no open conflict on field title"));
	listed_release(&l);
	store_close(a);
	store_close(b);
	store_close(c);
}

/* A delete against an edit: its own kind, no number, settled by
 * keep-deleted or undelete. */
static void test_view_conflicts_delete_against_edit(void)
{
	struct store *a = fixture_node("polo", STORE_ROLE_NODE, "op.a");
	struct store *b = fixture_node("pda", STORE_ROLE_NODE, "op.b");
	char rec[ID_TEXT_LEN + 1], want[VIEW_SETTLE_MAX];
	struct store_put_result r;
	struct listed l;
	struct err e;

	memset(&l, 0, sizeof(l));
	err_init(&e);
	CHECK(a && b);
	CHECK_OK(put_json(a, "test_item", NULL, "{\"title\":\"t\"}", &r));
	CHECK(ship(a, b) == 1);
	CHECK_OK(store_delete(a, &r.id, NULL));
	CHECK_OK(put_json(b, "test_item", &r.id, "{\"title\":\"u\"}", NULL));
	CHECK(ship(b, a) == 1);
	CHECK_OK(view_conflicts(a, NULL, list_one, &l, &e));
	CHECK(l.n == 1 && l.kind[0] == MERGE_CONFLICT_DELETE);
	CHECK(l.first[0] == 1 && l.pick[0] == 0);
	id_format(&r.id, rec);
	snprintf(want, sizeof(want),
		 "presidio resolve %s --keep-deleted | --undelete", rec);
	CHECK(!strcmp(l.settle[0], want));
	CHECK(!strcmp(jstr_of(l.json[0], "kind"), "delete"));
	CHECK(json_is_null(json_object_get(l.json[0], "pick")));
	/* The edit that would be lost, with its value and author. */
	CHECK(!strcmp(jstr_of(l.json[0], "field"), "title"));
	CHECK(!strcmp(jstr_of(json_object_get(l.json[0], "other"), "operator"),
		      "op.b"));
	CHECK(!strcmp(json_string_value(json_object_get(
			      json_object_get(l.json[0], "other"), "value")),
		      "u"));
	listed_release(&l);
	store_close(a);
	store_close(b);
}

/* A budget passed by two offline nodes' entries: no resolution settles
 * a sum, so the hint names what does (a reversal, a higher cap). */
static void test_view_conflicts_cap_settled_by_writes(void)
{
	struct store *a = fixture_node("polo", STORE_ROLE_NODE, "op.a");
	struct store *b = fixture_node("pda", STORE_ROLE_NODE, "op.b");
	char rec[ID_TEXT_LEN + 1], want[VIEW_SETTLE_MAX], json[128];
	struct store_put_result r;
	struct listed l;
	struct err e;

	memset(&l, 0, sizeof(l));
	err_init(&e);
	CHECK(a && b);
	CHECK_OK(put_json(a, "test_budget", NULL, "{\"title\":\"d\"}", &r));
	CHECK(ship(a, b) == 1);
	id_format(&r.id, rec);
	snprintf(json, sizeof(json), "{\"budget\":\"%s\",\"amount\":60}",
		 rec);
	CHECK_OK(put_json(a, "test_entry", NULL, json, NULL));
	snprintf(json, sizeof(json), "{\"budget\":\"%s\",\"amount\":70}",
		 rec);
	CHECK_OK(put_json(b, "test_entry", NULL, json, NULL));
	CHECK(ship(b, a) == 1);
	CHECK_OK(view_conflicts(a, NULL, list_one, &l, &e));
	CHECK(l.n == 1 && l.kind[0] == MERGE_CONFLICT_RULE);
	snprintf(want, sizeof(want), "presidio put: a reversal entry under "
		 "%s, or a higher cap on it", rec);
	CHECK(!strcmp(l.settle[0], want));
	CHECK(!strcmp(jstr_of(l.json[0], "settle"), want));
	listed_release(&l);
	store_close(a);
	store_close(b);
}

static void test_view_conflicts_unknown_record_and_none(void)
{
	struct store *s = fresh();
	struct store_put_result r;
	struct listed l;
	struct id id;
	struct err e;

	memset(&l, 0, sizeof(l));
	err_init(&e);
	CHECK(s);
	id_generate(&id);
	CHECK(view_conflicts(s, &id, list_one, &l, &e) == ERR_NOTFOUND);
	CHECK_OK(put_json(s, "test_item", NULL, "{\"title\":\"t\"}", &r));
	CHECK_OK(view_conflicts(s, &r.id, list_one, &l, &e));
	CHECK_OK(view_conflicts(s, NULL, list_one, &l, &e));
	CHECK(l.n == 0);
	CHECK(!strcmp(view_conflict_kind_name(MERGE_CONFLICT_RULE), "rule"));
	store_close(s);
}

TEST_MAIN(T(test_view_conflicts_group_numbered_with_settle),
	  T(test_view_conflict_pick_follows_numbering),
	  T(test_view_conflicts_delete_against_edit),
	  T(test_view_conflicts_cap_settled_by_writes),
	  T(test_view_conflicts_unknown_record_and_none))
