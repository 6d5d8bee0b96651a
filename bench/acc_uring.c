/*
 * bench/acc_uring.c — method "io_uring" (liburing): reads and writes of the
 * data file through a ring of queue depth qd (case option --qd), each slot
 * owning a buffer of the longest record's size; optional registered file
 * (--reg-files, IOSQE_FIXED_FILE) and registered buffers (--reg-bufs,
 * read/write_fixed). Records are queued in trace order; a completion folds
 * the bytes it brought (the fold is additive, so completion order does not
 * matter) and a short transfer is re-queued for its remainder.
 * Invariant: nfree + in-flight slots == qd; drain() returns with none in flight.
 *
 * io_uring,direct (case option direct): the file is opened O_DIRECT
 * (acc_open_file) and each read record is queued as the 4 KiB-aligned span
 * covering it (acc.h, O_DIRECT) into its page-aligned slot buffer; the
 * record's bytes are folded when the span is complete, the widening is
 * counted in bytes_extra. Write records must be 4 KiB aligned (offset and
 * length): an unaligned one is refused with its offset, since it would need
 * a read-modify-write chain this method does not issue (read,direct does).
 * Without direct, the span is the record itself.
 *
 * --threads N: one ring (and qd slots) per thread, all on the one fd.
 */
#include "bench/acc.h"

#if HAVE_LIBURING
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <stdlib.h>
#include <sys/uio.h>
#include <unistd.h>

#define URING_MAX_BUFFERS (UINT64_C(1) << 30) /* qd × longest record, at most 1 GiB */

struct slot {
	unsigned char *buf; /* slot_bytes bytes */
	uint64_t off;       /* record offset */
	uint32_t len;       /* record length */
	uint64_t aoff;      /* transfer offset: off, or the aligned span's start (direct) */
	uint32_t alen;      /* transfer length: len, or the aligned span's length (direct) */
	uint32_t done;      /* bytes of the transfer done so far */
	uint8_t op;         /* enum trace_op */
};

struct uring {
	struct io_uring ring;  /* the ring */
	int ring_ok;           /* ring initialised */
	unsigned qd;           /* slots */
	struct slot *slots;    /* qd slots */
	unsigned *free;        /* stack of free slot indexes */
	unsigned nfree;        /* entries on the free stack */
	unsigned char *mem;    /* all slot buffers, one allocation */
	size_t slot_bytes;     /* bytes per slot buffer (page multiple) */
	unsigned pending;      /* prepared but not yet submitted SQEs */
};

static int uring_fail(struct acc_ctx *c, const char *what, int err)
{
	snprintf(c->err, sizeof(c->err), "io_uring %s on %s: %s", what, c->path, strerror(-err));
	return err;
}

/* The ring, its slots and buffers over the open c->fd. */
static int ring_setup(struct acc_ctx *c)
{
	const struct an_case_opts *o = c->opts;
	struct uring *u = calloc(1, sizeof(*u));
	int e;

	if (!u)
		return -ENOMEM;
	c->priv = u;
	u->qd = o->qd ? o->qd : 1;
	u->slot_bytes = o->direct ? acc_direct_buf_bytes(c->maxlen)
				  : ((size_t)(c->maxlen ? c->maxlen : 1) + 4095) & ~(size_t)4095;
	if ((uint64_t)u->slot_bytes * u->qd > URING_MAX_BUFFERS) {
		snprintf(c->err, sizeof(c->err),
			 "io_uring buffers: qd %u x %zu bytes exceeds the limit of 1 GiB", u->qd,
			 u->slot_bytes);
		return -E2BIG;
	}
	u->slots = calloc(u->qd, sizeof(*u->slots));
	u->free = calloc(u->qd, sizeof(*u->free));
	u->mem = aligned_alloc(4096, u->slot_bytes * u->qd);
	if (!u->slots || !u->free || !u->mem) {
		snprintf(c->err, sizeof(c->err), "io_uring slots: out of memory");
		return -ENOMEM;
	}
	memset(u->mem, 0, u->slot_bytes * u->qd);
	for (unsigned i = 0; i < u->qd; i++) {
		u->slots[i].buf = u->mem + (size_t)i * u->slot_bytes;
		u->free[i] = u->qd - 1 - i;
	}
	u->nfree = u->qd;
	e = io_uring_queue_init(u->qd, &u->ring, 0);
	if (e < 0)
		return uring_fail(c, "queue_init", e);
	u->ring_ok = 1;
	if (o->reg_files && (e = io_uring_register_files(&u->ring, &c->fd, 1)) < 0)
		return uring_fail(c, "register_files", e);
	if (o->reg_bufs) {
		struct iovec *iov = calloc(u->qd, sizeof(*iov));
		if (!iov)
			return -ENOMEM;
		for (unsigned i = 0; i < u->qd; i++) {
			iov[i].iov_base = u->slots[i].buf;
			iov[i].iov_len = u->slot_bytes;
		}
		e = io_uring_register_buffers(&u->ring, iov, u->qd);
		free(iov);
		if (e < 0)
			return uring_fail(c, "register_buffers", e);
	}
	return 0;
}

static int uring_open(struct acc_ctx *c)
{
	int e = acc_open_file(c);

	return e ? e : ring_setup(c);
}

/* Queue the rest of slot i. Caller guarantees a free SQE (qd SQEs, qd slots). */
static void queue_slot(struct acc_ctx *c, struct uring *u, unsigned i)
{
	const struct an_case_opts *o = c->opts;
	struct slot *s = &u->slots[i];
	struct io_uring_sqe *sqe = io_uring_get_sqe(&u->ring);
	int fd = o->reg_files ? 0 : c->fd;
	unsigned char *p = s->buf + s->done;
	unsigned n = s->alen - s->done;
	uint64_t off = s->aoff + s->done;

	if (s->op == TRACE_OP_READ) {
		if (o->reg_bufs)
			io_uring_prep_read_fixed(sqe, fd, p, n, off, (int)i);
		else
			io_uring_prep_read(sqe, fd, p, n, off);
	} else {
		if (o->reg_bufs)
			io_uring_prep_write_fixed(sqe, fd, p, n, off, (int)i);
		else
			io_uring_prep_write(sqe, fd, p, n, off);
	}
	if (o->reg_files)
		sqe->flags |= IOSQE_FIXED_FILE;
	io_uring_sqe_set_data64(sqe, i);
	u->pending++;
}

/* Handle one completion: fold, finish or re-queue the slot. */
static int complete(struct acc_ctx *c, struct uring *u, struct io_uring_cqe *cqe)
{
	unsigned i = (unsigned)io_uring_cqe_get_data64(cqe);
	struct slot *s = &u->slots[i];
	int res = cqe->res;

	io_uring_cqe_seen(&u->ring, cqe);
	if (res <= 0) {
		snprintf(c->err, sizeof(c->err), "io_uring %s%s %s at offset %llu: %s",
			 s->op == TRACE_OP_READ ? "read" : "write", c->opts->direct ? " (O_DIRECT)" : "",
			 c->path, (unsigned long long)(s->aoff + s->done),
			 res < 0 ? strerror(-res) : "unexpected end of file");
		return res < 0 ? res : -EIO;
	}
	if (c->opts->direct) {
		uint32_t need = (uint32_t)(s->off + s->len - s->aoff); /* span bytes up to the record's end */

		s->done += (uint32_t)res;
		if (s->done < s->alen && s->done < need) {
			queue_slot(c, u, i); /* short transfer: the rest */
			return 0;
		}
		if (s->op == TRACE_OP_READ) {
			c->sum += acc_fold(s->buf + (s->off - s->aoff), s->off, s->len);
			c->bytes_read += s->len;
		} else {
			c->bytes_written += s->len;
		}
		c->bytes_extra += s->done - s->len;
		u->free[u->nfree++] = i;
		return 0;
	}
	if (s->op == TRACE_OP_READ) {
		c->sum += acc_fold(s->buf + s->done, s->off + s->done, (size_t)res);
		c->bytes_read += (uint64_t)res;
	} else {
		c->bytes_written += (uint64_t)res;
	}
	s->done += (uint32_t)res;
	if (s->done < s->len)
		queue_slot(c, u, i); /* short transfer: the rest */
	else
		u->free[u->nfree++] = i;
	return 0;
}

/* Submit what is queued and wait for at least `want` completions, reaping all ready. */
static int reap(struct acc_ctx *c, struct uring *u, unsigned want)
{
	struct io_uring_cqe *cqe;
	int e;

	e = io_uring_submit_and_wait(&u->ring, want);
	if (e < 0 && e != -EINTR)
		return uring_fail(c, "submit_and_wait", e);
	u->pending = 0;
	while (io_uring_peek_cqe(&u->ring, &cqe) == 0) {
		if ((e = complete(c, u, cqe)))
			return e;
	}
	return 0;
}

static int uring_replay(struct acc_ctx *c, const struct trace_rec *r, size_t n)
{
	struct uring *u = c->priv;
	int e;

	for (size_t k = 0; k < n; k++) {
		unsigned i;
		struct slot *s;

		while (!u->nfree)
			if ((e = reap(c, u, 1)))
				return e;
		i = u->free[--u->nfree];
		s = &u->slots[i];
		s->off = s->aoff = r[k].off;
		s->len = s->alen = r[k].len;
		s->done = 0;
		s->op = r[k].op;
		if (c->opts->direct) {
			if (s->op != TRACE_OP_READ && ((s->off | s->len) & (ACC_DIRECT_ALIGN - 1))) {
				snprintf(c->err, sizeof(c->err),
					 "io_uring,direct: write record at offset %llu, %u bytes, is not 4 KiB "
					 "aligned (a read-modify-write is not issued by this method; "
					 "read,direct does it)", (unsigned long long)s->off, s->len);
				u->free[u->nfree++] = i;
				return -EINVAL;
			}
			s->aoff = acc_direct_lo(s->off);
			s->alen = (uint32_t)(acc_direct_hi(s->off + s->len) - s->aoff);
		}
		if (s->op != TRACE_OP_READ)
			acc_pattern_fill(s->buf, s->off, s->len);
		queue_slot(c, u, i);
	}
	if (u->pending && (e = io_uring_submit(&u->ring)) < 0)
		return uring_fail(c, "submit", e);
	u->pending = 0;
	return 0;
}

static int uring_drain(struct acc_ctx *c)
{
	struct uring *u = c->priv;
	int e;

	while (u->nfree < u->qd) {
		struct io_uring_cqe *cqe;
		/* completions already posted are reaped without a syscall; wait only when none is */
		if (io_uring_peek_cqe(&u->ring, &cqe) == 0) {
			if ((e = complete(c, u, cqe)))
				return e;
		} else if ((e = reap(c, u, 1))) {
			return e;
		}
	}
	return 0;
}

static void ring_free(struct acc_ctx *c)
{
	struct uring *u = c->priv;

	if (u) {
		if (u->ring_ok)
			io_uring_queue_exit(&u->ring);
		free(u->slots);
		free(u->free);
		free(u->mem);
		free(u);
	}
	c->priv = NULL;
}

static void uring_close(struct acc_ctx *c)
{
	ring_free(c);
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

/* --threads: one ring per thread over the shared fd. */
static int uring_thread_open(struct acc_ctx *t, const struct acc_ctx *c)
{
	t->fd = c->fd;
	return ring_setup(t);
}

static void uring_thread_close(struct acc_ctx *t)
{
	ring_free(t);
	t->fd = -1; /* the main context's: closed there */
}

const struct acc_ops acc_uring_ops = {
	.name = "io_uring",
	.method = AN_METHOD_URING,
	.needs_file = 1,
	.open = uring_open,
	.replay = uring_replay,
	.drain = uring_drain,
	.close = uring_close,
	.thread_open = uring_thread_open,
	.thread_close = uring_thread_close,
};
#endif /* HAVE_LIBURING */
