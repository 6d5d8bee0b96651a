/*
 * sim/fault.c — the VMA and the Linux page-fault paths of the model
 * (6.18 mm/memory.c and mm/filemap.c, policies from the profile):
 *   file read: do_read_fault -> do_fault_around/filemap_map_pages
 *              (window of fault_around_pages, aligned, clipped to the VMA and
 *              the page table; only cached, non-readahead-flagged folios;
 *              whole large folios and PMD mapping where allowed; the i_size
 *              rules) -> filemap_fault (read-around / sync / async
 *              readahead, mmap_miss) -> finish_fault (whole folio, PMD);
 *   private write: do_cow_fault (one page, no fault-around);
 *   shared write: do_shared_fault (finish_fault maps the whole folio writable);
 *   write to a present read-only page: do_wp_page (one 4 KiB page) or, on a
 *              PMD, split (file: zap) then the pte-level path;
 *   anonymous: do_anonymous_page (zero page on read, mTHP order on write),
 *              do_huge_pmd_anonymous_page (huge zero page / THP);
 *   MAP_POPULATE (faults counted apart: getrusage sees them, perf does not),
 *   madvise WILLNEED/SEQUENTIAL/RANDOM/HUGEPAGE.
 *
 * Invariants: a fault that drops the lock for I/O (major) or for async
 * readahead is retried and still counts once; a fault is major only when no
 * folio existed for the faulting page; chunk.pmd mirrors the PMD entry.
 */
#include "sim/sim_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define PMD_SIZE (UINT64_C(2) << 20)

/* ---- VMA ---------------------------------------------------------------- */

void vma_setup(struct sim *s, int anon)
{
	struct vma *v = &s->vma;

	memset(v, 0, sizeof(*v));
	v->start = SIM_VMA_BASE;
	v->pages = (s->region + SIM_PAGE - 1) / SIM_PAGE;
	v->anon = anon;
	v->shared = !anon && s->o.shared;
	v->writable = anon || s->o.writes; /* the harness maps PROT_WRITE only for traces with writes */
	/* ext4 has ->page_mkwrite and dirty accounting; shmem has neither */
	v->writenotify = v->shared && !s->f.shmem;
	v->seq = s->o.madv == AN_MADV_SEQUENTIAL;
	v->rand = s->o.madv == AN_MADV_RANDOM;
	v->hugepage = s->o.madv == AN_MADV_HUGEPAGE;
	v->nohugepage = s->o.madv == AN_MADV_NOHUGEPAGE;
}

/* madvise(MADV_WILLNEED) on a file VMA: vfs_fadvise -> force_page_cache_ra. */
void vma_madvise(struct sim *s)
{
	if (s->vma.anon || s->o.madv != AN_MADV_WILLNEED || s->f.shmem)
		return;
	ra_force(s, &s->f.ra, 0, s->vma.pages);
}

static inline uint64_t va_of(const struct sim *s, uint64_t pg)
{
	return s->vma.start + pg * SIM_PAGE;
}

static struct chunk *ck_of(struct sim *s, uint64_t va)
{
	return sim_chunk(s, (va - s->vma.start) / PMD_SIZE, 1);
}

static int pte_none(struct sim *s, uint64_t va)
{
	enum pg_size sz;
	unsigned prot;
	return mmu_lookup(s->mmu, va, &sz, &prot) != 0;
}

static void map_pte(struct sim *s, uint64_t va, int w)
{
	int r = sim_pt_map(s, va, PG_4K, w ? MMU_W : 0);

	if (r == 0) {
		ck_of(s, va)->pmd = PMD_TABLE;
		if (s->mc.limit) /* x86 vm_page_prot has _PAGE_ACCESSED: installed young (reclaim sees it) */
			sim_pt_young_set(s, va);
		sim_count(s, SIM_ST_PTES_MAPPED, 1);
		sim_cost(s, SIM_C_FAULT, s->p.c.fault_pte);
	}
}

/*
 * Mapping PTEs of a large file folio adds its pages' rmap one by one (the
 * per-page _mapcount of folio_add_file_rmap_ptes): an atomic update of each
 * page's struct page. When the file outgrows the LLC those lines are not
 * cached, and the locked updates do not overlap their misses:
 * cost.fault_pte_cold per page mapped (times the LLC-miss share), unless the
 * range continues the one mapped before (the prefetchers stream the
 * vmemmap: sequential faults do not pay it). Pages [a, a + n).
 */
static void map_meta(struct sim *s, uint64_t a, uint64_t n)
{
	if (!n || !s->data_dram || !s->p.c.fault_pte_cold)
		return;
	if (a != s->meta_next)
		sim_cost(s, SIM_C_FAULT, (n * s->p.c.fault_pte_cold * s->dram_q) >> 10);
	s->meta_next = a + n;
}

/*
 * do_set_pmd (file) / anonymous THP; 0 or -EBUSY (a page table is in the way).
 * deposit: anonymous THP and the huge zero page deposit a PTE table with the
 * leaf (pgtable_trans_huge_deposit + mm_inc_nr_ptes), counted in VmPTE.
 */
static int map_pmd(struct sim *s, uint64_t haddr, int w, int deposit)
{
	int r = sim_pt_map(s, haddr, PG_2M, (w ? MMU_W : 0) | (deposit ? MMU_DEPOSIT : 0));

	if (r == 0) {
		ck_of(s, haddr)->pmd = PMD_HUGE;
		if (s->mc.limit)
			sim_pt_young_set(s, haddr);
		sim_count(s, SIM_ST_PMDS_MAPPED, 1);
		sim_cost(s, SIM_C_FAULT, s->p.c.fault_pmd);
	}
	return r;
}

/* Remove a PMD leaf (file: zap on split; anon: before re-mapping as PTEs). */
static void zap_pmd(struct sim *s, uint64_t haddr)
{
	sim_pt_unmap(s, haddr, PMD_SIZE);
	ck_of(s, haddr)->pmd = PMD_NONE;
	sim_tlb_flush(s, SIM_C_FAULT);
}

/* thp_vma_suitable_order(PMD): the aligned 2 MiB range lies inside the VMA. */
static int pmd_suitable(const struct sim *s, uint64_t va)
{
	uint64_t h = va & ~(PMD_SIZE - 1);
	return h >= s->vma.start && h + PMD_SIZE <= s->vma.start + s->vma.pages * SIM_PAGE;
}

/* Read faults on file pages map read-only unless the mapping is shared without write-notify. */
static int read_map_w(const struct sim *s)
{
	return s->vma.shared && !s->vma.writenotify;
}

/* ---- fault-around (do_fault_around + filemap_map_pages) ---------------- */

/* next_uptodate_folio: first cached folio touching [from, end] without PG_readahead. */
static int next_folio(struct sim *s, uint64_t from, uint64_t end, uint64_t *head, unsigned *order)
{
	uint64_t p = from;

	while (p <= end && p < s->f.pages) {
		if (!pc_folio(s, p, head, order)) {
			p++;
			continue;
		}
		if (pc_test_ra(s, *head)) {
			p = *head + (UINT64_C(1) << *order);
			continue;
		}
		return 1;
	}
	return 0;
}

/* Returns 1 when the faulting page got mapped (VM_FAULT_NOPAGE). */
static int fault_around(struct sim *s, uint64_t va, uint64_t pgoff)
{
	const struct sim_kernel *k = &s->p.k;
	uint64_t nr = k->fault_around_pages, pte_off = (va / SIM_PAGE) & 511, vma_off = pgoff;
	uint64_t from_pte, to_pte, start, end, file_end, head, fend, miss = 0, last = pgoff;
	unsigned order;
	int can_large, mapped = 0, w = read_map_w(s);
	struct chunk *ck;

	if (nr <= 1)
		return 0; /* should_fault_around() */
	from_pte = MAX(pte_off & ~(nr - 1), pte_off - MIN(pte_off, vma_off));
	to_pte = MIN(MIN(from_pte + nr, (uint64_t)512), pte_off + s->vma.pages - vma_off) - 1;
	start = pgoff + from_pte - pte_off;
	end = pgoff + to_pte - pte_off;

	if (!next_folio(s, start, end, &head, &order))
		return 0;
	file_end = s->f.pages - 1;
	end = MIN(end, file_end);
	fend = head + (UINT64_C(1) << order);
	can_large = s->f.shmem || !k->eof_folio_rule || file_end >= fend;
	ck = ck_of(s, va);
	if (can_large) { /* filemap_map_pmd */
		if (ck->pmd == PMD_HUGE)
			return 1;
		if (ck->pmd == PMD_NONE && order == SIM_PMD_ORDER && pmd_suitable(s, va) &&
		    map_pmd(s, va_of(s, head), w, 0) == 0)
			return 1;
		if (ck->pmd == PMD_NONE)
			ck->pmd = PMD_TABLE; /* pmd_install(prealloc_pte) */
	}
	if (ck->pmd != PMD_TABLE)
		return 0; /* pte_offset_map_lock() fails: finish_fault will do it */
	do {
		uint64_t a = MAX(start, head), b = MIN(end, head + (UINT64_C(1) << order) - 1);
		uint64_t fva = va_of(s, head), fsz = (UINT64_C(1) << order) * SIM_PAGE;
		fend = head + (UINT64_C(1) << order);
		/* filemap_map_pages: next_uptodate_folio (xas walk, folio_try_get, trylock) per folio */
		sim_cost(s, SIM_C_FAULT, s->p.c.fault_folio + sim_folio_meta(s));
		if (k->faultaround_whole_folio && order > 0 &&
		    (s->f.shmem || !k->eof_folio_rule || file_end >= fend) &&
		    head + (UINT64_C(1) << order) <= s->vma.pages &&
		    (fva & ~(PMD_SIZE - 1)) == ((fva + fsz - 1) & ~(PMD_SIZE - 1))) {
			a = head;
			b = fend - 1;
		}
		/* 6.18 filemap_map_folio_range / filemap_map_order0_folio: pages of a
		   PG_workingset folio (only under a memory limit) do not lower mmap_miss */
		int ws = s->mc.limit && lru_workingset(s, head);
		uint64_t first = UINT64_MAX, n = 0;
		for (uint64_t p = a; p <= b; p++) {
			miss += !ws;
			if (!pte_none(s, va_of(s, p)))
				continue;
			map_pte(s, va_of(s, p), w);
			sim_count(s, SIM_ST_FA_PTES, 1);
			if (!n++)
				first = p;
			if (p == pgoff)
				mapped = 1;
		}
		if (order > 0 && !s->f.shmem)
			map_meta(s, first, n);
		last = b;
	} while (next_folio(s, fend, end, &head, &order));
	/* filemap_map_pages maps only uptodate folios: the model maps them all and waits for the
	   last one a readahead window still streams (one wait, not a later fault on each) */
	pc_stream_wait(s, last);
	s->f.ra.mmap_miss = miss >= s->f.ra.mmap_miss ? 0 : s->f.ra.mmap_miss - (uint32_t)miss;
	return mapped;
}

/* ---- filemap_fault ------------------------------------------------------ */

enum { FF_OK = 0, FF_RETRY = 1 };

/* do_sync_mmap_readahead */
static void sync_mmap_ra(struct sim *s, uint64_t pgoff)
{
	struct ra_state *ra = &s->f.ra;

	if (s->vma.hugepage) { /* CONFIG_TRANSPARENT_HUGEPAGE, PMD order <= MAX_PAGECACHE_ORDER */
		ra->size = SIM_PMD_PAGES;
		if (!s->vma.rand)
			ra->size *= 2;
		ra->async_size = SIM_PMD_PAGES;
		ra->order = SIM_PMD_ORDER;
		sim_count(s, SIM_ST_RA_SYNC, 1);
		ra_order(s, ra, pgoff & ~(uint64_t)(SIM_PMD_PAGES - 1));
		return;
	}
	if (s->vma.rand || !ra->ra_pages)
		return;
	if (s->vma.seq) {
		ra_sync(s, ra, pgoff, ra->ra_pages, 0);
		return;
	}
	if (ra->mmap_miss < s->p.k.mmap_lotsamiss * 10)
		ra->mmap_miss++;
	if (ra->mmap_miss > s->p.k.mmap_lotsamiss)
		return;
	ra->start = pgoff > ra->ra_pages / 2 ? pgoff - ra->ra_pages / 2 : 0;
	ra->size = ra->ra_pages;
	ra->async_size = ra->ra_pages / 4;
	ra->order = 0;
	sim_count(s, SIM_ST_RA_SYNC, 1);
	ra_order(s, ra, ra->start);
}

/*
 * Find (or read) the folio for pgoff. *major = 1 when none existed. Returns
 * FF_RETRY when the kernel would drop the lock (I/O, async readahead).
 */
static int filemap_fault(struct sim *s, uint64_t pgoff, int tried, int *major)
{
	uint64_t head;
	unsigned order;
	int retry = 0;

	sim_cost(s, SIM_C_FAULT, s->p.c.fault_folio + sim_folio_meta(s));
	if (pc_folio(s, pgoff, &head, &order)) {
		pc_stream_wait(s, pgoff); /* a folio still under read is locked: the fault waits */
		if (!tried && !s->f.shmem && !s->vma.rand && s->f.ra.ra_pages) {
			/* do_async_mmap_readahead */
			if (s->f.ra.mmap_miss)
				s->f.ra.mmap_miss--;
			if (pc_test_ra(s, head)) {
				ra_async(s, &s->f.ra, pgoff, order, s->f.ra.ra_pages);
				retry = 1;
			}
		}
		return retry ? FF_RETRY : FF_OK;
	}
	*major = 1;
	sim_io_sync_begin(s);
	sync_mmap_ra(s, pgoff);
	if (!pc_folio(s, pgoff, &head, &order))
		pc_add_folio(s, pgoff, 0, 0); /* __filemap_get_folio(FGP_CREAT), min order */
	sim_io_wait(s);
	return FF_RETRY;
}

/* finish_fault for a file folio (not the COW page). */
static void finish_fault(struct sim *s, uint64_t va, uint64_t pgoff, int write)
{
	const struct sim_kernel *k = &s->p.k;
	struct chunk *ck = ck_of(s, va);
	uint64_t head, nr, idx, pte_off = (va / SIM_PAGE) & 511, file_end = s->f.pages;
	unsigned order;
	int w = write || read_map_w(s), whole;

	if (!pc_folio(s, pgoff, &head, &order))
		return; /* cannot happen: filemap_fault made it */
	nr = UINT64_C(1) << order;
	if (ck->pmd == PMD_NONE) {
		if (order == SIM_PMD_ORDER && (s->f.shmem || !k->eof_folio_rule || file_end >= head + nr) &&
		    pmd_suitable(s, va) && map_pmd(s, va & ~(PMD_SIZE - 1), w, 0) == 0)
			return;
		ck->pmd = PMD_TABLE;
	}
	if (ck->pmd == PMD_HUGE)
		return;
	whole = (k->whole_folio_map == SIM_WF_ANY || (k->whole_folio_map == SIM_WF_SHMEM && s->f.shmem)) &&
		nr > 1;
	idx = pgoff - head;
	if (whole && (pgoff < idx || pgoff + (nr - idx) > s->vma.pages || pte_off < idx ||
		      pte_off + (nr - idx) > 512 || (!s->f.shmem && file_end < head + nr)))
		whole = 0;
	if (whole)
		for (uint64_t p = head; p < head + nr; p++)
			if (!pte_none(s, va_of(s, p))) {
				whole = 0; /* !pte_range_none: fall back to one page */
				break;
			}
	if (!whole) {
		if (pte_none(s, va))
			map_pte(s, va & ~(uint64_t)(SIM_PAGE - 1), w);
		return;
	}
	for (uint64_t p = head; p < head + nr; p++)
		map_pte(s, va_of(s, p), w);
	if (!s->f.shmem)
		map_meta(s, head, nr);
}

/* ---- the fault entry ----------------------------------------------------- */

static void count_fault(struct sim *s, int major)
{
	sim_cost(s, SIM_C_FAULT, s->p.c.fault_entry);
	if (s->populating) {
		sim_count(s, SIM_ST_FAULTS_POPULATE, 1);
		if (major)
			sim_count(s, SIM_ST_FAULTS_POPULATE_MAJOR, 1);
		return;
	}
	sim_count(s, SIM_ST_FAULTS, 1);
	sim_count(s, major ? SIM_ST_FAULTS_MAJOR : SIM_ST_FAULTS_MINOR, 1);
}

/*
 * ->page_mkwrite of the folio holding pgoff (ext4_page_mkwrite: a journal
 * handle, then every buffer head of the folio is checked and dirtied): a
 * fixed cost per call and a cost per page of the folio, more per page the
 * first time for a folio read from the device, which has no buffer heads
 * (ext4_mpage_readpages): block_page_mkwrite creates them and maps each
 * block. Only for VMAs with write-notify (shared file mappings of files that
 * have ->page_mkwrite).
 */
static void page_mkwrite(struct sim *s, uint64_t pgoff)
{
	uint64_t head = pgoff, per = s->p.c.fault_mkwrite_page;
	unsigned order = 0; /* pc_folio leaves it alone when the page is not cached */

	pc_folio(s, pgoff, &head, &order);
	if (pc_make_bh(s, head))
		per += s->p.c.fault_mkwrite_bh;
	sim_cost(s, SIM_C_FAULT, s->p.c.fault_mkwrite + (per << order));
}

/* Not-present fault on a file VMA. Returns major. */
static int file_fault(struct sim *s, uint64_t va, uint64_t pgoff, int write)
{
	int major = 0, tried = 0;

	for (;;) {
		int r;
		if (!write) {
			sim_count(s, tried ? SIM_ST_FLT_RETRY : SIM_ST_FLT_FILE_READ, 1);
			if (fault_around(s, va, pgoff))
				return major;
		} else {
			sim_count(s, tried ? SIM_ST_FLT_RETRY : s->vma.shared ? SIM_ST_FLT_SHARED : SIM_ST_FLT_COW, 1);
		}
		r = filemap_fault(s, pgoff, tried, &major);
		if (r == FF_RETRY && !tried) {
			tried = 1;
			continue;
		}
		break;
	}
	if (write && s->vma.writenotify) /* do_shared_fault -> do_page_mkwrite (ext4_page_mkwrite) */
		page_mkwrite(s, pgoff);
	if (write && !s->vma.shared) { /* do_cow_fault: copy into a new anon page */
		sim_cost(s, SIM_C_FAULT, s->p.c.copy_4k);
		map_pte(s, va & ~(uint64_t)(SIM_PAGE - 1), 1);
		return major;
	}
	finish_fault(s, va, pgoff, write);
	return major;
}

static int anon_thp_ok(const struct sim *s)
{
	const struct sim_kernel *k = &s->p.k;
	if (s->vma.nohugepage)
		return 0;
	return k->thp_anon == SIM_THP_ALWAYS || (k->thp_anon == SIM_THP_MADVISE && s->vma.hugepage);
}

/* Not-present fault on the anonymous VMA. */
static int anon_fault(struct sim *s, uint64_t va, int write)
{
	struct chunk *ck = ck_of(s, va);
	unsigned o = s->p.k.anon_mthp_order;

	if (s->mc.limit) { /* swap entry or swap-cache page: do_swap_page */
		int r = swap_fault(s, (va - s->vma.start) / SIM_PAGE, write);
		if (r >= 0) {
			sim_count(s, SIM_ST_FLT_ANON, 1);
			map_pte(s, va & ~(uint64_t)(SIM_PAGE - 1), 1);
			return r;
		}
	}

	if (ck->pmd == PMD_NONE && anon_thp_ok(s) && pmd_suitable(s, va)) {
		sim_count(s, SIM_ST_FLT_THP, 1);
		if (!write && s->p.k.thp_zero_page) { /* huge zero page */
			map_pmd(s, va & ~(PMD_SIZE - 1), 0, 1);
			return 0;
		}
		sim_cost(s, SIM_C_FAULT, s->p.c.zero_2m);
		map_pmd(s, va & ~(PMD_SIZE - 1), 1, 1);
		return 0;
	}
	sim_count(s, SIM_ST_FLT_ANON, 1);
	if (!write) { /* the shared zero page, read-only */
		map_pte(s, va & ~(uint64_t)(SIM_PAGE - 1), 0);
		return 0;
	}
	if (o > 0 && o < SIM_PMD_ORDER) { /* largest enabled mTHP order that fits */
		uint64_t n = UINT64_C(1) << o, pg = (va - s->vma.start) / SIM_PAGE, h = pg & ~(n - 1);
		int ok = h + n <= s->vma.pages;
		for (uint64_t p = h; ok && p < h + n; p++)
			ok = pte_none(s, va_of(s, p));
		if (ok) {
			sim_cost(s, SIM_C_FAULT, (uint64_t)s->p.c.zero_4k * n);
			s->fresh_pg = (va - s->vma.start) / SIM_PAGE + 1;
			for (uint64_t p = h; p < h + n; p++)
				map_pte(s, va_of(s, p), 1);
			return 0;
		}
	}
	sim_cost(s, SIM_C_FAULT, s->p.c.zero_4k);
	s->fresh_pg = (va - s->vma.start) / SIM_PAGE + 1;
	if (s->mc.limit)
		anon_page_new(s, (va - s->vma.start) / SIM_PAGE);
	map_pte(s, va & ~(uint64_t)(SIM_PAGE - 1), 1);
	return 0;
}

/* Write to a present read-only translation. */
static int wp_fault(struct sim *s, uint64_t va, uint64_t pgoff)
{
	enum pg_size sz;
	unsigned prot;
	uint64_t pva = va & ~(uint64_t)(SIM_PAGE - 1);

	sim_count(s, SIM_ST_FLT_WP, 1);
	if (mmu_lookup(s->mmu, va, &sz, &prot) != 0)
		return 0;
	if (sz == PG_2M) {
		uint64_t h = va & ~(PMD_SIZE - 1);
		if (s->vma.anon) { /* huge zero page: split into 4 KiB zero-page PTEs, then COW */
			zap_pmd(s, h);
			for (uint64_t a = h; a < h + PMD_SIZE; a += SIM_PAGE)
				if (a != pva)
					map_pte(s, a, 0);
			sim_cost(s, SIM_C_FAULT, s->p.c.zero_4k);
			map_pte(s, pva, 1);
			return 0;
		}
		zap_pmd(s, h); /* file PMD: split = zap, then the pte-level fault */
		return file_fault(s, va, pgoff, 1);
	}
	if (s->vma.anon || !s->vma.shared) { /* do_wp_page -> wp_page_copy */
		/* a file page: the copy, then the old PTE cleared and flushed and its rmap dropped */
		sim_cost(s, SIM_C_FAULT, s->vma.anon ? s->p.c.zero_4k : (uint64_t)s->p.c.copy_4k + s->p.c.cow_wp);
		s->fresh_pg = pgoff + 1;
		if (s->vma.anon && s->mc.limit) /* the zero page replaced by a new, charged page */
			anon_page_new(s, pgoff);
		sim_pt_unmap(s, pva, SIM_PAGE);
		map_pte(s, pva, 1);
		return 0;
	}
	/* wp_page_shared: page_mkwrite (files that have one), make this one PTE writable */
	sim_pt_protect(s, pva, SIM_PAGE, MMU_W);
	sim_cost(s, SIM_C_FAULT, s->p.c.fault_pte);
	if (s->vma.writenotify)
		page_mkwrite(s, pgoff);
	return 0;
}

int flt_handle(struct sim *s, uint64_t va, int is_write, int res)
{
	uint64_t pgoff = (va - s->vma.start) / SIM_PAGE;
	int major = 0;

	if (va < s->vma.start || pgoff >= s->vma.pages) {
		snprintf(s->err, sizeof(s->err), "fault at 0x%llx outside the VMA",
			 (unsigned long long)va);
		return -EFAULT;
	}
	s->mc.pin = pgoff;  /* the faulting folio is locked: reclaim keeps it */
	s->mc.in_fault = 1; /* reclaim from here is charged to the fault */
	if (res == MMU_FAULT_WP)
		major = wp_fault(s, va, pgoff);
	else if (s->vma.anon)
		major = anon_fault(s, va, is_write);
	else
		major = file_fault(s, va, pgoff, is_write);
	s->mc.pin = LRU_NIL;
	s->mc.in_fault = 0;
	count_fault(s, major);
	return 0;
}

/* ---- MAP_POPULATE (populate_vma_page_range -> __get_user_pages) -------- */

int vma_populate(struct sim *s)
{
	/* FOLL_WRITE for private writable mappings: break COW up front */
	int w = s->vma.writable && !s->vma.shared;
	uint64_t pg = 0;

	s->populating = 1;
	while (pg < s->vma.pages) {
		uint64_t va = va_of(s, pg);
		enum pg_size sz;
		unsigned prot;
		int tries = 0;
		while (mmu_lookup(s->mmu, va, &sz, &prot) != 0 || (w && !(prot & MMU_W))) {
			int res = mmu_lookup(s->mmu, va, &sz, &prot) != 0 ? MMU_FAULT_NOTPRESENT : MMU_FAULT_WP;
			if (++tries > 4 || flt_handle(s, va, w, res)) {
				s->populating = 0;
				snprintf(s->err, sizeof(s->err), "populate made no progress at page %llu",
					 (unsigned long long)pg);
				return -EFAULT;
			}
		}
		pg = sz == PG_2M ? ((pg / SIM_PMD_PAGES) + 1) * SIM_PMD_PAGES : pg + 1;
	}
	s->populating = 0;
	return 0;
}

/* ---- touching memory ------------------------------------------------------ */

/*
 * An anonymous page read before any write maps the shared zero page (or the
 * huge zero folio): do_anonymous_page / do_huge_pmd_anonymous_page, mm/memory.c
 * and mm/huge_memory.c. Every such read hits the same 4 KiB (2 MiB) of
 * physical memory, which stays cached: its data lines never come from DRAM.
 * In the model's anonymous VMA a read-only translation is exactly that.
 */
static int zero_page(struct sim *s, uint64_t va)
{
	enum pg_size sz;
	unsigned prot;
	return mmu_lookup(s->mmu, va, &sz, &prot) == 0 && !(prot & MMU_W);
}

/*
 * The general case of one record: every page of [va, end) through the MMU,
 * faults handled and retried, the zero-page check on the first page. res0 is
 * the result of an access to va the caller already made (-1: none). Sets
 * *faulted and *zp for the record's accounting; 0 or -EFAULT.
 */
static int touch_pages(struct sim *s, uint64_t va, uint64_t end, int w, int zp_check, int res0,
		       uint64_t *tcyc, int *faulted, int *zp)
{
	struct mmu *m = s->mmu;
	uint64_t a = va;

	for (;;) {
		int res = a == va && res0 >= 0 ? res0 : mmu_access(m, a, w, tcyc);
		if (res != MMU_OK) {
			int tries = 0;
			*faulted = 1;
			do {
				if (++tries > 4 || flt_handle(s, a, w, res)) {
					if (!s->err[0])
						snprintf(s->err, sizeof(s->err),
							 "access at offset 0x%llx keeps faulting",
							 (unsigned long long)(a - s->vma.start));
					return -EFAULT;
				}
			} while ((res = mmu_access(m, a, w, tcyc)) != MMU_OK);
		}
		if (zp_check && a == va) {  /* the rest of a read record leaves this
					       page's mapping as it is */
			int wr = mmu_last_writable(m, va);
			*zp = wr < 0 ? zero_page(s, va) : !wr;
		}
		a = (a | (SIM_PAGE - 1)) + 1;
		if (a >= end)
			return 0;
	}
}

/* The 64-byte lines record r touches beyond its first. */
static inline uint64_t rec_more_lines(const struct trace_rec *r)
{
	return ((r->off + r->len - 1) >> 6) - (r->off >> 6);
}

/* The user-side cost of record r once translated (loads, DRAM lines). */
static inline uint64_t touch_user(struct sim *s, const struct trace_rec *r, int faulted, int zp)
{
	uint64_t c = s->p.c.user_access + s->p.c.user_line * rec_more_lines(r);
	if (s->data_dram && !zp) {
		/* a page the fault just cleared or copied (clear_page/copy_page: cached stores)
		   is in the cache: the access pays no DRAM line for it, the stream state moves on */
		uint64_t d = sim_data_lines(s, r->off, r->len, !faulted, 1), pg = r->off / SIM_PAGE;
		int fresh = faulted && s->fresh_pg == pg + 1 && (r->off + r->len - 1) / SIM_PAGE == pg;
		if (fresh && s->llc) /* clear_page/copy_page stored every line of the page */
			sim_llc_fill(s, pg * (SIM_PAGE / 64), pg * (SIM_PAGE / 64) + SIM_PAGE / 64 - 1);
		c += fresh ? 0 : d;
	}
	s->fresh_pg = 0;
	return c;
}

/* sim_touch's user-side sums: loads, extra lines, folded bytes. */
static inline void charge_user(struct sim *s, uint64_t user, uint64_t lines, uint64_t bytes)
{
	s->cyc[SIM_C_USER] += user + s->p.c.user_line * lines + s->p.c.fold_mcyc_per_byte * bytes / 1000;
	s->st[SIM_ST_BYTES] += bytes;
}

/*
 * The records' pages through the MMU. Runs of one-page records without the
 * zero-page check go to mmu_access_run in one call; a record it stops at
 * (a fault), a record of several pages or one needing the zero-page check
 * takes touch_pages. The user-side costs are added in record order.
 */
int sim_touch(struct sim *s, const struct trace_rec *r, size_t n)
{
	struct mmu *m = s->mmu;
	const uint64_t base = s->vma.start;
	const int anon_dram = s->data_dram && s->vma.anon;
	uint64_t tcyc = 0, user = 0, bytes = 0, lines = 0;
	uint64_t req[SIM_RUN];

	for (size_t i = 0; i < n;) {
		const struct trace_rec *q = &r[i];
		const size_t lim = n - i < SIM_RUN ? n - i : SIM_RUN;
		size_t k = 0, done = 0;
		uint64_t kl = 0, kb = 0;        /* lines beyond the first, bytes of q[0..k) */
		int res = -1;
		for (; k < lim && !(anon_dram && q[k].op != TRACE_OP_WRITE); k++) {
			uint64_t va = base + q[k].off;
			if ((va ^ (va + q[k].len - 1)) >> 12)
				break;
			req[k] = va | (q[k].op == TRACE_OP_WRITE ? MMU_RUN_WRITE : 0);
			kl += rec_more_lines(&q[k]);
			kb += q[k].len;
		}
		if (k)
			done = mmu_access_run(m, req, k, &tcyc, &res);
		if (s->data_dram) {
			for (size_t j = 0; j < done; j++) {
				user += touch_user(s, &q[j], 0, 0);
				bytes += q[j].len;
			}
		} else {  /* touch_user without DRAM lines: summed over the run */
			for (size_t j = done; j < k; j++) {  /* not translated (a fault): later */
				kl -= rec_more_lines(&q[j]);
				kb -= q[j].len;
			}
			lines += kl;
			bytes += kb;
			user += done * s->p.c.user_access;
		}
		i += done;
		if (i == n || done == SIM_RUN)
			continue;
		/* record i: stopped at (res) or not one for a run (res -1) */
		uint64_t va = base + r[i].off, end = va + r[i].len;
		int w = r[i].op == TRACE_OP_WRITE, faulted = 0, zp = 0;
		if (i + MMU_PREFETCH_AHEAD < n) /* host-cache hint only, no model state */
			mmu_prefetch(m, base + r[i + MMU_PREFETCH_AHEAD].off);
		if (s->ra_stream) { /* the clock a readahead wait reads (sim_cycles) includes the loads so far */
			charge_user(s, user, lines, bytes);
			user = lines = bytes = 0;
		}
		if (touch_pages(s, va, end, w, anon_dram && !w, done < k ? res : -1, &tcyc, &faulted, &zp))
			return -EFAULT;
		user += touch_user(s, &r[i], faulted, zp);
		bytes += r[i].len;
		i++;
	}
	charge_user(s, user, lines, bytes);
	s->st[SIM_ST_RECORDS] += n;
	return 0;
}
