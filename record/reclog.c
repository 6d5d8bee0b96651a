/*
 * record/reclog.c — writing one process image's event log (record/reclog.h),
 * shared by the two recorders: the LD_PRELOAD interposer (record/interpose.c,
 * which writes its own process's log) and the ptrace tracer (record/ptrace.c,
 * which writes one log per traced process image).
 *
 * Only raw syscalls touch files here (openat, read, pread64, close), so the
 * interposer's wrappers never see its own bookkeeping; the caller counts
 * those reads (RK_INTERNAL_READS) when they are the recorded process's own.
 *
 * Invariants: hdr.nev is stored after the event's bytes (release); no event
 * is written past RECLOG_MAX_BYTES (counted RK_LOG_FULL instead).
 */
#include "record/reclog.h"
#include "traces/trace.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

uint64_t reclog_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void reclog_proc_io(const char *path, uint64_t *syscr, uint64_t *rchar)
{
	char buf[512];
	long fd = syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
	long n;

	*syscr = *rchar = RECLOG_SYSCR_UNKNOWN;
	if (fd < 0)
		return;
	n = syscall(SYS_read, fd, buf, sizeof(buf) - 1);
	syscall(SYS_close, fd);
	if (n <= 0)
		return;
	buf[n] = 0;
	char *p = strstr(buf, "rchar: "), *q = strstr(buf, "syscr: ");
	if (p && q) {
		*rchar = strtoull(p + 7, NULL, 10);
		*syscr = strtoull(q + 7, NULL, 10);
	}
}

int reclog_open(struct reclog_w *w, const char *dir, int pid)
{
	char path[1200];
	void *m;
	int fd = -1, rc;

	for (unsigned n = 0; n < 1000 && fd < 0; n++) {
		snprintf(path, sizeof(path), "%s/ev.%d.%u", dir, pid, n);
		fd = (int)syscall(SYS_openat, AT_FDCWD, path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0 || ftruncate(fd, RECLOG_CHUNK)) {
		rc = -errno;
		dprintf(2, "mapbench-record: cannot create a log in %s: %s; process %d is not recorded\n",
			dir, strerror(-rc), pid);
		if (fd >= 0)
			syscall(SYS_close, fd);
		return rc;
	}
	m = mmap(NULL, RECLOG_MAX_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, fd, 0);
	if (m == MAP_FAILED) {
		rc = -errno;
		dprintf(2, "mapbench-record: cannot map the log %s (%llu bytes reserved): %s\n", path,
			(unsigned long long)RECLOG_MAX_BYTES, strerror(-rc));
		syscall(SYS_close, fd);
		return rc;
	}
	w->fd = fd;
	w->hdr = m;
	w->size = RECLOG_CHUNK;
	w->hdr->magic = RECLOG_MAGIC;
	w->hdr->version = RECLOG_VERSION;
	w->hdr->pid = (uint32_t)pid;
	w->hdr->syscr1 = w->hdr->rchar1 = RECLOG_SYSCR_UNKNOWN;
	w->hdr->t0_ns = reclog_now_ns();
	return 0;
}

void reclog_close(struct reclog_w *w)
{
	if (!w->hdr)
		return;
	munmap(w->hdr, RECLOG_MAX_BYTES);
	syscall(SYS_close, w->fd);
	w->hdr = NULL;
	w->fd = -1;
}

void reclog_emit(struct reclog_w *w, uint8_t file, uint8_t call, uint8_t op, uint64_t off, uint64_t len)
{
	struct reclog_hdr *h = w->hdr;
	uint64_t at = RECLOG_HDR_BYTES + h->nev * sizeof(struct reclog_ev);

	h->seen[call]++;
	h->seen_bytes[call] += len;
	while (len) {
		uint32_t l = len > TRACE_MAX_LEN ? TRACE_MAX_LEN : (uint32_t)len;
		if (at + sizeof(struct reclog_ev) > w->size) {
			if (w->size + RECLOG_CHUNK > RECLOG_MAX_BYTES || ftruncate(w->fd, (off_t)(w->size + RECLOG_CHUNK))) {
				h->ctr[RK_LOG_FULL]++;
				return;
			}
			w->size += RECLOG_CHUNK;
		}
		struct reclog_ev *e = (struct reclog_ev *)((char *)h + at);
		*e = (struct reclog_ev){ reclog_now_ns(), off, l, file, call, op, 0 };
		__atomic_store_n(&h->nev, h->nev + 1, __ATOMIC_RELEASE);
		at += sizeof(*e);
		off += l;
		len -= l;
	}
}

int reclog_file_index(struct reclog_w *w, uint64_t dev, uint64_t ino, uint64_t size, const char *path)
{
	struct reclog_hdr *h = w->hdr;

	for (uint32_t i = 0; i < h->nfiles; i++)
		if (h->files[i].dev == dev && h->files[i].ino == ino)
			return (int)i;
	if (h->nfiles == RECLOG_MAX_FILES)
		return -1;
	struct reclog_file *f = &h->files[h->nfiles];
	f->dev = dev;
	f->ino = ino;
	f->size = size;
	snprintf(f->path, RECLOG_PATH_MAX, "%s", path);
	return (int)h->nfiles++;
}

uint64_t reclog_sample(struct reclog_w *w, int pagemap, uint8_t file, uintptr_t map_addr, uint64_t map_off,
		       uintptr_t a, size_t len)
{
	uint64_t ent[512], reads = 0;

	for (uintptr_t p = a; p < a + len;) {
		size_t n = (a + len - p) / 4096;
		n = n > 512 ? 512 : n ? n : 1;
		long r = syscall(SYS_pread64, pagemap, ent, n * 8, (off_t)(p / 4096 * 8));
		reads++;
		if (r <= 0)
			break;
		for (long i = 0; i < r / 8; i++)
			if (ent[i] >> 63) /* present */
				reclog_emit(w, file, RC_MMAP_PAGE, TRACE_OP_READ,
					    map_off + (p + (uintptr_t)i * 4096 - map_addr), 4096);
		p += (uintptr_t)(r / 8) * 4096;
	}
	return reads;
}

uint64_t reclog_maps_unmap(struct reclog_w *w, int pagemap, struct reclog_map *maps, unsigned *n,
			   uintptr_t a, size_t len)
{
	uint64_t reads = 0;

	for (unsigned i = 0; i < *n;) {
		struct reclog_map *m = &maps[i];
		uintptr_t lo = a > m->addr ? a : m->addr, hi = a + len < m->addr + m->len ? a + len : m->addr + m->len;
		if (lo >= hi) {
			i++;
			continue;
		}
		if (pagemap >= 0 && !m->tracked) /* a tracked mapping's touches are events already */
			reads += reclog_sample(w, pagemap, m->file, m->addr, m->off, lo, hi - lo);
		if (lo == m->addr && hi == m->addr + m->len)
			*m = maps[--*n];
		else
			i++;
	}
	return reads;
}

uint64_t reclog_uring_fds(const char *fd_dir)
{
	DIR *d = opendir(fd_dir);
	struct dirent *e;
	char p[1200], l[64];
	uint64_t n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		snprintf(p, sizeof(p), "%s/%s", fd_dir, e->d_name);
		ssize_t k = readlink(p, l, sizeof(l) - 1);
		if (k > 0) {
			l[k] = 0;
			n += strstr(l, "io_uring") != NULL;
		}
	}
	closedir(d);
	return n;
}
