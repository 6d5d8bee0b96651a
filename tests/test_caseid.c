/*
 * tests/test_caseid.c — case options and ids (analysis/caseid.h): the id is
 * independent of option order, distinguishes every option that changes the
 * case, and bad values are refused with a message naming option and value.
 */
#include "analysis/caseid.h"
#include "common/tap.h"

#include <errno.h>
#include <string.h>

static void set(struct an_case_opts *o, const char *k, const char *v)
{
	char err[256];
	if (an_case_opts_set(o, k, v, err, sizeof(err)) != 1)
		tap_diag("setting %s=%s failed: %s", k, v ? v : "", err);
}

int main(void)
{
	struct an_case_opts a, b;
	struct trace_hdr h = { .version = 1, .region_kind = TRACE_REGION_FILE,
			       .region_size = 1 << 26, .nrec = 10, .hash = 0x1234567890abcdefull,
			       .spec = "seq:size=64M,len=4K" };
	char ida[512], idb[512], err[256];

	an_case_opts_default(&a);
	an_case_opts_default(&b);
	set(&a, "method", "mmap");
	set(&a, "map", "shared");
	set(&a, "madvise", "random");
	set(&b, "madvise", "random");
	set(&b, "map", "shared");
	an_case_id(&a, &h, ida, sizeof(ida));
	an_case_id(&b, &h, idb, sizeof(idb));
	tap_ok(!strcmp(ida, idb), "id independent of option order: %s", ida);
	tap_ok(!strcmp(ida, "seq:size=64M,len=4K@90abcdef|mmap,shared,madv=random|warm-read:1048576"),
	       "id has the documented shape");
	set(&b, "populate", NULL);
	an_case_id(&b, &h, idb, sizeof(idb));
	tap_ok(strcmp(ida, idb) != 0, "populate changes the id");
	set(&b, "cache", "warm-write:64K");
	an_case_id(&b, &h, idb, sizeof(idb));
	tap_ok(strstr(idb, "|warm-write:65536") != NULL, "cache request size in the id: %s", idb);

	tap_ok(an_case_opts_set(&a, "method", "mmapp", err, sizeof(err)) == -EINVAL &&
	       strstr(err, "mmapp") && strstr(err, "io_uring"),
	       "bad method names the value and the allowed ones: %s", err);
	tap_ok(an_case_opts_set(&a, "qd", "0", err, sizeof(err)) == -EINVAL && strstr(err, "4096"),
	       "qd 0 refused with the limit: %s", err);
	tap_ok(an_case_opts_set(&a, "cache", "cold:4K", err, sizeof(err)) == -EINVAL,
	       "cold takes no size: %s", err);
	tap_ok(an_case_opts_set(&a, "cache", "warm-read:2G", err, sizeof(err)) == -EINVAL,
	       "request size over 1G refused: %s", err);
	tap_ok(an_case_opts_set(&a, "reps", "3", err, sizeof(err)) == 0, "non-case option is not claimed");

	an_case_opts_default(&a);
	set(&a, "method", "read");
	set(&a, "map", "shared");
	tap_ok(an_case_opts_check(&a, &h, err, sizeof(err)) == -EINVAL && strstr(err, "mmap only"),
	       "--map with read refused: %s", err);
	h.region_kind = TRACE_REGION_ANON;
	an_case_opts_default(&a);
	tap_ok(an_case_opts_check(&a, &h, err, sizeof(err)) == 0 && a.method == AN_METHOD_ANON &&
	       a.cache == AN_CACHE_NONE, "anon trace turns mmap into the anon method, cache none");
	an_case_opts_default(&a);
	set(&a, "method", "fread");
	tap_ok(an_case_opts_check(&a, &h, err, sizeof(err)) == -EINVAL, "fread on anon region refused: %s", err);

	/* issue 16: direct, threads, split, mem-limit */
	h.region_kind = TRACE_REGION_FILE;
	an_case_opts_default(&a);
	set(&a, "method", "read");
	an_case_id(&a, &h, ida, sizeof(ida));
	set(&a, "direct", NULL);
	set(&a, "cache", "cold");
	tap_ok(an_case_opts_check(&a, &h, err, sizeof(err)) == 0, "read,direct cold accepted");
	an_case_id(&a, &h, idb, sizeof(idb));
	tap_ok(strstr(idb, "|read,direct|cold") != NULL && !strstr(ida, "direct"),
	       "direct in the method part only when set: %s / %s", ida, idb);
	set(&a, "cache", "tmpfs");
	tap_ok(an_case_opts_check(&a, &h, err, sizeof(err)) == -EINVAL && strstr(err, "tmpfs"),
	       "direct on tmpfs refused with the reason: %s", err);
	an_case_opts_default(&a);
	set(&a, "method", "io_uring");
	set(&a, "direct", NULL);
	an_case_id(&a, &h, ida, sizeof(ida));
	tap_ok(strstr(ida, "|io_uring,qd=32,direct|") != NULL, "io_uring,direct id: %s", ida);
	an_case_opts_default(&a);
	set(&a, "direct", NULL);
	tap_ok(an_case_opts_check(&a, &h, err, sizeof(err)) == -EINVAL && strstr(err, "mmap"),
	       "direct with mmap refused: %s", err);
	an_case_opts_default(&a);
	an_case_opts_default(&b);
	set(&a, "threads", "1");
	set(&a, "mem-limit", "0");
	an_case_id(&a, &h, ida, sizeof(ida));
	an_case_id(&b, &h, idb, sizeof(idb));
	tap_ok(!strcmp(ida, idb), "threads=1 and no limit leave the id unchanged: %s", ida);
	set(&a, "mem-limit", "64M");
	set(&a, "threads", "2");
	set(&a, "split", "interleave");
	an_case_id(&a, &h, ida, sizeof(ida));
	tap_ok(strstr(ida, "|warm-read:1048576|mem=67108864|threads=2,split=interleave") != NULL,
	       "env tail in the id: %s", ida);
	tap_ok(an_case_opts_set(&a, "threads", "65", err, sizeof(err)) == -EINVAL && strstr(err, "64"),
	       "threads over the limit refused with the limit: %s", err);
	tap_ok(an_case_opts_set(&a, "threads", "0", err, sizeof(err)) == -EINVAL, "threads 0 refused");
	tap_ok(an_case_opts_set(&a, "mem-limit", "4K", err, sizeof(err)) == -EINVAL && strstr(err, "1M"),
	       "mem-limit below 1M refused: %s", err);
	tap_ok(an_case_opts_set(&a, "split", "rr", err, sizeof(err)) == -EINVAL && strstr(err, "interleave"),
	       "bad split names the allowed ones: %s", err);
	return tap_done();
}
