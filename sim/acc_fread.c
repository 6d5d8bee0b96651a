/*
 * sim/acc_fread.c — model twin of the harness's fread method, and the glibc
 * stdio read rules it needs (libio/filedoalloc.c _IO_file_doallocate,
 * libio/fileops.c _IO_file_xsgetn and _IO_new_file_seekoff):
 *  - buffer = setvbuf size, else st_blksize if 0 < st_blksize < 8192, else 8192;
 *  - a request the buffer cannot satisfy: drain the buffer; if what is still
 *    wanted is smaller than the buffer, refill it with one read() of a whole
 *    buffer; else read() directly into the user buffer a whole number of
 *    buffers (when the buffer is >= 128 bytes), then continue;
 *  - fseek (the harness calls it only when the offset jumps): a target inside
 *    the buffer keeps it (one lseek to resync); else lseek to the target
 *    rounded down to the buffer size and, if the target is not on that
 *    boundary, one read() filling the buffer (only up to the target when the
 *    buffer was empty).
 * Write records go through pwrite64() (the harness's stdio path reads only).
 */
#include "sim/sim_int.h"

uint64_t stdio_buffer_size(uint64_t setvbuf_size, uint64_t st_blksize)
{
	if (setvbuf_size)
		return setvbuf_size;
	return st_blksize > 0 && st_blksize < 8192 ? st_blksize : 8192;
}

void stdio_init(struct stdio *io, uint64_t bufsize)
{
	io->bufsize = bufsize;
	io->pos = io->rbase = io->rend = io->koff = 0;
	io->eof = 0;
}

uint64_t stdio_fread(struct stdio *io, uint64_t n, stdio_read_fn rd, void *ctx,
		     uint64_t *user_copy)
{
	uint64_t want = n, got = 0;

	while (want > 0) {
		uint64_t have = io->pos >= io->rbase && io->pos < io->rend ? io->rend - io->pos : 0;
		if (want <= have) {
			*user_copy += want;
			io->pos += want;
			got += want;
			break;
		}
		*user_copy += have;
		io->pos += have;
		got += have;
		want -= have;
		if (want < io->bufsize) { /* __underflow: refill the whole buffer */
			uint64_t r = rd(ctx, io->pos, io->bufsize);
			io->rbase = io->pos;
			io->rend = io->pos + r;
			io->koff = io->rend;
			if (!r) {
				io->eof = 1;
				break;
			}
			continue;
		}
		uint64_t count = want;
		if (io->bufsize >= 128)
			count -= want % io->bufsize;
		io->rbase = io->rend = io->pos; /* buffer emptied before the direct read */
		uint64_t r = rd(ctx, io->pos, count);
		if (!r) {
			io->eof = 1;
			break;
		}
		io->pos += r;
		io->koff = io->pos;
		io->rbase = io->rend = io->pos;
		got += r;
		want -= r;
	}
	return got;
}

void stdio_fseek(struct stdio *io, uint64_t off, stdio_read_fn rd, void *ctx, uint64_t *lseeks)
{
	uint64_t newoff, delta;
	int empty = io->rbase == io->rend;

	io->eof = 0;
	if (!empty && off >= io->rbase && off < io->rend) {
		io->pos = off; /* inside the buffer: keep it, resync the kernel offset */
		(*lseeks)++;
		return;
	}
	newoff = off & ~(io->bufsize - 1);
	delta = off - newoff;
	if (delta > io->bufsize) {
		newoff = off;
		delta = 0;
	}
	(*lseeks)++;
	io->koff = newoff;
	io->rbase = io->rend = io->pos = newoff;
	if (delta == 0)
		return;
	uint64_t r = rd(ctx, newoff, empty ? delta : io->bufsize);
	io->rend = newoff + r;
	io->koff = io->rend;
	io->pos = off;
}

/* read() through the model: syscall + filemap_read. */
static uint64_t model_read(void *ctx, uint64_t off, uint64_t n)
{
	struct sim *s = ctx;

	sys_enter(s, SIM_ST_SYSCALLS_READ);
	return pc_read(s, &s->f.ra, off, n);
}

static int fread_setup(struct sim *s, char *err, size_t errlen)
{
	uint64_t blk = s->f.shmem ? s->p.k.tmpfs_st_blksize : s->p.k.st_blksize;

	(void)err;
	(void)errlen;
	stdio_init(&s->io, stdio_buffer_size(s->o.bufsize, blk));
	s->io.allocated = s->o.bufsize != 0; /* setvbuf with our buffer: no doallocate */
	return 0;
}

static int fread_access(struct sim *s, const struct trace_rec *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t ucopy = 0, lseeks = 0;
		if (r[i].op == TRACE_OP_WRITE) {
			sys_enter(s, SIM_ST_SYSCALLS_WRITE);
			pc_write(s, r[i].off, r[i].len);
		} else {
			if (!s->io.allocated) { /* first stdio op: _IO_file_doallocate's fstat */
				sys_enter(s, SIM_ST_SYSCALLS_FSTAT);
				s->io.allocated = 1;
			}
			if (r[i].off != s->io.pos) {
				stdio_fseek(&s->io, r[i].off, model_read, s, &lseeks);
				for (uint64_t k = 0; k < lseeks; k++)
					sys_enter(s, SIM_ST_SYSCALLS_LSEEK);
			}
			stdio_fread(&s->io, r[i].len, model_read, s, &ucopy);
			s->cyc[SIM_C_SYSCALL] += s->p.c.stdio_call;
			s->cyc[SIM_C_COPY] += ucopy * s->p.c.copy_mcyc_per_byte / 1000;
			s->st[SIM_ST_COPY_BYTES] += ucopy;
		}
		s->st[SIM_ST_BYTES] += r[i].len;
		sim_user_bytes(s, r[i].off, r[i].len);
	}
	s->st[SIM_ST_RECORDS] += n;
	return 0;
}

const struct sim_method_ops sim_acc_fread_ops = {
	.name = "fread",
	.method = AN_METHOD_FREAD,
	.setup = fread_setup,
	.access = fread_access,
	.finish = NULL,
};
