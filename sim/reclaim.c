/*
 * sim/reclaim.c — the replay's memory cgroup (--mem-limit): the page cache
 * is charged against a capacity and reclaimed through the kernel's two-list
 * file LRU as it works without MGLRU (this kernel has no
 * /sys/kernel/mm/lru_gen: CONFIG_LRU_GEN is off), with workingset shadow
 * entries for refault detection. Facts from Linux 6.x sources:
 *  - mm/swap.c folio_add_lru: a new folio goes to the head of the inactive
 *    list unless workingset_refault set PG_active (then the active list).
 *  - mm/swap.c folio_mark_accessed (read()/pread: filemap_read marks the
 *    first folio of each batch unless the read stays in the previous
 *    folio): the first call sets PG_referenced; a second while inactive
 *    activates (PG_active, PG_referenced cleared, workingset_activation
 *    ages nonresident_age). Mapped pages are never marked here: their use
 *    shows as the PTE accessed bit, which x86 sets on a page walk only
 *    (a translation still in the TLB sets nothing) and installs set
 *    (vm_page_prot has _PAGE_ACCESSED).
 *  - mm/memcontrol.c try_charge -> try_to_free_mem_cgroup_pages: a charge
 *    over the limit reclaims nr_to_reclaim = max(nr_pages, SWAP_CLUSTER_MAX
 *    = 32) pages, and retries while still over.
 *  - mm/vmscan.c shrink_inactive_list: isolate up to 32 pages from the
 *    inactive tail (pgscan counts them); folio_check_references: young PTEs
 *    (folio_referenced, which clears them, no TLB flush on x86) set
 *    PG_referenced and keep the folio (back to the inactive head) or, when
 *    it was already referenced or more than one PTE was young, activate it;
 *    no young PTE: reclaim (PG_referenced alone does not save an unmapped
 *    folio: FOLIOREF_RECLAIM_CLEAN). A reclaimed mapped folio is unmapped
 *    (try_to_unmap: each PTE cleared and flushed; a single-CPU mm is not
 *    batch-deferred, so every PTE is one local flush), then removed with a
 *    shadow (workingset_eviction: the current nonresident_age; age +=
 *    nr_pages). Activated folios age nonresident_age (move_folios_to_lru).
 *  - shrink_active_list: up to 32 pages from the active tail, young bits
 *    cleared (folio_referenced), deactivated to the inactive head with
 *    PG_workingset (only VM_EXEC file folios stay active: never here).
 *    It runs when inactive_is_low (file: inactive * ratio < active, ratio
 *    int_sqrt(10 * GiB of the lists) or 1 below 1 GiB) or when file
 *    refaults activated pages since the last reclaim (prepare_scan_count).
 *  - mm/workingset.c workingset_refault: every add that finds a shadow
 *    counts WORKINGSET_REFAULT_FILE (nr pages) — before the distance test;
 *    when refault_distance = age - eviction <= NR_ACTIVE_FILE (no swap: the
 *    anon lists do not count) the folio is activated (WORKINGSET_ACTIVATE),
 *    age += nr, and PG_workingset restored from the shadow.
 *
 * Simplifications (stated, deterministic): reclaim scans the one list pair
 * of the region (file or anon) with the kernel's priority loop (reclaim()),
 * not get_scan_count's anon/file balance (SCAN_FRACT by swappiness and
 * reclaim costs: anon over swap scans the anon lists as SCAN_FILE would);
 * the per-CPU LRU-add batch (15 folios not yet on a list) is not modelled;
 * the folio a fault or read is working on is pinned (locked) and kept;
 * shadow entries are never reclaimed (no shadow-node shrinker); what is
 * charged: page-cache pages and the replay's page-table pages (PTE pages
 * are __GFP_ACCOUNT); the harness's buffers are taken as allocated before
 * it joins the cgroup (shared/i16 interface), so nothing else.
 *
 * Invariants: a folio head is on at most one list and LF_LRU says so; the
 * lists' page counts sum to mc.cache; memory grows with the chunks touched.
 */
#include "sim/sim_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#define SWAP_CLUSTER_MAX 32u /* include/linux/swap.h */
#define MAX(a, b) ((a) > (b) ? (a) : (b))

static struct lru_ck *lck(struct sim *s, uint64_t p)
{
	struct chunk *ck = sim_chunk(s, p / SIM_PMD_PAGES, 1);

	if (!ck->lru) {
		ck->lru = malloc(sizeof(*ck->lru));
		if (!ck->lru)
			abort(); /* out of memory: the model cannot continue */
		for (unsigned i = 0; i < SIM_PMD_PAGES; i++) {
			ck->lru->prev[i] = ck->lru->next[i] = LRU_NIL;
			ck->lru->shadow[i] = 0;
			ck->lru->fl[i] = 0;
		}
	}
	return ck->lru;
}

#define L(s, p, f) (lck(s, p)->f[(p) % SIM_PMD_PAGES])

static uint64_t nr_of(struct sim *s, uint64_t head)
{
	uint64_t h;
	unsigned o;
	return pc_folio(s, head, &h, &o) ? UINT64_C(1) << o : 1;
}

/*
 * The replay's budget: the limit, plus the per-CPU charge stock the set-up
 * left. A charge takes kernel.memcg_charge_batch (MEMCG_CHARGE_BATCH, 64)
 * pages from the counter at once and keeps the rest in the CPU's stock, so
 * the usage the harness reads after its set-up holds up to 63 pages not yet
 * used; it raises the limit by that usage (bench/cgroup.c, harness_kb: 256
 * KiB for read, mmap and anon on the Intel Xeon guest, the batch), and the
 * replay's first charges take those pages from the stock. Natively a 32 MiB
 * file read whole through mmap under a 32 MiB limit was not reclaimed at all
 * (8192 pages, its page tables and xarray nodes, 0 scanned).
 */
int lru_init(struct sim *s, char *err, size_t errlen)
{
	s->mc.limit = s->o.mem_limit ? s->o.mem_limit / SIM_PAGE + s->p.k.memcg_charge_batch : 0;
	s->mc.inactive.head = s->mc.inactive.tail = LRU_NIL;
	s->mc.active.head = s->mc.active.tail = LRU_NIL;
	s->mc.pin = LRU_NIL;
	if (!s->o.mem_limit)
		return 0;
	s->mc.ra_prev = LRU_NIL;
	s->mc.ra_win = 1;
	if (s->mc.limit < 2u * SWAP_CLUSTER_MAX) {
		snprintf(err, errlen, "--mem-limit %llu bytes: below the %u pages (256 KiB) the model needs for two reclaim batches",
			 (unsigned long long)s->o.mem_limit, 2u * SWAP_CLUSTER_MAX);
		return -EINVAL;
	}
	return 0;
}

/* ---- lists ------------------------------------------------------------ */

static void list_del(struct sim *s, struct lru_list *l, uint64_t h)
{
	uint64_t pv = L(s, h, prev), nx = L(s, h, next);

	if (pv != LRU_NIL)
		L(s, pv, next) = nx;
	else
		l->head = nx;
	if (nx != LRU_NIL)
		L(s, nx, prev) = pv;
	else
		l->tail = pv;
	L(s, h, prev) = L(s, h, next) = LRU_NIL;
	l->pages -= nr_of(s, h);
	L(s, h, fl) &= (uint8_t)~LF_LRU;
}

static void list_add_head(struct sim *s, struct lru_list *l, uint64_t h)
{
	L(s, h, prev) = LRU_NIL;
	L(s, h, next) = l->head;
	if (l->head != LRU_NIL)
		L(s, l->head, prev) = h;
	else
		l->tail = h;
	l->head = h;
	l->pages += nr_of(s, h);
	L(s, h, fl) |= LF_LRU;
}

/* ---- references (rmap) --------------------------------------------------- */

/* The replay maps the region (mmap or anon method): reclaim must look at and clear PTEs. */
static int mapped(const struct sim *s)
{
	return s->vma.pages != 0;
}

/* folio_referenced: young PTEs (or PMD) mapping the folio, cleared. */
static unsigned folio_referenced(struct sim *s, uint64_t head, uint64_t nr)
{
	unsigned young = 0;

	if (!mapped(s))
		return 0;
	for (uint64_t p = head; p < head + nr; p++) {
		uint64_t va = s->vma.start + p * SIM_PAGE;
		enum pg_size sz;
		if (mmu_lookup(s->mmu, va, &sz, NULL))
			continue;
		young += (unsigned)sim_pt_young_test_clear(s, va);
		if (sz == PG_2M)
			break; /* one PMD maps the whole (order-9) folio */
	}
	return young;
}

/*
 * One flush of the mm. With one thread no other CPU has the mm loaded: a
 * local flush. With N threads every thread's CPU runs the mm (each thread
 * pinned to its own CPU, all replaying): the initiator flushes locally and
 * IPIs the N - 1 others (native_flush_tlb_multi; tlb:tlb_flush reason
 * TLB_REMOTE_SEND_IPI): one shootdown, cost.ipi per remote CPU.
 */
void sim_tlb_flush(struct sim *s, enum sim_comp c)
{
	sim_pcount(s, SIM_PS_TLB_LOCAL, 1);
	sim_cost(s, c, s->p.c.tlb_flush);
	if (s->nthr > 1) {
		sim_pcount(s, SIM_PS_TLB_SHOOTDOWNS, 1);
		sim_cost(s, c, (uint64_t)s->p.c.ipi * (s->nthr - 1));
	}
}

/*
 * try_to_unmap's flush of one cleared PTE/PMD: immediate when the mm runs on
 * this CPU only; deferred to one flush per shrink_folio_list batch
 * (should_defer_flush, TTU_BATCH_FLUSH, try_to_unmap_flush) when other CPUs
 * have it loaded.
 */
static void unmap_flush(struct sim *s, enum sim_comp c)
{
	if (s->nthr > 1)
		s->flush_pending = 1;
	else
		sim_tlb_flush(s, c);
}

/* try_to_unmap of a folio being reclaimed: each PTE (or the PMD) cleared and flushed. */
static void unmap_folio(struct sim *s, uint64_t head, uint64_t nr, enum sim_comp c)
{
	if (!mapped(s))
		return;
	for (uint64_t p = head; p < head + nr; p++) {
		uint64_t va = s->vma.start + p * SIM_PAGE;
		enum pg_size sz;
		if (mmu_lookup(s->mmu, va, &sz, NULL))
			continue;
		if (sz == PG_2M) {
			uint64_t h = va & ~((UINT64_C(2) << 20) - 1);
			sim_pt_unmap(s, h, UINT64_C(2) << 20); /* invalidates the TLBs */
			sim_chunk(s, p / SIM_PMD_PAGES, 1)->pmd = PMD_NONE;
			sim_pcount(s, SIM_PS_UNMAPPED, 1);
			unmap_flush(s, c);
			return;
		}
		sim_pt_unmap(s, va, SIM_PAGE); /* the PT page stays (reclaim frees no tables) */
		sim_pcount(s, SIM_PS_UNMAPPED, 1);
		unmap_flush(s, c);
	}
}

/* A PTE of the folio is dirty (try_to_unmap moves pte_dirty to the folio). */
static int folio_dirty_ptes(struct sim *s, uint64_t head, uint64_t nr)
{
	for (uint64_t p = head; p < head + nr; p++) {
		if (sim_pt_dirty(s, s->vma.start + p * SIM_PAGE))
			return 1;
	}
	return 0;
}

/*
 * __remove_mapping with workingset_eviction: the pages leave the cache, a
 * shadow stays. Anonymous folios (anon region) go to swap first: a folio
 * without a valid swap copy, or dirtied since it was read back
 * (PTE dirty), is written (add_to_swap + pageout: swap.out, cost.swap_out
 * per page, charged to the reclaimer; the write is taken as done at once);
 * a clean swap-cache folio is just dropped. Its PTE becomes a swap entry
 * (here: unmapped, PC_SWAPPED).
 */
static void evict(struct sim *s, uint64_t head, uint64_t nr, enum sim_comp c)
{
	uint64_t stamp = s->mc.age;
	int ws = (L(s, head, fl) & LF_WORKINGSET) != 0, anon = s->vma.anon;
	uint8_t *b0 = &sim_chunk(s, head / SIM_PMD_PAGES, 1)->pg[head % SIM_PMD_PAGES];

	if (anon && (!(*b0 & PC_SWAPPED) || folio_dirty_ptes(s, head, nr))) {
		sim_pcount(s, SIM_PS_SWAP_OUT, nr);
		sim_cost(s, c, (uint64_t)s->p.c.swap_out * nr);
		sim_pcount(s, SIM_PS_RECLAIM_CYCLES, (uint64_t)s->p.c.swap_out * nr);
	}
	unmap_folio(s, head, nr, c);
	s->mc.age += nr;
	for (uint64_t p = head; p < head + nr; p++) {
		struct chunk *ck = sim_chunk(s, p / SIM_PMD_PAGES, 1);
		ck->pg[p % SIM_PMD_PAGES] = anon ? PC_SWAPPED : 0;
		L(s, p, shadow) = stamp + 1;
		L(s, p, fl) = ws ? LF_SHADOW_WS : 0;
	}
	s->mc.cache -= nr;
	sim_pcount(s, SIM_PS_RECLAIM_STOLEN, nr);
	sim_cost(s, c, s->p.c.reclaim_folio);
	sim_pcount(s, SIM_PS_RECLAIM_CYCLES, s->p.c.reclaim_folio);
}

static int pinned(const struct sim *s, uint64_t head, uint64_t nr)
{
	return s->mc.pin != LRU_NIL && s->mc.pin >= head && s->mc.pin < head + nr;
}

/* shrink_active_list: up to want (<= 32) pages from the active tail to the inactive head. */
static void shrink_active(struct sim *s, uint64_t want)
{
	uint64_t taken = 0;

	while (taken < want && s->mc.active.tail != LRU_NIL) {
		uint64_t h = s->mc.active.tail, nr = nr_of(s, h);
		list_del(s, &s->mc.active, h);
		taken += nr;
		folio_referenced(s, h, nr); /* clears young bits; no VM_EXEC: deactivated anyway */
		L(s, h, fl) = (uint8_t)((L(s, h, fl) & ~LF_ACTIVE) | LF_WORKINGSET);
		list_add_head(s, &s->mc.inactive, h);
		sim_pcount(s, SIM_PS_DEACTIVATE, nr);
	}
}

/* shrink_inactive_list of one batch of up to want (<= 32) pages; *reclaimed grows by the pages reclaimed. */
static void shrink_inactive(struct sim *s, uint64_t want, uint64_t *reclaimed, enum sim_comp c)
{
	uint64_t iso[SWAP_CLUSTER_MAX], taken = 0;
	unsigned n = 0;

	/* isolate_lru_folios: from the tail, whole folios, at least one */
	while (n < SWAP_CLUSTER_MAX && taken < want && s->mc.inactive.tail != LRU_NIL) {
		uint64_t h = s->mc.inactive.tail;
		taken += nr_of(s, h);
		list_del(s, &s->mc.inactive, h);
		iso[n++] = h;
	}
	sim_pcount(s, SIM_PS_RECLAIM_SCANNED, taken);
	for (unsigned i = 0; i < n; i++) { /* shrink_folio_list */
		uint64_t h = iso[i], nr = nr_of(s, h);
		uint8_t *fl = &L(s, h, fl);
		if (pinned(s, h, nr)) { /* folio_trylock fails: keep */
			list_add_head(s, &s->mc.inactive, h);
			continue;
		}
		unsigned young = folio_referenced(s, h, nr);
		int was_ref = (*fl & LF_REFERENCED) != 0;
		*fl &= (uint8_t)~LF_REFERENCED;
		if (young) {
			*fl |= LF_REFERENCED;
			if (was_ref || young > 1) { /* FOLIOREF_ACTIVATE */
				*fl |= LF_ACTIVE;
				list_add_head(s, &s->mc.active, h);
				s->mc.age += nr; /* move_folios_to_lru: active -> workingset_age_nonresident */
				sim_pcount(s, SIM_PS_ACTIVATE, nr);
			} else { /* FOLIOREF_KEEP */
				list_add_head(s, &s->mc.inactive, h);
			}
			continue;
		}
		evict(s, h, nr, c); /* FOLIOREF_RECLAIM(_CLEAN): clean file folio */
		*reclaimed += nr;
	}
	if (s->flush_pending) { /* try_to_unmap_flush: the batch's deferred flush */
		s->flush_pending = 0;
		sim_tlb_flush(s, c);
	}
}

/* inactive_is_low for the file lists. */
static int inactive_is_low(const struct sim *s)
{
	uint64_t ina = s->mc.inactive.pages, act = s->mc.active.pages;
	uint64_t gb = (ina + act) >> (30 - 12), ratio = 1;

	if (gb) {
		ratio = 1;
		while ((ratio + 1) * (ratio + 1) <= 10 * gb) /* int_sqrt(10 * gb) */
			ratio++;
	}
	return ina * ratio < act;
}

#define DEF_PRIORITY 12 /* mm/vmscan.c: scan lru size >> priority, priority 12 down to 0 */

/*
 * try_to_free_mem_cgroup_pages(nr_to_reclaim); returns pages reclaimed.
 * do_try_to_free_pages: priority DEF_PRIORITY down to 0 until target pages
 * are reclaimed. Each level is one shrink_node -> shrink_lruvec:
 * prepare_scan_control sets may_deactivate (file refault activations since
 * the last run, or inactive_is_low), get_scan_count takes list size >>
 * priority of each list (SCAN_FILE: the one list pair), and the lists are
 * scanned in batches of at most 32 pages, inactive then active
 * (for_each_evictable_lru), until the level's own reclaim reaches the target
 * (cgroup reclaim: no proportional scan). Small lists are scanned a few
 * pages at a time at first (8192 pages: 2, 4, 8, ... at priority 12, 11,
 * 10): one shrink_folio_list, and with threads one deferred flush, each.
 */
static uint64_t reclaim(struct sim *s, uint64_t target)
{
	enum sim_comp c = s->mc.in_fault ? SIM_C_FAULT : SIM_C_SYSCALL;
	uint64_t got = 0;
	int refaulted = s->mc.ws_act != s->mc.ws_act_seen;

	s->mc.ws_act_seen = s->mc.ws_act; /* snapshot_refaults */
	sim_pcount(s, SIM_PS_RECLAIM_RUNS, 1);
	for (int prio = DEF_PRIORITY; prio >= 0 && got < target; prio--) {
		int deact = refaulted || inactive_is_low(s);
		uint64_t ni = s->mc.inactive.pages >> prio, na = deact ? s->mc.active.pages >> prio : 0;
		uint64_t level = 0;
		while ((ni || na) && level < target) {
			if (ni) {
				uint64_t k = ni < SWAP_CLUSTER_MAX ? ni : SWAP_CLUSTER_MAX;
				ni -= k;
				if (s->mc.inactive.tail == LRU_NIL)
					ni = 0;
				else
					shrink_inactive(s, k, &level, c);
			}
			if (na) {
				uint64_t k = na < SWAP_CLUSTER_MAX ? na : SWAP_CLUSTER_MAX;
				na -= k;
				shrink_active(s, k);
			}
		}
		got += level;
	}
	return got;
}

void lru_charge(struct sim *s, uint64_t nr)
{
	if (!s->mc.limit)
		return;
	for (;;) {
		uint64_t used = s->mc.cache + mmu_pt_bytes(s->mmu) / SIM_PAGE;
		if (used + nr <= s->mc.limit)
			break;
		if (!reclaim(s, MAX(nr, (uint64_t)SWAP_CLUSTER_MAX)))
			break; /* nothing reclaimable (all pinned): the charge goes over */
	}
	s->mc.cache += nr;
}

void lru_add(struct sim *s, uint64_t head, unsigned order)
{
	uint64_t nr = UINT64_C(1) << order, shadow = 0;
	int ws = 0;

	if (!s->mc.limit)
		return;
	for (uint64_t p = head; p < head + nr; p++) { /* filemap_add_folio: the conflicting value entry */
		if (L(s, p, shadow)) {
			shadow = L(s, p, shadow);
			ws = (L(s, p, fl) & LF_SHADOW_WS) != 0;
		}
		L(s, p, shadow) = 0;
		L(s, p, fl) = 0;
	}
	if (shadow) { /* workingset_refault */
		uint64_t dist = s->mc.age - (shadow - 1);
		sim_pcount(s, SIM_PS_REFAULTS, nr);
		if (dist <= s->mc.active.pages) {
			L(s, head, fl) = (uint8_t)(LF_ACTIVE | (ws ? LF_WORKINGSET : 0));
			s->mc.age += nr;
			s->mc.ws_act += nr;
			sim_pcount(s, SIM_PS_WS_ACTIVATE, nr);
		}
	}
	list_add_head(s, L(s, head, fl) & LF_ACTIVE ? &s->mc.active : &s->mc.inactive, head);
}

void lru_mark_accessed(struct sim *s, uint64_t head)
{
	uint8_t *fl;
	uint64_t nr;

	if (!s->mc.limit)
		return;
	fl = &L(s, head, fl);
	if (!(*fl & LF_REFERENCED)) {
		*fl |= LF_REFERENCED;
		return;
	}
	if (*fl & LF_ACTIVE)
		return;
	nr = nr_of(s, head);
	if (*fl & LF_LRU) { /* folio_activate */
		list_del(s, &s->mc.inactive, head);
		*fl |= LF_ACTIVE;
		list_add_head(s, &s->mc.active, head);
		sim_pcount(s, SIM_PS_ACTIVATE, nr);
	}
	*fl &= (uint8_t)~LF_REFERENCED;
	s->mc.age += nr; /* workingset_activation */
}

int lru_workingset(struct sim *s, uint64_t head)
{
	struct chunk *ck = sim_chunk(s, head / SIM_PMD_PAGES, 0);
	return s->mc.limit && ck && ck->lru && (ck->lru->fl[head % SIM_PMD_PAGES] & LF_WORKINGSET);
}

/* ---- anonymous memory and swap ------------------------------------------ */

void anon_page_new(struct sim *s, uint64_t pg)
{
	lru_charge(s, 1); /* mem_cgroup_charge of the new anon folio (may reclaim: swap out) */
	sim_chunk(s, pg / SIM_PMD_PAGES, 1)->pg[pg % SIM_PMD_PAGES] = PC_PRESENT;
	lru_add(s, pg, 0); /* folio_add_lru_vma: new anon folios start inactive (since 5.9) */
}

/*
 * __swapin_nr_pages (mm/swap_state.c): the adaptive window. hits + 2 pages,
 * rounded up to a power of 2 (at least 4); with no hits, 2 only when the
 * fault is next to the previous one, else 1; at most max; never below half
 * the previous window.
 */
static unsigned swapin_nr_pages(uint64_t prev, uint64_t pg, unsigned hits, unsigned max, unsigned prev_win)
{
	unsigned pages = hits + 2;

	if (pages == 2) { /* prev LRU_NIL: no fault yet (the kernel's initial info is address 0, never adjacent) */
		if (prev == LRU_NIL || (pg != prev + 1 && pg + 1 != prev))
			pages = 1;
	} else {
		unsigned r = 4;
		while (r < pages)
			r <<= 1;
		pages = r;
	}
	if (pages > max)
		pages = max;
	if (pages < prev_win / 2)
		pages = prev_win / 2;
	return pages;
}

/* Read page p from swap into the swap cache (swap_read_folio via __read_swap_cache_async). */
static void swap_read(struct sim *s, uint64_t p, int ra)
{
	uint8_t *b = &sim_chunk(s, p / SIM_PMD_PAGES, 1)->pg[p % SIM_PMD_PAGES];

	lru_charge(s, 1);
	*b = (uint8_t)(PC_PRESENT | PC_SWAPPED | (ra ? PC_RA : 0));
	lru_add(s, p, 0); /* the shadow in the swap cache: workingset_refault (anon) */
	sim_pcount(s, SIM_PS_SWAP_IN, 1);
}

int swap_fault(struct sim *s, uint64_t pg, int write)
{
	uint8_t *b = &sim_chunk(s, pg / SIM_PMD_PAGES, 1)->pg[pg % SIM_PMD_PAGES];
	int major = 0;

	if (!(*b & (PC_SWAPPED | PC_PRESENT)))
		return -1; /* never written: do_anonymous_page */
	if (*b & PC_PRESENT) { /* swap_cache_get_folio: a readahead page is a hit */
		if (*b & PC_RA) {
			*b &= (uint8_t)~PC_RA;
			s->mc.ra_hits++;
		}
	} else { /* swapin_readahead -> swap_vma_readahead (a swap file: not SWP_SYNCHRONOUS_IO) */
		unsigned max = 1u << (s->p.k.page_cluster < 5 ? s->p.k.page_cluster : 5); /* SWAP_RA_ORDER_CEILING */
		unsigned win = max == 1 ? 1 : swapin_nr_pages(s->mc.ra_prev, pg, s->mc.ra_hits, max, s->mc.ra_win);
		uint64_t lo = pg, hi = pg + 1, prev = s->mc.ra_prev; /* [lo, hi) */

		if (max > 1) {
			s->mc.ra_prev = pg;
			s->mc.ra_win = win;
			s->mc.ra_hits = 0;
		}
		if (win > 1) { /* swap_vma_ra_win: towards the direction of travel, else centred */
			uint64_t pmd0 = pg & ~(uint64_t)(SIM_PMD_PAGES - 1), end = s->vma.pages;
			if (prev != LRU_NIL && pg == prev + 1) {
				lo = pg;
				hi = pg + win;
			} else if (prev != LRU_NIL && pg + 1 == prev) {
				lo = pg + 1 >= win ? pg + 1 - win : 0;
				hi = pg + 1;
			} else {
				uint64_t left = (win - 1) / 2;
				lo = pg >= left ? pg - left : 0;
				hi = lo + win;
			}
			lo = lo > pmd0 ? lo : pmd0;
			if (end > pmd0 + SIM_PMD_PAGES)
				end = pmd0 + SIM_PMD_PAGES;
			hi = hi < end ? hi : end;
		}
		major = 1;
		swap_read(s, pg, 0); /* the faulting page, waited for */
		sim_cost(s, SIM_C_FAULT, s->p.c.swap_in);
		for (uint64_t p = lo; p < hi; p++) {
			uint8_t *q = &sim_chunk(s, p / SIM_PMD_PAGES, 1)->pg[p % SIM_PMD_PAGES];
			if (p == pg || (*q & PC_PRESENT) || !(*q & PC_SWAPPED))
				continue; /* not a swap entry (or already cached) */
			swap_read(s, p, 1);
			sim_cost(s, SIM_C_IO, s->p.c.io_page); /* read with it, not waited for alone */
		}
	}
	/* should_try_to_free_swap: a write fault frees the slot (the page will be dirty) */
	if (write)
		*b &= (uint8_t)~PC_SWAPPED;
	return major;
}
