/*
 * cli/cmd_report.c — `mapbench report RESULTS... -o report.md [--html F]
 * [--plots DIR]`: a readable report from result files, answer first: per
 * access pattern x cache state the winning method, by how much (against the
 * runner-up and read/pread) and the model's reason (analysis/reason.h); then
 * the model-vs-native agreement per family with its verdict
 * (analysis/compare.h); then the details: inputs and hosts, a table per
 * source (native, model) of every case, and the figures of a plot directory. The HTML is converted from the markdown we
 * generate (headings, tables, images, paragraphs only). Files are written
 * atomically; exit 0, or 2 on usage/input errors.
 */
#include "analysis/compare.h"
#include "analysis/plot.h"
#include "analysis/reason.h"
#include "cli/cmds.h"
#include "common/mb.h"

#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fprintf(f, "usage: mapbench report RESULTS... -o REPORT.md [--html REPORT.html] [--plots DIR]\n"
		   "  RESULTS   result files or directories of them\n"
		   "  --plots   a 'mapbench plot' output directory: its figures are linked\n");
}

static void md_esc(FILE *f, const char *s)
{
	for (; *s; s++)
		fputs(*s == '|' ? "\\|" : (char[]){ *s, 0 }, f);
}

static void cell_num(FILE *f, double v, const char *unit_div, double div)
{
	if (isnan(v))
		fputs(" - |", f);
	else if (div != 1)
		fprintf(f, " %.3g %s |", v / div, unit_div);
	else
		fprintf(f, " %.4g |", v);
}

static void case_table(FILE *f, const struct an_set *set, const char *source)
{
	size_t i, n = 0;
	json_t *c;

	for (size_t d = 0; d < set->n; d++)
		json_array_foreach(an_result_cases(set->docs[d]), i, c) {
			char spec[256], var[160], cache[64];
			if (strcmp(an_case_str(c, "source"), source))
				continue;
			if (!n++)
				fprintf(f, "\n### %s cases\n\n| trace | method | cache |%s bytes/s | ns/access | faults (minor/major) | syscalls (read) |\n"
					   "|---|---|---|%s---:|---:|---:|---:|\n", !strcmp(source, "native") ? "Native" : "Model",
					!strcmp(source, "model") ? " profile |" : "", !strcmp(source, "model") ? "---|" : "");
			fputs("| `", f);
			md_esc(f, an_case_spec(c, spec, sizeof(spec)));
			fputs("` | ", f);
			md_esc(f, an_case_variant(c, var, sizeof(var)));
			fputs(" | ", f);
			md_esc(f, an_case_cache(c, cache, sizeof(cache)));
			fputs(" |", f);
			if (!strcmp(source, "model"))
				fprintf(f, " %s |", an_case_str(c, "profile"));
			cell_num(f, an_case_value(c, "bytes_per_s"), "GB/s", 1e9);
			cell_num(f, an_case_value(c, "ns_per_access"), "", 1);
			if (isnan(an_case_value(c, "faults.total")))
				fputs(" - |", f);
			else
				fprintf(f, " %.0f (%.0f/%.0f) |", an_case_value(c, "faults.total"),
					an_case_value(c, "faults.minor"), an_case_value(c, "faults.major"));
			if (isnan(an_case_value(c, "syscalls")))
				fputs(" - |\n", f);
			else
				fprintf(f, " %.0f (%.0f) |\n", an_case_value(c, "syscalls"), an_case_value(c, "syscalls.read"));
		}
	if (n)
		fprintf(f, "\n%zu %s case(s). \"-\" = not measured or not produced (see the result file for the reason); "
			   "nan in parentheses = that part not reported.\n", n, source);
}

/*
 * The answer: per access pattern x cache state, the method (variant) that is
 * fastest on most traces, by how much, and the model's reason. One witness
 * per group: native medians where the group has native cases, else the model
 * with the first profile seen.
 */
#define ANS_MAX_VAR 32
#define ANS_MAX_SPEC 256

struct ans_case {
	const json_t *c;
	const char *src, *profile, *id;
	char pat[32], cache[64], var[128], fam[32], spec[256];
	double ns;
};

struct ans_group {
	const struct ans_case *cell[ANS_MAX_VAR][ANS_MAX_SPEC];
	char var[ANS_MAX_VAR][128];
	const char *spec[ANS_MAX_SPEC];
	size_t nvar, nspec, wins[ANS_MAX_VAR];
};

static size_t ans_collect(const struct an_set *set, struct ans_case **out)
{
	size_t n = 0, cap = 0, i;
	json_t *c;

	*out = NULL;
	for (size_t d = 0; d < set->n; d++)
		json_array_foreach(an_result_cases(set->docs[d]), i, c) {
			struct ans_case *a;
			if (n == cap) {
				struct ans_case *p = realloc(*out, (cap = cap ? 2 * cap : 256) * sizeof(**out));
				if (!p)
					return n;
				*out = p;
			}
			a = &(*out)[n++];
			a->c = c;
			a->src = an_case_str(c, "source");
			a->profile = an_case_str(c, "profile");
			a->id = an_case_str(c, "id");
			an_case_pattern(c, a->pat, sizeof(a->pat));
			an_case_cache(c, a->cache, sizeof(a->cache));
			an_case_variant(c, a->var, sizeof(a->var));
			an_case_method(c, a->fam, sizeof(a->fam));
			an_case_spec(c, a->spec, sizeof(a->spec));
			a->ns = an_case_value(c, "ns");
		}
	return n;
}

/* The model case with this id and profile, or NULL. */
static const json_t *ans_model(const struct ans_case *all, size_t n, const char *id, const char *profile)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(all[i].src, "model") && !strcmp(all[i].id, id) && !strcmp(all[i].profile, profile))
			return all[i].c;
	return NULL;
}

/* Fill the method x trace matrix of one group for one witness. */
static void ans_fill(struct ans_group *g, const struct ans_case *all, size_t n, const char *pat,
		     const char *cache, const char *src, const char *profile)
{
	memset(g, 0, sizeof(*g));
	for (size_t i = 0; i < n; i++) {
		const struct ans_case *a = &all[i];
		size_t v, s;
		if (strcmp(a->pat, pat) || strcmp(a->cache, cache) || strcmp(a->src, src) ||
		    (profile && strcmp(a->profile, profile)) || isnan(a->ns) || a->ns <= 0)
			continue;
		for (v = 0; v < g->nvar && strcmp(g->var[v], a->var); v++)
			;
		for (s = 0; s < g->nspec && strcmp(g->spec[s], a->spec); s++)
			;
		if ((v == g->nvar && v == ANS_MAX_VAR) || (s == g->nspec && s == ANS_MAX_SPEC))
			continue;
		if (v == g->nvar)
			mb_sfmt(g->var[g->nvar++], sizeof(g->var[0]), "%s", a->var);
		if (s == g->nspec)
			g->spec[g->nspec++] = a->spec;
		if (!g->cell[v][s]) /* first baseline wins when a case repeats */
			g->cell[v][s] = a;
	}
	for (size_t s = 0; s < g->nspec; s++) {
		int best = -1;
		size_t present = 0;
		for (size_t v = 0; v < g->nvar; v++)
			if (g->cell[v][s]) {
				present++;
				if (best < 0 || g->cell[v][s]->ns < g->cell[best][s]->ns)
					best = (int)v;
			}
		if (present > 1)
			g->wins[best]++;
	}
}

/* Geometric mean of ns[b]/ns[a] over traces both ran; *k = how many; *big = largest shared trace. */
static double ans_ratio(const struct ans_group *g, size_t a, size_t b, size_t *k, size_t *big)
{
	double lsum = 0, ws = -1;

	*k = 0;
	for (size_t s = 0; s < g->nspec; s++)
		if (g->cell[a][s] && g->cell[b][s]) {
			double w = an_case_working_set(g->cell[a][s]->c);
			lsum += log(g->cell[b][s]->ns / g->cell[a][s]->ns);
			(*k)++;
			if (w > ws) {
				ws = w;
				*big = s;
			}
		}
	return *k ? exp(lsum / (double)*k) : NAN;
}

/* The closest competitor of w (smallest geometric-mean time ratio over shared traces) into runner/r_ratio/r_k/big. */
static void ans_runner(const struct ans_group *g, int w, int *runner, double *r_ratio, size_t *r_k, size_t *big)
{
	*runner = -1;
	*r_ratio = NAN;
	for (size_t v = 0; v < g->nvar; v++) {
		size_t k, b = 0;
		double r;
		if ((int)v == w || isnan(r = ans_ratio(g, (size_t)w, v, &k, &b)))
			continue;
		if (*runner < 0 || r < *r_ratio) {
			*runner = (int)v;
			*r_ratio = r;
			*r_k = k;
			*big = b;
		}
	}
}

/*
 * Winner and runner-up; -1 when none. The method with the most wins (then
 * the most traces) — unless its closest competitor is faster on the traces
 * both ran (geometric mean below 1: a method that ran on more traces
 * collects more wins), then that one, until none is faster (each method
 * visited once).
 */
static int ans_winner(const struct ans_group *g, int *runner, double *r_ratio, size_t *r_k, size_t *big)
{
	int w = -1;
	size_t total = 0;
	unsigned char seen[ANS_MAX_VAR] = { 0 };

	for (size_t v = 0; v < g->nvar; v++) {
		total += g->wins[v];
		if (w < 0 || g->wins[v] > g->wins[w])
			w = (int)v;
	}
	*runner = -1;
	*r_ratio = NAN;
	if (w < 0 || !total)
		return -1;
	for (;;) {
		seen[w] = 1;
		ans_runner(g, w, runner, r_ratio, r_k, big);
		if (*runner < 0 || !(*r_ratio < 1) || seen[*runner])
			break;
		w = *runner;
	}
	return w;
}

/* "mmap,private,madv=normal: 1.8x (12 traces)" against the best read variant. */
static void ans_vs_read(FILE *f, const struct ans_group *g, int w)
{
	double best = NAN;
	size_t bk = 0, big = 0;
	int bv = -1;

	if (!strncmp(g->var[w], "read", 4) || !strncmp(g->var[w], "pread", 5)) {
		fputs(" (is read) |", f);
		return;
	}
	for (size_t v = 0; v < g->nvar; v++) {
		size_t k;
		double r;
		if (strncmp(g->var[v], "read", 4) && strncmp(g->var[v], "pread", 5))
			continue;
		r = ans_ratio(g, (size_t)w, v, &k, &big);
		if (!isnan(r) && (bv < 0 || r < best)) {
			best = r;
			bk = k;
			bv = (int)v;
		}
	}
	if (bv < 0)
		fputs(" no read/pread case |", f);
	else
		fprintf(f, " %.2fx vs %s (%zu trace%s) |", best, g->var[bv], bk, bk == 1 ? "" : "s");
}

static void ans_reason(FILE *f, const struct ans_case *all, size_t n, const struct ans_case *a, const char *profile)
{
	const json_t *m = !strcmp(a->src, "model") ? a->c : profile ? ans_model(all, n, a->id, profile) : NULL;
	char r[256];
	json_t *rec = json_object_get(json_object_get(m ? m : a->c, "trace"), "records");

	an_model_reason(m, json_is_integer(rec) ? (uint64_t)json_integer_value(rec) : 0,
			an_case_working_set(a->c) / 4096, r, sizeof(r));
	fprintf(f, "%s: ", a->var);
	md_esc(f, r);
}

static void write_answer(FILE *f, const struct an_set *set)
{
	struct ans_case *all;
	struct ans_group *g = malloc(sizeof(*g)), *gm = malloc(sizeof(*gm));
	size_t n = ans_collect(set, &all), rows = 0, nat = 0;
	const char *profile = NULL;

	fputs("## The answer\n\n", f);
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(all[i].src, "model") && !profile && *all[i].profile)
			profile = all[i].profile;
		nat += !strcmp(all[i].src, "native");
	}
	if (!g || !gm || !n) {
		fputs("No cases to answer from.\n", f);
		goto out;
	}
	fprintf(f, "Per access pattern and cache state: the method fastest (time per run) on most traces "
		   "(unless another is faster over the traces both ran: then that one), how much faster it is than the runner-up and than read/pread (geometric mean of the time ratios "
		   "over the traces both ran), and the model's reason (its two largest cycle components, faults "
		   "per page, syscalls per record) for the winner and the runner-up on the largest trace they share. "
		   "Witness: %s.\n\n",
		nat && profile ? "native medians (measured) where the group has native cases, else the model" :
		nat ? "native medians only (no model results: no reason can be given)" : "the model only (no native results: nothing measured)");
	if (profile)
		fprintf(f, "Model profile used for the answer and the reasons: %s (other profiles are in the details).\n\n",
			profile);
	fprintf(f, "| pattern | cache | witness | winner | wins | vs runner-up | vs read/pread | model's reason (winner; runner-up) |%s\n"
		   "|---|---|---|---|---:|---|---|---|%s\n", nat && profile ? " model's winner |" : "",
		nat && profile ? "---|" : "");
	for (size_t p = 0, i; p < n; p++) for (i = p; i < n; i++) {
		const struct ans_case *a = &all[i];
		int seen = 0, w, ru, native;
		double rr;
		size_t rk = 0, big = 0, total = 0;
		for (size_t j = 0; j < p && !seen; j++) /* pattern of an earlier p: done */
			seen = !strcmp(all[j].pat, all[p].pat);
		if (seen)
			break;
		for (size_t j = p; j < i && !seen; j++)
			seen = !strcmp(all[j].pat, a->pat) && !strcmp(all[j].cache, a->cache);
		if (seen || strcmp(a->pat, all[p].pat))
			continue;
		native = 0;
		for (size_t j = i; j < n && !native; j++)
			native = !strcmp(all[j].pat, a->pat) && !strcmp(all[j].cache, a->cache) &&
				 !strcmp(all[j].src, "native") && !isnan(all[j].ns);
		ans_fill(g, all, n, a->pat, a->cache, native ? "native" : "model", native ? NULL : profile);
		w = ans_winner(g, &ru, &rr, &rk, &big);
		for (size_t v = 0; v < g->nvar; v++)
			total += g->wins[v];
		fprintf(f, "| %s | %s | %s%s%s |", a->pat, a->cache, native ? "native" : "model",
			native ? "" : " ", native ? "" : profile ? profile : "");
		rows++;
		if (w < 0) {
			fprintf(f, " - | - | - | - | only %zu method(s) on %zu trace(s): nothing to compare |%s\n", g->nvar,
				g->nspec, nat && profile ? " - |" : "");
			continue;
		}
		fprintf(f, " %s | %zu of %zu |", g->var[w], g->wins[w], total);
		if (ru < 0)
			fputs(" - |", f);
		else
			fprintf(f, " %.2fx vs %s (%zu trace%s) |", rr, g->var[ru], rk, rk == 1 ? "" : "s");
		ans_vs_read(f, g, w);
		fputc(' ', f);
		ans_reason(f, all, n, ru >= 0 ? g->cell[w][big] : NULL, profile);
		if (ru >= 0) {
			fputs("; ", f);
			ans_reason(f, all, n, g->cell[ru][big], profile);
			fputs(" (on `", f);
			md_esc(f, g->spec[big]);
			fputs("`)", f);
		}
		fputs(" |", f);
		if (nat && profile) {
			int mw, mru;
			double mr;
			size_t mk, mb;
			ans_fill(gm, all, n, a->pat, a->cache, "model", profile);
			mw = ans_winner(gm, &mru, &mr, &mk, &mb);
			fprintf(f, " %s |", mw < 0 ? "-" : gm->var[mw]);
		}
		fputc('\n', f);
	}
	fprintf(f, "\n%zu pattern x cache group(s). \"wins\" counts the traces of the group where the winner is the "
		   "fastest of the methods that ran it.\n", rows);
out:
	free(g);
	free(gm);
	free(all);
}

/* Path of `target` relative to directory `from` (both made absolute). */
static void relpath(const char *from, const char *target, char *out, size_t len)
{
	char a[PATH_MAX], b[PATH_MAX];
	size_t common = 0, i;

	if (!realpath(from, a) || !realpath(target, b)) {
		snprintf(out, len, "%s", target);
		return;
	}
	for (i = 0; a[i] && a[i] == b[i]; i++)
		if (a[i] == '/')
			common = i;
	if (!a[i] && (b[i] == '/' || !b[i]))
		common = i;
	out[0] = 0;
	for (const char *p = a + common; *p; p++)
		if (*p == '/')
			strncat(out, "../", len - strlen(out) - 1);
	strncat(out, b[common] == '/' ? b + common + 1 : b + common, len - strlen(out) - 1);
	if (!*out)
		snprintf(out, len, ".");
}

static void figures(FILE *f, const char *plots, const char *report)
{
	static const struct { const char *file, *title; } figs[] = {
		{ "agreement", "Model vs native, one panel per metric" },
		{ "read-fread-mmap", "read vs fread vs mmap (the seed experiment), ns per byte" },
		{ "workset", "Cost per access vs working set, TLB reach marked" },
		{ "methods-*", "Cost per access by method" },
		{ "faults-*", "Page faults per MiB" },
		{ "history", "History across baselines" },
	};
	char dir[PATH_MAX], rel[PATH_MAX], png[PATH_MAX];
	size_t shown = 0;

	snprintf(dir, sizeof(dir), "%s", report);
	if (strrchr(dir, '/'))
		*strrchr(dir, '/') = 0;
	else
		snprintf(dir, sizeof(dir), ".");
	fprintf(f, "\n### Figures\n\n");
	for (size_t i = 0; i < MB_ARRAY_SIZE(figs); i++) {
		glob_t gl;
		snprintf(png, sizeof(png), "%s/%s.png", plots, figs[i].file);
		if (glob(png, 0, NULL, &gl))
			continue;
		for (size_t k = 0; k < gl.gl_pathc; k++) {
			const char *base = strrchr(gl.gl_pathv[k], '/');
			relpath(dir, gl.gl_pathv[k], rel, sizeof(rel));
			fprintf(f, "#### %s (%s)\n\n![%s](%s)\n\n", figs[i].title, base ? base + 1 : gl.gl_pathv[k],
				figs[i].title, rel);
			shown++;
		}
		globfree(&gl);
	}
	if (!shown)
		fprintf(f, "No figures in %s (run 'mapbench plot RESULTS -o %s').\n", plots, plots);
}

static void write_md(FILE *f, const struct an_set *set, const char *plots, const char *report)
{
	struct an_compare *c = NULL;

	fprintf(f, "# mapbench report\n\nGenerated by mapbench %s from %zu result file(s); the inputs are listed "
		   "under Details.\n\n", mb_version(), set->n);
	write_answer(f, set);
	fputs("\n", f);
	if (an_compare_run(set, &c))
		fputs("## Model vs native agreement\n\nThe comparison could not be run (out of memory).\n", f);
	else if (c->native_cases && c->model_cases)
		an_compare_print_markdown(c, f); /* one row per family: share within, median error, verdict */
	else
		fprintf(f, "## Model vs native agreement\n\nNo agreement to show: %s results only (%zu native, %zu model case(s)); both witnesses are needed.\n",
			c->native_cases ? "native" : "model", c->native_cases, c->model_cases);
	an_compare_destroy(c);
	fprintf(f, "\n## Details\n\n### Inputs\n\n| file | timestamp | tool | host | cases |\n|---|---|---|---|---:|\n");
	for (size_t d = 0; d < set->n; d++) {
		json_t *root = set->docs[d]->root, *host = json_object_get(root, "host");
		const char *k = json_string_value(json_object_get(host, "kernel"));
		const char *cpu = json_string_value(json_object_get(host, "cpu"));
		fputs("| ", f);
		md_esc(f, set->names[d]);
		fprintf(f, " | %s | %s %s | %s%s%s | %zu |\n", json_string_value(json_object_get(root, "timestamp")),
			an_case_str(json_object_get(root, "tool"), "version"),
			an_case_str(json_object_get(root, "tool"), "git"), k ? k : "?", cpu ? ", " : "", cpu ? cpu : "",
			json_array_size(an_result_cases(set->docs[d])));
	}
	case_table(f, set, "native");
	case_table(f, set, "model");
	if (plots)
		figures(f, plots, report);
}

/* wbr: table cells: a break opportunity after each separator of a case id or method
   (",", "|", ":", "=", ";"), so a long cell wraps between its parts, not inside a word. */
static void html_esc_(FILE *f, const char *s, size_t n, int wbr)
{
	for (size_t i = 0; i < n && s[i]; i++) {
		if (s[i] == '\\' && s[i + 1] == '|') {
			fputs(wbr ? "|<wbr>" : "|", f);
			i++;
		} else if (wbr && strchr(",:=;", s[i]) && i + 1 < n && s[i + 1] != ' ') {
			fputc(s[i], f);
			fputs("<wbr>", f);
		} else if (s[i] == '<')
			fputs("&lt;", f);
		else if (s[i] == '>')
			fputs("&gt;", f);
		else if (s[i] == '&')
			fputs("&amp;", f);
		else if (s[i] == '`')
			;
		else if (s[i] == '*' && i + 1 < n && s[i + 1] == '*')
			i++; /* bold markers: dropped */
		else
			fputc(s[i], f);
	}
}

static void html_esc(FILE *f, const char *s, size_t n)
{
	html_esc_(f, s, n, 0);
}

/*
 * An image as a data: URI (base64), so the HTML needs no other file; src is
 * relative to dir (the markdown's directory). Returns 0, or -errno when the
 * file cannot be read (the caller links it instead and says so).
 */
static int img_data_uri(FILE *f, const char *dir, const char *src, size_t n)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char path[PATH_MAX];
	unsigned char in[3 * 1024];
	size_t got;
	FILE *g;
	int e = 0;

	mb_sfmt(path, sizeof(path), "%s/%.*s", src[0] == '/' ? "" : dir, (int)n, src);
	if (!(g = fopen(src[0] == '/' ? path + 1 : path, "rb")))
		return -errno;
	fputs(n > 4 && !strncmp(src + n - 4, ".svg", 4) ? "data:image/svg+xml;base64," : "data:image/png;base64,", f);
	while ((got = fread(in, 1, sizeof(in), g)) > 0) {
		for (size_t i = 0; i < got; i += 3) {
			unsigned v = (unsigned)in[i] << 16 | (i + 1 < got ? (unsigned)in[i + 1] << 8 : 0) |
				     (i + 2 < got ? in[i + 2] : 0);
			fputc(b64[v >> 18 & 63], f);
			fputc(b64[v >> 12 & 63], f);
			fputc(i + 1 < got ? b64[v >> 6 & 63] : '=', f);
			fputc(i + 2 < got ? b64[v & 63] : '=', f);
		}
	}
	if (ferror(g))
		e = -EIO;
	fclose(g);
	return e;
}

/* Minimal markdown (as produced above) to HTML; images embedded from dir. */
static void md_to_html(const char *md, FILE *f, const char *dir)
{
	const char *p = md;
	int in_table = 0, header = 0;

	fputs("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>mapbench report</title>\n"
	      "<style>body{font-family:sans-serif;max-width:1560px;margin:auto}table{border-collapse:collapse}"
	      "td,th{border:1px solid #ccc;padding:2px 6px;font-size:90%;overflow-wrap:break-word}th{overflow-wrap:normal}img{max-width:100%}</style></head><body>\n", f);
	while (*p) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (n && p[0] == '|') {
			if (n > 3 && !strncmp(p, "|---", 4)) {
				header = 0;
			} else {
				const char *c = p + 1, *end = p + n;
				if (!in_table) {
					fputs("<table>\n", f);
					in_table = header = 1;
				}
				fputs("<tr>", f);
				while (c < end) {
					const char *q = c;
					while (q < end && !(*q == '|' && q[-1] != '\\'))
						q++;
					if (q >= end)
						break;
					fputs(header ? "<th>" : "<td>", f);
					html_esc_(f, c, (size_t)(q - c), 1);
					fputs(header ? "</th>" : "</td>", f);
					c = q + 1;
				}
				fputs("</tr>\n", f);
			}
		} else {
			if (in_table) {
				fputs("</table>\n", f);
				in_table = 0;
			}
			if (n && p[0] == '#') {
				int lvl = 0;
				while (p[lvl] == '#')
					lvl++;
				fprintf(f, "<h%d>", lvl);
				html_esc(f, p + lvl + 1, n - lvl - 1);
				fprintf(f, "</h%d>\n", lvl);
			} else if (n > 4 && !strncmp(p, "![", 2)) {
				const char *alt = p + 2, *ae = strchr(alt, ']');
				const char *src = ae ? ae + 2 : "", *se = ae ? strchr(src, ')') : NULL;
				if (ae && se) {
					fputs("<p><img alt=\"", f);
					html_esc(f, alt, (size_t)(ae - alt));
					fputs("\" src=\"", f);
					if (img_data_uri(f, dir, src, (size_t)(se - src))) {
						/* unreadable: a link, and the page says so */
						html_esc(f, src, (size_t)(se - src));
						fputs("\"> (not embedded: the file could not be read)", f);
						fputs("</p>\n", f);
					} else {
						fputs("\"></p>\n", f);
					}
				}
			} else if (n > 1 && p[0] == '>') {
				fputs("<blockquote>", f);
				html_esc(f, p + 1, n - 1);
				fputs("</blockquote>\n", f);
			} else if (n) {
				fputs("<p>", f);
				html_esc(f, p, n);
				fputs("</p>\n", f);
			}
		}
		p = e ? e + 1 : p + n;
	}
	if (in_table)
		fputs("</table>\n", f);
	fputs("</body></html>\n", f);
}

static int write_file(const char *path, const char *data, int html, const char *mdpath)
{
	struct mb_atomic a;
	int ret = mb_atomic_open(&a, path);

	if (ret) {
		mb_errno("report", ret, "cannot write %s", path);
		return ret;
	}
	if (html) {
		char dir[PATH_MAX];
		snprintf(dir, sizeof(dir), "%s", mdpath);
		if (strrchr(dir, '/'))
			*strrchr(dir, '/') = 0;
		else
			snprintf(dir, sizeof(dir), ".");
		md_to_html(data, a.fp, dir);
	}
	else
		fputs(data, a.fp);
	ret = mb_atomic_commit(&a);
	if (ret)
		mb_errno("report", ret, "committing %s", path);
	return ret;
}

int cmd_report(int argc, char **argv)
{
	const char *out = NULL, *html = NULL, *plots = NULL;
	char **inputs = calloc(argc + 1, sizeof(char *)), *md = NULL;
	size_t mdlen = 0;
	int n = 0, status = 2;
	struct an_set set;
	FILE *mf;

	if (!inputs)
		return 2;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int has = i + 1 < argc;
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			free(inputs);
			return 0;
		} else if ((!strcmp(a, "-o") || !strcmp(a, "--output")) && has) {
			out = argv[++i];
		} else if (!strcmp(a, "--html") && has) {
			html = argv[++i];
		} else if (!strcmp(a, "--plots") && has) {
			plots = argv[++i];
		} else if (a[0] == '-' && a[1]) {
			mb_err("report", "unknown or incomplete option '%s'", a);
			usage(stderr);
			free(inputs);
			return 2;
		} else {
			inputs[n++] = argv[i];
		}
	}
	if ((!out && !html) || !n) {
		mb_err("report", "need -o REPORT.md (or --html) and at least one result file (got %d input(s))", n);
		usage(stderr);
		free(inputs);
		return 2;
	}
	if (plots) {
		struct stat st;
		if (stat(plots, &st) || !S_ISDIR(st.st_mode)) {
			mb_err("report", "--plots %s: not a directory", plots);
			free(inputs);
			return 2;
		}
	}
	if (an_set_load(&set, inputs, n)) {
		free(inputs);
		return 2;
	}
	mf = open_memstream(&md, &mdlen);
	if (mf) {
		write_md(mf, &set, plots, out ? out : html);
		fclose(mf);
		if ((!out || !write_file(out, md, 0, out)) && (!html || !write_file(html, md, 1, out ? out : html))) {
			printf("report: %s%s%s\n", out ? out : "", out && html ? " and " : "", html ? html : "");
			status = 0;
		}
	}
	free(md);
	an_set_free(&set);
	free(inputs);
	return status;
}
