// SPDX-License-Identifier: GPL-2.0
/*
 * Policies belong to one network namespace: they do not apply to the
 * sockets of another, and another namespace can neither see nor change
 * them. Checked between two fresh namespaces, and between the initial
 * namespace and a fresh one (the host and a container).
 */
#include <fcntl.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "tcpka_ksft.h"
#include "tcpka_nl.h"
#include "tcpka_util.h"

#define SPORT 7000

static const struct ka KA_POLICY = { 1, 17, 5, 3, 4242 };

static __u32 add_match_all(struct __test_metadata *_metadata, struct tnl *s,
			   const char *name)
{
	struct tnl_spec sp = {
		.name = name, .idle = 17, .intvl = 5, .cnt = 3,
		.user_timeout = 4242,
	};
	__u32 id = 0;

	if (name)
		TNL_SET(&sp, TCPKA_A_NAME);
	TNL_SET(&sp, TCPKA_A_IDLE);
	TNL_SET(&sp, TCPKA_A_INTVL);
	TNL_SET(&sp, TCPKA_A_CNT);
	TNL_SET(&sp, TCPKA_A_USER_TIMEOUT);
	EXPECT_EQ(0, tnl_add(s, &sp, &id)) TH_LOG("add: %s", s->msg);
	return id;
}

/* A loopback connection in the current namespace; both ends checked. */
static void check_conn(struct __test_metadata *_metadata, bool applied)
{
	int lfd = tcp_listen(-1, AF_INET, SPORT);
	struct ka got, untouched;
	struct tpair p;
	char b[96];

	ASSERT_LE(0, lfd);
	ASSERT_EQ(0, tcp_pair(&p, lfd, -1, 0));
	ASSERT_EQ(0, ka_get(p.cli, &got));
	EXPECT_EQ(applied, ka_eq(&KA_POLICY, &got))
		TH_LOG("connecting end: %s", ka_str(&got, b, sizeof(b)));
	ASSERT_EQ(0, ka_get(p.srv, &got));
	EXPECT_EQ(applied, ka_eq(&KA_POLICY, &got))
		TH_LOG("accepted end: %s", ka_str(&got, b, sizeof(b)));
	if (!applied) {
		/* Untouched, not merely different. */
		EXPECT_EQ(0, got.on);
		untouched = got;
		ASSERT_EQ(0, ka_get(p.cli, &got));
		EXPECT_TRUE(ka_eq(&untouched, &got));
	}
	tcp_pair_close(&p);
	close(lfd);
}

static __u64 stat_of(struct __test_metadata *_metadata, struct tnl *s,
		     int which)
{
	__u64 st[TCPKA_STATS_A_MAX + 1];

	ASSERT_EQ(0, tnl_stats(s, st, NULL));
	return st[which];
}

/* TEST() of the 6.1 harness does not build with -Wextra: use fixtures. */
FIXTURE(netns) {
	int unused;
};

FIXTURE_SETUP(netns)
{
}

FIXTURE_TEARDOWN(netns)
{
}

TEST_F(netns, two_namespaces)
{
	struct tnl_policy all[4];
	struct tnl a, b;
	__u32 ida, idb;
	int nsa;

	ASSERT_EQ(0, netns_new());
	nsa = netns_fd();
	ASSERT_LE(0, nsa);
	ASSERT_EQ(0, tnl_open(&a));
	ida = add_match_all(_metadata, &a, "shared-name");

	ASSERT_EQ(0, netns_new());
	ASSERT_EQ(0, tnl_open(&b));
	/* Nothing of a's is visible or reachable from b. */
	EXPECT_EQ(0, tnl_dump(&b, all, 4));
	EXPECT_EQ(0ULL, stat_of(_metadata, &b, TCPKA_STATS_A_POLICIES));
	EXPECT_EQ(-ENOENT, tnl_get(&b, ida, NULL));
	EXPECT_EQ(-ENOENT, tnl_get_name(&b, "shared-name", NULL));
	EXPECT_EQ(-ENOENT, tnl_del(&b, ida));
	EXPECT_EQ(0, tnl_flush(&b));
	check_conn(_metadata, false);
	EXPECT_EQ(2ULL, stat_of(_metadata, &b, TCPKA_STATS_A_SEEN));
	EXPECT_EQ(2ULL, stat_of(_metadata, &b, TCPKA_STATS_A_UNMATCHED));

	/* Names are per namespace; b's policy stays in b. */
	idb = add_match_all(_metadata, &b, "shared-name");
	EXPECT_NE(0U, idb);

	ASSERT_EQ(0, netns_enter(nsa));
	check_conn(_metadata, true);
	ASSERT_EQ(1, tnl_dump(&a, all, 4));
	EXPECT_EQ(ida, all[0].id);
	EXPECT_EQ(2ULL, all[0].stats[TCPKA_STATS_A_MATCHED]);
	EXPECT_EQ(2ULL, stat_of(_metadata, &a, TCPKA_STATS_A_SEEN));

	/* Flushing a leaves b's policy, and b's sockets, alone. */
	ASSERT_EQ(0, tnl_flush(&a));
	check_conn(_metadata, false);
	ASSERT_EQ(1, tnl_dump(&b, all, 4));
	EXPECT_EQ(idb, all[0].id);
	EXPECT_EQ(0ULL, all[0].stats[TCPKA_STATS_A_MATCHED]);
	tnl_flush(&b);
	tnl_close(&a);
	tnl_close(&b);
	close(nsa);
}

FIXTURE(initns) {
	struct tnl s;
	__u32 id;
	int init_ns;
};

FIXTURE_SETUP(initns)
{
	self->init_ns = netns_fd();
	ASSERT_LE(0, self->init_ns);
	ASSERT_EQ(0, tnl_open(&self->s));
}

FIXTURE_TEARDOWN(initns)
{
	/* Whatever happened, leave the initial namespace as it was. */
	if (self->id)
		tnl_del(&self->s, self->id);
	tnl_close(&self->s);
	close(self->init_ns);
}

/* Policy values for port's connections: idle tells the policies apart. */
static void spec_for_port(struct tnl_spec *sp, __u16 attr, __u32 idle)
{
	memset(sp, 0, sizeof(*sp));
	sp->name = "tcpka-selftest-netns";
	TNL_SET(sp, TCPKA_A_NAME);
	if (attr == TCPKA_A_LPORT_MIN)
		sp->lport_min = SPORT;
	else
		sp->rport_min = SPORT;
	TNL_SET(sp, attr);
	sp->idle = idle;
	sp->intvl = KA_POLICY.intvl;
	sp->cnt = KA_POLICY.cnt;
	sp->user_timeout = KA_POLICY.ut;
	TNL_SET(sp, TCPKA_A_IDLE);
	TNL_SET(sp, TCPKA_A_INTVL);
	TNL_SET(sp, TCPKA_A_CNT);
	TNL_SET(sp, TCPKA_A_USER_TIMEOUT);
}

/* Connects to SPORT; returns the idle of each end, 0 where keepalive is off. */
static void conn_idle(struct __test_metadata *_metadata, int *cli, int *srv)
{
	int lfd = tcp_listen(-1, AF_INET, SPORT);
	struct ka got;
	struct tpair p;

	ASSERT_LE(0, lfd);
	ASSERT_EQ(0, tcp_pair(&p, lfd, -1, 0));
	ASSERT_EQ(0, ka_get(p.cli, &got));
	*cli = got.on ? got.idle : 0;
	ASSERT_EQ(0, ka_get(p.srv, &got));
	*srv = got.on ? got.idle : 0;
	tcp_pair_close(&p);
	close(lfd);
}

TEST_F(initns, host_policy_does_not_reach_a_container)
{
	struct tnl_spec sp;
	struct tnl inner;
	int cli, srv;

	/*
	 * Host: connecting ends to SPORT get idle 17. Container: accepted
	 * ends on SPORT get idle 18. Narrow, should anything else run.
	 */
	spec_for_port(&sp, TCPKA_A_RPORT_MIN, 17);
	ASSERT_EQ(0, tnl_add(&self->s, &sp, &self->id)) TH_LOG("%s", self->s.msg);

	ASSERT_EQ(0, netns_new());
	ASSERT_EQ(0, tnl_open(&inner));
	EXPECT_EQ(0, tnl_dump(&inner, NULL, 0));
	EXPECT_EQ(-ENOENT, tnl_del(&inner, self->id));
	spec_for_port(&sp, TCPKA_A_LPORT_MIN, 18);
	ASSERT_EQ(0, tnl_add(&inner, &sp, NULL)) TH_LOG("%s", inner.msg);
	conn_idle(_metadata, &cli, &srv);
	EXPECT_EQ(0, cli) TH_LOG("the host's policy reached the container");
	EXPECT_EQ(18, srv);
	tnl_close(&inner);

	ASSERT_EQ(0, netns_enter(self->init_ns));
	conn_idle(_metadata, &cli, &srv);
	EXPECT_EQ(17, cli);
	EXPECT_EQ(0, srv) TH_LOG("the container's policy reached the host");
	ASSERT_EQ(1, tnl_dump(&self->s, NULL, 0));
}

/*
 * A namespace that goes away takes its policies with it, also while a
 * socket of the family in it is open: nothing is left behind that a new
 * namespace could see.
 */
TEST_F(netns, namespace_exit_drops_policies)
{
	int i, status;
	struct tnl s;
	pid_t pid;

	for (i = 0; i < 8; i++) {
		pid = fork();
		ASSERT_LE(0, pid);
		if (!pid) {
			if (netns_new() || tnl_open(&s))
				_exit(1);
			for (int j = 0; j < 20; j++) {
				add_match_all(_metadata, &s, NULL);
				if (s.err)
					_exit(2);
			}
			/* Exit with the socket (and a connection) open. */
			if (i % 2) {
				int lfd = tcp_listen(-1, AF_INET, SPORT);
				struct tpair p;

				if (lfd < 0 || tcp_pair(&p, lfd, -1, 0))
					_exit(3);
			}
			_exit(0);
		}
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status))
			TH_LOG("child %d: status %#x", i, status);
	}
	ASSERT_EQ(0, netns_new());
	ASSERT_EQ(0, tnl_open(&s));
	EXPECT_EQ(0, tnl_dump(&s, NULL, 0));
	EXPECT_EQ(0ULL, stat_of(_metadata, &s, TCPKA_STATS_A_POLICIES));
	tnl_close(&s);
}

TEST_HARNESS_MAIN
