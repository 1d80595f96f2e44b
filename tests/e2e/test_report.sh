#!/bin/sh
# tests/e2e/test_report.sh - `presidio report` through the command line:
# JSON and CSV of a node's cases (small counts hidden, zeros shown, no
# name in either), --only, the period, the Italian help, usage errors,
# and the hub's national view with the doti allocation, which a node
# does not publish.
. "$(dirname "$0")/lib.sh"

setup_node

# 13 cases: Puglia 6 identified and 5 submitted, Campania 2 identified.
uid() {
	printf '00000000-0000-4000-8000-%012d' "$1"
}
i=1
: >"$T/in.jsonl"
while [ $i -le 13 ]; do
	region=Puglia
	stage=identified
	[ $i -gt 6 ] && stage=submitted
	[ $i -gt 11 ] && region=Campania && stage=identified
	printf '{"op":"put","collection":"person","id":"%s","fields":{"given_name":"Zorbatest","family_name":"Quagliarulo%d"}}\n' \
		"$(uid $((100 + i)))" $i >>"$T/in.jsonl"
	printf '{"op":"put","collection":"case","id":"%s","fields":{"person_id":"%s","region":"%s","stage":"intake","bdi_stage":"%s"}}\n' \
		"$(uid $i)" "$(uid $((100 + i)))" $region $stage >>"$T/in.jsonl"
	i=$((i + 1))
done
pr import "$T/in.jsonl"
[ "$RC" -eq 0 ] || { fail import "exit $RC ($(first_err))"; finish; }

pr report --only cases_bdi --only cases_path
if [ "$RC" -eq 0 ] && [ "$(jval scope)" = node ] &&
	[ "$(jval tables.0.name)" = cases_bdi ] &&
	[ "$(jval tables.1.name)" = cases_path ] &&
	[ "$(jval tables.2)" = undefined ]; then
	ok report_json_only
else
	fail report_json_only "exit $RC ($(first_err)) $(head -c 200 "$T/out")"
fi
# Campania's 2 are hidden, Basilicata's 0 shown, all 13 cases counted.
if [ "$(jval tables.0.cells.0.0)" = null ] &&
	[ "$(jval tables.0.row_totals.0)" = null ] &&
	[ "$(jval tables.0.row_totals.2)" = 0 ] &&
	[ "$(jval tables.1.cells.0.0)" = 13 ] &&
	[ "$(jval tables.1.total)" = 13 ]; then
	ok report_json_suppressed
else
	fail report_json_suppressed "$(jval tables.0.cells) $(jval tables.1)"
fi
cp "$T/out" "$T/report.json"

pr report --csv
if [ "$RC" -eq 0 ] &&
	[ "$(head -n 1 "$T/out")" = "$(printf 'tabella;titolo;riga;colonna;valore\r')" ] &&
	out_has "cases_bdi;Casi per regione e fase BdI;Campania;Individuazione;riservato" &&
	out_has "cases_path;Casi per fase del percorso al Polo;Totale;Numero;13"; then
	ok report_csv
else
	fail report_csv "exit $RC ($(first_err)) $(head -n 3 "$T/out")"
fi
cp "$T/out" "$T/report.csv"
assert_absent report_no_names "$T/report.json" Zorbatest Quagliarulo \
	00000000-0000-4000-8000
assert_absent report_csv_no_names "$T/report.csv" Zorbatest Quagliarulo \
	00000000-0000-4000-8000

# The period: no case was first seen in 2020.
pr report --only cases_path --from 2020-01-01 --to 2020-12-31
if [ "$RC" -eq 0 ] && [ "$(jval tables.0.total)" = 0 ]; then
	ok report_period
else
	fail report_period "exit $RC $(jval tables.0)"
fi

pr report --help
if [ "$RC" -eq 0 ] && out_has "Riservatezza" && out_has "--only TABELLA"; then
	ok report_help_italian
else
	fail report_help_italian "exit $RC"
fi
t_exit report_only_unknown 2 "$P" report --only nope
t_exit report_json_and_csv 2 "$P" report --json --csv
t_exit report_bad_date 6 "$P" report --from 2026-13-40
# Whole calendar months only: periods a few days apart, subtracted, would
# give the counts of those days.
t_exit report_from_mid_month 6 "$P" report --from 2026-03-02
t_exit report_to_mid_month 6 "$P" report --to 2026-03-30
pr report --only cases_path --from 2020-01 --to 2020-02-29
if [ "$RC" -eq 0 ] && [ "$(jval from)" = 2020-01-01 ] &&
	[ "$(jval to)" = 2020-02-29 ]; then
	ok report_whole_months
else
	fail report_whole_months "exit $RC $(jval from) $(jval to)"
fi

# A hub: the national view publishes the allocation (195 in all).
PRESIDIO_DIR=$T/hub
export PRESIDIO_DIR
pr init --hub --name hub
pr report --only doti
if [ "$RC" -eq 0 ] && [ "$(jval scope)" = national ] &&
	[ "$(jval tables.0.columns.keys.1)" = allocated ] &&
	[ "$(jval tables.0.column_totals.1)" = 195 ]; then
	ok report_hub_allocation
else
	fail report_hub_allocation "exit $RC ($(first_err)) $(jval tables.0)"
fi

finish
