/*
 * bench/cgroup.h — memory cgroups for --mem-limit (internal to libbench) and
 * the memory-pressure counters of the replay phase.
 *
 * A run with --mem-limit SIZE puts the cache-state set-up, the method's
 * set-up and the replay of every repetition into a fresh memory cgroup
 * `mapbench-<pid>` under a `mapbench` parent: the harness process moves
 * itself in (all its threads: cgroup.procs) and back to the cgroup it came
 * from afterwards, and the cgroup is removed. Where the hierarchy is:
 *   - cgroup v2, when a mounted v2 hierarchy lists `memory` in its
 *     cgroup.controllers: parent <v2 root>/mapbench (the v2 root, because
 *     "no internal processes" forbids enabling controllers below a cgroup that
 *     holds processes); +memory is written to the subtree_control of the root
 *     and of the parent when missing; the limit is memory.max.
 *   - else cgroup v1 with a mounted memory controller: parent
 *     <the process's own memory cgroup>/mapbench (nested, so whatever limits
 *     the process already had still apply); the limit is memory.limit_in_bytes.
 * Invariants: at most one cgroup of this process exists at a time; the
 * process is inside it only between cg_run_enter and cg_run_exit; every
 * exit path removes it: the runner's own unwinding, atexit, and SIGINT /
 * SIGTERM / SIGHUP (the handler moves the process out and rmdirs with
 * async-signal-safe calls, then re-raises the signal). A cgroup left by a
 * killed run (SIGKILL) is found by the next run: `mapbench-<pid>` with no
 * such process is removed, said on stderr (nothing is moved out of it; one
 * that still holds tasks is left and said so).
 *
 * What is charged (pages are charged to the cgroup of the task that first
 * allocates them, and a move does not carry old charges along): the page
 * cache the cache-state set-up and the replay bring in, the method's
 * buffers, mappings, page tables, io_uring rings and kernel memory
 * allocated while inside. Not charged: the trace records and the timed
 * chunk buffer (allocated and faulted in before the first join), the data
 * file's creation, and anything else the harness allocated before. What
 * the set-up charged beyond the data file's cached pages (buffers, rings,
 * kernel objects: 100-300 KiB) is added to the limit right before the
 * replay, so the replay's data gets SIZE (the model knows only the data);
 * what the method allocates during the replay (page tables) is charged
 * within it.
 *
 * Counters (one sample per recorded repetition, deltas over the access
 * phase): reclaim.scanned, reclaim.stolen, workingset.refaults, swap.out,
 * swap.in (pages). Each comes from the cgroup's memory.stat when the
 * cgroup's hierarchy has the key (v2: pgscan, pgsteal,
 * workingset_refault_anon + _file, pswpout, pswpin; v1: only the workingset
 * keys), else from /proc/vmstat (pgscan_anon + pgscan_file, pgsteal_anon +
 * pgsteal_file, workingset_refault_anon + _file, pswpout, pswpin), which is
 * system-wide: every other process's reclaim counts too, and the metric's
 * note says so. Without --mem-limit all five are /proc/vmstat deltas. A
 * key present nowhere makes the metric unsupported with the reason.
 */
#ifndef BENCH_CGROUP_H
#define BENCH_CGROUP_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

enum cg_version { CG_NONE = 0, CG_V1 = 1, CG_V2 = 2 };

/* One process's memory cgroup. */
struct cg {
	enum cg_version ver; /* hierarchy used (CG_NONE: not found yet) */
	char home[512];      /* cgroup directory the process was in (returned to on leave) */
	char parent[512];    /* <base>/mapbench */
	char path[576];      /* <parent>/mapbench-<pid> */
	uint64_t limit;      /* bytes as the kernel set it (read back) */
	int created;         /* path exists and is ours */
	int joined;          /* the process is inside path */
};

/*
 * Find a usable memory controller (v2 preferred, else v1) and fill ver,
 * home, parent and path. 0, or -errno with a message naming the path looked
 * at and the errno (-BENCH_E_HOST_LACKS when no hierarchy has a memory controller).
 */
int cg_find(struct cg *g, char *err, size_t len);
/* Remove stale mapbench-<pid> cgroups of dead pids under g->parent; returns how many. */
int cg_reap_stale(const struct cg *g);
/* mkdir g->path and set its limit to bytes. 0 or -errno + message. */
int cg_create(struct cg *g, uint64_t bytes, char *err, size_t len);
/* Move this process into g->path / back to g->home. 0 or -errno + message. */
int cg_join(struct cg *g, char *err, size_t len);
int cg_leave(struct cg *g, char *err, size_t len);
/* Leave when joined, rmdir g->path when created. 0 or -errno + message. */
int cg_remove(struct cg *g, char *err, size_t len);

/* The pressure counters. */
enum cg_metric { CGM_SCANNED, CGM_STOLEN, CGM_REFAULTS, CGM_SWAP_OUT, CGM_SWAP_IN, CGM__COUNT };

/* A run's cgroup and its counters, as the runner drives them. */
struct cg_run {
	struct cg g;                  /* the cgroup (ver CG_NONE without --mem-limit) */
	uint64_t limit;               /* --mem-limit bytes, 0 = none */
	int src[CGM__COUNT];          /* where each metric comes from: 0 none, 1 memory.stat, 2 /proc/vmstat */
	char reason[CGM__COUNT][160]; /* src 0: why unsupported */
	long long before[CGM__COUNT]; /* values at replay begin */
	double *samples[CGM__COUNT];  /* one per recorded repetition */
	size_t n, cap;                /* samples filled, room */
	uint64_t own;                 /* this repetition: the harness's charge the limit was raised by */
	double *own_kb;               /* ... per recorded repetition, KiB */
	int started;                  /* cg_run_start succeeded */
};

/*
 * Refuse what a limit cannot do: an anonymous region larger than limit with
 * no swap (/proc/swaps empty) would be OOM-killed, not reclaimed. 0 or
 * -BENCH_E_HOST_LACKS + message.
 */
int cg_run_check(uint64_t limit, int anon, uint64_t region, char *err, size_t len);
/* Lines of /proc/swaps after its header (0: no swap; -1: unreadable). */
int cg_swap_areas(void);
/*
 * The value of key in a file of "key value" lines (memory.stat,
 * /proc/vmstat), or with key NULL the file's first number
 * (memory.usage_in_bytes, memory.current); -1 when missing or unreadable.
 */
long long cg_stat(const char *path, const char *key);
/* Write val into the file name of g's cgroup (memory.max...). 0 or -errno + message. */
int cg_set(const struct cg *g, const char *name, const char *val, char *err, size_t len);
/*
 * Start: with limit != 0, find the controller (error when none is usable:
 * the option is never ignored), reap stale cgroups, install the exit hooks;
 * then choose each counter's source. reps = recorded repetitions.
 */
int cg_run_start(struct cg_run *r, uint64_t limit, unsigned reps, char *err, size_t len);
/* Per repetition, before the cache state: create the fresh cgroup and join (no-op without limit). */
int cg_run_enter(struct cg_run *r, char *err, size_t len);
/*
 * Around the access phase; end records a sample when record != 0. begin
 * raises the limit by the cgroup's charge beyond `cached` bytes (the data
 * file's pages the cache state put there): what the harness itself was
 * charged in the set-up, so that the replay's data gets --mem-limit bytes.
 */
void cg_run_replay_begin(struct cg_run *r, uint64_t cached);
void cg_run_replay_end(struct cg_run *r, int record);
/* After the method closed: leave and remove the cgroup (no-op without limit). */
int cg_run_exit(struct cg_run *r, char *err, size_t len);
/* Put the counters and a "memory_cgroup" note (what is charged) into the case. */
void cg_run_emit(const struct cg_run *r, json_t *co);
/* Remove whatever is left, uninstall the hooks, free (safe after a failed start). */
void cg_run_finish(struct cg_run *r);

#endif /* BENCH_CGROUP_H */
