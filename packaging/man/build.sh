#!/bin/sh
# packaging/man/build.sh - build the manual pages from their scdoc sources.
#
#   sh packaging/man/build.sh OUTDIR
#
# Every packaging/man/NAME.SECTION.scd becomes OUTDIR/NAME.SECTION
# (presidio.1, presidio-hub.1, ..., presidio.conf.5) through scdoc(1).
# Fails, naming the page, on the first page scdoc rejects or that comes
# out empty; a page half written is removed.  The date in the pages
# follows SOURCE_DATE_EPOCH when it is set (reproducible builds).

set -eu

if [ $# -ne 1 ]; then
	echo "usage: sh packaging/man/build.sh OUTDIR" >&2
	exit 2
fi
out=$1
src=$(cd "$(dirname "$0")" && pwd)
scdoc=${SCDOC:-scdoc}

if ! command -v "$scdoc" >/dev/null 2>&1; then
	echo "build.sh: scdoc not found (Debian package scdoc)" >&2
	exit 1
fi
mkdir -p "$out"

n=0
for f in "$src"/*.scd; do
	[ -f "$f" ] || continue
	page=${f##*/}
	page=${page%.scd}
	case $page in
	*.[1-8]) ;;
	*)
		echo "build.sh: $f: name is not NAME.SECTION.scd" >&2
		exit 1
		;;
	esac
	if ! "$scdoc" <"$f" >"$out/$page.tmp"; then
		rm -f "$out/$page.tmp"
		echo "build.sh: scdoc failed on $f" >&2
		exit 1
	fi
	if [ ! -s "$out/$page.tmp" ]; then
		rm -f "$out/$page.tmp"
		echo "build.sh: $f gave an empty page" >&2
		exit 1
	fi
	mv "$out/$page.tmp" "$out/$page"
	n=$((n + 1))
done
if [ "$n" -eq 0 ]; then
	echo "build.sh: no .scd source in $src" >&2
	exit 1
fi
echo "build.sh: $n pages in $out"
