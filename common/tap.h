/*
 * common/tap.h — a tiny TAP producer for mapbench's tests (header only).
 * Tests print "ok N - name", "not ok N - name", "ok N # SKIP reason" and a
 * final plan; meson reads them with protocol 'tap'. A test program that calls
 * tap_done() returns non-zero when any check failed.
 */
#ifndef COMMON_TAP_H
#define COMMON_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static int tap_n;      /* checks so far */
static int tap_failed; /* failed checks */

/* Record one check; print the message; return cond so callers can branch. */
static inline int tap_ok(int cond, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static inline int tap_ok(int cond, const char *fmt, ...)
{
	va_list ap;
	tap_n++;
	printf("%sok %d - ", cond ? "" : "not ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond)
		tap_failed++;
	fflush(stdout);
	return cond;
}

/* A skipped check, with the reason (missing PMU, privileges, ...). */
static inline void tap_skip(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static inline void tap_skip(const char *fmt, ...)
{
	va_list ap;
	tap_n++;
	printf("ok %d # SKIP ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* Whole program skipped: TAP "1..0 # SKIP reason", exit 77 is not needed. */
static inline int tap_skip_all(const char *reason)
{
	printf("1..0 # SKIP %s\n", reason);
	return 0;
}

/* Diagnostic line. */
#define tap_diag(...) (printf("# "), printf(__VA_ARGS__), printf("\n"))

/* Compare two unsigned 64-bit values, printing both on failure. */
#define tap_eq_u64(got, want, ...)                                               \
	do {                                                                     \
		unsigned long long g_ = (unsigned long long)(got);               \
		unsigned long long w_ = (unsigned long long)(want);              \
		if (!tap_ok(g_ == w_, __VA_ARGS__))                              \
			printf("#   got %llu, want %llu\n", g_, w_);             \
	} while (0)

/* Print the plan and return the exit status. */
static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif /* COMMON_TAP_H */
