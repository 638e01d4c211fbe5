#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The whole selftest suite, plus the matcher's KUnit tests, on the debug
# kernel (KASAN, lockdep, kmemleak; see debug.config), in the same VM as
# make check. Builds the kernel first if this machine has none cached
# (build-kernel.sh), then tcpka.ko and tcpka_test.ko against it.
#
# Any KASAN, lockdep, RCU or sleep-in-atomic report, and any kmemleak
# report after the tests, fails the guest's kernel log check. Here on the
# host, the console log is checked once more for what the guest cannot
# judge: that the detectors were on for the whole run (lockdep turns
# itself off after its first report, even one during boot) and that KUnit
# ran. Prints the results as make check does and one final line
# "N passed, N failed, N skipped"; exits 1 on any failure.
#
# Environment: BUILD (default build/ at the top), V=1 for the whole
# console, what build-kernel.sh reads, and what vm.sh reads; VM_TIMEOUT
# defaults to 3600 and VM_MEM to 2048 here, as everything runs several
# times slower under KASAN and lockdep. For the same reason each test gets
# TCPKA_TEST_TIMEOUT (default 900) seconds instead of the 300 in
# selftests/settings, tcpka_fuzz sends TCPKA_FUZZ_MESSAGES (default 10000
# here) messages instead of its 100000, and tcpka_load reloads the module
# TCPKA_LOAD_RELOADS (default 5 here) times instead of 20 (a reload under
# load takes up to 26 s on this kernel).

set -uo pipefail

DEBUG=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$DEBUG/.." && pwd)
VM=$TOP/selftests/vm
BUILD=${BUILD:-$TOP/build}
export TOP VM_TIMEOUT=${VM_TIMEOUT:-3600} VM_MEM=${VM_MEM:-2048}
# KASAN goes quiet after its first report unless told otherwise: one
# during boot would hide the tests' ones. no5lvl: with 5-level paging (qemu's
# "max" CPU has LA57), a boot on a loaded host once never ended: KASAN
# reported every direct-map address as wild from interrupts that came in
# identify_cpu(), which clears the boot CPU's feature bits (LA57 among them,
# which sets the shadow range) before reading them again; each report took
# longer than a timer tick. The kernel passes parameters it does not know to init, and
# init to the tests.
export VM_APPEND="no5lvl kasan_multi_shot TCPKA_FUZZ_MESSAGES=${TCPKA_FUZZ_MESSAGES:-10000} \
TCPKA_LOAD_RELOADS=${TCPKA_LOAD_RELOADS:-5} \
TCPKA_TEST_TIMEOUT=${TCPKA_TEST_TIMEOUT:-900} ${VM_APPEND:-}"

die()
{
	echo "check-debug: $*" >&2
	exit 1
}

show()
{
	local line

	while IFS= read -r line; do
		if [ "${V:-0}" = 1 ]; then
			printf '%s: %s\n' "$KREL" "$line"
			continue
		fi
		case $line in
		ok\ * | "not ok"* | "# selftests: "* | "# tcpka-vm: "* | \
		"# tcpka_match"* | mkinitramfs:* | vm.sh:* | qemu-system-*)
			printf '%s: %s\n' "$KREL" "$line" ;;
		esac
	done
}

entry=$("$DEBUG/build-kernel.sh") || exit 1
# shellcheck source=/dev/null
. "$entry/kernel.env"
out=$BUILD/$KREL
mkdir -p "$out"

echo "check-debug: tcpka.ko and tcpka_test.ko for $KREL"
"$TOP/scripts/modsrc.sh" "$out/mod"
make -C "$KDIR" M="$out/mod" W=1 modules >"$out/modules.log" 2>&1 || {
	cat "$out/modules.log" >&2
	die "module build failed against $KDIR"
}
for ko in tcpka tcpka_test; do
	[ -r "$out/mod/kmod/$ko.ko" ] || die "$ko.ko was not built (see $out/modules.log)"
done

KMOD_ROOT=$MODROOT "$VM/mkinitramfs.sh" "$KREL" "$out/mod/kmod/tcpka.ko" \
	"$out/initramfs.cpio" || die "initramfs could not be built"

start=$SECONDS
VM_KERNEL=$KERNEL "$VM/vm.sh" "$KREL" "$out/initramfs.cpio" "$out" selftests | show
"$VM/unfinished.sh" "$out" "${PIPESTATUS[0]}" | show

# What the guest's own check cannot see.
log=$out/console.log
n=0
{
	echo "# selftests: debug kernel"
	check()
	{
		n=$((n + 1))
		if [ "$1" = 0 ]; then
			echo "ok $n $2"
		else
			echo "not ok $n $2"
		fi
	}
	grep -q 'KernelAddressSanitizer initialized' "$log"
	check $? "KASAN was on"
	grep -q 'kmemleak: Kernel memory leak detector initialized' "$log" &&
		! grep -q 'kmemleak: Kernel memory leak detector disabled' "$log"
	check $? "kmemleak was on to the end"
	! grep -Eq 'turning off the locking correctness validator|lockdep is turned off' "$log"
	check $? "lockdep was on to the end"
	grep -q '# Subtest: tcpka_match' "$out/results.ktap"
	check $? "the KUnit suite ran"
	echo "1..$n"
} >"$out/debug.ktap"
show <"$out/debug.ktap"

read -r pass fail skip _ < <(cat "$out/results.ktap" "$out/debug.ktap" |
	awk -f "$VM/ktap-count.awk")
echo "# $KREL: $((SECONDS - start)) s in the VM"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
