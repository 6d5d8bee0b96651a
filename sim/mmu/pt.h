/*
 * sim/mmu/pt.h — the x86-64 radix page table of the MMU model (internal to
 * sim/mmu/): 4 KiB table pages of 512 64-bit entries, 4 or 5 levels, leaves
 * at PT (4K), PD (2M, PS bit) and PDPT (1G, PS bit).
 *
 * Invariants:
 * - Table pages are really allocated, PT_BLK at a time, and named by a frame
 *   number (1..); frame 0 is never used. A table's guest-physical address is
 *   PT_TABLE_GPA + frame * 4096; freed frames are reused (LIFO).
 * - Table entries hold the child's frame in bits 12..51; leaf entries hold
 *   the data page's guest-physical address, handed out in mapping order
 *   from 0, aligned to the page size.
 * - used[frame] = number of present entries of that table.
 * - pages[lvl] = table pages now allocated whose entries are of kind lvl,
 *   deposited PTs included in pages[MMU_PTE].
 */
#ifndef SIM_MMU_PT_H
#define SIM_MMU_PT_H

#include <stdint.h>

#include "sim/mmu/mmu.h"

#define PTE_P  (UINT64_C(1) << 0)  /* present */
#define PTE_W  (UINT64_C(1) << 1)  /* writable */
#define PTE_A  (UINT64_C(1) << 5)  /* accessed */
#define PTE_D  (UINT64_C(1) << 6)  /* dirty (leaves) */
#define PTE_PS (UINT64_C(1) << 7)  /* page size: leaf above the PT level */
#define PTE_ADDR UINT64_C(0x000ffffffffff000) /* frame or physical address */

#define PT_ENTRIES 512
#define PT_BLK 512                                /* table pages per allocation block (2 MiB: one THP) */
#define PT_TABLE_GPA (UINT64_C(1) << 44)          /* guest-physical base of table pages */

/* Bytes mapped by one entry of kind lvl. */
#define PT_SHIFT(lvl) (12u + 9u * (unsigned)(lvl))

struct pt_page {
	uint64_t e[PT_ENTRIES];  /* the 512 entries */
};

struct pt {
	unsigned levels;                /* 4 or 5 */
	uint32_t root;                  /* frame of the root table */
	struct pt_page **blk;           /* [nblk] blocks of PT_BLK table pages */
	uint32_t nblk;                  /* blocks allocated */
	uint32_t next;                  /* next never-used frame */
	uint16_t *used;                 /* [nblk * PT_BLK] present entries per table */
	uint32_t **deposit;             /* [nblk * PT_BLK] per PD table: deposited PT
					   frame per entry, NULL until first deposit */
	uint32_t *freel;                /* stack of freed frames */
	uint32_t nfree, capfree;        /* its depth and capacity */
	uint64_t pages[MMU_LVL__COUNT]; /* table pages allocated, by level */
	uint64_t data_next;             /* next guest-physical data address */
	uint64_t allocs, frees;         /* table pages allocated / freed so far */
};

/* What an unmap or protect did, for the TLB invalidation that follows. */
struct pt_change {
	uint64_t lo, hi;            /* VA span of leaves changed or removed ([lo, hi), lo=hi: none) */
	unsigned sizes;             /* bit s set: a leaf of pg_size s changed */
	unsigned tables_freed;      /* table pages freed */
};

static inline struct pt_page *pt_page(const struct pt *p, uint32_t frame)
{
	return &p->blk[frame / PT_BLK][frame % PT_BLK];
}

int pt_init(struct pt *p, unsigned levels);
void pt_fini(struct pt *p);
int pt_map(struct pt *p, uint64_t va, enum pg_size sz, unsigned prot);
/* Remove leaves in [va, end); free empty tables with span in [floor, ceil) that
   intersect [va, end) (ceil 0 = top of the address space). */
int pt_unmap(struct pt *p, uint64_t va, uint64_t end, uint64_t floor, uint64_t ceil,
	     struct pt_change *ch);
int pt_protect(struct pt *p, uint64_t va, uint64_t end, unsigned prot, struct pt_change *ch);
/* Leaf entry mapping va and its size; NULL when none. */
uint64_t *pt_leaf(const struct pt *p, uint64_t va, enum pg_size *sz);
/* Top of the user address space (2^47 or 2^56). */
static inline uint64_t pt_va_limit(const struct pt *p)
{
	return UINT64_C(1) << (PT_SHIFT(p->levels) - 1);
}

#endif /* SIM_MMU_PT_H */
