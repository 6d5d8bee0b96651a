/*
 * cli/cmd_trace.c — `mapbench trace gen|import|dump|stat`: thin front end of
 * libtraces (traces/trace.h, gen.h, import.h, stat.h). One table of
 * subcommands; each parses its options and calls the library.
 * Exit status: 0 success, 2 usage or input error (cli/cmds.h). Output files
 * are written atomically by the library, so an error leaves nothing behind.
 */
#include "cli/cmds.h"
#include "common/mb.h"
#include "traces/gen.h"
#include "traces/import.h"
#include "traces/stat.h"
#include "traces/trace.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* One `trace` subcommand. */
struct trace_cmd {
	const char *name;                   /* word after `trace` */
	int (*fn)(int argc, char **argv);   /* argv[0] is the name */
	void (*usage)(FILE *f);             /* full help */
	const char *help;                   /* one line */
};

static int wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return 1;
	return 0;
}

/* ---------------------------------------------------------------- gen */

static void gen_usage(FILE *f)
{
	fprintf(f, "usage: mapbench trace gen SPEC -o FILE\n\n"
		   "Generate a trace from SPEC = kind[:key=value,...], deterministically.\n"
		   "e.g. seq:size=64M,len=4K  uniform:size=1G,n=1M,len=64,seed=7  zipf:size=1G,theta=0.99\n\nkinds:\n");
	for (size_t i = 0; gen_kinds_help[i]; i++)
		fprintf(f, "  %s\n", gen_kinds_help[i]);
	fprintf(f, "\noptions:\n  -o, --output FILE  trace file to write (binary .mtr)\n"
		   "  -h, --help         this text\n");
}

static int do_gen(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "output", required_argument, NULL, 'o' }, { "help", no_argument, NULL, 'h' }, { 0 } };
	const char *out = NULL;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", lo, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'h': gen_usage(stdout); return 0;
		default: gen_usage(stderr); return 2;
		}
	}
	if (optind != argc - 1 || !out) {
		mb_err("trace", "gen: need one SPEC and -o FILE (see 'mapbench trace gen --help')");
		return 2;
	}
	return gen_to_file(argv[optind], out) ? 2 : 0;
}

/* ------------------------------------------------------------- import */

static void import_usage(FILE *f)
{
	fprintf(f, "usage: mapbench trace import FORMAT IN -o FILE [--max-region SIZE] [--base ADDR]\n"
		   "                              [--region file|anon] [--strict]\n\n"
		   "Convert another tool's address trace, rebased into one region from the lowest\n"
		   "page touched (or --base) to the highest end, at most --max-region bytes.\n"
		   "Skipped, malformed and out-of-region lines are reported with line numbers.\n\nformats:\n");
	for (size_t i = 0; trace_importers[i]; i++)
		fprintf(f, "  %-8s %s\n", trace_importers[i]->name, trace_importers[i]->help);
	fprintf(f, "\noptions:\n  -o, --output FILE      trace file to write\n"
		   "  --max-region SIZE      region size cap (default 64T)\n"
		   "  --base ADDR            region start (4 KiB aligned; default lowest page)\n"
		   "  --region file|anon     region kind (default anon)\n"
		   "  --strict               malformed or out-of-region lines are an error\n"
		   "  -h, --help             this text\n");
}

static int do_import(int argc, char **argv)
{
	enum { O_MAX = 256, O_BASE, O_REGION, O_STRICT };
	static const struct option lo[] = {
		{ "output", required_argument, NULL, 'o' }, { "max-region", required_argument, NULL, O_MAX },
		{ "base", required_argument, NULL, O_BASE }, { "region", required_argument, NULL, O_REGION },
		{ "strict", no_argument, NULL, O_STRICT }, { "help", no_argument, NULL, 'h' }, { 0 } };
	struct trace_import_opts o = { .region_kind = -1 };
	struct trace_import_report rep;
	const struct trace_importer *fmt;
	const char *out = NULL;
	char err[1024];
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", lo, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case O_MAX:
			if (mb_parse_size(optarg, &o.max_region) || o.max_region == 0) {
				mb_err("trace", "import: --max-region '%s' not a size in 1..%" PRIu64,
				       optarg, TRACE_MAX_REGION);
				return 2;
			}
			break;
		case O_BASE:
			if (mb_parse_size(optarg, &o.base)) {
				mb_err("trace", "import: --base '%s' not an address", optarg);
				return 2;
			}
			o.have_base = 1;
			break;
		case O_REGION:
			if (!strcmp(optarg, "file"))
				o.region_kind = TRACE_REGION_FILE;
			else if (!strcmp(optarg, "anon"))
				o.region_kind = TRACE_REGION_ANON;
			else {
				mb_err("trace", "import: --region '%s' unknown (file or anon)", optarg);
				return 2;
			}
			break;
		case O_STRICT: o.strict = 1; break;
		case 'h': import_usage(stdout); return 0;
		default: import_usage(stderr); return 2;
		}
	}
	if (optind != argc - 2 || !out) {
		mb_err("trace", "import: need FORMAT IN and -o FILE (see 'mapbench trace import --help')");
		return 2;
	}
	fmt = trace_importer_find(argv[optind]);
	if (!fmt) {
		mb_err("trace", "import: format '%s' unknown (lackey, din)", argv[optind]);
		return 2;
	}
	ret = trace_import(fmt, argv[optind + 1], out, &o, &rep, err, sizeof(err));
	if (rep.lines || !ret)
		trace_import_report_print(&rep, fmt->name, argv[optind + 1], stderr);
	if (ret) {
		mb_err("trace", "import: %s", err);
		return 2;
	}
	return 0;
}

/* --------------------------------------------------------------- dump */

static void dump_usage(FILE *f)
{
	fprintf(f, "usage: mapbench trace dump FILE [-o OUT]\n\n"
		   "Print a trace (binary or text) in the text form, which 'trace' commands\n"
		   "read back identically:\n"
		   "  # mapbench-trace v1\n  # region=file size=64M records=N hash=0x...\n  # spec=...\n"
		   "  R 0x1000 64\n  W 0x2000 8\n\n"
		   "options:\n  -o, --output OUT   write to OUT (atomically) instead of stdout\n"
		   "  -h, --help         this text\n");
}

static int do_dump(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "output", required_argument, NULL, 'o' }, { "help", no_argument, NULL, 'h' }, { 0 } };
	const char *out = NULL;
	struct trace_reader *r;
	struct mb_atomic at;
	char err[1024];
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", lo, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'h': dump_usage(stdout); return 0;
		default: dump_usage(stderr); return 2;
		}
	}
	if (optind != argc - 1) {
		mb_err("trace", "dump: need one FILE (see 'mapbench trace dump --help')");
		return 2;
	}
	if ((ret = trace_reader_open(argv[optind], &r, err, sizeof(err)))) {
		mb_err("trace", "%s", err);
		return 2;
	}
	if (out && (ret = mb_atomic_open(&at, out))) {
		mb_errno("trace", ret, "dump: cannot create %s", out);
		trace_reader_destroy(r);
		return 2;
	}
	ret = trace_text_write(r, out ? at.fp : stdout);
	if (ret)
		mb_err("trace", "%s", trace_reader_error(r));
	if (out) {
		if (ret)
			mb_atomic_abort(&at);
		else if ((ret = mb_atomic_commit(&at)))
			mb_errno("trace", ret, "dump: cannot write %s", out);
	} else if (fflush(stdout)) {
		ret = -EIO;
		mb_err("trace", "dump: write error on stdout");
	}
	trace_reader_destroy(r);
	return ret ? 2 : 0;
}

/* --------------------------------------------------------------- stat */

static void stat_usage(FILE *f)
{
	fprintf(f, "usage: mapbench trace stat FILE [--json]\n\n"
		   "Records, reads/writes, bytes, distinct 4 KiB pages and 2 MiB regions, and the\n"
		   "reuse distance of 4 KiB pages (distinct pages between two touches of a page):\n"
		   "exact up to %" PRIu64 " region pages, spatially sampled (SHARDS) beyond.\n\n"
		   "options:\n  --json       one JSON object on stdout\n  -h, --help   this text\n",
		TRACE_STAT_EXACT_PAGES);
}

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

static int do_stat(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "json", no_argument, NULL, 'j' }, { "help", no_argument, NULL, 'h' }, { 0 } };
	struct trace_stat st;
	struct trace_hdr h;
	char err[1024], a[32], b[32];
	int c, json = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'j': json = 1; break;
		case 'h': stat_usage(stdout); return 0;
		default: stat_usage(stderr); return 2;
		}
	}
	if (optind != argc - 1) {
		mb_err("trace", "stat: need one FILE (see 'mapbench trace stat --help')");
		return 2;
	}
	if (trace_stat_file(argv[optind], &st, &h, err, sizeof(err))) {
		mb_err("trace", "%s", err);
		return 2;
	}
	if (json) {
		printf("{\"file\": ");
		json_str(argv[optind]);
		printf(", \"spec\": ");
		json_str(h.spec);
		printf(", \"region\": \"%s\", \"region_bytes\": %" PRIu64 ", \"hash\": \"0x%016" PRIx64 "\""
		       ", \"records\": %" PRIu64 ", \"reads\": %" PRIu64 ", \"writes\": %" PRIu64
		       ", \"bytes\": %" PRIu64 ", \"pages_4k\": %" PRIu64 ", \"regions_2m\": %" PRIu64
		       ", \"page_touches\": %" PRIu64 ", \"cold_touches\": %" PRIu64 ", \"cold_frac\": %.6f"
		       ", \"reuse_pages\": {",
		       trace_region_name(h.region_kind), h.region_size, h.hash, st.nrec, st.reads, st.writes,
		       st.bytes, st.pages, st.regions_2m, st.touches, st.cold, st.cold_frac);
		if (st.touches > st.cold) /* distances exist only for pages touched again */
			printf("\"p50\": %" PRIu64 ", \"p90\": %" PRIu64 ", \"p99\": %" PRIu64 ", \"max\": %"
			       PRIu64 ", \"mean\": %.3f, ", st.rd_p50, st.rd_p90, st.rd_p99, st.rd_max, st.rd_mean);
		else
			printf("\"p50\": null, \"p90\": null, \"p99\": null, \"max\": null, \"mean\": null, ");
		printf("\"method\": \"%s\", \"sample_rate\": %.6g}}\n", st.exact ? "exact" : "sampled",
		       st.sample_rate);
		return 0;
	}
	printf("file        %s\nspec        %s\nregion      %s, %s (%" PRIu64 " bytes)\nhash        0x%016" PRIx64 "\n",
	       argv[optind], h.spec, trace_region_name(h.region_kind),
	       mb_fmt_size(h.region_size, a, sizeof(a)), h.region_size, h.hash);
	printf("records     %" PRIu64 " (%" PRIu64 " reads, %" PRIu64 " writes)\n", st.nrec, st.reads, st.writes);
	printf("bytes       %" PRIu64 " (%s) accessed\n", st.bytes, mb_fmt_size(st.bytes, a, sizeof(a)));
	printf("footprint   %s%" PRIu64 " distinct 4 KiB pages (%s), %" PRIu64 " distinct 2 MiB regions\n",
	       st.exact ? "" : "~", st.pages, mb_fmt_size(st.pages * 4096, b, sizeof(b)), st.regions_2m);
	printf("reuse       %s over %" PRIu64 " page touches: cold %.4f, ", st.exact ? "exact" : "sampled",
	       st.touches, st.cold_frac);
	if (st.touches > st.cold)
		printf("distance in pages p50 %" PRIu64 " p90 %" PRIu64 " p99 %" PRIu64 " max %" PRIu64
		       " mean %.1f\n", st.rd_p50, st.rd_p90, st.rd_p99, st.rd_max, st.rd_mean);
	else
		printf("no page touched twice: no reuse distance\n");
	if (!st.exact)
		printf("            (sampled at rate %.6g: counts and distances scaled by its inverse)\n",
		       st.sample_rate);
	return 0;
}

/* -------------------------------------------------------------- table */

static const struct trace_cmd cmds[] = {
	{ "gen", do_gen, gen_usage, "generate a trace from a spec" },
	{ "import", do_import, import_usage, "convert lackey or din traces" },
	{ "dump", do_dump, dump_usage, "print a trace in text form" },
	{ "stat", do_stat, stat_usage, "footprint and reuse-distance summary" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: mapbench trace <gen|import|dump|stat> ...   (mapbench trace <cmd> --help)\n\n");
	for (size_t i = 0; i < MB_ARRAY_SIZE(cmds); i++)
		fprintf(f, "  %-7s %s\n", cmds[i].name, cmds[i].help);
}

int cmd_trace(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < MB_ARRAY_SIZE(cmds); i++)
		if (!strcmp(argv[1], cmds[i].name)) {
			if (wants_help(argc - 1, argv + 1)) {
				cmds[i].usage(stdout);
				return 0;
			}
			return cmds[i].fn(argc - 1, argv + 1);
		}
	mb_err("trace", "unknown subcommand '%s' (gen, import, dump, stat)", argv[1]);
	return 2;
}
