/*
 * bench/apps/scan.c — the second real program of the apps proof (issue 17),
 * of a different kind than SQLite: the seed's loop, a newline count over a
 * file, with its own switch between stdio and mmap.
 *
 *   scan FILE fread|mmap     prints "ns=<scan ns> lines=<newlines>"
 * fread: 4 KiB fread() calls through a default-buffered FILE; mmap: one
 * read-only MAP_PRIVATE mapping scanned with memchr.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static uint64_t count(const char *p, size_t n)
{
	uint64_t c = 0;
	const char *e = p + n, *q;

	while (p < e && (q = memchr(p, '\n', (size_t)(e - p)))) {
		c++;
		p = q + 1;
	}
	return c;
}

int main(int argc, char **argv)
{
	uint64_t lines = 0, t0;

	if (argc != 3 || (strcmp(argv[2], "fread") && strcmp(argv[2], "mmap"))) {
		fprintf(stderr, "usage: scan FILE fread|mmap\n");
		return 2;
	}
	t0 = now_ns();
	if (!strcmp(argv[2], "fread")) {
		static char buf[4096];
		size_t n;
		FILE *f = fopen(argv[1], "rb");
		if (!f) {
			perror(argv[1]);
			return 1;
		}
		while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
			lines += count(buf, n);
		fclose(f);
	} else {
		struct stat st;
		int fd = open(argv[1], O_RDONLY);
		if (fd < 0 || fstat(fd, &st)) {
			perror(argv[1]);
			return 1;
		}
		if (st.st_size > 0) {
			char *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
			if (p == MAP_FAILED) {
				perror("mmap");
				return 1;
			}
			lines = count(p, (size_t)st.st_size);
			munmap(p, (size_t)st.st_size);
		}
		close(fd);
	}
	printf("ns=%" PRIu64 " lines=%" PRIu64 "\n", now_ns() - t0, lines);
	return 0;
}
