/*
 * traces/tests/test_trace.c — unit tests of the trace format: binary and
 * text round trips, writer refusals and atomicity, and every hostile input
 * the reader must reject with a message naming the file, the record, the
 * value and the limit (truncations, wrong magic, future versions, corrupt
 * blocks, zstd errors, count and hash mismatches, records past the region,
 * lengths 0 or too large, regions too large). Corrupt files are built here.
 */
#include "common/mb.h"
#include "common/tap.h"
#include "traces/trace.h"
#include "traces/tests/tt_util.h"

#include <dirent.h>
#include <errno.h>
#include <zstd.h>

#define NREC 150000 /* three blocks */

static const char *dir;
static struct trace_rec recs[NREC], back[NREC];

static uint64_t xs = 88172645463325252ull;
static uint64_t rnd(void)
{
	xs ^= xs << 13;
	xs ^= xs >> 7;
	xs ^= xs << 17;
	return xs;
}

static int write_trace(const char *path, uint8_t kind, uint64_t region, const char *spec,
		       const struct trace_rec *r, size_t n)
{
	struct trace_hdr h = { .region_kind = kind, .region_size = region };
	struct trace_writer *w;
	char err[512];

	snprintf(h.spec, sizeof(h.spec), "%s", spec);
	if (trace_writer_create(path, &h, &w, err, sizeof(err))) {
		tap_diag("create: %s", err);
		return -1;
	}
	if (trace_writer_write(w, r, n) || trace_writer_close(w)) {
		tap_diag("write: %s", trace_writer_error(w));
		trace_writer_destroy(w);
		return -1;
	}
	trace_writer_destroy(w);
	return 0;
}

static int same_recs(const struct trace_rec *a, const struct trace_rec *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i].off != b[i].off || a[i].len != b[i].len || a[i].op != b[i].op) {
			tap_diag("record %zu differs: %llx/%u/%u vs %llx/%u/%u", i,
				 (unsigned long long)a[i].off, a[i].len, a[i].op,
				 (unsigned long long)b[i].off, b[i].len, b[i].op);
			return 0;
		}
	return 1;
}

/* Every needle must appear in msg. */
static int has_all(const char *msg, const char *const *needles)
{
	for (; *needles; needles++)
		if (!strstr(msg, *needles)) {
			tap_diag("message lacks '%s': %s", *needles, msg);
			return 0;
		}
	return 1;
}

/* Expect open or read of path to fail with every needle in the message. */
static void expect_fail(const char *what, const char *path, const char *const *needles)
{
	char err[1024] = "";
	long n = tt_read_all(path, back, NREC, NULL, err, sizeof(err));

	tap_ok(n < 0 && has_all(err, needles), "%s is rejected: %s", what, err);
}

static void test_roundtrip(const char *path)
{
	static const uint32_t lens[] = { 1, 8, 64, 4096, 100000, 3 };
	const uint64_t region = UINT64_C(1) << 40;
	struct trace_hdr h;
	struct trace_reader *r;
	char err[512];
	long n;

	for (size_t i = 0; i < NREC; i++) {
		recs[i].len = i % 7 == 6 ? (uint32_t)(rnd() % 100000 + 1) : lens[(i / 1000) % 6];
		recs[i].off = i % 3 ? rnd() % (region - recs[i].len) : (i * 64) % region;
		recs[i].op = rnd() & 1;
	}
	recs[0] = (struct trace_rec){ region - TRACE_MAX_LEN, TRACE_MAX_LEN, 1 }; /* the edges */
	recs[1] = (struct trace_rec){ 0, 1, 0 };
	tap_ok(write_trace(path, TRACE_REGION_ANON, region, "test:roundtrip", recs, NREC) == 0,
	       "write %d records (3 blocks)", NREC);
	n = tt_read_all(path, back, NREC, &h, err, sizeof(err));
	tap_eq_u64(n, NREC, "read back every record %s", n < 0 ? err : "");
	tap_ok(n == NREC && same_recs(recs, back, NREC), "records identical after binary round trip");
	tap_ok(h.region_kind == TRACE_REGION_ANON && h.region_size == region && h.nrec == NREC &&
	       !strcmp(h.spec, "test:roundtrip") && h.version == TRACE_VERSION, "header identical");

	/* rewind replays the same records */
	if (trace_reader_open(path, &r, err, sizeof(err)) == 0) {
		size_t m, total = 0;
		trace_reader_read(r, back, 1000, &m);
		trace_reader_rewind(r);
		while (!trace_reader_read(r, back + total, NREC - total, &m) && m)
			total += m;
		tap_ok(total == NREC && same_recs(recs, back, NREC), "rewind restarts at record 0");
		trace_reader_destroy(r);
	} else {
		tap_ok(0, "reopen: %s", err);
	}

	/* text round trip: dump, read back, same header and records */
	char tpath[300];
	struct trace_hdr h2;
	snprintf(tpath, sizeof(tpath), "%s/rt.txt", dir);
	FILE *f = fopen(tpath, "w");
	int ret = -1;
	if (f && trace_reader_open(path, &r, err, sizeof(err)) == 0) {
		ret = trace_text_write(r, f);
		trace_reader_destroy(r);
	}
	if (f)
		fclose(f);
	tap_ok(ret == 0, "dump to text");
	n = tt_read_all(tpath, back, NREC, &h2, err, sizeof(err));
	tap_eq_u64(n, NREC, "text read back %s", n < 0 ? err : "");
	tap_ok(n == NREC && same_recs(recs, back, NREC), "records identical after text round trip");
	tap_ok(h2.region_kind == h.region_kind && h2.region_size == h.region_size && h2.nrec == h.nrec &&
	       h2.hash == h.hash && !strcmp(h2.spec, h.spec), "text header identical (kind, size, count, hash, spec)");
}

static void test_text_hand(void)
{
	char p[300], err[512];
	struct trace_hdr h;
	long n;

	snprintf(p, sizeof(p), "%s/hand.txt", dir);
	static const char hand[] = "# mapbench-trace v1\n# a hand-written trace\n# region=anon size=64K\n"
				   "R 0x1000 64\nw 4096 8\n\n# a comment\n  R 4K 4K\r\n";
	tt_spit(p, hand, strlen(hand));
	n = tt_read_all(p, back, 10, &h, err, sizeof(err));
	tap_ok(n == 3 && h.region_kind == TRACE_REGION_ANON && h.region_size == 65536 && h.nrec == 3 &&
	       back[0].off == 0x1000 && back[0].len == 64 && back[0].op == 0 &&
	       back[1].off == 4096 && back[1].len == 8 && back[1].op == 1 &&
	       back[2].off == 4096 && back[2].len == 4096, "hand-written text trace parses (%ld records%s%s)",
	       n, n < 0 ? ": " : "", n < 0 ? err : "");

	struct { const char *text, *what; const char *needles[4]; } bad[] = {
		{ "# mapbench-trace v2\n# size=4K\nR 0 1\n", "text version 2", { "version 2", "version 1", NULL } },
		{ "# mapbench-trace v1\n# region=file\nR 0 1\n", "text without size", { "size=", NULL } },
		{ "# mapbench-trace v1\n# size=4K\nR 0 1\nR 4095 2\n", "text record past region",
		  { "line 4", "record 1", "beyond region size 4096", NULL } },
		{ "# mapbench-trace v1\n# size=4K\nR 0 0\n", "text length 0", { "line 3", "record 0", "length 0", NULL } },
		{ "# mapbench-trace v1\n# size=4G\nR 0 0x40000001\n", "text length > 1 GiB",
		  { "line 3", "0x40000001", "1073741824", NULL } },
		{ "# mapbench-trace v1\n# size=128T\n", "text region > 64 TiB", { "128T", "70368744177664", NULL } },
		{ "# mapbench-trace v1\n# size=4K records=2\nR 0 1\n", "text count mismatch",
		  { "1 records", "records=2", NULL } },
		{ "# mapbench-trace v1\n# size=4K\nX 0 1\n", "text unknown op", { "line 3", "'X'", NULL } },
		{ "# mapbench-trace v1\n# size=4K colour=red\n", "text unknown header key", { "colour", NULL } },
		{ "#  mapbench\n", "text without magic line", { "wrong magic", NULL } },
	};
	for (size_t i = 0; i < MB_ARRAY_SIZE(bad); i++) {
		snprintf(p, sizeof(p), "%s/bad%zu.txt", dir, i);
		tt_spit(p, bad[i].text, strlen(bad[i].text));
		expect_fail(bad[i].what, p, bad[i].needles);
	}
}

static void test_writer(const char *path)
{
	struct trace_hdr h = { .region_size = 4096 };
	struct trace_writer *w;
	char err[512];
	int ret;
	struct { struct trace_rec r; const char *what; const char *needle; } bad[] = {
		{ { 0, 0, 0 }, "length 0", "length 0 outside 1..1073741824" },
		{ { 0, TRACE_MAX_LEN + 1, 0 }, "length > 1 GiB", "length 1073741825 outside" },
		{ { 4000, 97, 0 }, "record past region", "offset 0xfa0 + length 97 beyond region size 4096" },
		{ { 0, 1, 2 }, "op 2", "op 2 unknown" },
	};

	ret = trace_writer_create(path, &h, &w, err, sizeof(err));
	tap_ok(ret == 0, "writer create");
	if (ret)
		return;
	for (size_t i = 0; i < MB_ARRAY_SIZE(bad); i++) {
		ret = trace_writer_add(w, &bad[i].r);
		tap_ok(ret == -EINVAL && strstr(trace_writer_error(w), bad[i].needle) &&
		       strstr(trace_writer_error(w), "record 0"),
		       "writer refuses %s: %s", bad[i].what, trace_writer_error(w));
	}
	trace_writer_destroy(w);
	tap_ok(access(path, F_OK) != 0, "destroy without close leaves no file");
	DIR *d = opendir(dir);
	int temps = 0;
	struct dirent *e;
	while (d && (e = readdir(d)))
		temps += strstr(e->d_name, ".tmp") != NULL;
	if (d)
		closedir(d);
	tap_ok(temps == 0, "and no temp file (%d found)", temps);

	h.region_size = 0;
	tap_ok(trace_writer_create(path, &h, &w, err, sizeof(err)) == -EINVAL && strstr(err, "region size 0"),
	       "writer refuses region 0: %s", err);
	h.region_size = TRACE_MAX_REGION + 1;
	tap_ok(trace_writer_create(path, &h, &w, err, sizeof(err)) == -EINVAL && strstr(err, "70368744177665"),
	       "writer refuses region > 64 TiB: %s", err);
	h.region_size = 4096;
	h.version = 2;
	tap_ok(trace_writer_create(path, &h, &w, err, sizeof(err)) == -ENOTSUP, "writer refuses version 2: %s", err);
}

/* Write a one-block trace with a hand-made raw block (to reach decoder checks
 * a valid writer never produces). */
static void craft(const char *path, const uint8_t *raw, size_t rawlen, uint32_t nrec, uint64_t region)
{
	uint8_t buf[1024];
	size_t comp;

	memset(buf, 0, 600);
	memcpy(buf, TRACE_MAGIC, 8);
	tt_le32(buf + 8, 1);
	tt_le32(buf + 12, 576);
	tt_le32(buf + 20, 65536);
	tt_le64(buf + 24, region);
	tt_le64(buf + 32, nrec);
	tt_fix_hdr(buf);
	comp = ZSTD_compress(buf + 600, sizeof(buf) - 600, raw, rawlen, 3);
	tt_le32(buf + 576, nrec);
	tt_le32(buf + 580, (uint32_t)rawlen);
	tt_le32(buf + 584, (uint32_t)comp);
	tt_le64(buf + 592, XXH64(buf + 600, comp, 0));
	tt_spit(path, buf, 600 + comp);
}

static void test_hostile(const char *good)
{
	char p[300];
	size_t len;
	uint8_t *b = tt_slurp(good, &len), *c;
	uint32_t comp0;

	if (!b) {
		tap_ok(0, "read %s", good);
		return;
	}
	c = malloc(len + 64);
	snprintf(p, sizeof(p), "%s/bad.mtr", dir);
	comp0 = (uint32_t)(b[584] | b[585] << 8 | b[586] << 16 | (uint32_t)b[587] << 24);
#define MUTATE(stmt) do { memcpy(c, b, len); stmt; } while (0)

	MUTATE(c[0] = 'X'; tt_spit(p, c, len));
	expect_fail("wrong magic", p, (const char *[]){ p, "wrong magic", "58 41 50", "MAPBTRC1", NULL });
	MUTATE(tt_le32(c + 8, 2); tt_fix_hdr(c); tt_spit(p, c, len));
	expect_fail("future version", p, (const char *[]){ p, "version 2", "reads version 1", NULL });
	MUTATE(tt_spit(p, c, 100));
	expect_fail("truncated header", p, (const char *[]){ p, "truncated header", "100 of 576", NULL });
	MUTATE(tt_spit(p, c, 5));
	expect_fail("5-byte file", p, (const char *[]){ p, "too short", NULL });
	MUTATE(tt_spit(p, c, 600 + comp0 / 2));
	expect_fail("truncated payload", p, (const char *[]){ p, "block 0", "truncated payload", NULL });
	MUTATE(tt_spit(p, c, 600 + comp0 + 10));
	expect_fail("truncated block header", p, (const char *[]){ p, "block 1", "after record 65536",
								   "truncated block header", "10 of 24", NULL });
	MUTATE(tt_spit(p, c, 600 + comp0));
	expect_fail("file cut at a block boundary", p, (const char *[]){ p, "65536 records", "header says 150000", NULL });
	MUTATE(c[600 + comp0 / 2] ^= 0x40; tt_spit(p, c, len));
	expect_fail("corrupt block payload", p, (const char *[]){ p, "block 0", "records 0..65535", "corrupt", "hash", NULL });
	MUTATE(memset(c + 600, 0xAB, 8); tt_le64(c + 592, XXH64(c + 600, comp0, 0)); tt_spit(p, c, len));
	expect_fail("payload that is not zstd", p, (const char *[]){ p, "block 0", "zstd", NULL });
	MUTATE(tt_le64(c + 32, NREC + 1); tt_fix_hdr(c); tt_spit(p, c, len));
	expect_fail("header count too high", p, (const char *[]){ p, "150000 records", "header says 150001", NULL });
	MUTATE(tt_le64(c + 32, NREC - 1); tt_fix_hdr(c); tt_spit(p, c, len));
	expect_fail("header count too low", p, (const char *[]){ p, "block 2", "exceed the header's count 149999", NULL });
	MUTATE(tt_le64(c + 40, tt_get64(c + 40) ^ 1); tt_fix_hdr(c); tt_spit(p, c, len));
	expect_fail("content hash mismatch", p, (const char *[]){ p, "content hash mismatch", NULL });
	MUTATE(tt_le64(c + 24, UINT64_C(1) << 30); tt_fix_hdr(c); tt_spit(p, c, len));
	expect_fail("record past region", p, (const char *[]){ p, "record 0", "offset 0xffc0000000",
							       "beyond region size 1073741824", NULL });
	MUTATE(tt_le64(c + 24, TRACE_MAX_REGION * 2); tt_fix_hdr(c); tt_spit(p, c, len));
	expect_fail("region > 64 TiB", p, (const char *[]){ p, "region size 140737488355328", "70368744177664", NULL });
	MUTATE(tt_le64(c + 24, 12345); tt_spit(p, c, len));
	expect_fail("header changed without its hash", p, (const char *[]){ p, "corrupt header", NULL });
	MUTATE(memset(c + len, 0, 24); tt_spit(p, c, len + 24));
	expect_fail("trailing garbage", p, (const char *[]){ p, "block 3", "record count 0 outside 1..65536", NULL });
	MUTATE(tt_le32(c + 576, 70000); tt_spit(p, c, len));
	expect_fail("block record count too large", p, (const char *[]){ p, "record count 70000", "65536", NULL });

	/* decoder checks a writer never triggers */
	static const uint8_t len0[] = { 0, 0x02 };                   /* same length as "previous" (none) */
	static const uint8_t lenbig[] = { 0, 0x00, 0x81, 0x80, 0x80, 0x80, 0x04 }; /* len 2^30 + 1 */
	static const uint8_t neg[] = { 0, 0x04, 0x01 };              /* offset -1 */
	static const uint8_t extra[] = { 0, 0x00, 0x01, 0x07 };      /* a byte after the last record */
	craft(p, len0, sizeof(len0), 1, 4096);
	expect_fail("encoded length 0", p, (const char *[]){ p, "record 0", "length 0", "1..1073741824", NULL });
	craft(p, lenbig, sizeof(lenbig), 1, UINT64_C(1) << 40);
	expect_fail("encoded length > 1 GiB", p, (const char *[]){ p, "record 0", "length 1073741825", "1..1073741824", NULL });
	craft(p, neg, sizeof(neg), 1, 4096);
	expect_fail("encoded negative offset", p, (const char *[]){ p, "record 0", "offset 0xffffffffffffffff", "4096", NULL });
	craft(p, extra, sizeof(extra), 1, 4096);
	expect_fail("bytes after the last record", p, (const char *[]){ p, "block 0", "1 bytes left", NULL });
#undef MUTATE
	free(b);
	free(c);
}

int main(void)
{
	char path[300];

	dir = tt_tmpdir();
	snprintf(path, sizeof(path), "%s/rt.mtr", dir);
	test_roundtrip(path);
	test_text_hand();
	test_hostile(path);
	snprintf(path, sizeof(path), "%s/w.mtr", dir);
	test_writer(path);
	tt_rmdir(dir);
	return tap_done();
}
