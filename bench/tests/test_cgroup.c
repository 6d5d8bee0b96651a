/*
 * bench/tests/test_cgroup.c — --mem-limit's memory cgroup on this host
 * (suite integration, root, not parallel): set-up and tear-down (limit read
 * back, the process inside and back home, the directory gone); a cgroup
 * left by a child killed with SIGKILL while inside is found and removed by
 * the next start; SIGINT during a replay removes the cgroup; an
 * unprivileged process gets an error naming the path and the errno; and a
 * cold replay of a 64 MiB file under a 32 MiB limit with mmap
 * (MADV_RANDOM) random 4 KiB reads really thrashes: more major faults than
 * the distinct pages the trace touches (impossible without eviction) and
 * more than the pages that fit, reclaim.stolen > 0. Skips with the reason
 * when not root or when no memory controller is usable.
 */
#include "analysis/result.h"
#include "bench/bench.h"
#include "bench/cgroup.h"
#include "common/mb.h"
#include "common/tap.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MiB (UINT64_C(1) << 20)

static int is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Is this process in cgroup directory dir (its cgroup.procs lists our pid)? */
static int inside(const char *dir)
{
	char p[700], line[64];
	FILE *f;
	int in = 0;

	snprintf(p, sizeof(p), "%s/cgroup.procs", dir);
	if (!(f = fopen(p, "re")))
		return 0;
	while (!in && fgets(line, sizeof(line), f))
		in = atol(line) == (long)getpid();
	fclose(f);
	return in;
}

static double now_ms(void)
{
	return (double)mb_now_ns() / 1e6;
}

static void setup_teardown(void)
{
	struct cg g;
	char err[512];
	double t[5];
	int e;

	e = cg_find(&g, err, sizeof(err));
	tap_ok(e == 0, "cg_find: v%d, parent %s", g.ver, g.parent);
	t[0] = now_ms();
	e = cg_create(&g, 32 * MiB, err, sizeof(err));
	t[1] = now_ms();
	if (!tap_ok(e == 0 && is_dir(g.path), "cgroup %s created", g.path))
		tap_diag("%s", err);
	tap_eq_u64(g.limit, 32 * MiB, "limit read back is 32 MiB");
	tap_ok(cg_join(&g, err, sizeof(err)) == 0 && inside(g.path) && !inside(g.home),
	       "the process is inside the cgroup after join");
	t[2] = now_ms();
	e = cg_leave(&g, err, sizeof(err));
	t[3] = now_ms();
	e = e ? e : cg_remove(&g, err, sizeof(err));
	t[4] = now_ms();
	tap_ok(e == 0 && inside(g.home) && !is_dir(g.path),
	       "leave + remove: the process is back in %s and the cgroup is gone", g.home);
	tap_diag("create (mkdir + limit) %.3f ms, join %.3f ms, leave %.3f ms, rmdir %.3f ms",
		 t[1] - t[0], t[2] - t[1], t[3] - t[2], t[4] - t[3]);
	rmdir(g.parent);
}

static void stale_after_sigkill(void)
{
	struct cg g;
	struct cg_run r;
	char err[512], path[600];
	pid_t pid;
	int st, pipefd[2];
	char c = 0;

	if (pipe(pipefd))
		return;
	pid = fork();
	if (pid == 0) {
		close(pipefd[0]);
		if (cg_find(&g, err, sizeof(err)) || cg_create(&g, 16 * MiB, err, sizeof(err)) ||
		    cg_join(&g, err, sizeof(err)))
			_exit(1);
		if (write(pipefd[1], "j", 1) != 1)
			_exit(1);
		pause(); /* killed here, inside the cgroup */
		_exit(0);
	}
	close(pipefd[1]);
	tap_ok(read(pipefd[0], &c, 1) == 1 && c == 'j', "child %ld joined its cgroup", (long)pid);
	close(pipefd[0]);
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	cg_find(&g, err, sizeof(err));
	snprintf(path, sizeof(path), "%s/mapbench-%ld", g.parent, (long)pid);
	tap_ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL && is_dir(path),
	       "SIGKILL left the stale cgroup %s", path);
	tap_ok(cg_run_start(&r, 32 * MiB, 1, err, sizeof(err)) == 0 && !is_dir(path),
	       "the next start found and removed it");
	cg_run_finish(&r);
	rmdir(path);
}

static int src_open(const char *spec, struct bench_src **s)
{
	char err[512];
	int e = bench_src_open(spec, s, err, sizeof(err));

	if (e)
		tap_diag("bench_src_open %s: %s", spec, err);
	return e;
}

/* bench_run of spec with mmap madvise=random, cold, mem-limit; case into co. */
static int run_pressure(const char *spec, uint64_t limit, json_t *co, char *err, size_t len)
{
	struct bench_src *src;
	struct bench_cfg cfg;
	struct bench_summary sum;
	char e2[256];
	int e;

	if (src_open(spec, &src))
		return -EINVAL;
	bench_cfg_default(&cfg);
	an_case_opts_set(&cfg.opts, "method", "mmap", e2, sizeof(e2));
	an_case_opts_set(&cfg.opts, "madvise", "random", e2, sizeof(e2));
	an_case_opts_set(&cfg.opts, "cache", "cold", e2, sizeof(e2));
	cfg.opts.mem_limit = limit;
	cfg.reps = 1;
	cfg.warmup = 0;
	cfg.progress = 0;
	cfg.no_tracepoints = 1;
	cfg.keep = 1;
	e = bench_run(&cfg, src, co, &sum, err, len);
	bench_cfg_free(&cfg);
	bench_src_destroy(src);
	return e;
}

static void sigint_during_replay(void)
{
	struct cg g;
	char err[512], path[600];
	pid_t pid;
	int st, seen = 0;

	pid = fork();
	if (pid == 0) {
		struct an_result *res = an_result_create();
		json_t *co = an_result_add_case(res, "x", "native");
		run_pressure("uniform:size=64M,n=1M,len=4K,seed=3", 32 * MiB, co, err, sizeof(err));
		_exit(3); /* not reached within the test's patience: SIGINT comes first */
	}
	cg_find(&g, err, sizeof(err));
	snprintf(path, sizeof(path), "%s/mapbench-%ld", g.parent, (long)pid);
	for (int i = 0; i < 2000 && !seen; i++) { /* up to 10 s for the child to join */
		struct timespec ts = { 0, 5000000 };
		seen = is_dir(path);
		nanosleep(&ts, NULL);
	}
	if (seen) {
		struct timespec ts = { 0, 300000000 }; /* into the replay */
		nanosleep(&ts, NULL);
	}
	kill(pid, SIGINT);
	waitpid(pid, &st, 0);
	tap_ok(seen, "child %ld created %s", (long)pid, path);
	tap_ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGINT, "child died of SIGINT (status 0x%x)", st);
	tap_ok(!is_dir(path), "the SIGINT handler removed its cgroup");
}

static void unprivileged(void)
{
	pid_t pid;
	int st, fds[2];
	char msg[512] = "";
	ssize_t n;

	if (pipe(fds))
		return;
	pid = fork();
	if (pid == 0) {
		struct cg_run r;
		char err[512] = "";
		int e;
		close(fds[0]);
		if (setgid(65534) || setuid(65534))
			_exit(2);
		e = cg_run_start(&r, 32 * MiB, 1, err, sizeof(err));
		if (!e)
			e = cg_run_enter(&r, err, sizeof(err));
		cg_run_finish(&r);
		if (write(fds[1], err, strlen(err)) < 0)
			_exit(2);
		_exit(e ? 1 : 0);
	}
	close(fds[1]);
	n = read(fds[0], msg, sizeof(msg) - 1);
	msg[n > 0 ? n : 0] = 0;
	close(fds[0]);
	waitpid(pid, &st, 0);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 1 && strstr(msg, "/mapbench") && strstr(msg, "errno"),
	       "as nobody the set-up fails naming the path and errno: %s", msg);
}

static void thrash(void)
{
	struct an_result *res = an_result_create();
	json_t *co = an_result_add_case(res, "x", "native");
	const char *spec = "uniform:size=64M,n=32K,len=4K,seed=1";
	struct bench_src *src;
	struct trace_rec *recs;
	size_t n;
	unsigned char *seen = calloc(16384, 1);
	unsigned distinct = 0;
	char err[512];
	double maj = -1, stolen = -1;
	enum an_status s1 = AN_STATUS_ERROR, s2 = AN_STATUS_ERROR;

	/* distinct pages the trace touches: without eviction, at most that many major faults */
	if (!seen || src_open(spec, &src))
		goto out;
	recs = malloc(BENCH_CHUNK_RECS * sizeof(*recs));
	while (recs && !src->read(src, recs, BENCH_CHUNK_RECS, &n) && n)
		for (size_t i = 0; i < n; i++)
			for (uint64_t p = recs[i].off >> 12; p <= (recs[i].off + recs[i].len - 1) >> 12; p++)
				distinct += !seen[p]++;
	free(recs);
	bench_src_destroy(src);
	if (!tap_ok(run_pressure(spec, 32 * MiB, co, err, sizeof(err)) == 0, "cold mmap replay under 32 MiB"))
		tap_diag("%s", err);
	an_metric_value(an_case_metric(co, "faults.major"), &maj, &s1);
	an_metric_value(an_case_metric(co, "reclaim.stolen"), &stolen, &s2);
	tap_ok(s1 == AN_STATUS_OK && maj > distinct && maj > 8192,
	       "major faults %.0f > %u distinct pages touched and > 8192 pages that fit", maj, distinct);
	tap_ok(s2 == AN_STATUS_OK && stolen > 0, "reclaim.stolen %.0f > 0", stolen);
	tap_ok(json_object_get(co, "memory_cgroup") != NULL, "the case says what the cgroup charged");
	{
		/* the limit read back is --mem-limit; the harness's own set-up charge was added for the
		   replay and is listed per repetition (its buffers: at least a page, far below the limit) */
		json_t *mc = json_object_get(co, "memory_cgroup"), *kb = json_object_get(mc, "harness_kb"), *x;
		size_t i;
		int ok = json_array_size(kb) > 0;
		json_array_foreach(kb, i, x)
			ok &= json_number_value(x) >= 4 && json_number_value(x) < 8 * 1024;
		tap_ok(json_integer_value(json_object_get(mc, "limit_bytes")) == 32 * MiB, "limit_bytes is --mem-limit");
		tap_ok(ok, "harness_kb lists the set-up's own charge per repetition, 4 KiB..8 MiB (%zu values, first %.0f)",
		       json_array_size(kb), json_number_value(json_array_get(kb, 0)));
	}
out:
	free(seen);
	an_result_destroy(res);
}

int main(void)
{
	struct cg g;
	char err[512];

	if (geteuid() != 0)
		return tap_skip_all("needs root to create memory cgroups");
	if (cg_find(&g, err, sizeof(err))) {
		printf("1..0 # SKIP %s\n", err);
		return 0;
	}
	setup_teardown();
	stale_after_sigkill();
	unprivileged();
	sigint_during_replay();
	thrash();
	return tap_done();
}
