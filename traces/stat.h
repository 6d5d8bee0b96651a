/*
 * traces/stat.h — what a trace does, in numbers: record and byte counts,
 * footprint (distinct 4 KiB pages, distinct 2 MiB regions) and the reuse
 * distance of 4 KiB pages. Used by `mapbench trace stat` and by anyone who
 * wants to label a trace (e.g. plots of cost against footprint).
 *
 * Reuse distance of a page touch = number of distinct other pages touched
 * since the previous touch of the same page (LRU stack distance; 0 = the
 * same page again). A record touches every 4 KiB page its bytes overlap, in
 * address order. Exact (Fenwick tree over last-use times, compacted, memory
 * O(distinct pages)) when the region has at most TRACE_STAT_EXACT_PAGES
 * pages; beyond that, spatially sampled (SHARDS, Waldspurger et al., FAST
 * 2015): only pages whose hash falls under rate R = TRACE_STAT_EXACT_PAGES /
 * region pages are tracked and their distances and counts scaled by 1/R;
 * `exact` says which. Distinct 2 MiB regions are always exact (bitmap).
 */
#ifndef TRACES_STAT_H
#define TRACES_STAT_H

#include <stddef.h>
#include <stdint.h>

#include "traces/trace.h"

#define TRACE_STAT_EXACT_PAGES (UINT64_C(1) << 22) /* 16 GiB of 4 KiB pages */

/* The numbers. */
struct trace_stat {
	uint64_t nrec;        /* records */
	uint64_t reads;       /* records with op R */
	uint64_t writes;      /* records with op W */
	uint64_t bytes;       /* sum of record lengths */
	uint64_t pages;       /* distinct 4 KiB pages (estimate if !exact) */
	uint64_t regions_2m;  /* distinct 2 MiB regions (always exact) */
	uint64_t touches;     /* page touches (tracked ones if !exact) */
	uint64_t cold;        /* first touches of a page, among touches */
	double cold_frac;     /* cold / touches (0 when no touches) */
	uint64_t rd_p50;      /* median reuse distance of warm touches, in pages */
	uint64_t rd_p90;      /* 90th percentile (nearest rank) */
	uint64_t rd_p99;      /* 99th percentile */
	uint64_t rd_max;      /* largest */
	double rd_mean;       /* mean */
	int exact;            /* 1: every page tracked; 0: sampled at sample_rate */
	double sample_rate;   /* fraction of pages tracked (1 when exact) */
};

struct trace_stat_ctx;

/* Start an analysis of a trace over region_size bytes. Returns 0 or -ENOMEM. */
int trace_stat_create(uint64_t region_size, struct trace_stat_ctx **out);
/* Feed records in trace order. Returns 0 or -ENOMEM (then the context is spent). */
int trace_stat_add(struct trace_stat_ctx *c, const struct trace_rec *recs, size_t n);
/* The numbers so far. */
void trace_stat_result(const struct trace_stat_ctx *c, struct trace_stat *st);
void trace_stat_destroy(struct trace_stat_ctx *c);

/* Whole file (binary or text). Returns 0 or -errno with the message in err. */
int trace_stat_file(const char *path, struct trace_stat *st, struct trace_hdr *hdr,
		    char *err, size_t errlen);

#endif /* TRACES_STAT_H */
