/*
 * sim/tests/test_costs.c — the cost rules the cross-check (issue 5) added,
 * each checked on a profile whose costs are zero except the ones under test,
 * so the expected cycles are exact:
 * - fault-around charges fault_folio per folio filemap_map_pages visits;
 * - anonymous reads of never-written pages (zero page) take no DRAM cost;
 * - a synchronous read-around window costs io_request + pages x io_page_sync
 *   (io_page_sync_pmd for pages of PMD-sized folios);
 * - a random user load costs mem_line_indep unless a fault preceded it
 *   (then mem_line_rand);
 * - io_uring is driven as the harness drives it: one extra enter per
 *   harness chunk boundary; tmpfs SQEs pay the io-wq punt, and the final
 *   drain waits for the workers in one more enter;
 * - a readahead window steps over each cached folio at ra_skip;
 * - a shared write to a folio read from the device (no buffer heads) pays
 *   fault_mkwrite_bh per page once, one to a written folio never;
 * - a COW of a page mapped read-only by a read pays cow_wp beyond copy_4k,
 *   the COW of an unmapped page only copy_4k;
 * - the LLC-miss share of data lines: 0 up to llc_bytes / 2, 1/2 at it,
 *   all from twice it, linear between;
 * - mapping a large folio far from the last range mapped pays fault_pte_cold
 *   per page (its struct pages not cached), a range continuing it does not;
 * - asynchronous readahead overlaps the task (io_stream): a task slower than
 *   the device never waits for those pages, one with no work of its own waits
 *   io_stream per page of them.
 */
#include "simtest.h"
#include "sim/sim_int.h"

#define MiB (UINT64_C(1) << 20)

/* vm-host's policy and MMU with every [cost] zero (the MMU's cycles stay in tlb/walk). */
static void zero_costs(struct sim_profile *p)
{
	st_profile("vm-host", p);
	memset(&p->c, 0, sizeof(p->c));
}

int main(void)
{
	struct sim_profile p;
	struct an_case_opts o;
	struct sim_stats st;

	/* fault-around on tmpfs: 1 MiB read page by page = 16 faults x 16 order-0 folios */
	zero_costs(&p);
	p.c.fault_folio = 1000;
	an_case_opts_default(&o);
	o.method = AN_METHOD_MMAP;
	o.cache = AN_CACHE_TMPFS;
	{
		struct st_pat pat = st_seq_pages(MiB, TRACE_OP_READ);
		if (st_run(&p, &o, 0, MiB, &pat, 1, &st, NULL) == 0) {
			tap_eq_u64(st.st[SIM_ST_FAULTS], 16, "tmpfs 1 MiB: 16 faults");
			tap_eq_u64(st.cyc[SIM_C_FAULT], 256 * 1000,
				   "fault-around charges fault_folio per folio visited (16 x 16)");
		} else {
			tap_ok(0, "tmpfs run");
		}
	}

	/* zero page: anonymous reads never come from DRAM; writes do */
	zero_costs(&p);
	p.c.llc_bytes = MiB;
	p.c.mem_line_seq = 7;
	p.c.mem_line_rand = 100;
	an_case_opts_default(&o);
	o.method = AN_METHOD_ANON;
	o.cache = AN_CACHE_NONE;
	{
		struct st_pat rd = st_seq_pages(16 * MiB, TRACE_OP_READ);
		struct st_pat wr = st_seq_pages(16 * MiB, TRACE_OP_WRITE);
		struct sim_stats w;
		if (st_run(&p, &o, 1, 16 * MiB, &rd, 1, &st, NULL) == 0 &&
		    (o.writes = 1, st_run(&p, &o, 1, 16 * MiB, &wr, 1, &w, NULL)) == 0) {
			tap_eq_u64(st.cyc[SIM_C_USER], 0, "anonymous reads map the zero page: no DRAM cycles");
			/* every write faults and the fault clears the page (cached stores): its
			   line is in the cache, no DRAM cycle for the store that faulted */
			tap_eq_u64(w.cyc[SIM_C_USER], 0,
				   "anonymous write faults: the cleared page is cached, no DRAM lines (%llu)",
				   (unsigned long long)w.cyc[SIM_C_USER]);
		} else {
			tap_ok(0, "anon runs");
		}
		/*
		 * Written pages read again at a 4 KiB stride: no fault separates the
		 * loads (mem_line_indep each), and the stride does not stream: the
		 * prefetchers stop at the page. At a 64-byte stride the lines stream
		 * (mem_line_seq), the first after the last write's line too.
		 */
		struct st_pat two[] = { wr, rd }, lines[] = { wr, { 0, 64, 4096, 1, TRACE_OP_READ } };
		struct sim_stats a, b;
		p.c.mem_line_indep = 20;
		if (st_run(&p, &o, 1, 16 * MiB, two, 2, &a, NULL) == 0 &&
		    st_run(&p, &o, 1, 16 * MiB, lines, 2, &b, NULL) == 0) {
			/* the LLC model holds at most the last 512 KiB (c/2) written: 128 pages */
			uint64_t miss = a.cyc[SIM_C_USER] / 20;
			tap_ok(a.cyc[SIM_C_USER] % 20 == 0 && miss >= 4096 - 128 && miss < 4096,
			       "4 KiB-stride loads of written pages: mem_line_indep each but the last <= 128 written "
			       "(%llu cycles, %llu misses)", (unsigned long long)a.cyc[SIM_C_USER],
			       (unsigned long long)miss);
			tap_eq_u64(b.cyc[SIM_C_USER], 20 + 4095 * 7, "64-byte stride: the lines stream after the first");
		} else {
			tap_ok(0, "anon read-back runs");
		}
	}

	/*
	 * The LLC model (sim.c llc_access; cost.llc_bytes 4 MiB: 2 MiB of lines):
	 * a 1 MiB hot set read ten times pays DRAM on its first pass only; ten
	 * passes over ten different MiB pay ten times; two passes over 3 MiB
	 * (1.5x the lines held) hit on part of the second one, where LRU would
	 * miss on every line; llc_bytes 0 means every line from DRAM.
	 */
	zero_costs(&p);
	p.c.llc_bytes = 4 * MiB;
	p.c.mem_line_seq = 1;
	p.c.mem_line_rand = 100;
	p.c.mem_line_indep = 100;
	an_case_opts_default(&o);
	o.method = AN_METHOD_MMAP;
	o.cache = AN_CACHE_COLD;
	{
		struct st_pat hot[10], spread[10], scan[2];
		struct sim_stats one, h10, s10, sc, all;
		for (int i = 0; i < 10; i++) {
			hot[i] = (struct st_pat){ 0, 4096, 256, 4096, TRACE_OP_READ };
			spread[i] = (struct st_pat){ (uint64_t)i * MiB, 4096, 256, 4096, TRACE_OP_READ };
		}
		scan[0] = scan[1] = (struct st_pat){ 0, 4096, 768, 4096, TRACE_OP_READ };
		if (st_run(&p, &o, 0, 64 * MiB, hot, 1, &one, NULL) == 0 &&
		    st_run(&p, &o, 0, 64 * MiB, hot, 10, &h10, NULL) == 0 &&
		    st_run(&p, &o, 0, 64 * MiB, spread, 10, &s10, NULL) == 0 &&
		    st_run(&p, &o, 0, 64 * MiB, scan, 2, &sc, NULL) == 0) {
			uint64_t u1 = one.cyc[SIM_C_USER];
			tap_ok(u1 > 0 && h10.cyc[SIM_C_USER] < u1 + u1 / 10,
			       "a 1 MiB hot set read 10x pays DRAM lines once (%llu vs one pass %llu)",
			       (unsigned long long)h10.cyc[SIM_C_USER], (unsigned long long)u1);
			tap_ok(s10.cyc[SIM_C_USER] > 9 * u1, "10 distinct MiB pay 10x (%llu vs %llu)",
			       (unsigned long long)s10.cyc[SIM_C_USER], (unsigned long long)u1);
			tap_ok(sc.cyc[SIM_C_USER] < 2 * 3 * u1 * 9 / 10 && sc.cyc[SIM_C_USER] > 3 * u1,
			       "two passes over 3 MiB: the second hits in part (%llu; all missing: %llu)",
			       (unsigned long long)sc.cyc[SIM_C_USER], (unsigned long long)(6 * u1));
			p.c.llc_bytes = 0;
			if (st_run(&p, &o, 0, 64 * MiB, hot, 10, &all, NULL) == 0)
				tap_eq_u64(all.cyc[SIM_C_USER], 10 * u1, "llc_bytes 0: every pass from DRAM");
		} else {
			tap_ok(0, "LLC model runs");
		}
	}

	/* a cold read-around window is waited for as a unit */
	zero_costs(&p);
	p.c.io_request = 1000;
	p.c.io_page = 1;
	p.c.io_page_sync = 10;
	an_case_opts_default(&o);
	o.method = AN_METHOD_MMAP;
	o.cache = AN_CACHE_COLD;
	{
		struct st_pat one = { 8192 * 4096, 0, 1, 1, TRACE_OP_READ };
		if (st_run(&p, &o, 0, 64 * MiB, &one, 1, &st, NULL) == 0) {
			tap_eq_u64(st.st[SIM_ST_PC_ADDED], p.k.ra_pages, "one cold touch reads ra_pages around it");
			tap_eq_u64(st.cyc[SIM_C_IO], 1000 + (uint64_t)p.k.ra_pages * 10,
				   "synchronous window: io_request + pages x io_page_sync");
		} else {
			tap_ok(0, "cold run");
		}
		/* MADV_HUGEPAGE: the window is two PMD folios, priced at io_page_sync_pmd */
		p.c.io_page_sync_pmd = 4;
		o.madv = AN_MADV_HUGEPAGE;
		if (st_run(&p, &o, 0, 64 * MiB, &one, 1, &st, NULL) == 0) {
			tap_eq_u64(st.st[SIM_ST_PC_ADDED], 1024, "MADV_HUGEPAGE cold touch reads two PMD folios");
			tap_eq_u64(st.cyc[SIM_C_IO], 1000 + 1024 * 4,
				   "PMD-folio window: io_request + pages x io_page_sync_pmd");
		} else {
			tap_ok(0, "cold MADV_HUGEPAGE run");
		}
		o.madv = AN_MADV_NORMAL;
		p.c.io_page_sync_pmd = 0;
		p.c.io_page_sync = 0;
		if (st_run(&p, &o, 0, 64 * MiB, &one, 1, &st, NULL) == 0)
			tap_eq_u64(st.cyc[SIM_C_IO], 1000 + (uint64_t)p.k.ra_pages,
				   "io_page_sync 0: the window costs io_page per page");
		else
			tap_ok(0, "cold run");
	}

	/* random user loads: overlapped unless a fault drained the pipeline */
	zero_costs(&p);
	p.c.llc_bytes = MiB;
	p.c.mem_line_rand = 400;
	p.c.mem_line_indep = 20;
	an_case_opts_default(&o);
	o.method = AN_METHOD_MMAP;
	o.cache = AN_CACHE_WARM_WRITE;
	o.cache_req = MiB;
	{
		/* pages 3, 900, 17, 5000, 60, 12000: no stride repeats; each the first touch of its folio range */
		static const uint64_t pg[] = { 3, 900, 17, 5000, 60, 12000 };
		struct st_pat pats[12];
		for (int i = 0; i < 6; i++) {
			struct st_pat q = { pg[i] * 4096, 0, 1, 1, TRACE_OP_READ };
			pats[i] = q;
			pats[6 + i] = q;
			pats[6 + i].first += 64 * 3; /* second pass: other lines, pages mapped by now */
		}
		if (st_run(&p, &o, 0, 64 * MiB, pats, 12, &st, NULL) == 0)
			tap_eq_u64(st.cyc[SIM_C_USER], (uint64_t)st.st[SIM_ST_FAULTS] * 400 +
				   (12 - st.st[SIM_ST_FAULTS]) * 20,
				   "random loads: mem_line_rand after a fault (%llu faults), mem_line_indep otherwise",
				   (unsigned long long)st.st[SIM_ST_FAULTS]);
		else
			tap_ok(0, "warm run");
	}

	/* shared-mapping writes: ->page_mkwrite on ext4 (write-notify), not on tmpfs */
	zero_costs(&p);
	p.c.fault_mkwrite = 1000;
	an_case_opts_default(&o);
	o.method = AN_METHOD_MMAP;
	o.shared = 1;
	o.writes = 1;
	o.cache = AN_CACHE_WARM_READ;
	{
		struct st_pat wr = st_seq_pages(MiB, TRACE_OP_WRITE);
		struct sim_stats t;
		if (st_run(&p, &o, 0, MiB, &wr, 1, &st, NULL) == 0 &&
		    (o.cache = AN_CACHE_TMPFS, st_run(&p, &o, 0, MiB, &wr, 1, &t, NULL)) == 0) {
			tap_ok(st.st[SIM_ST_FAULTS] > 0, "ext4 shared writes fault (%llu)",
			       (unsigned long long)st.st[SIM_ST_FAULTS]);
			tap_eq_u64(st.cyc[SIM_C_FAULT], st.st[SIM_ST_FAULTS] * 1000,
				   "ext4: fault_mkwrite per shared write fault");
			tap_eq_u64(t.cyc[SIM_C_FAULT], 0, "tmpfs (no page_mkwrite): no fault_mkwrite");
		} else {
			tap_ok(0, "shared write runs");
		}
		/* 1 MiB folios (warm-write:1M): the per-page part scales with the folio */
		p.c.fault_mkwrite_page = 10;
		o.cache = AN_CACHE_WARM_WRITE;
		o.cache_req = 1 << 20;
		if (st_run(&p, &o, 0, MiB, &wr, 1, &st, NULL) == 0)
			tap_eq_u64(st.cyc[SIM_C_FAULT], st.st[SIM_ST_FAULTS] * (1000 + 10 * 256),
				   "1 MiB folio: fault_mkwrite + 256 x fault_mkwrite_page per fault (%llu faults)",
				   (unsigned long long)st.st[SIM_ST_FAULTS]);
		else
			tap_ok(0, "warm-write shared write run");
	}

	/* buffer heads: a folio read from the device has none, a written one has them */
	zero_costs(&p);
	p.c.fault_mkwrite_bh = 7;
	an_case_opts_default(&o);
	o.method = AN_METHOD_MMAP;
	o.shared = 1;
	o.writes = 1;
	o.cache = AN_CACHE_WARM_READ;
	{
		struct st_pat wr[2] = { st_seq_pages(MiB, TRACE_OP_WRITE), st_seq_pages(MiB, TRACE_OP_WRITE) };
		if (st_run(&p, &o, 0, MiB, wr, 2, &st, NULL) == 0)
			tap_eq_u64(st.cyc[SIM_C_FAULT], 256 * 7,
				   "shared writes over read folios: fault_mkwrite_bh once per page (%llu faults, two passes)",
				   (unsigned long long)st.st[SIM_ST_FAULTS]);
		else
			tap_ok(0, "warm-read shared write run");
		o.cache = AN_CACHE_WARM_WRITE;
		o.cache_req = 1 << 20;
		if (st_run(&p, &o, 0, MiB, wr, 1, &st, NULL) == 0)
			tap_eq_u64(st.cyc[SIM_C_FAULT], 0, "shared writes over written folios: no fault_mkwrite_bh");
		else
			tap_ok(0, "warm-write shared write run");
	}

	/* private writes: COW of an unmapped page (copy_4k) and of a read-mapped one (+ cow_wp) */
	zero_costs(&p);
	p.c.copy_4k = 100;
	p.c.cow_wp = 5;
	an_case_opts_default(&o);
	o.method = AN_METHOD_MMAP;
	o.writes = 1;
	o.cache = AN_CACHE_WARM_READ;
	{
		struct st_pat rw[2] = { st_seq_pages(MiB, TRACE_OP_READ), st_seq_pages(MiB, TRACE_OP_WRITE) };
		if (st_run(&p, &o, 0, MiB, rw, 2, &st, NULL) == 0) {
			tap_eq_u64(st.st[SIM_ST_FLT_WP], 256, "write after read: one wp fault per page");
			tap_eq_u64(st.cyc[SIM_C_FAULT], 256 * (100 + 5), "write after read: copy_4k + cow_wp per wp fault");
		} else {
			tap_ok(0, "read-then-write private run");
		}
		if (st_run(&p, &o, 0, MiB, &rw[1], 1, &st, NULL) == 0)
			tap_eq_u64(st.cyc[SIM_C_FAULT], 256 * 100, "write to unmapped pages: copy_4k per COW fault, no cow_wp");
		else
			tap_ok(0, "private write run");
	}

	/*
	 * io_stream: a cold sequential read of 16 MiB in 64 KiB records. Its
	 * synchronous windows' pages cost io_page (7) as they are added, the
	 * asynchronous windows' pages stream at io_stream (10). (a) Each record
	 * costs 10^7 cycles of syscall, far more than a window's device time: no
	 * wait, IO = 7 x the synchronous pages S. (b) No cost but the device: the
	 * task waits for each streamed page, IO = 7 S + 10 (4096 - S). (c) Off
	 * (io_stream 0): every page at io_page, 7 x 4096.
	 */
	zero_costs(&p);
	p.c.io_page = 7;
	an_case_opts_default(&o);
	o.method = AN_METHOD_READ;
	o.cache = AN_CACHE_COLD;
	{
		struct st_pat seq = { 0, 65536, 256, 65536, TRACE_OP_READ };
		struct sim_stats a, b, c;
		p.c.io_stream = 10;
		p.c.syscall = 10000000;
		int ra = st_run(&p, &o, 0, 16 * MiB, &seq, 1, &a, NULL);
		p.c.syscall = 0;
		int rb = st_run(&p, &o, 0, 16 * MiB, &seq, 1, &b, NULL);
		p.c.io_stream = 0;
		int rc = st_run(&p, &o, 0, 16 * MiB, &seq, 1, &c, NULL);
		if (ra == 0 && rb == 0 && rc == 0) {
			uint64_t S = a.cyc[SIM_C_IO] / 7;
			tap_ok(a.cyc[SIM_C_IO] % 7 == 0 && S > 0 && S < 4096,
			       "slow task: only the synchronous windows' pages cost (%llu of 4096 pages at io_page)",
			       (unsigned long long)S);
			tap_eq_u64(b.cyc[SIM_C_IO], 7 * S + 10 * (4096 - S),
				   "task without work: it waits io_stream for each streamed page");
			tap_eq_u64(c.cyc[SIM_C_IO], 7 * 4096, "io_stream 0: every page at io_page");
			tap_eq_u64(a.st[SIM_ST_PC_ADDED], 4096, "the whole file was read (pagecache.added_pages)");
		} else {
			tap_ok(0, "cold sequential read runs");
		}
	}

	/*
	 * fault_pte_cold: 1 MiB folios (warm-write:1M) of a 64 MiB file beyond the
	 * LLC (llc_bytes 0, a DRAM line cost set so that DRAM costs apply; it is
	 * charged to user loads, not to faults). Touches 2 MiB apart: every fault
	 * maps a folio far from the last, 7 x each PTE. Touches 4 KiB apart: each
	 * fault continues the last range, only the first one pays.
	 */
	zero_costs(&p);
	p.c.mem_line_seq = 1;
	p.c.fault_pte_cold = 7;
	an_case_opts_default(&o);
	o.method = AN_METHOD_MMAP;
	o.cache = AN_CACHE_WARM_WRITE;
	o.cache_req = 1 << 20;
	{
		struct st_pat far = { 0, 2 * MiB, 32, 1, TRACE_OP_READ }, seq = st_seq_pages(64 * MiB, TRACE_OP_READ);
		struct sim_stats f, q;
		if (st_run(&p, &o, 0, 64 * MiB, &far, 1, &f, NULL) == 0 && st_run(&p, &o, 0, 64 * MiB, &seq, 1, &q, NULL) == 0) {
			tap_eq_u64(f.cyc[SIM_C_FAULT], 7 * f.st[SIM_ST_PTES_MAPPED],
				   "folios 2 MiB apart: fault_pte_cold per PTE mapped (%llu PTEs, %llu faults)",
				   (unsigned long long)f.st[SIM_ST_PTES_MAPPED], (unsigned long long)f.st[SIM_ST_FAULTS]);
			tap_ok(q.cyc[SIM_C_FAULT] > 0 && q.cyc[SIM_C_FAULT] <= 7 * 256,
			       "sequential faults: only the first range pays (%llu cycles, %llu faults)",
			       (unsigned long long)q.cyc[SIM_C_FAULT], (unsigned long long)q.st[SIM_ST_FAULTS]);
		} else {
			tap_ok(0, "fault_pte_cold runs");
		}
	}

	/* the LLC-miss share (1/1024) of data lines against the region size */
	tap_eq_u64(sim_dram_share(8 * MiB, 16 * MiB), 0, "LLC-miss share: none at half the LLC");
	tap_eq_u64(sim_dram_share(12 * MiB, 16 * MiB), 256, "LLC-miss share: 1/4 at 3/4 of the LLC");
	tap_eq_u64(sim_dram_share(16 * MiB, 16 * MiB), 512, "LLC-miss share: 1/2 at the LLC size");
	tap_eq_u64(sim_dram_share(24 * MiB, 16 * MiB), 768, "LLC-miss share: 3/4 at 1.5 x the LLC");
	tap_eq_u64(sim_dram_share(32 * MiB, 16 * MiB), 1024, "LLC-miss share: all at twice the LLC");
	tap_eq_u64(sim_dram_share(MiB, 0), 1024, "LLC-miss share: all when llc_bytes is 0");

	/* io_uring: the harness's chunk boundary adds one enter; tmpfs SQEs are punted */
	zero_costs(&p);
	p.c.uring_punt = 5;
	p.c.uring_punt_wait = 1000;
	an_case_opts_default(&o);
	o.method = AN_METHOD_URING;
	o.qd = 32;
	o.cache = AN_CACHE_TMPFS;
	{
		struct st_pat pat = { 0, 64, 32768, 64, TRACE_OP_READ };
		if (st_run(&p, &o, 0, 2 * MiB, &pat, 1, &st, NULL) == 0) {
			/* 511 waits + 1 flush in the first chunk, 512 waits + 1 flush in the
			   second, then the drain waits for the io-wq workers once more */
			tap_eq_u64(st.st[SIM_ST_SYSCALLS_URING], 1026,
				   "io_uring qd 32 on tmpfs, 32768 records: 1024 + 1 (chunk boundary) + 1 (drain) enters");
			tap_eq_u64(st.cyc[SIM_C_SYSCALL], 32768 * 5 + 1024 * 1000,
				   "tmpfs: punt per SQE, sleep per waiting enter (the drain's too)");
		} else {
			tap_ok(0, "uring run");
		}
	}
	/*
	 * ra_skip: MADV_SEQUENTIAL reverse touches of the last 64 pages of a
	 * cold 64 MiB file. Each fault's synchronous readahead is
	 * do_page_cache_ra of ra_pages (2048) from the fault, clipped at EOF:
	 * it reads the faulting page and steps over the pages above it that
	 * earlier touches cached (order-0 folios): 0 + 1 + ... + 63 = 2016.
	 */
	zero_costs(&p);
	p.c.ra_skip = 10;
	an_case_opts_default(&o);
	o.method = AN_METHOD_MMAP;
	o.cache = AN_CACHE_COLD;
	o.madv = AN_MADV_SEQUENTIAL;
	{
		struct st_pat rev = { 64 * MiB - 4096, -4096, 64, 1, TRACE_OP_READ };
		if (st_run(&p, &o, 0, 64 * MiB, &rev, 1, &st, NULL) == 0) {
			tap_eq_u64(st.st[SIM_ST_PC_ADDED], 64, "reverse MADV_SEQUENTIAL: one page read per fault");
			tap_eq_u64(st.cyc[SIM_C_SYSCALL], 2016 * 10,
				   "readahead steps over each cached folio above the fault: ra_skip x 2016");
		} else {
			tap_ok(0, "reverse MADV_SEQUENTIAL run");
		}
	}
	return tap_done();
}
