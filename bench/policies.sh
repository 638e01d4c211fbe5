#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Policy sets for the benchmark, as "tcpka -b FILE -atomic" reads them.
#
#   policies.sh cgroups        the cgroups (relative to the cgroup2 mount)
#                              the policies name; create them first
#   policies.sh policies N [hard]
#                              N policies: N - 1 that never match the
#                              benchmark's connections, then the one that
#                              matches them all, at the lowest priority;
#                              with "hard", 12 of the N - 1 are the kind
#                              the index cannot rule out (below)
#
# The benchmark's connections run in cgroup BASE/run, talk to port 30000
# (connrate) or 30001 (connhold) and use local ports from 32768 up. The
# non-matching policies are of mixed kinds, drawn with a fixed seed:
#   30% cgroup subtrees (BASE/gJ and BASE/gJ/s), half of them with a port
#   20% exact local port, 10% exact remote port (1024..28999)
#   20% port ranges up to 900 ports wide within 1024..28999
#   15% skip policies (a port, a range or a cgroup)
#    5% an exact port with family inet6 and dir out
# A lookup finds these through its index without looking at any of them:
# none shares the socket's cgroup, port or 64-port block (the ports stop
# at 28999, a block short of 30000). So the cost at
# each N shows how the index scales. "hard" puts in 12 that every lookup
# of the benchmark's sockets has to check one by one: 4 on the
# benchmark's own ports that fail on family or direction, and 8 ranges
# too wide for the port-block index (they go to the wildcard list), which
# shows what such policies cost.

set -euo pipefail

BASE=/tcpka-bench
NCG=200		# BASE/g0 .. BASE/g199
NCG_DEEP=50	# BASE/g0/s .. BASE/g49/s

case ${1:-} in
cgroups)
	echo "$BASE"
	echo "$BASE/run"
	for ((j = 0; j < NCG; j++)); do
		echo "$BASE/g$j"
	done
	for ((j = 0; j < NCG_DEEP; j++)); do
		echo "$BASE/g$j/s"
	done
	;;
policies)
	n=${2:-} hard=${3:-}
	case $n in '' | *[!0-9]*) n=0 ;; esac
	min=1
	[ -n "$hard" ] && min=13
	if [ $# -gt 3 ] || [ "$n" -lt $min ] || [ "${hard:-hard}" != hard ]; then
		echo "usage: policies.sh policies N [hard] (N >= 13 with hard)" >&2
		exit 2
	fi
	awk -v n="$n" -v hard="$hard" -v base="$BASE" -v ncg="$NCG" \
		-v ndeep="$NCG_DEEP" '
	# Park-Miller: exact in awk doubles, the same sets from any awk
	function rnd(k) {
		seed = (seed * 16807) % 2147483647
		return seed % k
	}
	function port() { return 1024 + rnd(27976) }
	function cg() {
		return rnd(5) ? base "/g" rnd(ncg) : base "/g" rnd(ndeep) "/s"
	}
	function range(   lo) {
		lo = port()
		if (lo > 28099)
			lo = 28099
		return lo "-" lo + 1 + rnd(900)
	}
	function act() {
		return "idle " 30 + rnd(3600) " intvl " 1 + rnd(60) " cnt " 1 + rnd(9)
	}
	function add(sel, pref) {
		printf "policy add %s pref %d\n", sel, pref
		left--
	}
	BEGIN {
		seed = 7
		left = n - 1
		if (hard) {
			add("lport 30000 family inet6 " act(), 1 + rnd(100000))
			add("lport 30000 dir out " act(), 1 + rnd(100000))
			add("rport 30000 dir in " act(), 1 + rnd(100000))
			add("rport 30000 family inet6 " act(), 1 + rnd(100000))
			for (i = 0; i < 4; i++) {
				add("lport 1024-29999 " act(), 1 + rnd(100000))
				add("rport 1024-29999 mode skip", 1 + rnd(100000))
			}
		}
		for (i = 0; left > 0; i++) {
			k = i % 20
			pref = 1 + rnd(100000)
			if (k < 6)
				sel = "cgroup " cg() (rnd(2) ? " lport " port() : "") " " act()
			else if (k < 10)
				sel = "lport " port() " " act()
			else if (k < 12)
				sel = "rport " port() " " act()
			else if (k < 15)
				sel = "lport " range() " " act()
			else if (k < 16)
				sel = "rport " range() " " act()
			else if (k < 19) {
				j = rnd(3)
				sel = j == 0 ? "lport " port() : j == 1 ? "lport " range() : \
				      "cgroup " cg()
				sel = sel " mode skip"
			} else
				sel = "lport " port() " family inet6 dir out " act()
			add(sel, pref)
		}
		print "policy add idle 60 intvl 10 cnt 5 pref 1000000 name bench-all"
	}'
	;;
*)
	echo "usage: policies.sh { cgroups | policies N [hard] }" >&2
	exit 2
	;;
esac
