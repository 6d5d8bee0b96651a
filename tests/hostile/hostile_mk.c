/*
 * tests/hostile/hostile_mk.c — makes hostile binary traces for hostile.sh
 * from a valid one, keeping every checksum the change does not target
 * valid, so the reader's deeper checks (version, region, count, zstd) are
 * what refuses the file, not the header hash.
 *
 *   hostile_mk set IN OUT FIELD VALUE   FIELD: version | region | count | kind
 *                                       (u32/u64 header fields, layout of
 *                                       traces/trace.c); header hash refreshed
 *   hostile_mk corrupt-block IN OUT     flip bytes inside the first block's
 *                                       zstd payload; payload hash refreshed
 * Exit 0 on success, 2 on usage or I/O error.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#define HDR 576     /* binary header bytes (traces/trace.c) */
#define BLKHDR 24   /* block header bytes */
#define HDRHASH 568 /* offset of the header hash */

static void put(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t cap = 0, n = 0;

	if (!f)
		return NULL;
	for (;;) {
		if (n == cap && !(buf = realloc(buf, cap = cap ? 2 * cap : 65536)))
			exit(2);
		size_t got = fread(buf + n, 1, cap - n, f);
		if (!got)
			break;
		n += got;
	}
	fclose(f);
	*len = n;
	return buf;
}

static int spit(const char *path, const uint8_t *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(buf, 1, len, f) != len || fclose(f)) {
		perror(path);
		return 2;
	}
	return 0;
}

int main(int argc, char **argv)
{
	size_t len;
	uint8_t *b;

	if (argc < 4) {
		fprintf(stderr, "usage: hostile_mk set IN OUT FIELD VALUE | corrupt-block IN OUT\n");
		return 2;
	}
	if (!(b = slurp(argv[2], &len)) || len < HDR) {
		fprintf(stderr, "hostile_mk: %s: not a binary trace\n", argv[2]);
		return 2;
	}
	if (!strcmp(argv[1], "set") && argc == 6) {
		uint64_t v = strtoull(argv[5], NULL, 0);
		if (!strcmp(argv[4], "version"))
			put(b + 8, v, 4);
		else if (!strcmp(argv[4], "kind"))
			put(b + 16, v, 4);
		else if (!strcmp(argv[4], "region"))
			put(b + 24, v, 8);
		else if (!strcmp(argv[4], "count"))
			put(b + 32, v, 8);
		else {
			fprintf(stderr, "hostile_mk: unknown field %s\n", argv[4]);
			return 2;
		}
		put(b + HDRHASH, XXH64(b, HDRHASH, 0), 8);
	} else if (!strcmp(argv[1], "corrupt-block")) {
		uint8_t *blk = b + HDR;
		if (len < HDR + BLKHDR) {
			fprintf(stderr, "hostile_mk: %s: no block\n", argv[2]);
			return 2;
		}
		uint32_t clen = get32(blk + 8);
		if (clen < 8 || HDR + BLKHDR + (size_t)clen > len) {
			fprintf(stderr, "hostile_mk: %s: block too small to corrupt\n", argv[2]);
			return 2;
		}
		/* Skip the zstd frame magic and header; trash the middle. */
		for (uint32_t i = clen / 2; i < clen / 2 + 4 && i < clen; i++)
			blk[BLKHDR + i] ^= 0xff;
		blk[BLKHDR + 4] ^= 0x5a; /* frame header descriptor */
		put(blk + 16, XXH64(blk + BLKHDR, clen, 0), 8);
	} else {
		fprintf(stderr, "hostile_mk: bad arguments\n");
		return 2;
	}
	int ret = spit(argv[3], b, len);
	free(b);
	return ret;
}
