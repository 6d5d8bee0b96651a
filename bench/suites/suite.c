/*
 * bench/suites/suite.c — the suite parser and case expansion (format in
 * suite.h). One pass over the lines with textual includes; each line's values
 * are validated as they are read, so an error names the exact file:line, key
 * and value; a group is expanded into cases (trace × method × cache) when the
 * next section header or the end of input closes it.
 *
 * Invariants: nothing is added to a suite that an_case_opts_set() and
 * an_case_opts_check() refused; on any error the partially built suite is
 * destroyed and only the message survives.
 */
#include "bench/suites/suite.h"
#include "analysis/caseid.h"
#include "common/mb.h"
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* snprintf that truncates silently (paths and messages are bounded on purpose). */

/* ---- keys ---------------------------------------------------------------- */

enum key {
	K_TRACE = 0, K_METHOD, K_CACHE,  /* lists: a repeated key appends */
	K_REPS, K_PROFILE, K_SIDES, K_RUN_ARGS, K_SIM_ARGS, K_NAME, K_DESCRIPTION,
	K__COUNT
};

enum section { SEC_NONE = 0, SEC_SUITE, SEC_DEFAULTS, SEC_GROUP };
#define IN(s) (1u << (s))

static const struct key_def {
	const char *name;  /* key as written */
	int list;          /* 1: repeated key appends, 0: once per section */
	unsigned sections; /* IN(section) mask where the key is allowed */
} keys[K__COUNT] = {
	[K_TRACE] = { "trace", 1, IN(SEC_GROUP) },
	[K_METHOD] = { "method", 1, IN(SEC_DEFAULTS) | IN(SEC_GROUP) },
	[K_CACHE] = { "cache", 1, IN(SEC_DEFAULTS) | IN(SEC_GROUP) },
	[K_REPS] = { "reps", 0, IN(SEC_SUITE) | IN(SEC_DEFAULTS) | IN(SEC_GROUP) },
	[K_PROFILE] = { "profile", 0, IN(SEC_SUITE) | IN(SEC_DEFAULTS) | IN(SEC_GROUP) },
	[K_SIDES] = { "sides", 1, IN(SEC_DEFAULTS) | IN(SEC_GROUP) },
	[K_RUN_ARGS] = { "run-args", 1, IN(SEC_DEFAULTS) | IN(SEC_GROUP) },
	[K_SIM_ARGS] = { "sim-args", 1, IN(SEC_DEFAULTS) | IN(SEC_GROUP) },
	[K_NAME] = { "name", 0, IN(SEC_SUITE) },
	[K_DESCRIPTION] = { "description", 1, IN(SEC_SUITE) },
};

/* Values of one section (or the defaults), each a space-joined string. */
struct values {
	char *v[K__COUNT];       /* NULL = not set here */
	char where[K__COUNT][160]; /* file:line where first set */
};

/* Parser state across includes. */
struct parser {
	struct suite *s;          /* suite being built */
	enum section sec;         /* current section */
	char group[128];          /* current group name */
	char group_where[160];    /* file:line of its header */
	struct values cur;        /* current section's values */
	struct values defaults;   /* [defaults] accumulated */
	struct values suite;      /* [suite] values */
	int last_key;             /* key of the previous key line (for continuations), -1 none */
	unsigned seen;            /* 1 << key for keys set since the last section header */
	char **groups;            /* names seen, for duplicates */
	size_t ngroups;           /* count */
	char *err;                /* message buffer */
	size_t errlen;            /* its size */
};

static int fail(struct parser *p, const char *where, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(struct parser *p, const char *where, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(p->err, p->errlen, "%s: ", where);

	if (n < 0 || (size_t)n >= p->errlen)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static void values_clear(struct values *v)
{
	for (int k = 0; k < K__COUNT; k++) {
		free(v->v[k]);
		v->v[k] = NULL;
		v->where[k][0] = 0;
	}
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s ? s : "");

	if (!d) {
		mb_err("suite", "out of memory");
		abort();
	}
	return d;
}

static char *join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *d = malloc(la + lb + 2);

	if (!d) {
		mb_err("suite", "out of memory");
		abort();
	}
	memcpy(d, a, la);
	d[la] = ' ';
	memcpy(d + la + 1, b, lb + 1);
	return d;
}

/* "--" + name, allocated. */
static char *dashdash(const char *name)
{
	char *d = malloc(strlen(name) + 3);

	if (!d) {
		mb_err("suite", "out of memory");
		abort();
	}
	d[0] = d[1] = '-';
	strcpy(d + 2, name);
	return d;
}

/* ---- item validation --------------------------------------------------- */

/* Next whitespace-separated word of *s into buf; 0 at the end. */
static int next_word(const char **s, char *buf, size_t len)
{
	const char *p = *s;
	size_t n = 0;

	while (*p && isspace((unsigned char)*p))
		p++;
	if (!*p)
		return 0;
	while (p[n] && !isspace((unsigned char)p[n]))
		n++;
	if (n >= len)
		n = len - 1;
	memcpy(buf, p, n);
	buf[n] = 0;
	*s = p + n;
	while (**s && !isspace((unsigned char)**s))
		(*s)++;
	return 1;
}

/* Does a generator spec ask for an anonymous region? */
static int spec_is_anon(const char *spec)
{
	const char *p = strchr(spec, ':');

	while (p) {
		p++;
		if (!strncmp(p, "anon=", 5))
			return p[5] == '1' || p[5] == 'y' || p[5] == 't';
		p = strchr(p, ',');
	}
	return 0;
}

/* Trace item: @FILE, or KIND[:k=v[,k=v]...]. */
static int check_trace(const char *t, char *why, size_t len)
{
	const char *p = t;

	if (t[0] == '@') {
		if (!t[1]) {
			mb_sfmt(why, len, "'@' needs a trace file path");
			return -EINVAL;
		}
		return 0;
	}
	if (!isalpha((unsigned char)*p)) {
		mb_sfmt(why, len, "a generator spec starts with its kind (seq, reverse, stride, uniform, zipf, hotset, chase)");
		return -EINVAL;
	}
	while (isalnum((unsigned char)*p) || *p == '_' || *p == '-')
		p++;
	if (!*p)
		return 0;
	if (*p != ':') {
		mb_sfmt(why, len, "expected KIND:key=value,... (character '%c' after the kind)", *p);
		return -EINVAL;
	}
	p++;
	for (;;) {
		const char *eq = NULL, *q = p;
		while (*q && *q != ',') {
			if (*q == '=' && !eq)
				eq = q;
			q++;
		}
		if (!eq || eq == p || eq + 1 == q) {
			mb_sfmt(why, len, "parameter '%.*s' is not key=value", (int)(q - p), p);
			return -EINVAL;
		}
		if (!*q)
			return 0;
		p = q + 1;
	}
}

/*
 * Apply a method item "NAME[,opt[=val]...]" to o. When argv/argc are given,
 * append the equivalent command-line words to them.
 */
static int method_apply(const char *item, struct an_case_opts *o, char **argv, size_t *argc,
			char *why, size_t len)
{
	char buf[256], *tok, *save = NULL;
	int first = 1;

	if (strlen(item) >= sizeof(buf)) {
		mb_sfmt(why, len, "method item longer than %zu characters", sizeof(buf) - 1);
		return -EINVAL;
	}
	strcpy(buf, item);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *val = strchr(tok, '=');
		const char *name = tok;
		int r;

		if (val)
			*val++ = 0;
		if (first) {
			if (val) {
				mb_sfmt(why, len, "a method item starts with the method name, not '%s='", tok);
				return -EINVAL;
			}
			val = tok;
			name = "method";
			first = 0;
		} else if (!val && (!strcmp(tok, "shared") || !strcmp(tok, "private"))) {
			val = tok;
			name = "map";
		} else if (!strcmp(tok, "method") || !strcmp(tok, "cache")) {
			mb_sfmt(why, len, "option '%s' belongs in its own key, not in a method item", tok);
			return -EINVAL;
		}
		r = an_case_opts_set(o, name, val, why, len);
		if (r == 0) {
			mb_sfmt(why, len, "unknown method option '%s' (see mapbench run --help)", name);
			return -EINVAL;
		}
		if (r < 0)
			return r;
		if (!argv)
			continue;
		if (an_case_opts_takes_value(name)) {
			argv[(*argc)++] = dashdash(name);
			argv[(*argc)++] = xstrdup(val);
		} else if (!val || !*val || !strcmp(val, "1") || !strcmp(val, "yes")) {
			argv[(*argc)++] = dashdash(name);
		}
	}
	if (first) {
		mb_sfmt(why, len, "empty method item");
		return -EINVAL;
	}
	return 0;
}

static int check_method(const char *item, char *why, size_t len)
{
	struct an_case_opts o;

	an_case_opts_default(&o);
	return method_apply(item, &o, NULL, NULL, why, len);
}

static int check_cache(const char *item, char *why, size_t len)
{
	struct an_case_opts o;

	an_case_opts_default(&o);
	if (!strcmp(item, "none")) {
		mb_sfmt(why, len, "cache none is implied for anonymous cases; list file states only");
		return -EINVAL;
	}
	return an_case_opts_set(&o, "cache", item, why, len) < 0 ? -EINVAL : 0;
}

static int parse_count(const char *s, unsigned lo, unsigned hi, unsigned *out)
{
	uint64_t v;

	if (mb_parse_u64(s, &v) || v < lo || v > hi)
		return -EINVAL;
	*out = (unsigned)v;
	return 0;
}

/* Validate the words of one key line. */
static int check_value(struct parser *p, const char *where, enum key k, const char *val)
{
	char word[512], why[384];
	const char *s = val;
	unsigned u, nwords = 0;

	while (next_word(&s, word, sizeof(word))) {
		nwords++;
		why[0] = 0;
		switch (k) {
		case K_TRACE:
			if (check_trace(word, why, sizeof(why)))
				return fail(p, where, "key 'trace': bad value '%s': %s", word, why);
			break;
		case K_METHOD:
			if (check_method(word, why, sizeof(why)))
				return fail(p, where, "key 'method': bad value '%s': %s", word, why);
			break;
		case K_CACHE:
			if (check_cache(word, why, sizeof(why)))
				return fail(p, where, "key 'cache': bad value '%s': %s", word, why);
			break;
		case K_REPS:
			if (nwords > 1 || parse_count(word, 1, SUITE_MAX_REPS, &u))
				return fail(p, where, "key 'reps': bad value '%s' (expected one count from 1 to %u)",
					    val, SUITE_MAX_REPS);
			break;
		case K_SIDES:
			if (strcmp(word, "native") && strcmp(word, "model"))
				return fail(p, where, "key 'sides': bad value '%s' (expected native and/or model)", word);
			break;
		case K_PROFILE:
		case K_NAME:
			if (nwords > 1)
				return fail(p, where, "key '%s': bad value '%s' (expected one word)", keys[k].name, val);
			break;
		default:
			break;
		}
	}
	if (!nwords && k != K_DESCRIPTION && k != K_RUN_ARGS && k != K_SIM_ARGS)
		return fail(p, where, "key '%s': empty value", keys[k].name);
	return 0;
}

/* ---- expansion ---------------------------------------------------------- */

static const char *pick(const struct parser *p, enum key k)
{
	if (p->cur.v[k])
		return p->cur.v[k];
	if (p->defaults.v[k])
		return p->defaults.v[k];
	return p->suite.v[k];
}

static int add_case(struct parser *p, const char *trace, int anon, const char *method,
		    const char *cache, unsigned reps, const char *profile, unsigned sides,
		    const char *dir)
{
	struct suite *s = p->s;
	struct suite_case *c;

	if (s->ncases >= SUITE_MAX_CASES)
		return fail(p, p->group_where, "group '%s': suite has more than %u cases", p->group,
			    SUITE_MAX_CASES);
	if (!(s->ncases & (s->ncases + 1)) || !s->cases) {
		size_t cap = (s->ncases + 1) * 2;
		struct suite_case *n = realloc(s->cases, cap * sizeof(*n));
		if (!n)
			return fail(p, p->group_where, "out of memory at %zu cases", s->ncases);
		s->cases = n;
	}
	c = &s->cases[s->ncases++];
	memset(c, 0, sizeof(*c));
	c->index = (unsigned)s->ncases;
	c->group = xstrdup(p->group);
	if (trace[0] == '@' && trace[1] != '/' && dir) {
		char path[PATH_MAX];
		mb_sfmt(path, sizeof(path), "@%s/%s", dir, trace + 1);
		c->trace = xstrdup(path);
	} else {
		c->trace = xstrdup(trace);
	}
	c->anon = anon;
	c->method = xstrdup(method);
	c->cache = xstrdup(cache);
	c->reps = reps;
	c->profile = xstrdup(profile);
	c->run_args = xstrdup(pick(p, K_RUN_ARGS) ? pick(p, K_RUN_ARGS) : "");
	c->sim_args = xstrdup(pick(p, K_SIM_ARGS) ? pick(p, K_SIM_ARGS) : "");
	c->sides = sides;
	c->where = xstrdup(p->group_where);
	return 0;
}

/* Close the current group: expand trace × method × cache. */
static int close_group(struct parser *p, const char *dir)
{
	const char *traces = p->cur.v[K_TRACE], *methods = pick(p, K_METHOD);
	const char *caches = pick(p, K_CACHE), *sides_s = pick(p, K_SIDES);
	const char *reps_s = pick(p, K_REPS), *profile = pick(p, K_PROFILE);
	char t[512], m[512], cw[512], why[384];
	const char *ts, *ms, *cs;
	unsigned reps = 0, sides = 0;
	size_t before = p->s->ncases;
	int r;

	if (p->sec != SEC_GROUP)
		return 0;
	if (!traces)
		return fail(p, p->group_where, "group '%s': key 'trace' missing", p->group);
	if (!methods)
		return fail(p, p->group_where, "group '%s': key 'method' missing (here or in [defaults])",
			    p->group);
	if (reps_s)
		parse_count(reps_s, 1, SUITE_MAX_REPS, &reps);
	if (sides_s) {
		if (strstr(sides_s, "native"))
			sides |= SUITE_NATIVE;
		if (strstr(sides_s, "model"))
			sides |= SUITE_MODEL;
	} else {
		sides = SUITE_NATIVE | SUITE_MODEL;
	}
	for (ts = traces; next_word(&ts, t, sizeof(t));) {
		int anon = t[0] != '@' && spec_is_anon(t);
		for (ms = methods; next_word(&ms, m, sizeof(m));) {
			struct an_case_opts o;
			struct trace_hdr h;

			memset(&h, 0, sizeof(h));
			h.region_kind = anon ? TRACE_REGION_ANON : TRACE_REGION_FILE;
			an_case_opts_default(&o);
			method_apply(m, &o, NULL, NULL, why, sizeof(why));
			if (o.method == AN_METHOD_ANON && !anon && t[0] != '@')
				return fail(p, p->group_where,
					    "group '%s': method '%s' needs an anonymous trace, but '%s' has no anon=1",
					    p->group, m, t);
			if (anon || o.method == AN_METHOD_ANON) {
				if (an_case_opts_check(&o, &h, why, sizeof(why)))
					return fail(p, p->group_where, "group '%s': trace '%s' with method '%s': %s",
						    p->group, t, m, why);
				r = add_case(p, t, 1, m, "none", reps, profile ? profile : "host", sides, dir);
				if (r)
					return r;
				continue;
			}
			if (!caches)
				return fail(p, p->group_where,
					    "group '%s': key 'cache' missing for file trace '%s'", p->group, t);
			for (cs = caches; next_word(&cs, cw, sizeof(cw));) {
				an_case_opts_default(&o);
				method_apply(m, &o, NULL, NULL, why, sizeof(why));
				an_case_opts_set(&o, "cache", cw, why, sizeof(why));
				if (an_case_opts_check(&o, &h, why, sizeof(why)))
					return fail(p, p->group_where, "group '%s': method '%s' with cache '%s': %s",
						    p->group, m, cw, why);
				r = add_case(p, t, 0, m, cw, reps, profile ? profile : "host", sides, dir);
				if (r)
					return r;
			}
		}
	}
	if (p->s->ncases == before)
		return fail(p, p->group_where, "group '%s' expands to no case", p->group);
	return 0;
}

/* ---- lines -------------------------------------------------------------- */

static int parse_buf(struct parser *p, const char *buf, size_t len, const char *name,
		     const char *dir, int depth);

static int do_include(struct parser *p, const char *where, const char *arg, const char *dir,
		      int depth)
{
	char path[PATH_MAX], ndir[PATH_MAX], *slash;
	FILE *f;
	char *data = NULL;
	size_t cap = 0, n = 0, got;
	int r;

	if (!dir)
		return fail(p, where, "include '%s': includes are not allowed here", arg);
	if (depth + 1 >= SUITE_MAX_INCLUDE)
		return fail(p, where, "include '%s': nesting deeper than %d (an include cycle?)", arg,
			    SUITE_MAX_INCLUDE);
	if (arg[0] == '/')
		mb_sfmt(path, sizeof(path), "%s", arg);
	else
		mb_sfmt(path, sizeof(path), "%s/%s", dir, arg);
	if (access(path, R_OK) && !strchr(arg, '/'))
		mb_sfmt(path, sizeof(path), "%s/%s", suite_builtin_dir(), arg);
	f = fopen(path, "r");
	if (!f)
		return fail(p, where, "include '%s': cannot open %s: %s", arg, path, strerror(errno));
	do {
		if (n + 4096 > cap) {
			char *d = realloc(data, cap = cap * 2 + 8192);
			if (!d) {
				free(data);
				fclose(f);
				return fail(p, where, "include '%s': out of memory", arg);
			}
			data = d;
		}
		got = fread(data + n, 1, cap - n, f);
		n += got;
	} while (got > 0);
	fclose(f);
	mb_sfmt(ndir, sizeof(ndir), "%s", path);
	slash = strrchr(ndir, '/');
	if (slash)
		*slash = 0;
	r = parse_buf(p, data ? data : "", n, path, slash ? ndir : ".", depth + 1);
	free(data);
	return r;
}

static void trim(char *s)
{
	size_t n = strlen(s);

	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = 0;
	if (isspace((unsigned char)*s)) {
		char *q = s;
		while (isspace((unsigned char)*q))
			q++;
		memmove(s, q, strlen(q) + 1);
	}
}

static int header_line(struct parser *p, const char *where, char *line, const char *dir)
{
	char *end = strchr(line, ']');
	int r = close_group(p, dir);

	if (r)
		return r;
	values_clear(&p->cur);
	p->last_key = -1;
	p->seen = 0;
	if (!end || end[1])
		return fail(p, where, "section header '%s': expected [NAME] alone on the line", line);
	*end = 0;
	trim(line + 1);
	if (!line[1])
		return fail(p, where, "section header '[]': empty name");
	if (!strcmp(line + 1, "suite")) {
		p->sec = SEC_SUITE;
		return 0;
	}
	if (!strcmp(line + 1, "defaults")) {
		p->sec = SEC_DEFAULTS;
		return 0;
	}
	for (const char *q = line + 1; *q; q++)
		if (!isalnum((unsigned char)*q) && !strchr("-_.:+", *q))
			return fail(p, where, "section name '%s': character '%c' not allowed (letters, digits, - _ . : +)",
				    line + 1, *q);
	if (strlen(line + 1) >= sizeof(p->group))
		return fail(p, where, "section name '%s': longer than %zu characters", line + 1,
			    sizeof(p->group) - 1);
	for (size_t i = 0; i < p->ngroups; i++)
		if (!strcmp(p->groups[i], line + 1))
			return fail(p, where, "section name '%s': used twice", line + 1);
	{
		char **g = realloc(p->groups, (p->ngroups + 1) * sizeof(*g));
		if (!g)
			return fail(p, where, "out of memory");
		p->groups = g;
		p->groups[p->ngroups++] = xstrdup(line + 1);
	}
	p->sec = SEC_GROUP;
	mb_sfmt(p->group, sizeof(p->group), "%s", line + 1);
	mb_sfmt(p->group_where, sizeof(p->group_where), "%s", where);
	return 0;
}

static struct values *section_values(struct parser *p)
{
	if (p->sec == SEC_SUITE)
		return &p->suite;
	if (p->sec == SEC_DEFAULTS)
		return &p->defaults;
	return &p->cur;
}

static const char *section_name(enum section s)
{
	return s == SEC_SUITE ? "[suite]" : s == SEC_DEFAULTS ? "[defaults]" : "a group";
}

static int key_line(struct parser *p, const char *where, char *line)
{
	char *eq = strchr(line, '=');
	struct values *v;
	int k;

	if (!eq)
		return fail(p, where, "line '%s': expected key = value, [section] or include FILE", line);
	*eq = 0;
	trim(line);
	trim(eq + 1);
	for (k = 0; k < K__COUNT; k++)
		if (!strcmp(keys[k].name, line))
			break;
	if (k == K__COUNT)
		return fail(p, where, "key '%s': unknown (trace, method, cache, reps, profile, sides, run-args, sim-args; [suite]: name, description)",
			    line);
	if (p->sec == SEC_NONE)
		return fail(p, where, "key '%s': outside any section (start with [suite], [defaults] or [GROUP])",
			    line);
	if (!(keys[k].sections & IN(p->sec)))
		return fail(p, where, "key '%s': not allowed in %s", line, section_name(p->sec));
	if (check_value(p, where, (enum key)k, eq + 1))
		return -EINVAL;
	v = section_values(p);
	if ((p->seen & (1u << k)) && !keys[k].list)
		return fail(p, where, "key '%s': given twice in this section (first at %s)", line,
			    v->where[k]);
	if (p->seen & (1u << k)) {
		char *j = join(v->v[k], eq + 1);
		free(v->v[k]);
		v->v[k] = j;
	} else {
		free(v->v[k]);
		v->v[k] = xstrdup(eq + 1);
		mb_sfmt(v->where[k], sizeof(v->where[k]), "%s", where);
	}
	p->seen |= 1u << k;
	p->last_key = k;
	return 0;
}

static int continuation_line(struct parser *p, const char *where, char *line)
{
	struct values *v = section_values(p);
	int k = p->last_key;
	char *j;

	if (k < 0 || !v->v[k])
		return fail(p, where, "indented line '%s' continues no key", line);
	if (check_value(p, where, (enum key)k, line))
		return -EINVAL;
	if (!keys[k].list)
		return fail(p, where, "key '%s': takes one value, cannot continue on '%s'", keys[k].name, line);
	j = join(v->v[k], line);
	free(v->v[k]);
	v->v[k] = j;
	return 0;
}

static int parse_buf(struct parser *p, const char *buf, size_t len, const char *name,
		     const char *dir, int depth)
{
	size_t pos = 0;
	unsigned lineno = 0;

	while (pos < len) {
		size_t e = pos;
		char line[4096], where[160], *hash;
		int indented, r;

		while (e < len && buf[e] != '\n')
			e++;
		lineno++;
		mb_sfmt(where, sizeof(where), "%s:%u", name, lineno);
		if (e - pos >= sizeof(line))
			return fail(p, where, "line longer than %zu characters", sizeof(line) - 1);
		if (memchr(buf + pos, 0, e - pos))
			return fail(p, where, "NUL byte in line (not a text file?)");
		memcpy(line, buf + pos, e - pos);
		line[e - pos] = 0;
		pos = e + 1;
		indented = line[0] == ' ' || line[0] == '\t';
		/* comments: whole-line # or ;, or " #" / "\t#" inside */
		for (hash = line; (hash = strchr(hash, '#')); hash++)
			if (hash == line || isspace((unsigned char)hash[-1])) {
				*hash = 0;
				break;
			}
		trim(line);
		if (!line[0] || line[0] == ';')
			continue;
		for (char *q = line; *q; q++)
			if ((unsigned char)*q < 0x20 && *q != '\t')
				return fail(p, where, "control character 0x%02x in line", (unsigned char)*q);
		if (line[0] == '[')
			r = header_line(p, where, line, dir);
		else if (!strncmp(line, "include", 7) && isspace((unsigned char)line[7]) && !strchr(line, '=')) {
			char *arg = line + 7;
			trim(arg);
			r = do_include(p, where, arg, dir, depth);
		} else if (indented)
			r = continuation_line(p, where, line);
		else
			r = key_line(p, where, line);
		if (r)
			return r;
	}
	return 0;
}

/* ---- public ------------------------------------------------------------- */

const char *suite_builtin_dir(void)
{
	const char *e = getenv("MAPBENCH_SUITES");

	return e && *e ? e : MAPBENCH_SOURCE_ROOT "/bench/suites";
}

int suite_resolve(const char *name, char *path, size_t len, char *err, size_t errlen)
{
	struct stat st;

	if (!stat(name, &st) && S_ISREG(st.st_mode)) {
		mb_sfmt(path, len, "%s", name);
		return 0;
	}
	if (!strchr(name, '/')) {
		mb_sfmt(path, len, "%s/%s.suite", suite_builtin_dir(), name);
		if (!stat(path, &st) && S_ISREG(st.st_mode))
			return 0;
	}
	mb_sfmt(err, errlen, "suite '%s': no such file and no built-in suite of that name in %s "
		 "(built-in: quick, default, crosscheck, seed, tlb-reach, pressure)", name, suite_builtin_dir());
	return -ENOENT;
}

void suite_destroy(struct suite *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->ncases; i++) {
		struct suite_case *c = &s->cases[i];
		free(c->group);
		free(c->trace);
		free(c->method);
		free(c->cache);
		free(c->profile);
		free(c->run_args);
		free(c->sim_args);
		free(c->where);
	}
	free(s->cases);
	free(s->name);
	free(s->path);
	free(s->description);
	free(s);
}

int suite_parse(const char *buf, size_t len, const char *name, const char *dir,
		struct suite **out, char *err, size_t errlen)
{
	struct parser p;
	int r;

	memset(&p, 0, sizeof(p));
	p.err = err;
	p.errlen = errlen;
	p.last_key = -1;
	p.s = calloc(1, sizeof(*p.s));
	if (!p.s) {
		mb_sfmt(err, errlen, "%s: out of memory", name);
		return -ENOMEM;
	}
	p.s->path = xstrdup(name);
	r = parse_buf(&p, buf, len, name, dir, 0);
	if (!r)
		r = close_group(&p, dir);
	if (!r && !p.s->ncases) {
		mb_sfmt(err, errlen, "%s: no cases (a suite needs at least one [GROUP] with trace and method)",
			 name);
		r = -EINVAL;
	}
	if (!r) {
		const char *base = strrchr(name, '/');
		char nm[256];
		mb_sfmt(nm, sizeof(nm), "%s", base ? base + 1 : name);
		if (strlen(nm) > 6 && !strcmp(nm + strlen(nm) - 6, ".suite"))
			nm[strlen(nm) - 6] = 0;
		p.s->name = xstrdup(p.suite.v[K_NAME] ? p.suite.v[K_NAME] : nm);
		p.s->description = xstrdup(p.suite.v[K_DESCRIPTION]);
	}
	values_clear(&p.cur);
	values_clear(&p.defaults);
	values_clear(&p.suite);
	for (size_t i = 0; i < p.ngroups; i++)
		free(p.groups[i]);
	free(p.groups);
	if (r) {
		suite_destroy(p.s);
		return r;
	}
	*out = p.s;
	return 0;
}

int suite_load(const char *name_or_path, struct suite **out, char *err, size_t errlen)
{
	char path[PATH_MAX], dir[PATH_MAX], *slash;
	FILE *f;
	char *data = NULL;
	size_t cap = 0, n = 0, got;
	int r = suite_resolve(name_or_path, path, sizeof(path), err, errlen);

	if (r)
		return r;
	f = fopen(path, "r");
	if (!f) {
		r = -errno;
		mb_sfmt(err, errlen, "suite %s: cannot open: %s", path, strerror(errno));
		return r;
	}
	do {
		if (n + 4096 > cap) {
			char *d = realloc(data, cap = cap * 2 + 8192);
			if (!d) {
				free(data);
				fclose(f);
				mb_sfmt(err, errlen, "suite %s: out of memory", path);
				return -ENOMEM;
			}
			data = d;
		}
		got = fread(data + n, 1, cap - n, f);
		n += got;
	} while (got > 0);
	fclose(f);
	mb_sfmt(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = 0;
	r = suite_parse(data ? data : "", n, path, slash ? dir : ".", out, err, errlen);
	free(data);
	return r;
}

void suite_case_label(const struct suite_case *c, char *buf, size_t len)
{
	char kind[64] = "", size[64] = "";
	const char *t = c->trace, *colon, *p;

	if (t[0] == '@') {
		const char *b = strrchr(t, '/');
		mb_sfmt(kind, sizeof(kind), "%s", b ? b + 1 : t + 1);
	} else {
		colon = strchr(t, ':');
		mb_sfmt(kind, sizeof(kind), "%.*s", (int)(colon ? (size_t)(colon - t) : strlen(t)), t);
		for (p = colon; p; p = strchr(p, ',')) {
			p++;
			if (!strncmp(p, "size=", 5) || !strncmp(p, "pages=", 6)) {
				int pages = p[0] == 'p';
				const char *v = p + (pages ? 6 : 5);
				size_t n = strcspn(v, ",");
				mb_sfmt(size, sizeof(size), ":%.*s%s", (int)(n < 40 ? n : 40), v, pages ? "p" : "");
				break;
			}
		}
	}
	mb_sfmt(buf, len, "%s%s%s %s %s", kind, size, c->anon ? ",anon" : "", c->method, c->cache);
}

void suite_argv_free(char **argv)
{
	if (!argv)
		return;
	for (char **a = argv; *a; a++)
		free(*a);
	free(argv);
}

/* Append the words of a space-separated string. */
static void push_words(char **argv, size_t *argc, const char *s)
{
	char w[1024];

	while (next_word(&s, w, sizeof(w)))
		argv[(*argc)++] = xstrdup(w);
}

static size_t count_words(const char *s)
{
	char w[1024];
	size_t n = 0;

	while (next_word(&s, w, sizeof(w)))
		n++;
	return n;
}

char **suite_case_argv(const struct suite_case *c, enum suite_side side,
		       const struct suite_overrides *ov, const char *exe,
		       const char *trace_path, const char *out_json)
{
	size_t cap = 32 + count_words(c->run_args) + count_words(c->sim_args), argc = 0;
	char **argv = calloc(cap, sizeof(*argv));
	struct an_case_opts o;
	char why[256], num[32];

	if (!argv)
		return NULL;
	an_case_opts_default(&o);
	argv[argc++] = xstrdup(exe);
	argv[argc++] = xstrdup(side == SUITE_NATIVE ? "run" : "sim");
	argv[argc++] = xstrdup("--trace");
	argv[argc++] = xstrdup(trace_path);
	method_apply(c->method, &o, argv, &argc, why, sizeof(why));
	argv[argc++] = xstrdup("--cache");
	argv[argc++] = xstrdup(c->cache);
	if (side == SUITE_NATIVE) {
		unsigned reps = ov && ov->reps ? ov->reps : c->reps;
		if (reps) {
			mb_sfmt(num, sizeof(num), "%u", reps);
			argv[argc++] = xstrdup("--reps");
			argv[argc++] = xstrdup(num);
		}
		push_words(argv, &argc, c->run_args);
	} else {
		argv[argc++] = xstrdup("--profile");
		const char *prof = ov && ov->profile ? ov->profile : c->profile;
		if (!strcmp(prof, "host") && ov && ov->host_profile)
			prof = ov->host_profile; /* this host's calibrated profile (hostprof.h) */
		argv[argc++] = xstrdup(prof);
		push_words(argv, &argc, c->sim_args);
	}
	argv[argc++] = xstrdup("-o");
	argv[argc++] = xstrdup(out_json);
	argv[argc] = NULL;
	return argv;
}

char **suite_trace_argv(const char *spec, const char *exe, const char *path)
{
	char **argv = calloc(7, sizeof(*argv));

	if (!argv)
		return NULL;
	argv[0] = xstrdup(exe);
	argv[1] = xstrdup("trace");
	argv[2] = xstrdup("gen");
	argv[3] = xstrdup(spec);
	argv[4] = xstrdup("-o");
	argv[5] = xstrdup(path);
	return argv;
}

/* FNV-1a, 64 bit: a stable name for a spec's cached trace. */
static uint64_t fnv64(const char *s)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= UINT64_C(0x100000001b3);
	}
	return h;
}

void suite_trace_path(const struct suite_case *c, const char *dir, char *buf, size_t len)
{
	size_t k;

	if (c->trace[0] == '@') {
		mb_sfmt(buf, len, "%s", c->trace + 1);
		return;
	}
	k = strcspn(c->trace, ":");
	mb_sfmt(buf, len, "%s/traces/%.*s-%016llx.mtr", dir, (int)(k < 32 ? k : 32), c->trace,
		 (unsigned long long)fnv64(c->trace));
}

void suite_argv_print(FILE *f, char *const *argv)
{
	for (size_t i = 0; argv[i]; i++) {
		const char *a = argv[i];
		int plain = *a != 0;

		for (const char *q = a; *q; q++)
			if (!isalnum((unsigned char)*q) && !strchr("_./:=,+@%-", *q))
				plain = 0;
		if (i)
			fputc(' ', f);
		if (plain) {
			fputs(a, f);
			continue;
		}
		fputc('\'', f);
		for (const char *q = a; *q; q++) {
			if (*q == '\'')
				fputs("'\\''", f);
			else
				fputc(*q, f);
		}
		fputc('\'', f);
	}
}
