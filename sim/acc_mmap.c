/*
 * sim/acc_mmap.c — model twin of the harness's mmap method: the file mapped
 * MAP_PRIVATE or MAP_SHARED (PROT_READ|PROT_WRITE), madvise advice applied
 * right after mmap, optional MAP_POPULATE; every record touches each 4 KiB
 * page of [off, off+len) through the MMU, faults are handled by sim/fault.c
 * and the access retried.
 */
#include "sim/sim_int.h"

#include <errno.h>

static int mmap_setup(struct sim *s, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	vma_setup(s, 0);
	if (s->o.populate && vma_populate(s))
		return -EFAULT;
	vma_madvise(s);
	return 0;
}

static int mmap_access(struct sim *s, const struct trace_rec *r, size_t n)
{
	return sim_touch(s, r, n);
}

const struct sim_method_ops sim_acc_mmap_ops = {
	.name = "mmap",
	.method = AN_METHOD_MMAP,
	.setup = mmap_setup,
	.access = mmap_access,
	.finish = NULL,
};
