/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SHIM_HASH_H
#define _SHIM_HASH_H
#include <linux/types.h>
/* Multiplicative hashing, top bits: the same scheme as the kernel's. */
static inline u32 hash_64(u64 val, unsigned int bits)
{
	return (u32)((val * 0x61c8864680b583ebull) >> (64 - bits));
}
#endif
