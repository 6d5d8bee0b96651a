/*
 * bench/suites/calibrate.h — `mapbench calibrate`: measure this host with
 * microbenchmarks and write a model profile (the sim/profiles INI format) in
 * which every value carries a comment saying how it was measured and the raw
 * figures. Keys this module cannot measure are copied from a base profile
 * (default sim/profiles/vm-host.ini) and marked "not measured".
 *
 * Invariants: the profile is written atomically (nothing partial on failure);
 * a quantity that could not be measured is never written as a made-up number:
 * it is copied from the base with that said, or left out with the reason.
 */
#ifndef BENCH_SUITES_CALIBRATE_H
#define BENCH_SUITES_CALIBRATE_H

struct cal_opts {
	const char *out;   /* profile path to write */
	const char *name;  /* [profile] name (default: file stem of out) */
	const char *dir;   /* scratch directory on the file system to measure (ext4) */
	const char *base;  /* base profile for unmeasured keys, NULL = vm-host.ini if present */
	int quick;         /* reduced sizes and repetitions (tests) */
	const char *pinned; /* how the caller pinned the process (a header note), NULL: not pinned */
	int runs;          /* probe sequences to run, each value the median run's (0: default) */
	int verbose;       /* print each measurement as it is made */
	int allow_busy;    /* write the profile (flagged) even when the host was busy */
};

#define CAL_MAX_RUNS 9
#define CAL_DEFAULT_RUNS 5
#define CAL_EXIT_BUSY 3   /* cal_run: host busy, no profile written */
/* The profile format calibrate writes ("# calibrate format N" in its header); bumped when
   calibrate measures new keys, so that a cached profile of an older format is calibrated
   again (hostprof_resolve) instead of running on the model's defaults for them.
   2: copy_4k measured from file COW faults, cow_wp, fault_mkwrite_bh, io_stream (stop 24).
   3: reclaim_folio, direct_io, and swap_out / swap_in when swap is active (issue 16).
   4: fault_pte_cold (stop 24).
   5: the "# drift" reference figures (cal_drift).
   6: io_request and io_page_sync(_pmd) net of the pages a cold pread reads, by cachestat (1, not
      the 4 assumed before), kernel.io_sched, copy_mcyc_per_byte over cache-resident lines. */
#define CAL_FORMAT 6

/* Measure and write the profile. Returns 0, CAL_EXIT_BUSY, or 2 with a message printed. */
int cal_run(const struct cal_opts *o);

/*
 * Host drift since calibration: calibrate writes, into the profile's header,
 * the medians of CAL_DRIFT_N short probes over its runs ("# drift"); cal_drift
 * measures them again (about a second) and compares. The verdict is "drifted"
 * when the geometric mean of now / calibrated is beyond 1 +- CAL_DRIFT_BOUND,
 * "steady" within, "unsupported" (with the reason) when the profile has no
 * figures. Probes beyond +-CAL_DRIFT_BOUND_PROBE are named. Writes out (JSON,
 * schema mapbench-drift, atomically) when not NULL, one line on stderr unless
 * quiet. Returns 0 (any verdict), or 2 on an unreadable or malformed profile
 * or a failed write, with the message printed.
 */
#define CAL_DRIFT_N 6
#define CAL_DRIFT_BOUND 0.05
#define CAL_DRIFT_BOUND_PROBE 0.10
int cal_drift(const char *profile, const char *out, const char *label, int quiet);
/* `calibrate --drift-raw`: the drift probes' cycles on one line of stdout (calibrate's child). */
int cal_drift_raw(void);

#endif /* BENCH_SUITES_CALIBRATE_H */
