#!/bin/sh
# tests/fuzz/run.sh - run every libFuzzer target of a fuzz build for a few
# seconds each, from its committed seed corpus.
#
#   sh tests/fuzz/run.sh BUILD_DIR [SECONDS]      (default build-fuzz, 5)
#
# Each BUILD_DIR/tests/fuzz/fuzz_NAME runs for SECONDS (-max_total_time)
# from tests/fuzz/corpus/NAME/ (read only: what the run finds goes to a
# temporary directory, never into the committed corpus).  A crash, a
# leak, a sanitizer report or a timeout prints "FAIL fuzz_NAME: ..." with
# the input that did it (base64, and kept in FUZZ_ARTIFACTS when set);
# otherwise "ok fuzz_NAME".  The last line is "N passed, N failed".

set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-build-fuzz}
secs=${2:-${FUZZ_SECONDS:-5}}
case $build in /*) ;; *) build=$top/$build ;; esac
work=$(mktemp -d "${TMPDIR:-/tmp}/presidio-fuzz.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

pass=0
fail=0
found=0
for bin in "$build"/tests/fuzz/fuzz_*; do
	[ -x "$bin" ] || continue
	found=1
	name=${bin##*/}
	corpus=$top/tests/fuzz/corpus/${name#fuzz_}
	mkdir -p "$work/$name"
	set -- "$work/$name"
	[ -d "$corpus" ] && set -- "$@" "$corpus"
	t0=$(date +%s)
	# -timeout: one input taking seconds is a hang worth a failure.
	(cd "$work" && ASAN_OPTIONS=detect_leaks=1 timeout -k 5 \
		$((secs + 60)) "$bin" -max_total_time="$secs" -timeout=10 \
		-rss_limit_mb=1024 -print_final_stats=0 \
		-artifact_prefix="$work/$name-" "$@") \
		>"$work/$name.log" 2>&1 </dev/null
	rc=$?
	took=$(($(date +%s) - t0))
	runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$work/$name.log")
	if [ "$rc" -eq 0 ]; then
		echo "ok $name (${runs:-?} runs in $took s)"
		pass=$((pass + 1))
		continue
	fi
	fail=$((fail + 1))
	why=$(grep -m1 -E 'ERROR: |SUMMARY: |runtime error:' "$work/$name.log")
	echo "FAIL $name: exit $rc: ${why:-see below}"
	# Frames in the project's sources, and the input that did it.
	grep -E "^ *#[0-9]+ .* $top/|^Base64: " "$work/$name.log" |
		head -n 12 | sed "s|$top/||; s/^ */   /"
	if [ -n "${FUZZ_ARTIFACTS:-}" ]; then
		mkdir -p "$FUZZ_ARTIFACTS"
		cp "$work/$name"-* "$FUZZ_ARTIFACTS"/ 2>/dev/null
	fi
done
if [ "$found" -eq 0 ]; then
	echo "FAIL fuzz: no fuzz target in $build/tests/fuzz (make fuzz-build)"
	fail=$((fail + 1))
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
