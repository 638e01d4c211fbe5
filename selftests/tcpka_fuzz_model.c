// SPDX-License-Identifier: GPL-2.0
/*
 * The tcpka fuzzer's reference model; see tcpka_fuzz_model.h.
 *
 * Layer by layer, what the kernel does with a request datagram:
 *  - netlink_rcv_skb(): a header that does not fit is dropped silently;
 *    non-requests and control types are only acked;
 *  - generic netlink: family lookup, header length, reserved field and
 *    nlmsg_flags checks (every tcpka command is past resv_start_op),
 *    command lookup, GENL_UNS_ADMIN_PERM, then strict attribute
 *    validation: unknown types, types the command has no policy for,
 *    wrong lengths, NLA_F_NESTED on a non-nest and trailing bytes are all
 *    refused; commands without a policy refuse every attribute;
 *  - the module: the rules of include/uapi/linux/tcpka.h and the
 *    validation messages the selftests assert on, checked in the order
 *    the ABI lists them (selector, then action, then cgroup).
 * The last of duplicated attributes is the one that counts.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/genetlink.h>

#include "tcpka_fuzz_model.h"

#define ATTRS_OFF	(NLMSG_HDRLEN + GENL_HDRLEN)
#define POLICIES_MAX	262144
#define CG_LEVELS_MAX	16

/*
 * Attribute kinds of an nla_policy entry; NONE is an NLA_UNSPEC hole.
 * Each command's policy spans the whole attribute space: a known type
 * the command does not take is "Unsupported", beyond it "Unknown"; both
 * are EINVAL, which is all the model tells apart.
 */
enum kind { K_NONE, K_U8, K_U16, K_U32, K_U64, K_S32, K_STR, K_FLAG,
	    K_REJECT };

/* What add and replace both take. */
#define POLICY_KINDS					\
	[TCPKA_A_ID] = K_U32,				\
	[TCPKA_A_NAME] = K_STR,				\
	[TCPKA_A_PREF] = K_U32,				\
	[TCPKA_A_CGROUP_ID] = K_U64,			\
	[TCPKA_A_CGROUP_FD] = K_S32,			\
	[TCPKA_A_LPORT_MIN] = K_U16,			\
	[TCPKA_A_LPORT_MAX] = K_U16,			\
	[TCPKA_A_RPORT_MIN] = K_U16,			\
	[TCPKA_A_RPORT_MAX] = K_U16,			\
	[TCPKA_A_FAMILY] = K_U16,			\
	[TCPKA_A_DIR] = K_U8,				\
	[TCPKA_A_MODE] = K_U8,				\
	[TCPKA_A_IDLE] = K_U32,				\
	[TCPKA_A_INTVL] = K_U32,			\
	[TCPKA_A_CNT] = K_U32,				\
	[TCPKA_A_USER_TIMEOUT] = K_U32

static const enum kind policy_kinds[TCPKA_A_MAX + 1] = {
	POLICY_KINDS,
	[TCPKA_A_EXISTING] = K_FLAG,
};

/* Replace takes the same but EXISTING; get, del and apply ID or NAME. */
static const enum kind replace_kinds[TCPKA_A_MAX + 1] = {
	POLICY_KINDS,
};

static const enum kind ident_kinds[TCPKA_A_MAX + 1] = {
	[TCPKA_A_ID] = K_U32,
	[TCPKA_A_NAME] = K_STR,
};

/* Commands without attributes: generic netlink refuses every one. */
static const enum kind reject_all[2] = { K_REJECT, K_REJECT };

static const int fixed_len[] = {
	[K_U8] = 1, [K_U16] = 2, [K_U32] = 4, [K_U64] = 8, [K_S32] = 4,
};

/* A parsed request: the last attribute of each type and its offset. */
struct req {
	const struct nlattr *tb[TCPKA_A_MAX + 1];
	int off[TCPKA_A_MAX + 1];
};

/* The kernel's isgraph(): its ctype table is Latin-1. */
static bool kernel_isgraph(unsigned char c)
{
	return (c >= 33 && c <= 126) || c >= 161;
}

static bool name_valid(const char *s)
{
	size_t i, len = strlen(s);

	if (!len || len > TCPKA_NAME_MAX_LEN)
		return false;
	for (i = 0; i < len; i++)
		if (!kernel_isgraph(s[i]))
			return false;
	return true;
}

static const void *payload(const struct nlattr *a)
{
	return (const char *)a + NLA_HDRLEN;
}

static __u8 get_u8(const struct nlattr *a)
{
	return *(const __u8 *)payload(a);
}

static __u16 get_u16(const struct nlattr *a)
{
	__u16 v;

	memcpy(&v, payload(a), sizeof(v));
	return v;
}

static __u32 get_u32(const struct nlattr *a)
{
	__u32 v;

	memcpy(&v, payload(a), sizeof(v));
	return v;
}

static __u64 get_u64(const struct nlattr *a)
{
	__u64 v;

	memcpy(&v, payload(a), sizeof(v));
	return v;
}

/* ---- sets ---- */

static int set_reserve(struct fz_set *s, int n)
{
	struct fz_pol *p;
	int cap;

	if (n <= s->cap)
		return 0;
	cap = s->cap ? s->cap * 2 : 32;
	while (cap < n)
		cap *= 2;
	p = realloc(s->p, cap * sizeof(*p));
	if (!p)
		return -ENOMEM;
	s->p = p;
	s->cap = cap;
	return 0;
}

static int set_copy(struct fz_set *dst, const struct fz_set *src)
{
	dst->n = 0;
	if (set_reserve(dst, src->n))
		return -ENOMEM;
	if (src->n)
		memcpy(dst->p, src->p, src->n * sizeof(*src->p));
	dst->n = src->n;
	return 0;
}

static struct fz_pol *find_id(struct fz_set *s, __u32 id)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (s->p[i].id == id)
			return &s->p[i];
	return NULL;
}

static struct fz_pol *find_name(struct fz_set *s, const char *name)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (s->p[i].name[0] && !strcmp(s->p[i].name, name))
			return &s->p[i];
	return NULL;
}

static void set_remove(struct fz_set *s, struct fz_pol *p)
{
	int i = p - s->p;

	memmove(&s->p[i], &s->p[i + 1], (s->n - i - 1) * sizeof(*p));
	s->n--;
}

/* What compiling the set into a table refuses: too many cgroup depths. */
static bool set_compiles(const struct fz_env *env, const struct fz_set *s)
{
	bool seen[256] = { false };
	int i, levels = 0;

	for (i = 0; i < s->n; i++) {
		int lvl;

		if (s->p[i].cg < 0)
			continue;
		lvl = env->cg[s->p[i].cg].level & 255;
		if (!seen[lvl]) {
			seen[lvl] = true;
			levels++;
		}
	}
	return levels <= CG_LEVELS_MAX;
}

void fz_model_init(struct fz_model *m)
{
	memset(m, 0, sizeof(*m));
}

void fz_model_free(struct fz_model *m)
{
	free(m->live.p);
	free(m->staged.p);
	memset(m, 0, sizeof(*m));
}

int fz_model_copy(struct fz_model *dst, const struct fz_model *src)
{
	if (set_copy(&dst->live, &src->live) ||
	    set_copy(&dst->staged, &src->staged))
		return -ENOMEM;
	dst->staged_open = src->staged_open;
	dst->staged_portid = src->staged_portid;
	dst->next_id = src->next_id;
	return 0;
}

static void txn_drop(struct fz_model *m)
{
	m->staged_open = false;
	m->staged.n = 0;
	m->staged_portid = 0;
}

void fz_model_socket_closed(struct fz_model *m, __u32 portid)
{
	/* The kernel only marks it orphaned; nothing can tell the two apart. */
	if (m->staged_open && m->staged_portid == portid)
		txn_drop(m);
}

static int pol_cmp(const void *a, const void *b)
{
	const struct fz_pol *x = *(const struct fz_pol **)a;
	const struct fz_pol *y = *(const struct fz_pol **)b;

	if (x->pref != y->pref)
		return x->pref < y->pref ? -1 : 1;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return 0;
}

int fz_live_sorted(const struct fz_model *m, const struct fz_pol **out,
		   int max)
{
	int i, n = m->live.n < max ? m->live.n : max;

	for (i = 0; i < n; i++)
		out[i] = &m->live.p[i];
	qsort(out, n, sizeof(*out), pol_cmp);
	return n;
}

const char *fz_pol_str(const struct fz_env *env, const struct fz_pol *p,
		       char *buf, size_t len)
{
	snprintf(buf, len,
		 "id=%u name=\"%s\" pref=%u cg=%llu lport=%u-%u rport=%u-%u fam=%u dir=%u mode=%u set=%#x idle=%u intvl=%u cnt=%u ut=%u",
		 p->id, p->name, p->pref,
		 p->cg >= 0 ? (unsigned long long)env->cg[p->cg].id : 0ULL,
		 p->lport_min, p->lport_max, p->rport_min, p->rport_max,
		 p->family, p->dir, p->mode, p->set, p->idle, p->intvl, p->cnt,
		 p->ut);
	return buf;
}

/* ---- the netlink and genetlink core ---- */

static void refuse(struct fz_expect *e, int err, const char *msg, int offs,
		   const char *why)
{
	e->answer = FZ_ERROR;
	e->err = err;
	e->msg = msg;
	e->offs = offs;
	e->why = why;
}

/* validate_nla() for one attribute of a strict policy. */
static int check_attr(enum kind k, const struct nlattr *a)
{
	int alen = a->nla_len - NLA_HDRLEN;

	if (k < (int)(sizeof(fixed_len) / sizeof(fixed_len[0])) &&
	    fixed_len[k] && alen != fixed_len[k])
		return -EINVAL;
	if (k != K_NONE && (a->nla_type & NLA_F_NESTED))
		return -EINVAL;
	switch (k) {
	case K_NONE:
	case K_REJECT:
		return -EINVAL;
	case K_FLAG:
		return alen > 0 ? -ERANGE : 0;
	case K_STR:
		if (!alen || !memchr(payload(a), '\0', alen))
			return -EINVAL;
		return 0;
	default:
		return 0;
	}
}

/* __nla_validate_parse() in strict mode over [head, head + len). */
static int parse_attrs(const unsigned char *base, int start, int len,
		       int maxtype, const enum kind *kinds, struct req *r)
{
	const unsigned char *pos = base + start;
	int rem = len;

	memset(r, 0, sizeof(*r));
	while (rem >= NLA_HDRLEN) {
		const struct nlattr *a = (const struct nlattr *)pos;
		int type, err, step;

		if (a->nla_len < NLA_HDRLEN || a->nla_len > rem)
			break;
		type = a->nla_type & NLA_TYPE_MASK;
		if (type == 0 || type > maxtype)
			return -EINVAL;
		err = check_attr(kinds[type], a);
		if (err)
			return err;
		if (type <= TCPKA_A_MAX) {
			r->tb[type] = a;
			r->off[type] = pos - base;
		}
		step = NLA_ALIGN(a->nla_len);
		rem -= step;
		pos += step;
	}
	return rem > 0 ? -EINVAL : 0;
}

static bool cmd_mutates(int cmd)
{
	return cmd != TCPKA_CMD_POLICY_GET && cmd != TCPKA_CMD_STATS_GET;
}

/* ---- the module ---- */

static int req_range(const struct req *r, int amin, int amax, __u16 *min,
		     __u16 *max, const char *empty, const char *lonely,
		     struct fz_expect *e)
{
	if (!r->tb[amin]) {
		if (r->tb[amax]) {
			refuse(e, -EINVAL, lonely, r->off[amax], "range");
			return -1;
		}
		*min = 0;
		*max = 65535;
		return 0;
	}
	*min = get_u16(r->tb[amin]);
	*max = r->tb[amax] ? get_u16(r->tb[amax]) : *min;
	if (*min > *max) {
		refuse(e, -EINVAL, empty, r->off[amax], "range");
		return -1;
	}
	return 0;
}

static int req_u32(const struct req *r, int attr, __u32 min, __u32 max,
		   __u32 *val, __u8 *set, __u8 bit, const char *msg,
		   struct fz_expect *e)
{
	if (!r->tb[attr])
		return 0;
	*val = get_u32(r->tb[attr]);
	if (*val < min || *val > max) {
		refuse(e, -EINVAL, msg, r->off[attr], "value range");
		return -1;
	}
	*set |= bit;
	return 0;
}

static int find_cg_id(const struct fz_env *env, __u64 id)
{
	int i;

	for (i = 0; i < env->ncg; i++)
		if (env->cg[i].id == id)
			return i;
	return -1;
}

static int find_cg_fd(const struct fz_env *env, __s32 fd)
{
	int i;

	for (i = 0; i < env->ncg_fd; i++)
		if (env->cg_fd[i] == fd)
			return env->cg_fd_cg[i];
	return -1;
}

/* A policy request's name, pref, selector, action and cgroup. */
static int parse_policy(const struct fz_env *env, const struct req *r,
			struct fz_pol *p, bool *has_name, bool *has_pref,
			struct fz_expect *e)
{
	memset(p, 0, sizeof(*p));
	p->cg = -1;
	*has_name = *has_pref = false;

	if (r->tb[TCPKA_A_NAME]) {
		const char *s = payload(r->tb[TCPKA_A_NAME]);

		if (!name_valid(s)) {
			refuse(e, -EINVAL,
			       "name must be 1..31 printable characters",
			       r->off[TCPKA_A_NAME], "name");
			return -1;
		}
		strcpy(p->name, s);
		*has_name = true;
	}
	if (r->tb[TCPKA_A_PREF]) {
		p->pref = get_u32(r->tb[TCPKA_A_PREF]);
		*has_pref = true;
	}
	if (req_range(r, TCPKA_A_LPORT_MIN, TCPKA_A_LPORT_MAX, &p->lport_min,
		      &p->lport_max, "lport range is empty",
		      "lport max given without min", e) ||
	    req_range(r, TCPKA_A_RPORT_MIN, TCPKA_A_RPORT_MAX, &p->rport_min,
		      &p->rport_max, "rport range is empty",
		      "rport max given without min", e))
		return -1;
	if (r->tb[TCPKA_A_FAMILY]) {
		p->family = get_u16(r->tb[TCPKA_A_FAMILY]);
		if (p->family != AF_INET && p->family != AF_INET6) {
			refuse(e, -EINVAL, "family must be inet or inet6",
			       r->off[TCPKA_A_FAMILY], "family");
			return -1;
		}
	}
	if (r->tb[TCPKA_A_DIR]) {
		p->dir = get_u8(r->tb[TCPKA_A_DIR]);
		if (p->dir != TCPKA_DIR_IN && p->dir != TCPKA_DIR_OUT) {
			refuse(e, -EINVAL, "dir must be in or out",
			       r->off[TCPKA_A_DIR], "dir");
			return -1;
		}
	}
	if (r->tb[TCPKA_A_MODE]) {
		p->mode = get_u8(r->tb[TCPKA_A_MODE]);
		if (p->mode > TCPKA_MODE_SKIP) {
			refuse(e, -EINVAL,
			       "mode must be default, override or skip",
			       r->off[TCPKA_A_MODE], "mode");
			return -1;
		}
	}
	if (req_u32(r, TCPKA_A_IDLE, 1, TCPKA_IDLE_MAX, &p->idle, &p->set,
		    FZ_SET_IDLE, "idle must be 1..32767", e) ||
	    req_u32(r, TCPKA_A_INTVL, 1, TCPKA_INTVL_MAX, &p->intvl, &p->set,
		    FZ_SET_INTVL, "intvl must be 1..32767", e) ||
	    req_u32(r, TCPKA_A_CNT, 1, TCPKA_CNT_MAX, &p->cnt, &p->set,
		    FZ_SET_CNT, "cnt must be 1..127", e) ||
	    req_u32(r, TCPKA_A_USER_TIMEOUT, 0, TCPKA_USER_TIMEOUT_MAX,
		    &p->ut, &p->set, FZ_SET_UT,
		    "user-timeout must be 0..2147483647", e))
		return -1;

	if (r->tb[TCPKA_A_CGROUP_ID] && r->tb[TCPKA_A_CGROUP_FD]) {
		refuse(e, -EINVAL, "cgroup id and fd are mutually exclusive",
		       r->off[TCPKA_A_CGROUP_FD], "cgroup");
		return -1;
	}
	if (r->tb[TCPKA_A_CGROUP_ID]) {
		p->cg = find_cg_id(env, get_u64(r->tb[TCPKA_A_CGROUP_ID]));
		if (p->cg < 0) {
			/* 6.1: "cgroup does not exist"; later: with the id */
			refuse(e, -ENOENT, "does not exist",
			       r->off[TCPKA_A_CGROUP_ID], "cgroup id");
			e->msg_suffix = true;
			return -1;
		}
	} else if (r->tb[TCPKA_A_CGROUP_FD]) {
		__s32 fd;

		memcpy(&fd, payload(r->tb[TCPKA_A_CGROUP_FD]), sizeof(fd));
		p->cg = find_cg_fd(env, fd);
		if (p->cg < 0) {
			refuse(e, -EBADF, "cgroup fd is not a cgroup v2 directory",
			       r->off[TCPKA_A_CGROUP_FD], "cgroup fd");
			return -1;
		}
	}
	return 0;
}

/*
 * The set a change goes to: the live one, or during a transaction the
 * staged one, for its owner's adds only.
 */
static struct fz_set *target(struct fz_model *m, const struct fz_sender *snd,
			     bool staging, struct fz_expect *e)
{
	if (m->staged_open && !m->staged_portid)
		txn_drop(m);
	if (!m->staged_open)
		return &m->live;
	if (m->staged_portid != snd->portid) {
		refuse(e, -EBUSY, "another transaction is in progress", -1,
		       "txn other");
		return NULL;
	}
	if (!staging) {
		refuse(e, -EINVAL, "only policy add is allowed in a transaction",
		       -1, "txn only add");
		return NULL;
	}
	return &m->staged;
}

static struct fz_pol *lookup(struct fz_set *s, const struct req *r,
			     struct fz_expect *e)
{
	struct fz_pol *p = NULL;
	int off;

	if (r->tb[TCPKA_A_ID]) {
		off = r->off[TCPKA_A_ID];
		p = find_id(s, get_u32(r->tb[TCPKA_A_ID]));
	} else if (r->tb[TCPKA_A_NAME]) {
		const char *name = payload(r->tb[TCPKA_A_NAME]);

		off = r->off[TCPKA_A_NAME];
		if (name_valid(name))
			p = find_name(s, name);
	} else {
		refuse(e, -EINVAL, "policy id or name is required", -1,
		       "ident");
		return NULL;
	}
	if (!p)
		refuse(e, -ENOENT, "policy not found", off, "lookup");
	return p;
}

static void publish_refused(struct fz_expect *e)
{
	refuse(e, -E2BIG, "policies name too many distinct cgroup depths", -1,
	       "cgroup depths");
}

static void reply_policy(struct fz_expect *e, __u8 cmd,
			 const struct fz_pol *p)
{
	e->answer = FZ_DONE;
	e->reply = FZ_REPLY_POLICY;
	e->cmd = cmd;
	e->pol = *p;
}

static void do_add(const struct fz_env *env, struct fz_model *m,
		   const struct fz_sender *snd, const struct req *r,
		   struct fz_expect *e)
{
	struct fz_pol p;
	struct fz_set *s;
	bool has_name, has_pref, live;
	struct fz_pol *prev;

	if (r->tb[TCPKA_A_ID]) {
		refuse(e, -EINVAL, "id is assigned by the kernel",
		       r->off[TCPKA_A_ID], "add id");
		return;
	}
	if (parse_policy(env, r, &p, &has_name, &has_pref, e))
		return;
	if (!has_pref)
		p.pref = TCPKA_PREF_DEFAULT;
	s = target(m, snd, true, e);
	if (!s)
		return;
	live = s == &m->live;
	if (r->tb[TCPKA_A_EXISTING] && !live) {
		refuse(e, -EINVAL, "existing cannot be used in a transaction",
		       r->off[TCPKA_A_EXISTING], "existing in txn");
		return;
	}
	if (s->n >= POLICIES_MAX) {
		refuse(e, -ENOSPC, "too many policies", -1, "full");
		return;
	}
	if (p.name[0] && find_name(s, p.name)) {
		refuse(e, -EEXIST, "name already in use", r->off[TCPKA_A_NAME],
		       "add name");
		return;
	}
	prev = !live && p.name[0] ? find_name(&m->live, p.name) : NULL;
	if (prev) {
		p.id = prev->id;
	} else if (m->next_id == 0xffffffffu) {
		refuse(e, -ENOSPC, "policy ids exhausted", -1, "ids");
		return;
	} else {
		p.id = ++m->next_id;
	}
	if (set_reserve(s, s->n + 1)) {
		refuse(e, -ENOMEM, NULL, -1, "model out of memory");
		return;
	}
	s->p[s->n++] = p;
	if (live && !set_compiles(env, s)) {
		s->n--;
		publish_refused(e);
		return;
	}
	reply_policy(e, TCPKA_CMD_POLICY_ADD, &p);
	e->applied = r->tb[TCPKA_A_EXISTING];
}

static void do_replace(const struct fz_env *env, struct fz_model *m,
		       const struct fz_sender *snd, const struct req *r,
		       struct fz_expect *e)
{
	struct fz_pol p, saved, *cur;
	bool has_name, has_pref;
	struct fz_set *s;

	if (parse_policy(env, r, &p, &has_name, &has_pref, e))
		return;
	s = target(m, snd, false, e);
	if (!s)
		return;
	cur = lookup(s, r, e);
	if (!cur)
		return;
	saved = *cur;
	if (r->tb[TCPKA_A_ID] && has_name && strcmp(cur->name, p.name)) {
		if (find_name(s, p.name)) {
			refuse(e, -EEXIST, "name already in use",
			       r->off[TCPKA_A_NAME], "rename");
			return;
		}
		strcpy(cur->name, p.name);
	}
	p.id = cur->id;
	strcpy(p.name, cur->name);
	if (!has_pref)
		p.pref = cur->pref;
	*cur = p;
	if (!set_compiles(env, s)) {
		*cur = saved;
		publish_refused(e);
		return;
	}
	reply_policy(e, TCPKA_CMD_POLICY_REPLACE, cur);
}

static void do_del(struct fz_model *m, const struct fz_sender *snd,
		   const struct req *r, struct fz_expect *e)
{
	struct fz_set *s = target(m, snd, false, e);
	struct fz_pol *p;

	if (!s)
		return;
	p = lookup(s, r, e);
	if (!p)
		return;
	set_remove(s, p);
	e->answer = FZ_DONE;
}

static void do_apply(struct fz_model *m, const struct fz_sender *snd,
		     const struct req *r, struct fz_expect *e)
{
	struct fz_set *s = target(m, snd, false, e);

	if (!s)
		return;
	if ((r->tb[TCPKA_A_ID] || r->tb[TCPKA_A_NAME]) && !lookup(s, r, e))
		return;
	/* The fuzzer's namespace has no sockets: nothing to apply to. */
	e->answer = FZ_DONE;
	e->reply = FZ_REPLY_APPLIED;
	e->cmd = TCPKA_CMD_POLICY_APPLY;
}

static void do_txn(const struct fz_env *env, struct fz_model *m,
		   const struct fz_sender *snd, int cmd, struct fz_expect *e)
{
	switch (cmd) {
	case TCPKA_CMD_TXN_BEGIN:
		if (m->staged_open && !m->staged_portid)
			txn_drop(m);
		if (m->staged_open) {
			refuse(e, -EBUSY, m->staged_portid == snd->portid ?
			       "transaction already open" :
			       "another transaction is in progress", -1,
			       "txn begin");
			return;
		}
		m->staged_open = true;
		m->staged.n = 0;
		m->staged_portid = snd->portid;
		break;
	case TCPKA_CMD_TXN_COMMIT:
	case TCPKA_CMD_TXN_ABORT:
		if (!m->staged_open || m->staged_portid != snd->portid) {
			refuse(e, -ENOENT, "no transaction open", -1, "txn owner");
			return;
		}
		if (cmd == TCPKA_CMD_TXN_COMMIT) {
			struct fz_set tmp;

			if (!set_compiles(env, &m->staged)) {
				publish_refused(e);
				return;
			}
			tmp = m->live;
			m->live = m->staged;
			m->staged = tmp;
		}
		txn_drop(m);
		break;
	}
	e->answer = FZ_DONE;
}

int fz_predict(const struct fz_env *env, const struct fz_model *m,
	       const struct fz_sender *snd, const void *buf, size_t len,
	       struct fz_expect *e, struct fz_model *next)
{
	const unsigned char *base = buf;
	const struct nlmsghdr *nlh = buf;
	const struct genlmsghdr *g;
	__u16 flags, f;
	bool dump;
	struct req r;
	int cmd, err;

	memset(e, 0, sizeof(*e));
	e->offs = -1;
	if (fz_model_copy(next, m))
		return -ENOMEM;

	if (len < NLMSG_HDRLEN || nlh->nlmsg_len < NLMSG_HDRLEN ||
	    nlh->nlmsg_len > len) {
		e->answer = FZ_SILENT;
		e->why = "header does not fit";
		return 0;
	}
	flags = nlh->nlmsg_flags;
	if (!(flags & NLM_F_REQUEST) || nlh->nlmsg_type < NLMSG_MIN_TYPE) {
		/* not processed, only acked when asked */
		e->answer = FZ_DONE;
		e->ack = flags & NLM_F_ACK;
		e->why = "not a request";
		return 0;
	}
	if (nlh->nlmsg_type != env->family_id) {
		refuse(e, -ENOENT, NULL, -1, "no such family");
		return 0;
	}
	if (nlh->nlmsg_len < ATTRS_OFF) {
		refuse(e, -EINVAL, NULL, -1, "genl header short");
		return 0;
	}
	g = (const struct genlmsghdr *)(base + NLMSG_HDRLEN);
	f = flags;
	if ((f & NLM_F_DUMP) == NLM_F_DUMP)
		f &= ~NLM_F_DUMP;
	if (g->reserved || (f & ~(NLM_F_REQUEST | NLM_F_ACK | NLM_F_ECHO))) {
		refuse(e, -EINVAL, NULL, -1, "genl header check");
		return 0;
	}
	dump = (flags & NLM_F_DUMP) == NLM_F_DUMP;
	cmd = g->cmd;
	if (cmd < TCPKA_CMD_POLICY_ADD || cmd > TCPKA_CMD_TXN_ABORT) {
		refuse(e, -EOPNOTSUPP, NULL, -1, "no such command");
		return 0;
	}
	if (dump && cmd != TCPKA_CMD_POLICY_GET) {
		/*
		 * 6.1 checks the permission before it looks for a dump
		 * handler; later kernels look up do and dump separately.
		 */
		refuse(e, -EOPNOTSUPP, NULL, -1, "no dump handler");
		if (cmd_mutates(cmd) && !snd->admin)
			e->err_alt = -EPERM;
		return 0;
	}
	if (cmd_mutates(cmd) && !snd->admin) {
		refuse(e, -EPERM, NULL, -1, "permission");
		return 0;
	}

	switch (cmd) {
	case TCPKA_CMD_POLICY_ADD:
		err = parse_attrs(base, ATTRS_OFF, nlh->nlmsg_len - ATTRS_OFF,
				  TCPKA_A_MAX, policy_kinds, &r);
		break;
	case TCPKA_CMD_POLICY_REPLACE:
		err = parse_attrs(base, ATTRS_OFF, nlh->nlmsg_len - ATTRS_OFF,
				  TCPKA_A_MAX, replace_kinds, &r);
		break;
	case TCPKA_CMD_POLICY_DEL:
	case TCPKA_CMD_POLICY_GET:
	case TCPKA_CMD_POLICY_APPLY:
		err = parse_attrs(base, ATTRS_OFF, nlh->nlmsg_len - ATTRS_OFF,
				  TCPKA_A_MAX, ident_kinds, &r);
		break;
	default:
		err = parse_attrs(base, ATTRS_OFF, nlh->nlmsg_len - ATTRS_OFF,
				  1, reject_all, &r);
		break;
	}
	if (err) {
		refuse(e, err, NULL, -1, "attribute validation");
		return 0;
	}
	if (dump) {
		e->answer = FZ_DUMP;
		return 0;
	}

	switch (cmd) {
	case TCPKA_CMD_POLICY_ADD:
		do_add(env, next, snd, &r, e);
		break;
	case TCPKA_CMD_POLICY_REPLACE:
		do_replace(env, next, snd, &r, e);
		break;
	case TCPKA_CMD_POLICY_DEL:
		do_del(next, snd, &r, e);
		break;
	case TCPKA_CMD_POLICY_GET: {
		const struct fz_pol *p = lookup(&next->live, &r, e);

		if (p)
			reply_policy(e, TCPKA_CMD_POLICY_GET, p);
		break;
	}
	case TCPKA_CMD_POLICY_FLUSH:
		if (target(next, snd, false, e)) {
			next->live.n = 0;
			e->answer = FZ_DONE;
		}
		break;
	case TCPKA_CMD_POLICY_APPLY:
		do_apply(next, snd, &r, e);
		break;
	case TCPKA_CMD_STATS_GET:
		e->answer = FZ_DONE;
		e->reply = FZ_REPLY_STATS;
		e->cmd = TCPKA_CMD_STATS_GET;
		break;
	default:
		do_txn(env, next, snd, cmd, e);
		break;
	}
	if (e->answer == FZ_DONE)
		e->ack = flags & NLM_F_ACK;
	if (e->err == -ENOMEM && e->answer == FZ_ERROR && !e->msg)
		return -ENOMEM;
	return 0;
}

/* ---- replies ---- */

#define BIT64(n)	(1ULL << (n))

static int bad(char *why, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int bad(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return -1;
}

static int check_stats(const struct nlattr *nest, char *why, size_t len)
{
	const unsigned char *pos = payload(nest);
	int rem = nest->nla_len - NLA_HDRLEN;
	unsigned int seen = 0, want;

	want = (1U << TCPKA_STATS_A_MATCHED) | (1U << TCPKA_STATS_A_APPLIED) |
	       (1U << TCPKA_STATS_A_KEPT) | (1U << TCPKA_STATS_A_SKIPPED) |
	       (1U << TCPKA_STATS_A_EXISTING) | (1U << TCPKA_STATS_A_REAPED);
	while (rem >= NLA_HDRLEN) {
		const struct nlattr *a = (const struct nlattr *)pos;
		int t = a->nla_type & NLA_TYPE_MASK;

		if (a->nla_len < NLA_HDRLEN || a->nla_len > rem)
			return bad(why, len, "stats nest malformed");
		if (t != TCPKA_STATS_A_PAD) {
			if (!(want & (1U << t)) || a->nla_len != NLA_HDRLEN + 8)
				return bad(why, len, "stats attribute %d", t);
			if (get_u64(a))
				return bad(why, len, "counter %d is %llu, want 0",
					   t, (unsigned long long)get_u64(a));
			seen |= 1U << t;
		}
		rem -= NLA_ALIGN(a->nla_len);
		pos += NLA_ALIGN(a->nla_len);
	}
	if (seen != want)
		return bad(why, len, "stats has counters %#x, want %#x", seen,
			   want);
	return 0;
}

int fz_check_policy(const struct fz_env *env, const struct nlmsghdr *nlh,
		    const struct fz_pol *want, bool applied, char *why,
		    size_t len)
{
	const unsigned char *pos = (const unsigned char *)nlh + ATTRS_OFF;
	int rem = (int)nlh->nlmsg_len - ATTRS_OFF;
	__u64 expect = 0, seen = 0;
	struct fz_pol got;

	if (rem < 0)
		return bad(why, len, "reply too short");
	memset(&got, 0, sizeof(got));
	got.cg = -1;
	got.lport_max = got.rport_max = 65535;

	expect |= BIT64(TCPKA_A_ID) | BIT64(TCPKA_A_PREF) | BIT64(TCPKA_A_MODE) |
		  BIT64(TCPKA_A_STATS);
	if (want->name[0])
		expect |= BIT64(TCPKA_A_NAME);
	if (want->cg >= 0)
		expect |= BIT64(TCPKA_A_CGROUP_ID) | BIT64(TCPKA_A_CGROUP_PATH);
	if (want->lport_min || want->lport_max != 65535)
		expect |= BIT64(TCPKA_A_LPORT_MIN) | BIT64(TCPKA_A_LPORT_MAX);
	if (want->rport_min || want->rport_max != 65535)
		expect |= BIT64(TCPKA_A_RPORT_MIN) | BIT64(TCPKA_A_RPORT_MAX);
	if (want->family)
		expect |= BIT64(TCPKA_A_FAMILY);
	if (want->dir)
		expect |= BIT64(TCPKA_A_DIR);
	if (want->set & FZ_SET_IDLE)
		expect |= BIT64(TCPKA_A_IDLE);
	if (want->set & FZ_SET_INTVL)
		expect |= BIT64(TCPKA_A_INTVL);
	if (want->set & FZ_SET_CNT)
		expect |= BIT64(TCPKA_A_CNT);
	if (want->set & FZ_SET_UT)
		expect |= BIT64(TCPKA_A_USER_TIMEOUT);
	if (applied)
		expect |= BIT64(TCPKA_A_APPLIED);

	while (rem >= NLA_HDRLEN) {
		const struct nlattr *a = (const struct nlattr *)pos;
		int t = a->nla_type & NLA_TYPE_MASK;
		int alen = a->nla_len - NLA_HDRLEN;
		int need = -1;

		if (a->nla_len < NLA_HDRLEN || a->nla_len > rem)
			return bad(why, len, "attribute at %d malformed",
				   (int)(pos - (const unsigned char *)nlh));
		if (t > TCPKA_A_MAX || !(expect & BIT64(t))) {
			if (t != TCPKA_A_PAD)
				return bad(why, len, "unexpected attribute %d",
					   t);
			goto next;
		}
		if (seen & BIT64(t))
			return bad(why, len, "attribute %d twice", t);
		seen |= BIT64(t);
		switch (t) {
		case TCPKA_A_ID:
		case TCPKA_A_PREF:
		case TCPKA_A_IDLE:
		case TCPKA_A_INTVL:
		case TCPKA_A_CNT:
		case TCPKA_A_USER_TIMEOUT:
		case TCPKA_A_APPLIED:
			need = 4;
			break;
		case TCPKA_A_CGROUP_ID:
			need = 8;
			break;
		case TCPKA_A_LPORT_MIN:
		case TCPKA_A_LPORT_MAX:
		case TCPKA_A_RPORT_MIN:
		case TCPKA_A_RPORT_MAX:
		case TCPKA_A_FAMILY:
			need = 2;
			break;
		case TCPKA_A_DIR:
		case TCPKA_A_MODE:
			need = 1;
			break;
		}
		if (need >= 0 && alen != need)
			return bad(why, len, "attribute %d has %d bytes", t,
				   alen);
		switch (t) {
		case TCPKA_A_ID: got.id = get_u32(a); break;
		case TCPKA_A_PREF: got.pref = get_u32(a); break;
		case TCPKA_A_IDLE: got.idle = get_u32(a); break;
		case TCPKA_A_INTVL: got.intvl = get_u32(a); break;
		case TCPKA_A_CNT: got.cnt = get_u32(a); break;
		case TCPKA_A_USER_TIMEOUT: got.ut = get_u32(a); break;
		case TCPKA_A_LPORT_MIN: got.lport_min = get_u16(a); break;
		case TCPKA_A_LPORT_MAX: got.lport_max = get_u16(a); break;
		case TCPKA_A_RPORT_MIN: got.rport_min = get_u16(a); break;
		case TCPKA_A_RPORT_MAX: got.rport_max = get_u16(a); break;
		case TCPKA_A_FAMILY: got.family = get_u16(a); break;
		case TCPKA_A_DIR: got.dir = get_u8(a); break;
		case TCPKA_A_MODE: got.mode = get_u8(a); break;
		case TCPKA_A_APPLIED:
			if (get_u32(a))
				return bad(why, len, "applied %u, want 0",
					   get_u32(a));
			break;
		case TCPKA_A_CGROUP_ID:
			got.cg = find_cg_id(env, get_u64(a));
			if (got.cg != want->cg)
				return bad(why, len, "cgroup id %llu",
					   (unsigned long long)get_u64(a));
			break;
		case TCPKA_A_NAME:
			if (alen != (int)strlen(want->name) + 1 ||
			    memcmp(payload(a), want->name, alen))
				return bad(why, len, "name \"%.*s\"", alen,
					   (const char *)payload(a));
			strcpy(got.name, want->name);
			break;
		case TCPKA_A_CGROUP_PATH: {
			const char *path = env->cg[want->cg].path;

			if (alen != (int)strlen(path) + 1 ||
			    memcmp(payload(a), path, alen))
				return bad(why, len, "cgroup path \"%.*s\", want \"%s\"",
					   alen, (const char *)payload(a), path);
			break;
		}
		case TCPKA_A_STATS:
			if (check_stats(a, why, len))
				return -1;
			break;
		}
next:
		rem -= NLA_ALIGN(a->nla_len);
		pos += NLA_ALIGN(a->nla_len);
	}
	if (rem > 0)
		return bad(why, len, "%d bytes after the attributes", rem);
	if (seen != expect)
		return bad(why, len, "attributes %#llx, want %#llx",
			   (unsigned long long)seen, (unsigned long long)expect);
	got.set = want->set;
	if (got.id != want->id || got.pref != want->pref ||
	    got.lport_min != want->lport_min ||
	    got.lport_max != want->lport_max ||
	    got.rport_min != want->rport_min ||
	    got.rport_max != want->rport_max || got.family != want->family ||
	    got.dir != want->dir || got.mode != want->mode ||
	    got.idle != want->idle || got.intvl != want->intvl ||
	    got.cnt != want->cnt || got.ut != want->ut) {
		char a[256], b[256];

		return bad(why, len, "got {%s} want {%s}",
			   fz_pol_str(env, &got, a, sizeof(a)),
			   fz_pol_str(env, want, b, sizeof(b)));
	}
	return 0;
}
