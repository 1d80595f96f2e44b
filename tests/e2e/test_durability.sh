#!/bin/sh
# tests/e2e/test_durability.sh - an import killed with SIGKILL leaves a
# consistent node, and finishing the import gives what a clean one gives.
#
# A workload (shared/workload/gen.js, 3000 persons and 2000 updates; 1500
# and 1000 under the sanitizers) is
# imported once into a reference node.  Then, three times over: a fresh
# node starts the same import in batches of 500 and is killed at a random
# point after its first commit; the database must pass integrity_check and
# `presidio verify`, hold whole batches only (every line of the workload
# writes exactly one change, so the change log is a multiple of 500), and
# every record must have its create entry.  Re-running the import must
# succeed (resuming, when it does, right after the last committed line)
# and end with the same records and values as the reference.
# e2e: plain build only
# (What it shows is the order of commits against kill -9, not memory
# safety; the import it kills runs under the sanitizers in test_import.sh,
# tests/fuzz/fuzz_import.c and the store's unit tests.)
. "$(dirname "$0")/lib.sh"

BATCH=500
CYCLES=${DURABILITY_CYCLES:-3}
# (DURABILITY_PERSONS)
PERSONS=${DURABILITY_PERSONS:-3000}
UPDATES=$((PERSONS * 2 / 3))
GEN=${PRESIDIO_WORKLOAD_GEN:-$(dirname "$0")/../../../shared/workload/gen.js}

if ! command -v node >/dev/null 2>&1 || [ ! -f "$GEN" ]; then
	ok "durability (skipped: no gen.js)"
	finish
fi

W=$T/workload.jsonl
if ! node "$GEN" --seed 7 --persons "$PERSONS" --updates "$UPDATES" --out "$W" \
	>/dev/null 2>"$T/gen.err"; then
	fail "workload" "gen.js failed: $(head -c 200 "$T/gen.err")"
	finish
fi
LINES=$(wc -l <"$W")

# count DIR SQL: one number from the database of node DIR.
count() {
	sqlite3 -batch "$1/presidio.db" "$2" 2>/dev/null
}

# digest DIR: every live record of each collection, order-independent.
digest() {
	for c in person case service; do
		PRESIDIO_DIR=$1 "$P" list "$c" --count || return 1
		PRESIDIO_DIR=$1 "$P" list "$c" | LC_ALL=C sort | sha256sum ||
			return 1
	done
}

# now_ms: monotonic enough for delays of a second.
now_ms() {
	date +%s%3N
}

# ---- the reference: a clean import ----------------------------------------

setup_node "$T/ref"
REF=$PRESIDIO_DIR
t0=$(now_ms)
pr import "$W" --batch "$BATCH"
t1=$(now_ms)
IMPORT_MS=$((t1 - t0))
if [ "$RC" -eq 0 ] &&
	out_has "imported $LINES lines: " && out_has " 0 unchanged"; then
	ok "clean_import"
else
	fail "clean_import" "exit $RC, printed '$(out_line)' ($(first_err))"
	finish
fi
echo "# clean import of $LINES lines: ${IMPORT_MS} ms ($(out_line))"
# Kill delays are drawn over the import's own time (unlocking excluded).
loop_ms=$(sed -n 's/.*(\([0-9.]*\) s, .*/\1/p' "$T/out" |
	awk '{ printf "%d\n", $1 * 1000 }')
[ "${loop_ms:-0}" -gt 50 ] && IMPORT_MS=$loop_ms
if ! digest "$REF" >"$T/ref.digest" 2>"$T/err"; then
	fail "reference_digest" "list failed ($(first_err))"
	finish
fi
ref_changes=$(count "$REF" 'SELECT count(*) FROM change')
if [ "$ref_changes" -eq "$LINES" ]; then ok "one_change_per_line"; else
	fail "one_change_per_line" "$ref_changes changes for $LINES lines"; fi

# Re-running the same file changes nothing.
pr import "$W" --batch "$BATCH"
if [ "$RC" -eq 0 ] && out_has " 0 created, 0 updated, " &&
	[ "$(count "$REF" 'SELECT count(*) FROM change')" -eq "$ref_changes" ]
then
	ok "import_rerun_changes_nothing"
else
	fail "import_rerun_changes_nothing" "exit $RC, printed '$(tr '\n' '|' <"$T/out")', change log $ref_changes -> $(count "$REF" 'SELECT count(*) FROM change')"
fi
if digest "$REF" >"$T/ref2.digest" 2>"$T/err" &&
	cmp -s "$T/ref.digest" "$T/ref2.digest"; then
	ok "import_rerun_same_records"
else
	fail "import_rerun_same_records" "records differ after the second run"
fi

# ---- kill, check, finish, compare -----------------------------------------

# rand_ms MAX: a pseudo-random delay in [MAX/20, MAX*9/10] milliseconds.
rand_ms() {
	awk -v max="$1" -v seed="$$$cycle$attempt$(date +%N)" 'BEGIN {
		srand(seed % 2147483647); lo = max / 20; hi = max * 9 / 10;
		printf "%d\n", lo + rand() * (hi - lo) }'
}

cycle=1
while [ "$cycle" -le "$CYCLES" ]; do
	N=$T/node$cycle
	PRESIDIO_DIR=$N
	export PRESIDIO_DIR
	attempt=1
	killed=0
	while [ "$attempt" -le 5 ] && [ "$killed" -eq 0 ]; do
		rm -rf "$N"
		pr init --name "kill$cycle"
		if [ "$RC" -ne 0 ]; then
			fail "cycle${cycle}_init" "exit $RC ($(first_err))"
			finish
		fi
		delay=$(rand_ms "$IMPORT_MS")
		[ "$attempt" -gt 2 ] && delay=$((delay / (attempt * 2)))
		"$P" import "$W" --batch "$BATCH" >"$T/imp.out" 2>"$T/imp.err" &
		IMP=$!
		E2E_PIDS="$E2E_PIDS $IMP"
		# Wait for the first commit (unlocking takes a while), then
		# let it run for the delay.
		i=0
		while [ "$i" -lt 1500 ]; do
			c=$(count "$N" 'SELECT count(*) FROM record')
			[ "${c:-0}" -gt 0 ] && break
			kill -0 "$IMP" 2>/dev/null || break
			sleep 0.01
			i=$((i + 1))
		done
		sleep "$(awk -v d="$delay" 'BEGIN { printf "%.3f", d / 1000 }')"
		if kill -9 "$IMP" 2>/dev/null; then
			killed=1
		fi
		wait "$IMP" 2>/dev/null
		cat "$T/imp.err" >>"$T/stderr.all"
		# Killed while closing, after its last commit: not mid-import.
		c=$(count "$N" 'SELECT count(*) FROM change')
		[ "${c:-0}" -ge "$LINES" ] && killed=0
		if [ "$killed" -eq 0 ]; then
			echo "# cycle $cycle: import finished before the kill" \
				"(delay ${delay} ms), again"
		fi
		attempt=$((attempt + 1))
	done
	if [ "$killed" -eq 0 ]; then
		fail "cycle${cycle}_kill" "the import always finished first"
		cycle=$((cycle + 1))
		continue
	fi

	recs=$(count "$N" 'SELECT count(*) FROM record')
	chg=$(count "$N" 'SELECT count(*) FROM change')
	echo "# cycle $cycle: killed after ${delay} ms: $recs records," \
		"$chg changes committed"
	if [ "${recs:-0}" -gt 0 ] && [ "${chg:-0}" -lt "$LINES" ]; then
		ok "cycle${cycle}_killed_mid_import"
	else
		fail "cycle${cycle}_killed_mid_import" "records $recs, changes $chg of $LINES"
	fi

	ic=$(sqlite3 -batch "$N/presidio.db" 'PRAGMA integrity_check' 2>&1)
	if [ "$ic" = ok ]; then ok "cycle${cycle}_integrity_check"; else
		fail "cycle${cycle}_integrity_check" "$(printf '%s' "$ic" | head -c 200)"; fi
	pr verify
	if [ "$RC" -eq 0 ]; then ok "cycle${cycle}_verify"; else
		fail "cycle${cycle}_verify" "exit $RC ($(first_err))"; fi

	nocreate=$(count "$N" 'SELECT count(*) FROM record r WHERE NOT EXISTS
		(SELECT 1 FROM change c WHERE c.rid = r.rid AND c.kind = 1)')
	if [ "${chg:-0}" -ge "${recs:-0}" ] && [ "$nocreate" = 0 ]; then
		ok "cycle${cycle}_every_record_created_in_log"
	else
		fail "cycle${cycle}_every_record_created_in_log" "records $recs, changes $chg, $nocreate records without a create entry"
	fi
	if [ $((chg % BATCH)) -eq 0 ]; then ok "cycle${cycle}_whole_batches"
	else fail "cycle${cycle}_whole_batches" "$chg changes is not a multiple of $BATCH"; fi

	# Finishing the import: an import that resumes must skip exactly
	# the lines committed before the kill.
	pr import "$W" --batch "$BATCH"
	skipped=$(sed -n 's/^skipped \([0-9]*\) lines.*/\1/p' "$T/out")
	imported=$(sed -n 's/^imported \([0-9]*\) lines: .*/\1/p' "$T/out")
	if [ "$RC" -eq 0 ] && [ -n "$imported" ] &&
		[ $((${skipped:-0} + imported)) -eq "$LINES" ]; then
		ok "cycle${cycle}_import_again"
	else
		fail "cycle${cycle}_import_again" "exit $RC, printed '$(tr '\n' '|' <"$T/out")' ($(first_err))"
	fi
	if [ -z "$skipped" ] || [ "$skipped" -eq "$chg" ]; then
		ok "cycle${cycle}_resumes_after_last_commit"
	else
		fail "cycle${cycle}_resumes_after_last_commit" "skipped $skipped lines, $chg were committed"
	fi
	if digest "$N" >"$T/node.digest" 2>"$T/err" &&
		cmp -s "$T/ref.digest" "$T/node.digest"; then
		ok "cycle${cycle}_same_as_clean_import"
	else
		fail "cycle${cycle}_same_as_clean_import" "counts/digests differ: $(paste -d' ' "$T/ref.digest" "$T/node.digest" | tr '\n' '|' | head -c 400)"
	fi
	cycle=$((cycle + 1))
done

finish
