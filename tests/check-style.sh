#!/bin/sh
# tests/check-style.sh - `make check-style`: banned functions and file size.
#
# Fails when a C source calls strcpy, strcat, sprintf, vsprintf, gets,
# atoi, atol or strtok (unbounded copies, no error reporting, hidden
# state: use snprintf, memcpy with a checked length, strtol/strtoull,
# strtok_r or strsep), or when a .c or .h file is over 800 lines.
# Checks the files git knows (tracked, or new and not ignored); outside a
# git work tree, every .c and .h below the top directory but the builds.

set -u

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
max_lines=800
banned='strcpy|strcat|sprintf|vsprintf|gets|atoi|atol|strtok'

if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	files=$(git ls-files --cached --others --exclude-standard \
		-- '*.c' '*.h' | LC_ALL=C sort -u)
else
	files=$(find . \( -path ./build -o -path './build-*' -o -path ./.git \) \
		-prune -o -type f \( -name '*.c' -o -name '*.h' \) -print |
		sed 's|^\./||' | LC_ALL=C sort)
fi

bad=0
nl='
'
old_ifs=$IFS
IFS=$nl
for f in $files; do
	IFS=$old_ifs
	[ -f "$f" ] || continue
	case $f in
	*.c)
		# A banned name as a whole word followed by '(' (calls, not
		# mentions in words such as snprintf or strtok_r).
		hits=$(grep -nE "(^|[^A-Za-z0-9_])($banned)[[:space:]]*\(" "$f")
		if [ -n "$hits" ]; then
			printf '%s\n' "$hits" | sed "s|^|$f:|;s|$|  <- banned function|"
			bad=1
		fi
		;;
	esac
	n=$(wc -l <"$f")
	if [ "$n" -gt "$max_lines" ]; then
		echo "$f: $n lines (more than $max_lines)"
		bad=1
	fi
done
IFS=$old_ifs

if [ "$bad" -ne 0 ]; then
	echo "check-style: FAILED"
	exit 1
fi
echo "check-style: ok ($(printf '%s\n' "$files" | grep -c .) files)"
