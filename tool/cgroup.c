// SPDX-License-Identifier: GPL-2.0
/*
 * tcpka: "cgroup PATH" to an open directory, which the kernel turns into
 * a cgroup in our context (TCPKA_A_CGROUP_FD).
 *
 * PATH is taken as written when it is an absolute directory under the
 * cgroup2 mount (/sys/fs/cgroup/system.slice/x.service), otherwise as
 * relative to that mount (/system.slice/x.service), which is also the
 * spelling "policy show" prints back.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tcpka.h"

/* mountinfo escapes space, tab, newline and backslash as \ooo */
static void unescape(char *s)
{
	char *d = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*d++ = (s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0');
			s += 4;
		} else {
			*d++ = *s++;
		}
	}
	*d = '\0';
}

/* The first cgroup2 mount point of this mount namespace. */
static int cgroup2_mount(char *buf, size_t size)
{
	char *line = NULL;
	size_t len = 0;
	int ret = -ENOENT;
	FILE *f;

	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return -errno;
	while (getline(&line, &len, f) > 0) {
		/* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS... - FSTYPE SRC OPTS */
		char *sep = strstr(line, " - ");
		char *mnt, *save;
		int i;

		if (!sep || strncmp(sep + 3, "cgroup2 ", 8))
			continue;
		mnt = strtok_r(line, " ", &save);
		for (i = 0; i < 4 && mnt; i++)
			mnt = strtok_r(NULL, " ", &save);
		if (!mnt)
			continue;
		unescape(mnt);
		if (strlen(mnt) >= size) {
			ret = -ENAMETOOLONG;
			break;
		}
		strcpy(buf, mnt);
		ret = 0;
		break;
	}
	free(line);
	fclose(f);
	return ret;
}

/* Is path (resolved) the mount point or below it? */
static bool under(const char *path, const char *mnt)
{
	size_t n = strlen(mnt);

	if (!strcmp(mnt, "/"))
		return true;
	return !strncmp(path, mnt, n) && (path[n] == '\0' || path[n] == '/');
}

/* Returns an fd, or -1 after printing the reason. */
int cgroup_open(const char *path)
{
	char mnt[PATH_MAX], real[PATH_MAX], rel[PATH_MAX];
	const char *p;
	int fd, ret;

	ret = cgroup2_mount(mnt, sizeof(mnt));
	if (ret) {
		pr_err("cgroup %s: %s", path, ret == -ENOENT ?
		       "no cgroup2 file system is mounted" : strerror(-ret));
		return -1;
	}
	if (path[0] == '/' && realpath(path, real) && under(real, mnt)) {
		fd = open(real, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0)
			return fd;
	}
	for (p = path; *p == '/'; p++)
		;
	ret = snprintf(rel, sizeof(rel), "%s/%s", mnt, p);
	if (ret < 0 || (size_t)ret >= sizeof(rel)) {
		pr_err("cgroup %s: %s", path, strerror(ENAMETOOLONG));
		return -1;
	}
	fd = open(rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		pr_err("cgroup %s: %s", path, strerror(errno));
	return fd;
}
