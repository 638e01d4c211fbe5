#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the debug test kernel (KASAN, lockdep, kmemleak, KUnit) from
# Debian's linux-source-6.1, once per machine: the result is cached outside
# the tree, keyed by the source package's version and a hash of the config
# fragment, so a changed fragment or a new source package builds anew and an
# unchanged one is reused; entries unused for 30 days are removed. Prints
# the path of the cache entry, which holds:
#   obj/                 the O= build tree; a valid KDIR for external modules
#   obj/arch/x86/boot/bzImage
#   root/lib/modules/R/  the installed modules tree (depmod has run)
#   kernel.env           KREL=, KERNEL=, KDIR=, MODROOT= for the callers
#   build.log
#
#   build-kernel.sh [CONFIG_FRAGMENT]
#
# Environment: KSRC_TAR (default /usr/src/linux-source-6.1.tar.xz),
# XDG_CACHE_HOME, JOBS (default 2). The build runs under nice -n 19: the
# machines this runs on are shared.

set -euo pipefail

DEBUG=$(cd "$(dirname "$0")" && pwd)
frag=${1:-$DEBUG/debug.config}
tarball=${KSRC_TAR:-/usr/src/linux-source-6.1.tar.xz}
jobs=${JOBS:-2}

die()
{
	echo "build-kernel: $*" >&2
	exit 1
}

[ -r "$frag" ] || die "cannot read $frag"
[ -r "$tarball" ] || die "cannot read $tarball (make deps installs linux-source-6.1)"

pkg=$(dpkg-query -S "$tarball" 2>/dev/null | cut -d: -f1 || true)
if [ -n "$pkg" ]; then
	ver=$pkg-$(dpkg-query -W -f '${Version}' "$pkg")
else
	# Not from a package: the tarball itself names the source.
	ver=$(basename "$tarball" .tar.xz)-$(stat -c %s-%Y "$tarball")
fi
hash=$(sha256sum <"$frag" | cut -c1-12)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/tcpka
entry=$cache/kernel-${ver//[^A-Za-z0-9.+_-]/_}-$hash
mkdir -p "$cache"

# Two runs at once build once: the second waits for the first.
exec 9>"$entry.lock"
flock 9

# Entries no run has used for 30 days go (2 GB each), and so do builds
# left unfinished for a day; never one another run holds.
prune()
{
	local d stamp

	for d in "$cache"/kernel-*/; do
		d=${d%/}
		[ -d "$d" ] && [ "$d" != "$entry" ] || continue
		stamp=$d/kernel.env
		if [ -e "$stamp" ]; then
			[ -n "$(find "$stamp" -mtime +30)" ] || continue
		else
			[ -n "$(find "$d" -maxdepth 0 -mtime +1)" ] || continue
		fi
		(
			flock -n 8 || exit 0
			echo "build-kernel: removing the unused $(basename "$d")" >&2
			rm -rf "$d" "$d.lock"
		) 8>>"$d.lock"
	done
}

if [ -r "$entry/kernel.env" ]; then
	echo "build-kernel: using the cached $(basename "$entry")" >&2
	touch "$entry/kernel.env"
	prune
	echo "$entry"
	exit 0
fi

echo "build-kernel: building $(basename "$entry") (once per machine; ~15 min or more on 2 cores)" >&2
start=$SECONDS
rm -rf "$entry"
mkdir -p "$entry/src" "$entry/obj"
log=$entry/build.log
: >"$log"

step()
{
	echo "build-kernel: $*" >&2
	if ! nice -n 19 "$@" >>"$log" 2>&1; then
		tail -n 40 "$log" >&2
		die "failed: $* (full log: $log)"
	fi
}

step tar -x -J -f "$tarball" -C "$entry/src" --strip-components=1
kmake=(make -C "$entry/src" O="$entry/obj" -j"$jobs")
step "${kmake[@]}" x86_64_defconfig
step "$entry/src/scripts/kconfig/merge_config.sh" -m -O "$entry/obj" \
	"$entry/obj/.config" "$entry/src/kernel/configs/kvm_guest.config" "$frag"
step "${kmake[@]}" olddefconfig

# Every symbol the fragment sets must have kept its value.
bad=
while IFS= read -r line; do
	case $line in
	CONFIG_*=*)
		grep -qxF "$line" "$entry/obj/.config" || bad="$bad ${line%%=*}"
		;;
	"# CONFIG_"*" is not set")
		sym=${line#\# }
		sym=${sym%% *}
		! grep -q "^$sym=" "$entry/obj/.config" || bad="$bad $sym"
		;;
	esac
done <"$frag"
[ -z "$bad" ] || die "the merged config lost:$bad (see $entry/obj/.config)"

step "${kmake[@]}" bzImage modules
step "${kmake[@]}" INSTALL_MOD_PATH="$entry/root" modules_install

krel=$(make -s --no-print-directory -C "$entry/src" O="$entry/obj" kernelrelease)
# The source tree stays: the O= tree refers to it for external modules.
cat >"$entry/kernel.env.tmp" <<EOT
KREL=$krel
KERNEL=$entry/obj/arch/x86/boot/bzImage
KDIR=$entry/obj
MODROOT=$entry/root
EOT
mv "$entry/kernel.env.tmp" "$entry/kernel.env"
prune
echo "build-kernel: $krel built in $((SECONDS - start)) s" >&2
echo "$entry"
