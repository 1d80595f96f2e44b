#!/bin/sh
# tests/e2e/test_ui_browser.sh - the web interface in a real headless
# Chromium (Debian's chromium, driven through Debian's chromedriver by
# tests/e2e/browser/wd.js): a node with a person, `presidio ui` on
# 127.0.0.1, then tests/e2e/browser/signin.js (sign-in refused and slowed,
# the home page, no cookie or storage visible to scripts, CSRF, sign-out,
# the idle end) and persons.js (search, the scheda with its history, the
# form drawn from the schema, the duplicate warning at registration) and
# usable.js (keyboard only, labels, contrast, the office PC and a 10-inch
# tablet).
# Screenshots of each screen go to $E2E_BUILD/test-output/ui/test_ui_browser/.
# e2e: plain build only
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ui_lib.sh"

ui_needs_browser

setup_node
printf '{"given_name":"Ifeoma","family_name":"Okonkwo-Nwosu","sex":"F","birth_date":"1990-03-04","nationality":"NG"}' >"$T/p.json"
pr put person <"$T/p.json"
[ "$RC" -eq 0 ] || { fail person "exit $RC ($(first_err))"; finish; }
PER=$(out_line)
pr case open --person "$PER" --region Puglia --bdi
printf '{"given_name":"Musa","family_name":"Camara","residence_permit_expiry":"%s"}' \
	"$(date -d '+20 days' +%F)" >"$T/p2.json"
pr put person <"$T/p2.json"

ui_serve "$PRESIDIO_DIR" --idle 4
ui_driver
ui_browser signin profile-signin
ui_browser persons profile-persons
ui_browser usable profile-usable
n=$(ls "$SHOTS"/*.png 2>/dev/null | wc -l)
[ "$n" -ge 10 ] && ok screenshots_saved || fail screenshots_saved "$n in $SHOTS"
assert_absent no_personal_data_in_log "$T/ui.log" Okonkwo "$E2E_PASSPHRASE"
finish
