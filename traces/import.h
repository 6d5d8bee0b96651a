/*
 * traces/import.h — turn address traces made by other tools into mapbench
 * traces. Each format is one importer (one file, traces/import_<name>.c)
 * that parses a line into up to two accesses, or says why it skipped or
 * refused the line; traces/import.c holds the one list of importers and
 * the driver common to all of them.
 *
 * Rebasing: addresses are mapped into one region starting at
 * base = (lowest address) & ~4095 (or --base), with
 * region size = (highest end rounded up to 4 KiB) - base, capped at
 * max_region. Nothing is dropped silently: skipped lines are counted per
 * category, malformed lines and accesses outside the region are counted and
 * their first line numbers reported; with `strict` any of the latter two is
 * an error and no file is written.
 */
#ifndef TRACES_IMPORT_H
#define TRACES_IMPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "traces/trace.h"

enum imp_kind {
	IMP_REC = 0,  /* the line holds accesses */
	IMP_SKIP = 1, /* a line of a kind we do not import (counted by category) */
	IMP_BAD = 2,  /* malformed */
};

/* One access as the foreign trace gives it. */
struct imp_access {
	uint64_t addr; /* absolute address */
	uint32_t len;  /* bytes, 1..TRACE_MAX_LEN */
	uint8_t op;    /* enum trace_op */
};

/* What one line parsed into. */
struct imp_line {
	unsigned n;                /* accesses (IMP_REC): 1 or 2 */
	struct imp_access acc[2];  /* the accesses, in order */
	const char *what;          /* IMP_SKIP: category name; IMP_BAD: reason */
};

/* One foreign format. */
struct trace_importer {
	const char *name;      /* format name on the command line */
	const char *help;      /* one line */
	uint8_t region_kind;   /* default region kind of its traces */
	/* Parse one line (no newline). Returns enum imp_kind and fills *out. */
	int (*parse)(const char *line, struct imp_line *out);
};

extern const struct trace_importer trace_import_lackey; /* import_lackey.c */
extern const struct trace_importer trace_import_din;    /* import_din.c */
extern const struct trace_importer trace_import_strace; /* import_strace.c */

/* The list of importers, NULL-terminated. */
extern const struct trace_importer *const trace_importers[];

/* Options of one import. */
struct trace_import_opts {
	uint64_t max_region;  /* region size cap in bytes; 0 = TRACE_MAX_REGION */
	uint64_t base;        /* region start when have_base */
	int have_base;        /* base given (4 KiB aligned) */
	int region_kind;      /* enum trace_region_kind, or -1 for the importer's */
	int strict;           /* malformed or unmapped lines are an error */
};

#define TRACE_IMPORT_LIST 10 /* line numbers kept per problem kind */
#define TRACE_IMPORT_SKIPS 8 /* skip categories kept */

/* What happened, for the report. */
struct trace_import_report {
	uint64_t lines;                             /* lines read */
	uint64_t records;                           /* records written */
	uint64_t skipped;                           /* lines skipped, all categories */
	struct {
		const char *what;                   /* category */
		uint64_t count;                     /* lines */
	} skip[TRACE_IMPORT_SKIPS];                 /* per category */
	size_t nskip;                               /* categories used */
	uint64_t malformed;                         /* malformed lines */
	uint64_t bad_line[TRACE_IMPORT_LIST];       /* their first line numbers */
	const char *bad_why[TRACE_IMPORT_LIST];     /* and reasons */
	uint64_t unmapped;                          /* accesses outside the region */
	uint64_t unmapped_line[TRACE_IMPORT_LIST];  /* their first line numbers */
	uint64_t unmapped_addr[TRACE_IMPORT_LIST];  /* and addresses */
	uint64_t lo, hi;                            /* lowest address, highest end seen */
	uint64_t base;                              /* region start */
	uint64_t region_size;                       /* region bytes */
};

/* Find an importer by name, NULL if unknown. */
const struct trace_importer *trace_importer_find(const char *name);

/*
 * Import file `in` of format `fmt` into trace `out` (two passes over in).
 * Returns 0 or -errno with a message in err (nothing written on error).
 */
/*
 * Parse the decimal size that ends a line at p (trailing blanks allowed).
 * Returns 0, or -EINVAL with *what naming the fault for the line's report.
 */
int imp_parse_size_tail(const char *p, unsigned long long *size, const char **what);

int trace_import(const struct trace_importer *fmt, const char *in, const char *out,
		 const struct trace_import_opts *o, struct trace_import_report *rep,
		 char *err, size_t errlen);

/* Print the report (counts, first line numbers) to f. */
void trace_import_report_print(const struct trace_import_report *rep, const char *fmt,
			       const char *in, FILE *f);

#endif /* TRACES_IMPORT_H */
