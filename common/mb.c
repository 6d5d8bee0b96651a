/*
 * common/mb.c — implementation of common/mb.h: messages, sizes, atomic
 * writes, clocks. Invariant: an atomic write never leaves a partial file at
 * the final path; the temp file is removed on every failure path.
 */
#include "common/mb.h"
#include "config.h"
#include "gitsha.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void mb_err(const char *module, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "mapbench: %s: ", module);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void mb_errno(const char *module, int err, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "mapbench: %s: ", module);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(err < 0 ? -err : err));
}

static int suffix_shift(const char *s, unsigned *shift)
{
	static const struct { const char *name; unsigned shift; } tab[] = {
		{ "", 0 }, { "b", 0 },
		{ "k", 10 }, { "kb", 10 }, { "kib", 10 },
		{ "m", 20 }, { "mb", 20 }, { "mib", 20 },
		{ "g", 30 }, { "gb", 30 }, { "gib", 30 },
		{ "t", 40 }, { "tb", 40 }, { "tib", 40 },
		{ "p", 50 }, { "pb", 50 }, { "pib", 50 },
	};
	for (size_t i = 0; i < MB_ARRAY_SIZE(tab); i++)
		if (!strcasecmp(s, tab[i].name)) {
			*shift = tab[i].shift;
			return 0;
		}
	return -EINVAL;
}

int mb_parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned shift;
	unsigned long long v;

	if (!s || !*s || *s == '-' || isspace((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno == ERANGE)
		return -ERANGE;
	if (end == s)
		return -EINVAL;
	if (suffix_shift(end, &shift))
		return -EINVAL;
	if (shift && v > (UINT64_MAX >> shift))
		return -ERANGE;
	*out = (uint64_t)v << shift;
	return 0;
}

int mb_parse_u64(const char *s, uint64_t *out)
{
	return mb_parse_size(s, out);
}

int mb_parse_frac(const char *s, double *out)
{
	char *end;
	double v;

	if (!s || !*s)
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s)
		return -EINVAL;
	if (*end == '%') {
		v /= 100.0;
		end++;
	}
	if (*end)
		return -EINVAL;
	*out = v;
	return 0;
}

const char *mb_fmt_size(uint64_t b, char *buf, size_t len)
{
	static const char *unit[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	unsigned u = 0;

	while (u + 1 < MB_ARRAY_SIZE(unit) && b >= (UINT64_C(1024) << (10 * u)))
		u++;
	if (u == 0)
		snprintf(buf, len, "%llu B", (unsigned long long)b);
	else if (b % (UINT64_C(1) << (10 * u)) == 0)
		snprintf(buf, len, "%llu %s", (unsigned long long)(b >> (10 * u)), unit[u]);
	else
		snprintf(buf, len, "%.2f %s", (double)b / (double)(UINT64_C(1) << (10 * u)), unit[u]);
	return buf;
}

static int fsync_dir_of(const char *path)
{
	char tmp[4096];
	int fd, ret = 0;

	snprintf(tmp, sizeof(tmp), "%s", path);
	fd = open(dirname(tmp), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd) && errno != EINVAL)
		ret = -errno;
	close(fd);
	return ret;
}

int mb_atomic_open(struct mb_atomic *a, const char *path)
{
	int fd;

	memset(a, 0, sizeof(*a));
	if (strlen(path) + 16 >= sizeof(a->tmp))
		return -ENAMETOOLONG;
	snprintf(a->path, sizeof(a->path), "%s", path);
	snprintf(a->tmp, sizeof(a->tmp), "%s.tmpXXXXXX", path);
	fd = mkostemp(a->tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fchmod(fd, 0644)) { /* mkostemp makes 0600; results are for sharing */
		int e = -errno;
		close(fd);
		unlink(a->tmp);
		return e;
	}
	a->fp = fdopen(fd, "w");
	if (!a->fp) {
		int e = -errno;
		close(fd);
		unlink(a->tmp);
		return e;
	}
	return 0;
}

int mb_atomic_commit(struct mb_atomic *a)
{
	int ret = 0;

	if (fflush(a->fp) || ferror(a->fp))
		ret = errno ? -errno : -EIO;
	else if (fsync(fileno(a->fp)))
		ret = -errno;
	if (fclose(a->fp) && !ret)
		ret = -errno;
	a->fp = NULL;
	if (!ret && rename(a->tmp, a->path))
		ret = -errno;
	if (ret) {
		unlink(a->tmp);
		return ret;
	}
	return fsync_dir_of(a->path);
}

void mb_atomic_abort(struct mb_atomic *a)
{
	if (a->fp)
		fclose(a->fp);
	a->fp = NULL;
	unlink(a->tmp);
}

int mb_write_atomic(const char *path, const void *data, size_t len)
{
	struct mb_atomic a;
	int ret = mb_atomic_open(&a, path);

	if (ret)
		return ret;
	if (len && fwrite(data, 1, len, a.fp) != len) {
		ret = errno ? -errno : -EIO;
		mb_atomic_abort(&a);
		return ret;
	}
	return mb_atomic_commit(&a);
}

void mb_sfmt(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

char *mb_trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = 0;
	return s;
}

uint64_t mb_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

const char *mb_version(void)
{
	return MAPBENCH_VERSION " (git " MAPBENCH_GIT_SHA ")";
}

int mb_mkdir_p(const char *path)
{
	char tmp[4096];
	size_t n = strlen(path);

	if (n == 0 || n >= sizeof(tmp))
		return -ENAMETOOLONG;
	memcpy(tmp, path, n + 1);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(tmp, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}
