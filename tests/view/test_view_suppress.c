/*
 * test_view_suppress.c - cell suppression for the reports
 * (view/view_suppress.h): primary suppression alone; a complement in the
 * row of a small cell; a cascade that takes several passes; a total below
 * the threshold; zero rows and lines whose other cells are all 0 (the
 * margin goes); one-dimensional tables; the same masks from the same
 * input; inconsistent tables refused; and, on thousands of random tables,
 * three checkers that look at the published entries only, as a reader
 * would: no count below the threshold and no suppressed entry that one
 * row or column gives exactly (tab_safe), none that any combination of
 * rows and columns gives (tab_linear_safe, by rank), and, on small
 * tables, none that takes a single value among all the tables a reader
 * could take for the published one (tab_exhaustive_safe).
 */
#include "tests/test.h"

#include <math.h>

#include "view/view_suppress.h"

#define MAXD 16

enum { P = VIEW_SUPPRESS_PRIMARY, X = VIEW_SUPPRESS_COMPLEMENT };

/* A table with its totals computed here, and the masks. */
struct tab {
	size_t R, C;
	uint64_t cell[MAXD * MAXD], row[MAXD], col[MAXD], total;
	uint8_t cm[MAXD * MAXD], rm[MAXD], km[MAXD], tm;
};

static void tab_set(struct tab *t, size_t R, size_t C, const uint64_t *v)
{
	memset(t, 0, sizeof(*t));
	t->R = R;
	t->C = C;
	for (size_t i = 0; i < R; i++)
		for (size_t j = 0; j < C; j++) {
			t->cell[i * C + j] = v[i * C + j];
			t->row[i] += v[i * C + j];
			t->col[j] += v[i * C + j];
			t->total += v[i * C + j];
		}
}

/* Run with every total passed; masks first filled with fill. */
static int tab_run(struct tab *t, unsigned thr, uint8_t fill)
{
	struct view_suppress_table vt = { t->R, t->C, t->cell, t->row, t->col,
					  t->total };

	memset(t->cm, fill, sizeof(t->cm));
	memset(t->rm, fill, sizeof(t->rm));
	memset(t->km, fill, sizeof(t->km));
	t->tm = fill;
	return view_suppress(&vt, thr, t->cm, t->rm, t->km, &t->tm, NULL);
}

/* The (R+1) x (C+1) table's count and mark at (i, j). */
static uint64_t xval(const struct tab *t, size_t i, size_t j)
{
	if (i < t->R && j < t->C)
		return t->cell[i * t->C + j];
	if (i < t->R)
		return t->row[i];
	if (j < t->C)
		return t->col[j];
	return t->total;
}

static uint8_t xmark(const struct tab *t, size_t i, size_t j)
{
	if (i < t->R && j < t->C)
		return t->cm[i * t->C + j];
	if (i < t->R)
		return t->rm[i];
	if (j < t->C)
		return t->km[j];
	return t->tm;
}

/*
 * What one line (n entries, then its margin) gives a reader who sees the
 * published entries and knows every suppressed one is >= 1: 1 when some
 * suppressed entry is known exactly or a published one is below thr.
 */
static int line_leaks(const uint64_t *v, const uint8_t *m, size_t n,
		      unsigned thr)
{
	uint64_t pub = 0;
	size_t unknown = 0;

	for (size_t k = 0; k <= n; k++) {
		if (m[k] && v[k] == 0)
			return 1; /* a zero is never suppressed */
		if (!m[k] && v[k] > 0 && v[k] < thr)
			return 1;
	}
	for (size_t k = 0; k < n; k++) {
		if (m[k])
			unknown++;
		else
			pub += v[k];
	}
	if (m[n]) /* margin = pub + the unknowns: one unknown is known */
		return unknown == 0;
	/* The unknowns sum to margin - pub, each >= 1. */
	if (unknown == 1)
		return 1;
	return unknown >= 2 && v[n] - pub == unknown;
}

/* 1 when no row or column of t leaks (the checker of the header's
 * guarantees 1-3, from the published entries only). */
static int tab_safe(const struct tab *t, unsigned thr)
{
	uint64_t v[MAXD + 1];
	uint8_t m[MAXD + 1];

	for (size_t i = 0; i <= t->R; i++) {
		for (size_t j = 0; j <= t->C; j++) {
			v[j] = xval(t, i, j);
			m[j] = xmark(t, i, j);
		}
		if (line_leaks(v, m, t->C, thr))
			return 0;
	}
	for (size_t j = 0; j <= t->C; j++) {
		for (size_t i = 0; i <= t->R; i++) {
			v[i] = xval(t, i, j);
			m[i] = xmark(t, i, j);
		}
		if (line_leaks(v, m, t->R, thr))
			return 0;
	}
	return 1;
}

/* Rank of the rows x cols matrix a (row-major, changed), by Gaussian
 * elimination: entries are small integers, so doubles are exact enough. */
static size_t rank_of(double *a, size_t rows, size_t cols)
{
	size_t r = 0;

	for (size_t c = 0; c < cols && r < rows; c++) {
		size_t piv = r;

		for (size_t i = r; i < rows; i++)
			if (fabs(a[i * cols + c]) > fabs(a[piv * cols + c]))
				piv = i;
		if (fabs(a[piv * cols + c]) < 1e-9)
			continue;
		for (size_t k = 0; k < cols; k++) {
			double tmp = a[r * cols + k];

			a[r * cols + k] = a[piv * cols + k];
			a[piv * cols + k] = tmp;
		}
		for (size_t i = 0; i < rows; i++) {
			double f = a[i * cols + c] / a[r * cols + c];

			if (i == r || f == 0)
				continue;
			for (size_t k = 0; k < cols; k++)
				a[i * cols + k] -= f * a[r * cols + k];
		}
		r++;
	}
	return r;
}

/*
 * 1 when no suppressed entry of t follows from any linear combination of
 * its rows' and columns' equations (whatever the bounds): the unknowns'
 * columns of the system, and entry u is determined exactly when removing
 * its column lowers the rank.  Independent of the module's graph
 * reasoning.
 */
static int tab_linear_safe(const struct tab *t)
{
	enum { LINES = 2 * MAXD + 2, UNK = (MAXD + 1) * (MAXD + 1) };
	static double a[LINES * UNK], b[LINES * UNK];
	size_t ui[UNK], uj[UNK], n = 0, lines = t->R + t->C + 2, full;

	for (size_t i = 0; i <= t->R; i++)
		for (size_t j = 0; j <= t->C; j++)
			if (xmark(t, i, j)) {
				ui[n] = i;
				uj[n++] = j;
			}
	if (n == 0)
		return 1;
	/* Row line i, then column line j; a margin enters its line as -1. */
	for (size_t l = 0; l < lines; l++)
		for (size_t k = 0; k < n; k++) {
			double c = 0;

			if (l <= t->R && ui[k] == l)
				c = uj[k] == t->C ? -1 : 1;
			if (l > t->R && uj[k] == l - t->R - 1)
				c = ui[k] == t->R ? -1 : 1;
			a[l * n + k] = c;
		}
	memcpy(b, a, lines * n * sizeof(*a));
	full = rank_of(b, lines, n);
	for (size_t u = 0; u < n; u++) {
		size_t m = 0;

		for (size_t l = 0; l < lines; l++)
			for (size_t k = 0; k < n; k++)
				if (k != u)
					b[m++] = a[l * n + k];
		if (rank_of(b, lines, n - 1) < full)
			return 0;
	}
	return 1;
}

/*
 * Every table a reader could take for t: the published entries as they
 * are, suppressed ones >= 1, all lines true.  enum_dfs() tries the
 * suppressed cells in turn up to ex.cap (a total it cannot see is capped
 * a little above the real one: a table one step away along a cycle, which
 * is what the guarantee promises, stays below); the totals follow from
 * the cells.  Entry k's smallest and largest values land in lo/hi[k],
 * k in the (R+1) x (C+1) row-major order.
 */
static struct {
	const struct tab *t;
	uint64_t x[MAXD * MAXD], cap;
	uint64_t lo[(MAXD + 1) * (MAXD + 1)], hi[(MAXD + 1) * (MAXD + 1)];
} ex;

static void enum_leaf(void)
{
	const struct tab *t = ex.t;
	uint64_t v[(MAXD + 1) * (MAXD + 1)] = { 0 };
	size_t w = t->C + 1;

	/* The extended table of this candidate: cells, then their sums. */
	for (size_t a = 0; a < t->R; a++)
		for (size_t b = 0; b < t->C; b++) {
			uint64_t c = ex.x[a * t->C + b];

			v[a * w + b] = c;
			v[a * w + t->C] += c;
			v[t->R * w + b] += c;
			v[t->R * w + t->C] += c;
		}
	for (size_t i = 0; i <= t->R; i++)
		for (size_t j = 0; j <= t->C; j++)
			if (xmark(t, i, j) ? v[i * w + j] == 0
					   : v[i * w + j] != xval(t, i, j))
				return;
	for (size_t k = 0; k < (t->R + 1) * w; k++) {
		ex.lo[k] = v[k] < ex.lo[k] ? v[k] : ex.lo[k];
		ex.hi[k] = v[k] > ex.hi[k] ? v[k] : ex.hi[k];
	}
}

static void enum_dfs(size_t k)
{
	const struct tab *t = ex.t;
	size_t i = k / t->C, j = k % t->C;
	uint64_t rs = 0, cs = 0;

	if (k == t->R * t->C) {
		enum_leaf();
		return;
	}
	if (!t->cm[k]) {
		ex.x[k] = t->cell[k];
		enum_dfs(k + 1);
		return;
	}
	for (size_t b = 0; b < t->C; b++)
		rs += b == j ? 0 : ex.x[i * t->C + b];
	for (size_t a = 0; a < t->R; a++)
		cs += a == i ? 0 : ex.x[a * t->C + j];
	for (uint64_t v = 1; v <= ex.cap; v++) {
		/* Cells after k are still 0: partial sums only grow. */
		if ((!t->rm[i] && rs + v > t->row[i]) ||
		    (!t->km[j] && cs + v > t->col[j]))
			break;
		ex.x[k] = v;
		enum_dfs(k + 1);
	}
	ex.x[k] = 0;
}

/* 1 when every suppressed entry of t takes two values or more among the
 * tables a reader could take for it. */
static int tab_exhaustive_safe(const struct tab *t)
{
	memset(&ex, 0, sizeof(ex));
	ex.t = t;
	ex.cap = t->tm ? t->total + 2 : t->total;
	for (size_t k = 0; k < (MAXD + 1) * (MAXD + 1); k++)
		ex.lo[k] = UINT64_MAX;
	enum_dfs(0);
	for (size_t i = 0; i <= t->R; i++)
		for (size_t j = 0; j <= t->C; j++) {
			size_t k = i * (t->C + 1) + j;

			if (xmark(t, i, j) && ex.lo[k] >= ex.hi[k])
				return 0;
		}
	return 1;
}

static int marks_are(const uint8_t *got, const uint8_t *want, size_t n)
{
	return memcmp(got, want, n) == 0;
}

/* Every line already has two small cells: nothing more goes. */
static void test_view_suppress_primary_only(void)
{
	static const uint64_t v[] = { 3, 4, 20, 2, 1, 30, 10, 10, 10 };
	static const uint8_t want[] = { P, P, 0, P, P, 0, 0, 0, 0 };
	static const uint8_t none[3] = { 0 };
	struct tab t;

	tab_set(&t, 3, 3, v);
	CHECK_OK(tab_run(&t, VIEW_SUPPRESS_THRESHOLD, 0xAA));
	CHECK(marks_are(t.cm, want, 9));
	CHECK(marks_are(t.rm, none, 3) && marks_are(t.km, none, 3));
	CHECK(t.tm == 0 && tab_safe(&t, 5));
}

/* A 2 alone in its row takes the row's smallest other count (7) with it,
 * then each column the smallest in the other row. */
static void test_view_suppress_row_gets_complement(void)
{
	static const uint64_t v[] = { 2, 7, 9, 10, 12, 15 };
	static const uint8_t want[] = { P, X, 0, X, X, 0 };
	static const uint8_t none[3] = { 0 };
	struct tab t;

	tab_set(&t, 2, 3, v);
	CHECK_OK(tab_run(&t, VIEW_SUPPRESS_THRESHOLD, 0));
	CHECK(marks_are(t.cm, want, 6));
	CHECK(marks_are(t.rm, none, 2) && marks_are(t.km, none, 3));
	CHECK(t.tm == 0 && tab_safe(&t, 5));
}

/* The columns' complements leave rows 1 and 2 with one each, whose
 * complement leaves column 2 with one: three passes. */
static void test_view_suppress_cascade_iterates(void)
{
	static const uint64_t v[] = { 3, 8, 20, 6, 40, 30, 7, 9, 50 };
	static const uint8_t want[] = { P, X, X, X, 0, X, X, X, 0 };
	static const uint8_t none[3] = { 0 };
	struct tab t;

	tab_set(&t, 3, 3, v);
	CHECK_OK(tab_run(&t, VIEW_SUPPRESS_THRESHOLD, 0));
	CHECK(marks_are(t.cm, want, 9));
	CHECK(marks_are(t.rm, none, 3) && marks_are(t.km, none, 3));
	CHECK(t.tm == 0 && tab_safe(&t, 5));
}

/* Row 0 totals 3: the total goes too, and the column of row totals then
 * needs a second one (row 1's, the smallest). */
static void test_view_suppress_margin_below_threshold(void)
{
	static const uint64_t v[] = { 1, 2, 0, 6, 7, 8, 9, 10, 11 };
	static const uint8_t want[] = { P, P, 0, X, X, 0, 0, 0, 0 };
	static const uint8_t rows[] = { P, X, 0 };
	static const uint8_t none[3] = { 0 };
	struct tab t;

	tab_set(&t, 3, 3, v);
	CHECK_OK(tab_run(&t, VIEW_SUPPRESS_THRESHOLD, 0));
	CHECK(marks_are(t.cm, want, 9));
	CHECK(marks_are(t.rm, rows, 3) && marks_are(t.km, none, 3));
	CHECK(t.tm == 0 && tab_safe(&t, 5));
}

/* Zeros stay published; where a suppressed entry's other cells are all 0
 * its margin goes (row 0's 7, column 1's 5), and so on to stability. */
static void test_view_suppress_zero_lines(void)
{
	static const uint64_t v[] = { 7, 0, 0, 2, 5, 5, 0, 0, 0 };
	static const uint8_t want[] = { X, 0, 0, P, X, X, 0, 0, 0 };
	static const uint8_t rows[] = { X, X, 0 };
	static const uint8_t cols[] = { 0, X, X };
	static const uint64_t zero[] = { 0, 0, 0, 0 };
	struct tab t;

	tab_set(&t, 3, 3, v);
	CHECK_OK(tab_run(&t, VIEW_SUPPRESS_THRESHOLD, 0));
	CHECK(marks_are(t.cm, want, 9));
	CHECK(marks_are(t.rm, rows, 3) && marks_are(t.km, cols, 3));
	CHECK(t.tm == 0 && tab_safe(&t, 5));
	/* An all-zero table publishes everything. */
	tab_set(&t, 2, 2, zero);
	CHECK_OK(tab_run(&t, VIEW_SUPPRESS_THRESHOLD, 0xFF));
	for (size_t k = 0; k < 4; k++)
		CHECK(t.cm[k] == 0);
	CHECK(!t.rm[0] && !t.rm[1] && !t.km[0] && !t.km[1] && !t.tm);
}

/* Every line has two suppressed entries after the lines' rule, yet rows 0
 * and 1 minus column 1, with the row totals' column, would give the 1 at
 * (0, 0): the graph stage adds what closes that. */
static void test_view_suppress_no_combination_of_lines(void)
{
	static const uint64_t v[] = { 1, 3, 0, 0, 8, 0, 7, 0, 7 };
	struct tab t;

	tab_set(&t, 3, 3, v);
	CHECK_OK(tab_run(&t, VIEW_SUPPRESS_THRESHOLD, 0));
	CHECK(t.cm[0] == P && t.cm[1] == P);
	CHECK(tab_safe(&t, 5) && tab_linear_safe(&t));
	/* The checker does see the leak in the lines' masks alone. */
	memset(t.cm, 0, sizeof(t.cm));
	memset(t.rm, 0, sizeof(t.rm));
	memset(t.km, 0, sizeof(t.km));
	t.tm = 0;
	t.cm[0] = t.cm[1] = t.cm[4] = t.cm[6] = t.cm[8] = X;
	t.rm[0] = t.rm[1] = t.km[0] = t.km[2] = X;
	CHECK(tab_safe(&t, 5) && !tab_linear_safe(&t));
}

/* A list of counts with its total, as R x 1 with no totals passed; the
 * row mask, when given, mirrors the cells (a row's total is its cell). */
static int list_run(const uint64_t *v, size_t n, uint8_t *cm, uint8_t *rm,
		    uint8_t *tm)
{
	struct view_suppress_table t = { n, 1, v, NULL, NULL, 0 };

	for (size_t k = 0; k < n; k++)
		t.total += v[k];
	return view_suppress(&t, VIEW_SUPPRESS_THRESHOLD, cm, rm, NULL, tm,
			     NULL);
}

static void test_view_suppress_one_dimension(void)
{
	static const uint64_t a[] = { 12, 3, 0, 9, 1 };
	static const uint64_t b[] = { 12, 3, 0, 9 };
	static const uint64_t c[] = { 3, 0, 0 };
	static const uint64_t d[] = { 1, 1, 20 };
	static const uint8_t wa[] = { 0, P, 0, 0, P };
	static const uint8_t wb[] = { 0, P, 0, X };
	static const uint8_t wc[] = { P, 0, 0 };
	static const uint8_t wd[] = { P, P, X };
	struct view_suppress_table row = { 1, 4, b, NULL, NULL, 24 };
	uint8_t cm[8], rm[8], km[8], tm;

	CHECK_OK(list_run(a, 5, cm, rm, &tm));
	CHECK(marks_are(cm, wa, 5) && marks_are(rm, wa, 5) && tm == 0);
	/* A 3 alone: the smallest other count goes with it. */
	CHECK_OK(list_run(b, 4, cm, NULL, &tm));
	CHECK(marks_are(cm, wb, 4) && tm == 0);
	/* The total is 3 as well. */
	CHECK_OK(list_run(c, 3, cm, NULL, &tm));
	CHECK(marks_are(cm, wc, 3) && tm == P);
	/* Two 1s: their sum, 2, would give both away. */
	CHECK_OK(list_run(d, 3, cm, NULL, &tm));
	CHECK(marks_are(cm, wd, 3) && tm == 0);
	/* The same list as one row (1 x C): the same cells. */
	CHECK_OK(view_suppress(&row, VIEW_SUPPRESS_THRESHOLD, cm, rm, km, &tm,
			       NULL));
	CHECK(marks_are(cm, wb, 4) && marks_are(km, wb, 4));
	CHECK(rm[0] == 0 && tm == 0);
}

/* Threshold 0 or 1 suppresses nothing; a higher one more. */
static void test_view_suppress_threshold(void)
{
	static const uint64_t v[] = { 2, 7, 9, 10, 12, 15 };
	struct tab t;

	tab_set(&t, 2, 3, v);
	for (unsigned thr = 0; thr <= 1; thr++) {
		CHECK_OK(tab_run(&t, thr, 0xAA));
		for (size_t k = 0; k < 6; k++)
			CHECK(t.cm[k] == 0);
		CHECK(!t.rm[0] && !t.rm[1] && !t.tm);
	}
	CHECK_OK(tab_run(&t, 10, 0));
	/* 2, 7 and 9 are all small; each column takes the other row's. */
	CHECK(t.cm[0] == P && t.cm[1] == P && t.cm[2] == P);
	CHECK(t.cm[3] == X && t.cm[4] == X && t.cm[5] == X);
	CHECK(tab_safe(&t, 10));
}

static uint64_t rng_next(uint64_t *s)
{
	/* xorshift64*: seeded, so every run checks the same tables. */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ull;
}

/* A random table: sizes 1..maxd, counts 0..maxv, about a third zeros
 * when sparse. */
static void tab_random(struct tab *t, uint64_t *s, size_t maxd,
		       uint64_t maxv)
{
	uint64_t v[MAXD * MAXD];
	size_t R = 1 + rng_next(s) % maxd, C = 1 + rng_next(s) % maxd;
	int sparse = rng_next(s) % 2;

	for (size_t k = 0; k < R * C; k++) {
		v[k] = rng_next(s) % (maxv + 1);
		if (sparse && rng_next(s) % 3 == 0)
			v[k] = 0;
	}
	tab_set(t, R, C, v);
}

/* The same input gives the same masks, whatever they held before. */
static void test_view_suppress_deterministic(void)
{
	struct tab a, b;
	uint64_t s = 0x5eed;

	for (int n = 0; n < 200; n++) {
		tab_random(&a, &s, MAXD, 9);
		b = a;
		CHECK_OK(tab_run(&a, VIEW_SUPPRESS_THRESHOLD, 0));
		CHECK_OK(tab_run(&b, VIEW_SUPPRESS_THRESHOLD, 0xFF));
		CHECK(marks_are(a.cm, b.cm, a.R * a.C));
		CHECK(marks_are(a.rm, b.rm, a.R));
		CHECK(marks_are(a.km, b.km, a.C) && a.tm == b.tm);
		CHECK(tab_safe(&a, VIEW_SUPPRESS_THRESHOLD));
	}
}

/* 2000 random tables up to 5 x 5 with counts 0..12 (and more at other
 * thresholds): the checker finds nothing, primary marks are exactly the
 * small counts, and suppression happened where it had to. */
static void test_view_suppress_random_tables_safe(void)
{
	static const unsigned thrs[] = { 5, 5, 5, 3, 10 };
	uint64_t s = 0x13c0ffee;
	size_t suppressed = 0, complements = 0;
	struct tab t;

	for (int n = 0; n < 2000; n++) {
		unsigned thr = thrs[n % 5];

		tab_random(&t, &s, 5, 12);
		CHECK_OK(tab_run(&t, thr, (uint8_t)n));
		CHECK(tab_safe(&t, thr) && tab_linear_safe(&t));
		for (size_t i = 0; i <= t.R; i++)
			for (size_t j = 0; j <= t.C; j++) {
				uint64_t v = xval(&t, i, j);
				uint8_t m = xmark(&t, i, j);

				CHECK(m == 0 || m == P || m == X);
				CHECK((m == P) == (v > 0 && v < thr));
				suppressed += m != 0;
				complements += m == X;
			}
	}
	/* The tables did exercise both kinds. */
	CHECK(suppressed > 2000 && complements > 1000);
}

/* view_suppress_keep(): the entries marked on entry (non-zero ones) are
 * suppressed as primaries, zeros never, and the guarantees hold. */
static void test_view_suppress_keep_wishes(void)
{
	uint64_t s = 0x5eed;
	struct tab t;
	uint8_t wish[MAXD + 1][MAXD + 1];

	for (int n = 0; n < 500; n++) {
		struct view_suppress_table vt;

		tab_random(&t, &s, 5, 12);
		vt = (struct view_suppress_table){ t.R, t.C, t.cell, t.row,
						   t.col, t.total };
		memset(t.cm, 0, sizeof(t.cm));
		memset(t.rm, 0, sizeof(t.rm));
		memset(t.km, 0, sizeof(t.km));
		t.tm = 0;
		for (size_t i = 0; i <= t.R; i++)
			for (size_t j = 0; j <= t.C; j++) {
				wish[i][j] = rng_next(&s) % 7 == 0;
				if (!wish[i][j])
					continue;
				if (i < t.R && j < t.C)
					t.cm[i * t.C + j] = 1;
				else if (i < t.R)
					t.rm[i] = 1;
				else if (j < t.C)
					t.km[j] = 1;
				else
					t.tm = 1;
			}
		CHECK_OK(view_suppress_keep(&vt, 5, t.cm, t.rm, t.km, &t.tm,
					    NULL));
		CHECK(tab_safe(&t, 5) && tab_linear_safe(&t));
		for (size_t i = 0; i <= t.R; i++)
			for (size_t j = 0; j <= t.C; j++) {
				uint64_t v = xval(&t, i, j);
				uint8_t m = xmark(&t, i, j);

				CHECK(v != 0 || m == 0);
				CHECK(!(wish[i][j] && v) || m == P);
				CHECK(!(v > 0 && v < 5) || m == P);
			}
	}
	/* The same wishes give the same masks; without wishes it is
	 * view_suppress(). */
	tab_random(&t, &s, 5, 12);
	{
		struct view_suppress_table vt = { t.R, t.C, t.cell, t.row,
						  t.col, t.total };
		struct tab u = t;

		CHECK_OK(tab_run(&u, 5, 0));
		memset(t.cm, 0, sizeof(t.cm));
		memset(t.rm, 0, sizeof(t.rm));
		memset(t.km, 0, sizeof(t.km));
		t.tm = 0;
		CHECK_OK(view_suppress_keep(&vt, 5, t.cm, t.rm, t.km, &t.tm,
					    NULL));
		CHECK(!memcmp(t.cm, u.cm, sizeof(t.cm)) &&
		      !memcmp(t.rm, u.rm, sizeof(t.rm)) &&
		      !memcmp(t.km, u.km, sizeof(t.km)) && t.tm == u.tm);
	}
}

/* One-dimensional random lists through the NULL-totals path. */
static void test_view_suppress_random_lists_safe(void)
{
	uint64_t s = 42, v[MAXD];
	uint8_t cm[MAXD], rm[MAXD], tm;
	struct tab t;

	for (int n = 0; n < 1000; n++) {
		size_t len = 1 + rng_next(&s) % MAXD;

		for (size_t k = 0; k < len; k++)
			v[k] = rng_next(&s) % 10;
		CHECK_OK(list_run(v, len, cm, rm, &tm));
		CHECK(marks_are(cm, rm, len));
		/* As a reader sees it: a column of cells and its total. */
		tab_set(&t, len, 1, v);
		memcpy(t.cm, cm, len);
		memcpy(t.rm, cm, len);
		t.km[0] = tm;
		t.tm = tm;
		CHECK(tab_safe(&t, VIEW_SUPPRESS_THRESHOLD));
	}
}

/* A 1 and a 1 on a cycle, each pinned by the others being >= 1, were
 * left by the lines' rule alone; and small tables, checked against every
 * table a reader could take for them. */
static void test_view_suppress_bounds_pin_nothing(void)
{
	static const uint64_t v[] = { 7, 1, 7, 4, 0, 1 };
	uint64_t s = 0xb0b;
	struct tab t;

	tab_set(&t, 2, 3, v);
	CHECK_OK(tab_run(&t, VIEW_SUPPRESS_THRESHOLD, 0));
	CHECK(t.cm[1] == P && t.cm[5] == P);
	CHECK(tab_safe(&t, 5) && tab_exhaustive_safe(&t));
	for (int n = 0; n < 400; n++) {
		tab_random(&t, &s, 3, 8);
		CHECK_OK(tab_run(&t, VIEW_SUPPRESS_THRESHOLD, 0));
		CHECK(tab_exhaustive_safe(&t));
	}
}

/* Totals that are not the sums, overflow, bad sizes: refused, with the
 * line named and no count in the message. */
static void test_view_suppress_refuses_bad_tables(void)
{
	static const uint64_t v[] = { 1, 2, 3, 4 };
	static const uint64_t big[] = { UINT64_MAX, 1 };
	uint64_t row[] = { 3, 7 }, col[] = { 4, 6 };
	struct view_suppress_table t = { 2, 2, v, row, col, 10 };
	uint8_t cm[4], rm[2], km[2], tm;
	struct err e;

	err_init(&e);
	CHECK_OK(view_suppress(&t, 5, cm, rm, km, &tm, &e));
	row[1] = 8;
	CHECK(view_suppress(&t, 5, cm, rm, km, &tm, &e) == ERR_INVALID);
	CHECK(strstr(e.msg, "row 1") && !strstr(e.msg, "8"));
	row[1] = 7;
	col[0] = 5;
	CHECK(view_suppress(&t, 5, cm, rm, km, &tm, &e) == ERR_INVALID);
	CHECK(strstr(e.msg, "column 0"));
	col[0] = 4;
	t.total = 11;
	CHECK(view_suppress(&t, 5, cm, rm, km, &tm, &e) == ERR_INVALID);
	CHECK(strstr(e.msg, "totals"));
	t.total = 10;
	t.row_tot = NULL;
	CHECK(view_suppress(&t, 5, cm, rm, km, &tm, &e) == ERR_INVALID);
	CHECK(strstr(e.msg, "row totals missing"));
	t.row_tot = row;
	CHECK(view_suppress(&t, 5, cm, NULL, km, &tm, &e) == ERR_INVALID);
	CHECK(view_suppress(&t, 5, NULL, rm, km, &tm, &e) == ERR_INVALID);
	CHECK(view_suppress(NULL, 5, cm, rm, km, &tm, &e) == ERR_INVALID);
	t.rows = 0;
	CHECK(view_suppress(&t, 5, cm, rm, km, &tm, &e) == ERR_INVALID);
	t.rows = SIZE_MAX / 2 + 1; /* R * C overflows */
	CHECK(view_suppress(&t, 5, cm, rm, km, &tm, &e) == ERR_INVALID);
	CHECK(strstr(e.msg, "table size"));
	t.rows = SIZE_MAX; /* R + 1 would */
	t.cols = 1;
	CHECK(view_suppress(&t, 5, cm, rm, km, &tm, &e) == ERR_INVALID);
	CHECK(strstr(e.msg, "table size"));
	/* Cells that sum past 2^64. */
	t.rows = 2;
	t.cols = 1;
	t.cells = big;
	t.row_tot = NULL;
	t.col_tot = NULL;
	t.total = 0;
	CHECK(view_suppress(&t, 5, cm, NULL, NULL, &tm, &e) == ERR_INVALID);
	CHECK(strstr(e.msg, "2^64"));
}

TEST_MAIN(T(test_view_suppress_primary_only),
	  T(test_view_suppress_row_gets_complement),
	  T(test_view_suppress_cascade_iterates),
	  T(test_view_suppress_margin_below_threshold),
	  T(test_view_suppress_zero_lines),
	  T(test_view_suppress_no_combination_of_lines),
	  T(test_view_suppress_one_dimension),
	  T(test_view_suppress_threshold),
	  T(test_view_suppress_deterministic),
	  T(test_view_suppress_random_tables_safe),
	  T(test_view_suppress_random_lists_safe),
	  T(test_view_suppress_keep_wishes),
	  T(test_view_suppress_bounds_pin_nothing),
	  T(test_view_suppress_refuses_bad_tables))
