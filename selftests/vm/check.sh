#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the whole test suite: the host tests (every executable
# selftests/host/*.sh), then the selftests in a VM for each kernel given.
# Prints each result line as it comes, prefixed with "host" or the kernel
# version, and ends with one line "N passed, N failed, N skipped" counted
# over everything. Exits 1 if anything failed.
#
#   check.sh KVER...
#
# Expects the tool and selftests built, and BUILD/KVER/mod/kmod/tcpka.ko
# built for each kernel (make check does both). Per kernel, BUILD/KVER/ keeps
# the initramfs, console.log (everything the guest printed, with its kernel
# log at the end) and results.ktap (what was counted).
#
# Environment: BUILD (default: build/ at the top), V=1 to show all output
# rather than only results, HOST_TEST_TIMEOUT (default 300) and what vm.sh
# reads (VM_TIMEOUT, VM_ACCEL, ...).

set -uo pipefail

VM=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$VM/../.." && pwd)
BUILD=${BUILD:-$TOP/build}
# Host tests find the tree and put what they build under BUILD_DIR.
export TOP BUILD_DIR=$BUILD

# shellcheck source=selftests/vm/runtest.sh
. "$VM/runtest.sh"

total_pass=0
total_fail=0
total_skip=0

# Show the lines worth seeing live, prefixed.
show()
{
	local prefix=$1 line

	while IFS= read -r line; do
		if [ "${V:-0}" = 1 ]; then
			printf '%s: %s\n' "$prefix" "$line"
			continue
		fi
		case $line in
		ok\ * | "not ok"* | "# selftests: "* | "# tcpka-vm: "* | "# [ "*)
			printf '%s: %s\n' "$prefix" "$line" ;;
		mkinitramfs:* | vm.sh:* | qemu-system-*)
			printf '%s: %s\n' "$prefix" "$line" ;;
		esac
	done
}

# Add the leaf results of a KTAP file to the totals.
count()
{
	local label=$1 file=$2 pass fail skip

	read -r pass fail skip _ < <(awk -f "$VM/ktap-count.awk" "$file")
	total_pass=$((total_pass + pass))
	total_fail=$((total_fail + fail))
	total_skip=$((total_skip + skip))
	echo "# $label: pass $pass fail $fail skip $skip"
}

run_host_tests()
{
	local dir=$TOP/selftests/host out=$BUILD/host t name

	mkdir -p "$out"
	: >"$out/results.ktap"
	for t in "$dir"/*.sh; do
		[ -x "$t" ] || continue
		name=$(basename "$t")
		echo "# selftests: host: $name" | tee -a "$out/results.ktap"
		(cd "$dir" && ktap_run "$out/$name.log" "${HOST_TEST_TIMEOUT:-300}" \
			"$name" "./$name") | show host
		cat "$out/$name.log" >>"$out/results.ktap"
	done
	count host "$out/results.ktap"
}

run_kernel()
{
	local kver=$1 out=$BUILD/$1 start=$SECONDS

	mkdir -p "$out"
	if ! "$VM/mkinitramfs.sh" "$kver" "$out/mod/kmod/tcpka.ko" \
		"$out/initramfs.cpio" 2>&1 | show "$kver"; then
		printf '# selftests: vm\nnot ok 1 initramfs could not be built\n' |
			tee "$out/results.ktap" | show "$kver"
	else
		"$VM/vm.sh" "$kver" "$out/initramfs.cpio" "$out" selftests | show "$kver"
		"$VM/unfinished.sh" "$out" "${PIPESTATUS[0]}" | show "$kver"
	fi
	count "$kver" "$out/results.ktap"
	echo "# $kver: $((SECONDS - start)) s"
}

[ $# -gt 0 ] || { echo "check.sh: no kernel given" >&2; exit 2; }

run_host_tests
for kver in "$@"; do
	run_kernel "$kver"
done

echo "$total_pass passed, $total_fail failed, $total_skip skipped"
[ "$total_fail" -eq 0 ]
