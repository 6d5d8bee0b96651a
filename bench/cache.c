/*
 * bench/cache.c — data files and page-cache states (see cache.h).
 *
 * States, each established right before a repetition (this host's DAMON
 * scheme evicts page cache idle for ~60 s, so a state set once goes stale):
 *   cold        fdatasync + POSIX_FADV_DONTNEED (+ drop_caches if asked, root)
 *   warm-read   cold, then read() of the whole file in cache_req requests
 *   warm-write  cold, then pwrite() of the whole file (same pattern) in
 *               cache_req writes, then fdatasync (clean but cached)
 *   tmpfs       the file lives in /dev/shm/mapbench-<uid> (a tmpfs mount; we
 *               never mount one); rewritten in place with cache_req writes
 *               (its pages, and so their physical order, stay); truncated
 *               first only to get pages in ascending frames (cache_establish)
 * Residency: cachestat(2) (syscall 451, Linux 6.5+), else mmap + mincore.
 */
#include "bench/cache.h"
#include "bench/acc.h"
#include "common/mb.h"
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <xxhash.h>

#ifndef TMPFS_MAGIC
#define TMPFS_MAGIC 0x01021994
#endif
#ifndef __NR_cachestat
#define __NR_cachestat 451 /* same number on every architecture */
#endif

/* uapi <linux/mman.h> (6.5); defined here because older headers lack them */
struct mb_cachestat_range {
	uint64_t off; /* start byte */
	uint64_t len; /* bytes, 0 = to the end of the file */
};
struct mb_cachestat {
	uint64_t nr_cache;            /* pages in the page cache */
	uint64_t nr_dirty;            /* dirty pages */
	uint64_t nr_writeback;        /* pages under writeback */
	uint64_t nr_evicted;          /* pages evicted */
	uint64_t nr_recently_evicted; /* pages evicted recently (workingset) */
};

#define PAGE 4096u
#define FILL_CHUNK_MAX (64u << 20) /* pattern buffer bound for big write sizes */

const char *cache_default_dir(void)
{
	const char *e = getenv("MAPBENCH_SCRATCH");

	return e && *e ? e : MAPBENCH_BUILD_ROOT "/scratch";
}

int cache_tmpfs_dir(char *buf, size_t len, char *err, size_t errlen)
{
	struct statfs sf;

	if (statfs("/dev/shm", &sf) || (unsigned long)sf.f_type != TMPFS_MAGIC) {
		snprintf(err, errlen, "cache state tmpfs: /dev/shm is not a tmpfs mount");
		return -ENOTSUP;
	}
	snprintf(buf, len, "/dev/shm/mapbench-%u", (unsigned)getuid());
	if (mkdir(buf, 0700) && errno != EEXIST) {
		snprintf(err, errlen, "mkdir %s: %s", buf, strerror(errno));
		return -errno;
	}
	return 0;
}

/* Write the pattern over [0, size) of fd in `req`-byte pwrites; hash it if h. */
static int write_pattern(int fd, uint64_t size, uint64_t req, XXH64_state_t *h,
			 const char *path, char *err, size_t errlen)
{
	size_t chunk = req < FILL_CHUNK_MAX ? (size_t)req : FILL_CHUNK_MAX;
	unsigned char *buf = malloc(chunk);
	uint64_t off = 0;

	if (!buf) {
		snprintf(err, errlen, "pattern buffer of %zu bytes: out of memory", chunk);
		return -ENOMEM;
	}
	while (off < size) {
		size_t n = size - off < chunk ? (size_t)(size - off) : chunk;
		size_t done = 0;

		acc_pattern_fill(buf, off, n);
		if (h)
			XXH64_update(h, buf, n);
		while (done < n) {
			ssize_t k = pwrite(fd, buf + done, n - done, (off_t)(off + done));
			if (k < 0 && errno == EINTR)
				continue;
			if (k <= 0) {
				int e = k < 0 ? errno : EIO;
				snprintf(err, errlen, "pwrite %s at %llu: %s", path,
					 (unsigned long long)(off + done), strerror(e));
				free(buf);
				return -e;
			}
			done += (size_t)k;
		}
		off += n;
	}
	free(buf);
	return 0;
}

static int sidecar_write(struct cache_file *f)
{
	struct stat st;
	char text[256];

	if (stat(f->path, &st))
		return -errno;
	snprintf(text, sizeof(text),
		 "mapbench-data seed=%016llx size=%llu xxh64=%016llx ino=%llu mtime=%lld.%09ld\n",
		 (unsigned long long)ACC_PATTERN_SEED, (unsigned long long)f->size,
		 (unsigned long long)f->hash, (unsigned long long)st.st_ino,
		 (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	return mb_write_atomic(f->meta, text, strlen(text));
}

/* 1 if the sidecar describes this pattern and size and the file is unchanged since. */
static int sidecar_valid(struct cache_file *f)
{
	unsigned long long seed, size, hash, ino;
	long long sec;
	long nsec;
	struct stat st;
	FILE *m = fopen(f->meta, "re");
	int ok = 0;

	if (!m)
		return 0;
	if (fscanf(m, "mapbench-data seed=%llx size=%llu xxh64=%llx ino=%llu mtime=%lld.%ld",
		   &seed, &size, &hash, &ino, &sec, &nsec) == 6 &&
	    !stat(f->path, &st) && seed == ACC_PATTERN_SEED && size == f->size &&
	    (uint64_t)st.st_size == f->size && ino == (unsigned long long)st.st_ino &&
	    sec == (long long)st.st_mtim.tv_sec && nsec == st.st_mtim.tv_nsec) {
		f->hash = hash;
		ok = 1;
	}
	fclose(m);
	return ok;
}

/* Write a fresh file at f->path: temp + fsync + rename, then the sidecar. */
static int create_file(struct cache_file *f, uint64_t req, char *err, size_t errlen)
{
	char *tmp = f->tmp;
	XXH64_state_t *h = XXH64_createState();
	int fd, e;

	if (!h)
		return -ENOMEM;
	XXH64_reset(h, 0);
	snprintf(tmp, sizeof(f->tmp), "%.4000s.tmp%d", f->path, (int)getpid());
	fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		e = errno;
		snprintf(err, errlen, "create %s: %s", tmp, strerror(e));
		XXH64_freeState(h);
		return -e;
	}
	e = write_pattern(fd, f->size, req ? req : MB_MiB, h, tmp, err, errlen);
	if (!e && fsync(fd)) {
		e = -errno;
		snprintf(err, errlen, "fsync %s: %s", tmp, strerror(errno));
	}
	close(fd);
	f->hash = XXH64_digest(h);
	XXH64_freeState(h);
	if (!e && rename(tmp, f->path)) {
		e = -errno;
		snprintf(err, errlen, "rename %s: %s", tmp, strerror(errno));
	}
	if (e)
		unlink(tmp);
	tmp[0] = 0; /* renamed or removed: nothing for the signal handler */
	if (e)
		return e;
	if ((e = sidecar_write(f))) {
		snprintf(err, errlen, "write sidecar %s: %s", f->meta, strerror(-e));
		return e;
	}
	return 0;
}

/*
 * Scratch files to remove if the run is killed (SIGINT, SIGTERM, SIGHUP):
 * the data file being used (unless kept), its sidecar and its lock file. The
 * handler only calls unlink (async-signal-safe), then re-raises the signal.
 */
static struct cache_file *volatile doomed;

static void on_fatal_signal(int sig)
{
	struct cache_file *f = doomed;

	if (f) {
		if (!f->keep) {
			unlink(f->path);
			unlink(f->meta);
		}
		unlink(f->lock);
		if (f->tmp[0])
			unlink(f->tmp);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static void guard(struct cache_file *f)
{
	static int installed;
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };

	doomed = f;
	if (installed || !f)
		return;
	installed = 1;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct sigaction sa, old;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_fatal_signal;
		sigemptyset(&sa.sa_mask);
		/* leave a caller's own handler (or an ignored signal) alone */
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_DFL)
			sigaction(sigs[i], &sa, NULL);
	}
}

int cache_file_prepare(struct cache_file *f, const char *dir, uint64_t size, int tmpfs,
		       int keep, uint64_t req, char *err, size_t errlen)
{
	char d[PATH_MAX];
	int e;

	memset(f, 0, sizeof(*f));
	f->size = size;
	f->keep = keep;
	f->on_tmpfs = tmpfs;
	if (tmpfs) {
		if ((e = cache_tmpfs_dir(d, sizeof(d), err, errlen)))
			return e;
	} else {
		snprintf(d, sizeof(d), "%s", dir ? dir : cache_default_dir());
		if ((e = mb_mkdir_p(d))) {
			snprintf(err, errlen, "scratch directory %s: %s", d, strerror(-e));
			return e;
		}
	}
	if (strlen(d) > sizeof(f->path) - 64) {
		snprintf(err, errlen, "scratch directory path of %zu bytes: longer than %zu",
			 strlen(d), sizeof(f->path) - 64);
		return -ENAMETOOLONG;
	}
	snprintf(f->path, sizeof(f->path), "%.4000s/data-%llu.v1", d, (unsigned long long)size);
	snprintf(f->meta, sizeof(f->meta), "%.4000s.meta", f->path);
	if (size == 0) {
		snprintf(err, errlen, "data file size 0: a file region needs at least 1 byte");
		return -EINVAL;
	}
	/*
	 * Runs sharing a scratch directory would drop, rewrite or remove each
	 * other's data file (and perturb each other's cache state): one run at a
	 * time per data file, serialised by flock on "<path>.lock". The holder
	 * removes the lock file at release, so a waiter that wakes on a removed
	 * lock file (its inode no longer at the path) opens it afresh and retries.
	 */
	snprintf(f->lock, sizeof(f->lock), "%.4000s.lock", f->path);
	for (;;) {
		struct stat a, b;
		f->lockfd = open(f->lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
		if (f->lockfd >= 0 && flock(f->lockfd, LOCK_EX | LOCK_NB) && errno == EWOULDBLOCK)
			fprintf(stderr, "mapbench: run: waiting for %s: another mapbench run uses this data file\n",
				f->lock);
		if (f->lockfd < 0 || flock(f->lockfd, LOCK_EX) || fstat(f->lockfd, &a)) {
			e = -errno;
			snprintf(err, errlen, "lock %s: %s", f->lock, strerror(-e));
			if (f->lockfd >= 0)
				close(f->lockfd);
			f->lockfd = -1;
			return e;
		}
		if (!stat(f->lock, &b) && a.st_ino == b.st_ino && a.st_dev == b.st_dev) {
			guard(f);
			break;
		}
		close(f->lockfd); /* removed by the previous holder: take the new one */
	}
	if (!tmpfs && sidecar_valid(f)) {
		f->reused = 1;
		return 0;
	}
	if ((e = create_file(f, req, err, errlen))) {
		close(f->lockfd);
		f->lockfd = -1;
	}
	return e;
}

void cache_file_release(struct cache_file *f)
{
	if (doomed == f)
		guard(NULL);
	if (f->path[0] && !f->keep) {
		unlink(f->path);
		unlink(f->meta);
	}
	f->path[0] = 0;
	if (f->lockfd > 0) {
		unlink(f->lock); /* while holding it: see cache_file_prepare */
		close(f->lockfd); /* releases the flock */
	}
	f->lockfd = -1;
}

int cache_resident(const char *path, uint64_t size, double *frac, const char **how)
{
	uint64_t pages = (size + PAGE - 1) / PAGE;
	struct mb_cachestat_range r = { 0, 0 };
	struct mb_cachestat cs;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (pages == 0) {
		close(fd);
		*frac = 1.0;
		*how = "empty";
		return 0;
	}
	if (syscall(__NR_cachestat, fd, &r, &cs, 0) == 0) {
		*frac = (double)cs.nr_cache / (double)pages;
		*how = "cachestat";
	} else {
		void *p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
		unsigned char *vec = p == MAP_FAILED ? NULL : malloc(pages);
		uint64_t in = 0;

		if (!vec || mincore(p, size, vec)) {
			int e = errno ? errno : ENOMEM;
			free(vec);
			if (p != MAP_FAILED)
				munmap(p, size);
			close(fd);
			return -e;
		}
		for (uint64_t i = 0; i < pages; i++)
			in += vec[i] & 1;
		free(vec);
		munmap(p, size);
		*frac = (double)in / (double)pages;
		*how = "mincore";
	}
	close(fd);
	if (*frac > 1.0)
		*frac = 1.0;
	return 0;
}

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22 /* uapi <asm-generic/mman-common.h>, Linux 5.14 */
#endif

long cache_pagemap(const void *addr, size_t pages, uint64_t *pfn)
{
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	uint64_t *e;
	long n = 0;

	if (fd < 0)
		return -errno;
	e = malloc(pages * 8);
	if (!e || pread(fd, e, pages * 8, (off_t)((uintptr_t)addr / PAGE * 8)) != (ssize_t)(pages * 8)) {
		free(e);
		close(fd);
		return -EIO;
	}
	for (size_t i = 0; i < pages; i++) {
		if (e[i] >> 63)
			n++;
		if (pfn)
			pfn[i] = (e[i] >> 63) ? (e[i] & ((UINT64_C(1) << 55) - 1)) : 0;
	}
	free(e);
	close(fd);
	return n;
}

int cache_layout(const char *path, uint64_t size, double *asc, double *desc, char *why, size_t len)
{
	uint64_t pages = size / PAGE, up = 0, down = 0, pairs = 0, frames = 0;
	uint64_t *pfn = NULL;
	void *p = MAP_FAILED;
	int fd = -1, e = 0;
	long n = 0;

	*asc = *desc = -1;
	if (pages < 2) {
		snprintf(why, len, "the file has fewer than 2 pages");
		return -EINVAL;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 ||
	    (p = mmap(NULL, pages * PAGE, PROT_READ, MAP_SHARED, fd, 0)) == MAP_FAILED) {
		e = -errno;
		snprintf(why, len, "%s %s: %s", fd < 0 ? "open" : "mmap", path, strerror(errno));
		goto out;
	}
	/* VM_RAND_READ: no readahead, and unmapping marks nothing accessed (vma_has_recency) */
	if (madvise(p, pages * PAGE, MADV_RANDOM) || madvise(p, pages * PAGE, MADV_POPULATE_READ)) {
		e = -errno;
		snprintf(why, len, "madvise(MADV_POPULATE_READ) of %s: %s (Linux 5.14+)", path, strerror(errno));
		goto out;
	}
	if (!(pfn = malloc(pages * sizeof(*pfn))) || (n = cache_pagemap(p, pages, pfn)) < 0) {
		e = pfn ? (int)n : -ENOMEM;
		snprintf(why, len, "/proc/self/pagemap: %s", strerror(-e));
		goto out;
	}
	for (uint64_t i = 0; i < pages; i++) {
		frames += pfn[i] != 0;
		if (i && pfn[i] && pfn[i - 1]) {
			pairs++;
			up += pfn[i] == pfn[i - 1] + 1;
			down += pfn[i] + 1 == pfn[i - 1];
		}
	}
	if (n > 0 && !frames) {
		e = -EPERM;
		snprintf(why, len, "pagemap shows no frame numbers without CAP_SYS_ADMIN (root)");
	} else if (!pairs) {
		e = -ENODATA;
		snprintf(why, len, "no two consecutive pages of %s were mapped", path);
	} else {
		*asc = (double)up / (double)pairs;
		*desc = (double)down / (double)pairs;
	}
out:
	free(pfn);
	if (p != MAP_FAILED)
		munmap(p, pages * PAGE);
	if (fd >= 0)
		close(fd);
	return e;
}

/* fdatasync + FADV_DONTNEED (+ drop_caches). */
static int drop(struct cache_file *f, int fd, int dropc, struct cache_report *rep,
		char *err, size_t errlen)
{
	if (fdatasync(fd)) {
		snprintf(err, errlen, "fdatasync %s: %s", f->path, strerror(errno));
		return -errno;
	}
	int e = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	if (e) {
		snprintf(err, errlen, "posix_fadvise(DONTNEED) %s: %s", f->path, strerror(e));
		return -e;
	}
	if (dropc) {
		int d = open("/proc/sys/vm/drop_caches", O_WRONLY | O_CLOEXEC);
		if (d < 0 || write(d, "1\n", 2) != 2) {
			e = errno;
			if (d >= 0)
				close(d);
			snprintf(err, errlen, "write 1 to /proc/sys/vm/drop_caches: %s (needs root)",
				 strerror(e));
			return -e;
		}
		close(d);
		rep->dropped_caches = 1;
	}
	return 0;
}

static int establish_once(struct cache_file *f, const struct an_case_opts *o, int dropc,
			  struct cache_report *rep, char *err, size_t errlen)
{
	uint64_t t0 = mb_now_ns();
	uint64_t req = o->cache_req ? o->cache_req : MB_MiB;
	int fd, e = 0;

	memset(rep, 0, sizeof(*rep));
	fd = open(f->path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		snprintf(err, errlen, "open %s: %s", f->path, strerror(e));
		return -e;
	}
	switch (o->cache) {
	case AN_CACHE_COLD:
		e = drop(f, fd, dropc, rep, err, errlen);
		break;
	case AN_CACHE_WARM_READ: {
		size_t chunk = (size_t)req;
		unsigned char *buf;
		if ((e = drop(f, fd, dropc, rep, err, errlen)))
			break;
		buf = malloc(chunk);
		if (!buf) {
			snprintf(err, errlen, "warm-read buffer of %zu bytes: out of memory", chunk);
			e = -ENOMEM;
			break;
		}
		for (;;) {
			ssize_t k = read(fd, buf, chunk);
			if (k < 0 && errno == EINTR)
				continue;
			if (k < 0) {
				e = -errno;
				snprintf(err, errlen, "warm-read %s: %s", f->path, strerror(errno));
			}
			if (k <= 0)
				break;
		}
		free(buf);
		break;
	}
	case AN_CACHE_WARM_WRITE:
		if ((e = drop(f, fd, dropc, rep, err, errlen)))
			break;
		if ((e = write_pattern(fd, f->size, req, NULL, f->path, err, errlen)))
			break;
		if (fdatasync(fd)) {
			e = -errno;
			snprintf(err, errlen, "fdatasync %s: %s", f->path, strerror(errno));
			break;
		}
		sidecar_write(f); /* same content, new mtime: keep the file reusable */
		break;
	case AN_CACHE_TMPFS:
		if (f->relayout && ftruncate(fd, 0)) {
			e = -errno;
			snprintf(err, errlen, "truncate %s: %s", f->path, strerror(errno));
			break;
		}
		e = write_pattern(fd, f->size, req, NULL, f->path, err, errlen);
		break;
	default:
		snprintf(err, errlen, "cache state %s has no data file", an_cache_name(o->cache));
		e = -EINVAL;
	}
	close(fd);
	if (e)
		return e;
	if ((e = cache_resident(f->path, f->size, &rep->resident, &rep->how))) {
		snprintf(err, errlen, "residency of %s (cachestat and mincore): %s", f->path,
			 strerror(-e));
		return e;
	}
	rep->ns = mb_now_ns() - t0;
	if (o->cache == AN_CACHE_COLD && rep->resident > CACHE_COLD_MAX) {
		snprintf(err, errlen, "cache state cold not reached: %.2f%% of %s resident (limit %.0f%%)",
			 rep->resident * 100, f->path, CACHE_COLD_MAX * 100);
		return -EAGAIN;
	}
	if (o->cache != AN_CACHE_COLD && rep->resident < CACHE_WARM_MIN) {
		snprintf(err, errlen,
			 "cache state %s not reached: only %.2f%% of %s resident (need %.0f%%); "
			 "memory pressure or an eviction policy (DAMON) is removing it",
			 an_cache_name(o->cache), rep->resident * 100, f->path, CACHE_WARM_MIN * 100);
		return -EAGAIN;
	}
	return 0;
}

/*
 * The state, then the physical order of its cached pages (cache_layout). A
 * warm or tmpfs state whose pages came out mostly in descending frames is
 * established again, up to CACHE_LAYOUT_TRIES times in all: on tmpfs,
 * truncating frees the pages in file order onto the per-CPU free lists,
 * which hand them out last-freed first, so each rewrite reverses the order of
 * the one before (mostly: what overflows them comes back in buddy order),
 * hence the state rewrites its pages in place after that. Sequential copies
 * from descending frames are slower (AMD EPYC Zen 4 guest: 4 KiB preads
 * through a 64 MiB tmpfs file took 11.6 ms in ascending frames, 17.0 ms in
 * descending, alternating rewrite by rewrite). The model prices one copy
 * cost; calibrate's probe file gets whatever frames it gets (not checked).
 */
int cache_establish(struct cache_file *f, const struct an_case_opts *o, int dropc,
		    struct cache_report *rep, char *err, size_t errlen)
{
	uint64_t ns = 0;

	for (int t = 1;; t++) {
		int e;
		f->relayout = t > 1; /* tmpfs: new pages only to change their order */
		e = establish_once(f, o, dropc, rep, err, errlen);
		ns += rep->ns;
		rep->ns = ns;
		rep->layout_tries = t;
		rep->ascending = rep->descending = -1;
		if (e)
			return e;
		if (o->cache == AN_CACHE_COLD) {
			snprintf(rep->layout_why, sizeof(rep->layout_why), "cold: no cached pages");
			return 0;
		}
		uint64_t t0 = mb_now_ns();
		int le = cache_layout(f->path, f->size, &rep->ascending, &rep->descending, rep->layout_why,
				      sizeof(rep->layout_why));
		ns += mb_now_ns() - t0; /* the layout check is part of establishing */
		rep->ns = ns;
		if (le || rep->descending <= rep->ascending || t >= CACHE_LAYOUT_TRIES)
			return 0;
	}
}
