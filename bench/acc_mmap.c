/*
 * bench/acc_mmap.c — method "mmap": map the data file (MAP_PRIVATE or
 * MAP_SHARED, optional MAP_POPULATE), apply the case's madvise advice, and
 * touch the records through the mapping: reads fold the bytes in place,
 * writes store the pattern. Invariant: the mapping covers exactly the region
 * and is created in open() (setup phase) and removed in close(), after the
 * runner read VmPTE.
 */
#include "bench/acc.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

static const int madv_advice[AN_MADV__COUNT] = {
	[AN_MADV_NORMAL] = MADV_NORMAL, [AN_MADV_RANDOM] = MADV_RANDOM,
	[AN_MADV_SEQUENTIAL] = MADV_SEQUENTIAL, [AN_MADV_WILLNEED] = MADV_WILLNEED,
	[AN_MADV_HUGEPAGE] = MADV_HUGEPAGE, [AN_MADV_NOHUGEPAGE] = MADV_NOHUGEPAGE,
};

static int mmap_open(struct acc_ctx *c)
{
	const struct an_case_opts *o = c->opts;
	int rw = c->writes && o->shared;
	int prot = PROT_READ | (c->writes ? PROT_WRITE : 0);
	int flags = (o->shared ? MAP_SHARED : MAP_PRIVATE) | (o->populate ? MAP_POPULATE : 0);
	void *p;

	c->fd = open(c->path, (rw ? O_RDWR : O_RDONLY) | O_CLOEXEC);
	if (c->fd < 0) {
		int e = errno;
		snprintf(c->err, sizeof(c->err), "open %s: %s", c->path, strerror(e));
		return -e;
	}
	p = acc_map_fresh(c->region, prot, flags, c->fd, &c->pte_base_kb, c->err, sizeof(c->err));
	if (p == MAP_FAILED)
		return -errno;
	c->base = p;
	c->map_raw = p;
	c->map_len = c->region;
	if (o->madv != AN_MADV_NORMAL && madvise(p, c->region, madv_advice[o->madv])) {
		int e = errno;
		snprintf(c->err, sizeof(c->err), "madvise(%s) on %s: %s", an_madv_name(o->madv),
			 c->path, strerror(e));
		return -e;
	}
	return 0;
}

static int mmap_replay(struct acc_ctx *c, const struct trace_rec *r, size_t n)
{
	acc_mem_replay(c, r, n);
	return 0;
}

static void mmap_close(struct acc_ctx *c)
{
	if (c->map_raw)
		munmap(c->map_raw, c->map_len);
	c->map_raw = NULL;
	c->base = NULL;
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

const struct acc_ops acc_mmap_ops = {
	.name = "mmap",
	.method = AN_METHOD_MMAP,
	.needs_file = 1,
	.merge_runs = 1,
	.open = mmap_open,
	.replay = mmap_replay,
	.close = mmap_close,
	.thread_open = acc_mem_thread_open,
	.thread_close = acc_mem_thread_close,
};
