/*
 * traces/bench/trace_speed.c — `meson test --benchmark` target: generation,
 * encode (write) and decode (read) speed and bytes/record of the binary
 * format for seq, stride and uniform 64-byte reads over 1 GiB (16 Mi records
 * each). Prints figures; asserts nothing (targets: gen >= 50 M rec/s, decode
 * >= 100 M rec/s, <= 1 B/rec seq/stride, <= 4.5 B/rec uniform). Each timing
 * is the median of 5 runs, because other work may share the machine.
 * Usage: trace_speed [DIR]  (temp files go to DIR, default /tmp)
 */
#include "common/mb.h"
#include "traces/gen.h"
#include "traces/trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define RUNS 5
#define BATCH 4096

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static uint64_t median(uint64_t *v)
{
	qsort(v, RUNS, sizeof(*v), cmp_u64);
	return v[RUNS / 2];
}

int main(int argc, char **argv)
{
	static const char *specs[] = {
		"seq:size=1G,len=64",
		"stride:size=64G,stride=4K,len=64,n=16M",
		"uniform:size=1G,len=64,n=16M",
	};
	static struct trace_rec recs[BATCH];
	const char *dir = argc > 1 ? argv[1] : "/tmp";
	char path[4096], err[512];
	int fail = 0;

	snprintf(path, sizeof(path), "%s/trace_speed.%d.mtr", dir, (int)getpid());
	printf("%-42s %12s %12s %12s %10s\n", "spec", "gen Mrec/s", "write Mrec/s", "read Mrec/s", "B/rec");
	for (size_t s = 0; s < MB_ARRAY_SIZE(specs); s++) {
		uint64_t tg[RUNS], tw[RUNS], tr[RUNS], nrec = 0, sum = 0;
		struct stat sb;

		for (int run = 0; run < RUNS; run++) {
			struct gen *g;
			size_t n;
			uint64_t t0;

			if (gen_create(specs[s], &g, err, sizeof(err))) {
				fprintf(stderr, "%s\n", err);
				return 1;
			}
			nrec = gen_hdr(g)->nrec;
			t0 = mb_now_ns();
			do {
				gen_next(g, recs, BATCH, &n);
				sum += n ? recs[n - 1].off : 0; /* keep the work */
			} while (n);
			tg[run] = mb_now_ns() - t0;
			gen_destroy(g);

			t0 = mb_now_ns();
			if (gen_to_file(specs[s], path))
				return 1;
			tw[run] = mb_now_ns() - t0;

			struct trace_reader *r;
			if (trace_reader_open(path, &r, err, sizeof(err))) {
				fprintf(stderr, "%s\n", err);
				return 1;
			}
			uint64_t got = 0;
			t0 = mb_now_ns();
			for (;;) {
				if (trace_reader_read(r, recs, BATCH, &n)) {
					fprintf(stderr, "%s\n", trace_reader_error(r));
					return 1;
				}
				if (!n)
					break;
				got += n;
				sum += recs[n - 1].off;
			}
			tr[run] = mb_now_ns() - t0;
			trace_reader_destroy(r);
			if (got != nrec)
				fail = 1;
		}
		stat(path, &sb);
		printf("%-42s %12.1f %12.1f %12.1f %10.3f\n", specs[s],
		       nrec * 1e3 / median(tg), nrec * 1e3 / median(tw), nrec * 1e3 / median(tr),
		       (double)sb.st_size / nrec);
		if (sum == 42)
			printf(" ");
	}
	unlink(path);
	return fail;
}
