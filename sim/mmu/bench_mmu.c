/*
 * sim/mmu/bench_mmu.c — speed of the MMU model (benchmark() target, not a
 * test): simulated accesses per second for
 *   seq-4k     sequential 64-byte reads over a pre-mapped 256 MiB of 4K pages
 *              (L1 hits dominate; target >= 100 M/s),
 *   rand-4k    uniform random 64-byte reads over 1 GiB of 4K pages
 *              (walks dominate; target >= 30 M/s),
 *   rand-4k-nested, rand-2m   the same under a nested walk / with 2M pages,
 *   rand-4k-pf, rand-4k-nested-pf   rand-4k as a replay loop runs it: each
 *              address known MMU_PREFETCH_AHEAD accesses early and handed to
 *              mmu_prefetch (same results, the host cache misses overlap).
 * Each case runs 5 times; the median rate is printed with min and max, since
 * other work may share the machine. Own PRNG (xorshift64*): the trace
 * generators are not needed for a speed measurement.
 * Usage: bench_mmu [CASE [ACCESSES]] runs one case (e.g. under a profiler).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/mb.h"
#include "sim/mmu/mmu.h"

#define REPS 5

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

struct bcase {
	const char *name;     /* printed name */
	uint64_t region;      /* bytes mapped */
	enum pg_size sz;      /* page size mapped */
	int random;           /* 0 sequential, 1 uniform random */
	int nested;           /* nested walk */
	int prefetch;         /* 1: mmu_prefetch each address MMU_PREFETCH_AHEAD early */
	uint64_t n;           /* accesses per run */
	double target;        /* accesses/s the brief asks for (0: none) */
};

static int run(const struct bcase *b)
{
	struct mmu_config c;
	struct mmu *m;
	double rate[REPS];
	uint64_t base = UINT64_C(1) << 32, step = UINT64_C(1) << (b->sz == PG_4K ? 12 : 21);
	mmu_config_default_intel(&c);
	if (b->nested)
		mmu_config_nested(&c);
	if (mmu_create(&c, &m)) {
		mb_err("sim.mmu", "bench: mmu_create failed");
		return 1;
	}
	for (uint64_t a = base; a < base + b->region; a += step)
		if (mmu_map(m, a, b->sz, MMU_W)) {
			mb_err("sim.mmu", "bench: map 0x%llx failed", (unsigned long long)a);
			return 1;
		}
	uint64_t lines = b->region / 64, sink = 0, x = 88172645463325252ULL;
	for (int r = 0; r < REPS; r++) {
		uint64_t cyc = 0, off = 0;
		mmu_stats_reset(m);
		uint64_t t0 = mb_now_ns();
		if (b->random && b->prefetch) {
			uint64_t ring[MMU_PREFETCH_AHEAD];  /* addresses issued, not yet accessed */
			for (uint64_t i = 0; i < b->n + MMU_PREFETCH_AHEAD; i++) {
				uint64_t *slot = &ring[i % MMU_PREFETCH_AHEAD];
				if (i >= MMU_PREFETCH_AHEAD)
					sink += (uint64_t)mmu_access(m, *slot, 0, &cyc);
				if (i >= b->n)
					continue;
				x ^= x >> 12;
				x ^= x << 25;
				x ^= x >> 27;
				*slot = base + ((x * 0x2545f4914f6cdd1dULL) >> 16) % lines * 64;
				mmu_prefetch(m, *slot);
			}
		} else if (b->random) {
			for (uint64_t i = 0; i < b->n; i++) {
				x ^= x >> 12;
				x ^= x << 25;
				x ^= x >> 27;
				uint64_t line = ((x * 0x2545f4914f6cdd1dULL) >> 16) % lines;
				sink += (uint64_t)mmu_access(m, base + line * 64, 0, &cyc);
			}
		} else {
			for (uint64_t i = 0; i < b->n; i++) {
				sink += (uint64_t)mmu_access(m, base + off, 0, &cyc);
				off += 64;
				if (off == b->region)
					off = 0;
			}
		}
		uint64_t t1 = mb_now_ns();
		rate[r] = (double)b->n / ((double)(t1 - t0) / 1e9);
		sink += cyc;
	}
	double l1m = (double)mmu_stat(m, MMU_ST_L1_MISS) / (double)b->n;
	double walks = (double)mmu_stat(m, MMU_ST_WALKS) / (double)b->n;
	double cpa = (double)mmu_stat(m, MMU_ST_CYCLES) / (double)b->n;
	qsort(rate, REPS, sizeof(rate[0]), cmp_d);
	printf("%-18s %8.1f M acc/s (min %.1f, max %.1f)  L1 miss/acc %.4f  walks/acc %.4f  "
	       "model cycles/acc %.2f%s%s\n",
	       b->name, rate[REPS / 2] / 1e6, rate[0] / 1e6, rate[REPS - 1] / 1e6, l1m, walks, cpa,
	       b->target > 0 ? (rate[REPS / 2] >= b->target ? "  [target met]" : "  [BELOW TARGET]") : "",
	       sink == 42 ? " " : "");
	mmu_destroy(m);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct bcase cases[] = {
		{ "seq-4k", 256 * MB_MiB, PG_4K, 0, 0, 0, 40000000, 100e6 },
		{ "rand-4k", MB_GiB, PG_4K, 1, 0, 0, 10000000, 30e6 },
		{ "rand-4k-pf", MB_GiB, PG_4K, 1, 0, 1, 10000000, 30e6 },
		{ "rand-4k-nested", MB_GiB, PG_4K, 1, 1, 0, 10000000, 0 },
		{ "rand-4k-nested-pf", MB_GiB, PG_4K, 1, 1, 1, 10000000, 0 },
		{ "rand-2m", MB_GiB, PG_2M, 1, 0, 0, 10000000, 0 },
	};
	int err = 0, ran = 0;
	for (size_t i = 0; i < MB_ARRAY_SIZE(cases); i++) {
		struct bcase b = cases[i];
		if (argc > 1 && strcmp(argv[1], b.name) != 0)
			continue;
		if (argc > 2)
			b.n = strtoull(argv[2], NULL, 10);
		err |= run(&b);
		ran++;
	}
	if (!ran) {
		mb_err("sim.mmu", "bench: no case named '%s'", argv[1]);
		return 2;
	}
	return err;
}
