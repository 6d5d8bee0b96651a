/*
 * cli/cmd_sim.c — `mapbench sim`: replay a trace through the model (sim/)
 * with a profile and write a result JSON (source "model", the harness's case
 * id and metric names) plus a readable table. All I/O of the model happens
 * here: the profile file, the trace (streamed), the result.
 *
 *   mapbench sim --trace T --method M --profile P [case options] -o OUT.json [--json-stdout]
 *
 * T is a trace file, or a generator spec (e.g. seq:size=64M,len=4K) when no
 * such file exists. P is a path, or a stock name resolved in
 * MAPBENCH_SOURCE_ROOT/sim/profiles/<P>.ini. Nothing is written on error.
 */
#include "analysis/caseid.h"
#include "analysis/result.h"
#include "bench/suites/hostprof.h"
#include "cli/cmds.h"
#include "common/mb.h"
#include "config.h"
#include "sim/sim.h"
#include "traces/gen.h"
#include "traces/trace.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define BATCH 4096

static void usage(FILE *f)
{
	fprintf(f, "usage: mapbench sim --trace T --profile P [--method M] [case options] "
		   "[-o OUT.json] [--json-stdout]\n\n"
		   "  --trace T         trace file, or a generator spec (seq:size=64M,len=4K)\n"
		   "  --profile P       profile .ini path, stock name (vm-host, intel-server), or\n"
		   "                    host: this host's profile in the cache (calibrate --cache)\n"
		   "  -o OUT.json       write the result atomically\n"
		   "  --json-stdout     print the result JSON on stdout (table goes to stderr)\n"
		   "  --max-mem SIZE    refuse a trace whose model would need more memory (it grows\n"
		   "                    with the 2 MiB ranges of the region, not with the records)\n"
		   "case options:\n%s", an_case_opts_help);
}

/* Read a whole small file (profiles). */
static int slurp(const char *path, char **buf, size_t *len)
{
	FILE *f = fopen(path, "r");
	size_t cap = 1 << 16, n = 0;
	char *b;

	if (!f)
		return -errno;
	b = malloc(cap);
	if (!b) {
		fclose(f);
		return -ENOMEM;
	}
	for (;;) {
		size_t r = fread(b + n, 1, cap - n, f);
		n += r;
		if (n < cap)
			break;
		if (cap >= (1u << 24)) {
			free(b);
			fclose(f);
			return -EFBIG;
		}
		char *nb = realloc(b, cap * 2);
		if (!nb) {
			free(b);
			fclose(f);
			return -ENOMEM;
		}
		b = nb;
		cap *= 2;
	}
	fclose(f);
	*buf = b;
	*len = n;
	return 0;
}

static int load_profile(const char *name, struct sim_profile *p)
{
	char path[4096], err[1024];
	char *buf = NULL;
	size_t len = 0;
	struct stat sb;
	int r;

	if (!strcmp(name, HOSTPROF_NAME)) {
		/* this host's calibrated profile; calibrating is suite run's or calibrate --cache's job */
		struct hostprof_opts h = { .calibrate = 0 };
		int calibrated;
		if (hostprof_resolve(&h, path, sizeof(path), &calibrated))
			return -ENOENT;
	} else if (strchr(name, '/') || stat(name, &sb) == 0)
		snprintf(path, sizeof(path), "%s", name);
	else {
		const char *root = getenv("MAPBENCH_SOURCE_ROOT");
		snprintf(path, sizeof(path), "%s/sim/profiles/%s.ini", root ? root : MAPBENCH_SOURCE_ROOT, name);
	}
	r = slurp(path, &buf, &len);
	if (r) {
		mb_errno("sim", r, "profile %s", path);
		return r;
	}
	r = sim_profile_parse(buf, len, path, p, err, sizeof(err));
	free(buf);
	if (r)
		mb_err("sim", "profile %s", err);
	return r;
}

/* The record source: a trace reader or a generator. */
struct source {
	struct trace_reader *rd; /* trace file */
	struct gen *gen;         /* or a generator */
	struct trace_hdr hdr;    /* header */
};

static int source_open(const char *t, struct source *s)
{
	char err[1024];
	struct stat sb;
	int r;

	memset(s, 0, sizeof(*s));
	if (stat(t, &sb) != 0 && strchr(t, ':')) {
		r = gen_create(t, &s->gen, err, sizeof(err));
		if (r) {
			mb_err("sim", "trace spec %s", err);
			return r;
		}
		s->hdr = *gen_hdr(s->gen);
		return 0;
	}
	r = trace_reader_open(t, &s->rd, err, sizeof(err));
	if (r) {
		mb_err("sim", "trace %s: %s", t, err);
		return r;
	}
	s->hdr = *trace_reader_hdr(s->rd);
	return 0;
}

static int source_next(struct source *s, struct trace_rec *recs, size_t max, size_t *n)
{
	if (s->gen) {
		gen_next(s->gen, recs, max, n);
		return 0;
	}
	if (trace_reader_read(s->rd, recs, max, n)) {
		mb_err("sim", "trace: %s", trace_reader_error(s->rd));
		return -EINVAL;
	}
	return 0;
}

/*
 * One pass to learn whether the trace writes (the harness maps the file
 * writable only then, which changes MAP_POPULATE and COW), then back to the
 * first record: a reader rewinds, a generator is made afresh.
 */
static int source_prescan(struct source *s, const char *t, int *writes)
{
	struct trace_rec recs[4096];
	char err[1024];
	size_t n;

	*writes = 0;
	for (;;) {
		if (source_next(s, recs, 4096, &n))
			return -EINVAL;
		if (!n)
			break;
		for (size_t i = 0; i < n && !*writes; i++)
			*writes = recs[i].op == TRACE_OP_WRITE;
		if (*writes)
			break;
	}
	if (s->rd) {
		if (trace_reader_rewind(s->rd)) {
			mb_err("sim", "trace %s: rewind: %s", t, trace_reader_error(s->rd));
			return -EIO;
		}
		return 0;
	}
	gen_destroy(s->gen);
	s->gen = NULL;
	if (gen_create(t, &s->gen, err, sizeof(err))) {
		mb_err("sim", "trace spec %s", err);
		return -EINVAL;
	}
	return 0;
}

static void source_close(struct source *s)
{
	if (s->gen)
		gen_destroy(s->gen);
	if (s->rd)
		trace_reader_destroy(s->rd);
}

static void print_table(FILE *f, const char *id, const struct sim_profile *p, const struct sim_stats *st)
{
	double ns = (double)st->cycles / st->ghz;
	uint64_t acc = st->st[SIM_ST_RECORDS];

	fprintf(f, "case     %s\nprofile  %s (%s)\n", id, p->name, p->source);
	fprintf(f, "  %-22s %16llu\n", "accesses", (unsigned long long)acc);
	fprintf(f, "  %-22s %16llu\n", "cycles", (unsigned long long)st->cycles);
	fprintf(f, "  %-22s %16.1f\n", "ns", ns);
	if (acc)
		fprintf(f, "  %-22s %16.3f\n", "ns_per_access", ns / (double)acc);
	static const enum sim_stat show[] = {
		SIM_ST_FAULTS, SIM_ST_FAULTS_MINOR, SIM_ST_FAULTS_MAJOR, SIM_ST_FAULTS_POPULATE,
		SIM_ST_SYSCALLS, SIM_ST_SYSCALLS_READ, SIM_ST_PC_ADDED,
	};
	for (size_t i = 0; i < MB_ARRAY_SIZE(show); i++)
		fprintf(f, "  %-22s %16llu\n", sim_stat_name(show[i]), (unsigned long long)st->st[show[i]]);
	fprintf(f, "  %-22s %16llu\n", "tlb.l1d.miss", (unsigned long long)st->mmu[MMU_ST_L1_MISS]);
	fprintf(f, "  %-22s %16llu\n", "tlb.stlb.miss", (unsigned long long)st->mmu[MMU_ST_STLB_MISS]);
	fprintf(f, "  %-22s %16llu\n", "walk.cycles", (unsigned long long)st->mmu[MMU_ST_WALK_CYCLES]);
	fprintf(f, "  %-22s %16llu\n", "pt.bytes", (unsigned long long)st->pt_bytes);
	fprintf(f, "cycle breakdown:\n");
	for (unsigned c = 0; c < SIM_C__COUNT; c++)
		fprintf(f, "  %-22s %16llu  %5.1f%%\n", sim_comp_name(c), (unsigned long long)st->cyc[c],
			st->cycles ? 100.0 * (double)st->cyc[c] / (double)st->cycles : 0.0);
}

int cmd_sim(int argc, char **argv)
{
	const char *trace = NULL, *profile = NULL, *out = NULL;
	int json_stdout = 0, rc = 2;
	uint64_t max_mem = 0;
	struct an_case_opts o;
	struct sim_profile prof;
	struct source src;
	struct sim *s = NULL;
	struct sim_stats st;
	struct an_result *res = NULL;
	struct trace_rec *recs = NULL;
	char err[1024], id[1024], mstr[256], cstr[128];

	an_case_opts_default(&o);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return 0;
		}
		if (!strcmp(a, "--json-stdout")) {
			json_stdout = 1;
			continue;
		}
		if (!strcmp(a, "--max-mem")) {
			if (i + 1 >= argc || mb_parse_size(argv[i + 1], &max_mem) || !max_mem) {
				mb_err("sim", "option --max-mem: bad value '%s' (expected a size above 0, e.g. 4G)",
				       i + 1 < argc ? argv[i + 1] : "");
				return 2;
			}
			i++;
			continue;
		}
		if (!strcmp(a, "--trace") || !strcmp(a, "--profile") || !strcmp(a, "-o")) {
			if (i + 1 >= argc) {
				mb_err("sim", "option %s needs a value", a);
				return 2;
			}
			if (a[1] == 'o')
				out = argv[++i];
			else if (a[2] == 't')
				trace = argv[++i];
			else
				profile = argv[++i];
			continue;
		}
		if (strncmp(a, "--", 2)) {
			mb_err("sim", "unexpected argument '%s' (try mapbench sim --help)", a);
			return 2;
		}
		char name[64];
		const char *val = NULL, *eq = strchr(a + 2, '=');
		size_t nl = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
		if (nl >= sizeof(name)) {
			mb_err("sim", "unknown option %s", a);
			return 2;
		}
		memcpy(name, a + 2, nl);
		name[nl] = 0;
		if (eq)
			val = eq + 1;
		else if (an_case_opts_takes_value(name) && i + 1 < argc)
			val = argv[++i];
		int r = an_case_opts_set(&o, name, val, err, sizeof(err));
		if (r == 0) {
			mb_err("sim", "unknown option %s (try mapbench sim --help)", a);
			return 2;
		}
		if (r < 0) {
			mb_err("sim", "%s", err);
			return 2;
		}
	}
	if (!trace || !profile) {
		mb_err("sim", "--trace and --profile are required");
		usage(stderr);
		return 2;
	}
	if (!out && !json_stdout) {
		mb_err("sim", "nothing to write: give -o OUT.json and/or --json-stdout");
		return 2;
	}
	if (load_profile(profile, &prof))
		return 2;
	if (source_open(trace, &src))
		return 2;
	if (an_case_opts_check(&o, &src.hdr, err, sizeof(err))) {
		mb_err("sim", "%s", err);
		goto out_src;
	}
	if (max_mem && sim_mem_estimate(&src.hdr) > max_mem) {
		char a[32], b[32];
		mb_err("sim", "trace %s: the model of a %s region needs about %s of memory, above --max-mem %s",
		       trace, mb_fmt_size(src.hdr.region_size, a, sizeof(a)),
		       mb_fmt_size(sim_mem_estimate(&src.hdr), err, sizeof(err)), mb_fmt_size(max_mem, b, sizeof(b)));
		goto out_src;
	}
	if (source_prescan(&src, trace, &o.writes))
		goto out_src;
	if (sim_create(&prof, &o, &src.hdr, &s, err, sizeof(err))) {
		mb_err("sim", "%s", err);
		goto out_src;
	}
	recs = malloc(BATCH * sizeof(*recs));
	if (!recs)
		goto out_sim;
	for (;;) {
		size_t n = 0;
		if (source_next(&src, recs, BATCH, &n))
			goto out_sim;
		if (!n)
			break;
		if (sim_access(s, recs, n)) {
			mb_err("sim", "trace %s: %s", trace, sim_error(s));
			goto out_sim;
		}
	}
	sim_finish(s, &st);

	an_case_id(&o, &src.hdr, id, sizeof(id));
	an_case_opts_method_str(&o, mstr, sizeof(mstr));
	an_case_opts_cache_str(&o, cstr, sizeof(cstr));
	res = an_result_create();
	if (!res)
		goto out_sim;
	json_t *opt = an_result_options(res);
	{
		/* the modelled TLB geometry, where plots look for TLB reach */
		json_t *tlb = json_object(), *l1 = json_object(), *l2 = json_object();
		json_object_set_new(l1, "entries", json_integer(prof.mmu.l1[PG_4K].entries));
		json_object_set_new(l1, "page_bytes", json_integer(4096));
		json_object_set_new(l2, "entries", json_integer(prof.mmu.stlb.entries));
		json_object_set_new(l2, "page_bytes", json_integer(4096));
		json_object_set_new(tlb, "l1d_4k", l1);
		json_object_set_new(tlb, "stlb", l2);
		json_object_set_new(tlb, "source", json_string("model profile"));
		json_object_set_new(an_result_host(res), "tlb", tlb);
	}
	json_object_set_new(opt, "trace", json_string(trace));
	json_object_set_new(opt, "profile", json_string(prof.source));
	json_t *c = an_result_add_case(res, id, "model");
	json_object_set_new(c, "profile", json_string(prof.name));
	/* the host the profile was calibrated on (null: a stock profile), for compare's check */
	json_object_set_new(c, "profile_fingerprint",
			    prof.fingerprint[0] ? json_string(prof.fingerprint) : json_null());
	if (prof.noisy[0])
		json_object_set_new(c, "profile_noisy", json_string(prof.noisy));
	json_t *tr = json_object();
	json_object_set_new(tr, "spec", json_string(src.hdr.spec));
	char hash[32];
	snprintf(hash, sizeof(hash), "%016llx", (unsigned long long)src.hdr.hash);
	json_object_set_new(tr, "hash", json_string(hash));
	json_object_set_new(tr, "records", json_integer((json_int_t)st.st[SIM_ST_RECORDS]));
	json_object_set_new(tr, "region_bytes", json_integer((json_int_t)src.hdr.region_size));
	json_object_set_new(c, "trace", tr);
	json_t *m = json_object();
	json_object_set_new(m, "name", json_string(an_method_name(o.method)));
	json_object_set_new(m, "options", json_string(mstr));
	json_object_set_new(c, "method", m);
	json_t *cj = json_object();
	json_object_set_new(cj, "state", json_string(cstr));
	json_object_set_new(c, "cache", cj);
	sim_stats_to_case(&st, c);

	print_table(json_stdout ? stderr : stdout, id, &prof, &st);
	if (out && an_result_write(res, out))
		goto out_res;
	if (json_stdout) {
		char *txt = json_dumps(res->root, JSON_INDENT(2) | JSON_SORT_KEYS);
		if (!txt)
			goto out_res;
		printf("%s\n", txt);
		free(txt);
	}
	rc = 0;
out_res:
	an_result_destroy(res);
out_sim:
	free(recs);
	sim_destroy(s);
out_src:
	source_close(&src);
	return rc;
}
