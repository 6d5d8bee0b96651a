/*
 * sim/acc_read.c — model twin of the harness's read method: pread64() per
 * record into a user buffer, or read() when the record starts where the
 * previous one ended (the harness's rule for sequential traces). Each call:
 * syscall entry/exit, filemap_read (page-cache walk, readahead by prev_pos,
 * copy_to_user). Write records are pwrite64() into the page cache.
 * With --direct (O_DIRECT) each read record is one device request of its
 * 4 KiB-aligned covering span, with no page cache and no copy
 * (sim_direct_read); direct writes are refused at sim_create.
 */
#include "sim/sim_int.h"

static int read_setup(struct sim *s, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	s->next_off = 0; /* a fresh fd: the file offset is 0 */
	return 0;
}

static int read_access(struct sim *s, const struct trace_rec *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (r[i].op == TRACE_OP_WRITE) {
			sys_enter(s, SIM_ST_SYSCALLS_WRITE);
			pc_write(s, r[i].off, r[i].len);
		} else if (s->o.direct) { /* O_DIRECT pread64: device to the user buffer */
			sys_enter(s, SIM_ST_SYSCALLS_READ);
			sim_direct_read(s, r[i].off, r[i].len);
		} else {
			sys_enter(s, SIM_ST_SYSCALLS_READ); /* read() or pread64() */
			pc_read(s, &s->f.ra, r[i].off, r[i].len);
		}
		s->next_off = r[i].off + r[i].len;
		s->st[SIM_ST_BYTES] += r[i].len;
		if (s->o.direct) /* the fold reads the just-DMAed buffer (small, reused: cache-resident) */
			sim_cost(s, SIM_C_USER, s->p.c.user_access + r[i].len * s->p.c.fold_mcyc_per_byte / 1000);
		else
			sim_user_bytes(s, r[i].off, r[i].len);
	}
	s->st[SIM_ST_RECORDS] += n;
	return 0;
}

const struct sim_method_ops sim_acc_read_ops = {
	.name = "read",
	.method = AN_METHOD_READ,
	.setup = read_setup,
	.access = read_access,
	.finish = NULL,
};
