/*
 * analysis/gate.h — the regression gate (shared/DESIGN.md "Compare, plot,
 * gate"): current results against a baseline. Model metrics must be identical
 * or within a per-metric relative epsilon from the policy; native metrics are
 * gated statistically on their samples (Mann–Whitney U, two-sided, plus an
 * effect threshold on the ratio of medians): a regression needs both. A
 * native metric without repetitions on both sides is INSUFFICIENT, never a
 * pass — unless every sample on both sides has the same value (a
 * deterministic count that did not move: PASS, "identical"). A baseline case
 * or metric missing from the current results fails.
 *
 * Policy file (text, '#' comments, [section] then key = value):
 *   [model]   default = 0          relative epsilon for every model metric
 *             <metric> = 1%        ... or for one metric
 *   [native]  alpha = 0.05         significance level
 *             effect = 5%          smallest relative change that counts
 *             min_samples = 3      repetitions needed on each side
 *             insufficient = fail  or warn
 *             ignore = a, b        native metrics not gated
 *             correction = holm    or none: Holm–Bonferroni over all native
 *                                  tests of one run (many metrics x cases would
 *                                  otherwise fail spuriously at rate alpha each)
 *   [cases]   new = warn           or fail: current cases absent from the baseline
 */
#ifndef ANALYSIS_GATE_H
#define ANALYSIS_GATE_H

#include <stdio.h>

#include "analysis/load.h"

#define AN_GATE_MAX_RULES 64

/* Gate policy (see above); an_gate_policy_default() gives the defaults. */
struct an_gate_policy {
	double model_eps;               /* default relative epsilon for model metrics */
	struct {
		char metric[64];        /* metric name */
		double eps;             /* its relative epsilon */
	} eps[AN_GATE_MAX_RULES];       /* per-metric overrides */
	size_t neps;                    /* how many */
	double alpha;                   /* significance level of the U test */
	double effect;                  /* effect threshold (relative change of medians) */
	unsigned min_samples;           /* repetitions required on each side */
	int insufficient_fails;         /* 1: INSUFFICIENT counts as a failure */
	int new_fails;                  /* 1: a case absent from the baseline fails */
	int holm;                       /* 1: Holm–Bonferroni correction of the native tests */
	char ignore[AN_GATE_MAX_RULES][64]; /* native metrics not gated */
	size_t nignore;                 /* how many */
};

void an_gate_policy_default(struct an_gate_policy *p);
/* Load a policy file over the defaults; errors name file:line and the value. */
int an_gate_policy_load(const char *path, struct an_gate_policy *p);

enum an_gate_status {
	AN_GATE_PASS = 0,     /* identical / within epsilon / no significant regression */
	AN_GATE_FAIL,         /* regression, change beyond epsilon, or missing */
	AN_GATE_INSUFFICIENT, /* native metric without enough repetitions */
	AN_GATE_NEW,          /* case or metric not in the baseline */
	AN_GATE_SKIP,         /* not measured on either side, or ignored by policy */
	AN_GATE__COUNT
};

/* One case × metric. Strings borrowed from the loaded sets. */
struct an_gate_row {
	const char *id;      /* case id */
	const char *source;  /* native | model */
	const char *profile; /* model profile or "" */
	const char *metric;  /* metric ("*" for a whole case) */
	enum an_gate_status status;
	int fails;           /* counts as a failure under the policy */
	double base, cur;    /* values (medians for native), NAN when absent */
	double change;       /* cur/base - 1 */
	double p;            /* U-test p-value (native), NAN otherwise */
	int tested;          /* native metric went through the U test */
	char note[240];      /* why */
};

struct an_gate {
	struct an_gate_row *rows;     /* all rows */
	size_t nrows;                 /* how many */
	size_t count[AN_GATE__COUNT]; /* rows per status */
	size_t failures;              /* rows with fails set */
};

int an_gate_run(const struct an_set *base, const struct an_set *cur,
		const struct an_gate_policy *p, struct an_gate **out);
void an_gate_destroy(struct an_gate *g);
const char *an_gate_status_name(enum an_gate_status s);

/*
 * Two-sided Mann–Whitney U test of a vs b. Exact distribution when there
 * are no ties and both samples have at most 25 values, else the normal
 * approximation with tie and continuity corrections. Returns the p-value
 * (NAN if a side is empty); *u gets U of a.
 */
double an_mann_whitney(const double *a, size_t na, const double *b, size_t nb, double *u);

void an_gate_print_text(const struct an_gate *g, FILE *f);
void an_gate_print_markdown(const struct an_gate *g, const struct an_gate_policy *p, FILE *f);
void an_gate_print_junit(const struct an_gate *g, FILE *f);

#endif /* ANALYSIS_GATE_H */
