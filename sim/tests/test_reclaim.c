/*
 * sim/tests/test_reclaim.c — the issue-16 model features on hand-computed
 * sequences: the memory cgroup's two-list LRU (sim/reclaim.c: second
 * chance, promotion, reclaim's priority loop (list size >> priority, 12 down
 * to 0, batches of at most 32 pages), shadow refaults and their
 * activation distance, unmapping of mapped victims), O_DIRECT requests
 * (widening to 4 KiB, no page cache, no copy), and the refusals of what is
 * not modelled. Profiles are the built-in default with readahead off
 * (ra_pages 0: each pread miss adds one order-0 folio) and, for mmap,
 * fault-around off (fault_around_pages 1) and MADV_RANDOM, so each touch of
 * a cold page adds exactly one folio. Capacity: mem-limit 256 KiB = 64 pages.
 */
#include "simtest.h"
#include "sim/sim_int.h"
#include <errno.h>

#define KiB (UINT64_C(1) << 10)
#define MiB (UINT64_C(1) << 20)

static void base_profile(struct sim_profile *p)
{
	sim_profile_default(p);
	p->k.ra_pages = 0;          /* no readahead: one page per miss */
	p->k.ext4_large_folios = 0; /* order-0 folios */
	p->k.fault_around_pages = 1; /* no fault-around */
	p->k.memcg_charge_batch = 0; /* the limit is the budget: no set-up stock */
}

static struct st_pat pages(uint64_t first, uint64_t n)
{
	struct st_pat p = { first * 4096, 4096, n, 1, TRACE_OP_READ };
	return p;
}

static uint64_t ps(const struct sim_stats *st, enum sim_pstat i)
{
	return st->ps[i];
}

/* The base profile and a case of method m on a cold 1 MiB file (anon: none) under a 64-page limit. */
static void base_case(struct sim_profile *p, struct an_case_opts *o, enum an_method m)
{
	base_profile(p);
	an_case_opts_default(o);
	o->method = m;
	o->cache = m == AN_METHOD_ANON ? AN_CACHE_NONE : AN_CACHE_COLD;
	o->mem_limit = 256 * KiB;
}

/*
 * A: pread, one byte per page.
 *   read 0..63 once: 64 folios on the inactive list (tail 0), each
 *     PG_referenced (first folio_mark_accessed); cache 64 = the limit.
 *   read 64: charge 1 -> 65 > 64 -> reclaim(32): inactive never low (0
 *     active). Priority 12..7: 64 >> p = 0, nothing. From the tail, no
 *     PTEs, PG_referenced alone does not save an unmapped folio, so every
 *     page scanned is reclaimed: p 6: 64 >> 6 = 1 (page 0); p 5: 63 >> 5 = 1
 *     (1); p 4: 62 >> 4 = 3 (2..4); p 3: 59 >> 3 = 7 (5..11); p 2: 52 >> 2
 *     = 13 (12..24); p 1: 39 >> 1 = 19 (25..43): 44 >= 32, stop. scanned
 *     44, stolen 44 (stamps 0..43, nonresident age 44).
 *   read 50 (cached, inactive, referenced): second mark_accessed -> active,
 *     age 45. activate 1.
 *   read 0 (evicted, shadow stamp 0): refault 1; distance 45 - 0 = 45 >
 *     NR_ACTIVE_FILE 1 -> stays inactive: workingset.activate 0.
 */
static void test_read_sequence(void)
{
	struct sim_profile p;
	struct an_case_opts o;
	struct sim_stats st;
	struct st_pat pats[] = { pages(0, 64), pages(64, 1), pages(50, 1), pages(0, 1) };

	base_case(&p, &o, AN_METHOD_READ);
	if (st_run(&p, &o, 0, 1 * MiB, pats, 4, &st, NULL)) {
		tap_ok(0, "A: runs");
		return;
	}
	tap_eq_u64(ps(&st, SIM_PS_LIMIT_PAGES), 64, "A: capacity 64 pages");
	tap_eq_u64(ps(&st, SIM_PS_RECLAIM_RUNS), 1, "A: one reclaim (at page 64)");
	tap_eq_u64(ps(&st, SIM_PS_RECLAIM_SCANNED), 44, "A: 1 + 1 + 3 + 7 + 13 + 19 scanned at priorities 6..1");
	tap_eq_u64(ps(&st, SIM_PS_RECLAIM_STOLEN), 44, "A: pages 0..43 reclaimed (referenced but unmapped)");
	tap_eq_u64(ps(&st, SIM_PS_ACTIVATE), 1, "A: second read of page 50 activates it");
	tap_eq_u64(ps(&st, SIM_PS_REFAULTS), 1, "A: page 0 refaults (shadow entry)");
	tap_eq_u64(ps(&st, SIM_PS_WS_ACTIVATE), 0, "A: refault distance 45 > active 1: not activated");
	tap_eq_u64(ps(&st, SIM_PS_TLB_LOCAL), 0, "A: read(): nothing mapped, no flush");
	tap_eq_u64(st.st[SIM_ST_PC_ADDED], 66, "A: 64 + page 64 + page 0 again added");
}

/*
 * A2: the set-up's charge stock (kernel.memcg_charge_batch 64) is the
 * replay's too: the same 65 pages under the 64-page limit fit in 64 + 64
 * (no reclaim, limit pages 128); 129 pages need one.
 */
static void test_charge_stock(void)
{
	struct sim_profile p;
	struct an_case_opts o;
	struct sim_stats st;
	struct st_pat fit = pages(0, 65), over = pages(0, 129);

	base_case(&p, &o, AN_METHOD_READ);
	p.k.memcg_charge_batch = 64;
	if (!tap_ok(st_run(&p, &o, 0, 1 * MiB, &fit, 1, &st, NULL) == 0, "A2: runs"))
		return;
	tap_eq_u64(ps(&st, SIM_PS_LIMIT_PAGES), 128, "A2: budget 64 + the stock's 64 pages");
	tap_eq_u64(ps(&st, SIM_PS_RECLAIM_RUNS), 0, "A2: 65 pages under a 64-page limit: no reclaim");
	if (tap_ok(st_run(&p, &o, 0, 1 * MiB, &over, 1, &st, NULL) == 0, "A2: 129 pages runs"))
		tap_eq_u64(ps(&st, SIM_PS_RECLAIM_RUNS), 1, "A2: 129 pages: one reclaim");
}

/*
 * B: refault activation at the distance boundary (pread).
 *   read 0..63, then 0..15 again: 0..15 active (16 pages, age 16), 16..63
 *     inactive and referenced.
 *   read 64: reclaim(32); inactive (48 down to 30) never below active 16:
 *     no deactivation. Priority 12..6: 48 >> p = 0. p 5: 1 (page 16), p 4:
 *     47 >> 4 = 2 (17, 18), p 3: 45 >> 3 = 5 (19..23), p 2: 40 >> 2 = 10
 *     (24..33), p 1: 30 >> 1 = 15 (34..48): 33 >= 32, stop. scanned 33,
 *     stolen 33, page p evicted with stamp p (16..48), age 49.
 *   read 48 (stamp 48): distance 49 - 48 = 1 <= active 16 -> activated
 *     (age 50, active 17).
 *   read 33 (stamp 33): distance 50 - 33 = 17 <= active 17 -> activated
 *     (the boundary: the kernel tests refault_distance <= workingset_size;
 *     age 51, active 18).
 *   read 32 (stamp 32): distance 51 - 32 = 19 > active 18 -> inactive.
 *   refaults 3, workingset.activate 2, activate (mark_accessed) 16.
 */
static void test_refault_activation(void)
{
	struct sim_profile p;
	struct an_case_opts o;
	struct sim_stats st;
	struct sim *s;
	struct st_pat pats[] = { pages(0, 64), pages(0, 16), pages(64, 1), pages(48, 1), pages(33, 1),
				 pages(32, 1) };

	base_case(&p, &o, AN_METHOD_READ);
	if (st_run(&p, &o, 0, 1 * MiB, pats, 6, &st, &s)) {
		tap_ok(0, "B: runs");
		return;
	}
	tap_eq_u64(ps(&st, SIM_PS_RECLAIM_SCANNED), 33, "B: 1 + 2 + 5 + 10 + 15 scanned at priorities 5..1");
	tap_eq_u64(ps(&st, SIM_PS_RECLAIM_STOLEN), 33, "B: inactive 16..48 reclaimed");
	tap_eq_u64(ps(&st, SIM_PS_DEACTIVATE), 0, "B: inactive not low: active list untouched");
	tap_eq_u64(ps(&st, SIM_PS_ACTIVATE), 16, "B: re-reads of 0..15 activate");
	tap_eq_u64(ps(&st, SIM_PS_REFAULTS), 3, "B: pages 48, 33 and 32 refault");
	tap_eq_u64(ps(&st, SIM_PS_WS_ACTIVATE), 2, "B: 48 and 33 within the distance (1 <= 16, 17 <= 17), 32 not (19 > 18)");
	tap_eq_u64(s->mc.active.pages, 18, "B: active list 0..15 + 48 + 33");
	tap_eq_u64(s->mc.inactive.pages, 17, "B: inactive list holds 49..63, 64 and 32");
	tap_eq_u64(s->mc.cache, 35, "B: cache pages = the lists' pages");
	sim_destroy(s);
}

/*
 * C: mmap (MAP_PRIVATE, MADV_RANDOM, no fault-around), one touch per page.
 *   The page tables are charged: one PTE, one PMD and one PUD page (3),
 *   so 61 file pages fit. Touch 0..60: 61 major faults, PTEs young.
 *   Touch 61: 61 + 3 + 1 > 64 -> reclaim(32), inactive never low:
 *     priorities 5..1 scan 61 >> p = 1, 3, 7, 15, 30 pages from the tail
 *       (0, 1..3, 4..10, 11..25, 26..55): young -> PG_referenced, kept
 *       (young cleared, no flush), back to the head in that order;
 *     priority 0: 61 pages, batch 1 = 56..60 (young: kept) + 0..26 (not
 *       young, referenced -> reclaimed: 27, each unmapped: 1 local flush);
 *       27 < 32: batch 2 = 27..55 (29): reclaimed -> 56, stop.
 *     scanned 1 + 3 + 7 + 15 + 30 + 61 = 117, stolen 56, unmapped 56,
 *     tlb.flush.local 56, age 56.
 *   Touch 0 again: major fault, refault (stamp 0, distance 56 > active 0).
 */
static void test_mmap_second_chance(void)
{
	struct sim_profile p;
	struct an_case_opts o;
	struct sim_stats st;
	struct st_pat pats[] = { pages(0, 61), pages(61, 1), pages(0, 1) };

	base_case(&p, &o, AN_METHOD_MMAP);
	o.madv = AN_MADV_RANDOM;
	if (st_run(&p, &o, 0, 1 * MiB, pats, 3, &st, NULL)) {
		tap_ok(0, "C: runs");
		return;
	}
	tap_eq_u64(st.pt_bytes, 3 * 4096, "C: three page-table pages charged");
	tap_eq_u64(st.st[SIM_ST_FAULTS_MAJOR], 63, "C: 61 + page 61 + page 0 again: major faults");
	tap_eq_u64(ps(&st, SIM_PS_RECLAIM_SCANNED), 117, "C: 1 + 3 + 7 + 15 + 30 + 61 scanned at priorities 5..0");
	tap_eq_u64(ps(&st, SIM_PS_RECLAIM_STOLEN), 56, "C: 27 + 29 reclaimed after the second chance");
	tap_eq_u64(ps(&st, SIM_PS_UNMAPPED), 56, "C: every victim was mapped and is unmapped");
	tap_eq_u64(ps(&st, SIM_PS_TLB_LOCAL), 56, "C: one local flush per unmapped PTE");
	tap_eq_u64(ps(&st, SIM_PS_TLB_SHOOTDOWNS), 0, "C: one CPU: no shootdown");
	tap_eq_u64(ps(&st, SIM_PS_REFAULTS), 1, "C: page 0 refaults");
	tap_eq_u64(ps(&st, SIM_PS_WS_ACTIVATE), 0, "C: distance 56 > active 0");
	tap_eq_u64(ps(&st, SIM_PS_RECLAIM_CYCLES), 56 * (uint64_t)p.c.reclaim_folio,
		   "C: cost.reclaim_folio per folio reclaimed");
}

/* D: O_DIRECT pread of [100, 5100): widened to [0, 8192), one request, no cache, no copy. */
static void test_direct(void)
{
	struct sim_profile p;
	struct an_case_opts o;
	struct sim_stats st;
	struct st_pat pat = { 100, 0, 1, 5000, TRACE_OP_READ };

	base_profile(&p);
	an_case_opts_default(&o);
	o.method = AN_METHOD_READ;
	o.direct = 1;
	o.cache = AN_CACHE_COLD;
	if (st_run(&p, &o, 0, 1 * MiB, &pat, 1, &st, NULL)) {
		tap_ok(0, "D: runs");
		return;
	}
	tap_eq_u64(ps(&st, SIM_PS_DIRECT_REQS), 1, "D: one request");
	tap_eq_u64(ps(&st, SIM_PS_DIRECT_BYTES), 8192, "D: the covering 4 KiB-aligned span");
	tap_eq_u64(st.st[SIM_ST_PC_ADDED], 0, "D: no page cache");
	tap_eq_u64(st.st[SIM_ST_COPY_BYTES], 0, "D: no copy_to_user");
	tap_eq_u64(st.cyc[SIM_C_SYSCALL], p.c.syscall + p.c.direct_io, "D: cost.syscall + cost.direct_io");
	tap_eq_u64(st.cyc[SIM_C_IO], p.c.io_request + 2 * (uint64_t)p.c.io_page, "D: device time of 2 pages");
	tap_ok(st.pressure, "D: issue-16 metrics reported");
}

/* E: what is not modelled is refused with the option and the reason. */
static void test_refusals(void)
{
	struct sim_profile p;
	struct an_case_opts o;
	struct trace_hdr h;
	struct sim *s;
	char err[512];

	base_profile(&p);
	memset(&h, 0, sizeof(h));
	h.version = TRACE_VERSION;
	h.region_kind = TRACE_REGION_FILE;
	h.region_size = MiB;
	an_case_opts_default(&o);
	o.threads = 2;
	o.method = AN_METHOD_FREAD;
	tap_ok(sim_create(&p, &o, &h, &s, err, sizeof(err)) == -EINVAL && strstr(err, "--threads 2 with fread not modelled"),
	       "E: --threads 2 with fread refused (%s)", err);
	an_case_opts_default(&o);
	o.method = AN_METHOD_ANON;
	o.cache = AN_CACHE_NONE;
	o.madv = AN_MADV_HUGEPAGE;
	o.mem_limit = MiB / 2;
	h.region_kind = TRACE_REGION_ANON;
	tap_ok(sim_create(&p, &o, &h, &s, err, sizeof(err)) == -EINVAL && strstr(err, "--mem-limit"),
	       "E: anon THP under --mem-limit refused (%s)", err);
	h.region_kind = TRACE_REGION_FILE;
	an_case_opts_default(&o);
	o.mem_limit = 64 * KiB;
	tap_ok(sim_create(&p, &o, &h, &s, err, sizeof(err)) == -EINVAL && strstr(err, "65536"),
	       "E: a limit below two reclaim batches refused (%s)", err);
}

/*
 * G: anonymous memory over swap (MADV_NOHUGEPAGE, vm.page-cluster 3: window
 * at most 8). Writes to pages 0..60 fill the 64 pages with the 3 page-table
 * pages; the write to page 61 reclaims exactly as in C (young first, second
 * chance): 56 pages swapped out (no swap copy yet: all written).
 *   read 0: swap entry; no previous fault -> window 1: swap.in 1, major.
 *   read 1: next to the previous (0) -> window 2 forward: pages 1 (waited
 *     for) and 2 (readahead): swap.in 3, major.
 *   read 2: in the swap cache (a readahead hit): minor, hits 1.
 *   read 3: previous fault 1, hits 1 -> 1 + 2 = 3 rounded to 4; not next
 *     to 1 -> centred: [2, 6): 2 is cached, 3 read, 4 and 5 read ahead:
 *     swap.in 6, major.
 *   Every page read back had a shadow: workingset.refaults 6; age 56 with
 *   no active pages: none activated. No further reclaim (12 + 3 < 64).
 */
static void test_swap(void)
{
	struct sim_profile p;
	struct an_case_opts o;
	struct sim_stats st;
	struct st_pat w = { 0, 4096, 62, 8, TRACE_OP_WRITE };
	struct st_pat pats[] = { w, pages(0, 4) };

	base_case(&p, &o, AN_METHOD_ANON);
	o.madv = AN_MADV_NOHUGEPAGE;
	if (st_run(&p, &o, 1, 1 * MiB, pats, 2, &st, NULL)) {
		tap_ok(0, "G: runs");
		return;
	}
	tap_eq_u64(ps(&st, SIM_PS_RECLAIM_SCANNED), 117, "G: C's 117 scanned");
	tap_eq_u64(ps(&st, SIM_PS_SWAP_OUT), 56, "G: 56 pages swapped out");
	tap_eq_u64(ps(&st, SIM_PS_RECLAIM_STOLEN), 56, "G: 56 reclaimed");
	tap_eq_u64(ps(&st, SIM_PS_SWAP_IN), 6, "G: windows 1, 2 and 4 (3 read): 6 pages in");
	tap_eq_u64(st.st[SIM_ST_FAULTS_MAJOR], 3, "G: three swap-in major faults");
	tap_eq_u64(st.st[SIM_ST_FAULTS], 62 + 4, "G: 62 write faults + 4 read faults");
	tap_eq_u64(ps(&st, SIM_PS_REFAULTS), 6, "G: every page read back refaults");
	tap_eq_u64(ps(&st, SIM_PS_WS_ACTIVATE), 0, "G: no active pages: none activated");
	tap_eq_u64(ps(&st, SIM_PS_TLB_LOCAL), 56, "G: one local flush per unmapped PTE");
}

/*
 * H: C's sequence on two threads, interleaved (record i to thread i % 2),
 * each thread on its own CPU and TLBs, one shared page table.
 *   Rounds 0..30 pair records (2r, 2r+1): both fault, the second waits for
 *   the first: 31 lock waits (cost.lock_wait each, thread 1's time). Round
 *   31 holds record 62 (page 0 again) alone: no wait.
 *   Reclaim at page 61 (record 61, thread 1) as in C, but the mm runs on
 *   both CPUs: try_to_unmap defers its flushes to one per batch: the
 *   batches of priorities 5..1 unmap nothing (no flush); priority 0's two
 *   batches (27 and 29 unmapped) flush once each with an IPI to the other
 *   CPU: tlb.shootdowns 2, cost.ipi x 1 CPU each.
 */
static void test_threads(void)
{
	struct sim_profile p;
	struct an_case_opts o;
	struct sim_stats st, one;
	struct st_pat pats[] = { pages(0, 61), pages(61, 1), pages(0, 1) };

	base_case(&p, &o, AN_METHOD_MMAP);
	o.madv = AN_MADV_RANDOM;
	o.threads = 2;
	o.split = AN_SPLIT_INTERLEAVE;
	if (st_run(&p, &o, 0, 1 * MiB, pats, 3, &st, NULL)) {
		tap_ok(0, "H: runs");
		return;
	}
	tap_eq_u64(st.st[SIM_ST_FAULTS_MAJOR], 63, "H: the same 63 major faults");
	tap_eq_u64(ps(&st, SIM_PS_RECLAIM_STOLEN), 56, "H: the same 56 pages reclaimed");
	tap_eq_u64(ps(&st, SIM_PS_UNMAPPED), 56, "H: 56 PTEs cleared");
	tap_eq_u64(ps(&st, SIM_PS_TLB_SHOOTDOWNS), 2, "H: one batched shootdown per batch with unmaps");
	tap_eq_u64(ps(&st, SIM_PS_TLB_LOCAL), 2, "H: the initiator's own flush of each");
	tap_eq_u64(ps(&st, SIM_PS_LOCK_WAITS), 31, "H: the second fault of rounds 0..30 waits");
	tap_eq_u64(st.trec[0], 32, "H: thread 0 replays records 0, 2, .., 62");
	tap_eq_u64(st.trec[1], 31, "H: thread 1 replays 31");
	uint64_t slow = st.tcyc[0] > st.tcyc[1] ? st.tcyc[0] : st.tcyc[1];
	tap_ok(st.cycles == (slow > st.cyc[SIM_C_IO] ? slow : st.cyc[SIM_C_IO]),
	       "H: time = the slower thread, or the serial device (io_queue 1) when longer");
	o.threads = 1;
	if (st_run(&p, &o, 0, 1 * MiB, pats, 3, &one, NULL)) {
		tap_ok(0, "H: one-thread run");
		return;
	}
	tap_eq_u64(st.cyc[SIM_C_FAULT] - one.cyc[SIM_C_FAULT],
		   31 * (uint64_t)p.c.lock_wait + 2 * ((uint64_t)p.c.ipi + p.c.tlb_flush) - 56 * (uint64_t)p.c.tlb_flush,
		   "H: fault cycles differ by 31 lock waits + 2 shootdowns - 56 local flushes");
}

/* F: a profile file without the issue-16 keys gets their defaults and says which. */
static void test_profile_defaulted(void)
{
	static const char ini[] = "[cost]\ndirect_io = 1234 # test value\n";
	struct sim_profile p, vm;
	char err[256];

	tap_ok(sim_profile_parse(ini, sizeof(ini) - 1, "t.ini", &p, err, sizeof(err)) == 0, "F: parses (%s)", err);
	tap_eq_u64(p.c.direct_io, 1234, "F: cost.direct_io read");
	tap_ok(!strstr(p.defaulted, "cost.direct_io") && strstr(p.defaulted, "cost.reclaim_folio") &&
	       strstr(p.defaulted, "kernel.page_cluster"), "F: defaulted keys named: '%s'", p.defaulted);
	tap_eq_u64(p.k.page_cluster, 3, "F: kernel.page_cluster default 3");
	st_profile("vm-host", &vm);
	tap_ok(vm.defaulted[0] == 0, "F: vm-host gives every issue-16 key ('%s')", vm.defaulted);
}

/*
 * I: threads share the device (sim_thread_times, cost.io_threads P).
 *   tcyc {1000, 800}, io {600, 400}, P 1.25: overlap min(600, 400) = 400,
 *   stretch N/P - 1 = 0.6: thread 0 1000 + 240 = 1240, thread 1 800 + 240 =
 *   1040; device 1000 / 1.25 = 800; time 1240. P 1: 1400 / 1200. P 2 (and
 *   P 3, clamped to N): no stretch, time 1000. Three threads {100 x3}, io
 *   {90 x3}, P 1.5: (3/1.5 - 1)/2 = 0.5 x 180 = 90 more each: 190.
 *   End to end: two threads of cold O_DIRECT reads (equal device cycles
 *   io/2 each): P 1.25 takes 0.6 x io/2 longer than P 2.
 */
static void test_thread_device(void)
{
	uint64_t tc[3] = { 1000, 800 }, io[3] = { 600, 400 };
	struct sim_stats st, st2;

	sim_thread_times(tc, io, 2, 1.25, &st);
	tap_eq_u64(st.tcyc[0], 1240, "I: thread 0's overlapped waits stretched 0.6x");
	tap_eq_u64(st.tcyc[1], 1040, "I: thread 1 likewise");
	tap_eq_u64(st.cycles, 1240, "I: time = the slower thread");
	sim_thread_times(tc, io, 2, 1, &st);
	tap_ok(st.tcyc[0] == 1400 && st.tcyc[1] == 1200 && st.cycles == 1400, "I: P 1: serial device");
	sim_thread_times(tc, io, 2, 2, &st);
	tap_eq_u64(st.cycles, 1000, "I: P 2: full overlap");
	sim_thread_times(tc, io, 2, 3, &st);
	tap_eq_u64(st.cycles, 1000, "I: P 3 clamped to 2 threads");
	uint64_t t3[3] = { 100, 100, 100 }, i3[3] = { 90, 90, 90 };
	sim_thread_times(t3, i3, 3, 1.5, &st);
	tap_ok(st.tcyc[0] == 190 && st.tcyc[2] == 190 && st.cycles == 190, "I: three threads, P 1.5");

	struct sim_profile p;
	struct an_case_opts o;
	struct st_pat pat = { 0, 4096, 64, 4096, TRACE_OP_READ };
	base_profile(&p);
	an_case_opts_default(&o);
	o.method = AN_METHOD_READ;
	o.direct = 1;
	o.cache = AN_CACHE_COLD;
	o.threads = 2;
	p.c.io_threads = 2;
	if (st_run(&p, &o, 0, 1 * MiB, &pat, 1, &st2, NULL)) {
		tap_ok(0, "I: runs at P 2");
		return;
	}
	p.c.io_threads = 1.25;
	if (st_run(&p, &o, 0, 1 * MiB, &pat, 1, &st, NULL)) {
		tap_ok(0, "I: runs at P 1.25");
		return;
	}
	tap_eq_u64(st.cycles - st2.cycles, (uint64_t)(0.6 * (double)(st.cyc[SIM_C_IO] / 2)),
		   "I: two direct-read threads: 0.6 x one thread's device cycles longer at P 1.25");
}

/*
 * J: io_uring qd 8, O_DIRECT, 8 cold 4 KiB reads 64 KiB apart: one device
 * batch of 8 waits of w = io_request + io_page (readahead off; the
 * default profile's io_page_sync 0 adds nothing). With cost.io_queue P the
 * batch occupies the device for 8 w / P, but not less than one w: P 2 and
 * P 4 differ by 8w/2 - 8w/4 = 2w; P 2.5 (a fraction, as calibrate writes
 * it) lies 8w/2 - 8w/2.5 = 0.8w below P 2; P 8 and P 16 (capped at qd 8)
 * both take w.
 */
static uint64_t uring_direct_cycles(double q)
{
	struct sim_profile p;
	struct an_case_opts o;
	struct sim_stats st;
	struct st_pat pat = { 0, 64 * KiB, 8, 4096, TRACE_OP_READ };

	base_profile(&p);
	p.c.io_queue = q;
	an_case_opts_default(&o);
	o.method = AN_METHOD_URING;
	o.direct = 1;
	o.qd = 8;
	o.cache = AN_CACHE_COLD;
	if (st_run(&p, &o, 0, 1 * MiB, &pat, 1, &st, NULL))
		return 0;
	return st.cycles;
}

static void test_uring_device(void)
{
	struct sim_profile p;
	uint64_t w, t2 = uring_direct_cycles(2), t4 = uring_direct_cycles(4), t25 = uring_direct_cycles(2.5);
	uint64_t t8 = uring_direct_cycles(8), t16 = uring_direct_cycles(16);

	base_profile(&p);
	w = (uint64_t)p.c.io_request + p.c.io_page;
	tap_ok(t2 && t4 && t25 && t8 && t16, "J: runs");
	tap_eq_u64(t2 - t4, 2 * w, "J: P 2 vs 4: 8w/2 - 8w/4 = 2w");
	tap_eq_u64(t2 - t25, (uint64_t)(0.8 * (double)w), "J: P 2.5: 0.8w below P 2");
	tap_eq_u64(t8, t16, "J: P 16 capped at qd 8: as P 8 (one w)");
	tap_eq_u64(t4 - t8, w, "J: P 4 vs 8: 2w - w");
}

int main(void)
{
	test_charge_stock();
	test_profile_defaulted();
	test_read_sequence();
	test_refault_activation();
	test_mmap_second_chance();
	test_direct();
	test_refusals();
	test_swap();
	test_threads();
	test_thread_device();
	test_uring_device();
	return tap_done();
}
