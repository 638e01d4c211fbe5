// SPDX-License-Identifier: GPL-2.0
/*
 * tcpka: the generic-netlink side of the tool, on libnl-genl-3.
 *
 * Requests carry NLM_F_ACK; the socket has NETLINK_EXT_ACK (so refusals
 * come with the kernel's message) and NETLINK_CAP_ACK (so the error does
 * not echo our request back). A request ends with its ACK, its NLMSG_ERROR
 * or, for a dump, NLMSG_DONE.
 *
 * A dump is read whole before any of it is handed on: the kernel sends it
 * a skb at a time and flags a message NLM_F_DUMP_INTR when the policy set
 * changed since the previous one, so what came before may belong to
 * another version of the set. Such a dump is dropped and asked again.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "nl.h"
#include "tcpka.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* Attempts at a dump before giving up on a set that keeps changing. */
#define DUMP_TRIES	5

struct tcpka_nl {
	struct nl_sock *sk;
	int family;
	char errmsg[256];
	int miss_type;		/* NLMSGERR_ATTR_MISS_TYPE, or -1 */
};

struct req {
	struct tcpka_nl *nl;
	int err;		/* 1 while pending, then 0 or -errno */
	/* a dump: messages are kept in msgs, valid is called once it ends */
	bool dump;
	bool intr;		/* a message of the dump had NLM_F_DUMP_INTR */
	struct nlmsghdr **msgs;
	size_t nmsgs, cap;
	int (*valid)(struct req *r, uint8_t cmd, struct nlattr **tb);
	tcpka_policy_cb policy_cb;
	void *arg;
	uint32_t *applied;
	struct tcpka_ns_stats *stats;
	const struct tcpka_event_cbs *events;
};

static struct nla_policy attr_policy[TCPKA_A_MAX + 1] = {
	[TCPKA_A_ID]		= { .type = NLA_U32 },
	[TCPKA_A_NAME]		= { .type = NLA_STRING },
	[TCPKA_A_PREF]		= { .type = NLA_U32 },
	[TCPKA_A_CGROUP_ID]	= { .type = NLA_U64 },
	[TCPKA_A_CGROUP_FD]	= { .type = NLA_U32 },
	[TCPKA_A_CGROUP_PATH]	= { .type = NLA_STRING },
	[TCPKA_A_CGROUP_DEAD]	= { .type = NLA_FLAG },
	[TCPKA_A_LPORT_MIN]	= { .type = NLA_U16 },
	[TCPKA_A_LPORT_MAX]	= { .type = NLA_U16 },
	[TCPKA_A_RPORT_MIN]	= { .type = NLA_U16 },
	[TCPKA_A_RPORT_MAX]	= { .type = NLA_U16 },
	[TCPKA_A_FAMILY]	= { .type = NLA_U16 },
	[TCPKA_A_DIR]		= { .type = NLA_U8 },
	[TCPKA_A_MODE]		= { .type = NLA_U8 },
	[TCPKA_A_IDLE]		= { .type = NLA_U32 },
	[TCPKA_A_INTVL]		= { .type = NLA_U32 },
	[TCPKA_A_CNT]		= { .type = NLA_U32 },
	[TCPKA_A_USER_TIMEOUT]	= { .type = NLA_U32 },
	[TCPKA_A_EXISTING]	= { .type = NLA_FLAG },
	[TCPKA_A_APPLIED]	= { .type = NLA_U32 },
	[TCPKA_A_STATS]		= { .type = NLA_NESTED },
	[TCPKA_A_LADDR]		= { .minlen = 4, .maxlen = 16 },
	[TCPKA_A_RADDR]		= { .minlen = 4, .maxlen = 16 },
	[TCPKA_A_LPORT]		= { .type = NLA_U16 },
	[TCPKA_A_RPORT]		= { .type = NLA_U16 },
	[TCPKA_A_IDLE_MS]	= { .type = NLA_U32 },
};

static struct nla_policy stats_policy[TCPKA_STATS_A_MAX + 1] = {
	[TCPKA_STATS_A_MATCHED ... TCPKA_STATS_A_MAX] = { .type = NLA_U64 },
};

/* For "missing attribute" messages when the kernel names only a type. */
static const char *const attr_names[TCPKA_A_MAX + 1] = {
	[TCPKA_A_ID] = "id", [TCPKA_A_NAME] = "name", [TCPKA_A_PREF] = "pref",
	[TCPKA_A_CGROUP_ID] = "cgroup id", [TCPKA_A_CGROUP_FD] = "cgroup",
	[TCPKA_A_LPORT_MIN] = "lport", [TCPKA_A_LPORT_MAX] = "lport",
	[TCPKA_A_RPORT_MIN] = "rport", [TCPKA_A_RPORT_MAX] = "rport",
	[TCPKA_A_FAMILY] = "family", [TCPKA_A_DIR] = "dir",
	[TCPKA_A_MODE] = "mode", [TCPKA_A_IDLE] = "idle",
	[TCPKA_A_INTVL] = "intvl", [TCPKA_A_CNT] = "cnt",
	[TCPKA_A_USER_TIMEOUT] = "user-timeout",
};

/* Errors of libnl itself (not the kernel's) have no errno: keep text. */
static int lib_err(struct tcpka_nl *nl, int nlerr)
{
	snprintf(nl->errmsg, sizeof(nl->errmsg), "netlink: %s",
		 nl_geterror(nlerr));
	return nlerr == -NLE_NOMEM ? -ENOMEM : -EIO;
}

/* Keeps the message (and missing attribute) of extack attributes. */
static void parse_extack_attrs(struct tcpka_nl *nl, const struct nlmsghdr *nlh,
			       size_t off)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	size_t len = nlmsg_datalen(nlh);

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || off >= len)
		return;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX,
		      (struct nlattr *)((char *)nlmsg_data(nlh) + off),
		      len - off, NULL))
		return;
	if (tb[NLMSGERR_ATTR_MSG]) {
		const char *msg = nla_data(tb[NLMSGERR_ATTR_MSG]);
		int n = nla_len(tb[NLMSGERR_ATTR_MSG]);

		/* kernel messages end with '\n' on some paths: drop it */
		while (n > 0 && (msg[n - 1] == '\0' || msg[n - 1] == '\n'))
			n--;
		snprintf(nl->errmsg, sizeof(nl->errmsg), "%.*s", n, msg);
	}
	if (tb[NLMSGERR_ATTR_MISS_TYPE] &&
	    nla_len(tb[NLMSGERR_ATTR_MISS_TYPE]) >= 4)
		nl->miss_type = nla_get_u32(tb[NLMSGERR_ATTR_MISS_TYPE]);
}

/*
 * In NLMSG_ERROR, the attributes follow the nlmsgerr and, unless capped,
 * the echoed request.
 */
static void parse_extack(struct tcpka_nl *nl, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = nlmsg_data(nlh);
	size_t off = sizeof(*e);

	if ((size_t)nlmsg_datalen(nlh) < off)
		return;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += NLMSG_ALIGN(e->msg.nlmsg_len) - sizeof(e->msg);
	parse_extack_attrs(nl, nlh, off);
}

static int err_cb(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct req *r = arg;

	(void)who;
	parse_extack(r->nl, (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN));
	r->err = e->error;
	return NL_STOP;
}

static int ack_cb(struct nl_msg *msg, void *arg)
{
	struct req *r = arg;

	/* a successful request may still carry a warning */
	parse_extack(r->nl, nlmsg_hdr(msg));
	if (r->nl->errmsg[0]) {
		pr_warn("%s", r->nl->errmsg);
		r->nl->errmsg[0] = '\0';
	}
	r->err = 0;
	return NL_STOP;
}

static int finish_cb(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct req *r = arg;
	int err = 0;

	/* NLMSG_DONE carries the dump's final status, then its extack */
	if (nlmsg_datalen(nlh) >= (int)sizeof(int))
		memcpy(&err, nlmsg_data(nlh), sizeof(err));
	if (err < 0)
		parse_extack_attrs(r->nl, nlh, NLMSG_ALIGN(sizeof(err)));
	r->err = err < 0 ? err : 0;
	return NL_STOP;
}

/* Parses one reply or event and hands it to r->valid: 0 or -errno. */
static int deliver(struct req *r, struct nlmsghdr *nlh)
{
	struct genlmsghdr *gh = nlmsg_data(nlh);
	struct nlattr *tb[TCPKA_A_MAX + 1];
	int ret;

	ret = genlmsg_parse(nlh, 0, tb, TCPKA_A_MAX, attr_policy);
	if (ret < 0)
		return lib_err(r->nl, ret);
	ret = r->valid(r, gh->cmd, tb);
	if (ret)
		return ret < 0 ? ret : -ECANCELED;
	return 0;
}

/* Keeps a copy of a dump's message until the dump is known whole. */
static int keep(struct req *r, const struct nlmsghdr *nlh)
{
	struct nlmsghdr *copy;

	if (r->nmsgs == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 64;
		struct nlmsghdr **tmp = realloc(r->msgs, cap * sizeof(*tmp));

		if (!tmp)
			return -ENOMEM;
		r->msgs = tmp;
		r->cap = cap;
	}
	copy = malloc(nlh->nlmsg_len);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, nlh, nlh->nlmsg_len);
	r->msgs[r->nmsgs++] = copy;
	return 0;
}

static void drop_kept(struct req *r)
{
	while (r->nmsgs)
		free(r->msgs[--r->nmsgs]);
}

static int valid_cb(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct req *r = arg;
	int ret;

	if (!r->valid)
		return NL_OK;
	ret = r->dump ? keep(r, nlh) : deliver(r, nlh);
	if (ret) {
		r->err = ret;
		return NL_STOP;
	}
	return NL_OK;
}

/* Noted, and the message is read on: the dump must be drained anyway. */
static int intr_cb(struct nl_msg *msg, void *arg)
{
	struct req *r = arg;

	(void)msg;
	r->intr = true;
	return NL_OK;
}

static struct nl_cb *req_cb(struct req *r)
{
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);

	if (!cb)
		return NULL;
	nl_cb_err(cb, NL_CB_CUSTOM, err_cb, r);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, ack_cb, r);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, finish_cb, r);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, valid_cb, r);
	nl_cb_set(cb, NL_CB_DUMP_INTR, NL_CB_CUSTOM, intr_cb, r);
	return cb;
}

static struct nl_msg *msg_new(struct tcpka_nl *nl, uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (msg && !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0,
				flags, cmd, TCPKA_GENL_VERSION)) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return msg;
}

/* Sends msg (and frees it), then reads until the request is answered. */
static int transact(struct tcpka_nl *nl, struct nl_msg *msg, struct req *r)
{
	struct nl_cb *cb;
	int ret;

	r->nl = nl;
	r->err = 1;
	r->intr = false;
	nl->errmsg[0] = '\0';
	nl->miss_type = -1;
	cb = req_cb(r);
	if (!cb) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	ret = nl_send_auto(nl->sk, msg);
	nlmsg_free(msg);
	if (ret < 0)
		r->err = lib_err(nl, ret);
	while (r->err > 0) {
		ret = nl_recvmsgs(nl->sk, cb);
		if (ret < 0 && r->err > 0)
			r->err = lib_err(nl, ret);
	}
	nl_cb_put(cb);
	return r->err;
}

/* Builds the request attributes present in p. */
static int put_policy(struct nl_msg *msg, const struct tcpka_policy *p)
{
	int ret = 0;

	if (POL_HAS(p, TCPKA_A_ID))
		ret |= nla_put_u32(msg, TCPKA_A_ID, p->id);
	if (POL_HAS(p, TCPKA_A_NAME))
		ret |= nla_put_string(msg, TCPKA_A_NAME, p->name);
	if (POL_HAS(p, TCPKA_A_PREF))
		ret |= nla_put_u32(msg, TCPKA_A_PREF, p->pref);
	if (POL_HAS(p, TCPKA_A_CGROUP_FD))
		ret |= nla_put_s32(msg, TCPKA_A_CGROUP_FD, p->cgroup_fd);
	if (POL_HAS(p, TCPKA_A_LPORT_MIN)) {
		ret |= nla_put_u16(msg, TCPKA_A_LPORT_MIN, p->lport_min);
		ret |= nla_put_u16(msg, TCPKA_A_LPORT_MAX, p->lport_max);
	}
	if (POL_HAS(p, TCPKA_A_RPORT_MIN)) {
		ret |= nla_put_u16(msg, TCPKA_A_RPORT_MIN, p->rport_min);
		ret |= nla_put_u16(msg, TCPKA_A_RPORT_MAX, p->rport_max);
	}
	if (POL_HAS(p, TCPKA_A_FAMILY))
		ret |= nla_put_u16(msg, TCPKA_A_FAMILY, p->family);
	if (POL_HAS(p, TCPKA_A_DIR))
		ret |= nla_put_u8(msg, TCPKA_A_DIR, p->dir);
	if (POL_HAS(p, TCPKA_A_MODE))
		ret |= nla_put_u8(msg, TCPKA_A_MODE, p->mode);
	if (POL_HAS(p, TCPKA_A_IDLE))
		ret |= nla_put_u32(msg, TCPKA_A_IDLE, p->idle);
	if (POL_HAS(p, TCPKA_A_INTVL))
		ret |= nla_put_u32(msg, TCPKA_A_INTVL, p->intvl);
	if (POL_HAS(p, TCPKA_A_CNT))
		ret |= nla_put_u32(msg, TCPKA_A_CNT, p->cnt);
	if (POL_HAS(p, TCPKA_A_USER_TIMEOUT))
		ret |= nla_put_u32(msg, TCPKA_A_USER_TIMEOUT, p->user_timeout);
	if (POL_HAS(p, TCPKA_A_EXISTING))
		ret |= nla_put_flag(msg, TCPKA_A_EXISTING);
	return ret ? -EMSGSIZE : 0;
}

/* Sends cmd with the attributes of p (NULL: none). */
static int simple(struct tcpka_nl *nl, uint8_t cmd, int flags,
		  const struct tcpka_policy *p, struct req *r)
{
	struct nl_msg *msg = msg_new(nl, cmd, flags);

	if (!msg)
		return -ENOMEM;
	if (p && put_policy(msg, p)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return transact(nl, msg, r);
}

/*
 * Dumps cmd, and calls r->valid for each object once a whole dump came
 * through without NLM_F_DUMP_INTR, so that the caller never sees part of
 * an interrupted one; up to DUMP_TRIES times.
 */
static int dump(struct tcpka_nl *nl, uint8_t cmd, struct req *r)
{
	size_t i;
	int tries, ret = 0;

	r->dump = true;
	for (tries = 0; tries < DUMP_TRIES; tries++) {
		drop_kept(r);
		ret = simple(nl, cmd, NLM_F_DUMP, NULL, r);
		if (ret || !r->intr)
			break;
	}
	if (!ret && r->intr) {
		snprintf(nl->errmsg, sizeof(nl->errmsg),
			 "the policy set kept changing during the dump, try again");
		ret = -EAGAIN;
	}
	for (i = 0; !ret && i < r->nmsgs; i++)
		ret = deliver(r, r->msgs[i]);
	drop_kept(r);
	free(r->msgs);
	r->msgs = NULL;
	r->cap = 0;
	return ret;
}

static void get_stats(struct nlattr *nest, uint32_t *present, uint64_t *val)
{
	struct nlattr *stb[TCPKA_STATS_A_MAX + 1];
	int i;

	if (nla_parse_nested(stb, TCPKA_STATS_A_MAX, nest, stats_policy))
		return;
	for (i = TCPKA_STATS_A_MATCHED; i <= TCPKA_STATS_A_MAX; i++) {
		if (stb[i]) {
			*present |= TCPKA_BIT(i);
			val[i] = nla_get_u64(stb[i]);
		}
	}
}

static void get_policy(struct nlattr **tb, struct tcpka_policy *p)
{
	int i;

	memset(p, 0, sizeof(*p));
	p->cgroup_fd = -1;
	for (i = 0; i <= TCPKA_A_MAX; i++)
		if (tb[i])
			p->present |= TCPKA_BIT(i);
	if (tb[TCPKA_A_ID])
		p->id = nla_get_u32(tb[TCPKA_A_ID]);
	if (tb[TCPKA_A_NAME])
		p->name = nla_get_string(tb[TCPKA_A_NAME]);
	if (tb[TCPKA_A_PREF])
		p->pref = nla_get_u32(tb[TCPKA_A_PREF]);
	if (tb[TCPKA_A_CGROUP_ID])
		p->cgroup_id = nla_get_u64(tb[TCPKA_A_CGROUP_ID]);
	if (tb[TCPKA_A_CGROUP_PATH])
		p->cgroup = nla_get_string(tb[TCPKA_A_CGROUP_PATH]);
	p->cgroup_dead = !!tb[TCPKA_A_CGROUP_DEAD];
	if (tb[TCPKA_A_LPORT_MIN]) {
		p->lport_min = nla_get_u16(tb[TCPKA_A_LPORT_MIN]);
		p->lport_max = tb[TCPKA_A_LPORT_MAX] ?
			nla_get_u16(tb[TCPKA_A_LPORT_MAX]) : p->lport_min;
	}
	if (tb[TCPKA_A_RPORT_MIN]) {
		p->rport_min = nla_get_u16(tb[TCPKA_A_RPORT_MIN]);
		p->rport_max = tb[TCPKA_A_RPORT_MAX] ?
			nla_get_u16(tb[TCPKA_A_RPORT_MAX]) : p->rport_min;
	}
	if (tb[TCPKA_A_FAMILY])
		p->family = nla_get_u16(tb[TCPKA_A_FAMILY]);
	if (tb[TCPKA_A_DIR])
		p->dir = nla_get_u8(tb[TCPKA_A_DIR]);
	if (tb[TCPKA_A_MODE])
		p->mode = nla_get_u8(tb[TCPKA_A_MODE]);
	if (tb[TCPKA_A_IDLE])
		p->idle = nla_get_u32(tb[TCPKA_A_IDLE]);
	if (tb[TCPKA_A_INTVL])
		p->intvl = nla_get_u32(tb[TCPKA_A_INTVL]);
	if (tb[TCPKA_A_CNT])
		p->cnt = nla_get_u32(tb[TCPKA_A_CNT]);
	if (tb[TCPKA_A_USER_TIMEOUT])
		p->user_timeout = nla_get_u32(tb[TCPKA_A_USER_TIMEOUT]);
	p->existing = !!tb[TCPKA_A_EXISTING];
	if (tb[TCPKA_A_APPLIED])
		p->applied = nla_get_u32(tb[TCPKA_A_APPLIED]);
	if (tb[TCPKA_A_STATS])
		get_stats(tb[TCPKA_A_STATS], &p->stats_present, p->stats);
}

static int policy_valid(struct req *r, uint8_t cmd, struct nlattr **tb)
{
	struct tcpka_policy p;

	(void)cmd;
	if (!r->policy_cb)
		return 0;
	get_policy(tb, &p);
	return r->policy_cb(&p, r->arg);
}

int tcpka_nl_policy_add(struct tcpka_nl *nl, const struct tcpka_policy *req,
			tcpka_policy_cb reply, void *arg)
{
	struct req r = { .valid = policy_valid, .policy_cb = reply,
			 .arg = arg };

	return simple(nl, TCPKA_CMD_POLICY_ADD, 0, req, &r);
}

int tcpka_nl_policy_replace(struct tcpka_nl *nl, const struct tcpka_policy *req)
{
	struct req r = { 0 };

	return simple(nl, TCPKA_CMD_POLICY_REPLACE, 0, req, &r);
}

int tcpka_nl_policy_del(struct tcpka_nl *nl, const struct tcpka_policy *key)
{
	struct req r = { 0 };

	return simple(nl, TCPKA_CMD_POLICY_DEL, 0, key, &r);
}

int tcpka_nl_policy_get(struct tcpka_nl *nl, const struct tcpka_policy *key,
			tcpka_policy_cb cb, void *arg)
{
	struct req r = { .valid = policy_valid, .policy_cb = cb, .arg = arg };

	if (!key)
		return dump(nl, TCPKA_CMD_POLICY_GET, &r);
	return simple(nl, TCPKA_CMD_POLICY_GET, 0, key, &r);
}

int tcpka_nl_policy_flush(struct tcpka_nl *nl)
{
	struct req r = { 0 };

	return simple(nl, TCPKA_CMD_POLICY_FLUSH, 0, NULL, &r);
}

static int applied_valid(struct req *r, uint8_t cmd, struct nlattr **tb)
{
	(void)cmd;
	if (tb[TCPKA_A_APPLIED])
		*r->applied = nla_get_u32(tb[TCPKA_A_APPLIED]);
	return 0;
}

int tcpka_nl_policy_apply(struct tcpka_nl *nl, const struct tcpka_policy *key,
			  uint32_t *applied)
{
	struct req r = { .valid = applied_valid, .applied = applied };

	*applied = 0;
	return simple(nl, TCPKA_CMD_POLICY_APPLY, 0, key, &r);
}

static int stats_valid(struct req *r, uint8_t cmd, struct nlattr **tb)
{
	(void)cmd;
	if (tb[TCPKA_A_STATS])
		get_stats(tb[TCPKA_A_STATS], &r->stats->present, r->stats->val);
	return 0;
}

int tcpka_nl_stats_get(struct tcpka_nl *nl, struct tcpka_ns_stats *st)
{
	struct req r = { .valid = stats_valid, .stats = st };

	memset(st, 0, sizeof(*st));
	return simple(nl, TCPKA_CMD_STATS_GET, 0, NULL, &r);
}

int tcpka_nl_txn(struct tcpka_nl *nl, uint8_t cmd)
{
	struct req r = { 0 };

	return simple(nl, cmd, 0, NULL, &r);
}

static int event_valid(struct req *r, uint8_t cmd, struct nlattr **tb)
{
	const struct tcpka_event_cbs *ev = r->events;
	struct tcpka_reaped rp;
	struct tcpka_policy p;
	int i;

	switch (cmd) {
	case TCPKA_CMD_POLICY_ADD:
	case TCPKA_CMD_POLICY_REPLACE:
	case TCPKA_CMD_POLICY_DEL:
		get_policy(tb, &p);
		return ev->policy(cmd, &p, ev->arg);
	case TCPKA_CMD_POLICY_FLUSH:
		return ev->policy(cmd, NULL, ev->arg);
	case TCPKA_CMD_PEER_REAPED:
		memset(&rp, 0, sizeof(rp));
		for (i = 0; i <= TCPKA_A_MAX; i++)
			if (tb[i])
				rp.present |= TCPKA_BIT(i);
		if (tb[TCPKA_A_ID])
			rp.id = nla_get_u32(tb[TCPKA_A_ID]);
		if (tb[TCPKA_A_FAMILY])
			rp.family = nla_get_u16(tb[TCPKA_A_FAMILY]);
		if (tb[TCPKA_A_LADDR])
			memcpy(rp.laddr, nla_data(tb[TCPKA_A_LADDR]),
			       nla_len(tb[TCPKA_A_LADDR]));
		if (tb[TCPKA_A_RADDR])
			memcpy(rp.raddr, nla_data(tb[TCPKA_A_RADDR]),
			       nla_len(tb[TCPKA_A_RADDR]));
		if (tb[TCPKA_A_LPORT])
			rp.lport = nla_get_u16(tb[TCPKA_A_LPORT]);
		if (tb[TCPKA_A_RPORT])
			rp.rport = nla_get_u16(tb[TCPKA_A_RPORT]);
		if (tb[TCPKA_A_CGROUP_ID])
			rp.cgroup_id = nla_get_u64(tb[TCPKA_A_CGROUP_ID]);
		if (tb[TCPKA_A_IDLE_MS])
			rp.idle_ms = nla_get_u32(tb[TCPKA_A_IDLE_MS]);
		return ev->reaped(&rp, ev->arg);
	default:
		/* a newer module's event: not ours to print */
		return 0;
	}
}

static int no_seq_check(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

int tcpka_nl_monitor(struct tcpka_nl *nl, const struct tcpka_event_cbs *cbs)
{
	struct req r = { .nl = nl, .valid = event_valid, .events = cbs };
	struct nl_cb *cb;
	int grp, ret;

	nl->errmsg[0] = '\0';
	grp = genl_ctrl_resolve_grp(nl->sk, TCPKA_GENL_NAME,
				    TCPKA_MCGRP_MONITOR);
	if (grp < 0)
		return lib_err(nl, grp);
	ret = nl_socket_add_membership(nl->sk, grp);
	if (ret < 0)
		return lib_err(nl, ret);
	/* room for a burst; the kernel caps it at net.core.rmem_max */
	nl_socket_set_buffer_size(nl->sk, 1 << 20, 0);
	cb = req_cb(&r);
	if (!cb)
		return -ENOMEM;
	/* events are not answers to our requests: no sequence to check */
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, no_seq_check, NULL);
	r.err = 1;
	while (r.err > 0) {
		ret = nl_recvmsgs(nl->sk, cb);
		/* ENOBUFS (libnl says NOMEM): the queue overflowed */
		if (ret == -NLE_NOMEM) {
			if (cbs->lost)
				cbs->lost(cbs->arg);
			continue;
		}
		if (ret < 0 && r.err > 0)
			r.err = lib_err(nl, ret);
		/* an unexpected error or ack on this socket does not end it */
		if (r.err == 0)
			r.err = 1;
	}
	nl_cb_put(cb);
	return r.err;
}

int tcpka_nl_open(struct tcpka_nl **nlp)
{
	struct tcpka_nl *nl = calloc(1, sizeof(*nl));
	int one = 1;
	int ret;

	if (!nl) {
		pr_err("%s", strerror(ENOMEM));
		return EXIT_FAIL;
	}
	nl->sk = nl_socket_alloc();
	if (!nl->sk) {
		pr_err("%s", strerror(ENOMEM));
		goto err_free;
	}
	ret = genl_connect(nl->sk);
	if (ret < 0) {
		pr_err("cannot open generic netlink socket: %s",
		       nl_geterror(ret));
		goto err_sock;
	}
	nl->family = genl_ctrl_resolve(nl->sk, TCPKA_GENL_NAME);
	if (nl->family < 0) {
		if (nl->family == -NLE_OBJ_NOTFOUND)
			pr_err("tcpka module is not loaded (try: modprobe tcpka)");
		else
			pr_err("cannot resolve the tcpka family: %s",
			       nl_geterror(nl->family));
		goto err_sock;
	}
	/* Best effort: kernels without them still give an errno. */
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_CAP_ACK,
		   &one, sizeof(one));
	*nlp = nl;
	return 0;

err_sock:
	nl_socket_free(nl->sk);
err_free:
	free(nl);
	return EXIT_FAIL;
}

void tcpka_nl_close(struct tcpka_nl *nl)
{
	if (!nl)
		return;
	nl_socket_free(nl->sk);
	free(nl);
}

void tcpka_nl_perror(struct tcpka_nl *nl, int err)
{
	if (nl && nl->errmsg[0])
		pr_err("%s", nl->errmsg);
	else if (nl && nl->miss_type > 0 && nl->miss_type <= TCPKA_A_MAX &&
		 attr_names[nl->miss_type])
		pr_err("missing attribute: %s", attr_names[nl->miss_type]);
	else
		pr_err("%s", strerror(-err));
}
