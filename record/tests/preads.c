/*
 * record/tests/preads.c — the record-overhead benchmark's program: N
 * (argv[2], default 1 Mi) 4 KiB preads at pseudo-random 4 KiB-aligned
 * offsets of the file argv[1] (warm after the first run).
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char b[4096];
	struct stat st;
	long n = argc > 2 ? atol(argv[2]) : 1L << 20;
	uint64_t x = 88172645463325252ull, sum = 0;
	int fd;

	if (argc < 2 || (fd = open(argv[1], O_RDONLY)) < 0 || fstat(fd, &st) || st.st_size < 4096)
		return 2;
	uint64_t pages = (uint64_t)st.st_size / 4096;
	for (long i = 0; i < n; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		if (pread(fd, b, sizeof(b), (off_t)((x % pages) * 4096)) != (ssize_t)sizeof(b))
			return 3;
		sum += (unsigned char)b[i & 4095];
	}
	printf("%llu\n", (unsigned long long)sum);
	return 0;
}
