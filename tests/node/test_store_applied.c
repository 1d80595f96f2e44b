/*
 * test_store_applied.c - several changes of one record applied in one
 * transaction (node/store_applied.c): the merge goes on over the state
 * the previous change left, and must end where a replay of the log ends;
 * a write of the record by any other path in between makes the next
 * change load it again; nothing is kept past the transaction.
 */
#include "tests/node/store_fixture.h"

static struct store *node_named(const char *name)
{
	return fixture_node(name, STORE_ROLE_NODE, "op.ahmed");
}


struct listed {
	char text[2048];
	size_t n;
};

/* Each open conflict as text: kind, field, both values and their
 * times: what a reader of either store would be shown. */
static int list_one(void *ctx, const struct store_conflict *c)
{
	struct listed *l = ctx;
	char *cur = c->current.value ? json_dumps(c->current.value,
						  JSON_ENCODE_ANY)
				     : NULL;
	char *oth = c->other.value ? json_dumps(c->other.value,
						JSON_ENCODE_ANY)
				   : NULL;
	size_t len = strlen(l->text);

	snprintf(l->text + len, sizeof(l->text) - len,
		 "%d %s %s@%llu %s@%llu;", (int)c->kind,
		 c->field ? c->field : "-", cur ? cur : "-",
		 (unsigned long long)c->current.hlc, oth ? oth : "-",
		 (unsigned long long)c->other.hlc);
	free(cur);
	free(oth);
	l->n++;
	return 0;
}

/* Record id reads the same in both stores: values, deletion, the time
 * of every field's version, open conflicts. */
static int same_record(struct store *x, struct store *y, const struct id *id)
{
	struct store_record rx, ry;
	struct listed lx, ly;
	int same;

	memset(&lx, 0, sizeof(lx));
	memset(&ly, 0, sizeof(ly));
	store_record_init(&rx);
	store_record_init(&ry);
	same = store_get(x, id, &rx, NULL) == 0 &&
	       store_get(y, id, &ry, NULL) == 0 &&
	       json_equal(rx.fields, ry.fields) && rx.deleted == ry.deleted &&
	       rx.vers.n == ry.vers.n;
	for (size_t i = 0; same && i < rx.vers.n; i++)
		same = rx.vers.e[i].field == ry.vers.e[i].field &&
		       rx.vers.e[i].v.hlc == ry.vers.e[i].v.hlc;
	same = same && store_conflicts(x, id, list_one, &lx, NULL) == 0 &&
	       store_conflicts(y, id, list_one, &ly, NULL) == 0 &&
	       lx.n == ly.n && strcmp(lx.text, ly.text) == 0;
	if (!same)
		fprintf(stderr, "  differ: [%s] against [%s]\n", lx.text,
			ly.text);
	store_record_release(&rx);
	store_record_release(&ry);
	return same;
}

/* Two nodes edit the same records offline, many times each: edits,
 * concurrent edits of one field, a deletion against an edit, a step of a
 * monotonic field, a cap broken between them.  One receiver takes both
 * logs in one transaction (each record's changes merged on), another a
 * change a transaction (each replayed from the log): they must agree. */
static void test_store_applied_batch_ends_where_the_log_does(void)
{
	struct store *a = node_named("polo");
	struct store *b = node_named("pda");
	struct store *one = node_named("batch");
	struct store *each = node_named("each");
	struct store_put_result r1, r2, r3;
	struct fixture_ship sh;

	CHECK(a && b && one && each);
	CHECK_OK(put_json(a, "test_item", NULL,
			  "{\"title\":\"uno\",\"count\":1,\"color\":\"red\","
			  "\"cap\":100,\"spent\":10}",
			  &r1));
	CHECK_OK(put_json(a, "test_item", NULL,
			  "{\"title\":\"due\",\"count\":1,\"stage\":\"draft\"}",
			  &r2));
	CHECK_OK(put_json(a, "test_item", NULL, "{\"title\":\"tre\"}", &r3));
	memset(&sh, 0, sizeof(sh));
	sh.to = b;
	CHECK_OK(fixture_ship_range(a, 0, 0, &sh));
	/* Offline, each side many times. */
	for (int i = 0; i < 6; i++) {
		char text[160];

		snprintf(text, sizeof(text), "{\"count\":%d,\"title\":\"a%d\"}",
			 10 + i, i);
		CHECK_OK(put_json(a, "test_item", &r1.id, text, NULL));
		snprintf(text, sizeof(text), "{\"count\":%d}", 20 + i);
		CHECK_OK(put_json(b, "test_item", &r1.id, text, NULL));
		snprintf(text, sizeof(text), "{\"spent\":%d}", 30 + i * 10);
		CHECK_OK(put_json(i % 2 ? a : b, "test_item", &r1.id, text,
				  NULL));
		CHECK_OK(put_json(a, "test_item", &r2.id,
				  i % 2 ? "{\"color\":\"blue\"}"
					: "{\"color\":\"red\"}",
				  NULL));
	}
	/* Both lower the cap below what the other spends. */
	CHECK_OK(put_json(a, "test_item", &r1.id, "{\"cap\":85}", NULL));
	CHECK_OK(put_json(b, "test_item", &r1.id, "{\"spent\":90}", NULL));
	CHECK_OK(put_json(b, "test_item", &r2.id, "{\"stage\":\"review\"}",
			  NULL));
	CHECK_OK(store_delete(b, &r3.id, NULL));
	CHECK_OK(put_json(a, "test_item", &r3.id, "{\"title\":\"tre!\"}",
			  NULL));

	/* One transaction: every change after the first of a record is
	 * merged on what the one before left. */
	memset(&sh, 0, sizeof(sh));
	sh.to = one;
	CHECK_OK(store_begin_whole(one, NULL));
	CHECK_OK(fixture_ship_range(a, 0, 0, &sh));
	CHECK_OK(fixture_ship_range(b, 0, 0, &sh));
	CHECK_OK(store_commit(one, NULL));
	CHECK(sh.applied > 30);
	CHECK(sh.kept > 20);
	/* A change a transaction: none is. */
	memset(&sh, 0, sizeof(sh));
	sh.to = each;
	CHECK_OK(fixture_ship_range(a, 0, 0, &sh));
	CHECK_OK(fixture_ship_range(b, 0, 0, &sh));
	CHECK(sh.applied > 30 && sh.kept == 0);

	CHECK(same_record(one, each, &r1.id));
	CHECK(same_record(one, each, &r2.id));
	CHECK(same_record(one, each, &r3.id));
	/* And what the merge made of it is the sender's too. */
	memset(&sh, 0, sizeof(sh));
	sh.to = a;
	CHECK_OK(fixture_ship_range(b, 0, 0, &sh));
	CHECK(same_record(one, a, &r1.id));
	CHECK(same_record(one, a, &r3.id));
	store_close(a);
	store_close(b);
	store_close(one);
	store_close(each);
}

/* Between two changes of a record in one transaction the record is
 * written here (a local edit): the second change is merged against that
 * edit, so it must load the record again, and it is concurrent with it. */
static void test_store_applied_other_write_reloads(void)
{
	struct store *a = node_named("polo");
	struct store *c = node_named("recv");
	struct store_put_result r;
	struct store_record rec;
	struct store_status st;
	struct listed l;
	struct fixture_ship sh;

	memset(&l, 0, sizeof(l));
	CHECK(a && c);
	CHECK_OK(put_json(a, "test_item", NULL,
			  "{\"title\":\"t\",\"count\":1}", &r));
	CHECK_OK(put_json(a, "test_item", &r.id, "{\"count\":2}", NULL));
	CHECK_OK(put_json(a, "test_item", &r.id, "{\"count\":3}", NULL));
	memset(&sh, 0, sizeof(sh));
	sh.to = c;
	CHECK_OK(store_begin_whole(c, NULL));
	CHECK_OK(fixture_ship_range(a, 0, 2, &sh)); /* the create and count 2 */
	CHECK(sh.applied == 2 && sh.kept == 1);
	/* The receiver's own edit, made after seeing count 2. */
	CHECK_OK(put_json(c, "test_item", &r.id, "{\"count\":7}", NULL));
	CHECK_OK(fixture_ship_range(a, 2, 0, &sh)); /* count 3, made after 2 */
	CHECK(sh.applied == 3 && sh.kept == 1);
	CHECK_OK(store_commit(c, NULL));
	/* 3 and 7 both came after 2: a conflict, and neither is lost. */
	CHECK_OK(store_conflicts(c, &r.id, list_one, &l, NULL));
	CHECK(l.n == 1);
	CHECK(strstr(l.text, " count ") != NULL);
	CHECK(strstr(l.text, "3@") != NULL && strstr(l.text, "7@") != NULL);
	/* The row counts it (a stale state would have fast-forwarded). */
	CHECK_OK(store_status(c, &st, NULL));
	CHECK(st.conflicted == 1);
	store_record_init(&rec);
	CHECK_OK(store_get(c, &r.id, &rec, NULL));
	CHECK(json_integer_value(json_object_get(rec.fields, "count")) == 3 ||
	      json_integer_value(json_object_get(rec.fields, "count")) == 7);
	store_record_release(&rec);
	store_close(a);
	store_close(c);
}

/* A rolled-back transaction keeps nothing: the same changes applied
 * again are applied afresh, loaded from the log. */
static void test_store_applied_gone_with_the_transaction(void)
{
	struct store *a = node_named("polo");
	struct store *c = node_named("recv");
	struct store_put_result r;
	struct fixture_ship sh;

	CHECK(a && c);
	CHECK_OK(put_json(a, "test_item", NULL, "{\"title\":\"t\"}", &r));
	CHECK_OK(put_json(a, "test_item", &r.id, "{\"count\":2}", NULL));
	CHECK_OK(put_json(a, "test_item", &r.id, "{\"count\":3}", NULL));
	memset(&sh, 0, sizeof(sh));
	sh.to = c;
	CHECK_OK(store_begin_whole(c, NULL));
	CHECK_OK(fixture_ship_range(a, 0, 2, &sh));
	store_rollback(c);
	/* The record is not here: the entry kept for it must not be used. */
	memset(&sh, 0, sizeof(sh));
	sh.to = c;
	CHECK_OK(store_begin_whole(c, NULL));
	CHECK_OK(fixture_ship_range(a, 1, 0, &sh)); /* count 2 and 3, no create */
	CHECK(sh.applied == 2 && sh.kept == 1);
	CHECK_OK(store_commit(c, NULL));
	memset(&sh, 0, sizeof(sh));
	sh.to = c;
	CHECK_OK(store_begin(c, NULL));
	CHECK_OK(fixture_ship_range(a, 0, 1, &sh)); /* the create, late */
	CHECK(sh.applied == 1 && sh.kept == 0);
	CHECK_OK(store_commit(c, NULL));
	CHECK(same_record(a, c, &r.id));
	store_close(a);
	store_close(c);
}

/* A parent's open conflicts are recounted when its children pass its
 * cap (a write of its row that is not its own change): its next change
 * in the same transaction still ends where the log does. */
static void test_store_applied_parent_recounted_between(void)
{
	struct store *a = fixture_node("hub", STORE_ROLE_HUB, "op.ahmed");
	struct store *b = node_named("pda");
	struct store *one = node_named("batch");
	struct store *each = node_named("each");
	struct store_put_result bud;
	char json[160], idtext[ID_TEXT_LEN + 1];
	struct fixture_ship sh;
	uint64_t bad = 1;

	CHECK(a && b && one && each);
	CHECK_OK(put_json(a, "test_budget", NULL, "{\"title\":\"dote\"}",
			  &bud));
	memset(&sh, 0, sizeof(sh));
	sh.to = b;
	CHECK_OK(fixture_ship_range(a, 0, 0, &sh));
	id_format(&bud.id, idtext);
	/* Offline, each books within the cap of 100; together 130. */
	snprintf(json, sizeof(json), "{\"budget\":\"%s\",\"amount\":60}",
		 idtext);
	CHECK_OK(put_json(a, "test_entry", NULL, json, NULL));
	CHECK_OK(put_json(a, "test_budget", &bud.id, "{\"title\":\"a1\"}",
			  NULL));
	CHECK_OK(put_json(a, "test_budget", &bud.id, "{\"title\":\"a2\"}",
			  NULL));
	snprintf(json, sizeof(json), "{\"budget\":\"%s\",\"amount\":70}",
		 idtext);
	CHECK_OK(put_json(b, "test_entry", NULL, json, NULL));
	CHECK_OK(put_json(b, "test_budget", &bud.id, "{\"cap\":150}", NULL));

	/* The budget's changes from a are merged on; b's entry passes the
	 * cap and recounts the budget's row; b's change of the budget
	 * comes after. */
	memset(&sh, 0, sizeof(sh));
	sh.to = one;
	CHECK_OK(store_begin_whole(one, NULL));
	CHECK_OK(fixture_ship_range(a, 0, 0, &sh));
	CHECK(sh.kept == 2);
	CHECK_OK(fixture_ship_range(b, 0, 0, &sh));
	CHECK_OK(store_commit(one, NULL));
	memset(&sh, 0, sizeof(sh));
	sh.to = each;
	CHECK_OK(fixture_ship_range(a, 0, 0, &sh));
	CHECK_OK(fixture_ship_range(b, 0, 0, &sh));
	CHECK(same_record(one, each, &bud.id));
	CHECK_OK(store_verify(one, &bad, NULL));
	CHECK(bad == 0);
	store_close(a);
	store_close(b);
	store_close(one);
	store_close(each);
}

TEST_MAIN(T(test_store_applied_batch_ends_where_the_log_does),
	  T(test_store_applied_parent_recounted_between),
	  T(test_store_applied_other_write_reloads),
	  T(test_store_applied_gone_with_the_transaction))
