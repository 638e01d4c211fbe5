/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tcpka internal interfaces: the policy objects a network namespace owns,
 * the compiled lookup table the probe reads, and the calls between files.
 */
#ifndef _TCPKA_H
#define _TCPKA_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/rhashtable-types.h>
#include <linux/xarray.h>
#include <linux/workqueue.h>
#include <linux/ratelimit_types.h>
#include <linux/cgroup-defs.h>
#include <linux/tcpka.h>
#include "match.h"

struct net;
struct sock;

/* Policies per network namespace; each costs a few hundred bytes. */
#define TCPKA_POLICIES_MAX	262144

struct tcpka_counters {
	u64 matched;
	u64 applied;
	u64 kept;
	u64 skipped;
	u64 existing;
	u64 reaped;
};

/* Shared by the policies that one reload carries a name across. */
struct tcpka_stats {
	refcount_t refcnt;
	struct tcpka_counters __percpu *pcpu;
};

struct tcpka_net_counters {
	u64 seen;
	u64 unmatched;
	u64 events_dropped;
};

/*
 * A policy as the administrator configured it. The config fields change
 * only under tcpka_net.lock; the probe reads only the copy in a compiled
 * table. The object, and so its counters, lives until the last table
 * that references it is freed; a replace keeps the object.
 */
struct tcpka_policy {
	struct list_head node;		/* tcpka_set.policies */
	struct rhash_head name_node;	/* tcpka_set.by_name, if named */
	refcount_t refcnt;		/* the set's, plus one per table */
	u32 id;
	u32 pref;
	char name[TCPKA_NAME_MAX_LEN + 1];	/* "" when unnamed */
	struct tcpka_sel sel;
	struct tcpka_action act;
	struct cgroup *cgrp;		/* reference held, NULL when none */
	struct tcpka_stats *stats;
};

/* A set of policies: the live one, or one staged by a transaction. */
struct tcpka_set {
	struct list_head policies;
	struct xarray by_id;
	struct rhashtable by_name;
	u32 count;
};

struct tcpka_net {
	struct net *net;
	struct mutex lock;		/* serializes every change */
	struct tcpka_set *live;
	struct tcpka_set *staged;	/* open transaction, or NULL */
	u32 staged_portid;		/* its owner; 0 once the owner closed */
	struct tcpka_table __rcu *table;
	u32 next_id;
	u32 gen;			/* bumped on every change, for dumps */
	struct tcpka_net_counters __percpu *stats;
	struct ratelimit_state reap_rs;
};

/*
 * A removed cgroup, as the cgroup core's own cgroup_is_dead() tells: rmdir
 * clears CSS_ONLINE of its self css. css_is_dying() does not serve: on
 * 6.12 it tests CSS_DYING, which the self css of a removed cgroup lacks.
 */
static inline bool tcpka_cgroup_dead(const struct cgroup *cgrp)
{
	return !(READ_ONCE(cgrp->self.flags) & CSS_ONLINE);
}

/* main.c */
struct tcpka_net *tcpka_net(const struct net *net);

/* policy.c */
extern struct workqueue_struct *tcpka_wq;
struct tcpka_set *tcpka_set_create(void);
void tcpka_set_destroy(struct tcpka_set *set);
struct tcpka_policy *tcpka_policy_alloc(void);
void tcpka_policy_put(struct tcpka_policy *pol);
struct tcpka_policy *tcpka_set_find_id(struct tcpka_set *set, u32 id);
struct tcpka_policy *tcpka_set_find_name(struct tcpka_set *set,
					 const char *name);
int tcpka_set_insert(struct tcpka_set *set, struct tcpka_policy *pol);
void tcpka_set_remove(struct tcpka_set *set, struct tcpka_policy *pol);
int tcpka_set_rename(struct tcpka_set *set, struct tcpka_policy *pol,
		     const char *name);
int tcpka_publish(struct tcpka_net *tn);
void tcpka_unpublish(struct tcpka_net *tn);
void tcpka_policy_share_stats(struct tcpka_policy *to,
			      struct tcpka_policy *from);
void tcpka_policy_sum(const struct tcpka_policy *pol,
		      struct tcpka_counters *sum);
void tcpka_net_sum(const struct tcpka_net *tn, struct tcpka_net_counters *sum);
int tcpka_txn_commit(struct tcpka_net *tn);
void tcpka_txn_drop(struct tcpka_net *tn);

/* hook.c */
int tcpka_hook_register(void);
void tcpka_hook_unregister(void);
u8 tcpka_set_keepalive(struct sock *sk, const struct tcpka_action *act,
		       u8 keep);
u8 tcpka_app_values(const struct sock *sk);
void tcpka_key_from_sock(struct tcpka_key *key, const struct sock *sk,
			 u8 dir, const struct tcpka_table *t);

/* netlink.c */
int tcpka_genl_register(void);
void tcpka_genl_unregister(void);
void tcpka_notify_reaped(struct tcpka_net *tn, const struct sock *sk,
			 u32 id, u64 cgroup_id, u32 idle_ms);

/* existing.c */
u32 tcpka_apply_existing(struct tcpka_net *tn, u32 id);

#endif /* _TCPKA_H */
