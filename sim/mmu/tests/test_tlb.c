/*
 * sim/mmu/tests/test_tlb.c — the set-associative structure and its
 * replacement policies against hit/miss/eviction sequences derived by hand
 * (derivations in the comments), plus geometry checks.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/mb.h"
#include "common/tap.h"
#include "sim/mmu/tlb.h"
#include "sim/mmu/wcache.h"

/* Access key k (index = key): 'H' on a hit, else insert and 'M'; *ev gets the victim. */
static char access1(struct tlb *t, uint64_t k, uint64_t *ev)
{
	*ev = TLB_NOKEY;
	if (tlb_lookup(t, k, k) >= 0)
		return 'H';
	tlb_insert(t, k, k, 0, ev);
	return 'M';
}

/* Run seq; write the H/M string and the evicted keys (-1 none) to out/evs. */
static void run(struct tlb *t, const uint64_t *seq, size_t n, char *out, int64_t *evs)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t ev;
		out[i] = access1(t, seq[i], &ev);
		evs[i] = ev == TLB_NOKEY ? -1 : (int64_t)ev;
	}
	out[n] = 0;
}

static void test_lru_2way(void)
{
	/*
	 * 4 entries, 2 ways -> 2 sets, set = key mod 2.
	 * Set 0 sees 0 2 0 4 2 0; set 1 sees 1 3 1 3.
	 *  0  M  set0 [0 -]
	 *  2  M  set0 [0 2]          LRU: 0
	 *  1  M  set1 [1 -]
	 *  0  H                      LRU: 2
	 *  4  M  evict 2 -> [0 4]    LRU: 0
	 *  3  M  set1 [1 3]          LRU: 1
	 *  1  H                      LRU: 3
	 *  2  M  evict 0 -> [2 4]    LRU: 4
	 *  0  M  evict 4 -> [2 0]    LRU: 2
	 *  3  H                      (set 1 untouched by set 0)
	 */
	static const uint64_t seq[] = { 0, 2, 1, 0, 4, 3, 1, 2, 0, 3 };
	static const int64_t want_ev[] = { -1, -1, -1, -1, 2, -1, -1, 0, 4, -1 };
	struct mmu_cache_geom g = { 4, 2, "lru" };
	struct tlb t;
	char hm[16];
	int64_t ev[16];
	tap_ok(tlb_init(&t, &g) == 0, "lru 4x2: init");
	run(&t, seq, MB_ARRAY_SIZE(seq), hm, ev);
	if (!tap_ok(strcmp(hm, "MMMHMMHMMH") == 0, "lru 4x2: hit/miss sequence"))
		tap_diag("got %s", hm);
	tap_ok(memcmp(ev, want_ev, sizeof(want_ev)) == 0, "lru 4x2: evicted keys 2, 0, 4");
	tlb_fini(&t);
}

/*
 * 4 ways, 1 set. Keys A..F = 10..15. Tree nodes n0 (root: ways 0-1 | 2-3),
 * n1 (0 | 1), n2 (2 | 3); bit 1 = right half older. Fills take the lowest
 * invalid way.
 *   A M way0  n0=1 n1=1 n2=0
 *   B M way1  n0=1 n1=0 n2=0
 *   C M way2  n0=0 n1=0 n2=1
 *   D M way3  n0=0 n1=0 n2=0
 *   A H way0  n0=1 n1=1 n2=0
 *   E M victim: n0=1 right, n2=0 left -> way2 = C; n0=0 n2=1
 *   B H way1  n0=1 n1=0 n2=1
 *   F M victim: right, n2=1 right -> way3 = D; n0=0 n2=0
 *   C M victim: n0=0 left, n1=0 left -> way0 = A; n0=1 n1=1
 *   A M victim: right, n2=0 left -> way2 = E
 * True LRU on the same sequence (recency after "A B C D A": B C D A):
 *   E evicts B, B evicts C, F evicts D, C evicts A, A evicts E.
 */
static void test_plru_vs_lru(void)
{
	enum { A = 10, B, C, D, E, F };
	static const uint64_t seq[] = { A, B, C, D, A, E, B, F, C, A };
	static const int64_t plru_ev[] = { -1, -1, -1, -1, -1, C, -1, D, A, E };
	static const int64_t lru_ev[] = { -1, -1, -1, -1, -1, B, C, D, A, E };
	char hm[16];
	int64_t ev[16];
	struct tlb t;

	struct mmu_cache_geom gp = { 4, 4, "plru" };
	tap_ok(tlb_init(&t, &gp) == 0 && strcmp(t.pol->name, "plru") == 0, "plru 4-way: init, name");
	run(&t, seq, MB_ARRAY_SIZE(seq), hm, ev);
	if (!tap_ok(strcmp(hm, "MMMMHMHMMM") == 0, "plru 4-way: hit/miss sequence"))
		tap_diag("got %s", hm);
	tap_ok(memcmp(ev, plru_ev, sizeof(plru_ev)) == 0, "plru 4-way: evicts C, D, A, E");
	tlb_fini(&t);

	struct mmu_cache_geom gl = { 4, 4, "lru" };
	tap_ok(tlb_init(&t, &gl) == 0 && strcmp(t.pol->name, "lru") == 0, "lru 4-way: init, name");
	run(&t, seq, MB_ARRAY_SIZE(seq), hm, ev);
	if (!tap_ok(strcmp(hm, "MMMMHMMMMM") == 0, "lru 4-way: hit/miss sequence"))
		tap_diag("got %s", hm);
	tap_ok(memcmp(ev, lru_ev, sizeof(lru_ev)) == 0, "lru 4-way: evicts B, C, D, A, E");
	tlb_fini(&t);
}

/*
 * PLRU with 8 ways, one set. Nodes n0 (0-3 | 4-7), n1 (0-1 | 2-3),
 * n2 (4-5 | 6-7), n3 (0|1), n4 (2|3), n5 (4|5), n6 (6|7). Filling ways 0..7
 * in order leaves every bit 0 (each node was last set by a way of its right
 * half), so the victim is left-left-left = way 0 (key 0), as LRU would pick.
 * Inserting key 8 there sets n0=1, n1=1, n3=1; the next victim is
 * n0 right, n2=0 left, n5=0 left = way 4 (key 4), where LRU would pick key 1.
 */
static void test_plru_sweep(void)
{
	struct mmu_cache_geom g = { 8, 8, "plru" };
	struct tlb t;
	uint64_t ev;
	tlb_init(&t, &g);
	for (uint64_t k = 0; k < 8; k++)
		tlb_insert(&t, k, k, 0, &ev);
	tlb_insert(&t, 8, 8, 0, &ev);
	tap_eq_u64(ev, 0, "plru 8-way: in-order sweep evicts way 0 first");
	tlb_insert(&t, 9, 9, 0, &ev);
	tap_eq_u64(ev, 4, "plru 8-way: next victim is way 4 (not LRU way 1)");
	tlb_fini(&t);
}

static void test_invalidate_flush(void)
{
	struct mmu_cache_geom g = { 8, 2, "lru" };
	struct tlb t;
	tlb_init(&t, &g);
	tlb_insert(&t, 5, 5, 7, NULL);
	tlb_insert(&t, 9, 9, 8, NULL);
	int s = tlb_probe(&t, 5, 5);
	tap_ok(s >= 0 && t.val[s] == 7, "payload kept with the key");
	tap_ok(tlb_invalidate(&t, 5, 5) == 1 && tlb_probe(&t, 5, 5) < 0, "invalidate removes the key");
	tap_ok(tlb_invalidate(&t, 5, 5) == 0, "invalidate of a missing key reports 0");
	tap_eq_u64(t.nvalid, 1, "one valid entry left");
	tlb_flush(&t);
	tap_ok(tlb_probe(&t, 9, 9) < 0 && t.nvalid == 0, "flush empties the structure");
	tlb_fini(&t);

	struct mmu_cache_geom none = { 0, 0, "lru" };
	tlb_init(&t, &none);
	tap_ok(tlb_insert(&t, 1, 1, 0, NULL) < 0 && tlb_lookup(&t, 1, 1) < 0,
	       "absent structure (0 entries) never hits");
	tlb_fini(&t);
}

static void test_nonpow2_sets(void)
{
	/* 12 entries, 4 ways -> 3 sets: keys 0, 3, 6, 9, 12 share set 0 */
	struct mmu_cache_geom g = { 12, 4, "lru" };
	struct tlb t;
	uint64_t ev;
	tlb_init(&t, &g);
	for (uint64_t k = 0; k <= 12; k += 3)
		tlb_insert(&t, k, k, 0, &ev);
	tap_eq_u64(ev, 0, "3 sets (index mod 3): fifth key of set 0 evicts the first");
	tap_ok(tlb_probe(&t, 1, 1) < 0 && tlb_probe(&t, 12, 12) >= 0, "mod indexing keeps sets apart");
	tlb_fini(&t);
}

static void test_geom_check(void)
{
	char err[160];
	struct mmu_cache_geom bad1 = { 10, 4, "lru" };
	tap_ok(tlb_geom_check(&bad1, "l1.4k", err, sizeof(err)) == -EINVAL &&
	       strstr(err, "l1.4k.ways: 4") != NULL, "ways not dividing entries: %s", err);
	struct mmu_cache_geom bad2 = { 12, 6, "plru" };
	tap_ok(tlb_geom_check(&bad2, "stlb", err, sizeof(err)) == -EINVAL &&
	       strstr(err, "power of two") != NULL, "plru needs power-of-two ways: %s", err);
	struct mmu_cache_geom bad3 = { 8, 2, "fifo" };
	tap_ok(tlb_geom_check(&bad3, "stlb", err, sizeof(err)) == -EINVAL &&
	       strstr(err, "'fifo'") != NULL, "unknown policy named: %s", err);
	tap_ok(tlb_policy_find("lru") && tlb_policy_find("plru") && !tlb_policy_find("x"),
	       "policies found by name");
}

/*
 * Differential check of the fast representations (move-to-front sets, key
 * hash, recency list, inline dispatch) against a plain reference written
 * from the definitions alone: per set an array of ways with a valid flag and
 * a last-use stamp (exact LRU = smallest stamp) or the PLRU node bits; an
 * insert takes the lowest invalid way, else the victim. A seeded random mix
 * of lookups, probes, inserts, accesses, invalidations and rare flushes over
 * a key universe three times the size must give the same hits, victims and
 * payloads for every geometry the model uses (hashed and not, power-of-two
 * and not, LRU and PLRU).
 */
struct ref {
	unsigned sets, ways, plru;
	uint64_t *key;   /* [sets*ways], TLB_NOKEY invalid */
	uint32_t *val;
	uint64_t *stamp, clock;
	uint64_t *tree;
};

static void ref_init(struct ref *r, const struct mmu_cache_geom *g)
{
	r->sets = g->entries / g->ways;
	r->ways = g->ways;
	r->plru = strcmp(g->policy, "plru") == 0;
	r->key = malloc(sizeof(*r->key) * g->entries);
	r->val = calloc(g->entries, sizeof(*r->val));
	r->stamp = calloc(g->entries, sizeof(*r->stamp));
	r->tree = calloc(r->sets, sizeof(*r->tree));
	for (unsigned i = 0; i < g->entries; i++)
		r->key[i] = TLB_NOKEY;
	r->clock = 0;
}

static void ref_fini(struct ref *r)
{
	free(r->key);
	free(r->val);
	free(r->stamp);
	free(r->tree);
}

static void ref_touch(struct ref *r, unsigned set, unsigned way)
{
	r->stamp[set * r->ways + way] = ++r->clock;
	unsigned node = 0, lo = 0, n = r->ways;
	while (n > 1) {             /* PLRU: point each node on the path away */
		unsigned half = n / 2, right = way >= lo + half;
		r->tree[set] = (r->tree[set] & ~(UINT64_C(1) << node)) |
			       (uint64_t)(right ^ 1) << node;
		node = 2 * node + 1 + right;
		lo += right * half;
		n = half;
	}
}

static int ref_find(const struct ref *r, uint64_t key, unsigned *set)
{
	*set = (unsigned)(key % r->sets);
	for (unsigned w = 0; w < r->ways; w++)
		if (r->key[*set * r->ways + w] == key)
			return (int)w;
	return -1;
}

/* Insert key (absent); returns the evicted key or TLB_NOKEY. */
static uint64_t ref_insert(struct ref *r, uint64_t key, uint32_t val)
{
	unsigned set = (unsigned)(key % r->sets), way = r->ways;
	for (unsigned w = 0; w < r->ways && way == r->ways; w++)
		if (r->key[set * r->ways + w] == TLB_NOKEY)
			way = w;
	if (way == r->ways && r->plru) {
		unsigned node = 0, lo = 0, n = r->ways;
		while (n > 1) {
			unsigned half = n / 2, right = (unsigned)(r->tree[set] >> node & 1);
			node = 2 * node + 1 + right;
			lo += right * half;
			n = half;
		}
		way = lo;
	} else if (way == r->ways) {
		way = 0;
		for (unsigned w = 1; w < r->ways; w++)
			if (r->stamp[set * r->ways + w] < r->stamp[set * r->ways + way])
				way = w;
	}
	uint64_t ev = r->key[set * r->ways + way];
	r->key[set * r->ways + way] = key;
	r->val[set * r->ways + way] = val;
	ref_touch(r, set, way);
	return ev;
}

/* key_bits: tlb_init_bounded's bound (64: tlb_init); the keys drawn are all
   below 2^32. */
static void test_differential(const struct mmu_cache_geom *g, unsigned key_bits)
{
	struct tlb t;
	struct ref r;
	uint64_t x = 0x9e3779b97f4a7c15ULL ^ g->entries ^ (uint64_t)g->ways << 20;
	unsigned universe = g->entries * 3;
	char what[64];
	int bad = 0;
	snprintf(what, sizeof(what), "%u entries %u-way %s%s", g->entries, g->ways, g->policy,
		 key_bits < 64 ? ", keys < 2^32" : "");
	if (tlb_init_bounded(&t, g, key_bits)) {
		tap_ok(0, "differential %s: init", what);
		return;
	}
	ref_init(&r, g);
	for (unsigned i = 0; i < 200000 && !bad; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		/* keys skewed to small values so that hits are common */
		uint64_t key = (x >> 8) % (1 + (x >> 40) % universe), ev = 0, rev;
		uint32_t val = (uint32_t)(x >> 32);
		unsigned op = (unsigned)(x & 255), set;
		int rw = ref_find(&r, key, &set), slot;
		if (op < 96) {                  /* access: lookup + insert on a miss */
			int hit = tlb_access(&t, key, key, val);
			if (rw >= 0)
				ref_touch(&r, set, (unsigned)rw);
			else
				ref_insert(&r, key, val);
			bad = hit != (rw >= 0);
		} else if (op < 160) {          /* lookup, insert on a miss with the victim */
			slot = tlb_lookup(&t, key, key);
			if (slot >= 0) {
				bad = rw < 0 || t.val[slot] != r.val[set * r.ways + (unsigned)rw];
				ref_touch(&r, set, (unsigned)rw);
			} else {
				slot = tlb_insert(&t, key, key, val, &ev);
				rev = ref_insert(&r, key, val);
				bad = rw >= 0 || slot < 0 || ev != rev || t.val[slot] != val;
			}
		} else if (op < 200) {          /* probe: no state change; payload update */
			slot = tlb_probe(&t, key, key);
			bad = (slot >= 0) != (rw >= 0) ||
			      (slot >= 0 && t.val[slot] != r.val[set * r.ways + (unsigned)rw]);
			if (slot >= 0 && !bad) {
				t.val[slot] |= 1;
				r.val[set * r.ways + (unsigned)rw] |= 1;
			}
		} else if (op < 254) {          /* invalidate */
			int had = tlb_invalidate(&t, key, key);
			if (rw >= 0)
				r.key[set * r.ways + (unsigned)rw] = TLB_NOKEY;
			bad = had != (rw >= 0);
		} else {                        /* flush */
			tlb_flush(&t);
			for (unsigned k = 0; k < g->entries; k++)
				r.key[k] = TLB_NOKEY;
		}
		if (bad)
			tap_diag("%s: op %u (kind %u) key %llu differs", what, i, op,
				 (unsigned long long)key);
	}
	uint64_t nv = 0;
	for (unsigned k = 0; k < g->entries; k++)
		nv += r.key[k] != TLB_NOKEY;
	tap_ok(!bad && t.nvalid == nv, "differential %s (kind %u): 200000 mixed operations as the reference",
	       what, (unsigned)t.kind);
	ref_fini(&r);
	tlb_fini(&t);
}

/*
 * The compact walk cache (wcache.h) against the same reference: a seeded
 * stream of line references (skewed so that hits are common, spread over
 * the sets and up to the largest line it accepts, half of them flagged hot)
 * must hit and miss exactly as the reference's exact LRU does. W is passed
 * as a constant for the walk caches of the stock profiles (the unrolled code
 * mmu.c's specialised paths use) and read from the structure otherwise.
 */
static void test_wcache(const struct mmu_cache_geom *g)
{
	struct wcache c;
	struct ref r;
	uint64_t x = 0x2545f4914f6cdd1dULL ^ g->entries ^ (uint64_t)g->ways << 24, hits = 0;
	unsigned universe = g->entries * 3;
	const uint64_t limit = UINT64_C(1) << 39;  /* the lines of native walks */
	int bad = 0, err = wc_init(&c, g, limit);
	if (err) {
		tap_ok(0, "wcache %u entries %u-way: init (%d)", g->entries, g->ways, err);
		return;
	}
	ref_init(&r, g);
	for (unsigned i = 0; i < 300000 && !bad; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		uint64_t n = (x >> 8) % (1 + (x >> 40) % universe);
		uint64_t line = (n * 0x9e3779b1u) & (limit - 1);  /* odd multiplier: distinct */
		int hot = (int)(x >> 63);
		int hit = g->ways == 20 ? wc_access(&c, line, 20, hot)
			  : g->ways == 8 ? wc_access(&c, line, 8, hot) : wc_access(&c, line, c.ways, hot);
		/* the reference is indexed by line % sets: wcache's set bits */
		unsigned set;
		int rw = ref_find(&r, line, &set);
		if (rw >= 0)
			ref_touch(&r, set, (unsigned)rw);
		else
			ref_insert(&r, line, 0);
		bad = hit != (rw >= 0);
		hits += (uint64_t)hit;
		if (bad)
			tap_diag("wcache: reference %u (line 0x%llx) %s, the reference %s", i,
				 (unsigned long long)line, hit ? "hit" : "missed", rw >= 0 ? "hit" : "missed");
	}
	tap_ok(!bad && hits > 1000 && hits < 299000,
	       "wcache %u entries %u-way: 300000 references hit and miss as exact LRU (%llu hits)",
	       g->entries, g->ways, (unsigned long long)hits);
	ref_fini(&r);
	wc_fini(&c);
}

/* Geometries the compact walk cache must refuse (a struct tlb holds them),
   and the bound on the keys: lines below 2^39 need 256 sets (keys up to
   2^31 - 1), 128 sets would give keys up to TLB_NOKEY32 itself. */
static void test_wcache_refuses(void)
{
	static const struct mmu_cache_geom no[] = {
		{ 20480, 20, "plru" }, { 33 * 256, 33, "lru" }, { 128 * 8, 8, "lru" },
		{ 300 * 4, 4, "lru" }, { 0, 0, "lru" },
	};
	const uint64_t limit = UINT64_C(1) << 39;
	int ok = 1;
	for (size_t i = 0; i < MB_ARRAY_SIZE(no); i++) {
		struct wcache c;
		int err = wc_init(&c, &no[i], limit);
		if (err != -EINVAL) {
			tap_diag("wcache: %u entries %u-way %s: %d, not -EINVAL", no[i].entries, no[i].ways,
				 no[i].policy, err);
			ok = 0;
			if (!err)
				wc_fini(&c);
		}
	}
	struct mmu_cache_geom g256 = { 256 * 8, 8, "lru" };
	struct wcache c;
	int at39 = wc_init(&c, &g256, limit);
	if (!at39)
		wc_fini(&c);
	int at40 = wc_init(&c, &g256, limit * 2);
	if (!at40)
		wc_fini(&c);
	tap_ok(ok && at39 == 0 && at40 == -EINVAL,
	       "wcache refuses plru, more than %d ways, sets not a power of two or too few for the "
	       "lines' keys (256 sets: lines below 2^39 yes, 2^40 no)", WC_WAYS);
}

int main(void)
{
	test_lru_2way();
	test_plru_vs_lru();
	test_plru_sweep();
	test_invalidate_flush();
	test_nonpow2_sets();
	test_geom_check();
	static const struct mmu_cache_geom diff[] = {
		{ 64, 4, "lru" }, { 32, 4, "lru" }, { 12, 4, "lru" }, { 8, 8, "lru" },
		{ 4, 4, "lru" }, { 2, 2, "lru" }, { 4096, 8, "lru" }, { 20480, 20, "lru" },
		{ 512, 8, "lru" }, { 256, 16, "lru" }, { 12, 12, "lru" }, { 36, 12, "lru" },
		{ 24, 3, "lru" }, { 1, 1, "lru" }, { 34, 17, "lru" }, { 50, 25, "lru" },
		{ 64, 32, "lru" },
		{ 32, 32, "lru" }, { 64, 64, "lru" }, { 96, 96, "lru" },
		{ 2048, 16, "plru" }, { 1024, 8, "plru" }, { 16, 16, "plru" }, { 64, 64, "plru" },
		{ 24, 8, "plru" }, { 64, 4, "plru" }, { 40, 20, "lru" }, { 48, 48, "lru" },
		{ 33, 33, "lru" }, { 150, 50, "lru" }, { 130, 65, "lru" },
	};
	for (size_t i = 0; i < MB_ARRAY_SIZE(diff); i++)
		test_differential(&diff[i], 64);
	/* the same geometries (and more with sets of 1 or 2 ways) with keys known
	   to fit 32 bits: TLB_K_PLRU32 / TLB_K_PERM32 (exact 32-bit search) for
	   plru and for lru up to 16 ways, wherever the sets are a power of two,
	   two or more */
	static const struct mmu_cache_geom diff2[] = { { 8, 2, "plru" }, { 16, 1, "plru" },
						       { 64, 2, "plru" }, { 16, 1, "lru" } };
	int k32 = 0;
	for (size_t i = 0; i < MB_ARRAY_SIZE(diff) + MB_ARRAY_SIZE(diff2); i++) {
		const struct mmu_cache_geom *g = i < MB_ARRAY_SIZE(diff) ? &diff[i] : &diff2[i - MB_ARRAY_SIZE(diff)];
		struct tlb t;
		if (!tlb_init_bounded(&t, g, 32)) {
			k32 += TLB_K32(t.kind);
			tlb_fini(&t);
		}
		test_differential(g, 32);
	}
	tap_ok(k32 == 13, "bounded keys choose TLB_K_PLRU32/PERM32 for the 13 geometries they can hold (%d)", k32);
	static const struct mmu_cache_geom wcg[] = {
		{ 20480, 20, "lru" }, { 4096, 8, "lru" }, { 256 * 32, 32, "lru" }, { 256, 1, "lru" },
		{ 1024 * 17, 17, "lru" }, { 512 * 5, 5, "lru" },
	};
	for (size_t i = 0; i < MB_ARRAY_SIZE(wcg); i++)
		test_wcache(&wcg[i]);
	test_wcache_refuses();
	return tap_done();
}
