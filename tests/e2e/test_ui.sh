#!/bin/sh
# tests/e2e/test_ui.sh - `presidio ui` (node/ui/ui.h) over HTTP on
# 127.0.0.1 and over TLS, driven with curl as a browser would drive it:
#   - the pages, with their security headers and no inline script;
#   - a client without a session gets no data, and no personal value in
#     any answer (a person is registered first);
#   - a wrong passphrase is refused and slowed down (429, Retry-After);
#   - signing in sets a cookie HttpOnly and SameSite=Strict (Secure under
#     TLS) and gives the CSRF token; the status answers;
#   - writes without the CSRF token, or from another origin, are refused;
#   - bad sign-in bodies get 4xx naming the field;
#   - the session ends after --idle seconds without a request, and on
#     sign-out (the cookie deleted, the next request refused);
#   - a non-loopback address without TLS is refused at start.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sync_lib.sh"
. "$(dirname "$0")/ui_lib.sh"

setup_node
NAME="Ifeoma Okonkwo-Nwosu"
printf '{"given_name":"Ifeoma","family_name":"Okonkwo-Nwosu","sex":"F","birth_date":"1990-03-04","nationality":"NG"}' >"$T/p.json"
pr put person <"$T/p.json"
[ "$RC" -eq 0 ] && ok person_registered || fail person_registered "exit $RC ($(first_err))"
# Permits expiring: in 20 days (listed), 10 days ago (listed, late), in
# 90 days (beyond the 60 looked at).
for p in "Soon:$(date -d '+20 days' +%F)" "Late:$(date -d '-10 days' +%F)" "Far:$(date -d '+90 days' +%F)"; do
	printf '{"given_name":"Permit","family_name":"%s","residence_permit_expiry":"%s"}' \
		"${p%%:*}" "${p#*:}" >"$T/p2.json"
	pr put person <"$T/p2.json"
done

# req METHOD PATH [CURL ARGS...]: status in $ST, headers in $T/h, body in
# $T/b; the cookie jar is $T/jar.
req() {
	r_m=$1
	r_p=$2
	shift 2
	ST=$(curl -s -o "$T/b" -D "$T/h" -w '%{http_code}' -X "$r_m" \
		-b "$T/jar" -c "$T/jar" $CURL_TLS "$@" "$BASE$r_p")
	cat "$T/b" "$T/h" >>"$T/answers"
}

# signin OPERATOR PASSPHRASE
signin() {
	req POST /api/session -H 'Content-Type: application/json' \
		-d "{\"operator\":\"$1\",\"passphrase\":\"$2\"}"
}

hdr() { grep -i "^$1:" "$T/h" | head -n 1 | tr -d '\r'; }

ui_serve "$PRESIDIO_DIR" --idle 4
BASE="http://127.0.0.1:$UI_PORT"
CURL_TLS=
: >"$T/jar"

# ---- the pages -------------------------------------------------------------
req GET /
[ "$ST" = 200 ] && grep -q '<html lang="it">' "$T/b" && ok index_served ||
	fail index_served "status $ST"
csp=$(hdr Content-Security-Policy)
case $csp in
*"script-src 'self'"*"frame-ancestors 'none'"*) ok csp_strict ;;
*) fail csp_strict "'$csp'" ;;
esac
case $csp in *unsafe*) fail csp_no_unsafe "'$csp'" ;; *) ok csp_no_unsafe ;; esac
[ "$(hdr X-Frame-Options)" = "X-Frame-Options: DENY" ] && ok no_framing ||
	fail no_framing "$(hdr X-Frame-Options)"
# No inline script or style in any page: every <script> has a src.
inline=0
for f in index.html; do
	req GET "/$( [ $f = index.html ] || echo static/)$f"
	grep -o '<script[^>]*>' "$T/b" | grep -v ' src=' >/dev/null && inline=1
	grep -q ' style=' "$T/b" && inline=1
	grep -q ' on[a-z]*=' "$T/b" && inline=1
done
[ $inline = 0 ] && ok no_inline_script || fail no_inline_script "inline code in a page"
req GET /static/app.js
[ "$ST" = 200 ] && hdr Content-Type | grep -q javascript && ok script_served ||
	fail script_served "status $ST"
req GET /static/nothing.js
[ "$ST" = 404 ] && grep -q '"error"' "$T/b" && ok unknown_page_404 ||
	fail unknown_page_404 "status $ST"

# ---- without a session -----------------------------------------------------
nodata=1
PID=$(db "SELECT lower(hex(id)) FROM record LIMIT 1" | sed 's/^\(.\{8\}\)\(.\{4\}\)\(.\{4\}\)\(.\{4\}\)/\1-\2-\3-\4-/')
for p in /api/status /api/session /api/schema "/api/records/$PID" \
	"/api/cases/$PID" /api/conflicts /api/home /api/dashboard /api/persons/index; do
	req GET "$p"
	[ "$ST" = 401 ] || { nodata=0; echo "# GET $p: $ST"; }
	grep -q '"error"' "$T/b" || nodata=0
done
for p in /api/persons/search /api/persons/check /api/persons \
	/api/cases/of-person /api/conflicts/settle "/api/records/$PID" /api/records; do
	req POST $p -H 'Content-Type: application/json' -d '{"name":"okonkwo"}'
	[ "$ST" = 401 ] || { nodata=0; echo "# POST $p: $ST"; }
done
# A route that takes no body refuses one before anything else (413).
req POST /api/sync
[ "$ST" = 401 ] || { nodata=0; echo "# POST /api/sync: $ST"; }
req DELETE /api/session
[ "$ST" = 401 ] || nodata=0
[ $nodata = 1 ] && ok no_session_no_data || fail no_session_no_data "status $ST"

# ---- sign-in: bad input, wrong passphrase, pacing --------------------------
req POST /api/session -d '{"operator":"alice","passphrase":"x"}'
[ "$ST" = 415 ] && ok signin_needs_json || fail signin_needs_json "status $ST"
req POST /api/session -H 'Content-Type: application/json' -d '{"passphrase":"x"}'
[ "$ST" = 400 ] && grep -q "campo 'operator'" "$T/b" && ok signin_names_field ||
	fail signin_names_field "status $ST $(head -c 200 "$T/b")"
req POST /api/session -H 'Content-Type: application/json' -d '[1,2'
[ "$ST" = 400 ] && ok signin_bad_json || fail signin_bad_json "status $ST"
req POST /api/session -H 'Content-Type: application/json' \
	-H 'Origin: http://evil.example' -d '{"operator":"alice","passphrase":"x"}'
[ "$ST" = 403 ] && ok signin_other_origin_refused || fail signin_other_origin_refused "status $ST"

signin alice wrong-passphrase
[ "$ST" = 401 ] && grep -q 'non validi' "$T/b" && ok wrong_passphrase_refused ||
	fail wrong_passphrase_refused "status $ST"
signin alice "$E2E_PASSPHRASE"
retry=$(hdr Retry-After)
[ "$ST" = 429 ] && [ -n "$retry" ] && ok wrong_passphrase_slowed ||
	fail wrong_passphrase_slowed "status $ST '$retry'"
sleep 1.2
signin alice wrong-again
signin alice "$E2E_PASSPHRASE"
[ "$ST" = 429 ] && [ "$(hdr Retry-After | tr -dc 0-9)" -ge 1 ] &&
	ok pacing_doubles || fail pacing_doubles "status $ST $(hdr Retry-After)"
sleep 2.2

# ---- signed in -------------------------------------------------------------
cp "$T/answers" "$T/signed_out.answers"
signin alice "$E2E_PASSPHRASE"
ck=$(hdr Set-Cookie)
csrf=$(jval csrf "$T/b")
[ "$ST" = 200 ] && [ -n "$csrf" ] && ok signin_ok || fail signin_ok "status $ST $(head -c 200 "$T/b")"
case $ck in
*presidio_sid=*HttpOnly*SameSite=Strict*) ok cookie_httponly_strict ;;
*) fail cookie_httponly_strict "'$ck'" ;;
esac
case $ck in *Secure*) fail cookie_plain_not_secure "'$ck'" ;; *) ok cookie_plain_not_secure ;; esac
case $ck in *Max-Age*|*Expires*) fail cookie_session_only "'$ck'" ;; *) ok cookie_session_only ;; esac
req GET /api/status
[ "$ST" = 200 ] && [ "$(jval records "$T/b")" -ge 1 ] && ok status_signed_in ||
	fail status_signed_in "status $ST"
req GET /api/session
[ "$ST" = 200 ] && [ "$(jval operator "$T/b")" = alice ] && ok who_am_i ||
	fail who_am_i "status $ST"

# ---- persons ---------------------------------------------------------------
# post PATH JSON: a write of this session (CSRF token and JSON body).
post() {
	req POST "$1" -H 'Content-Type: application/json' \
		-H "X-Presidio-CSRF: $csrf" -d "$2"
}
req GET /api/persons/index
[ "$ST" = 200 ] && [ "$(jval ready "$T/b")" = true ] && ok person_index_prepared ||
	fail person_index_prepared "status $ST $(head -c 200 "$T/b")"
post /api/persons/search '{"name":"okonkwo"}'
[ "$ST" = 200 ] && [ "$(jval hits.0.family_name "$T/b")" = Okonkwo-Nwosu ] &&
	[ "$(jval count "$T/b")" = 1 ] && ok search_by_name ||
	fail search_by_name "status $ST $(head -c 200 "$T/b")"
PID=$(jval hits.0.id "$T/b")
post /api/persons/search '{"birth":"04/03/1990","nationality":"NG"}'
[ "$ST" = 200 ] && [ "$(jval hits.0.id "$T/b")" = "$PID" ] &&
	ok search_by_birth_and_nationality || fail search_by_birth_and_nationality "status $ST"
post /api/persons/search '{"birth":"1991"}'
[ "$ST" = 200 ] && [ "$(jval count "$T/b")" = 0 ] && ok search_nothing_found ||
	fail search_nothing_found "status $ST"
bad=
for body in '{}' '{"birth":"31/02/1990"}' '{"name":42}' '{"nationality":"NGA"}' \
	'{"name":"x","limit":0}' '[1]'; do
	post /api/persons/search "$body"
	[ "$ST" = 400 ] && grep -q '"error"' "$T/b" || bad="$bad $body:$ST"
done
[ -z "$bad" ] && ok search_bad_input_400 || fail search_bad_input_400 "$bad"
post /api/persons/search '{"birth":"31/02/1990"}'
grep -q 'nascita' "$T/b" && ok search_error_names_field || fail search_error_names_field "$(head -c 200 "$T/b")"
post /api/persons/search '{"nationality":"NGA"}'
grep -q "campo 'nationality'" "$T/b" && ok search_error_names_field_2 || fail search_error_names_field_2 "$(head -c 200 "$T/b")"

before=$(db "SELECT count(*) FROM record")
DUP='{"given_name":"Ifeoma","family_name":"Okonkwo Nwosu","sex":"F","birth_date":"1990-03-04","nationality":"NG"}'
post /api/persons/check "{\"fields\":$DUP}"
[ "$ST" = 200 ] && [ "$(jval duplicates.0.id "$T/b")" = "$PID" ] &&
	[ "$(jval strong "$T/b")" = true ] && ok duplicate_check ||
	fail duplicate_check "status $ST $(head -c 300 "$T/b")"
post /api/persons "{\"fields\":$DUP}"
[ "$ST" = 409 ] && [ "$(jval error.code "$T/b")" = duplicate ] &&
	[ "$(jval duplicates.0.id "$T/b")" = "$PID" ] &&
	[ "$(db "SELECT count(*) FROM record")" = "$before" ] &&
	ok strong_duplicate_not_written || fail strong_duplicate_not_written "status $ST"
post /api/persons '{"fields":{"given_name":"Ifeoma","family_name":"X","birth_date":"1990-13-04"}}'
[ "$ST" = 400 ] && grep -q "birth_date" "$T/b" &&
	[ "$(db "SELECT count(*) FROM record")" = "$before" ] &&
	ok invalid_person_names_field || fail invalid_person_names_field "status $ST $(head -c 200 "$T/b")"
post /api/persons "{\"fields\":$DUP,\"force\":\"yes\"}"
[ "$ST" = 400 ] && grep -q "campo 'force'" "$T/b" && ok force_must_be_boolean ||
	fail force_must_be_boolean "status $ST"
post /api/persons "{\"fields\":$DUP,\"force\":true}"
NEW=$(jval id "$T/b")
[ "$ST" = 201 ] && [ -n "$NEW" ] && [ "$(db "SELECT count(*) FROM record")" -gt "$before" ] &&
	ok confirmed_person_written || fail confirmed_person_written "status $ST $(head -c 200 "$T/b")"
req GET "/api/records/$NEW"
[ "$ST" = 200 ] && [ "$(jval fields.family_name "$T/b")" = "Okonkwo Nwosu" ] &&
	[ "$(jval collection "$T/b")" = person ] && [ -n "$(jval versions.family_name.operator "$T/b")" ] &&
	ok record_with_versions || fail record_with_versions "status $ST $(head -c 300 "$T/b")"
req GET /api/records/not-an-id
[ "$ST" = 400 ] && ok record_bad_id_400 || fail record_bad_id_400 "status $ST"
req GET /api/records/00000000-0000-4000-8000-000000000000
[ "$ST" = 404 ] && ok record_unknown_404 || fail record_unknown_404 "status $ST"
req GET /api/schema
[ "$ST" = 200 ] && grep -q '"label"' "$T/b" && ok schema_for_forms || fail schema_for_forms "status $ST"
req POST /api/persons/search -H 'Content-Type: application/json' -d '{"name":"okonkwo"}'
[ "$ST" = 403 ] && ok search_needs_csrf || fail search_needs_csrf "status $ST"

# ---- home: cases by stage, deadlines ---------------------------------------
req GET /api/home
[ "$ST" = 200 ] && [ "$(jval deadlines.0.person.name "$T/b")" = "Late Permit" ] &&
	[ "$(jval deadlines.0.late "$T/b")" = true ] &&
	[ "$(jval deadlines.1.person.name "$T/b")" = "Soon Permit" ] &&
	[ "$(jval deadlines.1.late "$T/b")" = false ] &&
	[ "$(grep -o '"kind"' "$T/b" | wc -l)" = 2 ] && [ "$(jval cases.total "$T/b")" = 0 ] &&
	ok home_deadlines || fail home_deadlines "status $ST $(head -c 400 "$T/b")"

# ---- the national dashboard is the hub's -----------------------------------
req GET /api/dashboard
[ "$ST" = 404 ] && grep -q "solo sull'Helpdesk" "$T/b" && ok dashboard_hub_only ||
	fail dashboard_hub_only "status $ST $(head -c 200 "$T/b")"
post /api/allocation '{"partner":"puglia","allocated":3}'
[ "$ST" = 404 ] && ok allocation_hub_only || fail allocation_hub_only "status $ST"

# ---- "Sincronizza ora" on a node not enrolled ------------------------------
post /api/sync ''
[ "$ST" = 409 ] && [ "$(jval error.code "$T/b")" = not_enrolled ] && ok sync_not_enrolled_409 ||
	fail sync_not_enrolled_409 "status $ST $(head -c 200 "$T/b")"
req POST /api/sync
[ "$ST" = 403 ] && ok sync_needs_csrf || fail sync_needs_csrf "status $ST"

# ---- edits and cases: bad input refused, nothing written -------------------
changes=$(db "SELECT count(*) FROM change")
bad=
for body in '{}' '{"fields":{}}' '{"fields":[1]}' '{"fields":{"birth_date":"1990-02-30"}}' \
	'{"fields":{"no_such_field":1}}'; do
	post "/api/records/$PID" "$body"
	[ "$ST" = 400 ] && grep -q '"error"' "$T/b" || bad="$bad [$body]:$ST"
done
post /api/records/not-an-id '{"fields":{"phone":"1"}}'
[ "$ST" = 400 ] || bad="$bad bad-id:$ST"
post /api/records/00000000-0000-4000-8000-000000000000 '{"fields":{"phone":"1"}}'
[ "$ST" = 404 ] || bad="$bad unknown:$ST"
[ -z "$bad" ] && [ "$(db "SELECT count(*) FROM change")" = "$changes" ] &&
	ok edit_bad_input_refused_nothing_written || fail edit_bad_input_refused_nothing_written "$bad"
post "/api/records/$PID" '{"fields":{"birth_date":"1990-02-30"}}'
grep -q "birth_date" "$T/b" && ok edit_error_names_field || fail edit_error_names_field "$(head -c 200 "$T/b")"
post "/api/records/$PID" '{"fields":{"phone":"+39 333 0000000"}}'
req GET "/api/records/$PID"
[ "$(jval fields.phone "$T/b")" = "+39 333 0000000" ] && ok edit_saved || fail edit_saved "$(head -c 200 "$T/b")"
req GET "/api/cases/$PID"
[ "$ST" = 404 ] && ok case_of_a_person_id_404 || fail case_of_a_person_id_404 "status $ST"
req GET /api/cases/nope
[ "$ST" = 400 ] && ok case_bad_id_400 || fail case_bad_id_400 "status $ST"
post /api/cases/of-person '{"person":"nope"}'
[ "$ST" = 400 ] && grep -q "campo 'person'" "$T/b" && ok cases_of_bad_person_400 ||
	fail cases_of_bad_person_400 "status $ST"
post /api/cases/of-person "{\"person\":\"$PID\"}"
[ "$ST" = 200 ] && [ "$(jval cases "$T/b")" = "[]" ] && ok cases_of_person_none ||
	fail cases_of_person_none "status $ST $(head -c 200 "$T/b")"

# ---- new records under a case; where they stand with the hub ---------------
post /api/records "{\"collection\":\"case\",\"fields\":{\"person_id\":\"$PID\",\"region\":\"Puglia\",\"stage\":\"intake\"}}"
CASE=$(jval id "$T/b")
[ "$ST" = 201 ] && [ -n "$CASE" ] && ok case_created || fail case_created "status $ST $(head -c 200 "$T/b")"
# The home's figures are kept between requests only while nothing changes.
req GET /api/home
[ "$ST" = 200 ] && [ "$(jval cases.total "$T/b")" = 1 ] && ok home_sees_new_case ||
	fail home_sees_new_case "status $ST $(head -c 200 "$T/b")"
changes=$(db "SELECT count(*) FROM change")
bad=
for body in '{}' '{"fields":{"date":"2026-12-01"}}' \
	'{"collection":"person","fields":{"given_name":"X","family_name":"Y"}}' \
	'{"collection":"no_such","fields":{"a":1}}' '{"collection":7,"fields":{"a":1}}' \
	'{"collection":"service","fields":[]}' '{"collection":"service","fields":{}}' \
	"{\"collection\":\"service\",\"fields\":{\"case_id\":\"$CASE\"}}" \
	"{\"collection\":\"service\",\"fields\":{\"case_id\":\"$CASE\",\"service_type\":\"no\",\"date\":\"2026-12-01\"}}"; do
	post /api/records "$body"
	[ "$ST" = 400 ] && grep -q '"error"' "$T/b" || bad="$bad [$body]:$ST"
done
[ -z "$bad" ] && [ "$(db "SELECT count(*) FROM change")" = "$changes" ] &&
	ok add_bad_input_refused_nothing_written || fail add_bad_input_refused_nothing_written "$bad"
post /api/records "{\"collection\":\"service\",\"fields\":{\"case_id\":\"$CASE\",\"date\":\"2026-12-01\"}}"
[ "$ST" = 400 ] && grep -q "campo 'service_type'" "$T/b" && ok add_error_names_field ||
	fail add_error_names_field "status $ST $(head -c 200 "$T/b")"
post /api/records "{\"collection\":\"service\",\"fields\":{\"case_id\":\"$CASE\",\"service_type\":\"legal_advice\",\"date\":\"2026-12-01\"}}"
SERVICE=$(jval id "$T/b")
[ "$ST" = 201 ] && [ -n "$SERVICE" ] && ok service_added || fail service_added "status $ST $(head -c 200 "$T/b")"
req GET "/api/cases/$CASE"
[ "$ST" = 200 ] && [ "$(jval children.0.id "$T/b")" = "$SERVICE" ] &&
	[ "$(jval children.0.summary.service_type "$T/b")" = legal_advice ] &&
	[ "$(jval sync.state "$T/b")" = local ] && [ "$(jval sync.fields.region.state "$T/b")" = local ] &&
	ok case_with_children_and_sync_state || fail case_with_children_and_sync_state "status $ST $(head -c 400 "$T/b")"
req GET "/api/records/$SERVICE"
[ "$ST" = 200 ] && [ "$(jval sync.label "$T/b")" = "salvato solo qui" ] && [ "$(jval sync.pending "$T/b")" = 1 ] &&
	ok record_sync_state || fail record_sync_state "status $ST $(head -c 400 "$T/b")"

# ---- the review queue: empty here; bad settlements refused -----------------
req GET /api/conflicts
[ "$ST" = 200 ] && [ "$(jval count "$T/b")" = 0 ] && ok review_queue_empty ||
	fail review_queue_empty "status $ST"
changes=$(db "SELECT count(*) FROM change")
bad=
for body in '{}' '{"record":"x","field":"phone","pick":1}' \
	"{\"record\":\"$PID\"}" \
	"{\"record\":\"$PID\",\"field\":\"phone\",\"pick\":0}" \
	"{\"record\":\"$PID\",\"field\":\"phone\",\"pick\":1,\"value\":\"x\"}" \
	"{\"record\":\"$PID\",\"field\":\"phone\",\"pick\":1}" \
	"{\"record\":\"$PID\",\"deleted\":\"maybe\"}"; do
	post /api/conflicts/settle "$body"
	[ "$ST" = 400 ] && grep -q '"error"' "$T/b" || bad="$bad [$body]:$ST"
done
[ -z "$bad" ] && [ "$(db "SELECT count(*) FROM change")" = "$changes" ] &&
	ok settle_bad_input_400_nothing_written || fail settle_bad_input_400_nothing_written "$bad"
post /api/conflicts/settle "{\"record\":\"$PID\",\"field\":\"phone\",\"pick\":1}"
grep -qi "conflict" "$T/b" && ok settle_without_conflict_explained ||
	fail settle_without_conflict_explained "$(head -c 200 "$T/b")"

req DELETE /api/session
[ "$ST" = 403 ] && ok write_without_csrf_refused || fail write_without_csrf_refused "status $ST"
req DELETE /api/session -H "X-Presidio-CSRF: not-the-token"
[ "$ST" = 403 ] && ok write_wrong_csrf_refused || fail write_wrong_csrf_refused "status $ST"
req DELETE /api/session -H "X-Presidio-CSRF: $csrf" -H 'Origin: http://evil.example'
[ "$ST" = 403 ] && ok write_other_origin_refused || fail write_other_origin_refused "status $ST"
req GET /api/status
[ "$ST" = 200 ] && ok session_survives_refused_writes || fail session_survives_refused_writes "status $ST"

# ---- idle timeout ----------------------------------------------------------
sleep 5
req GET /api/status
[ "$ST" = 401 ] && grep -q 'inattivita' "$T/b" && ok idle_session_ends ||
	fail idle_session_ends "status $ST"

# ---- sign-out --------------------------------------------------------------
signin alice "$E2E_PASSPHRASE"
csrf=$(jval csrf "$T/b")
req DELETE /api/session -H "X-Presidio-CSRF: $csrf" -H "Origin: $BASE"
[ "$ST" = 200 ] && hdr Set-Cookie | grep -q 'Max-Age=0' && ok signout_deletes_cookie ||
	fail signout_deletes_cookie "status $ST $(hdr Set-Cookie)"
req GET /api/status
[ "$ST" = 401 ] && ok after_signout_refused || fail after_signout_refused "status $ST"

# No answer to a client without a session carried the person's name: those
# answers were kept apart (signed_out.answers) before the first sign-in.
assert_absent no_personal_data_signed_out "$T/signed_out.answers" "Okonkwo" "Ifeoma"
assert_absent nothing_in_log "$T/ui.log" "Okonkwo" "$E2E_PASSPHRASE" "$csrf"

# ---- the log ---------------------------------------------------------------
# (Now that this server has done its work: a name no operator has slows
# this address down.)
signin mario.rossi.1980 wrong-passphrase
# The node's log has the sign-ins by event, the refused one and the paced
# one with the operator; a name no operator has (anything typed) never.
L=$PRESIDIO_DIR/presidio.log
grep -q ' warn \[[0-9]*\] ui.signin_refused: operator alice from 127.0.0.1' "$L" &&
	grep -q ' warn \[[0-9]*\] ui.signin_paced: operator alice' "$L" &&
	grep -q 'ui.signin_refused: unknown operator from 127.0.0.1' "$L" &&
	grep -q ' info \[[0-9]*\] ui.signin: operator alice from 127.0.0.1' "$L" &&
	grep -q ' info \[[0-9]*\] ui.signout: operator alice' "$L" &&
	ok signin_logged || fail signin_logged "$(grep ui.signin "$L" | head -3)"
assert_absent signin_unknown_name_not_logged "$L" mario.rossi
ui_unserve


# ---- TLS: the cookie is Secure; another address needs TLS ------------------
make_ca || { fail make_ca "openssl"; finish; }
run "$P" -d "$PRESIDIO_DIR" ui --listen 0.0.0.0 --port 0
[ "$RC" -ne 0 ] && err_has "loopback" && ok lan_needs_tls ||
	fail lan_needs_tls "exit $RC ($(first_err))"
ui_serve "$PRESIDIO_DIR" --cert "$T/pki/hub.pem" --key "$T/pki/hub.key"
BASE="https://127.0.0.1:$UI_PORT"
CURL_TLS="--cacert $T/pki/ca.pem"
: >"$T/jar"
signin alice "$E2E_PASSPHRASE"
case $(hdr Set-Cookie) in
*HttpOnly*Secure*SameSite=Strict*) ok tls_cookie_secure ;;
*) fail tls_cookie_secure "status $ST '$(hdr Set-Cookie)'" ;;
esac
ui_unserve

# The server's own stderr: no sanitizer report, from either run.
if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$T/ui.log"; then
	fail ui_clean_exit "$(grep -m1 -E 'Sanitizer|runtime error' "$T/ui.log")"
else
	ok ui_clean_exit
fi

run "$P" ui --help
[ "$RC" -eq 0 ] && out_has "--idle SECONDS" && ok ui_help || fail ui_help "exit $RC"
run "$P" -d "$PRESIDIO_DIR" ui --idle 0
[ "$RC" -eq 2 ] && err_has "--idle" && ok ui_bad_option || fail ui_bad_option "exit $RC"

finish
