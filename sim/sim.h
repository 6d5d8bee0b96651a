/*
 * sim/sim.h — the mapbench model: replays a trace through a cycle-counted
 * software model of the x86-64 translation hardware (sim/mmu/) and of the
 * Linux paths a file or anonymous access takes (VMA, page cache with folios,
 * readahead, fault handlers, read/pread, glibc stdio, io_uring), and predicts
 * the metrics the native harness measures, under the same names.
 *
 * Invariants:
 * - Pure and deterministic: no I/O, no clock, no counters. The same trace,
 *   case options and profile give the same statistics, bit for bit.
 * - Memory grows with the distinct 2 MiB ranges touched, never with the
 *   number of records (streaming any trace length is bounded).
 * - Every policy number comes from the profile (struct sim_profile), whose
 *   values each carry their source in the .ini they were read from.
 * - Configuration (profile, case), derived values and statistics are kept
 *   apart; statistics are arrays indexed by enum sim_stat / enum sim_comp.
 */
#ifndef SIM_SIM_H
#define SIM_SIM_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "analysis/caseid.h"
#include "sim/mmu/mmu.h"
#include "traces/trace.h"

/* Which file mappings finish_fault maps as a whole large folio (KERNEL-NOTES "Versions"). */
enum sim_whole_folio {
	SIM_WF_NONE = 0, /* page by page (6.1 .. 6.11) */
	SIM_WF_SHMEM,    /* shmem/tmpfs only (6.12 .. 6.17) */
	SIM_WF_ANY,      /* any file (6.18) */
};

/* THP policy for anonymous memory (/sys/kernel/mm/transparent_hugepage/enabled). */
enum sim_thp { SIM_THP_NEVER = 0, SIM_THP_MADVISE, SIM_THP_ALWAYS };
/* The block device's I/O scheduler: the order a batch of reads is dispatched (and completes) in. */
enum sim_iosched { SIM_IOSCHED_MQ_DEADLINE = 0, SIM_IOSCHED_FIFO };

/* Costs in CPU cycles per event (profile section [cost]). */
struct sim_costs {
	uint32_t user_access;      /* per record: the load/store instruction, L1D hit */
	uint32_t user_line;        /* per extra 64-byte line a record touches */
	uint32_t fault_entry;      /* per hardware fault: exception entry, exit, handler */
	uint32_t fault_pte;        /* per PTE installed by a fault (fault-around included) */
	uint32_t fault_pmd;        /* per PMD (2 MiB) mapping installed */
	uint32_t fault_mkwrite;    /* per ->page_mkwrite call: a write fault through a shared mapping of a
				      file that has one (ext4: journal handle, dirtying); never on tmpfs */
	uint32_t fault_mkwrite_page; /* ... plus per page of the folio it makes writable (ext4 walks the
				      folio's buffer heads) */
	uint32_t fault_mkwrite_bh; /* ... plus per page of a folio that has no buffer heads yet (read from
				      the device: ext4_mpage_readpages attaches none), the first time
				      ->page_mkwrite makes it writable (create_empty_buffers, block
				      mapping per block); folios written by write(2) have them */
	uint32_t fault_folio;      /* per page-cache folio looked up in a fault path */
	uint32_t fault_pte_cold;   /* per page of a large folio mapped when its struct page is not cached
				      (file beyond the LLC, a range not continuing the last one mapped):
				      the per-page rmap update's miss (0: not priced) */
	uint32_t zero_4k;          /* zeroing a 4 KiB anonymous page */
	uint32_t zero_2m;          /* zeroing a 2 MiB THP */
	uint32_t copy_4k;          /* a COW fault's new page: allocation, charge, copy of 4 KiB, rmap */
	uint32_t cow_wp;           /* a COW of a file page mapped read-only (wp_page_copy) beyond
				      copy_4k: the old PTE cleared and flushed, the page-cache page's
				      rmap dropped (0: not priced) */
	uint32_t syscall;          /* syscall entry + exit (incl. mitigations) */
	uint32_t pc_lookup;        /* per folio found in a read() page-cache walk */
	uint32_t ra_skip;          /* per cached folio page_cache_ra_unbounded steps over (xa_load and
				      an empty read_pages batch; 0: not priced) */
	uint32_t copy_mcyc_per_byte; /* copy_to_user cost, milli-cycles per byte */
	uint32_t io_request;       /* per synchronous I/O wait (readahead submit + wait) */
	uint32_t io_page;          /* per 4 KiB page read from the device (streaming: readahead ahead of the reader) */
	uint32_t io_stream;        /* device time per 4 KiB page of an asynchronous readahead window, which
				      the task overlaps: it waits only for pages not read yet (0: such
				      pages cost io_page each, summed with the task's work) */
	uint32_t io_page_sync;     /* per 4 KiB page of a synchronous readahead window the task waits for
				      as one unit (replaces io_page for those pages; 0: same as io_page) */
	uint32_t io_page_sync_pmd; /* the same for the pages of PMD-sized (order-9) folios in such a
				      window (MADV_HUGEPAGE reads; 0: same as io_page_sync) */
	double io_queue;           /* device requests served at once: io_uring with qd > 1 overlaps the
				      synchronous waits of up to min(qd, io_queue) reads (1: serial);
				      N threads' rings share them: min(N x qd, io_queue) */
	double io_threads;         /* speed-up of N threads' concurrent synchronous device waits over one
				      thread's (the device as a shared resource: min(N, io_threads) waits'
				      worth served at once; 1: serial). Not io_queue: one task's queued
				      io_uring reads overlap far better than threads' blocking reads */
	uint32_t stdio_call;       /* per fread() call in glibc (locking, bookkeeping) */
	uint32_t uring_sqe;        /* per io_uring submission entry */
	uint32_t uring_wait;       /* per io_uring_enter with IORING_ENTER_GETEVENTS, beyond cost.syscall
				      (io_cqring_wait, task work, CQ ring update) */
	uint32_t uring_punt;       /* per SQE punted to an io-wq worker (a file without FMODE_NOWAIT) */
	uint32_t uring_punt_wait;  /* per waiting io_uring_enter that sleeps until io-wq completes (switch + wake-up) */
	double uring_reap_io;      /* completions (mean) a waiting io_uring_enter of the harness finds posted
				      when its reads in flight wait for the device (cold ext4); 0: all of them */
	double uring_reap_punt;    /* the same when the reads were punted to io-wq (tmpfs); 0: all of them */
	uint32_t uring_punt_wake;  /* cycles from an io-wq completion to the waiting enter reaping: it finds
				      this much over the cycles per SQE posted (at least 1); 0: use uring_reap_punt */
	uint32_t uring_regfile_saving; /* saved per SQE with a registered file */
	uint32_t uring_regbuf_saving;  /* saved per SQE with registered buffers */
	uint32_t tlb_flush;        /* per TLB shootdown/flush issued by a fault (PMD zap) */
	uint32_t fold_mcyc_per_byte; /* the harness's checksum fold of bytes in L1/L2, milli-cycles per byte */
	uint32_t mem_line_seq;     /* per 64-byte line streamed from DRAM (next line of a sequential run) */
	uint32_t mem_line_rand;    /* per 64-byte line fetched from DRAM at a new place (latency) */
	uint32_t mem_line_indep;   /* per 64-byte line fetched from DRAM at a new place by a load that does not
				      follow a fault: out-of-order execution overlaps independent misses
				      (0: same as mem_line_rand) */
	uint32_t mem_line_fresh;   /* per further line of the same 4 KiB page after a line fetched at a new
				      place (prefetchers ramping inside the page; 0: same as mem_line_seq) */
	uint32_t llc_bytes;        /* last-level cache size: data of larger regions comes from DRAM */
	/* issue 16 (memory pressure, O_DIRECT, threads); shared/i16 interface names */
	uint32_t direct_io;        /* per O_DIRECT request beyond cost.syscall: bio set-up, submission,
				      completion (the device time is io_request/io_page_sync as for a
				      synchronous buffered read); DMA to the user buffer: no copy */
	uint32_t reclaim_folio;    /* per folio reclaimed: LRU isolation, rmap unmap, xarray removal
				      and free (excludes the TLB flush and any I/O) */
	uint32_t ipi;              /* per remote CPU per TLB shootdown: IPI, remote flush, ack wait */
	uint32_t swap_out;         /* per page written to swap, charged to the reclaiming task */
	uint32_t swap_in;          /* per page read from swap synchronously in do_swap_page */
	uint32_t lock_wait;        /* per concurrent faulting thread a fault waits for (mmap_lock/VMA lock) */
};

/* Kernel policy (profile section [kernel]); see shared/KERNEL-NOTES.md. */
struct sim_kernel {
	char version[16];          /* "6.18": informational, presets applied when set */
	uint32_t fault_around_pages; /* fault_around_bytes / 4096 (16) */
	uint32_t ra_pages;         /* read_ahead_kb / 4 (2048 here) */
	uint32_t io_pages;         /* max_sectors_kb / 4 (1024 here) */
	enum sim_whole_folio whole_folio_map; /* finish_fault whole-folio rule */
	uint32_t faultaround_whole_folio; /* 1: filemap_map_pages maps whole large folios (6.18) */
	uint32_t eof_folio_rule;   /* 1: fault-around never maps the folio holding the last
				      page whole, nor by PMD (6.18 i_size checks) */
	uint32_t ext4_large_folios; /* 1: ext4 page cache uses large folios (6.16+) */
	uint32_t max_folio_order;  /* largest page-cache folio order (9 = 2 MiB) */
	uint32_t write_folio_max;  /* largest folio a write creates, in pages (512) */
	uint32_t mmap_lotsamiss;   /* MMAP_LOTSAMISS (100) */
	enum sim_thp thp_anon;     /* THP enabled setting for anonymous memory */
	enum sim_iosched io_sched; /* queue/scheduler of the file's device (mq-deadline: sector order) */
	uint32_t thp_zero_page;    /* use_zero_page: anon THP read maps the huge zero page */
	uint32_t anon_mthp_order;  /* largest enabled anonymous mTHP order below PMD (0 = none) */
	uint32_t st_blksize;       /* stat st_blksize of the file (glibc buffer rule) */
	uint32_t tmpfs_st_blksize; /* st_blksize on tmpfs */
	uint32_t page_cluster;     /* vm.page-cluster: swap readahead of 2^page_cluster pages */
	uint32_t memcg_charge_batch; /* MEMCG_CHARGE_BATCH: pages a memcg charge takes at once (the
				       per-CPU stock left by the set-up is the replay's too: reclaim.c) */
};

/* A cost profile. */
struct sim_profile {
	char name[64];             /* profile name (file stem or [profile] name) */
	char source[256];          /* where it was read from (path), for the result */
	char fingerprint[17];      /* host fingerprint hash it was calibrated on ("" for stock profiles) */
	char noisy[256];           /* keys calibrate flagged noisy, space-separated ("" when none) */
	char defaulted[256];       /* issue-16 keys the file did not give (their defaults apply),
				      space-separated ("" when none or not parsed from a file) */
	double ghz;                /* TSC / core frequency used to convert cycles to ns */
	struct sim_kernel k;       /* kernel policy */
	struct sim_costs c;        /* costs per event */
	struct mmu_config mmu;     /* translation hardware (sim/mmu/) */
};

/* Defaults (a current Intel server core, kernel 6.18 policy). */
void sim_profile_default(struct sim_profile *p);
/*
 * Parse an INI profile from memory (cmd_sim.c reads the file). Sections:
 * [profile] name, ghz; [kernel] ...; [cost] ...; [mmu] keys of mmu_config_set.
 * Every key=value line must carry a '#' comment naming its source. Starts
 * from sim_profile_default(). On error -EINVAL and err = "<name>:<line>: key
 * <k>: value '<v>' <limit>".
 */
int sim_profile_parse(const char *text, size_t len, const char *name,
		      struct sim_profile *p, char *err, size_t errlen);
/* One line of help per accepted key ("section.key — help [min..max]"), NULL-terminated. */
extern const char *const sim_profile_keys_help[];

/* Statistics counted by the model, indexed by enum sim_stat. */
enum sim_stat {
	SIM_ST_RECORDS = 0,     /* records replayed */
	SIM_ST_BYTES,           /* bytes accessed */
	SIM_ST_FAULTS,          /* faults.total: hardware faults as perf counts them */
	SIM_ST_FAULTS_MINOR,    /* faults.minor (perf minor-faults) */
	SIM_ST_FAULTS_MAJOR,    /* faults.major (perf major-faults) */
	SIM_ST_FAULTS_POPULATE, /* faults.populate: faults taken by MAP_POPULATE (getrusage only) */
	SIM_ST_FAULTS_POPULATE_MAJOR, /* faults.populate.major */
	SIM_ST_FLT_FILE_READ,   /* fault.file_read: do_read_fault */
	SIM_ST_FLT_COW,         /* fault.cow: private write (do_cow_fault / wp copy) */
	SIM_ST_FLT_SHARED,      /* fault.shared: shared write to an unmapped page */
	SIM_ST_FLT_WP,          /* fault.wp: write to a present read-only page */
	SIM_ST_FLT_ANON,        /* fault.anon: anonymous page faults */
	SIM_ST_FLT_THP,         /* fault.thp: anonymous PMD faults */
	SIM_ST_FLT_RETRY,       /* fault.retry: faults retried after I/O (counted once) */
	SIM_ST_PTES_MAPPED,     /* map.ptes: PTEs installed */
	SIM_ST_PMDS_MAPPED,     /* map.pmds: PMD leaves installed */
	SIM_ST_FA_PTES,         /* map.faultaround_ptes: PTEs installed by fault-around */
	SIM_ST_SYSCALLS,        /* syscalls: all syscalls of the replay */
	SIM_ST_SYSCALLS_READ,   /* syscalls.read: read() + pread64() */
	SIM_ST_SYSCALLS_WRITE,  /* syscalls.write: write() + pwrite64() */
	SIM_ST_SYSCALLS_LSEEK,  /* syscalls.lseek (glibc fseek) */
	SIM_ST_SYSCALLS_URING,  /* syscalls.io_uring_enter */
	SIM_ST_SYSCALLS_FSTAT,  /* syscalls.fstat (glibc _IO_file_doallocate asks st_blksize) */
	SIM_ST_PC_ADDED,        /* pagecache.added_pages: 4 KiB pages added during the replay */
	SIM_ST_PC_FOLIOS_ADDED, /* pagecache.added: folios added (filemap:mm_filemap_add_to_page_cache fires per folio) */
	SIM_ST_PC_LOOKUPS,      /* pagecache.lookups: folios looked up by read paths */
	SIM_ST_RA_SYNC,         /* readahead.sync: synchronous readahead / read-around calls */
	SIM_ST_RA_ASYNC,        /* readahead.async: async readahead calls */
	SIM_ST_IO_WAITS,        /* io.waits: synchronous waits for device reads */
	SIM_ST_COPY_BYTES,      /* copy.bytes: bytes copied by read paths */
	SIM_ST__COUNT
};

/* Cycle breakdown components, indexed by enum sim_comp. */
enum sim_comp {
	SIM_C_USER = 0, /* the program's own loads/stores */
	SIM_C_TLB,      /* TLB hits and STLB lookups (translation minus walks) */
	SIM_C_WALK,     /* page walks */
	SIM_C_FAULT,    /* fault handling (entry, mapping, zeroing, COW copies) */
	SIM_C_SYSCALL,  /* syscall entry/exit, page-cache lookups, libc work */
	SIM_C_COPY,     /* copy_to_user / copy_from_user */
	SIM_C_IO,       /* device reads waited for */
	SIM_C__COUNT
};

/*
 * Statistics of the issue-16 features (O_DIRECT, memory limit, reclaim,
 * threads), indexed by enum sim_pstat. Kept apart from enum sim_stat so that
 * cases without those options report exactly the metrics they did before:
 * they are reported only when sim_stats.pressure is set.
 */
enum sim_pstat {
	SIM_PS_DIRECT_REQS = 0, /* direct.requests: O_DIRECT requests (one per record) */
	SIM_PS_DIRECT_BYTES,    /* direct.bytes: bytes the device transferred (records widened to 4 KiB) */
	SIM_PS_LIMIT_PAGES,     /* memcg.limit_pages: mem_limit / 4096 (0: no limit) */
	SIM_PS_RECLAIM_SCANNED, /* reclaim.scanned: pages scanned on the inactive list (pgscan) */
	SIM_PS_RECLAIM_STOLEN,  /* reclaim.stolen: pages reclaimed (pgsteal) */
	SIM_PS_RECLAIM_RUNS,    /* reclaim.runs: memcg reclaim calls (try_to_free_mem_cgroup_pages) */
	SIM_PS_ACTIVATE,        /* reclaim.activate: pages promoted to the active list (pgactivate) */
	SIM_PS_DEACTIVATE,      /* reclaim.deactivate: pages moved active -> inactive (pgdeactivate) */
	SIM_PS_UNMAPPED,        /* reclaim.unmapped: PTEs/PMDs of reclaimed folios cleared (try_to_unmap) */
	SIM_PS_REFAULTS,        /* workingset.refaults: pages added where a shadow entry was (workingset_refault) */
	SIM_PS_WS_ACTIVATE,     /* workingset.activate: refaulted pages activated (distance <= workingset) */
	SIM_PS_TLB_LOCAL,       /* tlb.flush.local: TLB flushes with no other CPU to notify */
	SIM_PS_TLB_SHOOTDOWNS,  /* tlb.shootdowns: flushes that IPI other CPUs (one CPU modelled: 0) */
	SIM_PS_RECLAIM_CYCLES,  /* reclaim.cycles: cycles of reclaim (inside fault/syscall components) */
	SIM_PS_SWAP_OUT,        /* swap.out: pages written to swap (pswpout) */
	SIM_PS_SWAP_IN,         /* swap.in: pages read from swap, readahead included (pswpin) */
	SIM_PS_LOCK_WAITS,      /* faults.lock_waits: faults that waited for a concurrent one (threads) */
	SIM_PS__COUNT
};

/* What sim_finish returns. */
struct sim_stats {
	uint64_t st[SIM_ST__COUNT];       /* model statistics */
	uint64_t ps[SIM_PS__COUNT];       /* issue-16 statistics (reported when pressure) */
	int pressure;                     /* the case uses direct, mem_limit or threads */
	uint64_t cyc[SIM_C__COUNT];       /* cycles per component */
	uint64_t mmu[MMU_ST__COUNT];      /* translation statistics (mmu_stat) */
	uint64_t cycles;                  /* sum of cyc[] */
	uint64_t pt_bytes;                /* VmPTE at the end of the replay */
	unsigned nthr;                    /* threads modelled (1: the usual replay) */
	char defaulted[256];              /* issue-16 profile keys the profile file lacked (defaults used) */
	uint64_t tcyc[AN_THREADS_MAX];    /* threads > 1: cycles per thread (cycles = their max) */
	uint64_t trec[AN_THREADS_MAX];    /* threads > 1: records per thread */
	double ghz;                       /* profile frequency (ns = cycles / ghz) */
	uint64_t timed_waits;             /* io_uring waits priced with the profile's mean completions per
					     wait: the enter count depends on timing (stated tolerance) */
};

struct sim;

/*
 * Create a model for one case. The trace header gives the region (file size
 * or anonymous) and the spec; opts the method, its options and the cache
 * state, which is established here (e.g. warm-read runs the sequential read()
 * pass through the model's own readahead). -EINVAL with a message in err.
 */
int sim_create(const struct sim_profile *p, const struct an_case_opts *opts,
	       const struct trace_hdr *h, struct sim **out, char *err, size_t errlen);
void sim_destroy(struct sim *s); /* accepts NULL */
/* Replay n records (call repeatedly to stream). -EINVAL (message in sim_error) on a
   record outside the region. */
int sim_access(struct sim *s, const struct trace_rec *recs, size_t n);
/* End of trace: flush batched work (io_uring), return the statistics. */
int sim_finish(struct sim *s, struct sim_stats *out);
/* Threads > 1: out->tcyc[] and out->cycles from the threads' own cycles tcyc[] and device
   cycles io[] with the device shared (cost.io_threads; sim.c explains the rule). */
void sim_thread_times(const uint64_t *tcyc, const uint64_t *io, unsigned n, double io_threads,
		      struct sim_stats *out);
const char *sim_error(const struct sim *s);

/* Names for reporting. */
const char *sim_stat_name(enum sim_stat id);
const char *sim_comp_name(enum sim_comp c);
const char *sim_pstat_name(enum sim_pstat id);

/*
 * Fill a result case object (analysis/result.h) with the metrics: cycles, ns,
 * ns_per_access, bytes_per_s, faults.*, tlb.l1d.miss, tlb.stlb.miss,
 * walk.cycles, syscalls, syscalls.read, pagecache.added, pt.bytes, per-level
 * TLB/PWC counts, and "breakdown" {component: cycles}. checksum is reported
 * unsupported (the model moves no data). Cases with direct, mem-limit or
 * threads also get the enum sim_pstat metrics (reclaim.*, workingset.*,
 * swap.*, tlb.shootdowns, tlb.flush.local, ...), thread.<i>.ns/.records/
 * .cycles when threads > 1, and "profile_defaulted" naming the issue-16
 * profile keys the profile did not give (their built-in defaults applied).
 */
void sim_stats_to_case(const struct sim_stats *st, json_t *c);

/*
 * Upper bound of the model's memory for a region (bytes): per 2 MiB range one
 * page-cache/state chunk and one page-table page, per 1 GiB a PMD table, the
 * sparse directory, plus the fixed TLB and cache arrays. Records add nothing.
 */
uint64_t sim_mem_estimate(const struct trace_hdr *h);

#endif /* SIM_SIM_H */
