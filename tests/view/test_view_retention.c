/*
 * test_view_retention.c - retention (view/view_retention.h): a person goes
 * once every case about the person has closed and its years have passed
 * (or the years after the programme's end, when later); an open case
 * keeps the person; --apply on the hub erases exactly those due, who then
 * drop out of the list; a node may list but not apply.
 */
#include "tests/test.h"

#include <string.h>

#include "node/store_erase.h"
#include "tests/view/view_fixture.h"
#include "view/view_retention.h"

/* A person and its cases closed on each date of closed[] ("" open). */
static int person_cases(struct store *s, const char *const *closed,
			size_t n, struct id *person)
{
	char json[320], pid[ID_TEXT_LEN + 1];
	struct store_put_result r;
	int rc = put_json(s, "person", NULL,
			  "{\"given_name\":\"R\",\"family_name\":\"T\"}", &r);

	if (rc)
		return rc;
	*person = r.id;
	id_format(person, pid);
	for (size_t i = 0; !rc && i < n; i++) {
		if (closed[i][0])
			snprintf(json, sizeof(json),
				 "{\"person_id\":\"%s\",\"region\":\"Puglia\","
				 "\"stage\":\"closed\",\"closed_at\":\"%s\"}",
				 pid, closed[i]);
		else
			snprintf(json, sizeof(json),
				 "{\"person_id\":\"%s\",\"region\":\"Puglia\","
				 "\"stage\":\"intake\"}",
				 pid);
		rc = put_json(s, "case", NULL, json, NULL);
	}
	return rc;
}

struct seen {
	struct view_retention_person p[8];
	size_t n;
};

static int keep(void *ctx, const struct view_retention_person *p)
{
	struct seen *w = ctx;

	if (w->n < 8)
		w->p[w->n++] = *p;
	return 0;
}

static const struct view_retention_person *find(const struct seen *w,
						const struct id *id)
{
	for (size_t i = 0; i < w->n; i++)
		if (!id_cmp(&w->p[i].person, id))
			return &w->p[i];
	return NULL;
}

static void test_retention(void)
{
	static const char *const old[] = { "2010-03-31", "2012-05-01" };
	static const char *const recent[] = { "2024-06-30" };
	static const char *const open[] = { "2011-01-01", "" };
	struct store *s = fixture_node("hub-ret", STORE_ROLE_HUB, "m.rossi");
	struct view_retention_opts o = { .years = 0, .today = 20261204 };
	const struct schema_collection *c = NULL;
	const struct view_retention_person *p;
	struct id a, b, k;
	struct seen w = { .n = 0 };
	uint64_t erased = 0;

	CHECK(s);
	if (!s)
		return;
	CHECK_OK(person_cases(s, old, 2, &a));
	CHECK_OK(person_cases(s, recent, 1, &b));
	CHECK_OK(person_cases(s, open, 2, &k));
	CHECK_OK(view_retention(s, &o, &c, keep, &w, NULL));
	CHECK(c && !strcmp(c->name, "case") && w.n == 3);
	/* The latest closing counts: 2012-05-01 + 10 years. */
	p = find(&w, &a);
	CHECK(p && p->cases == 2 && p->due == 20220501 && p->due_now);
	p = find(&w, &b);
	CHECK(p && p->due == 20340630 && !p->due_now);
	p = find(&w, &k);
	CHECK(p && p->open == 1 && p->due == 0 && !p->due_now);
	/* Due first, never last. */
	CHECK(!id_cmp(&w.p[0].person, &a) && !id_cmp(&w.p[2].person, &k));

	/* Two years, and a programme ending in 2025: b is due in 2027. */
	o.years = 2;
	o.end[0] = 2025, o.end[1] = 12, o.end[2] = 31;
	w.n = 0;
	CHECK_OK(view_retention(s, &o, NULL, keep, &w, NULL));
	p = find(&w, &b);
	CHECK(p && p->due == 20271231 && !p->due_now);
	p = find(&w, &a);
	CHECK(p && p->due == 20271231);
	o.today = 20280101;
	CHECK_OK(view_retention_apply(s, &o, &erased, NULL));
	CHECK(erased == 2);
	w.n = 0;
	CHECK_OK(view_retention(s, &o, NULL, keep, &w, NULL));
	CHECK(w.n == 1 && !id_cmp(&w.p[0].person, &k));
	{
		int gone = 0;

		CHECK_OK(store_erased(s, &a, &gone, NULL));
		CHECK(gone);
	}
	store_close(s);

	/* A node shows it, and cannot apply it. */
	s = fixture_node("node-ret", STORE_ROLE_NODE, "m.rossi");
	CHECK(s);
	if (!s)
		return;
	CHECK_OK(person_cases(s, old, 2, &a));
	CHECK(view_retention_apply(s, &o, &erased, NULL) == ERR_INVALID);
	store_close(s);
}

int main(int argc, char **argv)
{
	static const struct test tests[] = {
		T(test_retention),
	};

	return test_run(tests, sizeof(tests) / sizeof(tests[0]), argc, argv);
}
