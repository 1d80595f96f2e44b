#!/bin/sh
# tests/e2e/test_ui_roles.sh - roles, break-the-glass and the audit trail
# in the web interface, in a real headless Chromium
# (tests/e2e/browser/roles.js): a mediatore sees reserved fields marked
# and never their values, opens them with a reason, and the coordinatore
# sees that access flagged in the Registro accessi.  The API's answers
# are checked by test_roles.sh.
# e2e: plain build only
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ui_lib.sh"

ui_needs_browser

setup_node
prj '{"given_name":"Amina","family_name":"Diallo","notes":"NOTA-COLLOQUIO",
"vulnerabilities":["VULN-SALUTE"],"special_notes":"NOTA-RISERVATA"}' put person
[ "$RC" -eq 0 ] || { fail person "exit $RC ($(first_err))"; finish; }
run env "PRESIDIO_NEW_PASSPHRASE=$E2E_PASSPHRASE" "$P" operator add mario \
	--role mediatore
[ "$RC" -eq 0 ] || { fail mario "exit $RC ($(first_err))"; finish; }

ui_serve "$PRESIDIO_DIR" --idle 60
ui_driver
ui_browser roles profile-roles
assert_absent no_personal_data_in_log "$T/ui.log" Diallo NOTA-RISERVATA \
	"$E2E_PASSPHRASE"
finish
