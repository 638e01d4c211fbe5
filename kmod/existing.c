// SPDX-License-Identifier: GPL-2.0
/*
 * Applying policies to sockets that were established before them.
 *
 * The namespace's established TCP sockets are found in its ehash, as
 * inet_diag walks it: a few sockets of a bucket are taken with a
 * reference under the bucket lock, the lock is dropped, and each socket
 * is then locked with lock_sock() in process context and given the
 * values of its first matching policy. No bucket lock is ever held across
 * a socket lock, and the walk reschedules between buckets.
 */

#include <linux/sched/signal.h>
#include <net/inet_hashtables.h>
#include <net/sock.h>
#include <net/tcp.h>
#include "tcpka.h"
#include "registry.h"

#define TCPKA_WALK_BATCH	16

/*
 * A socket established before tcpka saw it: an accepted child carries the
 * backlog of the listener it was cloned from, a connect()ed socket never
 * listened. (A listener created with backlog 0 is taken for "out".)
 */
static u8 tcpka_guess_dir(const struct sock *sk)
{
	return READ_ONCE(sk->sk_max_ack_backlog) ? TCPKA_DIR_IN : TCPKA_DIR_OUT;
}

/* Clears values an earlier policy set that the new one leaves out. */
static void tcpka_clear_values(struct sock *sk, u8 mask)
{
	struct tcp_sock *tp = tcp_sk(sk);

	if (mask & TCPKA_SET_IDLE)
		WRITE_ONCE(tp->keepalive_time, 0);
	if (mask & TCPKA_SET_INTVL)
		WRITE_ONCE(tp->keepalive_intvl, 0);
	if (mask & TCPKA_SET_CNT)
		WRITE_ONCE(tp->keepalive_probes, 0);
	if (mask & TCPKA_SET_USER_TIMEOUT)
		WRITE_ONCE(inet_csk(sk)->icsk_user_timeout, 0);
}

/* Called with the socket locked; id 0 stands for every policy. */
static bool tcpka_apply_one(struct sock *sk, const struct tcpka_table *t,
			    u32 id)
{
	struct tcpka_reg_entry ent;
	const struct tcpka_rule *r;
	struct tcpka_key key;
	u8 dir, keep, written;
	bool ours;
	u32 rank;

	if (sk->sk_state != TCP_ESTABLISHED)
		return false;
	ours = tcpka_registry_peek(sk, &ent);
	dir = ours ? ent.dir : tcpka_guess_dir(sk);
	tcpka_key_from_sock(&key, sk, dir, t);
	rank = tcpka_match(t, &key);
	if (rank == TCPKA_NO_MATCH)
		return false;
	r = &t->rules[rank];
	if (id && r->id != id)
		return false;

	switch (r->act.mode) {
	case TCPKA_MODE_SKIP:
		return false;
	case TCPKA_MODE_DEFAULT:
		/* keepalive on without tcpka: the application chose it */
		if (!ours && sock_flag(sk, SOCK_KEEPOPEN))
			return false;
		keep = tcpka_app_values(sk) & ~(ours ? ent.written : 0);
		break;
	default:
		keep = 0;
		break;
	}
	if (ours)
		tcpka_clear_values(sk, ent.written & ~r->act.set);
	written = tcpka_set_keepalive(sk, &r->act, keep);
	this_cpu_inc(r->pol->stats->pcpu->existing);
	tcpka_registry_add(sk, r->id, dir, written);
	return true;
}

/* Takes up to n established sockets of tn's namespace after the first skip. */
static int tcpka_bucket_take(struct inet_hashinfo *hinfo, unsigned int bucket,
			     const struct net *net, unsigned int skip,
			     struct sock **socks, int n)
{
	struct inet_ehash_bucket *head = &hinfo->ehash[bucket];
	spinlock_t *lock = inet_ehash_lockp(hinfo, bucket);
	struct hlist_nulls_node *node;
	struct sock *sk;
	int taken = 0;

	spin_lock_bh(lock);
	sk_nulls_for_each(sk, node, &head->chain) {
		if (sk->sk_state != TCP_ESTABLISHED ||
		    !net_eq(sock_net(sk), net))
			continue;
		if (skip) {
			skip--;
			continue;
		}
		sock_hold(sk);
		socks[taken++] = sk;
		if (taken == n)
			break;
	}
	spin_unlock_bh(lock);
	return taken;
}

/*
 * Applies policy id (0: each socket's first matching policy) to the
 * established sockets of the namespace whose first match it is. Called
 * with tn->lock held, so the table cannot change underneath. Returns how
 * many sockets were given values; a pending signal ends the walk early.
 */
u32 tcpka_apply_existing(struct tcpka_net *tn, u32 id)
{
	struct inet_hashinfo *hinfo = tn->net->ipv4.tcp_death_row.hashinfo;
	struct sock *socks[TCPKA_WALK_BATCH];
	const struct tcpka_table *t;
	unsigned int bucket, done;
	u32 applied = 0;
	int i, n;

	t = rcu_dereference_protected(tn->table, lockdep_is_held(&tn->lock));
	if (!t || !t->nrules || !hinfo)
		return 0;

	for (bucket = 0; bucket <= hinfo->ehash_mask; bucket++) {
		if (hlist_nulls_empty(&hinfo->ehash[bucket].chain))
			continue;
		done = 0;
		do {
			n = tcpka_bucket_take(hinfo, bucket, tn->net, done,
					      socks, TCPKA_WALK_BATCH);
			for (i = 0; i < n; i++) {
				lock_sock(socks[i]);
				applied += tcpka_apply_one(socks[i], t, id);
				release_sock(socks[i]);
				sock_put(socks[i]);
			}
			done += n;
		} while (n == TCPKA_WALK_BATCH);
		if (fatal_signal_pending(current))
			break;
		cond_resched();
	}
	return applied;
}
