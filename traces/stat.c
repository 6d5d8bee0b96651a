/*
 * traces/stat.c — trace statistics (traces/stat.h).
 *
 * Reuse distance, exact form: every tracked page has a last-use time; a
 * Fenwick tree over times holds a 1 at each page's last use, so the number of
 * distinct pages touched since time t0 is the count of ones after t0. Times
 * run in a window of `cap` slots; when it fills, live times are renumbered
 * 0..D-1 in order (walk of owner[]), so memory stays O(distinct pages).
 * Distances go into an exact histogram (one counter per distance value,
 * distance < distinct pages).
 * Invariants: fenwick holds exactly one 1 per tracked page, at map[page];
 * owner[t] is the page whose last use is t, or NO_PAGE.
 */
#include "traces/stat.h"
#include "common/mb.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define NO_PAGE UINT64_MAX
#define SAMPLE_BITS 24 /* sampling threshold resolution: hash mod 2^24 */

struct trace_stat_ctx {
	/* config */
	uint64_t region_size;   /* bytes */
	uint64_t sample_t;      /* track page iff hash24(page) < sample_t */
	int exact;              /* sample_t covers every page */
	/* page -> last-use time (open addressing, key page + 1, 0 empty) */
	uint64_t *keys;         /* page + 1 */
	uint32_t *times;        /* last-use time of that page */
	size_t mask;            /* table size - 1 */
	size_t used;            /* pages in the table */
	/* time window */
	uint32_t *fen;          /* Fenwick tree, 1-based, cap entries */
	uint64_t *owner;        /* page last used at time t */
	size_t cap;             /* window size */
	size_t now;             /* next time */
	/* 2 MiB regions */
	uint64_t *bits2m;       /* one bit per 2 MiB region */
	/* histogram of warm distances */
	uint64_t *hist;         /* hist[d] = warm touches at distance d */
	size_t hcap;            /* entries of hist */
	/* statistics */
	struct trace_stat st;   /* counters accumulated so far */
	long double rd_sum;     /* sum of warm distances */
	int failed;             /* -ENOMEM once an allocation failed */
};

static inline uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= UINT64_C(0xff51afd7ed558ccd);
	x ^= x >> 33;
	x *= UINT64_C(0xc4ceb9fe1a85ec53);
	x ^= x >> 33;
	return x;
}

static void fen_add(uint32_t *f, size_t cap, size_t i, int32_t v)
{
	for (i++; i <= cap; i += i & (0 - i))
		f[i - 1] += (uint32_t)v;
}

/* Sum of f over times [0, i). */
static uint64_t fen_prefix(const uint32_t *f, size_t i)
{
	uint64_t s = 0;
	for (; i; i -= i & (0 - i))
		s += f[i - 1];
	return s;
}

static size_t map_find(const struct trace_stat_ctx *c, uint64_t page)
{
	size_t i = (size_t)mix(page) & c->mask;
	while (c->keys[i] && c->keys[i] != page + 1)
		i = (i + 1) & c->mask;
	return i;
}

static int map_grow(struct trace_stat_ctx *c)
{
	size_t ncap = (c->mask + 1) * 2, omask = c->mask;
	uint64_t *ok = c->keys;
	uint32_t *ot = c->times;

	c->keys = calloc(ncap, sizeof(*c->keys));
	c->times = malloc(ncap * sizeof(*c->times));
	if (!c->keys || !c->times) {
		free(c->keys);
		free(c->times);
		c->keys = ok;
		c->times = ot;
		return -ENOMEM;
	}
	c->mask = ncap - 1;
	for (size_t i = 0; i <= omask; i++)
		if (ok[i]) {
			size_t j = map_find(c, ok[i] - 1);
			c->keys[j] = ok[i];
			c->times[j] = ot[i];
		}
	free(ok);
	free(ot);
	return 0;
}

/* Renumber live times 0..D-1 (order kept) and size the window to 2D+. */
static int compact(struct trace_stat_ctx *c)
{
	size_t live = 0, ncap = c->used * 2 < (1u << 20) ? (1u << 20) : c->used * 2;

	for (size_t t = 0; t < c->now; t++) {
		uint64_t p = c->owner[t];
		if (p == NO_PAGE)
			continue;
		c->times[map_find(c, p)] = (uint32_t)live;
		c->owner[live++] = p;
	}
	if (ncap != c->cap) {
		uint32_t *nf = realloc(c->fen, ncap * sizeof(*nf));
		if (!nf)
			return -ENOMEM;
		c->fen = nf;
		uint64_t *no = realloc(c->owner, ncap * sizeof(*no));
		if (!no)
			return -ENOMEM;
		c->owner = no;
		c->cap = ncap;
	}
	/* Fenwick of ones at 0..live-1: node i (1-based) covers (i - lowbit(i), i] */
	for (size_t i = 1; i <= c->cap; i++) {
		size_t lo = i - (i & (0 - i));
		c->fen[i - 1] = (uint32_t)(i <= live ? i - lo : (lo < live ? live - lo : 0));
	}
	for (size_t t = live; t < c->cap; t++)
		c->owner[t] = NO_PAGE;
	c->now = live;
	return 0;
}

int trace_stat_create(uint64_t region_size, struct trace_stat_ctx **out)
{
	struct trace_stat_ctx *c = calloc(1, sizeof(*c));
	uint64_t pages = (region_size + 4095) >> 12;

	*out = NULL;
	if (!c)
		return -ENOMEM;
	c->region_size = region_size;
	if (pages <= TRACE_STAT_EXACT_PAGES) {
		c->exact = 1;
		c->sample_t = UINT64_C(1) << SAMPLE_BITS;
	} else {
		c->sample_t = (TRACE_STAT_EXACT_PAGES << SAMPLE_BITS) / pages;
		if (c->sample_t == 0)
			c->sample_t = 1;
	}
	c->mask = 1023;
	c->keys = calloc(c->mask + 1, sizeof(*c->keys));
	c->times = malloc((c->mask + 1) * sizeof(*c->times));
	c->cap = 1u << 20;
	c->fen = calloc(c->cap, sizeof(*c->fen));
	c->owner = malloc(c->cap * sizeof(*c->owner));
	c->bits2m = calloc(((region_size >> 21) + 64) / 64, sizeof(uint64_t));
	c->hcap = 1024;
	c->hist = calloc(c->hcap, sizeof(*c->hist));
	if (!c->keys || !c->times || !c->fen || !c->owner || !c->bits2m || !c->hist) {
		trace_stat_destroy(c);
		return -ENOMEM;
	}
	for (size_t t = 0; t < c->cap; t++)
		c->owner[t] = NO_PAGE;
	*out = c;
	return 0;
}

static int touch(struct trace_stat_ctx *c, uint64_t page)
{
	size_t i;
	int ret;

	if (!c->exact && (mix(page ^ UINT64_C(0x5bd1e995)) & ((UINT64_C(1) << SAMPLE_BITS) - 1)) >= c->sample_t)
		return 0;
	c->st.touches++;
	i = map_find(c, page);
	if (c->keys[i]) {
		size_t t0 = c->times[i];
		uint64_t d = fen_prefix(c->fen, c->now) - fen_prefix(c->fen, t0 + 1);
		if (d >= c->hcap) {
			size_t nh = c->hcap;
			while (nh <= d)
				nh *= 2;
			uint64_t *h = realloc(c->hist, nh * sizeof(*h));
			if (!h)
				return -ENOMEM;
			memset(h + c->hcap, 0, (nh - c->hcap) * sizeof(*h));
			c->hist = h;
			c->hcap = nh;
		}
		c->hist[d]++;
		c->rd_sum += d;
		fen_add(c->fen, c->cap, t0, -1);
		c->owner[t0] = NO_PAGE;
	} else {
		c->st.cold++;
		if ((c->used + 1) * 2 > c->mask + 1) {
			if ((ret = map_grow(c)))
				return ret;
			i = map_find(c, page);
		}
		c->keys[i] = page + 1;
		c->used++;
	}
	if (c->now == c->cap) {
		/* page's old time (if any) is already released; keep it out of the renumbering */
		if ((ret = compact(c)))
			return ret;
		i = map_find(c, page);
	}
	c->times[i] = (uint32_t)c->now;
	c->owner[c->now] = page;
	fen_add(c->fen, c->cap, c->now, 1);
	c->now++;
	return 0;
}

int trace_stat_add(struct trace_stat_ctx *c, const struct trace_rec *recs, size_t n)
{
	int ret;

	if (c->failed)
		return c->failed;
	for (size_t k = 0; k < n; k++) {
		const struct trace_rec *r = &recs[k];
		uint64_t last = r->off + r->len - 1;

		c->st.nrec++;
		if (r->op == TRACE_OP_WRITE)
			c->st.writes++;
		else
			c->st.reads++;
		c->st.bytes += r->len;
		for (uint64_t g = r->off >> 21; g <= last >> 21; g++)
			c->bits2m[g / 64] |= UINT64_C(1) << (g % 64);
		for (uint64_t p = r->off >> 12; p <= last >> 12; p++)
			if ((ret = touch(c, p)))
				return c->failed = ret;
	}
	return 0;
}

/* Nearest-rank percentile q/1000 of the warm distances. */
static uint64_t pct(const struct trace_stat_ctx *c, uint64_t warm, unsigned q)
{
	uint64_t rank = (warm * q + 999) / 1000, cum = 0;

	if (rank == 0)
		rank = 1;
	for (size_t d = 0; d < c->hcap; d++) {
		cum += c->hist[d];
		if (cum >= rank)
			return d;
	}
	return 0;
}

void trace_stat_result(const struct trace_stat_ctx *c, struct trace_stat *st)
{
	uint64_t warm = c->st.touches - c->st.cold, regions = 0;
	double scale = c->exact ? 1.0 : (double)(UINT64_C(1) << SAMPLE_BITS) / (double)c->sample_t;

	*st = c->st;
	for (size_t i = 0; i < ((c->region_size >> 21) + 64) / 64; i++)
		regions += (uint64_t)__builtin_popcountll(c->bits2m[i]);
	st->regions_2m = regions;
	st->exact = c->exact;
	st->sample_rate = 1.0 / scale;
	st->pages = c->exact ? c->used : (uint64_t)((double)c->used * scale + 0.5);
	st->cold_frac = st->touches ? (double)st->cold / (double)st->touches : 0.0;
	st->rd_p50 = st->rd_p90 = st->rd_p99 = st->rd_max = 0;
	st->rd_mean = 0;
	if (warm) {
		st->rd_p50 = (uint64_t)((double)pct(c, warm, 500) * scale + 0.5);
		st->rd_p90 = (uint64_t)((double)pct(c, warm, 900) * scale + 0.5);
		st->rd_p99 = (uint64_t)((double)pct(c, warm, 990) * scale + 0.5);
		st->rd_max = (uint64_t)((double)pct(c, warm, 1000) * scale + 0.5);
		st->rd_mean = (double)(c->rd_sum / warm) * scale;
	}
}

void trace_stat_destroy(struct trace_stat_ctx *c)
{
	if (!c)
		return;
	free(c->keys);
	free(c->times);
	free(c->fen);
	free(c->owner);
	free(c->bits2m);
	free(c->hist);
	free(c);
}

int trace_stat_file(const char *path, struct trace_stat *st, struct trace_hdr *hdr,
		    char *err, size_t errlen)
{
	struct trace_reader *r;
	struct trace_stat_ctx *c;
	struct trace_rec recs[4096];
	size_t n;
	int ret;

	if ((ret = trace_reader_open(path, &r, err, errlen)))
		return ret;
	if (hdr)
		*hdr = *trace_reader_hdr(r);
	if ((ret = trace_stat_create(trace_reader_hdr(r)->region_size, &c))) {
		snprintf(err, errlen, "%s: out of memory for statistics", path);
		trace_reader_destroy(r);
		return ret;
	}
	for (;;) {
		if ((ret = trace_reader_read(r, recs, MB_ARRAY_SIZE(recs), &n))) {
			snprintf(err, errlen, "%s", trace_reader_error(r));
			break;
		}
		if (!n)
			break;
		if ((ret = trace_stat_add(c, recs, n))) {
			snprintf(err, errlen, "%s: out of memory for statistics after %llu records", path,
				 (unsigned long long)c->st.nrec);
			break;
		}
	}
	if (!ret)
		trace_stat_result(c, st);
	trace_stat_destroy(c);
	trace_reader_destroy(r);
	return ret;
}
