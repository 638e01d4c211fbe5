// SPDX-License-Identifier: GPL-2.0
/*
 * tcpka: -n NAME enters /run/netns/NAME, as "ip -n" does, before the
 * netlink socket is opened (a socket belongs to the namespace it was
 * created in). Unlike "ip netns exec" it does not remount /sys: the
 * cgroup2 mount under it must stay visible to "cgroup PATH".
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tcpka.h"

#define NETNS_RUN_DIR "/run/netns"

int netns_enter(const char *name)
{
	char path[PATH_MAX];
	int fd;

	if (!*name || strchr(name, '/') || !strcmp(name, ".") ||
	    !strcmp(name, "..")) {
		pr_err("invalid network namespace name \"%s\"", name);
		return EXIT_FAIL;
	}
	snprintf(path, sizeof(path), "%s/%s", NETNS_RUN_DIR, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		pr_err("cannot open network namespace \"%s\": %s", name,
		       strerror(errno));
		return EXIT_FAIL;
	}
	if (setns(fd, CLONE_NEWNET)) {
		pr_err("setting the network namespace \"%s\" failed: %s", name,
		       strerror(errno));
		close(fd);
		return EXIT_FAIL;
	}
	close(fd);
	return 0;
}
