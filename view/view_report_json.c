/*
 * view_report_json.c - the report's JSON (view_report.h): each protected
 * table with its dimensions and masks applied (a hidden entry is null),
 * doti used and allocated, and the days between the BdI steps.
 */
#include "view/view_report_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "view/view_suppress.h"

#define DAY_MS 86400000.0

/* A published entry's value (n, or v for sums), or null when hidden. */
static json_t *tab_val(const struct view_report_tab *t, uint8_t mask,
		       uint64_t n, int64_t v)
{
	if (mask)
		return json_null();
	return json_integer(t->is_sum ? (json_int_t)v : (json_int_t)n);
}

static json_t *dim_json(const struct view_report_dim *d, const char *name,
			const char *label)
{
	json_t *o = json_object(), *k = json_array(), *l = json_array();
	size_t i;

	json_object_set_new(o, "name", json_string(d ? d->name : name));
	json_object_set_new(o, "label", json_string(d ? d->label : label));
	for (i = 0; d && i < d->n; i++) {
		json_array_append_new(k, json_string(d->keys[i]));
		json_array_append_new(l, json_string(d->labels[i]));
	}
	if (!d) {
		json_array_append_new(k, json_string(name));
		json_array_append_new(l, json_string(label));
	}
	json_object_set_new(o, "keys", k);
	json_object_set_new(o, "labels", l);
	return o;
}

/* The head every table shares: name, title, unit, note, rows, columns. */
static json_t *head_json(const char *name, const char *title,
			 const char *unit, const char *note)
{
	json_t *o = json_object();

	json_object_set_new(o, "name", json_string(name));
	json_object_set_new(o, "title", json_string(title));
	json_object_set_new(o, "unit", json_string(unit));
	if (note)
		json_object_set_new(o, "note", json_string(note));
	return o;
}

static json_t *tab_json(const struct view_report_tab *t)
{
	json_t *o = head_json(t->name, t->title, t->unit, t->note);
	json_t *cells = json_array(), *row, *rt = json_array(),
	       *ct = json_array();
	size_t i, j, k;

	json_object_set_new(o, "rows", dim_json(t->rows, NULL, NULL));
	json_object_set_new(o, "columns",
			    dim_json(t->cols, "count", "Numero"));
	for (i = 0; i < t->R; i++) {
		row = json_array();
		for (j = 0; j < t->C; j++) {
			k = i * t->C + j;
			json_array_append_new(row, tab_val(t, t->m[k], t->n[k],
							   t->v[k]));
		}
		json_array_append_new(cells, row);
		json_array_append_new(rt, tab_val(t, t->mr[i], t->nr[i],
						  t->vr[i]));
	}
	for (j = 0; j < t->C; j++)
		json_array_append_new(ct, tab_val(t, t->mc[j], t->nc[j],
						  t->vc[j]));
	json_object_set_new(o, "cells", cells);
	if (t->C > 1) {
		json_object_set_new(o, "row_totals", rt);
		json_object_set_new(o, "column_totals", ct);
	} else {
		json_decref(rt);
		json_decref(ct);
	}
	json_object_set_new(o, "total", tab_val(t, t->mt, t->nt, t->vt));
	return o;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static json_t *days_val(uint64_t ms)
{
	return json_real(round((double)ms / DAY_MS * 10.0) / 10.0);
}

/* One interval: from step a (-1: first contact) to step b. */
static int days_row(struct view_report_ctx *r, int a, int b, uint64_t *buf,
		    json_t *cells)
{
	const struct view_report_case *c;
	uint64_t from, to;
	size_t n = 0;
	char day[16];
	json_t *row = json_array();

	for (size_t i = 0; i < r->ncases; i++) {
		c = &r->cases[i];
		from = a < 0 ? c->first : c->step[a];
		to = c->step[b];
		if (!from || !to ||
		    !view_report_in_period(r->o, view_report_day_of(to, day)))
			continue;
		buf[n++] = to > from ? to - from : 0;
	}
	if (n)
		qsort(buf, n, sizeof(*buf), cmp_u64);
	if (n > 0 && n < VIEW_SUPPRESS_THRESHOLD) {
		json_array_append_new(row, json_null());
	} else {
		json_array_append_new(row, json_integer((json_int_t)n));
	}
	if (n > 0 && n < VIEW_SUPPRESS_THRESHOLD) {
		json_array_append_new(row, json_null());
		json_array_append_new(row, json_null());
	} else if (n > 0) { /* with none, there is no statistic at all */
		json_array_append_new(row,
				      n % 2 ? days_val(buf[n / 2])
					    : days_val((buf[n / 2 - 1] +
							buf[n / 2]) / 2));
		/* Below 10 cases the nearest rank is the largest value,
		 * one case's own interval: not published. */
		json_array_append_new(row,
				      n < 2 * VIEW_SUPPRESS_THRESHOLD
					      ? json_null()
					      : days_val(buf[(9 * n + 9) / 10 -
							     1]));
	}
	return json_array_append_new(cells, row) ? ERR_NOMEM : 0;
}

static int days_json(struct view_report_ctx *r, json_t **out, struct err *e)
{
	static const char *const from[] = {
		"identified", "submitted", "validated", "matched",
		"in_charge", NULL
	};
	static const char *const to[] = {
		"submitted", "validated", "matched", "in_charge", "closed",
		"in_charge"
	};
	json_t *o = head_json("days", "Giorni tra le fasi BdI", "days",
			      "Numero di casi, mediana e 90° percentile dei "
			      "giorni; null: da 1 a 4 casi (il 90° "
			      "percentile: meno di 10); senza casi, solo il "
			      "numero");
	json_t *cells = json_array(), *rows, *keys = json_array(),
	       *labels = json_array(), *cols;
	uint64_t *buf = calloc(r->ncases + 1, sizeof(*buf));
	int a, b, rc = buf && o && cells ? 0 : ERR_NOMEM;
	char key[64], label[160];

	for (size_t i = 0; rc == 0 && i < 6; i++) {
		a = b = -1;
		for (size_t k = 0; k < r->bdi.n; k++) {
			if (strcmp(r->bdi.keys[k], to[i]) == 0)
				b = (int)k;
			if (from[i] && strcmp(r->bdi.keys[k], from[i]) == 0)
				a = (int)k;
		}
		if (b < 0 || (from[i] && a < 0) || b >= VIEW_REPORT_STEPS) {
			rc = err_set(e, ERR_FAIL, "report: no BdI stage %s",
				     to[i]);
			break;
		}
		snprintf(key, sizeof(key), "%s_%s",
			 from[i] ? from[i] : "first_contact", to[i]);
		snprintf(label, sizeof(label), "%s -> %s",
			 from[i] ? r->bdi.labels[a] : "Primo contatto",
			 r->bdi.labels[b]);
		json_array_append_new(keys, json_string(key));
		json_array_append_new(labels, json_string(label));
		rc = days_row(r, from[i] ? a : -1, b, buf, cells);
	}
	free(buf);
	rows = json_pack("{s:s,s:s,s:o,s:o}", "name", "interval", "label",
			 "Intervallo", "keys", keys, "labels", labels);
	cols = json_pack("{s:s,s:s,s:[sss],s:[sss]}", "name", "statistic",
			 "label", "Statistica", "keys", "count", "median",
			 "p90", "labels", "Casi", "Mediana (giorni)",
			 "90° percentile (giorni)");
	if (rc == 0 && (!rows || !cols))
		rc = err_set(e, ERR_NOMEM, "out of memory");
	json_object_set_new(o, "rows", rows);
	json_object_set_new(o, "columns", cols);
	json_object_set_new(o, "cells", cells);
	if (rc) {
		json_decref(o);
		o = NULL;
	}
	*out = o;
	return rc;
}

/* Doti used per partner: "cases_partner"'s row totals with its masks
 * (the same numbers, so the same protection); the hub adds the
 * allocation, which is configuration, not a count of people. */
static json_t *doti_json(const struct view_report_ctx *r, int hub)
{
	const struct view_report_tab *t = r->t[2];
	json_t *o = head_json("doti", "Doti usate e assegnate per partner",
			      "doti",
			      "Usate: doti non revocate; assegnate: "
			      "l'allocazione dell'hub");
	json_t *cells = json_array(), *row, *tot = json_array();
	long long all = 0, a;

	json_object_set_new(o, "rows", dim_json(&r->partner, NULL, NULL));
	json_object_set_new(
		o, "columns",
		hub ? json_pack("{s:s,s:s,s:[ss],s:[ss]}", "name", "doti",
				"label", "Doti", "keys", "used", "allocated",
				"labels", "Usate", "Assegnate")
		    : json_pack("{s:s,s:s,s:[s],s:[s]}", "name", "doti",
				"label", "Doti", "keys", "used", "labels",
				"Usate"));
	for (size_t i = 0; i < r->partner.n; i++) {
		row = json_array();
		json_array_append_new(row, tab_val(t, t->mr[i], t->nr[i], 0));
		if (hub) {
			a = view_report_allocated(r, r->partner.keys[i]);
			all += a;
			json_array_append_new(row, json_integer(a));
		}
		json_array_append_new(cells, row);
	}
	json_object_set_new(o, "cells", cells);
	json_array_append_new(tot, tab_val(t, t->mt, t->nt, 0));
	if (hub)
		json_array_append_new(tot, json_integer(all));
	json_object_set_new(o, "column_totals", tot);
	return o;
}

int view_report_tables_json(struct view_report_ctx *r, unsigned parts,
			    json_t *out, struct err *e)
{
	int hub = store_role(r->s) == STORE_ROLE_HUB;
	json_t *tables = json_array(), *t;
	int rc = 0;

	json_object_set_new(out, "report", json_string("presidio"));
	json_object_set_new(out, "scope",
			    json_string(hub ? "national" : "node"));
	json_object_set_new(out, "node", json_string(store_node_name(r->s)));
	json_object_set_new(out, "threshold",
			    json_integer(VIEW_SUPPRESS_THRESHOLD));
	json_object_set_new(out, "from", r->o->from ? json_string(r->o->from)
						    : json_null());
	json_object_set_new(out, "to", r->o->to ? json_string(r->o->to)
						: json_null());
	for (unsigned i = 0; rc == 0 && i < VIEW_REPORT_TABLES; i++) {
		if (!(parts & (1u << i)))
			continue;
		t = NULL;
		if (i == 3)
			t = doti_json(r, hub);
		else if (i == 4)
			rc = days_json(r, &t, e);
		else
			t = tab_json(r->t[i]);
		if (rc)
			break;
		if (!t || json_array_append_new(tables, t))
			rc = err_set(e, ERR_NOMEM, "out of memory");
	}
	if (json_object_set_new(out, "tables", tables) && rc == 0)
		rc = err_set(e, ERR_NOMEM, "out of memory");
	return rc;
}

