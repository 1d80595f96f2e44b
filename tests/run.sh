#!/bin/sh
# tests/run.sh - run the unit and end-to-end tests of one or more builds.
#
#   sh tests/run.sh build [build-asan ...]
#
# For each build directory: every unit-test binary DIR/tests/*/test_*
# (sorted), whose last line must be "N passed, N failed"; then every
# end-to-end script tests/e2e/*.sh (the *lib.sh helpers excepted) with PRESIDIO_BIN set
# to DIR/presidio, each under a timeout, counting its "ok NAME" and
# "FAIL NAME: reason" lines.  A unit binary that crashes or prints no
# summary, and a script that exits non-zero without a FAIL line, count as
# one failure.  A build linked with AddressSanitizer runs with leak
# detection on and aborts on the first sanitizer report.
#
# The last line of output is the total "N passed, N failed"; the exit
# status is 1 when anything failed or nothing passed.
#
# Then, when FUZZ_BUILD names a fuzz build (make check sets it; make
# fuzz-build makes it), every libFuzzer target there runs FUZZ_SECONDS
# (default 5) from its seed corpus (tests/fuzz/run.sh), one pass or
# failure each.
#
# The builds given run side by side, each build's output shown whole once
# all are done (RUN_SERIAL=1: one after the other, as they go).
#
# Environment: E2E_TIMEOUT (seconds per script, default 300),
# UNIT_TIMEOUT (seconds per unit binary, default 600), FUZZ_BUILD,
# FUZZ_SECONDS, RUN_SERIAL.

set -u

if [ $# -lt 1 ]; then
	echo "usage: sh tests/run.sh BUILD_DIR..." >&2
	exit 2
fi

top=$(cd "$(dirname "$0")/.." && pwd)
e2e_timeout=${E2E_TIMEOUT:-300}
unit_timeout=${UNIT_TIMEOUT:-600}
work=$(mktemp -d "${TMPDIR:-/tmp}/presidio-run.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

total_pass=0
total_fail=0

# abspath DIR: DIR made absolute against the current directory.
abspath() {
	case $1 in
	/*) printf '%s\n' "$1" ;;
	*) printf '%s\n' "$(pwd)/$1" ;;
	esac
}

# is_asan DIR: the build links AddressSanitizer (by name or by content).
is_asan() {
	case $1 in
	*asan* | *sanitize*) return 0 ;;
	esac
	for f in "$1/presidio" "$1"/tests/*/test_*; do
		[ -f "$f" ] || continue
		grep -qa __asan_init "$f" 2>/dev/null && return 0
		return 1
	done
	return 1
}

# run_unit BIN: run one unit binary, add its counts to the build's.
run_unit() {
	bin=$1
	echo "-- unit: ${bin#"$top"/}"
	t0=$(date +%s)
	(cd "$top" && timeout -k 10 "$unit_timeout" "$bin") \
		>"$bw/unit.out" 2>&1 </dev/null
	rc=$?
	echo "   ($(($(date +%s) - t0)) s)"
	sed 's/^/   /' "$bw/unit.out"
	last=$(sed -n '$p' "$bw/unit.out")
	p=$(printf '%s\n' "$last" |
		sed -n 's/^\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed$/\1/p')
	f=$(printf '%s\n' "$last" |
		sed -n 's/^\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed$/\2/p')
	if [ -z "$p" ] || [ -z "$f" ]; then
		echo "   FAIL ${bin##*/}: no summary line (exit $rc)"
		build_fail=$((build_fail + 1))
		return
	fi
	build_pass=$((build_pass + p))
	build_fail=$((build_fail + f))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		# Summary printed, then a crash or a leak report at exit.
		echo "   FAIL ${bin##*/}: exit $rc after its summary"
		build_fail=$((build_fail + 1))
	fi
}

# run_e2e SCRIPT BIN: run one end-to-end script against BIN.
run_e2e() {
	script=$1
	echo "-- e2e: ${script#"$top"/}"
	t0=$(date +%s)
	rm -f "$bw/e2e.rc"
	{
		(cd "$top" && PRESIDIO_BIN=$2 timeout -k 10 "$e2e_timeout" \
			sh "$script" </dev/null 2>&1)
		echo $? >"$bw/e2e.rc"
	} | tee "$bw/e2e.out" | sed 's/^/   /'
	rc=$(cat "$bw/e2e.rc" 2>/dev/null || echo 1)
	echo "   ($(($(date +%s) - t0)) s)"
	p=$(grep -c '^ok ' "$bw/e2e.out")
	f=$(grep -c '^FAIL ' "$bw/e2e.out")
	build_pass=$((build_pass + p))
	build_fail=$((build_fail + f))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
			echo "   FAIL ${script##*/}: timed out after ${e2e_timeout}s"
		else
			echo "   FAIL ${script##*/}: exit $rc without a FAIL line"
		fi
		build_fail=$((build_fail + 1))
	elif [ "$rc" -eq 0 ] && [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
		echo "   FAIL ${script##*/}: ran no test"
		build_fail=$((build_fail + 1))
	elif [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		echo "   (${script##*/} timed out after ${e2e_timeout}s)"
	fi
}

# run_build DIR N: every test of build DIR, its counts left in
# $work/N.counts; its own scratch files in $work/N/.
run_build() {
	dir=$1
	bw=$work/$2
	mkdir -p "$bw"
	adir=$(abspath "$dir")
	build_pass=0
	build_fail=0
	echo "=== build: $dir ==="
	if is_asan "$adir"; then
		echo "    (sanitizers: leak detection on, abort on first report)"
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
		# The plain build runs 80 faulty sync rounds (40 a node); here
		# fewer keep the sanitizer pass within its time.
		SYNC_FAULT_ROUNDS_DEFAULT=14
		# and the pull through cut links a smaller workload
		SYNC_CUTS_PERSONS_DEFAULT=300
		export ASAN_OPTIONS UBSAN_OPTIONS SYNC_FAULT_ROUNDS_DEFAULT \
			SYNC_CUTS_PERSONS_DEFAULT
	else
		unset ASAN_OPTIONS UBSAN_OPTIONS SYNC_FAULT_ROUNDS_DEFAULT \
			SYNC_CUTS_PERSONS_DEFAULT
	fi

	units=$(find "$adir/tests" -path "$adir/tests/*/test_*" -type f \
		-perm -u+x 2>/dev/null | LC_ALL=C sort)
	if [ -z "$units" ]; then
		echo "   (no unit-test binaries under $dir/tests)"
	fi
	nl='
'
	old_ifs=$IFS
	IFS=$nl
	for bin in $units; do
		IFS=$old_ifs
		run_unit "$bin"
	done
	IFS=$old_ifs

	bin="$adir/presidio"
	for script in "$top"/tests/e2e/*.sh; do
		[ -f "$script" ] || continue
		case ${script##*/} in *lib.sh) continue ;; esac
		if [ ! -x "$bin" ]; then
			echo "-- e2e: ${script#"$top"/}"
			echo "   FAIL ${script##*/}: no $dir/presidio"
			build_fail=$((build_fail + 1))
			continue
		fi
		run_e2e "$script" "$bin"
	done

	echo "=== total for $dir: $build_pass passed, $build_fail failed ==="
	echo "$build_pass $build_fail" >"$work/$2.counts"
}

# The builds run side by side (RUN_SERIAL=1: one after the other): their
# tests wait on disks, clocks and sockets more than on the processor, and
# share nothing (temporary directories, ports chosen by the kernel).  Each
# build's output is shown whole, in order, once all are done.
n=0
for dir in "$@"; do
	n=$((n + 1))
	if [ "${RUN_SERIAL:-0}" = 1 ]; then
		run_build "$dir" "$n" >"$work/$n.out" 2>&1 </dev/null
		cat "$work/$n.out"
	else
		run_build "$dir" "$n" >"$work/$n.out" 2>&1 </dev/null &
	fi
done
wait
i=0
for dir in "$@"; do
	i=$((i + 1))
	[ "${RUN_SERIAL:-0}" = 1 ] || cat "$work/$i.out"
	if [ -s "$work/$i.counts" ]; then
		read -r p f <"$work/$i.counts"
	else
		echo "   FAIL $dir: its run ended without counts"
		p=0
		f=1
	fi
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
done

if [ -n "${FUZZ_BUILD:-}" ]; then
	echo "=== fuzz: $FUZZ_BUILD (${FUZZ_SECONDS:-5} s per target) ==="
	t0=$(date +%s)
	(cd "$top" && sh tests/fuzz/run.sh "$(abspath "$FUZZ_BUILD")" \
		"${FUZZ_SECONDS:-5}") >"$work/fuzz.out" 2>&1 </dev/null
	sed 's/^/   /' "$work/fuzz.out"
	echo "   ($(($(date +%s) - t0)) s)"
	last=$(sed -n '$p' "$work/fuzz.out")
	p=$(printf '%s\n' "$last" |
		sed -n 's/^\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed$/\1/p')
	f=$(printf '%s\n' "$last" |
		sed -n 's/^\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed$/\2/p')
	if [ -z "$p" ] || [ -z "$f" ]; then
		echo "   FAIL fuzz: no summary line"
		p=0
		f=1
	fi
	echo "=== total for fuzz: $p passed, $f failed ==="
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
fi

echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ] && [ "$total_pass" -gt 0 ]
