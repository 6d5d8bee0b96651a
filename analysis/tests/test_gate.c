/*
 * analysis/tests/test_gate.c — unit tests of analysis/gate.h: the U test
 * against exact values, identical inputs pass, an injected 10% model change
 * fails, a significant native regression in synthetic samples fails, a
 * noisy-but-unchanged native input does not, a single sample is
 * insufficient (unless every sample on both sides is equal), missing
 * cases/metrics fail, and the policy file parser.
 * Synthetic samples come from a fixed-seed PRNG (xorshift64* + Box–Muller).
 */
#include "analysis/gate.h"
#include "common/tap.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

static uint64_t rng = 0x9e3779b97f4a7c15ull; /* PRNG state, fixed seed */

static double uniform01(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return ((rng * 0x2545f4914f6cdd1dull) >> 11) * (1.0 / 9007199254740992.0);
}

static double gauss(double mean, double sd)
{
	double u1 = uniform01(), u2 = uniform01();
	if (u1 < 1e-300)
		u1 = 1e-300;
	return mean + sd * sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
}

/* Baseline and current sets of one document each. */
struct two {
	struct an_result *b, *c; /* baseline, current */
	char *names[2];          /* file names */
	struct an_set bs, cs;    /* sets over them */
};

static void two_init(struct two *t)
{
	t->b = an_result_create();
	t->c = an_result_create();
	t->names[0] = "baseline.json";
	t->names[1] = "current.json";
	t->bs = (struct an_set){ &t->b, &t->names[0], 1 };
	t->cs = (struct an_set){ &t->c, &t->names[1], 1 };
}

static void two_free(struct two *t)
{
	an_result_destroy(t->b);
	an_result_destroy(t->c);
}

/* A model case and a native case with samples, into doc. */
static void fill(struct an_result *r, double model_faults, double native_mean, double native_sd,
		 size_t nsamples, const char *metric)
{
	json_t *m = an_result_add_case(r, "seq@1|mmap|cold", "model"), *n;
	double s[64];

	json_object_set_new(m, "profile", json_string("generic"));
	an_case_set_value(m, "faults.total", "count", model_faults);
	an_case_set_value(m, "cycles", "cycles", 123456);
	n = an_result_add_case(r, "seq@1|mmap|cold", "native");
	for (size_t i = 0; i < nsamples; i++)
		s[i] = gauss(native_mean, native_sd);
	an_case_set_samples(n, metric, "ns", s, nsamples);
	an_case_set_status(n, "tlb.l1d.miss", "count", AN_STATUS_UNSUPPORTED, "no PMU");
}

static struct an_gate *run(struct two *t, const struct an_gate_policy *p)
{
	struct an_gate *g = NULL;
	if (an_gate_run(&t->bs, &t->cs, p, &g))
		tap_ok(0, "gate runs");
	return g;
}

static const struct an_gate_row *row(const struct an_gate *g, const char *source, const char *metric)
{
	for (size_t i = 0; i < g->nrows; i++)
		if (!strcmp(g->rows[i].source, source) && !strcmp(g->rows[i].metric, metric))
			return &g->rows[i];
	return NULL;
}

static void test_mw(void)
{
	const double a[] = { 1, 2, 3 }, b[] = { 4, 5, 6 };
	const double c[] = { 1, 2, 3, 4, 5 }, d[] = { 6, 7, 8, 9, 10 };
	const double e[] = { 1, 3, 5, 7, 9 }, f[] = { 2, 4, 6, 8, 10 };
	double u = -1, p;

	p = an_mann_whitney(a, 3, b, 3, &u);
	tap_ok(u == 0 && fabs(p - 0.1) < 1e-12, "U test 3 vs 3 separated: U 0, exact p = 2/20 (%g)", p);
	p = an_mann_whitney(d, 5, c, 5, &u);
	tap_ok(u == 25 && fabs(p - 2.0 / 252) < 1e-12, "U test 5 vs 5 separated: U 25, p = 2/252 (%g)", p);
	p = an_mann_whitney(e, 5, f, 5, &u);
	tap_ok(u == 10 && p > 0.6, "interleaved samples: U 10, p %g large", p);
	p = an_mann_whitney(c, 5, c, 5, &u);
	tap_ok(u == 12.5 && p > 0.9, "identical samples (ties, normal approximation): p %g", p);
}

static void test_identical(void)
{
	struct two t;
	struct an_gate_policy p;
	struct an_gate *g;

	an_gate_policy_default(&p);
	two_init(&t);
	fill(t.b, 256, 1000, 30, 10, "ns");
	json_decref(t.c->root);
	t.c->root = json_deep_copy(t.b->root);
	g = run(&t, &p);
	tap_ok(g && g->failures == 0 && g->count[AN_GATE_PASS] == 3 && g->count[AN_GATE_SKIP] == 1,
	       "identical inputs pass (3 pass, 1 unsupported skipped)");
	an_gate_destroy(g);
	two_free(&t);
}

static void test_model_regression(void)
{
	struct two t;
	struct an_gate_policy p;
	struct an_gate *g;
	const struct an_gate_row *r;
	char path[] = "/tmp/mb-gate-policy-XXXXXX";
	FILE *f;
	int fd;

	an_gate_policy_default(&p);
	two_init(&t);
	rng = 1;
	fill(t.b, 1000, 1000, 30, 10, "ns");
	rng = 1;
	fill(t.c, 1100, 1000, 30, 10, "ns"); /* injected +10% in a model metric */
	g = run(&t, &p);
	r = g ? row(g, "model", "faults.total") : NULL;
	tap_ok(r && r->status == AN_GATE_FAIL && r->fails && g->failures == 1,
	       "injected 10%% model regression fails: %s", r ? r->note : "?");
	an_gate_destroy(g);

	fd = mkstemp(path);
	f = fdopen(fd, "w");
	fprintf(f, "# test policy\n[model]\ndefault = 0\nfaults.total = 12%%\n[native]\neffect = 5%%\n");
	fclose(f);
	tap_ok(an_gate_policy_load(path, &p) == 0 && p.neps == 1 && fabs(p.eps[0].eps - 0.12) < 1e-12,
	       "policy file: per-metric epsilon 12%%");
	g = run(&t, &p);
	tap_ok(g && g->failures == 0, "10%% change within a 12%% epsilon passes");
	an_gate_destroy(g);
	f = fopen(path, "w");
	fprintf(f, "[native]\nalpha = 2\n");
	fclose(f);
	tap_ok(an_gate_policy_load(path, &p) == -EINVAL, "bad policy value rejected (alpha = 2)");
	f = fopen(path, "w");
	fprintf(f, "epsilon = 1\n");
	fclose(f);
	tap_ok(an_gate_policy_load(path, &p) == -EINVAL, "key outside a section rejected");
	unlink(path);
	two_free(&t);
}

static void test_native(void)
{
	struct two t;
	struct an_gate_policy p;
	struct an_gate *g;
	const struct an_gate_row *r;

	an_gate_policy_default(&p);
	/* significant 12% regression with 3% noise, 10 repetitions */
	two_init(&t);
	rng = 42;
	fill(t.b, 256, 1000, 30, 10, "ns");
	fill(t.c, 256, 1120, 33, 10, "ns");
	g = run(&t, &p);
	r = g ? row(g, "native", "ns") : NULL;
	tap_ok(r && r->status == AN_GATE_FAIL && r->p < 0.05 && r->change > 0.05,
	       "significant native regression caught: %s", r ? r->note : "?");
	an_gate_destroy(g);
	two_free(&t);

	/*
	 * Noisy (10% sd) but unchanged: the same distribution on both sides. A
	 * statistical gate has a false-alarm rate; the U test bounds it by alpha
	 * (two-sided, and only the bad direction counts, so about alpha/2 is
	 * expected). Over 200 fixed seeds, at most alpha x 200 may fail.
	 */
	int fails = 0;
	for (uint64_t seed = 100; seed < 300; seed++) {
		two_init(&t);
		rng = seed;
		fill(t.b, 256, 1000, 100, 10, "ns");
		fill(t.c, 256, 1000, 100, 10, "ns");
		g = run(&t, &p);
		fails += g && g->failures;
		an_gate_destroy(g);
		two_free(&t);
	}
	tap_ok(fails <= 0.05 * 200, "noisy-but-unchanged native input: %d of 200 seeds fail, <= alpha x 200", fails);
	two_init(&t);
	rng = 100;
	fill(t.b, 256, 1000, 100, 10, "ns");
	fill(t.c, 256, 1000, 100, 10, "ns");
	g = run(&t, &p);
	tap_ok(g && g->failures == 0, "noisy-but-unchanged, seed 100 (first of the sweep): passes");
	an_gate_destroy(g);
	two_free(&t);

	/* throughput: lower is worse */
	two_init(&t);
	rng = 7;
	fill(t.b, 256, 1000, 10, 8, "bytes_per_s");
	fill(t.c, 256, 800, 10, 8, "bytes_per_s");
	g = run(&t, &p);
	r = g ? row(g, "native", "bytes_per_s") : NULL;
	tap_ok(r && r->status == AN_GATE_FAIL, "20%% lower bytes_per_s is a regression");
	an_gate_destroy(g);
	two_free(&t);

	/* faster is not a regression */
	two_init(&t);
	fill(t.b, 256, 1000, 10, 8, "ns");
	fill(t.c, 256, 800, 10, 8, "ns");
	g = run(&t, &p);
	r = g ? row(g, "native", "ns") : NULL;
	tap_ok(r && r->status == AN_GATE_PASS && strstr(r->note, "improved"), "20%% faster passes as improved");
	an_gate_destroy(g);
	two_free(&t);

	/* a single sample is insufficient, not a pass */
	two_init(&t);
	fill(t.b, 256, 1000, 10, 1, "ns");
	fill(t.c, 256, 1000, 10, 1, "ns");
	g = run(&t, &p);
	r = g ? row(g, "native", "ns") : NULL;
	tap_ok(r && r->status == AN_GATE_INSUFFICIENT && r->fails && g->failures == 1,
	       "single sample: insufficient, fails by default");
	an_gate_destroy(g);
	p.insufficient_fails = 0;
	g = run(&t, &p);
	tap_ok(g && g->failures == 0 && g->count[AN_GATE_INSUFFICIENT] == 1,
	       "insufficient = warn: reported, not failing");
	an_gate_destroy(g);
	two_free(&t);
	p.insufficient_fails = 1;

	/* a deterministic count in one sample (tracepoint repetition): equal passes, a change does not */
	two_init(&t);
	fill(t.b, 256, 281, 0, 1, "faults.tracepoint");
	fill(t.c, 256, 281, 0, 3, "faults.tracepoint");
	g = run(&t, &p);
	r = g ? row(g, "native", "faults.tracepoint") : NULL;
	tap_ok(r && r->status == AN_GATE_PASS && !r->fails && strstr(r->note, "identical"),
	       "1 vs 3 samples, all equal: passes as identical (%s)", r ? r->note : "?");
	an_gate_destroy(g);
	two_free(&t);
	two_init(&t);
	fill(t.b, 256, 281, 0, 1, "faults.tracepoint");
	fill(t.c, 256, 282, 0, 1, "faults.tracepoint");
	g = run(&t, &p);
	r = g ? row(g, "native", "faults.tracepoint") : NULL;
	tap_ok(r && r->status == AN_GATE_INSUFFICIENT && r->fails,
	       "1 sample each, 281 -> 282: insufficient, fails");
	an_gate_destroy(g);
	two_free(&t);
}

static void test_missing(void)
{
	struct two t;
	struct an_gate_policy p;
	struct an_gate *g;
	const struct an_gate_row *r;
	json_t *c;

	an_gate_policy_default(&p);
	two_init(&t);
	fill(t.b, 256, 1000, 10, 5, "ns");
	an_case_set_value(an_result_add_case(t.b, "gone", "model"), "syscalls", "count", 3);
	c = an_result_add_case(t.c, "seq@1|mmap|cold", "model");
	json_object_set_new(c, "profile", json_string("generic"));
	an_case_set_value(c, "faults.total", "count", 256); /* cycles missing */
	c = an_result_add_case(t.c, "seq@1|mmap|cold", "native");
	an_case_set_status(c, "ns", "ns", AN_STATUS_ERROR, "timer failed");
	an_case_set_status(c, "tlb.l1d.miss", "count", AN_STATUS_UNSUPPORTED, "no PMU");
	an_result_add_case(t.c, "brand-new", "model");
	g = run(&t, &p);
	r = g ? row(g, "model", "cycles") : NULL;
	tap_ok(r && r->status == AN_GATE_FAIL && strstr(r->note, "missing"), "missing metric fails loudly");
	r = g ? row(g, "native", "ns") : NULL;
	tap_ok(r && r->status == AN_GATE_FAIL && strstr(r->note, "timer failed"), "measured -> error fails with the reason");
	tap_ok(g && g->count[AN_GATE_NEW] == 1, "new case reported");
	for (size_t i = 0; g && i < g->nrows; i++)
		if (!strcmp(g->rows[i].id, "gone"))
			r = &g->rows[i];
	tap_ok(r && !strcmp(r->id, "gone") && r->status == AN_GATE_FAIL, "missing case fails loudly");
	if (g) {
		char buf[8192] = "";
		FILE *f = fmemopen(buf, sizeof(buf) - 1, "w");
		an_gate_print_junit(g, f);
		fclose(f);
		tap_ok(strstr(buf, "<testsuite ") && strstr(buf, "<failure message=\"FAIL: baseline case missing") &&
		       strstr(buf, "failures=\"3\""), "JUnit XML carries the failures");
	}
	an_gate_destroy(g);
	p.new_fails = 1;
	g = run(&t, &p);
	tap_ok(g && g->failures == 4, "new = fail: the new case fails too");
	an_gate_destroy(g);
	two_free(&t);
}

/* Holm–Bonferroni: one separated 5-vs-5 regression (p = 2/252) among 10 tests */
static void test_holm(void)
{
	struct two t;
	struct an_gate_policy p;
	struct an_gate *g;
	const struct an_gate_row *r;
	json_t *b, *c;
	char name[16];

	an_gate_policy_default(&p);
	two_init(&t);
	b = an_result_add_case(t.b, "k", "native");
	c = an_result_add_case(t.c, "k", "native");
	for (int m = 0; m < 10; m++) {
		double bs[5], cs[5];
		for (int i = 0; i < 5; i++) {
			bs[i] = 1000 + 10 * i;
			cs[i] = m == 0 ? 1100 + 10 * i : bs[i];
		}
		snprintf(name, sizeof(name), "ns%d", m);
		an_case_set_samples(b, name, "ns", bs, 5);
		an_case_set_samples(c, name, "ns", cs, 5);
	}
	p.holm = 0;
	g = run(&t, &p);
	r = g ? row(g, "native", "ns0") : NULL;
	tap_ok(r && r->status == AN_GATE_FAIL, "uncorrected: p = 0.0079 < 0.05 with +10%% fails");
	an_gate_destroy(g);
	p.holm = 1;
	g = run(&t, &p);
	r = g ? row(g, "native", "ns0") : NULL;
	tap_ok(r && r->status == AN_GATE_PASS && strstr(r->note, "Holm"),
	       "Holm over 10 tests: 0.0079 > 0.05/10, not a regression (noted): %s", r ? r->note : "?");
	an_gate_destroy(g);
	two_free(&t);
}

int main(void)
{
	test_holm();
	test_mw();
	test_identical();
	test_model_regression();
	test_native();
	test_missing();
	return tap_done();
}
