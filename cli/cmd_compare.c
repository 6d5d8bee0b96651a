/*
 * cli/cmd_compare.c — `mapbench compare`: join native and model results and
 * report their agreement (analysis/compare.h). Exit 0, or 1 when a family
 * named by --fail-beyond-tolerance fails, or 2 on usage/input errors.
 * Output files are written atomically; on any error none is left partial.
 */
#include "analysis/compare.h"
#include "cli/cmds.h"
#include "common/mb.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: mapbench compare RESULTS... [options]\n"
		"  RESULTS: result files (native and model) or directories of them;\n"
		"           cases are joined by id, metrics by name.\n"
		"  --json FILE        write the full comparison as JSON\n"
		"  --markdown FILE    write the summary and flagged cases as markdown\n"
		"  --all              print every row, not only flagged ones\n"
		"  --fail-beyond-tolerance FAMILY...  exit 1 when one of these families fails\n"
		"                     (faults syscalls pagecache pt tlb time checksum, or all;\n"
		"                     comma-separated or as separate words)\n");
}

/* Write via a callback into an atomic file. */
static int write_out(const char *path, const struct an_compare *c, int json)
{
	struct mb_atomic a;
	int ret = mb_atomic_open(&a, path);

	if (ret) {
		mb_errno("compare", ret, "cannot write %s", path);
		return ret;
	}
	if (json) {
		json_t *j = an_compare_to_json(c);
		ret = !j || json_dumpf(j, a.fp, JSON_INDENT(1) | JSON_REAL_PRECISION(17)) ? -EIO : 0;
		json_decref(j);
	} else {
		an_compare_print_markdown(c, a.fp);
	}
	if (ret) {
		mb_atomic_abort(&a);
		mb_errno("compare", ret, "writing %s", path);
		return ret;
	}
	ret = mb_atomic_commit(&a);
	if (ret)
		mb_errno("compare", ret, "committing %s", path);
	return ret;
}

/* Parse a comma list of families into mask; returns 0 or -EINVAL. */
static int add_families(const char *s, unsigned *mask)
{
	char buf[256], *tok, *save;

	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		enum an_family f;
		if (!strcmp(tok, "all"))
			*mask |= (1u << AN_FAM__COUNT) - 1;
		else if (an_family_parse(tok, &f))
			return -EINVAL;
		else
			*mask |= 1u << f;
	}
	return 0;
}

int cmd_compare(int argc, char **argv)
{
	const char *json_path = NULL, *md_path = NULL;
	char **inputs = calloc(argc + 1, sizeof(char *));
	int ninputs = 0, all = 0, status = 0;
	unsigned failmask = 0;
	struct an_set set;
	struct an_compare *c = NULL;

	if (!inputs)
		return 2;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			free(inputs);
			return 0;
		} else if ((!strcmp(a, "--json") || !strcmp(a, "--markdown")) && i + 1 < argc) {
			*(a[2] == 'j' ? &json_path : &md_path) = argv[++i];
		} else if (!strcmp(a, "--all")) {
			all = 1;
		} else if (!strcmp(a, "--fail-beyond-tolerance")) {
			int n = 0;
			while (i + 1 < argc && !add_families(argv[i + 1], &failmask)) {
				i++;
				n++;
			}
			if (!n) {
				mb_err("compare", "--fail-beyond-tolerance: '%s' is not a family "
				       "(expected faults, syscalls, pagecache, pt, tlb, time, checksum or all)",
				       i + 1 < argc ? argv[i + 1] : "");
				free(inputs);
				return 2;
			}
		} else if (a[0] == '-' && a[1]) {
			mb_err("compare", "unknown or incomplete option '%s'", a);
			usage(stderr);
			free(inputs);
			return 2;
		} else {
			inputs[ninputs++] = argv[i];
		}
	}
	if (!ninputs) {
		usage(stderr);
		free(inputs);
		return 2;
	}
	if (an_set_load(&set, inputs, ninputs)) {
		free(inputs);
		return 2;
	}
	if (an_compare_run(&set, &c)) {
		mb_err("compare", "out of memory");
		status = 2;
		goto out;
	}
	if (!c->native_cases || !c->model_cases)
		mb_err("compare", "warning: %zu native and %zu model case(s): nothing to join",
		       c->native_cases, c->model_cases);
	an_compare_print_text(c, stdout, all);
	if ((json_path && write_out(json_path, c, 1)) || (md_path && write_out(md_path, c, 0))) {
		status = 2;
		goto out;
	}
	for (int f = 0; f < AN_FAM__COUNT; f++) {
		if (!(failmask & (1u << f)))
			continue;
		if (c->fam[f].verdict == 0) {
			mb_err("compare", "family %s beyond tolerance: %zu of %zu compared within",
			       an_tolerance_of(f)->name, c->fam[f].within, c->fam[f].compared);
			status = 1;
		} else if (c->fam[f].verdict < 0) {
			mb_err("compare", "family %s: no compared values (%zu unsupported, %zu missing); not failing",
			       an_tolerance_of(f)->name, c->fam[f].unsupported, c->fam[f].missing);
		}
	}
out:
	an_compare_destroy(c);
	an_set_free(&set);
	free(inputs);
	return status;
}
