#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# After vm.sh: if the guest did not report the end of its run, adds a
# failed result saying why to OUTDIR/results.ktap, and prints it.
#
#   unfinished.sh OUTDIR VM_STATUS
#
# VM_STATUS is vm.sh's exit status (124: killed after VM_TIMEOUT). The
# reason names the test that was running and the first kernel panic, BUG,
# oops or warning lines of the console.

out=$1
rc=$2

grep -q '^# tcpka-vm: done' "$out/results.ktap" 2>/dev/null && exit 0
if [ "$rc" -eq 124 ]; then
	why="killed after ${VM_TIMEOUT:-1500} s"
else
	why="qemu exit status $rc"
fi
last=$(grep '^# selftests: ' "$out/console.log" | tail -n 1)
[ -n "$last" ] && why="$why, during ${last#\# selftests: }"
{
	echo "# selftests: vm"
	grep -m 5 -E 'Kernel panic|BUG:|Oops|WARNING:|general protection' \
		"$out/console.log" | sed 's/^/# /'
	echo "not ok 1 the guest did not finish ($why), see $out/console.log"
} | tee -a "$out/results.ktap"
