/*
 * sim/mmu/pt.c — the radix page table of pt.h: allocation of table pages,
 * map, unmap (with splitting and free_pgtables-style freeing), protect, lookup.
 *
 * Page-table memory rule (mmu_pt_bytes, in mmu.c, uses pages[] from here):
 * Linux VmPTE is mm_pgtables_bytes(mm) (fs/proc/task_mmu.c task_mem), which
 * include/linux/mm.h raises in mm_inc_nr_ptes (pte_alloc), mm_inc_nr_pmds
 * (__pmd_alloc) and mm_inc_nr_puds (__pud_alloc, skipped when the pud level
 * is folded) by one table page each; pgd_alloc and p4d tables are not counted.
 * Anonymous THP and the huge zero page deposit a PT with their PMD and count
 * it (mm/huge_memory.c: pgtable_trans_huge_deposit + mm_inc_nr_ptes) — the
 * MMU_DEPOSIT flag. Hence VmPTE = 4096 * (PT + PD + PDPT table pages).
 *
 * Invariant checks name the invariant in the assert message.
 */
#include "sim/mmu/pt.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static uint32_t entry_frame(uint64_t e) { return (uint32_t)((e & PTE_ADDR) >> 12); }

#define PT_BLK_BYTES (sizeof(struct pt_page) * PT_BLK)
#define PT_HUGE (UINT64_C(2) << 20)

/* One block of table pages: anonymous memory, 2 MiB aligned, THP advised. */
static struct pt_page *block_alloc(void)
{
	size_t len = PT_BLK_BYTES + PT_HUGE;
	char *raw = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *al;

	if (raw == MAP_FAILED)
		return NULL;
	al = (char *)(((uintptr_t)raw + PT_HUGE - 1) & ~(uintptr_t)(PT_HUGE - 1));
	if (al > raw)
		munmap(raw, (size_t)(al - raw));
	if (al + PT_BLK_BYTES < raw + len)
		munmap(al + PT_BLK_BYTES, (size_t)(raw + len - (al + PT_BLK_BYTES)));
	madvise(al, PT_BLK_BYTES, MADV_HUGEPAGE);
	return (struct pt_page *)al;
}

static int grow(struct pt *p)
{
	uint32_t n = p->nblk + 1;
	struct pt_page **blk = realloc(p->blk, sizeof(*blk) * n);
	if (!blk)
		return -ENOMEM;
	p->blk = blk;
	uint16_t *used = realloc(p->used, sizeof(*used) * n * PT_BLK);
	if (!used)
		return -ENOMEM;
	p->used = used;
	uint32_t **dep = realloc(p->deposit, sizeof(*dep) * n * PT_BLK);
	if (!dep)
		return -ENOMEM;
	p->deposit = dep;
	memset(dep + (size_t)p->nblk * PT_BLK, 0, sizeof(*dep) * PT_BLK);
	/*
	 * 2 MiB-aligned blocks the host may back with a transparent huge page:
	 * the model's random walks read table pages all over the pool, and on a
	 * VM every host TLB miss is a nested walk (this is about the model's own
	 * speed, not its results: frames are numbered the same either way).
	 */
	blk[p->nblk] = block_alloc();
	if (!blk[p->nblk])
		return -ENOMEM;
	p->nblk = n;
	return 0;
}

/* A zeroed table page for entries of kind lvl; 0 when out of memory. */
static uint32_t table_alloc(struct pt *p, unsigned lvl)
{
	uint32_t f;
	if (p->nfree) {
		f = p->freel[--p->nfree];
	} else {
		if (p->next >= p->nblk * PT_BLK && grow(p))
			return 0;
		if (p->next >= (UINT32_C(1) << 31))
			return 0;
		f = p->next++;
	}
	memset(pt_page(p, f), 0, sizeof(struct pt_page));
	p->used[f] = 0;
	p->pages[lvl]++;
	p->allocs++;
	return f;
}

static int table_free(struct pt *p, uint32_t f, unsigned lvl)
{
	assert(p->used[f] == 0 && "pt: a freed table has no present entry");
	if (p->deposit[f]) {
		free(p->deposit[f]);
		p->deposit[f] = NULL;
	}
	if (p->nfree == p->capfree) {
		uint32_t cap = p->capfree ? p->capfree * 2 : 256;
		uint32_t *fl = realloc(p->freel, sizeof(*fl) * cap);
		if (!fl)
			return -ENOMEM;
		p->freel = fl;
		p->capfree = cap;
	}
	p->freel[p->nfree++] = f;
	p->pages[lvl]--;
	p->frees++;
	return 0;
}

int pt_init(struct pt *p, unsigned levels)
{
	memset(p, 0, sizeof(*p));
	if (levels != 4 && levels != 5)
		return -EINVAL;
	p->levels = levels;
	p->next = 1;                            /* frame 0 is never used */
	p->root = table_alloc(p, levels - 1);
	if (!p->root) {
		pt_fini(p);
		return -ENOMEM;
	}
	return 0;
}

void pt_fini(struct pt *p)
{
	for (uint32_t b = 0; b < p->nblk; b++)
		munmap(p->blk[b], PT_BLK_BYTES);
	if (p->deposit)
		for (uint32_t f = 0; f < p->nblk * PT_BLK; f++)
			free(p->deposit[f]);
	free(p->blk);
	free(p->used);
	free(p->deposit);
	free(p->freel);
	memset(p, 0, sizeof(*p));
}

int pt_map(struct pt *p, uint64_t va, enum pg_size sz, unsigned prot)
{
	if ((unsigned)sz >= PG__COUNT)
		return -EINVAL;
	uint64_t size = UINT64_C(1) << PT_SHIFT(sz);
	if ((va & (size - 1)) || va >= pt_va_limit(p) || pt_va_limit(p) - va < size)
		return -EINVAL;
	if ((prot & MMU_DEPOSIT) && sz != PG_2M)
		return -EINVAL;
	uint32_t f = p->root;
	unsigned lvl;
	for (lvl = p->levels - 1; lvl > (unsigned)sz; lvl--) {
		uint64_t *e = &pt_page(p, f)->e[(va >> PT_SHIFT(lvl)) & 511];
		if (!(*e & PTE_P)) {
			uint32_t nf = table_alloc(p, lvl - 1);
			if (!nf)
				return -ENOMEM;
			*e = PTE_P | PTE_W | ((uint64_t)nf << 12);
			p->used[f]++;
		} else if (*e & PTE_PS) {
			return -EEXIST;
		}
		f = entry_frame(*e);
	}
	unsigned idx = (va >> PT_SHIFT(lvl)) & 511;
	uint64_t *e = &pt_page(p, f)->e[idx];
	if (*e & PTE_P)
		return (lvl > 0 && !(*e & PTE_PS)) ? -EBUSY : -EEXIST;
	if (prot & MMU_DEPOSIT) {
		if (!p->deposit[f] && !(p->deposit[f] = calloc(PT_ENTRIES, sizeof(uint32_t))))
			return -ENOMEM;
		uint32_t d = table_alloc(p, MMU_PTE);
		if (!d)
			return -ENOMEM;
		p->deposit[f][idx] = d;
		e = &pt_page(p, f)->e[idx];
	}
	uint64_t gpa = (p->data_next + size - 1) & ~(size - 1);
	p->data_next = gpa + size;
	*e = PTE_P | ((prot & MMU_W) ? PTE_W : 0) | (sz != PG_4K ? PTE_PS : 0) | gpa;
	p->used[f]++;
	return 0;
}

uint64_t *pt_leaf(const struct pt *p, uint64_t va, enum pg_size *sz)
{
	if (va >= pt_va_limit(p))
		return NULL;
	uint32_t f = p->root;
	for (int lvl = (int)p->levels - 1; lvl >= 0; lvl--) {
		uint64_t *e = &pt_page(p, f)->e[(va >> PT_SHIFT(lvl)) & 511];
		if (!(*e & PTE_P))
			return NULL;
		if (lvl == 0 || (*e & PTE_PS)) {
			if (sz)
				*sz = (enum pg_size)lvl;
			return e;
		}
		f = entry_frame(*e);
	}
	return NULL;
}

/* One range operation: unmap (with table freeing) or protect. */
struct rop {
	uint64_t va, end;        /* range */
	uint64_t floor, ceil;    /* table freeing bounds (unmap); ceil 0 = top */
	int unmap;               /* 1 unmap, 0 protect */
	unsigned prot;           /* protect: new MMU_W */
	struct pt_change *ch;    /* what changed */
	int err;                 /* first error (-ENOMEM) */
};

static void note(struct rop *r, uint64_t lo, uint64_t hi, unsigned lvl)
{
	struct pt_change *ch = r->ch;
	if (ch->lo == ch->hi) {
		ch->lo = lo;
		ch->hi = hi;
	} else {
		if (lo < ch->lo)
			ch->lo = lo;
		if (hi > ch->hi)
			ch->hi = hi;
	}
	ch->sizes |= 1u << lvl;
}

/* Turn the 2M leaf at t->e[idx] into a PT of 4K leaves using its deposit. */
static uint32_t split_pmd(struct pt *p, uint32_t f, unsigned idx)
{
	uint32_t d = p->deposit[f][idx];
	p->deposit[f][idx] = 0;
	uint64_t e = pt_page(p, f)->e[idx];
	uint64_t flags = e & (PTE_P | PTE_W | PTE_A | PTE_D);
	uint64_t gpa = e & PTE_ADDR;
	struct pt_page *pt = pt_page(p, d);
	for (unsigned i = 0; i < PT_ENTRIES; i++)
		pt->e[i] = flags | (gpa + ((uint64_t)i << 12));
	p->used[d] = PT_ENTRIES;
	pt_page(p, f)->e[idx] = PTE_P | PTE_W | PTE_A | ((uint64_t)d << 12);
	return d;
}

static void range(struct pt *p, uint32_t f, unsigned lvl, uint64_t base, struct rop *r)
{
	unsigned sh = PT_SHIFT(lvl);
	uint64_t esz = UINT64_C(1) << sh;
	unsigned first = r->va > base ? (unsigned)((r->va - base) >> sh) : 0;
	uint64_t lastx = (r->end - 1 - base) >> sh;
	unsigned last = lastx > 511 ? 511 : (unsigned)lastx;
	for (unsigned idx = first; idx <= last; idx++) {
		struct pt_page *t = pt_page(p, f);
		uint64_t es = base + (uint64_t)idx * esz, ee = es + esz;
		uint64_t e = t->e[idx];
		if (!(e & PTE_P))
			continue;
		int full = es >= r->va && ee <= r->end;
		if (lvl == 0 || (e & PTE_PS)) {
			if (!full) {
				if (lvl == MMU_PDE && p->deposit[f] && p->deposit[f][idx]) {
					note(r, es, ee, lvl);    /* the 2M entry goes away */
					uint32_t d = split_pmd(p, f, idx);
					range(p, d, 0, es, r);
				} else {                         /* zap the whole leaf */
					t->e[idx] = 0;
					p->used[f]--;
					note(r, es, ee, lvl);
				}
				continue;
			}
			if (r->unmap) {
				if (lvl == MMU_PDE && p->deposit[f] && p->deposit[f][idx]) {
					if (table_free(p, p->deposit[f][idx], MMU_PTE))
						r->err = -ENOMEM;
					p->deposit[f][idx] = 0;
				}
				t->e[idx] = 0;
				p->used[f]--;
				note(r, es, ee, lvl);
			} else {
				uint64_t ne = (r->prot & MMU_W) ? (e | PTE_W) : (e & ~PTE_W);
				if (ne != e) {
					t->e[idx] = ne;
					note(r, es, ee, lvl);
				}
			}
			continue;
		}
		uint32_t c = entry_frame(e);
		range(p, c, lvl - 1, es, r);
		if (r->unmap && p->used[c] == 0 && es >= r->floor && (r->ceil == 0 || ee <= r->ceil)) {
			if (table_free(p, c, lvl - 1))
				r->err = -ENOMEM;
			t->e[idx] = 0;
			p->used[f]--;
			r->ch->tables_freed++;
		}
	}
}

static int range_op(struct pt *p, struct rop *r)
{
	memset(r->ch, 0, sizeof(*r->ch));
	if ((r->va & 4095) || (r->end & 4095) || r->end < r->va || r->end > pt_va_limit(p))
		return -EINVAL;
	if (r->end == r->va)
		return 0;
	range(p, p->root, p->levels - 1, 0, r);
	return r->err;
}

int pt_unmap(struct pt *p, uint64_t va, uint64_t end, uint64_t floor, uint64_t ceil,
	     struct pt_change *ch)
{
	struct rop r = { .va = va, .end = end, .floor = floor, .ceil = ceil, .unmap = 1, .ch = ch };
	return range_op(p, &r);
}

int pt_protect(struct pt *p, uint64_t va, uint64_t end, unsigned prot, struct pt_change *ch)
{
	struct rop r = { .va = va, .end = end, .unmap = 0, .prot = prot, .ch = ch };
	return range_op(p, &r);
}
