/*
 * test_view_history.c - a record's history with old values and change-log
 * entries (view/view_history.h): a create has no old values, an update
 * shows the value it replaced, a resolution shows the value that was in
 * force; the JSON of history and log entries.
 */
#include "tests/view/view_fixture.h"
#include "view/view_history.h"
#include "view/view_record.h"

#include <stdlib.h>

struct hist {
	int n;
	json_t *json[8];
	/* Of each entry, field "count": its old value ("none" when
	 * unknown) and new value, as text. */
	char old_count[8][32], new_count[8][32];
	enum store_change_kind kind[8];
};

static int hist_one(void *ctx, const struct view_history *vh,
		    const struct store_change *c)
{
	struct hist *h = ctx;
	const json_t *old;
	char buf[16];
	char *t;

	if (h->n >= 8)
		return ERR_FAIL;
	h->kind[h->n] = c->kind;
	snprintf(h->old_count[h->n], 32, "-");
	snprintf(h->new_count[h->n], 32, "-");
	for (size_t i = 0; i < c->vers.n; i++) {
		if (strcmp(view_field_name(c->coll, c->vers.e[i].field, buf),
			   "count"))
			continue;
		old = view_history_old(vh, c, i);
		t = old ? json_dumps(old, JSON_ENCODE_ANY) : NULL;
		snprintf(h->old_count[h->n], 32, "%s", t ? t : "none");
		free(t);
		t = json_dumps(view_change_new(c, i), JSON_ENCODE_ANY);
		snprintf(h->new_count[h->n], 32, "%s", t ? t : "?");
		free(t);
	}
	h->json[h->n] = view_history_json(vh, c);
	h->n++;
	return 0;
}

static void hist_release(struct hist *h)
{
	for (int i = 0; i < h->n; i++)
		json_decref(h->json[i]);
	memset(h, 0, sizeof(*h));
}

static void test_view_history_old_and_new_values(void)
{
	struct store *s = fresh();
	struct store_put_result r;
	const json_t *ch;
	struct hist h;
	struct err e;

	memset(&h, 0, sizeof(h));
	err_init(&e);
	CHECK(s);
	CHECK_OK(put_json(s, "test_item", NULL,
			  "{\"title\":\"t\",\"count\":1}", &r));
	CHECK_OK(put_json(s, "test_item", &r.id, "{\"count\":2}", NULL));
	CHECK_OK(put_json(s, "test_item", &r.id, "{\"count\":null}", NULL));
	CHECK_OK(view_history(s, &r.id, hist_one, &h, &e));
	CHECK(h.n == 3);
	CHECK(h.kind[0] == STORE_CHANGE_CREATE && h.kind[1] ==
	      STORE_CHANGE_UPDATE);
	CHECK(!strcmp(h.old_count[0], "none") && !strcmp(h.new_count[0], "1"));
	CHECK(!strcmp(h.old_count[1], "1") && !strcmp(h.new_count[1], "2"));
	CHECK(!strcmp(h.old_count[2], "2") && !strcmp(h.new_count[2], "null"));
	/* JSON: the entry's head and one change per field written. */
	CHECK(jint(h.json[1], "seq") == 2);
	CHECK(!strcmp(jstr_of(h.json[1], "kind"), "update"));
	CHECK(!strcmp(jstr_of(h.json[1], "operator"), "m.rossi"));
	CHECK(strlen(jstr_of(h.json[1], "node")) == ID_TEXT_LEN);
	CHECK(jint(h.json[1], "hlc") > jint(h.json[0], "hlc"));
	ch = json_object_get(h.json[1], "changes");
	CHECK(json_array_size(ch) == 1);
	CHECK(!strcmp(jstr_of(json_array_get(ch, 0), "field"), "count"));
	CHECK(jint(json_array_get(ch, 0), "old") == 1);
	CHECK(jint(json_array_get(ch, 0), "new") == 2);
	/* Unknown old values are null in JSON. */
	ch = json_object_get(h.json[0], "changes");
	CHECK(json_array_size(ch) == 2);
	CHECK(json_is_null(json_object_get(json_array_get(ch, 0), "old")));
	hist_release(&h);
	id_generate(&r.id);
	CHECK(view_history(s, &r.id, hist_one, &h, &e) == ERR_NOTFOUND);
	store_close(s);
}

/* A resolution names both candidates: its old value is the one that was
 * in force (the greater version). */
static void test_view_history_resolution_old_is_current(void)
{
	struct store *a = fixture_node("polo", STORE_ROLE_NODE, "op.a");
	struct store *b = fixture_node("pda", STORE_ROLE_NODE, "op.b");
	struct store_put_result r;
	struct store_record rec;
	char cur[32];
	json_t *v;
	struct hist h;
	struct err e;

	memset(&h, 0, sizeof(h));
	err_init(&e);
	store_record_init(&rec);
	CHECK(a && b);
	CHECK_OK(put_json(a, "test_item", NULL,
			  "{\"title\":\"t\",\"count\":1}", &r));
	CHECK(ship(a, b) == 1);
	CHECK_OK(put_json(a, "test_item", &r.id, "{\"count\":2}", NULL));
	CHECK_OK(put_json(b, "test_item", &r.id, "{\"count\":3}", NULL));
	CHECK(ship(b, a) == 1);
	CHECK_OK(store_get(a, &r.id, &rec, NULL));
	snprintf(cur, sizeof(cur), "%lld",
		 (long long)json_integer_value(
			 json_object_get(rec.fields, "count")));
	store_record_release(&rec);
	v = json_integer(7);
	CHECK_OK(store_resolve(a, &r.id, "count", v, NULL, NULL));
	json_decref(v);
	CHECK_OK(view_history(a, &r.id, hist_one, &h, &e));
	CHECK(h.n == 4 && h.kind[3] == STORE_CHANGE_RESOLVE);
	CHECK(!strcmp(h.old_count[3], cur) && !strcmp(h.new_count[3], "7"));
	CHECK(!strcmp(jstr_of(h.json[3], "kind"), "resolve"));
	hist_release(&h);
	store_close(a);
	store_close(b);
}

struct logged {
	int n;
	json_t *names[4], *values[4];
};

static int log_one(void *ctx, const struct store_change *c)
{
	struct logged *l = ctx;

	if (l->n >= 4)
		return ERR_FAIL;
	l->names[l->n] = view_log_json(c, 0);
	l->values[l->n] = view_log_json(c, 1);
	l->n++;
	return 0;
}

static void test_view_log_entries(void)
{
	struct store *s = fresh();
	struct store_put_result r;
	char rec[ID_TEXT_LEN + 1];
	const json_t *f;
	struct logged l;

	memset(&l, 0, sizeof(l));
	CHECK(s);
	CHECK_OK(put_json(s, "test_item", NULL,
			  "{\"title\":\"t\",\"count\":1}", &r));
	CHECK_OK(store_log(s, 0, 0, STORE_VALUES_PARSED, log_one, &l, NULL));
	CHECK(l.n == 1 && l.names[0] && l.values[0]);
	id_format(&r.id, rec);
	CHECK(!strcmp(jstr_of(l.names[0], "record"), rec));
	CHECK(!strcmp(jstr_of(l.names[0], "collection"), "test_item"));
	CHECK(!strcmp(jstr_of(l.names[0], "kind"), "create"));
	CHECK(jint(l.names[0], "seq") == 1 && jint(l.names[0], "origin_seq") ==
	      1);
	CHECK(!strcmp(jstr_of(l.names[0], "origin"),
		      jstr_of(l.values[0], "origin")));
	f = json_object_get(l.names[0], "fields");
	CHECK(json_is_array(f) && json_array_size(f) == 2);
	f = json_object_get(l.values[0], "fields");
	CHECK(json_is_object(f) && jint(f, "count") == 1);
	CHECK(!strcmp(jstr_of(f, "title"), "t"));
	for (int i = 0; i < l.n; i++) {
		json_decref(l.names[i]);
		json_decref(l.values[i]);
	}
	CHECK(!strcmp(view_change_kind_name(STORE_CHANGE_DELETE), "delete"));
	store_close(s);
}

TEST_MAIN(T(test_view_history_old_and_new_values),
	  T(test_view_history_resolution_old_is_current),
	  T(test_view_log_entries))
