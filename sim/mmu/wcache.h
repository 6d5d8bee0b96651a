/*
 * sim/mmu/wcache.h — a compact exact-LRU representation of the walk data
 * cache (internal to sim/mmu/). Nothing reads the walk cache back but its
 * hit and miss counts, so this keeps only what decides them: per set, the
 * ways' line numbers and their recency. mmu.c uses it instead of a struct
 * tlb when wc_init accepts the geometry for the lines the cache will see;
 * the hits and misses are those of the struct tlb ("lru": tests/test_tlb.c
 * checks both against the plain reference).
 *
 * One 64-byte-aligned block of wc_stride(W) bytes per set:
 *   uint32_t key[kw]  the line's bits above the set index (line >> log2(sets),
 *                     below TLB_NOKEY32 by the bound wc_init checks), TLB_NOKEY32 when
 *                     the way is invalid or beyond the ways; kw = ways rounded up
 *                     to 4 (a lookup compares 4 keys per SSE2 step, exactly:
 *                     no tag, no second load)
 *   int8_t age[lw]    recency position, 0 = most recent; lanes beyond the ways
 *                     hold 127; lw = ways rounded up to 16
 *   uint8_t mru       the way used last (a hit there changes nothing)
 * Invariant: the ages of a set's ways are a permutation of 0..ways-1 and every
 * invalid way is older than every valid one (they start as age = way number,
 * all invalid, and a fill takes the oldest), so the way of age ways-1 is the
 * victim: an invalid way if any, else the least recently used. The way an
 * access uses is the matching one or that victim, chosen by masks (no branch
 * on the hit, a coin toss for random walks); the ways younger than it age by
 * one. Which invalid way a fill takes differs from struct tlb's choice (the
 * lowest); no count depends on it.
 */
#ifndef SIM_MMU_WCACHE_H
#define SIM_MMU_WCACHE_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim/mmu/tlb.h"

#define WC_WAYS 32            /* ways at most (ages: 32 byte lanes) */

struct wcache {
	/* config */
	unsigned ways;        /* associativity, 1..WC_WAYS */
	/* derived */
	unsigned shift;       /* log2(sets) */
	uint64_t set_mask;    /* sets - 1 */
	/* state */
	uint8_t *blk;         /* [sets * wc_stride(ways)] the set blocks (file comment) */
};

/* The block's layout: the ages after the keys (ways rounded up to 4), the
   mru byte after the ages (ways rounded up to 16); bytes per block, rounded
   up to 64. */
static inline size_t wc_ages_at(unsigned W) { return (size_t)((W + 3) & ~3u) * 4; }
static inline size_t wc_mru_at(unsigned W) { return wc_ages_at(W) + tlb_age_lw(W); }
static inline size_t wc_stride(unsigned W) { return (wc_mru_at(W) + 1 + 63) & ~(size_t)63; }

/*
 * A walk cache of geometry g for lines below line_limit: 0; -EINVAL when
 * this representation cannot hold it (policy other than "lru", more than
 * WC_WAYS ways, sets not a power of two, or too few of them for the keys of
 * those lines to stay below TLB_NOKEY32: use a struct tlb); -ENOMEM.
 */
static inline int wc_init(struct wcache *c, const struct mmu_cache_geom *g, uint64_t line_limit)
{
	memset(c, 0, sizeof(*c));
	if (strcmp(g->policy, "lru") != 0 || g->ways == 0 || g->ways > WC_WAYS || g->entries % g->ways)
		return -EINVAL;
	unsigned sets = g->entries / g->ways;
	if (!sets || (sets & (sets - 1)) || line_limit == 0 ||
	    (line_limit - 1) >> __builtin_ctz(sets) >= TLB_NOKEY32)
		return -EINVAL;
	const unsigned W = g->ways;
	const size_t stride = wc_stride(W);
	if (!(c->blk = aligned_alloc(64, sets * stride)))
		return -ENOMEM;
	c->ways = W;
	c->set_mask = sets - 1;
	c->shift = (unsigned)__builtin_ctz(sets);
	for (unsigned s = 0; s < sets; s++) {
		uint8_t *b = c->blk + s * stride;
		memset(b, 0xff, wc_ages_at(W));   /* TLB_NOKEY32 */
		memset(b + wc_ages_at(W), 0, stride - wc_ages_at(W));  /* mru 0, padding */
		tlb_ages_reset((int8_t *)(b + wc_ages_at(W)), W);
	}
	return 0;
}

static inline void wc_fini(struct wcache *c)
{
	free(c->blk);
	c->blk = NULL;
}

/* The block of line's set. */
static inline uint8_t *wc_block(const struct wcache *c, uint64_t line, unsigned W)
{
	return c->blk + (size_t)(line & c->set_mask) * wc_stride(W);
}

/*
 * One reference to line: 1 on a hit, 0 on a miss (the line then replaces the
 * set's victim). W is c->ways (a constant in specialised callers). hot: the
 * line is likely the set's most recent (upper table levels), so the mru byte
 * is tried first.
 */
TLB_AI int wc_access(struct wcache *c, uint64_t line, unsigned W, int hot)
{
	uint8_t *b = wc_block(c, line, W);
	uint32_t *k = (uint32_t *)(void *)b;
	int8_t *age = (int8_t *)(b + wc_ages_at(W));
	uint8_t *mru = b + wc_mru_at(W);
	const uint32_t key = (uint32_t)(line >> c->shift);
	if (hot && k[*mru] == key)
		return 1;
	uint32_t m = tlb_key32_match(k, key, W);  /* at most one: a set's keys are distinct */
	uint32_t hm = -(uint32_t)(m != 0);
	__asm__("" : "+r"(hm));         /* keep what follows free of branches on the hit */
	unsigned w = (unsigned)__builtin_ctz((m & hm) | (tlb_ages_oldest(age, W) & ~hm));
	tlb_ages_touch(age, w, W);
	k[w] = key;
	*mru = (uint8_t)w;
	return (int)(hm & 1);
}

#endif /* SIM_MMU_WCACHE_H */
