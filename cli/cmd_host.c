/*
 * cli/cmd_host.c — `mapbench host [--json] [--dir D]`: what this machine
 * offers to the harness (bench_host_json): kernel, CPU, topology, page sizes,
 * THP, readahead of the scratch directory's device, fault-around, PMU and
 * which default events and tracepoints open here, perf_event_paranoid, TSC.
 * The same object is the "host" of every result file.
 */
#include "bench/bench.h"
#include "cli/cmds.h"
#include "common/mb.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void show(const char *key, json_t *v, int depth)
{
	const char *k;
	json_t *x;
	size_t i;

	if (json_is_object(v)) {
		printf("%*s%s:\n", depth * 2, "", key);
		json_object_foreach(v, k, x)
			show(k, x, depth + 1);
	} else if (json_is_array(v)) {
		printf("%*s%s:", depth * 2, "", key);
		json_array_foreach(v, i, x) {
			char *s = json_dumps(x, JSON_ENCODE_ANY | JSON_COMPACT);
			printf(" %s", s ? s : "?");
			free(s);
		}
		printf("\n");
	} else {
		char *s = json_is_string(v) ? NULL : json_dumps(v, JSON_ENCODE_ANY);
		printf("%*s%-22s %s\n", depth * 2, "", key, json_is_string(v) ? json_string_value(v) : s);
		free(s);
	}
}

int cmd_host(int argc, char **argv)
{
	int as_json = 0;
	const char *dir = NULL;
	json_t *h, *ev;
	const char *k;
	json_t *x;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			as_json = 1;
		else if (!strcmp(argv[i], "--dir") && i + 1 < argc)
			dir = argv[++i];
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			printf("usage: mapbench host [--json] [--dir D]\n"
			       "  what this machine offers: PMU, usable events and tracepoints, THP,\n"
			       "  readahead of D's device (default: the scratch directory), topology\n");
			return 0;
		} else {
			mb_err("host", "unknown argument '%s' (expected --json or --dir D)", argv[i]);
			return 2;
		}
	}
	h = bench_host_json(dir);
	if (as_json) {
		char *s = json_dumps(h, JSON_INDENT(2) | JSON_SORT_KEYS);
		puts(s ? s : "{}");
		free(s);
		json_decref(h);
		return 0;
	}
	json_object_foreach(h, k, x) {
		if (!strcmp(k, "events") || !strcmp(k, "tracepoints"))
			continue;
		show(k, x, 0);
	}
	static const char *const groups[] = { "events", "tracepoints" };
	for (int g = 0; g < 2; g++) {
		printf("%s:\n", groups[g]);
		ev = json_object_get(h, groups[g]);
		json_object_foreach(ev, k, x) {
			const char *st = json_string_value(json_object_get(x, "status"));
			const char *re = json_string_value(json_object_get(x, "reason"));
			printf("  %-40s -> %-20s %s%s%s\n", k, json_string_value(json_object_get(x, "metric")),
			       st, re ? ": " : "", re ? re : "");
		}
	}
	json_decref(h);
	return 0;
}
