/*
 * view_home.c - see view_home.h.
 */
#include "view/view_home.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema/schema.h"
#include "view/view_record.h"

/* A deadline: a date field of a collection, what it means, and, for a
 * goal, the status values that close it. */
static const struct deadline {
	const char *coll, *field, *kind, *label;
	const char *done_field; /* its status field, or NULL */
	const char *const *done; /* status values for which it is met */
} deadlines[] = {
	{ "person", "residence_permit_expiry", "permit",
	  "Permesso di soggiorno in scadenza", NULL, NULL },
	{ "plan", "review_due", "plan_review", "Verifica del PAI", NULL,
	  NULL },
	{ "plan_review", "next_review", "plan_review",
	  "Prossima verifica del PAI", NULL, NULL },
	{ "plan_goal", "deadline", "goal", "Obiettivo del PAI in scadenza",
	  "status",
	  (const char *const[]){ "achieved", "partly", "not_achieved", NULL } },
	{ "followup", "date", "followup", "Follow-up", NULL, NULL },
};

/* Days since 1970-01-01 of "YYYY-MM-DD"; -1 when it is not one. */
static long day_of(const char *iso)
{
	int y, m, d;
	char tail;

	if (!iso || strlen(iso) != 10 ||
	    sscanf(iso, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || m < 1 ||
	    m > 12 || d < 1 || d > 31)
		return -1;
	/* Days from civil (proleptic Gregorian). */
	y -= m <= 2;
	{
		long era = (y >= 0 ? y : y - 399) / 400;
		long yoe = y - era * 400;
		long doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
		long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

		return era * 146097 + doe - 719468;
	}
}

struct home {
	const struct deadline *dl;
	const struct schema_collection *person;
	long from, today, to;
	json_t *items;
	/* cases */
	const struct schema_field *stage, *bdi;
	json_t *by_stage, *by_bdi; /* value -> count */
	long long cases;
};

static int is_done(const struct deadline *dl, const json_t *fields)
{
	const char *v = dl->done_field
				? json_string_value(json_object_get(
					  fields, dl->done_field))
				: NULL;

	for (const char *const *d = dl->done; v && d && *d; d++)
		if (strcmp(v, *d) == 0)
			return 1;
	return 0;
}

static int deadline_one(void *ctx, json_t *record)
{
	struct home *h = ctx;
	const json_t *fields = json_object_get(record, "fields");
	const char *date = json_string_value(
		json_object_get(fields, h->dl->field));
	long day = day_of(date);
	json_t *o, *person = json_null();

	if (day < h->from || day > h->to || is_done(h->dl, fields))
		return 0;
	if (h->person && strcmp(h->dl->coll, h->person->name) == 0) {
		const struct schema_search *q = h->person->search;
		const char *g = json_string_value(json_object_get(fields,
								  q->given));
		const char *f = json_string_value(json_object_get(fields,
								  q->family));
		char name[256];

		snprintf(name, sizeof(name), "%s %s", f ? f : "", g ? g : "");
		person = json_pack("{s:O,s:s}", "id",
				   json_object_get(record, "id"), "name", name);
	}
	o = json_pack("{s:s,s:s,s:s,s:O,s:s,s:b,s:o}", "kind", h->dl->kind,
		      "label", h->dl->label, "collection", h->dl->coll, "id",
		      json_object_get(record, "id"), "date", date, "late",
		      day < h->today, "person", person ? person : json_null());
	return o && json_array_append_new(h->items, o) == 0 ? 0 : ERR_NOMEM;
}

static int count_into(json_t *map, const json_t *fields, const char *name)
{
	const char *v = json_string_value(json_object_get(fields, name));
	json_t *n;

	if (!v)
		return 0;
	n = json_object_get(map, v);
	return json_object_set_new(map, v,
				   json_integer(n ? json_integer_value(n) + 1
						  : 1))
		       ? ERR_NOMEM
		       : 0;
}

static int case_one(void *ctx, json_t *record)
{
	struct home *h = ctx;
	const json_t *fields = json_object_get(record, "fields");

	h->cases++;
	if (h->stage && count_into(h->by_stage, fields, h->stage->name))
		return ERR_NOMEM;
	if (h->bdi && count_into(h->by_bdi, fields, h->bdi->name))
		return ERR_NOMEM;
	return 0;
}

/* [{"value","label","count"}] of map, in the order f declares values. */
static json_t *counts(const struct schema_field *f, const json_t *map)
{
	json_t *out = json_array();

	for (size_t i = 0; out && f && f->values && f->values[i]; i++) {
		const json_t *n = json_object_get(map, f->values[i]);
		const char *label = f->value_labels ? f->value_labels[i]
						    : f->values[i];

		if (n && json_array_append_new(
				 out, json_pack("{s:s,s:s,s:O}", "value",
						f->values[i], "label", label,
						"count", n))) {
			json_decref(out);
			return NULL;
		}
	}
	return out;
}

static int by_date(const void *a, const void *b)
{
	const char *x = json_string_value(json_object_get(*(json_t *const *)a,
							  "date"));
	const char *y = json_string_value(json_object_get(*(json_t *const *)b,
							  "date"));

	return strcmp(x ? x : "", y ? y : "");
}

/* Sort the array by "date" (Jansson has no sort: through a C array). */
static int sort_items(json_t *items)
{
	size_t n = json_array_size(items);
	json_t **v = n ? calloc(n, sizeof(*v)) : NULL;

	if (n && !v)
		return ERR_NOMEM;
	for (size_t i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(items, i));
	qsort(v, n, sizeof(*v), by_date);
	json_array_clear(items);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, v[i]);
	free(v);
	return 0;
}

int view_home_json(struct store *s, const char *today, int days,
		   json_t **out, struct err *e)
{
	const struct schema_collection *cases = schema_collection("case");
	struct view_list_opts o;
	struct home h;
	int rc = 0;

	*out = NULL;
	memset(&h, 0, sizeof(h));
	memset(&o, 0, sizeof(o));
	h.today = day_of(today);
	if (h.today < 0 || days < 1 || days > 365)
		return err_set(e, ERR_INVALID, "bad day or window");
	h.from = h.today - VIEW_HOME_PAST_DAYS;
	h.to = h.today + days;
	h.person = schema_search_collection();
	h.items = json_array();
	h.by_stage = json_object();
	h.by_bdi = json_object();
	h.stage = cases ? schema_field(cases, "stage") : NULL;
	h.bdi = cases ? schema_field(cases, "bdi_stage") : NULL;
	if (!h.items || !h.by_stage || !h.by_bdi)
		rc = err_set(e, ERR_NOMEM, "out of memory");
	for (size_t i = 0; !rc && i < sizeof(deadlines) / sizeof(*deadlines);
	     i++) {
		h.dl = &deadlines[i];
		if (schema_collection(h.dl->coll))
			rc = view_record_list(s, h.dl->coll, &o, deadline_one,
					      &h, NULL, e);
	}
	if (!rc && cases)
		rc = view_record_list(s, cases->name, &o, case_one, &h, NULL, e);
	if (!rc)
		rc = sort_items(h.items);
	if (!rc) {
		*out = json_pack("{s:{s:I,s:o,s:o},s:O}", "cases", "total",
				 (json_int_t)h.cases, "by_stage",
				 counts(h.stage, h.by_stage), "by_bdi_stage",
				 counts(h.bdi, h.by_bdi), "deadlines", h.items);
		if (!*out)
			rc = err_set(e, ERR_NOMEM, "out of memory");
	}
	if (rc == ERR_NOMEM && !e->msg[0])
		err_set(e, ERR_NOMEM, "out of memory");
	json_decref(h.items);
	json_decref(h.by_stage);
	json_decref(h.by_bdi);
	return rc;
}
