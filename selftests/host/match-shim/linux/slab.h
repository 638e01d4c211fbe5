/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SHIM_SLAB_H
#define _SHIM_SLAB_H
#include <linux/mm.h>
#endif
