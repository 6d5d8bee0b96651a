/*
 * bench/acc_fread.c — method "fread": stdio over the data file, with glibc's
 * default buffer or setvbuf(bufsize) (case option --bufsize). One fread() per
 * read record into a user buffer, then fold it; fwrite() of the pattern per
 * write record. fseek() only when the record's offset differs from the
 * stream position, or when the op switches between read and write (ISO C
 * requires a positioning call there). Invariant: pos is the stream position.
 */
#include "bench/acc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

static int fread_open(struct acc_ctx *c)
{
	const struct an_case_opts *o = c->opts;

	c->fp = fopen(c->path, c->writes ? "r+e" : "re");
	if (!c->fp) {
		int e = errno;
		snprintf(c->err, sizeof(c->err), "fopen %s: %s", c->path, strerror(e));
		return -e;
	}
	/*
	 * glibc's setvbuf(fp, NULL, _IOFBF, size) ignores size and allocates the
	 * default buffer (st_blksize), so the buffer of --bufsize is ours, kept in
	 * c->priv until after fclose.
	 */
	if (o->bufsize && !(c->priv = malloc((size_t)o->bufsize))) {
		snprintf(c->err, sizeof(c->err), "stdio buffer of %llu bytes: out of memory",
			 (unsigned long long)o->bufsize);
		return -ENOMEM;
	}
	if (o->bufsize && setvbuf(c->fp, c->priv, _IOFBF, (size_t)o->bufsize)) {
		snprintf(c->err, sizeof(c->err), "setvbuf %llu bytes on %s: failed",
			 (unsigned long long)o->bufsize, c->path);
		return -ENOMEM;
	}
	c->pos = 0;
	c->last_op = -1;
	c->buf = malloc(c->maxlen ? c->maxlen : 1);
	if (!c->buf) {
		snprintf(c->err, sizeof(c->err), "fread buffer of %u bytes: out of memory", c->maxlen);
		return -ENOMEM;
	}
	memset(c->buf, 0, c->maxlen);
	return acc_wbuf_alloc(c);
}

static int fread_replay(struct acc_ctx *c, const struct trace_rec *r, size_t n)
{
	FILE *fp = c->fp;
	unsigned char *buf = c->buf;
	uint64_t sum = c->sum, pos = c->pos;

	for (size_t i = 0; i < n; i++) {
		int rd = r[i].op == TRACE_OP_READ;

		if (r[i].off != pos || (c->last_op >= 0 && c->last_op != r[i].op)) {
			if (fseeko(fp, (off_t)r[i].off, SEEK_SET)) {
				int e = errno;
				snprintf(c->err, sizeof(c->err), "fseek %s to %llu: %s", c->path,
					 (unsigned long long)r[i].off, strerror(e));
				return -e;
			}
		}
		c->last_op = r[i].op;
		if (rd) {
			if (fread(buf, 1, r[i].len, fp) != r[i].len) {
				snprintf(c->err, sizeof(c->err), "fread %s at %llu, %u bytes: %s", c->path,
					 (unsigned long long)r[i].off, r[i].len,
					 ferror(fp) ? strerror(errno) : "unexpected end of file");
				return -EIO;
			}
			sum += acc_fold(buf, r[i].off, r[i].len);
			c->bytes_read += r[i].len;
		} else {
			acc_pattern_fill(c->wbuf, r[i].off, r[i].len);
			if (fwrite(c->wbuf, 1, r[i].len, fp) != r[i].len) {
				snprintf(c->err, sizeof(c->err), "fwrite %s at %llu, %u bytes: %s", c->path,
					 (unsigned long long)r[i].off, r[i].len, strerror(errno));
				return -EIO;
			}
			c->bytes_written += r[i].len;
		}
		pos = r[i].off + r[i].len;
	}
	c->sum = sum;
	c->pos = pos;
	return 0;
}

/* Flush pending writes inside the access phase (they are part of the work). */
static int fread_drain(struct acc_ctx *c)
{
	if (c->fp && c->writes && fflush(c->fp)) {
		snprintf(c->err, sizeof(c->err), "fflush %s: %s", c->path, strerror(errno));
		return -EIO;
	}
	return 0;
}

static void fread_close(struct acc_ctx *c)
{
	if (c->fp)
		fclose(c->fp);
	c->fp = NULL;
	free(c->priv); /* the setvbuf buffer, after fclose */
	c->priv = NULL;
	free(c->buf);
	c->buf = NULL;
	free(c->wbuf);
	c->wbuf = NULL;
}

const struct acc_ops acc_fread_ops = {
	.name = "fread",
	.method = AN_METHOD_FREAD,
	.needs_file = 1,
	.open = fread_open,
	.replay = fread_replay,
	.drain = fread_drain,
	.close = fread_close,
	.no_threads = "fread keeps one FILE (one stdio buffer, one position) per stream; one FILE per "
		      "thread would be a different program (N buffers, N readahead windows); use read",
};
