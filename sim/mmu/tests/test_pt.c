/*
 * sim/mmu/tests/test_pt.c — the radix page table through the mmu.h API:
 * pt.bytes (VmPTE rule: PT + PD + PDPT pages, root not counted) for known
 * layouts, table freeing on unmap, splitting, mapping errors, protect.
 * Expected table counts are derived in the comments (512 entries per table,
 * a PT spans 2 MiB, a PD 1 GiB, a PDPT 512 GiB).
 */
#include <errno.h>

#include "common/mb.h"
#include "common/tap.h"
#include "sim/mmu/mmu.h"

#define P4K (UINT64_C(4096))
#define P2M (UINT64_C(2) << 20)
#define P1G (UINT64_C(1) << 30)

static struct mmu *mk(unsigned levels)
{
	struct mmu_config c;
	struct mmu *m;
	mmu_config_default_intel(&c);
	c.levels = levels;
	if (mmu_create(&c, &m))
		return NULL;
	return m;
}

static int map_range(struct mmu *m, uint64_t va, uint64_t len, enum pg_size sz, unsigned prot)
{
	uint64_t step = sz == PG_4K ? P4K : sz == PG_2M ? P2M : P1G;
	for (uint64_t a = va; a < va + len; a += step) {
		int e = mmu_map(m, a, sz, prot);
		if (e)
			return e;
	}
	return 0;
}

static void test_layouts(void)
{
	struct mmu *m = mk(4);
	tap_ok(m != NULL, "create 4-level");
	tap_eq_u64(mmu_pt_bytes(m), 0, "empty: only the root (pgd), not counted");
	tap_eq_u64(mmu_pt_pages(m, MMU_PML4E), 1, "empty: one root table");

	/* one 4K page: PDPT + PD + PT = 3 pages */
	tap_ok(mmu_map(m, 0x400000, PG_4K, MMU_W) == 0, "map one 4K page");
	tap_eq_u64(mmu_pt_bytes(m), 3 * P4K, "one 4K page: 3 table pages (PDPT, PD, PT)");
	mmu_destroy(m);

	/* 2 MiB of 4K pages from 1 GiB + 1 MiB: crosses the PMD boundary at
	   1 GiB + 2 MiB -> 2 PTs, 1 PD, 1 PDPT */
	m = mk(4);
	tap_ok(map_range(m, P1G + (P2M / 2), P2M, PG_4K, MMU_W) == 0, "map 2 MiB across a PMD boundary");
	tap_eq_u64(mmu_pt_pages(m, MMU_PTE), 2, "2 MiB across a PMD boundary: 2 PTs");
	tap_eq_u64(mmu_pt_bytes(m), 4 * P4K, "2 MiB across a PMD boundary: 4 table pages");
	mmu_destroy(m);

	/* 1 GiB of 4K pages, 1 GiB aligned: 512 PTs + 1 PD + 1 PDPT */
	m = mk(4);
	tap_ok(map_range(m, 4 * P1G, P1G, PG_4K, MMU_W) == 0, "map 1 GiB of 4K pages");
	tap_eq_u64(mmu_pt_bytes(m), 514 * P4K, "1 GiB of 4K pages: 514 table pages");
	mmu_destroy(m);

	/* 1 GiB of 2M pages: PD + PDPT only */
	m = mk(4);
	tap_ok(map_range(m, 4 * P1G, P1G, PG_2M, MMU_W) == 0, "map 1 GiB of 2M pages");
	tap_eq_u64(mmu_pt_bytes(m), 2 * P4K, "1 GiB of 2M pages: 2 table pages");
	mmu_destroy(m);

	/* anonymous THP deposits one PT per PMD: 512 + 2 */
	m = mk(4);
	tap_ok(map_range(m, 4 * P1G, P1G, PG_2M, MMU_W | MMU_DEPOSIT) == 0, "map 1 GiB of anon THP");
	tap_eq_u64(mmu_pt_bytes(m), 514 * P4K, "1 GiB of THP with deposits: 514 table pages");
	mmu_destroy(m);

	/* one 1G page: the PDPT only */
	m = mk(4);
	tap_ok(mmu_map(m, 4 * P1G, PG_1G, MMU_W) == 0, "map one 1G page");
	tap_eq_u64(mmu_pt_bytes(m), P4K, "one 1G page: 1 table page (PDPT)");
	mmu_destroy(m);

	/* 5 levels: PML5 root and the PML4 (p4d) are not counted */
	m = mk(5);
	tap_ok(m && mmu_map(m, 0x400000, PG_4K, MMU_W) == 0, "5-level: map one 4K page");
	tap_eq_u64(mmu_pt_bytes(m), 3 * P4K, "5-level: still 3 counted pages");
	tap_eq_u64(mmu_pt_pages(m, MMU_PML4E), 1, "5-level: one PML4 (p4d) table");
	tap_eq_u64(mmu_pt_pages(m, MMU_PML5E), 1, "5-level: one PML5 root");
	tap_ok(mmu_map(m, UINT64_C(1) << 50, PG_4K, 0) == 0, "5-level: map above 2^47");
	mmu_destroy(m);
}

static void test_unmap_frees(void)
{
	struct mmu *m = mk(4);
	map_range(m, 4 * P1G, P1G, PG_4K, MMU_W);
	tap_ok(mmu_unmap(m, 4 * P1G, P1G) == 0, "unmap 1 GiB");
	/* the PTs and the PD lie inside the range and go; the PDPT spans 512 GiB */
	tap_eq_u64(mmu_pt_pages(m, MMU_PTE), 0, "unmap 1 GiB: PTs freed");
	tap_eq_u64(mmu_pt_pages(m, MMU_PDE), 0, "unmap 1 GiB: PD freed");
	tap_eq_u64(mmu_pt_bytes(m), P4K, "unmap 1 GiB: PDPT kept (spans beyond the range)");
	tap_ok(mmu_lookup(m, 4 * P1G + 12345 * P4K, NULL, NULL) == -ENOENT, "unmapped page absent");
	/* free_pgtables with no neighbours (floor 0, ceiling top) frees the PDPT too */
	tap_ok(mmu_unmap_range(m, 4 * P1G, P1G, 0, 0) == 0, "unmap_range with open floor/ceiling");
	tap_eq_u64(mmu_pt_bytes(m), 0, "no neighbouring VMA: PDPT freed");
	mmu_destroy(m);

	/* partial unmap: 2 MiB of 4K pages, unmap the first half -> PT kept */
	m = mk(4);
	map_range(m, 2 * P2M, P2M, PG_4K, MMU_W);
	uint64_t before = mmu_pt_bytes(m);
	tap_ok(mmu_unmap(m, 2 * P2M, P2M / 2) == 0, "unmap half a PT");
	tap_eq_u64(mmu_pt_bytes(m), before, "half-covered PT not freed");
	tap_ok(mmu_lookup(m, 2 * P2M, NULL, NULL) == -ENOENT &&
	       mmu_lookup(m, 2 * P2M + P2M / 2, NULL, NULL) == 0, "first half gone, second half kept");
	/* the VMA below ends at 2*P2M and none above: free_pgd_range frees the PT */
	tap_ok(mmu_unmap_range(m, 2 * P2M + P2M / 2, P2M / 2, 2 * P2M, 3 * P2M) == 0,
	       "unmap the rest with floor/ceiling at the PT span");
	tap_eq_u64(mmu_pt_pages(m, MMU_PTE), 0, "PT freed once empty and inside [floor, ceiling)");
	/* reuse of freed table pages keeps counts right */
	map_range(m, 2 * P2M, P2M, PG_4K, MMU_W);
	tap_eq_u64(mmu_pt_bytes(m), before, "remapping reuses table pages: same pt.bytes");
	mmu_destroy(m);
}

static void test_split_and_zap(void)
{
	struct mmu *m = mk(4);
	enum pg_size sz;
	unsigned prot;
	/* anonymous THP (deposit): unmapping one 4K page splits the PMD */
	mmu_map(m, 8 * P2M, PG_2M, MMU_W | MMU_DEPOSIT);
	uint64_t before = mmu_pt_bytes(m);
	tap_ok(mmu_unmap(m, 8 * P2M + 5 * P4K, P4K) == 0, "unmap 4K inside an anon THP");
	tap_ok(mmu_lookup(m, 8 * P2M + 6 * P4K, &sz, &prot) == 0 && sz == PG_4K && (prot & MMU_W),
	       "split: neighbour now a writable 4K PTE");
	tap_ok(mmu_lookup(m, 8 * P2M + 5 * P4K, NULL, NULL) == -ENOENT, "split: unmapped page absent");
	tap_eq_u64(mmu_pt_bytes(m), before, "split reuses the deposited PT: pt.bytes unchanged");
	tap_ok(mmu_map(m, 8 * P2M + 5 * P4K, PG_4K, 0) == 0, "hole can be mapped again");

	/* file THP (no deposit): unmapping a part zaps the whole PMD */
	mmu_map(m, 16 * P2M, PG_2M, 0);
	tap_ok(mmu_unmap(m, 16 * P2M, P4K) == 0, "unmap 4K of a file THP");
	tap_ok(mmu_lookup(m, 16 * P2M + P2M / 2, NULL, NULL) == -ENOENT, "file THP zapped whole");

	/* mprotect of part of an anon THP splits it too */
	mmu_map(m, 24 * P2M, PG_2M, MMU_W | MMU_DEPOSIT);
	tap_ok(mmu_protect(m, 24 * P2M, 4 * P4K, 0) == 0, "protect 16 KiB of an anon THP");
	tap_ok(mmu_lookup(m, 24 * P2M, &sz, &prot) == 0 && sz == PG_4K && !(prot & MMU_W),
	       "protected part read-only 4K");
	tap_ok(mmu_lookup(m, 24 * P2M + 4 * P4K, &sz, &prot) == 0 && sz == PG_4K && (prot & MMU_W),
	       "rest writable 4K");
	mmu_destroy(m);
}

static void test_map_errors(void)
{
	struct mmu *m = mk(4);
	tap_ok(mmu_map(m, 0x1000 + 1, PG_4K, 0) == -EINVAL, "misaligned 4K: -EINVAL");
	tap_ok(mmu_map(m, P2M + P4K, PG_2M, 0) == -EINVAL, "misaligned 2M: -EINVAL");
	tap_ok(mmu_map(m, UINT64_C(1) << 47, PG_4K, 0) == -EINVAL, "4-level: VA 2^47: -EINVAL");
	tap_ok(mmu_map(m, P4K, PG_4K, MMU_DEPOSIT) == -EINVAL, "deposit on a 4K page: -EINVAL");
	tap_ok(mmu_map(m, P2M, PG_4K, 0) == 0 && mmu_map(m, P2M, PG_4K, 0) == -EEXIST,
	       "same 4K twice: -EEXIST");
	tap_ok(mmu_map(m, P2M, PG_2M, 0) == -EBUSY, "2M where a PT exists: -EBUSY (pmd not none)");
	tap_ok(mmu_map(m, 4 * P2M, PG_2M, 0) == 0 && mmu_map(m, 4 * P2M + P4K, PG_4K, 0) == -EEXIST,
	       "4K inside a 2M leaf: -EEXIST");
	tap_ok(mmu_map(m, 0, PG_1G, 0) == -EBUSY, "1G over an existing PD: -EBUSY");
	tap_ok(mmu_unmap(m, 1, P4K) == -EINVAL, "unmap misaligned: -EINVAL");
	struct mmu_config c;
	mmu_config_default_intel(&c);
	c.levels = 3;
	char err[128];
	struct mmu *bad;
	tap_ok(mmu_config_check(&c, err, sizeof(err)) == -EINVAL && mmu_create(&c, &bad) == -EINVAL,
	       "levels 3 rejected: %s", err);
	mmu_destroy(m);
	mmu_destroy(NULL);
}

int main(void)
{
	test_layouts();
	test_unmap_frees();
	test_split_and_zap();
	test_map_errors();
	return tap_done();
}
