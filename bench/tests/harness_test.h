/*
 * bench/tests/harness_test.h — helpers the harness's integration tests share
 * (header only): run an in-memory trace as one case, read a metric, and the
 * checksum the byte-wise definition of bench/acc.h predicts.
 */
#ifndef BENCH_TESTS_HARNESS_TEST_H
#define BENCH_TESTS_HARNESS_TEST_H

#include "analysis/result.h"
#include "bench/acc.h"
#include "bench/bench.h"

#include <stdlib.h>
#include <string.h>

/*
 * Replay recs[0..n) over a region of `region` bytes (anonymous when anon)
 * with case options o, harness events (NULL = default set), scratch dir
 * (NULL = default), reps repetitions and no warm-up; returns the case added
 * to res, or NULL with bench_run's message in err.
 */
static inline json_t *bt_run(struct an_result *res, const struct trace_rec *recs, size_t n,
			     uint64_t region, int anon, const struct an_case_opts *o,
			     const char *events, const char *dir, unsigned reps,
			     struct bench_summary *sum, char *err, size_t errlen)
{
	struct trace_hdr h;
	struct bench_src *src;
	struct bench_cfg cfg;
	json_t *co;

	memset(&h, 0, sizeof(h));
	h.version = TRACE_VERSION;
	h.region_kind = anon ? TRACE_REGION_ANON : TRACE_REGION_FILE;
	h.region_size = region;
	snprintf(h.spec, sizeof(h.spec), "test");
	err[0] = 0;
	if (bench_src_array(recs, n, &h, &src)) {
		snprintf(err, errlen, "bench_src_array: out of memory");
		return NULL;
	}
	bench_cfg_default(&cfg);
	cfg.opts = *o;
	cfg.reps = reps;
	cfg.warmup = 0;
	cfg.progress = 0;
	if (events)
		cfg.events = strdup(events);
	if (dir)
		cfg.dir = strdup(dir);
	co = an_result_add_case(res, "x", "native");
	if (bench_run(&cfg, src, co, sum, err, errlen))
		co = NULL;
	bench_cfg_free(&cfg);
	bench_src_destroy(src);
	return co;
}

/* Metric value (value or median), or -1 when absent/not ok; status out. */
static inline double bt_metric(json_t *co, const char *name, enum an_status *st)
{
	double v = -1;
	enum an_status s = AN_STATUS_ERROR;
	json_t *m = co ? an_case_metric(co, name) : NULL;

	if (!m || an_metric_value(m, &v, &s))
		v = -1;
	if (st)
		*st = s;
	return v;
}

/* The checksum of acc.h's definition for the READ records of r[0..n). */
static inline uint64_t bt_ref_sum(const struct trace_rec *r, size_t n)
{
	uint64_t s = 0;

	for (size_t i = 0; i < n; i++)
		if (r[i].op == TRACE_OP_READ)
			for (uint64_t o = r[i].off; o < r[i].off + r[i].len; o++)
				s += (uint64_t)acc_pattern_byte(o) << ((o & 7) * 8);
	return s;
}

#endif /* BENCH_TESTS_HARNESS_TEST_H */
