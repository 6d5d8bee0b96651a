/*
 * sim/acc_anon.c — model twin of the harness's anon method: an anonymous
 * private mapping of the region's size (2 MiB aligned), madvise advice
 * (HUGEPAGE / NOHUGEPAGE decide THP under enabled=madvise), optional
 * MAP_POPULATE; pure TLB / walk / fault experiments with no file.
 */
#include "sim/sim_int.h"

#include <errno.h>

static int anon_setup(struct sim *s, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	vma_setup(s, 1);
	if (s->o.populate && vma_populate(s))
		return -EFAULT;
	return 0;
}

static int anon_access(struct sim *s, const struct trace_rec *r, size_t n)
{
	return sim_touch(s, r, n);
}

const struct sim_method_ops sim_acc_anon_ops = {
	.name = "anon",
	.method = AN_METHOD_ANON,
	.setup = anon_setup,
	.access = anon_access,
	.finish = NULL,
};
