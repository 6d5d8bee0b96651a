/*
 * analysis/tests/test_result.c — unit tests of analysis/result.h: build a
 * document, write it atomically, read it back identical; median and MAD; and
 * one check per kind of malformed input, each asserting that the message
 * names the file, the JSON path, the value found and what was expected.
 */
#include "analysis/result.h"
#include "common/tap.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void test_stats(void)
{
	const double odd[] = { 5, 1, 3 };
	const double even[] = { 4, 1, 3, 2 };
	const double mad[] = { 1, 1, 2, 2, 4, 6, 9 }; /* median 2, |d| = 1 1 0 0 2 4 7 -> MAD 1 */

	tap_ok(an_median(odd, 3) == 3, "median of odd count");
	tap_ok(an_median(even, 4) == 2.5, "median of even count is the mean of the middle two");
	tap_ok(an_mad(mad, 7) == 1, "MAD of {1,1,2,2,4,6,9} is 1");
	tap_ok(isnan(an_median(odd, 0)) && isnan(an_mad(odd, 0)), "median/MAD of no samples is NaN");
	tap_ok(odd[0] == 5 && odd[1] == 1, "median does not reorder its input");
}

static void test_roundtrip(void)
{
	char path[] = "/tmp/mb-test-result-XXXXXX";
	char err[512] = "";
	struct an_result *r = an_result_create(), *back = NULL;
	const double s[] = { 10, 12, 11, 13, 50 };
	json_t *c, *m;
	double v = 0;
	enum an_status st;
	int fd, ret;

	c = an_result_add_case(r, "seq:size=1M@00000000|read|cold", "native");
	an_case_set_value(c, "faults.total", "count", 256);
	an_case_set_samples(c, "ns", "ns", s, 5);
	an_case_set_status(c, "tlb.l1d.miss", "count", AN_STATUS_UNSUPPORTED, "no PMU");
	an_case_set_scaled(c, "walk.cycles", "cycles", 1000, 0.5);
	an_case_set_value(c, "bad", "count", NAN);
	c = an_result_add_case(r, "seq:size=1M@00000000|read|cold", "model");
	json_object_set_new(c, "profile", json_string("generic"));
	an_case_set_value(c, "faults.total", "count", 256);

	fd = mkstemp(path);
	close(fd);
	ret = an_result_write(r, path);
	tap_ok(ret == 0, "write atomically to %s", path);
	ret = an_result_read(path, &back, err, sizeof(err));
	if (!tap_ok(ret == 0, "read back validates"))
		tap_diag("%s", err);
	tap_ok(back && json_equal(r->root, back->root), "round trip is identical");
	if (back) {
		c = an_result_find_case(back, "seq:size=1M@00000000|read|cold", "native");
		tap_ok(c != NULL, "find native case");
		tap_ok(an_metric_value(an_case_metric(c, "ns"), &v, &st) == 0 && v == 12,
		       "samples: value is the median (12)");
		m = an_case_metric(c, "ns");
		tap_ok(json_real_value(json_object_get(m, "mad")) == 1 &&
		       json_real_value(json_object_get(m, "min")) == 10 &&
		       json_real_value(json_object_get(m, "max")) == 50, "samples: mad/min/max stored");
		tap_ok(an_metric_value(an_case_metric(c, "tlb.l1d.miss"), &v, &st) == -ENODATA &&
		       st == AN_STATUS_UNSUPPORTED, "unsupported metric has no value");
		tap_ok(an_metric_value(an_case_metric(c, "walk.cycles"), &v, &st) == 0 &&
		       st == AN_STATUS_MULTIPLEXED && v == 1000, "multiplexed metric keeps its value");
		tap_ok(an_metric_value(an_case_metric(c, "bad"), &v, &st) == -ENODATA &&
		       st == AN_STATUS_ERROR, "NaN value becomes status error, not a number");
		tap_ok(an_metric_value(an_case_metric(c, "nope"), &v, &st) == -ENOENT, "absent metric is ENOENT");
		c = an_result_find_case(back, "seq:size=1M@00000000|read|cold", "model");
		tap_ok(c && !strcmp(an_case_str(c, "profile"), "generic"), "model case and profile");
	}
	an_result_destroy(back);
	ret = an_result_read("/nonexistent/x.json", &back, err, sizeof(err));
	tap_ok(ret == -ENOENT && strstr(err, "/nonexistent/x.json"), "missing file: %s", err);
	an_result_destroy(back);
	an_result_destroy(r);
	unlink(path);
}

/* One malformed document and the fragments its error message must contain. */
struct bad {
	const char *what;  /* test name */
	const char *json;  /* the case object(s) or a whole document when starting with '!' */
	const char *need[3]; /* substrings the message must contain */
};

#define HEAD "{\"schema\":\"mapbench-result\",\"schema_version\":1,\"tool\":{\"version\":\"0.1\"}," \
	     "\"timestamp\":\"2024-01-01T00:00:00Z\",\"host\":{},\"options\":{},\"cases\":["
#define TAIL "]}"

static const struct bad bads[] = {
	{ "not JSON", "!{\"schema\":", { "not valid JSON", "line 1" } },
	{ "root not an object", "![1,2]", { "$:", "array", "expected a result object" } },
	{ "wrong schema name", "!{\"schema\":\"other\",\"schema_version\":1}",
	  { "$.schema", "\"other\"", "mapbench-result" } },
	{ "other schema version",
	  "!{\"schema\":\"mapbench-result\",\"schema_version\":2,\"tool\":{\"version\":\"x\"}}",
	  { "$.schema_version", "found 2", "supports version 1" } },
	{ "schema_version not an integer", "!{\"schema\":\"mapbench-result\",\"schema_version\":\"1\"}",
	  { "$.schema_version", "\"1\"", "integer" } },
	{ "missing tool", "!{\"schema\":\"mapbench-result\",\"schema_version\":1}",
	  { "$.tool", "missing", "object" } },
	{ "missing cases",
	  "!{\"schema\":\"mapbench-result\",\"schema_version\":1,\"tool\":{\"version\":\"0\"},"
	  "\"timestamp\":\"t\",\"host\":{},\"options\":{}}", { "$.cases", "missing", "array" } },
	{ "case not an object", "3", { "$.cases[0]", "found 3", "case object" } },
	{ "case without id", "{\"source\":\"native\",\"metrics\":{}}", { "$.cases[0].id", "missing" } },
	{ "bad source", "{\"id\":\"a\",\"source\":\"guess\",\"metrics\":{}}",
	  { "$.cases[0].source", "\"guess\"", "\"native\" or \"model\"" } },
	{ "metrics not an object", "{\"id\":\"a\",\"source\":\"model\",\"metrics\":[]}",
	  { "$.cases[0].metrics", "[]", "object" } },
	{ "trace not an object", "{\"id\":\"a\",\"source\":\"model\",\"trace\":\"x\",\"metrics\":{}}",
	  { "$.cases[0].trace", "\"x\"", "object" } },
	{ "metric without unit", "{\"id\":\"a\",\"source\":\"model\",\"metrics\":{\"ns\":{\"status\":\"ok\",\"value\":1}}}",
	  { "$.cases[0].metrics[\"ns\"].unit", "missing" } },
	{ "unknown status", "{\"id\":\"a\",\"source\":\"model\",\"metrics\":{\"ns\":{\"unit\":\"ns\",\"status\":\"fine\",\"value\":1}}}",
	  { "metrics[\"ns\"].status", "\"fine\"", "ok|multiplexed" } },
	{ "value is a string", "{\"id\":\"a\",\"source\":\"model\",\"metrics\":{\"ns\":{\"unit\":\"ns\",\"status\":\"ok\",\"value\":\"12\"}}}",
	  { "metrics[\"ns\"].value", "\"12\"", "a number" } },
	{ "ok without value", "{\"id\":\"a\",\"source\":\"model\",\"metrics\":{\"ns\":{\"unit\":\"ns\",\"status\":\"ok\"}}}",
	  { "metrics[\"ns\"].value", "missing", "status is \"ok\"" } },
	{ "unsupported with a value", "{\"id\":\"a\",\"source\":\"native\",\"metrics\":{\"tlb.l1d.miss\":{\"unit\":\"count\",\"status\":\"unsupported\",\"value\":0,\"reason\":\"no PMU\"}}}",
	  { "metrics[\"tlb.l1d.miss\"].value", "found 0", "expected no value" } },
	{ "unsupported without reason", "{\"id\":\"a\",\"source\":\"native\",\"metrics\":{\"tlb.l1d.miss\":{\"unit\":\"count\",\"status\":\"unsupported\"}}}",
	  { "metrics[\"tlb.l1d.miss\"].reason", "missing", "non-empty reason" } },
	{ "multiplexed without ratio", "{\"id\":\"a\",\"source\":\"native\",\"metrics\":{\"c\":{\"unit\":\"count\",\"status\":\"multiplexed\",\"value\":5}}}",
	  { "metrics[\"c\"].scale_ratio", "missing", "(0, 1]" } },
	{ "scale ratio out of range", "{\"id\":\"a\",\"source\":\"native\",\"metrics\":{\"c\":{\"unit\":\"count\",\"status\":\"multiplexed\",\"value\":5,\"scale_ratio\":1.5}}}",
	  { "metrics[\"c\"].scale_ratio", "found 1.5", "(0, 1]" } },
	{ "non-numeric sample", "{\"id\":\"a\",\"source\":\"native\",\"metrics\":{\"ns\":{\"unit\":\"ns\",\"status\":\"ok\",\"value\":5,\"samples\":[1,null]}}}",
	  { "metrics[\"ns\"].samples[1]", "null", "a number" } },
	{ "second case bad", "{\"id\":\"a\",\"source\":\"native\",\"metrics\":{}},{\"id\":\"\",\"source\":\"native\",\"metrics\":{}}",
	  { "$.cases[1].id", "\"\"", "non-empty" } },
	{ "duplicate key", "{\"id\":\"a\",\"id\":\"b\",\"source\":\"native\",\"metrics\":{}}",
	  { "not valid JSON", "duplicate" } },
};

static void test_malformed(void)
{
	char doc[2048], err[1024];
	struct an_result *r;

	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		const struct bad *b = &bads[i];
		int ok;

		if (b->json[0] == '!')
			snprintf(doc, sizeof(doc), "%s", b->json + 1);
		else
			snprintf(doc, sizeof(doc), HEAD "%s" TAIL, b->json);
		err[0] = 0;
		ok = an_result_parse(doc, strlen(doc), "fixture.json", &r, err, sizeof(err)) == -EINVAL &&
		     r == NULL && strstr(err, "fixture.json");
		for (int k = 0; k < 3; k++)
			if (b->need[k] && !strstr(err, b->need[k]))
				ok = 0;
		if (!tap_ok(ok, "rejects %s", b->what))
			tap_diag("message: %s", err);
		else
			tap_diag("%s", err);
	}
	snprintf(doc, sizeof(doc), HEAD "{\"id\":\"a\",\"source\":\"model\",\"metrics\":{}}" TAIL);
	tap_ok(an_result_parse(doc, strlen(doc), "ok.json", &r, err, sizeof(err)) == 0,
	       "minimal valid document accepted");
	an_result_destroy(r);
}

int main(void)
{
	test_stats();
	test_roundtrip();
	test_malformed();
	return tap_done();
}
