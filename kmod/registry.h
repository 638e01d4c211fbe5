/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sockets tcpka gave keepalive to, keyed by socket, so that their close
 * can be charged to the policy and a later re-apply knows which values
 * were tcpka's rather than the application's.
 */
#ifndef _TCPKA_REGISTRY_H
#define _TCPKA_REGISTRY_H

#include <linux/types.h>

struct sock;

struct tcpka_reg_entry {
	u32 id;		/* the policy applied */
	u8 dir;		/* TCPKA_DIR_IN or TCPKA_DIR_OUT */
	u8 written;	/* TCPKA_SET_* values tcpka set */
};

int tcpka_registry_init(void);
void tcpka_registry_exit(void);
void tcpka_registry_add(const struct sock *sk, u32 id, u8 dir, u8 written);
bool tcpka_registry_take(const struct sock *sk, struct tcpka_reg_entry *ent);
bool tcpka_registry_peek(const struct sock *sk, struct tcpka_reg_entry *ent);

#endif /* _TCPKA_REGISTRY_H */
