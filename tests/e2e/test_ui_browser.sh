#!/bin/sh
# tests/e2e/test_ui_browser.sh - the web interface in a real headless
# Chromium (Debian's chromium, driven through Debian's chromedriver by
# tests/e2e/browser/wd.js): a node with a person, `presidio ui` on
# 127.0.0.1, then tests/e2e/browser/signin.js (sign-in refused and slowed,
# the home page, no cookie or storage visible to scripts, CSRF, sign-out,
# the idle end) and persons.js (search, the scheda with its history, the
# form drawn from the schema, the duplicate warning at registration).  Screenshots of each screen go to
# $E2E_BUILD/test-output/ui/.
# e2e: plain build only
. "$(dirname "$0")/lib.sh"

DRIVER=${CHROMEDRIVER:-/usr/bin/chromedriver}
if [ ! -x "$DRIVER" ] || [ ! -x /usr/bin/chromium ] || ! command -v node >/dev/null; then
	fail browser "needs chromium, chromium-driver and node (README's first line installs them)"
	finish
fi
SHOTS=$E2E_BUILD/test-output/ui
rm -rf "$SHOTS"
mkdir -p "$SHOTS"

setup_node
printf '{"given_name":"Ifeoma","family_name":"Okonkwo-Nwosu","sex":"F","birth_date":"1990-03-04","nationality":"NG"}' >"$T/p.json"
pr put person <"$T/p.json"
[ "$RC" -eq 0 ] || { fail person "exit $RC ($(first_err))"; finish; }

# A free port for chromedriver (it takes no port 0).
free_port() {
	node -e 'const s = require("net").createServer().listen(0, "127.0.0.1",
		() => { console.log(s.address().port); s.close(); });'
}

"$P" -d "$PRESIDIO_DIR" ui --port 0 --port-file "$T/ui.port" --idle 4 \
	2>>"$T/ui.log" &
E2E_PIDS="$E2E_PIDS $!"
dport=$(free_port)
"$DRIVER" --port="$dport" --allowed-ips=127.0.0.1 >"$T/driver.log" 2>&1 &
E2E_PIDS="$E2E_PIDS $!"
i=0
while { [ ! -s "$T/ui.port" ] ||
	! curl -s "http://127.0.0.1:$dport/status" >/dev/null 2>&1; } &&
	[ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
[ -s "$T/ui.port" ] || { fail ui_start "$(tail -n 3 "$T/ui.log")"; finish; }

for js in signin persons; do
	node "$(dirname "$0")/browser/$js.js" "http://127.0.0.1:$dport" \
		"http://127.0.0.1:$(cat "$T/ui.port")" "$E2E_PASSPHRASE" \
		"$SHOTS" "$T/profile-$js" >>"$T/browser.out" 2>&1
done
# Each line of the browser's run is one test.
while IFS= read -r line; do
	case $line in
	"ok "*) ok "${line#ok }" ;;
	"FAIL "*) r=${line#FAIL }; fail "${r%%:*}" "${r#*: }" ;;
	*) echo "# $line" ;;
	esac
done <"$T/browser.out"
n=$(ls "$SHOTS"/*.png 2>/dev/null | wc -l)
[ "$n" -ge 10 ] && ok screenshots_saved || fail screenshots_saved "$n in $SHOTS"
assert_absent no_personal_data_in_log "$T/ui.log" Okonkwo "$E2E_PASSPHRASE"
finish
