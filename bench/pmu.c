/*
 * bench/pmu.c — counter sets and PMU/software events. Event names are encoded
 * with libpfm4 (pfm_get_os_event_encoding, PFM_OS_PERF_EVENT_EXT) when built
 * with it, else from a small table of generic perf encodings (and the note
 * says so). Hardware events form one perf group (scheduled together); every
 * counter reads value, time_enabled and time_running and is scaled by
 * enabled/running, the ratio kept. Hardware events are also opened a second
 * time with exclude_kernel (".user"), kernel = total - user (".kernel"),
 * where the host allows counting the kernel.
 */
#include "bench/counters.h"
#include "common/mb.h"
#include "config.h"

#include <errno.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#if HAVE_LIBPFM
#include <perfmon/pfmlib_perf_event.h>
#endif

/* ---- sets ---------------------------------------------------------------- */

void ctr_set_init(struct ctr_set *s)
{
	memset(s, 0, sizeof(*s));
}

void ctr_set_fini(struct ctr_set *s)
{
	for (size_t i = 0; i < s->n; i++) {
		if (s->c[i].fd >= 0)
			close(s->c[i].fd);
		for (unsigned k = 0; k < s->c[i].nxfd; k++)
			close(s->c[i].xfd[k]);
		free(s->c[i].samples);
	}
	s->n = 0;
}

struct ctr *ctr_new(struct ctr_set *s, const char *metric, const char *event, const char *unit,
		    enum ctr_kind kind)
{
	struct ctr *c;

	if (s->n >= CTR_MAX)
		return NULL;
	c = &s->c[s->n++];
	memset(c, 0, sizeof(*c));
	snprintf(c->metric, sizeof(c->metric), "%s", metric);
	snprintf(c->event, sizeof(c->event), "%s", event);
	c->unit = unit;
	c->kind = kind;
	c->fd = -1;
	c->min_ratio = 1.0;
	c->status = AN_STATUS_ERROR;
	snprintf(c->reason, sizeof(c->reason), "not opened");
	return c;
}

int pmu_kernel_has_cpu_pmu(void)
{
	return !access("/sys/bus/event_source/devices/cpu", F_OK) ||
	       !access("/sys/bus/event_source/devices/cpu_core", F_OK);
}

void ctr_set_open_error(struct ctr *c, int err)
{
	int perm = err == EACCES || err == EPERM;

	c->status = perm ? AN_STATUS_NOT_PERMITTED : AN_STATUS_UNSUPPORTED;
	snprintf(c->reason, sizeof(c->reason), "perf_event_open(%s): %s%s", c->event, strerror(err),
		 perm ? " (needs root or a lower /proc/sys/kernel/perf_event_paranoid)"
		 : (!pmu_kernel_has_cpu_pmu() && (err == ENOENT || err == EOPNOTSUPP || err == ENODEV ||
						 err == EINVAL))
		 ? " (no hardware PMU exposed: /sys/bus/event_source/devices/cpu absent)" : "");
}

static long perf_open(struct perf_event_attr *a, int group)
{
	return syscall(SYS_perf_event_open, a, 0, -1, group, PERF_FLAG_FD_CLOEXEC);
}

/* ---- names ------------------------------------------------------------- */

static const struct {
	const char *event;  /* perf/libpfm4 name */
	const char *metric; /* DESIGN.md metric */
} metric_map[] = {
	{ "cycles", "pmu.cycles" },  /* "cycles" itself is the TSC count of the phase */
	{ "instructions", "instructions" },
	{ "dTLB-load-misses", "tlb.l1d.miss" },
	{ "dTLB-store-misses", "tlb.l1d.store_miss" },
	{ "page-faults", "faults.total" },
	{ "minor-faults", "faults.minor" },
	{ "major-faults", "faults.major" },
};

const char *pmu_metric_for(const char *event)
{
	for (size_t i = 0; i < MB_ARRAY_SIZE(metric_map); i++)
		if (!strcmp(event, metric_map[i].event))
			return metric_map[i].metric;
	return NULL;
}

/* Generic encodings used without libpfm4. */
static const struct {
	const char *name; /* perf name */
	uint32_t type;    /* PERF_TYPE_* */
	uint64_t config;  /* config */
} generic[] = {
	{ "cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES },
	{ "instructions", PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS },
	{ "dTLB-load-misses", PERF_TYPE_HW_CACHE, PERF_COUNT_HW_CACHE_DTLB |
	  (PERF_COUNT_HW_CACHE_OP_READ << 8) | (PERF_COUNT_HW_CACHE_RESULT_MISS << 16) },
	{ "dTLB-store-misses", PERF_TYPE_HW_CACHE, PERF_COUNT_HW_CACHE_DTLB |
	  (PERF_COUNT_HW_CACHE_OP_WRITE << 8) | (PERF_COUNT_HW_CACHE_RESULT_MISS << 16) },
	{ "page-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS },
	{ "minor-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS_MIN },
	{ "major-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS_MAJ },
	{ "context-switches", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES },
	{ "cpu-migrations", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_MIGRATIONS },
};

#if HAVE_LIBPFM
static int pfm_ready = -1; /* -1 unknown, 0 failed, 1 initialised */

static int pfm_init_once(void)
{
	if (pfm_ready < 0)
		pfm_ready = pfm_initialize() == PFM_SUCCESS;
	return pfm_ready;
}

const char *pmu_libpfm_name(void)
{
	static char name[64];
	pfm_pmu_info_t pi;
	int p;

	if (!pfm_init_once())
		return NULL;
	pfm_for_all_pmus(p) {
		memset(&pi, 0, sizeof(pi));
		if (pfm_get_pmu_info(p, &pi) == PFM_SUCCESS && pi.is_present &&
		    pi.type == PFM_PMU_TYPE_CORE) {
			snprintf(name, sizeof(name), "%s", pi.name);
			return name;
		}
	}
	return NULL;
}
#else
const char *pmu_libpfm_name(void)
{
	return NULL;
}
#endif

/* Encode name into a; 0 or -ENOENT with a reason. */
static int encode(const char *name, struct perf_event_attr *a, char *why, size_t len)
{
	memset(a, 0, sizeof(*a));
#if HAVE_LIBPFM
	if (pfm_init_once()) {
		pfm_perf_encode_arg_t arg;
		int r;

		memset(&arg, 0, sizeof(arg));
		arg.attr = a;
		arg.size = sizeof(arg);
		r = pfm_get_os_event_encoding(name, PFM_PLM0 | PFM_PLM3, PFM_OS_PERF_EVENT_EXT, &arg);
		if (r == PFM_SUCCESS) {
			a->size = sizeof(*a);
			return 0;
		}
		snprintf(why, len, "libpfm4 cannot encode '%s': %s", name, pfm_strerror(r));
		return -ENOENT;
	}
#endif
	for (size_t i = 0; i < MB_ARRAY_SIZE(generic); i++)
		if (!strcmp(name, generic[i].name)) {
			a->type = generic[i].type;
			a->config = generic[i].config;
			a->size = sizeof(*a);
			return 0;
		}
	snprintf(why, len, "'%s' is not a generic perf event and this build has no libpfm4", name);
	return -ENOENT;
}

/* Page-walk candidates per PMU family: metric, event. The first that encodes wins. */
static const struct {
	const char *metric; /* DESIGN.md metric */
	const char *event;  /* libpfm4 name */
} walk_events[] = {
	{ "tlb.stlb.miss", "DTLB_LOAD_MISSES:WALK_COMPLETED" },  /* Intel core */
	{ "tlb.stlb.miss", "L1_DTLB_MISS:TLB_RELOAD_4K_L2_MISS:TLB_RELOAD_2M_L2_MISS:"
			   "TLB_RELOAD_1G_L2_MISS:TLB_RELOAD_COALESCED_PAGE_MISS" }, /* AMD Zen */
	{ "walk.cycles", "DTLB_LOAD_MISSES:WALK_ACTIVE" },       /* Intel Skylake+ */
	{ "walk.cycles", "DTLB_LOAD_MISSES:WALK_DURATION" },     /* Intel older */
};

static int paranoid(void)
{
	FILE *f = fopen("/proc/sys/kernel/perf_event_paranoid", "re");
	int v = 2;

	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = 2;
		fclose(f);
	}
	return v;
}

/* Open one event as counter(s); hardware events join *group. */
static void add_one(struct ctr_set *s, const char *metric, const char *name, int *group)
{
	struct perf_event_attr a;
	char why[200];
	struct ctr *c = ctr_new(s, metric, name, "count", CTR_PMU);
	int hw;
	long fd;

	if (!c)
		return;
	if (encode(name, &a, why, sizeof(why))) {
		c->status = AN_STATUS_UNSUPPORTED;
		snprintf(c->reason, sizeof(c->reason), "%s", why);
		return;
	}
	hw = a.type != PERF_TYPE_SOFTWARE && a.type != PERF_TYPE_TRACEPOINT;
	a.disabled = 1;
	a.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
	a.exclude_hv = 1;
	a.inherit = s->inherit ? 1 : 0;
	if (!hw) {
		a.exclude_kernel = 0;
		a.exclude_user = 0;
	}
	fd = perf_open(&a, hw ? *group : -1);
	if (fd < 0) {
		ctr_set_open_error(c, errno);
		return;
	}
	c->fd = (int)fd;
	c->status = AN_STATUS_OK;
	c->reason[0] = 0;
	if (hw && *group < 0)
		*group = (int)fd;
	if (hw && !a.exclude_kernel && !a.exclude_user) {
		/* user-only twin; kernel = total - user */
		char m[64], e[128];
		int ti = (int)(c - s->c);
		struct ctr *u;

		snprintf(m, sizeof(m), "%s.user", metric);
		snprintf(e, sizeof(e), "%s:u", name);
		if (!(u = ctr_new(s, m, e, "count", CTR_PMU)))
			return;
		a.exclude_kernel = 1;
		fd = perf_open(&a, *group);
		if (fd < 0) {
			ctr_set_open_error(u, errno);
			return;
		}
		u->fd = (int)fd;
		u->status = AN_STATUS_OK;
		u->reason[0] = 0;
		snprintf(m, sizeof(m), "%s.kernel", metric);
		snprintf(e, sizeof(e), "%s - %s:u", name, name);
		if ((c = ctr_new(s, m, e, "count", CTR_DERIVED))) {
			c->derived_a = ti;
			c->derived_b = (int)(u - s->c);
			c->status = AN_STATUS_OK;
			c->reason[0] = 0;
		}
	}
}

int pmu_add_events(struct ctr_set *s, const char *list, char *err, size_t errlen)
{
	static const char *const defaults[] = {
		"cycles", "instructions", "dTLB-load-misses", "dTLB-store-misses",
		"page-faults", "minor-faults", "major-faults",
	};
	int group = -1;

	(void)err;
	(void)errlen;
#if HAVE_LIBPFM
	snprintf(s->note, sizeof(s->note), "events encoded by libpfm4 (default PMU %s, kernel %s)",
		 pmu_libpfm_name() ? pmu_libpfm_name() : "none",
		 pmu_kernel_has_cpu_pmu() ? "exposes a cpu PMU" : "exposes no hardware PMU");
#else
	snprintf(s->note, sizeof(s->note),
		 "built without libpfm4: generic PERF_TYPE_HARDWARE/SOFTWARE encodings only");
#endif
	if (paranoid() > 1 && geteuid() != 0)
		snprintf(s->note + strlen(s->note), sizeof(s->note) - strlen(s->note),
			 "; perf_event_paranoid=%d: user space only", paranoid());
	if (!list) {
		int have_walk[2] = { 0, 0 };

		for (size_t i = 0; i < MB_ARRAY_SIZE(defaults); i++)
			add_one(s, pmu_metric_for(defaults[i]), defaults[i], &group);
		for (size_t i = 0; i < MB_ARRAY_SIZE(walk_events); i++) {
			struct perf_event_attr a;
			char why[200];
			int k = !strcmp(walk_events[i].metric, "walk.cycles");

			if (have_walk[k] || encode(walk_events[i].event, &a, why, sizeof(why)))
				continue;
			have_walk[k] = 1;
			add_one(s, walk_events[i].metric, walk_events[i].event, &group);
		}
		for (int k = 0; k < 2; k++)
			if (!have_walk[k]) {
				struct ctr *c = ctr_new(s, k ? "walk.cycles" : "tlb.stlb.miss",
							"(page-walk event)", "count", CTR_PMU);
				if (c) {
					c->status = AN_STATUS_UNSUPPORTED;
					snprintf(c->reason, sizeof(c->reason),
						 "no %s event for PMU %s in this build's event tables",
						 k ? "page-walk-cycles" : "completed-page-walk",
						 pmu_libpfm_name() ? pmu_libpfm_name() : "(none)");
				}
			}
		return 0;
	}
	char *copy = strdup(list), *save = NULL;
	if (!copy)
		return -ENOMEM;
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char m[64];
		const char *metric = pmu_metric_for(tok);

		if (!*tok)
			continue;
		if (!metric) {
			snprintf(m, sizeof(m), "event.%s", tok);
			metric = m;
		}
		add_one(s, metric, tok, &group);
	}
	free(copy);
	return 0;
}

/* ---- per repetition ------------------------------------------------------ */

/*
 * Reset, then note each counter's value as its base: a reset does not clear
 * the counts that exited inherited threads folded into the parent event
 * (child_count), so ctr_read reports the difference to the base.
 */
void ctr_reset(struct ctr_set *s)
{
	for (size_t i = 0; i < s->n; i++) {
		struct ctr *c = &s->c[i];
		long long v;

		memset(c->base, 0, sizeof(c->base));
		if (c->kind == CTR_PROC && c->proc_read && (v = c->proc_read()) >= 0)
			c->base[0] = (uint64_t)v;
		if (c->fd < 0)
			continue;
		for (unsigned k = 0; k < c->nxfd; k++) /* CPU-wide: never inherited, a reset clears them */
			ioctl(c->xfd[k], PERF_EVENT_IOC_RESET, 0);
		ioctl(c->fd, PERF_EVENT_IOC_RESET, 0);
		if (read(c->fd, c->base, sizeof(c->base)) != (ssize_t)sizeof(c->base))
			memset(c->base, 0, sizeof(c->base));
	}
}

void ctr_enable(void)
{
	prctl(PR_TASK_PERF_EVENTS_ENABLE, 0, 0, 0, 0);
}

void ctr_disable(void)
{
	prctl(PR_TASK_PERF_EVENTS_DISABLE, 0, 0, 0, 0);
}

static void push(struct ctr *c, double v)
{
	if (!c->samples)
		c->samples = calloc(CTR_MAX_REPS, sizeof(double));
	if (c->samples && c->nsamples < CTR_MAX_REPS)
		c->samples[c->nsamples++] = v;
}

void ctr_drop_last(struct ctr_set *s)
{
	for (size_t i = 0; s && i < s->n; i++)
		if (s->c[i].nsamples)
			s->c[i].nsamples--;
}

void ctr_read(struct ctr_set *s, unsigned ndisable)
{
	for (size_t i = 0; i < s->n; i++) {
		struct ctr *c = &s->c[i];
		uint64_t v[3];

		if (c->kind == CTR_PROC && c->status == AN_STATUS_OK && c->proc_read) {
			long long now = c->proc_read();
			if (now < 0 || (uint64_t)now < c->base[0]) {
				char why[sizeof(c->reason)];
				c->status = AN_STATUS_ERROR;
				snprintf(why, sizeof(why), "%.100s unreadable or went backwards", c->event);
				memcpy(c->reason, why, sizeof(why));
				continue;
			}
			push(c, (double)((uint64_t)now - c->base[0]));
			continue;
		}
		if (c->fd < 0 || c->status != AN_STATUS_OK)
			continue;
		if (read(c->fd, v, sizeof(v)) != (ssize_t)sizeof(v)) {
			c->status = AN_STATUS_ERROR;
			char why[sizeof(c->reason)];
			snprintf(why, sizeof(why), "read(%.100s): %s", c->event, strerror(errno));
			memcpy(c->reason, why, sizeof(why));
			continue;
		}
		for (int k = 0; k < 3; k++) /* since ctr_reset (see there) */
			v[k] = v[k] >= c->base[k] ? v[k] - c->base[k] : 0;
		for (unsigned k = 0; k < c->nxfd; k++) { /* the other CPUs' counts (software: not multiplexed) */
			uint64_t x[3];
			if (read(c->xfd[k], x, sizeof(x)) == (ssize_t)sizeof(x))
				v[0] += x[0] << c->xshift[k];
		}
		if (v[2] == 0 && v[1] != 0) {
			c->status = AN_STATUS_ERROR;
			char why[sizeof(c->reason)];
			snprintf(why, sizeof(why), "%.100s was enabled %llu ns but never scheduled on the PMU",
				 c->event, (unsigned long long)v[1]);
			memcpy(c->reason, why, sizeof(why));
			continue;
		}
		double val = (double)v[0];
		if (v[2] && v[2] < v[1]) {
			double r = (double)v[2] / (double)v[1];
			val /= r;
			if (r < c->min_ratio)
				c->min_ratio = r;
		}
		if (c->syscall_bias)
			val -= ndisable;
		push(c, val);
	}
	for (size_t i = 0; i < s->n; i++) { /* a counter less another (syscalls less the thread machinery's) */
		struct ctr *c = &s->c[i], *m = s->c[i].minus ? &s->c[s->c[i].minus - 1] : NULL;

		if (!m || c->status != AN_STATUS_OK || !c->nsamples)
			continue;
		if (m->status != AN_STATUS_OK || !m->nsamples) {
			char why[sizeof(c->reason)];
			c->status = m->status != AN_STATUS_OK ? m->status : AN_STATUS_ERROR;
			snprintf(why, sizeof(why), "needs %.60s to subtract: %.150s", m->event,
				 m->status != AN_STATUS_OK ? m->reason : "no sample");
			memcpy(c->reason, why, sizeof(why));
			continue;
		}
		c->samples[c->nsamples - 1] -= m->samples[m->nsamples - 1];
	}
	for (size_t i = 0; i < s->n; i++) {
		struct ctr *c = &s->c[i], *a, *b;

		if (c->kind != CTR_DERIVED)
			continue;
		a = &s->c[c->derived_a];
		b = &s->c[c->derived_b];
		if (a->status != AN_STATUS_OK || b->status != AN_STATUS_OK) {
			c->status = b->status != AN_STATUS_OK ? b->status : a->status;
			char why[sizeof(c->reason)];
			snprintf(why, sizeof(why), "needs %.60s and %.60s: %.100s", a->event, b->event,
				 b->status != AN_STATUS_OK ? b->reason : a->reason);
			memcpy(c->reason, why, sizeof(why));
			continue;
		}
		if (a->nsamples && b->nsamples)
			push(c, a->samples[a->nsamples - 1] +
				     (c->derived_add ? 1 : -1) * b->samples[b->nsamples - 1]);
	}
}

void ctr_emit(const struct ctr_set *s, json_t *co)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct ctr *c = &s->c[i];

		if (c->status != AN_STATUS_OK) {
			an_case_set_status(co, c->metric, c->unit, c->status, c->reason);
			continue;
		}
		if (!c->nsamples) {
			an_case_set_status(co, c->metric, c->unit, AN_STATUS_ERROR, "no repetition was measured");
			continue;
		}
		an_case_set_samples(co, c->metric, c->unit, c->samples, c->nsamples);
		if (c->min_ratio < 1.0) {
			json_t *m = an_case_metric(co, c->metric);
			if (m) {
				json_object_set_new(m, "status", json_string(an_status_name(AN_STATUS_MULTIPLEXED)));
				json_object_set_new(m, "scale_ratio", json_real(c->min_ratio));
			}
		}
		json_t *m = an_case_metric(co, c->metric);
		if (m)
			json_object_set_new(m, "event", json_string(c->event));
		if (m && c->note[0])
			json_object_set_new(m, "note", json_string(c->note));
	}
}

void os_usage_now(struct os_usage *u)
{
	struct rusage r;

	getrusage(RUSAGE_SELF, &r);
	u->minflt = r.ru_minflt;
	u->majflt = r.ru_majflt;
	u->inblock = r.ru_inblock;
	u->oublock = r.ru_oublock;
	u->nvcsw = r.ru_nvcsw;
	u->nivcsw = r.ru_nivcsw;
}
