#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Print the newest installed Debian kernel of each series given (e.g. 6.1
# 6.12), one version per line. Version numbers differ between machines, so
# nothing else in the tree names one.
#
#   kernels.sh [--boot] SERIES...
#
# A kernel counts when its headers are installed (/lib/modules/V/build);
# with --boot it must also have /boot/vmlinuz-V and its modules, as the test
# VM boots it. Only the generic -amd64 flavour is taken: -cloud and -rt lack
# modules the tests load. Exits 1 if a series has no such kernel.

boot=
if [ "$1" = --boot ]; then
	boot=1
	shift
fi

status=0
for series in "$@"; do
	best=
	for build in /lib/modules/"$series".*/build; do
		[ -d "$build" ] || continue
		v=${build#/lib/modules/}
		v=${v%/build}
		case $v in
		*-cloud-amd64 | *-rt-amd64) continue ;;
		*-amd64) ;;
		*) continue ;;
		esac
		if [ -n "$boot" ]; then
			[ -r "/boot/vmlinuz-$v" ] || continue
			[ -r "/lib/modules/$v/modules.dep" ] || continue
		fi
		best="$best$v
"
	done
	v=$(printf '%s' "$best" | sort -V | tail -n 1)
	if [ -z "$v" ]; then
		echo "kernels.sh: no installed $series kernel${boot:+ to boot}" >&2
		status=1
		continue
	fi
	echo "$v"
done
exit $status
