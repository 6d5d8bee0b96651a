/*
 * cli/cmd_record.c — `mapbench record -o T.mtr [--file PATH | --min-size SIZE]
 * [--mechanism preload|ptrace] [--keep-logs DIR] -- CMD ARGS...`: run CMD with
 * the record/ interposer preloaded (or under the ptrace tracer) and write its
 * accesses to the file as a trace (record/record.h).
 * Exit: the program's own exit status when traces were written (so scripts
 * see its failure), 2 on usage error or when nothing could be recorded.
 */
#include "cli/cmds.h"
#include "common/mb.h"
#include "record/record.h"

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

static void usage(FILE *f)
{
	fprintf(f, "usage: mapbench record -o T.mtr [--file PATH | --min-size SIZE] [--mechanism preload|ptrace]\n"
		   "                       [--map-order] [--keep-logs DIR] -- CMD ARGS...\n"
		   "  --file PATH      record the accesses to this file (default with --file: exactly one trace, T.mtr)\n"
		   "  --min-size SIZE  record every regular file of at least SIZE bytes (T.mtr, or T.mtr.N.mtr for several)\n"
		   "  --mechanism M    preload (default): an LD_PRELOAD interposer (read, pread64, readv, preadv[2],\n"
		   "                   lseek, stdio readers; fast; static binaries and raw syscalls not seen);\n"
		   "                   ptrace: the syscalls, stopped by a seccomp filter (static binaries and raw\n"
		   "                   syscalls too, stdio as its read syscalls; slower)\n"
		   "  --keep-logs DIR  keep the recorder's per-process logs in DIR\n"
		   "  --map-order      preload only: record each page of a mapping of the file at its first touch, in\n"
		   "                   order (the interposer maps it PROT_NONE and opens each page on its SIGSEGV;\n"
		   "                   a syscall handed a pointer into an untouched page fails with EFAULT)\n"
		   "Otherwise: mmap'ed pages present at munmap/exit from pagemap (which pages, not their order);\n"
		   "io_uring reads are not seen; the report counts what was not recorded.\n");
}

int cmd_record(int argc, char **argv)
{
	struct record_opts o = { 0 };
	struct record_sum *sum;
	int i, rc;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else if (!strcmp(argv[i], "-o") && i + 1 < argc) {
			o.out = argv[++i];
		} else if (!strcmp(argv[i], "--file") && i + 1 < argc) {
			o.file = argv[++i];
		} else if (!strcmp(argv[i], "--min-size") && i + 1 < argc) {
			if (mb_parse_size(argv[++i], &o.min_size)) {
				mb_err("record", "--min-size '%s' is not a size (e.g. 64M)", argv[i]);
				return 2;
			}
		} else if (!strcmp(argv[i], "--mechanism") && i + 1 < argc) {
			i++;
			if (!strcmp(argv[i], "ptrace")) {
				o.ptrace = 1;
			} else if (strcmp(argv[i], "preload")) {
				mb_err("record", "--mechanism '%s' is not preload or ptrace", argv[i]);
				return 2;
			}
		} else if (!strcmp(argv[i], "--map-order")) {
			o.map_order = 1;
		} else if (!strcmp(argv[i], "--keep-logs") && i + 1 < argc) {
			o.log_dir = argv[++i];
		} else {
			mb_err("record", "unknown or incomplete option '%s'", argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (!o.out || i >= argc || (!o.file && !o.min_size) || (o.file && o.min_size)) {
		mb_err("record", "need -o T.mtr, one of --file PATH or --min-size SIZE, and -- CMD");
		usage(stderr);
		return 2;
	}
	if (o.map_order && o.ptrace) {
		mb_err("record", "--map-order needs --mechanism preload: the tracer sees syscalls, not the program's "
		       "touches of mapped pages");
		return 2;
	}
	o.argv = argv + i;
	sum = calloc(1, sizeof(*sum));
	if (!sum)
		return 2;
	rc = record_run(&o, sum, stdout);
	int st = sum->status;
	free(sum);
	if (rc)
		return 2;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
