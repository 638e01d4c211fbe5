// SPDX-License-Identifier: GPL-2.0
/*
 * Bench builds only (make bench, TCPKA_BENCH=1): what one policy lookup
 * costs, measured in the kernel where the probe does it.
 *
 * /sys/module/tcpka/parameters/match_bench
 *   write "COUNT LPORT RPORT [FAMILY [DIR]]": runs COUNT lookups in the
 *         writer's network namespace for a socket with those ports
 *         (family AF_INET and dir TCPKA_DIR_IN by default) in the
 *         writer's cgroup, as the probe does for an established socket:
 *         the key's cgroup ancestors, then tcpka_match().
 *   read: "lookups=N ns=T ns_per_lookup=X.YY rank=R rules=M" of the
 *         last run; rank is the rule that matched (4294967295: none).
 *
 * A module parameter rather than a debugfs file: the module loader
 * creates and removes it, so this file needs no call from main.c. The
 * parameter lock serializes writes and reads.
 *
 * Lookups run in batches under rcu_read_lock() with a reschedule in
 * between, so a long run stalls neither RCU nor the CPU; only the
 * lookups themselves are timed. A run sees whatever table is live at
 * each batch: do not change policies during it.
 */

#include <linux/cgroup.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/nsproxy.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/socket.h>
#include <net/net_namespace.h>
#include "tcpka.h"

#define TCPKA_BENCH_BATCH	1024
#define TCPKA_BENCH_MAX		100000000U

struct tcpka_bench_result {
	u32 lookups;
	u64 ns;
	u32 rank;
	u32 rules;
};

static struct tcpka_bench_result tcpka_bench_last;

/* The writer's cgroup ancestors at the depths t's policies name. */
static void tcpka_bench_key_cgroups(struct tcpka_key *key,
				    const struct tcpka_table *t)
{
	struct cgroup *cgrp, *anc;
	u32 i;

	cgrp = task_dfl_cgroup(current);
	for (i = 0; i < t->idx.ncg_levels; i++) {
		anc = cgroup_ancestor(cgrp, t->idx.cg_levels[i]);
		key->cg[i] = anc ? cgroup_id(anc) : 0;
	}
}

/* Runs up to n lookups on the live table; adds their time to res. */
static void tcpka_bench_batch(struct tcpka_net *tn, struct tcpka_key *key,
			      u32 n, struct tcpka_bench_result *res)
{
	const struct tcpka_table *t;
	u32 i, rank = TCPKA_NO_MATCH;
	u64 start;

	rcu_read_lock();
	t = rcu_dereference(tn->table);
	if (t) {
		start = ktime_get_ns();
		for (i = 0; i < n; i++) {
			tcpka_bench_key_cgroups(key, t);
			rank = tcpka_match(t, key);
		}
		res->ns += ktime_get_ns() - start;
		res->rules = t->nrules;
	}
	rcu_read_unlock();
	res->rank = rank;
	res->lookups += n;
}

static int tcpka_bench_run(u32 count, struct tcpka_key *key)
{
	struct tcpka_bench_result res = { .rank = TCPKA_NO_MATCH };
	struct tcpka_net *tn = tcpka_net(current->nsproxy->net_ns);
	u32 n;

	while (res.lookups < count) {
		n = min(count - res.lookups, TCPKA_BENCH_BATCH);
		tcpka_bench_batch(tn, key, n, &res);
		if (signal_pending(current))
			return -EINTR;
		cond_resched();
	}
	tcpka_bench_last = res;
	return 0;
}

static int tcpka_bench_set(const char *val, const struct kernel_param *kp)
{
	struct tcpka_key key = { .family = AF_INET, .dir = TCPKA_DIR_IN };
	u32 count;
	int n, err;

	n = sscanf(val, "%u %hu %hu %hu %hhu", &count, &key.lport, &key.rport,
		   &key.family, &key.dir);
	if (n < 3 || !count || count > TCPKA_BENCH_MAX)
		return -EINVAL;

	/* Not while the module's init or exit runs: tcpka_net() is not set. */
	if (!try_module_get(THIS_MODULE))
		return -ENODEV;
	err = -EAGAIN;
	if (THIS_MODULE->state == MODULE_STATE_LIVE)
		err = tcpka_bench_run(count, &key);
	module_put(THIS_MODULE);
	return err;
}

static int tcpka_bench_get(char *buf, const struct kernel_param *kp)
{
	const struct tcpka_bench_result *res = &tcpka_bench_last;
	u64 centi = 0, whole;
	u32 frac;

	if (res->lookups)
		centi = div_u64(res->ns * 100, res->lookups);
	whole = div_u64_rem(centi, 100, &frac);
	return sysfs_emit(buf,
			  "lookups=%u ns=%llu ns_per_lookup=%llu.%02u rank=%u rules=%u\n",
			  res->lookups, res->ns, whole, frac, res->rank,
			  res->rules);
}

static const struct kernel_param_ops tcpka_bench_ops = {
	.set = tcpka_bench_set,
	.get = tcpka_bench_get,
};

module_param_cb(match_bench, &tcpka_bench_ops, NULL, 0600);
MODULE_PARM_DESC(match_bench,
		 "bench build: write \"COUNT LPORT RPORT [FAMILY [DIR]]\" to time COUNT policy lookups, read the result");
