/*
 * traces/import_lackey.c — importer for valgrind's lackey tool,
 * `valgrind --tool=lackey --trace-mem=yes`. Its lines (per the lackey
 * documentation) are "I  ADDR,SIZE" (instruction fetch), " L ADDR,SIZE"
 * (load), " S ADDR,SIZE" (store), " M ADDR,SIZE" (modify: a load and a store
 * of the same bytes), with ADDR in hex and SIZE in decimal; "==PID== ..."
 * lines are valgrind's own messages.
 * Mapping: L -> R, S -> W, M -> R then W; I lines and valgrind messages are
 * skipped and counted; anything else is malformed.
 */
#include "traces/import.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

static int lackey_parse(const char *s, struct imp_line *out)
{
	char *end;
	unsigned long long addr, size;

	if (s[0] == 'I' && (s[1] == ' ' || s[1] == '\t')) {
		out->what = "instruction fetch";
		return IMP_SKIP;
	}
	if (s[0] == '=' && s[1] == '=') {
		out->what = "valgrind message";
		return IMP_SKIP;
	}
	const char *p = s;
	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p) {
		out->what = "blank";
		return IMP_SKIP;
	}
	if (s[0] != ' ' || (s[1] != 'L' && s[1] != 'S' && s[1] != 'M') || s[2] != ' ') {
		out->what = "not ' L|S|M ADDR,SIZE' or 'I  ADDR,SIZE'";
		return IMP_BAD;
	}
	p = s + 3;
	while (*p == ' ')
		p++;
	if (!isxdigit((unsigned char)*p)) {
		out->what = "address not hexadecimal";
		return IMP_BAD;
	}
	errno = 0;
	addr = strtoull(p, &end, 16);
	if (errno || *end != ',') {
		out->what = errno ? "address beyond 64 bits" : "no ',' after the address";
		return IMP_BAD;
	}
	p = end + 1;
	if (imp_parse_size_tail(p, &size, &out->what))
		return IMP_BAD;
	if (size == 0 || size > TRACE_MAX_LEN) {
		out->what = size ? "size beyond 1 GiB" : "size 0";
		return IMP_BAD;
	}
	if (addr + size < addr) {
		out->what = "address + size beyond 64 bits";
		return IMP_BAD;
	}
	out->acc[0] = (struct imp_access){ addr, (uint32_t)size, s[1] == 'S' ? TRACE_OP_WRITE : TRACE_OP_READ };
	out->n = 1;
	if (s[1] == 'M') {
		out->acc[1] = (struct imp_access){ addr, (uint32_t)size, TRACE_OP_WRITE };
		out->n = 2;
	}
	return IMP_REC;
}

const struct trace_importer trace_import_lackey = {
	.name = "lackey",
	.help = "valgrind --tool=lackey --trace-mem=yes output (L/S/M; I skipped; M = R then W)",
	.region_kind = TRACE_REGION_ANON,
	.parse = lackey_parse,
};
