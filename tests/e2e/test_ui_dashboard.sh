#!/bin/sh
# tests/e2e/test_ui_dashboard.sh - the Helpdesk's national dashboard:
# `presidio ui` on the hub's directory while `hub serve` runs there, a
# Polo enrolled and synced; the API's dashboard (the report's indicators,
# small counts hidden as the report hides them, the nodes with their last
# contact and refusals) and the charts in a real headless Chromium
# (browser/dashboard.js); a node has no dashboard; a Polo enrolled that
# never synced says so on its home page (browser/stale.js).
# e2e: plain build only
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sync_lib.sh"
. "$(dirname "$0")/ui_lib.sh"

ui_hub_setup
node_init "$T/hub" hub --hub
[ "$RC" -eq 0 ] || { fail hub_init "exit $RC ($(first_err))"; finish; }

# 18 cases: Puglia 6 identified and 5 identified then submitted, Sicilia 7
# identified.
uid() {
	printf '00000000-0000-4000-8000-%012d' "$1"
}
: >"$T/in.jsonl"
i=1
while [ $i -le 18 ]; do
	region=Puglia
	[ $i -gt 11 ] && region=Sicilia
	printf '{"op":"put","collection":"person","id":"%s","fields":{"given_name":"Zorbatest","family_name":"Quagliarulo%d"}}\n' \
		"$(uid $((100 + i)))" $i >>"$T/in.jsonl"
	printf '{"op":"put","collection":"case","id":"%s","fields":{"person_id":"%s","region":"%s","stage":"intake","bdi_stage":"identified"}}\n' \
		"$(uid $i)" "$(uid $((100 + i)))" $region >>"$T/in.jsonl"
	i=$((i + 1))
done
for i in 7 8 9 10 11; do
	printf '{"op":"put","collection":"case","id":"%s","fields":{"bdi_stage":"submitted"}}\n' \
		"$(uid $i)" >>"$T/in.jsonl"
done
on "$T/hub" import "$T/in.jsonl"
[ "$RC" -eq 0 ] || { fail import "exit $RC ($(first_err))"; finish; }

start_hub
add_node polo-b polo Puglia
[ "$RC" -eq 0 ] || { fail enroll "exit $RC ($(first_err))"; finish; }
on "$T/polo-b" sync
[ "$RC" -eq 0 ] && ok node_synced || fail node_synced "exit $RC ($(first_err))"

ui_serve "$T/hub"
BASE="http://127.0.0.1:$UI_PORT"
req() {
	m=$1
	shift
	ST=$(curl -s -o "$T/b" -w '%{http_code}' -b "$T/jar" -c "$T/jar" \
		-X "$m" "$@")
}
req GET "$BASE/api/dashboard"
[ "$ST" = 401 ] && ! grep -q Puglia "$T/b" && ok dashboard_needs_session ||
	fail dashboard_needs_session "status $ST"
req POST "$BASE/api/session" -H 'Content-Type: application/json' \
	-d "{\"operator\":\"alice\",\"passphrase\":\"$E2E_PASSPHRASE\"}"
cp "$T/b" "$T/session.json"
[ "$ST" = 200 ] && [ "$(jval role "$T/b")" = hub ] && ok hub_signin ||
	fail hub_signin "status $ST $(head -c 200 "$T/b")"
req GET "$BASE/api/dashboard"
if [ "$ST" = 200 ] && [ "$(jval report.scope "$T/b")" = national ] &&
	[ "$(jval report.tables.0.name "$T/b")" = cases_bdi ] &&
	[ "$(jval report.tables.0.cells.1.0 "$T/b")" = 6 ] &&
	[ "$(jval report.tables.0.cells.1.1 "$T/b")" = 5 ] &&
	[ "$(jval report.tables.0.cells.4.0 "$T/b")" = 7 ]; then
	ok dashboard_indicators
else
	fail dashboard_indicators "status $ST $(head -c 400 "$T/b")"
fi
if [ "$(jval nodes.0.name "$T/b")" = polo-b ] && [ "$(jval nodes.0.state "$T/b")" = enrolled ] &&
	[ "$(jval nodes.0.last_contact_s "$T/b")" != null ] && [ "$(jval nodes.0.refused "$T/b")" = 0 ]; then
	ok dashboard_nodes
else
	fail dashboard_nodes "$(head -c 400 "$T/b")"
fi
assert_absent dashboard_no_personal_data "$T/b" Zorbatest Quagliarulo 00000000-0000-4000-8000
req GET "$BASE/static/chart.js"
[ "$ST" = 200 ] && grep -q 'Chart' "$T/b" && ok chart_js_served || fail chart_js_served "status $ST"

# The allocation: bad input refused, nothing written; on a hub only.
bad=
for body in '{}' '{"partner":"nessuno","allocated":3}' '{"partner":"puglia","allocated":-1}' \
	'{"partner":"puglia","allocated":"3"}' '{"partner":"puglia","allocated":2000000}' '[1]'; do
	req POST "$BASE/api/allocation" -H 'Content-Type: application/json' \
		-H "X-Presidio-CSRF: $(jval csrf "$T/session.json")" -d "$body"
	[ "$ST" = 400 ] && grep -q '"error"' "$T/b" || bad="$bad [$body]:$ST"
done
on "$T/hub" hub allocation --json
[ -z "$bad" ] && ! grep -q '"allocated": -1' "$T/out" && [ "$(grep -o '"allocated": [0-9]*' "$T/out" |
	awk '{s += $2} END {print s}')" = 195 ] && ok allocation_bad_input_refused ||
	fail allocation_bad_input_refused "$bad"
req POST "$BASE/api/allocation" -H 'Content-Type: application/json' -d '{"partner":"puglia","allocated":3}'
[ "$ST" = 403 ] && ok allocation_needs_csrf || fail allocation_needs_csrf "status $ST"

ui_driver
ui_browser dashboard profile-dashboard
assert_absent no_personal_data_in_log "$T/ui.log" Zorbatest Quagliarulo "$E2E_PASSPHRASE"

# A Polo enrolled that never synced: its home page says so.
add_node polo-c polo Puglia
[ "$RC" -eq 0 ] || { fail enroll_polo_c "exit $RC ($(first_err))"; finish; }
ui_unserve
ui_serve "$T/polo-c"
BASE="http://127.0.0.1:$UI_PORT"
rm -f "$T/jar"
req POST "$BASE/api/session" -H 'Content-Type: application/json' \
	-d "{\"operator\":\"alice\",\"passphrase\":\"$E2E_PASSPHRASE\"}"
req GET "$BASE/api/status"
[ "$ST" = 200 ] && [ "$(jval sync.enrolled "$T/b")" = true ] && [ "$(jval sync.stale "$T/b")" = true ] &&
	ok never_synced_is_stale || fail never_synced_is_stale "status $ST $(head -c 300 "$T/b")"
ui_browser stale profile-stale
finish
