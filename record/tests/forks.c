/*
 * record/tests/forks.c — a program with known reads of its argument file
 * from several tasks, for the ptrace recorder's test. Mode "fork": pread64
 * 100 @0; a thread preads 200 @8192; a raw syscall(SYS_pread64) 30 @12288
 * (not seen by the interposer); a forked child lseeks the shared fd to 4096
 * and reads 300; the parent then reads 10 at the shared position (4396);
 * exit status 7. Mode "mmap": maps the file, touches the page at 12288,
 * unmaps; exit 0. Mode "vfork": pread64 100 @0; a vfork child execs
 * /bin/true (in the parent's memory until then); the parent, after waiting
 * for it, preads 50 @8192; exit 0.
 */
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int fd;

static void *thread(void *arg)
{
	static char b[200];
	(void)arg;
	return pread(fd, b, sizeof(b), 8192) == (ssize_t)sizeof(b) ? b : NULL;
}

int main(int argc, char **argv)
{
	char b[512];
	pthread_t th;
	void *ok;
	int st;

	if (argc != 3 || (fd = open(argv[1], O_RDONLY)) < 0)
		return 2;
	if (!strcmp(argv[2], "mmap")) {
		volatile char *p = mmap(NULL, 65536, PROT_READ, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED)
			return 3;
		(void)p[12288];
		return munmap((void *)p, 65536) ? 4 : 0;
	}
	if (!strcmp(argv[2], "vfork")) {
		if (pread(fd, b, 100, 0) != 100)
			return 3;
		pid_t vc = vfork();
		if (vc == 0) {
			char *const args[] = { "true", NULL };
			execv("/bin/true", args);
			_exit(127);
		}
		if (vc < 0 || waitpid(vc, &st, 0) != vc || pread(fd, b, 50, 8192) != 50)
			return 4;
		return 0;
	}
	if (pread(fd, b, 100, 0) != 100 || pthread_create(&th, NULL, thread, NULL) || pthread_join(th, &ok) || !ok)
		return 3;
	if (syscall(SYS_pread64, fd, b, 30, 12288) != 30)
		return 4;
	pid_t pid = fork();
	if (pid == 0)
		_exit(lseek(fd, 4096, SEEK_SET) == 4096 && read(fd, b, 300) == 300 ? 0 : 1);
	if (pid < 0 || waitpid(pid, &st, 0) != pid || st != 0 || read(fd, b, 10) != 10)
		return 5;
	return 7;
}
