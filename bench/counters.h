/*
 * bench/counters.h — counters read around the access phase (internal):
 * PMU and software events through perf_event_open (pmu.c, libpfm4 encoding),
 * tracepoints (tracepoints.c), all created disabled and switched on and off
 * together with prctl(PR_TASK_PERF_EVENTS_ENABLE/DISABLE), so the phase
 * boundary costs one syscall each way. Each counter keeps one sample per
 * repetition; a counter that could not be opened keeps a status and a reason
 * and is reported without a value (never 0).
 */
#ifndef BENCH_COUNTERS_H
#define BENCH_COUNTERS_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "analysis/result.h"

#define CTR_MAX 48          /* counters in one set */
#define CTR_MAX_REPS 100000 /* samples per counter */
#define CTR_XFD 1023        /* extra fds of one counter (CPUs x variants, 1024 in all) */

enum ctr_kind {
	CTR_PMU = 0,   /* hardware or software event (pmu.c) */
	CTR_TP,        /* tracepoint (tracepoints.c) */
	CTR_DERIVED,   /* computed from two others: a - b (kernel = total - user) or a + b */
	CTR_PROC,      /* a system-wide count read from /proc (proc_read), delta from ctr_reset to ctr_read */
};

struct ctr {
	char metric[64];        /* result metric name, e.g. "faults.total" */
	char event[128];        /* event as asked / encoded, e.g. "page-faults" */
	const char *unit;       /* "count", "folios", "cycles" */
	enum ctr_kind kind;     /* where it comes from */
	int fd;                 /* perf fd, -1 when not open */
	int derived_a, derived_b; /* CTR_DERIVED: indexes of the operands */
	int derived_add;        /* CTR_DERIVED: a + b instead of a - b */
	int syscall_bias;       /* counts the disabling prctl: subtract 1 per disable */
	int minus;              /* 1 + index of a counter whose sample is subtracted from this one's (0: none) */
	enum an_status status;  /* OK when open (MULTIPLEXED set at read) */
	char reason[240];       /* why not OK */
	double *samples;        /* one scaled value per repetition */
	size_t nsamples;        /* samples filled */
	double min_ratio;       /* smallest time_running/time_enabled seen (1 = never multiplexed) */
	uint64_t base[3];       /* value, enabled, running at ctr_reset (inherited counts survive a reset) */
	long long (*proc_read)(void); /* CTR_PROC: current count, < 0 when unreadable */
	char note[160];         /* OK counters: where the count comes from, when not obvious (JSON "note") */
	int xfd[CTR_XFD];       /* CPU-wide or per-order tracepoints: the fds beyond fd, summed */
	uint8_t xshift[CTR_XFD]; /* ... each count times 2^xshift (folio order: pages) */
	unsigned nxfd;          /* used in xfd */
};

struct ctr_set {
	struct ctr c[CTR_MAX];  /* counters, in report order */
	size_t n;               /* used */
	char note[256];         /* how events were encoded (libpfm4 / generic fallback) */
	int inherit;            /* open events with inherit = 1 (count threads created later); set before adding */
};

void ctr_set_init(struct ctr_set *s);
void ctr_set_fini(struct ctr_set *s);
/* Append a counter slot; NULL when full. */
struct ctr *ctr_new(struct ctr_set *s, const char *metric, const char *event, const char *unit,
		    enum ctr_kind kind);
/* Map perf_event_open's errno to a status and a reason naming the event. */
void ctr_set_open_error(struct ctr *c, int err);

/*
 * Add events (comma-separated libpfm4 / perf names; NULL = the default set:
 * cycles, instructions, dTLB-load-misses, dTLB-store-misses, page-walk events
 * of the host PMU, page-faults, minor-faults, major-faults).
 */
int pmu_add_events(struct ctr_set *s, const char *list, char *err, size_t errlen);
/* The libpfm4 default core PMU name, or NULL; kernel PMU present (sysfs cpu). */
const char *pmu_libpfm_name(void);
int pmu_kernel_has_cpu_pmu(void);
/* Metric name for an event name ("page-faults" -> "faults.total"). */
const char *pmu_metric_for(const char *event);

/* Tracepoint directory (mounting tracefs when root and absent), or NULL + reason. */
const char *tp_events_dir(char *reason, size_t len);
/*
 * Add the default tracepoints (needs root or paranoid -1; otherwise
 * not-permitted), the TLB flush counts by reason (tlb.shootdowns,
 * tlb.flush.local, tlb.flush.remote_received) and the lock ones
 * (mmap_lock.acquires, lock.rwsem_waits); see tracepoints.c.
 */
void tp_add_default(struct ctr_set *s);
/*
 * cache.evicted: pages (folios x 2^order) of the file at path removed from the page cache
 * during the phase by any task on any CPU (filemap:mm_filemap_delete_from_page_cache
 * filtered on its device and inode: kdamond, kswapd, direct reclaim,
 * truncation). Root only (a CPU-wide event); otherwise not-permitted.
 */
void tp_add_file_evictions(struct ctr_set *s, const char *path);
/* Sum over CPUs of the "TLB:" line of /proc/interrupts (shootdown IPIs received), or -1. */
long long tp_interrupts_tlb(void);

/* Per repetition: reset, enable (prctl), ..., disable (prctl), read. */
void ctr_reset(struct ctr_set *s);
void ctr_enable(void);
void ctr_disable(void);
/* Read every open counter, append one sample; ndisable = prctl disables in the phase. */
void ctr_read(struct ctr_set *s, unsigned ndisable);
/* Forget the last sample of every counter of s (a repetition that is not recorded); NULL: nothing. */
void ctr_drop_last(struct ctr_set *s);
/* Put every counter into the case: samples, scaled, or status + reason. */
void ctr_emit(const struct ctr_set *s, json_t *case_obj);

/* OS counters outside perf: getrusage deltas. */
struct os_usage {
	long minflt, majflt, inblock, oublock, nvcsw, nivcsw; /* getrusage(RUSAGE_SELF) fields */
};
void os_usage_now(struct os_usage *u);

#endif /* BENCH_COUNTERS_H */
