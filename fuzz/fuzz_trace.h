/*
 * fuzz/fuzz_trace.h — the trace-reader oracle shared by fuzz_trace_bin.c and
 * fuzz_trace_text.c (header only). fuzz_trace_drain() opens a path with
 * trace_reader_open() and reads every record, checking what traces/trace.h
 * promises for any input:
 *   - open either succeeds with a valid header or fails with a message;
 *   - every record handed out has 0 < len <= TRACE_MAX_LEN, op < TRACE_OP__COUNT
 *     and off + len <= region_size;
 *   - a read that reaches the end (0 records, return 0) has delivered exactly
 *     the header's record count; a failing read leaves a message;
 *   - rewind gives the same first records again;
 *   - a trace that read to the end (up to FUZZ_RT_MAX records) dumps to the
 *     text form (trace_text_write) and that text reads back with the same
 *     region, spec, record count and content hash (trace_text.c's promise
 *     "dump then read gives back the same header and records").
 * A broken promise aborts (libFuzzer saves the input); ASan/UBSan/LSan and
 * libFuzzer's -timeout/-rss_limit_mb catch the rest.
 */
#ifndef FUZZ_FUZZ_TRACE_H
#define FUZZ_FUZZ_TRACE_H

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <xxhash.h>

#include "fuzz/fuzz_util.h"
#include "traces/trace.h"

#define FUZZ_BATCH 1024    /* records per trace_reader_read call */
#define FUZZ_RT_MAX 100000 /* largest trace given the text round trip */

/* What one drain saw (for the structured binary target's second pass). */
struct fuzz_drain {
	int opened;          /* trace_reader_open succeeded */
	int ended;           /* reading reached the end without error */
	uint64_t nrec;       /* records delivered */
	uint64_t hash;       /* XXH64 of the delivered canonical records (trace_int.h form) */
	struct trace_hdr hdr; /* header as opened */
};

static inline void fuzz_trace_drain_opt(const char *path, struct fuzz_drain *d, int roundtrip);

/* A spec byte the binary format refuses (control character). */
static inline int fuzz_has_ctrl(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

/* Dump r (read to the end already) as text into a memfd and read that back. */
static inline void fuzz_trace_roundtrip(struct trace_reader *r, const struct fuzz_drain *d)
{
	char path[64];
	struct fuzz_drain d2;
	int fd = memfd_create("fuzz-rt", MFD_CLOEXEC), fd2;
	FILE *f;

	if (fd < 0 || (fd2 = dup(fd)) < 0 || !(f = fdopen(fd2, "w")))
		abort();
	FUZZ_CHECK(trace_reader_rewind(r) == 0, "rewind of a good trace: %s", trace_reader_error(r));
	int ret = trace_text_write(r, f);
	FUZZ_CHECK(ret == 0, "text dump of a good trace failed (%d): %s", ret, trace_reader_error(r));
	FUZZ_CHECK(fclose(f) == 0, "fclose");
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	fuzz_trace_drain_opt(path, &d2, 0);
	FUZZ_CHECK(d2.opened && d2.ended, "text dump of a good trace does not read back");
	FUZZ_CHECK(d2.nrec == d->nrec && d2.hash == d->hash,
		   "round trip: %" PRIu64 " records hash %016" PRIx64 ", was %" PRIu64 " hash %016" PRIx64,
		   d2.nrec, d2.hash, d->nrec, d->hash);
	FUZZ_CHECK(d2.hdr.region_size == d->hdr.region_size && d2.hdr.region_kind == d->hdr.region_kind,
		   "round trip: region %u/%" PRIu64 ", was %u/%" PRIu64, d2.hdr.region_kind,
		   d2.hdr.region_size, d->hdr.region_kind, d->hdr.region_size);
	if (!fuzz_known_bug("B3") || !fuzz_has_ctrl(d->hdr.spec))
		FUZZ_CHECK(!strcmp(d2.hdr.spec, d->hdr.spec), "round trip: spec '%s', was '%s'",
			   d2.hdr.spec, d->hdr.spec);
	close(fd);
}

/* Canonical form of one record: two LE 64-bit words (traces/trace_int.h). */
static inline void fuzz_canon(const struct trace_rec *r, uint8_t out[16])
{
	uint64_t w0 = r->off, w1 = (uint64_t)r->len | (uint64_t)r->op << 32;

	for (int i = 0; i < 8; i++) {
		out[i] = (uint8_t)(w0 >> (8 * i));
		out[8 + i] = (uint8_t)(w1 >> (8 * i));
	}
}

static inline void fuzz_trace_drain_opt(const char *path, struct fuzz_drain *d, int roundtrip)
{
	static struct trace_rec recs[FUZZ_BATCH], first[FUZZ_BATCH];
	struct trace_reader *r = NULL;
	char err[1024] = "";
	size_t n, nfirst = 0;
	XXH64_state_t *xs = XXH64_createState();
	int ret;

	memset(d, 0, sizeof(*d));
	if (!xs)
		abort();
	XXH64_reset(xs, 0);
	ret = trace_reader_open(path, &r, err, sizeof(err));
	if (ret) {
		fuzz_note("open", err);
		FUZZ_CHECK(ret < 0 && r == NULL, "open returned %d", ret);
		FUZZ_CHECK(err[0] != '\0', "open failed (%d) without a message", ret);
		XXH64_freeState(xs);
		return;
	}
	d->opened = 1;
	const struct trace_hdr *h = trace_reader_hdr(r);
	FUZZ_CHECK(h->version == TRACE_VERSION, "version %" PRIu32, h->version);
	FUZZ_CHECK(h->region_kind < TRACE_REGION__COUNT, "region kind %u", h->region_kind);
	FUZZ_CHECK(h->region_size > 0 && h->region_size <= TRACE_MAX_REGION,
		   "region size %" PRIu64, h->region_size);
	FUZZ_CHECK(memchr(h->spec, '\0', sizeof(h->spec)) != NULL, "spec not NUL-terminated");
	d->hdr = *h;
	for (;;) {
		ret = trace_reader_read(r, recs, FUZZ_BATCH, &n);
		if (ret) {
			fuzz_note("read", trace_reader_error(r));
			FUZZ_CHECK(ret < 0, "read returned %d", ret);
			FUZZ_CHECK(trace_reader_error(r) && trace_reader_error(r)[0],
				   "read failed (%d) without a message", ret);
			break;
		}
		if (n == 0) {
			d->ended = 1;
			FUZZ_CHECK(d->nrec == h->nrec, "end after %" PRIu64 " records, header says %" PRIu64,
				   d->nrec, h->nrec);
			break;
		}
		FUZZ_CHECK(n <= FUZZ_BATCH, "n %zu > max", n);
		for (size_t i = 0; i < n; i++) {
			const struct trace_rec *x = &recs[i];
			uint8_t c[16];
			FUZZ_CHECK(x->len > 0 && x->len <= TRACE_MAX_LEN, "record %" PRIu64 " len %" PRIu32,
				   d->nrec + i, x->len);
			FUZZ_CHECK(x->op < TRACE_OP__COUNT, "record %" PRIu64 " op %u", d->nrec + i, x->op);
			FUZZ_CHECK(x->off <= h->region_size - x->len,
				   "record %" PRIu64 " off 0x%" PRIx64 " len %" PRIu32 " past region %" PRIu64,
				   d->nrec + i, x->off, x->len, h->region_size);
			fuzz_canon(x, c);
			XXH64_update(xs, c, sizeof(c));
		}
		if (d->nrec == 0) {
			memcpy(first, recs, n * sizeof(recs[0]));
			nfirst = n;
		}
		d->nrec += n;
	}
	d->hash = XXH64_digest(xs);
	XXH64_freeState(xs);
	/* Rewind must give the same first records (whatever the first pass ended with). */
	if (nfirst && trace_reader_rewind(r) == 0 &&
	    trace_reader_read(r, recs, FUZZ_BATCH, &n) == 0) {
		FUZZ_CHECK(n == nfirst, "after rewind %zu records, first pass %zu", n, nfirst);
		for (size_t i = 0; i < n; i++)
			FUZZ_CHECK(recs[i].off == first[i].off && recs[i].len == first[i].len &&
				   recs[i].op == first[i].op, "record %zu differs after rewind", i);
	}
	if (roundtrip && d->ended && d->nrec <= FUZZ_RT_MAX)
		fuzz_trace_roundtrip(r, d);
	trace_reader_destroy(r);
}

static inline void fuzz_trace_drain(const char *path, struct fuzz_drain *d)
{
	fuzz_trace_drain_opt(path, d, 1);
}

#endif /* FUZZ_FUZZ_TRACE_H */
