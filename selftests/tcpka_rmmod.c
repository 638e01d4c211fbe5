// SPDX-License-Identifier: GPL-2.0
/*
 * Unloading tcpka: sockets that got keepalive keep it as ordinary
 * keepalive sockets, new connections are left alone, and a module loaded
 * again starts with no policies in any namespace. Unloading works with
 * policies in several namespaces, and with a transaction open.
 *
 * Uses modprobe; every test ends with the module loaded again. While it
 * is unloaded nothing here looks the family up: the generic netlink
 * controller would load the module again on the spot (family alias).
 */
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>

#include "tcpka_ksft.h"
#include "tcpka_nl.h"
#include "tcpka_util.h"

#define SPORT 7000

static const struct ka KA_POLICY = { 1, 17, 5, 3, 4242 };

static bool module_loaded(void)
{
	struct stat st;

	return !stat("/sys/module/tcpka", &st);
}

/*
 * modprobe -r refuses while a dump in flight pins the module; nothing
 * here keeps one open, but retry for a while rather than fail on a blip.
 */
static int unload(void)
{
	int i;

	for (i = 0; i < 50; i++) {
		if (!system("modprobe -r tcpka 2>/dev/null") && !module_loaded())
			return 0;
		usleep(100000);
	}
	return -EBUSY;
}

static int load(void)
{
	if (system("modprobe tcpka") || !module_loaded())
		return -EIO;
	return 0;
}

static __u32 add_match_all(struct __test_metadata *_metadata, struct tnl *s)
{
	struct tnl_spec sp = { .idle = 17, .intvl = 5, .cnt = 3,
			       .user_timeout = 4242 };
	__u32 id = 0;

	TNL_SET(&sp, TCPKA_A_IDLE);
	TNL_SET(&sp, TCPKA_A_INTVL);
	TNL_SET(&sp, TCPKA_A_CNT);
	TNL_SET(&sp, TCPKA_A_USER_TIMEOUT);
	EXPECT_EQ(0, tnl_add(s, &sp, &id)) TH_LOG("add: %s", s->msg);
	return id;
}

static void expect_ka(struct __test_metadata *_metadata, int fd,
		      const struct ka *want, const char *what)
{
	char w[96], g[96];
	struct ka got;

	ASSERT_EQ(0, ka_get(fd, &got));
	EXPECT_TRUE(ka_eq(want, &got))
		TH_LOG("%s: want %s, got %s", what, ka_str(want, w, sizeof(w)),
		       ka_str(&got, g, sizeof(g)));
}

FIXTURE(rmmod) {
	int dummy;
};

FIXTURE_SETUP(rmmod)
{
	ASSERT_TRUE(module_loaded());
	ASSERT_EQ(0, netns_new());
	ASSERT_EQ(0, netns_set_ka_sysctls());
}

FIXTURE_TEARDOWN(rmmod)
{
	if (!module_loaded())
		load();
}

TEST_F_TIMEOUT(rmmod, sockets_keep_keepalive, 120)
{
	struct tpair p, q;
	struct tnl s;
	int lfd;

	ASSERT_EQ(0, tnl_open(&s));
	add_match_all(_metadata, &s);
	lfd = tcp_listen(-1, AF_INET6, SPORT);
	ASSERT_LE(0, lfd);
	ASSERT_EQ(0, tcp_pair(&p, lfd, -1, 0));
	expect_ka(_metadata, p.cli, &KA_POLICY, "connecting end");
	expect_ka(_metadata, p.srv, &KA_POLICY, "accepted end");
	tnl_close(&s);

	ASSERT_EQ(0, unload());
	/* Still ordinary keepalive sockets, timer and all. */
	expect_ka(_metadata, p.cli, &KA_POLICY, "connecting end, unloaded");
	expect_ka(_metadata, p.srv, &KA_POLICY, "accepted end, unloaded");
	EXPECT_EQ(2, proc_tcp_timer_wait(AF_INET6, p.cport, p.sport, 2));
	EXPECT_EQ(2, proc_tcp_timer_wait(AF_INET6, p.sport, p.cport, 2));
	ASSERT_EQ(0, tcp_pair(&q, lfd, -1, 0));
	expect_ka(_metadata, q.cli, &KA_UNTOUCHED, "new connection, unloaded");
	expect_ka(_metadata, q.srv, &KA_UNTOUCHED, "new accepted, unloaded");
	tcp_pair_close(&q);

	/* Loaded again: no policies, nothing applied. */
	ASSERT_EQ(0, load());
	ASSERT_EQ(0, tnl_open(&s));
	EXPECT_EQ(0, tnl_dump(&s, NULL, 0));
	ASSERT_EQ(0, tcp_pair(&q, lfd, -1, 0));
	expect_ka(_metadata, q.cli, &KA_UNTOUCHED, "new connection, reloaded");
	tcp_pair_close(&q);
	/* And a policy works as before. */
	add_match_all(_metadata, &s);
	ASSERT_EQ(0, tcp_pair(&q, lfd, -1, 0));
	expect_ka(_metadata, q.cli, &KA_POLICY, "connecting end, reloaded");
	expect_ka(_metadata, q.srv, &KA_POLICY, "accepted end, reloaded");
	tcp_pair_close(&q);
	tcp_pair_close(&p);
	tnl_flush(&s);
	tnl_close(&s);
	close(lfd);
}

TEST_F_TIMEOUT(rmmod, with_policies_in_many_namespaces, 120)
{
	int ns[4], i, lfd;
	struct tpair p;
	struct tnl s;

	for (i = 0; i < 4; i++) {
		if (i) {
			ASSERT_EQ(0, netns_new());
			ASSERT_EQ(0, netns_set_ka_sysctls());
		}
		ns[i] = netns_fd();
		ASSERT_LE(0, ns[i]);
		ASSERT_EQ(0, tnl_open(&s));
		add_match_all(_metadata, &s);
		add_match_all(_metadata, &s);
		tnl_close(&s);
	}
	ASSERT_EQ(0, unload());
	ASSERT_EQ(0, load());
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, netns_enter(ns[i]));
		ASSERT_EQ(0, tnl_open(&s));
		EXPECT_EQ(0, tnl_dump(&s, NULL, 0)) TH_LOG("namespace %d", i);
		tnl_close(&s);
		lfd = tcp_listen(-1, AF_INET, SPORT);
		ASSERT_LE(0, lfd);
		ASSERT_EQ(0, tcp_pair(&p, lfd, -1, 0));
		expect_ka(_metadata, p.cli, &KA_UNTOUCHED, "after reload");
		tcp_pair_close(&p);
		close(lfd);
		close(ns[i]);
	}
}

TEST_F_TIMEOUT(rmmod, with_a_transaction_open, 120)
{
	struct tnl s, t;

	ASSERT_EQ(0, tnl_open(&s));
	ASSERT_EQ(0, tnl_open(&t));
	add_match_all(_metadata, &s);
	ASSERT_EQ(0, tnl_simple(&t, TCPKA_CMD_TXN_BEGIN)) TH_LOG("%s", t.msg);
	add_match_all(_metadata, &t);
	ASSERT_EQ(0, unload());
	/* The transaction's owner outlives the module. */
	EXPECT_NE(0, tnl_simple(&t, TCPKA_CMD_TXN_COMMIT));
	tnl_close(&t);
	tnl_close(&s);
	ASSERT_EQ(0, load());
	ASSERT_EQ(0, tnl_open(&s));
	EXPECT_EQ(0, tnl_dump(&s, NULL, 0));
	add_match_all(_metadata, &s);
	tnl_close(&s);
}

TEST_HARNESS_MAIN
