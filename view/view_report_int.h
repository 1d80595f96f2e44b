/*
 * view_report_int.h - what the files of the report view share, inside
 * view/ only: view_report.c reads the records and builds the protected
 * tables, view_report_json.c turns them into the report's JSON.  See
 * view_report.h for what the report is.  Everything here is owned by one
 * struct view_report_ctx, on view_report()'s stack; its arrays are freed
 * there.
 */
#ifndef PRESIDIO_VIEW_VIEW_REPORT_INT_H
#define PRESIDIO_VIEW_VIEW_REPORT_INT_H

#include <jansson.h>
#include <stdint.h>

#include "registry/registry.h"
#include "view/view_case.h"
#include "view/view_report.h"

#define VIEW_REPORT_ROWS 32  /* values of a row dimension, at most */
#define VIEW_REPORT_COLS 16  /* values of a column dimension, at most */
#define VIEW_REPORT_STEPS VIEW_CASE_STEPS /* values of case.bdi_stage */
#define VIEW_REPORT_TABLES 8 /* the parts, in order */

/* A dimension: the values of a declared ENUM (and maybe one more). */
struct view_report_dim {
	const char *name, *label;
	const char *keys[VIEW_REPORT_ROWS], *labels[VIEW_REPORT_ROWS];
	size_t n;
};

struct view_report_tab {
	const char *name, *title, *unit, *note;
	const struct view_report_dim *rows, *cols; /* cols NULL: one column */
	size_t R, C;
	int is_sum; /* publishes v (sums); n counts contributors */
	/* counts (n), published values (v: sums), masks (m): cells
	 * row-major, then row totals, column totals, the total */
	uint64_t n[VIEW_REPORT_ROWS * VIEW_REPORT_COLS];
	uint64_t nr[VIEW_REPORT_ROWS], nc[VIEW_REPORT_COLS], nt;
	int64_t v[VIEW_REPORT_ROWS * VIEW_REPORT_COLS];
	int64_t vr[VIEW_REPORT_ROWS], vc[VIEW_REPORT_COLS], vt;
	uint8_t m[VIEW_REPORT_ROWS * VIEW_REPORT_COLS];
	uint8_t mr[VIEW_REPORT_ROWS], mc[VIEW_REPORT_COLS], mt;
};

struct view_report_case {
	struct id id;
	int region, path, bdi, partner; /* -1: unset or unknown */
	int in_period;
	uint64_t first;                 /* first change, ms (0: unknown) */
	uint64_t step[VIEW_REPORT_STEPS]; /* each BdI value first set, ms */
};

struct view_report_dote {
	struct id id;
	long case_ix; /* -1: case not held */
	int partner;
	int live;     /* status is not revoked */
	uint8_t areas; /* bit a: a ledger entry in area a */
};

struct view_report_ctx {
	struct store *s;
	const struct view_report_opts *o;
	struct view_report_dim region, bdi, path, partner, area, stype, rstatus;
	struct view_report_case *cases;
	size_t ncases, capcases;
	struct view_report_dote *dotes;
	size_t ndotes, capdotes;
	/* in part order; t[3] (doti) and t[4] (days) are not tables */
	struct view_report_tab *t[VIEW_REPORT_TABLES];
	struct view_report_case *cur; /* the case whose history is read */
	struct registry_allocation alloc[16]; /* the hub's, per partner */
	size_t nalloc;
	struct err *e;
};


/* The doti the hub allocates to partner (0: none, or not the hub). */
long long view_report_allocated(const struct view_report_ctx *r,
				const char *partner);

/* 1 when the date text d (NULL: unknown) is in o's period. */
int view_report_in_period(const struct view_report_opts *o, const char *d);

/* The UTC day of ms as "YYYY-MM-DD" in buf (NULL if it cannot be). */
const char *view_report_day_of(uint64_t ms, char buf[16]);

/* Add the selected tables of r to out ("tables"), with the report's
 * head.  0, ERR_NOMEM, ERR_FAIL (a BdI stage missing). */
int view_report_tables_json(struct view_report_ctx *r, unsigned parts,
			    json_t *out, struct err *e) ERR_MUST_USE;

#endif
