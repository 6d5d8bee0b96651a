/*
 * sim/mmu/mmu.c — the MMU model of mmu.h: TLB lookups, the page walker
 * (native and nested), invalidation, statistics, the stock Intel config.
 *
 * Cost rules (all integer cycles from struct mmu_config; every cost is a
 * fixed price per counted event, so the cycle statistics are computed from
 * the event counts when read, not summed per access: see cycles_of):
 * - L1 dTLB hit: lat_l1_hit. Every L1 miss pays lat_stlb_hit (the STLB probe).
 * - STLB miss: a walk, lat_walk_start plus one cost per reference. A
 *   reference costs lat_walk_cache_hit/miss when walk_cache is configured
 *   (64-byte lines of the entry's physical address), else lat_walk_ref[level]
 *   (lat_host_ref for host references).
 * - The walk starts below the deepest paging-structure-cache hit (pwc[lvl]
 *   keyed by va >> PT_SHIFT(lvl), holding the child table); every non-leaf
 *   entry read is inserted into its PWC, even when the walk then faults
 *   (Intel SDM vol. 3 §4.10.3: PWC entries may exist for faulting walks).
 * - Nested: every guest-physical address the walk reads (each guest table
 *   entry, then the data page) goes through the host TLB (keyed by gPA >>
 *   host page shift); a miss walks host_levels down to the host leaf, or only
 *   the leaf after a host PWC hit. Host tables get synthetic addresses so
 *   their references share the walk cache.
 * - A write through a clean writable entry sets D (lat_dirty_assist); a write
 *   through a read-only TLB entry drops it and walks (the fault, if any, is
 *   raised by the walk that sees the current entry).
 * - Only successful walks fill the TLBs (L1 of the leaf size and the STLB);
 *   STLB hits fill the L1.
 * Speed (never results): tlb.h keeps sets in recency order and hashes wide fully
 * associative structures; the walk cache is wcache.h's compact exact LRU
 * (32-bit line keys, no payload); mmu_prefetch lets a replay loop start the
 * host cache miss on a future walk's leaf entry early.
 * Invariant: fast.last_vpn[s] is, when valid, the key of the most recently
 * used way of its set in l1[s] — every slow-path touch or insert of l1[s]
 * rewrites it, every invalidation clears it.
 */
#include "sim/mmu/mmu.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/mmu/pt.h"
#include "sim/mmu/tlb.h"
#include "sim/mmu/wcache.h"

#define V_W 1u /* TLB payload: writable */
#define V_D 2u /* TLB payload: dirty */

#define HOST_PT_BASE (UINT64_C(1) << 47) /* synthetic addresses of host table entries:
					    HOST_PT_BASE | level << 44 | entry (host_walk) */
#define MMU_WQ 1024                      /* walk-cache references queued at most */
#define WQ_HOT (UINT64_C(1) << 63)        /* wq entry: ref_note's hot */

struct mmu {
	struct mmu_fast fast;                /* first: the inline L1-hit path of mmu.h */
	/* config */
	struct mmu_config cfg;               /* as given to mmu_create */
	/* derived */
	unsigned top;                        /* level of the root table (levels - 1) */
	uint64_t va_limit;                   /* first VA above user space */
	unsigned host_shift;                 /* host page shift (12, 21, 30) */
	int walk_cache_on;                   /* walk_cache.entries > 0 */
	/* state */
	struct pt pt;                        /* guest (or native) page table */
	struct tlb l1[PG__COUNT];            /* L1 dTLB per size, key = VPN */
	struct tlb stlb;                     /* 4K+2M, key = VPN << 1 | (size == 2M) */
	struct tlb stlb1g;                   /* 1G, key = VPN */
	uint64_t stlb_n2m;                   /* 2M entries now in stlb (0: skip the 2M probe) */
	struct tlb pwc[MMU_LVL__COUNT];      /* paging-structure caches, payload = child frame */
	struct tlb wc;                       /* walk data cache, key = line address
						(absent when wc32_on) */
	struct wcache wc32;                  /* the walk data cache when wc32_on */
	int wc32_on;                         /* the walk cache is wc32 (wcache.h): its geometry
						holds the keys of every line a walk reads */
	struct tlb htlb;                     /* host TLB, key = gPA >> host_shift */
	struct tlb hpwc;                     /* host PWC, key = gPA >> (host_shift + 9) */
	uint64_t lvl_refs[MMU_LVL__COUNT];   /* guest references by level (priced by
						lat_walk_ref without walk_cache) */
	/* The walk cache observes the walks and nothing reads it back but its
	   hit and miss counts (cycles are priced from counts), so its
	   references are queued, in order, and replayed in a tight loop
	   (wq_flush) before a call returns: same counts, and the walks do not
	   wait on its lookups. */
	unsigned wq_n;                       /* references queued */
	void (*wq_flush)(struct mmu *m);     /* the instance's wq_run */
	uint64_t wq[MMU_WQ];                 /* line | WQ_HOT */
	/* mmu_prefetch's own memo (a hint, never part of results) */
	uint64_t pf_pd_key;                  /* va >> 30 of pf_pd, UINT64_MAX: none */
	const struct pt_page *pf_pd;         /* the PD table mapping that 1 GiB */
	uint64_t pf_frees;                   /* pt.frees when pf_pd was found */
};

_Static_assert(offsetof(struct mmu, fast) == 0, "mmu: struct mmu begins with struct mmu_fast");
_Static_assert(sizeof(unsigned) == sizeof(uint32_t), "mmu: config fields are 32-bit");

static const unsigned pg_shift[PG__COUNT] = { 12, 21, 30 };

/* The lines a walk reads, for wc32: guest tables at PT_TABLE_GPA + frame *
   4096 with 32-bit frames (pt.h), below GUEST_PT_END; host tables (nested)
   at HOST_PT_BASE | level << 44 | entry, where level <= 4 and entry < 2^44
   (host_walk: (gpa >> 21) << 12 + 8 * index for gPAs below 2^52, PTE_ADDR). */
#define GUEST_PT_END (PT_TABLE_GPA + (UINT64_C(1) << 32) * 4096)
#define HOST_PT_END (HOST_PT_BASE + (UINT64_C(4) << 44) + (UINT64_C(1) << 44))
_Static_assert(GUEST_PT_END <= HOST_PT_BASE, "mmu: host table addresses above the guest's");

/* ---- configuration --------------------------------------------------------- */

static void geom(struct mmu_cache_geom *g, unsigned entries, unsigned ways, const char *pol)
{
	g->entries = entries;
	g->ways = ways;
	memset(g->policy, 0, sizeof(g->policy));
	strncpy(g->policy, pol, sizeof(g->policy) - 1);
}

/*
 * Sources: TLB geometry of Sunny Cove (Ice Lake client and server cores) as
 * listed in the Intel 64 and IA-32 Architectures Optimization Reference
 * Manual (Ice Lake TLB parameters table): DTLB 4K 64 entries 4-way, 2M/4M
 * 32 entries 4-way, 1G 8 entries fully associative; STLB 2048 entries 16-way
 * shared by 4K and 2M, plus 1024 entries 8-way for 4K/1G (modelled here as
 * 1G entries only). Intel publishes no paging-structure-cache sizes; the
 * PWC sizes (PDE 32, PDPTE 4, PML4E 2, fully associative) are the estimates
 * commonly used in the literature (Barr, Cox, Rixner, "Translation caching",
 * ISCA 2010; Bhattacharjee, "Large-reach MMU caches", MICRO 2013).
 * Latencies are estimates to be replaced by a calibrated profile: STLB hit
 * about 9 cycles; walk references priced by a 256 KiB share of L2
 * (4096 lines, 14-cycle hit) with misses at an L3/DRAM blend of 90 cycles.
 * Replacement: Intel does not document it; lru for the L1s and PWCs, plru
 * (the usual hardware approximation) for the STLB.
 */
void mmu_config_default_intel(struct mmu_config *c)
{
	memset(c, 0, sizeof(*c));
	c->levels = 4;
	geom(&c->l1[PG_4K], 64, 4, "lru");
	geom(&c->l1[PG_2M], 32, 4, "lru");
	geom(&c->l1[PG_1G], 8, 8, "lru");
	geom(&c->stlb, 2048, 16, "plru");
	geom(&c->stlb_1g, 1024, 8, "plru");
	geom(&c->pwc[MMU_PDE], 32, 32, "lru");
	geom(&c->pwc[MMU_PDPTE], 4, 4, "lru");
	geom(&c->pwc[MMU_PML4E], 2, 2, "lru");
	geom(&c->pwc[MMU_PML5E], 2, 2, "lru");
	c->lat_l1_hit = 0;
	c->lat_stlb_hit = 9;
	c->lat_walk_start = 2;
	for (int l = 0; l < MMU_LVL__COUNT; l++)
		c->lat_walk_ref[l] = 20;
	geom(&c->walk_cache, 4096, 8, "lru");
	c->lat_walk_cache_hit = 14;
	c->lat_walk_cache_miss = 90;
	c->lat_dirty_assist = 20;
	c->flush_ceiling = 33;  /* arch/x86/mm/tlb.c tlb_single_page_flush_ceiling */
	c->nested = 0;
	c->host_levels = 4;
	c->host_page = PG_2M;
	geom(&c->host_tlb, 512, 8, "lru");
	geom(&c->host_pwc, 32, 32, "lru");
	c->lat_host_ref = 20;
}

/* EPT with 4 levels and guest memory backed by 2 MiB host pages (host THP). */
void mmu_config_nested(struct mmu_config *c)
{
	c->nested = 1;
	c->host_levels = 4;
	c->host_page = PG_2M;
}

int mmu_config_check(const struct mmu_config *c, char *err, size_t errlen)
{
	char tmp[8];
	if (!err) {
		err = tmp;
		errlen = sizeof(tmp);
	}
	if (c->levels != 4 && c->levels != 5) {
		snprintf(err, errlen, "levels: %u not 4 or 5", c->levels);
		return -EINVAL;
	}
	static const char *l1n[PG__COUNT] = { "l1.4k", "l1.2m", "l1.1g" };
	for (int s = 0; s < PG__COUNT; s++)
		if (tlb_geom_check(&c->l1[s], l1n[s], err, errlen))
			return -EINVAL;
	if (tlb_geom_check(&c->stlb, "stlb", err, errlen) ||
	    tlb_geom_check(&c->stlb_1g, "stlb1g", err, errlen) ||
	    tlb_geom_check(&c->walk_cache, "walk_cache", err, errlen) ||
	    tlb_geom_check(&c->host_tlb, "host.tlb", err, errlen) ||
	    tlb_geom_check(&c->host_pwc, "host.pwc", err, errlen))
		return -EINVAL;
	for (int l = MMU_PDE; l < MMU_LVL__COUNT; l++) {
		char what[32];
		snprintf(what, sizeof(what), "pwc.%s", mmu_level_name(l));
		if (tlb_geom_check(&c->pwc[l], what, err, errlen))
			return -EINVAL;
	}
	if (c->nested > 1) {
		snprintf(err, errlen, "nested: %u not 0 or 1", c->nested);
		return -EINVAL;
	}
	if (c->host_levels != 4 && c->host_levels != 5) {
		snprintf(err, errlen, "host.levels: %u not 4 or 5", c->host_levels);
		return -EINVAL;
	}
	if ((unsigned)c->host_page >= PG__COUNT) {
		snprintf(err, errlen, "host.page: %u not 4k, 2m or 1g", (unsigned)c->host_page);
		return -EINVAL;
	}
	return 0;
}

const struct mmu_config *mmu_config(const struct mmu *m) { return &m->cfg; }

/* ---- create / destroy ---------------------------------------------------- */

static void pick_slow(struct mmu *m);

int mmu_create(const struct mmu_config *cfg, struct mmu **out)
{
	int err;
	*out = NULL;
	if (mmu_config_check(cfg, NULL, 0))
		return -EINVAL;
	struct mmu *m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->cfg = *cfg;
	m->top = cfg->levels - 1;
	m->host_shift = pg_shift[cfg->host_page];
	m->walk_cache_on = cfg->walk_cache.entries > 0;
	m->fast.lat_l1_hit = cfg->lat_l1_hit;
	for (int s = 0; s < PG__COUNT; s++)
		m->fast.last_vpn[s] = UINT64_MAX;
	m->fast.pf_vpn = UINT64_MAX;
	m->pf_pd_key = UINT64_MAX;
	if ((err = pt_init(&m->pt, cfg->levels)))
		goto fail;
	m->va_limit = pt_va_limit(&m->pt);
	/* key bounds (tlb_init_bounded): user VAs below 2^va_bits; gPAs below 2^52 */
	const unsigned va_bits = PT_SHIFT(cfg->levels) - 1;
	for (int s = 0; s < PG__COUNT; s++)       /* L1 keys: VPN of the size */
		if ((err = tlb_init_bounded(&m->l1[s], &cfg->l1[s], va_bits - pg_shift[s])))
			goto fail;
	for (int l = 0; l < MMU_LVL__COUNT; l++) {
		struct mmu_cache_geom g = cfg->pwc[l];
		if (l == MMU_PTE || l > (int)m->top)
			g.entries = 0;   /* no PWC for PTEs, nor above the root */
		if ((err = tlb_init(&m->pwc[l], &g)))
			goto fail;
	}
	struct mmu_cache_geom none = { 0, 0, "lru" };
	if (m->walk_cache_on) {
		err = wc_init(&m->wc32, &cfg->walk_cache, (cfg->nested ? HOST_PT_END : GUEST_PT_END) >> 6);
		if (err == -ENOMEM)
			goto fail;
		m->wc32_on = err == 0;   /* -EINVAL: a geometry only struct tlb holds */
	}
	/* STLB keys: VPN << 1 | 2M (stlb_key); 1G STLB keys: VPN of 1 GiB; host TLB
	   keys: gPA >> host page shift */
	if ((err = tlb_init_bounded(&m->stlb, &cfg->stlb, va_bits - 12 + 1)) ||
	    (err = tlb_init_bounded(&m->stlb1g, &cfg->stlb_1g, va_bits - 30)) ||
	    (err = tlb_init(&m->wc, m->wc32_on ? &none : &cfg->walk_cache)) ||
	    (err = tlb_init_bounded(&m->htlb, cfg->nested ? &cfg->host_tlb : &none,
				    52 - m->host_shift)) ||
	    (err = tlb_init(&m->hpwc, cfg->nested ? &cfg->host_pwc : &none)))
		goto fail;
	pick_slow(m);
	*out = m;
	return 0;
fail:
	mmu_destroy(m);
	return err;
}

void mmu_destroy(struct mmu *m)
{
	if (!m)
		return;
	pt_fini(&m->pt);
	for (int s = 0; s < PG__COUNT; s++)
		tlb_fini(&m->l1[s]);
	for (int l = 0; l < MMU_LVL__COUNT; l++)
		tlb_fini(&m->pwc[l]);
	tlb_fini(&m->stlb);
	tlb_fini(&m->stlb1g);
	tlb_fini(&m->wc);
	wc_fini(&m->wc32);
	tlb_fini(&m->htlb);
	tlb_fini(&m->hpwc);
	free(m);
}

/* ---- invalidation ---------------------------------------------------------- */

static void forget_last(struct mmu *m)
{
	for (int s = 0; s < PG__COUNT; s++)
		m->fast.last_vpn[s] = UINT64_MAX;
}

static void flush_pwc(struct mmu *m)
{
	for (int l = MMU_PDE; l < MMU_LVL__COUNT; l++)
		tlb_flush(&m->pwc[l]);
}

/* Drop every TLB entry translating va (all sizes), not the PWCs. */
static void drop_va(struct mmu *m, uint64_t va)
{
	if (va >= m->va_limit) {   /* nothing translates it (and the TLBs' keys are
				      bounded by va_limit: tlb_init_bounded) */
		forget_last(m);
		return;
	}
	for (int s = 0; s < PG__COUNT; s++) {
		uint64_t vpn = va >> pg_shift[s];
		tlb_invalidate(&m->l1[s], vpn, vpn);
	}
	uint64_t v4 = va >> 12, v2 = va >> 21, v1 = va >> 30;
	tlb_invalidate(&m->stlb, v4 << 1, v4);
	m->stlb_n2m -= (uint64_t)tlb_invalidate(&m->stlb, v2 << 1 | 1, v2);
	tlb_invalidate(&m->stlb1g, v1, v1);
	forget_last(m);
}

void mmu_flush_all(struct mmu *m)
{
	for (int s = 0; s < PG__COUNT; s++)
		tlb_flush(&m->l1[s]);
	tlb_flush(&m->stlb);
	m->stlb_n2m = 0;
	tlb_flush(&m->stlb1g);
	flush_pwc(m);
	forget_last(m);
	m->fast.stats[MMU_ST_FLUSH_ALL]++;
}

void mmu_invlpg(struct mmu *m, uint64_t va)
{
	drop_va(m, va);
	flush_pwc(m);
	m->fast.stats[MMU_ST_INVLPG]++;
}

/* Linux's flush after unmap/protect: stride pages up to flush_ceiling, else all. */
static void flush_change(struct mmu *m, const struct pt_change *ch, unsigned stride_shift)
{
	if (ch->hi > ch->lo) {
		uint64_t nr = (ch->hi - ch->lo) >> stride_shift;
		if (nr > m->cfg.flush_ceiling) {
			mmu_flush_all(m);
			return;
		}
		for (uint64_t a = ch->lo; a < ch->hi; a += UINT64_C(1) << stride_shift)
			mmu_invlpg(m, a);
		return;
	}
	if (ch->tables_freed) {
		flush_pwc(m);
		m->fast.stats[MMU_ST_INVLPG]++;
	}
}

/* ---- page table ------------------------------------------------------------ */

int mmu_map(struct mmu *m, uint64_t va, enum pg_size sz, unsigned prot)
{
	uint64_t a = m->pt.allocs;
	int err = pt_map(&m->pt, va, sz, prot);
	m->fast.stats[MMU_ST_PT_ALLOC] += m->pt.allocs - a;
	return err;
}

int mmu_unmap_range(struct mmu *m, uint64_t va, uint64_t len, uint64_t floor, uint64_t ceiling)
{
	struct pt_change ch;
	if (len > m->va_limit || va > m->va_limit - len)
		return -EINVAL;
	uint64_t f = m->pt.frees, a = m->pt.allocs;
	int err = pt_unmap(&m->pt, va, va + len, floor, ceiling, &ch);
	m->fast.stats[MMU_ST_PT_FREE] += m->pt.frees - f;
	m->fast.stats[MMU_ST_PT_ALLOC] += m->pt.allocs - a;
	if (err == -EINVAL)
		return err;
	unsigned stride = 12;                   /* mm/mmu_gather tlb_get_unmap_shift */
	if (!(ch.sizes & (1u << PG_4K)))
		stride = (ch.sizes & (1u << PG_2M)) ? 21 : 30;
	flush_change(m, &ch, stride);
	return err;
}

int mmu_unmap(struct mmu *m, uint64_t va, uint64_t len)
{
	if (len > m->va_limit || va > m->va_limit - len)
		return -EINVAL;
	return mmu_unmap_range(m, va, len, va, va + len);
}

int mmu_protect(struct mmu *m, uint64_t va, uint64_t len, unsigned prot)
{
	struct pt_change ch;
	if (len > m->va_limit || va > m->va_limit - len)
		return -EINVAL;
	int err = pt_protect(&m->pt, va, va + len, prot, &ch);
	if (err == -EINVAL)
		return err;
	flush_change(m, &ch, 12);               /* flush_tlb_range: PAGE_SHIFT stride */
	return err;
}

int mmu_lookup(const struct mmu *m, uint64_t va, enum pg_size *sz, unsigned *prot)
{
	enum pg_size s;
	const uint64_t *e = pt_leaf(&m->pt, va, &s);
	if (!e)
		return -ENOENT;
	if (sz)
		*sz = s;
	if (prot)
		*prot = ((*e & PTE_W) ? MMU_W : 0) | ((*e & PTE_A) ? MMU_A : 0) |
			((*e & PTE_D) ? MMU_D : 0);
	return 0;
}

int mmu_young_test_clear(struct mmu *m, uint64_t va)
{
	uint64_t *e = pt_leaf(&m->pt, va, NULL);

	if (!e || !(*e & PTE_A))
		return 0;
	*e &= ~PTE_A;
	return 1;
}

void mmu_young_set(struct mmu *m, uint64_t va)
{
	uint64_t *e = pt_leaf(&m->pt, va, NULL);

	if (e)
		*e |= PTE_A;
}

uint64_t mmu_pt_pages(const struct mmu *m, enum mmu_level lvl)
{
	return (unsigned)lvl < MMU_LVL__COUNT ? m->pt.pages[lvl] : 0;
}

uint64_t mmu_pt_bytes(const struct mmu *m)
{
	return 4096 * (m->pt.pages[MMU_PTE] + m->pt.pages[MMU_PDE] + m->pt.pages[MMU_PDPTE]);
}

/* ---- translation ------------------------------------------------------------- */

/*
 * The translation path is written once, as always-inline functions taking a
 * struct mshape: the representation of every structure (tlb.h kind and
 * ways), nesting and levels. mmu_create picks a specialisation whose shape
 * matches the structures it built (the stock profiles' geometries), where
 * all of these are constants and every structure operation inlines; any
 * other configuration gets the generic instance, which reads them at run
 * time. Same code, same results; only the speed differs.
 */
struct tspec {
	int dyn;          /* 1: read the structure (t->impl); 0: the constants below */
	enum tlb_kind k;  /* representation (tlb.h) */
	unsigned w;       /* ways; 0: structure absent (entries 0) */
	unsigned f;       /* TF_* below */
};
#define TF_MEMO 1u        /* try the set's most recently used way first (tlb_mru_slot:
			     for structures whose hits mostly repeat it) */
#define TF_FA 2u          /* one set (fully associative): the set index is 0 */
#define TF_BUSY 4u        /* seldom empty: look up without testing for that first */
struct mshape {
	struct tspec l1[PG__COUNT], stlb, stlb1g, pwc[MMU_LVL__COUNT], wc, htlb;
	int wc32;         /* ways of the compact walk cache (wc32_on), 0: none; -1: read m */
	int nested;       /* -1: read cfg.nested */
	unsigned levels;  /* 0: read cfg.levels */
};

#define TS_DYN { 1, TLB_K_NONE, 0, 0 }
#define TS_NONE { 0, TLB_K_NONE, 0, 0 }
#define TS(K, W) { 0, TLB_K_##K, W, 0 }
#define TSF(K, W, F) { 0, TLB_K_##K, W, F }
#define SHAPE_DYN                                                                       \
	{ .l1 = { TS_DYN, TS_DYN, TS_DYN }, .stlb = TS_DYN, .stlb1g = TS_DYN,               \
	  .pwc = { TS_DYN, TS_DYN, TS_DYN, TS_DYN, TS_DYN }, .wc = TS_DYN, .htlb = TS_DYN,  \
	  .wc32 = -1, .nested = -1, .levels = 0 }
static const struct mshape shape_dyn = SHAPE_DYN;  /* the generic instance's */

/* What mmu_access_run's prefetch found for an access's walk a few accesses
   early: the guest-physical address of its PTE and the entry (pa 0: none).
   The walk takes them, after checking pa against its own, so the work on
   the leaf line (the walk-cache lookup, whose hit or miss is a coin toss
   for random accesses) starts without waiting for the walk's chain of
   loads: a mispredicted branch there is then found out early. Speed only. */
struct pte_hint {
	uint64_t pa;
	uint64_t *e;
};

/* The PTE of a walk without a usable hint (kept out of line so the hinted
   case stays a branch, not a select that would wait for pa). */
static __attribute__((noinline)) uint64_t *pte_at(struct mmu *m, uint32_t frame, unsigned idx)
{
	return &pt_page(&m->pt, frame)->e[idx];
}

TLB_AI int s_lookup(struct tlb *t, uint64_t key, uint64_t index, struct tspec s)
{
	if (s.dyn)
		return tlb_lookup(t, key, index);
	if (s.w == 0 || (!(s.f & TF_BUSY) && t->nvalid == 0))
		return -1;
	if (s.f & TF_FA)
		index = 0;
	if (s.f & TF_MEMO) {
		int slot = tlb_mru_slot(t, key, index, s.k, s.w);
		if (slot >= 0)
			return slot;
	}
	return tlb_lookup_kw(t, key, index, s.k, s.w, 1);
}

TLB_AI int s_insert(struct tlb *t, uint64_t key, uint64_t index, uint32_t val,
		    uint64_t *evicted, struct tspec s)
{
	if (s.dyn)
		return tlb_insert(t, key, index, val, evicted);
	if (evicted)
		*evicted = TLB_NOKEY;
	if (s.w == 0)
		return -1;
	return tlb_insert_kw(t, key, (s.f & TF_FA) ? 0 : index, val, evicted, s.k, s.w, 1);
}

/* s_insert of key (= index) into the L1 of size i, i known only at run time:
   the switch makes each call's spec a constant of the shape. */
TLB_AI void s_insert_l1(struct tlb *l1, const struct tspec *sp, enum pg_size i, uint64_t key,
			uint32_t val)
{
	switch (i) {
	case PG_4K: s_insert(&l1[PG_4K], key, key, val, NULL, sp[PG_4K]); break;
	case PG_2M: s_insert(&l1[PG_2M], key, key, val, NULL, sp[PG_2M]); break;
	default: s_insert(&l1[PG_1G], key, key, val, NULL, sp[PG_1G]); break;
	}
}

TLB_AI int s_access(struct tlb *t, uint64_t key, uint64_t index, struct tspec s, int memo)
{
	if (s.dyn)
		return tlb_access(t, key, index, 0);
	if (s.w == 0)
		return 0;
	if (s.f & TF_FA)
		index = 0;
	if ((s.f & TF_MEMO) && memo && tlb_mru_slot(t, key, index, s.k, s.w) >= 0)
		return 1;
	return tlb_access_kw(t, key, index, 0, s.k, s.w, 1);
}

/* One reference to physical address pa, of guest level lvl (-1: a host
   reference): through the walk cache, else counted for lat_walk_ref. hot:
   the line is likely its set's most recent (upper table levels), so the
   memo is worth a try; a random leaf line is not. */
TLB_AI void ref_note(struct mmu *m, uint64_t pa, int lvl, int hot, const struct mshape *S)
{
	if (S->wc.dyn ? !m->walk_cache_on : S->wc.w == 0 && S->wc32 == 0) {
		if (lvl >= 0)
			m->lvl_refs[lvl]++;
		return;
	}
	m->wq[m->wq_n++] = pa >> 6 | (hot ? WQ_HOT : 0);
	if (m->wq_n == MMU_WQ)
		m->wq_flush(m);
}

/* The queued walk-cache references, in order, their hits and misses
   counted (through a struct tlb, the set of the one 16 ahead prefetched). */
TLB_AI void wq_run(struct mmu *m, const struct mshape *S)
{
	const unsigned n = m->wq_n;
	const unsigned W32 = S->wc32 < 0 ? (m->wc32_on ? m->wc32.ways : 0) : (unsigned)S->wc32;
	uint64_t hits = 0;
	for (unsigned i = 0; i < n; i++) {
		uint64_t line = m->wq[i] & ~WQ_HOT;
		int hot = (int)(m->wq[i] >> 63);
		if (W32) {   /* its blocks stay in the host's L2: no prefetch (measured no faster) */
			hits += (uint64_t)wc_access(&m->wc32, line, W32, hot);
			continue;
		}
		if (i + 16 < n && !S->wc.dyn) {
			unsigned set = (unsigned)(m->wq[i + 16] & m->wc.set_mask);
			__builtin_prefetch(tlb_set_tags(&m->wc, set, S->wc.k, S->wc.w));
			__builtin_prefetch(m->wc.key + (size_t)set * S->wc.w);
		}
		hits += (uint64_t)s_access(&m->wc, line, line, S->wc, hot);
	}
	m->fast.stats[MMU_ST_WALK_CACHE_HIT] += hits;
	m->fast.stats[MMU_ST_WALK_CACHE_MISS] += n - hits;
	m->wq_n = 0;
}

/* Nested, after a host TLB miss: a walk of the host tables from below the
   host PWC's hit. Out of line and through the structures' own
   operations (not specialised): it runs on host TLB misses only, and inlining
   it into every guest level of every specialised path multiplied the code. */
static void host_walk(struct mmu *m, uint64_t gpa)
{
	uint64_t *st = m->fast.stats;
	st[MMU_ST_HOST_TLB_MISS]++;
	unsigned leaf = (unsigned)m->cfg.host_page;
	unsigned start = m->cfg.host_levels - 1;
	uint64_t hk = gpa >> (m->host_shift + 9);
	if (tlb_access(&m->hpwc, hk, hk, 0))
		start = leaf;
	for (int l = (int)start; l >= (int)leaf; l--) {
		uint64_t pa = HOST_PT_BASE | (uint64_t)l << 44 |
			      (gpa >> PT_SHIFT(l + 1)) << 12 | ((gpa >> PT_SHIFT(l)) & 511) * 8;
		ref_note(m, pa, -1, 0, &shape_dyn);
		st[MMU_ST_WALK_HOST_REFS]++;
	}
}

/* Nested: translate guest-physical gpa through the host: the host TLB,
   else host_walk (a host TLB miss inserts the translation at once: the host
   walk touches other structures only). */
TLB_AI void host_translate(struct mmu *m, uint64_t gpa, const struct mshape *S)
{
	uint64_t hv = gpa >> m->host_shift;
	if (s_access(&m->htlb, hv, hv, S->htlb, 1))
		m->fast.stats[MMU_ST_HOST_TLB_HIT]++;
	else
		host_walk(m, gpa);
}

/*
 * One level of a walk: the entry for va in table *frame of level lvl (a
 * constant in every call of walk). Returns 0 when the walk goes on below
 * (*frame is then the child table, inserted into its PWC), else the walk's
 * result + 1 (on MMU_OK *sz and *val describe the leaf: A and, for writes, D
 * now set).
 */
TLB_AI int walk_level(struct mmu *m, uint64_t va, int is_write, int lvl, uint32_t *frame,
		      enum pg_size *sz, uint32_t *val, int nested, const struct pte_hint *hint,
		      const struct mshape *S)
{
	unsigned idx = (va >> PT_SHIFT(lvl)) & 511;
	uint64_t pa = PT_TABLE_GPA + (uint64_t)*frame * 4096 + idx * 8;
	uint64_t *e;
	if (lvl == MMU_PTE && hint && __builtin_expect(hint->pa == pa, 1)) {
		e = hint->e;
		pa = hint->pa;
		__asm__("" : "+r"(pa), "+r"(e));  /* the hint's copies from here on */
	} else if (lvl == MMU_PTE && hint) {
		e = pte_at(m, *frame, idx);
	} else {
		e = &pt_page(&m->pt, *frame)->e[idx];
	}
	if (nested)
		host_translate(m, pa, S);
	ref_note(m, pa, lvl, lvl > MMU_PTE, S);
	if (!(*e & PTE_P))
		return MMU_FAULT_NOTPRESENT + 1;
	if (lvl == 0 || (*e & PTE_PS)) {
		if (is_write && !(*e & PTE_W))
			return MMU_FAULT_WP + 1;
		*e |= PTE_A | (is_write ? PTE_D : 0);
		if (nested)
			host_translate(m, (*e & PTE_ADDR) + (va & ((UINT64_C(1) << PT_SHIFT(lvl)) - 1)), S);
		*sz = (enum pg_size)lvl;
		*val = ((*e & PTE_W) ? V_W : 0) | ((*e & PTE_D) ? V_D : 0);
		return MMU_OK + 1;
	}
	*e |= PTE_A;
	*frame = (uint32_t)((*e & PTE_ADDR) >> 12);
	uint64_t k = va >> PT_SHIFT(lvl);
	s_insert(&m->pwc[lvl], k, k, *frame, NULL, S->pwc[lvl]);
	return 0;
}

/* walk_level for the levels above the PDPT (PML4, PML5), out of line and not
   specialised: they are walked only after a PDPTE-cache miss. */
static int walk_upper(struct mmu *m, uint64_t va, int is_write, int lvl, uint32_t *frame,
		      enum pg_size *sz, uint32_t *val)
{
	return walk_level(m, va, is_write, lvl, frame, sz, val, (int)m->cfg.nested, NULL, &shape_dyn);
}

/*
 * Walk the table for va. On MMU_OK *sz and *val describe the leaf (A and, for
 * writes, D now set).
 */
TLB_AI int walk(struct mmu *m, uint64_t va, int is_write, enum pg_size *sz, uint32_t *val,
		const struct pte_hint *hint, const struct mshape *S)
{
	uint64_t *st = m->fast.stats;
	const int top = S->levels ? (int)S->levels - 1 : (int)m->top;
	const int nested = S->nested < 0 ? (int)m->cfg.nested : S->nested;
	int lvl = top;
	uint32_t frame = m->pt.root;
#pragma GCC unroll 4
	for (int l = MMU_PDE; l <= top; l++) {
		uint64_t k = va >> PT_SHIFT(l);
		int slot = s_lookup(&m->pwc[l], k, k, S->pwc[l]);
		if (slot >= 0) {
			st[MMU_ST_PWC_HIT_PDE + (l - MMU_PDE)]++;
			frame = m->pwc[l].val[slot];
			lvl = l - 1;
			break;
		}
	}
	if (lvl == top)
		st[MMU_ST_PWC_MISS]++;
	/* from lvl down, each level a constant */
#define LEVEL(L) walk_level(m, va, is_write, L, &frame, sz, val, nested, hint, S)
	int r = 0;
	switch (lvl) {
	case MMU_PML5E:
	case MMU_PML4E:                 /* a PDPTE-cache miss: not specialised */
		for (; lvl > MMU_PDPTE && !r; lvl--)
			r = walk_upper(m, va, is_write, lvl, &frame, sz, val);
		if (r)
			break;
		__attribute__((fallthrough));
	case MMU_PDPTE:
		if ((r = LEVEL(MMU_PDPTE)))
			break;
		__attribute__((fallthrough));
	case MMU_PDE:
		if ((r = LEVEL(MMU_PDE)))
			break;
		__attribute__((fallthrough));
	default:
		r = LEVEL(MMU_PTE);
		break;
	}
#undef LEVEL
	int res = r - 1;
	if (res == MMU_FAULT_NOTPRESENT)
		st[MMU_ST_FAULT_NP]++;
	else if (res == MMU_FAULT_WP)
		st[MMU_ST_FAULT_WP]++;
	return res;
}

static inline uint64_t stlb_key(enum pg_size s, uint64_t vpn) { return vpn << 1 | (s == PG_2M); }

/* The STLB slot (and its structure) translating va, touched when touch is
   set; -1 when none. */
TLB_AI int stlb_find(struct mmu *m, uint64_t va, int touch, struct tlb **t, enum pg_size *sz,
		     const struct mshape *S)
{
#define FIND(T, KEY, VPN, SPEC) (touch ? s_lookup(T, KEY, VPN, SPEC) : tlb_probe(T, KEY, VPN))
	uint64_t v4 = va >> 12, v2 = va >> 21, v1 = va >> 30;
	int slot;
	if ((slot = FIND(&m->stlb, stlb_key(PG_4K, v4), v4, S->stlb)) >= 0) {
		*t = &m->stlb;
		*sz = PG_4K;
	} else if (m->stlb_n2m && (slot = FIND(&m->stlb, stlb_key(PG_2M, v2), v2, S->stlb)) >= 0) {
		*t = &m->stlb;
		*sz = PG_2M;
	} else if ((slot = FIND(&m->stlb1g, v1, v1, S->stlb1g)) >= 0) {
		*t = &m->stlb1g;
		*sz = PG_1G;
	}
	return slot;
#undef FIND
}

/* A write through a writable clean entry: set D in the PTE and in the TLB copies. */
static void dirty_assist(struct mmu *m, uint64_t va)
{
	uint64_t *e = pt_leaf(&m->pt, va, NULL);
	if (e)
		*e |= PTE_D | PTE_A;
	for (int s = 0; s < PG__COUNT; s++) {
		uint64_t vpn = va >> pg_shift[s];
		int slot = tlb_probe(&m->l1[s], vpn, vpn);
		if (slot >= 0)
			m->l1[s].val[slot] |= V_D;
	}
	struct tlb *t;
	enum pg_size sz;
	int slot = stlb_find(m, va, 0, &t, &sz, &shape_dyn);
	if (slot >= 0)
		t->val[slot] |= V_D;
	m->fast.stats[MMU_ST_DIRTY_ASSIST]++;
}

/* Insert into the unified STLB, keeping the count of 2M entries. */
TLB_AI void stlb_fill(struct mmu *m, enum pg_size sz, uint64_t vpn, uint32_t val,
		      const struct mshape *S)
{
	uint64_t ev;
	if (s_insert(&m->stlb, stlb_key(sz, vpn), vpn, val, &ev, S->stlb) < 0)
		return;
	if (ev != TLB_NOKEY && (ev & 1))
		m->stlb_n2m--;
	if (sz == PG_2M)
		m->stlb_n2m++;
}

/* The L1 entry of size s for vpn, payload val, is now the fast-path entry. */
static inline void set_last(struct mmu *m, enum pg_size s, uint64_t vpn, uint32_t val)
{
	m->fast.last_vpn[s] = vpn;
	m->fast.last_wok[s] = (val & (V_W | V_D)) == (V_W | V_D);
	m->fast.last_w[s] = (val & V_W) != 0;
}

/* Fill the L1 of size s with vpn; it becomes the fast-path entry. */
TLB_AI void l1_fill(struct mmu *m, enum pg_size s, uint64_t vpn, uint32_t val,
		    const struct mshape *S)
{
	s_insert_l1(m->l1, S->l1, s, vpn, val);
	set_last(m, s, vpn, val);
}

/* The slow path of one access: statistics only (cycles_of prices them). */
TLB_AI int access_slow(struct mmu *m, uint64_t va, int is_write, const struct pte_hint *hint,
		       const struct mshape *S)
{
	uint64_t *st = m->fast.stats;
	int res = MMU_OK;
	if (va >= m->va_limit) {                /* outside user space: no translation */
		st[MMU_ST_L1_MISS]++;
		st[MMU_ST_FAULT_NP]++;
		return MMU_FAULT_NOTPRESENT;
	}
	/* L1 dTLBs, probed in parallel by hardware: at most one size holds va */
#pragma GCC unroll 3
	for (int s = 0; s < PG__COUNT; s++) {
		uint64_t vpn = va >> pg_shift[s];
		int slot = s_lookup(&m->l1[s], vpn, vpn, S->l1[s]);
		if (slot < 0)
			continue;
		uint32_t val = m->l1[s].val[slot];
		set_last(m, (enum pg_size)s, vpn, val);
		if (is_write && !(val & V_W)) {  /* stale read-only entry: drop, walk */
			drop_va(m, va);
			break;
		}
		if (is_write && !(val & V_D)) {
			dirty_assist(m, va);
			m->fast.last_wok[s] = 1;
		}
		st[MMU_ST_L1_HIT_4K + s]++;
		return MMU_OK;
	}
	st[MMU_ST_L1_MISS]++;
	struct tlb *t;
	enum pg_size sz;
	int slot = stlb_find(m, va, 1, &t, &sz, S);
	if (slot >= 0) {
		uint32_t val = t->val[slot];
		if (!is_write || (val & V_W)) {
			if (is_write && !(val & V_D)) {
				dirty_assist(m, va);
				val |= V_D;
			}
			st[MMU_ST_STLB_HIT]++;
			st[MMU_ST_L1_MISS_4K + sz]++;
			l1_fill(m, sz, va >> pg_shift[sz], val, S);
			return MMU_OK;
		}
		drop_va(m, va);                 /* read-only entry, write: walk */
	}
	st[MMU_ST_STLB_MISS]++;
	uint32_t val;
	res = walk(m, va, is_write, &sz, &val, hint, S);
	if (res == MMU_OK) {
		uint64_t vpn = va >> pg_shift[sz];
		if (sz == PG_1G)
			s_insert(&m->stlb1g, vpn, vpn, val, NULL, S->stlb1g);
		else
			stlb_fill(m, sz, vpn, val, S);
		l1_fill(m, sz, vpn, val, S);
		st[MMU_ST_L1_MISS_4K + sz]++;
	}
	return res;
}

/*
 * The cycles the statistics stand for: each cost rule (file comment) is a
 * price per counted event. The STLB is probed once per L1 miss inside user
 * space, and each probe ends in a hit or a miss; walk references are priced
 * by the walk cache's hits and misses, else by level (lvl_refs) and host
 * references.
 */
static uint64_t walk_cycles_of(const struct mmu *m)
{
	const uint64_t *st = m->fast.stats;
	const struct mmu_config *c = &m->cfg;
	uint64_t w = st[MMU_ST_STLB_MISS] * c->lat_walk_start;  /* = walks */
	if (m->walk_cache_on)
		return w + st[MMU_ST_WALK_CACHE_HIT] * c->lat_walk_cache_hit +
		       st[MMU_ST_WALK_CACHE_MISS] * c->lat_walk_cache_miss;
	for (int l = 0; l < MMU_LVL__COUNT; l++)
		w += m->lvl_refs[l] * c->lat_walk_ref[l];
	return w + st[MMU_ST_WALK_HOST_REFS] * c->lat_host_ref;
}

/* Guest page-table references (MMU_ST_WALK_REFS): each reference is a
   walk-cache hit or miss (host references too), else counted by level. */
static uint64_t guest_refs(const struct mmu *m)
{
	const uint64_t *st = m->fast.stats;
	uint64_t r = 0;
	if (m->walk_cache_on)
		return st[MMU_ST_WALK_CACHE_HIT] + st[MMU_ST_WALK_CACHE_MISS] - st[MMU_ST_WALK_HOST_REFS];
	for (int l = 0; l < MMU_LVL__COUNT; l++)
		r += m->lvl_refs[l];
	return r;
}

/* All but the L1 hits' lat_l1_hit (MMU_ST_SLOW_CYCLES). */
static uint64_t slow_cycles_of(const struct mmu *m)
{
	const uint64_t *st = m->fast.stats;
	return (st[MMU_ST_STLB_HIT] + st[MMU_ST_STLB_MISS]) * m->cfg.lat_stlb_hit +
	       st[MMU_ST_DIRTY_ASSIST] * m->cfg.lat_dirty_assist + walk_cycles_of(m);
}

static uint64_t cycles_of(const struct mmu *m)
{
	const uint64_t *st = m->fast.stats;
	return slow_cycles_of(m) +
	       (st[MMU_ST_L1_HIT_4K] + st[MMU_ST_L1_HIT_2M] + st[MMU_ST_L1_HIT_1G]) * m->cfg.lat_l1_hit;
}

/* mmu_prefetch_slow's body (inlined into the run loops). */
static inline void prefetch_walk(struct mmu *m, uint64_t va, struct pte_hint *h);

/* mmu_access_run for one shape: mmu_access's inline check, then the slow
   path inlined, in one loop. */
TLB_AI size_t access_run(struct mmu *m, const uint64_t *req, size_t n, uint64_t *cycles,
			 int *res, const struct mshape *S)
{
	struct mmu_fast *f = &m->fast;
	uint64_t c0 = cycles_of(m), unused = 0;
	struct pte_hint ring[16];       /* hints for accesses i .. i + AHEAD */
	_Static_assert(MMU_PREFETCH_AHEAD < 16, "mmu: the hint ring holds the accesses ahead");
	for (size_t i = 0; i < MMU_PREFETCH_AHEAD; i++)
		ring[i].pa = 0;
	for (size_t i = 0; i < n; i++) {
		if (i + MMU_PREFETCH_AHEAD < n) {
			uint64_t pv = req[i + MMU_PREFETCH_AHEAD] & ~MMU_RUN_WRITE, v4 = pv >> 12;
			struct pte_hint *h = &ring[(i + MMU_PREFETCH_AHEAD) & 15];
			h->pa = 0;
			if (v4 != f->last_vpn[PG_4K] && v4 != f->pf_vpn && (pv >> 21) != f->last_vpn[PG_2M] &&
			    (pv >> 30) != f->last_vpn[PG_1G])
				prefetch_walk(m, pv, h);
		}
		uint64_t va = req[i] & ~MMU_RUN_WRITE;
		int w = (int)(req[i] >> 63);
		if (mmu_access_last(f, va, w, &unused))
			continue;
		int r = access_slow(m, va, w, &ring[i & 15], S);
		if (r != MMU_OK) {
			m->wq_flush(m);
			*cycles += cycles_of(m) - c0;
			*res = r;
			return i;
		}
	}
	m->wq_flush(m);
	*cycles += cycles_of(m) - c0;
	return n;
}

/* The instances: generic, and the shapes of the stock profiles intel-server
   and vm-host (sim/profiles) and of mmu_config_default_intel (the sim-mmu
   benchmark). Every instance inlines some twenty structure operations; more
   shapes cost compile time (minutes under clang's sanitizers), not speed.
   SHAPE(L1_ name, STLB, walk cache, compact walk cache ways, host TLB, nested):
   4 levels, the 1G STLB and the paging-structure caches of
   mmu_config_default_intel. TF_BUSY marks the structures every walk uses. */
#define SHAPE(L1, STLB, WC, WC32, HTLB, NESTED)                                         \
	{ .l1 = L1_##L1, .stlb = STLB, .stlb1g = TS(PLRU32, 8),                         \
	  .pwc = { TS_NONE, TSF(AGE, 32, TF_FA | TF_BUSY), TSF(PERM, 4, TF_MEMO | TF_FA | TF_BUSY), \
		   TSF(PERM, 2, TF_FA), TS_NONE },                                        \
	  .wc = WC, .wc32 = WC32, .htlb = HTLB, .nested = NESTED, .levels = 4 }
#define L1_INTEL { TSF(PERM32, 4, TF_BUSY), TS(PERM32, 4), TSF(PERM32, 8, TF_FA) }
#define L1_VM { TSF(LIST, 64, TF_BUSY), TS(LIST, 64), TS(LIST, 64) }
static const struct mshape shapes[] = {
	SHAPE_DYN,
#ifndef MMU_GENERIC_ONLY   /* fuzz builds: they fuzz the parsers, not the MMU */
	SHAPE(INTEL, TSF(PLRU32, 16, TF_BUSY), TS_NONE, 20, TS_NONE, 0),   /* intel-server */
	SHAPE(VM, TSF(PLRU32, 16, TF_BUSY), TS_NONE, 8, TSF(PERM32, 8, TF_MEMO | TF_BUSY), 1), /* vm-host */
	SHAPE(INTEL, TSF(PLRU32, 16, TF_BUSY), TS_NONE, 8, TS_NONE, 0),    /* default */
#endif
};
#undef SHAPE
#undef L1_INTEL
#undef L1_VM

#define SLOW_INSTANCE(N)                                                                \
	static int slow_##N(struct mmu *m, uint64_t va, int is_write, uint64_t *cycles) \
	{                                                                               \
		uint64_t c0 = cycles_of(m);                                             \
		int r = access_slow(m, va, is_write, NULL, &shapes[N]);                 \
		m->wq_flush(m);                                                         \
		*cycles += cycles_of(m) - c0;                                           \
		return r;                                                               \
	}                                                                               \
	static size_t run_##N(struct mmu *m, const uint64_t *req, size_t n, uint64_t *cycles, \
			      int *res)                                                 \
	{                                                                               \
		return access_run(m, req, n, cycles, res, &shapes[N]);                   \
	}                                                                               \
	static void wq_##N(struct mmu *m) { wq_run(m, &shapes[N]); }
SLOW_INSTANCE(0)
#ifndef MMU_GENERIC_ONLY
SLOW_INSTANCE(1)
SLOW_INSTANCE(2)
SLOW_INSTANCE(3)
#endif
#undef SLOW_INSTANCE
static int (*const slow_fn[])(struct mmu *, uint64_t, int, uint64_t *) = {
	slow_0,
#ifndef MMU_GENERIC_ONLY
	slow_1, slow_2, slow_3,
#endif
};
static size_t (*const run_fn[])(struct mmu *, const uint64_t *, size_t, uint64_t *, int *) = {
	run_0,
#ifndef MMU_GENERIC_ONLY
	run_1, run_2, run_3,
#endif
};
static void (*const wq_fn[])(struct mmu *) = {
	wq_0,
#ifndef MMU_GENERIC_ONLY
	wq_1, wq_2, wq_3,
#endif
};
_Static_assert(sizeof(slow_fn) / sizeof(slow_fn[0]) == sizeof(shapes) / sizeof(shapes[0]) &&
	       sizeof(run_fn) == sizeof(slow_fn) && sizeof(wq_fn) == sizeof(slow_fn),
	       "mmu: one instance per shape");

/* Whether structure t is what spec s says it is. */
static int spec_fits(const struct tlb *t, struct tspec s)
{
	if (s.dyn)
		return 1;
	if (s.w == 0)
		return t->entries == 0;
	return t->entries && t->kind == s.k && t->ways == s.w && (!(s.f & TF_FA) || t->sets == 1) &&
	       (t->sets_pow2 || t->kind == TLB_K_LIST || t->kind == TLB_K_HPLRU);
}

/* The first specialised instance whose shape m's structures have, else generic. */
static int shape_of(const struct mmu *m)
{
	for (size_t i = 1; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		const struct mshape *S = &shapes[i];
		int ok = S->nested == (int)m->cfg.nested && S->levels == m->cfg.levels &&
			 spec_fits(&m->stlb, S->stlb) && spec_fits(&m->stlb1g, S->stlb1g) &&
			 spec_fits(&m->wc, S->wc) && spec_fits(&m->htlb, S->htlb) &&
			 S->wc32 == (m->wc32_on ? (int)m->wc32.ways : 0);
		for (int s = 0; s < PG__COUNT; s++)
			ok = ok && spec_fits(&m->l1[s], S->l1[s]);
		for (int l = 0; l < MMU_LVL__COUNT; l++)
			ok = ok && spec_fits(&m->pwc[l], S->pwc[l]);
		if (ok)
			return (int)i;
	}
	return 0;
}

static void pick_slow(struct mmu *m)
{
	int i = shape_of(m);
	m->fast.slow = slow_fn[i];
	m->fast.run = run_fn[i];
	m->wq_flush = wq_fn[i];
}

int mmu_shape(const struct mmu *m)
{
	for (size_t i = 0; i < sizeof(slow_fn) / sizeof(slow_fn[0]); i++)
		if (m->fast.slow == slow_fn[i])
			return (int)i;
	return -1;
}

void mmu_use_generic(struct mmu *m)
{
	m->fast.slow = slow_fn[0];
	m->fast.run = run_fn[0];
	m->wq_flush = wq_fn[0];
}

int mmu_access_slow(struct mmu *m, uint64_t va, int is_write, uint64_t *cycles)
{
	return m->fast.slow(m, va, is_write, cycles);
}

/* The hint of mmu_prefetch: prefetch what a walk for va reads last (its PT
   entry and the STLB set; the walk cache is replayed later, by wq_run). The
   PD table of the last 1 GiB prefetched is remembered while no table was
   freed (a freed frame may be reused at another level), so a random stream
   over a region reads two table entries per hint instead of four. */
void mmu_prefetch_slow(struct mmu *m, uint64_t va)
{
	struct pte_hint h;
	prefetch_walk(m, va, &h);
}

/* mmu_prefetch_slow's work; *h gets the PTE it found (h->pa unchanged
   when none). */
static inline void prefetch_walk(struct mmu *m, uint64_t va, struct pte_hint *h)
{
	if (va >= m->va_limit)
		return;                         /* no translation */
	m->fast.pf_vpn = va >> 12;
	tlb_prefetch(&m->stlb, va >> 12);
	const struct pt_page *pd = m->pf_pd;
	if ((va >> 30) != m->pf_pd_key || m->pt.frees != m->pf_frees) {
		uint32_t frame = m->pt.root;
		m->pf_pd_key = UINT64_MAX;
		for (int lvl = (int)m->top; lvl > MMU_PDE; lvl--) {
			uint64_t v = pt_page(&m->pt, frame)->e[(va >> PT_SHIFT(lvl)) & 511];
			if (!(v & PTE_P) || (v & PTE_PS))
				return;         /* fault or 1G leaf: nothing below */
			frame = (uint32_t)((v & PTE_ADDR) >> 12);
		}
		pd = m->pf_pd = pt_page(&m->pt, frame);
		m->pf_pd_key = va >> 30;
		m->pf_frees = m->pt.frees;
	}
	uint64_t v = pd->e[(va >> 21) & 511];
	if (!(v & PTE_P) || (v & PTE_PS))
		return;                         /* fault or 2M leaf: upper tables are hot */
	uint32_t frame = (uint32_t)((v & PTE_ADDR) >> 12);
	unsigned idx = (va >> 12) & 511;
	h->e = &pt_page(&m->pt, frame)->e[idx];
	h->pa = PT_TABLE_GPA + (uint64_t)frame * 4096 + idx * 8;
	__builtin_prefetch(h->e);
}

/* ---- statistics ------------------------------------------------------------- */

static const char *const stat_names[MMU_ST__COUNT] = {
	[MMU_ST_L1_HIT_4K] = "tlb.l1d.hit.4k",
	[MMU_ST_L1_HIT_2M] = "tlb.l1d.hit.2m",
	[MMU_ST_L1_HIT_1G] = "tlb.l1d.hit.1g",
	[MMU_ST_L1_MISS_4K] = "tlb.l1d.miss.4k",
	[MMU_ST_L1_MISS_2M] = "tlb.l1d.miss.2m",
	[MMU_ST_L1_MISS_1G] = "tlb.l1d.miss.1g",
	[MMU_ST_L1_MISS] = "tlb.l1d.miss",
	[MMU_ST_STLB_HIT] = "tlb.stlb.hit",
	[MMU_ST_STLB_MISS] = "tlb.stlb.miss",
	[MMU_ST_PWC_HIT_PDE] = "pwc.pde.hit",
	[MMU_ST_PWC_HIT_PDPTE] = "pwc.pdpte.hit",
	[MMU_ST_PWC_HIT_PML4E] = "pwc.pml4e.hit",
	[MMU_ST_PWC_HIT_PML5E] = "pwc.pml5e.hit",
	[MMU_ST_PWC_MISS] = "pwc.miss",
	[MMU_ST_WALKS] = "walk.count",
	[MMU_ST_WALK_REFS] = "walk.refs",
	[MMU_ST_WALK_HOST_REFS] = "walk.host_refs",
	[MMU_ST_WALK_CACHE_HIT] = "walk.cache.hit",
	[MMU_ST_WALK_CACHE_MISS] = "walk.cache.miss",
	[MMU_ST_HOST_TLB_HIT] = "walk.host_tlb.hit",
	[MMU_ST_HOST_TLB_MISS] = "walk.host_tlb.miss",
	[MMU_ST_WALK_CYCLES] = "walk.cycles",
	[MMU_ST_SLOW_CYCLES] = "mmu.slow_cycles",
	[MMU_ST_FAULT_NP] = "fault.notpresent",
	[MMU_ST_FAULT_WP] = "fault.wp",
	[MMU_ST_DIRTY_ASSIST] = "tlb.dirty_assist",
	[MMU_ST_FLUSH_ALL] = "tlb.flush.all",
	[MMU_ST_INVLPG] = "tlb.flush.page",
	[MMU_ST_PT_ALLOC] = "pt.alloc",
	[MMU_ST_PT_FREE] = "pt.free",
	[MMU_ST_L1_HIT] = "tlb.l1d.hit",
	[MMU_ST_ACCESSES] = "accesses",
	[MMU_ST_CYCLES] = "cycles",
};

const char *mmu_stat_name(enum mmu_stat id)
{
	return (unsigned)id < MMU_ST__COUNT ? stat_names[id] : "?";
}

uint64_t mmu_stat(const struct mmu *m, enum mmu_stat id)
{
	const uint64_t *st = m->fast.stats;
	uint64_t hits = st[MMU_ST_L1_HIT_4K] + st[MMU_ST_L1_HIT_2M] + st[MMU_ST_L1_HIT_1G];
	switch (id) {
	case MMU_ST_L1_HIT:
		return hits;
	case MMU_ST_ACCESSES:
		return hits + st[MMU_ST_L1_MISS];
	case MMU_ST_CYCLES:
		return cycles_of(m);
	case MMU_ST_SLOW_CYCLES:
		return slow_cycles_of(m);
	case MMU_ST_WALK_CYCLES:
		return walk_cycles_of(m);
	case MMU_ST_WALKS:
		return st[MMU_ST_STLB_MISS];      /* every STLB miss walks */
	case MMU_ST_WALK_REFS:                    /* every reference is counted once */
		return guest_refs(m);
	default:
		return (unsigned)id < MMU_ST__STORED ? st[id] : 0;
	}
}

void mmu_stats_reset(struct mmu *m)
{
	memset(m->fast.stats, 0, sizeof(m->fast.stats));
	memset(m->lvl_refs, 0, sizeof(m->lvl_refs));
}

const char *mmu_pg_size_name(enum pg_size sz)
{
	static const char *n[PG__COUNT] = { "4k", "2m", "1g" };
	return (unsigned)sz < PG__COUNT ? n[sz] : "?";
}

const char *mmu_level_name(enum mmu_level lvl)
{
	static const char *n[MMU_LVL__COUNT] = { "pte", "pde", "pdpte", "pml4e", "pml5e" };
	return (unsigned)lvl < MMU_LVL__COUNT ? n[lvl] : "?";
}
