/*
 * traces/tests/test_gen.c — unit tests of the generators: determinism,
 * normalised specs (and that they regenerate the same records), the
 * properties of each kind (seq/reverse/stride offsets, chase visits every
 * page once per cycle, write fraction, hotset and zipf skew) and spec errors
 * naming the key, the value and the limit.
 */
#include "common/mb.h"
#include "common/tap.h"
#include "traces/gen.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MAXN 200000

static struct trace_rec a[MAXN], b[MAXN];

/* Generate up to max records of spec into out (in odd-sized batches). */
static long gen_all(const char *spec, struct trace_rec *out, size_t max, char *norm, size_t normlen)
{
	struct gen *g;
	char err[512];
	size_t n, total = 0;

	if (gen_create(spec, &g, err, sizeof(err))) {
		tap_diag("%s", err);
		return -1;
	}
	if (norm)
		snprintf(norm, normlen, "%s", gen_hdr(g)->spec);
	do {
		gen_next(g, out + total, max - total < 777 ? max - total : 777, &n);
		total += n;
	} while (n && total < max);
	gen_destroy(g);
	return (long)total;
}

static int same(const struct trace_rec *x, const struct trace_rec *y, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (x[i].off != y[i].off || x[i].len != y[i].len || x[i].op != y[i].op)
			return 0;
	return 1;
}

static void test_determinism(void)
{
	static const char *specs[] = {
		"uniform:size=1G,n=100K,len=64,w=0.3,seed=7", "zipf:size=256M,theta=0.99,n=100K,len=64",
		"hotset:size=1G,hot=1%,p=90%,n=100K", "chase:pages=4096,n=100K", "seq:size=1M,len=100,n=100K,w=50%",
		"reverse:size=64M", "stride:size=64M,stride=2M,n=100K",
	};
	char norm[512], norm2[512];

	for (size_t i = 0; i < MB_ARRAY_SIZE(specs); i++) {
		long n1 = gen_all(specs[i], a, MAXN, norm, sizeof(norm));
		long n2 = gen_all(specs[i], b, MAXN, NULL, 0);
		tap_ok(n1 > 0 && n1 == n2 && same(a, b, (size_t)n1), "%s: same records twice (%ld)", specs[i], n1);
		long n3 = gen_all(norm, b, MAXN, norm2, sizeof(norm2));
		tap_ok(n3 == n1 && same(a, b, (size_t)n1) && !strcmp(norm, norm2),
		       "normalised '%s' regenerates them and is a fixed point", norm);
	}
	long n1 = gen_all("uniform:size=1G,n=1000,seed=1", a, MAXN, NULL, 0);
	long n2 = gen_all("uniform:size=1G,n=1000,seed=2", b, MAXN, NULL, 0);
	tap_ok(n1 == 1000 && n2 == 1000 && !same(a, b, 1000), "another seed gives other records");
	gen_all("uniform:size=1G,n=1000,seed=1,w=0.5", b, MAXN, NULL, 0);
	int offs_same = 1;
	for (int i = 0; i < 1000; i++)
		offs_same &= a[i].off == b[i].off;
	tap_ok(offs_same, "the write fraction does not change the offsets");
}

static void test_normalise(void)
{
	static const struct { const char *spec, *norm; } t[] = {
		{ "seq", "seq:size=64M,len=4K,n=16384,w=0,seed=1" },
		{ "seq:len=4096,size=67108864", "seq:size=64M,len=4K,n=16384,w=0,seed=1" },
		{ "uniform:size=1G,n=1M,len=64,seed=7", "uniform:size=1G,len=64,align=64,n=1048576,w=0,seed=7" },
		{ "zipf:size=1G,theta=0.99,n=10M", "zipf:size=1G,len=4K,align=4K,theta=0.99,n=10485760,w=0,seed=1" },
		{ "hotset:size=1G,hot=1%,p=90%", "hotset:size=1G,len=4K,align=4K,hot=0.01,p=0.9,n=262144,w=0,seed=1" },
		{ "chase:pages=4096", "chase:size=16M,len=8,n=4096,w=0,seed=1" },
		{ "stride:size=64M,stride=2M", "stride:size=64M,len=64,stride=2M,n=32,w=0,seed=1" },
		{ "reverse:size=1000,len=100,w=30%,anon=1", "reverse:size=1000,len=100,n=10,w=0.3,seed=1,anon=1" },
	};
	char err[512];
	struct gen *g;

	for (size_t i = 0; i < MB_ARRAY_SIZE(t); i++) {
		int ok = gen_create(t[i].spec, &g, err, sizeof(err)) == 0;
		tap_ok(ok && !strcmp(gen_hdr(g)->spec, t[i].norm), "'%s' -> '%s'", t[i].spec,
		       ok ? gen_hdr(g)->spec : err);
		if (ok && i == 7)
			tap_ok(gen_hdr(g)->region_kind == TRACE_REGION_ANON && gen_hdr(g)->region_size == 1000 &&
			       gen_hdr(g)->nrec == 10, "anon=1 gives an anonymous region, header has size and count");
		gen_destroy(g);
	}
}

static void test_kinds(void)
{
	long n;
	int ok;

	n = gen_all("seq:size=10K,len=4K,n=5", a, MAXN, NULL, 0);
	tap_ok(n == 5 && a[0].off == 0 && a[1].off == 4096 && a[2].off == 0 && a[3].off == 4096 &&
	       a[4].len == 4096, "seq: 2 whole slots in 10K, wraps");
	n = gen_all("reverse:size=16K,len=4K", a, MAXN, NULL, 0);
	tap_ok(n == 4 && a[0].off == 12288 && a[3].off == 0, "reverse: from the last slot down");
	n = gen_all("stride:size=1M,stride=64K,len=64,n=20", a, MAXN, NULL, 0);
	tap_ok(n == 20 && a[1].off == 65536 && a[15].off == 15 * 65536 && a[16].off == 0 && a[2].len == 64,
	       "stride: 16 per pass, wraps");

	n = gen_all("chase:pages=1000,n=2001", a, MAXN, NULL, 0);
	static unsigned char seen[1000];
	ok = n == 2001 && a[0].off == 0 && a[1000].off == 0 && a[2000].off == 0;
	for (int i = 0; ok && i < 1000; i++) {
		uint64_t pg = a[i].off / 4096;
		ok = a[i].off % 4096 == 0 && pg < 1000 && !seen[pg]++ && a[i].len == 8 &&
		     a[i].off == a[i + 1000].off;
	}
	tap_ok(ok, "chase: one cycle through all 1000 pages, then repeats");

	size_t w = 0;
	n = gen_all("uniform:size=1G,len=64,n=100000,w=0.25", a, MAXN, NULL, 0);
	ok = n == 100000;
	for (long i = 0; i < n; i++) {
		w += a[i].op;
		ok &= a[i].off % 64 == 0 && a[i].off + 64 <= (1u << 30);
	}
	tap_ok(ok && w > 24000 && w < 26000, "uniform w=0.25: %zu writes of 100000, aligned, in region", w);
	n = gen_all("uniform:size=1G,n=1000,w=1", a, MAXN, NULL, 0);
	w = 0;
	for (long i = 0; i < n; i++)
		w += a[i].op;
	tap_ok(w == 1000, "w=1: all writes");

	size_t hot = 0;
	n = gen_all("hotset:size=400M,len=4K,hot=1%,p=90%,n=100000", a, MAXN, NULL, 0);
	for (long i = 0; i < n; i++)
		hot += a[i].off < 1024 * 4096; /* 1% of 102400 slots */
	tap_ok(n == 100000 && hot > 89000 && hot < 91000, "hotset: %zu of 100000 in the hot 1%%", hot);

	static uint64_t cnt[1000];
	n = gen_all("zipf:size=1000,len=1,theta=0.99,n=200K", a, MAXN, NULL, 0);
	ok = n == 200000;
	for (long i = 0; i < n; i++) {
		ok &= a[i].off < 1000;
		cnt[a[i].off < 1000 ? a[i].off : 0]++;
	}
	/* P(rank 1) = 1 / H(1000, 0.99) = 1/7.73 ~ 0.129 (sum computed offline) */
	tap_ok(ok && cnt[0] > cnt[1] && cnt[1] > cnt[9] && cnt[9] > cnt[99] && cnt[0] > 24000 && cnt[0] < 28000,
	       "zipf: rank order holds, slot 0 has %llu of 200000 (expect ~25900)", (unsigned long long)cnt[0]);
}

static void test_errors(void)
{
	static const struct { const char *spec; const char *needles[3]; } t[] = {
		{ "sequential", { "kind 'sequential' unknown", "seq", NULL } },
		{ "seq:colour=red", { "key 'colour' unknown", NULL } },
		{ "seq:theta=0.5", { "'theta' does not apply to seq", NULL } },
		{ "seq:size=4K,len=8K", { "len 8192", "4096", NULL } },
		{ "seq:n=0", { "n 0", "1..", NULL } },
		{ "uniform:w=2", { "w 2", "0..1", NULL } },
		{ "zipf:theta=0", { "theta 0", "(0, 10]", NULL } },
		{ "zipf:theta=11", { "theta 11", "(0, 10]", NULL } },
		{ "seq:len=4K,len=8K", { "'len' given twice", NULL } },
		{ "seq:pages=2,size=4K", { "size 4096", "pages 2", NULL } },
		{ "chase:size=5000", { "size 5000", "4096", NULL } },
		{ "chase:size=1T", { "268435456 pages", "67108864", NULL } },
		{ "seq:size=128T", { "size 140737488355328", "70368744177664", NULL } },
		{ "seq:size=abc", { "size 'abc' not a size", NULL } },
		{ "seq:len", { "'len' is not key=value", NULL } },
		{ "hotset:hot=0", { "hot 0", "(0, 1]", NULL } },
		{ "seq:len=2G,size=4G", { "len 2147483648", "1073741824", NULL } },
	};
	char err[512];
	struct gen *g;

	for (size_t i = 0; i < MB_ARRAY_SIZE(t); i++) {
		int ret = gen_create(t[i].spec, &g, err, sizeof(err));
		int ok = ret == -EINVAL && strstr(err, t[i].spec);
		for (int k = 0; ok && t[i].needles[k]; k++)
			ok = strstr(err, t[i].needles[k]) != NULL;
		tap_ok(ok, "'%s' rejected: %s", t[i].spec, ret ? err : "(accepted)");
		if (!ret)
			gen_destroy(g);
	}
}

int main(void)
{
	test_determinism();
	test_normalise();
	test_kinds();
	test_errors();
	return tap_done();
}
