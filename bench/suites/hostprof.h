/*
 * bench/suites/hostprof.h — the profile named "host": the model profile
 * calibrated on the host that runs the suite, kept in the per-host profile
 * cache (bench/fingerprint.h) under its fingerprint. When none matches (or
 * the cached one was calibrated on a busy host) `mapbench calibrate --cache`
 * runs first, as a child, with its progress on stderr.
 *
 * Invariants: a resolved path names a profile whose fingerprint line equals
 * this host's; nothing is written to the cache but by calibrate (atomically).
 */
#ifndef BENCH_SUITES_HOSTPROF_H
#define BENCH_SUITES_HOSTPROF_H

#include <stddef.h>

#define HOSTPROF_NAME "host" /* the profile name that means "this host's" */

struct hostprof_opts {
	const char *cache_dir;  /* --profile-cache, NULL: the default (fingerprint.h) */
	const char *scratch;    /* scratch directory of the native runs, NULL: the harness's default */
	const char *exe;        /* mapbench executable to run calibrate with */
	int calibrate;          /* 0: fail instead of calibrating when none is cached */
	int force;              /* 1: calibrate even when one is cached (--recalibrate) */
	int progress;           /* say what happens on stderr */
};

/*
 * Resolve "host" into path: the cached profile of this host, calibrated
 * first when needed (and allowed). Returns 0, or 2 with a message printed
 * (no cache directory, calibrate failed, none cached and calibrate off).
 * *calibrated is set when calibrate ran.
 */
int hostprof_resolve(const struct hostprof_opts *o, char *path, size_t len, int *calibrated);

#endif /* BENCH_SUITES_HOSTPROF_H */
