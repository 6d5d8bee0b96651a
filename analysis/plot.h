/*
 * analysis/plot.h — gnuplot figures from result files (shared/DESIGN.md
 * "Compare, plot, gate"). C writes plain data files into the output
 * directory and runs the scripts in analysis/plots/ (NAME.gp) on them, once per
 * terminal (pngcairo, or png when cairo is missing; and svg), 1600 px wide.
 * One question per figure:
 *   methods-<pattern>  ns per access of each method, one panel per trace x
 *                      cache state, native beside each model profile
 *   faults-<pattern>   page faults per MiB of working set, same panels
 *   agreement          model vs native, one panel per metric, y = x and the
 *                      tolerance band of analysis/compare.c, outliers named
 *   workset            ns per access vs working set, TLB reach lines
 *   read-fread-mmap    the seed experiment: ns per byte, native and model
 *   history            a metric across baselines / hosts
 * A figure whose data is absent is skipped with a message, never drawn empty;
 * a gnuplot warning is an error (the figure would be wrong or unreadable).
 */
#ifndef ANALYSIS_PLOT_H
#define ANALYSIS_PLOT_H

#include <stddef.h>

#include "analysis/load.h"

struct an_plot_opts {
	const char *outdir;         /* where data files and images go (created) */
	const char *scripts;        /* dir of *.gp; NULL = $MAPBENCH_PLOTS, else the source tree */
	const char *history_metric; /* metric of the history plot (default ns_per_access) */
	int svg;                    /* also render SVG */
};

#define AN_PLOT_MAX_FILES 128 /* image names kept in the report (more are counted, not named) */

/* Result of one run: images written, plots skipped. */
struct an_plot_report {
	unsigned images;                      /* image files written */
	unsigned skipped;                     /* figures skipped for lack of data */
	char files[AN_PLOT_MAX_FILES][64];    /* names of the images written (relative to outdir) */
};

/* The scripts directory that will be used (for messages, tests). */
const char *an_plot_scripts_dir(const struct an_plot_opts *o);
/* Does gnuplot run here? Writes the png terminal to use ("pngcairo"/"png"). */
int an_plot_gnuplot_ok(char *png_term, size_t len);
/*
 * Render every figure with data. Returns 0, or -errno / -EINVAL (gnuplot
 * failed or warned: message printed with gnuplot's own words).
 */
int an_plot_run(const struct an_set *set, const struct an_plot_opts *o, struct an_plot_report *rep);

/*
 * A short readable name of a case id ("seq 64M/4K | mmap | warm"): pattern
 * with size and request length, method with its non-default options, cache
 * state. Used for outlier labels and report tables.
 */
const char *an_plot_case_short(const char *id, char *buf, size_t len);
/* The trace and cache part only ("seq 64M/4K, warm-read 1M"): a panel title. */
const char *an_plot_panel_name(const char *id, char *buf, size_t len);
/* The method part only ("mmap madv=random", "fread buf=64K"): a bar label. */
const char *an_plot_method_name(const char *id, char *buf, size_t len);

#endif /* ANALYSIS_PLOT_H */
