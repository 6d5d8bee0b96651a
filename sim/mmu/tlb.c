/*
 * sim/mmu/tlb.c — the set-associative structure of tlb.h and its two
 * replacement policies.
 *
 * PLRU tree layout: for w ways (a power of two) a set has w-1 node bits in
 * heap order (node n has children 2n+1, 2n+2; leaves are the ways). Bit 0
 * means "the older half is the left one", 1 "the right one". touch() sets
 * every node on the way's path to point to the other half; victim() follows
 * the bits from the root; each way's path (nodes and values) is tabled once.
 *
 * Hashed fully associative structures (tlb.h): the key hash uses linear
 * probing with backward-shift deletion and each valid slot's bucket kept in
 * hidx; "lru" there is the recency list, whose tail is the way with the
 * smallest stamp the stamp scheme would have picked.
 */
#include "sim/mmu/tlb.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- LRU: exact, by last-use stamps ----------------------------------- */

/* Before the 32-bit clock wraps: renumber each set's stamps to their rank
   (1 + number of older ways), same order, so the same victims. */
void tlb_lru_renumber(struct tlb *t)
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

/* ---- LRU as a recency list (hashed fully associative structures) --------
 * Same order as the stamps: every touch moves the way to the head, the tail
 * is the least recently used valid way; invalid ways are off the list. */

static void list_unlink(struct tlb *t, unsigned w)
{
	uint32_t p = t->prev[w], n = t->next[w];
	if (p == w)
		return;                         /* off the list */
	if (p == TLB_NIL)
		t->head = n;
	else
		t->next[p] = n;
	if (n == TLB_NIL)
		t->tail = p;
	else
		t->prev[n] = p;
	t->prev[w] = t->next[w] = w;
}

static void list_touch(struct tlb *t, unsigned set, unsigned way)
{
	(void)set;
	if (t->head == way)
		return;
	list_unlink(t, way);
	t->prev[way] = TLB_NIL;
	t->next[way] = t->head;
	if (t->head == TLB_NIL)
		t->tail = way;
	else
		t->prev[t->head] = way;
	t->head = way;
}

static unsigned list_victim(const struct tlb *t, unsigned set)
{
	(void)set;
	return t->tail;
}

static void list_drop(struct tlb *t, unsigned set, unsigned way)
{
	(void)set;
	list_unlink(t, way);
}

/* ---- tree PLRU ----------------------------------------------------------- */

/* Node bits a touch of each way writes: which nodes (pmask) and their new
   values (pbits), from the walk down the tree; computed once by tlb_init. */
static void plru_paths(struct tlb *t)
{
	for (unsigned way = 0; way < t->ways; way++) {
		uint64_t mask = 0, bits = 0;
		unsigned node = 0, lo = 0, n = t->ways;
		while (n > 1) {
			unsigned half = n / 2;
			uint64_t right = way >= lo + half;  /* used the right half: left is older */
			mask |= UINT64_C(1) << node;
			bits |= (right ^ 1) << node;
			node = 2 * node + 1 + (unsigned)right;
			lo += (unsigned)right * half;
			n = half;
		}
		t->pmask[way] = mask;
		t->pbits[way] = bits;
	}
}

static void plru_touch(struct tlb *t, unsigned set, unsigned way)
{
	tlb_plru_touch(t, set, way);
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
	{ .name = "lru", .touch = tlb_lru_touch, .victim = lru_victim },
	{ .name = "plru", .touch = plru_touch, .victim = plru_victim },
};

/* "lru" of a hashed structure: not found by name, chosen by tlb_init. */
static const struct tlb_policy lru_list = {
	.name = "lru", .touch = list_touch, .victim = list_victim, .drop = list_drop,
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
	t->key = aligned_alloc(64, ((sizeof(*t->key) * t->entries + 63) / 64) * 64);
	t->way = aligned_alloc(64, ((sizeof(*t->way) * t->entries + 63) / 64) * 64);
	t->tree = calloc(t->sets, sizeof(*t->tree));
	t->rank_tmp = calloc(t->ways, sizeof(*t->rank_tmp));
	if (!t->key || !t->way || !t->tree || !t->rank_tmp)
		goto nomem;
	if (t->sets == 1 && t->ways >= TLB_HASH_WAYS) {
		t->hbits = 2;                   /* at most 1/4 full */
		while ((UINT64_C(1) << t->hbits) < (uint64_t)t->ways * 4)
			t->hbits++;
		t->hash = malloc(sizeof(*t->hash) << t->hbits);
		t->hidx = malloc(sizeof(*t->hidx) * t->entries);
		if (!t->hash || !t->hidx)
			goto nomem;
		if (t->pol == &policies[0]) {
			t->pol = &lru_list;
			t->prev = malloc(sizeof(*t->prev) * t->ways);
			t->next = malloc(sizeof(*t->next) * t->ways);
			if (!t->prev || !t->next)
				goto nomem;
		}
	}
	t->pol_stamp = t->pol == &policies[0];
	t->pol_plru = t->pol == &policies[1];
	if (t->pol_plru) {
		t->pmask = malloc(sizeof(*t->pmask) * t->ways);
		t->pbits = malloc(sizeof(*t->pbits) * t->ways);
		if (!t->pmask || !t->pbits)
			goto nomem;
		plru_paths(t);
	}
	t->nvalid = 1;                  /* make the first flush do its work */
	tlb_flush(t);
	return 0;
nomem:
	tlb_fini(t);
	return -ENOMEM;
}

void tlb_fini(struct tlb *t)
{
	free(t->key);
	free(t->way);
	free(t->tree);
	free(t->rank_tmp);
	free(t->hash);
	free(t->hidx);
	free(t->pmask);
	free(t->pbits);
	free(t->prev);
	free(t->next);
	memset(t, 0, sizeof(*t));
}

void tlb_hash_add(struct tlb *t, uint64_t key, uint32_t slot)
{
	uint32_t mask = (UINT32_C(1) << t->hbits) - 1, home = tlb_hpos(t, key), i = home;
	while (t->hash[i].key != TLB_NOKEY)
		i = (i + 1) & mask;
	t->hash[i] = (struct tlb_bucket){ .key = key, .slot = slot, .home = home };
	t->hidx[slot] = i;
}

/* Remove the key of slot (valid) from the hash: backward-shift deletion
   keeps every other key reachable from its home bucket without tombstones. */
static void hash_del(struct tlb *t, uint32_t slot)
{
	uint32_t mask = (UINT32_C(1) << t->hbits) - 1, i = t->hidx[slot];
	for (;;) {
		uint32_t j = i;
		for (;;) {
			j = (j + 1) & mask;
			if (t->hash[j].key == TLB_NOKEY) {
				t->hash[i].key = TLB_NOKEY;
				return;
			}
			uint32_t h = t->hash[j].home;
			/* the key at j may move to i unless its home lies in (i, j] */
			int stays = i <= j ? (h > i && h <= j) : (h > i || h <= j);
			if (!stays)
				break;
		}
		t->hash[i] = t->hash[j];
		t->hidx[t->hash[i].slot] = i;
		i = j;
	}
}

unsigned tlb_fill_way(struct tlb *t, unsigned set)
{
	unsigned way = TLB_NIL;
	if (t->nvalid < t->entries) {
		const uint64_t *k = t->key + (size_t)set * t->ways;
		for (unsigned w = 0; w < t->ways; w++)
			if (k[w] == TLB_NOKEY) {
				way = w;
				break;
			}
	}
	if (way == TLB_NIL) {
		way = t->pol->victim(t, set);
		if (t->hbits)
			hash_del(t, (uint32_t)((size_t)set * t->ways + way));
	}
	return way;
}

int tlb_invalidate(struct tlb *t, uint64_t key, uint64_t index)
{
	int slot = tlb_probe(t, key, index);
	if (slot < 0)
		return 0;
	if (t->hbits)
		hash_del(t, (uint32_t)slot);
	if (t->pol->drop)
		t->pol->drop(t, (unsigned)slot / t->ways, (unsigned)slot % t->ways);
	t->key[slot] = TLB_NOKEY;
	t->nvalid--;
	return 1;
}

void tlb_flush(struct tlb *t)
{
	if (t->entries == 0 || t->nvalid == 0)
		return;                         /* empty: nothing to clear (stamps of
						   invalid ways are never compared) */
	for (unsigned i = 0; i < t->entries; i++) {
		t->key[i] = TLB_NOKEY;
		t->way[i] = (struct tlb_way){ .val = 0, .stamp = 0 };
	}
	t->clock = 0;
	memset(t->tree, 0, sizeof(*t->tree) * t->sets);
	if (t->hash)
		for (uint32_t i = 0; i < (UINT32_C(1) << t->hbits); i++)
			t->hash[i].key = TLB_NOKEY;
	if (t->prev)
		for (unsigned w = 0; w < t->ways; w++)
			t->prev[w] = t->next[w] = w;
	t->head = t->tail = TLB_NIL;
	t->nvalid = 0;
}
