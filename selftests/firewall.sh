#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Why tcpka exists: a stateful firewall forgets idle connections.
#
#   client ns                  router ns                     server ns
#   10.77.1.1/24 cli0 --- rtr0 10.77.1.254
#                              10.77.2.254 rtr1 --- srv0 10.77.2.1/24
#                              forwarding, conntrack with
#                              established timeout CT_TIMEOUT s,
#                              nf_conntrack_tcp_loose=0,
#                              nft: ct state invalid drop
#
# The server echoes lines on ports 7000 and 7001. A tcpka policy in the
# client's namespace matches remote port 7001 only (idle below the
# conntrack timeout). The client opens one connection to each port, gets
# an answer on both, idles 3 x CT_TIMEOUT seconds, and asks again:
#   port 7000 (no policy): the router has forgotten the connection, drops
#                          its packets as invalid, and no answer comes;
#   port 7001 (policy):    keepalive probes kept the conntrack entry
#                          alive, and the answer comes.
# Documentation/firewall-example.rst walks through the same setup.
#
# Environment: CT_TIMEOUT (seconds, default 4).

ksft_skip=4
CT_TIMEOUT=${CT_TIMEOUT:-4}
IDLE=$((3 * CT_TIMEOUT))
KA_IDLE=$(((CT_TIMEOUT + 1) / 2))
WAIT=3
CLI=tcpka-fw-cli-$$
RTR=tcpka-fw-rtr-$$
SRV=tcpka-fw-srv-$$
TMP=$(mktemp -d /tmp/tcpka-fw.XXXXXX)

num=0
failed=0
server_pids=

ok()
{
	num=$((num + 1))
	echo "ok $num $1"
}

not_ok()
{
	num=$((num + 1))
	failed=1
	echo "not ok $num $1"
}

check()
{
	local desc=$1

	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

log()
{
	echo "# $*"
}

cleanup()
{
	local p

	for p in $server_pids; do
		kill "$p" 2>/dev/null
	done
	wait 2>/dev/null
	ip netns del "$CLI" 2>/dev/null
	ip netns del "$RTR" 2>/dev/null
	ip netns del "$SRV" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

skip_all()
{
	echo "1..1"
	echo "ok 1 firewall # SKIP $1"
	exit $ksft_skip
}

# Aborts the whole test: nothing after a failed setup step means anything.
die()
{
	log "$*"
	echo "1..1"
	echo "not ok 1 firewall setup: $*"
	exit 1
}

cli() { ip netns exec "$CLI" "$@"; }
rtr() { ip netns exec "$RTR" "$@"; }
srv() { ip netns exec "$SRV" "$@"; }

setup_topology()
{
	ip netns add "$CLI" && ip netns add "$RTR" && ip netns add "$SRV" ||
		return 1
	ip link add cli0 netns "$CLI" type veth peer name rtr0 netns "$RTR" &&
	ip link add srv0 netns "$SRV" type veth peer name rtr1 netns "$RTR" ||
		return 1
	ip -n "$CLI" addr add 10.77.1.1/24 dev cli0 &&
	ip -n "$RTR" addr add 10.77.1.254/24 dev rtr0 &&
	ip -n "$RTR" addr add 10.77.2.254/24 dev rtr1 &&
	ip -n "$SRV" addr add 10.77.2.1/24 dev srv0 || return 1
	local ns
	for ns in "$CLI" "$RTR" "$SRV"; do
		ip -n "$ns" link set lo up || return 1
	done
	ip -n "$CLI" link set cli0 up && ip -n "$RTR" link set rtr0 up &&
	ip -n "$RTR" link set rtr1 up && ip -n "$SRV" link set srv0 up ||
		return 1
	ip -n "$CLI" route add default via 10.77.1.254 &&
	ip -n "$SRV" route add default via 10.77.2.254 || return 1
	rtr sysctl -qw net.ipv4.ip_forward=1
}

# The firewall: the ct expression turns connection tracking on in the
# router's namespace, so its sysctls exist only after the ruleset is in.
setup_firewall()
{
	rtr nft -f - <<-EOF || return 1
	table inet tcpka_fw {
		chain forward {
			type filter hook forward priority filter; policy accept;
			ct state invalid counter drop
		}
	}
	EOF
	rtr sysctl -qw net.netfilter.nf_conntrack_tcp_loose=0 &&
	rtr sysctl -qw net.netfilter.nf_conntrack_tcp_timeout_established="$CT_TIMEOUT"
}

invalid_drops()
{
	rtr nft list chain inet tcpka_fw forward |
		sed -n 's/.*ct state invalid counter packets \([0-9]*\) .*/\1/p'
}

listening()
{
	srv ss -Hltn "sport = :$1" | grep -q .
}

start_server()
{
	local port=$1 _

	# -ll with -e: a persistent server, one cat per connection.
	srv nc -ll -p "$port" -e cat &
	server_pids="$server_pids $!"
	for _ in $(seq 50); do
		listening "$port" && return 0
		sleep 0.1
	done
	return 1
}

# Runs in the client's namespace (bash for /dev/tcp). One connection per
# port; each result is a "key=value" line on stdout.
client()
{
	local server=$1 idle=$2 wait=$3 line

	exec 3<>"/dev/tcp/$server/7000" || { echo "connect_plain=fail"; return; }
	exec 4<>"/dev/tcp/$server/7001" || { echo "connect_ka=fail"; return; }
	echo "hello-plain" >&3
	read -r -t "$wait" line <&3
	echo "first_plain=$line"
	echo "hello-ka" >&4
	read -r -t "$wait" line <&4
	echo "first_ka=$line"
	# Which of them has a keepalive timer (ss -o prints "timer:(keepalive").
	echo "timer_plain=$(ss -Htno 'dport = :7000' | grep -c keepalive)"
	echo "timer_ka=$(ss -Htno 'dport = :7001' | grep -c keepalive)"
	echo "idling=$idle"
	sleep "$idle"
	line=
	echo "again-ka" >&4
	read -r -t "$wait" line <&4
	echo "second_ka=$line"
	line=
	echo "again-plain" >&3
	read -r -t "$wait" line <&3
	echo "second_plain=$line"
	exec 3>&- 4>&-
}

result()
{
	sed -n "s/^$1=//p" "$TMP/client"
}

echo "TAP version 13"
[ "$(id -u)" = 0 ] || skip_all "must run as root"
for t in ip nft nc ss tcpka bash sysctl; do
	command -v "$t" >/dev/null || skip_all "$t not found"
done
for m in veth nf_conntrack nf_tables nft_ct; do
	modprobe "$m" 2>/dev/null || [ -d "/sys/module/$m" ] ||
		skip_all "kernel module $m not available"
done
[ -d /sys/module/tcpka ] || modprobe tcpka || skip_all "tcpka not available"

setup_topology || die "could not build the client/router/server namespaces"
setup_firewall || die "could not set up the firewall in the router"
if ! start_server 7000 || ! start_server 7001; then
	die "echo server did not start"
fi
cli tcpka policy add rport 7001 idle "$KA_IDLE" intvl 1 cnt 5 \
	name fw-keepalive >/dev/null || die "tcpka policy add failed"

echo "1..7"
log "conntrack established timeout ${CT_TIMEOUT}s, tcpka idle ${KA_IDLE}s," \
	"client idles ${IDLE}s"
drops_before=$(invalid_drops)
cli bash -c "$(declare -f client); client 10.77.2.1 $IDLE $WAIT" \
	>"$TMP/client" 2>&1
sed 's/^/# client: /' "$TMP/client"
drops_after=$(invalid_drops)
log "ct state invalid drops: ${drops_before:-?} before, ${drops_after:-?} after"

both_answered()
{
	[ "$(result first_plain)" = hello-plain ] &&
	[ "$(result first_ka)" = hello-ka ]
}

timer_on_ka_only()
{
	[ "$(result timer_ka)" = 1 ] && [ "$(result timer_plain)" = 0 ]
}

check "both connections answer before idling" both_answered
check "keepalive timer armed on the policy's connection only" timer_on_ka_only
check "without tcpka: no answer after ${IDLE}s idle" \
	[ -z "$(result second_plain)" ]
check "the router dropped the forgotten connection as ct state invalid" \
	[ "${drops_after:-0}" -gt "${drops_before:-0}" ]
check "with tcpka (idle ${KA_IDLE}s < ${CT_TIMEOUT}s): answer after ${IDLE}s idle" \
	[ "$(result second_ka)" = again-ka ]

applied=$(cli tcpka -j policy show name fw-keepalive |
	jq -r '(if type == "array" then .[0] else . end) | .stats.applied' 2>/dev/null)
log "policy fw-keepalive applied: ${applied:-?}"
check "the policy was applied to exactly one socket" [ "$applied" = 1 ]

cli tcpka policy flush
check "policies flushed" [ -z "$(cli tcpka policy show)" ]

exit $failed
