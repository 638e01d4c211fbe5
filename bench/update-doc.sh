#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Puts a report (bench/report.sh's output) into an reStructuredText file,
# as a literal block between the lines ".. bench-results-begin" and
# ".. bench-results-end", which must be there; the rest of the file is
# left as it is.
#
#   update-doc.sh REPORT RST

set -euo pipefail

[ $# -eq 2 ] || { echo "usage: update-doc.sh REPORT RST" >&2; exit 2; }
report=$1
rst=$2

grep -q '^\.\. bench-results-begin$' "$rst" && grep -q '^\.\. bench-results-end$' "$rst" ||
	{ echo "update-doc: $rst lacks the bench-results markers" >&2; exit 1; }

awk -v report="$report" '
	/^\.\. bench-results-begin$/ {
		print
		print ""
		print "::"
		print ""
		while ((getline line < report) > 0)
			print (line == "" ? "" : "    " line)
		print ""
		skip = 1
		next
	}
	/^\.\. bench-results-end$/ { skip = 0 }
	!skip
' "$rst" >"$rst.tmp"
mv "$rst.tmp" "$rst"
echo "bench: wrote the table into $rst"
