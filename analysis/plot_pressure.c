/*
 * analysis/plot_pressure.c — the pressure figure (plot_pressure.h). Points:
 * x = trace.region_bytes (else the spec's size=) / the case's memory limit,
 * y = 1e9 / ns_per_access (median); a series per source | method variant |
 * threads, points sorted by x. Invariant: a case without a limit, a region
 * size or a measured ns_per_access contributes no point (counted, said on
 * stderr), never a zero.
 */
#include "analysis/plot_pressure.h"
#include "common/mb.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define PP_SERIES 32 /* lines drawn at most */
#define PP_POINTS 64 /* points per line at most */

struct series {
	char title[160];        /* source | variant | threads */
	int model;              /* dashed */
	int colour;             /* linetype: shared by the native and model lines of one variant */
	const char *variant;    /* title after "source | " */
	double x[PP_POINTS], y[PP_POINTS]; /* points */
	int n;                  /* points filled */
};

static double region_of(const json_t *c)
{
	json_t *rb = json_object_get(json_object_get(c, "trace"), "region_bytes");
	char spec[512];
	const char *p;
	uint64_t b;

	if (json_is_integer(rb))
		return (double)json_integer_value(rb);
	an_case_spec(c, spec, sizeof(spec));
	if ((p = strstr(spec, "size="))) {
		char v[32];
		snprintf(v, sizeof(v), "%.*s", (int)strcspn(p + 5, ",@|"), p + 5);
		if (!mb_parse_size(v, &b))
			return (double)b;
	}
	return 0;
}

static int cmp_pt(const void *a, const void *b)
{
	const double *x = a, *y = b;

	return (x[0] > y[0]) - (x[0] < y[0]);
}

int an_plot_pressure(const struct an_set *set, const struct an_plot_opts *o)
{
	static struct series s[PP_SERIES];
	int ns = 0, dropped = 0;
	char dat[4096], vars[8192], var[4096], term[32];
	FILE *f;

	for (size_t d = 0; d < set->n; d++) {
		size_t i;
		json_t *c;
		json_array_foreach(an_result_cases(set->docs[d]), i, c) {
			const char *id = an_case_str(c, "id"), *src = an_case_str(c, "source");
			double lim = an_id_number(id, "|mem="), th = an_id_number(id, "threads=");
			double reg = region_of(c), npa = an_case_value(c, "ns_per_access");
			char title[160];
			int k;

			if (lim <= 0)
				continue;
			if (reg <= 0 || !isfinite(npa) || npa <= 0) {
				dropped++;
				continue;
			}
			snprintf(title, sizeof(title), "%s | %s%s", src, an_case_variant(c, var, sizeof(var)),
				 th > 1 ? (th == 2 ? " | 2 threads" : " | threads") : "");
			for (k = 0; k < ns && strcmp(s[k].title, title); k++)
				;
			if (k == ns) {
				if (ns == PP_SERIES) {
					dropped++;
					continue;
				}
				memset(&s[ns], 0, sizeof(s[ns]));
				snprintf(s[ns].title, sizeof(s[ns].title), "%s", title);
				s[ns].model = !strcmp(src, "model");
				s[ns].variant = strchr(s[ns].title, '|') + 2;
				s[ns].colour = 0;
				for (int q = 0; q < ns && !s[ns].colour; q++)
					if (!strcmp(s[q].variant, s[ns].variant))
						s[ns].colour = s[q].colour;
				if (!s[ns].colour) {
					int top = 0;
					for (int q = 0; q < ns; q++)
						top = s[q].colour > top ? s[q].colour : top;
					s[ns].colour = top + 1;
				}
				ns++;
			}
			if (s[k].n < PP_POINTS) {
				s[k].x[s[k].n] = reg / lim;
				s[k].y[s[k].n++] = 1e9 / npa;
			} else
				dropped++;
		}
	}
	if (!ns) {
		fprintf(stderr, "plot: pressure: skipped: no case with a memory limit (|mem= in its id) and a measured ns_per_access\n");
		return -ENODATA;
	}
	if (dropped)
		fprintf(stderr, "plot: pressure: %d case(s) without a region size or ns_per_access, or beyond %d lines: not drawn\n",
			dropped, PP_SERIES);
	if (!an_plot_gnuplot_ok(term, sizeof(term))) {
		fprintf(stderr, "mapbench: plot: pressure: gnuplot not found or not working\n");
		return -ENOENT;
	}
	if (mb_mkdir_p(o->outdir))
		return -EIO;
	snprintf(dat, sizeof(dat), "%s/pressure.dat", o->outdir);
	if (!(f = fopen(dat, "w")))
		return -errno;
	int len = snprintf(vars, sizeof(vars), "nseries = %d; array titles[%d]; array dashes[%d]; array colours[%d]; ",
		       ns, ns, ns, ns);
	for (int k = 0; k < ns; k++) {
		double pt[PP_POINTS][2];
		for (int j = 0; j < s[k].n; j++)
			pt[j][0] = s[k].x[j], pt[j][1] = s[k].y[j];
		qsort(pt, (size_t)s[k].n, sizeof(pt[0]), cmp_pt);
		fprintf(f, "# %s\n", s[k].title);
		for (int j = 0; j < s[k].n; j++)
			fprintf(f, "%.6g %.6g\n", pt[j][0], pt[j][1]);
		fprintf(f, "\n\n");
		len += snprintf(vars + len, sizeof(vars) - (size_t)len, "titles[%d] = '%s'; dashes[%d] = %d; colours[%d] = %d; ",
				k + 1, s[k].title, k + 1, s[k].model ? 2 : 1, k + 1, s[k].colour);
		if ((size_t)len >= sizeof(vars)) {
			fclose(f);
			return -E2BIG;
		}
	}
	fclose(f);
	for (int t = 0; t < (o->svg ? 2 : 1); t++) {
		char cmd[24576], out[4096];
		const char *ext = t ? "svg" : "png";
		struct stat st;
		int rc;
		snprintf(out, sizeof(out), "%s/pressure.%s", o->outdir, ext);
		if ((size_t)snprintf(cmd, sizeof(cmd), "gnuplot -e \"set terminal %s noenhanced size 1600,900 font 'sans,11'; "
			 "set output '%s'; datafile = '%s'; %s\" '%s/pressure.gp'",
			 t ? "svg" : term, out, dat, vars, an_plot_scripts_dir(o)) >= sizeof(cmd))
			return -E2BIG;
		rc = system(cmd);
		if (rc != 0 || stat(out, &st) || st.st_size == 0) {
			fprintf(stderr, "mapbench: plot: pressure: gnuplot did not produce %s (status %d)\n", out, rc);
			return -EINVAL;
		}
	}
	fprintf(stderr, "plot: pressure: wrote %s/pressure.png%s (%d lines)\n", o->outdir, o->svg ? " and .svg" : "", ns);
	return 0;
}
