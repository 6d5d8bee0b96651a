/*
 * bench/acc_read.c — method "read": one pread() per record into a user
 * buffer of the longest record's size, then fold the buffer. When the whole
 * trace is sequential (every record starts where the previous ended) it uses
 * plain read()/write() on the file position instead (lseek once if the first
 * record is not at 0). Writes pwrite() the pattern. Short transfers are
 * continued (same fold, additive); end of file before the record ends is an
 * error naming the offset.
 *
 * read,direct (case option direct): the file is opened O_DIRECT
 * (acc_open_file: refused on tmpfs, EINVAL named with the file system) and
 * every record is one pread() of the 4 KiB-aligned span covering it (acc.h,
 * O_DIRECT), into a page-aligned buffer; the record's own bytes are folded,
 * the widening counted in bytes_extra. Sequential traces use pread too (no
 * file position to keep aligned). A write record is one pwrite() of its span:
 * when the record does not cover the span's first or last block entirely,
 * the span is first read (read-modify-write, counted in bytes_extra as
 * well), as a program doing O_DIRECT writes of unaligned records must.
 * O_DIRECT bypasses the page cache whatever the cache state: with a warm
 * cache the reads still go to the device (after the kernel wrote back any
 * dirty pages of the range).
 *
 * --threads N: every thread preads/pwrites on the one fd (positioned I/O, so
 * no shared file position; a sequential trace also uses pread then) into its
 * own buffers.
 */
#include "bench/acc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

static int read_bufs(struct acc_ctx *c);

static int read_open(struct acc_ctx *c)
{
	int e = acc_open_file(c);

	if (e)
		return e;
	c->pos = 0;
	return read_bufs(c);
}

/* The user buffer (page aligned; O_DIRECT: room for a widened span) and the write buffer. */
static int read_bufs(struct acc_ctx *c)
{
	size_t bytes = c->opts->direct ? acc_direct_buf_bytes(c->maxlen)
				       : ((size_t)c->maxlen + 4095) & ~(size_t)4095;
	void *p = NULL;

	if (posix_memalign(&p, (size_t)ACC_DIRECT_ALIGN, bytes ? bytes : 4096)) {
		snprintf(c->err, sizeof(c->err), "read buffer of %zu bytes: out of memory", bytes);
		return -ENOMEM;
	}
	c->buf = p;
	memset(c->buf, 0, bytes); /* fault the buffer in during setup */
	return c->opts->direct ? 0 : acc_wbuf_alloc(c);
}

static int io_fail(struct acc_ctx *c, const char *call, uint64_t off, ssize_t got)
{
	int e = got < 0 ? errno : EIO;

	snprintf(c->err, sizeof(c->err), "%s %s at offset %llu: %s", call, c->path,
		 (unsigned long long)off, got < 0 ? strerror(e) : "unexpected end of file");
	return -e;
}

/* Transfer one record entirely, continuing short transfers. */
static int one(struct acc_ctx *c, const struct trace_rec *r)
{
	int rd = r->op == TRACE_OP_READ;
	size_t done = 0;

	if (c->sequential && c->pos != r->off) {
		if (lseek(c->fd, (off_t)r->off, SEEK_SET) < 0)
			return io_fail(c, "lseek", r->off, -1);
		c->pos = r->off;
	}
	if (!rd)
		acc_pattern_fill(c->wbuf, r->off, r->len);
	while (done < r->len) {
		ssize_t k;
		uint64_t off = r->off + done;

		if (c->sequential)
			k = rd ? read(c->fd, c->buf + done, r->len - done)
			       : write(c->fd, c->wbuf + done, r->len - done);
		else
			k = rd ? pread(c->fd, c->buf + done, r->len - done, (off_t)off)
			       : pwrite(c->fd, c->wbuf + done, r->len - done, (off_t)off);
		if (k <= 0) {
			if (k < 0 && errno == EINTR)
				continue;
			return io_fail(c, c->sequential ? (rd ? "read" : "write")
							: (rd ? "pread" : "pwrite"), off, k);
		}
		done += (size_t)k;
	}
	if (c->sequential)
		c->pos = r->off + r->len;
	if (rd) {
		c->sum += acc_fold(c->buf, r->off, r->len);
		c->bytes_read += r->len;
	} else {
		c->bytes_written += r->len;
	}
	return 0;
}

/* pread (rd) or pwrite all of buf[0..len) at aligned off, continuing short transfers. */
static int span_io(struct acc_ctx *c, int rd, unsigned char *buf, size_t len, uint64_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t k = rd ? pread(c->fd, buf + done, len - done, (off_t)(off + done))
			       : pwrite(c->fd, buf + done, len - done, (off_t)(off + done));
		if (k <= 0) {
			if (k < 0 && errno == EINTR)
				continue;
			/* a span may end past end of file: the bytes up to EOF are all there are */
			if (k == 0 && rd && done)
				break;
			return io_fail(c, rd ? "pread (O_DIRECT)" : "pwrite (O_DIRECT)", off + done, k);
		}
		done += (size_t)k;
		if (rd && done < len && (done & (ACC_DIRECT_ALIGN - 1)))
			break; /* short at end of file: nothing more to read */
	}
	return 0;
}

/* One record through O_DIRECT: the aligned span that covers it (file comment). */
static int one_direct(struct acc_ctx *c, const struct trace_rec *r)
{
	uint64_t lo = acc_direct_lo(r->off), end = r->off + r->len, hi = acc_direct_hi(end);
	size_t span = (size_t)(hi - lo), head = (size_t)(r->off - lo);
	int e;

	if (r->op == TRACE_OP_READ) {
		/* zero the record's bytes first: a span cut short by EOF must not fold stale data */
		memset(c->buf + head, 0, r->len);
		if ((e = span_io(c, 1, c->buf, span, lo)))
			return e;
		c->sum += acc_fold(c->buf + head, r->off, r->len);
		c->bytes_read += r->len;
		c->bytes_extra += span - r->len;
		return 0;
	}
	if (head || (end & (ACC_DIRECT_ALIGN - 1))) { /* partial edge block: read-modify-write */
		if ((e = span_io(c, 1, c->buf, span, lo)))
			return e;
		c->bytes_extra += span;
	}
	if (hi > c->region) { /* a full last block would extend the file past the region */
		snprintf(c->err, sizeof(c->err),
			 "pwrite (O_DIRECT) %s at offset %llu: the record ends in the file's last, partial "
			 "block (region %llu bytes, not a multiple of 4 KiB): O_DIRECT cannot write it "
			 "without extending the file", c->path, (unsigned long long)r->off,
			 (unsigned long long)c->region);
		return -EINVAL;
	}
	acc_pattern_fill(c->buf + head, r->off, r->len);
	if ((e = span_io(c, 0, c->buf, span, lo)))
		return e;
	c->bytes_written += r->len;
	c->bytes_extra += span - r->len;
	return 0;
}

static int read_replay(struct acc_ctx *c, const struct trace_rec *r, size_t n)
{
	int (*rec)(struct acc_ctx *, const struct trace_rec *) = c->opts->direct ? one_direct : one;

	for (size_t i = 0; i < n; i++) {
		int e = rec(c, &r[i]);
		if (e)
			return e;
	}
	return 0;
}

/* --threads: the shared fd, own buffers; positioned I/O only (no shared file position). */
static int read_thread_open(struct acc_ctx *t, const struct acc_ctx *c)
{
	t->fd = c->fd;
	t->sequential = 0;
	return read_bufs(t);
}

static void read_thread_close(struct acc_ctx *t)
{
	t->fd = -1; /* the main context's: closed there */
	free(t->buf);
	t->buf = NULL;
	free(t->wbuf);
	t->wbuf = NULL;
}

static void read_close(struct acc_ctx *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	free(c->buf);
	c->buf = NULL;
	free(c->wbuf);
	c->wbuf = NULL;
}

const struct acc_ops acc_read_ops = {
	.name = "read",
	.method = AN_METHOD_READ,
	.needs_file = 1,
	.open = read_open,
	.replay = read_replay,
	.close = read_close,
	.thread_open = read_thread_open,
	.thread_close = read_thread_close,
};
