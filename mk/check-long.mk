# SPDX-License-Identifier: GPL-2.0
#
# The selftests with their long variants. Included by the top-level Makefile.
#
#   make check-long   make check, with TCPKA_LONG=1 in every test's
#                     environment: tcpka_fuzz sends 400000 messages instead
#                     of 100000 and tcpka_load keeps its load up for 60 s
#                     instead of 20 before the reloads. The others run as
#                     in make check. Takes KVERS, V and the VM_* variables
#                     like make check; VM_TIMEOUT defaults to 3600.
#
# TCPKA_LONG=1 goes on the guest kernel's command line: the kernel hands
# parameters it does not know to init as environment variables, and the
# test runner passes its environment on to every test.

# On the sub-make's command line: a VM_APPEND given to this make's command
# line would otherwise reach the runner instead, without TCPKA_LONG.
check-long: deps
	@+VM_TIMEOUT=$${VM_TIMEOUT:-3600} $(MAKE) --no-print-directory check-vm \
		VM_APPEND="$(strip $(VM_APPEND) TCPKA_LONG=1)"

.PHONY: check-long
