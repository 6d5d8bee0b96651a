/*
 * record/tests/known_reads.c — a program with known reads of its argument
 * file, for the record test: pread64 100 @4096, pread64 10 @0, lseek 8192,
 * read 4096, read 50, fread 20 @1000 (stdio), and 2 bytes through a pipe
 * (an unrecorded fd).
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/types.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char b[8192];
	int p[2], fd;
	FILE *f;

	if (argc != 2 || (fd = open(argv[1], O_RDONLY)) < 0)
		return 2;
	if (pread(fd, b, 100, 4096) != 100 || pread(fd, b, 10, 0) != 10 ||
	    lseek(fd, 8192, SEEK_SET) != 8192 || read(fd, b, 4096) != 4096 || read(fd, b, 50) != 50)
		return 3;
	if (!(f = fopen(argv[1], "r")) || fseek(f, 1000, SEEK_SET) || fread(b, 1, 20, f) != 20)
		return 4;
	fclose(f);
	if (pipe(p) || write(p[1], "xx", 2) != 2 || read(p[0], b, 2) != 2)
		return 5;
	close(fd);
	return 0;
}
