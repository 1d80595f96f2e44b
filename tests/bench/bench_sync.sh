#!/bin/sh
# tests/bench/bench_sync.sh - sync over TLS on 127.0.0.1: figures on stdout.
#
#   sh tests/bench/bench_sync.sh BUILD_DIR
#
# Workload: shared/workload/gen.js, seed 42, BENCH_SYNC_PERSONS persons
# (default 2000, about 14,000 records; tests/bench/run.sh also runs 20000
# and 50000 with BENCH_LARGE=1), with 1000 updates after the creates.
# Every case is assigned (its "nodes" field) to the node that must see
# it.  Key-file nodes and hubs, a test CA made here with openssl, hubs on
# free ports.
#
#  1. initial pull: hub 1 imports the creates (cases on n1 and n3), a
#     fresh n1 enrolls and pulls everything;
#  2. push: a fresh hub 2; n2 imports the creates (cases on n2), enrolls
#     and pushes everything;
#  3. incremental: n1 imports the 1000 updates and pushes them; n3
#     (enrolled on hub 1 and pulled before the updates) pulls them.
#
# Reported: records, wall seconds, records/s, bytes up and down per record
# as `presidio sync` counts them, the node's peak RSS (/usr/bin/time %M)
# and the hub's (VmHWM, reset between phases through clear_refs).  The
# targets are for the 20,000-person workload: 40,000 records/s each way,
# 60 bytes a record (TLS included), 50 bytes an incremental update, 32 MB
# of node memory.  A size other than 2000 names itself in each phase's
# title, so that `make bench BENCH_BASE=REF` keeps the sizes apart.  Not
# part of `make check`.

set -u

build=${1:-build}
case $build in /*) ;; *) build=$(pwd)/$build ;; esac
top=$(cd "$(dirname "$0")/../.." && pwd)
gen=${PRESIDIO_WORKLOAD_GEN:-$top/../shared/workload/gen.js}
P=$build/presidio
persons=${BENCH_SYNC_PERSONS:-2000}
nupd=1000
at=
[ "$persons" -eq 2000 ] || at=" at $persons persons"

# Targets (20,000 persons).
T_RATE=40000
T_BYTES=60
T_UPD_BYTES=50
T_RSS_KB=32768

BENCH_NAME=bench_sync
. "$top/tests/bench/bench_lib.sh"
TIME=/usr/bin/time
[ -x "$TIME" ] || TIME=

# ---- helpers ----------------------------------------------------------------

# run_node DIR ARGS...: presidio -d DIR ARGS... unlocked with DIR.key,
# output in $W/out, errors in $W/err; $RSS (KB), $SECS (wall) and $CPU
# (user + system seconds) set.
run_node() {
	r_dir=$1
	shift
	t0=$(now)
	if [ -n "$TIME" ]; then
		env PRESIDIO_KEY_FILE="$r_dir.key" "$TIME" -o "$W/time" -f '%M %U %S' \
			"$P" -d "$r_dir" "$@" >"$W/out" 2>"$W/err"
	else
		env PRESIDIO_KEY_FILE="$r_dir.key" \
			"$P" -d "$r_dir" "$@" >"$W/out" 2>"$W/err"
	fi
	RC=$?
	t1=$(now)
	SECS=$(calc "printf \"%.2f\", $t1 - $t0")
	# shellcheck disable=SC2046 # (split on purpose)
	set -- $(tail -n 1 "$W/time" 2>/dev/null) 0 0 0
	RSS=$(printf '%s' "$1" | tr -dc 0-9)
	[ -n "$RSS" ] || RSS=0
	CPU=$(calc "printf \"%.2f\", $2 + $3")
	return $RC
}

# parse_sync: PUSHED PULLED UP DOWN from the summary line in $W/out.
parse_sync() {
	line=$(grep '^sync:' "$W/out" | tail -n 1)
	PUSHED=$(printf '%s' "$line" | sed -n 's/.*pushed \([0-9]*\).*/\1/p')
	PULLED=$(printf '%s' "$line" | sed -n 's/.*pulled \([0-9]*\).*/\1/p')
	UP=$(printf '%s' "$line" | sed -n 's/.*(\([0-9]*\) bytes up.*/\1/p')
	DOWN=$(printf '%s' "$line" | sed -n 's/.* \([0-9]*\) down).*/\1/p')
	: "${PUSHED:=0}" "${PULLED:=0}" "${UP:=0}" "${DOWN:=0}"
}

# enroll HUB NAME: register NAME at hub HUB, init $W/NAME, enroll it.
enroll() {
	tok=$(env PRESIDIO_KEY_FILE="$W/$1.key" "$P" -d "$W/$1" hub node add \
		"$2" --kind polo --region Sicilia 2>"$W/err") ||
		die "hub node add $2: $(head -c 300 "$W/err")"
	[ -d "$W/$2" ] || "$P" -d "$W/$2" init --name "$2" \
		--key-file "$W/$2.key" >/dev/null 2>"$W/err" ||
		die "init $2: $(head -c 300 "$W/err")"
	env PRESIDIO_TOKEN="$tok" PRESIDIO_KEY_FILE="$W/$2.key" "$P" \
		-d "$W/$2" enroll --hub "$HUB_URL" --ca "$W/pki/ca.pem" \
		>/dev/null 2>"$W/err" || die "enroll $2: $(head -c 300 "$W/err")"
}

per() { calc "if ($2 > 0) printf \"%.1f\", $1 / $2; else print \"-\""; }
rate() { calc "if ($2 > 0) printf \"%.0f\", $1 / $2; else print \"-\""; }
# mark CONDITION: "ok" or "MISS" (awk condition).
mark() { calc "if ($1) print \"ok\"; else print \"MISS\""; }

# ---- workload and PKI -------------------------------------------------------

node "$gen" --seed 42 --persons "$persons" --updates "$nupd" \
	--out "$W/all.jsonl" 2>/dev/null || die "gen.js failed"
total=$(wc -l <"$W/all.jsonl")
ncreate=$((total - nupd))
head -n "$ncreate" "$W/all.jsonl" >"$W/creates.jsonl"
tail -n "$nupd" "$W/all.jsonl" >"$W/updates.jsonl"
rm -f "$W/all.jsonl"

# assign IN OUT NODES_JSON: every case line gets "nodes": NODES.
cat >"$W/assign.js" <<'EOF'
const fs = require('fs'), rl = require('readline');
const nodes = JSON.parse(process.argv[4]);
const fd = fs.openSync(process.argv[3], 'w');
const r = rl.createInterface({ input: fs.createReadStream(process.argv[2]),
	crlfDelay: Infinity });
let buf = [], n = 0;
const flush = () => { fs.writeSync(fd, buf.join('')); buf = []; n = 0; };
r.on('line', (l) => {
	if (!l) return;
	const o = JSON.parse(l);
	if (o.collection === 'case' && o.fields) o.fields.nodes = nodes;
	buf.push(JSON.stringify(o) + '\n');
	if (++n === 1000) flush();
});
r.on('close', () => { flush(); fs.closeSync(fd); });
EOF
node "$W/assign.js" "$W/creates.jsonl" "$W/w13.jsonl" '["n1","n3"]' &&
	node "$W/assign.js" "$W/creates.jsonl" "$W/w2.jsonl" '["n2"]' ||
	die "assigning cases failed"
rm -f "$W/creates.jsonl"

bench_ca

echo "== presidio sync bench: $persons persons, $ncreate records," \
	"$nupd updates; TLS on 127.0.0.1; $(nproc 2>/dev/null || echo '?') cores"
[ "$persons" -eq 20000 ] ||
	echo "   (the targets are stated for 20,000 persons: BENCH_LARGE=1)"
[ -n "$TIME" ] || echo "   (no /usr/bin/time: node RSS not measured)"
rc=0

# ---- 1. initial pull ----------------------------------------------------------

"$P" -d "$W/hub1" init --name hub1 --hub --key-file "$W/hub1.key" \
	>/dev/null 2>"$W/err" || die "hub1 init: $(head -c 300 "$W/err")"
run_node "$W/hub1" import "$W/w13.jsonl" ||
	die "hub1 import: $(head -c 300 "$W/err")"
imp1=$SECS
hub_start hub1
enroll hub1 n1
enroll hub1 n3
hub_hwm_reset
c0=$(hub_cpu)
run_node "$W/n1" sync || { echo "bench_sync: n1 sync exit $RC:" \
	"$(head -c 300 "$W/err")" >&2; rc=1; }
parse_sync
hwm=$(hub_hwm)
hcpu=$(calc "printf \"%.2f\", $(hub_cpu) - $c0")
echo
echo "1. initial pull$at (hub imported the $ncreate records in $imp1 s," \
	"$(rate "$ncreate" "$imp1") rec/s, local import)"
echo "   pulled $PULLED records in $SECS s: $(rate "$PULLED" "$SECS") rec/s" \
	"  [target >= $T_RATE: $(mark "$SECS > 0 && $PULLED / $SECS >= $T_RATE")]"
echo "   wire: $(per "$DOWN" "$PULLED") B/record down, $(per "$UP" "$PULLED")" \
	"B/record up ($DOWN B down, $UP up)" \
	"  [target <= $T_BYTES: $(mark "$PULLED > 0 && ($UP + $DOWN) / $PULLED <= $T_BYTES")]"
echo "   node peak RSS $(mb "$RSS")  [target <= 32 MB:" \
	"$(mark "$RSS > 0 && $RSS <= $T_RSS_KB")];  hub peak RSS $(mb "$hwm")"
echo "   CPU: node $CPU s, hub $hcpu s (of $SECS s wall)"
[ "$PULLED" -eq "$ncreate" ] || { echo "   WRONG: pulled $PULLED," \
	"expected $ncreate"; rc=1; }

# n3 takes the same initial pull (not reported) before the updates.
run_node "$W/n3" sync || { echo "bench_sync: n3 sync exit $RC:" \
	"$(head -c 300 "$W/err")" >&2; rc=1; }
parse_sync
n3pull=$PULLED
n3secs=$SECS

# ---- 3. incremental (on hub 1, before stopping it) ---------------------------

run_node "$W/n1" import "$W/updates.jsonl" ||
	{ echo "bench_sync: n1 import updates: $(head -c 300 "$W/err")" >&2; rc=1; }
impu=$SECS
hub_hwm_reset
run_node "$W/n1" sync || { echo "bench_sync: n1 sync exit $RC:" \
	"$(head -c 300 "$W/err")" >&2; rc=1; }
parse_sync
u_push=$PUSHED u_up=$UP u_down=$DOWN u_secs=$SECS u_rss=$RSS u_pulled=$PULLED
run_node "$W/n3" sync || { echo "bench_sync: n3 sync exit $RC:" \
	"$(head -c 300 "$W/err")" >&2; rc=1; }
parse_sync
d_pull=$PULLED d_up=$UP d_down=$DOWN d_secs=$SECS d_rss=$RSS
u_hwm=$(hub_hwm)
hub_stop

# ---- 2. push -------------------------------------------------------------------

"$P" -d "$W/hub2" init --name hub2 --hub --key-file "$W/hub2.key" \
	>/dev/null 2>"$W/err" || die "hub2 init: $(head -c 300 "$W/err")"
"$P" -d "$W/n2" init --name n2 --key-file "$W/n2.key" \
	>/dev/null 2>"$W/err" || die "n2 init: $(head -c 300 "$W/err")"
run_node "$W/n2" import "$W/w2.jsonl" ||
	die "n2 import: $(head -c 300 "$W/err")"
imp2=$SECS
hub_start hub2
enroll hub2 n2
hub_hwm_reset
c0=$(hub_cpu)
run_node "$W/n2" sync || { echo "bench_sync: n2 sync exit $RC:" \
	"$(head -c 300 "$W/err")" >&2; rc=1; }
p_secs=$SECS p_rss=$RSS p_cpu=$CPU
parse_sync
p_push=$PUSHED p_up=$UP p_down=$DOWN
hwm=$(hub_hwm)
hcpu=$(calc "printf \"%.2f\", $(hub_cpu) - $c0")
hub_stop
echo
echo "2. push$at (n2 imported the $ncreate records in $imp2 s," \
	"$(rate "$ncreate" "$imp2") rec/s)"
echo "   pushed $p_push records in $p_secs s: $(rate "$p_push" "$p_secs") rec/s" \
	"  [target >= $T_RATE: $(mark "$p_secs > 0 && $p_push / $p_secs >= $T_RATE")]"
echo "   wire: $(per "$p_up" "$p_push") B/record up, $(per "$p_down" "$p_push")" \
	"B/record down ($p_up B up, $p_down down)" \
	"  [target <= $T_BYTES: $(mark "$p_push > 0 && ($p_up + $p_down) / $p_push <= $T_BYTES")]"
echo "   node peak RSS $(mb "$p_rss")  [target <= 32 MB:" \
	"$(mark "$p_rss > 0 && $p_rss <= $T_RSS_KB")];  hub peak RSS $(mb "$hwm")"
echo "   CPU: node $p_cpu s, hub $hcpu s (of $p_secs s wall)"
[ "$p_push" -eq "$ncreate" ] || { echo "   WRONG: pushed $p_push," \
	"expected $ncreate"; rc=1; }

echo
echo "3. $nupd incremental updates$at (n1 imported them in $impu s;" \
	"n3's initial pull: $n3pull records in $n3secs s)"
echo "   push (n1): $u_push changes in $u_secs s: $(rate "$u_push" "$u_secs")" \
	"changes/s, $(per "$u_up" "$u_push") B/change up," \
	"$(per "$u_down" "$u_push") down; node RSS $(mb "$u_rss")" \
	"  [target <= $T_UPD_BYTES: $(mark "$u_push > 0 && ($u_up + $u_down) / $u_push <= $T_UPD_BYTES")]"
echo "   pull (n3): $d_pull changes in $d_secs s: $(rate "$d_pull" "$d_secs")" \
	"changes/s, $(per "$d_down" "$d_pull") B/change down," \
	"$(per "$d_up" "$d_pull") up; node RSS $(mb "$d_rss");" \
	"hub peak RSS $(mb "$u_hwm")" \
	"  [target <= $T_UPD_BYTES: $(mark "$d_pull > 0 && ($d_up + $d_down) / $d_pull <= $T_UPD_BYTES")]"
[ "$u_push" -eq "$nupd" ] || { echo "   WRONG: pushed $u_push," \
	"expected $nupd"; rc=1; }
[ "$d_pull" -eq "$nupd" ] || { echo "   WRONG: n3 pulled $d_pull," \
	"expected $nupd"; rc=1; }
[ "$u_pulled" -eq 0 ] || echo "   note: n1's push round also pulled" \
	"$u_pulled changes back"
exit $rc
