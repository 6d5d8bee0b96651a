/*
 * bench/cache.h — the data file and its page-cache state (internal).
 * A data file holds the acc.h pattern, lives in a scratch directory (or on
 * tmpfs for cache state tmpfs), is reused across runs when its sidecar says
 * it holds this pattern version and size and its inode/mtime/size are
 * unchanged, and is removed at release unless kept. cache_establish() puts
 * it in the case's cache state right before a repetition and measures the
 * resident fraction (cachestat, mincore fallback).
 */
#ifndef BENCH_CACHE_H
#define BENCH_CACHE_H

#include <limits.h>
#include <stdint.h>

#include "analysis/caseid.h"

#define CACHE_WARM_MIN 0.99 /* a warm state below this resident fraction is refused */
#define CACHE_COLD_MAX 0.01 /* a cold state above this resident fraction is refused */
#define CACHE_LAYOUT_TRIES 3 /* establishments of a warm state for pages in ascending frames */

struct cache_file {
	char path[PATH_MAX];    /* data file */
	char meta[PATH_MAX];    /* sidecar "<path>.meta" */
	uint64_t size;          /* bytes */
	int on_tmpfs;           /* path is on a tmpfs */
	int keep;               /* leave the file (and sidecar) at release */
	int reused;             /* an existing valid file was reused */
	uint64_t hash;          /* XXH64 of the content (from the sidecar or as written) */
	char lock[PATH_MAX];    /* "<path>.lock" */
	char tmp[PATH_MAX];     /* the data file while it is being written ("" otherwise) */
	int lockfd;             /* the lock file, flock()ed exclusively from prepare to release */
	int relayout;           /* tmpfs: the next establishment truncates first (new pages) */
};

/* What cache_establish did and found. */
struct cache_report {
	double resident;        /* resident fraction after establishing, 0..1 */
	const char *how;        /* "cachestat" or "mincore" */
	int dropped_caches;     /* drop_caches was written */
	uint64_t ns;            /* time spent establishing */
	double ascending;       /* physical layout: share of adjacent cached file pages in adjacent
				   ascending frames, -1 unmeasured (layout_why says why) */
	double descending;      /* the same, descending frames */
	int layout_tries;       /* times the state was established for its layout (1: first) */
	char layout_why[160];   /* why the layout was not measured ("" when it was) */
};

/* Directory used when --dir is not given: $MAPBENCH_SCRATCH or <build>/scratch. */
const char *cache_default_dir(void);
/* tmpfs directory for cache state tmpfs: /dev/shm/mapbench-<uid> (must be tmpfs). */
int cache_tmpfs_dir(char *buf, size_t len, char *err, size_t errlen);

/*
 * Create or reuse the data file of `size` bytes in dir (tmpfs: dir ignored,
 * the tmpfs directory is used). req = write size for a fresh file.
 */
int cache_file_prepare(struct cache_file *f, const char *dir, uint64_t size, int tmpfs,
		       int keep, uint64_t req, char *err, size_t errlen);
/* Remove the file unless keep. Accepts a zeroed struct. */
void cache_file_release(struct cache_file *f);

/*
 * Establish the case's cache state on f now (cold, warm-read, warm-write,
 * tmpfs) and verify it. drop: also write 1 to /proc/sys/vm/drop_caches for
 * the drop step (needs root). Refuses (-EAGAIN, message) a warm state below
 * CACHE_WARM_MIN or a cold one above CACHE_COLD_MAX.
 */
int cache_establish(struct cache_file *f, const struct an_case_opts *o, int drop,
		    struct cache_report *rep, char *err, size_t errlen);

/*
 * Physical order of the cached pages of [0, size) of path, from a read-only
 * MADV_RANDOM mapping populated with MADV_POPULATE_READ and its pagemap
 * frames (root): of the pairs of consecutive file pages, the share whose
 * frames are consecutive ascending (*asc) and descending (*desc). 0, or
 * -errno with why filled (no PFNs without CAP_SYS_ADMIN, no
 * MADV_POPULATE_READ before Linux 5.14).
 */
int cache_layout(const char *path, uint64_t size, double *asc, double *desc, char *why, size_t len);

/*
 * Present pages of [addr, addr + pages * 4 KiB) from /proc/self/pagemap, or
 * -errno; their frame numbers into pfn[] when non-NULL (0: not present, or
 * present but hidden from a process without CAP_SYS_ADMIN).
 */
long cache_pagemap(const void *addr, size_t pages, uint64_t *pfn);

/* Resident fraction of [0, size) of path. how gets the mechanism. */
int cache_resident(const char *path, uint64_t size, double *frac, const char **how);

#endif /* BENCH_CACHE_H */
