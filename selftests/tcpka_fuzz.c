// SPDX-License-Identifier: GPL-2.0
/*
 * tcpka_fuzz: random and mutated requests to the tcpka generic netlink
 * family, each checked against a reference model (tcpka_fuzz_model.c).
 *
 * Usage: tcpka_fuzz [-s SEED] [-n MESSAGES] [-u PERCENT] [-v]
 *
 * The environment can set the first two as well (the test VM passes
 * unknown kernel parameters on): TCPKA_FUZZ_SEED, TCPKA_FUZZ_MESSAGES.
 *
 *   -s SEED      random seed (default: from the clock); the run is
 *                reproducible from it
 *   -n N         messages to send in all (default 100000, or 400000
 *                when the environment has TCPKA_LONG=1)
 *   -u PERCENT   share sent by an unprivileged process (default 20)
 *   -v           log every message's prediction
 *
 * Messages: random commands and nlmsg flags, plausible policies with
 * random subsets of attributes, values at and beyond each range, random
 * attribute types and lengths, NLA_F_NESTED and nested blobs where no
 * nest belongs, duplicated attributes, kernel-only attributes, broken
 * attribute headers, trailing bytes, truncated and oversized netlink
 * headers, reserved genetlink bits, unknown families and control types.
 *
 * For each message the model predicts the answer (nothing, an error with
 * its errno, extack message and blamed attribute, or success with its
 * replies) and the policy set afterwards; every reply is compared in full,
 * the namespace's policy count is read back after every message, and the
 * whole set is dumped and compared every so often and at the end. The
 * first disagreement fails the run and prints the message, the seed and
 * its index. Unprivileged rounds run in a child that dropped to uid 65534
 * and send both on a socket of its own and on one it inherited from root.
 * At the end a policy is added and a loopback connection must get its
 * values: the module still works.
 *
 * Runs in a network namespace of its own and in its own cgroups, cleaned
 * up at the end. Prints KTAP. Exit status 0, 1 on failure, 4 if tcpka or
 * root is missing.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "kselftest.h"
#include "tcpka_fuzz_model.h"
#include "tcpka_nl.h"
#include "tcpka_util.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

#define MSG_MAX		1024
#define MAX_ATTRS	32
#define RECV_BUF	(128 * 1024)
#define MAX_DATA	512
#define CHAIN_DEPTH	18	/* cgroup depths: more than the module takes */
#define DUMP_EVERY	1000
#define REOPEN_EVERY	5000
#define NOBODY		65534

/* ---- random numbers: splitmix64, reproducible on every machine ---- */

struct rng {
	__u64 s;
};

static __u64 rnd64(struct rng *r)
{
	__u64 z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static __u32 rnd(struct rng *r, __u32 n)
{
	return n ? rnd64(r) % n : 0;
}

/* true with probability pct percent */
static bool pct(struct rng *r, unsigned int p)
{
	return rnd(r, 100) < p;
}

/* ---- messages as built, before serializing ---- */

struct gattr {
	__u16 type;		/* with any NLA_F_* bits */
	int len;		/* payload bytes */
	int nla_len;		/* header's nla_len; -1: NLA_HDRLEN + len */
	unsigned char data[96];
};

struct gmsg {
	__u16 type, flags;
	__u32 pid;
	__u8 cmd, version;
	__u16 reserved;
	struct gattr a[MAX_ATTRS];
	int n;
};

struct wire {
	union {
		struct nlmsghdr nlh;
		unsigned char buf[MSG_MAX];
	};
	size_t len;
};

static struct gattr *put(struct gmsg *g, __u16 type, const void *d, int len)
{
	struct gattr *a;

	if (g->n == MAX_ATTRS)
		return NULL;
	a = &g->a[g->n++];
	memset(a, 0, sizeof(*a));
	a->type = type;
	a->len = len;
	a->nla_len = -1;
	if (len)
		memcpy(a->data, d, len);
	return a;
}

static void put_u8(struct gmsg *g, __u16 t, __u8 v) { put(g, t, &v, 1); }
static void put_u16(struct gmsg *g, __u16 t, __u16 v) { put(g, t, &v, 2); }
static void put_u32(struct gmsg *g, __u16 t, __u32 v) { put(g, t, &v, 4); }
static void put_u64(struct gmsg *g, __u16 t, __u64 v) { put(g, t, &v, 8); }

static size_t serialize(const struct gmsg *g, struct wire *w)
{
	struct genlmsghdr *gh;
	size_t off = NLMSG_HDRLEN + GENL_HDRLEN;
	int i;

	memset(w, 0, sizeof(*w));
	for (i = 0; i < g->n; i++) {
		const struct gattr *a = &g->a[i];
		struct nlattr *h = (struct nlattr *)(w->buf + off);

		if (off + NLA_HDRLEN + NLA_ALIGN(a->len) > MSG_MAX)
			break;
		h->nla_type = a->type;
		h->nla_len = a->nla_len >= 0 ? a->nla_len : NLA_HDRLEN + a->len;
		memcpy(w->buf + off + NLA_HDRLEN, a->data, a->len);
		off += NLA_HDRLEN + NLA_ALIGN(a->len);
	}
	/* like the kernel's own builders: the last attribute's padding counts */
	w->nlh.nlmsg_len = off;
	w->nlh.nlmsg_type = g->type;
	w->nlh.nlmsg_flags = g->flags;
	w->nlh.nlmsg_pid = g->pid;
	gh = (struct genlmsghdr *)(w->buf + NLMSG_HDRLEN);
	gh->cmd = g->cmd;
	gh->version = g->version;
	gh->reserved = g->reserved;
	w->len = off;
	return off;
}

/* ---- what the fuzzer knows about its world ---- */

struct fuzz {
	struct rng r;
	struct fz_env env;
	struct fz_model m;
	int devnull_fd, rootdir_fd, closed_fd;
	char names[12][40];
	int nnames;
	bool verbose;
	int burst;		/* clean adds at new cgroup depths to come */
	/* counters */
	unsigned long sent, accepted, refused, silent, dumps_checked;
	unsigned long by_err[8];	/* EINVAL, ENOENT, EEXIST, EPERM, ... */
	unsigned long ok_cmd[TCPKA_CMD_TXN_ABORT + 1];
};

/* A socket of the fuzzer and who it sends as. */
struct fsock {
	int fd;
	struct fz_sender snd;
	__u32 seq;
};

static const char *cmd_name(int cmd)
{
	static const char * const names[] = {
		"unspec", "add", "replace", "del", "get", "flush", "apply",
		"stats", "txn-begin", "txn-commit", "txn-abort", "peer-reaped",
	};

	return cmd >= 0 && cmd < (int)(sizeof(names) / sizeof(names[0])) ?
	       names[cmd] : "?";
}

static __u32 pick_id(struct fuzz *f)
{
	const struct fz_set *s = f->m.staged_open && pct(&f->r, 30) ?
				 &f->m.staged : &f->m.live;

	if (s->n && pct(&f->r, 75))
		return s->p[rnd(&f->r, s->n)].id;
	switch (rnd(&f->r, 4)) {
	case 0: return 0;
	case 1: return 0xffffffffu;
	case 2: return f->m.next_id + rnd(&f->r, 3);
	default: return (__u32)rnd64(&f->r);
	}
}

/* A name payload: usually from the pool, sometimes anything but valid. */
static int gen_name(struct fuzz *f, unsigned char *out)
{
	const struct fz_set *s = &f->m.live;
	int len, i;

	if (pct(&f->r, 80)) {
		const char *n;

		if (s->n && pct(&f->r, 40) && s->p[rnd(&f->r, s->n)].name[0])
			n = s->p[rnd(&f->r, s->n)].name;
		else
			n = f->names[rnd(&f->r, f->nnames)];
		if (!n[0])
			n = f->names[0];
		len = strlen(n) + 1;
		memcpy(out, n, len);
		return len;
	}
	switch (rnd(&f->r, 8)) {
	case 0:		/* empty */
		out[0] = 0;
		return 1;
	case 1:		/* 32 characters and more */
		len = 32 + rnd(&f->r, 40);
		memset(out, 'n', len);
		out[len] = 0;
		return len + 1;
	case 2:		/* no terminating NUL */
		memcpy(out, "web", 3);
		return 3;
	case 3:		/* a NUL inside: the name ends there */
		memcpy(out, "ab\0cd", 6);
		return 6;
	case 4:		/* a space or a control character */
		memcpy(out, "a b", 4);
		out[1] = rnd(&f->r, 2) ? ' ' : (unsigned char)rnd(&f->r, 32);
		return 4;
	case 5:		/* high bytes: Latin-1 graphic or not */
		len = 1 + rnd(&f->r, 8);
		for (i = 0; i < len; i++)
			out[i] = 128 + rnd(&f->r, 128);
		out[len] = 0;
		return len + 1;
	case 6:		/* exactly 31, the longest */
		memset(out, 'm', 31);
		out[31] = 0;
		return 32;
	default:	/* random printable */
		len = 1 + rnd(&f->r, 31);
		for (i = 0; i < len; i++)
			out[i] = 33 + rnd(&f->r, 94);
		out[len] = 0;
		return len + 1;
	}
}

static __u32 gen_u32_in(struct fuzz *f, __u32 min, __u32 max)
{
	if (pct(&f->r, 85)) {
		switch (rnd(&f->r, 4)) {
		case 0: return min;
		case 1: return max;
		default: return min + rnd(&f->r, max - min + 1);
		}
	}
	switch (rnd(&f->r, 5)) {
	case 0: return min ? min - 1 : 0;
	case 1: return max + 1;
	case 2: return 0xffffffffu;
	case 3: return 0x80000000u;
	default: return (__u32)rnd64(&f->r);
	}
}

static __u16 gen_port(struct fuzz *f)
{
	switch (rnd(&f->r, 6)) {
	case 0: return 0;
	case 1: return 65535;
	case 2: return 80 + rnd(&f->r, 3);
	default: return rnd(&f->r, 65536);
	}
}

/*
 * A cgroup at a depth no live policy names yet, when there is one: the
 * module takes policies at 16 distinct depths, and the fuzzer's cgroups
 * span more, so sets that cross the limit come up.
 */
static int new_depth(struct fuzz *f)
{
	bool used[FZ_MAX_CGROUPS] = { false };
	int i, free[FZ_MAX_CGROUPS], nfree = 0;

	for (i = 0; i < f->m.live.n; i++)
		if (f->m.live.p[i].cg >= 0)
			used[f->env.cg[f->m.live.p[i].cg].level] = true;
	for (i = 0; i < f->env.ncg; i++)
		if (!used[f->env.cg[i].level])
			free[nfree++] = i;
	return nfree ? free[rnd(&f->r, nfree)] : (int)rnd(&f->r, f->env.ncg);
}

static void gen_cgroup(struct fuzz *f, struct gmsg *g)
{
	const struct fz_env *env = &f->env;

	if (pct(&f->r, 60)) {
		__u64 id;

		if (pct(&f->r, 50))
			id = env->cg[new_depth(f)].id;
		else if (pct(&f->r, 70))
			id = env->cg[rnd(&f->r, env->ncg)].id;
		else if (pct(&f->r, 30))
			id = 0;
		else	/* far above any id this boot will hand out */
			id = rnd64(&f->r) | (1ULL << 40);
		put_u64(g, TCPKA_A_CGROUP_ID, id);
	} else {
		__s32 fd;

		if (pct(&f->r, 70))
			fd = env->cg_fd[rnd(&f->r, env->ncg_fd)];
		else
			switch (rnd(&f->r, 5)) {
			case 0: fd = f->devnull_fd; break;
			case 1: fd = f->rootdir_fd; break;
			case 2: fd = f->closed_fd; break;
			case 3: fd = -1; break;
			default: fd = (__s32)rnd64(&f->r); break;
			}
		put(g, TCPKA_A_CGROUP_FD, &fd, 4);
	}
}

/* Selector and action attributes, each present or not. */
static void gen_policy_attrs(struct fuzz *f, struct gmsg *g, bool add)
{
	unsigned char nbuf[96];
	int len;

	if (pct(&f->r, add ? 50 : 30)) {
		len = gen_name(f, nbuf);
		put(g, TCPKA_A_NAME, nbuf, len);
	}
	if (pct(&f->r, 40))
		put_u32(g, TCPKA_A_PREF, pct(&f->r, 60) ? rnd(&f->r, 4) :
			pct(&f->r, 50) ? TCPKA_PREF_DEFAULT : (__u32)rnd64(&f->r));
	if (pct(&f->r, 30))
		gen_cgroup(f, g);
	if (pct(&f->r, 30))
		put_u16(g, TCPKA_A_LPORT_MIN, gen_port(f));
	if (pct(&f->r, 25))
		put_u16(g, TCPKA_A_LPORT_MAX, gen_port(f));
	if (pct(&f->r, 30))
		put_u16(g, TCPKA_A_RPORT_MIN, gen_port(f));
	if (pct(&f->r, 25))
		put_u16(g, TCPKA_A_RPORT_MAX, gen_port(f));
	if (pct(&f->r, 25))
		put_u16(g, TCPKA_A_FAMILY, pct(&f->r, 90) ?
			(rnd(&f->r, 2) ? AF_INET : AF_INET6) :
			rnd(&f->r, 65536));
	if (pct(&f->r, 25))
		put_u8(g, TCPKA_A_DIR, pct(&f->r, 90) ? 1 + rnd(&f->r, 2) :
		       rnd(&f->r, 256));
	if (pct(&f->r, 40))
		put_u8(g, TCPKA_A_MODE, pct(&f->r, 92) ? rnd(&f->r, 3) :
		       rnd(&f->r, 256));
	if (pct(&f->r, 60))
		put_u32(g, TCPKA_A_IDLE, gen_u32_in(f, 1, TCPKA_IDLE_MAX));
	if (pct(&f->r, 50))
		put_u32(g, TCPKA_A_INTVL, gen_u32_in(f, 1, TCPKA_INTVL_MAX));
	if (pct(&f->r, 50))
		put_u32(g, TCPKA_A_CNT, gen_u32_in(f, 1, TCPKA_CNT_MAX));
	if (pct(&f->r, 30))
		put_u32(g, TCPKA_A_USER_TIMEOUT,
			gen_u32_in(f, 0, TCPKA_USER_TIMEOUT_MAX));
	if (add && pct(&f->r, 10))
		put(g, TCPKA_A_EXISTING, NULL, 0);
}

static void gen_ident(struct fuzz *f, struct gmsg *g)
{
	unsigned char nbuf[96];
	int len;

	if (pct(&f->r, 8))
		return;
	if (pct(&f->r, 60)) {
		put_u32(g, TCPKA_A_ID, pick_id(f));
		if (pct(&f->r, 10)) {
			len = gen_name(f, nbuf);
			put(g, TCPKA_A_NAME, nbuf, len);
		}
	} else {
		len = gen_name(f, nbuf);
		put(g, TCPKA_A_NAME, nbuf, len);
	}
}

/* An attribute that should not be there, or not like this. */
static void mutate_attrs(struct fuzz *f, struct gmsg *g)
{
	struct gattr *a;
	int i, len;

	switch (rnd(&f->r, 9)) {
	case 0:		/* random type and bytes */
		len = rnd(&f->r, 17);
		a = put(g, rnd(&f->r, 4) ? rnd(&f->r, TCPKA_A_MAX + 6) :
			(__u16)rnd64(&f->r), NULL, 0);
		if (a) {
			a->len = len;
			for (i = 0; i < len; i++)
				a->data[i] = rnd64(&f->r);
		}
		break;
	case 1:		/* wrong length */
		if (g->n) {
			a = &g->a[rnd(&f->r, g->n)];
			a->len = rnd(&f->r, 13);
			for (i = 0; i < a->len; i++)
				a->data[i] = rnd64(&f->r);
		}
		break;
	case 2:		/* NLA_F_NESTED or NLA_F_NET_BYTEORDER */
		if (g->n)
			g->a[rnd(&f->r, g->n)].type |= rnd(&f->r, 2) ?
				NLA_F_NESTED : NLA_F_NET_BYTEORDER;
		break;
	case 3:		/* duplicate, maybe with another value */
		if (g->n && g->n < MAX_ATTRS) {
			g->a[g->n] = g->a[rnd(&f->r, g->n)];
			a = &g->a[g->n++];
			if (a->len && pct(&f->r, 50))
				a->data[rnd(&f->r, a->len)] ^= 1 << rnd(&f->r, 8);
		}
		break;
	case 4: {	/* a nest where none belongs, holding plausible attrs */
		unsigned char blob[64];
		struct nlattr *in = (struct nlattr *)blob;
		__u32 v = rnd(&f->r, 100);

		in->nla_type = TCPKA_A_IDLE;
		in->nla_len = NLA_HDRLEN + 4;
		memcpy(blob + NLA_HDRLEN, &v, 4);
		put(g, (rnd(&f->r, 3) ? rnd(&f->r, TCPKA_A_MAX + 2) :
			TCPKA_A_STATS) | NLA_F_NESTED, blob, 8);
		break;
	}
	case 5:		/* kernel-only attributes */
		switch (rnd(&f->r, 5)) {
		case 0: put(g, TCPKA_A_CGROUP_PATH, "/x", 3); break;
		case 1: put(g, TCPKA_A_CGROUP_DEAD, NULL, 0); break;
		case 2: put_u32(g, TCPKA_A_APPLIED, 1); break;
		case 3: put(g, TCPKA_A_PAD, NULL, 0); break;
		default: put_u16(g, TCPKA_A_LPORT, 80); break;
		}
		break;
	case 6:		/* an nla_len that lies */
		if (g->n) {
			a = &g->a[rnd(&f->r, g->n)];
			a->nla_len = rnd(&f->r, 2) ? rnd(&f->r, NLA_HDRLEN) :
				     NLA_HDRLEN + a->len + 1 + rnd(&f->r, 600);
		}
		break;
	case 7:		/* a flag with a payload, an empty integer */
		if (rnd(&f->r, 2))
			put_u32(g, TCPKA_A_EXISTING, 1);
		else
			put(g, TCPKA_A_IDLE, NULL, 0);
		break;
	default:	/* drop one */
		if (g->n) {
			i = rnd(&f->r, g->n);
			memmove(&g->a[i], &g->a[i + 1],
				(g->n - i - 1) * sizeof(g->a[0]));
			g->n--;
		}
		break;
	}
}

static int pick_cmd(struct fuzz *f)
{
	static const struct { int cmd, weight; } w[] = {
		{ TCPKA_CMD_POLICY_ADD, 32 },
		{ TCPKA_CMD_POLICY_REPLACE, 15 },
		{ TCPKA_CMD_POLICY_DEL, 10 },
		{ TCPKA_CMD_POLICY_GET, 12 },
		{ TCPKA_CMD_POLICY_FLUSH, 1 },
		{ TCPKA_CMD_POLICY_APPLY, 4 },
		{ TCPKA_CMD_STATS_GET, 3 },
		{ TCPKA_CMD_TXN_BEGIN, 3 },
		{ TCPKA_CMD_TXN_COMMIT, 3 },
		{ TCPKA_CMD_TXN_ABORT, 2 },
	};
	int total = 0, i, x;

	/* keep the sets small enough to dump and compare often */
	if ((f->m.live.n > 48 || f->m.staged.n > 48) && pct(&f->r, 30))
		return f->m.staged.n > 48 ? TCPKA_CMD_TXN_ABORT :
		       TCPKA_CMD_POLICY_FLUSH;
	if (pct(&f->r, 3))
		return rnd(&f->r, 256);
	for (i = 0; i < (int)(sizeof(w) / sizeof(w[0])); i++)
		total += w[i].weight;
	x = rnd(&f->r, total);
	for (i = 0; x >= w[i].weight; i++)
		x -= w[i].weight;
	return w[i].cmd;
}

static void gen_header(struct fuzz *f, struct gmsg *g, int cmd)
{
	memset(g, 0, sizeof(*g));
	g->type = f->env.family_id;
	g->cmd = cmd;
	g->version = TCPKA_GENL_VERSION;
	g->flags = NLM_F_REQUEST | NLM_F_ACK;
	if (cmd == TCPKA_CMD_POLICY_GET && pct(&f->r, 40))
		g->flags = NLM_F_REQUEST | NLM_F_DUMP;
	else if (pct(&f->r, 20))
		g->flags = NLM_F_REQUEST;
	if (pct(&f->r, 5))
		g->flags |= NLM_F_ECHO;
	if (pct(&f->r, 4))
		g->flags |= 1 << rnd(&f->r, 16);
	if (pct(&f->r, 2))
		g->flags = rnd(&f->r, 65536);
	if (pct(&f->r, 2))
		g->flags &= ~NLM_F_REQUEST;
	if (pct(&f->r, 2))
		g->type = rnd(&f->r, 2) ? rnd(&f->r, NLMSG_MIN_TYPE) :
			  1024 + rnd(&f->r, 64512);
	if (pct(&f->r, 2))
		g->reserved = 1 + rnd(&f->r, 65535);
	if (pct(&f->r, 5))
		g->version = rnd(&f->r, 256);
	if (pct(&f->r, 30))
		g->pid = rnd64(&f->r);
}

/* Byte-level damage done after serializing. */
static void mutate_wire(struct fuzz *f, struct wire *w)
{
	size_t cut;

	switch (rnd(&f->r, 6)) {
	case 0:		/* truncated, nlmsg_len telling the truth */
		cut = 1 + rnd(&f->r, w->len - 1);
		w->len = cut;
		if (cut >= 4)
			w->nlh.nlmsg_len = cut;
		break;
	case 1:		/* truncated, nlmsg_len still the old one */
		w->len = 1 + rnd(&f->r, w->len - 1);
		break;
	case 2:		/* nlmsg_len beyond the datagram */
		w->nlh.nlmsg_len = w->len + 1 + rnd(&f->r, 100000);
		break;
	case 3:		/* trailing bytes inside nlmsg_len */
		cut = 1 + rnd(&f->r, 3);
		if (w->len + cut <= MSG_MAX) {
			memset(w->buf + w->len, 0xa5, cut);
			w->len += cut;
			w->nlh.nlmsg_len = w->len;
		}
		break;
	case 4:		/* a flipped bit in the attributes */
		if (w->len > NLMSG_HDRLEN + GENL_HDRLEN)
			w->buf[NLMSG_HDRLEN + GENL_HDRLEN +
			       rnd(&f->r, w->len - NLMSG_HDRLEN - GENL_HDRLEN)] ^=
				1 << rnd(&f->r, 8);
		break;
	default:	/* nlmsg_len short of the genetlink header */
		w->nlh.nlmsg_len = rnd(&f->r, NLMSG_HDRLEN + GENL_HDRLEN);
		break;
	}
	/*
	 * The kernel reads another message from what follows nlmsg_len when
	 * 16 bytes or more are left; the model covers one message only.
	 */
	if (w->len >= NLMSG_HDRLEN && w->nlh.nlmsg_len >= NLMSG_HDRLEN &&
	    w->nlh.nlmsg_len <= w->len &&
	    w->len - NLMSG_ALIGN(w->nlh.nlmsg_len) >= NLMSG_HDRLEN)
		w->len = NLMSG_ALIGN(w->nlh.nlmsg_len) +
			 rnd(&f->r, NLMSG_HDRLEN);
}

/* A valid add naming a cgroup at a depth the live set does not use yet. */
static void gen_depth_add(struct fuzz *f, struct wire *w)
{
	struct gmsg g;

	memset(&g, 0, sizeof(g));
	g.type = f->env.family_id;
	g.flags = NLM_F_REQUEST | NLM_F_ACK;
	g.cmd = TCPKA_CMD_POLICY_ADD;
	g.version = TCPKA_GENL_VERSION;
	put_u64(&g, TCPKA_A_CGROUP_ID, f->env.cg[new_depth(f)].id);
	put_u32(&g, TCPKA_A_IDLE, 1 + rnd(&f->r, TCPKA_IDLE_MAX));
	serialize(&g, w);
}

static void gen_message(struct fuzz *f, struct wire *w)
{
	struct gmsg g;
	int cmd, i, n;

	if (!f->burst && pct(&f->r, 1) && pct(&f->r, 30))
		f->burst = 20;
	if (f->burst) {
		f->burst--;
		gen_depth_add(f, w);
		return;
	}
	cmd = pick_cmd(f);

	gen_header(f, &g, cmd);
	switch (cmd) {
	case TCPKA_CMD_POLICY_ADD:
		gen_policy_attrs(f, &g, true);
		break;
	case TCPKA_CMD_POLICY_REPLACE:
		gen_ident(f, &g);
		gen_policy_attrs(f, &g, false);
		break;
	case TCPKA_CMD_POLICY_DEL:
	case TCPKA_CMD_POLICY_GET:
	case TCPKA_CMD_POLICY_APPLY:
		if (cmd != TCPKA_CMD_POLICY_APPLY || pct(&f->r, 50))
			gen_ident(f, &g);
		break;
	default:
		break;
	}
	if (pct(&f->r, 35)) {
		n = 1 + rnd(&f->r, 3);
		for (i = 0; i < n; i++)
			mutate_attrs(f, &g);
	}
	serialize(&g, w);
	if (pct(&f->r, 6))
		mutate_wire(f, w);
}

/* ---- talking to the kernel ---- */

struct answer {
	int nerr;		/* error messages (an ack is one, error 0) */
	int err;		/* the last one's error */
	char msg[256];
	int offs;
	bool done;
	int ndata;
	int data_off[MAX_DATA];
	char *data;		/* data messages, back to back */
	size_t data_len;
	bool multi;		/* a data message had NLM_F_MULTI */
	bool sync_done;
	bool sync_stats;
	__u64 stats[TCPKA_STATS_A_MAX + 1];
};

static int fsock_open(struct fsock *s, bool admin)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct timeval tv = { .tv_sec = 20 };
	socklen_t alen = sizeof(sa);
	int one = 1;

	memset(s, 0, sizeof(*s));
	s->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (s->fd < 0)
		return -errno;
	if (setsockopt(s->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one)) ||
	    setsockopt(s->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one)) ||
	    setsockopt(s->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    bind(s->fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    getsockname(s->fd, (struct sockaddr *)&sa, &alen)) {
		int err = -errno;

		close(s->fd);
		return err;
	}
	s->snd.portid = sa.nl_pid;
	s->snd.admin = admin;
	s->seq = 1;
	return 0;
}

static void parse_ext_ack(struct answer *a, const char *tlv, int len)
{
	while (len >= NLA_HDRLEN) {
		const struct nlattr *t = (const struct nlattr *)tlv;
		int plen = t->nla_len - NLA_HDRLEN;

		if (t->nla_len < NLA_HDRLEN || t->nla_len > len)
			break;
		if ((t->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG)
			snprintf(a->msg, sizeof(a->msg), "%.*s", plen,
				 tlv + NLA_HDRLEN);
		if ((t->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_OFFS &&
		    plen == 4)
			memcpy(&a->offs, tlv + NLA_HDRLEN, 4);
		len -= NLA_ALIGN(t->nla_len);
		tlv += NLA_ALIGN(t->nla_len);
	}
}

static void parse_sync_stats(struct answer *a, const struct nlmsghdr *nlh)
{
	const char *pos = (const char *)nlh + NLMSG_HDRLEN + GENL_HDRLEN;
	int rem = nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;

	while (rem >= NLA_HDRLEN) {
		const struct nlattr *t = (const struct nlattr *)pos;

		if (t->nla_len < NLA_HDRLEN || t->nla_len > rem)
			return;
		if ((t->nla_type & NLA_TYPE_MASK) == TCPKA_A_STATS) {
			const char *in = pos + NLA_HDRLEN;
			int irem = t->nla_len - NLA_HDRLEN;

			while (irem >= NLA_HDRLEN) {
				const struct nlattr *c = (const struct nlattr *)in;
				int ct = c->nla_type & NLA_TYPE_MASK;

				if (c->nla_len < NLA_HDRLEN || c->nla_len > irem)
					return;
				if (ct <= TCPKA_STATS_A_MAX &&
				    c->nla_len == NLA_HDRLEN + 8)
					memcpy(&a->stats[ct], in + NLA_HDRLEN, 8);
				irem -= NLA_ALIGN(c->nla_len);
				in += NLA_ALIGN(c->nla_len);
			}
			a->sync_stats = true;
		}
		rem -= NLA_ALIGN(t->nla_len);
		pos += NLA_ALIGN(t->nla_len);
	}
}

static void answer_reset(struct answer *a)
{
	char *data = a->data;

	memset(a, 0, sizeof(*a));
	a->data = data;
	a->offs = -1;
}

static int keep_data(struct answer *a, const struct nlmsghdr *nlh)
{
	if (a->ndata == MAX_DATA || a->data_len + nlh->nlmsg_len > RECV_BUF)
		return -ENOSPC;
	a->data_off[a->ndata++] = a->data_len;
	memcpy(a->data + a->data_len, nlh, nlh->nlmsg_len);
	a->data_len += NLMSG_ALIGN(nlh->nlmsg_len);
	return 0;
}

static const struct nlmsghdr *data_msg(const struct answer *a, int i)
{
	return (const struct nlmsghdr *)(a->data + a->data_off[i]);
}

/*
 * Sends the datagram, then a STATS_GET with an ack request on the same
 * socket, and reads until that ack. Everything the kernel had to say
 * about the datagram arrives before, except the rest of a dump, which is
 * read to its end.
 */
static int exchange(struct fsock *s, __u16 family, const struct wire *w,
		    __u32 seq, struct answer *a)
{
	static char buf[RECV_BUF] __attribute__((aligned(8)));
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct {
		struct nlmsghdr nlh;
		struct genlmsghdr g;
	} sync = {
		.nlh.nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN,
		.nlh.nlmsg_type = family,
		.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK,
		.nlh.nlmsg_seq = seq + 1,
		.g.cmd = TCPKA_CMD_STATS_GET,
		.g.version = TCPKA_GENL_VERSION,
	};

	answer_reset(a);
	/* the one header field the fuzzer never touches: it finds answers */
	if (w->len >= offsetof(struct nlmsghdr, nlmsg_pid))
		((struct wire *)w)->nlh.nlmsg_seq = seq;
	if (sendto(s->fd, w->buf, w->len, 0, (struct sockaddr *)&kernel,
		   sizeof(kernel)) < 0)
		return -errno;
	if (sendto(s->fd, &sync, sizeof(sync), 0, (struct sockaddr *)&kernel,
		   sizeof(kernel)) < 0)
		return -errno;

	while (!a->sync_done || (a->multi && !a->done)) {
		struct nlmsghdr *nlh;
		ssize_t n;
		int rem;

		n = recv(s->fd, buf, sizeof(buf), MSG_TRUNC);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n > (ssize_t)sizeof(buf))
			return -EMSGSIZE;
		rem = n;
		for (nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, rem);
		     nlh = NLMSG_NEXT(nlh, rem)) {
			if (nlh->nlmsg_seq == seq + 1) {
				if (nlh->nlmsg_type == NLMSG_ERROR)
					a->sync_done = true;
				else if (nlh->nlmsg_type == family)
					parse_sync_stats(a, nlh);
				continue;
			}
			if (nlh->nlmsg_seq != seq)
				return -EPROTO;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(nlh);
				int hl = NLMSG_HDRLEN + sizeof(*e);

				a->nerr++;
				a->err = e->error;
				if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
					hl += e->msg.nlmsg_len - NLMSG_HDRLEN;
				if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) &&
				    (int)nlh->nlmsg_len > hl)
					parse_ext_ack(a, (char *)nlh + hl,
						      nlh->nlmsg_len - hl);
			} else if (nlh->nlmsg_type == NLMSG_DONE) {
				a->done = true;
				memcpy(&a->err, NLMSG_DATA(nlh), sizeof(int));
			} else {
				if (nlh->nlmsg_flags & NLM_F_MULTI)
					a->multi = true;
				if (keep_data(a, nlh))
					return -ENOSPC;
			}
		}
	}
	return 0;
}

/* ---- comparing ---- */

static void hexdump(const struct wire *w)
{
	char line[3 * 16 + 1];
	size_t i;

	for (i = 0; i < w->len; i++) {
		snprintf(line + 3 * (i % 16), 4, "%02x ", w->buf[i]);
		if (i % 16 == 15 || i + 1 == w->len)
			ksft_print_msg("  %04zx: %s\n", i - i % 16, line);
	}
}

static int check_reply(struct fuzz *f, const struct fz_expect *e,
		       const struct answer *a, char *why, size_t len)
{
	const struct nlmsghdr *nlh;
	const struct genlmsghdr *g;

	if (e->reply == FZ_REPLY_NONE) {
		if (a->ndata)
			return snprintf(why, len, "%d unexpected replies",
					a->ndata), -1;
		return 0;
	}
	if (a->ndata != 1)
		return snprintf(why, len, "%d replies, want 1", a->ndata), -1;
	nlh = data_msg(a, 0);
	g = (const struct genlmsghdr *)NLMSG_DATA(nlh);
	if (nlh->nlmsg_type != f->env.family_id || g->cmd != e->cmd)
		return snprintf(why, len, "reply type %u cmd %u, want cmd %u",
				nlh->nlmsg_type, g->cmd, e->cmd), -1;
	switch (e->reply) {
	case FZ_REPLY_POLICY:
		return fz_check_policy(&f->env, nlh, &e->pol, e->applied, why,
				       len);
	case FZ_REPLY_APPLIED: {
		const struct nlattr *at = (const void *)((const char *)nlh +
			NLMSG_HDRLEN + GENL_HDRLEN);
		__u32 v;

		if (nlh->nlmsg_len != NLMSG_HDRLEN + GENL_HDRLEN + 8 ||
		    at->nla_type != TCPKA_A_APPLIED || at->nla_len != 8)
			return snprintf(why, len, "apply reply malformed"), -1;
		memcpy(&v, (const char *)at + NLA_HDRLEN, 4);
		if (v)
			return snprintf(why, len, "applied %u, want 0", v), -1;
		return 0;
	}
	default:
		return 0;	/* stats replies are checked as the sync's */
	}
}

static int check_dump(struct fuzz *f, const struct fz_model *m,
		      const struct answer *a, char *why, size_t len)
{
	const struct fz_pol *want[512];
	int n = fz_live_sorted(m, want, 512), i;

	if (a->ndata != n)
		return snprintf(why, len, "dump has %d policies, model %d",
				a->ndata, n), -1;
	for (i = 0; i < n; i++) {
		const struct nlmsghdr *nlh = data_msg(a, i);
		const struct genlmsghdr *g = NLMSG_DATA(nlh);
		char sub[200];

		if (g->cmd != TCPKA_CMD_POLICY_GET ||
		    !(nlh->nlmsg_flags & NLM_F_MULTI) ||
		    (nlh->nlmsg_flags & NLM_F_DUMP_INTR))
			return snprintf(why, len, "dump message %d: cmd %u flags %#x",
					i, g->cmd, nlh->nlmsg_flags), -1;
		if (fz_check_policy(&f->env, nlh, want[i], false, sub,
				    sizeof(sub)))
			return snprintf(why, len, "dump position %d: %s", i,
					sub), -1;
	}
	return 0;
}

static int compare(struct fuzz *f, const struct fz_expect *e,
		   const struct fz_model *next, const struct answer *a,
		   char *why, size_t len)
{
	switch (e->answer) {
	case FZ_SILENT:
		if (a->nerr || a->ndata || a->done)
			return snprintf(why, len, "answered (err %d, %d replies) but should be dropped",
					a->err, a->ndata), -1;
		return 0;
	case FZ_ERROR:
		if (a->nerr != 1 || a->ndata || a->done)
			return snprintf(why, len, "%d errors, %d replies, done %d; want error %d",
					a->nerr, a->ndata, a->done, e->err), -1;
		if (a->err != e->err && (!e->err_alt || a->err != e->err_alt))
			return snprintf(why, len, "error %d (%s), want %d",
					a->err, a->msg, e->err), -1;
		if (e->msg && !e->msg_suffix && strcmp(a->msg, e->msg))
			return snprintf(why, len, "message \"%s\", want \"%s\"",
					a->msg, e->msg), -1;
		if (e->msg && e->msg_suffix &&
		    (strlen(a->msg) < strlen(e->msg) ||
		     strcmp(a->msg + strlen(a->msg) - strlen(e->msg), e->msg)))
			return snprintf(why, len, "message \"%s\", want \"...%s\"",
					a->msg, e->msg), -1;
		if (e->msg && a->offs != e->offs)
			return snprintf(why, len, "blamed offset %d, want %d",
					a->offs, e->offs), -1;
		return 0;
	case FZ_DONE:
		if (a->done || a->nerr != (e->ack ? 1 : 0) ||
		    (a->nerr && a->err))
			return snprintf(why, len, "errors %d (last %d, \"%s\"), done %d; want success%s",
					a->nerr, a->err, a->msg, a->done,
					e->ack ? " and an ack" : ""), -1;
		return check_reply(f, e, a, why, len);
	case FZ_DUMP:
		if (!a->done || a->err || a->nerr > 1 || (a->nerr && a->err))
			return snprintf(why, len, "dump end: done %d err %d errors %d",
					a->done, a->err, a->nerr), -1;
		return check_dump(f, next, a, why, len);
	}
	return 0;
}

static void count(struct fuzz *f, const struct wire *w,
		  const struct fz_expect *e)
{
	static const int errs[] = { EINVAL, ENOENT, EEXIST, EPERM, EBUSY,
				    EOPNOTSUPP, EBADF, E2BIG };
	int i;

	f->sent++;
	if (e->answer == FZ_SILENT) {
		f->silent++;
		return;
	}
	if (e->answer != FZ_ERROR) {
		f->accepted++;
		if (w->len >= 20 && w->nlh.nlmsg_type == f->env.family_id &&
		    (w->nlh.nlmsg_flags & NLM_F_REQUEST) &&
		    w->buf[16] <= TCPKA_CMD_TXN_ABORT)
			f->ok_cmd[w->buf[16]]++;
		return;
	}
	f->refused++;
	for (i = 0; i < 8; i++)
		if (-e->err == errs[i])
			f->by_err[i]++;
}

/*
 * One message: predict, send, compare, adopt. 0, or -1 after printing
 * why the kernel and the model disagree.
 */
static int one(struct fuzz *f, struct fsock *s, const struct wire *w,
	       const char *label, unsigned long idx)
{
	static struct answer a;
	struct fz_expect e;
	struct fz_model next;
	char why[512];
	int err;

	if (!a.data) {
		a.data = malloc(RECV_BUF);
		if (!a.data)
			return -1;
	}
	fz_model_init(&next);
	if (fz_predict(&f->env, &f->m, &s->snd, w->buf, w->len, &e, &next)) {
		ksft_print_msg("model out of memory\n");
		fz_model_free(&next);
		return -1;
	}
	s->seq += 2;
	err = exchange(s, f->env.family_id, w, s->seq, &a);
	if (err) {
		snprintf(why, sizeof(why), "exchange: %s", strerror(-err));
		goto mismatch;
	}
	if (compare(f, &e, &next, &a, why, sizeof(why)))
		goto mismatch;
	if (!a.sync_stats || a.stats[TCPKA_STATS_A_POLICIES] !=
	    (__u64)next.live.n || a.stats[TCPKA_STATS_A_SEEN] ||
	    a.stats[TCPKA_STATS_A_UNMATCHED]) {
		snprintf(why, sizeof(why), "after it the kernel counts %llu policies, model %d",
			 (unsigned long long)a.stats[TCPKA_STATS_A_POLICIES],
			 next.live.n);
		goto mismatch;
	}
	if (f->verbose)
		ksft_print_msg("%s %lu: %s -> %s %d (%s)\n", label, idx,
			       cmd_name(w->len >= 20 ? w->buf[16] : 0),
			       e.answer == FZ_ERROR ? "error" : "ok", e.err,
			       e.why ? e.why : "");
	fz_model_free(&f->m);
	f->m = next;
	count(f, w, &e);
	return 0;

mismatch:
	ksft_print_msg("%s message %lu (%s, %zu bytes, sender portid %u%s): %s\n",
		       label, idx, cmd_name(w->len >= 20 ? w->buf[16] : 0),
		       w->len, s->snd.portid, s->snd.admin ? " admin" : "",
		       why);
	ksft_print_msg("model: %s err %d msg \"%s\" offs %d (rule: %s)\n",
		       e.answer == FZ_SILENT ? "silent" :
		       e.answer == FZ_ERROR ? "error" :
		       e.answer == FZ_DUMP ? "dump" : "success",
		       e.err, e.msg ? e.msg : "", e.offs, e.why ? e.why : "");
	ksft_print_msg("kernel: errors %d err %d msg \"%s\" offs %d replies %d done %d\n",
		       a.nerr, a.err, a.msg, a.offs, a.ndata, a.done);
	hexdump(w);
	fz_model_free(&next);
	return -1;
}

/* A well-formed full dump through the same checks. */
static int dump_check(struct fuzz *f, struct fsock *s)
{
	struct gmsg g;
	struct wire w;

	memset(&g, 0, sizeof(g));
	g.type = f->env.family_id;
	g.flags = NLM_F_REQUEST | NLM_F_DUMP;
	g.cmd = TCPKA_CMD_POLICY_GET;
	g.version = TCPKA_GENL_VERSION;
	serialize(&g, &w);
	f->dumps_checked++;
	return one(f, s, &w, "dump check", f->dumps_checked);
}

/* ---- rounds ---- */

static int root_round(struct fuzz *f, struct fsock s[2], unsigned long n,
		      unsigned long *done)
{
	unsigned long i;
	struct wire w;

	for (i = 0; i < n; i++, (*done)++) {
		struct fsock *sk = &s[pct(&f->r, 85) ? 0 : 1];

		if (*done && !(*done % REOPEN_EVERY)) {
			/* closing the socket ends its transaction */
			fz_model_socket_closed(&f->m, s[0].snd.portid);
			close(s[0].fd);
			if (fsock_open(&s[0], true)) {
				ksft_print_msg("reopening the socket failed\n");
				return -1;
			}
		}
		gen_message(f, &w);
		if (one(f, sk, &w, "root", *done))
			return -1;
		if (!((*done + 1) % DUMP_EVERY) && dump_check(f, &s[0]))
			return -1;
	}
	return 0;
}

static int drop_privileges(void)
{
	if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY))
		return -errno;
	return 0;
}

/*
 * In a child as uid 65534 without capabilities: every change must be
 * refused, every read must answer as for root. Sends on a socket of its
 * own and on root's socket (the kernel checks the sender too, not only
 * who opened the socket). Exits 0, or 1 on the first disagreement.
 */
static void __attribute__((noreturn))
unpriv_child(struct fuzz *f, struct fsock *root, unsigned long n,
	     unsigned long first)
{
	struct fsock own;
	unsigned long i;
	struct wire w;

	if (drop_privileges()) {
		ksft_print_msg("cannot drop privileges: %s\n", strerror(errno));
		exit(1);
	}
	if (fsock_open(&own, false)) {
		ksft_print_msg("unprivileged socket: %s\n", strerror(errno));
		exit(1);
	}
	root->snd.admin = false;
	for (i = 0; i < n; i++) {
		gen_message(f, &w);
		if (one(f, pct(&f->r, 70) ? &own : root, &w, "unprivileged",
			first + i))
			exit(1);
	}
	if (dump_check(f, &own))
		exit(1);
	printf("# unprivileged: %lu accepted, %lu refused (%lu EPERM), %lu dropped\n",
	       f->accepted, f->refused, f->by_err[3], f->silent);
	exit(0);
}

static int unpriv_round(struct fuzz *f, struct fsock *root, unsigned long n,
			unsigned long first)
{
	struct fuzz child = *f;
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		/* its own counters, and its own random stream */
		child.sent = child.accepted = child.refused = child.silent = 0;
		memset(child.by_err, 0, sizeof(child.by_err));
		memset(child.ok_cmd, 0, sizeof(child.ok_cmd));
		child.r.s ^= 0x5bd1e995ULL;
		unpriv_child(&child, root, n, first);
	}
	/* the parent's stream moves on the same way whatever the child did */
	rnd64(&f->r);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		return -1;
	/* the child's reads must not have changed anything: check */
	return dump_check(f, root);
}

/* ---- the namespace and cgroups the fuzzer uses ---- */

static char cg_top[FZ_PATH_MAX];

static int cg_add(struct fz_env *env, const char *dir, int level,
		  const char *path)
{
	struct fz_cgroup *c = &env->cg[env->ncg];

	c->id = cg_id(dir);
	if (!c->id)
		return -1;
	c->level = level;
	snprintf(c->path, sizeof(c->path), "%s", path);
	return env->ncg++;
}

static void cgroups_remove(void)
{
	char dir[FZ_PATH_MAX * 2];
	int depth;

	if (!cg_top[0])
		return;
	for (depth = CHAIN_DEPTH; depth >= 0; depth--) {
		int i, len = snprintf(dir, sizeof(dir), "%s", cg_top);

		for (i = 1; i <= depth; i++)
			len += snprintf(dir + len, sizeof(dir) - len, "/c%d", i);
		rmdir(dir);
	}
}

static int cgroups_create(struct fz_env *env)
{
	char dir[FZ_PATH_MAX * 2], path[FZ_PATH_MAX];
	int i, fd, idx;

	snprintf(cg_top, sizeof(cg_top), CGROUP2_ROOT "/tcpka-fuzz-%d",
		 (int)getpid());
	if (mkdir(cg_top, 0755))
		return -errno;
	if (cg_add(env, CGROUP2_ROOT, 0, "/") < 0)
		return -ENOENT;
	snprintf(path, sizeof(path), "/tcpka-fuzz-%d", (int)getpid());
	if (cg_add(env, cg_top, 1, path) < 0)
		return -ENOENT;
	snprintf(dir, sizeof(dir), "%s", cg_top);
	for (i = 1; i <= CHAIN_DEPTH; i++) {
		size_t dl = strlen(dir), pl = strlen(path);

		snprintf(dir + dl, sizeof(dir) - dl, "/c%d", i);
		snprintf(path + pl, sizeof(path) - pl, "/c%d", i);
		if (mkdir(dir, 0755))
			return -errno;
		if (cg_add(env, dir, i + 1, path) < 0)
			return -ENOENT;
	}
	/* fds of a few of them, at different depths */
	for (i = 0; i < env->ncg && env->ncg_fd < FZ_MAX_FDS; i += 5) {
		const char *d = i == 0 ? CGROUP2_ROOT : NULL;
		char p[FZ_PATH_MAX * 2];

		if (!d) {
			snprintf(p, sizeof(p), "%s%s", CGROUP2_ROOT,
				 env->cg[i].path);
			d = p;
		}
		fd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		idx = env->ncg_fd++;
		env->cg_fd[idx] = fd;
		env->cg_fd_cg[idx] = i;
	}
	return 0;
}

/* ---- the module still works ---- */

static int still_works(char *why, size_t len)
{
	struct ka want = { 1, 77, 7, 3, 1234 }, got[2];
	struct tnl_spec sp = { 0 };
	struct tnl_policy p;
	struct tpair tp;
	struct tnl s;
	int lfd, err;
	__u32 id;

	if (netns_set_ka_sysctls())
		return snprintf(why, len, "sysctls"), -1;
	err = tnl_open(&s);
	if (err)
		return snprintf(why, len, "tnl_open: %s", strerror(-err)), -1;
	err = tnl_flush(&s);
	sp.mode = TCPKA_MODE_OVERRIDE;
	sp.idle = 77;
	sp.intvl = 7;
	sp.cnt = 3;
	sp.user_timeout = 1234;
	TNL_SET(&sp, TCPKA_A_MODE);
	TNL_SET(&sp, TCPKA_A_IDLE);
	TNL_SET(&sp, TCPKA_A_INTVL);
	TNL_SET(&sp, TCPKA_A_CNT);
	TNL_SET(&sp, TCPKA_A_USER_TIMEOUT);
	if (!err)
		err = tnl_add(&s, &sp, &id);
	if (err) {
		snprintf(why, len, "flush/add: %s (%s)", strerror(-err), s.msg);
		goto out;
	}
	lfd = tcp_listen(-1, AF_INET, 0);
	if (lfd < 0 || tcp_pair(&tp, lfd, -1, 0)) {
		snprintf(why, len, "loopback connection failed");
		err = -1;
		goto out;
	}
	if (ka_get(tp.cli, &got[0]) || ka_get(tp.srv, &got[1]) ||
	    !ka_eq(&got[0], &want) || !ka_eq(&got[1], &want)) {
		char a[96], b[96];

		snprintf(why, len, "connection has {%s} and {%s}",
			 ka_str(&got[0], a, sizeof(a)),
			 ka_str(&got[1], b, sizeof(b)));
		err = -1;
	}
	tcp_pair_close(&tp);
	close(lfd);
	if (!err && (tnl_get(&s, id, &p) ||
		     p.stats[TCPKA_STATS_A_APPLIED] != 2)) {
		snprintf(why, len, "policy applied %llu times, want 2",
			 (unsigned long long)p.stats[TCPKA_STATS_A_APPLIED]);
		err = -1;
	}
out:
	tnl_flush(&s);
	tnl_close(&s);
	return err ? -1 : 0;
}

/* ---- main ---- */

static void usage(const char *prog)
{
	fprintf(stderr, "usage: %s [-s SEED] [-n MESSAGES] [-u PERCENT] [-v]\n",
		prog);
	exit(2);
}

int main(int argc, char **argv)
{
	const char *long_env = getenv("TCPKA_LONG");
	unsigned long total = long_env && !strcmp(long_env, "1") ?
			      400000 : 100000;
	unsigned long done = 0, unpriv = 0;
	unsigned int upct = 20, rounds = 5, r;
	struct timespec t0, t1;
	struct fsock s[2];
	struct fuzz f;
	__u64 seed;
	struct tnl t;
	bool root_ok = true, unpriv_ok = true, set_ok, works_ok;
	bool seed_given = false, total_given = false;
	char why[512];
	double secs;
	int opt, err;

	setvbuf(stdout, NULL, _IOLBF, 0);
	memset(&f, 0, sizeof(f));
	clock_gettime(CLOCK_REALTIME, &t0);
	seed = (__u64)t0.tv_sec * 1000000007ULL ^ t0.tv_nsec ^ getpid();
	while ((opt = getopt(argc, argv, "s:n:u:v")) != -1) {
		switch (opt) {
		case 's':
			seed = strtoull(optarg, NULL, 0);
			seed_given = true;
			break;
		case 'n':
			total = strtoul(optarg, NULL, 0);
			total_given = true;
			break;
		case 'u': upct = strtoul(optarg, NULL, 0); break;
		case 'v': f.verbose = true; break;
		default: usage(argv[0]);
		}
	}
	if (upct > 100)
		usage(argv[0]);
	if (getenv("TCPKA_FUZZ_SEED") && !seed_given)
		seed = strtoull(getenv("TCPKA_FUZZ_SEED"), NULL, 0);
	if (getenv("TCPKA_FUZZ_MESSAGES") && !total_given)
		total = strtoul(getenv("TCPKA_FUZZ_MESSAGES"), NULL, 0);
	f.r.s = seed;

	ksft_print_header();
	if (geteuid())
		ksft_exit_skip("must run as root\n");
	err = tnl_open(&t);
	if (err == -ENOENT)
		ksft_exit_skip("generic netlink family tcpka missing (modprobe tcpka)\n");
	if (err)
		ksft_exit_fail_msg("generic netlink: %s\n", strerror(-err));
	f.env.family_id = t.family;
	tnl_close(&t);
	ksft_set_plan(4);
	ksft_print_msg("seed %#llx, %lu messages, %u%% unprivileged (reproduce: %s -s %#llx -n %lu -u %u)\n",
		       (unsigned long long)seed, total, upct, argv[0],
		       (unsigned long long)seed, total, upct);

	if (netns_new())
		ksft_exit_fail_msg("new network namespace: %s\n", strerror(errno));
	err = cgroups_create(&f.env);
	if (err) {
		cgroups_remove();
		ksft_exit_fail_msg("cgroups: %s\n", strerror(-err));
	}
	f.devnull_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	f.rootdir_fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	f.closed_fd = 1000;
	{
		static const char * const pool[] = {
			"a", "b", "web", "db", "x1", "long-name-of-31-characters-abc",
			"ssh", "\xe9t\xe9", "Z", "p-0", "q_1", "pol.7",
		};

		for (r = 0; r < sizeof(pool) / sizeof(pool[0]); r++)
			snprintf(f.names[r], sizeof(f.names[r]), "%s", pool[r]);
		f.nnames = r;
	}
	fz_model_init(&f.m);
	if (fsock_open(&s[0], true) || fsock_open(&s[1], true))
		ksft_exit_fail_msg("netlink socket: %s\n", strerror(errno));

	for (r = 0; r < rounds && root_ok && unpriv_ok; r++) {
		unsigned long share = total / rounds;
		unsigned long nu = share * upct / 100, nr = share - nu;

		if (root_round(&f, s, nr, &done)) {
			root_ok = false;
			break;
		}
		if (nu && unpriv_round(&f, &s[0], nu, done)) {
			unpriv_ok = false;
			break;
		}
		unpriv += nu;
		done += nu;
	}
	clock_gettime(CLOCK_REALTIME, &t1);
	secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;

	ksft_print_msg("root: %lu messages: %lu accepted, %lu refused (EINVAL %lu ENOENT %lu EEXIST %lu EBUSY %lu EOPNOTSUPP %lu EBADF %lu E2BIG %lu), %lu dropped unanswered\n",
		       f.sent, f.accepted, f.refused, f.by_err[0], f.by_err[1],
		       f.by_err[2], f.by_err[4], f.by_err[5], f.by_err[6],
		       f.by_err[7], f.silent);
	ksft_print_msg("accepted: add %lu, replace %lu, del %lu, get %lu, flush %lu, apply %lu, stats %lu, txn begin %lu commit %lu abort %lu\n",
		       f.ok_cmd[1], f.ok_cmd[2], f.ok_cmd[3], f.ok_cmd[4],
		       f.ok_cmd[5], f.ok_cmd[6], f.ok_cmd[7], f.ok_cmd[8],
		       f.ok_cmd[9], f.ok_cmd[10]);
	ksft_print_msg("%lu messages in %.1f s (%.0f/s), %lu full dumps compared\n",
		       done, secs, done / secs, f.dumps_checked);
	ksft_test_result(root_ok, "fuzz as root: %lu messages, seed %#llx\n",
			 f.sent, (unsigned long long)seed);
	if (!root_ok && !unpriv)
		ksft_test_result_skip("fuzz as uid %d: the root rounds failed first\n",
				      NOBODY);
	else
		ksft_test_result(unpriv_ok,
				 "fuzz as uid %d: %lu messages, changes refused, reads answered\n",
				 NOBODY, unpriv);

	set_ok = root_ok && unpriv_ok && !dump_check(&f, &s[0]);
	ksft_test_result(set_ok, "policy set equals the model (%d policies)\n",
			 f.m.live.n);

	close(s[0].fd);
	close(s[1].fd);
	works_ok = !still_works(why, sizeof(why));
	if (!works_ok)
		ksft_print_msg("%s\n", why);
	ksft_test_result(works_ok, "module still works: a new connection gets the policy's values\n");

	fz_model_free(&f.m);
	cgroups_remove();
	ksft_finished();
}
