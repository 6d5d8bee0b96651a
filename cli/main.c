/*
 * cli/main.c — the `mapbench` dispatcher: a table of subcommands, help and
 * version. No logic of its own (CONVENTIONS.md §1).
 */
#include "cli/cmds.h"
#include "common/mb.h"

#include <stdio.h>
#include <string.h>

struct command {
	const char *name;                 /* subcommand word */
	int (*fn)(int argc, char **argv); /* entry point */
	const char *help;                 /* one line */
};

static const struct command commands[] = {
	{ "trace", cmd_trace, "gen | import | dump | stat: make and inspect traces" },
	{ "run", cmd_run, "replay a trace natively with one access method" },
	{ "sim", cmd_sim, "replay a trace through the model with a profile" },
	{ "host", cmd_host, "what this machine offers: PMU, events, tracepoints, policy" },
	{ "suite", cmd_suite, "run | list: a suite of cases, native + model + compare + plots" },
	{ "compare", cmd_compare, "join native and model results, report agreement" },
	{ "calibrate", cmd_calibrate, "measure this host and write a model profile" },
	{ "plot", cmd_plot, "render gnuplot figures from result files" },
	{ "report", cmd_report, "markdown/HTML report from result files" },
	{ "gate", cmd_gate, "compare current results with a baseline; exit 1 on regression" },
	{ "merge", cmd_merge, "merge result files into one" },
	{ "record", cmd_record, "run a program and record its accesses to a file as a trace" },
	{ "whatif", cmd_whatif, "replay a recorded trace with every method, natively and modelled" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: mapbench <command> [options]   (mapbench <command> --help)\n\n"
		   "mapbench replays address traces over a file with mmap, read/pread, fread,\n"
		   "io_uring or anonymous memory, natively and through a cycle-counted model,\n"
		   "and checks the two against each other.\n\ncommands:\n");
	for (size_t i = 0; i < MB_ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\n  help       this text\n  --version  print the version and git sha\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		if (argc > 2)
			for (size_t i = 0; i < MB_ARRAY_SIZE(commands); i++)
				if (!strcmp(argv[2], commands[i].name)) {
					char *hargv[] = { argv[2], "--help", NULL };
					return commands[i].fn(2, hargv);
				}
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("mapbench %s\n", mb_version());
		return 0;
	}
	for (size_t i = 0; i < MB_ARRAY_SIZE(commands); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	mb_err("cli", "unknown command '%s' (try 'mapbench help')", argv[1]);
	return 2;
}
