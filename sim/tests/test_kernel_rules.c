/*
 * sim/tests/test_kernel_rules.c — the measured table of shared/KERNEL-NOTES.md
 * reproduced by the model with the vm-host profile (MAP_PRIVATE read, one byte
 * per page, sequential), plus the individual rules behind it: read-around
 * window and flag, the async ramp's folio orders, MADV_SEQUENTIAL /
 * HUGEPAGE / WILLNEED, COW and shared writes, MAP_POPULATE accounting, and
 * the xarray walk behind page_cache_next_miss / prev_miss.
 * Every expected number is the kernel's measurement or follows from a rule
 * stated in KERNEL-NOTES.md; none is produced by the model under test.
 */
#include "simtest.h"
#include "sim/sim_int.h"

#define MiB (UINT64_C(1) << 20)

static struct sim_profile vm;

static void opts(struct an_case_opts *o, enum an_cache c, uint64_t req)
{
	an_case_opts_default(o);
	o->method = AN_METHOD_MMAP;
	o->cache = c;
	o->cache_req = req;
}

static void table_row(const char *what, enum an_cache c, enum an_madv madv, const uint64_t want[4],
		      int want_major_each)
{
	static const uint64_t sizes[4] = { 1 * MiB, 16 * MiB, 64 * MiB, 256 * MiB };
	for (int i = 0; i < 4; i++) {
		struct an_case_opts o;
		struct sim_stats st;
		struct st_pat pat = st_seq_pages(sizes[i], TRACE_OP_READ);
		opts(&o, c, MiB);
		o.madv = madv;
		if (st_run(&vm, &o, 0, sizes[i], &pat, 1, &st, NULL)) {
			tap_ok(0, "%s %llu MiB: model ran", what, (unsigned long long)(sizes[i] / MiB));
			continue;
		}
		tap_eq_u64(st.st[SIM_ST_FAULTS], want[i], "%s, %llu MiB: faults.total", what,
			   (unsigned long long)(sizes[i] / MiB));
		if (want_major_each >= 0)
			tap_eq_u64(st.st[SIM_ST_FAULTS_MAJOR], (uint64_t)want_major_each,
				   "%s, %llu MiB: faults.major", what, (unsigned long long)(sizes[i] / MiB));
		else
			tap_eq_u64(st.st[SIM_ST_FAULTS_MAJOR], want[i], "%s, %llu MiB: every fault major", what,
				   (unsigned long long)(sizes[i] / MiB));
	}
}

/* Folio order of page p in a model kept alive. */
static int order_at(struct sim *s, uint64_t p)
{
	uint64_t h;
	unsigned o;
	return pc_folio(s, p, &h, &o) ? (int)o : -1;
}

static void test_table(void)
{
	static const uint64_t ww[4] = { 1, 31, 79, 271 }, tm[4] = { 16, 256, 1024, 4096 },
			      cold[4] = { 16, 256, 436, 532 };
	table_row("ext4 written with 1 MiB pwrite", AN_CACHE_WARM_WRITE, AN_MADV_NORMAL, ww, 0);
	table_row("tmpfs 4 KiB pages", AN_CACHE_TMPFS, AN_MADV_NORMAL, tm, 0);
	table_row("ext4 cold", AN_CACHE_COLD, AN_MADV_NORMAL, cold, 1);

	struct an_case_opts o;
	struct sim_stats st;
	struct st_pat pat = st_seq_pages(64 * MiB, TRACE_OP_READ);
	opts(&o, AN_CACHE_COLD, 0);
	o.madv = AN_MADV_RANDOM;
	if (!st_run(&vm, &o, 0, 64 * MiB, &pat, 1, &st, NULL)) {
		tap_eq_u64(st.st[SIM_ST_FAULTS], 16384, "ext4 cold, MADV_RANDOM, 64 MiB: faults.total");
		tap_eq_u64(st.st[SIM_ST_FAULTS_MAJOR], 16384, "ext4 cold, MADV_RANDOM: all major");
		tap_eq_u64(st.st[SIM_ST_PC_ADDED], 16384, "MADV_RANDOM: one order-0 page per miss");
	}
	for (int w = 0; w < 2; w++)
		for (int huge = 0; huge < 2; huge++) {
			struct st_pat ap = st_seq_pages(64 * MiB, w ? TRACE_OP_WRITE : TRACE_OP_READ);
			an_case_opts_default(&o);
			o.method = AN_METHOD_ANON;
			o.cache = AN_CACHE_NONE;
			o.madv = huge ? AN_MADV_HUGEPAGE : AN_MADV_NORMAL;
			if (!st_run(&vm, &o, 1, 64 * MiB, &ap, 1, &st, NULL))
				tap_eq_u64(st.st[SIM_ST_FAULTS], huge ? 32 : 16384,
					   "anonymous 64 MiB %s%s: faults.total", w ? "write" : "read",
					   huge ? ", MADV_HUGEPAGE" : "");
		}
}

static void test_readaround_and_ramp(void)
{
	struct an_case_opts o;
	struct sim_stats st;
	struct sim *s;
	struct st_pat one = { 8192 * 4096, 4096, 1, 1, TRACE_OP_READ };

	/* one cold touch mid-file: ra_pages from p - ra/2, order 0, flag at start + ra - ra/4 */
	opts(&o, AN_CACHE_COLD, 0);
	if (!st_run(&vm, &o, 0, 64 * MiB, &one, 1, &st, &s)) {
		tap_eq_u64(st.st[SIM_ST_PC_ADDED], vm.k.ra_pages, "cold touch of page 8192: ra_pages added");
		tap_ok(order_at(s, 8192 - 1024) == 0 && order_at(s, 8192 + 1023) == 0 &&
		       order_at(s, 8192 - 1025) < 0 && order_at(s, 8192 + 1024) < 0,
		       "read-around window is [p - ra/2, p + ra/2), order 0");
		tap_ok(pc_test_ra(s, 8192 - 1024 + 2048 - 512) && !pc_test_ra(s, 8192),
		       "readahead flag at start + ra - ra/4 only");
		tap_eq_u64(st.st[SIM_ST_FAULTS_MAJOR], 1, "one major fault");
		tap_eq_u64(st.st[SIM_ST_FA_PTES], 16, "fault-around mapped 16 pages on the retry");
		sim_destroy(s);
	}
	/* cold sequential pass: 2048 order-0 pages, then orders 2, 4, 6, 8, then 9 */
	struct st_pat seq = st_seq_pages(64 * MiB, TRACE_OP_READ);
	if (!st_run(&vm, &o, 0, 64 * MiB, &seq, 1, &st, &s)) {
		static const int want[8] = { 0, 2, 4, 6, 8, 9, 9, 9 };
		int ok = 1;
		for (int w = 0; w < 8; w++)
			for (uint64_t p = (uint64_t)w * 2048; p < (uint64_t)(w + 1) * 2048; p++)
				if (order_at(s, p) != want[w]) {
					ok = 0;
					tap_diag("page %llu: order %d, want %d", (unsigned long long)p,
						 order_at(s, p), want[w]);
					w = 8;
					break;
				}
		tap_ok(ok, "cold mmap pass: folio orders 0 (2048 pages), 2, 4, 6, 8, then 9");
		tap_eq_u64(st.st[SIM_ST_PC_ADDED], 16384, "cold pass added every page once");
		sim_destroy(s);
	}
	/* warm-by-read (1 MiB read()s): the same async ramp shapes the layout */
	opts(&o, AN_CACHE_WARM_READ, MiB);
	struct st_pat none = { 0, 0, 0, 1, TRACE_OP_READ };
	if (!st_run(&vm, &o, 0, 64 * MiB, &none, 1, &st, &s)) {
		int maxo = -1, first = order_at(s, 0), all = 1;
		for (uint64_t p = 0; p < 16384; p++) {
			int k = order_at(s, p);
			if (k < 0)
				all = 0;
			if (k > maxo)
				maxo = k;
		}
		tap_ok(all && first < 9 && maxo == 9,
		       "warm-read 1 MiB: whole file cached, small folios first, 2 MiB folios later (first %d, max %d)",
		       first, maxo);
		sim_destroy(s);
	}
}

static void test_madvise(void)
{
	struct an_case_opts o;
	struct sim_stats st;
	struct sim *s;

	/* MADV_SEQUENTIAL, reverse pass: every miss reads forward with no flag -> one major per page */
	struct st_pat rev = { 1 * MiB - 4096, -4096, 256, 1, TRACE_OP_READ };
	opts(&o, AN_CACHE_COLD, 0);
	o.madv = AN_MADV_SEQUENTIAL;
	if (!st_run(&vm, &o, 0, 1 * MiB, &rev, 1, &st, NULL)) {
		tap_eq_u64(st.st[SIM_ST_FAULTS], 256, "MADV_SEQUENTIAL reverse 1 MiB: one fault per page");
		tap_eq_u64(st.st[SIM_ST_FAULTS_MAJOR], 256, "... each major");
	}
	/* MADV_SEQUENTIAL forward from page 0: a proper window */
	struct st_pat fwd = st_seq_pages(64 * MiB, TRACE_OP_READ);
	if (!st_run(&vm, &o, 0, 64 * MiB, &fwd, 1, &st, NULL))
		tap_eq_u64(st.st[SIM_ST_FAULTS_MAJOR], 1, "MADV_SEQUENTIAL forward: one major (page 0)");
	/* MADV_HUGEPAGE on a file: a cold miss reads two 2 MiB folios */
	struct st_pat one = { 0, 4096, 1, 1, TRACE_OP_READ };
	o.madv = AN_MADV_HUGEPAGE;
	if (!st_run(&vm, &o, 0, 64 * MiB, &one, 1, &st, &s)) {
		tap_eq_u64(st.st[SIM_ST_PC_ADDED], 1024, "MADV_HUGEPAGE cold miss: 1024 pages added");
		tap_ok(order_at(s, 0) == 9 && order_at(s, 512) == 9 && pc_test_ra(s, 512),
		       "... as two order-9 folios, the second flagged");
		tap_eq_u64(st.st[SIM_ST_PMDS_MAPPED], 1, "... first one PMD-mapped");
		sim_destroy(s);
	}
	/* WILLNEED reads at most max(io_pages, ra_pages) pages */
	o.madv = AN_MADV_WILLNEED;
	struct st_pat nothing = { 0, 0, 0, 1, TRACE_OP_READ };
	if (!st_run(&vm, &o, 0, 64 * MiB, &nothing, 1, &st, &s)) {
		uint64_t head;
		unsigned order;
		uint64_t cached = 0;
		for (uint64_t p = 0; p < 16384; p++)
			cached += pc_folio(s, p, &head, &order);
		tap_eq_u64(cached, 2048, "MADV_WILLNEED on 64 MiB: max(io_pages, ra_pages) pages cached");
		tap_ok(pc_folio(s, 2047, &head, &order) && !pc_folio(s, 2048, &head, &order),
		       "... from the start of the range");
		tap_eq_u64(st.st[SIM_ST_PC_ADDED], 0, "... in the set-up, outside the replay's pagecache.added");
		sim_destroy(s);
	}
}

static void test_writes(void)
{
	struct an_case_opts o;
	struct sim_stats st;
	struct st_pat wr = st_seq_pages(64 * MiB, TRACE_OP_WRITE);
	struct st_pat rd = st_seq_pages(64 * MiB, TRACE_OP_READ);
	struct st_pat both[2] = { rd, wr };

	opts(&o, AN_CACHE_WARM_WRITE, MiB);
	if (!st_run(&vm, &o, 0, 64 * MiB, &wr, 1, &st, NULL))
		tap_eq_u64(st.st[SIM_ST_FAULTS], 16384, "private write: one COW fault per page");
	o.shared = 1;
	if (!st_run(&vm, &o, 0, 64 * MiB, &wr, 1, &st, NULL))
		tap_eq_u64(st.st[SIM_ST_FAULTS], 64, "shared write to unmapped 1 MiB folios: one fault per folio");
	if (!st_run(&vm, &o, 0, 64 * MiB, both, 2, &st, NULL))
		tap_eq_u64(st.st[SIM_ST_FAULTS], 79 + 16384,
			   "shared: read pass (79) then write to read-only pages, one fault per 4 KiB page");
	o.shared = 0;
	if (!st_run(&vm, &o, 0, 64 * MiB, both, 2, &st, NULL))
		tap_eq_u64(st.st[SIM_ST_FAULTS], 79 + 16384, "private: read pass then one COW per page");
	/* tmpfs shared: no write-notify, read faults map writable -> writes free */
	o.shared = 1;
	o.cache = AN_CACHE_TMPFS;
	if (!st_run(&vm, &o, 0, 64 * MiB, both, 2, &st, NULL))
		tap_eq_u64(st.st[SIM_ST_FAULTS], 1024, "tmpfs shared: read pass maps writable, writes take no fault");
}

static void test_populate(void)
{
	struct an_case_opts o;
	struct sim_stats st;
	struct st_pat rd = st_seq_pages(64 * MiB, TRACE_OP_READ);

	opts(&o, AN_CACHE_WARM_WRITE, MiB);
	o.shared = 1;
	o.populate = 1;
	if (!st_run(&vm, &o, 0, 64 * MiB, &rd, 1, &st, NULL)) {
		tap_eq_u64(st.st[SIM_ST_FAULTS], 0, "MAP_POPULATE (shared): the replay takes no perf fault");
		tap_eq_u64(st.st[SIM_ST_FAULTS_POPULATE], 79, "... populate took the 79 read faults (getrusage only)");
	}
	an_case_opts_default(&o);
	o.method = AN_METHOD_ANON;
	o.cache = AN_CACHE_NONE;
	o.populate = 1;
	o.madv = AN_MADV_NORMAL;
	if (!st_run(&vm, &o, 1, 64 * MiB, &rd, 1, &st, NULL)) {
		tap_eq_u64(st.st[SIM_ST_FAULTS], 0, "anon MAP_POPULATE: no perf faults in the replay");
		tap_eq_u64(st.st[SIM_ST_FAULTS_POPULATE], 16384, "... 16384 populate faults (write faults, 4 KiB)");
	}
}

static void test_read_path(void)
{
	struct an_case_opts o;
	struct sim_stats st;
	struct st_pat rd = { 0, 4096, 16384, 4096, TRACE_OP_READ };

	opts(&o, AN_CACHE_COLD, 0);
	o.method = AN_METHOD_READ;
	if (!st_run(&vm, &o, 0, 64 * MiB, &rd, 1, &st, NULL)) {
		tap_eq_u64(st.st[SIM_ST_SYSCALLS_READ], 16384, "read 4 KiB x 16384: one read() each");
		tap_eq_u64(st.st[SIM_ST_FAULTS], 0, "read(): no page faults");
		tap_eq_u64(st.st[SIM_ST_PC_ADDED], 16384, "cold read(): every page added once");
		tap_ok(st.st[SIM_ST_RA_ASYNC] > 0 && st.st[SIM_ST_RA_SYNC] == 1,
		       "sequential read(): one sync readahead, then async (sync %llu, async %llu)",
		       (unsigned long long)st.st[SIM_ST_RA_SYNC], (unsigned long long)st.st[SIM_ST_RA_ASYNC]);
	}
	/* random 4 KiB preads on a cold file: read as is (no window), no async */
	struct st_pat rnd[3] = { { 100 * 4096, 4096, 1, 4096, TRACE_OP_READ },
				 { 9000 * 4096, 4096, 1, 4096, TRACE_OP_READ },
				 { 3000 * 4096, 4096, 1, 4096, TRACE_OP_READ } };
	if (!st_run(&vm, &o, 0, 64 * MiB, rnd, 3, &st, NULL))
		tap_eq_u64(st.st[SIM_ST_PC_ADDED], 3, "three scattered cold preads: one page each");
}

/*
 * page_cache_next_miss / prev_miss walk the xarray with xas_next / xas_prev,
 * whose slot offset lags the index after the first load lands inside a
 * multi-slot folio (lib/xarray.c __xas_next: the offset moves one slot per
 * step until it equals the index's slot; xas_descend leaves it on the
 * folio's canonical slot). Expected values follow from that code, and the
 * first two are the kernel's own page_cache_async_ra / page_cache_ra_order
 * tracepoint lines from a chase 64 MiB MADV_HUGEPAGE cold replay on this VM.
 */
/* A model of a cold 64 MiB file with nothing replayed, or NULL (diagnosed). */
static struct sim *cold_file(void)
{
	struct an_case_opts o;
	struct sim_stats st;
	struct sim *s = NULL;

	opts(&o, AN_CACHE_COLD, 0);
	if (st_run(&vm, &o, 0, 64 * MiB, NULL, 0, &st, &s) || !s) {
		tap_ok(0, "xarray walk: model created");
		return NULL;
	}
	return s;
}

/* page_cache_async_ra on an order-9 marked folio at index, window start/size/
   async (order 9, ra_pages 2048, req 2048): the new window must be want_start
   + want_size. */
static void async_ra(struct sim *s, uint64_t start, uint64_t size, uint64_t async,
		     uint64_t index, uint64_t want_start, uint64_t want_size)
{
	struct ra_state ra;

	ra_state_init(s, &ra);
	ra.ra_pages = 2048;
	ra.start = start;
	ra.size = size;
	ra.async_size = async;
	ra.order = 9;
	ra_async(s, &ra, index, 9, 2048);
	tap_ok(ra.start == want_start && ra.size == want_size,
	       "async readahead at page %llu starts at %llu, %llu pages as the kernel traced "
	       "(got %llu, %llu)", (unsigned long long)index, (unsigned long long)want_start,
	       (unsigned long long)want_size, (unsigned long long)ra.start,
	       (unsigned long long)ra.size);
}

static void test_xarray_walk(void)
{
	struct sim *s = cold_file();
	struct ra_state ra;

	if (!s)
		return;
	/* order-9 folios [7680, 8192) [8192, 8704) [11776, 12288) [12288, 12800) */
	pc_add_folio(s, 7680, 9, 0);
	pc_add_folio(s, 8192, 9, 0);
	pc_add_folio(s, 11776, 9, 0);
	pc_add_folio(s, 12288, 9, 0);
	/*
	 * Fault at 12794 on the marked folio [12288, 12800), window 6144+2048
	 * (not the expected index): next_miss(12795) loads the canonical slot 0
	 * of the shift-6 node [12288, 16384) and steps one slot per page:
	 * slots 1..7 at 12796..12802, slot 8 (empty, [12800, 12864)) at 12803.
	 * ra->size = 12803 - 12794 + 2048 -> 2048, order 9 + 2 -> align 2048,
	 * end 14851 rounded down to 14336: size 1533. (A first-hole scan: 12800.)
	 */
	async_ra(s, 6144, 2048, 2048, 12794, 12803, 1533);
	/*
	 * Fault at 8693 on [8192, 8704) (window 7680+1024, async 512): from
	 * 8694 the offset catches up with the index's slot (7) before 8704,
	 * whose slot 8 is empty: 8704, size 11 + 2048 -> 2048, trimmed to 1536.
	 */
	async_ra(s, 7680, 1024, 512, 8693, 8704, 1536);
	sim_destroy(s);

	/*
	 * prev_miss in a shift-0 node: pages 4..7 (order 0) and [8, 12) (order
	 * 2) cached, page 3 not. A random read() at 12 (prev_pos -1: not
	 * sequential) asks prev_miss(11): the load leaves the offset on slot 8,
	 * then index and offset step down together: 10/7, 9/6, 8/5, 7/4, 6/3 —
	 * slot 3 is empty, so 6 comes back (a first-hole scan: 3). contig =
	 * 12 - 6 - 1 = 5 > req 1: window at 12 of contig + req = 6 pages,
	 * async_size 1 (page_cache_sync_ra's "history" case).
	 */
	if (!(s = cold_file()))
		return;
	for (uint64_t p = 4; p < 8; p++)
		pc_add_folio(s, p, 0, 0);
	pc_add_folio(s, 8, 2, 0);
	ra_state_init(s, &ra);
	ra.ra_pages = 2048;
	ra_sync(s, &ra, 12, 1, 0);
	tap_ok(ra.start == 12 && ra.size == 6 && ra.async_size == 1,
	       "sync readahead at 12 after a lagging prev_miss: window 12+6, async 1 "
	       "(got %llu+%llu, %llu)", (unsigned long long)ra.start, (unsigned long long)ra.size,
	       (unsigned long long)ra.async_size);
	sim_destroy(s);
}

int main(void)
{
	st_profile("vm-host", &vm);
	test_table();
	test_readaround_and_ramp();
	test_madvise();
	test_writes();
	test_populate();
	test_read_path();
	test_xarray_walk();
	return tap_done();
}
