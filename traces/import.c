/*
 * traces/import.c — the importer list and the driver common to all formats
 * (traces/import.h): pass 1 finds the address span, pass 2 rebases and
 * writes. Memory is bounded (one line, one writer block).
 * Invariant: every line is either imported, skipped (counted by category),
 * malformed (counted, first line numbers kept) or holds accesses outside the
 * region (counted, first line numbers kept); lines = sum of those.
 */
#include "traces/import.h"
#include "traces/trace_int.h"
#include "common/mb.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

const struct trace_importer *const trace_importers[] = {
	&trace_import_lackey,
	&trace_import_din,
	&trace_import_strace,
	NULL,
};

const struct trace_importer *trace_importer_find(const char *name)
{
	for (size_t i = 0; trace_importers[i]; i++)
		if (!strcmp(trace_importers[i]->name, name))
			return trace_importers[i];
	return NULL;
}

static void count_skip(struct trace_import_report *rep, const char *what)
{
	size_t i;

	rep->skipped++;
	for (i = 0; i < rep->nskip; i++)
		if (!strcmp(rep->skip[i].what, what))
			break;
	if (i == rep->nskip) {
		if (rep->nskip == TRACE_IMPORT_SKIPS)
			i = TRACE_IMPORT_SKIPS - 1; /* last slot collects the rest */
		else
			rep->skip[rep->nskip++].what = what;
	}
	rep->skip[i].count++;
}

static ssize_t get_line(char **line, size_t *cap, FILE *f)
{
	ssize_t n = getline(line, cap, f);

	while (n > 0 && ((*line)[n - 1] == '\n' || (*line)[n - 1] == '\r'))
		(*line)[--n] = 0;
	return n;
}

/* Pass 1: span of the valid accesses. */
static int scan(const struct trace_importer *fmt, FILE *f, struct trace_import_report *rep)
{
	char *line = NULL;
	size_t cap = 0;
	struct imp_line il;

	rep->lo = UINT64_MAX;
	rep->hi = 0;
	while (get_line(&line, &cap, f) >= 0) {
		memset(&il, 0, sizeof(il));
		if (fmt->parse(line, &il) != IMP_REC)
			continue;
		for (unsigned k = 0; k < il.n; k++) {
			if (il.acc[k].addr < rep->lo)
				rep->lo = il.acc[k].addr;
			if (il.acc[k].addr + il.acc[k].len > rep->hi)
				rep->hi = il.acc[k].addr + il.acc[k].len;
		}
	}
	free(line);
	return ferror(f) ? -EIO : 0;
}

int imp_parse_size_tail(const char *p, unsigned long long *size, const char **what)
{
	char *end;

	if (!isdigit((unsigned char)*p)) {
		*what = "size not decimal";
		return -EINVAL;
	}
	errno = 0;
	*size = strtoull(p, &end, 10);
	while (*end == ' ' || *end == '\t')
		end++;
	if (errno || *end) {
		*what = errno ? "size beyond 64 bits" : "junk after the size";
		return -EINVAL;
	}
	return 0;
}

int trace_import(const struct trace_importer *fmt, const char *in, const char *out,
		 const struct trace_import_opts *o, struct trace_import_report *rep,
		 char *err, size_t errlen)
{
	struct trace_writer *w = NULL;
	struct trace_hdr hdr;
	struct imp_line il;
	uint64_t limit = o->max_region ? o->max_region : TRACE_MAX_REGION, end;
	char *line = NULL, name[256];
	size_t cap = 0;
	FILE *f;
	int ret;

	memset(rep, 0, sizeof(*rep));
	if (limit > TRACE_MAX_REGION) {
		snprintf(err, errlen, "max region %" PRIu64 " beyond limit %" PRIu64, limit, TRACE_MAX_REGION);
		return -EINVAL;
	}
	if (o->have_base && o->base % 4096) {
		snprintf(err, errlen, "base 0x%" PRIx64 " not 4 KiB aligned", o->base);
		return -EINVAL;
	}
	f = fopen(in, "r");
	if (!f) {
		ret = -errno;
		snprintf(err, errlen, "%s: cannot open: %s", in, strerror(errno));
		return ret;
	}
	if ((ret = scan(fmt, f, rep))) {
		snprintf(err, errlen, "%s: read error", in);
		goto close_f;
	}
	rep->base = o->have_base ? o->base : rep->lo & ~UINT64_C(4095);
	if (rep->lo == UINT64_MAX || rep->hi <= rep->base) {
		snprintf(err, errlen, "%s: no %s accesses%s", in, fmt->name,
			 rep->lo == UINT64_MAX ? "" : " at or above the base");
		ret = -EINVAL;
		goto close_f;
	}
	end = rep->hi > UINT64_MAX - 4095 ? UINT64_MAX & ~UINT64_C(4095) : (rep->hi + 4095) & ~UINT64_C(4095);
	rep->region_size = end - rep->base < limit ? end - rep->base : limit;

	memset(&hdr, 0, sizeof(hdr));
	hdr.region_kind = o->region_kind >= 0 ? (uint8_t)o->region_kind : fmt->region_kind;
	hdr.region_size = rep->region_size;
	{
		const char *b = strrchr(in, '/');
		snprintf(name, sizeof(name), "%s", b ? b + 1 : in);
		for (char *c = name; *c; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f || *c == ',')
				*c = '?';
	}
	snprintf(hdr.spec, sizeof(hdr.spec), "import:%s:%s,base=0x%" PRIx64, fmt->name, name, rep->base);
	if ((ret = trace_writer_create(out, &hdr, &w, err, errlen)))
		goto close_f;
	rewind(f);
	while (get_line(&line, &cap, f) >= 0) {
		int kind;

		rep->lines++;
		memset(&il, 0, sizeof(il));
		kind = fmt->parse(line, &il);
		if (kind == IMP_SKIP) {
			count_skip(rep, il.what);
			continue;
		}
		if (kind == IMP_BAD) {
			if (rep->malformed < TRACE_IMPORT_LIST) {
				rep->bad_line[rep->malformed] = rep->lines;
				rep->bad_why[rep->malformed] = il.what;
			}
			rep->malformed++;
			continue;
		}
		for (unsigned k = 0; k < il.n; k++) {
			const struct imp_access *a = &il.acc[k];
			struct trace_rec r;

			if (a->addr < rep->base || a->addr - rep->base > rep->region_size ||
			    a->len > rep->region_size - (a->addr - rep->base)) {
				if (rep->unmapped < TRACE_IMPORT_LIST) {
					rep->unmapped_line[rep->unmapped] = rep->lines;
					rep->unmapped_addr[rep->unmapped] = a->addr;
				}
				rep->unmapped++;
				continue;
			}
			r.off = a->addr - rep->base;
			r.len = a->len;
			r.op = a->op;
			if ((ret = trace_writer_add(w, &r))) {
				snprintf(err, errlen, "%s", trace_writer_error(w));
				goto destroy_w;
			}
			rep->records++;
		}
	}
	if (ferror(f)) {
		ret = -EIO;
		snprintf(err, errlen, "%s: read error", in);
		goto destroy_w;
	}
	if (o->strict && (rep->malformed || rep->unmapped)) {
		ret = -EINVAL;
		snprintf(err, errlen, "%s: --strict: %" PRIu64 " malformed lines (first at line %" PRIu64 "),"
			 " %" PRIu64 " accesses outside the %" PRIu64 "-byte region (first at line %" PRIu64 ")",
			 in, rep->malformed, rep->malformed ? rep->bad_line[0] : 0, rep->unmapped,
			 rep->region_size, rep->unmapped ? rep->unmapped_line[0] : 0);
		goto destroy_w;
	}
	if (!rep->records) {
		ret = -EINVAL;
		snprintf(err, errlen, "%s: no record could be imported", in);
		goto destroy_w;
	}
	if ((ret = trace_writer_close(w)))
		snprintf(err, errlen, "%s", trace_writer_error(w));
destroy_w:
	trace_writer_destroy(w);
close_f:
	free(line);
	fclose(f);
	return ret;
}

void trace_import_report_print(const struct trace_import_report *rep, const char *fmt,
			       const char *in, FILE *f)
{
	char a[32];

	fprintf(f, "mapbench: trace: import %s %s: %" PRIu64 " lines, %" PRIu64 " records,"
		" base 0x%" PRIx64 ", region %s (%" PRIu64 " bytes)\n", fmt, in, rep->lines, rep->records,
		rep->base, mb_fmt_size(rep->region_size, a, sizeof(a)), rep->region_size);
	if (rep->skipped) {
		fprintf(f, "  skipped %" PRIu64 " lines:", rep->skipped);
		for (size_t i = 0; i < rep->nskip; i++)
			fprintf(f, "%s %" PRIu64 " %s", i ? "," : "", rep->skip[i].count, rep->skip[i].what);
		fputc('\n', f);
	}
	if (rep->malformed) {
		fprintf(f, "  malformed %" PRIu64 " lines (not imported):\n", rep->malformed);
		for (size_t i = 0; i < rep->malformed && i < TRACE_IMPORT_LIST; i++)
			fprintf(f, "    line %" PRIu64 ": %s\n", rep->bad_line[i], rep->bad_why[i]);
		if (rep->malformed > TRACE_IMPORT_LIST)
			fprintf(f, "    ... %" PRIu64 " more\n", rep->malformed - TRACE_IMPORT_LIST);
	}
	if (rep->unmapped) {
		fprintf(f, "  unmapped %" PRIu64 " accesses outside [0x%" PRIx64 ", 0x%" PRIx64 ")"
			" (span 0x%" PRIx64 "..0x%" PRIx64 " exceeds the region limit; not imported):\n",
			rep->unmapped, rep->base, rep->base + rep->region_size, rep->lo, rep->hi);
		for (size_t i = 0; i < rep->unmapped && i < TRACE_IMPORT_LIST; i++)
			fprintf(f, "    line %" PRIu64 ": address 0x%" PRIx64 "\n", rep->unmapped_line[i],
				rep->unmapped_addr[i]);
		if (rep->unmapped > TRACE_IMPORT_LIST)
			fprintf(f, "    ... %" PRIu64 " more\n", rep->unmapped - TRACE_IMPORT_LIST);
	}
}
