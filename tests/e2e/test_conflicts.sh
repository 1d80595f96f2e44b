#!/bin/sh
# tests/e2e/test_conflicts.sh - `presidio conflicts` and `presidio resolve`
# end to end, on one node: sync does not exist in the command line yet,
# so the conflicts here are those one node can make by itself (the
# collection's rule), and resolve is driven through its edits, its
# refusals and the delete marker.  Field and delete-vs-edit conflicts
# between nodes are covered by tests/node/test_store_merge.c.
# Writes test collections: runs the test build (lib.sh).
E2E_TEST_SCHEMA=1
# e2e: plain build only
# (The conflicts, their numbering and settling run under the sanitizers in
# tests/node/test_store_merge.c and tests/view/test_view_conflict.c;
# here they are driven through the commands.)
. "$(dirname "$0")/lib.sh"

setup_node

# jsonl_check FILE: every line of FILE is a JSON object with the keys of
# a conflict; prints the number of lines, or "invalid".
jsonl_check() {
	node -e '
const fs = require("fs");
const keys = ["record", "collection", "kind", "field", "reason",
	"current", "other"];
const lines = fs.readFileSync(process.argv[1], "utf8").split("\n");
if (lines.pop() !== "") { process.stdout.write("invalid"); process.exit(0); }
for (const l of lines) {
	let o;
	try { o = JSON.parse(l); } catch (e) {
		process.stdout.write("invalid"); process.exit(0);
	}
	if (o === null || typeof o !== "object" ||
	    !keys.every((k) => k in o) ||
	    !["field", "delete", "rule"].includes(o.kind)) {
		process.stdout.write("invalid"); process.exit(0);
	}
}
process.stdout.write(String(lines.length));
' "$1"
}

# ---- help --------------------------------------------------------------

bad=
for c in conflicts resolve; do
	pr "$c" --help
	if [ "$RC" -ne 0 ] || [ ! -s "$T/out" ]; then bad="$bad $c:$RC"; fi
done
if [ -z "$bad" ]; then ok "help_conflict_commands"; else
	fail "help_conflict_commands" "non-zero exit or no output:$bad"; fi
pr help
if [ "$RC" -eq 0 ] && grep -q '^  conflicts ' "$T/out" &&
	grep -q '^  resolve ' "$T/out"; then
	ok "help_lists_conflict_commands"
else
	fail "help_lists_conflict_commands" "exit $RC, or not listed"
fi

# ---- none yet ------------------------------------------------------------

pr conflicts
if [ "$RC" -eq 0 ] && [ "$(out_line)" = "no open conflicts" ]; then
	ok "conflicts_none"
else
	fail "conflicts_none" "exit $RC, printed '$(out_line)'"
fi
pr conflicts --json
if [ "$RC" -eq 0 ] && [ ! -s "$T/out" ]; then ok "conflicts_json_none"
else fail "conflicts_json_none" "exit $RC, or output"; fi

# ---- (a) a rule conflict -------------------------------------------------

prj '{"title":"t","cap":10,"spent":20}' put test_item
ID=$(out_line)
if [ "$RC" -eq 0 ] && [ -n "$ID" ]; then ok "put_above_cap_accepted"
else fail "put_above_cap_accepted" "exit $RC ($(first_err))"; fi

pr conflicts
if [ "$RC" -eq 0 ] && out_has "$ID (test_item) rule: spent is above cap" &&
	[ "$(sed -n '$p' "$T/out")" = "1 open conflict" ]; then
	ok "conflicts_lists_rule"
else
	fail "conflicts_lists_rule" "exit $RC: $(tr '\n' '|' <"$T/out")"
fi

pr conflicts "$ID"
if [ "$RC" -eq 0 ] && out_has "rule: spent is above cap"; then
	ok "conflicts_of_one_record"
else
	fail "conflicts_of_one_record" "exit $RC: $(tr '\n' '|' <"$T/out")"
fi
# Every conflict shows the command that settles it.
if out_has "    settle: presidio resolve $ID FIELD < value.json"; then
	ok "conflicts_show_settle_command"
else
	fail "conflicts_show_settle_command" "$(tr '\n' '|' <"$T/out")"
fi

pr conflicts --json
if [ "$RC" -eq 0 ] && [ "$(jsonl_check "$T/out")" = 1 ] &&
	[ "$(jval kind)" = rule ] && [ "$(jval record)" = "$ID" ] &&
	[ "$(jval collection)" = test_item ] &&
	[ "$(jval reason)" = "spent is above cap" ] &&
	[ "$(jval field)" = null ] &&
	[ "$(jval settle)" = "presidio resolve $ID FIELD < value.json" ]; then
	ok "conflicts_json_rule"
else
	fail "conflicts_json_rule" "exit $RC: $(head -c 300 "$T/out")"
fi

pr status
if [ "$RC" -eq 0 ] && out_has "conflicts:  1 record with open conflicts" &&
	out_has "rejected:   0 changes refused, whole or in part"; then
	ok "status_text_conflicted"
else
	fail "status_text_conflicted" "exit $RC: $(grep -E 'conflicts|rejected' "$T/out" | tr '\n' '|')"
fi
pr status --json
if [ "$RC" -eq 0 ] && [ "$(jval conflicted)" = 1 ] &&
	[ "$(jval rejected)" = 0 ]; then
	ok "status_json_conflicted"
else
	fail "status_json_conflicted" "exit $RC, conflicted $(jval conflicted), rejected $(jval rejected)"
fi

prj '{"spent":5}' put test_item "$ID"
check "put_within_cap" [ "$RC" -eq 0 ]
pr conflicts
if [ "$RC" -eq 0 ] && [ "$(out_line)" = "no open conflicts" ]; then
	ok "rule_conflict_closed_by_put"
else
	fail "rule_conflict_closed_by_put" "exit $RC: $(tr '\n' '|' <"$T/out")"
fi
pr status --json
if [ "$RC" -eq 0 ] && [ "$(jval conflicted)" = 0 ]; then
	ok "status_json_no_conflict"
else
	fail "status_json_no_conflict" "exit $RC, conflicted $(jval conflicted)"
fi

# The same rule conflict, settled by resolve with the value on stdin.
prj '{"cap":1}' put test_item "$ID"
pr status --json
check "rule_conflict_again" [ "$(jval conflicted)" = 1 ]
prj '4242' resolve "$ID" cap
if [ "$RC" -eq 0 ] && [ "$(out_line)" = resolved ]; then
	ok "resolve_from_stdin"
else
	fail "resolve_from_stdin" "exit $RC ($(first_err))"
fi
pr get "$ID"
check "resolve_wrote_value" [ "$(jval fields.cap)" = 4242 ]
pr conflicts "$ID"
check "rule_conflict_closed_by_resolve" [ "$(out_line)" = "no open conflicts" ]
pr history "$ID"
if [ "$RC" -eq 0 ] && grep -q ' resolve by alice on ' "$T/out" &&
	out_has "cap: 1 -> 4242"; then
	ok "history_shows_resolve"
else
	fail "history_shows_resolve" "exit $RC: $(tail -n 2 "$T/out" | tr '\n' '|')"
fi
pr history --json "$ID"
sed -n '$p' "$T/out" >"$T/last"
if [ "$(jval kind "$T/last")" = resolve ] &&
	[ "$(jval changes.0.old "$T/last")" = 1 ] &&
	[ "$(jval changes.0.new "$T/last")" = 4242 ]; then
	ok "history_json_resolve"
else
	fail "history_json_resolve" "$(head -c 300 "$T/last")"
fi
pr log
if [ "$RC" -eq 0 ] && grep -q " $ID test_item resolve alice cap\$" "$T/out"
then ok "log_shows_resolve"
else fail "log_shows_resolve" "$(sed -n '$p' "$T/out")"; fi
assert_absent "resolved_value_not_logged" "$PRESIDIO_DIR/presidio.log" 4242
if grep -q "conflict.resolved: on $ID field cap by alice" \
	"$PRESIDIO_DIR/presidio.log"; then
	ok "resolve_logged"
else
	fail "resolve_logged" "no log line"
fi

# ---- (b) resolve on a field with no conflict: an edit ----------------

prj '"new title"' resolve "$ID" title
t_rc=$RC
pr get "$ID"
if [ "$t_rc" -eq 0 ] && [ "$(jval fields.title)" = "new title" ]; then
	ok "resolve_without_conflict_edits"
else
	fail "resolve_without_conflict_edits" "exit $t_rc, title $(jval fields.title)"
fi
prj 'null' resolve "$ID" body
check "resolve_null_value" [ "$RC" -eq 0 ]

# ---- (c) bad input ---------------------------------------------------

NOID=00000000-0000-4000-8000-000000000000
prj '1' resolve "$NOID" count
t_rc=$RC
if [ "$t_rc" -eq 3 ] && expect_exit 3 "$P" resolve "$NOID" count --pick 1 &&
	expect_exit 3 "$P" resolve "$NOID" --undelete &&
	expect_exit 3 "$P" conflicts "$NOID"; then
	ok "unknown_record_exit_3"
else
	fail "unknown_record_exit_3" "stdin: exit $t_rc; ${WHY:-}"
fi
prj '1' resolve "$ID" no_such_field
if [ "$RC" -eq 6 ] && expect_exit 6 "$P" resolve "$ID" no_such_field \
	--pick 1; then
	ok "unknown_field_exit_6"
else
	fail "unknown_field_exit_6" "exit $RC; ${WHY:-}"
fi
t_exit "pick_0_exit_6" 6 "$P" resolve "$ID" count --pick 0
t_exit "pick_99_exit_6" 6 "$P" resolve "$ID" count --pick 99
# A rule conflict has no candidates to pick from.
prj '{"spent":99999}' put test_item "$ID"
t_exit "pick_on_rule_conflict_exit_6" 6 "$P" resolve "$ID" spent --pick 1
prj '{"spent":1}' put test_item "$ID"
t_exit "pick_not_a_number_exit_2" 2 "$P" resolve "$ID" count --pick x
prj '{"count":' resolve "$ID" count
if [ "$RC" -eq 6 ] && err_has "invalid JSON"; then ok "malformed_json_exit_6"
else fail "malformed_json_exit_6" "exit $RC ($(first_err))"; fi
prj '' resolve "$ID" count
t_rc=$RC
prj '1 2' resolve "$ID" count
if [ "$t_rc" -eq 6 ] && [ "$RC" -eq 6 ]; then ok "empty_or_trailing_exit_6"
else fail "empty_or_trailing_exit_6" "exit $t_rc, $RC"; fi
prj '"seven"' resolve "$ID" count
check "wrong_type_exit_6" [ "$RC" -eq 6 ]
head -c 1100000 /dev/zero | tr '\0' '1' >"$T/big"
run "$P" resolve "$ID" count <"$T/big"
check "input_over_1mib_exit_6" [ "$RC" -eq 6 ]
t_exit "keep_deleted_not_deleted_exit_6" 6 "$P" resolve "$ID" --keep-deleted
t_exit "undelete_not_deleted_exit_6" 6 "$P" resolve "$ID" --undelete
t_exit "keep_and_undelete_exit_2" 2 "$P" resolve "$ID" --keep-deleted \
	--undelete
t_exit "pick_with_undelete_exit_2" 2 "$P" resolve "$ID" --undelete --pick 1
t_exit "resolve_no_args_exit_2" 2 "$P" resolve
t_exit "resolve_bad_id_exit_2" 2 "$P" resolve not-an-id count --pick 1
t_exit "undelete_with_field_exit_2" 2 "$P" resolve "$ID" count --undelete
t_exit "conflicts_bad_id_exit_2" 2 "$P" conflicts not-an-id
t_exit "conflicts_wrong_passphrase_exit_4" 4 env \
	PRESIDIO_PASSPHRASE=wrong-passphrase "$P" conflicts

# A deleted record: its fields are not resolved, the delete is.
pr delete "$ID"
prj '3' resolve "$ID" count
check "resolve_field_of_deleted_exit_6" [ "$RC" -eq 6 ]
pr resolve "$ID" --undelete
t_rc=$RC
pr get "$ID"
if [ "$t_rc" -eq 0 ] && [ "$RC" -eq 0 ] && [ "$(jval deleted)" = false ] &&
	[ "$(jval fields.cap)" = 4242 ]; then
	ok "undelete_without_conflict"
else
	fail "undelete_without_conflict" "exit $t_rc, deleted $(jval deleted)"
fi
pr delete "$ID"
pr resolve "$ID" --keep-deleted
t_rc=$RC
pr get "$ID"
if [ "$t_rc" -eq 0 ] && [ "$(jval deleted)" = true ]; then
	ok "keep_deleted_without_conflict"
else
	fail "keep_deleted_without_conflict" "exit $t_rc, deleted $(jval deleted)"
fi
pr history "$ID"
check "history_delete_resolve" grep -q '_deleted: true -> true' "$T/out"

# ---- (d) several records, JSON Lines -----------------------------------

prj '{"title":"a","cap":1,"spent":2}' put test_item
A=$(out_line)
prj '{"title":"b","cap":3,"spent":4}' put test_item
B=$(out_line)
pr conflicts --json
if [ "$RC" -eq 0 ] && [ "$(jsonl_check "$T/out")" = 2 ] &&
	grep -qF "\"record\":\"$A\"" "$T/out" &&
	grep -qF "\"record\":\"$B\"" "$T/out"; then
	ok "conflicts_json_lines"
else
	fail "conflicts_json_lines" "exit $RC: $(head -c 300 "$T/out")"
fi
pr conflicts
if [ "$RC" -eq 0 ] && [ "$(sed -n '$p' "$T/out")" = "2 open conflicts" ]; then
	ok "conflicts_count_line"
else
	fail "conflicts_count_line" "exit $RC: $(sed -n '$p' "$T/out")"
fi
pr status --json
check "status_two_conflicted" [ "$(jval conflicted)" = 2 ]

finish
