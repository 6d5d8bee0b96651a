/*
 * cli/cmds.h — the subcommands of the `mapbench` executable. Each takes the
 * argv after the program name (argv[0] is the subcommand name) and returns the
 * process exit status: 0 success, 1 a failed check (gate, compare tolerance),
 * 2 usage or input error. Each lives in its own cli/cmd_<name>.c, owned by the
 * folder whose library it drives.
 */
#ifndef CLI_CMDS_H
#define CLI_CMDS_H

int cmd_trace(int argc, char **argv);     /* traces/: gen, import, dump, stat */
int cmd_run(int argc, char **argv);       /* bench/: native replay */
int cmd_host(int argc, char **argv);      /* bench/: what this machine offers */
int cmd_sim(int argc, char **argv);       /* sim/: model replay */
int cmd_calibrate(int argc, char **argv); /* bench/ + sim/: host profile */
int cmd_suite(int argc, char **argv);     /* suites: run, list */
int cmd_compare(int argc, char **argv);   /* analysis/: native vs model */
int cmd_plot(int argc, char **argv);      /* analysis/: gnuplot figures */
int cmd_report(int argc, char **argv);    /* analysis/: markdown/HTML report */
int cmd_gate(int argc, char **argv);      /* analysis/: regression gate */
int cmd_merge(int argc, char **argv);     /* analysis/: merge result files */
int cmd_record(int argc, char **argv);    /* record/: trace a real program's file accesses */
int cmd_whatif(int argc, char **argv);    /* bench/ + sim/: every method for a recorded trace */

#endif /* CLI_CMDS_H */
