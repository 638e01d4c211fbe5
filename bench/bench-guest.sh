#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The benchmark, run inside the VM (tcpka_run=bench-guest.sh) with a bench
# build of tcpka.ko (kmod/bench.c). Results go to fd 3 (the results port)
# as lines "bench KIND key=value...", which bench/report.sh turns into the
# table; progress goes to the console. Read from the kernel command line:
#   bench_mode   icount (one CPU, clock = instructions) or wall
#   bench_quick  1: two rounds of shorter runs (one in the wall pass),
#                match cost at 1, 100 and 10,000 policies only, and in
#                the wall pass only the rate
# The policy sets are made on the host (bench/policies.sh) as
# /usr/lib/tcpka-bench/policies.SET: SET is a count N, or Nh with the
# policies the index cannot rule out.
#
# 1. Connection rate, variants run interleaved, round after round:
#    a no module, b tcpka and no policies, c one policy matching all,
#    d 10,000 policies with that one last, e a cgroup BPF sock_ops program
#    doing the same job, f the reference: a bare tracepoint probe setting
#    fixed values (bench/refprobe). Each run first checks the keepalive
#    values on both ends of one connection (connrate -c).
# 2. Match cost: time per lookup at 1, 100, 10,000, 100,000 policies, and
#    at 10,000 of which 12 the index cannot rule out.
# 3. Apply to existing: "tcpka policy apply" against 10,000 and 100,000
#    established sockets (5,000 and 50,000 loopback connections).

set -uo pipefail

LIB=/usr/lib/tcpka-bench
CG=/sys/fs/cgroup/tcpka-bench
PARAM=/sys/module/tcpka/parameters/match_bench
mode=${bench_mode:-icount}
quick=${bench_quick:-0}

# The apply runs keep the last match set, 10,000.
rounds=3 secs=0.5 lookups=100000
match_sets="1 100 100000 10000h 10000" apply_conns="5000 50000"
if [ "$quick" = 1 ]; then
	rounds=2 secs=0.2 lookups=20000 match_sets="1 100 10000" apply_conns=5000
	if [ "$mode" = wall ]; then
		rounds=1 match_sets= apply_conns=
	fi
fi

exec 2>&1
result() { echo "bench $*" | tee /dev/fd/3; }
fail() { result "error $*"; exit 1; }
now_ns() { local t=$EPOCHREALTIME; echo "${t/./}000"; }

# The policy set loaded (see load_policies), "" for none.
loaded=

ka_module_loaded() { [ -d /sys/module/tcpka ]; }
load() { ka_module_loaded || modprobe tcpka || fail "modprobe tcpka"; }
unload()
{
	! ka_module_loaded || modprobe -r tcpka || fail "modprobe -r tcpka"
	loaded=
}

# Loads policy set S (N, or Nh: N with the hard ones) atomically, unless
# it is loaded already; load_ns: the guest nanoseconds it took.
load_policies()
{
	local set=$1 n=${1%h} t0 t1 got

	load
	if [ "$loaded" = "$set" ]; then
		load_ns=0
		return
	fi
	t0=$(now_ns)
	tcpka -b "$LIB/policies.$set" -atomic >/dev/null || fail "loading policy set $set"
	t1=$(now_ns)
	load_ns=$((t1 - t0))
	got=$(tcpka -j stats | jq '.policies')
	[ "$got" = "$n" ] || fail "loaded $n policies, tcpka stats says '$got'"
	loaded=$set
}

# TIME_WAIT sockets of the previous run expire on timers that would run
# during the next one. With -icount ...,sleep=off an idle guest skips
# ahead to its next timer, so waiting for them costs little real time.
tw_count()
{
	awk '/^TCP:/ { for (i = 2; i < NF; i++) if ($i == "tw") print $(i + 1) }' \
		/proc/net/sockstat
}

settle()
{
	local tw

	[ "$mode" = icount ] || return 0
	tw=$(tw_count)
	[ "$tw" = 0 ] && return
	echo "settle: waiting for $tw TIME_WAIT sockets to expire"
	while [ "$(tw_count)" != 0 ]; do
		sleep 5
	done
	echo "settle: done"
}

# connrate for variant $1 in round $2, on an address of its own so that
# no TIME_WAIT of an earlier run is in its way.
conn_run()
{
	local v=$1 r=$2 addr check out i

	i=$(($(printf '%d' "'$v") - 96))
	addr=127.0.$r.$i
	case $v in
	a | b) check=off ;;
	*) check=60,10,5 ;;
	esac
	case $v in
	a | e | f) unload ;;
	b) unload; load ;;
	c) load_policies 1 ;;
	d) load_policies 10000 ;;
	esac
	settle
	[ "$v" = f ] && { insmod "$LIB/ka_refprobe.ko" || fail "insmod ka_refprobe"; }
	if [ "$v" = e ]; then
		out=$("$LIB/sockops_run" "$LIB/sockops_ka.bpf.o" "$CG" \
			"$LIB/connrate" -t "$secs" -a "$addr" -c "$check")
	else
		out=$("$LIB/connrate" -t "$secs" -a "$addr" -c "$check")
	fi || { echo "$out"; fail "conn variant=$v round=$r"; }
	[ "$v" = f ] && { rmmod ka_refprobe || fail "rmmod ka_refprobe"; }
	echo "$out" | grep '^# verify'
	result "conn variant=$v round=$r $(echo "$out" | grep '^conns=')"
}

match_run()
{
	local set=$1 n=${1%h} r out

	load_policies "$set"
	result "load policies=$set ns=$load_ns"
	for ((r = 1; r <= 3; r++)); do
		# a server-side socket of connrate: lport 30000, a client port
		echo "$lookups 30000 40000" >$PARAM || fail "match_bench $set"
		out=$(cat $PARAM)
		case $out in
		*" rank=$((n - 1)) rules=$n") ;;
		*) fail "match_bench with policy set $set did not hit the last: $out" ;;
		esac
		result "match policies=$set round=$r $out"
	done
}

apply_run()
{
	local conns=$1 line t0 t1 out applied

	load_policies 10000
	coproc HOLD { "$LIB/connhold" -n "$conns"; }
	read -r line <&"${HOLD[0]}" || fail "connhold -n $conns"
	echo "connhold: $line"
	t0=$(now_ns)
	out=$(tcpka -j policy apply) || fail "policy apply"
	t1=$(now_ns)
	applied=$(echo "$out" | jq '.applied')
	[ "$applied" = $((2 * conns)) ] ||
		fail "policy apply: applied $applied of $((2 * conns)) sockets"
	result "apply sockets=$((2 * conns)) applied=$applied ns=$((t1 - t0))"
	exec {HOLD[1]}>&-
	wait "$HOLD_PID"
}

echo "bench: mode $mode, quick $quick, $(nproc) CPU, $(uname -r)"
result "info mode=$mode quick=$quick cpus=$(nproc) kernel=$(uname -r)" \
	"mem_mb=$(awk '/MemTotal/ { print int($2 / 1024) }' /proc/meminfo)" \
	"rounds=$rounds secs=$secs lookups=$lookups"

load
[ -w $PARAM ] || fail "$PARAM missing: not a bench build of tcpka.ko"
while read -r d; do
	mkdir -p "/sys/fs/cgroup$d"
done < <("$LIB/policies.sh" cgroups)
echo $$ >"$CG/run/cgroup.procs" || fail "cannot enter $CG/run"
# The TIME_WAIT sockets of all runs fit, none is dropped early.
sysctl -qw net.ipv4.tcp_max_tw_buckets=1000000

# The first run after boot is slower than the rest: not counted.
unload
"$LIB/connrate" -t "$secs" -a 127.0.0.1 >/dev/null || fail "warm-up run"
for ((r = 1; r <= rounds; r++)); do
	for v in a b c d e f; do
		conn_run "$v" "$r"
	done
done

for s in $match_sets; do
	match_run "$s"
done

for c in $apply_conns; do
	apply_run "$c"
done

unload
load
result "done"
