/*
 * analysis/reason.h — the model's reason in words for one model case: its
 * two largest cycle components (the "breakdown" object of a model case,
 * sim/sim.h enum sim_comp), faults per page and syscalls per record.
 * Shared by `mapbench whatif` and `mapbench report`.
 */
#ifndef ANALYSIS_REASON_H
#define ANALYSIS_REASON_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

/*
 * Write e.g. "62% fault, 20% user; 1 fault per 16.0 pages; 0.00 syscalls per
 * record" into buf. mod may be NULL ("no model result"); nrec = records of
 * the trace (0: no syscall rate), pages = working set in 4 KiB pages (0: no
 * fault rate).
 */
void an_model_reason(const json_t *mod, uint64_t nrec, double pages, char *buf, size_t len);

#endif /* ANALYSIS_REASON_H */
