#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tcpka is loaded, registers its generic netlink family, unloads and loads
# again, and none of it leaves a warning in the kernel log. Leaves the
# module loaded, as it found it.

ksft_skip=4
num=0
failed=0
genl_ok=1

ktap()
{
	local rc=$1 desc=$2

	num=$((num + 1))
	if [ "$rc" = skip ]; then
		echo "ok $num $desc # SKIP $3"
	elif [ "$rc" -eq 0 ]; then
		echo "ok $num $desc"
	else
		echo "not ok $num $desc"
		failed=1
	fi
}

loaded()
{
	grep -q '^tcpka ' /proc/modules && [ -d /sys/module/tcpka ]
}

family_registered()
{
	genl ctrl get name tcpka 2>/dev/null | grep -q 'Name: tcpka'
}

if [ "$(id -u)" -ne 0 ]; then
	echo "# needs root"
	exit $ksft_skip
fi
if ! modinfo tcpka >/dev/null 2>&1; then
	echo "# tcpka.ko is not installed for $(uname -r)"
	exit $ksft_skip
fi
command -v genl >/dev/null || genl_ok=0

echo "TAP version 13"
echo "1..8"

marker="module_load.sh: start $$"
echo "$marker" >/dev/kmsg

modprobe tcpka
loaded
ktap $? "module is loaded"

grep -q '^live$' /sys/module/tcpka/initstate 2>/dev/null
ktap $? "module init finished"

if [ $genl_ok -eq 1 ]; then
	family_registered
	ktap $? "generic netlink family tcpka is registered"
else
	ktap skip "generic netlink family tcpka is registered" "no genl"
fi

modprobe -r tcpka && ! loaded
ktap $? "modprobe -r unloads it"

if [ $genl_ok -eq 1 ]; then
	# A dump does not load modules, a lookup by name does (below).
	! genl ctrl list 2>/dev/null | grep -q 'Name: tcpka$'
	ktap $? "family is gone after unload"
	family_registered && loaded
	ktap $? "looking the family up loads the module"
else
	ktap skip "family is gone after unload" "no genl"
	ktap skip "looking the family up loads the module" "no genl"
fi

modprobe -r tcpka && modprobe tcpka && loaded &&
	{ [ $genl_ok -eq 0 ] || family_registered; }
ktap $? "modprobe -r and modprobe again"

# Only what happened since this test started.
dmesg | sed -n "/$marker/,\$p" |
	grep -E 'BUG:|WARNING:|Oops|Call Trace:|general protection|refcount_t:' |
	sed 's/^/# /'
[ "${PIPESTATUS[2]}" -ne 0 ]
ktap $? "kernel log clean"

exit $failed
