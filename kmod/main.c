// SPDX-License-Identifier: GPL-2.0
/*
 * tcpka: TCP keepalive policies, applied by the kernel as sockets become
 * established, configured per network namespace over generic netlink.
 */

#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/ratelimit.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/genetlink.h>
#include "tcpka.h"
#include "registry.h"

/* Reaped events each namespace may send per interval (see tcpka.8). */
#define TCPKA_REAP_EVENTS_BURST		20
#define TCPKA_REAP_EVENTS_INTERVAL	HZ

static unsigned int tcpka_net_id __read_mostly;

struct tcpka_net *tcpka_net(const struct net *net)
{
	return net_generic(net, tcpka_net_id);
}

static int __net_init tcpka_net_init(struct net *net)
{
	struct tcpka_net *tn = tcpka_net(net);
	int err = -ENOMEM;

	tn->net = net;
	mutex_init(&tn->lock);
	ratelimit_state_init(&tn->reap_rs, TCPKA_REAP_EVENTS_INTERVAL,
			     TCPKA_REAP_EVENTS_BURST);
	/* count what was dropped, never print about it */
	ratelimit_set_flags(&tn->reap_rs, RATELIMIT_MSG_ON_RELEASE);

	tn->stats = alloc_percpu_gfp(struct tcpka_net_counters,
				     GFP_KERNEL_ACCOUNT);
	if (!tn->stats)
		goto err;
	tn->live = tcpka_set_create();
	if (!tn->live)
		goto err_stats;
	mutex_lock(&tn->lock);
	err = tcpka_publish(tn);
	mutex_unlock(&tn->lock);
	if (err)
		goto err_set;
	return 0;

err_set:
	tcpka_set_destroy(tn->live);
err_stats:
	free_percpu(tn->stats);
err:
	return err;
}

/* From here on the probe finds no table, and so touches nothing of tn. */
static void __net_exit tcpka_net_pre_exit(struct net *net)
{
	struct tcpka_net *tn = tcpka_net(net);

	mutex_lock(&tn->lock);
	tcpka_unpublish(tn);
	mutex_unlock(&tn->lock);
}

/* The core waited for a grace period since pre_exit. */
static void __net_exit tcpka_net_exit(struct net *net)
{
	struct tcpka_net *tn = tcpka_net(net);

	mutex_lock(&tn->lock);
	tcpka_txn_drop(tn);
	tcpka_set_destroy(tn->live);
	tn->live = NULL;
	mutex_unlock(&tn->lock);
	free_percpu(tn->stats);
	mutex_destroy(&tn->lock);
}

static struct pernet_operations tcpka_net_ops = {
	.init = tcpka_net_init,
	.pre_exit = tcpka_net_pre_exit,
	.exit = tcpka_net_exit,
	.id = &tcpka_net_id,
	.size = sizeof(struct tcpka_net),
};

static int __init tcpka_init(void)
{
	int err;

	tcpka_wq = alloc_workqueue("tcpka", 0, 0);
	if (!tcpka_wq)
		return -ENOMEM;
	err = tcpka_registry_init();
	if (err)
		goto err_wq;
	err = register_pernet_subsys(&tcpka_net_ops);
	if (err)
		goto err_registry;
	err = tcpka_genl_register();
	if (err)
		goto err_pernet;
	err = tcpka_hook_register();
	if (err)
		goto err_genl;
	pr_info("version %s loaded\n", TCPKA_VERSION);
	return 0;

err_genl:
	tcpka_genl_unregister();
err_pernet:
	unregister_pernet_subsys(&tcpka_net_ops);
	rcu_barrier();
	destroy_workqueue(tcpka_wq);
	tcpka_registry_exit();
	return err;
err_registry:
	tcpka_registry_exit();
err_wq:
	destroy_workqueue(tcpka_wq);
	return err;
}

static void __exit tcpka_exit(void)
{
	tcpka_hook_unregister();
	tcpka_genl_unregister();
	unregister_pernet_subsys(&tcpka_net_ops);
	/* tables queued for freeing after a grace period, then their work */
	rcu_barrier();
	destroy_workqueue(tcpka_wq);
	tcpka_registry_exit();
}

module_init(tcpka_init);
module_exit(tcpka_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("TCP keepalive policies per cgroup and port");
MODULE_VERSION(TCPKA_VERSION);
MODULE_ALIAS_GENL_FAMILY("tcpka");
