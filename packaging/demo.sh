#!/bin/sh
# demo.sh - the Su.Pr.Eme. 2 case system at work, run by `make demo`: a
# Helpdesk hub and three nodes on this computer (a Polo Sociale Integrato
# in Puglia, the Punto di Accesso BdI of Sicilia, a soggetto attuatore),
# talking HTTPS on 127.0.0.1.  Synthetic people are loaded, and one case
# goes through the whole Budget di Integrazione procedure: work offline on
# two nodes, a conflict and its resolution, a write refused out of scope,
# a budget over its cap, and the report for the Tavolo.  Each step says
# in plain words what happens (in Italian: it is what operators read).
# Everything lives in a temporary directory removed at the end; set
# DEMO_KEEP=1 to keep it, DEMO_PERSONS=N for fewer or more synthetic
# people (default 300).
set -eu
P=${PRESIDIO_BIN:-$(cd "$(dirname "$0")/.." && pwd)/build/presidio}
T=$(mktemp -d)
HUB_PID=
cleanup() {
	[ -n "$HUB_PID" ] && kill "$HUB_PID" 2>/dev/null
	if [ "${DEMO_KEEP:-0}" = 1 ]; then echo "(kept: $T)"; else rm -rf "$T"; fi
}
trap cleanup EXIT
export PRESIDIO_OPERATOR=operatore
# A script passes the passphrase through the environment (or a file
# descriptor); people type it at the prompt.  Never on the command line.
export PRESIDIO_PASSPHRASE='una frase lunga e segreta per la demo'

HUB="$T/helpdesk"
POLO="$T/polo-foggia"
PDA="$T/pda-sicilia"
ATT="$T/coop-proxima"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
say() { printf '   %s\n' "$*"; }
# The command line goes to stderr so that $(run ...) captures only what
# the command prints (a new record's id).
run() { printf '$ presidio %s\n' "$*" >&2; "$P" "$@"; }
# A command expected to be refused: show it and its exit code.
refused() {
	printf '$ presidio %s\n' "$*" >&2
	rc=0
	"$P" "$@" || rc=$?
	if [ "$rc" -eq 0 ]; then
		echo "demo: this should have been refused" >&2
		exit 1
	fi
	say "(rifiutato, codice di uscita $rc)"
}
sync_all() { for d in "$@"; do "$P" -d "$d" sync >/dev/null; done; }

step "Un hub dell'Helpdesk con HTTPS (una CA usa e getta per la demo)"
mkdir "$T/pki"
(cd "$T/pki" &&
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout ca.key -out ca.pem -days 1 -subj "/CN=demo CA" &&
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout hub.key -out hub.csr -subj "/CN=127.0.0.1" &&
	printf 'subjectAltName=IP:127.0.0.1\n' >ext.cnf &&
	openssl x509 -req -in hub.csr -CA ca.pem -CAkey ca.key \
		-CAcreateserial -out hub.pem -days 1 -extfile ext.cnf) \
	>/dev/null 2>&1
run -d "$HUB" init --name helpdesk --hub >/dev/null
"$P" -d "$HUB" hub serve --cert "$T/pki/hub.pem" --key "$T/pki/hub.key" \
	--listen 127.0.0.1 --port 0 --port-file "$T/port" 2>"$T/hub.log" &
HUB_PID=$!
while [ ! -s "$T/port" ]; do sleep 0.1; done
URL="https://127.0.0.1:$(cat "$T/port")"
say "l'hub risponde su $URL"

step "Tre nodi si registrano presso l'hub, ciascuno con un gettone monouso"
enroll() { # DIR NAME KIND REGION
	"$P" -d "$HUB" hub node add "$2" --kind "$3" --region "$4" >"$T/tok"
	"$P" -d "$1" init --name "$2" >/dev/null
	PRESIDIO_TOKEN=$(cat "$T/tok") "$P" -d "$1" enroll --hub "$URL" \
		--ca "$T/pki/ca.pem" >/dev/null
	say "$2: $3, $4"
}
enroll "$POLO" polo-foggia polo Puglia
enroll "$PDA" pda-sicilia pda Sicilia
enroll "$ATT" coop-proxima attuatore Sicilia
run -d "$HUB" hub node list

N=${DEMO_PERSONS:-300}
step "Dati sintetici: $N persone con i loro casi e servizi, dal Polo"
GEN=$(cd "$(dirname "$0")/../.." && pwd)/shared/workload/gen.js
if command -v node >/dev/null && [ -f "$GEN" ]; then
	node "$GEN" --seed 7 --persons "$N" --updates 100 --out "$T/w.jsonl" \
		>/dev/null
	run -d "$POLO" import "$T/w.jsonl"
	sync_all "$POLO" "$PDA"
	say "dopo la sincronizzazione il Punto di Accesso Sicilia vede solo i"
	say "casi della sua regione:"
	run -d "$PDA" list case --count
else
	say "(saltato: servono node e ../shared/workload/gen.js)"
fi

step "Individuazione: il Punto di Accesso Sicilia registra una persona"
say "I dati vanno cifrati nel database: nulla e' leggibile dal disco."
echo '{"given_name":"Mamadou","family_name":"Diallo","sex":"M","birth_date":"1994-03-12","nationality":"SN","languages":["fr","wo"],"phone":"+39 320 5551234"}' >"$T/p.json"
PERSON=$(run -d "$PDA" person add <"$T/p.json")
say "persona $PERSON"
say "Una seconda registrazione della stessa persona, scritta in un altro"
say "modo, viene segnalata come probabile doppione e non viene salvata:"
echo '{"given_name":"Mamadu","family_name":"Dialo","sex":"M","birth_date":"1994-03-12","nationality":"SN"}' >"$T/p2.json"
refused -d "$PDA" person add <"$T/p2.json"
run -d "$PDA" person find --name "diallo mam"

step "Pre-assessment: il caso e la scheda di valutazione preliminare"
CASE=$(run -d "$PDA" case open --person "$PERSON" --region Sicilia \
	--channel outreach --level complesso --bdi)
say "caso $CASE"
run -d "$PDA" assess "$CASE" --criterion1 si --indicators wages,hours \
	--criterion2 si --type 2 --proposer "Punto di Accesso Sicilia" --submit
say "Solo il Focal Point dell'hub valida l'eleggibilita':"
refused -d "$PDA" validate "$CASE" --eligible
sync_all "$PDA"

step "Validazione e dote: il Focal Point (hub) decide"
run -d "$HUB" validate "$CASE" --eligible --reason "Criteri 1 e 2 soddisfatti, tipologia 2"
DOTE=$(run -d "$HUB" dote assign "$CASE" --partner sicilia --start 2027-01-07 \
	--end 2027-07-06)
say "dote $DOTE; le doti della Sicilia restano entro l'allocazione:"
run -d "$HUB" hub allocation
say "In Sicilia il matching lo fa il Punto di Accesso: l'hub glielo affida."
run -d "$HUB" match "$CASE" --to-pda
sync_all "$PDA"

step "Matching: il Punto di Accesso sceglie il soggetto attuatore"
run -d "$PDA" match "$CASE" --attuatore coop-proxima
sync_all "$PDA" "$ATT"
say "Il soggetto attuatore ora riceve il caso (e solo i casi assegnati a lui):"
run -d "$ATT" case show "$CASE"

step "Una scrittura fuori dal proprio ambito viene rifiutata dall'hub"
say "Il Polo di Foggia non segue questo caso; se prova a registrarvi un"
say "servizio, l'hub lo rifiuta e il rifiuto resta visibile su entrambi i lati."
printf '{"case_id":"%s","service_type":"orientation","date":"2027-01-08"}' \
	"$CASE" | run -d "$POLO" put service >/dev/null
run -d "$POLO" sync || say "(sincronizzazione fatta, ma l'hub ha rifiutato una modifica: codice $?)"
run -d "$POLO" refused

step "Presa in carico: profilo di entrata e progetto, poi il passo"
refused -d "$ATT" take-charge "$CASE"
run -d "$ATT" profile add "$CASE" --kind entry --housing critical \
	--health-social fragile --integration fragile --labour critical
PLAN=$(run -d "$ATT" plan add "$CASE" --agreed-on 2027-01-10 --review-due 2027-03-10)
run -d "$ATT" plan goal "$PLAN" --area labour --goal "Tirocinio in azienda agricola" \
	--deadline 2027-05-31 >/dev/null
run -d "$ATT" take-charge "$CASE"
run -d "$ATT" dote activate "$DOTE"
sync_all "$ATT" "$PDA"

step "Lavoro offline su due nodi: un conflitto e un budget oltre il tetto"
say "Il Punto di Accesso e il soggetto attuatore lavorano senza rete."
say "Entrambi cambiano l'operatore di riferimento, ed entrambi registrano spese"
say "sulla stessa dote: 7.000 euro il primo, 6.000 il secondo."
echo '{"case_worker":"G. Greco"}' | "$P" -d "$PDA" put case "$CASE" >/dev/null
echo '{"case_worker":"L. Amato"}' | "$P" -d "$ATT" put case "$CASE" >/dev/null
run -d "$PDA" budget add "$DOTE" --area housing --amount 7000 --kind spesa \
	--date 2027-01-15 --description "Caparra e primo affitto"
run -d "$ATT" budget add "$DOTE" --area labour --amount 6000 --kind spesa \
	--date 2027-01-16 --description "Indennita' di tirocinio"
say "Tornata la rete, si sincronizzano: nessuna delle due scritture va persa."
sync_all "$PDA" "$ATT" "$PDA"
run -d "$ATT" conflicts
run -d "$ATT" budget show "$DOTE"

step "Risoluzione: una persona decide, e la decisione vale ovunque"
run -d "$PDA" resolve "$CASE" case_worker --pick 1
run -d "$ATT" budget add "$DOTE" --area labour --amount 1000 --kind storno \
	--date 2027-01-17 --description "Storno: tirocinio ridotto"
sync_all "$PDA" "$ATT" "$PDA"
run -d "$PDA" conflicts
run -d "$PDA" budget show "$DOTE"

step "Chiusura: profilo di uscita; l'hub formalizza; poi il follow-up"
run -d "$ATT" profile add "$CASE" --kind exit --housing adequate \
	--health-social adequate --integration adequate --labour adequate
run -d "$ATT" close "$CASE"
sync_all "$ATT"
run -d "$HUB" close "$CASE"
sync_all "$PDA"
run -d "$PDA" followup "$CASE" --area labour --date 2027-10-01 --outcome improved
sync_all "$PDA" "$ATT"
run -d "$HUB" case show "$CASE"

step "Il report per il Tavolo: nessun dato personale, conteggi sotto 5 nascosti"
say "In CSV per il foglio di calcolo (\"riservato\": un conteggio sotto 5, o"
say "una cella da cui lo si potrebbe ricalcolare dai totali):"
run -d "$HUB" report --csv --only cases_path --only doti
say "(e in JSON per i programmi: presidio report --json)"

step "Fine"
say "Ogni nodo conserva i dati cifrati; nessun nome compare nei file:"
if grep -rl -e Mamadou -e Diallo -e 5551234 "$POLO" "$PDA" "$ATT" "$HUB"; then
	echo "demo: FOUND personal data in clear" >&2
	exit 1
fi
say "nessun file contiene 'Mamadou', 'Diallo' o il telefono."
say ""
say "L'interfaccia web in italiano: con  DEMO_KEEP=1 make demo  i nodi"
say "restano; poi  presidio -d DIRECTORY_DEL_NODO ui  e, nel browser dello"
say "stesso computer, http://127.0.0.1:8080 (operatore e passphrase del"
say "nodo).  Sulla directory dell'Helpdesk c'e' anche il cruscotto nazionale."
