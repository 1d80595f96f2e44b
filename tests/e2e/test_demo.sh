#!/bin/sh
# tests/e2e/test_demo.sh - `make demo`, the README's first command, runs to
# its end (packaging/demo.sh with fewer synthetic people) and shows what
# it promises: the whole BdI procedure, a duplicate refused, a write out
# of scope refused by the hub, the cap conflict from two offline nodes
# and its settling, the report, no name on disk.  Each promise is a line
# the demo prints; a step that fails stops the demo (set -e) and fails
# this test.
# e2e: plain build only (the sanitizer build runs the same commands
# through test_bdi.sh and test_budget.sh)
. "$(dirname "$0")/lib.sh"

if ! command -v openssl >/dev/null; then
	fail demo "openssl missing"
	finish
fi
PRESIDIO_BIN=$P DEMO_PERSONS=40 sh "$(dirname "$0")/../../packaging/demo.sh" \
	>"$T/out" 2>"$T/err"
RC=$?
cat "$T/err" >>"$T/stderr.all"
sanitizer_check demo.sh
check "demo runs to its end" [ "$RC" -eq 0 ]
[ "$RC" -eq 0 ] || sed -n '1,30s/^/# /p' "$T/err"
all="$T/all"
cat "$T/out" "$T/err" >"$all"
has() { grep -qF -- "$1" "$all"; }
check "duplicate person refused" has "persona NON registrata"
check "polo may not validate" has "spetta a"
check "out-of-scope write refused by the hub" has "outside this node's scope"
check "take-charge refused without profile and plan" has "manca: la scheda profilo di entrata"
check "cap conflict after offline expenses" has "CONFLITTO APERTO sul tetto della dote"
check "conflicts settled everywhere" has "no open conflicts"
check "procedure reaches follow-up" has "Procedura BdI: Follow-up"
check "report printed" has 'tabella;titolo'
check "no name on disk" has "nessun file contiene"
finish
