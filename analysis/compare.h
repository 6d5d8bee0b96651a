/*
 * analysis/compare.h — native versus model agreement (shared/DESIGN.md
 * "Compare"). Cases are joined by id (the profile is a field of model cases,
 * so one native case may meet several model profiles) and metrics by name.
 * Every metric belongs to one family; each family has one row in the
 * tolerance table (compare.c), which is data, not code.
 */
#ifndef ANALYSIS_COMPARE_H
#define ANALYSIS_COMPARE_H

#include <stdio.h>
#include <jansson.h>

#include "analysis/load.h"

enum an_family {
	AN_FAM_FAULTS = 0, /* faults.total/.minor/.major */
	AN_FAM_SYSCALLS,   /* syscalls, syscalls.* */
	AN_FAM_PAGECACHE,  /* pagecache.* */
	AN_FAM_PT,         /* pt.bytes */
	AN_FAM_TLB,        /* tlb.*, walk.* */
	AN_FAM_TIME,       /* cycles, ns, ns_per_access, bytes_per_s */
	AN_FAM_CHECKSUM,   /* checksum (when both sides give one) */
	AN_FAM__COUNT
};

/* One family's tolerance and verdict rule. */
struct an_tolerance {
	const char *name;      /* family name used on the command line */
	const char *members;   /* printable list of its metrics */
	double rel;            /* per-case relative tolerance |m-n| <= rel*|n| */
	double abs;            /* ... or absolute tolerance |m-n| <= abs */
	int exact_warm;        /* exact (0 difference) for warm-* and tmpfs cache states */
	double min_share;      /* family passes when share within >= min_share */
	double max_median_err; /* > 0: family passes when median |m/n - 1| <= this instead */
	const char *component; /* most likely culprit when beyond tolerance */
	const char *source;    /* where the numbers come from */
};

enum an_cmp_status {
	AN_CMP_OK = 0,      /* both measured, within tolerance */
	AN_CMP_BEYOND,      /* both measured, beyond tolerance */
	AN_CMP_UNSUPPORTED, /* present but not measured on one or both sides */
	AN_CMP_MISSING,     /* metric or case absent on one side */
	AN_CMP__COUNT
};

/* One case × metric (× model profile). Strings are borrowed from the loaded set. */
struct an_cmp_row {
	const char *id;          /* case id */
	const char *profile;     /* model profile ("" when none) */
	const char *metric;      /* metric name ("*" for a whole missing case) */
	enum an_family fam;      /* its family */
	int exact;               /* the exact rule applied (warm/tmpfs or exact family) */
	double native, model;    /* values, NAN when absent */
	double ratio;            /* model / native (1 when both 0, INFINITY when native 0) */
	enum an_cmp_status status;
	char note[400];          /* why unsupported/missing; the component when beyond */
};

/* Agreement summary of one family. */
struct an_cmp_family {
	size_t rows;          /* rows of this family */
	size_t compared;      /* rows with both values */
	size_t within;        /* ... within tolerance */
	size_t exact_beyond;  /* exact-rule rows beyond tolerance (always fail) */
	size_t unsupported;   /* AN_CMP_UNSUPPORTED rows */
	size_t missing;       /* AN_CMP_MISSING rows */
	double share;         /* within / compared (NAN when none) */
	double median_ratio;  /* median of model/native ratios */
	double worst_ratio;   /* the ratio farthest from 1 in log terms */
	const char *worst_id; /* its case id */
	const char *worst_metric; /* its metric */
	double median_err;    /* median |ratio - 1| */
	int verdict;          /* 1 pass, 0 fail, -1 no data */
};

struct an_compare {
	struct an_cmp_row *rows;              /* all rows, case order of the native side */
	size_t nrows;                         /* how many */
	struct an_cmp_family fam[AN_FAM__COUNT]; /* per family summary */
	size_t native_cases, model_cases;     /* inputs seen */
	size_t joined;                        /* native×model pairs joined */
	char warnings[8][320];                /* host/profile mismatches (fingerprints), one sentence each */
	size_t nwarnings;                     /* how many */
	struct an_cmp_drift {                 /* the native results' host drift checks (host.drift) */
		char label[24];               /* when: start, after-25, ..., end */
		char verdict[16];             /* steady, drifted, unsupported */
		double geomean;               /* now / calibrated, geometric mean (NAN: none) */
	} drift[24];
	size_t ndrift;                        /* how many */
	double drift_median;                  /* median geomean over the checks (NAN: none measured) */
	double drift_min, drift_max;          /* their range */
	double drift_bound;                   /* the checks' bound (e.g. 0.05) */
};

const struct an_tolerance *an_tolerance_of(enum an_family f);
int an_family_parse(const char *name, enum an_family *out);
/* Family of a metric name, or -1 when the metric is not compared. */
int an_metric_family(const char *metric);
const char *an_cmp_status_name(enum an_cmp_status s);

/* Nonzero: do not warn about repeated cases (plot over several baselines). */
extern int an_compare_quiet;

/* Join the native and model cases of all documents. Returns 0 or -ENOMEM. */
int an_compare_run(const struct an_set *set, struct an_compare **out);
void an_compare_destroy(struct an_compare *c);

/* Output. all = print every row (else summary + flagged rows). */
void an_compare_print_text(const struct an_compare *c, FILE *f, int all);
void an_compare_print_markdown(const struct an_compare *c, FILE *f);
json_t *an_compare_to_json(const struct an_compare *c); /* new reference */

#endif /* ANALYSIS_COMPARE_H */
