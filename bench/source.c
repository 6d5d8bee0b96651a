/*
 * bench/source.c — record sources backed by the traces library: a trace
 * file (binary .mtr or text; "@path" or an existing path) or a generator
 * spec (anything else, e.g. "seq:size=24M,len=1"). A generator source
 * rewinds by re-creating the generator (same spec, same records).
 */
#include "bench/bench.h"
#include "traces/gen.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct fsrc {
	struct trace_reader *rd; /* trace file reader, or NULL */
	struct gen *g;           /* generator, or NULL */
	char *spec;              /* generator spec (for rewind) */
	struct trace_hdr hdr;    /* header copy */
};

static int f_read(struct bench_src *s, struct trace_rec *recs, size_t max, size_t *n)
{
	struct fsrc *f = s->priv;
	int e;

	if (f->g) {
		gen_next(f->g, recs, max, n);
		return 0;
	}
	if ((e = trace_reader_read(f->rd, recs, max, n)))
		snprintf(s->err, sizeof(s->err), "%s", trace_reader_error(f->rd));
	return e;
}

static int f_rewind(struct bench_src *s)
{
	struct fsrc *f = s->priv;
	char err[512];
	int e;

	if (f->rd) {
		if ((e = trace_reader_rewind(f->rd)))
			snprintf(s->err, sizeof(s->err), "%s", trace_reader_error(f->rd));
		return e;
	}
	gen_destroy(f->g);
	f->g = NULL;
	if ((e = gen_create(f->spec, &f->g, err, sizeof(err))))
		snprintf(s->err, sizeof(s->err), "%s", err);
	return e;
}

static void f_destroy(struct bench_src *s)
{
	struct fsrc *f = s->priv;

	trace_reader_destroy(f->rd);
	gen_destroy(f->g);
	free(f->spec);
	free(f);
}

int bench_src_open(const char *trace, struct bench_src **out, char *err, size_t errlen)
{
	struct bench_src *s = calloc(1, sizeof(*s));
	struct fsrc *f = calloc(1, sizeof(*f));
	const char *path = trace[0] == '@' ? trace + 1 : trace;
	int e;

	if (!s || !f) {
		free(s);
		free(f);
		return -ENOMEM;
	}
	s->priv = f;
	s->read = f_read;
	s->rewind = f_rewind;
	s->destroy = f_destroy;
	if (trace[0] == '@' || !access(path, F_OK)) {
		e = trace_reader_open(path, &f->rd, err, errlen);
		if (!e)
			f->hdr = *trace_reader_hdr(f->rd);
	} else {
		f->spec = strdup(trace);
		e = f->spec ? gen_create(trace, &f->g, err, errlen) : -ENOMEM;
		if (!e)
			f->hdr = *gen_hdr(f->g);
	}
	if (e) {
		bench_src_destroy(s);
		return e;
	}
	s->hdr = &f->hdr;
	*out = s;
	return 0;
}
