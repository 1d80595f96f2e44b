/*
 * view_retention.c - see view_retention.h.
 *
 * The persons are gathered in a JSON object keyed by id (the cases of a
 * node or of the hub: thousands to tens of thousands), then sorted by due
 * date into an array handed out in order.
 */
#include "view/view_retention.h"

#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/date.h"
#include "node/store_audit.h"
#include "node/store_erase.h"

struct gather {
	const struct schema_collection *c;
	const struct view_retention_opts *o;
	unsigned years;
	json_t *by; /* id text -> [cases, open, due] */
	size_t cases;
	struct err *e;
};

/* When case values f falls due, as yyyymmdd; 0 when it has not ended. */
static long case_due(const struct gather *g, const json_t *f)
{
	const char *ends = json_string_value(
	    json_object_get(f, g->c->retention->ends));
	int ymd[3];

	if (date_parse(ends, ymd))
		return 0;
	if (g->o->end[0] &&
	    (long)g->o->end[0] * 10000 + g->o->end[1] * 100 + g->o->end[2] >
		(long)ymd[0] * 10000 + ymd[1] * 100 + ymd[2])
		memcpy(ymd, g->o->end, sizeof(ymd));
	return date_add_months(ymd, 12 * (int)g->years);
}

static int gather_one(void *ctx, const struct store_record *r)
{
	struct gather *g = ctx;
	const char *person = json_string_value(
	    json_object_get(r->fields, g->c->scope_subject));
	long due = case_due(g, r->fields);
	json_t *p;

	if (!person)
		return 0;
	g->cases++;
	p = json_object_get(g->by, person);
	if (!p) {
		p = json_pack("[iii]", 0, 0, 0);
		if (!p || json_object_set_new(g->by, person, p))
			return err_set(g->e, ERR_NOMEM, "out of memory");
	}
	json_array_set_new(p, 0, json_integer(
				     json_integer_value(json_array_get(p, 0)) +
				     1));
	if (!due)
		json_array_set_new(
		    p, 1,
		    json_integer(json_integer_value(json_array_get(p, 1)) + 1));
	else if (due > json_integer_value(json_array_get(p, 2)))
		json_array_set_new(p, 2, json_integer(due));
	return 0;
}

static int by_due(const void *a, const void *b)
{
	const struct view_retention_person *x = a, *y = b;
	long dx = x->due ? x->due : 99999999L, dy = y->due ? y->due : 99999999L;

	if (dx != dy)
		return dx < dy ? -1 : 1;
	return id_cmp(&x->person, &y->person);
}

int view_retention(struct store *s, const struct view_retention_opts *o,
		   const struct schema_collection **coll, view_retention_fn fn,
		   void *ctx, struct err *e)
{
	struct gather g = { schema_retention_collection(), o, 0, NULL, 0, e };
	struct view_retention_person *list = NULL;
	const char *key;
	json_t *v;
	size_t n = 0;
	int rc;

	if (coll)
		*coll = g.c;
	if (!g.c)
		return err_set(e, ERR_NOTFOUND, "the schema declares no "
			       "retention rule");
	g.years = o->years ? o->years : g.c->retention->years;
	g.by = json_object();
	if (!g.by)
		return err_set(e, ERR_NOMEM, "out of memory");
	rc = store_list(s, g.c->name, 0, gather_one, &g, e);
	if (!rc)
		rc = store_audit_note(s, "retention", g.c, NULL, g.cases,
				      STORE_AUDIT_REPORT, e);
	if (!rc && json_object_size(g.by)) {
		list = calloc(json_object_size(g.by), sizeof(*list));
		if (!list)
			rc = err_set(e, ERR_NOMEM, "out of memory");
	}
	json_object_foreach(rc ? NULL : g.by, key, v) {
		struct view_retention_person *p = &list[n];
		int gone = 0;

		if (id_parse(&p->person, key))
			continue;
		rc = store_erased(s, &p->person, &gone, e);
		if (rc)
			break;
		if (gone)
			continue;
		p->cases = (size_t)json_integer_value(json_array_get(v, 0));
		p->open = (size_t)json_integer_value(json_array_get(v, 1));
		p->due = p->open ? 0 : (long)json_integer_value(
						    json_array_get(v, 2));
		p->due_now = p->due && p->due <= o->today;
		n++;
	}
	if (!rc && n)
		qsort(list, n, sizeof(*list), by_due);
	for (size_t i = 0; !rc && i < n; i++)
		rc = fn(ctx, &list[i]);
	free(list);
	json_decref(g.by);
	return err_walk_end(rc);
}

struct due_list {
	struct buf ids; /* struct id after struct id */
	struct err *e;
};

static int keep_due(void *ctx, const struct view_retention_person *p)
{
	struct due_list *d = ctx;

	if (!p->due_now)
		return ERR_STOP; /* in due order: the rest come later */
	return buf_append(&d->ids, &p->person, sizeof(p->person))
		       ? err_set(d->e, ERR_NOMEM, "out of memory")
		       : 0;
}

int view_retention_apply(struct store *s, const struct view_retention_opts *o,
			 uint64_t *erased, struct err *e)
{
	struct due_list d = { .e = e };
	struct id person;
	int rc;

	*erased = 0;
	buf_init(&d.ids, (size_t)64 << 20); /* 4 million persons */
	rc = view_retention(s, o, NULL, keep_due, &d, e);
	for (size_t at = 0; !rc && at < d.ids.len; at += sizeof(person)) {
		memcpy(&person, d.ids.data + at, sizeof(person));
		rc = store_erase_decide(s, &person, STORE_ERASE_RETENTION,
					NULL, e);
		if (!rc)
			(*erased)++;
	}
	buf_release(&d.ids);
	return rc;
}
