#!/bin/sh
# tests/e2e/test_config.sh - the settings end to end: presidio.conf, then
# the environment, then -c, then a command's own flag, each shown by
# `presidio config` with where it came from and obeyed by the servers;
# a bad file refused at start with its line; a service's unlock from a
# systemd credential; log lines with journald priorities and event names
# when stderr is the journal's stream.
. "$(dirname "$0")/lib.sh"

CONF=$T/presidio.conf

# conf_value KEY: the value `presidio config` printed for KEY ($T/out).
conf_value() {
	sed -n "s/^$1 *= \([^ ]*\) *#.*/\1/p" "$T/out"
}

# conf_source KEY: where it came from.
conf_source() {
	sed -n "s/^$1 *= [^#]*# \(.*\)/\1/p" "$T/out"
}

# free_port: a port nobody listens on now (the kernel's pick, released).
free_port() {
	node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close();});'
}

# ui_port_with ARGS...: start `presidio ARGS... ui --port-file` on a node,
# print the port it listens on, stop it.
ui_port_with() {
	rm -f "$T/port"
	"$P" "$@" ui --port-file "$T/port" 2>"$T/ui.err" &
	u_pid=$!
	E2E_PIDS="$E2E_PIDS $u_pid"
	i=0
	while [ ! -s "$T/port" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	cat "$T/port" 2>/dev/null
	kill "$u_pid" 2>/dev/null
	wait "$u_pid" 2>/dev/null
}

setup_node

# ---- precedence --------------------------------------------------------

cat >"$CONF" <<EOF
# a node
ui.port = 9001
log.level = warn

ui.idle = 30m
sync.interval = 2m
EOF
run env PRESIDIO_CONFIG="$CONF" "$P" config
check config_file_value [ "$(conf_value ui.port)" = 9001 ]
check config_file_source [ "$(conf_source ui.port)" = "$CONF:2" ]
check config_file_line_5 [ "$(conf_source ui.idle)" = "$CONF:5" ]
check config_default_source \
	[ "$(conf_source hub.port)" = "default (built in)" ]
check config_env_dir [ "$(conf_value dir)|$(conf_source dir)" = \
	"$PRESIDIO_DIR|PRESIDIO_DIR" ]
run env PRESIDIO_CONFIG="$CONF" PRESIDIO_UI_PORT=9002 "$P" config
check config_env_over_file [ "$(conf_value ui.port)" = 9002 ]
check config_env_source [ "$(conf_source ui.port)" = PRESIDIO_UI_PORT ]
run env PRESIDIO_CONFIG="$CONF" PRESIDIO_UI_PORT=9002 "$P" -c ui.port=9003 \
	config
check config_arg_over_env [ "$(conf_value ui.port)" = 9003 ]
check config_arg_source [ "$(conf_source ui.port)" = "command line -c" ]
run "$P" --config "$CONF" --dir "$T/other" config
check config_flag_file [ "$(conf_value ui.port)" = 9001 ]
check config_dir_flag [ "$(conf_value dir)" = "$T/other" ]
check config_dir_flag_source [ "$(conf_source dir)" = "command line --dir" ]
run "$P" --config "$CONF" config --json
# (Keys hold dots: read with node, not jval.)
got=$(node -e 'const j=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));
console.log(j["ui.port"].value + "|" + j["ui.port"].source + "|" + j["hub.url"].value);' "$T/out")
check config_json [ "$got" = "9001|$CONF:2|null" ]

# The server obeys: file, then environment, then its own flag.
p1=$(free_port)
p2=$(free_port)
p3=$(free_port)
sed -i "s/^ui.port = .*/ui.port = $p1/" "$CONF"
got=$(ui_port_with --config "$CONF")
check config_ui_listens_on_file_port [ "$got" = "$p1" ]
got=$(PRESIDIO_UI_PORT=$p2 ui_port_with --config "$CONF")
check config_ui_listens_on_env_port [ "$got" = "$p2" ]
got=$(PRESIDIO_UI_PORT=$p2 ui_port_with --config "$CONF" -c ui.port=$p3)
check config_ui_listens_on_arg_port [ "$got" = "$p3" ]

# ---- refusals ------------------------------------------------------------

bad_conf() {
	printf '%s' "$2" >"$T/bad.conf"
	run "$P" --config "$T/bad.conf" status
	if [ "$RC" -eq 2 ] && err_has "$T/bad.conf:$3" && err_has "$4"; then
		ok "$1"
	else
		fail "$1" "exit $RC: $(first_err)"
	fi
}
bad_conf config_unknown_key 'ui.port = 9000
# fine
ui.prot = 9001
' 3 "unknown key 'ui.prot'"
bad_conf config_bad_number 'ui.port = 70000
' 1 "'ui.port': not a whole number from 0 to 65535"
bad_conf config_bad_duration 'ui.idle = 5 minutes
' 1 "'ui.idle': not a duration"
bad_conf config_bad_choice 'log.level = chatty
' 1 "'log.level': one of debug|info|warn|error"
bad_conf config_bad_address 'hub.listen = example.org
' 1 "'hub.listen': not an IPv4 or IPv6 address"
bad_conf config_bad_url 'hub.url = ftp://hub
' 1 "'hub.url': not an https:// or http:// URL"
bad_conf config_twice 'ui.port = 9000
ui.port = 9001
' 2 "'ui.port' already set on line 1"
bad_conf config_no_equals 'ui.port 9000
' 1 "not 'key = value'"
run "$P" --config "$T/missing.conf" status
check config_named_file_missing [ "$RC" -eq 2 ]
check config_named_file_missing_said err_has missing.conf
run env PRESIDIO_UI_PORT=port "$P" status
if [ "$RC" -eq 2 ] && err_has PRESIDIO_UI_PORT; then
	ok config_bad_env_named
else
	fail config_bad_env_named "exit $RC: $(first_err)"
fi
run "$P" -c ui.prot=1 status
check config_bad_arg [ "$RC" -eq 2 ]
check config_bad_arg_said err_has "unknown key 'ui.prot'"
run "$P" -c ui.port status
check config_arg_without_value [ "$RC" -eq 2 ]
# help and version answer whatever the settings.
run "$P" --config "$T/bad.conf" help
check config_help_despite_bad [ "$RC" -eq 0 ]
run "$P" --config "$T/bad.conf" --version
check config_version_despite_bad [ "$RC" -eq 0 ]

# ---- a service's unlock: the systemd credential --------------------------

pr operator add service --key-file "$T/service.key"
check config_service_operator [ "$RC" -eq 0 ]
mkdir -p "$T/creds"
mv "$T/service.key" "$T/creds/presidio.key"
chmod 400 "$T/creds/presidio.key"
run env -u PRESIDIO_PASSPHRASE CREDENTIALS_DIRECTORY="$T/creds" \
	PRESIDIO_OPERATOR=service "$P" verify
check config_credential_unlocks [ "$RC" -eq 0 ]
run env -u PRESIDIO_PASSPHRASE CREDENTIALS_DIRECTORY="$T/creds" "$P" config
check config_credential_source \
	[ "$(conf_source key_file)" = "default (systemd credential)" ]
# No credential, no passphrase: nothing unlocks.
run env -u PRESIDIO_PASSPHRASE CREDENTIALS_DIRECTORY="$T/nocreds" \
	PRESIDIO_OPERATOR=service "$P" verify
check config_no_credential_no_unlock [ "$RC" -ne 0 ]
# `operator add --key-file -` writes the key to a pipe, never to a file.
run sh -c "'$P' operator add service2 --key-file - | od -An -tx1 | wc -w"
check config_key_to_pipe [ "$RC.$(tr -d ' ' <"$T/out")" = 0.32 ]
check config_key_to_pipe_no_file [ ! -e ./- ]

# ---- logs: the journal's priorities and event names ----------------------

# stderr is a file whose device and inode JOURNAL_STREAM names, as
# systemd sets them for a service whose output goes to the journal.
: >"$T/journal"
js=$(stat -c '%d:%i' "$T/journal")
env JOURNAL_STREAM="$js" PRESIDIO_PASSPHRASE=wrong-wrong-wrong "$P" verify \
	>/dev/null 2>>"$T/journal"
env JOURNAL_STREAM="$js" "$P" verify >/dev/null 2>>"$T/journal"
check config_journal_warning_priority grep -q '^<4>unlock.refused: ' \
	"$T/journal"
check config_journal_info_priority grep -q '^<6>verify.passed: ' \
	"$T/journal"
# The journal is the log: no line of these went to the node's log file.
check config_journal_not_in_file sh -c \
	"! grep -q 'unlock.refused' '$PRESIDIO_DIR/presidio.log'"
# Without the journal, the file has the same events, named.
env PRESIDIO_PASSPHRASE=wrong-wrong-wrong "$P" verify >/dev/null 2>&1
check config_log_file_event grep -q ' warn \[[0-9]*\] unlock.refused: ' \
	"$PRESIDIO_DIR/presidio.log"
# A variable naming another stream (a child of a service) is not the
# journal.
env JOURNAL_STREAM=1:1 PRESIDIO_PASSPHRASE=wrong-wrong-wrong "$P" verify \
	>/dev/null 2>"$T/notjournal"
check config_journal_stream_checked sh -c "! grep -q '^<4>' '$T/notjournal'"
# log.level: info lines dropped at warn.
: >"$T/journal"
js=$(stat -c '%d:%i' "$T/journal")
env JOURNAL_STREAM="$js" "$P" -c log.level=warn verify >/dev/null \
	2>>"$T/journal"
check config_log_level_obeyed sh -c "! grep -q 'verify.passed' '$T/journal'"
finish
