/*
 * analysis/plot_pressure.h — the pressure suite's figure (`mapbench plot
 * --pressure`): throughput (accesses/s) against file size / memory limit,
 * one line per source x method variant x threads (native solid, model
 * dashed), from cases with a memory limit (case id "|mem=BYTES").
 */
#ifndef ANALYSIS_PLOT_PRESSURE_H
#define ANALYSIS_PLOT_PRESSURE_H

#include "analysis/load.h"
#include "analysis/plot.h"

/* Render <outdir>/pressure.png (1600 px wide) and .svg. 0, -ENODATA (no case with a limit: message), -errno. */
int an_plot_pressure(const struct an_set *set, const struct an_plot_opts *o);

#endif /* ANALYSIS_PLOT_PRESSURE_H */
