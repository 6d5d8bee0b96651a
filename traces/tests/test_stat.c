/*
 * traces/tests/test_stat.c — unit tests of trace statistics on small traces
 * whose answers are computed by hand in the comments: counts, footprint,
 * 2 MiB regions, reuse distances (exact, including across the compaction of
 * the time window) and the sampled mode on a large region.
 */
#include "common/mb.h"
#include "common/tap.h"
#include "traces/stat.h"

#include <math.h>
#include <stdlib.h>

static struct trace_stat run(uint64_t region, const struct trace_rec *r, size_t n)
{
	struct trace_stat_ctx *c;
	struct trace_stat st = { 0 };

	if (trace_stat_create(region, &c) || trace_stat_add(c, r, n))
		tap_diag("stat failed");
	else
		trace_stat_result(c, &st);
	trace_stat_destroy(c);
	return st;
}

#define PG(p, op) { (uint64_t)(p) * 4096, 4096, op }

int main(void)
{
	/* pages A B C A B A: distances of the warm touches 2, 2, 1 (sorted 1 2 2);
	 * nearest rank: p50 = rank 2 = 2, p90 = rank 3 = 2; mean 5/3; cold 3 of 6 */
	static const struct trace_rec abc[] = { PG(0, 0), PG(1, 1), PG(2, 0), PG(0, 0), PG(1, 1), PG(0, 0) };
	struct trace_stat st = run(64 * 4096, abc, 6);
	tap_ok(st.nrec == 6 && st.reads == 4 && st.writes == 2 && st.bytes == 6 * 4096, "counts");
	tap_ok(st.pages == 3 && st.regions_2m == 1 && st.touches == 6 && st.cold == 3 && st.cold_frac == 0.5,
	       "3 pages, 1 region, 3 cold of 6 touches");
	tap_ok(st.rd_p50 == 2 && st.rd_p90 == 2 && st.rd_p99 == 2 && st.rd_max == 2 &&
	       fabs(st.rd_mean - 5.0 / 3) < 1e-9 && st.exact, "reuse: p50 2, p90 2, max 2, mean 5/3, exact");

	/* straddling records: [4000, 4200) touches pages 0 and 1; [2M-8, 2M+8)
	 * touches pages 511 and 512 and regions 0 and 1; then page 0 again
	 * (distance 3: pages 1, 511, 512 since) */
	static const struct trace_rec strad[] = { { 4000, 200, 0 }, { 2 * 1048576 - 8, 16, 1 }, { 0, 1, 0 } };
	st = run(4 * 1048576, strad, 3);
	tap_ok(st.pages == 4 && st.regions_2m == 2 && st.touches == 5 && st.cold == 4 && st.rd_p50 == 3,
	       "straddling records touch every page and region they overlap");

	/* all cold: no warm touch, percentiles stay 0 and cold_frac is 1 */
	static const struct trace_rec cold[] = { PG(0, 0), PG(1, 0) };
	st = run(8192, cold, 2);
	tap_ok(st.cold_frac == 1.0 && st.touches == 2 && st.cold == 2, "all-cold trace: cold fraction 1");

	/* cyclic over 3000 pages, 1000 times: 3M touches, over the 1M window
	 * (compactions); every warm distance is exactly 2999 */
	size_t n = 3000 * 1000;
	struct trace_rec *cyc = malloc(n * sizeof(*cyc));
	for (size_t i = 0; i < n; i++)
		cyc[i] = (struct trace_rec){ (i % 3000) * 4096, 64, 0 };
	st = run(3000 * 4096, cyc, n);
	tap_ok(st.pages == 3000 && st.cold == 3000 && st.rd_p50 == 2999 && st.rd_p99 == 2999 &&
	       st.rd_max == 2999 && st.rd_mean == 2999.0, "cyclic 3000 pages x 1000: every distance 2999 across compactions"
	       " (p50 %llu max %llu)", (unsigned long long)st.rd_p50, (unsigned long long)st.rd_max);

	/* sampled: 1 TiB region (beyond 16 GiB) -> SHARDS; 100000 pages spread
	 * 1000 pages apart, cycled 5 times: true distance 99999, 100000 pages */
	n = 100000 * 5;
	cyc = realloc(cyc, n * sizeof(*cyc));
	for (size_t i = 0; i < n; i++)
		cyc[i] = (struct trace_rec){ (i % 100000) * 1000 * 4096, 8, 0 };
	st = run(UINT64_C(1) << 40, cyc, n);
	tap_ok(!st.exact && st.sample_rate > 0 && st.sample_rate < 1, "1 TiB region is sampled at rate %g",
	       st.sample_rate);
	tap_ok(st.pages > 90000 && st.pages < 110000 && st.rd_p50 > 90000 && st.rd_p50 < 110000 &&
	       fabs(st.cold_frac - 0.2) < 0.02, "sampled estimates within 10%%: pages %llu, p50 %llu, cold %.3f",
	       (unsigned long long)st.pages, (unsigned long long)st.rd_p50, st.cold_frac);
	free(cyc);
	return tap_done();
}
