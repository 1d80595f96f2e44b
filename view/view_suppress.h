/*
 * view_suppress.h - statistical disclosure control for the aggregate
 * reports (`presidio report`, issue 13 item 6): given a table of counts
 * and the totals it will be published with, decide which cells and which
 * totals must be left out so that no count below the threshold (5) is
 * published, and none can be recomputed from what is.
 *
 * Pure: no I/O, no store, no randomness; it reads the caller's table and
 * writes the caller's masks (and frees the little scratch it allocates).
 * Layer: view/, but it depends on common/ only, so that any report
 * builder (hub or node) can use it.
 *
 * The model.  A table of R x C non-negative counts is published with its
 * R row totals, C column totals and grand total.  Seen together they form
 * an (R+1) x (C+1) table whose last column holds the row totals and last
 * row the column totals, with the grand total in the corner.  Each of its
 * R+1 rows and C+1 columns is a "line": its first entries sum to its last
 * one (the line's margin).  A one-dimensional table is R x 1 (or 1 x C)
 * with its total (row_tot and col_tot may then be NULL, see below).
 *
 * Primary suppression: every entry, cell or total, with
 * 0 < count < threshold.
 *
 * Zeros are published, never suppressed, neither as primary nor as
 * complement.  A true zero says that nobody falls in a category; in these
 * reports (cases per stage and region, services per territory, referrals
 * per status) that is no fact about a person, and the usual practice of
 * official social statistics publishes it.  It also keeps tables
 * readable: suppressing zeros would blank most of a sparse table.  What a
 * zero can still tell is a group fact: when a row's other cells are all 0,
 * everyone counted in that row shares the one category left; the module
 * cannot know which combinations are sensitive, so a report with such
 * rows should use coarser categories.  Because zeros are never
 * suppressed, a reader who knows this policy knows that every suppressed
 * entry is at least 1; the guarantee below holds against that reader.
 *
 * Secondary (complementary) suppression, in two stages.
 *
 * 1. The lines' rule, iterated until nothing changes: a line needs one
 *    more suppressed entry when
 *    (a) exactly one of its entries is suppressed (it is its margin minus
 *        the published rest, or the sum of its published cells), or
 *    (b) its margin is published and its suppressed cells are all 1 (they
 *        sum to their number: each is then known to be 1, being >= 1).
 *    The entry added is the line's unsuppressed cell with the smallest
 *    non-zero count (ties: the lowest index); when the line has no such
 *    cell (its other cells are 0 or already suppressed), its margin.  One
 *    always exists: a line in need has a suppressed, so non-zero, entry,
 *    so either its margin (if a cell is suppressed) or one of its cells
 *    (if the margin is) is non-zero, and in case (b) the margin (>= 2)
 *    is.  Lines are visited in a fixed order: rows 0..R, then columns
 *    0..C, again until a whole pass adds nothing.
 *
 * 2. The whole table.  Lines can be combined: two rows minus a column can
 *    give a cell back although every line has two suppressed entries
 *    (about 1 small table in 80 after stage 1), and so can the bound a
 *    reader knows (>= 1: zeros are never suppressed) once several lines
 *    are combined.  Seen as a graph (a node per row and per column of the
 *    (R+1) x (C+1) table, an edge per entry), the values the suppressed
 *    entries can take while every line stays true move along cycles of
 *    suppressed entries, so a suppressed entry can take another value iff
 *    a cycle of suppressed entries goes through it along which every
 *    entry at 1 would grow.  For each suppressed entry in turn (row-major
 *    order) without such a cycle, the module suppresses the published
 *    entries of the cheapest path that closes one (cost: the sum of the
 *    counts suppressed; zeros never used; ties to the lowest index).  One
 *    pass is enough: suppressing more never takes a cycle away.  If it
 *    added anything, stage 1 and 2 run again (they find nothing more; the
 *    rerun is a safety net).
 *
 * Both stages are deterministic (fixed order, integer costs, no hashing
 * or randomness), so every node computes the same masks from the same
 * table.  Cost: at most (R+1)(C+1) additions; stage 2 runs a shortest
 * path over R+C+2 nodes per suppressed entry: O(((R+1)(C+1))^2) at worst,
 * nothing for report-sized tables (a random 30 x 12 table of counts 0..9
 * takes 0.6 ms, 100 x 20 23 ms, on the 2-core build machine).
 *
 * What it guarantees (tests/view/test_view_suppress.c checks 1-3 by brute
 * force on random tables, 3 by rank and, on small tables, by listing every
 * table consistent with what is published):
 *   1. no published entry, cell or total, is in 1 .. threshold-1;
 *   2. no zero is suppressed, and every suppressed entry is non-zero;
 *   3. no suppressed entry can be recomputed exactly, by a reader who has
 *      every published entry and total, combines all the table's row and
 *      column equations in any way (a linear program included), and knows
 *      that suppressed entries are >= 1: each of them takes at least two
 *      values among the tables consistent with what is published.  In
 *      particular no row or column has exactly one suppressed entry;
 *   4. the same input gives the same masks, whatever the masks held
 *      before.
 * What it does NOT guarantee: any width of the range a suppressed entry
 * can be narrowed to.  A suppressed 2 may be known to lie in 1..3: the
 * usual protection intervals of tau-ARGUS (e.g. "the reader's range must
 * reach 30% above the value") are not enforced, and a reader who knows
 * more than the table (an upper bound, another published table sharing
 * cells or totals with this one, last month's report) may know more.
 * Reports should publish few, coarse tables, and the same breakdown
 * always with the same totals.
 *
 * Use (for `presidio report`): build each breakdown as one table of
 * counts (rows: e.g. regions, columns: e.g. stages), compute its totals
 * (they are checked), call view_suppress() with VIEW_SUPPRESS_THRESHOLD,
 * and print an entry only where its mask is VIEW_SUPPRESS_PUBLISHED.
 * Only one- and two-dimensional tables are protected: a three-way
 * breakdown (stage x region x partner) published with all its two-way
 * totals has more equations than this module considers; publish it as
 * separate two-way tables instead.  Tables that share totals are linked:
 * "cases per region" is the row-total column of "cases per region and
 * stage", so publish it only as part of that table (or with that table's
 * row mask applied), never computed and published again on its own.
 *
 * Printing: a report must print primary and complementary suppressions
 * alike (e.g. an empty cell): telling them apart would tell a reader
 * that the primary ones are below the threshold and the others not,
 * which can give a cell away (a primary a and a complement b >= threshold
 * summing to threshold+1 make a = 1).
 */
#ifndef PRESIDIO_VIEW_VIEW_SUPPRESS_H
#define PRESIDIO_VIEW_VIEW_SUPPRESS_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

/* The threshold of issue 13: counts 1..4 are not published. */
#define VIEW_SUPPRESS_THRESHOLD 5u

/* A mask entry: why an entry is suppressed (0: it is published). */
enum view_suppress_mark {
	VIEW_SUPPRESS_PUBLISHED = 0,
	VIEW_SUPPRESS_PRIMARY = 1,    /* its own count is below threshold */
	VIEW_SUPPRESS_COMPLEMENT = 2  /* protects another suppressed entry */
};

/*
 * A table as it will be published; lives on the caller's stack and
 * borrows every array.  Totals the caller publishes must be passed and
 * are checked against the cells (a mismatch is a bug in the report, not
 * something to publish).  row_tot may be NULL only for a table of one
 * column (each row's total is then its one cell) or one row (the row's
 * total is the grand total); col_tot likewise for one row or one column.
 * A one-dimensional list of counts with its total is thus
 * { .rows = n, .cols = 1, .cells = counts, .total = sum }.
 */
struct view_suppress_table {
	size_t rows;             /* R >= 1 */
	size_t cols;             /* C >= 1 */
	const uint64_t *cells;   /* R * C counts, row-major */
	const uint64_t *row_tot; /* R row totals, or NULL (see above) */
	const uint64_t *col_tot; /* C column totals, or NULL (see above) */
	uint64_t total;          /* the grand total */
};

/*
 * Decide what t may publish with the given threshold (counts 1 ..
 * threshold-1 are suppressed; 0 or 1 suppresses nothing).  Fills, with
 * enum view_suppress_mark values, cell_mask (R * C, row-major), row_mask
 * (R; may be NULL when t->row_tot is NULL: those totals are not
 * published; if given then, it gets the marks of the entries they equal),
 * col_mask (C; likewise with t->col_tot) and *total_mask.
 * What the masks held before does not matter.  On failure the masks hold
 * nothing meaningful and must not be used.
 *
 * Returns 0, or ERR_INVALID (e names the problem, never a count) when a
 * pointer is NULL, a size is 0, over SIZE_MAX / 4 or R * C overflows, a
 * total needed is missing, or a total is not the sum of its cells or
 * overflows; ERR_NOMEM when the scratch (three arrays of R+C+2) cannot be
 * allocated; ERR_FAIL only if an entry could not be protected, which the
 * reasoning above rules out for a consistent table.
 */
int view_suppress(const struct view_suppress_table *t, unsigned threshold,
		  uint8_t *cell_mask, uint8_t *row_mask, uint8_t *col_mask,
		  uint8_t *total_mask, struct err *e) ERR_MUST_USE;

/*
 * view_suppress() with more primary suppressions chosen by the caller:
 * every entry whose mask byte is non-zero on entry (and whose count is
 * non-zero: zeros are never suppressed) is suppressed as a primary one,
 * besides those below the threshold; the masks must therefore be
 * initialised (0: no wish).  For what the counts do not show: a sum
 * published in place of a count whose contributors are fewer than the
 * threshold although its count is not, or an entry that another table
 * publishes too and suppresses there (linked tables must suppress a
 * shared entry in both or in neither).  Guarantees 1-3 hold; 4 holds
 * for the same table and the same wishes.
 */
int view_suppress_keep(const struct view_suppress_table *t,
		       unsigned threshold, uint8_t *cell_mask,
		       uint8_t *row_mask, uint8_t *col_mask,
		       uint8_t *total_mask, struct err *e) ERR_MUST_USE;

#endif
