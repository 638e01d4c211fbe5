#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# CI check of dkms.conf: Debian's dkms adds the module sources made by
# "make install-dkms-src" and builds them for each kernel given, as it
# would on a server. It works in a DKMS tree of its own under DIR, so the
# system's /usr/src and /var/lib/dkms are left alone (but for the signing
# key /var/lib/dkms/mok.key, which Debian's dkms creates on first use); the
# module built for each kernel must carry that kernel's release in its
# vermagic.
#
#   check-dkms.sh DIR VERSION KVER...
#
# DIR/root/usr/src/tcpka-VERSION holds the sources.

set -eu
[ $# -ge 3 ] || { echo "usage: check-dkms.sh DIR VERSION KVER..." >&2; exit 2; }
dir=$1
version=$2
shift 2

command -v dkms >/dev/null ||
	{ echo "dkms-check: dkms is not installed (make deps)" >&2; exit 1; }

trees="--sourcetree $dir/root/usr/src --dkmstree $dir/tree"
mkdir -p "$dir/tree"
# shellcheck disable=SC2086
dkms add -m tcpka -v "$version" $trees >"$dir/add.log" 2>&1 ||
	{ cat "$dir/add.log"; echo "dkms-check: dkms add failed" >&2; exit 1; }

status=0
for kver in "$@"; do
	log=$dir/build-$kver.log
	# shellcheck disable=SC2086
	if ! dkms build -m tcpka -v "$version" -k "$kver" $trees >"$log" 2>&1; then
		cat "$log"
		[ -r "$dir/tree/tcpka/$version/build/make.log" ] &&
			cat "$dir/tree/tcpka/$version/build/make.log"
		echo "dkms-check: $kver: dkms build failed" >&2
		status=1
		continue
	fi
	ko=$(find "$dir/tree/tcpka/$version/$kver" -name 'tcpka.ko*' | head -n 1)
	magic=$(modinfo -F vermagic "$ko" 2>/dev/null || true)
	case $magic in
	"$kver "*) echo "dkms-check: $kver: built $(basename "$ko") ($magic)" ;;
	*)
		echo "dkms-check: $kver: module missing or built for another kernel: '$magic'" >&2
		status=1
		;;
	esac
done
exit $status
