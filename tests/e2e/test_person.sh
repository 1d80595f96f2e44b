#!/bin/sh
# tests/e2e/test_person.sh - finding people across nodes, through the
# command line: a hub over TLS and two Poli on 127.0.0.1 (key files, so no
# Argon2 wait).  One person registered on both Poli while offline, each
# with a case shared by both; after a sync, `person add` of the same
# person warns and refuses (exit 9) and `--force` passes; `person merge` on
# one Polo converges on the hub and the other Polo (found once, through
# the record merged into), `person unmerge` on the other converges back;
# the node log carries no name.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sync_lib.sh"

KEYED=1
PRESIDIO_OPERATOR=alice
export PRESIDIO_OPERATOR
unset PRESIDIO_DIR

make_ca
[ -s "$T/pki/hub.pem" ] || { fail test_ca "openssl failed"; finish; }
start_hub
add_node polo-a polo Puglia
[ "$RC" -eq 0 ] || { fail enroll_a "exit $RC ($(first_err))"; finish; }
add_node polo-b polo Puglia
[ "$RC" -eq 0 ] || { fail enroll_b "exit $RC ($(first_err))"; finish; }

# sync_all NODE...: sync each in turn; fails the test named by $1's caller.
sync_all() {
	for s_n in "$@"; do
		on "$T/$s_n" sync
		[ "$RC" -eq 0 ] || { WHY="sync $s_n: exit $RC ($(first_err))";
			return 1; }
	done
	return 0
}

# A person and a case both Poli share, registered on node $1.
register() {
	onj "$2" "$T/$1" person add
	r_id=$(out_line)
	[ "$RC" -eq 0 ] && [ -n "$r_id" ] || return 1
	onj "{\"person_id\":\"$r_id\",\"region\":\"Puglia\",\"stage\":\"intake\",\"nodes\":[\"polo-a\",\"polo-b\"]}" \
		"$T/$1" put case
	[ "$RC" -eq 0 ]
}

# Offline on both: one person, two spellings, the same birth date.
if register polo-a '{"given_name":"Mamadou","family_name":"Diallo","birth_date":"1990-05-01","nationality":"GN"}'
then PA=$r_id; ok register_a; else fail register_a "exit $RC ($(first_err))"; fi
if register polo-b '{"given_name":"Mamadu","family_name":"Jallow","birth_date":"1990-05-01"}'
then PB=$r_id; ok register_b_offline_no_warning; else
	fail register_b_offline_no_warning "exit $RC ($(first_err))"; fi
check sync_both sync_all polo-a polo-b polo-a

# ---- the duplicate warning --------------------------------------------------

onj '{"given_name":"Mamadou","family_name":"Dialo","birth_date":"1990-05-01"}' \
	"$T/polo-b" person add
if [ "$RC" -eq 9 ] && err_has "potrebbe essere gia' registrata" &&
	err_has "$PA" && err_has "$PB" && err_has "--force" &&
	[ ! -s "$T/out" ]; then ok add_duplicate_refused; else
	fail add_duplicate_refused "exit $RC ($(head -c 300 "$T/err"))"; fi
onj '{"given_name":"Mamadou","family_name":"Diallo","birth_date":"1977-01-01"}' \
	"$T/polo-b" person add
if [ "$RC" -eq 0 ] && ! err_has attenzione; then ok add_other_birth_date; else
	fail add_other_birth_date "exit $RC ($(first_err))"; fi
OTHER=$(out_line)
onj '{"given_name":"Mamadou","family_name":"Dialo","birth_date":"1990-05-01"}' \
	"$T/polo-b" person add --force
if [ "$RC" -eq 0 ] && err_has attenzione; then ok add_forced; else
	fail add_forced "exit $RC ($(first_err))"; fi
FORCED=$(out_line)
on "$T/polo-b" delete "$FORCED"
on "$T/polo-b" delete "$OTHER"

on "$T/polo-b" person find --name "diallo mam" --born 1990
if [ "$RC" -eq 0 ] && out_has "$PA" && out_has "$PB" &&
	[ "$(wc -l <"$T/out")" -eq 2 ]; then ok find_both_spellings; else
	fail find_both_spellings "exit $RC: $(head -c 300 "$T/out")"; fi

# ---- merge on a, converging on the hub and b; unmerge on b ------------------

on "$T/polo-a" person merge "$PB" "$PA"
if [ "$RC" -eq 0 ] && out_has "$PA"; then ok merge_on_a; else
	fail merge_on_a "exit $RC ($(first_err))"; fi
t_exit merge_cycle_refused 9 env PRESIDIO_KEY_FILE="$T/polo-a.key" \
	"$P" -d "$T/polo-a" person merge "$PA" "$PB"
check sync_merge sync_all polo-a polo-b

merged_into() {
	on "$T/$1" get "$PB"
	m_v=$(jval fields.merged_into)
	[ "$m_v" = null ] && m_v=undefined
	echo "$m_v"
}
if [ "$(merged_into hub)" = "$PA" ] && [ "$(merged_into polo-b)" = "$PA" ] &&
	[ "$(merged_into polo-a)" = "$PA" ]; then ok merge_everywhere; else
	fail merge_everywhere "hub $(merged_into hub), b $(merged_into polo-b)"; fi
on "$T/polo-b" person find --name jallow
if [ "$RC" -eq 0 ] && out_has "$PA" && ! out_has "$PB" &&
	out_has "1 scheda unita"; then ok find_through_merged; else
	fail find_through_merged "exit $RC: $(head -c 300 "$T/out")"; fi
on "$T/hub" person find --name "mamadu" --json
if [ "$RC" -eq 0 ] && [ "$(wc -l <"$T/out")" -eq 1 ] &&
	[ "$(jval id)" = "$PA" ] && [ "$(jval merged)" = 1 ]; then
	ok hub_finds_one; else fail hub_finds_one "exit $RC: $(head -c 300 "$T/out")"; fi

on "$T/polo-b" person unmerge "$PB"
[ "$RC" -eq 0 ] && ok unmerge_on_b || fail unmerge_on_b "exit $RC ($(first_err))"
check sync_unmerge sync_all polo-b polo-a
if [ "$(merged_into hub)" = undefined ] && [ "$(merged_into polo-a)" = undefined ] &&
	[ "$(merged_into polo-b)" = undefined ]; then ok unmerge_everywhere; else
	fail unmerge_everywhere "hub $(merged_into hub), a $(merged_into polo-a)"; fi
on "$T/polo-a" person find --name "diallo"
if [ "$RC" -eq 0 ] && out_has "$PA" && out_has "$PB"; then
	ok found_apart_again; else fail found_apart_again "$(head -c 300 "$T/out")"; fi

# The names searched never reach a log or a database in the clear.
for n in hub polo-a polo-b; do
	assert_absent "no_names_on_disk_$n" "$T/$n" Diallo Jallow Mamadou \
		Mamadu diallo jallow
done

finish
