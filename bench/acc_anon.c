/*
 * bench/acc_anon.c — method "anon": an anonymous private region of the
 * trace's size at the start of a fresh 512 GiB slot (acc_map_fresh: 2 MiB
 * aligned, so THP behaviour does not depend on where the kernel placed it), with the case's madvise
 * advice (HUGEPAGE / NOHUGEPAGE for THP on/off) and optional MAP_POPULATE.
 * Reads fold whatever the memory holds (zeros until written); writes store
 * the pattern. Invariant: base is 2 MiB aligned and region bytes long.
 */
#include "bench/acc.h"

#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>


static const int madv_advice[AN_MADV__COUNT] = {
	[AN_MADV_NORMAL] = MADV_NORMAL, [AN_MADV_RANDOM] = MADV_RANDOM,
	[AN_MADV_SEQUENTIAL] = MADV_SEQUENTIAL, [AN_MADV_WILLNEED] = MADV_WILLNEED,
	[AN_MADV_HUGEPAGE] = MADV_HUGEPAGE, [AN_MADV_NOHUGEPAGE] = MADV_NOHUGEPAGE,
};

static int anon_open(struct acc_ctx *c)
{
	const struct an_case_opts *o = c->opts;
	unsigned char *al;

	/* a fresh 512 GiB-aligned slot: 2 MiB aligned, and pt.bytes as in the model */
	al = acc_map_fresh(c->region, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			   -1, &c->pte_base_kb, c->err, sizeof(c->err));
	if (al == MAP_FAILED)
		return -errno;
	c->map_raw = al;
	c->map_len = c->region;
	c->base = al;
	if (o->madv != AN_MADV_NORMAL && madvise(al, c->region, madv_advice[o->madv])) {
		int e = errno;
		snprintf(c->err, sizeof(c->err), "madvise(%s) anonymous: %s", an_madv_name(o->madv),
			 strerror(e));
		return -e;
	}
	/* MAP_POPULATE after the advice, so a huge-page advice shapes the population */
	if (o->populate && madvise(al, c->region, MADV_POPULATE_WRITE)) {
		int e = errno;
		snprintf(c->err, sizeof(c->err), "populate (MADV_POPULATE_WRITE) anonymous: %s",
			 strerror(e));
		return -e;
	}
	return 0;
}

static int anon_replay(struct acc_ctx *c, const struct trace_rec *r, size_t n)
{
	acc_mem_replay(c, r, n);
	return 0;
}

static void anon_close(struct acc_ctx *c)
{
	if (c->map_raw)
		munmap(c->map_raw, c->map_len);
	c->map_raw = NULL;
	c->base = NULL;
}

const struct acc_ops acc_anon_ops = {
	.name = "anon",
	.method = AN_METHOD_ANON,
	.needs_file = 0,
	.merge_runs = 1,
	.open = anon_open,
	.replay = anon_replay,
	.close = anon_close,
	.thread_open = acc_mem_thread_open,
	.thread_close = acc_mem_thread_close,
};
