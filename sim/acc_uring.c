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
 * enter sleeps for the workers' completions. How many enters the harness
 * needs there depends on when the workers finish (timing), which the model
 * does not predict: it counts one enter per qd SQEs as on ext4, plus the
 * drain's wait at the end (uring_finish).
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
	/* reads that miss the cache (and every O_DIRECT read) wait for the device in parallel,
	   up to qd at a time (sim_io_flush) */
	s->io_defer = s->o.qd > 1 && !s->f.shmem && s->p.c.io_queue > 1;
	return 0;
}

/* io_uring_submit_and_wait(1) on a full ring: everything in flight completes. */
static void submit_wait(struct sim *s)
{
	sys_enter(s, SIM_ST_SYSCALLS_URING);
	sim_cost(s, SIM_C_SYSCALL, s->p.c.uring_wait);
	sim_io_flush(s, s->o.qd);
	if (s->f.shmem) /* the completions come from io-wq workers: the task sleeps for them */
		sim_cost(s, SIM_C_SYSCALL, s->p.c.uring_punt_wait);
	s->uring_pending = 0;
	s->uring_inflight = 0;
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
		if (r[i].op == TRACE_OP_WRITE)
			pc_write(s, r[i].off, r[i].len);
		else if (s->o.direct)
			sim_direct_read(s, r[i].off, r[i].len);
		else
			pc_read(s, &s->f.ra, r[i].off, r[i].len);
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
	if (s->f.shmem && s->uring_inflight)
		submit_wait(s);
}

const struct sim_method_ops sim_acc_uring_ops = {
	.name = "io_uring",
	.method = AN_METHOD_URING,
	.setup = uring_setup,
	.access = uring_access,
	.finish = uring_finish,
};
