/*
 * sim/tests/simtest.h — helpers shared by the model's tests: load a stock
 * profile from MAPBENCH_SOURCE_ROOT/sim/profiles, build a trace header, and
 * replay generated records (sequential, reverse, strided) without the traces
 * library. Header-only; tests may read files, the model never does.
 */
#ifndef SIM_TESTS_SIMTEST_H
#define SIM_TESTS_SIMTEST_H

#include "common/tap.h"
#include "sim/sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Load sim/profiles/<name>.ini; exits the test on failure. */
static inline void st_profile(const char *name, struct sim_profile *p)
{
	const char *root = getenv("MAPBENCH_SOURCE_ROOT");
	char path[4096], err[512];
	static char buf[1 << 16];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/sim/profiles/%s.ini", root ? root : ".", name);
	f = fopen(path, "r");
	if (!f) {
		printf("Bail out! cannot open %s (set MAPBENCH_SOURCE_ROOT)\n", path);
		exit(1);
	}
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	if (sim_profile_parse(buf, n, path, p, err, sizeof(err))) {
		printf("Bail out! %s\n", err);
		exit(1);
	}
}

/* A pattern of records: from first, count records of len bytes, step apart (may be negative). */
struct st_pat {
	uint64_t first;  /* offset of the first record */
	int64_t step;    /* offset increment */
	uint64_t count;  /* records */
	uint32_t len;    /* bytes per record */
	uint8_t op;      /* TRACE_OP_* */
};

/* Replay patterns (in order) on a fresh model; returns 0 and fills st, or -1 (diagnosed). */
static inline int st_run(const struct sim_profile *p, const struct an_case_opts *o, int anon,
			 uint64_t size, const struct st_pat *pats, size_t npats, struct sim_stats *st,
			 struct sim **keep)
{
	struct trace_hdr h;
	struct sim *s;
	char err[512];
	struct trace_rec recs[256];

	memset(&h, 0, sizeof(h));
	h.version = TRACE_VERSION;
	h.region_kind = anon ? TRACE_REGION_ANON : TRACE_REGION_FILE;
	h.region_size = size;
	snprintf(h.spec, sizeof(h.spec), "test");
	if (sim_create(p, o, &h, &s, err, sizeof(err))) {
		tap_diag("sim_create: %s", err);
		return -1;
	}
	for (size_t k = 0; k < npats; k++) {
		uint64_t off = pats[k].first;
		for (uint64_t i = 0; i < pats[k].count;) {
			size_t n = 0;
			while (n < 256 && i < pats[k].count) {
				recs[n].off = off;
				recs[n].len = pats[k].len;
				recs[n].op = pats[k].op;
				off += (uint64_t)pats[k].step;
				n++;
				i++;
			}
			if (sim_access(s, recs, n)) {
				tap_diag("sim_access: %s", sim_error(s));
				sim_destroy(s);
				return -1;
			}
		}
	}
	sim_finish(s, st);
	if (keep)
		*keep = s;
	else
		sim_destroy(s);
	return 0;
}

/* One byte per 4 KiB page, sequential over size bytes. */
static inline struct st_pat st_seq_pages(uint64_t size, uint8_t op)
{
	struct st_pat p = { 0, 4096, size / 4096, 1, op };
	return p;
}

#endif /* SIM_TESTS_SIMTEST_H */
