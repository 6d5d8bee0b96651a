/*
 * traces/trace.c — the binary trace format (.mtr): streaming writer and
 * reader, plus the reader entry point that autodetects binary or text.
 *
 * File layout, version 1, all integers little-endian:
 *   header, 576 bytes:
 *     0   magic "MAPBTRC1"          8 bytes
 *     8   version (1)               u32
 *     12  header size (576)         u32
 *     16  region kind               u32   enum trace_region_kind
 *     20  records per block (max)   u32   65536
 *     24  region size               u64   bytes, 1..TRACE_MAX_REGION
 *     32  record count              u64
 *     40  content hash              u64   XXH64 of the canonical records (trace_int.h)
 *     48  spec length               u32   bytes before the NUL, < TRACE_SPEC_MAX
 *     52  reserved (0)              u32
 *     56  spec                      512 bytes, NUL-padded
 *     568 header hash               u64   XXH64 of bytes 0..567
 *   then blocks until end of file, each:
 *     block header, 24 bytes: records u32 (1..65536), raw length u32,
 *       compressed length u32, flags u32 (0), XXH64 of the compressed payload u64;
 *     payload: zstd frame of the raw block.
 *   raw block: one byte k (0..30, the block's common alignment: every offset
 *   and length of the block is a multiple of 2^k), then per record, in units
 *   of 2^k bytes, with prev_end/prev_len starting at 0 in every block:
 *     varint tag = zigzag(off - prev_end) << 2 | (len == prev_len) << 1 | op
 *     varint len                       only when len != prev_len
 *   (LEB128 varints.) Sequential traces encode as 1 byte/record before zstd;
 *   uniform 64-byte reads over 1 GiB as 4 bytes/record.
 *
 * Invariants: the writer never emits a record that breaks trace.h's rules and
 * never leaves a partial file at the final path (temp file + rename, header
 * rewritten with count and hash last). The reader checks every byte it uses:
 * header hash, block payload hash, zstd frame size, every decoded record, the
 * record count and the content hash at the end. Memory is bounded by one
 * block, whatever the record count.
 */
#include "traces/trace.h"
#include "traces/trace_int.h"
#include "common/mb.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static const char magic[8] = TRACE_MAGIC;

_Static_assert(sizeof(struct trace_rec) == 16 && offsetof(struct trace_rec, len) == 8 &&
	       offsetof(struct trace_rec, op) == 12,
	       "struct trace_rec has the layout of a canonical record (two LE words)");

#define RAW_PAD 32 /* zero bytes after a raw block: varint reads never need bounds checks */

/* Largest raw block a valid writer can produce. */
static size_t raw_max(void)
{
	return 1 + (size_t)TRACE_BLOCK_RECS * TRACE_ENC_MAX;
}

const char *trace_op_name(unsigned op)
{
	static const char *const names[TRACE_OP__COUNT] = { "R", "W" };
	return op < TRACE_OP__COUNT ? names[op] : "?";
}

const char *trace_region_name(unsigned kind)
{
	static const char *const names[TRACE_REGION__COUNT] = { "file", "anon" };
	return kind < TRACE_REGION__COUNT ? names[kind] : "?";
}

const char *trace_fmt_size_exact(uint64_t v, char *buf, size_t len)
{
	static const char suf[] = "KMGTP";
	int u = -1;

	while (v && u + 1 < (int)sizeof(suf) - 1 && v % ((uint64_t)1 << (10 * (u + 2))) == 0)
		u++;
	if (u < 0)
		snprintf(buf, len, "%" PRIu64, v);
	else
		snprintf(buf, len, "%" PRIu64 "%c", v >> (10 * (u + 1)), suf[u]);
	return buf;
}

int trace_rec_check(const struct trace_rec *rec, uint64_t region_size, uint64_t recno,
		    char *err, size_t errlen)
{
	if (rec->op >= TRACE_OP__COUNT) {
		snprintf(err, errlen, "record %" PRIu64 ": op %u unknown (0 read, 1 write)", recno, rec->op);
		return -EINVAL;
	}
	if (rec->len == 0 || rec->len > TRACE_MAX_LEN) {
		snprintf(err, errlen, "record %" PRIu64 ": length %" PRIu32 " outside 1..%" PRIu32,
			 recno, rec->len, TRACE_MAX_LEN);
		return -EINVAL;
	}
	if (rec->off > region_size || rec->len > region_size - rec->off) {
		snprintf(err, errlen, "record %" PRIu64 ": offset 0x%" PRIx64 " + length %" PRIu32
			 " beyond region size %" PRIu64, recno, rec->off, rec->len, region_size);
		return -EINVAL;
	}
	return 0;
}

/* Check a header a writer is given or a reader found. */
static int hdr_check(const struct trace_hdr *h, char *err, size_t errlen)
{
	if (h->region_kind >= TRACE_REGION__COUNT) {
		snprintf(err, errlen, "region kind %u unknown (0 file, 1 anon)", h->region_kind);
		return -EINVAL;
	}
	if (h->region_size == 0 || h->region_size > TRACE_MAX_REGION) {
		snprintf(err, errlen, "region size %" PRIu64 " outside 1..%" PRIu64,
			 h->region_size, TRACE_MAX_REGION);
		return -EINVAL;
	}
	size_t sl = strnlen(h->spec, TRACE_SPEC_MAX);
	if (sl >= TRACE_SPEC_MAX) {
		snprintf(err, errlen, "spec longer than %d bytes", TRACE_SPEC_MAX - 1);
		return -EINVAL;
	}
	for (size_t i = 0; i < sl; i++)
		if ((unsigned char)h->spec[i] < 0x20 || h->spec[i] == 0x7f) {
			snprintf(err, errlen, "spec byte %zu is control character 0x%02x", i,
				 (unsigned char)h->spec[i]);
			return -EINVAL;
		}
	return 0;
}

static void hdr_encode(const struct trace_hdr *h, uint8_t b[TRACE_HDR_SIZE])
{
	size_t sl = strnlen(h->spec, TRACE_SPEC_MAX - 1);

	memset(b, 0, TRACE_HDR_SIZE);
	memcpy(b, magic, 8);
	trace_put_le32(b + 8, TRACE_VERSION);
	trace_put_le32(b + 12, TRACE_HDR_SIZE);
	trace_put_le32(b + 16, h->region_kind);
	trace_put_le32(b + 20, TRACE_BLOCK_RECS);
	trace_put_le64(b + 24, h->region_size);
	trace_put_le64(b + 32, h->nrec);
	trace_put_le64(b + 40, h->hash);
	trace_put_le32(b + 48, (uint32_t)sl);
	memcpy(b + 56, h->spec, sl);
	trace_put_le64(b + 568, XXH64(b, 568, 0));
}

/* ---------------------------------------------------------------- varints */

static inline uint8_t *put_varint(uint8_t *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

/* Read a LEB128 varint; sets *bad if longer than 10 bytes. The buffer is
 * zero-padded, so reads past the payload end stop in the padding and are
 * caught by the caller's end check. */
static inline uint64_t get_varint(const uint8_t **pp, int *bad)
{
	const uint8_t *p = *pp;
	uint64_t b = *p++, v;
	unsigned s = 7;

	if (b < 0x80) {
		*pp = p;
		return b;
	}
	v = b & 0x7f;
	do {
		b = *p++;
		v |= (b & 0x7f) << s;
		s += 7;
	} while ((b & 0x80) && s < 70);
	if (b & 0x80)
		*bad = 1;
	*pp = p;
	return v;
}

/* ------------------------------------------------------------------ writer */

struct trace_writer {
	struct trace_hdr hdr;        /* header; nrec and hash filled at close */
	struct mb_atomic at;         /* temp file, renamed at close */
	int open;                    /* the temp file exists */
	int failed;                  /* sticky error (-errno) */
	char err[TRACE_ERR_MAX];     /* last error message */
	uint64_t *canon;             /* current block, canonical form, 2 words per record */
	size_t blk_n;                /* records in the current block */
	uint8_t *rbuf;               /* encoded raw block */
	uint8_t *cbuf;               /* compressed block */
	size_t ccap;                 /* capacity of cbuf */
	ZSTD_CCtx *cctx;             /* compression context */
	XXH64_state_t *xs;           /* running content hash */
	uint64_t nrec;               /* records written so far */
};

static int wfail(struct trace_writer *w, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int wfail(struct trace_writer *w, int err, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(w->err, sizeof(w->err), "%s: ", w->at.path);
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < sizeof(w->err))
		vsnprintf(w->err + n, sizeof(w->err) - (size_t)n, fmt, ap);
	va_end(ap);
	return err;
}

int trace_writer_create(const char *path, const struct trace_hdr *hdr,
			struct trace_writer **out, char *err, size_t errlen)
{
	struct trace_writer *w;
	char msg[256];
	uint8_t hb[TRACE_HDR_SIZE];
	int ret;

	*out = NULL;
	if (hdr->version != 0 && hdr->version != TRACE_VERSION) {
		snprintf(err, errlen, "%s: cannot write format version %u (this build writes %u)",
			 path, hdr->version, TRACE_VERSION);
		return -ENOTSUP;
	}
	if ((ret = hdr_check(hdr, msg, sizeof(msg)))) {
		snprintf(err, errlen, "%s: %s", path, msg);
		return ret;
	}
	w = calloc(1, sizeof(*w));
	if (!w)
		goto nomem;
	w->hdr = *hdr;
	w->hdr.version = TRACE_VERSION;
	w->hdr.nrec = 0;
	w->hdr.hash = 0;
	w->ccap = ZSTD_compressBound(raw_max());
	w->canon = malloc(sizeof(uint64_t) * 2 * TRACE_BLOCK_RECS);
	w->rbuf = malloc(raw_max());
	w->cbuf = malloc(w->ccap);
	w->cctx = ZSTD_createCCtx();
	w->xs = XXH64_createState();
	if (!w->canon || !w->rbuf || !w->cbuf || !w->cctx || !w->xs)
		goto free_w;
	XXH64_reset(w->xs, 0);
	/* level 3: zstd's default; decode speed barely depends on it */
	ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_compressionLevel, 3);
	ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_checksumFlag, 0);
	ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_contentSizeFlag, 1);
	if ((ret = mb_atomic_open(&w->at, path))) {
		snprintf(err, errlen, "%s: cannot create temp file: %s", path, strerror(-ret));
		trace_writer_destroy(w);
		return ret;
	}
	w->open = 1;
	hdr_encode(&w->hdr, hb);
	if (fwrite(hb, 1, sizeof(hb), w->at.fp) != sizeof(hb)) {
		ret = errno ? -errno : -EIO;
		snprintf(err, errlen, "%s: write header: %s", path, strerror(-ret));
		trace_writer_destroy(w);
		return ret;
	}
	*out = w;
	return 0;
free_w:
	trace_writer_destroy(w);
nomem:
	snprintf(err, errlen, "%s: out of memory", path);
	return -ENOMEM;
}

/* Encode the current block (canonical form) into w->rbuf; returns raw length. */
static size_t block_encode(const uint64_t *canon, size_t n, uint8_t *rbuf)
{
	uint64_t orv = 0, prev_end = 0, prev_len = 0;
	unsigned k;
	uint8_t *p = rbuf;

	for (size_t i = 0; i < n; i++)
		orv |= canon[2 * i] | (canon[2 * i + 1] & 0xffffffffu);
	k = (unsigned)__builtin_ctzll(orv); /* orv != 0: lengths are >= 1 */
	if (k > 30)
		k = 30;
	*p++ = (uint8_t)k;
	for (size_t i = 0; i < n; i++) {
		uint64_t ou = canon[2 * i] >> k;
		uint64_t lu = (canon[2 * i + 1] & 0xffffffffu) >> k;
		uint64_t op = canon[2 * i + 1] >> 32;
		int64_t d = (int64_t)(ou - prev_end);
		uint64_t zz = ((uint64_t)d << 1) ^ (uint64_t)(d >> 63);
		uint64_t tag = zz << 2 | (uint64_t)(lu == prev_len) << 1 | op;

		p = put_varint(p, tag);
		if (lu != prev_len)
			p = put_varint(p, lu);
		prev_end = ou + lu;
		prev_len = lu;
	}
	return (size_t)(p - rbuf);
}

static int block_flush(struct trace_writer *w)
{
	uint8_t bh[TRACE_BLKHDR_SIZE];
	size_t raw, comp;

	if (!w->blk_n)
		return 0;
	trace_canon_to_le(w->canon, 2 * w->blk_n);
	XXH64_update(w->xs, w->canon, sizeof(uint64_t) * 2 * w->blk_n);
	trace_canon_to_le(w->canon, 2 * w->blk_n);
	raw = block_encode(w->canon, w->blk_n, w->rbuf);
	comp = ZSTD_compress2(w->cctx, w->cbuf, w->ccap, w->rbuf, raw);
	if (ZSTD_isError(comp))
		return wfail(w, -EIO, "zstd compression of block at record %" PRIu64 ": %s",
			     w->nrec - w->blk_n, ZSTD_getErrorName(comp));
	trace_put_le32(bh, (uint32_t)w->blk_n);
	trace_put_le32(bh + 4, (uint32_t)raw);
	trace_put_le32(bh + 8, (uint32_t)comp);
	trace_put_le32(bh + 12, 0);
	trace_put_le64(bh + 16, XXH64(w->cbuf, comp, 0));
	if (fwrite(bh, 1, sizeof(bh), w->at.fp) != sizeof(bh) ||
	    fwrite(w->cbuf, 1, comp, w->at.fp) != comp)
		return wfail(w, errno ? -errno : -EIO, "write block: %s", strerror(errno ? errno : EIO));
	w->blk_n = 0;
	return 0;
}

int trace_writer_add(struct trace_writer *w, const struct trace_rec *rec)
{
	char msg[256];
	int ret;

	if (w->failed)
		return w->failed;
	if ((ret = trace_rec_check(rec, w->hdr.region_size, w->nrec, msg, sizeof(msg)))) {
		wfail(w, ret, "%s", msg);
		return ret; /* the record is refused; the writer stays usable */
	}
	w->canon[2 * w->blk_n] = rec->off;
	w->canon[2 * w->blk_n + 1] = rec->len | (uint64_t)rec->op << 32;
	w->blk_n++;
	w->nrec++;
	if (w->blk_n == TRACE_BLOCK_RECS && (ret = block_flush(w)))
		w->failed = ret;
	return ret;
}

int trace_writer_write(struct trace_writer *w, const struct trace_rec *recs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int ret = trace_writer_add(w, &recs[i]);
		if (ret)
			return ret;
	}
	return 0;
}

int trace_writer_close(struct trace_writer *w)
{
	uint8_t hb[TRACE_HDR_SIZE];
	int ret;

	if (w->failed)
		return w->failed;
	if ((ret = block_flush(w)))
		return w->failed = ret;
	w->hdr.nrec = w->nrec;
	w->hdr.hash = XXH64_digest(w->xs);
	hdr_encode(&w->hdr, hb);
	if (fseek(w->at.fp, 0, SEEK_SET) || fwrite(hb, 1, sizeof(hb), w->at.fp) != sizeof(hb))
		return w->failed = wfail(w, errno ? -errno : -EIO, "rewrite header: %s",
					 strerror(errno ? errno : EIO));
	w->open = 0;
	if ((ret = mb_atomic_commit(&w->at)))
		return w->failed = wfail(w, ret, "commit (fsync/rename): %s", strerror(-ret));
	return 0;
}

const char *trace_writer_error(const struct trace_writer *w)
{
	return w->err;
}

const struct trace_hdr *trace_writer_hdr(const struct trace_writer *w)
{
	return &w->hdr;
}

void trace_writer_destroy(struct trace_writer *w)
{
	if (!w)
		return;
	if (w->open)
		mb_atomic_abort(&w->at);
	free(w->canon);
	free(w->rbuf);
	free(w->cbuf);
	ZSTD_freeCCtx(w->cctx);
	if (w->xs)
		XXH64_freeState(w->xs);
	free(w);
}

/* ------------------------------------------------------------------ reader */

int trace_reader_fail(struct trace_reader *r, int err, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(r->err, sizeof(r->err), "%s: ", r->path);
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < sizeof(r->err))
		vsnprintf(r->err + n, sizeof(r->err) - (size_t)n, fmt, ap);
	va_end(ap);
	r->failed = err;
	return err;
}

/* End of the blocks: the count and the content hash must match the header. */
static int bin_finish(struct trace_reader *r)
{
	uint64_t h = XXH64_digest(r->xs);

	if (r->recno != r->hdr.nrec)
		return trace_reader_fail(r, -EBADMSG, "record count mismatch: file ends after %" PRIu64
					 " records, header says %" PRIu64 " (truncated?)",
					 r->recno, r->hdr.nrec);
	if (h != r->hdr.hash)
		return trace_reader_fail(r, -EBADMSG, "content hash mismatch: records hash to 0x%016" PRIx64
					 ", header says 0x%016" PRIx64, h, r->hdr.hash);
	r->done = 1;
	return 0;
}

/* Decode raw block rbuf[0..raw) of n records into r->canon, checking each. */
static int block_decode(struct trace_reader *r, size_t raw, size_t n)
{
	const uint8_t *p = r->rbuf + 1, *end = r->rbuf + raw;
	unsigned k = r->rbuf[0];
	uint64_t prev_end = 0, prev_len = 0, lim, maxlu, lim_lu = 0, word1 = 0;
	uint64_t *c = r->canon;
	int bad = 0;

	if (k > 30)
		return trace_reader_fail(r, -EBADMSG, "block %" PRIu64 ": alignment shift %u beyond limit 30",
					 r->blkno, k);
	lim = r->hdr.region_size >> k;
	maxlu = TRACE_MAX_LEN >> k;
	for (size_t i = 0; i < n; i++) {
		uint64_t tag = get_varint(&p, &bad);
		uint64_t zz, ou;

		if (!(tag & 2)) {
			uint64_t lu = get_varint(&p, &bad);
			if (__builtin_expect(lu - 1 >= maxlu, 0)) /* lu == 0 wraps */
				return trace_reader_fail(r, -EINVAL, "record %" PRIu64 ": length %" PRIu64
							 " outside 1..%" PRIu32, r->recno + i, lu << k, TRACE_MAX_LEN);
			if (__builtin_expect(lu > lim, 0))
				return trace_reader_fail(r, -EINVAL, "record %" PRIu64 ": length %" PRIu64
							 " beyond region size %" PRIu64, r->recno + i, lu << k,
							 r->hdr.region_size);
			prev_len = lu;
			lim_lu = lim - lu;
			word1 = lu << k;
		} else if (__builtin_expect(prev_len == 0, 0)) {
			return trace_reader_fail(r, -EINVAL, "record %" PRIu64 ": length 0 (same as no"
						 " previous record) outside 1..%" PRIu32, r->recno + i, TRACE_MAX_LEN);
		}
		if (__builtin_expect(bad || p > end, 0))
			return trace_reader_fail(r, -EBADMSG, "block %" PRIu64 ": record %" PRIu64
						 ": encoding runs past the block (%zu bytes)",
						 r->blkno, r->recno + i, raw);
		zz = tag >> 2;
		ou = prev_end + ((zz >> 1) ^ (0 - (zz & 1)));
		if (__builtin_expect(ou > lim_lu, 0)) /* also catches negative offsets (wrapped) */
			return trace_reader_fail(r, -EINVAL, "record %" PRIu64 ": offset 0x%" PRIx64
						 " + length %" PRIu64 " beyond region size %" PRIu64,
						 r->recno + i, ou << k, prev_len << k, r->hdr.region_size);
		c[2 * i] = ou << k;
		c[2 * i + 1] = word1 | (tag & 1) << 32;
		prev_end = ou + prev_len;
	}
	if (p != end)
		return trace_reader_fail(r, -EBADMSG, "block %" PRIu64 ": %zu bytes left after its %zu records",
					 r->blkno, (size_t)(end - p), n);
	return 0;
}

/* Load the next block into r->canon; at the end of the file verify the
 * totals and set r->done. */
static int bin_next_block(struct trace_reader *r)
{
	uint8_t bh[TRACE_BLKHDR_SIZE];
	size_t got = fread(bh, 1, sizeof(bh), r->fp);
	uint32_t bn, raw, comp;
	uint64_t want, h;
	size_t dz;
	int ret;

	if (got == 0 && feof(r->fp))
		return bin_finish(r);
	if (got != sizeof(bh))
		return trace_reader_fail(r, ferror(r->fp) ? -EIO : -EBADMSG,
					 "block %" PRIu64 " (after record %" PRIu64 "): truncated block header:"
					 " %zu of %d bytes", r->blkno, r->recno, got, TRACE_BLKHDR_SIZE);
	bn = trace_get_le32(bh);
	raw = trace_get_le32(bh + 4);
	comp = trace_get_le32(bh + 8);
	want = trace_get_le64(bh + 16);
	if (bn == 0 || bn > TRACE_BLOCK_RECS)
		return trace_reader_fail(r, -EBADMSG, "block %" PRIu64 ": record count %" PRIu32
					 " outside 1..%u", r->blkno, bn, TRACE_BLOCK_RECS);
	if (r->recno + bn > r->hdr.nrec)
		return trace_reader_fail(r, -EBADMSG, "block %" PRIu64 ": records %" PRIu64 "..%" PRIu64
					 " exceed the header's count %" PRIu64, r->blkno, r->recno,
					 r->recno + bn - 1, r->hdr.nrec);
	if (raw < 1 + bn || raw > 1 + (size_t)bn * TRACE_ENC_MAX)
		return trace_reader_fail(r, -EBADMSG, "block %" PRIu64 ": raw length %" PRIu32
					 " outside %" PRIu32 "..%zu for %" PRIu32 " records", r->blkno,
					 raw, 1 + bn, 1 + (size_t)bn * TRACE_ENC_MAX, bn);
	if (comp == 0 || comp > r->ccap)
		return trace_reader_fail(r, -EBADMSG, "block %" PRIu64 ": compressed length %" PRIu32
					 " outside 1..%zu", r->blkno, comp, r->ccap);
	if (trace_get_le32(bh + 12) != 0)
		return trace_reader_fail(r, -EBADMSG, "block %" PRIu64 ": flags 0x%" PRIx32 " unknown (must be 0)",
					 r->blkno, trace_get_le32(bh + 12));
	got = fread(r->cbuf, 1, comp, r->fp);
	if (got != comp)
		return trace_reader_fail(r, ferror(r->fp) ? -EIO : -EBADMSG,
					 "block %" PRIu64 " (records %" PRIu64 "..): truncated payload: %zu of %"
					 PRIu32 " bytes", r->blkno, r->recno, got, comp);
	h = XXH64(r->cbuf, comp, 0);
	if (h != want)
		return trace_reader_fail(r, -EBADMSG, "block %" PRIu64 " (records %" PRIu64 "..%" PRIu64
					 "): corrupt: payload hash 0x%016" PRIx64 ", block header says 0x%016"
					 PRIx64, r->blkno, r->recno, r->recno + bn - 1, h, want);
	dz = ZSTD_decompressDCtx(r->dctx, r->rbuf, raw, r->cbuf, comp);
	if (ZSTD_isError(dz))
		return trace_reader_fail(r, -EBADMSG, "block %" PRIu64 ": corrupt: zstd: %s",
					 r->blkno, ZSTD_getErrorName(dz));
	if (dz != raw)
		return trace_reader_fail(r, -EBADMSG, "block %" PRIu64 ": corrupt: %zu bytes decompressed,"
					 " block header says %" PRIu32, r->blkno, dz, raw);
	memset(r->rbuf + raw, 0, RAW_PAD);
	if ((ret = block_decode(r, raw, bn)))
		return ret;
	trace_canon_to_le(r->canon, 2 * (size_t)bn);
	XXH64_update(r->xs, r->canon, sizeof(uint64_t) * 2 * bn);
	trace_canon_to_le(r->canon, 2 * (size_t)bn);
	r->blk_n = bn;
	r->blk_pos = 0;
	r->recno += bn;
	r->blkno++;
	return 0;
}

static int bin_read(struct trace_reader *r, struct trace_rec *recs, size_t max, size_t *n)
{
	size_t got = 0;
	int ret;

	while (got < max) {
		if (r->blk_pos == r->blk_n) {
			if (r->done)
				break;
			if ((ret = bin_next_block(r)))
				return ret;
			if (r->done)
				break;
		}
		size_t take = r->blk_n - r->blk_pos;
		if (take > max - got)
			take = max - got;
		const uint64_t *c = r->canon + 2 * r->blk_pos;
		struct trace_rec *o = recs + got;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		/* canonical words are the struct's bytes: off, len, op, zero padding */
		memcpy(o, c, take * sizeof(*o));
#else
		for (size_t i = 0; i < take; i++) {
			o[i].off = c[2 * i];
			o[i].len = (uint32_t)c[2 * i + 1];
			o[i].op = (uint8_t)(c[2 * i + 1] >> 32);
		}
#endif
		r->blk_pos += take;
		got += take;
	}
	*n = got;
	return 0;
}

static int bin_rewind(struct trace_reader *r)
{
	if (fseek(r->fp, r->data_off, SEEK_SET))
		return trace_reader_fail(r, -errno, "seek to first block: %s", strerror(errno));
	XXH64_reset(r->xs, 0);
	r->recno = 0;
	r->blkno = 0;
	r->blk_n = r->blk_pos = 0;
	r->done = 0;
	r->failed = 0;
	return 0;
}

static const struct trace_reader_ops bin_ops = {
	.name = "binary",
	.read = bin_read,
	.rewind = bin_rewind,
};

static int bin_open(struct trace_reader *r)
{
	uint8_t hb[TRACE_HDR_SIZE];
	size_t got = fread(hb, 1, sizeof(hb), r->fp);
	uint32_t ver, hsz, kind, sl;
	char msg[256];
	int ret;

	if (got >= 12) {
		ver = trace_get_le32(hb + 8);
		if (ver != TRACE_VERSION)
			return trace_reader_fail(r, -ENOTSUP, "format version %" PRIu32
						 " unknown (this build reads version %u)", ver, TRACE_VERSION);
	}
	if (got != sizeof(hb))
		return trace_reader_fail(r, -EBADMSG, "truncated header: %zu of %d bytes", got, TRACE_HDR_SIZE);
	hsz = trace_get_le32(hb + 12);
	if (hsz != TRACE_HDR_SIZE)
		return trace_reader_fail(r, -EBADMSG, "header size %" PRIu32 " (version 1 has %d)",
					 hsz, TRACE_HDR_SIZE);
	if (XXH64(hb, 568, 0) != trace_get_le64(hb + 568))
		return trace_reader_fail(r, -EBADMSG, "corrupt header: hash 0x%016" PRIx64
					 ", stored 0x%016" PRIx64, XXH64(hb, 568, 0), trace_get_le64(hb + 568));
	kind = trace_get_le32(hb + 16);
	sl = trace_get_le32(hb + 48);
	if (sl >= TRACE_SPEC_MAX || memchr(hb + 56, 0, sl))
		return trace_reader_fail(r, -EBADMSG, "spec length %" PRIu32 " invalid (limit %d)",
					 sl, TRACE_SPEC_MAX - 1);
	memset(&r->hdr, 0, sizeof(r->hdr));
	r->hdr.version = TRACE_VERSION;
	r->hdr.region_kind = kind > 255 ? 255 : (uint8_t)kind;
	r->hdr.region_size = trace_get_le64(hb + 24);
	r->hdr.nrec = trace_get_le64(hb + 32);
	r->hdr.hash = trace_get_le64(hb + 40);
	memcpy(r->hdr.spec, hb + 56, sl);
	if ((ret = hdr_check(&r->hdr, msg, sizeof(msg))))
		return trace_reader_fail(r, ret, "header: %s", msg);
	r->data_off = TRACE_HDR_SIZE;
	r->ccap = ZSTD_compressBound(raw_max());
	r->rcap = raw_max() + RAW_PAD;
	r->cbuf = malloc(r->ccap);
	r->rbuf = malloc(r->rcap);
	r->canon = malloc(sizeof(uint64_t) * 2 * TRACE_BLOCK_RECS);
	r->dctx = ZSTD_createDCtx();
	if (!r->cbuf || !r->rbuf || !r->canon || !r->dctx)
		return trace_reader_fail(r, -ENOMEM, "out of memory");
	r->ops = &bin_ops;
	return 0;
}

int trace_reader_open(const char *path, struct trace_reader **out, char *err, size_t errlen)
{
	struct trace_reader *r;
	char head[16] = { 0 };
	size_t got;
	int ret;

	*out = NULL;
	r = calloc(1, sizeof(*r));
	if (!r) {
		if (err)
			snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	snprintf(r->path, sizeof(r->path), "%s", path);
	r->xs = XXH64_createState();
	if (!r->xs) {
		ret = trace_reader_fail(r, -ENOMEM, "out of memory");
		goto fail;
	}
	XXH64_reset(r->xs, 0);
	r->fp = fopen(path, "rb");
	if (!r->fp) {
		ret = trace_reader_fail(r, -errno, "cannot open: %s", strerror(errno));
		goto fail;
	}
	got = fread(head, 1, sizeof(head), r->fp);
	rewind(r->fp);
	if (got >= 8 && !memcmp(head, magic, 8))
		ret = bin_open(r);
	else if (got >= 16 && !memcmp(head, "# mapbench-trace", 16))
		ret = trace_text_open(r);
	else if (got < 8)
		ret = trace_reader_fail(r, -EBADMSG, "too short for a trace: %zu bytes (a binary header has %d)",
					got, TRACE_HDR_SIZE);
	else
		ret = trace_reader_fail(r, -EBADMSG, "wrong magic: %02x %02x %02x %02x %02x %02x %02x %02x,"
					" expected \"%s\" (binary) or \"# mapbench-trace\" (text)",
					(uint8_t)head[0], (uint8_t)head[1], (uint8_t)head[2], (uint8_t)head[3],
					(uint8_t)head[4], (uint8_t)head[5], (uint8_t)head[6], (uint8_t)head[7],
					TRACE_MAGIC);
	if (ret)
		goto fail;
	r->failed = 0;
	*out = r;
	return 0;
fail:
	if (err)
		snprintf(err, errlen, "%s", r->err);
	trace_reader_destroy(r);
	return ret;
}

const struct trace_hdr *trace_reader_hdr(const struct trace_reader *r)
{
	return &r->hdr;
}

int trace_reader_read(struct trace_reader *r, struct trace_rec *recs, size_t max, size_t *n)
{
	*n = 0;
	if (r->failed)
		return r->failed;
	return r->ops->read(r, recs, max, n);
}

int trace_reader_rewind(struct trace_reader *r)
{
	return r->ops->rewind(r);
}

const char *trace_reader_error(const struct trace_reader *r)
{
	return r->err;
}

void trace_reader_destroy(struct trace_reader *r)
{
	if (!r)
		return;
	if (r->fp)
		fclose(r->fp);
	if (r->xs)
		XXH64_freeState(r->xs);
	ZSTD_freeDCtx(r->dctx);
	free(r->cbuf);
	free(r->rbuf);
	free(r->canon);
	free(r->line);
	free(r);
}
