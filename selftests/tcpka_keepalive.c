// SPDX-License-Identifier: GPL-2.0
/*
 * tcpka applies keepalive to TCP sockets as they become established:
 * which sockets a policy selects (cgroup subtree, ports, family,
 * direction), which policy wins (pref, then id), what each mode does with
 * the application's own choice, and that the result is what getsockopt()
 * and /proc/net/tcp show for a socket the application configured itself.
 *
 * Every test runs in a fresh network namespace whose keepalive sysctls
 * are set to unusual values (SYSCTL_KA_*), so a value that falls back to
 * the sysctl is told apart from one that was set. The test cgroups are
 *
 *	/sys/fs/cgroup/tcpka-test-PID/
 *		a/
 *			b/	grandchild of the test root: in a's subtree
 *		c/		sibling of a: not in it
 *
 * Sockets "in" a cgroup are created by a child process that moved itself
 * there (cg_socket()); an accepted socket belongs to its listener's cgroup.
 * Both address families run every test (variants ipv4 and ipv6).
 */
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "tcpka_ksft.h"
#include "tcpka_nl.h"
#include "tcpka_util.h"

/* Ports inside the private namespace; nothing else uses them. */
#define SPORT		7000
#define CPORT		41000

/* Policy values no kernel default or sysctl above could produce. */
#define P_IDLE		17
#define P_INTVL		5
#define P_CNT		3
#define P_UT		4242

/* A policy; 0 leaves an attribute out (so mode 0 is "absent: default"). */
struct pol {
	const char *name;
	__u32 pref;
	const char *cgroup;	/* directory, sent as CGROUP_ID */
	const char *cgroup_fd;	/* directory, sent as CGROUP_FD */
	__u16 lport_min, lport_max, rport_min, rport_max;
	__u16 family;
	__u8 dir, mode;
	__u32 idle, intvl, cnt, ut;
};

#define VALUES .idle = P_IDLE, .intvl = P_INTVL, .cnt = P_CNT, .ut = P_UT

static const struct ka KA_POLICY = { 1, P_IDLE, P_INTVL, P_CNT, P_UT };

/* What a test is checking right now, named in failure messages. */
static const char *ctx = "";

FIXTURE(ka) {
	struct tnl s;
	int fam, other_fam;
	char root[128], a[160], b[160], c[160];
};

FIXTURE_VARIANT(ka) {
	int family;
};

FIXTURE_VARIANT_ADD(ka, ipv4) {
	.family = AF_INET,
};

FIXTURE_VARIANT_ADD(ka, ipv6) {
	.family = AF_INET6,
};

FIXTURE_SETUP(ka)
{
	self->fam = variant->family;
	self->other_fam = self->fam == AF_INET ? AF_INET6 : AF_INET;
	ASSERT_EQ(0, netns_new());
	ASSERT_EQ(0, netns_set_ka_sysctls());
	ASSERT_EQ(0, tnl_open(&self->s));
	snprintf(self->root, sizeof(self->root),
		 CGROUP2_ROOT "/tcpka-test-%d", getpid());
	snprintf(self->a, sizeof(self->a), "%s/a", self->root);
	snprintf(self->b, sizeof(self->b), "%s/a/b", self->root);
	snprintf(self->c, sizeof(self->c), "%s/c", self->root);
	ASSERT_EQ(0, mkdir(self->root, 0755));
	ASSERT_EQ(0, mkdir(self->a, 0755));
	ASSERT_EQ(0, mkdir(self->b, 0755));
	ASSERT_EQ(0, mkdir(self->c, 0755));
}

FIXTURE_TEARDOWN(ka)
{
	tnl_flush(&self->s);
	tnl_close(&self->s);
	rmdir(self->b);
	rmdir(self->a);
	rmdir(self->c);
	rmdir(self->root);
}

static __u32 add(struct __test_metadata *_metadata, struct tnl *s,
		 const struct pol *p)
{
	struct tnl_spec sp = { 0 };
	int fd = -1, err;
	__u32 id = 0;

#define OPT(attr, field, v) \
	do { if (v) { sp.field = (v); TNL_SET(&sp, TCPKA_A_##attr); } } while (0)
	OPT(NAME, name, p->name);
	OPT(PREF, pref, p->pref);
	OPT(LPORT_MIN, lport_min, p->lport_min);
	OPT(LPORT_MAX, lport_max, p->lport_max);
	OPT(RPORT_MIN, rport_min, p->rport_min);
	OPT(RPORT_MAX, rport_max, p->rport_max);
	OPT(FAMILY, family, p->family);
	OPT(DIR, dir, p->dir);
	OPT(MODE, mode, p->mode);
	OPT(IDLE, idle, p->idle);
	OPT(INTVL, intvl, p->intvl);
	OPT(CNT, cnt, p->cnt);
	OPT(USER_TIMEOUT, user_timeout, p->ut);
#undef OPT
	if (p->cgroup) {
		sp.cgroup_id = cg_id(p->cgroup);
		ASSERT_NE(0ULL, sp.cgroup_id);
		TNL_SET(&sp, TCPKA_A_CGROUP_ID);
	}
	if (p->cgroup_fd) {
		fd = open(p->cgroup_fd, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		ASSERT_LE(0, fd);
		sp.cgroup_fd = fd;
		TNL_SET(&sp, TCPKA_A_CGROUP_FD);
	}
	err = tnl_add(s, &sp, &id);
	if (fd >= 0)
		close(fd);
	ASSERT_EQ(0, err) TH_LOG("add: %s", s->msg);
	return id;
}

/* Replace policy id by p as a whole (p.pref 0 keeps the pref). */
static void replace(struct __test_metadata *_metadata, struct tnl *s,
		    __u32 id, const struct pol *p)
{
	struct tnl_spec sp = { .id = id };

	TNL_SET(&sp, TCPKA_A_ID);
#define OPT(attr, field, v) \
	do { if (v) { sp.field = (v); TNL_SET(&sp, TCPKA_A_##attr); } } while (0)
	OPT(PREF, pref, p->pref);
	OPT(LPORT_MIN, lport_min, p->lport_min);
	OPT(LPORT_MAX, lport_max, p->lport_max);
	OPT(RPORT_MIN, rport_min, p->rport_min);
	OPT(RPORT_MAX, rport_max, p->rport_max);
	OPT(FAMILY, family, p->family);
	OPT(DIR, dir, p->dir);
	OPT(MODE, mode, p->mode);
	OPT(IDLE, idle, p->idle);
	OPT(INTVL, intvl, p->intvl);
	OPT(CNT, cnt, p->cnt);
	OPT(USER_TIMEOUT, user_timeout, p->ut);
#undef OPT
	if (p->cgroup) {
		sp.cgroup_id = cg_id(p->cgroup);
		TNL_SET(&sp, TCPKA_A_CGROUP_ID);
	}
	ASSERT_EQ(0, tnl_replace(s, &sp)) TH_LOG("replace: %s", s->msg);
}

static struct ka ka_of(__u32 idle, __u32 intvl, __u32 cnt, __u32 ut)
{
	struct ka k = {
		.on = 1,
		.idle = idle ? (int)idle : SYSCTL_KA_TIME,
		.intvl = intvl ? (int)intvl : SYSCTL_KA_INTVL,
		.cnt = cnt ? (int)cnt : SYSCTL_KA_PROBES,
		.ut = (int)ut,
	};
	return k;
}

static void expect_ka(struct __test_metadata *_metadata, int fd,
		      struct ka want, const char *what)
{
	char w[96], g[96];
	struct ka got;

	ASSERT_EQ(0, ka_get(fd, &got));
	EXPECT_TRUE(ka_eq(&want, &got))
		TH_LOG("%s%s%s: want %s, got %s", ctx, *ctx ? ", " : "", what,
		       ka_str(&want, w, sizeof(w)), ka_str(&got, g, sizeof(g)));
}

/*
 * Checks both ends of p; when keepalive is expected on, the kernel's
 * keepalive timer must be armed, as /proc/net/tcp shows it (tr 2).
 */
static void expect_pair(struct __test_metadata *_metadata,
			const struct tpair *p, struct ka cli, struct ka srv)
{
	expect_ka(_metadata, p->cli, cli, "connecting end");
	expect_ka(_metadata, p->srv, srv, "accepted end");
	if (cli.on)
		EXPECT_EQ(2, proc_tcp_timer_wait(p->family, p->cport, p->sport, 2))
			TH_LOG("connecting end %u->%u: no keepalive timer",
			       p->cport, p->sport);
	if (srv.on)
		EXPECT_EQ(2, proc_tcp_timer_wait(p->family, p->sport, p->cport, 2))
			TH_LOG("accepted end %u->%u: no keepalive timer",
			       p->sport, p->cport);
}

static int listener(struct __test_metadata *_metadata, int family,
		    __u16 port)
{
	int fd = tcp_listen(-1, family, port);

	ASSERT_LE(0, fd) TH_LOG("listen on %u: %s", port, strerror(-fd));
	return fd;
}

static void pair(struct __test_metadata *_metadata, struct tpair *p,
		 int lfd, int cfd, __u16 cport)
{
	int err = tcp_pair(p, lfd, cfd, cport);

	ASSERT_EQ(0, err) TH_LOG("connection: %s", strerror(-err));
}

/* Connects a fresh socket of family to a fresh listener on port, checks
 * both ends and closes everything.
 */
static void check_conn(struct __test_metadata *_metadata, int family,
		       __u16 sport, __u16 cport, struct ka cli, struct ka srv)
{
	int lfd = listener(_metadata, family, sport);
	static char what[64];
	struct tpair p;

	pair(_metadata, &p, lfd, -1, cport);
	snprintf(what, sizeof(what), "%s port %u to %u",
		 family == AF_INET6 ? "inet6" : "inet", p.cport, sport);
	ctx = what;
	expect_pair(_metadata, &p, cli, srv);
	tcp_pair_close(&p);
	close(lfd);
}

static struct tnl_policy get_pol(struct __test_metadata *_metadata,
				 struct tnl *s, __u32 id)
{
	struct tnl_policy p;

	ASSERT_EQ(0, tnl_get(s, id, &p)) TH_LOG("get %u: %s", id, s->msg);
	return p;
}

/* The six per-policy counters, in enum order from MATCHED. */
static void expect_counters(struct __test_metadata *_metadata, struct tnl *s,
			    __u32 id, __u64 matched, __u64 applied,
			    __u64 kept, __u64 skipped)
{
	struct tnl_policy p = get_pol(_metadata, s, id);

	EXPECT_EQ(matched, p.stats[TCPKA_STATS_A_MATCHED]) TH_LOG("policy %u", id);
	EXPECT_EQ(applied, p.stats[TCPKA_STATS_A_APPLIED]) TH_LOG("policy %u", id);
	EXPECT_EQ(kept, p.stats[TCPKA_STATS_A_KEPT]) TH_LOG("policy %u", id);
	EXPECT_EQ(skipped, p.stats[TCPKA_STATS_A_SKIPPED]) TH_LOG("policy %u", id);
}

static void expect_netns_stats(struct __test_metadata *_metadata,
			       struct tnl *s, __u64 seen, __u64 unmatched)
{
	__u64 st[TCPKA_STATS_A_MAX + 1];

	ASSERT_EQ(0, tnl_stats(s, st, NULL));
	EXPECT_EQ(seen, st[TCPKA_STATS_A_SEEN]);
	EXPECT_EQ(unmatched, st[TCPKA_STATS_A_UNMATCHED]);
}

static int setopt(int fd, int level, int opt, int val)
{
	return setsockopt(fd, level, opt, &val, sizeof(val));
}

TEST_F(ka, no_policy_leaves_sockets_alone)
{
	int lfd = listener(_metadata, self->fam, SPORT);
	struct tpair p;

	pair(_metadata, &p, lfd, -1, 0);
	expect_pair(_metadata, &p, KA_UNTOUCHED, KA_UNTOUCHED);
	EXPECT_NE(2, proc_tcp_timer(p.family, p.cport, p.sport));
	EXPECT_NE(2, proc_tcp_timer(p.family, p.sport, p.cport));
	tcp_pair_close(&p);
	close(lfd);
	expect_netns_stats(_metadata, &self->s, 2, 2);
}

TEST_F(ka, match_all_sets_both_ends)
{
	struct pol all = { VALUES };
	__u32 id = add(_metadata, &self->s, &all);

	check_conn(_metadata, self->fam, SPORT, 0, KA_POLICY, KA_POLICY);
	check_conn(_metadata, self->fam, SPORT + 1, CPORT, KA_POLICY, KA_POLICY);
	expect_counters(_metadata, &self->s, id, 4, 4, 0, 0);
	expect_netns_stats(_metadata, &self->s, 4, 0);
}

TEST_F(ka, family_selects)
{
	struct pol mine = { .family = self->fam, VALUES };
	struct pol other = { .family = self->other_fam, VALUES };
	__u32 id = add(_metadata, &self->s, &mine);

	check_conn(_metadata, self->fam, SPORT, 0, KA_POLICY, KA_POLICY);
	check_conn(_metadata, self->other_fam, SPORT, 0, KA_UNTOUCHED,
		   KA_UNTOUCHED);
	expect_counters(_metadata, &self->s, id, 2, 2, 0, 0);
	replace(_metadata, &self->s, id, &other);
	check_conn(_metadata, self->fam, SPORT + 1, 0, KA_UNTOUCHED,
		   KA_UNTOUCHED);
	expect_netns_stats(_metadata, &self->s, 6, 4);
}

TEST_F(ka, dir_selects_connect_or_accept_side)
{
	struct pol out = { .dir = TCPKA_DIR_OUT, VALUES };
	struct pol in = { .dir = TCPKA_DIR_IN, VALUES };
	__u32 id = add(_metadata, &self->s, &out);

	check_conn(_metadata, self->fam, SPORT, 0, KA_POLICY, KA_UNTOUCHED);
	expect_counters(_metadata, &self->s, id, 1, 1, 0, 0);
	replace(_metadata, &self->s, id, &in);
	check_conn(_metadata, self->fam, SPORT, 0, KA_UNTOUCHED, KA_POLICY);
	expect_counters(_metadata, &self->s, id, 2, 2, 0, 0);
	expect_netns_stats(_metadata, &self->s, 4, 2);
}

TEST_F(ka, lport_selects_local_port)
{
	/* The accepted end's local port is the listening port... */
	struct pol srv = { .lport_min = SPORT, VALUES };
	/* ... the connecting end's is the one it bound. */
	struct pol cli = { .lport_min = CPORT, .lport_max = CPORT, VALUES };
	__u32 id = add(_metadata, &self->s, &srv);

	check_conn(_metadata, self->fam, SPORT, 0, KA_UNTOUCHED, KA_POLICY);
	check_conn(_metadata, self->fam, SPORT + 1, 0, KA_UNTOUCHED,
		   KA_UNTOUCHED);
	replace(_metadata, &self->s, id, &cli);
	check_conn(_metadata, self->fam, SPORT, CPORT, KA_POLICY,
		   KA_UNTOUCHED);
	check_conn(_metadata, self->fam, SPORT, CPORT + 1, KA_UNTOUCHED,
		   KA_UNTOUCHED);
	expect_counters(_metadata, &self->s, id, 2, 2, 0, 0);
}

TEST_F(ka, rport_selects_remote_port)
{
	struct pol p = { .rport_min = SPORT, VALUES };
	__u32 id = add(_metadata, &self->s, &p);

	check_conn(_metadata, self->fam, SPORT, 0, KA_POLICY, KA_UNTOUCHED);
	check_conn(_metadata, self->fam, SPORT + 1, 0, KA_UNTOUCHED,
		   KA_UNTOUCHED);
	/* The accepted end's remote port is the connecting end's. */
	p.rport_min = CPORT;
	replace(_metadata, &self->s, id, &p);
	check_conn(_metadata, self->fam, SPORT, CPORT, KA_UNTOUCHED,
		   KA_POLICY);
	expect_counters(_metadata, &self->s, id, 2, 2, 0, 0);
}

/* A range matches its first and last port, not one past either end. */
TEST_F(ka, port_range_edges)
{
	struct pol lr = { .lport_min = 7010, .lport_max = 7019, VALUES };
	struct pol top = { .lport_min = 65530, .lport_max = 65535, VALUES };
	struct pol rr = { .rport_min = 7010, .rport_max = 7019,
			  .dir = TCPKA_DIR_OUT, VALUES };
	struct pol cr = { .lport_min = 40010, .lport_max = 40019,
			  .dir = TCPKA_DIR_OUT, VALUES };
	struct ka no = KA_UNTOUCHED, yes = KA_POLICY;
	__u32 id = add(_metadata, &self->s, &lr);

	/* lport on the accepting side: the listening port. */
	check_conn(_metadata, self->fam, 7009, 0, no, no);
	check_conn(_metadata, self->fam, 7010, 0, no, yes);
	check_conn(_metadata, self->fam, 7019, 0, no, yes);
	check_conn(_metadata, self->fam, 7020, 0, no, no);
	expect_counters(_metadata, &self->s, id, 2, 2, 0, 0);

	replace(_metadata, &self->s, id, &top);
	check_conn(_metadata, self->fam, 65529, 0, no, no);
	check_conn(_metadata, self->fam, 65530, 0, no, yes);
	check_conn(_metadata, self->fam, 65535, 0, no, yes);

	/* rport on the connecting side: the port it connected to. */
	replace(_metadata, &self->s, id, &rr);
	check_conn(_metadata, self->fam, 7009, 0, no, no);
	check_conn(_metadata, self->fam, 7010, 0, yes, no);
	check_conn(_metadata, self->fam, 7019, 0, yes, no);
	check_conn(_metadata, self->fam, 7020, 0, no, no);

	/* lport on the connecting side: the port it bound. */
	replace(_metadata, &self->s, id, &cr);
	check_conn(_metadata, self->fam, SPORT, 40009, no, no);
	check_conn(_metadata, self->fam, SPORT, 40010, yes, no);
	check_conn(_metadata, self->fam, SPORT, 40019, yes, no);
	check_conn(_metadata, self->fam, SPORT, 40020, no, no);
	expect_counters(_metadata, &self->s, id, 8, 8, 0, 0);
}

TEST_F(ka, cgroup_subtree)
{
	struct pol p = { .cgroup = self->a, VALUES };
	const struct {
		const char *dir;
		bool match;
	} cases[] = {
		{ self->a, true },	/* the cgroup itself */
		{ self->b, true },	/* its child */
		{ self->c, false },	/* its sibling */
		{ self->root, false },	/* its parent */
	};
	struct tpair tp;
	unsigned int i;
	int lfd, cfd;
	__u32 id;

	id = add(_metadata, &self->s, &p);
	lfd = listener(_metadata, self->fam, SPORT);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		/* Connecting end created in the cgroup, listener outside. */
		cfd = cg_socket(cases[i].dir, self->fam);
		ASSERT_LE(0, cfd) TH_LOG("socket in %s: %d", cases[i].dir, cfd);
		pair(_metadata, &tp, lfd, cfd, 0);
		ctx = cases[i].dir;
		expect_pair(_metadata, &tp,
			    cases[i].match ? KA_POLICY : KA_UNTOUCHED,
			    KA_UNTOUCHED);
		tcp_pair_close(&tp);
	}
	close(lfd);
	expect_counters(_metadata, &self->s, id, 2, 2, 0, 0);

	/* Accepted ends belong to the cgroup of the listener's creator. */
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		lfd = cg_socket(cases[i].dir, self->fam);
		ASSERT_LE(0, lfd);
		ASSERT_EQ(lfd, tcp_listen(lfd, self->fam, SPORT + 1 + i));
		pair(_metadata, &tp, lfd, -1, 0);
		ctx = cases[i].dir;
		expect_pair(_metadata, &tp, KA_UNTOUCHED,
			    cases[i].match ? KA_POLICY : KA_UNTOUCHED);
		tcp_pair_close(&tp);
		close(lfd);
	}
	expect_counters(_metadata, &self->s, id, 4, 4, 0, 0);
}

TEST_F(ka, cgroup_given_by_fd)
{
	struct pol p = { .cgroup_fd = self->b, VALUES };
	struct tnl_policy got;
	struct tpair tp;
	int lfd, cfd;
	__u32 id;

	id = add(_metadata, &self->s, &p);
	got = get_pol(_metadata, &self->s, id);
	EXPECT_EQ(cg_id(self->b), got.cgroup_id);

	lfd = listener(_metadata, self->fam, SPORT);
	cfd = cg_socket(self->b, self->fam);
	ASSERT_LE(0, cfd);
	pair(_metadata, &tp, lfd, cfd, 0);
	expect_pair(_metadata, &tp, KA_POLICY, KA_UNTOUCHED);
	tcp_pair_close(&tp);
	/* The subtree goes down, never up. */
	cfd = cg_socket(self->a, self->fam);
	ASSERT_LE(0, cfd);
	pair(_metadata, &tp, lfd, cfd, 0);
	expect_pair(_metadata, &tp, KA_UNTOUCHED, KA_UNTOUCHED);
	tcp_pair_close(&tp);
	close(lfd);
}

/* All selectors at once; then each one alone made to miss. */
TEST_F(ka, selectors_combined)
{
	struct pol p = {
		.cgroup = self->a, .family = self->fam, .dir = TCPKA_DIR_OUT,
		.rport_min = SPORT, .rport_max = SPORT + 1,
		.lport_min = 40000, .lport_max = 40100, VALUES,
	};
	const struct {
		const char *what;
		const char *dir;
		int family;
		__u16 sport, cport;
		bool match;
	} cases[] = {
		{ "all match", self->b, self->fam, SPORT, 40050, true },
		{ "cgroup misses", self->c, self->fam, SPORT, 40051, false },
		{ "family misses", self->b, self->other_fam, SPORT, 40052, false },
		{ "rport misses", self->b, self->fam, SPORT + 2, 40053, false },
		{ "lport misses", self->b, self->fam, SPORT, 40101, false },
		{ "all match again", self->a, self->fam, SPORT + 1, 40000, true },
	};
	struct tpair tp;
	unsigned int i;
	int lfd, cfd;
	__u32 id;

	id = add(_metadata, &self->s, &p);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		ctx = cases[i].what;
		lfd = listener(_metadata, cases[i].family, cases[i].sport);
		cfd = cg_socket(cases[i].dir, cases[i].family);
		ASSERT_LE(0, cfd);
		pair(_metadata, &tp, lfd, cfd, cases[i].cport);
		/* dir out: the accepted end never matches. */
		expect_pair(_metadata, &tp,
			    cases[i].match ? KA_POLICY : KA_UNTOUCHED,
			    KA_UNTOUCHED);
		tcp_pair_close(&tp);
		close(lfd);
	}
	expect_counters(_metadata, &self->s, id, 2, 2, 0, 0);
}

TEST_F(ka, pref_order_and_tie)
{
	struct pol p20 = { .pref = 20, .idle = 101 };
	struct pol p10a = { .pref = 10, .idle = 102 };
	struct pol p10b = { .pref = 10, .idle = 103 };
	struct ka k101 = ka_of(101, 0, 0, 0), k102 = ka_of(102, 0, 0, 0);
	struct ka k103 = ka_of(103, 0, 0, 0);
	__u32 id20, id10a, id10b;

	id20 = add(_metadata, &self->s, &p20);
	id10a = add(_metadata, &self->s, &p10a);
	id10b = add(_metadata, &self->s, &p10b);
	/* Lowest pref first; equal pref: lowest id. */
	check_conn(_metadata, self->fam, SPORT, 0, k102, k102);
	expect_counters(_metadata, &self->s, id10a, 2, 2, 0, 0);
	expect_counters(_metadata, &self->s, id10b, 0, 0, 0, 0);
	expect_counters(_metadata, &self->s, id20, 0, 0, 0, 0);

	p10a.pref = 30;
	replace(_metadata, &self->s, id10a, &p10a);
	check_conn(_metadata, self->fam, SPORT, 0, k103, k103);
	p10b.pref = 25;
	replace(_metadata, &self->s, id10b, &p10b);
	check_conn(_metadata, self->fam, SPORT, 0, k101, k101);
	/* Back to a tie, now between 20 and a later id: the earlier wins. */
	p10b.pref = 20;
	replace(_metadata, &self->s, id10b, &p10b);
	check_conn(_metadata, self->fam, SPORT, 0, k101, k101);
	expect_counters(_metadata, &self->s, id20, 4, 4, 0, 0);
	expect_counters(_metadata, &self->s, id10b, 2, 2, 0, 0);
}

/* The first matching policy decides even when a later one is narrower. */
TEST_F(ka, first_match_decides)
{
	struct pol general = { .pref = 100, .idle = 50 };
	struct pol narrow = { .pref = 200, .lport_min = SPORT, .idle = 60 };
	struct ka k50 = ka_of(50, 0, 0, 0), k60 = ka_of(60, 0, 0, 0);
	__u32 idn;

	add(_metadata, &self->s, &general);
	idn = add(_metadata, &self->s, &narrow);
	check_conn(_metadata, self->fam, SPORT, 0, k50, k50);
	narrow.pref = 50;
	replace(_metadata, &self->s, idn, &narrow);
	check_conn(_metadata, self->fam, SPORT, 0, k50, k60);
	check_conn(_metadata, self->fam, SPORT + 1, 0, k50, k50);
}

TEST_F(ka, mode_default_keeps_app_keepalive)
{
	struct pol p = { VALUES };
	struct ka app_on = KA_UNTOUCHED;
	struct tpair tp;
	int lfd, cfd;
	__u32 id;

	app_on.on = 1;
	id = add(_metadata, &self->s, &p);
	lfd = listener(_metadata, self->fam, SPORT);

	/* The connecting application enabled keepalive before connect(). */
	cfd = socket(self->fam, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, cfd);
	ASSERT_EQ(0, setopt(cfd, SOL_SOCKET, SO_KEEPALIVE, 1));
	pair(_metadata, &tp, lfd, cfd, 0);
	expect_pair(_metadata, &tp, app_on, KA_POLICY);
	tcp_pair_close(&tp);
	expect_counters(_metadata, &self->s, id, 2, 1, 1, 0);
	close(lfd);

	/* The listening application did: its accepted sockets inherit it. */
	lfd = socket(self->fam, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, lfd);
	ASSERT_EQ(0, setopt(lfd, SOL_SOCKET, SO_KEEPALIVE, 1));
	ASSERT_EQ(lfd, tcp_listen(lfd, self->fam, SPORT + 1));
	pair(_metadata, &tp, lfd, -1, 0);
	expect_pair(_metadata, &tp, KA_POLICY, app_on);
	tcp_pair_close(&tp);
	close(lfd);
	expect_counters(_metadata, &self->s, id, 4, 2, 2, 0);
}

TEST_F(ka, mode_default_keeps_app_values)
{
	struct pol p = { VALUES };
	struct tpair tp;
	int lfd, cfd;
	__u32 id;

	id = add(_metadata, &self->s, &p);
	lfd = listener(_metadata, self->fam, SPORT);

	/* TCP_KEEPIDLE without SO_KEEPALIVE: keepalive on, idle stays. */
	cfd = socket(self->fam, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, cfd);
	ASSERT_EQ(0, setopt(cfd, IPPROTO_TCP, TCP_KEEPIDLE, 77));
	pair(_metadata, &tp, lfd, cfd, 0);
	expect_pair(_metadata, &tp, ka_of(77, P_INTVL, P_CNT, P_UT), KA_POLICY);
	tcp_pair_close(&tp);

	/* Likewise for the count and the user timeout. */
	cfd = socket(self->fam, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, cfd);
	ASSERT_EQ(0, setopt(cfd, IPPROTO_TCP, TCP_KEEPCNT, 9));
	ASSERT_EQ(0, setopt(cfd, IPPROTO_TCP, TCP_USER_TIMEOUT, 999));
	pair(_metadata, &tp, lfd, cfd, 0);
	expect_pair(_metadata, &tp, ka_of(P_IDLE, P_INTVL, 9, 999), KA_POLICY);
	tcp_pair_close(&tp);
	close(lfd);
	expect_counters(_metadata, &self->s, id, 4, 4, 0, 0);
}

TEST_F(ka, mode_override_replaces_app_choice)
{
	struct pol p = { .mode = TCPKA_MODE_OVERRIDE, VALUES };
	struct pol partial = { .mode = TCPKA_MODE_OVERRIDE, .idle = P_IDLE,
			       .intvl = P_INTVL };
	struct tpair tp;
	int lfd, cfd;
	__u32 id;

	id = add(_metadata, &self->s, &p);
	lfd = socket(self->fam, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, lfd);
	ASSERT_EQ(0, setopt(lfd, SOL_SOCKET, SO_KEEPALIVE, 1));
	ASSERT_EQ(0, setopt(lfd, IPPROTO_TCP, TCP_KEEPIDLE, 88));
	ASSERT_EQ(lfd, tcp_listen(lfd, self->fam, SPORT));

	cfd = socket(self->fam, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, cfd);
	ASSERT_EQ(0, setopt(cfd, SOL_SOCKET, SO_KEEPALIVE, 1));
	ASSERT_EQ(0, setopt(cfd, IPPROTO_TCP, TCP_KEEPIDLE, 77));
	ASSERT_EQ(0, setopt(cfd, IPPROTO_TCP, TCP_KEEPCNT, 9));
	pair(_metadata, &tp, lfd, cfd, 0);
	expect_pair(_metadata, &tp, KA_POLICY, KA_POLICY);
	tcp_pair_close(&tp);
	expect_counters(_metadata, &self->s, id, 2, 2, 0, 0);

	/* What the policy leaves out stays as the application set it. */
	replace(_metadata, &self->s, id, &partial);
	cfd = socket(self->fam, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, cfd);
	ASSERT_EQ(0, setopt(cfd, IPPROTO_TCP, TCP_KEEPCNT, 9));
	pair(_metadata, &tp, lfd, cfd, 0);
	expect_pair(_metadata, &tp, ka_of(P_IDLE, P_INTVL, 9, 0),
		    ka_of(P_IDLE, P_INTVL, 0, 0));
	tcp_pair_close(&tp);
	close(lfd);
}

TEST_F(ka, mode_skip_exempts_and_stops)
{
	struct pol skip = { .pref = 10, .lport_min = SPORT,
			    .mode = TCPKA_MODE_SKIP, VALUES };
	struct pol general = { .pref = 20, VALUES };
	struct ka app = ka_of(77, 0, 0, 0);
	__u32 ids, idg;
	struct tpair tp;
	int lfd;

	ids = add(_metadata, &self->s, &skip);
	idg = add(_metadata, &self->s, &general);
	/* Accepted on SPORT: skipped; its peer falls through to general. */
	check_conn(_metadata, self->fam, SPORT, 0, KA_POLICY, KA_UNTOUCHED);
	check_conn(_metadata, self->fam, SPORT + 1, 0, KA_POLICY, KA_POLICY);

	/* Skip leaves the application's own settings as they are. */
	lfd = socket(self->fam, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, lfd);
	ASSERT_EQ(0, setopt(lfd, SOL_SOCKET, SO_KEEPALIVE, 1));
	ASSERT_EQ(0, setopt(lfd, IPPROTO_TCP, TCP_KEEPIDLE, 77));
	ASSERT_EQ(lfd, tcp_listen(lfd, self->fam, SPORT));
	pair(_metadata, &tp, lfd, -1, 0);
	expect_pair(_metadata, &tp, KA_POLICY, app);
	tcp_pair_close(&tp);
	close(lfd);

	expect_counters(_metadata, &self->s, ids, 2, 0, 0, 2);
	expect_counters(_metadata, &self->s, idg, 4, 4, 0, 0);
	expect_netns_stats(_metadata, &self->s, 6, 0);
}

TEST_F(ka, values_left_out_follow_the_sysctl)
{
	struct pol idle_only = { .idle = P_IDLE };
	struct pol none = { 0 };
	struct ka k;
	struct tpair tp;
	__u32 id;
	int lfd;

	id = add(_metadata, &self->s, &idle_only);
	check_conn(_metadata, self->fam, SPORT, 0, ka_of(P_IDLE, 0, 0, 0),
		   ka_of(P_IDLE, 0, 0, 0));
	replace(_metadata, &self->s, id, &none);
	lfd = listener(_metadata, self->fam, SPORT);
	pair(_metadata, &tp, lfd, -1, 0);
	expect_pair(_metadata, &tp, ka_of(0, 0, 0, 0), ka_of(0, 0, 0, 0));

	/*
	 * Not copied from the sysctl but left unset, as if the application
	 * had never set them: a later sysctl change shows through.
	 */
	ASSERT_EQ(0, write_file("/proc/sys/net/ipv4/tcp_keepalive_intvl", "99"));
	ASSERT_EQ(0, write_file("/proc/sys/net/ipv4/tcp_keepalive_time", "98"));
	k = ka_of(98, 99, 0, 0);
	expect_ka(_metadata, tp.cli, k, "connecting end after sysctl change");
	expect_ka(_metadata, tp.srv, k, "accepted end after sysctl change");
	tcp_pair_close(&tp);
	close(lfd);
}

TEST_F(ka, replace_keeps_counters_delete_drops_them)
{
	struct pol p = { VALUES };
	struct pol q = { .idle = 55 };
	__u32 id, id2;

	id = add(_metadata, &self->s, &p);
	check_conn(_metadata, self->fam, SPORT, 0, KA_POLICY, KA_POLICY);
	expect_counters(_metadata, &self->s, id, 2, 2, 0, 0);
	replace(_metadata, &self->s, id, &q);
	expect_counters(_metadata, &self->s, id, 2, 2, 0, 0);
	check_conn(_metadata, self->fam, SPORT, 0, ka_of(55, 0, 0, 0),
		   ka_of(55, 0, 0, 0));
	expect_counters(_metadata, &self->s, id, 4, 4, 0, 0);
	ASSERT_EQ(0, tnl_del(&self->s, id));
	id2 = add(_metadata, &self->s, &p);
	expect_counters(_metadata, &self->s, id2, 0, 0, 0, 0);
	expect_netns_stats(_metadata, &self->s, 4, 0);
}

TEST_F(ka, removed_cgroup_matches_nothing)
{
	struct pol p = { .cgroup = self->c, VALUES };
	struct tnl_policy got;
	struct tpair tp;
	int lfd;
	__u32 id;

	/* A listener created in c outlives c. */
	lfd = cg_socket(self->c, self->fam);
	ASSERT_LE(0, lfd);
	ASSERT_EQ(lfd, tcp_listen(lfd, self->fam, SPORT));
	id = add(_metadata, &self->s, &p);
	pair(_metadata, &tp, lfd, -1, 0);
	expect_pair(_metadata, &tp, KA_UNTOUCHED, KA_POLICY);
	tcp_pair_close(&tp);

	ASSERT_EQ(0, rmdir(self->c));
	ctx = "listener's cgroup removed";
	pair(_metadata, &tp, lfd, -1, 0);
	expect_pair(_metadata, &tp, KA_UNTOUCHED, KA_UNTOUCHED);
	tcp_pair_close(&tp);
	close(lfd);
	check_conn(_metadata, self->fam, SPORT + 1, 0, KA_UNTOUCHED,
		   KA_UNTOUCHED);

	got = get_pol(_metadata, &self->s, id);
	EXPECT_TRUE(TNL_HAS(&got, TCPKA_A_CGROUP_DEAD));
	expect_counters(_metadata, &self->s, id, 1, 1, 0, 0);
}

TEST_F(ka, existing_connections_on_add_and_apply)
{
	struct pol p = { .lport_min = SPORT, VALUES };
	struct tnl_spec sp = { .idle = 61 };
	struct tnl_policy got;
	struct tpair tp;
	__u64 applied = 0;
	int lfd;
	__u32 id;

	lfd = listener(_metadata, self->fam, SPORT);
	pair(_metadata, &tp, lfd, -1, 0);
	expect_pair(_metadata, &tp, KA_UNTOUCHED, KA_UNTOUCHED);

	/* Established before the policy: only "apply" reaches it. */
	id = add(_metadata, &self->s, &p);
	expect_pair(_metadata, &tp, KA_UNTOUCHED, KA_UNTOUCHED);
	ASSERT_EQ(0, tnl_apply(&self->s, id, &applied)) TH_LOG("%s", self->s.msg);
	EXPECT_EQ(1ULL, applied);
	expect_pair(_metadata, &tp, KA_UNTOUCHED, KA_POLICY);
	got = get_pol(_metadata, &self->s, id);
	EXPECT_EQ(1ULL, got.stats[TCPKA_STATS_A_EXISTING]);

	/* add ... existing applies at once. */
	TNL_SET(&sp, TCPKA_A_IDLE);
	TNL_SET(&sp, TCPKA_A_EXISTING);
	ASSERT_EQ(0, tnl_add(&self->s, &sp, &id)) TH_LOG("%s", self->s.msg);
	ASSERT_EQ(0, tnl_parse_policy(tnl_reply(&self->s, 0), &got));
	/* The accepted end's first match is still the first policy. */
	EXPECT_EQ(1ULL, got.applied);
	expect_pair(_metadata, &tp, ka_of(61, 0, 0, 0), KA_POLICY);
	tcp_pair_close(&tp);
	close(lfd);
}

TEST_HARNESS_MAIN
