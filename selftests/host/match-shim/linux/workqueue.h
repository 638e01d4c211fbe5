/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SHIM_WORKQUEUE_H
#define _SHIM_WORKQUEUE_H
struct rcu_work { int unused; };
#endif
