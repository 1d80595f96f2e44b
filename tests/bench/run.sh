#!/bin/sh
# tests/bench/run.sh - the benchmarks (`make bench`): figures on stdout.
#
#   sh tests/bench/run.sh BUILD_DIR
#
# Makes the workloads with shared/workload/gen.js (seed 42, 2000 persons,
# no updates; with BENCH_LARGE=1 also 20000 persons, and the sync bench
# at 20000 and 50000), runs
# BUILD_DIR/bench/bench_store on them, then times `presidio import` of the
# same file through the command line for comparison, then
# BUILD_DIR/bench/bench_merge (changes from another node merged into a
# store of 100,000 records, next to its local write rate), then
# BUILD_DIR/bench/bench_search (person search and the duplicate check
# over 50,000 persons of the same generator), then tests/bench/bench_ui.sh
# (the web interface's first page and search at those 50,000).  Not part of
# `make check`: the figures depend on the machine (see CALIBRATION.md).

set -u

build=${1:-build}
top=$(cd "$(dirname "$0")/../.." && pwd)
gen=${PRESIDIO_WORKLOAD_GEN:-$top/../shared/workload/gen.js}
bench=$build/bench/bench_store
bin=$build/presidio

if [ ! -x "$bench" ]; then
	echo "bench: no $bench (run 'make bench')" >&2
	exit 1
fi
if ! command -v node >/dev/null 2>&1 || [ ! -f "$gen" ]; then
	echo "bench: needs node and $gen" >&2
	exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/presidio-bench.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

files=
node "$gen" --seed 42 --persons 2000 --updates 0 \
	--out "$work/w2k.jsonl" 2>/dev/null || exit 1
files="$work/w2k.jsonl"
if [ "${BENCH_LARGE:-0}" = 1 ]; then
	node "$gen" --seed 42 --persons 20000 --updates 0 \
		--out "$work/w20k.jsonl" 2>/dev/null || exit 1
	files="$files $work/w20k.jsonl"
fi

echo "== presidio bench: $(nproc 2>/dev/null || echo '?') cores," \
	"SQLite $(sqlite3 -version 2>/dev/null | cut -d' ' -f1)"
rc=0
# shellcheck disable=SC2086
TMPDIR=$work "$bench" $files || rc=1

if [ -x "$bin" ]; then
	for f in $files; do
		d=$work/cli-node
		rm -rf "$d" "$work/cli.key"
		if PRESIDIO_DIR=$d "$bin" init --name bench -u bench \
			--key-file "$work/cli.key" >/dev/null 2>"$work/err" &&
			out=$(PRESIDIO_DIR=$d PRESIDIO_KEY_FILE=$work/cli.key \
				"$bin" import "$f" 2>"$work/err"); then
			echo
			echo "presidio import ${f##*/} (command line, batches of 1000)"
			echo "  $out"
		else
			echo "bench: presidio import failed: $(head -c 200 "$work/err")" >&2
			rc=1
		fi
	done
fi

# The merge: changes from another node into a store of 100,000 records.
if [ -x "$build/bench/bench_merge" ]; then
	echo
	TMPDIR=$work "$build/bench/bench_merge" || rc=1
fi

# Person search and the duplicate check at 50,000 persons (target p99
# under 20 ms); BENCH_SEARCH_PERSONS sets another size.
if [ -x "$build/bench/bench_search" ]; then
	n=${BENCH_SEARCH_PERSONS:-50000}
	if node "$gen" --seed 42 --persons "$n" --updates 0 \
		--out "$work/wsearch.jsonl" 2>/dev/null; then
		TMPDIR=$work "$build/bench/bench_search" "$work/wsearch.jsonl" ||
			rc=1
		# The web interface on a node holding them: the first page and
		# the search through HTTP.
		TMPDIR=$work sh "$top/tests/bench/bench_ui.sh" "$build" \
			"$work/wsearch.jsonl" || rc=1
	else
		echo "bench: the workload of $n persons failed" >&2
		rc=1
	fi
	rm -f "$work/wsearch.jsonl"
fi

# Sync over TLS on 127.0.0.1: initial pull, push, incremental updates, at
# 2,000 persons; with BENCH_LARGE=1 also at 20,000 (the issue's targets)
# and 50,000 (about 350,000 records: the page cache no longer holds the
# indexes).
sizes=2000
[ "${BENCH_LARGE:-0}" = 1 ] && sizes="2000 20000 50000"
for n in $sizes; do
	echo
	BENCH_SYNC_PERSONS=$n TMPDIR=$work \
		sh "$top/tests/bench/bench_sync.sh" "$build" || rc=1
done
# Many nodes at once (about 2 minutes; BENCH_MANY=0 leaves it out).
if [ "${BENCH_MANY:-1}" = 1 ]; then
	echo
	TMPDIR=$work sh "$top/tests/bench/bench_many.sh" "$build" || rc=1
fi
exit $rc
