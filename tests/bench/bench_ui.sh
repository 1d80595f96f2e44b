#!/bin/sh
# tests/bench/bench_ui.sh - the web interface's latency on a node holding
# a workload (tests/bench/run.sh passes the 50,000 persons of the search
# benchmark): a fresh node, the workload imported through the command
# line, `presidio ui` on a free port of 127.0.0.1, then
# tests/bench/bench_ui.js.  Figures on stdout.
#
#   sh tests/bench/bench_ui.sh BUILD_DIR WORKLOAD.jsonl
set -u

build=$1
workload=$2
bin=$build/presidio
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/presidio-bench-ui.XXXXXX") || exit 1
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PRESIDIO_DIR=$work/node
PRESIDIO_OPERATOR=bench
PRESIDIO_PASSPHRASE='bench passphrase for the web interface'
export PRESIDIO_DIR PRESIDIO_OPERATOR PRESIDIO_PASSPHRASE
"$bin" init --name bench-ui >/dev/null 2>"$work/err" &&
	"$bin" import "$workload" >"$work/import" 2>>"$work/err" || {
	echo "bench_ui: the node could not be made: $(head -c 300 "$work/err")" >&2
	exit 1
}
"$bin" ui --port 0 --port-file "$work/port" 2>>"$work/err" &
pid=$!
i=0
while [ ! -s "$work/port" ] && [ $i -lt 200 ]; do
	sleep 0.1
	i=$((i + 1))
done
[ -s "$work/port" ] || { echo "bench_ui: no server ($(tail -n 3 "$work/err"))" >&2; exit 1; }
echo
node "$here/bench_ui.js" "http://127.0.0.1:$(cat "$work/port")" bench \
	"$PRESIDIO_PASSPHRASE" "$workload"
