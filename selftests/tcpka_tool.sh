#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The tcpka command-line tool against the loaded module: every command and
# option, text output field by field, JSON key by key (jq), batch files
# (comments, FILE:LINE errors, nothing applied after a failing line,
# -force), atomic load, save/flush/-b round trip byte for byte, usage errors
# (exit 2), an unprivileged user (exit 1), cgroup paths in both spellings,
# -n NETNS, monitor (also with -t and -ts timestamps), and the message when
# the module is absent.
#
# Runs as root with tcpka loaded (the VM runner's contract); leaves no
# policy, network namespace or cgroup behind and the module loaded.

TCPKA=${TCPKA:-tcpka}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=tcpka_lib.sh
. "$here/tcpka_lib.sh"
NOMOD="Error: tcpka module is not loaded (try: modprobe tcpka)"
EPERM="Error: Operation not permitted"
STATS0="matched 0 applied 0 kept 0 skipped 0 existing 0 reaped 0"

# shellcheck source-path=SCRIPTDIR source=tcpka_tool_cases.sh
. "$here/tcpka_tool_cases.sh"

tmp=$(mktemp -d)
ns=tcpka-tool-$$
cg=tcpka-tool-$$
cgroot=$(awk '{ for (i = 7; i < NF; i++) if ($i == "-") break;
		if ($(i + 1) == "cgroup2") { print $5; exit } }' /proc/self/mountinfo)
pids=()

cleanup()
{
	local p

	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null
	done
	wait 2>/dev/null
	"$TCPKA" policy flush 2>/dev/null
	ip netns del "$ns" 2>/dev/null
	ip netns del "$ns-s" 2>/dev/null
	ip netns del "$ns-c" 2>/dev/null
	[ -n "$cgroot" ] && [ -d "$cgroot/$cg" ] &&
		find "$cgroot/$cg" -depth -type d -exec rmdir {} \; 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

need()
{
	command -v "$1" >/dev/null && return
	echo "TAP version 13"
	echo "1..0 # SKIP $1 is not installed"
	exit $ksft_skip
}
need jq
need ip
if ! "$TCPKA" policy show >/dev/null 2>&1; then
	echo "TAP version 13"
	echo "1..0 # SKIP tcpka is not loaded"
	exit $ksft_skip
fi

# ---- helpers (tests run in a subshell with set -e) ----

# tk RC ARGS...: runs tcpka, which must exit RC; sets $out and $err.
tk()
{
	local want=$1 rc

	shift
	"$TCPKA" "$@" >"$tmp/out" 2>"$tmp/err" && rc=0 || rc=$?
	out=$(<"$tmp/out")
	err=$(<"$tmp/err")
	if [ "$rc" -ne "$want" ]; then
		echo "tcpka $*: exit $rc, expected $want"
		echo "stdout: $out"
		echo "stderr: $err"
		return 1
	fi
}

# jeq [-s] FILTER WANT [FILTER WANT]...: jq -c FILTER of $out must be
# WANT, for each pair, in one jq run (jq starts slowly in an emulated VM).
jeq()
{
	local opts=() filters=() wants=() got=() prog i

	if [ "$1" = -s ]; then
		opts=(-s)
		shift
	fi
	while [ $# -ge 2 ]; do
		filters+=("$1")
		wants+=("$2")
		shift 2
	done
	prog=$(printf '(%s), ' "${filters[@]}")
	mapfile -t got < <(jq -c "${opts[@]}" "${prog%, }" <<<"$out")
	[ ${#got[@]} -eq ${#filters[@]} ] || { echo "jq failed on: $out"; return 1; }
	for i in "${!filters[@]}"; do
		eq "${got[i]}" "${wants[i]}" "jq '${filters[i]}'" || return 1
	done
}

# jload FILTER: the object FILTER selects in $out, one jq run (jq starts
# slowly in an emulated VM): J[key] = the key's value as compact JSON,
# JKEYS = its keys in order.
declare -A J
jload()
{
	local k v

	J=()
	JKEYS=
	while IFS=$'\t' read -r k v; do
		J[$k]=$v
		JKEYS="$JKEYS $k"
	done < <(jq -r "$1 | to_entries[] | \"\\(.key)\\t\\(.value | tojson)\"" <<<"$out")
	JKEYS=${JKEYS# }
	[ -n "$JKEYS" ] || { echo "no object at '$1' in: $out"; return 1; }
}

# jv KEY WANT: J[KEY] must be WANT
jv()
{
	[ -n "${J[$1]+set}" ] || { echo "key $1 missing"; return 1; }
	eq "${J[$1]}" "$2" "key $1"
}

# add ARGS...: policy add, sets $id
add()
{
	tk 0 policy add "$@"
	id=$out
	[[ $id =~ ^[0-9]+$ ]] || { echo "policy add printed '$id'"; return 1; }
}

# The names in the set, in evaluation order (from the text output).
names()
{
	"$TCPKA" policy show |
		awk '{ for (i = 1; i < NF; i++) if ($i == "name") { printf "%s%s", s, $(i + 1); s = " " } }'
}

# id_of NAME
id_of()
{
	"$TCPKA" policy show name "$1" | cut -d' ' -f4
}

# batch FILE: writes stdin to $tmp/FILE
batch()
{
	cat >"$tmp/$1"
}

# Every test starts from an empty policy set.
n=0
failed=0
run_test()
{
	local fn=$1 desc=$2 rc

	"$TCPKA" policy flush >/dev/null 2>&1
	(
		set -e
		# what a test started in the background ends with it
		# (set -e holds in the trap too: nothing in it may fail)
		trap 'rc=$?; for p in "${pids[@]}"; do kill "$p" 2>/dev/null || :; done; exit $rc' EXIT
		cd "$tmp"
		"$fn"
	) >"$tmp/log" 2>&1
	rc=$?
	n=$((n + 1))
	if [ $rc -eq 0 ]; then
		echo "ok $n $desc"
	elif [ $rc -eq $ksft_skip ]; then
		echo "ok $n $desc # SKIP $(tail -n 1 "$tmp/log")"
	else
		sed 's/^/# /' "$tmp/log"
		echo "# $fn: exit status $rc"
		echo "not ok $n $desc"
		failed=1
	fi
}

# ---- tests ----

t_version()
{
	tk 0 -V
	eq "$(sed -n 1p <<<"$out" | cut -d' ' -f1-3)" "tcpka tool version" "line 1"
	eq "$(sed -n 2p <<<"$out")" \
		"tcpka module version $(cat /sys/module/tcpka/version)" "line 2"
}

t_add_prints_id()
{
	local first

	add idle 60
	first=$id
	add idle 61
	[ "$id" -gt "$first" ] || { echo "ids $first then $id"; return 1; }
	tk 0 -j policy add idle 62
	jeq 'keys' '["id"]' '.id' "$((id + 1))"
	tk 0 -j policy add idle 63 existing
	jeq 'keys' '["applied","id"]' '.applied | type' '"number"'
}

t_defaults()
{
	add
	tk 0 policy show
	eq "$out" "pref 1000 id $id mode default $STATS0" "show"
}

FULL="name web pref 10 lport 80 rport 1000-2000 family inet6 dir in mode override idle 60 intvl 10 cnt 5 user-timeout 3000"

t_show_text()
{
	add $FULL
	tk 0 policy show
	eq "$out" "pref 10 id $id name web lport 80 rport 1000-2000 family inet6 dir in mode override idle 60 intvl 10 cnt 5 user-timeout 3000 $STATS0" "show"
	add family inet dir out mode skip
	tk 0 policy show id "$id"
	eq "$out" "pref 1000 id $id family inet dir out mode skip $STATS0" "show id"
}

# The documented keys of a policy object, in the order printed.
KEYS="id name pref cgroup cgroup_id cgroup_dead lport rport family dir mode idle intvl cnt user_timeout stats"
STATSJ='{"matched":0,"applied":0,"kept":0,"skipped":0,"existing":0,"reaped":0}'

t_show_json()
{
	add $FULL
	tk 0 -j policy show
	jeq '[type, length]' '["array",1]'
	jload '.[0]'
	eq "$JKEYS" "$KEYS" "keys"
	jv id "$id"
	jv name '"web"'
	jv pref 10
	jv cgroup null
	jv cgroup_id null
	jv cgroup_dead false
	jv lport '{"min":80,"max":80}'
	jv rport '{"min":1000,"max":2000}'
	jv family '"inet6"'
	jv dir '"in"'
	jv mode '"override"'
	jv idle 60
	jv intvl 10
	jv cnt 5
	jv user_timeout 3000
	jv stats "$STATSJ"
}

t_show_json_nulls()
{
	local k

	tk 0 -j policy show
	eq "$out" "[]" "empty set"
	add
	tk 0 -j policy show
	jload '.[0]'
	eq "$JKEYS" "$KEYS" "keys"
	for k in name cgroup cgroup_id lport rport family dir idle intvl cnt user_timeout; do
		jv $k null
	done
	jv id "$id"
	jv pref 1000
	jv mode '"default"'
	jv cgroup_dead false
	jv stats "$STATSJ"
}

t_pretty()
{
	local compact

	add $FULL
	add idle 5
	tk 0 -j policy show
	compact=$out
	tk 0 -p policy show
	[ "$(wc -l <<<"$out")" -gt 10 ] || { echo "-p is not indented: $out"; return 1; }
	eq "$(jq -c . <<<"$out")" "$compact" "-p parses to -j"
	tk 0 -p stats
	jload .
	eq "$JKEYS" "seen unmatched events_dropped policies" "stats keys"
}

t_show_order()
{
	add name a pref 300
	add name b pref 100
	add name c pref 200
	add name d pref 100
	eq "$(names)" "b d c a" "evaluation order"
	tk 0 policy show
	eq "$(cut -d' ' -f1-2,5-6 <<<"$out" | tr '\n' ' ')" \
		"pref 100 name b pref 100 name d pref 200 name c pref 300 name a " "text order"
}

t_show_one()
{
	add name x idle 5
	add name y idle 6
	tk 0 policy show name y
	eq "$out" "pref 1000 id $id name y mode default idle 6 $STATS0" "show name"
	tk 0 -j policy show id "$id"
	jload '.[0]'
	eq "$JKEYS" "$KEYS" "keys"
	jv name '"y"'
	tk 1 policy show id 999999
	eq "$err" "Error: policy not found" "missing id"
	tk 1 -j policy show name nope
	eq "$out" "" "no JSON on failure"
	eq "$err" "Error: policy not found" "missing name"
}

t_replace()
{
	local web

	add name web pref 10 lport 80 idle 60
	web=$id
	tk 0 policy replace name web rport 443 idle 30
	eq "$out" "" "replace prints nothing"
	tk 0 policy show name web
	eq "$out" "pref 10 id $web name web rport 443 mode default idle 30 $STATS0" \
		"selector and action replaced, pref kept"
	tk 0 policy replace id "$web" name web2 pref 20 mode skip
	tk 0 policy show id "$web"
	eq "$out" "pref 20 id $web name web2 mode skip $STATS0" "renamed by id"
	tk 1 policy replace id 999999 idle 5
	eq "$err" "Error: policy not found" "missing id"
	tk 1 policy replace name web idle 5
	eq "$err" "Error: policy not found" "old name"
	add name other
	tk 1 policy replace id "$web" name other
	eq "$err" "Error: name already in use" "rename onto a used name"
}

t_del()
{
	local a

	add name a
	a=$id
	add name b
	add name c
	tk 0 policy del id "$a"
	tk 0 policy delete name b
	eq "$(names)" "c" "left"
	tk 1 policy del id "$a"
	eq "$err" "Error: policy not found" "deleted twice"
	tk 1 policy del name b
	eq "$err" "Error: policy not found" "deleted name"
}

t_flush()
{
	add name a
	add name b
	add name c
	tk 0 policy flush
	eq "$out" "" "flush prints nothing"
	tk 0 policy list
	eq "$out" "" "empty after flush"
	tk 0 policy
	eq "$out" "" "policy alone shows"
	tk 0 stats
	eq "${out##* }" 0 "policies"
}

t_apply()
{
	add name a idle 5
	tk 0 policy apply
	[[ $out =~ ^applied\ [0-9]+$ ]] || { echo "apply printed '$out'"; return 1; }
	tk 0 -j policy apply id "$id"
	jeq 'keys' '["applied"]' '.applied | type' '"number"'
	tk 0 policy apply name a
	tk 1 policy apply name nope
	eq "$err" "Error: policy not found" "missing policy"
}

# A connection on lo: a busybox nc server on $1, our end on fd 7. The
# server's stdin is a FIFO held open on fd 9, so it never sees EOF.
connect()
{
	local port=$1

	rm -f "$tmp/fifo"
	mkfifo "$tmp/fifo"
	nc -l -p "$port" <"$tmp/fifo" >/dev/null &
	pids+=($!)
	exec 9>"$tmp/fifo"
	for _ in $(seq 50); do
		ss -Htln "sport = :$port" | grep -q . && break
		sleep 0.1
	done
	ss -Htln "sport = :$port" | grep -q . || { echo "nc is not listening on $port"; return 1; }
	exec 7<>"/dev/tcp/127.0.0.1/$port"
}

t_existing()
{
	command -v nc >/dev/null || { echo "no nc"; return $ksft_skip; }
	# a fresh port: an earlier run may have left it in TIME_WAIT
	port=$((20000 + RANDOM % 20000))
	connect $port
	tk 0 policy add name ex lport $port idle 77 intvl 7 cnt 3 existing
	[[ $out =~ ^[0-9]+\ applied\ 1$ ]] || { echo "add existing printed '$out'"; return 1; }
	# the server side of the connection has its keepalive timer armed
	ss -tno state established "( sport = :$port )" | grep -q 'timer:(keepalive,' ||
		{ ss -tno; echo "no keepalive timer"; return 1; }
	tk 0 -j policy show name ex
	jeq '.[0].stats.existing' 1
	tk 0 policy apply name ex
	eq "$out" "applied 1" "apply again"
	exec 7>&- 9>&-
}

t_stats()
{
	add name a
	add name b
	tk 0 stats
	[[ $out =~ ^seen\ [0-9]+\ unmatched\ [0-9]+\ events-dropped\ [0-9]+\ policies\ 2$ ]] ||
		{ echo "stats printed '$out'"; return 1; }
	tk 0 -j stats
	jload .
	eq "$JKEYS" "seen unmatched events_dropped policies" "keys"
	[[ "${J[seen]} ${J[unmatched]} ${J[events_dropped]}" =~ ^[0-9]+\ [0-9]+\ [0-9]+$ ]] ||
		{ echo "not numbers: $out"; return 1; }
	jv policies 2
}

t_save_roundtrip()
{
	mkdir -p "$cgroot/$cg/with space" "$cgroot/$cg/plain"
	add name web pref 100 lport 80 dir in idle 60 intvl 10 cnt 5
	add name '#hash' pref 100 rport 1000-2000 family inet6 mode override user-timeout 3000
	add name 'q"uote' pref 50 cgroup "/$cg/with space" idle 5
	add pref 50 cgroup "$cgroot/$cg/plain" mode skip
	add family inet dir out mode default cnt 9
	tk 0 save
	printf '%s\n' "$out" >saved1
	want="policy add name \"q\\\"uote\" pref 50 cgroup \"/$cg/with space\" mode default idle 5"
	grep -qxF -- "$want" saved1 ||
		{ cat saved1; echo "no line: $want"; return 1; }
	tk 0 policy flush
	tk 0 -b saved1
	tk 0 save
	printf '%s\n' "$out" >saved2
	cmp saved1 saved2 || { diff saved1 saved2; return 1; }
	tk 0 -j policy show
	jeq 'map(.name)' '["q\"uote",null,"web","#hash",null]' \
		'.[0].cgroup' "\"/$cg/with space\""
}

# A thousand policies: dumps span many messages, batch files are long.
t_many()
{
	local i

	for ((i = 1; i <= 1000; i++)); do
		echo "policy add name p$i pref $((i % 7)) lport $i idle $((i % 100 + 1))"
	done >many
	tk 0 -b many
	eq "$(wc -l <<<"$out")" 1000 "ids printed"
	tk 0 policy show
	eq "$(wc -l <<<"$out")" 1000 "policy show lines"
	eq "$(sed -n 1p <<<"$out" | cut -d' ' -f1-6)" "pref 0 id $(id_of p7) name p7" "first in order"
	tk 0 -j policy show
	jeq 'length' 1000 'map(.pref) == (map(.pref) | sort)' true
	tk 0 save
	printf '%s\n' "$out" >saved1
	tk 0 load saved1
	tk 0 save
	printf '%s\n' "$out" >saved2
	cmp saved1 saved2 || { diff saved1 saved2 | head; return 1; }
	tk 0 stats
	eq "${out##* }" 1000 "policies"
}

KEPT_CHANGING="Error: the policy set kept changing during the dump, try again"

# consistent WANT: stdin has one policy per line, "PREF ID NAME" (ID "-"
# when unknown); it must be one version of the set t_dump_churn builds:
# s1..sWANT once each, "churn" at most once, ids unique, evaluation order.
consistent()
{
	awk -v want="$1" '
	{
		if ($3 ~ /^s[0-9]+$/) {
			if (seen[$3]++) bad = "policy " $3 " twice"
			n++
		} else if ($3 != "churn" || churn++) {
			bad = "unexpected policy " $3
		}
		if ($2 != "-" && ids[$2]++)
			bad = "id " $2 " twice"
		if (NR > 1 && ($1 < pref || ($1 == pref && $2 != "-" && $2 + 0 <= id + 0)))
			bad = "line " NR " out of evaluation order: " $0
		pref = $1
		id = $2
	}
	END {
		if (!bad && n != want)
			bad = n " of the " want " policies"
		if (bad) {
			print bad
			exit 1
		}
	}'
}

# Dumps span many messages; a policy ahead of all others comes and goes
# meanwhile, so a dump that went on across a change would list another
# policy twice or miss one. Each output must be one version of the set, or
# nothing but the error once the tool gave up; each distinct save output
# (with or without that policy) must then load into an empty set and save
# back the same.
t_dump_churn()
{
	local i k what rc f clean=0 gaveup=0

	for ((i = 1; i <= 1000; i++)); do
		echo "policy add name s$i pref $((i % 10 + 1)) idle $((i % 100 + 1))"
	done >pols
	tk 0 load pols
	while [ ! -e stop ]; do
		"$TCPKA" policy add name churn pref 0 >/dev/null || :
		"$TCPKA" policy del name churn || :
	done &
	pids+=($!)
	for ((k = 1; k <= 10; k++)); do
		for what in show json save; do
			case $what in
			show) "$TCPKA" policy show ;;
			json) "$TCPKA" -j policy show ;;
			save) "$TCPKA" save ;;
			esac >"d.$what" 2>d.err && rc=0 || rc=$?
			if [ $rc -ne 0 ]; then
				eq "$rc: $(cat d.err)" "1: $KEPT_CHANGING" "$what: failure"
				eq "$(cat "d.$what")" "" "$what: output of a failed dump"
				gaveup=$((gaveup + 1))
				continue
			fi
			eq "$(cat d.err)" "" "$what: stderr"
			case $what in
			show) awk '{ print $2, $4, $6 }' d.show ;;
			json) jq -r '.[] | "\(.pref) \(.id) \(.name)"' d.json ;;
			save) awk '{ print $6, "-", $4 }' d.save ;;
			esac >d.lines
			consistent 1000 <d.lines ||
				{ echo "$what, round $k: not one version of the set"; return 1; }
			[ $what = save ] && cp d.save "saved.$(grep -c churn d.save)"
			clean=$((clean + 1))
		done
	done
	touch stop
	wait "${pids[-1]}"
	rm stop
	echo "$clean whole dumps, $gaveup given up"
	[ $clean -ge 15 ] || { echo "too few whole dumps"; return 1; }
	ls saved.* >/dev/null || { echo "no save output came through"; return 1; }
	ip netns add "$ns"
	for f in saved.*; do
		tk 0 -n "$ns" load "$f"
		tk 0 -n "$ns" save
		eq "$out" "$(cat "$f")" "$f saved back from an empty set"
		tk 0 -n "$ns" policy show
		awk '{ print $2, $4, $6 }' <<<"$out" | consistent 1000
		tk 0 -n "$ns" policy flush
	done
	ip netns del "$ns"
}

t_batch_comments()
{
	batch b <<-'EOT'
	# a policy set

	policy add name a idle 5	# trailing comment
	   # indented comment
	policy add name b lport 80-90 idle 6

	policy replace name b idle 7
	EOT
	tk 0 -b b
	eq "$(names)" "a b" "applied"
	tk 0 policy show name b
	eq "$out" "pref 1000 id $(id_of b) name b mode default idle 7 $STATS0" "replaced"
}

t_batch_fail_line()
{
	batch b <<-'EOT'
	policy add name a
	# comment
	policy add name b
	policy add name a
	policy add name c
	EOT
	tk 1 -b b
	eq "$err" "b:4: Error: name already in use" "error"
	eq "$(names)" "a b" "applied before, not after"
}

t_batch_syntax()
{
	batch b <<-'EOT'
	policy add name a
	policy add name b idle 0
	policy add name c
	EOT
	tk 1 -b b
	eq "$err" 'b:2: Error: invalid idle "0" (1-32767)' "error"
	eq "$(names)" "" "nothing applied"
}

t_batch_force()
{
	batch b <<-'EOT'
	policy add name a
	policy add name a
	policy add name b idle 0
	policy add name c
	policy del name nope
	policy add name d
	EOT
	tk 1 -b b -force
	eq "$err" 'b:3: Error: invalid idle "0" (1-32767)
b:2: Error: name already in use
b:5: Error: policy not found' "errors"
	eq "$(names)" "a c d" "the rest applied"
	tk 0 policy flush
	batch ok <<-'EOT'
	policy add name a
	EOT
	tk 0 -force -b ok
}

t_batch_stdin()
{
	tk 0 -b - <<-'EOT'
	policy add name a
	policy add name b
	EOT
	eq "$(names)" "a b" "applied"
}

t_load()
{
	local a

	add name a idle 60
	a=$id
	add name b idle 60
	batch conf <<-'EOT'
	# the new set
	policy add name c pref 10 idle 5
	policy add name a idle 30
	EOT
	tk 0 load conf
	eq "$out" "" "load prints nothing"
	eq "$(names)" "c a" "new set"
	eq "$(id_of a)" "$a" "a policy of the same name keeps its id"
	tk 0 policy show name a
	eq "$out" "pref 1000 id $a name a mode default idle 30 $STATS0" "new values"
	batch empty <<-'EOT'
	# nothing
	EOT
	tk 0 -b empty -atomic
	eq "$(names)" "" "an empty file empties the set"
}

t_load_broken()
{
	local before

	add name a idle 60
	add name b idle 60
	before=$("$TCPKA" save)
	batch dup <<-'EOT'
	policy add name x
	policy add name y
	policy add name x
	policy add name z
	EOT
	tk 1 load dup
	eq "$err" "dup:3: Error: name already in use" "error"
	eq "$("$TCPKA" save)" "$before" "old set intact"
	batch other <<-'EOT'
	policy add name x
	policy del name a
	EOT
	tk 1 -b other -atomic
	eq "$err" 'other:2: Error: only "policy add" is allowed in an atomic load' "non-add line"
	eq "$("$TCPKA" save)" "$before" "old set intact"
	batch bad <<-'EOT'
	policy add name x
	policy add name y cgroup /no-such-cgroup-here
	EOT
	tk 1 load bad
	eq "$err" "bad:2: Error: cgroup /no-such-cgroup-here: No such file or directory" "cgroup"
	eq "$("$TCPKA" save)" "$before" "old set intact"
}

nobody()
{
	setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
}

t_unprivileged()
{
	local a

	command -v setpriv >/dev/null || { echo "no setpriv"; return $ksft_skip; }
	add name a
	a=$id
	printf 'policy add name x\n' >"$tmp/u"
	chmod 644 "$tmp/u"
	chmod 755 "$tmp"
	for args in "policy add name x" "policy replace id $a idle 5" \
		    "policy del id $a" "policy flush" "policy apply" \
		    "-b $tmp/u" "load $tmp/u"; do
		# shellcheck disable=SC2086
		nobody "$TCPKA" $args >"$tmp/out" 2>"$tmp/err" && rc=0 || rc=$?
		eq "$rc" 1 "exit of '$args'"
		case $args in
		-b*) eq "$(cat "$tmp/err")" "$tmp/u:1: $EPERM" "$args" ;;
		load*) eq "$(cat "$tmp/err")" "$tmp/u: $EPERM" "$args" ;;
		*) eq "$(cat "$tmp/err")" "$EPERM" "$args" ;;
		esac
	done
	nobody "$TCPKA" policy show >"$tmp/out"
	eq "$(cut -d' ' -f3-5 "$tmp/out")" "id $a name" "reading needs no privilege"
	nobody "$TCPKA" stats >/dev/null
	eq "$(names)" "a" "nothing changed"
}

t_cgroup_paths()
{
	local ino

	[ -n "$cgroot" ] || { echo "no cgroup2 mount"; return $ksft_skip; }
	mkdir -p "$cgroot/$cg/svc"
	ino=$(stat -c %i "$cgroot/$cg/svc")
	add name abs cgroup "$cgroot/$cg/svc"
	add name rel cgroup "/$cg/svc"
	add name bare cgroup "$cg/svc"
	tk 0 policy show
	eq "$(grep -c " cgroup /$cg/svc mode " <<<"$out")" 3 "printed back relative to the mount"
	tk 0 -j policy show
	jeq 'map(.cgroup) | unique' "[\"/$cg/svc\"]" \
		'map(.cgroup_id) | unique' "[$ino]" \
		'map(.cgroup_dead) | unique' '[false]'
	tk 1 policy add cgroup /no-such-cgroup-here
	eq "$err" "Error: cgroup /no-such-cgroup-here: No such file or directory" "missing"
	tk 1 policy add cgroup "$tmp"
	eq "$err" "Error: cgroup $tmp: No such file or directory" "a directory outside cgroup2"
}

t_cgroup_dead()
{
	[ -n "$cgroot" ] || { echo "no cgroup2 mount"; return $ksft_skip; }
	mkdir -p "$cgroot/$cg/gone"
	add name gone pref 5 cgroup "/$cg/gone" idle 5
	add name stays idle 6
	rmdir "$cgroot/$cg/gone"
	tk 0 policy show name gone
	eq "$out" "pref 5 id $(id_of gone) name gone cgroup /$cg/gone (deleted) mode default idle 5 $STATS0" "show"
	tk 0 -j policy show name gone
	jeq '.[0].cgroup_dead' true
	tk 0 save
	eq "$out" "# cgroup removed: policy add name gone pref 5 cgroup /$cg/gone mode default idle 5
policy add name stays pref 1000 mode default idle 6" "save"
	eq "$err" "Warning: 1 policies match a removed cgroup; saved as comments" "warning"
}

t_netns()
{
	ip netns add "$ns"
	tk 0 -n "$ns" policy add name inside idle 5
	tk 0 -netns "$ns" policy show
	eq "$(cut -d' ' -f6 <<<"$out")" "inside" "visible in $ns"
	eq "$(names)" "" "not in the initial namespace"
	add name outside
	tk 0 -n "$ns" -j policy show
	jeq 'map(.name)' '["inside"]'
	tk 0 -n "$ns" stats
	eq "${out##* }" 1 "policies in $ns"
	tk 0 -n "$ns" policy flush
	tk 0 -n "$ns" policy show
	eq "$out" "" "flushed in $ns"
	eq "$(names)" "outside" "initial namespace untouched"
	tk 1 -n no-such-netns policy show
	eq "$err" 'Error: cannot open network namespace "no-such-netns": No such file or directory' "missing netns"
	ip netns del "$ns"
}

# start_monitor FILE [OPTIONS]: tcpka OPTIONS monitor, appending to FILE,
# once it is subscribed (poked until it reports an event). Then FILE and
# those of the monitors the test started before, in the same namespace,
# are emptied once each reported a last poke: the pokes are gone from all.
monfiles=()
start_monitor()
{
	local file=$1 o f poke=()

	shift
	# the pokes take the options but those only monitor takes
	for o; do
		case $o in -t | -ts) ;; *) poke+=("$o") ;; esac
	done
	: >"$file"
	"$TCPKA" "$@" monitor >>"$file" 2>&1 &
	mon=$!
	pids+=("$mon")
	monfiles+=("$file")
	for _ in $(seq 100); do
		"$TCPKA" "${poke[@]}" policy add name mon-sync >/dev/null
		"$TCPKA" "${poke[@]}" policy del name mon-sync
		grep -q 'mon-sync' "$file" && break
		sleep 0.1
	done
	grep -q 'mon-sync' "$file" || { echo "monitor saw nothing"; return 1; }
	"$TCPKA" "${poke[@]}" policy add name mon-last >/dev/null
	"$TCPKA" "${poke[@]}" policy del name mon-last
	for f in "${monfiles[@]}"; do
		for _ in $(seq 100); do
			[ "$(grep -c mon-last "$f")" -ge 2 ] && break
			sleep 0.1
		done
		[ "$(grep -c mon-last "$f")" -ge 2 ] ||
			{ echo "$f: the monitor missed events"; cat "$f"; return 1; }
	done
	for f in "${monfiles[@]}"; do
		: >"$f"
	done
}

# wait_lines FILE N
wait_lines()
{
	for _ in $(seq 100); do
		[ "$(wc -l <"$1")" -ge "$2" ] && return
		sleep 0.1
	done
	echo "monitor printed:"
	cat "$1"
	return 1
}

monitor_events()
{
	add name m1 pref 7 idle 5
	tk 0 policy replace name m1 idle 6
	tk 0 policy del name m1
	tk 0 policy flush
}

t_monitor()
{
	start_monitor mon
	monitor_events
	wait_lines mon 4
	eq "$(sed -n 1p mon | cut -d' ' -f1-11)" "add pref 7 id $id name m1 mode default idle 5" "add"
	eq "$(sed -n 2p mon | cut -d' ' -f1-11)" "replace pref 7 id $id name m1 mode default idle 6" "replace"
	eq "$(sed -n 3p mon | cut -d' ' -f1-7)" "del pref 7 id $id name m1" "del"
	eq "$(sed -n 4p mon)" "flush" "flush"
	kill "$mon"
}

t_monitor_json()
{
	start_monitor mon -j
	monitor_events
	wait_lines mon 4
	out=$(cat mon)
	jeq -s 'map(.event)' '["add","replace","del","flush"]' \
		'map(keys_unsorted)' '[["event","policy"],["event","policy"],["event","policy"],["event"]]' \
		'.[1].policy.idle' 6
	out=$(sed -n 1p mon)
	jload .policy
	eq "$JKEYS" "$KEYS" "policy keys"
	jv id "$id"
	jv name '"m1"'
	jv pref 7
	jv idle 5
	kill "$mon"
}

# -t and -ts stamps as ip(8) prints them, in local time
DAY='(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ 123][0-9]'
TS_LONG="^Timestamp: ($DAY [0-2][0-9]:[0-5][0-9]:[0-6][0-9] [0-9]{4}) [0-9]{1,6} usec\$"
TS_SHORT='^\[([0-9]{4}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9])\.[0-9]{6}\] '

# in_window FORMAT STAMP: STAMP is the time FORMAT prints (strftime, local
# time) for a second from $t0 to now.
in_window()
{
	local t s

	for ((t = t0; t <= $(date +%s); t++)); do
		printf -v s "%($1)T" "$t"
		[ "$s" = "$2" ] && return
	done
	echo "stamp '$2' is not the time of the test (from $(printf '%(%F %T)T' "$t0"))"
	return 1
}

t_monitor_timestamp()
{
	local i line

	t0=$(date +%s)
	start_monitor mon -t
	start_monitor mons -ts
	monitor_events
	wait_lines mon 8
	wait_lines mons 4
	# -t: a line of its own before each event
	for i in 1 3 5 7; do
		line=$(sed -n "${i}p" mon)
		[[ $line =~ $TS_LONG ]] || { echo "-t, line $i: '$line'"; return 1; }
		in_window "%a %b %e %H:%M:%S %Y" "${BASH_REMATCH[1]}"
	done
	eq "$(sed -n 2p mon | cut -d' ' -f1-11)" "add pref 7 id $id name m1 mode default idle 5" "-t add"
	eq "$(sed -n 4p mon | cut -d' ' -f1-11)" "replace pref 7 id $id name m1 mode default idle 6" "-t replace"
	eq "$(sed -n 6p mon | cut -d' ' -f1-7)" "del pref 7 id $id name m1" "-t del"
	eq "$(sed -n 8p mon)" "flush" "-t flush"
	# -ts: at the start of each event's line
	while read -r line; do
		[[ $line =~ $TS_SHORT ]] || { echo "-ts: '$line'"; return 1; }
		in_window "%Y-%m-%dT%H:%M:%S" "${BASH_REMATCH[1]}"
	done <mons
	sed -E "s/$TS_SHORT//" mons >bare
	eq "$(sed -n 1p bare | cut -d' ' -f1-11)" "add pref 7 id $id name m1 mode default idle 5" "-ts add"
	eq "$(sed -n 3p bare | cut -d' ' -f1-7)" "del pref 7 id $id name m1" "-ts del"
	eq "$(sed -n 4p bare)" "flush" "-ts flush"
}

t_monitor_json_timestamp()
{
	local f

	t0=$(date +%s)
	start_monitor mon -j -t
	start_monitor mons -ts -j
	monitor_events
	wait_lines mon 4
	wait_lines mons 4
	for f in mon mons; do
		out=$(cat $f)
		jeq -s 'map(.event)' '["add","replace","del","flush"]' \
			'map(keys_unsorted)' '[["timestamp","event","policy"],["timestamp","event","policy"],["timestamp","event","policy"],["timestamp","event"]]' \
			'map(.timestamp | type) | unique' '["number"]' \
			"map(.timestamp >= $t0 and .timestamp < now + 1) | unique" '[true]' \
			'map(.timestamp) == (map(.timestamp) | sort)' true \
			'.[0].policy.name' '"m1"'
		# seconds since the epoch, microseconds in exactly 6 decimals
		eq "$(grep -cE '^\{"timestamp":[0-9]+\.[0-9]{6},"event":' $f)" 4 "$f: timestamp format"
	done
}

# A veth pair between $ns-c (10.99.0.2, fd00:99::2) and $ns-s (.1, ::1).
two_namespaces()
{
	local s=$ns-s c=$ns-c

	ip netns add "$s"
	ip netns add "$c"
	ip link add veth0 netns "$s" type veth peer name veth1 netns "$c"
	ip -n "$s" addr add 10.99.0.1/24 dev veth0
	ip -n "$c" addr add 10.99.0.2/24 dev veth1
	ip -n "$s" addr add fd00:99::1/64 dev veth0 nodad
	ip -n "$c" addr add fd00:99::2/64 dev veth1 nodad
	ip -n "$s" link set veth0 up
	ip -n "$c" link set veth1 up
	ip -n "$s" link set lo up
	ip -n "$c" link set lo up
}

# serve PORT: a busybox nc server in $ns-s, stdin held open
serve()
{
	mkfifo "$tmp/s$1"
	ip netns exec "$ns-s" nc -l -p "$1" <"$tmp/s$1" >/dev/null &
	pids+=($!)
	# the writer end stays open until the test's subshell ends
	# shellcheck disable=SC2034
	exec {fd}>"$tmp/s$1"
	for _ in $(seq 50); do
		ip netns exec "$ns-s" ss -Htln "sport = :$1" | grep -q . && return
		sleep 0.1
	done
	echo "no server on port $1"
	return 1
}

# dial ADDR PORT: a busybox nc client in $ns-c, stdin held open
dial()
{
	mkfifo "$tmp/c$2"
	ip netns exec "$ns-c" nc "$1" "$2" <"$tmp/c$2" >/dev/null &
	pids+=($!)
	# shellcheck disable=SC2034
	exec {fd}>"$tmp/c$2"
	for _ in $(seq 50); do
		ip netns exec "$ns-c" ss -Htn state established "( dport = :$2 )" |
			grep -q . && return
		sleep 0.1
	done
	echo "no connection to $1 port $2"
	return 1
}

t_monitor_reaped()
{
	local line

	command -v nc >/dev/null || { echo "no nc"; return $ksft_skip; }
	two_namespaces
	tk 0 -n "$ns-c" policy add name dead rport 8080-8081 idle 1 intvl 1 cnt 2
	id=$out
	start_monitor mon -n "$ns-c"
	start_monitor monj -n "$ns-c" -j
	start_monitor mons -n "$ns-c" -ts
	serve 8080
	serve 8081
	dial 10.99.0.1 8080
	dial fd00:99::1 8081
	# silence the server: the client's probes go unanswered
	ip -n "$ns-s" link set veth0 down
	wait_lines mon 2
	wait_lines monj 2
	wait_lines mons 2
	line=$(grep ' peer 10.99.0.1:8080 ' mon) || { cat mon; return 1; }
	[[ $line =~ ^reaped\ id\ $id\ local\ 10\.99\.0\.2:[0-9]+\ peer\ 10\.99\.0\.1:8080\ cgroup-id\ [0-9]+\ idle-ms\ [0-9]+$ ]] ||
		{ echo "IPv4 line: $line"; return 1; }
	line=$(grep ' peer \[fd00:99::1\]:8081 ' mon) || { cat mon; return 1; }
	[[ $line =~ ^reaped\ id\ $id\ local\ \[fd00:99::2\]:[0-9]+\ peer\ \[fd00:99::1\]:8081\ cgroup-id\ [0-9]+\ idle-ms\ [0-9]+$ ]] ||
		{ echo "IPv6 line: $line"; return 1; }
	grep -qE "${TS_SHORT}reaped id $id local 10\.99\.0\.2:[0-9]+ peer 10\.99\.0\.1:8080 " mons &&
		grep -qE "${TS_SHORT}reaped id $id local \[fd00:99::2\]:[0-9]+ peer \[fd00:99::1\]:8081 " mons ||
		{ echo "-ts:"; cat mons; return 1; }
	out=$(cat monj)
	jeq -s 'map(keys_unsorted) | unique' \
		'[["event","id","family","laddr","lport","raddr","rport","cgroup_id","idle_ms"]]' \
		'sort_by(.rport) | map([.event, .id, .family, .laddr, .raddr, .rport])' \
		"[[\"reaped\",$id,\"inet\",\"10.99.0.2\",\"10.99.0.1\",8080],[\"reaped\",$id,\"inet6\",\"fd00:99::2\",\"fd00:99::1\",8081]]" \
		'map(.idle_ms >= 1000 and .lport > 0 and .cgroup_id > 0) | unique' '[true]'
	tk 0 -n "$ns-c" policy show
	[[ $out =~ \ reaped\ 2$ ]] || { echo "show: $out"; return 1; }
	ip netns del "$ns-s"
	ip netns del "$ns-c"
}

t_module_absent()
{
	# The family name is a module alias: the kernel would load tcpka
	# again on the tool's lookup. Forbid that while the test runs.
	mkdir -p /etc/modprobe.d
	echo "blacklist tcpka" >/etc/modprobe.d/tcpka-tool-test.conf
	trap 'rc=$?; rm -f /etc/modprobe.d/tcpka-tool-test.conf; modprobe tcpka || :; exit $rc' EXIT
	modprobe -r tcpka 2>/dev/null || { echo "tcpka cannot be unloaded"; return $ksft_skip; }
	tk 1 policy show
	eq "$err" "$NOMOD" "policy show"
	tk 1 -j stats
	eq "$err" "$NOMOD" "stats"
	tk 0 -V
	eq "$(sed -n 2p <<<"$out")" "tcpka module not loaded" "-V"
	rm /etc/modprobe.d/tcpka-tool-test.conf
	tk 0 policy show
	[ -d /sys/module/tcpka ] || { echo "not loaded again on demand"; return 1; }
}

tests=(
	t_version "-V prints the tool and module versions"
	t_add_prints_id "policy add prints the new id (-j: {\"id\": N})"
	t_defaults "policy add defaults: pref 1000, mode default"
	t_show_text "policy show prints every field and counter in text"
	t_show_json "policy show -j: every key, checked one by one"
	t_show_json_nulls "policy show -j: unset fields are null"
	t_pretty "-p indents the same JSON"
	t_show_order "policy show lists in evaluation order (pref, id)"
	t_show_one "policy show id/name, and a missing one"
	t_replace "policy replace by id and name, pref kept, rename"
	t_del "policy del by id and name, and a missing one"
	t_flush "policy flush"
	t_apply "policy apply prints how many sockets it applied to"
	t_existing "policy add existing arms an established connection"
	t_stats "stats in text and JSON"
	t_save_roundtrip "save, flush, -b, save is byte-identical"
	t_many "1000 policies: batch, show, JSON, save and load"
	t_dump_churn "dumps of 1000 policies while the set changes are whole"
	t_batch_comments "batch file with comments and blank lines"
	t_batch_fail_line "batch: failing line as FILE:LINE, nothing after it"
	t_batch_syntax "batch: a syntax error applies nothing"
	t_batch_force "batch -force goes on and exits 1"
	t_batch_stdin "batch from stdin (-b -)"
	t_load "load replaces the set, same name keeps its id"
	t_load_broken "load of a broken file changes nothing"
	t_unprivileged "unprivileged: Operation not permitted, reading works"
	t_cgroup_paths "cgroup PATH: absolute and relative to the cgroup2 mount"
	t_cgroup_dead "a removed cgroup is marked in show and save"
	t_netns "-n NETNS"
	t_monitor "monitor prints one line per event"
	t_monitor_json "monitor -j prints one JSON object per event"
	t_monitor_timestamp "monitor -t and -ts: the time of each event, as ip(8)"
	t_monitor_json_timestamp "monitor -j -t/-ts: a timestamp key, epoch seconds"
	t_monitor_reaped "monitor reports dead peers (IPv4, IPv6), text and JSON"
	t_module_absent "module absent: the tool says so"
)

# Arguments: run only the tests named (e.g. t_load t_netns), for debugging.
if [ $# -gt 0 ]; then
	tests_only "$@"
	usage_cases=()
	help_cases=()
fi

echo "TAP version 13"
echo "1..$((${#tests[@]} / 2 + ${#usage_cases[@]} + ${#help_cases[@]}))"

run_tests

for c in "${usage_cases[@]}"; do
	eval "set -- $c"
	"$TCPKA" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	n=$((n + 1))
	if [ $rc -eq 2 ] && [ ! -s "$tmp/out" ] &&
	   head -n 1 "$tmp/err" | grep -q '^Error: ' &&
	   grep -q '^Usage: ' "$tmp/err"; then
		echo "ok $n usage error exits 2: tcpka $c"
	else
		sed 's/^/# /' "$tmp/err"
		echo "not ok $n usage error exits 2: tcpka $c # exit $rc"
		failed=1
	fi
done
for c in "${help_cases[@]}"; do
	eval "set -- $c"
	"$TCPKA" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	n=$((n + 1))
	if [ $rc -eq 0 ] && [ ! -s "$tmp/err" ] && grep -q '^Usage: ' "$tmp/out"; then
		echo "ok $n help: tcpka $c"
	else
		echo "not ok $n help: tcpka $c # exit $rc"
		failed=1
	fi
done

exit $failed
