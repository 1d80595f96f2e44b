#!/bin/sh
# tests/packaging/test_package.sh - the Debian package on this machine, as
# a sysadmin meets it: build (make deb), lintian, install with dpkg -i,
# the installed program, man pages, units (systemd-analyze verify), the
# user and the state directory, an upgrade over a store that must survive
# and migrate, the unlock from a systemd credential, removal (the store
# stays) and purge (it goes, after saying so).
#
# Needs root (dpkg -i; sudo -n is used when not root), debhelper, scdoc,
# lintian and systemd-analyze: CI installs them.  It installs and purges
# the package presidio of this machine: run it on a test machine.
#
# The previous package: no release before this one had a package, so the
# previous version is this package with its version lowered (the same
# binary); what makes the upgrade real is the store put under it, the one
# the landed release 6e09cd8 wrote (tests/fixtures/store_v10), which the
# new package's program migrates on first use with nothing lost.
# e2e: plain build only
# e2e: long
# The program as built, at the real key-derivation cost.
E2E_REAL_BINARY=1
. "$(dirname "$0")/../e2e/lib.sh"
# The installed program reads the installed configuration here.
unset PRESIDIO_CONFIG

top=$(cd "$(dirname "$0")/../.." && pwd)
# The live persons of the fixture's node (as tests/node/test_store_v10.c).
FIXTURE_PERSONS=2
SUDO=
if [ "$(id -u)" -ne 0 ]; then
	if sudo -n true 2>/dev/null; then
		SUDO="sudo -n"
	else
		fail package_root "needs root or sudo without a password"
		finish
	fi
fi
for tool in dpkg-buildpackage scdoc lintian systemd-analyze; do
	command -v "$tool" >/dev/null 2>&1 ||
		fail "package_tool_$tool" "$tool is not installed"
done
[ "$E2E_FAIL" -eq 0 ] || finish

# as_presidio CMD...: run CMD as the service's user (stdout, stderr, RC
# as `run` does).
as_presidio() {
	run $SUDO runuser -u presidio -- "$@"
}

purge() {
	$SUDO dpkg --purge presidio >/dev/null 2>&1
	$SUDO rm -rf /var/lib/presidio /etc/presidio /var/backups/presidio
}
# Whatever happens, the machine is left without the package.
trap 'purge; e2e_cleanup' EXIT
purge

# ---- build ----------------------------------------------------------------

run sh "$top/packaging/deb.sh" "$E2E_BUILD"
deb=$(tail -n 1 "$T/out")
if [ "$RC" -ne 0 ] || [ ! -f "$deb" ]; then
	fail package_build "exit $RC: $(tail -n 3 "$T/err")"
	finish
fi
ok package_build
version=$(dpkg-deb -f "$deb" Version)
want=$("$P" version | sed 's/^presidio //')
check package_version_is_the_programs [ "$version" = "$want" ]
# The program opens libcurl and libmicrohttpd when it first talks to a hub
# or serves HTTP (sync/libcurl.h, http/libmhd.h): dpkg-shlibdeps cannot
# see that, so the package names them.
check package_depends_on_http_libraries \
	sh -c "dpkg-deb -f '$deb' Depends | grep 'libcurl4 (>= 7.85)' |
		grep -q 'libmicrohttpd12 (>= 0.9.75)'"

run lintian --fail-on error "$deb"
if [ "$RC" -eq 0 ] && ! grep -q '^E:' "$T/out"; then
	ok package_lintian_no_error
else
	fail package_lintian_no_error "$(grep '^E:' "$T/out" | head -3)"
fi

# The previous version: the same files, a lower version.
mkdir -p "$T/prev"
dpkg-deb -R "$deb" "$T/prev/tree"
sed -i 's/^Version: .*/Version: 0.1.0/' "$T/prev/tree/DEBIAN/control"
dpkg-deb -b "$T/prev/tree" "$T/prev/presidio_0.1.0.deb" >/dev/null
check package_previous_built [ -f "$T/prev/presidio_0.1.0.deb" ]

# ---- install the previous version ----------------------------------------

run $SUDO dpkg -i "$T/prev/presidio_0.1.0.deb"
check package_install_previous [ "$RC" -eq 0 ]
run getent passwd presidio
check package_user_made [ "$RC" -eq 0 ]
mode=$(stat -c '%a %U' /var/lib/presidio 2>/dev/null)
check package_state_dir_0700 [ "$mode" = "700 presidio" ]
mode=$(stat -c '%a %U' /etc/presidio/credentials 2>/dev/null)
check package_credentials_dir_0700 [ "$mode" = "700 root" ]

# The store the landed release wrote, as the service's user keeps it, and
# its key file as systemd would hand it over (a credential).
$SUDO cp "$top/tests/fixtures/store_v10/node/presidio.db" \
	"$top/tests/fixtures/store_v10/node/presidio.db.mark" /var/lib/presidio/
$SUDO chown presidio:presidio /var/lib/presidio/presidio.db \
	/var/lib/presidio/presidio.db.mark
$SUDO chmod 600 /var/lib/presidio/presidio.db /var/lib/presidio/presidio.db.mark
creds=$(mktemp -d /tmp/presidio-creds.XXXXXX)
printf '\007\007\007\007\007\007\007\007\007\007\007\007\007\007\007\007\007\007\007\007\007\007\007\007\007\007\007\007\007\007\007\007' \
	>"$creds/presidio.key"
chmod 400 "$creds/presidio.key"
$SUDO chown -R presidio:presidio "$creds"
# A local edit of the configuration, which the upgrade must keep.
$SUDO sh -c 'printf "\noperator = m.rossi\n" >>/etc/presidio/presidio.conf'

# ---- upgrade --------------------------------------------------------------

run $SUDO dpkg -i "$deb"
check package_upgrade [ "$RC" -eq 0 ]
run dpkg-query -W -f '${Version}' presidio
check package_upgraded_version [ "$(cat "$T/out")" = "$version" ]
run /usr/bin/presidio --version
check package_installed_version [ "$RC.$(cat "$T/out")" = "0.presidio $version" ]
for page in presidio presidio-hub presidio-sync presidio-ui presidio-node \
	presidio-record presidio-casi; do
	run man -w "$page"
	check "package_man_$page" [ "$RC" -eq 0 ]
done
run man -w 5 presidio.conf
check package_man_conf [ "$RC" -eq 0 ]
check package_completion [ -f /usr/share/bash-completion/completions/presidio ]
run systemd-analyze verify /lib/systemd/system/presidio-hub.service \
	/lib/systemd/system/presidio-sync.service \
	/lib/systemd/system/presidio-ui.service
if [ "$RC" -eq 0 ] && [ ! -s "$T/err" ]; then
	ok package_units_verify
else
	fail package_units_verify "$(head -3 "$T/err")"
fi
for unit in hub sync ui; do
	f=/lib/systemd/system/presidio-$unit.service
	missing=
	for want in ProtectSystem=strict ProtectHome=yes PrivateTmp=yes \
		NoNewPrivileges=yes SystemCallFilter=@system-service \
		ReadWritePaths=/var/lib/presidio User=presidio; do
		grep -qx "$want" "$f" || missing="$missing $want"
	done
	if [ -z "$missing" ]; then
		ok "package_unit_${unit}_hardened"
	else
		fail "package_unit_${unit}_hardened" "missing:$missing"
	fi
done
check package_conf_edit_kept grep -qx 'operator = m.rossi' \
	/etc/presidio/presidio.conf

# The installed program reads the installed configuration.
run /usr/bin/presidio config
check package_config_dir grep -q \
	'^dir *= /var/lib/presidio *# /etc/presidio/presidio.conf:' "$T/out"
# Root on the service's directory is told to run as its user.
run $SUDO /usr/bin/presidio status
if [ "$RC" -eq 2 ] && err_has "sudo -u presidio"; then
	ok package_root_refused_on_state_dir
else
	fail package_root_refused_on_state_dir "exit $RC: $(first_err)"
fi

# The service's unlock: the key file from the credentials directory, the
# operator from presidio.conf; the store migrates and keeps everything.
as_presidio env CREDENTIALS_DIRECTORY="$creds" /usr/bin/presidio verify
if [ "$RC" -eq 0 ]; then
	ok package_store_migrated_verify
else
	fail package_store_migrated_verify "exit $RC: $(first_err)"
fi
as_presidio env CREDENTIALS_DIRECTORY="$creds" /usr/bin/presidio list person
persons=$(grep -c . "$T/out")
check package_store_records_kept [ "$RC.$persons" = "0.$FIXTURE_PERSONS" ]
as_presidio env CREDENTIALS_DIRECTORY="$creds" /usr/bin/presidio status
check package_store_status [ "$RC" -eq 0 ]
owner=$(stat -c '%U' /var/lib/presidio/presidio.db)
check package_store_still_the_services [ "$owner" = presidio ]
# A backup where the package says, as the service's user, and checked.
mode=$(stat -c '%a %U' /var/backups/presidio 2>/dev/null)
check package_backup_dir_0700 [ "$mode" = "700 presidio" ]
as_presidio /usr/bin/presidio backup /var/backups/presidio/test.pb
check package_backup_written [ "$RC" -eq 0 ]
as_presidio /usr/bin/presidio restore --check /var/backups/presidio/test.pb
check package_backup_checks [ "$RC" -eq 0 ]

# ---- remove, then purge ---------------------------------------------------

run $SUDO dpkg -r presidio
check package_remove [ "$RC" -eq 0 ]
check package_remove_binary_gone [ ! -e /usr/bin/presidio ]
check package_remove_keeps_store [ -f /var/lib/presidio/presidio.db ]
check package_remove_keeps_conf [ -f /etc/presidio/presidio.conf ]
run $SUDO dpkg -P presidio
if [ "$RC" -eq 0 ] && err_has "deleting /var/lib/presidio"; then
	ok package_purge_says_so
else
	fail package_purge_says_so "exit $RC: $(first_err)"
fi
check package_purge_removes_store [ ! -e /var/lib/presidio ]
check package_purge_removes_conf [ ! -e /etc/presidio/presidio.conf ]
check package_purge_keeps_backups [ -f /var/backups/presidio/test.pb ]
$SUDO rm -rf "$creds"
finish
