/*
 * sim/profile.c — cost profiles: defaults and the INI parser. Keys are data
 * (one table: "section.key" -> field offset, type, limits, help); the [mmu]
 * section is handed to mmu_config_set. Every key line must carry a '#'
 * comment naming where its value comes from. The parser works on a buffer
 * (the CLI reads the file): sim/ does no I/O.
 *
 * Invariants: a parsed profile passes mmu_config_check; every cost lies
 * within its key's [min, max]; unknown keys and sections are errors.
 */
#include "sim/sim.h"

#include "common/mb.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum ktype { KT_U32, KT_DOUBLE, KT_WF, KT_THP, KT_SCHED, KT_VERSION };

struct key {
	const char *name; /* "section.key" */
	enum ktype type;  /* value type */
	size_t off;       /* offset in struct sim_profile */
	double min, max;  /* accepted range (numbers) */
	const char *help; /* one line */
};

#define K(f) offsetof(struct sim_profile, k.f)
#define C(f) offsetof(struct sim_profile, c.f)
static const struct key keys[] = {
	{ "profile.ghz", KT_DOUBLE, offsetof(struct sim_profile, ghz), 0.1, 10, "cycles per ns (TSC / core GHz)" },
	{ "kernel.version", KT_VERSION, K(version), 0, 0, "6.1|6.6|6.12|6.14|6.16|6.18: presets the behaviour keys below" },
	{ "kernel.fault_around_pages", KT_U32, K(fault_around_pages), 1, 512, "fault-around window (pages, power of 2)" },
	{ "kernel.ra_pages", KT_U32, K(ra_pages), 0, 1 << 20, "read_ahead_kb / 4" },
	{ "kernel.io_pages", KT_U32, K(io_pages), 0, 1 << 20, "max_sectors_kb / 4" },
	{ "kernel.whole_folio_map", KT_WF, K(whole_folio_map), 0, 0, "finish_fault maps whole folios: none|shmem|any" },
	{ "kernel.faultaround_whole_folio", KT_U32, K(faultaround_whole_folio), 0, 1, "fault-around maps whole large folios" },
	{ "kernel.eof_folio_rule", KT_U32, K(eof_folio_rule), 0, 1, "i_size checks in fault-around/finish_fault (6.18)" },
	{ "kernel.ext4_large_folios", KT_U32, K(ext4_large_folios), 0, 1, "ext4 page cache uses large folios" },
	{ "kernel.max_folio_order", KT_U32, K(max_folio_order), 0, 9, "largest page-cache folio order" },
	{ "kernel.write_folio_max", KT_U32, K(write_folio_max), 1, 512, "largest folio a write creates (pages, power of 2)" },
	{ "kernel.mmap_lotsamiss", KT_U32, K(mmap_lotsamiss), 0, 100000, "MMAP_LOTSAMISS" },
	{ "kernel.thp_anon", KT_THP, K(thp_anon), 0, 0, "transparent_hugepage/enabled: never|madvise|always" },
	{ "kernel.io_sched", KT_SCHED, K(io_sched), 0, 0,
	  "the device's queue/scheduler: mq-deadline (a batch completes in sector order) | none | kyber | bfq "
	  "(modelled as submission order)" },
	{ "kernel.thp_zero_page", KT_U32, K(thp_zero_page), 0, 1, "transparent_hugepage/use_zero_page" },
	{ "kernel.anon_mthp_order", KT_U32, K(anon_mthp_order), 0, 8, "largest enabled anonymous mTHP order below PMD" },
	{ "kernel.st_blksize", KT_U32, K(st_blksize), 0, 1 << 24, "st_blksize of the file system" },
	{ "kernel.tmpfs_st_blksize", KT_U32, K(tmpfs_st_blksize), 0, 1 << 24, "st_blksize on tmpfs" },
	{ "cost.user_access", KT_U32, C(user_access), 0, 10000, "cycles per record (load/store, L1D hit)" },
	{ "cost.user_line", KT_U32, C(user_line), 0, 10000, "cycles per further 64-byte line" },
	{ "cost.fold_mcyc_per_byte", KT_U32, C(fold_mcyc_per_byte), 0, 100000, "checksum fold of cached bytes, milli-cycles per byte" },
	{ "cost.mem_line_seq", KT_U32, C(mem_line_seq), 0, 100000, "cycles per 64-byte line streamed from DRAM" },
	{ "cost.mem_line_rand", KT_U32, C(mem_line_rand), 0, 100000, "cycles per 64-byte line fetched from DRAM at random" },
	{ "cost.mem_line_indep", KT_U32, C(mem_line_indep), 0, 100000, "cycles per random DRAM line whose miss overlaps others' (independent loads, no fault between; 0: mem_line_rand)" },
	{ "cost.mem_line_fresh", KT_U32, C(mem_line_fresh), 0, 100000, "cycles per further line of a 4 KiB page entered at random (0: as mem_line_seq)" },
	{ "cost.llc_bytes", KT_U32, C(llc_bytes), 0, 4000000000.0, "last-level cache bytes (regions above it stream from DRAM)" },
	{ "cost.fault_entry", KT_U32, C(fault_entry), 0, 1000000, "cycles per fault (entry, exit, handler)" },
	{ "cost.fault_pte", KT_U32, C(fault_pte), 0, 100000, "cycles per PTE installed" },
	{ "cost.fault_pmd", KT_U32, C(fault_pmd), 0, 100000, "cycles per PMD installed" },
	{ "cost.fault_mkwrite", KT_U32, C(fault_mkwrite), 0, 10000000, "cycles per ->page_mkwrite call (shared-mapping write fault on ext4), beyond the file fault" },
	{ "cost.fault_mkwrite_page", KT_U32, C(fault_mkwrite_page), 0, 1000000, "cycles per page of the folio ->page_mkwrite makes writable (ext4 buffer heads)" },
	{ "cost.fault_mkwrite_bh", KT_U32, C(fault_mkwrite_bh), 0, 1000000, "cycles per page of a folio without buffer heads (read from the device) the first ->page_mkwrite makes writable, beyond fault_mkwrite_page" },
	{ "cost.fault_pte_cold", KT_U32, C(fault_pte_cold), 0, 100000, "cycles per page of a large file folio mapped with its struct page not cached (the per-page rmap update's miss; 0: not priced)" },
	{ "cost.fault_folio", KT_U32, C(fault_folio), 0, 100000, "cycles per page-cache lookup in a fault" },
	{ "cost.zero_4k", KT_U32, C(zero_4k), 0, 1000000, "cycles to zero 4 KiB" },
	{ "cost.zero_2m", KT_U32, C(zero_2m), 0, 100000000, "cycles to zero 2 MiB" },
	{ "cost.copy_4k", KT_U32, C(copy_4k), 0, 1000000, "cycles per COW fault's new page (allocate, charge, copy 4 KiB, rmap)" },
	{ "cost.cow_wp", KT_U32, C(cow_wp), 0, 1000000, "cycles a COW of a read-only-mapped file page (wp_page_copy) costs beyond copy_4k: old PTE cleared and flushed, page-cache rmap dropped" },
	{ "cost.syscall", KT_U32, C(syscall), 0, 1000000, "cycles per syscall entry+exit" },
	{ "cost.pc_lookup", KT_U32, C(pc_lookup), 0, 100000, "cycles per folio in a read() page-cache walk" },
	{ "cost.ra_skip", KT_U32, C(ra_skip), 0, 100000, "cycles per cached folio a readahead window (page_cache_ra_unbounded) steps over (0: not priced)" },
	{ "cost.copy_mcyc_per_byte", KT_U32, C(copy_mcyc_per_byte), 0, 100000, "copy cost, milli-cycles per byte" },
	{ "cost.io_request", KT_U32, C(io_request), 0, 1e9, "cycles per synchronous device-read wait" },
	{ "cost.io_page", KT_U32, C(io_page), 0, 1e8, "cycles per 4 KiB read from the device" },
	{ "cost.io_stream", KT_U32, C(io_stream), 0, 1e8, "device cycles per 4 KiB of an asynchronous readahead window, overlapped with the task (0: io_page each, not overlapped)" },
	{ "cost.io_page_sync", KT_U32, C(io_page_sync), 0, 1e8, "cycles per 4 KiB of a synchronous window waited for (0: as io_page)" },
	{ "cost.io_queue", KT_DOUBLE, C(io_queue), 1, 1024, "device requests served at once (io_uring qd > 1 overlaps that many synchronous waits; 1: serial)" },
	{ "cost.io_threads", KT_DOUBLE, C(io_threads), 1, 64, "speed-up of concurrent threads' synchronous device waits over one thread's (device served min(threads, this) waits at once; 1: serial)" },
	{ "cost.io_page_sync_pmd", KT_U32, C(io_page_sync_pmd), 0, 1e8, "cycles per 4 KiB of a PMD-sized folio in a synchronous window waited for (0: as io_page_sync)" },
	{ "cost.stdio_call", KT_U32, C(stdio_call), 0, 100000, "cycles per fread() call in libc" },
	{ "cost.uring_sqe", KT_U32, C(uring_sqe), 0, 1000000, "cycles per io_uring SQE" },
	{ "cost.uring_wait", KT_U32, C(uring_wait), 0, 1000000, "cycles per io_uring_enter that waits for completions, beyond the syscall" },
	{ "cost.uring_punt", KT_U32, C(uring_punt), 0, 10000000, "cycles per SQE punted to io-wq (file without FMODE_NOWAIT: tmpfs)" },
	{ "cost.uring_punt_wait", KT_U32, C(uring_punt_wait), 0, 10000000, "cycles per waiting io_uring_enter that sleeps for io-wq completions" },
	{ "cost.uring_reap_io", KT_DOUBLE, C(uring_reap_io), 0, 1024, "completions a waiting io_uring_enter finds posted when its reads wait for the device (mean; 0: all in flight)" },
	{ "cost.uring_reap_punt", KT_DOUBLE, C(uring_reap_punt), 0, 1024, "completions a waiting io_uring_enter finds posted when its reads were punted to io-wq (mean; 0: all in flight)" },
	{ "cost.uring_punt_wake", KT_U32, C(uring_punt_wake), 0, 100000000, "cycles a waiting io_uring_enter sleeps past the first io-wq completion: it reaps the SQEs completed meanwhile, this over the cycles per SQE (0: cost.uring_reap_punt)" },
	{ "cost.uring_regfile_saving", KT_U32, C(uring_regfile_saving), 0, 1000000, "saved per SQE, registered file" },
	{ "cost.uring_regbuf_saving", KT_U32, C(uring_regbuf_saving), 0, 1000000, "saved per SQE, registered buffers" },
	{ "cost.tlb_flush", KT_U32, C(tlb_flush), 0, 1000000, "cycles per flush a fault issues" },
	/* issue 16: the interface's fixed names (calibrate writes exactly these) */
	{ "cost.direct_io", KT_U32, C(direct_io), 0, 1e8, "cycles per O_DIRECT request beyond cost.syscall (bio set-up, completion; device time as io_request + io_page_sync)" },
	{ "cost.reclaim_folio", KT_U32, C(reclaim_folio), 0, 1e8, "cycles per folio reclaimed (isolation, rmap unmap, free; no flush, no I/O)" },
	{ "cost.ipi", KT_U32, C(ipi), 0, 1e8, "cycles per remote CPU per TLB shootdown (IPI, remote flush, ack)" },
	{ "cost.swap_out", KT_U32, C(swap_out), 0, 1e9, "cycles per page written to swap (charged to the reclaimer)" },
	{ "cost.swap_in", KT_U32, C(swap_in), 0, 1e9, "cycles per page read from swap in do_swap_page" },
	{ "cost.lock_wait", KT_U32, C(lock_wait), 0, 1e8, "cycles a fault waits per concurrent faulting thread (mmap_lock / VMA lock)" },
	{ "kernel.page_cluster", KT_U32, K(page_cluster), 0, 10, "vm.page-cluster: swap readahead of 2^N pages" },
	{ "kernel.memcg_charge_batch", KT_U32, K(memcg_charge_batch), 0, 4096,
	  "MEMCG_CHARGE_BATCH: pages per memcg charge; the set-up's stock adds to a --mem-limit replay's budget" },
};

/* Keys added after the first profiles (issue 16; stop 24: fault_mkwrite_bh, cow_wp, io_stream): a profile
   file that lacks one gets its default and p->defaulted names it. */
static const char *const i16_keys[] = {
	"cost.direct_io", "cost.reclaim_folio", "cost.ipi", "cost.swap_out", "cost.swap_in",
	"cost.lock_wait", "kernel.page_cluster", "cost.fault_mkwrite_bh", "cost.cow_wp", "cost.io_stream", "cost.fault_pte_cold",
};

const char *const sim_profile_keys_help[] = {
	"profile.name — profile name", "profile.ghz — cycles per ns",
	"profile.fingerprint — hash of the host it was calibrated on (bench/fingerprint.h)",
	"profile.noisy — keys whose calibration runs disagreed beyond their bound",
	"kernel.* — policy (see sim/profile.c)", "cost.* — cycles per event",
	"mmu.* — keys of mmu_config_set (sim/mmu/mmu.h)", NULL,
};

/* Kernel-version presets (shared/KERNEL-NOTES.md "Versions"). */
static int apply_version(struct sim_kernel *k, const char *v)
{
	int maj, min;

	if (sscanf(v, "%d.%d", &maj, &min) != 2 || maj != 6 || min < 0 || min > 30)
		return -EINVAL;
	snprintf(k->version, sizeof(k->version), "%d.%d", maj, min);
	k->ext4_large_folios = min >= 16;
	k->whole_folio_map = min >= 18 ? SIM_WF_ANY : min >= 12 ? SIM_WF_SHMEM : SIM_WF_NONE;
	k->faultaround_whole_folio = min >= 18;
	k->eof_folio_rule = min >= 18;
	return 0;
}

void sim_profile_default(struct sim_profile *p)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "default");
	p->ghz = 2.0;
	apply_version(&p->k, "6.18");
	p->k.fault_around_pages = 16;
	p->k.ra_pages = 32; /* VM_READAHEAD_PAGES (128 KiB) */
	p->k.io_pages = 32;
	p->k.max_folio_order = 9;
	p->k.write_folio_max = 512;
	p->k.mmap_lotsamiss = 100;
	p->k.thp_anon = SIM_THP_MADVISE;
	p->k.io_sched = SIM_IOSCHED_MQ_DEADLINE; /* Debian's default for this VM's virtio disk */
	p->k.thp_zero_page = 1;
	p->k.st_blksize = 4096;
	p->k.tmpfs_st_blksize = 4096;
	p->c.user_access = 4;
	p->c.user_line = 1;
	p->c.fault_entry = 1000;
	p->c.fault_pte = 30;
	p->c.fault_pmd = 300;
	p->c.fault_folio = 50;
	p->c.zero_4k = 400;
	p->c.zero_2m = 200000;
	p->c.copy_4k = 500;
	p->c.syscall = 200;
	p->c.pc_lookup = 40;
	p->c.copy_mcyc_per_byte = 100;
	p->c.io_request = 50000;
	p->c.io_queue = 1; /* serial unless a profile says the device overlaps requests */
	/*
	 * Threads' blocking waits on one device: serial (1) unless a profile
	 * says more; measured 1.26 on the KVM guest's virtio-blk (host-vm.ini:
	 * 2 threads of cold O_DIRECT 4 KiB random reads vs 1, median of 3).
	 */
	p->c.io_threads = 1.0;
	p->c.io_page = 2000;
	p->c.stdio_call = 30;
	p->c.uring_sqe = 300;
	p->c.uring_regfile_saving = 30;
	p->c.uring_regbuf_saving = 60;
	p->c.tlb_flush = 500;
	/*
	 * Issue-16 defaults, all estimates until `mapbench calibrate` measures
	 * them on the host (each stock profile states its own value and source):
	 * direct_io: a 4 KiB O_DIRECT read's CPU work besides the syscall and
	 * the wait (iomap_dio_rw, bio alloc/submit, blk-mq dispatch, completion
	 * interrupt, wake-up), of the order of 1 us on a current core;
	 * reclaim_folio: one folio through shrink_folio_list (isolate,
	 * folio_check_references, try_to_unmap, __remove_mapping, free), a few
	 * hundred ns; ipi: a remote flush round trip (x86 flush_tlb_multi: send,
	 * remote INVLPG, wait for the ack), ~1 us bare metal; swap_out/swap_in:
	 * the CPU side of a 4 KiB swap write / synchronous swap read with its
	 * device wait (swap_in like io_request); lock_wait: one faulting
	 * thread's hold of the VMA lock, about a minor fault; page_cluster: the
	 * kernel default vm.page-cluster = 3 (mm/swap.c page_cluster).
	 */
	p->c.direct_io = 2000;
	p->c.reclaim_folio = 1000;
	p->c.ipi = 2000;
	p->c.swap_out = 10000;
	p->c.swap_in = 50000;
	p->c.lock_wait = 1000;
	p->k.page_cluster = 3;
	p->k.memcg_charge_batch = 64; /* MEMCG_CHARGE_BATCH (include/linux/memcontrol.h, 6.18) */
	/*
	 * Stop-24 defaults, from one probe on the Intel Xeon KVM guest
	 * (2026-12-07, 64 MiB ext4 file, one byte per page, 3 runs): a shared
	 * write costs 660-681 cycles per page over folios read from the device
	 * against 336-364 over the same folios once written (buffer heads made);
	 * a COW of a page mapped read-only by an earlier read 4962-5861 cycles
	 * per fault against 4094-4789 for the COW of an unmapped page.
	 */
	p->c.fault_mkwrite_bh = 300;
	p->c.cow_wp = 900;
	mmu_config_default_intel(&p->mmu);
}


static int set_key(struct sim_profile *p, const struct key *k, const char *v, char *why, size_t wl)
{
	char *end;
	void *f = (char *)p + k->off;

	switch (k->type) {
	case KT_U32:
	case KT_DOUBLE: {
		double d = strtod(v, &end);
		if (end == v || *end) {
			snprintf(why, wl, "is not a number");
			return -EINVAL;
		}
		if (!(d >= k->min && d <= k->max)) { /* also refuses nan */
			snprintf(why, wl, "outside %g..%g", k->min, k->max);
			return -EINVAL;
		}
		if (k->type == KT_DOUBLE) {
			*(double *)f = d;
			return 0;
		}
		if (d != (double)(uint32_t)d) {
			snprintf(why, wl, "is not a whole number");
			return -EINVAL;
		}
		*(uint32_t *)f = (uint32_t)d;
		return 0;
	}
	case KT_WF:
		if (!strcmp(v, "none") || !strcmp(v, "shmem") || !strcmp(v, "any")) {
			*(enum sim_whole_folio *)f = v[0] == 'n' ? SIM_WF_NONE : v[0] == 's' ? SIM_WF_SHMEM : SIM_WF_ANY;
			return 0;
		}
		snprintf(why, wl, "is not none, shmem or any");
		return -EINVAL;
	case KT_THP:
		if (!strcmp(v, "never") || !strcmp(v, "madvise") || !strcmp(v, "always")) {
			*(enum sim_thp *)f = v[0] == 'n' ? SIM_THP_NEVER : v[0] == 'm' ? SIM_THP_MADVISE : SIM_THP_ALWAYS;
			return 0;
		}
		snprintf(why, wl, "is not never, madvise or always");
		return -EINVAL;
	case KT_SCHED:
		if (!strcmp(v, "mq-deadline") || !strcmp(v, "none") || !strcmp(v, "kyber") || !strcmp(v, "bfq")) {
			*(enum sim_iosched *)f = v[0] == 'm' ? SIM_IOSCHED_MQ_DEADLINE : SIM_IOSCHED_FIFO;
			return 0;
		}
		snprintf(why, wl, "is not mq-deadline, none, kyber or bfq");
		return -EINVAL;
	case KT_VERSION:
		if (apply_version(&p->k, v)) {
			snprintf(why, wl, "is not a kernel version 6.N");
			return -EINVAL;
		}
		return 0;
	}
	return -EINVAL;
}

static int is_pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

int sim_profile_parse(const char *text, size_t len, const char *name,
		      struct sim_profile *p, char *err, size_t errlen)
{
	char section[32] = "";
	size_t pos = 0;
	unsigned lineno = 0;
	const char *base = strrchr(name, '/');
	unsigned i16_seen = 0;
	_Static_assert(sizeof(i16_keys) / sizeof(i16_keys[0]) <= 32, "i16_seen is a 32-bit mask");

	sim_profile_default(p);
	snprintf(p->source, sizeof(p->source), "%s", name);
	snprintf(p->name, sizeof(p->name), "%s", base ? base + 1 : name);
	if (strstr(p->name, ".ini"))
		*strstr(p->name, ".ini") = 0;
	while (pos < len) {
		char line[1024], *l, *comment, *eq, *key, *val, why[128];
		size_t n = 0;

		lineno++;
		while (pos < len && text[pos] != '\n' && n < sizeof(line) - 1)
			line[n++] = text[pos++];
		if (pos < len && text[pos] != '\n') {
			snprintf(err, errlen, "%s:%u: line longer than %zu bytes", name, lineno, sizeof(line) - 1);
			return -EINVAL;
		}
		pos++;
		line[n] = 0;
		comment = strpbrk(line, "#;");
		if (comment)
			*comment++ = 0;
		l = mb_trim(line);
		if (!*l)
			continue;
		if (*l == '[') {
			char *e = strchr(l, ']');
			if (!e || e[1] || e - l - 1 >= (long)sizeof(section)) {
				snprintf(err, errlen, "%s:%u: bad section header '%s'", name, lineno, l);
				return -EINVAL;
			}
			*e = 0;
			snprintf(section, sizeof(section), "%s", l + 1);
			if (strcmp(section, "profile") && strcmp(section, "kernel") && strcmp(section, "cost") &&
			    strcmp(section, "mmu")) {
				snprintf(err, errlen, "%s:%u: unknown section [%s] (expected profile, kernel, cost or mmu)",
					 name, lineno, section);
				return -EINVAL;
			}
			continue;
		}
		eq = strchr(l, '=');
		if (!eq) {
			snprintf(err, errlen, "%s:%u: expected key = value, got '%s'", name, lineno, l);
			return -EINVAL;
		}
		*eq = 0;
		key = mb_trim(l);
		val = mb_trim(eq + 1);
		if (!section[0]) {
			snprintf(err, errlen, "%s:%u: key %s before any [section]", name, lineno, key);
			return -EINVAL;
		}
		if (!comment || !*mb_trim(comment)) {
			snprintf(err, errlen, "%s:%u: key %s.%s: value '%s' has no source comment (# where it comes from)",
				 name, lineno, section, key, val);
			return -EINVAL;
		}
		if (!strcmp(section, "mmu")) {
			char merr[256];
			if (mmu_config_set(&p->mmu, key, val, merr, sizeof(merr))) {
				snprintf(err, errlen, "%s:%u: key mmu.%s: value '%s': %s", name, lineno, key, val, merr);
				return -EINVAL;
			}
			continue;
		}
		if (!strcmp(section, "profile") && !strcmp(key, "name")) {
			snprintf(p->name, sizeof(p->name), "%s", val);
			continue;
		}
		if (!strcmp(section, "profile") && !strcmp(key, "fingerprint")) {
			if (strlen(val) != 16 || strspn(val, "0123456789abcdef") != 16) {
				snprintf(err, errlen, "%s:%u: key profile.fingerprint: value '%s' is not 16 hex digits",
					 name, lineno, val);
				return -EINVAL;
			}
			snprintf(p->fingerprint, sizeof(p->fingerprint), "%s", val);
			continue;
		}
		if (!strcmp(section, "profile") && !strcmp(key, "noisy")) {
			snprintf(p->noisy, sizeof(p->noisy), "%s", val);
			continue;
		}
		char full[96];
		const struct key *k = NULL;
		snprintf(full, sizeof(full), "%s.%s", section, key);
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (!strcmp(keys[i].name, full))
				k = &keys[i];
		if (!k) {
			snprintf(err, errlen, "%s:%u: unknown key %s (value '%s')", name, lineno, full, val);
			return -EINVAL;
		}
		if (set_key(p, k, val, why, sizeof(why))) {
			snprintf(err, errlen, "%s:%u: key %s: value '%s' %s", name, lineno, full, val, why);
			return -EINVAL;
		}
		for (size_t i = 0; i < sizeof(i16_keys) / sizeof(i16_keys[0]); i++)
			if (!strcmp(i16_keys[i], full))
				i16_seen |= 1u << i;
	}
	for (size_t i = 0, o = 0; i < sizeof(i16_keys) / sizeof(i16_keys[0]); i++)
		if (!(i16_seen & (1u << i)) && o + strlen(i16_keys[i]) + 2 < sizeof(p->defaulted))
			o += (size_t)snprintf(p->defaulted + o, sizeof(p->defaulted) - o, "%s%s",
					      o ? " " : "", i16_keys[i]);
	if (!is_pow2(p->k.fault_around_pages) || !is_pow2(p->k.write_folio_max)) {
		snprintf(err, errlen, "%s: kernel.fault_around_pages %u / kernel.write_folio_max %u must be powers of 2",
			 name, p->k.fault_around_pages, p->k.write_folio_max);
		return -EINVAL;
	}
	if (mmu_config_check(&p->mmu, err, errlen)) {
		char tmp[256];
		snprintf(tmp, sizeof(tmp), "%s", err);
		snprintf(err, errlen, "%s: [mmu] %s", name, tmp);
		return -EINVAL;
	}
	return 0;
}
