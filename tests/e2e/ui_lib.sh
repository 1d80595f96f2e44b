# tests/e2e/ui_lib.sh - helpers for the web interface's scripts (sourced
# after lib.sh).  Not a test script itself.
#
#   ui_serve DIR [ARGS...]   `presidio -d DIR ui` on a free port of
#                            127.0.0.1 with ARGS ($UI_PORT, $UI_PID; its
#                            stderr in $T/ui.log)
#   ui_unserve               stop it
#   ui_needs_browser         fail and finish unless Debian's chromium,
#                            chromedriver and node are here
#   ui_driver                chromedriver on a free port ($DRIVER_URL)
#   ui_browser SCRIPT PROFILE  node tests/e2e/browser/SCRIPT.js against
#                            $DRIVER_URL and the served node, with a fresh
#                            browser profile $T/PROFILE; each line it
#                            prints is recorded as a test
#   SHOTS                    where this script's screenshots go
#                            ($E2E_BUILD/test-output/ui/SCRIPT/, emptied
#                            by ui_needs_browser)

SHOTS=$E2E_BUILD/test-output/ui/$(basename "$0" .sh)

ui_serve() {
	u_dir=$1
	shift
	rm -f "$T/ui.port"
	"$P" -d "$u_dir" ui --port 0 --port-file "$T/ui.port" "$@" \
		2>>"$T/ui.log" &
	UI_PID=$!
	E2E_PIDS="$E2E_PIDS $UI_PID"
	i=0
	while [ ! -s "$T/ui.port" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	UI_PORT=$(cat "$T/ui.port" 2>/dev/null)
	[ -n "$UI_PORT" ] || { fail ui_start "no port ($(tail -n 3 "$T/ui.log"))"; finish; }
}

ui_unserve() {
	kill "$UI_PID" 2>/dev/null
	wait "$UI_PID" 2>/dev/null
}

ui_needs_browser() {
	if [ ! -x "${CHROMEDRIVER:-/usr/bin/chromedriver}" ] ||
		[ ! -x /usr/bin/chromium ] || ! command -v node >/dev/null; then
		fail browser "needs chromium, chromium-driver and node (README's first line installs them)"
		finish
	fi
	rm -rf "$SHOTS"
	mkdir -p "$SHOTS"
}

# A free port (chromedriver takes no port 0).
ui_free_port() {
	node -e 'const s = require("net").createServer().listen(0, "127.0.0.1",
		() => { console.log(s.address().port); s.close(); });'
}

ui_driver() {
	d_port=$(ui_free_port)
	"${CHROMEDRIVER:-/usr/bin/chromedriver}" --port="$d_port" \
		--allowed-ips=127.0.0.1 >"$T/driver.log" 2>&1 &
	E2E_PIDS="$E2E_PIDS $!"
	DRIVER_URL="http://127.0.0.1:$d_port"
	i=0
	while ! curl -s "$DRIVER_URL/status" >/dev/null 2>&1 && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

ui_browser() {
	node "$(dirname "$0")/browser/$1.js" "$DRIVER_URL" \
		"http://127.0.0.1:$UI_PORT" "$E2E_PASSPHRASE" "$SHOTS" \
		"$T/$2" >"$T/browser.out" 2>&1
	while IFS= read -r b_line; do
		case $b_line in
		"ok "*) ok "${b_line#ok }" ;;
		"FAIL "*) b_r=${b_line#FAIL }; fail "${b_r%%:*}" "${b_r#*: }" ;;
		*) echo "# $b_line" ;;
		esac
	done <"$T/browser.out"
}

# For the scripts with a hub (sourced after sync_lib.sh): a browser, the
# operator alice with the test passphrase for every command, no default
# directory, and the test CA with the hub's certificate.
ui_hub_setup() {
	ui_needs_browser
	PRESIDIO_OPERATOR=alice
	PRESIDIO_PASSPHRASE=$E2E_PASSPHRASE
	export PRESIDIO_OPERATOR PRESIDIO_PASSPHRASE
	unset PRESIDIO_DIR
	make_ca
	[ -s "$T/pki/hub.pem" ] || { fail test_ca "openssl could not make the test certificates"; finish; }
}
