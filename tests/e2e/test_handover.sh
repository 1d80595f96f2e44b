#!/bin/sh
# tests/e2e/test_handover.sh - a case handed over while its former holder
# has unsynced and in-flight edits (issue 11, item 1), through a real hub
# over TLS.  polo-b reaches the hub through tests/tools/faultproxy,
# throttled, so that its syncs are slow; while they run it keeps saving
# edits (a `put` every 0.1 s: case fields and new services), and the hub
# hands the case to polo-a alone.  In the end every edit whose `put` exited
# 0 is either on the hub (and reaches polo-a) or listed as refused on both
# polo-b and the hub, its value exported; polo-b no longer holds the case,
# and `status` counts what `refused` lists.
# Under the sanitizers tests/sync/test_handover.c runs the hand-over and its
# refusals: this script runs in the plain build only.
# e2e: plain build only
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sync_lib.sh"

PROXY=$E2E_BUILD/tests/tools/faultproxy
[ -x "$PROXY" ] || { fail faultproxy "no $PROXY (make tests builds it)"; finish; }

# Key-file slots: no Argon2 on each of the many commands.
KEYED=1
PRESIDIO_OPERATOR=alice
export PRESIDIO_OPERATOR
unset PRESIDIO_DIR PRESIDIO_PASSPHRASE

make_ca
start_hub

# No cuts: slow only (a few KB/s each way, delayed chunks).
"$PROXY" --target "127.0.0.1:$HUB_PORT" --port-file "$T/proxy.port" \
	--cut-prob 0 --delay-ms 40 --throttle 4000 --lifetime 120 \
	2>"$T/proxy.log" &
E2E_PIDS="$E2E_PIDS $!"
i=0
while [ ! -s "$T/proxy.port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
PROXY_URL="https://127.0.0.1:$(cat "$T/proxy.port")"

add_node polo-a polo Puglia
[ "$RC" -eq 0 ] || { fail enroll_a "exit $RC ($(first_err))"; finish; }
on "$T/hub" hub node add polo-b --kind polo --region Puglia
tok=$(cat "$T/out")
node_init "$T/polo-b" polo-b
PRESIDIO_TOKEN=$tok
export PRESIDIO_TOKEN
on "$T/polo-b" enroll --hub "$PROXY_URL" --ca "$T/pki/ca.pem"
unset PRESIDIO_TOKEN
[ "$RC" -eq 0 ] || { fail enroll_b "exit $RC ($(first_err))"; finish; }

onj '{"given_name":"Amadou","family_name":"Diallo"}' "$T/polo-a" put person
PERSON=$(out_line)
onj "{\"person_id\":\"$PERSON\",\"region\":\"Puglia\",\"stage\":\"intake\",\"nodes\":[\"polo-a\",\"polo-b\"]}" \
	"$T/polo-a" put case
CASE=$(out_line)
on "$T/polo-a" sync
a_rc=$RC
on "$T/polo-b" sync
if [ "$a_rc" -eq 0 ] && [ "$RC" -eq 0 ]; then on "$T/polo-b" get "$CASE"; fi
[ "$RC" -eq 0 ] && ok shared_case_on_b || { fail shared_case_on_b "exit $RC ($(first_err))"; finish; }

# edit N: one saved edit of polo-b's, recorded in $T/edits as
# "N KIND RC ID": odd N write the case's case_worker "w-N", even N
# record a visit (a service of duration N).
edit() {
	if [ $(($1 % 2)) -eq 1 ]; then
		printf '{"case_worker":"w-%s"}' "$1" >"$T/in.$1"
		env PRESIDIO_KEY_FILE="$T/polo-b.key" "$P" -d "$T/polo-b" \
			put case "$CASE" <"$T/in.$1" >"$T/o.$1" 2>>"$T/edit.err"
		echo "$1 case $? $CASE" >>"$T/edits"
	else
		printf '{"case_id":"%s","service_type":"legal_advice","date":"2026-11-20","duration_min":%s}' \
			"$CASE" "$1" >"$T/in.$1"
		env PRESIDIO_KEY_FILE="$T/polo-b.key" "$P" -d "$T/polo-b" \
			put service <"$T/in.$1" >"$T/o.$1" 2>>"$T/edit.err"
		echo "$1 service $? $(sed -n 1p "$T/o.$1")" >>"$T/edits"
	fi
}

# Unsynced edits, then the hand-over on the hub.
: >"$T/edits"
for n in 1 2 3; do edit $n; done
onj '{"nodes":["polo-a"]}' "$T/hub" put case "$CASE"
[ "$RC" -eq 0 ] && ok hub_hands_over || fail hub_hands_over "exit $RC ($(first_err))"

# In-flight edits: every 0.1 s for a few seconds, while polo-b syncs
# (slowly) again and again.
(
	n=4
	while [ $n -lt 36 ]; do
		edit $n
		n=$((n + 1))
		sleep 0.1
	done
	touch "$T/loop.done"
) &
LOOP=$!
E2E_PIDS="$E2E_PIDS $LOOP"
start=$(date +%s)
syncs=
r=0
while [ ! -f "$T/loop.done" ] && [ $r -lt 30 ]; do
	on "$T/polo-b" sync
	syncs="$syncs $RC"
	r=$((r + 1))
done
wait "$LOOP"
# What was saved since goes too.
on "$T/polo-b" sync
syncs="$syncs $RC"
on "$T/polo-b" sync
syncs="$syncs $RC"
echo "# polo-b syncs:$syncs in $(($(date +%s) - start)) s; $(wc -l <"$T/edits") edits"
bad_sync=
for s in $syncs; do
	[ "$s" -eq 0 ] || [ "$s" -eq 10 ] || bad_sync="$bad_sync $s"
done
[ -z "$bad_sync" ] && ok b_syncs_complete || fail b_syncs_complete "exits$bad_sync ($(first_err))"
if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$T/edit.err"; then
	fail sanitizer "put: $(grep -m1 -E 'ERROR: |runtime error:' "$T/edit.err" | head -c 200)"
fi
saved=$(awk '$3 == 0' "$T/edits" | wc -l)
[ "$saved" -ge 10 ] && ok edits_saved_meanwhile ||
	fail edits_saved_meanwhile "only $saved edits saved ($(head -c 200 "$T/edit.err"))"

on "$T/polo-a" sync
[ "$RC" -eq 0 ] && ok a_syncs || fail a_syncs "exit $RC ($(first_err))"

# What the hub and polo-a hold, and what was refused, on both sides.
on "$T/hub" history "$CASE" --json
cp "$T/out" "$T/hub.history"
on "$T/polo-a" history "$CASE" --json
cp "$T/out" "$T/a.history"
on "$T/polo-b" refused --export "$T/b.refused"
b_rc=$RC
on "$T/hub" refused --export "$T/hub.refused"
if [ "$b_rc" -eq 0 ] && [ "$RC" -eq 0 ]; then ok refused_exported; else
	fail refused_exported "exit $b_rc/$RC ($(first_err))"; fi
mode=$(stat -c %a "$T/b.refused" 2>/dev/null)
[ "$mode" = 600 ] && ok export_mode_0600 || fail export_mode_0600 "mode $mode"

lost=
applied=0
refused=0
while read -r n kind rc id; do
	[ "$rc" -eq 0 ] || continue
	if [ "$kind" = case ]; then
		needle="\"w-$n\""
		on_hub=$(grep -cF -- "$needle" "$T/hub.history")
		on_a=$(grep -cF -- "$needle" "$T/a.history")
	else
		needle="$id"
		env PRESIDIO_KEY_FILE="$T/hub.key" "$P" -d "$T/hub" \
			get "$id" >/dev/null 2>&1 &&
			on_hub=1 || on_hub=0
		env PRESIDIO_KEY_FILE="$T/polo-a.key" "$P" -d "$T/polo-a" \
			get "$id" >/dev/null 2>&1 && on_a=1 || on_a=0
	fi
	if [ "$on_hub" -gt 0 ] && [ "$on_a" -gt 0 ]; then
		applied=$((applied + 1))
	elif grep -qF -- "$needle" "$T/b.refused" &&
		grep -qF -- "$needle" "$T/hub.refused"; then
		refused=$((refused + 1))
	else
		lost="$lost $n"
	fi
done <"$T/edits"
echo "# $saved saved edits: $applied on the hub and polo-a, $refused refused"
[ -z "$lost" ] && ok every_saved_edit_kept ||
	fail every_saved_edit_kept "edits lost:$lost"
[ $((applied + refused)) -eq "$saved" ] && ok every_edit_counted ||
	fail every_edit_counted "$applied + $refused != $saved"

# polo-b no longer holds the case; status counts what refused lists.
t_exit b_purged_the_case 3 env PRESIDIO_KEY_FILE="$T/polo-b.key" "$P" \
	-d "$T/polo-b" get "$CASE"
on "$T/polo-b" refused --json
listed=$(wc -l <"$T/out")
on "$T/polo-b" status
if out_has "rejected:   $listed change"; then ok status_counts_refused; else
	fail status_counts_refused "$listed listed, $(grep rejected "$T/out")"; fi
on "$T/polo-b" status
out_has "pending:    0 changes" && ok nothing_pending ||
	fail nothing_pending "$(grep pending "$T/out")"

# The refused values are sealed in the files, in clear only in the export.
if [ "$refused" -gt 0 ]; then
	r_n=$(awk '$3 == 0 && $2 == "case" { print $1 }' "$T/edits" | while read -r n; do
		grep -qF "\"w-$n\"" "$T/b.refused" && echo "$n"; done | sed -n 1p)
	if [ -n "$r_n" ]; then
		assert_absent refused_value_sealed "$T/polo-b" "w-$r_n\""
	fi
fi
finish
