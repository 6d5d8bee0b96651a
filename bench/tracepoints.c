/*
 * bench/tracepoints.c — kernel tracepoints counted for this process during
 * the access phase (perf PERF_TYPE_TRACEPOINT, pid = self, cpu = any), ids
 * read from <tracefs>/events/<system>/<name>/id. tracefs is looked up at
 * /sys/kernel/tracing and /sys/kernel/debug/tracing; when neither is mounted
 * and we are root, tracefs is mounted at /sys/kernel/tracing (a harmless,
 * standard mount; `mapbench host` says so).
 *
 *   raw_syscalls:sys_enter                -> syscalls (minus the one disabling
 *                                            prctl per phase end, which it counts)
 *   syscalls:sys_enter_read               -> syscalls.sys_read
 *   syscalls:sys_enter_pread64            -> syscalls.sys_pread64
 *   (sum of the two)                      -> syscalls.read
 *   exceptions:page_fault_user            -> faults.tracepoint
 *   filemap:mm_filemap_add_to_page_cache  -> pagecache.added (folios, not pages)
 *   tlb:tlb_flush filter "reason == 4"    -> tlb.shootdowns: TLB_REMOTE_SEND_IPI, traced by
 *                                            the flushing task when it sends shootdown IPIs to
 *                                            other CPUs (native_flush_tlb_multi; KVM's PV flush
 *                                            ends there too)
 *                                            Caveat (measured, Linux 6.18 x86): it is traced
 *                                            before the kernel picks the CPUs that really get
 *                                            an IPI (should_flush_tlb skips CPUs no longer
 *                                            running this mm, and mm_cpumask is trimmed only
 *                                            about once a second), so it counts flushes of an
 *                                            mm that another CPU ran recently: an upper bound
 *                                            on the IPIs sent; tlb.flush.remote_received is
 *                                            what our threads actually received
 *   tlb:tlb_flush filter "reason == 2 || reason == 3"
 *                                         -> tlb.flush.local: TLB_LOCAL_SHOOTDOWN +
 *                                            TLB_LOCAL_MM_SHOOTDOWN, flushes of this CPU only
 *   tlb:tlb_flush filter "reason == 1"    -> tlb.flush.remote_received: TLB_REMOTE_SHOOTDOWN,
 *                                            a shootdown IPI handled while one of our threads ran
 *   mmap_lock:mmap_lock_start_locking     -> mmap_lock.acquires: mmap_lock read/write lock calls
 *                                            that may block (trylocks are not traced here); not
 *                                            a count of waits: faults under per-VMA locks take
 *                                            no mmap_lock at all
 *   lock:contention_begin filter "(flags & 6) && !(flags & 17)"
 *                                         -> lock.rwsem_waits: our threads entered a sleeping
 *                                            rw-semaphore slow path (LCB_F_READ/WRITE, not spin,
 *                                            not percpu): mmap_lock waits, but also i_rwsem etc.
 * Reasons (enum tlb_flush_reason, include/linux/mm_types.h; checked against
 * events/tlb/tlb_flush/format on Linux 6.18): 0 task switch, 1 remote
 * shootdown, 2 local shootdown, 3 local mm shootdown, 4 remote IPI send,
 * 5 remote wrong CPU. A perf tracepoint counter counts events, not field
 * values, so each reason group is one counter with PERF_EVENT_IOC_SET_FILTER.
 * Where tlb:tlb_flush cannot be opened, tlb.shootdowns falls back to the
 * "TLB:" line of /proc/interrupts summed over CPUs (shootdown IPIs received,
 * system-wide: other processes' too), and its note says so; that line is
 * also reported as interrupts.tlb (system-wide, every time) as a cross-check.
 * Counters are per task; with ctr_set.inherit they include the threads the
 * replay creates. Kernel threads (kswapd, io-wq workers) are other tasks: a
 * flush they do is not counted.
 * Limit: io_uring work punted to io-wq worker threads is not counted (other tasks).
 */
#include "bench/counters.h"

#include <errno.h>
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <unistd.h>

const char *tp_events_dir(char *reason, size_t len)
{
	static const char *const dirs[] = { "/sys/kernel/tracing/events",
					    "/sys/kernel/debug/tracing/events" };

	for (size_t i = 0; i < 2; i++)
		if (!access(dirs[i], R_OK))
			return dirs[i];
	if (geteuid() == 0 && !mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL) &&
	    !access(dirs[0], R_OK))
		return dirs[0];
	snprintf(reason, len, geteuid() ? "tracefs not readable (needs root)"
					 : "tracefs not mounted and mounting it at /sys/kernel/tracing failed");
	return NULL;
}

static long tp_id(const char *dir, const char *sys, const char *name)
{
	char path[512];
	FILE *f;
	long id = -1;

	snprintf(path, sizeof(path), "%s/%s/%s/id", dir, sys, name);
	if (!(f = fopen(path, "re")))
		return -errno;
	if (fscanf(f, "%ld", &id) != 1)
		id = -EINVAL;
	fclose(f);
	return id;
}

/*
 * Open sys:name (with the ftrace filter when not NULL) as counter metric:
 * for this task (cpuwide 0), or for every task on every CPU (1; fds summed).
 * orders > 0 (events with an `order` field): one event per folio order
 * 0 .. orders-2 and one for order >= orders-1, each counted times 2^order,
 * so the sum is in pages.
 */
static struct ctr *add_tp_cpus(struct ctr_set *s, const char *dir, const char *why, const char *sys,
			       const char *name, const char *filter, const char *metric,
			       const char *unit, int cpuwide, unsigned orders)
{
	char ev[sizeof(((struct ctr *)0)->event)], f[256];
	struct ctr *c;
	struct perf_event_attr a;
	long id, fd;
	unsigned nv = orders ? orders : 1;

	if (filter)
		snprintf(ev, sizeof(ev), "%.20s:%.40s if %.50s%s", sys, name, filter, orders ? " (x 2^order)" : "");
	else
		snprintf(ev, sizeof(ev), "%s:%s", sys, name);
	if (!(c = ctr_new(s, metric, ev, unit, CTR_TP)))
		return NULL;
	if (!dir) {
		c->status = geteuid() ? AN_STATUS_NOT_PERMITTED : AN_STATUS_UNSUPPORTED;
		snprintf(c->reason, sizeof(c->reason), "tracepoint %s: %s", ev, why);
		return c;
	}
	if ((id = tp_id(dir, sys, name)) < 0) {
		c->status = id == -EACCES ? AN_STATUS_NOT_PERMITTED : AN_STATUS_UNSUPPORTED;
		snprintf(c->reason, sizeof(c->reason), "tracepoint %s: %s/%s/%s/id: %s", ev, dir, sys,
			 name, strerror((int)-id));
		return c;
	}
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = PERF_TYPE_TRACEPOINT;
	a.config = (uint64_t)id;
	a.disabled = 1;
	a.inherit = s->inherit && !cpuwide ? 1 : 0;
	a.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
	/* per task: pid 0, any CPU; CPU-wide: pid -1 on each CPU (offline ones refuse with ENODEV) */
	long ncpu = cpuwide ? sysconf(_SC_NPROCESSORS_CONF) : 1;
	if (ncpu < 1)
		ncpu = 1;
	if ((unsigned long)ncpu * nv > CTR_XFD + 1) {
		c->status = AN_STATUS_UNSUPPORTED;
		snprintf(c->reason, sizeof(c->reason), "%s: %ld CPUs x %u events need more than %u perf fds",
			 ev, ncpu, nv, CTR_XFD + 1);
		return c;
	}
	for (long cpu = 0; cpu < ncpu; cpu++) {
		int skip = 0;
		for (unsigned v = 0; v < nv && !skip; v++) {
			if (orders)
				snprintf(f, sizeof(f), "%s && order %s %u", filter, v + 1 < nv ? "==" : ">=", v);
			fd = syscall(SYS_perf_event_open, &a, cpuwide ? -1 : 0, cpuwide ? (int)cpu : -1, -1,
				     PERF_FLAG_FD_CLOEXEC);
			if (fd < 0 && cpuwide && errno == ENODEV && cpu > 0 && v == 0) {
				skip = 1; /* an offline CPU */
				continue;
			}
			if (fd < 0) {
				ctr_set_open_error(c, errno);
				goto fail;
			}
			if (filter && ioctl((int)fd, PERF_EVENT_IOC_SET_FILTER, orders ? f : filter)) {
				int e = errno;
				close((int)fd);
				c->status = e == EACCES || e == EPERM ? AN_STATUS_NOT_PERMITTED : AN_STATUS_UNSUPPORTED;
				snprintf(c->reason, sizeof(c->reason), "PERF_EVENT_IOC_SET_FILTER(%.80s) on %s:%s: %s",
					 orders ? f : filter, sys, name, strerror(e));
				goto fail;
			}
			if (c->fd < 0) {
				c->fd = (int)fd; /* CPU 0, order 0 */
			} else {
				c->xshift[c->nxfd] = (uint8_t)(orders ? v : 0);
				c->xfd[c->nxfd++] = (int)fd;
			}
		}
	}
	c->status = AN_STATUS_OK;
	c->reason[0] = 0;
	return c;
fail:
	if (c->fd >= 0)
		close(c->fd);
	for (unsigned k = 0; k < c->nxfd; k++)
		close(c->xfd[k]);
	c->fd = -1;
	c->nxfd = 0;
	return c;
}

static struct ctr *add_tp_filter(struct ctr_set *s, const char *dir, const char *why, const char *sys,
				 const char *name, const char *filter, const char *metric,
				 const char *unit)
{
	return add_tp_cpus(s, dir, why, sys, name, filter, metric, unit, 0, 0);
}

void tp_add_file_evictions(struct ctr_set *s, const char *path)
{
	char why[200] = "", filter[96];
	const char *dir = tp_events_dir(why, sizeof(why));
	struct stat st;
	struct ctr *c;

	if (stat(path, &st)) {
		if ((c = ctr_new(s, "cache.evicted", "filemap:mm_filemap_delete_from_page_cache", "pages",
				 CTR_TP))) {
			c->status = AN_STATUS_ERROR;
			snprintf(c->reason, sizeof(c->reason), "stat(%.150s): %s", path, strerror(errno));
		}
		return;
	}
	/* the kernel's dev_t in the event: major << 20 | minor (MINORBITS 20, include/linux/kdev_t.h) */
	snprintf(filter, sizeof(filter), "s_dev == %llu && i_ino == %llu",
		 ((unsigned long long)major(st.st_dev) << 20) | minor(st.st_dev), (unsigned long long)st.st_ino);
	/* folio orders 0..8 each, and >= 9 (MAX_PAGECACHE_ORDER on x86-64: PMD order 9) */
	c = add_tp_cpus(s, dir, why, "filemap", "mm_filemap_delete_from_page_cache", filter, "cache.evicted",
			"pages", 1, 10);
	if (c && c->status == AN_STATUS_OK)
		snprintf(c->note, sizeof(c->note), "pages of the data file (%u:%u ino %llu) any task removed "
			 "(kdamond, kswapd, reclaim, truncation), all CPUs", major(st.st_dev), minor(st.st_dev),
			 (unsigned long long)st.st_ino);
}

static struct ctr *add_tp(struct ctr_set *s, const char *dir, const char *why, const char *sys,
			  const char *name, const char *metric, const char *unit)
{
	return add_tp_filter(s, dir, why, sys, name, NULL, metric, unit);
}

long long tp_interrupts_tlb(void)
{
	FILE *f = fopen("/proc/interrupts", "re");
	char line[4096];
	long long sum = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *p = line, *end;

		while (*p == ' ')
			p++;
		if (strncmp(p, "TLB:", 4))
			continue;
		sum = 0;
		for (p += 4;; p = end) {
			long long v = strtoll(p, &end, 10);
			if (end == p)
				break;
			sum += v;
		}
		break;
	}
	fclose(f);
	return sum;
}

/* A /proc/interrupts TLB counter as metric (system-wide). */
static void add_irq_tlb(struct ctr_set *s, const char *metric, const char *note)
{
	struct ctr *c = ctr_new(s, metric, "/proc/interrupts TLB", "count", CTR_PROC);

	if (!c)
		return;
	if (tp_interrupts_tlb() < 0) {
		c->status = AN_STATUS_UNSUPPORTED;
		snprintf(c->reason, sizeof(c->reason), "no TLB line in /proc/interrupts (not x86?)");
		return;
	}
	c->proc_read = tp_interrupts_tlb;
	c->status = AN_STATUS_OK;
	c->reason[0] = 0;
	snprintf(c->note, sizeof(c->note), "%s", note);
}

/* TLB flushes by reason (file comment), with the /proc/interrupts fallback. */
static void add_tlb(struct ctr_set *s, const char *dir, const char *why)
{
	struct ctr *c = add_tp_filter(s, dir, why, "tlb", "tlb_flush", "reason == 4", "tlb.shootdowns",
				      "count");

	if (c && c->status != AN_STATUS_OK) {
		char was[sizeof(c->reason)];

		snprintf(was, sizeof(was), "%s", c->reason);
		s->n--; /* replace the slot by the fallback, keeping why in its note */
		add_irq_tlb(s, "tlb.shootdowns", "");
		c = &s->c[s->n - 1];
		if (c->status == AN_STATUS_OK)
			snprintf(c->note, sizeof(c->note),
				 "fallback: /proc/interrupts TLB, shootdown IPIs received on all CPUs, "
				 "system-wide (%.70s)", was);
	}
	add_tp_filter(s, dir, why, "tlb", "tlb_flush", "reason == 2 || reason == 3", "tlb.flush.local",
		      "count");
	add_tp_filter(s, dir, why, "tlb", "tlb_flush", "reason == 1", "tlb.flush.remote_received",
		      "count");
	add_irq_tlb(s, "interrupts.tlb", "system-wide: shootdown IPIs received on all CPUs, by every "
		    "process, from the counter reset to its read");
}

void tp_add_default(struct ctr_set *s)
{
	char why[200] = "";
	const char *dir = tp_events_dir(why, sizeof(why));
	struct ctr *c, *r, *p;

	if ((c = add_tp(s, dir, why, "raw_syscalls", "sys_enter", "syscalls", "count")))
		c->syscall_bias = 1;
	if (c && s->inherit) {
		/*
		 * Replay threads (threads.c): their gate and join (futex), their exit
		 * (glibc blocks signals first: rt_sigprocmask, then exit) and glibc's
		 * release of thread stacks (madvise) are in the phase but are not the
		 * method's (measured with perf trace: futex, rt_sigprocmask, exit):
		 * counted apart and taken out of syscalls.
		 */
		char f[128];
		size_t ci = (size_t)(c - s->c);
		snprintf(f, sizeof(f), "id == %d || id == %d || id == %d || id == %d", SYS_futex, SYS_exit,
			 SYS_madvise, SYS_rt_sigprocmask);
		struct ctr *t = add_tp_filter(s, dir, why, "raw_syscalls", "sys_enter", f, "syscalls.threads", "count");
		if (t) {
			c = &s->c[ci];
			c->minus = (int)(t - s->c) + 1;
			snprintf(c->note, sizeof(c->note), "less syscalls.threads: the replay threads' futex, "
				 "rt_sigprocmask, exit and stack madvise calls");
		}
	}
	r = add_tp(s, dir, why, "syscalls", "sys_enter_read", "syscalls.sys_read", "count");
	p = add_tp(s, dir, why, "syscalls", "sys_enter_pread64", "syscalls.sys_pread64", "count");
	if (r && p && (c = ctr_new(s, "syscalls.read", "sys_enter_read + sys_enter_pread64", "count",
				   CTR_DERIVED))) {
		c->derived_a = (int)(r - s->c);
		c->derived_b = (int)(p - s->c);
		c->derived_add = 1;
		c->status = AN_STATUS_OK;
		c->reason[0] = 0;
	}
	add_tp(s, dir, why, "exceptions", "page_fault_user", "faults.tracepoint", "count");
	add_tp(s, dir, why, "filemap", "mm_filemap_add_to_page_cache", "pagecache.added", "folios");
	add_tlb(s, dir, why);
	add_tp(s, dir, why, "mmap_lock", "mmap_lock_start_locking", "mmap_lock.acquires", "count");
	add_tp_filter(s, dir, why, "lock", "contention_begin", "(flags & 6) && !(flags & 17)",
		      "lock.rwsem_waits", "count");
}
