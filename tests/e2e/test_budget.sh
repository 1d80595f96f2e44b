#!/bin/sh
# tests/e2e/test_budget.sh - the operators' commands of the doti, the
# budget, consents, referrals, the service map and the CSV export
# (node/cli/cmd_dote.c, cmd_care.c, cmd_directory.c) through a real TLS
# hub and two nodes holding one case (the Punto di Accesso Sicilia and a
# soggetto attuatore):
# - only the hub assigns a dote, to a validated case, within the
#   partner's allocation (refused past it, naming partner and numbers);
# - expenses typed in euro, booked offline on both nodes, that together
#   pass EUR 12,000: both kept after sync, `budget show` and `conflicts`
#   show the cap conflict on every replica; a storno settles it on all;
# - the consent gate of a referral; the service map;
# - export: a new file of mode 0600, never over an existing one.
# e2e: plain build only
# (The budget rules run under the sanitizers in tests/node/test_store_rule.c
# and tests/schema/test_rule.c; here they are driven through the commands.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sync_lib.sh"

PRESIDIO_OPERATOR=alice
PRESIDIO_PASSPHRASE=$E2E_PASSPHRASE
export PRESIDIO_OPERATOR PRESIDIO_PASSPHRASE
unset PRESIDIO_DIR

make_ca
[ -s "$T/pki/hub.pem" ] || { fail test_ca "openssl failed"; finish; }
start_hub
add_node pda-s pda Sicilia
[ "$RC" -eq 0 ] || { fail enroll_pda "exit $RC ($(first_err))"; finish; }
add_node att-1 attuatore Sicilia
[ "$RC" -eq 0 ] || { fail enroll_att "exit $RC ($(first_err))"; finish; }

HUB=$T/hub
S=$T/pda-s
A=$T/att-1

sync_all() {
	s_bad=
	for n in "$S" "$A" "$S" "$A"; do
		on "$n" sync
		[ "$RC" -eq 0 ] || s_bad="$s_bad ${n##*/}:$RC($(first_err))"
	done
	[ -z "$s_bad" ]
}

# ---- a case validated on the hub, held by both nodes ---------------------

onj '{"given_name":"Amina","family_name":"Diallo","birth_date":"1990-05-01"}' "$HUB" put person
PERSON=$(out_line)
onj "{\"person_id\":\"$PERSON\",\"region\":\"Sicilia\",\"stage\":\"intake\",\"bdi_stage\":\"submitted\",\"nodes\":[\"att-1\"]}" "$HUB" put case
CASE=$(out_line)
[ "$RC" -eq 0 ] || fail case_put "exit $RC ($(first_err))"

on "$HUB" dote assign "$CASE" --partner sicilia
if [ "$RC" -eq 9 ] && err_has "NON FATTO" && err_has "bdi_stage"; then
	ok dote_refused_before_validation
else
	fail dote_refused_before_validation "exit $RC ($(first_err))"
fi

onj "{\"case_id\":\"$CASE\",\"decision\":\"eligible\"}" "$HUB" put assessment
onj '{"bdi_stage":"validated"}' "$HUB" put case "$CASE"
[ "$RC" -eq 0 ] && ok case_validated || fail case_validated "exit $RC ($(first_err))"

on "$HUB" dote assign "$CASE" --partner sicilia --start 01/03/2026 --end 30/03/2026
if [ "$RC" -eq 6 ] && err_has "justification"; then
	ok dote_short_needs_justification
else
	fail dote_short_needs_justification "exit $RC ($(first_err))"
fi
on "$HUB" dote assign "$CASE" --partner sicilia --start 01/03/2026 --end 2026-09-30
DOTE=$(out_line)
[ "$RC" -eq 0 ] && ok dote_assigned || fail dote_assigned "exit $RC ($(first_err))"

# The allocation: set to what is used, the next dote is refused.
on "$HUB" hub allocation set sicilia 1
on "$HUB" dote assign "$CASE" --partner sicilia
if [ "$RC" -eq 6 ] && err_has "Sicilia" && err_has "1 doti assegnate su 1"; then
	ok dote_refused_past_allocation
else
	fail dote_refused_past_allocation "exit $RC ($(first_err))"
fi

sync_all && ok sync_dote || fail sync_dote "$s_bad"
on "$S" dote assign "$CASE" --partner sicilia
[ "$RC" -eq 9 ] && err_has "solo l'hub" && ok dote_assign_hub_only ||
	fail dote_assign_hub_only "exit $RC ($(first_err))"
on "$A" dote activate "$DOTE"
[ "$RC" -eq 0 ] && ok dote_activated_by_attuatore || fail dote_activated_by_attuatore "exit $RC ($(first_err))"
on "$A" dote close "$DOTE"
[ "$RC" -eq 9 ] && err_has "status" && ok dote_close_hub_only ||
	fail dote_close_hub_only "exit $RC ($(first_err))"

# ---- the ledger ----------------------------------------------------------

on "$S" budget add "$DOTE" --area abitativa --amount 12.000,01 --kind spesa
if [ "$RC" -eq 6 ] && err_has "amount_cents" && err_has "restano 12.000,00"; then
	ok over_cap_refused_locally
else
	fail over_cap_refused_locally "exit $RC ($(first_err))"
fi
on "$S" budget add "$DOTE" --area abitativa --amount 1,2,3 --kind spesa
[ "$RC" -eq 2 ] && err_has "--amount" && ok bad_amount_names_option ||
	fail bad_amount_names_option "exit $RC ($(first_err))"
on "$S" budget add "$DOTE" --area abitativa --amount 10 --kind spesa --date 31/02/2026
[ "$RC" -eq 2 ] && err_has "--date" && ok bad_date_names_option ||
	fail bad_date_names_option "exit $RC ($(first_err))"

# Offline on both: 7.000,00 + 6000.50 pass the cap together.
printf 'affitto marzo\n' >"$T/desc"
on "$S" budget add "$DOTE" --area abitativa --amount 7.000,00 --kind spesa --date 05/03/2026 --description @"$T/desc"
[ "$RC" -eq 0 ] && ok expense_pda || fail expense_pda "exit $RC ($(first_err))"
on "$A" budget add "$DOTE" --area lavoro --amount 6000.50 --kind impegno --date 2026-03-06 --description - <"$T/desc"
[ "$RC" -eq 0 ] && ok expense_attuatore || fail expense_attuatore "exit $RC ($(first_err))"

sync_all && ok sync_expenses || fail sync_expenses "$s_bad"
bad=
for n in "$HUB" "$S" "$A"; do
	on "$n" budget show "$DOTE" --json
	[ "$(jval total_cents)" = 1300050 ] || bad="$bad ${n##*/}:total=$(jval total_cents)"
	[ "$(jval cap_conflict)" = true ] || bad="$bad ${n##*/}:no-conflict"
	on "$n" budget show "$DOTE"
	out_has "CONFLITTO APERTO" && out_has "1.000,50" && out_has "13.000,50" ||
		bad="$bad ${n##*/}:text"
	on "$n" conflicts
	out_has "$DOTE (dote) rule:" || bad="$bad ${n##*/}:conflicts"
done
[ -z "$bad" ] && ok cap_conflict_everywhere || fail cap_conflict_everywhere "$bad"

on "$A" budget add "$DOTE" --area lavoro --amount 1000,50 --kind storno
[ "$RC" -eq 0 ] && ok storno_taken || fail storno_taken "exit $RC ($(first_err))"
sync_all
bad=
for n in "$HUB" "$S" "$A"; do
	on "$n" budget show "$DOTE" --json
	[ "$(jval total_cents)" = 1200000 ] || bad="$bad ${n##*/}:total=$(jval total_cents)"
	[ "$(jval cap_conflict)" = false ] || bad="$bad ${n##*/}:conflict"
	[ "$(jval left_cents)" = 0 ] || bad="$bad ${n##*/}:left"
	on "$n" conflicts
	[ "$(out_line)" = "no open conflicts" ] || bad="$bad ${n##*/}:open"
done
[ -z "$bad" ] && ok storno_settles_everywhere || fail storno_settles_everywhere "$bad"

# ---- the service map, services, the consent gate --------------------------

on "$S" directory add --body "Sportello lavoro Palermo" --type job_placement --region Sicilia --municipality Palermo
DIR=$(out_line)
[ "$RC" -eq 0 ] && ok directory_add || fail directory_add "exit $RC ($(first_err))"
onj '{"body":"Casa accoglienza","service_type":"housing","region":"Sicilia"}' "$S" directory add
[ "$RC" -eq 0 ] && ok directory_add_json || fail directory_add_json "exit $RC ($(first_err))"
on "$S" directory list --region Sicilia --type job_placement
[ "$RC" -eq 0 ] && out_has "Sportello lavoro Palermo" && ! out_has "Casa accoglienza" &&
	ok directory_list_filters || fail directory_list_filters "exit $RC ($(cat "$T/out"))"

on "$S" service add "$CASE" --type Mediazione
[ "$RC" -eq 2 ] && err_has "--type" && ok service_type_ambiguous_refused ||
	fail service_type_ambiguous_refused "exit $RC ($(first_err))"
on "$S" service add "$CASE" --type "mediazione linguistico-culturale" --date 12/03/2026 --duration 45 --outcome completed --note "colloquio"
[ "$RC" -eq 0 ] && ok service_add || fail service_add "exit $RC ($(first_err))"
on "$S" service --help
out_has "Mediazione linguistico-culturale" && ok service_help_lists_types ||
	fail service_help_lists_types "no label"

on "$S" referral send "$CASE" --service "$DIR" --reason "cerca lavoro"
if [ "$RC" -eq 9 ] && err_has "consenso" && err_has "consent add"; then
	ok referral_refused_without_consent
else
	fail referral_refused_without_consent "exit $RC ($(first_err))"
fi
on "$S" consent add "$CASE" --purpose invio --date 02/03/2026
CONSENT=$(out_line)
[ "$RC" -eq 0 ] && ok consent_add || fail consent_add "exit $RC ($(first_err))"
on "$S" referral send "$CASE" --service "$DIR" --reason - <"$T/desc"
REF=$(out_line)
[ "$RC" -eq 0 ] && ok referral_sent_with_consent || fail referral_sent_with_consent "exit $RC ($(first_err))"
on "$S" referral accept "$REF"
[ "$RC" -eq 0 ] && ok referral_accept || fail referral_accept "exit $RC ($(first_err))"
on "$S" referral complete "$REF"
[ "$RC" -eq 0 ] && ok referral_complete || fail referral_complete "exit $RC ($(first_err))"
on "$S" referral decline "$REF"
[ "$RC" -eq 6 ] && err_has "non e' previsto" && ok referral_step_not_declared ||
	fail referral_step_not_declared "exit $RC ($(first_err))"
on "$S" referral list "$CASE"
out_has "Sportello lavoro Palermo" && ok referral_list || fail referral_list "$(cat "$T/out")"
on "$S" consent revoke "$CONSENT"
[ "$RC" -eq 0 ] && ok consent_revoke || fail consent_revoke "exit $RC ($(first_err))"
on "$S" consent revoke "$CONSENT"
[ "$RC" -eq 8 ] && err_has "revoked_on" && ok consent_revoke_twice_refused ||
	fail consent_revoke_twice_refused "exit $RC ($(first_err))"
on "$S" consent list "$CASE"
out_has "REVOCATO" && ok consent_list_shows_revoked || fail consent_list_shows_revoked "$(cat "$T/out")"
on "$S" referral send "$CASE" --to "Centro antiviolenza"
[ "$RC" -eq 9 ] && err_has "consenso" && ok referral_refused_after_revoke ||
	fail referral_refused_after_revoke "exit $RC ($(first_err))"
# A referral under way stops when its consent is revoked: accepting and
# completing it need the consent still in force.
on "$S" consent add "$CASE" --purpose invio --date 03/03/2026
CONSENT2=$(out_line)
on "$S" referral send "$CASE" --to "Centro antiviolenza"
REF2=$(out_line)
[ "$RC" -eq 0 ] && ok referral_sent_with_new_consent ||
	fail referral_sent_with_new_consent "exit $RC ($(first_err))"
on "$S" consent revoke "$CONSENT2"
on "$S" referral accept "$REF2"
[ "$RC" -eq 9 ] && err_has "consenso" && ok referral_accept_refused_after_revoke ||
	fail referral_accept_refused_after_revoke "exit $RC ($(first_err))"
on "$S" referral revoke "$REF2"
[ "$RC" -eq 0 ] && ok referral_revoked_without_consent ||
	fail referral_revoked_without_consent "exit $RC ($(first_err))"

# ---- export ---------------------------------------------------------------

on "$S" export --csv ledger --out "$T/ledger.csv"
if [ "$RC" -eq 0 ] && [ "$(stat -c %a "$T/ledger.csv")" = 600 ] &&
	grep -q "^Identificativo;Dote;Area di intervento;Importo" "$T/ledger.csv" &&
	grep -q ";7.000,00;05/03/2026;Spesa;affitto marzo;" "$T/ledger.csv"; then
	ok export_new_file_0600
else
	fail export_new_file_0600 "exit $RC ($(first_err))"
fi
on "$S" export --csv ledger --out "$T/ledger.csv"
[ "$RC" -eq 8 ] && err_has "esiste" && ok export_refuses_overwrite ||
	fail export_refuses_overwrite "exit $RC ($(first_err))"
on "$S" export --csv ledger
[ "$RC" -eq 2 ] && [ ! -s "$T/out" ] && ok export_no_stdout_by_default ||
	fail export_no_stdout_by_default "exit $RC"
on "$S" export --csv service --stdout
[ "$RC" -eq 0 ] && out_has "Mediazione linguistico-culturale" && ok export_stdout_explicit ||
	fail export_stdout_explicit "exit $RC ($(first_err))"

finish
