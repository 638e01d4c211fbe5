/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tcpka: every exchange with the kernel. Nothing else in the tool builds
 * or parses a netlink message.
 *
 * Functions return 0 or a negative errno. On a kernel refusal the
 * extended-ack message (if any) is kept for tcpka_nl_perror().
 */
#ifndef TCPKA_NL_H
#define TCPKA_NL_H

#include "tcpka.h"

struct tcpka_ns_stats {
	uint32_t present;	/* bits of enum tcpka_stats_attr */
	uint64_t val[TCPKA_STATS_A_MAX + 1];
};

typedef int (*tcpka_policy_cb)(const struct tcpka_policy *p, void *arg);

struct tcpka_event_cbs {
	/* cmd is TCPKA_CMD_POLICY_{ADD,REPLACE,DEL,FLUSH}; p NULL on flush */
	int (*policy)(uint8_t cmd, const struct tcpka_policy *p, void *arg);
	int (*reaped)(const struct tcpka_reaped *r, void *arg);
	void (*lost)(void *arg);
	void *arg;
};

/* Prints the error itself and returns EXIT_FAIL when it cannot connect. */
int tcpka_nl_open(struct tcpka_nl **nlp);
void tcpka_nl_close(struct tcpka_nl *nl);
/* Prints "Error: <extack message or strerror(-err)>". */
void tcpka_nl_perror(struct tcpka_nl *nl, int err);

/* reply: the policy object the kernel sent back (may be NULL). */
int tcpka_nl_policy_add(struct tcpka_nl *nl, const struct tcpka_policy *req,
			tcpka_policy_cb reply, void *arg);
int tcpka_nl_policy_replace(struct tcpka_nl *nl,
			    const struct tcpka_policy *req);
int tcpka_nl_policy_del(struct tcpka_nl *nl, const struct tcpka_policy *key);
/*
 * key NULL: dump every policy in evaluation order. cb is called once the
 * whole dump came through, and only for a dump that no change of the set
 * interrupted: an interrupted one is asked again, up to 5 times in all,
 * then this fails with -EAGAIN and cb was never called.
 */
int tcpka_nl_policy_get(struct tcpka_nl *nl, const struct tcpka_policy *key,
			tcpka_policy_cb cb, void *arg);
int tcpka_nl_policy_flush(struct tcpka_nl *nl);
/* key NULL: every policy. */
int tcpka_nl_policy_apply(struct tcpka_nl *nl, const struct tcpka_policy *key,
			  uint32_t *applied);
int tcpka_nl_stats_get(struct tcpka_nl *nl, struct tcpka_ns_stats *st);
/* TCPKA_CMD_TXN_BEGIN, _COMMIT or _ABORT */
int tcpka_nl_txn(struct tcpka_nl *nl, uint8_t cmd);
/* Joins the "monitor" group and calls cbs for each event; never returns
 * unless an error occurs or a callback returns non-zero.
 */
int tcpka_nl_monitor(struct tcpka_nl *nl, const struct tcpka_event_cbs *cbs);

#endif /* TCPKA_NL_H */
