// SPDX-License-Identifier: GPL-2.0
/* Raw generic netlink for the tcpka selftests; see tcpka_nl.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "tcpka_nl.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

#define GENL_HDR_OFF	(NLMSG_HDRLEN)
#define ATTRS_OFF	(NLMSG_HDRLEN + GENL_HDRLEN)

static struct nlattr *nla_first(const void *head)
{
	return (struct nlattr *)head;
}

static bool nla_fits(const struct nlattr *a, int rem)
{
	return rem >= (int)sizeof(*a) && a->nla_len >= sizeof(*a) &&
	       a->nla_len <= rem;
}

static struct nlattr *nla_next_attr(const struct nlattr *a, int *rem)
{
	int len = NLA_ALIGN(a->nla_len);

	*rem -= len;
	return (struct nlattr *)((char *)a + len);
}

#define nla_for_each(a, head, len, rem) \
	for (rem = (len), a = nla_first(head); nla_fits(a, rem); \
	     a = nla_next_attr(a, &rem))

static void *nla_payload(const struct nlattr *a)
{
	return (char *)a + NLA_HDRLEN;
}

static int nla_plen(const struct nlattr *a)
{
	return a->nla_len - NLA_HDRLEN;
}

static int nla_kind(const struct nlattr *a)
{
	return a->nla_type & NLA_TYPE_MASK;
}

void tnl_msg_init(struct tnl_msg *m, const struct tnl *s, __u8 cmd,
		  __u16 flags)
{
	struct genlmsghdr *g;

	memset(m, 0, sizeof(*m));
	m->nlh.nlmsg_len = ATTRS_OFF;
	m->nlh.nlmsg_type = s ? s->family : 0;
	m->nlh.nlmsg_flags = NLM_F_REQUEST | flags;
	if (!(flags & NLM_F_DUMP))
		m->nlh.nlmsg_flags |= NLM_F_ACK;
	g = (struct genlmsghdr *)(m->buf + GENL_HDR_OFF);
	g->cmd = cmd;
	g->version = TCPKA_GENL_VERSION;
}

int tnl_put(struct tnl_msg *m, __u16 type, const void *data, size_t len)
{
	size_t off = NLMSG_ALIGN(m->nlh.nlmsg_len);
	struct nlattr *a = (struct nlattr *)(m->buf + off);

	if (off + NLA_HDRLEN + NLA_ALIGN(len) > sizeof(m->buf))
		return -1;
	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	if (len)
		memcpy(nla_payload(a), data, len);
	memset((char *)nla_payload(a) + len, 0, NLA_ALIGN(len) - len);
	m->nlh.nlmsg_len = off + NLA_HDRLEN + len;
	return off;
}

int tnl_put_u8(struct tnl_msg *m, __u16 type, __u8 v)
{
	return tnl_put(m, type, &v, sizeof(v));
}

int tnl_put_u16(struct tnl_msg *m, __u16 type, __u16 v)
{
	return tnl_put(m, type, &v, sizeof(v));
}

int tnl_put_u32(struct tnl_msg *m, __u16 type, __u32 v)
{
	return tnl_put(m, type, &v, sizeof(v));
}

int tnl_put_u64(struct tnl_msg *m, __u16 type, __u64 v)
{
	return tnl_put(m, type, &v, sizeof(v));
}

int tnl_put_s32(struct tnl_msg *m, __u16 type, __s32 v)
{
	return tnl_put(m, type, &v, sizeof(v));
}

int tnl_put_str(struct tnl_msg *m, __u16 type, const char *str)
{
	return tnl_put(m, type, str, strlen(str) + 1);
}

int tnl_put_flag(struct tnl_msg *m, __u16 type)
{
	return tnl_put(m, type, NULL, 0);
}

int tnl_put_spec(struct tnl_msg *m, const struct tnl_spec *sp)
{
	int err = 0;

#define HAS(attr) (sp->has & (1ULL << (attr)))
#define PUT(attr, fn, v) \
	do { if (HAS(attr) && fn(m, attr, v) < 0) err = -1; } while (0)
	PUT(TCPKA_A_ID, tnl_put_u32, sp->id);
	PUT(TCPKA_A_NAME, tnl_put_str, sp->name ? sp->name : "");
	PUT(TCPKA_A_PREF, tnl_put_u32, sp->pref);
	PUT(TCPKA_A_CGROUP_ID, tnl_put_u64, sp->cgroup_id);
	PUT(TCPKA_A_CGROUP_FD, tnl_put_s32, sp->cgroup_fd);
	PUT(TCPKA_A_LPORT_MIN, tnl_put_u16, sp->lport_min);
	PUT(TCPKA_A_LPORT_MAX, tnl_put_u16, sp->lport_max);
	PUT(TCPKA_A_RPORT_MIN, tnl_put_u16, sp->rport_min);
	PUT(TCPKA_A_RPORT_MAX, tnl_put_u16, sp->rport_max);
	PUT(TCPKA_A_FAMILY, tnl_put_u16, sp->family);
	PUT(TCPKA_A_DIR, tnl_put_u8, sp->dir);
	PUT(TCPKA_A_MODE, tnl_put_u8, sp->mode);
	PUT(TCPKA_A_IDLE, tnl_put_u32, sp->idle);
	PUT(TCPKA_A_INTVL, tnl_put_u32, sp->intvl);
	PUT(TCPKA_A_CNT, tnl_put_u32, sp->cnt);
	PUT(TCPKA_A_USER_TIMEOUT, tnl_put_u32, sp->user_timeout);
	if (HAS(TCPKA_A_EXISTING) && tnl_put_flag(m, TCPKA_A_EXISTING) < 0)
		err = -1;
#undef PUT
#undef HAS
	return err;
}

static int keep_reply(struct tnl *s, const struct nlmsghdr *nlh)
{
	size_t len = NLMSG_ALIGN(nlh->nlmsg_len);

	if (s->replies_len + len > s->replies_cap) {
		size_t cap = (s->replies_cap ? s->replies_cap * 2 : 8192);
		char *p;

		while (cap < s->replies_len + len)
			cap *= 2;
		p = realloc(s->replies, cap);
		if (!p)
			return -ENOMEM;
		s->replies = p;
		s->replies_cap = cap;
	}
	memcpy(s->replies + s->replies_len, nlh, nlh->nlmsg_len);
	s->replies_len += len;
	s->nreplies++;
	return 0;
}

const struct nlmsghdr *tnl_reply(const struct tnl *s, int i)
{
	const struct nlmsghdr *nlh;
	size_t off = 0;

	if (i < 0 || i >= s->nreplies)
		return NULL;
	for (;;) {
		nlh = (const struct nlmsghdr *)(s->replies + off);
		if (!i--)
			return nlh;
		off += NLMSG_ALIGN(nlh->nlmsg_len);
	}
}

/* Extended ack TLVs after an error or done message. */
static void parse_ext_ack(struct tnl *s, const void *tlvs, int len)
{
	const struct nlattr *a;
	int rem;

	nla_for_each(a, tlvs, len, rem) {
		switch (nla_kind(a)) {
		case NLMSGERR_ATTR_MSG:
			snprintf(s->msg, sizeof(s->msg), "%.*s",
				 nla_plen(a), (char *)nla_payload(a));
			break;
		case NLMSGERR_ATTR_OFFS:
			if (nla_plen(a) == 4)
				s->offs = *(__u32 *)nla_payload(a);
			break;
		}
	}
}

static void handle_error(struct tnl *s, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = NLMSG_DATA(nlh);
	size_t hlen = sizeof(*e);
	int len;

	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*e))) {
		s->err = -EPROTO;
		return;
	}
	s->err = e->error;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		hlen += e->msg.nlmsg_len - NLMSG_HDRLEN;
	len = (int)nlh->nlmsg_len - NLMSG_HDRLEN - (int)hlen;
	if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) && len > 0)
		parse_ext_ack(s, (const char *)e + hlen, len);
}

static void handle_done(struct tnl *s, const struct nlmsghdr *nlh)
{
	int len = (int)nlh->nlmsg_len - NLMSG_HDRLEN - (int)sizeof(int);

	if (nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(int)))
		s->err = *(int *)NLMSG_DATA(nlh);
	if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) && len > 0)
		parse_ext_ack(s, (const char *)NLMSG_DATA(nlh) + sizeof(int),
			      len);
}

int tnl_request(struct tnl *s, struct tnl_msg *m)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	bool dump = m->nlh.nlmsg_flags & NLM_F_DUMP;
	char *buf = NULL;
	size_t bufsz = 0;
	bool done = false;

	s->err = 0;
	s->msg[0] = '\0';
	s->offs = -1;
	s->replies_len = 0;
	s->nreplies = 0;

	m->nlh.nlmsg_seq = ++s->seq;
	if (sendto(s->fd, m->buf, m->nlh.nlmsg_len, 0,
		   (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		return s->err = -errno;

	while (!done) {
		struct nlmsghdr *nlh;
		ssize_t n;
		int rem;

		/* Peek at the size first: a dump skb can exceed any guess. */
		n = recv(s->fd, NULL, 0, MSG_PEEK | MSG_TRUNC);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			s->err = -errno;
			break;
		}
		if ((size_t)n > bufsz) {
			char *p = realloc(buf, n);

			if (!p) {
				s->err = -ENOMEM;
				break;
			}
			buf = p;
			bufsz = n;
		}
		n = recv(s->fd, buf, bufsz, 0);
		if (n < 0) {
			s->err = -errno;
			break;
		}
		rem = n;
		for (nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, rem);
		     nlh = NLMSG_NEXT(nlh, rem)) {
			if (nlh->nlmsg_seq != s->seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				handle_error(s, nlh);
				done = true;
			} else if (nlh->nlmsg_type == NLMSG_DONE) {
				handle_done(s, nlh);
				done = true;
			} else if (keep_reply(s, nlh)) {
				s->err = -ENOMEM;
				done = true;
			}
			if (done)
				break;
		}
		/* A do without NLM_F_ACK ends with its single reply. */
		if (!dump && !(m->nlh.nlmsg_flags & NLM_F_ACK) && s->nreplies)
			done = true;
	}
	free(buf);
	return s->err;
}

static int resolve_family(struct tnl *s)
{
	const struct nlmsghdr *nlh;
	const struct nlattr *a;
	struct tnl_msg m;
	int rem, err;

	tnl_msg_init(&m, NULL, CTRL_CMD_GETFAMILY, 0);
	m.nlh.nlmsg_type = GENL_ID_CTRL;
	((struct genlmsghdr *)(m.buf + GENL_HDR_OFF))->version = 1;
	tnl_put_str(&m, CTRL_ATTR_FAMILY_NAME, TCPKA_GENL_NAME);
	err = tnl_request(s, &m);
	if (err)
		return err;
	nlh = tnl_reply(s, 0);
	if (!nlh)
		return -ENOENT;
	nla_for_each(a, (const char *)nlh + ATTRS_OFF,
		     (int)nlh->nlmsg_len - ATTRS_OFF, rem) {
		if (nla_kind(a) == CTRL_ATTR_FAMILY_ID && nla_plen(a) == 2) {
			s->family = *(__u16 *)nla_payload(a);
			return 0;
		}
	}
	return -ENOENT;
}

int tnl_open(struct tnl *s)
{
	int one = 1, err;

	memset(s, 0, sizeof(*s));
	s->offs = -1;
	s->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (s->fd < 0)
		return -errno;
	if (setsockopt(s->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one,
		       sizeof(one)) ||
	    setsockopt(s->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one,
		       sizeof(one))) {
		err = -errno;
		goto fail;
	}
	err = resolve_family(s);
	if (err)
		goto fail;
	return 0;
fail:
	tnl_close(s);
	return err;
}

void tnl_close(struct tnl *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	free(s->replies);
	s->replies = NULL;
	s->replies_cap = 0;
	s->replies_len = 0;
	s->nreplies = 0;
}

static void parse_stats(struct tnl_policy *p, const struct nlattr *nest)
{
	const struct nlattr *a;
	int rem;

	nla_for_each(a, nla_payload(nest), nla_plen(nest), rem) {
		int t = nla_kind(a);

		if (t <= 0 || t > TCPKA_STATS_A_MAX || nla_plen(a) != 8)
			continue;
		memcpy(&p->stats[t], nla_payload(a), 8);
		p->stats_has |= 1U << t;
	}
}

int tnl_parse_policy(const struct nlmsghdr *nlh, struct tnl_policy *p)
{
	const struct nlattr *a;
	int rem;

	memset(p, 0, sizeof(*p));
	if (nlh->nlmsg_len < ATTRS_OFF)
		return -EPROTO;
	nla_for_each(a, (const char *)nlh + ATTRS_OFF,
		     (int)nlh->nlmsg_len - ATTRS_OFF, rem) {
		int t = nla_kind(a), len = nla_plen(a);
		void *d = nla_payload(a);

		if (t <= 0 || t > TCPKA_A_MAX)
			continue;
		p->has |= 1ULL << t;
#define GET(field) \
	do { if (len == sizeof(p->field)) memcpy(&p->field, d, len); \
	     else return -EPROTO; } while (0)
		switch (t) {
		case TCPKA_A_ID: GET(id); break;
		case TCPKA_A_PREF: GET(pref); break;
		case TCPKA_A_CGROUP_ID: GET(cgroup_id); break;
		case TCPKA_A_LPORT_MIN: GET(lport_min); break;
		case TCPKA_A_LPORT_MAX: GET(lport_max); break;
		case TCPKA_A_RPORT_MIN: GET(rport_min); break;
		case TCPKA_A_RPORT_MAX: GET(rport_max); break;
		case TCPKA_A_FAMILY: GET(family); break;
		case TCPKA_A_DIR: GET(dir); break;
		case TCPKA_A_MODE: GET(mode); break;
		case TCPKA_A_IDLE: GET(idle); break;
		case TCPKA_A_INTVL: GET(intvl); break;
		case TCPKA_A_CNT: GET(cnt); break;
		case TCPKA_A_USER_TIMEOUT: GET(user_timeout); break;
		case TCPKA_A_APPLIED:
			/* A count of sockets: u32 on the wire. */
			if (len == sizeof(__u32))
				p->applied = *(__u32 *)d;
			else
				GET(applied);
			break;
		case TCPKA_A_NAME:
			snprintf(p->name, sizeof(p->name), "%.*s", len,
				 (char *)d);
			break;
		case TCPKA_A_CGROUP_PATH:
			snprintf(p->cgroup_path, sizeof(p->cgroup_path),
				 "%.*s", len, (char *)d);
			break;
		case TCPKA_A_STATS:
			parse_stats(p, a);
			break;
		}
#undef GET
	}
	return 0;
}

static int do_one(struct tnl *s, struct tnl_msg *m, struct tnl_policy *p)
{
	int err = tnl_request(s, m);

	if (err || !p)
		return err;
	if (!tnl_reply(s, 0))
		return -ENODATA;
	return tnl_parse_policy(tnl_reply(s, 0), p);
}

int tnl_add(struct tnl *s, const struct tnl_spec *spec, __u32 *id)
{
	struct tnl_policy p;
	struct tnl_msg m;
	int err;

	tnl_msg_init(&m, s, TCPKA_CMD_POLICY_ADD, 0);
	if (tnl_put_spec(&m, spec))
		return -EMSGSIZE;
	err = do_one(s, &m, &p);
	if (!err && id)
		*id = p.id;
	return err;
}

int tnl_replace(struct tnl *s, const struct tnl_spec *spec)
{
	struct tnl_msg m;

	tnl_msg_init(&m, s, TCPKA_CMD_POLICY_REPLACE, 0);
	if (tnl_put_spec(&m, spec))
		return -EMSGSIZE;
	return tnl_request(s, &m);
}

int tnl_get(struct tnl *s, __u32 id, struct tnl_policy *p)
{
	struct tnl_msg m;

	tnl_msg_init(&m, s, TCPKA_CMD_POLICY_GET, 0);
	tnl_put_u32(&m, TCPKA_A_ID, id);
	return do_one(s, &m, p);
}

int tnl_get_name(struct tnl *s, const char *name, struct tnl_policy *p)
{
	struct tnl_msg m;

	tnl_msg_init(&m, s, TCPKA_CMD_POLICY_GET, 0);
	tnl_put_str(&m, TCPKA_A_NAME, name);
	return do_one(s, &m, p);
}

int tnl_del(struct tnl *s, __u32 id)
{
	struct tnl_msg m;

	tnl_msg_init(&m, s, TCPKA_CMD_POLICY_DEL, 0);
	tnl_put_u32(&m, TCPKA_A_ID, id);
	return tnl_request(s, &m);
}

int tnl_simple(struct tnl *s, __u8 cmd)
{
	struct tnl_msg m;

	tnl_msg_init(&m, s, cmd, 0);
	return tnl_request(s, &m);
}

int tnl_flush(struct tnl *s)
{
	return tnl_simple(s, TCPKA_CMD_POLICY_FLUSH);
}

int tnl_apply(struct tnl *s, __u32 id, __u64 *applied)
{
	struct tnl_policy p;
	struct tnl_msg m;
	int err;

	tnl_msg_init(&m, s, TCPKA_CMD_POLICY_APPLY, 0);
	if (id)
		tnl_put_u32(&m, TCPKA_A_ID, id);
	err = do_one(s, &m, &p);
	if (err)
		return err;
	if (!TNL_HAS(&p, TCPKA_A_APPLIED))
		return -ENODATA;
	if (applied)
		*applied = p.applied;
	return 0;
}

int tnl_dump(struct tnl *s, struct tnl_policy *out, int max)
{
	struct tnl_policy p;
	struct tnl_msg m;
	int i, err;

	tnl_msg_init(&m, s, TCPKA_CMD_POLICY_GET, NLM_F_DUMP);
	err = tnl_request(s, &m);
	if (err)
		return err;
	for (i = 0; i < s->nreplies; i++) {
		err = tnl_parse_policy(tnl_reply(s, i), &p);
		if (err)
			return err;
		if (out && i < max)
			out[i] = p;
	}
	return s->nreplies;
}

int tnl_stats(struct tnl *s, __u64 st[TCPKA_STATS_A_MAX + 1], __u32 *has)
{
	struct tnl_policy p;
	struct tnl_msg m;
	int err;

	tnl_msg_init(&m, s, TCPKA_CMD_STATS_GET, 0);
	err = do_one(s, &m, &p);
	if (err)
		return err;
	if (!TNL_HAS(&p, TCPKA_A_STATS))
		return -ENODATA;
	memcpy(st, p.stats, sizeof(p.stats));
	if (has)
		*has = p.stats_has;
	return 0;
}
