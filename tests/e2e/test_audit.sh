#!/bin/sh
# tests/e2e/test_audit.sh - the audit trail (node/store_audit.h) and
# break-the-glass, end to end: reads and writes on a Polo noted with ids
# and never values; the coordinatore reads the trail, a mediatore does
# not; an entry removed, altered or moved is found by verify; the entries
# reach the hub at sync, where the Focal Point reads them; a chain
# rewritten at the node is refused by the hub; an emergency access opens
# the reserved fields until it expires and is flagged in the trail.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sync_lib.sh"

PRESIDIO_OPERATOR=alice
PRESIDIO_PASSPHRASE=$E2E_PASSPHRASE
export PRESIDIO_OPERATOR PRESIDIO_PASSPHRASE
MARIO='la frase di mario rossi'
A=$T/polo-a

make_ca
start_hub
add_node polo-a polo Puglia
check node_enrolled [ "$RC" -eq 0 ]

onj '{"given_name":"Amina","family_name":"Diallo","special_notes":"NOTA-RISERVATA","notes":"NOTA-COLLOQUIO"}' "$A" put person
ID=$(out_line)
on "$A" get "$ID"
on "$A" history "$ID"
on "$A" export --csv person --out "$T/a.csv"
on "$A" list person
on "$A" log --values
run env "PRESIDIO_NEW_PASSPHRASE=$MARIO" "$P" -d "$A" operator add mario \
	--role mediatore
check mediatore_added [ "$RC" -eq 0 ]

on "$A" audit --json
if [ "$RC" -eq 0 ] && grep -q '"action":"create"' "$T/out" &&
	grep -q '"action":"read"' "$T/out" &&
	grep -q '"action":"history"' "$T/out" &&
	grep -q '"action":"export","collection":"person","record":null,"count":1' "$T/out" &&
	grep -q '"action":"list","collection":"person"' "$T/out" &&
	grep -q '"action":"log"' "$T/out"; then
	ok trail_notes_reads_and_writes
else
	fail trail_notes_reads_and_writes "exit $RC: $(head -c 400 "$T/out")"
fi
grep -q "$ID" "$T/out" && ok trail_names_the_record ||
	fail trail_names_the_record "no id"
assert_absent trail_no_values "$T/out" Amina Diallo NOTA-RISERVATA NOTA-COLLOQUIO
cp "$T/out" "$T/trail.json"

as_mario() {
	run env PRESIDIO_OPERATOR=mario "PRESIDIO_PASSPHRASE=$MARIO" "$P" -d "$A" "$@"
}
as_mario audit
check mediatore_reads_no_trail_12 [ "$RC" -eq 12 ]

# ---- break-the-glass --------------------------------------------------------

as_mario get "$ID"
check reserved_withheld_before [ "$RC" -eq 0 ] 
out_has NOTA-RISERVATA && fail reserved_withheld "seen" || ok reserved_withheld
as_mario emergency "$ID"
check emergency_needs_reason_2 [ "$RC" -eq 2 ]
as_mario emergency "$ID" --reason capriccio
check emergency_bad_reason_6 [ "$RC" -eq 6 ]
as_mario emergency "$ID" --reason necessita_sanitaria --minutes 1
check emergency_opened [ "$RC" -eq 0 ]
as_mario get "$ID"
if [ "$RC" -eq 0 ] && out_has NOTA-RISERVATA; then ok emergency_opens_reserved
else fail emergency_opens_reserved "exit $RC"; fi
on "$A" audit --emergency --json
if grep -q '"action":"glass".*"purpose":"necessita_sanitaria","emergency":true' "$T/out" &&
	grep -q '"operator":"mario","role":"mediatore","action":"read".*"emergency":true' "$T/out"; then
	ok emergency_flagged_for_coordinator
else
	fail emergency_flagged_for_coordinator "$(head -c 400 "$T/out")"
fi
# A minute later the grant has expired (faketime moves the clock on;
# under AddressSanitizer libfaketime is preloaded before the sanitizer's
# runtime, which verify_asan_link_order=0 allows, as test_clock_skew.sh).
if [ -n "${ASAN_OPTIONS:-}" ]; then
	ASAN_OPTIONS="$ASAN_OPTIONS:verify_asan_link_order=0"
	export ASAN_OPTIONS
fi
run env PRESIDIO_OPERATOR=mario "PRESIDIO_PASSPHRASE=$MARIO" \
	faketime -f '+2m' "$P" -d "$A" get "$ID"
if [ "$RC" -eq 0 ] && ! out_has NOTA-RISERVATA; then ok emergency_expires
else fail emergency_expires "exit $RC"; fi
# A grant planted in the file opens nothing.
db_a() { sqlite3 -batch "$A/presidio.db" "$@"; }
db_a "UPDATE glass SET expires = expires + 86400000"
run env PRESIDIO_OPERATOR=mario "PRESIDIO_PASSPHRASE=$MARIO" \
	faketime -f '+2m' "$P" -d "$A" get "$ID"
if [ "$RC" -eq 0 ] && ! out_has NOTA-RISERVATA; then ok planted_grant_opens_nothing
else fail planted_grant_opens_nothing "exit $RC"; fi
db_a "UPDATE glass SET expires = expires - 86400000"

# ---- the chain --------------------------------------------------------------

on "$A" audit --verify
check chain_ok [ "$RC" -eq 0 ]
cp "$A/presidio.db" "$T/good.db"
db_a "DELETE FROM audit WHERE nseq = 2"
on "$A" audit --verify
if [ "$RC" -eq 5 ] && err_has "entry 2 missing"; then ok chain_detects_deleted
else fail chain_detects_deleted "exit $RC ($(first_err))"; fi
cp "$T/good.db" "$A/presidio.db"
db_a "UPDATE audit SET action = 'read' WHERE nseq = 1"
on "$A" audit --verify
if [ "$RC" -eq 5 ] && err_has "entry 1 altered"; then ok chain_detects_altered
else fail chain_detects_altered "exit $RC ($(first_err))"; fi
cp "$T/good.db" "$A/presidio.db"
db_a "UPDATE audit SET nseq = -2 WHERE nseq = 2; UPDATE audit SET nseq = 2 WHERE nseq = 3; UPDATE audit SET nseq = 3 WHERE nseq = -2"
on "$A" audit --verify
if [ "$RC" -eq 5 ] && err_has "does not follow"; then ok chain_detects_reordered
else fail chain_detects_reordered "exit $RC ($(first_err))"; fi
cp "$T/good.db" "$A/presidio.db"

# ---- to the hub ---------------------------------------------------------------

n_a=$(db_a "SELECT count(*) FROM audit")
on "$A" sync
check sync_ok [ "$RC" -eq 0 ]
on "$T/hub" audit --json --limit 100000
node_a=$(db_a "SELECT lower(hex(id)) FROM node WHERE idx = 1")
if [ "$RC" -eq 0 ] && [ "$(grep -c '"operator":"mario"' "$T/out")" -ge 2 ] &&
	grep -q '"action":"export"' "$T/out"; then
	ok entries_reach_hub
else
	fail entries_reach_hub "exit $RC ($(first_err)): $(head -c 300 "$T/out")"
fi
on "$T/hub" audit --verify
check hub_chain_ok [ "$RC" -eq 0 ]
assert_absent hub_no_values "$T/out" Amina NOTA-RISERVATA
on "$A" sync
check sync_again_ok [ "$RC" -eq 0 ]
h1=$(sqlite3 -batch "$T/hub/presidio.db" "SELECT count(*) FROM audit")
on "$A" sync
h2=$(sqlite3 -batch "$T/hub/presidio.db" "SELECT count(*) FROM audit")
check hub_takes_each_once [ "$h1" = "$h2" ]
h_before=$(sqlite3 -batch "$T/hub/presidio.db" "SELECT group_concat(lower(hex(hash))) FROM audit")
# A trail rewritten at the node (the last entry the hub holds removed,
# the chain going on without it) is refused by the hub at the first entry
# past it, and the hub keeps what it had.
db_a "DELETE FROM audit WHERE nseq = (SELECT max(nseq) FROM audit)"
on "$A" get "$ID"
on "$A" get "$ID"
on "$A" sync
if [ "$RC" -ne 0 ]; then ok hub_refuses_rewritten_chain
else fail hub_refuses_rewritten_chain "sync exit 0"; fi
grep -q 'hub.audit_broken' "$T/hub/presidio.log" && ok hub_logs_broken_chain ||
	fail hub_logs_broken_chain "nothing in the hub's log"
h_after=$(sqlite3 -batch "$T/hub/presidio.db" "SELECT group_concat(lower(hex(hash))) FROM audit")
check hub_keeps_what_it_had [ "$h_before" = "$h_after" ]

# ---- the hub judges a change by its writer's role -----------------------------
# alice writes reserved notes as coordinatore, then is made a mediatore
# before the push: the hub, told each operator's role with the batch,
# refuses the change (the node keeps it among its refusals); a change
# the new role may write goes through.
# The node's files copied back from before its first sync (as a restore
# from an old backup would): its trail is behind the hub's copy, and goes
# on after the hub's last entry (an anchor), so its syncs go on.
cp "$T/good.db" "$A/presidio.db"
rm -f "$A/presidio.db-wal" "$A/presidio.db-shm"
on "$A" get "$ID"
on "$A" sync
check behind_node_syncs [ "$RC" -eq 0 ]
on "$A" get "$ID"
on "$A" get "$ID"
on "$A" sync
check behind_node_syncs_again [ "$RC" -eq 0 ]
on "$A" audit --verify
check behind_node_chain_ok [ "$RC" -eq 0 ]
on "$T/hub" audit --verify
check hub_chain_ok_after_anchor [ "$RC" -eq 0 ]
run env "PRESIDIO_NEW_PASSPHRASE=$E2E_PASSPHRASE" "$P" -d "$A" operator add \
	bob --role coordinatore
onj '{"special_notes":"SCRITTA-DA-ALICE"}' "$A" put person "$ID"
check reserved_written_as_coordinatore [ "$RC" -eq 0 ]
run env PRESIDIO_OPERATOR=bob "$P" -d "$A" operator role alice mediatore
check alice_made_mediatore [ "$RC" -eq 0 ]
on "$A" sync
if [ "$RC" -eq 10 ]; then ok hub_refuses_by_role_10
else fail hub_refuses_by_role_10 "exit $RC ($(first_err))"; fi
on "$T/hub" refused
if out_has "the role mediatore may not write the field 'special_notes'"; then
	ok hub_names_role_and_field
else
	fail hub_names_role_and_field "$(head -c 300 "$T/out")"
fi
onj '{"phone":"+39 320 1234567"}' "$A" put person "$ID"
on "$A" sync
check hub_takes_what_role_may_write [ "$RC" -eq 0 ]
stop_hub
finish
