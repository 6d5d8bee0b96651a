/*
 * cli/cmd_merge.c — `mapbench merge -o OUT RESULTS...`: merge result files
 * (e.g. of cases run in parallel on several machines) into one, atomically
 * (analysis/merge.h). Exit 0, or 2 on usage/input errors (nothing written).
 */
#include "analysis/merge.h"
#include "cli/cmds.h"
#include "common/mb.h"

#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(f, "usage: mapbench merge -o OUT.json [--replace] RESULTS...\n"
		   "  RESULTS   result files or directories of them, merged in order\n"
		   "  --replace a later case with the same id+source+profile replaces the earlier\n"
		   "            (default: a duplicate is an error)\n");
}

int cmd_merge(int argc, char **argv)
{
	const char *out = NULL;
	char **inputs = calloc(argc + 1, sizeof(char *));
	int n = 0, replace = 0, status = 2;
	struct an_set set;
	struct an_result *r = NULL;

	if (!inputs)
		return 2;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			free(inputs);
			return 0;
		} else if ((!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) && i + 1 < argc) {
			out = argv[++i];
		} else if (!strcmp(argv[i], "--replace")) {
			replace = 1;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			mb_err("merge", "unknown or incomplete option '%s'", argv[i]);
			usage(stderr);
			free(inputs);
			return 2;
		} else {
			inputs[n++] = argv[i];
		}
	}
	if (!out || !n) {
		mb_err("merge", "need -o OUT and at least one input (got %s, %d input(s))", out ? out : "no -o", n);
		usage(stderr);
		free(inputs);
		return 2;
	}
	if (an_set_load(&set, inputs, n)) {
		free(inputs);
		return 2;
	}
	if (!an_merge(&set, replace, &r) && !an_result_write(r, out)) {
		printf("merge: %zu file(s), %zu case(s) -> %s\n", set.n, json_array_size(an_result_cases(r)), out);
		status = 0;
	}
	an_result_destroy(r);
	an_set_free(&set);
	free(inputs);
	return status;
}
