/*
 * bench/tests/test_unit.c — unit tests of the harness's pure parts:
 * statistics (median, min, max, MAD), the harness option table and its
 * error messages, the checksum fold (chunking-independent, equal to the
 * byte-wise definition; the aligned fast fold equals it), the data pattern,
 * and the merging of contiguous records into runs (what merges, what does
 * not, and that a merged chunk replays to the same fold and byte counts).
 */
#include "bench/acc.h"
#include "bench/bench.h"
#include "common/mb.h"
#include "common/tap.h"

#include <errno.h>
#include <math.h>
#include <string.h>

/* The definition, byte by byte: Σ byte << 8·(offset mod 8). */
static uint64_t fold_ref(const unsigned char *p, uint64_t off, size_t len)
{
	uint64_t s = 0;

	for (size_t i = 0; i < len; i++)
		s += (uint64_t)p[i] << (((off + i) & 7) * 8);
	return s;
}

/* Fold of the READ records of r over memory m, by the definition. */
static uint64_t ref_replay(const unsigned char *m, const struct trace_rec *r, size_t n)
{
	uint64_t s = 0;

	for (size_t i = 0; i < n; i++)
		if (r[i].op == TRACE_OP_READ)
			s += fold_ref(m + r[i].off, r[i].off, r[i].len);
	return s;
}

int main(void)
{
	struct bench_stat st;
	double odd[] = { 5, 1, 9, 3, 7 };        /* median 5, |d| = 0 4 4 2 2 -> MAD 2 */
	double even[] = { 10, 2, 4, 8 };         /* median 6, |d| = 4 4 2 2 -> MAD 3 */
	double one[] = { 42 };

	bench_stat(odd, 5, &st);
	tap_ok(st.median == 5 && st.min == 1 && st.max == 9 && st.mad == 2 && st.n == 5,
	       "stats odd: median 5 min 1 max 9 MAD 2 (got %g %g %g %g)", st.median, st.min, st.max, st.mad);
	bench_stat(even, 4, &st);
	tap_ok(st.median == 6 && st.mad == 3, "stats even: median 6 MAD 3 (got %g %g)", st.median, st.mad);
	tap_ok(even[0] == 10 && even[1] == 2, "stats leaves the input unsorted");
	bench_stat(one, 1, &st);
	tap_ok(st.median == 42 && st.mad == 0, "stats single sample");
	bench_stat(one, 0, &st);
	tap_ok(st.n == 0 && st.median == 0, "stats of no samples are zero with n = 0");

	/* options */
	struct bench_cfg c;
	char err[256];
	bench_cfg_default(&c);
	tap_ok(c.reps == 5 && c.warmup == 1 && c.cpu == -1, "defaults: 5 reps, 1 warm-up, last core");
	tap_ok(bench_cfg_set(&c, "reps", "12", err, sizeof(err)) == 1 && c.reps == 12, "--reps 12");
	tap_ok(bench_cfg_set(&c, "reps", "0", err, sizeof(err)) == -EINVAL && strstr(err, "'0'") &&
	       strstr(err, "10000"), "--reps 0 refused naming value and limit: %s", err);
	tap_ok(bench_cfg_set(&c, "reps", "99999", err, sizeof(err)) == -EINVAL, "--reps 99999 refused");
	tap_ok(bench_cfg_set(&c, "reps", "abc", err, sizeof(err)) == -EINVAL, "--reps abc refused");
	tap_ok(bench_cfg_set(&c, "cpu", "4096", err, sizeof(err)) == -EINVAL && strstr(err, "4096"),
	       "--cpu 4096 refused: %s", err);
	tap_ok(bench_cfg_set(&c, "events", "cycles,page-faults", err, sizeof(err)) == 1 &&
	       !strcmp(c.events, "cycles,page-faults"), "--events list kept");
	tap_ok(bench_cfg_set(&c, "keep", NULL, err, sizeof(err)) == 1 && c.keep, "--keep");
	tap_ok(bench_cfg_set(&c, "method", "mmap", err, sizeof(err)) == 0,
	       "case options are not harness options (0)");
	tap_ok(bench_cfg_takes_value("reps") && !bench_cfg_takes_value("keep"), "takes_value table");
	bench_cfg_free(&c);

	/* fold: any split of a range folds to the same value; equals the definition */
	unsigned char buf[300];
	acc_pattern_fill(buf, 13, sizeof(buf));
	int same = 1, patt = 1;
	uint64_t whole = acc_fold(buf, 13, sizeof(buf));
	for (size_t cut = 0; cut <= sizeof(buf); cut += 7)
		if (acc_fold(buf, 13, cut) + acc_fold(buf + cut, 13 + cut, sizeof(buf) - cut) != whole)
			same = 0;
	for (size_t i = 0; i < sizeof(buf); i++)
		if (buf[i] != acc_pattern_byte(13 + i))
			patt = 0;
	tap_ok(same, "fold is additive over any split");
	tap_eq_u64(whole, fold_ref(buf, 13, sizeof(buf)), "fold equals the byte-wise definition");
	tap_ok(patt, "pattern_fill at an unaligned offset equals pattern_byte");
	tap_ok(acc_fold(buf, 0, 0) == 0, "empty fold is 0");

	/* aligned fast fold = the definition for every length around the 64-byte blocks */
	static unsigned char big[4096 + 64];
	acc_pattern_fill(big, 0, sizeof(big));
	int al = 1;
	for (size_t len = 0; len <= 300; len++)
		for (size_t o = 0; o <= 64; o += 8)
			if (acc_fold_aligned(big + o, len) != fold_ref(big + o, o, len))
				al = 0;
	tap_ok(al, "acc_fold_aligned equals the byte-wise definition (offsets 0..64 step 8, lengths 0..300)");

	/* runs: contiguous word-aligned reads merge; writes, gaps, unaligned records do not */
	struct trace_rec rr[] = {
		{ 0, 64, TRACE_OP_READ }, { 64, 64, TRACE_OP_READ }, { 128, 128, TRACE_OP_READ }, /* -> 0+256 */
		{ 256, 64, TRACE_OP_WRITE }, { 320, 64, TRACE_OP_WRITE },                           /* writes stay */
		{ 384, 64, TRACE_OP_READ }, { 512, 64, TRACE_OP_READ },                             /* gap */
		{ 576, 3, TRACE_OP_READ }, { 579, 5, TRACE_OP_READ },                               /* unaligned */
		{ 584, 8, TRACE_OP_READ }, { 592, 1000, TRACE_OP_READ }, { 1592, 8, TRACE_OP_READ }, /* -> 584+1016 */
		{ 0, 64, TRACE_OP_READ },                                                           /* backwards */
	};
	size_t nr = MB_ARRAY_SIZE(rr);
	struct trace_rec mr[MB_ARRAY_SIZE(rr)];
	memcpy(mr, rr, sizeof(rr));
	size_t nm = acc_runs_merge(mr, nr);
	tap_ok(nm == 9 && mr[0].off == 0 && mr[0].len == 256 && mr[1].op == TRACE_OP_WRITE &&
	       mr[2].op == TRACE_OP_WRITE && mr[3].off == 384 && mr[4].off == 512 && mr[5].len == 3 &&
	       mr[6].len == 5 && mr[7].off == 584 && mr[7].len == 1016 && mr[8].off == 0,
	       "runs merge only contiguous word-aligned reads (%zu records -> %zu, expected 9)", nr, nm);
	struct acc_ctx c1, c2;
	static unsigned char m1[4096], m2[4096];
	memset(&c1, 0, sizeof(c1));
	memset(&c2, 0, sizeof(c2));
	acc_pattern_fill(m1, 0, sizeof(m1));
	memcpy(m2, m1, sizeof(m2));
	c1.base = m1;
	c2.base = m2;
	acc_mem_replay(&c1, rr, nr);
	acc_mem_replay(&c2, mr, nm);
	tap_ok(c1.sum == c2.sum && c1.bytes_read == c2.bytes_read && c1.bytes_written == c2.bytes_written &&
	       !memcmp(m1, m2, sizeof(m1)) && c1.sum == ref_replay(m1, rr, nr),
	       "a merged chunk replays to the same fold (0x%016llx), bytes and memory as the records",
	       (unsigned long long)c2.sum);
	return tap_done();
}
