#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot one kernel with an initramfs under qemu and wait for it to power off.
#
#   vm.sh KVER INITRAMFS OUTDIR [RUN]
#
# RUN is what the guest's init does: "selftests" (default) or the name of a
# guest script in /usr/lib/tcpka-vm (the demo). The console (ttyS0) is
# written to stdout and to OUTDIR/console.log; the guest writes its results
# to a second serial port, kept in OUTDIR/results.ktap.
#
# Environment:
#   VM_TIMEOUT  seconds before a guest that has not powered off is killed
#               (default 1500); vm.sh then exits 124
#   VM_ACCEL    tcg (default), kvm, or auto: KVM only if a bounded probe
#               boots with it, as KVM can hang instead of failing
#   VM_MEM, VM_SMP  guest memory in MiB (1024) and CPUs (2)
#   VM_APPEND   extra kernel command line
#   VM_KERNEL   kernel image to boot (default /boot/vmlinuz-KVER)

set -uo pipefail

[ $# -ge 3 ] || { echo "usage: vm.sh KVER INITRAMFS OUTDIR [RUN]" >&2; exit 2; }
kver=$1
initrd=$2
out=$3
run=${4:-selftests}
kernel=${VM_KERNEL:-/boot/vmlinuz-$kver}
timeout=${VM_TIMEOUT:-1500}
accel=${VM_ACCEL:-tcg}

[ -r "$kernel" ] || { echo "vm.sh: cannot read $kernel" >&2; exit 2; }
mkdir -p "$out"

# A kernel without root device panics at once and panic=-1 makes qemu exit;
# with working KVM that takes a second or two, a hang is cut after 10 s.
kvm_works()
{
	[ -w /dev/kvm ] || return 1
	timeout --foreground -k 2 10 qemu-system-x86_64 -accel kvm -cpu host \
		-m 256 -nographic -monitor none -serial none -net none \
		-no-reboot -kernel "$kernel" -append "panic=-1 root=/dev/nonexistent" \
		</dev/null >/dev/null 2>&1
}

if [ "$accel" = auto ]; then
	if kvm_works; then accel=kvm; else accel=tcg; fi
fi
# Multi-threaded TCG lets one vCPU run a stale translation of kernel text
# that another vCPU just patched (seen: "Oops: int3" in
# inet_sk_state_store() while tracepoint probes were registered during a
# connection storm on 6.12). One host thread running both vCPUs in turn
# sees every code change at once; the guest is still SMP.
case $accel in
kvm) cpu=host ;;
tcg) cpu=max accel=tcg,thread=single ;;
*) echo "vm.sh: VM_ACCEL must be tcg, kvm or auto" >&2; exit 2 ;;
esac

: >"$out/results.ktap"
# --foreground: a Ctrl-C on the terminal reaches qemu.
timeout --foreground -k 10 "$timeout" \
	qemu-system-x86_64 -accel "$accel" -cpu "$cpu" \
	-m "${VM_MEM:-1024}" -smp "${VM_SMP:-2}" \
	-kernel "$kernel" -initrd "$initrd" \
	-append "console=ttyS0 panic=-1 quiet log_buf_len=8M tcpka_run=$run ${VM_APPEND:-}" \
	-nographic -monitor none -serial stdio -net none -no-reboot \
	-chardev file,id=results,path="$out/results.ktap" \
	-device isa-serial,chardev=results \
	</dev/null 2>&1 |
	sed -u 's/\r$//; s/\x1b\[[0-9;?]*[A-Za-z]//g; s/\x1b[c78]//g' | tee "$out/console.log"
rc=${PIPESTATUS[0]}
[ "$rc" -eq 137 ] && rc=124
exit "$rc"
