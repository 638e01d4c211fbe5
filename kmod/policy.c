// SPDX-License-Identifier: GPL-2.0
/*
 * Policy objects, the sets that hold them, and publishing a set as the
 * compiled table the probe reads.
 *
 * Writers hold tcpka_net.lock. A change edits the live set, compiles it
 * into a new table and swaps the table pointer; a reader sees the old
 * table or the new one, never a mix. Tables hold a reference on each
 * policy they name and are freed after a grace period, in process
 * context (a table can hold a quarter million references).
 */

#include <linux/cgroup.h>
#include <linux/percpu.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include "tcpka.h"

struct workqueue_struct *tcpka_wq;

static const struct rhashtable_params tcpka_name_params = {
	.key_len = TCPKA_NAME_MAX_LEN + 1,
	.key_offset = offsetof(struct tcpka_policy, name),
	.head_offset = offsetof(struct tcpka_policy, name_node),
	.automatic_shrinking = true,
};

static struct tcpka_stats *tcpka_stats_alloc(void)
{
	struct tcpka_stats *st;

	st = kzalloc(sizeof(*st), GFP_KERNEL_ACCOUNT);
	if (!st)
		return NULL;
	st->pcpu = alloc_percpu_gfp(struct tcpka_counters, GFP_KERNEL_ACCOUNT);
	if (!st->pcpu) {
		kfree(st);
		return NULL;
	}
	refcount_set(&st->refcnt, 1);
	return st;
}

static void tcpka_stats_put(struct tcpka_stats *st)
{
	if (st && refcount_dec_and_test(&st->refcnt)) {
		free_percpu(st->pcpu);
		kfree(st);
	}
}

struct tcpka_policy *tcpka_policy_alloc(void)
{
	struct tcpka_policy *pol;

	pol = kzalloc(sizeof(*pol), GFP_KERNEL_ACCOUNT);
	if (!pol)
		return NULL;
	pol->stats = tcpka_stats_alloc();
	if (!pol->stats) {
		kfree(pol);
		return NULL;
	}
	refcount_set(&pol->refcnt, 1);
	INIT_LIST_HEAD(&pol->node);
	pol->sel.lport_max = U16_MAX;
	pol->sel.rport_max = U16_MAX;
	return pol;
}

/*
 * Only tables make a policy reachable from the probe, and a table drops
 * its references after a grace period, so the last put frees at once.
 */
void tcpka_policy_put(struct tcpka_policy *pol)
{
	if (!pol || !refcount_dec_and_test(&pol->refcnt))
		return;
	if (pol->cgrp)
		cgroup_put(pol->cgrp);
	tcpka_stats_put(pol->stats);
	kfree(pol);
}

/* After a reload, "to" counts on from where "from" stopped. */
void tcpka_policy_share_stats(struct tcpka_policy *to,
			      struct tcpka_policy *from)
{
	refcount_inc(&from->stats->refcnt);
	tcpka_stats_put(to->stats);
	to->stats = from->stats;
}

void tcpka_policy_sum(const struct tcpka_policy *pol,
		      struct tcpka_counters *sum)
{
	int cpu;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		const struct tcpka_counters *c = per_cpu_ptr(pol->stats->pcpu,
							     cpu);

		sum->matched += READ_ONCE(c->matched);
		sum->applied += READ_ONCE(c->applied);
		sum->kept += READ_ONCE(c->kept);
		sum->skipped += READ_ONCE(c->skipped);
		sum->existing += READ_ONCE(c->existing);
		sum->reaped += READ_ONCE(c->reaped);
	}
}

void tcpka_net_sum(const struct tcpka_net *tn, struct tcpka_net_counters *sum)
{
	int cpu;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		const struct tcpka_net_counters *c = per_cpu_ptr(tn->stats, cpu);

		sum->seen += READ_ONCE(c->seen);
		sum->unmatched += READ_ONCE(c->unmatched);
		sum->events_dropped += READ_ONCE(c->events_dropped);
	}
}

struct tcpka_set *tcpka_set_create(void)
{
	struct tcpka_set *set;

	set = kzalloc(sizeof(*set), GFP_KERNEL_ACCOUNT);
	if (!set)
		return NULL;
	if (rhashtable_init(&set->by_name, &tcpka_name_params)) {
		kfree(set);
		return NULL;
	}
	INIT_LIST_HEAD(&set->policies);
	xa_init(&set->by_id);
	return set;
}

/* Drops the set's reference on each policy; tables may still hold some. */
void tcpka_set_destroy(struct tcpka_set *set)
{
	struct tcpka_policy *pol, *tmp;

	if (!set)
		return;
	list_for_each_entry_safe(pol, tmp, &set->policies, node) {
		tcpka_set_remove(set, pol);
		tcpka_policy_put(pol);
	}
	xa_destroy(&set->by_id);
	rhashtable_destroy(&set->by_name);
	kfree(set);
}

struct tcpka_policy *tcpka_set_find_id(struct tcpka_set *set, u32 id)
{
	return xa_load(&set->by_id, id);
}

struct tcpka_policy *tcpka_set_find_name(struct tcpka_set *set,
					 const char *name)
{
	char key[TCPKA_NAME_MAX_LEN + 1];

	/* keys are compared whole: pad like the stored names */
	strscpy_pad(key, name, sizeof(key));
	return rhashtable_lookup_fast(&set->by_name, key, tcpka_name_params);
}

/* Takes over the caller's reference. -EEXIST if the name is in use. */
int tcpka_set_insert(struct tcpka_set *set, struct tcpka_policy *pol)
{
	int err;

	err = xa_insert(&set->by_id, pol->id, pol, GFP_KERNEL_ACCOUNT);
	if (err)
		return err;
	if (pol->name[0]) {
		err = rhashtable_lookup_insert_fast(&set->by_name,
						    &pol->name_node,
						    tcpka_name_params);
		if (err) {
			xa_erase(&set->by_id, pol->id);
			return err;
		}
	}
	list_add_tail(&pol->node, &set->policies);
	set->count++;
	return 0;
}

/* Unlinks pol; the caller inherits the set's reference. */
void tcpka_set_remove(struct tcpka_set *set, struct tcpka_policy *pol)
{
	xa_erase(&set->by_id, pol->id);
	if (pol->name[0])
		rhashtable_remove_fast(&set->by_name, &pol->name_node,
				       tcpka_name_params);
	list_del_init(&pol->node);
	set->count--;
}

/* -EEXIST if another policy of set has the name; "" removes the name. */
int tcpka_set_rename(struct tcpka_set *set, struct tcpka_policy *pol,
		     const char *name)
{
	int err;

	if (!strcmp(pol->name, name))
		return 0;
	if (name[0] && tcpka_set_find_name(set, name))
		return -EEXIST;
	if (pol->name[0])
		rhashtable_remove_fast(&set->by_name, &pol->name_node,
				       tcpka_name_params);
	strscpy_pad(pol->name, name, sizeof(pol->name));
	if (!pol->name[0])
		return 0;
	err = rhashtable_insert_fast(&set->by_name, &pol->name_node,
				     tcpka_name_params);
	if (err)
		memset(pol->name, 0, sizeof(pol->name));
	return err;
}

static void tcpka_table_release(struct work_struct *work)
{
	struct tcpka_table *t = container_of(to_rcu_work(work),
					     struct tcpka_table, free_work);
	u32 i;

	for (i = 0; i < t->nrules; i++) {
		tcpka_policy_put(t->rules[i].pol);
		if (!(i & 1023))
			cond_resched();
	}
	tcpka_table_free(t);
}

static int tcpka_policy_cmp(const void *a, const void *b)
{
	const struct tcpka_policy *x = *(const struct tcpka_policy **)a;
	const struct tcpka_policy *y = *(const struct tcpka_policy **)b;

	if (x->pref != y->pref)
		return x->pref < y->pref ? -1 : 1;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return 0;
}

/* The set's policies as a new table, each referenced by it. */
static struct tcpka_table *tcpka_compile(struct tcpka_set *set)
{
	struct tcpka_policy **pols, *pol;
	struct tcpka_table *t;
	u32 n = 0, i;
	int err;

	pols = kvmalloc_array(max(set->count, 1U), sizeof(*pols),
			      GFP_KERNEL_ACCOUNT);
	if (!pols)
		return ERR_PTR(-ENOMEM);
	list_for_each_entry(pol, &set->policies, node)
		pols[n++] = pol;
	sort(pols, n, sizeof(*pols), tcpka_policy_cmp, NULL);

	t = tcpka_table_alloc(n, GFP_KERNEL_ACCOUNT);
	if (!t) {
		err = -ENOMEM;
		goto err;
	}
	for (i = 0; i < n; i++) {
		t->rules[i].sel = pols[i]->sel;
		t->rules[i].act = pols[i]->act;
		t->rules[i].id = pols[i]->id;
		t->rules[i].pol = pols[i];
	}
	err = tcpka_table_index(t, GFP_KERNEL_ACCOUNT);
	if (err)
		goto err;
	kvfree(pols);
	for (i = 0; i < n; i++)
		refcount_inc(&t->rules[i].pol->refcnt);
	INIT_RCU_WORK(&t->free_work, tcpka_table_release);
	return t;

err:
	tcpka_table_free(t);
	kvfree(pols);
	return ERR_PTR(err);
}

static void tcpka_install(struct tcpka_net *tn, struct tcpka_table *t)
{
	struct tcpka_table *old;

	old = rcu_replace_pointer(tn->table, t, lockdep_is_held(&tn->lock));
	tn->gen++;
	if (old)
		queue_rcu_work(tcpka_wq, &old->free_work);
}

/* Makes the live set what the probe sees; on error nothing changed. */
int tcpka_publish(struct tcpka_net *tn)
{
	struct tcpka_table *t = tcpka_compile(tn->live);

	if (IS_ERR(t))
		return PTR_ERR(t);
	tcpka_install(tn, t);
	return 0;
}

/* The probe sees no table after this, so nothing of tn after a grace period. */
void tcpka_unpublish(struct tcpka_net *tn)
{
	tcpka_install(tn, NULL);
}

/*
 * Replaces the live set by the staged one in one table swap. Staged
 * policies were given the id of the live policy of the same name when
 * they were added; here they also take over its counters.
 */
int tcpka_txn_commit(struct tcpka_net *tn)
{
	struct tcpka_set *staged = tn->staged, *old = tn->live;
	struct tcpka_policy *pol, *prev;
	struct tcpka_table *t;

	t = tcpka_compile(staged);
	if (IS_ERR(t))
		return PTR_ERR(t);
	list_for_each_entry(pol, &staged->policies, node) {
		if (!pol->name[0])
			continue;
		prev = tcpka_set_find_name(old, pol->name);
		if (prev)
			tcpka_policy_share_stats(pol, prev);
	}
	tcpka_install(tn, t);
	tn->live = staged;
	tn->staged = NULL;
	tn->staged_portid = 0;
	tcpka_set_destroy(old);
	return 0;
}

void tcpka_txn_drop(struct tcpka_net *tn)
{
	tcpka_set_destroy(tn->staged);
	tn->staged = NULL;
	tn->staged_portid = 0;
}
