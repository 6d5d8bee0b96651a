/*
 * cli/cmd_gate.c — `mapbench gate`: current results against a baseline
 * (analysis/gate.h). Exit 0 pass, 1 fail, 2 usage or input error.
 * `--update --reason TEXT` rewrites the baseline from the current results,
 * deliberately and atomically, recording the reason, the date and the
 * previous baseline's timestamp/git in options.baseline_update. The old
 * baseline need not be readable then (e.g. another schema version).
 */
#include "analysis/gate.h"
#include "analysis/merge.h"
#include "cli/cmds.h"
#include "common/mb.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: mapbench gate --baseline B --current C [options]\n"
		"  B, C: result files or directories of them\n"
		"  --policy FILE     epsilons and statistics (see analysis/gate.h; default:\n"
		"                    model identical; native alpha 0.05, effect 5%%, >= 3 samples)\n"
		"  --markdown FILE   write a markdown summary\n"
		"  --junit FILE      write JUnit XML (one testcase per case and metric)\n"
		"  --update --reason TEXT   rewrite B (a file) from C; the reason is recorded\n"
		"exit: 0 pass, 1 regression/missing/insufficient, 2 usage or input error\n");
}

static int write_report(const char *path, const struct an_gate *g, const struct an_gate_policy *p, int junit)
{
	struct mb_atomic a;
	int ret = mb_atomic_open(&a, path);

	if (ret) {
		mb_errno("gate", ret, "cannot write %s", path);
		return ret;
	}
	if (junit)
		an_gate_print_junit(g, a.fp);
	else
		an_gate_print_markdown(g, p, a.fp);
	ret = mb_atomic_commit(&a);
	if (ret)
		mb_errno("gate", ret, "committing %s", path);
	return ret;
}

/* Previous baseline's timestamp and git, read leniently (any schema version). */
static json_t *previous_info(const char *path)
{
	json_t *root = json_load_file(path, 0, NULL), *info;

	if (!root)
		return json_pack("{s:s}", "note", "no readable previous baseline");
	info = json_pack("{s:O?, s:O?, s:O?}", "timestamp", json_object_get(root, "timestamp"),
			 "tool", json_object_get(root, "tool"),
			 "schema_version", json_object_get(root, "schema_version"));
	json_decref(root);
	return info;
}

static int update(const char *bpath, char **cur, int ncur, const char *reason)
{
	struct an_set set;
	struct an_result *r = NULL;
	char date[32];
	time_t t = time(NULL);
	struct tm tm;
	int ret;

	if (an_set_load(&set, cur, ncur))
		return 2;
	ret = an_merge(&set, 0, &r);
	if (!ret) {
		gmtime_r(&t, &tm);
		strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", &tm);
		json_object_set_new(an_result_options(r), "baseline_update",
				    json_pack("{s:s, s:s, s:o}", "reason", reason, "date", date,
					      "previous", previous_info(bpath)));
		ret = an_result_write(r, bpath);
	}
	if (!ret)
		printf("gate: baseline %s rewritten from %d input(s), %zu case(s); reason: %s\n", bpath,
		       ncur, json_array_size(an_result_cases(r)), reason);
	an_result_destroy(r);
	an_set_free(&set);
	return ret ? 2 : 0;
}

int cmd_gate(int argc, char **argv)
{
	const char *policy = NULL, *md = NULL, *junit = NULL, *reason = NULL;
	char **base = calloc(argc + 1, sizeof(char *)), **cur = calloc(argc + 1, sizeof(char *));
	int nbase = 0, ncur = 0, upd = 0, status = 2;
	struct an_gate_policy pol;
	struct an_set bs = { 0 }, cs = { 0 };
	struct an_gate *g = NULL;

	if (!base || !cur)
		goto out;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int has = i + 1 < argc;
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			status = 0;
			goto out;
		} else if (!strcmp(a, "--baseline") && has) {
			base[nbase++] = argv[++i];
		} else if (!strcmp(a, "--current") && has) {
			cur[ncur++] = argv[++i];
		} else if (!strcmp(a, "--policy") && has) {
			policy = argv[++i];
		} else if (!strcmp(a, "--markdown") && has) {
			md = argv[++i];
		} else if (!strcmp(a, "--junit") && has) {
			junit = argv[++i];
		} else if (!strcmp(a, "--reason") && has) {
			reason = argv[++i];
		} else if (!strcmp(a, "--update")) {
			upd = 1;
		} else {
			mb_err("gate", "unknown or incomplete option '%s'", a);
			usage(stderr);
			goto out;
		}
	}
	if (!nbase || !ncur) {
		mb_err("gate", "need --baseline and --current (got %d baseline, %d current)", nbase, ncur);
		usage(stderr);
		goto out;
	}
	if (upd) {
		if (!reason || !*reason || nbase != 1) {
			mb_err("gate", "--update needs --reason TEXT (non-empty) and exactly one --baseline file");
			goto out;
		}
		status = update(base[0], cur, ncur, reason);
		goto out;
	}
	an_gate_policy_default(&pol);
	if (policy && an_gate_policy_load(policy, &pol))
		goto out;
	if (an_set_load(&bs, base, nbase) || an_set_load(&cs, cur, ncur))
		goto out;
	if (an_gate_run(&bs, &cs, &pol, &g)) {
		mb_err("gate", "out of memory");
		goto out;
	}
	an_gate_print_text(g, stdout);
	if ((md && write_report(md, g, &pol, 0)) || (junit && write_report(junit, g, &pol, 1)))
		goto out;
	status = g->failures ? 1 : 0;
out:
	an_gate_destroy(g);
	an_set_free(&bs);
	an_set_free(&cs);
	free(base);
	free(cur);
	return status;
}
