#!/bin/sh
# tests/e2e/test_schema_next.sh - a node one schema version behind its hub
# (sync/README.md, "Schema versions"), through a real hub over TLS: the
# hub runs the tests' next schema (tests/schema/next.h:
# PRESIDIO_TEST_SCHEMA_NEXT=1, one version up: person.next_note, the
# stage next_archived, the service type next_service, a collection
# next_visit), the node the current one.  The hub writes records using
# them; the node pulls, shows them, edits a known field and pushes; the
# hub still has every new value; the node restarted on the next schema
# shows them and merges by their rules, and its first sync brings the
# next_visit records it passed over (two rounds, two cursors), once each,
# the hub unchanged.  Nothing refused on either side.
# Writes test collections: runs the test build (lib.sh).
E2E_TEST_SCHEMA=1
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sync_lib.sh"

# Key-file slots: no Argon2 on each command.
KEYED=1
PRESIDIO_OPERATOR=alice
export PRESIDIO_OPERATOR
unset PRESIDIO_DIR PRESIDIO_PASSPHRASE PRESIDIO_TEST_SCHEMA_NEXT

# next CMD...: run a helper with the next schema.
next() {
	PRESIDIO_TEST_SCHEMA_NEXT=1
	export PRESIDIO_TEST_SCHEMA_NEXT
	"$@"
	unset PRESIDIO_TEST_SCHEMA_NEXT
}

make_ca
next start_hub
add_node polo-a polo Puglia
[ "$RC" -eq 0 ] && ok enroll_one_version_behind ||
	fail enroll_one_version_behind "exit $RC ($(first_err))"

# ---- the hub writes what only the next version declares -------------------

next onj '{"given_name":"Amina","family_name":"Diallo","next_note":"nota nuova"}' \
	"$T/hub" put person
PERSON=$(out_line)
next onj "{\"person_id\":\"$PERSON\",\"region\":\"Puglia\",\"stage\":\"intake\",\"nodes\":[\"polo-a\"]}" \
	"$T/hub" put case
CASE=$(out_line)
next onj "{\"case_id\":\"$CASE\",\"service_type\":\"next_service\",\"date\":\"2026-11-20\"}" \
	"$T/hub" put service
SERVICE=$(out_line)
next onj "{\"case_id\":\"$CASE\",\"date\":\"2026-11-21\",\"note\":\"visita\"}" \
	"$T/hub" put next_visit
VISIT=$(out_line)
[ -n "$PERSON" ] && [ -n "$VISIT" ] && [ "$RC" -eq 0 ] && ok hub_writes_next ||
	fail hub_writes_next "exit $RC ($(first_err))"
on "$T/polo-a" sync
[ "$RC" -eq 0 ] && ok node_syncs || fail node_syncs "exit $RC ($(first_err))"

# Offline on both: the hub archives the case (a stage only it declares),
# the node closes it (the last stage it declares).
next onj '{"stage":"next_archived"}' "$T/hub" put case "$CASE"
next onj "{\"case_id\":\"$CASE\",\"date\":\"2026-11-22\",\"note\":\"seconda visita\"}" \
	"$T/hub" put next_visit
VISIT2=$(out_line)
onj '{"stage":"closed"}' "$T/polo-a" put case "$CASE"
on "$T/polo-a" sync
[ "$RC" -eq 0 ] && ok node_syncs_again || fail node_syncs_again "exit $RC ($(first_err))"
on "$T/polo-a" get "$PERSON"
out_has '"next_note": "nota nuova"' && ok node_keeps_new_field ||
	fail node_keeps_new_field "$(head -c 300 "$T/out")"
on "$T/polo-a" get "$SERVICE"
out_has '"next_service"' && ok node_keeps_new_value ||
	fail node_keeps_new_value "$(head -c 300 "$T/out")"
on "$T/polo-a" get "$CASE"
out_has '"next_archived"' && ok node_keeps_new_stage ||
	fail node_keeps_new_stage "$(head -c 300 "$T/out")"

# ---- a local edit of a known field, pushed ----------------------------------

onj '{"phone":"+39 333 7654321"}' "$T/polo-a" put person "$PERSON"
[ "$RC" -eq 0 ] && ok node_edits_known_field ||
	fail node_edits_known_field "exit $RC ($(first_err))"
onj '{"next_note":"x"}' "$T/polo-a" put person "$PERSON"
[ "$RC" -ne 0 ] && ok node_cannot_type_new_field ||
	fail node_cannot_type_new_field "exit $RC"
on "$T/polo-a" sync
[ "$RC" -eq 0 ] && ok node_pushes || fail node_pushes "exit $RC ($(first_err))"

next on "$T/hub" get "$PERSON"
out_has '"next_note": "nota nuova"' && out_has '+39 333 7654321' &&
	ok hub_has_both || fail hub_has_both "$(head -c 300 "$T/out")"
next on "$T/hub" get "$SERVICE"
out_has '"next_service"' && ok hub_keeps_new_value ||
	fail hub_keeps_new_value "$(head -c 300 "$T/out")"
# Both replicas settle the concurrent steps on next_archived: after every
# declared stage in the next order, above every stage it knows on the node.
next on "$T/hub" get "$CASE"
out_has '"next_archived"' && ok stage_converges_on_hub ||
	fail stage_converges_on_hub "$(head -c 300 "$T/out")"
next on "$T/hub" get "$VISIT"
[ "$RC" -eq 0 ] && ok hub_keeps_new_collection ||
	fail hub_keeps_new_collection "exit $RC"

next on "$T/hub" hub node list --json
[ "$(jval 0.schema_version)" = 2 ] && [ "$(jval 0.refused)" = 0 ] &&
	ok hub_records_version || fail hub_records_version "$(head -c 300 "$T/out")"
on "$T/polo-a" refused
[ "$RC" -eq 0 ] && ! out_has "$PERSON" && ! out_has "$CASE" &&
	ok nothing_refused_on_node || fail nothing_refused_on_node "$(head -c 300 "$T/out")"
on "$T/polo-a" conflicts
[ "$RC" -eq 0 ] && ! out_has "$PERSON" && ok no_conflict_shown ||
	fail no_conflict_shown "$(head -c 300 "$T/out")"

# ---- the node restarted on the next schema ----------------------------------

next on "$T/polo-a" get "$PERSON"
out_has '"next_note": "nota nuova"' && ok upgraded_node_shows_field ||
	fail upgraded_node_shows_field "$(head -c 300 "$T/out")"
next on "$T/polo-a" get "$CASE"
out_has '"next_archived"' && ok upgraded_node_same_stage ||
	fail upgraded_node_same_stage "$(head -c 300 "$T/out")"
# What the older build passed over is not there yet.
next on "$T/polo-a" get "$VISIT"
[ "$RC" -ne 0 ] && ok upgraded_node_lacks_visit_before_sync ||
	fail upgraded_node_lacks_visit_before_sync "exit $RC"
next on "$T/polo-a" status --json
NODE_CHANGES=$(jval changes)
next on "$T/hub" status --json
HUB_CHANGES=$(jval changes)
next on "$T/polo-a" sync
[ "$RC" -eq 0 ] && ok upgraded_node_syncs ||
	fail upgraded_node_syncs "exit $RC ($(first_err))"
# Its first sync pulls again from where the older build passed them over.
next on "$T/polo-a" get "$VISIT"
out_has '"note": "visita"' && out_has '2026-11-21' && out_has "$CASE" &&
	ok upgraded_node_gets_visit || fail upgraded_node_gets_visit "$(head -c 300 "$T/out")"
next on "$T/polo-a" get "$VISIT2"
out_has '"note": "seconda visita"' && out_has '2026-11-22' &&
	ok upgraded_node_gets_second_visit ||
	fail upgraded_node_gets_second_visit "$(head -c 300 "$T/out")"
# Once each: two records, two entries more in its log (what it had came
# again and was known); the hub took nothing new.
next on "$T/polo-a" sync
next on "$T/polo-a" list next_visit --count
[ "$(out_line)" = 2 ] && ok upgraded_node_two_visits ||
	fail upgraded_node_two_visits "$(head -c 300 "$T/out")"
next on "$T/polo-a" status --json
[ "$(jval changes)" = $((NODE_CHANGES + 2)) ] && ok repull_nothing_duplicated ||
	fail repull_nothing_duplicated "$NODE_CHANGES -> $(jval changes)"
next on "$T/hub" status --json
[ "$(jval changes)" = "$HUB_CHANGES" ] && ok repull_hub_unchanged ||
	fail repull_hub_unchanged "$HUB_CHANGES -> $(jval changes)"

stop_hub
finish
