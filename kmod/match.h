/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The compiled policy table and its lookup: a pure function of a set of
 * rules and a socket key, kept free of the rest of the module so that it
 * can be tested against a linear scan on its own.
 */
#ifndef _TCPKA_MATCH_H
#define _TCPKA_MATCH_H

#include <linux/bits.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <linux/tcpka.h>

struct tcpka_policy;

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

struct tcpka_table *tcpka_table_alloc(u32 n, gfp_t gfp);
int tcpka_table_index(struct tcpka_table *t, gfp_t gfp);
void tcpka_table_free(struct tcpka_table *t);
u32 tcpka_match(const struct tcpka_table *t, const struct tcpka_key *key);
u32 tcpka_match_linear(const struct tcpka_table *t,
		       const struct tcpka_key *key);
bool tcpka_rule_matches(const struct tcpka_rule *r,
			const struct tcpka_key *key);
u32 tcpka_table_rank_of(const struct tcpka_table *t, u32 id);

#endif /* _TCPKA_MATCH_H */
