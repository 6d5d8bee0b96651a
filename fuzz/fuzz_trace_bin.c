/*
 * fuzz/fuzz_trace_bin.c — libFuzzer target: the binary trace format (.mtr)
 * through trace_reader_open()/read()/rewind() on a memfd path.
 * Oracle: fuzz/fuzz_trace.h.
 *
 * The first input byte selects the mode:
 *   bit 0 clear: raw — the rest is the file, as is (header hash, payload
 *     hashes and zstd framing are the fuzzer's problem: tests the checks);
 *   bit 0 set: structured — the rest is a 576-byte header (zero-padded)
 *     followed by blocks given as {u32 records, u16 raw length, raw bytes}; the
 *     harness zstd-compresses each raw block and fills in the block header
 *     (lengths, payload hash) and the header hash, so the fuzzer reaches the
 *     varint decoder and the record checks. bit 1: also force magic, version,
 *     header size and block size fields valid. bit 2: run a second pass
 *     with the header's record count and content hash set to what the first
 *     pass decoded (reaches the successful end-of-trace path).
 * Layout of the header and blocks: traces/trace.c (top comment).
 */
#include "fuzz/fuzz_trace.h"

#include <zstd.h>

#define HDR 576     /* TRACE_HDR_SIZE (traces/trace_int.h) */
#define BLKHDR 24   /* TRACE_BLKHDR_SIZE */
#define OUT_MAX (1u << 22) /* largest file the structured mode builds */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void run(const uint8_t *buf, size_t len, struct fuzz_drain *d)
{
	char path[64];
	int fd = fuzz_memfd(buf, len, path, sizeof(path));

	memset(d, 0, sizeof(*d));
	if (fd < 0)
		return;
	fuzz_trace_drain(path, d);
	close(fd);
}

/* Build a well-framed file from the structured input; returns its length. */
static size_t build(const uint8_t *in, size_t n, unsigned mode, uint8_t *out)
{
	size_t pos = HDR, i = 0;

	memset(out, 0, HDR);
	memcpy(out, in, n < HDR ? n : HDR);
	i = n < HDR ? n : HDR;
	if (mode & 2) {
		memcpy(out, TRACE_MAGIC, 8);
		put32(out + 8, TRACE_VERSION);
		put32(out + 12, HDR);
		put32(out + 20, 1u << 16);
		put32(out + 52, 0);
		out[56 + 511] = 0;
		put32(out + 48, (uint32_t)strlen((char *)out + 56));
	}
	while (i + 6 <= n) {
		uint32_t recs = (uint32_t)in[i] | (uint32_t)in[i + 1] << 8 |
				(uint32_t)in[i + 2] << 16 | (uint32_t)in[i + 3] << 24;
		size_t rawlen = (size_t)in[i + 4] | (size_t)in[i + 5] << 8;
		i += 6;
		if (rawlen > n - i)
			rawlen = n - i;
		size_t bound = ZSTD_compressBound(rawlen);
		if (pos + BLKHDR + bound > OUT_MAX)
			break;
		size_t c = ZSTD_compress(out + pos + BLKHDR, bound, in + i, rawlen, 1);
		if (ZSTD_isError(c))
			break;
		put32(out + pos, recs);
		put32(out + pos + 4, (uint32_t)rawlen);
		put32(out + pos + 8, (uint32_t)c);
		put32(out + pos + 12, 0);
		put64(out + pos + 16, XXH64(out + pos + BLKHDR, c, 0));
		pos += BLKHDR + c;
		i += rawlen;
	}
	return pos;
}

static void seal(uint8_t *out)
{
	put64(out + 568, XXH64(out, 568, 0));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t *out;
	struct fuzz_drain d;

	if (size < 1)
		return 0;
	unsigned mode = data[0];
	if (!(mode & 1)) {
		run(data + 1, size - 1, &d);
		return 0;
	}
	if (!out && !(out = malloc(OUT_MAX)))
		abort();
	size_t len = build(data + 1, size - 1, mode, out);
	seal(out);
	run(out, len, &d);
	if ((mode & 4) && d.opened && !d.ended && d.nrec) {
		put64(out + 32, d.nrec);
		put64(out + 40, d.hash);
		seal(out);
		run(out, len, &d);
	}
	return 0;
}
