/*
 * sim/mmu/tests/test_mmu.c — translation through the whole MMU model: walk
 * costs derived from the config, PWC effect, nested walks, faults, A/D bits,
 * invalidation rules, TLB-reach knees, determinism, config keys, the W bit
 * of the last translation, the prefetch hint's neutrality, the specialised
 * slow paths against the generic one.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/mb.h"
#include "common/tap.h"
#include "sim/mmu/mmu.h"

#define P4K (UINT64_C(4096))
#define P2M (UINT64_C(2) << 20)
#define P1G (UINT64_C(1) << 30)

static struct mmu *mk(const struct mmu_config *c)
{
	struct mmu *m;
	return mmu_create(c, &m) ? NULL : m;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15u;
static uint64_t rnd(void) /* xorshift64* */
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static void test_cold_walk_cost(void)
{
	struct mmu_config c;
	mmu_config_default_intel(&c);
	struct mmu *m = mk(&c);
	uint64_t cyc = 0;
	mmu_map(m, 0x7f0000000000, PG_4K, MMU_W);
	tap_ok(mmu_access(m, 0x7f0000000040, 0, &cyc) == MMU_OK, "first access translates");
	/* cold: L1 miss, STLB probe, PWC miss, 4 references all missing the walk cache */
	uint64_t want = c.lat_stlb_hit + c.lat_walk_start + 4 * (uint64_t)c.lat_walk_cache_miss;
	tap_eq_u64(cyc, want, "cold 4-level walk = stlb + start + 4 walk-cache misses");
	tap_eq_u64(mmu_stat(m, MMU_ST_WALK_REFS), 4, "cold walk: 4 references");
	tap_eq_u64(mmu_stat(m, MMU_ST_PWC_MISS), 1, "cold walk: PWC miss");
	cyc = 0;
	tap_ok(mmu_access(m, 0x7f0000000080, 0, &cyc) == MMU_OK && cyc == c.lat_l1_hit,
	       "second access to the page: L1 hit cost");
	tap_eq_u64(mmu_stat(m, MMU_ST_L1_HIT_4K), 1, "one L1 4K hit counted");
	tap_eq_u64(mmu_stat(m, MMU_ST_ACCESSES), 2, "accesses = hits + misses");
	tap_eq_u64(mmu_stat(m, MMU_ST_CYCLES), want + c.lat_l1_hit, "cycles stat = sum of costs");
	mmu_destroy(m);
}

static void test_pwc(void)
{
	/* two pages in one PT: the second walk hits the PDE cache -> 1 reference */
	struct mmu_config c;
	mmu_config_default_intel(&c);
	struct mmu *m = mk(&c);
	uint64_t cyc = 0, va = 0x10000000;
	mmu_map(m, va, PG_4K, 0);
	mmu_map(m, va + P4K, PG_4K, 0);
	mmu_access(m, va, 0, &cyc);
	mmu_access(m, va + P4K, 0, &cyc);
	tap_eq_u64(mmu_stat(m, MMU_ST_PWC_HIT_PDE), 1, "PDE cache hit on the neighbour page");
	tap_eq_u64(mmu_stat(m, MMU_ST_WALK_REFS), 5, "with PWC: 4 + 1 references");
	uint64_t with = mmu_stat(m, MMU_ST_WALK_CYCLES);
	mmu_destroy(m);

	for (int l = 0; l < MMU_LVL__COUNT; l++)
		c.pwc[l].entries = 0;
	m = mk(&c);
	mmu_map(m, va, PG_4K, 0);
	mmu_map(m, va + P4K, PG_4K, 0);
	mmu_access(m, va, 0, &cyc);
	mmu_access(m, va + P4K, 0, &cyc);
	tap_eq_u64(mmu_stat(m, MMU_ST_WALK_REFS), 8, "without PWC: 4 + 4 references");
	tap_ok(mmu_stat(m, MMU_ST_WALK_CYCLES) > with, "PWC lowers walk cycles (%llu < %llu)",
	       (unsigned long long)with, (unsigned long long)mmu_stat(m, MMU_ST_WALK_CYCLES));
	mmu_destroy(m);

	/* 1G page: PML4E + PDPTE = 2 references; 2M page: 3 */
	mmu_config_default_intel(&c);
	m = mk(&c);
	mmu_map(m, 4 * P1G, PG_1G, 0);
	mmu_map(m, 8 * P1G, PG_2M, 0);
	mmu_access(m, 4 * P1G + 12345, 0, &cyc);
	tap_eq_u64(mmu_stat(m, MMU_ST_WALK_REFS), 2, "1G leaf: 2 references");
	mmu_access(m, 8 * P1G + 999, 0, &cyc);
	/* PML4E cache hit (same 512 GiB) -> PDPTE, PDE: 2 more */
	tap_eq_u64(mmu_stat(m, MMU_ST_WALK_REFS), 4, "2M leaf after PML4E-cache hit: 2 references");
	tap_eq_u64(mmu_stat(m, MMU_ST_PWC_HIT_PML4E), 1, "PML4E cache hit counted");
	mmu_destroy(m);
}

static void test_nested(void)
{
	struct mmu_config c;
	mmu_config_default_intel(&c);
	struct mmu *nat = mk(&c);
	mmu_config_nested(&c);
	struct mmu *nest = mk(&c);
	uint64_t cn = 0, cg = 0;
	mmu_map(nat, 0x40000000, PG_4K, 0);
	mmu_map(nest, 0x40000000, PG_4K, 0);
	mmu_access(nat, 0x40000000, 0, &cn);
	mmu_access(nest, 0x40000000, 0, &cg);
	tap_ok(cg > cn, "nested cold walk costs more than native (%llu > %llu)",
	       (unsigned long long)cg, (unsigned long long)cn);
	/* host 4 levels with 2M host pages: a host walk reads 3 entries. The four
	   guest tables share one host 2M page (1 host walk); the data page is in
	   another 2M page and another host PD (1 more) -> 6 host references */
	tap_eq_u64(mmu_stat(nest, MMU_ST_WALK_HOST_REFS), 6, "nested cold walk: 6 host references");
	tap_eq_u64(mmu_stat(nest, MMU_ST_WALK_REFS), 4, "nested: 4 guest references");
	tap_eq_u64(mmu_stat(nat, MMU_ST_WALK_HOST_REFS), 0, "native: no host references");
	mmu_destroy(nat);
	mmu_destroy(nest);
}

static void test_faults_and_bits(void)
{
	struct mmu_config c;
	mmu_config_default_intel(&c);
	struct mmu *m = mk(&c);
	uint64_t cyc = 0, va = 0x500000;
	unsigned prot;
	tap_ok(mmu_access(m, va, 0, &cyc) == MMU_FAULT_NOTPRESENT, "unmapped: not-present fault");
	tap_ok(cyc > 0, "a fault costs the walk done so far (%llu cycles)", (unsigned long long)cyc);
	tap_ok(mmu_access(m, va, 0, &cyc) == MMU_FAULT_NOTPRESENT &&
	       mmu_stat(m, MMU_ST_STLB_MISS) == 2, "faults fill no TLB: second access walks again");
	mmu_map(m, va, PG_4K, 0);
	tap_ok(mmu_access(m, va, 0, &cyc) == MMU_OK, "read-only page: read ok");
	tap_ok(mmu_lookup(m, va, NULL, &prot) == 0 && (prot & MMU_A) && !(prot & MMU_D),
	       "read sets A, not D");
	tap_ok(mmu_access(m, va, 1, &cyc) == MMU_FAULT_WP, "write to read-only page: WP fault");
	tap_eq_u64(mmu_stat(m, MMU_ST_FAULT_WP), 1, "fault.wp counted");
	tap_ok(mmu_protect(m, va, P4K, MMU_W) == 0, "unprotect");
	tap_ok(mmu_access(m, va, 1, &cyc) == MMU_OK, "write after unprotect ok");
	tap_ok(mmu_lookup(m, va, NULL, &prot) == 0 && (prot & MMU_D) && (prot & MMU_W), "write sets D");
	tap_ok(mmu_protect(m, va, P4K, 0) == 0 && mmu_access(m, va, 1, &cyc) == MMU_FAULT_WP,
	       "write-protect invalidates the TLB: write faults");
	tap_ok(mmu_access(m, va, 0, &cyc) == MMU_OK, "reads still ok after write-protect");

	/* dirty assist: writable clean entry in the TLB, then a write */
	mmu_map(m, 0x600000, PG_4K, MMU_W);
	mmu_access(m, 0x600000, 0, &cyc);
	uint64_t walks = mmu_stat(m, MMU_ST_WALKS);
	cyc = 0;
	tap_ok(mmu_access(m, 0x600000, 1, &cyc) == MMU_OK && cyc == c.lat_l1_hit + c.lat_dirty_assist,
	       "first write through a clean entry: dirty assist cost");
	tap_ok(mmu_stat(m, MMU_ST_WALKS) == walks && mmu_stat(m, MMU_ST_DIRTY_ASSIST) == 1,
	       "dirty assist without a walk");
	cyc = 0;
	tap_ok(mmu_access(m, 0x600000, 1, &cyc) == MMU_OK && cyc == c.lat_l1_hit,
	       "second write: plain L1 hit");
	mmu_destroy(m);
}

static void test_invalidation(void)
{
	struct mmu_config c;
	mmu_config_default_intel(&c);
	struct mmu *m = mk(&c);
	uint64_t cyc = 0, va = 0x20000000;
	for (int i = 0; i < 64; i++) {
		mmu_map(m, va + i * P4K, PG_4K, MMU_W);
		mmu_access(m, va + i * P4K, 0, &cyc);
	}
	uint64_t w = mmu_stat(m, MMU_ST_WALKS);
	mmu_invlpg(m, va);
	mmu_access(m, va, 0, &cyc);
	tap_eq_u64(mmu_stat(m, MMU_ST_WALKS), w + 1, "invlpg: next access walks");
	mmu_access(m, va + P4K, 0, &cyc);
	tap_eq_u64(mmu_stat(m, MMU_ST_WALKS), w + 1, "invlpg: other pages still cached");
	/* an address above user space translates nothing: its invlpg must not
	   drop the entry whose 32-bit key (VPN >> log2 sets, L1 4K) it shares */
	uint64_t h = mmu_stat(m, MMU_ST_L1_HIT_4K);
	mmu_invlpg(m, va + (UINT64_C(1) << 48));
	mmu_access(m, va, 0, &cyc);
	tap_eq_u64(mmu_stat(m, MMU_ST_L1_HIT_4K), h + 1, "invlpg above user space: the L1 entry stays");
	mmu_unmap(m, va + 10 * P4K, 2 * P4K);
	tap_eq_u64(mmu_stat(m, MMU_ST_INVLPG), 4, "unmap 2 pages: 2 single-page flushes (after 2 invlpg)");
	tap_eq_u64(mmu_stat(m, MMU_ST_FLUSH_ALL), 0, "unmap 2 pages: no full flush");
	mmu_unmap(m, va + 20 * P4K, 40 * P4K);
	tap_eq_u64(mmu_stat(m, MMU_ST_FLUSH_ALL), 1, "unmap 40 pages (> ceiling 33): full flush");
	mmu_unmap(m, 0x7000000000, 100 * P4K);
	tap_eq_u64(mmu_stat(m, MMU_ST_FLUSH_ALL), 1, "unmap of nothing mapped: no flush");
	w = mmu_stat(m, MMU_ST_WALKS);
	mmu_access(m, va + P4K, 0, &cyc);
	tap_eq_u64(mmu_stat(m, MMU_ST_WALKS), w + 1, "after a full flush: walks again");
	tap_ok(mmu_access(m, va + 11 * P4K, 0, &cyc) == MMU_FAULT_NOTPRESENT, "unmapped page faults");
	/* one 2M leaf unmapped: stride 2M, one flush */
	mmu_map(m, 64 * P2M, PG_2M, MMU_W);
	uint64_t inv = mmu_stat(m, MMU_ST_INVLPG);
	mmu_unmap(m, 64 * P2M, P2M);
	tap_eq_u64(mmu_stat(m, MMU_ST_INVLPG), inv + 1, "unmap one 2M leaf: one flush (2M stride)");
	mmu_destroy(m);
}

/* Random reads over n consecutive 4K pages after a warm-up pass; L1/STLB misses. */
static void knee(const struct mmu_config *c, unsigned n, uint64_t *l1miss, uint64_t *stlbmiss)
{
	struct mmu *m = mk(c);
	uint64_t cyc = 0, base = 0x100000000;
	for (unsigned i = 0; i < n; i++)
		mmu_map(m, base + i * P4K, PG_4K, 0);
	for (unsigned i = 0; i < n; i++)
		mmu_access(m, base + i * P4K, 0, &cyc);
	mmu_stats_reset(m);
	for (int i = 0; i < 20000; i++)
		mmu_access(m, base + (rnd() % n) * P4K + (rnd() & 4095), 0, &cyc);
	*l1miss = mmu_stat(m, MMU_ST_L1_MISS);
	*stlbmiss = mmu_stat(m, MMU_ST_STLB_MISS);
	mmu_destroy(m);
}

static void test_knees(void)
{
	struct mmu_config c;
	mmu_config_default_intel(&c);
	uint64_t l1, st;
	unsigned e1 = c.l1[PG_4K].entries, es = c.stlb.entries;
	/* consecutive pages spread evenly over the sets: no misses up to the size */
	knee(&c, e1 / 2, &l1, &st);
	tap_eq_u64(l1, 0, "%u pages (< L1 %u): no L1 misses", e1 / 2, e1);
	knee(&c, e1, &l1, &st);
	tap_eq_u64(l1, 0, "%u pages (= L1): no L1 misses", e1);
	knee(&c, e1 + e1 / 4, &l1, &st);
	tap_ok(l1 > 0 && st == 0, "%u pages (> L1): L1 misses %llu, STLB misses 0", e1 + e1 / 4,
	       (unsigned long long)l1);
	knee(&c, es, &l1, &st);
	tap_eq_u64(st, 0, "%u pages (= STLB): no STLB misses", es);
	knee(&c, es * 2, &l1, &st);
	tap_ok(st > 0, "%u pages (> STLB): STLB misses %llu", es * 2, (unsigned long long)st);
}

static void test_determinism(void)
{
	struct mmu_config c;
	mmu_config_default_intel(&c);
	mmu_config_nested(&c);
	uint64_t s1[MMU_ST__COUNT], s2[MMU_ST__COUNT];
	for (int r = 0; r < 2; r++) {
		struct mmu *m = mk(&c);
		uint64_t cyc = 0, x = 42;
		for (int i = 0; i < 4096; i++)
			mmu_map(m, P1G + i * P4K, PG_4K, (i & 1) ? MMU_W : 0);
		for (int i = 0; i < 50000; i++) {
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
			mmu_access(m, P1G + ((x >> 20) % (4096 * P4K)), (int)(x >> 63), &cyc);
			if (i % 10000 == 9999)
				mmu_unmap(m, P1G + ((x >> 30) % 4096) * P4K, P4K);
		}
		for (int i = 0; i < MMU_ST__COUNT; i++)
			(r ? s2 : s1)[i] = mmu_stat(m, i);
		mmu_destroy(m);
	}
	tap_ok(memcmp(s1, s2, sizeof(s1)) == 0, "same calls, same statistics (nested, mixed)");
}

static void test_config_keys(void)
{
	struct mmu_config c;
	char err[160];
	mmu_config_default_intel(&c);
	tap_ok(mmu_config_set(&c, "l1.4k.entries", "96", err, sizeof(err)) == 0 &&
	       c.l1[PG_4K].entries == 96, "set l1.4k.entries");
	tap_ok(mmu_config_set(&c, "stlb.policy", "lru", err, sizeof(err)) == 0 &&
	       strcmp(c.stlb.policy, "lru") == 0, "set stlb.policy");
	tap_ok(mmu_config_set(&c, "host.page", "1g", err, sizeof(err)) == 0 && c.host_page == PG_1G,
	       "set host.page");
	tap_ok(mmu_config_set(&c, "lat.walk_ref.pde", "33", err, sizeof(err)) == 0 &&
	       c.lat_walk_ref[MMU_PDE] == 33, "set lat.walk_ref.pde");
	tap_ok(mmu_config_set(&c, "stlb.policy", "random", err, sizeof(err)) == -EINVAL &&
	       strstr(err, "random"), "bad policy: %s", err);
	tap_ok(mmu_config_set(&c, "nope", "1", err, sizeof(err)) == -ENOENT, "unknown key: %s", err);
	c.l1[PG_4K].ways = 7;
	tap_ok(mmu_config_check(&c, err, sizeof(err)) == -EINVAL && strstr(err, "l1.4k.ways"),
	       "check names the field: %s", err);
	size_t n = 0;
	while (mmu_config_keys_help[n])
		n++;
	tap_ok(n > 40, "key help list (%zu keys)", n);
	for (int i = 0; i < MMU_ST__COUNT; i++)
		if (!mmu_stat_name(i) || !*mmu_stat_name(i))
			tap_ok(0, "stat %d has a name", i);
	tap_ok(strcmp(mmu_stat_name(MMU_ST_STLB_MISS), "tlb.stlb.miss") == 0, "stat names");
}

/* mmu_last_writable: the W bit of the translation just used, -1 elsewhere. */
static void test_last_writable(void)
{
	struct mmu_config c;
	mmu_config_default_intel(&c);
	struct mmu *m = mk(&c);
	uint64_t cyc = 0, a = P1G, b = P1G + P4K, h = 2 * P1G;
	mmu_map(m, a, PG_4K, MMU_W);
	mmu_map(m, b, PG_4K, 0);
	mmu_map(m, h, PG_2M, MMU_W);
	mmu_access(m, a + 8, 0, &cyc);
	tap_eq_u64((uint64_t)mmu_last_writable(m, a + 8), 1, "writable 4K page: 1");
	mmu_access(m, b, 0, &cyc);
	tap_eq_u64((uint64_t)mmu_last_writable(m, b + 100), 0, "read-only 4K page: 0");
	tap_ok(mmu_last_writable(m, 3 * P1G) == -1, "an address not just translated: -1");
	mmu_access(m, h + 12345, 0, &cyc);
	tap_eq_u64((uint64_t)mmu_last_writable(m, h + 12345), 1, "writable 2M page: 1");
	mmu_protect(m, a, P4K, 0);
	mmu_access(m, a, 0, &cyc);
	tap_eq_u64((uint64_t)mmu_last_writable(m, a), 0, "after mprotect(read-only): 0");
	mmu_destroy(m);
}

/*
 * mmu_prefetch is a hint: the same stream with and without it (addresses
 * handed over ahead, some unmapped, tables freed and remapped between) gives
 * the same statistics; freed tables must not be read through its memo (ASan).
 */
static void test_prefetch_neutral(void)
{
	struct mmu_config c;
	mmu_config_default_intel(&c);
	uint64_t st[2][MMU_ST__COUNT];
	for (int pf = 0; pf < 2; pf++) {
		struct mmu *m = mk(&c);
		uint64_t cyc = 0, x = 7, q[8] = { 0 };
		for (int i = 0; i < 2048; i++)
			mmu_map(m, P1G + i * P4K * 3, PG_4K, MMU_W);
		for (int i = 0; i < 60000; i++) {
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
			uint64_t va = P1G + (x >> 24) % (6144 * P4K);
			if (pf)
				mmu_prefetch(m, va);
			mmu_access(m, q[i % 8], 0, &cyc);
			q[i % 8] = va;
			if (i % 5000 == 4999) {         /* free whole tables, then map again */
				mmu_unmap(m, P1G, 6144 * P4K);
				for (int k = 0; k < 2048; k++)
					mmu_map(m, P1G + k * P4K * 3 + (i / 5000 % 3) * P4K, PG_4K, MMU_W);
			}
		}
		for (int i = 0; i < MMU_ST__COUNT; i++)
			st[pf][i] = mmu_stat(m, i);
		mmu_destroy(m);
	}
	tap_ok(memcmp(st[0], st[1], sizeof(st[0])) == 0 && st[0][MMU_ST_PT_FREE] > 0,
	       "mmu_prefetch changes no statistic (tables freed %llu times)",
	       (unsigned long long)st[0][MMU_ST_PT_FREE]);
}

/* The stock profiles' geometries (intel-server, vm-host) and
   mmu_config_default_intel get a specialised slow path, and it gives the
   generic path's statistics for a mixed sequence (4K/2M/1G leaves, reads
   and writes, protect, unmap, flushes); other geometries (host-vm here) take
   the generic path. */
static void test_shapes(void)
{
	static const char *const name[] = { "intel-server", "vm-host", "host-vm", "default" };
	for (int k = 0; k < 4; k++) {
		struct mmu_config c;
		char err[128];
		int ok = 1;
		mmu_config_default_intel(&c);
		if (k < 3)                      /* 3: mmu_config_default_intel as it is */
			ok = !mmu_config_set(&c, "walk_cache.entries", k ? "8192" : "20480", err,
					     sizeof(err)) &&
			     !mmu_config_set(&c, "walk_cache.ways", k ? "8" : "20", err, sizeof(err));
		if (k == 1 || k == 2) {
			mmu_config_nested(&c);
			static const char *const l1[] = { "l1.4k", "l1.2m", "l1.1g" };
			char key[32];
			for (int s = 0; s < 3; s++) {
				snprintf(key, sizeof(key), "%s.entries", l1[s]);
				ok = ok && !mmu_config_set(&c, key, "64", err, sizeof(err));
				snprintf(key, sizeof(key), "%s.ways", l1[s]);
				ok = ok && !mmu_config_set(&c, key, "64", err, sizeof(err));
			}
		}
		if (k == 2)
			ok = ok && !mmu_config_set(&c, "stlb.entries", "512", err, sizeof(err)) &&
			     !mmu_config_set(&c, "stlb.ways", "8", err, sizeof(err));
		uint64_t st[2][MMU_ST__COUNT] = { { 0 } }, cyc[2] = { 0, 0 };
		int shape = -1;
		for (int g = 0; g < 2 && ok; g++) {
			struct mmu *m = mk(&c);
			if (g)
				mmu_use_generic(m);
			else
				shape = mmu_shape(m);
			uint64_t x = 99;
			for (int i = 0; i < 3000; i++)
				mmu_map(m, P1G + i * P4K * 2, PG_4K, (i % 3) ? MMU_W : 0);
			for (int i = 0; i < 8; i++)
				mmu_map(m, 4 * P1G + i * P2M, PG_2M, MMU_W);
			mmu_map(m, 8 * P1G, PG_1G, MMU_W);
			for (int i = 0; i < 200000; i++) {
				x = x * 6364136223846793005ULL + 1442695040888963407ULL;
				uint64_t r = x >> 16, va;
				switch (r % 8) {
				case 0: va = 4 * P1G + (r >> 8) % (8 * P2M); break;
				case 1: va = 8 * P1G + (r >> 8) % P1G; break;
				default: va = P1G + (r >> 8) % (6000 * P4K); break;
				}
				mmu_access(m, va, (int)(x >> 63), &cyc[g]);
				if (i % 20000 == 19999) {
					mmu_protect(m, P1G + (r % 3000) * P4K * 2, 64 * P4K, 0);
					mmu_unmap(m, P1G + (r % 2000) * P4K * 2, 4 * P4K);
				}
				if (i % 70000 == 69999)
					mmu_flush_all(m);
			}
			for (int i = 0; i < MMU_ST__COUNT; i++)
				st[g][i] = mmu_stat(m, i);
			mmu_destroy(m);
		}
		tap_ok(ok && (k == 2 ? shape == 0 : shape > 0) && memcmp(st[0], st[1], sizeof(st[0])) == 0 &&
		       cyc[0] == cyc[1] && st[0][MMU_ST_STLB_MISS] > 10000,
		       "%s geometry: path %d (0: generic), same statistics as the generic one "
		       "(%llu walks, %llu cycles)", name[k], shape,
		       (unsigned long long)st[0][MMU_ST_STLB_MISS], (unsigned long long)cyc[0]);
	}
}

int main(void)
{
	test_cold_walk_cost();
	test_pwc();
	test_nested();
	test_faults_and_bits();
	test_invalidation();
	test_knees();
	test_determinism();
	test_config_keys();
	test_last_writable();
	test_prefetch_neutral();
	test_shapes();
	return tap_done();
}
