/*
 * sim/tests/test_profile.c — the profile parser: both stock profiles parse
 * and carry KERNEL-NOTES policy; bad input (unknown key or section, negative
 * or absurd cost, missing source comment, bad mmu key) is refused with a
 * message naming the line, key, value and limit.
 */
#include "simtest.h"

#include <errno.h>

static void bad(const char *text, const char *must, const char *what)
{
	struct sim_profile p;
	char err[512] = "";
	int r = sim_profile_parse(text, strlen(text), "t.ini", &p, err, sizeof(err));
	if (!tap_ok(r == -EINVAL && strstr(err, must), "refused: %s", what))
		tap_diag("r=%d err='%s' (want '%s')", r, err, must);
}

int main(void)
{
	struct sim_profile p;

	st_profile("vm-host", &p);
	tap_ok(p.k.fault_around_pages == 16 && p.k.ra_pages == 2048 && p.k.io_pages == 1024,
	       "vm-host: fault_around 16, ra_pages 2048, io_pages 1024");
	tap_ok(p.k.whole_folio_map == SIM_WF_ANY && p.k.eof_folio_rule && p.k.ext4_large_folios &&
	       p.mmu.nested == 1, "vm-host: 6.18 behaviours, nested paging");
	st_profile("intel-server", &p);
	tap_ok(p.mmu.nested == 0 && p.mmu.stlb.entries == 2048 && p.ghz > 0, "intel-server parses (bare metal, STLB 2048)");

	bad("[cost]\nsyscall = -5 # x\n", "t.ini:2: key cost.syscall: value '-5' outside", "negative cost");
	bad("[cost]\nsyscall = 1e12 # x\n", "outside 0..", "absurd cost");
	bad("[cost]\nsycall = 5 # x\n", "t.ini:2: unknown key cost.sycall", "unknown key");
	bad("[costs]\n", "unknown section [costs]", "unknown section");
	bad("[cost]\nsyscall = 5\n", "has no source comment", "value without a source comment");
	bad("[kernel]\nversion = 5.10 # x\n", "kernel.version: value '5.10'", "unsupported kernel version");
	bad("[kernel]\nfault_around_pages = 12 # x\n", "powers of 2", "fault-around not a power of two");
	bad("[mmu]\nstlb.entires = 5 # x\n", "key mmu.stlb.entires", "unknown mmu key");
	bad("syscall = 5 # x\n", "before any [section]", "key outside a section");
	bad("[cost]\nsyscall = 5x # x\n", "is not a number", "not a number");
	bad("[kernel]\nio_sched = cfq # x\n", "kernel.io_sched: value 'cfq' is not mq-deadline, none", "unknown I/O scheduler");
	{
		const char *s = "[kernel]\nio_sched = none # test\n";
		tap_ok(!sim_profile_parse(s, strlen(s), "t.ini", &p, NULL, 0) && p.k.io_sched == SIM_IOSCHED_FIFO,
		       "kernel.io_sched none: submission order");
	}

	/* version presets: 6.12 -> shmem-only whole folios, no ext4 large folios */
	const char *old = "[kernel]\nversion = 6.12 # test\n";
	tap_ok(!sim_profile_parse(old, strlen(old), "t.ini", &p, NULL, 0) &&
	       p.k.whole_folio_map == SIM_WF_SHMEM && !p.k.ext4_large_folios && !p.k.eof_folio_rule,
	       "kernel.version 6.12 presets the older behaviours");
	return tap_done();
}
