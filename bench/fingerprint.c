/*
 * bench/fingerprint.c — host fingerprint, per-host profile cache paths and
 * the load check (fingerprint.h). Reads /proc, /sys and CPUID only.
 */
#include "bench/fingerprint.h"
#include "bench/cache.h"
#include "common/mb.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

/* Appends " key=value" to fp->text (value "?" when NULL or empty). */
static void field(struct bench_fp *fp, const char *key, const char *val)
{
	size_t n = strlen(fp->text);

	mb_sfmt(fp->text + n, sizeof(fp->text) - n, "%s%s=%s", n ? " " : "", key,
		val && *val ? val : "?");
}

/* First line of a file without its newline, or NULL. */
static char *first_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	char *r;

	if (!f)
		return NULL;
	r = fgets(buf, (int)len, f);
	fclose(f);
	if (!r)
		return NULL;
	buf[strcspn(buf, "\n")] = 0;
	return buf;
}

/* The bracketed choice of a sysfs "a [b] c" setting, into buf. */
static const char *selected(const char *path, char *buf, size_t len)
{
	char line[256], *o, *c;

	if (!first_line(path, line, sizeof(line)))
		return NULL;
	o = strchr(line, '[');
	c = o ? strchr(o, ']') : NULL;
	if (!o || !c)
		mb_sfmt(buf, len, "%s", line);
	else
		mb_sfmt(buf, len, "%.*s", (int)(c - o - 1), o + 1);
	return buf;
}

static void cpu_fields(struct bench_fp *fp)
{
	char line[512], vendor[64] = "", fam[16] = "", model[16] = "", step[16] = "", id[128];
	FILE *f = fopen("/proc/cpuinfo", "r");

	while (f && fgets(line, sizeof(line), f)) {
		char *v = strchr(line, ':');
		if (!v)
			continue;
		v += 1 + (v[1] == ' ');
		v[strcspn(v, "\n")] = 0;
		if (!strncmp(line, "vendor_id", 9) && !vendor[0])
			mb_sfmt(vendor, sizeof(vendor), "%s", v);
		else if (!strncmp(line, "cpu family", 10) && !fam[0])
			mb_sfmt(fam, sizeof(fam), "%s", v);
		else if (!strncmp(line, "model name", 10) && !fp->cpu_name[0])
			mb_sfmt(fp->cpu_name, sizeof(fp->cpu_name), "%s", v);
		else if (!strncmp(line, "model", 5) && (line[5] == '\t' || line[5] == ' ') && !model[0])
			mb_sfmt(model, sizeof(model), "%s", v);
		else if (!strncmp(line, "stepping", 8) && !step[0])
			mb_sfmt(step, sizeof(step), "%s", v);
		else if (line[0] == '\n' && vendor[0])
			break; /* first processor only */
	}
	if (f)
		fclose(f);
	mb_sfmt(id, sizeof(id), "%s/%s/%s/%s", vendor[0] ? vendor : "?", fam[0] ? fam : "?",
		model[0] ? model : "?", step[0] ? step : "?");
	field(fp, "cpu", id);
	if (!fp->cpu_name[0])
		mb_sfmt(fp->cpu_name, sizeof(fp->cpu_name), "unknown (no model name in /proc/cpuinfo)");
}

/* CPUID hypervisor signature (leaf 0x40000000) when the hypervisor bit is set, else "none". */
static void hypervisor_field(struct bench_fp *fp)
{
	char sig[13] = "none";
#if defined(__x86_64__) || defined(__i386__)
	unsigned a, b, c, d;

	if (__get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 31))) {
		__cpuid(0x40000000, a, b, c, d);
		memcpy(sig, &b, 4);
		memcpy(sig + 4, &c, 4);
		memcpy(sig + 8, &d, 4);
		sig[12] = 0;
		for (int i = 0; i < 12; i++)
			if (sig[i] && (sig[i] < 0x21 || sig[i] > 0x7e))
				sig[i] = '_';
		if (!sig[0])
			mb_sfmt(sig, sizeof(sig), "unnamed");
	}
#else
	mb_sfmt(sig, sizeof(sig), "?");
#endif
	field(fp, "hv", sig);
}

static const char *fs_name(unsigned long t, char *buf, size_t len)
{
	static const struct { unsigned long magic; const char *name; } fs[] = {
		{ 0xEF53, "ext4" }, { 0x01021994, "tmpfs" }, { 0x58465342, "xfs" },
		{ 0x9123683E, "btrfs" }, { 0x794c7630, "overlay" }, { 0x6969, "nfs" },
		{ 0x2fc12fc1, "zfs" }, { 0xF2F52010, "f2fs" },
	};
	for (size_t i = 0; i < MB_ARRAY_SIZE(fs); i++)
		if (fs[i].magic == t)
			return fs[i].name;
	mb_sfmt(buf, len, "0x%lx", t);
	return buf;
}

/* File system, block device and its readahead settings of dir. */
static void storage_fields(struct bench_fp *fp, const char *dir)
{
	char b[256], p[512], dev[64] = "none", ra[32] = "", ms[32] = "", rot[8] = "";
	struct statfs sf;
	struct stat st;
	const char *fs = NULL;

	if (!statfs(dir, &sf))
		fs = fs_name((unsigned long)sf.f_type, b, sizeof(b));
	field(fp, "fs", fs);
	if (!stat(dir, &st)) {
		unsigned ma = major(st.st_dev), mi = minor(st.st_dev);
		mb_sfmt(p, sizeof(p), "/sys/dev/block/%u:%u", ma, mi);
		if (!access(p, F_OK)) {
			char q[640];
			mb_sfmt(dev, sizeof(dev), "%u:%u", ma, mi);
			mb_sfmt(q, sizeof(q), "%s/bdi/read_ahead_kb", p);
			if (!first_line(q, ra, sizeof(ra))) {
				mb_sfmt(q, sizeof(q), "%s/../bdi/read_ahead_kb", p); /* a partition */
				first_line(q, ra, sizeof(ra));
			}
			mb_sfmt(q, sizeof(q), "%s/queue/max_sectors_kb", p);
			if (!first_line(q, ms, sizeof(ms))) {
				mb_sfmt(q, sizeof(q), "%s/../queue/max_sectors_kb", p);
				first_line(q, ms, sizeof(ms));
			}
			mb_sfmt(q, sizeof(q), "%s/queue/rotational", p);
			if (!first_line(q, rot, sizeof(rot))) {
				mb_sfmt(q, sizeof(q), "%s/../queue/rotational", p);
				first_line(q, rot, sizeof(rot));
			}
		} else if (fs && !strcmp(fs, "tmpfs")) {
			mb_sfmt(dev, sizeof(dev), "none");
			mb_sfmt(ra, sizeof(ra), "none");
			mb_sfmt(ms, sizeof(ms), "none");
			mb_sfmt(rot, sizeof(rot), "none");
		} else {
			mb_sfmt(dev, sizeof(dev), "not-a-block-device");
		}
	}
	field(fp, "dev", dev);
	field(fp, "rotational", rot);
	field(fp, "read_ahead_kb", ra);
	field(fp, "max_sectors_kb", ms);
}

/*
 * dir, or its nearest existing ancestor when dir does not exist yet (the
 * scratch directory is created on first use; it will live on that file
 * system), into buf.
 */
static const char *existing(const char *dir, char *buf, size_t len)
{
	struct stat st;
	char *slash;

	mb_sfmt(buf, len, "%s", dir);
	while (stat(buf, &st) && (slash = strrchr(buf, '/'))) {
		if (slash == buf) {
			buf[1] = 0;
			break;
		}
		*slash = 0;
	}
	return buf;
}

void bench_fingerprint(const char *dir, struct bench_fp *fp)
{
	struct utsname u;
	char b[128], n[32], d[4096];

	memset(fp, 0, sizeof(*fp));
	cpu_fields(fp);
	hypervisor_field(fp);
	mb_sfmt(n, sizeof(n), "%ld", sysconf(_SC_NPROCESSORS_ONLN));
	field(fp, "cpus", n);
	field(fp, "kernel", uname(&u) ? NULL : u.release);
	storage_fields(fp, existing(dir ? dir : cache_default_dir(), d, sizeof(d)));
	field(fp, "thp", selected("/sys/kernel/mm/transparent_hugepage/enabled", b, sizeof(b)));
	field(fp, "thp_defrag", selected("/sys/kernel/mm/transparent_hugepage/defrag", b, sizeof(b)));
	field(fp, "thp_shmem", selected("/sys/kernel/mm/transparent_hugepage/shmem_enabled", b, sizeof(b)));
	/* debugfs, root only: "unreadable" is a value of its own (the default 64 KiB is then assumed by calibrate's probe) */
	field(fp, "fault_around_bytes",
	      first_line("/sys/kernel/debug/fault_around_bytes", b, sizeof(b)) ? b : "unreadable");
	mb_sfmt(fp->hash, sizeof(fp->hash), "%016llx",
		(unsigned long long)XXH64(fp->text, strlen(fp->text), 0));
}

json_t *bench_fingerprint_json(const struct bench_fp *fp)
{
	return json_pack("{s:s, s:s, s:s}", "hash", fp->hash, "text", fp->text, "cpu_name",
			 fp->cpu_name);
}

int bench_profile_cache_dir(const char *dir, char *buf, size_t len, char *err, size_t errlen)
{
	const char *e = getenv("MAPBENCH_PROFILE_CACHE"), *x = getenv("XDG_CACHE_HOME"),
		   *h = getenv("HOME");
	int n;

	if (dir && *dir)
		n = snprintf(buf, len, "%s", dir);
	else if (e && *e)
		n = snprintf(buf, len, "%s", e);
	else if (x && *x == '/')
		n = snprintf(buf, len, "%s/mapbench/profiles", x);
	else if (h && *h) {
		n = snprintf(buf, len, "%s/.cache/mapbench/profiles", h);
	} else {
		mb_sfmt(err, errlen, "profile cache: no --profile-cache, MAPBENCH_PROFILE_CACHE, XDG_CACHE_HOME or HOME to place it");
		return -ENOENT;
	}
	if (n < 0 || (size_t)n >= len - 32) {
		mb_sfmt(err, errlen, "profile cache: directory path of %d bytes is longer than %zu", n, len - 32);
		return -ENAMETOOLONG;
	}
	return 0;
}

void bench_profile_cache_path(const char *cache_dir, const struct bench_fp *fp, char *buf, size_t len)
{
	mb_sfmt(buf, len, "%s/host-%s.ini", cache_dir, fp->hash);
}

int bench_profile_matches(const char *path, const struct bench_fp *fp)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	int in_profile = 0, ok = 0;

	while (f && fgets(line, sizeof(line), f)) {
		char *k = line + strspn(line, " \t"), *v;
		if (*k == '[') {
			in_profile = !strncmp(k, "[profile]", 9);
			continue;
		}
		if (!in_profile || strncmp(k, "fingerprint", 11))
			continue;
		v = k + 11 + strspn(k + 11, " \t");
		if (*v != '=')
			continue;
		v += 1 + strspn(v + 1, " \t");
		ok = !strncmp(v, fp->hash, 16) && (v[16] == 0 || strchr(" \t#\n", v[16]));
		break;
	}
	if (f)
		fclose(f);
	return ok;
}

void bench_load_snapshot(struct bench_load *l)
{
	char line[512];
	FILE *f = fopen("/proc/stat", "r");
	struct timespec ts;

	memset(l, 0, sizeof(*l));
	while (f && fgets(line, sizeof(line), f)) {
		unsigned long long v[10] = { 0 };
		if (!strncmp(line, "cpu ", 4)) {
			sscanf(line + 4, "%llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1],
			       &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]);
			/* user nice system idle iowait irq softirq steal (guest time is inside user) */
			for (int i = 0; i < 8; i++)
				l->total += v[i];
			l->busy = v[0] + v[1] + v[2] + v[5] + v[6];
			l->steal = v[7];
		} else if (!strncmp(line, "procs_running ", 14)) {
			l->running = atol(line + 14);
		}
	}
	if (f)
		fclose(f);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	l->self_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	l->wall_ns = mb_now_ns();
	l->ncpu = sysconf(_SC_NPROCESSORS_ONLN);
}

int bench_load_busy(const struct bench_load *a, const struct bench_load *b, double *others,
		    double *steal, char *why, size_t len)
{
	double hz = (double)sysconf(_SC_CLK_TCK), wall = (double)(b->wall_ns - a->wall_ns) / 1e9;
	double ticks = (double)(b->total - a->total), busy = (double)(b->busy - a->busy) / hz;
	double self = (double)(b->self_ns - a->self_ns) / 1e9;
	int is_busy;

	*others = wall > 0 ? (busy - self) / wall : 0;
	if (*others < 0)
		*others = 0;
	*steal = ticks > 0 ? (double)(b->steal - a->steal) / ticks : 0;
	is_busy = *others > 0.25 || *steal > 0.05;
	mb_sfmt(why, len, "over %.1f s other tasks used %.2f of %ld CPUs, steal time %.1f%%, %ld runnable at the end%s",
		wall, *others, b->ncpu, 100 * *steal, b->running,
		is_busy ? " (busy: above 0.25 CPU or 5% steal)" : " (quiet)");
	return is_busy;
}
