/*
 * view_suppress.c - primary and complementary cell suppression for the
 * aggregate reports (view_suppress.h).
 *
 * Everything works on the (R+1) x (C+1) table of cells and totals through
 * entry(), which maps a position to its count and its mask byte.  A total
 * the caller did not pass (a one-row or one-column table) maps to the
 * entry it equals (the cell, or the grand total), so that the same byte
 * is seen from both places and neither stage (the lines' rule, then the
 * cycles of the graph of suppressed entries) needs a special case for
 * one-dimensional tables.
 */
#include "view/view_suppress.h"

#include <stdio.h>
#include <stdlib.h>

/* The table and the masks being filled. */
struct sup {
	const struct view_suppress_table *t;
	size_t R, C;      /* rows and columns of cells */
	uint8_t *cells;   /* R * C marks */
	uint8_t *rows;    /* R marks, or NULL when t->row_tot is */
	uint8_t *cols;    /* C marks, or NULL when t->col_tot is */
	uint8_t *total;   /* the grand total's mark */
};

/* A row (col == 0) or column of the extended table: its entries 0..n-1
 * are cells or totals, entry n is its margin. */
struct line {
	int col;  /* 1 for a column */
	size_t k; /* its index, 0..R for a row, 0..C for a column */
	size_t n; /* entries before the margin: C for a row, R for a column */
};

/* Count at position (i, j) of the extended table (i <= R, j <= C) in *v;
 * returns its mask byte. */
static uint8_t *entry(const struct sup *x, size_t i, size_t j, uint64_t *v)
{
	const struct view_suppress_table *t = x->t;

	if (i < x->R && j < x->C) {
		*v = t->cells[i * x->C + j];
		return &x->cells[i * x->C + j];
	}
	if (i < x->R) { /* row i's total */
		if (t->row_tot) {
			*v = t->row_tot[i];
			return &x->rows[i];
		}
		if (x->C == 1) { /* the row is its one cell */
			*v = t->cells[i];
			return &x->cells[i];
		}
		*v = t->total; /* one row: its total is the grand total */
		return x->total;
	}
	if (j < x->C) { /* column j's total */
		if (t->col_tot) {
			*v = t->col_tot[j];
			return &x->cols[j];
		}
		if (x->R == 1) {
			*v = t->cells[j];
			return &x->cells[j];
		}
		*v = t->total;
		return x->total;
	}
	*v = t->total;
	return x->total;
}

static uint8_t *line_entry(const struct sup *x, const struct line *l,
			   size_t idx, uint64_t *v)
{
	return l->col ? entry(x, idx, l->k, v) : entry(x, l->k, idx, v);
}

static struct line line_of(const struct sup *x, int col, size_t k)
{
	struct line l = { col, k, col ? x->R : x->C };

	return l;
}

/* "row 2", "column 0", "the column totals", "the row totals". */
static void line_name(const struct sup *x, const struct line *l, char *buf,
		      size_t len)
{
	if (!l->col && l->k == x->R)
		snprintf(buf, len, "the column totals");
	else if (l->col && l->k == x->C)
		snprintf(buf, len, "the row totals");
	else
		snprintf(buf, len, "%s %zu", l->col ? "column" : "row", l->k);
}

/* 0 when l's entries sum to its margin without overflow; the message
 * names the line, never a count (counts below the threshold must not
 * reach a log either). */
static int line_check(const struct sup *x, const struct line *l,
		      struct err *e)
{
	uint64_t sum = 0, v, margin;
	char name[64];
	int rc = 0;

	for (size_t idx = 0; idx < l->n; idx++) {
		line_entry(x, l, idx, &v);
		if (v > UINT64_MAX - sum) {
			line_name(x, l, name, sizeof(name));
			rc = err_set(e, ERR_INVALID,
				     "report table: %s sums past 2^64", name);
			goto out;
		}
		sum += v;
	}
	line_entry(x, l, l->n, &margin);
	if (sum != margin) {
		line_name(x, l, name, sizeof(name));
		rc = err_set(e, ERR_INVALID,
			     "report table: %s: the total is not the sum of "
			     "the entries (a bug in the report)",
			     name);
	}
out:
	return rc;
}

/*
 * Add one complementary suppression to l if it needs one (header, (a) and
 * (b)); *added is set when it did.  ERR_FAIL when it needs one and has no
 * candidate, which a consistent table never gives.
 */
static int line_fix(struct sup *x, const struct line *l, int *added,
		    struct err *e)
{
	size_t sup = 0, cells = 0, best = SIZE_MAX;
	uint64_t sum = 0, v, best_v = 0;
	int margin_sup, rc = 0;
	uint8_t *m;
	char name[64];

	for (size_t idx = 0; idx < l->n; idx++) {
		if (*line_entry(x, l, idx, &v)) {
			sup++;
			cells++;
			sum += v; /* cannot overflow: line_check() */
		}
	}
	margin_sup = *line_entry(x, l, l->n, &v) != 0;
	sup += (size_t)margin_sup;
	if (sup != 1 && (margin_sup || cells < 2 || sum != cells))
		goto out;
	/* The smallest non-zero published cell, lowest index first:
	 * complements cost the least information there. */
	for (size_t idx = 0; idx < l->n; idx++) {
		m = line_entry(x, l, idx, &v);
		if (!*m && v > 0 && (best == SIZE_MAX || v < best_v)) {
			best = idx;
			best_v = v;
		}
	}
	/* Its other cells are 0 (or suppressed): the margin goes. */
	if (best == SIZE_MAX) {
		m = line_entry(x, l, l->n, &v);
		if (!*m && v > 0)
			best = l->n;
	}
	if (best == SIZE_MAX) {
		line_name(x, l, name, sizeof(name));
		rc = err_set(e, ERR_FAIL,
			     "report table: %s cannot be protected", name);
		goto out;
	}
	*line_entry(x, l, best, &v) = VIEW_SUPPRESS_COMPLEMENT;
	*added = 1;
out:
	return rc;
}

/* Scratch for path_search(), one slot per node of the graph below. */
struct walk {
	uint64_t *dist; /* cheapest cost from the source */
	size_t *prev;   /* the node before, SIZE_MAX at the source */
	uint8_t *done;
};

static uint64_t add_sat(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/*
 * The graph: a node per row (0..R) and per column (R+1+j for j in 0..C)
 * of the extended table, an edge per entry (i, j) between row i and
 * column j.  With the totals' signs flipped (sign(), -1 on the totals
 * but the grand total), every line says "the entries on my node's edges
 * sum to 0", so the changes to the unknowns that keep every line true are
 * the sums of alternating cycles: +1, -1, +1... around a cycle (the
 * lines' null space is the graph's cycle space).  A suppressed entry
 * could take another value, given the published ones, all the equations
 * and the bound every suppressed entry is known to have (>= 1), if and
 * only if some cycle of suppressed entries goes through it along which
 * the entries at 1 grow (a step along it, small enough, keeps the others
 * >= 1; the table's matrix is totally unimodular, so a range of real
 * values has integer ends and holds two integers).  Without such a cycle
 * the entry is recomputed: a bridge of the graph by plain arithmetic, or
 * pinned by the bounds (cells known to be 1).
 *
 * path_search() looks for the cheapest path from row ei to column ej,
 * entry (ei, ej) excluded, that closes such a cycle: g = +1 or -1 picks
 * which way round the entry changes; a suppressed entry costs 0, a
 * published non-zero one its count (what suppressing it loses), a zero
 * cannot be used (zeros stay published), and an entry at 1 only the way
 * it grows.  Ties go to the lowest node index, so every node computes
 * the same path.  The way where the entry grows always has a path: the
 * entry's row total, grand total and column total (or, for a total, a
 * non-zero cell and the other totals) grow with it.
 */
static int sign(const struct sup *x, size_t i, size_t j)
{
	return (i == x->R) != (j == x->C) ? -1 : 1;
}

/* The cost of the cheapest such path (UINT64_MAX: none); w->prev holds
 * it. */
static uint64_t path_search(const struct sup *x, struct walk *w, size_t ei,
			    size_t ej, int g)
{
	size_t nodes = x->R + x->C + 2, src = ei, dst = x->R + 1 + ej;
	size_t u, v, i, j;
	uint64_t val, cost;
	int change;
	uint8_t *m;

	for (v = 0; v < nodes; v++) {
		w->dist[v] = UINT64_MAX;
		w->prev[v] = SIZE_MAX;
		w->done[v] = 0;
	}
	w->dist[src] = 0;
	for (;;) {
		u = SIZE_MAX;
		for (v = 0; v < nodes; v++)
			if (!w->done[v] && w->dist[v] != UINT64_MAX &&
			    (u == SIZE_MAX || w->dist[v] < w->dist[u]))
				u = v;
		if (u == SIZE_MAX || u == dst)
			break;
		w->done[u] = 1;
		/* Row u's edges go to every column, column u's to every
		 * row; going row to column is the cycle's -1 (the excluded
		 * entry being its +1), column to row its +1. */
		for (size_t k = 0; k <= (u <= x->R ? x->C : x->R); k++) {
			i = u <= x->R ? u : k;
			j = u <= x->R ? k : u - x->R - 1;
			v = u <= x->R ? x->R + 1 + k : k;
			if ((i == ei && j == ej) || w->done[v])
				continue;
			m = entry(x, i, j, &val);
			change = (u <= x->R ? -g : g) * sign(x, i, j);
			if (val == 0 || (val == 1 && change < 0))
				continue;
			cost = add_sat(w->dist[u], *m ? 0 : val);
			if (cost < w->dist[v]) {
				w->dist[v] = cost;
				w->prev[v] = u;
			}
		}
	}
	return w->dist[dst];
}

/* Make suppressed entry (ei, ej) free to change (above): nothing if a
 * cycle of suppressed entries already lets it, else suppress the
 * published entries of the cheaper of the two ways' paths (the growing
 * way on a tie). */
static int path_close(struct sup *x, struct walk *w, size_t ei, size_t ej,
		      int *added, struct err *e)
{
	size_t src = ei, dst = x->R + 1 + ej, u, v, i, j;
	int grow = sign(x, ei, ej), rc = 0;
	uint64_t val, cost, other;
	uint8_t *m;

	cost = path_search(x, w, ei, ej, grow);
	entry(x, ei, ej, &val);
	/* The shrinking way, unless the entry is at 1 already; w->prev
	 * must end up holding the path chosen. */
	if (cost > 0 && val > 1) {
		other = path_search(x, w, ei, ej, -grow);
		if (other < cost)
			cost = other;
		else
			cost = path_search(x, w, ei, ej, grow);
	}
	if (cost == UINT64_MAX) {
		rc = err_set(e, ERR_FAIL,
			     "report table: entry (%zu, %zu) cannot be "
			     "protected",
			     ei, ej);
		goto out;
	}
	for (v = dst; cost > 0 && v != src; v = u) {
		u = w->prev[v];
		i = u <= x->R ? u : v;
		j = u <= x->R ? v - x->R - 1 : u - x->R - 1;
		m = entry(x, i, j, &val);
		if (!*m) {
			*m = VIEW_SUPPRESS_COMPLEMENT;
			*added = 1;
		}
	}
out:
	return rc;
}

/* Make every suppressed entry free to change (path_close()); entries
 * added are free from the start (they are on the cycle just closed, and
 * above 1), and suppressing more never takes a cycle away, so one pass
 * in a fixed order does it. */
static int cycles_close(struct sup *x, int *added, struct err *e)
{
	struct walk w = { NULL, NULL, NULL };
	size_t nodes = x->R + x->C + 2;
	uint64_t v;
	int rc = 0;

	w.dist = calloc(nodes, sizeof(*w.dist));
	w.prev = calloc(nodes, sizeof(*w.prev));
	w.done = calloc(nodes, sizeof(*w.done));
	if (!w.dist || !w.prev || !w.done) {
		rc = err_set(e, ERR_NOMEM, "report table: out of memory");
		goto out;
	}
	for (size_t i = 0; i <= x->R; i++)
		for (size_t j = 0; j <= x->C; j++) {
			if (!*entry(x, i, j, &v))
				continue;
			rc = path_close(x, &w, i, j, added, e);
			if (rc)
				goto out;
		}
out:
	free(w.dist);
	free(w.prev);
	free(w.done);
	return rc;
}

/* Pointers and sizes; which totals may be missing. */
static int args_check(const struct view_suppress_table *t,
		      const uint8_t *cell_mask, const uint8_t *row_mask,
		      const uint8_t *col_mask, const uint8_t *total_mask,
		      struct err *e)
{
	int rc = 0;

	if (!t || !t->cells || !cell_mask || !total_mask) {
		rc = err_set(e, ERR_INVALID,
			     "report table: no table, cells or mask");
		goto out;
	}
	/* R * C cells, and R + C + 2 graph nodes, must fit. */
	if (t->rows == 0 || t->cols == 0 || t->rows > SIZE_MAX / 4 ||
	    t->cols > SIZE_MAX / 4 || t->rows > SIZE_MAX / t->cols) {
		rc = err_set(e, ERR_INVALID,
			     "report table: %zu x %zu is not a table size",
			     t->rows, t->cols);
		goto out;
	}
	if (!t->row_tot && t->rows > 1 && t->cols > 1) {
		rc = err_set(e, ERR_INVALID,
			     "report table: row totals missing");
		goto out;
	}
	if (!t->col_tot && t->rows > 1 && t->cols > 1) {
		rc = err_set(e, ERR_INVALID,
			     "report table: column totals missing");
		goto out;
	}
	if ((t->row_tot && !row_mask) || (t->col_tot && !col_mask)) {
		rc = err_set(e, ERR_INVALID,
			     "report table: no mask for the totals");
		goto out;
	}
out:
	return rc;
}

/* view_suppress() and view_suppress_keep(): keep says whether entries
 * already marked on entry stay suppressed. */
static int suppress(const struct view_suppress_table *t, unsigned threshold,
		    int keep, uint8_t *cell_mask, uint8_t *row_mask,
		    uint8_t *col_mask, uint8_t *total_mask, struct err *e)
{
	struct sup x = { 0 };
	struct line l;
	uint64_t v;
	uint8_t *m;
	int rc, added;

	rc = args_check(t, cell_mask, row_mask, col_mask, total_mask, e);
	if (rc)
		goto out;
	x.t = t;
	x.R = t->rows;
	x.C = t->cols;
	x.cells = cell_mask;
	x.rows = t->row_tot ? row_mask : NULL;
	x.cols = t->col_tot ? col_mask : NULL;
	x.total = total_mask;
	/* The cells' lines first, so that a wrong total is named as such
	 * rather than as the line of totals it also breaks. */
	for (size_t k = 0; k < x.R + x.C + 2; k++) {
		if (k < x.R)
			l = line_of(&x, 0, k);
		else if (k < x.R + x.C)
			l = line_of(&x, 1, k - x.R);
		else if (k == x.R + x.C)
			l = line_of(&x, 0, x.R); /* the column totals */
		else
			l = line_of(&x, 1, x.C); /* the row totals */
		rc = line_check(&x, &l, e);
		if (rc)
			goto out;
	}
	/* Primary: every entry, cell or total, in 1 .. threshold-1, and
	 * with keep every non-zero entry the caller marked. */
	for (size_t i = 0; i <= x.R; i++)
		for (size_t j = 0; j <= x.C; j++) {
			m = entry(&x, i, j, &v);
			*m = v > 0 && (v < threshold || (keep && *m))
				     ? VIEW_SUPPRESS_PRIMARY
				     : VIEW_SUPPRESS_PUBLISHED;
		}
	/* Complementary: the lines' rule in a fixed order until a pass adds
	 * nothing, then the cycles' (which breaks no line's rule, but the
	 * lines are checked again if it added anything).  Each round that
	 * goes on has added an entry, so at most (R+1)(C+1) rounds. */
	do {
		do {
			added = 0;
			for (size_t k = 0; k <= x.R + x.C + 1; k++) {
				l = k <= x.R ? line_of(&x, 0, k)
					     : line_of(&x, 1, k - x.R - 1);
				rc = line_fix(&x, &l, &added, e);
				if (rc)
					goto out;
			}
		} while (added);
		rc = cycles_close(&x, &added, e);
		if (rc)
			goto out;
	} while (added);
	/* Totals the caller did not pass but gave a mask for: their marks
	 * are those of the entries they equal. */
	if (row_mask && !t->row_tot)
		for (size_t i = 0; i < x.R; i++)
			row_mask[i] = *entry(&x, i, x.C, &v);
	if (col_mask && !t->col_tot)
		for (size_t j = 0; j < x.C; j++)
			col_mask[j] = *entry(&x, x.R, j, &v);
out:
	return rc;
}

int view_suppress(const struct view_suppress_table *t, unsigned threshold,
		  uint8_t *cell_mask, uint8_t *row_mask, uint8_t *col_mask,
		  uint8_t *total_mask, struct err *e)
{
	return suppress(t, threshold, 0, cell_mask, row_mask, col_mask,
			total_mask, e);
}

int view_suppress_keep(const struct view_suppress_table *t,
		       unsigned threshold, uint8_t *cell_mask,
		       uint8_t *row_mask, uint8_t *col_mask,
		       uint8_t *total_mask, struct err *e)
{
	return suppress(t, threshold, 1, cell_mask, row_mask, col_mask,
			total_mask, e);
}
