#!/bin/sh
# tests/check-style.sh - `make check-style` (run first by `make check`):
# banned functions, file size, one cleanup label per function.
#
# Fails when a C source calls strcpy, strcat, sprintf, vsprintf, gets,
# atoi, atol or strtok (unbounded copies, no error reporting, hidden
# state: use snprintf, memcpy with a checked length, strtol/strtoull,
# strtok_r or strsep), or when a .c or .h file is over 800 lines, or
# when a function has two cleanup labels (common/err.h: one `out:`,
# taken on success and failure alike).  That last one is a heuristic on
# the layout clang-format gives: a function body runs from a `{` to a `}`
# at column 0, and its labels are the lines `name:` at column 0.
# Checks the files git knows (tracked, or new and not ignored); outside a
# git work tree, every .c and .h below the top directory but the builds.
# One grep and one wc over all the files (not one per file): it runs
# before every `make check`, so it stays well under a second.

set -u

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
max_lines=800
banned='strcpy|strcat|sprintf|vsprintf|gets|atoi|atol|strtok'
list=$(mktemp "${TMPDIR:-/tmp}/check-style.XXXXXX") || exit 1
trap 'rm -f "$list"' EXIT

# The files, one per line, sorted; deleted but still tracked ones left out.
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git ls-files --cached --others --exclude-standard -- '*.c' '*.h'
else
	find . \( -path ./build -o -path './build-*' -o -path ./.git \) \
		-prune -o -type f \( -name '*.c' -o -name '*.h' \) -print |
		sed 's|^\./||'
fi | LC_ALL=C sort -u | while IFS= read -r f; do
	[ -f "$f" ] && printf '%s\n' "$f"
done >"$list"

bad=0
# A banned name as a whole word followed by '(' (calls, not mentions in
# words such as snprintf or strtok_r), in .c files.
hits=$(grep '\.c$' "$list" | tr '\n' '\0' |
	xargs -0 -r grep -nHE "(^|[^A-Za-z0-9_])($banned)[[:space:]]*\(")
if [ -n "$hits" ]; then
	printf '%s\n' "$hits" | sed 's|$|  <- banned function|'
	bad=1
fi
long=$(tr '\n' '\0' <"$list" | xargs -0 -r wc -l |
	awk -v max="$max_lines" '$2 != "total" && $1 > max {
		print $2 ": " $1 " lines (more than " max ")" }')
if [ -n "$long" ]; then
	printf '%s\n' "$long"
	bad=1
fi
labels=$(grep '\.c$' "$list" | tr '\n' '\0' | xargs -0 -r awk '
	FNR == 1 { body = 0 }
	/^\{/ { body = 1; n = 0; names = ""; split("", seen); at = FNR; next }
	/^\}/ {
		if (body && n > 1)
			print FILENAME ":" at ": function with " n \
			    " cleanup labels (" names ")"
		body = 0
		next
	}
	body && /^[a-z_][a-z0-9_]*:$/ && !($0 in seen) {
		seen[$0] = 1
		names = n++ ? names " " $0 : $0
	}')
if [ -n "$labels" ]; then
	printf '%s\n' "$labels" | sed 's|$|  <- one out: label per function|'
	bad=1
fi

if [ "$bad" -ne 0 ]; then
	echo "check-style: FAILED"
	exit 1
fi
echo "check-style: ok ($(grep -c . "$list") files)"
