/*
 * sim/tests/bench_sim.c — model speed (meson benchmark, not a test): accesses
 * per second through the whole mmap method over a 1 GiB file cached in 1 MiB
 * folios (warm-write:1M), for sequential 64-byte reads (TLB hits dominate)
 * and uniform random 64-byte reads (walks dominate). Targets: 100 M/s and
 * 30 M/s. Also prints the model's memory for the random case and, first,
 * the process's peak RSS before and after streaming 10^9 records.
 * Each profile runs REPS times (interleaved sequential and random runs) and
 * the median, best and worst rates are printed: the host is a shared VM
 * whose speed varies between runs, so a single figure means little.
 * Usage: bench_sim [ACCESSES [PROFILE [REPS]]] (default: the stream, then
 * 16 Mi accesses per run, both profiles, 5 repetitions; with ACCESSES no
 * stream, e.g. under a profiler).
 */
#include <sys/resource.h>

#include "simtest.h"
#include "sim/sim_int.h"
#include "common/mb.h"

#define GiB (UINT64_C(1) << 30)

static uint64_t xs(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static double run(const struct sim_profile *p, int random, uint64_t N)
{
	struct an_case_opts o;
	struct trace_hdr h;
	struct sim *s;
	struct sim_stats st;
	static struct trace_rec recs[4096];
	char err[512];
	uint64_t x = 88172645463325252ull, off = 0, t0, t1;

	an_case_opts_default(&o);
	o.method = AN_METHOD_MMAP;
	o.cache = AN_CACHE_WARM_WRITE;
	o.cache_req = 1 << 20;
	memset(&h, 0, sizeof(h));
	h.region_kind = TRACE_REGION_FILE;
	h.region_size = GiB;
	if (sim_create(p, &o, &h, &s, err, sizeof(err))) {
		printf("sim_create: %s\n", err);
		return 0;
	}
	t0 = mb_now_ns();
	for (uint64_t i = 0; i < N; i += 4096) {
		for (int k = 0; k < 4096; k++) {
			recs[k].off = random ? (xs(&x) % (GiB / 64)) * 64 : off;
			recs[k].len = 64;
			recs[k].op = TRACE_OP_READ;
			off = (off + 64) % GiB;
		}
		sim_access(s, recs, 4096);
	}
	t1 = mb_now_ns();
	sim_finish(s, &st);
	printf("%-8s %llu accesses in %.3f s: %.1f M accesses/s (faults %llu, walks %llu, model chunks %llu = %.1f MiB)\n",
	       random ? "random" : "seq", (unsigned long long)N, (double)(t1 - t0) / 1e9,
	       (double)N / ((double)(t1 - t0) / 1e3), (unsigned long long)st.st[SIM_ST_FAULTS],
	       (unsigned long long)st.mmu[MMU_ST_STLB_MISS], (unsigned long long)s->nchunks,
	       (double)s->nchunks * sizeof(struct chunk) / (1 << 20));
	sim_destroy(s);
	return (double)N / ((double)(t1 - t0) / 1e3);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* "median M (best B, worst W) over n runs" of rates r[0..n) (sorted in place). */
static void summary(const char *what, double *r, int n, double target)
{
	qsort(r, (size_t)n, sizeof(*r), cmp_double);
	double med = n % 2 ? r[n / 2] : (r[n / 2 - 1] + r[n / 2]) / 2;
	printf("%-8s median %.1f M accesses/s (best %.1f, worst %.1f) over %d runs: target %.0f %s\n",
	       what, med, r[n - 1], r[0], n, target, med >= target ? "met" : "NOT met");
}

/* Peak RSS of this process image in KiB: VmHWM (getrusage's ru_maxrss also
   counts the parent's before exec: under meson, Python's ~30 MiB). */
static uint64_t maxrss_kib(void)
{
	char line[256];
	unsigned long long kib = 0;
	FILE *f = fopen("/proc/self/status", "r");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmHWM: %llu kB", &kib) == 1)
			break;
	if (f)
		fclose(f);
	if (!kib) {                             /* no procfs: the rusage figure */
		struct rusage ru;
		getrusage(RUSAGE_SELF, &ru);
		kib = (unsigned long long)ru.ru_maxrss;
	}
	return kib;
}

int main(int argc, char **argv)
{
	struct sim_profile p;
	uint64_t N = UINT64_C(16) << 20;        /* accesses per run (argv[1] overrides) */
	int reps = 5;                           /* runs per profile and pattern (argv[3]) */
	double seq[64], rnd[64];

	static const char *const profs[] = { "vm-host", "intel-server" };
	if (argc > 1)
		N = (strtoull(argv[1], NULL, 10) + 4095) / 4096 * 4096;
	if (argc > 3)
		reps = atoi(argv[3]);
	if (reps < 1 || reps > 64) {
		printf("bench_sim: repetitions %d outside 1..64\n", reps);
		return 2;
	}
	if (argc == 1) {
		/* memory while streaming 10^9 records: the model keeps per-2 MiB-range
		   state, so the process's peak RSS must not grow with the records */
		uint64_t before = maxrss_kib();
		st_profile("intel-server", &p);
		printf("stream: 10^9 sequential 64-byte records over 1 GiB, intel-server profile\n");
		run(&p, 0, UINT64_C(1000000000) / 4096 * 4096);
		printf("stream: peak RSS %.1f MiB before, %.1f MiB after\n", (double)before / 1024,
		       (double)maxrss_kib() / 1024);
	}
	for (int k = 0; k < 2; k++) {
		if (argc > 2 && strcmp(argv[2], profs[k]) != 0)
			continue;
		st_profile(profs[k], &p);
		printf("model speed, mmap method, 1 GiB file in 1 MiB folios, %s profile "
		       "(targets: seq 100 M/s, random 30 M/s)\n", profs[k]);
		for (int rep = 0; rep < reps; rep++) {
			seq[rep] = run(&p, 0, N);
			rnd[rep] = run(&p, 1, N);
		}
		summary("seq", seq, reps, 100);
		summary("random", rnd, reps, 30);
	}
	return 0;
}
