/*
 * analysis/plot.h — gnuplot figures from result files (shared/DESIGN.md
 * "Compare, plot, gate"). C writes plain data files into the output
 * directory and runs the scripts in analysis/plots/ (NAME.gp) on them, once per
 * terminal (pngcairo, or png when cairo is missing; and svg). A figure whose
 * data is absent is skipped with a message, never drawn empty.
 */
#ifndef ANALYSIS_PLOT_H
#define ANALYSIS_PLOT_H

#include "analysis/load.h"

enum an_plot_kind {
	AN_PLOT_METHODS = 0, /* bytes/s and ns/access per method per pattern */
	AN_PLOT_WORKSET,     /* cost vs working-set size, TLB reach marked */
	AN_PLOT_SCATTER,     /* model vs native per metric family, log-log */
	AN_PLOT_FAULTS,      /* fault breakdown: minor/major (+ fault-around) */
	AN_PLOT_HISTORY,     /* a metric across baselines */
	AN_PLOT__COUNT
};

struct an_plot_opts {
	const char *outdir;         /* where data files and images go (created) */
	const char *scripts;        /* dir of *.gp; NULL = $MAPBENCH_PLOTS, else the source tree */
	const char *history_metric; /* metric of the history plot (default ns_per_access) */
	int svg;                    /* also render SVG */
};

/* Result of one run: images written, plots skipped. */
struct an_plot_report {
	unsigned images;  /* image files written */
	unsigned skipped; /* figures skipped for lack of data */
	char files[64][64]; /* names of the images written (relative to outdir) */
};

/* The scripts directory that will be used (for messages, tests). */
const char *an_plot_scripts_dir(const struct an_plot_opts *o);
/* Does gnuplot run here? Writes the png terminal to use ("pngcairo"/"png"). */
int an_plot_gnuplot_ok(char *png_term, size_t len);
/* Render every figure with data. Returns 0, or -errno / -EINVAL (gnuplot failed: message printed). */
int an_plot_run(const struct an_set *set, const struct an_plot_opts *o, struct an_plot_report *rep);

#endif /* ANALYSIS_PLOT_H */
