/*
 * fuzz/fuzz_import.c — libFuzzer target for one trace importer, chosen at
 * build time with -DFUZZ_IMPORTER=trace_import_lackey | trace_import_din
 * (fuzz/meson.build builds fuzz_import_lackey and fuzz_import_din from this
 * file). Input: one option byte, then the foreign trace.
 *   - every line goes through the importer's parse(): the result must be one
 *     of enum imp_kind; accesses have 0 < len <= TRACE_MAX_LEN and a valid op;
 *     skipped and malformed lines name their category or reason;
 *   - the whole input goes through trace_import() (memfd in, tmpfs out):
 *     on error nothing may exist at the output path and the message is set;
 *     on success the output must read back (fuzz/fuzz_trace.h oracle) with
 *     exactly rep.records records.
 * Option byte: bit 0 strict; bit 1 a --base (next 8 bytes, 4 KiB aligned);
 * bit 2 a small max_region (next 4 bytes, KiB); bit 3 anon region.
 */
#include "fuzz/fuzz_trace.h"
#include "traces/import.h"

#include <sys/stat.h>

#ifndef FUZZ_IMPORTER
#error "build with -DFUZZ_IMPORTER=trace_import_<name>"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char outdir[64]; /* per-process scratch directory on tmpfs */

/* Remove the scratch directory at exit (libFuzzer exits normally at -max_total_time). */
static void cleanup(void)
{
	char out[128];

	snprintf(out, sizeof(out), "%s/out.mtr", outdir);
	unlink(out);
	rmdir(outdir);
}

static void parse_lines(const struct trace_importer *imp, const uint8_t *p, size_t n)
{
	char *text = fuzz_strndup(p, n);
	char *line = text, *nl;

	for (;;) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		struct imp_line out;
		memset(&out, 0xa5, sizeof(out));
		int k = imp->parse(line, &out);
		FUZZ_CHECK(k == IMP_REC || k == IMP_SKIP || k == IMP_BAD, "parse returned %d", k);
		if (k == IMP_REC) {
			FUZZ_CHECK(out.n == 1 || out.n == 2, "%u accesses", out.n);
			for (unsigned i = 0; i < out.n; i++) {
				FUZZ_CHECK(out.acc[i].len > 0 && out.acc[i].len <= TRACE_MAX_LEN,
					   "len %u of line '%s'", out.acc[i].len, line);
				FUZZ_CHECK(out.acc[i].op < TRACE_OP__COUNT, "op %u", out.acc[i].op);
			}
		} else {
			FUZZ_CHECK(out.what != NULL && out.what != (const char *)(uintptr_t)0xa5a5a5a5a5a5a5a5u,
				   "kind %d without a category/reason", k);
		}
		if (!nl)
			break;
		line = nl + 1;
	}
	free(text);
}

static uint64_t le(const uint8_t *p, int n)
{
	uint64_t v = 0;
	for (int i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct trace_importer *imp = &FUZZ_IMPORTER;
	struct trace_import_opts o = { .region_kind = -1 };
	struct trace_import_report rep;
	char in[64], out[128], err[1024] = "";
	struct stat st;

	if (size < 1)
		return 0;
	if (!outdir[0]) {
		snprintf(outdir, sizeof(outdir), "/dev/shm/mapbench-fuzz-%d", (int)getpid());
		if (mkdir(outdir, 0700) && errno != EEXIST)
			abort();
		atexit(cleanup);
	}
	unsigned opt = data[0];
	data++, size--;
	o.strict = opt & 1;
	if ((opt & 2) && size >= 8) {
		o.have_base = 1;
		o.base = le(data, 8) & ~(uint64_t)4095;
		data += 8, size -= 8;
	}
	if ((opt & 4) && size >= 4) {
		o.max_region = le(data, 4) * 1024;
		data += 4, size -= 4;
	}
	if (opt & 8)
		o.region_kind = TRACE_REGION_ANON;

	parse_lines(imp, data, size);

	int fd = fuzz_memfd(data, size, in, sizeof(in));
	if (fd < 0)
		return 0;
	snprintf(out, sizeof(out), "%s/out.mtr", outdir);
	unlink(out);
	memset(&rep, 0, sizeof(rep));
	int ret = trace_import(imp, in, out, &o, &rep, err, sizeof(err));
	close(fd);
	if (ret) {
		fuzz_note("import", err);
		FUZZ_CHECK(ret < 0, "import returned %d", ret);
		FUZZ_CHECK(err[0], "import failed (%d) without a message", ret);
		FUZZ_CHECK(stat(out, &st) != 0, "failed import (%s) left %s", err, out);
		return 0;
	}
	struct fuzz_drain d;
	fuzz_trace_drain(out, &d);
	FUZZ_CHECK(d.opened && d.ended, "imported trace does not read back");
	FUZZ_CHECK(d.nrec == rep.records, "read back %" PRIu64 " records, import wrote %" PRIu64,
		   d.nrec, rep.records);
	unlink(out);
	return 0;
}
