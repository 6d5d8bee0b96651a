/*
 * analysis/plot.c — see plot.h. For each figure: gather the values from the
 * result cases, write a gnuplot data file ("?" marks a missing value), then
 * run the figure's script once per terminal with the data file, output name,
 * title and series names passed as gnuplot variables. Invariants: no script
 * is run for a figure without data; a gnuplot failure is an error naming the
 * script and the exit status; strings handed to gnuplot are quoted.
 */
#include "analysis/plot.h"
#include "analysis/compare.h"
#include "common/mb.h"
#include "config.h"

#include <errno.h>
#include <math.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define MAX_SERIES 16 /* series drawn per figure; more are folded into "other" or dropped */

const char *an_plot_scripts_dir(const struct an_plot_opts *o)
{
	const char *env = getenv("MAPBENCH_PLOTS");

	if (o && o->scripts)
		return o->scripts;
	if (env && *env)
		return env;
	return MAPBENCH_SOURCE_ROOT "/analysis/plots";
}

/* Run argv, stdout to /dev/null or into buf. Returns the exit status or -errno. */
static int run(char *const argv[], char *buf, size_t len)
{
	posix_spawn_file_actions_t fa;
	int pipefd[2] = { -1, -1 }, status = 0, ret;
	pid_t pid;

	if (buf && pipe(pipefd))
		return -errno;
	posix_spawn_file_actions_init(&fa);
	if (buf) {
		posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
		posix_spawn_file_actions_adddup2(&fa, pipefd[1], 2);
		posix_spawn_file_actions_addclose(&fa, pipefd[0]);
	}
	ret = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (buf) {
		close(pipefd[1]);
		if (!ret) {
			size_t n = 0;
			ssize_t r;
			while (n + 1 < len && (r = read(pipefd[0], buf + n, len - n - 1)) > 0)
				n += (size_t)r;
			buf[n] = 0;
			while (read(pipefd[0], (char[256]){ 0 }, 256) > 0)
				;
		}
		close(pipefd[0]);
	}
	if (ret)
		return -ret;
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int an_plot_gnuplot_ok(char *png_term, size_t len)
{
	char *argv[] = { "gnuplot", "-e", "set terminal", NULL };
	char *out = malloc(65536);
	int ret;

	if (!out)
		return 0;
	ret = run(argv, out, 65536);
	if (ret == 0)
		snprintf(png_term, len, "%s", strstr(out, "pngcairo") ? "pngcairo" : "png");
	free(out);
	return ret == 0;
}

/* ---- data files -------------------------------------------------------- */

/* A string for gnuplot's single-quoted syntax ('' stands for '). */
static void gq(char *dst, size_t len, const char *s)
{
	size_t n = 0;

	for (; *s && n + 3 < len; s++) {
		if (*s == '\'')
			dst[n++] = '\'';
		dst[n++] = *s;
	}
	dst[n] = 0;
}

/*
 * Drop the keys of a normalised spec or method string that rarely tell cases
 * apart (n=, seed=, align=, w=0, private, madv=normal) so axis labels stay
 * short; the full id is in the data file's comment and the report.
 */
static void shorten(char *s)
{
	static const char *const drop[] = { "n=", "seed=", "align=", "w=0", "private", "madv=normal", "buf=default" };
	char out[400], *tok, *save = NULL, *colon = strchr(s, ':');
	size_t o = 0, cap = strlen(s) + 1; /* the result is never longer */

	if (colon)
		*colon = ',';
	for (tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int skip = 0;
		for (size_t i = 0; i < sizeof(drop) / sizeof(drop[0]); i++)
			if (!strncmp(tok, drop[i], strlen(drop[i])) &&
			    (drop[i][strlen(drop[i]) - 1] == '=' || !tok[strlen(drop[i])]))
				skip = 1;
		if (!skip && o < sizeof(out) - 1)
			o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%s", o ? " " : "", tok);
	}
	out[o] = 0;
	snprintf(s, cap, "%s", out);
}

/* A label safe inside a double-quoted data-file field. */
static void label(char *dst, size_t len, const char *s)
{
	size_t n = 0;

	for (; *s && n + 1 < len; s++)
		dst[n++] = (*s == '"' || *s == '\n') ? '\'' : *s;
	dst[n] = 0;
}

static void put(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, " %.10g", v);
	else
		fputs(" ?", f);
}

struct fig {
	const struct an_plot_opts *o; /* options */
	struct an_plot_report *rep;   /* what was made */
	char png[16];                 /* png terminal name */
	char dat[4096];               /* data file path */
	struct mb_atomic a;           /* its writer */
};

static FILE *dat_open(struct fig *g, const char *name)
{
	int ret;

	snprintf(g->dat, sizeof(g->dat), "%s/%s.dat", g->o->outdir, name);
	ret = mb_atomic_open(&g->a, g->dat);
	if (ret) {
		mb_errno("plot", ret, "cannot write %s", g->dat);
		return NULL;
	}
	return g->a.fp;
}

static int dat_close(struct fig *g)
{
	int ret = mb_atomic_commit(&g->a);
	if (ret)
		mb_errno("plot", ret, "committing %s", g->dat);
	return ret;
}

static void skip(struct fig *g, const char *name, const char *why)
{
	fprintf(stderr, "plot: %s: skipped: %s\n", name, why);
	g->rep->skipped++;
}

/*
 * Render script `gp` into <outdir>/<name>.png (and .svg); vars is a gnuplot
 * statement list defining the script's variables (datafile is added).
 */
static int render_sized(struct fig *g, const char *gp, const char *name, const char *vars, const char *size)
{
	const char *terms[2] = { g->png, "svg" };
	const char *exts[2] = { "png", "svg" };
	char script[4096], setup[16384], qdat[4096], qout[4096], out[4096];
	struct stat st;

	snprintf(script, sizeof(script), "%s/%s", an_plot_scripts_dir(g->o), gp);
	if (access(script, R_OK)) {
		mb_err("plot", "script %s not readable (set --scripts DIR or MAPBENCH_PLOTS)", script);
		return -ENOENT;
	}
	gq(qdat, sizeof(qdat), g->dat);
	for (int t = 0; t < (g->o->svg ? 2 : 1); t++) {
		char *argv[] = { "gnuplot", "-e", setup, script, NULL };
		int ret;
		snprintf(out, sizeof(out), "%s/%s.%s", g->o->outdir, name, exts[t]);
		gq(qout, sizeof(qout), out);
		snprintf(setup, sizeof(setup),
			 "set terminal %s noenhanced size %s font 'sans,10'; set output '%s'; datafile = '%s'; %s",
			 terms[t], size, qout, qdat, vars);
		ret = run(argv, NULL, 0);
		if (ret) {
			mb_err("plot", "gnuplot %s for %s: %s %d", script, out,
			       ret < 0 ? "could not start, error" : "exit status", ret < 0 ? -ret : ret);
			return -EINVAL;
		}
		if (stat(out, &st) || st.st_size == 0) {
			mb_err("plot", "gnuplot %s did not produce %s", script, out);
			return -EINVAL;
		}
		if (g->rep->images < MB_ARRAY_SIZE(g->rep->files))
			snprintf(g->rep->files[g->rep->images], sizeof(g->rep->files[0]), "%s.%s", name, exts[t]);
		g->rep->images++;
	}
	fprintf(stderr, "plot: %s: wrote %s/%s.png%s\n", name, g->o->outdir, name, g->o->svg ? " and .svg" : "");
	return 0;
}

static int render(struct fig *g, const char *gp, const char *name, const char *vars)
{
	return render_sized(g, gp, name, vars, "1000,620");
}

/* Iterate over every case of the set. */
#define FOR_EACH_CASE(set, d, i, c)                    \
	for (size_t d = 0; d < (set)->n; d++)          \
		json_array_foreach(an_result_cases((set)->docs[d]), i, c)

/* ---- (1) methods ------------------------------------------------------- */

/* The first case of the other source with the same id (model twin), or NULL. */
static const json_t *twin(const struct an_set *set, const json_t *c, const char *source)
{
	size_t i;
	json_t *x;

	FOR_EACH_CASE(set, d, i, x)
		if (!strcmp(an_case_str(x, "source"), source) && !strcmp(an_case_str(x, "id"), an_case_str(c, "id")))
			return x;
	return NULL;
}

static int fig_methods(struct fig *g, const struct an_set *set)
{
	size_t i, rows = 0;
	int has_n = 0, has_m = 0;
	json_t *c;
	FILE *f = dat_open(g, "methods");
	char vars[256];

	if (!f)
		return -EIO;
	fprintf(f, "# label native_bytes_per_s model_bytes_per_s native_ns_per_access model_ns_per_access\n");
	/* rows: native cases (with their model twin), then model cases without a native twin */
	FOR_EACH_CASE(set, d, i, c) {
		const char *src = an_case_str(c, "source");
		const json_t *n = NULL, *m = NULL;
		char pat[128], var[160], cache[64], lab[400];
		if (!strcmp(src, "native")) {
			n = c;
			m = twin(set, c, "model");
		} else if (!twin(set, c, "native")) {
			m = c;
		} else {
			continue;
		}
		double v[4] = { n ? an_case_value(n, "bytes_per_s") : NAN, m ? an_case_value(m, "bytes_per_s") : NAN,
				n ? an_case_value(n, "ns_per_access") : NAN, m ? an_case_value(m, "ns_per_access") : NAN };
		if (isnan(v[0]) && isnan(v[1]) && isnan(v[2]) && isnan(v[3]))
			continue;
		has_n |= !isnan(v[0]) || !isnan(v[2]);
		has_m |= !isnan(v[1]) || !isnan(v[3]);
		an_case_spec(c, pat, sizeof(pat));
		an_case_variant(c, var, sizeof(var));
		an_case_cache(c, cache, sizeof(cache));
		shorten(pat);
		shorten(var);
		if (!strncmp(cache, "warm-", 5) || !strncmp(cache, "tmpfs:", 6)) { /* request size in MiB/KiB */
			char *colon = strchr(cache, ':');
			unsigned long long b = colon ? strtoull(colon + 1, NULL, 10) : 0;
			if (colon && b && !(b % (1u << 20)))
				snprintf(colon + 1, sizeof(cache) - (size_t)(colon + 1 - cache), "%lluM", b >> 20);
			else if (colon && b && !(b % 1024))
				snprintf(colon + 1, sizeof(cache) - (size_t)(colon + 1 - cache), "%lluK", b >> 10);
		}
		snprintf(lab, sizeof(lab), "%.40s | %s | %s", pat, var, cache);
		label(var, sizeof(var), lab);
		fprintf(f, "\"%s\"", var);
		for (int k = 0; k < 4; k++)
			put(f, v[k]);
		fputc('\n', f);
		rows++;
	}
	if (dat_close(g))
		return -EIO;
	if (!rows) {
		skip(g, "methods", "no case has bytes_per_s or ns_per_access");
		return 0;
	}
	snprintf(vars, sizeof(vars), "has_native = %d; has_model = %d; nrows = %zu", has_n, has_m, rows);
	return render_sized(g, "methods.gp", "methods", vars, rows > 12 ? "1400,1000" : "1000,900");
}

/* ---- (2) cost vs working set ------------------------------------------ */

/* TLB reach lines from host.tlb: members {entries, page_bytes} or <name>_entries. */
static size_t tlb_reach(const struct an_set *set, double reach[3], char names[3][32])
{
	size_t n = 0;

	for (size_t d = 0; d < set->n && !n; d++) {
		json_t *tlb = json_object_get(an_result_host(set->docs[d]), "tlb"), *v;
		const char *k;
		json_object_foreach(tlb, k, v) {
			double e = 0, pb = 4096;
			if (json_is_object(v)) {
				e = json_number_value(json_object_get(v, "entries"));
				if (json_is_number(json_object_get(v, "page_bytes")))
					pb = json_number_value(json_object_get(v, "page_bytes"));
			} else if (json_is_number(v) && strstr(k, "entries")) {
				e = json_number_value(v);
			}
			if (e > 0 && pb > 0 && n < 3) {
				reach[n] = e * pb;
				snprintf(names[n], sizeof(names[0]), "%.*s", (int)strcspn(k, "_"), k);
				n++;
			}
		}
	}
	return n;
}

/* "source/method[,options]" without blanks (titles are split on blanks): anon and anon THP apart. */
static void series_key(const json_t *c, char *key, size_t len)
{
	char v[160];

	an_case_variant(c, v, sizeof(v));
	shorten(v);
	for (char *p = v; *p; p++)
		if (*p == ' ')
			*p = ',';
	mb_sfmt(key, len, "%s/%s", an_case_str(c, "source"), v);
}

static int fig_workset(struct fig *g, const struct an_set *set)
{
	char keys[MAX_SERIES][96], titles[MAX_SERIES * 100] = "", vars[2048], names[3][32], q[64];
	double reach[3], lo = INFINITY, hi = 0;
	size_t nkeys = 0, i, nreach;
	json_t *c;
	FILE *f;

	/* series = source/method */
	FOR_EACH_CASE(set, d, i, c) {
		char key[96];
		size_t k;
		double ws = an_case_working_set(c), v = an_case_value(c, "ns_per_access");
		if (ws <= 0 || !(v > 0))
			continue;
		lo = fmin(lo, ws);
		hi = fmax(hi, ws);
		series_key(c, key, sizeof(key));
		for (k = 0; k < nkeys && strcmp(keys[k], key); k++)
			;
		if (k == nkeys && nkeys < MAX_SERIES)
			snprintf(keys[nkeys++], sizeof(keys[0]), "%s", key);
	}
	if (!nkeys || !(hi > lo)) {
		skip(g, "workset", "needs cases with ns_per_access at two or more working-set sizes "
		     "(trace.distinct_pages or region_bytes)");
		return 0;
	}
	if (!(f = dat_open(g, "workset")))
		return -EIO;
	for (size_t k = 0; k < nkeys; k++) {
		/* one block per series, sorted by working set (insertion sort on the fly) */
		double ws[4096], v[4096];
		size_t n = 0;
		fprintf(f, "# series %s: working_set_bytes ns_per_access\n", keys[k]);
		FOR_EACH_CASE(set, d, i, c) {
			char key[96];
			double w = an_case_working_set(c), x = an_case_value(c, "ns_per_access");
			series_key(c, key, sizeof(key));
			if (w <= 0 || !(x > 0) || strcmp(key, keys[k]) || n == 4096)
				continue;
			size_t j = n++;
			while (j > 0 && ws[j - 1] > w) {
				ws[j] = ws[j - 1];
				v[j] = v[j - 1];
				j--;
			}
			ws[j] = w;
			v[j] = x;
		}
		for (size_t j = 0; j < n; j++)
			fprintf(f, "%.10g %.10g\n", ws[j], v[j]);
		fputs("\n\n", f);
		strcat(titles, keys[k]);
		strcat(titles, " ");
	}
	if (dat_close(g))
		return -EIO;
	nreach = tlb_reach(set, reach, names);
	snprintf(vars, sizeof(vars), "nseries = %zu; titles = '%s'; nreach = %zu; ", nkeys, titles, nreach);
	for (size_t r = 0; r < 3; r++) {
		gq(q, sizeof(q), r < nreach ? names[r] : "");
		snprintf(vars + strlen(vars), sizeof(vars) - strlen(vars), "reach%zu = %.10g; reach%zu_name = '%s'; ",
			 r + 1, r < nreach ? reach[r] : 0.0, r + 1, q);
	}
	return render(g, "workset.gp", "workset", vars);
}

/* ---- (3) model vs native scatter -------------------------------------- */

static int fig_scatter(struct fig *g, const struct an_set *set)
{
	struct an_compare *cmp;
	int ret = 0;

	an_compare_quiet = 1; /* several baselines repeat cases; the first of each is drawn */
	ret = an_compare_run(set, &cmp);
	an_compare_quiet = 0;
	if (ret)
		return -ENOMEM;
	for (int fam = 0; fam < AN_FAM__COUNT && !ret; fam++) {
		const struct an_tolerance *t = an_tolerance_of(fam);
		char name[64], metrics[MAX_SERIES][64], titles[MAX_SERIES * 70] = "", vars[1536], why[160];
		size_t nm = 0, pts = 0;
		FILE *f;

		snprintf(name, sizeof(name), "scatter-%s", t->name);
		for (size_t i = 0; i < cmp->nrows; i++) {
			const struct an_cmp_row *r = &cmp->rows[i];
			size_t k;
			if ((int)r->fam != fam || !strcmp(r->metric, "*") || !(r->native > 0) || !(r->model > 0))
				continue;
			for (k = 0; k < nm && strcmp(metrics[k], r->metric); k++)
				;
			if (k == nm && nm < MAX_SERIES)
				snprintf(metrics[nm++], sizeof(metrics[0]), "%s", r->metric);
			pts++;
		}
		if (!pts) {
			snprintf(why, sizeof(why), "no case with positive native and model values in family %s "
				 "(%zu unsupported, %zu missing)", t->name, cmp->fam[fam].unsupported, cmp->fam[fam].missing);
			skip(g, name, why);
			continue;
		}
		if (!(f = dat_open(g, name))) {
			ret = -EIO;
			break;
		}
		for (size_t k = 0; k < nm; k++) {
			fprintf(f, "# metric %s: native model\n", metrics[k]);
			for (size_t i = 0; i < cmp->nrows; i++) {
				const struct an_cmp_row *r = &cmp->rows[i];
				if ((int)r->fam == fam && !strcmp(r->metric, metrics[k]) && r->native > 0 && r->model > 0)
					fprintf(f, "%.10g %.10g\n", r->native, r->model);
			}
			fputs("\n\n", f);
			strcat(titles, metrics[k]);
			strcat(titles, " ");
		}
		if (dat_close(g)) {
			ret = -EIO;
			break;
		}
		snprintf(vars, sizeof(vars), "family = '%s'; nseries = %zu; titles = '%s'; rel = %g; absol = %g; "
			 "tolname = '%s'", t->name, nm, titles, t->rel, t->abs,
			 t->rel == 0 && t->abs == 0 ? "exact" : "tolerance");
		ret = render(g, "scatter.gp", name, vars);
	}
	an_compare_destroy(cmp);
	return ret;
}

/* ---- (4) fault breakdown ---------------------------------------------- */

/* Fault-around count of a model case: metric faults.around or a breakdown member. */
static double fault_around(const json_t *c)
{
	double v = an_case_value(c, "faults.around");
	json_t *b = json_object_get(c, "breakdown"), *x;
	const char *k;

	if (!isnan(v))
		return v;
	json_object_foreach(b, k, x)
		if (strstr(k, "around") && strstr(k, "fault") && json_is_number(x) && !strstr(k, "cycles"))
			return json_number_value(x);
	return NAN;
}

static int fig_faults(struct fig *g, const struct an_set *set)
{
	size_t i, rows = 0;
	int has_around = 0;
	json_t *c;
	FILE *f = dat_open(g, "faults");
	char vars[128];

	if (!f)
		return -EIO;
	fprintf(f, "# label native_minor native_major model_minor model_major model_fault_around\n");
	FOR_EACH_CASE(set, d, i, c) {
		const json_t *n = NULL, *m = NULL;
		char pat[128], var[160], cache[64], lab[400];
		if (!strcmp(an_case_str(c, "source"), "native")) {
			n = c;
			m = twin(set, c, "model");
		} else if (!twin(set, c, "native")) {
			m = c;
		} else {
			continue;
		}
		double v[5] = { n ? an_case_value(n, "faults.minor") : NAN, n ? an_case_value(n, "faults.major") : NAN,
				m ? an_case_value(m, "faults.minor") : NAN, m ? an_case_value(m, "faults.major") : NAN,
				m ? fault_around(m) : NAN };
		if (isnan(v[0]) && isnan(v[1]) && isnan(v[2]) && isnan(v[3]))
			continue;
		if (!(fmax(fmax(v[0], v[1]), fmax(v[2], v[3])) > 0))
			continue; /* nothing to draw on a log axis */
		has_around |= v[4] > 0;
		an_case_spec(c, pat, sizeof(pat));
		an_case_variant(c, var, sizeof(var));
		an_case_cache(c, cache, sizeof(cache));
		snprintf(lab, sizeof(lab), "%.32s | %s | %s", pat, var, cache);
		label(var, sizeof(var), lab);
		fprintf(f, "\"%s\"", var);
		for (int k = 0; k < 5; k++)
			put(f, v[k] > 0 ? v[k] : NAN); /* log axis: zero bars are not drawn */
		fputc('\n', f);
		rows++;
	}
	if (dat_close(g))
		return -EIO;
	if (!rows) {
		skip(g, "faults", "no case has a nonzero faults.minor or faults.major");
		return 0;
	}
	snprintf(vars, sizeof(vars), "has_around = %d; nrows = %zu", has_around, rows);
	return render(g, "faults.gp", "faults", vars);
}

/* ---- (5) history ------------------------------------------------------- */

static int cmp_doc_time(const void *a, const void *b, void *arg)
{
	const struct an_set *set = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int c = strcmp(json_string_value(json_object_get(set->docs[x]->root, "timestamp")),
		       json_string_value(json_object_get(set->docs[y]->root, "timestamp")));
	return c ? c : (x > y) - (x < y);
}

static int fig_history(struct fig *g, const struct an_set *set)
{
	const char *metric = g->o->history_metric ? g->o->history_metric : "ns_per_access";
	size_t *order = malloc((set->n + 1) * sizeof(size_t)), nser = 0, i;
	const json_t *ser[MAX_SERIES];
	char titles[MAX_SERIES * 200] = "", vars[MAX_SERIES * 220], qm[128], name[] = "history";
	json_t *c;
	FILE *f;
	int ret;

	if (!order)
		return -ENOMEM;
	for (size_t d = 0; d < set->n; d++)
		order[d] = d;
	qsort_r(order, set->n, sizeof(*order), cmp_doc_time, (void *)set);
	/* a series is a case (id+source+profile) with the metric in >= 2 documents */
	FOR_EACH_CASE(set, d, i, c) {
		size_t seen = 0, k;
		if (isnan(an_case_value(c, metric)) || nser == MAX_SERIES)
			continue;
		for (k = 0; k < nser; k++)
			if (!strcmp(an_case_str(ser[k], "id"), an_case_str(c, "id")) &&
			    !strcmp(an_case_str(ser[k], "source"), an_case_str(c, "source")) &&
			    !strcmp(an_case_str(ser[k], "profile"), an_case_str(c, "profile")))
				break;
		if (k < nser)
			continue;
		for (size_t e = 0; e < set->n; e++)
			seen += !isnan(an_case_value(an_result_find_case(set->docs[e], an_case_str(c, "id"),
									 an_case_str(c, "source")), metric));
		if (seen >= 2)
			ser[nser++] = c;
	}
	if (!nser) {
		char why[256];
		snprintf(why, sizeof(why), "no case has %s in two or more result files (give several baselines)", metric);
		skip(g, name, why);
		free(order);
		return 0;
	}
	if (!(f = dat_open(g, name))) {
		free(order);
		return -EIO;
	}
	for (size_t k = 0; k < nser; k++) {
		char pat[128], var[160], cache[64], t[400], lab[400];
		fprintf(f, "# series %zu: index value \"timestamp git\"\n", k);
		for (size_t e = 0; e < set->n; e++) {
			const json_t *root = set->docs[order[e]]->root;
			const json_t *x = an_result_find_case(set->docs[order[e]], an_case_str(ser[k], "id"),
							      an_case_str(ser[k], "source"));
			const char *git = json_string_value(json_object_get(json_object_get(root, "tool"), "git"));
			char l[96];
			snprintf(l, sizeof(l), "%.10s %.7s", json_string_value(json_object_get(root, "timestamp")),
				 git ? git : "");
			label(lab, sizeof(lab), l);
			fprintf(f, "%zu", e);
			put(f, an_case_value(x, metric));
			fprintf(f, " \"%s\"\n", lab);
		}
		fputs("\n\n", f);
		snprintf(t, sizeof(t), "%s/%s/%s/%s", an_case_pattern(ser[k], pat, sizeof(pat)),
			 an_case_variant(ser[k], var, sizeof(var)), an_case_cache(ser[k], cache, sizeof(cache)),
			 an_case_str(ser[k], "source"));
		for (char *p = t; *p; p++)
			if (*p == ' ' || *p == '\'')
				*p = '_';
		strncat(titles, t, sizeof(titles) - strlen(titles) - 2);
		strcat(titles, " ");
	}
	free(order);
	if (dat_close(g))
		return -EIO;
	gq(qm, sizeof(qm), metric);
	snprintf(vars, sizeof(vars), "metric = '%s'; nseries = %zu; titles = '%s'; npoints = %zu", qm, nser,
		 titles, set->n);
	ret = render(g, "history.gp", name, vars);
	return ret;
}

int an_plot_run(const struct an_set *set, const struct an_plot_opts *o, struct an_plot_report *rep)
{
	static int (*const figs[AN_PLOT__COUNT])(struct fig *, const struct an_set *) = {
		[AN_PLOT_METHODS] = fig_methods, [AN_PLOT_WORKSET] = fig_workset,
		[AN_PLOT_SCATTER] = fig_scatter, [AN_PLOT_FAULTS] = fig_faults,
		[AN_PLOT_HISTORY] = fig_history,
	};
	struct fig g = { .o = o, .rep = rep };
	int ret;

	memset(rep, 0, sizeof(*rep));
	if (!an_plot_gnuplot_ok(g.png, sizeof(g.png))) {
		mb_err("plot", "gnuplot not found or not working (install gnuplot; 'gnuplot -e \"set terminal\"' must run)");
		return -ENOENT;
	}
	ret = mb_mkdir_p(o->outdir);
	if (ret) {
		mb_errno("plot", ret, "cannot create %s", o->outdir);
		return ret;
	}
	for (int k = 0; k < AN_PLOT__COUNT; k++)
		if ((ret = figs[k](&g, set)))
			return ret;
	return 0;
}
