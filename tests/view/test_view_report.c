/*
 * test_view_report.c - the indicators of `presidio report`
 * (view/view_report.h) on a hub store holding 22 synthetic cases written
 * through the store API with a clock the test moves: each table's
 * numbers against the truth, counts 1-4 hidden, no hidden entry
 * recomputable from what is published (solved: a hidden entry is
 * determined iff its unit vector lies in the row space of the table's
 * line equations), medians and 90th percentiles of the days between
 * BdI steps, a node that only sees its cases, the period, no personal
 * value or name in JSON or CSV, and the shape of both.
 */
#include "tests/view/view_fixture.h"
#include "view/view_report.h"

#include <math.h>

#include "tests/view/report_fixture.h"

/* ---- reading the report ---- */

static const json_t *table(const json_t *rep, const char *name)
{
	const json_t *t;
	size_t i;

	json_array_foreach(json_object_get(rep, "tables"), i, t)
		if (!strcmp(jstr_of(t, "name"), name))
			return t;
	return NULL;
}

static size_t key_ix(const json_t *dim, const char *key)
{
	const json_t *v;
	size_t i;

	json_array_foreach(json_object_get(dim, "keys"), i, v)
		if (!strcmp(json_string_value(v), key))
			return i;
	return SIZE_MAX;
}

/* Entry (i, j) of the extended table: cells, row totals in column C,
 * column totals in row R, the total at (R, C); a one-column table's
 * (i, 1) is its cell and (R, 0) its total. */
static const json_t *ent(const json_t *t, size_t i, size_t j, size_t R,
			 size_t C)
{
	if (C == 1 && j == 1)
		j = 0;
	if (i < R && j < C)
		return json_array_get(
			json_array_get(json_object_get(t, "cells"), i), j);
	if (i < R)
		return json_array_get(json_object_get(t, "row_totals"), i);
	if (j < C && C > 1)
		return json_array_get(json_object_get(t, "column_totals"), j);
	return json_object_get(t, "total");
}

static size_t rows_of(const json_t *t)
{
	return json_array_size(json_object_get(t, "cells"));
}

static size_t cols_of(const json_t *t)
{
	return json_array_size(
		json_object_get(json_object_get(t, "columns"), "keys"));
}

/* The value at (row key, column key; NULL: the one column, "" a total),
 * -1 when hidden, -2 when absent. */
static long long at(const json_t *t, const char *rk, const char *ck)
{
	size_t R = rows_of(t), C = cols_of(t);
	size_t i = *rk ? key_ix(json_object_get(t, "rows"), rk) : R;
	size_t j = !ck ? 0 : *ck ? key_ix(json_object_get(t, "columns"), ck)
				 : C;
	const json_t *v;

	if (i == SIZE_MAX || j == SIZE_MAX)
		return -2;
	v = ent(t, i, j, R, C);
	return !v ? -2 : json_is_null(v) ? -1 : json_integer_value(v);
}

/* ---- solving: is a hidden entry determined by the published ones? ---- */

#define NMAX 400

static double mat[2 * NMAX][NMAX];

/* Rank of the first n rows of mat over m columns (destroys mat). */
static size_t rank_of(size_t n, size_t m)
{
	size_t r = 0, best;
	double f;

	for (size_t col = 0; col < m && r < n; col++) {
		best = r;
		for (size_t i = r; i < n; i++)
			if (fabs(mat[i][col]) > fabs(mat[best][col]))
				best = i;
		if (fabs(mat[best][col]) < 1e-9)
			continue;
		for (size_t k = 0; k < m; k++) {
			f = mat[r][k];
			mat[r][k] = mat[best][k];
			mat[best][k] = f;
		}
		for (size_t i = 0; i < n; i++) {
			if (i == r || fabs(mat[i][col]) < 1e-12)
				continue;
			f = mat[i][col] / mat[r][col];
			for (size_t k = 0; k < m; k++)
				mat[i][k] -= f * mat[r][k];
		}
		r++;
	}
	return r;
}

/* Number of hidden entries of t that its line equations determine. */
static int determined(const json_t *t)
{
	size_t R = rows_of(t), C = cols_of(t), W = C == 1 ? 1 : C + 1;
	size_t var[40][20], nv = 0, neq = 0, base;
	static double eq[NMAX][NMAX];
	int bad = 0;

	for (size_t i = 0; i <= R; i++)
		for (size_t j = 0; j < W; j++) {
			var[i][j] = SIZE_MAX;
			if (json_is_null(ent(t, i, j == C ? C : j, R, C)))
				var[i][j] = nv++;
		}
	memset(eq, 0, sizeof(eq));
	if (C == 1) { /* the cells sum to the total */
		for (size_t i = 0; i <= R; i++)
			if (var[i][0] != SIZE_MAX)
				eq[0][var[i][0]] = i < R ? 1 : -1;
		neq = 1;
	} else {
		for (size_t i = 0; i <= R; i++, neq++)
			for (size_t j = 0; j <= C; j++)
				if (var[i][j] != SIZE_MAX)
					eq[neq][var[i][j]] = j < C ? 1 : -1;
		for (size_t j = 0; j <= C; j++, neq++)
			for (size_t i = 0; i <= R; i++)
				if (var[i][j] != SIZE_MAX)
					eq[neq][var[i][j]] = i < R ? 1 : -1;
	}
	memcpy(mat, eq, sizeof(eq));
	base = rank_of(neq, nv);
	for (size_t k = 0; k < nv; k++) {
		memcpy(mat, eq, sizeof(eq));
		memset(mat[neq], 0, sizeof(mat[neq]));
		mat[neq][k] = 1;
		bad += rank_of(neq + 1, nv) == base;
	}
	return bad;
}

/* Every published entry of t equals the truth, none is 1-4, and no
 * hidden one is determined. */
static int protected_ok(const json_t *t, const long long *truth)
{
	size_t R = rows_of(t), C = cols_of(t), W = C == 1 ? 1 : C + 1;
	const json_t *v;
	long long x;

	for (size_t i = 0; i <= R; i++)
		for (size_t j = 0; j < W; j++) {
			v = ent(t, i, j == C ? C : j, R, C);
			if (!v)
				return 0;
			if (json_is_null(v))
				continue;
			x = json_integer_value(v);
			if (truth && x != truth[i * W + j])
				return 0;
			if (!truth && x > 0 && x < 5)
				return 0;
		}
	return determined(t) == 0;
}

/* The extended table of true counts (cells, row totals, column totals,
 * total) for t, filled from the non-zero cells given. */
struct cell {
	const char *row, *col;
	long long n;
};

static void truth_of(const json_t *t, const struct cell *c, size_t n,
		     long long *out)
{
	size_t R = rows_of(t), C = cols_of(t), W = C == 1 ? 1 : C + 1;
	size_t i, j;

	memset(out, 0, sizeof(long long) * (R + 1) * W);
	for (size_t k = 0; k < n; k++) {
		i = key_ix(json_object_get(t, "rows"), c[k].row);
		j = C == 1 ? 0
			   : key_ix(json_object_get(t, "columns"), c[k].col);
		out[i * W + j] += c[k].n;
		out[R * W + j] += c[k].n;
		if (C > 1) {
			out[i * W + C] += c[k].n;
			out[R * W + C] += c[k].n;
		}
	}
}

static json_t *report_of(struct store *s, unsigned parts, const char *from)
{
	struct view_report_opts o = { parts, from, NULL };
	json_t *rep = NULL;

	if (view_report(s, &o, &rep, NULL))
		return NULL;
	return rep;
}

/* Cases per region and BdI stage, per Polo path stage, doti per partner
 * and stage, doti used and allocated: the truth where published, 1-4
 * never, nothing hidden recomputable; linked totals agree. */
static void test_view_report_cases(void)
{
	static const struct cell bdi[] = {
		{ "Campania", "identified", 3 }, { "Puglia", "in_charge", 10 },
		{ "Puglia", "closed", 2 }, { "Calabria", "submitted", 1 },
		{ "Sicilia", "validated", 6 },
	};
	static const struct cell path[] = {
		{ "intake", NULL, 3 }, { "assessment", NULL, 7 },
		{ "active", NULL, 10 }, { "closed", NULL, 2 },
	};
	static const struct cell partner[] = {
		{ "puglia", "in_charge", 10 }, { "puglia", "closed", 2 },
		{ "sicilia", "validated", 6 },
	};
	struct store *s = hub_fixture();
	json_t *rep = s ? report_of(s, 0, NULL) : NULL;
	const json_t *t, *d;
	long long truth[400];

	CHECK(rep);
	CHECK(!strcmp(jstr_of(rep, "scope"), "national"));
	CHECK(jint(rep, "threshold") == 5);
	t = table(rep, "cases_bdi");
	CHECK(t && rows_of(t) == 5 && cols_of(t) == 10);
	truth_of(t, bdi, 5, truth);
	CHECK(protected_ok(t, truth) && protected_ok(t, NULL));
	CHECK(at(t, "Campania", "identified") == -1);
	CHECK(at(t, "Calabria", "submitted") == -1);
	CHECK(at(t, "Puglia", "closed") == -1);
	CHECK(at(t, "Basilicata", "") == 0); /* zeros are published */
	CHECK(at(t, "Basilicata", "validated") == 0);
	CHECK(at(t, "Calabria", "") == -1 && at(t, "Campania", "") == -1);
	t = table(rep, "cases_path");
	CHECK(t && cols_of(t) == 1 && !json_object_get(t, "row_totals"));
	truth_of(t, path, 4, truth);
	CHECK(protected_ok(t, truth));
	CHECK(at(t, "intake", NULL) == -1 && at(t, "closed", NULL) == -1);
	CHECK(at(t, "assessment", NULL) == 7 && at(t, "active", NULL) == 10);
	CHECK(at(t, "", NULL) == 22);
	/* The grand total of cases is published alike in both tables. */
	CHECK(at(table(rep, "cases_bdi"), "", "") == 22);
	t = table(rep, "cases_partner");
	truth_of(t, partner, 3, truth);
	CHECK(t && protected_ok(t, truth));
	CHECK(at(t, "puglia", "closed") == -1 && at(t, "", "") == 18);
	/* Doti: used = cases_partner's row totals, with its masks (the 2
	 * closed hide Puglia's 12 here, and with them Sicilia's 6). */
	d = table(rep, "doti");
	CHECK(d && cols_of(d) == 2 && rows_of(d) == 6);
	CHECK(at(d, "puglia", "used") == at(t, "puglia", ""));
	CHECK(at(d, "sicilia", "used") == at(t, "sicilia", ""));
	CHECK(at(d, "nova", "used") == 0);
	CHECK(at(d, "puglia", "allocated") == 33);
	CHECK(at(d, "sicilia", "allocated") == 46);
	CHECK(json_integer_value(json_array_get(
		      json_object_get(d, "column_totals"), 1)) == 195);
	CHECK(json_integer_value(json_array_get(
		      json_object_get(d, "column_totals"), 0)) == 18);
	json_decref(rep);
	/* "allocated" is the hub's configuration (presidio hub allocation),
	 * read when the report is made. */
	rep = NULL;
	if (s) {
		struct err e;

		CHECK_OK(registry_allocation_set(s, "dote",
						 "puglia", 30, &e));
		rep = report_of(s, 0, NULL);
	}
	d = rep ? table(rep, "doti") : NULL;
	CHECK(d && at(d, "puglia", "allocated") == 30);
	CHECK(d && json_integer_value(json_array_get(
			   json_object_get(d, "column_totals"), 1)) == 192);
	json_decref(rep);
	store_close(s);
}

/* Spending: net sums in cents, hidden where fewer than 5 doti
 * contribute, nothing hidden recomputable; services; referrals. */
static void test_view_report_spending_services_referrals(void)
{
	static const struct cell contrib[] = {
		{ "housing", "puglia", 12 }, { "housing", "sicilia", 6 },
		{ "integration", "sicilia", 6 }, { "labour", "puglia", 3 },
	};
	static const struct cell svc[] = {
		{ "orientation", "Puglia", 12 },
		{ "orientation", "Sicilia", 6 },
		{ "mediation", "Puglia", 2 },
		{ "legal_protection", "Campania", 3 },
	};
	static const struct cell refs[] = {
		{ "proposed", NULL, 5 }, { "accepted", NULL, 2 },
	};
	struct store *s = hub_fixture();
	json_t *rep = s ? report_of(s, 0, NULL) : NULL;
	const json_t *t;
	long long truth[400];

	CHECK(rep);
	t = table(rep, "spending");
	CHECK(t && !strcmp(jstr_of(t, "unit"), "euro_cents"));
	CHECK(determined(t) == 0);
	CHECK(at(t, "labour", "puglia") == -1 && at(t, "labour", "") == -1);
	CHECK(at(t, "health_social", "puglia") == 0);
	/* What is published is the net sum. */
	CHECK(at(t, "housing", "puglia") == -1 ||
	      at(t, "housing", "puglia") == 1200000);
	CHECK(at(t, "housing", "sicilia") == -1 ||
	      at(t, "housing", "sicilia") == 290000);
	CHECK(at(t, "integration", "sicilia") == -1 ||
	      at(t, "integration", "sicilia") == 180000);
	CHECK(at(t, "", "") == -1 || at(t, "", "") == 1730000);
	CHECK(at(t, "", "sicilia") == -1 || at(t, "", "sicilia") == 470000);
	/* The same pattern protects the contributors' counts. */
	{
		json_t *c = json_deep_copy(t);
		size_t i, j;
		json_t *row;

		truth_of(c, contrib, 4, truth);
		json_array_foreach(json_object_get(c, "cells"), i, row)
			for (j = 0; j < json_array_size(row); j++)
				if (!json_is_null(json_array_get(row, j)))
					json_array_set_new(
						row, j,
						json_integer(truth[i * 7 + j]));
		CHECK(protected_ok(c, NULL));
		json_decref(c);
	}
	t = table(rep, "services");
	truth_of(t, svc, 4, truth);
	CHECK(t && protected_ok(t, truth));
	CHECK(at(t, "mediation", "Puglia") == -1);
	CHECK(at(t, "legal_protection", "Campania") == -1);
	t = table(rep, "referrals");
	truth_of(t, refs, 2, truth);
	CHECK(t && protected_ok(t, truth));
	CHECK(at(t, "accepted", NULL) == -1 && at(t, "proposed", NULL) == -1);
	CHECK(at(t, "", NULL) == 7 && at(t, "declined", NULL) == 0);
	json_decref(rep);
	store_close(s);
}

static double stat_of(const json_t *t, const char *key, size_t col)
{
	size_t i = key_ix(json_object_get(t, "rows"), key);
	const json_t *v = json_array_get(
		json_array_get(json_object_get(t, "cells"), i), col);

	return json_is_null(v) ? -1 : json_number_value(v);
}

/* Days between steps: counts, medians and 90th percentiles; fewer than
 * 5 cases publish nothing. */
static void test_view_report_days(void)
{
	struct store *s = hub_fixture();
	json_t *rep = s ? report_of(s, VIEW_REPORT_DAYS, NULL) : NULL;
	const json_t *t = rep ? table(rep, "days") : NULL;

	CHECK(t && json_array_size(json_object_get(rep, "tables")) == 1);
	CHECK(stat_of(t, "identified_submitted", 0) == 12);
	CHECK(stat_of(t, "identified_submitted", 1) == 6.5);
	CHECK(stat_of(t, "identified_submitted", 2) == 11);
	CHECK(stat_of(t, "submitted_validated", 0) == 18);
	CHECK(stat_of(t, "submitted_validated", 1) == 3);
	CHECK(stat_of(t, "submitted_validated", 2) == 10);
	CHECK(stat_of(t, "validated_matched", 1) == 5);
	CHECK(stat_of(t, "matched_in_charge", 2) == 1);
	CHECK(stat_of(t, "first_contact_in_charge", 0) == 12);
	CHECK(stat_of(t, "first_contact_in_charge", 1) == 15.5);
	CHECK(stat_of(t, "first_contact_in_charge", 2) == 20);
	/* 2 cases closed: hidden count, no statistics. */
	CHECK(stat_of(t, "in_charge_closed", 0) == -1);
	CHECK(stat_of(t, "in_charge_closed", 1) == -1);
	CHECK(stat_of(t, "in_charge_closed", 2) == -1);
	json_decref(rep);
	store_close(s);
}

/* Ship the hub's changes of Sicilia's records to a node (as sync does
 * for its scope) and report there: its cases only, no allocation. */
static int ship_sicilia(void *ctx, const struct store_change *c)
{
	for (size_t i = 0; i < nrecs; i++)
		if (recs[i].sicilia && !id_cmp(&recs[i].id, &c->record))
			return ship_one(ctx, c);
	return 0;
}

static void test_view_report_node_scope(void)
{
	struct store *hub = hub_fixture(), *node;
	struct ship_ctx sh = { NULL, 0, 0 };
	json_t *rep = NULL;
	const json_t *t;

	CHECK(hub);
	node = fixture_node("pda-s", STORE_ROLE_NODE, "m.rossi");
	CHECK(node);
	store_set_clock(node, test_clock, NULL);
	CHECK_OK(store_node_set(node, store_node_id(hub), "hub",
				STORE_ROLE_HUB, NULL));
	sh.to = node;
	CHECK_OK(store_log(hub, 0, 0, STORE_VALUES_PARSED, ship_sicilia, &sh,
			   NULL));
	CHECK(sh.failed == 0 && sh.applied > 30);
	rep = report_of(node, 0, NULL);
	CHECK(rep && !strcmp(jstr_of(rep, "scope"), "node"));
	t = table(rep, "cases_bdi");
	CHECK(at(t, "Sicilia", "validated") == 6 && at(t, "", "") == 6);
	CHECK(at(t, "Puglia", "") == 0 && at(t, "Campania", "") == 0);
	t = table(rep, "doti");
	CHECK(cols_of(t) == 1 && at(t, "sicilia", "used") == 6);
	CHECK(at(t, "puglia", "used") == 0);
	t = table(rep, "days");
	CHECK(stat_of(t, "submitted_validated", 0) == 6);
	CHECK(stat_of(t, "submitted_validated", 1) == 10);
	/* 6 cases: the 90th percentile would be the largest: hidden. */
	CHECK(stat_of(t, "submitted_validated", 2) == -1);
	/* No case reached in_charge here: the count 0, no statistic. */
	CHECK(stat_of(t, "matched_in_charge", 0) == 0);
	CHECK(json_array_size(json_array_get(
		      json_object_get(t, "cells"),
		      key_ix(json_object_get(t, "rows"),
			     "matched_in_charge"))) == 1);
	json_decref(rep);
	store_close(node);
	store_close(hub);
}

/* The period: cases by their first contact. */
static void test_view_report_period(void)
{
	struct store *s = hub_fixture();
	struct view_report_opts o = { 0, "2027-01-01", "2026-01-01" };
	json_t *rep = s ? report_of(s, VIEW_REPORT_CASES_PATH, SICILIA_FROM)
			: NULL;
	struct err e;

	CHECK(rep);
	/* Sicilia 5, Campania 3, Calabria 1 are opened from that month. */
	CHECK(at(table(rep, "cases_path"), "", NULL) == 9);
	CHECK(strcmp(json_string_value(json_object_get(rep, "from")),
		     "2027-01-01") == 0);
	json_decref(rep);
	rep = NULL;
	err_init(&e);
	CHECK(view_report(s, &o, &rep, &e) == ERR_INVALID && !rep);
	o.from = "2026-13-01";
	CHECK(view_report(s, &o, &rep, &e) == ERR_INVALID && !rep);
	store_close(s);
}

/* Whole calendar months only: periods a few days apart could be
 * subtracted to give the counts of those days, 1-4 included.  --from is
 * a month's first day, --to its last (leap years counted), or either a
 * month "YYYY-MM". */
static void test_view_report_period_whole_months(void)
{
	static const char *const bad_from[] = { "2026-12-31", "2026-12-02",
						"2026-12-1", NULL };
	static const char *const bad_to[] = { "2026-11-29", "2028-02-28",
					      "2026-11-01", "2026-1", NULL };
	struct store *s = hub_fixture();
	struct view_report_opts o = { VIEW_REPORT_CASES_PATH, NULL,
				      "2026-11" };
	json_t *rep = NULL;
	struct err e;

	CHECK(s != NULL);
	if (!s)
		return;
	err_init(&e);
	/* Puglia's cases 0 to 10 are opened by the end of November. */
	CHECK_OK(view_report(s, &o, &rep, &e));
	CHECK(at(table(rep, "cases_path"), "", NULL) == 11);
	CHECK(strcmp(json_string_value(json_object_get(rep, "to")),
		     "2026-11-30") == 0);
	json_decref(rep);
	rep = NULL;
	o.to = "2026-11-30";
	CHECK_OK(view_report(s, &o, &rep, &e));
	CHECK(at(table(rep, "cases_path"), "", NULL) == 11);
	json_decref(rep);
	rep = NULL;
	o.from = "2026-02";
	o.to = "2028-02-29";
	CHECK_OK(view_report(s, &o, &rep, &e));
	json_decref(rep);
	rep = NULL;
	o.to = NULL;
	for (size_t i = 0; bad_from[i]; i++) {
		o.from = bad_from[i];
		CHECK(view_report(s, &o, &rep, &e) == ERR_INVALID && !rep);
		CHECK(strstr(e.msg, "--from") && strstr(e.msg, "month"));
	}
	o.from = NULL;
	for (size_t i = 0; bad_to[i]; i++) {
		o.to = bad_to[i];
		CHECK(view_report(s, &o, &rep, &e) == ERR_INVALID && !rep);
		CHECK(strstr(e.msg, "--to") != NULL);
	}
	store_close(s);
}

/* Every string of a PERSONAL field of every record held (list items
 * too) is absent from both texts; counts the values looked for. */
struct personal_ctx {
	const char *js, *csv;
	long looked, found;
};

static void personal_value(struct personal_ctx *p, const json_t *v)
{
	const char *s = json_string_value(v);

	if (!s || strlen(s) < 4)
		return;
	p->looked++;
	p->found += strstr(p->js, s) || strstr(p->csv, s);
}

static int personal_one(void *ctx, const struct store_record *r)
{
	struct personal_ctx *p = ctx;
	const json_t *v, *x;
	size_t i;

	for (size_t f = 0; f < r->coll->nfields; f++) {
		if (!(r->coll->fields[f].flags & SCHEMA_PERSONAL))
			continue;
		v = json_object_get(r->fields, r->coll->fields[f].name);
		personal_value(p, v);
		json_array_foreach(v, i, x)
			personal_value(p, x);
	}
	return 0;
}

/* No personal value, name or id in JSON or CSV; the CSV's shape. */
static void test_view_report_no_personal_data_and_csv(void)
{
	static const char *const secrets[] = {
		"Zorbatest", "Quagliarulo", "QGLZRB80A01H501X",
		"Situazionesegreta", "Affittosegreto", "Motivosegreto",
		"att-puglia", "m.rossi"
	};
	struct store *s = hub_fixture();
	json_t *rep = s ? report_of(s, 0, NULL) : NULL;
	char *js = rep ? json_dumps(rep, 0) : NULL, *csv = NULL, *p;
	char idt[ID_TEXT_LEN + 1];
	size_t lines = 0, semis;
	struct err e;

	CHECK(js);
	err_init(&e);
	CHECK_OK(view_report_csv(rep, &csv, &e));
	for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++)
		CHECK(!strstr(js, secrets[i]) && !strstr(csv, secrets[i]));
	for (size_t i = 0; i < nrecs; i++) {
		id_format(&recs[i].id, idt);
		CHECK(!strstr(js, idt) && !strstr(csv, idt));
	}
	{
		struct personal_ctx pc = { js, csv, 0, 0 };

		CHECK_OK(store_list(s, NULL, 1, personal_one, &pc, NULL));
		CHECK(pc.looked >= 22 * 2 && pc.found == 0);
	}
	CHECK(!strncmp(csv, "tabella;titolo;riga;colonna;valore\r\n", 36));
	/* Every line has five fields (no label holds ';'). */
	for (p = csv; *p; lines++) {
		semis = 0;
		for (; *p && *p != '\n'; p++)
			semis += *p == ';';
		CHECK(semis == 4);
		if (*p)
			p++;
	}
	CHECK(lines > 100);
	CHECK(strstr(csv, "\r\ncases_path;Casi per fase del percorso al Polo;"
			  "Valutazione;Numero;7\r\n"));
	CHECK(strstr(csv, "\r\ncases_path;Casi per fase del percorso al Polo;"
			  "Accoglienza;Numero;riservato\r\n"));
	CHECK(strstr(csv, ";Totale;Totale;22\r\n"));
	CHECK(strstr(csv, "\r\nspending;"));
	CHECK(strstr(csv, ";Area politiche attive del lavoro;Puglia;"
			  "riservato\r\n"));
	CHECK(strstr(csv, ";Identificazione") == NULL);
	CHECK(strstr(csv, "Primo contatto -> Presa in carico;Mediana "
			  "(giorni);15,5\r\n"));
	/* Euro with two decimals and a decimal comma wherever published. */
	CHECK(!strstr(csv, "1200000") && !strstr(csv, "290000\r"));
	free(csv);
	free(js);
	/* Not a report: refused. */
	CHECK(view_report_csv(json_object_get(rep, "tables"), &csv, &e) ==
	      ERR_INVALID && !csv);
	json_decref(rep);
	store_close(s);
}

/* The solver itself: one hidden cell in a line is determined; a 2 x 2
 * cycle of hidden cells is not. */
static void test_view_report_solver(void)
{
	json_t *t = json_loads(
		"{\"rows\":{\"keys\":[\"a\",\"b\"]},"
		"\"columns\":{\"keys\":[\"x\",\"y\"]},"
		"\"cells\":[[null,7],[6,8]],\"row_totals\":[10,14],"
		"\"column_totals\":[9,15],\"total\":24}", 0, NULL);

	CHECK(t);
	CHECK(determined(t) == 1 && !protected_ok(t, NULL));
	json_array_set_new(json_array_get(json_object_get(t, "cells"), 0), 1,
			   json_null());
	CHECK(determined(t) == 2);
	json_array_set_new(json_array_get(json_object_get(t, "cells"), 1), 0,
			   json_null());
	json_array_set_new(json_array_get(json_object_get(t, "cells"), 1), 1,
			   json_null());
	CHECK(determined(t) == 0);
	json_decref(t);
}

static void test_view_report_parts(void)
{
	unsigned part = 0;
	struct err e;

	err_init(&e);
	CHECK_OK(view_report_part("spending", &part, &e));
	CHECK(part == VIEW_REPORT_SPENDING);
	CHECK_OK(view_report_part("referrals", &part, &e));
	CHECK(part == VIEW_REPORT_REFERRALS);
	CHECK(view_report_part("nope", &part, &e) == ERR_INVALID);
	CHECK(strstr(e.msg, "nope") && strstr(e.msg, "cases_bdi"));
	CHECK(view_report_part("Mario Rossi", &part, &e) == ERR_INVALID);
	CHECK(!strstr(e.msg, "Mario"));
}

TEST_MAIN(T(test_view_report_cases),
	  T(test_view_report_spending_services_referrals),
	  T(test_view_report_days), T(test_view_report_node_scope),
	  T(test_view_report_period),
	  T(test_view_report_period_whole_months),
	  T(test_view_report_no_personal_data_and_csv),
	  T(test_view_report_solver), T(test_view_report_parts))
