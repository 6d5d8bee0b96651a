/*
 * sim/mmu/tlb.c — the set-associative structure of tlb.h and its two
 * replacement policies, each as a table of per-set operations valid for
 * every representation of that policy (tlb.h inlines them on hot paths).
 *
 * PLRU tree layout: for w ways (a power of two) a set has w-1 node bits in
 * heap order (node n has children 2n+1, 2n+2; leaves are the ways). Bit 0
 * means "the older half is the left one", 1 "the right one". touch() sets
 * every node on the way's path to point to the other half; the victim
 * follows the bits from the root; each way's path (nodes and values) is
 * tabled once.
 *
 * Hashed fully associative structures: each bucket heads a chain of slots
 * linked by hnext (TLB_HASH_LOAD buckets per way keep chains short); "lru"
 * there is the recency list, in the same order as the move-to-front sets.
 */
#include "sim/mmu/tlb.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- recency list (TLB_K_LIST) --------------------------------------------
 * Every touch moves the way to the head, the tail is the least recently
 * used valid way; invalid ways are off the list. */

void tlb_list_unlink(struct tlb *t, unsigned w)
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

/* Lowest invalid way of set, or ways when the set is full. */
static unsigned first_invalid(const struct tlb *t, unsigned set)
{
	if (t->nvalid >= t->entries)
		return t->ways;
	const uint64_t *k = t->key + (size_t)set * t->ways;
	unsigned w = 0;
	while (w < t->ways && k[w] != TLB_NOKEY)
		w++;
	return w;
}

/* ---- "lru" ------------------------------------------------------------------ */

static size_t lru_touch(struct tlb *t, unsigned set, unsigned way)
{
	return tlb_touch_kw(t, set, way, t->kind, t->ways);  /* PERM(32), AGE, MTF, LIST */
}

static unsigned lru_fill_way(const struct tlb *t, unsigned set)
{
	if (TLB_KPERM(t->kind))
		return tlb_perm_victim(t, set, t->ways);
	if (t->kind == TLB_K_AGE)
		return tlb_age_victim(tlb_age_set(t, set, t->ways), t->ways);
	if (t->kind == TLB_K_MTF)
		return t->ways - 1;             /* invalid ways sit last, then the LRU */
	unsigned w = first_invalid(t, set);
	return w < t->ways ? w : t->tail;
}

static size_t lru_drop(struct tlb *t, unsigned set, unsigned way)
{
	size_t base = (size_t)set * t->ways;
	if (t->kind == TLB_K_LIST) {
		tlb_list_unlink(t, way);
		return base + way;
	}
	unsigned last = t->ways - 1;            /* PERM: the way moves to the last position */
	if (TLB_KPERM(t->kind)) {
		uint64_t o = t->order[set];
		t->order[set] = tlb_perm4_back(o, tlb_perm4_pos(o, way, t->p4.ones, t->p4.lo), last,
					       way, t->p4.full);
		return base + way;
	}
	if (t->kind == TLB_K_AGE) {             /* older ways get younger by one */
		int8_t *age = tlb_age_ages(tlb_age_set(t, set, t->ways), t->ways);
		int8_t a = age[way];
		for (unsigned w = 0; w < t->ways; w++)
			age[w] = (int8_t)(age[w] - (age[w] > a));
		age[way] = (int8_t)last;
		return base + way;
	}
	/* MTF: close the gap, the invalidated way goes last */
	uint64_t k = t->key[base + way];
	for (unsigned i = way; i + 1 < t->ways; i++) {
		t->key[base + i] = t->key[base + i + 1];
		t->val[base + i] = t->val[base + i + 1];
		t->tag[base + i] = t->tag[base + i + 1];
	}
	t->key[base + t->ways - 1] = k;
	return base + t->ways - 1;
}

/* ---- "plru" ----------------------------------------------------------------- */

/* tlb_plru_top3[b]: node 0 (bit 0 of b) picks the half, its child (node 1
   or 2) the quarter, that child's child (nodes 3..6) the eighth; a set bit
   means the right side is older. Written out by the preprocessor. */
#define PL_R0(b) ((b) & 1)
#define PL_N1(b) (1 + PL_R0(b))
#define PL_R1(b) (((b) >> PL_N1(b)) & 1)
#define PL_R2(b) (((b) >> (2 * PL_N1(b) + 1 + PL_R1(b))) & 1)
#define PL1(b) (uint8_t)(PL_R0(b) * 4 + PL_R1(b) * 2 + PL_R2(b))
#define PL2(b) PL1(b), PL1(b + 1)
#define PL4(b) PL2(b), PL2(b + 2)
#define PL8(b) PL4(b), PL4(b + 4)
#define PL16(b) PL8(b), PL8(b + 8)
#define PL32(b) PL16(b), PL16(b + 16)
#define PL64(b) PL32(b), PL32(b + 32)
const uint8_t tlb_plru_top3[128] = { PL64(0), PL64(64) };
#undef PL_R0
#undef PL_N1
#undef PL_R1
#undef PL_R2
#undef PL1
#undef PL2
#undef PL4
#undef PL8
#undef PL16
#undef PL32
#undef PL64

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

static size_t plru_touch(struct tlb *t, unsigned set, unsigned way)
{
	tlb_plru_touch(t, set, way);
	return (size_t)set * t->ways + way;
}

static unsigned plru_fill_way(const struct tlb *t, unsigned set)
{
	unsigned w = first_invalid(t, set);
	return w < t->ways ? w : tlb_plru_victim_w(t, set, t->ways);
}

static size_t plru_drop(struct tlb *t, unsigned set, unsigned way)
{
	return (size_t)set * t->ways + way;     /* tree bits stay as they are */
}

static const struct tlb_policy policies[] = {
	{ .name = "lru", .touch = lru_touch, .fill_way = lru_fill_way, .drop = lru_drop },
	{ .name = "plru", .touch = plru_touch, .fill_way = plru_fill_way, .drop = plru_drop },
};

const struct tlb_policy *tlb_policy_find(const char *name)
{
	for (size_t i = 0; i < sizeof(policies) / sizeof(policies[0]); i++)
		if (strcmp(policies[i].name, name) == 0)
			return &policies[i];
	return NULL;
}

static int is_pow2(uint64_t x) { return x && !(x & (x - 1)); }

/* ---- implementations: generic, and specialised for common geometries ------
 * Same code (tlb.h's *_kw operations), with the kind, the ways and the
 * power-of-two set count as constants in the specialised ones. */

#define TLB_IMPL(NAME, K, W, P2)                                                        \
	static int NAME##_lookup(struct tlb *t, uint64_t key, uint64_t index)           \
	{                                                                               \
		return tlb_lookup_kw(t, key, index, K, W, P2);                          \
	}                                                                               \
	static int NAME##_access(struct tlb *t, uint64_t key, uint64_t index, uint32_t val) \
	{                                                                               \
		return tlb_access_kw(t, key, index, val, K, W, P2);                     \
	}                                                                               \
	static int NAME##_insert(struct tlb *t, uint64_t key, uint64_t index, uint32_t val, \
				 uint64_t *evicted)                                     \
	{                                                                               \
		return tlb_insert_kw(t, key, index, val, evicted, K, W, P2);            \
	}                                                                               \
	static const struct tlb_impl NAME = { NAME##_lookup, NAME##_access, NAME##_insert };

TLB_IMPL(impl_generic, t->kind, t->ways, 0)
TLB_IMPL(impl_perm2, TLB_K_PERM, 2, 1)
TLB_IMPL(impl_perm4, TLB_K_PERM, 4, 1)
TLB_IMPL(impl_perm8, TLB_K_PERM, 8, 1)
TLB_IMPL(impl_perm16, TLB_K_PERM, 16, 1)
TLB_IMPL(impl_perm32_4, TLB_K_PERM32, 4, 1)
TLB_IMPL(impl_perm32_8, TLB_K_PERM32, 8, 1)
TLB_IMPL(impl_perm32, TLB_K_PERM32, t->ways, 1)
TLB_IMPL(impl_age20, TLB_K_AGE, 20, 1)
TLB_IMPL(impl_age32, TLB_K_AGE, 32, 1)
TLB_IMPL(impl_plru4, TLB_K_PLRU, 4, 1)
TLB_IMPL(impl_plru8, TLB_K_PLRU, 8, 1)
TLB_IMPL(impl_plru16, TLB_K_PLRU, 16, 1)
TLB_IMPL(impl_plru32_8, TLB_K_PLRU32, 8, 1)
TLB_IMPL(impl_plru32_16, TLB_K_PLRU32, 16, 1)
TLB_IMPL(impl_plru32, TLB_K_PLRU32, t->ways, 1)
TLB_IMPL(impl_list, TLB_K_LIST, t->ways, 0)
#undef TLB_IMPL

static const struct {
	enum tlb_kind kind;
	unsigned ways;                  /* 0: any */
	const struct tlb_impl *impl;
} impls[] = {
	{ TLB_K_PERM, 2, &impl_perm2 }, { TLB_K_PERM, 4, &impl_perm4 },
	{ TLB_K_PERM, 8, &impl_perm8 }, { TLB_K_PERM, 16, &impl_perm16 },
	{ TLB_K_PERM32, 4, &impl_perm32_4 }, { TLB_K_PERM32, 8, &impl_perm32_8 },
	{ TLB_K_PERM32, 0, &impl_perm32 },
	{ TLB_K_AGE, 20, &impl_age20 }, { TLB_K_AGE, 32, &impl_age32 },
	{ TLB_K_PLRU, 4, &impl_plru4 },
	{ TLB_K_PLRU, 8, &impl_plru8 }, { TLB_K_PLRU, 16, &impl_plru16 },
	{ TLB_K_PLRU32, 8, &impl_plru32_8 }, { TLB_K_PLRU32, 16, &impl_plru32_16 },
	{ TLB_K_PLRU32, 0, &impl_plru32 },
	{ TLB_K_LIST, 0, &impl_list },
};

static const struct tlb_impl *impl_for(const struct tlb *t)
{
	for (size_t i = 0; i < sizeof(impls) / sizeof(impls[0]); i++)
		if (impls[i].kind == t->kind && (impls[i].ways == 0 || impls[i].ways == t->ways) &&
		    (t->sets_pow2 || t->kind == TLB_K_LIST))
			return impls[i].impl;
	return &impl_generic;
}

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
	if (p == &policies[1] && (!is_pow2(g->ways) || g->ways > 64)) {
		snprintf(err, errlen, "%s.ways: %u with plru must be a power of two <= 64", what,
			 g->ways);
		return -EINVAL;
	}
	return 0;
}

int tlb_init(struct tlb *t, const struct mmu_cache_geom *g)
{
	return tlb_init_bounded(t, g, 64);
}

int tlb_init_bounded(struct tlb *t, const struct mmu_cache_geom *g, unsigned key_bits)
{
	char err[160];
	memset(t, 0, sizeof(*t));
	if (tlb_geom_check(g, "tlb", err, sizeof(err)))
		return -EINVAL;
	if (g->entries == 0) {          /* absent: lookups miss, inserts do nothing */
		t->pol = &policies[0];
		t->kind = TLB_K_NONE;
		t->impl = &impl_generic;
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
	int lru = t->pol == &policies[0];
	int hashed = t->sets == 1 && t->ways >= (lru ? TLB_AGE_WAYS + 1 : TLB_HASH_WAYS);
	/* keys below 2^key_bits: their bits above the set index fit 31 bits */
	int k32 = t->sets_pow2 && key_bits <= 31 + (unsigned)__builtin_ctz(t->sets) && t->ways <= 32;
	t->kind = hashed ? (lru ? TLB_K_LIST : TLB_K_HPLRU)
		: !lru ? (k32 ? TLB_K_PLRU32 : TLB_K_PLRU)
		: t->ways <= TLB_PERM_WAYS ? (k32 ? TLB_K_PERM32 : TLB_K_PERM)
		: t->ways <= TLB_AGE_WAYS ? TLB_K_AGE : TLB_K_MTF;
	t->key = aligned_alloc(64, ((sizeof(*t->key) * t->entries + 63) / 64) * 64);
	t->val = aligned_alloc(64, ((sizeof(*t->val) * t->entries + 63) / 64) * 64);
	/* + 16: whole-vector tag loads (AGE keeps its tags in line) */
	t->tag = calloc((t->kind == TLB_K_AGE ? 0 : t->entries) + 16, 1);
	t->tree = calloc(t->sets, sizeof(*t->tree));
	if (TLB_KPERM(t->kind))
		t->order = calloc(t->sets, sizeof(*t->order));
	if (TLB_K32(t->kind)) {          /* + 4: whole-vector loads of the last set */
		t->key32 = aligned_alloc(64, ((sizeof(*t->key32) * (t->entries + 4) + 63) / 64) * 64);
		if (!t->key32)
			goto nomem;
		t->shift32 = (unsigned)__builtin_ctz(t->sets);
	}
	size_t line_bytes = (size_t)t->sets * 2 * tlb_age_lw(t->ways);
	if (t->kind == TLB_K_AGE && (t->line = aligned_alloc(64, line_bytes)))
		memset(t->line, 0, line_bytes);
	if (!t->key || !t->val || !t->tag || !t->tree || (TLB_KPERM(t->kind) && !t->order) ||
	    (t->kind == TLB_K_AGE && !t->line))
		goto nomem;
	for (unsigned f = 0; f < TLB_PERM_WAYS; f++) {
		t->p4.ones |= UINT64_C(1) << 4 * f;
		t->p4.lo |= UINT64_C(7) << 4 * f;
		if (f < t->ways)
			t->p4.full |= UINT64_C(15) << 4 * f;
	}
	if (hashed) {
		t->hbits = 1;
		while ((UINT64_C(1) << t->hbits) < (uint64_t)t->ways * TLB_HASH_LOAD)
			t->hbits++;
		t->hhead = malloc(sizeof(*t->hhead) << t->hbits);
		t->hnext = malloc(sizeof(*t->hnext) * t->entries);
		if (!t->hhead || !t->hnext)
			goto nomem;
	}
	if (t->kind == TLB_K_LIST) {
		t->prev = malloc(sizeof(*t->prev) * t->ways);
		t->next = malloc(sizeof(*t->next) * t->ways);
		if (!t->prev || !t->next)
			goto nomem;
	}
	if (!lru) {
		t->pmask = malloc(sizeof(*t->pmask) * t->ways);
		t->pbits = malloc(sizeof(*t->pbits) * t->ways);
		if (!t->pmask || !t->pbits)
			goto nomem;
		plru_paths(t);
	}
	t->impl = impl_for(t);
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
	free(t->val);
	free(t->tag);
	free(t->order);
	free(t->line);
	free(t->tree);
	free(t->hhead);
	free(t->hnext);
	free(t->pmask);
	free(t->pbits);
	free(t->prev);
	free(t->next);
	free(t->key32);
	memset(t, 0, sizeof(*t));
}

size_t tlb_insert_other(struct tlb *t, unsigned set, uint64_t key, uint32_t val,
			uint64_t *evicted)
{
	unsigned way = t->pol->fill_way(t, set);
	size_t slot = (size_t)set * t->ways + way;
	uint64_t ev = t->key[slot];
	if (ev == TLB_NOKEY)
		t->nvalid++;
	else if (t->hbits)
		tlb_hash_del(t, (uint32_t)slot);
	if (evicted)
		*evicted = ev;
	t->key[slot] = key;
	t->val[slot] = val;
	tlb_set_search(t, set, slot, key, t->kind, t->ways);
	if (t->hbits)
		tlb_hash_add(t, key, (uint32_t)slot);
	return t->pol->touch(t, set, way);
}

int tlb_invalidate(struct tlb *t, uint64_t key, uint64_t index)
{
	unsigned set;
	if (t->nvalid == 0)
		return 0;
	int way = tlb_where(t, key, index, &set);
	if (way < 0)
		return 0;
	if (t->hbits)
		tlb_hash_del(t, (uint32_t)((size_t)set * t->ways + (unsigned)way));
	size_t slot = t->pol->drop(t, set, (unsigned)way);
	t->key[slot] = TLB_NOKEY;
	if (t->key32)
		t->key32[slot] = TLB_NOKEY32;
	t->nvalid--;
	return 1;
}

void tlb_flush(struct tlb *t)
{
	if (t->entries == 0 || t->nvalid == 0)
		return;                         /* empty: nothing to clear */
	for (unsigned i = 0; i < t->entries; i++) {
		t->key[i] = TLB_NOKEY;
		t->val[i] = 0;
	}
	if (t->key32)                           /* (the padding too: never a key) */
		for (unsigned i = 0; i < t->entries + 4; i++)
			t->key32[i] = TLB_NOKEY32;
	memset(t->tree, 0, sizeof(*t->tree) * t->sets);
	uint64_t id4 = 0;                       /* PERM: ways 0..ways-1 in order, all invalid */
	for (unsigned w = t->ways; w-- > 0;)
		id4 = id4 << 4 | w;
	for (unsigned s = 0; s < t->sets; s++) {
		if (t->order)
			t->order[s] = (id4 & t->p4.full) | ~t->p4.full;
		if (t->line)                    /* AGE */
			tlb_ages_reset(tlb_age_ages(tlb_age_set(t, s, t->ways), t->ways), t->ways);
	}
	if (t->hhead)
		for (uint32_t i = 0; i < (UINT32_C(1) << t->hbits); i++)
			t->hhead[i] = TLB_NIL;
	if (t->prev)
		for (unsigned w = 0; w < t->ways; w++)
			t->prev[w] = t->next[w] = w;
	t->head = t->tail = TLB_NIL;
	t->nvalid = 0;
}
