/*
 * analysis/plot.c — see plot.h. For each figure: gather the values from the
 * result cases, write a gnuplot data file ("?" marks a missing value), then
 * run the figure's script once per terminal with the data file, output name,
 * titles and per-panel ranges passed as gnuplot variables. Invariants: no
 * script is run for a figure without data; no data block handed to gnuplot is
 * empty and no panel's range is empty (either would make gnuplot warn);
 * gnuplot's stdout and stderr are captured and any "warning" fails the
 * figure; strings handed to gnuplot are quoted.
 */
#include "analysis/plot.h"
#include "analysis/compare.h"
#include "common/mb.h"
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <math.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define MAX_SERIES 16  /* curves per line figure (workset, history) */
#define MAX_SRC 4      /* bar sources: native + up to 3 model profiles */
#define MAX_BARS 7     /* bar groups (methods) per panel: with 3 sources <= 21 bars */
#define MAX_PANELS 12  /* panels per small-multiple image; more go to NAME-2, NAME-3 ... */
#define PNG_WIDTH 1600 /* every image is this wide */
#define GP_OUT 65536   /* gnuplot output captured per run */

const char *an_plot_scripts_dir(const struct an_plot_opts *o)
{
	const char *env = getenv("MAPBENCH_PLOTS");

	if (o && o->scripts)
		return o->scripts;
	if (env && *env)
		return env;
	return MAPBENCH_SOURCE_ROOT "/analysis/plots";
}

/* Run argv, stdout and stderr to /dev/null or into buf. Returns the exit status or -errno. */
static int run(char *const argv[], char *buf, size_t len)
{
	posix_spawn_file_actions_t fa;
	int pipefd[2] = { -1, -1 }, status = 0, ret;
	pid_t pid;

	if (buf && pipe(pipefd))
		return -errno;
	posix_spawn_file_actions_init(&fa);
	if (buf) {
		posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
		posix_spawn_file_actions_adddup2(&fa, pipefd[1], 2);
		posix_spawn_file_actions_addclose(&fa, pipefd[0]);
	}
	ret = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (buf) {
		close(pipefd[1]);
		buf[0] = 0;
		if (!ret) {
			size_t n = 0;
			ssize_t r;
			while (n + 1 < len && (r = read(pipefd[0], buf + n, len - n - 1)) > 0)
				n += (size_t)r;
			buf[n] = 0;
			while (read(pipefd[0], (char[256]){ 0 }, 256) > 0)
				;
		}
		close(pipefd[0]);
	}
	if (ret)
		return -ret;
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int an_plot_gnuplot_ok(char *png_term, size_t len)
{
	char *argv[] = { "gnuplot", "-e", "set terminal", NULL };
	char *out = malloc(GP_OUT);
	int ret;

	if (!out)
		return 0;
	ret = run(argv, out, GP_OUT);
	if (ret == 0)
		snprintf(png_term, len, "%s", strstr(out, "pngcairo") ? "pngcairo" : "png");
	free(out);
	return ret == 0;
}

/* ---- names ------------------------------------------------------------- */

/* A string for gnuplot's single-quoted syntax ('' stands for '). */
static void gq(char *dst, size_t len, const char *s)
{
	size_t n = 0;

	for (; *s && n + 3 < len; s++) {
		if (*s == '\'')
			dst[n++] = '\'';
		dst[n++] = *s;
	}
	dst[n] = 0;
}

/* A label safe inside a double-quoted data-file field. */
static void label(char *dst, size_t len, const char *s)
{
	size_t n = 0;

	for (; *s && n + 1 < len; s++)
		dst[n++] = (*s == '"' || *s == '\n') ? '\'' : *s;
	dst[n] = 0;
}

/* Field k (0 spec, 1 method, 2 cache) of a case id "<spec>@<hash>|<method>|<cache>". */
static void id_part(const char *id, int k, char *buf, size_t len)
{
	const char *p = id, *q;

	for (int i = 0; i < k && p; i++)
		if ((p = strchr(p, '|')))
			p++;
	if (!p) {
		snprintf(buf, len, "?");
		return;
	}
	q = strchr(p, '|');
	if (k == 0 && strchr(p, '@') && (!q || strchr(p, '@') < q))
		q = strchr(p, '@');
	snprintf(buf, len, "%.*s", (int)(q ? (size_t)(q - p) : strlen(p)), p);
}

/* "1048576" -> "1M", "65536" -> "64K"; other numbers unchanged. */
static void bytes_short(const char *v, char *out, size_t len)
{
	char *end;
	unsigned long long b = strtoull(v, &end, 10);

	if (*end || !b || end == v)
		snprintf(out, len, "%s", v);
	else if (!(b % (1ull << 30)))
		snprintf(out, len, "%lluG", b >> 30);
	else if (!(b % (1ull << 20)))
		snprintf(out, len, "%lluM", b >> 20);
	else if (!(b % 1024))
		snprintf(out, len, "%lluK", b >> 10);
	else
		snprintf(out, len, "%s", v);
}

/* "seq:size=64M,len=4K,n=..,w=0,seed=1" -> "seq 64M len=4K" (anon, writes and shape keys kept). */
static void spec_short(const char *spec, char *out, size_t len)
{
	static const char *const drop[] = { "n=", "seed=", "align=", "w=0", "anon=1", "size=" };
	char s[256], *tok, *save = NULL, *colon;
	const char *size = NULL;
	size_t o = 0;

	snprintf(s, sizeof(s), "%s", spec);
	colon = strchr(s, ':');
	out[0] = 0;
	if (strstr(s, "anon=1"))
		o += (size_t)snprintf(out + o, len - o, "anon ");
	if (colon)
		*colon = 0;
	o += (size_t)snprintf(out + o, o < len ? len - o : 0, "%s", s);
	if (!colon)
		return;
	for (tok = strtok_r(colon + 1, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (!strncmp(tok, "size=", 5))
			size = tok + 5;
	if (size && o < len)
		o += (size_t)snprintf(out + o, len - o, " %s", size);
	snprintf(s, sizeof(s), "%s", spec); /* strtok wrote into s: parse again */
	colon = strchr(s, ':');
	save = NULL;
	for (tok = strtok_r(colon + 1, ",", &save); tok && o < len; tok = strtok_r(NULL, ",", &save)) {
		int skip = 0;
		for (size_t i = 0; i < MB_ARRAY_SIZE(drop); i++)
			if (!strncmp(tok, drop[i], strlen(drop[i])) &&
			    (drop[i][strlen(drop[i]) - 1] == '=' || !tok[strlen(drop[i])]))
				skip = 1;
		if (skip)
			continue;
		if (!strncmp(tok, "w=", 2))
			o += (size_t)snprintf(out + o, len - o, " %s", !strcmp(tok, "w=1") ? "writes" : tok);
		else
			o += (size_t)snprintf(out + o, len - o, " %s", tok);
	}
}

const char *an_plot_method_name(const char *id, char *buf, size_t len)
{
	static const char *const drop[] = { "private", "madv=normal", "buf=default" };
	char m[200], *tok, *save = NULL;
	size_t o = 0;

	id_part(id, 1, m, sizeof(m));
	buf[0] = 0;
	for (tok = strtok_r(m, ",", &save); tok && o < len; tok = strtok_r(NULL, ",", &save)) {
		char v[64], *eq = strchr(tok, '=');
		int skip = 0;
		for (size_t i = 0; i < MB_ARRAY_SIZE(drop); i++)
			skip |= !strcmp(tok, drop[i]);
		if (skip)
			continue;
		if (eq) {
			*eq = 0;
			bytes_short(eq + 1, v, sizeof(v));
			o += (size_t)snprintf(buf + o, len - o, "%s%s=%s", o ? " " : "", tok, v);
		} else {
			o += (size_t)snprintf(buf + o, len - o, "%s%s", o ? " " : "", tok);
		}
	}
	return buf;
}

/* "warm-read:1048576" -> "warm-read 1M", "tmpfs:1048576" -> "tmpfs", "none" -> "" (anonymous memory). */
static void cache_name(const char *id, char *buf, size_t len)
{
	char c[96], v[32], *colon;

	id_part(id, 2, c, sizeof(c));
	colon = strchr(c, ':');
	if (!strcmp(c, "none") || !strcmp(c, "?")) {
		buf[0] = 0;
		return;
	}
	if (colon) {
		*colon = 0;
		bytes_short(colon + 1, v, sizeof(v));
		if (!strcmp(c, "tmpfs"))
			mb_sfmt(buf, len, "%s", c);
		else
			mb_sfmt(buf, len, "%s %s", c, v);
	} else {
		mb_sfmt(buf, len, "%s", c);
	}
}

const char *an_plot_panel_name(const char *id, char *buf, size_t len)
{
	char spec[256], pat[200], cache[64];

	id_part(id, 0, spec, sizeof(spec));
	spec_short(spec, pat, sizeof(pat));
	cache_name(id, cache, sizeof(cache));
	mb_sfmt(buf, len, "%s%s%s", pat, *cache ? ", " : "", cache);
	return buf;
}

const char *an_plot_case_short(const char *id, char *buf, size_t len)
{
	char spec[256], pat[200], meth[96], cache[64], *sp;

	id_part(id, 0, spec, sizeof(spec));
	spec_short(spec, pat, sizeof(pat));
	an_plot_method_name(id, meth, sizeof(meth));
	cache_name(id, cache, sizeof(cache));
	if ((sp = strchr(cache, ' ')))
		*sp = 0; /* "warm-read 1M" -> "warm-read": the request size rarely tells cases apart */
	mb_sfmt(buf, len, "%s | %s%s%s", pat, meth, *cache ? " | " : "", cache);
	return buf;
}

/* An outlier label: an_plot_case_short without separators ("seq 64M/4K mmap cold"). */
static void plot_label_short(const char *id, char *buf, size_t len)
{
	char t[240], *p;

	an_plot_case_short(id, t, sizeof(t));
	while ((p = strstr(t, " | ")))
		memmove(p + 1, p + 3, strlen(p + 3) + 1);
	while ((p = strstr(t, " len=")))
		memmove(p, p + 4, strlen(p + 4) + 1), *p = '/';
	mb_sfmt(buf, len, "%s", t);
}

/* ---- data files and rendering ------------------------------------------ */

static void put(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, " %.10g", v);
	else
		fputs(" ?", f);
}

struct fig {
	const struct an_plot_opts *o; /* options */
	struct an_plot_report *rep;   /* what was made */
	char png[16];                 /* png terminal name */
	char dat[4096];               /* data file path */
	struct mb_atomic a;           /* its writer */
	char *out;                    /* gnuplot's captured output (GP_OUT bytes) */
};

static FILE *dat_open(struct fig *g, const char *name)
{
	int ret;

	snprintf(g->dat, sizeof(g->dat), "%s/%s.dat", g->o->outdir, name);
	ret = mb_atomic_open(&g->a, g->dat);
	if (ret) {
		mb_errno("plot", ret, "cannot write %s", g->dat);
		return NULL;
	}
	return g->a.fp;
}

static int dat_close(struct fig *g)
{
	int ret = mb_atomic_commit(&g->a);
	if (ret)
		mb_errno("plot", ret, "committing %s", g->dat);
	return ret;
}

static void skip(struct fig *g, const char *name, const char *why)
{
	fprintf(stderr, "plot: %s: skipped: %s\n", name, why);
	g->rep->skipped++;
}

/*
 * Render script `gp` into <outdir>/<name>.png (and .svg), PNG_WIDTH x height
 * pixels; vars is a gnuplot statement list defining the script's variables
 * (datafile is added). gnuplot's output is captured: a nonzero exit or any
 * line containing "warning" fails the figure, quoting gnuplot.
 */
static int render_h(struct fig *g, const char *gp, const char *name, const char *vars, unsigned height)
{
	const char *terms[2] = { g->png, "svg" };
	const char *exts[2] = { "png", "svg" };
	char script[4096], qdat[4096], qout[4096], out[4096];
	size_t slen = strlen(vars) + 3 * 4096 + 256;
	char *setup = malloc(slen);
	struct stat st;
	int ret = 0;

	if (!setup)
		return -ENOMEM;
	snprintf(script, sizeof(script), "%s/%s", an_plot_scripts_dir(g->o), gp);
	if (access(script, R_OK)) {
		mb_err("plot", "script %s not readable (set --scripts DIR or MAPBENCH_PLOTS)", script);
		free(setup);
		return -ENOENT;
	}
	gq(qdat, sizeof(qdat), g->dat);
	for (int t = 0; t < (g->o->svg ? 2 : 1) && !ret; t++) {
		char *argv[] = { "gnuplot", "-e", setup, script, NULL };
		const char *w;
		int st_ret;
		snprintf(out, sizeof(out), "%s/%s.%s", g->o->outdir, name, exts[t]);
		gq(qout, sizeof(qout), out);
		/* pngcairo draws fonts at 96 dpi-ish, svg at 72: one nominal size reads alike in both */
		snprintf(setup, slen,
			 "set terminal %s noenhanced size %u,%u font 'sans,%d'%s; set output '%s'; "
			 "datafile = '%s'; %s",
			 terms[t], PNG_WIDTH, height, t ? 13 : 11, t ? " dynamic background '#ffffff'" : "",
			 qout, qdat, vars);
		st_ret = run(argv, g->out, GP_OUT);
		w = strcasestr(g->out, "warning");
		if (st_ret || w) {
			const char *ls = w ? w : g->out;
			while (ls > g->out && ls[-1] != '\n')
				ls--;
			mb_err("plot", "gnuplot %s for %s: %s%d%s%.*s", script, out,
			       st_ret < 0 ? "could not start, error " : st_ret ? "exit status " : "warned (exit ",
			       st_ret < 0 ? -st_ret : st_ret, st_ret ? ": " : "): ",
			       (int)strcspn(ls, "\n"), ls);
			ret = -EINVAL;
			break;
		}
		if (stat(out, &st) || st.st_size == 0) {
			mb_err("plot", "gnuplot %s did not produce %s", script, out);
			ret = -EINVAL;
			break;
		}
		if (g->rep->images < AN_PLOT_MAX_FILES)
			snprintf(g->rep->files[g->rep->images], sizeof(g->rep->files[0]), "%s.%s", name, exts[t]);
		g->rep->images++;
	}
	free(setup);
	if (!ret)
		fprintf(stderr, "plot: %s: wrote %s/%s.png%s\n", name, g->o->outdir, name,
			g->o->svg ? " and .svg" : "");
	return ret;
}

/* Append printf output to a growing statement buffer (vars of a figure). */
struct sbuf {
	char *s;    /* text, NUL-terminated */
	size_t n;   /* its length */
	size_t cap; /* allocated */
	int oom;    /* an append failed */
};

static void sb_add(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_add(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int need;

	va_start(ap, fmt);
	need = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (need < 0 || b->oom)
		return;
	if (b->n + (size_t)need + 1 > b->cap) {
		size_t cap = (b->n + (size_t)need + 1) * 2;
		char *s = realloc(b->s, cap);
		if (!s) {
			b->oom = 1;
			return;
		}
		b->s = s;
		b->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(b->s + b->n, b->cap - b->n, fmt, ap);
	va_end(ap);
	b->n += (size_t)need;
}

/* sb_add of a gnuplot string assignment NAME = 'VALUE' (quoted). */
static void sb_str(struct sbuf *b, const char *name, const char *value)
{
	char q[1024];

	gq(q, sizeof(q), value);
	sb_add(b, "%s = '%s'; ", name, q);
}

/* Iterate over every case of the set. */
#define FOR_EACH_CASE(set, d, i, c)                    \
	for (size_t d = 0; d < (set)->n; d++)          \
		json_array_foreach(an_result_cases((set)->docs[d]), i, c)

/* The sources of a set: "native" (when any native case) then each model profile. */
struct srcs {
	size_t n;                 /* sources */
	char name[MAX_SRC][64];   /* "native", "model vm-host" */
	char profile[MAX_SRC][48];/* model profile ("" for native) */
	size_t dropped;           /* model profiles beyond MAX_SRC (not drawn) */
};

static void srcs_collect(const struct an_set *set, struct srcs *s)
{
	size_t i;
	json_t *c;

	memset(s, 0, sizeof(*s));
	FOR_EACH_CASE(set, d, i, c)
		if (!strcmp(an_case_str(c, "source"), "native") && !s->n) {
			snprintf(s->name[0], sizeof(s->name[0]), "native");
			s->n = 1;
		}
	FOR_EACH_CASE(set, d, i, c) {
		const char *p = an_case_str(c, "profile");
		size_t k;
		if (strcmp(an_case_str(c, "source"), "model"))
			continue;
		for (k = 0; k < s->n && (strcmp(s->name[k], "native") == 0 || strcmp(s->profile[k], p)); k++)
			;
		if (k < s->n)
			continue;
		if (s->n == MAX_SRC) {
			s->dropped++;
			continue;
		}
		snprintf(s->profile[s->n], sizeof(s->profile[0]), "%s", p);
		mb_sfmt(s->name[s->n], sizeof(s->name[0]), "model%s%s", *p ? " " : "", p);
		s->n++;
	}
}

/* Index of the source of case c, or -1 (a model profile not drawn). */
static int src_of(const struct srcs *s, const json_t *c)
{
	int native = !strcmp(an_case_str(c, "source"), "native");

	for (size_t k = 0; k < s->n; k++)
		if (native ? !strcmp(s->name[k], "native")
			   : strcmp(s->name[k], "native") && !strcmp(s->profile[k], an_case_str(c, "profile")))
			return (int)k;
	return -1;
}

/* ---- small multiples of bars: methods, faults, read vs fread vs mmap ---- */

/* One panel: the cases of one trace x cache state, a bar group per method. */
struct panel {
	char group[48];              /* image it belongs to ("seq", "anon", ...) */
	char key[320];               /* trace spec + cache state (+ "#k" continuation) */
	char title[200];             /* an_plot_panel_name */
	size_t nbars;                /* bar groups used */
	char bar[MAX_BARS][64];      /* bar-group labels (an_plot_method_name) */
	double v[MAX_BARS][MAX_SRC]; /* value per bar group and source, NAN = none */
	int rank;                    /* panel order inside its image (lower first), then appearance */
	size_t seq;                  /* appearance */
};

/* What one small-multiple figure shows. */
struct bars_spec {
	const char *name;   /* image name: NAME-<group>, or NAME when group is "" */
	const char *title;  /* figure title; %s = group */
	const char *ylabel; /* y axis label */
	/* Is case c in the figure? Writes its image group ("" = one image). */
	int (*want)(const json_t *c, char *group, size_t len);
	double (*value)(const json_t *c); /* its value (<= 0 or NAN: no bar) */
	int (*rank)(const json_t *c);     /* panel order, lower first (NULL: appearance) */
	size_t min_bars;                  /* panels with fewer bar groups are dropped */
};

static int cmp_panel(const void *a, const void *b)
{
	const struct panel *x = a, *y = b;
	int c = (x->rank > y->rank) - (x->rank < y->rank);

	return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

/* Image group of a case: "anon" for anonymous memory, else the generator kind. */
static void kind_group(const json_t *c, char *group, size_t len)
{
	char spec[256];

	an_case_spec(c, spec, sizeof(spec));
	if (strstr(spec, "anon=1"))
		snprintf(group, len, "anon");
	else
		snprintf(group, len, "%.*s", (int)strcspn(spec, ":"), spec);
}

static int want_all(const json_t *c, char *group, size_t len)
{
	kind_group(c, group, len);
	return 1;
}

static double v_ns_per_access(const json_t *c)
{
	return an_case_value(c, "ns_per_access");
}

static int want_mapped(const json_t *c, char *group, size_t len)
{
	char m[64];

	an_case_method(c, m, sizeof(m));
	kind_group(c, group, len);
	return !strcmp(m, "mmap") || !strcmp(m, "anon");
}

static double v_faults_per_mib(const json_t *c)
{
	double ws = an_case_working_set(c), f = an_case_value(c, "faults.total");

	return ws > 0 && f > 0 ? f / (ws / (double)MB_MiB) : NAN;
}

/* The seed experiment's methods with default options, on sequential traces. */
static int want_seed(const json_t *c, char *group, size_t len)
{
	char v[128], spec[256];

	an_case_variant(c, v, sizeof(v));
	an_case_spec(c, spec, sizeof(spec));
	group[0] = 0;
	(void)len;
	return !strncmp(spec, "seq:", 4) && !strstr(spec, "anon=1") &&
	       (!strcmp(v, "read") || !strcmp(v, "fread,buf=default") || !strcmp(v, "mmap,private,madv=normal"));
}

static double v_ns_per_byte(const json_t *c)
{
	double b = an_case_value(c, "bytes_per_s");

	return b > 0 ? 1e9 / b : NAN;
}

/* One-byte requests (the seed's own case) first, then warm before cold. */
static int rank_seed(const json_t *c)
{
	char spec[256], cache[64];

	an_case_spec(c, spec, sizeof(spec));
	an_case_cache(c, cache, sizeof(cache));
	return (strstr(spec, ",len=1,") || strstr(spec, ",len=1") == spec + strlen(spec) - 6 ? 0 : 4) +
	       (!strncmp(cache, "warm", 4) ? 0 : !strncmp(cache, "tmpfs", 5) ? 1 : 2);
}

/* Safe file-name part: letters, digits, '-', '_'. */
static void fname_part(const char *s, char *out, size_t len)
{
	size_t n = 0;

	for (; *s && n + 1 < len; s++)
		out[n++] = (char)((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
					  *s == '-' || *s == '_' ? *s : '_');
	out[n] = 0;
}

/* Write and render one image of panels p[0..np). */
static int bars_image(struct fig *g, const struct bars_spec *bs, const struct srcs *s, const struct panel *p,
		      size_t np, const char *group, unsigned part)
{
	char name[128], gpart[48], t[300];
	unsigned ncols = np < 3 ? (unsigned)np : 3, nrows = (unsigned)((np + ncols - 1) / ncols);
	struct sbuf v = { 0 };
	FILE *f;
	int ret;

	fname_part(group, gpart, sizeof(gpart));
	if (*gpart)
		snprintf(name, sizeof(name), "%s-%s", bs->name, gpart);
	else
		snprintf(name, sizeof(name), "%s", bs->name);
	if (part > 1)
		snprintf(name + strlen(name), sizeof(name) - strlen(name), "-%u", part);
	if (!(f = dat_open(g, name)))
		return -EIO;
	fprintf(f, "# %s: one block per panel; columns: method", name);
	for (size_t k = 0; k < s->n; k++)
		fprintf(f, " \"%s\"", s->name[k]);
	fputc('\n', f);
	sb_add(&v, "npanels = %zu; ncols = %u; nrows = %u; nsrc = %zu; array stitles[%zu]; array ptitles[%zu]; "
		   "array pcols[%zu]; array ylo[%zu]; array yhi[%zu]; ",
	       np, ncols, nrows, s->n, s->n, np, np, np, np);
	for (size_t k = 0; k < s->n; k++) {
		char q[96];
		gq(q, sizeof(q), s->name[k]);
		sb_add(&v, "stitles[%zu] = '%s'; ", k + 1, q);
	}
	for (size_t i = 0; i < np; i++) {
		double lo = INFINITY, hi = 0;
		char cols[64] = "", lab[96], qt[400];
		for (size_t k = 0; k < s->n; k++) {
			int any = 0;
			for (size_t b = 0; b < p[i].nbars; b++)
				if (p[i].v[b][k] > 0) {
					any = 1;
					lo = fmin(lo, p[i].v[b][k]);
					hi = fmax(hi, p[i].v[b][k]);
				}
			if (any)
				snprintf(cols + strlen(cols), sizeof(cols) - strlen(cols), "%s%zu", *cols ? " " : "", k + 2);
		}
		fprintf(f, "# panel %zu: %s\n", i + 1, p[i].key);
		for (size_t b = 0; b < p[i].nbars; b++) {
			label(lab, sizeof(lab), p[i].bar[b]);
			fprintf(f, "\"%s\"", lab);
			for (size_t k = 0; k < s->n; k++)
				put(f, p[i].v[b][k] > 0 ? p[i].v[b][k] : NAN);
			fputc('\n', f);
		}
		fputs("\n\n", f);
		gq(qt, sizeof(qt), p[i].title);
		/* a decade below the smallest bar; room above the tallest for the key */
		sb_add(&v, "ptitles[%zu] = '%s'; pcols[%zu] = '%s'; ylo[%zu] = %.6g; yhi[%zu] = %.6g; ", i + 1, qt,
		       i + 1, cols, i + 1, pow(10, floor(log10(lo)) - (lo / pow(10, floor(log10(lo))) < 2 ? 1 : 0)),
		       i + 1, pow(10, ceil(log10(hi * 6))));
	}
	if (dat_close(g)) {
		free(v.s);
		return -EIO;
	}
	mb_sfmt(t, sizeof(t), bs->title, group);
	if (part > 1)
		snprintf(t + strlen(t), sizeof(t) - strlen(t), " (part %u)", part);
	sb_str(&v, "figtitle", t);
	sb_str(&v, "ylab", bs->ylabel);
	ret = v.oom ? -ENOMEM : render_h(g, "bars.gp", name, v.s, nrows * 430 + 80);
	free(v.s);
	return ret;
}

/* Gather the panels of a bars figure and render one image per group (split every MAX_PANELS). */
static int fig_bars(struct fig *g, const struct an_set *set, const struct bars_spec *bs)
{
	struct panel *p = NULL;
	size_t np = 0, cap = 0, i, seq = 0;
	struct srcs s;
	json_t *c;
	int ret = 0, drawn = 0;

	srcs_collect(set, &s);
	FOR_EACH_CASE(set, d, i, c) {
		char group[48], key[320], spec[256], cache[96], bar[64];
		const char *id = an_case_str(c, "id");
		int k = src_of(&s, c);
		double v;
		size_t j, b;
		if (k < 0 || !bs->want(c, group, sizeof(group)) || !((v = bs->value(c)) > 0))
			continue;
		id_part(id, 0, spec, sizeof(spec));
		id_part(id, 2, cache, sizeof(cache));
		mb_sfmt(key, sizeof(key), "%s|%s", spec, cache);
		an_plot_method_name(id, bar, sizeof(bar));
		/* the panel of this key that has the bar or room for it */
		for (j = 0; j < np; j++) {
			if (strcmp(p[j].group, group) || strncmp(p[j].key, key, strlen(key)) ||
			    (p[j].key[strlen(key)] && p[j].key[strlen(key)] != '#'))
				continue;
			for (b = 0; b < p[j].nbars && strcmp(p[j].bar[b], bar); b++)
				;
			if (b < p[j].nbars || p[j].nbars < MAX_BARS)
				break;
		}
		if (j == np) {
			unsigned cont = 0;
			for (size_t q = 0; q < np; q++)
				cont += !strcmp(p[q].group, group) && !strncmp(p[q].key, key, strlen(key));
			if (np == cap) {
				struct panel *n = realloc(p, (cap = cap ? cap * 2 : 32) * sizeof(*p));
				if (!n) {
					free(p);
					return -ENOMEM;
				}
				p = n;
			}
			memset(&p[np], 0, sizeof(p[np]));
			snprintf(p[np].group, sizeof(p[np].group), "%s", group);
			if (cont)
				mb_sfmt(p[np].key, sizeof(p[np].key), "%s#%u", key, cont + 1);
			else
				mb_sfmt(p[np].key, sizeof(p[np].key), "%s", key);
			an_plot_panel_name(id, p[np].title, sizeof(p[np].title));
			if (cont)
				snprintf(p[np].title + strlen(p[np].title), sizeof(p[np].title) - strlen(p[np].title),
					 " (%u)", cont + 1);
			for (size_t x = 0; x < MAX_BARS; x++)
				for (size_t y = 0; y < MAX_SRC; y++)
					p[np].v[x][y] = NAN;
			p[np].rank = bs->rank ? bs->rank(c) : 0;
			p[np].seq = seq++;
			np++;
		}
		for (b = 0; b < p[j].nbars && strcmp(p[j].bar[b], bar); b++)
			;
		if (b == p[j].nbars)
			snprintf(p[j].bar[p[j].nbars++], sizeof(p[j].bar[0]), "%s", bar);
		if (isnan(p[j].v[b][k]))
			p[j].v[b][k] = v;
	}
	/* drop panels with too few bar groups, then order them */
	for (i = 0, seq = 0; i < np; i++)
		if (p[i].nbars >= bs->min_bars)
			p[seq++] = p[i];
	np = seq;
	if (np)
		qsort(p, np, sizeof(*p), cmp_panel);
	for (i = 0; i < np && !ret; i++) {
		size_t j, n = 0;
		struct panel *sel;
		int first = 1;
		for (j = 0; j < i; j++)
			first &= strcmp(p[j].group, p[i].group) != 0;
		if (!first)
			continue;
		if (!(sel = malloc(np * sizeof(*sel)))) {
			ret = -ENOMEM;
			break;
		}
		for (j = i; j < np; j++)
			if (!strcmp(p[j].group, p[i].group))
				sel[n++] = p[j];
		for (size_t off = 0; off < n && !ret; off += MAX_PANELS)
			ret = bars_image(g, bs, &s, sel + off, n - off > MAX_PANELS ? MAX_PANELS : n - off, p[i].group,
					 (unsigned)(off / MAX_PANELS + 1));
		drawn++;
		free(sel);
	}
	free(p);
	if (!ret && !drawn) {
		char why[200];
		snprintf(why, sizeof(why), "no panel has %zu or more methods with a value", bs->min_bars);
		skip(g, bs->name, why);
	}
	return ret;
}

static const struct bars_spec bars_figs[] = {
	{ "methods", "Cost per access by method, %s traces: one panel per trace and cache state",
	  "ns per access (log scale, lower is better)", want_all, v_ns_per_access, NULL, 1 },
	{ "faults", "Page faults per MiB of working set, mmap and anonymous memory, %s traces",
	  "page faults per MiB (log scale)", want_mapped, v_faults_per_mib, NULL, 1 },
	{ "read-fread-mmap", "read() vs fread() vs mmap on sequential traces (the seed experiment)%s",
	  "ns per byte (log scale, lower is better)", want_seed, v_ns_per_byte, rank_seed, 2 },
};

/* ---- model vs native agreement ------------------------------------------ */

/* The metrics of the agreement figure, one panel each (those with data are drawn). */
static const struct {
	const char *metric; /* compared metric */
	const char *what;   /* what the axes count */
} agree_panels[] = {
	{ "cycles", "time: TSC cycles per replay" },
	{ "faults.total", "page faults per replay" },
	{ "syscalls", "system calls per replay" },
	{ "pagecache.added", "page-cache additions (folios) per replay" },
	{ "pt.bytes", "page-table bytes (VmPTE)" },
	{ "tlb.stlb.miss", "STLB misses (page walks) per replay" },
};

#define MAX_OUTLIERS 6 /* outliers named per panel */
/* Width of one label character (font 8) as a share of a panel's width, 1600 px, 3 panels a row. */
#define LABEL_CHAR_FRAC 0.015

struct apoint {
	double x, y;      /* native, model */
	double err;       /* |log(model/native)| */
	const char *id;   /* case id */
	int beyond;       /* beyond tolerance */
	int cls;          /* profile index * 2 + beyond */
};

static int cmp_err(const void *a, const void *b)
{
	const struct apoint *x = a, *y = b;

	return (y->err > x->err) - (y->err < x->err);
}

/* "±25%", "±2% or ±8, exact when warm/tmpfs", "exact". */
static void tol_text(const struct an_tolerance *t, char *buf, size_t len)
{
	if (t->rel == 0 && t->abs == 0)
		snprintf(buf, len, "exact");
	else if (t->abs > 0)
		snprintf(buf, len, "+-%g%% or +-%g%s", t->rel * 100, t->abs, t->exact_warm ? ", exact warm/tmpfs" : "");
	else
		snprintf(buf, len, "+-%g%%%s", t->rel * 100, t->exact_warm ? ", exact warm/tmpfs" : "");
}

static int fig_agreement(struct fig *g, const struct an_set *set)
{
	struct an_compare *cmp;
	struct apoint *pt = NULL;
	char profiles[3][48] = { "" }, t[400];
	size_t nprof = 0, npanels = 0, nblocks = 0;
	struct sbuf v = { 0 }, arr = { 0 };
	FILE *f = NULL;
	int ret;

	an_compare_quiet = 1; /* several baselines repeat cases; the first of each is drawn */
	ret = an_compare_run(set, &cmp);
	an_compare_quiet = 0;
	if (ret)
		return -ENOMEM;
	if (!(pt = malloc((cmp->nrows + 1) * sizeof(*pt)))) {
		ret = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < cmp->nrows; i++) {
		const char *p = cmp->rows[i].profile ? cmp->rows[i].profile : "";
		size_t k;
		for (k = 0; k < nprof && strcmp(profiles[k], p); k++)
			;
		if (k == nprof && nprof < 3)
			snprintf(profiles[nprof++], sizeof(profiles[0]), "%s", p);
	}
	if (!(f = dat_open(g, "agreement"))) {
		ret = -EIO;
		goto out;
	}
	for (size_t m = 0; m < MB_ARRAY_SIZE(agree_panels); m++) {
		const struct an_tolerance *tol = NULL;
		size_t n = 0, within = 0, compared = 0, zero = 0, both0 = 0, first = nblocks;
		double lo = INFINITY, hi = 0;
		char tt[96];
		int labl = -1, labr = -1;
		for (size_t i = 0; i < cmp->nrows; i++) {
			const struct an_cmp_row *r = &cmp->rows[i];
			size_t k;
			if (strcmp(r->metric, agree_panels[m].metric) ||
			    (r->status != AN_CMP_OK && r->status != AN_CMP_BEYOND))
				continue;
			tol = an_tolerance_of(r->fam);
			compared++;
			within += r->status == AN_CMP_OK;
			if (!(r->native > 0) || !(r->model > 0)) {
				zero++;
				both0 += r->native == 0 && r->model == 0;
				continue;
			}
			for (k = 0; k < nprof && strcmp(profiles[k], r->profile ? r->profile : ""); k++)
				;
			if (k == nprof)
				continue;
			pt[n] = (struct apoint){ r->native, r->model, fabs(log(r->model / r->native)), r->id,
						 r->status == AN_CMP_BEYOND, (int)k * 2 + (r->status == AN_CMP_BEYOND) };
			lo = fmin(lo, fmin(r->native, r->model));
			hi = fmax(hi, fmax(r->native, r->model));
			n++;
		}
		if (!n)
			continue;
		npanels++;
		/* one block per class that has points */
		for (int cls = 0; cls < (int)nprof * 2; cls++) {
			size_t have = 0;
			for (size_t i = 0; i < n; i++)
				have += pt[i].cls == cls;
			if (!have)
				continue;
			fprintf(f, "# %s, profile %s, %s: native model\n", agree_panels[m].metric, profiles[cls / 2],
				cls % 2 ? "beyond tolerance" : "within tolerance");
			for (size_t i = 0; i < n; i++)
				if (pt[i].cls == cls)
					fprintf(f, "%.10g %.10g\n", pt[i].x, pt[i].y);
			fputs("\n\n", f);
			nblocks++;
			sb_add(&arr, "bidx[%zu] = %zu; bcls[%zu] = %d; ", nblocks, nblocks - 1, nblocks, cls + 1);
		}
		/*
		 * The worst outliers, one label per case; a point next to an already
		 * labelled one (both profiles, mmap and mmap shared ...) adds "+N" to
		 * that label instead of a label over it. Labels sit right of points
		 * where the label fits inside the panel, else left of them (cut when neither side has room).
		 */
		double llo = log10(pow(10, floor(log10(lo / 1.5)))), lhi = log10(pow(10, ceil(log10(hi * 1.5))));
		struct { double x, y; size_t i; unsigned more; } lab[MAX_OUTLIERS];
		size_t nlab = 0;
		if (n)
			qsort(pt, n, sizeof(*pt), cmp_err);
		for (size_t i = 0; i < n && nlab < MAX_OUTLIERS; i++) {
			double x = (log10(pt[i].x) - llo) / (lhi - llo), y = (log10(pt[i].y) - llo) / (lhi - llo);
			size_t j;
			if (!pt[i].beyond)
				continue;
			for (j = 0; j < nlab && (fabs(lab[j].x - x) > 0.12 || fabs(lab[j].y - y) > 0.035); j++)
				;
			if (j < nlab) {
				lab[j].more += strcmp(pt[lab[j].i].id, pt[i].id) != 0;
				continue;
			}
			lab[nlab].x = x;
			lab[nlab].y = y;
			lab[nlab].i = i;
			lab[nlab++].more = 0;
		}
		/*
		 * Each label's text and side first; a label whose box (panel
		 * fractions: about LABEL_CHAR_FRAC per character, 0.035 high) would
		 * overlap an earlier (worse) one's or the key's (bottom right) is
		 * dropped: fewer names, none over another.
		 */
		char ltxt[MAX_OUTLIERS][240];
		int lside[MAX_OUTLIERS], keep_lab[MAX_OUTLIERS];
		double bx0[MAX_OUTLIERS], bx1[MAX_OUTLIERS];
		for (size_t j = 0; j < nlab; j++) {
			const struct apoint *q = &pt[lab[j].i];
			char full[240], txt[260], tail[48];
			size_t room_r, room_l, len;
			int side;
			plot_label_short(q->id, full, sizeof(full));
			mb_sfmt(tail, sizeof(tail), " x%.2g%s", q->y / q->x, lab[j].more ? " +" : "");
			if (lab[j].more)
				snprintf(tail + strlen(tail), sizeof(tail) - strlen(tail), "%u", lab[j].more);
			/*
			 * Keep the label inside the panel: right of the point when it
			 * fits there, else left, else on the roomier side with the case
			 * name cut (the ratio and +N stay).
			 */
			room_r = lab[j].x < 0.97 ? (size_t)((0.97 - lab[j].x) / LABEL_CHAR_FRAC) : 0;
			room_l = lab[j].x > 0.03 ? (size_t)((lab[j].x - 0.03) / LABEL_CHAR_FRAC) : 0;
			len = strlen(full) + strlen(tail);
			side = len <= room_r ? 0 : len <= room_l ? 1 : room_l > room_r;
			if (len > (side ? room_l : room_r)) {
				size_t k = (side ? room_l : room_r) > strlen(tail) + 3 ?
					(side ? room_l : room_r) - strlen(tail) - 3 : 0;
				if (k < strlen(full))
					mb_sfmt(full + k, sizeof(full) - k, "...");
			}
			mb_sfmt(txt, sizeof(txt), "%s%s", full, tail);
			label(ltxt[j], sizeof(ltxt[j]), txt);
			lside[j] = side;
			len = strlen(txt);
			bx0[j] = side ? lab[j].x - 0.01 - (double)len * LABEL_CHAR_FRAC : lab[j].x + 0.01;
			bx1[j] = side ? lab[j].x - 0.01 : lab[j].x + 0.01 + (double)len * LABEL_CHAR_FRAC;
			keep_lab[j] = !(bx1[j] > 0.55 && lab[j].y < 0.2); /* the key's corner */
			for (size_t k = 0; k < j && keep_lab[j]; k++)
				if (keep_lab[k] && bx0[j] < bx1[k] && bx0[k] < bx1[j] && fabs(lab[j].y - lab[k].y) < 0.035)
					keep_lab[j] = 0;
		}
		for (int side = 0; side < 2; side++) {
			size_t wrote = 0;
			for (size_t j = 0; j < nlab; j++) {
				const struct apoint *q = &pt[lab[j].i];
				if (!keep_lab[j] || lside[j] != side)
					continue;
				if (!wrote++)
					fprintf(f, "# %s outliers, labels %s of the point: native model \"case\"\n",
						agree_panels[m].metric, side ? "left" : "right");
				fprintf(f, "%.10g %.10g \"%s\"\n", q->x, q->y, ltxt[j]);
			}
			if (wrote) {
				fputs("\n\n", f);
				if (side)
					labr = (int)nblocks;
				else
					labl = (int)nblocks;
				nblocks++;
			}
		}
		tol_text(tol, tt, sizeof(tt));
		mb_sfmt(t, sizeof(t), "%s: %zu of %zu within %s", agree_panels[m].metric, within, compared, tt);
		sb_str(&v, "tmp_t", t);
		sb_add(&v, "ptitle[%zu] = tmp_t; ", npanels);
		if (zero)
			mb_sfmt(t, sizeof(t), "not drawn (log axes): %zu cases with a zero, %zu of them 0 on both sides",
				zero, both0);
		else
			t[0] = 0;
		sb_str(&v, "tmp_t", t);
		sb_add(&v, "pnote[%zu] = tmp_t; ", npanels);
		sb_str(&v, "tmp_t", agree_panels[m].what);
		sb_add(&v, "punit[%zu] = tmp_t; plo[%zu] = %.6g; phi[%zu] = %.6g; prel[%zu] = %g; pabs[%zu] = %g; "
			   "pfirst[%zu] = %zu; plast[%zu] = %zu; plabl[%zu] = %d; plabr[%zu] = %d; ",
		       npanels, npanels, pow(10, floor(log10(lo / 1.5))), npanels, pow(10, ceil(log10(hi * 1.5))),
		       npanels, tol->rel, npanels, tol->abs, npanels, first + 1, npanels, nblocks - (labl >= 0) - (labr >= 0),
		       npanels, labl, npanels, labr);
	}
	if (dat_close(g)) {
		ret = -EIO;
		goto out;
	}
	if (!npanels) {
		skip(g, "agreement", "no metric has positive native and model values for the same case "
		     "(needs native and model results of the same cases)");
		ret = 0;
		goto out;
	}
	/* verdicts, one line per family with data: the text panel */
	{
		char text[1200] = "";
		size_t o = 0;
		for (int fam = 0; fam < AN_FAM__COUNT; fam++) {
			const struct an_cmp_family *s = &cmp->fam[fam];
			const struct an_tolerance *tol = an_tolerance_of(fam);
			if (s->verdict < 0 || o >= sizeof(text))
				continue;
			if (tol->max_median_err > 0)
				o += (size_t)snprintf(text + o, sizeof(text) - o, "%s: %s, median error %.1f%% (limit %g%%)\\n",
						      tol->name, s->verdict ? "pass" : "FAIL", s->median_err * 100,
						      tol->max_median_err * 100);
			else
				o += (size_t)snprintf(text + o, sizeof(text) - o, "%s: %s, %.1f%% within (needs %g%%)\\n",
						      tol->name, s->verdict ? "pass" : "FAIL", s->share * 100,
						      tol->min_share * 100);
		}
		sb_add(&v, "verdicts = \"%s\"; ", text);
	}
	sb_add(&v, "npanels = %zu; nblocks = %zu; nprof = %zu; ", npanels, nblocks, nprof);
	for (size_t k = 0; k < nprof; k++) {
		mb_sfmt(t, sizeof(t), "model %s", profiles[k]);
		sb_str(&v, "tmp_t", t);
		sb_add(&v, "prof[%zu] = tmp_t; ", k + 1);
	}
	{
		struct sbuf all = { 0 };
		sb_add(&all, "array ptitle[%zu]; array pnote[%zu]; array punit[%zu]; array plo[%zu]; array phi[%zu]; array prel[%zu]; "
			     "array pabs[%zu]; array pfirst[%zu]; array plast[%zu]; array plabl[%zu]; array plabr[%zu]; "
			     "array bidx[%zu]; array bcls[%zu]; array prof[%zu]; %s %s",
		       npanels, npanels, npanels, npanels, npanels, npanels, npanels, npanels, npanels, npanels, npanels,
		       nblocks ? nblocks : 1, nblocks ? nblocks : 1, nprof ? nprof : 1, v.s ? v.s : "",
		       arr.s ? arr.s : "");
		ret = all.oom || v.oom || arr.oom ? -ENOMEM
						  : render_h(g, "agreement.gp", "agreement", all.s,
							     npanels > 3 ? 1120 : 600);
		free(all.s);
	}
out:
	free(v.s);
	free(arr.s);
	free(pt);
	an_compare_destroy(cmp);
	return ret;
}
/* ---- (2) cost vs working set ------------------------------------------ */

/* TLB reach lines from host.tlb: members {entries, page_bytes} or <name>_entries. */
static size_t tlb_reach(const struct an_set *set, double reach[3], char names[3][96])
{
	size_t n = 0;

	for (size_t d = 0; d < set->n && !n; d++) {
		json_t *tlb = json_object_get(an_result_host(set->docs[d]), "tlb"), *v;
		const char *k;
		json_object_foreach(tlb, k, v) {
			double e = 0, pb = 4096;
			if (json_is_object(v)) {
				e = json_number_value(json_object_get(v, "entries"));
				if (json_is_number(json_object_get(v, "page_bytes")))
					pb = json_number_value(json_object_get(v, "page_bytes"));
			} else if (json_is_number(v) && strstr(k, "entries")) {
				e = json_number_value(v);
			}
			if (e > 0 && pb > 0 && n < 3) {
				char sz[32], pbs[32];
				reach[n] = e * pb;
				mb_fmt_size((uint64_t)(e * pb), sz, sizeof(sz));
				mb_fmt_size((uint64_t)pb, pbs, sizeof(pbs));
				mb_sfmt(names[n], sizeof(names[0]), "%s reach %s (%.0f x %s)",
					!strncmp(k, "l1", 2) ? "L1 dTLB" : !strncmp(k, "stlb", 4) ? "STLB" : k, sz, e, pbs);
				n++;
			}
		}
	}
	return n;
}

/*
 * The curve a case belongs to in the working-set figure: pattern without its
 * size (size=, pages= dropped), method options and cache state, so that only
 * cases that differ in size share a line. Without the source: native and model
 * twins get the same colour.
 */
static void curve_key(const json_t *c, char *key, size_t len)
{
	const char *id = an_case_str(c, "id");
	char spec[256], nosize[256], pat[200], meth[96], cache[64], *tok, *save = NULL;
	size_t o = 0;

	id_part(id, 0, spec, sizeof(spec));
	o = strcspn(spec, ":");
	snprintf(nosize, sizeof(nosize), "%.*s", (int)o, spec);
	if (spec[o])
		for (tok = strtok_r(spec + o + 1, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
			if (strncmp(tok, "size=", 5) && strncmp(tok, "pages=", 6))
				snprintf(nosize + strlen(nosize), sizeof(nosize) - strlen(nosize), "%s%s",
					 strchr(nosize, ':') ? "," : ":", tok);
	spec_short(nosize, pat, sizeof(pat));
	an_plot_method_name(id, meth, sizeof(meth));
	cache_name(id, cache, sizeof(cache));
	mb_sfmt(key, len, "%s | %s%s%s", pat, meth, *cache ? " | " : "", cache);
}

/* One curve of the working-set figure. */
struct curve {
	char key[200];  /* curve_key */
	char src[64];   /* "native" or "model <profile>" */
	int dash;       /* dash type: 1 native, 2.. per model profile */
	double lo, hi;  /* smallest and largest working set, bytes */
	size_t points;  /* cases on it */
	int colour;     /* linetype: the same for a native curve and its model twin */
};

static int curve_cmp(const void *a, const void *b)
{
	const struct curve *x = a, *y = b;
	int c = (y->points > x->points) - (y->points < x->points); /* most points first */

	if (!c)
		c = strcmp(x->key, y->key);
	return c ? c : strcmp(x->src, y->src);
}

#define MAX_CURVES 512 /* distinct curves looked at before the MAX_SERIES longest are kept */

static int fig_workset(struct fig *g, const struct an_set *set)
{
	struct curve *cv = calloc(MAX_CURVES, sizeof(*cv));
	char *vars = malloc(16384), names[3][96], q[200], t[300], qt[640];
	struct srcs srcs;
	double reach[3], lo = INFINITY, hi = 0;
	size_t ncv = 0, nsel = 0, i, nreach, dropped = 0;
	int ncol = 0, ret = -EIO;
	json_t *c;
	FILE *f = NULL;

	if (!cv || !vars) {
		ret = -ENOMEM;
		goto out_free;
	}
	srcs_collect(set, &srcs);
	FOR_EACH_CASE(set, d, i, c) {
		char key[200];
		int sk = src_of(&srcs, c);
		const char *src = sk >= 0 ? srcs.name[sk] : "";
		double ws = an_case_working_set(c), v = an_case_value(c, "ns_per_access");
		size_t k;
		if (ws <= 0 || !(v > 0) || sk < 0)
			continue;
		curve_key(c, key, sizeof(key));
		for (k = 0; k < ncv && (strcmp(cv[k].key, key) || strcmp(cv[k].src, src)); k++)
			;
		if (k == ncv) {
			if (ncv == MAX_CURVES)
				continue;
			mb_sfmt(cv[k].key, sizeof(cv[k].key), "%s", key);
			mb_sfmt(cv[k].src, sizeof(cv[k].src), "%s", src);
			cv[k].dash = strcmp(src, "native") ? sk + 1 + !srcs.n : 1;
			cv[k].lo = INFINITY;
			ncv++;
		}
		cv[k].lo = fmin(cv[k].lo, ws);
		cv[k].hi = fmax(cv[k].hi, ws);
		cv[k].points++;
	}
	/* keep curves over two or more sizes (three or more when there are such sweeps), the longest first */
	size_t minpts = 2;
	for (size_t k = 0; k < ncv; k++)
		if (cv[k].hi > cv[k].lo && cv[k].points >= 3)
			minpts = 3;
	for (size_t k = 0; k < ncv; k++)
		if (cv[k].hi > cv[k].lo && cv[k].points >= minpts)
			cv[nsel++] = cv[k];
	if (nsel)
		qsort(cv, nsel, sizeof(*cv), curve_cmp);
	if (nsel > MAX_SERIES) {
		dropped = nsel - MAX_SERIES;
		nsel = MAX_SERIES;
	}
	if (!nsel) {
		skip(g, "workset", "needs a pattern, method and cache state measured at two or more working-set "
		     "sizes (trace.distinct_pages or region_bytes)");
		ret = 0;
		goto out_free;
	}
	for (size_t k = 0; k < nsel; k++) {
		size_t j;
		for (j = 0; j < k && strcmp(cv[j].key, cv[k].key); j++)
			;
		cv[k].colour = j < k ? cv[j].colour : ++ncol;
		lo = fmin(lo, cv[k].lo);
		hi = fmax(hi, cv[k].hi);
	}
	if (!(f = dat_open(g, "workset")))
		goto out_free;
	for (size_t k = 0; k < nsel; k++) {
		/* one block per curve, sorted by working set (insertion sort on the fly) */
		double ws[4096], v[4096];
		size_t n = 0;
		fprintf(f, "# %s %s: working_set_bytes ns_per_access\n", cv[k].src, cv[k].key);
		FOR_EACH_CASE(set, d, i, c) {
			char key[200];
			double w = an_case_working_set(c), x = an_case_value(c, "ns_per_access");
			int sk = src_of(&srcs, c);
			if (w <= 0 || !(x > 0) || n == 4096 || sk < 0 || strcmp(srcs.name[sk], cv[k].src))
				continue;
			curve_key(c, key, sizeof(key));
			if (strcmp(key, cv[k].key))
				continue;
			size_t j = n++;
			while (j > 0 && ws[j - 1] > w) {
				ws[j] = ws[j - 1];
				v[j] = v[j - 1];
				j--;
			}
			ws[j] = w;
			v[j] = x;
		}
		for (size_t j = 0; j < n; j++)
			fprintf(f, "%.10g %.10g\n", ws[j], v[j]);
		fputs("\n\n", f);
	}
	if (dat_close(g))
		goto out_free;
	nreach = tlb_reach(set, reach, names);
	for (size_t r = 0; r < nreach; r++) { /* the reach lines stay on the plot */
		lo = fmin(lo, reach[r]);
		hi = fmax(hi, reach[r]);
	}
	snprintf(vars, 16384, "nseries = %zu; dropped = %zu; xlo = %.10g; xhi = %.10g; nreach = %zu; "
		 "array titles[%zu]; array colours[%zu]; array dashes[%zu]; ",
		 nsel, dropped, lo / 1.5, hi * 1.5, nreach, nsel, nsel, nsel);
	for (size_t k = 0; k < nsel; k++) {
		snprintf(t, sizeof(t), "%s (%s)", cv[k].key, cv[k].src);
		gq(qt, sizeof(qt), t);
		snprintf(vars + strlen(vars), 16384 - strlen(vars), "titles[%zu] = '%s'; colours[%zu] = %d; "
			 "dashes[%zu] = %d; ", k + 1, qt, k + 1, cv[k].colour, k + 1, cv[k].dash);
	}
	for (size_t r = 0; r < 3; r++) {
		gq(q, sizeof(q), r < nreach ? names[r] : "");
		snprintf(vars + strlen(vars), 16384 - strlen(vars), "reach%zu = %.10g; reach%zu_name = '%s'; ",
			 r + 1, r < nreach ? reach[r] : 0.0, r + 1, q);
	}
	ret = render_h(g, "workset.gp", "workset", vars, 900);
out_free:
	free(vars);
	free(cv);
	return ret;
}

/* ---- (5) history ------------------------------------------------------- */

static int cmp_doc_time(const void *a, const void *b, void *arg)
{
	const struct an_set *set = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int c = strcmp(json_string_value(json_object_get(set->docs[x]->root, "timestamp")),
		       json_string_value(json_object_get(set->docs[y]->root, "timestamp")));
	return c ? c : (x > y) - (x < y);
}

static int fig_history(struct fig *g, const struct an_set *set)
{
	const char *metric = g->o->history_metric ? g->o->history_metric : "ns_per_access";
	size_t *order = malloc((set->n + 1) * sizeof(size_t)), nser = 0, i;
	const json_t *ser[MAX_SERIES];
	char titles[MAX_SERIES * 200] = "", vars[MAX_SERIES * 220], qm[128], qu[64], name[] = "history";
	const char *unit = NULL; /* the metric's unit, from the first document that has it */
	double vmin = INFINITY, vmax = 0; /* value range: log scale beyond a factor 20 */
	json_t *c;
	FILE *f;
	int ret;

	if (!order)
		return -ENOMEM;
	for (size_t d = 0; d < set->n; d++)
		order[d] = d;
	qsort_r(order, set->n, sizeof(*order), cmp_doc_time, (void *)set);
	/* a series is a case (id+source+profile) with the metric in >= 2 documents */
	FOR_EACH_CASE(set, d, i, c) {
		size_t seen = 0, k;
		if (isnan(an_case_value(c, metric)) || nser == MAX_SERIES)
			continue;
		for (k = 0; k < nser; k++)
			if (!strcmp(an_case_str(ser[k], "id"), an_case_str(c, "id")) &&
			    !strcmp(an_case_str(ser[k], "source"), an_case_str(c, "source")) &&
			    !strcmp(an_case_str(ser[k], "profile"), an_case_str(c, "profile")))
				break;
		if (k < nser)
			continue;
		for (size_t e = 0; e < set->n; e++)
			seen += !isnan(an_case_value(an_result_find_case(set->docs[e], an_case_str(c, "id"),
									 an_case_str(c, "source")), metric));
		if (seen >= 2)
			ser[nser++] = c;
	}
	if (!nser) {
		char why[256];
		snprintf(why, sizeof(why), "no case has %s in two or more result files (give several baselines)", metric);
		skip(g, name, why);
		free(order);
		return 0;
	}
	if (!(f = dat_open(g, name))) {
		free(order);
		return -EIO;
	}
	for (size_t k = 0; k < nser; k++) {
		char pat[128], var[160], cache[64], t[400], lab[400];
		fprintf(f, "# series %zu: index value \"timestamp git\"\n", k);
		for (size_t e = 0; e < set->n; e++) {
			const json_t *root = set->docs[order[e]]->root;
			const json_t *x = an_result_find_case(set->docs[order[e]], an_case_str(ser[k], "id"),
							      an_case_str(ser[k], "source"));
			const char *git = json_string_value(json_object_get(json_object_get(root, "tool"), "git"));
			char l[96];
			snprintf(l, sizeof(l), "%.10s %.7s", json_string_value(json_object_get(root, "timestamp")),
				 git ? git : "");
			label(lab, sizeof(lab), l);
			double v = an_case_value(x, metric);
			fprintf(f, "%zu", e);
			put(f, v);
			if (isfinite(v)) {
				vmin = fmin(vmin, v);
				vmax = fmax(vmax, v);
			}
			if (!unit)
				unit = json_string_value(json_object_get(
					json_object_get(json_object_get(x, "metrics"), metric), "unit"));
			fprintf(f, " \"%s\"\n", lab);
		}
		fputs("\n\n", f);
		snprintf(t, sizeof(t), "%s/%s/%s/%s", an_case_pattern(ser[k], pat, sizeof(pat)),
			 an_case_variant(ser[k], var, sizeof(var)), an_case_cache(ser[k], cache, sizeof(cache)),
			 an_case_str(ser[k], "source"));
		for (char *p = t; *p; p++)
			if (*p == ' ' || *p == '\'')
				*p = '_';
		strncat(titles, t, sizeof(titles) - strlen(titles) - 2);
		strcat(titles, " ");
	}
	free(order);
	if (dat_close(g))
		return -EIO;
	gq(qm, sizeof(qm), metric);
	gq(qu, sizeof(qu), unit && *unit ? unit : "?");
	snprintf(vars, sizeof(vars), "metric = '%s'; unit = '%s'; logy = %d; nseries = %zu; titles = '%s'; "
		 "npoints = %zu", qm, qu, vmin > 0 && vmax > 20 * vmin, nser, titles, set->n);
	ret = render_h(g, "history.gp", name, vars, 800);
	return ret;
}

int an_plot_run(const struct an_set *set, const struct an_plot_opts *o, struct an_plot_report *rep)
{
	struct fig g = { .o = o, .rep = rep };
	int ret;

	memset(rep, 0, sizeof(*rep));
	if (!an_plot_gnuplot_ok(g.png, sizeof(g.png))) {
		mb_err("plot", "gnuplot not found or not working (install gnuplot; 'gnuplot -e \"set terminal\"' must run)");
		return -ENOENT;
	}
	ret = mb_mkdir_p(o->outdir);
	if (ret) {
		mb_errno("plot", ret, "cannot create %s", o->outdir);
		return ret;
	}
	if (!(g.out = malloc(GP_OUT)))
		return -ENOMEM;
	/* one line per figure (another figure module adds its call here) */
	for (size_t k = 0; k < MB_ARRAY_SIZE(bars_figs) && !ret; k++)
		ret = fig_bars(&g, set, &bars_figs[k]);
	if (!ret)
		ret = fig_agreement(&g, set);
	if (!ret)
		ret = fig_workset(&g, set);
	if (!ret)
		ret = fig_history(&g, set);
	free(g.out);
	return ret;
}
