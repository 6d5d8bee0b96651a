/*
 * sim/tests/test_stdio.c — the glibc stdio rules of the fread twin
 * (shared/KERNEL-NOTES.md "glibc stdio"): the buffer-size rule and the
 * read() counts of a 1 MiB file read to EOF with a 4096-byte buffer, plus
 * the fseek rules, and the fread method through the whole model.
 */
#include "simtest.h"
#include "sim/sim_int.h"

struct fakefile {
	uint64_t size;  /* file size */
	uint64_t reads; /* read() calls */
};

static uint64_t fake_read(void *ctx, uint64_t off, uint64_t n)
{
	struct fakefile *f = ctx;
	f->reads++;
	if (off >= f->size)
		return 0;
	return off + n > f->size ? f->size - off : n;
}

/* fread(req) for every req-sized piece of the file (the last may cross EOF). */
static uint64_t reads_to_eof(uint64_t size, uint64_t bufsize, uint64_t req)
{
	struct fakefile f = { size, 0 };
	struct stdio io;
	uint64_t copy = 0;

	stdio_init(&io, bufsize);
	for (uint64_t pos = 0; pos < size; pos += req)
		stdio_fread(&io, req, fake_read, &f, &copy);
	return f.reads;
}

int main(void)
{
	struct sim_profile vm;
	static const uint64_t req[4] = { 1, 4097, 8192, 65536 }, want[4] = { 256, 257, 128, 16 };

	tap_eq_u64(stdio_buffer_size(0, 4096), 4096, "buffer = st_blksize when 0 < st_blksize < 8192");
	tap_eq_u64(stdio_buffer_size(0, 65536), 8192, "buffer = 8192 when st_blksize >= 8192");
	tap_eq_u64(stdio_buffer_size(0, 0), 8192, "buffer = 8192 when st_blksize is 0");
	tap_eq_u64(stdio_buffer_size(1000, 4096), 1000, "setvbuf size wins");
	for (int i = 0; i < 4; i++)
		tap_eq_u64(reads_to_eof(1 << 20, 4096, req[i]), want[i],
			   "1 MiB file, 4096 buffer, request %llu: read() calls", (unsigned long long)req[i]);

	/* fseek inside the buffer keeps it (one lseek); outside, realigns and refills */
	struct fakefile f = { 1 << 20, 0 };
	struct stdio io;
	uint64_t copy = 0, lseeks = 0;
	stdio_init(&io, 4096);
	stdio_fread(&io, 10, fake_read, &f, &copy);
	stdio_fseek(&io, 100, fake_read, &f, &lseeks);
	stdio_fread(&io, 10, fake_read, &f, &copy);
	tap_ok(f.reads == 1 && lseeks == 1, "fseek inside the buffer: no read, one lseek (reads %llu, lseeks %llu)",
	       (unsigned long long)f.reads, (unsigned long long)lseeks);
	stdio_fseek(&io, 50000, fake_read, &f, &lseeks);
	tap_ok(f.reads == 2 && io.rbase == 49152 && io.pos == 50000,
	       "fseek outside: lseek to the aligned block and one buffer read (rbase %llu)",
	       (unsigned long long)io.rbase);

	/* the fread method through the model: 1-byte sequential records over 1 MiB */
	st_profile("vm-host", &vm);
	struct an_case_opts o;
	struct sim_stats st;
	struct st_pat p = { 0, 1, 1 << 20, 1, TRACE_OP_READ };
	an_case_opts_default(&o);
	o.method = AN_METHOD_FREAD;
	o.cache = AN_CACHE_TMPFS;
	if (!st_run(&vm, &o, 0, 1 << 20, &p, 1, &st, NULL)) {
		tap_eq_u64(st.st[SIM_ST_SYSCALLS_READ], 256, "fread method, 1-byte records, 1 MiB tmpfs: 256 read()");
		tap_eq_u64(st.st[SIM_ST_SYSCALLS_LSEEK], 0, "... and no fseek");
	}
	return tap_done();
}
