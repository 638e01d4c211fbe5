#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: boot KVER twice with a bench build of tcpka.ko and run
# bench-guest.sh, then print the table (bench/report.sh).
#
#   run.sh KVER
#
# 1. qemu TCG -icount shift=0,sleep=off -smp 1: the guest clock advances
#    one nanosecond per executed instruction, so the figures count
#    instructions and repeat from run to run. (icount cannot boot -smp 2.)
# 2. qemu TCG -smp 2 without icount: wall-clock figures, noisy.
#
# Expects the tool, the selftests, bench/'s programs,
# BUILD/bench/KVER/mod/kmod/tcpka.ko (TCPKA_BENCH=1) and
# BUILD/bench/KVER/refprobe/ka_refprobe.ko built: mk/bench.mk does that.
# Keeps in BUILD/bench/KVER/: bench.log (this script's output),
# report.txt (the table), and per pass {icount,wall}/console.log and
# results.ktap (the guest's result lines). Environment:
#   BUILD        default: build/ at the top
#   BENCH_QUICK  1: fewer, shorter runs (under 3 minutes)
#   BENCH_DOC    1 (default for a full run): also write the table into
#                Documentation/performance.rst; 0: do not
#   BENCH_MEM    guest memory in MiB (default 2048)
#   V=1          show the guests' whole console

set -uo pipefail

BENCH=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$BENCH/.." && pwd)
BUILD=${BUILD:-$TOP/build}
quick=${BENCH_QUICK:-0}
export TOP

[ $# -eq 1 ] || { echo "usage: run.sh KVER" >&2; exit 2; }
kver=$1
out=$BUILD/bench/$kver
ko=$out/mod/kmod/tcpka.ko
kernel=/boot/vmlinuz-$kver
[ -r "$kernel" ] || { echo "bench: cannot read $kernel" >&2; exit 1; }
[ -r "$ko" ] || { echo "bench: no bench build of the module at $ko" >&2; exit 1; }

# The test VM's initramfs, plus a second archive appended to it (the
# kernel unpacks one after the other) with the benchmark's programs, their
# libraries and the guest script.
make_initramfs()
{
	local root=$out/overlay lib dst f set hard

	# The test VM's part takes a while to build: only when something in
	# it changed.
	if [ ! -s "$out/base.cpio" ] ||
		[ -n "$(find "$ko" "$TOP/tool/tcpka" "$TOP/selftests" \
			-newer "$out/base.cpio" -print -quit)" ]; then
		"$TOP/selftests/vm/mkinitramfs.sh" "$kver" "$ko" "$out/base.cpio" ||
			return
	fi
	rm -rf "$root"
	mkdir -p "$root/usr/lib/tcpka-bench" "$root/usr/lib/tcpka-vm"
	for f in connrate connhold sockops_run sockops_ka.bpf.o policies.sh; do
		cp "$BENCH/$f" "$root/usr/lib/tcpka-bench/" || return
	done
	cp "$out/refprobe/ka_refprobe.ko" "$root/usr/lib/tcpka-bench/" || return
	cp "$BENCH/bench-guest.sh" "$root/usr/lib/tcpka-vm/" || return
	# The policy sets (same seed, same content), made here: a TCG guest
	# would spend many seconds on it.
	for set in 1 100 10000 100000 10000h; do
		hard=
		[ "${set%h}" = "$set" ] || hard=hard
		"$BENCH/policies.sh" policies "${set%h}" $hard \
			>"$root/usr/lib/tcpka-bench/policies.$set" || return
	done
	# The image is merged-/usr: /lib is a link to usr/lib there.
	for lib in $(ldd "$BENCH"/connrate "$BENCH"/connhold "$BENCH"/sockops_run |
		sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p' | sort -u); do
		case $lib in
		/usr/*) dst=$root$lib ;;
		*) dst=$root/usr$lib ;;
		esac
		mkdir -p "$(dirname "$dst")"
		cp -L "$lib" "$dst" || return
	done
	(cd "$root" && find . -mindepth 1 | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --quiet) >"$out/overlay.cpio" || return
	cat "$out/base.cpio" "$out/overlay.cpio" >"$out/initramfs.cpio"
	rm -rf "$root"
}

# What to show of the console, after the seconds since the start: the
# benchmark's lines, or all with V=1.
show()
{
	local line

	while IFS= read -r line; do
		if [ "${V:-0}" = 1 ] ||
			[[ $line =~ ^(bench|connhold|\#\ verify|\#\ tcpka-vm:\ (up|done))|not\ ok|WRONG ]]; then
			printf '[%4d] %s\n' "$SECONDS" "$line"
		fi
	done
}

# boot MODE TIMEOUT QEMU-ARGS...: one guest run, results in $out/MODE/.
boot()
{
	local mode=$1 tmo=$2 dir=$out/$1 start=$SECONDS rc

	shift 2
	mkdir -p "$dir"
	: >"$dir/results.ktap"
	echo "bench: booting $kver ($mode: $*)"
	timeout --foreground -k 10 "$tmo" \
		qemu-system-x86_64 -accel tcg -cpu max -m "${BENCH_MEM:-2048}" "$@" \
		-kernel "$kernel" -initrd "$out/initramfs.cpio" \
		-append "console=ttyS0 panic=-1 quiet log_buf_len=8M tcpka_run=bench-guest.sh bench_mode=$mode bench_quick=$quick" \
		-nographic -monitor none -serial stdio -net none -no-reboot \
		-chardev file,id=results,path="$dir/results.ktap" \
		-device isa-serial,chardev=results \
		</dev/null 2>&1 |
		sed -u 's/\r$//; s/\x1b\[[0-9;?]*[A-Za-z]//g; s/\x1b[c78]//g' |
		tee "$dir/console.log" | show
	rc=${PIPESTATUS[0]}
	echo "bench: $mode pass took $((SECONDS - start)) s"
	if ! grep -q '^bench done' "$dir/results.ktap"; then
		echo "bench: the $mode pass did not finish (qemu exit status $rc), see $dir/console.log" >&2
		return 1
	fi
	if grep -q '^not ok' "$dir/results.ktap"; then
		grep '^#\|^not ok' "$dir/results.ktap" >&2
		echo "bench: the $mode pass reported a failure, see $dir/console.log" >&2
		return 1
	fi
}

mkdir -p "$out"
exec > >(tee "$out/bench.log") 2>&1
make_initramfs || { echo "bench: could not build the initramfs" >&2; exit 1; }

if [ "$quick" = 1 ]; then
	tmo_icount=300 tmo_wall=300
else
	tmo_icount=1200 tmo_wall=900
fi
status=0
boot icount "$tmo_icount" -smp 1 -icount shift=0,sleep=off || status=1
boot wall "$tmo_wall" -smp 2 || status=1

cmd="make bench"
[ "$quick" = 1 ] && cmd="BENCH_QUICK=1 make bench"
"$BENCH/report.sh" "$cmd" "$out/icount/results.ktap" "$out/wall/results.ktap" \
	>"$out/report.txt" || status=1
cat "$out/report.txt"
doc=${BENCH_DOC:-1}
[ "$quick" = 1 ] && doc=${BENCH_DOC:-0}
if [ "$doc" = 1 ] && [ $status -eq 0 ]; then
	"$BENCH/update-doc.sh" "$out/report.txt" "$TOP/Documentation/performance.rst" ||
		status=1
fi
exit $status
