/*
 * analysis/load.c — see load.h. Invariant: an_set holds only documents that
 * passed an_result_read's validation; accessors never return NULL.
 */
#include "analysis/load.h"
#include "common/mb.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int add_doc(struct an_set *s, struct an_result *r, const char *name)
{
	struct an_result **d = realloc(s->docs, (s->n + 1) * sizeof(*d));
	char **nm;

	if (!d)
		return -ENOMEM;
	s->docs = d;
	nm = realloc(s->names, (s->n + 1) * sizeof(*nm));
	if (!nm)
		return -ENOMEM;
	s->names = nm;
	s->docs[s->n] = r;
	s->names[s->n] = strdup(name);
	if (!s->names[s->n])
		return -ENOMEM;
	s->n++;
	return 0;
}

static int load_file(struct an_set *s, const char *path)
{
	struct an_result *r;
	int ret = an_result_read(path, &r, NULL, 0);

	if (ret)
		return ret;
	ret = add_doc(s, r, path);
	if (ret)
		an_result_destroy(r);
	return ret;
}

/* Is the file a JSON object whose "schema" names a mapbench result? */
static int is_result_file(const char *path)
{
	json_t *root = json_load_file(path, 0, NULL);
	const char *schema;
	int yes;

	if (!root)
		return 1; /* let the validating reader say what is wrong */
	schema = json_string_value(json_object_get(root, "schema"));
	yes = !json_is_object(root) || !schema || !strcmp(schema, AN_SCHEMA_NAME);
	json_decref(root);
	return yes;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int load_dir(struct an_set *s, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, before = s->n;
	int ret = 0;

	if (!d) {
		ret = -errno;
		mb_errno("analysis", ret, "cannot open directory %s", dir);
		return ret;
	}
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		char **nn;
		if (l < 6 || strcmp(e->d_name + l - 5, ".json") || e->d_name[0] == '.')
			continue;
		nn = realloc(names, (n + 1) * sizeof(*nn));
		if (!nn) {
			ret = -ENOMEM;
			break;
		}
		names = nn;
		if (asprintf(&names[n], "%s/%s", dir, e->d_name) < 0) {
			ret = -ENOMEM;
			break;
		}
		n++;
	}
	closedir(d);
	if (!ret)
		qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n && !ret; i++)
		if (is_result_file(names[i]))
			ret = load_file(s, names[i]);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (!ret && s->n == before) {
		mb_err("analysis", "%s: no mapbench result files (*.json with schema \"%s\") in this directory",
		       dir, AN_SCHEMA_NAME);
		ret = -EINVAL;
	}
	return ret;
}

int an_set_load(struct an_set *s, char *const *paths, int npaths)
{
	struct stat st;
	int ret = 0;

	memset(s, 0, sizeof(*s));
	for (int i = 0; i < npaths && !ret; i++) {
		if (stat(paths[i], &st)) {
			ret = -errno;
			mb_errno("analysis", ret, "%s", paths[i]);
		} else if (S_ISDIR(st.st_mode)) {
			ret = load_dir(s, paths[i]);
		} else {
			ret = load_file(s, paths[i]);
		}
	}
	if (ret)
		an_set_free(s);
	return ret;
}

void an_set_free(struct an_set *s)
{
	for (size_t i = 0; i < s->n; i++) {
		an_result_destroy(s->docs[i]);
		free(s->names[i]);
	}
	free(s->docs);
	free(s->names);
	memset(s, 0, sizeof(*s));
}

/* Field k (0 = spec@hash, 1 = method, 2 = cache) of the case id. */
static const char *id_field(const json_t *c, int k, char *buf, size_t len)
{
	const char *id = an_case_str(c, "id"), *p = id, *q;

	for (int i = 0; i < k && p; i++) {
		p = strchr(p, '|');
		if (p)
			p++;
	}
	if (!p) {
		snprintf(buf, len, "?");
		return buf;
	}
	q = strchr(p, '|');
	snprintf(buf, len, "%.*s", (int)(q ? (size_t)(q - p) : strlen(p)), p);
	return buf;
}

/* First string among obj[keys...] (obj itself when it is a string). */
static const char *first_str(const json_t *obj, const char *const *keys)
{
	if (json_is_string(obj))
		return json_string_value(obj);
	for (; *keys; keys++) {
		const char *s = json_string_value(json_object_get(obj, *keys));
		if (s && *s)
			return s;
	}
	return NULL;
}

const char *an_case_variant(const json_t *c, char *buf, size_t len)
{
	static const char *const keys[] = { "id", "str", "variant", NULL };
	const char *s = first_str(json_object_get(c, "method"), keys);

	if (s && strchr(s, ','))
		snprintf(buf, len, "%s", s);
	else
		id_field(c, 1, buf, len);
	return buf;
}

const char *an_case_method(const json_t *c, char *buf, size_t len)
{
	static const char *const keys[] = { "name", "method", NULL };
	const char *s = first_str(json_object_get(c, "method"), keys);
	char *comma;

	if (s)
		snprintf(buf, len, "%s", s);
	else
		id_field(c, 1, buf, len);
	comma = strchr(buf, ',');
	if (comma)
		*comma = 0;
	return buf;
}

const char *an_case_cache(const json_t *c, char *buf, size_t len)
{
	static const char *const keys[] = { "state", "name", "str", NULL };
	const char *s = first_str(json_object_get(c, "cache"), keys);

	if (s)
		snprintf(buf, len, "%s", s);
	else
		id_field(c, 2, buf, len);
	return buf;
}

const char *an_case_spec(const json_t *c, char *buf, size_t len)
{
	const char *s = json_string_value(json_object_get(json_object_get(c, "trace"), "spec"));
	char *at;

	if (s)
		snprintf(buf, len, "%s", s);
	else {
		id_field(c, 0, buf, len);
		at = strrchr(buf, '@');
		if (at)
			*at = 0;
	}
	return buf;
}

const char *an_case_pattern(const json_t *c, char *buf, size_t len)
{
	char *colon;

	an_case_spec(c, buf, len);
	colon = strchr(buf, ':');
	if (colon)
		*colon = 0;
	return buf;
}

double an_case_working_set(const json_t *c)
{
	json_t *t = json_object_get(c, "trace");
	json_t *dp = json_object_get(t, "distinct_pages");
	json_t *rb = json_object_get(t, "region_bytes");

	if (json_is_number(dp) && json_number_value(dp) > 0)
		return json_number_value(dp) * 4096.0;
	if (json_is_number(rb) && json_number_value(rb) > 0)
		return json_number_value(rb);
	return 0;
}

double an_id_number(const char *id, const char *key)
{
	const char *p = id ? strstr(id, key) : NULL;

	return p ? strtod(p + strlen(key), NULL) : 0;
}

double an_case_value(const json_t *c, const char *metric)
{
	double v;

	if (an_metric_value(an_case_metric(c, metric), &v, NULL))
		return NAN;
	return v;
}
