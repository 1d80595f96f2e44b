#!/bin/sh
# tests/e2e/test_rebuild.sh - a node rebuilt from the hub through the
# command line: polo-b makes a case, six edits, a service and a person of
# its own, syncs, stays away past the purge horizon while the hub deletes
# the service and purges it; its next sync starts over with pages of two
# changes (--batch 2), so its own changes all fall after the first page.
# It must get every one of them back: hub and node end identical (records,
# versions, history), nothing pending, and it goes on working.
# Under the sanitizers tests/sync/test_hub_restore.c and test_pull_passed.c
# run the rebuild path: this script runs in the plain build only.
# e2e: plain build only
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sync_lib.sh"

# Key-file slots: no Argon2 on each command.
KEYED=1
PRESIDIO_OPERATOR=alice
export PRESIDIO_OPERATOR
unset PRESIDIO_DIR PRESIDIO_PASSPHRASE

# on_exit NAME CODE DIR ARGS...: `on DIR ARGS...` must exit CODE.
on_exit() {
	x_name=$1
	x_code=$2
	shift 2
	on "$@"
	[ "$RC" -eq "$x_code" ] && ok "$x_name" ||
		fail "$x_name" "expected exit $x_code, got $RC ($(first_err))"
}

make_ca
[ -s "$T/pki/hub.pem" ] || { fail test_ca "openssl failed"; finish; }
start_hub
add_node polo-b polo Puglia
[ "$RC" -eq 0 ] && ok enroll_polo_b || { fail enroll_polo_b "exit $RC ($(first_err))"; finish; }

# The hub's case for polo-b comes first in the log: a page of its own.
onj '{"given_name":"Hub","family_name":"Person"}' "$T/hub" put person
HP=$(out_line)
onj "{\"person_id\":\"$HP\",\"region\":\"Puglia\",\"stage\":\"intake\",\"nodes\":[\"polo-b\"]}" \
	"$T/hub" put case
HC=$(out_line)

onj '{"given_name":"Amina","family_name":"Diallo"}' "$T/polo-b" put person
PERSON=$(out_line)
onj "{\"person_id\":\"$PERSON\",\"region\":\"Puglia\",\"stage\":\"intake\"}" \
	"$T/polo-b" put case
CASE=$(out_line)
for p in low high urgent low high urgent; do
	n=$((${n:-0} + 1))
	onj "{\"priority\":\"$p\",\"province\":\"B$n\"}" "$T/polo-b" put case "$CASE"
done
onj "{\"case_id\":\"$CASE\",\"service_type\":\"food_parcel\",\"date\":\"2026-11-22\"}" \
	"$T/polo-b" put service
SVC=$(out_line)
onj '{"given_name":"Own","family_name":"Record"}' "$T/polo-b" put person
OWN=$(out_line)
onj '{"phone":"3331234567"}' "$T/polo-b" put person "$OWN"
on_exit first_sync 0 "$T/polo-b" sync

# polo-b stays away; the hub deletes the service and purges it.
on "$T/hub" delete "$SVC"
sleep 2
on "$T/hub" hub purge --horizon 1
out_has "purged 1" && ok horizon_purges || fail horizon_purges "$(out_line)"

on "$T/polo-b" sync --batch 2
if [ "$RC" -eq 0 ] && out_has "rebuilt from the hub"; then ok rebuilt; else
	fail rebuilt "exit $RC: $(head -n 2 "$T/out") $(first_err)"; fi
on_exit rebuilt_then_quiet 0 "$T/polo-b" sync --batch 2
on "$T/polo-b" status --json
[ "$(jval sync.pending)" = 0 ] && ok nothing_pending || fail nothing_pending "$(head -c 300 "$T/out")"

# Identical: every record, with its versions and its history.
same=1
for coll in person case service; do
	on "$T/hub" list "$coll" --deleted
	sort "$T/out" >"$T/hub.$coll"
	on "$T/polo-b" list "$coll" --deleted
	sort "$T/out" >"$T/b.$coll"
	cmp -s "$T/hub.$coll" "$T/b.$coll" || { same=0; WHY="$coll lists differ"; }
done
[ "$(wc -l <"$T/hub.person")" -eq 3 ] && [ "$(wc -l <"$T/hub.case")" -eq 2 ] ||
	{ same=0; WHY="hub holds $(cat "$T"/hub.* | wc -l) records"; }
for id in $HP $HC $PERSON $CASE $OWN; do
	on "$T/hub" get "$id" --versions
	cp "$T/out" "$T/hub.rec"
	on "$T/polo-b" get "$id" --versions
	cmp -s "$T/hub.rec" "$T/out" || { same=0; WHY="versions of $id differ"; }
	# Entries are numbered by each log: compare what they say.
	on "$T/hub" history "$id"
	sed 's/^#[0-9]* //' "$T/out" >"$T/hub.rec"
	on "$T/polo-b" history "$id"
	sed 's/^#[0-9]* //' "$T/out" >"$T/b.rec"
	[ -s "$T/b.rec" ] && cmp -s "$T/hub.rec" "$T/b.rec" ||
		{ same=0; WHY="history of $id differs"; }
done
[ "$same" = 1 ] && ok hub_and_node_identical || fail hub_and_node_identical "$WHY"
on "$T/polo-b" get "$CASE"
out_has '"B6"' && ok own_last_edit_back || fail own_last_edit_back "$(head -c 200 "$T/out")"
on_exit own_person_back 0 "$T/polo-b" get "$OWN"
on_exit purged_stays_gone 3 "$T/polo-b" get "$SVC"

# It goes on working: one more edit reaches the hub, and only it.
onj '{"stage":"closed"}' "$T/polo-b" put case "$CASE"
on "$T/polo-b" sync --batch 2
if [ "$RC" -eq 0 ] && out_has "pushed 1"; then ok edit_after_rebuild; else
	fail edit_after_rebuild "exit $RC: $(head -n 2 "$T/out")"; fi
on "$T/hub" get "$CASE"
out_has '"closed"' && ok edit_reaches_hub || fail edit_reaches_hub "$(head -c 200 "$T/out")"

stop_hub
finish
