#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The matcher's KUnit tests (kmod/match_kunit.c): loads tcpka_test.ko, whose
# suites run while it loads, and prints their KTAP so that the runner counts
# every case with the other results. tcpka_test.ko is built only for a
# kernel with KUnit (the debug kernel of make check-debug), so elsewhere,
# e.g. on Debian's kernels, this is a skip.
#
# The KTAP is taken from the kernel log, where KUnit prints it as the cases
# run: its debugfs copy keeps only the last parameter of a parameterized
# case.

mod=tcpka_test

skip()
{
	printf 'TAP version 13\n1..1\nok 1 tcpka_kunit # SKIP %s\n' "$1"
	exit 4
}

fail()
{
	printf 'TAP version 13\n1..1\nnot ok 1 tcpka_kunit # %s\n' "$1"
	exit 1
}

modinfo "$mod" >/dev/null 2>&1 ||
	skip "no $mod.ko for $(uname -r) (built only for kernels with KUnit)"

# A leftover from an interrupted run would not run the suites again.
modprobe -r "$mod" 2>/dev/null
marker="tcpka_kunit: start $$"
echo "$marker" >/dev/kmsg
modprobe "$mod" || fail "modprobe $mod failed"
modprobe -r "$mod" || fail "modprobe -r $mod failed"

# Each suite's lines, from its "KTAP version" to its own result line at
# the top level, without the log's timestamps.
ktap=$(dmesg | sed -n "/$marker/,\$p" | sed 's/^\[[ 0-9.]*\] //' | awk '
	/^    KTAP version/ && !in_suite { header = $0; next }
	/^    # Subtest: tcpka_/ { in_suite = 1; print header }
	in_suite { print }
	/^(not )?ok [0-9]+ tcpka_/ { in_suite = 0 }
	{ header = "" }')
suites=$(printf '%s\n' "$ktap" | grep -c '^    # Subtest: ')
[ "$suites" -gt 0 ] || fail "$mod loaded but no tcpka suite in the kernel log"

printf 'KTAP version 1\n1..%d\n%s\n' "$suites" "$ktap"
if printf '%s\n' "$ktap" | grep -q '^ *not ok'; then
	exit 1
fi
exit 0
