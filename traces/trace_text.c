/*
 * traces/trace_text.c — the text form of a trace: reader (for hand-written
 * traces and dumps) and writer (`mapbench trace dump`).
 *
 * Grammar (one item per line; '\r' before '\n' tolerated):
 *   # mapbench-trace v1                       first line, exactly (the magic)
 *   # region=file size=64M records=3 hash=0x… header lines: '#' then key=value
 *   # spec=<rest of the line>                 tokens; keys region (file|anon),
 *                                             size (required), records, hash;
 *                                             a '#' line whose first token has
 *                                             no '=' is a comment
 *   R 0x1000 64                               records: op (R|W, either case),
 *   W 4096 8                                  offset, length (decimal, 0x hex,
 *                                             or a size with K/M/G suffix)
 * Blank lines and '#' lines between records are comments.
 *
 * Invariants: opening pre-scans and validates the whole body (the text form
 * is for small traces), so trace_reader_hdr() has the true record count and
 * content hash, and a records=/hash= in the header that disagrees is an
 * error. Dump then read gives back the same header and records.
 */
#include "traces/trace.h"
#include "traces/trace_int.h"
#include "common/mb.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* Read one line into r->line without its newline; returns length or -1 at EOF. */
static ssize_t next_line(struct trace_reader *r)
{
	ssize_t n = getline(&r->line, &r->linecap, r->fp);

	if (n < 0)
		return -1;
	r->lineno++;
	while (n > 0 && (r->line[n - 1] == '\n' || r->line[n - 1] == '\r'))
		r->line[--n] = 0;
	return n;
}

static char *skip_ws(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* Parse one header line (after '#'); returns 1 if it was a header line,
 * 0 for a comment, -errno on a bad key or value. */
static int parse_hdr_line(struct trace_reader *r, char *s, int *have_size, int *have_nrec, int *have_hash)
{
	char *tok, *save = NULL;
	int first = 1;

	s = skip_ws(s);
	if (!strncmp(s, "spec=", 5)) {
		if (strlen(s + 5) >= TRACE_SPEC_MAX)
			return trace_reader_fail(r, -EINVAL, "line %" PRIu64 ": spec of %zu bytes beyond limit %d",
						 r->lineno, strlen(s + 5), TRACE_SPEC_MAX - 1);
		/* the binary header's rule (traces/trace.c): no control characters, so dump -> read is exact */
		for (const char *c = s + 5; *c; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				return trace_reader_fail(r, -EINVAL, "line %" PRIu64 ": spec byte %zu is control character 0x%02x",
							 r->lineno, (size_t)(c - (s + 5)), (unsigned char)*c);
		snprintf(r->hdr.spec, sizeof(r->hdr.spec), "%s", s + 5);
		return 1;
	}
	for (tok = strtok_r(s, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save), first = 0) {
		char *eq = strchr(tok, '=');
		uint64_t v;

		if (!eq) {
			if (first)
				return 0; /* a comment */
			return trace_reader_fail(r, -EINVAL, "line %" PRIu64 ": header token '%s' is not key=value",
						 r->lineno, tok);
		}
		*eq++ = 0;
		if (!strcmp(tok, "region")) {
			if (!strcmp(eq, "file"))
				r->hdr.region_kind = TRACE_REGION_FILE;
			else if (!strcmp(eq, "anon"))
				r->hdr.region_kind = TRACE_REGION_ANON;
			else
				return trace_reader_fail(r, -EINVAL, "line %" PRIu64 ": region '%s' unknown (file or anon)",
							 r->lineno, eq);
		} else if (!strcmp(tok, "size")) {
			if (mb_parse_size(eq, &v) || v == 0 || v > TRACE_MAX_REGION)
				return trace_reader_fail(r, -EINVAL, "line %" PRIu64 ": region size '%s' not a size in 1..%"
							 PRIu64, r->lineno, eq, TRACE_MAX_REGION);
			r->hdr.region_size = v;
			*have_size = 1;
		} else if (!strcmp(tok, "records")) {
			char *end;
			errno = 0;
			v = strtoull(eq, &end, 10);
			if (errno || end == eq || *end || *eq == '-')
				return trace_reader_fail(r, -EINVAL, "line %" PRIu64 ": records '%s' not a count",
							 r->lineno, eq);
			r->hdr.nrec = v;
			*have_nrec = 1;
		} else if (!strcmp(tok, "hash")) {
			char *end;
			errno = 0;
			v = strtoull(eq, &end, 16);
			if (errno || end == eq || *end || *eq == '-')
				return trace_reader_fail(r, -EINVAL, "line %" PRIu64 ": hash '%s' not a 64-bit hex value",
							 r->lineno, eq);
			r->hdr.hash = v;
			*have_hash = 1;
		} else {
			return trace_reader_fail(r, -EINVAL, "line %" PRIu64 ": header key '%s' unknown"
						 " (region, size, records, hash, spec)", r->lineno, tok);
		}
	}
	return 1;
}

/* Parse a body line into rec; returns 1 record, 0 comment/blank, -errno. */
static int parse_rec_line(struct trace_reader *r, char *s, struct trace_rec *rec)
{
	char *f[4], *save = NULL;
	int nf = 0;
	uint64_t off, len;
	char msg[256];
	int ret;

	s = skip_ws(s);
	if (!*s || *s == '#')
		return 0;
	for (char *t = strtok_r(s, " \t", &save); t; t = strtok_r(NULL, " \t", &save))
		if (nf < 4)
			f[nf++] = t;
		else
			nf = 4;
	if (nf != 3)
		return trace_reader_fail(r, -EINVAL, "line %" PRIu64 " (record %" PRIu64 "): expected 'R|W OFFSET LENGTH'",
					 r->lineno, r->recno);
	if (!strcasecmp(f[0], "R"))
		rec->op = TRACE_OP_READ;
	else if (!strcasecmp(f[0], "W"))
		rec->op = TRACE_OP_WRITE;
	else
		return trace_reader_fail(r, -EINVAL, "line %" PRIu64 " (record %" PRIu64 "): op '%s' unknown (R or W)",
					 r->lineno, r->recno, f[0]);
	if (mb_parse_size(f[1], &off))
		return trace_reader_fail(r, -EINVAL, "line %" PRIu64 " (record %" PRIu64 "): offset '%s' not a number",
					 r->lineno, r->recno, f[1]);
	if (mb_parse_size(f[2], &len) || len > TRACE_MAX_LEN)
		return trace_reader_fail(r, -EINVAL, "line %" PRIu64 " (record %" PRIu64 "): length '%s' not in 1..%"
					 PRIu32, r->lineno, r->recno, f[2], TRACE_MAX_LEN);
	rec->off = off;
	rec->len = (uint32_t)len;
	if ((ret = trace_rec_check(rec, r->hdr.region_size, r->recno, msg, sizeof(msg))))
		return trace_reader_fail(r, ret, "line %" PRIu64 ": %s", r->lineno, msg);
	return 1;
}

static void hash_rec(struct trace_reader *r, const struct trace_rec *rec)
{
	uint64_t w[2] = { rec->off, rec->len | (uint64_t)rec->op << 32 };

	trace_canon_to_le(w, 2);
	XXH64_update(r->xs, w, sizeof(w));
}

static int text_read(struct trace_reader *r, struct trace_rec *recs, size_t max, size_t *n)
{
	size_t got = 0;
	int ret;

	while (got < max && !r->done) {
		if (next_line(r) < 0) {
			uint64_t h = XXH64_digest(r->xs);
			if (r->recno != r->hdr.nrec || h != r->hdr.hash)
				return trace_reader_fail(r, -EBADMSG, "changed while reading: %" PRIu64
							 " records hashing to 0x%016" PRIx64 ", expected %" PRIu64
							 " and 0x%016" PRIx64, r->recno, h, r->hdr.nrec, r->hdr.hash);
			r->done = 1;
			break;
		}
		ret = parse_rec_line(r, r->line, &recs[got]);
		if (ret < 0)
			return ret;
		if (ret) {
			hash_rec(r, &recs[got]);
			got++;
			r->recno++;
		}
	}
	*n = got;
	return 0;
}

static int text_rewind(struct trace_reader *r)
{
	if (fseek(r->fp, r->text_body_off, SEEK_SET))
		return trace_reader_fail(r, -errno, "seek: %s", strerror(errno));
	r->lineno = r->text_body_line;
	r->recno = 0;
	r->done = 0;
	r->failed = 0;
	XXH64_reset(r->xs, 0);
	return 0;
}

static const struct trace_reader_ops text_ops = {
	.name = "text",
	.read = text_read,
	.rewind = text_rewind,
};

int trace_text_open(struct trace_reader *r)
{
	int have_size = 0, have_nrec = 0, have_hash = 0, ret;
	unsigned long ver;
	char *end;
	long pos;
	struct trace_rec rec;

	memset(&r->hdr, 0, sizeof(r->hdr));
	r->hdr.version = TRACE_VERSION;
	r->ops = &text_ops;
	if (next_line(r) < 0 || strncmp(r->line, "# mapbench-trace v", 18))
		return trace_reader_fail(r, -EBADMSG, "line 1: expected '# mapbench-trace v1'");
	ver = strtoul(r->line + 18, &end, 10);
	if (end == r->line + 18 || *skip_ws(end))
		return trace_reader_fail(r, -EBADMSG, "line 1: '%s' is not '# mapbench-trace v<N>'", r->line);
	if (ver != TRACE_VERSION)
		return trace_reader_fail(r, -ENOTSUP, "text format version %lu unknown (this build reads version %u)",
					 ver, TRACE_VERSION);
	/* header lines: leading '#' lines */
	for (;;) {
		pos = ftell(r->fp);
		if (next_line(r) < 0)
			break;
		if (r->line[0] != '#') {
			r->lineno--;
			if (fseek(r->fp, pos, SEEK_SET))
				return trace_reader_fail(r, -errno, "seek: %s", strerror(errno));
			break;
		}
		if ((ret = parse_hdr_line(r, r->line + 1, &have_size, &have_nrec, &have_hash)) < 0)
			return ret;
	}
	if (!have_size)
		return trace_reader_fail(r, -EINVAL, "header has no 'size=' (the region size)");
	r->text_body_off = ftell(r->fp);
	r->text_body_line = r->lineno;
	/* validating pre-scan: count and hash */
	XXH64_reset(r->xs, 0);
	r->recno = 0;
	while (next_line(r) >= 0) {
		ret = parse_rec_line(r, r->line, &rec);
		if (ret < 0)
			return ret;
		if (ret) {
			hash_rec(r, &rec);
			r->recno++;
		}
	}
	if (ferror(r->fp))
		return trace_reader_fail(r, -EIO, "read error");
	if (have_nrec && r->hdr.nrec != r->recno)
		return trace_reader_fail(r, -EBADMSG, "record count mismatch: %" PRIu64 " records,"
					 " header says records=%" PRIu64, r->recno, r->hdr.nrec);
	if (have_hash && r->hdr.hash != XXH64_digest(r->xs))
		return trace_reader_fail(r, -EBADMSG, "content hash mismatch: records hash to 0x%016" PRIx64
					 ", header says hash=0x%016" PRIx64, XXH64_digest(r->xs), r->hdr.hash);
	r->hdr.nrec = r->recno;
	r->hdr.hash = XXH64_digest(r->xs);
	return text_rewind(r);
}

int trace_text_write_hdr(const struct trace_hdr *h, FILE *out)
{
	char sz[32];

	fprintf(out, "# mapbench-trace v%u\n", TRACE_VERSION);
	fprintf(out, "# region=%s size=%s records=%" PRIu64 " hash=0x%016" PRIx64 "\n",
		trace_region_name(h->region_kind), trace_fmt_size_exact(h->region_size, sz, sizeof(sz)),
		h->nrec, h->hash);
	fprintf(out, "# spec=%s\n", h->spec);
	return ferror(out) ? -EIO : 0;
}

int trace_text_write(struct trace_reader *r, FILE *out)
{
	struct trace_rec recs[4096];
	size_t n;
	int ret;

	if ((ret = trace_text_write_hdr(&r->hdr, out)))
		return trace_reader_fail(r, ret, "write error on output");
	for (;;) {
		if ((ret = trace_reader_read(r, recs, MB_ARRAY_SIZE(recs), &n)))
			return ret;
		if (!n)
			break;
		for (size_t i = 0; i < n; i++)
			fprintf(out, "%s 0x%" PRIx64 " %" PRIu32 "\n", trace_op_name(recs[i].op),
				recs[i].off, recs[i].len);
		if (ferror(out))
			return trace_reader_fail(r, -EIO, "write error on output");
	}
	return 0;
}
