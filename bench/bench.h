/*
 * bench/bench.h — the native harness (public API of libbench): replay a
 * trace on this host with one access method, in a stated cache state, for
 * warm-up + N repetitions, and put every metric of shared/DESIGN.md into a
 * result case. Also: what this host offers (bench_host_json), TSC clock,
 * pinning, statistics.
 *
 * Phases of one repetition (all outside the timed access phase except the
 * access itself):
 *   cache state (cache_ns) -> method open: open/mmap/madvise/buffers
 *   (setup_ns) -> counters on -> ACCESS (cycles, ns) -> drain -> counters off
 *   -> VmPTE (pt.bytes) -> method close.
 * Invariant: every repetition re-establishes and verifies the cache state.
 */
#ifndef BENCH_BENCH_H
#define BENCH_BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "analysis/caseid.h"
#include "traces/trace.h"

#define BENCH_MAX_REPS 10000u            /* --reps limit */
#define BENCH_RESIDENT_RECS (UINT64_C(4) << 20) /* traces up to this many records stay decoded in memory */
#define BENCH_CHUNK_RECS (UINT64_C(1) << 14)    /* records per timed chunk (256 KiB: stays in L2) */
#define BENCH_TP_REPS 3u                        /* untimed tracepoint-counting repetitions (at most reps) */
/*
 * bench_run returns -BENCH_E_HOST_LACKS when this host lacks what the case
 * needs (no memory controller for --mem-limit, no swap for an anonymous
 * region above it): `mapbench run` then exits BENCH_EXIT_SKIP and a suite
 * marks the case skipped with the message as the reason.
 */
#define BENCH_E_HOST_LACKS ENOMEDIUM
#define BENCH_EXIT_SKIP 77
#define BENCH_TP_REDO 3u                        /* counting repetitions redone at most when the system evicted the warm file meanwhile */

/* A source of records (trace file, generator, array). */
struct bench_src {
	const struct trace_hdr *hdr; /* header: region kind/size, spec, hash, nrec */
	/* next up to max records; *n = 0 at the end. 0 or -errno (message in err). */
	int (*read)(struct bench_src *s, struct trace_rec *recs, size_t max, size_t *n);
	int (*rewind)(struct bench_src *s); /* back to the first record */
	void (*destroy)(struct bench_src *s);
	void *priv;      /* source state */
	char err[512];   /* last error */
};

/* In-memory records (copied). hdr->nrec and hash are taken as given. */
int bench_src_array(const struct trace_rec *recs, size_t n, const struct trace_hdr *hdr,
		    struct bench_src **out);
/* A trace file (.mtr or text) or "@path"; or a generator spec. Message in err. */
int bench_src_open(const char *trace, struct bench_src **out, char *err, size_t errlen);
void bench_src_destroy(struct bench_src *s); /* accepts NULL */

/* Run options besides the case options (parsed from a table, bench_cfg_set). */
struct bench_cfg {
	struct an_case_opts opts; /* the case: method, options, cache state */
	unsigned reps;            /* measured repetitions (default 5) */
	unsigned warmup;          /* unrecorded repetitions before (default 1) */
	char *events;             /* --events list, NULL = default set */
	int no_tracepoints;       /* skip tracepoints even as root */
	char *dir;                /* scratch directory, NULL = cache_default_dir() */
	int keep;                 /* keep the data file */
	int cpu;                  /* CPU to pin to; -1 = last core */
	int drop_caches;          /* cold: also write drop_caches (root) */
	int progress;             /* 1: progress on stderr when it is a terminal */
	uint64_t max_mem;         /* refuse a replay needing more memory (bytes); 0 = no limit */
};

void bench_cfg_default(struct bench_cfg *c);
void bench_cfg_free(struct bench_cfg *c);
/*
 * Set one harness option by name (no "--"): reps, warmup, events, dir, keep,
 * cpu, drop-caches, no-tracepoints, no-progress. Returns 1 set, 0 not a
 * harness option, -EINVAL with a message naming option, value and limit.
 */
int bench_cfg_set(struct bench_cfg *c, const char *name, const char *value, char *err,
		  size_t errlen);
int bench_cfg_takes_value(const char *name);
extern const char bench_cfg_help[];

/* What the run measured besides the metrics (for the table and tests). */
struct bench_summary {
	uint64_t checksum;      /* fold of the last repetition (all must be equal) */
	uint64_t bytes_read;    /* per repetition */
	uint64_t bytes_written; /* per repetition */
	uint64_t nrec;          /* records per repetition */
	double median_ns;       /* access phase */
	double tsc_ghz;         /* measured TSC rate */
	int cpu;                /* pinned CPU, -1 when not pinned */
};

/*
 * Replay src with cfg; fill case object co (metrics, trace/method/cache
 * members) and sum. Returns 0, or -errno with a message in err (nothing
 * partial is claimed: the caller must not write a result on error).
 */
int bench_run(const struct bench_cfg *cfg, struct bench_src *src, json_t *co,
	      struct bench_summary *sum, char *err, size_t errlen);

/* Host description (kernel, CPU, topology, page sizes, THP, readahead of dir's
 * device, PMU, usable events and tracepoints, TSC rate); new reference. */
json_t *bench_host_json(const char *dir);

/* ---- clocks, pinning, statistics (stats.c) ---- */
/* TSC rate measured against CLOCK_MONOTONIC (once, ~20 ms); 0 if no TSC. */
double bench_tsc_ghz(void);
uint64_t bench_tsc(void);
/* Pin the thread to cpu (-1: last core) and its NUMA node's memory. Returns the
 * CPU pinned or -errno; why gets a note (e.g. "hwloc: core 1 PU 1 node 0"). */
int bench_pin(int cpu, char *why, size_t len);

struct bench_stat {
	double median, min, max, mad; /* over n samples */
	size_t n;                     /* samples */
};
/* Summarise v[0..n) (not modified). n == 0 gives all zeros. */
void bench_stat(const double *v, size_t n, struct bench_stat *out);

#endif /* BENCH_BENCH_H */
