/*
 * bench/suites/runner.h — `mapbench suite run`: generate each distinct trace
 * once, run every case's model side (`mapbench sim`, up to --jobs at a time)
 * and native side (`mapbench run`, one at a time unless --jobs-native), each
 * as a child process of the mapbench executable, merge each finished case into
 * DIR/native.json and DIR/model.json (atomically, after every case), then run
 * compare, plot and report.
 *
 * Output directory layout:
 *   DIR/traces/     cached traces, named by a hash of the spec
 *   DIR/cases/      NNNN-native.json, NNNN-model.json (one per case and side)
 *   DIR/logs/       the stdout+stderr of every child
 *   DIR/native.json DIR/model.json   merged results ("partial": true until done)
 *   DIR/suite.json  every task: argv, status, exit code, seconds
 *   DIR/compare.md DIR/compare.json DIR/plots/ DIR/report.md
 *
 * Invariants: native children never overlap each other (or model children)
 * unless jobs_native > 1; a merged results file on disk is always a complete,
 * valid document; after SIGINT/SIGTERM the children are killed, the merged
 * files hold every finished case and say "partial": true.
 */
#ifndef BENCH_SUITES_RUNNER_H
#define BENCH_SUITES_RUNNER_H

#include "bench/suites/suite.h"

/* Exit status after an interruption (128 + SIGINT). */
#define SUITE_EXIT_INTERRUPTED 130
/* Exit status with --require-agreement when a metric family's verdict is FAIL. */
#define SUITE_EXIT_DISAGREE 4

struct suite_run_opts {
	const char *out_dir;     /* DIR */
	const char *exe;         /* mapbench executable for the children */
	unsigned jobs;           /* model children at a time (>= 1) */
	unsigned jobs_native;    /* native children at a time (default 1) */
	unsigned sides;          /* SUITE_NATIVE | SUITE_MODEL */
	struct suite_overrides ov; /* --profile, --reps */
	int progress;            /* print a line per finished task on stderr */
	int analysis;            /* run compare/plot/report at the end */
	const char *profile_cache; /* --profile-cache DIR for the profile "host", NULL: the default */
	int calibrate;           /* profile "host" not cached: 1 calibrate first, 0 fail */
	int recalibrate;         /* calibrate the profile "host" even when cached */
	int require_agreement;   /* exit SUITE_EXIT_DISAGREE when a family's verdict is FAIL */
};

/*
 * The defaults of `suite run`: one model child per online CPU, native one at
 * a time, both sides, progress, analysis, calibrate when the host profile is
 * missing; exe is this executable (/proc/self/exe, into exe[len]). Returns 0
 * or -errno (message printed, naming cmd).
 */
int suite_run_opts_init(struct suite_run_opts *o, char *exe, size_t len, const char *cmd);

/*
 * Run the suite. The model profile "host" (the built-in suites' default)
 * is resolved first (hostprof.h: this host's cached profile, calibrated
 * when missing). After the analysis the agreement verdict of every metric
 * family (DIR/compare.json) is printed. Returns 0 when every task
 * succeeded, 1 when some failed (summary printed), 2 on a usage/setup
 * error, SUITE_EXIT_INTERRUPTED after SIGINT/SIGTERM, SUITE_EXIT_DISAGREE
 * (with require_agreement, tasks otherwise fine) when a family fails.
 */
int suite_run(const struct suite *s, const struct suite_run_opts *o);

#endif /* BENCH_SUITES_RUNNER_H */
