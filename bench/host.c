/*
 * bench/host.c — what this host offers, as the "host" object of every result
 * file and the output of `mapbench host`: kernel, CPU model, topology (hwloc:
 * cores, PUs, NUMA nodes, caches), page sizes, THP policy, readahead and
 * max_sectors of the scratch directory's device, fault_around_bytes (debugfs,
 * when readable), the DAMON schemes running (damon), perf_event_paranoid, PMU (libpfm4 default PMU and whether
 * the kernel exposes one), which default events and tracepoints open here
 * (each is tried), and the measured TSC rate.
 */
#include "bench/bench.h"
#include "bench/fingerprint.h"
#include "bench/cache.h"
#include "bench/counters.h"
#include "common/mb.h"
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <unistd.h>
#if HAVE_HWLOC
#include <hwloc.h>
#endif

/* First line of a file, trimmed, or NULL. */
static char *line_of(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");

	if (!f)
		return NULL;
	if (!fgets(buf, (int)len, f)) {
		fclose(f);
		return NULL;
	}
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	return buf;
}

/*
 * "damon": DAMON's running schemes (sysfs admin interface), which reclaim or
 * page out memory the system finds idle, page cache of a warm file too
 * (README "page cache"): per kdamond that is on, each scheme's action and the
 * least idle time it acts on (access_pattern/age/min aggregation intervals
 * x monitoring_attrs/intervals/aggr_us). "none" when no kdamond is on.
 */
static void damon(json_t *o)
{
	const char *root = "/sys/kernel/mm/damon/admin/kdamonds";
	char p[512], b[64], act[32], out[400] = "";
	size_t n = 0;

	for (int k = 0; k < 16; k++) {
		snprintf(p, sizeof(p), "%s/%d/state", root, k);
		if (!line_of(p, b, sizeof(b)))
			break;
		if (strcmp(b, "on"))
			continue;
		for (int c = 0; c < 4; c++) {
			snprintf(p, sizeof(p), "%s/%d/contexts/%d/monitoring_attrs/intervals/aggr_us", root, k, c);
			if (!line_of(p, b, sizeof(b)))
				break;
			double aggr_s = atof(b) / 1e6;
			for (int i = 0; i < 16; i++) {
				snprintf(p, sizeof(p), "%s/%d/contexts/%d/schemes/%d/action", root, k, c, i);
				if (!line_of(p, act, sizeof(act)))
					break;
				snprintf(p, sizeof(p), "%s/%d/contexts/%d/schemes/%d/access_pattern/age/min", root, k, c, i);
				double age = line_of(p, b, sizeof(b)) ? atof(b) * aggr_s : -1;
				n += (size_t)snprintf(out + n, n < sizeof(out) ? sizeof(out) - n : 0,
						      "%skdamond %d: %s of memory idle >= %.0f s", n ? "; " : "", k, act, age);
				if (n >= sizeof(out))
					n = sizeof(out) - 1;
			}
		}
	}
	json_object_set_new(o, "damon", json_string(n ? out : "none"));
}

static void put_file(json_t *o, const char *key, const char *path)
{
	char b[256];

	json_object_set_new(o, key, line_of(path, b, sizeof(b)) ? json_string(b) : json_null());
}

static void put_int_file(json_t *o, const char *key, const char *path)
{
	char b[64];

	json_object_set_new(o, key, line_of(path, b, sizeof(b)) ? json_integer(atoll(b)) : json_null());
}

static void cpu_model(json_t *o)
{
	FILE *f = fopen("/proc/cpuinfo", "re");
	char line[512];

	json_object_set_new(o, "cpu", json_null());
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "model name", 10)) {
			char *p = strchr(line, ':');
			if (p) {
				p[strcspn(p, "\n")] = 0;
				json_object_set_new(o, "cpu", json_string(p + 2));
			}
			break;
		}
	fclose(f);
}

static void topology(json_t *o)
{
#if HAVE_HWLOC
	hwloc_topology_t t;
	json_t *caches = json_array();

	if (hwloc_topology_init(&t) || hwloc_topology_load(t)) {
		json_object_set_new(o, "topology", json_string("hwloc failed"));
		json_decref(caches);
		return;
	}
	json_object_set_new(o, "packages", json_integer(hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_PACKAGE)));
	json_object_set_new(o, "cores", json_integer(hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_CORE)));
	json_object_set_new(o, "pus", json_integer(hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_PU)));
	json_object_set_new(o, "numa_nodes", json_integer(hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_NUMANODE)));
	static const hwloc_obj_type_t ct[] = { HWLOC_OBJ_L1CACHE, HWLOC_OBJ_L2CACHE, HWLOC_OBJ_L3CACHE };
	for (size_t i = 0; i < 3; i++) {
		hwloc_obj_t c = hwloc_get_obj_by_type(t, ct[i], 0);
		if (!c || !c->attr)
			continue;
		json_t *e = json_object();
		json_object_set_new(e, "level", json_integer(c->attr->cache.depth));
		json_object_set_new(e, "bytes", json_integer((json_int_t)c->attr->cache.size));
		json_object_set_new(e, "line_bytes", json_integer(c->attr->cache.linesize));
		json_object_set_new(e, "ways", json_integer(c->attr->cache.associativity));
		json_object_set_new(e, "count", json_integer(hwloc_get_nbobjs_by_type(t, ct[i])));
		json_array_append_new(caches, e);
	}
	json_object_set_new(o, "caches", caches);
	json_object_set_new(o, "topology_source", json_string("hwloc " HWLOC_VERSION));
	hwloc_topology_destroy(t);
#else
	json_object_set_new(o, "pus", json_integer(sysconf(_SC_NPROCESSORS_ONLN)));
	json_object_set_new(o, "topology_source", json_string("sysconf (built without hwloc)"));
#endif
}

static void page_sizes(json_t *o)
{
	json_t *a = json_array();
	DIR *d = opendir("/sys/kernel/mm/hugepages");
	struct dirent *e;

	json_array_append_new(a, json_integer(sysconf(_SC_PAGESIZE)));
	while (d && (e = readdir(d))) {
		long kb;
		if (sscanf(e->d_name, "hugepages-%ldkB", &kb) == 1)
			json_array_append_new(a, json_integer((json_int_t)kb * 1024));
	}
	if (d)
		closedir(d);
	json_object_set_new(o, "page_sizes", a);
}

/* read_ahead_kb / max_sectors_kb of the block device holding dir. */
static void readahead(json_t *o, const char *dir)
{
	struct stat st;
	char p[256], b[64];
	json_t *ra = json_object();

	char d[4096];

	/* the scratch directory may not exist yet: use its nearest existing parent */
	snprintf(d, sizeof(d), "%s", dir);
	while (stat(d, &st) && strrchr(d, '/') && strrchr(d, '/') != d)
		*strrchr(d, '/') = 0;
	json_object_set_new(ra, "dir", json_string(d));
	if (stat(d, &st)) {
		json_object_set_new(ra, "error", json_string("scratch directory does not exist yet"));
		json_object_set_new(o, "readahead", ra);
		return;
	}
	snprintf(p, sizeof(p), "%u:%u", major(st.st_dev), minor(st.st_dev));
	json_object_set_new(ra, "device", json_string(p));
	snprintf(p, sizeof(p), "/sys/class/bdi/%u:%u/read_ahead_kb", major(st.st_dev), minor(st.st_dev));
	json_object_set_new(ra, "read_ahead_kb", line_of(p, b, sizeof(b)) ? json_integer(atoll(b)) : json_null());
	snprintf(p, sizeof(p), "/sys/dev/block/%u:%u/queue/max_sectors_kb", major(st.st_dev), minor(st.st_dev));
	if (!line_of(p, b, sizeof(b)))
		snprintf(p, sizeof(p), "/sys/dev/block/%u:%u/../queue/max_sectors_kb", major(st.st_dev),
			 minor(st.st_dev));
	json_object_set_new(ra, "max_sectors_kb", line_of(p, b, sizeof(b)) ? json_integer(atoll(b)) : json_null());
	json_object_set_new(o, "readahead", ra);
}

/* Try to open each default event and tracepoint; list status and reason. */
static void usable(json_t *o)
{
	struct ctr_set *s = calloc(1, sizeof(*s));
	json_t *ev = json_object(), *tp = json_object();
	char err[128];

	if (!s)
		return;
	ctr_set_init(s);
	pmu_add_events(s, NULL, err, sizeof(err));
	size_t npmu = s->n;
	tp_add_default(s);
	for (size_t i = 0; i < s->n; i++) {
		const struct ctr *c = &s->c[i];
		json_t *e;

		if (c->kind == CTR_DERIVED)
			continue;
		e = json_object();
		json_object_set_new(e, "metric", json_string(c->metric));
		json_object_set_new(e, "status", json_string(an_status_name(c->status)));
		if (c->status != AN_STATUS_OK)
			json_object_set_new(e, "reason", json_string(c->reason));
		json_object_set_new(i < npmu ? ev : tp, c->event, e);
	}
	json_object_set_new(o, "events", ev);
	json_object_set_new(o, "tracepoints", tp);
	json_object_set_new(o, "event_encoding", json_string(s->note));
	ctr_set_fini(s);
	free(s);
}

json_t *bench_host_json(const char *dir)
{
	json_t *o = json_object(), *thp = json_object(), *pmu = json_object();
	struct utsname u;
	const char *pn = pmu_libpfm_name();
	char b[64];

	if (!uname(&u)) {
		json_object_set_new(o, "kernel", json_string(u.release));
		json_object_set_new(o, "machine", json_string(u.machine));
		json_object_set_new(o, "hostname", json_string(u.nodename));
	}
	cpu_model(o);
	topology(o);
	page_sizes(o);
	put_file(thp, "enabled", "/sys/kernel/mm/transparent_hugepage/enabled");
	put_file(thp, "defrag", "/sys/kernel/mm/transparent_hugepage/defrag");
	put_file(thp, "shmem_enabled", "/sys/kernel/mm/transparent_hugepage/shmem_enabled");
	json_object_set_new(o, "thp", thp);
	readahead(o, dir ? dir : cache_default_dir());
	if (line_of("/sys/kernel/debug/fault_around_bytes", b, sizeof(b)))
		json_object_set_new(o, "fault_around_bytes", json_integer(atoll(b)));
	else
		json_object_set_new(o, "fault_around_bytes",
				    json_string("unreadable (debugfs not mounted or not root)"));
	damon(o);
	put_int_file(o, "perf_event_paranoid", "/proc/sys/kernel/perf_event_paranoid");
	json_object_set_new(pmu, "libpfm4_default", pn ? json_string(pn) : json_string("none"));
	json_object_set_new(pmu, "kernel", json_string(pmu_kernel_has_cpu_pmu()
		? "cpu PMU exposed" : "none exposed (/sys/bus/event_source/devices/cpu absent)"));
	json_object_set_new(o, "pmu", pmu);
	usable(o);
	json_object_set_new(o, "tsc_ghz", json_real(bench_tsc_ghz()));
	json_object_set_new(o, "tsc_source", json_string("rdtsc vs CLOCK_MONOTONIC, median of 5 x 4 ms"));
	json_object_set_new(o, "root", json_boolean(geteuid() == 0));
	{
		struct bench_fp fp;
		bench_fingerprint(dir, &fp);
		json_object_set_new(o, "fingerprint", bench_fingerprint_json(&fp));
	}
	return o;
}
