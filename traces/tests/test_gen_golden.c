/*
 * traces/tests/test_gen_golden.c — golden test: the generators must produce
 * the same traces on every machine and in every later version. For each spec
 * the expected content hash (XXH64 of the canonical records, as stored in
 * the header) and the XXH64 of the whole .mtr file are pinned below; they
 * were computed once by this program and are the definition of "same".
 * The file hash also depends on zstd's output, which may change between zstd
 * releases: it is checked only with the zstd version it was pinned with
 * (GOLDEN_ZSTD), otherwise skipped with the reason. The content hash does
 * not depend on zstd and is always checked.
 * Run with GOLDEN_PRINT=1 to print the current values (to re-pin after a
 * deliberate format change, never to make a failure go away).
 */
#include "common/mb.h"
#include "common/tap.h"
#include "traces/gen.h"
#include "traces/trace.h"
#include "traces/tests/tt_util.h"

#include <inttypes.h>
#include <zstd.h>

#define GOLDEN_ZSTD 10504 /* zstd 1.5.4 */

static const struct {
	const char *spec;     /* generator spec */
	uint64_t content;     /* header content hash */
	uint64_t file;        /* XXH64 of the file with zstd GOLDEN_ZSTD */
} golden[] = {
	{ "seq:size=64M,len=4K", UINT64_C(0x4e7724e5ec544195), UINT64_C(0x40ee1a4fdf10d9e0) },
	{ "reverse:size=16M,len=64,w=0.5,seed=3", UINT64_C(0x53b1bc6817e29ceb), UINT64_C(0x69974bc2615634cb) },
	{ "stride:size=64M,stride=2M,n=100000", UINT64_C(0x977cd06b45ec7c12), UINT64_C(0x00744cd7d003c081) },
	{ "uniform:size=1G,n=1M,len=64,seed=7", UINT64_C(0x788b197830ba9b1e), UINT64_C(0x3bcb0310e18aeb14) },
	{ "zipf:size=1G,theta=0.99,n=1M,len=64", UINT64_C(0xa1f974d13278d2ad), UINT64_C(0xb978b734c012a307) },
	{ "zipf:size=64M,theta=1.2,n=100000,w=10%", UINT64_C(0x7eee2fc829280164), UINT64_C(0x40f67e36602be23e) },
	{ "hotset:size=1G,hot=1%,p=90%,n=500000", UINT64_C(0x9c3abaa27c5170df), UINT64_C(0xd99cb41cb8cbbc44) },
	{ "chase:pages=4096,anon=1", UINT64_C(0x25b76eb20b8e0434), UINT64_C(0xa462143e19cbcd28) },
	{ "chase:pages=65536,n=1M,len=64,seed=99", UINT64_C(0x10ae04408d8885f4), UINT64_C(0x0071fc82c76583ec) },
};

int main(void)
{
	const char *dir = tt_tmpdir();
	int print = getenv("GOLDEN_PRINT") != NULL;
	char path[300], err[512];

	for (size_t i = 0; i < MB_ARRAY_SIZE(golden); i++) {
		struct trace_reader *r;
		uint8_t *b;
		size_t len;
		uint64_t content = 0, file = 0;

		snprintf(path, sizeof(path), "%s/g%zu.mtr", dir, i);
		if (gen_to_file(golden[i].spec, path) || trace_reader_open(path, &r, err, sizeof(err))) {
			tap_ok(0, "%s: generate and open", golden[i].spec);
			continue;
		}
		content = trace_reader_hdr(r)->hash;
		trace_reader_destroy(r);
		b = tt_slurp(path, &len);
		if (b)
			file = XXH64(b, len, 0);
		free(b);
		if (print)
			printf("\t{ \"%s\", UINT64_C(0x%016" PRIx64 "), UINT64_C(0x%016" PRIx64 ") },\n",
			       golden[i].spec, content, file);
		tap_ok(content == golden[i].content, "%s: content hash 0x%016" PRIx64 " (pinned 0x%016" PRIx64 ")",
		       golden[i].spec, content, golden[i].content);
		if (ZSTD_versionNumber() == GOLDEN_ZSTD)
			tap_ok(file == golden[i].file, "%s: file hash 0x%016" PRIx64 " (pinned 0x%016" PRIx64 ")",
			       golden[i].spec, file, golden[i].file);
		else
			tap_skip("%s: file hash pinned with zstd %d, this is zstd %u (compressed bytes may differ)",
				 golden[i].spec, GOLDEN_ZSTD, ZSTD_versionNumber());
	}
	tt_rmdir(dir);
	return tap_done();
}
