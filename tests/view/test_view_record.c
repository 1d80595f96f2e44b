/*
 * test_view_record.c - records as JSON (view/view_record.h): the fields
 * and versions `get` prints, the where filter (accepted, rejected, bad
 * syntax, never quoting a value in its errors) and filtered listings with
 * a limit, a count and a callback that fails.
 */
#include "tests/view/view_fixture.h"
#include "view/view_record.h"

static struct store *with_items(struct store_put_result r[3])
{
	struct store *s = fresh();

	if (!s ||
	    put_json(s, "test_item", NULL,
		     "{\"title\":\"Rossi\",\"count\":3,\"done\":true,"
		     "\"tags\":[\"fr\",\"it\"]}", &r[0]) ||
	    put_json(s, "test_item", NULL,
		     "{\"title\":\"Bianchi\",\"count\":4,\"score\":3.0}",
		     &r[1]) ||
	    put_json(s, "test_item", NULL,
		     "{\"title\":\"Rossi\",\"count\":3,\"done\":false}",
		     &r[2])) {
		store_close(s);
		return NULL;
	}
	return s;
}

static void test_view_record_fields_and_versions(void)
{
	struct store_put_result r[3];
	struct store *s = with_items(r);
	struct store_record rec;
	char idtext[ID_TEXT_LEN + 1];
	json_t *o = NULL, *ov = NULL, *v;
	struct err e;

	CHECK(s);
	err_init(&e);
	store_record_init(&rec);
	CHECK_OK(store_get(s, &r[0].id, &rec, NULL));
	CHECK_OK(view_record_json(s, &rec, 0, &o, &e));
	id_format(&r[0].id, idtext);
	CHECK(!strcmp(jstr_of(o, "id"), idtext));
	CHECK(!strcmp(jstr_of(o, "collection"), "test_item"));
	CHECK(json_is_false(json_object_get(o, "deleted")));
	CHECK(json_equal(json_object_get(o, "fields"), rec.fields));
	CHECK(json_object_size(o) == 4 && !json_object_get(o, "versions"));
	CHECK_OK(view_record_json(s, &rec, VIEW_RECORD_VERSIONS, &ov, &e));
	v = json_object_get(json_object_get(ov, "versions"), "title");
	CHECK(v && !strcmp(jstr_of(v, "operator"), "m.rossi"));
	CHECK(jint(v, "hlc") > 0 && strlen(jstr_of(v, "time")) > 10);
	CHECK(strlen(jstr_of(v, "node")) == ID_TEXT_LEN);
	CHECK(json_object_size(json_object_get(ov, "versions")) ==
	      rec.vers.n);
	json_decref(o);
	json_decref(ov);
	store_record_release(&rec);
	store_close(s);
}

/* One call: read and view, or not found. */
static void test_view_record_get(void)
{
	struct store_put_result r[3];
	struct store *s = with_items(r);
	json_t *o = NULL;
	struct id none;
	struct err e;

	CHECK(s);
	err_init(&e);
	CHECK_OK(view_record_get(s, &r[1].id, VIEW_RECORD_VERSIONS, &o, &e));
	CHECK(!strcmp(jstr_of(json_object_get(o, "fields"), "title"),
		      "Bianchi"));
	CHECK(json_object_get(o, "versions") != NULL);
	json_decref(o);
	id_generate(&none);
	CHECK(view_record_get(s, &none, 0, &o, &e) == ERR_NOTFOUND);
	CHECK(o == NULL);
	store_close(s);
}

static void test_view_record_field_names(void)
{
	const struct schema_collection *c = schema_collection("test_item");
	char buf[16];

	CHECK(c);
	CHECK(!strcmp(view_field_name(c, 1, buf), "title"));
	CHECK(!strcmp(view_field_name(c, SCHEMA_FIELD_DELETED, buf),
		      SCHEMA_FIELD_DELETED_NAME));
	CHECK(!strcmp(view_field_name(c, 999, buf), "field#999"));
}

static void test_view_where_accepts_and_rejects(void)
{
	const struct schema_collection *c = schema_collection("test_item");
	json_t *f = json_loads("{\"title\":\"Rossi\",\"count\":3,"
			       "\"score\":2.5,\"done\":true,"
			       "\"tags\":[\"fr\",\"it\"],"
			       "\"marks\":[\"urgent\",\"shared\"]}", 0, NULL);
	struct view_where w;
	enum view_where_error why;
	struct err e;

	CHECK(c && f);
	err_init(&e);
	CHECK_OK(view_where_parse(c, "title=Rossi", &w, &why, &e));
	CHECK(why == VIEW_WHERE_OK && view_where_match(&w, f));
	CHECK_OK(view_where_parse(c, "title=Ross", &w, &why, &e));
	CHECK(!view_where_match(&w, f));
	CHECK_OK(view_where_parse(c, "count=3", &w, &why, &e));
	CHECK(view_where_match(&w, f));
	CHECK_OK(view_where_parse(c, "count=3.0", &w, &why, &e));
	CHECK(view_where_match(&w, f));
	CHECK_OK(view_where_parse(c, "count=4", &w, &why, &e));
	CHECK(!view_where_match(&w, f));
	CHECK_OK(view_where_parse(c, "score=-2.5", &w, &why, &e));
	CHECK(!view_where_match(&w, f));
	CHECK_OK(view_where_parse(c, "done=true", &w, &why, &e));
	CHECK(view_where_match(&w, f));
	CHECK_OK(view_where_parse(c, "done=false", &w, &why, &e));
	CHECK(!view_where_match(&w, f));
	CHECK_OK(view_where_parse(c, "tags=it", &w, &why, &e));
	CHECK(view_where_match(&w, f));
	CHECK_OK(view_where_parse(c, "tags=de", &w, &why, &e));
	CHECK(!view_where_match(&w, f));
	/* An ENUM_SET is a list: it matches the values it holds. */
	CHECK_OK(view_where_parse(c, "marks=shared", &w, &why, &e));
	CHECK(view_where_match(&w, f));
	CHECK_OK(view_where_parse(c, "marks=checked", &w, &why, &e));
	CHECK(!view_where_match(&w, f));
	/* A field the record lacks, and a record with no fields. */
	CHECK_OK(view_where_parse(c, "color=red", &w, &why, &e));
	CHECK(!view_where_match(&w, f) && !view_where_match(&w, NULL));
	/* An empty value is a value. */
	CHECK_OK(view_where_parse(c, "title=", &w, &why, &e));
	CHECK(!view_where_match(&w, f) && !strcmp(w.value, ""));
	json_decref(f);
}

/* Bad conditions say which part is wrong and never quote the value. */
static void test_view_where_bad_syntax_field_value(void)
{
	const struct schema_collection *c = schema_collection("test_item");
	enum view_where_error why;
	struct view_where w;
	struct err e;

	CHECK(c);
	err_init(&e);
	CHECK(view_where_parse(c, "titleRossi", &w, &why, &e) == ERR_INVALID);
	CHECK(why == VIEW_WHERE_SYNTAX);
	CHECK(view_where_parse(c, "=Rossi", &w, &why, &e) == ERR_INVALID);
	CHECK(why == VIEW_WHERE_SYNTAX && !strstr(e.msg, "Rossi"));
	CHECK(view_where_parse(c, "shoe_size=SECRET42", &w, &why, &e) ==
	      ERR_INVALID);
	CHECK(why == VIEW_WHERE_FIELD && strstr(e.msg, "shoe_size"));
	CHECK(!strstr(e.msg, "SECRET42"));
	CHECK(view_where_parse(c, "count=SECRET42", &w, &why, &e) ==
	      ERR_INVALID);
	CHECK(why == VIEW_WHERE_VALUE && strstr(e.msg, "number"));
	CHECK(!strstr(e.msg, "SECRET42"));
	CHECK(view_where_parse(c, "count=1e999", &w, &why, &e) == ERR_INVALID);
	CHECK(view_where_parse(c, "count= 3", &w, &why, &e) == ERR_INVALID);
	CHECK(view_where_parse(c, "count=", &w, &why, &e) == ERR_INVALID);
	CHECK(view_where_parse(c, "done=SECRET42", &w, &why, &e) ==
	      ERR_INVALID);
	CHECK(why == VIEW_WHERE_VALUE && strstr(e.msg, "true or false"));
	CHECK(!strstr(e.msg, "SECRET42"));
	CHECK(view_where_parse(c, "title=x", &w, NULL, &e) == 0);
}

struct got {
	int n;
	char titles[8][32];
	int fail_at; /* return ERR_IO at this call (1-based; 0: never) */
};

static int got_one(void *ctx, json_t *record)
{
	struct got *g = ctx;
	const json_t *f = json_object_get(record, "fields");

	if (g->n < 8)
		snprintf(g->titles[g->n], sizeof(g->titles[0]), "%s",
			 jstr_of(f, "title"));
	g->n++;
	return g->n == g->fail_at ? ERR_IO : 0;
}

static void test_view_record_list_filters_limits_counts(void)
{
	const struct schema_collection *c = schema_collection("test_item");
	struct store_put_result r[3];
	struct store *s = with_items(r);
	struct view_where w[2];
	struct view_list_opts o;
	struct got g;
	uint64_t n = 0;
	struct err e;

	CHECK(s && c);
	err_init(&e);
	memset(&o, 0, sizeof(o));
	CHECK_OK(view_where_parse(c, "title=Rossi", &w[0], NULL, &e));
	CHECK_OK(view_where_parse(c, "count=3", &w[1], NULL, &e));
	o.where = w;
	o.nwhere = 2;
	memset(&g, 0, sizeof(g));
	CHECK_OK(view_record_list(s, "test_item", &o, got_one, &g, &n, &e));
	CHECK(n == 2 && g.n == 2);
	CHECK(!strcmp(g.titles[0], "Rossi") && !strcmp(g.titles[1], "Rossi"));
	/* A limit stops at the first match; 0 is returned, not a stop
	 * code. */
	o.limit = 1;
	memset(&g, 0, sizeof(g));
	CHECK_OK(view_record_list(s, "test_item", &o, got_one, &g, &n, &e));
	CHECK(n == 1 && g.n == 1);
	/* Counting builds no JSON and calls nothing. */
	o.limit = 0;
	o.nwhere = 0;
	o.count_only = 1;
	memset(&g, 0, sizeof(g));
	CHECK_OK(view_record_list(s, "test_item", &o, got_one, &g, &n, &e));
	CHECK(n == 3 && g.n == 0);
	/* Deleted records only when asked. */
	CHECK_OK(store_delete(s, &r[1].id, NULL));
	CHECK_OK(view_record_list(s, "test_item", &o, NULL, NULL, &n, &e));
	CHECK(n == 2);
	o.with_deleted = 1;
	CHECK_OK(view_record_list(s, "test_item", &o, NULL, NULL, &n, &e));
	CHECK(n == 3);
	/* The callback's error ends the listing and comes back. */
	o.count_only = 0;
	memset(&g, 0, sizeof(g));
	g.fail_at = 2;
	CHECK(view_record_list(s, "test_item", &o, got_one, &g, &n, &e) ==
	      ERR_IO);
	CHECK(g.n == 2);
	store_close(s);
}

TEST_MAIN(T(test_view_record_fields_and_versions),
	  T(test_view_record_get),
	  T(test_view_record_field_names),
	  T(test_view_where_accepts_and_rejects),
	  T(test_view_where_bad_syntax_field_value),
	  T(test_view_record_list_filters_limits_counts))
