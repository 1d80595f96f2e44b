#!/bin/sh
# tests/e2e/test_import.sh - what `presidio import` refuses, and how fast:
# a line over 1 MiB is refused naming its line without being read whole
# (the import runs in a small address space), an endless stream without
# newlines stops after the limit, and what has no end (/dev/zero, a
# directory) is refused before reading; files and pipes still import.
. "$(dirname "$0")/lib.sh"

setup_node

ID1=0b0a3f3e-1111-4222-8333-444455556666
ID2=0b0a3f3e-1111-4222-8333-444455556667
line() {
	printf '{"op":"put","collection":"person","id":"%s","fields":{"given_name":"A","family_name":"B"}}\n' "$1"
}

# ---- files and pipes import ---------------------------------------------

line "$ID1" >"$T/one.jsonl"
pr import "$T/one.jsonl"
if [ "$RC" -eq 0 ] && out_has "imported 1 lines: 1 created"; then
	ok import_file; else fail import_file "exit $RC ($(first_err))"; fi

line "$ID2" >"$T/two.jsonl"
run sh -c "cat '$T/two.jsonl' | '$P' import -"
if [ "$RC" -eq 0 ] && out_has "imported 1 lines: 1 created"; then
	ok import_pipe; else fail import_pipe "exit $RC ($(first_err))"; fi

mkfifo "$T/fifo"
(line "$ID2" >"$T/fifo") &
run timeout 20 "$P" import "$T/fifo"
if [ "$RC" -eq 0 ] && out_has "imported 1 lines: 0 created, 0 updated, 1 unchanged"; then
	ok import_named_pipe; else fail import_named_pipe "exit $RC ($(first_err))"; fi
wait

# ---- a line over the limit ------------------------------------------------

# Line 2 holds 64 MiB: read whole, it alone would pass the address space
# the import is given below (an unlock and a 1 MiB line fit well in it).
{
	line "$ID1"
	head -c 67108864 /dev/zero | tr '\0' 'a'
	echo
	line "$ID2"
} >"$T/long.jsonl"
# AddressSanitizer reserves terabytes of address space: no limit there.
if ldd "$P" 2>/dev/null | grep -q asan; then
	LIMIT=unlimited
else
	LIMIT=120000
fi
run sh -c "ulimit -v $LIMIT && exec timeout 60 '$P' import '$T/long.jsonl'"
if [ "$RC" -eq 6 ] && err_has "long.jsonl:2: line longer than 1048576 bytes"; then
	ok long_line_refused_bounded
else
	fail long_line_refused_bounded "exit $RC ($(first_err))"
fi

# A stream that never ends a line stops at the limit, at once.
run timeout 20 sh -c "cat /dev/zero | '$P' import -"
if [ "$RC" -eq 6 ] && err_has "-:1: line longer than"; then
	ok endless_line_on_pipe_refused
else
	fail endless_line_on_pipe_refused "exit $RC ($(first_err))"
fi

# ---- what has no end ------------------------------------------------------

run timeout 20 "$P" import /dev/zero
if [ "$RC" -eq 6 ] && err_has "/dev/zero: it is a character device"; then
	ok dev_zero_refused
else
	fail dev_zero_refused "exit $RC ($(first_err))"
fi

run sh -c "exec timeout 20 '$P' import - </dev/zero"
if [ "$RC" -eq 6 ] && err_has "standard input: it is a character device"; then
	ok dev_zero_on_stdin_refused
else
	fail dev_zero_on_stdin_refused "exit $RC ($(first_err))"
fi

run timeout 20 "$P" import "$T"
if [ "$RC" -eq 6 ] && err_has "it is a directory"; then
	ok directory_refused
else
	fail directory_refused "exit $RC ($(first_err))"
fi

# ---- the workload still imports whole ------------------------------------

# Every line shared/workload/gen.js writes (creates of person, case and
# service, then updates) validates against the product schema: its field
# names and enum values are kept from release to release.
GEN=${PRESIDIO_WORKLOAD_GEN:-$(dirname "$0")/../../../shared/workload/gen.js}
if ! command -v node >/dev/null 2>&1 || [ ! -f "$GEN" ]; then
	ok "workload_imports (skipped: no gen.js)"
elif ! node "$GEN" --seed 1 --persons 30 --updates 20 \
	--out "$T/work.jsonl" 2>"$T/gen.err"; then
	fail workload_imports "gen.js failed: $(head -c 200 "$T/gen.err")"
else
	lines=$(wc -l <"$T/work.jsonl" | tr -d ' ')
	pr import "$T/work.jsonl"
	if [ "$RC" -eq 0 ] && out_has "imported $lines lines"; then
		ok workload_imports
	else
		fail workload_imports "exit $RC ($(first_err))"
	fi
fi

finish
