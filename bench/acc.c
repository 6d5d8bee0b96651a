/*
 * bench/acc.c — the one explicit list of access methods, and the helpers the
 * mapping methods share (replay through a mapping, pattern stores, VmPTE).
 * Adding a method = one new acc_<name>.c ending in its ops table + one line
 * in acc_methods[].
 */
#include "bench/acc.h"

#include <errno.h>
#include <stdlib.h>

const struct acc_ops *const acc_methods[] = {
	&acc_mmap_ops,
	&acc_read_ops,
	&acc_fread_ops,
#if HAVE_LIBURING
	&acc_uring_ops,
#endif
	&acc_anon_ops,
	NULL,
};

const struct acc_ops *acc_find(enum an_method m)
{
	for (size_t i = 0; acc_methods[i]; i++)
		if (acc_methods[i]->method == m)
			return acc_methods[i];
	return NULL;
}

ACC_NO_ASAN void acc_pattern_store(unsigned char *p, uint64_t off, size_t len)
{
	while (len && (off & 7)) {
		*p++ = acc_pattern_byte(off++);
		len--;
	}
	for (; len >= 8; len -= 8, off += 8, p += 8) {
		uint64_t w = acc_pattern_word(off >> 3);
		memcpy(p, &w, 8);
	}
	while (len--) {
		*p++ = acc_pattern_byte(off);
		off++;
	}
}

/* The tight loop: one pass over the batch, no indirect call per record. */
ACC_NO_ASAN void acc_mem_replay(struct acc_ctx *c, const struct trace_rec *r, size_t n)
{
	unsigned char *base = c->base;
	uint64_t sum = c->sum, rd = 0, wr = 0;

	for (size_t i = 0; i < n; i++) {
		if (__builtin_expect(r[i].op == TRACE_OP_READ, 1)) {
			uint64_t off = r[i].off;
			uint32_t len = r[i].len;
			if (((off | len) & 7) == 0) {
				/* word-aligned record: whole words, 8 at a time (one cache line) */
				const unsigned char *p = base + off;
				uint32_t k = 0;
				for (; k + 64 <= len; k += 64) {
					uint64_t w[8];
					memcpy(w, p + k, 64);
					sum += ((w[0] + w[1]) + (w[2] + w[3])) + ((w[4] + w[5]) + (w[6] + w[7]));
				}
				for (; k < len; k += 8) {
					uint64_t w;
					memcpy(&w, p + k, 8);
					sum += w;
				}
			} else {
				sum += acc_fold(base + off, off, len);
			}
			rd += r[i].len;
		} else {
			acc_pattern_store(base + r[i].off, r[i].off, r[i].len);
			wr += r[i].len;
		}
	}
	c->sum = sum;
	c->bytes_read += rd;
	c->bytes_written += wr;
}

long acc_vmpte_kb(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	long kb = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmPTE:", 6)) {
			kb = strtol(line + 6, NULL, 10);
			break;
		}
	fclose(f);
	return kb;
}

int acc_wbuf_alloc(struct acc_ctx *c)
{
	if (!c->writes || c->wbuf)
		return 0;
	c->wbuf = malloc(c->maxlen ? c->maxlen : 1);
	if (!c->wbuf) {
		snprintf(c->err, sizeof(c->err), "write buffer of %u bytes: out of memory", c->maxlen);
		return -ENOMEM;
	}
	return 0;
}
