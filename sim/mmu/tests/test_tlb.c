/*
 * sim/mmu/tests/test_tlb.c — the set-associative structure and its
 * replacement policies against hit/miss/eviction sequences derived by hand
 * (derivations in the comments), plus geometry checks.
 */
#include <errno.h>
#include <string.h>

#include "common/mb.h"
#include "common/tap.h"
#include "sim/mmu/tlb.h"

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

/*
 * LRU stamps are 32-bit and renumbered just before the clock wraps. 4 ways:
 * A B C D, hit A (order B C D A); clock set to UINT32_MAX - 1; hit C takes
 * the last stamp (B D A C); hit D renumbers first (B=1 D=2 A=3 C=4) then
 * stamps D (B A C D). E evicts B, F evicts A — as without the wrap.
 */
static void test_lru_wrap(void)
{
	enum { A = 1, B, C, D, E, F };
	struct mmu_cache_geom g = { 4, 4, "lru" };
	struct tlb t;
	uint64_t ev;
	tlb_init(&t, &g);
	for (uint64_t k = A; k <= D; k++)
		tlb_insert(&t, k, k, 0, NULL);
	tlb_lookup(&t, A, A);
	t.clock = UINT32_MAX - 1;
	tlb_lookup(&t, C, C);
	tlb_lookup(&t, D, D);
	tap_ok(t.clock < 100, "clock renumbered before wrapping (now %u)", t.clock);
	tlb_insert(&t, E, E, 0, &ev);
	tap_eq_u64(ev, B, "after renumbering: E evicts B");
	tlb_insert(&t, F, F, 0, &ev);
	tap_eq_u64(ev, A, "after renumbering: F evicts A");
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
	tap_ok(s >= 0 && t.way[s].val == 7, "payload kept with the key");
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

int main(void)
{
	test_lru_2way();
	test_plru_vs_lru();
	test_plru_sweep();
	test_lru_wrap();
	test_invalidate_flush();
	test_nonpow2_sets();
	test_geom_check();
	return tap_done();
}
