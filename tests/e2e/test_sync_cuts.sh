#!/bin/sh
# tests/e2e/test_sync_cuts.sh - a link that carries less than a page per
# connection: every connection to the hub goes through
# tests/tools/faultproxy and is cut after 20 to 50 KB (both directions
# together, FIN or RST).  With the default options, without --batch:
#   - the initial pull of the 600-person workload (shared/workload/
#     gen.js, imported on the hub, every case assigned to polo-a)
#     completes in a bounded number of `presidio sync` runs and the node
#     ends with every record;
#   - a push of a smaller workload imported on polo-b completes the same
#     way and the hub ends with every record, each change once.
# Pages are sized by what the link delivers (sync/sync.h: pacing).
# The sanitizer build runs the same pacing through test_sync_faults.sh.
# e2e: plain build only
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sync_lib.sh"

GEN=${PRESIDIO_WORKLOAD_GEN:-$(dirname "$0")/../../../shared/workload/gen.js}
PROXY=$E2E_BUILD/tests/tools/faultproxy
RUNS=${SYNC_CUTS_RUNS:-3}      # `presidio sync` runs allowed per side
SEED=${SYNC_CUTS_SEED:-$(date +%s)}
[ -x "$PROXY" ] || { fail faultproxy "no $PROXY (make tests builds it)"; finish; }
if ! command -v node >/dev/null 2>&1 || [ ! -f "$GEN" ]; then
	ok "sync_cuts (skipped: no node or gen.js)"
	finish
fi
echo "# seed $SEED (SYNC_CUTS_SEED=$SEED to replay the proxy's choices)"

# Key-file slots: no Argon2 on each command.
KEYED=1
PRESIDIO_OPERATOR=alice
export PRESIDIO_OPERATOR
unset PRESIDIO_DIR PRESIDIO_PASSPHRASE

now_ms() { date +%s%3N; }

# workload SEED PERSONS NODE OUT: the creates of gen.js, every case
# assigned to NODE.
workload() {
	node "$GEN" --seed "$1" --persons "$2" --updates 0 --out "$T/gen.jsonl" \
		>/dev/null 2>"$T/gen.err" || return 1
	node -e '
const fs = require("fs");
const out = [];
for (const l of fs.readFileSync(process.argv[1], "utf8").split("\n")) {
	if (!l) continue;
	const o = JSON.parse(l);
	if (o.collection === "case") o.fields.nodes = [process.argv[2]];
	out.push(JSON.stringify(o));
}
fs.writeFileSync(process.argv[3], out.join("\n") + "\n");' "$T/gen.jsonl" "$3" "$4"
}

# count DIR COLL: live records of COLL on node DIR.
count() {
	on "$1" list "$2" --count
	out_line
}

# sync_until DIR: `presidio sync` with the default options until it
# exits 0, at most $RUNS times; $RUNS_USED, $SYNC_MS, $LAST.
sync_until() {
	RUNS_USED=0
	t0=$(now_ms)
	while [ "$RUNS_USED" -lt "$RUNS" ]; do
		RUNS_USED=$((RUNS_USED + 1))
		on "$1" sync
		LAST="exit $RC: $(out_line) $(first_err)"
		echo "# $(basename "$1") run $RUNS_USED: $LAST"
		[ "$RC" -eq 0 ] && break
	done
	SYNC_MS=$(($(now_ms) - t0))
}

make_ca
start_hub
"$PROXY" --target "127.0.0.1:$HUB_PORT" --port-file "$T/proxy.port" \
	--seed "$SEED" --cut-prob 1 --cut-min 20000 --cut-max 50000 \
	--lifetime 280 --stats "$T/proxy.stats" 2>"$T/proxy.log" &
E2E_PIDS="$E2E_PIDS $!"
i=0
while [ ! -s "$T/proxy.port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
[ -s "$T/proxy.port" ] || { fail proxy_start "$(head -c 200 "$T/proxy.log")"; finish; }
HUB_URL="https://127.0.0.1:$(cat "$T/proxy.port")"

# enroll NAME: init $T/NAME and enroll it with the token in $T/NAME.token,
# through the proxy (its one request fits in a connection).
enroll() {
	node_init "$T/$1" "$1"
	PRESIDIO_TOKEN=$(cat "$T/$1.token")
	export PRESIDIO_TOKEN
	on "$T/$1" enroll --hub "$HUB_URL" --ca "$T/pki/ca.pem"
	unset PRESIDIO_TOKEN
}

# ---- the initial pull of 600 persons ---------------------------------------
# (SYNC_CUTS_PERSONS; the sanitizer build's run sets a smaller default:
# the same cuts on fewer pages, within its time)
PERSONS=${SYNC_CUTS_PERSONS:-${SYNC_CUTS_PERSONS_DEFAULT:-600}}

# The nodes are known before the import: the hub decides each case's
# scope as it imports it.
for n in polo-a polo-b; do
	on "$T/hub" hub node add $n --kind polo --region Puglia
	cp "$T/out" "$T/$n.token"
done
workload 42 "$PERSONS" polo-a "$T/pull.jsonl" || { fail workload "$(head -c 200 "$T/gen.err")"; finish; }
t0=$(now_ms)
on "$T/hub" import "$T/pull.jsonl"
[ "$RC" -eq 0 ] || { fail hub_import "exit $RC ($(first_err))"; finish; }
echo "# hub imported $(wc -l <"$T/pull.jsonl") records in $(($(now_ms) - t0)) ms"
ok hub_import

enroll polo-a
[ "$RC" -eq 0 ] && ok enroll_through_cuts || { fail enroll_through_cuts "exit $RC ($(first_err))"; finish; }

sync_until "$T/polo-a"
echo "# initial pull: $RUNS_USED run(s), $SYNC_MS ms"
[ "$RC" -eq 0 ] && ok pull_completes_with_defaults ||
	fail pull_completes_with_defaults "after $RUNS_USED runs: $LAST"
same=1
for c in person case service; do
	want=$(count "$T/hub" $c)
	got=$(count "$T/polo-a" $c)
	[ -n "$want" ] && [ "$want" -gt 0 ] && [ "$got" = "$want" ] ||
		{ same=0; WHY="$WHY $c $got of $want"; }
done
[ "$same" = 1 ] && ok node_has_every_record || fail node_has_every_record "$WHY"
# page DIR NAME: the page size node DIR keeps for the next round.
page() {
	sqlite3 "$1/presidio.db" "SELECT value FROM meta WHERE key = 'checkpoint:sync.$2_page'"
}
kept=$(page "$T/polo-a" pull)
[ -n "$kept" ] && [ "$kept" -ge 1 ] && [ "$kept" -lt 1000 ] &&
	ok pull_page_size_kept || fail pull_page_size_kept "kept '$kept'"
echo "# pull pages: $kept changes kept for the next round"

# ---- a push of 300 persons -------------------------------------------------

WHY=
enroll polo-b
[ "$RC" -eq 0 ] || { fail enroll_b "exit $RC ($(first_err))"; finish; }
workload 7 300 polo-b "$T/push.jsonl" || { fail workload_push "$(head -c 200 "$T/gen.err")"; finish; }
on "$T/polo-b" import "$T/push.jsonl"
[ "$RC" -eq 0 ] || { fail node_import "exit $RC ($(first_err))"; finish; }
made=$(sqlite3 "$T/polo-b/presidio.db" "SELECT count(*) FROM change WHERE oseq IS NULL")
sync_until "$T/polo-b"
echo "# push of $made changes: $RUNS_USED run(s), $SYNC_MS ms"
[ "$RC" -eq 0 ] && ok push_completes_with_defaults ||
	fail push_completes_with_defaults "after $RUNS_USED runs: $LAST"
onhub=$(sqlite3 "$T/hub/presidio.db" "SELECT count(*), count(DISTINCT oseq) FROM change c JOIN node n ON n.idx = c.origin WHERE n.name = 'polo-b'")
[ "$onhub" = "$made|$made" ] && ok hub_has_every_pushed_change_once ||
	fail hub_has_every_pushed_change_once "made $made, hub holds $onhub"

kept=$(page "$T/polo-b" push)
[ -n "$kept" ] && [ "$kept" -ge 1 ] && [ "$kept" -lt 1000 ] &&
	ok push_page_size_kept || fail push_page_size_kept "kept '$kept'"
echo "# push pages: $kept changes kept for the next round"

cuts=$(sed -n 's/^cuts //p' "$T/proxy.stats")
conns=$(sed -n 's/^connections //p' "$T/proxy.stats")
echo "# proxy: $conns connections, $cuts cut"
# Connections that carry less than their cut point (hello, a last short
# page) end whole; the rest must have been cut, and the transfers above
# must have needed several of them, whatever the workload's size.
[ "${cuts:-0}" -ge 5 ] && [ $((cuts * 2)) -ge "${conns:-0}" ] &&
	ok most_connections_cut || fail most_connections_cut "only ${cuts:-0} of ${conns:-0} cut"
stop_hub
finish
