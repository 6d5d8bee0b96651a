/*
 * sim/tests/test_golden.c — golden tests: a few (trace spec, method, profile)
 * cases replayed through the whole model; their full metric set (model
 * statistics, MMU statistics, cycle breakdown, pt.bytes) is compared line by
 * line with the committed files sim/tests/golden/<case>.txt. Any change of
 * the model's output shows up here. To regenerate deliberately, run with
 * MAPBENCH_UPDATE_GOLDEN=1 (then review the diff before committing).
 * Each case also runs twice to check bit-for-bit determinism.
 */
#include "simtest.h"
#include "traces/gen.h"

#include <errno.h>

struct gcase {
	const char *name;    /* golden file stem */
	const char *spec;    /* generator spec */
	const char *profile; /* stock profile */
	const char *opts[6]; /* case options name=value, NULL-terminated */
};

static const struct gcase cases[] = {
	{ "mmap-seq64M-warmwrite", "seq:size=64M,len=4K", "vm-host",
	  { "method=mmap", "cache=warm-write:1M", NULL } },
	{ "mmap-uniform256M-cold", "uniform:size=256M,n=100000,len=64,seed=7", "vm-host",
	  { "method=mmap", "cache=cold", NULL } },
	{ "mmap-shared-write-intel", "seq:size=16M,len=4K,w=1", "intel-server",
	  { "method=mmap", "map=shared", "cache=warm-read:1M", NULL } },
	{ "read-seq16M-cold-intel", "seq:size=16M,len=4K", "intel-server",
	  { "method=read", "cache=cold", NULL } },
	{ "fread-seq16M-tmpfs", "seq:size=16M,len=100", "vm-host",
	  { "method=fread", "cache=tmpfs", NULL } },
	{ "uring-uniform64M-warmread", "uniform:size=64M,n=20000,len=4K,seed=3", "vm-host",
	  { "method=io_uring", "qd=8", "cache=warm-read:1M", NULL } },
	{ "anon-uniform64M-thp", "uniform:size=64M,n=100000,len=8,seed=5,anon=1", "vm-host",
	  { "method=anon", "madvise=hugepage", NULL } },
	/* issue 16: random 4 KiB over twice the memory limit (reclaim, refaults, unmap flushes) */
	{ "mmap-uniform16M-mem8M", "uniform:size=16M,n=20000,len=4K,seed=11", "vm-host",
	  { "method=mmap", "cache=cold", "mem-limit=8M", NULL } },
	{ "read-direct-uniform16M", "uniform:size=16M,n=5000,len=4K,seed=11", "vm-host",
	  { "method=read", "direct=1", "cache=cold", NULL } },
	/* two threads, blocks split, random 4 KiB over twice the limit (shootdowns, lock waits) */
	{ "mmap-threads2-uniform16M-mem8M", "uniform:size=16M,n=10000,len=4K,seed=13", "vm-host",
	  { "method=mmap", "cache=cold", "mem-limit=8M", "threads=2", NULL } },
	/* the LLC model: a 2.5 MiB hot set of a 256 MiB file (profile with llc_bytes and DRAM line costs) */
	{ "mmap-hotset256M-warm-hostvm", "hotset:size=256M,len=4K,align=4K,hot=0.01,p=0.9,n=20000,seed=4", "host-vm",
	  { "method=mmap", "cache=warm-read:1M", NULL } },
	{ "read-zipf256M-warm-hostvm", "zipf:size=256M,len=4K,align=4K,theta=0.99,n=20000,seed=3", "host-vm",
	  { "method=read", "cache=warm-read:1M", NULL } },
	/* io_uring qd 32 on a cold file: device batches (host-xeon: cost.io_queue), the retries' completion order (prev_pos) */
	{ "uring-zipf256M-cold-xeon", "zipf:size=256M,len=4K,align=4K,theta=0.99,n=20000,seed=3", "host-xeon",
	  { "method=io_uring", "qd=32", "cache=cold", NULL } },
	/* anonymous memory over swap: half writes, twice the limit */
	{ "anon-swap-uniform16M-mem8M", "uniform:size=16M,n=40000,len=64,seed=3,anon=1,w=0.5", "vm-host",
	  { "method=anon", "madvise=nohugepage", "mem-limit=8M", NULL } },
};

/* Replay one case; the metric set as text into buf. */
static int run_case(const struct gcase *g, char *buf, size_t len)
{
	struct sim_profile p;
	struct an_case_opts o;
	struct gen *gen;
	struct sim *s;
	struct sim_stats st;
	struct trace_rec recs[1024];
	char err[512];
	size_t n, off = 0;

	st_profile(g->profile, &p);
	an_case_opts_default(&o);
	for (int i = 0; g->opts[i]; i++) {
		char name[64];
		const char *eq = strchr(g->opts[i], '=');
		snprintf(name, sizeof(name), "%.*s", (int)(eq - g->opts[i]), g->opts[i]);
		if (an_case_opts_set(&o, name, eq + 1, err, sizeof(err)) != 1) {
			tap_diag("%s: option %s: %s", g->name, g->opts[i], err);
			return -1;
		}
	}
	if (gen_create(g->spec, &gen, err, sizeof(err))) {
		tap_diag("%s: %s", g->name, err);
		return -1;
	}
	if (an_case_opts_check(&o, gen_hdr(gen), err, sizeof(err)) ||
	    sim_create(&p, &o, gen_hdr(gen), &s, err, sizeof(err))) {
		tap_diag("%s: %s", g->name, err);
		gen_destroy(gen);
		return -1;
	}
	for (;;) {
		gen_next(gen, recs, 1024, &n);
		if (!n)
			break;
		if (sim_access(s, recs, n)) {
			tap_diag("%s: %s", g->name, sim_error(s));
			break;
		}
	}
	sim_finish(s, &st);
	sim_destroy(s);
	gen_destroy(gen);
	off += (size_t)snprintf(buf + off, len - off, "cycles %llu\npt.bytes %llu\n",
				(unsigned long long)st.cycles, (unsigned long long)st.pt_bytes);
	for (unsigned i = 0; i < SIM_ST__COUNT; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s %llu\n", sim_stat_name(i),
					(unsigned long long)st.st[i]);
	for (unsigned i = 0; st.pressure && i < SIM_PS__COUNT; i++) /* issue-16 cases only */
		off += (size_t)snprintf(buf + off, len - off, "%s %llu\n", sim_pstat_name(i),
					(unsigned long long)st.ps[i]);
	for (unsigned t = 0; st.nthr > 1 && t < st.nthr; t++)
		off += (size_t)snprintf(buf + off, len - off, "thread.%u.cycles %llu\nthread.%u.records %llu\n", t,
					(unsigned long long)st.tcyc[t], t, (unsigned long long)st.trec[t]);
	for (unsigned i = 0; i < SIM_C__COUNT; i++)
		off += (size_t)snprintf(buf + off, len - off, "breakdown.%s %llu\n", sim_comp_name(i),
					(unsigned long long)st.cyc[i]);
	for (unsigned i = 0; i < MMU_ST__COUNT && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "mmu:%s %llu\n", mmu_stat_name(i),
					(unsigned long long)st.mmu[i]);
	return 0;
}

int main(void)
{
	const char *root = getenv("MAPBENCH_SOURCE_ROOT");
	int update = getenv("MAPBENCH_UPDATE_GOLDEN") && !strcmp(getenv("MAPBENCH_UPDATE_GOLDEN"), "1");
	static char got[16384], again[16384], want[16384];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct gcase *g = &cases[i];
		char path[4096];
		FILE *f;

		snprintf(path, sizeof(path), "%s/sim/tests/golden/%s.txt", root ? root : ".", g->name);
		if (run_case(g, got, sizeof(got)) || run_case(g, again, sizeof(again))) {
			tap_ok(0, "%s: model ran", g->name);
			continue;
		}
		tap_ok(!strcmp(got, again), "%s: two runs are bit-identical", g->name);
		if (update) {
			f = fopen(path, "w");
			if (!f || fputs(got, f) < 0) {
				tap_ok(0, "%s: write %s", g->name, path);
				if (f)
					fclose(f);
				continue;
			}
			fclose(f);
			tap_ok(1, "%s: golden file rewritten (MAPBENCH_UPDATE_GOLDEN=1)", g->name);
			continue;
		}
		f = fopen(path, "r");
		if (!f) {
			tap_ok(0, "%s: golden file %s missing (run with MAPBENCH_UPDATE_GOLDEN=1)", g->name, path);
			continue;
		}
		size_t n = fread(want, 1, sizeof(want) - 1, f);
		fclose(f);
		want[n] = 0;
		if (!tap_ok(!strcmp(got, want), "%s: metric set equals %s", g->name, path)) {
			/* print the first differing lines */
			char *a = got, *b = want;
			for (int shown = 0; *a && *b && shown < 5;) {
				char *ea = strchr(a, '\n'), *eb = strchr(b, '\n');
				if (!ea || !eb)
					break;
				if (ea - a != eb - b || strncmp(a, b, (size_t)(ea - a))) {
					tap_diag("got  %.*s | want %.*s", (int)(ea - a), a, (int)(eb - b), b);
					shown++;
				}
				a = ea + 1;
				b = eb + 1;
			}
		}
	}
	return tap_done();
}
