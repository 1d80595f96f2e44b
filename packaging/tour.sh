#!/bin/sh
# tour.sh - a short scripted tour of Presidio, run by `make tour`: one
# node, then a Helpdesk hub over TLS with two nodes syncing with it.
# Everything happens in a temporary directory that is removed at the end.
set -eu
P=${PRESIDIO_BIN:-$(cd "$(dirname "$0")/.." && pwd)/build/presidio}
T=$(mktemp -d)
HUB_PID=
trap '[ -n "$HUB_PID" ] && kill "$HUB_PID" 2>/dev/null; rm -rf "$T"' EXIT
export PRESIDIO_DIR="$T/polo-foggia"
export PRESIDIO_OPERATOR=m.rossi
# A script passes the passphrase through the environment (or a file
# descriptor); people type it at the prompt.  Never on the command line.
export PRESIDIO_PASSPHRASE='una frase lunga e segreta'

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

step "Create a node for a Polo Sociale Integrato, first operator m.rossi"
run "$P" init --name polo-foggia-01

step "Register a person (values go in encrypted) and open a case"
PERSON=$(echo '{"given_name":"Amina","family_name":"Diallo","sex":"F","nationality":"SN","phone":"+39 333 1234567","notes":"Primo colloquio con mediatrice."}' | "$P" put person)
echo "person $PERSON"
CASE=$(printf '{"person_id":"%s","region":"Puglia","stage":"intake","priority":"high"}' "$PERSON" | "$P" put case)
echo "case   $CASE"

step "Update only the phone number; the other fields keep their versions"
echo '{"phone":"+39 347 7654321"}' | "$P" put person "$PERSON" >/dev/null
run "$P" get "$PERSON" --versions

step "Every change, with old and new values, who and when"
run "$P" history "$PERSON"

step "The change log that sync will ship (field names only, no values)"
run "$P" log

step "Import a synthetic workload (gen.js, 200 persons)"
GEN=$(cd "$(dirname "$0")/../.." && pwd)/shared/workload/gen.js
if command -v node >/dev/null && [ -f "$GEN" ]; then
	node "$GEN" --seed 42 --persons 200 --updates 100 --out "$T/w.jsonl" >/dev/null
	run "$P" import "$T/w.jsonl"
	run "$P" list case --where region=Sicilia --count
else
	echo "(skipped: needs node and ../shared/workload/gen.js)"
fi

step "Nothing readable on disk: search the node's files for the name"
if grep -rl -e Amina -e Diallo -e 1234567 "$PRESIDIO_DIR"; then
	echo "FOUND personal data in clear" >&2
	exit 1
fi
echo "no file under $PRESIDIO_DIR contains 'Amina', 'Diallo' or the phone"

step "A wrong passphrase changes nothing (exit code 4)"
PRESIDIO_PASSPHRASE='not the right one' "$P" get "$PERSON" || echo "exit code $?"

step "A second operator, then a new data key sealed to both"
PRESIDIO_NEW_PASSPHRASE='la frase di anna bianchi' run "$P" operator add a.bianchi \
	--role assistente_sociale
run "$P" key rotate
run "$P" operator list
PRESIDIO_OPERATOR=a.bianchi PRESIDIO_PASSPHRASE='la frase di anna bianchi' \
	"$P" get "$CASE" >/dev/null && echo "a.bianchi reads the case"

step "A write the schema refuses: the error names the field, never the value"
echo '{"stage":"somewhere"}' | "$P" put case "$CASE" || echo "exit code $?"
echo '{"region":"Lazio"}' | "$P" put case "$CASE" || echo "exit code $?"
run "$P" conflicts

step "Integrity: database check and every sealed value opens"
run "$P" verify
run "$P" status

step "Sync: a Helpdesk hub over HTTPS (a throw-away CA for this tour)"
mkdir "$T/pki"
(cd "$T/pki" &&
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout ca.key -out ca.pem -days 1 -subj "/CN=tour CA" &&
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout hub.key -out hub.csr -subj "/CN=127.0.0.1" &&
	printf 'subjectAltName=IP:127.0.0.1\n' >ext.cnf &&
	openssl x509 -req -in hub.csr -CA ca.pem -CAkey ca.key \
		-CAcreateserial -out hub.pem -days 1 -extfile ext.cnf) \
	>/dev/null 2>&1
HUB="$T/hub"
run "$P" -d "$HUB" init --name helpdesk --hub
"$P" -d "$HUB" hub serve --cert "$T/pki/hub.pem" --key "$T/pki/hub.key" \
	--listen 127.0.0.1 --port 0 --port-file "$T/port" 2>"$T/hub.log" &
HUB_PID=$!
while [ ! -s "$T/port" ]; do sleep 0.1; done
URL="https://127.0.0.1:$(cat "$T/port")"
echo "hub serving $URL"

step "Register a Polo and the Punto di Accesso Sicilia; each enrolls once"
echo "$ presidio hub node add polo-foggia-01 --kind polo --region Puglia"
"$P" -d "$HUB" hub node add polo-foggia-01 --kind polo --region Puglia \
	>"$T/tok.polo"
echo "$ presidio hub node add pda-sicilia --kind pda --region Sicilia"
"$P" -d "$HUB" hub node add pda-sicilia --kind pda --region Sicilia \
	>"$T/tok.pda"
PRESIDIO_TOKEN=$(cat "$T/tok.polo") run "$P" enroll --hub "$URL" \
	--ca "$T/pki/ca.pem"
PDA="$T/pda-sicilia"
run "$P" -d "$PDA" init --name pda-sicilia
PRESIDIO_TOKEN=$(cat "$T/tok.pda") run "$P" -d "$PDA" enroll --hub "$URL" \
	--ca "$T/pki/ca.pem"

step "The Polo pushes its change log; the PdA of Sicily gets its region"
run "$P" sync
run "$P" -d "$PDA" sync
run "$P" -d "$PDA" list case --count
run "$P" -d "$HUB" hub node list

step "Both edit the same case offline: a conflict, the same on every node"
echo '{"nodes":["polo-foggia-01","pda-sicilia"]}' | "$P" -d "$HUB" put case "$CASE" >/dev/null
"$P" sync >/dev/null
"$P" -d "$PDA" sync >/dev/null
echo '{"case_worker":"Rossi"}' | "$P" put case "$CASE" >/dev/null
echo '{"case_worker":"Greco"}' | "$P" -d "$PDA" put case "$CASE" >/dev/null
run "$P" sync
run "$P" -d "$PDA" sync
run "$P" sync
run "$P" -d "$PDA" conflicts "$CASE"
run "$P" conflicts "$CASE"

step "The hub hands the case over to Sicily: the Polo's copy is purged"
echo '{"nodes":["pda-sicilia"],"region":"Sicilia"}' | "$P" -d "$HUB" put case "$CASE" >/dev/null
run "$P" sync
"$P" get "$CASE" || echo "exit code $? (no longer on this node)"
run "$P" status
