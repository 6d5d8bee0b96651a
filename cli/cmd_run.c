/*
 * cli/cmd_run.c — `mapbench run`: replay one trace natively (bench/) and
 * write one result file (source "native", case id from an_case_id so the
 * model's twin joins it), print a readable table, optionally a CSV.
 * `mapbench run --seed-experiment` runs the built-in classic case: 1-byte
 * sequential reads of a 24 MiB file with read(), fread() and mmap, and
 * reports each method's ns/byte and the ratios. Nothing is written when the
 * run fails (the result is written once, atomically, at the end).
 */
#include "analysis/caseid.h"
#include "analysis/result.h"
#include "bench/bench.h"
#include "cli/cmds.h"
#include "common/mb.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(f, "usage: mapbench run --trace T [--method M] [case options] [harness options]\n"
		   "                    [-o OUT.json] [--csv OUT.csv]\n"
		   "       mapbench run --seed-experiment [--size SIZE] [harness options] [-o OUT.json]\n\n"
		   "  --trace T         trace file (.mtr or text; @FILE forces a file) or generator spec\n"
		   "  -o, --output F    result JSON (written atomically)\n"
		   "  --csv F           metrics as CSV (case,metric,unit,status,median,min,max,mad,n)\n"
		   "  --seed-experiment 1-byte reads of a 24 MiB file: read vs fread vs mmap\n"
		   "  --size SIZE       seed experiment file size (default 24M)\n"
		   "case options:\n%s"
		   "harness options:\n%s",
		an_case_opts_help, bench_cfg_help);
}

static double num(const json_t *m, const char *k)
{
	json_t *v = json_object_get(m, k);

	return v ? json_number_value(v) : 0;
}

static void print_table(const json_t *co)
{
	const char *name;
	json_t *m, *metrics = json_object_get(co, "metrics");

	printf("%-26s %-10s %-13s %16s %16s %16s %8s\n", "metric", "unit", "status", "median", "min",
	       "max", "MAD%");
	json_object_foreach(metrics, name, m) {
		const char *st = json_string_value(json_object_get(m, "status"));
		const char *unit = json_string_value(json_object_get(m, "unit"));

		if (st && strcmp(st, "ok") && strcmp(st, "multiplexed")) {
			printf("%-26s %-10s %-13s %s\n", name, unit ? unit : "", st,
			       json_string_value(json_object_get(m, "reason")));
			continue;
		}
		if (json_object_get(m, "median")) {
			double med = num(m, "median");
			printf("%-26s %-10s %-13s %16.6g %16.6g %16.6g %7.2f%%\n", name, unit ? unit : "",
			       st ? st : "ok", med, num(m, "min"), num(m, "max"),
			       med ? 100 * num(m, "mad") / med : 0.0);
		} else {
			printf("%-26s %-10s %-13s %16.6g\n", name, unit ? unit : "", st ? st : "ok",
			       num(m, "value"));
		}
	}
}

static int write_csv(const char *path, const json_t *cases)
{
	struct mb_atomic a;
	size_t i;
	json_t *co;
	int e;

	if ((e = mb_atomic_open(&a, path))) {
		mb_errno("run", e, "csv %s", path);
		return e;
	}
	fprintf(a.fp, "case,metric,unit,status,median,min,max,mad,n\n");
	json_array_foreach(cases, i, co) {
		const char *name, *id = json_string_value(json_object_get(co, "id"));
		json_t *m;
		json_object_foreach(json_object_get(co, "metrics"), name, m) {
			json_t *s = json_object_get(m, "samples");
			fprintf(a.fp, "\"%s\",%s,%s,%s", id, name,
				json_string_value(json_object_get(m, "unit")),
				json_string_value(json_object_get(m, "status")));
			if (json_object_get(m, "median"))
				fprintf(a.fp, ",%.17g,%.17g,%.17g,%.17g,%zu\n", num(m, "median"), num(m, "min"),
					num(m, "max"), num(m, "mad"), json_array_size(s));
			else if (json_object_get(m, "value"))
				fprintf(a.fp, ",%.17g,,,,1\n", num(m, "value"));
			else
				fprintf(a.fp, ",,,,,0\n");
		}
	}
	if ((e = mb_atomic_commit(&a)))
		mb_errno("run", e, "csv %s", path);
	return e;
}

/* Run one case into r; prints errors. */
static int one_case(struct an_result *r, const char *trace, struct bench_cfg *cfg, json_t **co_out,
		    struct bench_summary *sum)
{
	struct bench_src *src = NULL;
	char err[1024], id[1024];
	struct an_case_opts o = cfg->opts;
	int e;

	if ((e = bench_src_open(trace, &src, err, sizeof(err)))) {
		mb_err("run", "trace %s: %s", trace, err);
		return e;
	}
	if ((e = an_case_opts_check(&o, src->hdr, err, sizeof(err)))) {
		mb_err("run", "%s", err);
		bench_src_destroy(src);
		return e;
	}
	cfg->opts = o;
	an_case_id(&o, src->hdr, id, sizeof(id));
	json_t *co = an_result_add_case(r, id, "native");
	if ((e = bench_run(cfg, src, co, sum, err, sizeof(err))))
		mb_err("run", "%s%s", e == -BENCH_E_HOST_LACKS ? "SKIP: " : "", err);
	bench_src_destroy(src);
	*co_out = co;
	return e;
}

int cmd_run(int argc, char **argv)
{
	struct bench_cfg cfg;
	const char *trace = NULL, *out = NULL, *csv = NULL;
	int seed = 0, reps_set = 0, rc = 2;
	uint64_t seed_size = 24 * MB_MiB;
	struct an_result *r = NULL;
	char err[512];

	bench_cfg_default(&cfg);
	for (int i = 1; i < argc; i++) {
		char name[64];
		const char *a = argv[i], *val = NULL, *eq;
		int k;

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			bench_cfg_free(&cfg);
			return 0;
		}
		if (!strcmp(a, "-o")) {
			a = "--output";
		}
		if (strncmp(a, "--", 2)) {
			mb_err("run", "unexpected argument '%s' (see mapbench run --help)", a);
			goto out;
		}
		a += 2;
		eq = strchr(a, '=');
		snprintf(name, sizeof(name), "%.*s", eq ? (int)(eq - a) : (int)strlen(a), a);
		if (eq)
			val = eq + 1;
		int need = !strcmp(name, "trace") || !strcmp(name, "output") || !strcmp(name, "csv") ||
			   !strcmp(name, "size") || an_case_opts_takes_value(name) ||
			   bench_cfg_takes_value(name);
		if (need && !val) {
			if (i + 1 >= argc) {
				mb_err("run", "option --%s needs a value", name);
				goto out;
			}
			val = argv[++i];
		}
		if (!strcmp(name, "trace")) {
			trace = val;
		} else if (!strcmp(name, "output")) {
			out = val;
		} else if (!strcmp(name, "csv")) {
			csv = val;
		} else if (!strcmp(name, "seed-experiment")) {
			seed = 1;
		} else if (!strcmp(name, "size")) {
			if (mb_parse_size(val, &seed_size) || seed_size == 0 || seed_size > 1 * MB_GiB) {
				mb_err("run", "option --size: bad value '%s' (expected a size from 1 to 1G)", val);
				goto out;
			}
		} else if ((k = an_case_opts_set(&cfg.opts, name, val, err, sizeof(err))) != 0) {
			if (k < 0) {
				mb_err("run", "%s", err);
				goto out;
			}
		} else if ((k = bench_cfg_set(&cfg, name, val, err, sizeof(err))) != 0) {
			if (k < 0) {
				mb_err("run", "%s", err);
				goto out;
			}
			reps_set |= !strcmp(name, "reps");
		} else {
			mb_err("run", "unknown option --%s (see mapbench run --help)", name);
			goto out;
		}
	}
	if (!trace && !seed) {
		mb_err("run", "no trace: give --trace T or --seed-experiment");
		goto out;
	}
	if (!(r = an_result_create())) {
		mb_err("run", "out of memory");
		goto out;
	}
	{
		json_t *h = bench_host_json(cfg.dir);
		json_object_update(an_result_host(r), h);
		json_decref(h);
		json_t *o = an_result_options(r);
		json_object_set_new(o, "reps", json_integer(cfg.reps));
		json_object_set_new(o, "warmup", json_integer(cfg.warmup));
		json_object_set_new(o, "events", json_string(cfg.events ? cfg.events : "default"));
		json_object_set_new(o, "cpu", json_integer(cfg.cpu));
		json_object_set_new(o, "drop_caches", json_boolean(cfg.drop_caches));
		json_object_set_new(o, "tracepoints", json_boolean(!cfg.no_tracepoints));
		json_object_set_new(o, "command", json_string(seed ? "run --seed-experiment" : "run"));
	}
	if (!seed) {
		struct bench_summary sum;
		json_t *co;
		char ms[128], cs[64];

		int e = one_case(r, trace, &cfg, &co, &sum);
		if (e == -BENCH_E_HOST_LACKS) {
			rc = BENCH_EXIT_SKIP; /* this host lacks what the case needs (bench.h) */
		}
		if (e)
			goto out;
		an_case_opts_method_str(&cfg.opts, ms, sizeof(ms));
		an_case_opts_cache_str(&cfg.opts, cs, sizeof(cs));
		json_object_set_new(an_result_options(r), "method", json_string(ms));
		json_object_set_new(an_result_options(r), "cache", json_string(cs));
		json_object_set_new(an_result_options(r), "trace", json_string(trace));
		printf("case %s\n", json_string_value(json_object_get(co, "id")));
		printf("%llu records, %llu bytes read, %llu written, checksum 0x%016llx, TSC %.3f GHz, %s\n\n",
		       (unsigned long long)sum.nrec, (unsigned long long)sum.bytes_read,
		       (unsigned long long)sum.bytes_written, (unsigned long long)sum.checksum, sum.tsc_ghz,
		       json_string_value(json_object_get(co, "pinned")));
		print_table(co);
	} else {
		static const enum an_method ms[3] = { AN_METHOD_READ, AN_METHOD_FREAD, AN_METHOD_MMAP };
		double nspb[3];
		uint64_t ck[3];
		char spec[96], sz[32];

		if (!reps_set)
			cfg.reps = 3;
		snprintf(spec, sizeof(spec), "seq:size=%llu,len=1", (unsigned long long)seed_size);
		printf("seed experiment: 1-byte sequential reads of a %s file (%s), cache %s, %u reps\n",
		       mb_fmt_size(seed_size, sz, sizeof(sz)), spec,
		       an_cache_name(cfg.opts.cache), cfg.reps);
		for (int k = 0; k < 3; k++) {
			struct bench_cfg c = cfg;
			struct bench_summary sum;
			json_t *co;

			c.opts.method = ms[k];
			if (one_case(r, spec, &c, &co, &sum))
				goto out;
			nspb[k] = sum.median_ns / (double)(sum.bytes_read ? sum.bytes_read : 1);
			ck[k] = sum.checksum;
			printf("  %-6s %10.3f ns/byte  (median of %u, checksum 0x%016llx)\n",
			       an_method_name(ms[k]), nspb[k], c.reps, (unsigned long long)ck[k]);
		}
		printf("  read/fread %.1fx   fread/mmap %.1fx   read/mmap %.1fx\n", nspb[0] / nspb[1],
		       nspb[1] / nspb[2], nspb[0] / nspb[2]);
		printf("  expected ordering mmap < fread < read: %s\n",
		       nspb[2] < nspb[1] && nspb[1] < nspb[0] ? "reproduced" : "NOT reproduced on this run");
		if (ck[0] != ck[1] || ck[1] != ck[2]) {
			mb_err("run", "seed experiment: checksums differ across methods");
			goto out;
		}
		json_t *sx = json_object();
		json_object_set_new(sx, "read_over_fread", json_real(nspb[0] / nspb[1]));
		json_object_set_new(sx, "fread_over_mmap", json_real(nspb[1] / nspb[2]));
		json_object_set_new(sx, "read_over_mmap", json_real(nspb[0] / nspb[2]));
		json_object_set_new(an_result_options(r), "seed_experiment_ratios", sx);
	}
	if (out && an_result_write(r, out))
		goto out;
	if (csv && write_csv(csv, an_result_cases(r)))
		goto out;
	if (out)
		printf("\nwrote %s\n", out);
	rc = 0;
out:
	an_result_destroy(r);
	bench_cfg_free(&cfg);
	return rc;
}
