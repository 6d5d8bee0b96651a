/*
 * analysis/result.c — the result schema of analysis/result.h: building a
 * document, writing it atomically, and reading it back with validation.
 *
 * Invariants kept here:
 *  - a metric with status ok/multiplexed has a finite numeric "value"; any
 *    other status has no "value" and a non-empty "reason" (never 0 in place
 *    of "could not be measured"); a non-finite value is stored as status
 *    error with the reason saying so, because JSON cannot hold NaN/inf;
 *  - a document is written once, through mb_atomic_* (temp + fsync + rename),
 *    so a reader never sees a partial file;
 *  - the reader rejects, with the file, the JSON path, the value found and
 *    what was expected, anything a consumer would otherwise have to guess at.
 */
#include "analysis/result.h"
#include "common/mb.h"
#include "config.h"
#include "gitsha.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const status_names[AN_STATUS__COUNT] = {
	[AN_STATUS_OK] = "ok",
	[AN_STATUS_MULTIPLEXED] = "multiplexed",
	[AN_STATUS_UNSUPPORTED] = "unsupported",
	[AN_STATUS_NOT_PERMITTED] = "not-permitted",
	[AN_STATUS_ERROR] = "error",
};

const char *an_status_name(enum an_status s)
{
	return (unsigned)s < AN_STATUS__COUNT ? status_names[s] : "invalid";
}

int an_status_parse(const char *s, enum an_status *out)
{
	for (int i = 0; i < AN_STATUS__COUNT; i++)
		if (s && !strcmp(s, status_names[i])) {
			*out = (enum an_status)i;
			return 0;
		}
	return -EINVAL;
}

/* ---- building ---------------------------------------------------------- */

static void utc_now(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

struct an_result *an_result_create(void)
{
	struct an_result *r = calloc(1, sizeof(*r));
	char ts[32];

	if (!r)
		return NULL;
	utc_now(ts, sizeof(ts));
	r->root = json_pack("{s:s, s:i, s:{s:s, s:s}, s:s, s:{}, s:{}, s:[], s:b}",
			    "schema", AN_SCHEMA_NAME, "schema_version", AN_SCHEMA_VERSION,
			    "tool", "version", MAPBENCH_VERSION, "git", MAPBENCH_GIT_SHA,
			    "timestamp", ts, "host", "options", "cases", "partial", 0);
	if (!r->root) {
		free(r);
		return NULL;
	}
	return r;
}

void an_result_destroy(struct an_result *r)
{
	if (!r)
		return;
	json_decref(r->root);
	free(r);
}

json_t *an_result_host(struct an_result *r)
{
	return json_object_get(r->root, "host");
}

json_t *an_result_options(struct an_result *r)
{
	return json_object_get(r->root, "options");
}

json_t *an_result_cases(const struct an_result *r)
{
	return json_object_get(r->root, "cases");
}

void an_result_set_partial(struct an_result *r, int partial)
{
	json_object_set_new(r->root, "partial", json_boolean(partial));
}

json_t *an_result_add_case(struct an_result *r, const char *id, const char *source)
{
	json_t *c = json_pack("{s:s, s:s, s:{}}", "id", id, "source", source, "metrics");

	if (!c || json_array_append_new(an_result_cases(r), c))
		return NULL;
	return c;
}

json_t *an_result_find_case(const struct an_result *r, const char *id, const char *source)
{
	size_t i;
	json_t *c;

	json_array_foreach(an_result_cases(r), i, c) {
		const char *cid = json_string_value(json_object_get(c, "id"));
		const char *src = json_string_value(json_object_get(c, "source"));
		if (cid && !strcmp(cid, id) && (!source || (src && !strcmp(src, source))))
			return c;
	}
	return NULL;
}

/* The metrics object of a case, created on first use. */
static json_t *metrics_of(json_t *c)
{
	json_t *m = json_object_get(c, "metrics");

	if (!json_is_object(m)) {
		m = json_object();
		json_object_set_new(c, "metrics", m);
	}
	return m;
}

void an_case_set_status(json_t *c, const char *name, const char *unit,
			enum an_status status, const char *reason)
{
	if (status == AN_STATUS_OK || status == AN_STATUS_MULTIPLEXED || status >= AN_STATUS__COUNT)
		status = AN_STATUS_ERROR; /* invariant: no value means a non-ok status */
	if (!reason || !*reason)
		reason = "no reason given by the producer";
	json_object_set_new(metrics_of(c), name,
			    json_pack("{s:s, s:s, s:s}", "unit", unit ? unit : "",
				      "status", an_status_name(status), "reason", reason));
}

void an_case_set_tolerance(json_t *c, const char *name, double rel, const char *reason)
{
	json_t *m = json_object_get(metrics_of(c), name);

	if (!json_is_object(m) || !(rel > 0 && rel <= 1))
		return;
	json_object_set_new(m, "tolerance_rel", json_real(rel));
	json_object_set_new(m, "tolerance_reason", json_string(reason && *reason ? reason : "no reason given"));
}

void an_case_set_value(json_t *c, const char *name, const char *unit, double value)
{
	if (!isfinite(value)) {
		an_case_set_status(c, name, unit, AN_STATUS_ERROR, "non-finite value (NaN or inf)");
		return;
	}
	json_object_set_new(metrics_of(c), name,
			    json_pack("{s:s, s:s, s:f}", "unit", unit ? unit : "",
				      "status", "ok", "value", value));
}

void an_case_set_samples(json_t *c, const char *name, const char *unit,
			 const double *samples, size_t n)
{
	json_t *m, *arr;
	double lo, hi;

	if (n == 0) {
		an_case_set_status(c, name, unit, AN_STATUS_ERROR, "no samples");
		return;
	}
	lo = hi = samples[0];
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(samples[i])) {
			an_case_set_status(c, name, unit, AN_STATUS_ERROR,
					   "non-finite sample (NaN or inf)");
			return;
		}
		lo = samples[i] < lo ? samples[i] : lo;
		hi = samples[i] > hi ? samples[i] : hi;
	}
	arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_real(samples[i]));
	m = json_pack("{s:s, s:s, s:f, s:o, s:f, s:f, s:f, s:f}", "unit", unit ? unit : "",
		      "status", "ok", "value", an_median(samples, n), "samples", arr,
		      "median", an_median(samples, n), "min", lo, "max", hi,
		      "mad", an_mad(samples, n));
	json_object_set_new(metrics_of(c), name, m);
}

void an_case_set_scaled(json_t *c, const char *name, const char *unit,
			double value, double ratio)
{
	if (!isfinite(value) || !isfinite(ratio) || ratio <= 0 || ratio > 1) {
		an_case_set_status(c, name, unit, AN_STATUS_ERROR,
				   "multiplexed counter with a non-finite value or a scale ratio outside (0, 1]");
		return;
	}
	json_object_set_new(metrics_of(c), name,
			    json_pack("{s:s, s:s, s:f, s:f}", "unit", unit ? unit : "",
				      "status", ratio < 1 ? "multiplexed" : "ok", "value", value,
				      "scale_ratio", ratio));
}

json_t *an_case_metric(const json_t *c, const char *name)
{
	return json_object_get(json_object_get(c, "metrics"), name);
}

int an_metric_value(const json_t *m, double *value, enum an_status *status)
{
	enum an_status st = AN_STATUS_ERROR;
	json_t *v;

	if (!m)
		return -ENOENT;
	if (an_status_parse(json_string_value(json_object_get(m, "status")), &st))
		st = AN_STATUS_ERROR;
	if (status)
		*status = st;
	v = json_object_get(m, "value");
	if ((st != AN_STATUS_OK && st != AN_STATUS_MULTIPLEXED) || !json_is_number(v))
		return -ENODATA;
	if (value)
		*value = json_number_value(v);
	return 0;
}

/* ---- statistics -------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double an_median(const double *v, size_t n)
{
	double *s, m;

	if (n == 0)
		return NAN;
	s = malloc(n * sizeof(*s));
	if (!s)
		return NAN;
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	m = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	free(s);
	return m;
}

double an_mad(const double *v, size_t n)
{
	double *d, med, mad;

	if (n == 0)
		return NAN;
	d = malloc(n * sizeof(*d));
	if (!d)
		return NAN;
	med = an_median(v, n);
	for (size_t i = 0; i < n; i++)
		d[i] = fabs(v[i] - med);
	mad = an_median(d, n);
	free(d);
	return mad;
}

/* ---- writing ----------------------------------------------------------- */

int an_result_write(const struct an_result *r, const char *path)
{
	struct mb_atomic a;
	int ret = mb_atomic_open(&a, path);

	if (ret) {
		mb_errno("result", ret, "cannot create a temp file beside %s", path);
		return ret;
	}
	if (json_dumpf(r->root, a.fp, JSON_INDENT(1) | JSON_REAL_PRECISION(17)) ||
	    fputc('\n', a.fp) == EOF) {
		ret = -EIO;
		mb_errno("result", ret, "writing %s", path);
		mb_atomic_abort(&a);
		return ret;
	}
	ret = mb_atomic_commit(&a);
	if (ret)
		mb_errno("result", ret, "committing %s", path);
	return ret;
}

/* ---- validating reader ------------------------------------------------- */

/* Reader context: the file name and the error buffer. */
struct vctx {
	const char *name; /* file name for messages */
	char *err;        /* caller's buffer (may be NULL: print instead) */
	size_t errlen;    /* its size */
};

/* Short printable form of a JSON value: its compact dump, at most ~60 chars. */
static void describe(const json_t *v, char *buf, size_t len)
{
	char *s;

	if (!v) {
		snprintf(buf, len, "(absent)");
		return;
	}
	s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	if (!s) {
		snprintf(buf, len, "(unprintable)");
		return;
	}
	if (strlen(s) > 60)
		snprintf(buf, len, "%.57s...", s);
	else
		snprintf(buf, len, "%s", s);
	free(s);
}

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "object";
	case JSON_ARRAY: return "array";
	case JSON_STRING: return "string";
	case JSON_INTEGER: return "integer";
	case JSON_REAL: return "number";
	case JSON_TRUE: case JSON_FALSE: return "boolean";
	case JSON_NULL: return "null";
	}
	return "?";
}

static int fail(struct vctx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct vctx *x, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (x->err && x->errlen)
		snprintf(x->err, x->errlen, "%s: %s", x->name, msg);
	else
		mb_err("result", "%s: %s", x->name, msg);
	return -EINVAL;
}

/* Field `key` of object at `path` must exist and have the right type. */
static int want(struct vctx *x, const json_t *obj, const char *path, const char *key,
		int (*is)(const json_t *), const char *what, int required, json_t **out)
{
	json_t *v = json_object_get(obj, key);
	char d[80];

	*out = v;
	if (!v) {
		if (!required)
			return 0;
		return fail(x, "%s.%s: missing, expected %s", path, key, what);
	}
	if (!is(v)) {
		describe(v, d, sizeof(d));
		return fail(x, "%s.%s: found %s (%s), expected %s", path, key, d, type_name(v), what);
	}
	return 0;
}

static int is_object(const json_t *v) { return json_is_object(v); }
static int is_array(const json_t *v) { return json_is_array(v); }
static int is_string(const json_t *v) { return json_is_string(v); }
static int is_number(const json_t *v) { return json_is_number(v); }
static int is_integer(const json_t *v) { return json_is_integer(v); }
static int is_bool(const json_t *v) { return json_is_boolean(v); }
static int is_nonempty_string(const json_t *v)
{
	return json_is_string(v) && json_string_length(v) > 0;
}

/* Optional numeric statistics fields of a metric. */
static const char *const stat_fields[] = { "median", "min", "max", "mad" };

static int check_metric(struct vctx *x, const json_t *m, const char *path)
{
	json_t *unit, *status, *value, *reason, *ratio, *samples, *v, *tol = NULL;
	enum an_status st;
	char d[80];
	size_t i;
	int ret;

	if (!json_is_object(m)) {
		describe(m, d, sizeof(d));
		return fail(x, "%s: found %s (%s), expected a metric object {unit, status, value|reason}",
			    path, d, type_name(m));
	}
	if ((ret = want(x, m, path, "unit", is_string, "a unit string (e.g. \"count\", \"ns\")", 1, &unit)) ||
	    (ret = want(x, m, path, "status", is_string,
			"a status string (ok|multiplexed|unsupported|not-permitted|error)", 1, &status)))
		return ret;
	if (an_status_parse(json_string_value(status), &st))
		return fail(x, "%s.status: found \"%s\", expected one of ok|multiplexed|unsupported|not-permitted|error",
			    path, json_string_value(status));
	if ((ret = want(x, m, path, "value", is_number, "a number", 0, &value)) ||
	    (ret = want(x, m, path, "reason", is_string, "a string", 0, &reason)) ||
	    (ret = want(x, m, path, "scale_ratio", is_number, "a number in (0, 1]", 0, &ratio)) ||
	    (ret = want(x, m, path, "samples", is_array, "an array of numbers", 0, &samples)) ||
	    (ret = want(x, m, path, "tolerance_rel", is_number, "a number in (0, 1]", 0, &tol)))
		return ret;
	if (tol && !(json_number_value(tol) > 0 && json_number_value(tol) <= 1)) {
		describe(tol, d, sizeof(d));
		return fail(x, "%s.tolerance_rel: found %s, expected a number in (0, 1]", path, d);
	}
	if ((ret = want(x, m, path, "tolerance_reason", is_nonempty_string, "a non-empty string (why the value has its own tolerance)",
			tol != NULL, &v)))
		return ret;
	for (i = 0; i < MB_ARRAY_SIZE(stat_fields); i++)
		if ((ret = want(x, m, path, stat_fields[i], is_number, "a number", 0, &v)))
			return ret;
	json_array_foreach(samples, i, v)
		if (!json_is_number(v)) {
			describe(v, d, sizeof(d));
			return fail(x, "%s.samples[%zu]: found %s (%s), expected a number",
				    path, i, d, type_name(v));
		}
	if (st == AN_STATUS_OK || st == AN_STATUS_MULTIPLEXED) {
		if (!value)
			return fail(x, "%s.value: missing, expected a number because status is \"%s\"",
				    path, an_status_name(st));
		if (samples && json_array_size(samples) == 0)
			return fail(x, "%s.samples: found [], expected at least one sample when present", path);
	} else {
		if (value) {
			describe(value, d, sizeof(d));
			return fail(x, "%s.value: found %s, expected no value because status is \"%s\" "
				    "(a metric that was not measured has no value, never 0)",
				    path, d, an_status_name(st));
		}
		if (!reason || json_string_length(reason) == 0)
			return fail(x, "%s.reason: %s, expected a non-empty reason because status is \"%s\"",
				    path, reason ? "found \"\"" : "missing", an_status_name(st));
	}
	if (st == AN_STATUS_MULTIPLEXED && !ratio)
		return fail(x, "%s.scale_ratio: missing, expected a number in (0, 1] because status is \"multiplexed\"",
			    path);
	if (ratio && (json_number_value(ratio) <= 0 || json_number_value(ratio) > 1)) {
		describe(ratio, d, sizeof(d));
		return fail(x, "%s.scale_ratio: found %s, expected a number in (0, 1]", path, d);
	}
	return 0;
}

static int check_case(struct vctx *x, const json_t *c, size_t idx)
{
	char path[64], mpath[384], d[80];
	json_t *id, *source, *v, *metrics, *m;
	const char *name;
	int ret;

	snprintf(path, sizeof(path), "$.cases[%zu]", idx);
	if (!json_is_object(c)) {
		describe(c, d, sizeof(d));
		return fail(x, "%s: found %s (%s), expected a case object", path, d, type_name(c));
	}
	if ((ret = want(x, c, path, "id", is_nonempty_string, "a non-empty case id string", 1, &id)) ||
	    (ret = want(x, c, path, "source", is_string, "\"native\" or \"model\"", 1, &source)))
		return ret;
	if (strcmp(json_string_value(source), "native") && strcmp(json_string_value(source), "model"))
		return fail(x, "%s.source: found \"%s\", expected \"native\" or \"model\"",
			    path, json_string_value(source));
	if ((ret = want(x, c, path, "profile", is_string, "a profile name string", 0, &v)) ||
	    (ret = want(x, c, path, "trace", is_object, "an object", 0, &v)) ||
	    (ret = want(x, c, path, "method", is_object, "an object", 0, &v)) ||
	    (ret = want(x, c, path, "cache", is_object, "an object", 0, &v)) ||
	    (ret = want(x, c, path, "breakdown", is_object, "an object", 0, &v)) ||
	    (ret = want(x, c, path, "metrics", is_object, "an object of metrics", 1, &metrics)))
		return ret;
	json_object_foreach(metrics, name, m) {
		snprintf(mpath, sizeof(mpath), "%s.metrics[\"%s\"]", path, name);
		if ((ret = check_metric(x, m, mpath)))
			return ret;
	}
	return 0;
}

/* Validate a whole document tree. */
static int check_root(struct vctx *x, const json_t *root)
{
	json_t *schema, *ver, *v, *tool, *cases, *c;
	char d[80];
	size_t i;
	int ret;

	if (!json_is_object(root)) {
		describe(root, d, sizeof(d));
		return fail(x, "$: found %s (%s), expected a result object", d, type_name(root));
	}
	if ((ret = want(x, root, "$", "schema", is_string, "\"" AN_SCHEMA_NAME "\"", 1, &schema)))
		return ret;
	if (strcmp(json_string_value(schema), AN_SCHEMA_NAME))
		return fail(x, "$.schema: found \"%s\", expected \"%s\" (not a mapbench result file)",
			    json_string_value(schema), AN_SCHEMA_NAME);
	if ((ret = want(x, root, "$", "schema_version", is_integer, "an integer", 1, &ver)))
		return ret;
	if (json_integer_value(ver) != AN_SCHEMA_VERSION)
		return fail(x, "$.schema_version: found %lld, this mapbench supports version %d only "
			    "(a result from another schema version: regenerate it with this mapbench, "
			    "or rewrite the baseline with 'mapbench gate --update')",
			    (long long)json_integer_value(ver), AN_SCHEMA_VERSION);
	if ((ret = want(x, root, "$", "tool", is_object, "an object {version, git}", 1, &tool)) ||
	    (ret = want(x, tool, "$.tool", "version", is_string, "a string", 1, &v)) ||
	    (ret = want(x, tool, "$.tool", "git", is_string, "a string", 0, &v)) ||
	    (ret = want(x, root, "$", "timestamp", is_string, "an ISO-8601 UTC string", 1, &v)) ||
	    (ret = want(x, root, "$", "host", is_object, "an object", 1, &v)) ||
	    (ret = want(x, root, "$", "options", is_object, "an object", 1, &v)) ||
	    (ret = want(x, root, "$", "partial", is_bool, "true or false", 0, &v)) ||
	    (ret = want(x, root, "$", "cases", is_array, "an array of cases", 1, &cases)))
		return ret;
	json_array_foreach(cases, i, c)
		if ((ret = check_case(x, c, i)))
			return ret;
	return 0;
}

int an_result_validate(const json_t *root, const char *name, char *err, size_t errlen)
{
	struct vctx x = { name, err, errlen };

	return check_root(&x, root);
}

int an_result_parse(const char *buf, size_t len, const char *name,
		    struct an_result **out, char *err, size_t errlen)
{
	struct vctx x = { name, err, errlen };
	json_error_t je;
	json_t *root;
	int ret;

	*out = NULL;
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	if (!root)
		return fail(&x, "line %d column %d: not valid JSON: %s", je.line, je.column, je.text);
	ret = check_root(&x, root);
	if (ret) {
		json_decref(root);
		return ret;
	}
	*out = calloc(1, sizeof(**out));
	if (!*out) {
		json_decref(root);
		return -ENOMEM;
	}
	(*out)->root = root;
	return 0;
}

int an_result_read(const char *path, struct an_result **out, char *err, size_t errlen)
{
	struct vctx x = { path, err, errlen };
	FILE *f;
	char *buf = NULL;
	size_t len = 0, cap = 0, n;
	int ret;

	*out = NULL;
	f = fopen(path, "rb");
	if (!f) {
		ret = -errno;
		fail(&x, "cannot open: %s", strerror(-ret));
		return ret;
	}
	for (;;) {
		if (len + 65536 > cap) {
			char *nb = realloc(buf, cap = cap ? 2 * cap : 131072);
			if (!nb) {
				free(buf);
				fclose(f);
				return -ENOMEM;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		ret = -EIO;
		fclose(f);
		free(buf);
		fail(&x, "read error");
		return ret;
	}
	fclose(f);
	ret = an_result_parse(buf, len, path, out, err, errlen);
	free(buf);
	return ret;
}

const char *an_case_str(const json_t *c, const char *key)
{
	const char *s = json_string_value(json_object_get(c, key));
	return s ? s : "";
}
