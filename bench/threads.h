/*
 * bench/threads.h — the threaded replay of --threads N (internal to the
 * runner, threads.c): the trace split over N pthreads, each pinned to its
 * own PU, replaying through one method's shared state (one mapping, or one
 * fd) with per-thread buffers/rings (acc_ops.thread_open).
 *
 * Life cycle, per run: thr_create (split the records, stacks, PU plan) ->
 * per repetition: thr_open (set-up phase: per-thread method state) ->
 * thr_access (access phase: create threads, barrier, release, join) ->
 * thr_record (per-thread samples) -> thr_close (before the method's close)
 * -> thr_emit (metrics thread.<i>.ns, thread.<i>.records) -> thr_destroy.
 * Invariant: the per-thread record counts sum to the trace's record count.
 */
#ifndef BENCH_THREADS_H
#define BENCH_THREADS_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "bench/acc.h"
#include "bench/counters.h"

struct thr_pool;

/*
 * Split recs[0..n) (the whole decoded trace) over o->threads threads by
 * o->split; mapping methods (m->merge_runs) get each thread's contiguous
 * runs merged (acc.h, Runs). reps = samples to keep. NULL + message in err
 * when the method refuses threads or memory runs out.
 */
struct thr_pool *thr_create(const struct an_case_opts *o, const struct acc_ops *m,
			    const struct trace_rec *recs, uint64_t n, unsigned reps, char *err,
			    size_t errlen);
void thr_destroy(struct thr_pool *p); /* accepts NULL */
/* Set-up phase: per-thread method state from the opened c. 0 or -errno, message in err. */
int thr_open(struct thr_pool *p, const struct acc_ctx *c, char *err, size_t errlen);
/* Undo thr_open (safe after a failed one); before the method's close. */
void thr_close(struct thr_pool *p);
/*
 * The access phase with N threads: threads created and waiting at a
 * barrier, then counters on, clocks read, barrier released; each thread
 * replays and drains its records; *ns and *tsc = from the release to the last
 * thread's end; counters off after the join. The threads' sums and bytes are
 * added into c. *ru gets the getrusage deltas (whole process) of the window.
 */
int thr_access(struct thr_pool *p, struct acc_ctx *c, uint64_t *tsc, uint64_t *ns,
	       unsigned *ndisable, struct os_usage *ru, char *err, size_t errlen);
/* Keep the last thr_access's per-thread figures as sample `slot`. */
void thr_record(struct thr_pool *p, unsigned slot);
/* Put thread.<i>.ns (samples) and thread.<i>.records into the case, and its "threads" member. */
void thr_emit(const struct thr_pool *p, json_t *co, unsigned nsamp);

#endif /* BENCH_THREADS_H */
