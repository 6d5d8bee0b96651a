/*
 * cli/cmd_suite.c — `mapbench suite run|list|show`: front-end of
 * bench/suites (suite.h, runner.h). Parses options, loads the suite, hands
 * over. No logic of its own.
 */
#include "bench/suites/runner.h"
#include "bench/suites/suite.h"
#include "cli/cmds.h"
#include "common/mb.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage_text[] =
	"usage: mapbench suite run NAME|FILE -o DIR [options]\n"
	"       mapbench suite list NAME|FILE [-o DIR] [options]\n"
	"       mapbench suite show NAME|FILE\n"
	"\n"
	"run   generate each trace once, run every case natively (mapbench run) and through\n"
	"      the model (mapbench sim), merge into DIR/native.json and DIR/model.json after\n"
	"      each case, then mapbench compare, plot and report into DIR. Ctrl-C keeps every\n"
	"      finished case (results marked partial) and exits 130.\n"
	"list  print each case as one shell command line (for GNU parallel or a batch\n"
	"      scheduler); gather the results with mapbench merge DIR/cases/*-native.json.\n"
	"show  print the expanded cases, one per line, with where each was defined.\n"
	"\n"
	"options:\n"
	"  -o, --out DIR       output directory (list: default out/NAME)\n"
	"  -j, --jobs N        model cases (and trace generation) at a time (default: CPUs)\n"
	"      --jobs-native N native cases at a time (default 1: they measure the machine)\n"
	"      --native-only   only the native side\n"
	"      --model-only    only the model side\n"
	"      --profile P     model profile for every case (default: the suite's; the\n"
	"                      built-in suites use \"host\": this host's calibrated profile)\n"
	"      --profile-cache DIR  where the profile \"host\" is cached by host fingerprint\n"
	"                      (default $MAPBENCH_PROFILE_CACHE, $XDG_CACHE_HOME/mapbench/profiles,\n"
	"                      ~/.cache/mapbench/profiles); none cached: calibrate runs first\n"
	"      --no-calibrate  fail instead of calibrating when no profile is cached\n"
	"      --recalibrate   calibrate this host's profile again before the run\n"
	"      --require-agreement  exit 4 when a metric family's agreement verdict is FAIL\n"
	"                      (or no comparison could be made)\n"
	"      --reps N        native repetitions for every case (default: the suite's)\n"
	"      --no-analysis   run: skip compare, plot and report\n"
	"  -q, --quiet         run: no progress lines\n"
	"      --exe PATH      mapbench executable the commands use (default: this one)\n"
	"\n"
	"Exit status of run: 0 done, 1 some case failed, 2 usage/setup error (calibrate\n"
	"failed included), 4 --require-agreement and a family FAILs, 130 interrupted.\n"
	"\n"
	"Built-in suites (bench/suites/*.suite, or $MAPBENCH_SUITES): quick, default,\n"
	"crosscheck, seed, tlb-reach, pressure. The file format is described in bench/suites/README.suite.\n";

enum { OPT_JOBS_NATIVE = 256, OPT_NATIVE_ONLY, OPT_MODEL_ONLY, OPT_PROFILE, OPT_REPS,
       OPT_NO_ANALYSIS, OPT_EXE, OPT_PCACHE, OPT_NOCAL, OPT_RECAL, OPT_REQAGREE };

static const struct option long_opts[] = {
	{ "out", required_argument, NULL, 'o' },
	{ "jobs", required_argument, NULL, 'j' },
	{ "jobs-native", required_argument, NULL, OPT_JOBS_NATIVE },
	{ "native-only", no_argument, NULL, OPT_NATIVE_ONLY },
	{ "model-only", no_argument, NULL, OPT_MODEL_ONLY },
	{ "profile", required_argument, NULL, OPT_PROFILE },
	{ "reps", required_argument, NULL, OPT_REPS },
	{ "no-analysis", no_argument, NULL, OPT_NO_ANALYSIS },
	{ "quiet", no_argument, NULL, 'q' },
	{ "exe", required_argument, NULL, OPT_EXE },
	{ "profile-cache", required_argument, NULL, OPT_PCACHE },
	{ "no-calibrate", no_argument, NULL, OPT_NOCAL },
	{ "recalibrate", no_argument, NULL, OPT_RECAL },
	{ "require-agreement", no_argument, NULL, OPT_REQAGREE },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int parse_count(const char *opt, const char *v, unsigned lo, unsigned hi, unsigned *out)
{
	uint64_t n;

	if (mb_parse_u64(v, &n) || n < lo || n > hi) {
		mb_err("suite", "option --%s: bad value '%s' (expected %u to %u)", opt, v, lo, hi);
		return -EINVAL;
	}
	*out = (unsigned)n;
	return 0;
}

/* list: one self-contained shell line per case and side. */
static void list_cases(const struct suite *s, const struct suite_run_opts *o)
{
	char trace[PATH_MAX], out[PATH_MAX];

	for (size_t i = 0; i < s->ncases; i++) {
		const struct suite_case *c = &s->cases[i];
		for (int side = SUITE_NATIVE; side <= SUITE_MODEL; side++) {
			char **argv, **targv = NULL;
			if (!(c->sides & o->sides & (unsigned)side))
				continue;
			suite_trace_path(c, o->out_dir, trace, sizeof(trace));
			snprintf(out, sizeof(out), "%s/cases/%04u-%s.json", o->out_dir, c->index,
				 side == SUITE_NATIVE ? "native" : "model");
			argv = suite_case_argv(c, (enum suite_side)side, &o->ov, o->exe, trace, out);
			if (c->trace[0] != '@')
				targv = suite_trace_argv(c->trace, o->exe, trace);
			if (!argv || (c->trace[0] != '@' && !targv)) {
				mb_err("suite", "out of memory");
				exit(2);
			}
			char *mk[] = { "mkdir", "-p", NULL, NULL, NULL };
			char dtr[PATH_MAX], dca[PATH_MAX];
			snprintf(dtr, sizeof(dtr), "%s/traces", o->out_dir);
			snprintf(dca, sizeof(dca), "%s/cases", o->out_dir);
			mk[2] = dtr;
			mk[3] = dca;
			suite_argv_print(stdout, mk);
			if (targv) {
				char *test[] = { "test", "-s", trace, NULL };
				fputs(" && { ", stdout);
				suite_argv_print(stdout, test);
				fputs(" || ", stdout);
				suite_argv_print(stdout, targv);
				fputs("; }", stdout);
			}
			fputs(" && ", stdout);
			suite_argv_print(stdout, argv);
			fputc('\n', stdout);
			suite_argv_free(argv);
			suite_argv_free(targv);
		}
	}
}

static void show_cases(const struct suite *s)
{
	char label[512];

	printf("# suite %s (%s): %zu cases%s%s\n", s->name, s->path, s->ncases,
	       s->description[0] ? " — " : "", s->description);
	for (size_t i = 0; i < s->ncases; i++) {
		const struct suite_case *c = &s->cases[i];
		suite_case_label(c, label, sizeof(label));
		printf("%4u  %-12s %s  [%s%s%s] reps=%u profile=%s trace=%s  (%s)\n", c->index, c->group,
		       label, c->sides & SUITE_NATIVE ? "native" : "",
		       c->sides == (SUITE_NATIVE | SUITE_MODEL) ? "+" : "",
		       c->sides & SUITE_MODEL ? "model" : "", c->reps, c->profile, c->trace, c->where);
	}
}

int cmd_suite(int argc, char **argv)
{
	struct suite_run_opts o;
	struct suite *s = NULL;
	char exe[PATH_MAX], outdef[PATH_MAX], err[1024];
	const char *verb, *name;
	int c, r;

	if (suite_run_opts_init(&o, exe, sizeof(exe), "suite"))
		return 2;

	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help"))) {
		fputs(usage_text, stdout);
		return 0;
	}
	/* `suite VERB --help` (or -h anywhere): help, not a suite named --help */
	for (int i = 2; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage_text, stdout);
			return 0;
		}
	if (argc < 3) {
		fputs(usage_text, stderr);
		return 2;
	}
	verb = argv[1];
	name = argv[2];
	if (strcmp(verb, "run") && strcmp(verb, "list") && strcmp(verb, "show")) {
		mb_err("suite", "unknown action '%s' (expected run, list or show)", verb);
		return 2;
	}
	optind = 3;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "o:j:qh", long_opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			o.out_dir = optarg;
			break;
		case 'j':
			if (parse_count("jobs", optarg, 1, 1024, &o.jobs))
				return 2;
			break;
		case OPT_JOBS_NATIVE:
			if (parse_count("jobs-native", optarg, 1, 1024, &o.jobs_native))
				return 2;
			break;
		case OPT_NATIVE_ONLY:
			o.sides = SUITE_NATIVE;
			break;
		case OPT_MODEL_ONLY:
			o.sides = SUITE_MODEL;
			break;
		case OPT_PROFILE:
			o.ov.profile = optarg;
			break;
		case OPT_REPS:
			if (parse_count("reps", optarg, 1, SUITE_MAX_REPS, &o.ov.reps))
				return 2;
			break;
		case OPT_NO_ANALYSIS:
			o.analysis = 0;
			break;
		case 'q':
			o.progress = 0;
			break;
		case OPT_EXE:
			o.exe = optarg;
			break;
		case OPT_PCACHE:
			o.profile_cache = optarg;
			break;
		case OPT_NOCAL:
			o.calibrate = 0;
			break;
		case OPT_RECAL:
			o.recalibrate = 1;
			break;
		case OPT_REQAGREE:
			o.require_agreement = 1;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			mb_err("suite", "unknown or incomplete option '%s' (see mapbench suite --help)",
			       argv[optind - 1]);
			return 2;
		}
	}
	if (optind < argc) {
		mb_err("suite", "unexpected argument '%s'", argv[optind]);
		return 2;
	}
	r = suite_load(name, &s, err, sizeof(err));
	if (r) {
		mb_err("suite", "%s", err);
		return 2;
	}
	if (!strcmp(verb, "show")) {
		show_cases(s);
		suite_destroy(s);
		return 0;
	}
	if (!o.out_dir) {
		if (!strcmp(verb, "run")) {
			mb_err("suite", "run needs -o DIR (where results, comparison and plots go)");
			suite_destroy(s);
			return 2;
		}
		snprintf(outdef, sizeof(outdef), "out/%s", s->name);
		o.out_dir = outdef;
	}
	if (!strcmp(verb, "list")) {
		list_cases(s, &o);
		suite_destroy(s);
		return 0;
	}
	r = suite_run(s, &o);
	suite_destroy(s);
	return r;
}
