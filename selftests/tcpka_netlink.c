// SPDX-License-Identifier: GPL-2.0
/*
 * The tcpka generic netlink family: every command's happy path, and every
 * invalid request refused with the right errno, extended ack message and
 * blamed attribute, leaving the policy set exactly as it was.
 *
 * Each test runs in a network namespace of its own (the family is per
 * namespace), so tests cannot see each other's policies.
 */
#include <fcntl.h>
#include <grp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <linux/netlink.h>

#include "tcpka_ksft.h"
#include "tcpka_nl.h"
#include "tcpka_util.h"

#define MAX_POL 32
#define NOBODY 65534

/* Bits of the attributes that make up a policy's configuration. */
#define CONFIG_ATTRS \
	((1ULL << TCPKA_A_NAME) | (1ULL << TCPKA_A_PREF) | \
	 (1ULL << TCPKA_A_CGROUP_ID) | (1ULL << TCPKA_A_LPORT_MIN) | \
	 (1ULL << TCPKA_A_LPORT_MAX) | (1ULL << TCPKA_A_RPORT_MIN) | \
	 (1ULL << TCPKA_A_RPORT_MAX) | (1ULL << TCPKA_A_FAMILY) | \
	 (1ULL << TCPKA_A_DIR) | (1ULL << TCPKA_A_IDLE) | \
	 (1ULL << TCPKA_A_INTVL) | (1ULL << TCPKA_A_CNT) | \
	 (1ULL << TCPKA_A_USER_TIMEOUT))

/* The netlink core's refusal of an attribute a command does not take. */
static const char UNSUP[] = "Unsupported attribute";

/* Dumps and snapshots compare whole structs: parse zeroes them first. */
static int dump(struct tnl *s, struct tnl_policy *p)
{
	return tnl_dump(s, p, MAX_POL);
}

/*
 * Sends m and checks that it is refused with err (0: any error), message
 * msg (NULL: any; substr: msg only has to occur in it) pointing at the
 * attribute at offset off or off2 (off < 0: not checked), and that the
 * dump is unchanged afterwards.
 */
static void refused(struct __test_metadata *_metadata, struct tnl *s,
		    struct tnl_msg *m, int err, const char *msg, bool substr,
		    int off, int off2)
{
	struct tnl_policy before[MAX_POL], after[MAX_POL];
	int nb, na, got;

	nb = dump(s, before);
	ASSERT_LE(0, nb);
	got = tnl_request(s, m);
	if (err) {
		EXPECT_EQ(-err, got) TH_LOG("extack \"%s\"", s->msg);
	} else {
		EXPECT_GT(0, got);
	}
	if (msg && substr) {
		EXPECT_NE(NULL, strstr(s->msg, msg))
			TH_LOG("extack \"%s\" lacks \"%s\"", s->msg, msg);
	} else if (msg == UNSUP) {
		/*
		 * The core words it after the command's policy: "Unsupported
		 * attribute" for a type below its maxattr, "Unknown attribute
		 * type" above. Either names the problem and the attribute.
		 */
		EXPECT_TRUE(!strcmp(s->msg, UNSUP) ||
			    !strcmp(s->msg, "Unknown attribute type"))
			TH_LOG("extack \"%s\"", s->msg);
	} else if (msg) {
		EXPECT_STREQ(msg, s->msg);
	}
	if (off >= 0) {
		EXPECT_TRUE(s->offs == off || s->offs == off2)
			TH_LOG("blamed offset %d, want %d or %d", s->offs,
			       off, off2);
	}
	na = dump(s, after);
	ASSERT_EQ(nb, na);
	EXPECT_EQ(0, memcmp(before, after, nb * sizeof(before[0])))
		TH_LOG("the policy set changed");
}

static void expect_config_eq(struct __test_metadata *_metadata,
			     const struct tnl_policy *want,
			     const struct tnl_policy *got)
{
	EXPECT_EQ(want->id, got->id);
	EXPECT_EQ(want->has & CONFIG_ATTRS, got->has & CONFIG_ATTRS)
		TH_LOG("attributes %#llx vs %#llx",
		       (unsigned long long)(want->has & CONFIG_ATTRS),
		       (unsigned long long)(got->has & CONFIG_ATTRS));
	EXPECT_STREQ(want->name, got->name);
	EXPECT_EQ(want->pref, got->pref);
	EXPECT_EQ(want->cgroup_id, got->cgroup_id);
	EXPECT_STREQ(want->cgroup_path, got->cgroup_path);
	EXPECT_EQ(want->lport_min, got->lport_min);
	EXPECT_EQ(want->lport_max, got->lport_max);
	EXPECT_EQ(want->rport_min, got->rport_min);
	EXPECT_EQ(want->rport_max, got->rport_max);
	EXPECT_EQ(want->family, got->family);
	EXPECT_EQ(want->dir, got->dir);
	EXPECT_EQ(want->mode, got->mode);
	EXPECT_EQ(want->idle, got->idle);
	EXPECT_EQ(want->intvl, got->intvl);
	EXPECT_EQ(want->cnt, got->cnt);
	EXPECT_EQ(want->user_timeout, got->user_timeout);
}

static __u32 add_simple(struct __test_metadata *_metadata, struct tnl *s,
			const char *name, __u32 pref, __u32 idle)
{
	struct tnl_spec sp = { 0 };
	__u32 id = 0;

	if (name) {
		sp.name = name;
		TNL_SET(&sp, TCPKA_A_NAME);
	}
	if (pref) {
		sp.pref = pref;
		TNL_SET(&sp, TCPKA_A_PREF);
	}
	if (idle) {
		sp.idle = idle;
		TNL_SET(&sp, TCPKA_A_IDLE);
	}
	EXPECT_EQ(0, tnl_add(s, &sp, &id)) TH_LOG("add: %s", s->msg);
	EXPECT_LT(0U, id);
	return id;
}

FIXTURE(nl) {
	struct tnl s;
	char cg[128];
};

FIXTURE_SETUP(nl)
{
	ASSERT_EQ(0, netns_new());
	ASSERT_EQ(0, tnl_open(&self->s));
	snprintf(self->cg, sizeof(self->cg), CGROUP2_ROOT "/tcpka-nl-%d",
		 getpid());
	ASSERT_EQ(0, mkdir(self->cg, 0755));
}

FIXTURE_TEARDOWN(nl)
{
	tnl_flush(&self->s);
	tnl_close(&self->s);
	rmdir(self->cg);
}

TEST_F(nl, add_reply_get_dump)
{
	struct tnl_spec sp = {
		.name = "web-out", .pref = 50,
		.lport_min = 80, .lport_max = 90,
		.rport_min = 1000, .rport_max = 2000,
		.family = AF_INET6, .dir = TCPKA_DIR_OUT,
		.mode = TCPKA_MODE_OVERRIDE,
		.idle = 30, .intvl = 5, .cnt = 4, .user_timeout = 10000,
	};
	struct tnl_policy want = { 0 }, got, all[MAX_POL];
	__u64 st[TCPKA_STATS_A_MAX + 1];
	const struct nlmsghdr *nlh;
	int t;

	sp.cgroup_id = cg_id(self->cg);
	ASSERT_NE(0U, sp.cgroup_id);
	for (t = TCPKA_A_NAME; t <= TCPKA_A_USER_TIMEOUT; t++)
		if (t != TCPKA_A_CGROUP_FD && t != TCPKA_A_CGROUP_PATH &&
		    t != TCPKA_A_CGROUP_DEAD)
			TNL_SET(&sp, t);
	ASSERT_EQ(0, tnl_add(&self->s, &sp, &want.id)) TH_LOG("%s", self->s.msg);
	EXPECT_LE(1U, want.id);

	want.has = sp.has;
	snprintf(want.name, sizeof(want.name), "%s", sp.name);
	snprintf(want.cgroup_path, sizeof(want.cgroup_path), "%s",
		 self->cg + strlen(CGROUP2_ROOT));
	want.pref = sp.pref;
	want.cgroup_id = sp.cgroup_id;
	want.lport_min = sp.lport_min;
	want.lport_max = sp.lport_max;
	want.rport_min = sp.rport_min;
	want.rport_max = sp.rport_max;
	want.family = sp.family;
	want.dir = sp.dir;
	want.mode = sp.mode;
	want.idle = sp.idle;
	want.intvl = sp.intvl;
	want.cnt = sp.cnt;
	want.user_timeout = sp.user_timeout;

	/* The add's own reply is the policy object. */
	nlh = tnl_reply(&self->s, 0);
	ASSERT_NE(NULL, nlh);
	ASSERT_EQ(0, tnl_parse_policy(nlh, &got));
	expect_config_eq(_metadata, &want, &got);
	EXPECT_TRUE(TNL_HAS(&got, TCPKA_A_CGROUP_PATH));
	EXPECT_FALSE(TNL_HAS(&got, TCPKA_A_CGROUP_DEAD));

	ASSERT_EQ(0, tnl_get(&self->s, want.id, &got));
	expect_config_eq(_metadata, &want, &got);
	EXPECT_TRUE(TNL_HAS(&got, TCPKA_A_STATS));
	for (t = TCPKA_STATS_A_MATCHED; t <= TCPKA_STATS_A_REAPED; t++) {
		EXPECT_TRUE(!!(got.stats_has & (1U << t))) TH_LOG("stat %d", t);
		EXPECT_EQ(0U, got.stats[t]);
	}

	ASSERT_EQ(0, tnl_get_name(&self->s, "web-out", &got));
	expect_config_eq(_metadata, &want, &got);

	ASSERT_EQ(1, dump(&self->s, all));
	expect_config_eq(_metadata, &want, &all[0]);
	EXPECT_TRUE(TNL_HAS(&all[0], TCPKA_A_STATS));

	ASSERT_EQ(0, tnl_stats(&self->s, st, NULL));
	EXPECT_EQ(1U, st[TCPKA_STATS_A_POLICIES]);
}

TEST_F(nl, add_defaults)
{
	struct tnl_spec sp = { 0 };
	struct tnl_policy p;
	__u32 id;

	ASSERT_EQ(0, tnl_add(&self->s, &sp, &id)) TH_LOG("%s", self->s.msg);
	ASSERT_EQ(0, tnl_get(&self->s, id, &p));
	EXPECT_EQ(id, p.id);
	EXPECT_TRUE(TNL_HAS(&p, TCPKA_A_PREF));
	EXPECT_EQ((__u32)TCPKA_PREF_DEFAULT, p.pref);
	EXPECT_EQ(TCPKA_MODE_DEFAULT, p.mode);
	/* Nothing selected, nothing set, no name. */
	EXPECT_EQ(0ULL, p.has & CONFIG_ATTRS & ~(1ULL << TCPKA_A_PREF))
		TH_LOG("attributes %#llx", (unsigned long long)p.has);
}

TEST_F(nl, port_max_defaults_to_min)
{
	struct tnl_spec sp = { .lport_min = 8080, .rport_min = 443 };
	struct tnl_policy p;
	__u32 id;

	TNL_SET(&sp, TCPKA_A_LPORT_MIN);
	TNL_SET(&sp, TCPKA_A_RPORT_MIN);
	ASSERT_EQ(0, tnl_add(&self->s, &sp, &id)) TH_LOG("%s", self->s.msg);
	ASSERT_EQ(0, tnl_get(&self->s, id, &p));
	EXPECT_EQ(8080, p.lport_min);
	EXPECT_EQ(443, p.rport_min);
	if (TNL_HAS(&p, TCPKA_A_LPORT_MAX))
		EXPECT_EQ(8080, p.lport_max);
	if (TNL_HAS(&p, TCPKA_A_RPORT_MAX))
		EXPECT_EQ(443, p.rport_max);
}

TEST_F(nl, ids_increase_and_are_not_reused)
{
	__u32 a, b, c, d, e;

	a = add_simple(_metadata, &self->s, NULL, 0, 0);
	b = add_simple(_metadata, &self->s, NULL, 0, 0);
	c = add_simple(_metadata, &self->s, NULL, 0, 0);
	EXPECT_LE(1U, a);
	EXPECT_LT(a, b);
	EXPECT_LT(b, c);
	ASSERT_EQ(0, tnl_del(&self->s, c));
	d = add_simple(_metadata, &self->s, NULL, 0, 0);
	EXPECT_LT(c, d);
	ASSERT_EQ(0, tnl_flush(&self->s));
	e = add_simple(_metadata, &self->s, NULL, 0, 0);
	EXPECT_LT(d, e);
}

TEST_F(nl, names_rename_and_lookup)
{
	static const char longest[] = "0123456789abcdefghij-_.:/@+ABCD";
	struct tnl_spec sp = { 0 };
	struct tnl_policy p;
	__u32 alpha, beta, big;

	ASSERT_EQ((size_t)TCPKA_NAME_MAX_LEN, strlen(longest));
	alpha = add_simple(_metadata, &self->s, "alpha", 0, 0);
	beta = add_simple(_metadata, &self->s, "beta", 0, 0);
	big = add_simple(_metadata, &self->s, longest, 0, 0);
	ASSERT_EQ(0, tnl_get_name(&self->s, longest, &p));
	EXPECT_EQ(big, p.id);
	EXPECT_STREQ(longest, p.name);

	/* Rename beta to gamma: ID picks the policy, NAME renames it. */
	sp.id = beta;
	sp.name = "gamma";
	TNL_SET(&sp, TCPKA_A_ID);
	TNL_SET(&sp, TCPKA_A_NAME);
	ASSERT_EQ(0, tnl_replace(&self->s, &sp)) TH_LOG("%s", self->s.msg);
	EXPECT_EQ(-ENOENT, tnl_get_name(&self->s, "beta", &p));
	ASSERT_EQ(0, tnl_get_name(&self->s, "gamma", &p));
	EXPECT_EQ(beta, p.id);

	/* The old name is free again. */
	EXPECT_LT(big, add_simple(_metadata, &self->s, "beta", 0, 0));

	/* Replace by name alone. */
	memset(&sp, 0, sizeof(sp));
	sp.name = "alpha";
	sp.idle = 9;
	TNL_SET(&sp, TCPKA_A_NAME);
	TNL_SET(&sp, TCPKA_A_IDLE);
	ASSERT_EQ(0, tnl_replace(&self->s, &sp)) TH_LOG("%s", self->s.msg);
	ASSERT_EQ(0, tnl_get(&self->s, alpha, &p));
	EXPECT_STREQ("alpha", p.name);
	EXPECT_EQ(9U, p.idle);
}

TEST_F(nl, replace_keeps_id_and_pref_replaces_the_rest)
{
	struct tnl_spec sp = {
		.pref = 7, .lport_min = 80, .lport_max = 80,
		.idle = 10, .intvl = 11, .name = "r",
	};
	struct tnl_policy p, reply;
	__u32 id;

	TNL_SET(&sp, TCPKA_A_PREF);
	TNL_SET(&sp, TCPKA_A_LPORT_MIN);
	TNL_SET(&sp, TCPKA_A_LPORT_MAX);
	TNL_SET(&sp, TCPKA_A_IDLE);
	TNL_SET(&sp, TCPKA_A_INTVL);
	TNL_SET(&sp, TCPKA_A_NAME);
	ASSERT_EQ(0, tnl_add(&self->s, &sp, &id)) TH_LOG("%s", self->s.msg);

	memset(&sp, 0, sizeof(sp));
	sp.id = id;
	sp.rport_min = 443;
	sp.cnt = 3;
	sp.mode = TCPKA_MODE_OVERRIDE;
	TNL_SET(&sp, TCPKA_A_ID);
	TNL_SET(&sp, TCPKA_A_RPORT_MIN);
	TNL_SET(&sp, TCPKA_A_CNT);
	TNL_SET(&sp, TCPKA_A_MODE);
	ASSERT_EQ(0, tnl_replace(&self->s, &sp)) TH_LOG("%s", self->s.msg);
	ASSERT_NE(NULL, tnl_reply(&self->s, 0));
	ASSERT_EQ(0, tnl_parse_policy(tnl_reply(&self->s, 0), &reply));
	ASSERT_EQ(0, tnl_get(&self->s, id, &p));
	expect_config_eq(_metadata, &reply, &p);

	EXPECT_EQ(id, p.id);
	EXPECT_EQ(7U, p.pref);
	EXPECT_STREQ("r", p.name);
	EXPECT_EQ(443, p.rport_min);
	EXPECT_EQ(3U, p.cnt);
	EXPECT_EQ(TCPKA_MODE_OVERRIDE, p.mode);
	EXPECT_FALSE(TNL_HAS(&p, TCPKA_A_LPORT_MIN));
	EXPECT_FALSE(TNL_HAS(&p, TCPKA_A_LPORT_MAX));
	EXPECT_FALSE(TNL_HAS(&p, TCPKA_A_IDLE));
	EXPECT_FALSE(TNL_HAS(&p, TCPKA_A_INTVL));

	/* A pref given is taken. */
	sp.pref = 9;
	TNL_SET(&sp, TCPKA_A_PREF);
	ASSERT_EQ(0, tnl_replace(&self->s, &sp));
	ASSERT_EQ(0, tnl_get(&self->s, id, &p));
	EXPECT_EQ(9U, p.pref);
	EXPECT_EQ(1, dump(&self->s, NULL));
}

TEST_F(nl, replace_id_wins_over_name)
{
	struct tnl_spec sp = { 0 };
	struct tnl_policy p;
	__u32 a, b;

	a = add_simple(_metadata, &self->s, "a", 0, 0);
	b = add_simple(_metadata, &self->s, "b", 0, 0);
	sp.id = a;
	sp.name = "c";
	sp.idle = 33;
	TNL_SET(&sp, TCPKA_A_ID);
	TNL_SET(&sp, TCPKA_A_NAME);
	TNL_SET(&sp, TCPKA_A_IDLE);
	ASSERT_EQ(0, tnl_replace(&self->s, &sp)) TH_LOG("%s", self->s.msg);
	ASSERT_EQ(0, tnl_get(&self->s, a, &p));
	EXPECT_STREQ("c", p.name);
	EXPECT_EQ(33U, p.idle);
	ASSERT_EQ(0, tnl_get(&self->s, b, &p));
	EXPECT_STREQ("b", p.name);
	EXPECT_FALSE(TNL_HAS(&p, TCPKA_A_IDLE));
}

TEST_F(nl, del_by_id_and_by_name)
{
	struct tnl_policy all[MAX_POL];
	struct tnl_msg m;
	__u32 a, b, c;

	a = add_simple(_metadata, &self->s, "a", 0, 0);
	b = add_simple(_metadata, &self->s, "b", 0, 0);
	c = add_simple(_metadata, &self->s, "c", 0, 0);
	ASSERT_EQ(0, tnl_del(&self->s, a)) TH_LOG("%s", self->s.msg);
	tnl_msg_init(&m, &self->s, TCPKA_CMD_POLICY_DEL, 0);
	tnl_put_str(&m, TCPKA_A_NAME, "c");
	ASSERT_EQ(0, tnl_request(&self->s, &m)) TH_LOG("%s", self->s.msg);
	ASSERT_EQ(1, dump(&self->s, all));
	EXPECT_EQ(b, all[0].id);
	EXPECT_EQ(-ENOENT, tnl_del(&self->s, a));
	EXPECT_EQ(-ENOENT, tnl_del(&self->s, c));
}

TEST_F(nl, flush_and_stats)
{
	__u64 st[TCPKA_STATS_A_MAX + 1];
	__u32 has = 0;
	int t;

	ASSERT_EQ(0, tnl_stats(&self->s, st, &has));
	for (t = TCPKA_STATS_A_SEEN; t <= TCPKA_STATS_A_POLICIES; t++) {
		EXPECT_TRUE(!!(has & (1U << t))) TH_LOG("stat %d missing", t);
		EXPECT_EQ(0U, st[t]) TH_LOG("stat %d", t);
	}
	add_simple(_metadata, &self->s, "a", 0, 0);
	add_simple(_metadata, &self->s, NULL, 5, 0);
	add_simple(_metadata, &self->s, NULL, 0, 7);
	ASSERT_EQ(0, tnl_stats(&self->s, st, NULL));
	EXPECT_EQ(3U, st[TCPKA_STATS_A_POLICIES]);
	ASSERT_EQ(3, dump(&self->s, NULL));

	ASSERT_EQ(0, tnl_flush(&self->s)) TH_LOG("%s", self->s.msg);
	ASSERT_EQ(0, dump(&self->s, NULL));
	ASSERT_EQ(0, tnl_stats(&self->s, st, NULL));
	EXPECT_EQ(0U, st[TCPKA_STATS_A_POLICIES]);
	/* Flushing nothing is fine, and the names are free again. */
	ASSERT_EQ(0, tnl_flush(&self->s));
	add_simple(_metadata, &self->s, "a", 0, 0);
}

TEST_F(nl, apply_and_add_existing_without_sockets)
{
	struct tnl_spec sp = { .idle = 5 };
	struct tnl_policy p;
	__u64 applied = 99;
	__u32 id;

	TNL_SET(&sp, TCPKA_A_IDLE);
	TNL_SET(&sp, TCPKA_A_EXISTING);
	ASSERT_EQ(0, tnl_add(&self->s, &sp, &id)) TH_LOG("%s", self->s.msg);
	ASSERT_EQ(0, tnl_parse_policy(tnl_reply(&self->s, 0), &p));
	EXPECT_TRUE(TNL_HAS(&p, TCPKA_A_APPLIED));
	EXPECT_EQ(0U, p.applied);

	ASSERT_EQ(0, tnl_apply(&self->s, id, &applied)) TH_LOG("%s", self->s.msg);
	EXPECT_EQ(0U, applied);
	applied = 99;
	ASSERT_EQ(0, tnl_apply(&self->s, 0, &applied)) TH_LOG("%s", self->s.msg);
	EXPECT_EQ(0U, applied);
}

TEST_F(nl, dump_in_evaluation_order)
{
	static const __u32 prefs[] = { 300, 100, 200, 100, 0, 100 };
	struct tnl_policy all[MAX_POL];
	__u32 ids[ARRAY_SIZE(prefs)];
	struct tnl_spec sp = { 0 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(prefs); i++)
		ids[i] = add_simple(_metadata, &self->s, NULL, prefs[i], 0);
	/* (pref, id): 100 x3 in id order, 200, 300, 1000 (the default). */
	ASSERT_EQ(6, dump(&self->s, all));
	EXPECT_EQ(ids[1], all[0].id);
	EXPECT_EQ(ids[3], all[1].id);
	EXPECT_EQ(ids[5], all[2].id);
	EXPECT_EQ(ids[2], all[3].id);
	EXPECT_EQ(ids[0], all[4].id);
	EXPECT_EQ(ids[4], all[5].id);
	EXPECT_EQ((__u32)TCPKA_PREF_DEFAULT, all[5].pref);

	/* Moving the first 100 to 250 puts it between 200 and 300. */
	sp.id = ids[1];
	sp.pref = 250;
	TNL_SET(&sp, TCPKA_A_ID);
	TNL_SET(&sp, TCPKA_A_PREF);
	ASSERT_EQ(0, tnl_replace(&self->s, &sp)) TH_LOG("%s", self->s.msg);
	ASSERT_EQ(6, dump(&self->s, all));
	EXPECT_EQ(ids[3], all[0].id);
	EXPECT_EQ(ids[5], all[1].id);
	EXPECT_EQ(ids[2], all[2].id);
	EXPECT_EQ(ids[1], all[3].id);
	EXPECT_EQ(ids[0], all[4].id);
	EXPECT_EQ(ids[4], all[5].id);

	/* Equal pref: a later policy sorts after, whatever it is called. */
	sp.id = ids[0];
	sp.pref = 100;
	ASSERT_EQ(0, tnl_replace(&self->s, &sp));
	ASSERT_EQ(6, dump(&self->s, all));
	EXPECT_EQ(ids[0], all[0].id);
	EXPECT_EQ(ids[3], all[1].id);
	EXPECT_EQ(ids[5], all[2].id);
}

TEST_F(nl, dump_many)
{
	struct tnl_policy *all;
	char name[32];
	int i, n = 300;

	/* Enough for the dump to need more than one message buffer. */
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "policy-%04d-padding-padding", i);
		add_simple(_metadata, &self->s, name, 1 + (i * 7919) % 1000, i + 1);
	}
	all = calloc(n, sizeof(*all));
	ASSERT_NE(NULL, all);
	ASSERT_EQ(n, tnl_dump(&self->s, all, n));
	for (i = 1; i < n; i++) {
		EXPECT_TRUE(all[i - 1].pref < all[i].pref ||
			    (all[i - 1].pref == all[i].pref &&
			     all[i - 1].id < all[i].id))
			TH_LOG("out of order at %d", i);
	}
	free(all);
}

TEST_F(nl, cgroup_by_fd_and_dead_cgroup)
{
	struct tnl_spec sp = { 0 };
	struct tnl_policy p;
	char sub[192];
	__u64 subid;
	__u32 id, id2;
	int fd;

	snprintf(sub, sizeof(sub), "%s/x", self->cg);
	ASSERT_EQ(0, mkdir(sub, 0755));
	subid = cg_id(sub);
	ASSERT_NE(0U, subid);

	fd = open(sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	sp.cgroup_fd = fd;
	TNL_SET(&sp, TCPKA_A_CGROUP_FD);
	EXPECT_EQ(0, tnl_add(&self->s, &sp, &id)) TH_LOG("%s", self->s.msg);
	close(fd);

	memset(&sp, 0, sizeof(sp));
	sp.cgroup_id = subid;
	TNL_SET(&sp, TCPKA_A_CGROUP_ID);
	EXPECT_EQ(0, tnl_add(&self->s, &sp, &id2)) TH_LOG("%s", self->s.msg);

	ASSERT_EQ(0, tnl_get(&self->s, id, &p));
	EXPECT_EQ(subid, p.cgroup_id);
	EXPECT_STREQ(sub + strlen(CGROUP2_ROOT), p.cgroup_path);
	EXPECT_FALSE(TNL_HAS(&p, TCPKA_A_CGROUP_FD));
	EXPECT_FALSE(TNL_HAS(&p, TCPKA_A_CGROUP_DEAD));

	/* The policies outlive their cgroup and say so. */
	ASSERT_EQ(0, rmdir(sub));
	ASSERT_EQ(2, dump(&self->s, NULL));
	ASSERT_EQ(0, tnl_get(&self->s, id2, &p));
	EXPECT_EQ(subid, p.cgroup_id);
	EXPECT_TRUE(TNL_HAS(&p, TCPKA_A_CGROUP_DEAD));
	ASSERT_EQ(0, tnl_get(&self->s, id, &p));
	EXPECT_TRUE(TNL_HAS(&p, TCPKA_A_CGROUP_DEAD));

	/* ... and a removed cgroup cannot be named any more. */
	memset(&sp, 0, sizeof(sp));
	sp.cgroup_id = subid;
	TNL_SET(&sp, TCPKA_A_CGROUP_ID);
	EXPECT_EQ(-ENOENT, tnl_add(&self->s, &sp, NULL));
}

TEST_F(nl, txn_commit_replaces_the_live_set)
{
	struct tnl_policy all[MAX_POL];
	struct tnl_spec sp = { 0 };
	struct tnl t;
	__u32 keep, old;

	keep = add_simple(_metadata, &self->s, "keep", 0, 10);
	old = add_simple(_metadata, &self->s, "old", 0, 0);
	ASSERT_EQ(0, tnl_open(&t));
	ASSERT_EQ(0, tnl_simple(&t, TCPKA_CMD_TXN_BEGIN)) TH_LOG("%s", t.msg);

	sp.name = "keep";
	sp.idle = 20;
	TNL_SET(&sp, TCPKA_A_NAME);
	TNL_SET(&sp, TCPKA_A_IDLE);
	EXPECT_EQ(0, tnl_add(&t, &sp, NULL)) TH_LOG("%s", t.msg);
	sp.name = "new";
	EXPECT_EQ(0, tnl_add(&t, &sp, NULL)) TH_LOG("%s", t.msg);

	/* Staged, not live; others may read but not change. */
	ASSERT_EQ(2, dump(&self->s, all));
	EXPECT_EQ(keep, all[0].id);
	EXPECT_EQ(10U, all[0].idle);
	EXPECT_EQ(old, all[1].id);
	EXPECT_EQ(-EBUSY, tnl_add(&self->s, &sp, NULL));
	EXPECT_EQ(-EBUSY, tnl_del(&self->s, old));
	EXPECT_EQ(-EBUSY, tnl_flush(&self->s));
	ASSERT_EQ(2, dump(&self->s, NULL));

	ASSERT_EQ(0, tnl_simple(&t, TCPKA_CMD_TXN_COMMIT)) TH_LOG("%s", t.msg);
	ASSERT_EQ(2, dump(&self->s, all));
	EXPECT_STREQ("keep", all[0].name);
	EXPECT_EQ(keep, all[0].id);
	EXPECT_EQ(20U, all[0].idle);
	EXPECT_STREQ("new", all[1].name);
	EXPECT_LT(old, all[1].id);
	EXPECT_EQ(-ENOENT, tnl_get(&self->s, old, NULL));

	/* The transaction is over: anyone may change policies again. */
	EXPECT_EQ(0, tnl_del(&self->s, keep)) TH_LOG("%s", self->s.msg);
	tnl_close(&t);
}

TEST_F(nl, txn_abort_and_close_drop_the_staged_set)
{
	struct tnl_policy before[MAX_POL], after[MAX_POL];
	struct tnl_spec sp = { .name = "staged" };
	struct tnl t;
	int n;

	TNL_SET(&sp, TCPKA_A_NAME);
	add_simple(_metadata, &self->s, "live", 0, 10);
	n = dump(&self->s, before);
	ASSERT_EQ(1, n);

	ASSERT_EQ(0, tnl_open(&t));
	ASSERT_EQ(0, tnl_simple(&t, TCPKA_CMD_TXN_BEGIN)) TH_LOG("%s", t.msg);
	EXPECT_EQ(0, tnl_add(&t, &sp, NULL)) TH_LOG("%s", t.msg);
	ASSERT_EQ(0, tnl_simple(&t, TCPKA_CMD_TXN_ABORT)) TH_LOG("%s", t.msg);
	ASSERT_EQ(n, dump(&self->s, after));
	EXPECT_EQ(0, memcmp(before, after, n * sizeof(before[0])));
	EXPECT_EQ(0, tnl_flush(&self->s)) TH_LOG("not busy after abort");
	add_simple(_metadata, &self->s, "live", 0, 10);
	n = dump(&self->s, before);

	/* Closing the owning socket aborts. */
	ASSERT_EQ(0, tnl_simple(&t, TCPKA_CMD_TXN_BEGIN)) TH_LOG("%s", t.msg);
	EXPECT_EQ(0, tnl_add(&t, &sp, NULL)) TH_LOG("%s", t.msg);
	tnl_close(&t);
	ASSERT_EQ(n, dump(&self->s, after));
	EXPECT_EQ(0, memcmp(before, after, n * sizeof(before[0])));
	/* The release may be deferred a little; it must come. */
	for (n = 0; n < 100; n++) {
		if (tnl_add(&self->s, &sp, NULL) != -EBUSY)
			break;
		usleep(10000);
	}
	EXPECT_EQ(0, self->s.err) TH_LOG("%s", self->s.msg);
}

/*
 * A child that gave up root (and with it CAP_NET_ADMIN) must be refused
 * every change, through its own socket and through one root opened, and
 * must still read. It reports the first failed step as its exit code.
 */
static int unprivileged_child(struct tnl *root_sock, __u32 id)
{
	static const __u8 mutating[] = {
		TCPKA_CMD_POLICY_ADD, TCPKA_CMD_POLICY_REPLACE,
		TCPKA_CMD_POLICY_DEL, TCPKA_CMD_POLICY_FLUSH,
		TCPKA_CMD_POLICY_APPLY, TCPKA_CMD_TXN_BEGIN,
		TCPKA_CMD_TXN_COMMIT, TCPKA_CMD_TXN_ABORT,
	};
	__u64 st[TCPKA_STATS_A_MAX + 1];
	struct tnl_policy p;
	struct tnl_msg m;
	struct tnl s;
	unsigned int i;
	int err;

	if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY))
		return 1;
	if (tnl_open(&s))
		return 2;
	for (i = 0; i < ARRAY_SIZE(mutating); i++) {
		tnl_msg_init(&m, &s, mutating[i], 0);
		if (mutating[i] == TCPKA_CMD_POLICY_REPLACE ||
		    mutating[i] == TCPKA_CMD_POLICY_DEL ||
		    mutating[i] == TCPKA_CMD_POLICY_APPLY)
			tnl_put_u32(&m, TCPKA_A_ID, id);
		err = tnl_request(&s, &m);
		if (err != -EPERM) {
			fprintf(stderr, "# cmd %d as nobody: %d (%s)\n",
				mutating[i], err, s.msg);
			return 10 + i;
		}
		/* A socket root opened gives no privilege either. */
		err = tnl_request(root_sock, &m);
		if (err != -EPERM) {
			fprintf(stderr, "# cmd %d on root's socket: %d\n",
				mutating[i], err);
			return 30 + i;
		}
	}
	if (tnl_dump(&s, &p, 1) != 1 || p.id != id)
		return 3;
	if (tnl_get(&s, id, &p) || p.id != id || p.idle != 42)
		return 4;
	if (tnl_stats(&s, st, NULL) || st[TCPKA_STATS_A_POLICIES] != 1)
		return 5;
	tnl_close(&s);
	return 0;
}

TEST_F(nl, unprivileged_refused_but_reads)
{
	struct tnl_policy before[MAX_POL], after[MAX_POL];
	int status, n;
	__u32 id;
	pid_t pid;

	id = add_simple(_metadata, &self->s, "root-only", 0, 42);
	n = dump(&self->s, before);
	ASSERT_EQ(1, n);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(unprivileged_child(&self->s, id));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ(n, dump(&self->s, after));
	EXPECT_EQ(0, memcmp(before, after, n * sizeof(before[0])));
}

/* Invalid requests, one variant each. */

enum vkind {
	V_NONE, V_U8, V_U16, V_U32, V_U64, V_S32, V_STR, V_FLAG, V_RAW,
	V_ID_TAKEN,	/* u32: id of the policy named "taken" */
	V_ID_OTHER,	/* u32: id of the policy named "other" */
	V_CG_LIVE,	/* u64: id of this test's cgroup */
	V_CG_FD,	/* s32: fd of this test's cgroup */
	V_FD_ROOTDIR,	/* s32: fd of "/", a directory but no cgroup */
	V_FD_FILE,	/* s32: fd of /dev/null */
};

struct vattr {
	__u16 type;
	enum vkind kind;
	__u64 val;
	const char *str;
};

FIXTURE(bad) {
	struct tnl s;
	char cg[128];
	__u32 taken, other;
	int cg_fd, root_fd, file_fd;
};

FIXTURE_VARIANT(bad) {
	__u8 cmd;
	__u16 flags;
	struct vattr attrs[4];
	int err;		/* positive errno; 0: any error */
	const char *msg;	/* NULL: any */
	bool substr;
	int blame, blame2;	/* index into attrs; -1: not checked */
};

FIXTURE_SETUP(bad)
{
	ASSERT_EQ(0, netns_new());
	ASSERT_EQ(0, tnl_open(&self->s));
	self->taken = add_simple(_metadata, &self->s, "taken", 10, 100);
	self->other = add_simple(_metadata, &self->s, "other", 20, 200);
	self->root_fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	self->file_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, self->root_fd);
	ASSERT_LE(0, self->file_fd);
	snprintf(self->cg, sizeof(self->cg), CGROUP2_ROOT "/tcpka-bad-%d",
		 getpid());
	ASSERT_EQ(0, mkdir(self->cg, 0755));
	self->cg_fd = open(self->cg, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_LE(0, self->cg_fd);
}

FIXTURE_TEARDOWN(bad)
{
	tnl_flush(&self->s);
	tnl_close(&self->s);
	close(self->cg_fd);
	rmdir(self->cg);
}

TEST_F(bad, refused)
{
	int off[ARRAY_SIZE(variant->attrs)];
	struct tnl_msg m;
	unsigned int i;
	__u64 zero = 0;

	tnl_msg_init(&m, &self->s, variant->cmd, variant->flags);
	for (i = 0; i < ARRAY_SIZE(variant->attrs); i++) {
		const struct vattr *a = &variant->attrs[i];

		switch (a->kind) {
		case V_NONE:
			off[i] = -1;
			continue;
		case V_U8:
			off[i] = tnl_put_u8(&m, a->type, a->val);
			break;
		case V_U16:
			off[i] = tnl_put_u16(&m, a->type, a->val);
			break;
		case V_U32:
			off[i] = tnl_put_u32(&m, a->type, a->val);
			break;
		case V_U64:
			off[i] = tnl_put_u64(&m, a->type, a->val);
			break;
		case V_S32:
			off[i] = tnl_put_s32(&m, a->type, a->val);
			break;
		case V_STR:
			off[i] = tnl_put_str(&m, a->type, a->str);
			break;
		case V_FLAG:
			off[i] = tnl_put_flag(&m, a->type);
			break;
		case V_RAW:
			off[i] = tnl_put(&m, a->type, &zero, a->val);
			break;
		case V_ID_TAKEN:
			off[i] = tnl_put_u32(&m, a->type, self->taken);
			break;
		case V_ID_OTHER:
			off[i] = tnl_put_u32(&m, a->type, self->other);
			break;
		case V_CG_LIVE:
			off[i] = tnl_put_u64(&m, a->type, cg_id(self->cg));
			break;
		case V_CG_FD:
			off[i] = tnl_put_s32(&m, a->type, self->cg_fd);
			break;
		case V_FD_ROOTDIR:
			off[i] = tnl_put_s32(&m, a->type, self->root_fd);
			break;
		case V_FD_FILE:
			off[i] = tnl_put_s32(&m, a->type, self->file_fd);
			break;
		}
		ASSERT_LE(0, off[i]);
	}
	refused(_metadata, &self->s, &m, variant->err, variant->msg,
		variant->substr,
		variant->blame >= 0 ? off[variant->blame] : -1,
		variant->blame2 >= 0 ? off[variant->blame2] :
		(variant->blame >= 0 ? off[variant->blame] : -1));
}

#define ADD TCPKA_CMD_POLICY_ADD
#define A(t, k, v) { .type = TCPKA_A_##t, .kind = V_##k, .val = (v) }
#define S(t, s) { .type = TCPKA_A_##t, .kind = V_STR, .str = (s) }
#define BAD(vname, c, e, m, b, ...) \
	FIXTURE_VARIANT_ADD(bad, vname) { \
		.cmd = (c), .attrs = { __VA_ARGS__ }, .err = (e), \
		.msg = (m), .blame = (b), .blame2 = -1, \
	}

#define RANGE(vname, attr, kind, val, m) \
	BAD(vname, ADD, EINVAL, m, 0, A(attr, kind, val))

RANGE(idle_0, IDLE, U32, 0, "idle must be 1..32767");
RANGE(idle_32768, IDLE, U32, 32768, "idle must be 1..32767");
RANGE(idle_huge, IDLE, U32, 0xffffffff, "idle must be 1..32767");
RANGE(intvl_0, INTVL, U32, 0, "intvl must be 1..32767");
RANGE(intvl_32768, INTVL, U32, 32768, "intvl must be 1..32767");
RANGE(cnt_0, CNT, U32, 0, "cnt must be 1..127");
RANGE(cnt_128, CNT, U32, 128, "cnt must be 1..127");
RANGE(user_timeout_2147483648, USER_TIMEOUT, U32, 2147483648u,
      "user-timeout must be 0..2147483647");
RANGE(mode_3, MODE, U8, 3, "mode must be default, override or skip");
RANGE(mode_255, MODE, U8, 255, "mode must be default, override or skip");
RANGE(dir_any, DIR, U8, TCPKA_DIR_ANY, "dir must be in or out");
RANGE(dir_3, DIR, U8, 3, "dir must be in or out");
RANGE(family_0, FAMILY, U16, 0, "family must be inet or inet6");
RANGE(family_unix, FAMILY, U16, AF_UNIX, "family must be inet or inet6");
RANGE(family_packet, FAMILY, U16, AF_PACKET, "family must be inet or inet6");

/* The range check also guards replace. */
BAD(replace_idle_0, TCPKA_CMD_POLICY_REPLACE, EINVAL, "idle must be 1..32767",
    1, A(ID, ID_TAKEN, 0), A(IDLE, U32, 0));

FIXTURE_VARIANT_ADD(bad, lport_empty) {
	.cmd = ADD, .err = EINVAL, .msg = "lport range is empty",
	.attrs = { A(LPORT_MIN, U16, 200), A(LPORT_MAX, U16, 199) },
	.blame = 0, .blame2 = 1,
};
FIXTURE_VARIANT_ADD(bad, rport_empty) {
	.cmd = ADD, .err = EINVAL, .msg = "rport range is empty",
	.attrs = { A(RPORT_MIN, U16, 65535), A(RPORT_MAX, U16, 1) },
	.blame = 0, .blame2 = 1,
};
BAD(lport_max_alone, ADD, EINVAL, "lport max given without min", 0,
    A(LPORT_MAX, U16, 100));
BAD(rport_max_alone, ADD, EINVAL, "rport max given without min", 0,
    A(RPORT_MAX, U16, 100));

#define NAME_MSG "name must be 1..31 printable characters"
BAD(name_empty, ADD, EINVAL, NAME_MSG, 0, S(NAME, ""));
BAD(name_32_chars, ADD, EINVAL, NAME_MSG, 0,
    S(NAME, "0123456789abcdef0123456789abcdef"));
BAD(name_tab, ADD, EINVAL, NAME_MSG, 0, S(NAME, "a\tb"));
BAD(name_newline, ADD, EINVAL, NAME_MSG, 0, S(NAME, "a\n"));
BAD(name_del, ADD, EINVAL, NAME_MSG, 0, S(NAME, "a\x7f"));
BAD(rename_empty, TCPKA_CMD_POLICY_REPLACE, EINVAL, NAME_MSG, 1,
    A(ID, ID_TAKEN, 0), S(NAME, ""));
BAD(name_in_use, ADD, EEXIST, "name already in use", 0, S(NAME, "taken"));
BAD(rename_to_name_in_use, TCPKA_CMD_POLICY_REPLACE, EEXIST,
    "name already in use", 1, A(ID, ID_OTHER, 0), S(NAME, "taken"));

#define REQ_MSG "policy id or name is required"
BAD(replace_without_id, TCPKA_CMD_POLICY_REPLACE, EINVAL, REQ_MSG, -1,
    A(IDLE, U32, 5));
BAD(del_without_id, TCPKA_CMD_POLICY_DEL, EINVAL, REQ_MSG, -1);
BAD(get_without_id, TCPKA_CMD_POLICY_GET, EINVAL, REQ_MSG, -1);

#define NF_MSG "policy not found"
BAD(replace_unknown_id, TCPKA_CMD_POLICY_REPLACE, ENOENT, NF_MSG, 0,
    A(ID, U32, 999999), A(IDLE, U32, 5));
BAD(replace_unknown_name, TCPKA_CMD_POLICY_REPLACE, ENOENT, NF_MSG, 0,
    S(NAME, "nope"));
BAD(del_unknown_id, TCPKA_CMD_POLICY_DEL, ENOENT, NF_MSG, 0,
    A(ID, U32, 999999));
BAD(del_unknown_name, TCPKA_CMD_POLICY_DEL, ENOENT, NF_MSG, 0,
    S(NAME, "nope"));
BAD(get_unknown_id, TCPKA_CMD_POLICY_GET, ENOENT, NF_MSG, 0,
    A(ID, U32, 999999));
BAD(get_unknown_name, TCPKA_CMD_POLICY_GET, ENOENT, NF_MSG, 0,
    S(NAME, "nope"));
BAD(apply_unknown_id, TCPKA_CMD_POLICY_APPLY, ENOENT, NF_MSG, 0,
    A(ID, U32, 999999));
BAD(apply_unknown_name, TCPKA_CMD_POLICY_APPLY, ENOENT, NF_MSG, 0,
    S(NAME, "nope"));

FIXTURE_VARIANT_ADD(bad, cgroup_unknown_id) {
	.cmd = ADD, .err = ENOENT, .msg = "does not exist", .substr = true,
	.attrs = { A(CGROUP_ID, U64, 0x4000000000000001ull) },
	.blame = 0, .blame2 = -1,
};
FIXTURE_VARIANT_ADD(bad, cgroup_id_and_fd) {
	.cmd = ADD, .err = EINVAL,
	.msg = "cgroup id and fd are mutually exclusive",
	.attrs = { A(CGROUP_ID, CG_LIVE, 0), A(CGROUP_FD, CG_FD, 0) },
	.blame = 0, .blame2 = 1,
};
#define FD_MSG "cgroup fd is not a cgroup v2 directory"
BAD(cgroup_fd_of_root_dir, ADD, EBADF, FD_MSG, 0, A(CGROUP_FD, FD_ROOTDIR, 0));
BAD(cgroup_fd_of_file, ADD, EBADF, FD_MSG, 0, A(CGROUP_FD, FD_FILE, 0));
BAD(cgroup_fd_not_open, ADD, EBADF, FD_MSG, 0, A(CGROUP_FD, S32, 1000));
BAD(cgroup_fd_negative, ADD, EBADF, FD_MSG, 0, A(CGROUP_FD, S32, -1));

BAD(id_on_add, ADD, EINVAL, "id is assigned by the kernel", 0,
    A(ID, U32, 1));

/* Attributes only the kernel reports. */
BAD(add_cgroup_path, ADD, EINVAL, UNSUP, 0, S(CGROUP_PATH, "/"));
BAD(add_cgroup_dead, ADD, EINVAL, UNSUP, 0, A(CGROUP_DEAD, FLAG, 0));
BAD(add_stats, ADD, EINVAL, UNSUP, 0, A(STATS, FLAG, 0));
BAD(add_applied, ADD, EINVAL, UNSUP, 0, A(APPLIED, U64, 0));
BAD(add_laddr, ADD, EINVAL, UNSUP, 0, A(LADDR, RAW, 4));
BAD(add_raddr, ADD, EINVAL, UNSUP, 0, A(RADDR, RAW, 4));
BAD(add_lport, ADD, EINVAL, UNSUP, 0, A(LPORT, U16, 80));
BAD(add_rport, ADD, EINVAL, UNSUP, 0, A(RPORT, U16, 80));
BAD(add_idle_ms, ADD, EINVAL, UNSUP, 0, A(IDLE_MS, U32, 1));
BAD(replace_cgroup_path, TCPKA_CMD_POLICY_REPLACE, EINVAL, UNSUP, 1,
    A(ID, ID_TAKEN, 0), S(CGROUP_PATH, "/"));

/* Attributes these commands do not take. */
BAD(replace_existing, TCPKA_CMD_POLICY_REPLACE, EINVAL, UNSUP, 1,
    A(ID, ID_TAKEN, 0), A(EXISTING, FLAG, 0));
BAD(del_with_idle, TCPKA_CMD_POLICY_DEL, EINVAL, UNSUP, 1,
    A(ID, ID_TAKEN, 0), A(IDLE, U32, 5));
BAD(get_with_pref, TCPKA_CMD_POLICY_GET, EINVAL, UNSUP, 1,
    A(ID, ID_TAKEN, 0), A(PREF, U32, 5));
BAD(flush_with_id, TCPKA_CMD_POLICY_FLUSH, EINVAL, UNSUP, 0,
    A(ID, ID_TAKEN, 0));
BAD(apply_with_idle, TCPKA_CMD_POLICY_APPLY, EINVAL, UNSUP, 1,
    A(ID, ID_TAKEN, 0), A(IDLE, U32, 5));
BAD(stats_with_id, TCPKA_CMD_STATS_GET, EINVAL, UNSUP, 0,
    A(ID, ID_TAKEN, 0));
BAD(txn_begin_with_id, TCPKA_CMD_TXN_BEGIN, EINVAL, UNSUP, 0,
    A(ID, ID_TAKEN, 0));

/* Unknown types and wrong lengths: refused by the netlink core. */
FIXTURE_VARIANT_ADD(bad, unknown_attr_type) {
	.cmd = ADD, .err = EINVAL,
	.attrs = { { .type = TCPKA_A_MAX + 1, .kind = V_U32, .val = 1 } },
	.blame = 0, .blame2 = -1,
};
FIXTURE_VARIANT_ADD(bad, unspec_attr_type) {
	.cmd = ADD, .err = EINVAL,
	.attrs = { { .type = TCPKA_A_UNSPEC, .kind = V_U32, .val = 1 } },
	.blame = -1, .blame2 = -1,
};
BAD(idle_as_u16, ADD, EINVAL, NULL, 0, A(IDLE, U16, 5));
BAD(idle_as_u64, ADD, EINVAL, NULL, 0, A(IDLE, U64, 5));
BAD(pref_as_u8, ADD, EINVAL, NULL, 0, A(PREF, U8, 5));
BAD(lport_as_u32, ADD, EINVAL, NULL, 0, A(LPORT_MIN, U32, 80));
BAD(cgroup_id_as_u32, ADD, EINVAL, NULL, 0, A(CGROUP_ID, U32, 1));
BAD(cgroup_fd_as_u16, ADD, EINVAL, NULL, 0, A(CGROUP_FD, U16, 1));
BAD(mode_as_u32, ADD, EINVAL, NULL, 0, A(MODE, U32, 0));
BAD(family_as_u8, ADD, EINVAL, NULL, 0, A(FAMILY, U8, AF_INET));
BAD(existing_with_payload, ADD, ERANGE, NULL, 0, A(EXISTING, U32, 1));
BAD(del_id_as_u16, TCPKA_CMD_POLICY_DEL, EINVAL, NULL, 0, A(ID, U16, 1));
/* A bad attribute after a good one is the one blamed. */
BAD(second_attr_blamed, ADD, EINVAL, "cnt must be 1..127", 2,
    A(IDLE, U32, 5), A(INTVL, U32, 5), A(CNT, U32, 0));

/* Commands and flags that do not exist. */
BAD(unknown_cmd, 200, EOPNOTSUPP, NULL, -1);
BAD(peer_reaped_is_not_a_request, TCPKA_CMD_PEER_REAPED, EOPNOTSUPP, NULL, -1);
BAD(unspec_cmd, TCPKA_CMD_UNSPEC, EOPNOTSUPP, NULL, -1);
#define BADFLAG(vname, c, f, ...) \
	FIXTURE_VARIANT_ADD(bad, vname) { \
		.cmd = (c), .flags = (f), .attrs = { __VA_ARGS__ }, \
		.blame = -1, .blame2 = -1, \
	}
BADFLAG(add_flag_replace, ADD, NLM_F_REPLACE, A(IDLE, U32, 5));
BADFLAG(add_flag_excl, ADD, NLM_F_EXCL, A(IDLE, U32, 5));
BADFLAG(add_flag_create, ADD, NLM_F_CREATE, A(IDLE, U32, 5));
BADFLAG(add_flag_append, ADD, NLM_F_APPEND, A(IDLE, U32, 5));
BADFLAG(del_flag_create, TCPKA_CMD_POLICY_DEL, NLM_F_CREATE, A(ID, ID_TAKEN, 0));
BADFLAG(flush_flag_append, TCPKA_CMD_POLICY_FLUSH, NLM_F_APPEND);

TEST_HARNESS_MAIN
