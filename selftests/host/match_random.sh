#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Builds the module's matcher for userspace and compares its indexed lookup
# with a linear scan over random tables (see match_random.c).
set -e
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=${BUILD_DIR:-$top/build}/host
mkdir -p "$out"
${CC:-cc} -O2 -g -Wall -Wextra -Werror -fsanitize=address,undefined \
	-I"$here/match-shim" -I"$top/include/uapi" -I"$top/kmod" \
	-o "$out/match_random" "$here/match_random.c" "$top/kmod/match.c"
exec "$out/match_random" "${MATCH_SEED:-$(date +%s)}" "${MATCH_LOOKUPS:-20000}"
