/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _SHIM_MM_H
#define _SHIM_MM_H
#include <stdlib.h>
#define kvzalloc(size, gfp) ((void)(gfp), calloc(1, (size)))
#define kvcalloc(n, size, gfp) ((void)(gfp), calloc((n), (size)))
#define kvmalloc_array(n, size, gfp) ((void)(gfp), calloc((n), (size)))
#define kvfree(p) free(p)
#endif
