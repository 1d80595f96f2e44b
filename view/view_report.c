/*
 * view_report.c - the indicators of `presidio report` (view_report.h):
 * reading the records the report counts, the tables and their
 * suppression, the days between BdI steps, and the report's JSON.
 * view_report_csv.c turns that JSON into CSV.
 *
 * The records are read once each (cases, doti, ledger entries, services,
 * referrals) into small arrays holding only ENUM positions, amounts and
 * times, sorted by id so that a child finds its parent by binary search;
 * a case's step times come from its history (store_history()).
 */
#include "view/view_report.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conflict/hlc.h"
#include "registry/registry.h"
#include "view/view_case.h"
#include "view/view_history.h"
#include "view/view_report_int.h"
#include "view/view_suppress.h"

const char view_report_names[] =
	"cases_bdi, cases_path, cases_partner, doti, days, spending, "
	"services, referrals";

static const char *const part_names[] = {
	"cases_bdi", "cases_path", "cases_partner", "doti", "days",
	"spending", "services", "referrals"
};

int view_report_part(const char *name, unsigned *part, struct err *e)
{
	for (size_t i = 0; i < sizeof(part_names) / sizeof(part_names[0]);
	     i++)
		if (strcmp(name, part_names[i]) == 0) {
			*part = 1u << i;
			return 0;
		}
	if (schema_name_ok(name))
		return err_set(e, ERR_INVALID,
			       "no report table '%s' (tables: %s)", name,
			       view_report_names);
	return err_set(e, ERR_INVALID, "no such report table (tables: %s)",
		       view_report_names);
}

/* The hub's allocation of doti per partner (registry, `presidio hub
 * allocation`), into r->alloc: the "allocated" column of table doti. */
static int alloc_one(void *ctx, const struct registry_allocation *a)
{
	struct view_report_ctx *r = ctx;
	size_t n = sizeof(r->alloc) / sizeof(r->alloc[0]);

	if (r->nalloc < n)
		r->alloc[r->nalloc++] = *a;
	return 0;
}

long long view_report_allocated(const struct view_report_ctx *r,
				const char *partner)
{
	for (size_t i = 0; i < r->nalloc; i++)
		if (strcmp(partner, r->alloc[i].group) == 0)
			return r->alloc[i].allocated;
	return 0;
}

/* ---- dimensions: the values of a declared ENUM ---- */

/* The values of coll.field, then extra (with its label) when not NULL. */
static int dim_of(struct view_report_dim *d, const char *coll,
		  const char *field, const char *extra,
		  const char *extra_label, struct err *e)
{
	const struct schema_collection *c = schema_collection(coll);
	const struct schema_field *f = c ? schema_field(c, field) : NULL;

	memset(d, 0, sizeof(*d));
	if (!f || f->type != SCHEMA_ENUM || !f->values)
		return err_set(e, ERR_FAIL, "report: %s.%s is not an ENUM",
			       coll, field);
	d->name = f->name;
	d->label = f->label ? f->label : f->name;
	for (; f->values[d->n]; d->n++) {
		if (d->n + 1 >= VIEW_REPORT_ROWS)
			return err_set(e, ERR_FAIL,
				       "report: %s.%s has too many values",
				       coll, field);
		d->keys[d->n] = f->values[d->n];
		d->labels[d->n] = f->value_labels && f->value_labels[d->n]
					  ? f->value_labels[d->n]
					  : f->values[d->n];
	}
	if (extra) {
		d->keys[d->n] = extra;
		d->labels[d->n++] = extra_label;
	}
	return 0;
}

/* Position of the ENUM value v (a JSON string) in d, -1 when unset or
 * unknown (a value a newer node knows). */
static int dim_find(const struct view_report_dim *d, const json_t *v)
{
	const char *s = json_string_value(v);

	for (size_t i = 0; s && i < d->n; i++)
		if (strcmp(s, d->keys[i]) == 0)
			return (int)i;
	return -1;
}

/* ---- tables ---- */

static void tab_init(struct view_report_tab *t, const char *name,
		     const char *title, const char *unit,
		     const struct view_report_dim *rows,
		     const struct view_report_dim *cols)
{
	memset(t, 0, sizeof(*t));
	t->name = name;
	t->title = title;
	t->unit = unit;
	t->rows = rows;
	t->cols = cols;
	t->R = rows->n;
	t->C = cols ? cols->n : 1;
}

static void tab_add(struct view_report_tab *t, size_t i, size_t j,
		    uint64_t n, int64_t v)
{
	t->n[i * t->C + j] += n;
	t->nr[i] += n;
	t->nc[j] += n;
	t->nt += n;
	t->v[i * t->C + j] += v;
	t->vr[i] += v;
	t->vc[j] += v;
	t->vt += v;
}

/* The masks of t (view_suppress.h); keep: the marks already set are
 * wishes (view_suppress_keep()). */
static int tab_protect(struct view_report_tab *t, int keep, struct err *e)
{
	int two = t->R > 1 && t->C > 1;
	struct view_suppress_table st = {
		t->R, t->C, t->n, two ? t->nr : NULL, two ? t->nc : NULL, t->nt
	};

	if (!keep) {
		memset(t->m, 0, sizeof(t->m));
		memset(t->mr, 0, sizeof(t->mr));
		memset(t->mc, 0, sizeof(t->mc));
		t->mt = 0;
	}
	return view_suppress_keep(&st, VIEW_SUPPRESS_THRESHOLD, t->m, t->mr,
				  t->mc, &t->mt, e);
}

/* ---- what the report reads ---- */

static int grow(void **p, size_t *cap, size_t n, size_t size, struct err *e)
{
	void *q;
	size_t nc;

	if (n < *cap)
		return 0;
	nc = *cap ? *cap * 2 : 64;
	q = realloc(*p, nc * size);
	if (!q)
		return err_set(e, ERR_NOMEM, "out of memory");
	*p = q;
	*cap = nc;
	return 0;
}

static int by_case_id(const void *a, const void *b)
{
	return id_cmp(&((const struct view_report_case *)a)->id,
		      &((const struct view_report_case *)b)->id);
}

static int by_dote_id(const void *a, const void *b)
{
	return id_cmp(&((const struct view_report_dote *)a)->id,
		      &((const struct view_report_dote *)b)->id);
}

/* The record a REF field f of fields names, in *id: 0 or -1. */
static int ref_of(const json_t *fields, const char *f, struct id *id)
{
	const char *s = json_string_value(json_object_get(fields, f));

	return s && id_parse(id, s) == 0 ? 0 : -1;
}

static long case_find(const struct view_report_ctx *r, const json_t *fields)
{
	struct view_report_case key, *c;

	if (ref_of(fields, "case_id", &key.id) < 0 || !r->ncases)
		return -1;
	c = bsearch(&key, r->cases, r->ncases, sizeof(key), by_case_id);
	return c ? c - r->cases : -1;
}

static struct view_report_dote *dote_find(const struct view_report_ctx *r,
					  const json_t *fields)
{
	struct view_report_dote key;

	if (ref_of(fields, "dote_id", &key.id) < 0 || !r->ndotes)
		return NULL;
	return bsearch(&key, r->dotes, r->ndotes, sizeof(key), by_dote_id);
}

/* 1 when the date text d ("YYYY-MM-DD"; NULL: unknown) is in the period
 * (always 1 without one; an unknown date is out of a given period). */
int view_report_in_period(const struct view_report_opts *o, const char *d)
{
	if (!o->from && !o->to)
		return 1;
	if (!d || strlen(d) < 10)
		return 0;
	return (!o->from || strncmp(d, o->from, 10) >= 0) &&
	       (!o->to || strncmp(d, o->to, 10) <= 0);
}

/* The UTC day of ms as "YYYY-MM-DD" in buf. */
const char *view_report_day_of(uint64_t ms, char buf[16])
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(buf, 16, "%Y-%m-%d", &tm))
		return NULL;
	return buf;
}

static const char *date_of(const json_t *fields, const char *f)
{
	return json_string_value(json_object_get(fields, f));
}

static int case_one(void *ctx, const struct store_record *rec)
{
	struct view_report_ctx *r = ctx;
	struct view_report_case *c;
	int rc;

	rc = grow((void **)&r->cases, &r->capcases, r->ncases,
		  sizeof(*r->cases), r->e);
	if (rc)
		return rc;
	c = &r->cases[r->ncases++];
	memset(c, 0, sizeof(*c));
	c->id = rec->id;
	c->region = dim_find(&r->region,
			     json_object_get(rec->fields, "region"));
	c->path = dim_find(&r->path, json_object_get(rec->fields, "stage"));
	c->bdi = dim_find(&r->bdi, json_object_get(rec->fields, "bdi_stage"));
	c->partner = -1;
	return 0;
}

static int dote_one(void *ctx, const struct store_record *rec)
{
	struct view_report_ctx *r = ctx;
	const char *st = date_of(rec->fields, "status");
	struct view_report_dote *d;
	int rc;

	rc = grow((void **)&r->dotes, &r->capdotes, r->ndotes,
		  sizeof(*r->dotes), r->e);
	if (rc)
		return rc;
	d = &r->dotes[r->ndotes++];
	memset(d, 0, sizeof(*d));
	d->id = rec->id;
	d->case_ix = case_find(r, rec->fields);
	d->partner = dim_find(&r->partner,
			      json_object_get(rec->fields, "partner"));
	d->live = !st || strcmp(st, "revoked") != 0;
	return 0;
}

static int ledger_one(void *ctx, const struct store_record *rec)
{
	struct view_report_ctx *r = ctx;
	struct view_report_dote *d = dote_find(r, rec->fields);
	int a = dim_find(&r->area, json_object_get(rec->fields, "area"));
	const json_t *amount = json_object_get(rec->fields, "amount_cents");

	if (!d || d->partner < 0 || a < 0 || !json_is_integer(amount) ||
	    !view_report_in_period(r->o, date_of(rec->fields, "date")))
		return 0;
	/* The contributors are counted once per dote and area, below. */
	tab_add(r->t[5], (size_t)a, (size_t)d->partner, 0,
		(int64_t)json_integer_value(amount));
	d->areas |= (uint8_t)(1u << a);
	return 0;
}

static int service_one(void *ctx, const struct store_record *rec)
{
	struct view_report_ctx *r = ctx;
	long c = case_find(r, rec->fields);
	int k = dim_find(&r->stype,
			 json_object_get(rec->fields, "service_type"));

	if (c < 0 || k < 0 || r->cases[c].region < 0 ||
	    !view_report_in_period(r->o, date_of(rec->fields, "date")))
		return 0;
	tab_add(r->t[6], (size_t)k, (size_t)r->cases[c].region, 1, 0);
	return 0;
}

static int referral_one(void *ctx, const struct store_record *rec)
{
	struct view_report_ctx *r = ctx;
	int k = dim_find(&r->rstatus, json_object_get(rec->fields, "status"));

	if (k < 0 ||
	    !view_report_in_period(r->o, date_of(rec->fields, "sent_on")))
		return 0;
	tab_add(r->t[7], (size_t)k, 0, 1, 0);
	return 0;
}

/* ---- the tables ---- */

static int read_all(struct view_report_ctx *r)
{
	struct err *e = r->e;
	struct view_case_times times;
	char day[16];
	int rc;

	rc = store_list(r->s, "case", 0, case_one, r, e);
	if (rc)
		return rc;
	if (r->ncases)
		qsort(r->cases, r->ncases, sizeof(*r->cases), by_case_id);
	for (size_t i = 0; i < r->ncases; i++) {
		r->cur = &r->cases[i];
		rc = view_case_times(r->s, &r->cur->id, &times, e);
		if (rc)
			return rc;
		r->cur->first = times.first;
		memcpy(r->cur->step, times.step, sizeof(r->cur->step));
		r->cur->in_period = view_report_in_period(
			r->o, r->cur->first
				      ? view_report_day_of(r->cur->first, day)
				      : NULL);
	}
	rc = store_list(r->s, "dote", 0, dote_one, r, e);
	if (rc)
		return rc;
	if (r->ndotes)
		qsort(r->dotes, r->ndotes, sizeof(*r->dotes), by_dote_id);
	rc = store_list(r->s, "ledger", 0, ledger_one, r, e);
	if (rc == 0)
		rc = store_list(r->s, "service", 0, service_one, r, e);
	if (rc == 0)
		rc = store_list(r->s, "referral", 0, referral_one, r, e);
	return rc;
}

/* Cases per region and BdI stage, per Polo path stage, and doti per
 * partner and their case's BdI stage. */
static int count_cases(struct view_report_ctx *r)
{
	struct view_report_tab *t1 = r->t[0], *t2 = r->t[1], *t3 = r->t[2];
	size_t none = r->bdi.n - 1, k;
	const struct view_report_case *c;
	int rc;

	for (size_t i = 0; i < r->ncases; i++) {
		c = &r->cases[i];
		/* Both tables count the same cases: they publish the same
		 * grand total. */
		if (!c->in_period || c->region < 0 || c->path < 0)
			continue;
		tab_add(t1, (size_t)c->region,
			c->bdi >= 0 ? (size_t)c->bdi : none, 1, 0);
		tab_add(t2, (size_t)c->path, 0, 1, 0);
	}
	for (size_t i = 0; i < r->ndotes; i++) {
		if (!r->dotes[i].live || r->dotes[i].partner < 0 ||
		    r->dotes[i].case_ix < 0)
			continue;
		c = &r->cases[r->dotes[i].case_ix];
		if (!c->in_period)
			continue;
		k = c->bdi >= 0 ? (size_t)c->bdi : none;
		tab_add(t3, (size_t)r->dotes[i].partner, k, 1, 0);
	}
	rc = tab_protect(t1, 0, r->e);
	if (rc == 0)
		rc = tab_protect(t2, 0, r->e);
	if (rc == 0)
		rc = tab_protect(t3, 0, r->e);
	/* The grand total of cases is in both t1 and t2: hidden in both
	 * or in neither.  Hiding more only adds cycles, so this ends. */
	for (int round = 0; rc == 0 && (!t1->mt) != (!t2->mt); round++) {
		if (round == 4)
			return err_set(r->e, ERR_FAIL,
				       "report: linked totals do not settle");
		t1->mt = t2->mt = VIEW_SUPPRESS_PRIMARY;
		rc = tab_protect(t1, 1, r->e);
		if (rc == 0)
			rc = tab_protect(t2, 1, r->e);
	}
	return rc;
}

/* Spending: contributors per cell, and the sums' wishes for totals whose
 * distinct doti are fewer than the threshold. */
static int count_spending(struct view_report_ctx *r)
{
	struct view_report_tab *t = r->t[5];
	uint64_t per_partner[VIEW_REPORT_COLS] = { 0 }, all = 0;

	for (size_t i = 0; i < r->ndotes; i++) {
		const struct view_report_dote *d = &r->dotes[i];

		if (!d->areas || d->partner < 0)
			continue;
		for (size_t a = 0; a < r->area.n; a++)
			if (d->areas & (1u << a))
				tab_add(t, a, (size_t)d->partner, 1, 0);
		per_partner[d->partner]++;
		all++;
	}
	memset(t->m, 0, sizeof(t->m));
	memset(t->mr, 0, sizeof(t->mr));
	memset(t->mc, 0, sizeof(t->mc));
	for (size_t j = 0; j < t->C; j++)
		t->mc[j] = per_partner[j] > 0 &&
			   per_partner[j] < VIEW_SUPPRESS_THRESHOLD;
	t->mt = all > 0 && all < VIEW_SUPPRESS_THRESHOLD;
	return tab_protect(t, 1, r->e);
}

static int dims(struct view_report_ctx *r, struct err *e)
{
	const struct schema_collection *c = schema_collection("case");
	const struct schema_field *f = c ? schema_field(c, "bdi_stage") : NULL;
	int rc;

	if (!f)
		return err_set(e, ERR_FAIL, "report: no case.bdi_stage");
	rc = dim_of(&r->region, "case", "region", NULL, NULL, e);
	if (rc == 0)
		rc = dim_of(&r->bdi, "case", "bdi_stage", "none",
			    "Fuori dalla procedura BdI", e);
	if (rc == 0)
		rc = dim_of(&r->path, "case", "stage", NULL, NULL, e);
	if (rc == 0)
		rc = dim_of(&r->partner, "dote", "partner", NULL, NULL, e);
	if (rc == 0)
		rc = dim_of(&r->area, "ledger", "area", NULL, NULL, e);
	if (rc == 0)
		rc = dim_of(&r->stype, "service", "service_type", NULL, NULL,
			    e);
	if (rc == 0)
		rc = dim_of(&r->rstatus, "referral", "status", NULL, NULL, e);
	if (rc == 0 &&
	    (r->region.n > VIEW_REPORT_COLS || r->bdi.n > VIEW_REPORT_COLS ||
	     r->partner.n > VIEW_REPORT_COLS || r->bdi.n > VIEW_REPORT_STEPS))
		rc = err_set(e, ERR_FAIL, "report: a dimension is too wide");
	return rc;
}

static void tabs_init(struct view_report_ctx *r)
{
	tab_init(r->t[0], "cases_bdi", "Casi per regione e fase BdI",
		 "cases", &r->region, &r->bdi);
	tab_init(r->t[1], "cases_path", "Casi per fase del percorso al Polo",
		 "cases", &r->path, NULL);
	tab_init(r->t[2], "cases_partner",
		 "Doti per partner e fase BdI del caso", "doti", &r->partner,
		 &r->bdi);
	r->t[2]->note = "Doti non revocate; un caso ha una dote";
	tab_init(r->t[5], "spending", "Spesa per area e partner (netta degli "
		 "storni)", "euro_cents", &r->area, &r->partner);
	r->t[5]->is_sum = 1;
	r->t[5]->note = "Centesimi di euro; nascosta se vi contribuiscono "
			"meno di 5 doti";
	tab_init(r->t[6], "services", "Servizi per tipo e regione del caso",
		 "services", &r->stype, &r->region);
	tab_init(r->t[7], "referrals", "Invii per stato", "referrals",
		 &r->rstatus, NULL);
}

/* Days in month m (1-12) of year y, Gregorian. */
static int month_days(int y, int m)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30,
				      31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : days[m - 1];
}

/*
 * A period bound d into out ("YYYY-MM-DD"): "YYYY-MM", or a date that is
 * the first day of its month (last 0: --from) or the last (last 1:
 * --to).  Whole months only: two reports over periods a few days apart
 * could be subtracted to give the counts of those days, 1-4 included,
 * which suppression hides in each.  NULL d: no bound (out ""); 1 when d
 * is well-formed.
 */
static int period_bound(const char *d, int last, char out[16])
{
	int y = 0, m = 0, day = 0, n = 0, ok;
	size_t len = d ? strlen(d) : 0;

	out[0] = '\0';
	if (!d)
		return 1;
	if (len == 7)
		ok = d[4] == '-' && sscanf(d, "%4d-%2d%n", &y, &m, &n) == 2 &&
		     n == 7;
	else
		ok = len == 10 && d[4] == '-' && d[7] == '-' &&
		     sscanf(d, "%4d-%2d-%2d%n", &y, &m, &day, &n) == 3 &&
		     n == 10;
	if (!ok || y < 1000 || y > 9999 || m < 1 || m > 12)
		return 0;
	if (day && day != (last ? month_days(y, m) : 1))
		return 0;
	snprintf(out, 16, "%04d-%02d-%02d", y, m,
		 last ? month_days(y, m) : 1);
	return 1;
}

int view_report(struct store *s, const struct view_report_opts *o,
		json_t **out, struct err *e)
{
	struct view_report_ctx r;
	struct view_report_opts period;
	char from[16], to[16];
	unsigned parts = o->parts ? o->parts : VIEW_REPORT_ALL;
	int rc;

	*out = NULL;
	memset(&r, 0, sizeof(r));
	r.s = s;
	r.e = e;
	if (!period_bound(o->from, 0, from))
		return err_set(e, ERR_INVALID,
			       "--from wants the first day of a month "
			       "(YYYY-MM or YYYY-MM-01): reports cover whole "
			       "calendar months");
	if (!period_bound(o->to, 1, to))
		return err_set(e, ERR_INVALID,
			       "--to wants the last day of a month (YYYY-MM "
			       "or YYYY-MM-DD, the month's last day): reports "
			       "cover whole calendar months");
	period = *o;
	period.from = o->from ? from : NULL;
	period.to = o->to ? to : NULL;
	r.o = &period;
	if (period.from && period.to && strcmp(from, to) > 0)
		return err_set(e, ERR_INVALID, "--from is after --to");
	rc = dims(&r, e);
	if (rc)
		goto out;
	for (size_t i = 0; i < VIEW_REPORT_TABLES; i++) {
		if (i == 3 || i == 4) /* built from the others */
			continue;
		r.t[i] = calloc(1, sizeof(*r.t[i]));
		if (!r.t[i]) {
			rc = err_set(e, ERR_NOMEM, "out of memory");
			goto out;
		}
	}
	tabs_init(&r);
	rc = store_role(s) == STORE_ROLE_HUB
		     ? registry_allocation_list(s, "dote",
						alloc_one, &r, e)
		     : 0;
	if (rc == 0)
		rc = read_all(&r);
	if (rc == 0)
		rc = count_cases(&r);
	if (rc == 0)
		rc = count_spending(&r);
	if (rc == 0)
		rc = tab_protect(r.t[6], 0, e);
	if (rc == 0)
		rc = tab_protect(r.t[7], 0, e);
	if (rc)
		goto out;
	*out = json_object();
	if (!*out) {
		rc = err_set(e, ERR_NOMEM, "out of memory");
		goto out;
	}
	rc = view_report_tables_json(&r, parts, *out, e);
	if (rc) {
		json_decref(*out);
		*out = NULL;
	}
out:
	for (size_t i = 0; i < VIEW_REPORT_TABLES; i++)
		free(r.t[i]);
	free(r.cases);
	free(r.dotes);
	return rc;
}
