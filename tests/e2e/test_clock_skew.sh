#!/bin/sh
# tests/e2e/test_clock_skew.sh - a field laptop whose clock is two hours
# behind: a real node run under libfaketime (`faketime -f -2h`, Debian
# package faketime) syncs with a real hub over TLS.  The hub refuses its
# first request as stale with its own time, signed; the node signs again
# with the corrected time in the same run, says how far off its clock is,
# and `presidio status` says it too.  Records keep the node's own clock.
#
# The test certificates are made with openssl run a day in the past, so
# that they are valid both for the hub (real time) and for the node two
# hours behind: TLS checks notBefore against the faked clock.
# DONT_FAKE_MONOTONIC keeps curl's timeouts on the real monotonic clock.
# Under AddressSanitizer libfaketime comes before the sanitizer runtime in
# the list of preloaded libraries: verify_asan_link_order=0 lets it run.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sync_lib.sh"

PRESIDIO_OPERATOR=alice
PRESIDIO_PASSPHRASE=$E2E_PASSPHRASE
export PRESIDIO_OPERATOR PRESIDIO_PASSPHRASE
unset PRESIDIO_DIR

if ! command -v faketime >/dev/null 2>&1; then
	fail faketime "the faketime program is missing (apt-get install faketime)"
	finish
fi
DONT_FAKE_MONOTONIC=1
export DONT_FAKE_MONOTONIC
if [ -n "${ASAN_OPTIONS:-}" ]; then
	ASAN_OPTIONS="$ASAN_OPTIONS:verify_asan_link_order=0"
	export ASAN_OPTIONS
fi

# openssl a day ago: certificates valid from then (make_ca: two days).
OPENSSL=$(command -v openssl)
openssl() {
	faketime -f '-1d' "$OPENSSL" "$@"
}
make_ca
unset -f openssl
if [ -s "$T/pki/hub.pem" ]; then ok test_ca_valid_a_day_back; else
	fail test_ca_valid_a_day_back "openssl could not make the certificates"
	finish
fi
start_hub
add_node polo-a polo Puglia
[ "$RC" -eq 0 ] && ok enroll || { fail enroll "exit $RC ($(first_err))"; finish; }

behind() {
	faketime -f '-2h' "$@"
}
now=$(date +%s)
then_=$(behind date +%s)
if [ $((now - then_)) -ge 7190 ] && [ $((now - then_)) -le 7210 ]; then
	ok faketime_two_hours_behind
else
	fail faketime_two_hours_behind "date says $now and $then_"
fi

# Everything the node does runs two hours behind, its edits too.
behind_on() {
	b_dir=$1
	shift
	run faketime -f '-2h' "$P" -d "$b_dir" "$@"
}
printf '%s' '{"given_name":"Amadou","family_name":"Diallo"}' >"$T/in"
behind_on "$T/polo-a" put person <"$T/in"
PERSON=$(out_line)

# The sync: refused once, corrected, done.
behind_on "$T/polo-a" sync
if [ "$RC" -eq 0 ] && out_has "pushed 1,"; then ok sync_two_hours_behind
else fail sync_two_hours_behind "exit $RC ($(first_err)) $(head -c 300 "$T/out")"; fi
if out_has "the clock of this computer is 2 h 00 min behind the Helpdesk's"
then ok sync_tells_skew
else fail sync_tells_skew "$(head -c 300 "$T/out")"; fi

on "$T/hub" get "$PERSON"
[ "$RC" -eq 0 ] && out_has Amadou && ok hub_has_record ||
	fail hub_has_record "exit $RC ($(first_err))"

behind_on "$T/polo-a" status
if [ "$RC" -eq 0 ] &&
	out_has "hub clock:  the clock of this computer is 2 h 00 min behind the Helpdesk's"
then ok status_tells_skew
else fail status_tells_skew "exit $RC $(grep clock "$T/out")"; fi
behind_on "$T/polo-a" status --json
o=$(jval sync.clock_offset_ms)
case $o in [0-9]*) ;; *) o=0 ;; esac
if [ "$RC" -eq 0 ] && [ "$o" -ge 7190000 ] && [ "$o" -le 7210000 ]; then
	ok status_json_offset
else fail status_json_offset "exit $RC offset $o"; fi

# The next run starts corrected: no refusal, still told.
printf '%s' '{"given_name":"Fatou","family_name":"Sow"}' >"$T/in"
behind_on "$T/polo-a" put person <"$T/in"
behind_on "$T/polo-a" sync
if [ "$RC" -eq 0 ] && out_has "pushed 1," &&
	out_has "2 h 00 min behind" && ! out_has "the hub's time was used"
then ok second_sync_starts_corrected
else fail second_sync_starts_corrected "exit $RC $(head -c 300 "$T/out")"; fi

# Record times are the node's own (not shifted): its HLC is two hours
# back.
behind_on "$T/polo-a" status --json
hlc_ms=$(jval hlc)
hlc_ms=$((hlc_ms / 65536 / 1000))
if [ $((now - hlc_ms)) -ge 7000 ]; then ok record_times_not_shifted
else fail record_times_not_shifted "hlc at $hlc_ms, now $now"; fi

# The clock set right: the kept offset is wrong now, learned again.
on "$T/polo-a" sync
if [ "$RC" -eq 0 ] && out_has "in step with the Helpdesk's"; then
	ok clock_set_right_relearned
else fail clock_set_right_relearned "exit $RC ($(first_err)) $(head -c 300 "$T/out")"; fi
on "$T/polo-a" status
out_has "hub clock:  the clock of this computer is in step" &&
	ok status_in_step || fail status_in_step "$(grep clock "$T/out")"

stop_hub
finish
