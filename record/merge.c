/*
 * record/merge.c — `mapbench record` (librecord): run the program with the
 * interposer preloaded (record_run), then read the per-process logs it left
 * (record/reclog.h) and write one trace per recorded file (record_merge),
 * with the report of what was not recorded.
 *
 * Events of all processes are merged in completion-time order (t_ns, ties
 * in log order). The trace's region is the file's size when first seen, or
 * the end of the furthest record when the program grew the file.
 *
 * Invariants: every count the interposer kept reaches the report (nothing
 * not recorded is left unsaid); traces are written atomically
 * (trace_writer_close renames).
 */
#include "record/record.h"
#include "record/reclog.h"
#include "traces/trace.h"
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *const call_name[RC__COUNT] = {
	[RC_READ] = "read", [RC_PREAD] = "pread64", [RC_READV] = "readv",
	[RC_PREADV] = "preadv", [RC_WRITE] = "write", [RC_PWRITE] = "pwrite64",
	[RC_FREAD] = "fread", [RC_FGETS] = "fgets/getline", [RC_FGETC] = "fgetc/getc",
	[RC_MMAP_PAGE] = "mmap page", [RC_MMAP_TOUCH] = "mmap touch",
};

/* The harness method a call family replays as. */
static const char *call_method(unsigned c)
{
	switch (c) {
	case RC_FREAD: case RC_FGETS: case RC_FGETC: return "fread";
	case RC_MMAP_PAGE: case RC_MMAP_TOUCH: return "mmap";
	default: return "read";
	}
}

/* One recorded file across all logs. */
struct mfile {
	uint64_t dev, ino, size; /* identity, size when first seen */
	char path[RECLOG_PATH_MAX];
	uint64_t seen[RC__COUNT]; /* calls per family */
	uint64_t nev;             /* events */
};

/* One event with its place in the merge. */
struct mev {
	uint64_t t_ns, seq, off;
	uint32_t len;
	uint16_t file; /* index into the merged file table */
	uint8_t op;
};

static int ev_cmp(const void *a, const void *b)
{
	const struct mev *x = a, *y = b;
	if (x->t_ns != y->t_ns)
		return x->t_ns < y->t_ns ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int record_find_so(char *buf, size_t len)
{
	const char *e = getenv("MAPBENCH_RECORD_SO");
	int n = e ? snprintf(buf, len, "%s", e)
		  : snprintf(buf, len, "%s/record/libmapbench_record.so", MAPBENCH_BUILD_ROOT);
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return access(buf, R_OK) ? -errno : 0;
}

/* Spec-safe copy: ',' '|' '@' and control characters become '?'. */
static void clean(char *d, size_t dl, const char *s)
{
	size_t i = 0;
	for (; s[i] && i + 1 < dl; i++)
		d[i] = (s[i] == ',' || s[i] == '|' || s[i] == '@' || (unsigned char)s[i] < 32) ? '?' : s[i];
	d[i] = 0;
}

static void cmd_line(char *d, size_t dl, char *const *argv)
{
	size_t n = 0;
	d[0] = 0;
	for (unsigned i = 0; argv && argv[i] && n + 1 < dl; i++) {
		int k = snprintf(d + n, dl - n, "%s%s", i ? " " : "", argv[i]);
		if (k < 0)
			break;
		n += (size_t)k;
	}
	if (n >= dl)
		n = dl - 1;
	d[n] = 0;
}

int record_merge(const struct record_opts *o, const char *dir, struct record_sum *sum, FILE *rep)
{
	struct mfile *files = NULL;
	struct mev *ev = NULL;
	size_t nf = 0, ne = 0, cap = 0;
	uint64_t seq = 0, other[RC__COUNT] = { 0 }, other_bytes[RC__COUNT] = { 0 }, ctr[RK__COUNT] = { 0 };
	uint64_t syscr_seen = 0, syscr_total = 0, internal = 0;
	int rc = 0;
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d) {
		rc = -errno;
		fprintf(stderr, "mapbench: record: opendir %s: %s\n", dir, strerror(-rc));
		return rc;
	}
	sum->procs = sum->unknown_procs = 0;
	while ((de = readdir(d))) {
		char p[PATH_MAX + 256];
		struct stat st;
		if (strncmp(de->d_name, "ev.", 3))
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		int fd = open(p, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &st) || (uint64_t)st.st_size < RECLOG_HDR_BYTES) {
			fprintf(stderr, "mapbench: record: log %s unreadable or shorter than its header (%u bytes); skipped\n",
				p, RECLOG_HDR_BYTES);
			if (fd >= 0)
				close(fd);
			continue;
		}
		void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
		close(fd);
		if (m == MAP_FAILED)
			continue;
		const struct reclog_hdr *h = m;
		uint64_t maxev = ((uint64_t)st.st_size - RECLOG_HDR_BYTES) / sizeof(struct reclog_ev);
		if (h->magic != RECLOG_MAGIC || h->version != RECLOG_VERSION || h->nfiles > RECLOG_MAX_FILES ||
		    h->nev > maxev) {
			fprintf(stderr, "mapbench: record: log %s: bad magic, version %u or counts (nev %" PRIu64 " of %" PRIu64 "); skipped\n",
				p, h->version, h->nev, maxev);
			munmap(m, (size_t)st.st_size);
			continue;
		}
		sum->procs++;
		uint16_t map[RECLOG_MAX_FILES];
		for (uint32_t i = 0; i < h->nfiles; i++) {
			size_t j = 0;
			while (j < nf && !(files[j].dev == h->files[i].dev && files[j].ino == h->files[i].ino))
				j++;
			if (j == nf) {
				struct mfile *nfp = realloc(files, (nf + 1) * sizeof(*files));
				if (!nfp) {
					rc = -ENOMEM;
					munmap(m, (size_t)st.st_size);
					goto out;
				}
				files = nfp;
				memset(&files[nf], 0, sizeof(files[nf]));
				files[nf].dev = h->files[i].dev;
				files[nf].ino = h->files[i].ino;
				files[nf].size = h->files[i].size;
				memcpy(files[nf].path, h->files[i].path, RECLOG_PATH_MAX);
				files[nf].path[RECLOG_PATH_MAX - 1] = 0;
				nf++;
			}
			map[i] = (uint16_t)j;
		}
		const struct reclog_ev *e = (const void *)((const char *)m + RECLOG_HDR_BYTES);
		for (uint64_t i = 0; i < h->nev; i++) {
			if (e[i].file >= h->nfiles || e[i].call >= RC__COUNT || e[i].op >= TRACE_OP__COUNT || !e[i].len)
				continue;
			if (ne == cap) {
				cap = cap ? cap * 2 : 4096;
				struct mev *n2 = realloc(ev, cap * sizeof(*ev));
				if (!n2) {
					rc = -ENOMEM;
					munmap(m, (size_t)st.st_size);
					goto out;
				}
				ev = n2;
			}
			ev[ne++] = (struct mev){ e[i].t_ns, seq++, e[i].off, e[i].len, map[e[i].file], e[i].op };
			files[map[e[i].file]].seen[e[i].call]++;
			files[map[e[i].file]].nev++;
		}
		for (unsigned c = 0; c < RC__COUNT; c++) {
			other[c] += h->other[c];
			other_bytes[c] += h->other_bytes[c];
		}
		for (unsigned k = 0; k < RK__COUNT; k++)
			ctr[k] += h->ctr[k];
		if (h->syscr1 == RECLOG_SYSCR_UNKNOWN) {
			sum->unknown_procs++;
		} else {
			uint64_t d = h->syscr1 - h->syscr0;
			syscr_total += d > h->syscr_reaped ? d - h->syscr_reaped : 0;
			for (unsigned c = 0; c < RC__COUNT; c++)
				if (RECLOG_CALL_IS_READ_SYSCALL(c))
					syscr_seen += h->seen[c] + h->other[c];
			syscr_seen += h->ctr[RK_EMPTY_READS] + h->ctr[RK_POS_UNKNOWN];
			internal += h->ctr[RK_INTERNAL_READS];
		}
		munmap(m, (size_t)st.st_size);
	}
	if (!sum->procs) {
		fprintf(stderr, o->ptrace ? "mapbench: record: no log in %s: no traced program image started; nothing recorded\n"
			: "mapbench: record: no log in %s: the program never loaded the interposer "
			  "(a static binary, or LD_PRELOAD removed; --mechanism ptrace sees those); nothing recorded\n", dir);
		rc = -ENOENT;
		goto out;
	}
	if (ne)
		qsort(ev, ne, sizeof(*ev), ev_cmp);

	char cmd[256];
	cmd_line(cmd, sizeof(cmd), o->argv);
	sum->nfiles = 0;
	for (size_t f = 0; f < nf; f++) {
		struct record_file_sum *fs = sum->nfiles < 64 ? &sum->files[sum->nfiles] : NULL;
		struct trace_hdr th = { 0 };
		struct trace_writer *w = NULL;
		char err[512], path[4096], cpath[RECLOG_PATH_MAX], ccmd[256];
		uint64_t region = files[f].size, bytes = 0, best = 0;
		unsigned used = RC_READ;

		if (!files[f].nev)
			continue;
		for (size_t i = 0; i < ne; i++)
			if (ev[i].file == f && ev[i].off + ev[i].len > region)
				region = ev[i].off + ev[i].len;
		for (unsigned c = 0; c < RC__COUNT; c++)
			if (files[f].seen[c] > best) {
				best = files[f].seen[c];
				used = c;
			}
		if (o->file || nf == 1)
			snprintf(path, sizeof(path), "%s", o->out);
		else
			snprintf(path, sizeof(path), "%s.%u.mtr", o->out, sum->nfiles);
		clean(cpath, sizeof(cpath), files[f].path);
		clean(ccmd, sizeof(ccmd), cmd);
		th.region_kind = TRACE_REGION_FILE;
		th.region_size = region;
		snprintf(th.spec, sizeof(th.spec), "record:file=%.200s,size=%" PRIu64 ",used=%s,wall_ns=%" PRIu64 ",cmd=%.200s",
			 cpath, files[f].size, call_method(used), sum->wall_ns, ccmd);
		rc = trace_writer_create(path, &th, &w, err, sizeof(err));
		if (rc) {
			fprintf(stderr, "mapbench: record: %s\n", err);
			goto out;
		}
		for (size_t i = 0; i < ne && !rc; i++)
			if (ev[i].file == f) {
				struct trace_rec r = { ev[i].off, ev[i].len, ev[i].op };
				rc = trace_writer_add(w, &r);
				bytes += ev[i].len;
			}
		if (!rc)
			rc = trace_writer_close(w);
		if (rc) {
			fprintf(stderr, "mapbench: record: writing %s: %s\n", path, trace_writer_error(w));
			trace_writer_destroy(w);
			goto out;
		}
		trace_writer_destroy(w);
		if (rep) {
			fprintf(rep, "recorded %s (%" PRIu64 " bytes) -> %s: %" PRIu64 " records, %" PRIu64 " bytes; used %s\n",
				files[f].path, files[f].size, path, files[f].nev, bytes, call_method(used));
			for (unsigned c = 0; c < RC__COUNT; c++)
				if (files[f].seen[c])
					fprintf(rep, "  %-14s %" PRIu64 " records\n", call_name[c], files[f].seen[c]);
		}
		if (fs) {
			snprintf(fs->path, sizeof(fs->path), "%s", files[f].path);
			snprintf(fs->trace, sizeof(fs->trace), "%s", path);
			fs->records = files[f].nev;
			fs->bytes = bytes;
			fs->region = region;
			fs->used = call_method(used);
			sum->nfiles++;
		}
	}
	if (!sum->nfiles) {
		fprintf(stderr, "mapbench: record: the program made no recorded access to %s\n",
			o->file ? o->file : "any file of the minimum size");
		rc = -ENODATA;
	}

	/* what was not recorded */
	sum->other_reads = 0;
	for (unsigned c = 0; c < RC__COUNT; c++)
		if (c != RC_WRITE && c != RC_PWRITE)
			sum->other_reads += other[c];
	uint64_t seen_total = syscr_seen + internal;
	sum->unseen_reads = syscr_total > seen_total ? syscr_total - seen_total : 0;
	if (rep) {
		fprintf(rep, "not recorded:\n");
		fprintf(rep, "  %" PRIu64 " reads through an unrecorded fd (other files, pipes, sockets)\n", sum->other_reads);
		fprintf(rep, o->ptrace ? "  %" PRIu64 " read syscalls the tracer did not see (kernel syscr; sendfile, copy_file_range, splice)\n"
			: "  %" PRIu64 " read syscalls the interposer did not see (kernel syscr; stdio buffer refills, raw syscalls, static code)\n",
			sum->unseen_reads);
		static const char *const what[RK__COUNT] = {
			[RK_EMPTY] = "other calls on the file (stdio, writes) that returned 0 bytes or an error",
			[RK_LSEEK] = "lseek() calls on the file (positions followed, no record)",
			[RK_POS_QUERIES] = "position queries the recorder made (shared offsets)",
			[RK_MMAPS] = "mmap() of the file (without --map-order: present pages recorded at munmap/exit, 4 KiB each, address order)",
			[RK_MAPS_DROPPED] = "mappings beyond the interposer's table (pages NOT recorded)",
			[RK_MREMAPS] = "mremap() of a mapping (pages after the move NOT recorded)",
			[RK_FDS_BEYOND] = "calls on fds beyond the interposer's table (classified each time)",
			[RK_FILES_BEYOND] = "calls on files beyond the per-process file table (NOT recorded)",
			[RK_LOG_FULL] = "events beyond the log's size limit (NOT recorded)",
			[RK_INTERNAL_READS] = "read syscalls the interposer made itself",
			[RK_URING_FDS] = "io_uring instances open at exit (their reads NOT recorded)",
			[RK_STDIO_OTHER] = "stdio read calls on streams not recorded",
			[RK_EXEC_BARE] = "exec'd programs without the interposer in their environment (NOT recorded)",
			[RK_FOREIGN_ABI] = "syscalls of another ABI (i386, x32) the tracer does not decode (NOT recorded)",
			[RK_EMPTY_READS] = "read syscalls on the file that returned 0 bytes (end of file) or an error",
			[RK_POS_UNKNOWN] = "reads on the file whose position the tracer could not read (NOT recorded)",
			[RK_TOUCH_MAPS] = "mappings of the file whose pages were recorded at their first touch, in order (--map-order; later touches of a page NOT recorded)",
			[RK_TOUCH_LOST] = "mappings whose touch order stopped being recorded (mprotect failed, or the program changed or moved them): the rest sampled at munmap (address order)",
		};
		for (unsigned k = 0; k < RK__COUNT; k++)
			if (ctr[k])
				fprintf(rep, "  %" PRIu64 " %s\n", ctr[k], what[k]);
		if (sum->unknown_procs)
			fprintf(rep, "  %u process images left no end figures (killed, or exec'ed a static binary): their unseen reads are unknown\n",
				sum->unknown_procs);
	}
out:
	closedir(d);
	free(files);
	free(ev);
	return rc;
}

static uint64_t mono_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void rm_logs(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char p[PATH_MAX + 256];
	while (d && (de = readdir(d)))
		if (!strncmp(de->d_name, "ev.", 3)) {
			snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
			unlink(p);
		}
	if (d)
		closedir(d);
	rmdir(dir);
}

/* Run the program with the interposer preloaded, logs into dir; its wait status in *ws. */
static int run_preload(const struct record_opts *o, const char *dir, const char *idbuf, int *ws)
{
	char so[PATH_MAX], minbuf[32], pre[PATH_MAX + 64];
	int rc;

	if (o->so)
		snprintf(so, sizeof(so), "%s", o->so);
	else if ((rc = record_find_so(so, sizeof(so)))) {
		fprintf(stderr, "mapbench: record: the interposer %s: %s (set MAPBENCH_RECORD_SO)\n", so, strerror(-rc));
		return rc;
	}
	const char *old = getenv("LD_PRELOAD");
	if (old && *old)
		snprintf(pre, sizeof(pre), "%s:%s", so, old);
	else
		snprintf(pre, sizeof(pre), "%s", so);
	snprintf(minbuf, sizeof(minbuf), "%" PRIu64, o->min_size);

	pid_t pid = fork();
	if (pid < 0) {
		rc = -errno;
		fprintf(stderr, "mapbench: record: fork: %s\n", strerror(-rc));
		return rc;
	}
	if (pid == 0) {
		setenv("LD_PRELOAD", pre, 1);
		setenv(RECLOG_ENV_DIR, dir, 1);
		if (o->map_order)
			setenv(RECLOG_ENV_MAP_ORDER, "1", 1);
		if (o->file)
			setenv(RECLOG_ENV_FILE, idbuf, 1);
		else
			setenv(RECLOG_ENV_MIN_SIZE, minbuf, 1);
		execvp(o->argv[0], o->argv);
		fprintf(stderr, "mapbench: record: exec %s: %s\n", o->argv[0], strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, ws, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

int record_run(const struct record_opts *o, struct record_sum *sum, FILE *rep)
{
	char dir[PATH_MAX], idbuf[64];
	struct stat st;
	int rc, ws = 0;

	memset(sum, 0, sizeof(*sum));
	if (o->file) {
		if (stat(o->file, &st)) {
			rc = -errno;
			fprintf(stderr, "mapbench: record: stat %s: %s\n", o->file, strerror(-rc));
			return rc;
		}
		snprintf(idbuf, sizeof(idbuf), "%llu:%llu", (unsigned long long)st.st_dev, (unsigned long long)st.st_ino);
	}
	if (o->log_dir) {
		snprintf(dir, sizeof(dir), "%s", o->log_dir);
		if (mkdir(dir, 0700) && errno != EEXIST) {
			rc = -errno;
			fprintf(stderr, "mapbench: record: mkdir %s: %s\n", dir, strerror(-rc));
			return rc;
		}
	} else {
		const char *t = getenv("TMPDIR");
		snprintf(dir, sizeof(dir), "%s/mapbench-record.XXXXXX", t ? t : "/tmp");
		if (!mkdtemp(dir)) {
			rc = -errno;
			fprintf(stderr, "mapbench: record: mkdtemp %s: %s\n", dir, strerror(-rc));
			return rc;
		}
	}
	uint64_t t0 = mono_ns();
	rc = o->ptrace ? record_ptrace(o, dir, o->file ? &st : NULL, &ws) : run_preload(o, dir, idbuf, &ws);
	sum->wall_ns = mono_ns() - t0;
	sum->status = ws;
	if (rc)
		goto out;
	if (rep)
		fprintf(rep, "program %s: %s %d, %.3f s under %s\n", o->argv[0],
			WIFEXITED(ws) ? "exit" : "signal", WIFEXITED(ws) ? WEXITSTATUS(ws) : WTERMSIG(ws),
			(double)sum->wall_ns / 1e9, o->ptrace ? "ptrace" : "the interposer");
	rc = record_merge(o, dir, sum, rep);
out:
	if (!o->log_dir)
		rm_logs(dir);
	return rc;
}
