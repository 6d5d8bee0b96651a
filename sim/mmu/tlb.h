/*
 * sim/mmu/tlb.h — one set-associative lookup structure, used for every cache
 * of the MMU model: L1 dTLBs, STLBs, paging-structure caches, the walk data
 * cache and the nested host TLB/PWC (internal to sim/mmu/).
 *
 * Invariants:
 * - sets * ways == entries; set index = index mod sets (index is the VPN or
 *   line number the caller supplies); a key appears at most once in its set.
 * - key TLB_NOKEY marks an invalid way. Lookup misses change no state; hits
 *   and inserts call the policy's touch; insert fills the lowest invalid way
 *   first, otherwise the policy's victim.
 * - Policies are function pointers with a printable name (CONVENTIONS §5).
 *   "lru": exact LRU by use stamps. "plru": tree pseudo-LRU, ways a power of
 *   two; each touch points every node on the way's path away from it.
 */
#ifndef SIM_MMU_TLB_H
#define SIM_MMU_TLB_H

#include <stddef.h>
#include <stdint.h>

#include "sim/mmu/mmu.h"

#define TLB_NOKEY UINT64_MAX /* key of an invalid way */

struct tlb;

/* One way: key, payload and LRU stamp side by side (one cache line per 4 ways). */
struct tlb_way {
	uint64_t key;    /* TLB_NOKEY = invalid */
	uint32_t val;    /* payload */
	uint32_t stamp;  /* last-use stamp (lru) */
};

/* A replacement policy. */
struct tlb_policy {
	const char *name;                                        /* "lru", "plru" */
	void (*touch)(struct tlb *t, unsigned set, unsigned way); /* way used */
	unsigned (*victim)(const struct tlb *t, unsigned set);    /* way to evict (all valid) */
};

struct tlb {
	/* config */
	unsigned entries;               /* total entries (0: absent, every lookup misses) */
	unsigned ways;                  /* associativity */
	const struct tlb_policy *pol;   /* replacement policy */
	/* derived */
	unsigned sets;                  /* entries / ways */
	uint64_t set_mask;              /* sets - 1 when sets is a power of two, else 0 */
	int sets_pow2;                  /* 1: index with set_mask, 0: with % sets */
	/* state */
	struct tlb_way *way;            /* [entries] set-major: way w of set s at s*ways+w */
	uint64_t *tree;                 /* [sets] PLRU node bits (plru) */
	uint32_t clock;                 /* use counter for stamps (renumbered before wrapping) */
	uint32_t *rank_tmp;             /* [ways] scratch for renumbering */
	uint64_t nvalid;                /* valid ways now */
};

/* Policy by name; NULL when unknown. */
const struct tlb_policy *tlb_policy_find(const char *name);
/* Check a geometry; -EINVAL with "what: value limit" in err. */
int tlb_geom_check(const struct mmu_cache_geom *g, const char *what, char *err, size_t errlen);
/* Allocate a structure of geometry g (entries 0 allowed). 0, -EINVAL, -ENOMEM. */
int tlb_init(struct tlb *t, const struct mmu_cache_geom *g);
void tlb_fini(struct tlb *t);

static inline unsigned tlb_set(const struct tlb *t, uint64_t index)
{
	return t->sets_pow2 ? (unsigned)(index & t->set_mask) : (unsigned)(index % t->sets);
}

/* Way of key in the set starting at k, or -1. No early exit: the loop has
   no data-dependent branch (conditional moves), so random hits in wide sets
   do not cost branch mispredictions. */
static inline int tlb_find_way(const struct tlb_way *k, unsigned ways, uint64_t key)
{
	int found = -1;
	for (unsigned w = 0; w < ways; w++)
		found = k[w].key == key ? (int)w : found;
	return found;
}

/* Slot (set * ways + way) holding key in the set of index, touched; -1 on a miss. */
static inline int tlb_lookup(struct tlb *t, uint64_t key, uint64_t index)
{
	if (t->nvalid == 0)
		return -1;
	unsigned set = tlb_set(t, index);
	int w = tlb_find_way(t->way + (size_t)set * t->ways, t->ways, key);
	if (w < 0)
		return -1;
	t->pol->touch(t, set, (unsigned)w);
	return (int)(set * t->ways + (unsigned)w);
}

/* Slot holding key, without touching; -1 on a miss. */
int tlb_probe(const struct tlb *t, uint64_t key, uint64_t index);
/*
 * Insert key (not present) with payload val; returns its slot, or -1 when the
 * structure is absent. *evicted (may be NULL) gets the key displaced or TLB_NOKEY.
 */
int tlb_insert(struct tlb *t, uint64_t key, uint64_t index, uint32_t val, uint64_t *evicted);
/* Lookup, and insert with payload val on a miss: 1 on a hit, 0 on a miss. */
int tlb_access(struct tlb *t, uint64_t key, uint64_t index, uint32_t val);
/* Invalidate key if present; returns 1 if it was. */
int tlb_invalidate(struct tlb *t, uint64_t key, uint64_t index);
/* Invalidate everything. */
void tlb_flush(struct tlb *t);

#endif /* SIM_MMU_TLB_H */
