#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The demo, run inside the VM by make demo (tcpka is already loaded).
# Placeholder: shows the module is there; the real walkthrough (a policy,
# a connection between two network namespaces, its keepalive timer in
# ss -tno and the policy's counters) replaces it.

set -e
step()
{
	printf '\n$ %s\n' "$*"
	"$@"
}

step grep tcpka /proc/modules
step genl ctrl get name tcpka
step tcpka --help || true
