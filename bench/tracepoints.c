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
 * Limit: io_uring work punted to io-wq worker threads is not counted (other tasks).
 */
#include "bench/counters.h"

#include <errno.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
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

static struct ctr *add_tp(struct ctr_set *s, const char *dir, const char *why, const char *sys,
			  const char *name, const char *metric, const char *unit)
{
	char ev[128];
	struct ctr *c;
	struct perf_event_attr a;
	long id, fd;

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
	a.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
	fd = syscall(SYS_perf_event_open, &a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0) {
		ctr_set_open_error(c, errno);
		return c;
	}
	c->fd = (int)fd;
	c->status = AN_STATUS_OK;
	c->reason[0] = 0;
	return c;
}

void tp_add_default(struct ctr_set *s)
{
	char why[200] = "";
	const char *dir = tp_events_dir(why, sizeof(why));
	struct ctr *c, *r, *p;

	if ((c = add_tp(s, dir, why, "raw_syscalls", "sys_enter", "syscalls", "count")))
		c->syscall_bias = 1;
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
}
