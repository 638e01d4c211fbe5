#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Style and static checks of the kernel code, as a kernel maintainer would
# run them: checkpatch.pl --strict over kmod/ and include/, then a fresh
# W=1 build with sparse on every file (C=2). Any error, warning or check
# from either fails.
#
#   lint.sh BUILD KDIR...
#
# BUILD holds scripts/checkpatch.pl (extracted from linux-source by make);
# the module is built against each KDIR in turn.

set -eu
[ $# -ge 2 ] || { echo "usage: lint.sh BUILD KDIR..." >&2; exit 1; }
build=$1
shift
top=$(cd "$(dirname "$0")/.." && pwd)
status=0

cd "$top"
files=$(find kmod include -type f -name '*.[ch]' ! -name '*.mod.c' | LC_ALL=C sort)
echo "lint: checkpatch --strict on $(echo "$files" | wc -l) files"
# shellcheck disable=SC2086
if ! perl "$build/scripts/checkpatch.pl" --strict --no-tree --show-types \
	--quiet --no-summary -f $files; then
	echo "lint: checkpatch found problems" >&2
	status=1
fi

# Each kernel's headers can warn about different things.
rm -rf "$build/lint"
mkdir -p "$build/lint"
for kdir in "$@"; do
	kver=$(basename "$kdir")
	[ "$kver" != build ] || kver=$(basename "$(dirname "$kdir")")
	echo "lint: W=1 C=2 (sparse) build against $kdir"
	dir=$build/lint/$kver
	scripts/modsrc.sh "$dir"
	if ! make -C "$kdir" M="$dir" W=1 C=2 modules >"$dir.log" 2>&1; then
		cat "$dir.log"
		echo "lint: module build against $kdir failed" >&2
		status=1
	elif grep -E 'warning:|error:' "$dir.log"; then
		echo "lint: compiler or sparse warnings (full log: $dir.log)" >&2
		status=1
	fi
done

[ $status -eq 0 ] && echo "lint: clean"
exit $status
