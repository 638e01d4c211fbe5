#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host test of the tcpka tool's command-line parsing, module absent or not:
# every usage error of ../tcpka_tool_cases.sh exits 2 with "Error: ..." and
# a usage text on stderr and nothing on stdout; every help request prints
# usage on stdout and exits 0. Each run goes through valgrind (when
# installed), which must report no error and no leak.
#
# TCPKA: the tool to test (default: tool/tcpka of this tree).

here=$(cd "$(dirname "$0")" && pwd)
TCPKA=${TCPKA:-$here/../../tool/tcpka}
ksft_skip=4

# shellcheck source-path=SCRIPTDIR source=../tcpka_tool_cases.sh
. "$here/../tcpka_tool_cases.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "TAP version 13"
if [ ! -x "$TCPKA" ]; then
	echo "1..0 # SKIP $TCPKA is not built"
	exit $ksft_skip
fi
echo "1..$((${#usage_cases[@]} + ${#help_cases[@]}))"

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
result()
{
	n=$((n + 1))
	if [ -z "$2" ]; then
		echo "ok $n $1"
	else
		echo "not ok $n $1 # $2"
		failed=1
	fi
}

# run ARGS...: the tool under valgrind, output in $tmp/out and $tmp/err
run()
{
	: >"$tmp/vg"
	"${VG[@]}" "$TCPKA" "$@" >"$tmp/out" 2>"$tmp/err"
}

vg_problem()
{
	[ $1 -eq 99 ] && { echo "valgrind: $(grep -m1 '==' "$tmp/vg")"; return; }
	[ -s "$tmp/vg" ] && echo "valgrind: $(head -n1 "$tmp/vg")"
}

for c in "${usage_cases[@]}"; do
	eval "set -- $c"
	run "$@"
	rc=$?
	why=$(vg_problem $rc)
	if [ -z "$why" ]; then
		if [ $rc -ne 2 ]; then
			why="exit $rc, not 2"
		elif [ -s "$tmp/out" ]; then
			why="printed on stdout"
		elif ! head -n1 "$tmp/err" | grep -q '^Error: '; then
			why="stderr does not start with Error:"
		elif ! grep -q '^Usage: ' "$tmp/err"; then
			why="no usage text on stderr"
		fi
	fi
	[ -z "$why" ] || sed 's/^/#   /' "$tmp/err"
	result "usage error: tcpka $c" "$why"
done

for c in "${help_cases[@]}"; do
	eval "set -- $c"
	run "$@"
	rc=$?
	why=$(vg_problem $rc)
	if [ -z "$why" ]; then
		if [ $rc -ne 0 ]; then
			why="exit $rc, not 0"
		elif [ -s "$tmp/err" ]; then
			why="printed on stderr"
		elif ! grep -q '^Usage: ' "$tmp/out"; then
			why="no usage text on stdout"
		fi
	fi
	result "help: tcpka $c" "$why"
done

exit $failed
