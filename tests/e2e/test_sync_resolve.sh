#!/bin/sh
# tests/e2e/test_sync_resolve.sh - conflicts settled concurrently on two
# nodes, through a real hub over TLS (issue 11, item 3): polo-a deletes a
# service while polo-b edits it; after sync polo-b keeps the delete and
# polo-a, a moment later, undeletes.  After sync the conflict the two
# resolutions leave is listed on every replica with the command that
# settles it; each documented form of that command works (keep-deleted,
# undelete, _deleted --pick N), also when two nodes use them concurrently
# again; once settled and synced no conflict is left anywhere and every
# replica holds the same records.
# Under the sanitizers tests/node/test_store_merge.c and
# test_conflicts.sh run the resolutions: this script runs in the plain build
# only.
# e2e: plain build only
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sync_lib.sh"

# Key files, not passphrases: many short commands, no key derivation.
KEYED=1
PRESIDIO_OPERATOR=alice
export PRESIDIO_OPERATOR
unset PRESIDIO_DIR

# px NAME ARGS...: presidio on node NAME ($T/NAME), unlocked by its key file.
px() {
	px_n=$1
	shift
	env PRESIDIO_KEY_FILE="$T/$px_n.key" "$P" -d "$T/$px_n" "$@"
}

make_ca
[ -s "$T/pki/hub.pem" ] || { fail test_ca "openssl could not make the test certificates"; finish; }
start_hub
add_node polo-a polo Puglia
[ "$RC" -eq 0 ] || { fail enroll_polo_a "exit $RC ($(first_err))"; finish; }
add_node polo-b polo Puglia
[ "$RC" -eq 0 ] || { fail enroll_polo_b "exit $RC ($(first_err))"; finish; }

# sync_all NAME NODE...: sync each node in turn, recorded as test NAME.
sync_all() {
	s_name=$1
	shift
	for s_n in "$@"; do
		run px "$s_n" sync
		if [ "$RC" -ne 0 ]; then
			fail "$s_name" "$s_n: exit $RC ($(first_err))"
			return
		fi
	done
	ok "$s_name"
}

# same_everywhere NAME: hub, polo-a and polo-b print the same service
# (with versions) and the same conflicts.
same_everywhere() {
	for s_n in hub polo-a polo-b; do
		{
			px "$s_n" get "$SERVICE" --versions
			px "$s_n" conflicts --json
		} >"$T/state.$s_n" 2>/dev/null
	done
	if [ -s "$T/state.hub" ] && cmp -s "$T/state.hub" "$T/state.polo-a" &&
		cmp -s "$T/state.hub" "$T/state.polo-b"; then
		ok "$1"
	else
		fail "$1" "hub, polo-a and polo-b differ"
	fi
}

onj '{"given_name":"Amadou","family_name":"Diallo"}' "$T/polo-a" put person
PERSON=$(out_line)
onj "{\"person_id\":\"$PERSON\",\"region\":\"Puglia\",\"stage\":\"intake\",\"nodes\":[\"polo-a\",\"polo-b\"]}" \
	"$T/polo-a" put case
CASE=$(out_line)
onj "{\"case_id\":\"$CASE\",\"service_type\":\"legal_advice\",\"date\":\"2026-11-20\"}" \
	"$T/polo-a" put service
SERVICE=$(out_line)
sync_all sync_shared_case polo-a polo-b

# polo-a deletes the service while polo-b edits it.
on "$T/polo-a" delete "$SERVICE"
onj '{"outcome":"completed"}' "$T/polo-b" put service "$SERVICE"
sync_all sync_delete_and_edit polo-a polo-b polo-a
on "$T/polo-b" conflicts "$SERVICE"
if out_has "deleted while being edited (field outcome)" &&
	out_has "settle: presidio resolve $SERVICE --keep-deleted | --undelete"
then ok delete_edit_conflict_listed
else fail delete_edit_conflict_listed "$(tr '\n' '|' <"$T/out")"; fi

# polo-b keeps the delete; polo-a, a moment later, undeletes.
t_exit b_keeps_deleted 0 px polo-b resolve "$SERVICE" --keep-deleted
sleep 0.1
t_exit a_undeletes 0 px polo-a resolve "$SERVICE" --undelete
sync_all sync_two_resolutions polo-b polo-a polo-b

# The conflict the two leave: listed on every replica, with its command.
for n in hub polo-a polo-b; do
	on "$T/$n" conflicts
	if [ "$RC" -eq 0 ] &&
		out_has "$SERVICE (service) kept deleted and undeleted at once:" &&
		out_has "    settle: presidio resolve $SERVICE --keep-deleted | --undelete" &&
		out_has "(current)" && [ "$(sed -n '$p' "$T/out")" = "1 open conflict" ]
	then ok "resolutions_conflict_listed_$n"
	else fail "resolutions_conflict_listed_$n" "exit $RC: $(tr '\n' '|' <"$T/out")"; fi
done
on "$T/polo-a" conflicts --json "$SERVICE"
if [ "$(jval kind)" = field ] && [ "$(jval field)" = _deleted ] &&
	[ "$(jval current.value)" = false ] && [ "$(jval other.value)" = true ] &&
	[ "$(jval settle)" = "presidio resolve $SERVICE --keep-deleted | --undelete" ]
then ok resolutions_conflict_json
else fail resolutions_conflict_json "$(head -c 400 "$T/out")"; fi
same_everywhere same_state_with_conflict

# Settled differently again, concurrently, with the other two forms:
# polo-a keeps the delete (the record is not deleted there, yet this is
# the form shown), polo-b picks the undelete by its number.
t_exit keep_deleted_settles_marker_conflict 0 px polo-a resolve \
	"$SERVICE" --keep-deleted
t_exit pick_settles_marker_conflict 0 px polo-b resolve \
	"$SERVICE" _deleted --pick 1
on "$T/polo-b" conflicts "$SERVICE"
check settled_where_made [ "$(out_line)" = "no open conflicts" ]
sync_all sync_second_round polo-a polo-b polo-a
on "$T/polo-b" conflicts --json "$SERVICE"
check second_round_conflict_listed [ "$(jval field)" = _deleted ]
same_everywhere same_state_after_second_round

# Settled once, by undelete on polo-b: closed everywhere after sync.
t_exit undelete_settles 0 px polo-b resolve "$SERVICE" --undelete
sync_all sync_settled polo-b polo-a
bad=
for n in hub polo-a polo-b; do
	on "$T/$n" conflicts
	[ "$(out_line)" = "no open conflicts" ] || bad="$bad $n"
	on "$T/$n" get "$SERVICE"
	[ "$(jval deleted)" = false ] && [ "$(jval fields.outcome)" = completed ] ||
		bad="$bad $n:record"
done
if [ -z "$bad" ]; then ok no_conflict_left_anywhere
else fail no_conflict_left_anywhere "$bad"; fi
same_everywhere same_state_settled

# A conflict of a field is settled once the record is back; nothing else
# is left to settle on a deleted record.
t_exit pick_on_marker_without_conflict_exit_6 6 px polo-a resolve \
	"$SERVICE" _deleted --pick 1
printf '"maybe"' >"$T/in"
run px polo-a resolve "$SERVICE" _deleted <"$T/in"
if [ "$RC" -eq 6 ] && err_has "true (keep deleted) or false (undelete)"; then
	ok marker_value_must_be_boolean
else
	fail marker_value_must_be_boolean "exit $RC ($(first_err))"
fi

finish
