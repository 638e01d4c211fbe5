/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SHIM_BITS_H
#define _SHIM_BITS_H
#define BIT(n) (1u << (n))
#endif
