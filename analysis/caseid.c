/*
 * analysis/caseid.c — case options (one table: name -> setter, help) and the
 * canonical case id. Invariant: two option sets that describe the same case
 * produce the same id string, whatever order the options came in.
 */
#include "analysis/caseid.h"
#include "common/mb.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const method_names[AN_METHOD__COUNT] = {
	[AN_METHOD_MMAP] = "mmap", [AN_METHOD_READ] = "read", [AN_METHOD_FREAD] = "fread",
	[AN_METHOD_URING] = "io_uring", [AN_METHOD_ANON] = "anon",
};
static const char *const madv_names[AN_MADV__COUNT] = {
	[AN_MADV_NORMAL] = "normal", [AN_MADV_RANDOM] = "random",
	[AN_MADV_SEQUENTIAL] = "sequential", [AN_MADV_WILLNEED] = "willneed",
	[AN_MADV_HUGEPAGE] = "hugepage", [AN_MADV_NOHUGEPAGE] = "nohugepage",
};
static const char *const cache_names[AN_CACHE__COUNT] = {
	[AN_CACHE_COLD] = "cold", [AN_CACHE_WARM_READ] = "warm-read",
	[AN_CACHE_WARM_WRITE] = "warm-write", [AN_CACHE_TMPFS] = "tmpfs",
	[AN_CACHE_NONE] = "none",
};

static const char *const split_names[AN_SPLIT__COUNT] = {
	[AN_SPLIT_BLOCKS] = "blocks", [AN_SPLIT_INTERLEAVE] = "interleave",
};

const char *an_split_name(enum an_split s)
{
	return (unsigned)s < AN_SPLIT__COUNT ? split_names[s] : "?";
}

const char *an_method_name(enum an_method m)
{
	return (unsigned)m < AN_METHOD__COUNT ? method_names[m] : "?";
}
const char *an_madv_name(enum an_madv a)
{
	return (unsigned)a < AN_MADV__COUNT ? madv_names[a] : "?";
}
const char *an_cache_name(enum an_cache c)
{
	return (unsigned)c < AN_CACHE__COUNT ? cache_names[c] : "?";
}

static int lookup(const char *const *names, unsigned n, const char *s)
{
	for (unsigned i = 0; i < n; i++)
		if (!strcmp(names[i], s))
			return (int)i;
	return -1;
}

int an_method_parse(const char *s, enum an_method *out)
{
	int i = lookup(method_names, AN_METHOD__COUNT, s);

	if (i < 0 && (!strcmp(s, "uring") || !strcmp(s, "pread")))
		i = s[0] == 'u' ? AN_METHOD_URING : AN_METHOD_READ;
	if (i < 0)
		return -EINVAL;
	*out = (enum an_method)i;
	return 0;
}

void an_case_opts_default(struct an_case_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->method = AN_METHOD_MMAP;
	o->madv = AN_MADV_NORMAL;
	o->qd = 32;
	o->threads = 1;
	o->split = AN_SPLIT_BLOCKS;
	o->cache = AN_CACHE_WARM_READ;
	o->cache_req = 1 * MB_MiB;
}

/* ---- option table ------------------------------------------------------ */

typedef int (*opt_set_fn)(struct an_case_opts *o, const char *v, char *err, size_t errlen);

static int bad(char *err, size_t errlen, const char *name, const char *v, const char *allowed)
{
	if (err)
		snprintf(err, errlen, "option --%s: bad value '%s' (expected %s)", name, v ? v : "", allowed);
	return -EINVAL;
}

static int set_method(struct an_case_opts *o, const char *v, char *err, size_t errlen)
{
	return an_method_parse(v, &o->method) ? bad(err, errlen, "method", v,
		"mmap, read, fread, io_uring or anon") : 0;
}

static int set_map(struct an_case_opts *o, const char *v, char *err, size_t errlen)
{
	if (!strcmp(v, "private") || !strcmp(v, "shared")) {
		o->shared = v[0] == 's';
		return 0;
	}
	return bad(err, errlen, "map", v, "private or shared");
}

static int set_madv(struct an_case_opts *o, const char *v, char *err, size_t errlen)
{
	int i = lookup(madv_names, AN_MADV__COUNT, v);

	if (i < 0)
		return bad(err, errlen, "madvise", v,
			   "normal, random, sequential, willneed, hugepage or nohugepage");
	o->madv = (enum an_madv)i;
	return 0;
}

static int set_flag(int *flag, const char *name, const char *v, char *err, size_t errlen)
{
	if (!v || !*v || !strcmp(v, "1") || !strcmp(v, "yes")) {
		*flag = 1;
		return 0;
	}
	if (!strcmp(v, "0") || !strcmp(v, "no")) {
		*flag = 0;
		return 0;
	}
	return bad(err, errlen, name, v, "nothing, 0 or 1");
}

static int set_populate(struct an_case_opts *o, const char *v, char *err, size_t errlen)
{
	return set_flag(&o->populate, "populate", v, err, errlen);
}
static int set_reg_files(struct an_case_opts *o, const char *v, char *err, size_t errlen)
{
	return set_flag(&o->reg_files, "reg-files", v, err, errlen);
}
static int set_reg_bufs(struct an_case_opts *o, const char *v, char *err, size_t errlen)
{
	return set_flag(&o->reg_bufs, "reg-bufs", v, err, errlen);
}

static int set_bufsize(struct an_case_opts *o, const char *v, char *err, size_t errlen)
{
	uint64_t b;

	if (mb_parse_size(v, &b) || b > 1 * MB_GiB)
		return bad(err, errlen, "bufsize", v, "a size from 0 (glibc default) to 1G");
	o->bufsize = b;
	return 0;
}

static int set_qd(struct an_case_opts *o, const char *v, char *err, size_t errlen)
{
	uint64_t q;

	if (mb_parse_u64(v, &q) || q < 1 || q > 4096)
		return bad(err, errlen, "qd", v, "a queue depth from 1 to 4096");
	o->qd = (unsigned)q;
	return 0;
}

static int set_direct(struct an_case_opts *o, const char *v, char *err, size_t errlen)
{
	return set_flag(&o->direct, "direct", v, err, errlen);
}

static int set_threads(struct an_case_opts *o, const char *v, char *err, size_t errlen)
{
	char *end;
	unsigned long t = strtoul(v, &end, 10);

	if (!*v || *end || t < 1 || t > AN_THREADS_MAX) {
		char lim[64];
		snprintf(lim, sizeof(lim), "an integer from 1 to %u", AN_THREADS_MAX);
		return bad(err, errlen, "threads", v, lim);
	}
	o->threads = (unsigned)t;
	return 0;
}

static int set_split(struct an_case_opts *o, const char *v, char *err, size_t errlen)
{
	int i = lookup(split_names, AN_SPLIT__COUNT, v);

	if (i < 0)
		return bad(err, errlen, "split", v, "blocks or interleave");
	o->split = (enum an_split)i;
	return 0;
}

static int set_mem_limit(struct an_case_opts *o, const char *v, char *err, size_t errlen)
{
	uint64_t b;

	/* 0 = none; below 1 MiB a cgroup cannot hold the harness itself */
	if (mb_parse_size(v, &b) || (b && b < 1 * MB_MiB) || b > (UINT64_C(1) << 40))
		return bad(err, errlen, "mem-limit", v, "0 (none) or a size from 1M to 1T");
	o->mem_limit = b;
	return 0;
}

static int set_cache(struct an_case_opts *o, const char *v, char *err, size_t errlen)
{
	char name[32];
	const char *colon = strchr(v, ':');
	size_t n = colon ? (size_t)(colon - v) : strlen(v);
	int i;

	if (n >= sizeof(name))
		return bad(err, errlen, "cache", v, "cold, warm-read[:SIZE], warm-write[:SIZE], tmpfs[:SIZE] or none");
	memcpy(name, v, n);
	name[n] = 0;
	i = lookup(cache_names, AN_CACHE__COUNT, name);
	if (i < 0)
		return bad(err, errlen, "cache", v, "cold, warm-read[:SIZE], warm-write[:SIZE], tmpfs[:SIZE] or none");
	o->cache = (enum an_cache)i;
	o->cache_req = 1 * MB_MiB;
	if (colon) {
		uint64_t req;
		if (i == AN_CACHE_COLD || i == AN_CACHE_NONE)
			return bad(err, errlen, "cache", v, "no size after cold or none");
		if (mb_parse_size(colon + 1, &req) || req == 0 || req > 1 * MB_GiB)
			return bad(err, errlen, "cache", v, "a request size from 1 to 1G after ':'");
		o->cache_req = req;
	}
	return 0;
}

static const struct opt {
	const char *name;  /* long option without "--" */
	opt_set_fn set;    /* setter */
	int takes_value;   /* 0: flag (optional =VALUE) */
	const char *help;  /* one line */
} opts[] = {
	{ "method", set_method, 1, "mmap | read | fread | io_uring | anon" },
	{ "map", set_map, 1, "mmap: private (default) | shared" },
	{ "madvise", set_madv, 1, "mmap/anon: normal | random | sequential | willneed | hugepage | nohugepage" },
	{ "populate", set_populate, 0, "mmap: MAP_POPULATE" },
	{ "bufsize", set_bufsize, 1, "fread: setvbuf buffer size (0 = glibc default)" },
	{ "qd", set_qd, 1, "io_uring: queue depth (default 32)" },
	{ "reg-files", set_reg_files, 0, "io_uring: register the file" },
	{ "reg-bufs", set_reg_bufs, 0, "io_uring: register the buffers" },
	{ "direct", set_direct, 0, "read/io_uring: O_DIRECT (aligned buffers; not on tmpfs)" },
	{ "threads", set_threads, 1, "replay threads, 1 to 64 (default 1)" },
	{ "split", set_split, 1, "threads > 1: blocks (default) | interleave" },
	{ "mem-limit", set_mem_limit, 1, "memory cgroup limit for the replay (SIZE, 0 = none)" },
	{ "cache", set_cache, 1, "cold | warm-read[:REQ] | warm-write[:REQ] | tmpfs[:REQ] | none (default warm-read:1M)" },
};

const char an_case_opts_help[] =
	"  --method M        mmap | read | fread | io_uring | anon\n"
	"  --map MODE        mmap: private (default) | shared\n"
	"  --madvise ADV     mmap/anon: normal | random | sequential | willneed | hugepage | nohugepage\n"
	"  --populate        mmap: MAP_POPULATE\n"
	"  --bufsize SIZE    fread: setvbuf buffer size (0 = glibc default)\n"
	"  --qd N            io_uring: queue depth (default 32)\n"
	"  --reg-files       io_uring: register the file\n"
	"  --reg-bufs        io_uring: register the buffers\n"
	"  --direct          read/io_uring: O_DIRECT (aligned buffers; not on tmpfs)\n"
	"  --threads N       replay threads, 1 to 64 (default 1)\n"
	"  --split S         threads > 1: blocks (contiguous record blocks, default) | interleave\n"
	"  --mem-limit SIZE  run the replay in a memory cgroup of SIZE (0 = none; what the\n"
	"                    set-up charged itself is added to the limit for the replay)\n"
	"  --cache STATE     cold | warm-read[:REQ] | warm-write[:REQ] | tmpfs[:REQ] | none\n"
	"                    (default warm-read:1M; anon traces use none)\n";

int an_case_opts_set(struct an_case_opts *o, const char *name, const char *value,
		     char *err, size_t errlen)
{
	for (size_t i = 0; i < MB_ARRAY_SIZE(opts); i++)
		if (!strcmp(name, opts[i].name)) {
			if (opts[i].takes_value && !value)
				return bad(err, errlen, name, "", "a value");
			return opts[i].set(o, value ? value : "", err, errlen) ? -EINVAL : 1;
		}
	return 0;
}

int an_case_opts_takes_value(const char *name)
{
	for (size_t i = 0; i < MB_ARRAY_SIZE(opts); i++)
		if (!strcmp(name, opts[i].name))
			return opts[i].takes_value;
	return 0;
}

int an_case_opts_check(struct an_case_opts *o, const struct trace_hdr *h,
		       char *err, size_t errlen)
{
	int anon_trace = h && h->region_kind == TRACE_REGION_ANON;

	if (o->method == AN_METHOD_ANON || anon_trace) {
		if (o->method != AN_METHOD_ANON && o->method != AN_METHOD_MMAP) {
			snprintf(err, errlen, "method %s needs a file region, but the trace's region is anonymous",
				 an_method_name(o->method));
			return -EINVAL;
		}
		o->method = AN_METHOD_ANON;
		o->cache = AN_CACHE_NONE;
		o->shared = 0;
		o->populate = o->populate ? 1 : 0;
		if (o->direct) {
			snprintf(err, errlen, "--direct applies to read and io_uring, not anonymous memory");
			return -EINVAL;
		}
		return 0;
	}
	if (o->direct && o->method != AN_METHOD_READ && o->method != AN_METHOD_URING) {
		snprintf(err, errlen, "--direct applies to read and io_uring only, not %s",
			 an_method_name(o->method));
		return -EINVAL;
	}
	if (o->direct && o->cache == AN_CACHE_TMPFS) {
		snprintf(err, errlen, "--direct: tmpfs does not support O_DIRECT (cache state tmpfs)");
		return -EINVAL;
	}
	if (o->cache == AN_CACHE_NONE) {
		snprintf(err, errlen, "cache state none is for anonymous regions; method %s reads a file",
			 an_method_name(o->method));
		return -EINVAL;
	}
	if (o->method != AN_METHOD_MMAP && (o->shared || o->populate || o->madv != AN_MADV_NORMAL)) {
		snprintf(err, errlen, "--map/--populate/--madvise apply to mmap only, not %s",
			 an_method_name(o->method));
		return -EINVAL;
	}
	return 0;
}

void an_case_opts_method_str(const struct an_case_opts *o, char *buf, size_t len)
{
	char sz[32];

	switch (o->method) {
	case AN_METHOD_MMAP:
		snprintf(buf, len, "mmap,%s,madv=%s%s", o->shared ? "shared" : "private",
			 an_madv_name(o->madv), o->populate ? ",populate" : "");
		break;
	case AN_METHOD_ANON:
		snprintf(buf, len, "anon,madv=%s%s", an_madv_name(o->madv),
			 o->populate ? ",populate" : "");
		break;
	case AN_METHOD_FREAD:
		if (o->bufsize)
			snprintf(sz, sizeof(sz), "%llu", (unsigned long long)o->bufsize);
		else
			snprintf(sz, sizeof(sz), "default");
		snprintf(buf, len, "fread,buf=%s", sz);
		break;
	case AN_METHOD_URING:
		snprintf(buf, len, "io_uring,qd=%u%s%s%s", o->qd, o->reg_files ? ",regfile" : "",
			 o->reg_bufs ? ",regbuf" : "", o->direct ? ",direct" : "");
		break;
	default:
		snprintf(buf, len, "%s%s", an_method_name(o->method), o->direct ? ",direct" : "");
		break;
	}
}

void an_case_opts_cache_str(const struct an_case_opts *o, char *buf, size_t len)
{
	if (o->cache == AN_CACHE_COLD || o->cache == AN_CACHE_NONE)
		snprintf(buf, len, "%s", an_cache_name(o->cache));
	else
		snprintf(buf, len, "%s:%llu", an_cache_name(o->cache),
			 (unsigned long long)o->cache_req);
}

void an_case_opts_env_str(const struct an_case_opts *o, char *buf, size_t len)
{
	char mem[40] = "", thr[48] = "";

	if (o->mem_limit)
		snprintf(mem, sizeof(mem), "|mem=%llu", (unsigned long long)o->mem_limit);
	if (o->threads > 1)
		snprintf(thr, sizeof(thr), "|threads=%u,split=%s", o->threads, an_split_name(o->split));
	snprintf(buf, len, "%s%s", mem, thr);
}

void an_case_id(const struct an_case_opts *o, const struct trace_hdr *h,
		char *buf, size_t len)
{
	char m[128], c[64], e[96];

	an_case_opts_method_str(o, m, sizeof(m));
	an_case_opts_cache_str(o, c, sizeof(c));
	an_case_opts_env_str(o, e, sizeof(e));
	snprintf(buf, len, "%s@%08llx|%s|%s%s", h->spec,
		 (unsigned long long)(h->hash & 0xffffffffu), m, c, e);
}
