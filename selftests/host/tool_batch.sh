#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host test of tcpka -b / load: batch files are split and parsed whole
# before anything is sent, so their errors (reported as FILE:LINE) show
# without the module; quoting is checked through the values the error
# messages quote back. With the module absent, a file that parses reaches
# "Error: tcpka module is not loaded". Every run under valgrind.
#
# TCPKA: the tool to test (default: tool/tcpka of this tree).

here=$(cd "$(dirname "$0")" && pwd)
TCPKA=${TCPKA:-$here/../../tool/tcpka}
ksft_skip=4
NOMOD="Error: tcpka module is not loaded (try: modprobe tcpka)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1

echo "TAP version 13"
if [ ! -x "$TCPKA" ]; then
	echo "1..0 # SKIP $TCPKA is not built"
	exit $ksft_skip
fi
echo "1..21"

VG=()
if command -v valgrind >/dev/null; then
	VG=(valgrind -q --leak-check=full --show-leak-kinds=all
	    --errors-for-leak-kinds=all --error-exitcode=99 --log-file=vg)
else
	echo "# valgrind not installed: memory checks left out"
fi
# The module may be loaded on a developer's machine: then the checks that
# need it absent are skipped.
absent=true
[ -d /sys/module/tcpka ] && absent=false

n=0
failed=0
# check DESC: compares the last run with the expectations in $want_*
check()
{
	local why=

	n=$((n + 1))
	if [ -s vg ]; then
		why="valgrind: $(head -n1 vg)"
	elif [ "$rc" != "$want_rc" ]; then
		why="exit $rc, not $want_rc"
	elif [ "$(cat err)" != "$want_err" ]; then
		why="unexpected stderr"
		{ echo "expected:"; echo "$want_err"; echo "got:"; cat err; } |
			sed 's/^/#   /'
	elif [ "$(cat out)" != "${want_out:-}" ]; then
		why="unexpected stdout"
		sed 's/^/#   /' out
	fi
	if [ -z "$why" ]; then
		echo "ok $n $1"
	else
		echo "not ok $n $1 # $why"
		failed=1
	fi
	want_out=
}

skip()
{
	n=$((n + 1))
	echo "ok $n $1 # SKIP $2"
}

run()
{
	: >vg
	"${VG[@]}" "$TCPKA" "$@" >out 2>err
	rc=$?
}

# file NAME: stdin to NAME
file()
{
	cat >"$1"
}

file syntax <<'EOT'
# a comment, then a blank line

policy add name web lport 80 idle 60
policy add name db lport 5432 idle 6O
policy add name never idle 0
EOT
run -b syntax
want_rc=1 want_err='syntax:4: Error: invalid idle "6O" (1-32767)'
check "first bad line stops the run as FILE:LINE, no usage text"

run -b syntax -force
want_rc=1 want_err='syntax:4: Error: invalid idle "6O" (1-32767)
syntax:5: Error: invalid idle "0" (1-32767)'
$absent && want_err="$want_err
$NOMOD"
check "-force reports every bad line, then runs the rest"

file quotes <<'EOT'
policy add name web cgroup "/a b/c" idle 60	# tab, then a comment
policy add name "a\" b" idle 5
EOT
run -b quotes
want_rc=1 want_err='quotes:2: Error: invalid name "a" b" (1-31 printable characters, no spaces)'
check 'double quotes group a word and take \" as an escape'

file squote <<'EOT'
policy add name 'x\y z'
EOT
run -b squote
want_rc=1 want_err='squote:1: Error: invalid name "x\y z" (1-31 printable characters, no spaces)'
check "single quotes take everything literally"

file mixed <<'EOT'
policy add lport 8"0 8"0
EOT
run -b mixed
want_rc=1 want_err='mixed:1: Error: invalid lport "80 80"'
check "quoted and bare parts join into one word"

file unterminated <<'EOT'
policy add name "web idle 5
EOT
run -b unterminated
want_rc=1 want_err='unterminated:1: Error: unterminated double quote'
check "unterminated quote"

file hash <<'EOT'
policy add name a#b idle 5 bogus # trailing comment
EOT
run -b hash
want_rc=1 want_err='hash:1: Error: unknown keyword "bogus" for policy add'
check "a '#' inside a word is not a comment"

file backslash <<'EOT'
policy add cgroup /system.slice/dev-disk-by\x2duuid.swap idle x
EOT
run -b backslash
want_rc=1 want_err='backslash:1: Error: invalid idle "x" (1-32767)'
check "a bare backslash is an ordinary character"

printf 'policy add idle 5\r\npolicy add idle 0\r\n' >crlf
run -b crlf
want_rc=1 want_err='crlf:2: Error: invalid idle "0" (1-32767)'
check "CRLF line ends"

file comments <<'EOT'
# only comments

   # and blanks
EOT
run -b comments
want_rc=0 want_err=''
check "a file without commands needs no kernel and succeeds"

file helpline <<'EOT'
policy help
EOT
run -b helpline
want_rc=0 want_err='' want_out=$("$TCPKA" policy help)
check "help inside a batch file prints the usage"

file good <<'EOT'
policy add name web pref 100 lport 80 dir in mode default idle 60 intvl 10 cnt 5
policy add name "odd#name" rport 1000-2000 family inet6 mode override user-timeout 3000
policy replace name web idle 30
policy del id 7
stats
EOT
if $absent; then
	run -b good
	want_rc=1 want_err=$NOMOD
	check "a file that parses reaches the kernel (absent here)"
	run -b - <good
	want_rc=1 want_err=$NOMOD
	check "-b - reads stdin"
else
	skip "a file that parses reaches the kernel" "tcpka is loaded"
	skip "-b - reads stdin" "tcpka is loaded"
fi

run -b - <syntax
want_rc=1 want_err='-:4: Error: invalid idle "6O" (1-32767)'
check "errors in stdin are reported as -:LINE"

run -b good -atomic
want_rc=1 want_err='good:3: Error: only "policy add" is allowed in an atomic load'
check "-atomic accepts only policy add lines"

run load good
want_rc=1 want_err='good:3: Error: only "policy add" is allowed in an atomic load'
check "load FILE is -b FILE -atomic"

file loadnested <<'EOT'
load other
EOT
run -b loadnested
want_rc=1 want_err='loadnested:1: Error: load is not allowed in a batch file'
check "load is refused inside a batch file"

run -b no-such-file
want_rc=1 want_err='Error: cannot open batch file "no-such-file": No such file or directory'
check "missing batch file"

# a very long line and many lines: no fixed-size buffers
{
	printf 'policy add name long'
	for i in $(seq 1 3000); do printf ' idle %d' "$i"; done
	echo
} >long
run -b long
want_rc=1 want_err='long:1: Error: duplicate "idle"'
check "a 30000-character line"

for i in $(seq 1 2000); do echo "policy add name p$i lport $i idle 60"; done >many
echo 'policy add name last idle 0' >>many
run -b many
want_rc=1 want_err='many:2001: Error: invalid idle "0" (1-32767)'
check "2001 lines parsed before anything is sent"

if $absent; then
	run -V
	want_rc=0 want_err='' want_out=$(printf 'tcpka tool version %s\ntcpka module not loaded' \
		"$(sed -n '1s/^tcpka tool version //p' out)")
	check "-V says the module is not loaded"
else
	skip "-V says the module is not loaded" "tcpka is loaded"
fi

exit $failed
