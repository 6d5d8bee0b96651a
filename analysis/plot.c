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

/* A cache state with its request size in MiB/KiB: "warm-read:1048576" -> "warm-read:1M". */
static void cache_short(char *cache, size_t len)
{
	char *colon = strchr(cache, ':');
	unsigned long long b = colon ? strtoull(colon + 1, NULL, 10) : 0;

	if (colon && b && !(b % (1u << 20)))
		snprintf(colon + 1, len - (size_t)(colon + 1 - cache), "%lluM", b >> 20);
	else if (colon && b && !(b % 1024))
		snprintf(colon + 1, len - (size_t)(colon + 1 - cache), "%lluK", b >> 10);
}

/* A case's pattern, method options and cache state, shortened for labels (shorten, cache_short). */
static void case_parts(const json_t *c, char *pat, size_t plen, char *var, size_t vlen, char *cache,
		       size_t clen)
{
	an_case_spec(c, pat, plen);
	an_case_variant(c, var, vlen);
	an_case_cache(c, cache, clen);
	shorten(pat);
	shorten(var);
	cache_short(cache, clen);
}

/*
 * The axis label of a case: "pattern params | method options | cache", with
 * the rarely distinguishing keys dropped (shorten) and the cache request size
 * in KiB/MiB; at most `pat_max` characters of the pattern.
 */
static void case_label(const json_t *c, char *lab, size_t len, int pat_max)
{
	char pat[128], var[160], cache[64], l[400];

	case_parts(c, pat, sizeof(pat), var, sizeof(var), cache, sizeof(cache));
	for (char *p = strstr(pat, "size="); p; p = strstr(p, "size=")) /* "seq 64M len=4K" */
		if (p == pat || p[-1] == ' ')
			memmove(p, p + 5, strlen(p + 5) + 1);
		else
			p += 5;
	snprintf(l, sizeof(l), "%.*s | %s | %s", pat_max, pat, var, cache);
	label(lab, len, l);
}

/*
 * Canvas for a bar chart of `rows` clustered bars whose x labels (rotated,
 * see methods.gp/faults.gp) are up to `maxlab` characters: wider with more
 * rows, taller with longer labels (about 5 px per label character).
 */
static void bars_size(char *size, size_t len, size_t rows, size_t maxlab, int panels)
{
	unsigned w = rows > 12 ? (unsigned)(rows * 40 + 400) : 1000;
	unsigned h = (unsigned)(panels * 520 + maxlab * 5 * panels + 60);

	snprintf(size, len, "%u,%u", w > 3000 ? 3000 : w, h > 2400 ? 2400 : h);
}

static int fig_methods(struct fig *g, const struct an_set *set)
{
	size_t i, rows = 0, maxlab = 0;
	int has_n = 0, has_m = 0;
	json_t *c;
	FILE *f = dat_open(g, "methods");
	char vars[256], size[32];

	if (!f)
		return -EIO;
	fprintf(f, "# label native_bytes_per_s model_bytes_per_s native_ns_per_access model_ns_per_access\n");
	/* rows: native cases (with their model twin), then model cases without a native twin */
	FOR_EACH_CASE(set, d, i, c) {
		const char *src = an_case_str(c, "source");
		const json_t *n = NULL, *m = NULL;
		char lab[400];
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
		case_label(c, lab, sizeof(lab), 40);
		maxlab = strlen(lab) > maxlab ? strlen(lab) : maxlab;
		fprintf(f, "\"%s\"", lab);
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
	snprintf(vars, sizeof(vars), "has_native = %d; has_model = %d; nrows = %zu; maxlab = %zu", has_n, has_m,
		 rows, maxlab);
	bars_size(size, sizeof(size), rows, maxlab, 2);
	return render_sized(g, "methods.gp", "methods", vars, size);
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

/*
 * The curve a case belongs to in the working-set figure: pattern without its
 * size (size=, pages= dropped), method options and cache state, so that only
 * cases that differ in size share a line. Without the source: native and model
 * twins get the same colour.
 */
static void curve_key(const json_t *c, char *key, size_t len)
{
	char pat[128], var[160], cache[64], kept[128] = "", *tok, *save = NULL;
	size_t o = 0;

	case_parts(c, pat, sizeof(pat), var, sizeof(var), cache, sizeof(cache));
	for (tok = strtok_r(pat, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		if (strncmp(tok, "size=", 5) && strncmp(tok, "pages=", 6) && o < sizeof(kept) - 1)
			o += (size_t)snprintf(kept + o, sizeof(kept) - o, "%s%s", o ? " " : "", tok);
	mb_sfmt(key, len, "%s | %s | %s", kept, var, cache);
}

/* One curve of the working-set figure. */
struct curve {
	char key[200];  /* curve_key */
	char src[16];   /* "native" or "model" */
	double lo, hi;  /* smallest and largest working set, bytes */
	size_t points;  /* cases on it */
	int colour;     /* linetype: the same for a native curve and its model twin */
};

static int curve_cmp(const void *a, const void *b)
{
	const struct curve *x = a, *y = b;
	int c = (y->points > x->points) - (y->points < x->points); /* most points first */

	if (!c)
		c = strcmp(x->key, y->key);
	return c ? c : strcmp(x->src, y->src);
}

#define MAX_CURVES 512 /* distinct curves looked at before the MAX_SERIES longest are kept */

static int fig_workset(struct fig *g, const struct an_set *set)
{
	struct curve *cv = calloc(MAX_CURVES, sizeof(*cv));
	char *vars = malloc(16384), names[3][32], q[64], t[300], qt[640];
	double reach[3], lo = INFINITY, hi = 0;
	size_t ncv = 0, nsel = 0, i, nreach, dropped = 0;
	int ncol = 0, ret = -EIO;
	json_t *c;
	FILE *f = NULL;

	if (!cv || !vars) {
		ret = -ENOMEM;
		goto out_free;
	}
	FOR_EACH_CASE(set, d, i, c) {
		char key[200];
		const char *src = an_case_str(c, "source");
		double ws = an_case_working_set(c), v = an_case_value(c, "ns_per_access");
		size_t k;
		if (ws <= 0 || !(v > 0))
			continue;
		curve_key(c, key, sizeof(key));
		for (k = 0; k < ncv && (strcmp(cv[k].key, key) || strcmp(cv[k].src, src)); k++)
			;
		if (k == ncv) {
			if (ncv == MAX_CURVES)
				continue;
			mb_sfmt(cv[k].key, sizeof(cv[k].key), "%s", key);
			mb_sfmt(cv[k].src, sizeof(cv[k].src), "%s", src);
			cv[k].lo = INFINITY;
			ncv++;
		}
		cv[k].lo = fmin(cv[k].lo, ws);
		cv[k].hi = fmax(cv[k].hi, ws);
		cv[k].points++;
	}
	/* keep curves over two or more sizes (three or more when there are such sweeps), the longest first */
	size_t minpts = 2;
	for (size_t k = 0; k < ncv; k++)
		if (cv[k].hi > cv[k].lo && cv[k].points >= 3)
			minpts = 3;
	for (size_t k = 0; k < ncv; k++)
		if (cv[k].hi > cv[k].lo && cv[k].points >= minpts)
			cv[nsel++] = cv[k];
	qsort(cv, nsel, sizeof(*cv), curve_cmp);
	if (nsel > MAX_SERIES) {
		dropped = nsel - MAX_SERIES;
		nsel = MAX_SERIES;
	}
	if (!nsel) {
		skip(g, "workset", "needs a pattern, method and cache state measured at two or more working-set "
		     "sizes (trace.distinct_pages or region_bytes)");
		ret = 0;
		goto out_free;
	}
	for (size_t k = 0; k < nsel; k++) {
		size_t j;
		for (j = 0; j < k && strcmp(cv[j].key, cv[k].key); j++)
			;
		cv[k].colour = j < k ? cv[j].colour : ++ncol;
		lo = fmin(lo, cv[k].lo);
		hi = fmax(hi, cv[k].hi);
	}
	if (!(f = dat_open(g, "workset")))
		goto out_free;
	for (size_t k = 0; k < nsel; k++) {
		/* one block per curve, sorted by working set (insertion sort on the fly) */
		double ws[4096], v[4096];
		size_t n = 0;
		fprintf(f, "# %s %s: working_set_bytes ns_per_access\n", cv[k].src, cv[k].key);
		FOR_EACH_CASE(set, d, i, c) {
			char key[200];
			double w = an_case_working_set(c), x = an_case_value(c, "ns_per_access");
			if (w <= 0 || !(x > 0) || n == 4096 || strcmp(an_case_str(c, "source"), cv[k].src))
				continue;
			curve_key(c, key, sizeof(key));
			if (strcmp(key, cv[k].key))
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
	}
	if (dat_close(g))
		goto out_free;
	nreach = tlb_reach(set, reach, names);
	for (size_t r = 0; r < nreach; r++) { /* the reach lines stay on the plot */
		lo = fmin(lo, reach[r]);
		hi = fmax(hi, reach[r]);
	}
	snprintf(vars, 16384, "nseries = %zu; dropped = %zu; xlo = %.10g; xhi = %.10g; nreach = %zu; "
		 "array titles[%zu]; array colours[%zu]; array dashes[%zu]; ",
		 nsel, dropped, lo / 1.5, hi * 1.5, nreach, nsel, nsel, nsel);
	for (size_t k = 0; k < nsel; k++) {
		snprintf(t, sizeof(t), "%s: %s", cv[k].src, cv[k].key);
		gq(qt, sizeof(qt), t);
		snprintf(vars + strlen(vars), 16384 - strlen(vars), "titles[%zu] = '%s'; colours[%zu] = %d; "
			 "dashes[%zu] = %d; ", k + 1, qt, k + 1, cv[k].colour, k + 1, strcmp(cv[k].src, "model") ? 1 : 2);
	}
	for (size_t r = 0; r < 3; r++) {
		gq(q, sizeof(q), r < nreach ? names[r] : "");
		snprintf(vars + strlen(vars), 16384 - strlen(vars), "reach%zu = %.10g; reach%zu_name = '%s'; ",
			 r + 1, r < nreach ? reach[r] : 0.0, r + 1, q);
	}
	ret = render_sized(g, "workset.gp", "workset", vars, "1300,700");
out_free:
	free(vars);
	free(cv);
	return ret;
}

/* ---- (3) model vs native scatter -------------------------------------- */

/* What the axes of a family's scatter count, with the unit. */
static const char *family_unit(const char *fam)
{
	static const char *const units[][2] = {
		{ "faults", "page faults per replay" },
		{ "syscalls", "system calls per replay" },
		{ "pagecache", "folios added to the page cache" },
		{ "pt", "page-table bytes (VmPTE)" },
		{ "tlb", "TLB misses / page walks per replay" },
		{ "time", "ns, cycles, ns per access or bytes/s (see key)" },
	};

	for (size_t i = 0; i < MB_ARRAY_SIZE(units); i++)
		if (!strcmp(units[i][0], fam))
			return units[i][1];
	return "metric value";
}

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
		snprintf(vars, sizeof(vars), "family = '%s'; unit = '%s'; nseries = %zu; titles = '%s'; rel = %g; "
			 "absol = %g; tolname = '%s'", t->name, family_unit(t->name), nm, titles, t->rel, t->abs,
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
	size_t i, rows = 0, maxlab = 0;
	int has_around = 0;
	json_t *c;
	FILE *f = dat_open(g, "faults");
	char vars[128], size[32];

	if (!f)
		return -EIO;
	fprintf(f, "# label native_minor native_major model_minor model_major model_fault_around\n");
	FOR_EACH_CASE(set, d, i, c) {
		const json_t *n = NULL, *m = NULL;
		char lab[400];
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
		case_label(c, lab, sizeof(lab), 40);
		maxlab = strlen(lab) > maxlab ? strlen(lab) : maxlab;
		fprintf(f, "\"%s\"", lab);
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
	snprintf(vars, sizeof(vars), "has_around = %d; nrows = %zu; maxlab = %zu", has_around, rows, maxlab);
	bars_size(size, sizeof(size), rows, maxlab, 1);
	return render_sized(g, "faults.gp", "faults", vars, size);
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
	char titles[MAX_SERIES * 200] = "", vars[MAX_SERIES * 220], qm[128], qu[64], name[] = "history";
	const char *unit = NULL; /* the metric's unit, from the first document that has it */
	double vmin = INFINITY, vmax = 0; /* value range: log scale beyond a factor 20 */
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
			double v = an_case_value(x, metric);
			fprintf(f, "%zu", e);
			put(f, v);
			if (isfinite(v)) {
				vmin = fmin(vmin, v);
				vmax = fmax(vmax, v);
			}
			if (!unit)
				unit = json_string_value(json_object_get(
					json_object_get(json_object_get(x, "metrics"), metric), "unit"));
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
	gq(qu, sizeof(qu), unit && *unit ? unit : "?");
	snprintf(vars, sizeof(vars), "metric = '%s'; unit = '%s'; logy = %d; nseries = %zu; titles = '%s'; "
		 "npoints = %zu", qm, qu, vmin > 0 && vmax > 20 * vmin, nser, titles, set->n);
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
