/*
 * bench/runner.c — the repetition loop of the native harness (bench.h):
 * harness options (one table), the in-memory record source, the pre-scan of
 * the trace, and bench_run(). Records are decoded outside the timed phase:
 * whole traces up to BENCH_RESIDENT_RECS stay decoded in memory across
 * repetitions, longer ones are re-read from the source; either way the
 * access phase replays chunks of BENCH_CHUNK_RECS records (256 KiB, so the
 * records come from L2, not DRAM) copied/decoded (and, for the mapping
 * methods, merged into runs, acc.h: from an in-memory trace their chunk
 * holds up to BENCH_CHUNK_RECS runs) with the clock and the counters stopped
 * between chunks. The method gets each chunk in one call. The chunk buffer
 * is faulted in once before the first repetition, so no repetition's counts
 * include the harness's own memory.
 *
 * Metrics (per repetition, reported as samples): ns, cycles (TSC),
 * ns_per_access, bytes_per_s, setup_ns, cache_ns, cache.resident (established
 * before the repetition), cache.resident_after (warm states: after it; lower
 * means the system reclaimed pages meanwhile, and a tracepoint repetition
 * that saw that is counted again, at most BENCH_TP_REDO times),
 * faults.rusage.minor/.major and io.inblock (getrusage deltas summed over
 * the replay calls only, the same window as the perf counters),
 * faults.setup (getrusage minor+major over setup, e.g. MAP_POPULATE),
 * pt.bytes (see below), the perf counters of counters.h, and checksum (low
 * 53 bits of the fold, exact in JSON).
 *
 * pt.bytes = (VmPTE after the access phase − VmPTE immediately before the
 * region's mmap) × 1024: the page-table pages the replay's mapping got.
 * VmPTE (mm_pgtables_bytes) counts PTE, PMD and PUD table pages (not the
 * PGD), including PTE tables deposited for anonymous THPs. Mapping methods
 * map the region at the start of a 512 GiB-aligned slot no other mapping
 * touches (acc_map_fresh), so every PUD/PMD/PTE table the replay needs is
 * new and counted, deterministically: a region of R bytes read entirely
 * through 4 KiB PTEs gives 1 PUD + ceil(R / 1 GiB) PMD + ceil(R / 2 MiB) PTE
 * pages. Non-mapping methods (read, fread, io_uring) measure from after
 * their set-up, so only page tables the access phase itself allocated count.
 */
#include "bench/acc.h"
#include "bench/bench.h"
#include "bench/cache.h"
#include "bench/cgroup.h"
#include "bench/counters.h"
#include "bench/threads.h"
#include "analysis/result.h"
#include "common/mb.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

/* ---- harness options --------------------------------------------------- */

void bench_cfg_default(struct bench_cfg *c)
{
	memset(c, 0, sizeof(*c));
	an_case_opts_default(&c->opts);
	c->reps = 5;
	c->warmup = 1;
	c->cpu = -1;
	c->progress = 1;
}

void bench_cfg_free(struct bench_cfg *c)
{
	free(c->events);
	free(c->dir);
	c->events = c->dir = NULL;
}

static int bad(char *err, size_t len, const char *name, const char *v, const char *limit)
{
	snprintf(err, len, "option --%s: bad value '%s' (expected %s)", name, v ? v : "", limit);
	return -EINVAL;
}

static int set_uint(unsigned *dst, const char *name, const char *v, uint64_t lo, uint64_t hi,
		    const char *limit, char *err, size_t len)
{
	uint64_t x;

	if (!v || mb_parse_u64(v, &x) || x < lo || x > hi)
		return bad(err, len, name, v, limit);
	*dst = (unsigned)x;
	return 0;
}

static int o_reps(struct bench_cfg *c, const char *v, char *e, size_t l)
{
	return set_uint(&c->reps, "reps", v, 1, BENCH_MAX_REPS, "a count from 1 to 10000", e, l);
}
static int o_warmup(struct bench_cfg *c, const char *v, char *e, size_t l)
{
	return set_uint(&c->warmup, "warmup", v, 0, 100, "a count from 0 to 100", e, l);
}
static int o_events(struct bench_cfg *c, const char *v, char *e, size_t l)
{
	if (!v || !*v)
		return bad(e, l, "events", v, "a comma-separated list of event names");
	free(c->events);
	c->events = strdup(v);
	return c->events ? 0 : -ENOMEM;
}
static int o_dir(struct bench_cfg *c, const char *v, char *e, size_t l)
{
	if (!v || !*v)
		return bad(e, l, "dir", v, "a directory path");
	free(c->dir);
	c->dir = strdup(v);
	return c->dir ? 0 : -ENOMEM;
}
static int o_keep(struct bench_cfg *c, const char *v, char *e, size_t l)
{
	(void)v, (void)e, (void)l;
	c->keep = 1;
	return 0;
}
static int o_max_mem(struct bench_cfg *c, const char *v, char *e, size_t l)
{
	if (mb_parse_size(v, &c->max_mem) || c->max_mem == 0)
		return bad(e, l, "max-mem", v, "a size above 0, e.g. 4G");
	return 0;
}
static int o_cpu(struct bench_cfg *c, const char *v, char *e, size_t l)
{
	unsigned x;
	long n = sysconf(_SC_NPROCESSORS_CONF);
	char lim[64];

	snprintf(lim, sizeof(lim), "a CPU number from 0 to %ld", n - 1);
	if (set_uint(&x, "cpu", v, 0, n > 0 ? (uint64_t)n - 1 : 0, lim, e, l))
		return -EINVAL;
	c->cpu = (int)x;
	return 0;
}
static int o_drop(struct bench_cfg *c, const char *v, char *e, size_t l)
{
	(void)v, (void)e, (void)l;
	c->drop_caches = 1;
	return 0;
}
static int o_notp(struct bench_cfg *c, const char *v, char *e, size_t l)
{
	(void)v, (void)e, (void)l;
	c->no_tracepoints = 1;
	return 0;
}
static int o_noprog(struct bench_cfg *c, const char *v, char *e, size_t l)
{
	(void)v, (void)e, (void)l;
	c->progress = 0;
	return 0;
}

static const struct cfg_opt {
	const char *name;  /* option without "--" */
	int (*set)(struct bench_cfg *c, const char *v, char *err, size_t len); /* setter */
	int takes_value;   /* 1: needs a value */
} cfg_opts[] = {
	{ "reps", o_reps, 1 },
	{ "warmup", o_warmup, 1 },
	{ "events", o_events, 1 },
	{ "dir", o_dir, 1 },
	{ "keep", o_keep, 0 },
	{ "cpu", o_cpu, 1 },
	{ "drop-caches", o_drop, 0 },
	{ "no-tracepoints", o_notp, 0 },
	{ "no-progress", o_noprog, 0 },
	{ "max-mem", o_max_mem, 1 },
};

const char bench_cfg_help[] =
	"  --reps N          measured repetitions (default 5, at most 10000)\n"
	"  --warmup N        unrecorded repetitions first (default 1)\n"
	"  --events LIST     perf/libpfm4 events, comma-separated (default: cycles, instructions,\n"
	"                    dTLB-load/store-misses, page walks, page/minor/major faults)\n"
	"  --dir D           scratch directory for the data file (default <build>/scratch)\n"
	"  --keep            keep the data file for the next run\n"
	"  --cpu N           pin to CPU N and its NUMA node (default: the last core)\n"
	"  --drop-caches     cold state also writes 1 to /proc/sys/vm/drop_caches (root)\n"
	"  --no-tracepoints  do not count tracepoints even as root\n"
	"  --no-progress     no progress line on a terminal\n"
	"  --max-mem SIZE    refuse a replay whose memory (record buffer, plus the region when it\n"
	"                    is anonymous, on tmpfs or mapped) would exceed SIZE\n";

int bench_cfg_set(struct bench_cfg *c, const char *name, const char *value, char *err, size_t len)
{
	for (size_t i = 0; i < MB_ARRAY_SIZE(cfg_opts); i++)
		if (!strcmp(name, cfg_opts[i].name))
			return cfg_opts[i].set(c, value, err, len) ? -EINVAL : 1;
	return 0;
}

int bench_cfg_takes_value(const char *name)
{
	for (size_t i = 0; i < MB_ARRAY_SIZE(cfg_opts); i++)
		if (!strcmp(name, cfg_opts[i].name))
			return cfg_opts[i].takes_value;
	return 0;
}

/* ---- in-memory source ---------------------------------------------------- */

struct asrc {
	struct trace_rec *recs; /* copy */
	size_t n, pos;          /* count, next */
	struct trace_hdr hdr;   /* header copy */
};

static int a_read(struct bench_src *s, struct trace_rec *recs, size_t max, size_t *n)
{
	struct asrc *a = s->priv;
	size_t k = a->n - a->pos < max ? a->n - a->pos : max;

	memcpy(recs, a->recs + a->pos, k * sizeof(*recs));
	a->pos += k;
	*n = k;
	return 0;
}
static int a_rewind(struct bench_src *s)
{
	((struct asrc *)s->priv)->pos = 0;
	return 0;
}
static void a_destroy(struct bench_src *s)
{
	struct asrc *a = s->priv;

	free(a->recs);
	free(a);
}

int bench_src_array(const struct trace_rec *recs, size_t n, const struct trace_hdr *hdr,
		    struct bench_src **out)
{
	struct bench_src *s = calloc(1, sizeof(*s));
	struct asrc *a = calloc(1, sizeof(*a));

	if (!s || !a || !(a->recs = malloc((n ? n : 1) * sizeof(*recs)))) {
		free(s);
		if (a)
			free(a->recs);
		free(a);
		return -ENOMEM;
	}
	memcpy(a->recs, recs, n * sizeof(*recs));
	a->n = n;
	a->hdr = *hdr;
	a->hdr.nrec = n;
	s->priv = a;
	s->hdr = &a->hdr;
	s->read = a_read;
	s->rewind = a_rewind;
	s->destroy = a_destroy;
	*out = s;
	return 0;
}

void bench_src_destroy(struct bench_src *s)
{
	if (!s)
		return;
	if (s->destroy)
		s->destroy(s);
	free(s);
}

/* ---- the run ------------------------------------------------------------- */

/* What the pre-scan learns. */
struct scan {
	uint64_t nrec;       /* records */
	uint32_t maxlen;     /* longest */
	int sequential;      /* each starts where the previous ended */
	int writes;          /* any WRITE */
	struct trace_rec *all; /* all records when nrec <= BENCH_RESIDENT_RECS, else NULL */
};

static int prescan(struct bench_src *src, struct scan *sc, char *err, size_t len)
{
	const struct trace_hdr *h = src->hdr;
	size_t cap = BENCH_CHUNK_RECS, have = 0, n;
	struct trace_rec *buf = malloc(cap * sizeof(*buf)), *all = NULL;
	uint64_t next = 0;
	int e;

	memset(sc, 0, sizeof(*sc));
	sc->sequential = 1;
	if (!buf)
		return -ENOMEM;
	if ((e = src->rewind(src))) {
		snprintf(err, len, "trace: %.480s", src->err);
		goto out_buf;
	}
	for (;;) {
		if ((e = src->read(src, buf, cap, &n))) {
			snprintf(err, len, "trace: %.480s", src->err);
			goto out_all;
		}
		if (!n)
			break;
		for (size_t i = 0; i < n; i++) {
			const struct trace_rec *r = &buf[i];
			if (r->len == 0 || r->off + r->len > h->region_size) {
				snprintf(err, len, "trace: record %llu: offset %llu + length %u beyond region size %llu",
					 (unsigned long long)(sc->nrec + i), (unsigned long long)r->off,
					 r->len, (unsigned long long)h->region_size);
				e = -EINVAL;
				goto out_all;
			}
			if (sc->nrec + i > 0 && r->off != next)
				sc->sequential = 0;
			next = r->off + r->len;
			if (r->len > sc->maxlen)
				sc->maxlen = r->len;
			if (r->op != TRACE_OP_READ)
				sc->writes = 1;
		}
		if (sc->nrec + n <= BENCH_RESIDENT_RECS) {
			struct trace_rec *na = realloc(all, (have + n) * sizeof(*all));
			if (!na) {
				e = -ENOMEM;
				goto out_all;
			}
			all = na;
			memcpy(all + have, buf, n * sizeof(*buf));
			have += n;
		} else {
			free(all);
			all = NULL;
		}
		sc->nrec += n;
	}
	if (sc->nrec <= BENCH_RESIDENT_RECS)
		sc->all = all, all = NULL;
	e = 0;
out_all:
	free(all);
out_buf:
	free(buf);
	return e;
}

/* Per-repetition samples of the runner's own metrics. */
enum rm {
	RM_NS, RM_CYCLES, RM_NS_PER_ACCESS, RM_BYTES_PER_S, RM_SETUP_NS, RM_CACHE_NS,
	RM_RESIDENT, RM_RESIDENT_AFTER, RM_RU_MINOR, RM_RU_MAJOR, RM_SETUP_FAULTS, RM_INBLOCK, RM_PT_BYTES,
	RM_DIRECT_EXTRA, RM_ASCENDING, RM_LAYOUT_TRIES, RM__COUNT
};
static const struct {
	const char *name; /* metric */
	const char *unit; /* unit */
} rm_info[RM__COUNT] = {
	[RM_NS] = { "ns", "ns" }, [RM_CYCLES] = { "cycles", "cycles" },
	[RM_NS_PER_ACCESS] = { "ns_per_access", "ns" }, [RM_BYTES_PER_S] = { "bytes_per_s", "bytes/s" },
	[RM_SETUP_NS] = { "setup_ns", "ns" }, [RM_CACHE_NS] = { "cache_ns", "ns" },
	[RM_RESIDENT] = { "cache.resident", "fraction" },
	[RM_RESIDENT_AFTER] = { "cache.resident_after", "fraction" },
	[RM_RU_MINOR] = { "faults.rusage.minor", "count" }, [RM_RU_MAJOR] = { "faults.rusage.major", "count" },
	[RM_SETUP_FAULTS] = { "faults.setup", "count" }, [RM_INBLOCK] = { "io.inblock", "blocks512" },
	[RM_PT_BYTES] = { "pt.bytes", "bytes" },
	[RM_DIRECT_EXTRA] = { "direct.extra_bytes", "bytes" }, /* only for --direct cases */
	[RM_ASCENDING] = { "cache.phys_ascending", "fraction" }, /* cache_layout: pairs in ascending frames */
	[RM_LAYOUT_TRIES] = { "cache.layout_tries", "count" },   /* establishments for that layout */
};

/*
 * Replay all records once (the access phase); returns 0 or -errno. Only the
 * replay/drain calls are inside the window: the clocks, the perf counters and
 * the getrusage deltas summed into *ru (minflt, majflt, inblock) cover them
 * and nothing of the harness's own (chunk copies, decoding, run merging).
 */
static int access_phase(const struct acc_ops *m, struct acc_ctx *c, struct bench_src *src,
			const struct scan *sc, struct trace_rec *chunk, uint64_t *tsc,
			uint64_t *ns, unsigned *ndisable, struct os_usage *ru, char *err, size_t len)
{
	uint64_t t0, n0;
	int e = 0;

	*tsc = *ns = 0;
	*ndisable = 0;
	memset(ru, 0, sizeof(*ru));
	if (!sc->all && (e = src->rewind(src))) {
		snprintf(err, len, "trace: %.480s", src->err);
		return e;
	}
	for (uint64_t done = 0;;) {
		size_t n;

		size_t nr;

		/*
		 * Decode the next chunk with the clock and the counters stopped. Mapping
		 * methods get runs of contiguous records as one (acc.h, Runs); from an
		 * in-memory trace their chunk is filled up to BENCH_CHUNK_RECS runs, so
		 * a sequential trace is replayed in one call, as a hand loop would.
		 */
		if (sc->all && m->merge_runs) {
			uint64_t from = done;
			nr = 0;
			while (done < sc->nrec && nr < BENCH_CHUNK_RECS)
				nr = acc_run_push(chunk, nr, &sc->all[done++]);
			n = (size_t)(done - from);
		} else {
			if (sc->all) {
				n = sc->nrec - done < BENCH_CHUNK_RECS ? (size_t)(sc->nrec - done) : BENCH_CHUNK_RECS;
				memcpy(chunk, sc->all + done, n * sizeof(*chunk));
			} else if ((e = src->read(src, chunk, BENCH_CHUNK_RECS, &n))) {
				snprintf(err, len, "trace: %.480s", src->err);
				return e;
			}
			done += n;
			nr = n && m->merge_runs ? acc_runs_merge(chunk, n) : n;
		}
		struct os_usage u0, u1;
		os_usage_now(&u0);
		ctr_enable();
		n0 = mb_now_ns();
		t0 = bench_tsc();
		if (n)
			e = m->replay(c, chunk, nr);
		else if (m->drain)
			e = m->drain(c);
		*tsc += bench_tsc() - t0;
		*ns += mb_now_ns() - n0;
		ctr_disable();
		os_usage_now(&u1);
		ru->minflt += u1.minflt - u0.minflt;
		ru->majflt += u1.majflt - u0.majflt;
		ru->inblock += u1.inblock - u0.inblock;
		(*ndisable)++;
		if (e || !n)
			break;
	}
	if (e)
		snprintf(err, len, "%s: %s", m->name, c->err[0] ? c->err : strerror(-e));
	return e;
}
/* A number from a /proc or /sys file ("key value" lines when key is given), -1 if absent. */
static long long proc_number(const char *path, const char *key)
{
	FILE *f = fopen(path, "re");
	char line[256];
	long long v = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!key) {
			v = atoll(line);
			break;
		}
		if (!strncmp(line, key, strlen(key))) {
			v = atoll(line + strlen(key));
			break;
		}
	}
	fclose(f);
	return v;
}

/*
 * Refuse, before anything is written, a region this machine cannot hold:
 * anonymous and tmpfs regions need that much available memory, a data file
 * that much free space in the scratch directory (unless a valid one is there
 * already), and every mapping method one more mapping under vm.max_map_count.
 */
static int check_resources(const struct acc_ops *m, const struct an_case_opts *o, uint64_t region,
			   const char *dir, char *msg, size_t len)
{
	char sz[32], have[32];
	long long avail_kb = proc_number("/proc/meminfo", "MemAvailable:");
	long long maps = 0, max_maps = proc_number("/proc/sys/vm/max_map_count", NULL);
	FILE *f;

	if ((!m->needs_file || o->cache == AN_CACHE_TMPFS) && avail_kb >= 0 &&
	    region / 1024 > (uint64_t)avail_kb) {
		snprintf(msg, len, "region of %s needs that much memory (%s); MemAvailable is %s",
			 mb_fmt_size(region, sz, sizeof(sz)), m->needs_file ? "tmpfs" : "anonymous",
			 mb_fmt_size((uint64_t)avail_kb * 1024, have, sizeof(have)));
		return -ENOMEM;
	}
	if (m->needs_file && o->cache != AN_CACHE_TMPFS) {
		struct statvfs sv;
		char path[4096];
		const char *d = dir ? dir : cache_default_dir();
		snprintf(path, sizeof(path), "%s/data-%llu.v1", d, (unsigned long long)region);
		char up[4096];
		int st;
		snprintf(up, sizeof(up), "%s", d);
		/* the directory may not exist yet: ask the file system of its nearest ancestor */
		while ((st = statvfs(up, &sv)) != 0 && strrchr(up, '/') && strrchr(up, '/') != up)
			*strrchr(up, '/') = 0;
		if (access(path, F_OK) != 0 && st == 0 &&
		    region > (uint64_t)sv.f_bavail * sv.f_frsize) {
			snprintf(msg, len, "data file of %s does not fit in %s: %s free",
				 mb_fmt_size(region, sz, sizeof(sz)), d,
				 mb_fmt_size((uint64_t)sv.f_bavail * sv.f_frsize, have, sizeof(have)));
			return -ENOSPC;
		}
	}
	if ((f = fopen("/proc/self/maps", "re"))) {
		int ch;
		while ((ch = fgetc(f)) != EOF)
			maps += ch == '\n';
		fclose(f);
	}
	if (max_maps > 0 && maps + 8 > max_maps) {
		snprintf(msg, len, "%lld mappings already, vm.max_map_count is %lld: no room for the region's",
			 maps, max_maps);
		return -ENOMEM;
	}
	return 0;
}

/* A state that claims the file stays cached through the replay (warm, tmpfs; not O_DIRECT, whose
   writes invalidate the cached pages they overwrite). */
static int warm_claim(const struct an_case_opts *o)
{
	return (o->cache == AN_CACHE_WARM_READ || o->cache == AN_CACHE_WARM_WRITE || o->cache == AN_CACHE_TMPFS) &&
	       !o->direct;
}

/*
 * Resident fraction of the data file right after a replay (cache.resident_after),
 * for the warm states, whose pages nothing in the replay evicts: below the
 * fraction established before it, the system reclaimed pages meanwhile.
 * Other states (cold, anonymous) and O_DIRECT cases return `before`: no claim is made.
 */
static double residency_after(const struct cache_file *f, const struct an_case_opts *o,
			      uint64_t size, double before)
{
	double frac;
	const char *how;

	if (!warm_claim(o))
		return before;
	return cache_resident(f->path, size, &frac, &how) ? before : frac;
}

/* The last sample of counter metric in s, or 0 when it has none (not open, nothing read). */
static double last_sample(const struct ctr_set *s, const char *metric)
{
	for (size_t i = 0; s && i < s->n; i++)
		if (!strcmp(s->c[i].metric, metric))
			return s->c[i].status == AN_STATUS_OK && s->c[i].nsamples ? s->c[i].samples[s->c[i].nsamples - 1]
										 : 0;
	return 0;
}

/*
 * Establish the case's cache state, retrying a state that was not reached
 * (-EAGAIN: readahead still settling or an eviction policy racing us) up to
 * three times; the last failure is reported as is. Never reports a state
 * that was not verified.
 */
static int establish_retry(struct cache_file *f, const struct an_case_opts *o, int dropc,
			   struct cache_report *rep, char *msg, size_t len)
{
	int e = -EAGAIN;

	for (int attempt = 0; attempt < 3 && e == -EAGAIN; attempt++)
		e = cache_establish(f, o, dropc, rep, msg, len);
	return e;
}

/* ---- --threads N (the threaded replay itself is threads.c) ---------------- */

/* The pool for opts.threads > 1, from the decoded trace; NULL + message. */
static struct thr_pool *threads_prepare(const struct an_case_opts *o, const struct acc_ops *m,
					const struct scan *sc, unsigned reps, char *err, size_t errlen)
{
	if (!sc->all) {
		snprintf(err, errlen, "--threads %u: the trace has %llu records; a threaded replay splits "
			 "the decoded trace in memory, at most %llu records", o->threads,
			 (unsigned long long)sc->nrec, (unsigned long long)BENCH_RESIDENT_RECS);
		return NULL;
	}
	if (!m->needs_file && sc->writes) {
		int reads = 0;
		for (uint64_t i = 0; i < sc->nrec && !reads; i++)
			reads = sc->all[i].op == TRACE_OP_READ;
		if (reads) {
			snprintf(err, errlen, "--threads %u: anon with a trace that mixes reads and writes: a "
				 "read of bytes another thread writes sees zeros or the pattern depending on "
				 "the interleaving, so the checksum would not be deterministic; use a "
				 "read-only or write-only trace, or mmap (whose file already holds the pattern)",
				 o->threads);
			return NULL;
		}
	}
	return thr_create(o, m, sc->all, sc->nrec, reps, err, errlen);
}

/* thr_close when threaded (before the method's close). */
static void thr_close_if(struct thr_pool *thr)
{
	if (thr)
		thr_close(thr);
}

int bench_run(const struct bench_cfg *cfg, struct bench_src *src, json_t *co,
	      struct bench_summary *sum, char *err, size_t errlen)
{
	struct an_case_opts opts = cfg->opts;
	const struct trace_hdr *h = src->hdr;
	const struct acc_ops *m;
	struct scan sc;
	struct cache_file file;
	struct ctr_set *ctrs = NULL, *tps = NULL;
	struct thr_pool *thr = NULL; /* --threads N > 1 (threads.c) */
	struct trace_rec *chunk = NULL;
	double *rs[RM__COUNT] = { 0 };
	char layout_why[160] = ""; /* why cache.phys_ascending was not measured */
	struct cg_run cgr; /* --mem-limit cgroup and the pressure counters (cgroup.h) */
	/*
	 * Tracepoints cost every syscall and page-cache addition a trip through
	 * perf, so they would inflate the timed repetitions: they are opened only
	 * for ntp extra counting repetitions after the timed ones (min(reps,
	 * BENCH_TP_REPS): enough samples for the gate's statistics), whose time
	 * is not recorded.
	 */
	unsigned ntp = cfg->no_tracepoints ? 0 : cfg->reps < BENCH_TP_REPS ? cfg->reps : BENCH_TP_REPS;
	unsigned total = cfg->warmup + cfg->reps + ntp, nsamp = 0, redo = 0;
	int tp_open = 0;
	uint64_t checksum = 0, t_start = mb_now_ns();
	int tty = cfg->progress && isatty(2), shown = 0;
	char pin[160], msg[512];
	int e;

	memset(sum, 0, sizeof(*sum));
	memset(&file, 0, sizeof(file));
	memset(&cgr, 0, sizeof(cgr));
	if ((e = an_case_opts_check(&opts, h, msg, sizeof(msg)))) {
		snprintf(err, errlen, "%s", msg);
		return e;
	}
	if (!(m = acc_find(opts.method))) {
		snprintf(err, errlen, "method %s: not built into this mapbench (feature off)",
			 an_method_name(opts.method));
		return -ENOTSUP;
	}
	if (cfg->reps < 1 || cfg->reps > BENCH_MAX_REPS) {
		snprintf(err, errlen, "reps %u: must be 1..%u", cfg->reps, BENCH_MAX_REPS);
		return -EINVAL;
	}
	sum->cpu = bench_pin(cfg->cpu, pin, sizeof(pin));
	if (sum->cpu < 0 && cfg->cpu >= 0) {
		snprintf(err, errlen, "pin to CPU %d: %s", cfg->cpu, pin);
		return sum->cpu;
	}
	sum->tsc_ghz = bench_tsc_ghz();
	if ((e = prescan(src, &sc, err, errlen)))
		return e;
	sum->nrec = sc.nrec;
	if (opts.threads > 1 && !(thr = threads_prepare(&opts, m, &sc, cfg->reps, err, errlen))) {
		e = -EINVAL;
		goto out;
	}
	if (!(chunk = malloc(BENCH_CHUNK_RECS * sizeof(*chunk)))) {
		e = -ENOMEM;
		goto out;
	}
	memset(chunk, 0, BENCH_CHUNK_RECS * sizeof(*chunk)); /* its page faults happen here, not in a repetition */
	if (cfg->max_mem) {
		/* records stream through one chunk; the region counts when it is memory we touch */
		int in_memory = !m->needs_file || opts.cache == AN_CACHE_TMPFS || opts.method == AN_METHOD_MMAP;
		uint64_t need = BENCH_CHUNK_RECS * sizeof(struct trace_rec) +
				(in_memory ? h->region_size : (uint64_t)sc.maxlen) +
				(thr ? sc.nrec * sizeof(struct trace_rec) : 0); /* per-thread record copies */
		if (need > cfg->max_mem) {
			char a[32], b[32];
			snprintf(err, errlen, "the replay needs %s of memory (%s), above --max-mem %s",
				 mb_fmt_size(need, a, sizeof(a)),
				 in_memory ? "record chunk + the region" : "record chunk + one record",
				 mb_fmt_size(cfg->max_mem, b, sizeof(b)));
			e = -E2BIG;
			goto out;
		}
	}
	if ((e = check_resources(m, &opts, h->region_size, cfg->dir, msg, sizeof(msg)))) {
		snprintf(err, errlen, "%s", msg);
		goto out;
	}
	if (m->needs_file &&
	    (e = cache_file_prepare(&file, cfg->dir, h->region_size, opts.cache == AN_CACHE_TMPFS,
				    cfg->keep, opts.cache_req, msg, sizeof(msg)))) {
		snprintf(err, errlen, "data file: %s", msg);
		goto out;
	}
	if (opts.direct && (e = acc_direct_check(file.path, msg, sizeof(msg)))) {
		snprintf(err, errlen, "%s", msg); /* before the cache state, which tmpfs cannot make cold */
		goto out_file;
	}
	if (!(ctrs = calloc(1, sizeof(*ctrs)))) {
		e = -ENOMEM;
		goto out_file;
	}
	ctr_set_init(ctrs);
	ctrs->inherit = thr != NULL; /* count the replay threads too */
	if ((e = pmu_add_events(ctrs, cfg->events, msg, sizeof(msg)))) {
		snprintf(err, errlen, "events: %s", msg);
		goto out_ctr;
	}
	if (!cfg->no_tracepoints) {
		if (!(tps = calloc(1, sizeof(*tps)))) {
			e = -ENOMEM;
			goto out_ctr;
		}
		ctr_set_init(tps);
		tps->inherit = thr != NULL;
	}
	for (int i = 0; i < RM__COUNT; i++)
		if (!(rs[i] = calloc(cfg->reps, sizeof(double)))) {
			e = -ENOMEM;
			goto out_ctr;
		}
	/* ---- memory cgroup (--mem-limit): after the records and the chunk are allocated ---- */
	if ((e = cg_run_check(opts.mem_limit, !m->needs_file, h->region_size, msg, sizeof(msg))) ||
	    (e = cg_run_start(&cgr, opts.mem_limit, cfg->reps, msg, sizeof(msg)))) {
		snprintf(err, errlen, "--mem-limit: %s", msg);
		goto out_ctr;
	}

	for (unsigned rep = 0; rep < total; rep++) {
		struct acc_ctx c;
		struct cache_report cr = { 0 };
		struct os_usage u0, u1, ua;
		uint64_t s0, setup_ns, tsc, ns;
		unsigned ndis;
		long pte_end, pte_base;
		double after;
		int counting = tps && rep >= cfg->warmup + cfg->reps; /* a tracepoint repetition */
		int rec = rep >= cfg->warmup && !counting;

		if (tty && mb_now_ns() - t_start > 1000000000ull) {
			unsigned first = rep < cfg->warmup ? 0 : counting ? cfg->warmup + cfg->reps : cfg->warmup;
			fprintf(stderr, "\rmapbench: run: %s repetition %u/%u%s ", m->name, rep - first + 1,
				rep < cfg->warmup ? cfg->warmup : counting ? ntp : cfg->reps,
				rep < cfg->warmup ? " (warm-up)" : counting ? " (counting tracepoints)" : "");
			shown = 1;
		}
		if ((e = cg_run_enter(&cgr, msg, sizeof(msg)))) { /* fresh cgroup, joined (--mem-limit) */
			snprintf(err, errlen, "repetition %u: %s", rep + 1, msg);
			goto out_ctr;
		}
		if (m->needs_file && (e = establish_retry(&file, &opts, cfg->drop_caches, &cr, msg, sizeof(msg)))) {
			snprintf(err, errlen, "repetition %u: %s", rep + 1, msg);
			goto out_ctr;
		}
		memset(&c, 0, sizeof(c));
		c.opts = &opts;
		c.path = m->needs_file ? file.path : NULL;
		c.region = h->region_size;
		c.maxlen = sc.maxlen;
		c.sequential = sc.sequential;
		c.writes = sc.writes;
		c.fd = -1;
		c.pte_base_kb = -1;
		pte_base = acc_vmpte_kb();
		os_usage_now(&u0);
		s0 = mb_now_ns();
		e = m->open(&c);
		if (!e && thr)
			e = thr_open(thr, &c, c.err, sizeof(c.err));
		setup_ns = mb_now_ns() - s0;
		if (e) {
			thr_close_if(thr);
			snprintf(err, errlen, "repetition %u: %s setup: %s", rep + 1, m->name,
				 c.err[0] ? c.err : strerror(-e));
			m->close(&c);
			goto out_ctr;
		}
		/*
		 * pt.bytes (definition in the file comment): mapping methods noted VmPTE
		 * immediately before their mmap; the others (read, fread, io_uring) map
		 * no region, so their set-up's own mappings (io_uring rings, buffers)
		 * are left out by measuring from after set-up.
		 */
		pte_base = c.pte_base_kb >= 0 ? c.pte_base_kb : acc_vmpte_kb();
		if (counting) {
			if (!tp_open++) {
				tp_add_default(tps); /* opened once, for the counting repetitions only */
				if (m->needs_file)
					tp_add_file_evictions(tps, file.path);
			}
			ctr_reset(tps);
		}
		ctr_reset(ctrs);
		os_usage_now(&u1);
		/* the data file's pages the cache state left cached are the replay's, not the harness's */
		cg_run_replay_begin(&cgr, m->needs_file ? (uint64_t)(cr.resident * (double)h->region_size) : 0);
		if (thr)
			e = thr_access(thr, &c, &tsc, &ns, &ndis, &ua, msg, sizeof(msg));
		else
			e = access_phase(m, &c, src, &sc, chunk, &tsc, &ns, &ndis, &ua, msg, sizeof(msg));
		cg_run_replay_end(&cgr, !e && rec);
		pte_end = acc_vmpte_kb();
		if (!e)
			ctr_read(ctrs, ndis);
		if (!e && counting)
			ctr_read(tps, ndis);
		thr_close_if(thr);
		m->close(&c);
		if (!e)
			e = cg_run_exit(&cgr, msg, sizeof(msg)); /* leave and remove the cgroup */
		if (e) {
			snprintf(err, errlen, "repetition %u: %s", rep + 1, msg);
			goto out_ctr;
		}
		after = residency_after(&file, &opts, h->region_size, cr.resident);
		double evicted = counting && !opts.mem_limit && warm_claim(&opts) ? last_sample(tps, "cache.evicted") : 0;
		if (counting && (after < cr.resident || evicted > 0) && redo < BENCH_TP_REDO) {
			/*
			 * The system reclaimed part of the warm file during the replay
			 * (lower residency after it, or folios of the file removed: the
			 * replay may have read them back, leaving the residency whole), so
			 * the counts include its refill: drop this counting repetition's
			 * samples and count again from a re-established cache.
			 */
			if (evicted > 0)
				fprintf(stderr, "mapbench: run: the system removed %.0f page(s) of the warm file "
					"from the page cache during tracepoint repetition %u (cache.evicted); "
					"counting it again\n", evicted, rep + 1);
			else
				fprintf(stderr, "mapbench: run: the system evicted %.2f%% of the warm file during "
					"tracepoint repetition %u; counting it again\n",
					100 * (cr.resident - after), rep + 1);
			ctr_drop_last(ctrs);
			ctr_drop_last(tps);
			redo++;
			rep--;
			continue;
		}
		if (rep > 0 && c.sum != checksum) {
			snprintf(err, errlen, "repetition %u: checksum 0x%016llx differs from 0x%016llx of "
				 "repetition 1: the method or the data changed between repetitions",
				 rep + 1, (unsigned long long)c.sum, (unsigned long long)checksum);
			e = -EIO;
			goto out_ctr;
		}
		checksum = c.sum;
		sum->bytes_read = c.bytes_read;
		sum->bytes_written = c.bytes_written;
		if (!rec) {
			/* warm-up or a tracepoint repetition: drop the timed counters' samples */
			ctr_drop_last(ctrs);
			continue;
		}
		if (thr)
			thr_record(thr, nsamp);
		rs[RM_NS][nsamp] = (double)ns;
		rs[RM_CYCLES][nsamp] = (double)tsc;
		rs[RM_NS_PER_ACCESS][nsamp] = sc.nrec ? (double)ns / (double)sc.nrec : 0;
		rs[RM_BYTES_PER_S][nsamp] = ns ? (double)(c.bytes_read + c.bytes_written) * 1e9 / (double)ns : 0;
		rs[RM_SETUP_NS][nsamp] = (double)setup_ns;
		rs[RM_CACHE_NS][nsamp] = (double)cr.ns;
		rs[RM_RESIDENT][nsamp] = cr.resident;
		rs[RM_RESIDENT_AFTER][nsamp] = after;
		rs[RM_RU_MINOR][nsamp] = (double)ua.minflt;
		rs[RM_RU_MAJOR][nsamp] = (double)ua.majflt;
		rs[RM_SETUP_FAULTS][nsamp] = (double)(u1.minflt - u0.minflt + u1.majflt - u0.majflt);
		rs[RM_INBLOCK][nsamp] = (double)ua.inblock;
		rs[RM_DIRECT_EXTRA][nsamp] = (double)c.bytes_extra;
		rs[RM_ASCENDING][nsamp] = cr.ascending;
		rs[RM_LAYOUT_TRIES][nsamp] = cr.layout_tries;
		if (cr.ascending < 0)
			snprintf(layout_why, sizeof(layout_why), "%s", cr.layout_why);
		rs[RM_PT_BYTES][nsamp] = pte_end >= 0 && pte_base >= 0 ? (double)(pte_end - pte_base) * 1024 : -1;
		nsamp++;
	}
	if (shown)
		fprintf(stderr, "\r%60s\r", "");

	/* ---- into the case ---- */
	for (int i = 0; i < RM__COUNT; i++) {
		if ((i == RM_RESIDENT || i == RM_RESIDENT_AFTER || i == RM_ASCENDING || i == RM_LAYOUT_TRIES) &&
		    !m->needs_file)
			continue;
		if (i == RM_ASCENDING && layout_why[0]) { /* any repetition unmeasured: not a mix */
			an_case_set_status(co, rm_info[i].name, rm_info[i].unit, AN_STATUS_UNSUPPORTED, layout_why);
			continue;
		}
		if (i == RM_DIRECT_EXTRA && !opts.direct)
			continue;
		if (i == RM_PT_BYTES && rs[i][0] < 0) {
			an_case_set_status(co, rm_info[i].name, rm_info[i].unit, AN_STATUS_UNSUPPORTED,
					   "VmPTE not found in /proc/self/status");
			continue;
		}
		an_case_set_samples(co, rm_info[i].name, rm_info[i].unit, rs[i], nsamp);
	}
	ctr_emit(ctrs, co);
	if (thr)
		thr_emit(thr, co, nsamp);
	if (tps)
		ctr_emit(tps, co);
	cg_run_emit(&cgr, co);
	an_case_set_value(co, "checksum", "fold53", (double)(checksum & ((UINT64_C(1) << 53) - 1)));
	{
		char hx[32], ms[128], cs[64];
		json_t *t = json_object(), *mo = json_object(), *ca = json_object();

		snprintf(hx, sizeof(hx), "%016llx", (unsigned long long)h->hash);
		json_object_set_new(t, "spec", json_string(h->spec));
		json_object_set_new(t, "hash", json_string(hx));
		json_object_set_new(t, "records", json_integer((json_int_t)sc.nrec));
		json_object_set_new(t, "region_bytes", json_integer((json_int_t)h->region_size));
		json_object_set_new(t, "region", json_string(trace_region_name(h->region_kind)));
		json_object_set_new(t, "sequential", json_boolean(sc.sequential));
		json_object_set_new(co, "trace", t);
		an_case_opts_method_str(&opts, ms, sizeof(ms));
		json_object_set_new(mo, "name", json_string(an_method_name(opts.method)));
		json_object_set_new(mo, "spec", json_string(ms));
		if (opts.method == AN_METHOD_READ)
			json_object_set_new(mo, "syscall", json_string(sc.sequential && !opts.direct && opts.threads <= 1 ? "read" : "pread"));
		if (opts.direct)
			json_object_set_new(mo, "direct", json_string(
				"O_DIRECT: each record is transferred as the 4 KiB-aligned span covering it "
				"(offset rounded down, end rounded up) into a page-aligned buffer; only the "
				"record's bytes are folded and counted as bytes read/written, the widening is "
				"direct.extra_bytes (read,direct: unaligned writes read the span first); the "
				"page cache is bypassed in every cache state, so a warm cache still reads the device"));
		json_object_set_new(co, "method", mo);
		an_case_opts_cache_str(&opts, cs, sizeof(cs));
		json_object_set_new(ca, "state", json_string(cs));
		if (m->needs_file) {
			json_object_set_new(ca, "file", json_string(file.path));
			json_object_set_new(ca, "file_reused", json_boolean(file.reused));
			json_object_set_new(ca, "verified_by", json_string(opts.cache == AN_CACHE_COLD ||
				opts.cache == AN_CACHE_NONE ? "cachestat/mincore (<= 1% resident)"
							    : "cachestat/mincore (>= 99% resident)"));
		}
		json_object_set_new(co, "cache", ca);
		snprintf(hx, sizeof(hx), "0x%016llx", (unsigned long long)checksum);
		json_object_set_new(co, "checksum", json_string(hx));
		json_object_set_new(co, "reps", json_integer(cfg->reps));
		json_object_set_new(co, "warmup", json_integer(cfg->warmup));
		json_object_set_new(co, "pinned", json_string(sum->cpu >= 0 ? pin : "not pinned"));
		json_object_set_new(co, "counters", json_string(ctrs->note));
	}
	sum->checksum = checksum;
	{
		struct bench_stat st;
		bench_stat(rs[RM_NS], nsamp, &st);
		sum->median_ns = st.median;
	}
	e = 0;
out_ctr:
	if (shown && e)
		fprintf(stderr, "\n");
	cg_run_finish(&cgr);
	for (int i = 0; i < RM__COUNT; i++)
		free(rs[i]);
	if (ctrs)
		ctr_set_fini(ctrs);
	free(ctrs);
	if (tps)
		ctr_set_fini(tps);
	free(tps);
out_file:
	cache_file_release(&file);
out:
	thr_destroy(thr);
	free(chunk);
	free(sc.all);
	return e;
}
