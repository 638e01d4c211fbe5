# SPDX-License-Identifier: GPL-2.0
#
# make check-debug: the whole selftest suite and the matcher's KUnit tests
# on a kernel built with KASAN, lockdep and kmemleak (debug/check-debug.sh).
# Included by the top-level Makefile.
#
#   make check-debug     builds the debug kernel from linux-source-6.1 if
#                        this machine has none cached (about 15 minutes or
#                        more on 2 cores; ${XDG_CACHE_HOME:-~/.cache}/tcpka/),
#                        tcpka.ko and tcpka_test.ko against it, and runs the
#                        suite in the VM; prints "N passed, N failed, N skipped"
#   make debug-kernel    only builds (or finds) the debug kernel
#
# The kernel build needs a few packages make deps does not install.

DEBUG_PKGS := flex bison bc libelf-dev libssl-dev

check-debug: deps debug-deps
	@+$(MAKE) --no-print-directory check-debug-vm

check-debug-vm: tool selftests
	@BUILD=$(BUILD) debug/check-debug.sh

debug-kernel: debug-deps
	@debug/build-kernel.sh >/dev/null

debug-deps:
	@missing=; for p in $(DEBUG_PKGS); do \
		dpkg-query -W -f '$${Status}' $$p 2>/dev/null | grep -q ' installed$$' || \
			missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" != 0 ]; then \
			echo "check-debug: missing:$$missing; as root: apt-get install$$missing" >&2; \
			exit 1; \
		fi; \
		echo "check-debug: installing:$$missing"; \
		DEBIAN_FRONTEND=noninteractive apt-get update -q; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y \
			--no-install-recommends $$missing; \
	fi

.PHONY: check-debug check-debug-vm debug-kernel debug-deps
