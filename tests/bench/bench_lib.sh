# tests/bench/bench_lib.sh - what the sync benchmarks share (sourced by
# bench_sync.sh and bench_many.sh after they set P, the presidio binary,
# gen, the workload generator, and BENCH_NAME): their prerequisites
# checked, a private work directory $W removed at exit with the
# processes in $PIDS, a private copy of the binary, the test CA, hubs
# served over TLS on a free port, and the hub's CPU and peak memory from
# /proc.  Not a benchmark itself.

die() {
	echo "$BENCH_NAME: $*" >&2
	exit 1
}

# now: seconds since the epoch, with nanoseconds.
now() { date +%s.%N; }

# calc EXPR: awk arithmetic, printed as given by the format in EXPR.
calc() { awk "BEGIN { $1 }"; }

mb() { calc "printf \"%.1f MB\", $1 / 1024"; }

# What both need: the binary, node with the workload generator ($gen),
# and openssl for the test CA.
[ -x "$P" ] || die "no $P (run 'make')"
for t in node openssl; do
	command -v $t >/dev/null 2>&1 || die "needs $t"
done
[ -f "$gen" ] || die "no $gen"

W=$(mktemp -d "${TMPDIR:-/tmp}/presidio-$BENCH_NAME.XXXXXX") || exit 1
PIDS=
# shellcheck disable=SC2317 # (called from the trap)
bench_cleanup() {
	for p in $PIDS; do
		kill "$p" 2>/dev/null
	done
	for p in $PIDS; do
		wait "$p" 2>/dev/null
	done
	rm -rf "$W"
}
trap bench_cleanup EXIT
trap 'exit 130' INT TERM HUP

# A private copy: a rebuild during the run must not swap the binary.
cp "$P" "$W/presidio" || exit 1
P=$W/presidio

unset PRESIDIO_DIR PRESIDIO_PASSPHRASE PRESIDIO_NEW_PASSPHRASE \
	PRESIDIO_TOKEN PRESIDIO_KEY_FILE
PRESIDIO_OPERATOR=bench
export PRESIDIO_OPERATOR

# The same test CA and hub certificate as the end-to-end tests, in $W/pki.
bench_ca() {
	. "$top/tests/e2e/sync_lib.sh"
	T=$W
	make_ca || die "openssl could not make the test certificates"
}

# hub_start NAME [ARGS...]: serve $W/NAME (unlocked with $W/NAME.key) over
# TLS on a free port, with ARGS: $HUB_PID, $HUB_URL.
hub_start() {
	h_name=$1
	shift
	rm -f "$W/$h_name.port"
	env PRESIDIO_KEY_FILE="$W/$h_name.key" "$P" -d "$W/$h_name" hub serve \
		--cert "$W/pki/hub.pem" --key "$W/pki/hub.key" \
		--listen 127.0.0.1 --port 0 --port-file "$W/$h_name.port" "$@" \
		>"$W/$h_name.log" 2>&1 &
	HUB_PID=$!
	PIDS="$PIDS $HUB_PID"
	i=0
	while [ ! -s "$W/$h_name.port" ] && [ $i -lt 100 ] &&
		kill -0 "$HUB_PID" 2>/dev/null; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -s "$W/$h_name.port" ] ||
		die "hub $h_name did not start: $(tail -n 3 "$W/$h_name.log")"
	HUB_URL="https://127.0.0.1:$(cat "$W/$h_name.port")"
}

# hub_stop: stop $HUB_PID.
hub_stop() {
	kill "$HUB_PID" 2>/dev/null
	wait "$HUB_PID" 2>/dev/null
}

# hub_hwm: the hub's peak RSS in KB; hub_hwm_reset: start a new peak.
hub_hwm() {
	awk '/^VmHWM:/ { print $2 }' "/proc/$HUB_PID/status" 2>/dev/null ||
		echo 0
}
hub_hwm_reset() { echo 5 >"/proc/$HUB_PID/clear_refs" 2>/dev/null; }

# hub_cpu: the hub's user + system seconds so far.
hub_cpu() {
	awk -v hz="$(getconf CLK_TCK 2>/dev/null || echo 100)" \
		'{ sub(/^.*\) /, ""); printf "%.2f", ($12 + $13) / hz }' \
		"/proc/$HUB_PID/stat" 2>/dev/null || echo 0
}
