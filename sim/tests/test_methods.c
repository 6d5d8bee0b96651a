/*
 * sim/tests/test_methods.c — properties that hold for every access method:
 * each replays every record and byte, is deterministic, keeps memory bounded
 * by distinct 2 MiB ranges (not records), and file methods on a cold cache
 * add the touched pages to the page cache exactly once per page. Plus the
 * method-specific syscall counts (read: one per record; io_uring: one enter
 * per qd records; mmap/anon: none).
 */
#include "simtest.h"
#include "sim/sim_int.h"
#include "common/mb.h"

#define MiB (UINT64_C(1) << 20)

int main(void)
{
	struct sim_profile vm;
	static const enum an_method ms[] = { AN_METHOD_MMAP, AN_METHOD_READ, AN_METHOD_FREAD,
					     AN_METHOD_URING, AN_METHOD_ANON };
	st_profile("vm-host", &vm);
	for (size_t i = 0; i < sizeof(ms) / sizeof(ms[0]); i++) {
		struct an_case_opts o;
		struct sim_stats a, b;
		struct sim *s;
		/* 4 passes of 64-byte reads, 4 KiB apart, over 16 MiB: 16384 records */
		struct st_pat pat = { 0, 4096, 4096, 64, TRACE_OP_READ };
		struct st_pat pats[4] = { pat, pat, pat, pat };
		int anon = ms[i] == AN_METHOD_ANON;
		const char *mn = an_method_name(ms[i]);

		an_case_opts_default(&o);
		o.method = ms[i];
		o.cache = anon ? AN_CACHE_NONE : AN_CACHE_COLD;
		o.qd = 16;
		if (st_run(&vm, &o, anon, 16 * MiB, pats, 4, &a, &s) ||
		    st_run(&vm, &o, anon, 16 * MiB, pats, 4, &b, NULL)) {
			tap_ok(0, "%s: runs", mn);
			continue;
		}
		tap_eq_u64(a.st[SIM_ST_RECORDS], 16384, "%s: every record replayed", mn);
		tap_eq_u64(a.st[SIM_ST_BYTES], 16384 * 64, "%s: every byte accessed", mn);
		tap_ok(!memcmp(&a, &b, sizeof(a)), "%s: two runs give identical statistics", mn);
		tap_ok(s->nchunks <= 8, "%s: memory bounded by 2 MiB ranges touched (%llu chunks for 16 MiB)", mn,
		       (unsigned long long)s->nchunks);
		if (!anon)
			tap_eq_u64(a.st[SIM_ST_PC_ADDED], 4096, "%s: cold cache, each touched page added once", mn);
		else
			tap_eq_u64(a.st[SIM_ST_PC_ADDED], 0, "%s: no page cache", mn);
		switch (ms[i]) {
		case AN_METHOD_READ:
			tap_eq_u64(a.st[SIM_ST_SYSCALLS_READ], 16384, "read: one read()/pread() per record");
			break;
		case AN_METHOD_URING:
			tap_eq_u64(a.st[SIM_ST_SYSCALLS_URING], 16384 / 16, "io_uring: one enter per qd=16 SQEs");
			tap_eq_u64(a.st[SIM_ST_SYSCALLS_READ], 0, "io_uring: no read()");
			break;
		case AN_METHOD_FREAD:
			/* every record jumps 4 KiB - 64 ahead: fseek each time except the first */
			tap_ok(a.st[SIM_ST_SYSCALLS_LSEEK] > 0, "fread: fseek on jumps (%llu lseek)",
			       (unsigned long long)a.st[SIM_ST_SYSCALLS_LSEEK]);
			break;
		default:
			tap_eq_u64(a.st[SIM_ST_SYSCALLS], 0, "%s: no syscalls in the replay", mn);
			tap_ok(a.st[SIM_ST_FAULTS] > 0, "%s: faults taken", mn);
			break;
		}
		sim_destroy(s);
	}
	/*
	 * io_uring waits with asynchronous completions (tmpfs: every SQE punted),
	 * hand-computed: 64 reads at qd 32 with cost.uring_reap_punt 4. Records
	 * 1-32 fill the ring; records 33, 37, ..., 61 each find it full and wait,
	 * freeing 4 (8 waits); the end submits the last 4 (1 enter); the drain
	 * waits for 32 in flight, 4 at a time (8 waits): 17 enters. With the key
	 * at 0 (every SQE in flight done at a wait): 1 wait + 1 submit + the
	 * drain's 1 wait = 3.
	 */
	{
		struct an_case_opts o;
		struct sim_stats st;
		struct sim_profile p = vm;
		struct st_pat pg = { 0, 4096, 64, 4096, TRACE_OP_READ };
		an_case_opts_default(&o);
		o.method = AN_METHOD_URING;
		o.cache = AN_CACHE_TMPFS;
		o.qd = 32;
		if (tap_ok(st_run(&vm, &o, 0, 16 * MiB, &pg, 1, &st, NULL) == 0, "io_uring tmpfs, stock profile: runs"))
			tap_eq_u64(st.st[SIM_ST_SYSCALLS_URING], 3, "io_uring tmpfs, reap key 0: 3 enters");
		p.c.uring_reap_punt = 4;
		if (tap_ok(st_run(&p, &o, 0, 16 * MiB, &pg, 1, &st, NULL) == 0, "io_uring tmpfs, reap 4: runs")) {
			tap_eq_u64(st.st[SIM_ST_SYSCALLS_URING], 17, "io_uring tmpfs, reap 4: 8 + 1 + 8 = 17 enters");
			tap_eq_u64(st.timed_waits, 16, "io_uring tmpfs, reap 4: 16 waits priced by the mean (tolerance stated)");
		}
		p.c.uring_reap_punt = 4.5; /* thousandths carried: 4, 5, 4, 5 ... per wait */
		if (tap_ok(st_run(&p, &o, 0, 16 * MiB, &pg, 1, &st, NULL) == 0, "io_uring tmpfs, reap 4.5: runs"))
			tap_ok(st.st[SIM_ST_SYSCALLS_URING] >= 14 && st.st[SIM_ST_SYSCALLS_URING] <= 16,
			       "io_uring tmpfs, reap 4.5: between 64/5 and 64/4 waits + 1 (%llu enters)",
			       (unsigned long long)st.st[SIM_ST_SYSCALLS_URING]);
	}
	/*
	 * io_uring on a cold file, qd 4, device batches (cost.io_queue 4, every
	 * completion reaped at a wait): a read that waits for the device leaves
	 * prev_pos as it was (its IOCB_NOWAIT attempt failed); its retry sets it
	 * when the batch completes, in the elevator's order (mq-deadline: up
	 * from the last position, else the oldest). Hand-computed:
	 * - pages 5 2 50 10, then 3: the batch goes out as 5 10 50 (up from
	 *   the oldest), then 2; prev_pos ends at page 2's end, so the read of
	 *   page 3 is sequential (index - prev_index = 0) and reads the initial
	 *   window of 4 pages, 3 4 [5 cached] 6: 4 + 3 = 7 pages added. Set in
	 *   trace order, prev_pos would end at page 10's end: page 3 alone, 5.
	 * - pages 20 20 21: the second read of 20 finds it locked (the first's
	 *   read is pending), so it does not complete inline and prev_pos is
	 *   still unset when 21 misses: a random read of 1 page, 2 added (had it
	 *   set prev_pos, 21 would start a window of 4: 5 added).
	 * - kernel.io_sched none: the batch completes as submitted, page 10
	 *   last: page 3 is a random read again, 5 pages.
	 */
	{
		struct an_case_opts o;
		struct sim_stats st;
		struct sim_profile p = vm;
		struct st_pat a[] = { { 5 * 4096, 0, 1, 4096, TRACE_OP_READ }, { 2 * 4096, 0, 1, 4096, TRACE_OP_READ },
				      { 50 * 4096, 0, 1, 4096, TRACE_OP_READ }, { 10 * 4096, 0, 1, 4096, TRACE_OP_READ },
				      { 3 * 4096, 0, 1, 4096, TRACE_OP_READ } };
		struct st_pat b[] = { { 20 * 4096, 0, 2, 4096, TRACE_OP_READ }, { 21 * 4096, 0, 1, 4096, TRACE_OP_READ } };
		an_case_opts_default(&o);
		o.method = AN_METHOD_URING;
		o.cache = AN_CACHE_COLD;
		o.qd = 4;
		p.c.io_queue = 4;
		p.c.uring_reap_io = 0;
		if (tap_ok(st_run(&p, &o, 0, 16 * MiB, a, MB_ARRAY_SIZE(a), &st, NULL) == 0, "io_uring cold qd 4: runs"))
			tap_eq_u64(st.st[SIM_ST_PC_ADDED], 7,
				   "io_uring cold qd 4: prev_pos set in the elevator's completion order (5 10 50 2), page 3 sequential");
		p.k.io_sched = SIM_IOSCHED_FIFO; /* none: completed as submitted, 10 last: page 3 alone */
		if (tap_ok(st_run(&p, &o, 0, 16 * MiB, a, MB_ARRAY_SIZE(a), &st, NULL) == 0, "io_uring cold qd 4, io_sched none: runs"))
			tap_eq_u64(st.st[SIM_ST_PC_ADDED], 5, "io_uring cold qd 4, io_sched none: submission order, page 3 random");
		if (tap_ok(st_run(&p, &o, 0, 16 * MiB, b, MB_ARRAY_SIZE(b), &st, NULL) == 0, "io_uring cold qd 4, locked page: runs"))
			tap_eq_u64(st.st[SIM_ST_PC_ADDED], 2,
				   "io_uring cold qd 4: a read of a locked page does not set prev_pos inline");
	}
	/* a bad record is refused with a message naming it */
	{
		struct an_case_opts o;
		struct sim_stats st;
		struct st_pat bad = { 16 * MiB - 8, 1, 1, 64, TRACE_OP_READ };
		an_case_opts_default(&o);
		o.cache = AN_CACHE_COLD;
		tap_ok(st_run(&vm, &o, 0, 16 * MiB, &bad, 1, &st, NULL) == -1, "record past the region refused");
		struct st_pat wrap = { UINT64_MAX - 31, 1, 1, 64, TRACE_OP_READ };  /* off + len wraps to 32 */
		tap_ok(st_run(&vm, &o, 0, 16 * MiB, &wrap, 1, &st, NULL) == -1,
		       "record whose offset + length wraps around refused");
	}
	return tap_done();
}
