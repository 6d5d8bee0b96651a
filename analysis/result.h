/*
 * analysis/result.h — the result schema (JSON, versioned) in memory, and its
 * atomic writer and validating reader. Shared by the native harness (bench/),
 * the model's CLI front-end and every consumer (compare, plot, gate, report).
 * See shared/DESIGN.md "Result schema".
 *
 * File layout (schema_version AN_SCHEMA_VERSION):
 * {
 *   "schema": "mapbench-result", "schema_version": 1,
 *   "tool": {"version": "...", "git": "..."}, "timestamp": "ISO-8601 UTC",
 *   "host": {...}, "options": {...},
 *   "cases": [ { "id": "...", "source": "native"|"model", "profile": "...",
 *                "trace": {"spec":..., "hash":..., "records":..., "region_bytes":...},
 *                "method": {...}, "cache": {...},
 *                "metrics": { "<name>": { "unit": "...", "status": "ok",
 *                             "value": x, "samples": [...], "median": x,
 *                             "min": x, "max": x, "mad": x,
 *                             "scale_ratio": r, "reason": "..." } },
 *                "breakdown": {...} (model: cycles per component) } ],
 *   "partial": false
 * }
 * Invariant: a metric whose status is not ok/multiplexed has no value, and
 * always has a reason. Never 0 in place of "could not be measured".
 */
#ifndef ANALYSIS_RESULT_H
#define ANALYSIS_RESULT_H

#include <stddef.h>
#include <jansson.h>

#define AN_SCHEMA_NAME "mapbench-result"
#define AN_SCHEMA_VERSION 1

enum an_status {
	AN_STATUS_OK = 0,         /* measured / predicted */
	AN_STATUS_MULTIPLEXED,    /* measured, scaled; scale_ratio = running/enabled */
	AN_STATUS_UNSUPPORTED,    /* this host / build cannot measure it; reason says why */
	AN_STATUS_NOT_PERMITTED,  /* needs privileges we lack; reason says which */
	AN_STATUS_ERROR,          /* measurement failed; reason says how */
	AN_STATUS__COUNT
};

const char *an_status_name(enum an_status s);
int an_status_parse(const char *s, enum an_status *out);

/*
 * A result document. It is a jansson tree underneath; these helpers keep its
 * shape right. Callers may add free-form members to host/options/case objects
 * with jansson directly.
 */
struct an_result {
	json_t *root; /* the whole document */
};

/* New empty document with schema, tool, timestamp filled; host/options empty objects. */
struct an_result *an_result_create(void);
void an_result_destroy(struct an_result *r); /* accepts NULL */
json_t *an_result_host(struct an_result *r);    /* borrowed */
json_t *an_result_options(struct an_result *r); /* borrowed */
json_t *an_result_cases(const struct an_result *r); /* borrowed array */
/* Mark the document partial (interrupted run). */
void an_result_set_partial(struct an_result *r, int partial);

/* Add a case {id, source}; returns the borrowed case object. */
json_t *an_result_add_case(struct an_result *r, const char *id, const char *source);
/* Find a case by id and source (source NULL = any). Borrowed or NULL. */
json_t *an_result_find_case(const struct an_result *r, const char *id, const char *source);

/* Metrics on a case object. unit e.g. "count", "ns", "cycles", "bytes", "bytes/s". */
void an_case_set_value(json_t *c, const char *name, const char *unit, double value);
/* Samples: stores samples and their median/min/max/MAD; value = median. */
void an_case_set_samples(json_t *c, const char *name, const char *unit,
			 const double *samples, size_t n);
/*
 * A producer's own, wider tolerance for one value (model metrics whose native
 * twin depends on timing): "tolerance_rel" (0, 1] and its "tolerance_reason"
 * on an existing metric; compare uses the wider of this and the family's
 * tolerance and prints the reason. No-op when the metric is absent.
 */
void an_case_set_tolerance(json_t *c, const char *name, double rel, const char *reason);
/* Not measured: status must not be OK; reason is required. */
void an_case_set_status(json_t *c, const char *name, const char *unit,
			enum an_status status, const char *reason);
/* Multiplexed counter: value already scaled, ratio = time_running/time_enabled.
 * ratio == 1 (never multiplexed) is stored as status ok with its scale_ratio;
 * a ratio outside (0, 1] or a non-finite value becomes status error. */
void an_case_set_scaled(json_t *c, const char *name, const char *unit,
			double value, double ratio);

/* Metric accessors on a case (borrowed / status). Returns -ENOENT if absent. */
json_t *an_case_metric(const json_t *c, const char *name);
/* 0 and *value when the metric has a value (ok/multiplexed); -ENODATA with
 * *status set when its status says it was not measured; -ENOENT if m is NULL. */
int an_metric_value(const json_t *m, double *value, enum an_status *status);
/* String member `key` of a case (or any object), "" when absent. */
const char *an_case_str(const json_t *c, const char *key);

/* Statistics helpers used above and by gate. Sorts a copy. */
double an_median(const double *v, size_t n);
double an_mad(const double *v, size_t n); /* median absolute deviation */

/*
 * Write atomically (temp + fsync + rename). Returns 0 or -errno and prints a
 * message naming the path.
 */
int an_result_write(const struct an_result *r, const char *path);
/*
 * Read and validate: schema name and version, required fields and types,
 * metric status/value invariant. On error returns -EINVAL/-errno and a
 * message naming the file, the JSON path of the field, the value and what
 * was expected.
 */
int an_result_read(const char *path, struct an_result **out, char *err, size_t errlen);
/* Same, from a memory buffer (fuzzing, tests). name is used in messages. */
int an_result_parse(const char *buf, size_t len, const char *name,
		    struct an_result **out, char *err, size_t errlen);
/* Validate a tree already in memory (e.g. before writing a merged file).
 * err NULL: the message is printed to stderr instead (also for read/parse). */
int an_result_validate(const json_t *root, const char *name, char *err, size_t errlen);

#endif /* ANALYSIS_RESULT_H */
