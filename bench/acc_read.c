/*
 * bench/acc_read.c — method "read": one pread() per record into a user
 * buffer of the longest record's size, then fold the buffer. When the whole
 * trace is sequential (every record starts where the previous ended) it uses
 * plain read()/write() on the file position instead (lseek once if the first
 * record is not at 0). Writes pwrite() the pattern. Short transfers are
 * continued (same fold, additive); end of file before the record ends is an
 * error naming the offset.
 */
#include "bench/acc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

static int read_open(struct acc_ctx *c)
{
	c->fd = open(c->path, (c->writes ? O_RDWR : O_RDONLY) | O_CLOEXEC);
	if (c->fd < 0) {
		int e = errno;
		snprintf(c->err, sizeof(c->err), "open %s: %s", c->path, strerror(e));
		return -e;
	}
	c->pos = 0;
	c->buf = aligned_alloc(4096, ((size_t)c->maxlen + 4095) & ~(size_t)4095);
	if (!c->buf) {
		snprintf(c->err, sizeof(c->err), "read buffer of %u bytes: out of memory", c->maxlen);
		return -ENOMEM;
	}
	memset(c->buf, 0, c->maxlen); /* fault the buffer in during setup */
	return acc_wbuf_alloc(c);
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

static int read_replay(struct acc_ctx *c, const struct trace_rec *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int e = one(c, &r[i]);
		if (e)
			return e;
	}
	return 0;
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
};
