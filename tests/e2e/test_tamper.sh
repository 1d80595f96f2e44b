#!/bin/sh
# tests/e2e/test_tamper.sh - sync state and history rewritten in the files
# by someone who holds the disk but no passphrase (issue 11, items 4 and 5;
# node/store_mac.c): `presidio verify` reports it (naming the table, never
# a value) and exits non-zero, the hub refuses the node whose row was
# rewritten, and a node whose hub address was rewritten sends nothing.
# The attacker is a real node (mallory, enrolled in another region): its
# real public key and node id put into polo-a's row on the hub, its own
# `presidio sync` signs the pull with its real secret key, and gets 401
# and none of polo-a's case.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sync_lib.sh"

PRESIDIO_OPERATOR=alice
PRESIDIO_PASSPHRASE=$E2E_PASSPHRASE
export PRESIDIO_OPERATOR PRESIDIO_PASSPHRASE
unset PRESIDIO_DIR

make_ca
[ -s "$T/pki/hub.pem" ] || { fail test_ca "no test certificates"; finish; }
start_hub
add_node polo-a polo Puglia
[ "$RC" -eq 0 ] || { fail enroll "exit $RC ($(first_err))"; finish; }
add_node mallory polo Sicilia
[ "$RC" -eq 0 ] || { fail enroll_mallory "exit $RC ($(first_err))"; finish; }
onj '{"given_name":"Quokkaname","family_name":"Rossi"}' "$T/polo-a" \
	put person
PERSON=$(out_line)
onj "{\"person_id\":\"$PERSON\",\"region\":\"Puglia\",\"stage\":\"intake\",\"nodes\":[\"polo-a\"]}" \
	"$T/polo-a" put case
CASE=$(out_line)
on "$T/polo-a" sync
[ "$RC" -eq 0 ] && ok sync_before || fail sync_before "exit $RC ($(first_err))"
on "$T/hub" verify
[ "$RC" -eq 0 ] && ok hub_verify_intact || fail hub_verify_intact "exit $RC ($(first_err))"

hubdb() {
	sqlite3 -batch "$T/hub/presidio.db" "$@"
}
nodedb() {
	sqlite3 -batch "$T/polo-a/presidio.db" "$@"
}

# mallory's real identity put into polo-a's row on the hub (its own row
# removed, so the hub finds polo-a's row by mallory's node id; its
# cursors zeroed, so mallory's first pull starts from the beginning).
M_ID=$(hubdb "SELECT hex(node_id) FROM peer WHERE name = 'mallory'")
M_PK=$(hubdb "SELECT hex(pk) FROM peer WHERE name = 'mallory'")
[ ${#M_PK} -eq 64 ] || { fail mallory_key "no key ($M_PK)"; finish; }
hubdb "DELETE FROM peer WHERE name = 'mallory';
	UPDATE peer SET node_id = x'$M_ID', pk = x'$M_PK', push_ack = 0,
		pull_ack = 0 WHERE name = 'polo-a'"
on "$T/hub" verify
if [ "$RC" -ne 0 ] && err_has "peer" && ! err_has "polo-a"; then
	ok hub_verify_reports_peer
else
	fail hub_verify_reports_peer "exit $RC ($(first_err))"
fi
on "$T/mallory" sync
if [ "$RC" -ne 0 ] && err_has "401"; then ok hub_refuses_signed_pull; else
	fail hub_refuses_signed_pull "exit $RC ($(first_err))"; fi
t_exit mallory_not_sent_case 3 "$P" -d "$T/mallory" get "$CASE"
t_exit mallory_not_sent_person 3 "$P" -d "$T/mallory" get "$PERSON"
on "$T/polo-a" sync
if [ "$RC" -ne 0 ] && err_has "401"; then ok hub_refuses_altered_peer; else
	fail hub_refuses_altered_peer "exit $RC ($(first_err))"; fi
# The altered peer can be revoked (its planted key is dropped); the hub
# then verifies clean and mallory is still refused.
t_exit revoke_altered_peer 0 "$P" -d "$T/hub" hub node revoke polo-a
t_exit hub_verify_after_revoke 0 "$P" -d "$T/hub" verify
on "$T/mallory" sync
if [ "$RC" -ne 0 ] && err_has "401"; then ok revoked_key_refused; else
	fail revoked_key_refused "exit $RC ($(first_err))"; fi
t_exit mallory_still_not_sent_case 3 "$P" -d "$T/mallory" get "$CASE"

# History on the node: a change's kind rewritten, the operator renamed.
on "$T/polo-a" verify
[ "$RC" -eq 0 ] && ok node_verify_intact || fail node_verify_intact "exit $RC ($(first_err))"
nodedb "UPDATE change SET kind = 3 WHERE seq = 1"
on "$T/polo-a" verify
if [ "$RC" -ne 0 ] && err_has "change"; then ok node_verify_reports_change
else fail node_verify_reports_change "exit $RC ($(first_err))"; fi
nodedb "UPDATE change SET kind = 1 WHERE seq = 1"
nodedb "UPDATE actor SET operator = 'mallory' WHERE operator = 'alice'"
on "$T/polo-a" verify
if [ "$RC" -ne 0 ] && err_has "actor" && ! err_has mallory; then
	ok node_verify_reports_actor
else
	fail node_verify_reports_actor "exit $RC ($(first_err))"
fi

# The hub's address rewritten on the node: sync stops, names no URL.
nodedb "UPDATE remote SET url = 'https://127.0.0.1:9'"
on "$T/polo-a" sync
if [ "$RC" -ne 0 ] && err_has "fail authentication" &&
	! err_has "127.0.0.1:9"; then
	ok node_sync_refuses_altered_remote
else
	fail node_sync_refuses_altered_remote "exit $RC ($(first_err))"
fi
# A store made by the landed release (the committed fixture), upgraded by
# its first unlock; then its pre-upgrade slot MAC put back and a peer
# planted without MAC: unlock refuses and verify says so, naming the key
# slot, rather than authenticating the planted peer.
FIX=$(cd "$(dirname "$0")/../fixtures/store_v5/hub" && pwd)
mkdir -p "$T/landed" && chmod 700 "$T/landed" &&
	cp "$FIX/presidio.db" "$T/landed/"
printf '\007\007\007\007\007\007\007\007\007\007\007\007\007\007\007\007\007\007\007\007\007\007\007\007\007\007\007\007\007\007\007\007' >"$T/landed.key"
chmod 600 "$T/landed.key"
OLD_MAC=$(sqlite3 -batch "$T/landed/presidio.db" "SELECT hex(mac) FROM keyslot")
t_exit landed_upgraded_verify_0 0 env PRESIDIO_KEY_FILE="$T/landed.key" \
	PRESIDIO_OPERATOR=m.rossi "$P" -d "$T/landed" verify
sqlite3 -batch "$T/landed/presidio.db" "UPDATE keyslot SET mac = x'$OLD_MAC';
	INSERT INTO peer(name, kind, region, node_id, pk, created) VALUES
	('evil', 'pda', 'Puglia', randomblob(16), randomblob(32), 0)"
run env PRESIDIO_KEY_FILE="$T/landed.key" PRESIDIO_OPERATOR=m.rossi "$P" \
	-d "$T/landed" verify
if [ "$RC" -ne 0 ] && err_has "key slot" && ! err_has "evil"; then
	ok verify_reports_slot_put_back
else
	fail verify_reports_slot_put_back "exit $RC ($(first_err))"
fi
[ "$(sqlite3 -batch "$T/landed/presidio.db" \
	"SELECT mac IS NULL FROM peer WHERE name = 'evil'")" = 1 ] &&
	ok planted_peer_not_authenticated ||
	fail planted_peer_not_authenticated "the planted peer got a MAC"

# A row of the hub's log by who may see it removed (a pull would not
# send its entry): verify names the table.
hubdb "DELETE FROM scope_key WHERE seq = (SELECT max(seq) FROM change)"
on "$T/hub" verify
if [ "$RC" -ne 0 ] && err_has "scope_key"; then
	ok hub_verify_reports_scope_key
else
	fail hub_verify_reports_scope_key "exit $RC ($(first_err))"
fi

assert_absent no_value_in_errors "$T/stderr.all" Quokkaname

finish
