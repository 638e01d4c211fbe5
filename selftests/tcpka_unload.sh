#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Unload and load tcpka again and again while connections are being
# established and policies changed, in a namespace of its own:
#
#   netns tcpka-unload-PID    conn_storm: loopback connections, IPv4+IPv6
#                             tcpka_churn: add/replace/del/flush/apply/txn
#   this shell                CYCLES x (modprobe -r tcpka; modprobe tcpka)
#
# Passes when every unload and load worked, no connection of the storm
# failed, the churn got work done (before and after reloads), tcpka is
# loaded at the end, and the kernel log written meanwhile has no splat.
#
# Environment: CYCLES (default 10), HOLD (seconds loaded per cycle, 0.5).

ksft_skip=4
CYCLES=${CYCLES:-10}
HOLD=${HOLD:-0.5}
NS=tcpka-unload-$$
HERE=$(dirname "$(readlink -f "$0")")
TMP=$(mktemp -d /tmp/tcpka-unload.XXXXXX)
MARK="tcpka_unload: start $$"
SPLAT='WARNING:|BUG:|Oops|general protection|Call Trace|detected stall|rcu.*stall|KASAN|UBSAN|refcount_t:|list_(add|del) corruption|unreferenced object|Unable to handle|circular locking|sleeping function called|scheduling while atomic|double free|use-after-free'

n=0
failed=0
storm_pid=
churn_pid=

ok() {
	n=$((n + 1))
	echo "ok $n $1"
}

not_ok() {
	n=$((n + 1))
	failed=1
	echo "not ok $n $1"
}

check() {
	local desc=$1

	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

log() {
	echo "# $*"
}

loaded() {
	[ -d /sys/module/tcpka ]
}

cleanup() {
	[ -n "$storm_pid" ] && kill "$storm_pid" 2>/dev/null
	[ -n "$churn_pid" ] && kill "$churn_pid" 2>/dev/null
	wait 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	loaded || modprobe tcpka
	rm -rf "$TMP"
}
trap cleanup EXIT

skip_all() {
	echo "1..1"
	echo "ok 1 tcpka_unload # SKIP $1"
	exit $ksft_skip
}

# Refused while something (a dump in flight) holds the module: retry.
unload() {
	local i

	for i in $(seq 100); do
		modprobe -r tcpka 2>/dev/null && ! loaded && return 0
		sleep 0.1
	done
	log "modprobe -r tcpka kept failing: $(modprobe -r tcpka 2>&1)"
	return 1
}

echo "TAP version 13"
[ "$(id -u)" = 0 ] || skip_all "must run as root"
for t in modprobe ip dmesg; do
	command -v $t >/dev/null || skip_all "$t not found"
done
for t in conn_storm tcpka_churn; do
	[ -x "$HERE/$t" ] || skip_all "$HERE/$t not built"
done
loaded || modprobe tcpka || skip_all "tcpka module not available"
echo "1..5"

echo "$MARK" > /dev/kmsg
ip netns add "$NS" || exit 1
ip -n "$NS" link set lo up || exit 1

ip netns exec "$NS" "$HERE/conn_storm" -4 -6 -c 2 -t 0 -R -q \
	> "$TMP/storm" 2> "$TMP/storm.err" &
storm_pid=$!
ip netns exec "$NS" "$HERE/tcpka_churn" -t 0 -q \
	> "$TMP/churn" 2> "$TMP/churn.err" &
churn_pid=$!
sleep "$HOLD"

cycles_ok=0
for i in $(seq "$CYCLES"); do
	unload || break
	sleep 0.2
	if ! modprobe tcpka || ! loaded; then
		log "cycle $i: modprobe tcpka failed"
		break
	fi
	cycles_ok=$i
	sleep "$HOLD"
done
log "$cycles_ok of $CYCLES unload/load cycles"
check "unload and load $CYCLES times under load" [ "$cycles_ok" = "$CYCLES" ]

kill -TERM "$storm_pid" "$churn_pid"
wait "$storm_pid"
storm_rc=$?
wait "$churn_pid"
churn_rc=$?
storm_pid=
churn_pid=
log "conn_storm: $(cat "$TMP/storm") (exit $storm_rc)"
sed 's/^/# /' "$TMP/storm.err" | head -20
log "tcpka_churn: $(cat "$TMP/churn") (exit $churn_rc)"
sed 's/^/# /' "$TMP/churn.err" | head -20

storm_ok() {
	[ "$storm_rc" = 0 ] && grep -q 'connections=[1-9]' "$TMP/storm"
}
check "connection storm: no connection failed" storm_ok
check "policy churn got work done" [ "$churn_rc" = 0 ]
check "tcpka is loaded at the end" loaded

dmesg | sed -n "/$MARK/,\$p" > "$TMP/dmesg"
if grep -Eq "$SPLAT" "$TMP/dmesg"; then
	grep -E -B2 -A20 "$SPLAT" "$TMP/dmesg" | head -60 | sed 's/^/# /'
	not_ok "kernel log clean"
elif ! grep -q "$MARK" "$TMP/dmesg"; then
	log "the start marker is no longer in the kernel log"
	not_ok "kernel log clean"
else
	ok "kernel log clean"
fi

exit $failed
