/*
 * analysis/compare.c — native/model join, per-row tolerance check and the
 * per-family agreement summary of analysis/compare.h.
 *
 * Invariants: a row is OK or BEYOND only when both sides have a value; a
 * metric that was not measured on either side is UNSUPPORTED (with both
 * sides' reasons), never treated as 0; a family with no compared row has
 * verdict "no data", which is neither a pass nor a fail.
 */
#include "analysis/compare.h"
#include "common/mb.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The tolerance table. Fault, syscall, page-table, page-cache and time figures
 * are the targets of issue 5 ("Targets on this host"); the TLB row has no
 * target there and is our choice (10% per case, 95% of cases), to be revised
 * when a host with a PMU gives real data.
 */
static const struct an_tolerance tolerances[AN_FAM__COUNT] = {
	[AN_FAM_FAULTS] = { "faults", "faults.total/.minor/.major", 0.02, 8, 1, 0.95, 0,
			    "fault handler / fault-around / readahead policy", "issue 5 target" },
	[AN_FAM_SYSCALLS] = { "syscalls", "syscalls, syscalls.*", 0, 0, 0, 1.0, 0,
			      "syscall / stdio / io_uring path model", "issue 5 target" },
	[AN_FAM_PAGECACHE] = { "pagecache", "pagecache.*", 0.02, 0, 0, 1.0, 0,
			       "page cache / readahead model", "issue 5 target" },
	[AN_FAM_PT] = { "pt", "pt.bytes", 0, 0, 0, 1.0, 0,
			"page table (page-table page allocation)", "issue 5 target" },
	[AN_FAM_TLB] = { "tlb", "tlb.*, walk.*", 0.10, 0, 0, 0.95, 0,
			 "TLB geometry / replacement / paging-structure caches",
			 "mapbench choice (no target in issue 5)" },
	[AN_FAM_TIME] = { "time", "cycles, ns, ns_per_access, bytes_per_s", 0.25, 0, 0, 0, 0.25,
			  "cost profile (calibration)", "issue 5 target: median |error| <= 25%" },
	[AN_FAM_CHECKSUM] = { "checksum", "checksum", 0, 0, 0, 1.0, 0,
			      "access method (bytes folded differ)", "DESIGN.md: identical across methods" },
};

static const char *const status_names[AN_CMP__COUNT] = {
	"ok", "beyond tolerance", "unsupported", "missing",
};

const struct an_tolerance *an_tolerance_of(enum an_family f)
{
	return (unsigned)f < AN_FAM__COUNT ? &tolerances[f] : NULL;
}

const char *an_cmp_status_name(enum an_cmp_status s)
{
	return (unsigned)s < AN_CMP__COUNT ? status_names[s] : "?";
}

int an_family_parse(const char *name, enum an_family *out)
{
	for (int i = 0; i < AN_FAM__COUNT; i++)
		if (!strcmp(name, tolerances[i].name)) {
			*out = (enum an_family)i;
			return 0;
		}
	if (!strcmp(name, "pt.bytes") || !strcmp(name, "pagecache.added")) {
		*out = name[0] == 'p' && name[1] == 't' ? AN_FAM_PT : AN_FAM_PAGECACHE;
		return 0;
	}
	return -EINVAL;
}

static int has_prefix(const char *s, const char *p)
{
	return !strncmp(s, p, strlen(p));
}

int an_metric_family(const char *m)
{
	if (has_prefix(m, "faults."))
		return AN_FAM_FAULTS;
	if (!strcmp(m, "syscalls") || has_prefix(m, "syscalls."))
		return AN_FAM_SYSCALLS;
	if (has_prefix(m, "pagecache."))
		return AN_FAM_PAGECACHE;
	if (!strcmp(m, "pt.bytes"))
		return AN_FAM_PT;
	if (has_prefix(m, "tlb.") || has_prefix(m, "walk."))
		return AN_FAM_TLB;
	if (!strcmp(m, "cycles") || !strcmp(m, "ns") || !strcmp(m, "ns_per_access") ||
	    !strcmp(m, "bytes_per_s"))
		return AN_FAM_TIME;
	if (!strcmp(m, "checksum"))
		return AN_FAM_CHECKSUM;
	return -1;
}

/* Growable row array. */
struct rows {
	struct an_cmp_row *v; /* rows */
	size_t n, cap;        /* used, allocated */
};

static struct an_cmp_row *row_new(struct rows *r)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 64;
		struct an_cmp_row *v = realloc(r->v, cap * sizeof(*v));
		if (!v)
			return NULL;
		r->v = v;
		r->cap = cap;
	}
	memset(&r->v[r->n], 0, sizeof(r->v[0]));
	r->v[r->n].native = r->v[r->n].model = r->v[r->n].ratio = NAN;
	return &r->v[r->n++];
}

static int warm_state(const json_t *c)
{
	char cache[128];

	an_case_cache(c, cache, sizeof(cache));
	return has_prefix(cache, "warm") || has_prefix(cache, "tmpfs");
}

/* "<side>: <status> (<reason>)" for a metric that has no value. */
static void why_not(const char *side, const json_t *m, char *buf, size_t len)
{
	const char *st = json_string_value(json_object_get(m, "status"));
	const char *rs = json_string_value(json_object_get(m, "reason"));

	snprintf(buf, len, "%s %s (%s)", side, st ? st : "?", rs ? rs : "no reason");
}

/* Compare one metric of a joined pair into row. */
static void compare_metric(struct an_cmp_row *row, const json_t *nc, const json_t *mc)
{
	const struct an_tolerance *t = &tolerances[row->fam];
	json_t *nm = an_case_metric(nc, row->metric), *mm = an_case_metric(mc, row->metric);
	int nr = an_metric_value(nm, &row->native, NULL);
	int mr = an_metric_value(mm, &row->model, NULL);
	char a[96] = "", b[96] = "";
	double d, lim;

	if (nr) row->native = NAN;
	if (mr) row->model = NAN;
	row->exact = (t->rel == 0 && t->abs == 0) || (t->exact_warm && warm_state(nc));
	if (!nm || !mm) {
		row->status = AN_CMP_MISSING;
		snprintf(row->note, sizeof(row->note), "absent from the %s case", !nm ? "native" : "model");
		return;
	}
	if (nr || mr) {
		row->status = AN_CMP_UNSUPPORTED;
		if (nr)
			why_not("native", nm, a, sizeof(a));
		if (mr)
			why_not("model", mm, b, sizeof(b));
		snprintf(row->note, sizeof(row->note), "%s%s%s", a, *a && *b ? "; " : "", b);
		return;
	}
	if (row->native == 0)
		row->ratio = row->model == 0 ? 1 : INFINITY;
	else
		row->ratio = row->model / row->native;
	d = fabs(row->model - row->native);
	lim = row->exact ? 0 : fmax(t->rel * fabs(row->native), t->abs);
	/* the model's own, stated tolerance for a value that depends on timing */
	json_t *tr = json_object_get(mm, "tolerance_rel");
	const char *why = json_string_value(json_object_get(mm, "tolerance_reason"));
	if (json_is_number(tr) && json_number_value(tr) * fabs(row->native) > lim) {
		lim = json_number_value(tr) * fabs(row->native);
		row->exact = 0;
	} else {
		why = NULL;
	}
	/*
	 * Warm states without a memory limit: pages of the file the system
	 * removed during the replay (native cache.evicted: kdamond's pageout,
	 * kswapd) and the replay read back are added natively but not in the
	 * model, whose cache stays whole; the harness counted such repetitions
	 * again (BENCH_TP_REDO) and reports the last. Up to that many pages more
	 * added natively are explained, and the note says so.
	 */
	double ev = row->fam == AN_FAM_PAGECACHE && !strcmp(row->metric, "pagecache.added")
			    ? an_case_value(nc, "cache.evicted") : NAN;
	if (d > lim && ev > 0 && row->native > row->model && row->native - row->model <= ev && warm_state(nc) &&
	    !an_id_number(json_string_value(json_object_get(nc, "id")), "|mem=")) {
		row->status = AN_CMP_OK;
		snprintf(row->note, sizeof(row->note), "within: the system removed %.0f page(s) of the file from the "
			 "page cache during the replay (cache.evicted) and the replay read them back; the model's "
			 "cache stays whole (|model-native| = %.6g)", ev, d);
		return;
	}
	if (d <= lim) {
		row->status = AN_CMP_OK;
		if (why)
			snprintf(row->note, sizeof(row->note), "within the case's tolerance %.0f%%: %s",
				 100 * json_number_value(tr), why);
	} else {
		row->status = AN_CMP_BEYOND;
		snprintf(row->note, sizeof(row->note), "|model-native| = %.6g > %s%.6g: %s%s", d,
			 row->exact ? "exact " : "", lim, why ? "the case's tolerance: " : "",
			 why ? why : t->component);
	}
}

/*
 * The shared vocabulary (DESIGN.md): a metric of this list absent from one
 * side is MISSING; any other metric of a family (e.g. the model's
 * faults.around) is compared only when both sides give it.
 */
static const char *const shared_metrics[] = {
	"cycles", "ns", "ns_per_access", "bytes_per_s", "faults.total", "faults.minor",
	"faults.major", "tlb.l1d.miss", "tlb.stlb.miss", "walk.cycles", "syscalls",
	"syscalls.read", "pagecache.added", "pt.bytes",
};

static int is_shared(const char *m)
{
	for (size_t i = 0; i < MB_ARRAY_SIZE(shared_metrics); i++)
		if (!strcmp(m, shared_metrics[i]))
			return 1;
	return 0;
}

/* Rows for the metrics of a joined pair that belong to a compared family. */
static void add_pair_rows(struct rows *rows, const json_t *nc, const json_t *mc, int *err)
{
	const json_t *sides[2] = { nc, mc };
	const char *name;
	json_t *m;

	for (int s = 0; s < 2 && !*err; s++) {
		json_object_foreach(json_object_get(sides[s], "metrics"), name, m) {
			int fam = an_metric_family(name);
			struct an_cmp_row *row;
			(void)m;
			if (fam < 0)
				continue;
			if (s == 1 && an_case_metric(nc, name))
				continue; /* already done from the native side */
			if (!is_shared(name) && (!an_case_metric(nc, name) || !an_case_metric(mc, name)))
				continue; /* one side's extra (checksum, faults.around, ...) */
			row = row_new(rows);
			if (!row) {
				*err = -ENOMEM;
				return;
			}
			row->id = an_case_str(nc, "id");
			row->profile = an_case_str(mc, "profile");
			row->metric = name;
			row->fam = (enum an_family)fam;
			compare_metric(row, nc, mc);
		}
	}
}

int an_compare_quiet; /* see compare.h */

/* A case list over all documents of one source. */
struct clist {
	const json_t **v; /* cases */
	size_t n;         /* count */
};

static int collect(const struct an_set *set, const char *source, struct clist *l)
{
	size_t cap = 0;

	l->v = NULL;
	l->n = 0;
	for (size_t d = 0; d < set->n; d++) {
		size_t i;
		json_t *c;
		json_array_foreach(an_result_cases(set->docs[d]), i, c) {
			if (strcmp(an_case_str(c, "source"), source))
				continue;
			/* a repeated id (+profile) is reported and the first kept */
			int dup = 0;
			for (size_t k = 0; k < l->n && !dup; k++)
				dup = !strcmp(an_case_str(l->v[k], "id"), an_case_str(c, "id")) &&
				      !strcmp(an_case_str(l->v[k], "profile"), an_case_str(c, "profile"));
			if (dup) {
				if (!an_compare_quiet)
					mb_err("compare", "%s: case %s (%s%s%s) appears more than once; the first is used",
				       set->names[d], an_case_str(c, "id"), source,
				       *an_case_str(c, "profile") ? ", profile " : "", an_case_str(c, "profile"));
				continue;
			}
			if (l->n == cap) {
				const json_t **v = realloc(l->v, (cap = cap ? 2 * cap : 64) * sizeof(*v));
				if (!v)
					return -ENOMEM;
				l->v = v;
			}
			l->v[l->n++] = c;
		}
	}
	return 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median_sorted(double *v, size_t n)
{
	if (!n)
		return NAN;
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int summarize(struct an_compare *c)
{
	double *ratios = malloc((c->nrows + 1) * sizeof(double));
	double *errs = malloc((c->nrows + 1) * sizeof(double));

	if (!ratios || !errs) {
		free(ratios);
		free(errs);
		return -ENOMEM;
	}
	for (int f = 0; f < AN_FAM__COUNT; f++) {
		struct an_cmp_family *s = &c->fam[f];
		const struct an_tolerance *t = &tolerances[f];
		double worst = -1;
		size_t k = 0;

		memset(s, 0, sizeof(*s));
		s->worst_ratio = NAN;
		for (size_t i = 0; i < c->nrows; i++) {
			const struct an_cmp_row *r = &c->rows[i];
			double lr;
			if (r->fam != (enum an_family)f || !strcmp(r->metric, "*"))
				continue;
			s->rows++;
			if (r->status == AN_CMP_UNSUPPORTED)
				s->unsupported++;
			if (r->status == AN_CMP_MISSING)
				s->missing++;
			if (r->status != AN_CMP_OK && r->status != AN_CMP_BEYOND)
				continue;
			s->compared++;
			s->within += r->status == AN_CMP_OK;
			s->exact_beyond += r->status == AN_CMP_BEYOND && r->exact;
			ratios[k] = r->ratio;
			errs[k++] = fabs(r->ratio - 1);
			lr = fabs(log(r->ratio));
			if (lr > worst) {
				worst = lr;
				s->worst_ratio = r->ratio;
				s->worst_id = r->id;
				s->worst_metric = r->metric;
			}
		}
		s->median_ratio = median_sorted(ratios, k);
		s->median_err = median_sorted(errs, k);
		s->share = k ? (double)s->within / (double)k : NAN;
		if (!k)
			s->verdict = -1;
		else if (t->max_median_err > 0)
			s->verdict = s->median_err <= t->max_median_err;
		else
			s->verdict = s->share >= t->min_share && !s->exact_beyond;
	}
	free(ratios);
	free(errs);
	return 0;
}

static void warn(struct an_compare *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(struct an_compare *c, const char *fmt, ...)
{
	va_list ap;

	if (c->nwarnings >= sizeof(c->warnings) / sizeof(c->warnings[0]))
		return;
	va_start(ap, fmt);
	vsnprintf(c->warnings[c->nwarnings++], sizeof(c->warnings[0]), fmt, ap);
	va_end(ap);
}

/*
 * Fingerprints: the native documents' host.fingerprint.hash against each
 * model profile's profile_fingerprint (bench/fingerprint.h). Native results
 * of several hosts, a stock profile (no fingerprint), or a profile
 * calibrated on another host than the native results' each get a warning;
 * so does a profile calibrate flagged noisy.
 */
static void check_fingerprints(const struct an_set *set, struct an_compare *c)
{
	const char *nat = NULL, *seen[16];
	size_t nseen = 0;

	for (size_t d = 0; d < set->n; d++) {
		json_t *cases = an_result_cases(set->docs[d]), *x;
		json_t *fp = json_object_get(json_object_get(an_result_host(set->docs[d]), "fingerprint"), "hash");
		int has_native = 0;
		size_t i;
		json_array_foreach(cases, i, x)
			has_native |= !strcmp(an_case_str(x, "source"), "native");
		if (!has_native)
			continue;
		if (!json_is_string(fp)) {
			warn(c, "native results %s carry no host fingerprint (written before fingerprints existed): "
				"cannot check that the model profile was calibrated on their host", set->names[d]);
			continue;
		}
		if (nat && strcmp(nat, json_string_value(fp)))
			warn(c, "native results come from more than one host: fingerprints %s and %s (%s)", nat,
			     json_string_value(fp), set->names[d]);
		else if (!nat)
			nat = json_string_value(fp);
	}
	for (size_t d = 0; d < set->n; d++) {
		json_t *cases = an_result_cases(set->docs[d]), *x;
		size_t i;
		json_array_foreach(cases, i, x) {
			const char *prof = an_case_str(x, "profile"), *noisy;
			json_t *pf = json_object_get(x, "profile_fingerprint");
			int dup = 0;
			if (strcmp(an_case_str(x, "source"), "model"))
				continue;
			for (size_t k = 0; k < nseen; k++)
				dup |= !strcmp(seen[k], prof);
			if (dup || nseen >= sizeof(seen) / sizeof(seen[0]))
				continue;
			seen[nseen++] = prof;
			noisy = json_string_value(json_object_get(x, "profile_noisy"));
			if (noisy)
				warn(c, "model profile %s was flagged by calibrate: %s", prof, noisy);
			if (!nat)
				continue;
			if (!json_is_string(pf))
				warn(c, "model profile %s is not calibrated on a host (a stock profile, no fingerprint); "
					"the native results come from host %s: time agreement is not expected", prof, nat);
			else if (strcmp(json_string_value(pf), nat))
				warn(c, "model profile %s was calibrated on host %s, the native results come from host %s: "
					"times are compared across hosts", prof, json_string_value(pf), nat);
		}
	}
}

/*
 * Host drift: the native documents' host.drift checks (runner.c, written by
 * `calibrate --drift` before, among and after the native cases). The median
 * of their geometric means beyond the bound is a warning: the model's costs
 * were measured on a host that ran at another speed than during the
 * replays. So is a check that could not be made (once).
 */
static void check_drift(const struct an_set *set, struct an_compare *c)
{
	double g[MB_ARRAY_SIZE(c->drift)];
	const char *unsup = NULL;
	size_t n = 0;

	c->drift_median = c->drift_min = c->drift_max = NAN;
	c->drift_bound = 0.05;
	for (size_t d = 0; d < set->n; d++) {
		json_t *drift = json_object_get(an_result_host(set->docs[d]), "drift"), *x;
		const char *label;
		json_object_foreach(drift, label, x) {
			const char *v = json_string_value(json_object_get(x, "verdict"));
			json_t *gm = json_object_get(x, "geomean"), *b = json_object_get(x, "bound");
			struct an_cmp_drift *dr;
			if (!v || c->ndrift >= MB_ARRAY_SIZE(c->drift))
				continue;
			dr = &c->drift[c->ndrift++];
			snprintf(dr->label, sizeof(dr->label), "%s", label);
			snprintf(dr->verdict, sizeof(dr->verdict), "%s", v);
			dr->geomean = json_is_number(gm) ? json_number_value(gm) : NAN;
			if (json_is_number(b))
				c->drift_bound = json_number_value(b);
			if (!isnan(dr->geomean))
				g[n++] = dr->geomean;
			else if (!unsup)
				unsup = json_string_value(json_object_get(x, "reason"));
		}
	}
	if (n) {
		c->drift_median = median_sorted(g, n); /* sorts g */
		c->drift_min = g[0];
		c->drift_max = g[n - 1];
		if (fabs(c->drift_median - 1) > c->drift_bound)
			warn(c, "the host drifted since the model profile was calibrated: over %zu checks among the native cases "
				"its drift probes ran at a median %.2fx their calibrated cycles (range %.2f-%.2f; bound +-%.0f%%): "
				"times compare a %s host against the profile's; `suite run --recalibrate`", n, c->drift_median,
			     c->drift_min, c->drift_max, 100 * c->drift_bound, c->drift_median > 1 ? "slower" : "faster");
	}
	if (c->ndrift > n)
		warn(c, "host drift not checked (%zu of %zu checks): %s", c->ndrift - n, c->ndrift,
		     unsup ? unsup : "no reason given");
}

int an_compare_run(const struct an_set *set, struct an_compare **out)
{
	struct clist nat = { 0 }, mod = { 0 };
	struct rows rows = { 0 };
	struct an_compare *c = calloc(1, sizeof(*c));
	char *used = NULL;
	int err = 0;

	*out = NULL;
	if (!c || collect(set, "native", &nat) || collect(set, "model", &mod) ||
	    !(used = calloc(mod.n + 1, 1))) {
		err = -ENOMEM;
		goto out_free;
	}
	for (size_t i = 0; i < nat.n && !err; i++) {
		int found = 0;
		for (size_t j = 0; j < mod.n && !err; j++) {
			if (strcmp(an_case_str(nat.v[i], "id"), an_case_str(mod.v[j], "id")))
				continue;
			found = used[j] = 1;
			c->joined++;
			add_pair_rows(&rows, nat.v[i], mod.v[j], &err);
		}
		if (!found && !err) {
			struct an_cmp_row *r = row_new(&rows);
			if (!r) {
				err = -ENOMEM;
				break;
			}
			r->id = an_case_str(nat.v[i], "id");
			r->profile = "";
			r->metric = "*";
			r->status = AN_CMP_MISSING;
			snprintf(r->note, sizeof(r->note), "no model case with this id");
		}
	}
	for (size_t j = 0; j < mod.n && !err; j++) {
		struct an_cmp_row *r;
		if (used[j])
			continue;
		r = row_new(&rows);
		if (!r) {
			err = -ENOMEM;
			break;
		}
		r->id = an_case_str(mod.v[j], "id");
		r->profile = an_case_str(mod.v[j], "profile");
		r->metric = "*";
		r->status = AN_CMP_MISSING;
		snprintf(r->note, sizeof(r->note), "no native case with this id");
	}
	c->rows = rows.v;
	c->nrows = rows.n;
	rows.v = NULL;
	c->native_cases = nat.n;
	c->model_cases = mod.n;
	if (!err)
		err = summarize(c);
	if (!err) {
		check_fingerprints(set, c);
		check_drift(set, c);
	}
out_free:
	free(rows.v);
	free(used);
	free(nat.v);
	free(mod.v);
	if (err) {
		an_compare_destroy(c);
		return err;
	}
	*out = c;
	return 0;
}

void an_compare_destroy(struct an_compare *c)
{
	if (!c)
		return;
	free(c->rows);
	free(c);
}

/* ---- output ------------------------------------------------------------ */

static const char *verdict_name(int v)
{
	return v < 0 ? "no data" : v ? "pass" : "FAIL";
}

static void tol_str(const struct an_tolerance *t, char *buf, size_t len)
{
	char rule[64];

	if (t->rel == 0 && t->abs == 0)
		snprintf(buf, len, "exact");
	else if (t->abs)
		snprintf(buf, len, "±%g%% or ±%g", t->rel * 100, t->abs);
	else
		snprintf(buf, len, "±%g%%", t->rel * 100);
	if (t->max_median_err > 0)
		snprintf(rule, sizeof(rule), "; pass: median |err| <= %g%%", t->max_median_err * 100);
	else
		snprintf(rule, sizeof(rule), "; pass: >= %g%% of cases", t->min_share * 100);
	if (t->exact_warm)
		strncat(buf, ", exact warm/tmpfs", len - strlen(buf) - 1);
	strncat(buf, rule, len - strlen(buf) - 1);
}

static void num(double v, char *buf, size_t len)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else if (isinf(v))
		snprintf(buf, len, "inf");
	else
		snprintf(buf, len, "%.4g", v);
}

/* One line: the drift checks' median and range, "median 1.003x over 9 checks (0.95-1.04): steady" (empty when none). */
static void drift_line(const struct an_compare *c, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = 0;
	for (size_t i = 0; i < c->ndrift; i++)
		n += !isnan(c->drift[i].geomean);
	if (n)
		snprintf(buf, len, "median %.3fx over %zu checks (range %.3f-%.3f): %s", c->drift_median, n,
			 c->drift_min, c->drift_max, fabs(c->drift_median - 1) > c->drift_bound ? "drifted" : "steady");
	else if (c->ndrift)
		snprintf(buf, len, "%zu checks, none measured: unsupported", c->ndrift);
}

void an_compare_print_text(const struct an_compare *c, FILE *f, int all)
{
	char a[32], b[32], d[32], e[32], tol[128];
	size_t flagged = 0;

	fprintf(f, "compare: %zu native case(s), %zu model case(s), %zu pair(s) joined\n\n",
		c->native_cases, c->model_cases, c->joined);
	for (size_t i = 0; i < c->nwarnings; i++)
		fprintf(f, "warning: %s\n%s", c->warnings[i], i + 1 == c->nwarnings ? "\n" : "");
	drift_line(c, tol, sizeof(tol));
	if (tol[0])
		fprintf(f, "host drift since calibration (calibrate --drift probes, now / calibrated, bound +-%.0f%%): %s\n\n",
			100 * c->drift_bound, tol);
	fprintf(f, "%-10s %8s %8s %7s %9s %9s %9s %6s %6s  %-8s %s\n", "family", "compared", "within",
		"share", "med.ratio", "worst", "med|err|", "unsup", "miss", "verdict", "tolerance");
	for (int i = 0; i < AN_FAM__COUNT; i++) {
		const struct an_cmp_family *s = &c->fam[i];
		if (!s->rows)
			continue;
		num(s->share * 100, a, sizeof(a));
		num(s->median_ratio, b, sizeof(b));
		num(s->worst_ratio, d, sizeof(d));
		num(s->median_err * 100, e, sizeof(e));
		tol_str(&tolerances[i], tol, sizeof(tol));
		fprintf(f, "%-10s %8zu %8zu %6s%% %9s %9s %8s%% %6zu %6zu  %-8s %s\n", tolerances[i].name,
			s->compared, s->within, a, b, d, e, s->unsupported, s->missing,
			verdict_name(s->verdict), tol);
	}
	for (size_t i = 0; i < c->nrows; i++) {
		const struct an_cmp_row *r = &c->rows[i];
		if (!all && r->status == AN_CMP_OK)
			continue;
		if (!all && r->status == AN_CMP_UNSUPPORTED)
			continue; /* summarised below */
		if (!flagged++)
			fprintf(f, "\n%-16s %12s %12s %9s  %-16s %s\n", "metric", "native", "model", "ratio",
				"status", "case [profile]: note");
		num(r->native, a, sizeof(a));
		num(r->model, b, sizeof(b));
		num(r->ratio, d, sizeof(d));
		fprintf(f, "%-16s %12s %12s %9s  %-16s %s%s%s%s: %s\n", r->metric, a, b, d,
			an_cmp_status_name(r->status), r->id, *r->profile ? " [" : "", r->profile,
			*r->profile ? "]" : "", *r->note ? r->note : "-");
	}
	if (!all) {
		/* unsupported rows grouped by metric and note */
		int header = 0;
		for (size_t i = 0; i < c->nrows; i++) {
			const struct an_cmp_row *r = &c->rows[i];
			size_t n = 0, k;
			if (r->status != AN_CMP_UNSUPPORTED)
				continue;
			for (k = 0; k < i; k++)
				if (c->rows[k].status == AN_CMP_UNSUPPORTED &&
				    !strcmp(c->rows[k].metric, r->metric) && !strcmp(c->rows[k].note, r->note))
					break;
			if (k < i)
				continue;
			for (k = i; k < c->nrows; k++)
				n += c->rows[k].status == AN_CMP_UNSUPPORTED &&
				     !strcmp(c->rows[k].metric, r->metric) && !strcmp(c->rows[k].note, r->note);
			if (!header++)
				fprintf(f, "\nnot compared (not measured on a side):\n");
			fprintf(f, "  %-16s %5zu case(s): %s\n", r->metric, n, r->note);
		}
	}
}

static void md_cell(FILE *f, const char *s)
{
	for (; *s; s++)
		fputs(*s == '|' ? "\\|" : (char[]){ *s, 0 }, f);
}

void an_compare_print_markdown(const struct an_compare *c, FILE *f)
{
	char a[32], b[32], d[32], e[32], tol[128];
	size_t flagged = 0;

	fprintf(f, "## Model vs native agreement\n\n%zu native case(s), %zu model case(s), %zu pair(s) joined.\n\n",
		c->native_cases, c->model_cases, c->joined);
	for (size_t i = 0; i < c->nwarnings; i++)
		fprintf(f, "> **warning:** %s\n%s", c->warnings[i], i + 1 == c->nwarnings ? "\n" : ">\n");
	drift_line(c, tol, sizeof(tol));
	if (tol[0])
		fprintf(f, "Host drift since calibration (`calibrate --drift` probes, now / calibrated, bound ±%.0f%%): %s.\n\n",
			100 * c->drift_bound, tol);
	fprintf(f, "| family | compared | within | share | median ratio | worst ratio (case, metric) | median abs. error | unsupported | missing | verdict | tolerance |\n"
		   "|---|---:|---:|---:|---:|---|---:|---:|---:|---|---|\n");
	for (int i = 0; i < AN_FAM__COUNT; i++) {
		const struct an_cmp_family *s = &c->fam[i];
		if (!s->rows)
			continue;
		num(s->share * 100, a, sizeof(a));
		num(s->median_ratio, b, sizeof(b));
		num(s->worst_ratio, d, sizeof(d));
		num(s->median_err * 100, e, sizeof(e));
		tol_str(&tolerances[i], tol, sizeof(tol));
		fprintf(f, "| %s | %zu | %zu | %s%% | %s | %s", tolerances[i].name, s->compared, s->within, a, b, d);
		if (s->worst_id) {
			fputs(" (`", f);
			md_cell(f, s->worst_id);
			fprintf(f, "`, %s)", s->worst_metric);
		}
		fprintf(f, " | %s%% | %zu | %zu | %s | ", e, s->unsupported, s->missing,
			verdict_name(s->verdict));
		md_cell(f, tol);
		fputs(" |\n", f);
	}
	for (size_t i = 0; i < c->nrows; i++) {
		const struct an_cmp_row *r = &c->rows[i];
		if (r->status != AN_CMP_BEYOND && r->status != AN_CMP_MISSING)
			continue;
		if (!flagged++)
			fprintf(f, "\n### Flagged cases\n\n| case | profile | metric | native | model | ratio | status | likely component / note |\n"
				   "|---|---|---|---:|---:|---:|---|---|\n");
		num(r->native, a, sizeof(a));
		num(r->model, b, sizeof(b));
		num(r->ratio, d, sizeof(d));
		fputs("| `", f);
		md_cell(f, r->id);
		fprintf(f, "` | %s | %s | %s | %s | %s | %s | ", r->profile, r->metric, a, b, d,
			an_cmp_status_name(r->status));
		md_cell(f, r->note);
		fputs(" |\n", f);
	}
	if (!flagged)
		fprintf(f, "\nNo case beyond tolerance or missing.\n");
}

static json_t *jnum(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

json_t *an_compare_to_json(const struct an_compare *c)
{
	json_t *fams = json_object(), *rows = json_array();

	for (int i = 0; i < AN_FAM__COUNT; i++) {
		const struct an_cmp_family *s = &c->fam[i];
		const struct an_tolerance *t = &tolerances[i];
		json_object_set_new(fams, t->name, json_pack(
			"{s:{s:f, s:f, s:b, s:f, s:f, s:s}, s:s, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:o, s:o, s:s?, s:s?, s:s, s:s}",
			"tolerance", "rel", t->rel, "abs", t->abs, "exact_warm", t->exact_warm,
			"min_share", t->min_share, "max_median_err", t->max_median_err, "source", t->source,
			"metrics", t->members, "rows", (json_int_t)s->rows, "compared", (json_int_t)s->compared,
			"within", (json_int_t)s->within, "unsupported", (json_int_t)s->unsupported,
			"missing", (json_int_t)s->missing, "share", jnum(s->share),
			"median_ratio", jnum(s->median_ratio), "worst_ratio", jnum(s->worst_ratio),
			"median_abs_err", jnum(s->median_err), "worst_case", s->worst_id,
			"worst_metric", s->worst_metric, "verdict", verdict_name(s->verdict),
			"component", t->component));
	}
	for (size_t i = 0; i < c->nrows; i++) {
		const struct an_cmp_row *r = &c->rows[i];
		json_array_append_new(rows, json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:b, s:s, s:s}",
			"id", r->id, "profile", r->profile, "metric", r->metric,
			"family", strcmp(r->metric, "*") ? tolerances[r->fam].name : "-",
			"native", jnum(r->native), "model", jnum(r->model), "ratio", jnum(r->ratio),
			"exact", r->exact, "status", an_cmp_status_name(r->status), "note", r->note));
	}
	json_t *warns = json_array(), *drift = json_array();
	for (size_t i = 0; i < c->nwarnings; i++)
		json_array_append_new(warns, json_string(c->warnings[i]));
	for (size_t i = 0; i < c->ndrift; i++)
		json_array_append_new(drift, json_pack("{s:s, s:s, s:o}", "label", c->drift[i].label, "verdict",
						       c->drift[i].verdict, "geomean", jnum(c->drift[i].geomean)));
	return json_pack("{s:s, s:i, s:I, s:I, s:I, s:o, s:o, s:{s:o, s:o, s:o, s:f, s:o}, s:o}", "schema",
			 "mapbench-compare", "schema_version", 1, "native_cases", (json_int_t)c->native_cases,
			 "model_cases", (json_int_t)c->model_cases, "joined", (json_int_t)c->joined,
			 "families", fams, "warnings", warns, "drift", "median", jnum(c->drift_median), "min",
			 jnum(c->drift_min), "max", jnum(c->drift_max), "bound", c->drift_bound, "checks", drift,
			 "rows", rows);
}
