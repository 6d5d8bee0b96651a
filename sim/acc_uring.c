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
 * --threads N: one ring per thread (struct uring_ring: its SQEs, enters,
 * reaps and deferred waits), as the harness's thread_open makes them, over
 * the one file (shared page cache, readahead state, memory cgroup) and the
 * one device (uring_setup states the rule). Each thread replays its share in
 * one call and drains its ring at the end (bench/threads.c), so no chunk-end
 * enter; its times are its own CPU's clock (sim_now). The rounds replay one
 * record per thread, and the rings' batches join the device's queue in that
 * order, not sorted by their threads' clocks.
 */
#include "sim/sim_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

/* Records per timed chunk of the harness (bench/bench.h BENCH_CHUNK_RECS, 256 KiB of records). */
#define SIM_HARNESS_CHUNK_RECS 16384u

#define MIN_U64(a, b) ((a) < (b) ? (a) : (b))

/*
 * One ring per thread (the harness's thread_open: its own ring and qd slots
 * over the shared fd), all on one device. The device serves min(cost.io_queue,
 * requests that can be in flight) at once, shared by every ring: N rings of
 * qd give P = min(io_queue, N x qd), not N x min(io_queue, qd). It is the
 * rule sim_thread_times applies to blocking threads (N threads' waits are
 * served min(N, cost.io_threads) at a time): what the threads can have in
 * flight together against one device's parallelism, measured for a queue
 * (io_queue: one ring of 32) or for blocking threads (io_threads). The
 * batches of all rings queue on one timeline (uring_dev_free) in the order
 * the replay submits them, each at its own thread's clock (sim_now).
 */
static int uring_setup(struct sim *s, char *err, size_t errlen)
{
	double inflight = (double)s->nthr * s->o.qd;

	if (!(s->rings = calloc(s->nthr, sizeof(*s->rings)))) {
		snprintf(err, errlen, "io_uring: out of memory for %u rings", s->nthr);
		return -ENOMEM;
	}
	s->ur = &s->rings[0];
	s->uring_async_waits = 0;
	/* reads that miss the cache (and every O_DIRECT read) wait for the device in parallel,
	   up to qd at a time (sim_io_flush) */
	s->io_defer = s->o.qd > 1 && !s->f.shmem && s->p.c.io_queue > 1;
	if (s->io_defer) {
		s->uring_par = s->p.c.io_queue < inflight ? s->p.c.io_queue : inflight;
		s->uring_dev_free = 0;
		s->uring_dd_pos = UINT64_MAX;
		for (unsigned t = 0; t < s->nthr; t++) {
			struct uring_ring *r = &s->rings[t];
			size_t q = s->o.qd;
			uint64_t *m = calloc(q * 3 + q * 4 * 2, sizeof(*m));
			if (!m || !(r->b = calloc(q, sizeof(*r->b)))) {
				free(m);
				snprintf(err, errlen, "io_uring: out of memory for %u device batches", s->o.qd);
				return -ENOMEM;
			}
			r->miss_page = m;
			r->miss_end = m + q;
			r->end_ring = m + 2 * q;
			r->fly = (uint64_t(*)[2])(m + 3 * q);
			r->fly_cap = (unsigned)(4 * q);
		}
	}
	return 0;
}

/*
 * Threads > 1: make the replaying thread's ring the current one. The
 * deferred device waits (sim_io_wait, sim_direct_read) accumulate in struct
 * sim until the ring submits them: they go with the ring.
 */
static void ring_select(struct sim *s)
{
	struct uring_ring *r = &s->rings[s->cur];

	if (s->ur == r)
		return;
	s->ur->io_deferred = s->io_deferred;
	s->ur->io_deferred_n = s->io_deferred_n;
	s->ur = r;
	s->io_deferred = r->io_deferred;
	s->io_deferred_n = r->io_deferred_n;
}

/*
 * The profile's mean asynchronous completions per waiting enter, 0: all.
 * On tmpfs with cost.uring_punt_wake: the io-wq workers post one SQE per
 * (model) cycles-per-SQE so far, and the enter, woken by the first, reaps
 * what they posted by the time it runs: wake / cycles-per-SQE, at least 1.
 * (Intel Xeon guest, cached tmpfs 64 MiB, qd 32, 4096 reads: 1 KiB to 64 KiB
 * reads took 0.9 to 11.8 us each and a waiting enter reaped 16.5 to 1.1, a
 * product of 10.4 to 15.4 us.)
 */
static double reap_mean(const struct sim *s)
{
	if (!s->f.shmem)
		return s->p.c.uring_reap_io;
	if (s->p.c.uring_punt_wake && s->ur->sqes) {
		double per = (double)sim_now(s) / (double)s->ur->sqes;
		double m = per > 0 ? s->p.c.uring_punt_wake / per : s->o.qd;
		return m < 1 ? 1 : m;
	}
	return s->p.c.uring_reap_punt;
}

/* Completions of a sleeping enter: the profile's mean m (thousandths carried), 1 to `avail`. */
static unsigned reap_take(struct sim *s, double m, unsigned avail)
{
	uint64_t k;

	if (m <= 0)
		return avail;
	s->ur->reap_acc += (uint64_t)(m * 1000 + 0.5);
	k = s->ur->reap_acc / 1000;
	k = k < 1 ? 1 : k > avail ? avail : k;
	s->ur->reap_acc -= MIN_U64(s->ur->reap_acc, k * 1000);
	return (unsigned)k;
}

/*
 * The order in which a batch's reads complete, and so the order in which
 * their retries (task work) set the file's prev_pos: the order the elevator
 * dispatches them in. This host's virtio disk runs mq-deadline
 * (block/mq-deadline.c __dd_dispatch_request): the first request at or after
 * the position where the last dispatched one ended, in sector order; none
 * there, the oldest (FIFO); so one sweep up from the position, then up again
 * from the oldest (kernel.io_sched; any other scheduler: submission order).
 * The file's pages stand for its sectors (one extent). A
 * read that waits on another's locked pages is woken with it (same page,
 * taken in submission order). (Measured on the Intel Xeon guest with
 * block:block_rq_issue and readahead:page_cache_sync_ra: in the first batch
 * of the zipf qd 32 cold case, 29 requests went out as pages 26 38 53 ...
 * 17353, then 2-3 6-7 12 15 20, and the next batch's misses saw prev_pos at
 * the end of page 20.)
 */
static void dd_order(struct sim *s, struct uring_batch *b)
{
	struct uring_ring *r = s->ur;
	uint64_t *pg = r->miss_page, pos = s->uring_dd_pos;
	int sorted = s->p.k.io_sched == SIM_IOSCHED_MQ_DEADLINE;

	b->first = r->end_tail;
	for (unsigned k = 0; k < b->total; k++) {
		unsigned best = b->total;
		for (unsigned i = 0; sorted && i < b->total; i++)
			if (pg[i] != UINT64_MAX && pg[i] >= pos && (best == b->total || pg[i] < pg[best]))
				best = i;
		if (best == b->total) /* nothing at or above the position: the oldest */
			for (best = 0; pg[best] == UINT64_MAX; best++)
				;
		r->end_ring[(b->first + k) % s->o.qd] = r->miss_end[best];
		pos = pg[best];
		pg[best] = UINT64_MAX;
	}
	r->end_tail = (b->first + b->total) % s->o.qd;
	if (b->total)
		s->uring_dd_pos = pos + 1;
}

/*
 * Pages being read for a pending or in-flight SQE are locked: a read that
 * needs one cannot complete inline (IOCB_NOWAIT finds the folio locked) and
 * completes when it is unlocked. The ring of ranges: those of the submitted
 * batches (dropped when a batch is reaped), then those of the pending SQEs.
 */
void sim_uring_added(struct sim *s, uint64_t head, uint64_t n)
{
	struct uring_ring *r = s->uring_track;
	uint64_t (*last)[2] = r->fly_pend ? &r->fly[(r->fly_head + r->fly_n - 1) % r->fly_cap] : NULL;

	if (last && (*last)[1] == head) {
		(*last)[1] = head + n;
	} else if (r->fly_n < r->fly_cap) {
		uint64_t (*f)[2] = &r->fly[(r->fly_head + r->fly_n) % r->fly_cap];
		(*f)[0] = head;
		(*f)[1] = head + n;
		r->fly_n++;
		r->fly_pend++;
	} else if (last) { /* full: the pending SQEs' last range grows to cover it */
		(*last)[0] = MIN_U64((*last)[0], head);
		(*last)[1] = (*last)[1] > head + n ? (*last)[1] : head + n;
	}
}

static int fly_locked(const struct uring_ring *r, uint64_t p0, uint64_t p1)
{
	for (unsigned i = 0; i < r->fly_n; i++) {
		const uint64_t *f = r->fly[(r->fly_head + i) % r->fly_cap];
		if (p0 < f[1] && p1 >= f[0])
			return 1;
	}
	return 0;
}

/*
 * Device batches (cold reads with qd > 1 and cost.io_queue > 1): the device
 * serves P = min(cost.io_queue, qd) requests at once, as calibrate measures
 * it (32 reads at once take 32/P single waits): a batch of n waits of mean w
 * occupies it for n w / P from when it is free (or now), and completes then,
 * but not before one whole wait w has passed. Batches submitted while
 * earlier ones are in service queue behind them. A batch's completions are
 * posted together when its last read is done (this virtio device: a
 * waiting enter of calibrate's cold probe reaps all 32). Meanwhile the task goes on: an enter
 * sleeps only when nothing it could reap is posted.
 */
static void dev_submit(struct sim *s)
{
	uint64_t n = s->io_deferred_n ? s->io_deferred_n : 1, now = sim_now(s);
	uint64_t w = s->io_deferred / n, start;
	struct uring_batch *b;

	if (!s->ur->pend_async) { /* no SQE waits: the pending ranges (asynchronous readahead) are let go */
		s->ur->fly_n -= s->ur->fly_pend;
		s->ur->fly_pend = 0;
		return;
	}
	b = &s->ur->b[(s->ur->bh + s->ur->bn++) % s->o.qd];
	b->n = b->total = s->ur->pend_async;
	b->nfly = s->ur->fly_pend;
	s->ur->fly_pend = 0;
	dd_order(s, b);
	start = s->uring_dev_free > now ? s->uring_dev_free : now;
	s->uring_dev_free = start + (uint64_t)((double)s->io_deferred / s->uring_par);
	b->done = start + w > s->uring_dev_free ? start + w : s->uring_dev_free;
	s->ur->pend_async = 0;
	s->io_deferred = 0;
	s->io_deferred_n = 0;
}

/* Reap up to `max` completions of the batches done by model time `now`. */
static unsigned dev_reap(struct sim *s, uint64_t now, unsigned max)
{
	unsigned got = 0;

	while (s->ur->bn && got < max) {
		struct uring_batch *b = &s->ur->b[s->ur->bh];
		unsigned k;
		if (b->done > now)
			break;
		k = b->n < max - got ? b->n : max - got;
		if (k) /* the last of them to complete sets prev_pos (filemap_read of its retry) */
			s->f.ra.prev_pos =
				(int64_t)s->ur->end_ring[(b->first + b->total - b->n + k - 1) % s->o.qd];
		b->n -= k;
		got += k;
		if (!b->n) { /* its pages are read: unlocked */
			s->ur->fly_head = (s->ur->fly_head + b->nfly) % s->ur->fly_cap;
			s->ur->fly_n -= b->nfly;
			s->ur->bh = (s->ur->bh + 1) % s->o.qd;
			s->ur->bn--;
		}
	}
	return got;
}

/*
 * A waiting enter with device batches: the inline completions and the
 * batches done by now are posted (task work run by the enter) and reaped;
 * with none, the task sleeps until the device has completed everything in
 * flight (this device completes in bursts: calibrate's cold probe reaps all
 * 32 per waiting enter at qd 32; the wait is charged as device time) and
 * reaps it, at most the profile's mean uring_reap_io (0: no cap).
 */
static unsigned dev_wait(struct sim *s, unsigned inl)
{
	uint64_t now = sim_now(s), done = 0;
	unsigned got = dev_reap(s, now, UINT32_MAX);

	if (!inl && !got && s->ur->bn) {
		for (unsigned i = 0; i < s->ur->bn; i++) {
			uint64_t d = s->ur->b[(s->ur->bh + i) % s->o.qd].done;
			done = d > done ? d : done;
		}
		sim_cost(s, SIM_C_IO, done - now);
		if (s->counting) /* threads: this wait already shares the device (see uring_setup) */
			s->io_timeline += done - now;
		got = dev_reap(s, done, reap_take(s, s->p.c.uring_reap_io, s->ur->async));
		s->uring_async_waits++;
	} else if (!inl && !got) {
		got = s->ur->async; /* not reached: every device SQE is in a batch */
	}
	return got;
}

/*
 * io_uring_submit_and_wait(1): the queued SQEs are submitted, the inline
 * ones have completed; of the asynchronous ones, device batches as above,
 * else all (reap_mean 0) or the profile's mean number (at least 1: the
 * enter waits for one) are posted when the task wakes and reaps.
 */
static void submit_wait(struct sim *s)
{
	unsigned async = s->ur->async, got = async;
	unsigned inl = s->ur->pending + s->ur->inflight - async;
	double m = reap_mean(s);

	sys_enter(s, SIM_ST_SYSCALLS_URING);
	sim_cost(s, SIM_C_SYSCALL, s->p.c.uring_wait);
	if (s->ur->b) {
		dev_submit(s);
		got = dev_wait(s, inl);
	} else {
		sim_io_flush(s, s->o.qd);
		if (m > 0 && async) {
			/*
			 * Inline completions posted: the enter returns without sleeping and
			 * reaps those (and no asynchronous one: they are the workers' or the
			 * device's, not yet in). None: it sleeps until the first
			 * asynchronous completion and reaps the batch posted by then.
			 */
			got = inl ? 0 : reap_take(s, m, async);
			s->uring_async_waits++;
		}
		if (s->f.shmem) /* io-wq completions: the sleep as calibrate measured it, per qd SQEs */
			sim_cost(s, SIM_C_SYSCALL, m > 0 ? (uint64_t)s->p.c.uring_punt_wait * got / s->o.qd
							 : s->p.c.uring_punt_wait);
	}
	s->ur->pending = 0;
	s->ur->inflight = async - got;
	s->ur->async = async - got;
}

/* io_uring_submit (no wait): at a chunk end and at the end of the trace. */
static void submit(struct sim *s)
{
	if (!s->ur->pending)
		return;
	sys_enter(s, SIM_ST_SYSCALLS_URING);
	s->ur->inflight += s->ur->pending;
	s->ur->pending = 0;
	if (s->ur->b)
		dev_submit(s);
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
	if (s->nthr > 1)
		ring_select(s);
	for (size_t i = 0; i < n; i++) {
		if (s->ur->pending + s->ur->inflight >= s->o.qd)
			submit_wait(s); /* no free slot */
		s->cyc[SIM_C_SYSCALL] += sqe;
		uint64_t waits = s->st[SIM_ST_IO_WAITS];
		int64_t prev_pos = s->f.ra.prev_pos;
		int track = s->ur->b && !s->o.direct && r[i].op != TRACE_OP_WRITE && r[i].len;
		uint64_t p0 = r[i].off / SIM_PAGE, p1 = (r[i].off + r[i].len - (r[i].len != 0)) / SIM_PAGE;
		/* pages a pending or in-flight SQE is reading: locked, the read completes with theirs */
		int locked = track && fly_locked(s->ur, p0, p1);
		s->uring_track = track ? s->ur : NULL;
		if (r[i].op == TRACE_OP_WRITE)
			pc_write(s, r[i].off, r[i].len);
		else if (s->o.direct)
			sim_direct_read(s, r[i].off, r[i].len);
		else
			pc_read(s, &s->f.ra, r[i].off, r[i].len);
		s->uring_track = NULL;
		/* punted (tmpfs), or a read that waits for the device: completes asynchronously */
		int dev = r[i].op != TRACE_OP_WRITE && (s->st[SIM_ST_IO_WAITS] != waits || locked);
		if (dev && s->ur->b) {
			/*
			 * Its IOCB_NOWAIT attempt returned -EAGAIN, leaving prev_pos as it
			 * was; the retry after the device's completion sets it (dev_reap).
			 */
			s->ur->miss_page[s->ur->pend_async] = p0;
			s->ur->miss_end[s->ur->pend_async] = (uint64_t)s->f.ra.prev_pos;
			s->f.ra.prev_pos = prev_pos;
		}
		s->ur->async += s->f.shmem || dev;
		s->ur->pend_async += dev && s->ur->b;
		s->st[SIM_ST_BYTES] += r[i].len;
		if (s->o.direct) /* DMA into the (cache-resident, reused) buffer: the fold only */
			s->cyc[SIM_C_USER] += s->p.c.user_access + r[i].len * s->p.c.fold_mcyc_per_byte / 1000;
		else
			sim_user_bytes(s, r[i].off, r[i].len);
		s->ur->pending++;
		s->ur->sqes += s->counting != 0;
		/* the harness's chunk ends (its threads replay their whole share in one call: none) */
		if (++s->ur->recs % SIM_HARNESS_CHUNK_RECS == 0 && s->nthr == 1)
			submit(s);
	}
	s->st[SIM_ST_RECORDS] += n;
	return 0;
}

/*
 * End of the trace: the harness submits what is queued (replay's end), then
 * drains (uring_drain): completions already posted are reaped from the ring
 * without a syscall; it waits in an enter while none is and SQEs remain. On
 * ext4 the cached reads complete inline in the submitting enter; on tmpfs
 * every SQE went to an io-wq worker, which has not posted its completion
 * when the drain looks, so the drain waits in one more enter.
 */
static void uring_finish(struct sim *s)
{
	if (s->nthr > 1) /* called once per thread, each on its own ring (sim_finish) */
		ring_select(s);
	submit(s);
	if (s->ur->b) {
		s->ur->async -= dev_reap(s, sim_now(s), UINT32_MAX);
		s->ur->inflight = s->ur->async;
		while (s->ur->async)
			submit_wait(s);
		return;
	}
	sim_io_flush(s, s->o.qd);
	if (reap_mean(s) > 0) {
		/* the drain reaps what is posted without a syscall, and waits while asynchronous SQEs remain */
		s->ur->inflight = s->ur->async;
		s->ur->pending = 0;
		while (s->ur->async)
			submit_wait(s);
		s->ur->inflight = 0;
	} else if (s->f.shmem && s->ur->inflight) {
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
