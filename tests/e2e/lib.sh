# tests/e2e/lib.sh - helpers for the end-to-end scripts (sourced, POSIX sh).
#
# A script sources this file, calls setup_node, runs commands through `run`
# or `expect_exit`, records each test with `ok NAME` or `fail NAME REASON`
# and ends with `finish`.  Output is one line per test, "ok NAME" or
# "FAIL NAME: reason", which tests/run.sh counts.  Never call ok/fail from
# a subshell or a pipeline stage: the counts live in this shell.
#
# Provided:
#   $T              private temporary directory, removed on exit
#   $P              the presidio binary ($PRESIDIO_BIN, else build/presidio);
#                   a script that writes the test collections (test_item,
#                   ...: tests/schema/collections.h) sets E2E_TEST_SCHEMA=1
#                   before sourcing this file and gets the test build next
#                   to it (tests/presidio-test in the same build directory).
#                   Both are the e2e builds (tests/presidio-e2e, the same
#                   program whose new key slots take Argon2id's minimum
#                   cost: node/keyslot.h); a script that must run the real
#                   program as built (the package) sets E2E_REAL_BINARY=1
#   $E2E_BUILD      that build directory (its tests/tools/, ...)
#   run CMD...      run CMD: stdout in $T/out, stderr in $T/err (and appended
#                   to $T/stderr.all), status in $RC; always returns 0.  A
#                   sanitizer report or a crash is recorded as a failure.
#                   Set variables for one command with `run env VAR=x CMD`.
#   pr ARGS...      run "$P" ARGS...
#   prj JSON ARGS...  the same with the string JSON on stdin
#   expect_exit CODE CMD...   run CMD; true when its status is CODE, else
#                   false with the reason in $WHY
#   t_exit NAME CODE CMD...   expect_exit, recorded as test NAME
#   setup_node [DIR]  export PRESIDIO_DIR (default $T/node),
#                   PRESIDIO_OPERATOR, PRESIDIO_PASSPHRASE; init the node
#   db SQL...       sqlite3 on the node's database
#   jval PATH [FILE]  value at a dotted PATH of the JSON in FILE ($T/out)
#   assert_absent NAME PATH STRING...  no STRING in any file under PATH
#   bg CMD...       start CMD in the background ($BG_PID), killed at exit
#   check NAME CMD...  ok when CMD succeeds
#   out_has / err_has STRING, out_line, first_err: look at the last run
#   finish          summary; exit 1 when any test failed
#
# E2E_KEEP=1 keeps $T for a look afterwards.

set -u

E2E_SCRIPT=${0##*/}
E2E_PASS=0
E2E_FAIL=0
E2E_PIDS=
RC=0
WHY=

if [ -z "${PRESIDIO_BIN:-}" ]; then
	PRESIDIO_BIN=$(cd "$(dirname "$0")/../.." && pwd)/build/presidio
fi
E2E_BUILD=$(dirname "$PRESIDIO_BIN")
if [ "${E2E_TEST_SCHEMA:-0}" = 1 ]; then
	PRESIDIO_BIN=$E2E_BUILD/tests/presidio-test
elif [ "${E2E_REAL_BINARY:-0}" != 1 ] &&
	[ -x "$E2E_BUILD/tests/presidio-e2e" ]; then
	PRESIDIO_BIN=$E2E_BUILD/tests/presidio-e2e
fi
P=$PRESIDIO_BIN

# No setting of the caller's leaks into the tests.
unset PRESIDIO_DIR PRESIDIO_OPERATOR PRESIDIO_PASSPHRASE PRESIDIO_CONFIG \
	PRESIDIO_NEW_PASSPHRASE PRESIDIO_KEY_FILE
# Nor does this machine's configuration (/etc/presidio/presidio.conf, which
# the package test installs): every script starts from the defaults.
PRESIDIO_CONFIG=/dev/null
export PRESIDIO_CONFIG

T=$(mktemp -d "${TMPDIR:-/tmp}/presidio-e2e.XXXXXX") || {
	echo "FAIL $E2E_SCRIPT: mktemp -d failed"
	exit 1
}
: >"$T/stderr.all"

e2e_cleanup() {
	for pid in $E2E_PIDS; do
		kill -9 "$pid" 2>/dev/null
	done
	for pid in $E2E_PIDS; do
		wait "$pid" 2>/dev/null
	done
	if [ -n "${E2E_KEEP:-}" ]; then
		echo "# kept $T" >&2
	else
		rm -rf "$T"
	fi
}
trap e2e_cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT
trap 'exit 129' HUP

if [ ! -x "$P" ]; then
	echo "FAIL $E2E_SCRIPT: no executable presidio at $P"
	exit 1
fi

ok() {
	echo "ok $1"
	E2E_PASS=$((E2E_PASS + 1))
}

# fail NAME REASON...
fail() {
	f_name=$1
	shift
	echo "FAIL $f_name: $*"
	E2E_FAIL=$((E2E_FAIL + 1))
}

# check NAME CMD...: ok when CMD succeeds, else fail with $WHY (or "CMD").
check() {
	c_name=$1
	shift
	WHY=
	if "$@"; then
		ok "$c_name"
	else
		fail "$c_name" "${WHY:-$*}"
	fi
}

run() {
	"$@" >"$T/out" 2>"$T/err"
	RC=$?
	# Most commands say nothing on stderr: no cat nor grep to start
	# then (the suite is bound by the processor, and a script runs
	# hundreds of commands).
	[ ! -s "$T/err" ] || cat "$T/err" >>"$T/stderr.all"
	sanitizer_check "$@"
	return 0
}

# sanitizer_check CMD...: a sanitizer report or a crash in the last
# command is a failure of its own, with the report shown.
sanitizer_check() {
	if [ -s "$T/err" ] &&
		grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$T/err"
	then
		fail "sanitizer" "$* (exit $RC): $(grep -m1 -E 'ERROR: |runtime error:' "$T/err" | head -c 200)"
		sed -n '1,40s/^/# /p' "$T/err"
	elif [ "$RC" -gt 128 ] && [ "$RC" -lt 160 ]; then
		fail "crash" "$* killed by signal $((RC - 128))"
	fi
}

pr() {
	run "$P" "$@"
}

# prj JSON ARGS...: run "$P" ARGS... with JSON (a string) on stdin.
prj() {
	printf '%s' "$1" >"$T/in"
	shift
	run "$P" "$@" <"$T/in"
}

# first_err: the first line of the last command's stderr, for messages.
first_err() {
	sed -n '1{s/^\(.\{0,160\}\).*/\1/;p;}' "$T/err"
}

expect_exit() {
	e_code=$1
	shift
	run "$@"
	if [ "$RC" -eq "$e_code" ]; then
		WHY=
		return 0
	fi
	WHY="expected exit $e_code, got $RC ($(first_err))"
	return 1
}

t_exit() {
	t_name=$1
	shift
	if expect_exit "$@"; then
		ok "$t_name"
	else
		fail "$t_name" "$WHY"
	fi
}

# out_has STRING / err_has STRING: fixed-string search in the last output.
out_has() {
	grep -qF -- "$1" "$T/out"
}

err_has() {
	grep -qF -- "$1" "$T/err"
}

# out_line: the first line of the last command's stdout.
out_line() {
	sed -n 1p "$T/out"
}

E2E_PASSPHRASE='correct horse battery staple'

setup_node() {
	PRESIDIO_DIR=${1:-$T/node}
	PRESIDIO_OPERATOR=${PRESIDIO_OPERATOR:-alice}
	PRESIDIO_PASSPHRASE=${PRESIDIO_PASSPHRASE:-$E2E_PASSPHRASE}
	export PRESIDIO_DIR PRESIDIO_OPERATOR PRESIDIO_PASSPHRASE
	pr init --name test
	if [ "$RC" -ne 0 ]; then
		fail init "exit $RC ($(first_err))"
		finish
	fi
}

db() {
	sqlite3 -batch "$PRESIDIO_DIR/presidio.db" "$@"
}

# jval PATH [FILE]: strings printed raw, anything else as compact JSON,
# "undefined" when PATH is missing, "invalid" when FILE is not JSON.
jval() {
	node -e '
const fs = require("fs");
let v;
try { v = JSON.parse(fs.readFileSync(process.argv[2], "utf8")); }
catch (e) { process.stdout.write("invalid"); process.exit(0); }
for (const k of process.argv[1].split(".")) {
	if (k === "") continue;
	v = v === null || v === undefined ? undefined : v[k];
}
process.stdout.write(v === undefined ? "undefined" :
	typeof v === "string" ? v : JSON.stringify(v));
' "$1" "${2:-$T/out}"
}

# assert_absent NAME PATH STRING...: grep every file under PATH (a file or
# a directory) for each STRING, as bytes.
assert_absent() {
	a_name=$1
	a_path=$2
	shift 2
	a_found=
	for a_s in "$@"; do
		a_hits=$(grep -rFal -- "$a_s" "$a_path" 2>/dev/null |
			sed "s|^$T/||" | tr '\n' ' ')
		if [ -n "$a_hits" ]; then
			a_found="$a_found '$a_s' in ${a_hits% };"
		fi
	done
	if [ -z "$a_found" ]; then
		ok "$a_name"
	else
		fail "$a_name" "found${a_found%;}"
	fi
}

bg() {
	"$@" &
	BG_PID=$!
	E2E_PIDS="$E2E_PIDS $BG_PID"
}

finish() {
	echo "# $E2E_SCRIPT: $E2E_PASS ok, $E2E_FAIL failed"
	if [ "$E2E_FAIL" -gt 0 ]; then
		exit 1
	fi
	exit 0
}
