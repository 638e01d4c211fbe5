#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The demo, run inside the VM by "make demo" (tcpka is already loaded).
#
#   netns "client" 10.0.0.2 --- veth --- 10.0.0.1 netns "server"
#   nc 10.0.0.1 8080                      nc -l -p 8080
#
# A keepalive policy in the client's namespace; a connection to the
# server, whose keepalive timer ss shows armed while the server's side
# has none; then the server goes silent, and the client's side is closed
# after a few unanswered probes: tcpka monitor reports the dead peer and
# the policy counts it. Every claim is checked: the demo fails (exit 1)
# if one does not hold.

set -u

tmp=$(mktemp -d)
pids=()

cleanup()
{
	local p

	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null
	done
	wait 2>/dev/null
	ip netns del client 2>/dev/null
	ip netns del server 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

bold=$(printf '\033[1m')
plain=$(printf '\033[0m')

# say LINE...: a comment, one line per argument
say()
{
	echo
	printf "$bold# %s$plain\n" "$@"
}

# step CMD...: show a command, then run it
step()
{
	printf '%s$ %s%s\n' "$bold" "$*" "$plain"
	"$@"
}

fail()
{
	printf '\ndemo: FAILED: %s\n' "$*"
	exit 1
}

# in NS CMD...: run in a network namespace, shown as ip netns exec
nsrun()
{
	local ns=$1

	shift
	step ip netns exec "$ns" "$@"
}

# until_true SECONDS CMD...: poll every 0.2 s
until_true()
{
	local n=$(($1 * 5))

	shift
	while ! "$@" 2>/dev/null; do
		n=$((n - 1))
		[ $n -gt 0 ] || return 1
		sleep 0.2
	done
}

say "the tool and the loaded module"
step tcpka -V || fail "tcpka -V"

say "two network namespaces joined by a veth pair"
ip netns add server && ip netns add client &&
ip link add veth0 netns server type veth peer name veth1 netns client &&
ip -n server addr add 10.0.0.1/24 dev veth0 &&
ip -n client addr add 10.0.0.2/24 dev veth1 &&
ip -n server link set veth0 up && ip -n client link set veth1 up &&
ip -n server link set lo up && ip -n client link set lo up ||
	fail "network namespaces"
until_true 10 eval 'ip -n client -br link show dev veth1 | grep -q " UP "' ||
	fail "veth1 is not up"
step ip -n client -br addr show dev veth1

say "a policy in the client's namespace: connections to port 8080 get" \
    "keepalive after 2 s of silence, probes 1 s apart, closed after 2 lost"
step tcpka -n client policy add name to-web rport 8080 dir out idle 2 intvl 1 cnt 2 ||
	fail "policy add"
step tcpka -n client policy show

say "a server in one namespace, a client connecting from the other"
mkfifo "$tmp/srv" "$tmp/cli"
ip netns exec server nc -l -p 8080 <"$tmp/srv" >/dev/null &
pids+=($!)
exec 7>"$tmp/srv"
until_true 10 eval 'ip netns exec server ss -Htln "sport = :8080" | grep -q .' ||
	fail "the server did not listen"
ip netns exec client nc 10.0.0.1 8080 <"$tmp/cli" >/dev/null &
client=$!
pids+=("$client")
exec 8>"$tmp/cli"
until_true 10 eval 'ip netns exec client ss -Htn state established | grep -q .' ||
	fail "the client did not connect"

say "the client's socket has its keepalive timer armed by tcpka," \
    "the server's (no policy in its namespace) has none"
nsrun client ss -tno state established
ip netns exec client ss -Htno state established "( dport = :8080 )" |
	grep -q 'timer:(keepalive,' || fail "no keepalive timer on the client's socket"
nsrun server ss -tno state established
ip netns exec server ss -Htno state established | grep -q 'timer:' &&
	fail "the server's socket has a timer"

say "the policy's counters moved: matched 1, applied 1"
step tcpka -n client policy show
tcpka -n client policy show name to-web | grep -q ' matched 1 applied 1 ' ||
	fail "counters did not move"

say "now the server goes silent (its link down): the client's probes go" \
    "unanswered, and after 2 s + 2 probes the kernel closes the connection"
tcpka -n client monitor >"$tmp/monitor" &
pids+=($!)
sleep 1
step ip -n server link set veth0 down
until_true 20 grep -q '^reaped ' "$tmp/monitor" ||
	fail "no reaped event within 20 s"
say "what tcpka monitor printed"
step cat "$tmp/monitor"
grep -q '^reaped id [0-9]* local 10.0.0.2:[0-9]* peer 10.0.0.1:8080 ' "$tmp/monitor" ||
	fail "the reaped event does not name the connection"
until_true 10 eval '! kill -0 $client' ||
	fail "the client did not notice"
say "the client's connection is gone, and the policy counted the dead peer"
nsrun client ss -tn state established
step tcpka -n client policy show
tcpka -n client policy show name to-web | grep -q ' reaped 1$' ||
	fail "reaped is not 1"
step tcpka -n client stats

printf '\ndemo: done\n'
