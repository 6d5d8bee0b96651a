/*
 * bench/acc.c — the one explicit list of access methods, and the helpers the
 * mapping methods share (replay through a mapping, pattern stores, VmPTE).
 * Adding a method = one new acc_<name>.c ending in its ops table + one line
 * in acc_methods[].
 */
#include "bench/acc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/vfs.h>
#include <unistd.h>

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

size_t acc_runs_merge(struct trace_rec *r, size_t n)
{
	size_t out = 0;

	for (size_t i = 0; i < n; i++) {
		struct trace_rec rec = r[i]; /* out <= i: r[i] is read before out[] may overwrite it */
		out = acc_run_push(r, out, &rec);
	}
	return out;
}

/*
 * The tight loop: one pass over the chunk, no call per record, locals for
 * the sums. Word-aligned reads go through acc_fold_aligned (the hand loop's
 * code); others through the byte-exact acc_fold.
 */
ACC_NO_ASAN void acc_mem_replay(struct acc_ctx *c, const struct trace_rec *restrict r, size_t n)
{
	const unsigned char *base = c->base;
	uint64_t sum = 0, rd = 0, wr = 0;

	for (size_t i = 0; i < n; i++) {
		uint64_t off = r[i].off, len = r[i].len;

		if (__builtin_expect(r[i].op == TRACE_OP_READ, 1)) {
			if ((off & 7) == 0)
				sum += acc_fold_aligned(base + off, len);
			else
				sum += acc_fold(base + off, off, (size_t)len);
			rd += len;
		} else {
			acc_pattern_store(c->base + off, off, (size_t)len);
			wr += len;
		}
	}
	c->sum += sum;
	c->bytes_read += rd;
	c->bytes_written += wr;
}

int acc_mem_thread_open(struct acc_ctx *t, const struct acc_ctx *c)
{
	t->base = c->base; /* the one mapping; map_raw stays NULL: the thread never unmaps it */
	t->fd = -1;
	return 0;
}

void acc_mem_thread_close(struct acc_ctx *t)
{
	t->base = NULL;
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

/* statfs f_type -> name, for messages (linux/magic.h values). */
static const char *fs_name(long type)
{
	static const struct {
		unsigned long magic; /* f_type */
		const char *name;    /* file system */
	} fs[] = {
		{ 0x01021994, "tmpfs" }, { 0x858458f6, "ramfs" }, { 0xef53, "ext4" },
		{ 0x58465342, "xfs" }, { 0x9123683e, "btrfs" }, { 0x794c7630, "overlayfs" },
		{ 0x6969, "nfs" }, { 0x65735546, "fuse" }, { 0x01021997, "9p" }, { 0xf2f52010, "f2fs" },
	};

	for (size_t i = 0; i < sizeof(fs) / sizeof(fs[0]); i++)
		if (fs[i].magic == (unsigned long)type)
			return fs[i].name;
	return "unknown";
}

int acc_direct_check(const char *path, char *err, size_t len)
{
	struct statfs sf;

	if (!statfs(path, &sf) &&
	    ((unsigned long)sf.f_type == 0x01021994 || (unsigned long)sf.f_type == 0x858458f6)) {
		snprintf(err, len,
			 "O_DIRECT on %s (%s): refused: %s has no device behind it (tmpfs accepts "
			 "O_DIRECT since Linux 6.6 but serves it from the page cache); use a "
			 "directory on a disk file system (--dir)",
			 path, fs_name(sf.f_type), fs_name(sf.f_type));
		return -EINVAL;
	}
	return 0;
}

int acc_open_file(struct acc_ctx *c)
{
	int direct = c->opts && c->opts->direct, e;
	struct statfs sf;

	if (direct && (e = acc_direct_check(c->path, c->err, sizeof(c->err))))
		return e;
	c->fd = open(c->path, (c->writes ? O_RDWR : O_RDONLY) | O_CLOEXEC | (direct ? O_DIRECT : 0));
	if (c->fd >= 0)
		return 0;
	e = errno;
	if (direct && e == EINVAL)
		snprintf(c->err, sizeof(c->err),
			 "open %s with O_DIRECT: %s: the file system (%s) does not support direct I/O",
			 c->path, strerror(e), statfs(c->path, &sf) ? "?" : fs_name(sf.f_type));
	else
		snprintf(c->err, sizeof(c->err), "open %s%s: %s", c->path, direct ? " (O_DIRECT)" : "",
			 strerror(e));
	return -e;
}

/*
 * Page-table bytes must not depend on where the kernel places the region
 * (VmPTE counts PUD, PMD and PTE tables; an upper-level table shared with
 * other mappings would not be counted). So regions are mapped at the start
 * of a 512 GiB slot (one PGD entry, ACC_SLOT) that no other mapping touches:
 * every table the replay needs is new and counted, as in the model, whose
 * VMA starts 512 GiB-aligned too (sim/sim_int.h SIM_VMA_BASE).
 */
#define ACC_SLOT (UINT64_C(1) << 39)            /* bytes one PGD entry maps */
#define ACC_SLOT_FIRST (UINT64_C(0x100000000000)) /* 16 TiB: below the mmap base */
#define ACC_SLOT_LAST (UINT64_C(0x600000000000))  /* stop the search before the heap-free top */

/* Does any existing mapping overlap [lo, hi)? (/proc/self/maps) */
static int maps_overlap(uint64_t lo, uint64_t hi)
{
	FILE *f = fopen("/proc/self/maps", "re");
	char line[512];
	int hit = 0;

	if (!f)
		return -1;
	while (!hit && fgets(line, sizeof(line), f)) {
		unsigned long long a, b;
		if (sscanf(line, "%llx-%llx", &a, &b) == 2 && a < hi && b > lo)
			hit = 1;
	}
	fclose(f);
	return hit;
}

void *acc_map_fresh(size_t len, int prot, int flags, int fd, long *pte_base_kb, char *err,
		    size_t errlen)
{
	uint64_t span = ((uint64_t)len + ACC_SLOT - 1) & ~(ACC_SLOT - 1);

	for (uint64_t a = ACC_SLOT_FIRST; a + span <= ACC_SLOT_LAST; a += ACC_SLOT) {
		void *p;
		if (maps_overlap(a, a + span))
			continue;
		*pte_base_kb = acc_vmpte_kb(); /* after the maps scan: nothing of ours in between */
		p = mmap((void *)(uintptr_t)a, len, prot, flags | MAP_FIXED_NOREPLACE, fd, 0);
		if (p == (void *)(uintptr_t)a)
			return p;
		if (p != MAP_FAILED) { /* old kernel ignoring NOREPLACE: not ours */
			munmap(p, len);
			continue;
		}
		if (errno != EEXIST) {
			snprintf(err, errlen, "mmap %zu bytes at %#llx: %s", len,
				 (unsigned long long)a, strerror(errno));
			return MAP_FAILED;
		}
	}
	snprintf(err, errlen, "no free 512 GiB-aligned address slot for %zu bytes between %#llx and %#llx",
		 len, (unsigned long long)ACC_SLOT_FIRST, (unsigned long long)ACC_SLOT_LAST);
	errno = ENOMEM;
	return MAP_FAILED;
}
