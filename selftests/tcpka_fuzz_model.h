/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fuzzer's model of a network namespace's tcpka state, and of what
 * the kernel answers to a request: the netlink core (netlink_rcv_skb),
 * generic netlink (header checks, permission, strict attribute
 * validation against each command's nla_policy) and the module's own
 * checks and semantics as include/uapi/linux/tcpka.h states them. Where
 * a request breaks several rules, the errno and message depend on which
 * is checked first: that order is the module's.
 *
 * fz_predict() reads the raw bytes of one request datagram, as the kernel
 * would, and tells what should come back; it also computes the state the
 * namespace should be in afterwards. The fuzzer sends the datagram,
 * compares the kernel's answer with the prediction, and only then adopts
 * the new state: the model moves only with what the kernel accepted.
 */
#ifndef TCPKA_FUZZ_MODEL_H
#define TCPKA_FUZZ_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/netlink.h>
#include <linux/types.h>
#include <linux/tcpka.h>

#define FZ_MAX_CGROUPS	32
#define FZ_MAX_FDS	16
#define FZ_PATH_MAX	256

/* Bits of fz_pol.set, as the policy gives each value. */
#define FZ_SET_IDLE	0x1
#define FZ_SET_INTVL	0x2
#define FZ_SET_CNT	0x4
#define FZ_SET_UT	0x8

struct fz_cgroup {
	__u64 id;
	int level;			/* depth below the root cgroup */
	char path[FZ_PATH_MAX];		/* as CGROUP_PATH reports it */
};

/* What the namespace and process look like from the kernel's side. */
struct fz_env {
	__u16 family_id;		/* generic netlink id of "tcpka" */
	struct fz_cgroup cg[FZ_MAX_CGROUPS];
	int ncg;
	/* Open cgroup v2 directory fds and the cgroup each names. */
	int cg_fd[FZ_MAX_FDS];
	int cg_fd_cg[FZ_MAX_FDS];
	int ncg_fd;
};

struct fz_pol {
	__u32 id;
	char name[TCPKA_NAME_MAX_LEN + 1];	/* "" when unnamed */
	__u32 pref;
	int cg;				/* index in fz_env.cg, -1: none */
	__u16 lport_min, lport_max;	/* 0..65535 when not given */
	__u16 rport_min, rport_max;
	__u16 family;			/* 0: any */
	__u8 dir;			/* 0: any */
	__u8 mode;
	__u8 set;			/* FZ_SET_* */
	__u32 idle, intvl, cnt, ut;
};

struct fz_set {
	struct fz_pol *p;
	int n;
	int cap;
};

struct fz_model {
	struct fz_set live;
	bool staged_open;
	struct fz_set staged;
	__u32 staged_portid;		/* the transaction's owner */
	__u32 next_id;			/* last id handed out */
};

/* How the kernel should answer. */
enum fz_answer {
	FZ_SILENT,	/* nothing at all (dropped by the netlink core) */
	FZ_ERROR,	/* an error message with err (or err_alt) */
	FZ_DONE,	/* success: replies, then an ack if NLM_F_ACK */
	FZ_DUMP,	/* success: the live policies, then NLMSG_DONE */
};

enum fz_reply {
	FZ_REPLY_NONE,
	FZ_REPLY_POLICY,	/* one policy object: fz_expect.pol */
	FZ_REPLY_APPLIED,	/* TCPKA_A_APPLIED only */
	FZ_REPLY_STATS,		/* the namespace counters */
};

struct fz_expect {
	enum fz_answer answer;
	int err;		/* negative errno, for FZ_ERROR */
	int err_alt;		/* another acceptable one (kernel versions) */
	const char *msg;	/* extack message, NULL: not checked */
	bool msg_suffix;	/* msg need only end the kernel's message */
	int offs;		/* offset of the blamed attribute, -1: none */
	bool ack;		/* an ack (error 0) follows, for FZ_DONE */
	enum fz_reply reply;
	bool applied;		/* the policy reply carries APPLIED (0) */
	__u32 cmd;		/* the reply's command */
	struct fz_pol pol;
	const char *why;	/* which rule decided, for failure reports */
};

/* Who sends: the permission check and the transaction owner need it. */
struct fz_sender {
	__u32 portid;
	bool admin;		/* CAP_NET_ADMIN over the netns' user ns */
};

void fz_model_init(struct fz_model *m);
void fz_model_free(struct fz_model *m);
int fz_model_copy(struct fz_model *dst, const struct fz_model *src);
/* The sending socket closed: its transaction is gone. */
void fz_model_socket_closed(struct fz_model *m, __u32 portid);

/*
 * Predicts the answer to the datagram buf[0..len) from snd, and fills
 * *next with the state after it (a copy of *m, changed as the request
 * would change it). 0, or -ENOMEM.
 */
int fz_predict(const struct fz_env *env, const struct fz_model *m,
	       const struct fz_sender *snd, const void *buf, size_t len,
	       struct fz_expect *e, struct fz_model *next);

/*
 * Decodes a policy object as the kernel sends it and compares it with
 * want: every attribute present must be expected, every expected one
 * present, counters all zero. 0 when equal; otherwise -1 and a reason in
 * why. applied: the message must also carry TCPKA_A_APPLIED == 0.
 */
int fz_check_policy(const struct fz_env *env, const struct nlmsghdr *nlh,
		    const struct fz_pol *want, bool applied, char *why,
		    size_t len);

/* The live policies in evaluation order (pref, then id), as pointers. */
int fz_live_sorted(const struct fz_model *m, const struct fz_pol **out,
		   int max);

const char *fz_pol_str(const struct fz_env *env, const struct fz_pol *p,
		       char *buf, size_t len);

#endif /* TCPKA_FUZZ_MODEL_H */
