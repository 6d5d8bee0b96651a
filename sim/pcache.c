/*
 * sim/pcache.c — the file's page cache (folios with orders, uptodate and
 * PG_readahead state), the kernel's readahead (mm/readahead.c of 6.18:
 * page_cache_sync_ra, page_cache_async_ra, page_cache_ra_order,
 * page_cache_ra_unbounded, force_page_cache_ra), the read path
 * (mm/filemap.c filemap_read / filemap_get_pages), the write path's folio
 * sizes (generic_perform_write + __filemap_get_folio) and the cache states
 * of the harness (cold, warm-read, warm-write, tmpfs).
 *
 * Invariants: folios are naturally aligned and never overlap (pc_add_folio
 * refuses like filemap_add_folio's -EEXIST); device reads complete at once
 * (a folio is uptodate when added: the model charges I/O time, it does not
 * simulate its overlap); memory grows with the 2 MiB chunks touched.
 */
#include "sim/sim_int.h"

#include "common/mb.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

struct chunk *sim_chunk(struct sim *s, uint64_t c, int create)
{
	uint64_t hi = c >> DIR_BITS;
	struct chunk **leaf;

	if (hi >= DIR_SIZE)
		return NULL; /* beyond 2^33 pages: trace invariant forbids */
	leaf = s->dir[hi];
	if (!leaf) {
		if (!create)
			return NULL;
		leaf = calloc(DIR_SIZE, sizeof(*leaf));
		if (!leaf)
			abort(); /* out of memory: the model cannot continue */
		s->dir[hi] = leaf;
	}
	if (!leaf[c & (DIR_SIZE - 1)] && create) {
		leaf[c & (DIR_SIZE - 1)] = calloc(1, sizeof(struct chunk));
		if (!leaf[c & (DIR_SIZE - 1)])
			abort();
		s->nchunks++;
	}
	return leaf[c & (DIR_SIZE - 1)];
}

static inline uint8_t *pg_byte(struct sim *s, uint64_t p, int create)
{
	struct chunk *ck = sim_chunk(s, p / SIM_PMD_PAGES, create);
	return ck ? &ck->pg[p % SIM_PMD_PAGES] : NULL;
}

int pc_folio(struct sim *s, uint64_t p, uint64_t *head, unsigned *order)
{
	uint8_t *b = pg_byte(s, p, 0);

	if (!b || !(*b & PC_PRESENT))
		return 0;
	*order = *b & PC_ORDER;
	*head = p & ~((UINT64_C(1) << *order) - 1);
	return 1;
}

int pc_test_ra(struct sim *s, uint64_t head)
{
	uint8_t *b = pg_byte(s, head, 0);
	return b && (*b & PC_RA);
}

int pc_make_bh(struct sim *s, uint64_t head)
{
	uint8_t *b = pg_byte(s, head, 0);

	if (!b || (*b & PC_BH))
		return 0;
	*b |= PC_BH;
	return 1;
}

void pc_clear_ra(struct sim *s, uint64_t head)
{
	uint8_t *b = pg_byte(s, head, 0);
	if (b)
		*b &= (uint8_t)~PC_RA;
}

static int add_folio(struct sim *s, uint64_t head, unsigned order, int ra_flag, int io);

int pc_add_folio(struct sim *s, uint64_t head, unsigned order, int ra_flag)
{
	return add_folio(s, head, order, ra_flag, 1);
}

/* filemap_add_folio; io: the folio is read from the device (not written or shmem). */
static int add_folio(struct sim *s, uint64_t head, unsigned order, int ra_flag, int io)
{
	uint64_t n = UINT64_C(1) << order;

	for (uint64_t i = 0; i < n; i++) {
		uint8_t *b = pg_byte(s, head + i, 0);
		if (b && (*b & PC_PRESENT))
			return -EEXIST;
	}
	lru_charge(s, n); /* mem_cgroup_charge: may reclaim first (memory limit only) */
	for (uint64_t i = 0; i < n; i++)
		*pg_byte(s, head + i, 1) = (uint8_t)(PC_PRESENT | order);
	if (ra_flag)
		*pg_byte(s, head, 1) |= PC_RA;
	if (!io && !s->f.shmem) /* the write path: write_begin attaches buffer heads */
		*pg_byte(s, head, 1) |= PC_BH;
	lru_add(s, head, order);
	sim_count(s, SIM_ST_PC_ADDED, n);
	sim_count(s, SIM_ST_PC_FOLIOS_ADDED, 1);
	if (io && !s->f.shmem && s->uring_track)
		sim_uring_added(s, head, n);
	if (io && !s->f.shmem && s->ra_async_on) { /* queued on the device (ra_async, pc_stream_wait) */
		s->ra_async_lo = MIN(s->ra_async_lo, head);
		s->ra_async_n += n;
	} else if (io && !s->f.shmem) {
		sim_cost(s, SIM_C_IO, (uint64_t)s->p.c.io_page * n);
		s->io_win += n;
		if (order >= SIM_PMD_ORDER)
			s->io_win_pmd += n;
	}
	return 0;
}

/*
 * The task sleeps until the synchronous window it submitted is read (the
 * folio it needs is unlocked by the end_io of its bio, filemap_read_folio /
 * folio_wait_locked): per request io_request, and per page of that window
 * io_page_sync instead of the streaming io_page, since nothing else overlaps it
 * (io_page_sync_pmd for the pages of PMD-sized folios: fewer, larger bios).
 */
void sim_io_wait(struct sim *s)
{
	const struct sim_costs *c = &s->p.c;
	uint64_t w = c->io_request;

	sim_count(s, SIM_ST_IO_WAITS, 1);
	uint64_t pmd = c->io_page_sync_pmd ? c->io_page_sync_pmd : c->io_page_sync;
	if (c->io_page_sync > c->io_page)
		w += (uint64_t)(c->io_page_sync - c->io_page) * (s->io_win - s->io_win_pmd);
	if (pmd > c->io_page)   /* below io_page: those pages stay at io_page */
		w += (pmd - c->io_page) * s->io_win_pmd;
	if (s->io_defer && s->counting) {
		s->io_deferred += w;
		s->io_deferred_n++;
	} else {
		sim_cost(s, SIM_C_IO, w);
	}
	s->io_win = 0;
	s->io_win_pmd = 0;
}

/*
 * Asynchronous readahead overlaps the reader (cost.io_stream): the window
 * page_cache_async_ra submits is read by the device while the task goes on,
 * its pages one after another at io_stream cycles each, after whatever the
 * device still streams; the task waits only when it needs a page not read
 * yet (filemap_read / filemap_fault find the folio locked). Charging each
 * page's device time as it is added (io_page) summed the device and the
 * task, where the kernel overlaps them: a cold sequential read of 4 KiB
 * records took the device's time plus the syscalls and copies. One thread
 * and no io_uring (which models its own device); io_stream 0: off.
 */
static void stream_submit(struct sim *s, uint64_t lo, uint64_t n)
{
	uint64_t now = sim_cycles(s), start = s->ra_busy > now ? s->ra_busy : now;

	if (s->ra_nfly == MB_ARRAY_SIZE(s->ra_fly)) { /* the oldest window is the first done */
		memmove(s->ra_fly, s->ra_fly + 1, sizeof(s->ra_fly) - sizeof(s->ra_fly[0]));
		s->ra_nfly--;
	}
	s->ra_fly[s->ra_nfly].lo = lo;
	s->ra_fly[s->ra_nfly].n = n;
	s->ra_fly[s->ra_nfly].start = start;
	s->ra_nfly++;
	s->ra_busy = start + n * s->p.c.io_stream;
}

void pc_stream_wait(struct sim *s, uint64_t p)
{
	uint64_t now = sim_cycles(s);

	for (unsigned i = 0; i < s->ra_nfly;) {
		const struct ra_fly *w = &s->ra_fly[i];
		if (w->start + w->n * s->p.c.io_stream <= now) { /* read by now: forget it */
			memmove(&s->ra_fly[i], &s->ra_fly[i + 1], (s->ra_nfly - i - 1) * sizeof(s->ra_fly[0]));
			s->ra_nfly--;
			continue;
		}
		if (p >= w->lo && p < w->lo + w->n) {
			uint64_t ready = w->start + (p - w->lo + 1) * s->p.c.io_stream;
			if (ready > now) {
				sim_cost(s, SIM_C_IO, ready - now);
				sim_count(s, SIM_ST_IO_WAITS, 1);
			}
			return;
		}
		i++;
	}
}

/*
 * The device serves up to cost.io_queue requests at once: n waits issued
 * together (one io_uring batch of at most qd reads, each waiting for its own
 * read) take their summed latency over min(n, par, io_queue). The pages'
 * transfer (io_page, charged as each folio is added) stays serial: it is the
 * device's bandwidth.
 */
void sim_io_flush(struct sim *s, uint64_t par)
{
	uint64_t n = s->io_deferred_n;
	double q = s->p.c.io_queue >= 1 ? s->p.c.io_queue : 1, p;

	if (!n)
		return;
	p = (double)MIN(par, n);
	p = p < q ? p : q;
	sim_cost(s, SIM_C_IO, (uint64_t)((double)s->io_deferred / (p >= 1 ? p : 1)));
	s->io_deferred = 0;
	s->io_deferred_n = 0;
}

/* ---- readahead (mm/readahead.c, 6.18) ----------------------------------- */

static unsigned ilog2_u64(uint64_t v)
{
	return v ? 63u - (unsigned)__builtin_clzll(v) : 0;
}

static uint64_t roundup_pow2(uint64_t v)
{
	return v <= 1 ? 1 : UINT64_C(1) << (64 - __builtin_clzll(v - 1));
}

void ra_state_init(struct sim *s, struct ra_state *ra)
{
	memset(ra, 0, sizeof(*ra));
	ra->ra_pages = s->p.k.ra_pages;
	ra->prev_pos = -1;
}

/*
 * page_cache_ra_unbounded: order-0 folios for the uncached pages, the flag
 * at mark; a cached folio is stepped over whole (xa_load, read_pages of the
 * batch so far), cost.ra_skip each.
 */
static void ra_unbounded(struct sim *s, uint64_t index, uint64_t nr, uint64_t lookahead)
{
	uint64_t mark = UINT64_MAX, head;
	unsigned order;

	if (lookahead <= nr)
		mark = nr - lookahead;
	for (uint64_t i = 0; i < nr; i++) {
		if (pc_folio(s, index + i, &head, &order)) {
			sim_cost(s, SIM_C_SYSCALL, s->p.c.ra_skip);
			i = head + (UINT64_C(1) << order) - 1 - index;
			continue;
		}
		pc_add_folio(s, index + i, 0, i == mark);
	}
}

/* do_page_cache_ra: clip to the page holding the last byte. */
static void do_ra(struct sim *s, uint64_t index, uint64_t nr, uint64_t lookahead)
{
	uint64_t end_index;

	if (!s->f.size)
		return;
	end_index = (s->f.size - 1) / SIM_PAGE;
	if (index > end_index)
		return;
	if (nr > end_index - index)
		nr = end_index - index + 1;
	ra_unbounded(s, index, nr, lookahead);
}

void ra_force(struct sim *s, struct ra_state *ra, uint64_t index, uint64_t nr)
{
	uint64_t max_pages = MAX((uint64_t)s->p.k.io_pages, (uint64_t)ra->ra_pages);

	nr = MIN(nr, max_pages);
	while (nr) {
		uint64_t chunk = MIN((uint64_t)(2 * MB_MiB / SIM_PAGE), nr);
		do_ra(s, index, chunk, 0);
		index += chunk;
		nr -= chunk;
	}
}

static uint64_t init_ra_size(uint64_t size, uint64_t max)
{
	uint64_t n = roundup_pow2(size);

	if (n <= max / 32)
		return n * 4;
	if (n <= max / 4)
		return n * 2;
	return max;
}

static uint64_t next_ra_size(const struct ra_state *ra, uint64_t max)
{
	if (ra->size < max / 16)
		return 4 * ra->size;
	if (ra->size <= max / 2)
		return 2 * ra->size;
	return max;
}

static uint64_t max_pages_for(struct sim *s, const struct ra_state *ra, uint64_t req)
{
	uint64_t max = ra->ra_pages;

	if (req > max && s->p.k.io_pages > max)
		max = MIN(req, (uint64_t)s->p.k.io_pages);
	return max;
}

/* page_cache_ra_order: folios of ra->order (aligned, clipped at EOF); fallback on collision. */
void ra_order(struct sim *s, struct ra_state *ra, uint64_t start)
{
	uint64_t index = start, limit, mark = start + ra->size - ra->async_size;
	unsigned new_order = ra->order;
	int err = 0;

	if (!s->f.size)
		return;
	if (!s->f.large) {
		ra->order = 0;
		goto fallback;
	}
	limit = (s->f.size - 1) / SIM_PAGE;
	limit = MIN(limit, index + ra->size - 1);
	new_order = MIN(new_order, s->p.k.max_folio_order);
	new_order = MIN(new_order, ilog2_u64(ra->size));
	ra->order = new_order;
	while (index <= limit) {
		unsigned order = new_order;
		if (index & ((UINT64_C(1) << order) - 1))
			order = (unsigned)__builtin_ctzll(index);
		while (order > 0 && index + (UINT64_C(1) << order) - 1 > limit)
			order--;
		uint64_t m = mark & ~((UINT64_C(1) << order) - 1);
		err = pc_add_folio(s, index, order, index == m);
		if (err)
			break;
		index += UINT64_C(1) << order;
	}
	if (!err)
		return;
fallback:
	if (ra->size > index - start)
		do_ra(s, index, ra->size - (index - start), ra->async_size);
}

/* Is page p cached (any folio)? */
static int cached(struct sim *s, uint64_t p)
{
	uint8_t *b = pg_byte(s, p, 0);
	return b && (*b & PC_PRESENT);
}

/*
 * What an xarray slot holds, for the walk of next_miss: the page cache's
 * xarray keeps a folio of order o in the node of shift 0 (o < 6) or 6
 * (o < 12), as one canonical slot and 2^(o - shift) - 1 siblings; a slot of
 * a shift-6 or shift-12 node is a child node when a smaller folio lives in
 * its range.
 */
enum xa_slot { XA_EMPTY, XA_ENTRY, XA_NODE };

static enum xa_slot xa_slot_at(struct sim *s, unsigned shift, uint64_t first)
{
	uint64_t n = UINT64_C(1) << shift, head;
	unsigned order;

	if (shift == 0)
		return cached(s, first) ? XA_ENTRY : XA_EMPTY;
	if (pc_folio(s, first, &head, &order) && order >= shift)
		return XA_ENTRY;                /* one folio covers the slot */
	for (uint64_t p = first; p < first + n; p++)
		if (cached(s, p))
			return XA_NODE;         /* smaller folios below */
	return XA_EMPTY;
}

/*
 * xas_load of page i for the walks below: 0 when nothing is cached there,
 * else the node holding its folio (*base, *shift) and the folio's canonical
 * slot in it (*off), where xas_descend leaves the offset.
 */
static int xa_load(struct sim *s, uint64_t i, uint64_t *base, unsigned *shift, int *off)
{
	uint64_t head;
	unsigned order;

	if (!pc_folio(s, i, &head, &order))
		return 0;
	*shift = order >= 6 ? 6 : 0;
	*base = i & ~((UINT64_C(64) << *shift) - 1);
	*off = (int)((head - *base) >> *shift);
	return 1;
}

/*
 * The end of __xas_next / __xas_prev: the slot off of the node (*base,
 * *shift), descending into child nodes (the offset there taken from index i,
 * xas_set_offset). 1 when an entry is found, 0 for an empty slot.
 */
static int xa_entry_at(struct sim *s, uint64_t i, uint64_t *base, unsigned *shift, int *off)
{
	for (;;) {
		uint64_t first = *base + ((uint64_t)*off << *shift);
		enum xa_slot k = xa_slot_at(s, *shift, first);
		if (k != XA_NODE)
			return k == XA_ENTRY;
		*base = first;
		*shift -= 6;
		*off = (int)((i >> *shift) & 63);
	}
}

/*
 * page_cache_next_miss (dir 1) and page_cache_prev_miss (dir -1) as 6.18
 * computes them: xas_next / xas_prev from index until an empty slot, then
 * the xa_state's index. That index is the first uncached page only while
 * the walk's slot offset follows the index. It does not after the first
 * load lands inside a multi-slot folio: the offset is left on the folio's
 * canonical (lowest) slot; in a shift-0 node every step then moves index
 * and offset together (the lag stays); in a shift-6 node the offset moves
 * one slot (64 pages) per step while it differs from the index's slot
 * (include/linux/xarray.h xas_next/xas_prev, lib/xarray.c __xas_next,
 * __xas_prev, xas_descend). So a forward scan from the last slots of a PMD
 * folio reports a hole a few pages late (traced here: page_cache_async_ra
 * at index 12794 of an order-9 folio [12288, 12800) read ahead from 12803),
 * and a backward scan from inside a large folio soon reports a "hole" at an
 * index still inside it. *found = 0 when max_scan steps meet no empty slot;
 * UINT64_MAX with *found = 1 when a backward scan passes page 0.
 */
static uint64_t xa_walk(struct sim *s, uint64_t index, uint64_t max_scan, int dir, int *found)
{
	uint64_t i = index, base;
	unsigned shift;
	int off;

	*found = 1;
	if (max_scan == 0) {
		*found = 0;
		return index;
	}
	if (!xa_load(s, i, &base, &shift, &off))
		return i;                       /* the first load finds nothing */
	for (uint64_t n = 1; n < max_scan; n++) {
		if (dir < 0 && i == 0)
			return UINT64_MAX;      /* the kernel's wrap */
		i += (uint64_t)(int64_t)dir;
		if (shift == 0 && off != (dir > 0 ? 63 : 0)) {  /* the inline fast path */
			off += dir;
			if (!cached(s, base + (unsigned)off))
				return i;
			continue;
		}
		if (off != (int)((i >> shift) & 63))    /* __xas_next / __xas_prev */
			off += dir;
		while (off == 64 || off < 0) {  /* to the parent, the slot after / before */
			uint64_t pbase = base & ~((UINT64_C(64) << (shift + 6)) - 1);
			off = (int)((base - pbase) >> (shift + 6)) + dir;
			base = pbase;
			shift += 6;
		}
		if (!xa_entry_at(s, i, &base, &shift, &off))
			return i;
	}
	*found = 0;
	return i;
}

/* page_cache_next_miss: index + max_scan when no empty slot is met. */
static uint64_t next_miss(struct sim *s, uint64_t index, uint64_t max_scan)
{
	int found;
	uint64_t r = xa_walk(s, index, max_scan, 1, &found);
	return found ? r : index + max_scan;
}

/* page_cache_prev_miss: index - max_scan when no empty slot is met. */
static uint64_t prev_miss(struct sim *s, uint64_t index, uint64_t max_scan)
{
	int found;
	uint64_t r = xa_walk(s, index, max_scan, -1, &found);
	return found ? r : index - max_scan;
}

void ra_sync(struct sim *s, struct ra_state *ra, uint64_t index, uint64_t req, int forced)
{
	uint64_t max_pages, prev_index, miss, contig;

	sim_count(s, SIM_ST_RA_SYNC, 1);
	if (!ra->ra_pages) {
		req = 1;
		forced = 1;
	}
	if (forced) {
		ra_force(s, ra, index, req);
		return;
	}
	max_pages = max_pages_for(s, ra, req);
	prev_index = (uint64_t)ra->prev_pos >> 12;
	if (!index || req > max_pages || index - prev_index <= 1) {
		ra->start = index;
		ra->size = init_ra_size(req, max_pages);
		ra->async_size = ra->size > req ? ra->size - req : ra->size >> 1;
		goto readit;
	}
	miss = prev_miss(s, index - 1, max_pages);
	contig = index - miss - 1;
	if (contig <= req) {
		do_ra(s, index, req, 0);
		return;
	}
	if (miss == UINT64_MAX)
		contig *= 2;
	ra->start = index;
	ra->size = MIN(contig + req, max_pages);
	ra->async_size = 1;
readit:
	ra->order = 0;
	ra_order(s, ra, ra->start);
}

void ra_async(struct sim *s, struct ra_state *ra, uint64_t index, unsigned folio_order,
	      uint64_t req)
{
	uint64_t max_pages, expected, start, end, aligned_end, align;

	if (!ra->ra_pages)
		return;
	sim_count(s, SIM_ST_RA_ASYNC, 1);
	pc_clear_ra(s, index & ~((UINT64_C(1) << folio_order) - 1));
	max_pages = max_pages_for(s, ra, req);
	expected = (ra->start + ra->size - ra->async_size) & ~((UINT64_C(1) << folio_order) - 1);
	if (index == expected) {
		ra->start += ra->size;
		ra->size = MAX(ra->size, next_ra_size(ra, max_pages));
		goto readit;
	}
	start = next_miss(s, index + 1, max_pages);
	if (!start || start - index > max_pages)
		return;
	ra->start = start;
	ra->size = start - index + req;
	ra->size = next_ra_size(ra, max_pages);
readit:
	ra->order += 2;
	align = UINT64_C(1) << MIN(ra->order, (unsigned)__builtin_ctzll(max_pages));
	end = ra->start + ra->size;
	aligned_end = end & ~(align - 1);
	if (aligned_end > ra->start)
		ra->size -= end - aligned_end;
	ra->async_size = ra->size;
	s->ra_async_on = s->ra_stream && s->counting; /* add_folio queues the window's pages */
	s->ra_async_lo = UINT64_MAX;
	s->ra_async_n = 0;
	ra_order(s, ra, ra->start);
	s->ra_async_on = 0;
	if (s->ra_async_n)
		stream_submit(s, s->ra_async_lo, s->ra_async_n);
}

/* ---- read path (filemap_read) ------------------------------------------ */

/*
 * filemap_get_read_batch: contiguous cached folios from index up to last
 * (inclusive), at most 31 (PAGEVEC_SIZE), stopping after a readahead-flagged
 * folio. Returns the count; heads/orders in the arrays.
 */
#define BATCH 31
static unsigned read_batch(struct sim *s, uint64_t index, uint64_t last, uint64_t *heads,
			   unsigned *orders)
{
	unsigned n = 0;
	uint64_t p = index;

	while (p <= last && n < BATCH) {
		uint64_t h;
		unsigned o;
		if (!pc_folio(s, p, &h, &o))
			break;
		heads[n] = h;
		orders[n] = o;
		n++;
		if (pc_test_ra(s, h))
			break;
		p = h + (UINT64_C(1) << o);
	}
	return n;
}

uint64_t pc_read(struct sim *s, struct ra_state *ra, uint64_t pos, uint64_t count)
{
	uint64_t done = 0, last_pos = (uint64_t)ra->prev_pos;
	uint64_t heads[BATCH];
	unsigned orders[BATCH];

	if (count == 0)
		return 0;
	while (count && pos < s->f.size) {
		uint64_t index = pos / SIM_PAGE;
		uint64_t last_index = (pos + count + SIM_PAGE - 1) / SIM_PAGE;
		unsigned n;
		uint64_t end_off;

		s->mc.pin = index; /* the folio being read is locked / referenced: reclaim keeps it */
		n = read_batch(s, index, last_index - 1, heads, orders);

		if (!n && !s->f.shmem) {
			sim_io_sync_begin(s);
			ra_sync(s, ra, index, last_index - index, 0);
			n = read_batch(s, index, last_index - 1, heads, orders);
			sim_io_wait(s);
		}
		if (!n) { /* filemap_create_folio: one min-order folio, read synchronously */
			sim_io_sync_begin(s);
			pc_add_folio(s, index, 0, 0);
			if (!s->f.shmem)
				sim_io_wait(s);
			n = read_batch(s, index, index, heads, orders);
		}
		if (pc_test_ra(s, heads[n - 1]) && !s->f.shmem)
			ra_async(s, ra, heads[n - 1], orders[n - 1], last_index - heads[n - 1]);
		/* filemap_read: folio_mark_accessed(first folio) unless the read stays in the previous one */
		if (s->mc.limit && (last_pos == UINT64_MAX || last_pos == 0 ||
				    (last_pos - 1) / SIM_PAGE < heads[0] ||
				    (last_pos - 1) / SIM_PAGE >= heads[0] + (UINT64_C(1) << orders[0])))
			lru_mark_accessed(s, heads[0]);
		sim_count(s, SIM_ST_PC_LOOKUPS, n);
		sim_cost(s, SIM_C_SYSCALL, ((uint64_t)s->p.c.pc_lookup + sim_folio_meta(s)) * n);
		end_off = MIN(s->f.size, pos + count);
		for (unsigned i = 0; i < n && pos < end_off; i++) {
			uint64_t fend = (heads[i] + (UINT64_C(1) << orders[i])) * SIM_PAGE;
			uint64_t bytes = MIN(fend, end_off) - pos;
			pc_stream_wait(s, (pos + bytes - 1) / SIM_PAGE); /* folio_wait_locked */
			sim_copy(s, bytes);
			pos += bytes;
			count -= bytes;
			done += bytes;
			last_pos = pos;
		}
	}
	ra->prev_pos = (int64_t)last_pos;
	s->mc.pin = LRU_NIL;
	return done;
}

/* ---- write path: folio sizes from the write size ----------------------- */

/* __filemap_get_folio(FGP_CREAT | fgf_set_order(len)) at index for a write of len bytes. */
static uint64_t write_folio(struct sim *s, uint64_t index, uint64_t len)
{
	uint64_t h;
	unsigned o;
	unsigned order = 0;

	if (pc_folio(s, index, &h, &o))
		return h + (UINT64_C(1) << o);
	if (s->f.large && len > SIM_PAGE)
		order = ilog2_u64(len) - 12;
	order = MIN(order, s->p.k.max_folio_order);
	while ((UINT64_C(1) << order) > s->p.k.write_folio_max && order > 0)
		order--;
	if (index & ((UINT64_C(1) << order) - 1))
		order = MIN(order, (unsigned)__builtin_ctzll(index));
	for (;;) { /* smaller orders when part of the range is cached */
		if (!add_folio(s, index, order, 0, 0) || order == 0)
			break;
		order--;
	}
	return index + (UINT64_C(1) << order);
}

void pc_write(struct sim *s, uint64_t pos, uint64_t count)
{
	uint64_t chunk = (uint64_t)s->p.k.write_folio_max * SIM_PAGE;

	while (count) {
		uint64_t off = pos & (chunk - 1);
		uint64_t bytes = MIN(chunk - off, count);
		while (bytes) { /* write_begin may return a smaller folio: loop within the chunk */
			uint64_t fend = write_folio(s, pos / SIM_PAGE, bytes + (pos & (SIM_PAGE - 1)));
			uint64_t n = MIN(bytes, fend * SIM_PAGE - pos);
			sim_copy(s, n);
			pos += n;
			bytes -= n;
			count -= n;
		}
	}
}

/* ---- cache states of the harness --------------------------------------- */

int pc_establish(struct sim *s, char *err, size_t errlen)
{
	struct ra_state ra;
	uint64_t req = s->o.cache_req ? s->o.cache_req : MB_MiB;
	int counting = s->counting;

	s->counting = 0;
	switch (s->o.cache) {
	case AN_CACHE_COLD:
	case AN_CACHE_NONE:
		break;
	case AN_CACHE_WARM_READ: /* sequential read() of req bytes, own struct file */
		ra_state_init(s, &ra);
		for (uint64_t pos = 0; pos < s->f.size;) {
			uint64_t got = pc_read(s, &ra, pos, req);
			if (!got)
				break;
			pos += got;
		}
		break;
	case AN_CACHE_WARM_WRITE: /* pwrite() of req bytes from 0 to the end */
		for (uint64_t pos = 0; pos < s->f.size; pos += req)
			pc_write(s, pos, MIN(req, s->f.size - pos));
		break;
	case AN_CACHE_TMPFS: /* shmem, 4 KiB pages, all cached */
		for (uint64_t p = 0; p < s->f.pages; p++)
			pc_add_folio(s, p, 0, 0);
		break;
	default:
		snprintf(err, errlen, "cache state %d not modelled", (int)s->o.cache);
		s->counting = counting;
		return -EINVAL;
	}
	s->counting = counting;
	return 0;
}
