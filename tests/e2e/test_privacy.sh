#!/bin/sh
# tests/e2e/test_privacy.sh - no personal value ever reaches the disk or an
# error message in clear.
#
# Records with distinctive values go in through put and import; then a
# range of commands runs, some failing on input that carries those values.
# A second connection holds the database open throughout, so no command's
# close checkpoints and deletes the WAL: the -wal file is checked with
# every frame written.  Every file under the node directory (database, WAL,
# shared memory, journals, presidio.log), the temporary directory and the
# stderr of every command are searched for the values and for substrings
# of them.  Then an import is killed with SIGKILL in the middle of its
# writes and the files are searched again.
# What it checks is what reaches the disk and the messages, the same in both
# builds; the sanitizers run the paths it drives through test_cli.sh,
# test_sync.sh and the unit tests.
# e2e: plain build only
. "$(dirname "$0")/lib.sh"

# Values, and substrings that must not appear either.  All long enough
# that a chance match in random ciphertext is out of the question.
GIVEN=Zanzibarina
FAMILY='Þórsdóttir-Ŋgozi'
NOTES='Quokkafield testimony about the farm'
PHONE='+39 333 9876543'
TAX=ZNZQKK80A01Z404X
I_GIVEN=Xylophonetta
I_NOTES='Wombatcreek statement on the housing'
I_PHONE='+39 347 1122334'
S_NOTE='Platypusridge accompaniment'
BAD_VALUE=Narwhalbottom
SECRETS="$GIVEN
$FAMILY
Þórsdóttir
Ŋgozi
$NOTES
Quokkafield
testimony about the farm
$PHONE
9876543
$TAX
$I_GIVEN
$I_NOTES
Wombatcreek
statement on the housing
$I_PHONE
1122334
$S_NOTE
Platypusridge
$BAD_VALUE
$E2E_PASSPHRASE"

# hex forms, in case anything dumps bytes
hexof() {
	printf '%s' "$1" | od -An -tx1 | tr -d ' \n'
}
SECRETS="$SECRETS
$(hexof Quokkafield)
$(hexof Xylophonetta)
$(hexof Quokkafield | tr 'a-f' 'A-F')
$(hexof Xylophonetta | tr 'a-f' 'A-F')"

printf '%s\n' "$SECRETS" | grep -v '^$' >"$T/secrets"

# check_absent NAME PATH...: no secret in any file under the PATHs.
# One grep a path for all of them ($T/secrets); each secret alone, to
# name it, only where one is found.
check_absent() {
	c_name=$1
	shift
	c_hits=
	for c_path in "$@"; do
		[ -e "$c_path" ] || continue
		grep -rqFa -f "$T/secrets" -- "$c_path" 2>/dev/null || continue
		c_old=$IFS
		IFS='
'
		for c_s in $SECRETS; do
			IFS=$c_old
			c_h=$(grep -rFal -- "$c_s" "$c_path" 2>/dev/null |
				sed "s|^$T/||" | tr '\n' ' ')
			[ -n "$c_h" ] && c_hits="$c_hits '$c_s' in ${c_h% };"
		done
		IFS=$c_old
	done
	if [ -z "$c_hits" ]; then
		ok "$c_name"
	else
		fail "$c_name" "found${c_hits%;}"
	fi
}

mkdir "$T/tmp"
TMPDIR=$T/tmp
export TMPDIR
setup_node
D=$PRESIDIO_DIR

# A second connection keeps the WAL from being checkpointed away when
# each command closes the database.  It reads once so it has opened it.
mkfifo "$T/hold"
sqlite3 -batch "$D/presidio.db" <"$T/hold" >/dev/null 2>&1 &
HOLD=$!
E2E_PIDS="$E2E_PIDS $HOLD"
exec 7>"$T/hold"
echo 'SELECT count(*) FROM meta;' >&7

# ---- put ------------------------------------------------------------------

prj "{\"given_name\":\"$GIVEN\",\"family_name\":\"$FAMILY\",
\"phone\":\"$PHONE\",\"notes\":\"$NOTES\",\"tax_code\":\"$TAX\"}" put person
PID1=$(out_line)
if [ "$RC" -eq 0 ]; then ok "put_person"; else
	fail "put_person" "exit $RC ($(first_err))"; finish; fi
prj "{\"person_id\":\"$PID1\",\"region\":\"Puglia\",\"stage\":\"intake\"}" \
	put case
if [ "$RC" -eq 0 ]; then ok "put_case"; else
	fail "put_case" "exit $RC ($(first_err))"; fi
prj "{\"notes\":\"$NOTES (second interview)\"}" put person "$PID1"

# ---- import ---------------------------------------------------------------

IP=6b1f2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d
IC=7c2a3b4d-5e6f-4b7c-9d8e-0f1a2b3c4d5e
IS=8d3b4c5e-6f7a-4c8d-ae9f-1a2b3c4d5e6f
cat >"$T/import.jsonl" <<EOF
{"op":"put","collection":"person","id":"$IP","fields":{"given_name":"$I_GIVEN","family_name":"Rossi","phone":"$I_PHONE","notes":"$I_NOTES","languages":["it"]}}
{"op":"put","collection":"case","id":"$IC","fields":{"person_id":"$IP","region":"Sicilia","stage":"intake"}}
{"op":"put","collection":"service","id":"$IS","fields":{"case_id":"$IC","service_type":"legal_advice","date":"2024-03-01","note":"$S_NOTE"}}
{"op":"put","collection":"person","id":"$IP","fields":{"phone":"$PHONE"}}
EOF
pr import "$T/import.jsonl"
if [ "$RC" -eq 0 ]; then ok "import"; else
	fail "import" "exit $RC ($(first_err))"; fi

# ---- reading and maintenance ----------------------------------------------

pr get "$PID1"
if [ "$RC" -eq 0 ] && out_has "$NOTES (second interview)" &&
	out_has "$FAMILY"; then ok "get_decrypts"; else
	fail "get_decrypts" "exit $RC ($(first_err))"; fi
pr get "$IP" --versions
pr list person
pr list person --where "given_name=$GIVEN" --count
if [ "$RC" -eq 0 ] && [ "$(out_line)" = 1 ]; then ok "list_where_value"; else
	fail "list_where_value" "exit $RC, printed '$(out_line)'"; fi
pr list service --where "note=$S_NOTE"
pr history "$PID1"
pr history "$IP" --json
pr log --values --json
pr log
pr status
pr status --json
pr import "$T/import.jsonl"
if [ "$RC" -eq 0 ]; then ok "import_again"; else
	fail "import_again" "exit $RC ($(first_err))"; fi
# ---- failing commands whose input carries personal values ----------------

bad=
prj "{\"given_name\":\"$BAD_VALUE\",\"family_name\":\"$GIVEN\",
\"household_size\":\"$NOTES\"}" put person
[ "$RC" -eq 6 ] || bad="$bad wrong-type:$RC"
prj "{\"given_name\": $BAD_VALUE, \"notes\": \"$NOTES\"}" put person
[ "$RC" -eq 6 ] || bad="$bad malformed:$RC"
prj "{\"given_name\":\"$BAD_VALUE\",\"family_name\":\"x\",
\"shoe_size\":\"$NOTES\"}" put person
[ "$RC" -eq 6 ] || bad="$bad unknown-field:$RC"
prj "{\"given_name\":\"$BAD_VALUE\",\"sex\":\"$GIVEN\",
\"family_name\":\"x\"}" put person
[ "$RC" -eq 6 ] || bad="$bad bad-enum:$RC"
prj "{\"notes\":\"$NOTES\",\"birth_date\":\"$BAD_VALUE\"}" put person "$PID1"
[ "$RC" -eq 6 ] || bad="$bad bad-date:$RC"
prj "{\"person_id\":\"$BAD_VALUE\",\"region\":\"Puglia\"}" put case
[ "$RC" -eq 6 ] || bad="$bad bad-ref:$RC"
prj "{\"given_name\":\"$GIVEN\",\"family_name\":\"x\"}" put nosuchthing
[ "$RC" -eq 6 ] || bad="$bad unknown-collection:$RC"
cat >"$T/bad.jsonl" <<EOF
{"op":"put","collection":"person","id":"9e4c5d6f-7a8b-4d9e-bf0a-2b3c4d5e6f7a","fields":{"given_name":"$BAD_VALUE","family_name":"x"}}
{"op":"put","collection":"person","id":"0f5d6e7a-8b9c-4e0f-8a1b-3c4d5e6f7a8b","fields":{"given_name":"$GIVEN","household_size":"$NOTES"}}
EOF
pr import "$T/bad.jsonl"
[ "$RC" -eq 6 ] || bad="$bad import-bad-line:$RC"
printf '%s\n' "{\"op\":\"put\",\"collection\":\"person\",\"fields\":{\"given_name\":$BAD_VALUE}" \
	>"$T/bad2.jsonl"
pr import "$T/bad2.jsonl"
[ "$RC" -eq 6 ] || bad="$bad import-malformed:$RC"
pr list person --where "shoe_size=$BAD_VALUE"
[ "$RC" -ne 0 ] || bad="$bad where-unknown-field:$RC"
run env "PRESIDIO_PASSPHRASE=$BAD_VALUE" "$P" get "$PID1"
[ "$RC" -eq 4 ] || bad="$bad wrong-passphrase:$RC"
pr list person --where "household_size=$BAD_VALUE"
[ "$RC" -eq 0 ] || [ "$RC" -eq 2 ] || [ "$RC" -eq 6 ] ||
	bad="$bad where-bad-number:$RC"
if [ -z "$bad" ]; then ok "bad_input_refused"; else
	fail "bad_input_refused" "unexpected exits:$bad"; fi

# ---- search before anything checkpoints --------------------------------

# key rotate and operator remove checkpoint and truncate the WAL on
# purpose; before them the WAL holds every frame written so far.
if [ -s "$D/presidio.db-wal" ]; then ok "wal_kept_for_inspection"; else
	fail "wal_kept_for_inspection" "no -wal file to inspect"; fi
# Control: the same search does find what is stored in clear on purpose
# (the operator's name, in the WAL as in the database).
if grep -qFa alice "$D/presidio.db-wal" &&
	grep -rqFa alice "$D/presidio.db"; then
	ok "search_finds_clear_metadata"
else
	fail "search_finds_clear_metadata" "the operator name is not found: the search is blind"
fi
check_absent "no_values_in_node_files_wal" "$D"

# ---- maintenance ----------------------------------------------------------

pr key rotate
if [ "$RC" -eq 0 ]; then ok "key_rotate"; else
	fail "key_rotate" "exit $RC ($(first_err))"; fi
pr verify
if [ "$RC" -eq 0 ]; then ok "verify"; else
	fail "verify" "exit $RC ($(first_err))"; fi
run env PRESIDIO_NEW_PASSPHRASE='second operator passphrase' \
	"$P" operator add bob --role mediatore
pr operator remove bob

# ---- the audit trail and a backup -------------------------------------------

# Entries carry ids, never values: the trail as printed and as stored.
pr audit --json --limit 100000
if [ "$RC" -eq 0 ] && grep -q '"action":"read"' "$T/out" &&
	grep -q '"action":"create"' "$T/out"; then
	ok audit_has_entries
else
	fail audit_has_entries "exit $RC ($(first_err))"
fi
mkdir -p "$T/audit"
cp "$T/out" "$T/audit/printed.json"
db "SELECT * FROM audit" >"$T/audit/table.txt"
check_absent "no_values_in_audit" "$T/audit"
# A backup, inflated: the database it holds has the values sealed.
pr backup "$T/node.backup"
python3 -c '
import sys, zlib
b = open(sys.argv[1], "rb").read()
n = int.from_bytes(b[80:88], "little")
open(sys.argv[2], "wb").write(zlib.decompress(b[160:160 + n]))
' "$T/node.backup" "$T/audit/backup.db" 2>>"$T/stderr.all"
if [ "$RC" -eq 0 ] && [ -s "$T/audit/backup.db" ] &&
	[ "$(sqlite3 -batch "$T/audit/backup.db" 'SELECT count(*) FROM audit')" -gt 0 ]; then
	ok backup_inflated_with_audit
else
	fail backup_inflated_with_audit "exit $RC ($(first_err))"
fi
check_absent "no_values_in_backup" "$T/audit"

# ---- the search -----------------------------------------------------------

check_absent "no_values_in_node_files" "$D"
check_absent "no_values_in_tmpdir" "$T/tmp"
check_absent "no_values_in_stderr" "$T/stderr.all"
if [ -f "$D/presidio.log" ] && [ -s "$D/presidio.log" ]; then
	ok "log_file_written"
else
	fail "log_file_written" "no presidio.log, nothing was checked"
fi

# ---- kill -9 in the middle of an import ----------------------------------

# Many records carrying the values, in small batches, so the import is
# still writing when it is killed.
awk -v g="$GIVEN" -v n="$NOTES" -v p="$PHONE" -v f="$FAMILY" 'BEGIN {
	for (i = 1; i <= 40000; i++)
		printf "{\"op\":\"put\",\"collection\":\"person\",\"id\":\"%08x-0000-4000-8000-%012d\",\"fields\":{\"given_name\":\"%s\",\"family_name\":\"%s\",\"phone\":\"%s\",\"notes\":\"%s %d\"}}\n", i, i, g, f, p, n, i
}' >"$T/big.jsonl"
before=$(db 'SELECT count(*) FROM record')
"$P" import "$T/big.jsonl" --batch 50 >"$T/kill.out" 2>"$T/kill.err" &
IMP=$!
E2E_PIDS="$E2E_PIDS $IMP"
n=0
killed=0
while [ "$n" -lt 300 ]; do
	c=$(db 'SELECT count(*) FROM record' 2>/dev/null || echo 0)
	if [ "${c:-0}" -gt "$((before + 100))" ]; then
		if kill -9 "$IMP" 2>/dev/null; then killed=1; fi
		break
	fi
	kill -0 "$IMP" 2>/dev/null || break
	sleep 0.05
	n=$((n + 1))
done
wait "$IMP" 2>/dev/null
cat "$T/kill.err" >>"$T/stderr.all"
after=$(db 'SELECT count(*) FROM record')
if [ "$killed" -eq 1 ] && [ "$after" -gt "$before" ] &&
	[ "$after" -lt "$((before + 40000))" ]; then
	ok "import_killed_mid_write"
	echo "# killed with $((after - before)) of 40000 records committed"
else
	fail "import_killed_mid_write" "killed=$killed, records $before -> $after"
fi
for f in "$D"/*; do echo "# node file: ${f##*/} ($(wc -c <"$f") bytes)"; done
check_absent "no_values_after_kill" "$D"
check_absent "no_values_in_stderr_after_kill" "$T/stderr.all"
pr verify
if [ "$RC" -eq 0 ]; then ok "verify_after_kill"; else
	fail "verify_after_kill" "exit $RC ($(first_err))"; fi
check_absent "no_values_after_recovery" "$D"

exec 7>&-
finish
