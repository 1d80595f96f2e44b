# tests/e2e/sync_lib.sh - helpers for the sync scripts (sourced after
# lib.sh): a test certificate authority, a hub over TLS on 127.0.0.1, and
# nodes enrolled with it.  Not a test script itself (tests/run.sh runs
# only test_*.sh).
#
#   make_ca                      CA and a certificate for 127.0.0.1 in $T/pki
#   on DIR ARGS...               run "$P" -d DIR ARGS... (with KEYED=1,
#                                unlocked with the key file DIR.key)
#   node_init DIR NAME [ARGS]    init a node (KEYED=1: with a key file)
#   onj JSON DIR ARGS...         the same with JSON on stdin
#   start_hub [ARGS...]          init $T/hub as a hub if needed, serve it
#                                with TLS on a free port ($HUB_URL,
#                                $HUB_PID); extra ARGS go to serve
#   stop_hub
#   add_node NAME KIND REGION    register NAME at the hub, init $T/NAME,
#                                enroll it (with the test CA)

make_ca() {
	mkdir -p "$T/pki"
	(
		cd "$T/pki" || exit 1
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
			-nodes -keyout ca.key -out ca.pem -days 2 \
			-subj "/CN=Presidio test CA" >/dev/null 2>&1 &&
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
			-nodes -keyout hub.key -out hub.csr \
			-subj "/CN=127.0.0.1" >/dev/null 2>&1 &&
		printf 'subjectAltName=IP:127.0.0.1\n' >ext.cnf &&
		openssl x509 -req -in hub.csr -CA ca.pem -CAkey ca.key \
			-CAcreateserial -out hub.pem -days 2 \
			-extfile ext.cnf >/dev/null 2>&1
	)
}

on() {
	o_dir=$1
	shift
	if [ -n "${KEYED:-}" ]; then
		run env PRESIDIO_KEY_FILE="$o_dir.key" "$P" -d "$o_dir" "$@"
	else
		run "$P" -d "$o_dir" "$@"
	fi
}

onj() {
	printf '%s' "$1" >"$T/in"
	o_dir=$2
	shift 2
	on "$o_dir" "$@" <"$T/in"
}

node_init() {
	n_dir=$1
	n_name=$2
	shift 2
	if [ -n "${KEYED:-}" ]; then
		run "$P" -d "$n_dir" init --name "$n_name" \
			--key-file "$n_dir.key" "$@"
	else
		run "$P" -d "$n_dir" init --name "$n_name" "$@"
	fi
}

start_hub() {
	if [ ! -f "$T/hub/presidio.db" ]; then
		node_init "$T/hub" hub --hub
		[ "$RC" -eq 0 ] || { fail hub_init "exit $RC ($(first_err))";
			finish; }
	fi
	rm -f "$T/hub.port"
	${KEYED:+env PRESIDIO_KEY_FILE="$T/hub.key"} \
		"$P" -d "$T/hub" hub serve --cert "$T/pki/hub.pem" \
		--key "$T/pki/hub.key" --listen 127.0.0.1 --port 0 \
		--port-file "$T/hub.port" "$@" 2>>"$T/hub.log" &
	HUB_PID=$!
	E2E_PIDS="$E2E_PIDS $HUB_PID"
	i=0
	while [ ! -s "$T/hub.port" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	HUB_PORT=$(cat "$T/hub.port" 2>/dev/null)
	HUB_URL="https://127.0.0.1:$HUB_PORT"
	[ -n "$HUB_PORT" ] || { fail hub_start "no port ($(tail -n 3 "$T/hub.log"))";
		finish; }
}

stop_hub() {
	kill "$HUB_PID" 2>/dev/null
	wait "$HUB_PID" 2>/dev/null
}

add_node() {
	on "$T/hub" hub node add "$1" --kind "$2" --region "$3"
	a_token=$(cat "$T/out")
	node_init "$T/$1" "$1"
	PRESIDIO_TOKEN=$a_token
	export PRESIDIO_TOKEN
	on "$T/$1" enroll --hub "$HUB_URL" --ca "$T/pki/ca.pem"
	unset PRESIDIO_TOKEN
}
