# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# ktap_run: run one kselftest program and make sure its result is counted.
# Sourced by bash: by the VM's init for the guest tests and by check.sh for
# the host tests, so both judge a test the same way.
#
#   ktap_run LOG TIMEOUT NAME COMMAND...
#
# Runs COMMAND with stdin from /dev/null and stdout+stderr into LOG, shown
# live on stdout. Then, when the exit status says more than the output, one
# result line is added (to LOG and stdout) so the failure is counted:
#   timeout            not ok N NAME # TIMEOUT T seconds
#   other failures     not ok N NAME # exit=RC   (unless a "not ok" was printed)
#   exit 0, no result  ok 1 NAME                 (a test without KTAP output)
#   exit 0, too few    not ok N NAME # planned P results, got G
#   exit 4, no result  ok 1 NAME # SKIP
# Leftover processes in the test's process group are killed afterwards:
# a stray background server must not hold up the run.
# Needs coreutils timeout and tail (for --pid), and ktap-count.awk next to
# this file (KTAP_COUNT overrides its path).

KTAP_COUNT=${KTAP_COUNT:-$(dirname "${BASH_SOURCE[0]}")/ktap-count.awk}

ktap_run()
{
	local log=$1 tmo=$2 name=$3
	local pid tailpid rc fail top plan extra=

	shift 3
	: >"$log"
	# timeout puts itself and the test in a new process group (pgid = pid).
	timeout -k 10 "$tmo" "$@" </dev/null >>"$log" 2>&1 &
	pid=$!
	tail -s 0.2 -n +1 -f --pid="$pid" "$log" &
	tailpid=$!
	wait "$pid"
	rc=$?
	kill -KILL -- "-$pid" 2>/dev/null
	wait "$tailpid"

	read -r _ fail _ top plan < <(awk -f "$KTAP_COUNT" "$log")
	case $rc in
	0)
		if [ "$top" -eq 0 ]; then
			extra="ok 1 $name"
		elif [ "$top" -lt "$plan" ]; then
			extra="not ok $((top + 1)) $name # planned $plan results, got $top"
		fi
		;;
	4)
		[ "$top" -eq 0 ] && extra="ok 1 $name # SKIP"
		;;
	124 | 137)
		extra="not ok $((top + 1)) $name # TIMEOUT $tmo seconds"
		;;
	*)
		[ "$fail" -eq 0 ] && extra="not ok $((top + 1)) $name # exit=$rc"
		;;
	esac
	if [ -n "$extra" ]; then
		echo "$extra" >>"$log"
		echo "$extra"
	fi
	return "$rc"
}
