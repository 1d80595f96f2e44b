#!/bin/sh
# tests/e2e/test_ui_review.sh - a conflict made on two nodes and settled in
# the web interface's review queue ("Da rivedere"), in a real headless
# Chromium: a TLS hub, polo-a (its operator signs in with a passphrase)
# and polo-b (a key file); both edit one person's phone offline, sync, and
# polo-a's queue shows the two values side by side with who wrote each and
# where.  One click keeps polo-b's; after sync no conflict is left on any
# replica and each holds that value.  Then a case through the BdI
# procedure on the web: found from the person's scheda, the next step
# taken with one click, the Helpdesk's steps that follow shown without a
# button for this role, and the step on the hub after sync.
# Screenshots go to $E2E_BUILD/test-output/ui/test_ui_review/.
# e2e: plain build only
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sync_lib.sh"
. "$(dirname "$0")/ui_lib.sh"

ui_hub_setup
KEYED=1
start_hub
add_node polo-b polo Puglia
[ "$RC" -eq 0 ] || { fail enroll_polo_b "exit $RC ($(first_err))"; finish; }
# polo-a by hand: the hub's command with its key file, the node's with a
# passphrase.
on "$T/hub" hub node add polo-a --kind polo --region Puglia
PRESIDIO_TOKEN=$(cat "$T/out")
export PRESIDIO_TOKEN
KEYED=
node_init "$T/polo-a" polo-a
on "$T/polo-a" enroll --hub "$HUB_URL" --ca "$T/pki/ca.pem"
unset PRESIDIO_TOKEN
[ "$RC" -eq 0 ] || { fail enroll_polo_a "exit $RC ($(first_err))"; finish; }

# a ARGS / b ARGS: presidio on polo-a (passphrase) or polo-b (key file).
a() { KEYED= on "$T/polo-a" "$@"; }
b() { KEYED=1 on "$T/polo-b" "$@"; }

printf '{"given_name":"Kofi","family_name":"Mensah","phone":"+39 320 0000001"}' >"$T/in"
a put person <"$T/in"
PERSON=$(out_line)
printf '{"person_id":"%s","region":"Puglia","stage":"intake","nodes":["polo-a","polo-b"]}' "$PERSON" >"$T/in"
a put case <"$T/in"
a sync
b sync
b get "$PERSON"
[ "$RC" -eq 0 ] && ok person_on_both || fail person_on_both "exit $RC ($(first_err))"

# Offline on both: each writes the phone.
printf '{"phone":"+39 320 1111111"}' >"$T/in"
a put person "$PERSON" <"$T/in"
printf '{"phone":"+39 320 2222222"}' >"$T/in"
b put person "$PERSON" <"$T/in"
a sync
b sync
a sync
a conflicts --json
[ "$RC" -eq 0 ] && grep -q '"field":"phone"' "$T/out" && ok conflict_made ||
	fail conflict_made "exit $RC $(head -c 300 "$T/out")"

ui_serve "$T/polo-a"
ui_driver
ui_browser review profile-review

# ---- a case through the procedure, on the web ----------------------------
a case open --person "$PERSON" --region Puglia --bdi
BDI=$(out_line)
[ "$RC" -eq 0 ] && [ -n "$BDI" ] && ok bdi_case_opened || fail bdi_case_opened "exit $RC ($(first_err))"
ui_browser case profile-case
a case show "$BDI" --json
grep -q '"stage": *"submitted"' "$T/out" && ok step_stored ||
	fail step_stored "$(grep -o '"stage": *"[a-z_]*"' "$T/out" | head -1)"

# "Sincronizza ora": the step just taken goes to the hub from the page.
ui_browser sync profile-sync

# The choice reaches every replica; no conflict is left anywhere.
a sync
b sync
a sync
for n in polo-a polo-b hub; do
	if [ "$n" = polo-a ]; then a get "$PERSON"; else KEYED=1 on "$T/$n" get "$PERSON"; fi
	grep -q '2222222' "$T/out" || WHY="$WHY $n:value"
	if [ "$n" = polo-a ]; then a conflicts --json; else KEYED=1 on "$T/$n" conflicts --json; fi
	grep -q '"field"' "$T/out" && WHY="$WHY $n:conflict"
done
[ -z "${WHY:-}" ] && ok settled_everywhere || fail settled_everywhere "$WHY"
KEYED=1 on "$T/hub" case show "$BDI" --json
grep -q '"stage": *"submitted"' "$T/out" && ok step_reached_hub ||
	fail step_reached_hub "exit $RC $(head -c 200 "$T/out")"
# The hub down: the page says so, and nothing is lost (a change made
# after the last round is still waiting to go).
printf '{"phone":"+39 320 3333333"}' >"$T/in"
a put person "$PERSON" <"$T/in"
a status --json
pending=$(jval sync.pending "$T/out")
stop_hub
SYNC_PHASE=offline
export SYNC_PHASE
ui_browser sync profile-offline
a status --json
[ "$pending" -ge 1 ] && [ "$(jval sync.pending "$T/out")" = "$pending" ] &&
	ok nothing_lost_offline ||
	fail nothing_lost_offline "pending $pending then $(jval sync.pending "$T/out")"
assert_absent no_personal_data_in_log "$T/ui.log" Mensah 2222222 "$E2E_PASSPHRASE"
finish
