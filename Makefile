# SPDX-License-Identifier: GPL-2.0
#
# tcpka: the kernel module (kmod/), the tcpka tool (tool/) and the selftests.
#
#   make             kmod/tcpka.ko for KDIR, tool/tcpka, the selftest programs
#   make deps        install the Debian packages that are missing (as root)
#   make lint        checkpatch --strict, W=1 sparse builds for KDIR and KVERS
#   make check       host tests, then the selftests in a VM on each of KVERS
#   make demo        the demo in a VM running KVER
#   make clean
#
# Variables:
#   KDIR   kernel build tree for `make` and `make lint`; default: the running
#          kernel's, else the newest installed Debian 6.1 headers
#   KVERS  kernels `make check` tests and `make lint` builds for (default:
#          newest installed 6.1 and 6.12)
#   KVER   kernel `make demo` boots (default: newest installed 6.1)
#   V=1    show the guests' whole console instead of only results
# The VM runner reads VM_TIMEOUT, VM_ACCEL, ... (see selftests/vm/vm.sh).

BUILD := $(CURDIR)/build
KSRC_TAR ?= /usr/src/linux-source-6.1.tar.xz
KSRC_DIR := $(basename $(basename $(notdir $(KSRC_TAR))))

# Recursively expanded: evaluated when used, i.e. after `make deps` has
# installed the kernels (check and demo re-run make for that reason).
KDIR ?= $(shell d=/lib/modules/$$(uname -r)/build; \
	if [ -d "$$d" ]; then echo "$$d"; \
	else v=$$(scripts/kernels.sh 6.1 2>/dev/null) && echo /lib/modules/$$v/build; fi)
KVERS ?= $(shell scripts/kernels.sh --boot 6.1 6.12)
KVER ?= $(shell scripts/kernels.sh --boot 6.1)

# Files taken from the kernel source package into $(BUILD) at build time.
KSFT_FILES := kselftest.h kselftest_harness.h
CHECKPATCH_FILES := checkpatch.pl spelling.txt const_structs.checkpatch
KSRC_STAMP := $(BUILD)/.ksrc-extracted

all: module tool selftests

module:
	@[ -d "$(KDIR)" ] || { echo "no kernel headers (KDIR=$(KDIR)); run make deps" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 modules

tool:
	$(MAKE) -C tool

selftests: $(KSRC_STAMP)
	$(MAKE) -C selftests KSFT_INC=$(BUILD)/ksft UAPI_INC=$(CURDIR)/include/uapi

# One pass over the tarball for all members; tar stops once it has them.
$(KSRC_STAMP):
	@[ -r $(KSRC_TAR) ] || { echo "$(KSRC_TAR) missing; run make deps" >&2; exit 1; }
	rm -rf $(BUILD)/ksrc.tmp && mkdir -p $(BUILD)/ksrc.tmp $(BUILD)/ksft $(BUILD)/scripts
	xz -T0 -dc $(KSRC_TAR) | tar -x -C $(BUILD)/ksrc.tmp --occurrence=1 \
		$(addprefix $(KSRC_DIR)/tools/testing/selftests/,$(KSFT_FILES)) \
		$(addprefix $(KSRC_DIR)/scripts/,$(CHECKPATCH_FILES))
	mv $(addprefix $(BUILD)/ksrc.tmp/$(KSRC_DIR)/tools/testing/selftests/,$(KSFT_FILES)) $(BUILD)/ksft/
	mv $(addprefix $(BUILD)/ksrc.tmp/$(KSRC_DIR)/scripts/,$(CHECKPATCH_FILES)) $(BUILD)/scripts/
	rm -rf $(BUILD)/ksrc.tmp
	touch $@

deps:
	@DEPS_EXTRA="$(DEPS_EXTRA)" scripts/deps.sh

lint: $(KSRC_STAMP)
	@[ -d "$(KDIR)" ] || { echo "no kernel headers (KDIR=$(KDIR)); run make deps" >&2; exit 1; }
	@scripts/lint.sh $(BUILD) $(KDIR) $(filter-out $(realpath $(KDIR)),\
		$(foreach v,$(KVERS),$(realpath /lib/modules/$(v)/build)))

# tcpka.ko for kernel KVER, built from a copy in $(BUILD)/KVER/mod.
vm-module:
	@[ -d /lib/modules/$(KVER)/build ] || { echo "no headers for kernel '$(KVER)'" >&2; exit 1; }
	@scripts/modsrc.sh $(BUILD)/$(KVER)/mod
	$(MAKE) -C /lib/modules/$(KVER)/build M=$(BUILD)/$(KVER)/mod W=1 modules

check: deps
	@+$(MAKE) --no-print-directory check-vm

check-vm: tool selftests
	@[ -n "$(strip $(KVERS))" ] || { echo "no test kernels installed; run make deps" >&2; exit 1; }
	@+for v in $(KVERS); do $(MAKE) --no-print-directory vm-module KVER=$$v || exit 1; done
	@BUILD=$(BUILD) selftests/vm/check.sh $(KVERS)

demo: deps
	@+$(MAKE) --no-print-directory demo-vm

demo-vm: tool selftests
	@[ -n "$(KVER)" ] || { echo "no 6.1 kernel installed; run make deps" >&2; exit 1; }
	@+$(MAKE) --no-print-directory vm-module KVER=$(KVER)
	@BUILD=$(BUILD) selftests/vm/demo.sh $(KVER)

clean:
	[ ! -d "$(KDIR)" ] || $(MAKE) -C $(KDIR) M=$(CURDIR) clean
	[ ! -f tool/Makefile ] || $(MAKE) -C tool clean
	$(MAKE) -C selftests clean
	rm -rf $(BUILD)

# Optional parts (installation, benchmarks, ...) each live in a mk/*.mk;
# a tree without them still builds and tests.
include $(wildcard mk/*.mk)

help:
	@sed -n '3,19s/^# \{0,1\}//p' Makefile
	@echo; echo "More, from mk/*.mk:"; echo
	@for f in $(sort $(wildcard mk/*.mk)); do \
		awk '!/^#/ { exit } /^#   / { sub(/^# /, ""); print }' $$f; \
	done

.PHONY: all module tool selftests deps lint vm-module check check-vm demo demo-vm clean help
