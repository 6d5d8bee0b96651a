/*
 * sim/tests/test_uring_threads.c — io_uring on several threads in the model
 * (one ring per thread, one shared device: sim/acc_uring.c), on hand-computed
 * cases. Profiles: vm-host with every cost zeroed except those under test
 * (as test_costs.c does), so the only cycles are the device waits and the
 * expected times follow from the device timeline alone:
 *   A: enters are each ring's own: a ring of m records at qd q waits
 *      ceil(m/q) - 1 times and submits once at its end; threads replay their
 *      share in one call (bench/threads.c), so no harness chunk end adds an
 *      enter, where one thread over 20000 records makes one at 16384.
 *   B: qd 32, cost.io_queue 4, O_DIRECT 4 KiB reads, waits of w =
 *      io_request: one thread's batch of 32 occupies the device 32w/4 = 8w;
 *      two rings share those 4 requests at once, so 2 x 128 reads take the
 *      same 256 x w / 4 as one thread's 256 (not half), and the threads'
 *      batches alternate on the device (per-thread times 56w and 64w).
 *   C: qd 4, cost.io_queue 8: a ring's depth limits it (P = 4, one w per
 *      batch of 4), two rings may have 8 in flight (P = min(8, 2 x 4)):
 *      two threads take half the time, thread 1 half a w behind.
 *   D: the shared device is priced once: cost.io_threads (the blocking
 *      threads' rule, sim_thread_times) does not change a timeline wait.
 *   E: determinism: the same case twice gives identical statistics and
 *      result metrics, for both splits.
 */
#include "simtest.h"
#include "sim/sim_int.h"

#include <jansson.h>

#define MiB (UINT64_C(1) << 20)

static void zero_costs(struct sim_profile *p)
{
	st_profile("vm-host", p);
	memset(&p->c, 0, sizeof(p->c));
}

/* io_uring case on a file of `size`: threads, qd, cache, direct. */
static void uring_case(struct an_case_opts *o, unsigned threads, unsigned qd, enum an_cache cache, int direct)
{
	an_case_opts_default(o);
	o->method = AN_METHOD_URING;
	o->threads = threads;
	o->qd = qd;
	o->cache = cache;
	o->direct = direct;
}

static void test_enters(void)
{
	struct sim_profile p;
	struct an_case_opts o;
	struct sim_stats one, two, half;
	/* 64-byte reads 64 bytes apart over a warm file: every SQE completes inline */
	struct st_pat pat40 = { 0, 64, 40000, 64, TRACE_OP_READ }, pat20 = { 0, 64, 20000, 64, TRACE_OP_READ };

	zero_costs(&p);
	uring_case(&o, 1, 8, AN_CACHE_WARM_READ, 0);
	if (st_run(&p, &o, 0, 4 * MiB, &pat20, 1, &half, NULL)) {
		tap_ok(0, "A: one thread runs");
		return;
	}
	/* 2499 waits (no free slot at records 9, 17, ..., 19993), the chunk end at 16384, the last submit */
	tap_eq_u64(half.st[SIM_ST_SYSCALLS_URING], 2501, "A: one thread, 20000 records at qd 8: 2501 enters");
	o.threads = 2;
	if (st_run(&p, &o, 0, 4 * MiB, &pat40, 1, &two, NULL)) {
		tap_ok(0, "A: two threads run");
		return;
	}
	tap_eq_u64(two.st[SIM_ST_SYSCALLS_URING], 2 * 2500,
		   "A: two threads, 20000 records each at qd 8: 2 x (2499 waits + 1 submit), no chunk end");
	tap_eq_u64(two.st[SIM_ST_SYSCALLS], two.st[SIM_ST_SYSCALLS_URING], "A: syscalls are the enters");
	tap_eq_u64(two.st[SIM_ST_RECORDS], 40000, "A: every record replayed once");
	tap_ok(two.trec[0] == 20000 && two.trec[1] == 20000, "A: 20000 records per thread (%llu, %llu)",
	       (unsigned long long)two.trec[0], (unsigned long long)two.trec[1]);
	o.split = AN_SPLIT_INTERLEAVE;
	if (st_run(&p, &o, 0, 4 * MiB, &pat40, 1, &one, NULL) == 0)
		tap_eq_u64(one.st[SIM_ST_SYSCALLS_URING], 5000, "A: interleave split: the same 5000 enters");
	else
		tap_ok(0, "A: interleave runs");
}

/* O_DIRECT 4 KiB reads 64 KiB apart over a cold 16 MiB file; device waits of w = 1000 cycles. */
static int direct_run(unsigned threads, unsigned qd, double io_queue, double io_threads, uint64_t n,
		      struct sim_stats *st)
{
	struct sim_profile p;
	struct an_case_opts o;
	struct st_pat pat = { 0, 64 * 1024, n, 4096, TRACE_OP_READ };

	zero_costs(&p);
	p.c.io_request = 1000;
	p.c.io_queue = io_queue;
	p.c.io_threads = io_threads;
	uring_case(&o, threads, qd, AN_CACHE_COLD, 1);
	return st_run(&p, &o, 0, 16 * MiB, &pat, 1, st, NULL);
}

static void test_device_shared(void)
{
	struct sim_stats one, two;

	if (direct_run(1, 32, 4, 1, 256, &one) || direct_run(2, 32, 4, 1, 256, &two)) {
		tap_ok(0, "B: runs");
		return;
	}
	/* one thread: 8 batches of 32, each 8w after the previous */
	tap_eq_u64(one.cycles, 64000, "B: one thread, qd 32, io_queue 4: 256 w / 4");
	tap_eq_u64(one.st[SIM_ST_SYSCALLS_URING], 9, "B: one thread: 7 waits, the last submit, the drain's wait");
	tap_eq_u64(two.cycles, one.cycles, "B: two threads x qd 32 are not faster: the device's 4 are shared");
	tap_ok(two.tcyc[0] == 56000 && two.tcyc[1] == 64000,
	       "B: the rings' batches alternate on the device: threads end at 56w and 64w (%llu, %llu)",
	       (unsigned long long)two.tcyc[0], (unsigned long long)two.tcyc[1]);
	tap_eq_u64(two.st[SIM_ST_SYSCALLS_URING], 2 * 5, "B: each ring: 3 waits, the last submit, the drain's wait");
	tap_eq_u64(two.ps[SIM_PS_DIRECT_REQS], 256, "B: O_DIRECT requests summed over threads");
	tap_eq_u64(two.st[SIM_ST_PC_ADDED], 0, "B: no page cache");

	if (direct_run(1, 4, 8, 1, 256, &one) || direct_run(2, 4, 8, 1, 256, &two)) {
		tap_ok(0, "C: runs");
		return;
	}
	tap_eq_u64(one.cycles, 64000, "C: one thread, qd 4, io_queue 8: 64 batches of one w");
	tap_ok(two.tcyc[0] == 32000 && two.tcyc[1] == 32500 && two.cycles == 32500,
	       "C: two rings of qd 4 use 8 at once: 32 batches each, thread 1 w/2 behind (%llu, %llu)",
	       (unsigned long long)two.tcyc[0], (unsigned long long)two.tcyc[1]);

	/* D: io_threads is the blocking threads' rule; timeline waits are not shared again */
	if (direct_run(2, 32, 4, 2, 256, &one) || direct_run(2, 32, 4, 1, 256, &two)) {
		tap_ok(0, "D: runs");
		return;
	}
	tap_eq_u64(one.cycles, two.cycles, "D: io_uring batches on two threads: io_threads 2 and 1 give the same time");
	/* qd 1: no batches, each wait blocks its thread like a pread: sim_thread_times shares them */
	if (direct_run(2, 1, 4, 2, 64, &one) || direct_run(2, 1, 4, 1, 64, &two)) {
		tap_ok(0, "D: qd 1 runs");
		return;
	}
	tap_eq_u64(one.cycles, 32000, "D: qd 1, io_threads 2: two threads' 32 blocking waits side by side");
	tap_eq_u64(two.cycles, 64000, "D: qd 1, io_threads 1: served one at a time");
}

static char *case_json(const struct sim_stats *st)
{
	json_t *c = json_object();
	char *s;

	sim_stats_to_case(st, c);
	s = json_dumps(c, JSON_SORT_KEYS | JSON_COMPACT);
	json_decref(c);
	return s;
}

static void test_determinism(void)
{
	static const enum an_split splits[] = { AN_SPLIT_BLOCKS, AN_SPLIT_INTERLEAVE };
	struct sim_profile p;

	st_profile("vm-host", &p); /* every cost as a real profile has them */
	for (unsigned i = 0; i < 2; i++) {
		struct an_case_opts o;
		struct sim_stats a, b;
		/* 4 KiB reads striding 12 KiB over a 64 MiB file, twice round: hits and misses */
		struct st_pat pat[] = { { 0, 12288, 5461, 4096, TRACE_OP_READ }, { 4096, 12288, 5461, 4096, TRACE_OP_READ } };
		const char *sn = an_split_name(splits[i]);

		for (int direct = 0; direct < 2; direct++) {
			uring_case(&o, 3, 16, AN_CACHE_COLD, direct);
			o.split = splits[i];
			if (st_run(&p, &o, 0, 64 * MiB, pat, 2, &a, NULL) || st_run(&p, &o, 0, 64 * MiB, pat, 2, &b, NULL)) {
				tap_ok(0, "E: %s runs", sn);
				continue;
			}
			char *ja = case_json(&a), *jb = case_json(&b);
			tap_ok(!memcmp(&a, &b, sizeof(a)), "E: 3 threads, %s%s: identical statistics twice", sn,
			       direct ? ", direct" : "");
			tap_ok(ja && jb && !strcmp(ja, jb), "E: 3 threads, %s%s: identical result metrics twice", sn,
			       direct ? ", direct" : "");
			tap_ok(ja && strstr(ja, "\"thread.2.ns\""), "E: per-thread times reported");
			free(ja);
			free(jb);
			tap_eq_u64(a.st[SIM_ST_RECORDS], 2 * 5461, "E: %s: every record replayed", sn);
		}
	}
}

int main(void)
{
	test_enters();
	test_device_shared();
	test_determinism();
	return tap_done();
}
