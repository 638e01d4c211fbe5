// SPDX-License-Identifier: GPL-2.0
/*
 * The compiled policy table and its lookup.
 *
 * A table holds a namespace's policies as rules in evaluation order: rank
 * 0 is consulted first. The answer to a lookup is the lowest rank whose
 * rule matches every selector it has. To avoid a scan of every rule, each
 * rule is filed under its most selective selector:
 *
 *   cgroup id        -> the cgroup map (keyed by the id; the probe looks up
 *                       the socket's ancestor at each depth in use)
 *   exact local port -> the lport map
 *   exact remote port-> the rport map
 *   narrow local or remote range -> every 64-port block it overlaps
 *   anything else    -> the wildcard list
 *
 * Each run of ranks is sorted, so a scan stops at its first full match or
 * as soon as it passes the best rank found so far. A lookup costs a few
 * hash probes plus the rules that share the socket's cgroup, port or port
 * block, not the number of rules in the table.
 */

#include <linux/err.h>
#include <linux/hash.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include "match.h"

#define TCPKA_BLOCK_SHIFT	6
/* Ranges spanning more blocks than this go to the wildcard list. */
#define TCPKA_NARROW_BLOCKS	16

struct tcpka_hslot {
	u64 key;
	u32 start;
	u32 count;		/* 0: empty slot */
};

struct tcpka_pair {
	u64 key;
	u32 rank;
};

/* The pairs a table build collects, one list per map. */
struct tcpka_pairs {
	struct tcpka_pair *p;
	u32 n;
};

enum { MAP_CGROUP, MAP_LPORT, MAP_RPORT, MAP_LBLOCK, MAP_RBLOCK, MAP_ID,
	__MAP_COUNT };

static bool port_exact(u16 min, u16 max)
{
	return min == max;
}

static bool port_narrow(u16 min, u16 max)
{
	return (max >> TCPKA_BLOCK_SHIFT) - (min >> TCPKA_BLOCK_SHIFT) <
	       TCPKA_NARROW_BLOCKS;
}

static bool port_any(u16 min, u16 max)
{
	return min == 0 && max == U16_MAX;
}

/* Which map a rule is filed under; __MAP_COUNT means the wildcard list. */
static int rule_home(const struct tcpka_rule *r)
{
	const struct tcpka_sel *s = &r->sel;

	if (s->cgroup_id)
		return MAP_CGROUP;
	if (port_exact(s->lport_min, s->lport_max))
		return MAP_LPORT;
	if (port_exact(s->rport_min, s->rport_max))
		return MAP_RPORT;
	if (!port_any(s->lport_min, s->lport_max) &&
	    port_narrow(s->lport_min, s->lport_max))
		return MAP_LBLOCK;
	if (!port_any(s->rport_min, s->rport_max) &&
	    port_narrow(s->rport_min, s->rport_max))
		return MAP_RBLOCK;
	return __MAP_COUNT;
}

static u32 block_span(u16 min, u16 max)
{
	return (max >> TCPKA_BLOCK_SHIFT) - (min >> TCPKA_BLOCK_SHIFT) + 1;
}

static int pair_cmp(const void *a, const void *b)
{
	const struct tcpka_pair *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return 0;
}

static u32 hslot_of(const struct tcpka_hmap *m, u64 key)
{
	return hash_64(key, 32) & m->mask;
}

/* Turns the pairs into a map whose runs live in ranks[*pos...]. */
static int hmap_build(struct tcpka_hmap *m, struct tcpka_pairs *pp,
		      u32 *ranks, u32 *pos, gfp_t gfp)
{
	u32 i, groups = 0, size;

	if (!pp->n)
		return 0;
	sort(pp->p, pp->n, sizeof(*pp->p), pair_cmp, NULL);
	for (i = 0; i < pp->n; i++)
		if (!i || pp->p[i].key != pp->p[i - 1].key)
			groups++;

	size = roundup_pow_of_two(groups * 2);
	m->slots = kvcalloc(size, sizeof(*m->slots), gfp);
	if (!m->slots)
		return -ENOMEM;
	m->mask = size - 1;

	for (i = 0; i < pp->n; i++) {
		struct tcpka_hslot *slot;
		u32 h;

		h = hslot_of(m, pp->p[i].key);
		while (m->slots[h].count)
			h = (h + 1) & m->mask;
		slot = &m->slots[h];
		slot->key = pp->p[i].key;
		slot->start = *pos;
		ranks[(*pos)++] = pp->p[i].rank;
		/* pairs are sorted: the key's whole run follows */
		slot->count = 1;
		while (i + 1 < pp->n && pp->p[i + 1].key == slot->key) {
			i++;
			ranks[(*pos)++] = pp->p[i].rank;
			slot->count++;
		}
	}
	return 0;
}

static const struct tcpka_hslot *hmap_find(const struct tcpka_hmap *m,
					   u64 key)
{
	u32 h;

	if (!m->slots)
		return NULL;
	for (h = hslot_of(m, key); m->slots[h].count; h = (h + 1) & m->mask)
		if (m->slots[h].key == key)
			return &m->slots[h];
	return NULL;
}

void tcpka_table_free(struct tcpka_table *t)
{
	struct tcpka_index *idx;

	if (!t)
		return;
	idx = &t->idx;
	kvfree(idx->cgroup.slots);
	kvfree(idx->lport.slots);
	kvfree(idx->rport.slots);
	kvfree(idx->lblock.slots);
	kvfree(idx->rblock.slots);
	kvfree(idx->by_id.slots);
	kvfree(idx->ranks);
	kvfree(idx->wild);
	kvfree(t);
}

/* Assigns each rule the slot of its cgroup depth in idx->cg_levels. */
static int index_cg_levels(struct tcpka_table *t)
{
	struct tcpka_index *idx = &t->idx;
	u32 i, j;

	for (i = 0; i < t->nrules; i++) {
		struct tcpka_rule *r = &t->rules[i];

		if (!r->sel.cgroup_id)
			continue;
		for (j = 0; j < idx->ncg_levels; j++)
			if (idx->cg_levels[j] == r->sel.cg_level)
				break;
		if (j == idx->ncg_levels) {
			if (j == TCPKA_CG_LEVELS_MAX)
				return -E2BIG;
			idx->cg_levels[idx->ncg_levels++] = r->sel.cg_level;
		}
		r->cg_slot = j;
	}
	return 0;
}

static int pairs_alloc(struct tcpka_pairs *pp, const u32 *counts, gfp_t gfp)
{
	int m;

	for (m = 0; m < __MAP_COUNT; m++) {
		if (!counts[m])
			continue;
		pp[m].p = kvmalloc_array(counts[m], sizeof(*pp[m].p), gfp);
		if (!pp[m].p)
			return -ENOMEM;
	}
	return 0;
}

static void pairs_add(struct tcpka_pairs *pp, u64 key, u32 rank)
{
	pp->p[pp->n].key = key;
	pp->p[pp->n].rank = rank;
	pp->n++;
}

/* Files every rule under its home map(s); the rest into the wildcards. */
static void index_collect(struct tcpka_table *t, struct tcpka_pairs *pp)
{
	struct tcpka_index *idx = &t->idx;
	u32 i, b;

	for (i = 0; i < t->nrules; i++) {
		const struct tcpka_sel *s = &t->rules[i].sel;

		pairs_add(&pp[MAP_ID], t->rules[i].id, i);
		switch (rule_home(&t->rules[i])) {
		case MAP_CGROUP:
			pairs_add(&pp[MAP_CGROUP], s->cgroup_id, i);
			break;
		case MAP_LPORT:
			pairs_add(&pp[MAP_LPORT], s->lport_min, i);
			break;
		case MAP_RPORT:
			pairs_add(&pp[MAP_RPORT], s->rport_min, i);
			break;
		case MAP_LBLOCK:
			for (b = s->lport_min >> TCPKA_BLOCK_SHIFT;
			     b <= s->lport_max >> TCPKA_BLOCK_SHIFT; b++)
				pairs_add(&pp[MAP_LBLOCK], b, i);
			break;
		case MAP_RBLOCK:
			for (b = s->rport_min >> TCPKA_BLOCK_SHIFT;
			     b <= s->rport_max >> TCPKA_BLOCK_SHIFT; b++)
				pairs_add(&pp[MAP_RBLOCK], b, i);
			break;
		default:
			idx->wild[idx->nwild++] = i;
			break;
		}
	}
}

static int index_build(struct tcpka_table *t, gfp_t gfp)
{
	struct tcpka_index *idx = &t->idx;
	struct tcpka_pairs pp[__MAP_COUNT] = {};
	struct tcpka_hmap *maps[__MAP_COUNT] = {
		[MAP_CGROUP] = &idx->cgroup, [MAP_LPORT] = &idx->lport,
		[MAP_RPORT] = &idx->rport, [MAP_LBLOCK] = &idx->lblock,
		[MAP_RBLOCK] = &idx->rblock, [MAP_ID] = &idx->by_id,
	};
	u32 counts[__MAP_COUNT] = {}, nwild = 0, total = 0, pos = 0, i;
	int m, err;

	err = index_cg_levels(t);
	if (err)
		return err;

	for (i = 0; i < t->nrules; i++) {
		const struct tcpka_sel *s = &t->rules[i].sel;

		counts[MAP_ID]++;
		m = rule_home(&t->rules[i]);
		if (m == MAP_LBLOCK)
			counts[m] += block_span(s->lport_min, s->lport_max);
		else if (m == MAP_RBLOCK)
			counts[m] += block_span(s->rport_min, s->rport_max);
		else if (m < __MAP_COUNT)
			counts[m]++;
		else
			nwild++;
	}
	for (m = 0; m < __MAP_COUNT; m++)
		total += counts[m];

	err = -ENOMEM;
	if (nwild) {
		idx->wild = kvmalloc_array(nwild, sizeof(*idx->wild), gfp);
		if (!idx->wild)
			goto out;
	}
	if (total) {
		idx->ranks = kvmalloc_array(total, sizeof(*idx->ranks), gfp);
		if (!idx->ranks)
			goto out;
	}
	err = pairs_alloc(pp, counts, gfp);
	if (err)
		goto out;

	index_collect(t, pp);
	for (m = 0; m < __MAP_COUNT; m++) {
		err = hmap_build(maps[m], &pp[m], idx->ranks, &pos, gfp);
		if (err)
			goto out;
	}
out:
	for (m = 0; m < __MAP_COUNT; m++)
		kvfree(pp[m].p);
	return err;
}

/* A table for n rules, which the caller fills in evaluation order. */
struct tcpka_table *tcpka_table_alloc(u32 n, gfp_t gfp)
{
	struct tcpka_table *t;

	t = kvzalloc(struct_size(t, rules, n), gfp);
	if (t)
		t->nrules = n;
	return t;
}

/*
 * Builds the index of a filled table. -E2BIG when the rules name more
 * distinct cgroup depths than TCPKA_CG_LEVELS_MAX. On error the caller
 * frees the table with tcpka_table_free().
 */
int tcpka_table_index(struct tcpka_table *t, gfp_t gfp)
{
	return index_build(t, gfp);
}

bool tcpka_rule_matches(const struct tcpka_rule *r,
			const struct tcpka_key *key)
{
	const struct tcpka_sel *s = &r->sel;

	if (s->family && s->family != key->family)
		return false;
	if (s->dir && s->dir != key->dir)
		return false;
	if (key->lport < s->lport_min || key->lport > s->lport_max)
		return false;
	if (key->rport < s->rport_min || key->rport > s->rport_max)
		return false;
	if (s->cgroup_id && key->cg[r->cg_slot] != s->cgroup_id)
		return false;
	return true;
}

/* The first rank of ranks[0..n) below best that matches, else best. */
static u32 scan(const struct tcpka_table *t, const u32 *ranks, u32 n,
		const struct tcpka_key *key, u32 best)
{
	u32 i;

	for (i = 0; i < n && ranks[i] < best; i++)
		if (tcpka_rule_matches(&t->rules[ranks[i]], key))
			return ranks[i];
	return best;
}

static u32 scan_map(const struct tcpka_table *t, const struct tcpka_hmap *m,
		    u64 k, const struct tcpka_key *key, u32 best)
{
	const struct tcpka_hslot *slot = hmap_find(m, k);

	if (!slot)
		return best;
	return scan(t, t->idx.ranks + slot->start, slot->count, key, best);
}

/* Returns the rank of the first matching rule, or TCPKA_NO_MATCH. */
u32 tcpka_match(const struct tcpka_table *t, const struct tcpka_key *key)
{
	const struct tcpka_index *idx = &t->idx;
	u32 best = TCPKA_NO_MATCH, i;

	for (i = 0; i < idx->ncg_levels; i++)
		if (key->cg[i])
			best = scan_map(t, &idx->cgroup, key->cg[i], key, best);
	best = scan_map(t, &idx->lport, key->lport, key, best);
	best = scan_map(t, &idx->rport, key->rport, key, best);
	best = scan_map(t, &idx->lblock, key->lport >> TCPKA_BLOCK_SHIFT,
			key, best);
	best = scan_map(t, &idx->rblock, key->rport >> TCPKA_BLOCK_SHIFT,
			key, best);
	return scan(t, idx->wild, idx->nwild, key, best);
}

/* The reference the index must agree with: every rule, in order. */
u32 tcpka_match_linear(const struct tcpka_table *t,
		       const struct tcpka_key *key)
{
	u32 i;

	for (i = 0; i < t->nrules; i++)
		if (tcpka_rule_matches(&t->rules[i], key))
			return i;
	return TCPKA_NO_MATCH;
}

/* The rank of policy id in t, or TCPKA_NO_MATCH. */
u32 tcpka_table_rank_of(const struct tcpka_table *t, u32 id)
{
	const struct tcpka_hslot *slot = hmap_find(&t->idx.by_id, id);

	return slot ? t->idx.ranks[slot->start] : TCPKA_NO_MATCH;
}
