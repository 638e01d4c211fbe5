#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Copy the module's sources (Kbuild, kmod/, include/) into DEST, so that it
# can be built there for another kernel: kbuild writes objects next to the
# sources, and two kernels built in place in kmod/ would overwrite each
# other's. Only sources are copied, never objects of an in-place build;
# timestamps are kept so a rebuild in DEST is incremental.
#
#   modsrc.sh DEST

set -eu
[ $# -eq 1 ] || { echo "usage: modsrc.sh DEST" >&2; exit 1; }
top=$(cd "$(dirname "$0")/.." && pwd)
dest=$1

mkdir -p "$dest"
cd "$top"
[ -d kmod ] || { echo "modsrc.sh: no kmod/ directory" >&2; exit 1; }
find Kbuild kmod include -type f \
	\( \( -name '*.[chS]' ! -name '*.mod.c' \) -o -name Kbuild -o -name Makefile \) \
	-exec cp -p --parents -t "$dest/" {} +
[ ! -f VERSION ] || cp -p VERSION "$dest/"
