/*
 * traces/trace.h — the mapbench trace (.mtr): a header and a stream of
 * records {op, offset, length} against one region (a file of declared size or
 * anonymous memory). See shared/DESIGN.md "Trace".
 *
 * Invariants every reader enforces (and every writer refuses to break):
 *   - 0 < length <= TRACE_MAX_LEN;
 *   - offset + length <= region_size;
 *   - region_size <= TRACE_MAX_REGION;
 *   - the number of records equals the header's count; the content hash
 *     (xxh64 of the canonical records) matches the header's.
 * Reading and writing stream in bounded memory (one compressed block at a
 * time), whatever the record count.
 */
#ifndef TRACES_TRACE_H
#define TRACES_TRACE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define TRACE_MAGIC "MAPBTRC1"          /* 8 bytes at offset 0 */
#define TRACE_VERSION 1u                 /* format version this build reads and writes */
#define TRACE_MAX_LEN (UINT32_C(1) << 30)       /* 1 GiB per record at most */
#define TRACE_MAX_REGION (UINT64_C(1) << 46)    /* 64 TiB region at most */
#define TRACE_SPEC_MAX 512               /* producer spec, NUL included */

enum trace_op {
	TRACE_OP_READ = 0,  /* bring bytes to the CPU, fold into the checksum */
	TRACE_OP_WRITE = 1, /* store bytes */
	TRACE_OP__COUNT
};

enum trace_region_kind {
	TRACE_REGION_FILE = 0, /* a file of region_size bytes */
	TRACE_REGION_ANON = 1, /* anonymous memory of region_size bytes */
	TRACE_REGION__COUNT
};

/* One access. */
struct trace_rec {
	uint64_t off;  /* byte offset into the region */
	uint32_t len;  /* bytes accessed, 1..TRACE_MAX_LEN */
	uint8_t op;    /* enum trace_op */
};

/* The header, as the reader returns it and the writer takes it. */
struct trace_hdr {
	uint32_t version;           /* TRACE_VERSION */
	uint8_t region_kind;        /* enum trace_region_kind */
	uint64_t region_size;       /* bytes */
	uint64_t nrec;              /* record count (writer fills it) */
	uint64_t hash;              /* xxh64 content hash (writer fills it) */
	char spec[TRACE_SPEC_MAX];  /* generator spec or import source */
};

struct trace_reader;
struct trace_writer;

/*
 * Open a trace for streaming. Binary (.mtr, by magic) and text forms are both
 * accepted. On error returns -errno and writes a message naming the file,
 * the record/field, the value and the limit into err (if non-NULL).
 */
int trace_reader_open(const char *path, struct trace_reader **out,
		      char *err, size_t errlen);
const struct trace_hdr *trace_reader_hdr(const struct trace_reader *r);
/*
 * Read up to max records into recs; *n gets how many (0 at the end).
 * Returns 0 or -errno (corrupt block, record past region, count or hash
 * mismatch at the end); the message is then in trace_reader_error().
 */
int trace_reader_read(struct trace_reader *r, struct trace_rec *recs,
		      size_t max, size_t *n);
/* Restart from the first record (for repeated replays). */
int trace_reader_rewind(struct trace_reader *r);
const char *trace_reader_error(const struct trace_reader *r);
void trace_reader_destroy(struct trace_reader *r);

/*
 * Create a binary trace at path (written to a temp file, renamed into place by
 * trace_writer_close; a destroyed-without-close writer leaves nothing).
 * hdr gives version (0 → TRACE_VERSION), region kind and size and the spec.
 */
int trace_writer_create(const char *path, const struct trace_hdr *hdr,
			struct trace_writer **out, char *err, size_t errlen);
/* Append one record; -EINVAL (with message) if it breaks an invariant. */
int trace_writer_add(struct trace_writer *w, const struct trace_rec *rec);
/* Finish: write the last block, the final header, fsync and rename. */
int trace_writer_close(struct trace_writer *w);
const char *trace_writer_error(const struct trace_writer *w);
/* Abort (removes the temp file) and free; accepts NULL. */
void trace_writer_destroy(struct trace_writer *w);

/* Append n records (stops at the first refused one and returns its error). */
int trace_writer_write(struct trace_writer *w, const struct trace_rec *recs, size_t n);
/* The header being written (nrec and hash are final after a successful close). */
const struct trace_hdr *trace_writer_hdr(const struct trace_writer *w);

/*
 * Text form (see traces/trace_text.c for the grammar): write the header lines
 * of h, or the whole trace r from its current position (call right after open
 * or rewind). trace_reader_open() reads the text form back into the same
 * header and records. Return 0 or -errno (message in trace_reader_error()).
 */
int trace_text_write_hdr(const struct trace_hdr *h, FILE *out);
int trace_text_write(struct trace_reader *r, FILE *out);

/* Record numbers in messages count from 0; text line numbers from 1. */

/* Names: "R"/"W", "file"/"anon". */
const char *trace_op_name(unsigned op);
const char *trace_region_name(unsigned kind);

#endif /* TRACES_TRACE_H */
