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
 * - Fault costs from three shapes, each the median of fresh mappings:
 *   anonymous 4 KiB read faults (zero page), tmpfs order-0 fault-around, and
 *   the whole-folio pass of a warm-write ext4 file, solved for fault_entry,
 *   fault_pte, fault_folio; zero_4k = anonymous write fault - read fault;
 *   fault_pmd from the 2 MiB folios of a warm-by-read ext4 file mapped by
 *   PMDs; zero_2m from MADV_HUGEPAGE write faults; getppid() syscall; 1-byte
 *   pread of a cached tmpfs page (lookup); shared-write faults of written and
 *   of read-back files (page_mkwrite, and buffer heads made); private-write
 *   faults of unmapped and of read-mapped pages (copy_4k, cow_wp).
 * - Reads of a cached ext4 file: 64 KiB minus 1-byte preads (copy per byte);
 *   64-byte io_uring reads at queue depth 32 and 1 against pread, and of a
 *   tmpfs file (io-wq punts), when built with liburing.
 * - Memory: fold per byte; streamed, chased (latency), independent random
 *   lines, and whole pages entered at random (THP buffers).
 * - Device: cold sequential read per page (beyond the warm pass: io_page; all
 *   of it: io_stream, the device's streaming time); cold 4 KiB pread (io_request); a
 *   cold mmap touch waiting for its read-around window (io_page_sync), and
 *   with MADV_HUGEPAGE for its two PMD folios (io_page_sync_pmd);
 *   reverse cold touches with MADV_SEQUENTIAL against MADV_RANDOM (ra_skip:
 *   the readahead window stepping over cached folios).
 * - Memory pressure (root, a memory cgroup of the process's own): limit
 *   reclaim of clean order-0 file folios (reclaim_folio); with swap active
 *   only (never enabled here), MADV_PAGEOUT of anonymous pages (swap_out)
 *   and major faults reading them back one page each (swap_in); O_DIRECT
 *   against buffered 4 KiB reads in thread CPU time (direct_io).
 * - Policy: fault_around_pages from /proc/self/pagemap after one touch of a
 *   tmpfs file; ra_pages/io_pages from sysfs, confirmed by one cold touch
 *   mid-file measured with cachestat (syscall 451); the whole-folio/EOF rule
 *   from the fault count of a freshly written 64 MiB file; folio orders after
 *   warm-by-write and warm-by-read from /proc/kpageflags via pagemap (root);
 *   THP settings and st_blksize from sysfs/stat.
 *
 * Invariants: every scratch file, mapping and memory cgroup is removed
 * before returning (cgroups also by bench/cgroup.c's exit hooks);
 * a probe that cannot run (no root, no cachestat, not x86) says so and its
 * key is copied from the base profile or left out, never invented.
 */
#include "bench/suites/calibrate.h"
#include "bench/acc.h"
#include "bench/bench.h"
#include "bench/cache.h"
#include "bench/cgroup.h"
#include "bench/counters.h"
#include "analysis/result.h"
#include "bench/fingerprint.h"
#include "common/mb.h"
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
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
#include <sys/wait.h>
#include <linux/perf_event.h>
#include <time.h>
#include <unistd.h>
#if HAVE_LIBURING
#include <liburing.h>
#endif
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
	int probe;      /* index in probes[] of the probe that measured it */
};

/* Everything measured so far. */
struct cal {
	const struct cal_opts *o;           /* options */
	int probe;                          /* index in probes[] of the probe running now */
	struct cal_entry e[CAL_MAX_ENTRIES];/* entries in write order */
	size_t n;                           /* count */
	double ghz;                         /* TSC cycles per ns */
	char notes[16][512];                /* free comments for the header */
	size_t nnotes;                      /* count */
	double wf_cycles;                   /* whole-folio probe: TSC cycles of the read pass's fault work (0: not run) */
	double wf_again;                    /* ... cycles per touch of its second pass (subtracted per touch) */
	long wf_faults;                     /* ... its faults */
	long wf_pages;                      /* ... pages it mapped */
	double sys;                         /* syscall cycles (getppid) as put (0: not measured) */
	double fold;                        /* fold cycles per byte as put (0: not measured) */
	double entry;                       /* fault_entry as put (0: not measured) */
	double folio;                       /* fault_folio as put */
	double huge_write;                  /* anonymous 2 MiB write fault, cycles (0: not measured) */
	long ra_pages;                      /* read-around window read from sysfs (0: unknown) */
	double pmd;                         /* fault_pmd as put (0: not measured) */
	double pte;                         /* fault_pte as put (0: not measured) */
	char noisy_keys[256];               /* merged: keys still beyond their spread bound, "sec.key ..." */
	double drift[CAL_DRIFT_N];          /* this run's drift probes (drift_measure), cycles, -1 not run */
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
	e->probe = c->probe;
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

/* Median of k (at most 9) calls of run(arg), each one timed figure; -1 if any failed (< 0). */
static double median_of(int k, double (*run)(void *arg), void *arg)
{
	double v[9];

	if (k > 9)
		k = 9;
	for (int i = 0; i < k; i++)
		if ((v[i] = run(arg)) < 0)
			return -1;
	return median(v, (size_t)k);
}

/* Writes v rounded into a profile value; below lo it writes lo and says so in *clamp (a sentence, or ""). */
static void fmt_clamped(char *val, size_t len, double v, double lo, char *clamp, size_t clen)
{
	mb_sfmt(val, len, "%.0f", v >= lo ? v : lo);
	if (v >= lo)
		clamp[0] = 0;
	else
		mb_sfmt(clamp, clen, "; CLAMPED to %.0f: the raw solution %.1f is below it (noise or a shape the equations miss)", lo, v);
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
 * A 2 MiB-aligned mapping of bytes inside a PROT_NONE reservation (so PMD
 * mappings are possible): fd < 0 anonymous read-write memory, else the file
 * from offset 0, read-only MAP_PRIVATE, or read-write MAP_SHARED if shared.
 * *raw gets what unmap_2m() releases.
 */
static char *map_2m(int fd, int shared, size_t bytes, char **raw)
{
	char *r = mmap(NULL, bytes + (2u << 20), PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	char *a, *m;

	if (r == MAP_FAILED)
		return NULL;
	a = (char *)(((uintptr_t)r + (2u << 20) - 1) & ~(uintptr_t)((2u << 20) - 1));
	m = fd < 0 ? mmap(a, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) :
	     shared ? mmap(a, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0) :
		     mmap(a, bytes, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 0);
	if (m == MAP_FAILED) {
		munmap(r, bytes + (2u << 20));
		return NULL;
	}
	*raw = r;
	return m;
}

static void unmap_2m(char *raw, size_t bytes)
{
	munmap(raw, bytes + (2u << 20));
}

/* Field (e.g. "FilePmdMapped") of the mapping that starts at addr, from /proc/self/smaps, in KiB; -1 unknown. */
static long smaps_kb(const void *addr, const char *field)
{
	FILE *f = fopen("/proc/self/smaps", "re");
	char line[256];
	size_t fl = strlen(field);
	int in = 0;
	long kb = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2)
			in = lo == (uintptr_t)addr;
		else if (in && !strncmp(line, field, fl) && line[fl] == ':' && sscanf(line + fl + 1, "%ld", &kb) == 1)
			break;
	}
	fclose(f);
	return kb;
}

/* perm[0..n) := a random permutation that is one cycle (Sattolo's algorithm, xs()), n >= 1. */
static void random_cycle(uint32_t *perm, size_t n)
{
	for (size_t i = 0; i < n; i++)
		perm[i] = (uint32_t)i;
	for (size_t i = n - 1; i > 0; i--) {
		size_t j = xs() % i;
		uint32_t t = perm[i];
		perm[i] = perm[j];
		perm[j] = t;
	}
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
	if (!(buf = map_2m(-1, 0, bytes, &raw)))
		return -1;
	madvise(buf, bytes, packed ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	perm = malloc(pages * sizeof(*perm));
	if (!perm) {
		unmap_2m(raw, bytes);
		return -1;
	}
	random_cycle(perm, pages);
#define NODE(i) ((void **)(buf + (packed ? ((size_t)(i) & ~(size_t)63) * 64 : (size_t)(i) * PG) + \
			   (((size_t)(i) * 37) & 63) * 64))
	for (size_t i = 0; i < pages; i++)
		*NODE(i) = (void *)NODE(perm[i]);
	free(perm);
	p = NODE(0);
	/* warm-up: twice round the cycle, at most 1 M loads (a set that large misses anyway) */
	for (uint64_t k = 0; k < 2 * pages + 1000 && k < (1u << 20); k++)
		p = (void **)*p;
	for (int rep = 0; rep < 3; rep++) {
		uint64_t t0 = tsc();
		for (uint64_t k = 0; k < accesses; k++)
			p = (void **)*p;
		r[rep] = (double)(tsc() - t0) / (double)accesses;
	}
	__asm__ volatile("" : : "r"(p));
#undef NODE
	unmap_2m(raw, bytes);
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
 * The LLC share this process really gets: sysfs names the socket's L3,
 * which in a VM other guests share (seen: 260 MiB on a Xeon guest whose
 * random chase over 16 MiB already costs DRAM latency). A random chase
 * packed one node per line in THP memory over S = 1..128 MiB, 300000 loads
 * each: m(S) = (lat(S) - lat(1 MiB)) / (lat(256 MiB) - lat(1 MiB)) is about
 * the miss share, 1 - C/S above an LRU cache of C bytes, so m crosses 1/2 at
 * S = 2C: C = S_half / 2, S_half log-interpolated between the sizes around
 * the crossing; never below the largest size with m < 0.25 (an L3 hit
 * slower than an L2 hit raises m below C). No crossing up to 128 MiB: C =
 * 128 MiB.
 */
static void probe_llc(struct cal *c, double lat_dram, uint64_t sysfs)
{
	static const unsigned mib[] = { 1, 2, 4, 8, 16, 32, 64, 128 };
	double lat[MB_ARRAY_SIZE(mib)], lo, m = 0, est = 0;
	char figs[256] = "", val[32];
	size_t i, knee = MB_ARRAY_SIZE(mib);

	for (i = 0; i < MB_ARRAY_SIZE(mib); i++) {
		lat[i] = chase(((size_t)mib[i] << 20) / 64, 300000, 1);
		if (lat[i] < 0)
			return;
		mb_sfmt(figs + strlen(figs), sizeof(figs) - strlen(figs), "%s%u:%.0f", i ? " " : "", mib[i], lat[i]);
	}
	lo = lat[0];
	for (i = 1; i < MB_ARRAY_SIZE(mib) && lat_dram > lo; i++) {
		m = (lat[i] - lo) / (lat_dram - lo);
		if (m >= 0.5) {
			knee = i;
			break;
		}
	}
	if (knee < MB_ARRAY_SIZE(mib)) {
		double m0 = (lat[knee - 1] - lo) / (lat_dram - lo), x;
		size_t below = 0;
		x = m > m0 ? (0.5 - m0) / (m - m0) : 0;
		/* the size where m crosses 0.5 (log-interpolated): the model treats a region
		   above llc_bytes as all DRAM and one below as all cache, so the switch belongs
		   where most accesses start to miss, not at the LRU capacity (half of it) */
		est = (double)((uint64_t)mib[knee - 1] << 20) * pow(2.0, x);
		for (size_t k = 0; k < knee; k++)
			if ((lat[k] - lo) / (lat_dram - lo) < 0.25)
				below = k;
		if (est < (double)((uint64_t)mib[below] << 20))
			est = (double)((uint64_t)mib[below] << 20);
	} else {
		est = (double)((uint64_t)mib[MB_ARRAY_SIZE(mib) - 1] << 20);
	}
	/* whole MiB: the model compares region sizes against it */
	mb_sfmt(val, sizeof(val), "%llu", (unsigned long long)((uint64_t)(est / (1 << 20) + 0.5) << 20));
	put(c, "cost", "llc_bytes", val,
	    "measured: effective LLC from a random chase packed one node per line in THP memory, TSC cycles/access at MiB:%s, 256 MiB %.0f; "
	    "miss share m = (lat - lat(1 MiB)) / (lat(256 MiB) - lat(1 MiB)) first >= 0.5 at %u MiB (m %.2f): C = S_half, where half the accesses miss (log-interpolated; the model's switch from all-LLC to all-DRAM regions), at least the largest size with m < 0.25%s; sysfs says %llu MiB (the socket's, shared with other guests)",
	    figs, lat_dram, knee < MB_ARRAY_SIZE(mib) ? mib[knee] : 0, m,
	    knee < MB_ARRAY_SIZE(mib) ? "" : " (no knee up to 128 MiB: 128 MiB written)",
	    (unsigned long long)(sysfs >> 20));
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
	c->fold = fold;
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
	if (rnd > 0 && !c->o->quick)
		probe_llc(c, rnd, llc);
	else if (llc) {
		mb_sfmt(val, sizeof(val), "%llu", (unsigned long long)llc);
		put(c, "cost", "llc_bytes", val, "read: largest cache of cpu0 in /sys/devices/system/cpu/cpu0/cache/index*/size (--quick: not measured)");
	}
	__asm__ volatile("" : : "r"(sink));
}

/* A THP buffer and the access orders probe_lines times over it. */
struct lines {
	const unsigned char *b; /* buffer, prefaulted */
	const uint32_t *off;    /* byte offsets of random 64-byte lines */
	size_t n;               /* count of off */
	const uint32_t *page;   /* a random order of the buffer's 4 KiB pages */
	size_t pages;           /* count of page */
	uint64_t sink;          /* keeps the loads */
};

/* Cycles per load: one 8-byte load per precomputed random line (independent: misses overlap). */
static double run_indep(void *arg)
{
	struct lines *l = arg;
	uint64_t t0 = tsc(), s = 0;

	for (size_t i = 0; i < l->n; i++)
		s += *(const uint64_t *)(const void *)(l->b + l->off[i]);
	l->sink += s;
	return (double)(tsc() - t0) / (double)l->n;
}

/* Cycles per page: the harness's fold of whole 4 KiB pages in random page order. */
static double run_fresh(void *arg)
{
	struct lines *l = arg;
	uint64_t t0 = tsc();

	for (size_t i = 0; i < l->pages; i++)
		l->sink += fold_words(l->b + (size_t)l->page[i] * PG, PG);
	return (double)(tsc() - t0) / (double)l->pages;
}

/*
 * DRAM costs of the harness's own accesses to mapped data (no faults, no
 * translation misses to speak of: THP, prefaulted): mem_line_indep, one load
 * per random line with the addresses known in advance as a trace's records
 * are, so misses overlap; mem_line_fresh, each further line of a 4 KiB page
 * entered at random and folded whole (the prefetcher's share), = (cycles per
 * page - fold of 4096 bytes - the first line at mem_line_indep) / 63.
 */
static void probe_lines(struct cal *c)
{
	size_t big = (c->o->quick ? 64u : 256u) << 20, lines = big / 64;
	struct lines l = { .n = c->o->quick ? (size_t)1 << 18 : (size_t)1 << 20, .pages = big / PG };
	int runs_i = c->o->quick ? 3 : 5, runs_f = c->o->quick ? 3 : 9;
	uint32_t *off = malloc(l.n * sizeof(*off)), *page = malloc(l.pages * sizeof(*page));
	double indep, fresh, per_page;
	long thp_kb;
	char *raw = NULL, *b = map_2m(-1, 0, big, &raw), val[32], cl[200];

	if (!b || !off || !page || c->fold <= 0) {
		note(c, "mem_line_indep, mem_line_fresh not measured: %s", c->fold <= 0 ? "no fold cost" : "out of memory");
		goto out;
	}
	madvise(b, big, MADV_HUGEPAGE);
	memset(b, 7, big);
	thp_kb = smaps_kb(b, "AnonHugePages");
	for (size_t i = 0; i < l.n; i++)
		off[i] = (uint32_t)(xs() % lines * 64);
	for (size_t i = 0; i < l.pages; i++)
		page[i] = (uint32_t)i;
	for (size_t i = l.pages - 1; i > 0; i--) { /* Fisher-Yates */
		size_t j = xs() % (i + 1);
		uint32_t t = page[i];
		page[i] = page[j];
		page[j] = t;
	}
	l.b = (const unsigned char *)b;
	l.off = off;
	l.page = page;
	indep = median_of(runs_i, run_indep, &l);
	per_page = median_of(runs_f, run_fresh, &l);
	mb_sfmt(val, sizeof(val), "%.0f", indep);
	put(c, "cost", "mem_line_indep", val,
	    "measured: one 8-byte load per random 64-byte line of a %zu MiB THP buffer (MADV_HUGEPAGE, prefaulted; %ld MiB AnonHugePages in smaps), addresses precomputed (independent loads, as the harness's records), %zu loads per run, median of %d runs %.1f cycles per load (the dependent chase, mem_line_rand, is the latency)",
	    big >> 20, thp_kb >> 10, l.n, runs_i, indep);
	fresh = (per_page - PG * c->fold - indep) / 63;
	fmt_clamped(val, sizeof(val), fresh, 0, cl, sizeof(cl));
	put(c, "cost", "mem_line_fresh", val,
	    "measured: the harness's fold of whole 4 KiB pages of a %zu MiB THP buffer in random page order, %zu pages per run, median of %d runs %.0f cycles per page, minus the fold (%.0f = 4096 x fold %.4f) and the first line (mem_line_indep %.1f), over the other 63 lines%s",
	    big >> 20, l.pages, runs_f, per_page, PG * c->fold, c->fold, indep, cl);
out:
	__asm__ volatile("" : : "r"(l.sink));
	if (b)
		unmap_2m(raw, big);
	free(off);
	free(page);
}

static void probe_tlb(struct cal *c)
{
	static const size_t sizes[] = { 8, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768,
					1024, 1536, 2048, 3072, 4096, 8192, 16384, 32768, 65536 };
	/* up to 256 MiB: 16x the largest STLB reach seen (4096 entries); beyond it a chase only
	   adds DRAM misses, and 1 GiB of 4 KiB pages took seconds to map per run */
	size_t ns = c->o->quick ? MB_ARRAY_SIZE(sizes) - 2 : MB_ARRAY_SIZE(sizes);
	double cyc[MB_ARRAY_SIZE(sizes)], ctl[MB_ARRAY_SIZE(sizes)], pg[MB_ARRAY_SIZE(sizes)];
	double base, p2, walk = 0;
	size_t l1 = 0, stlb = 0, i, i2 = 0, iw = 0;
	char raw[900] = "", *q = raw, v[32];

	for (i = 0; i < ns; i++) {
		/* past 16384 pages (every STLB seen so far is smaller) each access is a walk and a DRAM
		   miss: a quarter of the accesses keeps the figure's spread and the probe's time down */
		uint64_t acc = c->o->quick || sizes[i] > 16384 ? 250000 : 1000000;
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

#define FAULT_PASSES 5 /* fresh mappings timed per fault shape (median) */

/* One timed pass of one-byte touches over a fresh mapping (touch_pass). */
struct touch {
	int fd;         /* file mapped from offset 0 (MAP_PRIVATE unless shared), or -1: anonymous memory */
	int shared;     /* 1: fd mapped MAP_SHARED read-write, made clean by fsync before the pass */
	size_t bytes;   /* length mapped */
	size_t step;    /* one touch per step bytes */
	int advice;     /* madvise() of the range before the pass (MADV_HUGEPAGE...), 0: none */
	int write;      /* 1: store (anonymous or shared), 0: load */
	double *each;   /* out, optional: TSC cycles of each touch (bytes / step entries) */
	int keep;       /* 1: leave the mapping for the caller in map/raw (then unmap_2m(raw, bytes)) */
	int retouch;    /* 1: time a second pass over the now-mapped range (no faults) and count only
			   the fault work: (pass - touches x second pass) / faults. The model prices an
			   access's TLB miss, walk and load apart from the fault (per access), so the
			   fault costs solved from these passes must not hold them too */
	int preread;    /* 1: read-touch the range first, untimed: the timed pass meets present
			   read-only PTEs (write-protect faults) */
	int reread;     /* 1: before each pass drop the file's cache (fsync, FADV_DONTNEED) and read
			   it back with 1 MiB read()s: its folios come from readahead and have no
			   buffer heads, as a warm-read replay's */
	double again;   /* out with retouch: TSC cycles per touch of the second pass */
	char *map;      /* out with keep: the mapping */
	char *raw;      /* out with keep: its reservation */
	long faults;    /* out: minor faults of the last pass */
};

/* The reread of struct touch: drop fd's cached pages and read [0, bytes) back in 1 MiB read()s. 0 or -1. */
static int reread_file(int fd, size_t bytes)
{
	static char buf[1u << 20];

	if (fsync(fd) || posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED))
		return -1;
	for (size_t off = 0; off < bytes; off += sizeof(buf))
		if (pread(fd, buf, sizeof(buf), (off_t)off) <= 0)
			return -1;
	return 0;
}

/* TSC cycles per fault of one pass of t (void * for median_of); -1 if mapping failed or nothing faulted (nothing kept then). */
static double touch_pass(void *arg)
{
	struct touch *t = arg;
	struct rusage r0, r1;
	volatile char s = 0;
	uint64_t t0, tt;
	char *raw, *m;

	if (t->reread && reread_file(t->fd, t->bytes))
		return -1;
	if (t->shared && fsync(t->fd))
		return -1;
	if (!(m = map_2m(t->fd, t->shared, t->bytes, &raw)))
		return -1;
	if (t->write && !t->shared && t->fd >= 0 && mprotect(m, t->bytes, PROT_READ | PROT_WRITE)) {
		unmap_2m(raw, t->bytes); /* a private file mapping that COW-faults */
		return -1;
	}
	if (t->advice)
		madvise(m, t->bytes, t->advice);
	for (size_t off = 0; t->preread && off < t->bytes; off += t->step)
		s += m[off];
	getrusage(RUSAGE_SELF, &r0);
	t0 = tsc();
	for (size_t off = 0, i = 0; off < t->bytes; off += t->step, i++) {
		uint64_t t1 = t->each ? tsc() : 0;
		if (t->write)
			m[off] = 1;
		else
			s += m[off];
		if (t->each)
			t->each[i] = (double)(tsc() - t1);
	}
	tt = tsc() - t0;
	getrusage(RUSAGE_SELF, &r1);
	t->faults = r1.ru_minflt - r0.ru_minflt;
	if (t->retouch && t->faults > 0) {
		size_t n = (t->bytes + t->step - 1) / t->step;
		uint64_t t2 = tsc();
		for (size_t off = 0; off < t->bytes; off += t->step)
			s += m[off];
		t->again = (double)(tsc() - t2) / (double)n;
		tt -= tt > (uint64_t)(t->again * (double)n) ? (uint64_t)(t->again * (double)n) : tt;
	}
	(void)s;
	if (t->keep && t->faults > 0) {
		t->map = m;
		t->raw = raw;
	} else {
		unmap_2m(raw, t->bytes);
	}
	return t->faults > 0 ? (double)tt / (double)t->faults : -1;
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

/* The anonymous read fault and the tmpfs fault-around pass that solve_faults() pairs with the whole-folio pass. */
struct fault_shapes {
	double read;      /* R: anonymous 4 KiB read fault (zero page), cycles per fault, median */
	long read_faults; /* its faults per pass */
	size_t read_pages;/* its pages */
	double shm;       /* T: tmpfs order-0 read fault with fault-around, cycles per fault, median */
	long shm_faults;  /* its faults per pass */
	size_t shm_pages; /* its pages */
	double read_again, shm_again; /* cycles per touch of R's and T's second passes (subtracted per touch) */
};

/*
 * fault_entry E, fault_pte p, fault_folio f from three fault shapes:
 * R = E + p (do_anonymous_page read: the zero page, one PTE);
 * T = E + n p + n f (tmpfs, order-0 folios: filemap_map_pages maps n pages of
 * n folios around the fault); W = E + P p + f (ext4 1 MiB folios written
 * warm: each fault maps one whole folio of P pages, probe_whole_folio).
 * Hence p = (W - R) / (P - 1), f = (T - R - (n - 1) p) / n, E = R - p.
 */
static void solve_faults(struct cal *c, const struct fault_shapes *s)
{
	double n = (double)s->shm_pages / (double)s->shm_faults;
	double P = (double)c->wf_pages / (double)c->wf_faults, W = c->wf_cycles / (double)c->wf_faults;
	double p = (W - s->read) / (P - 1), f = (s->shm - s->read - (n - 1) * p) / n, e;
	char val[32], cl[200];

	fmt_clamped(val, sizeof(val), p, 1, cl, sizeof(cl));
	p = atof(val);
	c->pte = p;
	put(c, "cost", "fault_pte", val,
	    "measured: solved with fault_folio and fault_entry from three fault shapes: anonymous read fault R = E + p = %.0f (%ld faults per pass); tmpfs order-0 fault-around T = E + %.1f p + %.1f f = %.0f (%ld faults, %.1f pages and folios each); 1 MiB-folio warm-write ext4 file W = E + %.1f p + f = %.0f (%ld faults, one folio each); cycles per fault, each the median of %d fresh mappings, fault work only: each pass minus its touches at the cycles per touch of a second pass over the mapped range (R %.0f, T %.0f, W %.0f: the TLB miss, walk and load the model prices per access); p = (W - R) / (P - 1)%s",
	    s->read, s->read_faults, n, n, s->shm, s->shm_faults, n, P, W, c->wf_faults, FAULT_PASSES,
	    s->read_again, s->shm_again, c->wf_again, cl);
	fmt_clamped(val, sizeof(val), f, 1, cl, sizeof(cl));
	c->folio = atof(val);
	put(c, "cost", "fault_folio", val,
	    "measured: per folio visited by a fault (filemap_map_pages next_uptodate_folio, filemap_fault lookup), from the same three equations as fault_pte: f = (T - R - %.1f p) / %.1f = (%.0f - %.0f - %.1f x %.0f) / %.1f%s",
	    n - 1, n, s->shm, s->read, n - 1, p, n, cl);
	e = s->read - p;
	fmt_clamped(val, sizeof(val), e, 1, cl, sizeof(cl));
	c->entry = atof(val);
	put(c, "cost", "fault_entry", val,
	    "measured: anonymous 4K READ fault (never-written page: the zero page; THP off via MADV_NOHUGEPAGE; entry, exit, handler, one PTE), %zu pages, %ld faults per pass, median of %d passes %.0f cycles per fault, minus fault_pte %.0f%s",
	    s->read_pages, s->read_faults, FAULT_PASSES, s->read, p, cl);
}

/* Median of 5 x `reps` calls of op(), TSC cycles per call, a hot loop (memset, memcpy, getppid). */
static double hot_loop(int reps, void (*op)(char *buf), char *buf)
{
	double v[5];

	for (int i = 0; i < 5; i++) {
		uint64_t t0 = tsc();
		for (int k = 0; k < reps; k++) {
			op(buf);
			__asm__ volatile("" : : "r"(buf) : "memory");
		}
		v[i] = (double)(tsc() - t0) / reps;
	}
	return median(v, 5);
}

static void op_zero(char *b) { memset(b, b[PG] + 1, PG); }
static void op_copy(char *b) { memcpy(b + PG, b, PG); }
static void op_sys(char *b) { (void)b; syscall(SYS_getppid); }
static int pread1_fd; /* the cached file op_pread1 reads */
static void op_pread1(char *b)
{
	static unsigned k;
	if (pread(pread1_fd, b, 1, (off_t)((k++ & 1023) * PG)) != 1)
		b[0] = 0;
}

/*
 * Anonymous 4 KiB faults, THP off (do_anonymous_page): a read maps the zero
 * page, a write allocates, charges, clears and maps a page (zero_4k = write -
 * read); 2 MiB MADV_HUGEPAGE write faults (do_huge_pmd_anonymous_page, kept
 * for zero_2m once fault_pmd is known); hot memset/memcpy of 4 KiB; getppid;
 * a 1-byte pread of a cached tmpfs page (filemap_read); tmpfs read faults with
 * fault-around (filemap_map_pages, order-0 folios); then solve_faults().
 */
static void probe_costs(struct cal *c, const char *shm)
{
	size_t n = c->o->quick ? 2048 : 16384;
	struct touch rd = { .fd = -1, .bytes = n * PG, .step = PG, .advice = MADV_NOHUGEPAGE, .retouch = 1 };
	struct touch wr = rd, huge = { .fd = -1, .bytes = (c->o->quick ? 8u : 32u) * (2u << 20), .step = 2u << 20,
				      .advice = MADV_HUGEPAGE, .write = 1 };
	struct fault_shapes fs = { .read_pages = n };
	double zero, copy, sys, pr1, anon_w, zero4;
	char val[32], path[PATH_MAX];
	char *pg = aligned_alloc(PG, 2 * PG);
	int fd;

	if (!pg)
		return;
	wr.write = 1;
	fs.read = median_of(FAULT_PASSES, touch_pass, &rd);
	fs.read_faults = rd.faults;
	fs.read_again = rd.again;
	anon_w = median_of(FAULT_PASSES, touch_pass, &wr);
	c->huge_write = median_of(FAULT_PASSES, touch_pass, &huge);
	memset(pg, 1, 2 * PG);
	zero = hot_loop(1000, op_zero, pg);
	copy = hot_loop(1000, op_copy, pg);
	sys = hot_loop(20000, op_sys, pg);
	c->sys = sys;
	mb_sfmt(val, sizeof(val), "%.0f", sys);
	put(c, "cost", "syscall", val, "measured: getppid() via syscall(2), 5 x 20000 calls, median %.1f TSC cycles per call", sys);
	if (fs.read > 0 && anon_w > 0) {
		char cl[200];
		zero4 = anon_w - fs.read;
		fmt_clamped(val, sizeof(val), zero4, zero, cl, sizeof(cl));
		put(c, "cost", "zero_4k", val,
		    "measured: anonymous 4K write fault minus read fault (THP off, %zu pages, %ld / %ld faults per pass, medians of %d passes: %.0f - %.0f cycles per fault): page allocation, memcg charge, clear_page, LRU add (a hot memset of 4 KiB alone: %.0f)%s",
		    n, wr.faults, rd.faults, FAULT_PASSES, anon_w, fs.read, zero, cl);
		/* copy_4k: measured by probe_cow (a file COW fault), not derived from this */
	} else {
		note(c, "anonymous 4K faults not measured (mmap failed or no faults counted): zero_4k is a hot memset, copy_4k a hot memcpy");
		mb_sfmt(val, sizeof(val), "%.0f", zero);
		put(c, "cost", "zero_4k", val, "measured: memset of a hot 4 KiB page, 5 x 1000, median %.1f cycles (the fault's allocation and charge are missing)", zero);
		mb_sfmt(val, sizeof(val), "%.0f", copy);
		put(c, "cost", "copy_4k", val, "measured: memcpy of a hot 4 KiB page, 5 x 1000, median %.1f cycles", copy);
	}
	/* read paths on a cached tmpfs file */
	mb_sfmt(path, sizeof(path), "%s/mapbench-cal-%d", shm, (int)getpid());
	fd = make_file(path, 8u << 20, 1u << 20);
	if (fd < 0) {
		note(c, "tmpfs probes skipped: cannot create %s: %s", path, strerror(-fd));
		free(pg);
		return;
	}
	pread1_fd = fd;
	pr1 = hot_loop(20000, op_pread1, pg);
	mb_sfmt(val, sizeof(val), "%.0f", pr1 - sys > 0 ? pr1 - sys : pr1);
	put(c, "cost", "pc_lookup", val,
	    "measured: pread of 1 byte from a cached tmpfs page, 5 x 20000, median %.1f cycles, minus syscall %.1f (includes the 1-byte copy)",
	    pr1, sys);
	{
		struct touch t = { .fd = fd, .bytes = 8u << 20, .step = PG, .retouch = 1 };
		fs.shm = median_of(FAULT_PASSES, touch_pass, &t);
		fs.shm_faults = t.faults;
		fs.shm_again = t.again;
		fs.shm_pages = t.bytes / PG;
	}
	close(fd);
	unlink(path);
	free(pg);
	if (fs.read > 0 && fs.shm > 0 && c->wf_faults > 0 && c->wf_cycles > 0 &&
	    c->wf_pages / c->wf_faults >= 4 * (long)(fs.shm_pages / (size_t)fs.shm_faults)) {
		solve_faults(c, &fs);
		return;
	}
	note(c, "fault_pte, fault_folio not measured: the three fault shapes are missing or not independent (anonymous read %.0f cycles, tmpfs %.0f cycles, whole-folio pass %ld faults over %ld pages: no large folios mapped whole)",
	     fs.read, fs.shm, c->wf_faults, c->wf_pages);
	if (fs.read > 0) {
		c->entry = fs.read;
		mb_sfmt(val, sizeof(val), "%.0f", fs.read);
		put(c, "cost", "fault_entry", val,
		    "measured: anonymous 4K READ fault (the zero page; THP off), %zu pages, median of %d passes %.0f cycles per fault, one fault_pte included (not separable here)",
		    n, FAULT_PASSES, fs.read);
	}
}

/* A loop of preads of len bytes at offsets k * stride (mod file) of a cached file. */
struct preads {
	int fd;        /* the file */
	size_t len;    /* bytes per pread */
	size_t stride; /* offset step */
	size_t file;   /* file size: offsets wrap */
	size_t n;      /* preads per run */
	char *buf;     /* len bytes */
};

/* Cycles per pread of one run (void * for median_of); -1 on a short read. */
static double run_preads(void *arg)
{
	struct preads *r = arg;
	uint64_t t0 = tsc();

	for (size_t k = 0; k < r->n; k++)
		if (pread(r->fd, r->buf, r->len, (off_t)(k * r->stride % r->file)) != (ssize_t)r->len)
			return -1;
	return (double)(tsc() - t0) / (double)r->n;
}

/*
 * copy_mcyc_per_byte: copy_page_to_iter of cached folios (filemap_read):
 * pread of 64 KiB in order through the first 1 MiB of a cached ext4 file,
 * 16 sweeps, minus a 1-byte pread at the same offsets (same syscall,
 * lookups, folio walk), per byte. The source lines are cache-resident: the
 * model adds the cost of lines a larger file brings from DRAM itself
 * (sim_user_bytes, sim_data_lines), so a copy measured over a file larger
 * than the LLC counted those lines twice (measured on the Intel Xeon guest
 * over 16 MiB: 0.13 cycles/byte, and warm sequential reads of 16 MiB files
 * modelled 1.4-1.7x native).
 */
static void probe_copy(struct cal *c, int fd, size_t file)
{
	int runs = c->o->quick ? 3 : 9;
	size_t span = file < (1u << 20) ? file : 1u << 20;
	struct preads big = { .fd = fd, .len = 64u << 10, .stride = 64u << 10, .file = span,
			      .n = 256, .buf = malloc(64u << 10) }; /* 16 sweeps of the span per run */
	struct preads one = big;
	double b, o, per;
	char val[32], cl[200];

	one.len = 1;
	if (!big.buf)
		return;
	b = median_of(runs, run_preads, &big);
	o = median_of(runs, run_preads, &one);
	free(big.buf);
	if (b < 0 || o < 0) {
		note(c, "copy_mcyc_per_byte not measured: a pread of the cached file came back short");
		return;
	}
	per = (b - o) / (double)big.len;
	fmt_clamped(val, sizeof(val), per * 1000, 1, cl, sizeof(cl));
	put(c, "cost", "copy_mcyc_per_byte", val,
	    "measured: pread of 64 KiB in order through the first %zu KiB of a cached ext4 file (cache-resident lines), %zu per run, median of %d runs %.0f cycles, minus a 1-byte pread at the same offsets (%.0f), over 65536 bytes = %.4f cycles/byte%s",
	    span >> 10, big.n, runs, b, o, per, cl);
}

#if HAVE_LIBURING
/* A loop of 64-byte io_uring reads at offsets k * 4 KiB (mod file), qd at a time. */
struct urings {
	struct io_uring *ring; /* queue depth >= qd */
	int fd;                /* the file */
	unsigned qd;           /* reads submitted per io_uring_enter, all waited for */
	size_t file;           /* file size: offsets wrap */
	size_t n;              /* reads per run, a multiple of qd */
	char *buf;             /* qd x 64 bytes */
};

/* Cycles per read of one run (void * for median_of); -1 on a failed or short read. */
static double run_uring(void *arg)
{
	struct urings *u = arg;
	uint64_t t0 = tsc();

	for (size_t k = 0; k < u->n; k += u->qd) {
		struct io_uring_cqe *cqe;
		unsigned head, seen = 0, bad = 0;
		for (unsigned j = 0; j < u->qd; j++) {
			struct io_uring_sqe *sqe = io_uring_get_sqe(u->ring);
			if (!sqe)
				return -1;
			io_uring_prep_read(sqe, u->fd, u->buf + j * 64, 64, (k + j) * PG % u->file);
		}
		if (io_uring_submit_and_wait(u->ring, u->qd) < (int)u->qd)
			return -1;
		io_uring_for_each_cqe(u->ring, head, cqe) {
			bad |= cqe->res != 64;
			seen++;
		}
		io_uring_cq_advance(u->ring, seen);
		if (bad || seen != u->qd)
			return -1;
	}
	return (double)(tsc() - t0) / (double)u->n;
}

/*
 * io_uring costs: 64-byte reads of a cached ext4 file (FMODE_NOWAIT: served
 * inline in io_issue_sqe) at queue depth 32 and 1 against pread per op, and of
 * a tmpfs file (no FMODE_NOWAIT here: each read punted to an io-wq worker,
 * io_queue_iowq, and a waiting enter sleeps for it):
 * uring_sqe = (qd 32 - pread) + 31/32 syscall (one enter per 32 reads);
 * uring_wait = qd 1 - pread - uring_sqe;
 * tmpfs - ext4 at qd 1 = punt + punt_wait, at qd 32 = punt + punt_wait / 32.
 */
static void probe_uring_reap(struct cal *c, int fd, size_t file, int cold, const char *key);

static void probe_uring(struct cal *c, int fd, size_t file, const char *shm)
{
	int runs = c->o->quick ? 3 : 5, sfd;
	size_t n = c->o->quick ? 1024 : 4096;
	char path[PATH_MAX], val[32], cl[200];
	struct io_uring ring;
	struct urings u = { .ring = &ring, .fd = fd, .file = file, .n = n, .buf = malloc(32 * 64) };
	struct preads pr = { .fd = fd, .len = 64, .stride = PG, .file = file, .n = n, .buf = u.buf };
	double p, e32, e1, s32 = -1, s1 = -1, sqe, wait, d1, d32, pw, punt;
	int e;

	if (!u.buf)
		return;
	if ((e = io_uring_queue_init(32, &ring, 0)) < 0) {
		note(c, "io_uring costs not measured: io_uring_queue_init: %s", strerror(-e));
		free(u.buf);
		return;
	}
	p = median_of(runs, run_preads, &pr);
	u.qd = 32;
	e32 = median_of(runs, run_uring, &u);
	u.qd = 1;
	e1 = median_of(runs, run_uring, &u);
	mb_sfmt(path, sizeof(path), "%s/mapbench-cal-uring-%d", shm, (int)getpid());
	if ((sfd = make_file(path, file, 1u << 20)) >= 0) {
		u.fd = sfd;
		u.qd = 32;
		s32 = median_of(runs, run_uring, &u);
		u.qd = 1;
		s1 = median_of(runs, run_uring, &u);
		probe_uring_reap(c, sfd, file, 0, "uring_reap_punt");
		close(sfd);
		unlink(path);
	}
	io_uring_queue_exit(&ring);
	free(u.buf);
	if (p < 0 || e32 < 0 || e1 < 0) {
		note(c, "io_uring costs not measured: a read failed (pread %.0f, qd 32 %.0f, qd 1 %.0f cycles per op)", p, e32, e1);
		return;
	}
	sqe = e32 - p + 31.0 / 32 * c->sys;
	fmt_clamped(val, sizeof(val), sqe, 1, cl, sizeof(cl));
	sqe = atof(val);
	put(c, "cost", "uring_sqe", val,
	    "measured: 64-byte reads of a cached %zu MiB ext4 file, %zu per run, median of %d runs: io_uring at queue depth 32 %.0f cycles per op, minus pread %.0f, plus 31/32 syscall (%.0f)%s",
	    file >> 20, n, runs, e32, p, c->sys, cl);
	wait = e1 - p - sqe;
	fmt_clamped(val, sizeof(val), wait, 0, cl, sizeof(cl));
	put(c, "cost", "uring_wait", val,
	    "measured: the same reads at queue depth 1, %.0f cycles per op, minus pread %.0f and uring_sqe %.0f (the waiting io_uring_enter costs this much more than getppid)%s",
	    e1, p, sqe, cl);
	if (s32 < 0 || s1 < 0) {
		note(c, "uring_punt, uring_punt_wait not measured: tmpfs file %s failed (qd 32 %.0f, qd 1 %.0f)", path, s32, s1);
		return;
	}
	d1 = s1 - e1;
	d32 = s32 - e32;
	pw = (d1 - d32) * 32 / 31;
	punt = d1 - pw;
	fmt_clamped(val, sizeof(val), punt, 0, cl, sizeof(cl));
	put(c, "cost", "uring_punt", val,
	    "measured: the same reads of a %zu MiB tmpfs file minus the ext4 figures, median of %d runs each: qd 1 %.0f - %.0f = %.0f per op = punt + punt_wait, qd 32 %.0f - %.0f = %.0f per op = punt + punt_wait/32; solved%s",
	    file >> 20, runs, s1, e1, d1, s32, e32, d32, cl);
	fmt_clamped(val, sizeof(val), pw, 0, cl, sizeof(cl));
	put(c, "cost", "uring_punt_wait", val,
	    "measured: from the same two equations as uring_punt: (%.0f - %.0f) x 32/31 (the sleep and wake-up of an enter waiting for io-wq workers)%s",
	    d1, d32, cl);
}
#endif

/* Reads of a cached 16 MiB ext4 file (4 MiB with --quick): probe_copy, probe_uring. */
static void probe_cached_reads(struct cal *c, const char *dir, const char *shm)
{
	size_t file = (c->o->quick ? 4u : 16u) << 20;
	char path[PATH_MAX];
	int fd;

	mb_sfmt(path, sizeof(path), "%s/mapbench-cal-rd-%d", dir, (int)getpid());
	if ((fd = make_file(path, file, 1u << 20)) < 0) {
		note(c, "copy and io_uring costs not measured: cannot create %s: %s", path, strerror(-fd));
		return;
	}
	probe_copy(c, fd, file);
#if HAVE_LIBURING
	probe_uring(c, fd, file, shm);
#else
	(void)shm;
	note(c, "io_uring costs not measured: built without liburing");
#endif
	close(fd);
	unlink(path);
}

/* ---- kernel policy --------------------------------------------------------- */

/* /proc/kpageflags bits (Documentation/admin-guide/mm/pagemap.rst). */
#define KPF_HEAD 15
#define KPF_TAIL 16

static uint64_t kpflags(int kfd, uint64_t pfn)
{
	uint64_t f = 0;

	return pfn && pread(kfd, &f, 8, (off_t)(pfn * 8)) == 8 ? f : 0;
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
		n = cache_pagemap(m, pages, NULL);
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

/* The sysfs path of queue/ATTR of device maj:min, or of its disk's queue for a partition. */
static void queue_attr_path(char *p, size_t len, unsigned maj, unsigned min, const char *attr)
{
	mb_sfmt(p, len, "/sys/dev/block/%u:%u/queue/%s", maj, min, attr);
	if (access(p, R_OK))
		mb_sfmt(p, len, "/sys/dev/block/%u:%u/../queue/%s", maj, min, attr);
}

/*
 * The scheduler of the device (or, for a partition, its disk): the bracketed
 * name of queue/scheduler, e.g. "none [mq-deadline] kyber".
 */
static void put_io_sched(struct cal *c, unsigned maj, unsigned min)
{
	char p[160], line[256] = "", name[32];
	const char *lb, *rb;
	FILE *f;

	queue_attr_path(p, sizeof(p), maj, min, "scheduler");
	if ((f = fopen(p, "r"))) {
		if (!fgets(line, sizeof(line), f))
			line[0] = 0;
		fclose(f);
	}
	line[strcspn(line, "\n")] = 0;
	lb = strchr(line, '[');
	rb = lb ? strchr(lb, ']') : NULL;
	if (!lb || !rb || rb - lb - 1 <= 0 || (size_t)(rb - lb - 1) >= sizeof(name)) {
		note(c, "io_sched not read: %s: '%s' (the model keeps mq-deadline)", p, line);
		return;
	}
	memcpy(name, lb + 1, (size_t)(rb - lb - 1));
	name[rb - lb - 1] = 0;
	if (strcmp(name, "mq-deadline") && strcmp(name, "none") && strcmp(name, "kyber") && strcmp(name, "bfq")) {
		note(c, "io_sched not written: %s = '%s', a scheduler the model does not know", p, line);
		return;
	}
	put(c, "kernel", "io_sched", name, "read: %s = '%s'", p, line);
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

/* drop_file until cachestat sees no page of [0, bytes), up to 5 tries: a
   readahead window still under read keeps its locked folios. 0 or -errno. */
static int drop_cold(int fd, size_t bytes)
{
	for (int i = 0; i < 5; i++) {
		int err = drop_file(fd);
		if (err)
			return err;
		if (cached_pages(fd, 0, bytes) <= 0)
			break;
		usleep(20000);
	}
	return 0;
}

/*
 * TSC cycles of one-byte read touches of pages top, top - 1, ..., top - k + 1
 * of the file at path, dropped through fd (drop_cold) and opened afresh,
 * through a new MAP_PRIVATE mapping madvised adv (0: none). One touch is a
 * filemap_fault miss whose do_sync_mmap_readahead reads its window (the
 * read-around of ra_pages centred on the page; with MADV_HUGEPAGE two PMD
 * folios from the 2 MiB-aligned index) and waits for it. *before, *after:
 * the file's cached pages by cachestat (negative: unavailable). -1 on failure.
 */
static double cold_touches(int fd, const char *path, size_t bytes, size_t top, size_t k, int adv,
			   long *before, long *after)
{
	int f2;
	char *m;
	uint64_t t0, t;
	volatile char s;

	if (drop_cold(fd, bytes) || (f2 = open(path, O_RDONLY)) < 0)
		return -1;
	*before = cached_pages(f2, 0, bytes);
	m = mmap(NULL, bytes, PROT_READ, MAP_PRIVATE, f2, 0);
	if (m == MAP_FAILED || (adv && madvise(m, bytes, adv))) {
		if (m != MAP_FAILED)
			munmap(m, bytes);
		close(f2);
		return -1;
	}
	t0 = tsc();
	for (size_t p = top + 1; p-- > top + 1 - k;)
		s = m[p * PG];
	t = tsc() - t0;
	(void)s;
	*after = cached_pages(f2, 0, bytes);
	munmap(m, bytes);
	close(f2);
	return (double)t;
}

/*
 * Cold single touches of page (madvise adv) that wait for a window of win
 * pages: the times of the tries whose cachestat went from 0 to win into v
 * (count returned), every try's figures into raw, *before as last seen.
 */
static int window_touches(struct cal *c, int fd, const char *path, size_t bytes, size_t page, int adv,
			  long win, double *v, char *raw, size_t rawlen, long *before)
{
	int tries = c->o->quick ? 3 : 7, nv = 0;
	char *q = raw;
	long after = -1;

	raw[0] = 0;
	for (int i = 0; i < tries; i++) {
		double t = cold_touches(fd, path, bytes, page, 1, adv, before, &after);
		q += snprintf(q, (size_t)(raw + rawlen - q), "%s%.2fe6 (%ld->%ld)", i ? ", " : "", t / 1e6, *before, after);
		if (q >= raw + rawlen - 1)
			q = raw + rawlen - 1;
		if (t > 0 && (*before < 0 || (*before == 0 && after == win)))
			v[nv++] = t;
	}
	return nv;
}

/*
 * io_page_sync and io_request from cold touches and cold preads of the file
 * at path (fd open on it): io_page_sync = (cold mmap touch of page 8192, which
 * waits for its ra_pages read-around, minus a cold 4 KiB pread) over the
 * further ra_pages - (its pages) pages, median of the tries whose cachestat went from 0
 * to ra_pages. Returns io_page_sync as put, -1 if not measured.
 */
static double probe_sync_ra(struct cal *c, int fd, const char *path, size_t bytes, double one_cold,
			    double cold_pages)
{
	int tries = c->o->quick ? 3 : 7, nv;
	size_t page = 8192;
	double v[9], sync;
	char val[32], cl[200], raw[200];
	long before = -1;

	if (c->ra_pages <= 4 || (page + (size_t)c->ra_pages) * PG > bytes) {
		note(c, "io_page_sync not measured: ra_pages %ld unknown or too large for a %zu MiB file", c->ra_pages, bytes >> 20);
		return -1;
	}
	nv = window_touches(c, fd, path, bytes, page, 0, c->ra_pages, v, raw, sizeof(raw), &before);
	if (!nv) {
		note(c, "io_page_sync not measured: no cold touch read exactly ra_pages %ld: %s", c->ra_pages, raw);
		return -1;
	}
	sync = (median(v, (size_t)nv) - one_cold) / ((double)c->ra_pages - cold_pages);
	fmt_clamped(val, sizeof(val), sync, 1, cl, sizeof(cl));
	sync = atof(val);
	put(c, "cost", "io_page_sync", val,
	    "measured: one read touch of page %zu of a cold %zu MiB file (fsync + FADV_DONTNEED, fresh open) waits for its read-around of %ld pages: median %.3g cycles over %d of %d tries (cycles, cachestat before->after: %s%s); minus a cold 4 KiB pread (%.0f, %.3g pages), over the %.4g further pages%s",
	    page, bytes >> 20, c->ra_pages, median(v, (size_t)nv), nv, tries, raw,
	    before < 0 ? "; cachestat unavailable: cold state unverified" : "", one_cold, cold_pages,
	    (double)c->ra_pages - cold_pages, cl);
	return sync;
}

/*
 * io_page_sync_pmd: the same wait as io_page_sync when the window is made of
 * PMD-sized folios: a cold MADV_HUGEPAGE touch of page 8192 reads the two
 * 2 MiB folios from 8192 (do_sync_mmap_readahead's VM_HUGEPAGE window of
 * 2 x HPAGE_PMD_NR pages); (median - a cold 4 KiB pread) over the 1024
 * pages less the pread's, the tries whose cachestat went from 0 to 1024 pages.
 */
static void probe_sync_pmd(struct cal *c, int fd, const char *path, size_t bytes, double one_cold,
			   double cold_pages)
{
	int tries = c->o->quick ? 3 : 7, nv;
	size_t page = 8192, win = 1024;
	double v[9], pmd;
	char val[32], cl[200], raw[200];
	long before = -1;

	nv = window_touches(c, fd, path, bytes, page, MADV_HUGEPAGE, (long)win, v, raw, sizeof(raw), &before);
	if (!nv) {
		note(c, "io_page_sync_pmd not measured: no cold MADV_HUGEPAGE touch read exactly %zu pages (THP for files off?): %s", win, raw);
		return;
	}
	pmd = (median(v, (size_t)nv) - one_cold) / ((double)win - cold_pages);
	fmt_clamped(val, sizeof(val), pmd, 1, cl, sizeof(cl));
	put(c, "cost", "io_page_sync_pmd", val,
	    "measured: one read touch of page %zu of a cold %zu MiB file through a MADV_HUGEPAGE mapping waits for two PMD folios (%zu pages): median %.3g cycles over %d of %d tries (cycles, cachestat before->after: %s%s); minus a cold 4 KiB pread (%.0f, %.3g pages), over the %.4g further pages%s",
	    page, bytes >> 20, win, median(v, (size_t)nv), nv, tries, raw,
	    before < 0 ? "; cachestat unavailable: window unverified" : "", one_cold, cold_pages,
	    (double)win - cold_pages, cl);
}

/*
 * ra_skip: per cached folio a readahead window steps over
 * (page_cache_ra_unbounded: xa_load, read_pages of the batch so far). The
 * last 4096 pages of a cold file touched last page first: with MADV_RANDOM
 * each fault reads its page alone; with MADV_SEQUENTIAL each fault's
 * synchronous readahead (do_page_cache_ra of ra_pages from the fault,
 * clipped at EOF) reads the same single page and steps over the pages above
 * it that earlier touches cached, min(j, ra_pages - 1) order-0 folios at the
 * j-th touch. Both must leave exactly those 4096 pages cached (cachestat);
 * the time difference over the folios stepped over is the cost.
 */
static void probe_ra_skip(struct cal *c, int fd, const char *path, size_t bytes)
{
	size_t k = 4096;
	double tr, ts, stepped = 0, v;
	long ar = -1, as = -1, br;
	char val[32], cl[200];

	if (c->ra_pages <= 1 || k > bytes / PG) {
		note(c, "ra_skip not measured: ra_pages %ld unknown or the file is too small", c->ra_pages);
		return;
	}
	for (size_t j = 0; j < k; j++)
		stepped += (double)(j < (size_t)c->ra_pages - 1 ? j : (size_t)c->ra_pages - 1);
	tr = cold_touches(fd, path, bytes, bytes / PG - 1, k, MADV_RANDOM, &br, &ar);
	ts = cold_touches(fd, path, bytes, bytes / PG - 1, k, MADV_SEQUENTIAL, &br, &as);
	if (tr <= 0 || ts <= 0 || (ar >= 0 && ar != (long)k) || (as >= 0 && as != (long)k)) {
		note(c, "ra_skip not measured: reverse touches failed or read other than one page each (cached after: %ld, %ld of %zu)", ar, as, k);
		return;
	}
	v = (ts - tr) / stepped;
	fmt_clamped(val, sizeof(val), v, 0, cl, sizeof(cl));
	put(c, "cost", "ra_skip", val,
	    "measured: %zu one-byte touches of the last pages of a cold %zu MiB file, last first (fsync + FADV_DONTNEED, fresh mapping): MADV_SEQUENTIAL %.4g cycles, MADV_RANDOM %.4g (each fault one page read: %ld and %ld pages cached after%s); the difference over the %.0f cached folios the MADV_SEQUENTIAL readahead windows step over%s",
	    k, bytes >> 20, ts, tr, as, ar, ar < 0 ? ", cachestat unavailable: unverified" : "", stepped, cl);
}

/*
 * Device read costs the model charges when a folio is read (io_page) and when
 * a read waits for the device (io_request): a cold sequential read() pass of a
 * 64 MiB file minus the same pass warm, per page; then single cold 4 KiB
 * preads far apart and warm ones, for probe_sync_ra. Each cold pread is a
 * standalone random read (page_cache_sync_ra: the pages before it are not
 * cached, so only the requested page is read); cachestat counts the pages it
 * read, which io_request leaves out (an earlier version assumed the initial
 * window of 4 and so gave io_request 3 pages' worth too little).
 */
#if HAVE_LIBURING
/*
 * Completions per waiting enter (cost.uring_reap_io, cost.uring_reap_punt):
 * n 4 KiB reads of distinct pages gap apart of fd (slot k * 7919 mod pages/gap;
 * gap 8 on a cold file: no read hits the readahead of another, every read waits)
 * through a ring of queue depth 32 driven as the harness drives it
 * (bench/acc_uring.c): a read that finds no free slot first submits what is
 * queued and waits for one completion (io_uring_submit_and_wait(1)), then
 * reaps every completion posted; at the end the rest is submitted and
 * drained (posted completions reaped without a syscall, a wait only when
 * none is). Returns n / the waiting enters, or -1 when a read failed;
 * *per gets the TSC cycles per read of the run.
 */
static double uring_reap_run(struct io_uring *ring, int fd, size_t file, size_t n, unsigned gap, char *buf,
			     double *per)
{
	unsigned freel[32], nfree = 32, inflight = 0;
	size_t pages = file / PG, waits = 0;
	struct io_uring_cqe *cqe;
	uint64_t t0 = tsc(), sum = 0;

	for (unsigned i = 0; i < 32; i++)
		freel[i] = i;
	for (size_t k = 0; k < n || inflight; ) {
		if (k < n && nfree) {
			struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
			unsigned slot = freel[--nfree];
			if (!sqe)
				return -1;
			/* distinct pages gap apart (8: no read hits another's 4-page readahead) */
			io_uring_prep_read(sqe, fd, buf + (size_t)slot * PG, PG, (k * 7919 % (pages / gap)) * gap * PG);
			io_uring_sqe_set_data64(sqe, slot);
			inflight++;
			k++;
			continue;
		}
		if (k == n && io_uring_sq_ready(ring) && io_uring_submit(ring) < 0)
			return -1;
		if (k == n && io_uring_peek_cqe(ring, &cqe) == 0) {
			/* the drain: a posted completion is reaped without a syscall */
		} else {
			if (io_uring_submit_and_wait(ring, 1) < 0)
				return -1;
			waits++;
		}
		while (io_uring_peek_cqe(ring, &cqe) == 0) {
			unsigned slot = (unsigned)io_uring_cqe_get_data64(cqe);
			if (cqe->res != (int)PG)
				return -1;
			/* the harness folds each completion's bytes (bench/acc_uring.c) */
			sum += acc_fold((const unsigned char *)buf + (size_t)slot * PG, 0, PG);
			freel[nfree++] = slot;
			inflight--;
			io_uring_cqe_seen(ring, cqe);
		}
	}
	*per = (double)(tsc() - t0) / (double)n;
	__asm__ volatile("" : : "r"(sum));
	return waits ? (double)n / (double)waits : -1;
}

/*
 * The same on a cold file (dropped before each of 3 runs) or a cached tmpfs
 * one; the median run's figure is written into key with its runs.
 */
static void probe_uring_reap(struct cal *c, int fd, size_t file, int cold, const char *key)
{
	enum { RUNS = 5 };
	size_t n = c->o->quick ? 1024 : 2048;
	unsigned gap = cold ? 8 : 1;
	if (n > file / PG / gap)
		n = file / PG / gap;
	char *buf = aligned_alloc(PG, 32 * PG), val[32], runs[RUNS * 24] = "";
	struct io_uring ring;
	double v[RUNS], per[RUNS], wake[RUNS], m;
	int e, ok = 1;

	if (!buf)
		return;
	if ((e = io_uring_queue_init(32, &ring, 0)) < 0) {
		note(c, "%s not measured: io_uring_queue_init: %s", key, strerror(-e));
		free(buf);
		return;
	}
	for (int t = 0; t < RUNS && ok; t++) {
		if (cold && drop_file(fd))
			ok = 0;
		else
			ok = (v[t] = uring_reap_run(&ring, fd, file, n, gap, buf, &per[t])) > 0;
		wake[t] = v[t] * per[t];
	}
	io_uring_queue_exit(&ring);
	free(buf);
	if (!ok) {
		note(c, "%s not measured: an io_uring read failed or came back short", key);
		return;
	}
	for (int t = 0; t < RUNS; t++)
		mb_sfmt(runs + strlen(runs), sizeof(runs) - strlen(runs), "%s%.2f", t ? ", " : "", v[t]);
	m = median(v, RUNS);
	mb_sfmt(val, sizeof(val), "%.2f", m);
	put(c, "cost", key, val,
	    "measured: %zu 4 KiB reads of distinct pages %u KiB apart of a %s %zu MiB file through io_uring at queue depth 32, driven as the harness drives it (wait for one completion when the ring is full, reap every posted one), median of %d runs: %.2f (%s) reads per waiting io_uring_enter",
	    n, gap * 4, cold ? "cold (fsync + FADV_DONTNEED first) ext4" : "cached tmpfs", file >> 20, RUNS, m, runs);
	if (cold)
		return;
	/* io-wq: the waiting enter reaps what the workers posted while it woke: reads per wait x cycles per read */
	runs[0] = 0;
	for (int t = 0; t < RUNS; t++)
		mb_sfmt(runs + strlen(runs), sizeof(runs) - strlen(runs), "%s%.0f", t ? ", " : "", wake[t]);
	m = median(wake, RUNS);
	mb_sfmt(val, sizeof(val), "%.0f", m);
	put(c, "cost", "uring_punt_wake", val,
	    "measured: the same runs, reads per waiting enter x TSC cycles per read, median of %d: %s (a waiting enter reaps the SQEs its io-wq workers completed over this many cycles)",
	    RUNS, runs);
}

/*
 * Device parallelism (cost.io_queue): 32 cold 4 KiB reads 2 MiB apart
 * submitted at once through io_uring (qd 32, one submit_and_wait for all)
 * against the cold 4 KiB pread the caller timed (one_cold: one wait at a
 * time): io_queue = one_cold / (cycles per read at qd 32), at most 32.
 * Each of 3 tries starts from a dropped file; the median try counts.
 */
static void probe_io_queue(struct cal *c, int fd, size_t bytes, double one_cold)
{
	struct io_uring ring;
	char *buf = aligned_alloc(PG, 32 * PG), val[32];
	double v[3], per;
	int e, ok = 1;

	if (!buf)
		return;
	if ((e = io_uring_queue_init(32, &ring, 0)) < 0) {
		note(c, "io_queue not measured: io_uring_queue_init: %s", strerror(-e));
		free(buf);
		return;
	}
	for (int t = 0; t < 3 && ok; t++) {
		struct io_uring_cqe *cqe;
		unsigned head, seen = 0;
		uint64_t t0;
		if (drop_file(fd)) {
			ok = 0;
			break;
		}
		t0 = tsc();
		for (unsigned j = 0; j < 32; j++) {
			struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
			if (!sqe) {
				ok = 0;
				break;
			}
			io_uring_prep_read(sqe, fd, buf + (size_t)j * PG, PG,
					   ((uint64_t)j * (bytes / 32) + (1u << 20)) % bytes);
		}
		if (!ok || io_uring_submit_and_wait(&ring, 32) < 32) {
			ok = 0;
			break;
		}
		io_uring_for_each_cqe(&ring, head, cqe) {
			ok &= cqe->res == (int)PG;
			seen++;
		}
		io_uring_cq_advance(&ring, seen);
		v[t] = (double)(tsc() - t0) / 32;
		ok &= seen == 32;
	}
	io_uring_queue_exit(&ring);
	free(buf);
	if (!ok) {
		note(c, "io_queue not measured: a cold io_uring read failed or came back short");
		return;
	}
	per = median(v, 3);
	{
		double q = per > 0 ? one_cold / per : 1;
		mb_sfmt(val, sizeof(val), "%.1f", q < 1 ? 1 : q > 32 ? 32 : q);
		put(c, "cost", "io_queue", val,
		    "measured: 32 cold 4 KiB reads %zu MiB apart through io_uring at queue depth 32 (fsync + FADV_DONTNEED first), %.0f cycles per read (median of 3: %.0f, %.0f, %.0f), against a cold 4 KiB pread alone, %.0f: %.1f requests served at once (written between 1 and 32)",
		    bytes / 32 >> 20, per, v[0], v[1], v[2], one_cold, q);
	}
}
#endif

/*
 * Start fn(arg) on a thread allowed on every online CPU but the caller's (the
 * harness pins its threads to different CPUs; calibrate itself is pinned to
 * one and a new thread inherits that). With one CPU online, on that one.
 * Returns pthread_create's result.
 */
static int thread_elsewhere(pthread_t *th, void *(*fn)(void *), void *arg)
{
	pthread_attr_t at;
	cpu_set_t set;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int me = sched_getcpu(), e;

	CPU_ZERO(&set);
	for (long i = 0; i < ncpu && i < CPU_SETSIZE; i++)
		if (i != me || ncpu == 1)
			CPU_SET((int)i, &set);
	pthread_attr_init(&at);
	pthread_attr_setaffinity_np(&at, sizeof(set), &set);
	e = pthread_create(th, &at, fn, arg);
	pthread_attr_destroy(&at);
	return e;
}

/*
 * Threads sharing the device (cost.io_threads): IOT_READS cold O_DIRECT
 * 4 KiB reads at scattered 4 KiB-aligned offsets of the probe file, once
 * on one thread and once split over two (one fd, even and odd reads),
 * wall time each. io_threads = one thread's time / two threads' time, the
 * median of IOT_TRIES tries (alternating which goes first); two threads
 * measure at most 2, so the value is written between 1 and 2. O_DIRECT
 * bypasses the page cache: every read waits for the device.
 */
#define IOT_READS 256
#define IOT_TRIES 5
struct iot_arg {
	int fd;          /* O_DIRECT descriptor */
	char *buf;       /* one aligned 4 KiB buffer of this thread */
	const off_t *off;/* offsets */
	unsigned from, step, n; /* reads off[from], off[from + step], ... below n */
	int bad;         /* a read failed or came back short */
};

static void *iot_reads(void *p)
{
	struct iot_arg *a = p;

	for (unsigned i = a->from; i < a->n; i += a->step)
		a->bad |= pread(a->fd, a->buf, PG, a->off[i]) != (ssize_t)PG;
	return NULL;
}

/* Wall TSC cycles of the reads over nthr (1 or 2) threads; < 0 on failure. */
static double iot_pass(int fd, char *buf, const off_t *off, unsigned nthr)
{
	struct iot_arg a[2];
	pthread_t th;
	uint64_t t0;
	int bad;

	for (unsigned t = 0; t < nthr; t++)
		a[t] = (struct iot_arg){ fd, buf + (size_t)t * PG, off, t, nthr, IOT_READS, 0 };
	t0 = tsc();
	if (nthr > 1 && thread_elsewhere(&th, iot_reads, &a[1]))
		return -1;
	iot_reads(&a[0]);
	if (nthr > 1)
		pthread_join(th, NULL);
	bad = a[0].bad | (nthr > 1 ? a[1].bad : 0);
	return bad ? -1 : (double)(tsc() - t0);
}

static void probe_io_threads(struct cal *c, const char *path, size_t bytes)
{
	off_t off[IOT_READS];
	double v[IOT_TRIES], one[IOT_TRIES], two[IOT_TRIES], m;
	char runs[256] = "", val[32];
	char *buf = aligned_alloc(PG, 2 * PG);
	size_t pages = bytes / PG;
	int fd = open(path, O_RDONLY | O_DIRECT);

	if (fd < 0 || !buf) {
		note(c, "io_threads not measured: open(%s, O_DIRECT): %s", path, fd < 0 ? strerror(errno) : "out of memory");
		goto out;
	}
	for (unsigned i = 0; i < IOT_READS; i++) /* scattered, every one a different page */
		off[i] = (off_t)(((uint64_t)i * 2654435761u + 12345) % pages) * (off_t)PG;
	for (int t = 0; t < IOT_TRIES; t++) {
		int first = t & 1 ? 2 : 1;
		double a = iot_pass(fd, buf, off, (unsigned)first), b = iot_pass(fd, buf, off, (unsigned)(3 - first));
		if (a <= 0 || b <= 0) {
			note(c, "io_threads not measured: an O_DIRECT read of %s failed or came back short", path);
			goto out;
		}
		one[t] = first == 1 ? a : b;
		two[t] = first == 1 ? b : a;
		v[t] = one[t] / two[t];
		mb_sfmt(runs + strlen(runs), sizeof(runs) - strlen(runs), "%s%.2f", t ? ", " : "", v[t]);
	}
	m = median(v, IOT_TRIES);
	mb_sfmt(val, sizeof(val), "%.2f", m < 1 ? 1 : m > 2 ? 2 : m);
	put(c, "cost", "io_threads", val,
	    "measured: %d cold O_DIRECT 4 KiB reads scattered over a %zu MiB file, one thread against two (one fd, reads alternating), wall time ratio, median of %d tries: %s (median one thread %.0f cycles per read; written between 1 and 2: two threads measure at most 2)",
	    IOT_READS, bytes >> 20, IOT_TRIES, runs, median(one, IOT_TRIES) / IOT_READS);
out:
	if (fd >= 0)
		close(fd);
	free(buf);
}

static void probe_io(struct cal *c, const char *dir)
{
	char path[PATH_MAX], val[32];
	size_t bytes = 64u << 20, chunk = 1u << 20;
	char *buf = malloc(chunk);
	double cold, warm, v[8], one_cold, one_warm, per_page, cold_pages = 1;
	long cached0, cached1;
	int counted;
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
	/* the same pass is device-bound (the warm pass, the task's own work, is a fifth of it): its time
	   per page is what the device takes to stream one, the task's work overlapped with it */
	mb_sfmt(val, sizeof(val), "%.0f", cold / (double)(bytes / PG) > 1 ? cold / (double)(bytes / PG) : 1);
	put(c, "cost", "io_stream", val,
	    "measured: the same cold pass, %.0f cycles, over its %zu pages: the device's time per page of asynchronous readahead, which the task's work overlaps (the warm pass, that work alone, is %.0f%% of it)",
	    cold, bytes / PG, 100 * warm / cold);
	if (drop_file(fd))
		goto out;
	cached0 = cached_pages(fd, 0, bytes);
	for (int i = 0; i < 8; i++) { /* 8 MiB apart: each a fresh synchronous read */
		t0 = tsc();
		if (pread(fd, buf, PG, (off_t)i * (8 << 20) + (4 << 20)) != PG)
			goto out;
		v[i] = (double)(tsc() - t0);
	}
	one_cold = median(v, 8);
	cached1 = cached_pages(fd, 0, bytes);
	/* pages each cold pread read (cachestat); unavailable: the one page of a random read */
	counted = cached0 >= 0 && cached1 > cached0;
	cold_pages = counted ? (double)(cached1 - cached0) / 8 : 1;
	for (int i = 0; i < 8; i++) {
		t0 = tsc();
		if (pread(fd, buf, PG, (off_t)i * (8 << 20) + (4 << 20)) != PG)
			goto out;
		v[i] = (double)(tsc() - t0);
	}
	one_warm = median(v, 8);
	{
		/* the pages the cold pread's synchronous readahead read, each at io_page_sync */
		double sync = probe_sync_ra(c, fd, path, bytes, one_cold, cold_pages);
		double page = sync > 0 ? sync : per_page;
		char cl[200];
		fmt_clamped(val, sizeof(val), one_cold - one_warm - cold_pages * page, 1, cl, sizeof(cl));
		put(c, "cost", "io_request", val,
		    "measured: cold 4 KiB pread 8 MiB apart, median of 8: %.0f cycles, minus a warm one (%.0f) and the %.3g pages each read (%s) at %s (x %.0f)%s",
		    one_cold, one_warm, cold_pages,
		    counted ? "cachestat over the 8" : "cachestat unavailable: 1 assumed",
		    sync > 0 ? "io_page_sync" : "io_page (io_page_sync not measured)", page, cl);
	}
#if HAVE_LIBURING
	probe_io_queue(c, fd, bytes, one_cold);
	probe_uring_reap(c, fd, bytes, 1, "uring_reap_io");
#endif
	probe_io_threads(c, path, bytes);
	probe_sync_pmd(c, fd, path, bytes, one_cold, cold_pages);
	probe_ra_skip(c, fd, path, bytes);
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
	queue_attr_path(p, sizeof(p), maj, min, "max_sectors_kb");
	ms_kb = sysfs_long(p);
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
		c->ra_pages = ra_kb > 0 ? ra_kb / 4 : 0;
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
	put_io_sched(c, maj, min);
}

/*
 * Faults of a one-byte-per-page MAP_PRIVATE read of a freshly written 64 MiB
 * file (filemap_map_pages mapping whole folios, 6.18), TSC cycles per pass as
 * the median of FAULT_PASSES fresh mappings; folio orders from one more.
 */
static void probe_whole_folio(struct cal *c, const char *dir)
{
	char path[PATH_MAX];
	size_t bytes = 64u << 20;
	struct touch t = { .bytes = bytes, .step = PG, .retouch = 1 };
	long nf;
	char *m;
	int fd;

	mb_sfmt(path, sizeof(path), "%s/mapbench-cal-wf-%d", dir, (int)getpid());
	fd = make_file(path, bytes, 1u << 20);
	if (fd < 0) {
		note(c, "whole-folio rule not measured: cannot create %s", path);
		return;
	}
	t.fd = fd;
	c->wf_cycles = median_of(FAULT_PASSES, touch_pass, &t); /* per fault; wf_faults scales it back to a pass */
	nf = t.faults;
	c->wf_again = t.again;
	t.keep = 1;
	if (c->wf_cycles < 0 || touch_pass(&t) < 0) {
		c->wf_cycles = 0;
		close(fd);
		unlink(path);
		return;
	}
	m = t.map;
	c->wf_cycles *= (double)nf;
	c->wf_faults = nf;
	c->wf_pages = (long)(bytes / PG);
	{
		/* folio orders of this warm-by-write file, while it is mapped */
		uint64_t *pfn = calloc(bytes / PG, sizeof(*pfn));
		int kfd = open("/proc/kpageflags", O_RDONLY);
		if (pfn && kfd >= 0 && cache_pagemap(m, bytes / PG, pfn) > 0 && pfn[0]) {
			unsigned hist[12] = { 0 }, maxo = 0;
			size_t i = 0;
			while (i < bytes / PG) {
				size_t len = 1;
				if (kpflags(kfd, pfn[i]) >> KPF_HEAD & 1) {
					while (i + len < bytes / PG && pfn[i + len] == pfn[i] + len) {
						if (!(kpflags(kfd, pfn[i + len]) >> KPF_TAIL & 1))
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
	unmap_2m(t.raw, bytes);
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

/*
 * How many 2 MiB chunks of the mapping m (chunks of them) hold one whole
 * PMD-sized folio (head at the chunk start, tail at its end, PFNs contiguous,
 * all 512 pages present after one touch); pmd[i] says which. -1 without
 * pagemap PFNs or /proc/kpageflags (root).
 */
static long pmd_chunks(const char *m, size_t chunks, char *pmd)
{
	size_t pages = chunks * 512;
	uint64_t *pfn = calloc(pages, sizeof(*pfn));
	int kfd = open("/proc/kpageflags", O_RDONLY);
	long n = -1;

	if (pfn && kfd >= 0 && cache_pagemap(m, pages, pfn) > 0 && pfn[0]) {
		n = 0;
		for (size_t i = 0; i < chunks; i++) {
			const uint64_t *q = pfn + i * 512;
			size_t present = 0;
			for (size_t k = 0; k < 512; k++)
				present += q[k] == q[0] + k;
			pmd[i] = present == 512 && (kpflags(kfd, q[0]) >> KPF_HEAD & 1) &&
				 (kpflags(kfd, q[511]) >> KPF_TAIL & 1);
			n += pmd[i];
		}
	}
	if (kfd >= 0)
		close(kfd);
	free(pfn);
	return n;
}

/*
 * A read fault that maps a whole 2 MiB folio with one PMD (filemap_map_pages
 * → filemap_map_pmd → do_set_pmd): a 64 MiB ext4 file warm-by-read (sequential
 * read(), readahead grows its folios to PMD order), one load per 2 MiB of a
 * 2 MiB-aligned mapping, each timed; the faults on chunks holding one
 * PMD-sized folio (kpageflags), confirmed PMD-mapped by FilePmdMapped, over
 * 3 fresh mappings. fault_pmd = their median - fault_entry - fault_folio.
 */
static void probe_pmd(struct cal *c, const char *dir)
{
	enum { PASSES = 3, CHUNKS = 32 };
	size_t bytes = (size_t)CHUNKS << 21;
	double each[CHUNKS], v[PASSES * CHUNKS];
	char path[PATH_MAX], val[32], cl[200], pmd[CHUNKS];
	struct touch t = { .bytes = bytes, .step = 2u << 20, .each = each, .keep = 1 };
	long npmd = -1, kb = -1;
	size_t nv = 0;
	char *buf = malloc(1u << 20);
	int fd;

	mb_sfmt(path, sizeof(path), "%s/mapbench-cal-pmd-%d", dir, (int)getpid());
	if (!buf || (fd = make_file(path, bytes, 1u << 20)) < 0) {
		note(c, "fault_pmd not measured: cannot create %s", path);
		free(buf);
		return;
	}
	t.fd = fd;
	if (drop_file(fd))
		goto out;
	for (size_t off = 0; off < bytes; off += 1u << 20) /* warm by read */
		if (pread(fd, buf, 1u << 20, (off_t)off) != 1 << 20)
			goto out;
	for (int pass = 0; pass < PASSES; pass++) {
		if (touch_pass(&t) < 0)
			goto out;
		npmd = pmd_chunks(t.map, CHUNKS, pmd);
		kb = smaps_kb(t.map, "FilePmdMapped");
		unmap_2m(t.raw, bytes);
		if (npmd <= 0 || kb != npmd * 2048)
			break;
		for (size_t i = 0; i < CHUNKS; i++)
			if (pmd[i])
				v[nv++] = each[i];
	}
	if (!nv || c->entry <= 0) {
		note(c, "fault_pmd not measured: %s (PMD-sized folios in %ld of %d chunks of a warm-by-read 64 MiB file, FilePmdMapped %ld KiB)",
		     c->entry <= 0 ? "fault_entry is missing" : npmd < 0 ? "no /proc/kpageflags (root) or pagemap PFNs" :
		     npmd == 0 ? "the file's folios are not PMD-sized on this host" : "the PMD-sized folios were not mapped by PMDs",
		     npmd, CHUNKS, kb);
		goto out;
	}
	{
		double med = median(v, nv);
		fmt_clamped(val, sizeof(val), med - c->entry - c->folio, 1, cl, sizeof(cl));
		c->pmd = atof(val);
		put(c, "cost", "fault_pmd", val,
		    "measured: read touch per 2 MiB of the 2 MiB folios of a warm-by-read 64 MiB ext4 file (one PMD mapped per fault, FilePmdMapped confirmed), %zu faults over %d fresh mappings (%ld of %d chunks PMD-sized), median %.0f cycles per fault (%.0f..%.0f), minus fault_entry %.0f and fault_folio %.0f%s",
		    nv, PASSES, npmd, CHUNKS, med, v[0], v[nv - 1], c->entry, c->folio, cl);
	}
out:
	close(fd);
	unlink(path);
	free(buf);
}

/* Cycles per shared write fault of a 16 MiB ext4 file written warm with `chunk`-byte pwrites
   (its folios that size), or with reread read back after each drop (readahead's folios, no
   buffer heads), median of FAULT_PASSES; pages mapped per fault in *pages. -1 on failure. */
static double shared_write_shape(const char *path, size_t chunk, int reread, double *pages)
{
	struct touch w = { .bytes = 16u << 20, .step = PG, .write = 1, .shared = 1, .reread = reread };
	double per;

	*pages = 0;
	if ((w.fd = make_file(path, w.bytes, chunk)) < 0)
		return -1;
	per = median_of(FAULT_PASSES, touch_pass, &w);
	close(w.fd);
	unlink(path);
	*pages = w.faults > 0 ? (double)(w.bytes / PG) / (double)w.faults : 0;
	return per;
}

/*
 * fault_mkwrite, fault_mkwrite_page: what a write fault through a shared
 * mapping of a file with ->page_mkwrite costs beyond the ordinary file fault
 * (mm/memory.c do_shared_fault -> do_page_mkwrite -> ext4_page_mkwrite: a
 * journal handle, then every buffer head of the folio is checked and
 * dirtied, so part of it grows with the folio). Two shapes, both files clean
 * (fsync) and written one byte per page through MAP_SHARED: written warm with
 * 4 KiB pwrites (small folios, P1 pages mapped per fault) and with 1 MiB
 * pwrites (1 MiB folios, P2 pages per fault); per fault
 * S = E + f + P p + M + P m, E, f, p from solve_faults, hence
 * m = (S2 - S1) / (P2 - P1) - p and M = S1 - E - f - P1 (p + m).
 */
static void probe_mkwrite(struct cal *c, const char *dir)
{
	char path[PATH_MAX], val[32], cl[200];
	double p1, p2, p3, s1, s2, s3, m, M, b;

	if (c->entry <= 0 || c->pte <= 0) {
		note(c, "fault_mkwrite not measured: fault_entry/fault_pte missing");
		return;
	}
	mb_sfmt(path, sizeof(path), "%s/mapbench-cal-mkwrite-%d", dir, (int)getpid());
	s1 = shared_write_shape(path, PG, 0, &p1);
	s2 = shared_write_shape(path, 1u << 20, 0, &p2);
	if (s1 <= 0 || s2 <= 0 || p2 - p1 < 1) {
		note(c, "fault_mkwrite not measured: %s (pages per fault %.1f and %.1f)",
		     s1 <= 0 || s2 <= 0 ? "a shared-write pass failed" : "the two files' folios are the same size", p1, p2);
		return;
	}
	m = (s2 - s1) / (p2 - p1) - c->pte;
	fmt_clamped(val, sizeof(val), m, 0, cl, sizeof(cl));
	m = atof(val);
	put(c, "cost", "fault_mkwrite_page", val,
	    "measured: per page of the folio ->page_mkwrite makes writable, from two shared-write shapes of a clean 16 MiB ext4 file, one byte per page through MAP_SHARED, median of %d fresh mappings each: written with 4 KiB pwrites S1 = %.0f cycles per fault (%.1f pages mapped each), with 1 MiB pwrites S2 = %.0f (%.1f pages each); m = (S2 - S1) / (P2 - P1) - fault_pte %.0f%s",
	    FAULT_PASSES, s1, p1, s2, p2, c->pte, cl);
	M = s1 - c->entry - c->folio - p1 * (c->pte + m);
	fmt_clamped(val, sizeof(val), M, 0, cl, sizeof(cl));
	put(c, "cost", "fault_mkwrite", val,
	    "measured: per ->page_mkwrite call (do_shared_fault on ext4), from the same two shapes: M = S1 - fault_entry %.0f - fault_folio %.0f - %.1f x (fault_pte + fault_mkwrite_page)%s",
	    c->entry, c->folio, p1, cl);
	M = atof(val);
	/* third shape: the 1 MiB-written file dropped and read back before each pass (no buffer heads) */
	s3 = shared_write_shape(path, 1u << 20, 1, &p3);
	if (s3 <= 0 || p3 < 1) {
		note(c, "fault_mkwrite_bh not measured: the shared-write pass over a read-back file failed");
		return;
	}
	b = (s3 - c->entry - c->folio - M) / p3 - c->pte - m;
	fmt_clamped(val, sizeof(val), b, 0, cl, sizeof(cl));
	put(c, "cost", "fault_mkwrite_bh", val,
	    "measured: per page of a folio without buffer heads made writable, beyond fault_mkwrite_page, from a third shape: the 1 MiB-written file dropped (fsync + FADV_DONTNEED) and read back with 1 MiB read()s before each pass (readahead's folios: ext4_mpage_readpages attaches no buffer heads), S3 = %.0f cycles per fault (%.1f pages each), median of %d; b = (S3 - E - f - M) / P3 - p - m%s",
	    s3, p3, FAULT_PASSES, cl);
}

/*
 * copy_4k, cow_wp: the two COW faults of a private file mapping, a 64 MiB
 * ext4 file dropped and read back before each pass (clean folios built by
 * readahead, as a warm-read replay's; larger than most LLCs, as the suites'
 * files: the copy reads its source from DRAM), one byte written per page, median of
 * FAULT_PASSES fresh mappings, fault work only (retouch): the write to an
 * unmapped page, C = E + f + p + X (do_cow_fault: lookup, new page, copy,
 * one PTE), and the write after a read pass mapped every page read-only,
 * W = E + X + F (do_wp_page -> wp_page_copy: no lookup; the old PTE is
 * cleared and flushed, the page-cache page's rmap dropped). Hence
 * X = C - E - f - p and F = W - E - X.
 */
static void probe_cow(struct cal *c, const char *dir)
{
	char path[PATH_MAX], val[32], cl[200];
	struct touch cw = { .bytes = 64u << 20, .step = PG, .write = 1, .retouch = 1, .reread = 1 }, wp;
	double C, W, X, F;

	if (c->entry <= 0 || c->pte <= 0) {
		note(c, "copy_4k, cow_wp not measured: fault_entry/fault_pte missing");
		return;
	}
	mb_sfmt(path, sizeof(path), "%s/mapbench-cal-cow-%d", dir, (int)getpid());
	if ((cw.fd = make_file(path, cw.bytes, 1u << 20)) < 0) {
		note(c, "copy_4k, cow_wp not measured: cannot create %s: %s", path, strerror(-cw.fd));
		return;
	}
	wp = cw;
	wp.preread = 1;
	C = median_of(FAULT_PASSES, touch_pass, &cw);
	W = median_of(FAULT_PASSES, touch_pass, &wp);
	close(cw.fd);
	unlink(path);
	if (C <= 0 || W <= 0) {
		note(c, "copy_4k, cow_wp not measured: a private write pass failed (%.0f, %.0f cycles per fault)", C, W);
		return;
	}
	X = C - c->entry - c->folio - c->pte;
	fmt_clamped(val, sizeof(val), X, 1, cl, sizeof(cl));
	X = atof(val);
	put(c, "cost", "copy_4k", val,
	    "measured: COW fault of a private mapping of a %zu MiB ext4 file read back before each pass (fsync, FADV_DONTNEED, 1 MiB read()s), one byte written per unmapped page (do_cow_fault), C = %.0f cycles per fault (%ld faults per pass, median of %d fresh mappings, fault work only: minus %.0f cycles per touch of a second pass), minus fault_entry %.0f, fault_folio %.0f, fault_pte %.0f: the new page's allocation, charge, copy (source from DRAM) and rmap%s",
	    cw.bytes >> 20, C, cw.faults, FAULT_PASSES, cw.again, c->entry, c->folio, c->pte, cl);
	F = W - c->entry - X;
	fmt_clamped(val, sizeof(val), F, 0, cl, sizeof(cl));
	put(c, "cost", "cow_wp", val,
	    "measured: the same file after a read pass mapped every page read-only, one byte written per page (do_wp_page -> wp_page_copy), W = %.0f cycles per fault (%ld faults per pass, median of %d), minus fault_entry %.0f and copy_4k %.0f: clearing and flushing the old PTE, dropping the page-cache page's rmap%s",
	    W, wp.faults, FAULT_PASSES, c->entry, X, cl);
}

/* touch_pass over a mapping it keeps: TSC cycles of the pass, PTE-mapped KiB (Rss minus
   FilePmdMapped) in *pte_kb, the mapping released; -1 on failure. */
static double pass_pte_kb(struct touch *t, long *pte_kb)
{
	double per = touch_pass(t);
	long rss, pmd;

	*pte_kb = -1;
	if (per < 0)
		return -1;
	rss = smaps_kb(t->map, "Rss");
	pmd = smaps_kb(t->map, "FilePmdMapped");
	*pte_kb = rss >= 0 && pmd >= 0 ? rss - pmd : -1;
	unmap_2m(t->raw, t->bytes);
	return per * (double)t->faults;
}

/*
 * fault_pte_cold: what mapping a large folio's pages costs when their struct
 * pages are not cached (folio_add_file_rmap_ptes updates each page's
 * _mapcount: locked updates whose misses do not overlap). A 64 MiB ext4 file
 * dropped and read back (readahead's folios, as warm-read replays map), one
 * read touch per 2 MiB: each fault maps one folio far from the last. Pass W
 * right after a pass that mapped every page (the struct pages cached), pass C
 * after streaming a 256 MiB buffer (evicted); (C - W) over the pages mapped
 * by PTEs (Rss minus FilePmdMapped: PMD-mapped folios have no per-page
 * update), median of 5 pairs.
 */
static void probe_pte_cold(struct cal *c, const char *dir)
{
	char path[PATH_MAX], val[32], cl[200];
	const size_t bytes = 64u << 20, junk_bytes = 256u << 20;
	struct touch all = { .bytes = bytes, .step = PG }, far = { .bytes = bytes, .step = 2u << 20, .keep = 1 };
	double d[5], w[5], cc[5], per;
	long faults = 0, kb = -1, f2 = 0, kb2 = -1;
	int fd, n = 0;
	char *junk;

	mb_sfmt(path, sizeof(path), "%s/mapbench-cal-ptecold-%d", dir, (int)getpid());
	if ((fd = all.fd = far.fd = make_file(path, bytes, 1u << 20)) < 0) {
		note(c, "fault_pte_cold not measured: cannot create %s: %s", path, strerror(-fd));
		return;
	}
	junk = malloc(junk_bytes);
	if (!junk || reread_file(fd, bytes)) {
		note(c, "fault_pte_cold not measured: %s", junk ? "the read-back of the file failed" : "no memory for the 256 MiB flush buffer");
		goto out;
	}
	memset(junk, 1, junk_bytes);
	for (int i = 0; i < 5; i++) {
		volatile char sink = 0;
		if (touch_pass(&all) < 0) /* every struct page touched */
			break;
		w[n] = pass_pte_kb(&far, &kb);
		faults = far.faults;
		for (size_t off = 0; off < junk_bytes; off += 64)
			sink += junk[off];
		(void)sink;
		cc[n] = pass_pte_kb(&far, &kb2);
		f2 = far.faults;
		if (w[n] < 0 || cc[n] < 0 || kb <= 0 || kb2 != kb || f2 != faults)
			break;
		d[n] = (cc[n] - w[n]) / ((double)kb / 4.0);
		n++;
	}
	if (n < 5) {
		note(c, "fault_pte_cold not measured: the 2 MiB-stride passes did not repeat (faults %ld/%ld, PTE-mapped %ld/%ld KiB)",
		     faults, f2, kb, kb2);
		goto out;
	}
	per = median(d, 5);
	fmt_clamped(val, sizeof(val), per, 0, cl, sizeof(cl));
	put(c, "cost", "fault_pte_cold", val,
	    "measured: read touches 2 MiB apart over a read-back %zu MiB ext4 file, %ld faults, %ld KiB mapped by PTEs: right after a pass over every page %.0f cycles, after streaming %zu MiB of other memory %.0f (medians of 5), the difference per PTE-mapped page%s",
	    bytes >> 20, faults, kb, median(w, 5), junk_bytes >> 20, median(cc, 5), cl);
out:
	free(junk);
	close(fd);
	unlink(path);
}

/* zero_2m: the anonymous 2 MiB write fault of probe_costs minus what fault_entry and fault_pmd charge. */
static void put_zero_2m(struct cal *c)
{
	char val[32], cl[200];

	if (c->huge_write <= 0 || c->entry <= 0)
		return;
	fmt_clamped(val, sizeof(val), c->huge_write - c->entry - c->pmd, 1, cl, sizeof(cl));
	put(c, "cost", "zero_2m", val,
	    "measured: anonymous MADV_HUGEPAGE write fault per 2 MiB range (do_huge_pmd_anonymous_page), median of %d passes %.0f cycles per fault, minus fault_entry %.0f and fault_pmd %.0f%s%s",
	    FAULT_PASSES, c->huge_write, c->entry, c->pmd, c->pmd > 0 ? "" : " (fault_pmd not measured: 0)", cl);
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
		if (have || !strcmp(key, "name") || !strcmp(key, "fingerprint") || !strcmp(key, "noisy"))
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

/* ---- runs ------------------------------------------------------------------ */

/*
 * The harness counts page faults with perf software events (page-faults,
 * minor-faults, major-faults: bench/pmu.c's default set) during every access
 * phase, and an active software event costs every fault a perf_sw_event()
 * call (measured here: about 450 TSC cycles per anonymous read fault, 2300
 * without, 2750 with). The profile must predict what the harness measures,
 * so calibrate probes with the same three events open and enabled. fds gets
 * them (-1 where perf_event_open failed, e.g. perf_event_paranoid, its errno
 * in *err); returns how many are open.
 */
static int open_fault_events(int fds[3], int *err)
{
	static const uint64_t cfg[3] = { PERF_COUNT_SW_PAGE_FAULTS, PERF_COUNT_SW_PAGE_FAULTS_MIN,
					 PERF_COUNT_SW_PAGE_FAULTS_MAJ };
	int n = 0;

	for (int i = 0; i < 3; i++) {
		struct perf_event_attr a;
		memset(&a, 0, sizeof(a));
		a.size = sizeof(a);
		a.type = PERF_TYPE_SOFTWARE;
		a.config = cfg[i];
		a.exclude_hv = 1;
		fds[i] = (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
		if (fds[i] < 0)
			*err = errno;
		n += fds[i] >= 0;
	}
	return n;
}

static void close_fault_events(const int fds[3])
{
	for (int i = 0; i < 3; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/*
 * The harness's own cost per record (cost.user_access): the real harness
 * (bench_run, method anon, 3 repetitions after a warm-up, no tracepoints)
 * replays 2^20 random 8-byte records over 256 KiB of anonymous memory (64
 * pages: L1 dTLB and L2 hits), so the time per record is its replay loop,
 * the load and the fold; minus the fold of 8 bytes (fold_mcyc_per_byte)
 * and the replay's faults at an anonymous read fault each (fault_entry +
 * fault_pte), which the model charges apart.
 */
static void probe_user(struct cal *c, const char *dir)
{
	static const char spec[] = "uniform:size=256K,len=8,n=1M,seed=11,anon=1";
	struct bench_cfg cfg;
	struct bench_src *src = NULL;
	struct bench_summary sum;
	json_t *co = json_object();
	char err[512], val[32];
	double cyc = 0, faults = 0, per, rest;
	enum an_status st;
	int e;

	bench_cfg_default(&cfg);
	cfg.reps = 3;
	cfg.no_tracepoints = 1;
	cfg.progress = 0;
	cfg.dir = strdup(dir); /* bench_cfg_free frees it */
	if ((e = an_case_opts_set(&cfg.opts, "method", "anon", err, sizeof(err))) < 0 ||
	    (e = bench_src_open(spec, &src, err, sizeof(err))) ||
	    (e = an_case_opts_check(&cfg.opts, src->hdr, err, sizeof(err))) ||
	    (e = bench_run(&cfg, src, co, &sum, err, sizeof(err))) ||
	    an_metric_value(an_case_metric(co, "cycles"), &cyc, &st)) {
		note(c, "user_access not measured: the harness's replay of %s failed: %s", spec,
		     e ? err : "no cycles metric");
		goto out;
	}
	if (an_metric_value(an_case_metric(co, "faults.total"), &faults, &st))
		faults = 0;
	per = cyc / (double)sum.nrec;
	rest = c->fold * 8 + faults * (c->entry + c->pte) / (double)sum.nrec;
	mb_sfmt(val, sizeof(val), "%.0f", per - rest > 1 ? per - rest : 1);
	put(c, "cost", "user_access", val,
	    "measured: the harness (bench_run, method anon, median of 3 repetitions) replaying %s: %.1f TSC cycles per record, minus the fold of 8 bytes and %.0f faults at fault_entry + fault_pte (%.1f per record)",
	    spec, per, faults, rest);
out:
	bench_src_destroy(src);
	bench_cfg_free(&cfg);
	json_decref(co);
}

/*
 * cost.ipi: what a TLB shootdown adds for one other CPU. A page of
 * anonymous memory is written and dropped (madvise MADV_DONTNEED: zap, then
 * flush_tlb_mm_range) IPI_CALLS times: alone (the mm runs on this CPU only:
 * a local flush), then while a second thread of this process spins on
 * another CPU (the mm is loaded there: the flush IPIs it and waits for the
 * ack). ipi = (with - alone) per call, the median of IPI_TRIES pairs; the
 * TLB line of /proc/interrupts must have counted about one IPI per call,
 * else the value is not written (a hypervisor's paravirtual flush may skip
 * IPIs).
 */
#define IPI_CALLS 2000
#define IPI_TRIES 5
struct ipi_spin {
	volatile int stop, running; /* written by the prober, the spinner */
	volatile char *p;           /* its own line to write */
};

static void *ipi_spinner(void *a)
{
	struct ipi_spin *sp = a;

	sp->running = 1;
	while (!sp->stop)
		sp->p[0]++;
	return NULL;
}

static double ipi_pass(char *pg)
{
	uint64_t t0 = tsc();

	for (int i = 0; i < IPI_CALLS; i++) {
		pg[0] = (char)i;
		if (madvise(pg, PG, MADV_DONTNEED))
			return -1;
	}
	return (double)(tsc() - t0) / IPI_CALLS;
}

static void probe_ipi(struct cal *c)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	char *pg = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	double alone[IPI_TRIES], with[IPI_TRIES], d[IPI_TRIES], m;
	long long irq0, irq1;
	char runs[256] = "", val[32];
	struct ipi_spin sp = { 0, 0, NULL };
	pthread_t th;
	int ok = 1;

	if (pg == MAP_FAILED || ncpu < 2) {
		note(c, "ipi not measured: %s", ncpu < 2 ? "one CPU online (no other CPU to shoot down)" : strerror(errno));
		if (pg != MAP_FAILED)
			munmap(pg, 2 * PG);
		return;
	}
	sp.p = pg + PG;
	for (int t = 0; t < IPI_TRIES && ok; t++)
		ok = (alone[t] = ipi_pass(pg)) > 0;
	if (!ok || thread_elsewhere(&th, ipi_spinner, &sp)) {
		note(c, "ipi not measured: madvise(MADV_DONTNEED) or the spinning thread failed");
		munmap(pg, 2 * PG);
		return;
	}
	while (!sp.running)
		;
	irq0 = tp_interrupts_tlb();
	for (int t = 0; t < IPI_TRIES && ok; t++)
		ok = (with[t] = ipi_pass(pg)) > 0;
	irq1 = tp_interrupts_tlb();
	sp.stop = 1;
	pthread_join(th, NULL);
	munmap(pg, 2 * PG);
	if (!ok) {
		note(c, "ipi not measured: madvise(MADV_DONTNEED) failed");
		return;
	}
	for (int t = 0; t < IPI_TRIES; t++) {
		d[t] = with[t] - alone[t];
		mb_sfmt(runs + strlen(runs), sizeof(runs) - strlen(runs), "%s%.0f", t ? ", " : "", d[t]);
	}
	if (irq0 < 0 || irq1 < 0 || irq1 - irq0 < IPI_CALLS * IPI_TRIES / 2) {
		note(c, "ipi not measured: /proc/interrupts counted %lld TLB shootdown IPIs for %d remote flushes (paravirtual flush, or the line is missing); the extra cycles per call were %s",
		     irq0 < 0 || irq1 < 0 ? -1 : irq1 - irq0, IPI_CALLS * IPI_TRIES, runs);
		return;
	}
	m = median(d, IPI_TRIES);
	mb_sfmt(val, sizeof(val), "%.0f", m > 1 ? m : 1);
	put(c, "cost", "ipi", val,
	    "measured: madvise(MADV_DONTNEED) of a written anonymous page, %d calls, with a second thread of the process spinning on another CPU minus alone (local flush only), median of %d pairs: %s cycles per call (/proc/interrupts TLB: %lld IPIs over the %d calls)",
	    IPI_CALLS, IPI_TRIES, runs, irq1 - irq0, IPI_CALLS * IPI_TRIES);
}

/* ---- memory pressure: reclaim and swap ------------------------------------ */

/* The memory cgroup a pressure probe runs in (bench/cgroup.c) and the file names of its hierarchy. */
struct pcg {
	struct cg_run r;   /* one fresh cgroup per cg_run_enter, joined by this process */
	const char *usage; /* charged bytes: memory.current (v2), memory.usage_in_bytes (v1) */
	const char *cut;   /* the file whose write reclaims: memory.reclaim (v2: bytes to reclaim;
			      memory.max would OOM-kill when reclaim falls short), memory.limit_in_bytes
			      (v1: a limit below the usage, -EBUSY when reclaim falls short) */
	const char *file;  /* memory.stat key of the page cache in bytes: file, cache */
	const char *wb;    /* memory.stat key of the bytes under writeback: file_writeback, writeback */
};

/* cg_run_start with a limit far above what the probe charges. 0, or -1 with the reason in why. */
static int pcg_start(struct pcg *p, uint64_t limit, char *why, size_t len)
{
	int v2;

	memset(p, 0, sizeof(*p));
	if (geteuid()) {
		mb_sfmt(why, len, "needs root (a memory cgroup of its own)");
		return -1;
	}
	if (cg_run_start(&p->r, limit, 1, why, len))
		return -1;
	v2 = p->r.g.ver == CG_V2;
	p->usage = v2 ? "memory.current" : "memory.usage_in_bytes";
	p->cut = v2 ? "memory.reclaim" : "memory.limit_in_bytes";
	p->file = v2 ? "file" : "cache";
	p->wb = v2 ? "file_writeback" : "writeback";
	return 0;
}

/* key of the joined cgroup's memory.stat, or with key NULL its usage; -1 when unreadable. */
static long long pcg_get(const struct pcg *p, const char *key)
{
	char path[700];

	mb_sfmt(path, sizeof(path), "%s/%s", p->r.g.path, key ? "memory.stat" : p->usage);
	return cg_stat(path, key);
}

/*
 * Pages of [0, bytes) of fd that belong to a large folio (/proc/kpageflags
 * head or tail bit), after reading the file back as probe_reclaim does
 * (POSIX_FADV_RANDOM, 1 MiB read()s into buf) and mapping every page;
 * *present gets the pages pagemap showed. -1 when pagemap or kpageflags
 * gave nothing (no root). The file's cache is dropped again.
 */
static long large_folio_pages(int fd, size_t bytes, char *buf, size_t chunk, long *present)
{
	size_t pages = bytes / PG;
	uint64_t *pfn = calloc(pages, sizeof(*pfn));
	int kfd = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
	long large = -1;
	volatile char s = 0;
	char *m = MAP_FAILED;

	*present = 0;
	posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM);
	for (size_t off = 0; off < bytes; off += chunk)
		if (pread(fd, buf, chunk, (off_t)off) != (ssize_t)chunk)
			goto out;
	if (!pfn || kfd < 0 || (m = mmap(NULL, bytes, PROT_READ, MAP_SHARED, fd, 0)) == MAP_FAILED)
		goto out;
	for (size_t i = 0; i < pages; i++)
		s += m[i * PG];
	if ((*present = cache_pagemap(m, pages, pfn)) <= 0)
		goto out;
	large = 0;
	for (size_t i = 0; i < pages; i++)
		if (kpflags(kfd, pfn[i]) & (UINT64_C(1) << KPF_HEAD | UINT64_C(1) << KPF_TAIL))
			large++;
out:
	(void)s;
	if (m != MAP_FAILED)
		munmap(m, bytes);
	if (kfd >= 0)
		close(kfd);
	free(pfn);
	posix_fadvise(fd, 0, 0, POSIX_FADV_NORMAL);
	drop_cold(fd, bytes);
	return large;
}

/*
 * cost.reclaim_folio, what sim/reclaim.c's evict() charges once per folio
 * reclaimed (whatever its order; the PTE flushes, IPIs and any I/O are
 * charged apart): cycles per clean, unmapped order-0 file folio freed by
 * memory-cgroup reclaim. Each run: this process joins a fresh memory cgroup
 * (bench/cgroup.c; limit 4x the file), reads a cold RECLAIM_MIB MiB ext4
 * file with POSIX_FADV_RANDOM in 1 MiB read()s (no readahead window:
 * force_page_cache_ra adds order-0 folios, all charged to the cgroup), then
 * lowers the limit to the usage minus 3/4 of the file (v1; v2 writes those
 * bytes to memory.reclaim; untested here: this host's v2 hierarchy has no
 * memory controller): the write reclaims
 * in the kernel's own batches (try_to_free_mem_cgroup_pages, 32 pages, the
 * priority loop the model follows) until the usage fits, with no I/O (the
 * folios are clean). TSC cycles of that write over the folios reclaimed:
 * the drop of the cgroup's page cache (memory.stat), which /proc/vmstat's
 * pgsteal_file (system-wide) must match or exceed, else the run is invalid.
 * After the runs one more read pass is mapped and its pages checked in
 * /proc/kpageflags: any page of a large folio and nothing is written.
 */
#define RECLAIM_MIB 32
#define RECLAIM_RUNS 5
static void probe_reclaim(struct cal *c, const char *dir)
{
	size_t bytes = (size_t)(c->o->quick ? RECLAIM_MIB / 2 : RECLAIM_MIB) << 20, chunk = 1u << 20;
	size_t cut = bytes / 4 * 3;
	int runs = c->o->quick ? 3 : RECLAIM_RUNS, fd = -1;
	double per[RECLAIM_RUNS], m;
	long long fol[RECLAIM_RUNS], steal[RECLAIM_RUNS];
	long large, present;
	char path[PATH_MAX], why[400] = "", figs[300] = "", val[32];
	char *buf = malloc(chunk);
	struct pcg p;

	if (!buf) {
		note(c, "reclaim_folio not measured: out of memory");
		return;
	}
	if (pcg_start(&p, 4 * (uint64_t)bytes, why, sizeof(why))) {
		note(c, "reclaim_folio not measured: %s", why);
		free(buf);
		return;
	}
	memset(buf, 0, chunk); /* faulted in before joining: charged to this process's own cgroup */
	mb_sfmt(path, sizeof(path), "%s/mapbench-cal-reclaim-%d", dir, (int)getpid());
	if ((fd = make_file(path, bytes, chunk)) < 0 || drop_cold(fd, bytes)) {
		mb_sfmt(why, sizeof(why), "cannot create and drop %s", path);
		goto out;
	}
	for (int i = 0; i < runs; i++) {
		long long f0, f1, u0, g0, g1;
		char lim[32], err[400];
		uint64_t t0, t;
		int e;

		if (cg_run_enter(&p.r, err, sizeof(err))) {
			mb_sfmt(why, sizeof(why), "%s", err);
			goto out;
		}
		posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM);
		for (size_t off = 0; off < bytes; off += chunk)
			if (pread(fd, buf, chunk, (off_t)off) != (ssize_t)chunk) {
				mb_sfmt(why, sizeof(why), "read of %s failed", path);
				cg_run_exit(&p.r, err, sizeof(err));
				goto out;
			}
		f0 = pcg_get(&p, p.file);
		u0 = pcg_get(&p, NULL);
		g0 = cg_stat("/proc/vmstat", "pgsteal_file");
		mb_sfmt(lim, sizeof(lim), "%lld", p.r.g.ver == CG_V2 ? (long long)cut : u0 - (long long)cut);
		t0 = tsc();
		e = cg_set(&p.r.g, p.cut, lim, err, sizeof(err));
		t = tsc() - t0;
		f1 = pcg_get(&p, p.file);
		g1 = cg_stat("/proc/vmstat", "pgsteal_file");
		if (cg_run_exit(&p.r, why, sizeof(why)))
			goto out;
		posix_fadvise(fd, 0, 0, POSIX_FADV_NORMAL);
		drop_cold(fd, bytes);
		fol[i] = f0 >= 0 && f1 >= 0 ? (f0 - f1) / PG : -1;
		steal[i] = g0 >= 0 && g1 >= 0 ? g1 - g0 : -1;
		if (e || u0 < 0 || f0 < (long long)bytes * 95 / 100 || fol[i] < (long long)(cut / PG / 2) ||
		    steal[i] < fol[i]) {
			mb_sfmt(why, sizeof(why),
				"run %d invalid: limit write %s, page cache %lld -> %lld bytes of a %zu-byte file (at least 95%% charged and half of the %zu cut reclaimed expected), pgsteal_file +%lld for %lld folios",
				i + 1, e ? err : "ok", f0, f1, bytes, cut, steal[i], fol[i]);
			goto out;
		}
		per[i] = (double)t / (double)fol[i];
		mb_sfmt(figs + strlen(figs), sizeof(figs) - strlen(figs), "%s%.0f", i ? ", " : "", per[i]);
	}
	large = large_folio_pages(fd, bytes, buf, chunk, &present);
	if (large != 0) {
		mb_sfmt(why, sizeof(why), large < 0 ? "the folio order check failed (pagemap/kpageflags unreadable)"
				: "%ld of %ld pages read back this way are in large folios (the figure would not be per order-0 folio)",
			large, present);
		goto out;
	}
	for (int i = 1; i < runs; i++) {
		fol[0] = fol[i] < fol[0] ? fol[i] : fol[0];
		fol[1] = fol[i] > fol[1] ? fol[i] : fol[1];
		steal[0] = steal[i] < steal[0] ? steal[i] : steal[0];
		steal[1] = steal[i] > steal[1] ? steal[i] : steal[1];
	}
	m = median(per, (size_t)runs);
	mb_sfmt(val, sizeof(val), "%.0f", m > 1 ? m : 1);
	put(c, "cost", "reclaim_folio", val,
	    "measured: a cold %zu MiB ext4 file read with POSIX_FADV_RANDOM in 1 MiB read()s inside a fresh memory cgroup (v%d), then %zu MiB reclaimed (v1: its limit lowered to the usage minus that; v2: memory.reclaim): TSC cycles of that write (try_to_free_mem_cgroup_pages in 32-page batches, clean unmapped order-0 folios, no I/O) per folio reclaimed, median of %d runs: %s (folios per run by the cgroup's page-cache drop %lld to %lld, /proc/vmstat pgsteal_file +%lld to +%lld; /proc/kpageflags: 0 of %ld pages read back this way in large folios)",
	    bytes >> 20, p.r.g.ver, cut >> 20, runs, figs, fol[0], runs > 1 ? fol[1] : fol[0], steal[0],
	    runs > 1 ? steal[1] : steal[0], present);
out:
	if (why[0])
		note(c, "reclaim_folio not measured: %s", why);
	cg_run_finish(&p.r);
	if (fd >= 0)
		close(fd);
	unlink(path);
	free(buf);
}

/*
 * cost.swap_out and cost.swap_in, only with swap active (/proc/swaps lists
 * an area: calibrate never creates or enables one). This process joins a
 * fresh memory cgroup (limit far above the area) and writes every page of
 * an anonymous area of SWAP_MIB MiB (MADV_NOHUGEPAGE: order-0 folios).
 * swap_out, charged by sim/reclaim.c's evict() per page written to swap
 * beside reclaim_folio per folio: TSC cycles of madvise(MADV_PAGEOUT) over
 * the area per page written (pswpout of /proc/vmstat, at least 90% of the
 * pages, else nothing is written: zswap, for one, stores pages without
 * pswpout). That is shrink_folio_list's first pass over the page:
 * isolation, rmap unmap with its PTE flush, add_to_swap, the write bio's
 * submission (not its completion wait: pageout is asynchronous, as the
 * model takes it); the second pass that frees the written folio is
 * reclaim_folio's part. swap_in, charged per major fault in do_swap_page
 * beside fault_entry and fault_pte: once the writes are done (the cgroup's
 * writeback 0) the swap cache is reclaimed (memory.force_empty, v1;
 * memory.reclaim, v2; mincore must show at most 5% resident), then
 * SWAP_TOUCHES one-byte loads of distinct random even pages (never
 * adjacent: swapin_nr_pages' window stays 1 page) each wait for their
 * synchronous 4 KiB read: the median touch in TSC cycles, device wait
 * included, minus fault_entry + fault_pte; major faults (getrusage) and
 * pswpin must count one per touch (0.9x to 1.5x), else nothing is written.
 */
#define SWAP_MIB 16
#define SWAP_TOUCHES 256
static void probe_swap(struct cal *c)
{
	size_t pages = (size_t)(c->o->quick ? SWAP_MIB / 2 : SWAP_MIB) << 8, bytes = pages * PG, res = 0;
	int k = c->o->quick ? SWAP_TOUCHES / 2 : SWAP_TOUCHES, areas = cg_swap_areas();
	double *each = malloc(SWAP_TOUCHES * sizeof(*each)), out, in;
	uint32_t *pick = malloc(pages / 2 * sizeof(*pick));
	unsigned char *vec = malloc(pages);
	char why[400] = "", err[400], val[32], *m = MAP_FAILED;
	long long o0, o1, i0, i1, wb = -1;
	struct rusage r0, r1;
	volatile char s = 0;
	struct pcg p;
	uint64_t t0;

	memset(&p, 0, sizeof(p));
	if (areas <= 0) {
		mb_sfmt(why, sizeof(why), areas < 0 ? "/proc/swaps unreadable" : "no swap active (/proc/swaps empty)");
		goto out_free;
	}
	if (!each || !pick || !vec) {
		mb_sfmt(why, sizeof(why), "out of memory");
		goto out_free;
	}
	if (c->entry <= 0 || c->pte <= 0) {
		mb_sfmt(why, sizeof(why), "fault_entry/fault_pte not measured (subtracted from each swap-in fault)");
		goto out_free;
	}
	if (pcg_start(&p, 8 * (uint64_t)bytes, why, sizeof(why)))
		goto out_free;
	for (size_t i = 0; i < pages / 2; i++) /* the touch order, made before joining */
		pick[i] = (uint32_t)(2 * i);
	for (size_t i = pages / 2 - 1; i > 0; i--) {
		size_t j = xs() % (i + 1);
		uint32_t t = pick[i];
		pick[i] = pick[j];
		pick[j] = t;
	}
	memset(each, 0, SWAP_TOUCHES * sizeof(*each));
	memset(vec, 0, pages);
	m = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED || madvise(m, bytes, MADV_NOHUGEPAGE)) {
		mb_sfmt(why, sizeof(why), "anonymous %zu MiB mapping: %s", bytes >> 20, strerror(errno));
		goto out;
	}
	if (cg_run_enter(&p.r, why, sizeof(why)))
		goto out;
	for (size_t i = 0; i < pages; i++) /* charged to the cgroup: its swap cache is the cgroup's */
		memset(m + i * PG, (int)(i * 7 + 1), PG);
	o0 = cg_stat("/proc/vmstat", "pswpout");
	t0 = tsc();
	if (madvise(m, bytes, MADV_PAGEOUT)) {
		mb_sfmt(why, sizeof(why), "madvise(MADV_PAGEOUT): %s", strerror(errno));
		goto out;
	}
	out = (double)(tsc() - t0);
	o1 = cg_stat("/proc/vmstat", "pswpout");
	if (o0 < 0 || o1 - o0 < (long long)pages * 9 / 10) {
		mb_sfmt(why, sizeof(why), "MADV_PAGEOUT of %zu written pages counted %lld pswpout (zswap, or the pages were not swapped)",
			pages, o0 < 0 || o1 < 0 ? -1 : o1 - o0);
		goto out;
	}
	out /= (double)(o1 - o0);
	for (int i = 0; i < 400 && (wb = pcg_get(&p, p.wb)) > 0; i++)
		usleep(5000);
	if (wb != 0) {
		mb_sfmt(why, sizeof(why), "swap writeback not done after 2 s (memory.stat %s %lld)", p.wb, wb);
		goto out;
	}
	/* reclaim the (clean) swap cache so that each touch reads from the device */
	if (p.r.g.ver == CG_V2) {
		char n[32];
		mb_sfmt(n, sizeof(n), "%zu", bytes);
		cg_set(&p.r.g, p.cut, n, err, sizeof(err));
	} else {
		cg_set(&p.r.g, "memory.force_empty", "0", err, sizeof(err));
	}
	if (mincore(m, bytes, vec)) {
		mb_sfmt(why, sizeof(why), "mincore: %s", strerror(errno));
		goto out;
	}
	for (size_t i = 0; i < pages; i++)
		res += vec[i] & 1;
	if (res > pages / 20) {
		mb_sfmt(why, sizeof(why), "%zu of %zu swapped pages still in the swap cache after reclaiming it", res, pages);
		goto out;
	}
	getrusage(RUSAGE_SELF, &r0);
	i0 = cg_stat("/proc/vmstat", "pswpin");
	for (int i = 0; i < k; i++) {
		uint64_t t1 = tsc();
		s += m[(size_t)pick[i] * PG];
		each[i] = (double)(tsc() - t1);
	}
	i1 = cg_stat("/proc/vmstat", "pswpin");
	getrusage(RUSAGE_SELF, &r1);
	if (i0 < 0 || i1 - i0 < (long long)k * 9 / 10 || i1 - i0 > (long long)k * 3 / 2 ||
	    r1.ru_majflt - r0.ru_majflt < k * 9 / 10) {
		mb_sfmt(why, sizeof(why), "%d touches of swapped-out pages counted %lld pswpin and %ld major faults (one each expected)",
			k, i0 < 0 || i1 < 0 ? -1 : i1 - i0, r1.ru_majflt - r0.ru_majflt);
		goto out;
	}
	in = median(each, (size_t)k);
	mb_sfmt(val, sizeof(val), "%.0f", out > 1 ? out : 1);
	put(c, "cost", "swap_out", val,
	    "measured: madvise(MADV_PAGEOUT) of a written %zu MiB anonymous area (order-0 pages) in a fresh memory cgroup (v%d), %.0f TSC cycles per page written (pswpout +%lld for %zu pages): isolation, rmap unmap with its PTE flush, add_to_swap, write submission; not the write's completion nor the later free (reclaim_folio)",
	    bytes >> 20, p.r.g.ver, out, o1 - o0, pages);
	mb_sfmt(val, sizeof(val), "%.0f", in - c->entry - c->pte > 1 ? in - c->entry - c->pte : 1);
	put(c, "cost", "swap_in", val,
	    "measured: one-byte loads of %d distinct random non-adjacent swapped-out pages of that area (swap cache reclaimed first, %zu of %zu pages resident), each a major fault waiting for its 4 KiB swap read: median %.0f TSC cycles (10th %.0f, 90th %.0f percentile; device wait included), minus fault_entry + fault_pte (%.0f + %.0f); pswpin +%lld, major faults +%ld",
	    k, res, pages, in, each[k / 10], each[k * 9 / 10], c->entry, c->pte, i1 - i0, r1.ru_majflt - r0.ru_majflt);
out:
	(void)s;
	if (m != MAP_FAILED)
		munmap(m, bytes); /* frees the swap slots */
	if (cg_run_exit(&p.r, err, sizeof(err)) && !why[0])
		mb_sfmt(why, sizeof(why), "%s", err);
	cg_run_finish(&p.r);
out_free:
	if (why[0])
		note(c, "swap_out, swap_in not measured: %s", why);
	free(each);
	free(pick);
	free(vec);
}

/* ---- O_DIRECT ------------------------------------------------------------------ */

static double thread_cpu_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

/*
 * cost.direct_io, solved from the model's own equations (sim/sim.c
 * sim_direct_read: a 4 KiB O_DIRECT read costs syscall + direct_io +
 * io_page_sync + io_request; probe_io's io_request = a cold 4 KiB pread -
 * a warm one - its 4-page window at io_page_sync): direct_io = T_direct -
 * T_cold(1 page) + (T_warm - syscall). T_direct - T_cold(1 page) is taken
 * from thread CPU time (CLOCK_THREAD_CPUTIME_ID, which leaves out the sleep
 * for the device, equal for two 4 KiB single-bio reads, and the completion
 * interrupt, which both have): DIRECT_READS interleaved pairs over a cold
 * 16 MiB ext4 file, a 4 KiB O_DIRECT pread and a 4 KiB buffered pread with
 * POSIX_FADV_RANDOM (one page read: cachestat must count exactly one cached
 * page per read), each at its own offset; medians. T_warm: the buffered
 * preads again, cached, TSC median. Written only when the solution's
 * standard error (from the MADs of the two CPU-time sets) is at most
 * DIRECT_SE_MAX cycles; a negative solution (the direct read needs less
 * CPU than the buffered miss io_request already holds) is clamped to 0 and
 * says so.
 */
#define DIRECT_READS 32
#define DIRECT_SE_MAX 1500 /* cycles: the solution's standard error above which nothing is written */

/* Median absolute deviation of v[0..n) (n <= DIRECT_READS) around med. */
static double direct_mad(const double *v, size_t n, double med)
{
	double dev[DIRECT_READS];

	for (size_t i = 0; i < n; i++)
		dev[i] = fabs(v[i] - med);
	return median(dev, n);
}
static void probe_direct(struct cal *c, const char *dir)
{
	size_t bytes = 16u << 20, n = c->o->quick ? DIRECT_READS / 2 : DIRECT_READS, gap = bytes / n;
	double d[DIRECT_READS], b[DIRECT_READS], w[DIRECT_READS], md, mb, mw, v, mad_d, mad_b, se;
	char path[PATH_MAX], why[300] = "", val[32], cl[200];
	char *buf = aligned_alloc(PG, PG);
	int fd = -1, dfd = -1;
	long cached = -1;

	mb_sfmt(path, sizeof(path), "%s/mapbench-cal-direct-%d", dir, (int)getpid());
	if (!buf || c->sys <= 0) {
		mb_sfmt(why, sizeof(why), "%s", buf ? "no syscall cost" : "out of memory");
		goto out;
	}
	memset(buf, 0, PG);
	if ((fd = make_file(path, bytes, 1u << 20)) < 0 || drop_cold(fd, bytes) ||
	    (dfd = open(path, O_RDONLY | O_DIRECT | O_CLOEXEC)) < 0) {
		mb_sfmt(why, sizeof(why), "cannot create %s and open it O_DIRECT: %s", path, strerror(errno));
		goto out;
	}
	posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM);
	for (size_t i = 0; i < n; i++) {
		double t0 = thread_cpu_ns();
		if (pread(dfd, buf, PG, (off_t)(i * gap + gap / 2)) != PG) {
			mb_sfmt(why, sizeof(why), "O_DIRECT pread of %s failed: %s", path, strerror(errno));
			goto out;
		}
		d[i] = thread_cpu_ns() - t0;
		t0 = thread_cpu_ns();
		if (pread(fd, buf, PG, (off_t)(i * gap)) != PG)
			goto out;
		b[i] = thread_cpu_ns() - t0;
	}
	cached = cached_pages(fd, 0, bytes);
	for (size_t i = 0; i < n; i++) {
		uint64_t t0 = tsc();
		if (pread(fd, buf, PG, (off_t)(i * gap)) != PG)
			goto out;
		w[i] = (double)(tsc() - t0);
	}
	if (cached >= 0 && cached != (long)n) {
		mb_sfmt(why, sizeof(why), "cachestat counted %ld cached pages after %zu one-page buffered reads (POSIX_FADV_RANDOM not honoured)", cached, n);
		goto out;
	}
	md = median(d, n);
	mb = median(b, n);
	mw = median(w, n);
	v = (md - mb) * c->ghz + mw - c->sys;
	mad_d = direct_mad(d, n, md);
	mad_b = direct_mad(b, n, mb);
	/* standard error of the difference of two medians (1.253 sigma / sqrt n, sigma = 1.4826 MAD), in cycles */
	se = 1.253 * 1.4826 * sqrt(mad_d * mad_d + mad_b * mad_b) / sqrt((double)n) * c->ghz;
	if (se > DIRECT_SE_MAX) {
		mb_sfmt(why, sizeof(why), "unresolved: O_DIRECT %.0f ns vs buffered %.0f ns thread CPU time per 4 KiB read (medians of %zu), solution %.0f cycles with a standard error of %.0f, above %d (half the base estimate: no better than it)",
			md, mb, n, v, se, DIRECT_SE_MAX);
		goto out;
	}
	fmt_clamped(val, sizeof(val), v, 0, cl, sizeof(cl));
	put(c, "cost", "direct_io", val,
	    "measured: solved from the model's O_DIRECT read (syscall + direct_io + io_page_sync + io_request, io_request from a cold buffered pread): %zu interleaved 4 KiB preads of a cold 16 MiB ext4 file, O_DIRECT %.0f ns vs buffered with POSIX_FADV_RANDOM (one page each%s) %.0f ns thread CPU time (the device wait left out), medians: (%.0f - %.0f) x %.3f, plus the warm buffered pread %.0f minus syscall %.0f (standard error %.0f cycles)%s",
	    n, md, cached >= 0 ? ", by cachestat" : "", mb, md, mb, c->ghz, mw, c->sys, se, cl);
out:
	if (why[0])
		note(c, "direct_io not measured: %s", why);
	if (dfd >= 0)
		close(dfd);
	if (fd >= 0)
		close(fd);
	unlink(path);
	free(buf);
}

/* One probe: its name (for messages) and entry point; dir is the scratch directory, shm tmpfs. */
struct probe {
	const char *name;
	void (*run)(struct cal *c, const char *dir, const char *shm);
};

static void p_tsc(struct cal *c, const char *d, const char *m) { (void)d; (void)m; probe_tsc(c); }
static void p_settings(struct cal *c, const char *d, const char *m) { probe_settings(c, d, m); }
static void p_fault_around(struct cal *c, const char *d, const char *m) { (void)d; probe_fault_around(c, m); }
static void p_readahead(struct cal *c, const char *d, const char *m) { (void)m; probe_readahead(c, d); }
static void p_whole_folio(struct cal *c, const char *d, const char *m) { (void)m; probe_whole_folio(c, d); }
static void p_costs(struct cal *c, const char *d, const char *m) { (void)d; probe_costs(c, m); }
static void p_pmd(struct cal *c, const char *d, const char *m) { (void)m; probe_pmd(c, d); }
static void p_mkwrite(struct cal *c, const char *d, const char *m) { (void)m; probe_mkwrite(c, d); }
static void p_cow(struct cal *c, const char *d, const char *m) { (void)m; probe_cow(c, d); }
static void p_pte_cold(struct cal *c, const char *d, const char *m) { (void)m; probe_pte_cold(c, d); }
static void p_zero_2m(struct cal *c, const char *d, const char *m) { (void)d; (void)m; put_zero_2m(c); }
static void p_cached_reads(struct cal *c, const char *d, const char *m) { probe_cached_reads(c, d, m); }
static void p_tlb(struct cal *c, const char *d, const char *m) { (void)d; (void)m; probe_tlb(c); }
static void p_memory(struct cal *c, const char *d, const char *m) { (void)d; (void)m; probe_memory(c); }
static void p_lines(struct cal *c, const char *d, const char *m) { (void)d; (void)m; probe_lines(c); }
static void p_io(struct cal *c, const char *d, const char *m) { (void)m; probe_io(c, d); }
static void p_user(struct cal *c, const char *d, const char *m) { (void)m; probe_user(c, d); }
static void p_ipi(struct cal *c, const char *d, const char *m) { (void)d; (void)m; probe_ipi(c); }
static void p_reclaim(struct cal *c, const char *d, const char *m) { (void)m; probe_reclaim(c, d); }
static void p_swap(struct cal *c, const char *d, const char *m) { (void)d; (void)m; probe_swap(c); }
static void p_direct(struct cal *c, const char *d, const char *m) { (void)m; probe_direct(c, d); }

/* In run order: later probes use figures of earlier ones (struct cal's derived fields). */
static const struct probe probes[] = {
	{ "tsc", p_tsc }, { "settings", p_settings }, { "fault-around", p_fault_around },
	{ "readahead", p_readahead }, { "whole-folio", p_whole_folio }, { "costs", p_costs },
	{ "pmd", p_pmd }, { "mkwrite", p_mkwrite }, { "cow", p_cow }, { "pte-cold", p_pte_cold }, { "zero-2m", p_zero_2m },
	{ "cached-reads", p_cached_reads }, { "tlb", p_tlb }, { "memory", p_memory },
	{ "lines", p_lines }, { "user", p_user }, { "ipi", p_ipi }, { "io", p_io },
	{ "reclaim", p_reclaim }, { "swap", p_swap }, { "direct", p_direct },
};
#define NPROBES MB_ARRAY_SIZE(probes)

/* One run of every probe into c; secs[i] gets probe i's seconds. */
static void probe_all(struct cal *c, const char *name, const char *dir, const char *shm, double *secs)
{
	c->probe = -1;
	put(c, "profile", "name", name, "given: calibrate -o / --name");
	for (size_t i = 0; i < NPROBES; i++) {
		uint64_t t = mb_now_ns();
		c->probe = (int)i;
		probes[i].run(c, dir, shm);
		secs[i] = (double)(mb_now_ns() - t) / 1e9;
	}
}

/* The entry sec/key of c, or NULL. */
static const struct cal_entry *find_entry(const struct cal *c, const char *sec, const char *key)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->e[i].sec, sec) && !strcmp(c->e[i].key, key))
			return &c->e[i];
	return NULL;
}

/* Nonzero when e's value is one plain number (into *v). */
static int entry_num(const struct cal_entry *e, double *v)
{
	char *end;

	*v = strtod(e->val, &end);
	return end != e->val && *end == 0;
}

/*
 * A key's stated bound on the spread of its runs: the median absolute
 * deviation of the runs' figures around their median, relative to the
 * median, at most CAL_SPREAD_REL, or at most CAL_SPREAD_ABS in absolute
 * terms (small cycle counts: a TSC tick of rounding is not noise). Figures
 * calibrate derives by solving equations inherit their inputs' noise; the
 * same bound applies (a noisy solution is a noisy profile value).
 */
#define CAL_SPREAD_REL 0.10
#define CAL_SPREAD_ABS 2.0
#define CAL_RERUN_BUDGET_S 12 /* seconds all re-runs of noisy probes may take together */

/* Relative MAD of v[0..n) (0 when the median is 0 and every figure equals it). */
static double spread_of(const double *v, int n, double *mad_out)
{
	double a[CAL_MAX_RUNS * 2], d[CAL_MAX_RUNS * 2], med, mad;

	memcpy(a, v, sizeof(*v) * (size_t)n);
	med = median(a, (size_t)n);
	for (int i = 0; i < n; i++)
		d[i] = v[i] > med ? v[i] - med : med - v[i];
	mad = median(d, (size_t)n);
	*mad_out = mad;
	return med != 0 ? mad / (med < 0 ? -med : med) : mad > 0 ? INFINITY : 0;
}

static int beyond_bound(const double *v, int n)
{
	double mad, rel = spread_of(v, n, &mad);

	return rel > CAL_SPREAD_REL && mad > CAL_SPREAD_ABS;
}

/*
 * Keys calibrate solves together from the same measurements: a merged
 * profile takes the whole group from the run whose lead key (the first) is
 * the median, so the values still satisfy the run's equations (the median
 * of each key alone would mix runs). Returns the lead of key's group, or NULL.
 */
/* Keys solved together from one run's shapes (cost section); the first names the group. */
static const char *const cal_groups[][5] = {
	{ "fault_pte", "fault_folio", "fault_entry", NULL },
	{ "fault_mkwrite_page", "fault_mkwrite", "fault_mkwrite_bh", NULL },
	{ "uring_sqe", "uring_wait", "uring_punt", "uring_punt_wait", NULL },
	{ "copy_4k", "cow_wp", NULL },
	{ "io_page", "io_stream", NULL },
};

static const char *joint_lead(const char *key)
{
	for (size_t g = 0; g < MB_ARRAY_SIZE(cal_groups); g++)
		for (size_t k = 0; cal_groups[g][k]; k++)
			if (!strcmp(cal_groups[g][k], key))
				return cal_groups[g][0];
	return NULL;
}

static int median_run(const struct cal *runs, int n, const char *sec, const char *key);

/*
 * The run a group of keys solved together takes its values from: the most
 * typical one, whose keys deviate least from their own medians (sum of
 * |value - median| / |median| over the group, among the runs that measured
 * every key of it; the lowest index on a tie). Taking the run of the lead
 * key's median instead once took fault_pte's median run, whose fault_entry
 * was the highest of nine (1920 against a median of 1471). -1: none.
 */
static int group_run(const struct cal *runs, int n, const char *sec, const char *lead)
{
	const char *const *g = NULL;
	double med[5], best = -1;
	int nk = 0, pick = -1;

	for (size_t i = 0; i < MB_ARRAY_SIZE(cal_groups); i++)
		if (!strcmp(cal_groups[i][0], lead))
			g = cal_groups[i];
	if (!g)
		return -1;
	for (; g[nk]; nk++) {
		int r = median_run(runs, n, sec, g[nk]);
		const struct cal_entry *e = r >= 0 ? find_entry(&runs[r], sec, g[nk]) : NULL;
		if (!e || !entry_num(e, &med[nk]))
			return -1;
	}
	for (int r = 0; r < n; r++) {
		double score = 0, v;
		int k;
		for (k = 0; k < nk; k++) {
			const struct cal_entry *e = find_entry(&runs[r], sec, g[k]);
			if (!e || !entry_num(e, &v))
				break;
			score += fabs(v - med[k]) / (fabs(med[k]) > 1e-9 ? fabs(med[k]) : 1);
		}
		if (k == nk && (pick < 0 || score < best)) {
			pick = r;
			best = score;
		}
	}
	return pick;
}

/* Index of the run holding the median figure of sec.key among the n runs that have it numerically, -1 if none. */
static int median_run(const struct cal *runs, int n, const char *sec, const char *key)
{
	double v[CAL_MAX_RUNS * 2];
	int idx[CAL_MAX_RUNS * 2], m = 0;

	for (int r = 0; r < n; r++) {
		const struct cal_entry *e = find_entry(&runs[r], sec, key);
		if (e && entry_num(e, &v[m]))
			idx[m++] = r;
	}
	for (int r = 0; r < m; r++) {
		int below = 0, equal_before = 0;
		for (int q = 0; q < m; q++) {
			below += v[q] < v[r];
			equal_before += q < r && v[q] == v[r];
		}
		if (below + equal_before == (m - 1) / 2)
			return idx[r];
	}
	return -1;
}

/*
 * Merge n runs into out. Each key of run 0, in its order, takes the value and
 * comment of the run whose figure is the median (the lower middle one for
 * even n) among the runs that measured it (re-runs of one probe hold only
 * that probe's keys); the comment then lists the figures and their spread.
 * A key that is not a number (a policy name) keeps run 0's entry, with a
 * header note when the runs disagree. noisy[probe] is set for every probe
 * with a key beyond its bound (flag: also mark those entries NOISY and list
 * them in out->noisy_keys). The header notes are run 0's.
 */
static void merge_runs(struct cal *out, const struct cal *runs, int n, int *noisy, int flag)
{
	memcpy(out->notes, runs[0].notes, sizeof(out->notes));
	out->nnotes = runs[0].nnotes;
	out->n = 0;
	out->noisy_keys[0] = 0;
	for (size_t i = 0; i < runs[0].n; i++) {
		const struct cal_entry *e0 = &runs[0].e[i], *pick = e0, *by[CAL_MAX_RUNS * 2];
		double v[CAL_MAX_RUNS * 2], mad = 0, rel = 0;
		int numeric = 1, same = 1, m = 0, bad = 0;

		for (int r = 0; r < n; r++) {
			const struct cal_entry *e = find_entry(&runs[r], e0->sec, e0->key);
			if (!e)
				continue;
			by[m] = e;
			numeric = numeric && entry_num(e, &v[m]);
			same = same && !strcmp(e->val, e0->val);
			m++;
		}
		if (out->n >= CAL_MAX_ENTRIES)
			break;
		if (same || !numeric || m < 2) {
			out->e[out->n++] = *e0;
			if (!same)
				note(out, "%s.%s differs between the %d runs (not a number): run 1's value %s is written",
				     e0->sec, e0->key, m, e0->val);
			continue;
		}
		/* the run holding the median figure: the one with as many figures below as its rank */
		for (int r = 0; r < m; r++) {
			int below = 0, equal_before = 0;
			for (int q = 0; q < m; q++) {
				below += v[q] < v[r];
				equal_before += q < r && v[q] == v[r];
			}
			if (below + equal_before == (m - 1) / 2)
				pick = by[r];
		}
		/* keys solved together take their group's most typical run (one consistent solution) */
		{
			const char *lead = joint_lead(e0->key);
			int gr = lead ? group_run(runs, n, e0->sec, lead) : -1;
			const struct cal_entry *x = gr >= 0 ? find_entry(&runs[gr], e0->sec, e0->key) : NULL;
			double xv;
			if (x && entry_num(x, &xv))
				pick = x;
		}
		rel = spread_of(v, m, &mad);
		bad = beyond_bound(v, m);
		if (bad && e0->probe >= 0 && noisy)
			noisy[e0->probe] = 1;
		struct cal_entry *d = &out->e[out->n++];
		char figs[320] = "";
		*d = *pick;
		for (int r = 0; r < m; r++)
			mb_sfmt(figs + strlen(figs), sizeof(figs) - strlen(figs), "%s%s", r ? ", " : "", by[r]->val);
		mb_sfmt(d->how + strlen(d->how), sizeof(d->how) - strlen(d->how),
			" [%s of %d runs: %s; spread (MAD/median) %.1f%%%s]",
			joint_lead(e0->key) ? "its group's most typical run" : "median",
			m, figs, 100 * rel,
			!bad ? "" : flag ? ", NOISY: beyond the 10% bound after re-runs" : ", beyond the 10% bound");
		if (bad && flag) {
			size_t k = strlen(out->noisy_keys);
			mb_sfmt(out->noisy_keys + k, sizeof(out->noisy_keys) - k, "%s%s.%s", k ? " " : "",
				e0->sec, e0->key);
		}
	}
}

/* ---- drift: the same short probes at calibration and after a replay ------------------- */

/*
 * Six short probes (about half a second in all), each a median of 5, in TSC
 * cycles: getppid(); a 4 KiB pread of a cached tmpfs file (syscall, lookup,
 * copy); a read fault on that file (fault-around); an anonymous 4 KiB write
 * fault (THP off); a dependent load from DRAM (a random cycle through 1 MiB
 * of lines flushed from the caches); a dependent multiply chain (the core
 * clock against the TSC). calibrate runs them in a child process at the end
 * of each of its runs, as `calibrate --drift` will (a fresh process pinned
 * the same way: the calibrating process's own state must not bias the
 * reference), and writes their medians into the profile ("# drift ...");
 * `calibrate --drift` measures them again and reports the ratios, so a host
 * that sped up or slowed down since its profile was made is seen (a
 * neighbour's load, a frequency change).
 */
static const char *const drift_names[CAL_DRIFT_N] = { "syscall", "pread_4k", "fault_file", "fault_anon", "dram", "cpu" };

static int drift_fd; /* the cached tmpfs file op_pread4k reads */
static void op_pread4k(char *b)
{
	static unsigned k;
	if (pread(drift_fd, b, PG, (off_t)((k++ & 2047) * PG)) != (ssize_t)PG)
		b[0] = 0;
}

/* Cycles per dependent load of a random cycle through 16384 lines (1 MiB) flushed from every cache first: DRAM latency. */
static double dram_flushed(void)
{
	enum { LINES = 16384 };
	void **buf = aligned_alloc(64, (size_t)LINES * 64);
	uint32_t *perm = malloc(LINES * sizeof(*perm));
	double v[5] = { -1 };
	void **p;

	if (!buf || !perm) {
		free(buf);
		free(perm);
		return -1;
	}
	random_cycle(perm, LINES);
	for (uint32_t i = 0; i < LINES; i++)
		buf[(size_t)i * 8] = &buf[(size_t)perm[i] * 8];
	free(perm);
	for (int r = 0; r < 5; r++) {
		uint64_t t0;
		for (size_t i = 0; i < LINES; i++)
			_mm_clflush(&buf[i * 8]);
		_mm_mfence();
		p = buf;
		t0 = tsc();
		for (int k = 0; k < LINES; k++)
			p = (void **)*p;
		v[r] = (double)(tsc() - t0) / LINES;
		__asm__ volatile("" : : "r"(p));
	}
	free(buf);
	return median(v, 5);
}

/* Cycles per step of a dependent 64-bit multiply-add chain: the core clock against the TSC. */
static double core_chain(void)
{
	double v[5];
	uint64_t x = 1;

	for (int r = 0; r < 5; r++) {
		uint64_t t0 = tsc();
		for (int k = 0; k < 200000; k++) {
			x = x * 0x9e3779b97f4a7c15ull + 1;
			__asm__ volatile("" : "+r"(x));
		}
		v[r] = (double)(tsc() - t0) / 200000;
	}
	__asm__ volatile("" : : "r"(x));
	return median(v, 5);
}

/* Measures the drift probes into v (cycles; -1 where one could not run). */
static void drift_measure(double v[CAL_DRIFT_N], const char *shm)
{
	struct touch anon = { .fd = -1, .bytes = 2048 * PG, .step = PG, .advice = MADV_NOHUGEPAGE, .write = 1 };
	char path[PATH_MAX], *buf = aligned_alloc(PG, 4 * PG);

	for (int i = 0; i < CAL_DRIFT_N; i++)
		v[i] = -1;
	if (!buf)
		return;
	memset(buf, 1, 4 * PG);
	v[0] = hot_loop(20000, op_sys, buf);
	mb_sfmt(path, sizeof(path), "%s/mapbench-drift-%d", shm, (int)getpid());
	if ((drift_fd = make_file(path, 2048 * PG, 1u << 20)) >= 0) {
		struct touch t = { .fd = drift_fd, .bytes = 2048 * PG, .step = PG, .advice = MADV_NOHUGEPAGE };
		v[1] = hot_loop(2048, op_pread4k, buf);
		v[2] = median_of(5, touch_pass, &t);
		close(drift_fd);
		unlink(path);
	}
	v[3] = median_of(5, touch_pass, &anon);
	v[4] = dram_flushed();
	v[5] = core_chain();
	free(buf);
}

/* The drift probes in a child process (`mapbench calibrate --drift-raw`), into v; -1 where they could not run. */
static void drift_child(double v[CAL_DRIFT_N])
{
	char exe[PATH_MAX], line[512];
	int pfd[2];
	ssize_t n;
	pid_t pid;
	FILE *f;

	for (int i = 0; i < CAL_DRIFT_N; i++)
		v[i] = -1;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0 || pipe(pfd))
		return;
	exe[n] = 0;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return;
	}
	if (pid == 0) {
		dup2(pfd[1], 1);
		close(pfd[0]);
		close(pfd[1]);
		execl(exe, exe, "calibrate", "--drift-raw", (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	if ((f = fdopen(pfd[0], "r"))) {
		if (fgets(line, sizeof(line), f)) {
			char *tok, *save;
			int i = 0;
			for (tok = strtok_r(line, " \n", &save); tok && i < CAL_DRIFT_N; tok = strtok_r(NULL, " \n", &save))
				v[i++] = strtod(tok, NULL);
		}
		fclose(f);
	} else {
		close(pfd[0]);
	}
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

int cal_drift_raw(void)
{
	double v[CAL_DRIFT_N];

	drift_measure(v, "/dev/shm");
	for (int i = 0; i < CAL_DRIFT_N; i++)
		printf("%s%.6g", i ? " " : "", v[i]);
	printf("\n");
	return 0;
}

/* Into buf: the "# drift" header lines, the runs' medians (cycles) and their spread (MAD / median). */
static void drift_header(char *buf, size_t len, const struct cal *runs, int nruns)
{
	size_t k = 0;

	k += (size_t)snprintf(buf, len, "# drift");
	for (int i = 0; i < CAL_DRIFT_N && k < len; i++) {
		double v[CAL_MAX_RUNS], med, dev[CAL_MAX_RUNS];
		int m = 0;
		for (int r = 0; r < nruns; r++)
			if (runs[r].drift[i] > 0)
				v[m++] = runs[r].drift[i];
		if (!m) {
			k += (size_t)snprintf(buf + k, len - k, " %s=unmeasured", drift_names[i]);
			continue;
		}
		med = median(v, (size_t)m);
		for (int r = 0; r < m; r++)
			dev[r] = fabs(v[r] - med);
		k += (size_t)snprintf(buf + k, len - k, " %s=%.5g/%.3f", drift_names[i], med, median(dev, (size_t)m) / med);
	}
	if (k < len)
		snprintf(buf + k, len - k,
			 "\n# (drift: probe=cycles/spread, medians over %d run(s) of the probes `calibrate --drift` repeats, and their MAD / median)\n",
			 nruns);
}

/* Run all probes once into *c, repeated (up to 2 more times) while the host is busy; returns busy. */
static int run_once(struct cal *c, const struct cal_opts *o, const char *name, const char *dir,
		    const char *shm, double *secs, char *why, size_t wlen)
{
	int busy = 0;

	for (int attempt = 0; attempt < 3; attempt++) {
		struct bench_load a, b;
		double others, steal;
		memset(c, 0, sizeof(*c));
		c->o = o;
		bench_load_snapshot(&a);
		probe_all(c, name, dir, shm, secs);
		drift_child(c->drift);
		bench_load_snapshot(&b);
		busy = bench_load_busy(&a, &b, &others, &steal, why, wlen);
		if (!busy)
			break;
		fprintf(stderr, "calibrate: host busy during this run (%s)%s\n", why,
			attempt < 2 ? ": running it again" : "");
	}
	return busy;
}

int cal_run(const struct cal_opts *o)
{
	static struct cal c;
	struct cal *runs;
	int nruns = o->runs ? o->runs : o->quick ? 1 : CAL_DEFAULT_RUNS, evfd[3], nev, everr = 0;
	int noisy[NPROBES], total, busy_runs = 0, nrerun = 0;
	const char *shm = "/dev/shm", *dir = o->dir ? o->dir : cache_default_dir();
	static const char *const secs[] = { "profile", "kernel", "cost", "mmu" };
	char base[PATH_MAX], name[128], when[64], why[256] = "", rerun[256] = "", skipped[256] = "", drift_hdr[640];
	double psecs[NPROBES], psum[NPROBES];
	struct mb_atomic a;
	struct bench_fp fp;
	uint64_t t0 = mb_now_ns();
	time_t now = time(NULL);
	struct tm tm;
	int e;

	memset(&c, 0, sizeof(c));
	memset(psum, 0, sizeof(psum));
	c.o = o;
	if (!HAVE_TSC) {
		mb_err("calibrate", "this build has no TSC (x86 only); cycle figures cannot be measured");
		return 2;
	}
	if ((e = mb_mkdir_p(dir))) {
		mb_errno("calibrate", e, "scratch directory %s", dir);
		return 2;
	}
	bench_fingerprint(dir, &fp);
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
	/* room for the runs and up to CAL_MAX_RUNS - nruns re-runs of noisy probes */
	total = nruns > 1 ? (nruns > CAL_MAX_RUNS - 4 ? CAL_MAX_RUNS : nruns + 4) : 1;
	runs = calloc((size_t)total, sizeof(*runs));
	if (!runs) {
		mb_err("calibrate", "out of memory for %d runs", total);
		return 2;
	}
	nev = open_fault_events(evfd, &everr);
	for (int r = 0; r < nruns; r++) {
		if (nruns > 1)
			fprintf(stderr, "calibrate: run %d of %d\n", r + 1, nruns);
		busy_runs += run_once(&runs[r], o, name, dir, shm, psecs, why, sizeof(why));
		for (size_t i = 0; i < NPROBES; i++)
			psum[i] += psecs[i];
	}
	/* probes with a key beyond its spread bound run again, alone, up to CAL_MAX_RUNS figures in all */
	memset(noisy, 0, sizeof(noisy));
	merge_runs(&c, runs, nruns, noisy, 0);
	if (total > nruns) {
		/* cheapest first, within CAL_RERUN_BUDGET_S seconds for all re-runs (the 90 s target) */
		double budget = CAL_RERUN_BUDGET_S;
		for (;;) {
			size_t best = NPROBES, k;
			for (size_t i = 0; i < NPROBES; i++)
				if (noisy[i] == 1 && (best == NPROBES || psum[i] < psum[best]))
					best = i;
			if (best == NPROBES)
				break;
			double cost = psum[best] / nruns * (total - nruns);
			noisy[best] = cost <= budget ? 2 : 3;
			if (noisy[best] == 2)
				budget -= cost;
			k = strlen(noisy[best] == 2 ? rerun : skipped);
			mb_sfmt((noisy[best] == 2 ? rerun : skipped) + k, sizeof(rerun) - k, "%s%s", k ? ", " : "",
				probes[best].name);
		}
		for (size_t i = 0; i < NPROBES; i++)
			noisy[i] = noisy[i] == 2;
		if (skipped[0])
			fprintf(stderr, "calibrate: probe(s) %s also disagree beyond the bound but are too slow to re-run within %.0f s\n",
				skipped, (double)CAL_RERUN_BUDGET_S);
		if (rerun[0])
			fprintf(stderr, "calibrate: runs disagree beyond the 10%% bound in probe(s) %s: %d more run(s) of each\n",
				rerun, total - nruns);
		for (int r = nruns; rerun[0] && r < total; r++) {
			struct bench_load la, lb;
			double others, steal;
			/* the derived figures of run 1 (fault_entry, syscall, ...), none of its entries */
			runs[r] = runs[0];
			runs[r].n = 0;
			runs[r].nnotes = 0;
			bench_load_snapshot(&la);
			for (size_t i = 0; i < NPROBES; i++) {
				if (!noisy[i])
					continue;
				runs[r].probe = (int)i;
				probes[i].run(&runs[r], dir, shm);
			}
			bench_load_snapshot(&lb);
			busy_runs += bench_load_busy(&la, &lb, &others, &steal, why, sizeof(why));
			nrerun++;
		}
	}
	close_fault_events(evfd);
	memset(&c, 0, sizeof(c));
	c.o = o;
	merge_runs(&c, runs, nruns + nrerun, NULL, 1);
	drift_header(drift_hdr, sizeof(drift_hdr), runs, nruns);
	free(runs);
	if (o->verbose) {
		fprintf(stderr, "calibrate: seconds per run of each probe (mean):");
		for (size_t i = 0; i < NPROBES; i++)
			fprintf(stderr, " %s %.1f", probes[i].name, psum[i] / nruns);
		fputc('\n', stderr);
	}
	note(&c, "host fingerprint %s: %s (%s)", fp.hash, fp.text, fp.cpu_name);
	note(&c, "pinned as the harness pins its replays: %s", o->pinned ? o->pinned : "not pinned");
	if (nev == 3)
		note(&c, "probes ran with the harness's software fault counters open (page-faults, minor-faults, major-faults), as its access phases do: their cost is in the fault figures");
	else
		note(&c, "only %d of the harness's 3 software fault counters could be opened (perf_event_open: %s): fault figures may be lower than the harness measures",
		     nev, strerror(everr));
	if (rerun[0] || skipped[0])
		note(&c, "probes re-run %d more time(s) because their runs disagreed beyond the 10%% bound: %s; too slow to re-run: %s; keys still beyond it: %s",
		     nrerun, rerun[0] ? rerun : "none", skipped[0] ? skipped : "none",
		     c.noisy_keys[0] ? c.noisy_keys : "none");
	if (busy_runs) {
		note(&c, "BUSY HOST: %d run(s) saw other tasks or steal time even after repeating (last: %s); figures may be skewed",
		     busy_runs, why);
		if (!o->allow_busy) {
			mb_err("calibrate", "host busy during %d run(s) after repeating each up to 3 times (last: %s): "
			       "no profile written (quiet the host, or --allow-busy to write it flagged)", busy_runs, why);
			return CAL_EXIT_BUSY;
		}
	}

	e = mb_atomic_open(&a, o->out);
	if (e) {
		mb_errno("calibrate", e, "cannot write %s", o->out);
		return 2;
	}
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(a.fp, "# %s — model profile written by `mapbench calibrate%s` (mapbench %s) on %s,\n"
		      "# in %.0f s, %d run(s) of every probe (a measured value is the median run's).\n"
		      "# Every value says how it was measured; values this tool cannot\n"
		      "# measure are copied from %s and say so.\n"
		      "# calibrate format %d\n%s",
		o->out, o->quick ? " --quick" : "", mb_version(), when, (double)(mb_now_ns() - t0) / 1e9, nruns,
		base[0] ? base : "(no base profile: the model's defaults apply)", CAL_FORMAT, drift_hdr);
	for (size_t i = 0; i < c.nnotes; i++)
		fprintf(a.fp, "# note: %s\n", c.notes[i]);
	for (size_t s = 0; s < MB_ARRAY_SIZE(secs); s++) {
		fprintf(a.fp, "\n[%s]\n", secs[s]);
		if (s == 0) {
			fprintf(a.fp, "fingerprint = %s # measured: bench/fingerprint.c of the scratch directory %s: %s\n",
				fp.hash, dir, fp.text);
			if (c.noisy_keys[0] || busy_runs)
				fprintf(a.fp, "noisy = %s%s # measured: keys whose runs still disagreed beyond the 10%% bound (MAD/median) after re-runs%s\n",
					busy_runs ? "busy-host " : "", c.noisy_keys,
					busy_runs ? "; busy-host: the host was busy during calibration" : "");
		}
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
	fprintf(stderr, "calibrate: wrote %s (%zu measured values%s%s) in %.1f s\n", o->out, c.n,
		c.noisy_keys[0] ? "; noisy: " : "", c.noisy_keys, (double)(mb_now_ns() - t0) / 1e9);
	return 0;
}

/* The profile's "# drift" reference into ref/spread (-1: unmeasured). 1 found, 0 none, -1 malformed (why says). */
static int drift_reference(const char *profile, double ref[CAL_DRIFT_N], double spread[CAL_DRIFT_N], char *why,
			   size_t len)
{
	FILE *f = fopen(profile, "r");
	char line[1024], *tok, *save;
	int found = 0;

	for (int i = 0; i < CAL_DRIFT_N; i++)
		ref[i] = spread[i] = -1;
	if (!f) {
		mb_sfmt(why, len, "cannot read profile %s: %s", profile, strerror(errno));
		return -1;
	}
	while (!found && fgets(line, sizeof(line), f) && line[0] == '#')
		found = !strncmp(line, "# drift ", 8);
	fclose(f);
	if (!found)
		return 0;
	line[strcspn(line, "\n")] = 0;
	for (tok = strtok_r(line + 8, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(tok, '='), *end;
		int i;
		if (!eq)
			goto bad;
		*eq = 0;
		for (i = 0; i < CAL_DRIFT_N && strcmp(tok, drift_names[i]); i++)
			;
		if (i == CAL_DRIFT_N) /* a probe of a later version: ignored */
			continue;
		if (!strcmp(eq + 1, "unmeasured"))
			continue;
		ref[i] = strtod(eq + 1, &end);
		if (end == eq + 1 || *end != '/' || !(ref[i] > 0) || !isfinite(ref[i]))
			goto bad;
		spread[i] = strtod(end + 1, &end);
		if (*end || !(spread[i] >= 0))
			goto bad;
		continue;
bad:
		if (eq)
			*eq = '=';
		mb_sfmt(why, len, "profile %s: drift figure '%s' is not probe=CYCLES/SPREAD with CYCLES > 0", profile, tok);
		return -1;
	}
	return 1;
}

int cal_drift(const char *profile, const char *out, const char *label, int quiet)
{
	double ref[CAL_DRIFT_N], spread[CAL_DRIFT_N], now[CAL_DRIFT_N], logsum = 0, others, steal;
	const char *shm = "/dev/shm", *verdict;
	char why[512] = "", busy_why[256] = "", beyond[256] = "", ts[32], *text;
	json_t *root, *probes = json_object();
	struct bench_load a, b;
	time_t t = time(NULL);
	struct tm tm;
	int found, n = 0, busy, e;

	found = drift_reference(profile, ref, spread, why, sizeof(why));
	if (found < 0) {
		mb_err("calibrate", "--drift: %s", why);
		json_decref(probes);
		return 2;
	}
	bench_load_snapshot(&a);
	if (found)
		drift_measure(now, shm);
	bench_load_snapshot(&b);
	busy = bench_load_busy(&a, &b, &others, &steal, busy_why, sizeof(busy_why));
	for (int i = 0; found && i < CAL_DRIFT_N; i++) {
		json_t *p;
		if (ref[i] <= 0 || now[i] <= 0) {
			json_object_set_new(probes, drift_names[i], json_pack("{s:s}", "status", ref[i] <= 0 ?
				"unsupported: the profile has no figure for it" : "unsupported: the probe could not run here"));
			continue;
		}
		p = json_pack("{s:f, s:f, s:f, s:f}", "calibrated", ref[i], "now", now[i], "ratio", now[i] / ref[i],
			      "spread", spread[i]);
		json_object_set_new(probes, drift_names[i], p);
		logsum += log(now[i] / ref[i]);
		n++;
		if (fabs(now[i] / ref[i] - 1) > CAL_DRIFT_BOUND_PROBE) {
			size_t k = strlen(beyond);
			mb_sfmt(beyond + k, sizeof(beyond) - k, "%s%s %.2f", k ? ", " : "", drift_names[i], now[i] / ref[i]);
		}
	}
	gmtime_r(&t, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (!found)
		mb_sfmt(why, sizeof(why), "profile %s has no drift figures (a stock profile, or one written before calibrate format 5): recalibrate to check drift", profile);
	else if (!n)
		mb_sfmt(why, sizeof(why), "no drift probe has both a calibrated and a current figure");
	verdict = !found || !n ? "unsupported" : fabs(exp(logsum / n) - 1) > CAL_DRIFT_BOUND ? "drifted" : "steady";
	root = json_pack("{s:s, s:i, s:s, s:s, s:s, s:s, s:f, s:o}", "schema", "mapbench-drift", "schema_version", 1,
			 "profile", profile, "label", label ? label : "", "timestamp", ts, "verdict", verdict, "bound",
			 CAL_DRIFT_BOUND, "probes", probes);
	if (n)
		json_object_set_new(root, "geomean", json_real(exp(logsum / n)));
	if (why[0])
		json_object_set_new(root, "reason", json_string(why));
	if (beyond[0])
		json_object_set_new(root, "beyond", json_string(beyond));
	json_object_set_new(root, "busy", busy ? json_string(busy_why) : json_false());
	if (!quiet) {
		if (n)
			fprintf(stderr, "calibrate --drift%s%s: this host's probes now run at %.3fx their calibrated cycles (geometric mean of %d; bound +-%.0f%%): %s%s%s%s%s\n",
				label ? " " : "", label ? label : "", exp(logsum / n), n, 100 * CAL_DRIFT_BOUND, verdict,
				beyond[0] ? "; beyond +-10%: " : "", beyond, busy ? "; the host is busy: " : "", busy ? busy_why : "");
		else
			fprintf(stderr, "calibrate --drift: unsupported: %s\n", why);
	}
	e = 0;
	if (out) {
		text = json_dumps(root, JSON_INDENT(1) | JSON_REAL_PRECISION(6));
		e = text ? mb_write_atomic(out, text, strlen(text)) : -ENOMEM;
		free(text);
		if (e)
			mb_errno("calibrate", e, "--drift: writing %s", out);
	}
	json_decref(root);
	return e ? 2 : 0;
}
