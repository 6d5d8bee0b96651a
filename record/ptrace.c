/*
 * record/ptrace.c — `mapbench record --mechanism ptrace`: run the program
 * under ptrace and write, for every traced process image, the same event log
 * the interposer writes (record/reclog.h, through record/reclog.c), so
 * record/merge.c turns them into traces unchanged.
 *
 * Which syscalls stop: a seccomp-bpf filter installed in the child just
 * before exec returns SECCOMP_RET_TRACE for the syscalls below, mmap
 * without MAP_ANONYMOUS and any syscall of another ABI, and
 * SECCOMP_RET_ALLOW for the rest; with
 * PTRACE_O_TRACESECCOMP only those stop (PTRACE_SYSCALL would stop twice on
 * every syscall: futex, clock_gettime's fallbacks, anonymous mmap, ...).
 * At the seccomp stop the tracer reads the call (PTRACE_GET_SYSCALL_INFO)
 * and resumes with PTRACE_SYSCALL when it needs the result (read family,
 * lseek, open, dup, fcntl F_DUPFD, mmap of a recorded file), PTRACE_CONT
 * otherwise (close, munmap, mremap, exec). Children, threads and exec'd
 * images are followed (TRACECLONE, TRACEFORK, TRACEVFORK, TRACEEXEC,
 * TRACEEXIT, EXITKILL).
 *
 * Recorded files: an fd is classified on first use by stat of
 * /proc/TID/fd/N (dev:ino of --file, or a regular file of --min-size
 * bytes), cached per process until close, close_range, dup2/dup3 onto it
 * or an open returning it; exec keeps the table but classifies again.
 * Positions: read/readv/preadv2(-1) read at the position the tracer keeps
 * for an fd it saw opened in this process since the last fork (open: 0,
 * lseek: its result, reads: + their count); otherwise — the fd was
 * inherited, dup'ed, the process forked or has several threads, or it is
 * a write (O_APPEND) — it reads the kernel's position after the call from
 * /proc/TID/fdinfo/N and records at pos - count.
 * Mapped regions: mmap of a recorded file is noted at its return; its
 * present pages are sampled from /proc/TGID/pagemap at munmap/mremap entry,
 * before exec and at the exit of the last thread (which pages, not the
 * order of touches: ptrace does not see page faults).
 * End figures: syscr/rchar as the interposer takes them, so the report's
 * "read syscalls not seen" holds here too (e.g. sendfile, copy_file_range):
 * the sum over the image's threads of their own counts
 * (/proc/TGID/task/TID/io) at their exit stops, less the exec'ing thread's
 * at the exec event — not /proc/TGID/io, which adds the reaped children's
 * counts, nor the kernel's reads of the binary during exec (counted from
 * the execve entry to the exec event in neither image).
 *
 * Invariants: the program's syscalls are never changed (only observed);
 * every stopped tracee is resumed; a tracee that vanished (ESRCH) is
 * forgotten. Limits: clone(CLONE_FILES) without CLONE_THREAD is taken as a
 * copy of the fd table; a concurrent move of a shared position between the
 * read and the tracer's fdinfo read shifts that record; job-control stops
 * of the program are not honoured (it is resumed).
 */
#include "record/record.h"
#include "record/reclog.h"
#include "traces/trace.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
/* the filter reads the low word of mmap's flags at the argument's address */
#elif defined(__x86_64__)
#define NATIVE_ARCH AUDIT_ARCH_X86_64
#define FOREIGN_NR_MIN 0x40000000u /* __X32_SYSCALL_BIT: x32 calls share the arch */
#elif defined(__aarch64__)
#define NATIVE_ARCH AUDIT_ARCH_AARCH64
#endif

#ifdef NATIVE_ARCH

enum fd_class { FD_UNKNOWN = 0, FD_OTHER, FD_REC };

/* What the tracer knows about one fd of a process. */
struct fdent {
	uint8_t cls;       /* enum fd_class */
	uint8_t fresh;     /* opened by this process since its last fork, not dup'ed: pos is its own */
	uint8_t pos_ok;    /* pos is the kernel's position (fresh fds only) */
	int16_t file;      /* index into the log's file table, valid when log_id matches */
	unsigned log_id;   /* the log file was found for */
	uint64_t dev, ino, size; /* identity when FD_REC */
	uint64_t pos;      /* the position read()/lseek() left */
};

/* One traced process (thread group) and its current image's log. */
struct proc {
	pid_t tgid;             /* its id */
	int refs;               /* tasks pointing here */
	int live;               /* threads that have not reached their exit */
	struct fdent *fd;       /* fd table, indexed by fd */
	size_t nfd;             /* entries of fd */
	struct reclog_w log;    /* this image's log; hdr NULL: none (before the first exec) */
	unsigned log_id;        /* unique per log opened */
	int pagemap;            /* /proc/TGID/pagemap of this image, -1: not opened */
	struct reclog_map *maps; /* recorded mappings */
	unsigned nmaps, capmaps;
	uint64_t syscr, rchar;  /* own counts of the image's threads at their exits (or exec) */
	int io_lost;            /* a thread's count could not be read: end figures unknown */
};

/* One traced thread. */
struct task {
	pid_t tid;           /* its id */
	struct proc *p;      /* its process; NULL: seen before its creation event */
	int started;         /* its initial SIGSTOP was taken */
	int held;            /* stopped, waiting for its creation event to be resumed */
	int exited;          /* reached PTRACE_EVENT_EXIT */
	uint64_t exec_syscr, exec_rchar; /* its own counts at its last execve entry */
	uint64_t nr;         /* the syscall at its seccomp stop */
	uint64_t a[6];       /* its arguments */
	struct task *next;   /* list */
};

/* The tracer's state. */
struct tracer {
	const char *dir;        /* log directory */
	int want_file;          /* 1: dev:ino, 0: min_size */
	uint64_t want_dev, want_ino, min_size;
	struct task *tasks;     /* every traced thread */
	unsigned next_log_id;   /* for proc.log_id */
};

/* The syscalls that stop (SECCOMP_RET_TRACE). */
static const long traced_nr[] = {
	SYS_read, SYS_pread64, SYS_readv, SYS_preadv, SYS_preadv2, SYS_write, SYS_pwrite64, SYS_lseek,
	SYS_openat, SYS_openat2, SYS_dup, SYS_dup3, SYS_fcntl, SYS_close, SYS_close_range,
	SYS_munmap, SYS_mremap, SYS_execve, SYS_execveat, /* and mmap of a file, below */
#ifdef SYS_open
	SYS_open, SYS_creat, SYS_dup2,
#endif
};
#define NTRACED (sizeof(traced_nr) / sizeof(traced_nr[0]))

/* ---- the child ---------------------------------------------------------- */

/* Install the filter (in the child, before exec); 0 or -errno. */
static int install_filter(void)
{
	struct sock_filter f[NTRACED + 12];
	unsigned n = 0;

	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_ARCH, 1, 0);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
#ifdef FOREIGN_NR_MIN
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, FOREIGN_NR_MIN, (uint8_t)(NTRACED + 4), 0);
#endif
	/* mmap: only of files (flags, args[3], without MAP_ANONYMOUS; its low word first: little endian) */
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_mmap, 0, 2);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[3]));
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, MAP_ANONYMOUS, (uint8_t)NTRACED,
					      (uint8_t)(NTRACED + 1));
	for (unsigned i = 0; i < NTRACED; i++)
		f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)traced_nr[i],
						      (uint8_t)(NTRACED - i), 0);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE);
	struct sock_fprog prog = { (unsigned short)n, f };
	/* without CAP_SYS_ADMIN a filter needs no_new_privs (set-uid programs then keep the caller's ids) */
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) == 0)
		return 0;
	if (errno != EACCES || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) ? -errno : 0;
}

/* What the child reports through the pipe when it cannot become the program. */
struct child_err {
	char what[16]; /* the call that failed */
	int err;       /* its errno */
};

static _Noreturn void child(int wfd, char *const *argv)
{
	struct child_err e = { "", 0 };
	int rc;

	if (ptrace(PTRACE_TRACEME, 0, NULL, NULL)) {
		snprintf(e.what, sizeof(e.what), "PTRACE_TRACEME");
		e.err = errno;
		goto fail;
	}
	raise(SIGSTOP); /* the tracer sets its options */
	if ((rc = install_filter())) {
		snprintf(e.what, sizeof(e.what), "seccomp");
		e.err = -rc;
		goto fail;
	}
	execvp(argv[0], argv);
	snprintf(e.what, sizeof(e.what), "exec");
	e.err = errno;
fail:
	if (write(wfd, &e, sizeof(e)) != (ssize_t)sizeof(e))
		_exit(126);
	_exit(e.err == ENOENT ? 127 : 126);
}

/* ---- processes, tasks, fds ---------------------------------------------- */

static struct task *task_find(struct tracer *T, pid_t tid)
{
	for (struct task *t = T->tasks; t; t = t->next)
		if (t->tid == tid)
			return t;
	return NULL;
}

static struct task *task_add(struct tracer *T, pid_t tid, struct proc *p)
{
	struct task *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->tid = tid;
	t->p = p;
	if (p) {
		p->refs++;
		p->live++;
	}
	t->next = T->tasks;
	T->tasks = t;
	return t;
}

static struct proc *proc_create(pid_t tgid)
{
	struct proc *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->tgid = tgid;
	p->pagemap = -1;
	return p;
}

/* The fd's entry, growing the table; NULL for a negative fd or no memory. */
static struct fdent *fdent(struct proc *p, int64_t fd)
{
	if (fd < 0 || fd > INT_MAX)
		return NULL;
	if ((size_t)fd >= p->nfd) {
		size_t n = p->nfd ? p->nfd : 64;
		while (n <= (size_t)fd)
			n *= 2;
		struct fdent *e = realloc(p->fd, n * sizeof(*e));
		if (!e)
			return NULL;
		memset(e + p->nfd, 0, (n - p->nfd) * sizeof(*e));
		p->fd = e;
		p->nfd = n;
	}
	return &p->fd[fd];
}

static void forget(struct proc *p, int64_t fd)
{
	if (fd >= 0 && (size_t)fd < p->nfd)
		memset(&p->fd[fd], 0, sizeof(p->fd[fd]));
}

/* The own syscr/rchar of thread tid of p (0: read). */
static int thread_io(const struct proc *p, pid_t tid, uint64_t *syscr, uint64_t *rchar)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/task/%d/io", (int)p->tgid, (int)tid);
	reclog_proc_io(path, syscr, rchar);
	return *syscr == RECLOG_SYSCR_UNKNOWN ? -ENOENT : 0;
}

/* Thread tid of p leaves the image (exit stop): add its own counts. */
static void thread_done(struct proc *p, pid_t tid)
{
	uint64_t syscr, rchar;

	if (thread_io(p, tid, &syscr, &rchar)) {
		p->io_lost = 1;
		return;
	}
	p->syscr += syscr;
	p->rchar += rchar;
}

/* Finish the image's log: sample its mappings, the end figures (alive: the process can still be
 * read; at exec the io_uring count is of the fds that survive it); close it. */
static void log_finish(struct proc *p, int alive)
{
	char path[64];

	if (!p->log.hdr)
		return;
	reclog_maps_unmap(&p->log, p->pagemap, p->maps, &p->nmaps, 0, UINTPTR_MAX);
	p->nmaps = 0;
	if (alive) {
		snprintf(path, sizeof(path), "/proc/%d/fd", (int)p->tgid);
		p->log.hdr->ctr[RK_URING_FDS] = reclog_uring_fds(path);
	}
	if (alive && !p->io_lost) {
		p->log.hdr->syscr1 = p->syscr;
		p->log.hdr->rchar1 = p->rchar;
	}
	p->log.hdr->t1_ns = reclog_now_ns();
	reclog_close(&p->log);
	if (p->pagemap >= 0)
		close(p->pagemap);
	p->pagemap = -1;
}

/* Start a log for the process's current image, whose one thread is tid; 0 or -errno. */
static int log_start(struct tracer *T, struct proc *p, pid_t tid)
{
	int rc = reclog_open(&p->log, T->dir, (int)p->tgid);

	if (rc)
		return rc;
	p->log_id = ++T->next_log_id;
	p->log.hdr->mech = RM_PTRACE;
	p->syscr = p->rchar = 0;
	p->io_lost = thread_io(p, tid, &p->log.hdr->syscr0, &p->log.hdr->rchar0) != 0;
	return 0;
}

static void proc_put(struct proc *p)
{
	if (!p || --p->refs > 0)
		return;
	log_finish(p, 0);
	free(p->fd);
	free(p->maps);
	free(p);
}

static void task_remove(struct tracer *T, struct task *t)
{
	for (struct task **pp = &T->tasks; *pp; pp = &(*pp)->next)
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	if (t->p && !t->exited) {
		t->p->io_lost = 1; /* vanished without its exit stop (SIGKILL): no end figures */
		if (--t->p->live == 0)
			log_finish(t->p, 0);
	}
	proc_put(t->p);
	free(t);
}

/* Classify fd of task t (the fd entry e); sets e->file for the current log. */
static void classify(struct tracer *T, struct task *t, struct fdent *e, int64_t fd)
{
	struct proc *p = t->p;
	char link[64], path[RECLOG_PATH_MAX];
	struct stat st;

	if (e->cls == FD_UNKNOWN) {
		snprintf(link, sizeof(link), "/proc/%d/fd/%" PRId64, (int)t->tid, fd);
		if (stat(link, &st))
			return; /* not open: the call fails; stays unknown */
		e->cls = FD_OTHER;
		if (!S_ISREG(st.st_mode) ||
		    (T->want_file ? (st.st_dev != T->want_dev || st.st_ino != T->want_ino)
				  : (uint64_t)st.st_size < T->min_size))
			return;
		e->cls = FD_REC;
		e->dev = st.st_dev;
		e->ino = st.st_ino;
		e->size = (uint64_t)st.st_size;
		e->log_id = 0;
	}
	if (e->cls == FD_REC && e->log_id != p->log_id && p->log.hdr) {
		snprintf(link, sizeof(link), "/proc/%d/fd/%" PRId64, (int)t->tid, fd);
		ssize_t n = readlink(link, path, sizeof(path) - 1);
		path[n > 0 ? n : 0] = 0;
		e->file = (int16_t)reclog_file_index(&p->log, e->dev, e->ino, e->size, path);
		e->log_id = p->log_id;
		if (e->file < 0)
			p->log.hdr->ctr[RK_FILES_BEYOND]++;
	}
}

/* The kernel's position of fd now (-1: unknown). */
static int64_t kernel_pos(pid_t tid, int64_t fd)
{
	char path[64], buf[256];
	int f;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%" PRId64, (int)tid, fd);
	if ((f = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	n = read(f, buf, sizeof(buf) - 1);
	close(f);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	return strncmp(buf, "pos:", 4) ? -1 : strtoll(buf + 4, NULL, 10);
}

/* ---- syscalls ----------------------------------------------------------- */

/* How a traced syscall is accounted. */
enum kind { K_NONE, K_READ_POS, K_READ_AT, K_WRITE_POS, K_WRITE_AT, K_LSEEK, K_NEWFD, K_DUPFD, K_CLOSE,
	    K_CLOSE_RANGE, K_MMAP, K_MUNMAP, K_MREMAP, K_EXEC };

/* The kind of t's syscall and the reclog call it records as. */
static enum kind kind_of(const struct task *t, uint8_t *call)
{
	long nr = (long)t->nr;

	*call = RC_READ;
	if (nr == SYS_read)
		return K_READ_POS;
	if (nr == SYS_readv)
		return (*call = RC_READV), K_READ_POS;
	if (nr == SYS_pread64)
		return (*call = RC_PREAD), K_READ_AT;
	if (nr == SYS_preadv)
		return (*call = RC_PREADV), K_READ_AT;
	if (nr == SYS_preadv2) /* offset -1: at the file position, like readv */
		return (int64_t)t->a[3] == -1 ? ((*call = RC_READV), K_READ_POS) : ((*call = RC_PREADV), K_READ_AT);
	if (nr == SYS_write)
		return (*call = RC_WRITE), K_WRITE_POS;
	if (nr == SYS_pwrite64)
		return (*call = RC_PWRITE), K_WRITE_AT;
	if (nr == SYS_lseek)
		return K_LSEEK;
	if (nr == SYS_openat || nr == SYS_openat2)
		return K_NEWFD;
	if (nr == SYS_dup || nr == SYS_dup3)
		return K_DUPFD;
	if (nr == SYS_fcntl)
		return t->a[1] == F_DUPFD || t->a[1] == F_DUPFD_CLOEXEC ? K_DUPFD : K_NONE;
	if (nr == SYS_close)
		return K_CLOSE;
	if (nr == SYS_close_range)
		return K_CLOSE_RANGE;
	if (nr == SYS_mmap)
		return K_MMAP;
	if (nr == SYS_munmap)
		return K_MUNMAP;
	if (nr == SYS_mremap)
		return K_MREMAP;
	if (nr == SYS_execve || nr == SYS_execveat)
		return K_EXEC;
#ifdef SYS_open
	if (nr == SYS_open || nr == SYS_creat)
		return K_NEWFD;
	if (nr == SYS_dup2)
		return K_DUPFD;
#endif
	return K_NONE;
}

/* At the seccomp stop: note the call; 1 when its result is needed (resume with PTRACE_SYSCALL). */
static int on_entry(struct tracer *T, struct task *t, const struct __ptrace_syscall_info *si)
{
	struct proc *p = t->p;
	uint8_t call;

	if (si->arch != NATIVE_ARCH
#ifdef FOREIGN_NR_MIN
	    || si->seccomp.nr >= FOREIGN_NR_MIN
#endif
	) {
		if (p->log.hdr)
			p->log.hdr->ctr[RK_FOREIGN_ABI]++;
		t->nr = UINT64_MAX;
		return 0;
	}
	t->nr = si->seccomp.nr;
	memcpy(t->a, si->seccomp.args, sizeof(t->a));
	switch (kind_of(t, &call)) {
	case K_CLOSE:
		forget(p, (int64_t)t->a[0]);
		return 0;
	case K_CLOSE_RANGE:
		for (uint64_t f = t->a[0]; f <= t->a[1] && f < p->nfd; f++)
			forget(p, (int64_t)f);
		return 0;
	case K_MUNMAP:
	case K_MREMAP:
		if (p->log.hdr && p->nmaps) {
			for (unsigned i = 0; i < p->nmaps; i++)
				if (kind_of(t, &call) == K_MREMAP && p->maps[i].addr == t->a[0])
					p->log.hdr->ctr[RK_MREMAPS]++;
			reclog_maps_unmap(&p->log, p->pagemap, p->maps, &p->nmaps, (uintptr_t)t->a[0], (size_t)t->a[1]);
		}
		return 0;
	case K_EXEC: /* the old image's pages go with it: sample them now */
		if (thread_io(p, t->tid, &t->exec_syscr, &t->exec_rchar))
			t->exec_syscr = t->exec_rchar = RECLOG_SYSCR_UNKNOWN;
		if (p->log.hdr)
			reclog_maps_unmap(&p->log, p->pagemap, p->maps, &p->nmaps, 0, UINTPTR_MAX);
		p->nmaps = 0;
		return 0;
	case K_MMAP: {
		struct fdent *e = (t->a[3] & MAP_ANONYMOUS) ? NULL : fdent(p, (int64_t)(int32_t)t->a[4]);
		if (!e || !p->log.hdr)
			return 0;
		classify(T, t, e, (int64_t)(int32_t)t->a[4]);
		return e->cls == FD_REC && e->file >= 0;
	}
	case K_NONE:
		return 0;
	default:
		return 1;
	}
}

/* At the syscall-exit stop: account the call with its result r. */
static void on_exit_stop(struct tracer *T, struct task *t, int64_t r)
{
	struct proc *p = t->p;
	struct reclog_hdr *h = p->log.hdr;
	int64_t fd = (int64_t)(int32_t)t->a[0];
	uint8_t call;
	enum kind k = kind_of(t, &call);
	struct fdent *e;

	switch (k) {
	case K_NEWFD:
		if (r >= 0 && (e = fdent(p, r))) {
			memset(e, 0, sizeof(*e));
			e->fresh = e->pos_ok = 1; /* pos 0 */
		}
		return;
	case K_DUPFD: {
		int64_t nfd = r;
		forget(p, nfd);
		if (r >= 0 && (e = fdent(p, fd)))
			e->fresh = 0; /* the position is shared with nfd from now on */
		return;
	}
	case K_LSEEK:
		if (!h || !(e = fdent(p, fd)))
			return;
		classify(T, t, e, fd);
		if (e->cls == FD_REC) {
			h->ctr[RK_LSEEK]++;
			if (r >= 0) {
				e->pos = (uint64_t)r;
				e->pos_ok = e->fresh;
			}
		}
		return;
	case K_MMAP:
		e = fdent(p, (int64_t)(int32_t)t->a[4]);
		if (!h || !e || e->cls != FD_REC || e->file < 0 || r < 0 || (uint64_t)r >= (uint64_t)-4096)
			return;
		h->ctr[RK_MMAPS]++;
		if (p->pagemap < 0) {
			char path[64];
			snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)p->tgid);
			p->pagemap = open(path, O_RDONLY | O_CLOEXEC);
		}
		if (p->nmaps == p->capmaps) {
			unsigned n = p->capmaps ? p->capmaps * 2 : 16;
			struct reclog_map *m = realloc(p->maps, n * sizeof(*m));
			if (!m) {
				h->ctr[RK_MAPS_DROPPED]++;
				return;
			}
			p->maps = m;
			p->capmaps = n;
		}
		p->maps[p->nmaps++] = (struct reclog_map){ (uintptr_t)r, (size_t)((t->a[1] + 4095) & ~(uint64_t)4095),
							   t->a[5], (uint8_t)e->file, 0, (int)t->a[2] };
		return;
	case K_READ_POS:
	case K_READ_AT:
	case K_WRITE_POS:
	case K_WRITE_AT:
		break;
	default:
		return;
	}
	if (!h)
		return;
	e = fdent(p, fd);
	if (e)
		classify(T, t, e, fd);
	if (!e || e->cls != FD_REC || e->file < 0) {
		if (e && e->cls == FD_REC)
			return; /* beyond the file table: counted RK_FILES_BEYOND */
		h->other[call]++;
		h->other_bytes[call] += r > 0 ? (uint64_t)r : 0;
		return;
	}
	if (r <= 0) {
		h->ctr[RECLOG_CALL_IS_READ_SYSCALL(call) ? RK_EMPTY_READS : RK_EMPTY]++;
		return;
	}
	uint64_t off;
	uint8_t op = (k == K_WRITE_POS || k == K_WRITE_AT) ? TRACE_OP_WRITE : TRACE_OP_READ;
	if (k == K_READ_AT || k == K_WRITE_AT) {
		off = t->a[3];
	} else if (k == K_READ_POS && e->fresh && e->pos_ok && p->live == 1) {
		off = e->pos;
		e->pos += (uint64_t)r;
	} else {
		int64_t now = kernel_pos(t->tid, fd);
		h->ctr[RK_POS_QUERIES]++;
		if (now < r) {
			h->ctr[RK_POS_UNKNOWN]++;
			return;
		}
		off = (uint64_t)(now - r);
		e->pos = (uint64_t)now;
		e->pos_ok = e->fresh;
	}
	reclog_emit(&p->log, (uint8_t)e->file, call, op, off, (uint64_t)r);
}

/* A new thread or process: tid of the event (PTRACE_GETEVENTMSG) of t. */
static void on_clone(struct tracer *T, struct task *t, int event)
{
	unsigned long msg = 0;
	char path[64], buf[512];
	pid_t tgid = -1;
	struct proc *p = t->p, *np;

	if (ptrace(PTRACE_GETEVENTMSG, t->tid, NULL, &msg))
		return;
	pid_t ntid = (pid_t)msg;
	if (event == PTRACE_EVENT_CLONE) {
		snprintf(path, sizeof(path), "/proc/%d/status", (int)ntid);
		FILE *f = fopen(path, "re");
		while (f && fgets(buf, sizeof(buf), f))
			if (!strncmp(buf, "Tgid:", 5))
				tgid = (pid_t)atoi(buf + 5);
		if (f)
			fclose(f);
	}
	if (tgid == p->tgid) {
		np = p;
	} else {
		if (!(np = proc_create(ntid)))
			return;
		if (p->nfd && (np->fd = malloc(p->nfd * sizeof(*np->fd)))) {
			memcpy(np->fd, p->fd, p->nfd * sizeof(*np->fd));
			np->nfd = p->nfd;
		}
		for (size_t i = 0; i < p->nfd; i++)
			p->fd[i].fresh = 0; /* positions shared with the child */
		for (size_t i = 0; i < np->nfd; i++)
			np->fd[i].fresh = 0;
		if (p->log.hdr)
			log_start(T, np, ntid);
	}
	struct task *c = task_find(T, ntid);
	if (c) { /* its first stop came before this event */
		c->p = np;
		np->refs++;
		np->live++;
		if (c->held) {
			c->held = 0;
			ptrace(PTRACE_CONT, ntid, NULL, NULL);
		}
	} else if (!task_add(T, ntid, np) && np != p) {
		proc_put(np);
	}
}

/* t exec'd: it may have taken over the leader's id; a new image, a new log. */
static void on_exec(struct tracer *T, struct task *t)
{
	unsigned long former = 0;
	struct proc *p = t->p;

	if (!ptrace(PTRACE_GETEVENTMSG, t->tid, NULL, &former) && (pid_t)former != t->tid) {
		/* t is the thread that exec'd under its old id; the leader's entry is gone */
		struct task *old = task_find(T, (pid_t)former);
		if (old && old != t) {
			t->exec_syscr = old->exec_syscr;
			t->exec_rchar = old->exec_rchar;
			old->exited = 1; /* its exit is not reported; the image's threads are gone */
			task_remove(T, old);
		}
	}
	if (t->exec_syscr == RECLOG_SYSCR_UNKNOWN)
		p->io_lost = 1;
	p->syscr += t->exec_syscr;
	p->rchar += t->exec_rchar;
	log_finish(p, 1); /* mappings were sampled at the execve entry */
	for (size_t i = 0; i < p->nfd; i++) { /* CLOEXEC fds closed: classify again */
		p->fd[i].cls = FD_UNKNOWN;
		p->fd[i].pos_ok = 0;
	}
	p->live = 1;
	t->exited = 0; /* the leader's entry, if it reported its exit while the image was replaced */
	log_start(T, p, t->tid);
}

/* Resume t (sig: the signal to deliver); a vanished tracee is fine. */
static void resume(struct task *t, int req, int sig)
{
	ptrace(req, t->tid, NULL, (void *)(long)sig);
}

int record_ptrace(const struct record_opts *o, const char *dir, const struct stat *want, int *status)
{
	struct tracer T = { .dir = dir };
	struct child_err ce;
	int pfd[2], ws, rc = 0;

	if (want) {
		T.want_file = 1;
		T.want_dev = want->st_dev;
		T.want_ino = want->st_ino;
	} else {
		T.min_size = o->min_size;
	}
	if (pipe2(pfd, O_CLOEXEC)) {
		rc = -errno;
		fprintf(stderr, "mapbench: record: pipe: %s\n", strerror(-rc));
		return rc;
	}
	pid_t pid = fork();
	if (pid < 0) {
		rc = -errno;
		fprintf(stderr, "mapbench: record: fork: %s\n", strerror(-rc));
		close(pfd[0]);
		close(pfd[1]);
		return rc;
	}
	if (pid == 0) {
		close(pfd[0]);
		child(pfd[1], o->argv);
	}
	close(pfd[1]);
	while (waitpid(pid, &ws, 0) < 0)
		if (errno != EINTR) {
			rc = -errno;
			goto out;
		}
	if (!WIFSTOPPED(ws)) { /* PTRACE_TRACEME failed */
		*status = ws;
		if (read(pfd[0], &ce, sizeof(ce)) == (ssize_t)sizeof(ce)) {
			fprintf(stderr, "mapbench: record: ptrace is not permitted: %s: %s (is the recorder itself traced, "
					"or ptrace denied by kernel.yama.ptrace_scope, a seccomp policy or a container?); "
					"try --mechanism preload\n", ce.what, strerror(ce.err));
			rc = -ce.err;
		} else {
			fprintf(stderr, "mapbench: record: the child ended before it was traced (status 0x%x)\n", ws);
			rc = -ECHILD;
		}
		goto out;
	}
	long opts = PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACECLONE | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |
		    PTRACE_O_TRACEEXEC | PTRACE_O_TRACEEXIT | PTRACE_O_TRACESECCOMP | PTRACE_O_EXITKILL;
	if (ptrace(PTRACE_SETOPTIONS, pid, NULL, (void *)opts)) {
		rc = -errno;
		fprintf(stderr, "mapbench: record: PTRACE_SETOPTIONS 0x%lx: %s\n", opts, strerror(-rc));
		kill(pid, SIGKILL);
		waitpid(pid, &ws, 0);
		goto out;
	}
	struct proc *root = proc_create(pid);
	struct task *rt = root ? task_add(&T, pid, root) : NULL;
	if (!rt) {
		free(root);
		kill(pid, SIGKILL);
		waitpid(pid, &ws, 0);
		rc = -ENOMEM;
		goto out;
	}
	rt->started = 1;
	resume(rt, PTRACE_CONT, 0);

	for (;;) {
		pid_t tid = waitpid(-1, &ws, __WALL);
		if (tid < 0) {
			if (errno == EINTR)
				continue;
			break; /* ECHILD: every tracee is gone */
		}
		struct task *t = task_find(&T, tid);
		if (WIFEXITED(ws) || WIFSIGNALED(ws)) {
			if (tid == pid)
				*status = ws;
			if (t)
				task_remove(&T, t);
			continue;
		}
		if (!WIFSTOPPED(ws))
			continue;
		if (!t) { /* a new task before its creation event */
			if ((t = task_add(&T, tid, NULL))) {
				t->started = 1;
				t->held = 1;
			}
			continue;
		}
		int sig = WSTOPSIG(ws), ev = ws >> 16;
		if (!t->started && sig == SIGSTOP) {
			t->started = 1;
			resume(t, PTRACE_CONT, 0);
			continue;
		}
		if (sig == (SIGTRAP | 0x80)) {
			struct __ptrace_syscall_info si;
			if (t->nr != UINT64_MAX &&
			    ptrace(PTRACE_GET_SYSCALL_INFO, tid, (void *)sizeof(si), &si) > 0 &&
			    si.op == PTRACE_SYSCALL_INFO_EXIT)
				on_exit_stop(&T, t, si.exit.rval);
			t->nr = UINT64_MAX;
			resume(t, PTRACE_CONT, 0);
		} else if (sig == SIGTRAP && ev) {
			int req = PTRACE_CONT;
			switch (ev) {
			case PTRACE_EVENT_SECCOMP: {
				struct __ptrace_syscall_info si;
				if (ptrace(PTRACE_GET_SYSCALL_INFO, tid, (void *)sizeof(si), &si) > 0 &&
				    si.op == PTRACE_SYSCALL_INFO_SECCOMP && on_entry(&T, t, &si))
					req = PTRACE_SYSCALL;
				break;
			}
			case PTRACE_EVENT_FORK:
			case PTRACE_EVENT_VFORK:
			case PTRACE_EVENT_CLONE:
				on_clone(&T, t, ev);
				break;
			case PTRACE_EVENT_EXEC:
				on_exec(&T, t);
				break;
			case PTRACE_EVENT_EXIT:
				t->exited = 1;
				thread_done(t->p, tid);
				if (--t->p->live == 0)
					log_finish(t->p, 1);
				break;
			}
			resume(t, req, 0);
		} else {
			siginfo_t si;
			/* a group stop (no siginfo) is not honoured: resumed without a signal */
			resume(t, PTRACE_CONT, ptrace(PTRACE_GETSIGINFO, tid, NULL, &si) ? 0 : sig);
		}
	}
	while (T.tasks)
		task_remove(&T, T.tasks);
	if (read(pfd[0], &ce, sizeof(ce)) == (ssize_t)sizeof(ce)) {
		fprintf(stderr, "mapbench: record: %s %s: %s\n", ce.what, o->argv[0], strerror(ce.err));
		rc = -ce.err;
	}
out:
	close(pfd[0]);
	return rc;
}

#else /* !NATIVE_ARCH */

int record_ptrace(const struct record_opts *o, const char *dir, const struct stat *want, int *status)
{
	(void)o, (void)dir, (void)want, (void)status;
	fprintf(stderr, "mapbench: record: --mechanism ptrace is built for x86_64 and aarch64 only; use preload\n");
	return -ENOTSUP;
}

#endif
