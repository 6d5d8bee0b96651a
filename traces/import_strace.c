/*
 * traces/import_strace.c — importer for strace logs of a program's reads of
 * one file: `strace -o LOG -e trace=openat,open,read,pread64,readv,preadv,
 * lseek,close CMD`. Each openat/open that returns an fd names it; the first
 * opened path that is not a shared object or under /proc /sys /dev /etc is
 * the recorded file, and its fds' read, pread64, readv, preadv, lseek and
 * close lines become records at file offsets (read/readv at the fd's
 * position, followed through lseek). Lines of other fds and files, failed
 * calls, 0-byte reads, interrupted (<unfinished ...>/resumed) lines are
 * skipped and counted. Optional "PID " / "[pid N] " and -t/-tt/-ttt prefixes
 * are accepted. Use `--base 0` so offsets stay file offsets.
 *
 * State: the per-fd position and the chosen path are file-static (the
 * import driver's line callback carries none); an openat line resets its
 * fd, so the driver's second pass over the log replays the same positions.
 * Invariant: a record is only made from a call's returned byte count.
 */
#include "traces/import.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define ST_FDS 1024 /* fds followed; higher ones are skipped and counted */

static struct {
	char path[512];          /* the recorded file ("" until chosen) */
	uint8_t rec[ST_FDS];     /* fd currently open on the recorded file */
	uint64_t pos[ST_FDS];    /* its position */
} S;

/* Skip a quoted string (with escapes), an array [...] or a struct {...}. */
static const char *skip_arg(const char *p)
{
	int depth = 0;
	for (; *p; p++) {
		if (*p == '"') {
			for (p++; *p && *p != '"'; p++)
				if (*p == '\\' && p[1])
					p++;
			if (!*p)
				return p;
			continue;
		}
		if (*p == '[' || *p == '{' || *p == '(')
			depth++;
		else if ((*p == ']' || *p == '}' || *p == ')') && depth)
			depth--;
		else if ((*p == ',' || *p == ')') && !depth)
			return p;
	}
	return p;
}

/* Split the arguments after '(' into up to 6 starts; returns the count, *close at ')'. */
static int split(const char *p, const char *arg[6], const char **close)
{
	int n = 0;
	while (*p && n < 6) {
		while (*p == ' ')
			p++;
		arg[n++] = p;
		p = skip_arg(p);
		if (*p != ',')
			break;
		p++;
	}
	*close = p;
	return n;
}

static int interesting(const char *path)
{
	static const char *const pre[] = { "/proc/", "/sys/", "/dev/", "/etc/" };
	for (size_t i = 0; i < sizeof(pre) / sizeof(pre[0]); i++)
		if (!strncmp(path, pre[i], strlen(pre[i])))
			return 0;
	return !strstr(path, ".so");
}

static int strace_parse(const char *line, struct imp_line *out)
{
	const char *p = line, *arg[6], *close, *eq;
	char name[16];
	size_t nl = 0;
	long long res;
	int n;

	while (*p == ' ')
		p++;
	if (!*p) {
		out->what = "blank";
		return IMP_SKIP;
	}
	if (!strncmp(p, "[pid ", 5)) {
		p = strchr(p, ']');
		if (!p) {
			out->what = "'[pid' without ']'";
			return IMP_BAD;
		}
		p++;
	}
	for (int k = 0; k < 2; k++) { /* a PID, then a timestamp, each optional */
		while (*p == ' ')
			p++;
		const char *q = p;
		while (isdigit((unsigned char)*q) || *q == ':' || *q == '.')
			q++;
		if (q > p && *q == ' ')
			p = q;
	}
	while (*p == ' ')
		p++;
	if (strstr(p, "<unfinished ...>") || !strncmp(p, "<...", 4)) {
		out->what = "unfinished/resumed (several threads: use -ff)";
		return IMP_SKIP;
	}
	if (!strncmp(p, "+++", 3) || !strncmp(p, "---", 3)) {
		out->what = "exit or signal";
		return IMP_SKIP;
	}
	while ((isalnum((unsigned char)p[nl]) || p[nl] == '_') && nl + 1 < sizeof(name))
		nl++;
	if (!nl || p[nl] != '(') {
		out->what = "not 'call(args) = result'";
		return IMP_BAD;
	}
	memcpy(name, p, nl);
	name[nl] = 0;
	n = split(p + nl + 1, arg, &close);
	eq = *close == ')' ? strstr(close, " = ") : NULL;
	if (!eq) {
		out->what = "no ') = result'";
		return IMP_BAD;
	}
	res = strtoll(eq + 3, NULL, 0);

	if (!strcmp(name, "openat") || !strcmp(name, "open")) {
		const char *s = arg[!strcmp(name, "openat")];
		if (n < 2 || *s != '"') {
			out->what = "open without a quoted path";
			return IMP_BAD;
		}
		if (res < 0) {
			out->what = "failed open";
			return IMP_SKIP;
		}
		size_t l = strcspn(s + 1, "\"");
		char path[512];
		snprintf(path, sizeof(path), "%.*s", (int)l, s + 1);
		if (res < ST_FDS) {
			if (!S.path[0] && interesting(path))
				snprintf(S.path, sizeof(S.path), "%s", path);
			S.rec[res] = S.path[0] && !strcmp(S.path, path);
			S.pos[res] = 0;
		}
		out->what = "open";
		return IMP_SKIP;
	}
	if (n < 1 || !isdigit((unsigned char)*arg[0])) {
		out->what = "call without an fd";
		return IMP_SKIP;
	}
	long fd = strtol(arg[0], NULL, 10);
	int known = !strcmp(name, "read") || !strcmp(name, "pread64") || !strcmp(name, "readv") ||
		    !strcmp(name, "preadv") || !strcmp(name, "lseek") || !strcmp(name, "close");
	if (!known) {
		out->what = "other call";
		return IMP_SKIP;
	}
	if (fd >= ST_FDS) {
		out->what = "fd beyond 1023 (not followed)";
		return IMP_SKIP;
	}
	if (!S.rec[fd]) {
		out->what = "other fd or file";
		return IMP_SKIP;
	}
	if (!strcmp(name, "close")) {
		S.rec[fd] = 0;
		out->what = "close";
		return IMP_SKIP;
	}
	if (res < 0) {
		out->what = "failed call";
		return IMP_SKIP;
	}
	if (!strcmp(name, "lseek")) {
		S.pos[fd] = (uint64_t)res;
		out->what = "lseek";
		return IMP_SKIP;
	}
	if (res == 0) {
		out->what = "0-byte read";
		return IMP_SKIP;
	}
	if (res > (long long)TRACE_MAX_LEN) {
		out->what = "read beyond 1 GiB";
		return IMP_BAD;
	}
	uint64_t off;
	if (!strcmp(name, "pread64") || !strcmp(name, "preadv")) {
		if (n < 4) {
			out->what = "pread64/preadv without an offset";
			return IMP_BAD;
		}
		off = strtoull(arg[3], NULL, 0);
	} else {
		off = S.pos[fd];
		S.pos[fd] += (uint64_t)res;
	}
	out->acc[0] = (struct imp_access){ off, (uint32_t)res, TRACE_OP_READ };
	out->n = 1;
	return IMP_REC;
}

const struct trace_importer trace_import_strace = {
	.name = "strace",
	.help = "strace -e trace=openat,read,pread64,readv,preadv,lseek,close: one file's reads (use --base 0)",
	.region_kind = TRACE_REGION_FILE,
	.parse = strace_parse,
};
