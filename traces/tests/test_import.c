/*
 * traces/tests/test_import.c — unit tests of the importers on the small
 * fixtures in traces/tests/data/ (lackey.txt, din.txt): rebasing, the
 * records produced, and that every skipped, malformed or out-of-region line
 * is counted and located by line number; --strict writes nothing.
 */
#include "common/mb.h"
#include "common/tap.h"
#include "traces/import.h"
#include "traces/trace.h"
#include "traces/tests/tt_util.h"

#include <errno.h>

static struct trace_rec recs[64];

static uint64_t skips(const struct trace_import_report *rep, const char *what)
{
	for (size_t i = 0; i < rep->nskip; i++)
		if (!strcmp(rep->skip[i].what, what))
			return rep->skip[i].count;
	return 0;
}

static void test_lackey(const char *dir)
{
	struct trace_import_opts o = { .region_kind = -1, .max_region = 64 * 1024 };
	struct trace_import_report rep;
	struct trace_hdr h;
	char out[300], err[512];
	long n;
	int ret;

	snprintf(out, sizeof(out), "%s/l.mtr", dir);
	ret = trace_import(trace_importer_find("lackey"), TRACES_TEST_DATA "/lackey.txt", out, &o, &rep,
			   err, sizeof(err));
	tap_ok(ret == 0, "lackey import with --max-region 64K %s", ret ? err : "");
	trace_import_report_print(&rep, "lackey", "lackey.txt", stderr);
	tap_ok(rep.lines == 13 && rep.records == 5, "13 lines, 5 records (M = R + W): %llu, %llu",
	       (unsigned long long)rep.lines, (unsigned long long)rep.records);
	tap_ok(skips(&rep, "instruction fetch") == 2 && skips(&rep, "valgrind message") == 3 && rep.skipped == 5,
	       "skipped: 2 instruction fetches, 3 valgrind messages");
	tap_ok(rep.malformed == 3 && rep.bad_line[0] == 9 && rep.bad_line[1] == 10 && rep.bad_line[2] == 11,
	       "malformed lines 9, 10, 11 reported (%s; %s; %s)", rep.bad_why[0], rep.bad_why[1], rep.bad_why[2]);
	tap_ok(rep.unmapped == 1 && rep.unmapped_line[0] == 12 && rep.unmapped_addr[0] == UINT64_C(0x7ff000000),
	       "the far store on line 12 is reported as outside the 64 KiB region");
	tap_ok(rep.base == 0x4001000 && rep.region_size == 65536, "base 0x4001000 (lowest page), region 64 KiB");
	n = tt_read_all(out, recs, 64, &h, err, sizeof(err));
	tap_ok(n == 5 && recs[0].off == 0 && recs[0].len == 8 && recs[0].op == TRACE_OP_READ &&
	       recs[1].off == 8 && recs[1].len == 4 && recs[1].op == TRACE_OP_WRITE &&
	       recs[2].off == 0x1010 && recs[2].op == TRACE_OP_READ && recs[3].off == 0x1010 &&
	       recs[3].op == TRACE_OP_WRITE && recs[4].off == 0x200a && recs[4].len == 2,
	       "records rebased: R 0 8, W 8 4, R/W 0x1010 8, R 0x200a 2");
	tap_ok(h.region_kind == TRACE_REGION_ANON && !strcmp(h.spec, "import:lackey:lackey.txt,base=0x4001000"),
	       "anonymous region, spec names the source: %s", h.spec);

	/* without a cap the far store fits: region spans up to it */
	o.max_region = 0;
	ret = trace_import(&trace_import_lackey, TRACES_TEST_DATA "/lackey.txt", out, &o, &rep, err, sizeof(err));
	tap_ok(ret == 0 && rep.records == 6 && rep.unmapped == 0 &&
	       rep.region_size == UINT64_C(0x7ff001000) - 0x4001000, "no cap: 6 records, region to the page after 0x7ff000008");

	/* strict: nothing written */
	snprintf(out, sizeof(out), "%s/strict.mtr", dir);
	o.strict = 1;
	ret = trace_import(&trace_import_lackey, TRACES_TEST_DATA "/lackey.txt", out, &o, &rep, err, sizeof(err));
	tap_ok(ret == -EINVAL && strstr(err, "3 malformed") && strstr(err, "line 9") && access(out, F_OK) != 0,
	       "--strict refuses and writes nothing: %s", err);
}

static void test_din(const char *dir)
{
	struct trace_import_opts o = { .region_kind = TRACE_REGION_FILE };
	struct trace_import_report rep;
	struct trace_hdr h;
	char out[300], err[512];
	long n;
	int ret;

	snprintf(out, sizeof(out), "%s/d.mtr", dir);
	ret = trace_import(trace_importer_find("din"), TRACES_TEST_DATA "/din.txt", out, &o, &rep, err, sizeof(err));
	tap_ok(ret == 0, "din import %s", ret ? err : "");
	tap_ok(rep.lines == 9 && rep.records == 3 && rep.skipped == 3 && skips(&rep, "comment") == 1 &&
	       skips(&rep, "instruction fetch (label 2)") == 1 && skips(&rep, "escape (label 3)") == 1,
	       "9 lines: 3 records, comment + ifetch + escape skipped");
	tap_ok(rep.malformed == 3 && rep.bad_line[0] == 7 && rep.bad_line[1] == 8 && rep.bad_line[2] == 9,
	       "malformed lines 7 (label 7), 8 (address), 9 (size 0): %s; %s; %s",
	       rep.bad_why[0], rep.bad_why[1], rep.bad_why[2]);
	n = tt_read_all(out, recs, 64, &h, err, sizeof(err));
	tap_ok(n == 3 && recs[0].off == 0 && recs[0].len == 4 && recs[0].op == TRACE_OP_READ &&
	       recs[1].off == 4 && recs[1].len == 8 && recs[1].op == TRACE_OP_WRITE &&
	       recs[2].off == 0xff8 && recs[2].len == 16, "records: R 0 4 (default size), W 4 8, R 0xff8 16");
	tap_ok(h.region_size == 8192 && h.region_kind == TRACE_REGION_FILE,
	       "region 0x1000..0x3000 = 8 KiB (span rounded to pages), kind file as asked");
	tap_ok(trace_importer_find("nope") == NULL, "unknown format not found");
	snprintf(out, sizeof(out), "%s/none.mtr", dir);
	ret = trace_import(&trace_import_din, TRACES_TEST_DATA "/lackey.txt", out, &o, &rep, err, sizeof(err));
	tap_ok(ret == -EINVAL && strstr(err, "no din accesses") && rep.malformed == 0 && access(out, F_OK) != 0,
	       "a lackey file read as din: error, nothing written: %s", err);
}

int main(void)
{
	const char *dir = tt_tmpdir();

	test_lackey(dir);
	test_din(dir);
	tt_rmdir(dir);
	return tap_done();
}
