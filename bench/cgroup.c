/*
 * bench/cgroup.c — memory cgroups for --mem-limit and the pressure counters
 * of the replay (cgroup.h says where the cgroup lives, what is charged and
 * where each counter comes from). Invariant: the exit hooks (atexit, the
 * signal handler) see only `live`, a fixed-size copy of the paths of the one
 * cgroup that exists, so they need no allocation and no locks.
 */
#include "bench/cgroup.h"
#include "bench/bench.h"
#include "analysis/result.h"
#include "common/mb.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- small file helpers -------------------------------------------------- */

/* snprintf into a path buffer; -ENAMETOOLONG when it does not fit. */
static int pathf(char *dst, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int pathf(char *dst, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(dst, len, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* Write s to path (one write). 0 or -errno. */
static int put(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), e = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) < 0)
		e = -errno;
	close(fd);
	return e;
}

/* First line of path into buf. 0 or -errno. */
static int get(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");

	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f))
		buf[0] = 0;
	buf[strcspn(buf, "\n")] = 0;
	fclose(f);
	return 0;
}

/* Does the space-separated list in file path contain word? */
static int has_word(const char *path, const char *word)
{
	char buf[512], *save = NULL;

	if (get(path, buf, sizeof(buf)))
		return 0;
	for (char *t = strtok_r(buf, " ", &save); t; t = strtok_r(NULL, " ", &save))
		if (!strcmp(t, word))
			return 1;
	return 0;
}

/* ---- finding the hierarchy ----------------------------------------------- */

/* Mount point of a cgroup2 hierarchy (v2) or of the v1 one carrying `memory`. */
static int find_mount(enum cg_version v, char *mnt, size_t len)
{
	FILE *f = fopen("/proc/mounts", "re");
	char dev[256], dir[512], type[64], opts[512];
	int found = 0;

	if (!f)
		return 0;
	while (!found && fscanf(f, "%255s %511s %63s %511s %*d %*d", dev, dir, type, opts) == 4) {
		if (v == CG_V2 && !strcmp(type, "cgroup2")) {
			char p[600];
			snprintf(p, sizeof(p), "%s/cgroup.controllers", dir);
			found = has_word(p, "memory");
		} else if (v == CG_V1 && !strcmp(type, "cgroup")) {
			char *save = NULL;
			for (char *t = strtok_r(opts, ",", &save); t && !found; t = strtok_r(NULL, ",", &save))
				found = !strcmp(t, "memory");
		}
		if (found)
			snprintf(mnt, len, "%s", dir);
	}
	fclose(f);
	return found;
}

/* This process's cgroup path in hierarchy v ("/" when at the root). 0 or -ENOENT. */
static int self_path(enum cg_version v, char *out, size_t len)
{
	FILE *f = fopen("/proc/self/cgroup", "re");
	char line[1024];
	int e = -ENOENT;

	if (!f)
		return -errno;
	while (e && fgets(line, sizeof(line), f)) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c2 = 0;
		c2[1 + strcspn(c2 + 1, "\n")] = 0;
		if (v == CG_V2 && c1[1] == 0 && !strncmp(line, "0", 1))
			e = 0;
		else if (v == CG_V1) {
			char *save = NULL;
			for (char *t = strtok_r(c1 + 1, ",", &save); t && e; t = strtok_r(NULL, ",", &save))
				e = strcmp(t, "memory") ? -ENOENT : 0;
		}
		if (!e)
			snprintf(out, len, "%s", c2 + 1);
	}
	fclose(f);
	return e;
}

int cg_find(struct cg *g, char *err, size_t len)
{
	char mnt[512], self[512];
	int e;

	memset(g, 0, sizeof(*g));
	if (find_mount(CG_V2, mnt, sizeof(mnt))) {
		g->ver = CG_V2;
		/* the v2 root may enable controllers whatever it holds; +memory there if missing */
		char sc[600];
		snprintf(sc, sizeof(sc), "%s/cgroup.subtree_control", mnt);
		if (!has_word(sc, "memory") && (e = put(sc, "+memory"))) {
			snprintf(err, len, "memory cgroup (v2 at %s): write +memory to %s: %s (errno %d)", mnt,
				 sc, strerror(-e), -e);
			return e;
		}
		if ((e = pathf(g->parent, sizeof(g->parent), "%s/mapbench", mnt)))
			goto too_long;
	} else if (find_mount(CG_V1, mnt, sizeof(mnt))) {
		g->ver = CG_V1;
		if ((e = self_path(CG_V1, self, sizeof(self)))) {
			snprintf(err, len, "memory cgroup (v1 at %s): no memory line in /proc/self/cgroup", mnt);
			return e;
		}
		if ((e = pathf(g->parent, sizeof(g->parent), "%s%s/mapbench", mnt, strcmp(self, "/") ? self : "")))
			goto too_long;
	} else {
		snprintf(err, len, "no usable memory controller: no cgroup2 mount in /proc/mounts lists "
			 "memory in its cgroup.controllers and no cgroup v1 mount carries memory");
		return -BENCH_E_HOST_LACKS;
	}
	if ((e = self_path(g->ver, self, sizeof(self)))) {
		snprintf(err, len, "memory cgroup: this process's v%d cgroup not in /proc/self/cgroup", g->ver);
		return e;
	}
	if ((e = pathf(g->home, sizeof(g->home), "%s%s", mnt, strcmp(self, "/") ? self : "")) ||
	    (e = pathf(g->path, sizeof(g->path), "%s/mapbench-%ld", g->parent, (long)getpid())))
		goto too_long;
	return 0;
too_long:
	snprintf(err, len, "memory cgroup: path under %.400s longer than %zu bytes", mnt, sizeof(g->home));
	return e;
}

int cg_reap_stale(const struct cg *g)
{
	DIR *d = opendir(g->parent);
	struct dirent *de;
	int n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		char *end, p[1024];
		long pid;

		if (strncmp(de->d_name, "mapbench-", 9))
			continue;
		pid = strtol(de->d_name + 9, &end, 10);
		if (*end || pid <= 0 || pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		snprintf(p, sizeof(p), "%s/%s", g->parent, de->d_name);
		if (rmdir(p) == 0) {
			fprintf(stderr, "mapbench: cgroup: removed stale %s (pid %ld is gone)\n", p, pid);
			n++;
		} else
			fprintf(stderr, "mapbench: cgroup: stale %s (pid %ld is gone) left in place: rmdir: %s\n",
				p, pid, strerror(errno));
	}
	closedir(d);
	return n;
}

/* ---- the exit hooks -------------------------------------------------------- */

static struct {
	volatile sig_atomic_t on; /* a cgroup of ours exists */
	volatile sig_atomic_t in; /* the process is inside it */
	char home_procs[600];     /* <home>/cgroup.procs */
	char path[576];           /* the cgroup */
	char pid[24];             /* our pid as text */
} live;
static struct sigaction old_act[3];
static const int hook_sigs[3] = { SIGINT, SIGTERM, SIGHUP };
static int hooks_on, atexit_done;

/* Leave and remove the live cgroup, async-signal-safe. */
static void live_cleanup(void)
{
	if (live.in) {
		int fd = open(live.home_procs, O_WRONLY | O_CLOEXEC);
		if (fd >= 0) {
			if (write(fd, live.pid, strlen(live.pid)) > 0)
				live.in = 0;
			close(fd);
		}
	}
	if (live.on && !live.in && rmdir(live.path) == 0)
		live.on = 0;
}

static void on_signal(int sig)
{
	live_cleanup();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void hooks_install(void)
{
	struct sigaction sa;

	if (!atexit_done++)
		atexit(live_cleanup);
	if (hooks_on)
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (int i = 0; i < 3; i++)
		sigaction(hook_sigs[i], &sa, &old_act[i]);
	hooks_on = 1;
}

static void hooks_remove(void)
{
	if (!hooks_on)
		return;
	for (int i = 0; i < 3; i++)
		sigaction(hook_sigs[i], &old_act[i], NULL);
	hooks_on = 0;
}

/* ---- create, join, leave, remove ----------------------------------------- */

/* The file of g's cgroup that holds its memory limit. */
static const char *limit_file(const struct cg *g)
{
	return g->ver == CG_V2 ? "memory.max" : "memory.limit_in_bytes";
}

int cg_create(struct cg *g, uint64_t bytes, char *err, size_t len)
{
	char p[640], v[64];
	int e;

	/* the parent may have been removed by another run finishing: retry once */
	for (int tries = 0; tries < 2; tries++) {
		if (mkdir(g->parent, 0755) && errno != EEXIST) {
			e = -errno;
			snprintf(err, len, "memory cgroup: mkdir %s: %s (errno %d)", g->parent, strerror(-e), -e);
			return e;
		}
		if (g->ver == CG_V2) {
			snprintf(p, sizeof(p), "%s/cgroup.subtree_control", g->parent);
			if (!has_word(p, "memory") && (e = put(p, "+memory"))) {
				snprintf(err, len, "memory cgroup: write +memory to %s: %s (errno %d)", p,
					 strerror(-e), -e);
				return e;
			}
		}
		if (mkdir(g->path, 0755) == 0)
			break;
		e = -errno;
		if (e != -ENOENT || tries) {
			snprintf(err, len, "memory cgroup: mkdir %s: %s (errno %d)", g->path, strerror(-e), -e);
			return e;
		}
	}
	g->created = 1;
	snprintf(live.path, sizeof(live.path), "%s", g->path);
	snprintf(live.home_procs, sizeof(live.home_procs), "%s/cgroup.procs", g->home);
	snprintf(live.pid, sizeof(live.pid), "%ld", (long)getpid());
	live.on = 1;
	snprintf(p, sizeof(p), "%s/%s", g->path, limit_file(g));
	snprintf(v, sizeof(v), "%llu", (unsigned long long)bytes);
	if ((e = put(p, v)) || (e = get(p, v, sizeof(v)) ? -EIO : 0)) {
		snprintf(err, len, "memory cgroup: write %llu to %s: %s (errno %d)", (unsigned long long)bytes,
			 p, strerror(-e), -e);
		goto out_rmdir;
	}
	g->limit = strtoull(v, NULL, 10);
	return 0;
out_rmdir:
	rmdir(g->path);
	g->created = 0;
	live.on = 0;
	return e;
}

/* Write our pid into dir/cgroup.procs. */
static int move_to(const char *dir, char *err, size_t len)
{
	char p[640], pid[24];
	int e;

	snprintf(p, sizeof(p), "%s/cgroup.procs", dir);
	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	if ((e = put(p, pid)))
		snprintf(err, len, "memory cgroup: write pid %s to %s: %s (errno %d)", pid, p, strerror(-e), -e);
	return e;
}

int cg_join(struct cg *g, char *err, size_t len)
{
	int e;

	live.in = 1; /* before the move: a signal in between finds us either side, and leaving is harmless */
	if ((e = move_to(g->path, err, len))) {
		live.in = 0;
		return e;
	}
	g->joined = 1;
	return 0;
}

int cg_leave(struct cg *g, char *err, size_t len)
{
	int e;

	if (!g->joined)
		return 0;
	if ((e = move_to(g->home, err, len)))
		return e;
	g->joined = 0;
	live.in = 0;
	return 0;
}

int cg_remove(struct cg *g, char *err, size_t len)
{
	int e;

	if ((e = cg_leave(g, err, len)))
		return e;
	if (!g->created)
		return 0;
	if (rmdir(g->path)) {
		e = -errno;
		snprintf(err, len, "memory cgroup: rmdir %s: %s (errno %d)", g->path, strerror(-e), -e);
		return e;
	}
	g->created = 0;
	live.on = 0;
	return 0;
}

/* ---- the pressure counters ----------------------------------------------- */

static const struct {
	const char *metric;  /* result metric */
	const char *v2[2];   /* cgroup v2 memory.stat keys summed */
	const char *v1[2];   /* cgroup v1 memory.stat keys summed */
	const char *vm[2];   /* /proc/vmstat keys summed (system-wide) */
} cgm_info[CGM__COUNT] = {
	[CGM_SCANNED] = { "reclaim.scanned", { "pgscan" }, { NULL }, { "pgscan_anon", "pgscan_file" } },
	[CGM_STOLEN] = { "reclaim.stolen", { "pgsteal" }, { NULL }, { "pgsteal_anon", "pgsteal_file" } },
	[CGM_REFAULTS] = { "workingset.refaults", { "workingset_refault_anon", "workingset_refault_file" },
			   { "workingset_refault_anon", "workingset_refault_file" },
			   { "workingset_refault_anon", "workingset_refault_file" } },
	[CGM_SWAP_OUT] = { "swap.out", { "pswpout" }, { NULL }, { "pswpout" } },
	[CGM_SWAP_IN] = { "swap.in", { "pswpin" }, { NULL }, { "pswpin" } },
};

/* Sum of keys[0..1] in a "key value" file; -1 when a key is missing or path unreadable. */
static long long stat_sum(const char *path, const char *const keys[2])
{
	FILE *f = fopen(path, "re");
	char k[128];
	long long v, sum = 0;
	int want = (keys[0] != NULL) + (keys[1] != NULL), got = 0;

	if (!f || !want) {
		if (f)
			fclose(f);
		return -1;
	}
	while (fscanf(f, "%127s %lld", k, &v) == 2)
		for (int i = 0; i < 2; i++)
			if (keys[i] && !strcmp(k, keys[i]))
				sum += v, got++;
	fclose(f);
	return got == want ? sum : -1;
}

static const char *const *cgm_keys(const struct cg_run *r, int i)
{
	return r->src[i] == 2 ? cgm_info[i].vm : r->g.ver == CG_V2 ? cgm_info[i].v2 : cgm_info[i].v1;
}

static long long cgm_read(const struct cg_run *r, int i)
{
	char p[640];

	if (r->src[i] == 2)
		return stat_sum("/proc/vmstat", cgm_info[i].vm);
	snprintf(p, sizeof(p), "%s/memory.stat", r->g.path);
	return stat_sum(p, cgm_keys(r, i));
}

long long cg_stat(const char *path, const char *key)
{
	const char *const keys[2] = { key, NULL };
	char buf[64];

	if (key)
		return stat_sum(path, keys);
	return get(path, buf, sizeof(buf)) || !buf[0] ? -1 : strtoll(buf, NULL, 10);
}

int cg_set(const struct cg *g, const char *name, const char *val, char *err, size_t len)
{
	char p[700];
	int e;

	if ((e = pathf(p, sizeof(p), "%s/%s", g->path, name)) || (e = put(p, val)))
		snprintf(err, len, "memory cgroup: write %s to %s/%s: %s (errno %d)", val, g->path, name,
			 strerror(-e), -e);
	return e;
}

int cg_swap_areas(void)
{
	FILE *f = fopen("/proc/swaps", "re");
	char line[512];
	int n = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n++;
	fclose(f);
	return n < 0 ? 0 : n;
}

int cg_run_check(uint64_t limit, int anon, uint64_t region, char *err, size_t len)
{
	char a[32], b[32];

	if (!limit || !anon || region <= limit || cg_swap_areas() > 0)
		return 0;
	snprintf(err, len, "anonymous region of %s above the limit %s with no swap (/proc/swaps lists none): "
		 "the replay would be OOM-killed, not reclaimed", mb_fmt_size(region, a, sizeof(a)),
		 mb_fmt_size(limit, b, sizeof(b)));
	return -BENCH_E_HOST_LACKS;
}

int cg_run_start(struct cg_run *r, uint64_t limit, unsigned reps, char *err, size_t len)
{
	int e;

	memset(r, 0, sizeof(*r));
	r->limit = limit;
	r->cap = reps;
	for (int i = 0; i < CGM__COUNT; i++)
		if (!(r->samples[i] = calloc(reps ? reps : 1, sizeof(double)))) {
			e = -ENOMEM;
			goto out_free;
		}
	if (!(r->own_kb = calloc(reps ? reps : 1, sizeof(double)))) {
		e = -ENOMEM;
		goto out_free;
	}
	if (limit) {
		if ((e = cg_find(&r->g, err, len)))
			goto out_free;
		cg_reap_stale(&r->g);
		hooks_install();
	}
	for (int i = 0; i < CGM__COUNT; i++) {
		const char *const *ck = r->g.ver == CG_V2 ? cgm_info[i].v2 : cgm_info[i].v1;
		/* the cgroup's own keys when its hierarchy has them (checked on the first repetition) */
		r->src[i] = limit && ck[0] ? 1 : 2;
		if (r->src[i] == 2 && stat_sum("/proc/vmstat", cgm_info[i].vm) < 0) {
			r->src[i] = 0;
			snprintf(r->reason[i], sizeof(r->reason[i]), "%s%s%s not in /proc/vmstat%s",
				 cgm_info[i].vm[0], cgm_info[i].vm[1] ? " + " : "",
				 cgm_info[i].vm[1] ? cgm_info[i].vm[1] : "",
				 limit ? " and not in this cgroup hierarchy's memory.stat" : "");
		}
	}
	r->started = 1;
	return 0;
out_free:
	for (int i = 0; i < CGM__COUNT; i++)
		free(r->samples[i]), r->samples[i] = NULL;
	free(r->own_kb);
	r->own_kb = NULL;
	return e;
}

int cg_run_enter(struct cg_run *r, char *err, size_t len)
{
	int e;

	if (!r->limit)
		return 0;
	if ((e = cg_create(&r->g, r->limit, err, len)))
		return e;
	/* a v2 kernel without pswpin/pswpout in memory.stat: fall back to /proc/vmstat */
	for (int i = 0; i < CGM__COUNT; i++)
		if (r->src[i] == 1 && cgm_read(r, i) < 0)
			r->src[i] = stat_sum("/proc/vmstat", cgm_info[i].vm) < 0 ? 0 : 2;
	if ((e = cg_join(&r->g, err, len))) {
		char e2[256];
		cg_remove(&r->g, e2, sizeof(e2));
		return e;
	}
	return 0;
}

void cg_run_replay_begin(struct cg_run *r, uint64_t cached)
{
	for (int i = 0; i < CGM__COUNT; i++)
		r->before[i] = r->src[i] ? cgm_read(r, i) : -1;
	r->own = 0;
	if (r->limit && r->g.created) {
		/* the harness's own charge so far (buffers, rings, kernel objects of the set-up): the
		   limit is raised by it, so that the replay's data gets --mem-limit bytes */
		char p[700], v[32], err[256];
		long long cur;
		snprintf(p, sizeof(p), "%s/%s", r->g.path, r->g.ver == CG_V2 ? "memory.current" : "memory.usage_in_bytes");
		cur = cg_stat(p, NULL);
		if (cur > (long long)cached) {
			r->own = ((uint64_t)cur - cached + 4095) & ~(uint64_t)4095;
			snprintf(v, sizeof(v), "%llu", (unsigned long long)(r->limit + r->own));
			if (cg_set(&r->g, limit_file(&r->g), v, err, sizeof(err)))
				r->own = 0; /* the limit stays --mem-limit: said in the note */
		}
	}
}

void cg_run_replay_end(struct cg_run *r, int record)
{
	if (!record || r->n >= r->cap)
		return;
	r->own_kb[r->n] = (double)r->own / 1024;
	for (int i = 0; i < CGM__COUNT; i++) {
		long long a = r->src[i] ? cgm_read(r, i) : -1;
		r->samples[i][r->n] = a >= 0 && r->before[i] >= 0 ? (double)(a - r->before[i]) : -1;
	}
	r->n++;
}

int cg_run_exit(struct cg_run *r, char *err, size_t len)
{
	return r->limit ? cg_remove(&r->g, err, len) : 0;
}

void cg_run_emit(const struct cg_run *r, json_t *co)
{
	for (int i = 0; i < CGM__COUNT; i++) {
		const char *name = cgm_info[i].metric;
		const char *const *k = cgm_keys(r, i);
		char note[320];
		int bad = 0;

		for (size_t j = 0; j < r->n; j++)
			bad |= r->samples[i][j] < 0;
		if (!r->src[i] || bad) {
			an_case_set_status(co, name, "pages", AN_STATUS_UNSUPPORTED,
					   r->src[i] ? "a counter file became unreadable during the run" : r->reason[i]);
			continue;
		}
		an_case_set_samples(co, name, "pages", r->samples[i], r->n);
		snprintf(note, sizeof(note), "%s%s%s delta over the access phase, %s", k[0], k[1] ? " + " : "",
			 k[1] ? k[1] : "",
			 r->src[i] == 1 ? "the replay's memory cgroup (memory.stat)"
			 : !r->limit    ? "/proc/vmstat: system-wide (no --mem-limit), other processes' activity included"
			 : r->g.ver == CG_V1 ? "/proc/vmstat: system-wide, other processes' activity included "
					       "(cgroup v1 memory.stat has no such key)"
					     : "/proc/vmstat: system-wide, other processes' activity included "
					       "(this kernel's v2 memory.stat has no such key)");
		if (an_case_metric(co, name))
			json_object_set_new(an_case_metric(co, name), "note", json_string(note));
	}
	if (r->limit) {
		char lim[32];
		json_t *o = json_object();
		json_object_set_new(o, "version", json_integer(r->g.ver));
		json_object_set_new(o, "path", json_string(r->g.path));
		json_object_set_new(o, "limit_bytes", json_integer((json_int_t)r->g.limit));
		json_object_set_new(o, "limit", json_string(mb_fmt_size(r->g.limit, lim, sizeof(lim))));
		json_object_set_new(o, "charged", json_string(
			"a fresh cgroup per repetition, joined by the harness process (all threads) before "
			"the cache-state set-up and left after the method closed: charged are the page cache "
			"the cache set-up and the replay bring in, the method's buffers, mappings, page "
			"tables, io_uring rings and kernel memory allocated inside; not charged are the "
			"trace records and the chunk buffer (allocated before joining), the data file's "
			"creation and the harness's earlier allocations; what the set-up charged beyond the "
			"data file's cached pages is added to the limit right before the replay (harness_kb), "
			"so the replay's data gets the limit"));
		{
			json_t *a = json_array();
			for (size_t j = 0; j < r->n; j++)
				json_array_append_new(a, json_real(r->own_kb[j]));
			json_object_set_new(o, "harness_kb", a);
		}
		json_object_set_new(co, "memory_cgroup", o);
	}
}

void cg_run_finish(struct cg_run *r)
{
	char err[256];

	if (r->started && r->g.created && cg_remove(&r->g, err, sizeof(err)))
		fprintf(stderr, "mapbench: %s\n", err);
	if (r->limit && r->started) {
		rmdir(r->g.parent); /* fails harmlessly while another run uses it */
		hooks_remove();
	}
	for (int i = 0; i < CGM__COUNT; i++)
		free(r->samples[i]), r->samples[i] = NULL;
	free(r->own_kb);
	r->own_kb = NULL;
	r->started = 0;
}
