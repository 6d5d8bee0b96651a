/*
 * record/interpose.c — the LD_PRELOAD interposer of `mapbench record`
 * (libmapbench_record.so). It wraps the libc entry points through which a
 * dynamically linked program reads a file — read, pread64, readv, preadv,
 * preadv2, write, pwrite64, lseek, the stdio readers (fread, fgets, getline,
 * getdelim, fgetc, getc and their _unlocked/_chk forms), mmap/munmap — and
 * appends one event per call on a recorded file to this process's log
 * (record/reclog.h). Everything it does not record is counted in the log's
 * header, so `mapbench record` can report it; nothing is dropped silently.
 *
 * Recorded files: an fd is classified on its first use by fstat (regular
 * file matching RECLOG_ENV_FILE's dev:ino, or of RECLOG_ENV_MIN_SIZE bytes
 * or more), and the class cached per fd until close/dup2/dup3/close_range/
 * fclose. read() offsets come from the interposer's own copy of the file
 * position; after a dup or fork (the position may be shared) it asks the
 * kernel (lseek SEEK_CUR) before each read instead. Stdio reads are recorded
 * at ftello() before the call, for the bytes the position advanced.
 * Mapped regions: at munmap and at exit, /proc/self/pagemap says which pages
 * of a recorded mapping are present; each becomes a 4 KiB record, in address
 * order (order of touches and fault-around's extra pages are not visible).
 * Unseen work: /proc/self/io's syscr at start and end against the read
 * syscalls seen gives the reads the interposer missed (raw syscalls, static
 * code, stdio's internal refills).
 *
 * Invariants: inert when RECLOG_ENV_DIR is unset; no call's result or errno
 * is changed; the log is touched only under the lock.
 */
/* Both the plain and the 64 names are defined below: no redirection of one onto the other. */
#undef _FILE_OFFSET_BITS
#include "record/reclog.h"
#include "traces/trace.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <sys/resource.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

/* glibc may define these as macros at -O2 (bits/stdio.h); the wrappers need the names. */
#undef fread_unlocked
#undef fgetc_unlocked
#undef getc_unlocked
#undef getc

#define EXPORT __attribute__((visibility("default")))
#define FD_TABLE 65536       /* fds classified once; above: every call */
#define MAX_MAPS 256         /* recorded mappings tracked at once */

enum fd_class { FD_UNKNOWN = 0, FD_OTHER, FD_REC };

/* What the interposer knows about one fd. */
struct fd_info {
	uint8_t cls;        /* enum fd_class */
	uint8_t file;       /* index into hdr->files when FD_REC */
	uint8_t pos_ok;     /* pos was taken from the kernel and kept up to date since */
	uint64_t pos;       /* file position as read()/lseek() left it */
};

static struct {
	int on;                      /* a log is open */
	struct reclog_w log;         /* this image's log (record/reclog.c) */
	struct reclog_hdr *hdr;      /* log.hdr */
	pthread_mutex_t lock;        /* guards hdr, events, fds, maps */
	uint64_t want_dev, want_ino; /* --file identity */
	int want_file;               /* 1: --file mode, 0: --min-size mode */
	int pos_shared;              /* a recorded fd was dup'ed or the process forked: positions
					may move behind the interposer's back, ask the kernel */
	uint64_t min_size;           /* --min-size */
	char dir[1024];              /* log directory */
	struct fd_info fds[FD_TABLE];
	struct reclog_map maps[MAX_MAPS];
	unsigned nmaps;
	pid_t pid;                   /* the process the log is this image's for: another pid is a
					vfork child running in this memory, which must not touch it */
	int map_order;               /* --map-order: protect recorded mappings, record first touches */
	int segv_on;                 /* our SIGSEGV handler is installed */
	struct sigaction segv_prog;  /* the program's SIGSEGV disposition, called for faults not ours */
} S = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* ---- the real functions ---------------------------------------------- */

#define REAL(ret, name, args) static ret (*real_##name) args
REAL(ssize_t, read, (int, void *, size_t));
REAL(ssize_t, pread64, (int, void *, size_t, off_t));
REAL(ssize_t, readv, (int, const struct iovec *, int));
REAL(ssize_t, preadv, (int, const struct iovec *, int, off_t));
REAL(ssize_t, preadv2, (int, const struct iovec *, int, off_t, int));
REAL(ssize_t, write, (int, const void *, size_t));
REAL(ssize_t, pwrite64, (int, const void *, size_t, off_t));
REAL(off_t, lseek, (int, off_t, int));
REAL(int, close, (int));
REAL(int, dup, (int));
REAL(int, dup2, (int, int));
REAL(int, dup3, (int, int, int));
REAL(int, fcntl, (int, int, ...));
REAL(int, close_range, (unsigned, unsigned, int));
REAL(int, fclose, (FILE *));
REAL(size_t, fread, (void *, size_t, size_t, FILE *));
REAL(size_t, fread_unlocked, (void *, size_t, size_t, FILE *));
REAL(char *, fgets, (char *, int, FILE *));
REAL(char *, fgets_unlocked, (char *, int, FILE *));
REAL(ssize_t, getdelim, (char **, size_t *, int, FILE *));
REAL(int, fgetc, (FILE *));
REAL(int, getc, (FILE *));
REAL(void *, mmap, (void *, size_t, int, int, int, off_t));
REAL(int, munmap, (void *, size_t));
REAL(void *, mremap, (void *, size_t, size_t, int, ...));
REAL(int, mprotect, (void *, size_t, int));
REAL(int, sigaction, (int, const struct sigaction *, struct sigaction *));
REAL(int, execve, (const char *, char *const[], char *const[]));
REAL(void, _exit, (int));

#define RESOLVE(name) (real_##name ? (void)0 : (void)(*(void **)&real_##name = dlsym(RTLD_NEXT, #name)))

/* ---- the log ------------------------------------------------------------ */

/* syscr and rchar of this process (raw syscalls: not seen by the wrappers); counts its own read. */
static void proc_io_self(uint64_t *syscr, uint64_t *rchar)
{
	reclog_proc_io("/proc/self/io", syscr, rchar);
	S.hdr->ctr[RK_INTERNAL_READS]++; /* the read of /proc/self/io counts after its own value */
}

/* Open this image's log; on failure the interposer stays inert (reclog_open said why). */
static void log_open(void)
{
	if (reclog_open(&S.log, S.dir, (int)getpid()))
		return;
	S.hdr = S.log.hdr;
	S.pid = getpid();
	proc_io_self(&S.hdr->syscr0, &S.hdr->rchar0);
	S.on = 1;
}

/* A vfork child (or posix_spawn's clone) runs in the parent's memory until it execs or exits. */
static int in_vfork_child(void)
{
	return S.on && getpid() != S.pid;
}

static void emit(uint8_t file, uint8_t call, uint8_t op, uint64_t off, uint64_t len)
{
	reclog_emit(&S.log, file, call, op, off, len);
}

/* ---- classification ----------------------------------------------------- */

/* Index of the recorded file with st, adding it; -1 when the table is full. */
static int file_index(int fd, const struct stat *st)
{
	char link[64], path[RECLOG_PATH_MAX];

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, path, sizeof(path) - 1);
	path[n > 0 ? n : 0] = 0;
	return reclog_file_index(&S.log, st->st_dev, st->st_ino, (uint64_t)st->st_size, path);
}

/* Classify fd (under the lock); fills *fi (a copy for fds beyond the table). */
static struct fd_info *classify(int fd, struct fd_info *tmp)
{
	struct fd_info *fi = fd >= 0 && fd < FD_TABLE ? &S.fds[fd] : tmp;
	struct stat st;

	if (fi == tmp) {
		memset(tmp, 0, sizeof(*tmp));
		S.hdr->ctr[RK_FDS_BEYOND]++;
	}
	if (fi->cls != FD_UNKNOWN)
		return fi;
	fi->cls = FD_OTHER;
	fi->pos_ok = 0;
	if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode))
		return fi;
	if (S.want_file ? (st.st_dev != S.want_dev || st.st_ino != S.want_ino)
			: (uint64_t)st.st_size < S.min_size)
		return fi;
	int k = file_index(fd, &st);
	if (k < 0) {
		S.hdr->ctr[RK_FILES_BEYOND]++;
		return fi;
	}
	fi->cls = FD_REC;
	fi->file = (uint8_t)k;
	return fi;
}

static void forget(int fd)
{
	if (fd >= 0 && fd < FD_TABLE)
		S.fds[fd].cls = FD_UNKNOWN;
}

/* The position of a recorded fd before a read() (under the lock). */
static uint64_t position(int fd, struct fd_info *fi)
{
	if (!fi->pos_ok || S.pos_shared) {
		RESOLVE(lseek);
		off_t p = real_lseek(fd, 0, SEEK_CUR);
		S.hdr->ctr[RK_POS_QUERIES]++;
		fi->pos = p < 0 ? 0 : (uint64_t)p;
		fi->pos_ok = fd >= 0 && fd < FD_TABLE;
	}
	return fi->pos;
}

/* Account one completed call on fd; pos is the offset it read at. */
static void note(struct fd_info *fi, uint8_t call, uint8_t op, uint64_t pos, ssize_t r)
{
	if (fi->cls != FD_REC) {
		S.hdr->other[call]++;
		S.hdr->other_bytes[call] += r > 0 ? (uint64_t)r : 0;
		return;
	}
	if (r <= 0) {
		S.hdr->ctr[RECLOG_CALL_IS_READ_SYSCALL(call) ? RK_EMPTY_READS : RK_EMPTY]++;
		return;
	}
	emit(fi->file, call, op, pos, (uint64_t)r);
}

/*
 * The common shape of the fd wrappers: lock, classify, take the position
 * (positional calls pass theirs), call, record, unlock; errno preserved.
 */
#define FD_CALL(fd, call, op, positional, at, expr, move)                                     \
	do {                                                                                 \
		if (!S.on)                                                                   \
			return (expr);                                                       \
		int saved;                                                                   \
		struct fd_info tmp, *fi;                                                     \
		pthread_mutex_lock(&S.lock);                                                 \
		fi = classify(fd, &tmp);                                                     \
		uint64_t pos = (positional) ? (uint64_t)(at)                                 \
			       : fi->cls == FD_REC ? position(fd, fi) : 0;                   \
		ssize_t r = (expr);                                                          \
		saved = errno;                                                               \
		note(fi, call, op, pos, r);                                                  \
		if ((move) && fi->cls == FD_REC && r > 0)                                    \
			fi->pos = pos + (uint64_t)r;                                         \
		pthread_mutex_unlock(&S.lock);                                               \
		errno = saved;                                                               \
		return r;                                                                    \
	} while (0)

EXPORT ssize_t read(int fd, void *buf, size_t n)
{
	RESOLVE(read);
	FD_CALL(fd, RC_READ, TRACE_OP_READ, 0, 0, real_read(fd, buf, n), 1);
}

EXPORT ssize_t __read_chk(int fd, void *buf, size_t n, size_t buflen)
{
	if (n > buflen)
		abort(); /* what glibc's __read_chk does (__chk_fail) */
	return read(fd, buf, n);
}

EXPORT ssize_t pread64(int fd, void *buf, size_t n, off_t off)
{
	RESOLVE(pread64);
	FD_CALL(fd, RC_PREAD, TRACE_OP_READ, 1, off, real_pread64(fd, buf, n, off), 0);
}

EXPORT ssize_t pread(int fd, void *buf, size_t n, off_t off)
{
	return pread64(fd, buf, n, off);
}

EXPORT ssize_t __pread64_chk(int fd, void *buf, size_t n, off_t off, size_t buflen)
{
	if (n > buflen)
		abort();
	return pread64(fd, buf, n, off);
}

EXPORT ssize_t __pread_chk(int fd, void *buf, size_t n, off_t off, size_t buflen)
{
	return __pread64_chk(fd, buf, n, off, buflen);
}

EXPORT ssize_t readv(int fd, const struct iovec *iov, int cnt)
{
	RESOLVE(readv);
	FD_CALL(fd, RC_READV, TRACE_OP_READ, 0, 0, real_readv(fd, iov, cnt), 1);
}

EXPORT ssize_t preadv(int fd, const struct iovec *iov, int cnt, off_t off)
{
	RESOLVE(preadv);
	FD_CALL(fd, RC_PREADV, TRACE_OP_READ, 1, off, real_preadv(fd, iov, cnt, off), 0);
}

EXPORT ssize_t preadv64(int fd, const struct iovec *iov, int cnt, off_t off)
{
	return preadv(fd, iov, cnt, off);
}

EXPORT ssize_t preadv2(int fd, const struct iovec *iov, int cnt, off_t off, int flags)
{
	RESOLVE(preadv2);
	if (off == -1) /* at the file position, like readv */
		FD_CALL(fd, RC_READV, TRACE_OP_READ, 0, 0, real_preadv2(fd, iov, cnt, off, flags), 1);
	FD_CALL(fd, RC_PREADV, TRACE_OP_READ, 1, off, real_preadv2(fd, iov, cnt, off, flags), 0);
}

EXPORT ssize_t preadv64v2(int fd, const struct iovec *iov, int cnt, off_t off, int flags)
{
	return preadv2(fd, iov, cnt, off, flags);
}

EXPORT ssize_t write(int fd, const void *buf, size_t n)
{
	RESOLVE(write);
	FD_CALL(fd, RC_WRITE, TRACE_OP_WRITE, 0, 0, real_write(fd, buf, n), 1);
}

EXPORT ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off)
{
	RESOLVE(pwrite64);
	FD_CALL(fd, RC_PWRITE, TRACE_OP_WRITE, 1, off, real_pwrite64(fd, buf, n, off), 0);
}

EXPORT ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
	return pwrite64(fd, buf, n, off);
}

EXPORT off_t lseek(int fd, off_t off, int whence)
{
	RESOLVE(lseek);
	if (!S.on)
		return real_lseek(fd, off, whence);
	struct fd_info tmp, *fi;
	pthread_mutex_lock(&S.lock);
	fi = classify(fd, &tmp);
	off_t r = real_lseek(fd, off, whence);
	int saved = errno;
	if (fi->cls == FD_REC) {
		S.hdr->ctr[RK_LSEEK]++;
		if (r >= 0 && fi != &tmp) {
			fi->pos = (uint64_t)r;
			fi->pos_ok = 1;
		}
	}
	pthread_mutex_unlock(&S.lock);
	errno = saved;
	return r;
}

EXPORT off_t lseek64(int fd, off_t off, int whence)
{
	return lseek(fd, off, whence);
}

/* ---- fd lifetime -------------------------------------------------------- */

EXPORT int close(int fd)
{
	RESOLVE(close);
	if (S.on) {
		pthread_mutex_lock(&S.lock);
		forget(fd);
		pthread_mutex_unlock(&S.lock);
	}
	return real_close(fd);
}

/* A tracked fd now shares its position with newfd: both ask the kernel from now on. */
static void shared_pos(int oldfd, int newfd)
{
	if (oldfd >= 0 && oldfd < FD_TABLE && S.fds[oldfd].cls == FD_REC)
		S.pos_shared = 1;
	forget(newfd);
}

EXPORT int dup(int fd)
{
	RESOLVE(dup);
	int r = real_dup(fd), saved = errno;
	if (S.on && r >= 0) {
		pthread_mutex_lock(&S.lock);
		shared_pos(fd, r);
		pthread_mutex_unlock(&S.lock);
	}
	errno = saved;
	return r;
}

EXPORT int dup2(int fd, int nfd)
{
	RESOLVE(dup2);
	int r = real_dup2(fd, nfd), saved = errno;
	if (S.on && r >= 0 && fd != nfd) {
		pthread_mutex_lock(&S.lock);
		shared_pos(fd, nfd);
		pthread_mutex_unlock(&S.lock);
	}
	errno = saved;
	return r;
}

EXPORT int dup3(int fd, int nfd, int flags)
{
	RESOLVE(dup3);
	int r = real_dup3(fd, nfd, flags), saved = errno;
	if (S.on && r >= 0) {
		pthread_mutex_lock(&S.lock);
		shared_pos(fd, nfd);
		pthread_mutex_unlock(&S.lock);
	}
	errno = saved;
	return r;
}

EXPORT int fcntl(int fd, int cmd, ...)
{
	va_list ap;
	void *arg;

	RESOLVE(fcntl);
	va_start(ap, cmd);
	arg = va_arg(ap, void *); /* every fcntl argument is passed in one register */
	va_end(ap);
	int r = real_fcntl(fd, cmd, arg), saved = errno;
	if (S.on && r >= 0 && (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC)) {
		pthread_mutex_lock(&S.lock);
		shared_pos(fd, r);
		pthread_mutex_unlock(&S.lock);
	}
	errno = saved;
	return r;
}

EXPORT int fcntl64(int fd, int cmd, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	return fcntl(fd, cmd, arg);
}

EXPORT int close_range(unsigned lo, unsigned hi, int flags)
{
	RESOLVE(close_range);
	if (S.on) {
		pthread_mutex_lock(&S.lock);
		for (unsigned long f = lo; f <= hi && f < FD_TABLE; f++)
			forget((int)f);
		pthread_mutex_unlock(&S.lock);
	}
	return real_close_range(lo, hi, flags);
}

/* ---- stdio -------------------------------------------------------------- */

/*
 * The common shape of the stdio wrappers: the record is the bytes the
 * stream's position advanced, at the position before the call.
 */
#define STDIO_CALL(fp, call, type, expr)                                                      \
	do {                                                                                 \
		if (!S.on)                                                                   \
			return (expr);                                                       \
		struct fd_info tmp, *fi;                                                     \
		int fd = fileno(fp);                                                         \
		pthread_mutex_lock(&S.lock);                                                 \
		fi = classify(fd, &tmp);                                                     \
		int rec = fi->cls == FD_REC;                                                 \
		uint8_t file = fi->file;                                                     \
		if (!rec)                                                                    \
			S.hdr->ctr[RK_STDIO_OTHER]++;                                        \
		pthread_mutex_unlock(&S.lock);                                               \
		if (!rec)                                                                    \
			return (expr);                                                       \
		off_t p0 = ftello(fp);                                                       \
		type r = (expr);                                                             \
		int saved = errno;                                                           \
		off_t p1 = ftello(fp);                                                       \
		pthread_mutex_lock(&S.lock);                                                 \
		if (p0 >= 0 && p1 > p0)                                                      \
			emit(file, call, TRACE_OP_READ, (uint64_t)p0, (uint64_t)(p1 - p0));  \
		else                                                                         \
			S.hdr->ctr[RK_EMPTY]++;                                              \
		pthread_mutex_unlock(&S.lock);                                               \
		errno = saved;                                                               \
		return r;                                                                    \
	} while (0)

EXPORT size_t fread(void *p, size_t sz, size_t n, FILE *fp)
{
	RESOLVE(fread);
	STDIO_CALL(fp, RC_FREAD, size_t, real_fread(p, sz, n, fp));
}

EXPORT size_t fread_unlocked(void *p, size_t sz, size_t n, FILE *fp)
{
	RESOLVE(fread_unlocked);
	STDIO_CALL(fp, RC_FREAD, size_t, real_fread_unlocked(p, sz, n, fp));
}

EXPORT size_t __fread_chk(void *p, size_t plen, size_t sz, size_t n, FILE *fp)
{
	if (sz && n > plen / sz)
		abort();
	return fread(p, sz, n, fp);
}

EXPORT size_t __fread_unlocked_chk(void *p, size_t plen, size_t sz, size_t n, FILE *fp)
{
	if (sz && n > plen / sz)
		abort();
	return fread_unlocked(p, sz, n, fp);
}

EXPORT char *fgets(char *s, int n, FILE *fp)
{
	RESOLVE(fgets);
	STDIO_CALL(fp, RC_FGETS, char *, real_fgets(s, n, fp));
}

EXPORT char *fgets_unlocked(char *s, int n, FILE *fp)
{
	RESOLVE(fgets_unlocked);
	STDIO_CALL(fp, RC_FGETS, char *, real_fgets_unlocked(s, n, fp));
}

EXPORT char *__fgets_chk(char *s, size_t size, int n, FILE *fp)
{
	if ((size_t)n > size)
		abort();
	return fgets(s, n, fp);
}

EXPORT ssize_t getdelim(char **l, size_t *cap, int d, FILE *fp)
{
	RESOLVE(getdelim);
	STDIO_CALL(fp, RC_FGETS, ssize_t, real_getdelim(l, cap, d, fp));
}

EXPORT ssize_t getline(char **l, size_t *cap, FILE *fp)
{
	return getdelim(l, cap, '\n', fp);
}

EXPORT ssize_t __getdelim(char **l, size_t *cap, int d, FILE *fp)
{
	return getdelim(l, cap, d, fp);
}

EXPORT int fgetc(FILE *fp)
{
	RESOLVE(fgetc);
	STDIO_CALL(fp, RC_FGETC, int, real_fgetc(fp));
}

EXPORT int getc(FILE *fp)
{
	RESOLVE(getc);
	STDIO_CALL(fp, RC_FGETC, int, real_getc(fp));
}

EXPORT int _IO_getc(FILE *fp)
{
	return getc(fp);
}

EXPORT int fclose(FILE *fp)
{
	RESOLVE(fclose);
	if (S.on && fp) {
		pthread_mutex_lock(&S.lock);
		forget(fileno(fp));
		pthread_mutex_unlock(&S.lock);
	}
	return real_fclose(fp);
}

/* ---- mappings ----------------------------------------------------------- */

/* The pagemap of this process, opened on first use (-1: unavailable). */
static int pagemap(void)
{
	static int pm = -1;

	if (pm < 0)
		pm = (int)syscall(SYS_openat, AT_FDCWD, "/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	return pm;
}

/*
 * --map-order. A recorded mapping is made PROT_NONE right after the
 * program's mmap; the first touch of each page raises SIGSEGV (SEGV_ACCERR),
 * whose handler records the page (RC_MMAP_TOUCH, a write when the fault's
 * error code says so) and gives it back the program's protection, so later
 * touches run at full speed and are not seen. One mprotect per page splits
 * the VMA; when mprotect fails (vm.max_map_count) the whole mapping is given
 * back and counted (RK_TOUCH_LOST) and munmap samples it as without the
 * option. The handler takes S.lock: a thread never faults on a tracked page
 * while it holds the lock (the interposer does not touch mapped pages), so
 * it only waits for another thread. A kernel access to an untouched page (a
 * syscall given a pointer into it) fails with EFAULT instead: the option's
 * stated limit. The program's own SIGSEGV handler (sigaction) is kept and
 * called for every fault that is not a tracked page's.
 */
static struct reclog_map *tracked_at(uintptr_t a)
{
	for (unsigned i = 0; i < S.nmaps; i++)
		if (S.maps[i].tracked && a >= S.maps[i].addr && a < S.maps[i].addr + S.maps[i].len)
			return &S.maps[i];
	return NULL;
}

/* Stop tracking m: the program's protection on all of it (under the lock). */
static void untrack(struct reclog_map *m)
{
	real_mprotect((void *)m->addr, m->len, m->prot);
	m->tracked = 0;
	S.hdr->ctr[RK_TOUCH_LOST]++;
}

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	int saved = errno;
	uintptr_t a = (uintptr_t)si->si_addr;
	struct reclog_map *m = NULL;

	if (si->si_code == SEGV_ACCERR && S.on) {
		pthread_mutex_lock(&S.lock);
		if ((m = tracked_at(a))) {
			uintptr_t pg = a & ~(uintptr_t)4095;
			int w = 0;
#if defined(__x86_64__)
			w = (((ucontext_t *)uc)->uc_mcontext.gregs[REG_ERR] & 2) != 0; /* X86_PF_WRITE */
#endif
			reclog_emit(&S.log, m->file, RC_MMAP_TOUCH, w ? TRACE_OP_WRITE : TRACE_OP_READ,
				    m->off + (pg - m->addr), 4096);
			if (real_mprotect((void *)pg, 4096, m->prot))
				untrack(m);
		}
		pthread_mutex_unlock(&S.lock);
	}
	errno = saved;
	if (m)
		return; /* the touch runs again, on an accessible page */
	if (S.segv_prog.sa_flags & SA_SIGINFO) {
		S.segv_prog.sa_sigaction(sig, si, uc);
	} else if (S.segv_prog.sa_handler != SIG_DFL && S.segv_prog.sa_handler != SIG_IGN) {
		S.segv_prog.sa_handler(sig);
	} else { /* default: restore it; returning re-runs the access, which then kills as it would have */
		struct sigaction d;
		memset(&d, 0, sizeof(d));
		d.sa_handler = SIG_DFL;
		real_sigaction(SIGSEGV, &d, NULL);
	}
}

/* Install on_segv once, keeping the program's disposition (under the lock). */
static int segv_install(void)
{
	struct sigaction a;

	if (S.segv_on)
		return 0;
	RESOLVE(sigaction);
	memset(&a, 0, sizeof(a));
	a.sa_sigaction = on_segv;
	a.sa_flags = SA_SIGINFO | SA_NODEFER | SA_RESTART;
	sigemptyset(&a.sa_mask);
	if (real_sigaction(SIGSEGV, &a, &S.segv_prog))
		return -1;
	S.segv_on = 1;
	return 0;
}

EXPORT int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	RESOLVE(sigaction);
	if (sig != SIGSEGV || !S.segv_on)
		return real_sigaction(sig, act, old);
	/* ours stays installed; the program's becomes the one faults not ours go to */
	pthread_mutex_lock(&S.lock);
	if (old)
		*old = S.segv_prog;
	if (act)
		S.segv_prog = *act;
	pthread_mutex_unlock(&S.lock);
	return 0;
}

EXPORT int mprotect(void *addr, size_t len, int prot)
{
	RESOLVE(mprotect);
	if (S.on && S.nmaps) {
		pthread_mutex_lock(&S.lock);
		for (unsigned i = 0; i < S.nmaps; i++) {
			struct reclog_map *m = &S.maps[i];
			if (m->tracked && (uintptr_t)addr < m->addr + m->len && (uintptr_t)addr + len > m->addr)
				untrack(m); /* the program changes it: give all of it back first */
		}
		pthread_mutex_unlock(&S.lock);
	}
	return real_mprotect(addr, len, prot);
}

EXPORT void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	RESOLVE(mmap);
	RESOLVE(mprotect);
	void *r = real_mmap(addr, len, prot, flags, fd, off);
	if (!S.on || fd < 0 || (flags & MAP_ANONYMOUS) || r == MAP_FAILED)
		return r;
	int saved = errno;
	struct fd_info tmp, *fi;
	pthread_mutex_lock(&S.lock);
	fi = classify(fd, &tmp);
	if (fi->cls == FD_REC) {
		S.hdr->ctr[RK_MMAPS]++;
		if (S.nmaps == MAX_MAPS) {
			S.hdr->ctr[RK_MAPS_DROPPED]++;
		} else {
			struct reclog_map *m = &S.maps[S.nmaps++];
			*m = (struct reclog_map){ (uintptr_t)r, (len + 4095) & ~(size_t)4095, (uint64_t)off, fi->file,
						  0, prot };
			if (S.map_order && prot != PROT_NONE && !segv_install() &&
			    !real_mprotect(r, m->len, PROT_NONE)) {
				m->tracked = 1;
				S.hdr->ctr[RK_TOUCH_MAPS]++;
			}
		}
	}
	pthread_mutex_unlock(&S.lock);
	errno = saved;
	return r;
}

EXPORT void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	return mmap(addr, len, prot, flags, fd, off);
}

/* Sample and forget the recorded mappings overlapping [a, a + len) (under the lock). */
static void unmap_range(uintptr_t a, size_t len)
{
	S.hdr->ctr[RK_INTERNAL_READS] += reclog_maps_unmap(&S.log, pagemap(), S.maps, &S.nmaps, a, len);
}

EXPORT int munmap(void *addr, size_t len)
{
	RESOLVE(munmap);
	if (S.on && S.nmaps) {
		pthread_mutex_lock(&S.lock);
		unmap_range((uintptr_t)addr, len);
		pthread_mutex_unlock(&S.lock);
	}
	return real_munmap(addr, len);
}

EXPORT void *mremap(void *old, size_t olen, size_t nlen, int flags, ...)
{
	va_list ap;
	void *na;

	RESOLVE(mremap);
	va_start(ap, flags);
	na = va_arg(ap, void *);
	va_end(ap);
	if (S.on && S.nmaps) {
		pthread_mutex_lock(&S.lock);
		for (unsigned i = 0; i < S.nmaps; i++) {
			if (S.maps[i].addr == (uintptr_t)old)
				S.hdr->ctr[RK_MREMAPS]++;
			if (S.maps[i].tracked && (uintptr_t)old < S.maps[i].addr + S.maps[i].len &&
			    (uintptr_t)old + olen > S.maps[i].addr)
				untrack(&S.maps[i]); /* its PROT_NONE pages would move untracked */
		}
		unmap_range((uintptr_t)old, olen);
		pthread_mutex_unlock(&S.lock);
	}
	return real_mremap(old, olen, nlen, flags, na);
}

/* ---- process lifetime --------------------------------------------------- */

/* The end of this image's log: sample mappings, take the end figures. */
static void finish(void)
{
	if (!S.on || in_vfork_child()) /* the log and its state are the parent's */
		return;
	pthread_mutex_lock(&S.lock);
	while (S.nmaps)
		unmap_range(S.maps[0].addr, S.maps[0].len);
	S.hdr->ctr[RK_URING_FDS] = reclog_uring_fds("/proc/self/fd");
	S.hdr->t1_ns = reclog_now_ns();
	reclog_proc_io("/proc/self/io", &S.hdr->syscr1, &S.hdr->rchar1);
	S.on = 0;
	pthread_mutex_unlock(&S.lock);
}

/* Undo finish() after an exec that failed. */
static void unfinish(void)
{
	pthread_mutex_lock(&S.lock);
	S.hdr->syscr1 = S.hdr->rchar1 = RECLOG_SYSCR_UNKNOWN;
	S.hdr->ctr[RK_INTERNAL_READS]++; /* the end read of /proc/self/io */
	S.on = 1;
	pthread_mutex_unlock(&S.lock);
}

/* Count an exec whose environment drops the interposer: its image leaves no log. */
static void exec_check(char *const envp[])
{
	size_t l = strlen(RECLOG_ENV_DIR);
	int dir = 0, pre = 0;
	for (unsigned i = 0; envp && envp[i]; i++) {
		dir |= !strncmp(envp[i], RECLOG_ENV_DIR, l) && envp[i][l] == '=';
		pre |= !strncmp(envp[i], "LD_PRELOAD=", 11) && strstr(envp[i], "mapbench_record");
	}
	if (S.on && !(dir && pre)) {
		pthread_mutex_lock(&S.lock);
		S.hdr->ctr[RK_EXEC_BARE]++;
		pthread_mutex_unlock(&S.lock);
	}
}

EXPORT int execve(const char *path, char *const argv[], char *const envp[])
{
	RESOLVE(execve);
	exec_check(envp);
	int was = S.on && !in_vfork_child();
	finish();
	int r = real_execve(path, argv, envp), saved = errno;
	if (was)
		unfinish();
	errno = saved;
	return r;
}

EXPORT int execv(const char *path, char *const argv[])
{
	extern char **environ;
	return execve(path, argv, environ);
}

EXPORT int execvpe(const char *file, char *const argv[], char *const envp[])
{
	RESOLVE(execve);
	exec_check(envp);
	int was = S.on && !in_vfork_child();
	finish();
	/* glibc's execvpe calls execve internally, not through this wrapper */
	int (*real)(const char *, char *const[], char *const[]) =
		(int (*)(const char *, char *const[], char *const[]))dlsym(RTLD_NEXT, "execvpe");
	int r = real(file, argv, envp), saved = errno;
	if (was)
		unfinish();
	errno = saved;
	return r;
}

EXPORT int execvp(const char *file, char *const argv[])
{
	extern char **environ;
	return execvpe(file, argv, environ);
}

EXPORT void _exit(int status)
{
	RESOLVE(_exit);
	finish();
	real__exit(status);
	for (;;)
		syscall(SYS_exit_group, status);
}

EXPORT void _Exit(int status)
{
	_exit(status);
}

/* In the child of a fork: a log of its own, the positions shared with the parent; its fds
   name the parent's files, so the new log starts with the parent's file table. */
static void after_fork_child(void)
{
	static struct reclog_file files[RECLOG_MAX_FILES];
	uint32_t nfiles;

	if (!S.on)
		return;
	nfiles = S.hdr->nfiles;
	memcpy(files, S.hdr->files, sizeof(files[0]) * nfiles);
	reclog_close(&S.log);
	S.on = 0;
	S.nmaps = 0; /* the parent samples its own mappings; the child's copies are not sampled */
	pthread_mutex_init(&S.lock, NULL);
	log_open();
	if (S.on) {
		memcpy(S.hdr->files, files, sizeof(files[0]) * nfiles);
		S.hdr->nfiles = nfiles;
	}
}

/*
 * The wait family: a reaped child's read syscalls are added to this
 * process's /proc/self/io (wait_task_zombie), and the child's own log counts
 * them: the difference across the call (less this wrapper's first read of
 * the file, which the second one sees) goes to syscr_reaped.
 */
static uint64_t reap_begin(void)
{
	uint64_t syscr = RECLOG_SYSCR_UNKNOWN, rchar;

	if (S.on && !in_vfork_child())
		reclog_proc_io("/proc/self/io", &syscr, &rchar);
	return syscr;
}

static void reap_end(uint64_t before, pid_t r)
{
	uint64_t after, rchar;

	if (before == RECLOG_SYSCR_UNKNOWN || !S.on)
		return;
	reclog_proc_io("/proc/self/io", &after, &rchar);
	pthread_mutex_lock(&S.lock);
	S.hdr->ctr[RK_INTERNAL_READS] += 2;
	if (r > 0 && after != RECLOG_SYSCR_UNKNOWN && after > before + 1)
		S.hdr->syscr_reaped += after - before - 1;
	pthread_mutex_unlock(&S.lock);
}

REAL(pid_t, wait4, (pid_t, int *, int, struct rusage *));
REAL(int, waitid, (idtype_t, id_t, siginfo_t *, int));

EXPORT pid_t wait4(pid_t pid, int *st, int opt, struct rusage *ru)
{
	RESOLVE(wait4);
	uint64_t b = reap_begin();
	pid_t r = real_wait4(pid, st, opt, ru);
	int saved = errno;
	reap_end(b, r);
	errno = saved;
	return r;
}

EXPORT pid_t waitpid(pid_t pid, int *st, int opt)
{
	return wait4(pid, st, opt, NULL);
}

EXPORT pid_t wait(int *st)
{
	return wait4(-1, st, 0, NULL);
}

EXPORT pid_t wait3(int *st, int opt, struct rusage *ru)
{
	return wait4(-1, st, opt, ru);
}

EXPORT int waitid(idtype_t idt, id_t id, siginfo_t *info, int opt)
{
	RESOLVE(waitid);
	uint64_t b = reap_begin();
	int r = real_waitid(idt, id, info, opt), saved = errno;
	/* WNOWAIT leaves the child to be reaped later: nothing was added */
	reap_end(b, r == 0 && !(opt & WNOWAIT) && info && info->si_pid > 0 ? info->si_pid : 0);
	errno = saved;
	return r;
}

static void before_fork(void)
{
	pthread_mutex_lock(&S.lock);
	S.pos_shared = 1; /* parent and child share every position from now on */
}

static void after_fork_parent(void)
{
	pthread_mutex_unlock(&S.lock);
}

__attribute__((constructor)) static void start(void)
{
	const char *dir = getenv(RECLOG_ENV_DIR), *file = getenv(RECLOG_ENV_FILE),
		   *min = getenv(RECLOG_ENV_MIN_SIZE);
	unsigned long long dev, ino;

	if (!dir)
		return;
	snprintf(S.dir, sizeof(S.dir), "%s", dir);
	if (file && sscanf(file, "%llu:%llu", &dev, &ino) == 2) {
		S.want_file = 1;
		S.want_dev = dev;
		S.want_ino = ino;
	} else if (min) {
		S.min_size = strtoull(min, NULL, 10);
	} else {
		dprintf(2, "mapbench-record: neither %s nor %s set; not recording\n", RECLOG_ENV_FILE,
			RECLOG_ENV_MIN_SIZE);
		return;
	}
	S.map_order = getenv(RECLOG_ENV_MAP_ORDER) && !strcmp(getenv(RECLOG_ENV_MAP_ORDER), "1");
	log_open();
	pthread_atfork(before_fork, after_fork_parent, after_fork_child);
}

__attribute__((destructor)) static void stop(void)
{
	finish();
}
