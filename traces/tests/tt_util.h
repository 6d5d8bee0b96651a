/*
 * traces/tests/tt_util.h — helpers of the traces tests (header only): temp
 * directories, whole-file read/write, patching binary trace headers (with
 * the header hash fixed up), reading all records of a trace.
 */
#ifndef TRACES_TESTS_TT_UTIL_H
#define TRACES_TESTS_TT_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xxhash.h>

#include "traces/trace.h"

/* Make a temp directory; its path is returned in a static buffer. */
static inline const char *tt_tmpdir(void)
{
	static char dir[64];
	snprintf(dir, sizeof(dir), "/tmp/mbtraceXXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		exit(1);
	}
	return dir;
}

static inline void tt_rmdir(const char *dir)
{
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		fprintf(stderr, "cleanup of %s failed\n", dir);
}

/* Read a whole file; *len gets its size. NULL on error. */
static inline uint8_t *tt_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	b = malloc((size_t)n + 1);
	if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
		free(b);
		b = NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return b;
}

static inline int tt_spit(const char *path, const void *b, size_t len)
{
	FILE *f = fopen(path, "wb");
	int ok;

	if (!f)
		return -1;
	ok = fwrite(b, 1, len, f) == len;
	return (fclose(f) == 0 && ok) ? 0 : -1;
}

static inline void tt_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}
static inline void tt_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}
static inline uint64_t tt_get64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* Recompute the v1 header hash (bytes 0..567 -> 568). */
static inline void tt_fix_hdr(uint8_t *b)
{
	tt_le64(b + 568, XXH64(b, 568, 0));
}

/* Read every record of path; returns count or -1 (message in err). */
static inline long tt_read_all(const char *path, struct trace_rec *out, size_t max,
			       struct trace_hdr *hdr, char *err, size_t errlen)
{
	struct trace_reader *r;
	size_t n, total = 0;
	static struct trace_rec buf[1000];

	if (trace_reader_open(path, &r, err, errlen))
		return -1;
	if (hdr)
		*hdr = *trace_reader_hdr(r);
	for (;;) {
		if (trace_reader_read(r, buf, 1000, &n)) {
			snprintf(err, errlen, "%s", trace_reader_error(r));
			trace_reader_destroy(r);
			return -1;
		}
		if (!n)
			break;
		for (size_t i = 0; i < n; i++)
			if (total + i < max)
				out[total + i] = buf[i];
		total += n;
	}
	trace_reader_destroy(r);
	return (long)total;
}

#endif /* TRACES_TESTS_TT_UTIL_H */
