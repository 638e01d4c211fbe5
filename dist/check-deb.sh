#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# CI check of make deb: each package holds exactly the expected files
# (dpkg -c), tcpka-dkms holds the module sources of this tree and depends
# on dkms, and /etc/tcpka.conf is a conffile of tcpka.
#
#   check-deb.sh DIR VERSION

set -eu
[ $# -eq 2 ] || { echo "usage: check-deb.sh DIR VERSION" >&2; exit 2; }
top=$(cd "$(dirname "$0")/.." && pwd)
dir=$1
version=$2
status=0

fail()
{
	echo "deb-check: $*" >&2
	status=1
}

# The regular files and symlinks of a package, one path a line, sorted.
contents()
{
	dpkg -c "$1" | awk '$1 !~ /^d/ { sub(/^\./, "", $6); print $6 }' | LC_ALL=C sort
}

compare()
{
	deb=$1
	want=$2
	got=$(contents "$deb")
	if [ "$got" = "$want" ]; then
		echo "deb-check: $(basename "$deb"): $(printf '%s\n' "$got" | wc -l) files, as expected"
		return
	fi
	fail "$(basename "$deb") holds other files than expected (- missing, + extra):"
	printf '%s\n' "$want" >"$dir/want.list"
	printf '%s\n' "$got" >"$dir/got.list"
	diff -u "$dir/want.list" "$dir/got.list" | tail -n +3 >&2 || true
}

tool=$(ls "$dir/tcpka_${version}_"*.deb)
dkms=$(ls "$dir/tcpka-dkms_${version}_all.deb")

compare "$tool" "$(LC_ALL=C sort <<EOT
/etc/tcpka.conf
/lib/systemd/system/tcpka.service
/usr/sbin/tcpka
/usr/share/bash-completion/completions/tcpka
/usr/share/doc/tcpka/admin-guide.rst.gz
/usr/share/doc/tcpka/changelog.gz
/usr/share/doc/tcpka/copyright
/usr/share/man/man5/tcpka.conf.5.gz
/usr/share/man/man8/tcpka.8.gz
EOT
)"

# The module sources as in the tree: scripts/modsrc.sh's selection.
src=$(cd "$top" && find Kbuild kmod include -type f \
	\( \( -name '*.[chS]' ! -name '*.mod.c' \) -o -name Kbuild -o -name Makefile \))
compare "$dkms" "$(LC_ALL=C sort <<EOT
/usr/share/doc/tcpka-dkms/changelog.gz
/usr/share/doc/tcpka-dkms/copyright
/usr/src/tcpka-$version/VERSION
/usr/src/tcpka-$version/dkms.conf
$(printf '%s\n' "$src" | sed "s|^|/usr/src/tcpka-$version/|")
EOT
)"

dpkg-deb -f "$dkms" Depends | grep -q 'dkms' || fail "tcpka-dkms does not depend on dkms"
dpkg-deb -I "$tool" conffiles | grep -qx /etc/tcpka.conf ||
	fail "/etc/tcpka.conf is not a conffile of tcpka"
dpkg-deb --fsys-tarfile "$dkms" |
	tar -xOf - "./usr/src/tcpka-$version/dkms.conf" |
	grep -qx "PACKAGE_VERSION=\"$version\"" ||
	fail "dkms.conf in tcpka-dkms does not say PACKAGE_VERSION=\"$version\""
dpkg-deb --fsys-tarfile "$tool" | tar -xOf - ./lib/systemd/system/tcpka.service |
	grep -q '^ExecReload=/usr/sbin/tcpka load /etc/tcpka.conf$' ||
	fail "tcpka.service does not reload with /usr/sbin/tcpka load /etc/tcpka.conf"
exit $status
