/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Included once by each tcpka kselftest program instead of
 * kselftest_harness.h: includes the harness, and skips the whole program (exit 4, one "ok 1 # SKIP"
 * line) when a prerequisite is missing, before the harness runs anything.
 * A missing module is a missing prerequisite; anything the module does
 * wrong once it is there is a failure of the tests themselves.
 */
#ifndef TCPKA_SELFTEST_KSFT_H
#define TCPKA_SELFTEST_KSFT_H

#include <errno.h>
#include <unistd.h>

/* The 6.1 harness leaves its signal handler's ucontext unused. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop

#include "tcpka_nl.h"

static void tcpka_skip_all(const char *why)
{
	ksft_print_header();
	ksft_set_plan(1);
	ksft_exit_skip("%s\n", why);
}

static void __attribute__((constructor)) tcpka_require(void)
{
	struct tnl s;
	int err;

	if (geteuid())
		tcpka_skip_all("must run as root");
	err = tnl_open(&s);
	if (err == -ENOENT)
		tcpka_skip_all("generic netlink family tcpka missing (modprobe tcpka)");
	if (!err)
		tnl_close(&s);
}

#endif /* TCPKA_SELFTEST_KSFT_H */
