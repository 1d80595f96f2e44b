#!/bin/sh
# tests/e2e/test_cli.sh - the command line end to end: records, history,
# log, list, status, usage and exit codes, input validation, unlocking,
# operators, key rotation, key files and tampered ciphertext.
. "$(dirname "$0")/lib.sh"

# state: digest of the database content, to show a command changed nothing.
state() {
	db .dump | sha256sum | cut -c1-16
}

# state_data: the same without the saved clock.
state_data() {
	db .dump | grep -v "^INSERT INTO meta VALUES('hlc'," | sha256sum |
		cut -c1-16
}

nchanges() {
	db 'SELECT count(*) FROM change'
}

# hexid UUID: the 16-byte id as an SQL blob literal body.
hexid() {
	printf '%s' "$1" | tr -d '-' | tr 'a-f' 'A-F'
}

is_uuid() {
	printf '%s\n' "$1" |
		grep -qE '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
}

# unchanged NAME BEFORE: the database digest is still BEFORE.
unchanged() {
	u_now=$(state)
	if [ "$u_now" = "$2" ]; then
		ok "$1"
	else
		fail "$1" "database changed"
	fi
}

# ---- usage, help, exit 2 --------------------------------------------------

bad=
for c in init put get list delete history log conflicts resolve status import \
	operator key verify schema help version; do
	run "$P" "$c" --help
	if [ "$RC" -ne 0 ] || [ ! -s "$T/out" ]; then
		bad="$bad $c:$RC"
	fi
done
if [ -z "$bad" ]; then ok "help_every_command"; else
	fail "help_every_command" "non-zero exit or no output:$bad"; fi

bad=
for c in "operator add" "operator remove" "operator passwd" \
	"operator list" "key rotate"; do
	# shellcheck disable=SC2086
	run "$P" $c --help
	if [ "$RC" -ne 0 ] || [ ! -s "$T/out" ]; then
		bad="$bad '$c':$RC"
	fi
done
if [ -z "$bad" ]; then ok "help_every_subcommand"; else
	fail "help_every_subcommand" "non-zero exit or no output:$bad"; fi

pr --help
check "help_global" [ "$RC" -eq 0 ]
# libcurl and libmicrohttpd, with the twenty-odd libraries they bring, are
# opened by the commands that talk to a hub or serve HTTP, not loaded at
# every start (sync/libcurl.h, http/libmhd.h).  The sanitizer build links
# them (the Makefile says why).
if ldd "$P" 2>/dev/null | grep -q asan; then
	check starts_with_http_libraries_linked_under_sanitizers \
		sh -c "ldd '$P' | grep -q libcurl && ldd '$P' | grep -q libmicrohttpd"
elif ldd "$P" 2>/dev/null | grep -qE 'libcurl|libmicrohttpd|libgnutls'; then
	fail starts_without_http_libraries \
		"$(ldd "$P" | grep -E 'libcurl|libmicrohttpd|libgnutls')"
else
	ok starts_without_http_libraries
fi
pr help
if [ "$RC" -eq 0 ] && out_has "Exit codes"; then ok "help_lists_exit_codes"
else fail "help_lists_exit_codes" "exit $RC, or no 'Exit codes' section"; fi
# ---- schema: the declarations, for people and for tools ------------------

pr schema
if [ "$RC" -eq 0 ] && out_has "versione 2" && out_has "service_directory" &&
	out_has "Presa in carico"; then ok schema_lists_collections
else fail schema_lists_collections "exit $RC ($(first_err))"; fi
pr schema case
if [ "$RC" -eq 0 ] && out_has "bdi_stage (17)  Fase del Budget di" &&
	out_has "submitted    -> validated    hub" &&
	out_has "Servizi Sociali Territoriali"; then ok schema_one_collection
else fail schema_one_collection "exit $RC ($(first_err))"; fi
pr schema --json dote
if [ "$RC" -eq 0 ] && out_has '"cap": 1200000' &&
	out_has '"label": "Dote BdI"' && out_has '"roles": ['; then
	ok schema_json
else fail schema_json "exit $RC ($(first_err))"; fi
pr schema --json
if [ "$RC" -eq 0 ] && out_has '"version": 2' &&
	out_has '"type": "enum_set"'; then ok schema_json_all
else fail schema_json_all "exit $RC ($(first_err))"; fi
pr schema no_such
if [ "$RC" -eq 6 ] && err_has "unknown collection 'no_such'"; then
	ok schema_unknown_collection
else fail schema_unknown_collection "exit $RC ($(first_err))"; fi
pr schema case dote
check schema_too_many_args [ "$RC" -eq 2 ]

# The program's version is the package's (packaging/debian/changelog).
want=$(sed -n '1s/^presidio (\([^)]*\)).*/\1/p' \
	"$(dirname "$0")/../../packaging/debian/changelog")
pr version
if [ "$RC" -eq 0 ] && [ "$(out_line)" = "presidio $want" ]; then
	ok "version"
else
	fail "version" "exit $RC, printed '$(out_line)'"
fi
# The scripts run tests/presidio-e2e, whose slots take Argon2id's minimum
# cost (node/keyslot.h), and which says so; the program as built does
# not, and makes its slots at the real cost (32 MiB, 3 passes).
if grep -q '^test build: ' "$T/out"; then ok "e2e_build_says_so"; else
	fail "e2e_build_says_so" "printed '$(cat "$T/out")'"; fi
run "$E2E_BUILD/presidio" --version
check real_build_says_nothing [ "$(cat "$T/out")" = "presidio $want" ]
run env "PRESIDIO_DIR=$T/real" "PRESIDIO_OPERATOR=alice" \
	"PRESIDIO_PASSPHRASE=$E2E_PASSPHRASE" "$E2E_BUILD/presidio" init --name real
cost=$(sqlite3 -batch "$T/real/presidio.db" \
	'SELECT opslimit || " " || memlimit FROM keyslot' 2>&1)
check real_build_slot_cost [ "$RC:$cost" = "0:3 33554432" ]
t_exit "unknown_command_exit_2" 2 "$P" frobnicate
t_exit "no_command_exit_2" 2 "$P"
t_exit "unknown_option_exit_2" 2 "$P" status --no-such-option

# ---- init -----------------------------------------------------------------

run env "PRESIDIO_DIR=$T/noop" "PRESIDIO_PASSPHRASE=$E2E_PASSPHRASE" \
	"$P" init --name test
if [ "$RC" -eq 2 ]; then ok "init_needs_operator"; else
	fail "init_needs_operator" "expected exit 2, got $RC"; fi

setup_node
NODE=$(sed -n 's/^initialised node test (\([0-9a-f-]*\)) in .*/\1/p' "$T/out")
if is_uuid "$NODE" && out_has "$PRESIDIO_DIR"; then ok "init_prints_node"
else fail "init_prints_node" "printed '$(out_line)'"; fi
t_exit "init_refuses_existing_node" 8 "$P" init --name again

# ---- put, get -------------------------------------------------------------

prj '{"given_name":"Maria","family_name":"Rossi","phone":"+39 333 1234567",
"household_size":3,"languages":["it","fr"],"privacy_consent":true}' put person
ID1=$(out_line)
if [ "$RC" -eq 0 ] && is_uuid "$ID1" && [ "$(wc -l <"$T/out")" -eq 1 ]; then
	ok "put_create_prints_id"
else
	fail "put_create_prints_id" "exit $RC, printed '$(head -c 200 "$T/out")'"
	finish
fi

pr get "$ID1"
if [ "$RC" -eq 0 ] &&
	[ "$(jval id)" = "$ID1" ] &&
	[ "$(jval collection)" = person ] &&
	[ "$(jval deleted)" = false ] &&
	[ "$(jval fields.given_name)" = Maria ] &&
	[ "$(jval fields.family_name)" = Rossi ] &&
	[ "$(jval fields.household_size)" = 3 ] &&
	[ "$(jval fields.languages)" = '["it","fr"]' ]; then
	ok "get_shows_fields"
else
	fail "get_shows_fields" "exit $RC, got: $(tr -d '\n' <"$T/out" | head -c 300)"
fi
if grep -q '^  "collection": "person",$' "$T/out"; then ok "get_indent_2"
else fail "get_indent_2" "not indented by 2 with sorted keys"; fi

pr get "$ID1" --versions
if [ "$RC" -eq 0 ] && [ "$(jval versions.given_name.operator)" = alice ] &&
	[ "$(jval versions.given_name.node)" = "$NODE" ] &&
	[ "$(jval versions.phone.hlc)" != undefined ]; then
	ok "get_versions"
else
	fail "get_versions" "exit $RC, versions.given_name: $(jval versions.given_name)"
fi

prj '{"given_name":"Luca","family_name":"Rossi","household_size":1,
"languages":["it"]}' put person
ID2=$(out_line)
prj '{"given_name":"Aminata","family_name":"Diallo","household_size":3,
"languages":["fr","wo"]}' put person
ID3=$(out_line)
NEWID=4f1c2b7a-9d3e-4a5b-8c6d-0e1f2a3b4c5d
prj '{"given_name":"Kofi","family_name":"Mensah"}' put person "$NEWID"
if [ "$RC" -eq 0 ] && [ "$(out_line)" = "$NEWID" ]; then
	ok "put_create_with_given_id"
else
	fail "put_create_with_given_id" "exit $RC, printed '$(out_line)'"
fi
if is_uuid "$ID2" && is_uuid "$ID3"; then ok "put_more"; else
	fail "put_more" "ids '$ID2' '$ID3'"; fi

# ---- update ---------------------------------------------------------------

n0=$(nchanges)
prj '{"phone":"+39 333 7654321"}' put person "$ID1"
r_put=$RC
o_put=$(out_line)
pr get "$ID1"
if [ "$r_put" -eq 0 ] && [ "$o_put" = "$ID1" ] &&
	[ "$(jval fields.phone)" = "+39 333 7654321" ] &&
	[ "$(jval fields.given_name)" = Maria ] &&
	[ "$(jval fields.family_name)" = Rossi ] &&
	[ "$(jval fields.household_size)" = 3 ] &&
	[ "$(jval fields.languages)" = '["it","fr"]' ]; then
	ok "update_only_given_fields"
else
	fail "update_only_given_fields" "put exit $r_put, got: $(jval fields)"
fi
n1=$(nchanges)
if [ "$n1" -eq $((n0 + 1)) ]; then ok "update_one_log_entry"; else
	fail "update_one_log_entry" "change log $n0 -> $n1"; fi

s0=$(state_data)
prj '{"phone":"+39 333 7654321","family_name":"Rossi"}' put person "$ID1"
if [ "$RC" -eq 0 ] && [ "$(nchanges)" -eq "$n1" ] &&
	[ "$(out_line)" = "$ID1" ]; then
	ok "update_same_value_no_entry"
else
	fail "update_same_value_no_entry" "exit $RC, change log $n1 -> $(nchanges)"
fi
# Records and log unchanged (the saved clock may move).
if [ "$(state_data)" = "$s0" ]; then ok "update_same_value_changes_nothing"
else fail "update_same_value_changes_nothing" "records or log changed"; fi

printf '{"person_id":"%s","region":"Puglia"}' "$ID1" >"$T/in"
t_exit "put_id_of_other_collection_6" 6 "$P" put case "$ID1" <"$T/in"

# ---- list -----------------------------------------------------------------

pr list person --count
if [ "$RC" -eq 0 ] && [ "$(out_line)" = 4 ]; then ok "list_count"; else
	fail "list_count" "exit $RC, printed '$(out_line)', want 4"; fi
pr list person --where family_name=Rossi --count
if [ "$RC" -eq 0 ] && [ "$(out_line)" = 2 ]; then ok "list_where_string"; else
	fail "list_where_string" "exit $RC, printed '$(out_line)', want 2"; fi
pr list person --where family_name=Rossi
if [ "$RC" -eq 0 ] && [ "$(wc -l <"$T/out")" -eq 2 ] &&
	grep -F "$ID1" "$T/out" | grep -qF Maria &&
	grep -qF "$ID2" "$T/out" && ! grep -qF "$ID3" "$T/out" &&
	node -e 'for (const l of require("fs").readFileSync(0, "utf8")
	    .split("\n").filter(Boolean)) { const r = JSON.parse(l);
	    if (!r.id || r.collection !== "person" || r.deleted !== false ||
	    r.fields.family_name !== "Rossi") process.exit(1); }' <"$T/out"; then
	ok "list_where_lines"
else
	fail "list_where_lines" "exit $RC, got: $(head -c 300 "$T/out")"
fi
pr list person --where household_size=3 --count
if [ "$RC" -eq 0 ] && [ "$(out_line)" = 2 ]; then ok "list_where_number"; else
	fail "list_where_number" "exit $RC, printed '$(out_line)', want 2"; fi
pr list person --where languages=fr --count
if [ "$RC" -eq 0 ] && [ "$(out_line)" = 2 ]; then ok "list_where_list_member"
else fail "list_where_list_member" "exit $RC, printed '$(out_line)', want 2"; fi
pr list person --where family_name=Rossi --where given_name=Luca
if [ "$RC" -eq 0 ] && [ "$(wc -l <"$T/out")" -eq 1 ] &&
	grep -qF "$ID2" "$T/out"; then ok "list_where_twice"; else
	fail "list_where_twice" "exit $RC, $(wc -l <"$T/out") lines"; fi
pr list person --limit 2
if [ "$RC" -eq 0 ] && [ "$(wc -l <"$T/out")" -eq 2 ]; then ok "list_limit"
else fail "list_limit" "exit $RC, $(wc -l <"$T/out") lines, want 2"; fi
pr list case --count
if [ "$RC" -eq 0 ] && [ "$(out_line)" = 0 ]; then ok "list_empty_collection"
else fail "list_empty_collection" "exit $RC, printed '$(out_line)'"; fi

# ---- delete ---------------------------------------------------------------

pr delete "$ID3"
r_del=$RC
pr get "$ID3"
if [ "$r_del" -eq 0 ] && [ "$RC" -eq 0 ] && [ "$(jval deleted)" = true ]; then
	ok "delete_then_get_shows_deleted"
else
	fail "delete_then_get_shows_deleted" "delete exit $r_del, get exit $RC, deleted=$(jval deleted)"
fi
t_exit "delete_again_6" 6 "$P" delete "$ID3"
t_exit "delete_unknown_3" 3 "$P" delete 00000000-0000-4000-8000-000000000001
t_exit "get_unknown_3" 3 "$P" get 00000000-0000-4000-8000-000000000001
t_exit "get_bad_id_2" 2 "$P" get not-an-id
pr list person --count
if [ "$RC" -eq 0 ] && [ "$(out_line)" = 3 ]; then ok "list_skips_deleted"
else fail "list_skips_deleted" "exit $RC, printed '$(out_line)', want 3"; fi
pr list person --deleted --count
if [ "$RC" -eq 0 ] && [ "$(out_line)" = 4 ]; then ok "list_deleted"
else fail "list_deleted" "exit $RC, printed '$(out_line)', want 4"; fi
s0=$(state)
printf '{"notes":"x"}' >"$T/in"
t_exit "put_on_deleted_6" 6 "$P" put person "$ID3" <"$T/in"
unchanged "put_on_deleted_changes_nothing" "$s0"

# ---- history --------------------------------------------------------------

pr history "$ID1"
cp "$T/out" "$T/hist1"
if [ "$RC" -eq 0 ] &&
	grep -E '^#[0-9]+ ' "$T/hist1" | sed -n 1p |
	grep -qF "create by alice on $NODE" &&
	grep -E '^#[0-9]+ ' "$T/hist1" | sed -n 2p |
	grep -qF "update by alice on $NODE" &&
	[ "$(grep -cE '^#[0-9]+ ' "$T/hist1")" -eq 2 ]; then
	ok "history_entries"
else
	fail "history_entries" "exit $RC, got: $(head -c 400 "$T/hist1" | tr '\n' '|')"
fi
if grep -qE '^ +phone: "\+39 333 1234567" -> "\+39 333 7654321"$' "$T/hist1" &&
	grep -qE '^ +given_name: \(none\) -> "Maria"$' "$T/hist1" &&
	grep -qE '^ +household_size: \(none\) -> 3$' "$T/hist1"; then
	ok "history_old_new_values"
else
	fail "history_old_new_values" "got: $(head -c 600 "$T/hist1" | tr '\n' '|')"
fi
pr history "$ID3"
if [ "$RC" -eq 0 ] && grep -E '^#[0-9]+ ' "$T/out" | sed -n '$p' |
	grep -qF "delete by alice on $NODE"; then
	ok "history_delete"
else
	fail "history_delete" "exit $RC, got: $(head -c 400 "$T/out" | tr '\n' '|')"
fi
pr history "$ID1" --json
if [ "$RC" -eq 0 ] && [ "$(wc -l <"$T/out")" -eq 2 ] &&
	node -e 'const ls = require("fs").readFileSync(0, "utf8").split("\n")
	    .filter(Boolean).map(JSON.parse);
	const [a, b] = ls;
	const ph = b.changes.find((c) => c.field === "phone");
	if (a.operator !== "alice" || a.node !== process.argv[1] ||
	    !(a.seq < b.seq) || !ph || ph.old !== "+39 333 1234567" ||
	    ph.new !== "+39 333 7654321" || typeof a.hlc !== "number" ||
	    !a.time) process.exit(1);' "$NODE" <"$T/out"; then
	ok "history_json"
else
	fail "history_json" "exit $RC, got: $(head -c 400 "$T/out" | tr '\n' '|')"
fi
t_exit "history_unknown_3" 3 "$P" history 00000000-0000-4000-8000-000000000001

# ---- log ------------------------------------------------------------------

n=$(nchanges)
pr log
if [ "$RC" -eq 0 ] && [ "$(wc -l <"$T/out")" -eq "$n" ] &&
	grep -qE "^1 .* $ID1 person create alice " "$T/out"; then
	ok "log_lists_entries"
else
	fail "log_lists_entries" "exit $RC, $(wc -l <"$T/out") lines (want $n): $(head -c 200 "$T/out")"
fi
pr log --json
if [ "$RC" -eq 0 ] && [ "$(wc -l <"$T/out")" -eq "$n" ] &&
	node -e 'const ls = require("fs").readFileSync(0, "utf8").split("\n")
	    .filter(Boolean).map(JSON.parse);
	const a = ls[0];
	if (a.seq !== 1 || a.record !== process.argv[1] ||
	    a.collection !== "person" || a.operator !== "alice" ||
	    a.origin !== process.argv[2] || !Array.isArray(a.fields) ||
	    !a.fields.includes("given_name")) process.exit(1);' \
	"$ID1" "$NODE" <"$T/out"; then
	ok "log_json"
else
	fail "log_json" "exit $RC, first: $(head -c 300 "$T/out")"
fi
pr log --after 1 --limit 2 --json
if [ "$RC" -eq 0 ] && [ "$(wc -l <"$T/out")" -eq 2 ] &&
	[ "$(sed -n 1p "$T/out" | jval seq /dev/stdin)" = 2 ]; then
	ok "log_after_limit"
else
	fail "log_after_limit" "exit $RC, got: $(head -c 300 "$T/out" | tr '\n' '|')"
fi
pr log --values --json --limit 1
if [ "$RC" -eq 0 ] &&
	[ "$(sed -n 1p "$T/out" | jval fields.given_name /dev/stdin)" = Maria ]
then
	ok "log_values"
else
	fail "log_values" "exit $RC, got: $(head -c 300 "$T/out")"
fi

# ---- status (no unlocking needed) -----------------------------------------

run env -u PRESIDIO_PASSPHRASE "$P" status
if [ "$RC" -eq 0 ] && out_has test && out_has "$NODE"; then
	ok "status_without_unlock"
else
	fail "status_without_unlock" "exit $RC, got: $(head -c 300 "$T/out" | tr '\n' '|')"
fi
pr status --json
if [ "$RC" -eq 0 ] && [ "$(jval "")" != invalid ] && out_has "$NODE"; then
	ok "status_json"
else
	fail "status_json" "exit $RC, got: $(head -c 300 "$T/out")"
fi

# ---- invalid input: exit 6, nothing written -------------------------------

s0=$(state)
t_exit "put_malformed_json_6" 6 "$P" put person <<'EOF'
{"given_name": "Broken", "family_name":
EOF
t_exit "put_not_an_object_6" 6 "$P" put person <<'EOF'
["given_name", "Broken"]
EOF
t_exit "put_unknown_collection_6" 6 "$P" put nosuchthing <<'EOF'
{"given_name":"A","family_name":"B"}
EOF
t_exit "put_unknown_field_6" 6 "$P" put person <<'EOF'
{"given_name":"A","family_name":"B","shoe_size":42}
EOF
t_exit "put_wrong_type_6" 6 "$P" put person <<'EOF'
{"given_name":"A","family_name":"B","household_size":"three"}
EOF
t_exit "put_missing_required_6" 6 "$P" put person <<'EOF'
{"given_name":"A"}
EOF
t_exit "update_wrong_type_6" 6 "$P" put person "$ID1" <<'EOF'
{"household_size":"three"}
EOF
t_exit "put_empty_stdin_6" 6 "$P" put person </dev/null
unchanged "invalid_input_changes_nothing" "$s0"
if grep -q '^presidio: error: ' "$T/err" && [ "$(wc -l <"$T/err")" -eq 1 ]; then
	ok "error_one_line"
else
	fail "error_one_line" "stderr: $(head -c 300 "$T/err" | tr '\n' '|')"
fi

# ---- unlocking ------------------------------------------------------------

s0=$(state)
run env PRESIDIO_PASSPHRASE='wrong passphrase' "$P" get "$ID1"
if [ "$RC" -eq 4 ] && ! out_has Maria; then ok "wrong_passphrase_4"; else
	fail "wrong_passphrase_4" "expected exit 4, got $RC"; fi
printf '{"notes":"should not land"}' >"$T/in"
run env PRESIDIO_PASSPHRASE='wrong passphrase' "$P" put person "$ID1" <"$T/in"
if [ "$RC" -eq 4 ]; then ok "wrong_passphrase_put_4"; else
	fail "wrong_passphrase_put_4" "expected exit 4, got $RC"; fi
unchanged "wrong_passphrase_changes_nothing" "$s0"
t_exit "passphrase_option_refused_2" 2 "$P" get "$ID1" --passphrase x
t_exit "passphrase_global_option_refused_2" 2 "$P" --passphrase x get "$ID1"
t_exit "unknown_operator_3" 3 "$P" get "$ID1" -u nobody
printf '%s\n' "$E2E_PASSPHRASE" >"$T/pass"
run env -u PRESIDIO_PASSPHRASE "$P" get "$ID1" --passphrase-fd 3 3<"$T/pass"
if [ "$RC" -eq 0 ] && [ "$(jval fields.given_name)" = Maria ]; then
	ok "passphrase_fd"
else
	fail "passphrase_fd" "exit $RC ($(first_err))"
fi
printf '%s\r\n' "$E2E_PASSPHRASE" >"$T/pass"
run env -u PRESIDIO_PASSPHRASE "$P" get "$ID1" --passphrase-fd 3 3<"$T/pass"
if [ "$RC" -eq 0 ]; then ok "passphrase_fd_crlf"; else
	fail "passphrase_fd_crlf" "exit $RC ($(first_err))"; fi
rm -f "$T/pass"

# ---- operators ------------------------------------------------------------

BOB1='bob first passphrase'
BOB2='bob second passphrase'
run env "PRESIDIO_NEW_PASSPHRASE=$BOB1" "$P" operator add bob --role assistente_sociale
if [ "$RC" -eq 0 ]; then ok "operator_add"; else
	fail "operator_add" "exit $RC ($(first_err))"; fi
run env "PRESIDIO_NEW_PASSPHRASE=$BOB1" "$P" operator add bob --role assistente_sociale
if [ "$RC" -eq 8 ]; then ok "operator_add_existing_8"; else
	fail "operator_add_existing_8" "expected exit 8, got $RC"; fi
run env PRESIDIO_NEW_PASSPHRASE=short "$P" operator add carol \
	--role mediatore
if [ "$RC" -eq 6 ]; then ok "operator_add_short_passphrase_6"; else
	fail "operator_add_short_passphrase_6" "expected exit 6, got $RC"; fi
pr operator list
if [ "$RC" -eq 0 ] && grep -qx 'alice passphrase coordinatore' "$T/out" &&
	grep -qx 'bob passphrase assistente_sociale' "$T/out" &&
	! grep -q carol "$T/out"; then
	ok "operator_list"
else
	fail "operator_list" "exit $RC, got: $(tr '\n' '|' <"$T/out")"
fi
run env PRESIDIO_OPERATOR=bob "PRESIDIO_PASSPHRASE=$BOB1" "$P" get "$ID1"
if [ "$RC" -eq 0 ] && [ "$(jval fields.given_name)" = Maria ]; then
	ok "operator_unlock_as_new"
else
	fail "operator_unlock_as_new" "exit $RC ($(first_err))"
fi
run env "PRESIDIO_PASSPHRASE=$BOB1" "$P" get -u bob "$ID1"
if [ "$RC" -eq 0 ]; then ok "operator_dash_u"; else
	fail "operator_dash_u" "exit $RC ($(first_err))"; fi
run env PRESIDIO_OPERATOR=bob "PRESIDIO_PASSPHRASE=$BOB1" "PRESIDIO_NEW_PASSPHRASE=$BOB2" \
	"$P" operator passwd
if [ "$RC" -eq 0 ]; then ok "operator_passwd"; else
	fail "operator_passwd" "exit $RC ($(first_err))"; fi
run env PRESIDIO_OPERATOR=bob "PRESIDIO_PASSPHRASE=$BOB1" "$P" get "$ID1"
if [ "$RC" -eq 4 ]; then ok "operator_passwd_old_fails_4"; else
	fail "operator_passwd_old_fails_4" "expected exit 4, got $RC"; fi
run env PRESIDIO_OPERATOR=bob "PRESIDIO_PASSPHRASE=$BOB2" "$P" get "$ID1"
if [ "$RC" -eq 0 ]; then ok "operator_passwd_new_works"; else
	fail "operator_passwd_new_works" "exit $RC ($(first_err))"; fi
pr operator remove bob
if [ "$RC" -eq 0 ]; then ok "operator_remove"; else
	fail "operator_remove" "exit $RC ($(first_err))"; fi
run env PRESIDIO_OPERATOR=bob "PRESIDIO_PASSPHRASE=$BOB2" "$P" get "$ID1"
if [ "$RC" -eq 3 ] || [ "$RC" -eq 4 ]; then ok "operator_removed_fails"; else
	fail "operator_removed_fails" "expected exit 3 or 4, got $RC"; fi
t_exit "operator_remove_unknown_3" 3 "$P" operator remove bob
s0=$(state)
pr operator remove alice
r=$RC
if [ "$r" -ne 0 ] && [ "$r" -ne 1 ]; then
	echo "# operator remove (last): exit $r"
	ok "operator_remove_last_refused"
else
	fail "operator_remove_last_refused" "exit $r ($(first_err))"
fi
unchanged "operator_remove_last_changes_nothing" "$s0"

# ---- key rotation ---------------------------------------------------------

pr key rotate
if [ "$RC" -eq 0 ] && out_has "data key rotated to generation 2"; then
	ok "key_rotate"
else
	fail "key_rotate" "exit $RC, printed '$(out_line)' ($(first_err))"
fi
bad=
for id in "$ID1" "$ID2" "$ID3" "$NEWID"; do
	run "$P" get "$id"
	[ "$RC" -eq 0 ] || bad="$bad $id:$RC"
done
pr get "$ID1"
if [ -z "$bad" ] && [ "$(jval fields.phone)" = "+39 333 7654321" ]; then
	ok "key_rotate_records_readable"
else
	fail "key_rotate_records_readable" "get failed:$bad"
fi
pr history "$ID1"
if [ "$RC" -eq 0 ] && cmp -s "$T/out" "$T/hist1"; then
	ok "key_rotate_history_same"
else
	fail "key_rotate_history_same" "exit $RC, history differs"
fi
t_exit "key_rotate_verify_0" 0 "$P" verify

# ---- key files ------------------------------------------------------------

KF=$T/server.key
pr operator add server --key-file "$KF"
if [ "$RC" -eq 0 ] && [ -f "$KF" ] && [ "$(stat -c %a "$KF")" = 600 ] &&
	[ "$(stat -c %s "$KF")" -eq 32 ]; then
	ok "keyfile_add_mode_600"
else
	fail "keyfile_add_mode_600" "exit $RC ($(first_err)), file: $(stat -c '%a %s' "$KF" 2>&1)"
fi
run env -u PRESIDIO_PASSPHRASE "PRESIDIO_KEY_FILE=$KF" \
	"$P" get "$ID1" -u server
if [ "$RC" -eq 0 ] && [ "$(jval fields.given_name)" = Maria ]; then
	ok "keyfile_unlock_env"
else
	fail "keyfile_unlock_env" "exit $RC ($(first_err))"
fi
run env -u PRESIDIO_PASSPHRASE -u PRESIDIO_OPERATOR \
	"$P" get "$ID1" -u server --key-file "$KF"
if [ "$RC" -eq 0 ]; then ok "keyfile_unlock_option"; else
	fail "keyfile_unlock_option" "exit $RC ($(first_err))"; fi
pr operator list
if grep -qx 'server keyfile servizio' "$T/out"; then ok "keyfile_operator_list"; else
	fail "keyfile_operator_list" "got: $(tr '\n' '|' <"$T/out")"; fi
cp "$KF" "$T/loose.key"
chmod 644 "$T/loose.key"
run env -u PRESIDIO_PASSPHRASE "PRESIDIO_KEY_FILE=$T/loose.key" \
	"$P" get "$ID1" -u server
if [ "$RC" -eq 4 ] && ! out_has Maria; then
	ok "keyfile_mode_644_refused_4"
else
	fail "keyfile_mode_644_refused_4" "expected exit 4, got $RC"
fi
head -c 32 /dev/urandom >"$T/wrong.key"
chmod 600 "$T/wrong.key"
run env -u PRESIDIO_PASSPHRASE "PRESIDIO_KEY_FILE=$T/wrong.key" \
	"$P" get "$ID1" -u server
if [ "$RC" -eq 4 ]; then ok "keyfile_wrong_4"; else
	fail "keyfile_wrong_4" "expected exit 4, got $RC"; fi
sum0=$(sha256sum <"$KF")
pr operator add server2 --key-file "$KF"
if [ "$RC" -ne 0 ] && [ "$(sha256sum <"$KF")" = "$sum0" ]; then
	ok "keyfile_add_never_overwrites"
else
	fail "keyfile_add_never_overwrites" "exit $RC"
fi

KF2=$T/node2.key
# A node whose only slot is a key file; no operator named when unlocking.
node2() {
	run env -u PRESIDIO_PASSPHRASE -u PRESIDIO_OPERATOR \
		"PRESIDIO_DIR=$T/node2" "$@"
}
node2 "$P" init --name two -u srv --key-file "$KF2"
r=$RC
printf '{"given_name":"Sara","family_name":"Greco"}' >"$T/in"
node2 "$P" put person --key-file "$KF2" <"$T/in"
node2 "PRESIDIO_KEY_FILE=$KF2" "$P" get "$(out_line)"
if [ "$r" -eq 0 ] && [ "$RC" -eq 0 ] && [ "$(stat -c %a "$KF2")" = 600 ] &&
	[ "$(jval fields.given_name)" = Sara ]; then
	ok "keyfile_init"
else
	fail "keyfile_init" "init exit $r, get exit $RC ($(first_err))"
fi

# ---- tampered ciphertext --------------------------------------------------

H=$(hexid "$ID2")
body=$(db "SELECT hex(body) FROM record WHERE id = X'$H'")
if [ -z "$body" ]; then
	fail "tamper_setup" "record $ID2 not found in the database"
else
	flipped=$(printf '%s\n' "$body" | awk '{
		m = int(length($0) / 2) + 1; c = substr($0, m, 1);
		n = (c == "0") ? "1" : "0";
		print substr($0, 1, m - 1) n substr($0, m + 1) }')
	db "UPDATE record SET body = X'$flipped' WHERE id = X'$H'"
	pr get "$ID2"
	if [ "$RC" -eq 5 ] && err_has "$ID2" && ! out_has Luca; then
		ok "tamper_get_5_names_record"
	else
		fail "tamper_get_5_names_record" "exit $RC ($(first_err))"
	fi
	pr verify
	if [ "$RC" -eq 5 ] && err_has "$ID2"; then
		ok "tamper_verify_5"
	else
		fail "tamper_verify_5" "exit $RC ($(first_err))"
	fi
	bad=
	for id in "$ID1" "$ID3" "$NEWID"; do
		run "$P" get "$id"
		[ "$RC" -eq 0 ] || bad="$bad $id:$RC"
	done
	if [ -z "$bad" ]; then ok "tamper_others_readable"; else
		fail "tamper_others_readable" "get failed:$bad"; fi
fi

finish
