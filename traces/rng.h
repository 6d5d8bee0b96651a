/*
 * traces/rng.h — the generators' PRNG (internal): splitmix64 for seeding and
 * xoshiro256** for streams, plus an unbiased bounded draw (Lemire's
 * multiply-shift with rejection) and an exact uniform double in [0, 1).
 * Integer-only, so every machine produces the same sequence.
 * Algorithms: splitmix64 and xoshiro256** as published by Vigna and Blackman
 * (prng.di.unimi.it); bounded draw from Lemire, "Fast Random Integer
 * Generation in an Interval" (2019). Written from those descriptions.
 */
#ifndef TRACES_RNG_H
#define TRACES_RNG_H

#include <stdint.h>

/* One xoshiro256** stream. */
struct rng {
	uint64_t s[4]; /* state, never all zero */
};

static inline uint64_t rng_splitmix(uint64_t *x)
{
	uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* Seed a stream from (seed, stream id): distinct ids give independent streams. */
static inline void rng_seed(struct rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t x = seed ^ (stream * UINT64_C(0xd1b54a32d192ed03));
	for (int i = 0; i < 4; i++)
		r->s[i] = rng_splitmix(&x);
}

static inline uint64_t rng_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t res = rng_rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rng_rotl(s[3], 45);
	return res;
}

/* Uniform integer in [0, n), n >= 1, without bias. */
static inline uint64_t rng_below(struct rng *r, uint64_t n)
{
	unsigned __int128 m = (unsigned __int128)rng_next(r) * n;
	uint64_t lo = (uint64_t)m;

	if (lo < n) {
		uint64_t t = (0 - n) % n;
		while (lo < t) {
			m = (unsigned __int128)rng_next(r) * n;
			lo = (uint64_t)m;
		}
	}
	return (uint64_t)(m >> 64);
}

/* Uniform double in [0, 1): 53 random bits, exact. */
static inline double rng_unit(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

#endif /* TRACES_RNG_H */
