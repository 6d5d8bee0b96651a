/*
 * traces/gen.c — deterministic trace generators (traces/gen.h).
 *
 * A spec is "kind[:key=value,...]". Keys are data (the keys[] table: name,
 * parser, field, which kinds accept it, help); kinds are data (the kinds[]
 * table: name, help, resolve, next). Adding a kind = one resolve/next pair
 * and one kinds[] line.
 *
 * Determinism: every record is a function of the normalised spec only.
 * Offsets come from one xoshiro256** stream, ops from a second one (so the
 * write fraction never changes the offsets); both are seeded by splitmix64
 * from `seed`. Bounded draws use Lemire's unbiased method. Fractions (w, p)
 * become 32-bit fixed-point thresholds (x * 2^32, exact in IEEE double).
 * zipf uses rejection-inversion sampling (Hörmann & Derflinger, "Rejection-
 * inversion to generate variates from monotone discrete distributions",
 * 1996): O(1) set-up and memory, with the deterministic log/exp of
 * detmath.c, so the same spec samples the same ranks on any IEEE-754 machine.
 * chase builds a single-cycle random permutation of the pages with
 * Sattolo's algorithm and follows it from page 0.
 *
 * Normalised spec (stored in the header): the kind, then every key that
 * applies to it with its resolved value, in table order, sizes in exact
 * K/M/G/T units, fractions in shortest round-trip decimal, e.g.
 * "uniform:size=1G,len=64,align=64,n=16777216,w=0,seed=1".
 */
#include "traces/gen.h"
#include "traces/detmath.h"
#include "traces/rng.h"
#include "traces/trace_int.h"
#include "common/mb.h"

#include <errno.h>
#include <xxhash.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define GEN_PAGE 4096u                  /* page size of chase and pages= */
#define GEN_MAX_N (UINT64_C(1) << 48)   /* records per trace at most */
#define GEN_CHASE_MAX_PAGES (1u << 26)  /* chase permutation: 256 MiB of table at most */
#define GEN_THETA_MAX 10.0              /* zipf exponent limit */

/* User-set parameters (after parsing) and their resolved values. */
struct gen_params {
	uint64_t size;   /* region bytes */
	uint64_t pages;  /* region in 4 KiB pages (alternative to size) */
	uint64_t len;    /* bytes per access */
	uint64_t stride; /* stride: distance between accesses */
	uint64_t align;  /* random kinds: offset alignment */
	uint64_t n;      /* records */
	uint64_t seed;   /* PRNG seed */
	uint64_t anon;   /* 1: anonymous region */
	double w;        /* write fraction 0..1 */
	double theta;    /* zipf exponent */
	double hot;      /* hotset: fraction of slots that are hot */
	double p;        /* hotset: probability an access goes to the hot set */
};

struct gen_kind;

struct gen {
	const struct gen_kind *kind;  /* which generator */
	struct gen_params p;          /* resolved parameters */
	struct trace_hdr hdr;         /* header of the generated trace */
	/* derived */
	uint64_t slots;               /* positions an access may start at */
	uint64_t step;                /* bytes between consecutive slots */
	uint64_t w_thresh;            /* write if rng32 < w_thresh (w * 2^32) */
	uint64_t p_thresh;            /* hotset: hot if rng32 < p_thresh */
	uint64_t hot_slots;           /* hotset: slots [0, hot_slots) are hot */
	double z_hx1, z_hn, z_s;      /* zipf: H(1.5) - 1, H(N + 0.5), acceptance shortcut */
	uint32_t *perm;               /* chase: next page of each page (one cycle) */
	/* state */
	uint64_t i;                   /* records generated so far */
	uint64_t cur;                 /* chase: current page */
	struct rng off_rng;           /* offsets stream */
	struct rng op_rng;            /* ops stream */
};

/* One generator kind. */
struct gen_kind {
	const char *name;                     /* spec prefix */
	const char *help;                     /* one line for `trace gen --help` */
	unsigned mask;                        /* bit of this kind in keys[].kinds */
	int (*resolve)(struct gen *g, char *err, size_t errlen);  /* defaults, checks, derived values */
	void (*next)(struct gen *g, struct trace_rec *recs, size_t n); /* fill n offsets and lengths */
};

enum { K_SEQ = 1, K_REV = 2, K_STRIDE = 4, K_UNI = 8, K_ZIPF = 16, K_HOT = 32, K_CHASE = 64,
       K_ALL = 127, K_RAND = K_UNI | K_ZIPF | K_HOT };

/* ---------------------------------------------------------------- helpers */

static int bad(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int bad(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Shortest decimal that reads back as exactly v. */
static void fmt_double(double v, char *buf, size_t len)
{
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, len, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			return;
	}
}

/* Common checks of size/len/n/w for kinds whose accesses start at slot*step. */
static int check_common(struct gen *g, char *err, size_t errlen)
{
	struct gen_params *p = &g->p;
	char a[32];

	if (p->size == 0 || p->size > TRACE_MAX_REGION)
		return bad(err, errlen, "size %" PRIu64 " outside 1..%" PRIu64 " (64 TiB)", p->size, TRACE_MAX_REGION);
	if (p->len == 0 || p->len > TRACE_MAX_LEN || p->len > p->size)
		return bad(err, errlen, "len %" PRIu64 " outside 1..%" PRIu64 " (min of 1 GiB and size=%s)",
			   p->len, p->size < TRACE_MAX_LEN ? p->size : (uint64_t)TRACE_MAX_LEN,
			   trace_fmt_size_exact(p->size, a, sizeof(a)));
	if (!(p->w >= 0.0 && p->w <= 1.0))
		return bad(err, errlen, "w %g outside 0..1", p->w);
	g->w_thresh = (uint64_t)(p->w * 4294967296.0);
	return 0;
}

static int check_n(struct gen *g, uint64_t dflt, char *err, size_t errlen)
{
	if (g->p.n == UINT64_MAX)
		g->p.n = dflt;
	if (g->p.n == 0 || g->p.n > GEN_MAX_N)
		return bad(err, errlen, "n %" PRIu64 " outside 1..%" PRIu64, g->p.n, GEN_MAX_N);
	return 0;
}

/* ------------------------------------------------------------------ kinds */

/* seq / reverse: slot i covers [i*len, (i+1)*len); wraps after size/len records. */
static int seq_resolve(struct gen *g, char *err, size_t errlen)
{
	int ret;

	if (g->p.len == UINT64_MAX)
		g->p.len = 4096;
	if ((ret = check_common(g, err, errlen)))
		return ret;
	g->step = g->p.len;
	g->slots = g->p.size / g->p.len;
	return check_n(g, g->slots, err, errlen);
}

static void seq_next(struct gen *g, struct trace_rec *r, size_t n)
{
	uint64_t slot = g->i % g->slots;

	for (size_t k = 0; k < n; k++) {
		r[k].off = slot * g->step;
		r[k].len = (uint32_t)g->p.len;
		if (++slot == g->slots)
			slot = 0;
	}
}

static void rev_next(struct gen *g, struct trace_rec *r, size_t n)
{
	uint64_t slot = g->slots - 1 - g->i % g->slots;

	for (size_t k = 0; k < n; k++) {
		r[k].off = slot * g->step;
		r[k].len = (uint32_t)g->p.len;
		slot = slot ? slot - 1 : g->slots - 1;
	}
}

/* stride: offsets 0, stride, 2*stride, ... while the access fits; wraps to 0. */
static int stride_resolve(struct gen *g, char *err, size_t errlen)
{
	int ret;

	if (g->p.len == UINT64_MAX)
		g->p.len = 64;
	if (g->p.stride == UINT64_MAX)
		g->p.stride = 4096;
	if ((ret = check_common(g, err, errlen)))
		return ret;
	if (g->p.stride == 0 || g->p.stride > g->p.size)
		return bad(err, errlen, "stride %" PRIu64 " outside 1..size (%" PRIu64 ")", g->p.stride, g->p.size);
	g->step = g->p.stride;
	g->slots = (g->p.size - g->p.len) / g->step + 1;
	return check_n(g, g->slots, err, errlen);
}

/* uniform / zipf / hotset: slot * align, slots = (size - len) / align + 1. */
static int rand_resolve(struct gen *g, char *err, size_t errlen)
{
	int ret;

	if (g->p.len == UINT64_MAX)
		g->p.len = 4096;
	if (g->p.align == UINT64_MAX)
		g->p.align = g->p.len;
	if ((ret = check_common(g, err, errlen)))
		return ret;
	if (g->p.align == 0 || g->p.align > g->p.size)
		return bad(err, errlen, "align %" PRIu64 " outside 1..size (%" PRIu64 ")", g->p.align, g->p.size);
	g->step = g->p.align;
	g->slots = (g->p.size - g->p.len) / g->step + 1;
	return check_n(g, g->slots, err, errlen);
}

static void uni_next(struct gen *g, struct trace_rec *r, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		r[k].off = rng_below(&g->off_rng, g->slots) * g->step;
		r[k].len = (uint32_t)g->p.len;
	}
}

/* zipf helpers (rejection-inversion): h(x) = x^-theta, H its integral. */
static double z_helper1(double x) /* log1p(x) / x */
{
	if (x > 1e-8 || x < -1e-8)
		return dm_log1p(x) / x;
	return 1.0 - x * (0.5 - x * (1.0 / 3.0 - 0.25 * x));
}

static double z_helper2(double x) /* expm1(x) / x */
{
	if (x > 1e-8 || x < -1e-8)
		return dm_expm1(x) / x;
	return 1.0 + x * 0.5 * (1.0 + x * (1.0 / 3.0) * (1.0 + 0.25 * x));
}

static double z_h(double theta, double x)
{
	return dm_exp(-theta * dm_log(x));
}

static double z_H(double theta, double x)
{
	double lx = dm_log(x);
	return z_helper2((1.0 - theta) * lx) * lx;
}

static double z_Hinv(double theta, double x)
{
	double t = x * (1.0 - theta);
	if (t < -1.0)
		t = -1.0;
	return dm_exp(z_helper1(t) * x);
}

static int zipf_resolve(struct gen *g, char *err, size_t errlen)
{
	int ret;
	double th;

	if (g->p.theta != g->p.theta) /* NaN: unset */
		g->p.theta = 0.99;
	th = g->p.theta;
	if (!(th > 0.0 && th <= GEN_THETA_MAX))
		return bad(err, errlen, "theta %g outside (0, %g]", th, GEN_THETA_MAX);
	if ((ret = rand_resolve(g, err, errlen)))
		return ret;
	g->z_hx1 = z_H(th, 1.5) - 1.0;
	g->z_hn = z_H(th, (double)g->slots + 0.5);
	g->z_s = 2.0 - z_Hinv(th, z_H(th, 2.5) - z_h(th, 2.0));
	return 0;
}

/* Rank 1..slots, rank 1 the most frequent; rank k -> slot k - 1. */
static uint64_t zipf_rank(struct gen *g)
{
	double th = g->p.theta;
	double nmax = (double)g->slots;

	for (;;) {
		double u = g->z_hn + rng_unit(&g->off_rng) * (g->z_hx1 - g->z_hn);
		double x = z_Hinv(th, u);
		double k = (double)(int64_t)(x + 0.5);

		if (k < 1.0)
			k = 1.0;
		else if (k > nmax)
			k = nmax;
		if (k - x <= g->z_s || u >= z_H(th, k + 0.5) - z_h(th, k))
			return (uint64_t)k;
	}
}

static void zipf_next(struct gen *g, struct trace_rec *r, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		r[k].off = (zipf_rank(g) - 1) * g->step;
		r[k].len = (uint32_t)g->p.len;
	}
}

static int hot_resolve(struct gen *g, char *err, size_t errlen)
{
	int ret;

	if (g->p.hot != g->p.hot)
		g->p.hot = 0.1;
	if (g->p.p != g->p.p)
		g->p.p = 0.9;
	if (!(g->p.hot > 0.0 && g->p.hot <= 1.0))
		return bad(err, errlen, "hot %g outside (0, 1]", g->p.hot);
	if (!(g->p.p >= 0.0 && g->p.p <= 1.0))
		return bad(err, errlen, "p %g outside 0..1", g->p.p);
	if ((ret = rand_resolve(g, err, errlen)))
		return ret;
	g->hot_slots = (uint64_t)((double)g->slots * g->p.hot);
	if (g->hot_slots == 0)
		g->hot_slots = 1;
	if (g->hot_slots > g->slots)
		g->hot_slots = g->slots;
	g->p_thresh = (uint64_t)(g->p.p * 4294967296.0);
	return 0;
}

static void hot_next(struct gen *g, struct trace_rec *r, size_t n)
{
	uint64_t cold = g->slots - g->hot_slots;

	for (size_t k = 0; k < n; k++) {
		uint64_t slot;
		if ((rng_next(&g->off_rng) >> 32) < g->p_thresh || !cold)
			slot = rng_below(&g->off_rng, g->hot_slots);
		else
			slot = g->hot_slots + rng_below(&g->off_rng, cold);
		r[k].off = slot * g->step;
		r[k].len = (uint32_t)g->p.len;
	}
}

static int chase_resolve(struct gen *g, char *err, size_t errlen)
{
	uint64_t np;
	int ret;

	if (g->p.len == UINT64_MAX)
		g->p.len = 8;
	if ((ret = check_common(g, err, errlen)))
		return ret;
	if (g->p.size % GEN_PAGE)
		return bad(err, errlen, "size %" PRIu64 " is not a multiple of the %u-byte page", g->p.size, GEN_PAGE);
	if (g->p.len > GEN_PAGE)
		return bad(err, errlen, "len %" PRIu64 " beyond the page (%u)", g->p.len, GEN_PAGE);
	np = g->p.size / GEN_PAGE;
	if (np > GEN_CHASE_MAX_PAGES)
		return bad(err, errlen, "%" PRIu64 " pages beyond the chase limit %u (size %" PRIu64 " MiB)",
			   np, GEN_CHASE_MAX_PAGES, ((uint64_t)GEN_CHASE_MAX_PAGES * GEN_PAGE) >> 20);
	g->slots = np;
	g->step = GEN_PAGE;
	if ((ret = check_n(g, np, err, errlen)))
		return ret;
	g->perm = malloc(sizeof(uint32_t) * np);
	if (!g->perm)
		return bad(err, errlen, "out of memory for %" PRIu64 " pages", np);
	for (uint64_t i = 0; i < np; i++)
		g->perm[i] = (uint32_t)i;
	for (uint64_t i = np - 1; i > 0; i--) { /* Sattolo: j < i gives one cycle */
		uint64_t j = rng_below(&g->off_rng, i);
		uint32_t t = g->perm[i];
		g->perm[i] = g->perm[j];
		g->perm[j] = t;
	}
	g->cur = 0;
	return 0;
}

static void chase_next(struct gen *g, struct trace_rec *r, size_t n)
{
	uint64_t cur = g->cur;

	for (size_t k = 0; k < n; k++) {
		r[k].off = cur * GEN_PAGE;
		r[k].len = (uint32_t)g->p.len;
		cur = g->perm[cur];
	}
	g->cur = cur;
}

#define H_SEQ "seq      sequential len-byte accesses from 0, wrapping (len=4K, n=size/len)"
#define H_REV "reverse  like seq from the end downwards (len=4K, n=size/len)"
#define H_STRIDE "stride   one len-byte access every stride bytes, wrapping (len=64, stride=4K, n=one pass)"
#define H_UNI "uniform  uniformly random aligned offsets (len=4K, align=len, n=size/len)"
#define H_ZIPF "zipf     zipf-distributed slots, slot 0 hottest (theta=0.99, len=4K, align=len)"
#define H_HOT "hotset   fraction p of accesses to the first hot of the slots (hot=10%, p=90%)"
#define H_CHASE "chase    follow a random single-cycle permutation of the 4K pages (len=8, n=pages)"

static const struct gen_kind kinds[] = {
	{ "seq", H_SEQ, K_SEQ, seq_resolve, seq_next },
	{ "reverse", H_REV, K_REV, seq_resolve, rev_next },
	{ "stride", H_STRIDE, K_STRIDE, stride_resolve, seq_next },
	{ "uniform", H_UNI, K_UNI, rand_resolve, uni_next },
	{ "zipf", H_ZIPF, K_ZIPF, zipf_resolve, zipf_next },
	{ "hotset", H_HOT, K_HOT, hot_resolve, hot_next },
	{ "chase", H_CHASE, K_CHASE, chase_resolve, chase_next },
};

const char *const gen_kinds_help[] = {
	H_SEQ, H_REV, H_STRIDE, H_UNI, H_ZIPF, H_HOT, H_CHASE,
	"keys: size (default 64M) or pages, len, n, w (write fraction), seed (default 1), anon=1,",
	"      align (random kinds), stride, theta (zipf), hot and p (hotset)",
	NULL,
};

/* ------------------------------------------------------------------- keys */

enum key_type { KT_SIZE, KT_U64, KT_FRAC, KT_REAL, KT_BOOL };

/* One spec key. */
struct gen_key {
	const char *name;    /* key in the spec */
	enum key_type type;  /* parser */
	size_t field;        /* offsetof in struct gen_params */
	unsigned kinds;      /* kinds accepting it (K_*) */
	int normal;          /* printed in the normalised spec */
};

#define F(x) offsetof(struct gen_params, x)
static const struct gen_key keys[] = {
	{ "size", KT_SIZE, F(size), K_ALL, 1 },
	{ "pages", KT_U64, F(pages), K_ALL, 0 },
	{ "len", KT_SIZE, F(len), K_ALL, 1 },
	{ "stride", KT_SIZE, F(stride), K_STRIDE, 1 },
	{ "align", KT_SIZE, F(align), K_RAND, 1 },
	{ "theta", KT_REAL, F(theta), K_ZIPF, 1 },
	{ "hot", KT_FRAC, F(hot), K_HOT, 1 },
	{ "p", KT_FRAC, F(p), K_HOT, 1 },
	{ "n", KT_U64, F(n), K_ALL, 1 },
	{ "w", KT_FRAC, F(w), K_ALL, 1 },
	{ "seed", KT_U64, F(seed), K_ALL, 1 },
	{ "anon", KT_BOOL, F(anon), K_ALL, 0 },
};
#undef F

static int parse_key(struct gen_params *p, const struct gen_kind *k, char *kv, unsigned *seen,
		     char *err, size_t errlen)
{
	char *eq = strchr(kv, '=');
	const struct gen_key *key = NULL;
	size_t i;

	if (!eq || eq == kv || !eq[1])
		return bad(err, errlen, "'%s' is not key=value", kv);
	*eq++ = 0;
	for (i = 0; i < MB_ARRAY_SIZE(keys); i++)
		if (!strcmp(keys[i].name, kv))
			key = &keys[i];
	if (!key)
		return bad(err, errlen, "key '%s' unknown (size pages len stride align theta hot p n w seed anon)", kv);
	if (!(key->kinds & k->mask))
		return bad(err, errlen, "key '%s' does not apply to %s", kv, k->name);
	i = (size_t)(key - keys);
	if (*seen & (1u << i))
		return bad(err, errlen, "key '%s' given twice", kv);
	*seen |= 1u << i;
	void *f = (char *)p + key->field;
	uint64_t u;
	double d;
	switch (key->type) {
	case KT_SIZE:
	case KT_U64:
		if (mb_parse_size(eq, &u))
			return bad(err, errlen, "%s '%s' not a %s", kv, eq, key->type == KT_SIZE ? "size" : "count");
		*(uint64_t *)f = u;
		break;
	case KT_BOOL:
		if (strcmp(eq, "0") && strcmp(eq, "1"))
			return bad(err, errlen, "%s '%s' not 0 or 1", kv, eq);
		*(uint64_t *)f = eq[0] == '1';
		break;
	case KT_FRAC:
	case KT_REAL:
		if (mb_parse_frac(eq, &d) || (key->type == KT_REAL && strchr(eq, '%')))
			return bad(err, errlen, "%s '%s' not a number", kv, eq);
		*(double *)f = d;
		break;
	}
	return 0;
}

/* Write the normalised spec of g into its header. */
static int normalise(struct gen *g, char *err, size_t errlen)
{
	char *s = g->hdr.spec, v[64];
	size_t len = sizeof(g->hdr.spec), pos;

	pos = (size_t)snprintf(s, len, "%s:", g->kind->name);
	for (size_t i = 0; i < MB_ARRAY_SIZE(keys); i++) {
		const struct gen_key *key = &keys[i];
		const void *f = (const char *)&g->p + key->field;

		if (!key->normal || !(key->kinds & g->kind->mask))
			continue;
		switch (key->type) {
		case KT_SIZE:
			trace_fmt_size_exact(*(const uint64_t *)f, v, sizeof(v));
			break;
		case KT_U64:
		case KT_BOOL:
			snprintf(v, sizeof(v), "%" PRIu64, *(const uint64_t *)f);
			break;
		case KT_FRAC:
		case KT_REAL:
			fmt_double(*(const double *)f, v, sizeof(v));
			break;
		}
		pos += (size_t)snprintf(s + pos, pos < len ? len - pos : 0, "%s%s=%s",
					s[pos - 1] == ':' ? "" : ",", key->name, v);
	}
	if (g->p.anon)
		pos += (size_t)snprintf(s + pos, pos < len ? len - pos : 0, ",anon=1");
	if (pos >= len)
		return bad(err, errlen, "normalised spec longer than %zu bytes", len - 1);
	return 0;
}

static int gen_create_unhashed(const char *spec, struct gen **out, char *err, size_t errlen)
{
	char buf[TRACE_SPEC_MAX], msg[256], *colon, *tok, *save = NULL;
	const struct gen_kind *k = NULL;
	unsigned seen = 0;
	struct gen *g;
	int ret;

	*out = NULL;
	if (strlen(spec) >= sizeof(buf))
		return bad(err, errlen, "spec of %zu bytes beyond limit %zu", strlen(spec), sizeof(buf) - 1);
	snprintf(buf, sizeof(buf), "%s", spec);
	colon = strchr(buf, ':');
	if (colon)
		*colon = 0;
	for (size_t i = 0; i < MB_ARRAY_SIZE(kinds); i++)
		if (!strcmp(kinds[i].name, buf))
			k = &kinds[i];
	if (!k)
		return bad(err, errlen, "spec '%s': kind '%s' unknown (seq reverse stride uniform zipf hotset chase)",
			   spec, buf);
	g = calloc(1, sizeof(*g));
	if (!g)
		return bad(err, errlen, "out of memory");
	g->kind = k;
	g->p = (struct gen_params){
		.size = UINT64_MAX, .pages = UINT64_MAX, .len = UINT64_MAX, .stride = UINT64_MAX,
		.align = UINT64_MAX, .n = UINT64_MAX, .seed = 1, .anon = 0, .w = 0.0,
		.theta = __builtin_nan(""), .hot = __builtin_nan(""), .p = __builtin_nan(""),
	};
	if (colon)
		for (tok = strtok_r(colon + 1, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
			if ((ret = parse_key(&g->p, k, tok, &seen, msg, sizeof(msg))))
				goto fail;
	if (g->p.pages != UINT64_MAX) {
		if (g->p.pages == 0 || g->p.pages > TRACE_MAX_REGION / GEN_PAGE) {
			ret = bad(msg, sizeof(msg), "pages %" PRIu64 " outside 1..%" PRIu64, g->p.pages,
				  TRACE_MAX_REGION / GEN_PAGE);
			goto fail;
		}
		if (g->p.size != UINT64_MAX && g->p.size != g->p.pages * GEN_PAGE) {
			ret = bad(msg, sizeof(msg), "size %" PRIu64 " disagrees with pages %" PRIu64 " (%" PRIu64
				  " bytes)", g->p.size, g->p.pages, g->p.pages * GEN_PAGE);
			goto fail;
		}
		g->p.size = g->p.pages * GEN_PAGE;
	}
	if (g->p.size == UINT64_MAX)
		g->p.size = 64 * MB_MiB;
	rng_seed(&g->off_rng, g->p.seed, 1);
	rng_seed(&g->op_rng, g->p.seed, 2);
	if ((ret = k->resolve(g, msg, sizeof(msg))))
		goto fail;
	g->hdr.version = TRACE_VERSION;
	g->hdr.region_kind = g->p.anon ? TRACE_REGION_ANON : TRACE_REGION_FILE;
	g->hdr.region_size = g->p.size;
	g->hdr.nrec = g->p.n;
	if ((ret = normalise(g, msg, sizeof(msg))))
		goto fail;
	*out = g;
	return 0;
fail:
	snprintf(err, errlen, "spec '%s': %s", spec, msg);
	gen_destroy(g);
	return ret;
}

/*
 * The header's content hash, as a written trace would carry it: generate the
 * records once with a twin generator and hash their canonical form (the same
 * definition as traces/trace.c). Costs one pass (about 1 s per 10^9 records),
 * so a model run from a spec joins the native run from the written file.
 */
static int gen_hash(const char *spec, uint64_t *hash, char *err, size_t errlen)
{
	enum { CHUNK = 4096 };
	struct trace_rec recs[CHUNK];
	uint64_t canon[2 * CHUNK];
	struct gen *t;
	XXH64_state_t *xs = XXH64_createState();
	size_t n;
	int ret;

	if (!xs)
		return -ENOMEM;
	if ((ret = gen_create_unhashed(spec, &t, err, errlen))) {
		XXH64_freeState(xs);
		return ret;
	}
	XXH64_reset(xs, 0);
	for (;;) {
		gen_next(t, recs, CHUNK, &n);
		if (!n)
			break;
		for (size_t i = 0; i < n; i++) {
			canon[2 * i] = recs[i].off;
			canon[2 * i + 1] = recs[i].len | (uint64_t)recs[i].op << 32;
		}
		trace_canon_to_le(canon, 2 * n);
		XXH64_update(xs, canon, sizeof(uint64_t) * 2 * n);
	}
	*hash = XXH64_digest(xs);
	XXH64_freeState(xs);
	gen_destroy(t);
	return 0;
}

int gen_create(const char *spec, struct gen **out, char *err, size_t errlen)
{
	int ret = gen_create_unhashed(spec, out, err, errlen);

	if (ret)
		return ret;
	if ((ret = gen_hash(spec, &(*out)->hdr.hash, err, errlen))) {
		gen_destroy(*out);
		*out = NULL;
	}
	return ret;
}

const struct trace_hdr *gen_hdr(const struct gen *g)
{
	return &g->hdr;
}

void gen_next(struct gen *g, struct trace_rec *recs, size_t max, size_t *n)
{
	uint64_t left = g->p.n - g->i;
	size_t m = left < max ? (size_t)left : max;

	*n = m;
	if (!m)
		return;
	g->kind->next(g, recs, m);
	if (g->w_thresh == 0) {
		for (size_t k = 0; k < m; k++)
			recs[k].op = TRACE_OP_READ;
	} else {
		for (size_t k = 0; k < m; k++)
			recs[k].op = (rng_next(&g->op_rng) >> 32) < g->w_thresh ? TRACE_OP_WRITE : TRACE_OP_READ;
	}
	g->i += m;
}

void gen_destroy(struct gen *g)
{
	if (!g)
		return;
	free(g->perm);
	free(g);
}

int gen_to_file(const char *spec, const char *path)
{
	struct gen *g;
	struct trace_writer *w;
	struct trace_rec recs[4096];
	char err[512];
	size_t n;
	int ret;

	if ((ret = gen_create(spec, &g, err, sizeof(err)))) {
		mb_err("trace", "%s", err);
		return ret;
	}
	if ((ret = trace_writer_create(path, gen_hdr(g), &w, err, sizeof(err)))) {
		mb_err("trace", "%s", err);
		gen_destroy(g);
		return ret;
	}
	for (;;) {
		gen_next(g, recs, MB_ARRAY_SIZE(recs), &n);
		if (!n)
			break;
		if ((ret = trace_writer_write(w, recs, n)))
			goto fail;
	}
	if ((ret = trace_writer_close(w)))
		goto fail;
	trace_writer_destroy(w);
	gen_destroy(g);
	return 0;
fail:
	mb_err("trace", "%s", trace_writer_error(w));
	trace_writer_destroy(w);
	gen_destroy(g);
	return ret;
}
