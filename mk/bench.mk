# SPDX-License-Identifier: GPL-2.0
#
# make bench: what tcpka costs per connection, against no module and
# against a cgroup BPF sock_ops program (bench/run.sh,
# Documentation/performance.rst).
# Included by the top-level Makefile.
#
#   make bench           boots BENCH_KVER (default: the newest 6.1) under
#                        qemu with -icount (deterministic), then again with
#                        -smp 2 (wall clock, noisy); prints the table
#   BENCH_QUICK=1        fewer, shorter runs, no 100,000-policy set
#   BENCH_DOC=0          does not write the table of a full run into
#                        Documentation/performance.rst
#   make bench-clean
#
# Needs clang and libbpf-dev besides what make deps installs (make bench
# has make deps install them): the BPF variant is built with
# clang -target bpf and loaded with libbpf.

BENCH_KVER ?= $(shell scripts/kernels.sh --boot 6.1)

# make deps installs these for make bench only (CI does not run it).
bench: DEPS_EXTRA += clang libbpf-dev
bench: deps
	@+$(MAKE) --no-print-directory bench-vm

BENCH_OUT = $(BUILD)/bench/$(BENCH_KVER)

# For BENCH_KVER, each in a copy of its own: tcpka.ko with kmod/bench.c,
# and the reference module of variant (f).
bench-module:
	@[ -n "$(BENCH_KVER)" ] || { echo "no 6.1 kernel installed; run make deps" >&2; exit 1; }
	@scripts/modsrc.sh $(BENCH_OUT)/mod
	$(MAKE) -C /lib/modules/$(BENCH_KVER)/build M=$(BENCH_OUT)/mod \
		W=1 TCPKA_BENCH=1 modules
	@mkdir -p $(BENCH_OUT)/refprobe
	@cp -p bench/refprobe/Kbuild bench/refprobe/*.c $(BENCH_OUT)/refprobe/
	$(MAKE) -C /lib/modules/$(BENCH_KVER)/build M=$(BENCH_OUT)/refprobe \
		W=1 modules

bench-vm: tool selftests bench-module
	$(MAKE) -C bench
	@BUILD=$(BUILD) bench/run.sh $(BENCH_KVER)

bench-clean:
	$(MAKE) -C bench clean
	rm -rf $(BUILD)/bench

.PHONY: bench bench-module bench-vm bench-clean
