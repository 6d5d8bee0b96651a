/*
 * analysis/caseid.h — case identity (shared/DESIGN.md "Case identity"):
 * the options that define a case (method and its options, cache state) parsed
 * from one option table, and the stable readable id that native and model
 * results of the same case share:
 *     <trace spec>@<hash8>|<method and options>|<cache state>
 * e.g. "seq:size=64M,len=4K@1a2b3c4d|mmap,private,madv=normal|warm-read:1M".
 * The profile is not part of the id (it is a field of model cases), so a model
 * case joins its native twin.
 */
#ifndef ANALYSIS_CASEID_H
#define ANALYSIS_CASEID_H

#include <stddef.h>
#include <stdint.h>

#include "traces/trace.h"

enum an_method {
	AN_METHOD_MMAP = 0, /* mmap the file, touch through the mapping */
	AN_METHOD_READ,     /* pread per record (read() when sequential) */
	AN_METHOD_FREAD,    /* stdio fread, fseek when the offset jumps */
	AN_METHOD_URING,    /* io_uring reads, queue depth qd */
	AN_METHOD_ANON,     /* anonymous memory, no file */
	AN_METHOD__COUNT
};

enum an_madv {
	AN_MADV_NORMAL = 0, AN_MADV_RANDOM, AN_MADV_SEQUENTIAL, AN_MADV_WILLNEED,
	AN_MADV_HUGEPAGE, AN_MADV_NOHUGEPAGE, AN_MADV__COUNT
};

enum an_cache {
	AN_CACHE_COLD = 0,    /* fsync + FADV_DONTNEED (+ drop_caches when root) */
	AN_CACHE_WARM_READ,   /* file read sequentially with read() of cache_req bytes */
	AN_CACHE_WARM_WRITE,  /* file written with pwrite() of cache_req bytes */
	AN_CACHE_TMPFS,       /* file on tmpfs (4 KiB pages), written with cache_req */
	AN_CACHE_NONE,        /* anonymous region: no page cache */
	AN_CACHE__COUNT
};

/* How a trace is split over replay threads (--threads N > 1). */
enum an_split {
	AN_SPLIT_BLOCKS = 0,  /* thread t replays records [t*n/N, (t+1)*n/N): contiguous blocks */
	AN_SPLIT_INTERLEAVE,  /* record i goes to thread i mod N */
	AN_SPLIT__COUNT
};

#define AN_THREADS_MAX 64u  /* --threads limit (this harness pins one thread per PU) */

/* Everything that defines a case besides the trace. */
struct an_case_opts {
	enum an_method method;  /* access method */
	int shared;             /* mmap: MAP_SHARED (1) or MAP_PRIVATE (0) */
	enum an_madv madv;      /* mmap/anon: madvise advice */
	int populate;           /* mmap: MAP_POPULATE */
	uint64_t bufsize;       /* fread: setvbuf size, 0 = glibc default */
	unsigned qd;            /* io_uring: queue depth (default 32) */
	int reg_files;          /* io_uring: registered file */
	int reg_bufs;           /* io_uring: registered buffers */
	int direct;             /* read/io_uring: O_DIRECT (page-aligned buffers and I/O) */
	unsigned threads;       /* replay threads (1 = the usual single-thread replay) */
	enum an_split split;    /* how the trace is split over threads (threads > 1) */
	uint64_t mem_limit;     /* memory cgroup limit in bytes for the replay (0 = none) */
	enum an_cache cache;    /* cache state established before each repetition */
	uint64_t cache_req;     /* warm-read request / warm-write write size (bytes) */
	int writes;             /* derived, not an option nor part of the id: the trace holds write
				   records, so mmap maps the file writable (harness and model prescan) */
};

void an_case_opts_default(struct an_case_opts *o);

/*
 * Set one option by name (without "--"): method, map (private|shared),
 * madvise (normal|random|sequential|willneed|hugepage|nohugepage),
 * populate (no value or 0/1), bufsize, qd, reg-files, reg-bufs, direct,
 * threads (1..AN_THREADS_MAX), split (blocks|interleave), mem-limit (SIZE, 0 = none),
 * cache (cold|warm-read[:SIZE]|warm-write[:SIZE]|tmpfs[:SIZE]|none).
 * Returns 1 if name is a case option and was set, 0 if name is not a case
 * option, -EINVAL (message in err naming option, value, allowed values).
 */
int an_case_opts_set(struct an_case_opts *o, const char *name, const char *value,
		     char *err, size_t errlen);
/* Does option `name` take a value? (populate, reg-files, reg-bufs do not.) */
int an_case_opts_takes_value(const char *name);
/* Check consistency (e.g. anon method needs an anon trace or cache none). */
int an_case_opts_check(struct an_case_opts *o, const struct trace_hdr *h,
		       char *err, size_t errlen);
/* Help text for the case options, one per line. */
extern const char an_case_opts_help[];

/* Canonical strings. */
const char *an_method_name(enum an_method m);
int an_method_parse(const char *s, enum an_method *out);
const char *an_madv_name(enum an_madv a);
const char *an_cache_name(enum an_cache c);
const char *an_split_name(enum an_split s);
/* "mmap,private,madv=normal[,populate]" etc. */
void an_case_opts_method_str(const struct an_case_opts *o, char *buf, size_t len);
/* "cold" / "warm-read:1M" / ... */
void an_case_opts_cache_str(const struct an_case_opts *o, char *buf, size_t len);
/* The optional tail "|mem=BYTES|threads=N,split=S": each part only when it is
 * not the default (no limit; one thread), so ids of older cases are unchanged.
 * Empty string when both are default. */
void an_case_opts_env_str(const struct an_case_opts *o, char *buf, size_t len);
/* The full id (see above), with the env tail when present:
 *     <trace spec>@<hash8>|<method>|<cache>[|mem=BYTES][|threads=N,split=S] */
void an_case_id(const struct an_case_opts *o, const struct trace_hdr *h,
		char *buf, size_t len);

#endif /* ANALYSIS_CASEID_H */
