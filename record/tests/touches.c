/*
 * record/tests/touches.c — a program that maps FILE (64 KiB at least) and
 * reads one byte of pages 5, 2, 9, 2, 7, 5 in that order, then unmaps it:
 * `record --map-order` must give the first touches, 5 2 9 7, in order. It
 * installs its own SIGSEGV handler first; with a second argument "fault" it
 * then touches a PROT_NONE anonymous page, which that handler (not the
 * interposer's) must get: it prints "program handler" and exits 3.
 * usage: touches FILE [fault]
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void on_segv(int sig)
{
	(void)sig;
	static const char m[] = "program handler\n";
	if (write(1, m, sizeof(m) - 1) < 0)
		_exit(4);
	_exit(3);
}

int main(int argc, char **argv)
{
	static const int order[] = { 5, 2, 9, 2, 7, 5 };
	struct sigaction a;
	unsigned sum = 0;

	if (argc < 2)
		return 2;
	memset(&a, 0, sizeof(a));
	a.sa_handler = on_segv;
	sigaction(SIGSEGV, &a, NULL);
	int fd = open(argv[1], O_RDONLY);
	if (fd < 0)
		return 2;
	volatile unsigned char *p = mmap(NULL, 65536, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return 2;
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		sum += p[order[i] * 4096 + 17];
	munmap((void *)p, 65536);
	close(fd);
	printf("sum %u\n", sum);
	fflush(stdout);
	if (argc > 2 && !strcmp(argv[2], "fault")) {
		volatile unsigned char *q = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (q != MAP_FAILED)
			sum += q[0];
	}
	return 0;
}
