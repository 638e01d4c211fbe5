// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the policy matcher (match.c), built as tcpka_test.ko
 * against a kernel with CONFIG_KUNIT. The suites run when the module is
 * loaded; their KTAP is in /sys/kernel/debug/kunit/tcpka_match/results.
 *
 * Rules reach a table in evaluation order: the policy layer sorts them by
 * (pref, id) first, so a pref tie is already an order here, and a lookup
 * must answer the lowest rank that matches, whichever index map the rule
 * is filed under. Every directed case checks both the indexed lookup and
 * the linear scan against the expected rank; the randomized case compares
 * the two over generated tables and sockets; it logs its seed, and
 * "modprobe tcpka_test seed=N" repeats a run.
 */

#include <kunit/test.h>
#include <linux/module.h>
#include <linux/prandom.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/socket.h>
#include <linux/string.h>
#include "match.h"

static ulong seed;
module_param(seed, ulong, 0444);
MODULE_PARM_DESC(seed, "Seed of the randomized comparison (0: a random one, logged)");

/* A rule that matches every socket, for a case to narrow down. */
static void rule_any(struct tcpka_rule *r, u32 id)
{
	memset(r, 0, sizeof(*r));
	r->id = id;
	r->sel.lport_max = U16_MAX;
	r->sel.rport_max = U16_MAX;
	r->act.mode = TCPKA_MODE_OVERRIDE;
}

static void key_init(struct tcpka_key *k)
{
	memset(k, 0, sizeof(*k));
	k->family = AF_INET;
	k->dir = TCPKA_DIR_OUT;
	k->lport = 40000;
	k->rport = 80;
}

/*
 * Puts a socket in the cgroup at @depth of @chain, where chain[d] is the id
 * of its ancestor at depth d (chain[0] the root): the probe gives the
 * table the ancestor at each depth the table's rules name.
 */
static void key_set_cgroup(struct tcpka_key *k, const struct tcpka_table *t,
			   const u64 *chain, u32 depth)
{
	u32 i, level;

	for (i = 0; i < t->idx.ncg_levels; i++) {
		level = t->idx.cg_levels[i];
		k->cg[i] = level <= depth ? chain[level] : 0;
	}
}

/* The case's table lives in test->priv, so that a failed assert frees it. */
static struct tcpka_table *table_build(struct kunit *test,
				       const struct tcpka_rule *rules, u32 n)
{
	struct tcpka_table *t;

	tcpka_table_free(test->priv);
	test->priv = NULL;
	t = tcpka_table_alloc(n, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	test->priv = t;
	if (n)
		memcpy(t->rules, rules, n * sizeof(*rules));
	KUNIT_ASSERT_EQ(test, tcpka_table_index(t, GFP_KERNEL), 0);
	return t;
}

static int match_init(struct kunit *test)
{
	test->priv = NULL;
	return 0;
}

static void match_exit(struct kunit *test)
{
	tcpka_table_free(test->priv);
}

/* Both the indexed lookup and the linear scan must answer @want. */
static void expect_rank(struct kunit *test, const struct tcpka_table *t,
			const struct tcpka_key *k, u32 want)
{
	KUNIT_EXPECT_EQ_MSG(test, tcpka_match(t, k), want,
			    "index: fam %u dir %u lport %u rport %u",
			    k->family, k->dir, k->lport, k->rport);
	KUNIT_EXPECT_EQ_MSG(test, tcpka_match_linear(t, k), want,
			    "scan: fam %u dir %u lport %u rport %u",
			    k->family, k->dir, k->lport, k->rport);
}

static void match_empty(struct kunit *test)
{
	struct tcpka_table *t = table_build(test, NULL, 0);
	struct tcpka_key k;

	key_init(&k);
	expect_rank(test, t, &k, TCPKA_NO_MATCH);
	k.family = AF_INET6;
	k.dir = TCPKA_DIR_IN;
	k.lport = 0;
	k.rport = U16_MAX;
	k.cg[0] = 1;
	expect_rank(test, t, &k, TCPKA_NO_MATCH);
	KUNIT_EXPECT_EQ(test, tcpka_table_rank_of(t, 1), TCPKA_NO_MATCH);
	KUNIT_EXPECT_EQ(test, t->idx.ncg_levels, 0U);
}

static void match_any(struct kunit *test)
{
	struct tcpka_table *t;
	struct tcpka_rule r;
	struct tcpka_key k;

	rule_any(&r, 5);
	t = table_build(test, &r, 1);
	key_init(&k);
	expect_rank(test, t, &k, 0);
	k.family = AF_INET6;
	k.dir = TCPKA_DIR_IN;
	k.lport = 0;
	k.rport = U16_MAX;
	expect_rank(test, t, &k, 0);
	k.lport = U16_MAX;
	k.rport = 0;
	expect_rank(test, t, &k, 0);
	KUNIT_EXPECT_EQ(test, tcpka_table_rank_of(t, 5), 0U);
	KUNIT_EXPECT_EQ(test, tcpka_table_rank_of(t, 6), TCPKA_NO_MATCH);
}

/*
 * One selector at a time: rank 0 has only that selector, rank 1 matches
 * everything, so a socket the selector refuses must get rank 1.
 */
static struct tcpka_table *one_selector(struct kunit *test,
					const struct tcpka_rule *r0)
{
	struct tcpka_rule r[2];

	r[0] = *r0;
	rule_any(&r[1], 2);
	return table_build(test, r, 2);
}

static void match_family(struct kunit *test)
{
	struct tcpka_table *t;
	struct tcpka_rule r;
	struct tcpka_key k;

	rule_any(&r, 1);
	r.sel.family = AF_INET6;
	t = one_selector(test, &r);
	key_init(&k);
	k.family = AF_INET6;
	expect_rank(test, t, &k, 0);
	k.family = AF_INET;
	expect_rank(test, t, &k, 1);
}

static void match_dir(struct kunit *test)
{
	struct tcpka_table *t;
	struct tcpka_rule r;
	struct tcpka_key k;

	rule_any(&r, 1);
	r.sel.dir = TCPKA_DIR_IN;
	t = one_selector(test, &r);
	key_init(&k);
	k.dir = TCPKA_DIR_IN;
	expect_rank(test, t, &k, 0);
	k.dir = TCPKA_DIR_OUT;
	expect_rank(test, t, &k, 1);
}

static void match_lport(struct kunit *test)
{
	struct tcpka_table *t;
	struct tcpka_rule r;
	struct tcpka_key k;

	rule_any(&r, 1);
	r.sel.lport_min = 443;
	r.sel.lport_max = 443;
	t = one_selector(test, &r);
	key_init(&k);
	k.lport = 443;
	expect_rank(test, t, &k, 0);
	k.lport = 442;
	expect_rank(test, t, &k, 1);
	k.lport = 444;
	expect_rank(test, t, &k, 1);
	/* the other side's port is not this selector's business */
	k.rport = 443;
	expect_rank(test, t, &k, 1);
}

static void match_rport(struct kunit *test)
{
	struct tcpka_table *t;
	struct tcpka_rule r;
	struct tcpka_key k;

	rule_any(&r, 1);
	r.sel.rport_min = 5432;
	r.sel.rport_max = 5432;
	t = one_selector(test, &r);
	key_init(&k);
	k.rport = 5432;
	expect_rank(test, t, &k, 0);
	k.rport = 5431;
	expect_rank(test, t, &k, 1);
	k.rport = 5433;
	expect_rank(test, t, &k, 1);
	k.lport = 5432;
	expect_rank(test, t, &k, 1);
}

static void match_cgroup(struct kunit *test)
{
	static const u64 chain[] = { 1, 0x100000001ULL, 0xffffffff00000007ULL };
	static const u64 other[] = { 1, 0x100000001ULL, 0xffffffff00000008ULL };
	struct tcpka_table *t;
	struct tcpka_rule r;
	struct tcpka_key k;

	rule_any(&r, 1);
	r.sel.cgroup_id = chain[2];
	r.sel.cg_level = 2;
	t = one_selector(test, &r);
	KUNIT_EXPECT_EQ(test, t->idx.ncg_levels, 1U);
	key_init(&k);
	key_set_cgroup(&k, t, chain, 2);
	expect_rank(test, t, &k, 0);
	key_set_cgroup(&k, t, other, 2);
	expect_rank(test, t, &k, 1);
	/* a socket above the rule's depth has no ancestor there */
	key_set_cgroup(&k, t, chain, 1);
	expect_rank(test, t, &k, 1);
}

struct port_range {
	u16 min;
	u16 max;
};

/* Exact, narrow (indexed per 64-port block) and wide (wildcard) ranges. */
static const struct port_range port_ranges[] = {
	{ 0, 0 },		/* exact, lowest port */
	{ 65535, 65535 },	/* exact, highest port */
	{ 0, 63 },		/* the first block exactly */
	{ 65472, 65535 },	/* the last block exactly */
	{ 1000, 1063 },		/* within two blocks */
	{ 1020, 1100 },		/* across block edges */
	{ 1024, 2047 },		/* 16 blocks: the widest indexed per block */
	{ 1024, 2048 },		/* 17 blocks: a wildcard */
	{ 1, 65534 },		/* everything but the edges */
	{ 8080, 8081 },
};

static void port_range_desc(const struct port_range *p, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "ports %u-%u", p->min, p->max);
}

KUNIT_ARRAY_PARAM(port_range, port_ranges, port_range_desc);

/* The range on one side; the ports on and just outside each edge. */
static void check_range(struct kunit *test, const struct port_range *p,
			bool local)
{
	struct tcpka_table *t;
	struct tcpka_rule r;
	struct tcpka_key k;
	u16 *port = local ? &k.lport : &k.rport;
	u16 *other = local ? &k.rport : &k.lport;

	rule_any(&r, 1);
	if (local) {
		r.sel.lport_min = p->min;
		r.sel.lport_max = p->max;
	} else {
		r.sel.rport_min = p->min;
		r.sel.rport_max = p->max;
	}
	t = one_selector(test, &r);
	key_init(&k);
	/* the other side's port outside the range: it must not matter */
	*other = p->min > 0 ? p->min - 1 : p->max + 1;

	*port = p->min;
	expect_rank(test, t, &k, 0);
	*port = p->max;
	expect_rank(test, t, &k, 0);
	*port = p->min + (p->max - p->min) / 2;
	expect_rank(test, t, &k, 0);
	if (p->min > 0) {
		*port = p->min - 1;
		expect_rank(test, t, &k, 1);
	}
	if (p->max < U16_MAX) {
		*port = p->max + 1;
		expect_rank(test, t, &k, 1);
	}
	if (p->min > 64) {
		*port = p->min - 64;
		expect_rank(test, t, &k, 1);
	}
}

static void match_port_range(struct kunit *test)
{
	const struct port_range *p = test->param_value;

	check_range(test, p, true);
	check_range(test, p, false);
}

/*
 * Two chains under one root: 1 -> 100 -> 200 -> 300 -> 400 and
 * 1 -> 100 -> 201 -> 301. A rule on a cgroup covers its whole subtree.
 */
static void match_cgroup_ancestry(struct kunit *test)
{
	static const u64 a[] = { 1, 100, 200, 300, 400 };
	static const u64 b[] = { 1, 100, 201, 301 };
	struct tcpka_rule r[4];
	struct tcpka_table *t;
	struct tcpka_key k;
	int i;

	for (i = 0; i < 4; i++)
		rule_any(&r[i], 10 + i);
	r[0].sel.cgroup_id = 300;
	r[0].sel.cg_level = 3;
	r[0].sel.lport_min = 22;
	r[0].sel.lport_max = 22;
	r[1].sel.cgroup_id = 200;
	r[1].sel.cg_level = 2;
	r[2].sel.cgroup_id = 100;
	r[2].sel.cg_level = 1;
	r[2].sel.dir = TCPKA_DIR_IN;
	r[3].sel.cgroup_id = 1;
	r[3].sel.cg_level = 0;
	r[3].sel.family = AF_INET6;
	t = table_build(test, r, 4);
	KUNIT_EXPECT_EQ(test, t->idx.ncg_levels, 4U);

	key_init(&k);
	k.lport = 22;
	key_set_cgroup(&k, t, a, 4);
	expect_rank(test, t, &k, 0);
	key_set_cgroup(&k, t, a, 3);
	expect_rank(test, t, &k, 0);
	key_set_cgroup(&k, t, a, 2);
	expect_rank(test, t, &k, 1);
	k.lport = 23;
	key_set_cgroup(&k, t, a, 4);
	expect_rank(test, t, &k, 1);

	/* the sibling branch is under 100 and 1 only */
	k.lport = 22;
	key_set_cgroup(&k, t, b, 3);
	expect_rank(test, t, &k, TCPKA_NO_MATCH);
	k.dir = TCPKA_DIR_IN;
	expect_rank(test, t, &k, 2);
	k.dir = TCPKA_DIR_OUT;
	k.family = AF_INET6;
	expect_rank(test, t, &k, 3);

	/* the root itself */
	key_set_cgroup(&k, t, a, 0);
	expect_rank(test, t, &k, 3);
	k.family = AF_INET;
	expect_rank(test, t, &k, TCPKA_NO_MATCH);
}

/* One more distinct cgroup depth than a table can index is refused. */
static void match_cgroup_levels_max(struct kunit *test)
{
	struct tcpka_rule r[TCPKA_CG_LEVELS_MAX + 1];
	struct tcpka_table *t;
	int i;

	for (i = 0; i <= TCPKA_CG_LEVELS_MAX; i++) {
		rule_any(&r[i], i + 1);
		r[i].sel.cgroup_id = 1000 + i;
		r[i].sel.cg_level = i;
	}
	t = table_build(test, r, TCPKA_CG_LEVELS_MAX);
	KUNIT_EXPECT_EQ(test, t->idx.ncg_levels, (u32)TCPKA_CG_LEVELS_MAX);

	tcpka_table_free(test->priv);
	t = tcpka_table_alloc(TCPKA_CG_LEVELS_MAX + 1, GFP_KERNEL);
	test->priv = t;
	KUNIT_ASSERT_NOT_NULL(test, t);
	memcpy(t->rules, r, sizeof(r));
	KUNIT_EXPECT_EQ(test, tcpka_table_index(t, GFP_KERNEL), -E2BIG);
}

/* The kinds of rule the index files in different places. */
enum { KIND_CGROUP, KIND_LPORT, KIND_RPORT, KIND_LRANGE, KIND_RRANGE,
	KIND_WILD, __KIND_COUNT };

/* A rule of @kind that matches the key of tie_key(). */
static void tie_rule(struct tcpka_rule *r, int kind, u32 id)
{
	rule_any(r, id);
	switch (kind) {
	case KIND_CGROUP:
		r->sel.cgroup_id = 77;
		r->sel.cg_level = 1;
		break;
	case KIND_LPORT:
		r->sel.lport_min = 8080;
		r->sel.lport_max = 8080;
		break;
	case KIND_RPORT:
		r->sel.rport_min = 80;
		r->sel.rport_max = 80;
		break;
	case KIND_LRANGE:
		r->sel.lport_min = 8000;
		r->sel.lport_max = 8099;
		break;
	case KIND_RRANGE:
		r->sel.rport_min = 1;
		r->sel.rport_max = 1023;
		break;
	default:
		r->sel.family = AF_INET;
		break;
	}
}

/*
 * Every pair of kinds, in both orders: the first rule wins; when the key
 * is refused by the first only (other direction), the second does.
 */
static void match_pref_ties(struct kunit *test)
{
	static const u64 chain[] = { 1, 77 };
	struct tcpka_rule r[2];
	struct tcpka_table *t;
	struct tcpka_key k;
	int a, b;

	for (a = 0; a < __KIND_COUNT; a++) {
		for (b = 0; b < __KIND_COUNT; b++) {
			tie_rule(&r[0], a, 1);
			r[0].sel.dir = TCPKA_DIR_OUT;
			tie_rule(&r[1], b, 2);
			t = table_build(test, r, 2);
			key_init(&k);
			k.lport = 8080;
			key_set_cgroup(&k, t, chain, 1);
			expect_rank(test, t, &k, 0);
			k.dir = TCPKA_DIR_IN;
			expect_rank(test, t, &k, 1);
			KUNIT_EXPECT_EQ(test, tcpka_table_rank_of(t, 1), 0U);
			KUNIT_EXPECT_EQ(test, tcpka_table_rank_of(t, 2), 1U);
		}
	}

	/* identical selectors: the order alone decides */
	tie_rule(&r[0], KIND_LPORT, 9);
	tie_rule(&r[1], KIND_LPORT, 3);
	t = table_build(test, r, 2);
	key_init(&k);
	k.lport = 8080;
	expect_rank(test, t, &k, 0);
	KUNIT_EXPECT_EQ(test, tcpka_table_rank_of(t, 9), 0U);
	KUNIT_EXPECT_EQ(test, tcpka_table_rank_of(t, 3), 1U);
}

/*
 * A skip policy is an answer like any other: the probe stops at it and
 * leaves the socket alone, so a later match must not shadow it.
 */
static void match_skip(struct kunit *test)
{
	struct tcpka_table *t;
	struct tcpka_rule r[2];
	struct tcpka_key k;
	u32 rank;

	rule_any(&r[0], 1);
	r[0].sel.lport_min = 22;
	r[0].sel.lport_max = 22;
	r[0].act.mode = TCPKA_MODE_SKIP;
	rule_any(&r[1], 2);
	t = table_build(test, r, 2);
	key_init(&k);
	k.lport = 22;
	rank = tcpka_match(t, &k);
	KUNIT_ASSERT_EQ(test, rank, 0U);
	KUNIT_EXPECT_EQ(test, t->rules[rank].act.mode, (u8)TCPKA_MODE_SKIP);
	expect_rank(test, t, &k, 0);
	k.lport = 23;
	expect_rank(test, t, &k, 1);

	/* behind a narrower policy, skip catches only the rest */
	rule_any(&r[0], 1);
	r[0].sel.lport_min = 22;
	r[0].sel.lport_max = 22;
	rule_any(&r[1], 2);
	r[1].act.mode = TCPKA_MODE_SKIP;
	t = table_build(test, r, 2);
	k.lport = 22;
	expect_rank(test, t, &k, 0);
	k.lport = 23;
	rank = tcpka_match(t, &k);
	KUNIT_ASSERT_EQ(test, rank, 1U);
	KUNIT_EXPECT_EQ(test, t->rules[rank].act.mode, (u8)TCPKA_MODE_SKIP);
}

/* The randomized comparison. */

#define RAND_CGROUPS	64
#define RAND_LOOKUPS	50000

struct rand_tree {
	u64 id[RAND_CGROUPS];
	u32 parent[RAND_CGROUPS];
	u8 level[RAND_CGROUPS];
};

static u32 rnd_below(struct rnd_state *rs, u32 n)
{
	return n ? prandom_u32_state(rs) % n : 0;
}

/* Node 0 is the root; ids are spread over 64 bits as inode numbers are. */
static void rand_tree_make(struct rnd_state *rs, struct rand_tree *tr)
{
	u32 i;

	tr->id[0] = 1;
	tr->level[0] = 0;
	for (i = 1; i < RAND_CGROUPS; i++) {
		tr->id[i] = (u64)prandom_u32_state(rs) << 32 | i;
		tr->parent[i] = rnd_below(rs, i);
		tr->level[i] = tr->level[tr->parent[i]] + 1;
		if (tr->level[i] >= TCPKA_CG_LEVELS_MAX) {
			tr->parent[i] = 0;
			tr->level[i] = 1;
		}
	}
}

/* Ports from a small window, and the edges, so that rules and keys meet. */
static u16 rand_port(struct rnd_state *rs)
{
	switch (rnd_below(rs, 4)) {
	case 0:
		return rnd_below(rs, 65536);
	case 1:
		return rnd_below(rs, 2) ? 65535 - rnd_below(rs, 4) :
					  rnd_below(rs, 4);
	default:
		return 1000 + rnd_below(rs, 300);
	}
}

static void rand_range(struct rnd_state *rs, u16 *min, u16 *max)
{
	u32 a = rand_port(rs), b;

	switch (rnd_below(rs, 5)) {
	case 0:
		*min = 0;
		*max = U16_MAX;
		return;
	case 1:
		*min = a;
		*max = a;
		return;
	case 2:
		b = rand_port(rs);
		break;
	default:
		b = min_t(u32, a + rnd_below(rs, 200), U16_MAX);
		break;
	}
	*min = min(a, b);
	*max = max(a, b);
}

static void rand_rule(struct rnd_state *rs, const struct rand_tree *tr,
		      struct tcpka_rule *r, u32 id)
{
	static const u8 modes[] = { TCPKA_MODE_DEFAULT, TCPKA_MODE_OVERRIDE,
				    TCPKA_MODE_SKIP };

	rule_any(r, id);
	rand_range(rs, &r->sel.lport_min, &r->sel.lport_max);
	rand_range(rs, &r->sel.rport_min, &r->sel.rport_max);
	if (!rnd_below(rs, 3)) {
		u32 cg = rnd_below(rs, RAND_CGROUPS);

		r->sel.cgroup_id = tr->id[cg];
		r->sel.cg_level = tr->level[cg];
	}
	if (!rnd_below(rs, 3))
		r->sel.family = rnd_below(rs, 2) ? AF_INET : AF_INET6;
	r->sel.dir = rnd_below(rs, 3);
	r->act.mode = modes[rnd_below(rs, ARRAY_SIZE(modes))];
}

static void rand_key(struct rnd_state *rs, const struct rand_tree *tr,
		     const struct tcpka_table *t, struct tcpka_key *k)
{
	u64 chain[TCPKA_CG_LEVELS_MAX];
	u32 cg = rnd_below(rs, RAND_CGROUPS), n;

	key_init(k);
	k->family = rnd_below(rs, 2) ? AF_INET : AF_INET6;
	k->dir = rnd_below(rs, 2) ? TCPKA_DIR_IN : TCPKA_DIR_OUT;
	k->lport = rand_port(rs);
	k->rport = rand_port(rs);
	for (n = cg; ; n = tr->parent[n]) {
		chain[tr->level[n]] = tr->id[n];
		if (!n)
			break;
	}
	key_set_cgroup(k, t, chain, tr->level[cg]);
}

static const u32 rand_sizes[] = { 0, 1, 2, 10, 100, 1000, 5000 };

static void rand_size_desc(const u32 *n, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%u rules", *n);
}

KUNIT_ARRAY_PARAM(rand_size, rand_sizes, rand_size_desc);

static void match_random(struct kunit *test)
{
	u32 nrules = *(const u32 *)test->param_value, i, fast, slow, bad = 0;
	struct rand_tree *tr;
	struct rnd_state rs;
	struct tcpka_rule *r;
	struct tcpka_table *t;
	struct tcpka_key k;

	/* each size has its own stream: one can be repeated alone */
	prandom_seed_state(&rs, seed + nrules);
	tr = kunit_kzalloc(test, sizeof(*tr), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, tr);
	rand_tree_make(&rs, tr);

	tcpka_table_free(test->priv);
	t = tcpka_table_alloc(nrules, GFP_KERNEL);
	test->priv = t;
	KUNIT_ASSERT_NOT_NULL(test, t);
	for (i = 0; i < nrules; i++) {
		r = &t->rules[i];
		rand_rule(&rs, tr, r, 1 + i * 3);
	}
	KUNIT_ASSERT_EQ(test, tcpka_table_index(t, GFP_KERNEL), 0);

	for (i = 0; i < nrules; i++)
		if (tcpka_table_rank_of(t, t->rules[i].id) != i)
			bad++;
	KUNIT_EXPECT_EQ_MSG(test, bad, 0U, "policy ids not found at their rank");
	bad = 0;

	for (i = 0; i < RAND_LOOKUPS; i++) {
		rand_key(&rs, tr, t, &k);
		fast = tcpka_match(t, &k);
		slow = tcpka_match_linear(t, &k);
		if (fast != slow && bad++ < 3)
			KUNIT_FAIL(test,
				   "fam %u dir %u lport %u rport %u: index %d, scan %d",
				   k.family, k.dir, k.lport, k.rport,
				   (int)fast, (int)slow);
		if (!(i % 1024))
			cond_resched();
	}
	KUNIT_EXPECT_EQ_MSG(test, bad, 0U, "of %u lookups", RAND_LOOKUPS);
	if (!nrules)
		kunit_info(test, "seed %lu, %u lookups per size, %zu in all",
			   seed, RAND_LOOKUPS,
			   RAND_LOOKUPS * ARRAY_SIZE(rand_sizes));
}

static int match_suite_init(struct kunit_suite *suite)
{
	if (!seed)
		seed = get_random_u32() | 1;
	return 0;
}

static struct kunit_case match_cases[] = {
	KUNIT_CASE(match_empty),
	KUNIT_CASE(match_any),
	KUNIT_CASE(match_family),
	KUNIT_CASE(match_dir),
	KUNIT_CASE(match_lport),
	KUNIT_CASE(match_rport),
	KUNIT_CASE(match_cgroup),
	KUNIT_CASE_PARAM(match_port_range, port_range_gen_params),
	KUNIT_CASE(match_cgroup_ancestry),
	KUNIT_CASE(match_cgroup_levels_max),
	KUNIT_CASE(match_pref_ties),
	KUNIT_CASE(match_skip),
	KUNIT_CASE_PARAM(match_random, rand_size_gen_params),
	{}
};

static struct kunit_suite match_suite = {
	.name = "tcpka_match",
	.suite_init = match_suite_init,
	.init = match_init,
	.exit = match_exit,
	.test_cases = match_cases,
};

kunit_test_suite(match_suite);

MODULE_DESCRIPTION("KUnit tests of the tcpka policy matcher");
MODULE_LICENSE("GPL");
