/*
 * common/mb.h — small utilities shared by every mapbench library: error
 * messages in the house style, size parsing and printing, atomic file writes,
 * monotonic time. No policy lives here.
 *
 * Error style (CONVENTIONS.md §4): functions return 0 or -errno; messages read
 * "mapbench: <module>: <what failed>: <values and limits>".
 */
#ifndef COMMON_MB_H
#define COMMON_MB_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define MB_KiB (UINT64_C(1) << 10)
#define MB_MiB (UINT64_C(1) << 20)
#define MB_GiB (UINT64_C(1) << 30)
#define MB_TiB (UINT64_C(1) << 40)

#define MB_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Print "mapbench: <module>: <message>\n" to stderr. */
void mb_err(const char *module, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Same, appending ": strerror(-err)". */
void mb_errno(const char *module, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Parse a byte size: a decimal or 0x-hex integer with an optional binary
 * suffix K, M, G, T (KiB, MiB, ... also accepted, case-insensitive).
 * Returns 0, -EINVAL (not a size) or -ERANGE (does not fit 64 bits).
 */
int mb_parse_size(const char *s, uint64_t *out);

/* Parse an unsigned integer (decimal, 0x hex, optional K/M/G decimal-free suffixes as sizes). */
int mb_parse_u64(const char *s, uint64_t *out);

/* Parse a double, accepting a trailing '%' (then divided by 100). */
int mb_parse_frac(const char *s, double *out);

/* Format a byte count as "64 MiB", "1.5 GiB", "4096 B" into buf. Returns buf. */
const char *mb_fmt_size(uint64_t bytes, char *buf, size_t len);

/*
 * Write len bytes to path atomically: a temp file in the same directory,
 * fsync, rename over path, fsync the directory. On any failure the previous
 * content of path is untouched and the temp file removed. Returns 0 or -errno.
 */
int mb_write_atomic(const char *path, const void *data, size_t len);

/*
 * Atomic writer for streamed output: mb_atomic_open() returns a FILE* to a temp
 * file beside path; mb_atomic_commit() flushes, fsyncs and renames it into
 * place; mb_atomic_abort() removes it. Exactly one of commit/abort per open.
 */
struct mb_atomic {
	FILE *fp;          /* stream to write to */
	char tmp[4096];    /* temp file path */
	char path[4096];   /* final path */
};
int mb_atomic_open(struct mb_atomic *a, const char *path);
int mb_atomic_commit(struct mb_atomic *a);
void mb_atomic_abort(struct mb_atomic *a);

/* snprintf without a result: truncation is accepted (labels, messages). */
void mb_sfmt(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Strip leading and trailing white space in place; returns the first non-blank. */
char *mb_trim(char *s);

/* Monotonic clock in nanoseconds. */
uint64_t mb_now_ns(void);

/* Version string "0.1.0 (git <sha>)". */
const char *mb_version(void);

/* Make all directories of path (mkdir -p). Returns 0 or -errno. */
int mb_mkdir_p(const char *path);

#endif /* COMMON_MB_H */
