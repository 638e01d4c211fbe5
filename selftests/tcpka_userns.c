// SPDX-License-Identifier: GPL-2.0
/*
 * Privilege and isolation of the tcpka family.
 *
 *  - An unprivileged process (uid 65534, no capabilities) in the initial
 *    network namespace is refused every change with EPERM, on a socket of
 *    its own and on one root opened, and reads like anybody.
 *  - A process that made itself a user namespace and a network namespace
 *    owned by it manages that namespace's policies; they apply to its
 *    sockets and to none of the initial namespace's.
 *  - From there it can neither see nor change the initial namespace's
 *    policies: not through a socket of its namespace, not through a
 *    socket of the initial one (its own or root's), and it cannot go back.
 *  - A cgroup fd resolves in the sender's own fd table: an fd number
 *    another process holds and a file that is no cgroup directory are
 *    refused, and so is an O_PATH fd of a cgroup directory the sender
 *    may not open (the only kind of fd it can get of one).
 *
 * The initial namespace's policies other tests or the administrator may
 * have are left alone: this test adds, checks and deletes its own only.
 */
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <sys/prctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <linux/netlink.h>

#include "tcpka_ksft.h"
#include "tcpka_nl.h"
#include "tcpka_util.h"

#define NOBODY		65534
#define MAX_POL		256

/* ---- helpers run by the unprivileged children ---- */

/* Failures in a child: a line on stdout, and the step as exit status. */
#define CHILD_CHECK(step, cond, fmt, ...) do {				\
	if (!(cond)) {							\
		printf("# step %d: " fmt "\n", step, ##__VA_ARGS__);	\
		fflush(stdout);						\
		return step;						\
	}								\
} while (0)

static int drop_to_nobody(void)
{
	if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY))
		return -errno;
	/*
	 * Changing credentials made us non-dumpable, which leaves
	 * /proc/self owned by root: we could not write our uid_map.
	 */
	return prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) ? -errno : 0;
}

/*
 * A user namespace of our own, and a network namespace it owns; inside,
 * we are uid 0 with every capability, outside still 65534 with none.
 */
static int enter_userns_netns(void)
{
	char map[32];
	int err;

	if (unshare(CLONE_NEWUSER))
		return -errno;
	snprintf(map, sizeof(map), "0 %d 1", NOBODY);
	err = write_file("/proc/self/uid_map", map);
	if (!err)
		err = write_file("/proc/self/setgroups", "deny");
	if (!err)
		err = write_file("/proc/self/gid_map", map);
	/* created now, the network namespace belongs to the new user ns */
	return err ? err : netns_new();
}

/*
 * Debian can forbid unprivileged user namespaces with a sysctl; these
 * tests need them allowed. Returns the old setting to restore, or -1.
 */
static int allow_userns(void)
{
	const char *path = "/proc/sys/kernel/unprivileged_userns_clone";
	char buf[8] = "";
	int fd, old;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (read(fd, buf, sizeof(buf) - 1) < 1)
		buf[0] = '1';
	close(fd);
	old = atoi(buf);
	if (!old)
		write_file(path, "1");
	return old;
}

static void restore_userns(int old)
{
	if (old == 0)
		write_file("/proc/sys/kernel/unprivileged_userns_clone", "0");
}

/* Runs fn(arg) in a child that dropped to uid 65534; its exit status. */
static int as_nobody(int (*fn)(void *), void *arg)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		if (drop_to_nobody()) {
			printf("# cannot drop to uid %d: %s\n", NOBODY,
			       strerror(errno));
			_exit(100);
		}
		_exit(fn(arg));
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -ECHILD;
	return WEXITSTATUS(status);
}

/* A policy of a request that would be valid from a privileged sender. */
static void msg_policy(struct tnl_msg *m, const struct tnl *s, __u8 cmd,
		       __u32 id)
{
	tnl_msg_init(m, s, cmd, 0);
	if (id)
		tnl_put_u32(m, TCPKA_A_ID, id);
	tnl_put_u32(m, TCPKA_A_IDLE, 11);
}

static const __u8 mutating[] = {
	TCPKA_CMD_POLICY_ADD, TCPKA_CMD_POLICY_REPLACE, TCPKA_CMD_POLICY_DEL,
	TCPKA_CMD_POLICY_FLUSH, TCPKA_CMD_POLICY_APPLY, TCPKA_CMD_TXN_BEGIN,
	TCPKA_CMD_TXN_COMMIT, TCPKA_CMD_TXN_ABORT,
};

/*
 * Every changing command on s is refused with EPERM, valid or not, and
 * before anything else is looked at. 0 or the failing step.
 */
static int all_refused(struct tnl *s, __u32 id, int step)
{
	struct tnl_msg m;
	unsigned int i;
	int err;

	for (i = 0; i < sizeof(mutating); i++) {
		__u8 cmd = mutating[i];
		bool ident = cmd == TCPKA_CMD_POLICY_REPLACE ||
			     cmd == TCPKA_CMD_POLICY_DEL ||
			     cmd == TCPKA_CMD_POLICY_APPLY;

		if (cmd == TCPKA_CMD_POLICY_ADD || cmd == TCPKA_CMD_POLICY_REPLACE) {
			msg_policy(&m, s, cmd, ident ? id : 0);
		} else {
			tnl_msg_init(&m, s, cmd, 0);
			if (ident)
				tnl_put_u32(&m, TCPKA_A_ID, id);
		}
		err = tnl_request(s, &m);
		CHILD_CHECK(step + i, err == -EPERM,
			    "command %u: %d (%s), want EPERM", cmd, err, s->msg);
		/* invalid as well: the permission check comes first */
		tnl_msg_init(&m, s, cmd, 0);
		tnl_put_u32(&m, TCPKA_A_IDLE, 0);
		tnl_put_u32(&m, TCPKA_A_STATS, 0);
		err = tnl_request(s, &m);
		CHILD_CHECK(step + i, err == -EPERM,
			    "invalid command %u: %d (%s), want EPERM", cmd, err,
			    s->msg);
	}
	return 0;
}

/* The policy named name, as a dump of s shows it; 0 when absent. */
static int dump_find(struct tnl *s, const char *name, struct tnl_policy *out)
{
	static struct tnl_policy p[MAX_POL];
	int n, i;

	n = tnl_dump(s, p, MAX_POL);
	if (n < 0)
		return n;
	for (i = 0; i < n && i < MAX_POL; i++) {
		if (!strcmp(p[i].name, name)) {
			if (out)
				*out = p[i];
			return 1;
		}
	}
	return 0;
}

/*
 * An override policy with idle, intvl 9, cnt 4 and user timeout 4321.
 * nowhere: it selects local port 1 only, which no test socket has, so
 * that a policy in the initial namespace touches nobody's connections.
 */
static int add_named(struct tnl *s, const char *name, __u32 idle,
		     bool nowhere, __u32 *id)
{
	struct tnl_spec sp = { 0 };

	if (nowhere) {
		sp.lport_min = 1;
		TNL_SET(&sp, TCPKA_A_LPORT_MIN);
	}

	sp.name = name;
	sp.mode = TCPKA_MODE_OVERRIDE;
	sp.idle = idle;
	sp.intvl = 9;
	sp.cnt = 4;
	sp.user_timeout = 4321;
	TNL_SET(&sp, TCPKA_A_NAME);
	TNL_SET(&sp, TCPKA_A_MODE);
	TNL_SET(&sp, TCPKA_A_IDLE);
	TNL_SET(&sp, TCPKA_A_INTVL);
	TNL_SET(&sp, TCPKA_A_CNT);
	TNL_SET(&sp, TCPKA_A_USER_TIMEOUT);
	return tnl_add(s, &sp, id);
}

static int del_named(struct tnl *s, const char *name)
{
	struct tnl_msg m;

	tnl_msg_init(&m, s, TCPKA_CMD_POLICY_DEL, 0);
	tnl_put_str(&m, TCPKA_A_NAME, name);
	return tnl_request(s, &m);
}

/* A loopback connection in the caller's namespace and both ends' state. */
static int connect_and_get(struct ka *cli, struct ka *srv)
{
	struct tpair tp;
	int lfd, err;

	lfd = tcp_listen(-1, AF_INET, 0);
	if (lfd < 0)
		return lfd;
	err = tcp_pair(&tp, lfd, -1, 0);
	if (!err) {
		if (ka_get(tp.cli, cli) || ka_get(tp.srv, srv))
			err = -errno;
		tcp_pair_close(&tp);
	}
	close(lfd);
	return err;
}

static bool ka_is(const struct ka *k, int on, int idle, int intvl, int cnt,
		  int ut)
{
	struct ka want = { on, idle, intvl, cnt, ut };

	return ka_eq(k, &want);
}

/* ---- unprivileged in the initial namespace ---- */

struct unpriv_arg {
	struct tnl *root;	/* root's socket, inherited */
	__u32 id;
	const char *name;
};

static int unpriv_initial(void *p)
{
	struct unpriv_arg *a = p;
	struct tnl_policy pol;
	__u64 st[TCPKA_STATS_A_MAX + 1];
	struct tnl s;
	int err;

	err = tnl_open(&s);
	CHILD_CHECK(1, !err, "tnl_open: %d", err);
	err = all_refused(&s, a->id, 10);
	if (err)
		return err;
	/* root opened it, but we send: the kernel checks both */
	err = all_refused(a->root, a->id, 30);
	if (err)
		return err;
	CHILD_CHECK(2, !tnl_get(&s, a->id, &pol) && !strcmp(pol.name, a->name),
		    "get by id: %d", s.err);
	CHILD_CHECK(3, !tnl_get_name(&s, a->name, &pol) && pol.id == a->id &&
		    pol.idle == 33, "get by name: %d", s.err);
	CHILD_CHECK(4, dump_find(&s, a->name, NULL) == 1, "dump");
	CHILD_CHECK(5, !tnl_stats(&s, st, NULL) &&
		    st[TCPKA_STATS_A_POLICIES] >= 1, "stats: %d", s.err);
	tnl_close(&s);
	return 0;
}

FIXTURE(initns) {
	struct tnl s;
	char name[32];
	__u32 id;
	int userns_old;
};

FIXTURE_SETUP(initns)
{
	self->userns_old = allow_userns();
	snprintf(self->name, sizeof(self->name), "userns-test-%d", getpid());
	ASSERT_EQ(0, tnl_open(&self->s));
	ASSERT_EQ(0, add_named(&self->s, self->name, 33, true, &self->id))
		TH_LOG("add: %s", self->s.msg);
}

FIXTURE_TEARDOWN(initns)
{
	restore_userns(self->userns_old);
	del_named(&self->s, self->name);
	tnl_close(&self->s);
}

TEST_F(initns, unprivileged_refused_reads_answered)
{
	struct unpriv_arg a = { &self->s, self->id, self->name };
	struct tnl_policy before, after;

	ASSERT_EQ(1, dump_find(&self->s, self->name, &before));
	EXPECT_EQ(0, as_nobody(unpriv_initial, &a));
	ASSERT_EQ(1, dump_find(&self->s, self->name, &after))
		TH_LOG("the policy is gone");
	EXPECT_EQ(0, memcmp(&before, &after, sizeof(before)));
}

/* ---- a user namespace with its own network namespace ---- */

struct userns_arg {
	int ready[2];		/* child -> parent: policy in place */
	int go_on[2];		/* parent -> child: done looking */
	const char *init_name;	/* the initial namespace's policy */
	__u32 init_id;
	struct tnl *root;	/* root's socket in the initial namespace */
	int init_netns;		/* fd of the initial network namespace */
};

static int userns_child(void *p)
{
	struct userns_arg *a = p;
	struct tnl own, early;
	struct tnl_policy pol;
	__u64 st[TCPKA_STATS_A_MAX + 1];
	struct ka cli, srv;
	char c = 0;
	__u32 id;
	int err;

	/* opened before leaving: a socket of the initial namespace */
	err = tnl_open(&early);
	CHILD_CHECK(1, !err, "tnl_open before unshare: %d", err);
	err = enter_userns_netns();
	CHILD_CHECK(2, !err, "user and network namespace: %s", strerror(-err));
	err = tnl_open(&own);
	CHILD_CHECK(4, !err, "tnl_open in the new namespace: %d", err);

	/* its own namespace: empty, and ours to manage */
	CHILD_CHECK(5, tnl_dump(&own, NULL, 0) == 0, "new namespace not empty");
	CHILD_CHECK(6, dump_find(&own, a->init_name, NULL) == 0,
		    "the initial namespace's policy is visible");
	CHILD_CHECK(7, tnl_get_name(&own, a->init_name, &pol) == -ENOENT,
		    "get of the initial policy by name: %d", own.err);
	CHILD_CHECK(8, del_named(&own, a->init_name) == -ENOENT,
		    "del of the initial policy by name: %d", own.err);
	err = add_named(&own, "container", 99, false, &id);
	CHILD_CHECK(9, !err, "add in own namespace: %d (%s)", err, own.msg);
	CHILD_CHECK(10, !connect_and_get(&cli, &srv), "loopback connection");
	CHILD_CHECK(11, ka_is(&cli, 1, 99, 9, 4, 4321) &&
		    ka_is(&srv, 1, 99, 9, 4, 4321),
		    "own connection: on=%d idle=%d / on=%d idle=%d", cli.on,
		    cli.idle, srv.on, srv.idle);
	CHILD_CHECK(12, !tnl_stats(&own, st, NULL) &&
		    st[TCPKA_STATS_A_SEEN] == 2 && st[TCPKA_STATS_A_POLICIES] == 1,
		    "own stats: seen %llu",
		    (unsigned long long)st[TCPKA_STATS_A_SEEN]);

	/* the initial namespace, through the sockets still there */
	err = all_refused(&early, a->init_id, 20);
	if (err)
		return err;
	err = all_refused(a->root, a->init_id, 40);
	if (err)
		return err;
	CHILD_CHECK(13, setns(a->init_netns, CLONE_NEWNET) == -1 &&
		    errno == EPERM, "setns back into the initial namespace");

	/* let the parent connect in the initial namespace meanwhile */
	CHILD_CHECK(14, write(a->ready[1], &c, 1) == 1, "ready");
	CHILD_CHECK(15, read(a->go_on[0], &c, 1) == 1, "go on");

	CHILD_CHECK(16, !tnl_flush(&own), "flush own namespace: %d", own.err);
	tnl_close(&own);
	tnl_close(&early);
	return 0;
}

TEST_F(initns, userns_manages_only_its_own_netns)
{
	struct userns_arg a = { .init_name = self->name,
				.init_id = self->id, .root = &self->s };
	struct tnl_policy before, after;
	struct ka cli, srv;
	int status;
	char c;
	pid_t pid;

	ASSERT_EQ(0, pipe(a.ready));
	ASSERT_EQ(0, pipe(a.go_on));
	a.init_netns = netns_fd();
	ASSERT_LE(0, a.init_netns);
	ASSERT_EQ(1, dump_find(&self->s, self->name, &before));

	fflush(stdout);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		close(a.ready[0]);
		close(a.go_on[1]);
		if (drop_to_nobody())
			_exit(100);
		_exit(userns_child(&a));
	}
	/* a child that fails early closes its end: no hang on read */
	close(a.ready[1]);
	close(a.go_on[0]);
	if (read(a.ready[0], &c, 1) == 1) {
		/*
		 * The container's policy matches every socket of its
		 * namespace; a connection here must get nothing from it (nor
		 * from ours, which selects local port 1 only).
		 */
		EXPECT_EQ(0, dump_find(&self->s, "container", NULL))
			TH_LOG("the container's policy shows in the initial namespace");
		ASSERT_EQ(0, connect_and_get(&cli, &srv));
		EXPECT_EQ(0, cli.on) TH_LOG("idle %d ut %d", cli.idle, cli.ut);
		EXPECT_EQ(0, srv.on) TH_LOG("idle %d ut %d", srv.idle, srv.ut);
		EXPECT_NE(99, cli.idle);
		EXPECT_NE(99, srv.idle);
		EXPECT_EQ(1, write(a.go_on[1], &c, 1));
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ(1, dump_find(&self->s, self->name, &after))
		TH_LOG("the initial namespace's policy is gone");
	EXPECT_EQ(0, memcmp(&before, &after, sizeof(before)));
	close(a.init_netns);
	close(a.ready[0]);
	close(a.go_on[1]);
}

/* ---- cgroup fds ---- */

struct cgfd_arg {
	int foreign_fd;		/* open in the parent, closed here */
	const char *locked;	/* a cgroup directory only root may open */
	const char *open;	/* a cgroup directory anybody may open */
};

static int add_cgroup_fd(struct tnl *s, int fd)
{
	struct tnl_spec sp = { 0 };

	sp.cgroup_fd = fd;
	sp.idle = 5;
	TNL_SET(&sp, TCPKA_A_CGROUP_FD);
	TNL_SET(&sp, TCPKA_A_IDLE);
	return tnl_add(s, &sp, NULL);
}

static int cgfd_child(void *p)
{
	struct cgfd_arg *a = p;
	struct tnl s;
	int fd, err;

	close(a->foreign_fd);
	err = enter_userns_netns();
	CHILD_CHECK(1, !err, "user and network namespace: %s", strerror(-err));
	err = tnl_open(&s);
	CHILD_CHECK(2, !err, "tnl_open: %d", err);

	/* the control: a cgroup we can open is taken */
	fd = open(a->open, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHILD_CHECK(3, fd >= 0, "open %s: %s", a->open, strerror(errno));
	err = add_cgroup_fd(&s, fd);
	CHILD_CHECK(4, !err, "our own cgroup fd: %d (%s)", err, s.msg);
	close(fd);

	/* an fd number only another process has */
	err = add_cgroup_fd(&s, a->foreign_fd);
	CHILD_CHECK(5, err == -EBADF, "another process's fd: %d (%s)", err,
		    s.msg);

	/* no cgroup directory at all */
	fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	err = add_cgroup_fd(&s, fd);
	CHILD_CHECK(9, err == -EBADF, "a netns fd: %d (%s)", err, s.msg);
	close(fd);

	CHILD_CHECK(10, tnl_dump(&s, NULL, 0) == 1,
		    "the refused adds left policies");
	tnl_flush(&s);
	tnl_close(&s);
	return 0;
}

/*
 * A cgroup directory we may not open (mode 0700, root's): open(O_PATH)
 * needs no permission on it, so an O_PATH fd is all we can have.
 */
static int o_path_child(void *p)
{
	struct cgfd_arg *a = p;
	struct tnl s;
	int fd, err;

	err = enter_userns_netns();
	CHILD_CHECK(1, !err, "user and network namespace: %s", strerror(-err));
	err = tnl_open(&s);
	CHILD_CHECK(2, !err, "tnl_open: %d", err);
	fd = open(a->locked, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHILD_CHECK(3, fd < 0 && errno == EACCES,
		    "%s could be opened", a->locked);
	fd = open(a->locked, O_PATH | O_DIRECTORY | O_CLOEXEC);
	CHILD_CHECK(4, fd >= 0, "O_PATH %s: %s", a->locked, strerror(errno));
	err = add_cgroup_fd(&s, fd);
	CHILD_CHECK(5, err == -EBADF,
		    "O_PATH fd of a cgroup we cannot open: %d (%s), want EBADF",
		    err, s.msg);
	close(fd);
	CHILD_CHECK(6, tnl_dump(&s, NULL, 0) == 0,
		    "the refused add left a policy");
	tnl_close(&s);
	return 0;
}

FIXTURE(cgfd) {
	char top[128], locked[160], open_dir[160];
	int userns_old;
};

FIXTURE_SETUP(cgfd)
{
	self->userns_old = allow_userns();
	snprintf(self->top, sizeof(self->top), CGROUP2_ROOT "/tcpka-userns-%d",
		 getpid());
	snprintf(self->locked, sizeof(self->locked), "%s/locked", self->top);
	snprintf(self->open_dir, sizeof(self->open_dir), "%s/open", self->top);
	ASSERT_EQ(0, mkdir(self->top, 0755));
	ASSERT_EQ(0, mkdir(self->locked, 0700));
	ASSERT_EQ(0, chmod(self->locked, 0700));
	ASSERT_EQ(0, mkdir(self->open_dir, 0755));
}

FIXTURE_TEARDOWN(cgfd)
{
	rmdir(self->locked);
	rmdir(self->open_dir);
	rmdir(self->top);
	restore_userns(self->userns_old);
}

TEST_F(cgfd, cgroup_fd_must_be_the_senders_own)
{
	struct cgfd_arg a = { .locked = self->locked, .open = self->open_dir };

	a.foreign_fd = open(self->open_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_LE(0, a.foreign_fd);
	EXPECT_EQ(0, as_nobody(cgfd_child, &a));
	close(a.foreign_fd);
}

TEST_F(cgfd, o_path_fd_of_unopenable_cgroup_refused)
{
	struct cgfd_arg a = { .locked = self->locked, .open = self->open_dir };

	EXPECT_EQ(0, as_nobody(o_path_child, &a));
}

TEST_HARNESS_MAIN
