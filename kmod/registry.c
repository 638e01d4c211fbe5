// SPDX-License-Identifier: GPL-2.0
/*
 * One small record per socket that a policy was applied to, added by the
 * probe when the socket is established and removed when it closes (every
 * full TCP socket passes through TCP_CLOSE before it is destroyed). The
 * probe runs in softirq, so records are allocated with GFP_ATOMIC; a
 * failed allocation only loses the reaped accounting of that socket.
 */

#include <linux/rhashtable.h>
#include <linux/slab.h>
#include "registry.h"

struct tcpka_reg {
	struct rhash_head node;
	const struct sock *sk;
	struct tcpka_reg_entry ent;
	struct rcu_head rcu;
};

static const struct rhashtable_params tcpka_reg_params = {
	.key_len = sizeof(const struct sock *),
	.key_offset = offsetof(struct tcpka_reg, sk),
	.head_offset = offsetof(struct tcpka_reg, node),
	.automatic_shrinking = true,
};

static struct rhashtable tcpka_reg_ht;

int tcpka_registry_init(void)
{
	return rhashtable_init(&tcpka_reg_ht, &tcpka_reg_params);
}

static void tcpka_reg_free(void *ptr, void *arg)
{
	kfree(ptr);
}

/* The probe is gone and no reader is left. */
void tcpka_registry_exit(void)
{
	rhashtable_free_and_destroy(&tcpka_reg_ht, tcpka_reg_free, NULL);
}

void tcpka_registry_add(const struct sock *sk, u32 id, u8 dir, u8 written)
{
	struct tcpka_reg *reg, *old;

	reg = kmalloc(sizeof(*reg), GFP_ATOMIC | __GFP_NOWARN);
	if (!reg)
		return;
	reg->sk = sk;
	reg->ent.id = id;
	reg->ent.dir = dir;
	reg->ent.written = written;

	old = rhashtable_lookup_get_insert_fast(&tcpka_reg_ht, &reg->node,
						tcpka_reg_params);
	if (!old)
		return;
	kfree(reg);
	if (IS_ERR(old))
		return;
	/* re-applied: the socket's lock serializes writers of its record */
	WRITE_ONCE(old->ent.id, id);
	WRITE_ONCE(old->ent.written, old->ent.written | written);
}

/*
 * Copies the socket's record to @ent, if it has one; with @remove also
 * removes it, and reports it only if this call was the one to remove it.
 */
static bool tcpka_registry_find(const struct sock *sk,
				struct tcpka_reg_entry *ent, bool remove)
{
	struct tcpka_reg *reg;
	bool found = false;

	if (!atomic_read(&tcpka_reg_ht.nelems))
		return false;
	rcu_read_lock();
	reg = rhashtable_lookup(&tcpka_reg_ht, &sk, tcpka_reg_params);
	if (reg && remove) {
		found = !rhashtable_remove_fast(&tcpka_reg_ht, &reg->node,
						tcpka_reg_params);
		if (found) {
			*ent = reg->ent;
			kfree_rcu(reg, rcu);
		}
	} else if (reg) {
		ent->id = READ_ONCE(reg->ent.id);
		ent->dir = reg->ent.dir;
		ent->written = READ_ONCE(reg->ent.written);
		found = true;
	}
	rcu_read_unlock();
	return found;
}

bool tcpka_registry_peek(const struct sock *sk, struct tcpka_reg_entry *ent)
{
	return tcpka_registry_find(sk, ent, false);
}

/* Removes the socket's record, if it has one, and returns it. */
bool tcpka_registry_take(const struct sock *sk, struct tcpka_reg_entry *ent)
{
	return tcpka_registry_find(sk, ent, true);
}
