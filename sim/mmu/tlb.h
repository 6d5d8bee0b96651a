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
 * - Layout for speed, not for results: keys sit in their own array (a set's
 *   keys are contiguous, so the compare loop vectorises), payload and stamp
 *   beside it. A fully associative structure of at least TLB_HASH_WAYS ways
 *   also keeps a hash of its keys (key -> slot, linear probing, at most 1/4
 *   full) and, with "lru", its valid ways on a recency list (head = most
 *   recent, tail = victim): the same order as the stamps, kept in O(1)
 *   instead of a scan of every stamp. Which representation is used never
 *   changes a hit, a miss or a victim.
 */
#ifndef SIM_MMU_TLB_H
#define SIM_MMU_TLB_H

#include <stddef.h>
#include <stdint.h>

#include "sim/mmu/mmu.h"

#define TLB_NOKEY UINT64_MAX /* key of an invalid way */
#define TLB_HASH_WAYS 16     /* fully associative with this many ways or more: hashed */
#define TLB_NIL UINT32_MAX   /* end of the recency list */

struct tlb;

/* One way's payload and LRU stamp (its key is in tlb.key at the same slot). */
struct tlb_way {
	uint32_t val;    /* payload */
	uint32_t stamp;  /* last-use stamp (lru) */
};

/* One bucket of the key hash of a fully associative structure. */
struct tlb_bucket {
	uint64_t key;    /* TLB_NOKEY = empty */
	uint32_t slot;   /* way holding key */
	uint32_t home;   /* tlb_hpos(key): where its probe sequence starts */
};

/* A replacement policy. */
struct tlb_policy {
	const char *name;                                        /* "lru", "plru" */
	void (*touch)(struct tlb *t, unsigned set, unsigned way); /* way used */
	unsigned (*victim)(const struct tlb *t, unsigned set);    /* way to evict (all valid) */
	void (*drop)(struct tlb *t, unsigned set, unsigned way);  /* way invalidated (NULL: nothing) */
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
	unsigned hbits;                 /* log2 of the hash size; 0 = not hashed */
	int pol_stamp;                  /* 1: policy is stamp "lru" (touch done inline) */
	int pol_plru;                   /* 1: policy is "plru" (touch done inline) */
	uint64_t *pmask, *pbits;        /* [ways] plru: tree nodes a touch of the way
					   writes, and the values written */
	/* state */
	uint64_t *key;                  /* [entries] set-major: way w of set s at s*ways+w */
	struct tlb_way *way;            /* [entries] payload and stamp, same indexing */
	uint64_t *tree;                 /* [sets] PLRU node bits (plru) */
	uint32_t clock;                 /* use counter for stamps (renumbered before wrapping) */
	uint32_t *rank_tmp;             /* [ways] scratch for renumbering */
	uint64_t nvalid;                /* valid ways now */
	struct tlb_bucket *hash;        /* [1 << hbits] key -> slot (hashed only) */
	uint32_t *hidx;                 /* [entries] bucket holding each valid slot's key */
	uint32_t *prev, *next;          /* [ways] recency list links (hashed lru); a way
					   off the list links to itself */
	uint32_t head, tail;            /* most and least recently used way, TLB_NIL */
};

/* Policy by name; NULL when unknown. */
const struct tlb_policy *tlb_policy_find(const char *name);
/* Check a geometry; -EINVAL with "what: value limit" in err. */
int tlb_geom_check(const struct mmu_cache_geom *g, const char *what, char *err, size_t errlen);
/* Allocate a structure of geometry g (entries 0 allowed). 0, -EINVAL, -ENOMEM. */
int tlb_init(struct tlb *t, const struct mmu_cache_geom *g);
void tlb_fini(struct tlb *t);

/* The stamp-LRU touch, inline on the hot paths (renumbers before wrapping). */
void tlb_lru_renumber(struct tlb *t);
static inline void tlb_lru_touch(struct tlb *t, unsigned set, unsigned way)
{
	if (t->clock == UINT32_MAX)
		tlb_lru_renumber(t);
	t->way[(size_t)set * t->ways + way].stamp = ++t->clock;
}

/* The PLRU touch: point every node on the way's path away from it. */
static inline void tlb_plru_touch(struct tlb *t, unsigned set, unsigned way)
{
	t->tree[set] = (t->tree[set] & ~t->pmask[way]) | t->pbits[way];
}

/* The policy's touch, inline for the two named policies. */
static inline void tlb_touch(struct tlb *t, unsigned set, unsigned way)
{
	if (t->pol_stamp)
		tlb_lru_touch(t, set, way);
	else if (t->pol_plru)
		tlb_plru_touch(t, set, way);
	else
		t->pol->touch(t, set, way);
}

static inline unsigned tlb_set(const struct tlb *t, uint64_t index)
{
	return t->sets_pow2 ? (unsigned)(index & t->set_mask) : (unsigned)(index % t->sets);
}

static inline uint32_t tlb_hpos(const struct tlb *t, uint64_t key)
{
	return (uint32_t)((key * UINT64_C(0x9e3779b97f4a7c15)) >> (64 - t->hbits));
}

/* Slot of key in a hashed structure, or -1. */
static inline int tlb_hash_find(const struct tlb *t, uint64_t key)
{
	uint32_t mask = (UINT32_C(1) << t->hbits) - 1;
	for (uint32_t i = tlb_hpos(t, key);; i = (i + 1) & mask) {
		const struct tlb_bucket *b = &t->hash[i];
		if (b->key == key)
			return (int)b->slot;
		if (b->key == TLB_NOKEY)
			return -1;
	}
}

/* Way of key in the set whose keys start at k, or -1. No early exit and no
   data-dependent branch, so random hits in wide sets cost no misprediction;
   the common widths get a constant trip count (unrolled, vectorised). */
static inline int tlb_find_way(const uint64_t *k, unsigned ways, uint64_t key)
{
	int found = -1;
#define TLB_FIND(n)                                                 \
	for (unsigned w = 0; w < (n); w++)                          \
		found = k[w] == key ? (int)w : found;               \
	return found
	switch (ways) {
	case 4: TLB_FIND(4);
	case 8: TLB_FIND(8);
	case 16: TLB_FIND(16);
	default: TLB_FIND(ways);
	}
#undef TLB_FIND
}

/* Set and way of key, or -1 (set filled in either way unless hashed). */
static inline int tlb_where(const struct tlb *t, uint64_t key, uint64_t index, unsigned *set)
{
	if (t->hbits) {
		*set = 0;
		return tlb_hash_find(t, key);
	}
	*set = tlb_set(t, index);
	return tlb_find_way(t->key + (size_t)*set * t->ways, t->ways, key);
}

/* Slot (set * ways + way) holding key in the set of index, touched; -1 on a miss. */
static inline int tlb_lookup(struct tlb *t, uint64_t key, uint64_t index)
{
	if (t->nvalid == 0)
		return -1;
	unsigned set;
	int w = tlb_where(t, key, index, &set);
	if (w < 0)
		return -1;
	tlb_touch(t, set, (unsigned)w);
	return (int)(set * t->ways + (unsigned)w);
}

/* Slot holding key, without touching; -1 on a miss. */
static inline int tlb_probe(const struct tlb *t, uint64_t key, uint64_t index)
{
	if (t->nvalid == 0)
		return -1;
	unsigned set;
	int w = tlb_where(t, key, index, &set);
	return w < 0 ? -1 : (int)(set * t->ways + (unsigned)w);
}

/* Way to fill in set (the lowest invalid one, else the policy's victim), and
   its hash bucket emptied when hashed. Out of line: only misses get here. */
unsigned tlb_fill_way(struct tlb *t, unsigned set);
/* Hash: add key at slot (hashed structures only). */
void tlb_hash_add(struct tlb *t, uint64_t key, uint32_t slot);

/* Write key and val into the way chosen by tlb_fill_way, touch it. */
static inline void tlb_fill(struct tlb *t, unsigned set, unsigned way, uint64_t key, uint32_t val)
{
	size_t slot = (size_t)set * t->ways + way;
	if (t->key[slot] == TLB_NOKEY)
		t->nvalid++;
	t->key[slot] = key;
	t->way[slot].val = val;
	if (t->hbits)
		tlb_hash_add(t, key, (uint32_t)slot);
	tlb_touch(t, set, way);
}

/*
 * Insert key (not present) with payload val; returns its slot, or -1 when the
 * structure is absent. *evicted (may be NULL) gets the key displaced or TLB_NOKEY.
 */
static inline int tlb_insert(struct tlb *t, uint64_t key, uint64_t index, uint32_t val,
			     uint64_t *evicted)
{
	if (evicted)
		*evicted = TLB_NOKEY;
	if (t->entries == 0)
		return -1;
	unsigned set = tlb_set(t, index);
	unsigned way = tlb_fill_way(t, set);
	size_t slot = (size_t)set * t->ways + way;
	if (evicted)
		*evicted = t->key[slot];
	tlb_fill(t, set, way, key, val);
	return (int)slot;
}

/* Lookup, and insert with payload val on a miss: 1 on a hit, 0 on a miss. */
static inline int tlb_access(struct tlb *t, uint64_t key, uint64_t index, uint32_t val)
{
	if (t->entries == 0)
		return 0;
	unsigned set;
	int hit = tlb_where(t, key, index, &set);
	if (hit >= 0) {
		tlb_touch(t, set, (unsigned)hit);
		return 1;
	}
	tlb_fill(t, set, tlb_fill_way(t, set), key, val);
	return 0;
}

/* Invalidate key if present; returns 1 if it was. */
int tlb_invalidate(struct tlb *t, uint64_t key, uint64_t index);
/* Invalidate everything. */
void tlb_flush(struct tlb *t);

/* Hint: bring the set of index (its keys) into the host cache. No state changes. */
static inline void tlb_prefetch(const struct tlb *t, uint64_t index)
{
	if (t->entries == 0 || t->hbits)
		return;
	const uint64_t *k = t->key + (size_t)tlb_set(t, index) * t->ways;
	__builtin_prefetch(k);
	__builtin_prefetch(&t->way[k - t->key]);
}

#endif /* SIM_MMU_TLB_H */
