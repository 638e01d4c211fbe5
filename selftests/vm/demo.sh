#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot one kernel in a VM and run the demo (demo-guest.sh) in it, showing
# the guest's console live. Exits 1 if the demo or the kernel log check
# reported a failure or the guest did not finish.
#
#   demo.sh KVER
#
# Expects the tool built and BUILD/KVER/mod/kmod/tcpka.ko (make demo does
# both). Environment: BUILD, and what vm.sh reads.

set -uo pipefail

VM=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$VM/../.." && pwd)
BUILD=${BUILD:-$TOP/build}
export TOP

[ $# -eq 1 ] || { echo "usage: demo.sh KVER" >&2; exit 2; }
kver=$1
out=$BUILD/$kver/demo
mkdir -p "$out"

"$VM/mkinitramfs.sh" "$kver" "$BUILD/$kver/mod/kmod/tcpka.ko" "$out/initramfs.cpio" ||
	exit 1
echo "demo: booting $kver (qemu, no KVM: allow a few seconds)"
# The guest's whole kernel log, printed last, is for console.log only.
"$VM/vm.sh" "$kver" "$out/initramfs.cpio" "$out" demo-guest.sh |
	awk '/^# tcpka-vm: kernel log follows/ { quiet = 1 }
	     !quiet { print; fflush() }'
rc=${PIPESTATUS[0]}

if ! grep -q '^# tcpka-vm: done' "$out/results.ktap"; then
	echo "demo: the guest did not finish (qemu exit status $rc), see $out/console.log" >&2
	exit 1
fi
if grep -q '^not ok' "$out/results.ktap"; then
	echo "demo: failed, see $out/console.log" >&2
	exit 1
fi
echo "demo: done (console log: $out/console.log)"
