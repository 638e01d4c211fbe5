/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SHIM_OVERFLOW_H
#define _SHIM_OVERFLOW_H
#define struct_size(p, member, n) \
	(sizeof(*(p)) + (size_t)(n) * sizeof((p)->member[0]))
#endif
