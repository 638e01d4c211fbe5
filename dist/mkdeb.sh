#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make deb: build the Debian packages tcpka and tcpka-dkms with Debian's
# own tools (dpkg-buildpackage, debhelper, dh-dkms) from a clean copy of
# the sources in OUT/tcpka-VERSION. The packages land in OUT.
#
#   mkdeb.sh OUT
#
# The version is VERSION's; debian/changelog must have an entry for it.

set -eu
[ $# -eq 1 ] || { echo "usage: mkdeb.sh OUT" >&2; exit 2; }
top=$(cd "$(dirname "$0")/.." && pwd)
out=$1

die()
{
	echo "deb: $*" >&2
	exit 1
}

command -v dpkg-buildpackage >/dev/null ||
	die "dpkg-buildpackage not found (apt-get install dpkg-dev)"
version=$(cat "$top/VERSION")
cversion=$(cd "$top" && dpkg-parsechangelog -S Version)
[ "$cversion" = "$version" ] ||
	die "debian/changelog is at $cversion but VERSION says $version; add a changelog entry"

src=$out/tcpka-$version
rm -rf "$out"
mkdir -p "$src"
# Sources only: objects of builds in the tree stay behind, and of mk/ only
# the part the packaging uses.
(cd "$top" && tar -cf - --exclude='*.o' --exclude='*.ko' --exclude='*.ko.*' \
	--exclude='*.mod' --exclude='*.mod.c' --exclude='.*.cmd' \
	--exclude=Module.symvers --exclude=modules.order --exclude=tool/tcpka \
	Makefile Kbuild VERSION dkms.conf mk/install.mk scripts kmod include tool \
	Documentation dist debian) | tar -C "$src" -xf -

echo "deb: building tcpka $version in $src"
if ! (cd "$src" && dpkg-buildpackage -b -us -uc) >"$out/build.log" 2>&1; then
	tail -n 40 "$out/build.log"
	die "dpkg-buildpackage failed, see $out/build.log"
fi
for p in tcpka tcpka-dkms; do
	ls "$out/${p}_${version}_"*.deb >/dev/null 2>&1 || die "no $p package was built"
done
ls "$out"/*.deb | sed 's/^/deb: /'
