/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-ins for the kernel types kmod/match.c uses. */
#ifndef _SHIM_TYPES_H
#define _SHIM_TYPES_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef unsigned int gfp_t;
#define U16_MAX UINT16_MAX
#define U32_MAX UINT32_MAX
#define GFP_KERNEL 0u
#endif
