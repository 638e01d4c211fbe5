#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host test of the tcpka tool with the module absent (the build machine
# cannot load it): every command that needs the kernel says
#   Error: tcpka module is not loaded (try: modprobe tcpka)
# and exits 1, through the whole netlink setup path, under valgrind (monitor
# also with -t and -ts, which it alone takes); -V
# says "not loaded"; -n with a missing namespace exits 1. Skipped where
# the tcpka family exists (a machine with the module loaded).
#
# TCPKA: the tool to test (default: tool/tcpka of this tree).

here=$(cd "$(dirname "$0")" && pwd)
TCPKA=${TCPKA:-$here/../../tool/tcpka}
ksft_skip=4
NOMOD="Error: tcpka module is not loaded (try: modprobe tcpka)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cases=(
	'policy add idle 60'
	'policy add name web cgroup / lport 80-90 rport 443 family inet6 dir in mode override idle 1 intvl 2 cnt 3 user-timeout 4 pref 5 existing'
	'policy replace id 1 idle 5'
	'policy del name web'
	'policy show'
	'policy show id 3'
	'policy flush'
	'policy apply'
	'stats'
	'monitor'
	'-t monitor'
	'-ts -j monitor'
	'--tshort -timestamp monitor'
	'save'
	'-j policy show'
	'-p stats'
)

echo "TAP version 13"
if [ ! -x "$TCPKA" ]; then
	echo "1..0 # SKIP $TCPKA is not built"
	exit $ksft_skip
fi
if [ -d /sys/module/tcpka ]; then
	echo "1..0 # SKIP tcpka is loaded on this machine"
	exit $ksft_skip
fi
echo "1..$((${#cases[@]} + 3))"

VG=()
if command -v valgrind >/dev/null; then
	VG=(valgrind -q --leak-check=full --show-leak-kinds=all
	    --errors-for-leak-kinds=all --error-exitcode=99
	    --log-file="$tmp/vg")
else
	echo "# valgrind not installed: memory checks left out"
fi

n=0
failed=0
# check DESC WANT_RC WANT_ERR [WANT_OUT]: judges the last run
check()
{
	local why=

	n=$((n + 1))
	if [ -s "$tmp/vg" ]; then
		why="valgrind: $(grep -m1 '==' "$tmp/vg")"
	elif [ "$rc" != "$2" ]; then
		why="exit $rc, not $2"
	elif [ "$(cat "$tmp/err")" != "$3" ]; then
		why="stderr: $(head -n1 "$tmp/err")"
	elif [ "$(cat "$tmp/out")" != "${4:-}" ]; then
		why="stdout: $(head -n1 "$tmp/out")"
	fi
	if [ -z "$why" ]; then
		echo "ok $n $1"
	else
		echo "not ok $n $1 # $why"
		failed=1
	fi
}

run()
{
	: >"$tmp/vg"
	"${VG[@]}" "$TCPKA" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}

for c in "${cases[@]}"; do
	eval "set -- $c"
	run "$@"
	check "tcpka $c: module not loaded" 1 "$NOMOD"
done

run -V
check "-V: module not loaded" 0 "" \
	"$(sed -n 1p "$tmp/out")
tcpka module not loaded"
grep -q '^tcpka tool version [^ ]' "$tmp/out" ||
	{ echo "# no tool version: $(head -n1 "$tmp/out")"; failed=1; }

run -n no-such-netns-here policy show
check "-n with a missing namespace" 1 \
	'Error: cannot open network namespace "no-such-netns-here": No such file or directory'

run -n ../etc policy show
check "-n refuses a path" 1 'Error: invalid network namespace name "../etc"'

exit $failed
