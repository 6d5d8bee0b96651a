/*
 * analysis/gate.c — the regression gate of analysis/gate.h.
 *
 * Invariants: every baseline case and metric yields exactly one row; a row
 * fails when the current side lost it, changed a model value beyond epsilon,
 * or shows a native regression that is both significant (U test) and larger
 * than the effect threshold; a native metric without repetitions on both
 * sides is INSUFFICIENT, which fails unless the policy says warn — except
 * when every sample on both sides has the same value (a deterministic count
 * that did not move): that passes as identical.
 */
#include "analysis/gate.h"
#include "common/mb.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const status_names[AN_GATE__COUNT] = {
	"pass", "FAIL", "insufficient", "new", "skip",
};

const char *an_gate_status_name(enum an_gate_status s)
{
	return (unsigned)s < AN_GATE__COUNT ? status_names[s] : "?";
}

/* ---- policy ------------------------------------------------------------ */

void an_gate_policy_default(struct an_gate_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->model_eps = 0;          /* the model is deterministic: identical */
	p->alpha = 0.05;
	p->effect = 0.05;          /* issue 6: "an effect threshold such as 5%" */
	p->min_samples = 3;        /* fewer cannot reach p < 0.05 with a U test anyway */
	p->insufficient_fails = 1; /* never pass on a single run */
	p->new_fails = 0;
	p->holm = 1;
}


static int parse_choice(const char *v, const char *yes, const char *no, int *out)
{
	if (!strcmp(v, yes))
		*out = 1;
	else if (!strcmp(v, no))
		*out = 0;
	else
		return -EINVAL;
	return 0;
}

int an_gate_policy_load(const char *path, struct an_gate_policy *p)
{
	FILE *f = fopen(path, "r");
	char line[512], section[32] = "";
	unsigned lineno = 0;
	int ret = 0;

	if (!f) {
		ret = -errno;
		mb_errno("gate", ret, "policy %s", path);
		return ret;
	}
	while (!ret && fgets(line, sizeof(line), f)) {
		char *s, *eq, *key, *val, *hash;
		double d;

		lineno++;
		hash = strchr(line, '#');
		if (hash)
			*hash = 0;
		s = mb_trim(line);
		if (!*s)
			continue;
		if (*s == '[') {
			char *end = strchr(s, ']');
			if (!end || (end - s - 1) >= (long)sizeof(section)) {
				mb_err("gate", "%s:%u: bad section header '%s'", path, lineno, s);
				ret = -EINVAL;
				break;
			}
			snprintf(section, sizeof(section), "%.*s", (int)(end - s - 1), s + 1);
			if (strcmp(section, "model") && strcmp(section, "native") && strcmp(section, "cases")) {
				mb_err("gate", "%s:%u: unknown section [%s] (expected model, native, cases)",
				       path, lineno, section);
				ret = -EINVAL;
			}
			continue;
		}
		eq = strchr(s, '=');
		if (!eq || !*section) {
			mb_err("gate", "%s:%u: expected 'key = value' inside a [section], found '%s'", path, lineno, s);
			ret = -EINVAL;
			break;
		}
		*eq = 0;
		key = mb_trim(s);
		val = mb_trim(eq + 1);
		if (!strcmp(section, "model")) {
			if (mb_parse_frac(val, &d) || d < 0 || !isfinite(d)) {
				mb_err("gate", "%s:%u: [model] %s: epsilon '%s' is not a fraction >= 0 (e.g. 0, 0.001, 1%%)",
				       path, lineno, key, val);
				ret = -EINVAL;
			} else if (!strcmp(key, "default")) {
				p->model_eps = d;
			} else if (p->neps >= AN_GATE_MAX_RULES || strlen(key) >= sizeof(p->eps[0].metric)) {
				mb_err("gate", "%s:%u: too many [model] rules or metric name too long (limit %d rules, 63 chars)",
				       path, lineno, AN_GATE_MAX_RULES);
				ret = -EINVAL;
			} else {
				snprintf(p->eps[p->neps].metric, sizeof(p->eps[0].metric), "%s", key);
				p->eps[p->neps++].eps = d;
			}
		} else if (!strcmp(section, "native")) {
			uint64_t u;
			if (!strcmp(key, "alpha") && !mb_parse_frac(val, &d) && d > 0 && d < 1)
				p->alpha = d;
			else if (!strcmp(key, "effect") && !mb_parse_frac(val, &d) && d >= 0 && isfinite(d))
				p->effect = d;
			else if (!strcmp(key, "min_samples") && !mb_parse_u64(val, &u) && u >= 2 && u <= 100000)
				p->min_samples = (unsigned)u;
			else if (!strcmp(key, "insufficient") && !parse_choice(val, "fail", "warn", &p->insufficient_fails))
				;
			else if (!strcmp(key, "correction") && !parse_choice(val, "holm", "none", &p->holm))
				;
			else if (!strcmp(key, "ignore")) {
				char *save, *tok;
				for (tok = strtok_r(val, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
					if (p->nignore >= AN_GATE_MAX_RULES || strlen(tok) >= sizeof(p->ignore[0])) {
						mb_err("gate", "%s:%u: too many ignored metrics (limit %d)", path, lineno,
						       AN_GATE_MAX_RULES);
						ret = -EINVAL;
						break;
					}
					snprintf(p->ignore[p->nignore++], sizeof(p->ignore[0]), "%s", tok);
				}
			} else {
				mb_err("gate", "%s:%u: [native] %s = '%s': unknown key or bad value (alpha in (0,1), "
				       "effect >= 0, min_samples 2..100000, insufficient fail|warn, correction holm|none, ignore list)",
				       path, lineno, key, val);
				ret = -EINVAL;
			}
		} else {
			if (strcmp(key, "new") || parse_choice(val, "fail", "warn", &p->new_fails)) {
				mb_err("gate", "%s:%u: [cases] %s = '%s': expected 'new = fail|warn'", path, lineno, key, val);
				ret = -EINVAL;
			}
		}
	}
	fclose(f);
	return ret;
}

static double model_eps(const struct an_gate_policy *p, const char *metric)
{
	for (size_t i = 0; i < p->neps; i++)
		if (!strcmp(p->eps[i].metric, metric))
			return p->eps[i].eps;
	return p->model_eps;
}

static int ignored(const struct an_gate_policy *p, const char *metric)
{
	for (size_t i = 0; i < p->nignore; i++)
		if (!strcmp(p->ignore[i], metric))
			return 1;
	return 0;
}

/* ---- statistics -------------------------------------------------------- */

/* P(U <= u) under H0 for sizes m, n without ties (exact, by counting). */
static double exact_cdf(size_t m, size_t n, double u)
{
	size_t umax = m * n, w = umax + 1;
	double *f = calloc((m + 1) * (n + 1) * w, sizeof(double)), total = 0, below = 0;
#define F(i, j, k) f[((i) * (n + 1) + (j)) * w + (k)]

	if (!f)
		return NAN;
	/* f(i, j, k): arrangements of i a's and j b's with U = k */
	for (size_t i = 0; i <= m; i++)
		for (size_t j = 0; j <= n; j++)
			for (size_t k = 0; k <= i * j; k++) {
				if (i == 0 || j == 0) {
					F(i, j, k) = k == 0;
					continue;
				}
				/* largest element is an a (beats all j b's) or a b */
				F(i, j, k) = (k >= j ? F(i - 1, j, k - j) : 0) + F(i, j - 1, k);
			}
	for (size_t k = 0; k <= umax; k++) {
		total += F(m, n, k);
		if ((double)k <= u + 1e-9)
			below += F(m, n, k);
	}
#undef F
	free(f);
	return below / total;
}

double an_mann_whitney(const double *a, size_t na, const double *b, size_t nb, double *u)
{
	double U = 0, mu, var, z, tie_sum = 0, N = (double)(na + nb);
	int ties = 0;

	if (!na || !nb)
		return NAN;
	for (size_t i = 0; i < na; i++)
		for (size_t j = 0; j < nb; j++) {
			U += a[i] > b[j] ? 1 : a[i] == b[j] ? 0.5 : 0;
			ties |= a[i] == b[j];
		}
	if (u)
		*u = U;
	/* ties within a side matter only to the normal approximation below */
	if (!ties && na <= 25 && nb <= 25) {
		double lo = exact_cdf(na, nb, U);
		double hi = 1 - exact_cdf(na, nb, U - 1);
		double p = 2 * fmin(lo, hi);
		return p > 1 ? 1 : p;
	}
	{
		/* tie correction: sum over groups of equal values of t^3 - t */
		size_t n = na + nb, k = 0;
		double *all = malloc(n * sizeof(double));
		if (!all)
			return NAN;
		for (size_t i = 0; i < na; i++) all[k++] = a[i];
		for (size_t j = 0; j < nb; j++) all[k++] = b[j];
		for (size_t i = 0; i < n; i++) {
			double t = 0;
			int first = 1;
			for (size_t j = 0; j < n; j++) {
				if (all[j] == all[i]) {
					t++;
					if (j < i)
						first = 0;
				}
			}
			if (first)
				tie_sum += t * t * t - t;
		}
		free(all);
	}
	mu = (double)na * (double)nb / 2;
	var = (double)na * (double)nb / 12 * ((N + 1) - tie_sum / (N * (N - 1)));
	if (var <= 0)
		return 1; /* every value equal */
	z = (fabs(U - mu) - 0.5) / sqrt(var);
	if (z < 0)
		z = 0;
	return erfc(z / M_SQRT2);
}

/* ---- the gate ---------------------------------------------------------- */

struct rows {
	struct an_gate_row *v; /* rows */
	size_t n, cap;         /* used, allocated */
};

static struct an_gate_row *row_new(struct rows *r, const json_t *c, const char *metric)
{
	struct an_gate_row *row;

	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 64;
		struct an_gate_row *v = realloc(r->v, cap * sizeof(*v));
		if (!v)
			return NULL;
		r->v = v;
		r->cap = cap;
	}
	row = &r->v[r->n++];
	memset(row, 0, sizeof(*row));
	row->id = an_case_str(c, "id");
	row->source = an_case_str(c, "source");
	row->profile = an_case_str(c, "profile");
	row->metric = metric;
	row->base = row->cur = row->change = row->p = NAN;
	return row;
}

static const json_t *find_case(const struct an_set *s, const json_t *like)
{
	for (size_t d = 0; d < s->n; d++) {
		size_t i;
		json_t *c;
		json_array_foreach(an_result_cases(s->docs[d]), i, c)
			if (!strcmp(an_case_str(c, "id"), an_case_str(like, "id")) &&
			    !strcmp(an_case_str(c, "source"), an_case_str(like, "source")) &&
			    !strcmp(an_case_str(c, "profile"), an_case_str(like, "profile")))
				return c;
	}
	return NULL;
}

/* Samples of a metric into a malloc'd array (NULL, 0 if none). */
static double *samples_of(const json_t *m, size_t *n)
{
	json_t *arr = json_object_get(m, "samples"), *v;
	double *out;
	size_t i;

	*n = 0;
	if (!json_is_array(arr) || !json_array_size(arr))
		return NULL;
	out = malloc(json_array_size(arr) * sizeof(*out));
	if (!out)
		return NULL;
	json_array_foreach(arr, i, v)
		out[(*n)++] = json_number_value(v);
	return out;
}

/* Nonzero when every sample of both sides has one and the same value. */
static int all_equal(const double *a, size_t na, const double *b, size_t nb)
{
	for (size_t i = 0; i < na; i++)
		if (a[i] != a[0])
			return 0;
	for (size_t i = 0; i < nb; i++)
		if (b[i] != a[0])
			return 0;
	return 1;
}

/* Larger is better for throughput; smaller is better for everything else. */
static int higher_is_better(const char *metric)
{
	return !strcmp(metric, "bytes_per_s");
}

static void gate_native(struct an_gate_row *row, const json_t *bm, const json_t *cm,
			const struct an_gate_policy *p)
{
	size_t nb, nc;
	double *bs = samples_of(bm, &nb), *cs = samples_of(cm, &nc);
	double bad;

	if ((nb < p->min_samples || nc < p->min_samples) && nb && nc && all_equal(bs, nb, cs, nc)) {
		/* a deterministic count (e.g. a tracepoint counted in one dedicated
		 * repetition) that did not move: no change to test for */
		row->base = row->cur = bs[0];
		row->change = 0;
		row->status = AN_GATE_PASS;
		snprintf(row->note, sizeof(row->note),
			 "identical: every sample %.10g (%zu baseline, %zu current), too few to test but no change",
			 bs[0], nb, nc);
		goto out;
	}
	if (nb < p->min_samples || nc < p->min_samples) {
		row->status = AN_GATE_INSUFFICIENT;
		snprintf(row->note, sizeof(row->note),
			 "%zu baseline and %zu current sample(s); the gate needs %u repetitions on each side",
			 nb, nc, p->min_samples);
		goto out;
	}
	row->base = an_median(bs, nb);
	row->cur = an_median(cs, nc);
	row->change = row->base != 0 ? row->cur / row->base - 1 : row->cur == 0 ? 0 : INFINITY;
	row->p = an_mann_whitney(cs, nc, bs, nb, NULL);
	row->tested = 1;
	bad = higher_is_better(row->metric) ? -row->change : row->change;
	if (row->p < p->alpha && bad > p->effect) {
		row->status = AN_GATE_FAIL;
		snprintf(row->note, sizeof(row->note),
			 "regression: median %+.2f%% (effect threshold %.2g%%), Mann-Whitney p = %.3g < alpha %.3g",
			 row->change * 100, p->effect * 100, row->p, p->alpha);
	} else {
		row->status = AN_GATE_PASS;
		if (row->p < p->alpha && -bad > p->effect)
			snprintf(row->note, sizeof(row->note), "improved: median %+.2f%%, p = %.3g",
				 row->change * 100, row->p);
		else
			snprintf(row->note, sizeof(row->note), "median %+.2f%%, p = %.3g%s", row->change * 100,
				 row->p, row->p < p->alpha ? " (significant, below the effect threshold)" : "");
	}
out:
	free(bs);
	free(cs);
}

static void gate_metric(struct an_gate_row *row, const json_t *bm, const json_t *cm,
			const struct an_gate_policy *p)
{
	enum an_status bst, cst;
	int bok = an_metric_value(bm, &row->base, &bst) == 0;
	int cok = an_metric_value(cm, &row->cur, &cst) == 0;
	int model = !strcmp(row->source, "model");

	if (!bok) row->base = NAN;
	if (!cok) row->cur = NAN;
	if (!cm) {
		row->status = AN_GATE_FAIL;
		snprintf(row->note, sizeof(row->note), "metric missing from the current results");
		return;
	}
	if (!bok && !cok) {
		row->status = AN_GATE_SKIP;
		snprintf(row->note, sizeof(row->note), "not measured on either side (current: %s: %s)",
			 an_status_name(cst), an_case_str(cm, "reason"));
		return;
	}
	if (bok && !cok) {
		row->status = AN_GATE_FAIL;
		snprintf(row->note, sizeof(row->note), "was measured in the baseline, now %s: %s",
			 an_status_name(cst), an_case_str(cm, "reason"));
		return;
	}
	if (!bok) {
		row->status = AN_GATE_NEW;
		snprintf(row->note, sizeof(row->note), "newly measured (baseline: %s)", an_status_name(bst));
		return;
	}
	if (!model && ignored(p, row->metric)) {
		row->status = AN_GATE_SKIP;
		snprintf(row->note, sizeof(row->note), "ignored by policy");
		return;
	}
	if (model || !strcmp(row->metric, "checksum")) {
		double eps = strcmp(row->metric, "checksum") ? model_eps(p, row->metric) : 0;
		double d = fabs(row->cur - row->base);
		row->change = row->base != 0 ? row->cur / row->base - 1 : row->cur == 0 ? 0 : INFINITY;
		if (eps == 0 ? row->cur == row->base : d <= eps * fabs(row->base)) {
			row->status = AN_GATE_PASS;
			snprintf(row->note, sizeof(row->note), eps == 0 ? "identical" : "within epsilon %.3g", eps);
		} else {
			row->status = AN_GATE_FAIL;
			snprintf(row->note, sizeof(row->note), "%s changed %.17g -> %.17g (%+.4g%%), epsilon %.3g",
				 model ? "model" : "checksum", row->base, row->cur, row->change * 100, eps);
		}
		return;
	}
	gate_native(row, bm, cm, p);
}

static int cmp_row_p(const void *a, const void *b)
{
	double x = (*(struct an_gate_row *const *)a)->p, y = (*(struct an_gate_row *const *)b)->p;
	return (x > y) - (x < y);
}

/*
 * Holm–Bonferroni over the m native tests: sorted by p, the i-th (from 0) is
 * significant while p <= alpha / (m - i); the first that is not stops the
 * sequence. A regression that loses its significance here passes, noted.
 */
static void holm(struct an_gate *g, const struct an_gate_policy *p)
{
	struct an_gate_row **v = malloc((g->nrows + 1) * sizeof(*v));
	size_t m = 0, i;

	if (!v)
		return; /* keep the uncorrected (stricter-to-pass) verdicts */
	for (i = 0; i < g->nrows; i++)
		if (g->rows[i].tested)
			v[m++] = &g->rows[i];
	qsort(v, m, sizeof(*v), cmp_row_p);
	for (i = 0; i < m && v[i]->p <= p->alpha / (double)(m - i); i++)
		;
	for (; i < m; i++) {
		if (v[i]->status != AN_GATE_FAIL)
			continue;
		v[i]->status = AN_GATE_PASS;
		snprintf(v[i]->note, sizeof(v[i]->note),
			 "median %+.2f%%, p = %.3g: not significant after Holm correction over %zu native tests",
			 v[i]->change * 100, v[i]->p, m);
	}
	free(v);
}

int an_gate_run(const struct an_set *base, const struct an_set *cur,
		const struct an_gate_policy *p, struct an_gate **out)
{
	struct an_gate *g = calloc(1, sizeof(*g));
	struct rows rows = { 0 };
	struct an_gate_row *row;

	*out = NULL;
	if (!g)
		return -ENOMEM;
	for (size_t d = 0; d < base->n; d++) {
		size_t i;
		json_t *bc;
		json_array_foreach(an_result_cases(base->docs[d]), i, bc) {
			const json_t *cc = find_case(cur, bc);
			const char *name;
			json_t *bm;
			if (!cc) {
				if (!(row = row_new(&rows, bc, "*")))
					goto nomem;
				row->status = AN_GATE_FAIL;
				snprintf(row->note, sizeof(row->note), "baseline case missing from the current results");
				continue;
			}
			json_object_foreach(json_object_get(bc, "metrics"), name, bm) {
				if (!(row = row_new(&rows, bc, name)))
					goto nomem;
				gate_metric(row, bm, an_case_metric(cc, name), p);
			}
			json_object_foreach(json_object_get(cc, "metrics"), name, bm) {
				if (an_case_metric(bc, name))
					continue;
				if (!(row = row_new(&rows, cc, name)))
					goto nomem;
				row->status = AN_GATE_NEW;
				snprintf(row->note, sizeof(row->note), "metric not in the baseline");
			}
		}
	}
	for (size_t d = 0; d < cur->n; d++) {
		size_t i;
		json_t *cc;
		json_array_foreach(an_result_cases(cur->docs[d]), i, cc) {
			if (find_case(base, cc))
				continue;
			if (!(row = row_new(&rows, cc, "*")))
				goto nomem;
			row->status = AN_GATE_NEW;
			snprintf(row->note, sizeof(row->note), "case not in the baseline%s",
				 p->new_fails ? " (policy: new = fail)" : "");
		}
	}
	g->rows = rows.v;
	g->nrows = rows.n;
	if (p->holm)
		holm(g, p);
	for (size_t i = 0; i < g->nrows; i++) {
		struct an_gate_row *r = &g->rows[i];
		r->fails = r->status == AN_GATE_FAIL ||
			   (r->status == AN_GATE_INSUFFICIENT && p->insufficient_fails) ||
			   (r->status == AN_GATE_NEW && !strcmp(r->metric, "*") && p->new_fails);
		g->count[r->status]++;
		g->failures += r->fails;
	}
	*out = g;
	return 0;
nomem:
	free(rows.v);
	free(g);
	return -ENOMEM;
}

void an_gate_destroy(struct an_gate *g)
{
	if (!g)
		return;
	free(g->rows);
	free(g);
}

/* ---- output ------------------------------------------------------------ */

static void num(double v, char *buf, size_t len)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.6g", v);
}

static void counts_line(const struct an_gate *g, FILE *f)
{
	fprintf(f, "%zu row(s): %zu pass, %zu fail, %zu insufficient, %zu new, %zu skipped; %zu failing\n",
		g->nrows, g->count[AN_GATE_PASS], g->count[AN_GATE_FAIL], g->count[AN_GATE_INSUFFICIENT],
		g->count[AN_GATE_NEW], g->count[AN_GATE_SKIP], g->failures);
}

void an_gate_print_text(const struct an_gate *g, FILE *f)
{
	char a[32], b[32];

	fprintf(f, "gate: ");
	counts_line(g, f);
	for (size_t i = 0; i < g->nrows; i++) {
		const struct an_gate_row *r = &g->rows[i];
		if (r->status == AN_GATE_PASS || r->status == AN_GATE_SKIP)
			continue;
		num(r->base, a, sizeof(a));
		num(r->cur, b, sizeof(b));
		fprintf(f, "%-5s %-12s %-16s %12s -> %-12s %s [%s%s%s]: %s\n", r->fails ? "FAIL" : "note",
			an_gate_status_name(r->status), r->metric, a, b, r->id, r->source,
			*r->profile ? " " : "", r->profile, r->note);
	}
	fprintf(f, "gate: %s\n", g->failures ? "FAIL" : "pass");
}

static void md_esc(FILE *f, const char *s)
{
	for (; *s; s++)
		fputs(*s == '|' ? "\\|" : (char[]){ *s, 0 }, f);
}

void an_gate_print_markdown(const struct an_gate *g, const struct an_gate_policy *p, FILE *f)
{
	char a[32], b[32], c[32];
	size_t shown = 0;

	fprintf(f, "## Regression gate: %s\n\n", g->failures ? "**FAIL**" : "pass");
	counts_line(g, f);
	fprintf(f, "\nPolicy: model epsilon %g (default), native alpha %g, effect %g%%, "
		   "min %u samples, insufficient = %s.\n\n", p->model_eps, p->alpha, p->effect * 100,
		p->min_samples, p->insufficient_fails ? "fail" : "warn");
	for (size_t i = 0; i < g->nrows; i++) {
		const struct an_gate_row *r = &g->rows[i];
		if (r->status == AN_GATE_PASS || r->status == AN_GATE_SKIP)
			continue;
		if (!shown++)
			fprintf(f, "| result | case | source | metric | baseline | current | change | p | note |\n"
				   "|---|---|---|---|---:|---:|---:|---:|---|\n");
		num(r->base, a, sizeof(a));
		num(r->cur, b, sizeof(b));
		if (isnan(r->change))
			snprintf(c, sizeof(c), "-");
		else
			snprintf(c, sizeof(c), "%+.2f%%", r->change * 100);
		fprintf(f, "| %s %s | `", r->fails ? "FAIL" : "note", an_gate_status_name(r->status));
		md_esc(f, r->id);
		fprintf(f, "` | %s%s%s | %s | %s | %s | %s | ", r->source, *r->profile ? " " : "", r->profile,
			r->metric, a, b, c);
		num(r->p, a, sizeof(a));
		fprintf(f, "%s | ", a);
		md_esc(f, r->note);
		fputs(" |\n", f);
	}
	if (!shown)
		fprintf(f, "Every metric passed.\n");
}

static void xml_esc(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default:
			if ((unsigned char)*s >= 0x20 || *s == '\n' || *s == '\t')
				fputc(*s, f);
		}
	}
}

void an_gate_print_junit(const struct an_gate *g, FILE *f)
{
	char ts[32];
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		   "<testsuites name=\"mapbench-gate\" tests=\"%zu\" failures=\"%zu\">\n"
		   " <testsuite name=\"mapbench-gate\" tests=\"%zu\" failures=\"%zu\" skipped=\"%zu\" timestamp=\"%s\">\n",
		g->nrows, g->failures, g->nrows, g->failures,
		g->nrows - g->failures - g->count[AN_GATE_PASS], ts);
	for (size_t i = 0; i < g->nrows; i++) {
		const struct an_gate_row *r = &g->rows[i];
		fputs("  <testcase classname=\"", f);
		xml_esc(f, r->source);
		fputc('.', f);
		xml_esc(f, r->id);
		if (*r->profile) {
			fputc('.', f);
			xml_esc(f, r->profile);
		}
		fputs("\" name=\"", f);
		xml_esc(f, r->metric);
		fputs("\"", f);
		if (r->status == AN_GATE_PASS) {
			fputs("/>\n", f);
			continue;
		}
		fprintf(f, ">\n   <%s message=\"%s: ", r->fails ? "failure" : "skipped", an_gate_status_name(r->status));
		xml_esc(f, r->note);
		fprintf(f, "\"/>\n  </testcase>\n");
	}
	fputs(" </testsuite>\n</testsuites>\n", f);
}
