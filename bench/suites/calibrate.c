/*
 * bench/suites/calibrate.c — host measurements for `mapbench calibrate`
 * (calibrate.h). Each probe returns its figure and a sentence saying how it
 * was obtained (procedure, raw numbers); cal_run() collects them as profile
 * entries and writes the INI.
 *
 * Probes (procedures of shared/KERNEL-NOTES.md "Calibrating the policy"):
 * - TSC rate against CLOCK_MONOTONIC (never a hard-coded frequency).
 * - Pointer chase over N 4 KiB anonymous pages (THP off, random single-cycle
 *   permutation, one load per page, the line within each page varied so data
 *   cache sets do not collide), TSC cycles per access, median of 3: the knees
 *   give L1 dTLB and STLB entries, the plateaus the STLB-hit and walk costs.
 * - Anonymous 4 KiB and 2 MiB (MADV_HUGEPAGE) write-fault costs; zeroing and
 *   copying a 4 KiB page; getppid() syscall; pread of 1 byte and of 1 MiB from
 *   a cached tmpfs file (page-cache lookup, copy per byte); file read faults
 *   on tmpfs (fault-around).
 * - Policy: fault_around_pages from /proc/self/pagemap after one touch of a
 *   tmpfs file; ra_pages/io_pages from sysfs, confirmed by one cold touch
 *   mid-file measured with cachestat (syscall 451); the whole-folio/EOF rule
 *   from the fault count of a freshly written 64 MiB file; folio orders after
 *   warm-by-write and warm-by-read from /proc/kpageflags via pagemap (root);
 *   THP settings and st_blksize from sysfs/stat.
 *
 * Invariants: every scratch file and mapping is removed before returning;
 * a probe that cannot run (no root, no cachestat, not x86) says so and its
 * key is copied from the base profile or left out, never invented.
 */
#include "bench/suites/calibrate.h"
#include "common/mb.h"
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define HAVE_TSC 1
#else
#define HAVE_TSC 0
#endif

#define PG 4096u
#define CAL_MAX_ENTRIES 96

/* One profile line. */
struct cal_entry {
	char sec[16];   /* INI section: profile, kernel, cost, mmu */
	char key[48];   /* key */
	char val[48];   /* value as written */
	char how[1024]; /* comment: procedure and raw figures */
};

/* Everything measured so far. */
struct cal {
	const struct cal_opts *o;           /* options */
	struct cal_entry e[CAL_MAX_ENTRIES];/* entries in write order */
	size_t n;                           /* count */
	double ghz;                         /* TSC cycles per ns */
	char notes[8][512];                 /* free comments for the header */
	size_t nnotes;                      /* count */
	double wf_cycles;                   /* whole-folio probe: TSC cycles of the read pass (0: not run) */
	long wf_faults;                     /* ... its faults */
	long wf_pages;                      /* ... pages it mapped */
};


static void put(struct cal *c, const char *sec, const char *key, const char *val, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static void put(struct cal *c, const char *sec, const char *key, const char *val, const char *fmt, ...)
{
	struct cal_entry *e;
	va_list ap;

	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->e[i].sec, sec) && !strcmp(c->e[i].key, key))
			return; /* first measurement wins */
	if (c->n >= CAL_MAX_ENTRIES)
		return;
	e = &c->e[c->n++];
	mb_sfmt(e->sec, sizeof(e->sec), "%s", sec);
	mb_sfmt(e->key, sizeof(e->key), "%s", key);
	mb_sfmt(e->val, sizeof(e->val), "%s", val);
	va_start(ap, fmt);
	vsnprintf(e->how, sizeof(e->how), fmt, ap);
	va_end(ap);
	if (c->o->verbose)
		fprintf(stderr, "calibrate: %s.%s = %s  # %s\n", sec, key, val, e->how);
}

static void putu(struct cal *c, const char *sec, const char *key, uint64_t v, const char *how)
{
	char b[32];

	mb_sfmt(b, sizeof(b), "%llu", (unsigned long long)v);
	put(c, sec, key, b, "%s", how);
}

static void note(struct cal *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct cal *c, const char *fmt, ...)
{
	va_list ap;

	if (c->nnotes >= MB_ARRAY_SIZE(c->notes))
		return;
	va_start(ap, fmt);
	vsnprintf(c->notes[c->nnotes++], sizeof(c->notes[0]), fmt, ap);
	va_end(ap);
	if (c->o->verbose)
		fprintf(stderr, "calibrate: note: %s\n", c->notes[c->nnotes - 1]);
}

/* ---- clocks ---------------------------------------------------------------- */

static inline uint64_t tsc(void)
{
#if HAVE_TSC
	unsigned aux;
	return __rdtscp(&aux);
#else
	return mb_now_ns();
#endif
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_dbl);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* TSC ticks per ns: 5 windows of 20 ms against CLOCK_MONOTONIC, median. */
static void probe_tsc(struct cal *c)
{
	double r[5];
	char v[32];

	for (int i = 0; i < 5; i++) {
		uint64_t n0 = mb_now_ns(), t0 = tsc(), n1, t1;
		do
			n1 = mb_now_ns();
		while (n1 - n0 < 20 * 1000 * 1000);
		t1 = tsc();
		r[i] = (double)(t1 - t0) / (double)(n1 - n0);
	}
	c->ghz = median(r, 5);
	mb_sfmt(v, sizeof(v), "%.3f", c->ghz);
	put(c, "profile", "ghz", v,
	    "measured: TSC ticks / CLOCK_MONOTONIC ns over 5 windows of 20 ms, median %.4f (min %.4f, max %.4f); all cycle figures below are TSC cycles",
	    c->ghz, r[0], r[4]);
}

/* ---- pointer chase ------------------------------------------------------- */

static uint64_t xs_state = UINT64_C(0x9e3779b97f4a7c15);
static uint64_t xs(void)
{
	xs_state ^= xs_state << 13;
	xs_state ^= xs_state >> 7;
	xs_state ^= xs_state << 17;
	return xs_state;
}

/*
 * Cycles per access of a random single-cycle chase over `pages` nodes: one
 * node per 4 KiB page (THP off), or, for the control (packed = 1), the same
 * number of nodes on the same cache-line offsets packed one per line into
 * THP-backed memory, so the difference is the translation cost alone.
 */
static double chase(size_t pages, uint64_t accesses, int packed)
{
	size_t stride = packed ? 64 : PG, bytes = pages * stride;
	char *raw = NULL;
	char *buf;
	uint32_t *perm;
	double r[3];
	void **p;

	bytes = (bytes + (2u << 20) - 1) & ~(size_t)((2u << 20) - 1);
	raw = mmap(NULL, bytes + (2u << 20), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED)
		return -1;
	buf = (char *)(((uintptr_t)raw + (2u << 20) - 1) & ~(uintptr_t)((2u << 20) - 1));
	madvise(buf, bytes, packed ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	perm = malloc(pages * sizeof(*perm));
	if (!perm) {
		munmap(raw, bytes + (2u << 20));
		return -1;
	}
	for (size_t i = 0; i < pages; i++)
		perm[i] = (uint32_t)i;
	for (size_t i = pages - 1; i > 0; i--) { /* Sattolo: one cycle */
		size_t j = xs() % i;
		uint32_t t = perm[i];
		perm[i] = perm[j];
		perm[j] = t;
	}
#define NODE(i) ((void **)(buf + (packed ? ((size_t)(i) & ~(size_t)63) * 64 : (size_t)(i) * PG) + \
			   (((size_t)(i) * 37) & 63) * 64))
	for (size_t i = 0; i < pages; i++)
		*NODE(i) = (void *)NODE(perm[i]);
	free(perm);
	p = NODE(0);
	for (uint64_t k = 0; k < 2 * pages + 1000; k++)
		p = (void **)*p;
	for (int rep = 0; rep < 3; rep++) {
		uint64_t t0 = tsc();
		for (uint64_t k = 0; k < accesses; k++)
			p = (void **)*p;
		r[rep] = (double)(tsc() - t0) / (double)accesses;
	}
	__asm__ volatile("" : : "r"(p));
#undef NODE
	munmap(raw, bytes + (2u << 20));
	return median(r, 3);
}

/* The harness's checksum fold (bench/acc.h acc_fold): a wrapping sum of 64-bit words. */
static uint64_t fold_words(const unsigned char *p, size_t len)
{
	uint64_t s = 0;

	for (size_t i = 0; i + 8 <= len; i += 8) {
		uint64_t w;
		memcpy(&w, p + i, 8);
		s += w;
	}
	return s;
}

/* Size of the largest CPU cache of cpu0 (sysfs), 0 when unknown. */
static uint64_t llc_bytes(void)
{
	uint64_t best = 0;

	for (int i = 0; i < 8; i++) {
		char path[128], buf[32];
		FILE *f;
		unsigned long long v;
		char unit = 0;
		mb_sfmt(path, sizeof(path), "/sys/devices/system/cpu/cpu0/cache/index%d/size", i);
		if (!(f = fopen(path, "re")))
			continue;
		if (fgets(buf, sizeof(buf), f) && sscanf(buf, "%llu%c", &v, &unit) >= 1) {
			v <<= unit == 'K' ? 10 : unit == 'M' ? 20 : 0;
			if (v > best)
				best = v;
		}
		fclose(f);
	}
	return best;
}

/*
 * Data-memory costs the model charges the user side (sim/sim.h): the fold of
 * cached bytes (milli-cycles per byte), a 64-byte line streamed from DRAM and
 * one fetched at a random place (latency), and the LLC size that decides
 * which regions stream from DRAM.
 */
static void probe_memory(struct cal *c)
{
	size_t hot = 16u << 10, big = (c->o->quick ? 64u : 256u) << 20;
	uint64_t llc = llc_bytes(), t0, sink = 0;
	double v[5], fold, stream, rnd;
	char val[32];
	unsigned char *h = aligned_alloc(64, hot), *b;

	if (!h)
		return;
	memset(h, 3, hot);
	for (int i = 0; i < 5; i++) {
		t0 = tsc();
		for (int k = 0; k < 2000; k++) {
			sink += fold_words(h, hot);
			__asm__ volatile("" : : "r"(h) : "memory");
		}
		v[i] = (double)(tsc() - t0) / (2000.0 * (double)hot);
	}
	free(h);
	fold = median(v, 5);
	mb_sfmt(val, sizeof(val), "%.0f", fold * 1000);
	put(c, "cost", "fold_mcyc_per_byte", val,
	    "measured: the harness's fold over a hot 16 KiB buffer, 5 x 2000 passes, median %.4f cycles/byte", fold);
	b = mmap(NULL, big, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (b != MAP_FAILED) {
		madvise(b, big, MADV_NOHUGEPAGE); /* 4 KiB pages, like page-cache data: prefetchers stop at page ends */
		memset(b, 5, big);
		for (int i = 0; i < 3; i++) {
			t0 = tsc();
			sink += fold_words(b, big);
			v[i] = (double)(tsc() - t0) / (double)(big / 64);
		}
		munmap(b, big);
		stream = median(v, 3) - fold * 64;
		mb_sfmt(val, sizeof(val), "%.0f", stream > 0 ? stream : 0);
		put(c, "cost", "mem_line_seq", val,
		    "measured: fold streaming a %zu MiB pre-faulted buffer of 4 KiB pages, median of 3: %.1f cycles/line, minus the cached fold of 64 bytes (%.1f)",
		    big >> 20, median(v, 3), fold * 64);
	}
	rnd = chase(big / 64, c->o->quick ? 200000 : 1000000, 1);
	if (rnd > 0) {
		mb_sfmt(val, sizeof(val), "%.0f", rnd > 4 ? rnd - 4 : rnd);
		put(c, "cost", "mem_line_rand", val,
		    "measured: random pointer chase over %zu lines packed in THP memory (%zu MiB): %.1f cycles/access, minus an L1 hit (4)",
		    big / 64, big >> 20, rnd);
	}
	if (llc) {
		mb_sfmt(val, sizeof(val), "%llu", (unsigned long long)llc);
		put(c, "cost", "llc_bytes", val, "read: largest cache of cpu0 in /sys/devices/system/cpu/cpu0/cache/index*/size");
	}
	__asm__ volatile("" : : "r"(sink));
}

static void probe_tlb(struct cal *c)
{
	static const size_t sizes[] = { 8, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768,
					1024, 1536, 2048, 3072, 4096, 8192, 16384, 32768, 65536,
					131072, 262144 };
	size_t ns = c->o->quick ? MB_ARRAY_SIZE(sizes) - 4 : MB_ARRAY_SIZE(sizes);
	double cyc[MB_ARRAY_SIZE(sizes)], ctl[MB_ARRAY_SIZE(sizes)], pg[MB_ARRAY_SIZE(sizes)];
	double base, p2, walk = 0;
	size_t l1 = 0, stlb = 0, i, i2 = 0, iw = 0;
	char raw[900] = "", *q = raw, v[32];

	for (i = 0; i < ns; i++) {
		uint64_t acc = c->o->quick ? 200000 : 1000000;
		pg[i] = chase(sizes[i], acc < 4 * sizes[i] ? 4 * sizes[i] : acc, 0);
		ctl[i] = chase(sizes[i], acc < 4 * sizes[i] ? 4 * sizes[i] : acc, 1);
		cyc[i] = pg[i] - ctl[i] + ctl[0]; /* translation cost over the smallest set's access cost */
		q += snprintf(q, (size_t)(raw + sizeof(raw) - q), "%s%zu:%.1f-%.1f", i ? " " : "", sizes[i], pg[i], ctl[i]);
		if (q >= raw + sizeof(raw) - 1)
			q = raw + sizeof(raw) - 1;
	}
	note(c, "pointer chase, TSC cycles/access, pages:(one node per 4K page)-(control: same nodes packed per line in THP memory): %s", raw);
	base = cyc[0] < cyc[1] ? cyc[0] : cyc[1];
	/* L1 knee: last size whose cost stays within 1.5x + 1 cycle of the smallest sets */
	for (i = 0; i < ns && cyc[i] <= base * 1.5 + 1; i++)
		l1 = sizes[i];
	if (i == 0 || i >= ns) {
		note(c, "no L1 dTLB knee found in the chase (costs %s)", raw);
		return;
	}
	/* second plateau: the sizes just above the knee, up to 4x it */
	p2 = cyc[i];
	i2 = i;
	for (; i < ns && sizes[i] <= 4 * l1; i++)
		if (cyc[i] < p2)
			p2 = cyc[i];
	for (i = i2; i < ns && cyc[i] <= p2 * 1.5 + 1; i++)
		stlb = sizes[i];
	if (i < ns) {
		iw = i + 1 < ns ? i + 1 : i; /* 2x beyond the STLB knee: walks with warm walk caches */
		walk = cyc[iw] - p2;
	}
	putu(c, "mmu", "l1.4k.entries", l1, "");
	mb_sfmt(c->e[c->n - 1].how, sizeof(c->e[0].how),
	     "measured: pointer-chase knee, random cycle over N 4K pages, one load per page: translation cost (page chase minus packed control, plus the 8-page cost) stays %.1f..%.1f cycles up to %zu pages, %.1f at %zu (raw table in the header)",
	     base, cyc[i2 - 1], l1, cyc[i2], sizes[i2]);
	/* a chase knee gives capacity, not associativity: keep the geometry valid for any knee */
	putu(c, "mmu", "l1.4k.ways", l1, "assumed: fully associative (a chase knee measures capacity only)");
	if (stlb) {
		putu(c, "mmu", "stlb.ways", stlb % 8 ? stlb : 8,
		     "assumed: 8-way when 8 divides the measured entries, else fully associative (not measurable by a chase)");
		putu(c, "mmu", "stlb.entries", stlb, "");
		mb_sfmt(c->e[c->n - 1].how, sizeof(c->e[0].how),
		     "measured: second pointer-chase knee: %.1f cycles (STLB hits) from %zu to %zu pages, %.1f at %zu; set-associativity not measurable this way (knee resolution: the sizes tried)",
		     p2, sizes[i2], stlb, i < ns ? cyc[i] : 0.0, i < ns ? sizes[i] : 0);
		mb_sfmt(v, sizeof(v), "%.0f", p2 - base > 0 ? p2 - base : 0);
		put(c, "mmu", "lat.stlb_hit", v,
		    "measured: translation-cost plateau above the L1 knee minus the plateau below it: %.1f - %.1f cycles",
		    p2, base);
	}
	if (walk > 0) {
		char w[32];
		mb_sfmt(w, sizeof(w), "%.0f", walk);
		note(c, "walk cost: %.1f cycles per access at %zu pages (translation cost %.1f minus STLB-hit plateau %.1f); in a VM this is a 2-D (nested) walk including data-cache misses on page-table lines",
		     walk, sizes[iw], cyc[iw], p2);
		put(c, "mmu", "lat.walk_start", w,
		    "measured: whole walk at %zu pages (2x the STLB knee, walk caches warm): translation cost %.1f minus STLB plateau %.1f cycles; per-level latencies are not separable by a chase and stay as in the base",
		    sizes[iw], cyc[iw], p2);
	}
}

/* ---- fault, syscall and copy costs ---------------------------------------- */

static double anon_fault(size_t bytes, int huge, uint64_t *faults)
{
	char *b = mmap(NULL, bytes + (2u << 20), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *a;
	struct rusage r0, r1;
	uint64_t t0, t;
	size_t step = huge ? (2u << 20) : PG;

	if (b == MAP_FAILED)
		return -1;
	a = (char *)(((uintptr_t)b + (2u << 20) - 1) & ~(uintptr_t)((2u << 20) - 1));
	madvise(a, bytes, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	getrusage(RUSAGE_SELF, &r0);
	t0 = tsc();
	for (size_t off = 0; off < bytes; off += step)
		a[off] = 1;
	t = tsc() - t0;
	getrusage(RUSAGE_SELF, &r1);
	*faults = (uint64_t)(r1.ru_minflt - r0.ru_minflt);
	munmap(b, bytes + (2u << 20));
	return *faults ? (double)t / (double)*faults : -1;
}

static int make_file(const char *path, size_t bytes, size_t chunk)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	char *buf;

	if (fd < 0)
		return -errno;
	buf = malloc(chunk);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	for (size_t i = 0; i < chunk; i++)
		buf[i] = (char)(i * 131 + 7);
	for (size_t off = 0; off < bytes; off += chunk)
		if (pwrite(fd, buf, chunk, (off_t)off) != (ssize_t)chunk) {
			int e = -errno;
			free(buf);
			close(fd);
			return e ? e : -EIO;
		}
	free(buf);
	return fd;
}

static void probe_costs(struct cal *c, const char *shm)
{
	size_t n = c->o->quick ? 2048 : 16384;
	uint64_t f4 = 0, f2 = 0, t0;
	double a4[3], a2[3], v[5], zero, copy, sys, pr1, prbig, ff;
	char val[32], path[PATH_MAX];
	char *pg = aligned_alloc(PG, 2 * PG);
	int fd;

	for (int i = 0; i < 3; i++) {
		a4[i] = anon_fault(n * PG, 0, &f4);
		a2[i] = anon_fault((c->o->quick ? 8 : 32) * (2u << 20), 1, &f2);
	}
	/* zero and copy a hot 4 KiB page */
	memset(pg, 1, 2 * PG);
	for (int i = 0; i < 5; i++) {
		t0 = tsc();
		for (int k = 0; k < 1000; k++) {
			memset(pg, k, PG);
			__asm__ volatile("" : : "r"(pg) : "memory");
		}
		v[i] = (double)(tsc() - t0) / 1000;
	}
	zero = median(v, 5);
	for (int i = 0; i < 5; i++) {
		t0 = tsc();
		for (int k = 0; k < 1000; k++) {
			memcpy(pg + PG, pg, PG);
			__asm__ volatile("" : : "r"(pg) : "memory");
		}
		v[i] = (double)(tsc() - t0) / 1000;
	}
	copy = median(v, 5);
	/* syscall: getppid */
	for (int i = 0; i < 5; i++) {
		t0 = tsc();
		for (int k = 0; k < 20000; k++)
			syscall(SYS_getppid);
		v[i] = (double)(tsc() - t0) / 20000;
	}
	sys = median(v, 5);
	double a4m = median(a4, 3), a2m = median(a2, 3);
	mb_sfmt(val, sizeof(val), "%.0f", sys);
	put(c, "cost", "syscall", val, "measured: getppid() via syscall(2), 5 x 20000 calls, median %.1f TSC cycles per call", sys);
	mb_sfmt(val, sizeof(val), "%.0f", zero);
	put(c, "cost", "zero_4k", val, "measured: memset of a hot 4 KiB page, 5 x 1000, median %.1f cycles (kernel clear_page may differ)", zero);
	mb_sfmt(val, sizeof(val), "%.0f", copy);
	put(c, "cost", "copy_4k", val, "measured: memcpy of a hot 4 KiB page, 5 x 1000, median %.1f cycles", copy);
	if (a4m > 0) {
		mb_sfmt(val, sizeof(val), "%.0f", a4m - zero > 0 ? a4m - zero : a4m);
		put(c, "cost", "fault_entry", val,
		    "measured: anonymous 4K write fault (THP off), %zu pages, %llu faults, median of 3: %.0f cycles per fault, minus zero_4k %.0f; fault_pte stays in this figure's share as in the base",
		    n, (unsigned long long)f4, a4m, zero);
	}
	if (a2m > 0) {
		mb_sfmt(val, sizeof(val), "%.0f", a2m - (a4m - zero) > 0 ? a2m - (a4m - zero) : a2m);
		put(c, "cost", "zero_2m", val,
		    "measured: anonymous MADV_HUGEPAGE write fault per 2 MiB-aligned range, %llu faults, median of 3: %.0f cycles per fault, minus fault_entry %.0f",
		    (unsigned long long)f2, a2m, a4m - zero);
	}
	/* read paths on a cached tmpfs file */
	mb_sfmt(path, sizeof(path), "%s/mapbench-cal-%d", shm, (int)getpid());
	fd = make_file(path, 8u << 20, 1u << 20);
	if (fd < 0) {
		note(c, "tmpfs probes skipped: cannot create %s: %s", path, strerror(-fd));
		free(pg);
		return;
	}
	{
		char one, *big = malloc(1u << 20);
		for (int i = 0; i < 5; i++) {
			t0 = tsc();
			for (int k = 0; k < 20000; k++)
				if (pread(fd, &one, 1, (off_t)((k & 1023) * PG)) != 1)
					break;
			v[i] = (double)(tsc() - t0) / 20000;
		}
		pr1 = median(v, 5);
		for (int i = 0; big && i < 5; i++) {
			t0 = tsc();
			for (int k = 0; k < 16; k++)
				if (pread(fd, big, 1u << 20, (off_t)((k & 7) * (1u << 20))) != 1 << 20)
					break;
			v[i] = (double)(tsc() - t0) / 16;
		}
		prbig = big ? median(v, 5) : -1;
		free(big);
		(void)one;
	}
	mb_sfmt(val, sizeof(val), "%.0f", pr1 - sys > 0 ? pr1 - sys : pr1);
	put(c, "cost", "pc_lookup", val,
	    "measured: pread of 1 byte from a cached tmpfs page, 5 x 20000, median %.1f cycles, minus syscall %.1f (includes the 1-byte copy)",
	    pr1, sys);
	if (prbig > 0) {
		double per = (prbig - sys - 256 * (pr1 - sys)) / (double)(1u << 20);
		mb_sfmt(val, sizeof(val), "%.0f", per * 1000 > 1 ? per * 1000 : 1);
		put(c, "cost", "copy_mcyc_per_byte", val,
		    "measured: pread of 1 MiB from a cached tmpfs file, 5 x 16, median %.0f cycles, minus syscall and 256 page lookups (%.0f), over 1048576 bytes = %.4f cycles/byte",
		    prbig, sys + 256 * (pr1 - sys), per);
	}
	/* file read faults with fault-around on tmpfs (order-0 pages): one fault per 16 pages */
	{
		size_t bytes = 8u << 20;
		char *m = mmap(NULL, bytes, PROT_READ, MAP_PRIVATE, fd, 0);
		struct rusage r0, r1;
		volatile char sink = 0;
		if (m != MAP_FAILED) {
			getrusage(RUSAGE_SELF, &r0);
			t0 = tsc();
			for (size_t off = 0; off < bytes; off += PG)
				sink += m[off];
			ff = (double)(tsc() - t0);
			getrusage(RUSAGE_SELF, &r1);
			munmap(m, bytes);
			long nf = r1.ru_minflt - r0.ru_minflt;
			if (nf > 0 && a4m > 0 && c->wf_faults > 0 && c->wf_cycles > 0) {
				/*
				 * Two fault-around shapes give two equations in the per-PTE
				 * cost p and the per-folio cost f (besides fault_entry):
				 * tmpfs, order-0 folios: A = 16 p + 16 f per fault;
				 * ext4 warm-write, 1 MiB folios mapped whole: B = 256 p + 1 f.
				 */
				double entry = a4m - zero, pages = (double)(bytes / PG) / (double)nf;
				double A = ff / (double)nf - entry;
				double wpages = (double)c->wf_pages / (double)c->wf_faults;
				double B = c->wf_cycles / (double)c->wf_faults - entry;
				double p = (B - A / pages) / (wpages - 1), f = A / pages - p;
				mb_sfmt(val, sizeof(val), "%.0f", p > 1 ? p : 1);
				put(c, "cost", "fault_pte", val,
				    "measured: per PTE, solved from two fault-around shapes: tmpfs order-0 (%ld faults, %.1f pages each, %.0f cycles per fault) and a 1 MiB-folio warm-write file (%ld faults, %.1f pages each, %.0f cycles per fault), both minus fault_entry %.0f",
				    nf, pages, ff / (double)nf, c->wf_faults, wpages, c->wf_cycles / (double)c->wf_faults, entry);
				mb_sfmt(val, sizeof(val), "%.0f", f > 1 ? f : 1);
				put(c, "cost", "fault_folio", val,
				    "measured: per folio looked up in a fault, from the same two equations (tmpfs per fault minus %.1f PTEs)", pages);
			}
			(void)sink;
		}
	}
	close(fd);
	unlink(path);
	free(pg);
}

/* ---- kernel policy --------------------------------------------------------- */

/* Present bits of [addr, addr+pages*4K) from /proc/self/pagemap; PFNs into pfn if non-NULL. */
static long pagemap_present(const void *addr, size_t pages, uint64_t *pfn)
{
	int fd = open("/proc/self/pagemap", O_RDONLY);
	uint64_t *e;
	long n = 0;

	if (fd < 0)
		return -errno;
	e = malloc(pages * 8);
	if (!e || pread(fd, e, pages * 8, (off_t)((uintptr_t)addr / PG * 8)) != (ssize_t)(pages * 8)) {
		free(e);
		close(fd);
		return -EIO;
	}
	for (size_t i = 0; i < pages; i++) {
		if (e[i] >> 63)
			n++;
		if (pfn)
			pfn[i] = (e[i] >> 63) ? (e[i] & ((UINT64_C(1) << 55) - 1)) : 0;
	}
	free(e);
	close(fd);
	return n;
}

static void probe_fault_around(struct cal *c, const char *shm)
{
	char path[PATH_MAX];
	size_t pages = 256;
	int fd;
	char *m;
	long n;
	volatile char s;

	mb_sfmt(path, sizeof(path), "%s/mapbench-cal-fa-%d", shm, (int)getpid());
	fd = make_file(path, pages * PG, PG);
	if (fd < 0) {
		note(c, "fault_around_pages not measured: cannot create %s", path);
		return;
	}
	m = mmap(NULL, pages * PG, PROT_READ, MAP_PRIVATE, fd, 0);
	if (m != MAP_FAILED) {
		s = m[100 * PG + 5]; /* page 100: mid-window */
		(void)s;
		n = pagemap_present(m, pages, NULL);
		if (n > 0)
			putu(c, "kernel", "fault_around_pages", (uint64_t)n, "");
		if (n > 0)
			mb_sfmt(c->e[c->n - 1].how, sizeof(c->e[0].how),
			     "measured: one read touch of page 100 of a cached %zu-page tmpfs file (4K pages) mapped MAP_PRIVATE; %ld pages present in /proc/self/pagemap afterwards",
			     pages, n);
		else
			note(c, "fault_around_pages not measured: pagemap read failed (%ld)", n);
		munmap(m, pages * PG);
	}
	close(fd);
	unlink(path);
}

static long sysfs_long(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/* cachestat(2), syscall 451 (Linux 6.5+): cached pages of [off, off+len). */
struct cal_cachestat_range { uint64_t off, len; };
struct cal_cachestat { uint64_t cache, dirty, writeback, evicted, recently_evicted; };

static long cached_pages(int fd, uint64_t off, uint64_t len)
{
	struct cal_cachestat_range r = { off, len };
	struct cal_cachestat cs;

	memset(&cs, 0, sizeof(cs));
	if (syscall(451, fd, &r, &cs, 0))
		return -errno;
	return (long)cs.cache;
}

static int drop_file(int fd)
{
	if (fsync(fd))
		return -errno;
	return posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) ? -EIO : 0;
}

/*
 * Device read costs the model charges when a folio is read (io_page) and when
 * a read waits for the device (io_request): a cold sequential read() pass of a
 * 64 MiB file minus the same pass warm, per page; then single cold 4 KiB
 * preads far apart (each a synchronous readahead of 4 pages), minus those
 * pages and a warm pread.
 */
static void probe_io(struct cal *c, const char *dir)
{
	char path[PATH_MAX], val[32];
	size_t bytes = 64u << 20, chunk = 1u << 20;
	char *buf = malloc(chunk);
	double cold, warm, v[8], one_cold, one_warm, per_page;
	uint64_t t0;
	int fd;

	mb_sfmt(path, sizeof(path), "%s/mapbench-cal-io-%d", dir, (int)getpid());
	if (!buf || (fd = make_file(path, bytes, chunk)) < 0) {
		note(c, "device I/O costs not measured: cannot create %s", path);
		free(buf);
		return;
	}
	if (drop_file(fd)) {
		note(c, "device I/O costs not measured: fsync/FADV_DONTNEED failed on %s", path);
		goto out;
	}
	t0 = tsc();
	for (off_t o = 0; o < (off_t)bytes; o += (off_t)chunk)
		if (pread(fd, buf, chunk, o) != (ssize_t)chunk)
			goto out;
	cold = (double)(tsc() - t0);
	t0 = tsc();
	for (off_t o = 0; o < (off_t)bytes; o += (off_t)chunk)
		if (pread(fd, buf, chunk, o) != (ssize_t)chunk)
			goto out;
	warm = (double)(tsc() - t0);
	per_page = (cold - warm) / (double)(bytes / PG);
	mb_sfmt(val, sizeof(val), "%.0f", per_page > 1 ? per_page : 1);
	put(c, "cost", "io_page", val,
	    "measured: cold sequential read() of a 64 MiB file in 1 MiB requests (fsync + FADV_DONTNEED first), %.0f cycles, minus the same pass warm, %.0f, per 4 KiB page",
	    cold, warm);
	if (drop_file(fd))
		goto out;
	for (int i = 0; i < 8; i++) { /* 8 MiB apart: each a fresh synchronous read */
		t0 = tsc();
		if (pread(fd, buf, PG, (off_t)i * (8 << 20) + (4 << 20)) != PG)
			goto out;
		v[i] = (double)(tsc() - t0);
	}
	one_cold = median(v, 8);
	for (int i = 0; i < 8; i++) {
		t0 = tsc();
		if (pread(fd, buf, PG, (off_t)i * (8 << 20) + (4 << 20)) != PG)
			goto out;
		v[i] = (double)(tsc() - t0);
	}
	one_warm = median(v, 8);
	{
		double req = one_cold - one_warm - 4 * per_page;
		mb_sfmt(val, sizeof(val), "%.0f", req > 1 ? req : 1);
		put(c, "cost", "io_request", val,
		    "measured: cold 4 KiB pread 8 MiB apart, median of 8: %.0f cycles, minus a warm one (%.0f) and the 4 pages its readahead reads (4 x io_page)",
		    one_cold, one_warm);
	}
out:
	close(fd);
	unlink(path);
	free(buf);
}

static void probe_readahead(struct cal *c, const char *dir)
{
	struct stat st;
	char p[PATH_MAX], path[PATH_MAX];
	long ra_kb, ms_kb, cached0, cached1;
	size_t bytes = 64u << 20;
	unsigned maj, min;
	int fd;

	if (stat(dir, &st)) {
		note(c, "readahead not measured: stat %s: %s", dir, strerror(errno));
		return;
	}
	maj = major(st.st_dev);
	min = minor(st.st_dev);
	mb_sfmt(p, sizeof(p), "/sys/class/bdi/%u:%u/read_ahead_kb", maj, min);
	ra_kb = sysfs_long(p);
	mb_sfmt(p, sizeof(p), "/sys/dev/block/%u:%u/queue/max_sectors_kb", maj, min);
	ms_kb = sysfs_long(p);
	if (ms_kb < 0) { /* a partition: the queue is the parent's */
		mb_sfmt(p, sizeof(p), "/sys/dev/block/%u:%u/../queue/max_sectors_kb", maj, min);
		ms_kb = sysfs_long(p);
	}
	mb_sfmt(path, sizeof(path), "%s/mapbench-cal-ra-%d", dir, (int)getpid());
	fd = make_file(path, bytes, 1u << 20);
	if (fd < 0) {
		note(c, "readahead not confirmed: cannot create %s: %s", path, strerror(-fd));
	} else {
		char *m;
		drop_file(fd);
		cached0 = cached_pages(fd, 0, bytes);
		m = mmap(NULL, bytes, PROT_READ, MAP_PRIVATE, fd, 0);
		cached1 = -1;
		if (m != MAP_FAILED) {
			volatile char s = m[bytes / 2 + 5 * PG];
			(void)s;
			cached1 = cached_pages(fd, 0, bytes);
			munmap(m, bytes);
		}
		if (ra_kb > 0)
			putu(c, "kernel", "ra_pages", (uint64_t)ra_kb / 4, "");
		if (ra_kb > 0)
			mb_sfmt(c->e[c->n - 1].how, sizeof(c->e[0].how),
			     "measured: %s = %ld KiB / 4; confirmed: one cold mmap read touch mid-file of a 64 MiB file on %u:%u (fsync + FADV_DONTNEED) took the cached pages from %ld to %ld by cachestat(451) (%s)",
			     "/sys/class/bdi/MAJ:MIN/read_ahead_kb", ra_kb, maj, min, cached0, cached1,
			     cached0 >= 0 && cached1 - cached0 == ra_kb / 4 ? "equal to ra_pages" :
			     cached0 < 0 ? "cachestat unavailable" : "DIFFERS from ra_pages");
		close(fd);
		unlink(path);
	}
	if (ms_kb > 0) {
		putu(c, "kernel", "io_pages", (uint64_t)ms_kb / 4, "");
		mb_sfmt(c->e[c->n - 1].how, sizeof(c->e[0].how),
		     "measured: /sys/dev/block/%u:%u/queue/max_sectors_kb = %ld KiB / 4", maj, min, ms_kb);
	}
}

/* Faults of a one-byte-per-page MAP_PRIVATE read of a freshly written 64 MiB file. */
static void probe_whole_folio(struct cal *c, const char *dir)
{
	char path[PATH_MAX];
	size_t bytes = 64u << 20;
	struct rusage r0, r1;
	volatile char s = 0;
	long nf;
	char *m;
	int fd;

	mb_sfmt(path, sizeof(path), "%s/mapbench-cal-wf-%d", dir, (int)getpid());
	fd = make_file(path, bytes, 1u << 20);
	if (fd < 0) {
		note(c, "whole-folio rule not measured: cannot create %s", path);
		return;
	}
	m = mmap(NULL, bytes, PROT_READ, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED) {
		close(fd);
		unlink(path);
		return;
	}
	getrusage(RUSAGE_SELF, &r0);
	{
		uint64_t t0 = tsc();
		for (size_t off = 0; off < bytes; off += PG)
			s += m[off];
		c->wf_cycles = (double)(tsc() - t0);
	}
	getrusage(RUSAGE_SELF, &r1);
	nf = r1.ru_minflt - r0.ru_minflt;
	c->wf_faults = nf;
	c->wf_pages = (long)(bytes / PG);
	(void)s;
	{
		/* folio orders of this warm-by-write file, while it is mapped */
		uint64_t *pfn = calloc(bytes / PG, sizeof(*pfn));
		int kfd = open("/proc/kpageflags", O_RDONLY);
		if (pfn && kfd >= 0 && pagemap_present(m, bytes / PG, pfn) > 0 && pfn[0]) {
			unsigned hist[12] = { 0 }, maxo = 0;
			size_t i = 0;
			while (i < bytes / PG) {
				uint64_t fl = 0;
				size_t len = 1;
				if (pfn[i] && pread(kfd, &fl, 8, (off_t)(pfn[i] * 8)) == 8 && (fl >> 15 & 1)) {
					while (i + len < bytes / PG && pfn[i + len] == pfn[i] + len) {
						uint64_t f2 = 0;
						if (pread(kfd, &f2, 8, (off_t)(pfn[i + len] * 8)) != 8 || !(f2 >> 16 & 1))
							break;
						len++;
					}
				}
				unsigned o = 0;
				while ((1u << (o + 1)) <= len)
					o++;
				if (o < 12)
					hist[o]++;
				if (o > maxo)
					maxo = o;
				i += len;
			}
			note(c, "folio orders of a 64 MiB file written with 1 MiB pwrite (warm-write), from /proc/kpageflags via pagemap: order0 %u, order2 %u, order4 %u, order8 %u, order9 %u, max order %u",
			     hist[0], hist[2], hist[4], hist[8], hist[9], maxo);
			putu(c, "kernel", "ext4_large_folios", maxo > 0, "");
			mb_sfmt(c->e[c->n - 1].how, sizeof(c->e[0].how),
			     "measured: largest folio after a 1 MiB-pwrite warm-write is order %u (/proc/kpageflags COMPOUND_HEAD/TAIL via pagemap)", maxo);
		} else {
			note(c, "folio orders not measured: /proc/kpageflags needs root (%s)",
			     kfd < 0 ? strerror(errno) : "no PFNs in pagemap");
		}
		if (kfd >= 0)
			close(kfd);
		free(pfn);
	}
	munmap(m, bytes);
	close(fd);
	unlink(path);
	{
		const char *rule = nf == 79 ? "6.18 (whole-folio mapping, EOF folio rule)" :
				   nf == 64 ? "whole-folio mapping without the EOF rule" :
				   nf == 1024 ? "page by page (16 per fault, before 6.16 or no large folios)" : "unrecognised";
		char how[512];
		int any = nf == 79 || nf == 64;
		mb_sfmt(how, sizeof(how), "measured: %ld faults reading one byte per page of a freshly written 64 MiB file (1 MiB pwrite) via MAP_PRIVATE: %s (79 -> 6.18, 64, 1024 -> older)", nf, rule);
		put(c, "kernel", "whole_folio_map", any ? "any" : "none", "%s", how);
		putu(c, "kernel", "faultaround_whole_folio", any, how);
		putu(c, "kernel", "eof_folio_rule", nf == 79, how);
	}
}

static void probe_settings(struct cal *c, const char *dir, const char *shm)
{
	struct utsname u;
	struct stat st;
	char buf[128], v[16];
	FILE *f;

	if (!uname(&u)) {
		mb_sfmt(v, sizeof(v), "%.*s", (int)strspn(u.release, "0123456789."), u.release);
		if (strchr(v, '.') && strchr(strchr(v, '.') + 1, '.'))
			*strchr(strchr(v, '.') + 1, '.') = 0;
		put(c, "kernel", "version", v, "read: uname release %s", u.release);
	}
	f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
	if (f && fgets(buf, sizeof(buf), f)) {
		const char *m = strstr(buf, "[always]") ? "always" : strstr(buf, "[madvise]") ? "madvise" : "never";
		buf[strcspn(buf, "\n")] = 0;
		put(c, "kernel", "thp_anon", m, "read: /sys/kernel/mm/transparent_hugepage/enabled = '%s'", buf);
	}
	if (f)
		fclose(f);
	long zp = sysfs_long("/sys/kernel/mm/transparent_hugepage/use_zero_page");
	if (zp >= 0)
		putu(c, "kernel", "thp_zero_page", (uint64_t)zp, "read: /sys/kernel/mm/transparent_hugepage/use_zero_page");
	if (!stat(dir, &st)) {
		char how[300];
		mb_sfmt(how, sizeof(how), "read: stat(%s).st_blksize", dir);
		putu(c, "kernel", "st_blksize", (uint64_t)st.st_blksize, how);
	}
	if (!stat(shm, &st)) {
		char how[300];
		mb_sfmt(how, sizeof(how), "read: stat(%s).st_blksize (tmpfs)", shm);
		putu(c, "kernel", "tmpfs_st_blksize", (uint64_t)st.st_blksize, how);
	}
}

/* ---- base profile and writer ---------------------------------------------- */

static void write_base_rest(struct cal *c, FILE *out, const char *sec, const char *base)
{
	FILE *f = base ? fopen(base, "r") : NULL;
	char line[2048], cur[32] = "";

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *s = line, *eq, key[64], *hash;
		size_t k;
		line[strcspn(line, "\n")] = 0;
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '[') {
			mb_sfmt(cur, sizeof(cur), "%.*s", (int)strcspn(s + 1, "]"), s + 1);
			continue;
		}
		if (strcmp(cur, sec) || !(eq = strchr(s, '=')) || *s == '#' || *s == ';')
			continue;
		k = (size_t)(eq - s);
		while (k && (s[k - 1] == ' ' || s[k - 1] == '\t'))
			k--;
		mb_sfmt(key, sizeof(key), "%.*s", (int)k, s);
		int have = 0;
		for (size_t i = 0; i < c->n; i++)
			if (!strcmp(c->e[i].sec, sec) && !strcmp(c->e[i].key, key))
				have = 1;
		if (have || !strcmp(key, "name"))
			continue;
		hash = strchr(eq, '#');
		if (hash)
			*hash = 0;
		{
			char *val = eq + 1;
			size_t vl;
			while (*val == ' ' || *val == '\t')
				val++;
			vl = strlen(val);
			while (vl && (val[vl - 1] == ' ' || val[vl - 1] == '\t'))
				val[--vl] = 0;
			fprintf(out, "%s = %s # not measured by calibrate: copied from %s (%s)\n", key, val, base,
				hash ? hash + 1 : "no comment");
		}
	}
	fclose(f);
}

int cal_run(const struct cal_opts *o)
{
	static struct cal c;
	const char *shm = "/dev/shm", *dir = o->dir ? o->dir : ".";
	static const char *const secs[] = { "profile", "kernel", "cost", "mmu" };
	char base[PATH_MAX], name[128], when[64];
	struct mb_atomic a;
	uint64_t t0 = mb_now_ns();
	time_t now = time(NULL);
	struct tm tm;
	int e;

	memset(&c, 0, sizeof(c));
	c.o = o;
	if (!HAVE_TSC) {
		mb_err("calibrate", "this build has no TSC (x86 only); cycle figures cannot be measured");
		return 2;
	}
	if (o->base)
		mb_sfmt(base, sizeof(base), "%s", o->base);
	else
		mb_sfmt(base, sizeof(base), "%s/sim/profiles/vm-host.ini", MAPBENCH_SOURCE_ROOT);
	if (access(base, R_OK)) {
		if (o->base) {
			mb_err("calibrate", "base profile %s: %s", base, strerror(errno));
			return 2;
		}
		base[0] = 0;
	}
	{
		const char *b = strrchr(o->out, '/');
		mb_sfmt(name, sizeof(name), "%s", o->name ? o->name : b ? b + 1 : o->out);
		if (!o->name && strlen(name) > 4 && !strcmp(name + strlen(name) - 4, ".ini"))
			name[strlen(name) - 4] = 0;
	}
	put(&c, "profile", "name", name, "given: calibrate -o / --name");
	probe_tsc(&c);
	probe_settings(&c, dir, shm);
	probe_fault_around(&c, shm);
	probe_readahead(&c, dir);
	probe_whole_folio(&c, dir);
	probe_costs(&c, shm);
	probe_tlb(&c);
	probe_memory(&c);
	probe_io(&c, dir);

	e = mb_atomic_open(&a, o->out);
	if (e) {
		mb_errno("calibrate", e, "cannot write %s", o->out);
		return 2;
	}
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(a.fp, "# %s — model profile written by `mapbench calibrate%s` (mapbench %s) on %s,\n"
		      "# in %.0f s. Every value says how it was measured; values this tool cannot\n"
		      "# measure are copied from %s and say so.\n",
		o->out, o->quick ? " --quick" : "", mb_version(), when, (double)(mb_now_ns() - t0) / 1e9,
		base[0] ? base : "(no base profile: the model's defaults apply)");
	for (size_t i = 0; i < c.nnotes; i++)
		fprintf(a.fp, "# note: %s\n", c.notes[i]);
	for (size_t s = 0; s < MB_ARRAY_SIZE(secs); s++) {
		fprintf(a.fp, "\n[%s]\n", secs[s]);
		for (size_t i = 0; i < c.n; i++)
			if (!strcmp(c.e[i].sec, secs[s]))
				fprintf(a.fp, "%s = %s # %s\n", c.e[i].key, c.e[i].val, c.e[i].how);
		if (base[0])
			write_base_rest(&c, a.fp, secs[s], base);
	}
	if (ferror(a.fp)) {
		mb_atomic_abort(&a);
		mb_err("calibrate", "writing %s failed", o->out);
		return 2;
	}
	e = mb_atomic_commit(&a);
	if (e) {
		mb_errno("calibrate", e, "committing %s", o->out);
		return 2;
	}
	fprintf(stderr, "calibrate: wrote %s (%zu measured values) in %.1f s\n", o->out, c.n,
		(double)(mb_now_ns() - t0) / 1e9);
	return 0;
}
