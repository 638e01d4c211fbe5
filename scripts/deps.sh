#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian 12 packages needed to build tcpka and run its tests in
# a VM. Only what is missing is installed, and apt-get update runs only then,
# so a second run is quick and offline. Without root, print the command.

set -eu

# Build: toolchain, libnl (and json-c) for the tool and the C selftests,
# sparse for lint.
# linux-source-6.1 carries kselftest.h, kselftest_harness.h and checkpatch.pl
# (extracted into build/ at build time, never copied into the tree).
# Test VM: qemu, busybox and cpio for the initramfs, the two test kernels
# with headers (6.12 comes from bookworm-security), and the programs the
# guest runs (nft, ip/ss/genl, jq, setpriv/unshare/nsenter, kmod).
pkgs="
build-essential pkg-config libnl-3-dev libnl-genl-3-dev libjson-c-dev sparse
linux-source-6.1 xz-utils
qemu-system-x86 busybox-static cpio
linux-image-amd64 linux-headers-amd64
linux-image-6.12-amd64 linux-headers-6.12-amd64
jq nftables iproute2 util-linux kmod bash coreutils valgrind
"
# Packages the optional mk/*.mk parts add to DEPS_EXTRA.
pkgs="$pkgs ${DEPS_EXTRA:-}"

missing=
for p in $pkgs; do
	s=$(dpkg-query -W -f '${Status}' "$p" 2>/dev/null || true)
	case $s in
	*" installed") ;;
	*) missing="$missing $p" ;;
	esac
done

if [ -z "$missing" ]; then
	echo "deps: everything is installed"
	exit 0
fi

if ! grep -rqs 'bookworm-security' /etc/apt/sources.list /etc/apt/sources.list.d/; then
	echo "deps: the 6.12 test kernel comes from bookworm-security, which" >&2
	echo "deps: no apt source lists; add it, e.g. to /etc/apt/sources.list:" >&2
	echo "deps:   deb http://deb.debian.org/debian-security bookworm-security main" >&2
	exit 1
fi

cmd="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing:$missing" >&2
	echo "deps: as root, run: apt-get update && $cmd" >&2
	exit 1
fi

echo "deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update
$cmd
