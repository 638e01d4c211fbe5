// SPDX-License-Identifier: GPL-2.0
/*
 * The probe on sock:inet_sock_set_state: when a TCP socket becomes
 * established, look up the first matching policy of its namespace and
 * set its keepalive the way a locked setsockopt() would.
 *
 * The tracepoint runs before the new state is stored, with the socket
 * locked: in process context for connect(), in softirq for an accepted
 * child. So nothing here sleeps, allocates with GFP_KERNEL or takes
 * lock_sock(). This is the moment a cgroup sock_ops program's
 * ACTIVE/PASSIVE_ESTABLISHED callbacks run.
 */

#include <linux/cgroup.h>
#include <linux/tracepoint.h>
#include <net/inet_connection_sock.h>
#include <net/sock.h>
#include <net/tcp.h>
#include "tcpka.h"
#include "registry.h"

static struct tracepoint *tcpka_tp;

/*
 * Sets act's values, keepalive on, and the timer from the socket's last
 * activity, as tcp_sock_set_keepidle_locked() re-arms it. "keep" holds the
 * TCPKA_SET_* values to leave as they are. Returns the values written.
 */
u8 tcpka_set_keepalive(struct sock *sk, const struct tcpka_action *act,
		       u8 keep)
{
	struct tcp_sock *tp = tcp_sk(sk);
	u8 set = act->set & ~keep;
	u32 when, elapsed;

	if (set & TCPKA_SET_IDLE)
		WRITE_ONCE(tp->keepalive_time, act->idle * HZ);
	if (set & TCPKA_SET_INTVL)
		WRITE_ONCE(tp->keepalive_intvl, act->intvl * HZ);
	if (set & TCPKA_SET_CNT)
		WRITE_ONCE(tp->keepalive_probes, act->cnt);
	if (set & TCPKA_SET_USER_TIMEOUT)
		WRITE_ONCE(inet_csk(sk)->icsk_user_timeout, act->user_timeout);

	sock_set_flag(sk, SOCK_KEEPOPEN);
	when = keepalive_time_when(tp);
	elapsed = keepalive_time_elapsed(tp);
	inet_csk_reset_keepalive_timer(sk, when > elapsed ? when - elapsed : 0);
	return set;
}

/* The values an application chose itself: setsockopt() left them non-zero. */
u8 tcpka_app_values(const struct sock *sk)
{
	const struct tcp_sock *tp = tcp_sk(sk);
	u8 chosen = 0;

	if (READ_ONCE(tp->keepalive_time))
		chosen |= TCPKA_SET_IDLE;
	if (READ_ONCE(tp->keepalive_intvl))
		chosen |= TCPKA_SET_INTVL;
	if (READ_ONCE(tp->keepalive_probes))
		chosen |= TCPKA_SET_CNT;
	if (READ_ONCE(inet_csk(sk)->icsk_user_timeout))
		chosen |= TCPKA_SET_USER_TIMEOUT;
	return chosen;
}

/*
 * Fills the socket's ancestor ids at the cgroup depths the table uses. A
 * removed cgroup gets no id: its policies match nothing from then on,
 * even sockets accepted from a listener that was created in it.
 */
static void tcpka_key_cgroups(struct tcpka_key *key, const struct sock *sk,
			      const struct tcpka_table *t)
{
	struct cgroup *cgrp, *anc;
	u32 i;

	if (!t->idx.ncg_levels)
		return;
	cgrp = sock_cgroup_ptr((struct sock_cgroup_data *)&sk->sk_cgrp_data);
	for (i = 0; i < t->idx.ncg_levels; i++) {
		anc = cgroup_ancestor(cgrp, t->idx.cg_levels[i]);
		key->cg[i] = anc && !tcpka_cgroup_dead(anc) ?
			     cgroup_id(anc) : 0;
	}
}

void tcpka_key_from_sock(struct tcpka_key *key, const struct sock *sk,
			 u8 dir, const struct tcpka_table *t)
{
	const struct inet_sock *inet = inet_sk(sk);

	key->family = sk->sk_family;
	key->dir = dir;
	key->lport = inet->inet_num;
	key->rport = ntohs(inet->inet_dport);
	tcpka_key_cgroups(key, sk, t);
}

/*
 * An accepted child reaches ESTABLISHED from SYN_RECV before accept() has
 * given it a struct socket. A connect()ing socket comes from SYN_SENT, or
 * after a simultaneous open from SYN_RECV with its socket attached.
 */
static u8 tcpka_dir(const struct sock *sk, int oldstate)
{
	if (oldstate == TCP_SYN_SENT || READ_ONCE(sk->sk_socket))
		return TCPKA_DIR_OUT;
	return TCPKA_DIR_IN;
}

static void tcpka_established(struct sock *sk, int oldstate)
{
	const struct tcpka_table *t;
	const struct tcpka_rule *r;
	struct tcpka_counters __percpu *c;
	struct tcpka_net *tn;
	struct tcpka_key key;
	u8 dir, keep, written;
	u32 rank;

	rcu_read_lock();
	tn = tcpka_net(sock_net(sk));
	t = rcu_dereference(tn->table);
	if (!t)
		goto out;
	this_cpu_inc(tn->stats->seen);
	if (!t->nrules)
		goto unmatched;

	dir = tcpka_dir(sk, oldstate);
	tcpka_key_from_sock(&key, sk, dir, t);
	rank = tcpka_match(t, &key);
	if (rank == TCPKA_NO_MATCH)
		goto unmatched;

	r = &t->rules[rank];
	c = r->pol->stats->pcpu;
	this_cpu_inc(c->matched);
	switch (r->act.mode) {
	case TCPKA_MODE_SKIP:
		this_cpu_inc(c->skipped);
		goto out;
	case TCPKA_MODE_DEFAULT:
		if (sock_flag(sk, SOCK_KEEPOPEN)) {
			this_cpu_inc(c->kept);
			goto out;
		}
		keep = tcpka_app_values(sk);
		break;
	default:
		keep = 0;
		break;
	}
	written = tcpka_set_keepalive(sk, &r->act, keep);
	this_cpu_inc(c->applied);
	tcpka_registry_add(sk, r->id, dir, written);
	goto out;

unmatched:
	this_cpu_inc(tn->stats->unmatched);
out:
	rcu_read_unlock();
}

/*
 * A socket tcpka gave keepalive to closes. When the peer stopped
 * answering (keepalive probes ran out, or the user timeout expired),
 * tcp_write_err() has set sk_err before tcp_done() moves it to CLOSE.
 */
static void tcpka_closed(struct sock *sk)
{
	struct tcpka_reg_entry ent;
	const struct tcpka_table *t;
	struct tcpka_net *tn;
	u32 rank, idle;

	if (!tcpka_registry_take(sk, &ent))
		return;
	if (READ_ONCE(sk->sk_err) != ETIMEDOUT)
		return;

	idle = jiffies_to_msecs(keepalive_time_elapsed(tcp_sk(sk)));
	rcu_read_lock();
	tn = tcpka_net(sock_net(sk));
	t = rcu_dereference(tn->table);
	rank = t ? tcpka_table_rank_of(t, ent.id) : TCPKA_NO_MATCH;
	if (rank != TCPKA_NO_MATCH) {
		const struct tcpka_rule *r = &t->rules[rank];
		struct cgroup *cgrp = sock_cgroup_ptr(&sk->sk_cgrp_data);

		this_cpu_inc(r->pol->stats->pcpu->reaped);
		tcpka_notify_reaped(tn, sk, ent.id, cgroup_id(cgrp), idle);
	}
	rcu_read_unlock();
}

static void tcpka_probe(void *data, const struct sock *csk,
			const int oldstate, const int newstate)
{
	/* The tracepoint passes the socket const; its owner holds its lock. */
	struct sock *sk = (struct sock *)csk;

	if (sk->sk_protocol != IPPROTO_TCP)
		return;
	if (sk->sk_family != AF_INET && sk->sk_family != AF_INET6)
		return;
	if (newstate == TCP_ESTABLISHED)
		tcpka_established(sk, oldstate);
	else if (newstate == TCP_CLOSE)
		tcpka_closed(sk);
}

static void tcpka_find_tp(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "inet_sock_set_state"))
		*(struct tracepoint **)priv = tp;
}

int tcpka_hook_register(void)
{
	for_each_kernel_tracepoint(tcpka_find_tp, &tcpka_tp);
	if (!tcpka_tp) {
		pr_err("tracepoint inet_sock_set_state not found\n");
		return -ENOENT;
	}
	return tracepoint_probe_register(tcpka_tp, tcpka_probe, NULL);
}

/* After this returns no probe runs, nor will. */
void tcpka_hook_unregister(void)
{
	tracepoint_probe_unregister(tcpka_tp, tcpka_probe, NULL);
	tracepoint_synchronize_unregister();
}
