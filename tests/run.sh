#!/bin/sh
# tests/run.sh - run the unit and end-to-end tests of one or more builds.
#
#   sh tests/run.sh build [build-asan ...]
#
# For each build directory: every unit-test binary DIR/tests/*/test_*
# (sorted), whose last line must be "N passed, N failed"; then every
# end-to-end script tests/e2e/*.sh and tests/packaging/test_*.sh (the
# *lib.sh helpers excepted; on a
# sanitizer build, also those marked "# e2e: plain build only") with PRESIDIO_BIN set
# to DIR/presidio, each under a timeout, counting its "ok NAME" and
# "FAIL NAME: reason" lines.  A unit binary that crashes or prints no
# summary, and a script that exits non-zero without a FAIL line, count as
# one failure.  A build linked with AddressSanitizer runs with leak
# detection on and aborts on the first sanitizer report.  The slowest
# jobs are listed at the end with their seconds, so that a test that
# makes `make check` pass its 10 minutes is found at once.
#
# The last line of output is the total "N passed, N failed"; the exit
# status is 1 when anything failed or nothing passed.
#
# Every test of every build is one job of a queue that RUN_JOBS workers
# (default 2, one a core here: a third beside the browser scripts made
# them miss their timings) take heaviest first; each
# build's output is shown whole, in order, once all are done (RUN_SERIAL=1:
# one worker).
#
# RUN_BEHIND=COMMAND builds what the later builds' tests need (make check:
# the sanitizer build) while the first build's tests run: at the lowest
# priority, so it takes the processor only when the tests wait on
# sockets, clocks and the disk (about a third of their time).  The jobs
# of every build but the first are queued after the first build's and
# start once RUN_BEHIND has ended (the first build's unit binaries name
# theirs).  A command that fails is one failure, shown with the end of its
# output.  (The fuzz targets are fuzzed by `make fuzz`; here their seed
# corpora replay among each build's unit tests.)
#
# Once RUN_BEHIND has ended and the first build's end-to-end scripts
# have, a third worker takes the later builds' jobs from the queue's end,
# the lightest first (RUN_TAIL=0: not), to fill the time their scripts
# wait.
#
# The tests' files go to /dev/shm when TMPDIR is not set and /dev/shm is
# a tmpfs that may run programs and has 2 GB free (RUN_TMPFS=0: not).
# There a database's fsync costs nothing: the tests check what the
# program does, not how fast the disk is, and what they can do to a
# process (kill -9) leaves the page cache as it is on a disk.  The
# benchmarks stay on the disk.
#
# Environment: E2E_TIMEOUT (seconds per script, default 300),
# UNIT_TIMEOUT (seconds per unit binary, default 600), RUN_JOBS,
# RUN_SERIAL, RUN_BEHIND, RUN_TAIL, RUN_TMPFS.

set -u

if [ $# -lt 1 ]; then
	echo "usage: sh tests/run.sh BUILD_DIR..." >&2
	exit 2
fi

top=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${TMPDIR:-}" ] && [ "${RUN_TMPFS:-1}" = 1 ] &&
	awk '$2 == "/dev/shm" && $3 == "tmpfs" && $4 !~ /(^|,)noexec(,|$)/ \
		{ ok = 1 } END { exit !ok }' /proc/mounts 2>/dev/null &&
	[ "$(df -Pk /dev/shm 2>/dev/null | awk 'NR == 2 { print $4 }')" \
		-ge 2097152 ] 2>/dev/null && [ -w /dev/shm ]; then
	TMPDIR=/dev/shm
	export TMPDIR
fi
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
		# A script says which shell it needs on its first line.
		shell=sh
		head -n 1 "$script" | grep -q bash && shell=bash
		(cd "$top" && PRESIDIO_BIN=$2 timeout -k 10 "$e2e_timeout" \
			$shell "$script" </dev/null 2>&1)
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

# build_env DIR: the environment of DIR's tests.  A sanitizer build runs
# with leak detection on, aborting on the first report, and smaller
# workloads in the longest scripts (the plain build runs the full ones).
build_env() {
	if is_asan "$(abspath "$1")"; then
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
		# 80 faulty sync rounds on the plain build (40 a node): 20 here
		SYNC_FAULT_ROUNDS_DEFAULT=10
		# the pull through cut links (the killed imports run on the
		# plain build only)
		SYNC_CUTS_PERSONS_DEFAULT=200
		# the merge simulator: its 10,000 seeds find logic errors on
		# the plain build; 2,000 walk the same code here for memory
		# errors (make soak runs it for minutes)
		MERGE_SIM_SEEDS=2000
		export ASAN_OPTIONS UBSAN_OPTIONS SYNC_FAULT_ROUNDS_DEFAULT \
			SYNC_CUTS_PERSONS_DEFAULT MERGE_SIM_SEEDS
	else
		unset ASAN_OPTIONS UBSAN_OPTIONS SYNC_FAULT_ROUNDS_DEFAULT \
			SYNC_CUTS_PERSONS_DEFAULT MERGE_SIM_SEEDS
	fi
}

# The jobs: one line each,
# "WEIGHT<TAB>BUILD_INDEX<TAB>KIND<TAB>PATH<TAB>BEHIND", KIND unit or
# e2e, BEHIND 1 when it waits for RUN_BEHIND, else 0.  The weight is a
# rough cost class: a pool of workers takes the heaviest first, so that the short unit tests fill the
# end instead of one long script running alone (the builds' tests wait on
# disks, clocks and sockets as much as on the processor, and share
# nothing: temporary directories, ports chosen by the kernel).
: >"$work/jobs"
n=0
for dir in "$@"; do
	n=$((n + 1))
	adir=$(abspath "$dir")
	printf '%s\n' "$dir" >"$work/dir.$n"
	asan=0
	is_asan "$adir" && asan=1
	behind=0
	if [ -n "${RUN_BEHIND:-}" ] && [ "$n" -gt 1 ]; then
		# Not built yet: the first build's binaries, by name.
		behind=1
		sed "s|^$(abspath "$1")/|$adir/|" "$work/units.1" \
			>"$work/units.$n"
	else
		find "$adir/tests" -path "$adir/tests/*/test_*" -type f \
			-perm -u+x 2>/dev/null | LC_ALL=C sort \
			>"$work/units.$n"
	fi
	if [ ! -s "$work/units.$n" ]; then
		echo "   (no unit-test binaries under $dir/tests)" >"$work/note.$n"
	fi
	while IFS= read -r bin; do
		w=$((1 + asan))
		case ${bin##*/} in *_sim) w=$((w + 4)) ;; esac
		printf '%s\t%s\tunit\t%s\t%s\n' "$w" "$n" "$bin" "$behind" \
			>>"$work/jobs"
	done <"$work/units.$n"
	for script in "$top"/tests/e2e/*.sh "$top"/tests/packaging/test_*.sh; do
		[ -f "$script" ] || continue
		case ${script##*/} in *lib.sh) continue ;; esac
		# A script marked "# e2e: plain build only" drives paths the
		# sanitizer build already runs through other scripts.
		if [ "$asan" = 1 ] &&
			grep -q '^# e2e: plain build only' "$script"; then
			continue
		fi
		# A script marked "# e2e: long" (a minute or more: the
		# package built) goes first, so that it does not run alone at
		# the end while the other worker waits.  Not the browser
		# scripts: beside a package build their timings fail.
		w=$((4 + 3 * asan))
		grep -q '^# e2e: long' "$script" && w=$((w + 4))
		printf '%s\t%s\te2e\t%s\t%s\n' "$w" "$n" "$script" \
			"$behind" >>"$work/jobs"
	done
done
# Each job keeps its place in the listing as its number (the order
# output is shown in); the queue is taken heaviest first, in a class in
# the listing's order (stable sort), those waiting for RUN_BEHIND last.
cat -n "$work/jobs" | sed 's/^ *//' >"$work/listing"
sort -s -t "$(printf '\t')" -k6,6n -k2,2nr "$work/listing" >"$work/queue"
njobs=$(wc -l <"$work/queue")
echo 0 >"$work/next"
echo $((njobs + 1)) >"$work/last"

# run_job LINE: one job of the queue; its output in $work/job.I.out and
# its counts ("passed failed") in $work/job.I.counts.
run_job() {
	idx=$(printf '%s\n' "$1" | cut -f1)
	b=$(printf '%s\n' "$1" | cut -f3)
	kind=$(printf '%s\n' "$1" | cut -f4)
	path=$(printf '%s\n' "$1" | cut -f5)
	bw=$work/scratch.$idx
	mkdir -p "$bw"
	stage=$(printf '%s\n' "$1" | cut -f6)
	if [ "$stage" != 0 ]; then
		while [ ! -s "$work/behind$stage.rc" ]; do sleep 1; done
	fi
	job_t0=$(date +%s)
	build_pass=0
	build_fail=0
	if [ "$stage" != 0 ] && [ "$(cat "$work/behind$stage.rc")" != 0 ]; then
		# The build failed: said once, at the end.
		echo "-- $kind: ${path#"$top"/}: not built"
	else
		dir=$(cat "$work/dir.$b")
		build_env "$dir"
		if [ "$kind" = unit ]; then
			run_unit "$path"
		elif [ ! -x "$(abspath "$dir")/presidio" ]; then
			echo "-- e2e: ${path#"$top"/}"
			echo "   FAIL ${path##*/}: no $dir/presidio"
			build_fail=$((build_fail + 1))
		else
			run_e2e "$path" "$(abspath "$dir")/presidio"
		fi
	fi
	echo "$build_pass $build_fail" >"$work/job.$idx.counts"
	printf '%s\t%s\n' "$(($(date +%s) - job_t0))" \
		"$(cat "$work/dir.$b"): ${path#"$top"/}" \
		>"$work/job.$idx.time"
	rm -rf "$bw"
}

# claim front|back: the number of the next job in the queue from its
# front (the heaviest first), or from its back while the job there waits
# for a build behind; 0 when the two ends have met.  The queue's two
# ends, $work/next and $work/last, move under one lock.
claim() {
	(
		flock 9
		next=$(cat "$work/next")
		last=$(cat "$work/last")
		if [ "$1" = front ] && [ $((next + 1)) -lt "$last" ]; then
			echo $((next + 1)) >"$work/next"
			echo $((next + 1))
		elif [ "$1" = back ] && [ $((last - 1)) -gt "$next" ] &&
			[ "$(sed -n "$((last - 1))p" "$work/queue" | cut -f6)" != 0 ]
		then
			echo $((last - 1)) >"$work/last"
			echo $((last - 1))
		else
			echo 0
		fi
	) 9>"$work/lock"
}

# take I: run job I of the queue.
take() {
	line=$(sed -n "${1}p" "$work/queue")
	idx=$(printf '%s\n' "$line" | cut -f1)
	(run_job "$line") >"$work/job.$idx.out" 2>&1 </dev/null
}

# worker: take jobs from the queue's front until none is left.
worker() {
	while i=$(claim front) && [ "$i" -gt 0 ]; do
		take "$i"
	done
}

# tail_worker: a third worker for the jobs built behind (the sanitizer
# build's), taken from the queue's end, the lightest first, until it meets
# the others.  Its jobs wait on sockets and clocks as the others' do, and
# once the build behind is done nothing fills that time.  It starts when
# that build is done and every end-to-end script of the first build has
# ended: beside the browser scripts, a third job makes their timings fail.
tail_worker() {
	while [ ! -s "$work/behind1.rc" ]; do sleep 1; done
	for j in $(awk -F '\t' '$3 == 1 && $4 == "e2e" { print $1 }' \
		"$work/queue"); do
		while [ ! -s "$work/job.$j.counts" ]; do sleep 1; done
	done
	while i=$(claim back) && [ "$i" -gt 0 ]; do
		take "$i"
	done
}

# behind STAGE COMMAND: COMMAND at the lowest priority; its seconds, exit
# status and output in $work/behindSTAGE.*.
behind() {
	t0=$(date +%s)
	(cd "$top" && nice -n 19 sh -c "$2") >"$work/behind$1.log" 2>&1 \
		</dev/null
	rc=$?
	echo "$(($(date +%s) - t0))" >"$work/behind$1.time"
	echo "$rc" >"$work/behind$1.rc"
}
[ -n "${RUN_BEHIND:-}" ] && behind 1 "$RUN_BEHIND" &
jobs_n=${RUN_JOBS:-2}
[ "${RUN_SERIAL:-0}" = 1 ] && jobs_n=1
w=0
while [ "$w" -lt "$jobs_n" ]; do
	worker &
	w=$((w + 1))
done
[ -n "${RUN_BEHIND:-}" ] && [ "$jobs_n" -gt 1 ] &&
	[ "${RUN_TAIL:-1}" = 1 ] && tail_worker &
wait
# said STAGE COMMAND: how a build behind the tests went.
said() {
	echo "=== built behind the tests ($(cat "$work/behind$1.time") s): $2 ==="
	if [ "$(cat "$work/behind$1.rc")" != 0 ]; then
		tail -40 "$work/behind$1.log" | sed 's/^/   /'
		echo "   FAIL build behind the tests: exit $(cat "$work/behind$1.rc")"
		total_fail=$((total_fail + 1))
	fi
}
[ -n "${RUN_BEHIND:-}" ] && said 1 "$RUN_BEHIND"

# Each build's output whole, in the listing's order.
# show B: the jobs of build index B (the listing on stdin), adding up
# their counts in bp and bf.
show() {
	bp=0
	bf=0
	while IFS= read -r line; do
		idx=$(printf '%s\n' "$line" | cut -f1)
		[ "$(printf '%s\n' "$line" | cut -f3)" = "$1" ] || continue
		cat "$work/job.$idx.out" 2>/dev/null
		if [ -s "$work/job.$idx.counts" ]; then
			read -r p f <"$work/job.$idx.counts"
		else
			echo "   FAIL $(printf '%s\n' "$line" | cut -f5): no result"
			p=0
			f=1
		fi
		bp=$((bp + p))
		bf=$((bf + f))
	done
	total_pass=$((total_pass + bp))
	total_fail=$((total_fail + bf))
}
n=0
for dir in "$@"; do
	n=$((n + 1))
	{
			echo "=== build: $dir ==="
			is_asan "$(abspath "$dir")" &&
				echo "    (sanitizers: leak detection on, abort on first report)"
			cat "$work/note.$n" 2>/dev/null
			show "$n"
			echo "=== total for $dir: $bp passed, $bf failed ==="
			echo "$total_pass $total_fail" >"$work/totals.$n"
		} <"$work/listing" >"$work/show.$n"
	cat "$work/show.$n"
	read -r total_pass total_fail <"$work/totals.$n"
done

# The slowest jobs, to keep `make check` within its time.
echo "slowest jobs (seconds):"
cat "$work"/job.*.time 2>/dev/null | sort -t "$(printf '\t')" -k1,1nr |
	head -8 | sed 's/^/   /'
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ] && [ "$total_pass" -gt 0 ]
