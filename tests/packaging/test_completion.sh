#!/bin/bash
# tests/packaging/test_completion.sh - the bash completion against the
# binary: what <TAB> offers is what `presidio help` and each command's
# --help say there is.
#
#   bash tests/packaging/test_completion.sh   (from the top of the tree)
#
# Sources /usr/share/bash-completion/bash_completion when present (the
# completion must also work without it), then packaging/bash-completion/
# presidio, and calls the function `complete -p presidio` names with
# COMP_WORDS, COMP_CWORD, COMP_LINE and COMP_POINT set as bash sets them:
#   - `presidio <TAB>` offers every command of `presidio help`;
#   - `presidio -<TAB>` offers every long global option of `presidio help`;
#   - `presidio ui --<TAB>` offers every long option of `ui --help`;
#   - `presidio hub <TAB>` offers serve, node, purge, allocation, and
#     every subcommand of every command's usage lines is offered after its
#     parent (`presidio hub node <TAB>`, `presidio operator <TAB>`...);
#   - for every command, the options of its usage lines and option lines
#     (`--help` lines starting with "-") are offered after it or after
#     one of its subcommands;
#   - `presidio -c <TAB>` offers "KEY=" for every key of presidio.conf(5)
#     and of `presidio config` (when the binary has it);
#   - `presidio --config <TAB>` and `hub serve --cert <TAB>` offer files.
# The binary is $PRESIDIO_BIN, else ./build/presidio.  Output: "ok NAME"
# or "FAIL NAME: reason" per check, then "N passed, N failed"; the exit
# status is 1 when anything failed.

# e2e: plain build only
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
P=${PRESIDIO_BIN:-./build/presidio}
[[ $P == /* || -x $P ]] || P=$top/${P#./}
PASS=0
FAIL=0

ok() {
	echo "ok $1"
	PASS=$((PASS + 1))
}

fail() {
	local name=$1
	shift
	echo "FAIL $name: $*"
	FAIL=$((FAIL + 1))
}

finish() {
	echo "$PASS passed, $FAIL failed"
	((FAIL == 0 && PASS > 0))
	exit $?
}

T=$(mktemp -d "${TMPDIR:-/tmp}/presidio-compl.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT

if [[ ! -x $P ]]; then
	fail binary "no executable presidio at $P"
	finish
fi
P=$(cd "$(dirname "$P")" && pwd)/${P##*/}

# The completion runs `presidio schema` for collections: this binary.
mkdir "$T/bin"
ln -s "$P" "$T/bin/presidio"
PATH=$T/bin:$PATH

if [[ -r /usr/share/bash-completion/bash_completion ]]; then
	# bash_completion wants an interactive-like shell; these are unset
	# in a script and it does not need them.
	. /usr/share/bash-completion/bash_completion
fi
if ! . "$top/packaging/bash-completion/presidio"; then
	fail source "packaging/bash-completion/presidio does not load"
	finish
fi
func=$(complete -p presidio 2>/dev/null | sed -n 's/.*-F \([^ ]*\).*/\1/p')
if [[ -n $func ]] && declare -F "$func" >/dev/null; then
	ok registered
else
	fail registered "no 'complete -F FUNCTION presidio'"
	finish
fi

# offers WORD...: COMPREPLY for the command line WORD... (the last word
# is the one being completed), one per line in $T/reply.
offers() {
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	COMP_LINE="$*"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	"$func" presidio "${COMP_WORDS[COMP_CWORD]}" \
		"${COMP_WORDS[COMP_CWORD - 1]}" 2>"$T/compl.err"
	printf '%s\n' "${COMPREPLY[@]}" >"$T/reply"
}

# lacking WORD...: the words not in $T/reply, on one line (looked up in
# an array, not a grep a word: hundreds of words are checked).
lacking() {
	local w out=
	local -A have=()
	while IFS= read -r w; do
		[[ -n $w ]] && have[$w]=1
	done <"$T/reply"
	for w in "$@"; do
		[[ -n ${have[$w]-} ]] || out="$out $w"
	done
	printf '%s' "$out"
}

# expect NAME WORD... -- LINE...: the line offers every WORD.
expect() {
	local name=$1 want=() miss
	shift
	while [[ $1 != -- ]]; do
		want+=("$1")
		shift
	done
	shift
	offers "$@"
	if ((${#want[@]} == 0)); then
		fail "$name" "nothing to expect (parsing --help failed?)"
		return
	fi
	miss=$(lacking "${want[@]}")
	if [[ -n $miss ]]; then
		fail "$name" "'$*' does not offer:$miss"
	else
		ok "$name"
	fi
}

# long_options FILE: the long options of a --help text: those of its
# usage lines (up to the first blank line) and of the lines starting with
# an option ("  --name NAME  ...", "  -u, --operator NAME", "  --a, --b");
# the options named in its prose may be other commands' ("consent add
# --service").
long_options() {
	awk 'NR == 1 { usage = 1 }
	     /^$/ { usage = 0 }
	     usage || /^[ \t]*(-[A-Za-z], )?--[a-z][a-z0-9-]*([ ,=]|$)/ {
		print }' "$1" |
		grep -oE -- '--[a-z][a-z0-9-]*' | sort -u
}

# usage_paths FILE: the subcommand paths of the usage lines, one per line
# ("hub node add", "dote activate|close|revoke" split into three).
usage_paths() {
	awk 'NR == 1 { usage = 1 }
	     /^$/ { usage = 0 }
	     usage {
		sub(/^(usage|uso): /, ""); sub(/^ +/, "")
		if ($1 != "presidio") next
		path = ""
		for (i = 2; i <= NF && $i ~ /^[a-z][a-z|-]*$/; i++)
			path = path (path == "" ? "" : " ") $i
		print path
	     }' "$1" |
		while read -r line; do
			# expand "a|b|c" in the last word
			local head=${line% *} last=${line##* } w
			[[ $line == *" "* ]] || head=
			for w in ${last//|/ }; do
				echo "${head:+$head }$w"
			done
		done | sort -u
}

# The commands and global options of `presidio help`.
"$P" help >"$T/help" 2>&1
mapfile -t commands < <(awk '/^(Commands|Comandi)[^:]*:$/ { on = 1; next }
	/^$/ { on = 0 }
	on && /^  [a-z]/ { print $1 }' "$T/help")
if ((${#commands[@]} >= 20)); then
	ok help_commands
else
	fail help_commands "only ${#commands[@]} commands in 'presidio help'"
fi
mapfile -t globals < <(awk '/^Global options:/ { on = 1; next }
	/^$/ { on = 0 }
	on { print }' "$T/help" | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u)

expect commands "${commands[@]}" -- presidio ""
expect global_options "${globals[@]}" -- presidio -
expect commands_after_globals "${commands[@]}" -- presidio --dir /tmp ""

"$P" ui --help >"$T/ui.help" 2>&1
mapfile -t ui_opts < <(long_options "$T/ui.help")
expect ui_options "${ui_opts[@]}" -- presidio ui --
expect hub_subcommands serve node purge allocation -- presidio hub ""

# Every command: its subcommands after their parent, its options after
# it or one of its subcommands.
for cmd in "${commands[@]}"; do
	"$P" "$cmd" --help >"$T/cmd.help" 2>&1
	mapfile -t paths < <(usage_paths "$T/cmd.help")
	# subcommands
	bad=
	for p in "${paths[@]}"; do
		[[ $p == *" "* ]] || continue
		read -ra pw <<<"$p"
		offers presidio "${pw[@]:0:${#pw[@]}-1}" ""
		[[ -z $(lacking "${pw[-1]}") ]] || bad="$bad '$p'"
	done
	if [[ -n $bad ]]; then
		fail "subcommands_$cmd" "not offered:$bad"
	else
		ok "subcommands_$cmd"
	fi
	# options: the union of what "--" offers along every path
	: >"$T/union"
	for p in "$cmd" "${paths[@]}"; do
		read -ra pw <<<"$p"
		offers presidio "${pw[@]}" --
		cat "$T/reply" >>"$T/union"
	done
	cp "$T/union" "$T/reply"
	mapfile -t opts < <(long_options "$T/cmd.help")
	miss=$(lacking "${opts[@]}")
	if [[ -n $miss ]]; then
		fail "options_$cmd" "not offered:$miss"
	else
		ok "options_$cmd"
	fi
done

# The configuration keys: presidio.conf(5)'s KEYS section (a "*key*"
# term alone or with its "[default]"), and `presidio config`'s.
mapfile -t keys < <(awk '/^# KEYS/ { on = 1; next }
	/^# / { on = 0 }
	on && /^\*[a-z][a-z0-9_.]*\*( \[[^]]*\])?$/ { print }' \
	"$top/packaging/man/presidio.conf.5.scd" | sed 's/^\*\([^*]*\)\*.*/\1/')
if grep -qx '  config.*' "$T/help" || printf '%s\n' "${commands[@]}" |
	grep -qx config; then
	mapfile -t -O ${#keys[@]} keys < <(
		HOME=$T "$P" --config /dev/null config 2>/dev/null |
			sed -n 's/^\([a-z][a-z0-9_.]*\) *= .*/\1/p')
fi
mapfile -t keys < <(printf '%s\n' "${keys[@]}" | sort -u)
if ((${#keys[@]} >= 10)); then
	ok config_keys_read
else
	fail config_keys_read "only ${#keys[@]} keys read"
fi
expect config_keys "${keys[@]/%/=}" -- presidio -c ""
expect config_keys_prefix ui.port= ui.idle= -- presidio -c ui.
expect config_value debug info warn error -- presidio -c log.level = ""
expect config_keys_later_c "${keys[@]/%/=}" -- presidio -c ui.port = 1 -c ""

# Files after options that take files.
mkdir "$T/files"
: >"$T/files/hub.pem"
: >"$T/files/hub.key"
expect config_file "$T/files/hub.pem" "$T/files/hub.key" -- \
	presidio --config "$T/files/"
expect hub_serve_cert "$T/files/hub.pem" -- \
	presidio hub serve --cert "$T/files/hub.p"
expect hub_node_kind polo pda attuatore -- presidio hub node add n --kind ""

finish
