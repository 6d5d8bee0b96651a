/*
 * sim/mmu/config.c — struct mmu_config fields by name, for profiles
 * (sim/profiles/<name>.ini) and the command line: one data table, no parsing code
 * per field (CONVENTIONS: options are data tables).
 *
 * Invariant: MMU_KEYS lists every field of struct mmu_config once; the same
 * list produces the lookup table and mmu_config_keys_help.
 */
#include "sim/mmu/mmu.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/mb.h"

enum kind { K_U32, K_POLICY, K_PGSIZE };

#define OFF(f) offsetof(struct mmu_config, f)
#define GEOM(key, f, what)                                                              \
	X(key ".entries", K_U32, OFF(f.entries), what ": entries (0 = absent)")           \
	X(key ".ways", K_U32, OFF(f.ways), what ": ways (= entries: fully associative)")  \
	X(key ".policy", K_POLICY, OFF(f.policy), what ": replacement, lru or plru")

#define MMU_KEYS                                                                         \
	X("levels", K_U32, OFF(levels), "paging levels, 4 or 5")                            \
	GEOM("l1.4k", l1[PG_4K], "L1 dTLB for 4K pages")                                    \
	GEOM("l1.2m", l1[PG_2M], "L1 dTLB for 2M pages")                                    \
	GEOM("l1.1g", l1[PG_1G], "L1 dTLB for 1G pages")                                    \
	GEOM("stlb", stlb, "unified STLB for 4K and 2M")                                    \
	GEOM("stlb1g", stlb_1g, "STLB for 1G pages")                                        \
	GEOM("pwc.pde", pwc[MMU_PDE], "PDE cache")                                          \
	GEOM("pwc.pdpte", pwc[MMU_PDPTE], "PDPTE cache")                                    \
	GEOM("pwc.pml4e", pwc[MMU_PML4E], "PML4E cache")                                    \
	GEOM("pwc.pml5e", pwc[MMU_PML5E], "PML5E cache (5 levels)")                         \
	X("lat.l1_hit", K_U32, OFF(lat_l1_hit), "cycles added by an L1 dTLB hit")           \
	X("lat.stlb_hit", K_U32, OFF(lat_stlb_hit), "cycles of an STLB probe (every L1 miss)") \
	X("lat.walk_start", K_U32, OFF(lat_walk_start), "fixed cycles per walk")            \
	X("lat.walk_ref.pte", K_U32, OFF(lat_walk_ref[MMU_PTE]), "cycles per PTE read (no walk cache)") \
	X("lat.walk_ref.pde", K_U32, OFF(lat_walk_ref[MMU_PDE]), "cycles per PDE read (no walk cache)") \
	X("lat.walk_ref.pdpte", K_U32, OFF(lat_walk_ref[MMU_PDPTE]), "cycles per PDPTE read (no walk cache)") \
	X("lat.walk_ref.pml4e", K_U32, OFF(lat_walk_ref[MMU_PML4E]), "cycles per PML4E read (no walk cache)") \
	X("lat.walk_ref.pml5e", K_U32, OFF(lat_walk_ref[MMU_PML5E]), "cycles per PML5E read (no walk cache)") \
	GEOM("walk_cache", walk_cache, "data cache seen by walk references, 64-byte lines") \
	X("lat.walk_cache_hit", K_U32, OFF(lat_walk_cache_hit), "cycles per walk reference hitting walk_cache") \
	X("lat.walk_cache_miss", K_U32, OFF(lat_walk_cache_miss), "cycles per walk reference missing walk_cache") \
	X("lat.dirty_assist", K_U32, OFF(lat_dirty_assist), "cycles to set D through a clean TLB entry") \
	X("flush_ceiling", K_U32, OFF(flush_ceiling), "range flushes above this many pages flush all (Linux 33)") \
	X("nested", K_U32, OFF(nested), "1: 2-D walk of a guest under EPT/NPT")             \
	X("host.levels", K_U32, OFF(host_levels), "host (EPT) levels, 4 or 5")              \
	X("host.page", K_PGSIZE, OFF(host_page), "host page backing guest memory: 4k, 2m, 1g") \
	GEOM("host.tlb", host_tlb, "host TLB: gPA page -> hPA")                              \
	GEOM("host.pwc", host_pwc, "host paging-structure cache")                           \
	X("lat.host_ref", K_U32, OFF(lat_host_ref), "cycles per host reference (no walk cache)")

struct key {
	const char *name;  /* profile key */
	enum kind kind;    /* value type */
	size_t off;        /* offset in struct mmu_config */
};

#define X(k, kd, o, h) { k, kd, o },
static const struct key keys[] = { MMU_KEYS };
#undef X

#define X(k, kd, o, h) k " — " h,
const char *const mmu_config_keys_help[] = { MMU_KEYS NULL };
#undef X

int mmu_config_set(struct mmu_config *cfg, const char *key, const char *value, char *err,
		   size_t errlen)
{
	for (size_t i = 0; i < MB_ARRAY_SIZE(keys); i++) {
		const struct key *k = &keys[i];
		if (strcmp(k->name, key) != 0)
			continue;
		char *p = (char *)cfg + k->off;
		switch (k->kind) {
		case K_U32: {
			uint64_t v;
			if (mb_parse_u64(value, &v) || v > UINT32_MAX) {
				snprintf(err, errlen, "%s: '%s' not an integer up to %u", key, value,
					 UINT32_MAX);
				return -EINVAL;
			}
			uint32_t u = (uint32_t)v;
			memcpy(p, &u, sizeof(u));
			return 0;
		}
		case K_POLICY:
			if (strcmp(value, "lru") && strcmp(value, "plru")) {
				snprintf(err, errlen, "%s: '%s' unknown (lru, plru)", key, value);
				return -EINVAL;
			}
			memset(p, 0, sizeof(cfg->stlb.policy));
			memcpy(p, value, strlen(value));
			return 0;
		case K_PGSIZE: {
			enum pg_size s;
			for (s = 0; s < PG__COUNT; s++)
				if (strcmp(value, mmu_pg_size_name(s)) == 0)
					break;
			if (s == PG__COUNT) {
				snprintf(err, errlen, "%s: '%s' not 4k, 2m or 1g", key, value);
				return -EINVAL;
			}
			memcpy(p, &s, sizeof(s));
			return 0;
		}
		}
	}
	snprintf(err, errlen, "'%s' is not an mmu key (see mmu_config_keys_help)", key);
	return -ENOENT;
}
