/*
 * fuzz/fuzz_trace_text.c — libFuzzer target: the text form of a trace
 * ("# mapbench-trace v1" ...) through trace_reader_open()/read()/rewind()
 * on a memfd path. Oracle: fuzz/fuzz_trace.h. Inputs not starting with the
 * text magic still go through (they test the form detection).
 */
#include "fuzz/fuzz_trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	struct fuzz_drain d;
	int fd = fuzz_memfd(data, size, path, sizeof(path));

	if (fd < 0)
		return 0;
	fuzz_trace_drain(path, &d);
	close(fd);
	return 0;
}
