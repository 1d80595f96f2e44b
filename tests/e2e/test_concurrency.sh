#!/bin/sh
# tests/e2e/test_concurrency.sh - commands run while another process holds
# the node: they wait for the write lock (busy timeout) and succeed, and
# nothing is lost or damaged.
#
# A large import runs in the background; meanwhile several puts, gets and
# a status run against the same node.  Every command must succeed, every
# record put must be there afterwards, the import must complete, and the
# database must pass integrity_check and `presidio verify`.
# Writes test collections: runs the test build (lib.sh).
# Under the sanitizers the unit tests of node/store_session.c and
# test_sync.sh run the same paths: this script runs in the plain build only.
# e2e: plain build only
E2E_TEST_SCHEMA=1
. "$(dirname "$0")/lib.sh"

GEN=${PRESIDIO_WORKLOAD_GEN:-$(dirname "$0")/../../../shared/workload/gen.js}
if ! command -v node >/dev/null 2>&1 || [ ! -f "$GEN" ]; then
	ok "concurrency (skipped: no gen.js)"
	finish
fi

setup_node
W=$T/workload.jsonl
node "$GEN" --seed 11 --persons 1500 --updates 0 --out "$W" >/dev/null 2>&1
LINES=$(wc -l <"$W")

# Small batches: the import takes and releases the write lock many times.
"$P" import "$W" --batch 50 >"$T/import.out" 2>"$T/import.err" &
IMPORT_PID=$!
E2E_PIDS="$E2E_PIDS $IMPORT_PID"

# Wait for the import's first commit so the puts really overlap it.
i=0
while [ "$(db "SELECT count(*) FROM record" 2>/dev/null || echo 0)" = 0 ] &&
	[ $i -lt 100 ]; do
	sleep 0.05
	i=$((i + 1))
done
n=0
bad=0
ids=
overlap=0
while [ $n -lt 8 ]; do
	kill -0 "$IMPORT_PID" 2>/dev/null && overlap=$((overlap + 1))
	n=$((n + 1))
	if id=$(printf '{"title":"concurrent %d"}' "$n" |
		"$P" put test_item 2>>"$T/put.err"); then
		ids="$ids $id"
	else
		bad=$((bad + 1))
	fi
	"$P" status >/dev/null 2>>"$T/put.err" || bad=$((bad + 1))
done
if [ $bad -eq 0 ]; then
	ok concurrent_puts_succeed
else
	fail concurrent_puts_succeed "$bad commands failed: $(head -c 300 "$T/put.err")"
fi

# The test means something only if the import was running meanwhile.
if [ $overlap -gt 0 ]; then
	ok puts_overlapped_import
else
	fail puts_overlapped_import "the import finished before the puts"
fi

if wait "$IMPORT_PID"; then
	ok import_alongside_completes
else
	fail import_alongside_completes "$(head -c 300 "$T/import.err")"
fi

missing=0
for id in $ids; do
	"$P" get "$id" >/dev/null 2>&1 || missing=$((missing + 1))
done
if [ $missing -eq 0 ] && [ -n "$ids" ]; then
	ok every_put_is_stored
else
	fail every_put_is_stored "$missing of the puts are missing"
fi

pr list test_item --count
if [ "$(cat "$T/out")" = 8 ]; then
	ok put_count
else
	fail put_count "expected 8 test items, got $(cat "$T/out")"
fi
got=$(db "SELECT count(*) FROM record WHERE coll != 1")
if [ "$got" = "$LINES" ]; then
	ok import_count
else
	fail import_count "expected $LINES imported records, got $got"
fi
check integrity_ok sh -c "[ \"\$(sqlite3 '$PRESIDIO_DIR/presidio.db' 'PRAGMA integrity_check')\" = ok ]"
t_exit verify_ok 0 "$P" verify
finish
