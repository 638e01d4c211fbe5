#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Atomic reload: "tcpka load FILE", which is what "systemctl reload tcpka"
# runs, replaces a namespace's whole policy set in one step or not at all.
#
# In a network namespace of its own, conn_storm makes loopback connections
# to port PORT and checks on both ends of each that keepalive is on with
# intvl 7 and cnt 3. Two files, A and B, each cover both ends of every
# such connection with policies "srv" (lport PORT) and "cli" (rport PORT),
# with different idle times, and each has a "catchall" policy with other
# values and a higher pref:
#
#   A: srv, cli, gone, catchall          B: catchall, fresh, srv, cli
#
# B lists catchall first, so a load that took effect line by line would
# let connections fall to catchall (or to no policy at all) for a moment.
#   - A connection that found no policy, or the catchall, fails
#     conn_storm's check, counts in the namespace's "unmatched" counter or
#     in catchall's "matched".
#   - srv, cli and catchall keep their ids and counters across every load
#     (same name); gone disappears and fresh starts at zero.
#   - Broken files (a syntax error, a line the kernel refuses, a missing
#     cgroup) change nothing and the error names FILE:LINE.
#   - Control: with an empty set the same checks do see the connections
#     as uncovered, so they can fail.
#
# Environment: STORM_SECONDS (default 10), the length of the storm that
# runs during the reloads.

ksft_skip=4
NS=tcpka-reload-$$
PORT=7150
STORM_SECONDS=${STORM_SECONDS:-10}
WANT=0,7,3,0
TMP=$(mktemp -d /tmp/tcpka-reload.XXXXXX)
TCPKA=${TCPKA:-tcpka}
STORM=./conn_storm

num=0
failed=0
storm_pid=

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

log()
{
	echo "# $*"
}

check()
{
	local desc=$1

	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# eq GOT WANT WHAT: logs a mismatch, so a failed check says why.
eq()
{
	[ "$1" = "$2" ] && return 0
	log "$3: got '$1', want '$2'"
	return 1
}

cleanup()
{
	[ -n "$storm_pid" ] && kill "$storm_pid" 2>/dev/null
	wait 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

tk() { "$TCPKA" -n "$NS" "$@"; }
storm() { ip netns exec "$NS" "$STORM" -p "$PORT" -q "$@"; }

# pol NAME JQ-FILTER: a field of policy NAME, "absent" if there is none.
pol()
{
	local out

	out=$(tk -j policy show | jq -r --arg n "$1" \
		"[.[] | select(.name == \$n)] | if length == 0 then \"absent\" else (.[0] | $2) end")
	echo "${out:-error}"
}

nsstat() { tk -j stats | jq -r "if type == \"array\" then .[0] else . end | .$1"; }

# A summary field of conn_storm's output file.
storm_field() { tr ' ' '\n' <"$1" | sed -n "s/^$2=//p"; }

names() { tk -j policy show | jq -r '[.[].name] | join(" ")'; }

write_files()
{
	cat >"$TMP/A.conf" <<-EOF
	# old set
	policy add name srv pref 10 lport $PORT idle 100 intvl 7 cnt 3
	policy add name cli pref 10 rport $PORT idle 101 intvl 7 cnt 3
	policy add name gone pref 20 lport 1-2 idle 5
	policy add name catchall pref 100 idle 300 intvl 9 cnt 9
	EOF
	cat >"$TMP/B.conf" <<-EOF
	# new set: catchall first, srv and cli last
	policy add name catchall pref 100 idle 300 intvl 9 cnt 9

	policy add name fresh pref 20 lport 3-4 idle 6
	policy add name srv pref 10 lport $PORT idle 200 intvl 7 cnt 3
	policy add name cli pref 10 rport $PORT idle 201 intvl 7 cnt 3
	EOF
	printf '# no policies\n' >"$TMP/empty.conf"
}

# broken NAME LINE WHY CONTENT: loading it fails, names NAME:LINE, and
# leaves the set (policies, ids, counters) exactly as it was.
broken()
{
	local file=$TMP/$1 line=$2 why=$3 before after rc

	cat >"$file"
	before=$(tk -j policy show)
	tk load "$file" 2>"$TMP/err"
	rc=$?
	after=$(tk -j policy show)
	check "broken file ($why): refused" eq "$rc" 1 "exit status"
	check "broken file ($why): the error names $1:$line" \
		grep -q "^$file:$line: Error: " "$TMP/err"
	[ -s "$TMP/err" ] && log "stderr: $(head -n 1 "$TMP/err")"
	check "broken file ($why): the set is unchanged" \
		eq "$after" "$before" "policy show -j"
}

echo "TAP version 13"
if ! command -v jq >/dev/null || [ ! -x "$STORM" ]; then
	echo "1..1"
	echo "ok 1 tcpka_reload # SKIP needs jq and $STORM"
	exit $ksft_skip
fi
echo "1..30"

if ! ip netns add "$NS" || ! ip -n "$NS" link set lo up; then
	echo "not ok 1 tcpka_reload: cannot set up network namespace $NS"
	exit 1
fi
write_files

# 1. A into an empty namespace, then connections: all covered by srv/cli.
check "load A into an empty namespace" tk load "$TMP/A.conf"
check "A is in evaluation order" eq "$(names)" "srv cli gone catchall" "names"
storm -t 0 -n 200 -c 2 -e "$WANT" >"$TMP/storm1" 2>"$TMP/storm1.err"
rc=$?
log "storm: $(cat "$TMP/storm1")"
check "200 connections, every end with A's keepalive" \
	eq "$rc/$(storm_field "$TMP/storm1" connections)" "0/200" "exit/connections"
check "srv and cli each matched all 200" \
	eq "$(pol srv .stats.matched)/$(pol cli .stats.matched)" "200/200" "srv/cli"

# 2. B replaces A: same names keep ids and counters.
ids_before="$(pol srv .id)/$(pol cli .id)/$(pol catchall .id)"
check "load B over A" tk load "$TMP/B.conf"
check "B is in evaluation order" eq "$(names)" "srv cli fresh catchall" "names"
check "srv, cli, catchall kept their ids" \
	eq "$(pol srv .id)/$(pol cli .id)/$(pol catchall .id)" \
	"$ids_before" "ids"
check "srv and cli kept their counters, with B's values" \
	eq "$(pol srv '"\(.stats.matched) \(.idle)"')/$(pol cli '"\(.stats.matched) \(.idle)"')" \
	"200 200/200 201" "srv/cli"
check "gone is gone, fresh starts at zero" \
	eq "$(pol gone .id)/$(pol fresh .stats.matched)" "absent/0" "gone/fresh"

# 3. Reloads, A and B in turn, as fast as they go, during a storm.
storm -t "$STORM_SECONDS" -c 2 -e "$WANT" >"$TMP/storm2" 2>"$TMP/storm2.err" &
storm_pid=$!
reloads=0
load_failures=0
while kill -0 "$storm_pid" 2>/dev/null; do
	for f in A B; do
		tk load "$TMP/$f.conf" 2>>"$TMP/reload.err" ||
			load_failures=$((load_failures + 1))
		reloads=$((reloads + 1))
	done
done
wait "$storm_pid"
rc=$?
storm_pid=
conns=$(storm_field "$TMP/storm2" connections)
log "storm: $(cat "$TMP/storm2")"
log "$reloads reloads during the storm"
[ -s "$TMP/reload.err" ] && log "reload error: $(head -n 1 "$TMP/reload.err")"
check "every reload during the storm succeeded" eq "$load_failures" 0 "failed loads"
check "the storm saw at least 6 reloads" test "$reloads" -ge 6
check "storm: every connection, both ends, had srv's or cli's keepalive" \
	eq "$rc/$(storm_field "$TMP/storm2" errors)/$(storm_field "$TMP/storm2" mismatched)" \
	"0/0/0" "exit/errors/mismatched"
check "storm: connections were made" test "${conns:-0}" -gt 0
total=$((200 + ${conns:-0}))
check "no connection found the namespace without a matching policy" \
	eq "$(nsstat unmatched)" 0 "unmatched"
check "no connection fell to catchall (no mix of old and new)" \
	eq "$(pol catchall .stats.matched)" 0 "catchall matched"
check "srv and cli counted every connection across all reloads" \
	eq "$(pol srv .stats.matched)/$(pol cli .stats.matched)/$(nsstat seen)" \
	"$total/$total/$((2 * total))" "srv/cli/seen"

# 4. Broken files change nothing and name the line.
broken syntax.conf 3 "syntax error" <<-EOF
	policy add name srv pref 10 lport $PORT idle 1 intvl 7 cnt 3

	policy add name cli pref 10 rport $PORT idel 1
EOF
broken dup.conf 4 "name used twice, refused by the kernel" <<-EOF
	policy add name srv pref 10 lport $PORT idle 1 intvl 7 cnt 3
	policy add name cli pref 10 rport $PORT idle 1 intvl 7 cnt 3
	# the next line reuses a name of this file
	policy add name srv lport 9
EOF
broken cgroup.conf 2 "missing cgroup" <<-EOF
	policy add name srv pref 10 lport $PORT idle 1 intvl 7 cnt 3
	policy add name cli cgroup /tcpka-reload-no-such-cgroup-$$ idle 1
EOF
check "no transaction is left open: a plain add and del work" \
	eval 'tk policy add name probe lport 5 idle 5 >/dev/null && tk policy del name probe'

# 5. Control: without policies, the same checks see uncovered connections.
check "load a file without policies" tk load "$TMP/empty.conf"
check "the set is empty" eq "$(tk -j policy show | jq length)" 0 "policies"
storm -t 0 -n 20 -c 1 -e "$WANT" >"$TMP/storm3" 2>/dev/null
rc=$?
check "control: conn_storm finds both ends of the 20 connections without keepalive" \
	eq "$rc/$(storm_field "$TMP/storm3" mismatched)" "1/40" "exit/mismatched"
check "control: the namespace counts their 40 ends as unmatched" \
	eq "$(nsstat unmatched)" 40 "unmatched"

[ $failed -eq 0 ] || exit 1
exit 0
