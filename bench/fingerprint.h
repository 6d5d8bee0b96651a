/*
 * bench/fingerprint.h — the host fingerprint: the things a calibrated model
 * profile depends on (CPU vendor/family/model/stepping, hypervisor, kernel
 * release, CPU count, the file system and block device of the scratch
 * directory, THP, readahead and fault-around settings), as one readable line
 * and a 64-bit hash of it. A profile calibrated on a host carries the hash
 * (`profile.fingerprint`); every result file's host block carries both; a
 * per-host profile cache is keyed by the hash (bench_profile_cache_*).
 *
 * Also: a snapshot of the host's load (/proc/stat: other tasks' CPU time,
 * steal time, runnable tasks) so calibrate can say a host was busy.
 *
 * Invariants: the text names every field, each as key=value, in a fixed
 * order; a field that cannot be read is "?" (with the text saying so), never
 * dropped, so two hosts differing only in an unreadable field still differ in
 * the hash only when the readable fields differ.
 */
#ifndef BENCH_FINGERPRINT_H
#define BENCH_FINGERPRINT_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#define BENCH_FP_TEXT 768

struct bench_fp {
	char text[BENCH_FP_TEXT]; /* "cpu=GenuineIntel/6/207/2 hv=KVMKVMKVM kernel=6.18.44 ..." */
	char hash[17];            /* 16 hex digits of XXH64(text) */
	char cpu_name[128];       /* model name (informative: not part of the hash) */
};

/* Fingerprint this host for a scratch directory (NULL: cache_default_dir()). Always succeeds. */
void bench_fingerprint(const char *dir, struct bench_fp *fp);
/* {"hash": ..., "text": ..., "cpu_name": ...}; new reference. */
json_t *bench_fingerprint_json(const struct bench_fp *fp);

/*
 * The per-host profile cache directory: dir if given, else
 * $MAPBENCH_PROFILE_CACHE, else $XDG_CACHE_HOME/mapbench/profiles, else
 * $HOME/.cache/mapbench/profiles. Returns 0, or -ENAMETOOLONG / -ENOENT (no
 * HOME) with the reason in err.
 */
int bench_profile_cache_dir(const char *dir, char *buf, size_t len, char *err, size_t errlen);
/* DIR/host-<hash>.ini */
void bench_profile_cache_path(const char *cache_dir, const struct bench_fp *fp, char *buf, size_t len);
/*
 * Nonzero when path is a readable profile whose [profile] fingerprint line
 * names fp's hash (a profile left by another host, or edited, does not match).
 */
int bench_profile_matches(const char *path, const struct bench_fp *fp);

/* A snapshot of /proc/stat for the load check. */
struct bench_load {
	uint64_t total;     /* all CPU ticks (every state, every CPU) */
	uint64_t busy;      /* non-idle ticks (user..softirq, steal excluded) */
	uint64_t steal;     /* steal ticks */
	uint64_t self_ns;   /* this process's CPU time (and its waited-for children) */
	uint64_t wall_ns;   /* CLOCK_MONOTONIC */
	long ncpu;          /* online CPUs */
	long running;       /* procs_running at the snapshot (including this one) */
};

void bench_load_snapshot(struct bench_load *l);
/*
 * Between two snapshots: others = CPU time of other tasks in CPUs
 * (busy - self), steal = share of steal time; writes a sentence into why and
 * returns nonzero when the host was busy (others > 0.25 CPU or steal > 5%).
 */
int bench_load_busy(const struct bench_load *a, const struct bench_load *b, double *others,
		    double *steal, char *why, size_t len);

#endif /* BENCH_FINGERPRINT_H */
