/*
 * cli/cmd_plot.c — `mapbench plot RESULTS... -o DIR`: gnuplot figures from
 * result files (analysis/plot.h). Exit 0 (some figures may be skipped for
 * lack of data, each with a message), 2 on usage/input/gnuplot errors.
 */
#include "analysis/plot.h"
#include "analysis/plot_pressure.h"
#include "cli/cmds.h"
#include "common/mb.h"

#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: mapbench plot RESULTS... -o DIR [options]\n"
		"  RESULTS: result files or directories of them (several baselines for the history)\n"
		"  -o DIR            output directory (data files, PNG and SVG)\n"
		"  --scripts DIR     gnuplot scripts (default $MAPBENCH_PLOTS, else %s)\n"
		"  --metric NAME     metric of the history plot (default ns_per_access)\n"
		"  --no-svg          PNG only\n"
		"  --pressure        only the pressure figure: accesses/s against file size / memory limit\n"
		"figures: methods, workset, scatter-<family>, faults, history\n",
		an_plot_scripts_dir(NULL));
}

int cmd_plot(int argc, char **argv)
{
	struct an_plot_opts o = { .svg = 1 };
	struct an_plot_report rep;
	char **inputs = calloc(argc + 1, sizeof(char *));
	int n = 0, status = 2, pressure = 0;
	struct an_set set;

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
			o.outdir = argv[++i];
		} else if (!strcmp(a, "--scripts") && has) {
			o.scripts = argv[++i];
		} else if (!strcmp(a, "--metric") && has) {
			o.history_metric = argv[++i];
		} else if (!strcmp(a, "--pressure")) {
			pressure = 1;
		} else if (!strcmp(a, "--no-svg")) {
			o.svg = 0;
		} else if (a[0] == '-' && a[1]) {
			mb_err("plot", "unknown or incomplete option '%s'", a);
			usage(stderr);
			free(inputs);
			return 2;
		} else {
			inputs[n++] = argv[i];
		}
	}
	if (!o.outdir || !n) {
		mb_err("plot", "need -o DIR and at least one result file (got %s, %d input(s))",
		       o.outdir ? o.outdir : "no -o", n);
		usage(stderr);
		free(inputs);
		return 2;
	}
	if (an_set_load(&set, inputs, n)) {
		free(inputs);
		return 2;
	}
	if (pressure) /* the pressure suite's figure only (analysis/plot_pressure.h) */
		status = an_plot_pressure(&set, &o) ? 2 : 0;
	else if (!an_plot_run(&set, &o, &rep)) {
		printf("plot: %u image(s) in %s, %u figure(s) skipped\n", rep.images, o.outdir, rep.skipped);
		status = 0;
	}
	an_set_free(&set);
	free(inputs);
	return status;
}
