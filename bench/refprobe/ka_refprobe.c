// SPDX-License-Identifier: GPL-2.0
/*
 * The benchmark's reference point (variant f of make bench): the least a
 * module on sock:inet_sock_set_state can do to give every new TCP
 * connection keepalive. No policies, no lookup, no counters: fixed values
 * (idle 60 intvl 10 cnt 5) set on every socket as it becomes established,
 * the way kmod/hook.c sets them. What tcpka costs beyond this is the cost
 * of its lookup and bookkeeping; this is the cost of the hook itself.
 */

#include <linux/module.h>
#include <linux/tracepoint.h>
#include <net/inet_connection_sock.h>
#include <net/sock.h>
#include <net/tcp.h>

#define KA_IDLE		60
#define KA_INTVL	10
#define KA_CNT		5

static struct tracepoint *ka_tp;

static void ka_probe(void *data, const struct sock *csk, const int oldstate,
		     const int newstate)
{
	/* The tracepoint passes the socket const; its owner holds its lock. */
	struct sock *sk = (struct sock *)csk;
	struct tcp_sock *tp;

	if (sk->sk_protocol != IPPROTO_TCP || newstate != TCP_ESTABLISHED)
		return;
	tp = tcp_sk(sk);
	WRITE_ONCE(tp->keepalive_time, KA_IDLE * HZ);
	WRITE_ONCE(tp->keepalive_intvl, KA_INTVL * HZ);
	WRITE_ONCE(tp->keepalive_probes, KA_CNT);
	sock_set_flag(sk, SOCK_KEEPOPEN);
	inet_csk_reset_keepalive_timer(sk, keepalive_time_when(tp));
}

static void ka_find_tp(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "inet_sock_set_state"))
		*(struct tracepoint **)priv = tp;
}

static int __init ka_init(void)
{
	for_each_kernel_tracepoint(ka_find_tp, &ka_tp);
	if (!ka_tp)
		return -ENOENT;
	return tracepoint_probe_register(ka_tp, ka_probe, NULL);
}

static void __exit ka_exit(void)
{
	tracepoint_probe_unregister(ka_tp, ka_probe, NULL);
	tracepoint_synchronize_unregister();
}

module_init(ka_init);
module_exit(ka_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("tcpka benchmark reference: fixed keepalive on every TCP connection");
