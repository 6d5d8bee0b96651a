/*
 * bench/stats.c — measurement discipline helpers: the TSC read and its rate
 * measured against CLOCK_MONOTONIC (never a hard-coded frequency), pinning to
 * one core and its NUMA node with hwloc, and sample statistics (median, min,
 * max, MAD = median of |x - median|, unscaled).
 */
#include "bench/bench.h"
#include "common/mb.h"
#include "config.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#endif
#if HAVE_HWLOC
#include <hwloc.h>
#endif

uint64_t bench_tsc(void)
{
#if defined(__x86_64__) || defined(__i386__)
	return __rdtsc();
#else
	return mb_now_ns();
#endif
}

double bench_tsc_ghz(void)
{
	static double ghz;

	if (ghz > 0)
		return ghz;
#if defined(__x86_64__) || defined(__i386__)
	/* median of 5 windows of ~4 ms each: robust to a preemption in one */
	double r[5];
	for (int i = 0; i < 5; i++) {
		uint64_t n0 = mb_now_ns(), t0 = bench_tsc(), n1, t1;
		do {
			n1 = mb_now_ns();
		} while (n1 - n0 < 4000000);
		t1 = bench_tsc();
		n1 = mb_now_ns();
		r[i] = (double)(t1 - t0) / (double)(n1 - n0);
	}
	struct bench_stat st;
	bench_stat(r, 5, &st);
	ghz = st.median;
#else
	ghz = 1.0; /* no TSC: bench_tsc() counts nanoseconds */
#endif
	return ghz;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median_sorted(const double *s, size_t n)
{
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

void bench_stat(const double *v, size_t n, struct bench_stat *out)
{
	double *s;

	memset(out, 0, sizeof(*out));
	if (!n || !(s = malloc(n * sizeof(*s))))
		return;
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_d);
	out->n = n;
	out->min = s[0];
	out->max = s[n - 1];
	out->median = median_sorted(s, n);
	for (size_t i = 0; i < n; i++)
		s[i] = s[i] > out->median ? s[i] - out->median : out->median - s[i];
	qsort(s, n, sizeof(*s), cmp_d);
	out->mad = median_sorted(s, n);
	free(s);
}

int bench_pin(int cpu, char *why, size_t len)
{
#if HAVE_HWLOC
	hwloc_topology_t t;
	hwloc_obj_t pu = NULL, core;
	int e = 0;

	if (hwloc_topology_init(&t) || hwloc_topology_load(t)) {
		snprintf(why, len, "hwloc: topology load failed");
		return -EIO;
	}
	if (cpu < 0) {
		int ncores = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_CORE);
		core = ncores > 0 ? hwloc_get_obj_by_type(t, HWLOC_OBJ_CORE, (unsigned)ncores - 1) : NULL;
		pu = core ? hwloc_get_obj_inside_cpuset_by_type(t, core->cpuset, HWLOC_OBJ_PU, 0) : NULL;
	} else {
		pu = hwloc_get_pu_obj_by_os_index(t, (unsigned)cpu);
	}
	if (!pu) {
		snprintf(why, len, "no CPU %d in this machine's topology (%d PUs)", cpu,
			 hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_PU));
		hwloc_topology_destroy(t);
		return -EINVAL;
	}
	if (hwloc_set_cpubind(t, pu->cpuset, HWLOC_CPUBIND_THREAD)) {
		e = -errno;
		snprintf(why, len, "hwloc_set_cpubind(PU %u): %s", pu->os_index, strerror(errno));
	} else {
		hwloc_obj_t node = hwloc_get_ancestor_obj_by_type(t, HWLOC_OBJ_PACKAGE, pu);
		int membind = !hwloc_set_membind(t, pu->nodeset, HWLOC_MEMBIND_BIND,
						 HWLOC_MEMBIND_THREAD | HWLOC_MEMBIND_BYNODESET);
		(void)node;
		snprintf(why, len, "hwloc: PU %u, memory %s", pu->os_index,
			 membind ? "bound to its NUMA node" : "not bound (single node or unsupported)");
		e = (int)pu->os_index;
	}
	hwloc_topology_destroy(t);
	return e;
#else
	cpu_set_t set;
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (cpu < 0)
		cpu = (int)n - 1;
	if (cpu >= n) {
		snprintf(why, len, "no CPU %d (%ld online)", cpu, n);
		return -EINVAL;
	}
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		snprintf(why, len, "sched_setaffinity(%d): %s", cpu, strerror(errno));
		return -errno;
	}
	snprintf(why, len, "sched_setaffinity (built without hwloc): CPU %d, memory not bound", cpu);
	return cpu;
#endif
}
