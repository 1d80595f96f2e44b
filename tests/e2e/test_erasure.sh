#!/bin/sh
# tests/e2e/test_erasure.sh - erasure by key destruction (node/store_erase.h)
# end to end, through a real hub over TLS: a Polo records two persons with
# cases and services and syncs; backups of the data and of the keys are
# taken on both sides; the Polo goes offline and the hub's coordinatore erases
# one person on the hub; the report keeps its counts; when the Polo comes
# back its next sync applies the erasure; then the person's values are
# unreadable on the Polo, in the Polo's data backup and in the hub's (each
# put back with the keys as they are now), the other person is whole, and
# nothing of the erased person is written again.  The data backups with
# the keys backed up before the erasure still open it: that is the window
# the README states.  Then retention: a case closed long ago is listed
# as due, erased by `retention --apply` on the hub, and on the Polo at its
# next sync.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sync_lib.sh"

PRESIDIO_OPERATOR=alice
PRESIDIO_PASSPHRASE=$E2E_PASSPHRASE
export PRESIDIO_OPERATOR PRESIDIO_PASSPHRASE
A=$T/polo-a
H=$T/hub

make_ca
start_hub
add_node polo-a polo Puglia
check node_enrolled [ "$RC" -eq 0 ]

# person NAME NOTE: a person, a case and a service of it on the Polo; ids
# in $PERSON $CASE $SVC.
person() {
	onj "{\"given_name\":\"$1\",\"family_name\":\"Quagliarulo\",\"birth_date\":\"1991-03-04\"}" "$A" put person
	PERSON=$(out_line)
	onj "{\"person_id\":\"$PERSON\",\"region\":\"Puglia\",\"stage\":\"intake\",\"bdi_stage\":\"identified\"}" "$A" put case
	CASE=$(out_line)
	onj "{\"case_id\":\"$CASE\",\"service_type\":\"legal_advice\",\"date\":\"2026-01-02\",\"note\":\"$2\"}" "$A" put service
	SVC=$(out_line)
}
person Zorbamina NOTA-ZORBAMINA
AMINA=$PERSON AMINA_CASE=$CASE AMINA_SVC=$SVC
person Quintblessing NOTA-QUINTBLESSING
BLESS=$PERSON BLESS_SVC=$SVC
# Four more, so that the report shows its totals (at least 5).
for n in Terzo Quarto Quinto Sesto; do
	person "${n}persona" "NOTA-$n"
done
on "$A" sync
check first_sync [ "$RC" -eq 0 ]
on "$H" get "$AMINA_SVC"
check hub_holds_amina [ "$RC" -eq 0 ] && out_has NOTA-ZORBAMINA

on "$H" report --only cases_path
cp "$T/out" "$T/report.before"
[ "$(jval tables.0.total "$T/report.before")" = 6 ] && ok report_counts_six ||
	fail report_counts_six "$(head -c 300 "$T/report.before")"

# Backups from before: the data and, apart, the keys.
on "$A" backup "$T/a-data-before.pb"
check node_backup [ "$RC" -eq 0 ]
on "$A" backup --keys "$T/a-keys-before.pk"
check node_keys_backup [ "$RC" -eq 0 ] && out_has "persons' keys"
on "$H" backup "$T/h-data-before.pb"
check hub_backup [ "$RC" -eq 0 ]
on "$H" restore --check "$T/a-keys-before.pk"
check keys_backup_says_so [ "$RC" -eq 0 ] && out_has "the persons' keys"

# ---- the Polo is offline; the hub erases --------------------------------------
on "$H" hub erase "$AMINA"
check erase_needs_reason_2 [ "$RC" -eq 2 ]
on "$H" hub erase "$AMINA" --reason capriccio
check erase_bad_reason_2 [ "$RC" -eq 2 ]
on "$H" hub erase not-an-id --reason richiesta_interessato
check erase_bad_id_2 [ "$RC" -eq 2 ]
on "$A" hub erase "$AMINA" --reason richiesta_interessato
check erase_not_on_a_node_6 [ "$RC" -eq 6 ]
on "$H" hub erase "$AMINA" --reason richiesta_interessato
if [ "$RC" -eq 0 ] && out_has "3 records made unreadable"; then
	ok hub_erases
else
	fail hub_erases "exit $RC ($(first_err)) $(cat "$T/out")"
fi
on "$H" hub erase "$AMINA" --reason richiesta_interessato
check erase_twice_refused [ "$RC" -ne 0 ]
on "$H" get "$AMINA_SVC"
if [ "$RC" -eq 0 ] && ! out_has NOTA-ZORBAMINA && out_has legal_advice; then
	ok hub_keeps_what_counts
else
	fail hub_keeps_what_counts "exit $RC $(head -c 300 "$T/out")"
fi
on "$H" report --only cases_path
[ "$(jval tables.0.total)" = 6 ] && ok report_keeps_its_count ||
	fail report_keeps_its_count "$(head -c 300 "$T/out")"
on "$H" erasures --json
if [ "$RC" -eq 0 ] && out_has "\"person\":\"$AMINA\"" &&
	out_has '"records":3,"reason":"richiesta_interessato","operator":"alice"'; then
	ok hub_lists_erasure
else
	fail hub_lists_erasure "exit $RC $(cat "$T/out")"
fi
grep -q "hub.erased" "$H/presidio.log" && ok hub_logs_erasure ||
	fail hub_logs_erasure "no hub.erased"
# Offline, the Polo still reads what it holds, and writes on.
on "$A" get "$AMINA_SVC"
check offline_node_still_reads [ "$RC" -eq 0 ] && out_has NOTA-ZORBAMINA
onj '{"note":"NOTA-OFFLINE"}' "$A" put service "$AMINA_SVC"
check offline_edit_saved [ "$RC" -eq 0 ]

# ---- back online: the next sync applies it ------------------------------------
on "$A" sync
check sync_after_erasure [ "$RC" -eq 0 ]
grep -q "sync.erased" "$A/presidio.log" && ok node_logs_erasure ||
	fail node_logs_erasure "no sync.erased"
on "$A" get "$AMINA_SVC"
if [ "$RC" -eq 0 ] && ! out_has NOTA-ZORBAMINA && ! out_has NOTA-OFFLINE; then
	ok node_values_gone
else
	fail node_values_gone "exit $RC $(head -c 300 "$T/out")"
fi
on "$A" get "$AMINA"
! out_has Zorbamina && ok node_person_gone || fail node_person_gone "name left"
on "$A" get "$BLESS_SVC"
check other_person_whole [ "$RC" -eq 0 ] && out_has NOTA-QUINTBLESSING
on "$A" person find --name Quintblessing
check other_person_found [ "$RC" -eq 0 ] && out_has "$BLESS"
on "$A" person find --name Zorbamina
! out_has "$AMINA" && ok erased_not_found || fail erased_not_found "found"
on "$A" erasures
check node_lists_erasure [ "$RC" -eq 0 ] && out_has "$AMINA"
onj '{"stage":"closed"}' "$A" put case "$AMINA_CASE"
check no_write_after_erasure_9 [ "$RC" -eq 9 ]
on "$A" report --only cases_path
[ "$(jval tables.0.total)" = 6 ] && ok node_report_keeps_count ||
	fail node_report_keeps_count "$(head -c 300 "$T/out")"
on "$A" verify
check node_verifies [ "$RC" -eq 0 ]
on "$A" sync
check next_sync_clean [ "$RC" -eq 0 ]

# ---- every copy: the backups, with the keys of now ----------------------------
on "$A" backup --keys "$T/a-keys-after.pk"
on "$H" backup --keys "$T/h-keys-after.pk"
run "$P" -d "$T/a-restored" restore --keys "$T/a-keys-after.pk" \
	"$T/a-data-before.pb"
check node_backup_restored [ "$RC" -eq 0 ]
on "$T/a-restored" get "$AMINA_SVC"
if [ "$RC" -ne 0 ] && ! out_has NOTA-ZORBAMINA && err_has erased; then
	ok node_backup_unreadable
else
	fail node_backup_unreadable "exit $RC $(head -c 200 "$T/out")"
fi
on "$T/a-restored" get "$BLESS_SVC"
check node_backup_other_whole [ "$RC" -eq 0 ] && out_has NOTA-QUINTBLESSING
run "$P" -d "$T/h-restored" restore --keys "$T/h-keys-after.pk" \
	"$T/h-data-before.pb"
check hub_backup_restored [ "$RC" -eq 0 ]
on "$T/h-restored" get "$AMINA_SVC"
if [ "$RC" -ne 0 ] && ! out_has NOTA-ZORBAMINA; then
	ok hub_backup_unreadable
else
	fail hub_backup_unreadable "exit $RC $(head -c 200 "$T/out")"
fi
on "$T/h-restored" get "$BLESS_SVC"
check hub_backup_other_whole [ "$RC" -eq 0 ] && out_has NOTA-QUINTBLESSING
# The window: the keys backed up before the erasure still open it.
run "$P" -d "$T/a-window" restore --keys "$T/a-keys-before.pk" \
	"$T/a-data-before.pb"
on "$T/a-window" get "$AMINA_SVC"
check old_keys_backup_is_the_window [ "$RC" -eq 0 ] && out_has NOTA-ZORBAMINA
# A data backup is not a keys backup, nor of another node.
run "$P" -d "$T/a-bad" restore --keys "$T/a-data-before.pb" \
	"$T/a-data-before.pb"
check data_as_keys_refused [ "$RC" -ne 0 ]
run "$P" -d "$T/a-bad2" restore --keys "$T/h-keys-after.pk" \
	"$T/a-data-before.pb"
check other_nodes_keys_refused [ "$RC" -ne 0 ]

# The hub itself put back from its backup from before the erasure (its
# own keys file stays, without the key): as it starts it erases the
# person again, serves nothing it cannot open, and the Polo starts over.
stop_hub
run "$P" -d "$H" restore --force "$T/h-data-before.pb"
check hub_restored_in_place [ "$RC" -eq 0 ]
start_hub --port "$HUB_PORT"
on "$H" erasures
check hub_erases_again [ "$RC" -eq 0 ] && out_has chiave_assente
on "$H" get "$AMINA_SVC"
check hub_holds_nothing_of_her [ "$RC" -eq 3 ]
on "$A" sync
check node_syncs_with_restored_hub [ "$RC" -eq 0 ]
on "$A" sync
check node_syncs_again [ "$RC" -eq 0 ]
on "$A" get "$BLESS_SVC"
check node_other_still_whole [ "$RC" -eq 0 ] && out_has NOTA-QUINTBLESSING
on "$A" get "$AMINA_SVC"
! out_has NOTA-ZORBAMINA && ok node_still_without_her ||
	fail node_still_without_her "$(head -c 200 "$T/out")"

# ---- retention: closed long ago, erased on the hub, then on the Polo --------
onj '{"given_name":"Vecchiapersona","family_name":"Chiusa"}' "$A" put person
OLD=$(out_line)
onj "{\"person_id\":\"$OLD\",\"region\":\"Puglia\",\"stage\":\"closed\",\"closed_at\":\"2010-01-15\"}" "$A" put case
check old_closed_case [ "$RC" -eq 0 ]
on "$A" sync
on "$A" retention
if [ "$RC" -eq 0 ] && grep -q "^2020-01-15 $OLD casi 1 ORA" "$T/out" &&
	grep -q "^aperto .* $BLESS casi 1" "$T/out" && out_has "conservati 10 anni"; then
	ok retention_lists_due_and_open
else
	fail retention_lists_due_and_open "exit $RC $(head -c 400 "$T/out")"
fi
on "$A" -c retention.years=20 retention --json
grep -q "\"person\":\"$OLD\",\"cases\":1,\"open\":0,\"due\":\"2030-01-15\",\"due_now\":false" "$T/out" &&
	ok retention_years_configured || fail retention_years_configured "$(head -c 300 "$T/out")"
on "$A" -c retention.programme_end=2027-02-30 retention
check retention_bad_date_2 [ "$RC" -eq 2 ] && err_has retention.programme_end
on "$A" retention --apply
check retention_applied_on_hub_only_6 [ "$RC" -eq 6 ]
on "$H" retention --apply
check retention_applied [ "$RC" -eq 0 ] && out_has ": 1"
on "$H" erasures
out_has termine_conservazione && ok retention_in_the_list ||
	fail retention_in_the_list "$(cat "$T/out")"
on "$A" sync
on "$A" get "$OLD"
if [ "$RC" -eq 0 ] && ! out_has Vecchiapersona; then ok retention_reaches_node
else fail retention_reaches_node "exit $RC $(head -c 200 "$T/out")"; fi
on "$A" retention
! grep -q "$OLD" "$T/out" && ok retention_forgets_erased ||
	fail retention_forgets_erased "still listed"

# Nothing of the erased person in the clear anywhere.
assert_absent nothing_in_clear "$T" Zorbamina NOTA-ZORBAMINA NOTA-OFFLINE \
	Vecchiapersona

finish
