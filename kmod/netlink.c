// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink family "tcpka": requests that change or read a
 * namespace's policies, and the "monitor" notifications.
 *
 * Every request is parsed and checked in full before the namespace lock is
 * taken, and every change is published in one table swap, so a refused
 * request changes nothing. Value ranges are checked here rather than in
 * the nla_policy so that the extack message can name the rule broken
 * ("idle must be 1..32767"); the nla_policy checks types and lengths.
 */

#include <linux/cgroup.h>
#include <linux/ctype.h>
#include <linux/file.h>
#include <linux/in6.h>
#include <linux/netlink.h>
#include <linux/nsproxy.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/inet_sock.h>
#include <net/ipv6.h>
#include <net/netlink.h>
#include <net/sock.h>
#include "tcpka.h"

/* Formatted extack messages exist from 6.2; before, the plain text. */
#ifdef NL_SET_ERR_MSG_ATTR_FMT
#define tcpka_err_fmt(extack, attr, plain, fmt, args...) \
	NL_SET_ERR_MSG_ATTR_FMT(extack, attr, fmt, ##args)
#else
#define tcpka_err_fmt(extack, attr, plain, fmt, args...) \
	NL_SET_ERR_MSG_ATTR(extack, attr, plain)
#endif

/*
 * NL_SET_ERR_MSG_ATTR() for messages chosen at run time among string
 * literals: extack keeps the pointer, so msg must have static storage.
 */
static void tcpka_err(struct netlink_ext_ack *extack,
		      const struct nlattr *attr, const char *msg)
{
	if (!extack)
		return;
	extack->_msg = msg;
	NL_SET_BAD_ATTR(extack, attr);
}

enum tcpka_mcgrp { TCPKA_MCGRP_IDX_MONITOR };

static const struct genl_multicast_group tcpka_mcgrps[] = {
	[TCPKA_MCGRP_IDX_MONITOR] = { .name = TCPKA_MCGRP_MONITOR, },
};

static struct genl_family tcpka_genl_family;

#define TCPKA_POLICY_ATTRS						\
	[TCPKA_A_ID]		= { .type = NLA_U32 },			\
	[TCPKA_A_NAME]		= { .type = NLA_NUL_STRING },		\
	[TCPKA_A_PREF]		= { .type = NLA_U32 },			\
	[TCPKA_A_CGROUP_ID]	= { .type = NLA_U64 },			\
	[TCPKA_A_CGROUP_FD]	= { .type = NLA_S32 },			\
	[TCPKA_A_LPORT_MIN]	= { .type = NLA_U16 },			\
	[TCPKA_A_LPORT_MAX]	= { .type = NLA_U16 },			\
	[TCPKA_A_RPORT_MIN]	= { .type = NLA_U16 },			\
	[TCPKA_A_RPORT_MAX]	= { .type = NLA_U16 },			\
	[TCPKA_A_FAMILY]	= { .type = NLA_U16 },			\
	[TCPKA_A_DIR]		= { .type = NLA_U8 },			\
	[TCPKA_A_MODE]		= { .type = NLA_U8 },			\
	[TCPKA_A_IDLE]		= { .type = NLA_U32 },			\
	[TCPKA_A_INTVL]		= { .type = NLA_U32 },			\
	[TCPKA_A_CNT]		= { .type = NLA_U32 },			\
	[TCPKA_A_USER_TIMEOUT]	= { .type = NLA_U32 }

/*
 * Each command's policy spans the whole attribute space, so that a known
 * attribute the command does not take, or one only the kernel sends, is
 * refused as "Unsupported attribute" (beyond it: "Unknown attribute type").
 */
static const struct nla_policy tcpka_add_policy[TCPKA_A_MAX + 1] = {
	TCPKA_POLICY_ATTRS,
	[TCPKA_A_EXISTING]	= { .type = NLA_FLAG },
};

static const struct nla_policy tcpka_replace_policy[TCPKA_A_MAX + 1] = {
	TCPKA_POLICY_ATTRS,
};

static const struct nla_policy tcpka_ident_policy[TCPKA_A_MAX + 1] = {
	[TCPKA_A_ID]		= { .type = NLA_U32 },
	[TCPKA_A_NAME]		= { .type = NLA_NUL_STRING },
};

/* A parsed add or replace request, before it touches any policy. */
struct tcpka_req {
	bool has_pref;
	u32 pref;
	bool has_name;
	char name[TCPKA_NAME_MAX_LEN + 1];
	struct tcpka_sel sel;
	struct tcpka_action act;
	struct cgroup *cgrp;		/* reference held */
};

static bool tcpka_name_valid(const char *name)
{
	size_t i, len = strlen(name);

	if (!len || len > TCPKA_NAME_MAX_LEN)
		return false;
	for (i = 0; i < len; i++)
		if (!isgraph(name[i]))
			return false;
	return true;
}

static int tcpka_parse_name(struct nlattr *attr, char *name,
			    struct netlink_ext_ack *extack)
{
	if (!tcpka_name_valid(nla_data(attr))) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "name must be 1..31 printable characters");
		return -EINVAL;
	}
	strscpy_pad(name, nla_data(attr), TCPKA_NAME_MAX_LEN + 1);
	return 0;
}

static int tcpka_parse_range(struct nlattr **tb, int min_attr, int max_attr,
			     u16 *min, u16 *max, const char *empty,
			     const char *lonely, struct netlink_ext_ack *extack)
{
	if (!tb[min_attr]) {
		if (tb[max_attr]) {
			tcpka_err(extack, tb[max_attr], lonely);
			return -EINVAL;
		}
		*min = 0;
		*max = U16_MAX;
		return 0;
	}
	*min = nla_get_u16(tb[min_attr]);
	*max = tb[max_attr] ? nla_get_u16(tb[max_attr]) : *min;
	if (*min > *max) {
		tcpka_err(extack, tb[max_attr], empty);
		return -EINVAL;
	}
	return 0;
}

static int tcpka_parse_u32(struct nlattr *attr, u32 min, u32 max, u32 *val,
			   const char *msg, struct netlink_ext_ack *extack)
{
	*val = nla_get_u32(attr);
	if (*val < min || *val > max) {
		tcpka_err(extack, attr, msg);
		return -EINVAL;
	}
	return 0;
}

static int tcpka_parse_cgroup(struct nlattr **tb, struct tcpka_req *req,
			      struct netlink_ext_ack *extack)
{
	struct cgroup *cgrp;

	if (tb[TCPKA_A_CGROUP_ID] && tb[TCPKA_A_CGROUP_FD]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[TCPKA_A_CGROUP_FD],
				    "cgroup id and fd are mutually exclusive");
		return -EINVAL;
	}
	if (tb[TCPKA_A_CGROUP_ID]) {
		u64 id = nla_get_u64(tb[TCPKA_A_CGROUP_ID]);

		cgrp = cgroup_get_from_id(id);
		if (IS_ERR(cgrp)) {
			tcpka_err_fmt(extack, tb[TCPKA_A_CGROUP_ID],
				      "cgroup does not exist",
				      "cgroup %llu does not exist", id);
			return -ENOENT;
		}
	} else if (tb[TCPKA_A_CGROUP_FD]) {
		int fd = nla_get_s32(tb[TCPKA_A_CGROUP_FD]);
		struct file *f;

		/*
		 * cgroup_get_from_fd() takes O_PATH descriptors too, which
		 * need no permission on the directory: ask for one that the
		 * caller could open.
		 */
		f = fget(fd);
		if (!f) {
			NL_SET_ERR_MSG_ATTR(extack, tb[TCPKA_A_CGROUP_FD],
					    "cgroup fd is not a cgroup v2 directory");
			return -EBADF;
		}
		fput(f);
		cgrp = cgroup_get_from_fd(fd);
		if (IS_ERR(cgrp)) {
			NL_SET_ERR_MSG_ATTR(extack, tb[TCPKA_A_CGROUP_FD],
					    "cgroup fd is not a cgroup v2 directory");
			return PTR_ERR(cgrp);
		}
	} else {
		return 0;
	}
	req->cgrp = cgrp;
	req->sel.cgroup_id = cgroup_id(cgrp);
	req->sel.cg_level = cgrp->level;
	return 0;
}

static int tcpka_parse_action(struct nlattr **tb, struct tcpka_action *act,
			      struct netlink_ext_ack *extack)
{
	u32 val;
	int err;

	act->mode = TCPKA_MODE_DEFAULT;
	if (tb[TCPKA_A_MODE]) {
		act->mode = nla_get_u8(tb[TCPKA_A_MODE]);
		if (act->mode > TCPKA_MODE_SKIP) {
			NL_SET_ERR_MSG_ATTR(extack, tb[TCPKA_A_MODE],
					    "mode must be default, override or skip");
			return -EINVAL;
		}
	}
	if (tb[TCPKA_A_IDLE]) {
		err = tcpka_parse_u32(tb[TCPKA_A_IDLE], 1, TCPKA_IDLE_MAX,
				      &act->idle, "idle must be 1..32767",
				      extack);
		if (err)
			return err;
		act->set |= TCPKA_SET_IDLE;
	}
	if (tb[TCPKA_A_INTVL]) {
		err = tcpka_parse_u32(tb[TCPKA_A_INTVL], 1, TCPKA_INTVL_MAX,
				      &act->intvl, "intvl must be 1..32767",
				      extack);
		if (err)
			return err;
		act->set |= TCPKA_SET_INTVL;
	}
	if (tb[TCPKA_A_CNT]) {
		err = tcpka_parse_u32(tb[TCPKA_A_CNT], 1, TCPKA_CNT_MAX, &val,
				      "cnt must be 1..127", extack);
		if (err)
			return err;
		act->cnt = val;
		act->set |= TCPKA_SET_CNT;
	}
	if (tb[TCPKA_A_USER_TIMEOUT]) {
		err = tcpka_parse_u32(tb[TCPKA_A_USER_TIMEOUT], 0,
				      TCPKA_USER_TIMEOUT_MAX, &act->user_timeout,
				      "user-timeout must be 0..2147483647",
				      extack);
		if (err)
			return err;
		act->set |= TCPKA_SET_USER_TIMEOUT;
	}
	return 0;
}

static int tcpka_parse_selector(struct nlattr **tb, struct tcpka_sel *sel,
				struct netlink_ext_ack *extack)
{
	int err;

	err = tcpka_parse_range(tb, TCPKA_A_LPORT_MIN, TCPKA_A_LPORT_MAX,
				&sel->lport_min, &sel->lport_max,
				"lport range is empty",
				"lport max given without min", extack);
	if (err)
		return err;
	err = tcpka_parse_range(tb, TCPKA_A_RPORT_MIN, TCPKA_A_RPORT_MAX,
				&sel->rport_min, &sel->rport_max,
				"rport range is empty",
				"rport max given without min", extack);
	if (err)
		return err;
	if (tb[TCPKA_A_FAMILY]) {
		sel->family = nla_get_u16(tb[TCPKA_A_FAMILY]);
		if (sel->family != AF_INET && sel->family != AF_INET6) {
			NL_SET_ERR_MSG_ATTR(extack, tb[TCPKA_A_FAMILY],
					    "family must be inet or inet6");
			return -EINVAL;
		}
	}
	if (tb[TCPKA_A_DIR]) {
		sel->dir = nla_get_u8(tb[TCPKA_A_DIR]);
		if (sel->dir != TCPKA_DIR_IN && sel->dir != TCPKA_DIR_OUT) {
			NL_SET_ERR_MSG_ATTR(extack, tb[TCPKA_A_DIR],
					    "dir must be in or out");
			return -EINVAL;
		}
	}
	return 0;
}

/* Everything but the cgroup, which takes a reference: parse it last. */
static int tcpka_parse_req(struct genl_info *info, struct tcpka_req *req)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr **tb = info->attrs;
	int err;

	memset(req, 0, sizeof(*req));
	if (tb[TCPKA_A_NAME]) {
		err = tcpka_parse_name(tb[TCPKA_A_NAME], req->name, extack);
		if (err)
			return err;
		req->has_name = true;
	}
	if (tb[TCPKA_A_PREF]) {
		req->pref = nla_get_u32(tb[TCPKA_A_PREF]);
		req->has_pref = true;
	}
	err = tcpka_parse_selector(tb, &req->sel, extack);
	if (err)
		return err;
	err = tcpka_parse_action(tb, &req->act, extack);
	if (err)
		return err;
	return tcpka_parse_cgroup(tb, req, extack);
}

static int tcpka_put_stats(struct sk_buff *skb, const struct tcpka_policy *pol)
{
	struct tcpka_counters sum;
	struct nlattr *nest;

	tcpka_policy_sum(pol, &sum);
	nest = nla_nest_start(skb, TCPKA_A_STATS);
	if (!nest ||
	    nla_put_u64_64bit(skb, TCPKA_STATS_A_MATCHED, sum.matched,
			      TCPKA_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, TCPKA_STATS_A_APPLIED, sum.applied,
			      TCPKA_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, TCPKA_STATS_A_KEPT, sum.kept,
			      TCPKA_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, TCPKA_STATS_A_SKIPPED, sum.skipped,
			      TCPKA_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, TCPKA_STATS_A_EXISTING, sum.existing,
			      TCPKA_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, TCPKA_STATS_A_REAPED, sum.reaped,
			      TCPKA_STATS_A_PAD))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int tcpka_put_cgroup(struct sk_buff *skb, const struct tcpka_policy *pol)
{
	char *path;
	int err;

	if (nla_put_u64_64bit(skb, TCPKA_A_CGROUP_ID, pol->sel.cgroup_id,
			      TCPKA_A_PAD))
		return -EMSGSIZE;
	if (tcpka_cgroup_dead(pol->cgrp) &&
	    nla_put_flag(skb, TCPKA_A_CGROUP_DEAD))
		return -EMSGSIZE;

	path = kmalloc(PATH_MAX, GFP_KERNEL);
	if (!path)
		return -ENOMEM;
	err = cgroup_path_ns(pol->cgrp, path, PATH_MAX,
			     current->nsproxy->cgroup_ns);
	/* a cgroup outside the reader's cgroup namespace has no path */
	if (err >= 0 && err < PATH_MAX)
		err = nla_put_string(skb, TCPKA_A_CGROUP_PATH, path);
	else
		err = 0;
	kfree(path);
	return err;
}

static int tcpka_put_policy(struct sk_buff *skb, const struct tcpka_policy *pol)
{
	const struct tcpka_sel *s = &pol->sel;
	const struct tcpka_action *a = &pol->act;

	if (nla_put_u32(skb, TCPKA_A_ID, pol->id) ||
	    (pol->name[0] && nla_put_string(skb, TCPKA_A_NAME, pol->name)) ||
	    nla_put_u32(skb, TCPKA_A_PREF, pol->pref))
		return -EMSGSIZE;
	if (pol->cgrp && tcpka_put_cgroup(skb, pol))
		return -EMSGSIZE;
	if ((s->lport_min || s->lport_max != U16_MAX) &&
	    (nla_put_u16(skb, TCPKA_A_LPORT_MIN, s->lport_min) ||
	     nla_put_u16(skb, TCPKA_A_LPORT_MAX, s->lport_max)))
		return -EMSGSIZE;
	if ((s->rport_min || s->rport_max != U16_MAX) &&
	    (nla_put_u16(skb, TCPKA_A_RPORT_MIN, s->rport_min) ||
	     nla_put_u16(skb, TCPKA_A_RPORT_MAX, s->rport_max)))
		return -EMSGSIZE;
	if ((s->family && nla_put_u16(skb, TCPKA_A_FAMILY, s->family)) ||
	    (s->dir && nla_put_u8(skb, TCPKA_A_DIR, s->dir)) ||
	    nla_put_u8(skb, TCPKA_A_MODE, a->mode))
		return -EMSGSIZE;
	if (((a->set & TCPKA_SET_IDLE) &&
	     nla_put_u32(skb, TCPKA_A_IDLE, a->idle)) ||
	    ((a->set & TCPKA_SET_INTVL) &&
	     nla_put_u32(skb, TCPKA_A_INTVL, a->intvl)) ||
	    ((a->set & TCPKA_SET_CNT) &&
	     nla_put_u32(skb, TCPKA_A_CNT, a->cnt)) ||
	    ((a->set & TCPKA_SET_USER_TIMEOUT) &&
	     nla_put_u32(skb, TCPKA_A_USER_TIMEOUT, a->user_timeout)))
		return -EMSGSIZE;
	return tcpka_put_stats(skb, pol);
}

static int tcpka_fill_policy(struct sk_buff *skb, const struct tcpka_policy *pol,
			     u32 portid, u32 seq, int flags, u8 cmd,
			     struct netlink_callback *cb)
{
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &tcpka_genl_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (cb)
		genl_dump_check_consistent(cb, hdr);
	if (pol && tcpka_put_policy(skb, pol)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static void tcpka_notify(struct tcpka_net *tn, const struct tcpka_policy *pol,
			 u8 cmd)
{
	struct sk_buff *skb;

	if (!genl_has_listeners(&tcpka_genl_family, tn->net,
				TCPKA_MCGRP_IDX_MONITOR))
		return;
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return;
	if (tcpka_fill_policy(skb, pol, 0, 0, 0, cmd, NULL)) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_multicast_netns(&tcpka_genl_family, tn->net, skb, 0,
				TCPKA_MCGRP_IDX_MONITOR, GFP_KERNEL);
}

static int tcpka_put_addr(struct sk_buff *skb, int attr, const struct sock *sk,
			  bool local)
{
#if IS_ENABLED(CONFIG_IPV6)
	if (sk->sk_family == AF_INET6)
		return nla_put_in6_addr(skb, attr, local ? &sk->sk_v6_rcv_saddr :
					&sk->sk_v6_daddr);
#endif
	return nla_put_in_addr(skb, attr, local ? sk->sk_rcv_saddr :
			       sk->sk_daddr);
}

/*
 * Called from the probe, in softirq or with the socket locked: atomic
 * allocation, and a per-namespace rate limit so that a storm of dead
 * peers cannot flood the listeners or the kernel.
 */
void tcpka_notify_reaped(struct tcpka_net *tn, const struct sock *sk,
			 u32 id, u64 cgroup_id, u32 idle_ms)
{
	const struct inet_sock *inet = inet_sk(sk);
	struct sk_buff *skb;
	void *hdr;

	if (!genl_has_listeners(&tcpka_genl_family, tn->net,
				TCPKA_MCGRP_IDX_MONITOR))
		return;
	if (!__ratelimit(&tn->reap_rs)) {
		this_cpu_inc(tn->stats->events_dropped);
		return;
	}
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_ATOMIC);
	if (!skb)
		goto drop;
	hdr = genlmsg_put(skb, 0, 0, &tcpka_genl_family, 0,
			  TCPKA_CMD_PEER_REAPED);
	if (!hdr ||
	    nla_put_u32(skb, TCPKA_A_ID, id) ||
	    nla_put_u16(skb, TCPKA_A_FAMILY, sk->sk_family) ||
	    tcpka_put_addr(skb, TCPKA_A_LADDR, sk, true) ||
	    tcpka_put_addr(skb, TCPKA_A_RADDR, sk, false) ||
	    /* inet_num is gone: inet_put_port() ran before the tracepoint */
	    nla_put_u16(skb, TCPKA_A_LPORT, ntohs(inet->inet_sport)) ||
	    nla_put_u16(skb, TCPKA_A_RPORT, ntohs(inet->inet_dport)) ||
	    (cgroup_id && nla_put_u64_64bit(skb, TCPKA_A_CGROUP_ID, cgroup_id,
					    TCPKA_A_PAD)) ||
	    nla_put_u32(skb, TCPKA_A_IDLE_MS, idle_ms)) {
		nlmsg_free(skb);
		goto drop;
	}
	genlmsg_end(skb, hdr);
	genlmsg_multicast_netns(&tcpka_genl_family, tn->net, skb, 0,
				TCPKA_MCGRP_IDX_MONITOR, GFP_ATOMIC);
	return;
drop:
	this_cpu_inc(tn->stats->events_dropped);
}

/*
 * The set a change applies to. While a transaction is open, its owner's
 * adds go to the staged set and everybody else's changes wait. A staged
 * set whose owner closed its socket is dropped here.
 */
static struct tcpka_set *tcpka_target(struct tcpka_net *tn,
				      struct genl_info *info, bool staging)
{
	if (tn->staged && !READ_ONCE(tn->staged_portid))
		tcpka_txn_drop(tn);
	if (!tn->staged)
		return tn->live;
	if (tn->staged_portid != info->snd_portid) {
		NL_SET_ERR_MSG(info->extack,
			       "another transaction is in progress");
		return ERR_PTR(-EBUSY);
	}
	if (!staging) {
		NL_SET_ERR_MSG(info->extack,
			       "only policy add is allowed in a transaction");
		return ERR_PTR(-EINVAL);
	}
	return tn->staged;
}

/* The policy named by TCPKA_A_ID, or else TCPKA_A_NAME, in set. */
static struct tcpka_policy *tcpka_lookup(struct tcpka_set *set,
					 struct genl_info *info)
{
	struct nlattr **tb = info->attrs;
	struct tcpka_policy *pol = NULL;
	struct nlattr *attr;

	if (tb[TCPKA_A_ID]) {
		attr = tb[TCPKA_A_ID];
		pol = tcpka_set_find_id(set, nla_get_u32(attr));
	} else if (tb[TCPKA_A_NAME]) {
		attr = tb[TCPKA_A_NAME];
		if (tcpka_name_valid(nla_data(attr)))
			pol = tcpka_set_find_name(set, nla_data(attr));
	} else {
		NL_SET_ERR_MSG(info->extack, "policy id or name is required");
		return ERR_PTR(-EINVAL);
	}
	if (!pol) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr, "policy not found");
		return ERR_PTR(-ENOENT);
	}
	return pol;
}

static u32 tcpka_new_id(struct tcpka_net *tn, struct tcpka_set *set,
			const char *name)
{
	struct tcpka_policy *live;

	/* a staged policy takes the id of the live one it will replace */
	if (set != tn->live && name[0]) {
		live = tcpka_set_find_name(tn->live, name);
		if (live)
			return live->id;
	}
	if (tn->next_id == U32_MAX)
		return 0;
	return ++tn->next_id;
}

static void tcpka_publish_err(int err, struct netlink_ext_ack *extack)
{
	if (err == -E2BIG)
		NL_SET_ERR_MSG(extack,
			       "policies name too many distinct cgroup depths");
}

/* Adds pol to the live or staged set; *live says which. */
static int tcpka_add_locked(struct tcpka_net *tn, struct genl_info *info,
			    struct tcpka_policy *pol, bool *live)
{
	struct netlink_ext_ack *extack = info->extack;
	struct tcpka_set *set;
	int err;

	set = tcpka_target(tn, info, true);
	if (IS_ERR(set))
		return PTR_ERR(set);
	*live = set == tn->live;
	if (info->attrs[TCPKA_A_EXISTING] && !*live) {
		NL_SET_ERR_MSG_ATTR(extack, info->attrs[TCPKA_A_EXISTING],
				    "existing cannot be used in a transaction");
		return -EINVAL;
	}
	if (set->count >= TCPKA_POLICIES_MAX) {
		NL_SET_ERR_MSG(extack, "too many policies");
		return -ENOSPC;
	}
	if (pol->name[0] && tcpka_set_find_name(set, pol->name)) {
		NL_SET_ERR_MSG_ATTR(extack, info->attrs[TCPKA_A_NAME],
				    "name already in use");
		return -EEXIST;
	}
	pol->id = tcpka_new_id(tn, set, pol->name);
	if (!pol->id) {
		NL_SET_ERR_MSG(extack, "policy ids exhausted");
		return -ENOSPC;
	}
	err = tcpka_set_insert(set, pol);
	if (err || !*live)
		return err;

	err = tcpka_publish(tn);
	if (err) {
		tcpka_set_remove(set, pol);
		tcpka_publish_err(err, extack);
	}
	return err;
}

static int tcpka_nl_add(struct sk_buff *skb, struct genl_info *info)
{
	struct tcpka_net *tn = tcpka_net(genl_info_net(info));
	bool existing = info->attrs[TCPKA_A_EXISTING];
	struct tcpka_policy *pol;
	struct sk_buff *msg;
	struct tcpka_req req;
	u32 applied = 0;
	bool live;
	void *hdr;
	int err;

	if (info->attrs[TCPKA_A_ID]) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[TCPKA_A_ID],
				    "id is assigned by the kernel");
		return -EINVAL;
	}
	err = tcpka_parse_req(info, &req);
	if (err)
		return err;
	err = -ENOMEM;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	pol = tcpka_policy_alloc();
	if (!msg || !pol)
		goto err_free;

	pol->pref = req.has_pref ? req.pref : TCPKA_PREF_DEFAULT;
	memcpy(pol->name, req.name, sizeof(pol->name));
	pol->sel = req.sel;
	pol->act = req.act;
	pol->cgrp = req.cgrp;
	req.cgrp = NULL;

	mutex_lock(&tn->lock);
	err = tcpka_add_locked(tn, info, pol, &live);
	if (err) {
		mutex_unlock(&tn->lock);
		goto err_free;
	}
	/* the set holds pol now; the reply still reads it under the lock */
	if (existing)
		applied = tcpka_apply_existing(tn, pol->id);
	hdr = genlmsg_put_reply(msg, info, &tcpka_genl_family, 0,
				TCPKA_CMD_POLICY_ADD);
	if (hdr && !tcpka_put_policy(msg, pol) &&
	    (!existing || !nla_put_u32(msg, TCPKA_A_APPLIED, applied)))
		genlmsg_end(msg, hdr);
	else
		err = -EMSGSIZE;
	if (live)
		tcpka_notify(tn, pol, TCPKA_CMD_POLICY_ADD);
	mutex_unlock(&tn->lock);
	if (err) {
		/* added all the same: the reply alone did not fit */
		nlmsg_free(msg);
		return 0;
	}
	return genlmsg_reply(msg, info);

err_free:
	if (req.cgrp)
		cgroup_put(req.cgrp);
	tcpka_policy_put(pol);
	nlmsg_free(msg);
	return err;
}

static int tcpka_replace_locked(struct tcpka_net *tn, struct genl_info *info,
				struct tcpka_req *req,
				struct tcpka_policy **polp)
{
	struct netlink_ext_ack *extack = info->extack;
	bool rename = info->attrs[TCPKA_A_ID] && req->has_name;
	char old_name[TCPKA_NAME_MAX_LEN + 1];
	struct tcpka_policy *pol, saved;
	struct tcpka_set *set;
	int err;

	set = tcpka_target(tn, info, false);
	if (IS_ERR(set))
		return PTR_ERR(set);
	pol = tcpka_lookup(set, info);
	if (IS_ERR(pol))
		return PTR_ERR(pol);
	memcpy(old_name, pol->name, sizeof(old_name));
	if (rename) {
		err = tcpka_set_rename(set, pol, req->name);
		if (err) {
			if (err == -EEXIST)
				NL_SET_ERR_MSG_ATTR(extack,
						    info->attrs[TCPKA_A_NAME],
						    "name already in use");
			return err;
		}
	}

	saved = *pol;
	pol->sel = req->sel;
	pol->act = req->act;
	if (req->has_pref)
		pol->pref = req->pref;
	pol->cgrp = req->cgrp;
	err = tcpka_publish(tn);
	if (err) {
		pol->sel = saved.sel;
		pol->act = saved.act;
		pol->pref = saved.pref;
		pol->cgrp = saved.cgrp;
		if (rename)
			tcpka_set_rename(set, pol, old_name);
		tcpka_publish_err(err, extack);
		return err;
	}
	/* the tables copied the selector; the old cgroup is the caller's to put */
	req->cgrp = saved.cgrp;
	*polp = pol;
	return 0;
}

static int tcpka_nl_replace(struct sk_buff *skb, struct genl_info *info)
{
	struct tcpka_net *tn = tcpka_net(genl_info_net(info));
	struct tcpka_policy *pol = NULL;
	struct sk_buff *msg;
	struct tcpka_req req;
	void *hdr;
	int err;

	err = tcpka_parse_req(info, &req);
	if (err)
		return err;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg) {
		err = -ENOMEM;
		goto out_put;
	}

	mutex_lock(&tn->lock);
	err = tcpka_replace_locked(tn, info, &req, &pol);
	if (err)
		goto out_unlock;
	hdr = genlmsg_put_reply(msg, info, &tcpka_genl_family, 0,
				TCPKA_CMD_POLICY_REPLACE);
	if (!hdr || tcpka_put_policy(msg, pol)) {
		err = -EMSGSIZE;
		goto out_unlock;
	}
	genlmsg_end(msg, hdr);
	tcpka_notify(tn, pol, TCPKA_CMD_POLICY_REPLACE);
	mutex_unlock(&tn->lock);
	if (req.cgrp)
		cgroup_put(req.cgrp);
	return genlmsg_reply(msg, info);

out_unlock:
	mutex_unlock(&tn->lock);
	nlmsg_free(msg);
out_put:
	if (req.cgrp)
		cgroup_put(req.cgrp);
	return err;
}

static int tcpka_nl_del(struct sk_buff *skb, struct genl_info *info)
{
	struct tcpka_net *tn = tcpka_net(genl_info_net(info));
	struct tcpka_policy *pol;
	struct tcpka_set *set;
	int err;

	mutex_lock(&tn->lock);
	set = tcpka_target(tn, info, false);
	err = PTR_ERR_OR_ZERO(set);
	if (err)
		goto out;
	pol = tcpka_lookup(set, info);
	err = PTR_ERR_OR_ZERO(pol);
	if (err)
		goto out;
	tcpka_set_remove(set, pol);
	err = tcpka_publish(tn);
	if (err) {
		/* cannot fail: the id and name were just free in set */
		WARN_ON_ONCE(tcpka_set_insert(set, pol));
		goto out;
	}
	tcpka_notify(tn, pol, TCPKA_CMD_POLICY_DEL);
	tcpka_policy_put(pol);
out:
	mutex_unlock(&tn->lock);
	return err;
}

static int tcpka_nl_flush(struct sk_buff *skb, struct genl_info *info)
{
	struct tcpka_net *tn = tcpka_net(genl_info_net(info));
	struct tcpka_set *set, *empty;
	int err;

	empty = tcpka_set_create();
	if (!empty)
		return -ENOMEM;
	mutex_lock(&tn->lock);
	set = tcpka_target(tn, info, false);
	err = PTR_ERR_OR_ZERO(set);
	if (err)
		goto out;
	swap(tn->live, empty);
	err = tcpka_publish(tn);
	if (err) {
		swap(tn->live, empty);
		goto out;
	}
	tcpka_notify(tn, NULL, TCPKA_CMD_POLICY_FLUSH);
out:
	mutex_unlock(&tn->lock);
	tcpka_set_destroy(empty);
	return err;
}

static int tcpka_nl_get(struct sk_buff *skb, struct genl_info *info)
{
	struct tcpka_net *tn = tcpka_net(genl_info_net(info));
	struct tcpka_policy *pol;
	struct sk_buff *msg;
	int err;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	mutex_lock(&tn->lock);
	pol = tcpka_lookup(tn->live, info);
	err = PTR_ERR_OR_ZERO(pol);
	if (!err)
		err = tcpka_fill_policy(msg, pol, info->snd_portid,
					info->snd_seq, 0, TCPKA_CMD_POLICY_GET,
					NULL);
	mutex_unlock(&tn->lock);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

/* Policies in evaluation order; cb->args[0] is the next rank to send. */
static int tcpka_nl_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct tcpka_net *tn = tcpka_net(sock_net(skb->sk));
	const struct tcpka_table *t;
	unsigned long i;
	int err = 0;

	mutex_lock(&tn->lock);
	t = rcu_dereference_protected(tn->table, lockdep_is_held(&tn->lock));
	cb->seq = tn->gen;
	for (i = cb->args[0]; t && i < t->nrules; i++) {
		err = tcpka_fill_policy(skb, t->rules[i].pol,
					NETLINK_CB(cb->skb).portid,
					cb->nlh->nlmsg_seq, NLM_F_MULTI,
					TCPKA_CMD_POLICY_GET, cb);
		if (err)
			break;
	}
	mutex_unlock(&tn->lock);
	cb->args[0] = i;
	/* a policy too big for an empty skb would loop forever */
	if (err && !skb->len)
		return err;
	return skb->len;
}

static int tcpka_nl_apply(struct sk_buff *skb, struct genl_info *info)
{
	struct tcpka_net *tn = tcpka_net(genl_info_net(info));
	struct tcpka_policy *pol;
	struct tcpka_set *set;
	struct sk_buff *msg;
	u32 applied = 0, id = 0;
	void *hdr;
	int err;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	mutex_lock(&tn->lock);
	set = tcpka_target(tn, info, false);
	err = PTR_ERR_OR_ZERO(set);
	if (!err && (info->attrs[TCPKA_A_ID] || info->attrs[TCPKA_A_NAME])) {
		pol = tcpka_lookup(set, info);
		err = PTR_ERR_OR_ZERO(pol);
		if (!err)
			id = pol->id;
	}
	if (!err)
		applied = tcpka_apply_existing(tn, id);
	mutex_unlock(&tn->lock);
	if (err)
		goto err_free;

	err = -EMSGSIZE;
	hdr = genlmsg_put_reply(msg, info, &tcpka_genl_family, 0,
				TCPKA_CMD_POLICY_APPLY);
	if (!hdr || nla_put_u32(msg, TCPKA_A_APPLIED, applied))
		goto err_free;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free:
	nlmsg_free(msg);
	return err;
}

static int tcpka_nl_stats(struct sk_buff *skb, struct genl_info *info)
{
	struct tcpka_net *tn = tcpka_net(genl_info_net(info));
	struct tcpka_net_counters sum;
	struct nlattr *nest;
	struct sk_buff *msg;
	u32 policies;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	mutex_lock(&tn->lock);
	policies = tn->live->count;
	mutex_unlock(&tn->lock);
	tcpka_net_sum(tn, &sum);

	hdr = genlmsg_put_reply(msg, info, &tcpka_genl_family, 0,
				TCPKA_CMD_STATS_GET);
	if (!hdr)
		goto err;
	nest = nla_nest_start(msg, TCPKA_A_STATS);
	if (!nest ||
	    nla_put_u64_64bit(msg, TCPKA_STATS_A_SEEN, sum.seen,
			      TCPKA_STATS_A_PAD) ||
	    nla_put_u64_64bit(msg, TCPKA_STATS_A_UNMATCHED, sum.unmatched,
			      TCPKA_STATS_A_PAD) ||
	    nla_put_u64_64bit(msg, TCPKA_STATS_A_EVENTS_DROPPED,
			      sum.events_dropped, TCPKA_STATS_A_PAD) ||
	    nla_put_u64_64bit(msg, TCPKA_STATS_A_POLICIES, policies,
			      TCPKA_STATS_A_PAD))
		goto err;
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
err:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static int tcpka_nl_txn_begin(struct sk_buff *skb, struct genl_info *info)
{
	struct tcpka_net *tn = tcpka_net(genl_info_net(info));
	struct tcpka_set *staged;
	int err = 0;

	staged = tcpka_set_create();
	if (!staged)
		return -ENOMEM;
	mutex_lock(&tn->lock);
	if (tn->staged && !READ_ONCE(tn->staged_portid))
		tcpka_txn_drop(tn);
	if (tn->staged) {
		tcpka_err(info->extack, NULL,
			  tn->staged_portid == info->snd_portid ?
			  "transaction already open" :
			  "another transaction is in progress");
		err = -EBUSY;
	} else {
		tn->staged = staged;
		WRITE_ONCE(tn->staged_portid, info->snd_portid);
		staged = NULL;
	}
	mutex_unlock(&tn->lock);
	tcpka_set_destroy(staged);
	return err;
}

static int tcpka_txn_owner(struct tcpka_net *tn, struct genl_info *info)
{
	if (!tn->staged || tn->staged_portid != info->snd_portid) {
		NL_SET_ERR_MSG(info->extack, "no transaction open");
		return -ENOENT;
	}
	return 0;
}

static int tcpka_nl_txn_commit(struct sk_buff *skb, struct genl_info *info)
{
	struct tcpka_net *tn = tcpka_net(genl_info_net(info));
	struct tcpka_policy *pol;
	int err;

	mutex_lock(&tn->lock);
	err = tcpka_txn_owner(tn, info);
	if (!err)
		err = tcpka_txn_commit(tn);
	if (err) {
		tcpka_publish_err(err, info->extack);
	} else if (genl_has_listeners(&tcpka_genl_family, tn->net,
				      TCPKA_MCGRP_IDX_MONITOR)) {
		tcpka_notify(tn, NULL, TCPKA_CMD_POLICY_FLUSH);
		list_for_each_entry(pol, &tn->live->policies, node)
			tcpka_notify(tn, pol, TCPKA_CMD_POLICY_ADD);
	}
	mutex_unlock(&tn->lock);
	return err;
}

static int tcpka_nl_txn_abort(struct sk_buff *skb, struct genl_info *info)
{
	struct tcpka_net *tn = tcpka_net(genl_info_net(info));
	int err;

	mutex_lock(&tn->lock);
	err = tcpka_txn_owner(tn, info);
	if (!err)
		tcpka_txn_drop(tn);
	mutex_unlock(&tn->lock);
	return err;
}

static const struct genl_ops tcpka_genl_ops[] = {
	{
		.cmd = TCPKA_CMD_POLICY_ADD,
		.doit = tcpka_nl_add,
		.policy = tcpka_add_policy,
		.maxattr = ARRAY_SIZE(tcpka_add_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = TCPKA_CMD_POLICY_REPLACE,
		.doit = tcpka_nl_replace,
		.policy = tcpka_replace_policy,
		.maxattr = ARRAY_SIZE(tcpka_replace_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = TCPKA_CMD_POLICY_DEL,
		.doit = tcpka_nl_del,
		.policy = tcpka_ident_policy,
		.maxattr = ARRAY_SIZE(tcpka_ident_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = TCPKA_CMD_POLICY_GET,
		.doit = tcpka_nl_get,
		.dumpit = tcpka_nl_dump,
		.policy = tcpka_ident_policy,
		.maxattr = ARRAY_SIZE(tcpka_ident_policy) - 1,
	},
	{
		.cmd = TCPKA_CMD_POLICY_FLUSH,
		.doit = tcpka_nl_flush,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = TCPKA_CMD_POLICY_APPLY,
		.doit = tcpka_nl_apply,
		.policy = tcpka_ident_policy,
		.maxattr = ARRAY_SIZE(tcpka_ident_policy) - 1,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = TCPKA_CMD_STATS_GET,
		.doit = tcpka_nl_stats,
	},
	{
		.cmd = TCPKA_CMD_TXN_BEGIN,
		.doit = tcpka_nl_txn_begin,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = TCPKA_CMD_TXN_COMMIT,
		.doit = tcpka_nl_txn_commit,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = TCPKA_CMD_TXN_ABORT,
		.doit = tcpka_nl_txn_abort,
		.flags = GENL_UNS_ADMIN_PERM,
	},
};

static struct genl_family tcpka_genl_family __ro_after_init = {
	.name = TCPKA_GENL_NAME,
	.version = TCPKA_GENL_VERSION,
	.netnsok = true,
	.module = THIS_MODULE,
	.ops = tcpka_genl_ops,
	.n_ops = ARRAY_SIZE(tcpka_genl_ops),
	.mcgrps = tcpka_mcgrps,
	.n_mcgrps = ARRAY_SIZE(tcpka_mcgrps),
};

/* A transaction's owner closed its socket: the staged set is now orphaned. */
static int tcpka_nl_release(struct notifier_block *nb, unsigned long event,
			    void *ptr)
{
	struct netlink_notify *n = ptr;
	struct tcpka_net *tn;

	if (event != NETLINK_URELEASE || n->protocol != NETLINK_GENERIC ||
	    !n->portid)
		return NOTIFY_DONE;
	tn = tcpka_net(n->net);
	cmpxchg(&tn->staged_portid, n->portid, 0);
	return NOTIFY_DONE;
}

static struct notifier_block tcpka_nl_notifier = {
	.notifier_call = tcpka_nl_release,
};

int tcpka_genl_register(void)
{
	int err;

	err = genl_register_family(&tcpka_genl_family);
	if (err)
		return err;
	err = netlink_register_notifier(&tcpka_nl_notifier);
	if (err)
		genl_unregister_family(&tcpka_genl_family);
	return err;
}

void tcpka_genl_unregister(void)
{
	netlink_unregister_notifier(&tcpka_nl_notifier);
	genl_unregister_family(&tcpka_genl_family);
}
