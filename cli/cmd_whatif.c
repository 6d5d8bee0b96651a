/*
 * cli/cmd_whatif.c — `mapbench whatif T.mtr -o DIR`: the decision table for a
 * recorded (or any file) trace. It writes DIR/whatif.suite (the trace × the
 * methods × the cache states), runs it with the suite runner (native replays
 * one at a time, the model with this host's profile unless --profile, then
 * compare/plot/report as every suite), and from DIR/native.json and
 * DIR/model.json prints one table per cache state: per method the native and
 * the modelled time, faults, syscalls, walk cycles, the measured and the
 * predicted speed-up against the method the program used (the "used=" field
 * a `mapbench record` trace carries, else --used, else read), and the
 * model's reason in words (its two largest cycle components, faults per page,
 * syscalls per record). Also DIR/whatif.md and DIR/whatif.json (atomic).
 *
 * Exit: 0, 1 when some replay failed (the table says n/a), 2 usage/input.
 */
#include "analysis/load.h"
#include "analysis/reason.h"
#include "bench/suites/runner.h"
#include "bench/suites/suite.h"
#include "cli/cmds.h"
#include "common/mb.h"
#include "traces/trace.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define WI_MAX_ROWS 64

static const char usage_text[] =
	"usage: mapbench whatif TRACE -o DIR [--methods M,M...] [--cache C,C...] [--used METHOD]\n"
	"                       [--reps N] [--profile P] [--profile-cache DIR] [--model-only] [-q]\n\n"
	"  TRACE            a file trace (.mtr from `mapbench record`, or any file trace)\n"
	"  -o DIR           where the suite, results, whatif.md and whatif.json go\n"
	"  --methods LIST   methods to try, ';'-separated variants allowed with ','-options\n"
	"                   (default: mmap;read;fread;io_uring,qd=1;io_uring,qd=32)\n"
	"  --cache LIST     cache states, ';'-separated (default: cold;warm-read)\n"
	"  --used METHOD    the method the program used (default: the trace's used=, else read)\n"
	"  --reps N         native repetitions (default: the suite default)\n"
	"  --profile P      model profile (default host: this host's calibrated profile)\n"
	"  --profile-cache DIR  per-host profile cache (default: the XDG cache)\n"
	"  --model-only     no native replays: predictions only\n"
	"  -q               no progress lines\n";

enum { OPT_METHODS = 256, OPT_CACHE, OPT_USED, OPT_REPS, OPT_PROFILE, OPT_PCACHE, OPT_MODEL_ONLY };

static const struct option long_opts[] = {
	{ "methods", required_argument, NULL, OPT_METHODS },
	{ "cache", required_argument, NULL, OPT_CACHE },
	{ "used", required_argument, NULL, OPT_USED },
	{ "reps", required_argument, NULL, OPT_REPS },
	{ "profile", required_argument, NULL, OPT_PROFILE },
	{ "profile-cache", required_argument, NULL, OPT_PCACHE },
	{ "model-only", no_argument, NULL, OPT_MODEL_ONLY },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* One method x cache row of the decision table. */
struct wi_row {
	char method[128];   /* variant label, e.g. "mmap,private,madv=normal" */
	char family[32];    /* "mmap", "read", ... */
	char cache[64];
	const json_t *nat, *mod; /* borrowed cases, NULL when absent */
	double n_ns, m_ns;  /* native median / model time (NAN when absent) */
	char reason[256];
};

/* Copy a ';'-list into space-separated suite words; refuses spaces and '#'. */
static int list_words(const char *opt, const char *in, char *out, size_t len)
{
	size_t o = 0;

	for (const char *p = in; *p; p++) {
		if (*p == ' ' || *p == '\t' || *p == '#' || *p == '\n') {
			mb_err("whatif", "--%s '%s': no spaces or '#' (separate items with ';')", opt, in);
			return -EINVAL;
		}
		if (o + 2 >= len) {
			mb_err("whatif", "--%s '%s': longer than %zu characters", opt, in, len - 2);
			return -EINVAL;
		}
		out[o++] = *p == ';' ? ' ' : *p;
	}
	out[o] = 0;
	if (!o) {
		mb_err("whatif", "--%s: empty list", opt);
		return -EINVAL;
	}
	return 0;
}

/* The "used=" field of a record: trace spec, or "" */
static void spec_used(const char *spec, char *buf, size_t len)
{
	const char *u = strncmp(spec, "record:", 7) ? NULL : strstr(spec, ",used=");
	size_t n = 0;

	buf[0] = 0;
	if (!u)
		return;
	u += 6;
	while (u[n] && u[n] != ',' && n + 1 < len)
		n++;
	memcpy(buf, u, n);
	buf[n] = 0;
}

static double ratio(double a, double b)
{
	return isnan(a) || isnan(b) || b <= 0 ? NAN : a / b;
}

static void pnum(FILE *f, const char *fmt, double v)
{
	if (isnan(v))
		fputs(" n/a |", f);
	else {
		fputc(' ', f);
		fprintf(f, fmt, v);
		fputs(" |", f);
	}
}

/* "native / model" counts, n/a where absent. */
static void ppair(FILE *f, double a, double b)
{
	char x[32], y[32];

	mb_sfmt(x, sizeof(x), isnan(a) ? "n/a" : "%.0f", a);
	mb_sfmt(y, sizeof(y), isnan(b) ? "n/a" : "%.0f", b);
	fprintf(f, " %s / %s |", x, y);
}

static json_t *jnum(double v)
{
	return isnan(v) ? json_null() : json_real(v);
}

/* Print the decision tables (markdown) and fill the JSON array. */
static void tables(FILE *f, struct wi_row *rows, size_t n, const char *used, json_t *jarr,
		   int model_only)
{
	char seen[WI_MAX_ROWS][64];
	size_t ns = 0;

	for (size_t i = 0; i < n; i++) {
		size_t k;
		for (k = 0; k < ns && strcmp(seen[k], rows[i].cache); k++)
			;
		if (k < ns)
			continue;
		mb_sfmt(seen[ns++], sizeof(seen[0]), "%s", rows[i].cache);
		const struct wi_row *base = NULL;
		for (size_t j = 0; j < n; j++)
			if (!strcmp(rows[j].cache, rows[i].cache) && !strcmp(rows[j].family, used) &&
			    !base)
				base = &rows[j];
		fprintf(f, "\n### cache %s (baseline: %s, what the program used)\n\n", rows[i].cache,
			base ? base->method : used);
		fprintf(f, "| method | native ms | model ms | faults native/model | syscalls native/model "
			   "| walk cycles (model) | speed-up measured | speed-up predicted | model's reason |\n"
			   "|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
		const struct wi_row *best = NULL;
		for (size_t j = 0; j < n; j++) {
			const struct wi_row *r = &rows[j];
			if (strcmp(r->cache, rows[i].cache))
				continue;
			double sm = base ? ratio(base->n_ns, r->n_ns) : NAN;
			double sp = base ? ratio(base->m_ns, r->m_ns) : NAN;
			fprintf(f, "| %s |", r->method);
			pnum(f, "%.3f", r->n_ns / 1e6);
			pnum(f, "%.3f", r->m_ns / 1e6);
			ppair(f, an_case_value(r->nat, "faults.total"), an_case_value(r->mod, "faults.total"));
			ppair(f, an_case_value(r->nat, "syscalls"), an_case_value(r->mod, "syscalls"));
			pnum(f, "%.0f", an_case_value(r->mod, "walk.cycles"));
			pnum(f, "%.2fx", sm);
			pnum(f, "%.2fx", sp);
			fprintf(f, " %s |\n", r->reason);
			if (!isnan(r->m_ns) && (!best || r->m_ns < best->m_ns))
				best = r;
			json_t *jo = json_object();
			json_object_set_new(jo, "cache", json_string(r->cache));
			json_object_set_new(jo, "method", json_string(r->method));
			json_object_set_new(jo, "baseline", json_boolean(r == base));
			json_object_set_new(jo, "native_ns", jnum(r->n_ns));
			json_object_set_new(jo, "model_ns", jnum(r->m_ns));
			json_object_set_new(jo, "native_faults", jnum(an_case_value(r->nat, "faults.total")));
			json_object_set_new(jo, "model_faults", jnum(an_case_value(r->mod, "faults.total")));
			json_object_set_new(jo, "native_syscalls", jnum(an_case_value(r->nat, "syscalls")));
			json_object_set_new(jo, "model_syscalls", jnum(an_case_value(r->mod, "syscalls")));
			json_object_set_new(jo, "model_walk_cycles", jnum(an_case_value(r->mod, "walk.cycles")));
			json_object_set_new(jo, "speedup_measured", jnum(sm));
			json_object_set_new(jo, "speedup_predicted", jnum(sp));
			json_object_set_new(jo, "reason", json_string(r->reason));
			json_array_append_new(jarr, jo);
		}
		if (best && base) {
			fprintf(f, "\nPredicted: **%s** is fastest with a %s cache, %.2fx against %s",
				best->method, rows[i].cache, ratio(base->m_ns, best->m_ns), base->method);
			if (!model_only)
				fprintf(f, " (measured here: %.2fx)", ratio(base->n_ns, best->n_ns));
			fprintf(f, ".\n");
		}
	}
}

/* Find a case of source src in a result file loaded from path; the rows' cases. */
static int load_rows(const char *dir, int model_only, struct an_set *nat, struct an_set *mod,
		     struct wi_row *rows, size_t *nrows, uint64_t nrec)
{
	char pn[PATH_MAX], pm[PATH_MAX];
	char *an[1] = { pn }, *am[1] = { pm };

	mb_sfmt(pn, sizeof(pn), "%s/native.json", dir);
	mb_sfmt(pm, sizeof(pm), "%s/model.json", dir);
	memset(nat, 0, sizeof(*nat));
	memset(mod, 0, sizeof(*mod));
	if (an_set_load(mod, am, 1))
		return -EINVAL;
	if (!model_only && an_set_load(nat, an, 1))
		return -EINVAL;
	json_t *mc = an_result_cases(mod->docs[0]), *c;
	size_t i;
	*nrows = 0;
	json_array_foreach(mc, i, c) {
		struct wi_row *r;
		const char *id = json_string_value(json_object_get(c, "id"));
		if (*nrows >= WI_MAX_ROWS || !id)
			break;
		r = &rows[(*nrows)++];
		memset(r, 0, sizeof(*r));
		r->mod = c;
		r->nat = model_only ? NULL : an_result_find_case(nat->docs[0], id, "native");
		an_case_variant(c, r->method, sizeof(r->method));
		an_case_method(c, r->family, sizeof(r->family));
		an_case_cache(c, r->cache, sizeof(r->cache));
		r->m_ns = an_case_value(c, "ns");
		r->n_ns = r->nat ? an_case_value(r->nat, "ns") : NAN;
		an_model_reason(r->mod, nrec, an_case_working_set(c) / 4096, r->reason, sizeof(r->reason));
	}
	return *nrows ? 0 : -ENOENT;
}

int cmd_whatif(int argc, char **argv)
{
	struct suite_run_opts o;
	const char *trace = NULL, *used_opt = NULL, *profile = "host";
	char methods[1024] = "mmap read fread io_uring,qd=1 io_uring,qd=32", caches[512] = "cold warm-read";
	char exe[PATH_MAX], tpath[PATH_MAX], spath[PATH_MAX + 16], err[1024], used[32];
	unsigned reps = 0;
	int c, model_only = 0, rc = 2;
	struct trace_reader *tr = NULL;
	struct suite *s = NULL;

	if (suite_run_opts_init(&o, exe, sizeof(exe), "whatif"))
		return 2;
	o.jobs = 1;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "o:qh", long_opts, NULL)) != -1) {
		switch (c) {
		case 'o': o.out_dir = optarg; break;
		case 'q': o.progress = 0; break;
		case 'h': fputs(usage_text, stdout); return 0;
		case OPT_METHODS:
			if (list_words("methods", optarg, methods, sizeof(methods)))
				return 2;
			break;
		case OPT_CACHE:
			if (list_words("cache", optarg, caches, sizeof(caches)))
				return 2;
			break;
		case OPT_USED: used_opt = optarg; break;
		case OPT_REPS: {
			char *e;
			unsigned long v = strtoul(optarg, &e, 10);
			if (*e || !v || v > SUITE_MAX_REPS) {
				mb_err("whatif", "--reps '%s': expected 1..%u", optarg, SUITE_MAX_REPS);
				return 2;
			}
			reps = (unsigned)v;
			break;
		}
		case OPT_PROFILE: profile = optarg; break;
		case OPT_PCACHE: o.profile_cache = optarg; break;
		case OPT_MODEL_ONLY: model_only = 1; break;
		default:
			mb_err("whatif", "unknown or incomplete option '%s' (see mapbench whatif --help)",
			       argv[optind - 1]);
			return 2;
		}
	}
	if (optind + 1 != argc || !o.out_dir) {
		fputs(usage_text, stderr);
		return 2;
	}
	trace = argv[optind];
	if (!realpath(trace, tpath)) {
		mb_errno("whatif", -errno, "trace %s", trace);
		return 2;
	}
	if (trace_reader_open(tpath, &tr, err, sizeof(err))) {
		mb_err("whatif", "%s", err);
		return 2;
	}
	const struct trace_hdr *h = trace_reader_hdr(tr);
	uint64_t nrec = h->nrec;
	if (h->region_kind != TRACE_REGION_FILE) {
		mb_err("whatif", "trace %s is an anonymous-memory trace: whatif compares file access "
				 "methods (record or import a file trace)", trace);
		trace_reader_destroy(tr);
		return 2;
	}
	spec_used(h->spec, used, sizeof(used));
	trace_reader_destroy(tr);
	if (used_opt)
		mb_sfmt(used, sizeof(used), "%s", used_opt);
	else if (!used[0])
		mb_sfmt(used, sizeof(used), "read");
	if (strcmp(used, "mmap") && strcmp(used, "read") && strcmp(used, "fread") &&
	    strcmp(used, "io_uring")) {
		mb_err("whatif", "--used '%s': expected mmap, read, fread or io_uring", used);
		return 2;
	}
	if (mkdir(o.out_dir, 0777) && errno != EEXIST) {
		mb_errno("whatif", -errno, "mkdir %s", o.out_dir);
		return 2;
	}

	/* The suite: one group, the trace x methods x caches. */
	char text[4096], repl[32] = "";
	if (reps)
		mb_sfmt(repl, sizeof(repl), "reps = %u\n", reps);
	mb_sfmt(text, sizeof(text),
		"# written by mapbench whatif for %s\n[suite]\nname = whatif\n"
		"description = whatif: the methods on a recorded trace (program used %s)\n"
		"profile = %s\n%s[recorded]\ntrace = @%s\nmethod = %s\ncache = %s\n",
		trace, used, profile, repl, tpath, methods, caches);
	mb_sfmt(spath, sizeof(spath), "%s/whatif.suite", o.out_dir);
	if ((rc = mb_write_atomic(spath, text, strlen(text)))) {
		mb_errno("whatif", rc, "%s", spath);
		return 2;
	}
	if (suite_load(spath, &s, err, sizeof(err))) {
		mb_err("whatif", "%s", err);
		return 2;
	}
	o.sides = model_only ? SUITE_MODEL : SUITE_NATIVE | SUITE_MODEL;
	int sr = suite_run(s, &o);
	suite_destroy(s);
	if (sr == 2 || sr == SUITE_EXIT_INTERRUPTED)
		return sr;

	struct an_set nat, mod;
	static struct wi_row rows[WI_MAX_ROWS];
	size_t nrows = 0;
	if (load_rows(o.out_dir, model_only, &nat, &mod, rows, &nrows, nrec)) {
		mb_err("whatif", "no results in %s to decide from (see %s/logs)", o.out_dir, o.out_dir);
		an_set_free(&nat);
		an_set_free(&mod);
		return 2;
	}

	json_t *doc = json_object(), *jarr = json_array();
	struct mb_atomic a;
	char mpath[PATH_MAX + 16], jpath[PATH_MAX + 16];
	char *md = NULL;
	size_t mdlen = 0;
	FILE *mf = open_memstream(&md, &mdlen);
	if (!mf) {
		rc = 2;
		goto out;
	}
	fprintf(mf, "# whatif: %s\n\ntrace %s, %" PRIu64 " records; the program used %s; model profile %s%s\n",
		trace, tpath, nrec, used, profile,
		model_only ? "; model only (no native replays)" : "");
	tables(mf, rows, nrows, used, jarr, model_only);
	fprintf(mf, "\nSpeed-ups are the baseline's time over the method's (> 1: faster than what the "
		    "program used); measured from native medians, predicted from the model. The reason is "
		    "the model's two largest cycle components. Results, comparison and plots: %s.\n",
		o.out_dir);
	fclose(mf);
	fputs(md, stdout);
	mb_sfmt(mpath, sizeof(mpath), "%s/whatif.md", o.out_dir);
	rc = mb_write_atomic(mpath, md, mdlen);
	if (rc)
		mb_errno("whatif", rc, "%s", mpath);
	json_object_set_new(doc, "schema", json_string("mapbench-whatif/1"));
	json_object_set_new(doc, "trace", json_string(tpath));
	json_object_set_new(doc, "used", json_string(used));
	json_object_set_new(doc, "profile", json_string(profile));
	json_object_set_new(doc, "rows", jarr);
	mb_sfmt(jpath, sizeof(jpath), "%s/whatif.json", o.out_dir);
	if (!rc && !(rc = mb_atomic_open(&a, jpath))) {
		if (json_dumpf(doc, a.fp, JSON_INDENT(1) | JSON_SORT_KEYS)) {
			mb_atomic_abort(&a);
			rc = -EIO;
		} else {
			rc = mb_atomic_commit(&a);
		}
		if (rc)
			mb_errno("whatif", rc, "%s", jpath);
	}
	rc = rc ? 2 : sr ? 1 : 0;
out:
	free(md);
	json_decref(doc);
	an_set_free(&nat);
	an_set_free(&mod);
	return rc;
}
