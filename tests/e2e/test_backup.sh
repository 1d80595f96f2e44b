#!/bin/sh
# tests/e2e/test_backup.sh - presidio backup and restore through the
# command line, with a real hub over TLS (node/store_backup.h,
# sync/README.md "Restore").
#
# polo-b makes a case and edits, syncs; a backup is taken while an
# import of a workload (shared/workload/gen.js) and a sync round run on
# that node; then polo-b imports the rest, edits, syncs again (all on the
# hub), and is restored from the backup.  Its next sync must bring back
# every change of its own the hub holds, each once, with its original
# number, without enrolling again; a change made after it is numbered
# after them and reaches the hub.  Also: a corrupt backup is refused and
# changes nothing, a restore while the node runs is refused, a new change
# before the recovering sync is refused, and a hub restored from its
# backup serves again: the node starts over and ends identical to it.
# Under the sanitizers tests/node/test_store_backup.c and
# tests/sync/test_hub_restore.c run the backup, the restore and the hub's
# recovery: this script runs in the plain build only.
# e2e: plain build only
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sync_lib.sh"

KEYED=1
PRESIDIO_OPERATOR=alice
export PRESIDIO_OPERATOR
unset PRESIDIO_DIR PRESIDIO_PASSPHRASE
GEN=${PRESIDIO_WORKLOAD_GEN:-$(dirname "$0")/../../../shared/workload/gen.js}
PERSONS=${BACKUP_PERSONS:-400}

# on_exit NAME CODE DIR ARGS...: `on DIR ARGS...` must exit CODE.
on_exit() {
	x_name=$1
	x_code=$2
	shift 2
	on "$@"
	[ "$RC" -eq "$x_code" ] && ok "$x_name" ||
		fail "$x_name" "expected exit $x_code, got $RC ($(first_err))"
}

# own DIR: "changes distinct highest" of the node's own changes in its
# log (an own change received back counts by its origin number).
own() {
	sqlite3 -batch "$1/presidio.db" "SELECT count(*) || ' ' || count(DISTINCT
		coalesce(oseq, seq)) || ' ' || max(coalesce(oseq, seq)) FROM change
		WHERE origin = (SELECT n.idx FROM node n JOIN meta m ON
		m.value = n.id WHERE m.key = 'node_id')"
}

# hub_has NAME: the same on the hub, for the changes of node NAME.
hub_has() {
	sqlite3 -batch "$T/hub/presidio.db" "SELECT count(*) || ' ' ||
		count(DISTINCT oseq) || ' ' || max(oseq) FROM change WHERE
		origin = (SELECT n.idx FROM node n JOIN peer p ON
		p.node_id = n.id WHERE p.name = '$1')"
}

# lists DIR OUT: every record of each collection, sorted, into OUT.
lists() {
	: >"$2"
	for coll in person case service; do
		on "$1" list "$coll" --deleted
		LC_ALL=C sort "$T/out" >>"$2"
	done
}

if ! command -v node >/dev/null 2>&1 || [ ! -f "$GEN" ]; then
	ok "backup (skipped: no gen.js)"
	finish
fi
W=$T/workload.jsonl
node "$GEN" --seed 11 --persons "$PERSONS" --updates $((PERSONS / 2)) \
	--out "$W" >/dev/null 2>"$T/gen.err" ||
	{ fail workload "gen.js failed: $(head -c 200 "$T/gen.err")"; finish; }
# Two halves: the first runs while the backup is taken, the second after.
half=$(($(wc -l <"$W") / 2))
head -n "$half" "$W" >"$T/w1.jsonl"
tail -n +"$((half + 1))" "$W" >"$T/w2.jsonl"

make_ca
[ -s "$T/pki/hub.pem" ] || { fail test_ca "openssl failed"; finish; }
start_hub
add_node polo-b polo Puglia
[ "$RC" -eq 0 ] || { fail enroll "exit $RC ($(first_err))"; finish; }
add_node polo-c polo Puglia
[ "$RC" -eq 0 ] || { fail enroll_c "exit $RC ($(first_err))"; finish; }
onj '{"given_name":"Carla","family_name":"Conte"}' "$T/polo-c" put person
CP=$(out_line)
on_exit polo_c_first_sync 0 "$T/polo-c" sync
NODE_ID=$(sqlite3 -batch "$T/hub/presidio.db" \
	"SELECT hex(node_id) FROM peer WHERE name = 'polo-b'")

onj '{"given_name":"Amina","family_name":"Diallo"}' "$T/polo-b" put person
PERSON=$(out_line)
onj "{\"person_id\":\"$PERSON\",\"region\":\"Puglia\",\"stage\":\"intake\"}" \
	"$T/polo-b" put case
CASE=$(out_line)
onj '{"priority":"high"}' "$T/polo-b" put case "$CASE"
on_exit first_sync 0 "$T/polo-b" sync
on_exit hub_backup_while_serving 0 "$T/hub" backup "$T/hub1.pb"

# ---- the backup, taken while an import and a sync run on the node -------
# The import reads a pipe fed in two parts a second apart, so that it is
# still running (its first batches committed) when the backup starts; the
# sync round pushes in pages of 20, slowly enough to be running too.
q=$((half / 2))
{ head -n "$q" "$T/w1.jsonl"; sleep 1.5; tail -n +"$((q + 1))" "$T/w1.jsonl"; } |
	env PRESIDIO_KEY_FILE="$T/polo-b.key" "$P" -d "$T/polo-b" import - \
	--batch 50 >"$T/import.out" 2>"$T/import.err" &
IMPORT_PID=$!
E2E_PIDS="$E2E_PIDS $IMPORT_PID"
sleep 0.5
env PRESIDIO_KEY_FILE="$T/polo-b.key" "$P" -d "$T/polo-b" sync --batch 20 \
	>"$T/sync.out" 2>"$T/sync.err" &
SYNC_PID=$!
E2E_PIDS="$E2E_PIDS $SYNC_PID"
sleep 0.2
running=0
kill -0 "$IMPORT_PID" 2>/dev/null && running=$((running + 1))
kill -0 "$SYNC_PID" 2>/dev/null && running=$((running + 1))
on "$T/polo-b" backup "$T/b1.pb"
B_RC=$RC
B_OUT=$(out_line)
wait "$IMPORT_PID"
I_RC=$?
wait "$SYNC_PID"
S_RC=$?
[ "$B_RC" -eq 0 ] && ok backup_while_import_and_sync ||
	fail backup_while_import_and_sync "exit $B_RC ($(first_err))"
[ "$running" = 2 ] && ok backup_overlaps_import_and_sync ||
	fail backup_overlaps_import_and_sync "$running of them running"
echo "# $B_OUT"
[ "$I_RC" -eq 0 ] && ok import_beside_backup ||
	fail import_beside_backup "exit $I_RC ($(head -c 300 "$T/import.err"))"
# The sync round may have found the database busy with the import; what
# matters is that it was not broken by the backup.
[ "$S_RC" -eq 0 ] && ok sync_beside_backup ||
	fail sync_beside_backup "exit $S_RC ($(head -c 300 "$T/sync.err"))"
mode=$(stat -c %a "$T/b1.pb" 2>/dev/null)
[ "$mode" = 600 ] && ok backup_mode_0600 || fail backup_mode_0600 "mode $mode"
on_exit backup_refuses_existing_file 8 "$T/polo-b" backup "$T/b1.pb"
on "$T/polo-b" restore --check "$T/b1.pb"
[ "$RC" -eq 0 ] && out_has "checksum ok" && out_has "polo-b" &&
	ok restore_check || fail restore_check "exit $RC ($(first_err))"
ls "$T" | grep -q 'b1.pb.' && fail no_temp_files_left "$(ls "$T")" ||
	ok no_temp_files_left

# ---- after the backup: more changes, all on the hub -------------------------
on_exit import_after_backup 0 "$T/polo-b" import "$T/w2.jsonl" --batch 200
onj '{"stage":"assessment"}' "$T/polo-b" put case "$CASE"
onj '{"given_name":"Dopo","family_name":"Backup"}' "$T/polo-b" put person
LATE=$(out_line)
onj '{"phone":"3330000000"}' "$T/polo-b" put person "$LATE"
on_exit sync_after_backup 0 "$T/polo-b" sync
on_exit sync_quiet 0 "$T/polo-b" sync
BEFORE=$(own "$T/polo-b")
HUB_BEFORE=$(hub_has polo-b)
lists "$T/polo-b" "$T/node.before"
lists "$T/hub" "$T/hub.before"
set -- $BEFORE
[ "$1" = "$2" ] && [ "$1" -gt "$half" ] && [ "$BEFORE" = "$HUB_BEFORE" ] &&
	ok all_on_hub_before || fail all_on_hub_before \
	"node $BEFORE, hub $HUB_BEFORE"

# ---- refusals that change nothing ---------------------------------------
env PRESIDIO_KEY_FILE="$T/polo-b.key" "$P" -d "$T/polo-b" sync --watch 30 \
	>/dev/null 2>&1 &
WATCH_PID=$!
E2E_PIDS="$E2E_PIDS $WATCH_PID"
sleep 0.5
on "$T/polo-b" restore --force "$T/b1.pb"
[ "$RC" -eq 7 ] && err_has "in use" && ok running_node_refused ||
	fail running_node_refused "exit $RC ($(first_err))"
kill "$WATCH_PID" 2>/dev/null
wait "$WATCH_PID" 2>/dev/null
sum_db() { sha256sum "$T/polo-b/presidio.db" | cut -c1-64; }
SUM=$(sum_db)
cp "$T/b1.pb" "$T/bad.pb"
# One byte changed: 'X', or 'Y' where the backup already has an 'X' (its
# bytes are sealed, so one in 256 runs would otherwise change nothing).
was=$(dd if="$T/bad.pb" bs=1 skip=4000 count=1 2>/dev/null)
[ "$was" = X ] && to=Y || to=X
printf '%s' "$to" | dd of="$T/bad.pb" bs=1 seek=4000 conv=notrunc 2>/dev/null
cmp -s "$T/b1.pb" "$T/bad.pb" && fail corrupt_changed "byte 4000 unchanged"
on "$T/polo-b" restore --force "$T/bad.pb"
[ "$RC" -eq 5 ] && err_has "checksum mismatch" && ok corrupt_refused ||
	fail corrupt_refused "exit $RC ($(first_err))"
head -c 5000 "$T/b1.pb" >"$T/short.pb"
on "$T/polo-b" restore --force "$T/short.pb"
[ "$RC" -eq 5 ] && err_has "truncated" && ok truncated_refused ||
	fail truncated_refused "exit $RC ($(first_err))"
cp "$W" "$T/notbackup.pb"
on_exit not_a_backup_refused 6 "$T/polo-b" restore --force "$T/notbackup.pb"
on_exit hub_backup_refused_on_node 6 "$T/polo-b" restore --force "$T/hub1.pb"
on_exit existing_refused_without_force 8 "$T/polo-b" restore "$T/b1.pb"
[ "$(sum_db)" = "$SUM" ] && ! ls "$T/polo-b" | grep -q before-restore &&
	ok refusals_left_node_untouched ||
	fail refusals_left_node_untouched "$(ls "$T/polo-b")"

# ---- the restore, and the sync that recovers --------------------------------
on "$T/polo-b" restore --force "$T/b1.pb"
[ "$RC" -eq 0 ] && out_has "presidio sync" && ok restore ||
	fail restore "exit $RC ($(first_err))"
ls -d "$T"/polo-b/presidio.before-restore-* >/dev/null 2>&1 &&
	ok old_files_kept_aside || fail old_files_kept_aside "$(ls "$T/polo-b")"
RESTORED=$(own "$T/polo-b")
set -- $RESTORED
[ "$1" -lt "$(echo "$BEFORE" | cut -d' ' -f1)" ] && ok backup_is_older ||
	fail backup_is_older "restored $RESTORED, before $BEFORE"
onj '{"priority":"low"}' "$T/polo-b" put case "$CASE"
[ "$RC" -eq 9 ] && err_has "presidio sync" && ok write_waits_for_sync ||
	fail write_waits_for_sync "exit $RC ($(first_err))"
on_exit recovering_sync 0 "$T/polo-b" sync --batch 100
AFTER=$(own "$T/polo-b")
[ "$AFTER" = "$BEFORE" ] && ok own_changes_back_once ||
	fail own_changes_back_once "before $BEFORE, after $AFTER"
[ "$(hub_has polo-b)" = "$HUB_BEFORE" ] && ok hub_unchanged ||
	fail hub_unchanged "before $HUB_BEFORE, now $(hub_has polo-b)"
lists "$T/polo-b" "$T/node.after"
lists "$T/hub" "$T/hub.after"
cmp -s "$T/node.before" "$T/node.after" && ok node_records_back ||
	fail node_records_back "$(diff "$T/node.before" "$T/node.after" | head -c 300)"
grep -v "$CP" "$T/hub.after" >"$T/hub.after.b"
cmp -s "$T/hub.before" "$T/hub.after" && cmp -s "$T/hub.after.b" "$T/node.after" &&
	ok hub_and_node_identical || fail hub_and_node_identical \
	"$(diff "$T/hub.after.b" "$T/node.after" | head -c 300)"
[ "$(sqlite3 -batch "$T/hub/presidio.db" "SELECT count(*) || ' ' ||
	hex(node_id) FROM peer WHERE name = 'polo-b'")" = "1 $NODE_ID" ] &&
	ok not_enrolled_again || fail not_enrolled_again "peers changed"

# ---- a new change: numbered after the recovered ones, reaches the hub -------
onj '{"stage":"closed"}' "$T/polo-b" put case "$CASE"
on_exit write_after_recovery 0 "$T/polo-b" sync
out_has "pushed 1" && ok pushed_once || fail pushed_once "$(head -n 2 "$T/out")"
hb=$(echo "$HUB_BEFORE" | cut -d' ' -f3)
NEW=$(own "$T/polo-b")
set -- $NEW
[ "$3" -gt "$hb" ] && [ "$(hub_has polo-b)" = "$NEW" ] &&
	ok new_change_numbered_after || fail new_change_numbered_after \
	"node $NEW, hub $(hub_has polo-b), hub had up to $hb"
on "$T/hub" get "$CASE"
out_has '"closed"' && ok new_change_on_hub || fail new_change_on_hub "$(head -c 200 "$T/out")"

# ---- the hub restored from its backup (taken while it served) ---------------
# polo-c's changes after the hub's backup are on the hub, then lost with
# its restore: polo-c pushes them again and starts over.  So does polo-b,
# whose changes after the hub's backup include those it got back from the
# hub at its own restore (oseq set): push reads own changes by their own
# number, those too.
onj '{"phone":"3391112222"}' "$T/polo-c" put person "$CP"
onj "{\"person_id\":\"$CP\",\"region\":\"Puglia\",\"stage\":\"intake\"}" \
	"$T/polo-c" put case
on_exit polo_c_sync_after_hub_backup 0 "$T/polo-c" sync
C_BEFORE=$(own "$T/polo-c")
lists "$T/polo-c" "$T/c.before"
on_exit polo_b_sync_before_hub_restore 0 "$T/polo-b" sync
B_BEFORE=$(own "$T/polo-b")
B_BACK=$(sqlite3 -batch "$T/polo-b/presidio.db" "SELECT count(*) FROM change
	WHERE oseq IS NOT NULL AND origin = (SELECT n.idx FROM node n JOIN meta
	m ON m.value = n.id WHERE m.key = 'node_id')")
[ "$B_BACK" -gt 0 ] && ok polo_b_holds_changes_back_from_hub ||
	fail polo_b_holds_changes_back_from_hub "none"
lists "$T/polo-b" "$T/b.before"
stop_hub
OLD_PORT=$HUB_PORT
on "$T/hub" restore --force "$T/hub1.pb"
[ "$RC" -eq 0 ] && out_has "hub serve" && ok hub_restore ||
	fail hub_restore "exit $RC ($(first_err))"
# The node knows the hub at its address: the same port again.
start_hub --port "$OLD_PORT"
grep -q "start over" "$T/hub.log" && ok hub_marks_nodes ||
	fail hub_marks_nodes "$(tail -n 2 "$T/hub.log")"
# after_hub_restore NODE WANT TAG: NODE's next round starts it over, the
# one after is quiet, and node and hub hold its WANT own changes and the
# records it had ($T/TAG.before); tests named with TAG's suffix.
after_hub_restore() {
	on "$T/$1" sync --batch 200
	if [ "$RC" -eq 0 ] && out_has "rebuilt from the hub"; then
		ok "$3_starts_over"
	else
		fail "$3_starts_over" "exit $RC: $(head -n 2 "$T/out") $(first_err)"
	fi
	on_exit "$3_quiet_after" 0 "$T/$1" sync
	lists "$T/$1" "$T/$3.after"
	if [ "$(own "$T/$1")" = "$2" ] && [ "$(hub_has "$1")" = "$2" ] &&
		cmp -s "$T/$3.before" "$T/$3.after"; then
		ok "$3_loses_nothing"
	else
		fail "$3_loses_nothing" "node $(own "$T/$1"), hub $(hub_has "$1"), want $2; $(diff "$T/$3.before" "$T/$3.after" | head -c 300)"
	fi
}
after_hub_restore polo-c "$C_BEFORE" c
# polo-b: with the changes it got back from the hub at its own restore.
after_hub_restore polo-b "$B_BEFORE" b
# The audit trails after both restores: polo-b's goes on from the hub's
# last entry (an anchor), and the hub, restored from an older backup too,
# takes it as the chain's new start and says so in its log.
on "$T/polo-b" audit --verify
check b_audit_chain_ok [ "$RC" -eq 0 ]
on "$T/hub" audit --verify
check hub_audit_chains_ok [ "$RC" -eq 0 ]
grep -q 'hub.audit_gap' "$T/hub/presidio.log" && ok hub_logs_audit_gap ||
	fail hub_logs_audit_gap "no hub.audit_gap in the hub's log"
stop_hub
finish
