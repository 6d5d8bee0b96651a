/*
 * bench/tests/test_direct_threads.c — issue 16's native parts on this host
 * (suite integration, not parallel): O_DIRECT (read,direct, io_uring,direct)
 * is refused on tmpfs with a message naming the file system and the path;
 * over a cold file it folds the definition's checksum (unaligned records
 * widened, unaligned writes read-modify-written: a second repetition reads
 * the bytes the first wrote), counts the widening exactly and adds (almost)
 * no folio to the page cache where plain read adds one per page touched;
 * --threads splits blocks / interleave into exactly the stated shares,
 * which sum to the trace, with the single-thread checksum for every
 * threaded method; fread and mixed-op anon refuse threads with a reason;
 * two mmap threads that read then write pages of a MAP_PRIVATE file (COW of
 * present PTEs) make the kernel send TLB shootdown IPIs (tlb.shootdowns > 0)
 * on a host with two CPUs or more. Missing tmpfs, tracepoints, io_uring or
 * a second CPU: SKIP with the reason.
 */
#include "analysis/result.h"
#include "bench/acc.h"
#include "bench/bench.h"
#include "common/mb.h"
#include "common/tap.h"
#include "bench/tests/harness_test.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#define KiB (UINT64_C(1) << 10)
#define MiB (UINT64_C(1) << 20)

static struct an_result *res;
static char last_err[1024];

/* Run recs as a case; NULL with last_err set when bench_run refuses or fails. */
static json_t *run(const struct trace_rec *recs, size_t n, uint64_t region, int anon,
		   const struct an_case_opts *o, const char *dir, unsigned reps,
		   struct bench_summary *sum)
{
	return bt_run(res, recs, n, region, anon, o, "page-faults", dir, reps, sum, last_err,
		      sizeof(last_err));
}

#define metric bt_metric
#define ref_sum bt_ref_sum

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next(void)
{
	rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
	return rng;
}

/* Methods that take --direct in this build. */
static const enum an_method direct_methods[] = { AN_METHOD_READ,
#if HAVE_LIBURING
	AN_METHOD_URING,
#endif
};

static void tmpfs_refusal(void)
{
	struct statfs sf;
	char dir[256];
	struct trace_rec r[16];

	snprintf(dir, sizeof(dir), "/dev/shm/mapbench-direct-test-%d", (int)getpid());
	if (statfs("/dev/shm", &sf) || (unsigned long)sf.f_type != 0x01021994) {
		tap_skip("/dev/shm is not a tmpfs here: no tmpfs to refuse O_DIRECT on");
		return;
	}
	for (size_t i = 0; i < 16; i++)
		r[i] = (struct trace_rec){ i * 4096, 4096, TRACE_OP_READ };
	for (size_t k = 0; k < MB_ARRAY_SIZE(direct_methods); k++) {
		struct an_case_opts o;
		struct bench_summary s;
		json_t *co;

		an_case_opts_default(&o);
		o.method = direct_methods[k];
		o.direct = 1;
		o.cache = AN_CACHE_COLD;
		co = run(r, 16, 64 * KiB, 0, &o, dir, 1, &s);
		tap_ok(!co && strstr(last_err, "tmpfs") && strstr(last_err, dir),
		       "%s,direct on %s refused naming tmpfs and the path: %s",
		       an_method_name(o.method), dir, last_err);
	}
	rmdir(dir);
}

/* Sum of the alignment widening read,direct/io_uring,direct report for read records. */
static uint64_t widening(const struct trace_rec *r, size_t n)
{
	uint64_t x = 0;

	for (size_t i = 0; i < n; i++)
		x += acc_direct_hi(r[i].off + r[i].len) - acc_direct_lo(r[i].off) - r[i].len;
	return x;
}

static void direct_cold(void)
{
	const uint64_t region = 8 * MiB;
	enum { N = 3000 };
	struct trace_rec *r = calloc(N, sizeof(*r));
	uint64_t want;
	double plain_added = -1;
	enum an_status st;

	/* random unaligned reads, 1..9000 bytes */
	for (size_t i = 0; i < N; i++) {
		uint32_t len = 1 + (uint32_t)(next() % 9000);
		r[i] = (struct trace_rec){ next() % (region - len), len, TRACE_OP_READ };
	}
	want = ref_sum(r, N);
	{
		struct an_case_opts o;
		struct bench_summary s;
		an_case_opts_default(&o);
		o.method = AN_METHOD_READ;
		o.cache = AN_CACHE_COLD;
		json_t *co = run(r, N, region, 0, &o, NULL, 1, &s);
		if (!co)
			tap_diag("read cold: %s", last_err);
		plain_added = metric(co, "pagecache.added", &st);
		if (st != AN_STATUS_OK)
			plain_added = -1;
	}
	for (size_t k = 0; k < MB_ARRAY_SIZE(direct_methods); k++) {
		struct an_case_opts o;
		struct bench_summary s;
		json_t *co;
		const char *mn = an_method_name(direct_methods[k]);

		an_case_opts_default(&o);
		o.method = direct_methods[k];
		o.direct = 1;
		o.cache = AN_CACHE_COLD;
		co = run(r, N, region, 0, &o, NULL, 1, &s);
		if (!tap_ok(co != NULL, "%s,direct over a cold file runs%s%s", mn, co ? "" : ": ", last_err))
			continue;
		tap_ok(s.checksum == want, "%s,direct: checksum 0x%016llx = definition 0x%016llx", mn,
		       (unsigned long long)s.checksum, (unsigned long long)want);
		tap_ok(metric(co, "direct.extra_bytes", NULL) == (double)widening(r, N),
		       "%s,direct: direct.extra_bytes %g = the 4 KiB widening of the records %llu", mn,
		       metric(co, "direct.extra_bytes", NULL), (unsigned long long)widening(r, N));
		double added = metric(co, "pagecache.added", &st);
		if (st != AN_STATUS_OK || plain_added < 0)
			tap_skip("pagecache.added is %s (tracepoint filemap:mm_filemap_add_to_page_cache): run as root",
				 an_status_name(st));
		else
			/* plain read of the same trace brings in well over 1000 folios (8 MiB, random) */
			tap_ok(added <= 2 && plain_added >= 100,
			       "%s,direct adds %g folios to the page cache (<= 2); plain read cold adds %g", mn,
			       added, plain_added);
	}
	free(r);
}

/* Unaligned writes through read,direct: read-modify-write keeps the file's pattern. */
static void direct_writes(void)
{
	const uint64_t region = 4 * MiB;
	enum { N = 2000 };
	struct trace_rec *r = calloc(N, sizeof(*r));
	struct an_case_opts o;
	struct bench_summary s;
	json_t *co;

	for (size_t i = 0; i < N; i++) {
		uint32_t len = 1 + (uint32_t)(next() % 6000);
		r[i] = (struct trace_rec){ next() % (region - len), len,
					   (uint8_t)(next() % 2 ? TRACE_OP_WRITE : TRACE_OP_READ) };
	}
	an_case_opts_default(&o);
	o.method = AN_METHOD_READ;
	o.direct = 1;
	o.cache = AN_CACHE_COLD;
	co = run(r, N, region, 0, &o, NULL, 2, &s);
	/* repetition 2 reads bytes repetition 1 wrote: a broken read-modify-write changes its checksum */
	tap_ok(co && s.checksum == ref_sum(r, N),
	       "read,direct with unaligned writes, 2 repetitions: checksum 0x%016llx = definition 0x%016llx%s%s",
	       (unsigned long long)s.checksum, (unsigned long long)ref_sum(r, N), co ? "" : ": ", last_err);
#if HAVE_LIBURING
	o.method = AN_METHOD_URING;
	co = run(r, N, region, 0, &o, NULL, 1, &s);
	tap_ok(!co && strstr(last_err, "not 4 KiB aligned"),
	       "io_uring,direct refuses an unaligned write record: %s", last_err);
#endif
	free(r);
}

/* Shares of split: the stated formula, summing to n; threaded checksum = single-thread one. */
static void splits(void)
{
	const uint64_t region = 4 * MiB;
	enum { N = 1001, T = 3 };
	struct trace_rec *r = calloc(N, sizeof(*r));
	static const enum an_method ms[] = { AN_METHOD_MMAP, AN_METHOD_READ,
#if HAVE_LIBURING
		AN_METHOD_URING,
#endif
	};
	uint64_t want;

	for (size_t i = 0; i < N; i++) {
		uint32_t len = 1 + (uint32_t)(next() % 5000);
		r[i] = (struct trace_rec){ next() % (region - len), len,
					   (uint8_t)(next() % 10 < 3 ? TRACE_OP_WRITE : TRACE_OP_READ) };
	}
	want = ref_sum(r, N);
	for (int sp = 0; sp < AN_SPLIT__COUNT; sp++)
		for (size_t k = 0; k < MB_ARRAY_SIZE(ms); k++)
			for (int direct = 0; direct <= (ms[k] != AN_METHOD_MMAP && ms[k] != AN_METHOD_URING); direct++) {
				struct an_case_opts o;
				struct bench_summary s;
				json_t *co;
				double got[T], total = 0;
				int exact = 1;

				an_case_opts_default(&o);
				o.method = ms[k];
				o.threads = T;
				o.split = (enum an_split)sp;
				o.direct = direct;
				o.cache = direct ? AN_CACHE_COLD : AN_CACHE_WARM_READ;
				co = run(r, N, region, 0, &o, NULL, 1, &s);
				if (!tap_ok(co != NULL, "%s%s threads=%d split=%s runs%s%s", an_method_name(o.method),
					    direct ? ",direct" : "", T, an_split_name(o.split), co ? "" : ": ", last_err))
					continue;
				for (int t = 0; t < T; t++) {
					char name[32];
					uint64_t lo = (uint64_t)t * N / T, hi = (uint64_t)(t + 1) * N / T;
					double expect = sp == AN_SPLIT_BLOCKS ? (double)(hi - lo)
									      : (double)((N - t + T - 1) / T);
					snprintf(name, sizeof(name), "thread.%d.records", t);
					got[t] = metric(co, name, NULL);
					total += got[t];
					exact &= got[t] == expect;
					snprintf(name, sizeof(name), "thread.%d.ns", t);
					exact &= metric(co, name, NULL) > 0;
				}
				tap_ok(exact && total == N,
				       "%s%s split=%s: thread records %g + %g + %g = %d, each as the split states, "
				       "thread.<i>.ns present", an_method_name(o.method), direct ? ",direct" : "",
				       an_split_name(o.split), got[0], got[1], got[2], N);
				tap_ok(s.checksum == want, "%s%s split=%s: checksum 0x%016llx = single-thread definition 0x%016llx",
				       an_method_name(o.method), direct ? ",direct" : "", an_split_name(o.split),
				       (unsigned long long)s.checksum, (unsigned long long)want);
				/* syscalls are the method's: one pread/pwrite per record for read (and the
				   read of an unaligned O_DIRECT write's span first), none for mmap; the
				   threads' futex/exit calls are syscalls.threads (> 0) */
				enum an_status st, stt;
				double sc = metric(co, "syscalls", &st), th = metric(co, "syscalls.threads", &stt);
				double expect_sc = o.method == AN_METHOD_READ ? N : 0;
				for (size_t i = 0; direct && i < N; i++)
					expect_sc += r[i].op == TRACE_OP_WRITE && ((r[i].off | r[i].len) & 4095);
				if (o.method == AN_METHOD_URING)
					;
				else if (st == AN_STATUS_OK && stt == AN_STATUS_OK)
					tap_ok(sc == expect_sc && th > 0,
					       "%s%s split=%s: syscalls %g = %g (the method's), syscalls.threads %g apart",
					       an_method_name(o.method), direct ? ",direct" : "", an_split_name(o.split), sc,
					       expect_sc, th);
				else
					tap_skip("syscalls %s (tracepoints need root)", an_status_name(st));
			}
	free(r);
}

static void refusals(void)
{
	struct trace_rec r[8];
	struct an_case_opts o;
	struct bench_summary s;
	json_t *co;

	for (size_t i = 0; i < 8; i++)
		r[i] = (struct trace_rec){ i * 4096, 64, (uint8_t)(i % 2 ? TRACE_OP_WRITE : TRACE_OP_READ) };
	an_case_opts_default(&o);
	o.method = AN_METHOD_FREAD;
	o.threads = 2;
	co = run(r, 8, 64 * KiB, 0, &o, NULL, 1, &s);
	tap_ok(!co && strstr(last_err, "fread") && strstr(last_err, "--threads 2"),
	       "fread --threads 2 refused with the reason: %s", last_err);
	an_case_opts_default(&o);
	o.method = AN_METHOD_ANON;
	o.cache = AN_CACHE_NONE;
	o.threads = 2;
	co = run(r, 8, 64 * KiB, 1, &o, NULL, 1, &s);
	tap_ok(!co && strstr(last_err, "anon") && strstr(last_err, "deterministic"),
	       "anon --threads 2 over mixed reads and writes refused with the reason: %s", last_err);
}

static void shootdowns(void)
{
	const uint64_t region = 16 * MiB;
	enum { N = 8192 };
	struct trace_rec *r = calloc(N, sizeof(*r));
	struct an_case_opts o;
	struct bench_summary s;
	enum an_status st;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	json_t *co;

	if (ncpu < 2) {
		free(r);
		tap_skip("one CPU online: no other CPU to send a TLB shootdown to");
		return;
	}
	/* each page read (mapped read-only from the page cache), then written (COW of a present PTE) */
	for (size_t i = 0; i < N / 2; i++) {
		uint64_t page = next() % (region / 4096);
		r[2 * i] = (struct trace_rec){ page * 4096, 64, TRACE_OP_READ };
		r[2 * i + 1] = (struct trace_rec){ page * 4096 + 64, 64, TRACE_OP_WRITE };
	}
	an_case_opts_default(&o);
	o.method = AN_METHOD_MMAP;
	o.threads = 2;
	o.split = AN_SPLIT_INTERLEAVE; /* both threads touch pages all over the file at the same time */
	o.cache = AN_CACHE_WARM_READ;
	co = run(r, N, region, 0, &o, NULL, 1, &s);
	double sd = metric(co, "tlb.shootdowns", &st);
	json_t *m = co ? an_case_metric(co, "tlb.shootdowns") : NULL;
	const char *ev = m ? json_string_value(json_object_get(m, "event")) : NULL;
	if (!co)
		tap_ok(0, "mmap threads=2 read-then-write replay runs: %s", last_err);
	else if (st != AN_STATUS_OK || !ev || strncmp(ev, "tlb:", 4))
		tap_skip("tlb.shootdowns is %s from %s (tracepoint tlb:tlb_flush needs root)", an_status_name(st),
			 ev ? ev : "nothing");
	else
		tap_ok(sd > 0, "mmap threads=2, read then write each page (COW of present PTEs): "
		       "tlb.shootdowns %g > 0 (tlb.flush.local %g, tlb.flush.remote_received %g, interrupts.tlb %g system-wide)", sd,
		       metric(co, "tlb.flush.local", NULL), metric(co, "tlb.flush.remote_received", NULL),
		       metric(co, "interrupts.tlb", NULL));
	free(r);
}

int main(void)
{
	res = an_result_create();
	tmpfs_refusal();
	direct_cold();
	direct_writes();
	splits();
	refusals();
	shootdowns();
	an_result_destroy(res);
	return tap_done();
}
