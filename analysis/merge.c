/*
 * analysis/merge.c — see merge.h. Invariant: the result is validated before
 * it is returned, so a merged file is as trustworthy as its inputs.
 */
#include "analysis/merge.h"
#include "common/mb.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int same_case(const json_t *a, const json_t *b)
{
	return !strcmp(an_case_str(a, "id"), an_case_str(b, "id")) &&
	       !strcmp(an_case_str(a, "source"), an_case_str(b, "source")) &&
	       !strcmp(an_case_str(a, "profile"), an_case_str(b, "profile"));
}

int an_merge(const struct an_set *set, int replace, struct an_result **out)
{
	struct an_result *r;
	json_t *cases, *from;
	int partial = 0;
	char err[512];

	*out = NULL;
	if (!set->n)
		return -EINVAL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->root = json_deep_copy(set->docs[0]->root);
	cases = json_array();
	from = json_array();
	if (!r->root || !cases || !from)
		goto nomem;
	json_object_set_new(r->root, "cases", cases);
	for (size_t d = 0; d < set->n; d++) {
		json_t *root = set->docs[d]->root, *c;
		size_t i;
		partial |= json_is_true(json_object_get(root, "partial"));
		json_array_append_new(from, json_pack("{s:s, s:O, s:O, s:O}", "file", set->names[d],
			"timestamp", json_object_get(root, "timestamp"), "tool", json_object_get(root, "tool"),
			"host", json_object_get(root, "host")));
		json_array_foreach(an_result_cases(set->docs[d]), i, c) {
			size_t k, n = json_array_size(cases);
			for (k = 0; k < n; k++)
				if (same_case(json_array_get(cases, k), c))
					break;
			if (k < n && !replace) {
				mb_err("merge", "%s: case %s (source %s%s%s) already present in an earlier input; "
				       "use --replace to keep the later one", set->names[d], an_case_str(c, "id"),
				       an_case_str(c, "source"), *an_case_str(c, "profile") ? ", profile " : "",
				       an_case_str(c, "profile"));
				an_result_destroy(r);
				json_decref(from);
				return -EINVAL;
			}
			if (k < n)
				json_array_set_new(cases, k, json_deep_copy(c));
			else
				json_array_append_new(cases, json_deep_copy(c));
		}
	}
	json_object_set_new(r->root, "partial", json_boolean(partial));
	json_object_set_new(an_result_options(r), "merged_from", from);
	if (an_result_validate(r->root, "merged result", err, sizeof(err))) {
		mb_err("merge", "%s", err);
		an_result_destroy(r);
		return -EINVAL;
	}
	*out = r;
	return 0;
nomem:
	json_decref(cases);
	json_decref(from);
	an_result_destroy(r);
	return -ENOMEM;
}
