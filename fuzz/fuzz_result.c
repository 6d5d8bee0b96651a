/*
 * fuzz/fuzz_result.c — libFuzzer target: the result/baseline JSON reader,
 * an_result_parse() (analysis/result.h). Oracle for any input:
 *   - parse fails with a negative code and a message, or succeeds;
 *   - an accepted document validates again (an_result_validate) and every
 *     metric of every case keeps the status/value invariant: an_metric_value
 *     gives 0 only for ok/multiplexed with a finite value, -ENODATA otherwise;
 *   - an accepted document serialised again (json_dumps) parses and
 *     validates again (what gate --update / merge rely on);
 *   - nothing leaks (the document is destroyed).
 */
#include "analysis/result.h"
#include "fuzz/fuzz_util.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct an_result *r = NULL;
	char err[1024] = "";
	int ret = an_result_parse((const char *)data, size, "fuzz.json", &r, err, sizeof(err));

	if (ret) {
		fuzz_note("parse", err);
		FUZZ_CHECK(ret < 0 && r == NULL, "parse returned %d", ret);
		FUZZ_CHECK(err[0], "parse failed (%d) without a message", ret);
		return 0;
	}
	FUZZ_CHECK(r && r->root, "accepted without a document");
	err[0] = '\0';
	FUZZ_CHECK(an_result_validate(r->root, "fuzz.json", err, sizeof(err)) == 0,
		   "accepted document fails validation: %s", err);
	json_t *cases = an_result_cases(r);
	FUZZ_CHECK(json_is_array(cases), "cases is not an array");
	size_t i;
	json_t *c;
	json_array_foreach(cases, i, c) {
		json_t *ms = json_object_get(c, "metrics");
		const char *name;
		json_t *m;
		(void)an_case_str(c, "id");
		(void)an_case_str(c, "source");
		if (!json_is_object(ms))
			continue;
		json_object_foreach(ms, name, m) {
			double v = NAN;
			enum an_status st = AN_STATUS__COUNT;
			int k = an_metric_value(m, &v, &st);
			FUZZ_CHECK(k == 0 || k == -ENODATA, "metric %s: an_metric_value %d", name, k);
			if (k == -ENODATA)
				FUZZ_CHECK(st != AN_STATUS_OK && st != AN_STATUS_MULTIPLEXED &&
					   st < AN_STATUS__COUNT, "metric %s: no value with status %d", name, st);
			if (k == 0)
				FUZZ_CHECK(isfinite(v), "metric %s: value %g", name, v);
			FUZZ_CHECK(an_case_metric(c, name) == m, "metric %s lookup", name);
		}
	}
	char *text = json_dumps(r->root, JSON_COMPACT);
	FUZZ_CHECK(text != NULL, "accepted document cannot be serialised");
	struct an_result *r2 = NULL;
	err[0] = '\0';
	ret = an_result_parse(text, strlen(text), "fuzz-roundtrip.json", &r2, err, sizeof(err));
	FUZZ_CHECK(ret == 0, "re-serialised document refused: %s", err);
	FUZZ_CHECK(json_array_size(an_result_cases(r2)) == json_array_size(cases), "case count changed");
	an_result_destroy(r2);
	free(text);
	an_result_destroy(r);
	return 0;
}
