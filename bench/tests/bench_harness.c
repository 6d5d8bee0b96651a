/*
 * bench/tests/bench_harness.c — benchmarks of the harness itself (meson
 * benchmark() targets; prints figures, asserts nothing about speed):
 *   overhead: warm sequential mmap read of a 256 MiB file in 64-byte records
 *             and warm 4 KiB pread in a random block order, harness
 *             (bench_run) vs a minimal hand-written loop doing the same work
 *             with the same fold; ratio = harness bytes/s / loop bytes/s.
 *   fio:      the same warm 1 GiB file, random 4 KiB reads, fio with
 *             ioengine mmap, psync, io_uring vs mapbench mmap, read, io_uring.
 * Overhead: ROUNDS rounds run the two loops interleaved (harness, hand loop,
 * harness, hand loop, ...: the machine is shared and drifts), each side the
 * median of ROUND_REPS repetitions after one warm-up; the figure quoted is
 * the median over rounds of the per-round ratio (min and max shown too).
 * fio: medians of REPS repetitions. Every repetition re-establishes
 * warm-read:1M. The hand loop is kept minimal on purpose (no record array:
 * offsets from a counter, acc_fold inlined): it is the bar, not a rival.
 */
#include "analysis/result.h"
#include "bench/acc.h"
#include "bench/bench.h"
#include "bench/cache.h"
#include "common/mb.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define REPS 5       /* fio comparison repetitions */
#define ROUNDS 9     /* overhead: interleaved rounds */
#define ROUND_REPS 3 /* overhead: repetitions per side and round */
#define MiB (UINT64_C(1) << 20)

static double harness(struct trace_rec *r, size_t n, uint64_t region, enum an_method m,
		      const char *dir, unsigned reps, uint64_t *ck)
{
	struct trace_hdr h;
	struct bench_src *src;
	struct bench_cfg cfg;
	struct bench_summary s;
	struct an_result *res = an_result_create();
	char err[1024];

	memset(&h, 0, sizeof(h));
	h.region_size = region;
	snprintf(h.spec, sizeof(h.spec), "bench");
	bench_src_array(r, n, &h, &src);
	bench_cfg_default(&cfg);
	cfg.opts.method = m;
	cfg.opts.qd = 32;
	cfg.reps = reps;
	cfg.keep = 1;
	cfg.dir = strdup(dir);
	cfg.progress = 0;
	cfg.events = strdup("page-faults");
	cfg.no_tracepoints = 1;
	if (bench_run(&cfg, src, an_result_add_case(res, "b", "native"), &s, err, sizeof(err))) {
		fprintf(stderr, "bench_run: %s\n", err);
		exit(1);
	}
	*ck = s.checksum;
	bench_cfg_free(&cfg);
	bench_src_destroy(src);
	an_result_destroy(res);
	return (double)(s.bytes_read) * 1e9 / s.median_ns;
}

/* The minimal loop: same file, same warm state, same fold. */
static double handloop(struct cache_file *f, const struct trace_rec *r, size_t n, int use_mmap,
		       uint64_t *ck)
{
	struct an_case_opts o;
	struct cache_report cr;
	double ns[ROUND_REPS];
	char err[512];
	unsigned char *buf = aligned_alloc(4096, 4096);

	an_case_opts_default(&o);
	for (int rep = 0; rep < ROUND_REPS + 1; rep++) {
		uint64_t sum = 0, t0;
		if (cache_establish(f, &o, 0, &cr, err, sizeof(err))) {
			fprintf(stderr, "%s\n", err);
			exit(1);
		}
		int fd = open(f->path, O_RDONLY);
		if (use_mmap) {
			unsigned char *p = mmap(NULL, f->size, PROT_READ, MAP_PRIVATE, fd, 0);
			t0 = mb_now_ns();
			for (uint64_t off = 0; off < f->size; off += 64)
				sum += acc_fold(p + off, off, 64);
			ns[rep ? rep - 1 : 0] = (double)(mb_now_ns() - t0);
			munmap(p, f->size);
		} else {
			t0 = mb_now_ns();
			for (size_t i = 0; i < n; i++) {
				if (pread(fd, buf, 4096, (off_t)r[i].off) != 4096)
					exit(1);
				sum += acc_fold(buf, r[i].off, 4096);
			}
			ns[rep ? rep - 1 : 0] = (double)(mb_now_ns() - t0);
		}
		close(fd);
		*ck = sum;
	}
	free(buf);
	struct bench_stat st;
	bench_stat(ns, ROUND_REPS, &st);
	return (double)f->size * 1e9 / st.median;
}

static void shuffle(struct trace_rec *r, size_t n)
{
	uint64_t x = 88172645463325252ull;
	for (size_t i = n - 1; i > 0; i--) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		size_t j = x % (i + 1);
		struct trace_rec t = r[i];
		r[i] = r[j], r[j] = t;
	}
}

/*
 * The hand loop's own hold on the data file (cache_file_prepare locks it, as
 * every run does): taken around the hand loop only, so the harness runs in
 * between can take it too. keep: the file stays for the next step.
 */
static double handloop_locked(const char *dir, uint64_t size, const struct trace_rec *r, size_t n,
			      int use_mmap, uint64_t *ck, int keep)
{
	struct cache_file f;
	char err[512];
	double b;

	if (cache_file_prepare(&f, dir, size, 0, 1, MiB, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		exit(1);
	}
	b = handloop(&f, r, n, use_mmap, ck);
	f.keep = keep;
	cache_file_release(&f);
	return b;
}

/*
 * ROUNDS interleaved rounds of harness vs hand loop on records r (use_mmap:
 * method mmap vs the mapping loop, else read vs the pread loop); prints the
 * median, min and max of the per-round ratios. keep: the file stays after.
 */
static void rounds(const char *what, const char *dir, uint64_t size, struct trace_rec *r, size_t n,
		   int use_mmap, int keep)
{
	double ratio[ROUNDS], hbs[ROUNDS], lbs[ROUNDS];
	struct bench_stat rs, hs, ls;
	uint64_t c1 = 0, c2 = 0;
	int same = 1;

	for (int k = 0; k < ROUNDS; k++) {
		hbs[k] = harness(r, n, size, use_mmap ? AN_METHOD_MMAP : AN_METHOD_READ, dir,
				 ROUND_REPS, &c1);
		lbs[k] = handloop_locked(dir, size, r, n, use_mmap, &c2, keep || k + 1 < ROUNDS);
		ratio[k] = hbs[k] / lbs[k];
		same &= c1 == c2;
		printf("  %s round %d: harness %.2f GB/s, hand loop %.2f GB/s, ratio %.1f%%\n", what, k + 1,
		       hbs[k] / 1e9, lbs[k] / 1e9, 100 * ratio[k]);
		fflush(stdout);
	}
	bench_stat(ratio, ROUNDS, &rs);
	bench_stat(hbs, ROUNDS, &hs);
	bench_stat(lbs, ROUNDS, &ls);
	printf("overhead %s: harness %.2f GB/s, hand loop %.2f GB/s (medians); ratio median %.1f%% "
	       "(min %.1f%%, max %.1f%%, %d interleaved rounds; target >= 90%%), checksums %s\n",
	       what, hs.median / 1e9, ls.median / 1e9, 100 * rs.median, 100 * rs.min, 100 * rs.max,
	       ROUNDS, same ? "equal" : "DIFFER");
}

static int overhead(const char *dir)
{
	const uint64_t size = 256 * MiB;
	size_t n = size / 64;
	struct trace_rec *r = malloc(n * sizeof(*r));

	for (size_t i = 0; i < n; i++)
		r[i] = (struct trace_rec){ i * 64, 64, TRACE_OP_READ };
	rounds("mmap seq 64B, 256 MiB warm", dir, size, r, n, 1, 1);
	n = size / 4096;
	for (size_t i = 0; i < n; i++)
		r[i] = (struct trace_rec){ i * 4096, 4096, TRACE_OP_READ };
	shuffle(r, n);
	rounds("pread random 4K, 256 MiB warm", dir, size, r, n, 0, 0);
	free(r);
	return 0;
}

static double fio(const char *path, const char *engine)
{
	char cmd[8192], line[4096];
	double bw = -1;
	snprintf(cmd, sizeof(cmd),
		 "fio --name=mb --filename=%s --rw=randread --bs=4k --size=1g --ioengine=%s "
		 "--iodepth=%d --invalidate=0 --time_based=0 --loops=3 --randrepeat=1 "
		 "--norandommap=0 --output-format=json 2>/dev/null | "
		 "python3 -c 'import json,sys; print(json.load(sys.stdin)[\"jobs\"][0][\"read\"][\"bw_bytes\"])'",
		 path, engine, strcmp(engine, "io_uring") ? 1 : 32);
	FILE *p = popen(cmd, "r");
	if (p && fgets(line, sizeof(line), p))
		bw = atof(line);
	if (p)
		pclose(p);
	return bw;
}

static int fio_compare(const char *dir)
{
	const uint64_t size = 1024 * MiB;
	size_t n = size / 4096;
	struct trace_rec *r = malloc(n * sizeof(*r));
	struct cache_file f;
	struct an_case_opts o;
	struct cache_report cr;
	char err[512];
	uint64_t ck;
	static const struct { const char *fio; enum an_method m; } pairs[] = {
		{ "mmap", AN_METHOD_MMAP }, { "psync", AN_METHOD_READ }, { "io_uring", AN_METHOD_URING },
	};

	if (cache_file_prepare(&f, dir, size, 0, 1, MiB, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	for (size_t i = 0; i < n; i++)
		r[i] = (struct trace_rec){ i * 4096, 4096, TRACE_OP_READ };
	shuffle(r, n); /* every block once per pass, random order (fio's random map does the same) */
	an_case_opts_default(&o);
	for (size_t k = 0; k < 3; k++) {
		double fb[REPS], mb;
		struct bench_stat st;
		for (int i = 0; i < REPS; i++) {
			cache_establish(&f, &o, 0, &cr, err, sizeof(err));
			fb[i] = fio(f.path, pairs[k].fio);
		}
		bench_stat(fb, REPS, &st);
		cache_file_release(&f); /* keep = 1: the data stays; the harness takes the lock itself */
		mb = harness(r, n, size, pairs[k].m, dir, REPS, &ck);
		if (cache_file_prepare(&f, dir, size, 0, 1, MiB, err, sizeof(err))) {
			fprintf(stderr, "%s\n", err);
			return 1;
		}
		printf("fio %-8s %.3f GB/s (median of %d) | mapbench %-8s %.3f GB/s | mapbench/fio %.1f%%\n",
		       pairs[k].fio, st.median / 1e9, REPS, an_method_name(pairs[k].m), mb / 1e9,
		       100 * mb / st.median);
	}
	f.keep = 0;
	cache_file_release(&f);
	free(r);
	return 0;
}

int main(int argc, char **argv)
{
	const char *dir = argc > 2 ? argv[2] : cache_default_dir();

	mb_mkdir_p(dir);
	bench_pin(-1, (char[128]){ 0 }, 128);
	if (argc > 1 && !strcmp(argv[1], "fio"))
		return fio_compare(dir);
	return overhead(dir);
}
