# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# What the shell selftests that run a list of test functions share.
# Sourced. The script defines tests=(FUNCTION DESCRIPTION ...) and
# run_test FUNCTION DESCRIPTION, which prints the test's KTAP line.

# shellcheck disable=SC2034 # for the scripts that source this
ksft_skip=4

# eq GOT WANT WHAT
eq()
{
	[ "$1" = "$2" ] && return
	printf '%s:\n  got:  %s\n  want: %s\n' "$3" "$1" "$2"
	return 1
}

# tests_only NAME...: keeps of tests only those named (all without names).
tests_only()
{
	local only=() i

	[ $# -gt 0 ] || return 0
	for ((i = 0; i < ${#tests[@]}; i += 2)); do
		[[ " $* " == *" ${tests[i]} "* ]] && only+=("${tests[i]}" "${tests[i + 1]}")
	done
	tests=("${only[@]}")
}

# run_tests: run_test for each of tests, in order.
run_tests()
{
	local i

	for ((i = 0; i < ${#tests[@]}; i += 2)); do
		run_test "${tests[i]}" "${tests[i + 1]}"
	done
}
