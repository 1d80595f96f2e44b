#!/bin/sh
# tests/packaging/test_units_syscalls.sh - the system calls the services
# make are the ones their units let through.
#
# The units (packaging/systemd/*.service) filter system calls
# (SystemCallFilter=@system-service, then ~@privileged @resources); a call
# outside fails with EPERM, and a service that needs it would fail in the
# field, where no test here runs it under systemd (the CI machine has no
# systemd as PID 1).  So the services' work runs here under strace: a hub
# serving (enroll, hello, push, pull, /metrics), a node's sync --watch
# rounds, its web interface (sign-in, a page, /metrics); every call any of
# their threads made is then checked against the unit's filter, expanded
# by systemd-analyze syscall-filter as systemd expands it.
# e2e: plain build only
# The program as built, at the real key-derivation cost.
E2E_REAL_BINARY=1
. "$(dirname "$0")/../e2e/lib.sh"
. "$(dirname "$0")/../e2e/sync_lib.sh"

top=$(cd "$(dirname "$0")/../.." && pwd)
for tool in strace systemd-analyze; do
	command -v "$tool" >/dev/null 2>&1 || {
		fail "syscalls_tool_$tool" "$tool is not installed"
		finish
	}
done

# expand ITEM...: syscall names, groups (@name) expanded recursively.
expand() {
	for item in "$@"; do
		case $item in
		@*) systemd-analyze syscall-filter "$item" 2>/dev/null |
			sed -n '2,$s/^ *\([@a-z0-9_-]*\)$/\1/p' |
			while IFS= read -r sub; do
				[ -n "$sub" ] && expand "$sub"
			done ;;
		*) printf '%s\n' "$item" ;;
		esac
	done
}

# allowed UNIT: the calls UNIT lets through, one a line, sorted.
allowed() {
	: >"$T/allow"
	: >"$T/deny"
	sed -n 's/^SystemCallFilter=//p' "$1" | while IFS= read -r line; do
		case $line in
		~*) expand ${line#\~} >>"$T/deny" ;;
		*) expand $line >>"$T/allow" ;;
		esac
	done
	sort -u "$T/allow" >"$T/allow.s"
	sort -u "$T/deny" >"$T/deny.s"
	comm -23 "$T/allow.s" "$T/deny.s"
}

# used TRACE...: the calls strace saw, one a line, sorted.
used() {
	cat "$@" | grep -v 'resumed>' |
		sed -n 's/^[0-9][0-9]* *\([a-z0-9_]*\)(.*/\1/p' | sort -u
}

# traced NAME KEYFILE ARGS...: presidio ARGS under strace as the user
# $RUN_AS (strace -u: the switch of user is not in the trace), every
# thread, into $T/NAME.trace, unlocking with KEYFILE ("-": none) as a
# service's credential would.
traced() {
	t_name=$1
	t_key=$2
	shift 2
	if [ "$t_key" = - ]; then
		strace -f -qq -u "$RUN_AS" -o "$T/$t_name.trace" "$REAL_P" "$@"
	else
		strace -f -qq -u "$RUN_AS" -o "$T/$t_name.trace" \
			-E PRESIDIO_KEY_FILE="$t_key" "$REAL_P" "$@"
	fi
}

# check_unit UNIT TRACE...: every call of TRACE allowed by UNIT.
check_unit() {
	c_unit=$1
	shift
	allowed "$top/packaging/systemd/$c_unit" >"$T/$c_unit.allowed"
	used "$@" >"$T/$c_unit.used"
	if [ ! -s "$T/$c_unit.allowed" ] || [ ! -s "$T/$c_unit.used" ]; then
		fail "syscalls_$c_unit" "nothing to compare (filter or trace empty)"
		return
	fi
	missing=$(comm -23 "$T/$c_unit.used" "$T/$c_unit.allowed" | tr '\n' ' ')
	if [ -z "$missing" ]; then
		ok "syscalls_$c_unit"
	else
		fail "syscalls_$c_unit" "not allowed by the unit: $missing"
	fi
}

# As a service, not as root: root makes calls a service user does not
# (SQLite gives a new journal its database's owner with fchown only when
# it runs as root).  Every command of the test runs as nobody, through a
# wrapper; the files are nobody's.
if [ "$(id -u)" -ne 0 ]; then
	fail syscalls_root "needs root (to run the services as another user)"
	finish
fi
RUN_AS=nobody
REAL_P=$P
P=$T/presidio-as-$RUN_AS
printf '#!/bin/sh\nexec runuser -u %s -- %s "$@"\n' "$RUN_AS" "$REAL_P" >"$P"
chmod 755 "$P"
chown "$RUN_AS" "$T"
chmod 755 "$T"

KEYED=1
PRESIDIO_OPERATOR=alice
export PRESIDIO_OPERATOR
unset PRESIDIO_DIR PRESIDIO_PASSPHRASE
make_ca
chmod -R a+rX "$T/pki"

# ---- the hub, traced --------------------------------------------------------

node_init "$T/hub" helpdesk --hub
check syscalls_hub_init [ "$RC" -eq 0 ]
bg traced hub "$T/hub.key" -d "$T/hub" hub serve \
	--cert "$T/pki/hub.pem" --key "$T/pki/hub.key" --listen 127.0.0.1 \
	--port 0 --port-file "$T/hub.port"
HUB_TRACER=$BG_PID
i=0
while [ ! -s "$T/hub.port" ] && [ $i -lt 200 ]; do
	sleep 0.1
	i=$((i + 1))
done
HUB_URL="https://127.0.0.1:$(cat "$T/hub.port")"
check syscalls_hub_started [ -s "$T/hub.port" ]
add_node polo-a polo Puglia
onj '{"given_name":"Amina","family_name":"Diallo","birth_date":"1990-04-01","sex":"F","nationality":"ML"}' \
	"$T/polo-a" put person
check syscalls_node_put [ "$RC" -eq 0 ]

# ---- the node's sync --watch, traced -----------------------------------------

traced sync "$T/polo-a.key" -d "$T/polo-a" sync --watch 1 --rounds 2 \
	>"$T/sync.out" 2>&1
check syscalls_sync_rounds grep -q "pushed 1" "$T/sync.out"

# ---- the node's web interface, traced ----------------------------------------

bg traced ui - -d "$T/polo-a" ui --port 0 --port-file "$T/ui.port"
UI_TRACER=$BG_PID
i=0
while [ ! -s "$T/ui.port" ] && [ $i -lt 200 ]; do
	sleep 0.1
	i=$((i + 1))
done
UI="http://127.0.0.1:$(cat "$T/ui.port")"
curl -sS -o /dev/null -H 'Content-Type: application/json' -H "Origin: $UI" \
	-c "$T/jar" -d "{\"operator\":\"bob\",\"passphrase\":\"not the one\"}" \
	"$UI/api/session"
for path in / /metrics /api/status; do
	curl -sS -o /dev/null "$UI$path"
done
curl -sS -o /dev/null --cacert "$T/pki/ca.pem" "$HUB_URL/metrics"
check syscalls_ui_served [ -s "$T/ui.port" ]

# Stop both the way systemd does (SIGTERM to the program, not to strace),
# so that their shutdown is in the trace too; strace ends with them.
for tracer in "$UI_TRACER" "$HUB_TRACER"; do
	for st in $(pgrep -P "$tracer"); do
		for prog in $(pgrep -P "$st"); do
			kill -TERM "$prog" 2>/dev/null
		done
	done
done
i=0
while { kill -0 "$UI_TRACER" || kill -0 "$HUB_TRACER"; } 2>/dev/null &&
	[ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
check syscalls_services_stopped_on_sigterm [ $i -lt 100 ]

check_unit presidio-hub.service "$T/hub.trace"
check_unit presidio-sync.service "$T/sync.trace"
check_unit presidio-ui.service "$T/ui.trace"
finish
