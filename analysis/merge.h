/*
 * analysis/merge.h — merge several result documents into one: the first
 * document's root (schema, tool, host, options, timestamp) with the cases of
 * all of them appended in order. A case is identified by id + source +
 * profile; a duplicate is an error unless replace is set, in which case the
 * later one wins (in the position of the earlier). The merged document is
 * partial when any input was. Inputs from different hosts are kept apart in
 * "merged_from" (file, host, timestamp) so nothing is silently lost.
 */
#ifndef ANALYSIS_MERGE_H
#define ANALYSIS_MERGE_H

#include "analysis/load.h"

/* Returns 0 and a new document, or -EINVAL (duplicate, message printed) / -ENOMEM. */
int an_merge(const struct an_set *set, int replace, struct an_result **out);

#endif /* ANALYSIS_MERGE_H */
