/*
 * fuzz/fuzz_suite.c — libFuzzer target: the suite file parser, suite_parse()
 * (bench/suites/suite.h), with includes refused (dir NULL). Oracle:
 *   - failure: negative code, a message, no suite;
 *   - success: 1 <= ncases <= SUITE_MAX_CASES, indexes 1..ncases in order,
 *     every case has trace/method/cache/group/where strings, sides in
 *     {native, model, both}, reps <= SUITE_MAX_REPS; labels and both command
 *     lines can be built for every case; nothing leaks.
 */
#include "bench/suites/suite.h"
#include "fuzz/fuzz_util.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct suite *s = NULL;
	char err[1024] = "", label[512], tpath[4096];
	int ret = suite_parse((const char *)data, size, "fuzz.suite", NULL, &s, err, sizeof(err));

	if (ret) {
		fuzz_note("parse", err);
		FUZZ_CHECK(ret < 0 && s == NULL, "parse returned %d", ret);
		FUZZ_CHECK(err[0], "parse failed (%d) without a message", ret);
		return 0;
	}
	FUZZ_CHECK(s && s->ncases >= 1 && s->ncases <= SUITE_MAX_CASES, "ncases %zu",
		   s ? s->ncases : 0);
	FUZZ_CHECK(s->name && s->path && s->description, "suite strings");
	for (size_t i = 0; i < s->ncases; i++) {
		const struct suite_case *c = &s->cases[i];
		FUZZ_CHECK(c->index == i + 1, "case %zu has index %u", i + 1, c->index);
		FUZZ_CHECK(c->group && c->trace && c->method && c->cache && c->where &&
			   c->run_args && c->sim_args, "case %u strings", c->index);
		FUZZ_CHECK(c->sides && !(c->sides & ~(unsigned)(SUITE_NATIVE | SUITE_MODEL)),
			   "case %u sides %u", c->index, c->sides);
		FUZZ_CHECK(c->reps <= SUITE_MAX_REPS, "case %u reps %u", c->index, c->reps);
		if (i >= 64)
			continue; /* labels and argv of the first cases are enough */
		suite_case_label(c, label, sizeof(label));
		FUZZ_CHECK(memchr(label, '\0', sizeof(label)), "label not terminated");
		suite_trace_path(c, "/nonexistent", tpath, sizeof(tpath));
		for (int side = SUITE_NATIVE; side <= SUITE_MODEL; side++) {
			char **argv = suite_case_argv(c, side, NULL, "mapbench", tpath, "/nonexistent/out.json");
			FUZZ_CHECK(argv && argv[0], "case %u: no argv", c->index);
			suite_argv_free(argv);
		}
	}
	suite_destroy(s);
	return 0;
}
