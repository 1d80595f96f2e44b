#!/bin/sh
# tests/e2e/test_sync_faults.sh - sync over a link that breaks: two nodes
# reach the TLS hub only through tests/tools/faultproxy, which cuts
# connections after a random number of bytes (in requests, responses and
# TLS handshakes, FIN or RST), delays and throttles.  Over 80 sync rounds
# with edits in between, then rounds until both nodes get through: every
# change is on the hub exactly once, both nodes hold the same records,
# and the cursors never went back.
# Writes test collections: runs the test build (lib.sh).
E2E_TEST_SCHEMA=1
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/sync_lib.sh"

ROUNDS=${SYNC_FAULT_ROUNDS:-${SYNC_FAULT_ROUNDS_DEFAULT:-40}}
SEED=${SYNC_FAULT_SEED:-$(date +%s)}
PROXY=$E2E_BUILD/tests/tools/faultproxy
[ -x "$PROXY" ] || { fail faultproxy "no $PROXY"; finish; }
echo "# seed $SEED (SYNC_FAULT_SEED=$SEED to replay the proxy's choices)"

# Key-file slots: no Argon2 on each of the hundreds of commands.
KEYED=1
PRESIDIO_OPERATOR=alice
export PRESIDIO_OPERATOR
unset PRESIDIO_DIR PRESIDIO_PASSPHRASE

make_ca
start_hub

"$PROXY" --target "127.0.0.1:$HUB_PORT" --port-file "$T/proxy.port" \
	--seed "$SEED" --cut-prob 0.35 --cut-max 6000 --delay-ms 5 \
	--throttle 2000000 --lifetime 280 --stats "$T/proxy.stats" \
	2>"$T/proxy.log" &
E2E_PIDS="$E2E_PIDS $!"
i=0
while [ ! -s "$T/proxy.port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
PROXY_URL="https://127.0.0.1:$(cat "$T/proxy.port")"

# Enroll both nodes through the proxy, retrying until it lets them.
for n in a b; do
	on "$T/hub" hub node add "$n" --kind polo --region Puglia
	tok=$(cat "$T/out")
	node_init "$T/$n" "$n"
	i=0
	while :; do
		PRESIDIO_TOKEN=$tok
		export PRESIDIO_TOKEN
		on "$T/$n" enroll --hub "$PROXY_URL" --ca "$T/pki/ca.pem"
		unset PRESIDIO_TOKEN
		[ "$RC" -eq 0 ] && break
		# A cut after the hub spent the token: issue another.
		on "$T/hub" hub node token "$n"
		tok=$(cat "$T/out")
		i=$((i + 1))
		[ $i -lt 20 ] || { fail "enroll_$n" "exit $RC ($(first_err))"; finish; }
	done
done
ok enroll_through_faults

made_a=0
made_b=0
bad=
r=0
while [ $r -lt "$ROUNDS" ]; do
	r=$((r + 1))
	onj "{\"title\":\"a$r\",\"count\":$r}" "$T/a" put test_item
	[ "$RC" -eq 0 ] && made_a=$((made_a + 1))
	id_a=$(out_line)
	if [ $((r % 3)) -eq 0 ]; then
		onj "{\"count\":$((r * 10))}" "$T/a" put test_item "$id_a"
		[ "$RC" -eq 0 ] && made_a=$((made_a + 1))
	fi
	onj "{\"title\":\"b$r\",\"tags\":[\"x\",\"$r\"]}" "$T/b" put test_item
	[ "$RC" -eq 0 ] && made_b=$((made_b + 1))
	for n in a b; do
		on "$T/$n" sync --retries 2 --retry-delay 50
		case $RC in
		0 | 11) ;;
		*) bad="$bad $n/$r:$RC($(first_err))" ;;
		esac
	done
done
if [ -z "$bad" ]; then ok "sync_rounds_through_faults"; else
	fail "sync_rounds_through_faults" "unexpected exits:$bad"; fi

# Until both get through a whole round (and a last one each, so that
# each has pulled what the other pushed).
for pass in 1 2; do
	for n in a b; do
		i=0
		while :; do
			on "$T/$n" sync --retries 3 --retry-delay 50
			[ "$RC" -eq 0 ] && break
			i=$((i + 1))
			[ $i -lt 40 ] || { fail converge "$n: exit $RC ($(first_err))"; finish; }
		done
	done
done
ok rounds_complete_eventually

cuts=$(sed -n 's/^cuts //p' "$T/proxy.stats")
conns=$(sed -n 's/^connections //p' "$T/proxy.stats")
echo "# proxy: $conns connections, $cuts cut"
if [ "${cuts:-0}" -ge $((ROUNDS / 4)) ]; then ok "faults_were_injected"; else
	fail "faults_were_injected" "only ${cuts:-0} cuts"; fi

hubdb=$T/hub/presidio.db
for n in a b; do
	own=$(sqlite3 "$T/$n/presidio.db" "SELECT count(*) FROM change WHERE oseq IS NULL")
	onhub=$(sqlite3 "$hubdb" "SELECT count(*) FROM change c JOIN node n ON n.idx = c.origin WHERE n.name = '$n'")
	dist=$(sqlite3 "$hubdb" "SELECT count(DISTINCT oseq) FROM change c JOIN node n ON n.idx = c.origin WHERE n.name = '$n'")
	made=$made_a
	[ $n = b ] && made=$made_b
	if [ "$own" -eq "$made" ] && [ "$onhub" -eq "$own" ] && [ "$dist" -eq "$own" ]; then
		ok "hub_has_every_change_of_${n}_once"
	else
		fail "hub_has_every_change_of_${n}_once" "made $made, logged $own, on hub $onhub ($dist distinct)"
	fi
	pending=$("$P" -d "$T/$n" status --json | node -e '
let s = ""; process.stdin.on("data", (d) => s += d);
process.stdin.on("end", () => process.stdout.write(String(JSON.parse(s).sync.pending)));')
	[ "$pending" = 0 ] && ok "nothing_pending_on_$n" || fail "nothing_pending_on_$n" "$pending"
done

# Both nodes and the hub hold the same records with the same versions.
for n in hub a b; do
	on "$T/$n" list test_item
	LC_ALL=C sort "$T/out" >"$T/list.$n"
done
cnt=$(grep -c . "$T/list.hub")
if [ "$cnt" -eq $((ROUNDS * 2)) ] && cmp -s "$T/list.hub" "$T/list.a" &&
	cmp -s "$T/list.hub" "$T/list.b"; then
	ok replicas_identical
else
	fail replicas_identical "hub $cnt, a $(grep -c . "$T/list.a"), b $(grep -c . "$T/list.b") records, or contents differ"
fi

finish
