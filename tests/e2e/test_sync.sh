#!/bin/sh
# tests/e2e/test_sync.sh - sync end to end: a real hub over TLS (a test
# CA made here) and three nodes on 127.0.0.1, driven through the command
# line: enrollment, offline edits on several nodes synced in varied
# orders until every replica holds the same records and the same open
# conflicts, status, a case handed over (moves in with its history, is
# purged where it left), a write outside the scope refused and recorded,
# revocation.
# Under the sanitizers the same command-line paths (enroll, sync, hub
# serve, hub node) run through test_audit.sh, test_erasure.sh,
# test_roles.sh and test_sync_faults.sh, and the sync engine through
# tests/sync/ (test_hub, test_hub_scope, test_batch, test_sync_faults, the
# simulator): this script runs in the plain build only.
# e2e: plain build only
# Writes test collections: runs the test build (lib.sh).
E2E_TEST_SCHEMA=1
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sync_lib.sh"

PRESIDIO_OPERATOR=alice
PRESIDIO_PASSPHRASE=$E2E_PASSPHRASE
export PRESIDIO_OPERATOR PRESIDIO_PASSPHRASE
unset PRESIDIO_DIR

make_ca
if [ -s "$T/pki/hub.pem" ]; then ok "test_ca"; else
	fail "test_ca" "openssl could not make the test certificates"; finish; fi
start_hub
ok "hub_serves_tls"

# ---- enrollment ------------------------------------------------------------

add_node polo-a polo Puglia
t_name=enroll_polo_a
if [ "$RC" -eq 0 ] && out_has "enrolled as 'polo-a' (polo, Puglia)"; then
	ok $t_name; else fail $t_name "exit $RC ($(first_err))"; fi
add_node polo-b polo Puglia
[ "$RC" -eq 0 ] && ok enroll_polo_b || fail enroll_polo_b "exit $RC ($(first_err))"
add_node pda-sic pda Sicilia
[ "$RC" -eq 0 ] && ok enroll_pda || fail enroll_pda "exit $RC ($(first_err))"

# Without the test CA the hub's certificate is not trusted.
on "$T/hub" hub node add polo-x --kind polo --region Puglia
tok=$(cat "$T/out")
on "$T/polo-x" init --name polo-x
t_exit enroll_untrusted_cert_refused 4 env PRESIDIO_TOKEN="$tok" "$P" \
	-d "$T/polo-x" enroll --hub "$HUB_URL"
# The token is still good (nothing was sent); used once, then spent.
t_exit enroll_with_ca 0 env PRESIDIO_TOKEN="$tok" "$P" -d "$T/polo-x" \
	enroll --hub "$HUB_URL" --ca "$T/pki/ca.pem"
t_exit enroll_token_spent 4 env PRESIDIO_TOKEN="$tok" "$P" -d "$T/polo-b" \
	enroll --hub "$HUB_URL" --ca "$T/pki/ca.pem"
t_exit enroll_token_twice_refused 2 "$P" -d "$T/polo-x" enroll \
	--hub "$HUB_URL" --token "$tok" --token-fd 0
err_has "not both" && ok token_twice_says_why || fail token_twice_says_why "$(first_err)"

# A pinned public key instead of a CA; a wrong pin is refused.
PIN="sha256//$(openssl x509 -in "$T/pki/hub.pem" -pubkey -noout |
	openssl pkey -pubin -outform der | openssl dgst -sha256 -binary |
	openssl enc -base64)"
on "$T/hub" hub node add polo-p --kind polo --region Puglia
tok=$(cat "$T/out")
on "$T/polo-p" init --name polo-p
t_exit enroll_wrong_pin_refused 4 env PRESIDIO_TOKEN="$tok" "$P" \
	-d "$T/polo-p" enroll --hub "$HUB_URL" \
	--pin "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
# The token on the command line (the issue's form; wiped from argv).
t_exit enroll_with_pin 0 "$P" -d "$T/polo-p" \
	enroll --hub "$HUB_URL" --pin "$PIN" --token "$tok"
t_exit sync_with_pin 0 "$P" -d "$T/polo-p" sync

on "$T/hub" hub node list --json
if [ "$RC" -eq 0 ] && [ "$(jval 0.state)" = enrolled ] &&
	[ "$(jval 4.name)" = polo-x ]; then ok node_list; else
	fail node_list "exit $RC: $(head -c 200 "$T/out")"; fi

# ---- a case shared by two Poli, edited offline on both ----------------------

onj '{"given_name":"Amadou","family_name":"Diallo","phone":"+39 333 1234567"}' \
	"$T/polo-a" put person
PERSON=$(out_line)
onj "{\"person_id\":\"$PERSON\",\"region\":\"Puglia\",\"stage\":\"intake\",\"nodes\":[\"polo-a\",\"polo-b\"]}" \
	"$T/polo-a" put case
CASE=$(out_line)
onj "{\"case_id\":\"$CASE\",\"service_type\":\"legal_advice\",\"date\":\"2026-11-20\",\"note\":\"primo colloquio\"}" \
	"$T/polo-a" put service
SERVICE=$(out_line)

on "$T/polo-a" status
if out_has "pending:    3 changes"; then ok status_pending_before; else
	fail status_pending_before "$(grep pending "$T/out")"; fi

t_exit sync_a_first 0 "$P" -d "$T/polo-a" sync
on "$T/polo-a" status
if out_has "pending:    0 changes" && ! out_has "last sync:  never"; then
	ok status_after_sync; else fail status_after_sync "$(tail -n 3 "$T/out")"; fi
t_exit sync_b_first 0 "$P" -d "$T/polo-b" sync
on "$T/polo-b" get "$CASE"
[ "$RC" -eq 0 ] && ok shared_case_reaches_b || fail shared_case_reaches_b "exit $RC"

# Offline: both edit the same field and different fields, b deletes the
# service while a edits it.
onj '{"case_worker":"Rossi","priority":"high"}' "$T/polo-a" put case "$CASE"
onj '{"case_worker":"Bianchi","province":"FG"}' "$T/polo-b" put case "$CASE"
onj '{"outcome":"completed"}' "$T/polo-a" put service "$SERVICE"
on "$T/polo-b" delete "$SERVICE"
onj '{"notes":"vive a Borgo Mezzanone"}' "$T/polo-b" put person "$PERSON"

for n in polo-b polo-a pda-sic polo-b polo-a; do
	run "$P" -d "$T/$n" sync
	if [ "$RC" -ne 0 ]; then fail "sync_rounds" "$n: exit $RC ($(first_err))"; break; fi
done
[ "$RC" -eq 0 ] && ok sync_rounds

# snapshot DIR NAME: every record of the case, with versions, as the node
# prints it; an empty line for a record it does not hold.
snapshot() {
	: >"$T/snap.$2"
	for id in "$PERSON" "$CASE" "$SERVICE"; do
		"$P" -d "$1" get "$id" --versions 2>/dev/null >>"$T/snap.$2"
		echo >>"$T/snap.$2"
	done
}
snapshot "$T/hub" hub
snapshot "$T/polo-a" a
snapshot "$T/polo-b" b
if [ "$(grep -c '"collection"' "$T/snap.hub")" -eq 3 ] &&
	cmp -s "$T/snap.hub" "$T/snap.a" && cmp -s "$T/snap.hub" "$T/snap.b"; then
	ok replicas_converge
else
	fail replicas_converge "records differ between hub, polo-a, polo-b"
fi
if grep -q '"priority": *"high"' "$T/snap.b" &&
	grep -q '"province": *"FG"' "$T/snap.a"; then
	ok different_fields_merge; else fail different_fields_merge "edits lost"; fi

for n in hub polo-a polo-b; do
	"$P" -d "$T/$n" conflicts --json >"$T/conf.$n" 2>/dev/null
done
na=$(grep -c . "$T/conf.polo-a")
if [ "$na" -ge 2 ] && cmp -s "$T/conf.hub" "$T/conf.polo-a" &&
	cmp -s "$T/conf.hub" "$T/conf.polo-b"; then
	ok same_conflicts_everywhere
else
	fail same_conflicts_everywhere "hub $(grep -c . "$T/conf.hub"), a $na, b $(grep -c . "$T/conf.polo-b")"
fi

# The PdA of Sicily sees nothing of a case of Puglia.
t_exit pda_does_not_see_other_region 3 "$P" -d "$T/pda-sic" get "$CASE"

# Settled on one node, settled everywhere.
on "$T/polo-a" resolve "$CASE" case_worker --pick 1
on "$T/polo-a" resolve "$SERVICE" --keep-deleted
run "$P" -d "$T/polo-a" sync
run "$P" -d "$T/polo-b" sync
run "$P" -d "$T/polo-b" conflicts
if out_has "no open conflicts"; then ok resolution_travels; else
	fail resolution_travels "$(head -n 2 "$T/out")"; fi

# ---- tombstones: purged once every node has seen the delete ---------------

onj "{\"case_id\":\"$CASE\",\"service_type\":\"food_parcel\",\"date\":\"2026-11-22\"}" \
	"$T/polo-a" put service
S2=$(out_line)
run "$P" -d "$T/polo-a" sync
run "$P" -d "$T/polo-b" sync
on "$T/hub" hub purge
if [ "$RC" -eq 0 ] && out_has "purged 1"; then ok purge_settled_tombstone; else
	fail purge_settled_tombstone "exit $RC: $(out_line)"; fi
t_exit purged_service_gone 3 "$P" -d "$T/hub" get "$SERVICE"
on "$T/polo-a" delete "$S2"
run "$P" -d "$T/polo-a" sync
on "$T/hub" hub purge
if [ "$RC" -eq 0 ] && out_has "purged 0"; then ok purge_waits_for_every_node; else
	fail purge_waits_for_every_node "exit $RC: $(out_line)"; fi
run "$P" -d "$T/polo-b" sync
run "$P" -d "$T/polo-a" sync
on "$T/hub" hub purge
if [ "$RC" -eq 0 ] && out_has "purged 1"; then ok purge_after_all_acknowledged; else
	fail purge_after_all_acknowledged "exit $RC: $(out_line)"; fi
t_exit purged_gone_on_hub 3 "$P" -d "$T/hub" get "$S2"

# polo-b stays away past the horizon, editing a record deleted meanwhile.
onj "{\"case_id\":\"$CASE\",\"service_type\":\"housing_support\",\"date\":\"2026-11-22\"}" \
	"$T/polo-a" put service
S3=$(out_line)
onj '{"given_name":"Own","family_name":"Record"}' "$T/polo-b" put person
OWN=$(out_line)
run "$P" -d "$T/polo-a" sync
run "$P" -d "$T/polo-b" sync
onj '{"outcome":"no_show"}' "$T/polo-b" put service "$S3"
on "$T/polo-a" delete "$S3"
run "$P" -d "$T/polo-a" sync
on "$T/hub" hub purge
out_has "purged 0" && ok absent_node_holds_purge || fail absent_node_holds_purge "$(out_line)"
sleep 2
on "$T/hub" hub purge --horizon 1
out_has "purged 1" && ok horizon_releases_purge || fail horizon_releases_purge "$(out_line)"
run "$P" -d "$T/polo-b" sync
if [ "$RC" -eq 10 ] && out_has "rebuilt from the hub" && out_has "refused 1"; then
	ok absent_node_rebootstraps
else
	fail absent_node_rebootstraps "exit $RC: $(head -n 2 "$T/out")"
fi
t_exit deleted_stays_deleted 3 "$P" -d "$T/polo-b" get "$S3"
t_exit rebuilt_node_keeps_its_own 0 "$P" -d "$T/polo-b" get "$OWN"
t_exit deleted_not_back_on_hub 3 "$P" -d "$T/hub" get "$S3"
on "$T/polo-b" get "$CASE"
[ "$RC" -eq 0 ] && ok rebootstrap_keeps_scope || fail rebootstrap_keeps_scope "exit $RC"
run "$P" -d "$T/polo-b" sync
t_exit rebootstrap_done 0 "$P" -d "$T/polo-b" sync

# ---- handing the case over to the Punto di Accesso of Sicily ---------------

onj '{"region":"Sicilia","nodes":["pda-sic"]}' "$T/hub" put case "$CASE"
t_exit pda_sync_move_in 0 "$P" -d "$T/pda-sic" sync
on "$T/pda-sic" history "$CASE"
A_ID=$("$P" -d "$T/polo-a" status --json | node -e '
let s = ""; process.stdin.on("data", (d) => s += d);
process.stdin.on("end", () => process.stdout.write(JSON.parse(s).id));')
if [ "$RC" -eq 0 ] && out_has "create by alice on $A_ID" && out_has "Bianchi"; then
	ok move_in_brings_history
else
	fail move_in_brings_history "exit $RC: $(head -n 3 "$T/out")"
fi
on "$T/pda-sic" get "$PERSON"
[ "$RC" -eq 0 ] && ok move_in_brings_person || fail move_in_brings_person "exit $RC"

run "$P" -d "$T/polo-a" sync
# The person, the case and its services (tombstones included) go.
if [ "$RC" -eq 0 ] && out_has "purged 5"; then ok move_out_purges; else
	fail move_out_purges "exit $RC: $(out_line)"; fi
t_exit moved_case_gone_from_a 3 "$P" -d "$T/polo-a" get "$CASE"
t_exit moved_person_gone_from_a 3 "$P" -d "$T/polo-a" get "$PERSON"
if [ "$(sqlite3 "$T/polo-a/presidio.db" 'SELECT count(*) FROM eviction')" -ge 1 ]; then
	ok purge_is_logged; else fail purge_is_logged "no eviction row"; fi
assert_absent purged_values_gone "$T/polo-a" "Borgo Mezzanone" "Diallo"

# ---- a write outside the scope ---------------------------------------------

run "$P" -d "$T/polo-b" sync
onj "{\"case_id\":\"$CASE\",\"service_type\":\"food_parcel\",\"date\":\"2026-11-21\"}" \
	"$T/polo-b" put service
t_exit out_of_scope_write_partial 10 "$P" -d "$T/polo-b" sync
on "$T/polo-b" status
# Two, as on the hub: the edit of the purged service refused before the
# re-bootstrap is still on record (its log entry went, the refusal not).
if out_has "rejected:   2"; then ok refusal_recorded_on_node; else
	fail refusal_recorded_on_node "$(grep rejected "$T/out")"; fi
on "$T/hub" hub node list --json
# Two: this one, and the edit of the purged service above.
if [ "$(jval 2.name)" = polo-b ] && [ "$(jval 2.refused)" = 2 ]; then
	ok refusal_recorded_on_hub; else fail refusal_recorded_on_hub "$(head -c 300 "$T/out")"; fi
on "$T/hub" list service --count
if [ "$RC" -eq 0 ] && [ "$(out_line)" = "0" ]; then ok refused_not_applied; else
	fail refused_not_applied "exit $RC, hub holds $(out_line) services"; fi

# ---- a field only the hub may write, pushed by a node ---------------------

# A node made with --hub writes authority fields locally; the real hub
# knows it as a Polo and refuses the field, reporting it one by one.
on "$T/hub" hub node add polo-r --kind polo --region Puglia
tok=$(cat "$T/out")
on "$T/polo-r" init --name polo-r --hub
run env PRESIDIO_TOKEN="$tok" "$P" -d "$T/polo-r" enroll --hub "$HUB_URL" \
	--ca "$T/pki/ca.pem"
onj '{"title":"richiesta dote","approved_by":"polo-r"}' "$T/polo-r" put test_item
ITEM=$(out_line)
run "$P" -d "$T/polo-r" sync
if [ "$RC" -eq 10 ] && out_has "fields refused 1"; then ok hub_only_field_refused; else
	fail hub_only_field_refused "exit $RC: $(out_line)"; fi
on "$T/hub" get "$ITEM"
if [ "$RC" -eq 0 ] && out_has "richiesta dote" && ! out_has "approved_by"; then
	ok rest_of_change_applied; else fail rest_of_change_applied "exit $RC"; fi
on "$T/polo-r" status
out_has "rejected:   1" && ok field_refusal_on_node || fail field_refusal_on_node "$(grep rejected "$T/out")"
on "$T/hub" status
out_has "rejected:   1" && ok field_refusal_on_hub || fail field_refusal_on_hub "$(grep rejected "$T/out")"

# ---- the record cap, and --watch ---------------------------------------------

on "$T/hub" hub node cap pda-sic 1
t_exit cap_refuses_pull 9 "$P" -d "$T/pda-sic" sync
if grep -q "above its cap of 1" "$T/err"; then ok cap_says_why; else
	fail cap_says_why "$(first_err)"; fi
on "$T/hub" hub node cap pda-sic 0
t_exit cap_lifted 0 "$P" -d "$T/pda-sic" sync

onj '{"case_worker":"Greco"}' "$T/pda-sic" put case "$CASE"
run "$P" -d "$T/pda-sic" sync --watch 1 --rounds 2
if [ "$RC" -eq 0 ] && [ "$(grep -c '^sync: pushed' "$T/out")" -eq 2 ] &&
	grep -q '^sync: pushed 1,' "$T/out"; then ok watch_rounds; else
	fail watch_rounds "exit $RC: $(head -n 2 "$T/out")"; fi

# ---- revocation, offline ----------------------------------------------------

on "$T/hub" hub node revoke polo-b
t_exit revoked_node_refused 4 "$P" -d "$T/polo-b" sync
t_exit others_still_served 0 "$P" -d "$T/pda-sic" sync

stop_hub
t_exit offline_exit_code 11 "$P" -d "$T/polo-a" sync --retries 1
# Offline, --watch keeps trying, backing off, and says so once.
run "$P" -d "$T/polo-a" sync --watch 1 --rounds 2 --retries 0
if [ "$RC" -eq 11 ] && [ "$(grep -c 'could not\|Couldn' "$T/err")" -eq 1 ]; then
	ok watch_offline_backs_off; else
	fail watch_offline_backs_off "exit $RC: $(head -n 3 "$T/err")"; fi

finish
