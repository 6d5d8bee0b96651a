/*
 * record/record.h — `mapbench record` (librecord): run a program with the
 * interposer (record/interpose.c) preloaded, or under the ptrace tracer
 * (record/ptrace.c), then turn the per-process logs they left
 * (record/reclog.h) into one trace per recorded file, and report what was
 * not recorded.
 *
 * Trace header spec (one line, at most TRACE_SPEC_MAX bytes, the command
 * last so the other fields parse whatever it holds):
 *   record:file=PATH,size=BYTES,used=METHOD,wall_ns=NS,cmd=COMMAND
 * PATH with ',' '|' '@' and control characters replaced by '?'; METHOD the
 * access method most records came through (read, fread, mmap); NS the
 * program's wall time under the recorder.
 */
#ifndef RECORD_RECORD_H
#define RECORD_RECORD_H

#include <stdint.h>
#include <stdio.h>

/* What to record. */
struct record_opts {
	const char *out;        /* -o: the trace (--file), or the name stem (--min-size) */
	const char *file;       /* --file PATH, or NULL */
	uint64_t min_size;      /* --min-size SIZE (when file is NULL) */
	char *const *argv;      /* the program and its arguments */
	const char *so;         /* the interposer; NULL: record_find_so() */
	const char *log_dir;    /* keep the logs in this directory; NULL: a temp dir, removed */
	int ptrace;             /* --mechanism ptrace: trace the syscalls (record/ptrace.c), no preload */
	int map_order;          /* --map-order: the interposer records mapped pages at their first touch */
};

/* Counts of one recorded file's trace. */
struct record_file_sum {
	char path[360];          /* the file */
	char trace[4096];        /* the trace written */
	uint64_t records;        /* records in it */
	uint64_t bytes;          /* bytes they cover */
	uint64_t region;         /* region size (file size) */
	const char *used;        /* method most records came through */
};

/* The result of one recording. */
struct record_sum {
	int status;              /* the program's wait status */
	uint64_t wall_ns;        /* its wall time */
	unsigned procs;          /* process images that left a log */
	unsigned nfiles;         /* traces written */
	struct record_file_sum files[64]; /* the first 64 of them */
	uint64_t other_reads;    /* read-family calls through fds not recorded */
	uint64_t unseen_reads;   /* read syscalls the interposer did not see (images with end figures) */
	unsigned unknown_procs;  /* images without end figures (killed, _exit bypassed, static exec) */
};

/* The interposer's path: $MAPBENCH_RECORD_SO, beside the executable's build tree, or the build root. */
int record_find_so(char *buf, size_t len);

/*
 * Run o->argv with the interposer, wait for it, write the traces (each
 * atomically) and print the report to rep. Returns 0 (traces written; the
 * program's status is in sum->status), or -errno with a message printed
 * (no trace written: e.g. the program never loaded the interposer, or no
 * recorded file was read).
 */
int record_run(const struct record_opts *o, struct record_sum *sum, FILE *rep);

/*
 * Run o->argv under the tracer, writing its logs into dir; want: the
 * stat of --file (NULL: o->min_size); the program's wait status in *status. Returns 0, or -errno with a message printed
 * (e.g. -EPERM: ptrace not permitted; the exec's errno when it failed).
 */
struct stat;
int record_ptrace(const struct record_opts *o, const char *dir, const struct stat *want, int *status);

/* Turn the logs in dir into traces (what record_run does after the program ended). */
int record_merge(const struct record_opts *o, const char *dir, struct record_sum *sum, FILE *rep);

#endif /* RECORD_RECORD_H */
