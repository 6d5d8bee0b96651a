/*
 * bench/suites/hostprof.c — resolving the profile "host" (hostprof.h).
 */
#include "bench/suites/hostprof.h"
#include "bench/suites/calibrate.h"
#include "bench/cache.h"
#include "bench/fingerprint.h"
#include "common/mb.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Nonzero when the profile at path was written flagged busy-host (calibrated while the host was busy). */
static int flagged_busy(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[512];
	int busy = 0;

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "noisy =", 7) && strstr(line, "busy-host")) {
			busy = 1;
			break;
		}
	if (f)
		fclose(f);
	return busy;
}

/* The "# calibrate format N" of the profile at path (0: none, written before formats were numbered). */
static int cal_format(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[512];
	int fmt = 0;

	while (f && fgets(line, sizeof(line), f) && line[0] == '#')
		if (sscanf(line, "# calibrate format %d", &fmt) == 1)
			break;
	if (f)
		fclose(f);
	return fmt;
}

/* Nonzero when the host is busy now (calibrate's rule, bench_load_busy, over half a second of this process sleeping). */
static int host_still_busy(char *why, size_t len)
{
	struct bench_load a, b;
	double others, steal;

	bench_load_snapshot(&a);
	nanosleep(&(struct timespec){ 0, 500 * 1000 * 1000 }, NULL);
	bench_load_snapshot(&b);
	return bench_load_busy(&a, &b, &others, &steal, why, len);
}

int hostprof_resolve(const struct hostprof_opts *o, char *path, size_t len, int *calibrated)
{
	char dir[PATH_MAX], err[256], why[256];
	struct bench_fp fp;
	uint64_t t0 = mb_now_ns();
	pid_t pid;
	int st, e;

	*calibrated = 0;
	if (bench_profile_cache_dir(o->cache_dir, dir, sizeof(dir), err, sizeof(err))) {
		mb_err("suite", "%s", err);
		return 2;
	}
	/* the scratch directory's file system is part of the fingerprint: it must exist (calibrate creates it too) */
	if ((e = mb_mkdir_p(o->scratch ? o->scratch : cache_default_dir()))) {
		mb_errno("suite", e, "scratch directory %s", o->scratch ? o->scratch : cache_default_dir());
		return 2;
	}
	bench_fingerprint(o->scratch, &fp);
	bench_profile_cache_path(dir, &fp, path, len);
	if (!o->force && bench_profile_matches(path, &fp)) {
		int fmt = cal_format(path);
		if (fmt < CAL_FORMAT && !o->calibrate) { /* used as it is: its missing keys take the model's defaults */
			fprintf(stderr, "mapbench: warning: the cached profile %s is of calibrate format %d, this calibrate writes %d: "
					"keys it lacks take the model's defaults (`mapbench calibrate --cache` refreshes it)\n",
				path, fmt, CAL_FORMAT);
			return 0;
		}
		if (fmt < CAL_FORMAT) {
			if (o->progress)
				fprintf(stderr, "suite: the cached profile %s is of calibrate format %d, this calibrate writes %d "
						"(it measures more keys): calibrating again\n", path, fmt, CAL_FORMAT);
		} else if (!flagged_busy(path)) {
			if (o->progress)
				fprintf(stderr, "suite: model profile of this host (fingerprint %s, %s): %s\n", fp.hash,
					fp.cpu_name, path);
			return 0;
		} else if (!o->force && host_still_busy(why, sizeof(why))) {
			/* a guest with constant steal time would otherwise calibrate before every suite */
			if (o->progress)
				fprintf(stderr, "suite: the cached profile %s was calibrated on a busy host, and the host is still "
						"busy (%s): using it, since calibrating now would be as skewed (--recalibrate forces it)\n",
					path, why);
			return 0;
		} else if (o->progress)
			fprintf(stderr, "suite: the cached profile %s was calibrated on a busy host: calibrating again\n", path);
	}
	if (!o->calibrate) {
		mb_err("suite", "no calibrated profile for this host (fingerprint %s: %s) in %s, and --no-calibrate: "
		       "run `mapbench calibrate --cache` or give --profile", fp.hash, fp.text, dir);
		return 2;
	}
	if ((e = mb_mkdir_p(dir))) {
		mb_errno("suite", e, "profile cache %s", dir);
		return 2;
	}
	if (o->progress)
		fprintf(stderr, "suite: %s for this host (fingerprint %s, %s):\n"
				"suite:   %s\n"
				"suite: calibrating first (mapbench calibrate --cache, about 80 s) -> %s\n",
			o->force ? "recalibrating the profile" : "no calibrated profile in the cache", fp.hash,
			fp.cpu_name, fp.text, path);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		mb_errno("suite", -errno, "fork for calibrate");
		return 2;
	}
	if (pid == 0) {
		char *argv[12];
		int n = 0;
		argv[n++] = (char *)o->exe;
		argv[n++] = "calibrate";
		argv[n++] = "--profile-cache";
		argv[n++] = dir;
		argv[n++] = "--allow-busy"; /* a busy profile is written flagged, and replaced next time */
		if (o->scratch) {
			argv[n++] = "--dir";
			argv[n++] = (char *)o->scratch;
		}
		argv[n] = NULL;
		execv(o->exe, argv);
		fprintf(stderr, "mapbench: suite: exec %s calibrate: %s\n", o->exe, strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			mb_errno("suite", -errno, "waiting for calibrate");
			return 2;
		}
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		mb_err("suite", "calibrate failed (%s %d): no profile for this host; give --profile P to use another",
		       WIFEXITED(st) ? "exit" : "signal", WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
		return 2;
	}
	if (!bench_profile_matches(path, &fp)) {
		mb_err("suite", "calibrate wrote no profile with this host's fingerprint %s at %s", fp.hash, path);
		return 2;
	}
	*calibrated = 1;
	if (o->progress)
		fprintf(stderr, "suite: calibrated in %.0f s: %s%s\n", (double)(mb_now_ns() - t0) / 1e9, path,
			flagged_busy(path) ? " (flagged: the host was busy; it will be replaced next time)" : "");
	return 0;
}
