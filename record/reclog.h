/*
 * record/reclog.h — the event log the recorders write — the interposer
 * (record/interpose.c, loaded into the recorded program with LD_PRELOAD) or
 * the ptrace tracer (record/ptrace.c, one log per traced process image) —
 * and `mapbench record` (record/merge.c) reads back into traces. The writer
 * both share is record/reclog.c.
 *
 * One log file per process image, RECORD_DIR/ev.<pid>.<n>: a header of
 * RECLOG_HDR_BYTES (counters and the table of recorded files), then events
 * of 24 bytes. The interposer maps the file MAP_SHARED and stores into it:
 * what it wrote survives exec, _exit and being killed (the page cache holds
 * it), without a write() per event. hdr.nev is stored after each event's
 * bytes (release), so a reader never sees a torn event.
 *
 * Invariants: events of one log are in t_ns order (taken under the log's
 * lock); ev.file < hdr.nfiles; counters count calls, never bytes, unless
 * the name ends in _bytes.
 */
#ifndef RECORD_RECLOG_H
#define RECORD_RECLOG_H

#include <stddef.h>
#include <stdint.h>

#define RECLOG_MAGIC UINT64_C(0x31474f4c4250414d) /* "MAPBLOG1" little-endian */
#define RECLOG_VERSION 4u
#define RECLOG_HDR_BYTES 65536u            /* header area before the first event */
#define RECLOG_MAX_FILES 128u              /* recorded files per process image */
#define RECLOG_PATH_MAX 360u               /* path bytes kept per file, NUL included */
#define RECLOG_CHUNK (UINT64_C(8) << 20)   /* the log grows by this many bytes */
#define RECLOG_MAX_BYTES (UINT64_C(16) << 30) /* address space reserved for one log */
#define RECLOG_SYSCR_UNKNOWN UINT64_MAX    /* end figures not written (no exit hook ran) */

/* The environment the interposer reads (set by `mapbench record`). */
#define RECLOG_ENV_DIR "MAPBENCH_RECORD_DIR"         /* where logs go; unset: interposer inert */
#define RECLOG_ENV_FILE "MAPBENCH_RECORD_FILE"       /* "dev:ino" of the one file to record */
#define RECLOG_ENV_MIN_SIZE "MAPBENCH_RECORD_MIN_SIZE" /* or: every regular file of at least this size */
#define RECLOG_ENV_MAP_ORDER "MAPBENCH_RECORD_MAP_ORDER" /* "1": record mapped pages at their first touch, in order */

/* Which call produced an event or a count. */
enum reclog_call {
	RC_READ = 0,  /* read() at the fd's position */
	RC_PREAD,     /* pread64() */
	RC_READV,     /* readv() */
	RC_PREADV,    /* preadv(), preadv2() with an offset */
	RC_WRITE,     /* write() */
	RC_PWRITE,    /* pwrite64() */
	RC_FREAD,     /* fread() and fread_unlocked() */
	RC_FGETS,     /* fgets(), getline(), getdelim() */
	RC_FGETC,     /* fgetc(), getc() */
	RC_MMAP_PAGE, /* a page of a recorded mapping found present (pagemap) */
	RC_MMAP_TOUCH, /* a page of a recorded mapping at its first touch (--map-order: a fault on the
			  page the interposer had protected), in touch order */
	RC__COUNT
};

/* Calls above that are one read-family syscall each (counted by the kernel's syscr). */
#define RECLOG_CALL_IS_READ_SYSCALL(c) ((c) <= RC_PREADV)

/* Counters besides the per-call ones. */
enum reclog_ctr {
	RK_EMPTY = 0,        /* other recorded-file calls (stdio, writes) that returned 0 bytes or an error (no record) */
	RK_LSEEK,            /* lseek() on recorded files */
	RK_POS_QUERIES,      /* lseek(fd, 0, SEEK_CUR) the interposer made (shared file offsets) */
	RK_MMAPS,            /* mmap() of recorded files */
	RK_MAPS_DROPPED,     /* mappings beyond the interposer's table (their pages not sampled) */
	RK_MREMAPS,          /* mremap() of a recorded mapping (pages after the move not sampled) */
	RK_FDS_BEYOND,       /* calls on fds beyond the interposer's table (classified every time) */
	RK_FILES_BEYOND,     /* calls on files beyond RECLOG_MAX_FILES (not recorded) */
	RK_LOG_FULL,         /* events beyond RECLOG_MAX_BYTES (not recorded) */
	RK_INTERNAL_READS,   /* read syscalls the interposer made itself (/proc/self/io, pagemap) */
	RK_URING_FDS,        /* io_uring instances open at exit (their reads are not recorded) */
	RK_STDIO_OTHER,      /* stdio read calls on streams not recorded */
	RK_EXEC_BARE,        /* execs with an environment that drops the interposer (the new image is not recorded) */
	RK_FOREIGN_ABI,      /* syscalls of another ABI (i386, x32) the tracer stopped but does not decode */
	RK_EMPTY_READS,      /* read-family syscalls on recorded files that returned 0 bytes or an error (no record) */
	RK_POS_UNKNOWN,      /* reads on recorded files whose position the tracer could not read (no record) */
	RK_TOUCH_MAPS,       /* --map-order: mappings whose first touches were recorded in order */
	RK_TOUCH_LOST,       /* --map-order: mappings whose tracking stopped (mprotect failed, the program
				changed their protection or moved them): sampled at munmap instead */
	RK__COUNT
};

/* Who wrote a log. */
enum reclog_mech {
	RM_PRELOAD = 0, /* the interposer, inside the process */
	RM_PTRACE,      /* the tracer, from outside */
};

/* One recorded file. */
struct reclog_file {
	uint64_t dev, ino;            /* identity */
	uint64_t size;                /* st_size when first seen */
	char path[RECLOG_PATH_MAX];   /* /proc/self/fd link when first seen */
};

/* The log header (at offset 0, RECLOG_HDR_BYTES reserved). */
struct reclog_hdr {
	uint64_t magic;                     /* RECLOG_MAGIC */
	uint32_t version;                   /* RECLOG_VERSION */
	uint32_t pid;                       /* process id */
	uint64_t nev;                       /* events stored */
	uint64_t seen[RC__COUNT];           /* calls on recorded files that made records */
	uint64_t seen_bytes[RC__COUNT];     /* bytes they recorded */
	uint64_t other[RC__COUNT];          /* calls through fds not recorded (other files, pipes, ...) */
	uint64_t other_bytes[RC__COUNT];    /* bytes they moved */
	uint64_t ctr[RK__COUNT];            /* enum reclog_ctr */
	uint64_t syscr0, rchar0;            /* /proc/self/io when the interposer started */
	uint64_t syscr1, rchar1;            /* ... at exit/exec (RECLOG_SYSCR_UNKNOWN: not reached) */
	uint64_t t0_ns, t1_ns;              /* CLOCK_MONOTONIC at start and at the exit hook */
	uint64_t syscr_reaped;              /* of syscr1 - syscr0, the read syscalls of children this
					       process reaped (the kernel adds them to the reaper's
					       /proc/self/io; their own logs count them) */
	uint32_t nfiles;                    /* files[] used */
	uint32_t mech;                      /* enum reclog_mech: who wrote the log */
	struct reclog_file files[RECLOG_MAX_FILES]; /* recorded files */
};

_Static_assert(sizeof(struct reclog_hdr) <= RECLOG_HDR_BYTES, "reclog header fits its area");

/* One event. */
struct reclog_ev {
	uint64_t t_ns;  /* CLOCK_MONOTONIC when it completed */
	uint64_t off;   /* file offset */
	uint32_t len;   /* bytes (returned, not requested) */
	uint8_t file;   /* index into hdr.files */
	uint8_t call;   /* enum reclog_call */
	uint8_t op;     /* enum trace_op */
	uint8_t pad;
};

_Static_assert(sizeof(struct reclog_ev) == 24, "24-byte events");
_Static_assert(RECLOG_MAX_FILES <= 256, "file index fits a byte");

/* A log being written (record/reclog.c). */
struct reclog_w {
	int fd;                  /* the log file */
	struct reclog_hdr *hdr;  /* its mapping (RECLOG_MAX_BYTES reserved); NULL: closed */
	uint64_t size;           /* bytes of the log file now */
};

/* CLOCK_MONOTONIC in ns (the events' clock). */
uint64_t reclog_now_ns(void);

/* Create DIR/ev.<pid>.<n> (first free n), map it, write the header's identity
 * and t0; 0 or -errno (message printed). The caller sets the start figures. */
int reclog_open(struct reclog_w *w, const char *dir, int pid);

/* Unmap and close (what was stored stays in the file). */
void reclog_close(struct reclog_w *w);

/* Append events for len bytes at off (split at TRACE_MAX_LEN), count them in seen[call]. */
void reclog_emit(struct reclog_w *w, uint8_t file, uint8_t call, uint8_t op, uint64_t off, uint64_t len);

/* Index of the recorded file dev:ino in the log's table, adding it; -1 when full. */
int reclog_file_index(struct reclog_w *w, uint64_t dev, uint64_t ino, uint64_t size, const char *path);

/* syscr and rchar from a /proc/.../io file (RECLOG_SYSCR_UNKNOWN when unreadable). */
void reclog_proc_io(const char *path, uint64_t *syscr, uint64_t *rchar);

/* Emit a 4 KiB RC_MMAP_PAGE event for each present page of [a, a + len), part
 * of a mapping of file at map_addr (file offset map_off), from the pagemap
 * fd given; returns the pagemap reads made. */
uint64_t reclog_sample(struct reclog_w *w, int pagemap, uint8_t file, uintptr_t map_addr, uint64_t map_off,
		       uintptr_t a, size_t len);

/* A mapping of a recorded file whose present pages are sampled when it goes. */
struct reclog_map {
	uintptr_t addr;     /* start (page aligned) */
	size_t len;         /* bytes */
	uint64_t off;       /* file offset of addr */
	uint8_t file;       /* index into hdr->files */
	uint8_t tracked;    /* --map-order: its untouched pages are PROT_NONE, touches are events */
	int prot;           /* the protection the program asked for (restored page by page) */
};

/* Sample (reclog_sample) and forget the mappings of maps[0..*n) overlapping
 * [a, a + len); a mapping only partly covered stays (its unmapped part reads
 * as absent later). Returns the pagemap reads made. */
uint64_t reclog_maps_unmap(struct reclog_w *w, int pagemap, struct reclog_map *maps, unsigned *n,
			   uintptr_t a, size_t len);

/* io_uring instances among the fds in fd_dir (/proc/PID/fd). */
uint64_t reclog_uring_fds(const char *fd_dir);

#endif /* RECORD_RECLOG_H */
