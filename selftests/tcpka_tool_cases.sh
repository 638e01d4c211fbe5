# SPDX-License-Identifier: GPL-2.0
#
# Command lines the tcpka tool must refuse as usage errors: exit 2, one
# "Error: ..." line and a usage text on stderr, nothing on stdout, nothing
# sent to the kernel. Sourced by tcpka_tool.sh (in the VM, module loaded)
# and host/tool_usage.sh (on the host, module absent, under valgrind), so
# both hold the tool to the same list. One shell-quoted argument list per
# line, as typed after "tcpka".

usage_cases=(
	''
	'-x'
	'--no-such-option'
	'-b'
	'-n'
	'-force policy show'
	'-atomic policy show'
	'-b /dev/null -force -atomic'
	'-b /dev/null stats'
	'-t policy show'
	'-timestamp stats'
	'-ts save'
	'-tshort policy add idle 5'
	'-t -ts policy flush'
	'-t policy help'
	'-t load /dev/null'
	'-t -b /dev/null'
	'bogus'
	'policy bogus'
	'policy add bogus'
	'policy add idle'
	'policy add idle 0'
	'policy add idle 32768'
	'policy add idle 1x'
	'policy add idle -1'
	'policy add intvl 0'
	'policy add intvl 32768'
	'policy add cnt 0'
	'policy add cnt 128'
	'policy add user-timeout 2147483648'
	'policy add pref 4294967296'
	'policy add lport 65536'
	'policy add lport 90-80'
	'policy add lport 80-'
	'policy add rport http'
	'policy add family inet4'
	'policy add dir both'
	'policy add mode auto'
	"policy add name ''"
	"policy add name 'a b'"
	'policy add name 01234567890123456789012345678901'
	"policy add cgroup ''"
	'policy add idle 5 idle 6'
	'policy add lport 80 lport 81'
	'policy add id 3'
	'policy add existing existing'
	'policy replace idle 5'
	'policy replace id 1 existing'
	'policy del'
	'policy del id 0'
	'policy del id 1 name x'
	'policy del idle 5'
	'policy show foo'
	'policy show id 1 name x'
	'policy flush now'
	'policy apply existing'
	'stats foo'
	'monitor foo'
	'save foo'
	'load'
	'load a b'
)

# Help is not an error: usage on stdout, exit 0.
help_cases=(
	'help'
	'-h'
	'--help'
	'policy help'
	'policy add help'
	'policy show help'
	'stats help'
	'monitor help'
	'-t monitor help'
	'-ts -j monitor help'
	'save help'
	'load help'
)
