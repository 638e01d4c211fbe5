/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SHIM_LOG2_H
#define _SHIM_LOG2_H
static inline unsigned long roundup_pow_of_two(unsigned long n)
{
	unsigned long p = 1;

	while (p < n)
		p <<= 1;
	return p;
}
#endif
