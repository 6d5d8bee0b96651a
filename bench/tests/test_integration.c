/*
 * bench/tests/test_integration.c — the harness on this host (suite
 * integration, not parallel): every method on seq / random / stride traces
 * (reads, then reads mixed with writes) folds the checksum the byte-wise
 * definition predicts; exact fault counts of KERNEL-NOTES.md, by perf and
 * by getrusage, in a first repetition without warm-up (anonymous 64 MiB one
 * byte per page: 16384, with MADV_HUGEPAGE: 32; tmpfs 1/16/64/256 MiB
 * MAP_PRIVATE: 16/256/1024/4096; ext4 warm-write:1M: 1/31/79/271) and the
 * exact pt.bytes of each mapping; fread's read() count follows the glibc rule; pread
 * counts one syscall per record; hardware events yield "unsupported" with a
 * reason when the kernel exposes no PMU (values when it does).
 */
#include "analysis/result.h"
#include "bench/acc.h"
#include "bench/bench.h"
#include "bench/cache.h"
#include "bench/counters.h"
#include "common/mb.h"
#include "common/tap.h"
#include "bench/tests/harness_test.h"

#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#define MiB (UINT64_C(1) << 20)

static struct an_result *res;

/* Run recs with method/opts; returns the case or NULL (diag printed). */
static json_t *run(const struct trace_rec *recs, size_t n, uint64_t region, int anon,
		   const struct an_case_opts *o, const char *events, struct bench_summary *sum)
{
	char err[1024];
	json_t *co = bt_run(res, recs, n, region, anon, o, events, NULL, 1, sum, err, sizeof(err));

	if (!co)
		tap_diag("bench_run: %s", err);
	return co;
}

#define metric bt_metric
#define ref_sum bt_ref_sum

static uint64_t rng = 0x1234567;
static uint64_t next(void)
{
	rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
	return rng;
}

static void methods(void)
{
	const uint64_t region = 8 * MiB;
	enum { NT = 4 };
	const char *names[NT] = { "seq 4K", "random 64B", "stride 2M+3 len 100", "random mixed R/W" };
	struct trace_rec *t[NT];
	size_t n[NT];

	/* seq */
	n[0] = region / 4096;
	t[0] = calloc(n[0], sizeof(**t));
	for (size_t i = 0; i < n[0]; i++)
		t[0][i] = (struct trace_rec){ i * 4096, 4096, TRACE_OP_READ };
	/* random 64B aligned */
	n[1] = 20000;
	t[1] = calloc(n[1], sizeof(**t));
	for (size_t i = 0; i < n[1]; i++)
		t[1][i] = (struct trace_rec){ (next() % (region / 64)) * 64, 64, TRACE_OP_READ };
	/* stride with unaligned offsets and lengths */
	n[2] = 0;
	t[2] = calloc(region / (2 * MiB + 3) + 2, sizeof(**t));
	for (uint64_t o = 5; o + 100 <= region; o += 2 * MiB + 3)
		t[2][n[2]++] = (struct trace_rec){ o, 100, TRACE_OP_READ };
	/* mixed: random offsets and lengths 1..5000, 30% writes */
	n[3] = 5000;
	t[3] = calloc(n[3], sizeof(**t));
	for (size_t i = 0; i < n[3]; i++) {
		uint32_t len = 1 + (uint32_t)(next() % 5000);
		t[3][i] = (struct trace_rec){ next() % (region - len), len,
					      (uint8_t)(next() % 10 < 3 ? TRACE_OP_WRITE : TRACE_OP_READ) };
	}
	for (int k = 0; k < NT; k++) {
		uint64_t want = ref_sum(t[k], n[k]);
		for (size_t mi = 0; acc_methods[mi]; mi++) {
			const struct acc_ops *m = acc_methods[mi];
			struct an_case_opts o;
			struct bench_summary s;
			json_t *co;

			if (!m->needs_file)
				continue;
			an_case_opts_default(&o);
			o.method = m->method;
			if (k == 3 && m->method == AN_METHOD_MMAP)
				o.shared = 1; /* writes go to the file */
			if (m->method == AN_METHOD_URING)
				o.qd = 8;
			co = run(t[k], n[k], region, 0, &o, "page-faults", &s);
			if (!tap_ok(co != NULL, "%s on %s runs", m->name, names[k]))
				continue;
			if (!tap_ok(s.checksum == want, "%s on %s: checksum 0x%016llx = definition 0x%016llx",
				    m->name, names[k], (unsigned long long)s.checksum, (unsigned long long)want))
				continue;
		}
		/* the same trace on anonymous memory written first gives the same fold */
		free(t[k]);
	}
}

static int thp_mode_ok(void)
{
	char b[128] = "";
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "re");

	if (f) {
		if (!fgets(b, sizeof(b), f))
			b[0] = 0;
		fclose(f);
	}
	return strstr(b, "[madvise]") || strstr(b, "[always]");
}

/*
 * pt.bytes when every page of a region of R bytes at the start of a fresh
 * 512 GiB slot is mapped through 4 KiB PTEs (or is an anonymous THP, whose
 * PTE table the kernel deposits): 1 PUD + ceil(R / 1 GiB) PMD +
 * ceil(R / 2 MiB) PTE table pages (runner.c, pt.bytes).
 */
static double pt_expect(uint64_t region)
{
	return (double)(1 + (region + (1u << 30) - 1) / (1u << 30) + (region + 2 * MiB - 1) / (2 * MiB)) *
	       4096;
}

/* Kernel release at least maj.min? */
static int kernel_at_least(int maj, int min)
{
	struct utsname u;
	int a = 0, b = 0;

	return !uname(&u) && sscanf(u.release, "%d.%d", &a, &b) == 2 && (a > maj || (a == maj && b >= min));
}

/*
 * One exact fault check: one byte per 4 KiB page, sequential, one repetition
 * with no warm-up (so the first repetition's counts must already be the
 * replay's only). perf faults.total, getrusage minor faults, no major fault,
 * and pt.bytes must all equal the expectation.
 */
static void fault_case(const char *what, const struct trace_rec *r, uint64_t region, int anon,
		       const struct an_case_opts *o, double want)
{
	struct bench_summary s;
	enum an_status st;
	json_t *co = run(r, region / 4096, region, anon, o, NULL, &s);
	double f = metric(co, "faults.total", &st), ru = metric(co, "faults.rusage.minor", NULL);
	double mj = metric(co, "faults.rusage.major", NULL), pt = metric(co, "pt.bytes", NULL);

	tap_ok(st == AN_STATUS_OK && f == want, "%s: faults.total %g = %g", what, f, want);
	tap_ok(ru == want && mj == 0, "%s: getrusage minor %g = %g, major %g = 0", what, ru, want, mj);
	tap_ok(pt == pt_expect(region), "%s: pt.bytes %g = %g (PUD + PMD + PTE tables of the mapping)",
	       what, pt, pt_expect(region));
}

static void faults(void)
{
	static const uint64_t sizes[] = { 1 * MiB, 16 * MiB, 64 * MiB, 256 * MiB };
	static const double tmpfs_want[] = { 16, 256, 1024, 4096 }; /* KERNEL-NOTES.md, fault-around 16 */
	static const double ext4_want[] = { 1, 31, 79, 271 };       /* KERNEL-NOTES.md, 1 MiB folios, 6.18 */
	const uint64_t region = 256 * MiB;
	size_t n = region / 4096;
	struct trace_rec *r = calloc(n, sizeof(*r));
	struct an_case_opts o;
	char b[128] = "", what[128];
	struct statfs sf;

#if defined(__SANITIZE_ADDRESS__)
	tap_skip("AddressSanitizer build: its runtime takes page faults of its own in the measured "
		 "phase, so the exact KERNEL-NOTES counts are checked in the plain build only");
	free(r);
	(void)o, (void)b, (void)what, (void)sf, (void)sizes, (void)tmpfs_want, (void)ext4_want;
	return;
#endif
	for (size_t i = 0; i < n; i++)
		r[i] = (struct trace_rec){ i * 4096, 1, TRACE_OP_READ };
	an_case_opts_default(&o);
	o.method = AN_METHOD_ANON;
	o.cache = AN_CACHE_NONE;
	fault_case("anon 64 MiB read 1 byte/page", r, 64 * MiB, 1, &o, 16384);
	if (thp_mode_ok()) {
		o.madv = AN_MADV_HUGEPAGE;
		fault_case("anon 64 MiB MADV_HUGEPAGE", r, 64 * MiB, 1, &o, 32);
	} else {
		tap_skip("THP enabled is 'never': MADV_HUGEPAGE expectation (32 faults) does not apply");
	}
	FILE *fp = fopen("/sys/kernel/mm/transparent_hugepage/shmem_enabled", "re");
	if (fp) {
		if (!fgets(b, sizeof(b), fp))
			b[0] = 0;
		fclose(fp);
	}
	an_case_opts_default(&o);
	o.method = AN_METHOD_MMAP;
	for (size_t k = 0; k < MB_ARRAY_SIZE(sizes); k++) {
		if (fp && !strstr(b, "[never]") && !strstr(b, "[deny]")) {
			tap_skip("shmem THP is '%s': tmpfs has large folios, the 4 KiB-page expectation does not apply", b);
			continue;
		}
		o.cache = AN_CACHE_TMPFS;
		snprintf(what, sizeof(what), "tmpfs %llu MiB MAP_PRIVATE read 1 byte/page",
			 (unsigned long long)(sizes[k] / MiB));
		fault_case(what, r, sizes[k], 0, &o, tmpfs_want[k]);
	}
	for (size_t k = 0; k < MB_ARRAY_SIZE(sizes); k++) {
		if (statfs(cache_default_dir(), &sf) || sf.f_type != 0xEF53) {
			tap_skip("scratch %s is not ext4: the warm-write:1M fault counts are ext4's",
				 cache_default_dir());
			continue;
		}
		if (!kernel_at_least(6, 18)) {
			tap_skip("kernel before 6.18: whole-folio mapping differs (KERNEL-NOTES.md, Versions)");
			continue;
		}
		o.cache = AN_CACHE_WARM_WRITE;
		o.cache_req = MiB;
		snprintf(what, sizeof(what), "ext4 warm-write:1M %llu MiB MAP_PRIVATE read 1 byte/page",
			 (unsigned long long)(sizes[k] / MiB));
		fault_case(what, r, sizes[k], 0, &o, ext4_want[k]);
	}
	free(r);
}

/* glibc _IO_file_xsgetn over a file of fsize bytes, buffer B: read() calls. */
static unsigned glibc_reads(uint64_t fsize, const struct trace_rec *r, size_t n, uint64_t B)
{
	uint64_t avail = 0, pos = 0; /* bytes buffered; file offset of the kernel */
	unsigned calls = 0;

	for (size_t i = 0; i < n; i++) {
		uint64_t want = r[i].len;
		if (want <= avail) {
			avail -= want;
			continue;
		}
		want -= avail;
		avail = 0;
		while (want) {
			if (want >= B) {
				uint64_t c = want - want % B;
				calls++;
				pos += c;
				want -= c;
			} else {
				uint64_t got = fsize - pos < B ? fsize - pos : B;
				calls++;
				pos += got;
				avail = got - want;
				want = 0;
			}
		}
	}
	return calls;
}

static void syscalls(void)
{
	const uint64_t region = 1 * MiB;
	static const uint32_t lens[] = { 1, 4097, 8192, 65536 };
	static const int literal[] = { 256, -1, 128, 16 }; /* KERNEL-NOTES.md, buffer 4096 */
	struct trace_rec *r = calloc(region, sizeof(*r));
	struct an_case_opts o;
	struct bench_summary s;
	enum an_status st;
	struct stat sb;
	json_t *co;

	mb_mkdir_p(cache_default_dir());
	if (stat(cache_default_dir(), &sb)) {
		tap_skip("scratch directory missing");
		free(r);
		return;
	}
	uint64_t B = sb.st_blksize > 0 && sb.st_blksize < 8192 ? (uint64_t)sb.st_blksize : 8192;
	for (size_t k = 0; k < MB_ARRAY_SIZE(lens); k++) {
		size_t n = 0;
		for (uint64_t off = 0; off < region; off += lens[k]) {
			uint32_t len = region - off < lens[k] ? (uint32_t)(region - off) : lens[k];
			r[n++] = (struct trace_rec){ off, len, TRACE_OP_READ };
		}
		an_case_opts_default(&o);
		o.method = AN_METHOD_FREAD;
		co = run(r, n, region, 0, &o, "page-faults", &s);
		double got = metric(co, "syscalls.sys_read", &st);
		if (st == AN_STATUS_NOT_PERMITTED || st == AN_STATUS_UNSUPPORTED) {
			tap_skip("tracepoint syscalls:sys_enter_read unavailable (%s): run as root",
				 an_status_name(st));
			continue;
		}
		unsigned want = glibc_reads(region, r, n, B);
		tap_ok(got == want, "fread request %u, buffer %llu: %g read() calls = glibc rule %u",
		       lens[k], (unsigned long long)B, got, want);
		if (literal[k] >= 0 && B == 4096)
			tap_ok(got == literal[k], "fread request %u: %g read() = KERNEL-NOTES %d", lens[k], got,
			       literal[k]);
		tap_ok(metric(co, "syscalls.sys_pread64", NULL) == 0, "fread sequential: no pread64");
	}
	/* read method: sequential -> read(), random -> pread64, one per record */
	size_t n = 0;
	for (uint64_t off = 0; off < region; off += 4096)
		r[n++] = (struct trace_rec){ off, 4096, TRACE_OP_READ };
	an_case_opts_default(&o);
	o.method = AN_METHOD_READ;
	co = run(r, n, region, 0, &o, "page-faults", &s);
	if (metric(co, "syscalls.sys_read", &st) >= 0 || st == AN_STATUS_OK) {
		tap_ok(metric(co, "syscalls.sys_read", NULL) == (double)n && metric(co, "syscalls", NULL) == (double)n,
		       "read sequential 4K: %g read() and %g syscalls = %zu records",
		       metric(co, "syscalls.sys_read", NULL), metric(co, "syscalls", NULL), n);
		for (size_t i = 0; i < n; i++)
			r[i].off = (next() % (region / 4096)) * 4096;
		co = run(r, n, region, 0, &o, "page-faults", &s);
		tap_ok(metric(co, "syscalls.sys_pread64", NULL) == (double)n &&
		       metric(co, "syscalls.sys_read", NULL) == 0,
		       "read random 4K: %g pread64 = %zu records, no read()",
		       metric(co, "syscalls.sys_pread64", NULL), n);
		o.method = AN_METHOD_MMAP;
		co = run(r, n, region, 0, &o, "page-faults", &s);
		tap_ok(metric(co, "syscalls", NULL) == 0, "mmap warm: %g syscalls in the access phase = 0",
		       metric(co, "syscalls", NULL));
	} else {
		tap_skip("tracepoints unavailable (%s): run as root", an_status_name(st));
	}
	free(r);
}

static void unsupported(void)
{
	struct trace_rec r[64];
	struct an_case_opts o;
	struct bench_summary s;
	enum an_status st;
	static const char *const ev[2] = { "pmu.cycles", "tlb.l1d.miss" };

	for (size_t i = 0; i < 64; i++)
		r[i] = (struct trace_rec){ i * 4096, 64, TRACE_OP_READ };
	an_case_opts_default(&o);
	json_t *co = run(r, 64, 256 * 1024, 0, &o, "cycles,dTLB-load-misses", &s);
	for (int k = 0; k < 2; k++) {
		json_t *m = co ? an_case_metric(co, ev[k]) : NULL;
		double v = metric(co, ev[k], &st);
		const char *reason = m ? json_string_value(json_object_get(m, "reason")) : NULL;
		if (!pmu_kernel_has_cpu_pmu())
			tap_ok(m && st == AN_STATUS_UNSUPPORTED && reason && *reason &&
			       !json_object_get(m, "value") && !json_object_get(m, "median"),
			       "no PMU exposed: %s is unsupported with a reason and no value (%s)", ev[k],
			       reason ? reason : "none");
		else
			tap_ok((st == AN_STATUS_OK || st == AN_STATUS_MULTIPLEXED) && v > 0,
			       "PMU exposed: %s measured, value %g > 0", ev[k], v);
	}
}

/*
 * The physical layout of a warm state (cache_layout): measured as root, a
 * fraction, established at most CACHE_LAYOUT_TRIES times; tmpfs pages are
 * rewritten in place, so repetitions that did not re-create them keep one
 * layout. A cold state has no cached pages: unsupported with the reason.
 */
static void layout(void)
{
	size_t n = 4096;
	struct trace_rec *r = calloc(n, sizeof(*r));
	struct an_case_opts o;
	struct bench_summary s;
	enum an_status st;

	for (size_t i = 0; i < n; i++)
		r[i] = (struct trace_rec){ i * 4096, 4096, TRACE_OP_READ };
	an_case_opts_default(&o);
	o.method = AN_METHOD_READ;
	o.cache = AN_CACHE_TMPFS;
	json_t *co = run(r, n, n * 4096, 0, &o, NULL, &s);
	json_t *m = co ? an_case_metric(co, "cache.phys_ascending") : NULL;
	json_t *t = co ? an_case_metric(co, "cache.layout_tries") : NULL;
	double v = metric(co, "cache.phys_ascending", &st), lo = 0, hi = 0, tmax = 0;
	if (m && st == AN_STATUS_OK) {
		lo = json_number_value(json_object_get(m, "min"));
		hi = json_number_value(json_object_get(m, "max"));
	}
	if (t)
		tmax = json_number_value(json_object_get(t, "max"));
	if (geteuid() == 0) {
		tap_ok(st == AN_STATUS_OK && v >= 0 && v <= 1, "tmpfs 16 MiB: cache.phys_ascending %g measured, in [0, 1]", v);
		tap_ok(tmax >= 1 && tmax <= CACHE_LAYOUT_TRIES, "tmpfs: established at most %d times per repetition (%g)",
		       CACHE_LAYOUT_TRIES, tmax);
		if (tmax == 1)
			tap_ok(lo == hi, "tmpfs rewritten in place: every repetition has the same layout (%g .. %g)", lo, hi);
		else
			tap_skip("tmpfs: a repetition re-created the pages for their order (tries %g): layouts may differ", tmax);
	} else {
		const char *why = m ? json_string_value(json_object_get(m, "reason")) : NULL;
		tap_ok(st == AN_STATUS_UNSUPPORTED && why && strstr(why, "CAP_SYS_ADMIN"),
		       "not root: cache.phys_ascending unsupported (%s)", why ? why : "no reason");
	}
	o.cache = AN_CACHE_COLD;
	co = run(r, 64, 64 * 4096, 0, &o, NULL, &s);
	m = co ? an_case_metric(co, "cache.phys_ascending") : NULL;
	const char *why = m ? json_string_value(json_object_get(m, "reason")) : NULL;
	metric(co, "cache.phys_ascending", &st);
	tap_ok(st == AN_STATUS_UNSUPPORTED && why && strstr(why, "cold"),
	       "cold: cache.phys_ascending unsupported with the reason (%s)", why ? why : "none");
	free(r);
}

/*
 * cache.evicted (tracepoints.c tp_add_file_evictions): a child process drops a
 * cached 1 MiB file (POSIX_FADV_DONTNEED) while the counter is enabled; the
 * CPU-wide counter sees another task's removals, in pages (folio x 2^order):
 * exactly the pages mincore showed cached. Not root: not-permitted.
 */
static void evictions(void)
{
	char path[4200], buf[65536];
	struct ctr_set cs;
	const char *d = cache_default_dir();
	int fd;

	snprintf(path, sizeof(path), "%.4000s/evict-test.v1", d);
	mkdir(d, 0755);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		tap_ok(0, "cache.evicted: create %s: %s", path, strerror(errno));
		return;
	}
	memset(buf, 0x5a, sizeof(buf));
	for (int i = 0; i < 16; i++)
		if (pwrite(fd, buf, sizeof(buf), (off_t)i * (off_t)sizeof(buf)) != (ssize_t)sizeof(buf))
			tap_diag("pwrite: %s", strerror(errno));
	fsync(fd); /* clean pages: DONTNEED drops them */
	for (int i = 0; i < 16; i++)
		if (pread(fd, buf, sizeof(buf), (off_t)i * (off_t)sizeof(buf)) != (ssize_t)sizeof(buf))
			tap_diag("pread: %s", strerror(errno));
	unsigned char vec[256];
	void *map = mmap(NULL, 1 << 20, PROT_READ, MAP_SHARED, fd, 0);
	long cached = 0;
	if (map != MAP_FAILED && !mincore(map, 1 << 20, vec))
		for (int i = 0; i < 256; i++)
			cached += vec[i] & 1;
	if (map != MAP_FAILED)
		munmap(map, 1 << 20);
	ctr_set_init(&cs);
	tp_add_file_evictions(&cs, path);
	ctr_reset(&cs);
	ctr_enable();
	pid_t pid = fork();
	if (pid == 0) {
		posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
		_exit(0);
	}
	int wst = 0;
	if (pid > 0)
		waitpid(pid, &wst, 0);
	ctr_disable();
	ctr_read(&cs, 1);
	struct ctr *c = &cs.c[0];
	if (geteuid() == 0)
		tap_ok(cs.n == 1 && c->status == AN_STATUS_OK && c->nsamples == 1 && c->samples[0] == (double)cached,
		       "cache.evicted counts another task's removals in pages: %g of %ld cached (%s)",
		       c->nsamples ? c->samples[0] : -1, cached, c->status == AN_STATUS_OK ? c->note : c->reason);
	else
		tap_ok(cs.n == 1 && c->status == AN_STATUS_NOT_PERMITTED && c->reason[0],
		       "not root: cache.evicted not-permitted (%s)", c->reason);
	ctr_set_fini(&cs);
	close(fd);
	unlink(path);
}

int main(void)
{
	res = an_result_create();
	methods();
	faults();
	syscalls();
	unsupported();
	layout();
	evictions();
	an_result_destroy(res);
	return tap_done();
}
