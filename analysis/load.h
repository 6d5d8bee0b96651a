/*
 * analysis/load.h — loading result files for the analysis commands, and
 * defensive accessors for the descriptive parts of a case (method, pattern,
 * cache state, working set). Producers may fill the "method"/"cache"/"trace"
 * objects more or less completely; every accessor falls back to the case id
 * (<spec>@<hash8>|<method,opts>|<cache>, analysis/caseid.h) and never fails.
 */
#ifndef ANALYSIS_LOAD_H
#define ANALYSIS_LOAD_H

#include <stddef.h>
#include <jansson.h>

#include "analysis/result.h"

/* A set of loaded result documents. */
struct an_set {
	struct an_result **docs; /* validated documents, in argument order */
	char **names;            /* the file each came from */
	size_t n;                /* how many */
};

/*
 * Load every path: a file is read and validated; a directory contributes its
 * *.json files in name order, silently skipping JSON files whose "schema" is
 * not a mapbench result (compare/gate outputs living beside results), but
 * failing on a result file that does not validate. Messages go to stderr.
 * Returns 0, -EINVAL (bad input, message printed) or -errno.
 */
int an_set_load(struct an_set *s, char *const *paths, int npaths);
void an_set_free(struct an_set *s);

/* Case descriptors, written into buf (always a printable string). */
const char *an_case_method(const json_t *c, char *buf, size_t len);  /* "mmap", "read", ... */
const char *an_case_variant(const json_t *c, char *buf, size_t len); /* "mmap,private,madv=normal" */
const char *an_case_pattern(const json_t *c, char *buf, size_t len); /* "seq", "uniform", ... */
const char *an_case_cache(const json_t *c, char *buf, size_t len);   /* "cold", "warm-read:1M" */
const char *an_case_spec(const json_t *c, char *buf, size_t len);    /* trace spec */
/* Working set in bytes: trace.distinct_pages × 4 KiB, else trace.region_bytes; 0 = unknown. */
double an_case_working_set(const json_t *c);
/* The number after key in a case id ("|mem=" -> the memory limit in bytes), or 0 when absent. */
double an_id_number(const char *id, const char *key);
/* A case's metric value or NAN when absent/not measured. */
double an_case_value(const json_t *c, const char *metric);

#endif /* ANALYSIS_LOAD_H */
