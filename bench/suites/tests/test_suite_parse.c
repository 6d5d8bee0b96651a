/*
 * bench/suites/tests/test_suite_parse.c — TAP: the suite parser on a good
 * fixture (expansion, includes, continuations, defaults), on every built-in
 * suite, and on bad inputs whose messages must name file:line, key and value.
 */
#include "bench/suites/suite.h"
#include "common/tap.h"

#include <string.h>

static void bad(const char *text, const char *want1, const char *want2)
{
	struct suite *s = NULL;
	char err[1024] = "", shown[64];
	int r = suite_parse(text, strlen(text), "bad.suite", NULL, &s, err, sizeof(err));
	size_t i;

	for (i = 0; text[i] && i < sizeof(shown) - 1; i++) /* one line for TAP */
		shown[i] = text[i] == '\n' ? '|' : text[i];
	shown[i] = 0;
	if (!tap_ok(r < 0 && !s && strstr(err, want1) && strstr(err, want2),
		    "rejects \"%s\" naming %s and %s", shown, want1, want2))
		tap_diag("got r=%d err='%s'", r, err);
	suite_destroy(s);
}

int main(int argc, char **argv)
{
	static const char *const builtin[] = { "quick", "default", "crosscheck", "seed", "tlb-reach", "pressure" };
	struct suite *s = NULL;
	char err[1024] = "", label[256];
	int r;

	if (argc < 2)
		return tap_skip_all("usage: test_suite_parse DATA_DIR");
	{
		char path[4096];
		snprintf(path, sizeof(path), "%s/tiny.suite", argv[1]);
		r = suite_load(path, &s, err, sizeof(err));
	}
	if (tap_ok(r == 0, "tiny.suite loads (%s)", err)) {
		tap_eq_u64(s->ncases, 7, "tiny expands to 3 methods x 2 caches + 1 anon case");
		tap_ok(!strcmp(s->name, "tiny"), "name from [suite]");
		tap_ok(!strcmp(s->cases[0].method, "mmap") && !strcmp(s->cases[0].cache, "warm-read:1M"),
		       "first case is mmap warm-read:1M (got %s %s)", s->cases[0].method, s->cases[0].cache);
		tap_ok(!strcmp(s->cases[5].method, "fread,bufsize=64K") && !strcmp(s->cases[5].cache, "tmpfs"),
		       "continuation lines extend method and cache (got %s %s)", s->cases[5].method, s->cases[5].cache);
		tap_eq_u64(s->cases[0].reps, 2, "reps from the included file");
		tap_ok(s->cases[6].anon && !strcmp(s->cases[6].cache, "none") && s->cases[6].sides == SUITE_MODEL,
		       "anon case: cache none, model side only");
		suite_case_label(&s->cases[0], label, sizeof(label));
		tap_ok(!strcmp(label, "seq:1M mmap warm-read:1M"), "label '%s'", label);
		char **av = suite_case_argv(&s->cases[5], SUITE_NATIVE, NULL, "mb", "T.mtr", "o.json");
		int ok = av && !strcmp(av[1], "run") && !strcmp(av[4], "--method") && !strcmp(av[5], "fread") &&
			 !strcmp(av[6], "--bufsize") && !strcmp(av[7], "64K");
		tap_ok(ok, "native argv carries --method fread --bufsize 64K");
		suite_argv_free(av);
		av = suite_case_argv(&s->cases[6], SUITE_MODEL, &(struct suite_overrides){ .profile = "p2" }, "mb", "T", "o");
		ok = 0;
		for (size_t i = 0; av && av[i]; i++)
			if (!strcmp(av[i], "--profile") && av[i + 1] && !strcmp(av[i + 1], "p2"))
				ok = 1;
		tap_ok(ok, "model argv takes the --profile override");
		suite_argv_free(av);
	}
	suite_destroy(s);

	for (size_t i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++) {
		s = NULL;
		r = suite_load(builtin[i], &s, err, sizeof(err));
		tap_ok(r == 0 && s->ncases > 0, "built-in suite %s parses (%zu cases) %s", builtin[i],
		       s ? s->ncases : 0, r ? err : "");
		suite_destroy(s);
	}

	bad("[g]\ntrace = seq:size=1M\nmethod = mmap\ncache = warmread\n", "bad.suite:4", "'warmread'");
	bad("[g]\ntrace = seq:size=1M\nmethod = mmapp\ncache = cold\n", "bad.suite:3", "'mmapp'");
	bad("[g]\ntrace = seq:size=1M\nmethod = mmap,frob=1\ncache = cold\n", "bad.suite:3", "frob");
	bad("[g]\ntrace = seq:size\nmethod = mmap\n", "bad.suite:2", "key 'trace'");
	bad("[g]\ntrace = seq:size=1M\nmethod = mmap\ncolour = red\n", "bad.suite:4", "key 'colour'");
	bad("trace = seq:size=1M\n", "bad.suite:1", "outside any section");
	bad("[g]\ntrace = seq:size=1M\nmethod = mmap\n", "bad.suite:1", "'cache' missing");
	bad("[g]\ntrace = seq:size=1M\nmethod = anon\ncache = cold\n", "bad.suite:1", "anon=1");
	bad("[g]\ntrace = seq:size=1M,anon=1\nmethod = read\n", "bad.suite:1", "read");
	bad("[g]\ntrace = seq:size=1M\nmethod = mmap\ncache = cold\nreps = 0\n", "bad.suite:5", "'reps'");
	bad("[g]\ntrace = seq:size=1M\nmethod = mmap\ncache = cold\nreps = 2\nreps = 3\n", "bad.suite:6", "twice");
	bad("[g]\ntrace = x\nmethod = mmap\ncache = cold\n[g]\n", "bad.suite:5", "used twice");
	bad("[g\n", "bad.suite:1", "section header");
	bad("include other.suite\n", "bad.suite:1", "include");
	bad("# nothing\n", "bad.suite", "no cases");
	bad("[g]\ntrace = seq:size=1M\nmethod = read,shared\ncache = cold\n", "bad.suite:1", "mmap only");
	bad("[g]\n  stray continuation\n", "bad.suite:2", "continues no key");
	return tap_done();
}
