/*
 * sim/mmu/tlb.h — one set-associative lookup structure, used for every cache
 * of the MMU model: L1 dTLBs, STLBs, paging-structure caches, the walk data
 * cache and the nested host TLB/PWC (internal to sim/mmu/).
 *
 * Invariants:
 * - sets * ways == entries; set index = index mod sets (index is the VPN or
 *   line number the caller supplies); a key appears at most once in its set.
 * - key TLB_NOKEY marks an invalid way. Lookup misses change no state; hits
 *   and inserts touch the way; insert fills an invalid way first, otherwise
 *   the policy's victim.
 * - Policies are tables of function pointers with a printable name
 *   (CONVENTIONS §5). "lru": exact LRU. "plru": tree pseudo-LRU, ways a power
 *   of two, each touch points every node on the way's path away from it,
 *   fills take the lowest invalid way.
 * - Representations, chosen by tlb_init for speed, never for results (tests/
 *   test_tlb.c checks each against a plain reference):
 *   TLB_K_PERM   "lru", not hashed, at most 16 ways: keys stay in their ways;
 *                each set's recency order is a 64-bit word of 4-bit way
 *                numbers (position 0 = most recent; invalid ways last,
 *                unused positions 0xf). A touch moves a nibble to the front,
 *                the victim is the nibble at position ways-1: O(1), no scan.
 *   TLB_K_AGE    "lru", 17 to 32 ways: each set is one 64-byte block of lw
 *                bytes of tags then lw bytes of ages (lw = ways rounded up to
 *                16), so a lookup and its update read one host cache line
 *                besides the key. age[w] is way w's recency position (0 =
 *                most recent; invalid ways hold the highest, unused lanes
 *                127); a touch ages the younger ways by one and zeroes its
 *                own (16 lanes per SSE2 step), the victim is the way of age
 *                ways-1.
 *   TLB_K_MTF    "lru", not hashed, more ways: each set kept in recency order
 *                (keys move: a hit moves its key to the front, an insert
 *                shifts the set down one and drops the last way). A slot
 *                number is valid only until the next change of its set.
 *   TLB_K_PLRU   "plru", not hashed: keys stay in their ways, a tree of node
 *                bits per set.
 *   TLB_K_PLRU32, TLB_K_PERM32  PLRU and PERM for keys known to be below
 *                2^(31 + log2 sets) (tlb_init_bounded): a set is searched by
 *                its keys' bits above the set index as 32-bit numbers
 *                (key32), compared exactly, 4 per SSE2 step: no tag, no false
 *                match, no second load.
 *   TLB_K_LIST   "lru", fully associative with more than TLB_AGE_WAYS ways: a key
 *                hash (bucket -> chain of slots) and the valid ways on a
 *                recency list (head = most recent, tail = victim).
 *   TLB_K_HPLRU  "plru", fully associative with >= TLB_HASH_WAYS ways: the key
 *                hash and the PLRU tree.
 *   Not hashed, a set is searched by 8-bit tags (a hash of each key, 16 ways
 *   compared at once with SSE2, 8 per 64-bit word without or with
 *   -DTLB_NO_SIMD), the full key checked on a tag match. Keys,
 *   tags and payloads sit in their own arrays; the named policies are
 *   dispatched inline by kind.
 */
#ifndef SIM_MMU_TLB_H
#define SIM_MMU_TLB_H

#include <stddef.h>
#include <stdint.h>
#if defined(__SSE2__) && !defined(TLB_NO_SIMD)
#define TLB_SSE2 1
#include <emmintrin.h>
#endif

#include "sim/mmu/mmu.h"

#define TLB_AI static inline __attribute__((always_inline))

#define TLB_NOKEY UINT64_MAX /* key of an invalid way */
#define TLB_HASH_WAYS 16     /* plru, fully associative with this many ways or more: hashed */
#define TLB_HASH_LOAD 8      /* hash buckets per way (chains stay short) */
#define TLB_NIL UINT32_MAX   /* end of a chain or of the recency list */
#define TLB_NOKEY32 UINT32_MAX /* key32 of an invalid way (key32 kinds, wcache.h) */

struct tlb;

/* Representation (see the file comment). */
enum tlb_kind { TLB_K_NONE, TLB_K_PERM, TLB_K_AGE, TLB_K_MTF, TLB_K_PLRU, TLB_K_LIST,
		TLB_K_HPLRU, TLB_K_PLRU32, TLB_K_PERM32 };
/* Kinds searched by key32 / kept in PERM order. */
#define TLB_K32(K) ((K) == TLB_K_PLRU32 || (K) == TLB_K_PERM32)
#define TLB_KPERM(K) ((K) == TLB_K_PERM || (K) == TLB_K_PERM32)

#define TLB_PERM_WAYS 16     /* TLB_K_PERM: a way number per nibble of a 64-bit word */
#define TLB_AGE_WAYS 32      /* TLB_K_AGE: a byte of age per way, 16 per SSE2 step */

/* A replacement policy: the operations on one set, for any representation
   of that policy; the hot paths below inline them by kind. */
struct tlb_policy {
	const char *name;                                          /* "lru", "plru" */
	/* way used: returns the slot now holding its key (MTF moves it) */
	size_t (*touch)(struct tlb *t, unsigned set, unsigned way);
	/* way to fill in a set (an invalid way first) */
	unsigned (*fill_way)(const struct tlb *t, unsigned set);
	/* invalidate way: returns the slot whose key the caller clears */
	size_t (*drop)(struct tlb *t, unsigned set, unsigned way);
};

/* The operations of one structure, specialised by tlb_init for its kind
   and ways when they are common ones (tlb.c), else the generic ones. */
struct tlb_impl {
	int (*lookup)(struct tlb *t, uint64_t key, uint64_t index);
	int (*access)(struct tlb *t, uint64_t key, uint64_t index, uint32_t val);
	int (*insert)(struct tlb *t, uint64_t key, uint64_t index, uint32_t val,
		      uint64_t *evicted);
};

struct tlb {
	/* config */
	unsigned entries;               /* total entries (0: absent, every lookup misses) */
	unsigned ways;                  /* associativity */
	const struct tlb_policy *pol;   /* replacement policy */
	/* derived */
	enum tlb_kind kind;             /* representation */
	const struct tlb_impl *impl;    /* its operations (see struct tlb_impl) */
	unsigned sets;                  /* entries / ways */
	uint64_t set_mask;              /* sets - 1 when sets is a power of two, else 0 */
	int sets_pow2;                  /* 1: index with set_mask, 0: with % sets */
	unsigned hbits;                 /* log2 of the hash size; 0 = not hashed */
	uint64_t *pmask, *pbits;        /* [ways] plru: tree nodes a touch of the way
					   writes, and the values written */
	struct { uint64_t ones, lo, full; } p4;          /* PERM field masks: 1 in each
							    field, low bits of each
							    field, fields 0..ways-1 */
	/* state */
	uint64_t *key;                  /* [entries] set-major: way w of set s at s*ways+w */
	uint32_t *val;                  /* [entries] payload, same indexing */
	uint8_t *tag;                   /* [entries + 16] tlb_tag of each key (not hashed,
					   not AGE) */
	uint64_t *order;                /* [sets] recency order (TLB_K_PERM only) */
	uint8_t *line;                  /* [sets * 2 * lw] TLB_K_AGE: per set lw tags,
					   then lw ages (tlb_age_lw) */
	uint64_t *tree;                 /* [sets] PLRU node bits (plru) */
	uint32_t *key32;                /* [entries + 4] key32 kinds (TLB_K32): key >> shift32
					   of each way, TLB_NOKEY32 when invalid */
	unsigned shift32;               /* key32 kinds: log2(sets) */
	uint64_t nvalid;                /* valid ways now */
	uint32_t *hhead;                /* [1 << hbits] first slot of each bucket's chain,
					   TLB_NIL when empty (hashed only) */
	uint32_t *hnext;                /* [entries] next slot in the same chain */
	uint32_t *prev, *next;          /* [ways] recency list links (TLB_K_LIST); a way
					   off the list links to itself */
	uint32_t head, tail;            /* most and least recently used way, TLB_NIL */
};

/* Policy by name; NULL when unknown. */
const struct tlb_policy *tlb_policy_find(const char *name);
/* Check a geometry; -EINVAL with "what: value limit" in err. */
int tlb_geom_check(const struct mmu_cache_geom *g, const char *what, char *err, size_t errlen);
/* Allocate a structure of geometry g (entries 0 allowed). 0, -EINVAL, -ENOMEM. */
int tlb_init(struct tlb *t, const struct mmu_cache_geom *g);
/* tlb_init for keys below 2^key_bits (a representation may use the bound). */
int tlb_init_bounded(struct tlb *t, const struct mmu_cache_geom *g, unsigned key_bits);
void tlb_fini(struct tlb *t);

static inline unsigned tlb_set(const struct tlb *t, uint64_t index)
{
	return t->sets_pow2 ? (unsigned)(index & t->set_mask) : (unsigned)(index % t->sets);
}

/* AGE: lanes per half of a set's block (ways rounded up to 16), the block
   (its tags first), and the block's ages. */
static inline unsigned tlb_age_lw(unsigned W) { return (W + 15) & ~15u; }
static inline uint8_t *tlb_age_set(const struct tlb *t, unsigned set, unsigned W)
{
	return t->line + (size_t)set * 2 * tlb_age_lw(W);
}
static inline int8_t *tlb_age_ages(uint8_t *blk, unsigned W)
{
	return (int8_t *)(blk + tlb_age_lw(W));
}

/* The tags of a set (not hashed): in its AGE block, else in t->tag. */
static inline uint8_t *tlb_set_tags(const struct tlb *t, unsigned set, enum tlb_kind K,
				    unsigned W)
{
	return K == TLB_K_AGE ? tlb_age_set(t, set, W) : t->tag + (size_t)set * W;
}

static inline uint32_t tlb_hpos(const struct tlb *t, uint64_t key)
{
	return (uint32_t)((key * UINT64_C(0x9e3779b97f4a7c15)) >> (64 - t->hbits));
}

/* Slot of key in a hashed structure, or -1. */
static inline int tlb_hash_find(const struct tlb *t, uint64_t key)
{
	for (uint32_t s = t->hhead[tlb_hpos(t, key)]; s != TLB_NIL; s = t->hnext[s])
		if (t->key[s] == key)
			return (int)s;
	return -1;
}

static inline uint8_t tlb_tag(uint64_t key)
{
	return (uint8_t)((key * UINT64_C(0xff51afd7ed558ccd)) >> 56);
}

/* Bit 7 of each byte of x that is zero (exact: no false positives). */
static inline uint64_t tlb_zero_bytes(uint64_t x)
{
	const uint64_t lo7 = UINT64_C(0x7f7f7f7f7f7f7f7f);
	return ~(((x & lo7) + lo7) | x | lo7);
}

/* Bit w set for each of the 16 tags at tag equal to tg. */
static inline uint32_t tlb_tag_match16(const uint8_t *tag, uint8_t tg)
{
#ifdef TLB_SSE2
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)tag);
	__m128i b = _mm_set1_epi32((int)(tg * UINT32_C(0x01010101)));  /* movd + pshufd */
	return (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, b));
#else
	uint32_t m = 0;
	for (unsigned h = 0; h < 16; h += 8) {   /* 8 tags per word */
		uint64_t x, z;
		__builtin_memcpy(&x, tag + h, 8);
		z = tlb_zero_bytes(x ^ tg * UINT64_C(0x0101010101010101));
		for (; z; z &= z - 1)
			m |= UINT32_C(1) << (h + ((unsigned)__builtin_ctzll(z) >> 3));
	}
	return m;
#endif
}

/* Bit w set for each of the first ways (at most 32) tags equal to tg. */
static inline uint32_t tlb_tag_mask32(const uint8_t *tag, uint8_t tg, unsigned ways)
{
	uint32_t m = tlb_tag_match16(tag, tg);
	if (ways > 16)
		m |= tlb_tag_match16(tag + 16, tg) << 16;
	if (ways < 32)
		m &= (UINT32_C(1) << ways) - 1;
	return m;
}

/* Way of key among the ways tags and keys at tag/key, or -1: 16 tags
   compared at once, then the key on a tag match. */
static inline int tlb_find_n(const uint8_t *tag, const uint64_t *key, unsigned ways,
			     uint64_t k)
{
	uint8_t tg = tlb_tag(k);
	if (ways <= 32) {      /* one mask for the whole set: no branch on which half */
		for (uint32_t m = tlb_tag_mask32(tag, tg, ways); m; m &= m - 1) {
			unsigned w = (unsigned)__builtin_ctz(m);
			if (key[w] == k)
				return (int)w;
		}
		return -1;
	}
	for (unsigned w0 = 0; w0 < ways; w0 += 16) {
		uint32_t m = tlb_tag_match16(tag + w0, tg);
		if (ways - w0 < 16)
			m &= (UINT32_C(1) << (ways - w0)) - 1;
		for (; m; m &= m - 1) {
			unsigned w = w0 + (unsigned)__builtin_ctz(m);
			if (key[w] == k)
				return (int)w;
		}
	}
	return -1;
}

/* Bit w set when k[w] == key, for the first W (at most 32) 32-bit keys at k
   (readable up to W rounded up to 4). */
TLB_AI uint32_t tlb_key32_match(const uint32_t *k, uint32_t key, unsigned W)
{
	uint32_t m = 0;
#ifdef TLB_SSE2
	const __m128i kv = _mm_set1_epi32((int)key);
	const unsigned kw = (W + 3) & ~3u;
	unsigned c = 0;
#define TLB_EQ32(i) _mm_cmpeq_epi32(_mm_loadu_si128((const __m128i *)(const void *)(k + 4 * (i))), kv)
	for (; 4 * c + 16 <= kw; c += 4) {     /* 16 keys: two packs, one movemask */
		__m128i p = _mm_packs_epi16(_mm_packs_epi32(TLB_EQ32(c), TLB_EQ32(c + 1)),
					    _mm_packs_epi32(TLB_EQ32(c + 2), TLB_EQ32(c + 3)));
		m |= (uint32_t)_mm_movemask_epi8(p) << (4 * c);
	}
	for (; 4 * c < kw; c++)
		m |= (uint32_t)_mm_movemask_ps(_mm_castsi128_ps(TLB_EQ32(c))) << (4 * c);
#undef TLB_EQ32
	if (W % 4)
		m &= (UINT32_C(1) << W) - 1;
#else
	for (unsigned w = 0; w < W; w++)
		m |= (uint32_t)(k[w] == key) << w;
#endif
	return m;
}

/* tlb_find_n for an AGE set (17 to 32 ways), where a false tag match is
   frequent (ways/256) and unpredictable: one tag match is checked without
   a branch on the match itself, so the only branch taken is on a hit; two
   or more (rare) take tlb_find_n. */
TLB_AI int tlb_find_wide(const uint8_t *tag, const uint64_t *key, unsigned ways, uint64_t k)
{
	uint32_t m = tlb_tag_mask32(tag, tlb_tag(k), ways);
	if (__builtin_expect((m & (m - 1)) != 0, 0))
		return tlb_find_n(tag, key, ways, k);
	unsigned w = (unsigned)__builtin_ctz(m | UINT32_C(1) << (ways - 1));  /* a way to read */
	return ((m != 0) & (key[w] == k)) ? (int)w : -1;
}

/* Hash upkeep (hashed kinds): slot's key enters / leaves its bucket's chain
   (hash_del before the slot's key is overwritten). */
static inline void tlb_hash_add(struct tlb *t, uint64_t key, uint32_t slot)
{
	uint32_t *head = &t->hhead[tlb_hpos(t, key)];
	t->hnext[slot] = *head;
	*head = slot;
}

static inline void tlb_hash_del(struct tlb *t, uint32_t slot)
{
	uint32_t *p = &t->hhead[tlb_hpos(t, t->key[slot])];
	while (*p != slot)
		p = &t->hnext[*p];
	*p = t->hnext[slot];
}

/*
 * The operations below take the representation K and the ways W as
 * arguments: called with t->kind and t->ways they serve any structure;
 * called with constants (tlb.c's specialised implementations) the compiler
 * folds every dispatch and loop bound away. P2: sets known to be a power
 * of two.
 */

/* Set and way of key, or -1 (set filled in either way; 0 when hashed). */
TLB_AI int tlb_where_kw(const struct tlb *t, uint64_t key, uint64_t index, unsigned *set,
			enum tlb_kind K, unsigned W, int P2)
{
	if (K == TLB_K_LIST || K == TLB_K_HPLRU) {
		*set = 0;
		return tlb_hash_find(t, key);
	}
	*set = P2 ? (unsigned)(index & t->set_mask) : tlb_set(t, index);
	if (TLB_K32(K)) {                /* exact: at most one match */
		uint32_t m = tlb_key32_match(t->key32 + (size_t)*set * W, (uint32_t)(key >> t->shift32), W);
		return m ? (int)__builtin_ctz(m) : -1;
	}
	if (K == TLB_K_AGE)
		return tlb_find_wide(tlb_set_tags(t, *set, K, W), t->key + (size_t)*set * W, W, key);
	return tlb_find_n(tlb_set_tags(t, *set, K, W), t->key + (size_t)*set * W, W, key);
}

static inline int tlb_where(const struct tlb *t, uint64_t key, uint64_t index, unsigned *set)
{
	return tlb_where_kw(t, key, index, set, t->kind, t->ways, 0);
}

/*
 * PERM: a set's recency order as 4-bit fields of a 64-bit word (way numbers;
 * position 0 = least significant field). Operations on an order word o, with
 * ones = 1 in every field and lo = the low 3 bits of every field; fields
 * past the last way hold all ones (never a way number), and so do the bits
 * above the last field.
 *  pos:    position of way (present exactly once): the field equal to way,
 *          found by the exact zero-field test on o ^ (way * ones).
 *  front:  the way at position p moves to position 0, those before it back one.
 *  rotate: the way at position last moves to position 0 (an insert).
 *  back:   the way at position p moves to position last (an invalidation).
 */
static inline unsigned tlb_perm4_pos(uint64_t o, unsigned way, uint64_t ones, uint64_t lo)
{
	uint64_t x = o ^ (uint64_t)way * ones;
	return (unsigned)__builtin_ctzll(~(((x & lo) + lo) | x | lo)) / 4;
}

static inline uint64_t tlb_perm4_front(uint64_t o, unsigned p, unsigned way)
{
	uint64_t below = (UINT64_C(1) << 4 * p) - 1, field = UINT64_C(15) << 4 * p;
	return (o & ~(below | field)) | (o & below) << 4 | way;
}

static inline uint64_t tlb_perm4_rotate(uint64_t o, unsigned last, uint64_t full)
{
	uint64_t v = (o >> 4 * last) & 15;
	return (((o << 4) | v) & full) | ~full;
}

static inline uint64_t tlb_perm4_back(uint64_t o, unsigned p, unsigned last, unsigned way,
				      uint64_t full)
{
	if (p == last)
		return o;
	uint64_t below = (UINT64_C(1) << 4 * p) - 1;
	o = (o & below) | (o >> 4 * (p + 1)) << 4 * p;
	o = (o & ~(UINT64_C(15) << 4 * last)) | (uint64_t)way << 4 * last;
	return (o & full) | ~full;
}

/* PERM: way moves to the front (positions before it move back one). */
static inline void tlb_perm_touch(struct tlb *t, unsigned set, unsigned way)
{
	uint64_t o = t->order[set];
	if ((o & 15) != way)
		t->order[set] = tlb_perm4_front(o, tlb_perm4_pos(o, way, t->p4.ones, t->p4.lo), way);
}

/* PERM: the way at the last position (invalid if any, else the LRU). */
static inline unsigned tlb_perm_victim(const struct tlb *t, unsigned set, unsigned W)
{
	return (unsigned)(t->order[set] >> 4 * (W - 1)) & 15;
}

/* AGE: note way as the set's most recent, in the spare tag lane when there
   is one (tlb_mru_way). */
TLB_AI void tlb_age_note(uint8_t *blk, unsigned way, unsigned W)
{
	if (W < tlb_age_lw(W))
		blk[tlb_age_lw(W) - 1] = (uint8_t)way;
}

/* Ages (AGE sets, and wcache.h): age[w] is way w's recency position, the
   ages of a set's W ways a permutation of 0..W-1, lanes up to tlb_age_lw(W)
   beyond the ways 127. Bit w set for the way of age W-1 (exactly one). */
TLB_AI uint32_t tlb_ages_oldest(const int8_t *age, unsigned W)
{
	uint32_t m = 0;
#ifdef TLB_SSE2
	const __m128i last = _mm_set1_epi8((char)(W - 1));
	for (unsigned h = 0; h < tlb_age_lw(W); h += 16)   /* all lanes: no branch on which holds it */
		m |= (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(
			     _mm_load_si128((const __m128i *)(const void *)(age + h)), last)) << h;
#else
	for (unsigned w = 0; w < W; w++)
		m |= (uint32_t)(age[w] == (int8_t)(W - 1)) << w;
#endif
	return m;
}

/* The way of age a becomes age 0, the ways younger than a age by one (no
   change when a is 0). A fill's victim has age W-1, a constant: no load of
   it and no wait for the victim's search. */
TLB_AI void tlb_ages_promote(int8_t *age, int8_t a, unsigned W)
{
#ifdef TLB_SSE2
	const __m128i av = _mm_set1_epi32((int)((uint8_t)a * UINT32_C(0x01010101)));  /* movd + pshufd */
	for (unsigned h = 0; h < tlb_age_lw(W); h += 16) {  /* one way has age a */
		__m128i v = _mm_load_si128((const __m128i *)(const void *)(age + h));
		__m128i is_a = _mm_cmpeq_epi8(v, av);
		v = _mm_sub_epi8(v, _mm_cmpgt_epi8(av, v));    /* younger: + 1 */
		_mm_store_si128((__m128i *)(void *)(age + h), _mm_andnot_si128(is_a, v));  /* it: 0 */
	}
#else
	for (unsigned w = 0; w < W; w++)
		age[w] = age[w] == a ? 0 : (int8_t)(age[w] + (age[w] < a));
#endif
}

/* Way becomes the most recent. */
TLB_AI void tlb_ages_touch(int8_t *age, unsigned way, unsigned W)
{
	tlb_ages_promote(age, age[way], W);
}

/* The initial ages: way w has age w (all invalid, the last filled first),
   lanes beyond the ways 127. */
static inline void tlb_ages_reset(int8_t *age, unsigned W)
{
	for (unsigned w = 0; w < tlb_age_lw(W); w++)
		age[w] = (int8_t)(w < W ? w : 127);
}

/* AGE: way becomes the set's most recent (its ages unchanged when it
   already is). */
TLB_AI void tlb_age_touch(uint8_t *blk, unsigned way, unsigned W)
{
	tlb_age_note(blk, way, W);
	if (tlb_age_ages(blk, W)[way] != 0)
		tlb_ages_touch(tlb_age_ages(blk, W), way, W);
}

/*
 * The way of a set most recently touched or filled, when the representation
 * says it without a search: PERM, the front of the order; AGE with a spare
 * tag lane (ways not a multiple of 16), the way each touch notes in the last
 * lane. The note can be stale only by naming a way since invalidated, whose
 * key is TLB_NOKEY. -1: not known.
 */
TLB_AI int tlb_mru_way(const struct tlb *t, unsigned set, enum tlb_kind K, unsigned W)
{
	if (TLB_KPERM(K))
		return (int)(t->order[set] & 15);
	if (K == TLB_K_AGE && W < tlb_age_lw(W))
		return tlb_age_set(t, set, W)[tlb_age_lw(W) - 1];
	return -1;
}

/* Slot of key when it is in its set's most recently used way, else -1 (sets
   a power of two). A hit there needs no touch: it changes no state. */
TLB_AI int tlb_mru_slot(const struct tlb *t, uint64_t key, uint64_t index, enum tlb_kind K,
			unsigned W)
{
	unsigned set = (unsigned)(index & t->set_mask);
	int w = tlb_mru_way(t, set, K, W);
	if (w < 0)
		return -1;
	size_t slot = (size_t)set * W + (unsigned)w;
	return t->key[slot] == key ? (int)slot : -1;
}

/* AGE: the way of age W-1 (invalid if any, else the LRU). */
TLB_AI unsigned tlb_age_victim(uint8_t *blk, unsigned W)
{
	return (unsigned)__builtin_ctz(tlb_ages_oldest(tlb_age_ages(blk, W), W));
}

/* MTF: move way w of the set at base to the front (slot base). */
static inline void tlb_mtf_front(struct tlb *t, size_t base, unsigned w)
{
	uint64_t k = t->key[base + w];
	uint32_t v = t->val[base + w];
	uint8_t g = t->tag[base + w];
	for (size_t i = base + w; i > base; i--) {
		t->key[i] = t->key[i - 1];
		t->val[i] = t->val[i - 1];
		t->tag[i] = t->tag[i - 1];
	}
	t->key[base] = k;
	t->val[base] = v;
	t->tag[base] = g;
}

/* PLRU touch: point every node on the way's path away from it. */
static inline void tlb_plru_touch(struct tlb *t, unsigned set, unsigned way)
{
	t->tree[set] = (t->tree[set] & ~t->pmask[way]) | t->pbits[way];
}

/* PLRU: the subtree (0..7, left to right) the node bits 0..6 (the tree's top
   three levels, nodes in heap order) lead to (tlb.c). */
extern const uint8_t tlb_plru_top3[128];

/* PLRU victim: follow the node bits from the root to the older leaf (the
   top three levels in one table lookup). */
TLB_AI unsigned tlb_plru_victim_w(const struct tlb *t, unsigned set, unsigned W)
{
	uint64_t bits = t->tree[set];
	unsigned node = 0, lo = 0, n = W;
	if (W >= 8) {
		unsigned sub = tlb_plru_top3[bits & 127];
		node = 7 + sub;
		n = W / 8;
		lo = sub * n;
	}
	while (n > 1) {
		unsigned half = n / 2;
		unsigned right = (unsigned)(bits >> node & 1);  /* right half is older */
		node = 2 * node + 1 + right;
		lo += right * half;
		n = half;
	}
	return lo;
}

/* Recency list (TLB_K_LIST): way becomes the head. */
void tlb_list_unlink(struct tlb *t, unsigned way);
static inline void tlb_list_touch(struct tlb *t, unsigned way)
{
	if (t->head == way)
		return;
	tlb_list_unlink(t, way);
	t->prev[way] = TLB_NIL;
	t->next[way] = t->head;
	if (t->head == TLB_NIL)
		t->tail = way;
	else
		t->prev[t->head] = way;
	t->head = way;
}

/* What a set's search reads for key, stored for the way at slot of set:
   its key32 (key32 kinds) or its tag. */
TLB_AI void tlb_set_search(struct tlb *t, unsigned set, size_t slot, uint64_t key,
			   enum tlb_kind K, unsigned W)
{
	if (TLB_K32(K))
		t->key32[slot] = (uint32_t)(key >> t->shift32);
	else
		tlb_set_tags(t, set, K, W)[slot - (size_t)set * W] = tlb_tag(key);
}

/* Touch way of set; returns the slot now holding its key. */
TLB_AI size_t tlb_touch_kw(struct tlb *t, unsigned set, unsigned way, enum tlb_kind K, unsigned W)
{
	size_t base = (size_t)set * W;
	switch (K) {
	case TLB_K_PERM:
	case TLB_K_PERM32:
		tlb_perm_touch(t, set, way);
		return base + way;
	case TLB_K_AGE:
		tlb_age_touch(tlb_age_set(t, set, W), way, W);
		return base + way;
	case TLB_K_MTF:
		if (way)
			tlb_mtf_front(t, base, way);
		return base;
	case TLB_K_PLRU:
	case TLB_K_PLRU32:
	case TLB_K_HPLRU:
		tlb_plru_touch(t, set, way);
		return base + way;
	case TLB_K_LIST:
		tlb_list_touch(t, way);
		return base + way;
	default:
		return t->pol->touch(t, set, way);
	}
}

/* Slot holding key in the set of index, touched; -1 on a miss. */
TLB_AI int tlb_lookup_kw(struct tlb *t, uint64_t key, uint64_t index, enum tlb_kind K,
			 unsigned W, int P2)
{
	unsigned set;
	int w = tlb_where_kw(t, key, index, &set, K, W, P2);
	if (w < 0)
		return -1;
	return (int)tlb_touch_kw(t, set, (unsigned)w, K, W);
}

/* Slot holding key, without touching; -1 on a miss. */
static inline int tlb_probe(const struct tlb *t, uint64_t key, uint64_t index)
{
	if (t->nvalid == 0)
		return -1;
	unsigned set;
	int w = tlb_where(t, key, index, &set);
	return w < 0 ? -1 : (int)((size_t)set * t->ways + (unsigned)w);
}

/* Insert of a key the caller found absent, through the policy's operations
   (out of line: the rare cases). Returns its slot. */
size_t tlb_insert_other(struct tlb *t, unsigned set, uint64_t key, uint32_t val,
			uint64_t *evicted);

/* Insert key (absent) into set with payload val; returns its slot. */
TLB_AI size_t tlb_insert_set_kw(struct tlb *t, unsigned set, uint64_t key, uint32_t val,
				uint64_t *evicted, enum tlb_kind K, unsigned W)
{
	size_t base = (size_t)set * W, slot;
	uint64_t ev;
	if (TLB_KPERM(K)) {
		slot = base + tlb_perm_victim(t, set, W);  /* invalid if any, else LRU */
		ev = t->key[slot];
		t->order[set] = tlb_perm4_rotate(t->order[set], W - 1, t->p4.full);  /* -> front */
	} else if (K == TLB_K_AGE) {
		uint8_t *blk = tlb_age_set(t, set, W);
		unsigned way = tlb_age_victim(blk, W);  /* invalid if any, else LRU */
		slot = base + way;
		ev = t->key[slot];
		tlb_age_note(blk, way, W);
		tlb_ages_promote(tlb_age_ages(blk, W), (int8_t)(W - 1), W);
	} else if (K == TLB_K_MTF) {
		slot = base;
		ev = t->key[base + W - 1];              /* last: invalid if any, else LRU */
		for (size_t i = base + W - 1; i > base; i--) {
			t->key[i] = t->key[i - 1];
			t->val[i] = t->val[i - 1];
			t->tag[i] = t->tag[i - 1];
		}
	} else if ((K == TLB_K_PLRU || K == TLB_K_PLRU32) && t->nvalid == t->entries) {
		unsigned way = tlb_plru_victim_w(t, set, W);  /* full: no invalid way to prefer */
		slot = base + way;
		ev = t->key[slot];
		tlb_plru_touch(t, set, way);
	} else if (K == TLB_K_LIST && t->nvalid == t->entries && W > 1) {
		unsigned way = t->tail;                 /* full: the least recently used */
		slot = way;
		ev = t->key[slot];
		tlb_hash_del(t, way);
		tlb_hash_add(t, key, way);
		uint32_t nt = t->prev[way];             /* the tail becomes the head */
		t->next[nt] = TLB_NIL;
		t->tail = nt;
		t->prev[way] = TLB_NIL;
		t->next[way] = t->head;
		t->prev[t->head] = way;
		t->head = way;
	} else {
		uint64_t e;          /* (not evicted itself: its address would escape) */
		slot = tlb_insert_other(t, set, key, val, &e);
		if (evicted)
			*evicted = e;
		return slot;
	}
	t->nvalid += ev == TLB_NOKEY;
	t->key[slot] = key;
	t->val[slot] = val;
	tlb_set_search(t, set, slot, key, K, W);
	if (evicted)
		*evicted = ev;
	return slot;
}

TLB_AI int tlb_insert_kw(struct tlb *t, uint64_t key, uint64_t index, uint32_t val,
			 uint64_t *evicted, enum tlb_kind K, unsigned W, int P2)
{
	unsigned set = K == TLB_K_LIST || K == TLB_K_HPLRU ? 0
		       : P2 ? (unsigned)(index & t->set_mask) : tlb_set(t, index);
	return (int)tlb_insert_set_kw(t, set, key, val, evicted, K, W);
}

TLB_AI int tlb_access_kw(struct tlb *t, uint64_t key, uint64_t index, uint32_t val,
			 enum tlb_kind K, unsigned W, int P2)
{
	unsigned set;
	int hit = tlb_where_kw(t, key, index, &set, K, W, P2);
	if (hit >= 0) {
		tlb_touch_kw(t, set, (unsigned)hit, K, W);
		return 1;
	}
	tlb_insert_set_kw(t, set, key, val, NULL, K, W);
	return 0;
}

/* Slot holding key in the set of index, touched; -1 on a miss. */
static inline int tlb_lookup(struct tlb *t, uint64_t key, uint64_t index)
{
	if (t->nvalid == 0)
		return -1;
	return t->impl->lookup(t, key, index);
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
	return t->impl->insert(t, key, index, val, evicted);
}

/* Lookup, and insert with payload val on a miss: 1 on a hit, 0 on a miss. */
static inline int tlb_access(struct tlb *t, uint64_t key, uint64_t index, uint32_t val)
{
	if (t->entries == 0)
		return 0;
	return t->impl->access(t, key, index, val);
}

/* Invalidate key if present; returns 1 if it was. */
int tlb_invalidate(struct tlb *t, uint64_t key, uint64_t index);
/* Invalidate everything. */
void tlb_flush(struct tlb *t);

/* Hint: bring the set of index (its tags, its first keys) into the host
   cache. No state changes. (Prefetching every key, payload and recency line
   of the set as well measured no faster.) */
static inline void tlb_prefetch(const struct tlb *t, uint64_t index)
{
	if (t->entries == 0 || t->hbits)
		return;
	unsigned set = tlb_set(t, index);
	if (t->key32) {                         /* key32 kinds: the set's key32 is the search */
		__builtin_prefetch(t->key32 + (size_t)set * t->ways);
		return;
	}
	__builtin_prefetch(tlb_set_tags(t, set, t->kind, t->ways));
	__builtin_prefetch(t->key + (size_t)set * t->ways);
}

#endif /* SIM_MMU_TLB_H */
