#!/bin/sh
# tests/e2e/test_metrics.sh - /metrics on a real hub and on a node's web
# interface, parsed by a real Prometheus parser (Debian's
# python3-prometheus-client, text_string_to_metric_families): requests by
# endpoint and status, batches and changes applied on the hub, refusals,
# open conflicts, pending changes, the age of the last good sync and the
# sync duration histogram on the node, each node's last contact on the
# hub; a token file that is not one good line stops the server at start.
# Who may read /metrics from elsewhere (the bearer token) is
# tests/http/test_http_metrics.c: servers here bind to loopback only.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sync_lib.sh"

KEYED=1
PRESIDIO_OPERATOR=alice
export PRESIDIO_OPERATOR
unset PRESIDIO_DIR PRESIDIO_PASSPHRASE
PY=/usr/bin/python3

CURL_CA=

# scrape URL NAME: GET URL ($CURL_CA: curl's CA option) into $T/NAME.prom;
# parse it with the real parser into $T/NAME.txt, one "metric{label=value,...} value" a line,
# labels sorted (the parse failing is a test failure of its own).
scrape() {
	run curl -sS --max-time 10 $CURL_CA -o "$T/$2.prom" \
		-w '%{http_code} %{content_type}' "$1"
	if [ "$RC" -ne 0 ] || ! out_has "200 text/plain; version=0.0.4"; then
		fail "${2}_scrape" "exit $RC: $(cat "$T/out")"
		return
	fi
	ok "${2}_scrape"
	run "$PY" -c '
import sys
from prometheus_client.parser import text_string_to_metric_families
text = open(sys.argv[1]).read()
for fam in text_string_to_metric_families(text):
    for s in fam.samples:
        labels = ",".join("%s=%s" % kv for kv in sorted(s.labels.items()))
        print("%s{%s} %r" % (s.name, labels, s.value))
' "$T/$2.prom"
	if [ "$RC" -eq 0 ]; then
		cp "$T/out" "$T/$2.txt"
		ok "${2}_parses"
	else
		fail "${2}_parses" "$(tail -n 2 "$T/err")"
		: >"$T/$2.txt"
	fi
}

# val NAME SAMPLE: the value of SAMPLE ("metric{labels}") in $T/NAME.txt.
val() {
	grep -F -- "$2 " "$T/$1.txt" | sed -n '1s/.* //p'
}

# cmp_val NAME TEST SAMPLE OP N: the sample is present and its value OP
# N (OP a Python comparison: ">=", "<").
cmp_val() {
	c_v=$(val "$1" "$3")
	if [ -n "$c_v" ] &&
		"$PY" -c "import sys; sys.exit(0 if float('$c_v') $4 $5 else 1)"; then
		ok "$2"
	else
		fail "$2" "$3 = '${c_v:-missing}', want $4 $5"
	fi
}

# at_least NAME TEST SAMPLE MIN; below NAME TEST SAMPLE MAX (finite).
at_least() {
	cmp_val "$1" "$2" "$3" ">=" "$4"
}

below() {
	cmp_val "$1" "$2" "$3" "<" "$4"
}

make_ca
start_hub
add_node polo-a polo Puglia
add_node polo-b polo Puglia

# Work on polo-a: a person, a case; synced.  polo-b never syncs.
printf '{"given_name":"Amina","family_name":"Diallo","birth_date":"1990-04-01","sex":"F","nationality":"ML"}' \
	>"$T/p.json"
on "$T/polo-a" put person <"$T/p.json"
PID=$(cat "$T/out")
# Edited again before the sync: the hub merges the edit on what the
# create left in the same batch.
printf '{"phone":"+39 333 1111111"}' | on "$T/polo-a" put person "$PID"
check edit_before_sync [ "$RC" -eq 0 ]
on "$T/polo-a" sync
check sync_a [ "$RC" -eq 0 ]
# One more change, not sent: pending on the node.
printf '{"phone":"+39 333 0000000"}' | on "$T/polo-a" put person "$PID"
check pending_change [ "$RC" -eq 0 ]

# ---- the hub ---------------------------------------------------------------

run curl -sS --max-time 10 --cacert "$T/pki/ca.pem" -X POST \
	-o /dev/null -w '%{http_code}' "$HUB_URL/metrics"
check hub_metrics_post_405 [ "$(cat "$T/out")" = 405 ]
CURL_CA="--cacert $T/pki/ca.pem"
scrape "$HUB_URL/metrics" hub
at_least hub hub_push_requests \
	'presidio_http_requests_total{code=200,endpoint=/v1/push,method=POST}' 1
at_least hub hub_pull_requests \
	'presidio_http_requests_total{code=200,endpoint=/v1/pull,method=GET}' 1
at_least hub hub_push_duration \
	'presidio_http_request_duration_seconds_count{endpoint=/v1/push}' 1
at_least hub hub_batches_applied 'presidio_hub_push_batches_total{}' 1
at_least hub hub_changes_applied 'presidio_hub_changes_applied_total{}' 1
at_least hub hub_changes_merged_on \
	'presidio_hub_changes_merged_on_total{}' 1
at_least hub hub_changes_sent 'presidio_hub_pull_batches_total{}' 1
check hub_refused_counter grep -q '^presidio_hub_changes_refused_total{} ' \
	"$T/hub.txt"
check hub_conflicts_gauge grep -q '^presidio_conflicts_open{} ' "$T/hub.txt"
below hub hub_contact_a \
	'presidio_node_last_contact_age_seconds{node=polo-a}' 600
# polo-b enrolled (it contacted the hub once) and never synced; a node
# never seen would say +Inf.
check hub_contact_b grep -q \
	'^presidio_node_last_contact_age_seconds{node=polo-b} ' "$T/hub.txt"
check hub_refused_per_node grep -q \
	'^presidio_node_refused_changes{node=polo-a} 0' "$T/hub.txt"
# No record value in the text: the person's names are nowhere.
# The phone as written: a bare "333" is found in any metric whose value
# holds those digits (a duration, a byte count).
assert_absent hub_no_personal_data "$T/hub.prom" Amina Diallo "+39 333" \
	"333 0000000"

# ---- the node's web interface ---------------------------------------------

CURL_CA=
UIPORT=$T/ui.port
bg sh -c "exec '$P' -d '$T/polo-a' ui --port 0 --port-file '$UIPORT' \
	2>>'$T/ui.log'"
i=0
while [ ! -s "$UIPORT" ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
UI_URL="http://127.0.0.1:$(cat "$UIPORT")"
run curl -sS --max-time 10 -o /dev/null "$UI_URL/api/status"
scrape "$UI_URL/metrics" node
at_least node node_rounds_ok 'presidio_sync_rounds_total{result=ok}' 1
at_least node node_changes_pushed \
	'presidio_sync_changes_total{direction=push}' 1
at_least node node_pending 'presidio_sync_pending_changes{}' 1
below node node_last_sync_age 'presidio_sync_last_success_age_seconds{}' 600
at_least node node_duration_count 'presidio_sync_duration_seconds_count{}' 1
check node_duration_buckets grep -q \
	'^presidio_sync_duration_seconds_bucket{le=+Inf} ' "$T/node.txt"
at_least node node_requests \
	'presidio_http_requests_total{code=401,endpoint=/api/status,method=GET}' 1
check node_conflicts_gauge grep -q '^presidio_conflicts_open{} 0' \
	"$T/node.txt"
assert_absent node_no_personal_data "$T/node.prom" Amina Diallo "+39 333" \
	"333 0000000"

# A failed round counts too: polo-a offline.
stop_hub
on "$T/polo-a" sync --retries 0
check offline_round [ "$RC" -eq 11 ]
scrape "$UI_URL/metrics" node2
at_least node2 node_rounds_failed 'presidio_sync_rounds_total{result=failed}' 1
at_least node2 node_rounds_ok_kept 'presidio_sync_rounds_total{result=ok}' 1

# ---- a bad token file stops the server at start ---------------------------

printf 'short\n' >"$T/token"
run "$P" -d "$T/polo-b" -c metrics.token_file="$T/token" ui --port 0
if [ "$RC" -ne 0 ] && err_has "metrics.token_file" && err_has "16"; then
	ok token_file_refused
else
	fail token_file_refused "exit $RC: $(first_err)"
fi
run "$P" -d "$T/polo-b" -c metrics.token_file="$T/none" ui --port 0
check token_file_missing_refused [ "$RC" -ne 0 ]
finish
