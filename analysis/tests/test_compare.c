/*
 * analysis/tests/test_compare.c — unit tests of analysis/compare.h on
 * synthetic results built in memory: the TLB comparison (this host has no PMU,
 * so real TLB metrics are unsupported and only synthetic inputs can prove the
 * logic), the fault tolerance with its exact rule for warm/tmpfs states,
 * unsupported and missing sides, and the per-family verdicts.
 */
#include "analysis/compare.h"
#include "common/tap.h"

#include <math.h>
#include <string.h>

/* Two documents, native and model, as one set. */
struct pair {
	struct an_result *doc[2]; /* native, model */
	char *names[2];           /* file names for messages */
	struct an_set set;        /* view over doc[] */
};

static void pair_init(struct pair *p)
{
	p->doc[0] = an_result_create();
	p->doc[1] = an_result_create();
	p->names[0] = "native.json";
	p->names[1] = "model.json";
	p->set.docs = p->doc;
	p->set.names = p->names;
	p->set.n = 2;
}

static void pair_free(struct pair *p)
{
	an_result_destroy(p->doc[0]);
	an_result_destroy(p->doc[1]);
}

static const struct an_cmp_row *find_row(const struct an_compare *c, const char *id, const char *metric)
{
	for (size_t i = 0; i < c->nrows; i++)
		if (!strcmp(c->rows[i].id, id) && !strcmp(c->rows[i].metric, metric))
			return &c->rows[i];
	return NULL;
}

static void test_tlb(void)
{
	struct pair p;
	struct an_compare *c = NULL;
	const struct an_cmp_row *r;
	char id[64];

	pair_init(&p);
	/* 20 cases: model within 10% for 19 (ratios 0.92..1.08), one at 1.5 */
	for (int i = 0; i < 20; i++) {
		json_t *n, *m;
		double nv = 1000 + 100 * i, f = i == 7 ? 1.5 : 0.92 + 0.008 * i;
		snprintf(id, sizeof(id), "chase:pages=%d@0000000%d|anon,madv=normal|none", 16 << (i % 8), i);
		n = an_result_add_case(p.doc[0], id, "native");
		m = an_result_add_case(p.doc[1], id, "model");
		an_case_set_value(n, "tlb.l1d.miss", "count", nv);
		an_case_set_value(m, "tlb.l1d.miss", "count", nv * f);
		an_case_set_value(n, "tlb.stlb.miss", "count", nv / 10);
		an_case_set_value(m, "tlb.stlb.miss", "count", nv / 10);
		if (i < 3)
			an_case_set_status(n, "walk.cycles", "cycles", AN_STATUS_UNSUPPORTED, "no PMU");
		else
			an_case_set_scaled(n, "walk.cycles", "cycles", 5000, 0.5);
		an_case_set_value(m, "walk.cycles", "cycles", 5100);
	}
	tap_ok(an_compare_run(&p.set, &c) == 0 && c, "compare synthetic TLB inputs");
	if (!c)
		return;
	tap_eq_u64(c->joined, 20, "20 pairs joined");
	tap_eq_u64(c->fam[AN_FAM_TLB].compared, 57, "TLB family: 20+20+17 compared rows");
	tap_eq_u64(c->fam[AN_FAM_TLB].within, 56, "56 within 10%% (one at 1.5)");
	tap_eq_u64(c->fam[AN_FAM_TLB].unsupported, 3, "3 walk.cycles rows unsupported on the native side");
	tap_ok(c->fam[AN_FAM_TLB].verdict == 1, "TLB family passes: 56/57 = 98%% >= 95%%");
	tap_ok(fabs(c->fam[AN_FAM_TLB].worst_ratio - 1.5) < 1e-12 &&
	       !strcmp(c->fam[AN_FAM_TLB].worst_metric, "tlb.l1d.miss"), "worst ratio 1.5 on tlb.l1d.miss");
	snprintf(id, sizeof(id), "chase:pages=%d@0000000%d|anon,madv=normal|none", 16 << 7, 7);
	r = find_row(c, id, "tlb.l1d.miss");
	tap_ok(r && r->status == AN_CMP_BEYOND && strstr(r->note, "TLB geometry"),
	       "beyond-tolerance TLB row names the TLB geometry: %s", r ? r->note : "(none)");
	snprintf(id, sizeof(id), "chase:pages=%d@0000000%d|anon,madv=normal|none", 16, 0);
	r = find_row(c, id, "walk.cycles");
	tap_ok(r && r->status == AN_CMP_UNSUPPORTED && isnan(r->native) && strstr(r->note, "no PMU"),
	       "unsupported native walk.cycles is not a number and carries its reason");
	an_compare_destroy(c);

	/* two more misses push the family below 95% */
	for (int i = 0; i < 2; i++) {
		snprintf(id, sizeof(id), "extra%d", i);
		an_case_set_value(an_result_add_case(p.doc[0], id, "native"), "tlb.stlb.miss", "count", 100);
		an_case_set_value(an_result_add_case(p.doc[1], id, "model"), "tlb.stlb.miss", "count", 50);
	}
	an_compare_run(&p.set, &c);
	tap_ok(c && c->fam[AN_FAM_TLB].verdict == 0, "TLB family fails at 56/59 = 94.9%%");
	an_compare_destroy(c);
	pair_free(&p);
}

static void test_faults_and_missing(void)
{
	struct pair p;
	struct an_compare *c = NULL;
	const struct an_cmp_row *r;
	json_t *n, *m;

	pair_init(&p);
	/* cold: 1000 vs 1015 is within 2%; warm: 100 vs 101 must be exact */
	n = an_result_add_case(p.doc[0], "a|mmap|cold", "native");
	m = an_result_add_case(p.doc[1], "a|mmap|cold", "model");
	an_case_set_value(n, "faults.total", "count", 1000);
	an_case_set_value(m, "faults.total", "count", 1015);
	an_case_set_value(n, "faults.major", "count", 0);
	an_case_set_value(m, "faults.major", "count", 8); /* within +-8 absolute */
	an_case_set_value(n, "faults.minor", "count", 1000);
	an_case_set_value(m, "faults.minor", "count", 1021); /* 2.1% and > 8: beyond */
	n = an_result_add_case(p.doc[0], "b|mmap|warm-read:1M", "native");
	m = an_result_add_case(p.doc[1], "b|mmap|warm-read:1M", "model");
	an_case_set_value(n, "faults.total", "count", 100);
	an_case_set_value(m, "faults.total", "count", 101);
	an_case_set_value(n, "syscalls", "count", 7);
	/* model lacks syscalls: missing */
	an_case_set_value(n, "pt.bytes", "bytes", 4096);
	an_case_set_value(m, "pt.bytes", "bytes", 8192);
	an_result_add_case(p.doc[0], "only-native", "native");
	json_object_set_new(an_result_add_case(p.doc[1], "only-model", "model"), "profile",
			    json_string("generic"));
	tap_ok(an_compare_run(&p.set, &c) == 0, "compare fault cases");
	r = find_row(c, "a|mmap|cold", "faults.total");
	tap_ok(r && r->status == AN_CMP_OK && !r->exact, "cold 1000 vs 1015 within 2%%");
	r = find_row(c, "a|mmap|cold", "faults.major");
	tap_ok(r && r->status == AN_CMP_OK && isinf(r->ratio), "0 vs 8 within +-8, ratio inf");
	r = find_row(c, "a|mmap|cold", "faults.minor");
	tap_ok(r && r->status == AN_CMP_BEYOND && strstr(r->note, "fault handler"), "1000 vs 1021 beyond, fault handler named");
	r = find_row(c, "b|mmap|warm-read:1M", "faults.total");
	tap_ok(r && r->status == AN_CMP_BEYOND && r->exact, "warm 100 vs 101 beyond: exact rule");
	r = find_row(c, "b|mmap|warm-read:1M", "syscalls");
	tap_ok(r && r->status == AN_CMP_MISSING && strstr(r->note, "model"), "syscalls absent from the model: missing");
	r = find_row(c, "b|mmap|warm-read:1M", "pt.bytes");
	tap_ok(r && r->status == AN_CMP_BEYOND && r->ratio == 2 && strstr(r->note, "page table"), "pt.bytes exact, ratio 2, page table named");
	tap_ok(find_row(c, "only-native", "*") && find_row(c, "only-model", "*"), "unjoined cases reported on both sides");
	tap_ok(c->fam[AN_FAM_FAULTS].verdict == 0 && c->fam[AN_FAM_FAULTS].exact_beyond == 1, "faults fail (exact warm miss)");
	tap_ok(c->fam[AN_FAM_TLB].verdict == -1, "no TLB data: verdict no data");
	tap_ok(c->fam[AN_FAM_SYSCALLS].missing == 1 && c->fam[AN_FAM_SYSCALLS].verdict == -1, "syscalls: missing, no data");
	an_compare_destroy(c);
	pair_free(&p);
}

static void test_time(void)
{
	struct pair p;
	struct an_compare *c = NULL;
	char id[32];

	pair_init(&p);
	/* |err| = 0.1, 0.2, 0.3, 0.4, 0.5: median 0.3 > 0.25 -> fail */
	for (int i = 0; i < 5; i++) {
		snprintf(id, sizeof(id), "t%d", i);
		an_case_set_value(an_result_add_case(p.doc[0], id, "native"), "ns", "ns", 100);
		an_case_set_value(an_result_add_case(p.doc[1], id, "model"), "ns", "ns", 100 * (1.1 + 0.1 * i));
	}
	an_compare_run(&p.set, &c);
	tap_ok(c && fabs(c->fam[AN_FAM_TIME].median_err - 0.3) < 1e-9 && c->fam[AN_FAM_TIME].verdict == 0,
	       "time: median |err| 30%% fails the 25%% target");
	an_compare_destroy(c);
	pair_free(&p);
}

/* A model metric's own tolerance (io_uring enters that depend on timing) widens the exact rule. */
static void test_case_tolerance(void)
{
	struct pair p;
	struct an_compare *c = NULL;
	const struct an_cmp_row *r;
	json_t *n, *m;

	pair_init(&p);
	n = an_result_add_case(p.doc[0], "u|io_uring,qd=32|tmpfs:1M", "native");
	m = an_result_add_case(p.doc[1], "u|io_uring,qd=32|tmpfs:1M", "model");
	an_case_set_value(n, "syscalls", "count", 900);
	an_case_set_value(m, "syscalls", "count", 1000);   /* 11% off: within 25% */
	an_case_set_tolerance(m, "syscalls", 0.25, "completion timing");
	an_case_set_value(n, "syscalls.io_uring_enter", "count", 700);
	an_case_set_value(m, "syscalls.io_uring_enter", "count", 1000); /* 43% off: beyond */
	an_case_set_tolerance(m, "syscalls.io_uring_enter", 0.25, "completion timing");
	an_case_set_value(n, "syscalls.read", "count", 10);
	an_case_set_value(m, "syscalls.read", "count", 11); /* no stated tolerance: exact */
	tap_ok(an_compare_run(&p.set, &c) == 0, "compare with a case tolerance");
	r = find_row(c, "u|io_uring,qd=32|tmpfs:1M", "syscalls");
	tap_ok(r && r->status == AN_CMP_OK && !r->exact && strstr(r->note, "tolerance 25%: completion timing"),
	       "900 vs 1000 within the stated 25%%, the reason in the note");
	r = find_row(c, "u|io_uring,qd=32|tmpfs:1M", "syscalls.io_uring_enter");
	tap_ok(r && r->status == AN_CMP_BEYOND && strstr(r->note, "completion timing"), "700 vs 1000 beyond 25%%, reason named");
	r = find_row(c, "u|io_uring,qd=32|tmpfs:1M", "syscalls.read");
	tap_ok(r && r->status == AN_CMP_BEYOND && r->exact, "no stated tolerance: the exact rule holds");
	an_compare_destroy(c);
	pair_free(&p);
	/* the validator refuses a tolerance outside (0, 1] and one without its reason */
	struct an_result *d = an_result_create();
	json_t *cs = an_result_add_case(d, "x|read|cold", "model");
	char err[512];
	an_case_set_value(cs, "syscalls", "count", 3);
	json_object_set_new(json_object_get(json_object_get(cs, "metrics"), "syscalls"), "tolerance_rel", json_real(2));
	tap_ok(an_result_validate(d->root, "t.json", err, sizeof(err)) != 0 && strstr(err, "tolerance_rel"),
	       "tolerance_rel 2 refused: %s", err);
	json_object_set_new(json_object_get(json_object_get(cs, "metrics"), "syscalls"), "tolerance_rel", json_real(0.2));
	tap_ok(an_result_validate(d->root, "t.json", err, sizeof(err)) != 0 && strstr(err, "tolerance_reason"),
	       "tolerance_rel without its reason refused: %s", err);
	an_case_set_tolerance(cs, "syscalls", 0.2, "why");
	tap_ok(an_result_validate(d->root, "t.json", err, sizeof(err)) == 0, "tolerance with its reason accepted");
	an_result_destroy(d);
}

/* Page-cache additions explained by pages the system removed during the replay (cache.evicted). */
static void test_evicted(void)
{
	static const struct { const char *id; double added, evicted; int ok; const char *what; } k[] = {
		{ "e|fread|warm-read:1M", 4, 5, 1, "warm: 4 more added, 5 pages evicted: within, said" },
		{ "f|fread|warm-read:1M", 9, 5, 0, "warm: 9 more added, 5 evicted: beyond" },
		{ "g|mmap|cold", 200, 150, 0, "cold: evictions explain nothing (no claim the cache stays)" },
		{ "h|mmap|warm-read:1M|mem=8388608", 4, 5, 0, "under a memory limit the model reclaims itself" },
		{ "i|read|warm-read:1M", 4, 0, 0, "no eviction: the exact rule holds" },
	};
	struct pair p;
	struct an_compare *c = NULL;

	pair_init(&p);
	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		json_t *n = an_result_add_case(p.doc[0], k[i].id, "native");
		an_case_set_value(n, "pagecache.added", "folios", k[i].added);
		an_case_set_value(n, "cache.evicted", "pages", k[i].evicted);
		an_case_set_value(an_result_add_case(p.doc[1], k[i].id, "model"), "pagecache.added", "folios", 0);
	}
	tap_ok(an_compare_run(&p.set, &c) == 0, "compare with evictions");
	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		const struct an_cmp_row *r = find_row(c, k[i].id, "pagecache.added");
		tap_ok(r && (r->status == AN_CMP_OK) == k[i].ok && (!k[i].ok || strstr(r->note, "cache.evicted")),
		       "%s (%s)", k[i].what, r ? r->note : "no row");
	}
	an_compare_destroy(c);
	pair_free(&p);
}

static void test_fixture(void)
{
	char *paths[] = { MB_TEST_DATA "/native.json", MB_TEST_DATA "/model.json" };
	struct an_set set;
	struct an_compare *c = NULL;
	json_t *j;

	if (!tap_ok(an_set_load(&set, paths, 2) == 0, "load the fixture pair"))
		return;
	tap_ok(an_compare_run(&set, &c) == 0 && c->joined == 10, "fixture: 10 pairs");
	tap_ok(c->fam[AN_FAM_TLB].unsupported == 30 && c->fam[AN_FAM_TLB].verdict == -1,
	       "fixture: native TLB unsupported (as on this host), no data");
	j = an_compare_to_json(c);
	tap_ok(j && json_array_size(json_object_get(j, "rows")) == c->nrows, "JSON has every row");
	json_decref(j);
	an_compare_destroy(c);
	an_set_free(&set);
}

int main(void)
{
	test_tlb();
	test_faults_and_missing();
	test_time();
	test_evicted();
	test_case_tolerance();
	test_fixture();
	return tap_done();
}
