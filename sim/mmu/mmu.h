/*
 * sim/mmu/mmu.h — the address-translation hardware model of mapbench's
 * simulator: an x86-64 radix page table (4 or 5 levels, 4 KiB / 2 MiB / 1 GiB
 * leaves) made of really allocated 4 KiB table pages, per-size L1 dTLBs, a
 * unified STLB (4K+2M) plus a 1G STLB, paging-structure caches (PDE, PDPTE,
 * PML4E, PML5E), a small data-cache model for walk references, and an
 * optional nested (guest x host, 2-D) walk.
 *
 * Invariants and contract:
 * - Pure and deterministic: no I/O, no counters, no floating point; costs are
 *   integer cycles taken from struct mmu_config. Same config + same calls ->
 *   same statistics, bit for bit, on every machine.
 * - Configuration (user-set), derived values and statistics are kept apart
 *   (CONVENTIONS §5); statistics are an array indexed by enum mmu_stat.
 * - TLBs and paging-structure caches hold only successful translations
 *   (Intel does not cache not-present entries); a fault fills nothing.
 * - Any change to the page table that removes or restricts a translation
 *   (unmap, protect, split) invalidates the TLB entries concerned, with the
 *   Linux flush rule (single-page flushes up to flush_ceiling pages, else a
 *   full flush; arch/x86/mm/tlb.c tlb_single_page_flush_ceiling = 33).
 * - struct mmu begins with struct mmu_fast (the inline L1-hit path below);
 *   callers outside sim/mmu/ treat it as read-only and use the functions.
 *
 * Page-table naming (x86 SDM <-> Linux): PML5 = pgd (5-level), PML4 = pgd (4-
 * level) or p4d (5-level), PDPT = pud, PD = pmd, PT = pte table.
 */
#ifndef SIM_MMU_MMU_H
#define SIM_MMU_MMU_H

#include <stddef.h>
#include <stdint.h>

/* Leaf page sizes. */
enum pg_size { PG_4K, PG_2M, PG_1G, PG__COUNT };

/* Page-table levels, named by the kind of entry a table of that level holds. */
enum mmu_level {
	MMU_PTE = 0,   /* PT: entries map 4 KiB pages (Linux pte table) */
	MMU_PDE,       /* PD: entries map 2 MiB or point to a PT (Linux pmd) */
	MMU_PDPTE,     /* PDPT: entries map 1 GiB or point to a PD (Linux pud) */
	MMU_PML4E,     /* PML4: entries point to a PDPT (pgd, or p4d when 5-level) */
	MMU_PML5E,     /* PML5: entries point to a PML4 (pgd, 5-level only) */
	MMU_LVL__COUNT
};

/* Protection / status bits used by mmu_map, mmu_protect and mmu_lookup. */
#define MMU_W 0x1u /* writable (in: requested; out: mapped writable) */
#define MMU_A 0x2u /* accessed bit (out only: set by a successful walk) */
#define MMU_D 0x4u /* dirty bit (out only: set by a successful write) */
#define MMU_DEPOSIT 0x8u /* in, PG_2M only: deposit a PT page with the leaf, as
			    anonymous THP and the huge zero page do (mm/huge_memory.c
			    pgtable_trans_huge_deposit + mm_inc_nr_ptes): counted in
			    pt.bytes, reused when the leaf is split, freed with it */

/* Result of mmu_access. Negative values are never returned by mmu_access. */
enum mmu_result {
	MMU_OK = 0,              /* translated; cycles += cost of translation */
	MMU_FAULT_NOTPRESENT,    /* no leaf maps va; cycles += walk done so far */
	MMU_FAULT_WP,            /* write to a read-only leaf; cycles += walk */
};

/* Geometry and policy of one set-associative structure. */
struct mmu_cache_geom {
	unsigned entries;  /* total entries; 0 = structure absent */
	unsigned ways;     /* associativity; ways == entries = fully associative */
	char policy[8];    /* replacement policy by name: "lru" or "plru" */
};

/* User-set parameters. All latencies are integer CPU cycles. */
struct mmu_config {
	unsigned levels;                          /* paging levels: 4 or 5 */
	struct mmu_cache_geom l1[PG__COUNT];      /* L1 dTLB per page size */
	struct mmu_cache_geom stlb;               /* unified STLB for 4K and 2M */
	struct mmu_cache_geom stlb_1g;            /* STLB entries for 1G pages (0 = none) */
	struct mmu_cache_geom pwc[MMU_LVL__COUNT];/* paging-structure caches, by entry
						     kind cached: [MMU_PDE] = PDE cache
						     (VA[47:21]), [MMU_PDPTE], [MMU_PML4E],
						     [MMU_PML5E]; [MMU_PTE] unused */
	uint32_t lat_l1_hit;                      /* extra cycles on an L1 dTLB hit (0) */
	uint32_t lat_stlb_hit;                    /* cycles of an STLB hit (L1 miss) */
	uint32_t lat_walk_start;                  /* fixed cycles to start a walk (after STLB miss) */
	uint32_t lat_walk_ref[MMU_LVL__COUNT];    /* cycles per walk reference to a table of
						     this level, used when walk_cache is absent */
	struct mmu_cache_geom walk_cache;         /* data-cache model for walk references,
						     64-byte lines (0 entries = use lat_walk_ref) */
	uint32_t lat_walk_cache_hit;              /* cycles per reference hitting walk_cache */
	uint32_t lat_walk_cache_miss;             /* cycles per reference missing walk_cache */
	uint32_t lat_dirty_assist;                /* cycles to set the D bit on the first
						     write through a clean TLB entry */
	uint32_t flush_ceiling;                   /* range invalidations above this many 4 KiB
						     pages flush the whole TLB (Linux: 33) */
	/* nested (2-D) walk: every guest-physical address the walk touches (each
	   guest table and the final data page) is translated by the host tables */
	unsigned nested;                          /* 0 = native, 1 = guest under EPT/NPT */
	unsigned host_levels;                     /* host (EPT) levels: 4 or 5 */
	enum pg_size host_page;                   /* page size backing guest memory in the host */
	struct mmu_cache_geom host_tlb;           /* cache of gPA page -> hPA translations
						     (approximates nested TLB entries) */
	struct mmu_cache_geom host_pwc;           /* host paging-structure cache: a hit leaves
						     only the host leaf reference */
	uint32_t lat_host_ref;                    /* cycles per host reference when walk_cache
						     is absent */
};

/* Statistics, indexed by enum mmu_stat. Names via mmu_stat_name(). */
enum mmu_stat {
	MMU_ST_L1_HIT_4K = 0,  /* tlb.l1d.hit.4k */
	MMU_ST_L1_HIT_2M,      /* tlb.l1d.hit.2m */
	MMU_ST_L1_HIT_1G,      /* tlb.l1d.hit.1g */
	MMU_ST_L1_MISS_4K,     /* tlb.l1d.miss.4k: L1 misses later resolved as 4K (STLB hit or walk) */
	MMU_ST_L1_MISS_2M,     /* tlb.l1d.miss.2m */
	MMU_ST_L1_MISS_1G,     /* tlb.l1d.miss.1g */
	MMU_ST_L1_MISS,        /* tlb.l1d.miss: every L1 miss (incl. faults) */
	MMU_ST_STLB_HIT,       /* tlb.stlb.hit */
	MMU_ST_STLB_MISS,      /* tlb.stlb.miss (= walks started) */
	MMU_ST_PWC_HIT_PDE,    /* pwc.pde.hit: walk started at the PT */
	MMU_ST_PWC_HIT_PDPTE,  /* pwc.pdpte.hit: walk started at the PD */
	MMU_ST_PWC_HIT_PML4E,  /* pwc.pml4e.hit: walk started at the PDPT */
	MMU_ST_PWC_HIT_PML5E,  /* pwc.pml5e.hit: walk started at the PML4 (5-level) */
	MMU_ST_PWC_MISS,       /* pwc.miss: walk started at the root */
	MMU_ST_WALKS,          /* walk.count: walks (completed or faulting; computed when read) */
	MMU_ST_WALK_REFS,      /* walk.refs: guest page-table references (computed when read) */
	MMU_ST_WALK_HOST_REFS, /* walk.host_refs: host references (nested only) */
	MMU_ST_WALK_CACHE_HIT, /* walk.cache.hit: references hitting walk_cache */
	MMU_ST_WALK_CACHE_MISS,/* walk.cache.miss */
	MMU_ST_HOST_TLB_HIT,   /* walk.host_tlb.hit (nested only) */
	MMU_ST_HOST_TLB_MISS,  /* walk.host_tlb.miss (nested only) */
	MMU_ST_WALK_CYCLES,    /* walk.cycles: cycles spent in walks (computed when read) */
	MMU_ST_SLOW_CYCLES,    /* internal: all cycles but the L1 hits' (computed when read) */
	MMU_ST_FAULT_NP,       /* fault.notpresent */
	MMU_ST_FAULT_WP,       /* fault.wp */
	MMU_ST_DIRTY_ASSIST,   /* tlb.dirty_assist: writes setting D through a TLB hit */
	MMU_ST_FLUSH_ALL,      /* tlb.flush.all: full flushes */
	MMU_ST_INVLPG,         /* tlb.flush.page: single-page invalidations */
	MMU_ST_PT_ALLOC,       /* pt.alloc: table pages allocated */
	MMU_ST_PT_FREE,        /* pt.free: table pages freed */
	MMU_ST__STORED,        /* --- below: derived in mmu_stat(), not stored --- */
	MMU_ST_L1_HIT = MMU_ST__STORED, /* tlb.l1d.hit: sum over sizes */
	MMU_ST_ACCESSES,       /* accesses: L1 hits + L1 misses */
	MMU_ST_CYCLES,         /* cycles: all translation cycles */
	MMU_ST__COUNT
};

struct mmu; /* begins with struct mmu_fast; rest private to sim/mmu/ */

/*
 * The inline L1-hit path. last_vpn[s] is the VPN (va >> shift of s) of the
 * entry most recently used in the L1 dTLB of size s, valid only while that
 * entry is most recently used in its set (so repeating the hit changes no
 * replacement state); UINT64_MAX when invalid. last_wok[s] says a write may
 * take the fast path (entry writable and dirty).
 */
struct mmu_fast {
	uint64_t last_vpn[PG__COUNT];      /* VPN of the last L1 hit/fill per size */
	uint8_t last_wok[PG__COUNT];       /* 1: writable and dirty (writes hit fast) */
	uint8_t last_w[PG__COUNT];         /* 1: writable (mmu_last_writable) */
	uint32_t lat_l1_hit;               /* copy of config.lat_l1_hit */
	uint64_t stats[MMU_ST__STORED];    /* statistics (see enum mmu_stat) */
	uint64_t pf_vpn;                   /* 4K VPN of the last mmu_prefetch that did
					      work (a hint, never part of results) */
	int (*slow)(struct mmu *m, uint64_t va, int is_write, uint64_t *cycles);
					   /* mmu_access_slow's instance for this
					      configuration (mmu.c: shapes) */
	size_t (*run)(struct mmu *m, const uint64_t *req, size_t n, uint64_t *cycles,
		      int *res);       /* mmu_access_run's instance, likewise */
};

/* Fill cfg with a current Intel server core (Ice Lake-SP figures; sources in mmu.c). */
void mmu_config_default_intel(struct mmu_config *cfg);
/* Switch cfg to a nested guest (EPT, host 4-level, 2 MiB host pages by default). */
void mmu_config_nested(struct mmu_config *cfg);
/* Validate cfg; on error -EINVAL and a message naming the field, value and limit. */
int mmu_config_check(const struct mmu_config *cfg, char *err, size_t errlen);
/*
 * Set one config field by name (profile keys), e.g. "levels", "l1.4k.entries",
 * "l1.2m.ways", "stlb.policy", "pwc.pde.entries", "lat.stlb_hit",
 * "walk_cache.entries", "nested", "host.levels", "host.page" (4k|2m|1g).
 * Returns 0, or -EINVAL / -ENOENT with a message in err.
 */
int mmu_config_set(struct mmu_config *cfg, const char *key, const char *value,
		   char *err, size_t errlen);
/* NULL-terminated list of the keys mmu_config_set accepts, each "key — help". */
extern const char *const mmu_config_keys_help[];

/* Create a model with an empty page table (root table allocated). -EINVAL on a
   bad config (use mmu_config_check for the message), -ENOMEM. */
int mmu_create(const struct mmu_config *cfg, struct mmu **out);
void mmu_destroy(struct mmu *m); /* accepts NULL */
const struct mmu_config *mmu_config(const struct mmu *m);

/*
 * Page table. Addresses are user virtual addresses below 2^47 (4-level) or
 * 2^56 (5-level).
 * mmu_map: map one page of size sz at va (aligned to sz). -EINVAL misaligned or
 *   out of range; -EEXIST when a leaf already maps part of it; -EBUSY when a
 *   huge leaf would go where a lower table exists (Linux requires pmd_none /
 *   pud_none: the caller falls back to smaller pages). Allocates table pages.
 * mmu_unmap: remove every leaf in [va, va+len) (4K-aligned). A huge leaf only
 *   partly covered is split into 4K PTEs when it has a deposited PT (anonymous
 *   THP: __split_huge_pmd) and otherwise removed whole (file THP and 1G: Linux
 *   zaps the PMD and lets the rest fault again); then free the table pages whose whole
 *   span lies inside [va, va+len) (the rule of Linux free_pgtables when the
 *   neighbouring VMAs end at va and start at va+len). Invalidates the TLBs.
 * mmu_unmap_range: same, but free tables whose whole span lies inside
 *   [floor, ceiling) and that intersect [va, va+len): free_pgd_range's rule,
 *   floor = end of the previous VMA (or 0), ceiling = start of the next (or 0
 *   meaning the top of the address space).
 * mmu_protect: set the W bit of every leaf in [va, va+len) to prot & MMU_W,
 *   splitting (or zapping, as above) partly covered huge leaves; invalidates
 *   the TLBs for the range when an entry changed.
 * mmu_lookup: size and MMU_W|MMU_A|MMU_D of the leaf mapping va; -ENOENT.
 */
int mmu_map(struct mmu *m, uint64_t va, enum pg_size sz, unsigned prot);
int mmu_unmap(struct mmu *m, uint64_t va, uint64_t len);
int mmu_unmap_range(struct mmu *m, uint64_t va, uint64_t len, uint64_t floor,
		    uint64_t ceiling);
int mmu_protect(struct mmu *m, uint64_t va, uint64_t len, unsigned prot);
int mmu_lookup(const struct mmu *m, uint64_t va, enum pg_size *sz, unsigned *prot);
/*
 * Accessed bit of the leaf mapping va (the reclaim model's folio_referenced):
 * mmu_young_test_clear returns 1 and clears it when set (x86
 * ptep_clear_flush_young flushes no TLB entry, so a translation still cached
 * keeps hitting without setting the bit again), 0 when clear or unmapped;
 * mmu_young_set sets it (x86 installs user PTEs with _PAGE_ACCESSED in
 * vm_page_prot). Neither touches the TLBs nor the statistics.
 */
int mmu_young_test_clear(struct mmu *m, uint64_t va);
void mmu_young_set(struct mmu *m, uint64_t va);

/*
 * Page-table memory. mmu_pt_bytes follows Linux VmPTE (mm_pgtables_bytes):
 * PT, PD and PDPT table pages (pte, pmd, pud) x 4096; the root (pgd) and, with
 * 5 levels, the p4d tables are not counted (see pt.c for the kernel source).
 * mmu_pt_pages(lvl): table pages of that level now allocated (root counted).
 */
uint64_t mmu_pt_bytes(const struct mmu *m);
uint64_t mmu_pt_pages(const struct mmu *m, enum mmu_level lvl);

/* Translation: the slow path (L1 miss, or write needing the D bit). */
int mmu_access_slow(struct mmu *m, uint64_t va, int is_write, uint64_t *cycles);
/* The slow path's instance m uses: 0 = generic, > 0 = one specialised for the
   shape of its structures (mmu.c: the stock profiles' geometries), same
   results. mmu_use_generic switches m to the generic one (tests). */
int mmu_shape(const struct mmu *m);
void mmu_use_generic(struct mmu *m);

/*
 * Translate one access to va. Returns enum mmu_result and adds the
 * translation cost to *cycles. An L1 hit on the entry last used is handled
 * inline; everything else goes to mmu_access_slow.
 */
/* mmu_access's inline part: 1 (and the hit counted) when va hits the L1
   entry last used, else 0. */
static inline int mmu_access_last(struct mmu_fast *f, uint64_t va, int is_write,
				  uint64_t *cycles)
{
	if ((va >> 12) == f->last_vpn[PG_4K] && (!is_write || f->last_wok[PG_4K])) {
		f->stats[MMU_ST_L1_HIT_4K]++;
		*cycles += f->lat_l1_hit;
		return 1;
	}
	if ((va >> 21) == f->last_vpn[PG_2M] && (!is_write || f->last_wok[PG_2M])) {
		f->stats[MMU_ST_L1_HIT_2M]++;
		*cycles += f->lat_l1_hit;
		return 1;
	}
	if ((va >> 30) == f->last_vpn[PG_1G] && (!is_write || f->last_wok[PG_1G])) {
		f->stats[MMU_ST_L1_HIT_1G]++;
		*cycles += f->lat_l1_hit;
		return 1;
	}
	return 0;
}

static inline int mmu_access(struct mmu *m, uint64_t va, int is_write, uint64_t *cycles)
{
	struct mmu_fast *f = (struct mmu_fast *)m;
	if (mmu_access_last(f, va, is_write, cycles))
		return MMU_OK;
	return f->slow(m, va, is_write, cycles);
}

/*
 * A run of accesses: req[i] is a virtual address, with MMU_RUN_WRITE set for
 * a write. Translates them in order as mmu_access would, issuing the
 * mmu_prefetch hints itself (MMU_PREFETCH_AHEAD), and stops at the first
 * that does not translate: returns its index with its result in *res (its
 * walk is done and counted), or n when every one translated. The
 * translation cycles are added to *cycles. Same results as n mmu_access
 * calls, without a call per access.
 */
#define MMU_RUN_WRITE (UINT64_C(1) << 63)
static inline size_t mmu_access_run(struct mmu *m, const uint64_t *req, size_t n,
				    uint64_t *cycles, int *res)
{
	return ((struct mmu_fast *)m)->run(m, req, n, cycles, res);
}

/*
 * Whether the translation mmu_access just used for va is writable: 1 or 0,
 * or -1 when va is not on the entry last used (ask mmu_lookup). Reads no
 * page table: the L1 entry's copy of the W bit, which every change of the
 * leaf invalidates.
 */
static inline int mmu_last_writable(const struct mmu *m, uint64_t va)
{
	const struct mmu_fast *f = (const struct mmu_fast *)m;
	if ((va >> 12) == f->last_vpn[PG_4K])
		return f->last_w[PG_4K];
	if ((va >> 21) == f->last_vpn[PG_2M])
		return f->last_w[PG_2M];
	if ((va >> 30) == f->last_vpn[PG_1G])
		return f->last_w[PG_1G];
	return -1;
}

/*
 * Hint for a replay loop: va will be accessed soon. Brings into the host's
 * cache what a walk for va would read (its STLB set and its leaf entry) so
 * the miss overlaps the accesses before it. It
 * reads the model and writes only its own hint (mmu_fast.pf_vpn): no
 * statistic, replacement state or A/D bit changes, so results are the same
 * with or without it. Inline and nearly free when va is on the page last
 * translated or last prefetched.
 */
void mmu_prefetch_slow(struct mmu *m, uint64_t va);
static inline void mmu_prefetch(struct mmu *m, uint64_t va)
{
	const struct mmu_fast *f = (const struct mmu_fast *)m;
	uint64_t v4 = va >> 12;
	if (v4 != f->last_vpn[PG_4K] && v4 != f->pf_vpn && (va >> 21) != f->last_vpn[PG_2M] &&
	    (va >> 30) != f->last_vpn[PG_1G])
		mmu_prefetch_slow(m, va);   /* not an inline L1 hit, nor just prefetched */
}
/* How far ahead (in accesses) replay loops issue mmu_prefetch: a walk costs
   the model about 100 ns, a host cache miss on a leaf entry about as much. */
#define MMU_PREFETCH_AHEAD 8

/* Invalidate everything (TLBs and paging-structure caches; CR3 write). */
void mmu_flush_all(struct mmu *m);
/* INVLPG: the TLB entries mapping va and all paging-structure caches (SDM 4.10.4.1). */
void mmu_invlpg(struct mmu *m, uint64_t va);

/* Statistics. mmu_stat also answers the derived ids (>= MMU_ST__STORED). */
uint64_t mmu_stat(const struct mmu *m, enum mmu_stat id);
const char *mmu_stat_name(enum mmu_stat id);  /* "tlb.l1d.hit.4k", ... */
void mmu_stats_reset(struct mmu *m);          /* statistics only, not state */
/* Names for reporting: "4k"/"2m"/"1g" and "pte"/"pde"/"pdpte"/"pml4e"/"pml5e". */
const char *mmu_pg_size_name(enum pg_size sz);
const char *mmu_level_name(enum mmu_level lvl);

#endif /* SIM_MMU_MMU_H */
