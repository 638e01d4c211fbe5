#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# CI check of make install and make uninstall into a DESTDIR.
#
#   check-install.sh DESTDIR KVER installed     DESTDIR holds exactly the
#                                               files of dist/install.files
#   check-install.sh DESTDIR KVER uninstalled   DESTDIR holds no file
#
# Directories are not compared: install creates them as needed and
# uninstall leaves them, like any make install.

set -eu
[ $# -eq 3 ] || { echo "usage: check-install.sh DESTDIR KVER installed|uninstalled" >&2; exit 2; }
root=$1
kver=$2
what=$3
dist=$(cd "$(dirname "$0")" && pwd)

got=$(cd "$root" && find . ! -type d | sed 's|^\.||' | LC_ALL=C sort)
case $what in
installed)
	want=$(sed -e '/^#/d' -e "s|KVER|$kver|" "$dist/install.files" | LC_ALL=C sort)
	;;
uninstalled)
	want=
	;;
*)
	echo "check-install.sh: installed or uninstalled, not '$what'" >&2
	exit 2
	;;
esac

if [ "$got" != "$want" ]; then
	echo "install-check: after make ${what%ed}, $root holds:" >&2
	printf '%s\n' "$got" | sed 's/^/  /' >&2
	echo "install-check: expected:" >&2
	printf '%s\n' "${want:-(nothing)}" | sed 's/^/  /' >&2
	exit 1
fi
echo "install-check: make ${what%ed}: $(printf '%s' "$got" | grep -c . || true) files, as expected"
