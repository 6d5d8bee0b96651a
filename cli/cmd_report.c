/*
 * cli/cmd_report.c — `mapbench report RESULTS... -o report.md [--html F]
 * [--plots DIR]`: a readable report from result files: the inputs and hosts,
 * a table per source (native, model) of every case, the model-vs-native
 * agreement when both sources are present (analysis/compare.h), and the
 * figures of a plot directory. The HTML is converted from the markdown we
 * generate (headings, tables, images, paragraphs only). Files are written
 * atomically; exit 0, or 2 on usage/input errors.
 */
#include "analysis/compare.h"
#include "analysis/plot.h"
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
				fprintf(f, "\n## %s cases\n\n| trace | method | cache |%s bytes/s | ns/access | faults (minor/major) | syscalls (read) |\n"
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
	fprintf(f, "\n## Figures\n\n");
	for (size_t i = 0; i < MB_ARRAY_SIZE(figs); i++) {
		glob_t gl;
		snprintf(png, sizeof(png), "%s/%s.png", plots, figs[i].file);
		if (glob(png, 0, NULL, &gl))
			continue;
		for (size_t k = 0; k < gl.gl_pathc; k++) {
			const char *base = strrchr(gl.gl_pathv[k], '/');
			relpath(dir, gl.gl_pathv[k], rel, sizeof(rel));
			fprintf(f, "### %s (%s)\n\n![%s](%s)\n\n", figs[i].title, base ? base + 1 : gl.gl_pathv[k],
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

	fprintf(f, "# mapbench report\n\nGenerated by mapbench %s from %zu result file(s).\n\n"
		   "| file | timestamp | tool | host | cases |\n|---|---|---|---|---:|\n", mb_version(), set->n);
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
	if (!an_compare_run(set, &c) && c->native_cases && c->model_cases) {
		fputs("\n", f);
		an_compare_print_markdown(c, f);
	}
	an_compare_destroy(c);
	if (plots)
		figures(f, plots, report);
}

static void html_esc(FILE *f, const char *s, size_t n)
{
	for (size_t i = 0; i < n && s[i]; i++) {
		if (s[i] == '\\' && s[i + 1] == '|') {
			fputc('|', f);
			i++;
		} else if (s[i] == '<')
			fputs("&lt;", f);
		else if (s[i] == '>')
			fputs("&gt;", f);
		else if (s[i] == '&')
			fputs("&amp;", f);
		else if (s[i] == '`')
			;
		else
			fputc(s[i], f);
	}
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
	      "<style>body{font-family:sans-serif;max-width:1200px;margin:auto}table{border-collapse:collapse}"
	      "td,th{border:1px solid #ccc;padding:2px 6px;font-size:90%}img{max-width:100%}</style></head><body>\n", f);
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
					html_esc(f, c, (size_t)(q - c));
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
