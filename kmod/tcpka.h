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
#include <linux/tcpka.h>

struct cgroup;
struct net;
struct sock;

/* Policies per network namespace; each costs a few hundred bytes. */
#define TCPKA_POLICIES_MAX	262144

/* Distinct cgroup depths the policies of one namespace may name. */
#define TCPKA_CG_LEVELS_MAX	16

/* Bits of tcpka_action.set: which values the policy gives. */
#define TCPKA_SET_IDLE		BIT(0)
#define TCPKA_SET_INTVL		BIT(1)
#define TCPKA_SET_CNT		BIT(2)
#define TCPKA_SET_USER_TIMEOUT	BIT(3)

struct tcpka_sel {
	u64 cgroup_id;		/* 0: any cgroup */
	u16 lport_min;		/* absent: 0..65535 */
	u16 lport_max;
	u16 rport_min;
	u16 rport_max;
	u16 family;		/* 0: any */
	u8 dir;			/* TCPKA_DIR_ANY: any */
	u8 cg_level;		/* depth of the cgroup, when cgroup_id != 0 */
};

struct tcpka_action {
	u8 mode;
	u8 set;			/* TCPKA_SET_* */
	u16 cnt;
	u32 idle;		/* seconds */
	u32 intvl;		/* seconds */
	u32 user_timeout;	/* milliseconds */
};

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

/*
 * The compiled, immutable form of a set that the probe reads under RCU.
 * rules[] is in evaluation order (pref, id); a rule's index is its rank,
 * and the lookup answers the lowest rank that matches. See match.c.
 */
struct tcpka_rule {
	struct tcpka_sel sel;
	struct tcpka_action act;
	u32 id;
	u8 cg_slot;		/* index of sel.cg_level in idx.cg_levels */
	struct tcpka_policy *pol;
};

/* Open-addressing map from a u64 key to a run of ranks in tcpka_index.ranks */
struct tcpka_hmap {
	u32 mask;			/* slots - 1; no slots when 0 and !slots */
	struct tcpka_hslot *slots;
};

struct tcpka_index {
	struct tcpka_hmap cgroup;	/* cgroup id -> policies on it */
	struct tcpka_hmap lport;	/* exact local port */
	struct tcpka_hmap rport;	/* exact remote port */
	struct tcpka_hmap lblock;	/* narrow local range, per port block */
	struct tcpka_hmap rblock;	/* narrow remote range, per port block */
	struct tcpka_hmap by_id;	/* policy id -> its rank */
	u32 *ranks;
	u32 *wild;			/* policies none of the above index */
	u32 nwild;
	u32 ncg_levels;
	u8 cg_levels[TCPKA_CG_LEVELS_MAX];
};

struct tcpka_table {
	u32 nrules;
	struct tcpka_index idx;
	struct rcu_work free_work;
	struct tcpka_rule rules[];
};

/* What the probe knows of a socket, in the table's terms. */
struct tcpka_key {
	u16 family;
	u8 dir;
	u16 lport;
	u16 rport;
	/* cg[i]: the socket's ancestor id at depth idx.cg_levels[i], or 0 */
	u64 cg[TCPKA_CG_LEVELS_MAX];
};

#define TCPKA_NO_MATCH	U32_MAX

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

/* match.c */
struct tcpka_table *tcpka_table_build(struct tcpka_policy **pols, u32 n,
				      gfp_t gfp);
void tcpka_table_free(struct tcpka_table *t);
u32 tcpka_match(const struct tcpka_table *t, const struct tcpka_key *key);
u32 tcpka_match_linear(const struct tcpka_table *t,
		       const struct tcpka_key *key);
bool tcpka_rule_matches(const struct tcpka_rule *r,
			const struct tcpka_key *key);
u32 tcpka_table_rank_of(const struct tcpka_table *t, u32 id);

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
