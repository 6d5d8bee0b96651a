/*
 * traces/trace_int.h — internals shared by the trace sources (trace.c binary
 * format, trace_text.c text form): the reader object, the canonical record
 * form the content hash is computed over, and small formatting helpers.
 * Not part of the public API; nothing outside traces/ includes it.
 *
 * Canonical record (what the content hash covers, independent of encoding):
 * two little-endian 64-bit words per record, w0 = offset,
 * w1 = length | op << 32. The content hash is XXH64 (seed 0) over the
 * concatenation of all canonical records, in order.
 */
#ifndef TRACES_TRACE_INT_H
#define TRACES_TRACE_INT_H

#include <stdint.h>
#include <stdio.h>

#include <xxhash.h>
#include <zstd.h>

#include "traces/trace.h"

#define TRACE_ERR_MAX 512            /* bytes kept of one error message */
#define TRACE_BLOCK_RECS (1u << 16)  /* records per block the writer emits (and max the reader accepts) */
#define TRACE_ENC_MAX 15             /* worst-case encoded bytes of one record (two varints) */
#define TRACE_HDR_SIZE 576           /* bytes of the v1 binary header */
#define TRACE_BLKHDR_SIZE 24         /* bytes of one block header */

struct trace_reader_ops;

/* A streaming reader of either form (binary or text). */
struct trace_reader {
	const struct trace_reader_ops *ops; /* form-specific read/rewind/free */
	struct trace_hdr hdr;               /* header as validated at open */
	char path[4096];                    /* file name, for messages */
	char err[TRACE_ERR_MAX];            /* last error message */
	int failed;                         /* sticky error code (-errno) once reading failed */
	int done;                           /* end reached and verified */
	FILE *fp;                           /* the open file */
	uint64_t recno;                     /* records decoded so far (index of the next one) */
	XXH64_state_t *xs;                  /* running content hash */
	/* binary form */
	long data_off;                      /* file offset of the first block */
	ZSTD_DCtx *dctx;                    /* decompression context */
	uint8_t *cbuf;                      /* compressed payload of the current block */
	size_t ccap;                        /* capacity of cbuf */
	uint8_t *rbuf;                      /* raw (decompressed) payload, zero-padded */
	size_t rcap;                        /* capacity of rbuf */
	uint64_t *canon;                    /* decoded block, canonical form, 2 words per record */
	size_t blk_n;                       /* records in the decoded block */
	size_t blk_pos;                     /* next record of the decoded block to hand out */
	uint64_t blkno;                     /* index of the next block to read */
	/* text form */
	char *line;                         /* getline buffer */
	size_t linecap;                     /* its capacity */
	uint64_t lineno;                    /* line number of the last line read (1-based) */
	long text_body_off;                 /* file offset of the first line after the header */
	uint64_t text_body_line;            /* line number before the first body line */
};

/* Form-specific operations of a reader. */
struct trace_reader_ops {
	const char *name;                                  /* "binary" or "text" */
	int (*read)(struct trace_reader *r, struct trace_rec *recs, size_t max, size_t *n);
	int (*rewind)(struct trace_reader *r);             /* back to record 0 */
};

/* Set r->err (printf style, prefixed "<path>: ") and return err. */
int trace_reader_fail(struct trace_reader *r, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Open the text form: fp positioned at 0, r->path set. Fills r->hdr (records
 * and hash computed by a validating pre-scan). */
int trace_text_open(struct trace_reader *r);

/* Check one record against the invariants of trace.h; on failure write a
 * message naming the record number, the value and the limit into err. */
int trace_rec_check(const struct trace_rec *rec, uint64_t region_size, uint64_t recno,
		    char *err, size_t errlen);

/* Write a size as exact "64M"/"4K"/"3G" when it is a multiple of a binary
 * unit, else as decimal bytes. Returns buf. */
const char *trace_fmt_size_exact(uint64_t v, char *buf, size_t len);

/* Little-endian stores and loads. */
static inline void trace_put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}
static inline void trace_put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}
static inline uint32_t trace_get_le32(const uint8_t *p)
{
	uint32_t v = 0;
	for (int i = 0; i < 4; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}
static inline uint64_t trace_get_le64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* Convert canonical words (host order) to little-endian in place for hashing. */
static inline void trace_canon_to_le(uint64_t *w, size_t nwords)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	for (size_t i = 0; i < nwords; i++)
		w[i] = __builtin_bswap64(w[i]);
#else
	(void)w;
	(void)nwords;
#endif
}

#endif /* TRACES_TRACE_INT_H */
