/*
 * analysis/reason.c — the model's reason in words from a model case's cycle
 * breakdown (analysis/reason.h).
 */
#include "analysis/reason.h"
#include "analysis/load.h"
#include "common/mb.h"

#include <math.h>
#include <stdio.h>

static double bd_cycles(const json_t *c, const char *comp)
{
	json_t *v = json_object_get(json_object_get(c, "breakdown"), comp);

	return v ? json_number_value(v) : NAN;
}

void an_model_reason(const json_t *mod, uint64_t nrec, double pages, char *buf, size_t len)
{
	static const char *const comps[] = { "user", "tlb", "walk", "fault", "syscall", "copy", "io" };
	double cyc[7], tot = 0;
	int a = -1, b = -1;
	size_t o = 0;

	if (!mod) {
		mb_sfmt(buf, len, "no model result");
		return;
	}
	for (int i = 0; i < 7; i++) {
		cyc[i] = bd_cycles(mod, comps[i]);
		if (isnan(cyc[i]))
			cyc[i] = 0;
		tot += cyc[i];
	}
	if (tot <= 0) {
		mb_sfmt(buf, len, "the model counts no cycles");
		return;
	}
	for (int i = 0; i < 7; i++) {
		if (a < 0 || cyc[i] > cyc[a]) {
			b = a;
			a = i;
		} else if (b < 0 || cyc[i] > cyc[b]) {
			b = i;
		}
	}
	o += (size_t)snprintf(buf + o, len - o, "%.0f%% %s", 100 * cyc[a] / tot, comps[a]);
	if (b >= 0 && cyc[b] > 0)
		o += (size_t)snprintf(buf + o, len - o, ", %.0f%% %s", 100 * cyc[b] / tot, comps[b]);
	double f = an_case_value(mod, "faults.total"), sc = an_case_value(mod, "syscalls");
	if (o < len && !isnan(f) && f > 0 && pages > 0)
		o += (size_t)snprintf(buf + o, len - o, "; 1 fault per %.1f pages", pages / f);
	if (o < len && !isnan(sc) && sc > 0 && nrec)
		snprintf(buf + o, len - o, "; %.2f syscalls per record", sc / (double)nrec);
}
