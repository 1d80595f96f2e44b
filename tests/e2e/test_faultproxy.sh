#!/bin/sh
# tests/e2e/test_faultproxy.sh - the fault-injecting proxy the sync tests
# run through (tests/tools/faultproxy.c), checked against small node peers.
#
# With no cuts, 1 MB echoed through it comes back intact, alone and as
# eight connections at once with delays.  With cut-prob 1 every connection
# is cut after at most cut-max bytes and the stats count the cuts; the
# same seed cuts the same connections at the same byte, another seed does
# not; throttling paces a transfer; a refused target is survived; bad
# arguments (a non-loopback --listen above all) exit 2; SIGTERM and
# --lifetime end it cleanly (under ASan: without a leak).
. "$(dirname "$0")/lib.sh"

FP=$E2E_BUILD/tests/tools/faultproxy
if [ ! -x "$FP" ]; then
	fail "faultproxy" "no executable $FP (make tests builds it)"
	finish
fi
if ! command -v node >/dev/null 2>&1; then
	ok "faultproxy (skipped: no node)"
	finish
fi

# The peers.  Servers: "echo PORTFILE", "source PORTFILE BYTES" (sends
# BYTES, then FIN).  Client: "client PORT N SEND [OUT] [par]": N
# connections (one after the other, or at once with par), each sending
# SEND (a byte count, or @FILE) then FIN and reading until the close; OUT
# keeps what came back (OUT.i with par).  One line per connection:
# "i sent received how ms", how being fin, rst or an error code.
cat >"$T/peer.js" <<'EOF'
const net = require("net");
const fs = require("fs");
const [mode, ...a] = process.argv.slice(2);
function serve(handler, portFile) {
	const srv = net.createServer({ allowHalfOpen: true }, (s) => {
		s.on("error", () => {});
		handler(s);
	});
	srv.listen(0, "127.0.0.1", () => {
		fs.writeFileSync(portFile + ".tmp", srv.address().port + "\n");
		fs.renameSync(portFile + ".tmp", portFile);
	});
}
if (mode === "echo") {
	serve((s) => s.pipe(s), a[0]);
} else if (mode === "source") {
	const data = Buffer.alloc(Number(a[1]), 0x61);
	serve((s) => { s.resume(); s.end(data); }, a[0]);
} else if (mode === "client") {
	const port = Number(a[0]), n = Number(a[1]);
	const send = a[2].startsWith("@") ? fs.readFileSync(a[2].slice(1)) :
		Buffer.alloc(Number(a[2]), 0x62);
	const out = a[3] && a[3] !== "-" ? a[3] : null;
	const par = a[4] === "par";
	const lines = [];
	const one = (i) => new Promise((resolve) => {
		const t0 = Date.now(), chunks = [];
		let got = 0, how = "fin";
		const s = net.connect(port, "127.0.0.1");
		s.setTimeout(15000, () => { how = "timeout"; s.destroy(); });
		s.on("connect", () => { s.end(send); });
		s.on("data", (d) => {
			got += d.length;
			if (out)
				chunks.push(d);
		});
		s.on("error", (e) => {
			if (how === "fin")
				how = e.code === "ECONNRESET" ? "rst" : e.code;
		});
		s.on("close", () => {
			if (out)
				fs.writeFileSync(par ? out + "." + i : out,
					Buffer.concat(chunks));
			lines[i] = `${i} ${send.length} ${got} ${how} ` +
				(Date.now() - t0);
			resolve();
		});
	});
	(async () => {
		if (par)
			await Promise.all([...Array(n).keys()].map(one));
		else
			for (let i = 0; i < n; i++)
				await one(i);
		process.stdout.write(lines.join("\n") + "\n");
	})();
}
EOF

# wait_file FILE: up to 10 s for FILE to appear.
wait_file() {
	w_i=0
	while [ ! -s "$1" ] && [ $w_i -lt 200 ]; do
		sleep 0.05
		w_i=$((w_i + 1))
	done
	[ -s "$1" ]
}

# server NAME MODE ARGS...: start a node peer server; its port in $SPORT.
server() {
	s_name=$1
	shift
	bg node "$T/peer.js" "$1" "$T/$s_name.port" "${2:-}"
	if ! wait_file "$T/$s_name.port"; then
		fail "server_$s_name" "node $1 server did not start"
		finish
	fi
	SPORT=$(cat "$T/$s_name.port")
}

# proxy NAME TARGET_PORT ARGS...: start a proxy, stderr in $T/NAME.err,
# stats in $T/NAME.stats; its port in $PPORT, its pid in $PPID_.
proxy() {
	p_name=$1
	p_target=$2
	shift 2
	bg "$FP" --target "127.0.0.1:$p_target" --port-file "$T/$p_name.port" \
		--stats "$T/$p_name.stats" --verbose "$@" 2>"$T/$p_name.err"
	PPID_=$BG_PID
	if ! wait_file "$T/$p_name.port"; then
		fail "proxy_$p_name" \
			"did not start: $(head -c 300 "$T/$p_name.err")"
		finish
	fi
	PPORT=$(cat "$T/$p_name.port")
}

# stop NAME PID: SIGTERM, then the exit status must be 0 within 5 s.
stop() {
	kill -TERM "$2" 2>/dev/null
	s_i=0
	while kill -0 "$2" 2>/dev/null && [ $s_i -lt 100 ]; do
		sleep 0.05
		s_i=$((s_i + 1))
	done
	if kill -0 "$2" 2>/dev/null; then
		fail "stop_$1" "still running 5 s after SIGTERM"
		return
	fi
	wait "$2"
	s_rc=$?
	if [ $s_rc -eq 0 ]; then
		ok "stop_$1"
	else
		fail "stop_$1" \
			"exit $s_rc after SIGTERM: $(tail -c 300 "$T/$1.err")"
	fi
}

# pstat NAME KEY: one count from the stats file of proxy NAME.
pstat() {
	sed -n "s/^$2 //p" "$T/$1.stats"
}

# client PORT N SEND [OUT] [par]: run the client, lines in $T/client.out.
client() {
	node "$T/peer.js" client "$@" >"$T/client.out" 2>"$T/client.err"
}

# ---- arguments --------------------------------------------------------------

t_exit "listen_any_refused_exit_2" 2 "$FP" --target 127.0.0.1:9 \
	--listen 0.0.0.0
t_exit "listen_lan_refused_exit_2" 2 "$FP" --target 127.0.0.1:9 \
	--listen 192.168.1.10
t_exit "listen_v6_any_refused_exit_2" 2 "$FP" --target 127.0.0.1:9 \
	--listen ::
t_exit "no_target_exit_2" 2 "$FP"
t_exit "bad_target_exit_2" 2 "$FP" --target 127.0.0.1
t_exit "cut_prob_above_1_exit_2" 2 "$FP" --target 127.0.0.1:9 --cut-prob 1.5
t_exit "bad_number_exit_2" 2 "$FP" --target 127.0.0.1:9 --cut-max 12k
t_exit "unknown_option_exit_2" 2 "$FP" --target 127.0.0.1:9 --frobnicate
if err_has "usage: faultproxy"; then ok "usage_on_bad_arguments"
else fail "usage_on_bad_arguments" "no usage text: $(first_err)"; fi

# The lifetime runs out while the other tests run.
bg "$FP" --target 127.0.0.1:9 --port-file "$T/life.port" --lifetime 2 \
	2>"$T/life.err"
LIFE_PID=$BG_PID
LIFE_T0=$(date +%s%3N)

# ---- no cuts: bytes pass intact ---------------------------------------------

server echo echo
ECHO=$SPORT
head -c 1048576 /dev/urandom >"$T/1mb"
SUM=$(sha256sum <"$T/1mb" | cut -c1-64)

proxy plain "$ECHO" --cut-prob 0
PLAIN_PID=$PPID_
client "$PPORT" 1 "@$T/1mb" "$T/1mb.back"
if [ "$(sha256sum <"$T/1mb.back" | cut -c1-64)" = "$SUM" ]; then
	ok "passthrough_1mb_echo"
else
	fail "passthrough_1mb_echo" "got $(wc -c <"$T/1mb.back") bytes, \
different content ($(cat "$T/client.out"))"
fi
if grep -q "seed [0-9]" "$T/plain.err"; then
	ok "seed_printed"
else
	fail "seed_printed" "$(head -c 200 "$T/plain.err")"
fi
stop plain "$PLAIN_PID"
exp=$(printf 'connections 1\ncuts 0\nresets 0\nbytes_up %s\nbytes_down %s' \
	1048576 1048576)
if [ "$(cat "$T/plain.stats")" = "$exp" ]; then ok "stats_passthrough"
else fail "stats_passthrough" "$(tr '\n' ' ' <"$T/plain.stats")"; fi

proxy par "$ECHO" --cut-prob 0 --delay-ms 3 --seed 5
PAR_PID=$PPID_
head -c 262144 "$T/1mb" >"$T/256k"
SUM=$(sha256sum <"$T/256k" | cut -c1-64)
client "$PPORT" 8 "@$T/256k" "$T/par" par
bad=
for i in 0 1 2 3 4 5 6 7; do
	s=$(sha256sum <"$T/par.$i" 2>/dev/null | cut -c1-64)
	[ "$s" = "$SUM" ] || bad="$bad $i"
done
if [ -z "$bad" ]; then ok "passthrough_8_at_once_with_delays"
else fail "passthrough_8_at_once_with_delays" "differs:$bad"; fi
stop par "$PAR_PID"
if [ "$(pstat par connections)" = 8 ] && [ "$(pstat par cuts)" = 0 ]; then
	ok "stats_8_connections"
else
	fail "stats_8_connections" "$(tr '\n' ' ' <"$T/par.stats")"
fi

# ---- every connection cut ---------------------------------------------------

proxy cut "$ECHO" --cut-prob 1 --cut-max 1000 --seed 7
CUT_PID=$PPID_
client "$PPORT" 20 10000
n=$(awk '$3 <= 1000 && $3 < $2' "$T/client.out" | wc -l)
if [ "$n" -eq 20 ]; then ok "cut_every_connection_by_1000_bytes"
else fail "cut_every_connection_by_1000_bytes" \
	"$n of 20: $(tr '\n' ';' <"$T/client.out")"; fi
if kill -0 "$CUT_PID" 2>/dev/null; then ok "survives_cuts"
else fail "survives_cuts" "proxy gone: $(tail -c 300 "$T/cut.err")"; fi
stop cut "$CUT_PID"
c=$(pstat cut connections)
k=$(pstat cut cuts)
r=$(pstat cut resets)
b=$(($(pstat cut bytes_up) + $(pstat cut bytes_down)))
if [ "$c" = 20 ] && [ "$k" = 20 ] && [ "$r" -gt 0 ] && [ "$r" -lt 20 ] &&
	[ "$b" -le 20000 ]; then
	ok "stats_count_cuts"
else
	fail "stats_count_cuts" "$(tr '\n' ' ' <"$T/cut.stats")"
fi

# ---- the same seed, the same cuts -------------------------------------------

server src source 5000
SRC=$SPORT
# seed_run NAME SEED [ARGS...]: 30 connections; the sizes the client
# received in $T/NAME.sizes, the proxy's own account of each connection
# ("index outcome bytes-seen", from --verbose) in $T/NAME.fates.
seed_run() {
	r_name=$1
	r_seed=$2
	shift 2
	proxy "$r_name" "$SRC" --seed "$r_seed" --cut-prob 0.5 --cut-max 6000 "$@"
	client "$PPORT" 30 0
	stop "$r_name" "$PPID_"
	cut -d' ' -f3 "$T/client.out" | tr '\n' ' ' >"$T/$r_name.sizes"
	sed -n 's/^faultproxy: conn \([0-9]*\): \(.*\) after \([0-9]*\) bytes.*/\1 \2 \3/p' \
		"$T/$r_name.err" | sort -n >"$T/$r_name.fates"
}
seed_run seed_a 42
seed_run seed_b 42
seed_run seed_c 43
# The seed decides each connection's fate (cut or not, where, RST or
# FIN): compare the proxy's account, not what the client read, because a
# client may drop bytes it had not read yet when an RST arrives.
A=$(cat "$T/seed_a.fates")
if [ "$(wc -l <"$T/seed_a.fates")" -eq 30 ] &&
	[ "$A" = "$(cat "$T/seed_b.fates")" ]; then ok "same_seed_same_cuts"
else fail "same_seed_same_cuts" "[$A] vs [$(cat "$T/seed_b.fates")]"; fi
if [ "$A" != "$(cat "$T/seed_c.fates")" ]; then ok "other_seed_other_cuts"
else fail "other_seed_other_cuts" "same fates [$A]"; fi
whole=$(grep -c ' ended 5000$' "$T/seed_a.fates")
if [ "$whole" -gt 0 ] && [ "$whole" -lt 30 ] &&
	[ "$(pstat seed_a resets)" -gt 0 ]; then ok "seed_run_mixes_cuts"
else fail "seed_run_mixes_cuts" "$whole of 30 whole: [$A]"; fi
# A cut after N bytes delivers N bytes: with FIN cuts the client reads
# what the proxy counts as delivered, connection by connection.
seed_run seed_d 42 --reset-prob 0
got=0
for s in $(cat "$T/seed_d.sizes"); do got=$((got + s)); done
cuts=$(grep -c ' cut with FIN ' "$T/seed_d.fates")
if [ "$got" = "$(pstat seed_d bytes_down)" ] && [ "$cuts" -gt 0 ] &&
	[ "$(pstat seed_d resets)" = 0 ]; then
	ok "cut_delivers_what_it_counts"
else
	fail "cut_delivers_what_it_counts" \
		"client $got, stats $(tr '\n' ' ' <"$T/seed_d.stats")"
fi

# ---- throttle ---------------------------------------------------------------

server big source 300000
proxy slow "$SPORT" --cut-prob 0 --throttle 100000
client "$PPORT" 1 0
stop slow "$PPID_"
got=$(cut -d' ' -f3 "$T/client.out")
ms=$(cut -d' ' -f5 "$T/client.out")
if [ "${got:-0}" = 300000 ] && [ "${ms:-0}" -ge 2000 ]; then
	ok "throttle_100k_paces_300k"
else
	fail "throttle_100k_paces_300k" \
		"$(cat "$T/client.out") (want 300000 bytes in >= 2000 ms)"
fi

# ---- a target that refuses --------------------------------------------------

proxy refused 1 --cut-prob 0
client "$PPORT" 2 100
if [ "$(pstat refused connections)" = 2 ] &&
	[ "$(cut -d' ' -f3 "$T/client.out" | tr '\n' ' ')" = "0 0 " ] &&
	grep -q "conn 2: 127.0.0.1:1" "$T/refused.err"; then
	ok "refused_target_survived"
else
	fail "refused_target_survived" \
		"$(tr '\n' ' ' <"$T/refused.err" | head -c 300)"
fi
stop refused "$PPID_"

# ---- lifetime ---------------------------------------------------------------

i=0
while kill -0 "$LIFE_PID" 2>/dev/null && [ $i -lt 100 ]; do
	sleep 0.05
	i=$((i + 1))
done
if kill -0 "$LIFE_PID" 2>/dev/null; then
	fail "lifetime_exits" \
		"still running $(($(date +%s%3N) - LIFE_T0)) ms after its start"
else
	wait "$LIFE_PID"
	rc=$?
	if [ $rc -eq 0 ] && grep -q "lifetime over" "$T/life.err"; then
		ok "lifetime_exits"
	else
		fail "lifetime_exits" "exit $rc: $(tail -c 300 "$T/life.err")"
	fi
fi

# ---- sanitizers -------------------------------------------------------------

if grep -lE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$T"/*.err \
	>"$T/san" 2>/dev/null; then
	fail "no_sanitizer_report" "in $(tr '\n' ' ' <"$T/san")"
	sed -n '1,40s/^/# /p' "$(sed -n 1p "$T/san")"
else
	ok "no_sanitizer_report"
fi

finish
