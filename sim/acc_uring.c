/*
 * sim/acc_uring.c — model twin of the harness's io_uring method: records are
 * queued as read (or write) SQEs with explicit offsets; every qd SQEs (and
 * once at the end for a partial batch) one io_uring_enter submits and waits.
 * Each SQE runs the same filemap_read path as pread (same readahead state);
 * registered files / buffers save per-SQE work (fget/fput, buffer import).
 */
#include "sim/sim_int.h"

static int uring_setup(struct sim *s, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	s->uring_pending = 0;
	return 0;
}

static void submit(struct sim *s)
{
	if (!s->uring_pending)
		return;
	sys_enter(s, SIM_ST_SYSCALLS_URING);
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
	for (size_t i = 0; i < n; i++) {
		s->cyc[SIM_C_SYSCALL] += sqe;
		if (r[i].op == TRACE_OP_WRITE)
			pc_write(s, r[i].off, r[i].len);
		else
			pc_read(s, &s->f.ra, r[i].off, r[i].len);
		s->st[SIM_ST_BYTES] += r[i].len;
		sim_user_bytes(s, r[i].off, r[i].len);
		if (++s->uring_pending >= s->o.qd)
			submit(s);
	}
	s->st[SIM_ST_RECORDS] += n;
	return 0;
}

const struct sim_method_ops sim_acc_uring_ops = {
	.name = "io_uring",
	.method = AN_METHOD_URING,
	.setup = uring_setup,
	.access = uring_access,
	.finish = submit,
};
