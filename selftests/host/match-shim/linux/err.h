/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SHIM_ERR_H
#define _SHIM_ERR_H
#include <errno.h>
#endif
