#!/bin/sh
# tests/e2e/test_rules.sh - rules over more than one record through a real
# hub over TLS and two nodes, driven through the command line
# (schema/rule.h, node/store_rule.h), on the test collections:
# - a cap on a budget's entries (test_budget / test_entry): a local entry
#   passing it is refused; entries booked offline on two nodes that pass
#   it together are all kept and the budget carries a rule conflict on
#   the hub and on both nodes, until a reversal closes it everywhere;
# - a procedure (test_case.stage): a step not declared, or not open to
#   the node's kind, is refused; steps two nodes took differently offline
#   become a rule conflict naming the field and both values, settled by a
#   resolution that closes it everywhere;
# - a step's requirement (test_file.stage needs an eligible test_check):
#   refused locally, and by the hub on a pushed step whose requirement no
#   longer holds there (the check withdrawn on the hub meanwhile);
# - the hub's allocation of dotes (`hub allocation`, `set`).
# Writes test collections: runs the test build (lib.sh).
E2E_TEST_SCHEMA=1
# e2e: plain build only
# (The rules run under the sanitizers in tests/node/test_store_rule.c and
# tests/schema/test_rule.c; here they are driven through the commands.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sync_lib.sh"

PRESIDIO_OPERATOR=alice
PRESIDIO_PASSPHRASE=$E2E_PASSPHRASE
export PRESIDIO_OPERATOR PRESIDIO_PASSPHRASE
unset PRESIDIO_DIR

make_ca
[ -s "$T/pki/hub.pem" ] || { fail test_ca "openssl failed"; finish; }
start_hub
add_node polo-a polo Puglia
[ "$RC" -eq 0 ] || { fail enroll_polo "exit $RC ($(first_err))"; finish; }
add_node pda-s pda Sicilia
[ "$RC" -eq 0 ] || { fail enroll_pda "exit $RC ($(first_err))"; finish; }

HUB=$T/hub
A=$T/polo-a
S=$T/pda-s

# sync_all: every node twice, so that each has what the other pushed.
sync_all() {
	s_bad=
	for n in "$A" "$S" "$A" "$S"; do
		on "$n" sync
		[ "$RC" -eq 0 ] || s_bad="$s_bad ${n##*/}:$RC($(first_err))"
	done
	[ -z "$s_bad" ]
}

# ---- a cap on a parent's children ----------------------------------------

onj '{"title":"dote"}' "$HUB" put test_budget
BUD=$(out_line)
sync_all && ok sync_budget || fail sync_budget "$s_bad"

onj "{\"budget\":\"$BUD\",\"amount\":60}" "$A" put test_entry
[ "$RC" -eq 0 ] && ok entry_within_cap_a || fail entry_within_cap_a "exit $RC ($(first_err))"
onj "{\"budget\":\"$BUD\",\"amount\":50}" "$A" put test_entry
if [ "$RC" -eq 6 ] && err_has "campo 'amount' (Importo) di 'test_entry'" &&
	err_has "supererebbe il tetto 'cap' (Tetto)"; then
	ok entry_over_cap_refused_locally
else
	fail entry_over_cap_refused_locally "exit $RC ($(first_err))"
fi
# Offline, the PdA books within the cap as it knows it.
onj "{\"budget\":\"$BUD\",\"amount\":70}" "$S" put test_entry
[ "$RC" -eq 0 ] && ok entry_within_cap_s || fail entry_within_cap_s "exit $RC ($(first_err))"

sync_all && ok sync_entries || fail sync_entries "$s_bad"
bad=
for n in "$HUB" "$A" "$S"; do
	on "$n" list test_entry --count
	[ "$(out_line)" = 2 ] || bad="$bad ${n##*/}:entries=$(out_line)"
	on "$n" conflicts
	out_has "$BUD (test_budget) rule: campo 'amount' (Importo) dei record 'test_entry': la somma supera il tetto" ||
		bad="$bad ${n##*/}:no-rule"
done
[ -z "$bad" ] && ok cap_passed_offline_is_rule_conflict_everywhere ||
	fail cap_passed_offline_is_rule_conflict_everywhere "$bad"

onj "{\"budget\":\"$BUD\",\"amount\":-30}" "$S" put test_entry
[ "$RC" -eq 0 ] && ok reversal_taken_while_passed || fail reversal_taken_while_passed "exit $RC ($(first_err))"
sync_all
bad=
for n in "$HUB" "$A" "$S"; do
	on "$n" conflicts
	[ "$(out_line)" = "no open conflicts" ] || bad="$bad ${n##*/}"
done
[ -z "$bad" ] && ok reversal_closes_cap_conflict_everywhere ||
	fail reversal_closes_cap_conflict_everywhere "still open on:$bad"

# ---- a procedure with roles ----------------------------------------------

onj '{"title":"pratica","stage":"open"}' "$HUB" put test_case
CASE=$(out_line)
onj '{"stage":"review"}' "$HUB" put test_case "$CASE"
sync_all && ok sync_case || fail sync_case "$s_bad"

onj '{"stage":"cancelled"}' "$S" put test_case "$CASE"
if [ "$RC" -eq 9 ] && err_has "campo 'stage' (Fase) di 'test_case': il passo 'review' -> 'cancelled' spetta a: hub; non a: pda"; then
	ok step_refused_by_role
else
	fail step_refused_by_role "exit $RC ($(first_err))"
fi
onj '{"stage":"done"}' "$A" put test_case "$CASE"
[ "$RC" -eq 9 ] && ok step_refused_for_polo || fail step_refused_for_polo "exit $RC ($(first_err))"
onj '{"title":"x","stage":"done"}' "$A" put test_case
if [ "$RC" -eq 6 ] && err_has "il passo '(nessuno)' -> 'done' non e' previsto dalla procedura"; then
	ok undeclared_step_refused
else
	fail undeclared_step_refused "exit $RC ($(first_err))"
fi

# Offline: the PdA finishes the review, the Polo sends it back.
onj '{"stage":"done"}' "$S" put test_case "$CASE"
[ "$RC" -eq 0 ] && ok pda_takes_its_step || fail pda_takes_its_step "exit $RC ($(first_err))"
onj '{"stage":"open"}' "$A" put test_case "$CASE"
[ "$RC" -eq 0 ] && ok polo_sends_back || fail polo_sends_back "exit $RC ($(first_err))"
sync_all
bad=
for n in "$HUB" "$A" "$S"; do
	on "$n" conflicts "$CASE"
	out_has "rule: field 'stage': concurrent steps left 'open' and 'done', and 'open' -> 'done' is not a declared transition" ||
		bad="$bad ${n##*/}"
	on "$n" get "$CASE"
	[ "$(jval fields.stage)" = done ] || bad="$bad ${n##*/}:stage=$(jval fields.stage)"
done
[ -z "$bad" ] && ok concurrent_steps_rule_conflict_everywhere ||
	fail concurrent_steps_rule_conflict_everywhere "$bad"

printf '"review"' >"$T/v"
on "$A" resolve "$CASE" stage <"$T/v"
[ "$RC" -eq 0 ] && ok step_conflict_resolved || fail step_conflict_resolved "exit $RC ($(first_err))"
sync_all
bad=
for n in "$HUB" "$A" "$S"; do
	on "$n" conflicts
	[ "$(out_line)" = "no open conflicts" ] || bad="$bad ${n##*/}"
	on "$n" get "$CASE"
	[ "$(jval fields.stage)" = review ] || bad="$bad ${n##*/}:stage=$(jval fields.stage)"
done
[ -z "$bad" ] && ok resolution_closes_step_conflict_everywhere ||
	fail resolution_closes_step_conflict_everywhere "$bad"

# ---- a step's requirement, judged again by the hub -----------------------

onj '{"title":"fascicolo","stage":"new"}' "$HUB" put test_file
FILE=$(out_line)
onj '{"stage":"submitted"}' "$HUB" put test_file "$FILE"
onj "{\"file_id\":\"$FILE\",\"decision\":\"eligible\"}" "$HUB" put test_check
CHK=$(out_line)
sync_all && ok sync_file || fail sync_file "$s_bad"
# The hub withdraws the check while the PdA, offline, validates on it.
on "$HUB" delete "$CHK"
onj '{"stage":"validated"}' "$S" put test_file "$FILE"
[ "$RC" -eq 0 ] && ok requirement_held_locally || fail requirement_held_locally "exit $RC ($(first_err))"
on "$S" sync
on "$HUB" refused
if out_has "richiede: una verifica con esito positivo"; then
	ok hub_refuses_step_whose_requirement_fails
else
	fail hub_refuses_step_whose_requirement_fails "$(head -c 300 "$T/out")"
fi
on "$HUB" get "$FILE"
[ "$(jval fields.stage)" = submitted ] && ok hub_keeps_its_stage ||
	fail hub_keeps_its_stage "stage=$(jval fields.stage)"
onj '{"stage":"validated"}' "$HUB" put test_file "$FILE"
if [ "$RC" -eq 9 ] && err_has "campo 'stage' (Prova) di 'test_file': il passo 'submitted' -> 'validated' richiede: una verifica con esito positivo"; then
	ok requirement_refused_locally
else
	fail requirement_refused_locally "exit $RC ($(first_err))"
fi

# ---- the hub's allocation of dotes -----------------------------------------

on "$HUB" hub allocation --json
if [ "$RC" -eq 0 ] && [ "$(jval 0.partner)" = nova ] &&
	[ "$(jval 0.allocated)" = 42 ] && [ "$(jval 0.used)" = 0 ] &&
	[ "$(jval 5.partner)" = sicilia ]; then
	ok allocation_defaults
else
	fail allocation_defaults "exit $RC ($(first_err)) $(head -c 200 "$T/out")"
fi
on "$HUB" hub allocation set nova 50
on "$HUB" hub allocation
if [ "$RC" -eq 0 ] && out_has "nova" && out_has "allocated     50"; then
	ok allocation_set
else
	fail allocation_set "exit $RC ($(first_err)) $(head -c 200 "$T/out")"
fi
on "$HUB" hub allocation set lazio 5
[ "$RC" -ne 0 ] && err_has "'lazio'" && ok allocation_unknown_partner_refused ||
	fail allocation_unknown_partner_refused "exit $RC ($(first_err))"

stop_hub
finish
