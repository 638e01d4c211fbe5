#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The benchmark's table, from the result lines bench-guest.sh wrote.
#
#   report.sh COMMAND ICOUNT_RESULTS [WALL_RESULTS]
#
# COMMAND is how the run was started, printed as is. The targets of the
# benchmark are judged on the deterministic (icount) figures; the
# wall-clock pass is shown after them, labelled as noisy. Exits 1 when a
# results file holds an error or lacks the final "bench done".

set -uo pipefail

[ $# -ge 2 ] && [ $# -le 3 ] ||
	{ echo "usage: report.sh COMMAND ICOUNT_RESULTS [WALL_RESULTS]" >&2; exit 2; }
cmd=$1
shift

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
qemu=$(qemu-system-x86_64 --version 2>/dev/null | sed -n '1s/.*version \([^ ]*\).*/\1/p')
echo "tcpka benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "Command: $cmd"
mem=$(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
echo "Host: ${cpu:-unknown CPU}, $(nproc) CPUs, $mem; qemu ${qemu:-?} TCG (no KVM)"

status=0
for f in "$@"; do
	if [ ! -r "$f" ]; then
		echo "report: $f missing" >&2
		status=1
		continue
	fi
	grep '^bench error' "$f" | sed "s|^|report: $f: |" >&2 && status=1
	grep -q '^bench done' "$f" || { echo "report: $f: the run did not finish" >&2; status=1; }
	awk -v first="$([ "$f" = "$1" ] && echo 1)" '
	function kv(   i, p) {
		delete v
		for (i = 3; i <= NF; i++) {
			p = index($i, "=")
			if (p)
				v[substr($i, 1, p - 1)] = substr($i, p + 1)
		}
	}
	function median(list,   a, n, i, j, t) {
		n = split(list, a, " ")
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) {
				t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
			}
		if (n % 2)
			return a[(n + 1) / 2]
		return (a[n / 2] + a[n / 2 + 1]) / 2
	}
	function commas(x,   s, neg) {
		s = sprintf("%.0f", x)
		neg = s ~ /^-/
		sub(/^-/, "", s)
		while (s ~ /[0-9][0-9][0-9][0-9]/)
			sub(/[0-9][0-9][0-9]($|,)/, ",&", s)
		return (neg ? "-" : "") s
	}
	function setname(s,   n) {
		n = s
		sub(/h$/, "", n)
		return commas(n) (s ~ /h$/ ? ", 12 hard" : "")
	}
	function verdict(ok) { return ok ? "met" : "MISSED" }
	# max - min of a run list
	function spread(list,   a, n, i, lo, hi) {
		n = split(list, a, " ")
		lo = hi = a[1] + 0
		for (i = 2; i <= n; i++) {
			if (a[i] + 0 < lo)
				lo = a[i] + 0
			if (a[i] + 0 > hi)
				hi = a[i] + 0
		}
		return hi - lo
	}
	$1 != "bench" { next }
	$2 == "info" { kv(); for (k in v) info[k] = v[k] }
	$2 == "conn" { kv(); rates[v["variant"]] = rates[v["variant"]] " " v["rate"] }
	$2 == "load" { kv(); load[v["policies"]] = v["ns"] + 0; order[++nsets] = v["policies"] }
	$2 == "match" { kv(); m[v["policies"]] = m[v["policies"]] " " v["ns_per_lookup"] }
	$2 == "apply" { kv(); aorder[++napply] = v["sockets"]; applied[v["sockets"]] = v["applied"]
			apply_ns[v["sockets"]] = v["ns"] + 0 }
	END {
		icount = info["mode"] == "icount"
		print ""
		if (icount)
			print "== Deterministic: qemu -icount shift=0,sleep=off -smp 1 " \
			      "(guest clock: 1 ns per instruction) =="
		else
			print "== NOISY: wall clock, qemu -smp 2, on a shared host =="
		printf "Guest: kernel %s, %s CPU, %s MiB\n", info["kernel"], info["cpus"], info["mem_mb"]

		name["a"] = "(a) no module"
		name["b"] = "(b) tcpka, no policies"
		name["c"] = "(c) tcpka, 1 policy matching all"
		name["d"] = "(d) tcpka, 10,000 policies, match last"
		name["e"] = "(e) BPF sock_ops, no tcpka"
		name["f"] = "(f) reference: bare probe, fixed values"
		print ""
		printf "Connection rate: loopback connect, 1 byte each way, close; 2 client threads\n"
		printf "and 1 server thread; median of %s runs of %s s per variant, run in turn.\n", \
			info["rounds"], info["secs"]
		if (icount)
			printf "  %-40s %9s %7s %11s  %s\n", "variant", "conn/s", "vs (a)",
				"instr/conn", "runs"
		else
			printf "  %-40s %9s %7s  %s\n", "variant", "conn/s", "vs (a)", "runs"
		for (i = 1; i <= 6; i++) {
			x = substr("abcdef", i, 1)
			if (!(x in rates))
				continue
			med[x] = median(rates[x]) + 0
		}
		for (i = 1; i <= 6; i++) {
			x = substr("abcdef", i, 1)
			if (!(x in med))
				continue
			ratio[x] = ("a" in med) ? med[x] / med["a"] : 0
			extra = ""
			if (icount && x != "a" && ("a" in med))
				extra = sprintf("%+d", 1e9 / med[x] - 1e9 / med["a"])
			if (icount)
				printf "  %-40s %9.1f %7.3f %11s %s\n", name[x], med[x], ratio[x],
					x == "a" ? commas(1e9 / med[x]) : extra, rates[x]
			else
				printf "  %-40s %9.1f %7.3f %s\n", name[x], med[x], ratio[x], rates[x]
		}
		if (icount)
			print "  (instr/conn of (b)..(f): what each adds to (a) per connection)"

		if (nsets) {
			print ""
			printf "Match cost: per lookup as the probe does it (the socket%cs cgroup ancestors,\n", 39
			printf "then tcpka_match()), kmod/bench.c, median of 3 x %s lookups that end\n", \
				info["lookups"]
			print "at the last policy; the load is tcpka -b FILE -atomic."
			printf "  %-22s %12s %12s %14s\n", "policies", "ns/lookup", "vs 1 policy", "atomic load"
			for (i = 1; i <= nsets; i++) {
				s = order[i]
				mm[s] = median(m[s]) + 0
				printf "  %-22s %12.2f %12s %12.3f s\n", setname(s), mm[s],
					("1" in mm) ? sprintf("%.2f", mm[s] / mm["1"]) : "-",
					load[s] / 1e9
			}
		}
		if (napply) {
			print ""
			print "Apply to existing: tcpka policy apply, 10,000 policies loaded, loopback"
			print "connections held open (both ends are established sockets)."
			printf "  %-22s %10s %12s\n", "established sockets", "applied", "time"
			for (i = 1; i <= napply; i++) {
				s = aorder[i]
				printf "  %-22s %10s %10.1f ms\n", commas(s), commas(applied[s]),
					apply_ns[s] / 1e6
			}
		}
		if (!first)
			exit
		print ""
		print "Targets (judged on these deterministic figures):"
		if ("c" in ratio)
			printf "  %-40s %-24s %s\n", "(c)/(a) >= 0.99", sprintf("%.3f", ratio["c"]),
				verdict(ratio["c"] >= 0.99)
		if ("d" in ratio)
			printf "  %-40s %-24s %s\n", "(d)/(a) >= 0.985", sprintf("%.3f", ratio["d"]),
				verdict(ratio["d"] >= 0.985)
		if (("c" in med) && ("e" in med)) {
			tie = med["c"] - med["e"]
			tie = (tie < 0 ? -tie : tie) <= spread(rates["c"]) + spread(rates["e"])
			printf "  %-40s %-24s %s%s\n", "(c) faster than (e)",
				sprintf("%.1f vs %.1f conn/s", med["c"], med["e"]),
				verdict(med["c"] > med["e"]),
				tie ? " (a tie: within the spread of the runs)" : ""
		}
		if (("100000" in mm) && ("1" in mm))
			printf "  %-40s %-24s %s\n", "match at 100,000 <= 2 x match at 1",
				sprintf("%.2f x", mm["100000"] / mm["1"]),
				verdict(mm["100000"] <= 2 * mm["1"])
		if ("100000" in apply_ns)
			printf "  %-40s %-24s %s\n", "apply to 100,000 sockets < 1 s",
				sprintf("%.3f s", apply_ns["100000"] / 1e9),
				verdict(apply_ns["100000"] < 1e9)
		if ("f" in ratio)
			printf "  %-40s %-24s %s\n", "for reference, (f)/(a)",
				sprintf("%.3f", ratio["f"]), "the cost of the hook alone"
	}' "$f"
done
exit $status
