/*
 * sim/sim_int.h — internals of the model shared by sim/ sources (not installed,
 * not used outside sim/). The address space has one VMA (the trace's region),
 * placed 2 MiB-aligned with vm_pgoff 0, so file page index p lives at
 * vma.start + p * 4096 and "chunk" c (512 pages) is both the file's pages
 * [512c, 512c+512) and the VMA's c-th 2 MiB (one PMD entry).
 *
 * Invariants:
 * - Page-cache folios are naturally aligned (index % nr_pages == 0), as the
 *   kernel's are; a page's folio head is index & ~(nr - 1).
 * - chunk.pmd mirrors the PMD entry of the mmu's page table for that 2 MiB
 *   range (none / points to a PT / maps a 2 MiB leaf); every mmu_map and
 *   mmu_unmap done by sim/ updates it.
 * - Statistics are only counted while s->counting (cache-state set-up is
 *   not part of the replay).
 */
#ifndef SIM_SIM_INT_H
#define SIM_SIM_INT_H

#include <stdint.h>

#include "sim/sim.h"

#define SIM_PAGE 4096u
#define SIM_RUN 1024   /* records per mmu_access_run call (sim_touch) */
#define SIM_PMD_PAGES 512u
#define SIM_PMD_ORDER 9u
#define SIM_VMA_BASE UINT64_C(0x7f0000000000) /* 1 GiB-aligned, like a top-down mmap base */

/* Per-page page-cache byte: */
#define PC_PRESENT 0x80u /* page cached (part of a folio), uptodate */
#define PC_RA 0x40u      /* PG_readahead (kept on the folio's head page) */
#define PC_ORDER 0x0fu   /* folio order */
#define PC_BH 0x10u      /* file folio with buffer heads (head page): written by write(2) or made
			    writable by ->page_mkwrite; a folio read from the device has none */
/* Anonymous region under a memory limit (reclaim.c), same byte per page: PC_PRESENT = a
   resident anon page (on the LRU), PC_SWAPPED = a valid copy in swap (with PC_PRESENT:
   in the swap cache, clean), PC_RA = brought in by swap readahead, not yet used. */
#define PC_SWAPPED 0x20u

enum pmd_state { PMD_NONE = 0, PMD_TABLE, PMD_HUGE };

/* LRU state of one chunk's pages (reclaim.c; allocated only under a memory limit). */
#define LRU_NIL UINT64_MAX
#define LF_ACTIVE 0x01u     /* PG_active (head page): on the active list */
#define LF_REFERENCED 0x02u /* PG_referenced (head page) */
#define LF_WORKINGSET 0x04u /* PG_workingset (head page) */
#define LF_LRU 0x08u        /* PG_lru (head page): on one of the two lists */
#define LF_SHADOW_WS 0x10u  /* the shadow entry of this page was a workingset folio's */
struct lru_ck {
	uint64_t prev[SIM_PMD_PAGES];   /* list links of folio heads (page index, LRU_NIL) */
	uint64_t next[SIM_PMD_PAGES];
	uint64_t shadow[SIM_PMD_PAGES]; /* workingset shadow: eviction stamp + 1 (0: none) */
	uint8_t fl[SIM_PMD_PAGES];      /* LF_* bits */
};

/* One 2 MiB range of the region: page-cache state of its 512 pages and its PMD. */
struct chunk {
	uint8_t pg[SIM_PMD_PAGES]; /* PC_* bits per page */
	uint8_t pmd;               /* enum pmd_state of the VMA's PMD entry here */
	struct lru_ck *lru;        /* LRU links and shadows (memory limit only; NULL otherwise) */
};

/* One LRU list of folios (list head = most recently added, reclaim takes the tail). */
struct lru_list {
	uint64_t head, tail; /* folio head page indices (LRU_NIL: empty) */
	uint64_t pages;      /* pages on the list (lruvec NR_{IN,}ACTIVE_FILE) */
};

/* The memory cgroup of the replay (--mem-limit) with its file LRU (reclaim.c). */
struct memcg {
	uint64_t limit;      /* config: capacity in pages (mem_limit / 4096), 0 = no limit */
	uint64_t cache;      /* state: page-cache pages charged */
	uint64_t age;        /* state: lruvec->nonresident_age (evictions + activations, pages) */
	uint64_t ws_act;     /* state: WORKINGSET_ACTIVATE_FILE so far (set-up included) */
	uint64_t ws_act_seen; /* state: ws_act at the previous reclaim (prepare_scan_count) */
	uint64_t pin;        /* state: page the running fault / read holds locked (LRU_NIL: none) */
	int in_fault;        /* state: reclaim now runs inside a fault (cost goes to fault) */
	struct lru_list inactive, active; /* state: the file LRU lists (the anon lists for an anon region) */
	uint64_t ra_prev;    /* state: vma->swap_readahead_info: page of the last swap-in fault */
	unsigned ra_win;     /* ... its readahead window (pages) */
	unsigned ra_hits;    /* ... swap-cache hits on readahead pages since */
};

#define DIR_BITS 12u
#define DIR_SIZE (1u << DIR_BITS)

/* struct file_ra_state of the kernel (include/linux/fs.h). */
struct ra_state {
	uint64_t start;      /* window start (page index) */
	uint64_t size;       /* window size (pages) */
	uint64_t async_size; /* pages left when the next async readahead starts */
	unsigned order;      /* folio order of the last window */
	unsigned ra_pages;   /* maximum window (bdi read_ahead_kb / 4) */
	uint32_t mmap_miss;  /* mmap cache-miss score */
	int64_t prev_pos;    /* byte after the previous read (−1 at open) */
};

/* The single VMA (struct vm_area_struct, the flags that matter). */
struct vma {
	uint64_t start;   /* first address, 2 MiB aligned */
	uint64_t pages;   /* length in 4 KiB pages */
	int anon;         /* anonymous (no file) */
	int shared;       /* MAP_SHARED */
	int writable;     /* PROT_WRITE (always: the methods map read-write) */
	int writenotify;  /* shared and the fs tracks dirtying: read faults map read-only */
	int seq;          /* VM_SEQ_READ (MADV_SEQUENTIAL) */
	int rand;         /* VM_RAND_READ (MADV_RANDOM) */
	int hugepage;     /* VM_HUGEPAGE (MADV_HUGEPAGE) */
	int nohugepage;   /* VM_NOHUGEPAGE */
};

/* The file behind the region. */
struct sfile {
	uint64_t size;     /* i_size in bytes */
	uint64_t pages;    /* DIV_ROUND_UP(size, 4096) */
	int shmem;         /* tmpfs: 4 KiB pages, no readahead, EOF exception */
	int large;         /* mapping_large_folio_support */
	struct ra_state ra; /* the replay's open file */
};

/* glibc FILE read state (the parts _IO_file_xsgetn / seekoff use). */
struct stdio {
	uint64_t bufsize; /* _IO_buf_end - _IO_buf_base */
	uint64_t pos;     /* logical stream position */
	uint64_t rbase;   /* file offset of the buffer's first byte */
	uint64_t rend;    /* file offset after the buffer's last byte (rbase = rend: empty) */
	uint64_t koff;    /* kernel file offset */
	int eof;          /* a read() returned 0 */
	int allocated;    /* _IO_buf_base set: glibc's buffer exists (else the first op allocates it) */
};

struct sim;

/* An access method's model twin (CONVENTIONS §2). */
struct sim_method_ops {
	const char *name;        /* same name as the harness method */
	enum an_method method;   /* which case option selects it */
	int (*setup)(struct sim *s, char *err, size_t errlen); /* map / open, populate, madvise */
	int (*access)(struct sim *s, const struct trace_rec *r, size_t n); /* replay a batch */
	void (*finish)(struct sim *s); /* end of trace (NULL: nothing) */
};

extern const struct sim_method_ops sim_acc_mmap_ops, sim_acc_read_ops, sim_acc_fread_ops,
	sim_acc_uring_ops, sim_acc_anon_ops;

/*
 * One io_uring ring: the harness's ring of one thread (--threads N: one per
 * thread, acc_uring.c). The device it submits to is the model's one
 * (struct sim: uring_dev_free, uring_par), shared by every ring.
 */
struct uring_ring {
	unsigned pending;           /* SQEs not yet submitted */
	unsigned inflight;          /* SQEs submitted without waiting (at a harness chunk end) */
	uint64_t recs;              /* records queued so far (harness chunk boundaries) */
	unsigned async;             /* of pending + in flight, the SQEs that complete asynchronously
				       (punted to io-wq, or waiting for the device) */
	uint64_t reap_acc;          /* thousandths of a completion carried between waits */
	uint64_t sqes;              /* SQEs queued while counting (cycles per SQE for the io-wq wake) */
	unsigned pend_async;        /* device batches: pending SQEs that wait for the device */
	struct uring_batch {        /* device batches: FIFO of submitted batches */
		uint64_t done;      /* ... completion time (model cycles) */
		unsigned n, total;  /* ... SQEs left to reap, SQEs in all */
		unsigned first;     /* ... its reads' end positions: end_ring[first...], completion order */
		unsigned nfly;      /* ... its in-flight page ranges (fly) */
	} *b;
	uint64_t *miss_page, *miss_end; /* ... qd slots each: the pending SQEs that wait for the device
				       (pend_async of them), page and end position, in submission order */
	uint64_t *end_ring;         /* ... qd slots: the submitted batches' end positions (FIFO) */
	unsigned end_tail;          /* ... next free slot of end_ring */
	uint64_t (*fly)[2];         /* ... ring of page ranges [lo, hi) being read for SQEs in flight or
				       pending (pages added while a batch was being queued: locked) */
	unsigned fly_cap, fly_head, fly_n, fly_pend; /* ... capacity, first, in all, of the pending
				       SQEs (the last fly_pend) */
	unsigned bh, bn;            /* ... head index and batches in the FIFO (capacity qd) */
	uint64_t io_deferred;       /* threads > 1: the ring's deferred waits (struct sim's while it is
				       the current ring, saved here while another thread replays) */
	uint64_t io_deferred_n;     /* ... how many waits */
};

/* One way of the data-line LLC (sim.c llc_access): line number + 1 (0: empty), LRU stamp. */
struct llc_way {
	uint64_t tag;
	uint64_t age;
};
#define SIM_LLC_WAYS 16
#define SIM_LLC_MAX_LINES (UINT64_C(1) << 20) /* 64 MiB of lines held: profiles' cost.llc_bytes up to 128 MiB */

struct sim {
	/* configuration */
	struct sim_profile p;       /* the profile (copied) */
	struct an_case_opts o;      /* case options */
	uint64_t region;            /* region size in bytes */
	int data_dram;              /* dram_q > 0: some user data lines come from DRAM */
	unsigned dram_q;            /* share of the DRAM line costs charged, in 1/1024 (sim_dram_share) */
	struct llc_way *llc;        /* data lines in the LLC (sim.c llc_access; NULL: every line misses) */
	uint64_t llc_sets;          /* sets of llc (SIM_LLC_WAYS ways each) */
	uint64_t llc_lines;         /* lines llc holds */
	uint64_t llc_clock;         /* LRU stamp of the last line looked up */
	uint64_t llc_rng;           /* xorshift64 state: llc's victim ways */
	uint64_t meta_next;         /* the page after the last large-folio range mapped (fault.c map_meta) */
	uint64_t last_line;         /* last 64-byte line the replay touched (sequential-run detection) */
	uint64_t last_first;        /* first line of the previous record */
	uint64_t last_delta;        /* line distance between the previous two records' starts */
	uint64_t fresh_pg;          /* 1 + page offset of the page the last fault cleared or copied (its lines
				       are in the cache for the access that faulted; 0: none) */
	const struct sim_method_ops *ops; /* the method */
	/* state */
	struct mmu *mmu;            /* translation hardware and page table */
	struct vma vma;             /* the mapping (mmap/anon methods) */
	struct sfile f;             /* the file (file regions) */
	struct chunk **dir[DIR_SIZE]; /* sparse chunk table: dir[c >> 12][c & 4095] */
	uint64_t nchunks;           /* chunks allocated */
	int counting;               /* statistics on (replay) or off (set-up) */
	int populating;             /* faults now are MAP_POPULATE's (getrusage only) */
	uint64_t next_off;          /* read: where the previous record ended */
	struct stdio io;            /* fread: the FILE */
	struct uring_ring *ur;      /* io_uring: the ring of the thread replaying now (&rings[cur]) */
	struct uring_ring *rings;   /* io_uring: one ring per thread (nthr; acc_uring.c ring_select switches) */
	uint64_t uring_dev_free;    /* io_uring, device batches: the device has served what was submitted
				       by then (model cycles; one device for every ring) */
	double uring_par;           /* ... requests it serves at once: min(cost.io_queue, threads x qd) */
	struct uring_ring *uring_track; /* ... the ring whose pending SQE is being read (pcache.c
				       add_folio notes the folios it adds: sim_uring_added) */
	uint64_t uring_dd_pos;      /* ... the elevator's position: page after the last read dispatched
				       (UINT64_MAX: none yet; dev_submit) */
	uint64_t uring_async_waits; /* io_uring: waits priced with the profile's mean completions per wait
				       (all rings) */
	uint64_t io_timeline;       /* device cycles waited on the shared device timeline (io_uring
				       batches, uring_dev_free): not shared again by sim_thread_times */
	/* Asynchronous readahead windows in flight (cost.io_stream > 0, one thread, not io_uring):
	   the device streams a window's pages at io_stream each, after the windows before it; a
	   reader that reaches a page not yet read waits for it (pcache.c, pc_stream_wait) */
	struct ra_fly { uint64_t lo, n, start; } ra_fly[8]; /* pages [lo, lo + n), device start */
	unsigned ra_nfly;           /* ... windows in the array */
	uint64_t ra_busy;           /* model time at which the device has read every window submitted */
	int ra_stream;              /* the rule applies to this case */
	int ra_async_on;            /* inside ra_async: device reads are queued, not charged */
	uint64_t ra_async_lo, ra_async_n; /* ... the window being built: first page, pages */
	uint64_t io_win;            /* pages read from the device since the current synchronous read began */
	uint64_t io_win_pmd;        /* ... of which in PMD-sized folios */
	int io_defer;               /* synchronous waits overlap (io_uring qd > 1): sim_io_wait defers them */
	uint64_t io_deferred;       /* cycles of the waits deferred since the last sim_io_flush */
	uint64_t io_deferred_n;     /* ... how many waits */
	struct memcg mc;            /* memory limit and LRU (mc.limit 0: none) */
	/* threads (--threads N > 1): one modelled CPU per thread, shared page tables */
	unsigned nthr;              /* threads / CPUs modelled (1: the usual replay) */
	unsigned cur;               /* thread replaying now; s->mmu = mmus[cur] */
	struct mmu *mmus[AN_THREADS_MAX]; /* per-CPU TLBs and walk caches, each with a copy of the one
				       page table (every map/unmap/protect goes to all: sim_pt_*) */
	uint64_t rec_seen;          /* records received (interleave: record i is thread i mod N) */
	uint64_t round_faults;      /* faults so far when the current round began */
	unsigned round_n;           /* records of the current round replayed */
	unsigned round_faulters;    /* threads of the current round that faulted */
	uint64_t rec_c0;            /* sim_cycles when the current thread's record began (sim_now) */
	uint64_t tcyc[AN_THREADS_MAX]; /* per-thread cycles (own components + own TLB/walk cycles) */
	uint64_t trec[AN_THREADS_MAX]; /* per-thread records */
	uint64_t tio[AN_THREADS_MAX];  /* per-thread device cycles (SIM_C_IO of its records) */
	struct trace_rec *held;     /* blocks split: the trace kept until sim_finish (memory ~ records) */
	size_t nheld, capheld;      /* ... records held, capacity */
	int flush_pending;          /* reclaim unmapped PTEs of this batch: one batched flush due */
	/* statistics */
	uint64_t st[SIM_ST__COUNT]; /* enum sim_stat */
	uint64_t ps[SIM_PS__COUNT]; /* enum sim_pstat */
	uint64_t cyc[SIM_C__COUNT]; /* enum sim_comp (tlb/walk filled at finish) */
	char err[512];              /* last error */
};

static inline void sim_count(struct sim *s, enum sim_stat id, uint64_t n)
{
	if (s->counting)
		s->st[id] += n;
}
static inline void sim_pcount(struct sim *s, enum sim_pstat id, uint64_t n)
{
	if (s->counting)
		s->ps[id] += n;
}
/* Cycles charged so far (the model's clock; TLB and walk cycles are added at finish). */
static inline uint64_t sim_cycles(const struct sim *s)
{
	uint64_t c = 0;

	for (unsigned i = 0; i < SIM_C__COUNT; i++)
		c += s->cyc[i];
	return c;
}

static inline void sim_cost(struct sim *s, enum sim_comp c, uint64_t cyc)
{
	if (s->counting)
		s->cyc[c] += cyc;
}

/*
 * The clock of the thread replaying now: with threads, each modelled CPU
 * has its own timeline from the threads' release (its cycles so far plus the
 * current record's); with one thread, the model's cycles.
 */
static inline uint64_t sim_now(const struct sim *s)
{
	return s->nthr > 1 ? s->tcyc[s->cur] + (sim_cycles(s) - s->rec_c0) : sim_cycles(s);
}

/* ---- chunks and the page cache (pcache.c) ---- */
struct chunk *sim_chunk(struct sim *s, uint64_t c, int create);
/* Folio of page index p: 1 and head/order if cached, else 0. */
int pc_folio(struct sim *s, uint64_t p, uint64_t *head, unsigned *order);
int pc_test_ra(struct sim *s, uint64_t head);
void pc_clear_ra(struct sim *s, uint64_t head);
int pc_make_bh(struct sim *s, uint64_t head); /* 1: the folio had no buffer heads (now it has) */
/* Add a folio (head aligned to order): -EEXIST when any of its pages is cached. */
int pc_add_folio(struct sim *s, uint64_t head, unsigned order, int ra_flag);
/* Readahead (mm/readahead.c); index/req in pages. */
void ra_sync(struct sim *s, struct ra_state *ra, uint64_t index, uint64_t req, int forced);
void ra_async(struct sim *s, struct ra_state *ra, uint64_t index, unsigned folio_order,
	      uint64_t req);
void ra_order(struct sim *s, struct ra_state *ra, uint64_t start);
void ra_force(struct sim *s, struct ra_state *ra, uint64_t index, uint64_t nr);
void ra_state_init(struct sim *s, struct ra_state *ra);
/* filemap_read: bytes read at pos (charges lookup, copy, I/O). */
uint64_t pc_read(struct sim *s, struct ra_state *ra, uint64_t pos, uint64_t count);
/* generic_perform_write into the page cache (folio orders from the write size). */
void pc_write(struct sim *s, uint64_t pos, uint64_t count);
/* Establish the case's cache state (counting off). */
int pc_establish(struct sim *s, char *err, size_t errlen);
/* A synchronous read (sync readahead, read-around, one created folio) begins: what it reads is waited for. */
static inline void sim_io_sync_begin(struct sim *s)
{
	s->io_win = 0;
	s->io_win_pmd = 0;
}
/* Charge a synchronous wait for device reads (the window since sim_io_sync_begin at io_page_sync). */
void sim_io_wait(struct sim *s);
/* The reader needs page p: wait for it if an asynchronous readahead window still streams it. */
void pc_stream_wait(struct sim *s, uint64_t p);

/* ---- memory limit: LRU, reclaim, workingset (reclaim.c) ---- */
/* Set up the cgroup (mc.limit from the case); -EINVAL with a message when not modelled. */
int lru_init(struct sim *s, char *err, size_t errlen);
/* mem_cgroup_charge of nr pages about to be added: reclaims first while over the limit. */
void lru_charge(struct sim *s, uint64_t nr);
/* A folio was added to the page cache: shadow refault check, onto the LRU. */
void lru_add(struct sim *s, uint64_t head, unsigned order);
/* Anonymous page pg gets a new page (write fault) under a memory limit: charge, onto the LRU. */
void anon_page_new(struct sim *s, uint64_t pg);
/*
 * do_swap_page for page pg of the anonymous VMA under a memory limit: -1 when
 * pg has no swap entry nor swap-cache page (the usual anonymous fault), 0 when
 * the page is in the swap cache (minor), 1 when it was read from swap (major,
 * with VMA swap readahead). The caller maps the page (writable: exclusive).
 */
int swap_fault(struct sim *s, uint64_t pg, int write);
/* PG_workingset of the folio at head (0 without a memory limit). */
int lru_workingset(struct sim *s, uint64_t head);
/* folio_mark_accessed (read paths). */
void lru_mark_accessed(struct sim *s, uint64_t head);
/* A TLB flush of the mm (fault zap, COW, reclaim unmap): counted local or shootdown. */
void sim_tlb_flush(struct sim *s, enum sim_comp c);

/* ---- the shared page table of all modelled CPUs (sim.c) ---- */
int sim_pt_map(struct sim *s, uint64_t va, enum pg_size sz, unsigned prot);
void sim_pt_unmap(struct sim *s, uint64_t va, uint64_t len);
void sim_pt_protect(struct sim *s, uint64_t va, uint64_t len, unsigned prot);
int sim_pt_young_test_clear(struct sim *s, uint64_t va); /* any CPU's copy young; all cleared */
void sim_pt_young_set(struct sim *s, uint64_t va);
int sim_pt_dirty(struct sim *s, uint64_t va);             /* any CPU's copy dirty */

/* ---- O_DIRECT (sim.c) ---- */
/* One O_DIRECT request for record [off, off+len): widened to 4 KiB, device time, no copy. */
void sim_direct_read(struct sim *s, uint64_t off, uint64_t len);

/* ---- VMA, faults, touching memory (fault.c) ---- */
void vma_setup(struct sim *s, int anon);
void vma_madvise(struct sim *s);   /* WILLNEED readahead (flags set by vma_setup) */
int vma_populate(struct sim *s);   /* MAP_POPULATE */
/* Handle one hardware fault (res = MMU_FAULT_*); 0 or -EFAULT (message in s->err). */
int flt_handle(struct sim *s, uint64_t va, int is_write, int res);
/* Replay records through the mapping (mmap and anon methods). */
int sim_touch(struct sim *s, const struct trace_rec *r, size_t n);

/* ---- syscall paths shared by read/fread/io_uring ---- */
void sys_enter(struct sim *s, enum sim_stat which);
void sim_copy(struct sim *s, uint64_t bytes);
unsigned sim_dram_share(uint64_t region, uint64_t llc_bytes); /* LLC-miss share of data lines, 1/1024 */
/* Charge the deferred waits as overlapped: their sum over min(waits, par, cost.io_queue). */
void sim_io_flush(struct sim *s, uint64_t par);
/* io_uring: folios [head, head+n) were added for the ring's pending SQE (acc_uring.c). */
void sim_uring_added(struct sim *s, uint64_t head, uint64_t n);
/* One record [off, off+bytes) of read/fread/io_uring: data lines copied from DRAM, then access + checksum fold of the cached user buffer. */
void sim_user_bytes(struct sim *s, uint64_t off, uint64_t bytes);
/*
 * DRAM cost of the data lines of one record [off, off+len) when the region
 * does not fit the LLC. A record that continues the previous one streams
 * (mem_line_seq per line). Otherwise its first line streams when the record
 * keeps the previous stride within a 4 KiB page (stride prefetch; the
 * prefetchers work on physical addresses and do not cross into the next
 * page, so a stride of a page or more is not prefetched);
 * when not, it costs mem_line_indep if `overlap` (a user load that no fault
 * or syscall separates from the previous records' loads: the out-of-order
 * core has several misses in flight) and a full latency (mem_line_rand)
 * after an exception or a syscall, which drain the pipeline; the rest of that 4 KiB
 * page costs mem_line_fresh per line, because the L1/L2 streamers do not
 * cross a 4 KiB boundary and ramp up again in every page entered other than
 * by the next line; lines in later pages of the record stream again.
 * `ramp` is 1 for the user's load loop; the kernel's copy_to_user is a
 * fast-string copy (rep movsb) that has the whole range in flight at once,
 * so for it (ramp 0) the rest of the page streams. 0 when the region fits
 * half the LLC. Otherwise that cost is charged for the share of the
 * record's lines the LLC does not hold (sim_llc_touch): a hot set that
 * fits stays in the cache however large the file around it.
 */
/* Lines [l0, l1] through the LLC model: how many it did not hold (touch: a missed line enters as BIP
   inserts it; fill: at MRU, for lines a store or the set-up wrote) */
uint64_t sim_llc_touch(struct sim *s, uint64_t l0, uint64_t l1);
uint64_t sim_llc_fill(struct sim *s, uint64_t l0, uint64_t l1);

static inline uint64_t sim_data_lines(struct sim *s, uint64_t off, uint64_t len, int overlap, int ramp)
{
	uint64_t l0 = off >> 6, l1 = (off + len - 1) >> 6, delta = l0 - s->last_first, c, miss;

	if (!s->data_dram)
		return 0;
	miss = sim_llc_touch(s, l0, l1);
	c = (l1 - l0) * s->p.c.mem_line_seq;
	if (l0 - s->last_line <= 1) {
		c += s->p.c.mem_line_seq;
	} else {
		uint64_t page_end = (l0 | 63), fresh = (l1 < page_end ? l1 : page_end) - l0;
		c += delta == s->last_delta && delta < 64 ? s->p.c.mem_line_seq
		     : overlap && s->p.c.mem_line_indep ? s->p.c.mem_line_indep
							 : s->p.c.mem_line_rand;
		if (ramp && s->p.c.mem_line_fresh > s->p.c.mem_line_seq)
			c += fresh * (s->p.c.mem_line_fresh - s->p.c.mem_line_seq);
	}
	s->last_delta = delta;
	s->last_first = l0;
	s->last_line = l1;
	if (s->llc) /* the record's cost as if it all came from DRAM, times its share of lines not held */
		return miss == l1 - l0 + 1 ? c : c * miss / (l1 - l0 + 1);
	return s->dram_q >= 1024 ? c : (c * s->dram_q) >> 10;
}

/*
 * Per page-cache folio a kernel path visits (fault-around, filemap_fault,
 * filemap_read): the folio's struct (vmemmap, one line: flags, refcount,
 * mapping) is read and its refcount taken. When the file's pages exceed the
 * LLC the replay's own data evicts those lines: a DRAM miss each. The paths
 * visit folios in index order and find each one from the xarray, not from
 * the previous folio, so their misses overlap like independent loads
 * (mem_line_indep; the full latency mem_line_rand when that is not known).
 */
static inline uint64_t sim_folio_meta(const struct sim *s)
{
	uint64_t c = !s->data_dram ? 0 : s->p.c.mem_line_indep ? s->p.c.mem_line_indep : s->p.c.mem_line_rand;
	return s->dram_q >= 1024 ? c : (c * s->dram_q) >> 10;
}

/* glibc stdio model (acc_fread.c), exposed for tests. sys_read(ctx, off, n) returns bytes. */
typedef uint64_t (*stdio_read_fn)(void *ctx, uint64_t off, uint64_t n);
void stdio_init(struct stdio *io, uint64_t bufsize);
uint64_t stdio_buffer_size(uint64_t setvbuf_size, uint64_t st_blksize);
/* fread of n bytes at the current position; returns bytes delivered, *reads += read() calls. */
uint64_t stdio_fread(struct stdio *io, uint64_t n, stdio_read_fn rd, void *ctx,
		     uint64_t *user_copy);
/* fseek(off, SEEK_SET); returns the number of syscalls (lseek + read) it issued. */
void stdio_fseek(struct stdio *io, uint64_t off, stdio_read_fn rd, void *ctx,
		 uint64_t *lseeks);

#endif /* SIM_SIM_INT_H */
