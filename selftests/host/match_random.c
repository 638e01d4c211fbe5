// SPDX-License-Identifier: GPL-2.0
/*
 * The module's policy matcher (kmod/match.c, built here against small
 * userspace stand-ins) compared with a plain linear scan over random
 * tables and random sockets. Prints KTAP; the seed makes a run repeatable:
 *
 *	match_random [SEED [LOOKUPS_PER_TABLE]]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "match.h"

#define NCGROUPS	64

/* A synthetic cgroup tree: ids 1..NCGROUPS, 1 the root. */
static u32 cg_parent[NCGROUPS + 1];
static u8 cg_level[NCGROUPS + 1];

static u64 rnd_state;

static u32 rnd(void)
{
	/* xorshift64*: small, fast, good enough to spread test cases */
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return (u32)((rnd_state * 0x2545f4914f6cdd1dull) >> 32);
}

static u32 rnd_below(u32 n)
{
	return n ? rnd() % n : 0;
}

static void make_tree(void)
{
	u32 i;

	cg_level[1] = 0;
	for (i = 2; i <= NCGROUPS; i++) {
		cg_parent[i] = 1 + rnd_below(i - 1);
		cg_level[i] = cg_level[cg_parent[i]] + 1;
	}
}

/* Ports drawn from a small window so that rules and sockets collide. */
static u16 rnd_port(void)
{
	switch (rnd_below(4)) {
	case 0:
		return rnd_below(65536);
	case 1:
		return 65535 - rnd_below(4);
	default:
		return 1000 + rnd_below(300);
	}
}

static void rnd_range(u16 *min, u16 *max)
{
	u16 a = rnd_port(), b;

	switch (rnd_below(5)) {
	case 0:	/* any */
		*min = 0;
		*max = 65535;
		return;
	case 1:	/* exact */
		*min = *max = a;
		return;
	case 2:	/* wide */
		b = rnd_port();
		break;
	default:	/* narrow */
		b = a + rnd_below(200) > 65535 ? 65535 : a + rnd_below(200);
		break;
	}
	*min = a < b ? a : b;
	*max = a < b ? b : a;
}

static void rnd_rule(struct tcpka_rule *r, u32 id)
{
	memset(r, 0, sizeof(*r));
	r->id = id;
	rnd_range(&r->sel.lport_min, &r->sel.lport_max);
	rnd_range(&r->sel.rport_min, &r->sel.rport_max);
	if (!rnd_below(3)) {
		u32 cg = 1 + rnd_below(NCGROUPS);

		r->sel.cgroup_id = cg;
		r->sel.cg_level = cg_level[cg];
	}
	r->sel.family = rnd_below(3) == 0 ? (rnd_below(2) ? 2 : 10) : 0;
	r->sel.dir = rnd_below(3);
	r->act.mode = rnd_below(3);
}

static void rnd_key(const struct tcpka_table *t, struct tcpka_key *k)
{
	u32 cg = 1 + rnd_below(NCGROUPS), i, anc;

	memset(k, 0, sizeof(*k));
	k->family = rnd_below(2) ? 2 : 10;
	k->dir = 1 + rnd_below(2);
	k->lport = rnd_port();
	k->rport = rnd_port();
	for (i = 0; i < t->idx.ncg_levels; i++) {
		k->cg[i] = 0;
		if (t->idx.cg_levels[i] > cg_level[cg])
			continue;
		for (anc = cg; cg_level[anc] > t->idx.cg_levels[i];)
			anc = cg_parent[anc];
		k->cg[i] = anc;
	}
}

static int run_table(u32 nrules, u32 lookups, u32 *checked)
{
	struct tcpka_table *t = tcpka_table_alloc(nrules, GFP_KERNEL);
	u32 i, fast, slow;
	struct tcpka_key k;
	int bad = 0;

	if (!t)
		return -1;
	for (i = 0; i < nrules; i++)
		rnd_rule(&t->rules[i], 1 + i * 3);
	if (tcpka_table_index(t, GFP_KERNEL)) {
		tcpka_table_free(t);
		return -1;
	}
	for (i = 0; i < nrules; i++)
		if (tcpka_table_rank_of(t, t->rules[i].id) != i)
			bad++;
	for (i = 0; i < lookups; i++) {
		rnd_key(t, &k);
		fast = tcpka_match(t, &k);
		slow = tcpka_match_linear(t, &k);
		if (fast != slow) {
			if (bad++ < 5)
				printf("# %u rules: lport %u rport %u fam %u dir %u: index %d, scan %d\n",
				       nrules, k.lport, k.rport, k.family,
				       k.dir, (int)fast, (int)slow);
		}
	}
	*checked += lookups;
	tcpka_table_free(t);
	return bad;
}

int main(int argc, char **argv)
{
	static const u32 sizes[] = { 0, 1, 2, 10, 100, 1000, 5000 };
	u64 seed = argc > 1 ? strtoull(argv[1], NULL, 0) : 1;
	u32 lookups = argc > 2 ? strtoul(argv[2], NULL, 0) : 20000;
	u32 i, checked = 0, failed = 0;
	int bad;

	rnd_state = seed ? seed : 1;
	make_tree();
	printf("TAP version 13\n1..%zu\n", sizeof(sizes) / sizeof(sizes[0]));
	printf("# seed %llu, %u lookups per table\n",
	       (unsigned long long)seed, lookups);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		bad = run_table(sizes[i], lookups, &checked);
		printf("%sok %u index agrees with a linear scan, %u rules\n",
		       bad ? "not " : "", i + 1, sizes[i]);
		failed += bad != 0;
	}
	printf("# %u lookups compared\n", checked);
	return failed ? 1 : 0;
}
