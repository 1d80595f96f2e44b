#!/bin/sh
# tests/e2e/test_bdi.sh - the BdI procedure end to end through the
# operators' commands (node/cli/cmd_case.c, cmd_assess.c, cmd_bdi.c): a
# real hub over TLS, a Polo and the Punto di Accesso of Sicilia and a
# soggetto attuatore, with syncs in between.  The Polo identifies and
# submits; the hub validates (and rejects a second case, whose reason
# returns to the Polo) and hands the matching to the PdA; the PdA matches
# the attuatore, which adds the entry profile and the plan, takes charge
# and proposes closing with the exit profile while the hub, offline from
# it, formalises the closing: both converge on "closed"; a follow-up.  Refused: the Polo validating, the PdA matching before the
# hub's hand-over, the attuatore matching, a take-charge without the
# entry profile and the plan, a closing without the exit profile, a
# follow-up before the closing, each with its Italian message.  The
# Polo reads the rejection's reason and orientation in `case show`; the
# soggetto attuatore reads the whole timeline and the case's records,
# without the personal texts.  The procedure's commands read personal
# text from "@FILE" and dates typed dd/mm/yyyy (stored YYYY-MM-DD) as the
# other operators' commands do (node/cli/ops.h).
# e2e: plain build only
# (The procedure's steps run under the sanitizers in
# tests/node/test_store_bdi.c and tests/node/test_store_require.c; here they
# are driven through the commands.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sync_lib.sh"

PRESIDIO_OPERATOR=alice
PRESIDIO_PASSPHRASE=$E2E_PASSPHRASE
export PRESIDIO_OPERATOR PRESIDIO_PASSPHRASE
unset PRESIDIO_DIR

make_ca
[ -s "$T/pki/hub.pem" ] || { fail test_ca "openssl failed"; finish; }
start_hub
add_node polo-s polo Sicilia
[ "$RC" -eq 0 ] || { fail enroll_polo "exit $RC ($(first_err))"; finish; }
add_node pda-s pda Sicilia
[ "$RC" -eq 0 ] || { fail enroll_pda "exit $RC ($(first_err))"; finish; }
add_node att-1 attuatore Sicilia
[ "$RC" -eq 0 ] || { fail enroll_att "exit $RC ($(first_err))"; finish; }

HUB=$T/hub
PO=$T/polo-s
PA=$T/pda-s
AT=$T/att-1

# sync_n DIR...: sync each, in order.
sync_n() {
	s_bad=
	for n in "$@"; do
		on "$n" sync
		[ "$RC" -eq 0 ] || s_bad="$s_bad ${n##*/}:$RC($(first_err))"
	done
	[ -z "$s_bad" ]
}

# stage DIR CASE: the case's bdi_stage there.
stage() {
	on "$1" case show "$2" --json
	jval bdi.stage <"$T/out" 2>/dev/null || true
}

expect_ok() {
	[ "$RC" -eq 0 ] && ok "$1" || fail "$1" "exit $RC ($(first_err))"
}

bad=
for c in case assess validate match profile plan take-charge close followup \
	"case open" "case show" "plan add" "plan goal" "profile add"; do
	run "$P" $c --help
	[ "$RC" -eq 0 ] && out_has "Codici di uscita" || bad="$bad [$c]"
done
[ -z "$bad" ] && ok help_in_italian || fail help_in_italian "$bad"

# ---- the Polo identifies and submits -------------------------------------

onj '{"given_name":"Amadou","family_name":"Sow","birth_date":"1991-02-03"}' \
	"$PO" person add --force
expect_ok person_add
PER=$(out_line)
on "$PO" case open --person "$PER" --region Sicilia --channel outreach \
	--level complesso --bdi
expect_ok case_open
C1=$(out_line)
on "$PO" case open --person "$PER" --region Sicilia --bdi
C2=$(out_line)
on "$PO" case open --person "$PER" --region Lazio
[ "$RC" -eq 2 ] && err_has "--region: valore non previsto per il campo region" &&
	ok case_open_bad_region_names_option ||
	fail case_open_bad_region_names_option "exit $RC ($(first_err))"

printf 'Lavora 12 ore al giorno senza contratto\n' >"$T/sit.txt"
on "$PO" assess "$C1" --criterion1 si --indicators wages,hours \
	--criterion2 si --type 4 --proposer "Polo Palermo" \
	--situation "@$T/sit.txt" --submit
expect_ok assess_submit
AS1=$(out_line)
on "$PO" get "$AS1"
[ "$RC" -eq 0 ] && out_has "Lavora 12 ore al giorno senza contratto" &&
	ok assess_situation_from_at_file ||
	fail assess_situation_from_at_file "exit $RC $(head -c 200 "$T/out")"
on "$PO" assess "$C2" --criterion1 no --criterion2 si --type 5 --submit
expect_ok assess_submit_second
on "$PO" case open --person "$PER" --region Sicilia
C3=$(out_line)
on "$PO" assess "$C3" --criterion1 si --criterion2 si --type 2 --submit
expect_ok assess_submit_third
on "$PO" validate "$C1" --eligible
[ "$RC" -eq 9 ] && err_has "spetta a l'hub (Focal Point BdI); questo nodo e' un Polo" &&
	ok polo_validating_refused || fail polo_validating_refused "exit $RC ($(first_err))"
sync_n "$PO" && ok sync_submitted || fail sync_submitted "$s_bad"

# ---- the hub validates one, rejects the other, hands over to the PdA ----

on "$HUB" validate "$C2" --not-eligible
[ "$RC" -eq 2 ] && err_has "richiede la motivazione" &&
	ok reject_needs_reason || fail reject_needs_reason "exit $RC ($(first_err))"
on "$HUB" validate "$C1" --eligible
expect_ok hub_validates
printf 'Mancano gli indici di sfruttamento\n' | on "$HUB" validate "$C2" \
	--not-eligible --reason - --orientation "Polo di Palermo"
expect_ok hub_rejects
on "$HUB" validate "$C3" --eligible
expect_ok hub_validates_third
on "$HUB" match "$C1" --to-pda
expect_ok hub_hands_to_pda
sync_n "$PO" "$PA" && ok sync_validated || fail sync_validated "$s_bad"
[ "$(stage "$PO" "$C2")" = rejected ] && ok rejection_back_at_polo ||
	fail rejection_back_at_polo "stage $(stage "$PO" "$C2")"
on "$PO" case show "$C2"
out_has "Esito della validazione: Non eleggibile" &&
	out_has "Mancano gli indici di sfruttamento" &&
	out_has "Polo di Palermo" && ok polo_sees_rejection ||
	fail polo_sees_rejection "$(head -c 300 "$T/out")"

# ---- the PdA matches the attuatore ----------------------------------------

[ "$(stage "$PA" "$C1")" = validated ] && ok pda_has_case ||
	fail pda_has_case "stage $(stage "$PA" "$C1")"
on "$PA" match "$C3" --attuatore att-1
[ "$RC" -eq 9 ] && err_has "per passare a \"Matching fatto\" (campo bdi_stage) manca: il matching affidato dall'Helpdesk al Punto di Accesso (campo bdi_matching)" &&
	ok pda_match_before_handover_refused ||
	fail pda_match_before_handover_refused "exit $RC ($(first_err))"
on "$PA" match "$C1" --attuatore att-1
expect_ok pda_matches
sync_n "$PA" "$AT" && ok sync_matched || fail sync_matched "$s_bad"
[ "$(stage "$AT" "$C1")" = matched ] && ok attuatore_receives_case ||
	fail attuatore_receives_case "stage $(stage "$AT" "$C1")"
on "$AT" match "$C1" --attuatore att-1
[ "$RC" -eq 9 ] && err_has "il passaggio a \"Matching fatto\" (campo bdi_stage) spetta a l'hub (Focal Point BdI), un Punto di Accesso; questo nodo e' un soggetto attuatore" &&
	ok attuatore_matching_refused ||
	fail attuatore_matching_refused "exit $RC ($(first_err))"

# ---- the attuatore: profile, plan, take charge, close ---------------------

on "$AT" take-charge "$C1"
[ "$RC" -eq 9 ] && err_has "manca: la scheda profilo di entrata; il progetto di accompagnamento (PAI)" &&
	ok take_charge_without_profile_refused ||
	fail take_charge_without_profile_refused "exit $RC ($(first_err))"
on "$AT" profile add "$C1" --kind entry --housing critical --labour fragile \
	--date 2026-03-01
expect_ok profile_entry
on "$AT" plan add "$C1" --agreed-on 2026-03-05 --review-due 2026-06-05
expect_ok plan_add
PLAN=$(out_line)
printf 'Trovare un alloggio stabile\n' | on "$AT" plan goal "$PLAN" \
	--area housing --goal - --deadline 2026-06-30
expect_ok plan_goal
printf 'Un contratto di lavoro regolare\n' >"$T/goal.txt"
on "$AT" plan goal "$PLAN" --area lavoro --goal "@$T/goal.txt" \
	--deadline 31/12/2026
expect_ok plan_goal_at_file_italian_date
G2=$(out_line)
on "$AT" get "$G2"
out_has "Un contratto di lavoro regolare" && out_has '"2026-12-31"' &&
	out_has '"labour"' && ok plan_goal_stored_iso_date_and_text ||
	fail plan_goal_stored_iso_date_and_text "$(head -c 300 "$T/out")"
on "$AT" plan goal "$PLAN" --area housing --goal x --deadline 31/02/2026
[ "$RC" -eq 2 ] && err_has "--deadline" && ok plan_goal_bad_date_refused ||
	fail plan_goal_bad_date_refused "exit $RC ($(first_err))"
on "$AT" plan goal "$PLAN" --area housing --goal "@$T/missing.txt"
[ "$RC" -ne 0 ] && err_has "NON FATTO" && ok plan_goal_missing_file_refused ||
	fail plan_goal_missing_file_refused "exit $RC ($(first_err))"
on "$AT" take-charge "$C1"
expect_ok take_charge
on "$AT" close "$C1"
[ "$RC" -eq 9 ] && err_has "manca: la scheda profilo di uscita" &&
	ok close_without_exit_refused || fail close_without_exit_refused "exit $RC ($(first_err))"
on "$AT" profile add "$C1" --kind exit --housing adequate
expect_ok profile_exit
sync_n "$AT" && ok sync_exit_profile || fail sync_exit_profile "$s_bad"

# ---- offline on two nodes: the hub formalises, the attuatore proposes ------

on "$HUB" close "$C1"
expect_ok hub_formalises
on "$AT" close "$C1"
expect_ok attuatore_proposes_closing_offline
on "$AT" followup "$C1" --area labour --date 2026-12-01 --outcome improved
[ "$RC" -eq 9 ] && err_has "il follow-up viene dopo la chiusura" &&
	ok followup_before_closed_refused ||
	fail followup_before_closed_refused "exit $RC ($(first_err))"
sync_n "$AT" && ok sync_closing || fail sync_closing "$s_bad"
[ "$(stage "$HUB" "$C1")" = closed ] && [ "$(stage "$AT" "$C1")" = closed ] &&
	ok offline_steps_converge_on_closed ||
	fail offline_steps_converge_on_closed "hub $(stage "$HUB" "$C1") att $(stage "$AT" "$C1")"
on "$HUB" conflicts
[ "$RC" -eq 0 ] && ! out_has "$C1" && ok no_conflict_left ||
	fail no_conflict_left "exit $RC $(head -c 200 "$T/out")"

# ---- follow-up -------------------------------------------------------------

printf 'Ha un contratto a tempo indeterminato\n' >"$T/note.txt"
on "$HUB" followup "$C1" --area labour --date 01/12/2026 --outcome improved \
	--note "@$T/note.txt"
expect_ok followup
FU=$(out_line)
on "$HUB" get "$FU"
out_has '"2026-12-01"' && out_has "Ha un contratto a tempo indeterminato" &&
	ok followup_italian_date_and_at_file ||
	fail followup_italian_date_and_at_file "$(head -c 300 "$T/out")"
[ "$(stage "$HUB" "$C1")" = follow_up ] && ok case_in_follow_up ||
	fail case_in_follow_up "stage $(stage "$HUB" "$C1")"
sync_n "$AT" && ok sync_end || fail sync_end "$s_bad"
on "$AT" case show "$C1"
bad=
for w in "Procedura BdI: Follow-up" "Individuazione" "Pre-assessment inviato" \
	"Validato" "Matching fatto" "Presa in carico" "Chiusura proposta" \
	"Chiuso" "Scheda profilo" "Obiettivo del progetto" "Follow-up"; do
	out_has "$w" || bad="$bad [$w]"
done
out_has "alloggio stabile" && bad="$bad personal-goal-shown"
out_has "12 ore" && bad="$bad personal-situation-shown"
[ -z "$bad" ] && ok show_timeline_and_records || fail show_timeline_and_records "$bad"

finish
