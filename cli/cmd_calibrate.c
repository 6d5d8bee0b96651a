/*
 * cli/cmd_calibrate.c — `mapbench calibrate -o PROFILE.ini`: front-end of
 * bench/suites/calibrate.h. Parses options and hands over.
 */
#include "bench/bench.h"
#include "bench/cache.h"
#include "bench/fingerprint.h"
#include "bench/suites/calibrate.h"
#include "bench/suites/hostprof.h"
#include "cli/cmds.h"
#include "common/mb.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

static const char usage_text[] =
	"usage: mapbench calibrate -o sim/profiles/host-NAME.ini [options]\n"
	"       mapbench calibrate --cache [--profile-cache DIR] [options]\n"
	"       mapbench calibrate --drift PROFILE [-o DRIFT.json] [--label L]\n"
	"\n"
	"Measure this host with microbenchmarks (TSC rate, pointer-chase TLB knees,\n"
	"fault, syscall and copy costs, fault-around, readahead, whole-folio rule,\n"
	"folio orders, THP settings) and write a model profile. Every value carries a\n"
	"comment saying how it was measured; keys that cannot be measured are copied\n"
	"from the base profile and marked so. Under 2 minutes; root adds folio orders.\n"
	"\n"
	"options:\n"
	"  -o, --out FILE   profile to write (atomically)\n"
	"      --name NAME  [profile] name (default: the file's stem)\n"
	"      --cache      write this host's cached profile (what `suite run` uses):\n"
	"                   DIR/host-<fingerprint>.ini, DIR from --profile-cache, else\n"
	"                   $MAPBENCH_PROFILE_CACHE, $XDG_CACHE_HOME/mapbench/profiles,\n"
	"                   ~/.cache/mapbench/profiles\n"
	"      --profile-cache DIR  the cache directory (implies --cache unless -o is given)\n"
	"      --dir DIR    scratch directory on the file system to measure (default: the\n"
	"                   harness's, $MAPBENCH_SCRATCH or BUILD/scratch)\n"
	"      --allow-busy write the profile even when the host was busy (flagged noisy);\n"
	"                   without it a busy host exits 3 and writes nothing\n"
	"      --base FILE  profile for unmeasured keys (default sim/profiles/vm-host.ini)\n"
	"      --cpu N      pin to CPU N, as `mapbench run --cpu` (default: the harness's\n"
	"                   default CPU, so io-wq and wake-ups behave as in its replays)\n"
	"      --runs N     run every probe N times (1..9) and write each value's median\n"
	"                   run, all N figures in its comment (default 5; --quick: 1)\n"
	"      --quick      reduced sizes and repetitions (tests; less precise)\n"
	"  -v, --verbose    print each measurement\n"
	"      --drift P    measure host drift since profile P was calibrated (P \"host\":\n"
	"                   this host's cached profile): the six short probes whose\n"
	"                   medians calibrate wrote into P's header (\"# drift\"), run\n"
	"                   again (about 1 s); prints now/calibrated per probe and their\n"
	"                   geometric mean: \"drifted\" beyond +-5%, else \"steady\";\n"
	"                   \"unsupported\" when P has no drift figures. -o writes it as\n"
	"                   JSON; exit 0 for any verdict, 2 on a bad profile\n"
	"      --label L    (with --drift) a name for this measurement (e.g. end)\n";

/* bench_pin(cpu) with how into why; 0, or nonzero with the message printed. */
static int pin(int cpu, char *why, size_t len)
{
	if (bench_pin(cpu, why, len) >= 0)
		return 0;
	mb_err("calibrate", "pin to CPU %d: %s", cpu, why);
	return 1;
}

int cmd_calibrate(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' }, { "name", required_argument, NULL, 'n' },
		{ "dir", required_argument, NULL, 'd' }, { "base", required_argument, NULL, 'b' },
		{ "quick", no_argument, NULL, 'q' },     { "verbose", no_argument, NULL, 'v' },
		{ "runs", required_argument, NULL, 'r' }, { "cpu", required_argument, NULL, 'c' }, { "help", no_argument, NULL, 'h' },
		{ "cache", no_argument, NULL, 'C' }, { "profile-cache", required_argument, NULL, 'P' },
		{ "allow-busy", no_argument, NULL, 'B' }, { "drift", required_argument, NULL, 'D' },
		{ "label", required_argument, NULL, 'L' }, { "drift-raw", no_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 },
	};
	struct cal_opts o;
	char pinned[160], cdir[PATH_MAX], cpath[PATH_MAX], name[64], err[256];
	const char *pcache = NULL, *drift = NULL, *label = NULL;
	int c, cpu = -1, r, to_cache = 0;

	memset(&o, 0, sizeof(o));
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "o:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'o': o.out = optarg; break;
		case 'n': o.name = optarg; break;
		case 'd': o.dir = optarg; break;
		case 'b': o.base = optarg; break;
		case 'q': o.quick = 1; break;
		case 'C': to_cache = 1; break;
		case 'P': pcache = optarg; break;
		case 'B': o.allow_busy = 1; break;
		case 'D': drift = optarg; break;
		case 'L': label = optarg; break;
		case 'R': return cal_drift_raw(); /* calibrate's own child, pinned as its parent */
		case 'c': {
			uint64_t v;
			if (mb_parse_u64(optarg, &v) || v > 4095) {
				mb_err("calibrate", "--cpu '%s': expected a CPU number from 0 to 4095", optarg);
				return 2;
			}
			cpu = (int)v;
			break;
		}
		case 'r': {
			uint64_t v;
			if (mb_parse_u64(optarg, &v) || v < 1 || v > CAL_MAX_RUNS) {
				mb_err("calibrate", "--runs '%s': expected a count from 1 to %d", optarg, CAL_MAX_RUNS);
				return 2;
			}
			o.runs = (int)v;
			break;
		}
		case 'v': o.verbose = 1; break;
		case 'h': fputs(usage_text, stdout); return 0;
		default:
			mb_err("calibrate", "unknown or incomplete option '%s' (see mapbench calibrate --help)",
			       argv[optind - 1]);
			return 2;
		}
	}
	if (optind < argc) {
		mb_err("calibrate", "unexpected argument '%s'", argv[optind]);
		return 2;
	}
	if (drift) {
		char hp[PATH_MAX];
		if (!strcmp(drift, HOSTPROF_NAME)) {
			struct hostprof_opts h = { .cache_dir = pcache, .scratch = o.dir };
			int calibrated;
			if (hostprof_resolve(&h, hp, sizeof(hp), &calibrated))
				return 2;
			drift = hp;
		}
		/* pinned as calibrate pinned the probes it compares against */
		return pin(cpu, pinned, sizeof(pinned)) ? 2 : cal_drift(drift, o.out, label, 0);
	}
	if (to_cache || (pcache && !o.out)) {
		struct bench_fp fp;
		if (bench_profile_cache_dir(pcache, cdir, sizeof(cdir), err, sizeof(err))) {
			mb_err("calibrate", "%s", err);
			return 2;
		}
		if ((r = mb_mkdir_p(cdir))) {
			mb_errno("calibrate", r, "profile cache %s", cdir);
			return 2;
		}
		/* the scratch directory's file system is part of the fingerprint: create it first, as cal_run does */
		if ((r = mb_mkdir_p(o.dir ? o.dir : cache_default_dir()))) {
			mb_errno("calibrate", r, "scratch directory %s", o.dir ? o.dir : cache_default_dir());
			return 2;
		}
		bench_fingerprint(o.dir, &fp);
		bench_profile_cache_path(cdir, &fp, cpath, sizeof(cpath));
		mb_sfmt(name, sizeof(name), "host-%s", fp.hash);
		if (o.out) {
			mb_err("calibrate", "-o %s and --cache both name the output: give one", o.out);
			return 2;
		}
		o.out = cpath;
		if (!o.name)
			o.name = name;
	}
	if (!o.out) {
		mb_err("calibrate", "-o FILE or --cache is required (e.g. -o sim/profiles/host-$(hostname).ini)");
		return 2;
	}
	/* pinned like the harness's replays (bench_pin): same CPU choice, same memory binding */
	if (pin(cpu, pinned, sizeof(pinned)))
		return 2;
	o.pinned = pinned;
	return cal_run(&o);
}
