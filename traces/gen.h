/*
 * traces/gen.h — deterministic trace generators driven by a spec string,
 * e.g. "seq:size=64M,len=4K", "uniform:size=1G,n=1M,len=64,seed=7",
 * "stride:size=64M,stride=2M", "zipf:size=1G,theta=0.99,n=10M",
 * "hotset:size=1G,hot=1%,p=90%", "chase:pages=4096", "reverse:size=64M,len=4K".
 * Common keys: size (region bytes), len (bytes per access), n (records),
 * w (write fraction), seed, anon=1 (anonymous region), pages (size in 4 KiB pages),
 * align (offset alignment; defaults to len for random kinds).
 * Same spec -> the same records on every machine (own PRNG, no libm in the
 * record stream except where documented).
 */
#ifndef TRACES_GEN_H
#define TRACES_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "traces/trace.h"

struct gen;

/* Parse spec; on error -EINVAL with a message naming the key, value and limit. */
int gen_create(const char *spec, struct gen **out, char *err, size_t errlen);
/* Header the generated trace will carry (spec normalised, region, nrec). */
const struct trace_hdr *gen_hdr(const struct gen *g);
/* Next up to max records; *n = 0 at the end. */
void gen_next(struct gen *g, struct trace_rec *recs, size_t max, size_t *n);
void gen_destroy(struct gen *g);

/* Generate spec straight into a trace file. Returns 0 or -errno (message printed). */
int gen_to_file(const char *spec, const char *path);

/* List of generator kinds with one-line help, NULL-terminated. */
extern const char *const gen_kinds_help[];

#endif /* TRACES_GEN_H */
