/*
 * bench/suites/suite.h — suites: named lists of cases (trace spec × method ×
 * cache state × options) read from a small text format, expanded into cases,
 * printed as command lines (`mapbench suite list`) and run (`suite run`, see
 * runner.h).
 *
 * Format (one file *.suite; full description in bench/suites/README.suite):
 *
 *     # comment                       (also "; comment"; " # ..." ends a line)
 *     include defaults.inc            (textual inclusion, path relative to this file)
 *     [suite]                         suite-wide: name, description, profile, reps
 *     name = quick
 *     [defaults]                      defaults for every later group
 *     method = mmap read
 *     cache = warm-read:1M
 *     [seq-files]                     a group: expands to trace × method × cache
 *     trace = seq:size=1M,len=4K seq:size=64M,len=4K
 *     method = mmap mmap,map=shared,populate fread,bufsize=64K io_uring,qd=8
 *         read                        (indented: continues the previous key;
 *                                      key lines start in column 0)
 *     cache = cold warm-read:1M tmpfs
 *     reps = 3
 *
 * Group keys: trace (required; generator specs, or @FILE for a trace file),
 * method (METHOD[,opt[=val]...], options of analysis/caseid.h; "shared" and
 * "private" stand for map=), cache (cold, warm-read[:REQ], warm-write[:REQ],
 * tmpfs[:REQ]; ignored for anonymous cases, which use none), reps, profile,
 * sides (native model), run-args / sim-args (extra words for `mapbench run` /
 * `mapbench sim`). trace/method/cache are lists: a repeated key appends.
 * Anonymous traces (spec key anon=1) pair only with method anon (or mmap,
 * which becomes anon); method anon only with anonymous traces.
 *
 * Invariants: a loaded suite has at least one case; every case's method and
 * cache were accepted by an_case_opts_set() and an_case_opts_check(); case
 * indexes are 1..ncases in file order. Every parse error names file:line, the
 * key and the value.
 */
#ifndef BENCH_SUITES_SUITE_H
#define BENCH_SUITES_SUITE_H

#include <stddef.h>
#include <stdio.h>

#define SUITE_MAX_CASES 100000u   /* expansion limit per suite */
#define SUITE_MAX_INCLUDE 16      /* include nesting limit */
#define SUITE_MAX_REPS 1000u      /* reps limit */

enum suite_side {
	SUITE_NATIVE = 1, /* `mapbench run` on this host */
	SUITE_MODEL = 2,  /* `mapbench sim` with a profile */
};

/* One case of a suite. All strings owned by the suite. */
struct suite_case {
	unsigned index;   /* 1-based position in the suite */
	char *group;      /* section it came from */
	char *trace;      /* generator spec, or "@/abs/path" of a trace file */
	int anon;         /* trace region is anonymous (spec has anon=1) */
	char *method;     /* method item as written, e.g. "mmap,map=shared,populate" */
	char *cache;      /* cache item, "none" for anonymous cases */
	unsigned reps;    /* native repetitions (0: the harness's default) */
	char *profile;    /* model profile name or path */
	char *run_args;   /* extra words for `mapbench run`, space-separated, or "" */
	char *sim_args;   /* extra words for `mapbench sim`, or "" */
	unsigned sides;   /* SUITE_NATIVE | SUITE_MODEL */
	char *where;      /* "file:line" of the group's header, for messages */
};

/* A loaded, expanded suite. */
struct suite {
	char *name;               /* [suite] name, or the file's base name */
	char *path;               /* file it was loaded from ("<buffer>" when parsed from memory) */
	char *description;        /* [suite] description, or "" */
	struct suite_case *cases; /* ncases cases, index order */
	size_t ncases;            /* number of cases, >= 1 */
};

/* Directory of the built-in suites (env MAPBENCH_SUITES overrides). */
const char *suite_builtin_dir(void);

/*
 * Resolve NAME|FILE: an existing file path as is; else a built-in name
 * (suite_builtin_dir()/NAME.suite). Returns 0 or -ENOENT (message in err
 * listing the built-in suites).
 */
int suite_resolve(const char *name, char *path, size_t len, char *err, size_t errlen);

/* Load and expand a suite by name or path. Returns 0 or -errno, message in err. */
int suite_load(const char *name_or_path, struct suite **out, char *err, size_t errlen);

/*
 * Parse a suite from memory. name is used in messages; includes are resolved
 * relative to dir, and refused when dir is NULL (fuzzing).
 */
int suite_parse(const char *buf, size_t len, const char *name, const char *dir,
		struct suite **out, char *err, size_t errlen);

void suite_destroy(struct suite *s); /* accepts NULL */

/* Short readable label, e.g. "seq:64M mmap,map=shared warm-read:1M". */
void suite_case_label(const struct suite_case *c, char *buf, size_t len);

/* Overrides applied by the command line to every case. */
struct suite_overrides {
	const char *profile; /* model profile, NULL = the suite's */
	unsigned reps;       /* native reps, 0 = the suite's */
	const char *host_profile; /* path that the profile name "host" resolves to (hostprof.h), NULL: unresolved */
};

/*
 * argv for one side of one case: exe run|sim --trace TRACE --method M
 * [method options] --cache C [--reps N | --profile P] [extra] -o OUT.
 * Returns a NULL-terminated array (free with suite_argv_free) or NULL (ENOMEM).
 */
char **suite_case_argv(const struct suite_case *c, enum suite_side side,
		       const struct suite_overrides *ov, const char *exe,
		       const char *trace_path, const char *out_json);
void suite_argv_free(char **argv);

/* argv of `exe trace gen SPEC -o PATH`. */
char **suite_trace_argv(const char *spec, const char *exe, const char *path);

/*
 * Cached trace path for a case: "@FILE" traces give FILE; a spec gives
 * DIR/traces/<kind>-<16 hex of a hash of the spec>.mtr.
 */
void suite_trace_path(const struct suite_case *c, const char *dir, char *buf, size_t len);

/* Write argv as one shell-quoted command line (no newline). */
void suite_argv_print(FILE *f, char *const *argv);

#endif /* BENCH_SUITES_SUITE_H */
