/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Raw generic netlink for the tcpka selftests.
 *
 * Deliberately not libnl: the tests must be able to send anything
 * (unknown attributes, wrong lengths, odd flags) and must see exactly what
 * the kernel answered: the errno, the extended ack message and the offset
 * of the attribute it blamed (NLMSGERR_ATTR_MSG / NLMSGERR_ATTR_OFFS).
 *
 *	struct tnl s;
 *	struct tnl_msg m;
 *	int off;
 *
 *	tnl_open(&s);
 *	tnl_msg_init(&m, &s, TCPKA_CMD_POLICY_ADD, 0);
 *	off = tnl_put_u32(&m, TCPKA_A_IDLE, 0);
 *	tnl_request(&s, &m);	// -EINVAL, s.msg "idle must be...", s.offs == off
 */
#ifndef TCPKA_SELFTEST_NL_H
#define TCPKA_SELFTEST_NL_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include <linux/netlink.h>
#include <linux/tcpka.h>

#define TNL_MSG_SIZE	4096
#define TNL_ERRMSG_SIZE	256

struct tnl {
	int fd;
	__u16 family;		/* generic netlink id of "tcpka" */
	__u32 seq;

	/* Outcome of the last request. */
	int err;		/* 0 or a negative errno */
	char msg[TNL_ERRMSG_SIZE];	/* extack message, "" if none */
	int offs;		/* NLMSGERR_ATTR_OFFS, -1 if none */

	/* Data messages the last request got back, one after the other. */
	char *replies;
	size_t replies_len;
	size_t replies_cap;
	int nreplies;
};

struct tnl_msg {
	union {
		struct nlmsghdr nlh;
		char buf[TNL_MSG_SIZE];
	};
};

/* A policy as the kernel reports it: has bit (1 << TCPKA_A_x) per attr. */
struct tnl_policy {
	__u64 has;
	__u32 id;
	char name[TCPKA_NAME_MAX_LEN + 2];
	__u32 pref;
	__u64 cgroup_id;
	char cgroup_path[256];
	__u16 lport_min, lport_max, rport_min, rport_max;
	__u16 family;
	__u8 dir, mode;
	__u32 idle, intvl, cnt, user_timeout;
	__u64 applied;
	__u32 stats_has;	/* bit (1 << TCPKA_STATS_A_x) */
	__u64 stats[TCPKA_STATS_A_MAX + 1];
};

#define TNL_HAS(p, attr)	(!!((p)->has & (1ULL << (attr))))

/*
 * What to put in an add or replace, for the tests that are not about
 * validation. Only the attributes whose bit is set in has are sent.
 */
struct tnl_spec {
	__u64 has;
	__u32 id;
	const char *name;
	__u32 pref;
	__u64 cgroup_id;
	__s32 cgroup_fd;
	__u16 lport_min, lport_max, rport_min, rport_max;
	__u16 family;
	__u8 dir, mode;
	__u32 idle, intvl, cnt, user_timeout;
};

#define TNL_SET(spec, attr)	((spec)->has |= 1ULL << (attr))

/*
 * Opens a generic netlink socket in the caller's network namespace with
 * extended acks on, and resolves the family. 0, -ENOENT when the family
 * is not registered (module not loaded), or another -errno.
 */
int tnl_open(struct tnl *s);
void tnl_close(struct tnl *s);

/* Builds a request; NLM_F_REQUEST is always set, and NLM_F_ACK unless
 * flags has NLM_F_DUMP.
 */
void tnl_msg_init(struct tnl_msg *m, const struct tnl *s, __u8 cmd,
		  __u16 flags);
/* Each put returns the attribute's offset from the start of the message
 * (what NLMSGERR_ATTR_OFFS reports), or -1 if it does not fit.
 */
int tnl_put(struct tnl_msg *m, __u16 type, const void *data, size_t len);
int tnl_put_u8(struct tnl_msg *m, __u16 type, __u8 v);
int tnl_put_u16(struct tnl_msg *m, __u16 type, __u16 v);
int tnl_put_u32(struct tnl_msg *m, __u16 type, __u32 v);
int tnl_put_u64(struct tnl_msg *m, __u16 type, __u64 v);
int tnl_put_s32(struct tnl_msg *m, __u16 type, __s32 v);
int tnl_put_str(struct tnl_msg *m, __u16 type, const char *str);
int tnl_put_flag(struct tnl_msg *m, __u16 type);
int tnl_put_spec(struct tnl_msg *m, const struct tnl_spec *spec);

/*
 * Sends the message and reads until its ack, error or end of dump.
 * Returns (and stores in s->err) 0 or the negative errno the kernel
 * answered; s->msg, s->offs and the replies are filled in.
 */
int tnl_request(struct tnl *s, struct tnl_msg *m);

/* The i-th data message of the last request, NULL past the end. */
const struct nlmsghdr *tnl_reply(const struct tnl *s, int i);
/* Decodes a policy object (or any message of the family) into p. */
int tnl_parse_policy(const struct nlmsghdr *nlh, struct tnl_policy *p);

/* Conveniences; all return 0 or -errno and leave the extack in s. */
int tnl_add(struct tnl *s, const struct tnl_spec *spec, __u32 *id);
int tnl_replace(struct tnl *s, const struct tnl_spec *spec);
int tnl_get(struct tnl *s, __u32 id, struct tnl_policy *p);
int tnl_get_name(struct tnl *s, const char *name, struct tnl_policy *p);
int tnl_del(struct tnl *s, __u32 id);
int tnl_flush(struct tnl *s);
/* Applies policy id (0: all); *applied gets TCPKA_A_APPLIED. */
int tnl_apply(struct tnl *s, __u32 id, __u64 *applied);
int tnl_simple(struct tnl *s, __u8 cmd);
/* Returns the number of policies (at most max stored in out) or -errno. */
int tnl_dump(struct tnl *s, struct tnl_policy *out, int max);
/* Fills st[TCPKA_STATS_A_x]; *has (may be NULL) gets the bits present. */
int tnl_stats(struct tnl *s, __u64 st[TCPKA_STATS_A_MAX + 1], __u32 *has);

#endif /* TCPKA_SELFTEST_NL_H */
