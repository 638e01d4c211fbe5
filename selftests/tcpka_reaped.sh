#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Dead peers, existing connections and exact counters, through the tcpka
# tool against the loaded module.
#
#   client ns NAME-c                         server ns NAME-s
#   10.97.0.2/24 fd00:97::2/64 veth1 --- veth0 10.97.0.1/24 fd00:97::1/64
#                 tcpka policy                tcpka_hold -l PORT...
#                 tcpka_hold ADDR PORT...     nft: tcp dropped on input
#                 tcpka monitor                    (the peer is silenced)
#
# A peer is "silenced" by an nft rule in its namespace that drops every
# TCP segment it receives: its host still answers ARP and neighbour
# discovery, so the client's probes and retransmissions go out and nothing
# comes back, and the only way the connection ends is the client's
# keepalive or user timeout (ETIMEDOUT). A link set down instead would
# evict the client's ARP entry and, a few seconds later, report "host
# unreachable" to the socket, which races the keepalive.
#
#  1. existing connections, IPv4 and IPv6 (one namespace, loopback):
#     "policy add ... existing" and "policy apply" set the values of
#     connections opened before the policy; a connection whose first match
#     is a lower-pref policy keeps that policy's values; the keepalive
#     timer runs; the accepted ends, which no policy matches, keep none.
#  2. counters after 1000 connections from 4 threads (two conn_storm
#     processes, 500 IPv4 and 500 IPv6 connections) split over a skip
#     policy and two others: each counter exactly, seen and unmatched.
#  3. a dead peer: "idle 1 intvl 1 cnt 2", the blocked read fails with
#     ETIMEDOUT within 6 s, reaped 1, exactly one reaped event in
#     "tcpka -j monitor" with the connection's addresses, ports, cgroup
#     and idle time; a connection no policy matches is still open after
#     10 s.
#  4. the user timeout: data in flight to a silenced peer (IPv6) with
#     "user-timeout 2000" fails with ETIMEDOUT about 2 s after it was sent,
#     and counts as reaped.
#  5. the reaped events' rate limit: 200 connections reaped at once give
#     at most 20 events per second to the monitor (Documentation/abi.rst),
#     and events received + events-dropped == 200 == reaped.
#
# Runs as root with tcpka loaded (the VM runner's contract); needs ip, nft
# and jq, and tcpka_hold and conn_storm next to it. Leaves no policy,
# namespace or process behind, and the module loaded.
#
# Arguments: run only the tests named (e.g. t_existing t_dead_peer).

TCPKA=${TCPKA:-tcpka}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=tcpka_lib.sh
. "$here/tcpka_lib.sh"
HOLD=$here/tcpka_hold
STORM=$here/conn_storm
pfx=tcpka-rp-$$
tmp=$(mktemp -d)

# The rate limit of reaped events, per namespace (kmod/main.c).
EVENTS_PER_SEC=20

cleanup()
{
	local ns

	for ns in $(ip netns list 2>/dev/null | awk '{ print $1 }'); do
		case $ns in "$pfx"-*) ip netns del "$ns" ;; esac
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

skip_all()
{
	echo "TAP version 13"
	echo "1..0 # SKIP $1"
	exit $ksft_skip
}

for c in ip nft jq; do
	command -v "$c" >/dev/null || skip_all "$c is not installed"
done
for p in "$HOLD" "$STORM"; do
	[ -x "$p" ] || skip_all "$(basename "$p") is not built"
done
"$TCPKA" policy show >/dev/null 2>&1 || skip_all "tcpka is not loaded"

# ---- helpers (tests run in a subshell with set -e) ----

# tk NS ARGS...: tcpka -n NS ARGS, which must succeed; its output in $out.
tk()
{
	local ns=$1

	shift
	if ! out=$("$TCPKA" -n "$ns" "$@" 2>&1); then
		echo "tcpka -n $ns $*: failed: $out"
		return 1
	fi
}

# The counters at the end of a "policy show" line, from "matched" on.
counters()
{
	tk "$1" policy show name "$2"
	echo "matched ${out#* matched }"
}

# field KEY: the word after KEY on stdin
field()
{
	awk -v k="$1" '{ for (i = 1; i < NF; i++) if ($i == k) { print $(i + 1); exit } }'
}

# A fresh namespace NS with lo up.
netns()
{
	ip netns add "$1"
	ip -n "$1" link set lo up
}

# pair NAME: namespaces NAME-s and NAME-c joined by a veth (see the top).
pair()
{
	local s=$pfx-$1-s c=$pfx-$1-c

	netns "$s"
	netns "$c"
	ip link add veth0 netns "$s" type veth peer name veth1 netns "$c"
	ip -n "$s" addr add 10.97.0.1/24 dev veth0
	ip -n "$c" addr add 10.97.0.2/24 dev veth1
	ip -n "$s" addr add fd00:97::1/64 dev veth0 nodad
	ip -n "$c" addr add fd00:97::2/64 dev veth1 nodad
	ip -n "$s" link set veth0 up
	ip -n "$c" link set veth1 up
}

# silence NS: NS drops every TCP segment it receives from now on.
silence()
{
	ip netns exec "$1" nft -f - <<-'EOF'
	table inet tcpka_silence {
		chain input {
			type filter hook input priority 0; policy accept;
			meta l4proto tcp drop
		}
	}
	EOF
}

# wait_for FILE REGEX SECONDS: until a line of FILE matches
wait_for()
{
	local end=$((SECONDS + $3))

	until grep -qE "$2" "$1" 2>/dev/null; do
		if [ "$SECONDS" -ge "$end" ]; then
			echo "waited $3 s for '$2' in $(basename "$1"), which has:"
			tail -n 20 "$1"
			return 1
		fi
		sleep 0.1
	done
}

# timed_out SINCE WHAT MIN MAX: the client's connection 0 was closed with
# ETIMEDOUT, its blocked read failing MIN to MAX seconds after SINCE (an
# $EPOCHREALTIME), the moment WHAT.
timed_out()
{
	local since=$1 what=$2 min=$3 max=$4 err at t

	wait_for "$tmp/c" '^closed 0 ' $((${max%.*} + 9))
	read -r _ _ err at < <(grep '^closed 0 ' "$tmp/c")
	eq "$err" ETIMEDOUT "the blocked read's error"
	t=$(awk -v a="$at" -v b="$since" 'BEGIN { printf "%.2f", a - b }')
	echo "# read failed $t s after $what"
	awk -v t="$t" -v min="$min" -v max="$max" 'BEGIN { exit !(t >= min && t <= max) }' ||
		{ echo "read failed after $t s, not within $min..$max s"; return 1; }
}

# serve NS PORT...: tcpka_hold listening in NS on every PORT
serve()
{
	local ns=$1 log=$tmp/serve-$1

	shift
	ip netns exec "$ns" "$HOLD" "${@/#/-l}" >"$log" 2>&1 &
	pids+=($!)
	wait_for "$log" '^listening$' 10
}

# hold NAME NS [-n N] ADDR PORT...: tcpka_hold's connections, made in NS.
# Its output goes to $tmp/NAME, its commands come from fd ${cmd[NAME]}.
declare -A cmd
hold()
{
	local name=$1 ns=$2 fd

	shift 2
	mkfifo "$tmp/$name.in"
	ip netns exec "$ns" "$HOLD" "$@" <"$tmp/$name.in" >"$tmp/$name" 2>&1 &
	pids+=($!)
	exec {fd}>"$tmp/$name.in"
	cmd[$name]=$fd
	wait_for "$tmp/$name" '^ready |^tcpka_hold:' 60
	grep -q '^ready ' "$tmp/$name" || { cat "$tmp/$name"; return 1; }
}

# lport NAME IDX: the local port of connection IDX
lport()
{
	sed -n "s/^connected $2 //p" "$tmp/$1"
}

# show NAME: the keepalive values of NAME's connections, in $ka[IDX]
declare -a ka
shows=0
show()
{
	local tag=s$((++shows)) idx val

	echo "show $tag" >&"${cmd[$1]}"
	wait_for "$tmp/$1" "^$tag end\$" 10
	ka=()
	while read -r idx val; do
		ka[idx]=$val
	done < <(sed -n "s/^$tag \([0-9]\)/\1/p" "$tmp/$1")
}

# start_monitor NS FILE [OPTIONS]: tcpka OPTIONS monitor in NS appending to
# FILE, once it is subscribed (poked until it reports an event), FILE
# emptied.
start_monitor()
{
	local ns=$1 file=$2

	shift 2
	"$TCPKA" -n "$ns" "$@" monitor >>"$file" 2>&1 &
	pids+=($!)
	for _ in $(seq 100); do
		"$TCPKA" -n "$ns" policy add name mon-sync >/dev/null
		"$TCPKA" -n "$ns" policy del name mon-sync
		grep -q mon-sync "$file" && break
		sleep 0.1
	done
	# both the add and the del are in
	for _ in $(seq 100); do
		[ "$(grep -c mon-sync "$file")" -ge 2 ] &&
			tail -n 1 "$file" | grep -q mon-sync && break
		sleep 0.1
	done
	grep -q mon-sync "$file" || { echo "monitor saw nothing"; return 1; }
	: >"$file"
}

# The remaining minutes and seconds of an "ss -o" keepalive timer, in s.
ss_timer()
{
	sed -n 's/.*timer:(keepalive,\([^,]*\),.*/\1/p' |
		awk '{ s = 0
		       if (match($0, /[0-9]+min/)) s += 60 * substr($0, RSTART, RLENGTH - 3)
		       if (match($0, /[0-9]+sec/)) s += substr($0, RSTART, RLENGTH - 3)
		       else if (match($0, /[0-9]+\./)) s += substr($0, RSTART, RLENGTH - 1)
		       print s }'
}

# ---- tests ----

t_existing()
{
	local ns=$pfx-ex i t ka_hi ka_lo

	netns "$ns"
	serve "$ns" 7001 7002
	hold c "$ns" 127.0.0.1 7001 ::1 7001 127.0.0.1 7002 ::1 7002
	show c
	for i in 0 1 2 3; do
		eq "${ka[i]%% *}" on=0 "connection $i before any policy"
	done

	ka_hi="on=1 idle=111 intvl=11 cnt=3 ut=0"
	tk "$ns" policy add name hi pref 10 rport 7002 idle 111 intvl 11 cnt 3 existing
	[[ $out =~ ^[0-9]+\ applied\ 2$ ]] || { echo "add hi existing printed '$out'"; return 1; }
	show c
	eq "${ka[0]%% *} ${ka[1]%% *}" "on=0 on=0" "port 7001 after add hi"
	eq "${ka[2]}" "$ka_hi" "IPv4 port 7002 after add hi existing"
	eq "${ka[3]}" "$ka_hi" "IPv6 port 7002 after add hi existing"

	# Without "existing", an add reaches nothing established.
	ka_lo="on=1 idle=222 intvl=22 cnt=4 ut=2222"
	tk "$ns" policy add name lo pref 20 rport 7001-7002 idle 222 intvl 22 cnt 4 user-timeout 2222
	show c
	eq "${ka[0]%% *} ${ka[1]%% *}" "on=0 on=0" "port 7001 after add lo"

	# apply lo: only the connections whose first match lo is
	tk "$ns" policy apply name lo
	eq "$out" "applied 2" "policy apply name lo"
	show c
	eq "${ka[0]}" "$ka_lo" "IPv4 port 7001 after apply lo"
	eq "${ka[1]}" "$ka_lo" "IPv6 port 7001 after apply lo"
	eq "${ka[2]}" "$ka_hi" "IPv4 port 7002 (pref 10) after apply lo"
	eq "${ka[3]}" "$ka_hi" "IPv6 port 7002 (pref 10) after apply lo"

	# apply all: each connection its own first match, same values
	tk "$ns" policy apply
	eq "$out" "applied 4" "policy apply"
	show c
	eq "${ka[*]}" "$ka_lo $ka_lo $ka_hi $ka_hi" "after apply all"

	eq "$(counters "$ns" hi)" "matched 0 applied 0 kept 0 skipped 0 existing 4 reaped 0" "hi's counters"
	eq "$(counters "$ns" lo)" "matched 0 applied 0 kept 0 skipped 0 existing 4 reaped 0" "lo's counters"

	# The connecting ends' timers run from their last activity, at most
	# idle away; the accepted ends have none.
	ip netns exec "$ns" ss -Htno state established >"$tmp/ss"
	for i in 0 1 2 3; do
		t=$(awk -v p=":$(lport c "$i")" 'substr($3, length($3) - length(p) + 1) == p' "$tmp/ss" |
			ss_timer)
		case $i in
		0 | 1) [ -n "$t" ] && [ "$t" -gt 111 ] && [ "$t" -le 222 ] ;;
		*) [ -n "$t" ] && [ "$t" -le 111 ] ;;
		esac || { cat "$tmp/ss"; echo "connection $i: keepalive timer '$t'"; return 1; }
	done
	if awk '$3 ~ /:700[12]$/ && /timer:\(keepalive/ { bad = 1; print } END { exit !bad }' "$tmp/ss"; then
		echo "an accepted end has a keepalive timer"
		return 1
	fi
}

t_counters()
{
	local ns=$pfx-ct p4 p6

	netns "$ns"
	tk "$ns" policy add name skip4in pref 10 family inet dir in mode skip
	tk "$ns" policy add name v4 pref 20 family inet idle 100
	tk "$ns" policy add name out pref 30 dir out idle 200
	# 2 + 2 client threads, as many server threads
	ip netns exec "$ns" "$STORM" -4 -c 2 -t 0 -n 500 -q >"$tmp/storm4" 2>&1 &
	p4=$!
	ip netns exec "$ns" "$STORM" -6 -c 2 -t 0 -n 500 -q >"$tmp/storm6" 2>&1 &
	p6=$!
	wait "$p4" || { cat "$tmp/storm4"; return 1; }
	wait "$p6" || { cat "$tmp/storm6"; return 1; }
	grep -q '^connections=500 errors=0 ' "$tmp/storm4" || { cat "$tmp/storm4"; return 1; }
	grep -q '^connections=500 errors=0 ' "$tmp/storm6" || { cat "$tmp/storm6"; return 1; }

	# IPv4: the accepted end is skipped, the connecting end gets v4.
	# IPv6: the connecting end gets "out", the accepted end nothing.
	eq "$(counters "$ns" skip4in)" "matched 500 applied 0 kept 0 skipped 500 existing 0 reaped 0" "skip4in"
	eq "$(counters "$ns" v4)" "matched 500 applied 500 kept 0 skipped 0 existing 0 reaped 0" "v4"
	eq "$(counters "$ns" out)" "matched 500 applied 500 kept 0 skipped 0 existing 0 reaped 0" "out"
	tk "$ns" stats
	eq "$out" "seen 2000 unmatched 500 events-dropped 0 policies 3" "stats"
}

t_dead_peer()
{
	local s=$pfx-dp-s c=$pfx-dp-c id lp t0 line cg

	pair dp
	serve "$s" 7101 7102
	tk "$c" policy add name dead rport 7101 idle 1 intvl 1 cnt 2
	id=$out
	start_monitor "$c" "$tmp/mon" -j
	# connection 0 has the policy, connection 1 (port 7102) none
	hold c "$c" 10.97.0.1 7101 10.97.0.1 7102
	lp=$(lport c 0)
	show c
	eq "${ka[0]}" "on=1 idle=1 intvl=1 cnt=2 ut=0" "connection with the policy"
	eq "${ka[1]%% *}" "on=0" "connection without a policy"
	eq "$(counters "$c" dead)" "matched 1 applied 1 kept 0 skipped 0 existing 0 reaped 0" "counters while the peer answers"

	t0=$EPOCHREALTIME
	silence "$s"
	timed_out "$t0" "the peer was silenced" 0 6
	eq "$(counters "$c" dead)" "matched 1 applied 1 kept 0 skipped 0 existing 0 reaped 1" "counters after the peer died"

	wait_for "$tmp/mon" '"reaped"' 5
	# the socket's cgroup is its creator's, tcpka_hold's
	cg=$(stat -c %i "/sys/fs/cgroup$(cut -d: -f3 "/proc/${pids[-1]}/cgroup")")
	line=$(jq -c 'select(.event == "reaped")' "$tmp/mon")
	eq "$line" "{\"event\":\"reaped\",\"id\":$id,\"family\":\"inet\",\"laddr\":\"10.97.0.2\",\"lport\":$lp,\"raddr\":\"10.97.0.1\",\"rport\":7101,\"cgroup_id\":$cg,\"idle_ms\":$(jq .idle_ms <<<"$line")}" \
		"the reaped event"
	# three probe intervals without an answer: idle 1 s, then 2 x intvl 1 s
	[ "$(jq .idle_ms <<<"$line")" -ge 3000 ] || { echo "idle_ms: $line"; return 1; }

	# Without a policy the connection outlives the silence.
	sleep "$(awk -v t0="$t0" -v now="$EPOCHREALTIME" 'BEGIN { d = t0 + 10 - now; print (d > 0 ? d : 0) }')"
	if grep '^closed 1 ' "$tmp/c"; then
		echo "the connection without a policy was closed"
		return 1
	fi
	eq "$(ip netns exec "$c" ss -Htn state established '( dport = :7102 )' | wc -l)" 1 \
		"connections to port 7102 after 10 s"
	eq "$(grep -c '"reaped"' "$tmp/mon")" 1 "reaped events after 10 s"
	tk "$c" stats
	eq "$out" "seen 2 unmatched 1 events-dropped 0 policies 1" "stats"
}

t_user_timeout()
{
	local s=$pfx-ut-s c=$pfx-ut-c sent

	pair ut
	serve "$s" 7201
	tk "$c" policy add name ut rport 7201 user-timeout 2000
	hold c "$c" fd00:97::1 7201
	show c
	[[ ${ka[0]} == on=1\ *\ ut=2000 ]] || { echo "connection: ${ka[0]}"; return 1; }

	silence "$s"
	echo send >&"${cmd[c]}"
	wait_for "$tmp/c" '^sent 0 ' 5
	read -r _ _ sent < <(grep '^sent 0 ' "$tmp/c")
	# 2 s, and some slack for an emulated machine
	timed_out "$sent" "the data was sent" 1.9 4
	eq "$(counters "$c" ut)" "matched 1 applied 1 kept 0 skipped 0 existing 0 reaped 1" "counters"
}

t_rate_limit()
{
	local s=$pfx-rl-s c=$pfx-rl-c n=200 id closed first last window events dropped max prev

	pair rl
	serve "$s" 7301
	tk "$c" policy add name rl rport 7301 idle 1 intvl 1 cnt 1
	id=$out
	start_monitor "$c" "$tmp/mon"
	hold c "$c" -n "$n" 10.97.0.1 7301

	silence "$s"
	for _ in $(seq 300); do
		closed=$(grep -c '^closed ' "$tmp/c") || :
		[ "$closed" -ge "$n" ] && break
		sleep 0.1
	done
	eq "$(grep -c '^closed [0-9]* ETIMEDOUT ' "$tmp/c")" "$n" "connections closed with ETIMEDOUT"
	read -r first last < <(awk '/^closed / { if (!n++ || $4 < a) a = $4; if ($4 > b) b = $4 }
				    END { print a, b }' "$tmp/c")
	window=$(awk -v a="$first" -v b="$last" 'BEGIN { w = b - a; print w == int(w) ? w : int(w) + 1 }')
	eq "$(counters "$c" rl)" "matched $n applied $n kept 0 skipped 0 existing 0 reaped $n" "counters"

	# Every event is in the monitor's socket by now; wait until it has
	# printed them all (no new line for a second).
	prev=-1
	events=0
	while [ "$events" -ne "$prev" ]; do
		prev=$events
		sleep 1
		events=$(grep -c '^reaped ' "$tmp/mon") || :
	done
	tk "$c" stats
	dropped=$(field events-dropped <<<"$out")
	max=$((EVENTS_PER_SEC * (window + 1)))
	echo "# $n reaped within ${window} s: $events events, $dropped dropped (limit $max)"
	eq "$((events + dropped))" "$n" "events received + events dropped"
	[ "$events" -le "$max" ] || { echo "$events events in $window s, more than $max"; return 1; }
	[ "$events" -ge "$EVENTS_PER_SEC" ] || { echo "only $events events: the first burst is $EVENTS_PER_SEC"; return 1; }
	[ "$dropped" -gt 0 ] || { echo "nothing dropped"; return 1; }
	# one event per connection, all of this policy and peer
	eq "$(grep '^reaped ' "$tmp/mon" | sort -u | wc -l)" "$events" "distinct events"
	eq "$(grep -c "^reaped id $id local 10\.97\.0\.2:[0-9]* peer 10\.97\.0\.1:7301 " "$tmp/mon")" "$events" \
		"events of policy $id for port 7301"
}

tests=(
	t_existing "existing connections (IPv4, IPv6): add existing, apply, pref"
	t_counters "counters exact after 1000 connections from 4 threads"
	t_dead_peer "a dead peer is reaped: ETIMEDOUT, counter, one event; no policy: still open"
	t_user_timeout "user timeout: data in flight to a dead peer fails after 2 s, reaped"
	t_rate_limit "200 reaped at once: events rate-limited, the rest counted as dropped"
)

tests_only "$@"

# What a test started in the background ends with it, and its namespaces
# go (set -e holds in the EXIT trap: nothing here may fail).
test_cleanup()
{
	local p ns

	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null || :
	done
	for ns in $(ip netns list | awk '{ print $1 }'); do
		case $ns in "$pfx"-*) ip netns del "$ns" || : ;; esac
	done
}

n=0
failed=0
run_test()
{
	local fn=$1 desc=$2 rc start=$SECONDS

	(
		set -e
		pids=()
		# the test's files
		tmp=$tmp/$fn
		mkdir "$tmp"
		trap 'rc=$?; test_cleanup; exit $rc' EXIT
		"$fn"
	) >"$tmp/log" 2>&1
	rc=$?
	n=$((n + 1))
	grep '^# ' "$tmp/log"
	echo "# $fn: $((SECONDS - start)) s"
	if [ $rc -eq 0 ]; then
		echo "ok $n $desc"
	else
		grep -v '^# ' "$tmp/log" | sed 's/^/# /'
		echo "# $fn: exit status $rc"
		echo "not ok $n $desc"
		failed=1
	fi
}

echo "TAP version 13"
echo "1..$((${#tests[@]} / 2))"
run_tests
exit $failed
