# SPDX-License-Identifier: GPL-2.0
#
# Count the leaf results of a KTAP stream. Prints one line:
#   PASS FAIL SKIP TOP PLAN
# TOP is the number of result lines at the outermost level, PLAN the number
# the outermost "1..N" announced (0 if none).
#
# In KTAP a subtest prints its own results, indented, before the line that
# reports the subtest as a whole; that parent line is not counted again, so
# every check is counted once however the tests nest. "# SKIP" marks a skip
# (on "ok" or "not ok"), "# XFAIL" an expected failure (counted as passed).
# Several programs' outputs may follow each other: a "TAP version" line or
# the runner's "# selftests: NAME" line starts a new document.

function indent(s) {
	match(s, /^[ \t]*/)
	return RLENGTH
}

BEGIN {
	pass = fail = skip = top = plan = 0
}

{
	sub(/\r$/, "")
	d = indent($0)
	rest = substr($0, d + 1)

	if (d == 0 && rest ~ /^(K?TAP version|# selftests: )/) {
		for (k in child)
			child[k] = 0
	} else if (rest ~ /^(not )?ok([ \t]|$)/) {
		if (!child[d]) {
			directive = toupper(rest)
			if (directive ~ /#[ \t]*SKIP/)
				skip++
			else if (directive ~ /#[ \t]*XFAIL/ || rest ~ /^ok/)
				pass++
			else
				fail++
		}
		child[d] = 0
		for (k in child)
			if (k + 0 > d)
				child[k] = 0
		for (k = 0; k < d; k++)
			child[k] = 1
		if (d == 0)
			top++
	} else if (d == 0 && !plan && rest ~ /^1\.\.[0-9]+/) {
		plan = substr(rest, 4) + 0
	}
}

END {
	print pass, fail, skip, top, plan
}
