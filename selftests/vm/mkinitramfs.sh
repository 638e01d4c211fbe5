#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the test VM's initramfs for one kernel.
#
#   mkinitramfs.sh KVER TCPKA_KO OUTPUT
#
# The image holds busybox (with its applet links), the programs listed in
# guest-binaries with their shared libraries (found with ldd), the tcpka tool,
# the built selftests, the guest kernel's modules listed in guest-modules
# (with their dependencies, decompressed) and tcpka.ko in extra/, indexed by
# depmod. The layout is merged-/usr like Debian's, so library paths printed
# by ldd work unchanged. Needs no root: ownership is set by cpio and the one
# device node is written by hand. TOP (default: two levels up) is the tree.
# KMOD_ROOT: where to find lib/modules/KVER of a kernel that is not installed
# (default /). tcpka_test.ko (KUnit) next to TCPKA_KO comes along if built.

set -euo pipefail

VM=$(cd "$(dirname "$0")" && pwd)
TOP=${TOP:-$(cd "$VM/../.." && pwd)}
export PATH=/usr/sbin:/usr/bin:/sbin:/bin

die()
{
	echo "mkinitramfs: $*" >&2
	exit 1
}

[ $# -eq 3 ] || die "usage: mkinitramfs.sh KVER TCPKA_KO OUTPUT"
kver=$1
ko=$2
out=$3
kmods=${KMOD_ROOT:-}/lib/modules/$kver

[ -r "$ko" ] || die "no module $ko"
[ -r "$kmods/modules.dep" ] || die "no modules for kernel $kver in $kmods"
[ -x "$TOP/tool/tcpka" ] || die "tool/tcpka is not built"

root=$out.root
rm -rf "$root"
trap 'rm -rf "$root"' EXIT

mkdir -p "$root"/usr/{bin,sbin,lib,lib64}
for d in bin sbin lib lib64; do
	ln -s "usr/$d" "$root/$d"
done
mkdir -p "$root"/{dev,proc,sys,tmp,run,root,etc,var,selftests} \
	"$root/usr/lib/tcpka-vm" "$root/lib/modules/$kver/extra"
ln -s ../run "$root/var/run"
ln -s ../tmp "$root/var/tmp"

# Copy a host file to the same path in the image.
put()
{
	mkdir -p "$root$(dirname "$1")"
	cp -L "$1" "$root$1"
}

# busybox first, so that real programs installed below replace its applets.
bb=$(command -v busybox) || die "busybox not found (apt-get install busybox-static)"
ldd "$bb" >/dev/null 2>&1 && die "$bb is not static (apt-get install busybox-static)"
cp "$bb" "$root/usr/bin/busybox"
for applet in $("$bb" --list-full); do
	[ -e "$root/$applet" ] || [ -L "$root/$applet" ] ||
		ln -s /usr/bin/busybox "$root/$applet"
done

# Real programs: one name (looked up in PATH) or absolute path per line.
install_bin()
{
	local path=$1 name d

	name=$(basename "$path")
	for d in bin sbin; do
		if [ -L "$root/usr/$d/$name" ]; then
			rm -f "$root/usr/$d/$name"
		fi
	done
	put "$path"
}

while read -r name _; do
	case $name in '' | '#'*) continue ;; esac
	path=$(command -v "$name") ||
		die "guest binary '$name' not found on this machine (make deps)"
	install_bin "$path"
done <"$VM/guest-binaries"

cp "$TOP/tool/tcpka" "$root/usr/sbin/tcpka"

# The built selftests, without sources and the runner itself.
tar -C "$TOP/selftests" --exclude=./vm --exclude=./host \
	--exclude='*.[cho]' --exclude='*.d' --exclude=Makefile -cf - . |
	tar -C "$root/selftests" -xf -
make -s --no-print-directory -C "$TOP/selftests" list >"$root/usr/lib/tcpka-vm/tests"
# A missing test fails in the guest (exit=127) without stopping the others.
while read -r t; do
	[ -x "$root/selftests/$t" ] ||
		echo "mkinitramfs: warning: selftest $t is listed but not built" >&2
done <"$root/usr/lib/tcpka-vm/tests"

# Shared libraries of every program in the image.
find "$root" -type f -perm -u+x ! -name '*.ko' -print0 |
while IFS= read -r -d '' f; do
	ldd "$f" 2>/dev/null | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p' || true
done | sort -u | while read -r lib; do
	[ -e "$root$lib" ] || put "$lib"
done

# The runner.
cp "$VM/init" "$root/init"
cp "$VM/runtest.sh" "$VM/ktap-count.awk" "$root/usr/lib/tcpka-vm/"
for f in "$VM"/*-guest.sh; do
	[ -e "$f" ] && cp "$f" "$root/usr/lib/tcpka-vm/"
done
chmod 755 "$root/init"

cat >"$root/etc/passwd" <<'EOT'
root:x:0:0:root:/root:/bin/bash
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
EOT
cat >"$root/etc/group" <<'EOT'
root:x:0:
nogroup:x:65534:
nobody:x:65534:
EOT
cat >"$root/etc/nsswitch.conf" <<'EOT'
passwd: files
group: files
hosts: files
EOT
printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost\n' >"$root/etc/hosts"
for f in /etc/services /etc/protocols; do
	[ -r "$f" ] && cp "$f" "$root/etc/"
done

# Kernel modules: each listed one plus what modules.dep says it needs.
names=$(sed 's/#.*//' "$VM/guest-modules" | tr -s ' \t' '\n' | grep . || true)
mods=$(awk -v names="$names" '
	BEGIN {
		n = split(names, want, "\n")
		for (i = 1; i <= n; i++) {
			w = want[i]
			gsub("-", "_", w)
			wanted[w] = want[i]
		}
	}
	FILENAME ~ /modules.builtin$/ {
		m = $1
		sub(".*/", "", m)
		sub("[.]ko$", "", m)
		gsub("-", "_", m)
		if (m in wanted)
			delete wanted[m]
		next
	}
	{
		path = $1
		sub(":$", "", path)
		m = path
		sub(".*/", "", m)
		sub("[.]ko([.](xz|zst|gz))?$", "", m)
		gsub("-", "_", m)
		if (m in wanted) {
			delete wanted[m]
			for (i = 1; i <= NF; i++) {
				p = $i
				sub(":$", "", p)
				print p
			}
		}
	}
	END {
		for (w in wanted)
			print "mkinitramfs: warning: module " wanted[w] \
				" is not in this kernel" > "/dev/stderr"
	}' "$kmods/modules.builtin" "$kmods/modules.dep" | sort -u)

for m in $mods; do
	dst=$root/lib/modules/$kver/${m%.*}
	mkdir -p "$(dirname "$dst")"
	case $m in
	*.ko.xz) xz -dc "$kmods/$m" >"$dst" ;;
	*.ko.zst) zstd -qdc "$kmods/$m" >"$dst" ;;
	*.ko.gz) gzip -dc "$kmods/$m" >"$dst" ;;
	*.ko) cp "$kmods/$m" "$root/lib/modules/$kver/$m" ;;
	esac
done
for f in modules.order modules.builtin modules.builtin.modinfo; do
	[ -r "$kmods/$f" ] && cp "$kmods/$f" "$root/lib/modules/$kver/"
done
cp "$ko" "$root/lib/modules/$kver/extra/tcpka.ko"
kunit_ko=$(dirname "$ko")/tcpka_test.ko
[ ! -r "$kunit_ko" ] || cp "$kunit_ko" "$root/lib/modules/$kver/extra/"
depmod -b "$root" "$kver"

# newc cpio entry (header, name, padding) for an entry without data.
newc_entry()
{
	local name=$1 ino=$2 mode=$3 major=$4 minor=$5
	local namesize=$((${#name} + 1)) pad

	printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
		"$ino" "$mode" 0 0 1 0 0 0 0 "$major" "$minor" "$namesize" 0
	printf '%s\0' "$name"
	pad=$(((4 - (110 + namesize) % 4) % 4))
	head -c "$pad" /dev/zero
}

# The kernel opens /dev/console for init before devtmpfs is mounted, so the
# node must be in the image; a small archive of its own, unpacked first.
{
	newc_entry dev 1 $((0040755)) 0 0
	newc_entry dev/console 2 $((0020600)) 5 1
	newc_entry 'TRAILER!!!' 0 0 0 0
	(cd "$root" && find . ! -path ./dev | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --quiet)
} >"$out.tmp"
mv "$out.tmp" "$out"
echo "mkinitramfs: $out ($(du -h "$out" | cut -f1)) for $kver"
