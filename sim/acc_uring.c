/*
 * sim/acc_uring.c — model twin of the harness's io_uring method: records are
 * queued as read (or write) SQEs with explicit offsets.
 * Each SQE runs the same filemap_read path as pread (same readahead state);
 * registered files / buffers save per-SQE work (fget/fput, buffer import).
 * The ring is driven as the harness drives it (bench/acc_uring.c): a record
 * that finds no free slot first submits what is queued and waits for a
 * completion (one io_uring_enter); at the end of each chunk of
 * SIM_HARNESS_CHUNK_RECS records the harness submits without waiting (one
 * more enter), so the next record's wait is an enter of its own; at the end
 * the queued rest is submitted and the completions reaped from the ring.
 * On tmpfs every SQE is punted to io-wq (no FMODE_NOWAIT) and each waiting
 * enter sleeps for the workers' completions; on a cold ext4 file a read that
 * misses completes when its device read does (async buffered read, task
 * work). How many completions a waiting enter finds posted then depends on
 * timing (device completion batches, worker wake-ups). The model: a waiting
 * enter that finds inline completions (cache hits) posted returns at once
 * with those; one that finds none sleeps and reaps the batch posted by the
 * time it wakes, the mean a profile measured (cost.uring_reap_io,
 * cost.uring_reap_punt: calibrate drives a ring as the harness does over
 * reads that all wait, and counts its enters; thousandths carried,
 * deterministic); the rest stay in flight, and the drain waits for them the
 * same way. (Measured on the Intel Xeon guest: uniform random 4 KiB reads at
 * qd 32 over a cold 64 MiB file need 51, 111, 268, 645 enters for 1, 2, 4,
 * 8 Ki reads: the more reads hit pages an earlier read's readahead brought,
 * the more waits return early with few.) With the key at 0 (the stock
 * profiles) every SQE in flight completes at each wait: one enter per qd
 * SQEs, plus the drain's wait on tmpfs. The time of the waits is not
 * re-priced by the count: punt_wait is charged per qd SQEs as calibrate
 * measured it, the device time by sim_io_flush; only the extra enters'
 * syscall and uring_wait cycles are added.
 * Cold reads: with qd > 1 the reads of one batch that miss the cache wait
 * for the device together (async buffered reads: each completes when its
 * folio is unlocked), so their waits overlap up to cost.io_queue requests
 * (sim_io_flush at each waiting enter and at the end).
 * --direct: each read SQE is an O_DIRECT request of the record's 4 KiB-aligned
 * span (sim_direct_read): no page cache, no copy; its device wait overlaps
 * like a cold read's.
 */
#include "sim/sim_int.h"

/* Records per timed chunk of the harness (bench/bench.h BENCH_CHUNK_RECS, 256 KiB of records). */
#define SIM_HARNESS_CHUNK_RECS 16384u

static int uring_setup(struct sim *s, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	s->uring_pending = 0;
	s->uring_inflight = 0;
	s->uring_recs = 0;
	s->uring_async = 0;
	s->uring_reap_acc = 0;
	s->uring_async_waits = 0;
	/* reads that miss the cache (and every O_DIRECT read) wait for the device in parallel,
	   up to qd at a time (sim_io_flush) */
	s->io_defer = s->o.qd > 1 && !s->f.shmem && s->p.c.io_queue > 1;
	return 0;
}

#define MIN_U64(a, b) ((a) < (b) ? (a) : (b))

/* The profile's mean asynchronous completions per waiting enter, 0: all. */
static double reap_mean(const struct sim *s)
{
	return s->f.shmem ? s->p.c.uring_reap_punt : s->p.c.uring_reap_io;
}

/*
 * io_uring_submit_and_wait(1): the queued SQEs are submitted, the inline
 * ones have completed; of the asynchronous ones, all (reap_mean 0) or the
 * profile's mean number (at least 1: the enter waits for one) are posted
 * when the task wakes and reaps.
 */
static void submit_wait(struct sim *s)
{
	unsigned async = s->uring_async, got = async;
	unsigned inl = s->uring_pending + s->uring_inflight - async;
	double m = reap_mean(s);

	sys_enter(s, SIM_ST_SYSCALLS_URING);
	sim_cost(s, SIM_C_SYSCALL, s->p.c.uring_wait);
	sim_io_flush(s, s->o.qd);
	if (m > 0 && async) {
		/*
		 * Inline completions posted: the enter returns without sleeping and
		 * reaps those (and no asynchronous one: they are the device's
		 * batch, not yet in). None: it sleeps until the first asynchronous
		 * completion and reaps the batch posted by then, m (mean) SQEs.
		 */
		if (!inl) {
			uint64_t k;
			s->uring_reap_acc += (uint64_t)(m * 1000 + 0.5);
			k = s->uring_reap_acc / 1000;
			got = k < 1 ? 1 : k > async ? async : (unsigned)k;
			s->uring_reap_acc -= MIN_U64(s->uring_reap_acc, (uint64_t)got * 1000);
		} else {
			got = 0;
		}
		s->uring_async_waits++;
	}
	if (s->f.shmem) /* io-wq completions: the sleep as calibrate measured it, per qd SQEs */
		sim_cost(s, SIM_C_SYSCALL, m > 0 ? (uint64_t)s->p.c.uring_punt_wait * got / s->o.qd
						 : s->p.c.uring_punt_wait);
	s->uring_pending = 0;
	s->uring_inflight = async - got;
	s->uring_async = async - got;
}

/* io_uring_submit (no wait): at a chunk end and at the end of the trace. */
static void submit(struct sim *s)
{
	if (!s->uring_pending)
		return;
	sys_enter(s, SIM_ST_SYSCALLS_URING);
	s->uring_inflight += s->uring_pending;
	s->uring_pending = 0;
}

static int uring_access(struct sim *s, const struct trace_rec *r, size_t n)
{
	const struct sim_costs *c = &s->p.c;
	uint64_t sqe = c->uring_sqe;

	if (s->o.reg_files)
		sqe -= sqe > c->uring_regfile_saving ? c->uring_regfile_saving : sqe;
	if (s->o.reg_bufs)
		sqe -= sqe > c->uring_regbuf_saving ? c->uring_regbuf_saving : sqe;
	/*
	 * shmem sets no FMODE_NOWAIT (mm/shmem.c shmem_file_open), so a read
	 * issued inline fails the io_file_supports_nowait check of __io_read
	 * (io_uring/rw.c) with -EAGAIN and io_queue_async hands it to an io-wq
	 * worker: every SQE on tmpfs is punted.
	 */
	if (s->f.shmem)
		sqe += c->uring_punt;
	for (size_t i = 0; i < n; i++) {
		if (s->uring_pending + s->uring_inflight >= s->o.qd)
			submit_wait(s); /* no free slot */
		s->cyc[SIM_C_SYSCALL] += sqe;
		uint64_t waits = s->st[SIM_ST_IO_WAITS];
		if (r[i].op == TRACE_OP_WRITE)
			pc_write(s, r[i].off, r[i].len);
		else if (s->o.direct)
			sim_direct_read(s, r[i].off, r[i].len);
		else
			pc_read(s, &s->f.ra, r[i].off, r[i].len);
		/* punted (tmpfs), or a read that waits for the device: completes asynchronously */
		s->uring_async += s->f.shmem || (r[i].op != TRACE_OP_WRITE && s->st[SIM_ST_IO_WAITS] != waits);
		s->st[SIM_ST_BYTES] += r[i].len;
		if (s->o.direct) /* DMA into the (cache-resident, reused) buffer: the fold only */
			s->cyc[SIM_C_USER] += s->p.c.user_access + r[i].len * s->p.c.fold_mcyc_per_byte / 1000;
		else
			sim_user_bytes(s, r[i].off, r[i].len);
		s->uring_pending++;
		if (++s->uring_recs % SIM_HARNESS_CHUNK_RECS == 0)
			submit(s); /* the harness's chunk ends */
	}
	s->st[SIM_ST_RECORDS] += n;
	return 0;
}

/*
 * End of the trace: the harness submits what is queued (replay's end), then
 * drains (uring_drain): completions already posted are reaped from the ring
 * without a syscall. On ext4 the reads complete inline in the submitting
 * enter; on tmpfs every SQE went to an io-wq worker, which has not posted its
 * completion when the drain looks, so the drain waits in one more enter.
 */
static void uring_finish(struct sim *s)
{
	submit(s);
	sim_io_flush(s, s->o.qd);
	if (reap_mean(s) > 0) {
		/* the drain reaps what is posted without a syscall, and waits while asynchronous SQEs remain */
		s->uring_inflight = s->uring_async;
		s->uring_pending = 0;
		while (s->uring_async)
			submit_wait(s);
		s->uring_inflight = 0;
	} else if (s->f.shmem && s->uring_inflight) {
		submit_wait(s);
	}
}

const struct sim_method_ops sim_acc_uring_ops = {
	.name = "io_uring",
	.method = AN_METHOD_URING,
	.setup = uring_setup,
	.access = uring_access,
	.finish = uring_finish,
};
