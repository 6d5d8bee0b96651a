/*
 * bench/threads.c — --threads N: the trace split over N pthreads (threads.h).
 *
 * Split (case option split): blocks = thread t replays records
 * [t*n/N, (t+1)*n/N) of the trace, interleave = record i goes to thread
 * i mod N; each thread keeps trace order among its records. The split is
 * made once per run, from the decoded trace, outside every timed phase;
 * mapping methods get each thread's contiguous runs merged (acc.h, Runs),
 * as the single-thread replay does. Each thread replays its whole share in
 * one call (no chunking: nothing is decoded while the clock runs).
 *
 * Sharing: what the method's thread_open gives: mmap and anon threads use
 * the one mapping (one mm, so one set of page tables, one mmap_lock, and
 * TLB shootdowns when a PTE changes while another thread has the mm loaded);
 * read and io_uring threads use the one fd with positioned I/O; io_uring has
 * one ring per thread. fread refuses threads (acc_fread.c says why).
 *
 * Pinning: thread t is bound to the hwloc PU of logical index t mod P
 * (P PUs); with N > P, PUs are shared round robin and the case's "threads"
 * member says so. The harness's own thread stays where bench_pin put it and
 * sleeps in pthread_join during the phase.
 *
 * Timing: threads are created (per repetition, so the counters opened with
 * inherit = 1 count them) and wait at a gate; the runner's thread then reads
 * getrusage, switches the counters on, reads the clocks and opens the gate.
 * ns and cycles = from that release to the last thread's end (the wall time
 * of the access phase); thread.<i>.ns = from thread i's own start to its end.
 * The counters are switched off after the join, so they include the
 * threads' exit and the gate's futex calls: tracepoints.c counts those
 * (futex, rt_sigprocmask, exit, madvise) as syscalls.threads and takes them
 * out of syscalls, which is the method's own (test bench-direct-threads).
 *
 * Stacks: one mapping of N × THR_STACK bytes made and touched in thr_create,
 * so no repetition's page faults or page-table bytes (pt.bytes) include a
 * thread stack; the per-thread method state is allocated by the runner's
 * thread in the set-up phase (thr_open), so the workers allocate nothing.
 */
#include "bench/threads.h"
#include "bench/bench.h"
#include "common/mb.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#if HAVE_HWLOC
#include <hwloc.h>
#endif

#define THR_STACK (UINT64_C(256) << 10) /* bytes of stack per replay thread */

struct thr {
	struct thr_pool *p;       /* owner */
	unsigned idx;             /* thread number 0..N-1 */
	pthread_t tid;            /* the thread, while started */
	int started;              /* pthread_create succeeded this repetition */
	struct acc_ctx ctx;       /* per-thread method state (thread_open) */
	int opened;               /* thread_open called (thread_close due) */
	struct trace_rec *recs;   /* records to replay (merged runs for mapping methods) */
	size_t nr;                /* entries in recs */
	uint64_t nrec;            /* trace records in this thread's share */
	unsigned pu;              /* OS index of the PU it is bound to */
	unsigned char *stack;     /* THR_STACK bytes inside the pool's stack mapping */
	uint64_t t0, t1, c1;      /* own start (ns), end (ns), end (TSC) of the last repetition */
	int err;                  /* 0 or -errno of the last repetition (message in ctx.err) */
	double *ns_samples;       /* thread.<i>.ns per recorded repetition */
};

struct thr_pool {
	const struct acc_ops *m;  /* the method */
	unsigned n;               /* threads */
	enum an_split split;      /* how records were split */
	struct thr *t;            /* n threads */
	unsigned char *stacks;    /* n × THR_STACK bytes */
	size_t stacks_len;        /* bytes mapped at stacks */
	unsigned reps;            /* sample slots */
	unsigned npu;             /* PUs seen */
	char plan[200];           /* how threads are pinned (the case's "threads" member) */
	pthread_mutex_t mu;       /* gate lock */
	pthread_cond_t cv;        /* gate: ready count changed / go */
	unsigned ready;           /* threads waiting at the gate */
	int go;                   /* gate open */
	int abort;                /* a thread could not be created: replay nothing */
#if HAVE_HWLOC
	hwloc_topology_t topo;    /* for binding */
	int topo_ok;              /* topo loaded */
#endif
};

/* Assign PUs: thread t -> PU of logical index t mod P. */
static void plan_pus(struct thr_pool *p)
{
	unsigned npu = 0;
	char *w = p->plan;
	size_t left = sizeof(p->plan);

#if HAVE_HWLOC
	if (!hwloc_topology_init(&p->topo) && !hwloc_topology_load(p->topo)) {
		int k = hwloc_get_nbobjs_by_type(p->topo, HWLOC_OBJ_PU);
		p->topo_ok = 1;
		npu = k > 0 ? (unsigned)k : 0;
	}
	for (unsigned i = 0; i < p->n && npu; i++) {
		hwloc_obj_t pu = hwloc_get_obj_by_type(p->topo, HWLOC_OBJ_PU, i % npu);
		p->t[i].pu = pu ? pu->os_index : i % npu;
	}
#endif
	if (!npu) {
		long k = sysconf(_SC_NPROCESSORS_ONLN);
		npu = k > 0 ? (unsigned)k : 1;
		for (unsigned i = 0; i < p->n; i++)
			p->t[i].pu = i % npu;
	}
	p->npu = npu;
	int k = snprintf(w, left, "%s: thread i on PU %s", HAVE_HWLOC && p->npu ? "hwloc" : "sched_setaffinity",
			 p->n > npu ? "i mod PUs (round robin: more threads than PUs)" : "i (one PU each)");
	if (k > 0 && (size_t)k < left)
		snprintf(w + k, left - (size_t)k, ", %u PUs", npu);
}

/* Bind thread t to its PU (called by the runner's thread). */
static int bind_pu(struct thr_pool *p, struct thr *t)
{
#if HAVE_HWLOC
	if (p->topo_ok) {
		hwloc_obj_t pu = hwloc_get_pu_obj_by_os_index(p->topo, t->pu);
		if (pu && !hwloc_set_thread_cpubind(p->topo, t->tid, pu->cpuset, 0))
			return 0;
	}
#endif
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(t->pu, &set);
	return -pthread_setaffinity_np(t->tid, sizeof(set), &set);
}

struct thr_pool *thr_create(const struct an_case_opts *o, const struct acc_ops *m,
			    const struct trace_rec *recs, uint64_t n, unsigned reps, char *err,
			    size_t errlen)
{
	struct thr_pool *p;
	unsigned N = o->threads;

	if (!m->thread_open) {
		snprintf(err, errlen, "--threads %u: method %s does not run threaded: %s", N, m->name,
			 m->no_threads ? m->no_threads : "no per-thread state");
		return NULL;
	}
	if (!(p = calloc(1, sizeof(*p))) || !(p->t = calloc(N, sizeof(*p->t))))
		goto oom;
	p->m = m;
	p->n = N;
	p->split = o->split;
	p->reps = reps;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	for (unsigned i = 0; i < N; i++) {
		struct thr *t = &p->t[i];
		uint64_t lo = (uint64_t)i * n / N, hi = (uint64_t)(i + 1) * n / N;

		t->p = p;
		t->idx = i;
		t->ctx.fd = -1;
		t->nrec = o->split == AN_SPLIT_INTERLEAVE ? (n > i ? (n - i + N - 1) / N : 0) : hi - lo;
		if (!(t->recs = malloc((t->nrec ? t->nrec : 1) * sizeof(*t->recs))) ||
		    !(t->ns_samples = calloc(reps ? reps : 1, sizeof(double))))
			goto oom;
		for (uint64_t k = 0; k < t->nrec; k++) {
			const struct trace_rec *r =
				&recs[o->split == AN_SPLIT_INTERLEAVE ? i + k * N : lo + k];
			if (m->merge_runs)
				t->nr = acc_run_push(t->recs, t->nr, r);
			else
				t->recs[t->nr++] = *r;
		}
	}
	p->stacks_len = (size_t)(N * THR_STACK);
	p->stacks = mmap(NULL, p->stacks_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK,
			 -1, 0);
	if (p->stacks == MAP_FAILED) {
		p->stacks = NULL;
		goto oom;
	}
	memset(p->stacks, 0, p->stacks_len); /* faults and page tables now, not in a repetition */
	for (unsigned i = 0; i < N; i++)
		p->t[i].stack = p->stacks + (size_t)i * THR_STACK;
	plan_pus(p);
	return p;
oom:
	snprintf(err, errlen, "--threads %u: out of memory for the per-thread records and stacks", N);
	thr_destroy(p);
	return NULL;
}

void thr_destroy(struct thr_pool *p)
{
	if (!p)
		return;
	if (p->t) {
		thr_close(p);
		for (unsigned i = 0; i < p->n; i++) {
			free(p->t[i].recs);
			free(p->t[i].ns_samples);
		}
	}
	if (p->stacks)
		munmap(p->stacks, p->stacks_len);
#if HAVE_HWLOC
	if (p->topo_ok)
		hwloc_topology_destroy(p->topo);
#endif
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	free(p->t);
	free(p);
}

int thr_open(struct thr_pool *p, const struct acc_ctx *c, char *err, size_t errlen)
{
	for (unsigned i = 0; i < p->n; i++) {
		struct thr *t = &p->t[i];
		int e;

		memset(&t->ctx, 0, sizeof(t->ctx));
		t->ctx.opts = c->opts;
		t->ctx.path = c->path;
		t->ctx.region = c->region;
		t->ctx.maxlen = c->maxlen;
		t->ctx.sequential = c->sequential;
		t->ctx.writes = c->writes;
		t->ctx.fd = -1;
		t->ctx.pte_base_kb = -1;
		t->opened = 1;
		if ((e = p->m->thread_open(&t->ctx, c))) {
			snprintf(err, errlen, "thread %u: %s", i, t->ctx.err[0] ? t->ctx.err : strerror(-e));
			return e;
		}
	}
	return 0;
}

void thr_close(struct thr_pool *p)
{
	for (unsigned i = 0; i < p->n; i++)
		if (p->t[i].opened) {
			p->m->thread_close(&p->t[i].ctx);
			p->t[i].opened = 0;
		}
}

static void *worker(void *arg)
{
	struct thr *t = arg;
	struct thr_pool *p = t->p;
	int e = 0;

	pthread_mutex_lock(&p->mu);
	p->ready++;
	pthread_cond_broadcast(&p->cv);
	while (!p->go)
		pthread_cond_wait(&p->cv, &p->mu);
	pthread_mutex_unlock(&p->mu);
	t->t0 = mb_now_ns();
	if (!p->abort) {
		e = p->m->replay(&t->ctx, t->recs, t->nr);
		if (!e && p->m->drain)
			e = p->m->drain(&t->ctx);
	}
	t->c1 = bench_tsc();
	t->t1 = mb_now_ns();
	t->err = e;
	return NULL;
}

int thr_access(struct thr_pool *p, struct acc_ctx *c, uint64_t *tsc, uint64_t *ns,
	       unsigned *ndisable, struct os_usage *ru, char *err, size_t errlen)
{
	struct os_usage u0, u1;
	uint64_t n0, c0, end_ns = 0, end_tsc = 0;
	unsigned created = 0;
	int e = 0;

	p->ready = 0;
	p->go = 0;
	p->abort = 0;
	for (unsigned i = 0; i < p->n; i++) {
		struct thr *t = &p->t[i];
		pthread_attr_t a;

		t->started = 0;
		t->err = 0;
		pthread_attr_init(&a);
		pthread_attr_setstack(&a, t->stack, (size_t)THR_STACK);
		e = -pthread_create(&t->tid, &a, worker, t);
		pthread_attr_destroy(&a);
		if (e) {
			snprintf(err, errlen, "thread %u of %u: pthread_create: %s", i, p->n, strerror(-e));
			break;
		}
		t->started = 1;
		created++;
		if ((e = bind_pu(p, t))) {
			snprintf(err, errlen, "thread %u: binding to PU %u: %s", i, t->pu, strerror(-e));
			break;
		}
	}
	pthread_mutex_lock(&p->mu);
	while (p->ready < created)
		pthread_cond_wait(&p->cv, &p->mu);
	p->abort = e != 0;
	pthread_mutex_unlock(&p->mu);
	os_usage_now(&u0);
	if (!e)
		ctr_enable();
	n0 = mb_now_ns();
	c0 = bench_tsc();
	pthread_mutex_lock(&p->mu);
	p->go = 1; /* release */
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	for (unsigned i = 0; i < p->n; i++) {
		struct thr *t = &p->t[i];

		if (!t->started)
			continue;
		pthread_join(t->tid, NULL);
		t->started = 0;
		if (t->t1 > end_ns)
			end_ns = t->t1;
		if (t->c1 > end_tsc)
			end_tsc = t->c1;
	}
	if (!e)
		ctr_disable();
	os_usage_now(&u1);
	*ns = end_ns > n0 ? end_ns - n0 : 0;
	*tsc = end_tsc > c0 ? end_tsc - c0 : 0;
	*ndisable = 1;
	ru->minflt = u1.minflt - u0.minflt;
	ru->majflt = u1.majflt - u0.majflt;
	ru->inblock = u1.inblock - u0.inblock;
	if (e)
		return e;
	for (unsigned i = 0; i < p->n; i++) {
		struct thr *t = &p->t[i];

		if (t->err && !e) {
			e = t->err;
			snprintf(err, errlen, "%s thread %u: %s", p->m->name, i,
				 t->ctx.err[0] ? t->ctx.err : strerror(-e));
		}
		c->sum += t->ctx.sum;
		c->bytes_read += t->ctx.bytes_read;
		c->bytes_written += t->ctx.bytes_written;
		c->bytes_extra += t->ctx.bytes_extra;
	}
	return e;
}

void thr_record(struct thr_pool *p, unsigned slot)
{
	for (unsigned i = 0; i < p->n && slot < p->reps; i++)
		p->t[i].ns_samples[slot] = (double)(p->t[i].t1 - p->t[i].t0);
}

void thr_emit(const struct thr_pool *p, json_t *co, unsigned nsamp)
{
	json_t *o = json_object();
	char name[64];

	for (unsigned i = 0; i < p->n; i++) {
		snprintf(name, sizeof(name), "thread.%u.ns", i);
		an_case_set_samples(co, name, "ns", p->t[i].ns_samples, nsamp);
		snprintf(name, sizeof(name), "thread.%u.records", i);
		an_case_set_value(co, name, "count", (double)p->t[i].nrec);
	}
	json_object_set_new(o, "n", json_integer(p->n));
	json_object_set_new(o, "split", json_string(an_split_name(p->split)));
	json_object_set_new(o, "pinning", json_string(p->plan));
	json_object_set_new(o, "time", json_string(
		"ns, cycles: from the release of the threads to the last thread's end (wall); "
		"thread.<i>.ns: thread i's own start to end; counters include every thread "
		"(perf inherit), their exit and the release/join futex calls, except syscalls, which "
		"leaves those out (syscalls.threads)"));
	json_object_set_new(co, "threads", o);
}
