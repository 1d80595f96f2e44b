/*
 * view_report.h - the indicators of `presidio report` (issue 13 item 6):
 * cases per BdI stage and region, per Polo path stage, per dote partner
 * and BdI stage; doti used (and, on the hub, allocated) per partner; days
 * between the BdI stages (median and 90th percentile); spending per area
 * and partner; services per type and region; referrals per status.  Built
 * as one JSON document (view_report()) and turned into CSV from that
 * document (view_report_csv()), so both always say the same.
 *
 * Scope: what the store holds.  The hub holds every record, so its report
 * is the national view; a node's is its own scope.  Nothing else tells
 * them apart but "scope" and the allocation column, which only the hub
 * publishes (its allocation is the hub's configuration).
 *
 * Layer: a view (commands and web UI -> views -> sync -> store): it reads
 * records through the store API (store_list(), store_history()) on an
 * unlocked store and writes nothing.  Prints nothing: the caller prints.
 *
 * No personal data.  Only ENUM values, references, amounts, dates and the
 * times of changes are read; the output holds counts, sums and durations,
 * with labels taken from the declarations (schema_field.label /
 * value_labels), never a value of a record.  The decrypted records the
 * store hands over are released by the store after each call.
 *
 * Suppression (view/view_suppress.h, threshold 5).  Every count table is
 * protected with its totals: counts 1-4 are hidden, and so is every entry
 * (cell or total) from which a hidden one could be recomputed.  Hidden
 * entries are JSON null and "riservato" in CSV, primary and complementary
 * alike (telling them apart would give cells away); 0 is published.
 * Spending publishes sums: a sum is hidden when fewer than 5 doti
 * contribute to it (a dote contributes to the area cells it has ledger
 * entries in), its totals likewise by their distinct doti, and the
 * complements are chosen on the table of contributors.  Linked
 * publications share masks: doti used per partner are the row totals of
 * "cases_partner" with that table's mask, and the grand total of cases,
 * published by "cases_bdi" and "cases_path", is hidden in both or in
 * neither.  Days between stages publish, per interval, the number of
 * cases measured and the median and 90th percentile; when that number is
 * 1-4 all three are hidden (null: the band 1-4 is implied, zeros being
 * published); with 0 the row holds the count only (there is no
 * statistic to hide).  The 90th percentile also needs 10 cases: below
 * that the nearest rank is the largest value, one case's own interval.
 *
 * Times of the BdI steps.  A step's time is the HLC time (its wall-clock
 * part) of the first change that wrote that value of case.bdi_stage, as
 * the record's history holds it (received changes keep their origin's
 * time); first contact is the case's first change.  Intervals: identified
 * -> submitted, submitted -> validated, validated -> matched, matched ->
 * in_charge, in_charge -> closed, first contact -> in_charge; a case that
 * skipped a stage (e.g. opened as submitted) is not counted in the
 * intervals that need it, and a negative interval (clocks apart) counts
 * as 0 days.  Median: the mean of the two middle values when their number
 * is even; 90th percentile: nearest rank.  Days with one decimal.
 *
 * Period (--from, --to, inclusive, UTC): whole calendar months only.
 * --from is "YYYY-MM" or the first day of a month "YYYY-MM-01", --to
 * "YYYY-MM" or the last day of a month (30, 31, 28 or 29 in February);
 * anything else is refused.  Suppression protects each report alone: two
 * reports whose periods differ by a few days could be subtracted to give
 * the counts of those days, 1-4 included, so a period cannot end or start
 * inside a month.  (Months stay subtractable, January-March minus
 * January-February: a month is the smallest unit of publication.)  The
 * report's "from" and "to" give the days in full.  Cases (and with them
 * their doti) count by the day of first contact; intervals by the day of
 * their end step; ledger entries and services by their date; referrals by
 * sent_on (a referral without it is left out when a period is given).
 */
#ifndef PRESIDIO_VIEW_VIEW_REPORT_H
#define PRESIDIO_VIEW_VIEW_REPORT_H

#include <jansson.h>
#include <stddef.h>

#include "common/err.h"
#include "node/store.h"

/* The report's tables, for --only (their JSON "name" in quotes). */
enum view_report_part {
	VIEW_REPORT_CASES_BDI = 1 << 0,     /* "cases_bdi": region x stage */
	VIEW_REPORT_CASES_PATH = 1 << 1,    /* "cases_path": Polo path stage */
	VIEW_REPORT_CASES_PARTNER = 1 << 2, /* "cases_partner": doti's partner
					       x their case's BdI stage */
	VIEW_REPORT_DOTI = 1 << 3,          /* "doti": used, allocated */
	VIEW_REPORT_DAYS = 1 << 4,          /* "days": between BdI steps */
	VIEW_REPORT_SPENDING = 1 << 5,      /* "spending": area x partner */
	VIEW_REPORT_SERVICES = 1 << 6,      /* "services": type x region */
	VIEW_REPORT_REFERRALS = 1 << 7,     /* "referrals": per status */
	VIEW_REPORT_ALL = (1 << 8) - 1
};

/* The names above, comma-separated, in report order (for help texts). */
extern const char view_report_names[];

/* The part called name into *part: 0, or ERR_INVALID (e names the
 * problem, quoting name only when it is a well-formed name). */
int view_report_part(const char *name, unsigned *part,
		     struct err *e) ERR_MUST_USE;

struct view_report_opts {
	unsigned parts;   /* enum view_report_part bits; 0: all */
	const char *from; /* "YYYY-MM" or a month's first day "YYYY-MM-01",
			     or NULL */
	const char *to;   /* "YYYY-MM" or a month's last day, or NULL */
};

/*
 * The report of what unlocked store s holds into *out (the caller's,
 * json_decref()): {"report":"presidio","scope":"national"|"node",
 * "node":NAME,"threshold":5,"from","to","tables":[TABLE...]} with TABLE
 * {"name","title","unit":"cases"|"doti"|"services"|"referrals"|"days"|
 * "euro_cents","note"?,"rows":{"name","label","keys":[],"labels":[]},
 * "columns":{...},"cells":[[v...]...],"row_totals":[v...]?,
 * "column_totals":[v...]?,"total":v?} where v is an integer (a real for
 * days) or null when hidden.  Count tables of one column carry neither
 * row_totals (they are the cells) nor column_totals (the total); "doti"
 * carries column_totals (used, allocated) and no total; "days" carries
 * cells only, [count, median, p90] per interval ([0] without cases).
 * ERR_INVALID (bad period, not whole months: e says which), ERR_NOMEM,
 * the store's
 * errors; *out is NULL on failure.
 */
int view_report(struct store *s, const struct view_report_opts *o,
		json_t **out, struct err *e) ERR_MUST_USE;

/*
 * The report as CSV into *out (malloc'd, NUL-terminated; the caller
 * free()s it; it holds no personal data): one header row
 * "tabella;titolo;riga;colonna;valore", then one line per published or
 * hidden entry, totals under "Totale".  Semicolons, because Italian
 * spreadsheets (Excel, LibreOffice with the Italian locale) open ';' and
 * read ',' as the decimal mark: amounts are euro with two decimals and
 * days with one, written with a decimal comma, so they open as numbers.
 * Text with ';', '"' or a line break is quoted.  Hidden entries:
 * "riservato".  ERR_INVALID when report is not view_report()'s shape,
 * ERR_NOMEM.
 */
int view_report_csv(const json_t *report, char **out,
		    struct err *e) ERR_MUST_USE;

#endif
