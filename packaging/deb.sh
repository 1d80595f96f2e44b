#!/bin/sh
# packaging/deb.sh BUILD - `make deb`: the Debian package of this tree.
#
# dpkg-buildpackage wants debian/ at the top of the source; ours lives in
# packaging/debian so that the tree shows where packaging is.  So the
# tracked files are copied (mtimes kept) to BUILD/deb/presidio, with
# packaging/debian as its debian/, and built there; the .deb lands in
# BUILD/.  A copy left from an earlier run is built again incrementally.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
case $build in /*) ;; *) build=$top/$build ;; esac
src=$build/deb/presidio
mkdir -p "$src"
cd "$top"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git ls-files --cached --others --exclude-standard
else
	find . \( -path ./build -o -path './build-*' -o -path ./.git \) \
		-prune -o -type f -print | sed 's|^\./||'
fi | while IFS= read -r f; do [ -f "$f" ] && printf '%s\n' "$f"; done |
	tar -c -T - -f - | tar -x -C "$src" -f -
# debian/ afresh each time (dh then runs every step again); build-deb/,
# the objects, stays, so make rebuilds only what changed.
rm -rf "$src/debian"
cp -a packaging/debian "$src/debian"
cd "$src"
# No -dbgsym package: it would be deleted below (symbols stay in the build
# tree, build-deb/presidio).
DEB_BUILD_OPTIONS="noautodbgsym ${DEB_BUILD_OPTIONS:-}" \
	dpkg-buildpackage -us -uc -b --no-pre-clean -j2 >"$build/deb/build.log" 2>&1 || {
	tail -40 "$build/deb/build.log" >&2
	echo "deb.sh: dpkg-buildpackage failed (whole log: $build/deb/build.log)" >&2
	exit 1
}
version=$(dpkg-parsechangelog -S Version)
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
mv "$build/deb/presidio_${version}_${arch}.deb" "$build/"
rm -f "$build/deb/"presidio*.buildinfo "$build/deb/"presidio*.changes
echo "$build/presidio_${version}_${arch}.deb"
