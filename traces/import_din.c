/*
 * traces/import_din.c — importer for the Dinero "din" format (Dinero III/IV
 * cache simulators): one access per line, "LABEL ADDRESS [SIZE]", LABEL 0
 * read, 1 write, 2 instruction fetch, 3 escape (unknown access), 4 escape
 * (cache flush); ADDRESS in hex (an optional 0x is accepted). Classic din
 * carries no size: a third decimal field is accepted as the size, else
 * DIN_DEFAULT_SIZE bytes (a 32-bit word, what Dinero's traces mostly held).
 * Mapping: 0 -> R, 1 -> W; 2, 3, 4, blank and '#' lines are skipped and counted.
 */
#include "traces/import.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

#define DIN_DEFAULT_SIZE 4

static const char *din_skip[] = {
	NULL, NULL, "instruction fetch (label 2)", "escape (label 3)", "flush (label 4)",
};

static int din_parse(const char *s, struct imp_line *out)
{
	char *end;
	unsigned long long addr, size = DIN_DEFAULT_SIZE;
	unsigned label;
	const char *p = s;

	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p || *p == '#') {
		out->what = *p ? "comment" : "blank";
		return IMP_SKIP;
	}
	if (!isdigit((unsigned char)p[0]) || (p[1] != ' ' && p[1] != '\t')) {
		out->what = "label not one digit 0..4";
		return IMP_BAD;
	}
	label = (unsigned)(p[0] - '0');
	if (label > 4) {
		out->what = "label beyond 4 (0 read, 1 write, 2 ifetch, 3-4 escapes)";
		return IMP_BAD;
	}
	p += 2;
	while (*p == ' ' || *p == '\t')
		p++;
	if (!isxdigit((unsigned char)*p)) {
		out->what = "address not hexadecimal";
		return IMP_BAD;
	}
	errno = 0;
	addr = strtoull(p, &end, 16);
	if (errno) {
		out->what = "address beyond 64 bits";
		return IMP_BAD;
	}
	p = end;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p && imp_parse_size_tail(p, &size, &out->what))
		return IMP_BAD;
	if (label >= 2) {
		out->what = din_skip[label];
		return IMP_SKIP;
	}
	if (size == 0 || size > TRACE_MAX_LEN) {
		out->what = size ? "size beyond 1 GiB" : "size 0";
		return IMP_BAD;
	}
	if (addr + size < addr) {
		out->what = "address + size beyond 64 bits";
		return IMP_BAD;
	}
	out->acc[0] = (struct imp_access){ addr, (uint32_t)size, label ? TRACE_OP_WRITE : TRACE_OP_READ };
	out->n = 1;
	return IMP_REC;
}

const struct trace_importer trace_import_din = {
	.name = "din",
	.help = "Dinero din: 'LABEL ADDR [SIZE]', 0 read, 1 write, 2 ifetch (skipped), size 4 if absent",
	.region_kind = TRACE_REGION_ANON,
	.parse = din_parse,
};
