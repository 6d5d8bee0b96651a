/*
 * traces/detmath.c — deterministic log/exp (see detmath.h). Textbook range
 * reductions: log via x = m * 2^e, m in [sqrt(1/2), sqrt(2)), and the atanh
 * series of s = (m-1)/(m+1); exp via x = k ln2 + r, |r| <= ln2/2, and the
 * Taylor series of e^r. ln 2 is split in a high part with trailing zero bits
 * (k * LN2_HI is exact) and a low part, the standard Cody–Waite trick.
 * Invariant: only correctly rounded IEEE operations, evaluated in a fixed order.
 */
#include "traces/detmath.h"

#include <math.h>

#define LN2_HI 6.93147180369123816490e-01 /* 0x3fe62e42fee00000 */
#define LN2_LO 1.90821492927058770002e-10 /* ln 2 - LN2_HI */
#define SQRT_HALF 0.70710678118654752440

/* 1/(2j+1) and 1/k, folded by the compiler (correctly rounded, like runtime
 * division): the loops multiply instead of dividing. */
static const double inv_odd[14] = {
	1.0, 1.0 / 3, 1.0 / 5, 1.0 / 7, 1.0 / 9, 1.0 / 11, 1.0 / 13, 1.0 / 15,
	1.0 / 17, 1.0 / 19, 1.0 / 21, 1.0 / 23, 1.0 / 25, 1.0 / 27,
};
static const double inv_int[18] = {
	0.0, 1.0, 1.0 / 2, 1.0 / 3, 1.0 / 4, 1.0 / 5, 1.0 / 6, 1.0 / 7, 1.0 / 8,
	1.0 / 9, 1.0 / 10, 1.0 / 11, 1.0 / 12, 1.0 / 13, 1.0 / 14, 1.0 / 15,
	1.0 / 16, 1.0 / 17,
};

double dm_log(double x)
{
	int e;
	double m = frexp(x, &e), s, z, t;

	if (m < SQRT_HALF) {
		m *= 2.0;
		e--;
	}
	s = (m - 1.0) / (m + 1.0); /* |s| <= 0.1716 */
	z = s * s;
	/* 2 atanh(s) = 2 s (1 + z/3 + z^2/5 + ...), z^13 < 1e-19 */
	t = inv_odd[13];
	for (int k = 12; k >= 0; k--)
		t = inv_odd[k] + z * t;
	return (double)e * LN2_HI + ((double)e * LN2_LO + 2.0 * s * t);
}

double dm_log1p(double x)
{
	double u;

	if (x > -1e-4 && x < 1e-4) /* x - x^2/2 + x^3/3 - x^4/4 + x^5/5 */
		return x * (1.0 - x * (0.5 - x * (1.0 / 3.0 - x * (0.25 - x * 0.2))));
	u = 1.0 + x;
	return dm_log(u) * (x / (u - 1.0)); /* corrects the rounding of 1 + x */
}

/* e^r for |r| <= 0.35: Taylor to r^16/16!, Horner form 1 + r/1 (1 + r/2 (...)) */
static double exp_small(double r)
{
	double t = 1.0;

	for (int k = 16; k >= 1; k--)
		t = 1.0 + r * t * inv_int[k];
	return t;
}

double dm_exp(double x)
{
	double k, r;

	if (x > 709.7)
		return HUGE_VAL;
	if (x < -745.2)
		return 0.0;
	k = floor(x * 1.44269504088896338700 + 0.5); /* round(x / ln 2) */
	r = (x - k * LN2_HI) - k * LN2_LO;
	return ldexp(exp_small(r), (int)k);
}

double dm_expm1(double x)
{
	double t;

	if (x > -0.35 && x < 0.35) { /* x (1 + x/2 (1 + x/3 (...))) */
		t = 1.0;
		for (int k = 17; k >= 2; k--)
			t = 1.0 + x * t * inv_int[k];
		return x * t;
	}
	return dm_exp(x) - 1.0;
}
