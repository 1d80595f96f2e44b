#!/bin/sh
# tests/bench/compare.sh - the benchmarks of two commits side by side, in
# one run on one machine (`make bench BENCH_BASE=REF`).
#
#   sh tests/bench/compare.sh BASE_REF HEAD_BUILD_DIR
#
# Builds BASE_REF (any commit: HEAD~1, the last landed release) in a
# temporary worktree, then runs each side's own tests/bench/run.sh in
# turn, BENCH_ROUNDS times (default 3: base, head, base, head, ...), so
# that a slow minute of the machine falls on both.  Prints every figure
# of the last head run as it came, then a table: each figure's median
# over the rounds on the base and on the head, and the change.  Whether
# a change is better depends on the figure (records/s up, ms and bytes
# down): the table says which way is better.
#
# The workload generator is found as tests/bench/run.sh finds it
# (PRESIDIO_WORKLOAD_GEN, else ../shared/workload/gen.js of this tree),
# and passed to the base, whose worktree is elsewhere.

set -u

if [ $# -ne 2 ]; then
	echo "usage: sh tests/bench/compare.sh BASE_REF HEAD_BUILD_DIR" >&2
	exit 2
fi
base_ref=$1
head_build=$2
case $head_build in /*) ;; *) head_build=$(pwd)/$head_build ;; esac
top=$(cd "$(dirname "$0")/../.." && pwd)
rounds=${BENCH_ROUNDS:-3}
PRESIDIO_WORKLOAD_GEN=${PRESIDIO_WORKLOAD_GEN:-$top/../shared/workload/gen.js}
export PRESIDIO_WORKLOAD_GEN

base_sha=$(git -C "$top" rev-parse --verify --quiet "$base_ref^{commit}") || {
	echo "bench: no commit $base_ref" >&2
	exit 2
}
work=$(mktemp -d "${TMPDIR:-/tmp}/presidio-compare.XXXXXX") || exit 1
cleanup() {
	git -C "$top" worktree remove --force "$work/base" >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== building the base, $base_ref ($(git -C "$top" log -1 --format='%h %s' "$base_sha" | cut -c1-70))"
git -C "$top" worktree add --detach "$work/base" "$base_sha" >/dev/null 2>&1 || {
	echo "bench: cannot check out $base_ref" >&2
	exit 1
}
# The base's own bench binaries: whatever its Makefile calls them.
benches=$(cd "$work/base" && ls tests/bench/bench_*.c 2>/dev/null |
	sed 's|^tests/bench/\(.*\)\.c$|build/bench/\1|')
# shellcheck disable=SC2086
if ! make -C "$work/base" -j"$(nproc 2>/dev/null || echo 2)" build/presidio \
	$benches >"$work/base-build.log" 2>&1; then
	echo "bench: the base does not build:" >&2
	tail -20 "$work/base-build.log" >&2
	exit 1
fi

# figures FILE: "key<TAB>value<TAB>better" for each figure of one run.
figures() {
	awk '
	function out(k, v, better) { printf "%s\t%s\t%s\n", sect ": " k, v, better }
	/^workload / { n = split($2, p, "/"); sect = p[n]; next }
	/^merge into/ { sect = "merge"; next }
	/^person search/ { sect = "search"; next }
	/^web interface/ { sect = "ui"; next }
	/^  [a-z+]+ +p50 +[0-9.]+ ms +p99 +[0-9.]+ ms/ {
		out($1 " p50 (ms)", $3, "down"); out($1 " p99 (ms)", $6, "down")
		next
	}
	/^  build +[0-9.]+ ms/ { out("build (ms)", $2, "down"); next }
	/^presidio import / { sect = "import " $3; next }
	/^[0-9]\. / { sect = $0; sub(/ \(.*/, "", sect); sect = "sync " sect; next }
	/^  [a-z].*  +[0-9.]+ (records|changes)\/s/ {
		l = $0; sub(/^ +/, "", l); sub(/  +[0-9.].*/, "", l)
		for (i = 1; i <= NF; i++) if ($i ~ /^(records|changes)\/s$/) {
			out(l " (" $i ")", $(i - 1), "up"); break }
		next
	}
	/^  [a-z].*  +[0-9.]+ ms$/ {
		l = $0; sub(/^ +/, "", l); sub(/  +[0-9.].*/, "", l)
		out(l " (ms)", $(NF - 1), "down"); next
	}
	/^  imported [0-9]+ lines/ {
		v = $0; sub(/.*, /, "", v); sub(/ lines\/s.*/, "", v)
		out("lines/s", v, "up"); next
	}
	/^   (pulled|pushed) [0-9]+ records in/ {
		for (i = 1; i <= NF; i++) if ($i == "rec/s") out("records/s", $(i - 1), "up")
		next
	}
	/^   (push|pull) \([a-z0-9]+\):/ {
		for (i = 1; i <= NF; i++) {
			if ($i ~ /^changes\/s/) out($1 " changes/s", $(i - 1), "up")
			if ($i ~ /^B\/change/) out($1 " B/change " $(i + 1), $(i - 1), "down")
		}
		next
	}
	/^   wire: / {
		for (i = 1; i <= NF; i++) if ($i ~ /^B\/record/)
			out("B/record " $(i + 1), $(i - 1), "down")
		next
	}
	/^   hub CPU [0-9.]+ s: [0-9]+ us a change/ {
		out("hub us a change", $5, "down"); next
	}
	/peak RSS/ {
		for (i = 1; i <= NF; i++) if ($i == "RSS") out($(i - 2) " peak RSS MB", $(i + 1), "down")
		next
	}
	' "$1" | sed 's/,\t/\t/'
}

i=1
while [ "$i" -le "$rounds" ]; do
	for side in base head; do
		if [ $side = base ]; then
			tree=$work/base build=$work/base/build
		else
			tree=$top build=$head_build
		fi
		echo "== round $i of $rounds: $side"
		TMPDIR=$work sh "$tree/tests/bench/run.sh" "$build" \
			>"$work/$side.$i.out" 2>"$work/$side.$i.err" ||
			{ echo "bench: $side run $i failed:" >&2
			  tail -5 "$work/$side.$i.err" >&2; }
		figures "$work/$side.$i.out" >"$work/$side.$i.fig"
	done
	i=$((i + 1))
done

echo
echo "== the head's last run"
cat "$work/head.$rounds.out"
echo
echo "== side by side: median of $rounds runs each, base $base_ref, head this tree"
# One file of "side<TAB>key<TAB>value<TAB>better" lines, then the medians.
for f in "$work"/*.fig; do
	s=${f##*/}
	s=${s%%.*}
	sed "s/^/$s\t/" "$f"
done | awk -F'\t' '
	function median(list,   n, a, i, j, t) {
		n = split(list, a, " ")
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) {
				t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	$4 != "" && $3 ~ /^[0-9.]+$/ {
		if (!(($2) in seen)) { seen[$2] = 1; order[++nk] = $2; better[$2] = $4 }
		vals[$1, $2] = vals[$1, $2] " " $3
	}
	END {
		printf "%-62s %11s %11s %8s\n", "figure (better: up or down)", "base", "head", "change"
		for (k = 1; k <= nk; k++) {
			key = order[k]
			if (!((("base", key) in vals) && (("head", key) in vals))) continue
			b = median(vals["base", key]); h = median(vals["head", key])
			ch = b > 0 ? sprintf("%+.1f%%", 100 * (h - b) / b) : "-"
			printf "%-62s %11s %11s %8s\n", substr(key " (" better[key] ")", 1, 62), b, h, ch
		}
	}'
