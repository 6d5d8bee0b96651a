/*
 * sim/mmu/tlb.c — the set-associative structure of tlb.h and its two
 * replacement policies.
 *
 * PLRU tree layout: for w ways (a power of two) a set has w-1 node bits in
 * heap order (node n has children 2n+1, 2n+2; leaves are the ways). Bit 0
 * means "the older half is the left one", 1 "the right one". touch() sets
 * every node on the way's path to point to the other half; victim() follows
 * the bits from the root.
 */
#include "sim/mmu/tlb.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- LRU: exact, by last-use stamps ----------------------------------- */

/* Before the 32-bit clock wraps: renumber each set's stamps to their rank
   (1 + number of older ways), same order, so the same victims. */
static void lru_renumber(struct tlb *t)
{
	for (unsigned s = 0; s < t->sets; s++) {
		struct tlb_way *w = t->way + (size_t)s * t->ways;
		for (unsigned i = 0; i < t->ways; i++) {
			uint32_t r = 1;
			for (unsigned j = 0; j < t->ways; j++)
				r += w[j].stamp < w[i].stamp;
			t->rank_tmp[i] = r;
		}
		for (unsigned i = 0; i < t->ways; i++)
			w[i].stamp = t->rank_tmp[i];
	}
	t->clock = t->ways;
}

static void lru_touch(struct tlb *t, unsigned set, unsigned way)
{
	if (t->clock == UINT32_MAX)
		lru_renumber(t);
	t->way[(size_t)set * t->ways + way].stamp = ++t->clock;
}

static unsigned lru_victim(const struct tlb *t, unsigned set)
{
	const struct tlb_way *s = t->way + (size_t)set * t->ways;
	unsigned v = 0;
	uint32_t min = s[0].stamp;
	for (unsigned w = 1; w < t->ways; w++) {  /* branch-free: cmov */
		uint32_t st = s[w].stamp;
		int lt = st < min;
		min = lt ? st : min;
		v = lt ? w : v;
	}
	return v;
}

/* ---- tree PLRU ----------------------------------------------------------- */

static void plru_touch(struct tlb *t, unsigned set, unsigned way)
{
	uint64_t bits = t->tree[set];
	unsigned node = 0, lo = 0, n = t->ways;
	while (n > 1) {
		unsigned half = n / 2;
		uint64_t right = way >= lo + half;  /* used the right half: left is older */
		bits = (bits & ~(UINT64_C(1) << node)) | ((right ^ 1) << node);
		node = 2 * node + 1 + (unsigned)right;
		lo += (unsigned)right * half;
		n = half;
	}
	t->tree[set] = bits;
}

static unsigned plru_victim(const struct tlb *t, unsigned set)
{
	uint64_t bits = t->tree[set];
	unsigned node = 0, lo = 0, n = t->ways;
	while (n > 1) {
		unsigned half = n / 2;
		unsigned right = (unsigned)(bits >> node & 1);  /* right half is older */
		node = 2 * node + 1 + right;
		lo += right * half;
		n = half;
	}
	return lo;
}

static const struct tlb_policy policies[] = {
	{ .name = "lru", .touch = lru_touch, .victim = lru_victim },
	{ .name = "plru", .touch = plru_touch, .victim = plru_victim },
};

const struct tlb_policy *tlb_policy_find(const char *name)
{
	for (size_t i = 0; i < sizeof(policies) / sizeof(policies[0]); i++)
		if (strcmp(policies[i].name, name) == 0)
			return &policies[i];
	return NULL;
}

static int is_pow2(uint64_t x) { return x && !(x & (x - 1)); }

int tlb_geom_check(const struct mmu_cache_geom *g, const char *what, char *err, size_t errlen)
{
	char pol[sizeof(g->policy) + 1];
	memcpy(pol, g->policy, sizeof(g->policy));
	pol[sizeof(g->policy)] = 0;
	if (g->entries == 0)
		return 0;
	if (g->entries > (1u << 24)) {
		snprintf(err, errlen, "%s.entries: %u above the limit %u", what, g->entries, 1u << 24);
		return -EINVAL;
	}
	if (g->ways == 0 || g->ways > g->entries || g->entries % g->ways) {
		snprintf(err, errlen, "%s.ways: %u does not divide %s.entries %u", what, g->ways,
			 what, g->entries);
		return -EINVAL;
	}
	const struct tlb_policy *p = tlb_policy_find(pol);
	if (!p) {
		snprintf(err, errlen, "%s.policy: '%s' unknown (lru, plru)", what, pol);
		return -EINVAL;
	}
	if (p->victim == plru_victim && (!is_pow2(g->ways) || g->ways > 64)) {
		snprintf(err, errlen, "%s.ways: %u with plru must be a power of two <= 64", what,
			 g->ways);
		return -EINVAL;
	}
	return 0;
}

int tlb_init(struct tlb *t, const struct mmu_cache_geom *g)
{
	char err[160];
	memset(t, 0, sizeof(*t));
	if (tlb_geom_check(g, "tlb", err, sizeof(err)))
		return -EINVAL;
	if (g->entries == 0) {          /* absent: lookups miss, inserts do nothing */
		t->pol = &policies[0];
		t->sets = 1;
		t->sets_pow2 = 1;
		return 0;
	}
	char pol[sizeof(g->policy) + 1];
	memcpy(pol, g->policy, sizeof(g->policy));
	pol[sizeof(g->policy)] = 0;
	t->entries = g->entries;
	t->ways = g->ways;
	t->pol = tlb_policy_find(pol);
	t->sets = g->entries / g->ways;
	t->sets_pow2 = is_pow2(t->sets);
	t->set_mask = t->sets_pow2 ? t->sets - 1 : 0;
	t->way = aligned_alloc(64, ((sizeof(*t->way) * t->entries + 63) / 64) * 64);
	t->tree = calloc(t->sets, sizeof(*t->tree));
	t->rank_tmp = calloc(t->ways, sizeof(*t->rank_tmp));
	if (!t->way || !t->tree || !t->rank_tmp) {
		tlb_fini(t);
		return -ENOMEM;
	}
	tlb_flush(t);
	return 0;
}

void tlb_fini(struct tlb *t)
{
	free(t->way);
	free(t->tree);
	free(t->rank_tmp);
	memset(t, 0, sizeof(*t));
}

int tlb_probe(const struct tlb *t, uint64_t key, uint64_t index)
{
	if (t->nvalid == 0)
		return -1;
	unsigned set = tlb_set(t, index);
	int w = tlb_find_way(t->way + (size_t)set * t->ways, t->ways, key);
	return w < 0 ? -1 : (int)(set * t->ways + (unsigned)w);
}

/* Way to fill in set: the lowest invalid one, else the policy's victim. */
static unsigned fill_way(struct tlb *t, unsigned set)
{
	if (t->nvalid < t->entries) {
		const struct tlb_way *k = t->way + (size_t)set * t->ways;
		for (unsigned w = 0; w < t->ways; w++)
			if (k[w].key == TLB_NOKEY)
				return w;
	}
	return t->pol->victim(t, set);
}

int tlb_access(struct tlb *t, uint64_t key, uint64_t index, uint32_t val)
{
	if (t->entries == 0)
		return 0;
	unsigned set = tlb_set(t, index);
	struct tlb_way *k = t->way + (size_t)set * t->ways;
	int hit = tlb_find_way(k, t->ways, key);
	if (hit >= 0) {
		t->pol->touch(t, set, (unsigned)hit);
		return 1;
	}
	unsigned way = fill_way(t, set);
	if (k[way].key == TLB_NOKEY)
		t->nvalid++;
	k[way].key = key;
	k[way].val = val;
	t->pol->touch(t, set, way);
	return 0;
}

int tlb_insert(struct tlb *t, uint64_t key, uint64_t index, uint32_t val, uint64_t *evicted)
{
	if (evicted)
		*evicted = TLB_NOKEY;
	if (t->entries == 0)
		return -1;
	unsigned set = tlb_set(t, index);
	struct tlb_way *k = t->way + (size_t)set * t->ways;
	unsigned way = fill_way(t, set);
	if (k[way].key != TLB_NOKEY) {
		if (evicted)
			*evicted = k[way].key;
	} else {
		t->nvalid++;
	}
	k[way].key = key;
	k[way].val = val;
	t->pol->touch(t, set, way);
	return (int)(set * t->ways + way);
}

int tlb_invalidate(struct tlb *t, uint64_t key, uint64_t index)
{
	int slot = tlb_probe(t, key, index);
	if (slot < 0)
		return 0;
	t->way[slot].key = TLB_NOKEY;
	t->nvalid--;
	return 1;
}

void tlb_flush(struct tlb *t)
{
	if (t->entries == 0)
		return;
	for (unsigned i = 0; i < t->entries; i++)
		t->way[i] = (struct tlb_way){ .key = TLB_NOKEY, .val = 0, .stamp = 0 };
	t->clock = 0;
	memset(t->tree, 0, sizeof(*t->tree) * t->sets);
	t->nvalid = 0;
}
