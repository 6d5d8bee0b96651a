/*
 * bench/acc.h — the access-method interface of the native harness (internal):
 * one ops table per method (acc_mmap.c, acc_read.c, acc_fread.c, acc_uring.c,
 * acc_anon.c), the explicit list of them (acc.c), the checksum fold and the
 * deterministic data pattern every method shares.
 *
 * Checksum (identical for every method, chunking and completion order):
 *     sum = Σ over every byte read, mod 2^64, of  byte << 8·(offset mod 8)
 * i.e. the wrapping sum of the little-endian 64-bit words of the bytes read,
 * with bytes outside a record counted as zero. It is additive, so a record
 * folded in pieces (short reads, stdio buffers, io_uring completions out of
 * order) gives the same value; re-reading a byte counts it again. Written
 * bytes are not folded.
 *
 * Pattern: byte at offset o is byte (o mod 8) of the little-endian word
 * acc_pattern_word(o / 8). Data files hold it; writes store it (so a file
 * stays byte-identical after any write trace, and reads after writes fold the
 * same values whatever the method). Anonymous memory starts as zeros.
 *
 * Invariant: a method's replay() folds exactly the bytes of its READ records
 * into ctx->sum and stores the pattern for its WRITE records; replay() may
 * leave I/O in flight, drain() completes it (both inside the access phase).
 *
 * Runs: a method whose ops say merge_runs (the mapping methods) gets each
 * chunk with every run of contiguous word-aligned READ records (offset and
 * length multiples of 8) merged into one record of their summed length
 * (acc_runs_merge, done by the runner while the clock is stopped, like
 * decoding). Through a mapping that is the same work: the same bytes are
 * touched in the same order, the fold is additive, and no page is touched
 * that the records did not touch; only the per-record bookkeeping between
 * the loads disappears, as in a hand-written loop over the span. Unaligned
 * or tiny records (the 1-byte seed experiment) and writes stay one record
 * each, as before merging existed. Methods that issue one call per record
 * (read, fread, io_uring) never get merged records: their per-record cost
 * is what they measure.
 */
#ifndef BENCH_ACC_H
#define BENCH_ACC_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "analysis/caseid.h"
#include "traces/trace.h"

#define ACC_PATTERN_SEED UINT64_C(0x6d6170626e636831) /* "mapbnch1"; bump = new data version */

/* splitmix64 of the word index: the content of word i of every data file. */
static inline uint64_t acc_pattern_word(uint64_t i)
{
	uint64_t z = i + ACC_PATTERN_SEED + UINT64_C(0x9e3779b97f4a7c15);

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* Byte at offset off of the pattern. */
static inline unsigned char acc_pattern_byte(uint64_t off)
{
	return (unsigned char)(acc_pattern_word(off >> 3) >> ((off & 7) * 8));
}

/* Fill dst with the pattern bytes of [off, off+len). */
static inline void acc_pattern_fill(unsigned char *dst, uint64_t off, size_t len)
{
	while (len && (off & 7)) {
		*dst++ = acc_pattern_byte(off++);
		len--;
	}
	for (; len >= 8; len -= 8, off += 8, dst += 8) {
		uint64_t w = acc_pattern_word(off >> 3);
		memcpy(dst, &w, 8);
	}
	while (len--)
		*dst++ = acc_pattern_byte(off++);
}

/*
 * The replay loops are not instrumented by AddressSanitizer: its shadow-memory
 * accesses would add page faults of their own to the counts being measured.
 */
#if defined(__SANITIZE_ADDRESS__)
#define ACC_NO_ASAN __attribute__((no_sanitize_address))
#else
#define ACC_NO_ASAN
#endif

/* The fold of the bytes p[0..len) that live at region offset off. */
ACC_NO_ASAN static inline uint64_t acc_fold(const unsigned char *p, uint64_t off, size_t len)
{
	uint64_t s = 0;

	while (len && (off & 7)) {
		s += (uint64_t)*p++ << ((off & 7) * 8);
		off++;
		len--;
	}
	size_t nw = len >> 3;
	for (size_t i = 0; i < nw; i++) {
		uint64_t w;
		memcpy(&w, p + 8 * i, 8);
		s += w;
	}
	p += nw * 8;
	len &= 7;
	for (size_t i = 0; i < len; i++)
		s += (uint64_t)p[i] << (i * 8);
	return s;
}

/*
 * The fold of len bytes at p whose region offset is a multiple of 8: whole
 * 64-byte blocks through acc_fold with the offset's low bits (zero) as a
 * constant, i.e. the very loop a minimal hand-written replay compiles to
 * (vectorised), then the tail. Equal to acc_fold(p, off, len) for off % 8 == 0.
 */
ACC_NO_ASAN static inline uint64_t acc_fold_aligned(const unsigned char *restrict p, uint64_t len)
{
	uint64_t s = 0, k = 0;

	for (; k + 64 <= len; k += 64)
		s += acc_fold(p + k, 0, 64);
	return s + acc_fold(p + k, 0, (size_t)(len - k));
}

/* Everything one repetition of one method needs; owned by the runner. */
struct acc_ctx {
	/* set by the runner before open() */
	const struct an_case_opts *opts; /* case options (method, madvise, qd, ...) */
	const char *path;       /* data file; NULL for anonymous regions */
	uint64_t region;        /* region bytes (file size) */
	uint32_t maxlen;        /* longest record of the trace */
	int sequential;         /* each record starts where the previous ended */
	int writes;             /* the trace has WRITE records */
	/* method state */
	int fd;                 /* data file descriptor, -1 when none */
	unsigned char *base;    /* mapping of the region (mmap, anon) */
	size_t map_len;         /* bytes mapped at base (anon may over-reserve) */
	void *map_raw;          /* what munmap must get (anon alignment trim) */
	FILE *fp;               /* fread stream */
	unsigned char *buf;     /* user buffer (read, fread), maxlen bytes */
	unsigned char *wbuf;    /* pattern bytes for write records */
	uint64_t pos;           /* file/stream position the method tracks */
	int last_op;            /* fread: op of the previous record, -1 at start */
	void *priv;             /* method-private state (io_uring ring) */
	/* results */
	uint64_t sum;           /* checksum (fold above) */
	uint64_t bytes_read;    /* bytes folded */
	uint64_t bytes_written; /* bytes stored */
	long pte_base_kb;       /* VmPTE (KiB) right before the region's mmap; -1 = not taken (pt.bytes) */
	uint64_t bytes_extra;   /* O_DIRECT: bytes transferred beyond the records' own (alignment widening) */
	char err[256];          /* message when a callback fails */
};

/* A method: fio-like engine table. */
struct acc_ops {
	const char *name;          /* an_method_name() of method */
	enum an_method method;     /* which method this is */
	int needs_file;            /* 1: replays a data file; 0: anonymous region */
	int merge_runs;            /* 1: replay() takes contiguous same-op records merged (see Runs) */
	/* setup phase (timed as setup_ns): open, mmap, madvise, buffers. 0 or -errno. */
	int (*open)(struct acc_ctx *c);
	/* access phase: n records in trace order. 0 or -errno (message in c->err). */
	int (*replay)(struct acc_ctx *c, const struct trace_rec *r, size_t n);
	/* access phase end: complete in-flight I/O (NULL: nothing to do). */
	int (*drain)(struct acc_ctx *c);
	/* after the access phase: unmap, close, free. Safe after a failed open. */
	void (*close)(struct acc_ctx *c);
	/*
	 * --threads N (threads.c): make replay thread t's state from the opened
	 * c, in the set-up phase: t shares c's mapping (mmap, anon: one mm) or
	 * fd (read, io_uring: pread-style positioned I/O, one open file) and gets
	 * its own buffers and, for io_uring, its own ring. 0 or -errno (message
	 * in t->err). NULL: the method refuses threads (fread: see there).
	 */
	int (*thread_open)(struct acc_ctx *t, const struct acc_ctx *c);
	/* undo thread_open (never closes the shared fd or mapping); safe after a failed one */
	void (*thread_close)(struct acc_ctx *t);
	/* thread_open == NULL: why the method refuses --threads */
	const char *no_threads;
};

extern const struct acc_ops acc_mmap_ops, acc_read_ops, acc_fread_ops, acc_anon_ops;
#if HAVE_LIBURING
extern const struct acc_ops acc_uring_ops;
#endif

/* The explicit list of methods, NULL-terminated (acc.c). */
extern const struct acc_ops *const acc_methods[];
/* Method by enum; NULL if not built (io_uring without liburing). */
const struct acc_ops *acc_find(enum an_method m);

/*
 * Merge, in place, every run of contiguous word-aligned READ records in
 * r[0..n) into one record (merged lengths stay below UINT32_MAX); returns the
 * new count. The bytes covered, their order and the fold are unchanged.
 */
size_t acc_runs_merge(struct trace_rec *r, size_t n);
/* Append *rec to out[0..n), merged into out[n-1] by the same rule; returns the new count. */
static inline size_t acc_run_push(struct trace_rec *out, size_t n, const struct trace_rec *rec)
{
	struct trace_rec *last = n ? &out[n - 1] : NULL;

	if (last && last->op == TRACE_OP_READ && rec->op == TRACE_OP_READ &&
	    last->off + last->len == rec->off && ((last->off | last->len | rec->len) & 7) == 0 &&
	    (uint64_t)last->len + rec->len <= UINT32_MAX - 7) {
		last->len += rec->len;
		return n;
	}
	out[n] = *rec;
	return n + 1;
}
/* Shared by mmap and anon: the thread's view of the one mapping (thread_open / thread_close). */
int acc_mem_thread_open(struct acc_ctx *t, const struct acc_ctx *c);
void acc_mem_thread_close(struct acc_ctx *t);
/* Shared by mmap and anon: fold/store records through a mapping at base. */
ACC_NO_ASAN void acc_mem_replay(struct acc_ctx *c, const struct trace_rec *restrict r, size_t n);
/* Store the pattern of [off, off+len) at p (mapping writes). */
ACC_NO_ASAN void acc_pattern_store(unsigned char *p, uint64_t off, size_t len);
/* VmPTE of this process in KiB, or -1. */
long acc_vmpte_kb(void);
/*
 * mmap(len, prot, flags, fd) at the start of a 512 GiB-aligned slot no other
 * mapping touches, so the page tables the replay allocates (pt.bytes) are the
 * same on every run and equal the model's. *pte_base_kb gets VmPTE read
 * immediately before the mmap call that succeeded (-1 if unreadable).
 * MAP_FAILED with a message in err.
 */
void *acc_map_fresh(size_t len, int prot, int flags, int fd, long *pte_base_kb, char *err,
		    size_t errlen);
/* Make ctx->wbuf hold maxlen bytes for write records (pattern per record). */
int acc_wbuf_alloc(struct acc_ctx *c);

/*
 * O_DIRECT (case option direct, methods read and io_uring). Every transfer
 * is widened to the aligned span that covers the record: offset rounded down
 * and end rounded up to ACC_DIRECT_ALIGN (4 KiB: the page size, a multiple
 * of every logical block size this harness meets), into page-aligned
 * buffers. Only the record's own bytes are folded and counted in
 * bytes_read / bytes_written; the widening goes to bytes_extra
 * (metric direct.extra_bytes). A buffer for a record of at most maxlen bytes
 * needs acc_direct_buf_bytes(maxlen): the span can straddle one more block.
 */
#define ACC_DIRECT_ALIGN UINT64_C(4096)

static inline uint64_t acc_direct_lo(uint64_t off)
{
	return off & ~(ACC_DIRECT_ALIGN - 1);
}
static inline uint64_t acc_direct_hi(uint64_t end)
{
	return (end + ACC_DIRECT_ALIGN - 1) & ~(ACC_DIRECT_ALIGN - 1);
}
static inline size_t acc_direct_buf_bytes(uint32_t maxlen)
{
	return (size_t)acc_direct_hi(maxlen ? maxlen : 1) + (size_t)ACC_DIRECT_ALIGN;
}
/*
 * Open c->path into c->fd: read-only, or read-write when the trace writes;
 * with O_DIRECT when c->opts->direct. Direct I/O is refused with a message
 * naming the file system and the path on tmpfs/ramfs (Linux >= 6.6 tmpfs
 * accepts O_DIRECT but serves it from the page cache: no device I/O to
 * measure) and where open() says EINVAL (a file system without O_DIRECT).
 * 0 or -errno, message in c->err.
 */
int acc_open_file(struct acc_ctx *c);
/* The tmpfs/ramfs refusal of acc_open_file alone (path: the data file); 0 or -EINVAL + message. */
int acc_direct_check(const char *path, char *err, size_t len);

#endif /* BENCH_ACC_H */
